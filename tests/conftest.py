"""Shared test set-up.

The suite runs once per database: SQLite by default, PostgreSQL when
GONGFEN_DATABASE_URL names one (``python3 dev.py test`` does both).
"""

import json
import os
from pathlib import Path

import pytest
import time_machine

from tests.clock import suite_now

ROOT = Path(__file__).resolve().parent.parent
# The worked examples of shared/spec, vendored so that a clone runs on its own;
# tests/scoring/test_examples.py checks the copy against shared/ when it is there.
EXAMPLES = ROOT / "tests" / "fixtures" / "spec-examples"
SHARED_EXAMPLES = ROOT.parent / "shared" / "spec" / "examples"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def example_cases() -> list[dict]:
    return json.loads((EXAMPLES / "index.json").read_text(encoding="utf-8"))


def example_cases_v2() -> list[dict]:
    """The worked examples of scoring-v2.md (``index-v2.json``)."""
    return json.loads((EXAMPLES / "index-v2.json").read_text(encoding="utf-8"))


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def database_vendor() -> str:
    url = os.environ.get("GONGFEN_DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


@pytest.fixture(autouse=True)
def clock():
    """Every test starts at the suite's instant (tests/clock.py), and the clock then runs (ticks).

    A test that needs another moment moves it: ``clock.move_to(tests.clock.at(day))``."""
    with time_machine.travel(suite_now(), tick=True) as traveller:
        yield traveller


@pytest.fixture
def output_dir() -> Path:
    """Where tests leave files for people to look at (screenshots, exports)."""
    path = ROOT / "test-output"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _ranking_cache_off(settings):
    """Tests pin the queries of a ranking as computed; ``ranking_cache`` turns the cache on (rankings/cache.py)."""
    settings.GONGFEN_RANKING_CACHE = False


@pytest.fixture
def ranking_cache(settings):
    """The ranking cache on, as in production, and empty."""
    from gongfen.rankings import cache

    settings.GONGFEN_RANKING_CACHE = True
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is the product's hasher (see settings); tests create many users, so they use a fast one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _sessions_in_the_database(settings):
    """The suite pins query counts with sessions in the database, as on PostgreSQL. On SQLite the product
    keeps them in files (settings.SESSION_ENGINE; signing in never waits for SQLite's write lock):
    ``product_sessions`` gives a test the product's choice; the tests of real servers always have it."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


@pytest.fixture
def product_sessions(settings, _sessions_in_the_database):
    """Sessions where the product keeps them for this database (files on SQLite, rows on PostgreSQL)."""
    import importlib

    settings.SESSION_ENGINE = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"]).SESSION_ENGINE


@pytest.fixture(autouse=True)
def _rate_limits_counted_per_test():
    """Every test starts with empty rate-limit windows (gongfen.ratelimit): the suite's client is one address."""
    from django.core.cache import caches

    caches["ratelimit"].clear()
