"""A round of 齐溪镇全体干部 (QX-ALL) for 2026Q3, open now: leader and peer vote with accounts, public by code.

The qixi example's seven members of QX-ALL in 2026Q3 are rated: A01–A05, A08
and A06 (21 days: not ranked, but rated). The bundle's own ballots for that
quarter are removed, so that the round is the only source of L.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongfen.accounts.models import User
from gongfen.common import Actor
from gongfen.evaluations import services
from gongfen.evaluations.models import Ballot, Draft, Participation, PublicCode, Vote
from gongfen.schemes.models import RankingGroup
from tests.web_fixtures import *  # noqa: F403

CLASSES = [
    {"name": "leader", "mode": "account"},
    {"name": "peer", "mode": "account"},
    {"name": "public", "mode": "code"},
]
MEMBERS = ["A01", "A02", "A03", "A04", "A05", "A06", "A08"]


def org_actor() -> Actor:
    return Actor(User.objects.get(username="org"))


def admin_actor() -> Actor:
    return Actor(User.objects.get(username="qx_admin"))


def as_user(username: str) -> Actor:
    return Actor(User.objects.get(username=username))


def make_round(period: str = "2026Q3", **overrides):
    now = timezone.now()
    settings = {
        "classes": CLASSES,
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=1),
    } | overrides
    return services.round_create(
        actor=admin_actor(), group=RankingGroup.objects.get(code="QX-ALL"), period=period, **settings
    )


def counts() -> dict[str, int]:
    """Everything a vote could leave behind."""
    return {
        "votes": Vote.objects.count(),
        "participations": Participation.objects.count(),
        "drafts": Draft.objects.count(),
        "ballots": Ballot.objects.count(),
        "codes_used": PublicCode.objects.filter(used_at__isnull=False).count(),
    }


def all_grades(round_, user=None, grade="良好", **chosen) -> dict[str, str]:
    from gongfen.evaluations.selectors import candidates

    return {c.code: chosen.get(c.code, grade) for c in candidates(round_, user)}


@pytest.fixture
def evaluation(county):
    """The open round, its voters (leader: qx_reviewer = A02; peer: a01, a04) and six public codes."""
    Ballot.objects.filter(scheme__code="QX-2026", period="2026Q3").delete()
    round_ = make_round()
    users = {name: User.objects.get(username=name) for name in ("qx_reviewer", "a01", "a04")}
    services.voters_set(actor=admin_actor(), round=round_, evaluator_class="leader", users=[users["qx_reviewer"]])
    services.voters_set(actor=admin_actor(), round=round_, evaluator_class="peer", users=[users["a01"], users["a04"]])
    codes = services.codes_issue(actor=admin_actor(), round=round_, evaluator_class="public", count=6)
    services.round_open(actor=admin_actor(), round=round_)
    round_.refresh_from_db()
    return {"round": round_, "codes": codes, "users": users}
