"""Templates: Chinese headers, a frozen header row, drop-down lists, an example row, instructions; filled in, they import."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from gongfen import cli
from gongfen.interchange.excel import KINDS, import_apply, import_plan, template_bytes
from gongfen.schemes.models import Rule
from tests.factories import example_bundle, load

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
        assert lists["C"].startswith("'选项'!$A$2")  # 单位类型 from the hidden list
        assert [c.value for c in book["选项"]["A"]][1:3] == ["县", "乡镇"]
        assert "QX" in [c.value for c in book["选项"]["G"]]  # the units of the workspace
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
