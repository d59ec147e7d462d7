"""Reading a workbook or a CSV file as rows, one sheet at a time, without holding the file.

.xlsx is read with openpyxl in read-only mode (rows are streamed from the
zip); CSV is decoded as UTF-8 (with or without BOM) when the whole file is
valid UTF-8, else as GB18030 (what Chinese Excel writes).

An .xlsx is a zip, and a 1 MB zip can unpack to gigabytes (a "zip bomb";
openpyxl holds the shared strings in memory). Before openpyxl sees it, every
member's unpacked size is checked against the limits below (a zip member never
unpacks to more than the size it declares: Python stops there), and a sheet's
declared range (its dimension) against MAX_ROWS × MAX_COLUMNS.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

CHUNK = 1 << 20
MB = 1 << 20
MAX_UNPACKED = 1024 * MB  # all members together
MAX_SHEET = 512 * MB  # one worksheet's XML (streamed; about 1,000,000 rows of the templates' width)
MAX_SHARED_STRINGS = 64 * MB  # held in memory by openpyxl
MAX_OTHER = 16 * MB  # styles, workbook, relationships, …
MAX_RATIO = 100  # unpacked : packed, for members over 1 MB (real sheets: 5 to 20)
MAX_ROWS = 500_000
MAX_COLUMNS = 200

Source = str | Path | bytes | IO[bytes]


class FileUnreadable(Exception):
    """The file is not a workbook or a CSV this product reads; the message is Chinese."""


def _binary(source: Source) -> IO[bytes]:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, str | Path):
        return open(source, "rb")
    return source


def source_name(source: Source, default: str = "") -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return str(getattr(source, "name", "") or default)


def csv_encoding(stream: IO[bytes]) -> str:
    """UTF-8 if every byte decodes strictly (read in chunks), else GB18030 if that decodes, else refuse."""
    for encoding in ("utf-8-sig", "gb18030"):
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            while chunk := stream.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        stream.seek(0)
        return encoding
    raise FileUnreadable("CSV 文件既不是 UTF-8 也不是 GB18030 编码，无法读取 (neither UTF-8 nor GB18030)")


class Book:
    """An open workbook: ``sheet(name)`` gives (rows, approximate row count) or None when absent."""

    def __init__(self, stream: IO[bytes], name: str):
        self.stream, self.name = stream, name
        head = stream.read(4)
        stream.seek(0)
        self.is_csv = name.lower().endswith(".csv") or (head != b"PK\x03\x04" and not name.lower().endswith(".xlsx"))
        self.workbook: Any = None
        if self.is_csv:
            self.encoding = csv_encoding(stream)
        else:
            self.workbook = self._open_xlsx(stream, name)

    @staticmethod
    def _open_xlsx(stream: IO[bytes], name: str):
        from openpyxl import load_workbook

        if name.lower().endswith(".xls"):
            raise FileUnreadable("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx (save as .xlsx)")
        check_archive(stream)
        stream.seek(0)
        try:
            return load_workbook(stream, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            raise FileUnreadable(
                f"文件不是有效的 Excel 工作簿（.xlsx），无法打开 (not an .xlsx workbook): {exc}"
            ) from exc
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise FileUnreadable(f"Excel 工作簿已损坏，无法读取 (damaged workbook): {type(exc).__name__}") from exc

    def sheet_names(self) -> list[str]:
        return [] if self.is_csv else list(self.workbook.sheetnames)

    def sheet(self, name: str, csv_sheet: bool) -> tuple[Iterator[tuple], int] | None:
        if self.is_csv:
            if not csv_sheet:
                return None
            text = io.TextIOWrapper(self.stream, encoding=self.encoding, newline="")
            return (tuple(row) for row in csv.reader(text)), 0
        if name not in self.workbook.sheetnames:
            return None
        ws = self.workbook[name]
        try:
            total = int(ws.max_row or 0)
            width = int(ws.max_column or 0)
        except (TypeError, ValueError):
            total = width = 0
        if total > MAX_ROWS or width > MAX_COLUMNS:
            raise FileUnreadable(
                f"工作表「{name}」的范围 {_range(ws)} 有 {total} 行 × {width} 列，超过上限 {MAX_ROWS} 行 × "
                f"{MAX_COLUMNS} 列；请删除多余的行和列（或分成几个文件）后重新保存 "
                f"(sheet {name}: {total} rows × {width} columns, more than {MAX_ROWS} × {MAX_COLUMNS})"
            )
        return _bounded(ws.iter_rows(values_only=True), name), total

    def close(self) -> None:
        if self.workbook is not None:
            self.workbook.close()


def _range(ws) -> str:
    try:
        return ws.calculate_dimension()
    except ValueError:
        return "?"


def _bounded(rows: Iterator[tuple], name: str) -> Iterator[tuple]:
    """The rows, refusing the sheet at the first row past MAX_ROWS or MAX_COLUMNS (its declared range may be
    missing, as in files written by openpyxl's write-only mode, or wrong)."""
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise FileUnreadable(
                f"工作表「{name}」超过 {MAX_ROWS} 行（第 {number} 行），请分成几个文件导入 "
                f"(sheet {name} has more than {MAX_ROWS} rows)"
            )
        if len(row) > MAX_COLUMNS:
            raise FileUnreadable(
                f"工作表「{name}」第 {number} 行有 {len(row)} 列，超过上限 {MAX_COLUMNS} 列；请删除多余的列后重新保存 "
                f"(sheet {name}, row {number}: {len(row)} columns, more than {MAX_COLUMNS})"
            )
        yield row


def _member_limit(filename: str) -> int:
    if filename.startswith("xl/worksheets/") and filename.endswith(".xml"):
        return MAX_SHEET
    if filename == "xl/sharedStrings.xml":
        return MAX_SHARED_STRINGS
    return MAX_OTHER


def check_archive(stream: IO[bytes]) -> None:
    """Refuse an .xlsx whose members would unpack to more than the limits, naming the member; reads no member."""
    try:
        members = zipfile.ZipFile(stream).infolist()
    except zipfile.BadZipFile:
        return  # not a zip: openpyxl says so in its own words
    total = 0
    for info in members:
        size, packed = info.file_size, max(info.compress_size, 1)
        total += size
        limit = _member_limit(info.filename)
        if size > limit or (size > MB and size / packed > MAX_RATIO) or total > MAX_UNPACKED:
            raise FileUnreadable(
                f"文件中的 {info.filename} 解压后有 {size / MB:.1f} MB（压缩比 {size / packed:.0f}:1），"
                f"超过上限（单项 {limit // MB} MB、压缩比 {MAX_RATIO}:1、合计 {MAX_UNPACKED // MB} MB），"
                "可能是被构造的压缩炸弹，已拒绝，未做任何更改；请用 Excel 打开后重新保存，或分成几个文件 "
                f"(member {info.filename} unpacks to {size / MB:.1f} MB: over the limits, refused)"
            )


@contextmanager
def open_book(source: Source, name: str = "") -> Iterator[Book]:
    stream = _binary(source)
    book = None
    try:
        book = Book(stream, name or source_name(source))
        yield book
    finally:
        if book is not None:
            book.close()
        if isinstance(source, str | Path):
            stream.close()
