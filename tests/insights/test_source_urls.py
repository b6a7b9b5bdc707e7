"""An insight's source link is an http(s) URI stored normalised (issue 24): quotes, angle
brackets, spaces and other unsafe characters percent-encoded, by the API and the form alike;
what is no web address is refused with the project's error format."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from insights.models import Insight

pytestmark = pytest.mark.django_db

HOSTILE = 'https://example.com/?q="><svg/onload=alert(1)>'
ENCODED = "https://example.com/?q=%22%3E%3Csvg/onload=alert(1)%3E"


def url(workspace: Any) -> str:
    return f"/api/workspaces/{workspace.pk}/insights/"


def test_quotes_and_angle_brackets_are_stored_percent_encoded(
    member: Any, workspace: Any, client_for: Any
) -> None:
    response = client_for(member).post(
        url(workspace), {"kind": "survey", "text": "x", "source_url": HOSTILE}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["source_url"] == ENCODED
    assert Insight.objects.get().source_url == ENCODED


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (
            "  https://Example.COM/báo cáo/Q4 2026?x=a b  ",
            ("https://example.com/b%C3%A1o%20c%C3%A1o/Q4%202026?x=a%20b"),
        ),
        ("https://bücher.de/it's", "https://xn--bcher-kva.de/it%27s"),
        ("https://example.com/100%/%41", "https://example.com/100%25/%41"),
        ("https://analytics.example.com/report/1", "https://analytics.example.com/report/1"),
    ],
)
def test_a_link_is_normalised_once_and_stays_as_given_when_already_clean(
    typed: str, stored: str, member: Any, workspace: Any, client_for: Any
) -> None:
    client = client_for(member)
    body = {"kind": "survey", "text": "x", "source_url": typed}

    first = client.post(url(workspace), body, format="json").json()["source_url"]
    again = client.post(url(workspace), {**body, "source_url": first}, format="json")

    assert first == stored
    assert again.json()["source_url"] == stored


@pytest.mark.parametrize(
    "typed",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.com/report.pdf",
        'https://exa"mple.com/',
        "https://example.com:99999/",
        "https://example.com/\x00",
        "example.com/no-scheme",
        "not a link",
    ],
)
def test_what_is_no_web_address_is_refused_with_a_clear_error(
    typed: str, member: Any, workspace: Any, client_for: Any
) -> None:
    response = client_for(member).post(
        url(workspace), {"kind": "survey", "text": "x", "source_url": typed}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "http" in body["message"]
    assert list(body["details"]) == ["source_url"]
    assert not Insight.objects.exists()


def test_an_edit_follows_the_same_rule(member: Any, workspace: Any, client_for: Any) -> None:
    insight = Insight.objects.create(workspace=workspace, kind="survey", text="x")
    client = client_for(member)

    patched = client.patch(f"/api/insights/{insight.pk}/", {"source_url": HOSTILE}, format="json")
    refused = client.patch(
        f"/api/insights/{insight.pk}/", {"source_url": "javascript:x"}, format="json"
    )

    assert patched.json()["source_url"] == ENCODED
    assert refused.status_code == 400
    insight.refresh_from_db()
    assert insight.source_url == ENCODED


def test_the_form_stores_the_link_as_the_api_does(member: Any, workspace: Any) -> None:
    client = Client()
    client.force_login(member)
    new = f"/workspaces/{workspace.pk}/insights/new/"

    client.post(new, {"kind": "survey", "text": "một", "source_url": HOSTILE})
    client.post(new, {"kind": "survey", "text": "hai", "source_url": "example.com/a b"})
    refused = client.post(new, {"kind": "survey", "text": "ba", "source_url": "javascript:x"})

    assert Insight.objects.get(text="một").source_url == ENCODED
    assert Insight.objects.get(text="hai").source_url == "https://example.com/a%20b"
    assert refused.status_code == 200
    assert "https://" in refused.content.decode()  # the error says what to type
    assert not Insight.objects.filter(text="ba").exists()


def test_links_stored_before_the_rule_are_normalised_by_the_migration(workspace: Any) -> None:
    migration = importlib.import_module("insights.migrations.0002_source_urls_normalised")
    hostile = Insight.objects.create(
        workspace=workspace, kind="survey", text="a", source_url=HOSTILE
    )
    ftp = Insight.objects.create(
        workspace=workspace, kind="survey", text="b", source_url="ftp://files.example.com/a b"
    )
    clean = Insight.objects.create(
        workspace=workspace, kind="survey", text="c", source_url="https://example.com/x"
    )

    migration.normalise(apps, None)

    for insight in (hostile, ftp, clean):
        insight.refresh_from_db()
    assert hostile.source_url == ENCODED
    assert ftp.source_url == "ftp://files.example.com/a%20b"
    assert clean.source_url == "https://example.com/x"
