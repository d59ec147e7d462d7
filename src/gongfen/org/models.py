from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitKind(models.TextChoices):
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡镇")
    SUBDISTRICT = "subdistrict", _("街道/办事处")
    DEPARTMENT = "department", _("部门")
    OFFICE = "office", _("科室/办公室")
    VILLAGE = "village", _("村")
    TASK_FORCE = "task_force", _("专班/指挥部")


class Unit(models.Model):
    """A unit of the county (单位): county, township, department, office, village or task force.

    Units form a tree. ``path`` is the chain of codes from the root
    (``KH/QX/QX-WL/``), kept by the services so that a subtree is one
    ``path__startswith`` query.
    """

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=1000, db_index=True)

    class Meta:
        ordering = ["path"]
        verbose_name = pgettext_lazy("model", "单位")
        verbose_name_plural = pgettext_lazy("model plural", "单位")

    def __str__(self) -> str:
        return self.name

    @property
    def lineage(self) -> frozenset[str]:
        """This unit's code and all its ancestors' codes."""
        return frozenset(code for code in self.path.split("/") if code)


class Cadre(models.Model):
    """A person being assessed (干部). Names are personal data; codes identify."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = pgettext_lazy("model", "干部")
        verbose_name_plural = pgettext_lazy("model plural", "干部")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Post(models.Model):
    """A post (岗位) a cadre holds in a unit from ``start`` to ``end`` (inclusive; null = still held).

    A cadre may hold several at once: a home post, a task-force membership,
    a village stationing.
    """

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="posts")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="posts")
    position = models.CharField(max_length=50, db_index=True)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["cadre", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="post_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["start", "end"])]
        verbose_name = pgettext_lazy("model", "岗位")
        verbose_name_plural = pgettext_lazy("model plural", "岗位")

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.position} @ {self.unit_id} {self.start}–{self.end or ''}"
