"""Production settings pass ``manage.py check --deploy`` with no warning, in a fresh process as an
operator would run it; a weak key or plain HTTP is reported (so the check is not vacuous)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from django.conf import settings

from tests.conftest import ROOT

GONGFEN = ROOT / ".venv" / "bin" / "gongfen"


def check_deploy(tmp_path, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GONGFEN_", "DJANGO_"))}
    base |= {"DJANGO_SETTINGS_MODULE": "gongfen.settings_production", "GONGFEN_HOME": str(tmp_path)}
    command = [str(GONGFEN)] if GONGFEN.exists() else [sys.executable, "-m", "gongfen"]
    return subprocess.run(
        [*command, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_with_no_warning(tmp_path):
    result = check_deploy(tmp_path, GONGFEN_SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_a_weak_key_or_plain_http_fails_the_check(tmp_path):
    weak = check_deploy(tmp_path, GONGFEN_SECRET_KEY="k" * 50)
    assert weak.returncode != 0 and "security.W009" in weak.stderr
    plain = check_deploy(tmp_path, GONGFEN_SECRET_KEY=secrets.token_urlsafe(50), GONGFEN_HTTPS="0")
    assert plain.returncode != 0 and "security.W012" in plain.stderr


def test_the_development_settings_share_the_policy_and_the_lock_out():
    """What is not only for production: the lock-out, the CSP, cookie flags and log hygiene."""
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.X_FRAME_OPTIONS == "DENY"
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["redact"]
