"""Reading a workbook or a CSV file as rows, one sheet at a time, without holding the file.

.xlsx is read with openpyxl in read-only mode (rows are streamed from the
zip); CSV is decoded as UTF-8 (with or without BOM) when the whole file is
valid UTF-8, else as GB18030 (what Chinese Excel writes).
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
        except (TypeError, ValueError):
            total = 0
        return ws.iter_rows(values_only=True), total

    def close(self) -> None:
        if self.workbook is not None:
            self.workbook.close()


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
