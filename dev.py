#!/usr/bin/env python3
"""The two set-up commands of the README, for a fresh machine with Python 3.11+.

    python3 dev.py demo   # install, build the demo county on embedded SQLite, serve it on :8000
    python3 dev.py test   # install, lint, run the whole suite on SQLite and on PostgreSQL (side by side)

Everything is installed into ./.venv from the package registry; nothing else
on the machine is touched. Set GONGFEN_TEST_POSTGRES_URL to test against
another PostgreSQL (default postgres://postgres@127.0.0.1:5432/test). With
CI=true a PostgreSQL that cannot be reached is an error, not a skip.

`dev.py test` also installs the Debian packages the tests need (APT_PACKAGES below)
when run as root, waiting up to GONGFEN_APT_LOCK_WAIT seconds (default 600) for a
package lock another process holds. With CI=true a package it cannot install is an
error and nothing runs; otherwise it says which tests will be skipped.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import venv
from collections import deque
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
PG_URL = os.environ.get("GONGFEN_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def run(*cmd, env=None) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, env=env)


def ensure_venv(extra: str = "") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("gongfen needs Python 3.11 or newer")
    if not PY.exists():
        venv.create(VENV, with_pip=True)
    stamp = VENV / f".installed{extra}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    spec = f".[{extra}]" if extra else "."
    if run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip") or run(
        PY, "-m", "pip", "install", "--quiet", "-e", spec
    ):
        sys.exit("installing gongfen failed")
    stamp.write_text(digest)


def postgres_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=3):
            return True
    except OSError:
        return False


def demo() -> int:
    """Build the demo county (first time only) and serve it on http://127.0.0.1:8000/."""
    ensure_venv()
    env = dict(os.environ)
    env.setdefault("GONGFEN_HOME", str(ROOT / "var" / "demo"))
    print(f"Demo workspace: {env['GONGFEN_HOME']}", flush=True)
    return run(BIN / "gongfen", "serve", "--demo", *sys.argv[2:], env=env)


# What the tests need from Debian, one row each: (apt package, a path it installs, the tests that need it).
# `python3 dev.py test` installs the missing ones (as root, with apt-get); add a row for a new need.
APT_PACKAGES: list[tuple[str, str, str]] = [
    ("chromium", "/usr/bin/chromium", "the browser tests (tests/browser, Playwright)"),
    ("fonts-noto-cjk", "/usr/share/fonts/opentype/noto", "the browser and PDF tests (Chinese text)"),
    ("poppler-utils", "/usr/bin/pdftoppm", "the rendered-PDF test (tests/outputs)"),
    ("gettext", "/usr/bin/xgettext", "the translation-catalogue test (tests/web/test_i18n.py)"),
    ("postgresql-client", "/usr/bin/pg_dump", "the PostgreSQL backup tests (tests/test_backup.py)"),
    ("libreoffice-calc", "/usr/bin/soffice", "the Excel print tests (tests/outputs/test_xlsx_print.py)"),
    ("nginx", "/usr/sbin/nginx", "the documented deployment behind a reverse proxy (tests/web/test_reverse_proxy.py)"),
    ("faketime", "/usr/bin/faketime", "subprocesses at the test's instant (libfaketime, tests/clock.py)"),
]
# installed without their recommended packages
NO_RECOMMENDS = {"libreoffice-calc"}
# How long to wait for another process's dpkg/apt lock (unattended upgrades on a fresh machine), in seconds.
APT_LOCK_WAIT = float(os.environ.get("GONGFEN_APT_LOCK_WAIT", "600"))
APT_LOCKED = re.compile(r"^E: .*(Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock)", re.M)


