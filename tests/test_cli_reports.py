"""Commands that say what they did and why (issue 23): ``rescore``, ``dump``, and a missing workspace.

The workspace tests run ``python -m gongfen`` as a user does, on their own GONGFEN_HOME (a SQLite
file in the SQLite pass of the suite, a scratch PostgreSQL database in the PostgreSQL pass), never
on the suite's test database.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from gongfen import cli
from gongfen.publication import services as publication
from tests.conftest import EXAMPLES, database_vendor
from tests.factories import example_bundle
from tests.publication.helpers import ACTOR, publish_q3

QIXI = EXAMPLES / "qixi-2026q3.json"


def run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def changed_rule(tmp_path: Path) -> Path:
    """A bundle that changes R-TASK's points (1.5 → 2): a second version of the rule."""
    bundle = example_bundle()
    bundle["schemes"][0]["rules"][3]["points"] = "2"
    path = tmp_path / "rule.json"
    path.write_text(json.dumps({"format": bundle["format"], "schemes": bundle["schemes"]}), encoding="utf-8")
    return path


@pytest.fixture
def qixi(capsys):
    assert run(capsys, "load", QIXI)[0] == cli.EXIT_OK


# --- rescore --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rescore_of_an_unchanged_rule_says_what_it_looked_at_and_why_nothing_changed(qixi, capsys):
    code, out, _ = run(capsys, "rescore", "--scheme", "QX-2026", "--rule", "R-TASK", "--reason", "细则修订")
    assert code == cli.EXIT_OK
    lines = out.splitlines()
    assert lines[0].startswith("规则 QX-2026/R-TASK 完成交办事项：现行第 1 版，1.5 分/")
    assert lines[1] == "  2026Q3：已通过 6 条 (approved)，按现行版本计分 6 条"
    assert lines[2] == "已按第 1 版重算 0 条记录 (re-scored 0 entries)"
    assert "规则没有改变，都已按现行第 1 版计分" in lines[3] and "not changed since they were granted" in lines[3]


@pytest.mark.django_db
def test_rescore_of_a_period_without_entries_says_so(qixi, capsys):
    code, out, _ = run(
        capsys, "rescore", "--scheme", "QX-2026", "--rule", "R-TASK", "--period", "2026Q4", "--reason", "x"
    )
    assert code == cli.EXIT_OK
    assert "  2026Q4：已通过 0 条 (approved)，按现行版本计分 0 条" in out.splitlines()
    assert "所选期间没有这条规则已通过的记录" in out


@pytest.mark.django_db
def test_rescore_after_a_rule_change_counts_the_older_entries_it_replaces(qixi, capsys, tmp_path):
    assert run(capsys, "load", changed_rule(tmp_path))[0] == cli.EXIT_OK
    code, out, _ = run(capsys, "rescore", "--scheme", "QX-2026", "--rule", "R-TASK", "--reason", "细则修订")
    assert code == cli.EXIT_OK
    assert "现行第 2 版，2 分" in out and "  2026Q3：已通过 6 条 (approved)，按现行版本计分 0 条" in out
    assert "re-scored 6 entries" in out and "原因" not in out


@pytest.mark.django_db
def test_rescore_of_a_final_quarter_says_the_quarter_is_final(qixi, capsys, tmp_path):
    assert run(capsys, "load", changed_rule(tmp_path))[0] == cli.EXIT_OK
    group = publish_q3()
    publication.period_finalize(actor=ACTOR, group=group, period="2026Q3", today=date(2026, 12, 1))
    code, out, _ = run(capsys, "rescore", "--scheme", "QX-2026", "--rule", "R-TASK", "--reason", "细则修订")
    assert code == cli.EXIT_OK
    assert re.search(r"  2026Q3：已通过 \d+ 条 \(approved\)，已定稿，历史不变，不重算", out), out
    assert "re-scored 0 entries" in out and "按旧版本计分的记录都在已定稿的季度" in out


