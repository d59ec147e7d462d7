"""The printable notice (web page and PDF), the Excel exports and the charts.

Who sees what (all else answers 404, anonymous users go to the login page):
- a published quarter (its notice, snapshot JSON, snapshot export, distribution):
  whoever ``can_see_publication`` allows;
- the live board (export, distribution, and the notice as a marked 未公示 preview
  before publication): administrators and reviewers in scope (``groups_for``);
- a cadre's ledger export: whoever may see the cadre (``cadres_for``), with the
  entries they may see (``entries_for``);
- a cadre's rank across quarters: the cadre, and whoever sees the group's board;
- the county comparison of units: 组织部.
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from gongfen.accounts.permissions import (
    cadres_for,
    can_see_publication,
    groups_for,
    principal,
)
from gongfen.common import DomainError, absolute_url
from gongfen.dbrouting import replica_reads
from gongfen.evaluations.qr import qr_svg
from gongfen.org.models import Cadre
from gongfen.publication.services import canonical_json
from gongfen.publication.views import refuses_tampered_snapshots
from gongfen.rankings.page_selectors import exact
from gongfen.rankings.selectors import group_period, groups_queryset
from gongfen.schemes.models import RankingGroup

from . import charts, exports, selectors
from .pdf import pdf_response
from .xlsx import xlsx_response

SVG = "image/svg+xml"
PERIOD = re.compile(r"^[0-9]{4}Q[1-4]$")


def _group(code: str, period: str):
    """The group and its quarter; a period its scheme does not have is not found."""
    group = get_object_or_404(groups_queryset(), code=code)
    try:
        return group, group_period(group, period)
    except DomainError as error:
        raise Http404(error.message) from None


def _sees_board(user, group: RankingGroup) -> bool:
    return groups_for(user).filter(pk=group.pk).exists()


def _version(request) -> int | None:
    value = request.GET.get("v")
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1:
        raise Http404("no such version")
    return int(value)


def _snapshot_or_preview(request, group: RankingGroup, period: str):
    """The snapshot to show (a given ``?v=`` or the latest), or None for an administrator's preview."""
    if not can_see_publication(request.user, group, period):
        raise Http404("not in the publication's scope")
    version = _version(request)
    snapshot = selectors.snapshot_version(group, period, version)
    if snapshot is None and (version is not None or not _sees_board(request.user, group)):
        raise Http404("not published")
    return snapshot


def _board(request, group: RankingGroup, period: str) -> selectors.BoardData:
    """``?source=snapshot`` (the published version), ``live`` (provisional), or by default the snapshot when there is one."""
    source = request.GET.get("source", "")
    if source not in ("", "snapshot", "live"):
        raise Http404("unknown source")
    if source != "live" and can_see_publication(request.user, group, period):
        snapshot = selectors.snapshot_version(group, period, _version(request))
        if snapshot is not None:
            return selectors.snapshot_board(group, snapshot)
    if source == "snapshot" or not _sees_board(request.user, group):
        raise Http404("no board in scope")
    return selectors.live_board(group, period)


def _notice_context(request, group: RankingGroup, period: str) -> dict:
    notice = selectors.notice(group, period, _snapshot_or_preview(request, group, period))
    query = f"?v={notice.snapshot.version}" if notice.snapshot else ""
    scheme = group.scheme
    # the objection page as an address that works from paper: GONGFEN_BASE_URL, or the request's host
    object_url = absolute_url(request, reverse("publication:object", args=[group.code, period]))
    urls = {
        "pdf": reverse("outputs:notice_pdf", args=[group.code, period]) + query,
        "xlsx": reverse("outputs:board_xlsx", args=[group.code, period])
        + (f"?source=snapshot&v={notice.snapshot.version}" if notice.snapshot else "?source=live"),
        "json": reverse("outputs:snapshot_json", args=[group.code, period]) + query,
        "board": reverse("rankings:board", args=[group.code, period]) if _sees_board(request.user, group) else "",
    }
    return {
        "notice": notice,
        "quarter": selectors.quarter_label(notice.board.period),
        "weights": (exact(scheme.weight_quantitative), exact(scheme.weight_qualitative)),
        "urls": urls,
        "object_url": object_url,
        "object_qr": qr_svg(object_url, scale=2),
    }


