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
    subprocess.run([sys.executable, "-m", "gongfen", "init"], env=env, check=True, capture_output=True, timeout=120)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gongfen", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base, proc)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def wait_until_up(base: str, proc, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return urllib.request.urlopen(base + "/login/", timeout=2)
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # TimeoutError: a busy machine
            if proc.poll() is not None:
                pytest.fail(f"gongfen serve exited with {proc.returncode}")
            time.sleep(0.3)
    pytest.fail(f"gongfen serve did not answer within {seconds} s")


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


def test_serve_demo_builds_the_county_and_prints_one_login_per_role(tmp_path):
    port = free_port()
    env = {**os.environ, "GONGFEN_HOME": str(tmp_path), "GONGFEN_DATABASE_URL": f"sqlite:///{tmp_path / 'd.sqlite3'}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gongfen", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "http://127.0.0.1" in line:
                break
        output = "".join(lines)
        for username in ("zzb", "qx-admin", "qx-leader", "sk-lead", "qx-cadre"):
            assert username in output
        assert "gongfen-demo-2026" in output
        assert wait_until_up(f"http://127.0.0.1:{port}", proc, seconds=120).status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
