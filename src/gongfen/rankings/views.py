"""The provisional ranking boards (排名) for administrators and reviewers in scope.

Until publication exists, a board is visible only through ``groups_for``: a
group out of the user's scope, an unknown group, a period the scheme does not
have and a cadre not on the board all answer 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from gongfen.accounts.permissions import VIEWERS, principal
from gongfen.common import DomainError

from . import page_selectors
from .forms import BoardFilter, BoardsFilter


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
    try:
        the_board = page_selectors.board(the_group, period)
    except DomainError as error:
        return _bad_period(request, the_group, error)
    form = BoardFilter(request.GET or None, tiers=[t.name for t in the_board.scheme.tiers])
    query, tier = form.criteria()
    lines = page_selectors.filter_lines(the_board.lines, query, tier)
    context = {"board": the_board, "form": form, "lines": lines, "filtered": bool(query) or tier is not None}
    template = "rankings/_board_rows.html" if _fragment(request) else "rankings/board.html"
    return render(request, template, context)


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
