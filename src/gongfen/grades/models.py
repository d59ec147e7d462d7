"""Appraisal grades (考核等次): quota plans, sanctions, grade sheets per unit, 复核.

The grades app is the only writer of these tables (:mod:`gongfen.grades.services`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongfen.common import AppendOnlyModel


class Population(models.TextChoices):
    LEADERS = "leaders", _("领导班子")
    ORGANS = "organs", _("机关")
    GRASSROOTS = "grassroots", _("基层单位")
    INSTITUTIONS = "institutions", _("事业单位")


class GradeKind(models.TextChoices):
    ANNUAL = "annual", _("年度考核")
    PINGSHI = "pingshi", _("平时考核")


class Rounding(models.TextChoices):
    FLOOR = "floor", _("最多不超过（向下取整）")
    HALF_UP = "half_up", _("四舍五入")
    CEIL = "ceil", _("进一法（向上取整）")


class PoolAt(models.TextChoices):
    PARENT = "parent", _("上级单位")
    COUNTY = "county", _("全县")


class QuotaPlan(models.Model):
    """A quota plan (名额方案): for one year, population and kind, the top grade's share and how seats are counted.

    Units with fewer than ``pool_below`` people are pooled at their parent or at the county.
    ``reviewable`` lists the grades whose holders may apply for 复核 (default 不称职).
    """

    year = models.PositiveIntegerField()
    population = models.CharField(max_length=20, choices=Population.choices)
    kind = models.CharField(max_length=10, choices=GradeKind.choices)
    share = models.DecimalField(max_digits=5, decimal_places=4)
    rounding = models.CharField(max_length=10, choices=Rounding.choices, default=Rounding.FLOOR)
    min_seats = models.PositiveIntegerField(default=0)
    pool_below = models.PositiveIntegerField(default=0)
    pool_at = models.CharField(max_length=10, choices=PoolAt.choices, default=PoolAt.PARENT)
    publicity_days = models.PositiveIntegerField(default=5)
    reviewable = models.CharField(max_length=100, default="不称职")
    units = models.ManyToManyField("org.Unit", related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "kind", "population"]
        constraints = [
            models.UniqueConstraint(fields=["year", "population", "kind"], name="quota_plan_unique"),
            models.CheckConstraint(condition=Q(share__gte=0) & Q(share__lte=1), name="quota_plan_share_0_1"),
        ]
        verbose_name = pgettext_lazy("model", "名额方案")
        verbose_name_plural = pgettext_lazy("model plural", "名额方案")

    def __str__(self) -> str:
        return f"{self.year} {self.get_population_display()} {self.get_kind_display()}"

    @property
    def code(self) -> str:
        return f"{self.year}-{self.population}-{self.kind}"


class SeatOverride(models.Model):
    """组织部 setting one unit's seats in a plan (名额调整): proposed with a reason, in force once a second
    组织部 user confirms it. The latest confirmed one for (plan, unit) is in force."""

    plan = models.ForeignKey(QuotaPlan, on_delete=models.PROTECT, related_name="overrides")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveIntegerField()
    reason = models.TextField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = pgettext_lazy("model", "名额调整")
        verbose_name_plural = pgettext_lazy("model plural", "名额调整")

    def __str__(self) -> str:
        return f"{self.plan} {self.unit_id} {self.seats}"


class InfluenceSetting(models.Model):
    """The county's version of one row of the influence table (处分影响期): replaces the shipped default."""

    kind = models.CharField(max_length=30, unique=True)
    first = models.CharField(max_length=100)
    later = models.CharField(max_length=100, blank=True)
    years = models.PositiveIntegerField(default=1)
    pingshi_months = models.PositiveIntegerField(default=0)
    pingshi_bars = models.CharField(max_length=100, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "处分影响期")
        verbose_name_plural = pgettext_lazy("model plural", "处分影响期")

    def __str__(self) -> str:
        return self.kind


class Sanction(models.Model):
    """A sanction or accountability decision in the register (负面清单): who, what kind, decided and lifted when."""

    cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)
    decided_on = models.DateField()
    lifted_on = models.DateField(null=True, blank=True)
    document = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cadre", "decided_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_on__isnull=True) | Q(lifted_on__gte=models.F("decided_on")),
                name="sanction_lifted_after_decided",
            )
        ]
        verbose_name = pgettext_lazy("model", "处分记录")
        verbose_name_plural = pgettext_lazy("model plural", "处分记录")

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.kind} {self.decided_on}"


class NotGradedReason(models.TextChoices):
    PROBATION = "probation", _("试用期内")
    NEW_RECRUIT = "new_recruit", _("新录用")
    ABSENT = "absent", _("病、事假累计超过半年")
    INVESTIGATION = "investigation", _("立案审查期间")
    OTHER = "other", _("其他")


class NotGraded(models.Model):
    """A person not graded in one year (不定等次): the reason, recorded by 组织部 or the unit."""

    cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    reason = models.CharField(max_length=20, choices=NotGradedReason.choices)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cadre", "year"], name="not_graded_unique")]
        verbose_name = pgettext_lazy("model", "不定等次")
        verbose_name_plural = pgettext_lazy("model plural", "不定等次")

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.year} {self.reason}"


