"""A provider set up wrongly stops the process at start with the variable's name, as every
other setting does; a complete one puts the OIDC backend first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "OIDC_ISSUER": "https://id.example.com/realms/acme",
    "OIDC_CLIENT_ID": "journeymap",
    "OIDC_CLIENT_SECRET": "s3cret",
}
PRINT = (
    "import journeymap.settings as s; "
    "print(s.AUTHENTICATION_BACKENDS[0], s.OIDC_ALLOWED_DOMAINS, s.OIDC_WORKSPACE_ROLE)"
)


def settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_complete_provider_puts_its_backend_first():
    result = settings_with(**GOOD, OIDC_ALLOWED_DOMAINS="Acme.com, acme.vn", OIDC_WORKSPACE_ROLE="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "accounts_oidc.backends.OIDCBackend",
        "['acme.com',",
        "'acme.vn']",
        "member",
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OIDC_ISSUER": "http://id.example.com"}, "OIDC_ISSUER must use https"),
        ({"OIDC_CLIENT_SECRET": ""}, "OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
        ({"OIDC_WORKSPACE_ROLE": "owner"}, "OIDC_WORKSPACE_ROLE must be admin or member"),
        ({"OIDC_WORKSPACE": "acme"}, "OIDC_WORKSPACE must be a workspace id"),
    ],
)
def test_a_wrong_provider_setting_stops_the_start(env: dict[str, str], message: str):
    result = settings_with(**{**GOOD, **env})
    assert result.returncode != 0
    assert message in result.stderr
