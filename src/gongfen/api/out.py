"""Rows as the API shows them (dicts matching ``schemas``)."""

from __future__ import annotations

from decimal import Decimal

from gongfen.evaluations.models import EvaluationRound
from gongfen.ledger.models import Entry
from gongfen.org.models import Cadre, Unit
from gongfen.publication.models import GroupPeriod
from gongfen.schemes.models import Rule, Scheme


def dec(value) -> str | None:
    """A decimal as an exact string without trailing zeros (``30.0000`` → ``"30"``), or None."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def unit(u: Unit) -> dict:
    return {
        "code": u.code,
        "name": u.name,
        "kind": u.kind,
        "parent": u.parent.code if u.parent else None,
        "path": u.path,
    }


def cadre(c: Cadre) -> dict:
    posts = [
        {"unit": p.unit.code, "position": p.position, "start": p.start, "end": p.end}
        for p in c.posts.all()  # prefetched with their units
    ]
    return {"code": c.code, "name": c.name, "posts": posts}


def _named(items: list, key: str) -> list[dict]:
    return [{"name": str(i.get("name", "")), "value": str(i.get(key, ""))} for i in items or []]


def scheme(s: Scheme) -> dict:
    return {
        "code": s.code,
        "name": s.name,
        "unit": s.unit.code,
        "year": s.year,
        "derived_from": s.derived_from.code if s.derived_from else None,
        "weight_quantitative": dec(s.weight_quantitative),
        "weight_qualitative": dec(s.weight_qualitative),
        "min_days": s.min_days,
        "period_kind": s.period_kind,
        "tier_policy": s.tier_policy,
        "action_policy": s.action_policy,
        "tiers": _named(s.tiers, "cumulative"),
        "grades": _named(s.grades, "value"),
        "evaluator_classes": _named(s.evaluator_classes, "weight"),
        "category_caps": {k: str(v) for k, v in (s.category_caps or {}).items()},
    }


def rule(r: Rule) -> dict:
    return {
        "scheme": r.scheme.code,
        "code": r.code,
        "name": r.name,
        "category": r.category,
        "points": dec(r.points),
        "unit_label": r.unit_label,
        "cap": dec(r.cap),
        "veto": r.veto,
        "positions": [str(p) for p in r.positions or []],
        "evidence_required": r.evidence_required,
        "version": r.version,
    }


ENTRY_RELATED = ("cadre", "scheme", "rule", "reverses")


def entry(e: Entry) -> dict:
    return {
        "code": e.code,
        "cadre": e.cadre.code,
        "scheme": e.scheme.code,
        "rule": e.rule.code,
        "occurred_on": e.occurred_on.isoformat(),
        "period": e.period,
        "quantity": dec(e.quantity),
        "description": e.description,
        "status": e.status,
        "kind": e.kind,
        "points": dec(e.points),
        "amount": dec(e.amount),
        "rule_version": e.rule_version,
        "reverses": e.reverses.code if e.reverses_id else None,
        "recorded_by": e.recorded_by_label,
        "recorded_at": e.recorded_at.isoformat(),
        "decided_by": e.decided_by_label,
        "decided_at": e.decided_at.isoformat() if e.decided_at else None,
        "decision_reason": e.decision_reason,
        "evidence": [
            {"name": f.original_name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256}
            for f in e.evidence.all()
        ],
    }


def ranking(data: dict, names: dict[str, str], state: str) -> dict:
    """A ranking in the interchange shape (``scoring.output.ranking_as_dict`` or a snapshot's ``ranking``)."""
    keys = ("rank", "tier", "quantitative", "quantitative_normalized", "qualitative", "composite", "vetoed")
    rows = [
        {
            "cadre": r["cadre"],
            "name": names.get(r["cadre"], ""),
            **{k: r[k] for k in keys},
            "actions": list(r["actions"]),
        }
        for r in data["rows"]
    ]
    unranked = [{"cadre": u["cadre"], "name": names.get(u["cadre"], ""), "days": u["days"]} for u in data["unranked"]]
    return {
        "group": data["group"],
        "period": data["period"],
        "state": state,
        "size": data["size"],
        "rows": rows,
        "unranked": unranked,
    }


def publication(row: GroupPeriod) -> dict:
    return {
        "group": row.group.code,
        "group_name": row.group.name,
        "period": row.period,
        "state": row.state,
        "window_starts_on": row.window_starts_on,
        "window_ends_on": row.window_ends_on,
    }


def evaluation_round(r: EvaluationRound) -> dict:
    return {
        "id": r.pk,
        "group": r.group.code,
        "period": r.period,
        "state": r.state,
        "opens_at": r.opens_at,
        "closes_at": r.closes_at,
        "classes": [{"name": str(c.get("name", "")), "mode": str(c.get("mode", ""))} for c in r.classes or []],
        "cadres": r.cadre_count,
    }
