"""Reads of the evaluation pages, already scoped to the user.

Administrators reach a round through ``groups_for(user, Action.ADMINISTER)``;
a voter only the rounds that name them. Nothing here reads :class:`Vote`,
:class:`Draft` of another user or :class:`Ballot`: turnout comes from
:class:`Voter`, :class:`Participation` and :class:`PublicCode` alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from gongfen.accounts.models import User
from gongfen.accounts.permissions import Action, groups_for
from gongfen.audit.models import AuditEvent
from gongfen.org.models import Cadre
from gongfen.schemes.models import RankingGroup

from .codes import code_digest, code_normalize
from .models import EvaluationRound, Participation, PublicCode, RoundState, Voter, VotingMode

ROUND_ACTIONS = [
    f"evaluation.{name}" for name in ("round_create", "round_update", "round_open", "round_close", "round_reopen")
]
ROUND_ACTIONS += ["evaluation.voters_set", "evaluation.codes_issue"]


def class_label(name: str) -> str:
    """An evaluator class as people read it: 领导评价（leader）; a class the template does not know, as named."""
    from gongfen.rankings.page_selectors import CLASS_LABELS

    label = CLASS_LABELS.get(name)
    return f"{label}（{name}）" if label else name


def members_of(group: RankingGroup, period: str) -> list[Cadre]:
    """The cadres to rate: the group's members in the quarter with at least one day (ranked or not)."""
    from gongfen.rankings.selectors import group_ranking

    ranking = group_ranking(group, period)
    codes = [row.cadre for row in ranking.rows] + [u.cadre for u in ranking.unranked]
    return list(Cadre.objects.filter(code__in=codes).order_by("code"))


def administered_groups(user) -> QuerySet[RankingGroup]:
    return groups_for(user, Action.ADMINISTER).select_related("scheme")


def administered_rounds(user) -> QuerySet[EvaluationRound]:
    return EvaluationRound.objects.filter(group__in=groups_for(user, Action.ADMINISTER)).select_related("group__scheme")


def voting_rounds(user) -> QuerySet[EvaluationRound]:
    """The rounds naming ``user`` as a voter, each with ``voted`` (submitted) and ``my_class``."""
    mine = Voter.objects.filter(round=OuterRef("pk"), user=user)
    return (
        EvaluationRound.objects.filter(Exists(mine))
        .annotate(
            voted=Exists(Participation.objects.filter(round=OuterRef("pk"), user=user)),
        )
        .select_related("group__scheme")
    )


def round_of(group: RankingGroup, period: str) -> EvaluationRound | None:
    return EvaluationRound.objects.select_related("group__scheme").filter(group=group, period=period).first()


def voter_of(round_: EvaluationRound, user) -> Voter | None:
    return round_.voters.filter(user=user).first()


def has_voted(round_: EvaluationRound, user) -> bool:
    return round_.participations.filter(user=user).exists()


def accepting(round_: EvaluationRound, now) -> bool:
    return round_.state == RoundState.OPEN and round_.opens_at <= now < round_.closes_at


def candidates(round_: EvaluationRound, user: User | None = None) -> list[Cadre]:
    """The cadres a voter rates: the round's, without their own unless the round allows it; all for a code."""
    cadres = round_.cadres.order_by("code")
    if user is not None and user.cadre_id and not round_.allow_self:
        cadres = cadres.exclude(pk=user.cadre_id)
    return list(cadres)


def turnout_counts(round_: EvaluationRound) -> dict[str, dict[str, int]]:
    """{class: {"done": n, "of": m}}: submissions of named voters, or codes used of codes issued."""
    counts = {name: {"done": 0, "of": 0} for name in round_.class_names()}

    def add(klass: str, key: str, n: int) -> None:
        counts.setdefault(klass, {"done": 0, "of": 0})[key] += n

    for klass, n in round_.voters.values_list("evaluator_class").annotate(n=Count("id")).order_by():
        add(klass, "of", n)
    for klass, n in round_.participations.values_list("evaluator_class").annotate(n=Count("id")).order_by():
        add(klass, "done", n)
    used = Count("id", filter=Q(used_at__isnull=False))
    for klass, n, m in round_.codes.values_list("evaluator_class").annotate(n=Count("id"), m=used).order_by():
        add(klass, "of", n)
        add(klass, "done", m)
    return counts


@dataclass(frozen=True)
class ClassLine:
    name: str
    label: str
    weight: str
    mode: str
    mode_label: str
    done: int
    of: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.of) if self.of else 0


def class_lines(round_: EvaluationRound) -> list[ClassLine]:
    """The round's classes with their weight (from the scheme), voting mode and turnout."""
    weights = {c["name"]: c["weight"] for c in round_.group.scheme.evaluator_classes}
    counts = turnout_counts(round_)
    labels = dict(VotingMode.choices)
    return [
        ClassLine(
            c["name"],
            class_label(c["name"]),
            weights.get(c["name"], "?"),
            c["mode"],
            str(labels[c["mode"]]),
            **counts[c["name"]],
        )
        for c in round_.classes
    ]


def code_counts(round_: EvaluationRound) -> list[ClassLine]:
    return [line for line in class_lines(round_) if line.mode == VotingMode.CODE]


def voter_candidates(round_: EvaluationRound) -> QuerySet[User]:
    """Who may be named a voter: accounts of the group's members in the quarter, and holders of a role
    over the scheme's unit, a unit above it or a unit under it (leaders, reviewers, administrators)."""
    members = [c.pk for c in (round_.cadres.all() if round_.state != RoundState.DRAFT else [])] or [
        c.pk for c in members_of(round_.group, round_.period)
    ]
    unit = round_.group.scheme.unit
    above = [p + "/" for p in _prefixes(unit.path)]
    roles = Q(roles__unit__path__startswith=unit.path) | Q(roles__unit__path__in=above)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(cadre_id__in=members) | roles)
        .select_related("cadre")
        .distinct()
        .order_by("username")
    )


def _prefixes(path: str) -> list[str]:
    codes = [c for c in path.split("/") if c]
    return ["/".join(codes[:i]) for i in range(1, len(codes))]


def voters_by_class(round_: EvaluationRound) -> dict[str, list[Voter]]:
    voted = Exists(Participation.objects.filter(round=OuterRef("round"), user=OuterRef("user")))
    out: dict[str, list[Voter]] = {name: [] for name in round_.class_names(VotingMode.ACCOUNT)}
    for voter in round_.voters.annotate(voted=voted).select_related("user__cadre").order_by("user__username"):
        out.setdefault(voter.evaluator_class, []).append(voter)
    return out


def round_history(round_: EvaluationRound) -> QuerySet[AuditEvent]:
    """What was done to the round (create, open, close, reopen with its reason…); not who voted when."""
    return AuditEvent.objects.filter(
        object_type=EvaluationRound._meta.label_lower, object_id=str(round_.pk), action__in=ROUND_ACTIONS
    ).order_by("id")


def ticket(code: str) -> PublicCode | None:
    """The code's ticket (its round loaded), or None for a code nobody issued."""
    if not code_normalize(code):
        return None
    return PublicCode.objects.select_related("round__group__scheme").filter(digest=code_digest(code)).first()
