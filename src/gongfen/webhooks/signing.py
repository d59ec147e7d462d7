"""The signatures of a webhook request (no Django), per the Standard Webhooks specification.

A request carries ``webhook-id`` (the delivery's uuid), ``webhook-timestamp`` (Unix seconds) and
``webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, keyed with the endpoint's
``whsec_<base64>`` secret (https://www.standardwebhooks.com/; any Standard Webhooks library verifies
it, e.g. the ``standardwebhooks`` package: ``Webhook(secret).verify(body, headers)``).

The transition (docs/webhooks.md "Signature transition"): for this release the old headers are
sent too, ``X-Gongfen-Signature: sha256=<hex HMAC-SHA256 of "timestamp.body">``, with the same key.
An endpoint made before this release keeps its stored secret: its key is that secret's UTF-8 bytes,
so a receiver's old secret still verifies the old header, and the same key in ``whsec_`` form (shown
on the endpoint's page) verifies the new one. New secrets are ``whsec_`` + base64 of 43 printable
random characters (256 bits), so their old form is printable too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time

TOLERANCE_SECONDS = 300
PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh endpoint secret in ``whsec_`` form."""
    return PREFIX + base64.b64encode(secrets.token_urlsafe(32).encode("ascii")).decode("ascii")


def key_of(secret: str) -> bytes:
    """The HMAC key of a stored secret: a ``whsec_`` secret's base64 payload; an older one's UTF-8 bytes."""
    if secret.startswith(PREFIX):
        try:
            return base64.b64decode(secret[len(PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            pass  # not base64 after all: taken as an old-style secret below
    return secret.encode("utf-8")


def standard_secret(secret: str) -> str:
    """The secret a Standard Webhooks receiver is given: ``whsec_`` + base64 of the key."""
    return PREFIX + base64.b64encode(key_of(secret)).decode("ascii")


def legacy_secret(secret: str) -> str | None:
    """The secret an old-style receiver (``X-Gongfen-Signature``) uses: the key as text (None if not text)."""
    try:
        return key_of(secret).decode("utf-8")
    except UnicodeDecodeError:
        return None


def sign(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """The ``webhook-signature`` header value: ``v1,<base64>``."""
    mac = hmac.new(key_of(secret), f"{msg_id}.{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode("ascii")


def sign_legacy(secret: str, timestamp: str, body: bytes) -> str:
    """The old ``X-Gongfen-Signature`` header value, ``sha256=<hex>`` (sent during the transition)."""
    mac = hmac.new(key_of(secret), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _recent(timestamp: str, now: float | None, tolerance: int) -> bool:
    try:
        return abs((time.time() if now is None else now) - int(timestamp)) <= tolerance
    except ValueError:
        return False


def verify(
    secret: str,
    msg_id: str,
    timestamp: str,
    body: bytes,
    signatures: str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """Whether one of the space-separated ``signatures`` is ours for this id, timestamp and body, and it is recent."""
    if not _recent(timestamp, now, tolerance):
        return False
    expected = sign(secret, msg_id, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in signatures.split(" "))


def verify_legacy(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """Whether the old ``X-Gongfen-Signature`` is ours for this timestamp and body, and it is recent."""
    return _recent(timestamp, now, tolerance) and hmac.compare_digest(sign_legacy(secret, timestamp, body), signature)
