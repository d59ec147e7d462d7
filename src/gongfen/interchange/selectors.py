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

from .validate import WRITTEN_FORMAT

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
    return {
        "format": WRITTEN_FORMAT,
        "units": [
            {"code": u.code, "name": u.name, "kind": u.kind, "parent": u.parent.code if u.parent_id else None}
            for u in Unit.objects.select_related("parent").order_by("path")
        ],
        "cadres": _cadres(),
        "schemes": _schemes(),
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


def rule_as_bundle(rule: Rule) -> dict[str, Any]:
    """A rule as a bundle holds it (optional fields only when set)."""
    item: dict[str, Any] = {"code": rule.code, "name": rule.name, "category": rule.category, "points": dec(rule.points)}
    if rule.unit_label:
        item["unit"] = rule.unit_label
    if rule.cap is not None:
        item["cap"] = dec(rule.cap)
    if rule.veto:
        item["veto"] = True
    if rule.positions:
        item["positions"] = list(rule.positions)
    if rule.evidence_required:
        item["evidence_required"] = True
    if rule.manual:
        item["manual_points"] = {"min": dec(rule.manual_min), "max": dec(rule.manual_max)}
    return item


def scheme_as_bundle(scheme: Scheme, rules: list[Rule] | None = None) -> dict[str, Any]:
    """A scheme with its rules in rule order, as a bundle holds it (``rules`` when already read)."""
    if rules is None:
        rules = list(scheme.rules.order_by("sort_order", "id"))
    item: dict[str, Any] = {
        "code": scheme.code,
        "name": scheme.name,
        "unit": scheme.unit.code,
        "year": scheme.year,
        "weights": {"quantitative": dec(scheme.weight_quantitative), "qualitative": dec(scheme.weight_qualitative)},
        "grades": {g["name"]: g["value"] for g in scheme.grades},
        "evaluator_classes": {c["name"]: c["weight"] for c in scheme.evaluator_classes},
        "tiers": [{"name": t["name"], "cumulative": t["cumulative"]} for t in scheme.tiers],
        "min_days": scheme.min_days,
        "category_caps": dict(scheme.category_caps),
        "rules": [rule_as_bundle(r) for r in rules],
    }
    if scheme.derived_from_id:
        item["derived_from"] = scheme.derived_from.code
    if scheme.objection_days != DEFAULT_OBJECTION_DAYS:
        item["objection_days"] = scheme.objection_days
    contact = {k: getattr(scheme, f"objection_{k}") for k in CONTACT_KEYS}
    if any(contact.values()):
        item["objection_contact"] = contact
    return item


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
