"""The ``gongfen`` command: exit codes, messages and output formats, in-process and as a real process.

In-process calls of :func:`gongfen.cli.main` use the test database. The
subprocess tests run ``python -m gongfen`` (what the console script runs) on a
fresh SQLite file in a temporary GONGFEN_HOME; migrations apply themselves on
first use.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import sqlite3
import subprocess
import sys
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest

from gongfen import cli
from gongfen.audit.models import AuditEvent
from gongfen.ledger.models import Entry, EntryKind, EntryStatus, RuleTotal
from gongfen.schemes.models import Rule, RuleVersion
from tests.conftest import EXAMPLES, load_json
from tests.factories import example_bundle
from tests.interchange.test_broken_bundles import snapshot

QIXI = EXAMPLES / "qixi-2026q3.json"
KH = EXAMPLES / "kh-heads-2026.json"
CSV_HEADER = [
    "排名组",
    "期间",
    "名次",
    "干部编码",
    "姓名",
    "档次",
    "工分",
    "工分折算",
    "定性评价",
    "综合得分",
    "一票否决",
    "措施",
    "在组天数",
]


# --- helpers -------------------------------------------------------------------------------


def run(capsys, *args: str) -> tuple[int, str, str]:
    """``gongfen ARGS`` in this process: (exit code, stdout, stderr)."""
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def write_bundle(path: Path, bundle) -> Path:
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    return path


def broken_qixi() -> tuple[dict, list[str]]:
    """The example with four problems, and their paths."""
    bundle = example_bundle()
    bundle["entries"][3]["rule"] = "S-NOPE"
    bundle["cadres"][1]["posts"][0]["end"] = "2023-12-31"
    bundle["schemes"][0]["rules"][0]["cap"] = "10"
    bundle["ballots"][0]["grade"] = "极好"
    return bundle, ["$.entries[3].rule", "$.cadres[1].posts[0].end", "$.schemes[0].rules[0].cap", "$.ballots[0].grade"]


def gongfen(home: Path, *args, db: str = "gongfen.sqlite3") -> subprocess.CompletedProcess:
    """``python -m gongfen ARGS`` on the SQLite file ``home/db``; output decoded as UTF-8."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGFEN_", "DJANGO_"))}
    env.update(GONGFEN_HOME=str(home), GONGFEN_DATABASE_URL=f"sqlite:///{home / db}", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "gongfen", *[str(a) for a in args]],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )


def text(stream: bytes) -> str:
    return stream.decode("utf-8")


# --- load ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_exits_0_and_reports_what_it_loaded(capsys):
    code, out, err = run(capsys, "load", QIXI)
    assert code == cli.EXIT_OK, err
    assert "entries: +16" in out and "cadres: +8" in out and "sha256 " in out
    assert Entry.objects.filter(kind=EntryKind.NORMAL).count() == 16
    event = AuditEvent.objects.get(action="bundle.load")
    assert event.actor_label.startswith("cli:") and event.after["source"] == "qixi-2026q3.json"


@pytest.mark.django_db
def test_load_of_a_broken_bundle_exits_1_lists_every_problem_and_loads_nothing(capsys, tmp_path):
    assert run(capsys, "load", QIXI)[0] == cli.EXIT_OK
    bundle, paths = broken_qixi()
    before = snapshot()
    code, out, err = run(capsys, "load", write_bundle(tmp_path / "broken.json", bundle))
    assert code == cli.EXIT_INVALID
    assert out == ""
    assert "未导入任何数据" in err
    lines = err.splitlines()
    for path in paths:
        assert any(line.strip().startswith(f"{path}: ") for line in lines), f"{path} not on stderr:\n{err}"
    assert snapshot() == before


@pytest.mark.django_db
def test_load_of_a_missing_file_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "load", tmp_path / "nowhere.json")
    assert code == cli.EXIT_USAGE
    assert "nowhere.json" in err


# --- rank: errors -----------------------------------------------------------------------------


