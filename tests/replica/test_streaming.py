"""A real primary and a real streaming replica on loopback: a published board is served by the replica.

The test makes two PostgreSQL clusters with Debian's tools (tests/replica/clusters.py), then runs
tests/replica/serve_board.py against them in a subprocess (Django's DATABASES come from the
environment, as in production): it migrates the primary, publishes a quarter through the services,
waits for the replica to replay it and opens the board through the test client.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT, database_vendor
from tests.replica.clusters import missing_tools, streaming_pair

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(database_vendor() != "postgresql", reason="runs in the PostgreSQL run (GONGFEN_DATABASE_URL)"),
]
SCRIPT = Path(__file__).with_name("serve_board.py")


@pytest.fixture
def pair():
    missing = missing_tools()
    if missing:
        message = f"PostgreSQL cluster tools missing: {', '.join(missing)} (apt-get install postgresql-15)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with streaming_pair() as servers:
        yield servers


def run_against(primary, replica, home: Path) -> dict:
    env = {
        **os.environ,
        "GONGFEN_DATABASE_URL": primary.url(),
        "GONGFEN_REPLICA_DATABASE_URL": replica.url(),
        "GONGFEN_HOME": str(home),
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("GONGFEN_TEST_DATABASE_NAME", None)
    done = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def test_a_published_board_is_served_by_the_streaming_replica(pair, tmp_path):
    primary, replica = pair
    assert primary.psql("SELECT pg_is_in_recovery()").strip() == "f"
    assert replica.psql("SELECT pg_is_in_recovery()").strip() == "t"
    result = run_against(primary, replica, tmp_path)
    print("replica run:", result)  # shown with -s: where the queries went, how long replay took

    assert result["status"] == 200
    assert result["cadre_names_shown"] == ["甲一", "甲四"]  # the board's lines, drawn from the snapshot
    assert result["snapshot_queries_on_replica"], "the snapshot was not read on the replica"
    assert result["snapshot_queries_on_primary"] == []
    # on the primary only the login: the session (it carries the sticky timestamp, so it is always read
    # there) and the user, loaded by @login_required before the view opts in
    assert result["primary_tables"] == ['"accounts_user"', '"django_session"']
    assert result["replica_port"] == replica.port and result["replica_in_recovery"] is True
    assert "read-only transaction" in result["write_on_replica_refused"]
    # right after the user's own write (signing in), their board comes from the primary
    assert result["after_own_write_snapshot_queries_on_primary"] > 0
    assert result["after_own_write_queries_on_replica"] == 0
    # the replica is a real standby: the primary shows it streaming
    assert primary.psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").strip() == "1"
