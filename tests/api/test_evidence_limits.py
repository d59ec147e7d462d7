"""The API takes the evidence limits of the web form (issue 14, finding 7): GONGFEN_EVIDENCE_MAX_FILES and _MB."""

from __future__ import annotations

import base64

import pytest

from gongfen.ledger import evidence as evidence_files
from gongfen.ledger.models import Entry

from .test_endpoints import EVIDENCE_RULE

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def stored_files() -> list[str]:
    root = evidence_files.evidence_root()
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_the_api_refuses_more_files_or_bytes_than_the_form(api, settings):
    def files(n: int, size: int):
        content = base64.b64encode(b"%PDF-" + b"0" * size).decode()
        return [{"name": f"证明{i}.pdf", "content_base64": content} for i in range(n)]

    client = api("a04")
    six = client.post("/entries", EVIDENCE_RULE | {"evidence": files(6, 10)})
    assert six.status_code == 422 and six.json()["field"] == "evidence", six.content
    settings.GONGFEN_EVIDENCE_MAX_BYTES = 2 * MB
    big = client.post("/entries", EVIDENCE_RULE | {"evidence": files(3, MB)})
    assert big.status_code == 400 and "合计不能超过 2 MB" in big.json()["message"], big.content
    assert not Entry.objects.filter(rule__code="S-INV", cadre__code="A04").exists() and stored_files() == []