@pytest.fixture
def qixi(capsys):
    assert run(capsys, "load", QIXI)[0] == cli.EXIT_OK


@pytest.fixture
def qixi_and_kh(capsys):
    assert run(capsys, "load", QIXI)[0] == cli.EXIT_OK
    assert run(capsys, "load", KH)[0] == cli.EXIT_OK


@pytest.mark.django_db
def test_rank_of_an_unknown_group_exits_2_with_a_clear_message(qixi, capsys):
    code, out, err = run(capsys, "rank", "--group", "NOPE", "--period", "2026Q3")
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert "没有排名组 NOPE" in err
    assert "Traceback" not in err


@pytest.mark.django_db
@pytest.mark.parametrize("period", ["2026Q5", "2026-07", "2026Q0", "2026q3", "Q3", "2026Q3Q4", ""])
@pytest.mark.parametrize("who", [["--group", "QX-ALL"], ["--all"]], ids=["group", "all"])
def test_rank_with_a_malformed_period_exits_2(qixi, capsys, who, period):
    code, out, err = run(capsys, "rank", *who, "--period", period)
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert "期间格式错误" in err and repr(period) in err
    assert "Traceback" not in err


@pytest.mark.django_db
@pytest.mark.parametrize("period", ["2025Q3", "2027Q1", "2025Q4"])
@pytest.mark.parametrize("who", [["--group", "QX-ALL"], ["--all"]], ids=["group", "all"])
def test_rank_of_a_period_outside_the_schemes_year_exits_2(qixi, capsys, who, period):
    code, out, err = run(capsys, "rank", *who, "--period", period)
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert period in err
    if who[0] == "--group":
        assert "2026" in err  # names the scheme's year


@pytest.mark.django_db
def test_rank_all_in_an_empty_workspace_exits_2(capsys):
    code, out, err = run(capsys, "rank", "--all", "--period", "2026Q3")
    assert code == cli.EXIT_USAGE
    assert out == "" and "2026Q3" in err


# --- rank: formats --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rank_json_is_the_expected_ranking(qixi, capsys):
    code, out, _ = run(capsys, "rank", "--group", "QX-ALL", "--period", "2026Q3", "--format", "json")
    assert code == cli.EXIT_OK
    assert json.loads(out) == load_json(EXAMPLES / "qixi-2026q3.expected.json")


@pytest.mark.django_db
def test_rank_csv_has_a_bom_chinese_headers_and_one_line_per_row(qixi, capsys):
    code, out, _ = run(capsys, "rank", "--group", "QX-ALL", "--period", "2026Q3", "--format", "csv")
    assert code == cli.EXIT_OK
    assert out.startswith("\ufeff排名组,")
    body = out.removeprefix("\ufeff")
    assert body.endswith("\r\n") and body.count("\r\n") == 1 + 6 + 1  # header, 6 ranked, 1 unranked
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert rows[0] == CSV_HEADER
    assert len(rows) == 8 and all(len(r) == len(CSV_HEADER) for r in rows)
    assert rows[1] == [
        "QX-ALL",
        "2026Q3",
        "1",
        "A01",
        "甲一",
        "一档",
        "99.50",
        "100.00",
        "91.43",
        "97.43",
        "",
        "首位推荐",
        "92",
    ]
    assert rows[6] == [
        "QX-ALL",
        "2026Q3",
        "6",
        "A05",
        "甲五",
        "四档",
        "55.00",
        "55.28",
        "100.00",
        "68.70",
        "是",
        "末位回炉",
        "92",
    ]
    assert rows[7] == ["QX-ALL", "2026Q3", "不排名", "A06", "甲六", "", "", "", "", "", "", "", "21"]
    assert [r[3] for r in rows[1:7]] == ["A01", "A02", "A04", "A03", "A08", "A05"]


