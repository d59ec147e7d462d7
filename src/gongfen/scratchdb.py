"""Work that writes only to find out what would happen (an import's preview), on a private copy of SQLite.

SQLite has one write lock for the whole file: a preview that runs the real
load in a transaction it then rolls back holds that lock from its first write
to its rollback — two minutes for a big spreadsheet, during which every other
writer (a login's session, a declaration) waits and then fails. Inside
:func:`private_copy`, this thread's default connection is a copy of the
database instead, taken with SQLite's online backup (a read: writers carry
on), in a private temporary folder under GONGFEN_HOME, and deleted afterwards.
Other threads and processes are untouched. On PostgreSQL (many writers at
once) nothing changes: the rolled-back transaction locks only the rows it
touches. Nor inside a transaction already open (SQLite cannot back up a
connection in the middle of one): that work is part of the caller's
transaction, which holds whatever locks it holds anyway.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def private_copy(alias: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Within the block this thread's ``alias`` is a throw-away copy (SQLite only); yields whether it is."""
    original = connections[alias]
    if original.vendor != "sqlite" or original.in_atomic_block:
        yield False
        return
    original.ensure_connection()
    root = Path(settings.GONGFEN_HOME) / "private"
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="scratch-", dir=root))  # mode 0700
    path = folder / "copy.sqlite3"
    try:
        target = sqlite3.connect(path)
        try:
            original.connection.backup(target)  # what this connection sees, its open transaction included
        finally:
            target.close()
        copy = type(original)({**original.settings_dict, "NAME": str(path)}, alias)
        connections[alias] = copy
        try:
            yield True
        finally:
            copy.close()
            connections[alias] = original
    finally:
        shutil.rmtree(folder, ignore_errors=True)
