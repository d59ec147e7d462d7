"""A cadre's inclusion proof (包含证明): a page and its JSON download.

Seen by the cadre themselves and by administrators in scope of the cadre, for a publication they
may see; anyone else, and anything before publication, finds nothing (404).
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from gongfen.accounts.permissions import Action, cadres_for, can_see_publication, principal
from gongfen.common import DomainError
from gongfen.org.models import Cadre
from gongfen.publication.models import Snapshot
from gongfen.rankings.selectors import group_period
from gongfen.schemes.models import RankingGroup

from .selectors import inclusion_proof


def _target(request, group: str, period: str, cadre: str) -> tuple[Snapshot, Cadre]:
    the_group = get_object_or_404(RankingGroup.objects.select_related("scheme"), code=group)
    try:
        group_period(the_group, period)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if not can_see_publication(request.user, the_group, period):
        raise Http404("not in the publication's scope")
    the_cadre = get_object_or_404(Cadre, code=cadre)
    own = principal(request.user).cadre_id == the_cadre.pk
    if not own and not cadres_for(request.user, Action.ADMINISTER).filter(pk=the_cadre.pk).exists():
        raise Http404("not this user's cadre")
    snapshots = Snapshot.objects.filter(group=the_group, period=period, tree_size__isnull=False)
    try:
        version = int(request.GET["v"])
    except (KeyError, ValueError):
        snapshot = snapshots.order_by("-version").first()
    else:
        snapshot = snapshots.filter(version=version).first()
    if snapshot is None:
        raise Http404("not published")
    snapshot.group = the_group
    return snapshot, the_cadre


@login_required
def proof(request, group: str, period: str, cadre: str):
    snapshot, the_cadre = _target(request, group, period, cadre)
    data = inclusion_proof(the_cadre, snapshot)
    lines = [(leaf["index"], json.loads(leaf["data"])) for leaf in data["leaves"]]
    context = {"snapshot": snapshot, "cadre": the_cadre, "proof": data, "lines": lines}
    return render(request, "trust/proof.html", context)


@login_required
def proof_json(request, group: str, period: str, cadre: str):
    snapshot, the_cadre = _target(request, group, period, cadre)
    data = inclusion_proof(the_cadre, snapshot)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1) + "\n", content_type="application/json; charset=utf-8"
    )
    name = f"proof-{snapshot.group.code}-{snapshot.period}-v{snapshot.version}-{the_cadre.code}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
