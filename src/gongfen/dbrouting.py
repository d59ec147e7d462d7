"""Read scaling: a database router that sends marked reads to a PostgreSQL streaming replica.

Configured by ``GONGFEN_REPLICA_DATABASE_URL`` (``DATABASES["replica"]``); without it every
query goes to ``default`` and nothing here changes anything. The rules (docs/scaling.md,
"Read scaling"):

- every write goes to ``default`` (the primary), and so does every migration;
- a read goes to ``replica`` only when all of these hold, else to ``default``:
  the current request opted in (a view marked with :func:`replica_reads`, or code
  inside :func:`replica_reading`), no atomic block is
  open on ``default`` (a read inside a write must see that write), nothing was written or
  selected for writing earlier in this request, the user has not written anything in the
  last ``GONGFEN_REPLICA_STICKY_SECONDS`` (a timestamp in the session, set by
  :class:`PrimaryAfterWriteMiddleware`, so a user sees their own write despite replication lag),
  and the model is not one that must be fresh (sessions, login lock-outs);
- relations between objects of the two aliases are allowed (they are one database).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import connections
from django.utils import timezone

REPLICA = "replica"
PRIMARY = "default"
STICKY_KEY = "gongfen_primary_until"
# read on the primary even in a marked view: the session carries the sticky timestamp and the login,
# and a lock-out must see the latest failed attempt
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes"})


@dataclass
class ReadState:
    """What the router knows about the current request (or thread of work)."""

    replica_ok: bool = False  # the view is marked replica-safe and the user's sticky window has passed
    wrote: bool = False  # a write (or a read for writing) happened: later reads go to the primary


_state: ContextVar[ReadState | None] = ContextVar("gongfen_read_state", default=None)


def current() -> ReadState | None:
    return _state.get()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def sticky_seconds() -> float:
    return float(getattr(settings, "GONGFEN_REPLICA_STICKY_SECONDS", 5))


def _sticky(request) -> bool:
    """Whether the user wrote something less than the sticky window ago (their reads stay on the primary)."""
    session = getattr(request, "session", None)
    if session is None:
        return False
    until = session.get(STICKY_KEY)
    return isinstance(until, int | float) and timezone.now().timestamp() < until


class ReplicaRouter:
    """Writes and migrations on ``default``; opted-in reads outside any write on ``replica``."""

    def db_for_read(self, model, **hints):
        state = _state.get()
        if (
            state is None
            or not state.replica_ok
            or state.wrote
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or not replica_configured()
            or connections[PRIMARY].in_atomic_block
        ):
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _state.get()
        if state is not None:
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


@contextmanager
def replica_reading(request=None) -> Iterator[ReadState]:
    """Within it, reads may go to the replica (unless the router finds a reason not to; see the module)."""
    state = _state.get()
    token = None
    if state is None:
        state = ReadState()
        token = _state.set(state)
    previous = state.replica_ok
    state.replica_ok = not (request is not None and _sticky(request))
    try:
        yield state
    finally:
        state.replica_ok = previous
        if token is not None:
            _state.reset(token)


def replica_reads(view):
    """Mark a read-only view (published data, a ledger page) as replica-safe: it must write nothing."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with replica_reading(request):
            return view(request, *args, **kwargs)

    wrapper.replica_reads = True
    return wrapper


class PrimaryAfterWriteMiddleware:
    """One read state per request; after a request that wrote, the user's reads stay on the primary a while.

    Placed after the session and authentication middleware, so the session it marks is saved after it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = ReadState()
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote and replica_configured() and self._signed_in(request):
            request.session[STICKY_KEY] = timezone.now().timestamp() + sticky_seconds()
        return response

    @staticmethod
    def _signed_in(request) -> bool:
        user = getattr(request, "user", None)
        return hasattr(request, "session") and user is not None and user.is_authenticated