@pytest.mark.django_db
def test_rank_table_shows_the_group_and_the_cadres_names(qixi, capsys):
    code, out, _ = run(capsys, "rank", "--group", "QX-ALL", "--period", "2026Q3", "--format", "table")
    assert code == cli.EXIT_OK
    assert "齐溪镇全体干部" in out and "QX-ALL" in out and "2026Q3" in out and "共 6 人" in out
    for name in ["甲一", "甲二", "甲三", "甲四", "甲五", "甲八"]:
        assert name in out
    assert "甲七" not in out  # A07 is in 桐村镇, not in the group
    assert "A06 甲六（21 天）" in out  # unranked, with days
    assert "97.43" in out and "首位推荐" in out and "末位回炉" in out


@pytest.mark.django_db
def test_rank_all_ranks_every_group(qixi_and_kh, capsys):
    code, out, _ = run(capsys, "rank", "--all", "--period", "2026Q3", "--format", "json")
    assert code == cli.EXIT_OK
    rankings = json.loads(out)
    assert isinstance(rankings, list)
    assert [r["group"] for r in rankings] == ["KH-TH", "QX-ALL"]
    assert all(r["period"] == "2026Q3" for r in rankings)
    assert rankings[0] == load_json(EXAMPLES / "kh-heads-2026q3.expected.json")

    code, out, _ = run(capsys, "rank", "--all", "--period", "2026Q2", "--format", "csv")
    assert code == cli.EXIT_OK
    groups = {row[0] for row in list(csv.reader(io.StringIO(out.removeprefix("\ufeff"), newline="")))[1:]}
    assert groups == {"KH-TH", "QX-ALL"}

    code, out, _ = run(capsys, "rank", "--all", "--period", "2026Q3", "--format", "table")
    assert code == cli.EXIT_OK
    assert "齐溪镇全体干部" in out and "全县乡镇长" in out


@pytest.mark.django_db
def test_rank_all_writes_a_list_even_for_one_group(qixi, capsys):
    """--all always writes a list (its shape never depends on the data); --group writes one ranking."""
    code, out, _ = run(capsys, "rank", "--all", "--period", "2026Q3", "--format", "json")
    assert code == cli.EXIT_OK
    assert json.loads(out) == [load_json(EXAMPLES / "qixi-2026q3.expected.json")]


# --- check and rescore -------------------------------------------------------------------------


@pytest.mark.django_db
def test_check_says_the_totals_agree(qixi_and_kh, capsys):
    code, out, _ = run(capsys, "check")
    assert code == cli.EXIT_OK
    assert "一致" in out


@pytest.mark.django_db
def test_check_reports_a_total_that_disagrees(qixi, capsys):
    total = RuleTotal.objects.get(cadre__code="A01", rule__code="R-TASK", period="2026Q3")
    RuleTotal.objects.filter(pk=total.pk).update(amount=total.amount + 1)
    code, _, err = run(capsys, "check")
    assert code == cli.EXIT_INVALID
    assert "不一致" in err and "4.5" in err and "5.5" in err


def quantitative(capsys) -> dict[str, str]:
    code, out, _ = run(capsys, "rank", "--group", "QX-ALL", "--period", "2026Q3", "--format", "json")
    assert code == cli.EXIT_OK
    return {r["cadre"]: r["quantitative"] for r in json.loads(out)["rows"]}


