"""Charts drawn on the server as SVG strings: no JavaScript, no CDN, the same picture in a page and in the PDF.

Pure functions over plain data (no Django, no database): each returns a
complete ``<svg>`` element with a ``<title>`` and ``<desc>`` (read by screen
readers through ``aria-labelledby``). Colours and text are presentation
attributes, never ``style=`` or a ``<style>`` element, so an SVG inlined in a
page passes the Content Security Policy and WeasyPrint draws it as it is.
Text uses the product's CJK fonts (Noto Sans CJK SC, embedded in the PDF).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

FONT = "'Noto Sans CJK SC', 'Noto Serif CJK SC', sans-serif"
INK, MUTED, GRID = "#1f2933", "#616e7c", "#d9dee4"
# first tier green, then blue and amber; the last tier is always red, whatever the count
PALETTE = ("#2f7d4a", "#3f7fb5", "#d39b1c", "#8a6fb0", "#5c8a8a")
LAST = "#c0392b"


def tier_colour(index: int, count: int) -> str:
    if count > 1 and index >= count - 1:
        return LAST
    return PALETTE[index % len(PALETTE)]


def _fmt(value: float | Decimal) -> str:
    """A coordinate: at most one decimal place, no trailing zeros."""
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(x: float, y: float, text: str, *, size: int = 12, anchor: str = "start", fill: str = INK, **attrs) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in attrs.items())
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{escape(text)}</text>"
    )


def _line(x1: float, y1: float, x2: float, y2: float, *, stroke: str = GRID, width: float = 1, **attrs) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in attrs.items())
    return (
        f'<line x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}" stroke="{stroke}" '
        f'stroke-width="{_fmt(width)}"{extra}/>'
    )


def _svg(width: int, height: int, title: str, desc: str, body: list[str], kind: str) -> str:
    key = hashlib.sha1(f"{kind}{title}{desc}".encode()).hexdigest()[:8]  # unique enough for several per page
    tid, did = f"chart-{key}-t", f"chart-{key}-d"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{tid} {did}" '
        f'font-family="{FONT}" font-size="12">'
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    span = max(hi - lo, 1e-9)
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + k * step, 6) for k in range(int((hi - first) / step + 1e-9) + 1)]


def _label_width(text: str, size: int = 12) -> float:
    """Rough width of a label: CJK characters are square, Latin ones about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


# --- (a) a cadre's rank and composite across quarters ------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """One quarter of a cadre in a group: rank of size and composite, or None when not ranked."""

    period: str
    rank: int | None
    size: int
    composite: Decimal | None
    tier: str = ""


def rank_trend_svg(points: Sequence[TrendPoint], *, title: str) -> str:
    """Two panels over the quarters: the rank (1 at the top) and the composite C; gaps where not ranked."""
    width, left, right = 520, 56, 24
    rank_top, rank_h, comp_top, comp_h = 62, 80, 178, 80
    height = comp_top + comp_h + 40
    n = max(len(points), 1)
    step = (width - left - right) / n
    xs = [left + step * (i + 0.5) for i in range(len(points))]
    ranked = [(x, p) for x, p in zip(xs, points, strict=True) if p.rank is not None]
    body = [_text(left, 18, title, size=14, font_weight="bold")]

    worst = max([p.size for p in points if p.rank is not None] or [1])

    def rank_y(rank: int) -> float:
        return rank_top + (rank - 1) / max(worst - 1, 1) * rank_h

    comps = [float(p.composite) for _, p in ranked if p.composite is not None]
    lo = max(math.floor(min(comps or [0]) / 5) * 5 - 5, 0)
    hi = max(math.ceil(max(comps or [100]) / 5) * 5 + 5, lo + 10)

    def comp_y(value: float) -> float:
        return comp_top + comp_h - (value - lo) / (hi - lo) * comp_h

    legend = (("#3f7fb5", "名次（上为第 1 名）"), ("#2f7d4a", "综合得分 C"))
    x = left
    for colour, label in legend:
        body.append(f'<circle cx="{_fmt(x + 5)}" cy="33" r="4.5" fill="{colour}"/>')
        body.append(_text(x + 14, 37, label, size=11))
        x += 14 + _label_width(label, 11) + 18
    ticks = [int(t) for t in _ticks(1, worst, 3) if t == int(t) and 1 < t < worst - 0.15 * worst]
    for rank in sorted({1, worst, *ticks}):
        y = rank_y(int(rank))
        body += [_line(left, y, width - right, y), _text(left - 6, y + 4, str(int(rank)), size=11, anchor="end")]
    for tick in _ticks(lo, hi, 4):
        y = comp_y(tick)
        body += [_line(left, y, width - right, y), _text(left - 6, y + 4, _fmt(tick), size=11, anchor="end")]

    for segment in _runs(ranked):
        if len(segment) > 1:
            body.append(_polyline([(x, rank_y(p.rank)) for x, p in segment], "#3f7fb5"))
            body.append(_polyline([(x, comp_y(float(p.composite))) for x, p in segment], "#2f7d4a"))
    for x, p in ranked:
        y = rank_y(p.rank)
        body.append(
            f'<circle class="rank-point" cx="{_fmt(x)}" cy="{_fmt(y)}" r="4.5" fill="#3f7fb5" '
            f'data-period="{p.period}" data-rank="{p.rank}"/>'
        )
        body.append(
            _text(x, y - 9 if p.rank > 1 or worst == 1 else y + 17, f"{p.rank}/{p.size}", size=11, anchor="middle")
        )
        cy = comp_y(float(p.composite))
        body.append(
            f'<circle class="composite-point" cx="{_fmt(x)}" cy="{_fmt(cy)}" r="4.5" fill="#2f7d4a" '
            f'data-period="{p.period}" data-composite="{p.composite}"/>'
        )
        body.append(_text(x, cy - 9, f"{p.composite}", size=11, anchor="middle"))
    for x, p in zip(xs, points, strict=True):
        body.append(_text(x, height - 22, p.period, size=11, anchor="middle", fill=MUTED))
        label = p.tier if p.rank is not None else "未排名"
        body.append(_text(x, height - 8, label, size=11, anchor="middle", fill=INK if p.rank else MUTED))
    desc = "；".join(
        f"{p.period}：第 {p.rank} 名（共 {p.size} 人），综合得分 {p.composite}，{p.tier}"
        if p.rank is not None
        else f"{p.period}：未排名"
        for p in points
    )
    return _svg(width, height, title, desc or "无数据", body, "trend")


