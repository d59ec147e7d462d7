"""``kill -9`` in the middle of ``gongfen load`` of a large bundle leaves the database exactly as before.

The load runs as a real ``gongfen load`` process against its own database (a
temporary SQLite file; on PostgreSQL runs also a scratch database this test
creates and drops). The database already holds the qixi example, so "as
before" means something. The test waits until the loader's own progress
output shows it midway through the entries (the bar is drawn on standard
error; ``TTY_COMPATIBLE=1`` makes rich draw it into a pipe), sends SIGKILL,
then finds every table's row count unchanged, ``gongfen check`` passing, and
``gongfen verify`` passing where that command exists.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from tests.conftest import EXAMPLES, database_vendor

GONGFEN = [sys.executable, "-m", "gongfen"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PROGRESS = re.compile(r"entries\D*?(\d+)/(\d+)")


@pytest.fixture(scope="module")
def big_bundle(tmp_path_factory) -> Path:
    """The demo county (1,200 cadres, ~44,000 entries, ~38,000 ballots): loading it takes several seconds."""
    from gongfen.demo.generator import build_demo_bundle

    path = tmp_path_factory.mktemp("bundle") / "demo.json"
    path.write_text(json.dumps(build_demo_bundle(seed=2026, cadres=1200), ensure_ascii=False), encoding="utf-8")
    return path


def gongfen(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*GONGFEN, *args], env=env, capture_output=True, text=True, timeout=300, **kwargs)


def environment(home: Path, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGFEN_", "DJANGO_"))}
    return env | {
        "GONGFEN_HOME": str(home),
        "GONGFEN_DATABASE_URL": url,
        "TTY_COMPATIBLE": "1",
        "PYTHONUNBUFFERED": "1",
    }


def kill_midway(env: dict, bundle: Path) -> tuple[int, int]:
    """Start ``gongfen load``; SIGKILL it once its progress shows some but not all entries written."""
    proc = subprocess.Popen([*GONGFEN, "load", str(bundle)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen: list[tuple[int, int]] = []
    midway = threading.Event()

    def watch():
        buffer = ""
        while chunk := proc.stderr.read1(4096):
            buffer = (buffer + ANSI.sub("", chunk.decode("utf-8", "replace")))[-400:]
            for done, total in PROGRESS.findall(buffer):
                if 0 < int(done) < int(total):
                    seen.append((int(done), int(total)))
                    midway.set()

    reader = threading.Thread(target=watch, daemon=True)
    reader.start()
    deadline = time.monotonic() + 240
    while not midway.wait(0.05):
        assert proc.poll() is None, "the load ended before it was seen midway"
        assert time.monotonic() < deadline, "no progress seen"
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL
    reader.join(5)
    return seen[0]


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        counts = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return counts


def postgres_counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as db:
        tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY 1")]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def verify_passes(env: dict) -> None:
    """`gongfen check`, and `gongfen verify` once the tamper-evident log's command exists."""
    check = gongfen(env, "check")
    assert check.returncode == 0, check.stderr
    if gongfen(env, "verify", "--help").returncode == 0:
        verify = gongfen(env, "verify")
        assert verify.returncode == 0, verify.stdout + verify.stderr


def run_kill_test(env: dict, counts, big_bundle: Path) -> None:
    small = gongfen(env, "load", str(EXAMPLES / "qixi-2026q3.json"))
    assert small.returncode == 0, small.stderr
    before = counts()
    assert before["ledger_entry"] == 16 and before["audit_auditevent"] > 0
    done, total = kill_midway(env, big_bundle)
    assert 0 < done < total
    assert counts() == before
    verify_passes(env)
    rank = gongfen(env, "rank", "--group", "QX-ALL", "--period", "2026Q3", "--format", "json")
    assert rank.returncode == 0 and json.loads(rank.stdout)["group"] == "QX-ALL"


def test_sigkill_midway_through_a_load_leaves_sqlite_as_before(tmp_path, big_bundle):
    path = tmp_path / "gongfen.sqlite3"
    env = environment(tmp_path, f"sqlite:///{path}")
    run_kill_test(env, lambda: sqlite_counts(path), big_bundle)


@pytest.mark.postgres
@pytest.mark.skipif(database_vendor() != "postgresql", reason="runs in the PostgreSQL run (GONGFEN_DATABASE_URL)")
def test_sigkill_midway_through_a_load_leaves_postgresql_as_before(tmp_path, big_bundle):
    import psycopg

    server = urlparse(os.environ["GONGFEN_DATABASE_URL"])
    name = f"test_gongfen_kill_{os.getpid()}"
    url = urlunparse(server._replace(path=f"/{name}"))
    admin = urlunparse(server._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        run_kill_test(environment(tmp_path, url), lambda: postgres_counts(url), big_bundle)
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
