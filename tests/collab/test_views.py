from __future__ import annotations

import pytest
from django.test import Client

from workspaces.models import ShareLink
from workspaces.sharing import share_link_revoke

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_share_link_page_opens_without_an_account_and_keeps_the_token_private(owner, journey_map):
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    response = Client().get(f"/share/{link.token}/")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Hành trình thử nghiệm" in response.content.decode()
    assert f"/share/{link.token}/document.json".encode() not in response.content


@pytest.mark.parametrize("transport", ["socket", "rest"])
def test_the_share_page_follows_edits_the_way_the_editor_does(
    owner, journey_map, settings, transport
):
    settings.EDITOR_TRANSPORT = transport
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    response = Client().get(f"/share/{link.token}/")
    assert f'data-transport="{transport}"' in response.content.decode()


def test_a_revoked_share_link_page_says_so(owner, journey_map):
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    share_link_revoke(link=link)
    response = Client().get(f"/share/{link.token}/")
    assert response.status_code == 404
    assert Client().get(f"/share/{'x' * 43}/").status_code == 404


def test_the_shared_document_downloads_only_when_the_owner_allowed_exports(owner, journey_map):
    closed = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)
    open_ = ShareLink.objects.create(
        map=journey_map, role="viewer", created_by=owner, allow_export=True
    )
    assert Client().get(f"/share/{closed.token}/document.json").status_code == 404
    response = Client().get(f"/share/{open_.token}/document.json")
    assert response.status_code == 200
    assert response.json()["format"] == "journeymap"
    page = Client().get(f"/share/{open_.token}/").content
    assert f"/share/{open_.token}/document.json".encode() in page


def test_user_text_on_the_pages_is_escaped(owner, workspace):
    from maps.documents import map_create

    hostile = map_create(workspace=workspace, actor=owner, title="<script>alert(1)</script>")
    link = ShareLink.objects.create(map=hostile, role="viewer", created_by=owner)
    body = Client().get(f"/share/{link.token}/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


@pytest.mark.parametrize("page", ["history", "compare", "side-by-side"])
def test_map_pages_are_for_people_who_can_see_the_map(page, journey_map, role_users):
    url = f"/maps/{journey_map.pk}/{page}/"
    assert signed_in(role_users["viewer"]).get(url).status_code == 200
    assert signed_in(role_users["outsider"]).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_the_restore_button_is_only_offered_to_editors(journey_map, role_users):
    url = f"/maps/{journey_map.pk}/history/"
    assert b'id="jm-restore"' in signed_in(role_users["editor"]).get(url).content
    assert b'id="jm-restore"' not in signed_in(role_users["viewer"]).get(url).content


def test_the_activity_page_is_for_workspace_members(workspace, member, outsider):
    url = f"/workspaces/{workspace.pk}/activity/"
    assert signed_in(member).get(url).status_code == 200
    assert signed_in(outsider).get(url).status_code == 404
    assert signed_in(member).get("/notifications/").status_code == 200
