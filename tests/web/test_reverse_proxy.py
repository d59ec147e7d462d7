"""The documented deployment (issue 14, finding 9): nginx ends TLS on loopback, `gongfen serve` behind it.

The attack: with ``GONGFEN_PROXY_SSL_HEADER=1`` every request looped on a 301, because waitress
dropped the proxy's ``X-Forwarded-Proto`` and Django took every request for plain HTTP. Here a
real nginx (Debian's) with a throw-away certificate proxies to ``gongfen serve`` running the
production settings, as docs/security.md and docs/admin-guide.md describe; through it a user
signs in, declares a piece of work and sees it, every answer carries the security headers, the
plain-HTTP port redirects to HTTPS once, and a client's forged ``X-Forwarded-For`` does not
reach the audit trail. The server's database is SQLite, or a scratch PostgreSQL database on a
PostgreSQL run.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, IN_CI, ROOT, database_vendor

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(
    not Path(NGINX).exists() and not IN_CI, reason="needs Debian's nginx (python3 dev.py test installs it)"
)
SECRET = "x7Jq2-rT9vLm4NpQ8sWz3YbC6dFh1KgE5uA0oRiXtVn_MwPeDyHjUcSlBkGfZa"
PASSWORD = "correct horse battery staple 2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scratch_database(tmp_path: Path, drop: bool = False) -> str:
    """The served database: a SQLite file, or on a PostgreSQL run a scratch database of that server."""
    if database_vendor() != "postgresql":
        return f"sqlite:///{tmp_path / 'served.sqlite3'}"
    import psycopg

    url = os.environ["GONGFEN_DATABASE_URL"]
    name = (os.environ.get("GONGFEN_TEST_DATABASE_NAME") or "test_gongfen") + "_proxy"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop:
            conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


NGINX_CONF = """
worker_processes 1;
{user}
error_log {prefix}/error.log;
pid {prefix}/nginx.pid;
events {{ worker_connections 64; }}
http {{
  access_log {prefix}/access.log;
  client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi; uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
  server {{
    listen 127.0.0.1:{http_port};
    location / {{
      proxy_pass http://127.0.0.1:{app_port};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $remote_addr;
    }}
  }}
  server {{
    listen 127.0.0.1:{https_port} ssl;
    ssl_certificate {prefix}/cert.pem;
    ssl_certificate_key {prefix}/key.pem;
    client_max_body_size 30m;
    location / {{
      proxy_pass http://127.0.0.1:{app_port};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $remote_addr;
    }}
  }}
}}
"""


@pytest.fixture
def deployment(tmp_path):
    """(https base, http base, env of the server): nginx on loopback in front of `gongfen serve`."""
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongfen.settings_production",
        "GONGFEN_SECRET_KEY": SECRET,
        "GONGFEN_HOME": str(tmp_path / "home"),
        "GONGFEN_DATABASE_URL": scratch_database(tmp_path),
        "GONGFEN_ALLOWED_HOSTS": "localhost",
        "GONGFEN_PROXY_SSL_HEADER": "1",
    }
    gongfen = [sys.executable, "-m", "gongfen"]
    subprocess.run([*gongfen, "load", str(EXAMPLES / "qixi-2026q3.json")], env=env, check=True, capture_output=True)
    make_user = (
        "from gongfen.accounts.services import user_create; from gongfen.common import Actor; "
        "from gongfen.org.models import Cadre; "
        f"user_create(actor=Actor(None, 'test'), username='a01', password='{PASSWORD}', "
        "cadre=Cadre.objects.get(code='A01'))"
    )
    subprocess.run([*gongfen, "manage", "shell", "-c", make_user], env=env, check=True, capture_output=True)
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    certificate = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-days", "2"]
    files = ["-keyout", prefix / "key.pem", "-out", prefix / "cert.pem"]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", *certificate, *files],
        check=True,
        capture_output=True,
    )
    user = "user root;" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""
    conf = NGINX_CONF.format(user=user, prefix=prefix, http_port=http_port, https_port=https_port, app_port=app_port)
    (prefix / "nginx.conf").write_text(conf)
    server = subprocess.Popen(
        [*gongfen, "serve", "--port", str(app_port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    proxy = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"https://localhost:{https_port}"
        wait_until_up(base, prefix / "cert.pem", [server, proxy])
        yield base, f"http://localhost:{http_port}", prefix / "cert.pem", env
    finally:
        for process in (proxy, server):
            process.terminate()
            process.wait(timeout=10)
        scratch_database(tmp_path, drop=True)


def wait_until_up(base: str, cert: Path, processes, seconds: float = 90) -> None:
    context = ssl.create_default_context(cafile=str(cert))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"{process.args[0]} exited: {process.stdout.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(base + "/login/", timeout=3, context=context)
            return
        except urllib.error.HTTPError as exc:
            if exc.code != 502:  # 502: nginx is up, gongfen serve not yet
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(f"the deployment did not answer within {seconds} s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies, CSRF and no automatic redirects, over the proxy's TLS."""

    def __init__(self, cert: Path):
        self.jar = http.cookiejar.CookieJar()
        context = ssl.create_default_context(cafile=str(cert))
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), urllib.request.HTTPSHandler(context=context), NoRedirect
        )

    def open(self, url: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Referer": url, **(headers or {})})
        try:
            return self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as exc:  # 3xx (no redirects followed) and errors: the response itself
            return exc

    def cookie(self, name: str):
        return next((c for c in self.jar if c.name == name), None)


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


SECURITY_HEADERS = ("Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options")


def assert_secure(response) -> None:
    headers = response.headers
    for name in SECURITY_HEADERS:
        assert headers.get(name), (name, dict(headers))
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_through_nginx_sign_in_declare_and_the_security_headers_come_through(deployment):
    base, plain, cert, env = deployment
    browser = Browser(cert)
    page = browser.open(base + "/login/")
    assert page.status == 200, page.headers  # no redirect loop: the proxy's https is believed
    assert_secure(page)
    assert browser.cookie("csrftoken").secure
    html = page.read().decode()

    signed_in = browser.open(
        base + "/login/",
        {"csrfmiddlewaretoken": csrf(html), "username": "a01", "password": PASSWORD, "next": ""},
        headers={"X-Forwarded-For": "10.9.9.9"},  # forged by the client: nginx overwrites it
    )
    assert signed_in.status == 302 and signed_in.headers["Location"] == "/", signed_in.read()[:500]
    session = browser.cookie("sessionid")
    assert session is not None and session.secure and session.has_nonstandard_attr("HttpOnly")

    form = browser.open(base + "/ledger/declare/")
    assert form.status == 200
    assert_secure(form)
    html = form.read().decode()
    rule = re.search(r'<option value="(\d+)"[^>]*>R-TASK ', html).group(1)
    declared = browser.open(
        base + "/ledger/declare/",
        {
            "csrfmiddlewaretoken": csrf(html),
            "rule": rule,
            "occurred_on": "2026-08-10",
            "quantity": "2",
            "description": "经反向代理申报",
            "intent": "submit",
        },
    )
    assert declared.status == 302, declared.read()[:2000]
    entry = browser.open(base + declared.headers["Location"])
    assert entry.status == 200 and "经反向代理申报" in entry.read().decode()
    assert_secure(entry)

    redirect = browser.open(plain + "/login/")  # plain HTTP: one redirect to HTTPS (on port 443 in real life)
    assert redirect.status == 301 and redirect.headers["Location"].startswith("https://localhost:")

    audit = (
        "from gongfen.audit.models import AuditEvent; "
        "print(sorted(set(AuditEvent.objects.filter(action='auth.login').values_list('ip', flat=True))))"
    )
    shown = subprocess.run(
        [sys.executable, "-m", "gongfen", "manage", "shell", "-c", audit],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert (
        shown.stdout.strip().splitlines()[-1] == "['127.0.0.1']"
    )  # the proxy's view of the client, not the forged 10.9.9.9
