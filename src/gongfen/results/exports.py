"""Excel workbooks of the results pages (through :mod:`gongfen.outputs.xlsx`) and the county chart.

Each workbook's first sheet has exactly the rows of the page's main table.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from gongfen.outputs.xlsx import INTEGER, SCORE, Column, Sheet, xlsx_response

from .selectors import CountySummary, QuarterResults, YearAccount


def _exported() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")


def _names(lines) -> str:
    return "、".join(f"{line.name}（{line.cadre}）" for line in lines)


def action_rows(results: QuarterResults) -> list[list]:
    """The page's table: every cadre's rank, tier, computed actions and actions after overrides."""
    rows = []
    for line in results.lines:
        notes = "；".join(
            f"{o.label}：{_('列入') if o.include else _('移出')}（{o.by}，{timezone.localtime(o.at):%Y-%m-%d}，{o.reason}）"
            for o in line.overrides.values()
        )
        rows.append(
            [
                line.rank,
                line.cadre,
                line.name,
                line.tier,
                Decimal(line.composite),
                _("是") if line.vetoed else "",
                line.computed_labels,
                line.action_labels,
                notes,
            ]
        )
    return rows


def actions_xlsx(results: QuarterResults):
    group, period = results.group, results.period
    status = results.state_label if results.final else _("{state}，名单为暂定").format(state=results.state_label)
    if not results.available:
        status = _("尚未公示，暂无名单")
    version = f" v{results.snapshot.version}" if results.snapshot else ""
    caption = f"{group.name} {period} {_('分档与名单')}（{status}{version}） {_('导出于')} {_exported()}"
    columns = [
        Column(_("名次"), 6, INTEGER),
        Column(_("代码"), 10),
        Column(_("姓名"), 12),
        Column(_("档次"), 8),
        Column(_("综合得分"), 10, SCORE),
        Column(_("一票否决"), 8),
        Column(_("计算结果"), 18),
        Column(_("最终名单"), 18),
        Column(_("组织部调整"), 40),
    ]
    sheets = [Sheet(_("分档与名单"), columns, action_rows(results), caption=caption)]
    short = [Column(_("名次"), 6, INTEGER), Column(_("代码"), 10), Column(_("姓名"), 12), Column(_("档次"), 8)]
    for action_list in results.lists:
        rows = [[line.rank, line.cadre, line.name, line.tier] for line in action_list.lines]
        sheets.append(Sheet(action_list.label, short, rows, caption=f"{group.name} {period} {action_list.label}"))
    return xlsx_response(f"{group.code}-{period}-名单.xlsx", sheets)


def county_columns(summary: CountySummary) -> list[Column]:
    tiers = max((section.tiers for section in summary.sections), key=len)
    return [
        Column(_("单位或同类干部"), 18),
        Column(_("排名组"), 12),
        Column(_("名称"), 20),
        Column(_("状态"), 8),
        *(Column(name, 6, INTEGER) for name in tiers),
        Column(_("本季首位推荐"), 24),
        Column(_("末位回炉"), 24),
        Column(_("本年首位推荐"), 30),
    ]


def county_rows(summary: CountySummary) -> list[list]:
    width = max(len(section.tiers) for section in summary.sections)
    rows = []
    for section in summary.sections:
        for row in section.rows:
            counts = (row.counts + [None] * width)[:width] if row.results.available else [None] * width
            year = "、".join(f"{name}（{cadre}，{quarters}）" for cadre, name, quarters in row.recommended_year)
            rows.append(
                [
                    section.title,
                    row.group.code,
                    row.group.name,
                    row.results.state_label,
                    *counts,
                    _names(row.recommended),
                    _names(row.retrained),
                    year,
                ]
            )
    return rows


def county_xlsx(summary: CountySummary):
    caption = f"{_('全县汇总')} {summary.period.code} {_('导出于')} {_exported()}"
    sheet = Sheet(_("全县汇总"), county_columns(summary), county_rows(summary), caption=caption)
    return xlsx_response(f"全县汇总-{summary.period.code}.xlsx", [sheet])


def year_columns(account: YearAccount) -> list[Column]:
    quarters = []
    for column in account.columns:
        mark = "" if column.source == "final" else f"（{column.label}）"
        quarters += [Column(f"{column.period.code}{mark} {_('综合')}", 12, SCORE), Column(_("名次"), 6, INTEGER)]
    return [
        Column(_("年度名次"), 8, INTEGER),
        Column(_("代码"), 10),
        Column(_("姓名"), 12),
        *quarters,
        Column(_("排名季度数"), 8, INTEGER),
        Column(_("年度得分"), 10, SCORE),
        Column(_("一票否决"), 8),
    ]


def year_rows(account: YearAccount) -> list[list]:
    rows = []
    for line in account.lines:
        cells = []
        for cell in line.cells:
            cells += [cell.composite, cell.rank] if cell else [None, None]
        rows.append(
            [line.rank, line.cadre, line.name, *cells, line.quarters, line.score, _("是") if line.vetoed else ""]
        )
    return rows


def year_xlsx(account: YearAccount):
    status = _("含暂定季度") if account.provisional else _("全部季度已定稿")
    caption = f"{account.group.name} {account.year} {_('年度总账')}（{status}） {_('导出于')} {_exported()}"
    sheet = Sheet(_("年度总账"), year_columns(account), year_rows(account), caption=caption)
    return xlsx_response(f"{account.group.code}-{account.year}-年度总账.xlsx", [sheet])


def county_chart(summary: CountySummary) -> str | None:
    """The stacked bars of tier counts per unit, from ``gongfen.outputs.charts`` when it has them (else None)."""
    try:
        from gongfen.outputs import charts
    except ImportError:
        return None
    draw = getattr(charts, "tier_counts_by_unit_svg", None)
    if draw is None:
        return None
    tiers = list(max((section.tiers for section in summary.sections), key=len))
    return draw([(section.title, section.totals) for section in summary.sections], tiers)
