"""The demo county's 2026Q3 notice of one township, published through the real services, as PDF, PNG and Excel.

The demo county is built once for the module inside a transaction that is
rolled back at the end, so other modules never see it.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from gongfen.accounts.demo import demo_users
from gongfen.accounts.models import User
from gongfen.accounts.services import user_create
from gongfen.common import Actor
from gongfen.demo import build_demo_bundle
from gongfen.interchange.services import bundle_load
from gongfen.ledger.services import entries_decide
from gongfen.org.models import Cadre
from gongfen.publication import services as publication
from gongfen.publication.selectors import closing_blockers
from gongfen.rankings import page_selectors
from gongfen.rankings.selectors import group_by_code
from tests.conftest import IN_CI, ROOT

PERIOD = "2026Q3"
GROUP = "G-SZ"  # 苏庄镇全体干部: a township with entries still pending in 2026Q3 (seed 2026, 300 cadres)
TITLE = "苏庄镇2026年第三季度干部工分排名公示"
PUBLISHED_ON = date(2026, 10, 12)


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker):
    """The demo county with G-SZ 2026Q3 closed, its blockers decided and published on 12 October 2026."""
    with django_db_blocker.unblock(), transaction.atomic():
        bundle_load(actor=Actor(None, "test"), bundle=build_demo_bundle(cadres=300), source="test")
        demo_users()
        group = group_by_code(GROUP)
        actor = Actor(User.objects.get(username="zzb"))
        publication.period_close(actor=actor, group=group, period=PERIOD)
        blockers = list(closing_blockers(group, PERIOD))
        assert blockers, "the township should have entries to decide before publication"
        entries_decide(actor=actor, entries=blockers[:1], decision="reject", reason="佐证不足")
        entries_decide(actor=actor, entries=blockers[1:], decision="approve", reason="核实无误")
        snapshot = publication.period_publish(actor=actor, group=group, period=PERIOD, today=PUBLISHED_ON)
        # a cadre of the township (not an administrator) sees the notice through the publication scope
        member = Cadre.objects.get(code=snapshot.data["ranking"]["rows"][-1]["cadre"])
        viewer = user_create(actor=Actor(None, "test"), username="sz-member", password="x" * 12, cadre=member)
        yield {"group": group, "snapshot": snapshot, "viewer": viewer}
        transaction.set_rollback(True)


@pytest.fixture
def viewer_client(published, db):
    client = Client()
    client.force_login(published["viewer"])
    return client


def pdf_text(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Base font name → whether its descriptor carries the font program (FontFile/FontFile2/FontFile3)."""
    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get_object().get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


def non_white_share(pgm: bytes) -> tuple[int, int, float]:
    """Width, height and share of non-white pixels of a binary PGM (P5) image."""
    match = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", pgm)
    assert match, pgm[:20]
    width, height = int(match.group(1)), int(match.group(2))
    pixels = pgm[match.end() : match.end() + width * height]
    return width, height, sum(1 for p in pixels if p < 200) / len(pixels)


