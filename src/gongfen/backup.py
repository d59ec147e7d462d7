"""Online backup and restore of the whole database (``gongfen backup FILE`` / ``gongfen restore FILE``).

SQLite: the ``sqlite3`` online backup API copies a consistent snapshot while
the server keeps running (WAL: writers are not blocked), into a temporary
file that is checked and then renamed into place. PostgreSQL: ``pg_dump
--format=custom`` (one repeatable-read snapshot); the client's major version
must be the server's or newer.

Restore goes into an EMPTY database only: one where no gongfen table holds a
row (a freshly migrated schema counts as empty). The backup is checked before
anything is touched, and is applied all at once (SQLite's backup API replaces
the file's pages in one step; ``pg_restore --single-transaction
--exit-on-error``), so a corrupt file changes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class BackupError(Exception):
    """A backup or restore refused or failed; the message says what and where, for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Done:
    kind: str  # "sqlite" or "postgresql"
    path: Path
    size: int


def _settings_db() -> dict:
    from django.conf import settings

    return settings.DATABASES["default"]


def database_kind() -> str:
    engine = _settings_db()["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"不支持的数据库类型 {engine} (unsupported database engine)")


def _close_django_connections() -> None:
    from django.db import connections

    connections.close_all()


# --- emptiness ------------------------------------------------------------------------------------


def _gongfen_tables() -> list[str]:
    from django.apps import apps

    # the ranking stamps (rankings.RankingStamp) are no content: triggers write them, even on a TRUNCATE
    return sorted(
        {
            m._meta.db_table
            for m in apps.get_models()
            if m.__module__.startswith("gongfen.") and m._meta.managed and m._meta.label != "rankings.RankingStamp"
        }
    )


def tables_with_rows() -> list[str]:
    """The gongfen tables of the configured database that hold at least one row."""
    from django.db import connection

    present = set(connection.introspection.table_names())
    full = []
    with connection.cursor() as cursor:
        for table in _gongfen_tables():
            if table in present:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    full.append(table)
    return full


def _require_empty(where: str) -> None:
    full = tables_with_rows()
    _close_django_connections()
    if full:
        shown = "、".join(full[:5]) + ("…" if len(full) > 5 else "")
        raise BackupError(
            f"目标数据库 {where} 不是空库（{len(full)} 张表有数据：{shown}），拒绝恢复；"
            f"请恢复到新建的空数据库 (the target database is not empty; restore into a new, empty one)"
        )


# --- SQLite ---------------------------------------------------------------------------------------


def _sqlite_path() -> Path:
    name = str(_settings_db()["NAME"])
    if name in ("", ":memory:") or name.startswith("file:"):
        raise BackupError(f"SQLite 数据库 {name!r} 不是文件，无法备份或恢复 (not a database file)")
    return Path(name)


def _check_sqlite_file(path: Path) -> None:
    """A readable SQLite database of gongfen (it has the migrations table), intact; or a BackupError."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = con.execute("PRAGMA quick_check").fetchone()
            has_migrations = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='django_migrations'"
            ).fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"备份文件 {path} 已损坏或不是 SQLite 数据库：{exc} (corrupt or not a SQLite backup)"
        ) from None
    if result != "ok":
        raise BackupError(f"备份文件 {path} 已损坏：{result} (the backup fails its integrity check)")
    if not has_migrations:
        raise BackupError(f"备份文件 {path} 不是 gongfen 的数据库备份 (not a gongfen database)")


def _sqlite_backup(target: Path) -> None:
    source = _sqlite_path()
    if not source.exists():
        raise BackupError(f"数据库文件 {source} 不存在 (no database file)")
    fd, tmp_name = tempfile.mkstemp(prefix=".gongfen-backup-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = sqlite3.connect(source, timeout=30)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)  # one step: a consistent snapshot, writers keep going (WAL)
        finally:
            dst.close()
            src.close()
        _check_sqlite_file(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _sqlite_restore(backup: Path) -> None:
    _check_sqlite_file(backup)
    target = _sqlite_path()
    _require_empty(str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"恢复失败：{exc} (restore failed; the target is as it was)") from None
    finally:
        dst.close()
        src.close()


# --- PostgreSQL -----------------------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    """Connection parameters for the client tools, in the environment (never a password on a command line)."""
    db = _settings_db()
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端工具（Debian：apt-get install postgresql-client）"
            f" ({name} not found: install the PostgreSQL client tools)"
        )
    return path


def _major(text: str) -> int:
    match = re.search(r"PostgreSQL\)\s+(\d+)", text) or re.search(r"(\d+)", text)
    if not match:
        raise BackupError(f"无法识别版本号：{text!r} (cannot read a version)")
    return int(match.group(1))


def pg_versions() -> tuple[int, int]:
    """(major version of pg_dump, major version of the server)."""
    from django.db import connection

    out = subprocess.run([_tool("pg_dump"), "--version"], capture_output=True, text=True, check=True).stdout
    client = _major(out)
    connection.ensure_connection()
    server = connection.pg_version // 10000
    _close_django_connections()
    return client, server


def _run(args: list[str], what: str) -> None:
    result = subprocess.run(args, env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what}失败 ({what} failed): " + " / ".join(detail[-3:]))


def _pg_backup(target: Path) -> None:
    client, server = pg_versions()
    if client < server:
        raise BackupError(
            f"pg_dump 版本 {client} 低于数据库服务器版本 {server}，请安装 postgresql-client-{server}"
            f" (pg_dump {client} cannot dump a version {server} server)"
        )
    fd, tmp_name = tempfile.mkstemp(prefix=".gongfen-backup-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={tmp}"], "备份 pg_dump ")
        _run([_tool("pg_restore"), "--list", str(tmp)], "检查备份 pg_restore --list ")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _pg_restore(backup: Path) -> None:
    result = subprocess.run([_tool("pg_restore"), "--list", str(backup)], capture_output=True, text=True)
    if result.returncode != 0 or "django_migrations" not in result.stdout:
        detail = result.stderr.strip().splitlines()[-1:] if result.returncode else ["not a gongfen database"]
        raise BackupError(
            f"备份文件 {backup} 已损坏或不是 gongfen 的 PostgreSQL 备份 (corrupt or not a gongfen pg_dump): "
            + " ".join(detail)
        )
    _require_empty(str(_settings_db()["NAME"]))
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_settings_db()['NAME']}",
            str(backup),
        ],
        "恢复 pg_restore ",
    )


# --- entry points ---------------------------------------------------------------------------------


def backup(path: Path) -> Done:
    """Write a consistent backup of the configured database to ``path`` (a new file)."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"文件 {path} 已存在，不覆盖；请换一个文件名 (the file exists; not overwritten)")
    if not path.parent.is_dir():
        raise BackupError(f"目录 {path.parent} 不存在 (no such directory)")
    kind = database_kind()
    _close_django_connections()
    (_sqlite_backup if kind == "sqlite" else _pg_backup)(path)
    return Done(kind, path, path.stat().st_size)


def restore(path: Path) -> Done:
    """Restore the backup ``path`` into the configured database, which must be empty."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path} (no such file)")
    kind = database_kind()
    _close_django_connections()
    (_sqlite_restore if kind == "sqlite" else _pg_restore)(path)
    from gongfen.rankings.cache import stamps_renew

    stamps_renew()  # rankings cached by running processes before the restore must not be served after it
    return Done(kind, path, path.stat().st_size)
