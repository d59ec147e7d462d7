"""填报用时: when a declaration form was opened, carried in the form as a signed stamp, recorded on submit.

The stamp is signed (``django.core.signing``) so nobody can make a form look faster or slower than it was;
a missing, forged or day-old stamp simply records nothing (it is a measurement, never a reason to refuse).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core import signing
from django.utils import timezone

SALT = "gongfen.intake.form-opened"
MAX_AGE = timedelta(days=1)


def stamp_now() -> str:
    return signing.dumps(timezone.now().timestamp(), salt=SALT)


def opened_at(stamp: str | None) -> datetime | None:
    """The moment the form was opened, or None for a missing, forged or stale stamp."""
    if not stamp or len(stamp) > 200:
        return None
    try:
        seconds = signing.loads(stamp, salt=SALT, max_age=MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    moment = datetime.fromtimestamp(float(seconds), tz=timezone.get_current_timezone())
    return moment if moment <= timezone.now() else None


def stamp_kept(posted: str | None) -> str:
    """The stamp to carry on: the one posted back (a form shown again after an error), else a new one."""
    return posted if opened_at(posted) is not None else stamp_now()
