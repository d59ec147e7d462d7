"""What-if (方案试算): the "after" board is what adopting the draft and re-scoring would rank; nothing is kept."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps

from gongfen import cli
from gongfen.analytics.whatif import period_codes, whatif_replay
from gongfen.common import Actor, DomainError
from gongfen.interchange.validate import BundleInvalid
from gongfen.ledger.services import rule_rescore
from gongfen.rankings.selectors import group_by_code, group_ranking
from gongfen.schemes.models import Rule, Scheme
from gongfen.scoring import ranking_as_dict
from gongfen.trust.selectors import log_verify
from tests.factories import example_bundle, load

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned"),
]
NOW = datetime(2026, 10, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def draft_bundle() -> dict:
    """The qixi scheme with 驻村 worth double (cap 40), 交办 worth 4, 差错 −14, weights 0.6/0.4 and a wider 一档."""
    bundle = example_bundle()
    scheme = copy.deepcopy(bundle["schemes"][0])
    for rule in scheme["rules"]:
        if rule["code"] == "Z-DAY":
            rule["points"], rule["cap"] = "1", "40"
        if rule["code"] == "R-TASK":
            rule["points"] = "4"
        if rule["code"] == "D-ERR":
            rule["points"] = "-14"
    scheme["weights"] = {"quantitative": "0.6", "qualitative": "0.4"}
    scheme["tiers"][0]["cumulative"] = "0.4"
    return {"format": bundle["format"], "schemes": [scheme]}


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


def run(*args, capsys=None) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr() if capsys else ("", "")
    return code, out, err


def test_after_board_equals_rank_once_the_draft_is_adopted_and_rescored(tmp_path, capsys):
    load(example_bundle())
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(draft_bundle(), ensure_ascii=False), encoding="utf-8")
    counts, log = row_counts(), log_verify()
    assert log.intact

    code, out, _ = run("whatif", "--scheme", draft, "--periods", "2026Q3", "--format", "json", capsys=capsys)
    assert code == 0
    result = json.loads(out)
    assert result["changed_rules"] == ["D-ERR", "R-TASK", "Z-DAY"]
    # the database is as it was: every table's rows, and the tamper-evident log
    assert row_counts() == counts
    after_log = log_verify()
    assert after_log.intact and (after_log.size, after_log.root) == (log.size, log.root)

    scheme = Scheme.objects.get(code="QX-2026")
    replay = whatif_replay(actor=Actor.cli(), scheme=scheme, draft=draft_bundle()["schemes"][0], periods=["2026Q3"])
    (board,) = replay.boards
    assert ranking_as_dict(board.before) != ranking_as_dict(board.after)  # the draft changes the board
    assert row_counts() == counts

    # now adopt the draft for real and re-score the rules it changed: `gongfen rank` gives the "after" board
    load(draft_bundle())
    for code_ in replay.changed_rules:
        rule_rescore(actor=Actor.cli(), rule=Rule.objects.get(scheme=scheme, code=code_), reason="采用新方案")
    code, out, _ = run("rank", "--group", "QX-ALL", "--period", "2026Q3", "--format", "json", capsys=capsys)
    assert code == 0
    assert json.loads(out) == json.loads(json.dumps(ranking_as_dict(board.after), ensure_ascii=False))
    # and the json of the what-if said the same, person by person
    adopted = {row["cadre"]: row for row in json.loads(out)["rows"]}
    for change in result["boards"][0]["changes"]:
        assert change["after"]["rank"] == adopted[change["cadre"]]["rank"]
        assert change["after"]["tier"] == adopted[change["cadre"]]["tier"]


def test_summary_and_moves(capsys):
    load(example_bundle())
    replay = whatif_replay(
        actor=Actor.cli(),
        scheme=Scheme.objects.get(code="QX-2026"),
        draft=draft_bundle()["schemes"][0],
        periods=["2026Q3"],
        k=0,
    )
    (board,) = replay.boards
    moved = [c for c in board.changes if c.rank_delta]
    assert board.big_moves == len(moved) > 0  # k = 0: every move is "more than k"
    tiers = sum(c.tier_changed for c in board.changes)
    assert replay.summary == (f"{tiers} 人档次变化，{board.entered_top} 人进入一档，{len(moved)} 人名次变动超过 0 位")
    assert board.tier_counts("after")[0] > board.tier_counts("before")[0]  # 一档 is wider in the draft


def test_a_draft_the_loader_refuses_is_refused_with_its_path_and_changes_nothing(tmp_path, capsys):
    load(example_bundle())
    bad = draft_bundle()
    bad["schemes"][0]["rules"][2]["points"] = "-1"  # a 驻村 rule cannot take points away
    draft = tmp_path / "bad.json"
    draft.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    counts = row_counts()
    code, _, err = run("whatif", "--scheme", draft, "--periods", "2026Q3", capsys=capsys)
    assert code == 1
    assert "$.schemes[0].rules[2]" in err
    assert row_counts() == counts
    with pytest.raises(BundleInvalid):
        whatif_replay(
            actor=Actor.cli(), scheme=Scheme.objects.get(code="QX-2026"), draft=bad["schemes"][0], periods=["2026Q3"]
        )


def test_the_table_and_the_workbook(tmp_path, capsys):
    from openpyxl import load_workbook

    load(example_bundle())
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(draft_bundle(), ensure_ascii=False), encoding="utf-8")
    code, out, _ = run("whatif", "--scheme", draft, "--periods", "2026Q3", capsys=capsys)
    assert code == 0 and "人档次变化" in out and "齐溪镇全体干部" in out
    book = tmp_path / "试算.xlsx"
    code, out, _ = run(
        "whatif", "--scheme", draft, "--periods", "2026Q3", "--format", "xlsx", "--output", book, capsys=capsys
    )
    assert code == 0
    wb = load_workbook(book)
    assert wb.sheetnames == ["试算汇总", "QX-ALL-2026Q3"]
    sheet = wb["QX-ALL-2026Q3"]
    assert [c.value for c in sheet[2]][:4] == ["编码", "姓名", "原名次", "新名次"]
    assert sheet.max_row == 2 + len(group_ranking(group_by_code("QX-ALL"), "2026Q3").rows)


def test_period_ranges():
    assert period_codes("2026Q1..2026Q3") == ["2026Q1", "2026Q2", "2026Q3"]
    assert period_codes("2026Q3, 2026Q1") == ["2026Q3", "2026Q1"]
    for bad in ("", "2026Q3..2026Q1", "2025Q4..2026Q1", "2026Q5"):
        with pytest.raises(DomainError):
            period_codes(bad)


def test_a_stored_scheme_as_the_draft(capsys):
    from gongfen.org.models import Unit
    from gongfen.schemes.services import scheme_derive

    load(example_bundle())
    template = Scheme.objects.get(code="QX-2026")
    scheme_derive(
        actor=Actor.cli(),
        template=template,
        unit=Unit.objects.get(code="QX"),
        code="QX-2027",
        name="齐溪镇2027年细则",
        year=2027,
    )
    code, out, _ = run(
        "whatif", "--scheme", "QX-2027", "--onto", "QX-2026", "--periods", "2026Q3", "--format", "json", capsys=capsys
    )
    assert code == 0
    result = json.loads(out)
    assert result["changed_rules"] == [] and result["summary"].startswith("0 人档次变化")
    assert all(c["rank_change"] == 0 for c in result["boards"][0]["changes"])
    code, _, err = run("whatif", "--scheme", "QX-2027", "--periods", "2026Q3", capsys=capsys)
    assert code == 2 and "--onto" in err
