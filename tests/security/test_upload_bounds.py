"""Bounded resources for every upload (issue 14, finding 7).

The attacks: the web declaration form accepted 30 evidence files of 9.9 MB in
one request and read them all into memory; a 1 MB .xlsx zip bomb pushed the
web process from 122 MB to 2.1 GB. Here the same requests are made: the form
takes at most GONGFEN_EVIDENCE_MAX_FILES files and GONGFEN_EVIDENCE_MAX_MB in
all (as the API: tests/api/test_evidence_limits.py), the request's memory stays small (measured with
tracemalloc), and the bomb is refused, naming the member, before openpyxl
parses it, with the memory of a child process barely moving (ru_maxrss).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tracemalloc
import zipfile
from http.cookies import SimpleCookie
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import ClientHandler
from django.urls import reverse
from openpyxl import Workbook

from gongfen.interchange.excel import KINDS, import_plan, reader
from gongfen.interchange.excel.reader import MAX_COLUMNS
from gongfen.ledger import evidence as evidence_files
from gongfen.ledger.models import Entry, Evidence
from gongfen.schemes.models import Rule
from tests.conftest import ROOT
from tests.factories import ACTOR
from tests.web_fixtures import *  # noqa: F403

MB = 1024 * 1024
BOUNDARY = "----gongfen-test-boundary"
FIELDS = {"occurred_on": "2026-08-10", "quantity": "1", "description": "走访", "intent": "submit"}


class MultipartStream:
    """A multipart body of ``files`` files of ``size`` bytes each, produced as it is read (never held whole)."""

    def __init__(self, fields: dict[str, str], files: int, size: int):
        head = b"".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        )
        self.parts = [head]
        part_head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="evidence"; filename="证明{{}}.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        )
        self.files = [(part_head.format(i).encode(), size) for i in range(files)]
        self.tail = f"--{BOUNDARY}--\r\n".encode()
        self.length = len(head) + sum(len(h) + size + 2 for h, size in self.files) + len(self.tail)
        self._chunks = self._generate()
        self._buffer = b""

    def _generate(self):
        yield from self.parts
        block = b"0" * (256 * 1024)
        for head, size in self.files:
            yield head + b"%PDF-"
            left = size - 5
            while left > 0:
                yield block[: min(left, len(block))]
                left -= len(block)
            yield b"\r\n"
        yield self.tail

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def post_streamed(client, path: str, body: MultipartStream):
    """POST ``body`` through Django's request handling as a server would, the body read as it streams."""
    cookies = SimpleCookie()
    cookies.update(client.cookies)
    environ = client._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.length),
        HTTP_COOKIE="; ".join(f"{m.key}={m.coded_value}" for m in cookies.values()),
    )
    environ["wsgi.input"] = body
    return ClientHandler(enforce_csrf_checks=False)(environ)


