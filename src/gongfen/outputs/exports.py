"""The Excel workbooks: a board (published snapshot or live) and a cadre's ledger, as :class:`~.xlsx.Sheet` lists."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from gongfen.ledger.models import Entry
from gongfen.org.models import Cadre
from gongfen.schemes.models import Rule

from .selectors import BoardData, quarter_label
from .xlsx import DATE, INTEGER, SCORE, Column, Sheet

DATETIME = "yyyy-mm-dd hh:mm"

BOARD_COLUMNS = (
    Column("名次", 7, INTEGER),
    Column("干部编号", 12),
    Column("姓名", 10),
    Column("单位", 18),
    Column("职务", 12),
    Column("工分 Q", 10, SCORE),
    Column("扣分", 9, SCORE),
    Column("折算工分 Qn", 12, SCORE),
    Column("定性评价 L", 11, SCORE),
    Column("综合得分 C", 11, SCORE),
    Column("档次", 8),
    Column("一票否决", 9),
    Column("结果运用", 16),
)


def _exported() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")


def board_sheets(board: BoardData) -> list[Sheet]:
    """The ranking rows in board order, and the cadres not ranked; the fingerprint below a snapshot's table."""
    group, period = board.group, board.period
    if board.snapshot:
        what = f"公示第 {board.snapshot.version} 版"
        notes = [f"公示快照 SHA-256 指纹：{board.snapshot.fingerprint}"]
        if board.snapshot.window_ends_on:
            notes.append(f"公示期：{board.snapshot.window_starts_on} 至 {board.snapshot.window_ends_on}")
    else:
        what, notes = "临时排名（尚未公示）", []
    caption = f"{group.name}（{group.code}）{quarter_label(period)}排名 · {what} · 导出于 {_exported()}"
    rows = (
        (
            r.rank,
            r.cadre,
            r.name,
            r.unit,
            r.position,
            r.number("quantitative"),
            r.number("deductions"),
            r.number("normalized"),
            r.number("qualitative"),
            r.number("composite"),
            r.tier,
            "是" if r.vetoed else "",
            list(r.actions),
        )
        for r in board.rows
    )
    sheets = [Sheet(f"{period.code} 排名", BOARD_COLUMNS, rows, caption=caption, notes=notes)]
    if any(r.items for r in board.rows):
        sheets.append(item_sheet(board))
    sheets.append(
        Sheet(
            "不参加排名",
            (Column("干部编号", 12), Column("姓名", 10), Column("在组天数", 10, INTEGER)),
            ((u.cadre, u.name, u.days) for u in board.unranked),
            caption=f"{group.name}{quarter_label(period)}在岗不足规定天数、不参加排名的干部",
        )
    )
    return sheets


def item_labels(scheme_id: int) -> dict[str, str]:
    """item code → its path of names (一级指标 › 二级指标 › 细项), from the scheme's tree."""
    nodes = {r.pk: r for r in Rule.objects.filter(scheme_id=scheme_id).only("pk", "code", "name", "parent_id")}

    def path(rule: Rule) -> str:
        name = rule.name or rule.code
        parent = nodes.get(rule.parent_id) if rule.parent_id else None
        return f"{path(parent)} › {name}" if parent else name

    return {r.code: path(r) for r in nodes.values()}


def item_sheet(board: BoardData) -> Sheet:
    """指标明细: one column per item of the tree (value before coefficients, as the ranking JSON gives it),
    then the coefficient of each top-level item, in board order."""
    first = next(r for r in board.rows if r.items)
    codes = [code for code, _ in first.items]
    tops = [code for code, _ in first.coefficients]
    labels = item_labels(board.group.scheme_id)
    columns = [Column("名次", 7, INTEGER), Column("干部编号", 12), Column("姓名", 10)]
    columns += [Column(labels.get(code, code), 14, SCORE) for code in codes]
    columns += [Column(f"{labels.get(code, code)} 系数", 10, "0.####") for code in tops]
    rows = (
        (
            r.rank,
            r.cadre,
            r.name,
            *(Decimal(dict(r.items).get(code, "0")) for code in codes),
            *(Decimal(dict(r.coefficients).get(code, "1")) for code in tops),
        )
        for r in board.rows
    )
    caption = f"{board.group.name}（{board.group.code}）{quarter_label(board.period)}指标明细（系数前的得分；系数另列）"
    return Sheet("指标明细", columns, rows, caption=caption)


LEDGER_COLUMNS = (
    Column("记录编号", 22),
    Column("发生日期", 11, DATE),
    Column("季度", 8),
    Column("考核方案", 14),
    Column("规则编号", 10),
    Column("规则", 24),
    Column("类型", 10),
    Column("状态", 8),
    Column("数量", 8, "0.####"),
    Column("分值", 8, SCORE),
    Column("工分", 9, SCORE),
    Column("说明", 30),
    Column("录入人", 10),
    Column("录入时间", 16, DATETIME),
    Column("审核人", 10),
    Column("审核时间", 16, DATETIME),
    Column("审核意见", 20),
    Column("冲销/更正的原记录", 22),
)


def _person(user, label: str) -> str:
    return user.display_name if user is not None else label


def ledger_sheets(cadre: Cadre, entries: Iterable[Entry], period: str | None) -> list[Sheet]:
    """Every ledger line of the cadre the user may see, with status, rule, who recorded and decided it."""
    rows = (
        (
            e.code,
            e.occurred_on,
            e.period,
            e.scheme.code,
            e.rule.code,
            e.rule.name,
            e.get_kind_display(),
            e.get_status_display(),
            e.quantity,
            e.points,
            e.amount,
            e.description,
            _person(e.recorded_by, e.recorded_by_label),
            e.recorded_at,
            _person(e.decided_by, e.decided_by_label) if e.decided_at else "",
            e.decided_at,
            e.decision_reason,
            (e.reverses.code if e.reverses_id else "") or (e.adjusts.code if e.adjusts_id else ""),
        )
        for e in entries
    )
    scope = period or "全部季度"
    caption = f"{cadre.name}（{cadre.code}）工分台账 · {scope} · 导出于 {_exported()}"
    notes = ["工分 = 分值 × 数量；只有“已通过”的记录计入排名，冲销记录为负数。"]
    return [Sheet("工分台账", LEDGER_COLUMNS, rows, caption=caption, notes=notes)]
