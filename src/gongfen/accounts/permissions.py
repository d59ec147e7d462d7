"""Who may do what, in one place.

Every selector that reads for a user starts from one of the ``*_for``
querysets here, so a view cannot forget a scope. Out of scope means the
object does not exist for that user (404); in scope but not allowed (four
eyes: your own entry, an entry you recorded) is a refusal with a reason (403).

Scopes:
- 组织部 administrator: everything under the unit of the role (the county);
- unit administrator: cadres with a post under the unit, the schemes, groups
  and entries of schemes owned by units under it; records entries;
- reviewer (分管领导): the entries of schemes owned by units under the unit, to review;
- task-force lead: the members of the task force; records special-task (专项) entries for them;
- cadre: their own ledger and declarations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from gongfen.ledger.models import Entry
from gongfen.org.models import Cadre, Unit
from gongfen.schemes.models import Category, RankingGroup, Rule, Scheme

from .models import RoleKind


class Action(StrEnum):
    VIEW = "view"
    DECLARE = "declare"
    REVIEW = "review"
    ADMINISTER = "administer"


VIEWERS = (RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN, RoleKind.REVIEWER)
RECORDERS = (RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN)
REVIEWERS = (RoleKind.ORG_ADMIN, RoleKind.REVIEWER)
ADMINS = (RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN)


@dataclass(frozen=True)
class Principal:
    """A user's roles as (kind, unit path) pairs, read once per request."""

    user_id: int | None
    cadre_id: int | None
    roles: tuple[tuple[str, str], ...]

    def paths(self, *kinds: str) -> list[str]:
        return sorted({path for kind, path in self.roles if kind in kinds})

    def has(self, *kinds: str) -> bool:
        return any(kind in kinds for kind, _ in self.roles)

    @property
    def is_org_admin(self) -> bool:
        return self.has(RoleKind.ORG_ADMIN)


ANONYMOUS = Principal(None, None, ())


def principal(user) -> Principal:
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_gongfen_principal", None)
    if cached is None:
        roles = tuple(user.roles.values_list("kind", "unit__path"))
        cached = Principal(user.pk, user.cadre_id, roles)
        user._gongfen_principal = cached
    return cached


