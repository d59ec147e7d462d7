"""Every write of the API app: tokens (create, revoke, authenticate) and idempotent writes.

Tokens are ``gf_`` + 43 URL-safe characters (256 random bits); only their
SHA-256 is stored, so a copy of the database gives no usable token.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError

from .models import AccessToken, IdempotencyKey, Scope

TOKEN_PREFIX = "gf_"
SHOWN_PREFIX = 8  # characters of the token kept in clear to recognise it: gf_ + 5
LAST_USED_EVERY = timedelta(minutes=1)  # last-used time is written at most once a minute per token
MAX_TOKENS = 50


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _token_snapshot(token: AccessToken) -> dict:
    return {
        "name": token.name,
        "prefix": token.prefix,
        "scopes": token.scopes,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


@transaction.atomic
def token_create(
    *, actor: Actor, user, name: str, scopes: Iterable[str], expires_at: datetime | None = None
) -> tuple[AccessToken, str]:
    """A new token of ``user``: returns the row and the token itself (shown once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise DomainError("请为令牌起一个名称（用途）", field="name")
    if len(name) > 100:
        raise DomainError("令牌名称不能超过 100 个字符", field="name")
    chosen = sorted(set(scopes))
    if not chosen:
        raise DomainError("请至少选择一个权限范围", field="scopes")
    unknown = [s for s in chosen if s not in Scope.values]
    if unknown:
        raise DomainError(f"未知的权限范围：{'、'.join(unknown)}", field="scopes")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("有效期须晚于现在", field="expires_at")
    if AccessToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_TOKENS:
        raise DomainError(f"每个账号最多 {MAX_TOKENS} 个有效令牌，请先撤销不用的令牌", field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = AccessToken.objects.create(
        user=user,
        name=name,
        prefix=token[:SHOWN_PREFIX],
        digest=token_digest(token),
        scopes=chosen,
        expires_at=expires_at,
    )
    audit_record(actor=actor, action="api_token.create", obj=row, object_id=str(row.pk), after=_token_snapshot(row))
    return row, token


@transaction.atomic
def token_revoke(*, actor: Actor, token: AccessToken) -> AccessToken:
    token = AccessToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise DomainError(f"令牌“{token.name}”已于 {timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M} 撤销")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="api_token.revoke",
        obj=token,
        object_id=str(token.pk),
        before=_token_snapshot(token),
        after={"revoked_at": token.revoked_at.isoformat()},
    )
    return token


def token_authenticate(token: str) -> AccessToken | None:
    """The live token (not revoked, not expired, of an active user) matching ``token``, or None.

    Looked up by its digest, so comparing happens on a hash and no timing of
    the comparison tells anything about a stored token.
    """
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = AccessToken.objects.select_related("user").filter(digest=token_digest(token)).first()
    now = timezone.now()
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        AccessToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


# --- idempotent writes ------------------------------------------------------------------------------


class _KeyTaken(Exception):
    """Another transaction holds (or has committed) the same idempotency key."""


def request_fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def _replay(user, key: str, fingerprint: str) -> tuple[int, dict] | None:
    stored = IdempotencyKey.objects.filter(user=user, key=key).first()
    if stored is None:
        return None
    if stored.fingerprint != fingerprint:
        raise DomainError(
            f"幂等键 {key} 已用于另一个请求；重试时请求须与第一次完全相同，新的请求请换一个幂等键",
            field="Idempotency-Key",
            code="idempotency_key_reused",
        )
    return stored.status_code, stored.response


def idempotent_write(
    *, user, key: str | None, fingerprint: str, write: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """Run ``write`` (which returns status and JSON body) once per ``key`` of ``user``.

    The key row is inserted in the same transaction as the write: a retry
    after the first commit replays the stored response; a concurrent request
    with the same key waits on the unique index (PostgreSQL) or the write
    lock (SQLite) and, once the first commits, replays it too. A write that
    is refused (a ``DomainError``) rolls the key back with it, so the same key
    may be retried. Returns (status, body, whether it is a replay).
    """
    if key is None:
        return (*write(), False)
    if not key.strip() or len(key) > 200:
        raise DomainError("幂等键须为 1 到 200 个字符", field="Idempotency-Key", code="invalid_idempotency_key")
    if (stored := _replay(user, key, fingerprint)) is not None:
        return (*stored, True)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint)
            except IntegrityError:
                raise _KeyTaken from None
            status, body = write()
            record.status_code, record.response = status, body
            record.save(update_fields=["status_code", "response"])
            return status, body, False
    except _KeyTaken:
        if (stored := _replay(user, key, fingerprint)) is not None:
            return (*stored, True)
        raise DomainError(
            f"幂等键 {key} 的请求正在处理，请稍后重试", field="Idempotency-Key", code="idempotency_key_in_use"
        ) from None