class SheetState(models.TextChoices):
    PROPOSED = "proposed", _("考核委员会评议")
    CONFIRMED = "confirmed", _("组织部已确认")
    PUBLISHED = "published", _("公示中")
    FINAL = "final", _("已确定")


class GradeSheet(models.Model):
    """One unit's grades for one period (等次评定表): ``2026Y`` annual, ``2026Q3`` 平时考核.

    Proposed from a ranking group's results, adjusted by the unit's appraisal committee, confirmed by
    组织部, published for ``plan.publicity_days`` working days, then final. ``version`` counts publications.
    """

    plan = models.ForeignKey(QuotaPlan, on_delete=models.PROTECT, related_name="sheets")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=8)
    group = models.ForeignKey("schemes.RankingGroup", null=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=SheetState.choices, default=SheetState.PROPOSED)
    seats = models.PositiveIntegerField()
    pool = models.CharField(max_length=80, blank=True)
    window_starts_on = models.DateField(null=True, blank=True)
    window_ends_on = models.DateField(null=True, blank=True)
    finalized_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["period", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="grade_sheet_unique")]
        verbose_name = pgettext_lazy("model", "等次评定表")
        verbose_name_plural = pgettext_lazy("model plural", "等次评定表")

    def __str__(self) -> str:
        return f"{self.unit} {self.period}"


class GradeLine(models.Model):
    """One person's grade on a sheet: proposed (with the notes that explain it) and current ('' = 不定等次)."""

    sheet = models.ForeignKey(GradeSheet, on_delete=models.CASCADE, related_name="lines")
    cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField(null=True, blank=True)
    score = models.CharField(max_length=20, blank=True)
    proposed = models.CharField(max_length=10, blank=True)
    grade = models.CharField(max_length=10, blank=True)
    notes = models.JSONField(default=list)
    eligibility = models.JSONField(default=dict)  # {"ungraded": bool, "fixed": str|None, "barred": [...]}
    reason = models.TextField(blank=True)  # the committee's or 复核's reason for the current grade

    class Meta:
        ordering = ["sheet", "rank", "cadre__code"]
        constraints = [models.UniqueConstraint(fields=["sheet", "cadre"], name="grade_line_unique")]
        verbose_name = pgettext_lazy("model", "等次")
        verbose_name_plural = pgettext_lazy("model plural", "等次")

    def __str__(self) -> str:
        return f"{self.sheet_id} {self.cadre_id} {self.grade}"


class GradeVersion(AppendOnlyModel):
    """One publication of a sheet (公示版本), frozen: the lines as published, and why a new version was made."""

    sheet = models.ForeignKey(GradeSheet, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    reason = models.TextField(blank=True)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["sheet", "version"]
        constraints = [models.UniqueConstraint(fields=["sheet", "version"], name="grade_version_unique")]
        verbose_name = pgettext_lazy("model", "等次公示版本")
        verbose_name_plural = pgettext_lazy("model plural", "等次公示版本")

    def __str__(self) -> str:
        return f"{self.sheet_id} v{self.version}"


class ReviewStatus(models.TextChoices):
    FILED = "filed", _("待复核")
    UPHELD = "upheld", _("维持原等次")
    CHANGED = "changed", _("变更等次")


class GradeReview(models.Model):
    """A 复核 application against a final grade (公务员法第九十五条), and its decision."""

    line = models.ForeignKey(GradeLine, on_delete=models.PROTECT, related_name="reviews")
    filed_on = models.DateField()
    text = models.TextField()
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.FILED)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    old_grade = models.CharField(max_length=10, blank=True)
    new_grade = models.CharField(max_length=10, blank=True)
    decision = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = pgettext_lazy("model", "复核申请")
        verbose_name_plural = pgettext_lazy("model plural", "复核申请")

    def __str__(self) -> str:
        return f"{self.line_id} {self.status}"


class FollowUpList(models.TextChoices):
    EXCELLENT_3 = "excellent_3", _("连续三年优秀")
    INCOMPETENT_2 = "incompetent_2", _("连续两年不称职")
    INCOMPETENT = "incompetent", _("本年度不称职")


class FollowUpAction(models.TextChoices):
    PROMOTED = "promoted", _("提拔使用")
    COMMENDED = "commended", _("记三等功")
    RETRAINED = "retrained", _("回炉培训")
    TRANSFERRED = "transferred", _("调整岗位")
    DEMOTED = "demoted", _("降低职务职级")
    DISMISSED = "dismissed", _("辞退")
    NONE = "none", _("未作处理")


class FollowUp(models.Model):
    """What was done about a person on a consequences list of a year (结果运用记录)."""

    cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    list_kind = models.CharField(max_length=20, choices=FollowUpList.choices)
    action = models.CharField(max_length=20, choices=FollowUpAction.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "list_kind", "id"]
        verbose_name = pgettext_lazy("model", "结果运用记录")
        verbose_name_plural = pgettext_lazy("model plural", "结果运用记录")

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.year} {self.list_kind} {self.action}"
