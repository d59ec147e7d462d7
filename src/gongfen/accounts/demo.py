"""Logins for the demo county: one user per role, with a printed password (demo only)."""

from __future__ import annotations

from gongfen.common import Actor
from gongfen.org.models import Cadre, Post, Unit

from .models import RoleKind, User
from .services import role_grant, user_create

DEMO_PASSWORD = "gongfen-demo-2026"


def _cadre_with(unit_code: str, position: str | None = None, also_unit: str | None = None) -> Cadre:
    posts = Post.objects.filter(unit__code=unit_code, end__isnull=True)
    if position:
        posts = posts.filter(position=position)
    cadres = Cadre.objects.filter(pk__in=posts.values("cadre_id")).exclude(user__isnull=False).order_by("code")
    if also_unit:
        cadres = cadres.filter(posts__unit__path__startswith=Unit.objects.get(code=also_unit).path).distinct()
    return cadres.first()


def demo_users() -> list[tuple[str, str, str]]:
    """Create (once) the demo logins; returns (role, username, password) rows."""
    actor = Actor.system()
    county, town, force = (Unit.objects.get(code=c) for c in ("KH", "KH-QX", "KH-SK"))
    plan = [
        ("组织部管理员", "zzb", _cadre_with("KH-ZZB"), [(RoleKind.ORG_ADMIN, county)]),
        (
            "齐溪镇单位管理员",
            "qx-admin",
            _cadre_with("KH-QX-DZ") or _cadre_with("KH-QX", "中层干部"),
            [(RoleKind.UNIT_ADMIN, town)],
        ),
        ("齐溪镇分管领导（审核）", "qx-leader", _cadre_with("KH-QX", "党委书记"), [(RoleKind.REVIEWER, town)]),
        (
            "水库征迁专班负责人",
            "sk-lead",
            _cadre_with("KH-SK-LL3", "组长") or _cadre_with("KH-SK"),
            [(RoleKind.TASK_FORCE_LEAD, force)],
        ),
        (
            "齐溪镇干部",
            "qx-cadre",
            _cadre_with("KH-QX-WL", "一般干部", also_unit="KH-SK") or _cadre_with("KH-QX", "一般干部"),
            [],
        ),
    ]
    rows = []
    for label, username, cadre, roles in plan:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(actor=actor, username=username, password=DEMO_PASSWORD, cadre=cadre)
        for kind, unit in roles:
            role_grant(actor=actor, user=user, kind=kind, unit=unit, reason="演示账号")
        rows.append((label, username, DEMO_PASSWORD))
    return rows