@login_required
@replica_reads  # read-only: served by the read replica when there is one
@refuses_tampered_snapshots
def notice(request, group: str, period: str):
    the_group, _ = _group(group, period)
    return render(request, "outputs/notice.html", _notice_context(request, the_group, period))


@login_required
@replica_reads
@refuses_tampered_snapshots
def notice_pdf(request, group: str, period: str):
    the_group, _ = _group(group, period)
    context = _notice_context(request, the_group, period)
    snapshot = context["notice"].snapshot
    suffix = f"第{snapshot.version}版" if snapshot else "预览"
    return pdf_response(request, "outputs/notice.html", context, f"{context['notice'].title}-{suffix}.pdf")


@login_required
@refuses_tampered_snapshots
def snapshot_json(request, group: str, period: str):
    """The snapshot's data as canonical JSON: its SHA-256 is the fingerprint printed on the notice."""
    the_group, _ = _group(group, period)
    snapshot = _snapshot_or_preview(request, the_group, period)
    if snapshot is None:
        raise Http404("not published")
    response = HttpResponse(canonical_json(snapshot.data).encode("utf-8"), content_type="application/json")
    name = f"{the_group.code}-{period}-v{snapshot.version}.json"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@refuses_tampered_snapshots
def board_xlsx(request, group: str, period: str):
    the_group, _ = _group(group, period)
    board = _board(request, the_group, period)
    label = f"第{board.snapshot.version}版" if board.snapshot else "临时排名"
    return xlsx_response(f"{the_group.name}-{period}-{label}.xlsx", exports.board_sheets(board))


@login_required
def ledger_xlsx(request, cadre: str):
    the_cadre = get_object_or_404(cadres_for(request.user), code=cadre)
    period = request.GET.get("period") or None
    if period is not None and not PERIOD.match(period):
        raise Http404("bad period")
    entries = selectors.cadre_entries(request.user, the_cadre, period)
    name = f"{the_cadre.name}-工分台账{'-' + period if period else ''}.xlsx"
    return xlsx_response(name, exports.ledger_sheets(the_cadre, entries, period))


def _svg(content: str) -> HttpResponse:
    response = HttpResponse(content, content_type=SVG)
    response["Cache-Control"] = "private, max-age=60"
    return response


@login_required
@refuses_tampered_snapshots
def chart_distribution(request, group: str, period: str):
    the_group, quarter = _group(group, period)
    board = _board(request, the_group, period)
    what = f"第{board.snapshot.version}版" if board.snapshot else "临时排名"
    return _svg(board.distribution_svg(f"{the_group.name} {quarter.code} 综合得分分布（{what}）"))


@login_required
def chart_trend(request, group: str, period: str, cadre: str):
    the_group, quarter = _group(group, period)
    own = principal(request.user).cadre_id
    the_cadre = get_object_or_404(Cadre, code=cadre)
    if the_cadre.pk != own and not _sees_board(request.user, the_group):
        raise Http404("not your rank")
    points = selectors.rank_trend(the_group, the_cadre.code, quarter)
    if all(p.rank is None for p in points):
        raise Http404("never ranked in this group")
    title = f"{the_cadre.name} · {the_group.name} 名次与综合得分"
    return _svg(charts.rank_trend_svg(points, title=title))


@login_required
def chart_units(request, period: str):
    """组织部's comparison of the county's units: how many cadres of each unit's own group fell in each tier."""
    if not principal(request.user).is_org_admin or not PERIOD.match(period):
        raise Http404("for 组织部")
    rows, tiers = selectors.tier_counts_by_unit(request.user, period)
    return _svg(charts.tier_counts_by_unit_svg(rows, tiers))
