"""The dashboard: for each role, what needs the user now; and the page where a user changes their password."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongfen.accounts.services import user_password_set
from gongfen.common import Actor, DomainError
from gongfen.web import selectors
from gongfen.web.context import DISPLAY_CONTRAST, DISPLAY_LARGE


@login_required
def dashboard(request):
    return render(request, "web/dashboard.html", {"panels": selectors.dashboard(request.user)})


class PasswordChange(PasswordChangeView):
    """修改密码: the user's own password (the old one, then the new one twice), through accounts.services."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        try:
            user_password_set(
                actor=Actor(self.request.user), user=form.user, password=form.cleaned_data["new_password1"]
            )
        except DomainError as exc:
            form.add_error("new_password1", exc.message)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, form.user)  # this session stays signed in, the others end
        messages.success(self.request, _("密码已修改"))
        return redirect(self.get_success_url())


password_change = PasswordChange.as_view()


@require_POST
def display_set(request):
    """大字模式 and 高对比度 on or off (a cookie for a year), then back to the page the reader was on."""
    target = request.POST.get("next") or "/"
    if not (target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        target = "/"
    response = redirect(target)
    for field, cookie in (("large", DISPLAY_LARGE), ("contrast", DISPLAY_CONTRAST)):
        if (value := request.POST.get(field)) in ("0", "1"):
            response.set_cookie(cookie, value, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure())
    return response
