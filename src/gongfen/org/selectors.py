"""Reads of people and posts for administrators, always from the scoped querysets of ``accounts.permissions``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongfen.accounts.permissions import Action, cadres_for, schemes_for, units_for
from gongfen.schemes.models import Category, Rule

from .models import Cadre, Post, Unit, UnitKind

CONCURRENT_KINDS = {UnitKind.TASK_FORCE: _("专班"), UnitKind.VILLAGE: _("驻村")}


def _held_on(day: date) -> Q:
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))


def people(user, *, q: str = "", unit: Unit | None = None) -> QuerySet[Cadre]:
    """Cadres the user administers, by code, each with ``current_posts`` (held today, with their unit).

    ``q`` matches a name or code; ``unit`` keeps cadres with a post under that
    unit held this year (or still held).
    """
    cadres = cadres_for(user, Action.ADMINISTER)
    if q:
        cadres = cadres.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if unit is not None:
        year_start = date(timezone.localdate().year, 1, 1)
        posts = Post.objects.filter(unit__path__startswith=unit.path).filter(
            Q(end__isnull=True) | Q(end__gte=year_start)
        )
        cadres = cadres.filter(pk__in=posts.values("cadre_id"))
    current = Post.objects.filter(_held_on(timezone.localdate())).select_related("unit").order_by("start", "id")
    return cadres.order_by("code").prefetch_related(Prefetch("posts", queryset=current, to_attr="current_posts"))


@dataclass(frozen=True)
class PostRow:
    post: Post
    current: bool
    concurrent: str  # "专班" / "驻村": a task force or village post held beside another post (兼任), else ""
    overlaps: bool  # a home post held at the same time as another home post (worth a look)
    may_end: bool  # still held, in a unit the user administers


def cadre_posts(user, cadre: Cadre) -> list[PostRow]:
    """The cadre's posts over time (earliest first), with what the page shows about each."""
    posts = list(cadre.posts.select_related("unit").order_by("start", "id"))
    mine = set(
        units_for(user, Action.ADMINISTER).filter(pk__in={p.unit_id for p in posts}).values_list("pk", flat=True)
    )
    today = timezone.localdate()
    rows = []
    for post in posts:
        beside = [other for other in posts if other is not post and _overlap(post, other)]
        kind = CONCURRENT_KINDS.get(post.unit.kind, "")
        rows.append(
            PostRow(
                post=post,
                current=post.start <= today and (post.end is None or post.end >= today),
                concurrent=kind if beside else "",
                overlaps=not kind and any(other.unit.kind not in CONCURRENT_KINDS for other in beside),
                may_end=post.end is None and post.unit_id in mine,
            )
        )
    return rows


def _overlap(a: Post, b: Post) -> bool:
    return (a.end is None or a.end >= b.start) and (b.end is None or b.end >= a.start)


def position_suggestions(user) -> list[str]:
    """Positions to suggest for a post: those the base rules of the user's schemes name, and those in use in scope."""
    named = Rule.objects.filter(scheme__in=schemes_for(user, Action.ADMINISTER), category=Category.BASE)
    positions = {p for values in named.values_list("positions", flat=True) for p in values or ()}
    used = Post.objects.filter(unit__in=units_for(user, Action.ADMINISTER)).values_list("position", flat=True)
    positions.update(used.distinct())
    return sorted(positions)
