"""The one clock: the product reads "now" only through ``django.utils.timezone``, and the suite pins it.

- The scan: no module of ``src/`` reads the calendar clock another way (``datetime.now()``,
  ``date.today()``, ``time.time()``, the database's ``Now()``…), so pinning ``timezone.now`` (which
  time-machine does, tests/conftest.py ``clock``) pins the whole product. Durations
  (``time.monotonic``, ``time.perf_counter``) are not the calendar and stay free.
- The re-run: the date-sensitive test files pass again with the clock far ahead (tests/clock.py
  ``FAR_AHEAD``: a year without a holiday calendar, a leap-day evening, New Year in Shanghai at
  16:30 UTC), so a test that leans on the pinned day without saying so fails the day it is written.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from tests.clock import ENV, FAR_AHEAD, LIBFAKETIME, PINNED, SHANGHAI, UTC, at, faked_env, suite_now
from tests.conftest import IN_CI, ROOT, database_vendor

SRC = ROOT / "src" / "gongfen"
CALENDAR_READS = {"now", "today", "utcnow"}
TIME_READS = {"time", "time_ns", "localtime", "gmtime", "ctime", "asctime", "strftime"}
# modules allowed a second way, each with the reason
ALLOWED = {
    # a receiver's replay check in Unix seconds; the module is used without Django (its docstring)
    "webhooks/signing.py": {"time.time"},
}
# the date-sensitive files re-run at each instant of FAR_AHEAD (kept small: about 20 s an instant)
DATE_SENSITIVE = [
    "tests/publication/test_year_boundaries.py",
    "tests/publication/test_calendar_2027.py::test_2026_is_shipped_and_2027_is_not",
    "tests/publication/test_views.py::test_filing_an_objection_through_the_page",
    "tests/publication/test_views.py::test_deciding_through_the_pages",
    "tests/api/test_tokens.py",
    "tests/security/test_login_lockout.py",
    "tests/webhooks/test_services.py::test_publication_and_republication",
    "tests/test_clock.py::test_the_year_boundaries",
]


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


def clock_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """Every read of the calendar clock in a module that is not ``django.utils.timezone``'s."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [(node.lineno, f"from time import {a.name}") for a in node.names if a.name in TIME_READS]
        elif isinstance(node, ast.ImportFrom) and node.module == "django.db.models.functions":
            found += [(node.lineno, "Now (the database's clock)") for a in node.names if a.name == "Now"]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, owner = node.func.attr, _dotted(node.func.value)
            if name in CALENDAR_READS and owner.split(".")[-1] in ("datetime", "date"):
                found.append((node.lineno, f"{owner}.{name}()"))
            elif owner == "time" and name in TIME_READS and not (name == "strftime" and len(node.args) > 1):
                found.append((node.lineno, f"time.{name}()"))
            elif name == "Now" and owner.endswith("functions"):
                found.append((node.lineno, "Now (the database's clock)"))
    return sorted(found)


def test_the_product_reads_the_clock_only_through_django_timezone():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        where = path.relative_to(SRC).as_posix()
        for line, what in clock_reads(ast.parse(path.read_text(encoding="utf-8"))):
            if what.rstrip("()") not in ALLOWED.get(where, set()):
                offenders.append(f"src/gongfen/{where}:{line}: {what}")
    assert offenders == [], "read now through django.utils.timezone (now, localdate, localtime):\n" + "\n".join(
        offenders
    )


@pytest.mark.parametrize(
    "code",
    [
        "from datetime import datetime\nx = datetime.now()",
        "import datetime\nx = datetime.date.today()",
        "from datetime import date\nx = date.today()",
        "import datetime as dt\nx = dt.datetime.utcnow()",
        "import time\nx = time.time()",
        "from time import time",
        "import time\nx = time.strftime('%Y')",
        "from django.db.models.functions import Now",
    ],
)
def test_the_scan_finds_each_way_round_the_clock(code):
    assert clock_reads(ast.parse(code)), code


