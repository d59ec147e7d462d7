"""Cursor pagination: ``?limit=`` (1‥200) and the opaque ``next_cursor`` of the previous page.

A cursor is the last primary key seen, encoded; rows are returned in key
order, so a page never repeats or skips a row when rows are added meanwhile.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet

from .errors import ApiError

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"gf1:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        tag, _, value = text.partition(":")
        pk = int(value)
        if tag != "gf1" or pk < 0:
            raise ValueError(text)
    except ValueError:
        raise ApiError(422, "invalid_cursor", "分页游标无效：请使用上一页返回的 next_cursor", "cursor") from None
    return pk


def page(
    rows: QuerySet,
    *,
    cursor: str | None,
    limit: int,
    out: Callable[[Any], Any],
    keep: Callable[[Any], bool] | None = None,
) -> dict:
    """One page of ``rows`` (ordered by primary key) after ``cursor``; ``keep`` filters rows the database cannot."""
    after = decode_cursor(cursor)
    items: list = []
    source: Iterable = rows.filter(pk__gt=after).order_by("pk")
    if keep is None:
        source = source[: limit + 1]
    last_pk = None
    for row in source:
        if keep is not None and not keep(row):
            continue
        if len(items) == limit:
            return {"items": items, "next_cursor": encode_cursor(last_pk)}
        items.append(out(row))
        last_pk = row.pk
    return {"items": items, "next_cursor": None}
