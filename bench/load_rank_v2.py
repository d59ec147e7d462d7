#!/usr/bin/env python3
"""Benchmark: load a gongfen-bundle/2 bundle into an empty workspace, then rank it through the database.

    .venv/bin/python bench/load_rank_v2.py                     # the three v2 worked examples, as they are
    .venv/bin/python bench/load_rank_v2.py --copies 125        # 马金镇 × 125: a 1,000-cadre item-tree group
    .venv/bin/python bench/load_rank_v2.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Two parts, each on a fresh database (embedded SQLite in a temporary folder, or a scratch PostgreSQL
database ``gongfen_bench_v2`` created on the server named by --postgres):

1. ``gongfen load`` + ``gongfen rank --format json`` of every example of ``index-v2.json`` as separate
   processes in a new GONGFEN_HOME — the path an outside checker takes (first use migrates the new
   workspace, which the figure includes and also prints on its own);
2. in process: ``bundle_load`` of the 马金镇 example copied ``--copies`` times (cadres, posts, entries
   and ballots renamed per copy; one group over all of them), then ``group_ranking`` ``--repeat`` times.

Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "fixtures" / "spec-examples"


def scratch_postgres(url: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS gongfen_bench_v2 WITH (FORCE)")
        conn.execute("CREATE DATABASE gongfen_bench_v2")
    return url.rsplit("/", 1)[0] + "/gongfen_bench_v2"


def gongfen(home: Path, url: str, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGFEN_", "DJANGO_"))}
    env.update(GONGFEN_HOME=str(home), GONGFEN_DATABASE_URL=url)
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "gongfen", *args], env=env, capture_output=True, check=True)
    return time.perf_counter() - t, done


def examples_as_processes(postgres: str | None) -> None:
    cases = json.loads((EXAMPLES / "index-v2.json").read_text(encoding="utf-8"))
    print(f"{'example':36} {'init s':>7} {'load s':>7} {'rank s':>7} {'same':>5}")
    for case in cases:
        home = Path(tempfile.mkdtemp(prefix="gongfen-bench-v2-"))
        url = scratch_postgres(postgres) if postgres else f"sqlite:///{home / 'gongfen.sqlite3'}"
        init, _ = gongfen(home, url, "init")
        load, _ = gongfen(home, url, "load", str(EXAMPLES / case["bundle"]))
        rank, done = gongfen(
            home, url, "rank", "--group", case["group"], "--period", case["period"], "--format", "json"
        )
        same = json.loads(done.stdout) == json.loads((EXAMPLES / case["expected"]).read_text(encoding="utf-8"))
        print(f"{case['expected'][:-14]:36} {init:7.2f} {load:7.2f} {rank:7.2f} {'yes' if same else 'NO':>5}")


def copies_of(bundle: dict, n: int) -> dict:
    """The bundle with its cadres (and their entries and ballots) copied ``n`` times under new codes."""
    out = copy.deepcopy(bundle)
    out["cadres"], out["entries"], out["ballots"] = [], [], []
    for k in range(n):
        suffix = f"-{k:04d}"
        for c in bundle["cadres"]:
            out["cadres"].append({**copy.deepcopy(c), "code": c["code"] + suffix})
        for e in bundle["entries"]:
            out["entries"].append({**e, "id": e["id"] + suffix, "cadre": e["cadre"] + suffix})
        for b in bundle.get("ballots", ()):
            out["ballots"].append({**b, "cadre": b["cadre"] + suffix})
    return out


def in_process(postgres: str | None, copies: int, repeat: int) -> None:
    home = Path(tempfile.mkdtemp(prefix="gongfen-bench-v2-"))
    os.environ["GONGFEN_HOME"] = str(home)
    os.environ["GONGFEN_DATABASE_URL"] = scratch_postgres(postgres) if postgres else f"sqlite:///{home / 'b.sqlite3'}"
    sys.path.insert(0, str(ROOT / "src"))
    from gongfen.cli import setup

    setup()
    from django.db import connection

    from gongfen.common import Actor
    from gongfen.interchange.services import bundle_load
    from gongfen.rankings.selectors import group_by_code, group_ranking

    bundle = copies_of(json.loads((EXAMPLES / "majin-2026q3.json").read_text(encoding="utf-8")), copies)
    t = time.perf_counter()
    bundle_load(actor=Actor(None, "bench"), bundle=bundle)
    loaded = time.perf_counter() - t
    print(
        f"\n{connection.vendor}: 马金镇 × {copies}: {len(bundle['cadres'])} cadres, {len(bundle['entries'])} entries, "
        f"{len(bundle['ballots'])} ballots loaded in {loaded:.2f} s"
    )
    group = group_by_code("MJ-ALL")
    timings = []
    for _ in range(repeat):
        t = time.perf_counter()
        ranking = group_ranking(group, "2026Q3")
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    print(
        f"rank MJ-ALL 2026Q3 ({ranking.size} ranked, with 2026Q2): median {statistics.median(timings):.1f} ms, "
        f"max {timings[-1]:.1f} ms over {repeat}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=125, help="copies of the 马金镇 example (8 cadres each)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (its database is not touched)")
    args = parser.parse_args()
    examples_as_processes(args.postgres)
    in_process(args.postgres, args.copies, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