@pytest.mark.parametrize(
    "code",
    [
        "from django.utils import timezone\nx = timezone.now(); y = timezone.localdate()",
        "import time\nx = time.monotonic(); y = time.perf_counter()",
        "import time\nx = time.strftime('%Y', t)",
        "from datetime import date\nx = date(2026, 1, 1).isoformat()",
    ],
)
def test_the_scan_lets_the_one_clock_and_durations_be(code):
    assert clock_reads(ast.parse(code)) == []


def test_every_test_starts_at_the_suite_instant():
    now = timezone.now()
    assert suite_now() <= now < suite_now() + timedelta(minutes=5)  # it ticks from there
    assert datetime.now(SHANGHAI) - now < timedelta(seconds=5)  # every clock of the process is moved
    if not os.environ.get(ENV):
        assert timezone.localdate() == PINNED.date() == date(2026, 12, 7)


def test_a_test_moves_the_clock_itself(clock):
    clock.move_to(at(date(2026, 11, 23), 9, 30))
    assert timezone.localtime().strftime("%Y-%m-%d %H:%M") == "2026-11-23 09:30"


def test_an_instant_without_an_offset_is_refused(monkeypatch):
    monkeypatch.setenv(ENV, "2027-08-16T10:00:00")
    with pytest.raises(ValueError, match="needs an offset"):
        suite_now()
    monkeypatch.setenv(ENV, "2026-12-31T16:30:00+00:00")
    assert timezone.localtime(suite_now()).strftime("%Y-%m-%d %H:%M") == "2027-01-01 00:30"


@pytest.mark.skipif(LIBFAKETIME is None and not IN_CI, reason="libfaketime (Debian package faketime) not installed")
def test_a_subprocess_sees_the_same_clock(clock):
    clock.move_to(datetime(2028, 2, 29, 23, 30, tzinfo=SHANGHAI))
    env = faked_env({k: v for k, v in os.environ.items() if not k.startswith("GONGFEN_")})
    code = (
        "import datetime as d, zoneinfo as z; print(f\"{d.datetime.now(z.ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M}\")"
    )
    shown = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() in ("2028-02-29 23:30", "2028-02-29 23:31")


# --- the product at the year's boundaries, with the clock where the test says ---------------------


@pytest.mark.django_db
def test_the_year_boundaries(clock):
    """At 16:30 UTC on 31 December it is already New Year in Shanghai: "today" is the product's day."""
    clock.move_to(datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    assert timezone.localdate() == date(2027, 1, 1)
    clock.move_to(at(date(2026, 12, 31), 23, 59))
    assert timezone.localdate() == date(2026, 12, 31)


def test_the_date_sensitive_files_pass_with_the_clock_far_ahead(tmp_path):
    """One pytest per instant of FAR_AHEAD, side by side, each on a test database of its own."""
    if os.environ.get(ENV):
        pytest.skip("already a re-run with the clock moved")
    runs = {}
    for i, moment in enumerate(FAR_AHEAD):
        env = {**os.environ, ENV: moment.isoformat(), "GONGFEN_HOME": str(tmp_path / f"home{i}")}
        # never the database of this run: PostgreSQL gets its own name, a SQLite file its own path
        env["GONGFEN_TEST_DATABASE_NAME"] = f"{os.environ.get('GONGFEN_TEST_DATABASE_NAME') or 'test_gongfen'}_ahead{i}"
        if os.environ.get("GONGFEN_TEST_SQLITE_NAME"):
            env["GONGFEN_TEST_SQLITE_NAME"] = str(tmp_path / f"ahead{i}.sqlite3")
        if database_vendor() == "sqlite":
            env.pop("GONGFEN_TEST_DATABASE_NAME")
        command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly", "-p", "no:cacheprovider"]
        runs[moment] = subprocess.Popen(
            [*command, *DATE_SENSITIVE], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    failed = []
    for moment, run in runs.items():
        out, _ = run.communicate(timeout=900)
        if run.returncode != 0:
            failed.append(f"at {moment.isoformat()}:\n{out[-5000:]}")
    assert failed == [], "\n\n".join(failed)
