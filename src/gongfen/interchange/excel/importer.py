"""Spreadsheet import: rows → the matching part of a bundle → the bundle loader (checked once, all or nothing).

Every problem is reported by sheet, row and column header; problems the
bundle checks find are mapped back from their JSON path through the row
numbers kept while converting.
"""

from __future__ import annotations

import csv
import hashlib
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from django.db import transaction

from gongfen.accounts.permissions import ImportScope, may_approve_directly
from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError
from gongfen.ledger.models import Entry
from gongfen.schemes.models import Scheme
from gongfen.scratchdb import private_copy
from gongfen.trust.services import unlogged

from ..selectors import scheme_as_bundle
from ..services import BATCH, LoadReport, bundle_load
from ..validate import BundleInvalid, BundleProblem
from .columns import KINDS, CellError, Column, Kind, SheetSpec, is_blank, parse_cell, row_fingerprint
from .examples import MARKS
from .reader import FileUnreadable, Source, open_book, source_name

Progress = Callable[[str, int, int], None]
MAX_PROBLEMS = 1000
SAMPLE = 20  # rows of the main sheet a plan keeps to show (the preview page)
CHUNK = 50_000  # entries loaded per bundle when importing (not previewing): bounds the memory a big file takes
PATH = re.compile(r"^\$\.(\w+)\[(\d+)\](?:\.(\w+)\[(\d+)\])?(?:\.(.+))?$")
CHILDREN = {"cadres": "posts", "schemes": "rules"}


