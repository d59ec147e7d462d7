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


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _num(value: float | None, places: int = 2):
    return None if value is None else round(value, places)


def fairness_sheets(report, exported: str = "") -> list[Sheet]:
    """Every table of the fairness page, one sheet each."""
    flag = "是"
    sheets = [
        Sheet(
            title="审核宽松度",
            caption=f"{report.period} 审核宽松度（费希尔精确检验，Holm 校正）{exported}",
            columns=(
                Column("考核方案", 16),
                Column("审核人", 14),
                Column("审核条数", 9, INTEGER),
                Column("通过", 7, INTEGER),
                Column("退回", 7, INTEGER),
                Column("通过率", 9),
                Column("其他人通过率", 12),
                Column("每条平均分值", 12, SCORE),
                Column("审核用时中位数（天）", 14, SCORE),
                Column("校正后 p 值", 12),
                Column("标记", 6),
            ),
            rows=[
                [
                    r.scheme,
                    r.reviewer,
                    r.decided,
                    r.approved,
                    r.rejected,
                    _pct(r.rate),
                    _pct(r.others_rate),
                    _num(r.points_per_entry),
                    _num(r.median_days),
                    "" if r.adjusted is None else f"{r.adjusted:.2g}",
                    flag if r.flagged else "",
                ]
                for r in report.reviewers
            ],
        ),
        Sheet(
            title="集中突击填报",
            caption=f"{report.period} 期末 10 天的记录占比（二项检验，Holm 校正）{exported}",
            columns=(
                Column("考核方案", 16),
                Column("名称", 30),
                Column("记录条数", 9, INTEGER),
                Column("期末10天发生", 12, INTEGER),
                Column("发生占比", 9),
                Column("期末10天录入", 12, INTEGER),
                Column("录入占比", 9),
                Column("补录（晚于30天）", 14, INTEGER),
                Column("校正后 p 值", 12),
                Column("标记", 6),
            ),
            rows=[
                [
                    b.scheme,
                    b.scheme_name,
                    b.entries,
                    b.last_occurred,
                    _pct(b.share_occurred),
                    b.last_recorded,
                    _pct(b.share_recorded),
                    b.backdated,
                    "" if b.adjusted is None else f"{b.adjusted:.2g}",
                    flag if b.flagged else "",
                ]
                for b in report.bursts
            ],
        ),
        Sheet(
            title="大锅饭与极端高分",
            caption=f"{report.period} 各排名组得分离散程度与最高分影响{exported}",
            columns=(
                Column("排名组", 24),
                Column("人数", 7, INTEGER),
                Column("平均综合得分", 12, SCORE),
                Column("最高综合得分", 12, SCORE),
                Column("离散系数", 9),
                Column("最大同分占比", 12),
                Column("大锅饭", 8),
                Column("最高工分/第二名", 14),
                Column("去掉最高分后他人折算分平均提高", 24, SCORE),
                Column("极端高分", 9),
            ),
            rows=[
                [
                    g.group_name,
                    g.size,
                    _num(g.mean),
                    _num(g.top),
                    "" if g.cv is None else f"{g.cv:.3f}",
                    _pct(g.tie_share),
                    flag if g.flat else "",
                    "" if g.ratio is None else f"{g.ratio:.2f}",
                    _num(g.gain),
                    flag if g.outlier else "",
                ]
                for g in report.flat
            ],
        ),
        Sheet(
            title="评价最高等次占比",
            caption=f"{report.period} 各评价主体给出最高等次的占比（匿名评价票）{exported}",
            columns=(
                Column("考核方案", 16),
                Column("评价主体", 12),
                Column("票数", 8, INTEGER),
                Column("最高等次", 10),
                Column("占比", 9),
            ),
            rows=[[b.scheme, b.evaluator_class, b.ballots, b.top_grade, _pct(b.top_share)] for b in report.ballots],
        ),
    ]
    codes = [p for p, _, _ in report.inflation[0].periods] if report.inflation else []
    sheets.append(
        Sheet(
            title="分数膨胀",
            caption=f"各考核方案每期的平均与最高综合得分{exported}",
            columns=(
                Column("考核方案", 30),
                *(c for code in codes for c in (Column(f"{code} 平均", 11, SCORE), Column(f"{code} 最高", 11, SCORE))),
            ),
            rows=[
                [i.scheme_name, *(v for _, mean, top in i.periods for v in (_num(mean), _num(top)))]
                for i in report.inflation
            ],
        )
    )
    return sheets
