"""Workspaces and their members over REST."""

from __future__ import annotations

import uuid

import pytest

from workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def test_the_list_holds_only_my_workspaces_with_my_role(client_for, member, outsider, workspace):
    rows = client_for(member).get("/api/workspaces/").json()

    assert [(row["id"], row["name"], row["role"]) for row in rows] == [
        (str(workspace.pk), "Nhóm Marketing", "member")
    ]
    assert client_for(outsider).get("/api/workspaces/").json() == []


def test_the_creator_of_a_workspace_becomes_its_admin(client_for, outsider):
    response = client_for(outsider).post(
        "/api/workspaces/", {"name": "Đội Bán hàng"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["role"]) == ("Đội Bán hàng", "admin")
    workspace = Workspace.objects.get(pk=body["id"])
    assert workspace.role_of(outsider) == "admin"


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 121}, ["name"]])
def test_a_workspace_needs_a_name(client_for, outsider, body):
    response = client_for(outsider).post("/api/workspaces/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Workspace.objects.exists()


def test_members_are_listed_with_their_roles(client_for, member, workspace):
    rows = client_for(member).get(f"/api/workspaces/{workspace.pk}/members/").json()

    assert [(row["user"]["username"], row["role"]) for row in rows] == [
        ("member", "member"),
        ("owner", "admin"),
    ]
    assert rows[1]["user"]["name"] == "Lan Nguyễn"


@pytest.mark.parametrize("who", [{"username": "outsider"}, {"email": "Outsider@Example.com"}])
def test_an_admin_adds_a_member_by_username_or_email(client_for, owner, outsider, workspace, who):
    response = client_for(owner).post(
        f"/api/workspaces/{workspace.pk}/members/", {**who, "role": "member"}, format="json"
    )

    assert response.status_code == 201
    assert workspace.role_of(outsider) == "member"


def test_adding_an_existing_member_changes_their_role_with_200(
    client_for, owner, member, workspace
):
    response = client_for(owner).post(
        f"/api/workspaces/{workspace.pk}/members/",
        {"username": "member", "role": "admin"},
        format="json",
    )

    assert response.status_code == 200
    assert workspace.role_of(member) == "admin"


def test_a_member_who_is_not_admin_cannot_add_members(client_for, member, outsider, workspace):
    response = client_for(member).post(
        f"/api/workspaces/{workspace.pk}/members/", {"username": "outsider"}, format="json"
    )

    assert response.status_code == 403
    assert workspace.role_of(outsider) is None


def test_an_admin_cannot_demote_themself(client_for, owner, workspace):
    response = client_for(owner).post(
        f"/api/workspaces/{workspace.pk}/members/",
        {"username": "owner", "role": "member"},
        format="json",
    )

    assert response.status_code == 400
    assert workspace.role_of(owner) == "admin"


@pytest.mark.parametrize(
    "body",
    [
        {"username": "ghost"},
        {"username": "outsider", "role": "boss"},
        {"email": "not-an-email"},
        {},
    ],
)
def test_a_bad_member_request_is_a_400(client_for, owner, workspace, body):
    response = client_for(owner).post(
        f"/api/workspaces/{workspace.pk}/members/", body, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) >= {"code", "message"}
    assert Membership.objects.filter(workspace=workspace).count() == 2


def test_a_workspace_i_am_not_in_is_404(client_for, outsider, workspace):
    for path in (
        f"/api/workspaces/{workspace.pk}/members/",
        f"/api/workspaces/{uuid.uuid4()}/members/",
    ):
        response = client_for(outsider).get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
