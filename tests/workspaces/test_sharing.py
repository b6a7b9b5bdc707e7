from __future__ import annotations

import datetime as dt
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from live.revocation import ACCESS_CHANGED
from workspaces.models import MapAccess, Membership, ShareLink
from workspaces.sharing import share_link_find, share_link_revoke

pytestmark = pytest.mark.django_db


def test_a_share_link_token_has_at_least_128_random_bits(client_for, owner, journey_map):
    response = client_for(owner).post(
        f"/api/maps/{journey_map.pk}/share-links/", {"role": "viewer"}, format="json"
    )
    body = response.json()
    assert response.status_code == 201
    assert set(body) >= {"id", "token", "url", "role", "expires"}
    # token_urlsafe: 6 bits per character.
    assert len(body["token"]) * 6 >= 128
    assert body["url"].endswith(f"/share/{body['token']}/")


def test_a_share_link_opens_the_map_without_an_account(api, owner, journey_map):
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    body = api.get(f"/api/share/{link.token}/").json()
    assert body["title"] == "Hành trình thử nghiệm"
    assert body["role"] == "viewer"
    assert "workspace" not in body


def test_a_token_that_differs_in_its_last_character_finds_nothing(owner, journey_map):
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    wrong = link.token[:-1] + ("A" if link.token[-1] != "A" else "B")
    assert share_link_find(link.token) == link
    assert share_link_find(wrong) is None
    assert share_link_find(link.token[:20]) is None
    assert share_link_find(None) is None


def test_a_revoked_link_stops_working(api, client_for, owner, journey_map):
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    response = client_for(owner).delete(f"/api/maps/{journey_map.pk}/share-links/{link.pk}/")
    assert response.status_code == 204
    assert api.get(f"/api/share/{link.token}/").status_code == 404
    listed = client_for(owner).get(f"/api/maps/{journey_map.pk}/share-links/").json()
    assert listed == []


def test_an_expired_link_stops_working(api, owner, journey_map):
    link = ShareLink.objects.create(
        map=journey_map,
        role="viewer",
        created_by=owner,
        expires=timezone.now() + dt.timedelta(minutes=5),
    )
    assert api.get(f"/api/share/{link.token}/").status_code == 200
    ShareLink.objects.filter(pk=link.pk).update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert api.get(f"/api/share/{link.token}/").status_code == 404


def test_a_link_cannot_expire_in_the_past_or_grant_editing(client_for, owner, journey_map):
    url = f"/api/maps/{journey_map.pk}/share-links/"
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    assert (
        client_for(owner)
        .post(url, {"role": "viewer", "expires": past}, format="json")
        .json()["code"]
        == "invalid"
    )
    assert client_for(owner).post(url, {"role": "editor"}, format="json").status_code == 400
    assert not ShareLink.objects.exists()


def test_revoking_has_the_maps_sockets_checked_again(
    owner, journey_map, django_capture_on_commit_callbacks
):
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(journey_map.group_name, channel)
    with django_capture_on_commit_callbacks(execute=True):
        share_link_revoke(link=link)
    message = async_to_sync(layer.receive)(channel)
    assert message == {"type": ACCESS_CHANGED, "sessions": []}


def test_an_owner_changes_and_removes_a_role(client_for, owner, journey_map, make_user):
    guest = make_user("guest")
    MapAccess.objects.create(map=journey_map, user=guest, role="viewer")
    url = f"/api/maps/{journey_map.pk}/members/{guest.pk}/"
    response = client_for(owner).patch(url, {"role": "commenter"}, format="json")
    assert response.json()["role"] == "commenter"
    assert client_for(owner).delete(url).status_code == 204
    assert journey_map.role_of(guest) is None
    assert client_for(owner).delete(url).status_code == 404


def test_the_last_owner_can_be_neither_removed_nor_demoted(
    client_for, owner, member, workspace, journey_map
):
    # Make `member` the only workspace admin's peer: owner is the map's only owner.
    Membership.objects.filter(workspace=workspace, user=owner).update(role="member")
    Membership.objects.filter(workspace=workspace, user=member).update(role="member")
    MapAccess.objects.create(map=journey_map, user=member, role="editor")
    url = f"/api/maps/{journey_map.pk}/members/{owner.pk}/"
    refused = client_for(owner).patch(url, {"role": "editor"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "last_owner")
    assert client_for(owner).delete(url).json()["code"] == "last_owner"
    client_for(owner).patch(
        f"/api/maps/{journey_map.pk}/members/{member.pk}/", {"role": "owner"}, format="json"
    )
    assert client_for(owner).delete(url).status_code == 204
    assert journey_map.role_of(member) == "owner"


def test_changing_a_role_needs_a_known_user_and_role(client_for, owner, journey_map):
    base = f"/api/maps/{journey_map.pk}/members/"
    assert (
        client_for(owner).patch(f"{base}999999/", {"role": "viewer"}, format="json").status_code
        == 404
    )
    response = client_for(owner).patch(f"{base}{owner.pk}/", {"role": "god"}, format="json")
    assert response.status_code == 400


def test_a_commenter_link_lets_a_signed_in_visitor_comment_and_nothing_more(
    client_for, api, owner, outsider, journey_map, new_id
):
    from maps.services import apply_ops

    stage = new_id()
    apply_ops(
        map_id=journey_map.pk,
        actor=owner,
        change_id=uuid.uuid4(),
        ops=[{"type": "stage.create", "id": stage, "name": "Nhận thức", "position": "a0"}],
    )
    link = ShareLink.objects.create(map=journey_map, role="commenter", created_by=owner)
    url = f"/api/share/{link.token}/changes/"
    comment = {
        "id": new_id(),
        "ops": [{"type": "comment.create", "id": new_id(), "stage": stage, "text": "Góp ý"}],
    }
    edit = {
        "id": new_id(),
        "ops": [{"type": "stage.update", "id": stage, "fields": {"name": "Đổi"}}],
    }

    assert client_for(outsider).post(url, comment, format="json").status_code == 200
    refused = client_for(outsider).post(url, edit, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert api.post(url, comment, format="json").status_code in {401, 403}
    assert journey_map.comments.get().author == outsider
    assert journey_map.role_of(outsider) is None  # the link grants nothing beyond itself
    assert client_for(outsider).get(f"/api/share/{link.token}/").json()["can_comment"] is True


def test_a_viewer_link_does_not_take_comments(client_for, outsider, owner, journey_map, new_id):
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    body = {
        "id": new_id(),
        "ops": [{"type": "comment.create", "id": new_id(), "stage": new_id(), "text": "x"}],
    }
    response = client_for(outsider).post(f"/api/share/{link.token}/changes/", body, format="json")
    assert response.status_code == 403
    share_link_revoke(link=link)
    gone = client_for(outsider).post(f"/api/share/{link.token}/changes/", body, format="json")
    assert gone.status_code == 404
