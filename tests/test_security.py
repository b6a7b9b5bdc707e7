"""Production settings pass Django's deployment checks; every page carries a strict CSP."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy_without_warnings():
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-production-secret-key-for-the-deploy-check-0123456789",
        ALLOWED_HOSTS="maps.example.com",
        CSRF_TRUSTED_ORIGINS="https://maps.example.com",
        DATABASE_URL="sqlite:////tmp/journeymap-deploy-check.sqlite3",
    )
    env.pop("REDIS_URL", None)
    # Browser tests set this for Playwright's sync API in-process; a deployment never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_refuse_a_bad_boolean_with_the_variable_name():
    env = dict(os.environ, DEBUG="maybe")
    result = subprocess.run(
        [sys.executable, "-c", "import django; import journeymap.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_settings_refuse_an_unknown_database_scheme():
    env = dict(os.environ, DATABASE_URL="mysql://x@y/z")
    result = subprocess.run(
        [sys.executable, "-c", "import journeymap.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "DATABASE_URL must use one of" in result.stderr


@pytest.mark.django_db
def test_pages_send_a_csp_without_inline_scripts(client):
    response = client.get("/login/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_responses_forbid_sniffing_and_framing(client):
    response = client.get("/login/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