def _runs(ranked: list[tuple[float, TrendPoint]]) -> list[list[tuple[float, TrendPoint]]]:
    """Consecutive ranked quarters (a line never bridges a quarter without a rank)."""
    runs: list[list[tuple[float, TrendPoint]]] = []
    previous = None
    for x, p in ranked:
        if previous is not None and _next_quarter(previous) == p.period:
            runs[-1].append((x, p))
        else:
            runs.append([(x, p)])
        previous = p.period
    return runs


def _next_quarter(code: str) -> str:
    year, q = int(code[:4]), int(code[-1])
    return f"{year + 1}Q1" if q == 4 else f"{year}Q{q + 1}"


def _polyline(xy: list[tuple[float, float]], colour: str) -> str:
    points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in xy)
    return f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'


# --- (b) the composite distribution of a group, with tier boundaries ----------------------------


def tier_boundaries(points: Sequence[tuple[Decimal, int, bool]]) -> list[tuple[int, Decimal]]:
    """(tier index, lowest composite in that tier) for every tier but the last present.

    ``points`` are (composite, tier index, vetoed). Vetoed rows are last whatever
    their composite, so they do not mark a boundary.
    """
    lowest: dict[int, Decimal] = {}
    for composite, tier, vetoed in points:
        if not vetoed:
            lowest[tier] = min(composite, lowest.get(tier, composite))
    if not lowest:
        return []
    last = max(tier for _, tier, _ in points)
    return sorted((tier, value) for tier, value in lowest.items() if tier < last)