@pytest.mark.django_db
def test_rescore_after_a_bundle_changes_a_rules_points(qixi, capsys, tmp_path):
    before = quantitative(capsys)
    assert before == {"A01": "99.50", "A02": "77.00", "A04": "69.00", "A03": "45.78", "A08": "38.78", "A05": "55.00"}
    bundle = example_bundle()
    bundle["schemes"][0]["rules"][3]["points"] = "2"  # R-TASK 完成交办事项: 1.5 → 2 per item
    changed = write_bundle(tmp_path / "rule.json", {"format": bundle["format"], "schemes": bundle["schemes"]})
    assert run(capsys, "load", changed)[0] == cli.EXIT_OK

    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    assert (rule.version, str(rule.points)) == (2, "2.0000")
    assert RuleVersion.objects.filter(rule=rule).count() == 2
    assert AuditEvent.objects.filter(action="rule.update", object_id="QX-2026/R-TASK").exists()
    # approved entries keep the points they were granted
    assert Entry.objects.get(code="E05").points == Decimal("1.5")
    assert quantitative(capsys) == before

    code, out, _ = run(capsys, "rescore", "--scheme", "QX-2026", "--rule", "R-TASK", "--reason", "细则修订")
    assert code == cli.EXIT_OK
    assert "re-scored 6 entries" in out
    # +0.5 per item: A01 ×3, A02 ×6, A04 ×6, A03 ×4, A08 ×2, A05 ×10
    assert quantitative(capsys) == {
        "A01": "101.00",
        "A02": "80.00",
        "A04": "72.00",
        "A03": "47.78",
        "A08": "39.78",
        "A05": "60.00",
    }
    old, new = Entry.objects.get(code="E05"), Entry.objects.get(code="E05~S2")
    assert old.status == EntryStatus.REVOKED and old.reversals.filter(kind=EntryKind.REVERSAL).count() == 1
    assert (new.kind, new.status, new.rule_version, new.amount) == (EntryKind.RESCORE, EntryStatus.APPROVED, 2, 6)
    event = AuditEvent.objects.get(action="rule.rescore")
    assert event.object_id == "QX-2026/R-TASK" and event.reason == "细则修订" and len(event.after["entries"]) == 6
    assert run(capsys, "check")[0] == cli.EXIT_OK
    # a second rescore finds nothing left to do
    code, out, _ = run(capsys, "rescore", "--scheme", "QX-2026", "--rule", "R-TASK", "--reason", "again")
    assert code == cli.EXIT_OK and "re-scored 0 entries" in out


@pytest.mark.django_db
def test_rescore_of_an_unknown_rule_exits_2(qixi, capsys):
    code, _, err = run(capsys, "rescore", "--scheme", "QX-2026", "--rule", "NOPE", "--reason", "x")
    assert code == cli.EXIT_USAGE
    assert "NOPE" in err


# --- dump ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dump_to_standard_output_is_a_bundle(qixi, capsys):
    code, out, _ = run(capsys, "dump")
    assert code == cli.EXIT_OK
    bundle = json.loads(out)
    assert bundle["format"] == "gongfen-bundle/1"
    assert {e["id"] for e in bundle["entries"]} == {f"E{i:02d}" for i in range(1, 17)}


@pytest.mark.django_db
def test_dump_then_load_into_a_fresh_database_ranks_the_same(qixi_and_kh, capsys, tmp_path):
    """Both examples, plus a re-scored rule and a revoked veto, survive dump → load (a separate process)."""
    bundle = example_bundle()
    bundle["schemes"][0]["rules"][3]["points"] = "2"
    bundle["entries"][13]["status"] = "revoked"  # E14, A05's veto
    assert run(capsys, "load", write_bundle(tmp_path / "later.json", bundle))[0] == cli.EXIT_OK
    assert run(capsys, "rescore", "--scheme", "QX-2026", "--rule", "R-TASK", "--reason", "修订")[0] == cli.EXIT_OK
    dump = tmp_path / "dump.json"
    assert run(capsys, "dump", dump)[0] == cli.EXIT_OK
    here = {}
    for period in ("2026Q2", "2026Q3"):
        code, out, _ = run(capsys, "rank", "--all", "--period", period, "--format", "json")
        assert code == cli.EXIT_OK
        here[period] = json.loads(out)
    assert [r["group"] for r in here["2026Q3"]] == ["KH-TH", "QX-ALL"]
    assert here["2026Q2"][0] == load_json(EXAMPLES / "kh-heads-2026q2.expected.json")
    assert here["2026Q3"][0] == load_json(EXAMPLES / "kh-heads-2026q3.expected.json")

    home = tmp_path / "home"
    loaded = gongfen(home, "load", dump, db="fresh.sqlite3")
    assert loaded.returncode == 0, text(loaded.stderr)
    for period in ("2026Q2", "2026Q3"):
        ranked = gongfen(home, "rank", "--all", "--period", period, "--format", "json", db="fresh.sqlite3")
        assert ranked.returncode == 0, text(ranked.stderr)
        assert json.loads(ranked.stdout) == here[period]
    again = gongfen(home, "dump", db="fresh.sqlite3")
    assert json.loads(again.stdout) == json.loads(dump.read_text(encoding="utf-8"))  # a fixed point


