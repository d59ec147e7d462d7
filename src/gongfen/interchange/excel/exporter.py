"""Templates and exports: the same layout (one sheet per part, Chinese headers, frozen header row,
drop-down lists from a hidden 选项 sheet, a 填写说明 sheet), written in openpyxl's write-only mode.

Text that a spreadsheet would run as a formula is written as a text cell (gongfen.cellsafety), with
its value unchanged, so an export imports back to the same text."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gongfen.cellsafety import is_formula_like, xlsx_as_text
from gongfen.evaluations.models import Ballot
from gongfen.org.models import Post, Unit
from gongfen.outputs.xlsx import print_setup
from gongfen.schemes.models import RankingGroup, Rule, Scheme

from ..selectors import _cadres, _entries, _schemes, group_as_bundle
from .columns import KINDS, NO, YES, Column, Kind, SheetSpec, choices, label_of, row_fingerprint
from .examples import MARKS, example_items

LISTS_SHEET, HELP_SHEET = "选项", "填写说明"
FIXED = ("unit_kind", "category", "status", "publish_scope", "bool", "sign")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
EXAMPLE_FONT = Font(italic=True, color="808080")


def _lists() -> dict[str, list[str]]:
    """Every drop-down list: the fixed ones, and those read from the workspace."""
    out = {name: [label for _, label in choices(name)] for name in FIXED}
    out["units"] = list(Unit.objects.order_by("path").values_list("code", flat=True))
    positions = set(Post.objects.values_list("position", flat=True).distinct())
    for rule_positions in Rule.objects.exclude(positions=[]).values_list("positions", flat=True):
        positions.update(rule_positions)
    out["positions"] = sorted(positions)
    grades, classes = [], []
    for scheme in Scheme.objects.order_by("code"):
        grades += [g["name"] for g in scheme.grades if g["name"] not in grades]
        classes += [c["name"] for c in scheme.evaluator_classes if c["name"] not in classes]
    out["grades"], out["classes"] = grades, classes
    return {k: v for k, v in out.items() if v}


def _cell_value(column: Column, value: Any) -> Any:
    """A bundle value as the sheet shows it (the importer reads it back to the same value)."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if column.type == "decimal":
        return Decimal(value)
    if column.type == "date":
        return date.fromisoformat(value) if isinstance(value, str) else value
    if column.type == "bool":
        return YES if value else NO
    if column.type == "choice":
        return label_of(column.choices, value)
    if column.type == "list":
        return "、".join(value)
    if column.type == "pairs":
        if isinstance(value, list):  # tiers
            value = {t["name"]: t.get("cumulative", "") for t in value}
        names = (lambda k: label_of("category", k)) if column.key == "category_caps" else str
        return "；".join(f"{names(k)}={v}" for k, v in value.items())
    return value


