"""The concurrency tests on SQLite as the product runs it: a database file in WAL mode.

pytest-django's SQLite test database is in memory with a shared cache, where a
second writer fails at once with "database table is locked" (shared-cache
table locks ignore the busy timeout). So on SQLite runs this test runs the
tests that need concurrent connections (``CONCURRENT``) again in one child pytest
whose test database is a file (``GONGFEN_TEST_SQLITE_NAME``), and requires every
test there to pass.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.faults.test_concurrency import in_memory_sqlite

CONCURRENT = {  # file → how many tests it has
    "tests/faults/test_concurrency.py": 3,
    "tests/api/test_idempotency_concurrent.py": 1,
    "tests/interchange/jobs/test_thread_runner.py": 1,
    "tests/faults/test_sqlite_lock.py": 2,
}


@pytest.mark.skipif(not in_memory_sqlite(), reason="this run's test database already allows concurrent connections")
def test_concurrency_tests_pass_on_a_sqlite_file(tmp_path: Path):
    env = os.environ | {"GONGFEN_TEST_SQLITE_NAME": str(tmp_path / "test.sqlite3"), "GONGFEN_HOME": str(tmp_path)}
    env.pop("GONGFEN_DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *CONCURRENT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.match(rf"{sum(CONCURRENT.values())} passed\b", summary), summary
