"""Templates: Chinese headers, a frozen header row, drop-down lists, an example row, instructions; filled in, they import.

The example rows come from the workspace (valid there); one left as it was is skipped by the import.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongfen import cli
from gongfen.evaluations.models import Ballot
from gongfen.interchange.excel import KINDS, import_apply, import_plan, template_bytes
from gongfen.ledger.models import Entry
from gongfen.org.models import Cadre, Post, Unit
from gongfen.schemes.models import RankingGroup, Rule, Scheme
from tests.factories import example_bundle, load
from tests.interchange.test_broken_bundles import snapshot
from tests.web_fixtures import *  # noqa: F403

from .conftest import CLI, headers, workbook

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_template_has_headers_lists_an_example_and_instructions(kind):
    load(example_bundle())
    book = load_workbook(io.BytesIO(template_bytes(kind)))
    spec = KINDS[kind]
    assert book.sheetnames == [s.name for s in spec.sheets] + ["填写说明", "选项"]
    assert book["选项"].sheet_state == "hidden"
    for sheet in spec.sheets:
        ws = book[sheet.name]
        assert [c.value for c in ws[1]] == [c.header for c in sheet.columns]
        assert ws.freeze_panes == "A2"
        assert ws.max_row == 2  # the example row
    main = book[spec.main.name]
    lists = {str(dv.sqref).split(":")[0][:-1]: dv.formula1 for dv in main.data_validations.dataValidation}
    if kind == "units":
        assert lists["C"].startswith("'选项'!$B$2")  # 单位类型 from the hidden list (column A: the example rows)
        assert [c.value for c in book["选项"]["B"]][1:3] == ["县", "乡镇"]
        assert "QX" in [c.value for c in book["选项"]["H"]]  # the units of the workspace
    instructions = " ".join(str(c.value) for row in book["填写说明"].iter_rows() for c in row if c.value)
    assert "必填" in instructions


def test_a_filled_in_template_imports(tmp_path):
    load(example_bundle())
    book = load_workbook(io.BytesIO(template_bytes("units")))
    ws = book["单位"]
    ws.delete_rows(2)
    ws.append(["QX-NEW", "齐溪镇新村", "村", "QX"])
    path = tmp_path / "units.xlsx"
    book.save(path)
    plan = import_plan("units", path, CLI)
    assert plan.ok and plan.created == {"units": 1}
    import_apply(plan, CLI)
    from gongfen.org.models import Unit

    assert Unit.objects.get(code="QX-NEW").parent.code == "QX"


def test_rules_go_into_an_existing_scheme_named_on_the_command_line(tmp_path, capsys):
    load(example_bundle())
    rows = [
        headers("rules", "赋分标准"),
        ["QX-2026", "NEW-1", "防汛值守", "日常工作", 1.5, "次", None, "否", None, "是"],
    ]
    path = tmp_path / "rules.xlsx"
    path.write_bytes(workbook({"赋分标准": rows}))
    assert cli.main(["import", "rules", str(path), "--scheme", "QX-2026", "--dry-run"]) == 0
    assert "rules: 新增 1" in capsys.readouterr().out and not Rule.objects.filter(code="NEW-1").exists()
    assert cli.main(["import", "rules", str(path), "--scheme", "QX-2026"]) == 0
    rule = Rule.objects.get(code="NEW-1")
    assert (str(rule.points), rule.category, rule.evidence_required) == ("1.5000", "routine", True)
    assert Rule.objects.filter(scheme__code="QX-2026").count() == 9  # the others are kept
    assert cli.main(["import", "rules", str(path), "--scheme", "KH-2026"]) == 1
    assert "与指定的方案 KH-2026 不符" in capsys.readouterr().err


# --- example rows from the workspace ----------------------------------------------------------------


def example_row(book, sheet: str) -> dict[str, object]:
    ws = book[sheet]
    return dict(zip([c.value for c in ws[1]], [c.value for c in ws[2]], strict=True))


def without_marks(data: bytes, path) -> None:
    """The template as if its example rows were data (its fingerprints gone): what the importer makes of them."""
    book = load_workbook(io.BytesIO(data))
    ws = book["选项"]
    assert ws["A1"].value == "示例行"
    for row in range(2, ws.max_row + 1):
        ws.cell(row, 1).value = None
    book.save(path)


def test_the_example_rows_name_codes_of_the_workspace():
    load(example_bundle())
    book = load_workbook(io.BytesIO(template_bytes("entries")))
    row = example_row(book, "工分明细")
    scheme = Scheme.objects.get(code=row["方案编码"])  # QX-2026 here; KH-QX-2026 in the demo county
    assert Rule.objects.filter(scheme=scheme, code=row["规则编码"]).exists()
    assert Cadre.objects.filter(code=row["干部编码"]).exists() and row["编号"] is None
    assert Entry.objects.filter(cadre__code=row["干部编码"], rule__code=row["规则编码"]).exists()
    rules = load_workbook(io.BytesIO(template_bytes("rules")))
    assert example_row(rules, "考核方案")["方案编码"] == example_row(rules, "赋分标准")["方案编码"] == "QX-2026"
    assert RankingGroup.objects.filter(code=example_row(rules, "排名组")["排名组编码"]).exists()
    units = example_row(load_workbook(io.BytesIO(template_bytes("units"))), "单位")
    assert Unit.objects.get(code=units["单位编码"]).parent.code == units["上级单位编码"]
    cadre = example_row(load_workbook(io.BytesIO(template_bytes("cadres"))), "干部任职")
    assert Post.objects.filter(cadre__code=cadre["干部编码"], unit__code=cadre["任职单位编码"]).count() == 1
    ballot = example_row(load_workbook(io.BytesIO(template_bytes("ballots"))), "测评票")
    assert Ballot.objects.filter(cadre__code=ballot["干部编码"], scheme__code=ballot["方案编码"]).exists()


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_example_row_is_valid_in_the_workspace_it_came_from(kind, tmp_path):
    """Read as data, each template's example rows pass every check of a dry run."""
    load(example_bundle())
    path = tmp_path / f"{kind}.xlsx"
    without_marks(template_bytes(kind), path)
    plan = import_plan(kind, path, CLI)
    assert plan.ok, [str(p) for p in plan.problems]
    assert plan.rows == len(KINDS[kind].sheets)  # one example row per sheet, each read as data


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_example_row_left_as_it_was_is_not_imported(kind, tmp_path, capsys):
    load(example_bundle())
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(template_bytes(kind))
    before = snapshot()
    plan = import_plan(kind, path, CLI)
    main = KINDS[kind].main.name
    assert [str(p) for p in plan.problems] == [
        f"工作表「{main}」：工作表没有数据行：第 2 行是模板的示例行，原样保留时不导入，请在其下填写"
    ]
    assert cli.main(["import", kind, str(path), "--dry-run"]) == cli.EXIT_INVALID
    assert "示例行" in capsys.readouterr().err
    assert snapshot() == before


