"""What every page needs to draw its navigation: which sections the user may open.

Labels are only marked (``gettext_noop``): base.html translates them as it draws them.
"""

from django.utils.translation import gettext_noop

from gongfen.accounts.models import RoleKind
from gongfen.accounts.permissions import principal
from gongfen.notices.selectors import unread_count

DISPLAY_LARGE, DISPLAY_CONTRAST = "gf_large_text", "gf_high_contrast"


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
    tabs = _tabs(p, items) if p.user_id is not None else []
    # a callable: the COUNT runs only when base.html draws the badge (never for an htmx fragment)
    unread = _once(lambda: unread_count(user)) if p.user_id is not None else 0
    return {"nav_items": items, "tab_items": tabs, "principal": p, "unread_notices": unread, **display(request)}


def display(request) -> dict:
    """The reader's display choices (大字模式, 高对比度), kept in a cookie so they hold before signing in too."""
    cookies = getattr(request, "COOKIES", {})
    large, contrast = cookies.get(DISPLAY_LARGE) == "1", cookies.get(DISPLAY_CONTRAST) == "1"
    classes = " ".join(name for name, on in (("large-text", large), ("high-contrast", contrast)) if on)
    return {"display_large": large, "display_contrast": contrast, "display_classes": classes}


def _once(compute):
    """``compute`` run at most once however many times a page asks (the header and the tab bar both draw the badge)."""
    seen: list = []

    def value():
        if not seen:
            seen.append(compute())
        return seen[0]

    return value


def _tabs(p, items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The phone's bottom tab bar: four things of the user's role; everything else is under 更多.

    A cadre has 我的工分, 申报, 公示 and 消息; a reviewer puts 待审核 in place of 公示;
    an administrator without a cadre has 首页, 待审核 or 排名, 人员 and 消息.
    """
    names = {name for name, _label in items}
    inbox = ("notices:inbox", gettext_noop("消息"))
    if p.cadre_id:
        third = ("ledger:review", gettext_noop("待审核")) if "ledger:review" in names else None
        third = third or ("publication:list", gettext_noop("公示"))
        return [("ledger:mine", gettext_noop("我的工分")), ("ledger:declare", gettext_noop("申报")), third, inbox]
    tabs = [("dashboard", gettext_noop("首页"))]
    for name, label in (
        ("ledger:review", gettext_noop("待审核")),
        ("rankings:boards", gettext_noop("排名")),
        ("org:people", gettext_noop("人员")),
        ("publication:list", gettext_noop("公示")),
    ):
        if name in names and len(tabs) < 3:
            tabs.append((name, label))
    return [*tabs, inbox]
