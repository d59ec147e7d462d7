"""`gongfen serve` runs a real WSGI server (waitress) that serves pages and its own static files."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = {**os.environ, "GONGFEN_HOME": str(tmp_path), "GONGFEN_DATABASE_URL": f"sqlite:///{tmp_path / 's.sqlite3'}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gongfen", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/login/", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None:
                pytest.fail(f"gongfen serve exited: {proc.stdout.read()}")
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_serve_answers_pages_and_static_files(server):
    page = urllib.request.urlopen(server + "/login/", timeout=5)
    assert page.status == 200 and "登录" in page.read().decode()
    assert page.headers["Server"] == "gongfen"
    for asset in ("/static/gongfen/app.css", "/static/gongfen/app.js", "/static/django_htmx/htmx-2.min.js"):
        response = urllib.request.urlopen(server + asset, timeout=5)
        assert response.status == 200 and len(response.read()) > 100, asset
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(server + "/", timeout=5)
    assert redirect.value.code == 302 and "/login/" in redirect.value.headers["Location"]