def distribution_svg(
    points: Sequence[tuple[Decimal, int, bool]], tier_names: Sequence[str], *, title: str, width: int = 640
) -> str:
    """A histogram of composites, each bar split by tier, with a dashed line at each tier's lowest composite."""
    bounds = tier_boundaries(points)
    rows = min(len(bounds), 3)  # the boundary labels sit in a band above the bars, one row each
    left, right, bottom, top = 40, 16, 40, 52 + 15 * rows
    height = top + 170 + bottom
    values = [float(c) for c, _, _ in points] or [0.0]
    lo, hi = math.floor(min(values) / 5) * 5, math.ceil(max(values) / 5) * 5
    if hi - lo < 10:
        hi = lo + 10
    if hi == max(values):
        hi += 5
    span = hi - lo
    bin_width = next(b for b in (1, 2, 2.5, 5, 10, 20) if span / b <= 40)
    bins = math.ceil(span / bin_width)
    counts = [[0] * len(tier_names) for _ in range(bins)]
    for composite, tier, _ in points:
        k = min(int((float(composite) - lo) // bin_width), bins - 1)
        counts[k][min(tier, len(tier_names) - 1)] += 1
    tallest = max((sum(c) for c in counts), default=1) or 1
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(value: float) -> float:
        return left + (value - lo) / span * plot_w

    def y_of(count: float) -> float:
        return top + plot_h - count / tallest * plot_h

    body = [_text(left, 18, title, size=14, font_weight="bold")]
    x = left
    for i, name in enumerate(tier_names):  # legend
        n = sum(1 for _, t, _ in points if t == i)
        label = f"{name} {n} 人"
        body.append(f'<rect x="{_fmt(x)}" y="28" width="10" height="10" fill="{tier_colour(i, len(tier_names))}"/>')
        body.append(_text(x + 14, 37, label, size=11))
        x += 14 + _label_width(label, 11) + 14
    for tick in _ticks(0, tallest, 4):
        if tick == int(tick):
            y = y_of(tick)
            body += [_line(left, y, width - right, y), _text(left - 6, y + 4, str(int(tick)), size=11, anchor="end")]
    for k, per_tier in enumerate(counts):
        x0, x1 = x_of(lo + k * bin_width), x_of(lo + (k + 1) * bin_width)
        stacked = 0
        for tier, n in enumerate(per_tier):
            if n:
                y_top, y_bottom = y_of(stacked + n), y_of(stacked)
                body.append(
                    f'<rect class="chart-bar" x="{_fmt(x0 + 0.5)}" y="{_fmt(y_top)}" width="{_fmt(max(x1 - x0 - 1, 0.5))}" '
                    f'height="{_fmt(y_bottom - y_top)}" fill="{tier_colour(tier, len(tier_names))}" '
                    f'data-tier="{tier}" data-count="{n}"/>'
                )
                stacked += n
    body.append(_line(left, top + plot_h, width - right, top + plot_h, stroke=INK))
    for tick in _ticks(lo, hi, 8):
        body += [_line(x_of(tick), top + plot_h, x_of(tick), top + plot_h + 4, stroke=INK)]
        body.append(_text(x_of(tick), top + plot_h + 16, _fmt(tick), size=11, anchor="middle"))
    body.append(_text(left + plot_w / 2, height - 6, "综合得分 C", size=11, anchor="middle", fill=MUTED))
    body.append(_text(left - 6, top - 6, "人数", size=11, anchor="end", fill=MUTED))
    for j, (tier, value) in enumerate(bounds):
        bx = x_of(float(value))
        name = tier_names[tier] if tier < len(tier_names) else str(tier)
        body.append(
            _line(bx, 56 + 15 * (j % 3), bx, top + plot_h, stroke=INK, width=1.2, stroke_dasharray="4 3").replace(
                "<line ", f'<line class="tier-boundary" data-tier="{escape(name)}" data-composite="{value}" ', 1
            )
        )
        anchor = "end" if bx > left + plot_w * 0.6 else "start"
        dx = -3 if anchor == "end" else 3
        label = _text(bx + dx, 64 + 15 * (j % 3), f"{name} ≥ {value}", size=11, anchor=anchor)
        body.append(label.replace("<text ", '<text class="tier-boundary-label" ', 1))
    desc = f"{len(points)} 人的综合得分分布（每柱 {_fmt(bin_width)} 分）；" + "；".join(
        f"{tier_names[t] if t < len(tier_names) else t}最低综合得分 {v}" for t, v in bounds
    )
    return _svg(width, height, title, desc, body, "distribution")


# --- (c) the county's units compared: how many in each tier ------------------------------------


def tier_counts_by_unit_svg(rows: list[tuple[str, list[int]]], tier_names: list[str]) -> str:
    """A horizontal stacked bar per unit: how many of its cadres fell in each tier (counts per tier name)."""
    width, bar_h, gap, top = 640, 18, 8, 52
    label_w = min(max((_label_width(name) for name, _ in rows), default=60) + 12, 190)
    right = 40
    height = top + len(rows) * (bar_h + gap) + 12
    most = max((sum(counts) for _, counts in rows), default=1) or 1
    plot_w = width - label_w - right
    title = "各单位分档人数"
    body = [_text(8, 18, title, size=14, font_weight="bold")]
    x = label_w
    for i, name in enumerate(tier_names):
        body.append(f'<rect x="{_fmt(x)}" y="28" width="10" height="10" fill="{tier_colour(i, len(tier_names))}"/>')
        body.append(_text(x + 14, 37, name, size=11))
        x += 14 + _label_width(name, 11) + 14
    for r, (unit, counts) in enumerate(rows):
        y = top + r * (bar_h + gap)
        shown = unit if _label_width(unit) <= label_w - 12 else unit[: int((label_w - 24) // 12)] + "…"
        body.append(_text(label_w - 8, y + bar_h - 4, shown, anchor="end"))
        x = label_w
        for tier, n in enumerate(counts):
            if not n:
                continue
            w = n / most * plot_w
            body.append(
                f'<rect class="chart-bar" x="{_fmt(x)}" y="{y}" width="{_fmt(w)}" height="{bar_h}" '
                f'fill="{tier_colour(tier, len(tier_names))}" data-unit={quoteattr(unit)} data-tier="{tier}" '
                f'data-count="{n}"/>'
            )
            if w >= 16:
                body.append(_text(x + w / 2, y + bar_h - 5, str(n), size=11, anchor="middle", fill="#ffffff"))
            x += w
        body.append(_text(x + 4, y + bar_h - 5, str(sum(counts)), size=11, fill=MUTED))
    desc = "；".join(
        f"{unit}：" + "，".join(f"{tier_names[i] if i < len(tier_names) else i} {n} 人" for i, n in enumerate(counts))
        for unit, counts in rows
    )
    return _svg(width, height, title, desc or "无数据", body, "units")
