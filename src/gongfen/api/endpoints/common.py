"""Query parameters and response maps shared by the routers."""

from __future__ import annotations

from ninja import Query, Schema
from pydantic import Field

from ..errors import ERROR_CODES
from ..pagination import DEFAULT_LIMIT, MAX_LIMIT
from ..schemas import ErrorOut


class PageParams(Schema):
    cursor: str | None = Field(None, max_length=200, description="next_cursor of the previous page")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def responses(ok: int, schema) -> dict:
    """The response map of an operation: its success and every structured error."""
    return {ok: schema, ERROR_CODES: ErrorOut}


__all__ = ["PageParams", "Query", "responses"]
