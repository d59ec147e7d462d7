"""The evaluation pages (定性评价): rounds for administrators, the ballot for voters, the public ballot by code.

A round is known by its group and quarter (``/evaluations/QX-ALL/2026Q3/``).
Administrators reach it only through ``groups_for(user, ADMINISTER)`` and a
voter only when named in it: anything else is a 404. Reopening is for 组织部:
another administrator in scope gets a 403 with the reason. No page shows a
grade next to a voter: turnout is counted from who voted, never from votes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongfen.accounts.permissions import ADMINS, administrators_only, principal
from gongfen.common import Actor, DomainError
from gongfen.rankings.selectors import group_period
from gongfen.ratelimit import limit_by_address

from . import qr, selectors, services
from .forms import BallotForm, CodeForm, CodesForm, NewRoundForm, ReopenForm, RoundForm, VotersForm
from .models import EvaluationRound, RoundState, VotingMode


def _refused(request, reason: str):
    return render(request, "evaluations/refused.html", {"reason": reason}, status=403)


def _form_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _group_and_round(request, group: str, period: str):
    """(group, quarter code, round or None) for an administrator in scope; 404 otherwise."""
    the_group = get_object_or_404(selectors.administered_groups(request.user), code=group)
    try:
        code = group_period(the_group, period).code
    except DomainError:
        raise Http404("no such quarter") from None
    return the_group, code, selectors.round_of(the_group, code)


def _round(request, group: str, period: str) -> EvaluationRound:
    _, _, round_ = _group_and_round(request, group, period)
    if round_ is None:
        raise Http404("no round")
    return round_


def _to_round(round_: EvaluationRound):
    return redirect("evaluations:round", round_.group.code, round_.period)


# --- lists ------------------------------------------------------------------------------


@login_required
def rounds(request):
    administers = principal(request.user).has(*ADMINS)
    context = {
        "administers": administers,
        "administered": selectors.administered_rounds(request.user) if administers else [],
        "mine": selectors.voting_rounds(request.user),
        "now": timezone.now(),
    }
    return render(request, "evaluations/rounds.html", context)


@administrators_only
def new(request):
    groups = selectors.administered_groups(request.user)
    years = sorted({g.scheme.year for g in groups})
    periods = [f"{y}Q{q}" for y in years for q in range(1, 5)]
    form = NewRoundForm(request.GET or None, groups=groups, periods=periods)
    if form.is_bound and form.is_valid():
        return redirect("evaluations:edit", form.cleaned_data["group"].code, form.cleaned_data["period"])
    return render(request, "evaluations/new.html", {"form": form, "has_groups": bool(periods)})


# --- one round (administrators) -----------------------------------------------------


@administrators_only
def round_detail(request, group: str, period: str):
    the_group, code, round_ = _group_and_round(request, group, period)
    if round_ is None:
        return render(request, "evaluations/round_missing.html", {"group": the_group, "period": code})
    context = {
        "round": round_,
        "lines": selectors.class_lines(round_),
        "cadre_count": round_.cadres.count(),
        "history": selectors.round_history(round_),
        "may_reopen": principal(request.user).is_org_admin,
        "accepting": selectors.accepting(round_, timezone.now()),
    }
    return render(request, "evaluations/round.html", context)


@administrators_only
def edit(request, group: str, period: str):
    the_group, code, round_ = _group_and_round(request, group, period)
    classes = the_group.scheme.evaluator_classes
    if round_ is not None and round_.state == RoundState.CLOSED:
        return _refused(request, _("评价已结束，不能修改"))
    if request.method == "POST":
        form = RoundForm(request.POST, scheme_classes=classes)
        if form.is_valid() and (saved := _save_round(request, form, the_group, code, round_)) is not None:
            return _to_round(saved)
    else:
        initial = RoundForm.initial_for(round_) if round_ else RoundForm.initial_new(classes, timezone.localtime())
        form = RoundForm(initial=initial, scheme_classes=classes)
    context = {"form": form, "group": the_group, "period": code, "round": round_}
    return render(request, "evaluations/edit.html", context)


def _save_round(request, form: RoundForm, group, period: str, round_: EvaluationRound | None):
    data, actor = form.cleaned_data, Actor(request.user)
    settings = {
        "classes": form.classes(),
        "opens_at": data["opens_at"],
        "closes_at": data["closes_at"],
        "allow_self": data["allow_self"],
    }
    try:
        if round_ is None:
            saved = services.round_create(actor=actor, group=group, period=period, **settings)
            messages.success(request, _("已创建评价轮次；请指定投票人、发放票码，然后开始评价"))
        else:
            saved = services.round_update(actor=actor, round=round_, **settings)
            messages.success(request, _("已保存"))
    except DomainError as exc:
        _form_error(form, exc)
        return None
    return saved


def _act(request, round_: EvaluationRound, service, done: str):
    try:
        service(actor=Actor(request.user), round=round_)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _to_round(round_)


@require_POST
@administrators_only
def open_round(request, group: str, period: str):
    return _act(request, _round(request, group, period), services.round_open, _("评价已开始"))


@require_POST
@administrators_only
def close_round(request, group: str, period: str):
    return _act(request, _round(request, group, period), services.round_close, _("评价已结束，评价票已计入排名"))


@administrators_only
def reopen(request, group: str, period: str):
    round_ = _round(request, group, period)
    if not principal(request.user).is_org_admin:
        return _refused(request, _("只有组织部管理员可以重新开启评价"))
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_reopen(
                actor=Actor(request.user),
                round=round_,
                reason=form.cleaned_data["reason"],
                closes_at=form.cleaned_data["closes_at"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("评价已重新开启；本轮评价票已撤出排名，再次结束时重新计票"))
            return _to_round(round_)
    return render(request, "evaluations/reopen.html", {"round": round_, "form": form})


@administrators_only
def voters(request, group: str, period: str):
    round_ = _round(request, group, period)
    candidates = selectors.voter_candidates(round_)
    by_class = selectors.voters_by_class(round_)
    voted = frozenset(v.user_id for vs in by_class.values() for v in vs if v.voted)
    posted = request.POST.get("class") if request.method == "POST" else None
    forms = []
    for name, current in by_class.items():
        data = request.POST if posted == name else None
        form = VotersForm(
            data, prefix=name, candidates=candidates, voted=voted, initial={"users": [v.user_id for v in current]}
        )
        if data is not None and form.is_valid():
            users = form.cleaned_data["users"]
            try:
                services.voters_set(actor=Actor(request.user), round=round_, evaluator_class=name, users=users)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                label = selectors.class_label(name)
                messages.success(request, _("已保存%(label)s的投票人（%(n)d 人）") % {"label": label, "n": len(users)})
                return redirect("evaluations:voters", round_.group.code, round_.period)
        forms.append((name, selectors.class_label(name), current, form))
    return render(request, "evaluations/voters.html", {"round": round_, "forms": forms})


@never_cache
@administrators_only
def codes(request, group: str, period: str):
    round_ = _round(request, group, period)
    classes = round_.class_names(VotingMode.CODE)
    form = CodesForm(request.POST or None, classes=classes)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.codes_issue(
                actor=Actor(request.user),
                round=round_,
                evaluator_class=form.cleaned_data["evaluator_class"],
                count=form.cleaned_data["count"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            base = request.build_absolute_uri(reverse("evaluations:vote_public"))
            klass = selectors.class_label(form.cleaned_data["evaluator_class"])
            context = {"round": round_, "klass": klass, "base": base}
            context["tickets"] = [qr.ticket(base, code) for code in issued]
            return render(request, "evaluations/codes_sheet.html", context)
    context = {"round": round_, "form": form, "counts": selectors.code_counts(round_)}
    return render(request, "evaluations/codes.html", context)


@administrators_only
def turnout(request, group: str, period: str):
    round_ = _round(request, group, period)
    context = {"round": round_, "lines": selectors.class_lines(round_)}
    fragment = request.htmx and not request.htmx.history_restore_request
    return render(request, "evaluations/_turnout.html" if fragment else "evaluations/turnout.html", context)


# --- voting -----------------------------------------------------------------------------


@never_cache
@login_required
def vote(request, group: str, period: str):
    round_ = get_object_or_404(selectors.voting_rounds(request.user), group__code=group, period=period)
    voter = selectors.voter_of(round_, request.user)
    cadres = selectors.candidates(round_, request.user)
    grades = [g["name"] for g in round_.group.scheme.grades]
    context = {"round": round_, "klass": selectors.class_label(voter.evaluator_class), "voted": round_.voted}
    context["now"] = timezone.now()
    context["accepting"] = selectors.accepting(round_, context["now"])
    if round_.voted or not context["accepting"]:
        return render(request, "evaluations/vote.html", context)
    if request.method == "POST":
        form = BallotForm(request.POST, cadres=cadres, grades=grades)
        if form.is_valid() and _cast(request, form, round_):
            return redirect("evaluations:vote", group, period)
    else:
        draft = getattr(voter, "draft", None)
        initial = {f"c_{code}": grade for code, grade in (draft.grades if draft else {}).items()}
        form = BallotForm(initial=initial, cadres=cadres, grades=grades)
        context["draft"] = draft
    return render(request, "evaluations/vote.html", context | {"form": form})


def _cast(request, form: BallotForm, round_: EvaluationRound) -> bool:
    submit = request.POST.get("intent") == "submit"
    service = services.vote_submit if submit else services.vote_save_draft
    try:
        service(actor=Actor(request.user), round=round_, grades=form.grades())
    except DomainError as exc:
        _form_error(form, exc)
        return False
    messages.success(request, _("已提交，感谢参与评价") if submit else _("草稿已保存，提交后才计入"))
    return True


def _tries_a_code(request) -> bool:
    return bool((request.POST if request.method == "POST" else request.GET).get("code"))


@never_cache
@limit_by_address("vote", "GONGFEN_RATE_VOTE_ADDRESS", only_if=_tries_a_code)  # no guessing codes at speed
def vote_public(request):
    """The public ballot: a code (typed, or in the QR code's link) opens it; no account needed."""
    data = request.POST if request.method == "POST" else request.GET
    code_form = CodeForm(data if data.get("code") else None)
    if not code_form.is_bound or not code_form.is_valid():
        return render(request, "evaluations/vote_public.html", {"code_form": code_form})
    code = code_form.cleaned_data["code"]
    ticket = selectors.ticket(code)
    round_ = ticket.round if ticket is not None else None
    if request.method == "POST" and "round" in request.POST:  # the round the ballot was drawn for
        posted = request.POST["round"]
        rounds = EvaluationRound.objects.select_related("group__scheme")
        round_ = rounds.filter(pk=int(posted)).first() if posted.isdigit() else None
    refusal = _public_refusal(ticket, round_)
    if refusal:
        code_form.add_error("code", refusal)
        return render(request, "evaluations/vote_public.html", {"code_form": code_form})
    grades = [g["name"] for g in round_.group.scheme.grades]
    form = BallotForm(request.POST or None, cadres=selectors.candidates(round_), grades=grades)
    if request.method == "POST" and form.is_valid():
        try:
            services.vote_submit_public(round=round_, code=code, grades=form.grades())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return render(request, "evaluations/vote_done.html", {"round": round_})
    context = {"code_form": code_form, "form": form, "round": round_, "code": code}
    return render(request, "evaluations/vote_public.html", context)


def _public_refusal(ticket, round_: EvaluationRound | None) -> str | None:
    """Why this code cannot open a ballot now (before the voter spends time on it), or None."""
    if ticket is None or round_ is None or ticket.round_id != round_.pk:
        return _("票码无效，请核对后重新输入")
    if ticket.used_at is not None:
        return _("该票码已经使用过，每个票码只能投票一次")
    now = timezone.now()
    if not selectors.accepting(round_, now):
        return _("评价尚未开始") if round_.state == RoundState.DRAFT or now < round_.opens_at else _("评价已结束")
    return None
