"""The webhooks REST API: workspace admins only (404 for outsiders, 403 for plain members),
the secret shown once, the delivery log and send again."""

from __future__ import annotations

import pytest

from integrations.models import Delivery, Event, Webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(hook):
    return Delivery.objects.create(webhook=hook, event=Event.MEMBER_ADDED, body='{"id":"x"}')


def endpoints(workspace, hook, delivery):
    base = f"/api/webhooks/{hook.pk}/"
    return [
        ("get", f"/api/workspaces/{workspace.pk}/webhooks/", None),
        (
            "post",
            f"/api/workspaces/{workspace.pk}/webhooks/",
            {"url": hook.url, "events": ["member.added"]},
        ),
        ("get", base, None),
        ("patch", base, {"name": "Chat"}),
        ("post", base + "secret/", None),
        ("get", base + "deliveries/", None),
        ("post", base + f"deliveries/{delivery.pk}/redeliver/", None),
        ("delete", base, None),
    ]


def call(client, method, url, data):
    return getattr(client, method)(url, data, format="json")


def test_every_endpoint_answers_404_to_an_outsider(client_for, outsider, workspace, hook, delivery):
    for method, url, data in endpoints(workspace, hook, delivery):
        response = call(client_for(outsider), method, url, data)
        assert response.status_code == 404, (method, url)
        assert response.json()["code"] == "not_found"


def test_every_endpoint_answers_403_to_a_plain_member(
    client_for, member, workspace, hook, delivery
):
    for method, url, data in endpoints(workspace, hook, delivery):
        response = call(client_for(member), method, url, data)
        assert response.status_code == 403, (method, url)
        assert response.json()["code"] == "forbidden"


def test_every_endpoint_works_for_the_workspace_admin(
    client_for, owner, workspace, hook, delivery, django_capture_on_commit_callbacks
):
    expected = [200, 201, 200, 200, 200, 200, 202, 204]
    with django_capture_on_commit_callbacks(execute=True):
        got = [
            call(client_for(owner), method, url, data).status_code
            for method, url, data in endpoints(workspace, hook, delivery)
        ]
    assert got == expected


def test_anonymous_callers_are_asked_to_sign_in(api, workspace):
    assert api.get(f"/api/workspaces/{workspace.pk}/webhooks/").status_code == 401


def test_the_secret_is_shown_on_creation_and_rotation_only(client_for, owner, workspace, receiver):
    client = client_for(owner)
    created = client.post(
        f"/api/workspaces/{workspace.pk}/webhooks/",
        {
            "url": receiver.url,
            "events": ["comment.created", "comment.mention"],
            "body_format": "slack",
        },
        format="json",
    ).json()
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["comment.created", "comment.mention"]
    shown = client.get(f"/api/webhooks/{created['id']}/").json()
    assert "secret" not in shown
    listed = client.get(f"/api/workspaces/{workspace.pk}/webhooks/").json()
    assert all("secret" not in row for row in listed)
    rotated = client.post(f"/api/webhooks/{created['id']}/secret/").json()
    assert rotated["secret"] != created["secret"]
    assert Webhook.objects.get(pk=created["id"]).secret == rotated["secret"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "http://localhost/x",
        "http://169.254.169.254/",
        "http://10.0.0.1/",
        "ftp://example.com/",
    ],
)
def test_a_forbidden_url_is_refused_with_a_json_error(client_for, owner, workspace, url):
    response = client_for(owner).post(
        f"/api/workspaces/{workspace.pk}/webhooks/",
        {"url": url, "events": ["member.added"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] in {"url_refused", "invalid"}
    assert Webhook.objects.count() == 0


def test_unknown_events_are_refused(client_for, owner, workspace, receiver):
    response = client_for(owner).post(
        f"/api/workspaces/{workspace.pk}/webhooks/",
        {"url": receiver.url, "events": ["map.deleted"]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_the_delivery_log_lists_every_attempt(
    client_for, owner, hook, receiver, scheduled, django_capture_on_commit_callbacks
):
    from integrations.services import delivery_create

    receiver.statuses = [503]
    with django_capture_on_commit_callbacks(execute=True):
        delivery_create(webhook=hook, event=Event.MEMBER_ADDED, data={"member": {}})
    scheduled.run_all()
    (row,) = client_for(owner).get(f"/api/webhooks/{hook.pk}/deliveries/").json()
    assert row["status"] == "succeeded"
    assert [a["response_code"] for a in row["attempt_log"]] == [503, 200]
    assert row["body"]["event"] == "member.added"


def test_switching_a_disabled_webhook_on_clears_its_failure(client_for, owner, hook):
    Webhook.objects.filter(pk=hook.pk).update(active=False, disabled_reason="failing")
    answer = (
        client_for(owner).patch(f"/api/webhooks/{hook.pk}/", {"active": True}, format="json").json()
    )
    assert answer["active"] is True and answer["disabled_reason"] == ""


def test_a_webhook_id_that_is_not_a_uuid_is_a_404(client_for, owner):
    assert client_for(owner).get("/api/webhooks/nope/").status_code == 404


def test_the_schema_documents_the_webhook_paths():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert "/api/workspaces/{workspace_id}/webhooks/" in paths
    assert "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver/" in paths