def stored_files() -> list[str]:
    root = evidence_files.evidence_root()
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_thirty_files_of_99_mb_in_one_declaration_are_refused_in_bounded_memory(county, client):
    client.force_login(county["a01"])
    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    body = MultipartStream({"rule": str(rule.pk), **FIELDS}, files=30, size=int(9.9 * MB))
    assert body.length > 290 * MB
    entries = Entry.objects.count()
    tracemalloc.start()
    try:
        response = post_streamed(client, reverse("ledger:declare"), body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    assert "一次最多上传 5 个文件" in response.content.decode()
    assert Entry.objects.count() == entries and not Evidence.objects.exists() and stored_files() == []
    assert peak < 24 * MB, f"the request held {peak / MB:.0f} MB"  # files streamed to disk, never read whole


def test_the_form_takes_the_same_count_and_total_as_the_api(county, client, settings):
    client.force_login(county["a01"])
    rule = Rule.objects.get(scheme__code="QX-2026", code="R-TASK")
    data = {"rule": rule.pk, **FIELDS}

    def pdfs(n: int, size: int):
        return [SimpleUploadedFile(f"证明{i}.pdf", b"%PDF-" + b"0" * size, "application/pdf") for i in range(n)]

    six = client.post(reverse("ledger:declare"), {**data, "evidence": pdfs(6, 100)})
    assert "一次最多上传 5 个文件" in six.content.decode()
    settings.GONGFEN_EVIDENCE_MAX_BYTES = 3 * MB  # the total, for a lean test: three files of 1.5 MB
    big = client.post(reverse("ledger:declare"), {**data, "evidence": pdfs(3, int(1.5 * MB))})
    assert "佐证材料合计不能超过 3 MB" in big.content.decode()
    assert not Entry.objects.filter(description="走访").exists() and stored_files() == []
    ok = client.post(reverse("ledger:declare"), {**data, "evidence": pdfs(2, MB)})
    assert ok.status_code == 302 and Evidence.objects.count() == 2


# --- the zip bomb ----------------------------------------------------------------------------------


def zip_bomb(unpacked_mb: int = 256) -> bytes:
    """A real workbook whose shared-string table unpacks to ``unpacked_mb`` MB from about a thousandth of that."""
    book = Workbook()
    book.active.title = "工分明细"
    book.active.append(["记录编号", "干部代码"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "xl/sharedStrings.xml":
                dst.writestr(item, src.read(item))
        with dst.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            text = b"a" * (MB - 16)  # one long string per megabyte: deflate packs it about 1000:1
            for _ in range(unpacked_mb):
                member.write(b"<si><t>" + text + b"</t></si>")
            member.write(b"</sst>")
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_parsing_naming_the_member(county):
    bomb = zip_bomb(128)
    assert len(bomb) < 1 * MB
    plan = import_plan("entries", bomb, ACTOR, name="炸弹.xlsx")
    (problem,) = plan.problems
    assert "xl/sharedStrings.xml" in problem.message and "压缩炸弹" in problem.message, problem.message
    assert not Entry.objects.filter(code__startswith="BOMB").exists()


CHILD = """
import json, resource, sys
import django
django.setup()
from gongfen.interchange.excel.reader import FileUnreadable, open_book
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    with open_book(sys.argv[1]) as book:
        for name in book.sheet_names():
            rows, _ = book.sheet(name, csv_sheet=False)
            for _row in rows:
                pass
    message = ""
except FileUnreadable as exc:
    message = str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"grew_kb": after - before, "message": message}, ensure_ascii=False))
"""


def read_in_child(path: Path, tmp_path: Path) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gongfen.settings", "GONGFEN_HOME": str(tmp_path / "home")}
    env.pop("GONGFEN_DATABASE_URL", None)  # reading a file needs no database
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_1_mb_zip_bomb_leaves_the_memory_of_the_process_where_it_was(tmp_path):
    path = tmp_path / "炸弹.xlsx"
    path.write_bytes(zip_bomb(1024))  # 1 GB of shared strings in about 1 MB
    assert path.stat().st_size < 1.5 * MB
    seen = read_in_child(path, tmp_path)
    assert "xl/sharedStrings.xml" in seen["message"]
    assert seen["grew_kb"] < 32 * 1024, seen  # not the gigabytes openpyxl would take


def test_a_sheet_whose_range_or_rows_pass_the_limits_is_refused_with_its_place(county, monkeypatch):
    wide = Workbook()
    ws = wide.active
    ws.title = "工分明细"
    ws.append(["记录编号"])
    ws.cell(row=2, column=MAX_COLUMNS + 1, value="x")  # the sheet's range: A1:GS2
    data = io.BytesIO()
    wide.save(data)
    (problem,) = import_plan("entries", data.getvalue(), ACTOR, name="宽.xlsx").problems
    assert "工作表「工分明细」" in problem.message and f"{MAX_COLUMNS + 1} 列" in problem.message, problem.message

    monkeypatch.setattr(reader, "MAX_ROWS", 300)  # the same check as at 500,000 rows, in a lean test
    tall = Workbook(write_only=True)  # write-only: no declared range, the rows themselves are counted
    ws = tall.create_sheet("工分明细")
    ws.append([c.header for c in KINDS["entries"].main.columns])
    for _ in range(300):
        ws.append([""])
    data = io.BytesIO()
    tall.save(data)
    (problem,) = import_plan("entries", data.getvalue(), ACTOR, name="长.xlsx").problems
    assert "超过 300 行（第 301 行）" in problem.message, problem.message
