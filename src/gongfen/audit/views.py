"""审计查询: administrators search the audit trail of their scope, and export it to Excel."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from gongfen.accounts.permissions import administrators_only
from gongfen.outputs.xlsx import Column, Sheet, xlsx_response

from .forms import AuditFilterForm
from .selectors import audit_diff, audit_search

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # an Excel sheet of the whole trail; narrow the filters for more


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = audit_search(request.user, **{k: v for k, v in filters.items() if v})
    return form, rows


@administrators_only
def audit_list(request):
    form, rows = _filtered(request)
    page = Paginator(rows.select_related(None), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    events = [(event, audit_diff(event)) for event in page.object_list]
    context = {"form": form, "page": page, "events": events, "query": query.urlencode()}
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "audit/_results.html" if partial else "audit/list.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


@administrators_only
def audit_export(request):
    _form, rows = _filtered(request)
    values = rows.values_list(
        "at", "actor_label", "action", "object_type", "object_id", "summary", "reason", "ip", "before", "after"
    )[:EXPORT_LIMIT]
    data = [(*row[:8], _json(row[8]), _json(row[9])) for row in values]
    now = timezone.localtime()
    notes = [_("仅导出前 %(n)s 条，请缩小筛选范围") % {"n": EXPORT_LIMIT}] if len(data) == EXPORT_LIMIT else []
    sheet = Sheet(
        title=_("审计记录"),
        caption=_("审计记录（导出于 %(at)s，共 %(n)s 条）") % {"at": f"{now:%Y-%m-%d %H:%M}", "n": len(data)},
        columns=[
            Column(_("时间"), 20, "yyyy-mm-dd hh:mm:ss"),
            Column(_("操作人"), 16),
            Column(_("动作"), 20),
            Column(_("对象类型"), 22),
            Column(_("对象编号"), 18),
            Column(_("摘要"), 40),
            Column(_("理由"), 30),
            Column(_("IP 地址"), 16),
            Column(_("变更前"), 50),
            Column(_("变更后"), 50),
        ],
        rows=data,
        notes=notes,
    )
    return xlsx_response(f"审计记录-{now:%Y%m%d-%H%M}.xlsx", [sheet])
