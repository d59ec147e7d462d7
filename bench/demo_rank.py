#!/usr/bin/env python3
"""Benchmark: build the demo county, load it, then rank every group for every quarter.

    .venv/bin/python bench/demo_rank.py                       # embedded SQLite in a temporary folder
    .venv/bin/python bench/demo_rank.py --postgres postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/demo_rank.py --cadres 5000

Prints entries loaded per second, and ranking time per group (each group
alone, through the product's selector) and per quarter (all groups in one pass).
For PostgreSQL, a scratch database ``gongfen_bench`` is created (and dropped
first if it exists) on the server named by --postgres.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def scratch_postgres(url: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS gongfen_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE gongfen_bench")
    return url.rsplit("/", 1)[0] + "/gongfen_bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cadres", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (its database is not touched)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of each group ranking")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="gongfen-bench-"))
    os.environ["GONGFEN_HOME"] = str(home)
    os.environ["GONGFEN_DATABASE_URL"] = (
        scratch_postgres(args.postgres) if args.postgres else f"sqlite:///{home / 'bench.sqlite3'}"
    )
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from gongfen.cli import setup

    setup()
    from django.db import connection

    from gongfen.common import Actor
    from gongfen.demo import build_demo_bundle
    from gongfen.interchange.services import bundle_load
    from gongfen.rankings.selectors import group_ranking, groups_queryset, rank_all
    from gongfen.scoring import Quarter

    print(f"database: {connection.vendor}; cadres: {args.cadres}; seed: {args.seed}")
    t = time.perf_counter()
    bundle = build_demo_bundle(seed=args.seed, cadres=args.cadres)
    generated = time.perf_counter() - t
    n_entries = len(bundle["entries"])
    t = time.perf_counter()
    bundle_load(actor=Actor(None, "bench"), bundle=bundle)
    loaded = time.perf_counter() - t
    print(f"generate bundle: {generated:.2f} s")
    print(
        f"load bundle: {loaded:.2f} s for {n_entries} entries, {len(bundle['ballots'])} ballots "
        f"→ {n_entries / loaded:,.0f} entries/s (whole bundle, checks included)"
    )

    groups = list(groups_queryset())
    print(
        f"\n{'period':8} {'groups':>6} {'per group p50 ms':>17} {'p95 ms':>8} {'max ms':>8} {'all groups, one pass ms':>24}"
    )
    for quarter in Quarter.all_of_year(2026):
        timings = []
        for group in groups:
            for _ in range(args.repeat):
                t = time.perf_counter()
                group_ranking(group, quarter.code)
                timings.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        rank_all(quarter.code)
        all_ms = (time.perf_counter() - t) * 1000
        timings.sort()
        p95 = timings[int(0.95 * (len(timings) - 1))]
        print(
            f"{quarter.code:8} {len(groups):>6} {statistics.median(timings):>17.1f} {p95:>8.1f} "
            f"{timings[-1]:>8.1f} {all_ms:>24.1f}"
        )
    biggest = max(groups, key=lambda g: group_ranking(g, "2026Q3").size)
    print(f"\nlargest group: {biggest.code} ({group_ranking(biggest, '2026Q3').size} ranked in 2026Q3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
