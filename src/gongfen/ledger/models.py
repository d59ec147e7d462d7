from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongfen.common import AppendOnlyModel


class EntryStatus(models.TextChoices):
    DECLARED = "declared", _("已填报")
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已退回")
    REVOKED = "revoked", _("已撤销")
    DELETED = "deleted", _("已删除")  # a draft its author deleted: never posted, kept for the record


class EntryKind(models.TextChoices):
    NORMAL = "normal", _("记录")
    REVERSAL = "reversal", _("冲销")
    RESCORE = "rescore", _("按新版规则重算")
    ADJUSTMENT = "adjustment", _("更正调整")


class Entry(models.Model):
    """One line of the ledger (工分记录, 过程细账).

    The points an entry is worth are fixed when it is approved (``points`` per
    unit, ``amount`` = points × quantity, under ``rule_version``) and never
    change. An approved entry is never edited or deleted: it is revoked by a
    reversing entry (``kind=reversal``, ``reverses`` the original, the
    opposite amount). ``posted`` marks the rows that count in the maintained
    totals: approved originals (revoked ones included) and their reversals.
    """

    # codes from outside have at most 64 characters; the product adds suffixes (~R1, ~S2) for the rows it derives
    code = models.CharField(max_length=80, unique=True)
    cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="entries")
    scheme = models.ForeignKey("schemes.Scheme", on_delete=models.PROTECT, related_name="entries")
    rule = models.ForeignKey("schemes.Rule", on_delete=models.PROTECT, related_name="entries")
    occurred_on = models.DateField()
    period = models.CharField(max_length=10, help_text="the scoring period containing occurred_on, e.g. 2026Q3")
    quantity = models.DecimalField(max_digits=12, decimal_places=4, default=1)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.PENDING)
    kind = models.CharField(max_length=10, choices=EntryKind.choices, default=EntryKind.NORMAL)
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals")
    # an adjustment (更正调整) in an open quarter corrects ``adjusts``, an entry of a final quarter;
    # ``sign`` −1 takes points away (amount = −points × quantity), +1 grants them
    adjusts = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments")
    sign = models.SmallIntegerField(default=1)
    posted = models.BooleanField(default=False)
    rule_version = models.PositiveIntegerField(null=True, blank=True)
    points = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    veto = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_label = models.CharField(max_length=150, blank=True)
    recorded_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_label = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="entry_quantity_positive"),
            models.CheckConstraint(
                condition=Q(posted=False) | (Q(amount__isnull=False) & Q(points__isnull=False)),
                name="entry_posted_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["normal", "adjustment"]) | Q(reverses__isnull=False),
                name="entry_reversal_names_original",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | Q(adjusts__isnull=False), name="entry_adjustment_names_original"
            ),
            models.CheckConstraint(
                condition=Q(sign=1) | (Q(sign=-1) & Q(kind="adjustment")), name="entry_sign_only_for_adjustment"
            ),
        ]
        indexes = [
            models.Index(fields=["scheme", "period", "cadre"]),
            models.Index(fields=["cadre", "period"]),
            models.Index(fields=["status", "recorded_at"]),
        ]
        verbose_name = pgettext_lazy("model", "工分记录")
        verbose_name_plural = pgettext_lazy("model plural", "工分记录")

    def __str__(self) -> str:
        return f"{self.code} {self.cadre_id} {self.rule_id} {self.occurred_on} ×{self.quantity} [{self.status}]"


class EntryEvent(AppendOnlyModel):
    """Something that happened to an entry (申报/提交/通过/退回/撤销/重算), in order; never changed."""

    class Action(models.TextChoices):
        DECLARE = "declare", _("填报")
        SUBMIT = "submit", _("提交")
        APPROVE = "approve", _("通过")
        REJECT = "reject", _("退回")
        REVOKE = "revoke", _("撤销")
        RESCORE = "rescore", _("重算")
        IMPORT = "import", _("导入")
        WITHDRAW = "withdraw", _("撤回")
        EDIT = "edit", _("修改")
        DELETE = "delete", _("删除")

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=150, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = pgettext_lazy("model", "记录事件")
        verbose_name_plural = pgettext_lazy("model plural", "记录事件")


class RuleTotal(models.Model):
    """The maintained total of one rule for one cadre, scheme and period (工分小计).

    ``amount`` = Σ amount and ``count`` = number of posted entries (reversals
    count −1), over posted entries; ``quantity`` = Σ quantity, the measure m of
    a ``ratio_to_best``, ``bands`` or ``by_rank`` leaf (scoring-v2 §5; reversals
    and adjustments taking points away count −quantity). ``period`` is a period
    code of the scheme's kind (``2026M07``, ``2026Q3``, ``2026H2``, ``2026Y``). Kept in the same transaction as every
    change to the ledger; rankings read these, never the ledger.
    """

    cadre = models.ForeignKey("org.Cadre", on_delete=models.CASCADE, related_name="+")
    scheme = models.ForeignKey("schemes.Scheme", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey("schemes.Rule", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    amount = models.DecimalField(max_digits=24, decimal_places=4, default=0)
    count = models.IntegerField(default=0)
    quantity = models.DecimalField(max_digits=24, decimal_places=4, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period", "cadre", "rule"], name="rule_total_unique"),
        ]
        verbose_name = pgettext_lazy("model", "工分小计")
        verbose_name_plural = pgettext_lazy("model plural", "工分小计")

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.scheme_id} {self.rule_id} {self.period}: {self.amount} ({self.count})"


class Evidence(models.Model):
    """A file backing an entry (佐证材料): a PDF or an image, stored under a random name, never executed."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="evidence")
    token = models.CharField(max_length=64, unique=True, help_text="random; the stored file's name and the URL key")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "佐证材料")
        verbose_name_plural = pgettext_lazy("model plural", "佐证材料")

    def __str__(self) -> str:
        return f"{self.entry_id} {self.original_name}"
