"""Persona photos are served by the app to those who may see the persona, checked on every
request (issue 24): workspace members and people with a role on a map showing the persona.
Everyone else, and every path no persona names, gets the same 404."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from personas.models import Persona
from personas.photos import persona_photo_clean
from workspaces.models import MapAccess, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def photo() -> ContentFile[bytes]:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "#ec4899").save(buffer, format="PNG")
    return persona_photo_clean(SimpleUploadedFile("mai.png", buffer.getvalue()))


@pytest.fixture
def persona(workspace: Any, owner: Any) -> Persona:
    persona = Persona.objects.create(workspace=workspace, name="Chị Mai", created_by=owner)
    persona.photo.save("mai.jpg", photo(), save=True)
    return persona


def signed_in(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def granted(journey_map: Any, make_user: Any, role: str = "viewer") -> Any:
    user = make_user(f"granted-{role}")
    MapAccess.objects.create(map=journey_map, user=user, role=role)
    return user


def test_a_member_of_the_workspace_gets_the_photo_privately(member: Any, persona: Persona) -> None:
    response = signed_in(member).get(persona.photo.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-cache"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.getvalue() == persona.photo.open("rb").read()


def test_the_photo_url_is_under_media_personas(persona: Persona) -> None:
    assert persona.photo.url.startswith("/media/personas/")


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_someone_who_may_not_see_the_persona_gets_the_404_of_a_missing_file(
    who: str, outsider: Any, persona: Persona
) -> None:
    client = signed_in(outsider if who == "outsider" else None)

    refused = client.get(persona.photo.url)
    missing = client.get("/media/personas/0123456789abcdef0123456789abcdef.jpg")

    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content


def test_a_role_on_a_map_showing_the_persona_shows_its_photo(
    journey_map: Any, persona: Persona, make_user: Any
) -> None:
    viewer = granted(journey_map, make_user)
    assert signed_in(viewer).get(persona.photo.url).status_code == 404

    journey_map.personas.add(persona)

    assert signed_in(viewer).get(persona.photo.url).status_code == 200


def test_a_removed_member_cannot_download_a_persona_photo(
    member: Any, workspace: Any, persona: Persona
) -> None:
    client = signed_in(member)
    assert client.get(persona.photo.url).status_code == 200

    Membership.objects.filter(workspace=workspace, user=member).delete()

    assert client.get(persona.photo.url).status_code == 404


def test_a_map_role_taken_away_refuses_the_photo_at_once(
    journey_map: Any, persona: Persona, make_user: Any, owner: Any
) -> None:
    journey_map.personas.add(persona)
    viewer = granted(journey_map, make_user)
    client = signed_in(viewer)
    assert client.get(persona.photo.url).status_code == 200

    response = signed_in(owner).delete(f"/api/maps/{journey_map.pk}/members/{viewer.pk}/")
    assert response.status_code == 204

    assert client.get(persona.photo.url).status_code == 404


def test_a_revalidation_is_refused_too_once_access_is_gone(
    member: Any, workspace: Any, persona: Persona
) -> None:
    client = signed_in(member)
    etag = client.get(persona.photo.url)["ETag"]
    assert client.get(persona.photo.url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    Membership.objects.filter(workspace=workspace, user=member).delete()

    assert client.get(persona.photo.url, HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_an_api_client_fetches_the_absolute_url_the_api_gave_it_with_its_token(
    member: Any, outsider: Any, persona: Persona, client_for: Any
) -> None:
    url = client_for(member).get(f"/api/personas/{persona.pk}/").json()["photo"]

    assert url == f"http://testserver{persona.photo.url}"
    assert client_for(member).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(None).get(url, HTTP_AUTHORIZATION="Token nonsense").status_code == 404


def test_every_persona_answer_of_the_api_gives_absolute_photo_urls(
    member: Any, workspace: Any, persona: Persona, client_for: Any
) -> None:
    client = client_for(member)
    upload = SimpleUploadedFile("p.png", photo().read(), content_type="image/png")

    listed = client.get(f"/api/personas/?workspace={workspace.pk}").json()
    patched = client.patch(
        f"/api/personas/{persona.pk}/", {"photo": upload}, format="multipart"
    ).json()

    assert listed[0]["photo"].startswith("http://testserver/media/personas/")
    assert patched["photo"].startswith("http://testserver/media/personas/")


@pytest.mark.parametrize(
    "path",
    [
        "/media/personas/..%2F..%2Fsettings.py",
        "/media/personas/../personas/x.jpg",
        "/media/personas/%2e%2e/%2e%2e/etc/passwd",
        "/media/personas/",
        "/media/exports/2026/01/map.pdf",
        "/media/",
    ],
)
def test_no_path_reaches_a_file_no_persona_names(path: str, member: Any, persona: Persona) -> None:
    assert signed_in(member).get(path).status_code == 404


def test_only_reading_is_allowed(member: Any, persona: Persona) -> None:
    assert signed_in(member).post(persona.photo.url).status_code == 405


def test_a_share_link_visitor_gets_no_photo_address(
    journey_map: Any, persona: Persona, owner: Any, client_for: Any
) -> None:
    from workspaces.models import ShareLink

    journey_map.personas.add(persona)
    link = ShareLink.objects.create(map=journey_map, role="viewer", created_by=owner)

    shared = client_for(None).get(f"/api/share/{link.token}/").json()

    assert [p["photo"] for p in shared["personas"]] == [None]
    assert signed_in(None).get(persona.photo.url).status_code == 404
