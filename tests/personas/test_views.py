"""Persona pages: the list, creating a persona, and the editor with every docs/domain.md field."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from personas.models import PERSONA_TEXT_FIELDS, Persona
from personas.views import SECTIONS
from workspaces.services import workspace_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def png(size: tuple[int, int] = (60, 60)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#ec4899").save(buffer, format="PNG")
    return SimpleUploadedFile("mai.png", buffer.getvalue(), content_type="image/png")


def form_data(persona: Persona, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        name: getattr(persona, name)
        for _title, _help, names in SECTIONS
        for name in names
        if name not in {"channels", "decision_maker"}
    }
    data["channels"] = []
    data.update(changes)
    return data


def test_the_editor_offers_every_persona_field(owner: Any, workspace: Any) -> None:
    persona = Persona.objects.create(workspace=workspace, name="Chị Mai")
    page = signed_in(owner).get(reverse("persona-edit", args=[persona.pk])).content.decode()
    for name in [*PERSONA_TEXT_FIELDS, "age", "location", "job_title", "company", "photo"]:
        assert f'name="{name}"' in page


def test_creating_a_persona_opens_its_editor(owner: Any, workspace: Any) -> None:
    response = signed_in(owner).post(
        reverse("persona-list"), {"name": "Anh Tuấn", "segment": "b2b"}
    )
    persona = Persona.objects.get(name="Anh Tuấn")
    assert persona.segment == "b2b"
    assert persona.workspace == workspace
    assert response["Location"] == reverse("persona-edit", args=[persona.pk])


def test_saving_the_editor_stores_text_as_nfc(owner: Any, workspace: Any) -> None:
    persona = Persona.objects.create(workspace=workspace, name="Mai")
    decomposed = unicodedata.normalize("NFD", "Muốn mua nhanh, không phải chờ")
    response = signed_in(owner).post(
        reverse("persona-edit", args=[persona.pk]),
        form_data(persona, goals=decomposed, job_title="Trưởng phòng", channels=["search"]),
    )
    assert response.status_code == 302
    persona.refresh_from_db()
    assert persona.goals == unicodedata.normalize("NFC", decomposed)
    assert persona.channels == ["search"]
    assert persona.job_title == "Trưởng phòng"


def test_a_photo_is_stored_re_encoded(owner: Any, workspace: Any) -> None:
    persona = Persona.objects.create(workspace=workspace, name="Mai")
    signed_in(owner).post(
        reverse("persona-edit", args=[persona.pk]), form_data(persona, photo=png())
    )
    persona.refresh_from_db()
    name = str(persona.photo.name)
    assert name.startswith("personas/")
    assert name.endswith(".jpg")


def test_a_file_that_is_not_an_image_is_refused(owner: Any, workspace: Any) -> None:
    persona = Persona.objects.create(workspace=workspace, name="Mai")
    fake = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = signed_in(owner).post(
        reverse("persona-edit", args=[persona.pk]), form_data(persona, photo=fake)
    )
    assert response.status_code == 200
    persona.refresh_from_db()
    assert not persona.photo


def test_a_photo_over_the_size_limit_is_refused(owner: Any, workspace: Any) -> None:
    persona = Persona.objects.create(workspace=workspace, name="Mai")
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 10))
    response = signed_in(owner).post(
        reverse("persona-edit", args=[persona.pk]), form_data(persona, photo=big)
    )
    assert response.status_code == 200
    persona.refresh_from_db()
    assert not persona.photo


def test_a_persona_needs_a_name(owner: Any, workspace: Any) -> None:
    persona = Persona.objects.create(workspace=workspace, name="Mai")
    response = signed_in(owner).post(
        reverse("persona-edit", args=[persona.pk]), form_data(persona, name="")
    )
    assert response.status_code == 200
    persona.refresh_from_db()
    assert persona.name == "Mai"


def test_personas_of_another_workspace_are_not_found(outsider: Any, workspace: Any) -> None:
    workspace_create(name="Khác", creator=outsider)
    persona = Persona.objects.create(workspace=workspace, name="Chị Mai Hương")
    client = signed_in(outsider)
    assert client.get(reverse("persona-edit", args=[persona.pk])).status_code == 404
    response = client.post(reverse("persona-edit", args=[persona.pk]), form_data(persona, name="X"))
    assert response.status_code == 404
    assert client.post(reverse("persona-delete", args=[persona.pk])).status_code == 404
    assert "Chị Mai Hương" not in client.get(reverse("persona-list")).content.decode()
    persona.refresh_from_db()
    assert persona.name == "Chị Mai Hương"


def test_deleting_a_persona(owner: Any, workspace: Any) -> None:
    persona = Persona.objects.create(workspace=workspace, name="Mai")
    response = signed_in(owner).post(reverse("persona-delete", args=[persona.pk]))
    assert response.status_code == 302
    assert not Persona.objects.filter(pk=persona.pk).exists()


def test_the_list_shows_personas_and_teaches_when_empty(owner: Any, workspace: Any) -> None:
    client = signed_in(owner)
    assert b"jm-empty" in client.get(reverse("persona-list")).content
    Persona.objects.create(workspace=workspace, name="Chị Mai", quote="Tôi muốn nhanh")
    page = client.get(reverse("persona-list")).content.decode()
    assert "Chị Mai" in page
    assert "Tôi muốn nhanh" in page


def test_anonymous_visitor_is_sent_to_sign_in() -> None:
    assert Client().get(reverse("persona-list")).status_code == 302


def test_starting_from_an_example_persona_fills_its_fields(owner: Any, workspace: Any) -> None:
    response = signed_in(owner).post(reverse("persona-list"), {"example": "b2b_it_manager"})
    persona = Persona.objects.get(workspace=workspace)
    assert response["Location"] == reverse("persona-edit", args=[persona.pk])
    assert persona.segment == "b2b"
    assert persona.goals


def test_an_unknown_example_persona_is_not_found(owner: Any, workspace: Any) -> None:
    response = signed_in(owner).post(reverse("persona-list"), {"example": "nope"})
    assert response.status_code == 404
    assert not Persona.objects.exists()
