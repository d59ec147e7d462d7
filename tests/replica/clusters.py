"""A PostgreSQL primary and a streaming replica on loopback, made in temporary directories with Debian's tools.

``streaming_pair()`` is a context manager: it creates both clusters (``initdb``; the replica by
``pg_basebackup -R`` from the primary, connecting as a replication user that pg_hba trusts from
127.0.0.1), starts them on free ports, yields their URLs, and always stops them and removes the
directories. Run as root, every PostgreSQL tool runs as the ``postgres`` user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

BIN = Path(os.environ.get("GONGFEN_PG_BIN", "/usr/lib/postgresql/15/bin"))
TOOLS = ("initdb", "pg_ctl", "pg_basebackup", "psql")
REPLICATOR = "replicator"


def missing_tools() -> list[str]:
    missing = [tool for tool in TOOLS if not (BIN / tool).is_file()]
    if os.geteuid() == 0 and not shutil.which("runuser"):
        missing.append("runuser")
    return missing


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(*args: str, timeout: float = 60) -> str:
    done = subprocess.run(_as_postgres([str(a) for a in args]), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Server:
    data: Path
    port: int
    socket_dir: Path

    def url(self, database: str = "gongfen", user: str = "postgres") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
        _run(BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", self.data / "server.log", "-w", "-t", "30", "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            _run(BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")

    def psql(self, sql: str, database: str = "postgres") -> str:
        return _run(BIN / "psql", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "-d", database, "-XAtc", sql)


@contextmanager
def streaming_pair() -> Iterator[tuple[Server, Server]]:
    root = Path(tempfile.mkdtemp(prefix="gongfen-replica-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary = Server(root / "primary", free_port(), root)
    replica = Server(root / "replica", free_port(), root)
    try:
        _run(BIN / "initdb", "-D", primary.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        with (primary.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\nwal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\n")
        (primary.data / "pg_hba.conf").write_text(
            f"local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication {REPLICATOR} 127.0.0.1/32 trust\n",
            encoding="utf-8",
        )
        primary.start()
        primary.psql(f"CREATE ROLE {REPLICATOR} WITH REPLICATION LOGIN")
        primary.psql("CREATE DATABASE gongfen")
        _run(
            BIN / "pg_basebackup",
            "-h", "127.0.0.1", "-p", primary.port, "-U", REPLICATOR,
            "-D", replica.data, "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        replica.start()
        yield primary, replica
    finally:
        for server in (replica, primary):
            with suppress(RuntimeError, subprocess.TimeoutExpired):  # the directory goes below in any case
                server.stop()
        shutil.rmtree(root, ignore_errors=True)
