#!/usr/bin/env python3
"""Benchmark at county and province scale, side by side with a GROUP BY leaderboard and a Redis sorted set.

    .venv/bin/python bench/scale.py --scale county                   # SQLite file in a temporary folder
    .venv/bin/python bench/scale.py --scale county --postgres postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/scale.py --scale province --postgres URL  # 100,000 cadres, 20 M entries
    .venv/bin/python bench/scale.py --scale tiny                     # 300 cadres, 20,000 entries (smoke test)

A fixed seed gives the same workload on every run (year 2025, so every quarter is in the past):
counties of townships (villages under them) and departments, cadres with posts, one scheme per
county (routine/special/stationing/deduction rules, a few caps, one veto rule used rarely), ranking
groups (one per township and department, all 村干部 of the county ≈ 1,000, the county's 15 乡镇长),
ballots for 2025Q2–Q3, and entries over the four quarters (mostly approved, some rejected, some
revoked, Q4 partly pending). Entries go in through the product's lean loader
(``gongfen.ledger.bulkload.entries_bulk_load``), then the same data is measured through the
product's own code path and through two baselines: (a) a GROUP BY sum over the ledger on every
request, (b) a Redis sorted set per group and quarter kept with ZINCRBY and read with ZREVRANGE.
It prints one table with ours/baseline ratios and checks that the three agree on every member's
raw quantitative total (posted amounts before caps) and on the order; exit 1 when they do not.
PostgreSQL works in a scratch database (``--database``, default gongfen_scale), dropped at the end
unless --keep. Redis keys start with ``gongfen-bench:<pid>:`` and are deleted at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025
QUARTERS = [(f"{YEAR}Q{q}", date(YEAR, 3 * q - 2, 1)) for q in range(1, 5)]
MEASURED = f"{YEAR}Q3"
PREFIX = f"gongfen-bench:{os.getpid()}:"  # per run: two runs at once (SQLite and PostgreSQL tests) never share keys
SCALE = 10_000  # Redis scores are amounts × 10^4 (integers: exact in a double)


@dataclass(frozen=True)
class Spec:
    counties: int
    townships: int
    villages: int  # per township
    village_cadres: int  # per county
    township_staff: int  # per township, head and secretary included
    departments: int
    department_staff: int
    entries: int  # in all, over the year

    @property
    def cadres(self) -> int:
        per = self.village_cadres + self.townships * self.township_staff + self.departments * self.department_staff
        return self.counties * per


SCALES = {
    "tiny": Spec(1, 3, 3, 60, 50, 3, 30, 20_000),
    "county": Spec(1, 15, 7, 1000, 160, 20, 80, 1_000_000),
    "province": Spec(20, 15, 7, 1000, 160, 20, 80, 20_000_000),
}

# (code, name, category, points, unit, cap, positions, veto, weight in the generated entries)
RULES = (
    ("B-GEN", "岗位分（一般干部）", "base", "60", None, None, ("科员", "村干部"), False, 0),
    ("B-LEAD", "岗位分（领导职务）", "base", "80", None, None, ("乡镇长", "党委书记", "局长"), False, 0),
    ("B-DEP", "岗位分（副职）", "base", "70", None, None, ("副乡镇长", "副局长"), False, 0),
    ("R-TASK", "完成交办事项", "routine", "1.5", "项", None, None, False, 30),
    ("R-INFO", "信息报送", "routine", "0.5", "篇", "5", None, False, 15),
    ("R-DUTY", "值班值守", "routine", "0.5", "天", "4", None, False, 12),
    ("R-MEET", "会议服务", "routine", "1", "次", None, None, False, 10),
    ("S-PROJ", "项目争取", "special", "3", "个", "9", None, False, 4),
    ("S-EMER", "急难险重任务", "special", "2", "次", "8", None, False, 5),
    ("S-INV", "招商引资落地项目", "special", "6", "个", None, None, False, 1),
    ("Z-DAY", "驻村工作日", "stationing", "0.5", "天", "20", None, False, 12),
    ("Z-VISIT", "入户走访", "stationing", "0.2", "户", None, None, False, 8),
    ("D-ERR", "工作差错", "deduction", "-2", "次", None, None, False, 2),
    ("D-ATT", "考勤违规", "deduction", "-1", "次", None, None, False, 1),
    ("D-VETO", "违纪违法（一票否决）", "deduction", "-50", None, None, None, True, 0),
)
POINTS = {r[0]: Decimal(r[3]) for r in RULES}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏辉建国宏志新春晓燕红文斌海波宇浩凯俊峰雪梅琳丹颖慧晨欣怡佳"
)


# --------------------------------------------------------------------------------------- workload


class Workload:
    """The synthetic province: structure as a bundle (small), entries as a generator (large, never held)."""

    def __init__(self, spec: Spec, seed: int):
        self.spec, self.seed = spec, seed
        self.units: list[dict] = []
        self.cadres: list[dict] = []
        self.schemes: list[dict] = []
        self.groups: list[dict] = []
        self.member_groups: dict[str, list[str]] = {}  # cadre code -> codes of the groups it belongs to
        self.cadre_county: dict[str, int] = {}
        self.diligence: dict[str, float] = {}
        # the county's real townships and villages, as vendored for the demo (a clone needs nothing beside it)
        kaihua = json.loads(resources.files("gongfen.demo").joinpath("kaihua-units.json").read_text(encoding="utf-8"))
        for c in range(spec.counties):
            self._county(c, kaihua if c == 0 else None)

    def _name(self, rng: random.Random) -> str:
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))

    def _unit(self, code: str, name: str, kind: str, parent: str | None) -> None:
        self.units.append({"code": code, "name": name, "kind": kind, **({"parent": parent} if parent else {})})

    def _cadre(self, rng, county: int, code: str, unit: str, position: str, groups: list[str]) -> None:
        self.cadres.append(
            {
                "code": code,
                "name": self._name(rng),
                "posts": [{"unit": unit, "position": position, "start": "2020-01-01", "end": None}],
            }
        )
        self.member_groups[code] = groups
        self.cadre_county[code] = county
        self.diligence[code] = rng.uniform(0.6, 1.4)

    def _county(self, c: int, kaihua: dict | None) -> None:
        spec, rng = self.spec, random.Random(f"{self.seed}-structure-{c}")
        cc = f"C{c + 1:02d}"
        county_name = kaihua["county"]["name"] if kaihua else f"第{c + 1}县"
        scheme = f"{cc}-{YEAR}"
        self._unit(cc, county_name, "county", None)
        self.schemes.append(
            {
                "code": scheme,
                "name": f"{county_name}{YEAR}年干部“工分+排名”实绩考评办法",
                "unit": cc,
                "year": YEAR,
                "weights": {"quantitative": "0.7", "qualitative": "0.3"},
                "grades": {"优秀": "100", "良好": "85", "一般": "70", "较差": "50"},
                "evaluator_classes": {"leader": "0.4", "peer": "0.4", "public": "0.2"},
                "tiers": [{"name": n, "cumulative": v} for n, v in (("一档", "0.2"), ("二档", "0.7"), ("三档", "1"))],
                "min_days": 30,
                "category_caps": {"special": "20", "deduction": "20"},
                "rules": [
                    {
                        "code": code,
                        "name": name,
                        "category": cat,
                        "points": pts,
                        **({"unit": unit} if unit else {}),
                        **({"cap": cap} if cap else {}),
                        **({"positions": list(pos)} if pos else {}),
                        **({"veto": True} if veto else {}),
                    }
                    for code, name, cat, pts, unit, cap, pos, veto, _w in RULES
                ],
            }
        )
        vil, heads = f"G-{cc}-VIL", f"G-{cc}-HEADS"
        self.groups.append(
            {
                "code": vil,
                "name": f"{county_name}全体村干部",
                "scheme": scheme,
                "select": {"unit": cc, "position": "村干部"},
            }
        )
        self.groups.append(
            {
                "code": heads,
                "name": f"{county_name}乡镇长",
                "scheme": scheme,
                "select": {"unit": cc, "position": "乡镇长"},
            }
        )
        towns = (kaihua or {}).get("townships", [])
        n = 0
        village_units = []
        for t in range(spec.townships):
            tc = f"{cc}-T{t + 1:02d}"
            real = towns[t] if t < len(towns) else None
            tname = real["name"] if real else f"{county_name}第{t + 1}镇"
            self._unit(tc, tname, "subdistrict" if real and real["kind"] == "subdistrict" else "township", cc)
            group = f"G-{tc}"
            self.groups.append({"code": group, "name": f"{tname}全体干部", "scheme": scheme, "select": {"unit": tc}})
            for v in range(spec.villages):
                vc = f"{tc}-V{v + 1:02d}"
                names = real["villages"] if real else []
                self._unit(vc, names[v] if v < len(names) else f"{tname}第{v + 1}村", "village", tc)
                village_units.append((vc, group))
            for i in range(spec.township_staff):
                n += 1
                position = ["乡镇长", "党委书记", "副乡镇长", "副乡镇长", "副乡镇长"][i] if i < 5 else "科员"
                groups = [group, heads] if position == "乡镇长" else [group]
                self._cadre(rng, c, f"{cc}-{n:05d}", tc, position, groups)
        for i in range(spec.village_cadres):
            n += 1
            unit, group = village_units[i % len(village_units)]
            self._cadre(rng, c, f"{cc}-{n:05d}", unit, "村干部", [group, vil])
        for d in range(spec.departments):
            dc = f"{cc}-D{d + 1:02d}"
            self._unit(dc, f"{county_name}第{d + 1}局", "department", cc)
            group = f"G-{dc}"
            self.groups.append(
                {"code": group, "name": f"{county_name}第{d + 1}局全体干部", "scheme": scheme, "select": {"unit": dc}}
            )
            for i in range(spec.department_staff):
                n += 1
                position = ["局长", "副局长", "副局长"][i] if i < 3 else "科员"
                self._cadre(rng, c, f"{cc}-{n:05d}", dc, position, [group])

    def bundle(self) -> dict:
        return {
            "format": "gongfen-bundle/1",
            "units": self.units,
            "cadres": self.cadres,
            "schemes": self.schemes,
            "groups": self.groups,
        }

    def entries(self):
        """(code, cadre, scheme, rule, day, quantity, status), county by county: the same for the same seed."""
        spec = self.spec
        per_quarter = spec.entries / spec.cadres / 4
        weighted = [r[0] for r in RULES for _ in range(r[8])]
        nw = len(weighted)
        by_county: dict[int, list[str]] = {}
        for cadre in self.cadres:
            by_county.setdefault(self.cadre_county[cadre["code"]], []).append(cadre["code"])
        for c, codes in sorted(by_county.items()):
            rng = random.Random(f"{self.seed}-entries-{c}")
            r = rng.random
            scheme, n = f"C{c + 1:02d}-{YEAR}", 0
            for cadre in codes:
                lam = per_quarter * self.diligence[cadre]
                for qi, (_, start) in enumerate(QUARTERS):
                    days = (date(YEAR + (qi == 3), 1 if qi == 3 else start.month + 3, 1) - start).days
                    for _ in range(int(lam * (0.8 + 0.4 * r()) + 0.5)):
                        n += 1
                        x = r()
                        rule = "D-VETO" if x < 0.00001 else weighted[int(r() * nw)]
                        if qi == 3 and x > 0.88:
                            status = "pending"
                        elif x > 0.96 or (qi == 3 and x > 0.84):
                            status = "rejected"
                        elif x > 0.93:
                            status = "revoked"
                        else:
                            status = "approved"
                        day = start + timedelta(days=int(r() * days))
                        yield (f"{scheme}-{n:08d}", cadre, scheme, rule, day, 1 + int(r() * 3), status)

    def ballots(self):
        """(cadre code, scheme code, period, class, grade) for Q2 and Q3 (a ranking reads the quarter before too)."""
        grades = ("优秀", "良好", "一般", "较差")
        for c in range(self.spec.counties):
            rng = random.Random(f"{self.seed}-ballots-{c}")
            for cadre in self.cadres:
                code = cadre["code"]
                if self.cadre_county[code] != c:
                    continue
                level = self.diligence[code]
                for period, _ in QUARTERS[1:3]:
                    for klass, n in (("leader", 1), ("peer", 5), ("public", 3 if rng.random() < 0.3 else 0)):
                        for _ in range(n):
                            x = level + rng.gauss(0, 0.3)
                            yield (
                                code,
                                f"C{c + 1:02d}-{YEAR}",
                                period,
                                klass,
                                grades[0 if x > 1.25 else 1 if x > 0.95 else 2 if x > 0.6 else 3],
                            )


class Timed:
    """Wraps a generator and adds up the time spent producing its items (so a load's rate excludes it)."""

    def __init__(self, iterable):
        self.iterator, self.seconds, self.count = iter(iterable), 0.0, 0

    def __iter__(self):
        return self

    def __next__(self):
        t = time.perf_counter()
        try:
            return next(self.iterator)
        finally:
            self.seconds += time.perf_counter() - t
            self.count += 1


# --------------------------------------------------------------------------------------- helpers


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timings(fn, repeat: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def log(message: str) -> None:
    print(message, flush=True)


def scratch_postgres(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------------------- phases


def load_structure(work: Workload) -> None:
    from django.db import transaction

    from gongfen.bulk import allocate_ids, copy_rows
    from gongfen.common import Actor
    from gongfen.evaluations.models import Ballot
    from gongfen.interchange.services import bundle_load
    from gongfen.org.models import Cadre
    from gongfen.schemes.models import Scheme

    t = time.perf_counter()
    bundle_load(actor=Actor(None, "bench"), bundle=work.bundle(), source="bench/scale.py")
    log(
        f"structure: {len(work.units):,} units, {len(work.cadres):,} cadres, {len(work.groups):,} groups "
        f"loaded through bundle_load in {time.perf_counter() - t:.1f} s"
    )
    t = time.perf_counter()
    cadres = dict(Cadre.objects.values_list("code", "id"))
    schemes = dict(Scheme.objects.values_list("code", "id"))
    n = 0
    with transaction.atomic():
        chunk: list[tuple] = []

        def flush():
            ids = allocate_ids(Ballot, len(chunk))
            copy_rows(
                Ballot,
                ("id", "scheme_id", "period", "cadre_id", "evaluator_class", "grade", "round_id"),
                [(pk, *row) for pk, row in zip(ids, chunk, strict=True)],
            )
            chunk.clear()

        for cadre, scheme, period, klass, grade in work.ballots():
            chunk.append((schemes[scheme], period, cadres[cadre], klass, grade, None))
            n += 1
            if len(chunk) == 100_000:
                flush()
        flush()
    log(f"ballots: {n:,} in {time.perf_counter() - t:.1f} s")


def load_entries(work: Workload, profile: bool) -> dict:
    """Load the entries in a child process (fork), so its peak memory is its own; returns its figures."""
    from django.db import connections

    connections.close_all()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        code = 0
        try:
            result = _load_entries_child(work, profile)
        except BaseException as exc:  # reported to the parent
            result, code = {"error": repr(exc)}, 1
        os.write(write, json.dumps(result).encode())
        os.close(write)
        os._exit(code)
    os.close(write)
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    os.waitpid(pid, 0)
    result = json.loads(data)
    if "error" in result:
        raise RuntimeError(f"the load failed: {result['error']}")
    return result


def _load_entries_child(work: Workload, profile: bool) -> dict:
    from gongfen.common import Actor
    from gongfen.ledger.bulkload import entries_bulk_load

    baseline = maxrss_mb()
    rows = Timed(work.entries())
    start = time.perf_counter()
    last = [start]

    def progress(n: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 10 or n % 1_000_000 == 0:
            last[0] = now
            rate = n / max(1e-9, now - start - rows.seconds)
            log(f"  loaded {n:,} entries in {now - start:.0f} s ({rate:,.0f} entries/s excluding generation)")

    def run():
        return entries_bulk_load(actor=Actor(None, "bench"), rows=rows, progress=progress, source="bench/scale.py")

    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        report = profiler.runcall(run)
        stats = pstats.Stats(profiler).sort_stats("tottime")
        stats.print_stats(25)
    else:
        report = run()
    wall = time.perf_counter() - start
    return {
        "entries": report.entries,
        "reversals": report.reversals,
        "events": report.events,
        "by_status": report.by_status,
        "wall": wall,
        "generation": rows.seconds,
        "rss_baseline": baseline,
        "rss_peak": maxrss_mb(),
    }


def redis_load(work: Workload, client) -> dict:
    """ZINCRBY every posted entry (and every reversal) into each of its cadre's groups' sets for its quarter."""
    rows = Timed(work.entries())
    start = time.perf_counter()
    pipe = client.pipeline(transaction=False)
    commands = posted = 0
    groups = work.member_groups
    for _code, cadre, _scheme, rule, day, quantity, status in rows:
        if status not in ("approved", "revoked"):
            continue
        posted += 1
        amount = int(POINTS[rule] * quantity * SCALE)
        period = f"{YEAR}Q{(day.month - 1) // 3 + 1}"
        for group in groups[cadre]:
            key = f"{PREFIX}{group}:{period}"
            pipe.zincrby(key, amount, cadre)
            commands += 1
            if status == "revoked":  # its reversal
                pipe.zincrby(key, -amount, cadre)
                commands += 1
        if commands >= 10_000:
            pipe.execute()
            commands = 0
    pipe.execute()
    wall = time.perf_counter() - start
    return {"posted": posted, "wall": wall, "generation": rows.seconds}


def group_by_sql(group, period: str) -> tuple[str, list]:
    """The GROUP BY leaderboard (Frappe's way): sum the ledger of the group's members for the quarter, on every request."""
    from gongfen.scoring.periods import Quarter

    q = Quarter.parse(period)
    where, params = ["p.start <= %s", '(p."end" IS NULL OR p."end" >= %s)'], [q.end, q.start]
    if group.select_unit_id:
        where.append("u.path LIKE %s")
        params.append(group.select_unit.path + "%")
    if group.select_position:
        where.append("p.position = %s")
        params.append(group.select_position)
    sql = (
        "SELECT c.code, SUM(e.amount) AS total FROM ledger_entry e JOIN org_cadre c ON c.id = e.cadre_id "
        "WHERE e.posted AND e.scheme_id = %s AND e.period = %s AND e.cadre_id IN ("
        "SELECT p.cadre_id FROM org_post p JOIN org_unit u ON u.id = p.unit_id WHERE " + " AND ".join(where) + ") "
        "GROUP BY c.code ORDER BY total DESC, c.code"
    )
    return sql, [group.scheme_id, period, *params]


def exact(value) -> int:
    """An amount as an integer number of 1/10^4 points (SQLite sums REAL, PostgreSQL NUMERIC, Redis a double)."""
    return round(float(value) * SCALE) if isinstance(value, float) else int(Decimal(value) * SCALE)


def product_raw(ranking) -> dict[str, int]:
    """Each member's raw quantitative total from the product's ranking: posted amounts before caps, base excluded."""
    out = {
        row.cadre: sum(exact(line.raw) for line in row.breakdown.rules if line.category != "base")
        for row in ranking.rows
    }
    for unranked in ranking.unranked:
        out.setdefault(unranked.cadre, 0)
    return out


def agreement(name: str, ours: dict[str, int], sql_rows: list, redis_rows: list) -> list[str]:
    problems = []
    sql = {code: exact(total) for code, total in sql_rows}
    red = {code.decode() if isinstance(code, bytes) else code: round(score) for code, score in redis_rows}
    for label, other in (("GROUP BY", sql), ("Redis", red)):
        full = {code: other.get(code, 0) for code in ours}
        extra = set(other) - set(ours)
        if extra:
            problems.append(
                f"{name}: {label} has {len(extra)} cadres the product does not rank, e.g. {sorted(extra)[:3]}"
            )
        diff = [code for code in ours if full[code] != ours[code]]
        if diff:
            c = diff[0]
            problems.append(f"{name}: {len(diff)} totals differ from {label}, e.g. {c}: ours {ours[c]} vs {full[c]}")
    for label, seq in (
        ("GROUP BY", [exact(t) for _, t in sql_rows]),
        ("Redis", [round(s) for _, s in redis_rows]),
    ):
        if any(a < b for a, b in itertools.pairwise(seq)):
            problems.append(f"{name}: the {label} order is not by total descending")
    ordered_ours = sorted(ours.values(), reverse=True)
    nonzero = [v for v in ordered_ours if v]
    if [exact(t) for _, t in sql_rows if exact(t)] != nonzero:
        problems.append(f"{name}: GROUP BY order of totals differs from the product's")
    if [round(s) for _, s in redis_rows if round(s)] != nonzero:
        problems.append(f"{name}: Redis order of totals differs from the product's")
    return problems


# --------------------------------------------------------------------------------------- the run


def run(args) -> int:
    spec = SCALES[args.scale]
    if args.entries:
        spec = dataclasses.replace(spec, entries=args.entries)
    home = Path(tempfile.mkdtemp(prefix="gongfen-scale-"))
    os.environ["GONGFEN_HOME"] = str(home)
    db_url = scratch_postgres(args.postgres, args.database) if args.postgres else f"sqlite:///{home / 'scale.sqlite3'}"
    os.environ["GONGFEN_DATABASE_URL"] = db_url
    sys.path.insert(0, str(ROOT / "src"))
    from gongfen.cli import setup

    setup()
    import redis
    from django.db import connection

    import gongfen.urls  # noqa: F401  every module now: a long run never imports code edited after its start

    client = redis.Redis.from_url(args.redis)
    client.ping()
    for key in client.scan_iter(f"{PREFIX}*", count=1000):
        client.delete(key)
    try:
        return _measure(args, spec, client, connection)
    finally:
        for key in client.scan_iter(f"{PREFIX}*", count=1000):
            client.delete(key)
        from django.db import connections

        connections.close_all()
        if args.postgres and not args.keep:
            drop_postgres(args.postgres, args.database)
            log(f"dropped the scratch database {args.database}")
        elif args.postgres:
            log(f"kept the scratch database: {db_url}")
        if args.keep:
            log(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)  # the SQLite file of a county is ~600 MB


def _measure(args, spec: Spec, client, connection) -> int:
    from django.conf import settings

    from gongfen.common import Actor
    from gongfen.ledger import services as ledger
    from gongfen.ledger.models import Entry, EntryStatus
    from gongfen.ledger.selectors import totals_mismatches
    from gongfen.publication import services as publication
    from gongfen.publication.selectors import snapshot_current
    from gongfen.rankings import selectors as rankings

    vendor = connection.vendor
    log(f"scale {args.scale}: {spec.cadres:,} cadres, ~{spec.entries:,} entries, seed {args.seed}; database {vendor}")
    t = time.perf_counter()
    work = Workload(spec, args.seed)
    log(f"workload structure generated in {time.perf_counter() - t:.1f} s")
    load_structure(work)
    log("loading entries (lean bulk load, chunks of 50,000) …")
    loaded = load_entries(work, args.profile)
    load_rate = loaded["entries"] / (loaded["wall"] - loaded["generation"])
    log(
        f"loaded {loaded['entries']:,} entries (+{loaded['reversals']:,} reversals, {loaded['events']:,} events) "
        f"in {loaded['wall']:.1f} s, of which {loaded['generation']:.1f} s generating them → {load_rate:,.0f} entries/s; "
        f"peak RSS {loaded['rss_peak']:.0f} MB ({loaded['rss_peak'] - loaded['rss_baseline']:.0f} MB above "
        f"{loaded['rss_baseline']:.0f} MB)"
    )
    if args.load_only:
        return 0
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    log("Redis: ZINCRBY of every posted entry into its cadre's groups …")
    red = redis_load(work, client)
    redis_rate = red["posted"] / (red["wall"] - red["generation"])
    log(
        f"Redis load: {red['posted']:,} posted entries in {red['wall'] - red['generation']:.1f} s "
        f"(excluding generation) → {redis_rate:,.0f} entries/s"
    )

    t = time.perf_counter()
    mismatches = totals_mismatches()
    check_seconds = time.perf_counter() - t
    log(
        f"gongfen check: {'maintained totals == recomputation' if not mismatches else f'{len(mismatches)} MISMATCHES'} "
        f"({check_seconds:.1f} s)"
    )
    problems = [f"gongfen check: {len(mismatches)} mismatches"] if mismatches else []
    if args.verify:
        from gongfen.trust.selectors import log_verify

        result = log_verify()
        log(f"gongfen verify: {'intact' if result.intact else result.problems[:3]}")
        if not result.intact:
            problems.append("gongfen verify failed")

    big = rankings.group_by_code("G-C01-VIL")
    peer = rankings.group_by_code("G-C01-HEADS")
    rows: list[tuple] = []
    figures: dict = {"scale": args.scale, "database": vendor, "entries": loaded["entries"], "load_rate": load_rate}
    for label, group in (("1,000", big), ("15", peer)):
        ranking = rankings.group_ranking(group, MEASURED)
        size = len(ranking.rows) + len(ranking.unranked)
        cached = hasattr(rankings, "cache")  # the product's ranking cache (rankings.cache), when there is one
        settings.GONGFEN_RANKING_CACHE = False
        live = timings(lambda g=group: rankings.group_ranking(g, MEASURED), args.repeat)
        settings.GONGFEN_RANKING_CACHE = True
        sql, params = group_by_sql(group, MEASURED)

        def by_sql(sql=sql, params=params):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        key = f"{PREFIX}{group.code}:{MEASURED}"
        sql_t = timings(by_sql, args.repeat)
        red_t = timings(lambda key=key: client.zrevrange(key, 0, -1, withscores=True), args.repeat)
        problems += agreement(group.code, product_raw(ranking), by_sql(), client.zrevrange(key, 0, -1, withscores=True))
        name = f"rank group of {size} ({label}): live computation (group_ranking, cache off)"
        rows.append((name, live, sql_t, red_t))
        log(
            f"{name}: p50/p95 {pct(live, 50):.1f}/{pct(live, 95):.1f} ms; GROUP BY {pct(sql_t, 50):.1f}/"
            f"{pct(sql_t, 95):.1f} ms; Redis {pct(red_t, 50):.2f}/{pct(red_t, 95):.2f} ms"
        )
        figures[f"rank_{label}"] = {"size": size, "live": live, "group_by": sql_t, "redis": red_t}
        if cached:
            hit = timings(lambda g=group: rankings.group_ranking(g, MEASURED), args.repeat)
            rows.append(
                (f"rank group of {size} ({label}): cached read (group_ranking, rankings.cache)", hit, sql_t, red_t)
            )
            figures[f"rank_{label}"]["cached"] = hit
            log(f"  cached read: p50/p95 {pct(hit, 50):.2f}/{pct(hit, 95):.2f} ms")

    county_groups = [g for g in rankings.groups_queryset() if g.code.startswith("G-C01-")]
    actor = Actor(None, "bench")
    t = time.perf_counter()
    if hasattr(publication, "quarter_publish_all"):
        how = "quarter_publish_all"
        publication.quarter_publish_all(actor=actor, groups=county_groups, period=MEASURED, today=date(YEAR, 10, 8))
    else:
        how = "period_close + period_publish per group"
        for group in county_groups:
            publication.period_close(actor=actor, group=group, period=MEASURED)
            publication.period_publish(actor=actor, group=group, period=MEASURED, today=date(YEAR, 10, 8))
    close_seconds = time.perf_counter() - t
    log(f"county quarter closed and published ({len(county_groups)} groups, {how}): {close_seconds:.2f} s")
    for group in (big, peer):

        def snapshot_read(group=group):
            snapshot = snapshot_current(group, MEASURED)
            return snapshot.data["ranking"]["rows"]

        snap = timings(snapshot_read, args.repeat)
        key = f"{PREFIX}{group.code}:{MEASURED}"
        sql, params = group_by_sql(group, MEASURED)

        def by_sql(sql=sql, params=params):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        sql_t = timings(by_sql, args.repeat)
        red_t = timings(lambda key=key: client.zrevrange(key, 0, -1, withscores=True), args.repeat)
        rows.append((f"rank group {group.code}: published snapshot read (snapshot_current)", snap, sql_t, red_t))
        log(f"{group.code} published snapshot read: p50/p95 {pct(snap, 50):.1f}/{pct(snap, 95):.1f} ms")

    pending = list(
        Entry.objects.filter(status=EntryStatus.PENDING, scheme__code="C01-2025").order_by("id")[: args.approvals]
    )
    approve_t = []
    for entry in pending:
        t = time.perf_counter()
        ledger.entry_approve(actor=actor, entry=entry)
        approve_t.append((time.perf_counter() - t) * 1000)
    if approve_t:
        log(f"approvals: p50/p95 {pct(approve_t, 50):.1f}/{pct(approve_t, 95):.1f} ms")
    if pending and totals_mismatches(scheme__code="C01-2025", period=f"{YEAR}Q4"):
        problems.append("totals differ from the ledger after the approvals")

    # --- the table
    log("")
    log(
        f"scale {args.scale} on {vendor}: {loaded['entries']:,} entries, {spec.cadres:,} cadres; times in ms (p50 / p95 / p99)"
    )
    header = f"{'measure':<78} {'ours':>24} {'GROUP BY':>24} {'Redis':>24} {'ours/GROUP BY':>14} {'ours/Redis':>11}"
    log(header)
    log("-" * len(header))

    def fmt(values: list[float]) -> str:
        return f"{pct(values, 50):.2f} / {pct(values, 95):.2f} / {pct(values, 99):.2f}"

    table = []
    mem = f"{loaded['rss_peak']:.0f} MB (+{loaded['rss_peak'] - loaded['rss_baseline']:.0f})"
    table.append(
        (
            "bulk load, entries/s (ours: lean loader; Redis: ZINCRBY pipeline)",
            f"{load_rate:,.0f}",
            "—",
            f"{redis_rate:,.0f}",
            "—",
            f"{load_rate / redis_rate:.2f}",
        )
    )
    table.append(("bulk load, peak memory (ru_maxrss, above baseline)", mem, "—", "—", "—", "—"))
    for name, ours, sql_t, red_t in rows:
        table.append(
            (
                name,
                fmt(ours),
                fmt(sql_t),
                fmt(red_t),
                f"{pct(ours, 95) / pct(sql_t, 95):.3f}",
                f"{pct(ours, 95) / pct(red_t, 95):.2f}",
            )
        )
    table.append(
        (f"close a county quarter ({len(county_groups)} groups, {how}), s", f"{close_seconds:.2f}", "—", "—", "—", "—")
    )
    if approve_t:
        table.append(
            (
                f"approve one entry incl. maintained totals (entry_approve ×{len(approve_t)}), ms",
                f"{pct(approve_t, 50):.2f} / {pct(approve_t, 95):.2f} / {pct(approve_t, 99):.2f}",
                "—",
                "—",
                "—",
                "—",
            )
        )
    table.append(
        (
            "agreement: raw totals and order, product = GROUP BY = Redis",
            "yes" if not problems else "NO",
            "—",
            "—",
            "—",
            "—",
        )
    )
    for line in table:
        log(f"{line[0]:<78} {line[1]:>24} {line[2]:>24} {line[3]:>24} {line[4]:>14} {line[5]:>11}")
    log("ratios are ours/baseline at p95 (below 1: ours is faster)")
    for problem in problems:
        log(f"DISAGREEMENT: {problem}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "table": table,
                    "problems": problems,
                    "figures": {
                        **figures,
                        "close": close_seconds,
                        "approve": approve_t,
                        "loaded": loaded,
                        "redis": red,
                    },
                },
                ensure_ascii=False,
                default=str,
            ),
            encoding="utf-8",
        )
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="county")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (its own database is not touched)")
    parser.add_argument("--database", default="gongfen_scale", help="the scratch database's name on --postgres")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=200, help="repetitions of each read")
    parser.add_argument("--approvals", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (and SQLite folder)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--profile", action="store_true", help="cProfile the bulk load (prints the top 25)")
    parser.add_argument(
        "--verify", action="store_true", help="run gongfen verify too (holds every event: small scales)"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--entries", type=int, help="override the scale's number of entries (profiling)")
    parser.add_argument("--load-only", action="store_true", help="stop after the bulk load (profiling)")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
