"""The provisional ranking boards (排名) for administrators and reviewers in scope, and the quarter's lifecycle.

A board is visible only through ``groups_for``: a group out of the user's
scope, an unknown group, a period the scheme does not have and a cadre not on
the board all answer 404. The lifecycle moves (关账, 公示, 重新公示, 定稿) are
POSTs of the group's administrators; a reviewer in scope is refused (403), an
illegal move shows the service's message and changes nothing (400).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from gongfen.accounts.permissions import VIEWERS, principal
from gongfen.common import Actor, DomainError
from gongfen.publication import services as publication

from . import lifecycle, page_selectors
from .forms import MOVE_FORMS, BoardFilter, BoardsFilter


def _board_viewer(request) -> None:
    """Boards are for administrators and reviewers; a cadre sees their rank on their own ledger page."""
    if not principal(request.user).has(*VIEWERS):
        raise Http404("no board in scope")


def _fragment(request) -> bool:
    """An htmx request for part of the page (not htmx restoring a page from its history)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _bad_period(request, group, error: DomainError):
    context = {"group": group, "message": error.message, "periods": page_selectors.periods_of(group.scheme)}
    return render(request, "rankings/bad_period.html", context, status=404)


@login_required
def boards(request):
    _board_viewer(request)
    form = BoardsFilter(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {"form": form, "schemes": page_selectors.boards(request.user, query)}
    template = "rankings/_boards_list.html" if _fragment(request) else "rankings/boards.html"
    return render(request, template, context)


@login_required
def board(request, group: str, period: str):
    _board_viewer(request)
    the_group = get_object_or_404(page_selectors.scoped_groups(request.user), code=group)
    return _board_page(request, the_group, period, fragment=_fragment(request))


def _board_page(request, group, period: str, *, fragment: bool = False, error: str = "", status: int = 200):
    try:
        the_board = page_selectors.board(group, period)
    except DomainError as exc:
        return _bad_period(request, group, exc)
    form = BoardFilter(request.GET or None, tiers=[t.name for t in the_board.scheme.tiers])
    query, tier = form.criteria()
    lines = page_selectors.filter_lines(the_board.lines, query, tier)
    context = {"board": the_board, "form": form, "lines": lines, "filtered": bool(query) or tier is not None}
    if fragment:
        return render(request, "rankings/_board_rows.html", context)
    context |= {"life": lifecycle.lifecycle(request.user, group, period), "move_error": error}
    return render(request, "rankings/board.html", context, status=status)


# --- the quarter's lifecycle ------------------------------------------------------

MOVE_DONE = {
    "close": gettext_lazy("已关账：该季度不再接受申报，待审核记录处理完毕后即可公示"),
    "publish": gettext_lazy("已公示：异议期开始"),
    "republish": gettext_lazy("已重新公示：新版本已生成，异议期重新计算"),
    "finalize": gettext_lazy("已定稿：该季度不再更改"),
}


def _move(actor: Actor, move: str, group, period: str, data: dict) -> None:
    if move == "close":
        publication.period_close(actor=actor, group=group, period=period, reason=data.get("reason", ""))
    elif move == "publish":
        publication.period_publish(actor=actor, group=group, period=period, window_days=data.get("window_days"))
    elif move == "republish":
        publication.period_republish(
            actor=actor, group=group, period=period, reason=data["reason"], window_days=data.get("window_days")
        )
    else:
        publication.period_finalize(actor=actor, group=group, period=period)


def _form_error(form) -> str:
    return "；".join(
        f"{form.fields[f].label}：{' '.join(e)}" if f in form.fields else " ".join(e) for f, e in form.errors.items()
    )


@login_required
@require_POST
def move(request, group: str, period: str, move: str):
    """One lifecycle move of a group's quarter (close, publish, republish, finalize)."""
    _board_viewer(request)
    the_group = get_object_or_404(page_selectors.scoped_groups(request.user), code=group)
    if not lifecycle.can_administer(request.user, the_group):
        reason = _("只有本单位管理员或组织部可以关账、公示和定稿")
        return render(request, "rankings/refused.html", {"reason": reason}, status=403)
    form = MOVE_FORMS[move](request.POST)
    error = "" if form.is_valid() else _form_error(form)
    if not error:
        try:
            _move(Actor(request.user), move, the_group, period, form.cleaned_data)
        except DomainError as exc:
            error = exc.message
    if error:
        if request.htmx:  # swapped in place (htmx does not swap a 4xx answer)
            life = lifecycle.lifecycle(request.user, the_group, period)
            return render(request, "rankings/_lifecycle.html", {"life": life, "move_error": error})
        return _board_page(request, the_group, period, error=error, status=400)
    messages.success(request, MOVE_DONE[move])
    target = reverse("rankings:board", args=[the_group.code, period])
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


@login_required
def row(request, group: str, period: str, cadre: str):
    _board_viewer(request)
    the_group = get_object_or_404(page_selectors.scoped_groups(request.user), code=group)
    try:
        detail = page_selectors.row_breakdown(request.user, the_group, period, cadre)
    except DomainError as error:
        return _bad_period(request, the_group, error)
    if detail is None:
        raise Http404("cadre not on this board")
    template = "rankings/_row_fragment.html" if _fragment(request) else "rankings/row.html"
    return render(request, template, {"detail": detail, "board": detail.board})
