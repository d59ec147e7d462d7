"""Qualitative evaluation (定性评价 / 民主测评): rounds, voters, one-time codes, secret votes, counted ballots.

Secrecy is structural. A :class:`Vote` (one grade for one cadre) names no
voter, no code and no time, and its primary key is random; who has voted is
kept apart, in :class:`Participation` (logged-in voters) and
:attr:`PublicCode.used_at` (codes). No table links the two, so no query can
join a grade back to the person who gave it. Closing a round counts its votes
into :class:`Ballot` rows, which the ranking reads.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class RoundState(models.TextChoices):
    DRAFT = "draft", _("准备中")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class VotingMode(models.TextChoices):
    ACCOUNT = "account", _("账号投票")
    CODE = "code", _("票码投票")


class EvaluationRound(models.Model):
    """An evaluation round (评价轮次 / 民主测评) of one ranking group for one quarter.

    ``classes`` lists the evaluator classes taking part, as
    ``[{"name": "leader", "mode": "account"}, {"name": "public", "mode": "code"}]``:
    a subset of the scheme's ``evaluator_classes`` (whose weights apply),
    each voting with accounts (named :class:`Voter` rows) or one-time codes.
    ``cadres`` are the cadres to rate, fixed when the round opens: the
    members of the group in the quarter (ranked or not).
    """

    group = models.ForeignKey("schemes.RankingGroup", on_delete=models.PROTECT, related_name="evaluation_rounds")
    period = models.CharField(max_length=10)
    classes = models.JSONField(default=list)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    allow_self = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=RoundState.choices, default=RoundState.DRAFT)
    cadres = models.ManyToManyField("org.Cadre", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-period", "group__code"]
        constraints = [
            models.UniqueConstraint(fields=["group", "period"], name="evaluation_round_one_per_group_period"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="evaluation_round_closes_after_opens"
            ),
            models.CheckConstraint(condition=Q(state__in=RoundState.values), name="evaluation_round_state_valid"),
        ]
        verbose_name = _("评价轮次")
        verbose_name_plural = _("评价轮次")

    def __str__(self) -> str:
        return f"{self.group.code} {self.period}"

    def class_names(self, mode: str | None = None) -> list[str]:
        return [c["name"] for c in self.classes if mode is None or c["mode"] == mode]

    def mode_of(self, evaluator_class: str) -> str | None:
        return next((c["mode"] for c in self.classes if c["name"] == evaluator_class), None)


class Voter(models.Model):
    """A person named to vote in a round for one evaluator class (投票人). Says nothing of how they voted."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="voters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluation_voters")
    evaluator_class = models.CharField(max_length=30)

    class Meta:
        ordering = ["round", "evaluator_class", "user__username"]
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="evaluation_voter_once_per_round")]
        verbose_name = _("投票人")
        verbose_name_plural = _("投票人")

    def __str__(self) -> str:
        return f"{self.round} {self.evaluator_class} {self.user}"


class Draft(models.Model):
    """A logged-in voter's unsubmitted choices (评价草稿), {cadre code: grade}; deleted on submission or close.

    The only place a named voter's grades exist, and only until they submit;
    no page but the voter's own form reads it.
    """

    voter = models.OneToOneField(Voter, on_delete=models.CASCADE, related_name="draft")
    grades = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评价草稿")
        verbose_name_plural = _("评价草稿")

    def __str__(self) -> str:
        return f"{self.voter_id}"


class Participation(models.Model):
    """That a logged-in voter has submitted in a round (已投票): turnout, and the guard against a second ballot.

    Deliberately without any reference to the votes, cadres or grades.
    """

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    evaluator_class = models.CharField(max_length=30)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="evaluation_participation_once")]
        verbose_name = _("投票记录")
        verbose_name_plural = _("投票记录")

    def __str__(self) -> str:
        return f"{self.round_id} {self.user_id} {self.evaluator_class}"


class PublicCode(models.Model):
    """A one-time voting code (票码) of a round, for a class voting by code; stored only as its SHA-256 digest.

    ``used_at`` says that it has voted, never what: no vote refers to it.
    """

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="codes")
    evaluator_class = models.CharField(max_length=30)
    digest = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["round", "evaluator_class"])]
        verbose_name = _("票码")
        verbose_name_plural = _("票码")

    def __str__(self) -> str:
        return f"{self.round_id} {self.evaluator_class} {self.digest[:8]}…"


class Vote(models.Model):
    """One secret grade cast in a round (选票): for a cadre, by an evaluator class. Nothing else.

    No voter, no code, no time; a random primary key, and each ballot's rows
    are written in shuffled order, so that neither ids nor order tell whose
    grades go together.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="votes")
    cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="+")
    evaluator_class = models.CharField(max_length=30)
    grade = models.CharField(max_length=30)

    class Meta:
        indexes = [models.Index(fields=["round", "cadre", "evaluator_class"])]
        verbose_name = _("选票")
        verbose_name_plural = _("选票")

    def __str__(self) -> str:
        return f"{self.round_id} {self.cadre_id} {self.evaluator_class}"


class Ballot(models.Model):
    """One qualitative grade (定性评价票) given to a cadre under a scheme, for a period, by an evaluator class.

    A ballot never names its voter: who voted is recorded elsewhere (with the
    evaluation rounds), so that grades stay secret. ``round`` is the round
    whose closing counted it; null for ballots loaded from a bundle.
    """

    scheme = models.ForeignKey("schemes.Scheme", on_delete=models.CASCADE, related_name="ballots")
    period = models.CharField(max_length=10)
    cadre = models.ForeignKey("org.Cadre", on_delete=models.CASCADE, related_name="ballots")
    evaluator_class = models.CharField(max_length=30)
    grade = models.CharField(max_length=30)
    round = models.ForeignKey(EvaluationRound, null=True, blank=True, on_delete=models.PROTECT, related_name="ballots")

    class Meta:
        indexes = [models.Index(fields=["scheme", "period", "cadre"])]
        verbose_name = _("评价票")
        verbose_name_plural = _("评价票")

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.period} {self.cadre_id} {self.evaluator_class}"
