"""One-time voting codes (票码): made at random, printed once, stored only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off paper without doubt
LENGTH = 12  # 31^12 ≈ 2^59
MAX_CODES = 500  # per issue


def code_new() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def code_normalize(code: str) -> str:
    """What the voter typed, as issued: upper case, without spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isascii() and ch.isalnum())


def code_digest(code: str) -> str:
    return hashlib.sha256(code_normalize(code).encode("ascii")).hexdigest()
