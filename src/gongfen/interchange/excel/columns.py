"""What each spreadsheet kind holds: its sheets, their Chinese column headers, types and lists.

One definition per kind, read by the importer, the exporter and the template
writer alike, so a template, an export and an import always agree.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.utils import translation

from gongfen.ledger.models import EntryStatus
from gongfen.org.models import UnitKind
from gongfen.schemes.models import Category, PublicationScope

YES, NO = "是", "否"
LIST_SPLIT = re.compile(r"[、,，;；\n]+")
PAIR_SPLIT = re.compile(r"[=＝:：]")
SLASH_DATE = re.compile(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$")


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message is Chinese."""


@dataclass(frozen=True)
class Column:
    key: str  # the field of the bundle item this column fills
    header: str  # the Chinese header (what the sheet shows and what is matched on import)
    type: str = "text"  # text | decimal | int | date | bool | choice | list | pairs
    required: bool = False
    choices: str = ""  # name of a fixed choice list (CHOICES) for type "choice"
    lists: str = ""  # name of the data-validation list (fixed or from the workspace)
    example: Any = None
    note: str = ""


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    optional: bool = False  # may be absent or hold no data row

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    sheets: tuple[SheetSpec, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def main(self) -> SheetSpec:
        return self.sheets[-1] if self.code == "rules" else self.sheets[0]


@cache
def choices(name: str) -> tuple[tuple[str, str], ...]:
    """A fixed list as (value, Chinese label) pairs."""
    enum = {
        "unit_kind": UnitKind,
        "category": Category,
        "status": EntryStatus,
        "publish_scope": PublicationScope,
    }.get(name)
    if enum is None:
        return ((YES, YES), (NO, NO)) if name == "bool" else (("1", "1"), ("-1", "-1"))
    with translation.override("zh-hans"):
        return tuple((value, str(label)) for value, label in enum.choices)


def label_of(name: str, value: str) -> str:
    return dict(choices(name)).get(value, value)


UNITS = Kind(
    "units",
    "单位",
    (
        SheetSpec(
            "单位",
            (
                Column("code", "单位编码", required=True, example="QX"),
                Column("name", "单位名称", required=True, example="齐溪镇"),
                Column("kind", "单位类型", "choice", True, choices="unit_kind", lists="unit_kind", example="乡镇"),
                Column("parent", "上级单位编码", lists="units", example="KH", note="留空表示顶级单位"),
            ),
        ),
    ),
    ("单位编码是单位的唯一标识；已存在的编码会更新名称、类型和上级单位，不会删除任何单位。",),
)

CADRES = Kind(
    "cadres",
    "干部与任职",
    (
        SheetSpec(
            "干部任职",
            (
                Column("code", "干部编码", required=True, example="C0001"),
                Column("name", "姓名", required=True, example="张三"),
                Column("unit", "任职单位编码", lists="units", example="QX"),
                Column("position", "职务", lists="positions", example="副镇长"),
                Column("start", "任职开始日期", "date", example=date(2026, 1, 1)),
                Column("end", "任职结束日期", "date", note="仍在任留空"),
            ),
        ),
    ),
    (
        "每行是一名干部的一段任职；同一干部有多段任职就写多行（编码和姓名相同）。",
        "没有任职的干部只填编码和姓名。",
        "表中出现的干部，其任职以本表为准：表中没有的任职会被删除。",
    ),
)

SCHEMES_SHEET = SheetSpec(
    "考核方案",
    (
        Column("code", "方案编码", required=True, example="QX-2026"),
        Column("name", "方案名称", required=True, example="齐溪镇2026年干部工分制考核方案"),
        Column("unit", "制定单位编码", required=True, lists="units", example="QX"),
        Column("year", "年度", "int", True, example=2026),
        Column("weights.quantitative", "定量权重", "decimal", True, example=Decimal("0.7")),
        Column("weights.qualitative", "定性权重", "decimal", True, example=Decimal("0.3")),
        Column("grades", "等次及分值", "pairs", True, example="优秀=95；称职=85；基本称职=70；不称职=50"),
        Column("evaluator_classes", "评价主体及权重", "pairs", example="领导班子=0.5；干部=0.3；群众=0.2"),
        Column("tiers", "档次及累计比例", "pairs", True, example="A档=0.2；B档=0.8；C档=1"),
        Column("min_days", "最少在组天数", "int", example=30),
        Column("objection_days", "异议期（工作日）", "int", example=5),
        Column("objection_contact.office", "异议受理单位", example="齐溪镇党政办公室"),
        Column("objection_contact.phone", "异议受理电话", example="0570-6012345"),
        Column("objection_contact.address", "异议受理地址", example="齐溪镇人民政府二楼 203 室"),
        Column("category_caps", "类别上限", "pairs", example="专项加分=20"),
        Column("derived_from", "派生自方案"),
    ),
    optional=True,
)

RULES_SHEET = SheetSpec(
    "赋分标准",
    (
        Column("scheme", "方案编码", required=True, example="QX-2026"),
        Column("code", "规则编码", required=True, example="R01"),
        Column("name", "规则名称", required=True, example="完成重点项目攻坚任务"),
        Column("category", "类别", "choice", True, choices="category", lists="category", example="专项加分"),
        Column("points", "分值", "decimal", True, example=Decimal("5")),
        Column("unit", "计量单位", example="项"),
        Column("cap", "上限", "decimal"),
        Column("veto", "一票否决", "bool", lists="bool", example=NO),
        Column("positions", "适用职务", "list", lists="positions", note="多个职务用、分隔；留空表示不限"),
        Column("evidence_required", "需要佐证材料", "bool", lists="bool", example=NO),
    ),
)

GROUPS_SHEET = SheetSpec(
    "排名组",
    (
        Column("code", "排名组编码", required=True, example="QX-ALL"),
        Column("name", "排名组名称", required=True, example="齐溪镇全体干部"),
        Column("scheme", "方案编码", required=True, example="QX-2026"),
        Column("select.unit", "范围单位编码", lists="units", example="QX"),
        Column("select.position", "范围职务", lists="positions"),
        Column("publish_scope", "公示范围", "choice", choices="publish_scope", lists="publish_scope"),
        Column("publish_units", "公示单位编码", "list"),
    ),
    optional=True,
)

RULES = Kind(
    "rules",
    "赋分标准",
    (SCHEMES_SHEET, GROUPS_SHEET, RULES_SHEET),
    (
        "「赋分标准」每行一条规则，按表中顺序排列；规则编码在同一方案内唯一。",
        "「考核方案」「排名组」两张表可选：留空时规则写入已有的方案（命令行用 --scheme 指定）。",
        "成对的取值写成「名称=数值」，多项用；分隔，例如「优秀=95；称职=85」。",
        "已有规则的分值或类别改变时生成新版本，已通过的工分保持原分值。",
    ),
)

ENTRIES = Kind(
    "entries",
    "工分明细",
    (
        SheetSpec(
            "工分明细",
            (
                Column("id", "编号", note="留空时自动生成；同一编号再次导入不会重复记分"),
                Column("cadre", "干部编码", required=True, example="C0001"),
                Column("scheme", "方案编码", required=True, example="QX-2026"),
                Column("rule", "规则编码", required=True, example="R01"),
                Column("occurred_on", "发生日期", "date", True, example=date(2026, 7, 15)),
                Column("quantity", "数量", "decimal", example=Decimal("1"), note="留空为 1"),
                Column("status", "状态", "choice", choices="status", lists="status"),
                Column("description", "工作内容", example="完成村道硬化项目验收"),
                Column("points", "核定分值", "decimal", note="与规则现行分值不同时填写"),
                Column("adjusts", "更正对象编号"),
                Column("sign", "调整方向", "int", lists="sign", note="仅更正调整：-1 扣减，1 增加"),
            ),
        ),
    ),
    (
        "导入的工分明细默认为「待审核」，须经审核后计分；只有组织部管理员或范围内的审核人"
        "选择「直接通过」时，才按「状态」列入账（留空即「已通过」）。",
        "日期请填写日期单元格，或文本 YYYY-MM-DD（也接受 YYYY/M/D）。",
    ),
)

BALLOTS = Kind(
    "ballots",
    "测评票",
    (
        SheetSpec(
            "测评票",
            (
                Column("scheme", "方案编码", required=True, example="QX-2026"),
                Column("period", "考核期间", required=True, example="2026Q3"),
                Column("cadre", "干部编码", required=True, example="C0001"),
                Column("class", "评价主体", required=True, lists="classes", example="领导班子"),
                Column("grade", "等次", required=True, lists="grades", example="优秀"),
            ),
        ),
    ),
    ("每行一张测评票。导入某方案某期间的测评票会替换该方案该期间已有的全部测评票。",),
)

KINDS: dict[str, Kind] = {k.code: k for k in (UNITS, CADRES, RULES, ENTRIES, BALLOTS)}


# --- cells ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    return str(value).strip()


def _decimal(value: Any) -> str:
    if isinstance(value, bool):
        raise CellError(f"应为数字，得到 {value!r}")
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        try:
            number = Decimal(_text(value).replace(",", ""))
        except InvalidOperation:
            raise CellError(f"应为数字，得到 {_text(value)!r}") from None
    if not number.is_finite():
        raise CellError(f"应为数字，得到 {_text(value)!r}")
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    match = SLASH_DATE.match(text)
    try:
        if match:
            return date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        pass
    raise CellError(f"应为日期单元格或 YYYY-MM-DD 文本，得到 {text!r}")


def _pairs(value: Any, column: Column) -> Any:
    out: dict[str, str] = {}
    for part in LIST_SPLIT.split(_text(value)):
        if not part.strip():
            continue
        bits = PAIR_SPLIT.split(part, maxsplit=1)
        if len(bits) != 2 or not bits[0].strip():
            raise CellError(f"应写成「名称=数值」，得到 {part!r}")
        name, number = bits[0].strip(), _decimal(bits[1].strip())
        if column.key == "category_caps":
            name = _choice(name, "category")
        out[name] = number
    if column.key == "tiers":
        return [{"name": k, "cumulative": v} for k, v in out.items()]
    return out


def _choice(value: Any, name: str) -> str:
    text = _text(value)
    for code, label in choices(name):
        if text in (code, label):
            return code
    allowed = "、".join(label for _, label in choices(name))
    raise CellError(f"取值 {text!r} 不在可选范围内（{allowed}）")


def parse_cell(value: Any, column: Column) -> Any:
    """A non-empty cell as the bundle wants it, or :class:`CellError`."""
    kind = column.type
    if kind == "decimal":
        return _decimal(value)
    if kind == "int":
        number = Decimal(_decimal(value))
        if number != number.to_integral_value():
            raise CellError(f"应为整数，得到 {_text(value)!r}")
        return int(number)
    if kind == "date":
        return _date(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = _text(value)
        if text in (YES, "1", "TRUE", "True", "true", "Y", "y"):
            return True
        if text in (NO, "0", "FALSE", "False", "false", "N", "n"):
            return False
        raise CellError(f"应填「是」或「否」，得到 {text!r}")
    if kind == "choice":
        return _choice(value, column.choices)
    if kind == "list":
        return [p.strip() for p in LIST_SPLIT.split(_text(value)) if p.strip()]
    if kind == "pairs":
        return _pairs(value, column)
    return _text(value)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as text, the same whether written by the template or read back from the saved file."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return _decimal(value)
    return str(value).strip()


def row_fingerprint(sheet: str, cells: dict[str, Any]) -> str:
    """A digest of a row by column header (the order of the columns does not matter), to recognise a template's
    example row left as it was."""
    parts = [sheet, *sorted(f"{header}={cell_text(v)}" for header, v in cells.items() if not is_blank(v))]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]
