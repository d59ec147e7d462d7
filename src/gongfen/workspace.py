"""Where a workspace lives and whether there is one, for commands that must not create one by accident.

A workspace is a gongfen database: the SQLite file ``$GONGFEN_HOME/gongfen.sqlite3`` (or the one
GONGFEN_DATABASE_URL names), or a PostgreSQL database, holding gongfen's tables. Only the commands
in :data:`CREATING` (and ``serve --demo``) may start a new one; every other command on a missing
or empty database says so and stops (docs/admin-guide.md, "A new workspace").

:func:`missing_before_setup` reads only the environment and the file system (nothing is created or
changed, Django is not set up: a SQLite file is opened read-only); :func:`missing_after_setup` asks the
configured database (PostgreSQL, or whatever Django was set up with by someone else).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# init makes an empty workspace; demo and load fill a new one; restore needs an empty database;
# manage runs Django's own commands (migrate, makemigrations …), which decide for themselves.
CREATING = frozenset({"init", "demo", "load", "restore", "manage"})


def creates(command: str, demo: bool = False) -> bool:
    """Whether ``command`` may start a new workspace (``serve --demo`` builds the demo county into one)."""
    return command in CREATING or (command == "serve" and demo)


def home() -> Path:
    return Path(os.environ.get("GONGFEN_HOME", "var")).resolve()


def database_url() -> str | None:
    return os.environ.get("GONGFEN_DATABASE_URL") or None


def sqlite_file() -> Path | None:
    """The SQLite file of this environment's workspace (as gongfen.settings reads it), or None for another database."""
    url = database_url()
    if url is None:
        return home() / "gongfen.sqlite3"
    import dj_database_url

    config = dj_database_url.parse(url)
    name = str(config.get("NAME") or "")
    if config.get("ENGINE") != "django.db.backends.sqlite3" or name in ("", ":memory:") or name.startswith("file:"):
        return None
    return Path(name).resolve()


def describe() -> str:
    """The workspace in words, for messages (a PostgreSQL password is never shown)."""
    file = sqlite_file()
    if file is not None:
        return str(file)
    url = database_url() or ""
    parts = urlsplit(url)
    credentials, _, host = parts.netloc.rpartition("@")
    if not credentials:
        return url
    return urlunsplit((parts.scheme, f"{credentials.split(':', 1)[0]}@{host}", parts.path, "", ""))


def missing_before_setup() -> str | None:
    """Why there is no workspace here, from the file system alone (a SQLite file absent or empty), else None."""
    file = sqlite_file()
    if file is None:
        return None
    if not file.exists():
        return f"{file} 不存在 (does not exist)"
    if not file.is_file():
        return f"{file} 不是文件 (is not a file)"
    if file.stat().st_size == 0:
        return f"{file} 是空文件 (is an empty file)"
    try:  # read-only: a file that is not ours is left exactly as it was
        with closing(sqlite3.connect(f"{file.as_uri()}?mode=ro", uri=True)) as db:
            found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'")
            ours = found.fetchone() is not None
    except sqlite3.DatabaseError as exc:
        return f"{file} 不是可读的 SQLite 数据库 (not a SQLite database): {exc}"
    return None if ours else f"{file} 中没有 gongfen 的数据表 (holds no gongfen tables)"


class Unreachable(Exception):
    """The configured database cannot be reached at all (the message says which and why)."""


def missing_after_setup() -> str | None:
    """With Django set up: why the configured database is not a workspace (no gongfen tables), else None.

    Raises :class:`Unreachable` when it cannot even connect.
    """
    from django.db import OperationalError, connection

    try:
        tables = set(connection.introspection.table_names())
    except OperationalError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise Unreachable(f"无法连接数据库 {describe()} (cannot connect to the database): {first}") from exc
    if "django_migrations" not in tables:
        return f"数据库 {describe()} 中没有 gongfen 的数据表 (holds no gongfen tables)"
    return None


def refusal(reason: str) -> str:
    """What a command that needs a workspace prints when there is none."""
    url = database_url()
    if url is None:
        name, value = "GONGFEN_HOME", os.environ.get("GONGFEN_HOME", "var")
    else:  # a PostgreSQL URL without its password
        name, value = "GONGFEN_DATABASE_URL", url if sqlite_file() is not None else describe()
    return "\n".join(
        [
            f"错误 (error): 这里没有 gongfen 工作区 (no workspace here): {reason}；{name}={value}",
            "  新建一个空工作区 (a new, empty workspace):   gongfen init",
            "  或生成演示县 (or the demo county):           gongfen demo",
            f"  或把 {name} 指向已有的工作区 (or point {name} at an existing one)",
        ]
    )


# --- a migrated empty workspace, kept to start the next new one fast ------------------------------------------
#
# Migrating a new SQLite workspace renders Django's model state once per operation of every migration: seconds
# of CPU for an empty database. The first new workspace is migrated as usual and a copy of it (empty: made before
# anything is loaded) is kept under the user's cache, named by a digest of every migration file and the Django
# version; a later new workspace with the same migrations starts as a copy of it, then migrates (nothing to do).
# A copy that cannot be made or read is simply not used. GONGFEN_NO_TEMPLATE=1 turns this off.


def template_dir() -> Path:
    base = os.environ.get("GONGFEN_TEMPLATE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "gongfen"
    )
    return Path(base)


def template_key() -> str:
    """A digest of every installed app's migration files (with Django set up) and the Django version."""
    import hashlib

    import django
    from django.apps import apps

    digest = hashlib.sha256(django.get_version().encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else ():
            digest.update(f"{config.label}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _templates_enabled() -> bool:
    return os.environ.get("GONGFEN_NO_TEMPLATE", "").lower() not in ("1", "true", "yes")


def seed_new_sqlite(file: Path) -> bool:
    """Start the absent (or empty) SQLite ``file`` as a copy of the kept migrated workspace, when there is one."""
    import shutil

    if not _templates_enabled() or (file.exists() and file.stat().st_size):
        return False
    try:
        template = template_dir() / f"workspace-{template_key()}.sqlite3"
        if not template.is_file():
            return False
        partial = file.with_name(file.name + ".seeding")
        shutil.copyfile(template, partial)
        os.replace(partial, file)
        return True
    except OSError:
        return False


def keep_template(file: Path) -> None:
    """Keep a consistent copy of the just-migrated, still empty SQLite ``file`` for the next new workspace."""
    if not _templates_enabled():
        return
    try:
        folder = template_dir()
        target = folder / f"workspace-{template_key()}.sqlite3"
        if target.is_file():
            return
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{target.name}.{os.getpid()}.partial"
        with closing(sqlite3.connect(file)) as source, closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)  # includes what is still in the write-ahead log
        os.replace(partial, target)
    except (OSError, sqlite3.Error):
        return
