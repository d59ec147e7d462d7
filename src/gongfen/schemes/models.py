from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongfen.common import AppendOnlyModel


class Category(models.TextChoices):
    BASE = "base", _("岗位分")
    STATIONING = "stationing", _("驻村分")
    ROUTINE = "routine", _("日常工作")
    SPECIAL = "special", _("专项加分")
    DEDUCTION = "deduction", _("扣分")


class Scheme(models.Model):
    """One unit's scoring rules for one year (考核方案 / 实施细则), often derived from the county template.

    The list-shaped parameters are JSON lists (order matters for display):
    ``grades`` [{"name","value"}], ``evaluator_classes`` [{"name","weight"}],
    ``tiers`` [{"name","cumulative"}] or cut-off tiers [{"name","min","max_share",…}] as the bundle
    writes them; ``category_caps`` {category: cap}. Decimals are kept as strings. ``period_kind``
    (month | quarter | half | year), ``tier_policy`` (proportional | cutoffs | pingshi) and
    ``action_policy`` name parts of the scoring core (scoring-v2 §2, §10).

    v2 (scoring-v2.md): ``shape`` says whether the scoring standard is v1's flat ``rules`` (by category)
    or an item tree (指标体系), whose nodes are this scheme's :class:`Rule` rows linked by ``parent``.
    ``coefficients`` (岗位系数/难度系数), ``qualitative`` (定性评价方法), ``annual`` (年度考核等次) and
    ``veto_mode`` are kept as the bundle writes them. ``bundle_version`` is the interchange format the
    scheme came in (1 or 2): the ranking JSON keeps v1's shape for v1 schemes (§15).
    """

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="schemes")
    year = models.PositiveSmallIntegerField()
    derived_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived")
    weight_quantitative = models.DecimalField(max_digits=6, decimal_places=4)
    weight_qualitative = models.DecimalField(max_digits=6, decimal_places=4)
    grades = models.JSONField(default=list)
    evaluator_classes = models.JSONField(default=list)
    tiers = models.JSONField(default=list)
    category_caps = models.JSONField(default=dict, blank=True)
    min_days = models.PositiveSmallIntegerField(default=30)
    period_kind = models.CharField(max_length=20, default="quarter")
    tier_policy = models.CharField(max_length=20, default="proportional")
    action_policy = models.CharField(max_length=20, default="streak")
    shape = models.CharField(max_length=10, choices=[("rules", "rules"), ("items", "items")], default="rules")
    bundle_version = models.PositiveSmallIntegerField(default=1)
    deduction_item = models.CharField(max_length=64, blank=True)
    coefficients = models.JSONField(default=list, blank=True)
    veto_mode = models.CharField(max_length=10, default="bottom")
    qualitative = models.JSONField(default=dict, blank=True)
    annual = models.JSONField(null=True, blank=True)
    # 异议期: working days after the day of publication during which cadres may object
    objection_days = models.PositiveSmallIntegerField(default=5)
    # who receives objections (异议受理), printed on the 公示 notice; blank office: 组织部 or the scheme's unit
    objection_office = models.CharField(_("异议受理单位"), max_length=100, blank=True)
    objection_phone = models.CharField(_("异议受理电话"), max_length=50, blank=True)
    objection_address = models.CharField(_("异议受理地址"), max_length=200, blank=True)

    class Meta:
        ordering = ["year", "code"]
        verbose_name = pgettext_lazy("model", "考核方案")
        verbose_name_plural = pgettext_lazy("model plural", "考核方案")

    def __str__(self) -> str:
        return self.name


class ItemKind(models.TextChoices):
    """What a node of an item tree is (scoring-v2 §4–§5); blank for a v1 rule (its category decides)."""

    RULE = "", _("赋分规则")
    INTERNAL = "internal", _("指标分组")
    PER_UNIT = "per_unit", _("按次计分")
    BASE = "base", _("岗位分")
    RATIO_TO_BEST = "ratio_to_best", _("以最高为满分折算")
    BANDS = "bands", _("分档赋分")
    BY_RANK = "by_rank", _("按名次赋分")


