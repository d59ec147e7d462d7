"""What every page needs to draw its navigation: which sections the user may open.

Labels are only marked (``gettext_noop``): base.html translates them as it draws them.
"""

from django.utils.translation import gettext_noop

from gongfen.accounts.models import RoleKind
from gongfen.accounts.permissions import principal


def navigation(request):
    p = principal(getattr(request, "user", None))
    items = []
    if p.user_id is not None:
        items.append(("dashboard", gettext_noop("首页")))
        if p.cadre_id:
            items += [
                ("ledger:mine", gettext_noop("我的工分")),
                ("ledger:declare", gettext_noop("申报")),
                ("ledger:declarations", gettext_noop("我的申报")),
            ]
        elif p.has(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN, RoleKind.TASK_FORCE_LEAD):
            items.append(("ledger:declare", gettext_noop("录入")))
        if p.has(RoleKind.ORG_ADMIN, RoleKind.REVIEWER):
            items.append(("ledger:review", gettext_noop("待审核")))
        if p.has(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN, RoleKind.REVIEWER):
            items.append(("rankings:boards", gettext_noop("排名")))
        if p.has(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN):
            items += [("schemes:list", gettext_noop("考核方案")), ("org:people", gettext_noop("人员与岗位"))]
        # anyone may be named a voter (a leader, a colleague); knowing who is would cost a query on every page
        items.append(("evaluations:list", gettext_noop("评价")))
    return {"nav_items": items, "principal": p}
