"""A bad workbook or CSV gets a Chinese list of problems by sheet, row and column, and changes nothing."""

from __future__ import annotations

import io
import os

import pytest
from django.apps import apps
from openpyxl import Workbook

from gongfen import cli
from gongfen.accounts.models import Role, RoleKind, User
from gongfen.common import Actor
from gongfen.interchange.excel import ImportInvalid, import_apply, import_plan
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.org.models import Unit
from tests.factories import example_bundle, load

from .conftest import CLI, entry_row, headers, workbook

pytestmark = pytest.mark.django_db

GOOD = {"cadre": "A01", "scheme": "QX-2026", "rule": "Z-DAY", "occurred_on": "2026-07-20", "quantity": 2}


@pytest.fixture
def qixi():
    load(example_bundle())


def counts() -> dict[str, int]:
    """The row count of every table (every model of every installed app)."""
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


def refused(kind: str, data: bytes, name: str = "x.xlsx", **options) -> list[tuple]:
    """Import ``data``; assert it is refused and changes nothing; the problems as (sheet, row, column, message)."""
    before = counts()
    plan = import_plan(kind, data, CLI, name=name, **options)
    assert plan.problems and not plan.ok
    with pytest.raises(ImportInvalid) as caught:
        import_apply(data, CLI, kind=kind, name=name, **options)
    assert counts() == before
    assert [str(p) for p in caught.value.problems] == [str(p) for p in plan.problems]
    return [(p.sheet, p.row, p.column, p.message) for p in plan.problems]


def entries(*rows: list, header: list | None = None) -> bytes:
    return workbook({"工分明细": [header or headers("entries"), *rows]})


def test_a_missing_required_column_is_named(qixi):
    header = [h for h in headers("entries") if h != "发生日期"]
    row = [v for h, v in zip(headers("entries"), entry_row(**GOOD), strict=True) if h != "发生日期"]
    assert refused("entries", entries(row, header=header)) == [("工分明细", 1, "发生日期", "缺少必填列")]


def test_a_wrong_type_is_reported_at_its_cell(qixi):
    problems = refused("entries", entries(entry_row(**GOOD), entry_row(**GOOD | {"quantity": "很多"})))
    assert problems == [("工分明细", 3, "数量", "应为数字，得到 '很多'")]


def test_a_date_written_as_free_text_is_refused(qixi):
    problems = refused("entries", entries(entry_row(**GOOD | {"occurred_on": "7月20日"})))
    assert problems == [("工分明细", 2, "发生日期", "应为日期单元格或 YYYY-MM-DD 文本，得到 '7月20日'")]


def test_an_unknown_unit_is_found_by_the_loader_and_mapped_back_to_its_row(qixi):
    sheet = [headers("cadres"), ["N01", "新人", "QX", "一般干部", "2026-01-01"], ["N02", "新人二", "NOPE", "一般干部"]]
    sheet[2].append("2026-02-01")
    (problem,) = refused("cadres", workbook({"干部任职": sheet}))
    assert problem[:3] == ("干部任职", 3, "任职单位编码")
    assert "单位 'NOPE' 不存在" in problem[3]


def test_an_unknown_rule_in_an_entry_is_mapped_to_its_row_and_column(qixi):
    (problem,) = refused("entries", entries(entry_row(**GOOD), entry_row(**GOOD | {"rule": "NO-SUCH"})))
    assert problem[:3] == ("工分明细", 3, "规则编码")
    assert "没有规则 'NO-SUCH'" in problem[3]


def test_merged_header_cells_are_refused():
    book = Workbook()
    ws = book.active
    ws.title = "单位"
    ws.append(["单位编码", None, "单位类型", "上级单位编码"])
    ws.merge_cells("A1:B1")
    ws.append(["QX", "齐溪镇", "乡镇", None])
    out = io.BytesIO()
    book.save(out)
    assert refused("units", out.getvalue()) == [
        ("单位", 1, "B", "表头为空（可能是合并单元格）：每列须有自己的表头"),
        ("单位", 1, "单位名称", "缺少必填列"),
    ]