def test_rows_added_under_the_example_import_and_the_example_is_skipped(tmp_path, capsys):
    load(example_bundle())
    book = load_workbook(io.BytesIO(template_bytes("entries")))
    ws = book["工分明细"]
    example = [c.value for c in ws[2]]
    ws.append([None, *example[1:5], 3, None, "新填的一行", None, None, None])  # the example's codes, 3 items
    path = tmp_path / "filled.xlsx"
    book.save(path)
    before = Entry.objects.count()
    assert cli.main(["import", "entries", str(path)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "第 2 行是模板的示例行（原样未改），未导入" in out and "entries: 新增 1" in out
    assert Entry.objects.count() == before + 1
    assert Entry.objects.filter(description="新填的一行", quantity=3).exists()


def test_an_edited_example_row_is_imported_like_any_other(tmp_path):
    load(example_bundle())
    book = load_workbook(io.BytesIO(template_bytes("entries")))
    ws = book["工分明细"]
    ws.cell(2, 8).value = "改过的示例行"  # 工作内容
    path = tmp_path / "edited.xlsx"
    book.save(path)
    plan = import_plan("entries", path, CLI)
    assert plan.ok and plan.created == {"entries": 1} and not any("示例行" in n for n in plan.notes)


def test_an_empty_workspace_gets_the_fixed_examples_and_skips_them_too(tmp_path):
    path = tmp_path / "entries.xlsx"
    data = template_bytes("entries")
    path.write_bytes(data)
    assert example_row(load_workbook(io.BytesIO(data)), "工分明细")["方案编码"] == "QX-2026"  # nothing to take
    plan = import_plan("entries", path, CLI)
    assert len(plan.problems) == 1 and "第 2 行是模板的示例行" in str(plan.problems[0])  # not "unknown scheme"


def test_a_unit_administrator_downloads_examples_from_their_own_units(county, login):
    client = login("tc_admin")
    response = client.get(reverse("interchange:template", args=["cadres"]))
    assert response.status_code == 200
    row = example_row(load_workbook(io.BytesIO(response.content)), "干部任职")
    assert row["任职单位编码"] == "TC" and row["干部编码"] == "A07"  # not a cadre of 齐溪镇
