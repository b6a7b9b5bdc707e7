"""Map pages: the template gallery and create flow, import, and map settings."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from maps.documents import document_export, map_create
from maps.models import Change, JourneyMap, Stage
from maps.services import apply_ops
from method.library import all_templates, get_template
from personas.models import Persona

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_gallery_shows_every_template_in_the_reader_language(owner: Any, workspace: Any) -> None:
    client = signed_in(owner)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(reverse("map-new")).content.decode()
    for spec in all_templates().values():
        assert f'value="{spec.key}"' in page
        assert spec.names["en"] in page


def test_creating_from_a_template_builds_the_map_and_opens_the_editor(
    owner: Any, workspace: Any
) -> None:
    spec = get_template("buyer_journey_5")
    assert spec is not None
    response = signed_in(owner).post(
        reverse("map-new"),
        {"template": spec.key, "title": "Khách mua online", "language": "vi"},
    )
    journey_map = JourneyMap.objects.get(title="Khách mua online")
    assert response.status_code == 302
    assert response["Location"] == reverse("map-editor", args=[journey_map.pk])
    assert journey_map.stages.count() == len(spec.raw_document["stages"])
    assert journey_map.template == spec.key
    assert Change.objects.filter(map=journey_map).exists()


def test_an_empty_title_takes_the_template_name_in_the_map_language(
    owner: Any, workspace: Any
) -> None:
    spec = get_template("buyer_journey_5")
    assert spec is not None
    signed_in(owner).post(reverse("map-new"), {"template": spec.key, "title": "", "language": "en"})
    journey_map = JourneyMap.objects.get(template=spec.key)
    assert journey_map.title == spec.names["en"]
    assert journey_map.language == "en"


def test_the_blank_template_gives_stages_without_content(owner: Any, workspace: Any) -> None:
    signed_in(owner).post(
        reverse("map-new"), {"template": "blank", "title": "Trống", "language": "vi"}
    )
    journey_map = JourneyMap.objects.get(title="Trống")
    spec = get_template("blank")
    assert spec is not None
    assert journey_map.stages.count() == len(spec.raw_document["stages"])
    assert journey_map.items.count() == 0


def test_a_workspace_template_is_offered_and_builds_the_map(
    owner: Any, template_map: Any, workspace: Any
) -> None:
    from method.workspace_templates import workspace_template_save

    saved = workspace_template_save(
        journey_map=template_map, actor=owner, name_vi="Mẫu của nhóm", name_en="Team template"
    )
    client = signed_in(owner)
    assert "Mẫu của nhóm" in client.get(reverse("map-new")).content.decode()
    client.post(reverse("map-new"), {"template": saved.key, "title": "", "language": "vi"})
    journey_map = JourneyMap.objects.get(title="Mẫu của nhóm")
    assert journey_map.stages.count() == template_map.stages.count()


def test_a_template_saved_in_another_workspace_is_refused(
    owner: Any, outsider: Any, workspace: Any
) -> None:
    from maps.documents import map_create
    from method.workspace_templates import workspace_template_save
    from workspaces.services import workspace_create

    theirs = workspace_create(name="Khác", creator=outsider)
    their_map = map_create(workspace=theirs, actor=outsider, title="Bí mật")
    saved = workspace_template_save(
        journey_map=their_map, actor=outsider, name_vi="Mẫu bí mật", name_en="Secret"
    )
    response = signed_in(owner).post(
        reverse("map-new"), {"template": saved.key, "title": "X", "language": "vi"}
    )
    assert response.status_code == 200
    assert not JourneyMap.objects.filter(workspace=workspace).exists()


def test_an_unknown_template_is_refused(owner: Any, workspace: Any) -> None:
    response = signed_in(owner).post(
        reverse("map-new"), {"template": "nope", "title": "X", "language": "vi"}
    )
    assert response.status_code == 200
    assert not JourneyMap.objects.exists()


def test_importing_an_exported_map_makes_a_copy(owner: Any, template_map: Any) -> None:
    exported = json.dumps(document_export(journey_map=template_map)).encode()
    upload = SimpleUploadedFile("map.json", exported, content_type="application/json")
    response = signed_in(owner).post(reverse("map-import"), {"file": upload})
    assert response.status_code == 302
    copies = JourneyMap.objects.exclude(pk=template_map.pk)
    assert copies.count() == 1
    assert copies.get().stages.count() == template_map.stages.count()


def test_importing_a_file_that_is_not_json_shows_an_error(owner: Any, workspace: Any) -> None:
    upload = SimpleUploadedFile("map.json", b"\xff\xfe not json", content_type="application/json")
    response = signed_in(owner).post(reverse("map-import"), {"file": upload})
    assert response.status_code == 200
    assert b"jm-error" in response.content
    assert not JourneyMap.objects.exists()


def test_importing_json_that_is_not_a_document_changes_nothing(owner: Any, workspace: Any) -> None:
    upload = SimpleUploadedFile("map.json", b'{"format": "other"}', content_type="application/json")
    response = signed_in(owner).post(reverse("map-import"), {"file": upload})
    assert response.status_code == 200
    assert not JourneyMap.objects.exists()


def _settings_data(journey_map: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "title": journey_map.title,
        "objective": journey_map.objective,
        "scenario": journey_map.scenario,
        "type": journey_map.type,
        "audience": journey_map.audience,
        "status": journey_map.status,
        "language": journey_map.language,
        "next_review": "",
    }
    data.update(changes)
    return data


def test_settings_changes_go_through_the_op_log(
    owner: Any, journey_map: Any, workspace: Any
) -> None:
    persona = Persona.objects.create(workspace=workspace, name="Chị Mai")
    before = journey_map.revision
    response = signed_in(owner).post(
        reverse("map-settings", args=[journey_map.pk]),
        _settings_data(
            journey_map,
            objective="Giảm tỉ lệ bỏ giỏ hàng",
            status="in_review",
            next_review="2030-01-15",
            personas=[str(persona.pk)],
        ),
    )
    assert response.status_code == 302
    journey_map.refresh_from_db()
    assert journey_map.objective == "Giảm tỉ lệ bỏ giỏ hàng"
    assert journey_map.status == "in_review"
    assert str(journey_map.next_review) == "2030-01-15"
    assert list(journey_map.personas.all()) == [persona]
    assert journey_map.revision == before + 1
    ops = Change.objects.get(map=journey_map, revision=journey_map.revision).ops
    assert [op["type"] for op in ops] == ["map.update", "persona.attach"]
    assert ops[0]["fields"]["objective"] == "Giảm tỉ lệ bỏ giỏ hàng"


def test_detaching_a_persona_is_a_detach_op(owner: Any, journey_map: Any, workspace: Any) -> None:
    persona = Persona.objects.create(workspace=workspace, name="Anh Tuấn")
    journey_map.personas.add(persona)
    signed_in(owner).post(
        reverse("map-settings", args=[journey_map.pk]), _settings_data(journey_map)
    )
    journey_map.refresh_from_db()
    assert not journey_map.personas.exists()
    last = Change.objects.filter(map=journey_map).order_by("-revision").first()
    assert last is not None
    assert last.ops == [{"type": "persona.detach", "persona": str(persona.pk)}]


def test_saving_unchanged_settings_adds_no_change(owner: Any, journey_map: Any) -> None:
    before = Change.objects.filter(map=journey_map).count()
    signed_in(owner).post(
        reverse("map-settings", args=[journey_map.pk]), _settings_data(journey_map)
    )
    assert Change.objects.filter(map=journey_map).count() == before


def test_settings_refuse_an_unknown_status(owner: Any, journey_map: Any) -> None:
    response = signed_in(owner).post(
        reverse("map-settings", args=[journey_map.pk]), _settings_data(journey_map, status="gone")
    )
    assert response.status_code == 200
    journey_map.refresh_from_db()
    assert journey_map.status == "draft"


def test_settings_of_a_map_are_not_found_for_outsiders(outsider: Any, journey_map: Any) -> None:
    client = signed_in(outsider)
    assert client.get(reverse("map-settings", args=[journey_map.pk])).status_code == 404
    response = client.post(
        reverse("map-settings", args=[journey_map.pk]), _settings_data(journey_map, title="Hacked")
    )
    assert response.status_code == 404
    journey_map.refresh_from_db()
    assert journey_map.title != "Hacked"


def test_a_viewer_reads_settings_but_cannot_save(role_users: Any, journey_map: Any) -> None:
    client = signed_in(role_users["viewer"])
    page = client.get(reverse("map-settings", args=[journey_map.pk]))
    assert page.status_code == 200
    assert b"disabled" in page.content
    response = client.post(
        reverse("map-settings", args=[journey_map.pk]), _settings_data(journey_map, title="Đổi")
    )
    assert response.status_code == 403
    journey_map.refresh_from_db()
    assert journey_map.title != "Đổi"


def test_anonymous_visitor_cannot_open_the_gallery() -> None:
    response = Client().get(reverse("map-new"))
    assert response.status_code == 302


def test_an_owner_deletes_a_map_by_typing_its_title(owner: Any, journey_map: Any) -> None:
    client = signed_in(owner)
    page = client.get(reverse("map-settings", args=[journey_map.pk]))
    assert reverse("map-delete", args=[journey_map.pk]) in page.content.decode()

    response = client.post(
        reverse("map-delete", args=[journey_map.pk]), {"confirm": f"  {journey_map.title} "}
    )

    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert not JourneyMap.objects.filter(pk=journey_map.pk).exists()


def test_a_wrong_title_deletes_nothing(owner: Any, journey_map: Any) -> None:
    response = signed_in(owner).post(
        reverse("map-delete", args=[journey_map.pk]), {"confirm": "something else"}, follow=True
    )

    assert JourneyMap.objects.filter(pk=journey_map.pk).exists()
    assert response.redirect_chain[-1][0] == reverse("map-settings", args=[journey_map.pk])
    assert 'role="alert"' in response.content.decode() or "jm-toast" in response.content.decode()


def test_an_editor_sees_no_delete_and_cannot_delete(role_users: Any, journey_map: Any) -> None:
    client = signed_in(role_users["editor"])
    page = client.get(reverse("map-settings", args=[journey_map.pk]))
    assert reverse("map-delete", args=[journey_map.pk]) not in page.content.decode()

    response = client.post(
        reverse("map-delete", args=[journey_map.pk]), {"confirm": journey_map.title}
    )

    assert response.status_code == 403
    assert JourneyMap.objects.filter(pk=journey_map.pk).exists()


def test_an_outsider_cannot_delete_a_map(outsider: Any, journey_map: Any) -> None:
    response = signed_in(outsider).post(
        reverse("map-delete", args=[journey_map.pk]), {"confirm": journey_map.title}
    )

    assert response.status_code == 404
    assert JourneyMap.objects.filter(pk=journey_map.pk).exists()


def test_the_delete_section_names_the_maps_that_lose_their_sub_journey_link(
    owner: Any, journey_map: Any, workspace: Any
) -> None:
    parent = map_create(workspace=workspace, actor=owner, title="Hành trình tổng")
    stage = str(uuid.uuid4())
    op = {"type": "stage.create", "id": stage, "name": "Mua", "position": "a0"}
    op["subjourney"] = str(journey_map.pk)
    apply_ops(map_id=parent.pk, actor=owner, change_id=uuid.uuid4(), ops=[op])

    page = signed_in(owner).get(reverse("map-settings", args=[journey_map.pk])).content.decode()

    assert "Hành trình tổng" in page
    signed_in(owner).post(
        reverse("map-delete", args=[journey_map.pk]), {"confirm": journey_map.title}
    )
    assert Stage.objects.get(pk=stage).subjourney_id is None
