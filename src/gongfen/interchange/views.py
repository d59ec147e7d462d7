"""表格导入 in the browser: templates and exports, upload → preview (a background job) → confirm.

组织部 and unit administrators only (anyone else: 404); each sees only their own jobs. What a file
may touch is checked by the importer against the uploader's scope (``permissions.ImportScope``).
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from gongfen.accounts.models import RoleKind
from gongfen.accounts.permissions import administrators_only, import_jobs_for, principal, roles_required
from gongfen.common import Actor, DomainError
from gongfen.uploads import refuse_in

from .excel import KINDS, export_bytes, template_bytes
from .forms import UploadForm
from .jobs import runner
from .jobs import services as jobs
from .models import JobStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT = 20
OBJECTS = {
    "units": gettext_noop("单位"),
    "cadres": gettext_noop("干部"),
    "posts": gettext_noop("任职"),
    "schemes": gettext_noop("考核方案"),
    "rules": gettext_noop("赋分标准"),
    "groups": gettext_noop("排名组"),
    "entries": gettext_noop("工分明细"),
    "ballots": gettext_noop("测评票"),
}


def _index(request, form: UploadForm, status: int = 200):
    runner.mark_interrupted()
    context = {
        "form": form,
        "kinds": [(code, kind, "、".join(s.name for s in kind.sheets)) for code, kind in KINDS.items()],
        "can_export": principal(request.user).is_org_admin,
        "max_mb": settings.GONGFEN_IMPORT_MAX_BYTES // 1048576,
        "jobs": import_jobs_for(request.user)[:RECENT],
    }
    return render(request, "interchange/index.html", context, status=status)


@administrators_only
def index(request):
    return _index(request, UploadForm(user=request.user))


@administrators_only
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        refuse_in(request, form, "file")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = jobs.import_job_create(
                actor=Actor(request.user),
                kind=data["kind"],
                filename=data["file"].name,
                upload=data["file"],
                approve=data["approve"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            runner.kick()
            return redirect("interchange:job", uuid=job.uuid)
    return _index(request, form, status=400 if form.errors else 200)


def _attachment(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@administrators_only
def template(request, kind: str):
    if kind not in KINDS:
        raise Http404
    return _attachment(template_bytes(kind, request.user), f"{KINDS[kind].label}导入模板.xlsx")


@roles_required(RoleKind.ORG_ADMIN)  # an export is county-wide
def export(request, kind: str):
    if kind not in KINDS:
        raise Http404
    return _attachment(export_bytes(kind), f"{KINDS[kind].label}.xlsx")


def _job_context(request, uuid):
    job = get_object_or_404(import_jobs_for(request.user), uuid=uuid)
    if job.status in (JobStatus.PLANNING, JobStatus.APPLYING) and runner.mark_interrupted():
        job.refresh_from_db()
    elif job.status == JobStatus.QUEUED:
        runner.kick()  # e.g. queued before a restart; "inline" runs it here
        job.refresh_from_db()
    progress = runner.progress_of(job)
    percent = int(100 * progress["done"] / progress["total"]) if progress.get("total") else 0
    summary = job.summary or {}
    names = sorted({*summary.get("created", {}), *summary.get("changed", {}), *summary.get("unchanged", {})})
    counts = [
        (_(OBJECTS.get(n, n)), *(summary.get(part, {}).get(n, 0) for part in ("created", "changed", "unchanged")))
        for n in names
    ]
    context = {"job": job, "kind": KINDS.get(job.kind), "progress": progress, "percent": percent}
    return context | {"counts": counts}


@administrators_only
def job(request, uuid):
    context = _job_context(request, uuid)
    if request.htmx:
        return render(request, "interchange/_job_status.html", context)
    return render(request, "interchange/job.html", context)


@administrators_only
def progress(request, uuid):
    return render(request, "interchange/_job_status.html", _job_context(request, uuid))


@administrators_only
@require_POST
def confirm(request, uuid):
    the_job = get_object_or_404(import_jobs_for(request.user), uuid=uuid)
    try:
        jobs.import_job_confirm(actor=Actor(request.user), job=the_job)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认，正在导入"))
        runner.kick()
    return redirect("interchange:job", uuid=the_job.uuid)


@administrators_only
@require_POST
def discard(request, uuid):
    the_job = get_object_or_404(import_jobs_for(request.user), uuid=uuid)
    try:
        jobs.import_job_discard(actor=Actor(request.user), job=the_job)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("interchange:job", uuid=the_job.uuid)
    messages.success(request, _("已放弃，上传的文件已删除"))
    return redirect("interchange:index")
