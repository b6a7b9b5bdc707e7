import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_token_endpoint_answers_a_token_for_good_credentials(api, owner):
    response = api.post("/api/auth/token/", {"username": "owner", "password": "pw"}, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"token"}


def test_token_endpoint_refuses_bad_credentials_with_a_json_error(api, owner):
    response = api.post("/api/auth/token/", {"username": "owner", "password": "no"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_password_guessing_is_refused_even_with_the_right_password_after_the_limit(api, owner):
    for _ in range(3):
        api.post("/api/auth/token/", {"username": "owner", "password": "guess"}, format="json")

    response = api.post("/api/auth/token/", {"username": "owner", "password": "pw"}, format="json")

    assert response.status_code == 400
    assert "token" not in response.json()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_sign_in_page_is_protected_by_the_same_counter(owner):
    client = Client()
    for _ in range(3):
        client.post("/login/", {"username": "owner", "password": "guess"})

    client.post("/login/", {"username": "owner", "password": "pw"})

    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_other_accounts_are_not_locked_by_someone_elses_failures(api, owner, member):
    for _ in range(3):
        api.post("/api/auth/token/", {"username": "owner", "password": "guess"}, format="json")

    response = api.post("/api/auth/token/", {"username": "member", "password": "pw"}, format="json")

    assert response.status_code == 200


def test_token_endpoint_is_rate_limited_with_429(api, owner, settings):
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], auth="2/min")
    settings.REST_FRAMEWORK = dict(settings.REST_FRAMEWORK, DEFAULT_THROTTLE_RATES=rates)
    from rest_framework.throttling import ScopedRateThrottle

    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [
            api.post("/api/auth/token/", {"username": "owner", "password": "pw"}, format="json")
            for _ in range(3)
        ]
    finally:
        from rest_framework.settings import api_settings

        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[assignment]

    assert [r.status_code for r in codes] == [200, 200, 429]
    assert codes[-1].json()["code"] == "rate_limited"
