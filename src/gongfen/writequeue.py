"""Writes that may wait: a login's bookkeeping never makes the login fail because the database is busy.

On SQLite one long write (a spreadsheet import) holds the write lock of the
whole file for minutes. A login writes bookkeeping rows — its audit row,
django-axes's attempt and access rows, the user's ``last_login`` — and each
of them would wait for that lock and then fail the login with a 500. So these
writes go through :func:`write_soon`: tried at once in their own transaction
with a short wait; if the database is still locked they are queued, and one
background thread writes them, in order, as soon as the lock is free (each in
its own transaction, so a retry never writes half of one). The login itself
proceeds (its session is not in the database on SQLite: see settings).

What that costs, only while the lock is held: an audit row appears a little
later (stamped when it is written); a failed login is counted
towards django-axes's lock-out once written, so a password guesser gets the
attempts made during the wait; a process that stops before the queue is
written loses it (logged). On PostgreSQL, and inside a transaction already
open, the write simply happens where it is.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, connections, transaction

log = logging.getLogger(__name__)
QUICK_SECONDS = 1.0  # how long a bookkeeping write waits for the lock before it is queued
MAX_PENDING = 10_000

_pending: deque[tuple[Callable[[], object], str]] = deque()
_lock = threading.Lock()
_idle = threading.Event()
_idle.set()
_thread: threading.Thread | None = None


def is_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" (another connection holds the write lock past the busy timeout)."""
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


@contextmanager
def _quick_wait() -> Iterator[None]:
    connection.ensure_connection()
    raw = connection.connection
    usual = int(float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)
    raw.execute(f"PRAGMA busy_timeout = {int(QUICK_SECONDS * 1000)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout = {usual}")


def write_soon(write: Callable[[], object], what: str) -> bool:
    """Run ``write`` now, in a transaction; on a locked SQLite database, queue it. Returns whether it ran now."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        write()
        return True
    try:
        with _quick_wait(), transaction.atomic():
            write()
        return True
    except OperationalError as exc:
        if not is_locked(exc):
            raise
    _enqueue(write, what)
    return False


def _enqueue(write: Callable[[], object], what: str) -> None:
    global _thread
    with _lock:
        if len(_pending) >= MAX_PENDING:
            log.error("write queue full: %s dropped", what)
            return
        _pending.append((write, what))
        _idle.clear()
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_drain, name="gongfen-write-queue", daemon=True)
            _thread.start()
    log.warning("database busy: %s queued", what)


def _drain() -> None:
    global _thread
    try:
        while True:
            with _lock:
                if not _pending:
                    _thread = None
                    _idle.set()
                    return
                write, what = _pending[0]
            try:
                with transaction.atomic():  # waits for the lock with the connection's usual busy timeout
                    write()
            except OperationalError as exc:
                if is_locked(exc):
                    time.sleep(0.2)
                    continue
                log.exception("queued write failed: %s", what)
            except Exception:
                log.exception("queued write failed: %s", what)
            with _lock:
                _pending.popleft()
    finally:
        connections.close_all()  # this thread's own connection


def flush(timeout: float = 60) -> bool:
    """Wait until every queued write is written (tests, a clean shutdown); False if still pending."""
    return _idle.wait(timeout)
