"""The example row of each template sheet, taken from the workspace the template is downloaded from.

Each example is a real row of the workspace (a unit, a cadre with their one post, a scheme with a
group and a rule, a recent entry of an open quarter, a ballot), so that it is valid there and shows
the codes people will type. A template records a fingerprint of each example row as written (the
hidden 选项 sheet, :data:`MARKS`); the importer skips a row that still matches, so an example left
in place is never imported, while a row the user edited is imported like any other.

A workspace without such data (or a user whose scope holds none) gets the fixed examples of
``columns.py``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from gongfen.accounts.permissions import ImportScope
from gongfen.evaluations.models import Ballot
from gongfen.ledger.models import Entry, EntryKind, EntryStatus
from gongfen.org.models import Cadre, Unit, UnitKind
from gongfen.schemes.models import RankingGroup, Scheme

from ..selectors import dec, group_as_bundle, rule_as_bundle, scheme_as_bundle

MARKS = "示例行"  # the header of the column of the hidden lists sheet that holds the fingerprints
LOOK_AT = 200  # recent entries looked at for one in an open quarter


def _under(field: str, scope: ImportScope) -> Q:
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    for path in scope.paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def _units(scope: ImportScope) -> dict[str, list[dict]]:
    units = Unit.objects.filter(_under("path", scope), parent__isnull=False).select_related("parent")
    unit = units.filter(kind=UnitKind.TOWNSHIP).order_by("path").first() or units.order_by("path").first()
    if unit is None:
        return {}
    return {"单位": [{"code": unit.code, "name": unit.name, "kind": unit.kind, "parent": unit.parent.code}]}


def _cadres(scope: ImportScope) -> dict[str, list[dict]]:
    """A cadre with exactly one post, written whole: the row lists all their posts (an import replaces them)."""
    cadre = (
        Cadre.objects.annotate(n=Count("posts", distinct=True))
        .filter(n=1)
        .filter(_under("posts__unit__path", scope))
        .order_by("code")
        .first()
    )
    if cadre is None:
        return {}
    post = cadre.posts.select_related("unit").get()
    row = {"code": cadre.code, "name": cadre.name, "unit": post.unit.code, "position": post.position}
    row |= {"start": post.start.isoformat(), "end": post.end.isoformat() if post.end else None}
    return {"干部任职": [row]}


def _rules(scope: ImportScope) -> dict[str, list[dict]]:
    schemes = Scheme.objects.filter(_under("unit__path", scope)).select_related("unit", "derived_from")
    scheme = (
        schemes.filter(derived_from__isnull=False, rules__isnull=False).order_by("year", "code").first()
        or schemes.filter(rules__isnull=False).order_by("year", "code").first()
    )
    if scheme is None:
        return {}
    rule = scheme.rules.order_by("sort_order", "id").first()
    out = {
        "考核方案": [scheme_as_bundle(scheme, rules=[])],
        "赋分标准": [{"scheme": scheme.code, **rule_as_bundle(rule)}],
    }
    group = (
        RankingGroup.objects.filter(scheme=scheme)
        .select_related("scheme", "select_unit")
        .prefetch_related("publish_units")
        .order_by("code")
        .first()
    )
    if group is not None:
        out["排名组"] = [group_as_bundle(group)]
    return out


def _entries(scope: ImportScope) -> dict[str, list[dict]]:
    """A recent approved entry of a quarter still open, as a new row (no 编号, so it would be a new entry)."""
    from gongfen.publication.selectors import closed_periods

    closed = closed_periods()
    recent = (
        Entry.objects.filter(_under("cadre__posts__unit__path", scope), kind=EntryKind.NORMAL)
        .filter(status=EntryStatus.APPROVED)
        .select_related("cadre", "scheme", "rule")
        .order_by("-occurred_on", "-id")[:LOOK_AT]
    )
    entry = next((e for e in recent if (e.scheme_id, e.period) not in closed), None)
    if entry is None:
        return {}
    row = {
        "cadre": entry.cadre.code,
        "scheme": entry.scheme.code,
        "rule": entry.rule.code,
        "occurred_on": entry.occurred_on.isoformat(),
        "quantity": dec(entry.quantity),
        "description": entry.description or None,
    }
    return {"工分明细": [row]}


def _ballots(scope: ImportScope) -> dict[str, list[dict]]:
    """A ballot like a recent one, in a quarter still open (ballots of a period replace that period's)."""
    from gongfen.publication.selectors import closed_periods

    ballot = (
        Ballot.objects.filter(_under("scheme__unit__path", scope))
        .select_related("cadre", "scheme")
        .order_by("-period", "scheme__code", "cadre__code", "id")
        .first()
    )
    if ballot is None:
        return {}
    closed = closed_periods()
    quarters = [f"{ballot.scheme.year}Q{n}" for n in (4, 3, 2, 1)]
    period = next((q for q in quarters if (ballot.scheme_id, q) not in closed), ballot.period)
    row = {"scheme": ballot.scheme.code, "period": period, "cadre": ballot.cadre.code}
    return {"测评票": [row | {"class": ballot.evaluator_class, "grade": ballot.grade}]}


def example_items(kind: str, user=None) -> dict[str, list[dict[str, Any]]]:
    """The example rows of each sheet of ``kind`` as bundle items, from what ``user`` may import (None: all)."""
    scope = ImportScope(user)
    return {"units": _units, "cadres": _cadres, "rules": _rules, "entries": _entries, "ballots": _ballots}[kind](scope)
