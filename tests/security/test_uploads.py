"""Uploads: the type is read from the content, the size is bounded, the stored name is random and
unguessable, the folder is never served, and a file is served back only as its checked type with
``nosniff`` (so a browser never renders an upload as HTML or runs it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongfen.common import DomainError
from gongfen.ledger import evidence as evidence_files
from gongfen.ledger.models import Entry, Evidence
from gongfen.schemes.models import Rule
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import MINIMAL_PDF

HTML = b"<!doctype html><html><body><script>fetch('/ledger/review/')</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
POLYGLOT = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"  # a PDF header, HTML inside


def declare(client, name: str, content: bytes, **more):
    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    data = {"rule": rule.pk, "occurred_on": "2026-08-10", "quantity": "1", "description": "走访", "intent": "submit"}
    data |= more
    return client.post(reverse("ledger:declare"), {**data, "evidence": [upload]})


@pytest.mark.parametrize(("name", "content"), [("证明.pdf", HTML), ("照片.png", SVG), ("说明.pdf", b"just text")])
def test_a_file_named_pdf_or_png_with_other_content_is_refused_and_nothing_is_written(county, client, name, content):
    client.force_login(county["a01"])
    entries = Entry.objects.count()
    response = declare(client, name, content)
    assert response.status_code == 200 and "不是 PDF 或图片" in response.content.decode()
    assert Entry.objects.count() == entries and not Evidence.objects.exists()
    assert not evidence_files.evidence_root().exists() or not any(evidence_files.evidence_root().iterdir())


def test_a_file_over_the_limit_is_refused_with_its_size_in_the_message():
    with pytest.raises(DomainError, match="超过 10 MB"):
        evidence_files.check_upload("大.pdf", b"%PDF-" + b"0" * evidence_files.MAX_BYTES)
    assert evidence_files.check_upload("刚好.pdf", b"%PDF-" + b"0" * (evidence_files.MAX_BYTES - 5)).extension == ".pdf"


def test_an_oversized_upload_through_the_page_changes_nothing(county, client):
    client.force_login(county["a01"])
    entries = Entry.objects.count()
    response = declare(client, "大.pdf", b"%PDF-" + b"0" * evidence_files.MAX_BYTES)
    assert response.status_code == 200 and "超过 10 MB" in response.content.decode()
    assert Entry.objects.count() == entries and not Evidence.objects.exists()


def test_stored_under_a_random_name_in_a_folder_no_url_serves(county, client):
    client.force_login(county["a01"])
    declare(client, "../../etc/走访.pdf", MINIMAL_PDF)
    declare(client, "../../etc/走访.pdf", MINIMAL_PDF, confirm_duplicate="1")  # the same file again, knowingly
    first, second = Evidence.objects.order_by("id")
    assert first.token != second.token and len(first.token) >= 43  # 32 random bytes, URL-safe
    stored = sorted(p.name for p in evidence_files.evidence_root().iterdir())
    assert stored == sorted([first.token, second.token])  # not the uploaded name, no extension, no path
    assert first.original_name == "走访.pdf"
    assert Path(settings.MEDIA_ROOT).resolve() != Path(settings.STATIC_ROOT).resolve()
    for url in (f"/media/evidence/{first.token}", f"/static/evidence/{first.token}", f"/evidence/{first.token}"):
        assert client.get(url).status_code == 404


def test_served_only_as_the_checked_type_with_nosniff(county, client):
    client.force_login(county["a01"])
    declare(client, "page.pdf", POLYGLOT)
    item = Evidence.objects.get()
    response = client.get(reverse("ledger:evidence", args=[item.entry.code, item.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"  # never text/html, whatever is inside
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; filename*=UTF-8''")
    assert "object-src 'none'" in response["Content-Security-Policy"]
