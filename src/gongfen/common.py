"""Small pieces shared by every domain app."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import models

log = logging.getLogger("gongfen")
_warned_base_url = False


def absolute_url(request, path: str) -> str:
    """``path`` as an address people can open from paper or e-mail: ``GONGFEN_BASE_URL`` + path.

    Unset, the address the request came in on is used (right for one host name, wrong behind a proxy
    that rewrites it), and a warning is logged once per process: set GONGFEN_BASE_URL in production.
    """
    global _warned_base_url
    base = (getattr(settings, "GONGFEN_BASE_URL", "") or "").rstrip("/")
    if base:
        return base + path
    if not _warned_base_url:
        _warned_base_url = True
        log.warning("GONGFEN_BASE_URL is not set: printed addresses use the request's host (%s)", request.get_host())
    return request.build_absolute_uri(path)


class DomainError(Exception):
    """An illegal move (wrong state, out of scope, invalid value), with a message for people.

    Services raise it; views, the API and the CLI turn it into a clear message.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise DomainError(f"{self.model.__name__} rows are append-only", code="append_only")

    def delete(self):
        raise DomainError(f"{self.model.__name__} rows are append-only", code="append_only")


class AppendOnlyModel(models.Model):
    """A row that, once written through the product, is never changed or removed."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise DomainError(f"{type(self).__name__} rows are append-only", code="append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError(f"{type(self).__name__} rows are append-only", code="append_only")


class Actor:
    """Who is acting: a logged-in user, or the command line (``cli:<login>``)."""

    def __init__(self, user=None, label: str = "", *, anonymous_cli: bool = False):
        self.user = user
        self.label = label or (user.get_username() if user is not None else "system")
        # a person at the command line who named no operator (``--as``): once people use the workspace such an
        # actor decides no entry (four eyes need a name). A userless actor otherwise is the product's own
        # automation (the demo's story, seeding accounts, a public code), with no person to keep apart.
        self.anonymous_cli = anonymous_cli and user is None

    @classmethod
    def cli(cls) -> Actor:
        import getpass

        try:
            login = getpass.getuser()
        except Exception:  # no login name in some containers
            login = "unknown"
        return cls(None, f"cli:{login}", anonymous_cli=True)

    @classmethod
    def operator(cls, username: str) -> Actor:
        """The command line acting as the named user (``--as USER``): audited, and four-eyed, as that user."""
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise DomainError(f"没有启用的用户 {username!r} (no such active user)", field="as", code="no_operator")
        return cls(user, f"{user.get_username()} (cli)")

    @classmethod
    def system(cls) -> Actor:
        return cls(None, "system")

    def __repr__(self) -> str:
        return f"Actor({self.label!r})"