# --- dump -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dump_to_a_file_says_what_it_wrote_and_the_digest_load_will_report(qixi, capsys, tmp_path):
    path = tmp_path / "out.json"
    code, out, err = run(capsys, "dump", path)
    assert code == cli.EXIT_OK and err == ""
    lines = out.splitlines()
    size = path.stat().st_size
    assert lines[0] == f"已写出数据包 (wrote a gongfen-bundle/1 bundle) → {path}，{size:,} bytes"
    assert lines[1] == "  ballots: 15; cadres: 8; entries: 16; groups: 1; posts: 9; rules: 8; schemes: 1; units: 5"
    digest = re.search(r"sha256 ([0-9a-f]{64})", lines[2]).group(1)
    loaded = subprocess.run(
        [sys.executable, "-m", "gongfen", "load", str(path)],
        env=environment(tmp_path / "fresh"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert f"sha256 {digest}" in loaded.stdout  # the same content, whatever the file's layout


@pytest.mark.django_db
def test_dump_to_standard_output_reports_on_standard_error(qixi, capsys):
    code, out, err = run(capsys, "dump")
    assert code == cli.EXIT_OK
    assert json.loads(out)["format"] == "gongfen-bundle/1"  # nothing else on standard output
    assert "已写出数据包 (wrote a gongfen-bundle/1 bundle) → 标准输出" in err and "entries: 16" in err


# --- a workspace that is not there ----------------------------------------------------------------

NEEDS_A_WORKSPACE = [
    ["rank", "--group", "G-QX", "--period", "2026Q3"],
    ["rank", "--all", "--period", "2026Q3"],
    ["check"],
    ["verify"],
    ["dump", "x.json"],
    ["diff", "--scheme", "KH-QX-2026"],
    ["rescore", "--scheme", "KH-QX-2026", "--rule", "R-TASK", "--reason", "x"],
    ["import", "entries", "x.xlsx", "--dry-run"],
    ["export", "entries", "x.xlsx"],
    ["template", "entries", "x.xlsx"],
    ["holidays", "list"],
    ["backup", "x.backup"],
    ["webhooks", "run", "--once"],
    ["jobs", "run", "--once"],
    ["serve", "--port", "1"],
]


def environment(home: Path, url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGFEN_", "DJANGO_"))}
    env |= {"GONGFEN_HOME": str(home), "PYTHONIOENCODING": "utf-8"}
    if url:
        env["GONGFEN_DATABASE_URL"] = url
    return env


def gongfen(env: dict, *args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gongfen", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


sqlite_only = pytest.mark.skipif(database_vendor() != "sqlite", reason="the SQLite pass (a PostgreSQL one below)")
postgres_only = pytest.mark.skipif(database_vendor() != "postgresql", reason="runs in the PostgreSQL pass")


def assert_refused(result: subprocess.CompletedProcess, reason: str) -> None:
    assert result.returncode == cli.EXIT_USAGE, (result.args, result.stdout, result.stderr)
    assert result.stdout == ""
    first, *hints = result.stderr.splitlines()
    assert first.startswith("错误 (error): 这里没有 gongfen 工作区 (no workspace here): ") and reason in first
    assert any("gongfen init" in h for h in hints) and any("gongfen demo" in h for h in hints)
    assert "Traceback" not in result.stderr


@sqlite_only
def test_a_command_on_a_missing_workspace_says_so_and_creates_nothing(tmp_path):
    home = tmp_path / "typo"
    for args in NEEDS_A_WORKSPACE:
        result = gongfen(environment(home), *args, cwd=tmp_path)
        assert_refused(result, f"{home / 'gongfen.sqlite3'} 不存在")
        assert f"GONGFEN_HOME={home}" in result.stderr
        assert not home.exists(), args  # not even the folder or a secret key
    assert list(tmp_path.iterdir()) == []  # nor any file the command would have written


@sqlite_only
def test_init_makes_the_workspace_then_says_it_is_there(tmp_path):
    home = tmp_path / "new"
    made = gongfen(environment(home), "init")
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"已新建工作区 (new workspace): {home / 'gongfen.sqlite3'}\n")
    assert "gongfen load" in made.stdout and "gongfen manage createsuperuser" in made.stdout
    again = gongfen(environment(home), "init")
    assert again.returncode == 0 and again.stdout.startswith("工作区已存在，数据库已是最新 (workspace exists")
    ranked = gongfen(environment(home), "rank", "--all", "--period", "2026Q3")
    assert ranked.returncode == 2 and "没有排名组的考核方案包含期间 2026Q3" in ranked.stderr  # a workspace, empty


@sqlite_only
def test_an_empty_or_foreign_sqlite_file_is_not_a_workspace(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    assert_refused(gongfen(environment(tmp_path, f"sqlite:///{empty}"), "check"), "是空文件 (is an empty file)")
    assert empty.stat().st_size == 0
    foreign = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(foreign)) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
        db.commit()
    before = foreign.read_bytes()
    result = gongfen(environment(tmp_path, f"sqlite:///{foreign}"), "check")
    assert_refused(result, "中没有 gongfen 的数据表 (holds no gongfen tables)")
    assert f"GONGFEN_DATABASE_URL=sqlite:///{foreign}" in result.stderr
    assert foreign.read_bytes() == before


@sqlite_only
def test_load_makes_a_new_workspace_and_says_so_but_not_for_a_missing_file(tmp_path):
    home = tmp_path / "fresh"
    missing = gongfen(environment(home), "load", tmp_path / "nowhere.json")
    assert missing.returncode == cli.EXIT_USAGE and "找不到文件" in missing.stderr and not home.exists()
    loaded = gongfen(environment(home), "load", QIXI)
    assert loaded.returncode == 0, loaded.stderr
    lines = loaded.stdout.splitlines()
    assert lines[0] == f"新建工作区 (new workspace): {home / 'gongfen.sqlite3'}"
    assert lines[1] == "数据包 (bundle): qixi-2026q3.json，格式 (format) gongfen-bundle/1"
    again = gongfen(environment(home), "load", QIXI)
    assert again.returncode == 0 and "新建工作区" not in again.stdout


PG_SERVER = os.environ.get("GONGFEN_DATABASE_URL", "")


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER.rsplit("/", 1)[0] + "/postgres", autocommit=True) as con:
        con.execute(sql)


@postgres_only
def test_an_empty_postgresql_database_is_not_a_workspace_until_init(tmp_path):
    name = f"{os.environ.get('GONGFEN_TEST_DATABASE_NAME', 'test_gongfen')}_noworkspace"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        env = environment(tmp_path, PG_SERVER.rsplit("/", 1)[0] + f"/{name}")
        refused = gongfen(env, "rank", "--group", "G-QX", "--period", "2026Q3")
        assert_refused(refused, "中没有 gongfen 的数据表 (holds no gongfen tables)")
        assert "GONGFEN_DATABASE_URL=postgres" in refused.stderr
        made = gongfen(env, "init")
        assert made.returncode == 0 and made.stdout.startswith("已新建工作区 (new workspace): postgres"), made.stderr
        verified = gongfen(env, "verify")
        assert verified.returncode == 0 and "日志完好" in verified.stdout
        gone = environment(tmp_path, PG_SERVER.rsplit("/", 1)[0] + f"/{name}_absent")
        unreachable = gongfen(gone, "check")
        assert unreachable.returncode == cli.EXIT_INVALID and "无法连接数据库" in unreachable.stderr
        assert "Traceback" not in unreachable.stderr
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
