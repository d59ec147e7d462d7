"""What each event says: codes and numbers, the cadre's code and name where the event is about a cadre.

No reasons, texts, evidence or reviewers' names (docs/webhooks.md, "载荷").
"""

from __future__ import annotations

from typing import Any


def _cadre(cadre) -> dict[str, str]:
    return {"code": cadre.code, "name": cadre.name}


def _decimal(value) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def entry_approved(entry) -> dict[str, Any]:
    return {
        "entry": entry.code,
        "kind": entry.kind,
        "cadre": _cadre(entry.cadre),
        "scheme": entry.scheme.code,
        "rule": {"code": entry.rule.code, "name": entry.rule.name, "version": entry.rule_version},
        "period": entry.period,
        "occurred_on": entry.occurred_on.isoformat(),
        "quantity": _decimal(entry.quantity),
        "points": _decimal(entry.points),
        "amount": _decimal(entry.amount),
        "approved_at": entry.decided_at.isoformat() if entry.decided_at else None,
    }


def ranking_published(snapshot) -> dict[str, Any]:
    group = snapshot.group
    return {
        "group": {"code": group.code, "name": group.name},
        "scheme": group.scheme.code,
        "period": snapshot.period,
        "version": snapshot.version,
        "republication": snapshot.version > 1,
        "fingerprint": snapshot.fingerprint,
        "window": {
            "starts_on": snapshot.window_starts_on.isoformat() if snapshot.window_starts_on else None,
            "ends_on": snapshot.window_ends_on.isoformat() if snapshot.window_ends_on else None,
        },
        "changed": list(snapshot.changed or []),
        "rows": len(snapshot.data.get("ranking", {}).get("rows", [])),
    }


def objection_decided(objection) -> dict[str, Any]:
    return {
        "objection": objection.pk,
        "group": objection.group.code,
        "period": objection.period,
        "cadre": _cadre(objection.cadre),
        "entry": objection.entry.code if objection.entry_id else None,
        "decision": objection.status,
        "resolved_version": objection.resolved_version,
        "decided_at": objection.decided_at.isoformat() if objection.decided_at else None,
    }
