"""Smoke test of bench/scale.py at its tiny scale (300 cadres, 20,000 entries): the same code as county and province.

It runs the command on the database of this test run (a temporary SQLite file, or a scratch database on
the PostgreSQL server of GONGFEN_DATABASE_URL) and checks that the product, the GROUP BY baseline and
the Redis sorted sets agree, that the log verifies, and that the table has every row. Redis on
127.0.0.1:6379 is required under CI=true; elsewhere the test is skipped without it.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import IN_CI, ROOT, database_vendor

ROWS = (
    "bulk load, entries/s",
    "bulk load, peak memory",
    "rank group of 60 (1,000): live computation",
    "rank group of 3 (15): live computation",
    "rank group G-C01-VIL: published snapshot read",
    "rank group G-C01-HEADS: published snapshot read",
    "close a county quarter (8 groups",
    "approve one entry incl. maintained totals",
    "agreement: raw totals and order",
)


def redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping())
    except Exception:
        return False


def test_tiny_scale_agrees_and_prints_every_row(tmp_path):
    if not redis_up():
        if IN_CI:
            pytest.fail("Redis is not answering on 127.0.0.1:6379 (CI starts it)")
        pytest.skip("no Redis on 127.0.0.1:6379")
    out = tmp_path / "figures.json"
    command = [sys.executable, str(ROOT / "bench" / "scale.py"), "--scale", "tiny", "--repeat", "5"]
    command += ["--approvals", "20", "--verify", "--json", str(out)]
    if database_vendor() == "postgresql":
        url = os.environ["GONGFEN_DATABASE_URL"]
        name = "gongfen_scale_" + os.environ.get("GONGFEN_TEST_DATABASE_NAME", "test").replace("-", "_")
        command += ["--postgres", url, "--database", name[:60]]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGFEN_")}
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "gongfen verify: intact" in done.stdout
    assert "maintained totals == recomputation" in done.stdout
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["problems"] == []
    names = [row[0] for row in figures["table"]]
    for wanted in ROWS:
        assert any(name.startswith(wanted) for name in names), (wanted, names)
    agreement = next(row for row in figures["table"] if row[0].startswith("agreement"))
    assert agreement[1] == "yes"
    assert figures["figures"]["entries"] > 19_000 and figures["figures"]["loaded"]["reversals"] > 0
