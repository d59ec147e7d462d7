"""``gongfen backup`` / ``gongfen restore`` on SQLite and PostgreSQL, run as the commands people run.

Each test works on its own workspaces (GONGFEN_HOME) or its own scratch
PostgreSQL databases, never on the test database of the suite. The SQLite
tests run in the SQLite pass of the suite, the PostgreSQL ones in the
PostgreSQL pass (GONGFEN_DATABASE_URL names a server), so each runs once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, IN_CI, database_vendor

BUNDLE = EXAMPLES / "qixi-2026q3.json"
WRITER = """
import sys, time
from datetime import date
from decimal import Decimal
from pathlib import Path

from gongfen.cli import setup

setup()
from gongfen.common import Actor
from gongfen.ledger import services
from gongfen.org.models import Cadre
from gongfen.schemes.models import Rule

stop, started = Path(sys.argv[1]), Path(sys.argv[2])
cadre = Cadre.objects.get(code="A04")
rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
deadline, n = time.monotonic() + 60, 0  # bounded: stops by itself
while not stop.exists() and time.monotonic() < deadline:
    entry = services.entry_declare(
        actor=Actor(None, "writer"), cadre=cadre, rule=rule, occurred_on=date(2026, 8, 3), quantity=Decimal(1)
    )
    services.entry_approve(actor=Actor(None, "reviewer"), entry=entry)
    n += 1
    if n == 3:
        started.touch()
print(n)
"""


@dataclass
class Workspace:
    """One gongfen installation: a GONGFEN_HOME and, for PostgreSQL, its database URL."""

    home: Path
    url: str | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGFEN_")}
        env |= {"GONGFEN_HOME": str(self.home), "DJANGO_SETTINGS_MODULE": "gongfen.settings"}
        if self.url:
            env["GONGFEN_DATABASE_URL"] = self.url
        return env

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "gongfen", *args], env=self.env(), capture_output=True, text=True, timeout=300
        )
        if ok:
            assert result.returncode == 0, f"gongfen {' '.join(args)}: {result.stderr}"
        return result

    def ranks(self) -> list:
        return json.loads(self.run("rank", "--all", "--period", "2026Q3", "--format", "json").stdout)

    def entries(self) -> int:
        code = "from gongfen.cli import setup; setup(); from gongfen.ledger.models import Entry; print(Entry.objects.count())"
        out = subprocess.run([sys.executable, "-c", code], env=self.env(), capture_output=True, text=True, check=True)
        return int(out.stdout)

    def checks_pass(self) -> None:
        """`gongfen check` passes, and `gongfen verify` too where the command exists (the trust log)."""
        self.run("check")
        if has_verify():
            self.run("verify")


def has_verify() -> bool:
    from gongfen.cli import parser

    sub = next(a for a in parser()._actions if a.dest == "command")
    return "verify" in sub.choices


# --- the two databases -------------------------------------------------------------------------------

PG_SERVER = os.environ.get("GONGFEN_DATABASE_URL", "")


def _pg_admin(sql: str) -> None:
    import psycopg

    base = PG_SERVER.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(sql)


def _scratch_name(suffix: str) -> str:
    return f"{os.environ.get('GONGFEN_TEST_DATABASE_NAME', 'test_gongfen')}_{suffix}"


@pytest.fixture(params=[database_vendor()])
def kind(request) -> str:
    if request.param == "postgresql":
        import shutil

        missing = [t for t in ("pg_dump", "pg_restore") if shutil.which(t) is None]
        if missing and not IN_CI:
            pytest.skip(f"needs the PostgreSQL client tools ({', '.join(missing)})")
    return request.param


@pytest.fixture
def workspaces(kind, tmp_path) -> Iterator[callable]:
    """``make(name)``: a new, empty workspace (a new SQLite file, or a new scratch PostgreSQL database)."""
    made: list[str] = []

    def make(name: str) -> Workspace:
        if kind == "sqlite":
            return Workspace(tmp_path / name)
        db = _scratch_name(f"bk_{name}")
        _pg_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{db}"')
        made.append(db)
        return Workspace(tmp_path / name, PG_SERVER.rsplit("/", 1)[0] + f"/{db}")

    yield make
    for db in made:
        _pg_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture
def source(workspaces) -> Workspace:
    ws = workspaces("source")
    ws.run("load", str(BUNDLE))
    return ws


# --- the tests ------------------------------------------------------------------------------------


def test_backup_and_restore_into_an_empty_database_gives_the_same_rankings(source, workspaces, tmp_path):
    before = source.ranks()
    backup = tmp_path / "nightly.backup"
    done = source.run("backup", str(backup))
    assert backup.is_file() and backup.stat().st_size > 0 and "已备份" in done.stdout
    target = workspaces("restored")
    result = target.run("restore", str(backup))
    assert "已恢复" in result.stdout
    target.checks_pass()
    assert target.ranks() == before
    assert target.entries() == source.entries()


def test_backup_while_another_process_keeps_writing(source, workspaces, tmp_path):
    """The backup is one consistent snapshot: restored, its totals equal a recomputation (and the log verifies)."""
    stop, started = tmp_path / "stop", tmp_path / "started"
    first = source.entries()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop), str(started)],
        env=source.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), writer.stderr.read() if writer.poll() is not None else "writer did not start"
        backup = tmp_path / "online.backup"
        source.run("backup", str(backup))
        time.sleep(0.3)  # the writer goes on after the backup
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=90)
    assert writer.returncode == 0, err
    written = int(out.strip())
    target = workspaces("restored")
    target.run("restore", str(backup))
    target.checks_pass()
    in_backup = target.entries()
    assert first + 3 <= in_backup <= first + written
    assert source.entries() == first + written
    source.checks_pass()


def test_restore_refuses_a_database_that_is_not_empty(source, tmp_path):
    backup = tmp_path / "b.backup"
    source.run("backup", str(backup))
    before = source.entries()
    result = source.run("restore", str(backup), ok=False)
    assert result.returncode == 1
    assert "不是空库" in result.stderr and "not empty" in result.stderr
    assert source.entries() == before


def test_a_corrupt_backup_is_refused_and_changes_nothing(source, workspaces, tmp_path):
    good = tmp_path / "good.backup"
    source.run("backup", str(good))
    data = good.read_bytes()
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(data[: len(data) // 2])
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"this is not a backup\n" * 100)
    target = workspaces("target")
    target.run("init")  # a freshly made, empty workspace
    for bad in (garbage, truncated):
        result = target.run("restore", str(bad), ok=False)
        assert result.returncode == 1, result.stderr
        assert "错误 (error)" in result.stderr and "Traceback" not in result.stderr
        assert target.entries() == 0
    target.run("restore", str(good))  # still empty, so the good one goes in
    target.checks_pass()


def test_backup_never_overwrites_a_file(source, tmp_path):
    existing = tmp_path / "keep.backup"
    existing.write_bytes(b"yesterday")
    result = source.run("backup", str(existing), ok=False)
    assert result.returncode == 1 and "已存在" in result.stderr
    assert existing.read_bytes() == b"yesterday"
    missing = source.run("restore", str(tmp_path / "nope.backup"), ok=False)
    assert missing.returncode == 1 and "找不到备份文件" in missing.stderr