# --- the real process ------------------------------------------------------------------------


def database_state(path: Path) -> dict[str, list]:
    """Every row of every table of a SQLite file."""
    with closing(sqlite3.connect(path)) as db:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        # sorted here, not by rowid: the votes table has none (evaluations/0003_votes_without_rowid)
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}


def test_the_command_in_a_process(tmp_path):
    home = tmp_path / "home"
    loaded = gongfen(home, "load", QIXI)
    assert loaded.returncode == 0, text(loaded.stderr)
    assert "entries: +16" in text(loaded.stdout)
    before = database_state(home / "gongfen.sqlite3")
    assert len(before["ledger_entry"]) == 16

    bundle, paths = broken_qixi()
    broken = gongfen(home, "load", write_bundle(tmp_path / "broken.json", bundle))
    assert broken.returncode == 1
    err = text(broken.stderr)
    for path in paths:
        assert f"  {path}: " in err, err
    assert "Traceback" not in err
    (tmp_path / "x.json").write_text("{oops", encoding="utf-8")
    not_json = gongfen(home, "load", tmp_path / "x.json")
    assert not_json.returncode == 1
    assert "$: " in text(not_json.stderr) and "invalid JSON" in text(not_json.stderr)
    assert "Traceback" not in text(not_json.stderr)
    assert database_state(home / "gongfen.sqlite3") == before  # nothing loaded

    unknown = gongfen(home, "rank", "--group", "NOPE", "--period", "2026Q3")
    assert unknown.returncode == 2 and "没有排名组 NOPE" in text(unknown.stderr)

    as_csv = gongfen(home, "rank", "--group", "QX-ALL", "--period", "2026Q3", "--format", "csv")
    assert as_csv.returncode == 0
    assert as_csv.stdout.startswith(b"\xef\xbb\xbf")  # the UTF-8 BOM, for Excel
    rows = list(csv.reader(io.StringIO(as_csv.stdout.decode("utf-8-sig"), newline="")))
    assert rows[0] == CSV_HEADER and len(rows) == 8
    assert as_csv.stdout.count(b"\r\n") == 8

    table = gongfen(home, "rank", "--group", "QX-ALL", "--period", "2026Q3")
    assert table.returncode == 0 and "齐溪镇全体干部" in text(table.stdout) and "甲一" in text(table.stdout)


# --- settings --------------------------------------------------------------------------------


def python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GONGFEN_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-c", code], env=base | env, capture_output=True, text=True, timeout=60, check=False
    )


def test_production_settings_need_a_secret_key(tmp_path):
    code = "import gongfen.settings_production as s; print(s.DEBUG, s.SECRET_KEY)"
    without = python(code, {"GONGFEN_HOME": str(tmp_path)})
    assert without.returncode != 0
    assert "ImproperlyConfigured" in without.stderr and "GONGFEN_SECRET_KEY" in without.stderr
    key = secrets.token_urlsafe(50)
    with_key = python(code, {"GONGFEN_HOME": str(tmp_path), "GONGFEN_SECRET_KEY": key})
    assert with_key.returncode == 0, with_key.stderr
    assert with_key.stdout.split() == ["False", key]


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path, django_db_blocker):
    """A file database opened with the project's settings (the test database itself lives in memory)."""
    from django.db.utils import ConnectionHandler

    from gongfen.settings import database_config

    handler = ConnectionHandler({"default": database_config(f"sqlite:///{tmp_path / 'wal.sqlite3'}")})
    connection = handler["default"]
    try:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 5000
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    finally:
        handler.close_all()