def _under(field: str, paths: list[str]) -> Q:
    """Rows whose unit (reached by ``field``, a path lookup) lies under one of ``paths``; nothing for no path."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def _active_posts(on: date | None = None) -> Q:
    """Posts that count for scope: held at some time in the current (or given) year."""
    day = on or timezone.localdate()
    return Q(posts__end__isnull=True) | Q(posts__end__gte=date(day.year, 1, 1))


def cadres_for(user, action: Action = Action.VIEW) -> QuerySet[Cadre]:
    p = principal(user)
    if p.user_id is None:
        return Cadre.objects.none()
    kinds = {Action.VIEW: VIEWERS, Action.DECLARE: RECORDERS, Action.ADMINISTER: ADMINS}.get(action, ())
    units = _under("posts__unit__path", p.paths(*kinds)) & _active_posts()
    if action in (Action.VIEW, Action.DECLARE):
        units |= _under("posts__unit__path", p.paths(RoleKind.TASK_FORCE_LEAD)) & _active_posts()
    own = Q(pk=p.cadre_id) if p.cadre_id and action in (Action.VIEW, Action.DECLARE) else Q(pk__in=[])
    ids = Cadre.objects.filter(units).values("pk")
    return Cadre.objects.filter(own | Q(pk__in=ids))


def entries_for(user, action: Action = Action.VIEW) -> QuerySet[Entry]:
    p = principal(user)
    if p.user_id is None:
        return Entry.objects.none()
    if action == Action.REVIEW:
        return Entry.objects.filter(_under("scheme__unit__path", p.paths(*REVIEWERS)))
    q = _under("scheme__unit__path", p.paths(*VIEWERS)) | Q(recorded_by_id=p.user_id)
    if p.cadre_id:
        q |= Q(cadre_id=p.cadre_id)
    return Entry.objects.filter(q)


def schemes_for(user, action: Action = Action.VIEW) -> QuerySet[Scheme]:
    p = principal(user)
    kinds = ADMINS if action == Action.ADMINISTER else VIEWERS
    return Scheme.objects.filter(_under("unit__path", p.paths(*kinds)))


def groups_for(user, action: Action = Action.VIEW) -> QuerySet[RankingGroup]:
    """Groups whose provisional board the user may see (administrators and reviewers in scope)."""
    p = principal(user)
    kinds = ADMINS if action == Action.ADMINISTER else VIEWERS
    return RankingGroup.objects.filter(_under("scheme__unit__path", p.paths(*kinds)))


def can_see_publication(user, group: RankingGroup, period: str) -> bool:
    """Whether ``user`` may see the ranking of ``group`` in ``period``.

    Administrators and reviewers in scope always may (the provisional board
    before publication, too). Anyone else only once it is published or final,
    and only within the group's publication scope (公示范围):
    ``group`` — the cadres ranked or counted in the group that quarter;
    ``unit`` — cadres with a post in a unit (or below) where a member held a post;
    ``county`` — every cadre of the county the scheme belongs to;
    ``units`` — cadres with a post under one of the named units.
    """
    from gongfen.org.models import Post
    from gongfen.publication.models import GroupPeriod, PeriodState
    from gongfen.publication.selectors import group_member_ids
    from gongfen.rankings.selectors import group_period

    p = principal(user)
    if p.user_id is None:
        return False
    if groups_for(user).filter(pk=group.pk).exists():
        return True
    if p.cadre_id is None:
        return False
    published = GroupPeriod.objects.filter(
        group=group, period=period, state__in=[PeriodState.PUBLISHED, PeriodState.FINAL]
    ).exists()
    if not published:
        return False
    quarter = group_period(group, period)
    held = Post.objects.filter(cadre_id=p.cadre_id).filter(
        Q(start__lte=quarter.end) & (Q(end__isnull=True) | Q(end__gte=quarter.start)) | Q(end__isnull=True)
    )
    scope = group.publish_scope
    if scope == "group":
        return group_member_ids(group, period).filter(cadre_id=p.cadre_id).exists()
    if scope == "county":
        root = group.scheme.unit.path.split("/")[0] + "/"
        return held.filter(unit__path__startswith=root).exists()
    if scope == "units":
        paths = list(group.publish_units.values_list("path", flat=True))
    else:  # unit: the units where members held a post that quarter
        member_posts = Post.objects.filter(
            cadre_id__in=group_member_ids(group, period),
            start__lte=quarter.end,
        ).filter(Q(end__isnull=True) | Q(end__gte=quarter.start))
        if group.select_unit_id:
            member_posts = member_posts.filter(unit__path__startswith=group.select_unit.path)
        paths = list(member_posts.values_list("unit__path", flat=True).distinct())
    return held.filter(_under("unit__path", paths)).exists()


def units_for(user, action: Action = Action.VIEW) -> QuerySet[Unit]:
    p = principal(user)
    kinds = ADMINS if action == Action.ADMINISTER else VIEWERS
    return Unit.objects.filter(_under("path", p.paths(*kinds)))


def declarable_rules(user, cadre: Cadre, schemes: QuerySet[Scheme] | list[Scheme]) -> QuerySet[Rule]:
    """Rules ``user`` may declare for ``cadre`` among the schemes that apply to the cadre.

    The cadre and administrators in scope: every non-base rule; a task-force
    lead (only): the special-task (专项) rules.
    """
    p = principal(user)
    rules = Rule.objects.filter(scheme__in=schemes).exclude(category=Category.BASE)
    if p.cadre_id == cadre.pk or _holds_post_under(cadre, p.paths(*RECORDERS)):
        return rules
    if _holds_post_under(cadre, p.paths(RoleKind.TASK_FORCE_LEAD)):
        return rules.filter(category=Category.SPECIAL)
    return rules.none()


def _holds_post_under(cadre: Cadre, paths: list[str]) -> bool:
    return (
        bool(paths)
        and Cadre.objects.filter(Q(pk=cadre.pk) & _under("posts__unit__path", paths) & _active_posts()).exists()
    )


def may_approve_directly(user, scheme_codes: set[str]) -> bool:
    """Whether an import by ``user`` may record entries of these schemes as already approved (直接通过).

    ``None`` is the command line, trusted like the bundle loader; a user must be the 组织部
    administrator or a reviewer whose scope holds every one of the schemes.
    """
    if user is None:
        return True
    p = principal(user)
    if p.is_org_admin:
        return True
    paths = p.paths(RoleKind.REVIEWER)
    inside = Scheme.objects.filter(code__in=scheme_codes).filter(_under("unit__path", paths)).count()
    return bool(paths) and inside == len(scheme_codes)


def may_import(user) -> bool:
    """Whether ``user`` may open the spreadsheet import pages (组织部 and unit administrators)."""
    return principal(user).has(*ADMINS)


def import_jobs_for(user):
    """A user's own import jobs: an uploaded file is its uploader's alone (anyone else's answers 404)."""
    from gongfen.interchange.models import ImportJob

    p = principal(user)
    if p.user_id is None or not p.has(*ADMINS):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(user_id=p.user_id)


class ImportScope:
    """What a spreadsheet import by ``user`` may touch (``None``: the command line, trusted like ``gongfen load``).

    组织部: everything. A unit administrator: units under their unit (a new unit under one of them; a unit they
    administer keeps its parent or moves under another of theirs); cadres whose every post lies under their unit,
    posts in those units; schemes owned by units under theirs (their rules and ranking groups); entries of cadres
    they administer or review (a post there this year, as :func:`cadres_for`); ballots of their schemes and cadres.
    Anything else in a file is an error at its row, never skipped silently.
    """

    def __init__(self, user) -> None:
        p = principal(user) if user is not None else None
        self.everything = p is None or p.is_org_admin
        self.paths = [] if p is None else p.paths(*ADMINS)
        self.user = user
        self._units: dict[str, tuple[str, str | None]] | None = None
        self._cadres: dict[str, bool] = {}
        self._schemes: dict[str, str] | None = None
        self._active: set[str] | None = None
        self.new_units: set[str] = set()
        self.new_schemes: set[str] = set()

    def _inside(self, path: str | None) -> bool:
        return path is not None and any(path.startswith(p) for p in self.paths)

    def units(self) -> dict[str, tuple[str, str | None]]:
        if self._units is None:
            rows = Unit.objects.values_list("code", "path", "parent__code")
            self._units = {code: (path, parent) for code, path, parent in rows}
        return self._units

    def unit(self, code: str | None) -> bool:
        """An existing unit under the user's units, or a new one this file placed there."""
        if self.everything:
            return True
        known = self.units().get(code or "")
        return code in self.new_units if known is None else self._inside(known[0])

    def unit_row(self, code: str, parent: str | None) -> str | None:
        """For a row of the units sheet: the key of the column that is out of scope ("code"/"parent"), or None."""
        if self.everything:
            return None
        known = self.units().get(code)
        if known is not None and not self._inside(known[0]):
            return "code"
        if known is not None and parent == known[1]:
            return None  # their own unit, under the same parent as before
        if not self.unit(parent):
            return "parent"
        if known is None:
            self.new_units.add(code)
        return None

    def cadre_replaceable(self, code: str) -> bool:
        """A cadre whose posts an import may replace: a new one, or one whose every post is in scope."""
        if self.everything:
            return True
        if code not in self._cadres:
            from gongfen.org.models import Post

            paths = Post.objects.filter(cadre__code=code).values_list("unit__path", flat=True)
            exists = Cadre.objects.filter(code=code).exists()
            self._cadres[code] = not exists or all(self._inside(path) for path in paths)
        return self._cadres[code]

    def cadre(self, code: str) -> bool:
        """A cadre the user administers (entries, ballots)."""
        if self.everything:
            return True
        if self._active is None:  # as cadres_for(ADMINISTER), and a reviewer's (who may import with approval)
            paths = principal(self.user).paths(*ADMINS, RoleKind.REVIEWER)
            found = Cadre.objects.filter(_under("posts__unit__path", paths) & _active_posts())
            self._active = set(found.values_list("code", flat=True))
        return code in self._active

    def scheme(self, code: str | None) -> bool:
        """An existing scheme owned under the user's units, or a new one this file placed there."""
        if self.everything:
            return True
        if self._schemes is None:
            self._schemes = dict(Scheme.objects.values_list("code", "unit__path"))
        path = self._schemes.get(code or "")
        return code in self.new_schemes if path is None else self._inside(path)

    def scheme_row(self, code: str, unit: str | None) -> str | None:
        """For a row of the schemes sheet: the out-of-scope column key ("code"/"unit"), or None."""
        if self.everything:
            return None
        if self._schemes is None:
            self.scheme(code)
        if code in (self._schemes or {}) and not self.scheme(code):
            return "code"
        if not self.unit(unit):
            return "unit"
        if code not in (self._schemes or {}):
            self.new_schemes.add(code)
        return None

    def group(self, code: str, scheme: str | None) -> bool:
        """A ranking group of a scheme in scope (an existing group: its current scheme too)."""
        if self.everything:
            return True
        current = RankingGroup.objects.filter(code=code).values_list("scheme__code", flat=True).first()
        return self.scheme(scheme) and (current is None or self.scheme(current))


def review_refusal(user, entry: Entry) -> str | None:
    """Why ``user`` may not decide ``entry`` although it is in their review scope (four eyes), or None."""
    p = principal(user)
    if p.cadre_id is not None and entry.cadre_id == p.cadre_id:
        return gettext("不能审核本人的工分记录")
    if entry.recorded_by_id == p.user_id:
        return gettext("不能审核自己录入的记录")
    return None


def roles_required(*kinds: str):
    """View decorator: logged in and holding one of ``kinds``; anyone else finds nothing here (404)."""
    from functools import wraps

    from django.contrib.auth.decorators import login_required
    from django.http import Http404

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not principal(request.user).has(*kinds):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


administrators_only = roles_required(*ADMINS)


def audit_for(user):
    """Audit rows an administrator may read (see docs/admin-guide.md, "审计").

    组织部: every row. A unit administrator: the rows whose object resolves into
    what they administer — an entry of a scheme (or of a cadre) in scope, a
    scheme or one of its rules, a ranking group (its quarters, overrides,
    evaluation rounds, objections), a cadre, a unit, a user with a cadre or a
    role in scope. Rows about county-wide things (bundles, holidays) are 组织部's.
    """
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from gongfen.accounts.models import User
    from gongfen.audit.models import AuditEvent
    from gongfen.evaluations.models import EvaluationRound
    from gongfen.publication.models import Objection

    p = principal(user)
    if p.is_org_admin:
        return AuditEvent.objects.all()
    if not p.has(RoleKind.UNIT_ADMIN):
        return AuditEvent.objects.none()
    schemes = schemes_for(user, Action.ADMINISTER)
    groups = groups_for(user, Action.ADMINISTER)
    cadres = cadres_for(user, Action.ADMINISTER)
    units = units_for(user, Action.ADMINISTER)
    users = User.objects.filter(Q(cadre__in=cadres) | Q(roles__unit__in=units)).values("username")
    entries = Entry.objects.filter(Q(scheme__in=schemes) | Q(cadre__in=cadres)).values("code")
    as_text = Cast("pk", CharField())
    rounds = EvaluationRound.objects.filter(group__in=groups).annotate(key=as_text).values("key")
    objections = Objection.objects.filter(group__in=groups).annotate(key=as_text).values("key")
    q = (
        Q(object_type="ledger.entry", object_id__in=entries)
        | Q(object_type="schemes.scheme", object_id__in=schemes.values("code"))
        | Q(object_type="schemes.rankinggroup", object_id__in=groups.values("code"))
        | Q(object_type="org.cadre", object_id__in=cadres.values("code"))
        | Q(object_type="org.unit", object_id__in=units.values("code"))
        | Q(object_type="accounts.user", object_id__in=users)
        | Q(object_type="evaluations.evaluationround", object_id__in=rounds)
        | Q(object_type="publication.objection", object_id__in=objections)
    )
    for code in schemes.values_list("code", flat=True):
        q |= Q(object_type="schemes.rule", object_id__startswith=f"{code}/")
    for code in groups.values_list("code", flat=True):
        q |= Q(object_type__in=["schemes.rankinggroup", "publication.actionoverride"], object_id__startswith=f"{code}/")
    return AuditEvent.objects.filter(q)
