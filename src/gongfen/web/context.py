"""What every page needs to draw its navigation: which sections the user may open."""

from gongfen.accounts.models import RoleKind
from gongfen.accounts.permissions import principal


def navigation(request):
    p = principal(getattr(request, "user", None))
    items = []
    if p.user_id is not None:
        items.append(("dashboard", "首页"))
        if p.cadre_id:
            items += [("ledger:mine", "我的工分"), ("ledger:declare", "申报"), ("ledger:declarations", "我的申报")]
        elif p.has(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN, RoleKind.TASK_FORCE_LEAD):
            items.append(("ledger:declare", "录入"))
        if p.has(RoleKind.ORG_ADMIN, RoleKind.REVIEWER):
            items.append(("ledger:review", "待审核"))
        if p.has(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN, RoleKind.REVIEWER):
            items.append(("rankings:boards", "排名"))
        if p.has(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN):
            items += [("schemes:list", "考核方案"), ("org:people", "人员与岗位")]
    return {"nav_items": items, "principal": p}