class Rule(models.Model):
    """One line of a scheme's scoring standard (赋分规则), at its current version.

    In a v1 scheme a rule is a line of one of five categories. In an item-tree scheme (指标体系) every
    item is a Rule: an internal item (``kind`` internal, with children) or a leaf of one of the five
    kinds, under ``parent`` (None at top level), with its ``floor``, ``cap``, ``start`` or
    ``allotment`` (扣完为止) and ``cap_exempt`` (不占上限). ``bands`` [{"min","points"}] and ``step``
    parameterise the ``bands`` and ``by_rank`` leaves; ``veto_mode`` is "" (the scheme's) or a mode.

    Every change makes a new :class:`RuleVersion`; an approved entry keeps the
    points and version it was granted under.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    points = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    unit_label = models.CharField(max_length=10, blank=True, help_text=_("次/天/项/个"))
    cap = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    veto = models.BooleanField(default=False)
    positions = models.JSONField(default=list, blank=True)
    evidence_required = models.BooleanField(default=False)
    # 人工核定分值: when both are set, a reviewer (never the cadre, never the recorder) may grant points per
    # unit other than ``points``, within [manual_min, manual_max]; unset, only ``points`` is ever granted
    manual_min = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    manual_max = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    kind = models.CharField(max_length=20, choices=ItemKind.choices, blank=True, default="")
    floor = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    start = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    allotment = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    cap_exempt = models.BooleanField(default=False)
    step = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    bands = models.JSONField(default=list, blank=True)
    veto_mode = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        ordering = ["scheme", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="rule_code_unique_in_scheme"),
            models.CheckConstraint(
                condition=~Q(kind="") | Q(cap__isnull=True) | Q(cap__gte=0), name="rule_cap_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(category="base") | ~Q(kind="") | Q(cap__isnull=True), name="rule_base_has_no_cap"
            ),
            models.CheckConstraint(
                condition=~Q(kind="")
                | (Q(category="deduction") & Q(points__lte=0))
                | (~Q(category="deduction") & Q(points__gte=0)),
                name="rule_points_sign_matches_category",
            ),
            models.CheckConstraint(
                condition=(Q(manual_min__isnull=True) & Q(manual_max__isnull=True))
                | (Q(manual_min__isnull=False) & Q(manual_max__isnull=False) & Q(manual_min__lte=F("manual_max"))),
                name="rule_manual_range_whole",
            ),
        ]
        verbose_name = pgettext_lazy("model", "赋分规则")
        verbose_name_plural = pgettext_lazy("model plural", "赋分规则")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def manual(self) -> bool:
        """Whether the rule lets a reviewer grant points other than its own (人工核定, within a range)."""
        return self.manual_min is not None and self.manual_max is not None


class RuleVersion(AppendOnlyModel):
    """A rule as it stood from one change to the next (规则版本); never changed."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    points = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    unit_label = models.CharField(max_length=10, blank=True)
    cap = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    veto = models.BooleanField(default=False)
    positions = models.JSONField(default=list, blank=True)
    evidence_required = models.BooleanField(default=False)
    manual_min = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    manual_max = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    kind = models.CharField(max_length=20, blank=True, default="")
    floor = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    start = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    allotment = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    cap_exempt = models.BooleanField(default=False)
    step = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    bands = models.JSONField(default=list, blank=True)
    veto_mode = models.CharField(max_length=10, blank=True, default="")
    parent_code = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["rule", "version"]
        constraints = [models.UniqueConstraint(fields=["rule", "version"], name="rule_version_unique")]
        verbose_name = pgettext_lazy("model", "规则版本")
        verbose_name_plural = pgettext_lazy("model plural", "规则版本")


class PublicationScope(models.TextChoices):
    UNIT = "unit", _("本单位（组内成员所在单位）")
    GROUP = "group", _("本排名组")
    COUNTY = "county", _("全县")
    UNITS = "units", _("指定单位")


class RankingGroup(models.Model):
    """Cadres ranked together under one scheme (排名组): posts under a unit and/or of a position.

    ``publish_scope`` says who sees the published ranking (公示范围): the
    members' units, the group's members, the whole county, or the units named
    in ``publish_units`` (with their subtrees).
    """

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="groups")
    select_unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    select_position = models.CharField(max_length=50, blank=True)
    publish_scope = models.CharField(max_length=10, choices=PublicationScope.choices, default=PublicationScope.GROUP)
    publish_units = models.ManyToManyField("org.Unit", blank=True, related_name="+")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(select_unit__isnull=False) | ~Q(select_position=""), name="group_selects_something"
            ),
        ]
        verbose_name = pgettext_lazy("model", "排名组")
        verbose_name_plural = pgettext_lazy("model plural", "排名组")

    def __str__(self) -> str:
        return self.name
