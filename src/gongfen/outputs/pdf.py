"""HTML to PDF with WeasyPrint: A4, the CJK fonts embedded (subset), the notice's own stylesheet.

The PDF is tagged PDF/A-3u (ISO 19005-3, level U: every glyph maps to Unicode): an archival
file with its XMP metadata, an sRGB output intent and a structure tree (``/StructTreeRoot``,
``/MarkInfo /Marked true``) that screen readers and text extraction follow.

The fonts come from the system (Debian ``fonts-noto-cjk``: Noto Sans CJK SC,
Noto Serif CJK SC); WeasyPrint embeds the glyphs used, so the PDF prints the
same on any machine. No URL is fetched: the stylesheet is read from the
app's static folder and the charts are inline SVG.
"""

from __future__ import annotations

from pathlib import Path

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

STYLESHEET = Path(__file__).resolve().parent / "static" / "outputs" / "notice.css"
PDF_VARIANT = "pdf/a-3u"


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the PDF fetches nothing from outside: {url}")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML  # imported here: loading pango takes a moment, and only PDFs need it

    document = HTML(string=html, base_url=str(STYLESHEET.parent), url_fetcher=_no_fetch)
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))], pdf_variant=PDF_VARIANT, pdf_tags=True)


def pdf_response(request, template: str, context: dict, filename: str) -> HttpResponse:
    """Render ``template`` (with ``pdf=True`` in the context) to a PDF download named ``filename``."""
    html = render_to_string(template, context | {"pdf": True}, request=request)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response
