"""Records from other systems (来源系统) that cadres confirm, and group declarations (集体申报).

A source system proposes records (``Proposal``); the cadre confirms one (it
becomes a pending ledger entry declared by the cadre, with the source as its
evidence) or declines it with a reason. Only this app writes these tables.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Source(models.Model):
    """A system registered by 组织部 to propose records (来源系统): what it may propose, for whom, with which token.

    ``rules`` are the rules it may propose for; ``units`` the units (and everything
    below) whose cadres it may propose for. ``token`` is an API token of the
    owner with the ``intake`` scope only; posting through it acts as this source.
    """

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rules = models.ManyToManyField("schemes.Rule", related_name="+", blank=True)
    units = models.ManyToManyField("org.Unit", related_name="+", blank=True)
    token = models.OneToOneField(
        "api.AccessToken", null=True, blank=True, on_delete=models.PROTECT, related_name="intake_source"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = pgettext_lazy("model", "来源系统")
        verbose_name_plural = pgettext_lazy("model plural", "来源系统")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PersonLink(models.Model):
    """Who a source's person identifier is (人员对应): a 浙政钉 account id or an employee number → a cadre.

    Maintained by unit administrators; a record for an identifier without a
    link is refused and reported, never guessed.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="people")
    identifier = models.CharField(max_length=100)
    cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "identifier"], name="person_link_unique"),
            models.CheckConstraint(condition=~Q(identifier=""), name="person_link_identifier_not_empty"),
        ]
        verbose_name = pgettext_lazy("model", "人员对应")
        verbose_name_plural = pgettext_lazy("model plural", "人员对应")

    def __str__(self) -> str:
        return f"{self.source_id} {self.identifier} → {self.cadre_id}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("有异议")


class Proposal(models.Model):
    """A record a source proposes for a cadre (待确认记录); one per (source, source record id).

    Confirming it declares the ``entry`` (pending review) in the cadre's name;
    declining keeps the reason, which the source's owner sees.
    """

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="proposals")
    source_record_id = models.CharField(max_length=100)
    batch = models.CharField(max_length=40)
    identifier = models.CharField(max_length=100)
    cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey("schemes.Rule", on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField()
    quantity = models.DecimalField(max_digits=12, decimal_places=4)
    description = models.TextField(blank=True)
    evidence_ref = models.CharField(max_length=300, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    received_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decline_reason = models.TextField(blank=True)
    entry = models.OneToOneField(
        "ledger.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="intake_proposal"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_record_id"], name="proposal_unique_per_source"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="proposal_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(entry__isnull=False), name="proposal_confirmed_has_entry"
            ),
        ]
        indexes = [models.Index(fields=["cadre", "status"])]
        verbose_name = pgettext_lazy("model", "待确认记录")
        verbose_name_plural = pgettext_lazy("model plural", "待确认记录")

    def __str__(self) -> str:
        return f"{self.source_id}:{self.source_record_id} {self.cadre_id} [{self.status}]"


class GroupDeclaration(models.Model):
    """One declaration of joint work for several cadres (集体申报): each member gets their own entry."""

    code = models.CharField(max_length=40, unique=True)
    rule = models.ForeignKey("schemes.Rule", on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField()
    quantity = models.DecimalField(max_digits=12, decimal_places=4)
    description = models.TextField()
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField()

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = pgettext_lazy("model", "集体申报")
        verbose_name_plural = pgettext_lazy("model plural", "集体申报")

    def __str__(self) -> str:
        return f"{self.code} {self.rule_id} {self.occurred_on}"


class GroupMember(models.Model):
    """A beneficiary of a group declaration (受益人), with the entry declared for them."""

    declaration = models.ForeignKey(GroupDeclaration, on_delete=models.PROTECT, related_name="members")
    cadre = models.ForeignKey("org.Cadre", on_delete=models.PROTECT, related_name="+")
    entry = models.OneToOneField("ledger.Entry", on_delete=models.PROTECT, related_name="group_member")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["declaration", "cadre"], name="group_member_unique")]
        verbose_name = pgettext_lazy("model", "集体申报受益人")
        verbose_name_plural = pgettext_lazy("model plural", "集体申报受益人")

    def __str__(self) -> str:
        return f"{self.declaration_id} {self.cadre_id}"


class FormTiming(models.Model):
    """How long one declaration took (填报用时): the form opened, the entry submitted. Feeds the burden figure."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entry = models.OneToOneField("ledger.Entry", on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField()
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(submitted_at__gte=models.F("opened_at")), name="form_timing_order")
        ]
        verbose_name = pgettext_lazy("model", "填报用时")
        verbose_name_plural = pgettext_lazy("model plural", "填报用时")

    def __str__(self) -> str:
        return f"{self.entry_id} {self.submitted_at - self.opened_at}"
