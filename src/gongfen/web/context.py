"""What every page needs to draw its navigation: which sections the user may open.

Labels are only marked (``gettext_noop``): base.html translates them as it draws them.
"""

from django.utils.translation import gettext_noop

from gongfen.accounts.models import RoleKind
from gongfen.accounts.permissions import principal
from gongfen.notices.selectors import unread_count


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
                ("grades:mine", gettext_noop("我的等次")),
                ("intake:pending", gettext_noop("待确认")),
            ]
        elif p.has(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN, RoleKind.TASK_FORCE_LEAD):
            items.append(("ledger:declare", gettext_noop("录入")))
        if p.has(RoleKind.ORG_ADMIN, RoleKind.REVIEWER):
            items.append(("ledger:review", gettext_noop("待审核")))
        if p.has(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN, RoleKind.REVIEWER):
            items.append(("rankings:boards", gettext_noop("排名")))
        if p.has(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN):
            items += [("schemes:list", gettext_noop("考核方案")), ("org:people", gettext_noop("人员与岗位"))]
            items += [("results:index", gettext_noop("评先名单")), ("results:years", gettext_noop("年度总账"))]
            items.append(("grades:index", gettext_noop("考核等次")))
        if p.is_org_admin:
            items.append(("results:county_index", gettext_noop("全县汇总")))
        if p.has(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN, RoleKind.REVIEWER, RoleKind.TASK_FORCE_LEAD):
            items.append(("intake:groups", gettext_noop("集体申报")))
        # anyone may be named a voter (a leader, a colleague); knowing who is would cost a query on every page
        items.append(("evaluations:list", gettext_noop("评价")))
        items.append(("publication:list", gettext_noop("公示")))
        if p.has(RoleKind.ORG_ADMIN, RoleKind.UNIT_ADMIN):
            items.append(("publication:queue", gettext_noop("异议处理")))
            items.append(("audit:list", gettext_noop("审计")))
            items.append(("interchange:index", gettext_noop("表格导入")))
            items.append(("analytics:whatif", gettext_noop("方案试算")))
            items.append(("analytics:fairness", gettext_noop("公平性分析")))
            items.append(("analytics:warnings", gettext_noop("预警")))
            items.append(("intake:sources", gettext_noop("来源系统")))
            items.append(("intake:burden", gettext_noop("填报负担")))
        if p.is_org_admin:
            items.append(("webhooks:endpoints", gettext_noop("Webhook 推送")))
        items.append(("reminders:settings", gettext_noop("提醒设置")))
    user = getattr(request, "user", None)
    # a callable: the COUNT runs only when base.html draws the badge (never for an htmx fragment)
    unread = (lambda: unread_count(user)) if p.user_id is not None else 0
    return {"nav_items": items, "principal": p, "unread_notices": unread}
