"""Production settings pass ``manage.py check --deploy`` with no warning, in a fresh process as an
operator would run it; plain HTTP is reported (so the check is not vacuous), and a weak secret key
is refused at start by the settings themselves (issue 14, finding 9): not only by ``check --deploy``,
which nobody may run, but by every command, ``gongfen serve`` included."""

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
    """As docs/admin-guide.md deploys it: a strong key and the address people open."""
    key = secrets.token_urlsafe(50)
    result = check_deploy(tmp_path, GONGFEN_SECRET_KEY=key, GONGFEN_BASE_URL="https://gongfen.example.gov.cn")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr
    without_address = check_deploy(tmp_path, GONGFEN_SECRET_KEY=key)
    assert without_address.returncode != 0 and "gongfen.W001" in without_address.stdout + without_address.stderr


def test_a_weak_key_is_refused_at_start_and_plain_http_fails_the_check(tmp_path):
    for key, why in (
        ("k" * 50, "只用了 1 种字符"),
        ("abcd" * 20, "只用了 4 种字符"),
        (secrets.token_urlsafe(30), "至少需要 50 个"),
        ("django-insecure-" + secrets.token_urlsafe(50), "占位密钥"),
    ):
        weak = check_deploy(tmp_path, GONGFEN_SECRET_KEY=key)
        assert weak.returncode != 0 and "GONGFEN_SECRET_KEY 太弱" in weak.stderr and why in weak.stderr, weak.stderr
        assert key not in weak.stderr  # the key itself is never printed
    plain = check_deploy(tmp_path, GONGFEN_SECRET_KEY=secrets.token_urlsafe(50), GONGFEN_HTTPS="0")
    assert plain.returncode != 0 and "security.W012" in plain.stderr


def test_the_development_settings_share_the_policy_and_the_lock_out():
    """What is not only for production: the lock-out, the CSP, cookie flags and log hygiene."""
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.X_FRAME_OPTIONS == "DENY"
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["redact"]
