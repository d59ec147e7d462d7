"""Printable tickets: a code, its link and the link's QR code as inline SVG (segno, no style attributes)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Ticket:
    code: str
    url: str
    svg: SafeString


def qr_svg(url: str, *, scale: int = 3) -> SafeString:
    """The QR code of ``url`` as inline SVG (segno's own markup, of our own URL)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=scale, border=2, omitsize=True, svgclass="qr", lineclass="qr-line"
    )
    return mark_safe(svg)


def ticket(base_url: str, code: str) -> Ticket:
    url = f"{base_url}?{urlencode({'code': code})}"
    return Ticket(code, url, qr_svg(url))
