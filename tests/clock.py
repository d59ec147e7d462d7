"""The suite's clock: every test runs at one pinned instant, never at the real date.

``tests/conftest.py`` travels (time-machine, ticking) to :func:`suite_now` before every test:
:data:`PINNED` unless ``GONGFEN_TEST_NOW`` names another instant (an ISO 8601 date-time with its
offset, e.g. ``2027-08-16T10:00:00+08:00``). A test that needs a particular day says so itself
(``clock.move_to(at(day))`` or ``time_machine.travel``) or passes the date in; a test that says
nothing must pass at any instant. ``tests/test_clock.py`` re-runs the date-sensitive test files
with the clock at each of :data:`FAR_AHEAD`, so a test that leans on the pinned day without saying
so fails on the day it is written.

Subprocesses (``python -m gongfen …``) do not inherit time-machine: :func:`faked_env` gives them the
same instant through libfaketime (Debian package ``faketime``) when it is installed.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
# Monday 7 December 2026, 10:00 in Shanghai: inside the example scheme's year (2026), after 2026Q3's
# publication, inside 2026Q4, and within the shipped holiday calendars.
PINNED = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
ENV = "GONGFEN_TEST_NOW"
# where the suite's date-sensitive files must pass as well: a year with no holiday calendar, a leap
# day late in the evening, and New Year in Shanghai while it is still 31 December in UTC
FAR_AHEAD = (
    datetime(2027, 8, 16, 10, 0, tzinfo=SHANGHAI),
    datetime(2028, 2, 29, 23, 30, tzinfo=SHANGHAI),
    datetime(2026, 12, 31, 16, 30, tzinfo=UTC),  # = 2027-01-01 00:30 in Shanghai
)
LIBFAKETIME = next(
    (
        p
        for p in (
            Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
            Path("/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"),
            Path("/usr/lib/faketime/libfaketime.so.1"),
        )
        if p.exists()
    ),
    None,
)


def suite_now() -> datetime:
    """The instant every test starts at: ``GONGFEN_TEST_NOW`` if set, else :data:`PINNED`."""
    value = os.environ.get(ENV, "").strip()
    if not value:
        return PINNED
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{ENV}={value!r} needs an offset, e.g. 2027-08-16T10:00:00+08:00")
    return moment


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """``day`` at ``hour``:``minute`` in Shanghai (the product's time zone)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def faked_env(env: dict[str, str], moment: datetime | None = None) -> dict[str, str]:
    """``env`` for a subprocess that should see ``moment`` (default: the test's "now") as its clock.

    libfaketime starts the child's clock there and lets it run; monotonic clocks stay real
    (``FAKETIME_DONT_FAKE_MONOTONIC``) so timeouts and sleeps behave. Without libfaketime, ``env``
    unchanged (``python3 dev.py test`` installs it; see dev.APT_PACKAGES)."""
    if LIBFAKETIME is None:
        return dict(env)
    from django.utils import timezone

    moment = (moment or timezone.now()).astimezone(UTC)
    preload = " ".join(p for p in (str(LIBFAKETIME), env.get("LD_PRELOAD", "")) if p)
    return env | {
        "LD_PRELOAD": preload,
        "FAKETIME": "@" + moment.strftime("%Y-%m-%d %H:%M:%S"),
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        "TZ": "UTC",
    }