# --- holidays ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_holidays_load_then_list(capsys, tmp_path):
    from gongfen.publication.models import Holiday

    path = tmp_path / "h.csv"
    path.write_text("日期,上班/休息,名称\n2026-10-01,休息,国庆节\n2026-10-10,上班,国庆节调休上班\n", encoding="utf-8")
    code, out, _ = run(capsys, "holidays", "load", path)
    assert code == 0 and "新增 2" in out
    assert Holiday.objects.count() == 2
    code, out, _ = run(capsys, "holidays", "list", "--year", "2026")
    assert code == 0
    assert out.splitlines() == ["2026-10-01  周四  休息  国庆节", "2026-10-10  周六  上班  国庆节调休上班"]
    code, out, _ = run(capsys, "holidays", "list", "--year", "2027")
    assert code == 0 and "没有记录节假日" in out


@pytest.mark.django_db
def test_holidays_load_is_all_or_nothing_with_line_numbers(capsys, tmp_path):
    from gongfen.publication.models import Holiday

    path = tmp_path / "bad.csv"
    path.write_text("2026-10-01,休息,国庆节\n2026-10-32,休息,国庆节\n2026-10-03,休,国庆节\n", encoding="utf-8")
    before = AuditEvent.objects.count()
    code, out, err = run(capsys, "holidays", "load", path)
    assert code == 1 and out == ""
    assert "有 2 处错误，未导入任何日期" in err
    assert "第 2 行：日期 '2026-10-32'" in err and "第 3 行：第二列应为“上班”或“休息”" in err
    assert Holiday.objects.count() == 0 and AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_holidays_load_of_the_official_json_and_of_a_missing_file(capsys, tmp_path):
    from gongfen.publication.holidays import OFFICIAL_2026
    from gongfen.publication.models import Holiday

    code, out, _ = run(capsys, "holidays", "load", OFFICIAL_2026)
    assert code == 0 and "新增 39" in out and Holiday.objects.filter(day__year=2026).count() == 39
    code, _, err = run(capsys, "holidays", "load", tmp_path / "nope.csv")
    assert code == 2 and "找不到文件" in err


def test_a_new_workspace_starts_from_a_kept_migrated_copy_and_ranks_the_same(tmp_path):
    """The first new SQLite workspace is migrated and an empty copy kept; the next starts from it (workspace.py)."""
    templates = tmp_path / "templates"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGFEN_", "DJANGO_"))}
    env.update(GONGFEN_TEMPLATE_DIR=str(templates), PYTHONIOENCODING="utf-8")

    def gongfen_in(home: Path, *args) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "gongfen", *[str(a) for a in args]],
            env=env | {"GONGFEN_HOME": str(home)},
            capture_output=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, text(done.stderr)
        return done

    rankings, migrations = [], []
    for name in ("first", "second"):
        home = tmp_path / name
        loaded = gongfen_in(home, "load", EXAMPLES / "majin-2026q3.json")
        assert "新建工作区" in text(loaded.stdout)
        ranked = gongfen_in(home, "rank", "--group", "MJ-ALL", "--period", "2026Q3", "--format", "json")
        rankings.append(json.loads(ranked.stdout))
        migrations.append(len(database_state(home / "gongfen.sqlite3")["django_migrations"]))
        assert len(list(templates.glob("workspace-*.sqlite3"))) == 1
    assert rankings[0] == rankings[1] == load_json(EXAMPLES / "majin-2026q3.expected.json")
    assert migrations[0] == migrations[1] > 0
    kept = next(templates.glob("workspace-*.sqlite3"))
    applied = database_state(kept)["django_migrations"]  # the second was copied: the same rows, times and all
    assert database_state(tmp_path / "second" / "gongfen.sqlite3")["django_migrations"] == applied
    assert database_state(kept)["schemes_scheme"] == []  # kept empty, before anything was loaded
