"""Run by tests/replica/test_streaming.py in a subprocess, with GONGFEN_DATABASE_URL (the primary) and
GONGFEN_REPLICA_DATABASE_URL (its streaming replica) set: migrate the primary, load the qixi example,
publish 齐溪镇全体干部 2026Q3 through the services, wait for the replica to replay it, then open the
published board through Django's test client and print, as JSON, where its queries went."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout, for ``tests.*``
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongfen.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from gongfen.accounts.models import RoleKind  # noqa: E402
from gongfen.accounts.services import role_grant, user_create  # noqa: E402
from gongfen.org.models import Unit  # noqa: E402
from gongfen.publication.models import Snapshot  # noqa: E402
from tests.factories import example_bundle, load  # noqa: E402
from tests.publication.helpers import Q3, publish_q3  # noqa: E402
from tests.web_fixtures import ACTOR  # noqa: E402

SNAPSHOT_TABLE = Snapshot._meta.db_table
PASSWORD = "replica test 2026"


def lsn(alias: str, sql: str) -> str:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def wait_for_replay(timeout: float = 20) -> float:
    """Seconds until the replica has replayed everything the primary wrote so far."""
    target = lsn("default", "SELECT pg_current_wal_lsn()::text")
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return time.monotonic() - started
        time.sleep(0.05)
    raise SystemExit(f"the replica did not replay up to {target} within {timeout} s")


def touching_snapshots(queries) -> list[str]:
    return [q["sql"] for q in queries if SNAPSHOT_TABLE in q["sql"]]


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)  # the primary only: the router allows no migration elsewhere
    load(example_bundle())
    viewer = user_create(actor=ACTOR, username="org", password=PASSWORD)
    role_grant(actor=ACTOR, user=viewer, kind=RoleKind.ORG_ADMIN, unit=Unit.objects.get(code="KH"))
    publish_q3()
    snapshot_id = Snapshot.objects.using("default").get(group__code="QX-ALL", period=Q3, version=1).pk
    lag = wait_for_replay()

    client = Client()
    client.force_login(viewer)
    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(connections["replica"]) as on_replica,
    ):
        response = client.get(reverse("publication:board", args=["QX-ALL", Q3]))
    # copied now: the next request's request_started signal empties the connections' query logs
    board_on_primary, board_on_replica = list(on_primary.captured_queries), list(on_replica.captured_queries)
    # the same user just signed in (a write): for the sticky window their reads stay on the primary
    fresh = Client()
    assert fresh.post(reverse("login"), {"username": "org", "password": PASSWORD}).status_code == 302
    with (
        CaptureQueriesContext(connections["default"]) as sticky_primary,
        CaptureQueriesContext(connections["replica"]) as sticky_replica,
    ):
        fresh.get(reverse("publication:board", args=["QX-ALL", Q3]))
    after_write_on_primary, after_write_on_replica = sticky_primary.captured_queries, sticky_replica.captured_queries
    refused = ""
    try:
        with transaction.atomic(using="replica"), connections["replica"].cursor() as cursor:
            cursor.execute(f"UPDATE {SNAPSHOT_TABLE} SET version = version WHERE id = %s", [snapshot_id])
    except DatabaseError as error:
        refused = str(error).strip()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_setting('port')")
        in_recovery, replica_port = cursor.fetchone()
    result = {
        "status": response.status_code,
        "cadre_names_shown": [name for name in ("甲一", "甲四") if name in response.content.decode()],
        "snapshot_queries_on_replica": touching_snapshots(board_on_replica),
        "snapshot_queries_on_primary": touching_snapshots(board_on_primary),
        "queries_on_replica": len(board_on_replica),
        "primary_tables": sorted({q["sql"].split(" FROM ", 1)[-1].split()[0] for q in board_on_primary}),
        "after_own_write_snapshot_queries_on_primary": len(touching_snapshots(after_write_on_primary)),
        "after_own_write_queries_on_replica": len(after_write_on_replica),
        "replica_in_recovery": in_recovery,
        "replica_port": int(replica_port),
        "write_on_replica_refused": refused,
        "replay_wait_seconds": round(lag, 3),
    }
    print("RESULT " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
