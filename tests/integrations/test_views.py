"""The webhooks page: admins add and manage webhooks and read the delivery log; plain
members get 403, outsiders 404; the secret is shown once; user text is never HTML."""

from __future__ import annotations

import pytest
from django.test import Client

from integrations.models import Attempt, Delivery, Event, Webhook

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def page(workspace):
    return f"/workspaces/{workspace.pk}/webhooks/"


def pages(workspace, hook, delivery):
    base = page(workspace)
    return [
        ("get", base, {}),
        ("post", base, {"url": hook.url, "events": ["member.added"], "body_format": "json"}),
        ("post", f"{base}{hook.pk}/", {"action": "disable"}),
        ("post", f"{base}{hook.pk}/deliveries/{delivery.pk}/", {}),
    ]


@pytest.fixture
def delivery(hook):
    delivery = Delivery.objects.create(
        webhook=hook,
        event=Event.MEMBER_ADDED,
        body='{"id":"x"}',
        status="failed",
        attempts=1,
        response_code=500,
    )
    Attempt.objects.create(
        delivery=delivery,
        number=1,
        started_at=delivery.created_at,
        duration_ms=42,
        response_code=500,
        error="HTTP 500",
    )
    return delivery


def test_an_outsider_gets_404_on_every_page(outsider, workspace, hook, delivery):
    for method, url, data in pages(workspace, hook, delivery):
        assert getattr(signed_in(outsider), method)(url, data).status_code == 404, url


def test_a_plain_member_gets_403_on_every_page(member, workspace, hook, delivery):
    for method, url, data in pages(workspace, hook, delivery):
        assert getattr(signed_in(member), method)(url, data).status_code == 403, url


def test_the_admin_can_use_every_page(
    owner, workspace, hook, delivery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        codes = [
            getattr(signed_in(owner), method)(url, data).status_code
            for method, url, data in pages(workspace, hook, delivery)
        ]
    assert codes == [200, 302, 302, 302]


def test_the_log_shows_status_time_response_code_duration_and_send_again(
    owner, workspace, hook, delivery
):
    html = signed_in(owner).get(page(workspace)).content.decode()
    assert "Thất bại" in html  # the page is Vietnamese by default
    assert ">500<" in html and "42 ms" in html
    assert f"/deliveries/{delivery.pk}/" in html and "Gửi lại" in html


def test_adding_a_webhook_shows_its_secret_once(owner, workspace, receiver):
    client = signed_in(owner)
    response = client.post(
        page(workspace),
        {
            "name": "Kênh #cskh",
            "url": receiver.url,
            "events": ["comment.mention"],
            "body_format": "slack",
        },
        follow=True,
    )
    secret = Webhook.objects.get().secret
    assert secret in response.content.decode()
    assert secret not in client.get(page(workspace)).content.decode()


def test_a_forbidden_url_is_shown_as_a_form_error(owner, workspace):
    response = signed_in(owner).post(
        page(workspace),
        {"url": "http://169.254.169.254/", "events": ["member.added"], "body_format": "json"},
    )
    assert response.status_code == 200
    assert "metadata" in response.content.decode()
    assert Webhook.objects.count() == 0


def test_a_name_with_markup_is_shown_as_text(owner, workspace, hook):
    Webhook.objects.filter(pk=hook.pk).update(name="<script>alert(1)</script>")
    html = signed_in(owner).get(page(workspace)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_the_admin_switches_rotates_and_removes_a_webhook(owner, workspace, hook):
    client = signed_in(owner)
    old = hook.secret
    client.post(f"{page(workspace)}{hook.pk}/", {"action": "disable"})
    assert not Webhook.objects.get(pk=hook.pk).active
    client.post(f"{page(workspace)}{hook.pk}/", {"action": "enable"})
    assert Webhook.objects.get(pk=hook.pk).active
    response = client.post(f"{page(workspace)}{hook.pk}/", {"action": "rotate"}, follow=True)
    new = Webhook.objects.get(pk=hook.pk).secret
    assert new != old and new in response.content.decode()
    client.post(f"{page(workspace)}{hook.pk}/", {"action": "delete"})
    assert not Webhook.objects.filter(pk=hook.pk).exists()


def test_send_again_queues_a_new_delivery(
    owner, workspace, hook, delivery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(owner).post(f"{page(workspace)}{hook.pk}/deliveries/{delivery.pk}/")
    assert hook.deliveries.count() == 2


def test_the_top_bar_links_the_page_for_admins_only(owner, member, workspace):
    assert page(workspace) in signed_in(owner).get("/").content.decode()
    assert page(workspace) not in signed_in(member).get("/").content.decode()
