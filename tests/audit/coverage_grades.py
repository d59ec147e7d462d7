"""Rows of tests/audit/test_coverage.py's tables for the grades domain (kept apart so each domain adds its own)."""

from __future__ import annotations

from collections.abc import Callable

Driver = Callable[[], object]

# service -> (the audit action its call must write, a driver making one legal call on the county fixture)
WRITES: dict[str, tuple[str, Driver]] = {}

# service -> why it is not an audited write of its own (a read, a helper, a step of an audited service)
NOT_WRITES: dict[str, str] = {}