@dataclass(frozen=True)
class ImportProblem:
    """One problem at a place in the workbook (row ``None``: the whole sheet or file)."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"工作表「{self.sheet}」" if self.sheet else "文件"
        if self.row:
            where += f"第 {self.row} 行"
        if self.column:
            where += f"「{self.column}」列"
        return f"{where}：{self.message}"


class ImportInvalid(DomainError):
    def __init__(self, problems: list[ImportProblem], total: int | None = None):
        self.problems = problems
        self.total = total or len(problems)
        super().__init__(f"表格有 {len(problems)} 处错误，未导入任何数据 (spreadsheet invalid, nothing imported)")


@dataclass
class Plan:
    """What an import will do, computed without keeping any change."""

    kind: str
    source: str
    approve: bool = False
    bundle: dict = field(default_factory=dict)
    locator: Locator | None = None
    problems: list[ImportProblem] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rows: int = 0
    skipped: int = 0  # entries already recorded, left alone by an import without approval
    sample: list[dict] = field(default_factory=list)  # the first SAMPLE rows: {"row": n, "cells": [[header, text]]}
    problem_total: int = 0  # problems found, listed or not (the list stops at MAX_PROBLEMS)
    streamed: bool = False  # an entries plan: counted chunk by chunk, the rows not kept (see import_plan)
    origin: Any = None  # the file of a streamed plan, read again by import_apply
    scheme: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_count(self) -> int:
        return max(self.problem_total, len(self.problems))


class Problems(list):
    """A problem list that stops growing at MAX_PROBLEMS (a broken 200,000-row file needs no more)."""

    dropped = 0

    def add(self, sheet: str, row: int | None, column: str, message: str) -> None:
        if len(self) < MAX_PROBLEMS:
            self.append(ImportProblem(sheet, row, column, message))
        else:
            self.dropped += 1


class Locator:
    """Bundle positions → workbook rows, to report a loader problem where its author can find it."""

    def __init__(self) -> None:
        self.rows: dict[str, list] = defaultdict(list)
        self.sheets: dict[str, SheetSpec] = {}

    def where(self, problem: BundleProblem, fallback: SheetSpec) -> ImportProblem:
        match = PATH.match(problem.path)
        if not match:
            return ImportProblem(fallback.name, None, "", problem.message)
        key, index, child, child_index, rest = match.groups()
        index = int(index)
        if child and CHILDREN.get(key) == child and f"{key}.{child}" in self.sheets:
            spec, rows = self.sheets[f"{key}.{child}"], self.rows[f"{key}.{child}"]
            row = rows[index][int(child_index)] if index < len(rows) and int(child_index) < len(rows[index]) else None
        else:
            spec, rows = self.sheets.get(key, fallback), self.rows.get(key, [])
            row = rows[index] if index < len(rows) else None
            rest = f"{child}.{rest}" if child and rest else (child or rest)
        return ImportProblem(spec.name, row, _header(spec, rest or ""), problem.message)


def _header(spec: SheetSpec, rest: str) -> str:
    for column in spec.columns:
        if rest == column.key or rest.startswith((column.key + ".", column.key + "[")):
            return column.header
    for column in spec.columns:  # a problem with a whole object, e.g. "weights" (定量权重 and 定性权重)
        if rest and column.key.startswith(rest + "."):
            return column.header
    return ""


# --- reading rows ---------------------------------------------------------------------


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _header_map(spec: SheetSpec, header: tuple, problems: Problems) -> dict[int, Column] | None:
    by_header = {c.header: c for c in spec.columns}
    found: dict[int, Column] = {}
    texts = [None if is_blank(h) else str(h).strip() for h in header]
    last = max((i for i, t in enumerate(texts) if t), default=-1)
    ok = True
    for i, text in enumerate(texts[: last + 1]):
        if text is None:
            problems.add(spec.name, 1, _letter(i), "表头为空（可能是合并单元格）：每列须有自己的表头")
            ok = False
        elif text not in by_header:
            known = "、".join(by_header)
            problems.add(spec.name, 1, text, f"未知的列（可用的列：{known}）")
            ok = False
        elif by_header[text] in found.values():
            problems.add(spec.name, 1, text, "列重复")
            ok = False
        else:
            found[i] = by_header[text]
    for column in spec.columns:
        if column.required and column not in found.values():
            problems.add(spec.name, 1, column.header, "缺少必填列")
            ok = False
    return found if ok else None


def read_sheet(
    rows: Iterator[tuple],
    spec: SheetSpec,
    problems: Problems,
    tick: Callable[[int], None],
    marks: frozenset[str] = frozenset(),
    on_example: Callable[[int], None] = lambda _: None,
) -> Iterator[tuple[int, dict[str, Any], bool]]:
    """(row number, {column key: value}, whether every cell was readable) for each non-empty row.

    A row whose fingerprint is among ``marks`` (a template's example row, unchanged) is skipped: ``on_example(row)``.
    """
    header = next(rows, None)
    if header is None or all(is_blank(v) for v in header):
        problems.add(spec.name, None, "", "工作表为空（没有表头）")
        return
    columns = _header_map(spec, header, problems)
    if columns is None:
        return
    number = 1
    for number, row in enumerate(rows, start=2):
        if number % 5000 == 0:
            tick(number)
        if all(is_blank(v) for v in row):
            continue
        if marks:
            cells = {column.header: row[i] if i < len(row) else None for i, column in columns.items()}
            if row_fingerprint(spec.name, cells) in marks:
                on_example(number)
                continue
        values: dict[str, Any] = {}
        good = True
        for i, column in columns.items():
            value = row[i] if i < len(row) else None
            if is_blank(value):
                if column.required:
                    problems.add(spec.name, number, column.header, "必填，不能为空")
                    good = False
                continue
            try:
                values[column.key] = parse_cell(value, column)
            except CellError as exc:
                problems.add(spec.name, number, column.header, str(exc))
                good = False
        yield number, values, good
    tick(number)


def example_marks(book) -> list[str]:
    """Column A of a template's hidden lists sheet: the fingerprints of its example rows (read until a blank)."""
    from .exporter import LISTS_SHEET

    opened = None if book.is_csv else book.sheet(LISTS_SHEET, csv_sheet=False)
    if opened is None:
        return []
    rows, _ = opened
    header = next(rows, None)
    if not header or header[0] != MARKS:
        return []
    marks = []
    for row in rows:
        if not row or is_blank(row[0]):
            break
        marks.append(str(row[0]).strip())
    return marks


def nest(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        head, _, tail = key.partition(".")
        if tail:
            out.setdefault(head, {})[tail] = value
        else:
            out[key] = value
    return out


# --- converting each kind ---------------------------------------------------------------


class Converter:
    def __init__(
        self,
        kind: Kind,
        *,
        scheme: str | None,
        approve: bool,
        digest: str,
        progress: Progress,
        sink=None,
        scope: ImportScope | None = None,
    ):
        self.kind, self.scheme, self.approve, self.digest, self.progress = kind, scheme, approve, digest, progress
        self.scope = scope or ImportScope(None)
        self.sample: list[dict] = []
        self.sink = sink  # called with each full chunk of entries (see import_apply); None: keep every row
        self.problems = Problems()
        self.locator = Locator()
        self.bundle: dict[str, Any] = {"format": "gongfen-bundle/1"}
        self.notes: list[str] = []
        self.skipped = 0
        self.rows = 0
        self.scheme_codes: set[str] = set()
        self._marks: frozenset[str] | None = None

    def rows_of(self, book, spec: SheetSpec) -> Iterator[tuple[int, dict, bool]]:
        opened = book.sheet(spec.name, csv_sheet=spec is self.kind.main)
        if opened is None:
            if not spec.optional:
                names = "、".join(book.sheet_names()) or "无"
                self.problems.add(spec.name, None, "", f"缺少工作表（文件中的工作表：{names}）")
            return
        rows, total = opened
        step = f"读取「{spec.name}」"

        def tick(done: int) -> None:
            self.progress(step, done, max(total, done))

        seen, examples = 0, []
        for item in read_sheet(rows, spec, self.problems, tick, self.marks(book), examples.append):
            seen += 1
            if item[2] and spec is self.kind.main and len(self.sample) < SAMPLE:
                cells = [[spec.column(k).header, _display(v)] for k, v in item[1].items()]
                self.sample.append({"row": item[0], "cells": cells})
            yield item
        self.rows += seen
        for row in examples:
            self.notes.append(
                f"工作表「{spec.name}」第 {row} 行是模板的示例行（原样未改），未导入 (example row skipped)"
            )
        if seen == 0 and not spec.optional and not any(p.sheet == spec.name for p in self.problems):
            only = f"：第 {examples[0]} 行是模板的示例行，原样保留时不导入，请在其下填写" if examples else ""
            self.problems.add(spec.name, None, "", f"工作表没有数据行{only}")

    def marks(self, book) -> frozenset[str]:
        """The fingerprints of the example rows of the template the file was made from (none: not a template)."""
        if self._marks is None:
            self._marks = frozenset(example_marks(book))
        return self._marks

    def run(self, book) -> None:
        getattr(self, f"convert_{self.kind.code}")(book)

    def refuse(self, spec: SheetSpec, row: int, key: str, what: str) -> None:
        """Out of the importing user's scope: an error at the cell (the command line never gets here)."""
        message = f"{what}不在你管理的范围内，只能由组织部管理员导入 (out of your scope)"
        self.problems.add(spec.name, row, spec.column(key).header, message)

    def keep(self, key: str, spec: SheetSpec, row: int, item: dict) -> None:
        self.bundle.setdefault(key, []).append(item)
        self.locator.rows[key].append(row)
        self.locator.sheets[key] = spec

    def convert_units(self, book) -> None:
        spec = self.kind.main
        for row, values, good in self.rows_of(book, spec):
            if not good:
                continue
            outside = self.scope.unit_row(values["code"], values.get("parent"))
            if outside == "code":
                self.refuse(spec, row, "code", f"单位 {values['code']!r} ")
            elif outside == "parent":
                self.refuse(spec, row, "parent", f"上级单位 {values.get('parent') or '（顶级）'} ")
            else:
                self.keep("units", spec, row, {"parent": None, **values})

    def convert_cadres(self, book) -> None:
        spec = self.kind.main
        index: dict[str, int] = {}
        self.bundle["cadres"] = []
        self.locator.sheets["cadres"] = self.locator.sheets["cadres.posts"] = spec
        post_keys = ("unit", "position", "start")
        for row, values, good in self.rows_of(book, spec):
            if not good:
                continue
            code = values["code"]
            if not self.scope.cadre_replaceable(code):
                self.refuse(spec, row, "code", f"干部 {code!r} 的任职有的")
                continue
            if "unit" in values and not self.scope.unit(values["unit"]):
                self.refuse(spec, row, "unit", f"单位 {values['unit']!r} ")
                continue
            if code not in index:
                index[code] = len(self.bundle["cadres"])
                self.keep("cadres", spec, row, {"code": code, "name": values["name"], "posts": []})
                self.locator.rows["cadres.posts"].append([])
            i = index[code]
            cadre = self.bundle["cadres"][i]
            if cadre["name"] != values["name"]:
                self.problems.add(spec.name, row, "姓名", f"同一干部编码 {code!r} 的姓名与前面的行不同")
            if not any(k in values for k in (*post_keys, "end")):
                continue
            missing = [spec.column(k).header for k in post_keys if k not in values]
            for header in missing:
                self.problems.add(spec.name, row, header, "填写任职时必填")
            if not missing:
                cadre["posts"].append({k: values.get(k) for k in (*post_keys, "end")})
                self.locator.rows["cadres.posts"][i].append(row)

    def convert_rules(self, book) -> None:
        schemes_sheet, groups_sheet, rules_sheet = self.kind.sheets
        self.locator.sheets["schemes.rules"] = rules_sheet
        schemes: dict[str, dict] = {}
        position: dict[str, int] = {}  # scheme code → its index in the bundle
        for row, values, good in self.rows_of(book, schemes_sheet):
            outside = good and self.scope.scheme_row(values["code"], values.get("unit"))
            if outside:
                what = f"考核方案 {values['code']!r} " if outside == "code" else f"单位 {values.get('unit')!r} "
                self.refuse(schemes_sheet, row, outside, what)
            elif good:
                item = {"evaluator_classes": {}, "category_caps": {}, **nest(values), "rules": []}
                schemes[item["code"]], position[item["code"]] = item, len(position)
                self.keep("schemes", schemes_sheet, row, item)
                self.locator.rows["schemes.rules"].append([])
        for row, values, good in self.rows_of(book, groups_sheet):
            if good and not self.scope.group(values["code"], values.get("scheme")):
                self.refuse(groups_sheet, row, "code", f"排名组 {values['code']!r} 或其方案")
            elif good:
                self.keep("groups", groups_sheet, row, {"select": {}, **nest(values)})
        for row, values, good in self.rows_of(book, rules_sheet):
            code = values.pop("scheme", None)
            if self.scheme and code not in (None, self.scheme):
                self.problems.add(rules_sheet.name, row, "方案编码", f"与指定的方案 {self.scheme} 不符")
                continue
            if not good:
                continue
            if not self.scope.scheme(code):
                self.refuse(rules_sheet, row, "scheme", f"考核方案 {code!r} ")
                continue
            if code not in schemes:
                scheme = Scheme.objects.filter(code=code).select_related("unit", "derived_from").first()
                if scheme is None:
                    self.problems.add(rules_sheet.name, row, "方案编码", f"考核方案 {code!r} 不存在 (unknown scheme)")
                    continue
                schemes[code], position[code] = scheme_as_bundle(scheme, rules=[]), len(position)
                self.keep("schemes", schemes_sheet, 0, schemes[code])
                self.locator.rows["schemes.rules"].append([])
            i = position[code]
            schemes[code]["rules"].append(values)
            self.locator.rows["schemes.rules"][i].append(row)
        if not self.bundle.get("schemes") and self.scheme:
            self.problems.add(rules_sheet.name, None, "", f"没有方案 {self.scheme} 的规则")

    def convert_entries(self, book) -> None:
        spec = self.kind.main
        existing: set[str] = set()
        pending: list[tuple[int, dict]] = []
        first_row: dict[str, int] = {}  # id → row, across chunks
        kept = 0

        def flush() -> None:
            nonlocal kept
            ids = [item["id"] for _, item in pending]
            existing.update(Entry.objects.filter(code__in=ids).values_list("code", flat=True))
            for row, item in pending:
                if not self.approve and item["id"] in existing:
                    self.skipped += 1  # already recorded: an import without approval never moves an entry
                    continue
                self.keep("entries", spec, row, item)
                kept += 1
            pending.clear()
            if self.sink is not None and len(self.bundle["entries"]) >= CHUNK:
                self.sink(self)

        self.bundle["entries"] = []
        for row, values, good in self.rows_of(book, spec):
            if not good:
                continue
            if not self.scope.cadre(values["cadre"]):
                self.refuse(spec, row, "cadre", f"干部 {values['cadre']!r} ")
                continue
            item = {"id": f"XL{self.digest[:10]}-{row}", **values}
            if item["id"] in first_row:
                message = f"编号 {item['id']!r} 重复，首次出现在第 {first_row[item['id']]} 行 (duplicate id)"
                self.problems.add(spec.name, row, spec.column("id").header, message)
                continue
            first_row[item["id"]] = row
            self.scheme_codes.add(item["scheme"])
            if self.approve:
                item.setdefault("status", "approved")
            else:
                item["status"] = "pending"
            pending.append((row, item))
            if len(pending) >= BATCH:
                flush()
        flush()
        count = kept
        if self.approve:
            self.notes.append(f"{count} 条工分明细按「状态」列直接入账（留空为已通过）：导入人可直接通过")
        else:
            self.notes.append(f"{count} 条工分明细以「待审核」状态导入，须经审核后才计分")
        if self.skipped:
            self.notes.append(f"{self.skipped} 条工分明细的编号已存在，未改动")

    def convert_ballots(self, book) -> None:
        spec = self.kind.main
        for row, values, good in self.rows_of(book, spec):
            if good and not self.scope.scheme(values["scheme"]):
                self.refuse(spec, row, "scheme", f"考核方案 {values['scheme']!r} ")
            elif good and not self.scope.cadre(values["cadre"]):
                self.refuse(spec, row, "cadre", f"干部 {values['cadre']!r} ")
            elif good:
                self.keep("ballots", spec, row, values)


# --- the public functions ---------------------------------------------------------------


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(_display(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}={_display(v)}" for k, v in value.items())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else str(value)


def _digest(source: Source) -> str:
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    if hasattr(source, "read"):
        source.seek(0)
        digest = hashlib.file_digest(source, "sha256").hexdigest()
        source.seek(0)
        return digest
    with open(source, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise DomainError(f"不认识的表格类型 {kind!r}，可用：{'、'.join(KINDS)} (unknown kind)", code="bad_kind")
    return KINDS[kind]


def convert(
    kind: str,
    source: Source,
    actor: Actor,
    *,
    scheme: str | None = None,
    approve: bool = False,
    name: str = "",
    progress: Progress | None = None,
    sink: Callable[[Converter], None] | None = None,
) -> Plan:
    """Read the file into a bundle; the plan's problems are the file's own. Writes nothing itself:
    ``sink``, when given, receives each full chunk of entries (and empties it)."""
    spec = _kind(kind)
    plan = Plan(kind=kind, source=name or source_name(source, kind), approve=approve, scheme=scheme)
    try:
        digest = _digest(source)
        converter = Converter(
            spec,
            scheme=scheme,
            approve=approve,
            digest=digest,
            progress=progress or _quiet,
            sink=sink,
            scope=ImportScope(actor.user),
        )
        with open_book(source, plan.source) as book:
            converter.run(book)
    except FileUnreadable as exc:
        plan.problems = [ImportProblem("", None, "", str(exc))]
        return plan
    except (zipfile.BadZipFile, ElementTree.ParseError, EOFError, csv.Error) as exc:  # damaged inside
        plan.problems = [ImportProblem("", None, "", f"文件已损坏，无法读完 (damaged file): {exc}")]
        return plan
    plan.bundle, plan.locator, plan.notes, plan.rows = (
        converter.bundle,
        converter.locator,
        converter.notes,
        converter.rows,
    )
    plan.problems, plan.sample = list(converter.problems), converter.sample
    plan.problem_total = len(converter.problems) + converter.problems.dropped
    if converter.problems.dropped:
        plan.problems.append(ImportProblem("", None, "", f"另有 {converter.problems.dropped} 处错误未列出"))
    plan.skipped = converter.skipped
    if approve and not may_approve_directly(actor.user, converter.scheme_codes):
        plan.problems.append(
            ImportProblem(spec.main.name, None, "状态", "你没有直接通过的权限（须组织部管理员或该方案范围内的审核人）")
        )
    return plan


def _quiet(*_: Any) -> None:
    return None


class _Rollback(Exception):
    pass


def import_plan(
    kind: str,
    source: Source,
    actor: Actor,
    *,
    scheme: str | None = None,
    approve: bool = False,
    name: str = "",
    progress: Progress | None = None,
) -> Plan:
    """What importing ``source`` would create, change and leave alone, and every problem; keeps nothing.

    The counts come from running the real load in a transaction that is rolled back; on SQLite, on a
    private copy of the database (gongfen.scratchdb), so that the preview never holds the write lock
    that every other writer needs. An entries file
    is planned as it is imported: read and loaded CHUNK rows at a time, so the plan keeps only the
    counts, a sample of rows and the (capped) problems, in memory bounded by the chunk, not the file;
    ``import_apply`` given such a plan reads the file again."""
    with private_copy():
        return _plan(kind, source, actor, scheme=scheme, approve=approve, name=name, progress=progress)


def _plan(kind, source, actor, *, scheme, approve, name, progress) -> Plan:
    if kind == "entries":
        try:
            with transaction.atomic(), unlogged():  # no log lock: other ledger writers go on (PostgreSQL)
                plan = _stream(kind, source, actor, scheme, approve, name, progress, verb="预检")
                raise _Rollback
        except _Rollback:
            pass
        plan.bundle, plan.locator, plan.streamed, plan.origin = {}, None, True, source
        return plan
    plan = convert(kind, source, actor, scheme=scheme, approve=approve, name=name, progress=progress)
    if plan.problems:
        return plan
    try:
        with transaction.atomic(), unlogged():
            report = bundle_load(
                actor=actor,
                bundle=plan.bundle,
                progress=lambda step, done, total: (progress or _quiet)(f"预检 {step}", done, total),
                source=plan.source,
            )
            raise _Rollback
    except _Rollback:
        pass
    except BundleInvalid as exc:
        plan.problems = _mapped(plan, exc)
        return plan
    _count(plan, report)
    return plan


def _count(plan: Plan, report: LoadReport) -> None:
    plan.created = {k: v for k, v in report.created.items() if v}
    plan.changed = {k: v for k, v in report.updated.items() if v}
    unchanged = defaultdict(int, report.unchanged)
    unchanged["entries"] += plan.skipped
    plan.unchanged = {k: v for k, v in unchanged.items() if v}


def _mapped(plan: Plan, exc: BundleInvalid) -> list[ImportProblem]:
    spec = KINDS[plan.kind].main
    locator = plan.locator or Locator()
    return [locator.where(p, spec) for p in exc.problems]


class _Chunks:
    """Loads each full chunk of entries while the file is still being read (inside the import's transaction)."""

    def __init__(self, actor: Actor, approve: bool, source: str, progress: Progress, verb: str = "写入"):
        self.actor, self.approve, self.source, self.progress, self.verb = actor, approve, source, progress, verb
        self.report = LoadReport()
        self.done = 0

    def __call__(self, converter: Converter) -> None:
        entries = converter.bundle["entries"]
        allowed = not self.approve or may_approve_directly(self.actor.user, converter.scheme_codes)
        if not converter.problems and allowed:  # after a problem, only read on to list the others
            try:
                self.add(self.load(converter.bundle))
            except BundleInvalid as exc:
                for problem in exc.problems:
                    where = converter.locator.where(problem, converter.kind.main)
                    converter.problems.add(where.sheet, where.row, where.column, where.message)
        self.done += len(entries)
        converter.bundle["entries"] = []
        converter.locator.rows["entries"] = []

    def load(self, bundle: dict) -> LoadReport:
        done = self.done
        return bundle_load(
            actor=self.actor,
            bundle=bundle,
            progress=lambda step, n, total: self.progress(f"{self.verb} {step}", done + n, done + total),
            source=self.source,
            reason="表格导入 (spreadsheet import)",
        )

    def add(self, report: LoadReport) -> None:
        for mine, theirs in (
            (self.report.created, report.created),
            (self.report.updated, report.updated),
            (self.report.unchanged, report.unchanged),
        ):
            for key, value in theirs.items():
                mine[key] += value


def _stream(
    kind: str,
    source: Source,
    actor: Actor,
    scheme: str | None,
    approve: bool,
    name: str,
    progress: Progress | None,
    verb: str = "写入",
) -> Plan:
    """Read ``source`` and load it chunk by chunk (the caller's transaction decides whether it stays)."""
    chunks = _Chunks(actor, approve, name or source_name(source, kind), progress or _quiet, verb)
    plan = convert(kind, source, actor, scheme=scheme, approve=approve, name=name, progress=progress, sink=chunks)
    if not plan.problems:
        chunks.source = plan.source
        try:
            chunks.add(chunks.load(plan.bundle))
        except BundleInvalid as exc:
            plan.problems = _mapped(plan, exc)
    _count(plan, chunks.report)
    return plan


def import_apply(
    plan_or_source: Plan | Source,
    actor: Actor,
    *,
    kind: str = "",
    scheme: str | None = None,
    approve: bool = False,
    name: str = "",
    progress: Progress | None = None,
) -> Plan:
    """Import all or nothing, audited; the actor is the recorder. Raises :class:`ImportInvalid`.

    Given a file (or a streamed plan, which names its file), entries are loaded in chunks of CHUNK
    rows as they are read, all in one transaction, so a big file never sits whole in memory. Given a
    plan that holds its bundle, that bundle is loaded (checked again first). Returns the plan with the
    counts of what was done (``created``, ``changed``, ``unchanged``)."""
    given = plan_or_source if isinstance(plan_or_source, Plan) else None
    with transaction.atomic():
        if given is not None and not given.streamed:
            plan = given
            if plan.problems:
                raise ImportInvalid(plan.problems, plan.problem_count)
            chunks = _Chunks(actor, plan.approve, plan.source, progress or _quiet)
            try:
                chunks.add(chunks.load(plan.bundle))
            except BundleInvalid as exc:
                raise ImportInvalid(_mapped(plan, exc)) from exc
            _count(plan, chunks.report)
        else:
            if given is not None:
                kind, scheme, approve, name = given.kind, given.scheme, given.approve, given.source
            source = given.origin if given is not None else plan_or_source
            plan = _stream(kind, source, actor, scheme, approve, name, progress)
            if plan.problems:
                raise ImportInvalid(plan.problems, plan.problem_count)
        audit_record(
            actor=actor,
            action="spreadsheet.import",
            object_type="spreadsheet",
            object_id=plan.kind,
            summary=f"导入表格 {plan.source}（{KINDS[plan.kind].label}）",
            after={
                "file": plan.source,
                "kind": plan.kind,
                "rows": plan.rows,
                "approve": plan.approve,
                "created": plan.created,
                "updated": plan.changed,
                "unchanged": plan.unchanged,
                "notes": plan.notes,
            },
        )
    return plan
