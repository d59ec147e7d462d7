"""Writing the workspace out as a bundle that loads back to the same rankings."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from gongfen.evaluations.models import Ballot
from gongfen.ledger.models import Entry, EntryKind
from gongfen.org.models import Cadre, Post, Unit
from gongfen.schemes.models import PublicationScope, RankingGroup, Rule, Scheme
from gongfen.schemes.selectors import dec_text, rule_as_bundle, scheme_standard

from .validate import FORMAT_V1, FORMAT_V2

V2_SCHEME_FIELDS = ("period", "items", "coefficients", "deduction_item", "tier_policy", "veto_mode", "qualitative")
__all__ = ["dec_text", "rule_as_bundle"]

# optional in a bundle: a scheme or group at these values is written without them
DEFAULT_OBJECTION_DAYS = Scheme._meta.get_field("objection_days").default
CONTACT_KEYS = ("office", "phone", "address")  # a scheme's objection_contact: Scheme.objection_<key>
DEFAULT_PUBLISH_SCOPE = PublicationScope.GROUP


def dec(value: Decimal | None) -> str | None:
    """A decimal as its shortest exact string ("60.0000" → "60", "0.5000" → "0.5")."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def bundle_digest(bundle: Any) -> str:
    """The sha256 ``gongfen load`` reports for a bundle (of its content, whatever the file's layout)."""
    return hashlib.sha256(json.dumps(bundle, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def bundle_counts(bundle: dict[str, Any]) -> dict[str, int]:
    """How many of each thing a bundle holds, named as the load report names them."""
    counts = {key: len(bundle.get(key) or []) for key in ("units", "cadres", "schemes", "groups", "entries", "ballots")}
    counts["posts"] = sum(len(c.get("posts") or []) for c in bundle.get("cadres") or [])
    counts["rules"] = sum(len(s.get("rules") or []) for s in bundle.get("schemes") or [])
    return dict(sorted(counts.items()))


def bundle_dump() -> dict[str, Any]:
    """The whole workspace as a bundle: ``gongfen-bundle/2`` when any scheme came as /2 (or is a tree), else /1,
    so that every scheme loads back meaning and ranking exactly as now (a /1 scheme keeps v1's ranking JSON)."""
    schemes = _schemes()
    return {
        "format": bundle_format_of(schemes),
        "units": [
            {"code": u.code, "name": u.name, "kind": u.kind, "parent": u.parent.code if u.parent_id else None}
            for u in Unit.objects.select_related("parent").order_by("path")
        ],
        "cadres": _cadres(),
        "schemes": schemes,
        "groups": [
            group_as_bundle(g)
            for g in RankingGroup.objects.select_related("scheme", "select_unit").prefetch_related("publish_units")
        ],
        "entries": _entries(),
        "ballots": [
            {"cadre": c, "scheme": s, "period": p, "class": k, "grade": g}
            for c, s, p, k, g in Ballot.objects.order_by("scheme__code", "period", "cadre__code", "id").values_list(
                "cadre__code", "scheme__code", "period", "evaluator_class", "grade"
            )
        ],
    }


def _cadres() -> list[dict]:
    posts = defaultdict(list)
    for cadre_id, unit, position, start, end in Post.objects.order_by("cadre_id", "start", "id").values_list(
        "cadre_id", "unit__code", "position", "start", "end"
    ):
        posts[cadre_id].append(
            {"unit": unit, "position": position, "start": start.isoformat(), "end": end.isoformat() if end else None}
        )
    return [{"code": c.code, "name": c.name, "posts": posts[c.pk]} for c in Cadre.objects.order_by("code")]


def scheme_as_bundle(scheme: Scheme, rules: list[Rule] | None = None) -> dict[str, Any]:
    """A scheme with its rules (or item tree) in order, as a bundle holds it (``rules`` when already read)."""
    if rules is None:
        rules = list(scheme.rules.order_by("sort_order", "id"))
    standard = scheme_standard(scheme, rules)
    item: dict[str, Any] = {"code": scheme.code, "name": scheme.name, "unit": scheme.unit.code, **standard}
    if scheme.derived_from_id:
        item["derived_from"] = scheme.derived_from.code
    if scheme.objection_days != DEFAULT_OBJECTION_DAYS:
        item["objection_days"] = scheme.objection_days
    contact = {k: getattr(scheme, f"objection_{k}") for k in CONTACT_KEYS}
    if any(contact.values()):
        item["objection_contact"] = contact
    return item


def bundle_format_of(schemes: list[dict[str, Any]]) -> str:
    """``gongfen-bundle/2`` when a scheme needs it (an item tree or any v2 field), else ``/1``."""
    v2 = any(any(key in s for key in V2_SCHEME_FIELDS) for s in schemes)
    return FORMAT_V2 if v2 else FORMAT_V1


def _schemes() -> list[dict]:
    rules = defaultdict(list)
    for r in Rule.objects.order_by("scheme_id", "sort_order", "id"):
        rules[r.scheme_id].append(r)
    # a derived scheme may be listed before its template; references are resolved after all are read
    return [
        scheme_as_bundle(s, rules[s.pk])
        for s in Scheme.objects.select_related("unit", "derived_from").order_by("year", "code")
    ]


def group_as_bundle(g: RankingGroup) -> dict:
    """A ranking group as a bundle holds it (the publication scope only when not the default)."""
    select = {}
    if g.select_unit_id:
        select["unit"] = g.select_unit.code
    if g.select_position:
        select["position"] = g.select_position
    item: dict[str, Any] = {"code": g.code, "name": g.name, "scheme": g.scheme.code, "select": select}
    if g.publish_scope != DEFAULT_PUBLISH_SCOPE:
        item["publish_scope"] = g.publish_scope
    units = sorted(u.code for u in g.publish_units.all())
    if units:
        item["publish_units"] = units
    return item


def _entries() -> list[dict]:
    out = []
    rows = (
        Entry.objects.exclude(kind=EntryKind.REVERSAL)
        .exclude(status="deleted")  # a draft its author deleted: never posted, not part of the county's data
        .order_by("id")
        .values_list(
            "code",
            "cadre__code",
            "scheme__code",
            "rule__code",
            "occurred_on",
            "quantity",
            "status",
            "description",
            "points",
            "rule__points",
            "adjusts__code",
            "sign",
        )
        .iterator(chunk_size=5000)
    )
    for code, cadre, scheme, rule, day, quantity, status, description, points, rule_points, adjusts, sign in rows:
        item = {
            "id": code,
            "cadre": cadre,
            "scheme": scheme,
            "rule": rule,
            "occurred_on": day.isoformat(),
            "quantity": dec(quantity),
            "status": status,
        }
        if description:
            item["description"] = description
        if points is not None and points != rule_points:
            item["points"] = dec(points)
        if adjusts:
            item["adjusts"] = adjusts
            if sign != 1:
                item["sign"] = sign
        out.append(item)
    return out