def _get(item: dict, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(item, dict):
            return None
        item = item.get(part)
    return item


def _text_cell(ws, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    xlsx_as_text(cell)
    return cell


def _append(ws, values) -> None:
    """``ws.append``, with formula-like text as text cells (``=HYPERLINK(…)`` in a name stays a name)."""
    ws.append([_text_cell(ws, v) if is_formula_like(v) else v for v in values])


class Writer:
    def __init__(self, kind: Kind):
        self.kind = kind
        self.book = Workbook(write_only=True)
        self.lists = _lists()
        self.marks: list[str] = []  # fingerprints of the example rows written (column A of the lists sheet)
        self.list_refs = {  # column A holds the marks, the lists follow
            name: f"'{LISTS_SHEET}'!${get_column_letter(i + 2)}$2:${get_column_letter(i + 2)}${len(values) + 1}"
            for i, (name, values) in enumerate(self.lists.items())
        }

    def sheet(self, spec: SheetSpec, items, examples: list[dict] | None = None) -> None:
        """A sheet of ``items``; with ``examples`` (a list, maybe empty: the fixed examples) an example row first."""
        ws = self.book.create_sheet(spec.name)
        ws.freeze_panes = "A2"
        widths = [max(12, len(column.header) * 2 + 4) for column in spec.columns]
        print_setup(ws, widths, title_rows=1, footer_left=f"{self.kind.label} · {spec.name}")
        for i, column in enumerate(spec.columns):
            ws.column_dimensions[get_column_letter(i + 1)].width = widths[i]
            ref = self.list_refs.get(column.lists)
            if ref:
                fixed = column.lists in FIXED and column.type != "list"
                dv = DataValidation(
                    type="list",
                    formula1=ref,
                    allow_blank=True,
                    showErrorMessage=True,
                    errorStyle="stop" if fixed else "warning",
                    error=f"请从列表中选择{column.header}",
                )
                dv.add(f"{get_column_letter(i + 1)}2:{get_column_letter(i + 1)}1048576")
                ws.data_validations.append(dv)
        _append(ws, [self._header(ws, c) for c in spec.columns])
        if examples is not None:
            for values in examples or [{c.key: c.example for c in spec.columns}]:
                if examples:
                    values = {c.key: _cell_value(c, _get(values, c.key)) for c in spec.columns}
                _append(ws, [self._example(ws, values[c.key]) for c in spec.columns])
                self.marks.append(row_fingerprint(spec.name, {c.header: values[c.key] for c in spec.columns}))
        for item in items:
            _append(ws, [_cell_value(c, _get(item, c.key)) for c in spec.columns])

    @staticmethod
    def _header(ws, column: Column) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        xlsx_as_text(cell)
        return cell

    @staticmethod
    def _example(ws, value: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.font = EXAMPLE_FONT
        xlsx_as_text(cell)
        return cell

    def finish(self) -> bytes:
        help_ws = self.book.create_sheet(HELP_SHEET)
        help_ws.column_dimensions["A"].width = 24
        help_ws.column_dimensions["B"].width = 90
        print_setup(help_ws, [24, 90], title_rows=0, footer_left=HELP_SHEET)
        _append(help_ws, [f"{self.kind.label}导入表 填写说明"])
        for note in (
            *self.kind.notes,
            "灰色斜体为示例行（仅模板中有），编码取自下载模板的工作区；原样保留时导入会跳过它，改动后按普通行导入。",
            "第一行是表头，请勿修改或合并。",
        ):
            _append(help_ws, ["", note])
        for spec in self.kind.sheets:
            _append(help_ws, [])
            _append(help_ws, [f"工作表「{spec.name}」", "（可选）" if spec.optional else ""])
            for c in spec.columns:
                text = ("必填。" if c.required else "选填。") + c.note
                _append(help_ws, [c.header, text])
        lists_ws = self.book.create_sheet(LISTS_SHEET)
        lists_ws.sheet_state = "hidden"
        names = list(self.lists)
        _append(lists_ws, [MARKS, *names])
        longest = max([len(self.marks), *(len(v) for v in self.lists.values())])
        columns = [self.marks, *(self.lists[n] for n in names)]
        for i in range(longest):
            _append(lists_ws, [values[i] if i < len(values) else None for values in columns])
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def _items(kind: str, scheme: str | None, period: str | None) -> dict[str, list[dict]]:
    """The rows of each sheet, as the bundle dump writes them (so an export loads back the same)."""
    if kind == "units":
        units = Unit.objects.select_related("parent").order_by("path")
        return {
            "单位": [
                {"code": u.code, "name": u.name, "kind": u.kind, "parent": u.parent and u.parent.code} for u in units
            ]
        }
    if kind == "cadres":
        rows = []
        for cadre in _cadres():
            base = {"code": cadre["code"], "name": cadre["name"]}
            rows += [base | post for post in cadre["posts"]] or [base]
        return {"干部任职": rows}
    if kind == "rules":
        schemes = [s for s in _schemes() if scheme in (None, s["code"])]
        groups = RankingGroup.objects.select_related("scheme", "select_unit").prefetch_related("publish_units")
        if scheme:
            groups = groups.filter(scheme__code=scheme)
        return {
            "考核方案": schemes,
            "排名组": [group_as_bundle(g) for g in groups.order_by("code")],
            "赋分标准": [{"scheme": s["code"], **r} for s in schemes for r in s["rules"]],
        }
    if kind == "entries":
        entries = (e for e in _entries() if scheme in (None, e["scheme"]))
        if period:
            from gongfen.ledger.models import Entry

            codes = set(Entry.objects.filter(period=period).values_list("code", flat=True))
            entries = (e for e in entries if e["id"] in codes)
        return {"工分明细": list(entries)}
    ballots = Ballot.objects.order_by("scheme__code", "period", "cadre__code", "id")
    if scheme:
        ballots = ballots.filter(scheme__code=scheme)
    if period:
        ballots = ballots.filter(period=period)
    keys = ("cadre", "scheme", "period", "class", "grade")
    rows = ballots.values_list("cadre__code", "scheme__code", "period", "evaluator_class", "grade")
    return {"测评票": [dict(zip(keys, row, strict=True)) for row in rows]}


def export_bytes(kind: str, *, scheme: str | None = None, period: str | None = None) -> bytes:
    """The workspace's ``kind`` as an .xlsx in the template's layout (filtered by scheme and period)."""
    from .importer import _kind

    spec = _kind(kind)
    writer = Writer(spec)
    items = _items(kind, scheme, period)
    for sheet in spec.sheets:
        writer.sheet(sheet, items.get(sheet.name, []))
    return writer.finish()


def template_bytes(kind: str, user=None) -> bytes:
    """An empty workbook of ``kind`` with drop-down lists, instructions and an example row per sheet, taken from
    what ``user`` may import (None: the whole workspace; see examples.py)."""
    from .importer import _kind

    spec = _kind(kind)
    writer = Writer(spec)
    examples = example_items(kind, user)
    for sheet in spec.sheets:
        writer.sheet(sheet, [], examples=examples.get(sheet.name, []))
    return writer.finish()


def write_file(path: str | Path, data: bytes) -> None:
    Path(path).write_bytes(data)


__all__ = ["KINDS", "export_bytes", "template_bytes", "write_file"]
