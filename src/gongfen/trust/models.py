"""The tamper-evident log (防篡改日志): an append-only Merkle tree (RFC 9162) over ledger events and snapshots."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongfen.common import AppendOnlyModel

# SHA-256 of nothing: the root of the empty tree (merkle.EMPTY_ROOT), spelled out for the migration
EMPTY_ROOT_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


class LeafKind(models.TextChoices):
    ENTRY_EVENT = "entry_event", _("工分记录事件")
    SNAPSHOT = "snapshot", _("公示快照")


class LogHead(models.Model):
    """The current tree head of the log (树头): its size and root, and the frontier to append to; one row.

    Every append locks this row (``select_for_update``) for the rest of its transaction, so leaf
    indexes are handed out one writer at a time, gapless and in commit order. ``frontier`` holds the
    roots (hex) of the perfect subtrees the tree is made of, so an append costs O(log n).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    root = models.CharField(max_length=64, default=EMPTY_ROOT_HEX)
    frontier = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="log_head_single_row"),
            models.CheckConstraint(condition=Q(size__gte=0), name="log_head_size_nonnegative"),
        ]
        verbose_name = pgettext_lazy("model", "日志树头")
        verbose_name_plural = pgettext_lazy("model plural", "日志树头")

    def __str__(self) -> str:
        return f"{self.size}:{self.root}"


class LogLeaf(AppendOnlyModel):
    """One leaf of the log (日志叶子): leaf ``index`` is the hash of a ledger event or of a published snapshot.

    The data behind the hash is recomputed from the stored rows (``gongfen.trust.leaves``), so
    ``gongfen verify`` finds any row changed behind the product's back. Never changed or removed.
    """

    index = models.BigIntegerField(unique=True)
    kind = models.CharField(max_length=12, choices=LeafKind.choices)
    event = models.OneToOneField(
        "ledger.EntryEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="log_leaf"
    )
    snapshot = models.OneToOneField(
        "publication.Snapshot", null=True, blank=True, on_delete=models.PROTECT, related_name="log_leaf"
    )
    hash = models.CharField(max_length=64, help_text="the leaf hash SHA-256(0x00 || data), hex")

    class Meta:
        ordering = ["index"]
        constraints = [
            models.CheckConstraint(condition=Q(index__gte=0), name="log_leaf_index_nonnegative"),
            models.CheckConstraint(
                condition=(Q(kind="entry_event") & Q(event__isnull=False) & Q(snapshot__isnull=True))
                | (Q(kind="snapshot") & Q(snapshot__isnull=False) & Q(event__isnull=True)),
                name="log_leaf_names_its_row",
            ),
        ]
        verbose_name = pgettext_lazy("model", "日志叶子")
        verbose_name_plural = pgettext_lazy("model plural", "日志叶子")

    def __str__(self) -> str:
        return f"{self.index} {self.kind} {self.hash[:12]}"
