from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongfen.common import AppendOnlyModel


class PeriodState(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSING = "closing", _("关账中")
    PUBLISHED = "published", _("已公示")
    FINAL = "final", _("已定稿")


class GroupPeriod(models.Model):
    """Where a group's quarter stands in its lifecycle (季度状态): open → closing → published → final.

    No row means open. Once a quarter is past open, no entry may be declared
    into it for that group's scheme.
    """

    group = models.ForeignKey("schemes.RankingGroup", on_delete=models.CASCADE, related_name="periods")
    period = models.CharField(max_length=10)
    state = models.CharField(max_length=10, choices=PeriodState.choices, default=PeriodState.OPEN)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    # the objection window (异议期) of the current publication: both days included, working days only
    window_starts_on = models.DateField(null=True, blank=True)
    window_ends_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "period"], name="group_period_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=["open", "closing"]) | models.Q(window_ends_on__isnull=False),
                name="group_period_published_has_window",
            ),
        ]
        verbose_name = pgettext_lazy("model", "季度状态")
        verbose_name_plural = pgettext_lazy("model plural", "季度状态")

    def __str__(self) -> str:
        return f"{self.group_id} {self.period} {self.state}"


class Snapshot(AppendOnlyModel):
    """A published ranking frozen as it stood (公示快照), one version per publication; never changed.

    ``data`` holds every row with its breakdown, the rule versions and the
    ledger position it was computed from; ``fingerprint`` is the SHA-256 of
    its canonical JSON (see docs/publication.md), printed on the notice.
    """

    group = models.ForeignKey("schemes.RankingGroup", on_delete=models.PROTECT, related_name="snapshots")
    period = models.CharField(max_length=10)
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_by_label = models.CharField(max_length=150, blank=True)
    data = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    # this version's objection window; for v2+ it applies to the rows in ``changed`` (cadre codes),
    # the other rows keep the window of the version in which they last changed
    window_starts_on = models.DateField(null=True, blank=True)
    window_ends_on = models.DateField(null=True, blank=True)
    changed = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)
    # the tree head of the tamper-evident log (gongfen.trust) this version was computed at: size and root (hex)
    tree_size = models.BigIntegerField(null=True, blank=True)
    tree_root = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["group", "period", "version"]
        constraints = [
            models.UniqueConstraint(fields=["group", "period", "version"], name="snapshot_version_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="snapshot_version_positive"),
        ]
        verbose_name = pgettext_lazy("model", "公示快照")
        verbose_name_plural = pgettext_lazy("model plural", "公示快照")

    def __str__(self) -> str:
        return f"{self.group_id} {self.period} v{self.version} {self.fingerprint[:12]}"


class Holiday(models.Model):
    """A day the working-day calendar treats specially (节假日与调休): a holiday on a weekday, or a working weekend.

    ``working`` False: a public holiday (not a working day even Mon–Fri);
    True: a 调休 weekend day that is a working day.
    """

    day = models.DateField(unique=True)
    working = models.BooleanField(default=False)
    name = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = pgettext_lazy("model", "节假日")
        verbose_name_plural = pgettext_lazy("model plural", "节假日")

    def __str__(self) -> str:
        return f"{self.day} {self.name} {'上班' if self.working else '休息'}"


class HolidayYear(models.Model):
    """A year whose 节假日与调休 are recorded whole (entered by 组织部, or loaded from a file): its
    :class:`Holiday` rows are then the year's whole calendar. A year the product ships the State
    Council's schedule of (``publication/holidays-cn-YYYY.json``) is known without a row here; any
    other year is unknown, and a window that needs it is refused (``holidays.CalendarMissing``)."""

    year = models.PositiveSmallIntegerField(unique=True)
    source = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_by_label = models.CharField(max_length=150, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["year"]
        verbose_name = pgettext_lazy("model", "节假日年度")
        verbose_name_plural = pgettext_lazy("model plural", "节假日年度")

    def __str__(self) -> str:
        return f"{self.year} ({self.source})"


class ObjectionStatus(models.TextChoices):
    FILED = "filed", _("待处理")
    UPHELD = "upheld", _("已采纳")
    DISMISSED = "dismissed", _("不予采纳")


class Objection(models.Model):
    """An objection (异议) filed by a cadre during the window, against an entry or their own row.

    Decided once: upheld (the correction goes through the ledger and the
    ranking is republished; ``resolved_version`` names the new version) or
    dismissed with a reason. Every step is audited.
    """

    group = models.ForeignKey("schemes.RankingGroup", on_delete=models.PROTECT, related_name="objections")
    period = models.CharField(max_length=10)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="objections")
    cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="objections")
    entry = models.ForeignKey(
        "ledger.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="objections"
    )
    text = models.TextField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(auto_now_add=True)
    # optional evidence, stored like ledger evidence: under a random token, checked by content
    evidence_token = models.CharField(max_length=64, blank=True)
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_type = models.CharField(max_length=50, blank=True)
    evidence_size = models.PositiveIntegerField(null=True, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.FILED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_label = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    resolved_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["group", "period", "status"])]
        verbose_name = pgettext_lazy("model", "异议")
        verbose_name_plural = pgettext_lazy("model plural", "异议")

    def __str__(self) -> str:
        return f"{self.group_id} {self.period} {self.cadre_id} [{self.status}]"


class ActionOverride(AppendOnlyModel):
    """组织部's override of an action list (首位推荐/末位回炉/调整) for one cadre, with its reason; never changed.

    ``include`` True puts the cadre on the list, False takes them off. It is a
    proposal until a second 组织部 user confirms it (:class:`ActionOverrideConfirmation`);
    the latest *confirmed* override for (group, period, cadre, action) wins; an
    earlier one stays as history.
    """

    group = models.ForeignKey("schemes.RankingGroup", on_delete=models.PROTECT, related_name="action_overrides")
    period = models.CharField(max_length=10)
    cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="action_overrides")
    action = models.CharField(max_length=10)  # recommend / retrain / adjust (scoring.types)
    include = models.BooleanField()
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["group", "period", "cadre", "action", "id"]
        verbose_name = pgettext_lazy("model", "名单调整")
        verbose_name_plural = pgettext_lazy("model plural", "名单调整")


class ActionOverrideConfirmation(AppendOnlyModel):
    """A second 组织部 user's confirmation of a proposed list override (名单调整复核); never changed.

    An :class:`ActionOverride` is a proposal until it has one: only confirmed overrides change a list.
    The confirming user is never the proposer and never the cadre concerned (four eyes).
    """

    override = models.OneToOneField(ActionOverride, on_delete=models.PROTECT, related_name="confirmation")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    confirmed_by_label = models.CharField(max_length=150, blank=True)
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "名单调整复核")
        verbose_name_plural = pgettext_lazy("model plural", "名单调整复核")
