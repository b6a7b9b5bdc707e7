"""Schemathesis walks every operation of /api/schema/ against the real Django app, in-process.

Signed in by token as the workspace's admin (owner of its maps, so owner-only operations run
too), with a workspace, a map built from a template, a second map, a persona with a photo, an
insight with a source file and link behind one of the map's cards, a share link, a finished
export and another user in the database. Path parameters, query parameters and body fields that
name one of those take the real id most of the time (a random one otherwise), so handlers run
past their 404s; a change body's ops are sometimes ones that apply. Generation covers valid and
invalid input (schemathesis's positive and negative modes).

Every response is checked by every schemathesis check that applies here (CHECKS; the ones left
out and why are listed there): no 500, the status code is documented, the body matches the
documented media type and schema, formats included (a `format: uri` field holds an absolute
URI), documented headers are sent, and authentication is enforced where the schema requires it.
Measured with seed-fixed examples: about 45% of the 1,250 requests succeed (2xx), the rest are
refusals the schema documents.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from PIL import Image
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

# Every check schemathesis has for one request and its response. Left out, as not applicable:
# - use_after_free, ensure_resource_availability: they follow OpenAPI links between
#   operations in the stateful phase; the schema declares no links and the phase is off.
# - unsupported_method, allow_header_conformance: they judge the coverage phase's requests
#   with a method the path does not document; that phase is off (below, for run time), and
#   tests/test_security.py sends those methods itself.
# - object_level_authorization: it needs a second user's credentials configured per operation;
#   tests/test_authorization.py walks every endpoint as an outsider, viewer and commenter.
# - positive_data_acceptance: it expects every schema-valid request to succeed, but OpenAPI
#   cannot state the rules the API enforces on valid-looking input (a right password, no
#   control characters in text, "give either insight or new", a webhook host that resolves,
#   an expiry in the future, a spreadsheet that holds a map); each such refusal is a
#   documented 400 with the project's error body, which the checks above do verify.
# - negative_data_rejection: the hooks below put real ids into generated requests, negative
#   ones included, which turns many of them valid while schemathesis still counts them as
#   invalid; and OpenAPI 3.0 cannot forbid undeclared query parameters, which the API ignores.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    missing_required_header,
    ignored_auth,
]

# The schema endpoint is public and touches no database, so it loads at import time and every
# operation becomes its own test (its own transaction, cache and report line).
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# The coverage phase (every boundary value of every field) sends ~2,700 requests, 600 of them
# to the 27-field persona form: minutes on a shared 2-core machine. Explicit examples plus
# bounded random generation in both modes keep the suite near a minute.
schema.config.phases.update(phases=["examples", "fuzzing"])

# Filled per test by the `world` fixture; the hooks below read it while generating.
PATH_IDS: dict[str, str] = {}
FIELD_VALUES: dict[str, Any] = {}


def _sometimes_real(values: dict[str, Any] | None, real: dict[str, Any]) -> Any:
    """The generated values, or (twice as likely) the same with the known names made real."""
    known = {name: real[name] for name in values or {} if name in real}
    if not known or not isinstance(values, dict):
        return st.just(values)
    return st.sampled_from([{**values, **known}, {**values, **known}, values])


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    return _sometimes_real(path_parameters, PATH_IDS)


@schema.hook
def flatmap_query(context: Any, query: dict[str, Any] | None) -> Any:
    return _sometimes_real(query, FIELD_VALUES)


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    return _sometimes_real(body if isinstance(body, dict) else None, FIELD_VALUES).map(
        lambda value: body if value is None else value
    )


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Django closes "old" connections around each request, which inside a test's transaction
    means the test's own connection; its test Client unhooks that, and so must a raw WSGI call.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _image() -> ContentFile[bytes]:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#6366f1").save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="photo.png")


@pytest.fixture
def world(
    template_map: Any,
    workspace: Any,
    owner: Any,
    member: Any,
    make_user: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    """Real objects for the hooks: path parameters by name, then query and body fields. The
    persona and the insight carry files, so their URLs are in the answers the schema checks."""
    from exports.models import ExportJob
    from insights.models import Insight, InsightLink
    from maps.documents import map_create
    from personas.models import Persona
    from workspaces.models import ShareLink

    settings.MEDIA_ROOT = str(tmp_path)
    persona = Persona.objects.create(workspace=workspace, name="Chị Hoa", created_by=owner)
    persona.photo.save("hoa.png", _image(), save=True)
    template_map.personas.add(persona)
    card = template_map.items.filter(kind="card").first()
    insight = Insight.objects.create(
        workspace=workspace,
        kind="survey",
        text="62% bỏ giỏ vì phí ship",
        source_url="https://example.com/?q=%22%3E%3Csvg/onload=alert(1)%3E",
    )
    insight.source_file.save("chart.png", _image(), save=True)
    InsightLink.objects.create(insight=insight, item=card)
    link = ShareLink.objects.create(
        map=template_map, role=ShareLink.Role.COMMENTER, created_by=owner
    )
    export = ExportJob.objects.create(
        map=template_map, requested_by=owner, format="png", status="done", progress=100
    )
    export.file.save("map.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    future = map_create(workspace=workspace, actor=owner, title="Hành trình tương lai")
    newcomer = make_user("newcomer")
    stage = template_map.stages.first()
    PATH_IDS.clear()
    PATH_IDS.update(
        map_id=str(template_map.pk),
        workspace_id=str(workspace.pk),
        persona_id=str(persona.pk),
        export_id=str(export.pk),
        link_id=str(link.pk),
        user_id=str(member.pk),
        insight_id=str(insight.pk),
        item_id=str(card.pk),
        token=link.token,
        key="b2c_office_worker",
    )
    FIELD_VALUES.clear()
    FIELD_VALUES.update(
        workspace=str(workspace.pk),
        persona=str(persona.pk),
        insight=str(insight.pk),
        owner=owner.username,
        username=newcomer.username,
        email=newcomer.email,
        map=str(future.pk),
        revision=template_map.revision,
        template="buyer_journey_5",
        # A change body's ops: one that applies, so the change path runs to the end too.
        ops=[{"type": "stage.update", "id": str(stage.pk), "fields": {"name": "Cân nhắc"}}],
    )


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same requests on every run: a CI failure reproduces locally
    suppress_health_check=list(HealthCheck),
)
def test_every_api_operation_answers_as_documented(case: Any, owner: Any, world: None) -> None:
    token, _ = Token.objects.get_or_create(user=owner)
    # Rate limits are not under test here (tests/test_limits.py): 25 requests a second would
    # turn most answers into 429s and hide everything else. 429 is documented everywhere.
    cache.clear()
    case.call_and_validate(headers={"Authorization": f"Token {token.key}"}, checks=CHECKS)


def test_the_fuzzer_reaches_real_objects(client_for: Any, owner: Any, world: None) -> None:
    """The hooks' ids are live objects the signed-in user can see, not typos that 404."""
    client = client_for(owner)

    assert client.get(f"/api/maps/{PATH_IDS['map_id']}/").status_code == 200
    assert client.get(f"/api/personas/{PATH_IDS['persona_id']}/").status_code == 200
    assert client.get(f"/api/exports/{PATH_IDS['export_id']}/file/").status_code == 200
    assert client.get(f"/api/share/{PATH_IDS['token']}/").status_code == 200
    assert client.get(f"/api/maps/{FIELD_VALUES['map']}/").status_code == 200
    assert client.get(f"/api/insights/{PATH_IDS['insight_id']}/").status_code == 200
    card = f"/api/maps/{PATH_IDS['map_id']}/items/{PATH_IDS['item_id']}/insights/"
    assert client.post(card, {"insight": PATH_IDS["insight_id"]}, format="json").status_code == 201


def test_the_fuzzed_answers_carry_file_urls_the_schema_calls_uris(
    client_for: Any, owner: Any, world: None
) -> None:
    """So response_schema_conformance checks them: a relative path fails `format: uri`."""
    client = client_for(owner)

    photo = client.get(f"/api/personas/{PATH_IDS['persona_id']}/").json()["photo"]
    source = client.get(f"/api/insights/{PATH_IDS['insight_id']}/").json()["source_file"]

    assert photo.startswith("http://")
    assert source.startswith("http://")