def test_the_pdf_notice_has_the_title_every_row_and_the_fingerprint(published, viewer_client):
    snapshot = published["snapshot"]
    response = viewer_client.get(f"/outputs/notice/{GROUP}/{PERIOD}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text, reader = pdf_text(response.content)
    flat = re.sub(r"\s+", "", text)
    assert TITLE in flat
    assert "本排名组" in flat  # the scope
    assert "2026年10月12日" in flat and "异议受理" in flat
    rows = snapshot.data["ranking"]["rows"]
    names = dict(Cadre.objects.filter(code__in=[r["cadre"] for r in rows]).values_list("code", "name"))
    for row in rows:  # every cadre, with their composite on the same line as their name
        line = next((line for line in text.splitlines() if names[row["cadre"]] in line), None)
        assert line is not None, names[row["cadre"]]
        assert row["composite"] in line, (names[row["cadre"]], row["composite"], line)
    assert snapshot.fingerprint in flat
    fonts = embedded_fonts(reader)
    assert any("Noto-Sans-CJK-SC" in name for name in fonts), fonts
    assert fonts and all(fonts.values()), fonts
    (ROOT / "test-output").mkdir(exist_ok=True)
    (ROOT / "test-output" / "notice-G-SZ-2026Q3.pdf").write_bytes(response.content)


BASE = "https://gongfen.kaihua.example.gov.cn"


def test_the_pdf_is_tagged_pdfa_3u_with_the_objection_address_and_contact(published, viewer_client, settings):
    from gongfen.schemes.services import scheme_contact_set

    settings.GONGFEN_BASE_URL = BASE + "/"
    scheme = published["group"].scheme
    contact = {"office": "苏庄镇党政办公室", "phone": "0570-6031234", "address": "苏庄镇人民政府三楼 305 室"}
    scheme_contact_set(actor=Actor(None, "test"), scheme=scheme, **contact)
    response = viewer_client.get(f"/outputs/notice/{GROUP}/{PERIOD}.pdf")
    assert response.status_code == 200
    text, reader = pdf_text(response.content)
    flat = re.sub(r"\s+", "", text)
    assert f"{BASE}/publication/{GROUP}/{PERIOD}/object/" in flat  # an address that works from paper
    assert all(value.replace(" ", "") in flat for value in contact.values())
    # PDF/A-3u: the XMP metadata declares part 3, conformance U; an sRGB output intent
    root = reader.trailer["/Root"].get_object()
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")3", xmp) and re.search(r"pdfaid:conformance(>|=\")U", xmp), xmp
    (intent,) = root["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFA1"
    # tagged: a structure tree, marked content, the document's language
    assert "/StructTreeRoot" in root, sorted(root)
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert root["/StructTreeRoot"].get_object()["/K"]
    assert str(root["/Lang"]).startswith("zh")


def test_the_web_notice_shows_the_qr_code_of_the_objection_address(published, viewer_client, settings):
    from gongfen.evaluations.qr import qr_svg

    settings.GONGFEN_BASE_URL = BASE
    html = viewer_client.get(f"/outputs/notice/{GROUP}/{PERIOD}/").content.decode()
    url = f"{BASE}/publication/{GROUP}/{PERIOD}/object/"
    assert url in html and str(qr_svg(url, scale=2)) in html  # the QR code encodes exactly that address
    block = html.split('id="objection-contact"')[1].split("</div>")[0]
    assert "苏庄镇工分考核管理员" in block  # no contact set: the unit's administrators receive objections


def test_the_pdf_renders_to_a_page_a_clerk_can_print(published, viewer_client, tmp_path):
    if shutil.which("pdftoppm") is None:
        if IN_CI:
            pytest.fail("pdftoppm (poppler-utils) is required under CI")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(viewer_client.get(f"/outputs/notice/{GROUP}/{PERIOD}.pdf").content)
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, out / "notice-G-SZ-2026Q3"],
        check=True,
    )
    png = (out / "notice-G-SZ-2026Q3.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, tmp_path / "page"], check=True
    )
    width, height, ink = non_white_share((tmp_path / "page.pgm").read_bytes())
    assert abs(width - 496) <= 1 and abs(height - 702) <= 1  # A4 portrait at 60 dpi
    assert 0.03 < ink < 0.5, ink  # text and a table, neither blank nor a black page


def test_the_web_notice_is_the_same_notice(published, viewer_client):
    response = viewer_client.get(f"/outputs/notice/{GROUP}/{PERIOD}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert TITLE in html and published["snapshot"].fingerprint in html
    assert "<svg" in html and "tier-boundary" in html
    assert 'style="' not in html  # the Content Security Policy forbids inline styles


def test_the_snapshot_json_hashes_to_the_printed_fingerprint(published, viewer_client):
    import hashlib

    response = viewer_client.get(f"/outputs/notice/{GROUP}/{PERIOD}.json")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == published["snapshot"].fingerprint


def sheet_rows(content: bytes) -> list[tuple]:
    """(cadre, rank, tier, composite) of each data row of the first sheet, below the caption and header."""
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    assert ws["A2"].value == "名次" and ws.freeze_panes == "A3"
    assert ws["J3"].number_format == "0.00"
    return [
        (r[1], r[0], r[10], Decimal(str(r[9])).quantize(Decimal("0.01")))
        for r in ws.iter_rows(min_row=3, values_only=True)
        if r[1]
    ]


def test_the_excel_export_of_the_published_board_has_the_snapshot_rows(published, viewer_client):
    response = viewer_client.get(f"/outputs/board/{GROUP}/{PERIOD}.xlsx?source=snapshot")
    assert response.status_code == 200
    expected = [
        (r["cadre"], r["rank"], r["tier"], Decimal(r["composite"]))
        for r in published["snapshot"].data["ranking"]["rows"]
    ]
    assert sheet_rows(response.content) == expected
    assert viewer_client.get(f"/outputs/board/{GROUP}/{PERIOD}.xlsx?source=live").status_code == 404  # not for cadres


def test_the_excel_export_of_the_live_board_has_the_board_rows(published, db, client):
    client.force_login(User.objects.get(username="zzb"))
    response = client.get(f"/outputs/board/{GROUP}/{PERIOD}.xlsx?source=live")
    assert response.status_code == 200
    board = page_selectors.board(published["group"], PERIOD)
    expected = [(line.cadre, line.row.rank, line.row.tier, Decimal(line.composite)) for line in board.lines]
    assert sheet_rows(response.content) == expected
    (ROOT / "test-output").mkdir(exist_ok=True)
    (ROOT / "test-output" / "board-G-SZ-2026Q3.xlsx").write_bytes(response.content)
