#!/usr/bin/env python3
"""Benchmark: import an entries workbook of 200,000 rows (.xlsx) into the demo county.

    .venv/bin/python bench/import_xlsx.py                   # embedded SQLite in a temporary folder
    .venv/bin/python bench/import_xlsx.py --postgres postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/import_xlsx.py --rows 50000
    .venv/bin/python bench/import_xlsx.py --dry-run         # the preview (import_plan) instead: nothing kept

Builds the demo county and loads it, writes a 工分明细 workbook (openpyxl
write-only) whose rows repeat the demo's own (cadre, scheme, rule, day,
quantity) with new numbers, then imports it in a fresh child process through
``import_apply`` (the same path as ``gongfen import entries FILE --approve``),
so that the child's peak resident memory (``ru_maxrss``) is the import's own.
Prints rows/s for reading+checking+writing and the peak memory above the
child's baseline. For PostgreSQL a scratch database ``gongfen_bench_xlsx`` is
created (dropped first if it exists) on the server named by --postgres.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scratch_postgres(url: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS gongfen_bench_xlsx WITH (FORCE)")
        conn.execute("CREATE DATABASE gongfen_bench_xlsx")
    return url.rsplit("/", 1)[0] + "/gongfen_bench_xlsx"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from gongfen.cli import setup

    setup()


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child(path: str, dry_run: bool = False) -> int:
    """Import (or preview) the workbook; print one JSON line of figures."""
    setup_django()
    from gongfen.common import Actor
    from gongfen.interchange.excel import import_apply, import_plan

    baseline = maxrss_mb()
    t = time.perf_counter()
    actor, name = Actor(None, "bench"), Path(path).name
    if dry_run:
        plan = import_plan("entries", path, actor, approve=True, name=name)
    else:
        plan = import_apply(path, actor, kind="entries", approve=True, name=name)
    seconds = time.perf_counter() - t
    figures = {"seconds": seconds, "created": plan.created.get("entries", 0)}
    figures |= {"baseline_mb": baseline, "peak_mb": maxrss_mb()}
    print(json.dumps(figures))
    return 0


def write_workbook(path: Path, rows: int, entries: list[dict]) -> None:
    from openpyxl import Workbook

    from gongfen.interchange.excel import KINDS

    columns = KINDS["entries"].main.columns
    book = Workbook(write_only=True)
    ws = book.create_sheet("工分明细")
    ws.append([c.header for c in columns])
    source = itertools.cycle([e for e in entries if "adjusts" not in e])
    for n in range(rows):
        e = next(source)
        values = {"id": f"BX{n:07d}", "cadre": e["cadre"], "scheme": e["scheme"], "rule": e["rule"]}
        values |= {"occurred_on": e["occurred_on"], "quantity": float(e["quantity"]), "description": "批量导入"}
        ws.append([values.get(c.key) for c in columns])
    book.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (its database is not touched)")
    parser.add_argument("--dry-run", action="store_true", help="preview (import_plan) instead of importing")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.dry_run)

    home = Path(tempfile.mkdtemp(prefix="gongfen-bench-xlsx-"))
    os.environ["GONGFEN_HOME"] = str(home)
    os.environ["GONGFEN_DATABASE_URL"] = (
        scratch_postgres(args.postgres) if args.postgres else f"sqlite:///{home / 'bench.sqlite3'}"
    )
    setup_django()
    from django.db import connection

    from gongfen.common import Actor
    from gongfen.demo import build_demo_bundle
    from gongfen.interchange.services import bundle_load

    bundle = build_demo_bundle()
    bundle_load(actor=Actor(None, "bench"), bundle=bundle)
    print(f"database: {connection.vendor}; demo county loaded ({len(bundle['entries'])} entries)")
    path = home / "entries.xlsx"
    t = time.perf_counter()
    write_workbook(path, args.rows, bundle["entries"])
    del bundle
    print(
        f"workbook: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB, written in {time.perf_counter() - t:.1f} s"
    )
    connection.close()

    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path), *(["--dry-run"] if args.dry_run else [])],
        env=os.environ,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return 1
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    rate = figures["created"] / figures["seconds"]
    what = "preview" if args.dry_run else "import"
    print(f"{what}: {figures['created']:,} entries in {figures['seconds']:.1f} s → {rate:,.0f} rows/s")
    print(
        f"peak memory (ru_maxrss) of the importing process: {figures['peak_mb']:.0f} MB "
        f"({figures['peak_mb'] - figures['baseline_mb']:.0f} MB above its {figures['baseline_mb']:.0f} MB baseline)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
