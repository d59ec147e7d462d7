"""Load test: N concurrent clients declare and approve through the real web forms of `gongfen serve`.

    .venv/bin/python bench/load_test.py                       # SQLite file in a temporary folder
    .venv/bin/python bench/load_test.py --postgres postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/load_test.py --clients 16 --seconds 60 --cadres 300

It builds the demo county (``gongfen demo``; ``--cadres`` makes it smaller or bigger) in a scratch
database, adds load-test accounts (cadres of 齐溪镇 who declare, reviewers of 齐溪镇 who approve),
starts ``gongfen serve`` (waitress) on a free loopback port, and runs ``--clients`` threads for
``--seconds``: half of them log in as cadres and declare entries into the open quarter (GET the
form, POST it with its CSRF token), the other half log in as reviewers and approve what waits
(GET the queue, POST the decision). Only 127.0.0.1 is ever contacted; every loop is bounded in
time. At the end it prints requests/s, p50/p95/p99 latency per kind of request, the error count,
and runs ``gongfen check`` (maintained totals against a recomputation). Exit status 1 when a check
fails or errors were seen. Standard library only (http.client), no extra dependency.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
GONGFEN = [sys.executable, "-m", "gongfen"]
PASSWORD = "load-test-password-2026"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RULE_OPTION = re.compile(r'<option value="(\d+)"[^>]*>([^<]*)</option>')
QUEUE_ENTRY = re.compile(r'name="entries" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class Client:
    """One browser: its own connection and cookies; records each request's latency under a kind."""

    def __init__(self, port: int, stats: Stats):
        self.port, self.stats, self.cookies = port, stats, SimpleCookie()
        self.conn = HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, kind: str, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v.value}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except OSError as exc:
            self.stats.error(kind, f"{type(exc).__name__}: {exc}")
            self.conn.close()
            self.conn = HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0, "", ""
        self.stats.record(kind, time.perf_counter() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        if response.status >= 400:
            self.stats.error(kind, f"HTTP {response.status} {path}")
        return response.status, response.getheader("Location") or "", text

    def token(self, page: str) -> str:
        match = CSRF.search(page)
        return match.group(1) if match else ""

    def login(self, username: str) -> bool:
        _, _, page = self.request("login", "GET", "/login/")
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.token(page)}
        status, location, _ = self.request("login", "POST", "/login/", form)
        return status == 302 and "/login/" not in location


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.done: dict[str, int] = defaultdict(int)

    def record(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latency[kind].append(seconds)

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            self.errors[kind].append(what)

    def count(self, what: str) -> None:
        with self.lock:
            self.done[what] += 1


def declarer(client: Client, username: str, stop: threading.Event) -> None:
    if not client.login(username):
        client.stats.error("login", f"{username} could not log in")
        return
    today = date.today().isoformat()
    n = 0
    while not stop.is_set():
        _, _, page = client.request("declare form", "GET", f"/ledger/declare/?occurred_on={today}")
        rules = [value for value, label in RULE_OPTION.findall(page) if "须佐证" not in html.unescape(label)]
        if not rules:
            client.stats.error("declare form", "no rule to declare")
            return
        n += 1
        form = {
            "csrfmiddlewaretoken": client.token(page),
            "rule": rules[n % len(rules)],
            "occurred_on": today,
            "quantity": str(1 + n % 3),
            "description": f"压力测试 {username} #{n}",
        }
        status, location, _ = client.request("declare", "POST", "/ledger/declare/", form)
        if status == 302 and "/ledger/entry/" in location:
            client.stats.count("declared")
        elif status < 400:
            client.stats.error("declare", "declaration refused (form shown again)")


def reviewer(client: Client, username: str, stop: threading.Event) -> None:
    if not client.login(username):
        client.stats.error("login", f"{username} could not log in")
        return
    while not stop.is_set():
        _, _, page = client.request("review queue", "GET", "/ledger/review/")
        codes = QUEUE_ENTRY.findall(page)
        if not codes:
            stop.wait(0.05)
            continue
        token = client.token(page)
        for code in codes[:5]:
            if stop.is_set():
                break
            form = {"csrfmiddlewaretoken": token, "decision": "approve", "reason": "压力测试"}
            status, _, _ = client.request("approve", "POST", f"/ledger/review/{code}/", form)
            if status == 302:
                client.stats.count("decisions posted")


def seed(env: dict, cadres: int, clients: int) -> tuple[list[str], list[str]]:
    """The demo county, then load-test accounts: cadres of 齐溪镇 (declare) and its reviewers (approve)."""
    print(f"building the demo county ({cadres} cadres)…", flush=True)
    subprocess.run([*GONGFEN, "demo", "--cadres", str(cadres)], env=env, check=True, stdout=subprocess.DEVNULL)
    n_reviewers = max(1, clients // 2)
    n_cadres = max(1, clients - n_reviewers)
    script = f"""
from gongfen.cli import setup
setup()
from gongfen.accounts.models import RoleKind, User
from gongfen.accounts.services import role_grant, user_create
from gongfen.common import Actor
from gongfen.org.models import Cadre, Unit
actor, town = Actor.system(), Unit.objects.get(code="KH-QX")
people = Cadre.objects.filter(posts__unit__path__startswith=town.path, posts__end__isnull=True)
people = people.exclude(pk__in=User.objects.exclude(cadre=None).values("cadre_id")).distinct().order_by("code")
for i, cadre in enumerate(people[:{n_cadres}]):
    user_create(actor=actor, username=f"load-cadre-{{i}}", password={PASSWORD!r}, cadre=cadre)
for i in range({n_reviewers}):
    user = user_create(actor=actor, username=f"load-reviewer-{{i}}", password={PASSWORD!r})
    role_grant(actor=actor, user=user, kind=RoleKind.REVIEWER, unit=town)
"""
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    return [f"load-cadre-{i}" for i in range(n_cadres)], [f"load-reviewer-{i}" for i in range(n_reviewers)]


def wait_for(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gongfen serve ended before it answered")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gongfen serve did not answer")


def report(stats: Stats, elapsed: float) -> int:
    total = sum(len(v) for v in stats.latency.values())
    errors = sum(len(v) for v in stats.errors.values())
    print(f"\n{total} requests in {elapsed:.1f} s: {total / elapsed:.1f} requests/s; errors: {errors}")
    print(f"{'kind':<14} {'n':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, values in sorted(stats.latency.items()):
        ms = [v * 1000 for v in values]
        print(
            f"{kind:<14} {len(ms):>6} {len(ms) / elapsed:>7.1f} {statistics.median(ms):>8.0f} "
            f"{percentile(ms, 95):>8.0f} {percentile(ms, 99):>8.0f} {max(ms):>8.0f}"
        )
    print("done: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.done.items())))
    for kind, items in sorted(stats.errors.items()):
        print(f"errors in {kind}: {len(items)}, e.g. {items[0]}")
    return errors


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--cadres", type=int, default=1200, help="size of the seeded demo county")
    p.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    p.add_argument("--postgres", metavar="URL", help="a PostgreSQL server; works in a scratch database gongfen_load")
    args = p.parse_args()

    home = Path(tempfile.mkdtemp(prefix="gongfen-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGFEN_", "DJANGO_"))}
    env |= {"GONGFEN_HOME": str(home), "PYTHONPATH": str(ROOT / "src")}
    scratch = None
    if args.postgres:
        import psycopg

        server_url = urlparse(args.postgres)
        scratch = urlunparse(server_url._replace(path="/postgres"))
        with psycopg.connect(scratch, autocommit=True) as db:
            db.execute("DROP DATABASE IF EXISTS gongfen_load WITH (FORCE)")
            db.execute("CREATE DATABASE gongfen_load")
        env["GONGFEN_DATABASE_URL"] = urlunparse(server_url._replace(path="/gongfen_load"))
    else:
        env["GONGFEN_DATABASE_URL"] = f"sqlite:///{home / 'gongfen.sqlite3'}"
    server = None
    try:
        cadres, reviewers = seed(env, args.cadres, args.clients)
        port = free_port()
        server = subprocess.Popen(
            [*GONGFEN, "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", str(args.threads)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(home / "serve.log").open("w"),  # waitress's "Task queue depth" warnings go there
        )
        wait_for(port, server)
        backend = "PostgreSQL" if args.postgres else "SQLite (WAL)"
        print(f"{backend}; {len(cadres)} declaring and {len(reviewers)} approving clients for {args.seconds:.0f} s")
        stats, stop = Stats(), threading.Event()
        threads = [threading.Thread(target=declarer, args=(Client(port, stats), u, stop)) for u in cadres]
        threads += [threading.Thread(target=reviewer, args=(Client(port, stats), u, stop)) for u in reviewers]
        started = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join(120)
        errors = report(stats, time.perf_counter() - started)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
    check = subprocess.run([*GONGFEN, "check"], env=env, capture_output=True, text=True)
    print(f"gongfen check: {(check.stdout + check.stderr).strip()} (exit {check.returncode})")
    if scratch:
        import psycopg

        with psycopg.connect(scratch, autocommit=True) as db:
            db.execute("DROP DATABASE IF EXISTS gongfen_load WITH (FORCE)")
    return 1 if check.returncode or errors else 0


if __name__ == "__main__":
    sys.exit(main())
