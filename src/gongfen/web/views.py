"""The dashboard: for each role, what needs the user now."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from gongfen.web import selectors


@login_required
def dashboard(request):
    return render(request, "web/dashboard.html", {"panels": selectors.dashboard(request.user)})
