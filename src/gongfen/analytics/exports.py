"""What-if results as JSON (the command's ``--format json``) and as Excel sheets (the command and the page)."""

from __future__ import annotations

from typing import Any

from gongfen.outputs.xlsx import INTEGER, SCORE, Column, Sheet
from gongfen.scoring import fmt2

from .whatif import Board, Change, WhatIf


def _row(row) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "rank": row.rank,
        "tier": row.tier,
        "composite": fmt2(row.composite),
        "quantitative": fmt2(row.quantitative),
    }


def _change(c: Change) -> dict[str, Any]:
    delta = c.score_delta
    return {
        "cadre": c.cadre,
        "name": c.name,
        "before": _row(c.before),
        "after": _row(c.after),
        "score_change": None if delta is None else fmt2(delta),
        "rank_change": c.rank_delta,
        "tier_changed": c.tier_changed,
        "moved_more_than_k": c.big_move,
    }


def whatif_as_dict(w: WhatIf) -> dict[str, Any]:
    return {
        "scheme": w.scheme,
        "source": w.source,
        "periods": list(w.periods),
        "k": w.k,
        "summary": w.summary,
        "changed_rules": list(w.changed_rules),
        "removed_rules": list(w.removed_rules),
        "boards": [
            {
                "group": b.group,
                "period": b.period,
                "tier_changes": b.tier_changes,
                "entered_top": b.entered_top,
                "big_moves": b.big_moves,
                "tier_counts": {"before": b.tier_counts("before"), "after": b.tier_counts("after")},
                "changes": [_change(c) for c in b.changes],
            }
            for b in w.boards
        ],
    }


COLUMNS = (
    Column("编码", 10),
    Column("姓名", 10),
    Column("原名次", 8, INTEGER),
    Column("新名次", 8, INTEGER),
    Column("名次变化", 9, INTEGER),
    Column("原档次", 8),
    Column("新档次", 8),
    Column("原综合得分", 11, SCORE),
    Column("新综合得分", 11, SCORE),
    Column("得分变化", 10, SCORE),
    Column("变动较大", 9),
)


def _sheet_rows(board: Board):
    for c in board.changes:
        b, a = c.before, c.after
        yield [
            c.cadre,
            c.name,
            b.rank if b else None,
            a.rank if a else None,
            c.rank_delta,
            b.tier if b else "",
            a.tier if a else "",
            b.composite if b else None,
            a.composite if a else None,
            c.score_delta,
            "是" if c.big_move else "",
        ]


def whatif_sheets(w: WhatIf, exported: str = "") -> list[Sheet]:
    summary = Sheet(
        title="试算汇总",
        caption=f"{w.scheme_name}（{w.scheme}）方案试算 {'、'.join(w.periods)}：{w.summary}{exported}",
        columns=(
            Column("排名组", 24),
            Column("期间", 9),
            Column("人数", 7, INTEGER),
            Column("档次变化", 9, INTEGER),
            Column(f"进入{w.boards[0].tier_names[0] if w.boards and w.boards[0].tier_names else '一档'}", 9, INTEGER),
            Column(f"名次变动超过 {w.k} 位", 14, INTEGER),
        ),
        rows=[[b.group_name, b.period, b.after.size, b.tier_changes, b.entered_top, b.big_moves] for b in w.boards],
        notes=("试算不保存任何数据；已定稿季度按草案规则重新计分，仅供参考。",),
    )
    sheets = [summary]
    for b in w.boards:
        sheets.append(
            Sheet(
                title=f"{b.group}-{b.period}",
                caption=f"{b.group_name}（{b.group}）{b.period} 试算前后对比",
                columns=COLUMNS,
                rows=list(_sheet_rows(b)),
            )
        )
    return sheets