def test_an_empty_sheet_and_a_missing_sheet_are_refused(qixi):
    assert refused("entries", workbook({"工分明细": []})) == [("工分明细", None, "", "工作表为空（没有表头）")]
    assert refused("entries", workbook({"工分明细": [headers("entries")]})) == [
        ("工分明细", None, "", "工作表没有数据行")
    ]
    (problem,) = refused("entries", workbook({"Sheet1": [headers("entries")]}))
    assert problem[:3] == ("工分明细", None, "") and problem[3].startswith("缺少工作表")


def test_fifty_megabytes_of_junk_is_refused_without_reading_it_whole(qixi, tmp_path):
    junk = tmp_path / "junk.xlsx"
    with junk.open("wb") as out:
        for _ in range(50):
            out.write(os.urandom(1 << 20))
    (problem,) = refused("entries", junk.read_bytes(), name="junk.xlsx")
    assert problem[0] == "" and problem[3].startswith("文件不是有效的 Excel 工作簿")
    csv = tmp_path / "junk.csv"
    junk.rename(csv)
    (problem,) = refused("entries", csv.read_bytes(), name="junk.csv")
    assert "既不是 UTF-8 也不是 GB18030" in problem[3]


def test_every_problem_of_a_sheet_is_listed_not_only_the_first(qixi):
    rows = [entry_row(**GOOD | {"cadre": None}), entry_row(**GOOD | {"occurred_on": "昨天", "quantity": "x"})]
    assert refused("entries", entries(*rows)) == [
        ("工分明细", 2, "干部编码", "必填，不能为空"),
        ("工分明细", 3, "发生日期", "应为日期单元格或 YYYY-MM-DD 文本，得到 '昨天'"),
        ("工分明细", 3, "数量", "应为数字，得到 'x'"),
    ]


