"""Planted patterns (埋设的异常), so that each fairness analysis has exactly one case to find in the demo.

Kept apart from the generator (whose output for a seed is pinned byte for byte): :func:`plant_patterns`
rewrites a generated bundle, :func:`plant_reviews` runs after it is loaded (decisions need people).

- an end-of-quarter burst: every 2026Q3 entry of 中村乡's scheme happened in its last 10 days;
- a 大锅饭 unit: 林山乡's 2026Q3 has no entries and every ballot gives 良好, so its people tie;
- an outlier top scorer: one cadre of 芹阳办事处 (G-QY) gets 120 交办事项 in 2026Q3;
- a lenient reviewer: four reviewers of 马金镇 decide 30 new 2026Q4 declarations each; ``demo-mj-r1``
  approves them all, the others approve 18 of 30.

Not planted: a straight-lining ballot sheet (the ballot tables keep no sheets, docs/analytics.md).
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal

BURST_SCHEME = "KH-ZC-2026"
FLAT_SCHEME, FLAT_GROUP = "KH-LS-2026", "G-LS"
OUTLIER_SCHEME, OUTLIER_GROUP = "KH-QY-2026", "G-QY"
LENIENT_SCHEME, LENIENT_UNIT = "KH-MJ-2026", "KH-MJ"
REVIEWERS = ("demo-mj-r1", "demo-mj-r2", "demo-mj-r3", "demo-mj-r4")
LENIENT = REVIEWERS[0]
PERIOD = "2026Q3"
Q3_START, Q3_END = date(2026, 7, 1), date(2026, 9, 30)
PER_REVIEWER, STRICT_APPROVALS = 30, 18


def _in_q3(entry: dict) -> bool:
    return Q3_START.isoformat() <= entry["occurred_on"] <= Q3_END.isoformat()


def plant_patterns(bundle: dict) -> dict:
    """A copy of a demo bundle with the burst, the 大锅饭 unit and the outlier planted."""
    bundle = copy.deepcopy(bundle)
    entries = bundle["entries"]
    burst = [e for e in entries if e["scheme"] == BURST_SCHEME and _in_q3(e)]
    for i, entry in enumerate(burst):
        entry["occurred_on"] = (Q3_END - timedelta(days=i % 10)).isoformat()
    bundle["entries"] = [e for e in entries if not (e["scheme"] == FLAT_SCHEME and _in_q3(e))]
    for ballot in bundle.get("ballots") or ():
        if ballot["scheme"] == FLAT_SCHEME and ballot["period"] == PERIOD:
            ballot["grade"] = "良好"
    outlier = min(e["cadre"] for e in bundle["entries"] if e["scheme"] == OUTLIER_SCHEME and _in_q3(e))
    bundle["entries"].append(
        {
            "id": "DEMO-OUTLIER-1",
            "cadre": outlier,
            "scheme": OUTLIER_SCHEME,
            "rule": "R-TASK",
            "occurred_on": "2026-08-18",
            "quantity": "120",
            "status": "approved",
            "description": "演示：极端高分",
        }
    )
    return bundle


def plant_reviews(password: str = "gongfen-demo-2026") -> dict[str, int]:
    """Four reviewers of 马金镇 decide new 2026Q4 declarations; the first approves everything."""
    from django.utils import timezone

    from gongfen.accounts.models import RoleKind, User
    from gongfen.accounts.services import role_grant, user_create
    from gongfen.common import Actor
    from gongfen.ledger.services import entries_decide, entry_declare
    from gongfen.org.models import Cadre, Unit
    from gongfen.schemes.models import Rule

    if timezone.localdate() < date(2026, 10, 1) + timedelta(days=27):
        return {}  # the declarations below would lie in the future (the demo's story day is 2026-11-25)
    actor = Actor.system()
    unit = Unit.objects.get(code=LENIENT_UNIT)
    rule = Rule.objects.get(scheme__code=LENIENT_SCHEME, code="R-TASK")
    cadres = list(Cadre.objects.filter(posts__unit__path__startswith=unit.path).distinct().order_by("code")[:10])
    counts = {}
    for n, username in enumerate(REVIEWERS):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(actor=actor, username=username, password=password, name=f"马金镇审核人{n + 1}")
        role_grant(actor=actor, user=user, kind=RoleKind.REVIEWER, unit=unit, reason="演示：埋设的审核宽松度")
        entries = [
            entry_declare(
                actor=actor,
                cadre=cadres[k % len(cadres)],
                rule=rule,
                occurred_on=date(2026, 10, 1) + timedelta(days=k % 28),
                quantity=Decimal(1),
                description="演示：交办事项",
                code=f"DEMO-REV-{n + 1}-{k + 1:02d}",
            )
            for k in range(PER_REVIEWER)
        ]
        approve = entries if username == LENIENT else entries[:STRICT_APPROVALS]
        entries_decide(actor=Actor(user), entries=approve, decision="approve", reason="演示")
        if username != LENIENT:
            entries_decide(actor=Actor(user), entries=entries[STRICT_APPROVALS:], decision="reject", reason="佐证不足")
        counts[username] = len(approve)
    return counts