def missing_packages(table: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [row for row in table if not Path(row[1]).exists()]


def may_use_apt() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_get(*args: str, wait: float = APT_LOCK_WAIT, pause: float = 10.0) -> int:
    """``apt-get ARGS``, waiting up to ``wait`` seconds in all for a lock another process holds.

    apt-get itself waits for the dpkg lock (``DPkg::Lock::Timeout``); a lock it does not wait for
    (the package lists' during ``update``) is retried every ``pause`` seconds until the time is up.
    """
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    deadline = time.monotonic() + wait
    while True:
        left = max(0, int(deadline - time.monotonic()))
        cmd = ["apt-get", "-o", f"DPkg::Lock::Timeout={left}", *args]
        print("+", " ".join(cmd), flush=True)
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        tail: deque[str] = deque(maxlen=20)
        for line in proc.stdout:
            sys.stdout.write(line)
            tail.append(line)
        code = proc.wait()
        if code == 0 or not APT_LOCKED.search("".join(tail)):
            return code
        left = deadline - time.monotonic()
        if left <= 0:
            print("apt-get: the package lock is still held after the time allowed; giving up", file=sys.stderr)
            return code
        print(
            f"apt-get: another process holds the package lock (automatic updates?); "
            f"waiting, {left:.0f} s left before giving up",
            file=sys.stderr,
            flush=True,
        )
        time.sleep(min(pause, left))


def ensure_packages(
    table: list[tuple[str, str, str]] = APT_PACKAGES,
    *,
    in_ci: bool | None = None,
    wait: float = APT_LOCK_WAIT,
    pause: float = 10.0,
) -> None:
    """Install the missing rows of ``table`` with apt-get (root only), waiting ``wait`` seconds in all for a
    held lock; then, for what is still missing: under CI=true stop with an error (nothing may be skipped
    there), elsewhere say which tests will be skipped."""
    in_ci = IN_CI if in_ci is None else in_ci
    missing = missing_packages(table)
    if not missing:
        return
    why = ""
    if may_use_apt():
        deadline = time.monotonic() + wait  # one bound for update and install together

        def left() -> float:
            return max(0.0, deadline - time.monotonic())

        apt_get("update", "-qq", wait=left(), pause=pause)  # a failed update may still leave the cache able to install
        # LibreOffice's recommends (Java, …) are not needed to print a workbook: leave them out for it alone
        plain = [pkg for pkg, _, _ in missing if pkg not in NO_RECOMMENDS]
        lean = [pkg for pkg, _, _ in missing if pkg in NO_RECOMMENDS]
        codes = [apt_get("install", "-y", "-qq", *plain, wait=left(), pause=pause)] if plain else []
        if lean:
            codes.append(apt_get("install", "-y", "-qq", "--no-install-recommends", *lean, wait=left(), pause=pause))
        if any(codes):
            why = "apt-get install failed (see above)"
        missing = missing_packages(missing)
        if not missing:
            return
        why = why or "apt-get reported success, but these paths are still missing"
    else:
        why = "not running as root with apt-get, so nothing was installed"
    listed = "\n".join(f"  {pkg} ({path}): {needed_by}" for pkg, path, needed_by in missing)
    hint = f"install them with `sudo apt-get install {' '.join(pkg for pkg, _, _ in missing)}`"
    if in_ci:
        sys.exit(f"CI=true: cannot install what the tests need ({why}):\n{listed}\n{hint}; nothing was run.")
    print(
        f"Missing ({why}); these tests will be SKIPPED:\n{listed}\n{hint} (CI=true makes this an error).",
        file=sys.stderr,
        flush=True,
    )
    return True


def _pass(name: str, pytest_args: list[str], env: dict, logs: Path) -> tuple[subprocess.Popen, Path]:
    """Start one database's pass of the suite, its output into ``logs/name.log``."""
    log = logs / f"{name}.log"
    cmd = [str(PY), "-m", "pytest", *pytest_args]
    print(f"+ [{name}]", " ".join(cmd), f"> {log.relative_to(ROOT)}", flush=True)
    out = log.open("wb")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT), log


def test(pytest_args: list[str]) -> int:
    """Lint, then the suite on SQLite and on PostgreSQL, side by side (one core each), each printed whole when done.

    GONGFEN_TEST_SERIAL=1 runs the two passes one after the other instead, printing as they go.
    """
    ensure_venv("test")
    ensure_packages()
    failed = run(BIN / "ruff", "check", "src", "tests", "bench", "dev.py")
    base = dict(os.environ)
    base.pop("GONGFEN_DATABASE_URL", None)
    envs = {"SQLite": {**base, "GONGFEN_HOME": str(ROOT / "var" / "test")}}
    if postgres_reachable(PG_URL):
        envs["PostgreSQL"] = {**base, "GONGFEN_HOME": str(ROOT / "var" / "test-pg"), "GONGFEN_DATABASE_URL": PG_URL}
    elif IN_CI:
        print(f"PostgreSQL at {PG_URL} cannot be reached, and CI=true forbids skipping it", file=sys.stderr)
        failed = 1
    else:
        print(f"PostgreSQL at {PG_URL} cannot be reached: the PostgreSQL run is SKIPPED (set CI=true to fail)")
    if os.environ.get("GONGFEN_TEST_SERIAL") == "1" or len(envs) == 1:
        for name, env in envs.items():
            print(f"\n=== {name} ===", flush=True)
            failed |= run(PY, "-m", "pytest", *pytest_args, env=env)
        return 1 if failed else 0
    logs = ROOT / "var" / "test-logs"
    logs.mkdir(parents=True, exist_ok=True)
    started = {name: _pass(name, pytest_args, env, logs) for name, env in envs.items()}
    for name, (proc, log) in started.items():
        code = proc.wait()
        print(f"\n=== {name} (exit {code}) ===", flush=True)
        sys.stdout.buffer.write(log.read_bytes())
        sys.stdout.flush()
        failed |= code
    return 1 if failed else 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("demo", "test"):
        print(__doc__)
        return 2
    return demo() if sys.argv[1] == "demo" else test(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