def test_the_command_line_prints_every_problem_and_exits_1(qixi, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(entries(entry_row(**GOOD | {"quantity": "很多"})))
    before = counts()
    assert cli.main(["import", "entries", str(path)]) == 1
    err = capsys.readouterr().err
    assert "工作表「工分明细」第 2 行「数量」列：应为数字，得到 '很多'" in err
    assert counts() == before


# --- CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_or_gb18030_imports(qixi, encoding):
    text = ",".join(headers("entries")) + "\r\n"
    text += ",A01,QX-2026,Z-DAY,2026/7/21,3,,走访农户，记录民情,,,\r\n"
    plan = import_plan("entries", text.encode(encoding), CLI, name="明细.csv")
    assert plan.ok, plan.problems
    assert plan.created == {"entries": 1}
    import_apply(plan, CLI)
    entry = Entry.objects.get(description="走访农户，记录民情")
    assert (entry.status, str(entry.occurred_on), entry.quantity) == (EntryStatus.PENDING, "2026-07-21", 3)


# --- review and permissions ---------------------------------------------------------------


def test_entries_imported_without_approval_wait_for_review_and_the_plan_says_so(qixi):
    data = entries(entry_row(**GOOD | {"status": "已通过", "id": "X1"}))
    plan = import_plan("entries", data, CLI)
    assert any("待审核" in note for note in plan.notes)
    import_apply(plan, CLI)
    assert Entry.objects.get(code="X1").status == EntryStatus.PENDING
    # importing the same file again leaves the entry alone
    again = import_plan("entries", data, CLI)
    assert again.ok and again.unchanged == {"entries": 1} and not again.created


def test_direct_approval_needs_the_org_admin_or_a_reviewer_in_scope(qixi):
    data = entries(entry_row(**GOOD | {"id": "X2"}))
    unit_admin = User.objects.create_user("dw", password="x")
    Role.objects.create(user=unit_admin, kind=RoleKind.UNIT_ADMIN, unit=Unit.objects.get(code="QX"))
    before = counts()
    (problem,) = import_plan("entries", data, Actor(unit_admin), approve=True).problems
    with pytest.raises(ImportInvalid):
        import_apply(data, Actor(unit_admin), kind="entries", approve=True)
    assert counts() == before
    assert (problem.sheet, problem.column) == ("工分明细", "状态") and "没有直接通过的权限" in problem.message
    reviewer = User.objects.create_user("fg", password="x")
    Role.objects.create(user=reviewer, kind=RoleKind.REVIEWER, unit=Unit.objects.get(code="QX"))
    import_apply(data, Actor(reviewer), kind="entries", approve=True)
    entry = Entry.objects.get(code="X2")
    assert entry.status == EntryStatus.APPROVED and entry.recorded_by == reviewer


def test_a_scheme_whose_weights_do_not_add_up_is_reported_on_its_row(qixi):
    scheme = ["QX-NEW", "新方案", "QX", 2026, 0.6, 0.3, "优秀=95；称职=80", None, "A档=0.3；B档=1"]
    rule = ["QX-NEW", "R1", "值班", "日常工作", 1]
    data = workbook({"考核方案": [headers("rules", "考核方案")[:9], scheme], "赋分标准": [headers("rules")[:5], rule]})
    (problem,) = refused("rules", data)
    assert problem[:3] == ("考核方案", 2, "定量权重") and "1" in problem[3]


def test_progress_is_reported_while_reading_and_writing(qixi):
    calls = []
    rows = [entry_row(**GOOD | {"id": f"P{i}"}) for i in range(3)]
    import_apply(entries(*rows), CLI, kind="entries", progress=lambda *a: calls.append(a))
    assert ("读取「工分明细」", 4, 4) in calls
    assert ("写入 entries", 3, 3) in calls


def test_a_workbook_damaged_inside_is_refused(qixi):
    import zipfile

    good = zipfile.ZipFile(io.BytesIO(entries(*[entry_row(**GOOD | {"id": f"D{i}"}) for i in range(50)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for info in good.infolist():
            data = good.read(info)
            damaged.writestr(info, data[: len(data) // 2] if info.filename.endswith("sheet1.xml") else data)
    (problem,) = refused("entries", out.getvalue())
    assert problem[0] == "" and problem[3].startswith("文件已损坏")


# --- big files: entries are loaded in chunks while the file is read, all in one transaction -----


@pytest.fixture
def small_chunks(monkeypatch):
    from gongfen.interchange.excel import importer

    monkeypatch.setattr(importer, "CHUNK", 2)
    monkeypatch.setattr(importer, "BATCH", 2)


def test_a_chunked_import_loads_every_row_once(qixi, small_chunks):
    from gongfen.ledger.selectors import totals_mismatches

    rows = [entry_row(**GOOD | {"id": f"C{i}", "quantity": i + 1}) for i in range(5)]
    plan = import_apply(entries(*rows), CLI, kind="entries", approve=True, name="big.xlsx")
    assert plan.created == {"entries": 5}
    assert Entry.objects.filter(code__startswith="C", status=EntryStatus.APPROVED).count() == 5
    assert not totals_mismatches()


def test_a_problem_in_a_late_chunk_undoes_the_chunks_already_loaded(qixi, small_chunks):
    rows = [entry_row(**GOOD | {"id": f"C{i}"}) for i in range(5)]
    rows[4][3] = "NO-SUCH"  # 规则编码 of sheet row 6, the third chunk
    (problem,) = refused("entries", entries(*rows), approve=True)
    assert problem[:3] == ("工分明细", 6, "规则编码")


def test_an_id_repeated_in_another_chunk_is_refused(qixi, small_chunks):
    rows = [entry_row(**GOOD | {"id": f"C{i}"}) for i in range(4)] + [entry_row(**GOOD | {"id": "C0"})]
    (problem,) = refused("entries", entries(*rows), approve=True)
    assert problem[:3] == ("工分明细", 6, "编号") and "首次出现在第 2 行" in problem[3]
