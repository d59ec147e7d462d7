#!/usr/bin/env python3
"""The two set-up commands of the README, for a fresh machine with Python 3.11+.

    python3 dev.py demo   # install, build the demo county on embedded SQLite, serve it on :8000
    python3 dev.py test   # install, lint, run the whole suite on SQLite and on PostgreSQL (side by side)

Everything is installed into ./.venv from the package registry; nothing else
on the machine is touched. Set GONGFEN_TEST_POSTGRES_URL to test against
another PostgreSQL (default postgres://postgres@127.0.0.1:5432/test). With
CI=true a PostgreSQL that cannot be reached is an error, not a skip.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import venv
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


def ensure_browser() -> None:
    """Browser and PDF tests need Debian's Chromium, CJK fonts and pdftoppm; install them when we may (root + apt)."""
    missing = [
        pkg
        for pkg, path in (
            ("chromium", "/usr/bin/chromium"),
            ("fonts-noto-cjk", "/usr/share/fonts/opentype/noto"),
            ("poppler-utils", "/usr/bin/pdftoppm"),
            ("nginx", "/usr/sbin/nginx"),  # tests/web/test_reverse_proxy.py: the documented deployment
        )
        if not Path(path).exists()
    ]
    if not missing:
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env)
        if run("apt-get", "install", "-y", "-qq", *missing, env=env) == 0:
            return
    print(
        f"Cannot install {', '.join(missing)}: browser tests will be skipped "
        "(install them, e.g. `sudo apt-get install chromium fonts-noto-cjk`).",
        file=sys.stderr,
    )


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
    ensure_browser()
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
