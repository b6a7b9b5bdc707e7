"""The workspace pages: dashboard, sign-up, switching and creating workspaces, members."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from maps.documents import map_create
from workspaces.models import Membership, Workspace
from workspaces.services import workspace_create

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_visitor_is_sent_to_sign_in() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_page_renders_the_form() -> None:
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_dashboard_lists_the_workspace_maps_with_their_stages(
    template_map: Any, owner: Any
) -> None:
    response = signed_in(owner).get("/")
    assert response.status_code == 200
    assert template_map.title in response.content.decode()
    first_stage = template_map.stages.order_by("position").first()
    assert first_stage.name in response.content.decode()


def test_dashboard_does_not_show_maps_of_other_workspaces(journey_map: Any, outsider: Any) -> None:
    workspace_create(name="Elsewhere", creator=outsider)
    response = signed_in(outsider).get("/")
    assert response.status_code == 200
    assert journey_map.title not in response.content.decode()


def test_dashboard_search_keeps_only_matching_maps(workspace: Any, owner: Any) -> None:
    map_create(workspace=workspace, actor=owner, title="Mua sắm trực tuyến")
    map_create(workspace=workspace, actor=owner, title="Ngân hàng số")
    response = signed_in(owner).get("/", {"q": "ngân hàng"})
    page = response.content.decode()
    assert "Ngân hàng số" in page
    assert "Mua sắm trực tuyến" not in page


def test_dashboard_filters_by_type_and_owner(workspace: Any, owner: Any, member: Any) -> None:
    mine = map_create(workspace=workspace, actor=owner, title="Bản đồ của Lan")
    map_create(workspace=workspace, actor=member, title="Bản đồ của Minh")
    response = signed_in(owner).get("/", {"owner": owner.pk, "type": mine.type})
    page = response.content.decode()
    assert "Bản đồ của Lan" in page
    assert "Bản đồ của Minh" not in page
    response = signed_in(owner).get("/", {"type": "blueprint"})
    assert "Bản đồ của Lan" not in response.content.decode()


def test_dashboard_shows_the_method_when_there_is_no_map(workspace: Any, owner: Any) -> None:
    response = signed_in(owner).get("/")
    assert reverse("map-new").encode() in response.content
    assert b"jm-empty" in response.content


def test_user_without_workspace_is_offered_to_create_one(outsider: Any) -> None:
    response = signed_in(outsider).get("/")
    assert response.status_code == 200
    assert reverse("workspace-new").encode() in response.content


def test_sign_up_creates_an_account_and_a_personal_workspace(settings: Any) -> None:
    settings.SIGNUP_ENABLED = True
    client = Client()
    response = client.post(
        reverse("signup"),
        {
            "username": "hoa",
            "email": "hoa@example.com",
            "password1": "mật-khẩu-dài-2025",
            "password2": "mật-khẩu-dài-2025",
        },
    )
    assert response.status_code == 302
    workspace = Workspace.objects.get(memberships__user__username="hoa")
    assert workspace.memberships.get().role == Membership.Role.ADMIN
    assert client.get("/").status_code == 200


def test_sign_up_refuses_mismatched_passwords(settings: Any) -> None:
    settings.SIGNUP_ENABLED = True
    response = Client().post(
        reverse("signup"),
        {
            "username": "hoa",
            "email": "hoa@example.com",
            "password1": "a-Long-pw-1",
            "password2": "x",
        },
    )
    assert response.status_code == 200
    assert not Workspace.objects.exists()


def test_sign_up_refuses_addresses_the_openid_provider_signs_in(settings: Any) -> None:
    settings.SIGNUP_ENABLED = True
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Acme SSO"
    settings.OIDC_ALLOWED_DOMAINS = ["acme.com"]
    form = {"username": "hoa", "password1": "mật-khẩu-dài-2025", "password2": "mật-khẩu-dài-2025"}
    refused = Client().post(reverse("signup"), {**form, "email": "hoa@ACME.com"})
    assert refused.status_code == 200
    assert "Acme SSO" in refused.content.decode()
    assert not Workspace.objects.exists()
    allowed = Client().post(reverse("signup"), {**form, "email": "hoa@gmail.com"})
    assert allowed.status_code == 302


def test_sign_up_is_gone_when_an_admin_switches_it_off(settings: Any) -> None:
    settings.SIGNUP_ENABLED = False
    assert Client().get(reverse("signup")).status_code == 404
    response = Client().post(
        reverse("signup"),
        {
            "username": "hoa",
            "email": "h@example.com",
            "password1": "Pw-long-123",
            "password2": "Pw-long-123",
        },
    )
    assert response.status_code == 404
    assert b"signup" not in Client().get(reverse("login")).content


def test_creating_a_workspace_makes_it_current(owner: Any, workspace: Any) -> None:
    client = signed_in(owner)
    response = client.post(reverse("workspace-new"), {"name": "Nhóm Bán lẻ"})
    assert response.status_code == 302
    created = Workspace.objects.get(name="Nhóm Bán lẻ")
    assert client.session["workspace_id"] == str(created.pk)
    assert "Nhóm Bán lẻ" in client.get("/").content.decode()


def test_switching_to_a_workspace_of_someone_else_is_not_found(owner: Any, outsider: Any) -> None:
    theirs = workspace_create(name="Riêng tư", creator=outsider)
    response = signed_in(owner).post(reverse("workspace-switch"), {"workspace": str(theirs.pk)})
    assert response.status_code == 404


def test_switching_workspace_changes_the_dashboard(owner: Any, journey_map: Any) -> None:
    other = workspace_create(name="Khác", creator=owner)
    client = signed_in(owner)
    client.post(reverse("workspace-switch"), {"workspace": str(other.pk)})
    assert journey_map.title not in client.get("/").content.decode()


def test_members_page_is_not_found_for_outsiders(workspace: Any, outsider: Any) -> None:
    response = signed_in(outsider).get(reverse("workspace-members", args=[workspace.pk]))
    assert response.status_code == 404


def test_admin_adds_a_member_by_email(workspace: Any, owner: Any, make_user: Any) -> None:
    newcomer = make_user("newcomer")
    response = signed_in(owner).post(
        reverse("workspace-members", args=[workspace.pk]),
        {"who": "NEWCOMER@example.com", "role": "member"},
    )
    assert response.status_code == 302
    assert workspace.memberships.filter(user=newcomer, role="member").exists()


def test_adding_an_unknown_person_shows_an_error(workspace: Any, owner: Any) -> None:
    response = signed_in(owner).post(
        reverse("workspace-members", args=[workspace.pk]), {"who": "nobody", "role": "member"}
    )
    assert response.status_code == 200
    assert workspace.memberships.count() == 2


def test_member_cannot_add_members(workspace: Any, member: Any, make_user: Any) -> None:
    make_user("newcomer")
    response = signed_in(member).post(
        reverse("workspace-members", args=[workspace.pk]), {"who": "newcomer", "role": "admin"}
    )
    assert response.status_code == 403
    assert workspace.memberships.count() == 2


def test_admin_changes_a_role_and_removes_a_member(workspace: Any, owner: Any, member: Any) -> None:
    client = signed_in(owner)
    membership = workspace.memberships.get(user=member)
    url = reverse("workspace-member", args=[workspace.pk, membership.pk])
    client.post(url, {"role": "admin"})
    membership.refresh_from_db()
    assert membership.role == "admin"
    client.post(url, {"action": "remove"})
    assert not workspace.memberships.filter(user=member).exists()


def test_the_last_admin_cannot_be_removed(workspace: Any, owner: Any) -> None:
    membership = workspace.memberships.get(user=owner)
    signed_in(owner).post(
        reverse("workspace-member", args=[workspace.pk, membership.pk]), {"action": "remove"}
    )
    assert workspace.memberships.filter(user=owner, role="admin").exists()


def test_member_cannot_change_roles(workspace: Any, owner: Any, member: Any) -> None:
    membership = workspace.memberships.get(user=owner)
    response = signed_in(member).post(
        reverse("workspace-member", args=[workspace.pk, membership.pk]), {"role": "member"}
    )
    assert response.status_code == 403


def test_pages_speak_english_when_asked(owner: Any, workspace: Any) -> None:
    client = signed_in(owner)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert b'lang="en"' in response.content


def test_sign_out_is_a_post_that_returns_to_sign_in(owner: Any) -> None:
    client = signed_in(owner)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get("/").status_code == 302
