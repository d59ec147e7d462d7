"""The SVG charts: valid XML, accessible, and drawn where the numbers say."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal as D

from gongfen.outputs.charts import (
    TrendPoint,
    distribution_svg,
    rank_trend_svg,
    tier_boundaries,
    tier_counts_by_unit_svg,
)

NS = "{http://www.w3.org/2000/svg}"
TIERS = ["一档", "二档", "三档", "四档"]
# (composite, tier index, vetoed): one vetoed cadre with a high composite is last all the same
POINTS = [
    (D("97.43"), 0, False),
    (D("93.20"), 0, False),
    (D("88.10"), 1, False),
    (D("86.00"), 1, False),
    (D("84.55"), 1, False),
    (D("79.90"), 2, False),
    (D("72.25"), 2, False),
    (D("60.00"), 3, False),
    (D("95.00"), 3, True),
]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "Noto Sans CJK SC" in root.get("font-family")
    assert not any(el.get("style") for el in root.iter()) and root.find(f".//{NS}style") is None
    return root


def test_tier_boundaries_are_the_lowest_composite_of_each_tier_but_the_last():
    assert tier_boundaries(POINTS) == [(0, D("93.20")), (1, D("84.55")), (2, D("72.25"))]
    assert tier_boundaries([]) == []


def axis(root: ET.Element) -> tuple[float, float]:
    """Slope and intercept of value → x, read from two labelled ticks of the x axis."""
    ticks = []
    for text in root.iter(f"{NS}text"):
        try:
            value = float(text.text)
        except (TypeError, ValueError):
            continue
        if text.get("text-anchor") == "middle":
            ticks.append((value, float(text.get("x"))))
    (v1, x1), (v2, x2) = ticks[0], ticks[-1]
    slope = (x2 - x1) / (v2 - v1)
    return slope, x1 - slope * v1


def test_the_distribution_draws_a_boundary_at_each_tiers_lowest_composite():
    root = parse(distribution_svg(POINTS, TIERS, title="齐溪镇全体干部 2026Q3 综合得分分布"))
    lines = root.findall(f".//{NS}line[@class='tier-boundary']")
    assert [(line.get("data-tier"), line.get("data-composite")) for line in lines] == [
        ("一档", "93.20"),
        ("二档", "84.55"),
        ("三档", "72.25"),
    ]
    slope, intercept = axis(root)
    for line in lines:
        assert line.get("x1") == line.get("x2")
        assert abs(float(line.get("x1")) - (slope * float(line.get("data-composite")) + intercept)) < 0.2
    labels = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "tier-boundary-label"]
    assert labels == ["一档 ≥ 93.20", "二档 ≥ 84.55", "三档 ≥ 72.25"]
    bars = root.findall(f".//{NS}rect[@class='chart-bar']")
    assert sum(int(b.get("data-count")) for b in bars) == len(POINTS)
    assert sum(int(b.get("data-count")) for b in bars if b.get("data-tier") == "3") == 2  # the vetoed one too


def test_the_rank_chart_has_one_point_per_ranked_quarter_and_no_line_across_a_gap():
    points = [
        TrendPoint("2026Q1", 3, 12, D("91.50"), "一档"),
        TrendPoint("2026Q2", None, 12, None),
        TrendPoint("2026Q3", 1, 13, D("99.04"), "一档"),
        TrendPoint("2026Q4", 2, 13, D("95.10"), "一档"),
    ]
    root = parse(rank_trend_svg(points, title="甲一 · 齐溪镇全体干部 名次与综合得分"))
    ranks = root.findall(f".//{NS}circle[@class='rank-point']")
    assert [(c.get("data-period"), c.get("data-rank")) for c in ranks] == [
        ("2026Q1", "3"),
        ("2026Q3", "1"),
        ("2026Q4", "2"),
    ]
    composites = root.findall(f".//{NS}circle[@class='composite-point']")
    assert [c.get("data-composite") for c in composites] == ["91.50", "99.04", "95.10"]
    # the rank 1 point is drawn above the rank 3 one
    assert float(ranks[1].get("cy")) < float(ranks[0].get("cy"))
    polylines = root.findall(f".//{NS}polyline")
    assert len(polylines) == 2  # rank and composite from Q3 to Q4; nothing bridges Q2
    assert all(len(p.get("points").split()) == 2 for p in polylines)
    assert "未排名" in "".join(t.text or "" for t in root.iter(f"{NS}text"))


def test_the_unit_comparison_stacks_each_units_tier_counts():
    rows = [("齐溪镇", [2, 5, 3, 1]), ("县文化和广电旅游体育局", [1, 0, 2, 1]), ("桐村镇", [0, 0, 0, 0])]
    root = parse(tier_counts_by_unit_svg(rows, TIERS))
    bars = [b for b in root.iter(f"{NS}rect") if b.get("data-unit")]
    counts = {}
    for bar in bars:
        counts.setdefault(bar.get("data-unit"), {})[int(bar.get("data-tier"))] = int(bar.get("data-count"))
    assert counts == {"齐溪镇": {0: 2, 1: 5, 2: 3, 3: 1}, "县文化和广电旅游体育局": {0: 1, 2: 2, 3: 1}}
    widths = {b.get("data-unit"): 0.0 for b in bars}
    for bar in bars:
        widths[bar.get("data-unit")] += float(bar.get("width"))
    assert abs(widths["齐溪镇"] / widths["县文化和广电旅游体育局"] - 11 / 4) < 0.01
    assert "齐溪镇：一档 2 人" in root.find(f"{NS}desc").text
