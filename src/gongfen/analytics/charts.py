"""One small server-drawn chart for the analytics tables: labelled horizontal bars, flagged ones in red.

Drawn like gongfen.outputs.charts (plain SVG, every text escaped, a title and a description for
screen readers); no JavaScript and nothing fetched from elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

INK, BAR, FLAG, GRID = "#1f2933", "#4c78a8", "#c0392b", "#d9dee4"


def bars_svg(title: str, rows: Sequence[tuple[str, float, bool]], *, unit: str = "", top: float | None = None) -> str:
    """One bar per (label, value, flagged); ``top`` fixes the scale's end (e.g. 1 for shares)."""
    width, bar_h, gap, head, label_w = 640, 16, 6, 36, 200
    height = head + len(rows) * (bar_h + gap) + 16
    most = top if top is not None else max((v for _, v, _ in rows), default=1) or 1
    plot = width - label_w - 70
    body = [f'<text x="8" y="22" font-size="14" font-weight="bold" fill="{INK}">{escape(title)}</text>']
    for i, (label, value, flagged) in enumerate(rows):
        y = head + i * (bar_h + gap)
        w = max(0.0, min(1.0, value / most)) * plot
        shown = f"{value:.0%}" if unit == "%" else f"{value:.3g}{unit}"
        body += [
            f'<text x="{label_w - 6}" y="{y + 12}" font-size="12" text-anchor="end" fill="{INK}">{escape(label)}</text>',
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{FLAG if flagged else BAR}"/>',
            f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" font-size="11" fill="{INK}">{escape(shown)}'
            f"{' ⚑' if flagged else ''}</text>",
        ]
    desc = "；".join(f"{label} {value:.3g}{'（标记）' if flagged else ''}" for label, value, flagged in rows)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart analytics-bars">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
        f'<line x1="{label_w}" y1="{head - 4}" x2="{label_w}" y2="{height - 12}" stroke="{GRID}"/>'
        + "".join(body)
        + "</svg>"
    )
