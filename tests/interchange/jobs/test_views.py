"""表格导入 in the browser: upload → preview (a job) → confirm, its states, progress, and who may import what."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongfen.accounts.models import User
from gongfen.audit.models import AuditEvent
from gongfen.common import Actor
from gongfen.interchange.jobs import runner
from gongfen.interchange.jobs.services import import_job_create
from gongfen.interchange.models import ImportJob, JobStatus
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.org.models import Cadre, Unit
from tests.interchange.excel.conftest import entry_row, headers, workbook
from tests.web_fixtures import *  # noqa: F403

GOOD = {"cadre": "A04", "scheme": "QX-2026", "rule": "Z-DAY", "occurred_on": "2026-07-20", "quantity": 2}


@pytest.fixture(autouse=True)
def inline_jobs(settings, tmp_path):
    settings.GONGFEN_IMPORT_RUNNER = "inline"  # each step runs in the request: deterministic, no thread
    settings.GONGFEN_HOME = tmp_path


def entries(*rows) -> bytes:
    return workbook({"工分明细": [headers("entries"), *rows]})


def upload(client, data: bytes, kind: str = "entries", name: str = "明细.xlsx", **extra):
    response = client.post(
        reverse("interchange:upload"), {"kind": kind, "file": SimpleUploadedFile(name, data), **extra}
    )
    return response


def the_job() -> ImportJob:
    return ImportJob.objects.get()


def test_upload_preview_confirm_creates_what_the_preview_said(county, login):
    client = login("qx_admin")
    before = Entry.objects.count()
    rows = [entry_row(**GOOD | {"id": "W1"}), entry_row(**GOOD | {"id": "W2", "description": "入户走访"})]
    response = upload(client, entries(*rows))
    job = the_job()
    assert response.status_code == 302 and response["Location"] == reverse("interchange:job", args=[job.uuid])
    assert job.status == JobStatus.PLANNED and job.confirmable
    assert job.summary["created"] == {"entries": 2} and job.summary["rows"] == 2
    page = client.get(response["Location"]).content.decode()
    assert "预检结果" in page and "确认导入" in page and "入户走访" in page  # counts and a sample of rows
    assert "以「待审核」状态" in page  # the page says the entries will wait for review
    assert Entry.objects.count() == before  # the preview wrote nothing

    response = client.post(reverse("interchange:confirm", args=[job.uuid]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.summary["created"] == {"entries": 2}
    assert job.path == "" and not (runner.private_dir() / str(job.uuid)).exists()  # the upload is removed
    made = Entry.objects.filter(code__in=["W1", "W2"])
    assert made.count() == 2 and {e.status for e in made} == {EntryStatus.PENDING}
    assert {e.recorded_by.username for e in made} == {"qx_admin"}
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"import.upload", "import.confirm", "spreadsheet.import"} <= actions
    assert "导入完成" in client.get(reverse("interchange:job", args=[job.uuid])).content.decode()
    # confirming twice imports nothing more
    client.post(reverse("interchange:confirm", args=[job.uuid]))
    assert Entry.objects.count() == before + 2


def test_discard_deletes_the_upload_and_imports_nothing(county, login):
    client = login("qx_admin")
    upload(client, entries(entry_row(**GOOD | {"id": "W9"})))
    job = the_job()
    stored = runner.private_dir() / job.path
    assert stored.exists()
    response = client.post(reverse("interchange:discard", args=[job.uuid]))
    assert response.status_code == 302 and response["Location"] == reverse("interchange:index")
    job.refresh_from_db()
    assert job.status == JobStatus.DISCARDED and job.path == "" and not stored.exists()
    assert AuditEvent.objects.filter(action="import.discard", object_id=str(job.uuid)).count() == 1
    client.post(reverse("interchange:confirm", args=[job.uuid]))  # too late to confirm
    assert not Entry.objects.filter(code="W9").exists()
    again = client.post(reverse("interchange:discard", args=[job.uuid]), follow=True)
    assert "不能放弃" in again.content.decode()


def test_a_bad_workbook_lists_positioned_problems_and_cannot_be_confirmed(county, login):
    client = login("qx_admin")
    bad = entries(entry_row(**GOOD | {"quantity": "很多"}), entry_row(**GOOD | {"occurred_on": "7月20日"}))
    upload(client, bad)
    job = the_job()
    assert job.status == JobStatus.PLANNED and job.problem_count == 2 and not job.confirmable
    page = client.get(reverse("interchange:job", args=[job.uuid])).content.decode()
    assert "工作表「工分明细」" in page and "应为数字，得到 &#x27;很多&#x27;" in page
    assert "发现 2 处错误" in page and "确认导入" not in page
    assert {(p["row"], p["column"]) for p in job.problems} == {(2, "数量"), (3, "发生日期")}
    before = Entry.objects.count()
    response = client.post(reverse("interchange:confirm", args=[job.uuid]), follow=True)
    assert "不能导入" in response.content.decode()
    assert Entry.objects.count() == before and the_job().status == JobStatus.PLANNED


def test_a_refresh_shows_the_same_job_and_the_fragment_its_progress(county, login):
    client = login("qx_admin")
    job = import_job_create(
        actor=Actor(User.objects.get(username="qx_admin")),
        kind="units",
        filename="单位.csv",
        upload="单位编码,单位名称,单位类型\nQX-NEW,新办公室,科室\n".encode(),
    )
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.APPLYING, worker=runner.WORKER)
    runner.Progress(job)("写入 entries", 3, 10)
    url = reverse("interchange:job", args=[job.uuid])
    first, second = client.get(url).content.decode(), client.get(url).content.decode()
    for page in (first, second):
        assert "导入中" in page and "3 / 10" in page and 'hx-trigger="every 1s"' in page
    fragment = client.get(reverse("interchange:progress", args=[job.uuid]), HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert "<html" not in text and "写入 entries" in text and "3 / 10" in text and 'value="30"' in text
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, finished_at=timezone.now())
    done = client.get(reverse("interchange:progress", args=[job.uuid])).content.decode()
    assert "hx-trigger" not in done and "已完成" in done  # finished: the polling stops


def test_a_job_whose_server_went_away_is_marked_failed_and_changed_nothing(county, login):
    client = login("qx_admin")
    job = import_job_create(
        actor=Actor(User.objects.get(username="qx_admin")),
        kind="entries",
        filename="x.xlsx",
        upload=entries(entry_row(**GOOD)),
    )
    dead = f"{socket.gethostname()}:{2**22 + 7}"  # no such pid (pid_max is at most 2**22)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.APPLYING, worker=dead, started_at=timezone.now())
    page = client.get(reverse("interchange:job", args=[job.uuid])).content.decode()
    assert "服务器重启，导入未完成，未作任何更改" in page and the_job().status == JobStatus.FAILED
    # a job of another host that has been silent too long is failed too
    other = import_job_create(
        actor=Actor(User.objects.get(username="qx_admin")),
        kind="entries",
        filename="y.xlsx",
        upload=entries(entry_row(**GOOD)),
    )
    long_ago = timezone.now() - runner.STALE - timedelta(minutes=1)
    ImportJob.objects.filter(pk=other.pk).update(status=JobStatus.PLANNING, worker="elsewhere:1", started_at=long_ago)
    assert runner.mark_interrupted() == 1
    assert ImportJob.objects.get(pk=other.pk).status == JobStatus.FAILED


def test_the_index_lists_templates_and_the_users_jobs(county, login):
    client = login("qx_admin")
    page = client.get(reverse("interchange:index")).content.decode()
    assert page.count(">下载模板</a>") == 5 and reverse("interchange:export", args=["units"]) not in page
    assert 'name="approve"' not in page and "以「待审核」状态进入台账" in page  # a unit administrator cannot approve
    response = client.get(reverse("interchange:template", args=["entries"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert client.get(reverse("interchange:template", args=["nope"])).status_code == 404
    upload(client, entries(entry_row(**GOOD)), name="我的明细.xlsx")
    assert "我的明细.xlsx" in client.get(reverse("interchange:index")).content.decode()
    org = login("org")
    page = org.get(reverse("interchange:index")).content.decode()
    assert 'name="approve"' in page and reverse("interchange:export", args=["units"]) in page
    assert "我的明细.xlsx" not in page  # another user's job is not listed


def test_the_org_admin_may_approve_directly_and_the_job_says_so(county, login):
    client = login("org")
    upload(client, entries(entry_row(**GOOD | {"id": "D1"})), approve="on")
    job = the_job()
    assert job.options == {"approve": True}
    assert "直接入账" in client.get(reverse("interchange:job", args=[job.uuid])).content.decode()
    client.post(reverse("interchange:confirm", args=[job.uuid]))
    assert Entry.objects.get(code="D1").status == EntryStatus.APPROVED


def test_an_approve_sent_by_who_may_not_is_ignored(county, login):
    client = login("qx_admin")
    upload(client, entries(entry_row(**GOOD | {"id": "N1"})), approve="on")
    client.post(reverse("interchange:confirm", args=[the_job().uuid]))
    assert Entry.objects.get(code="N1").status == EntryStatus.PENDING


def test_too_big_or_not_a_spreadsheet_is_refused_with_a_message(county, login, settings):
    client = login("qx_admin")
    settings.GONGFEN_IMPORT_MAX_BYTES = 1024 * 1024
    response = upload(client, b"x" * (1024 * 1024 + 1))
    assert response.status_code == 400 and "文件过大" in response.content.decode()
    response = upload(client, b"hello", name="明细.docx")
    assert response.status_code == 400 and "只接受 .xlsx 或 .csv 文件" in response.content.decode()
    assert not ImportJob.objects.exists()
    upload(client, b"\x00junk" * 100, name="junk.xlsx")  # not a workbook: a problem, not a crash
    assert the_job().problem_count == 1 and not the_job().confirmable


def test_a_cadre_finds_no_import_pages(county, login, client):
    assert client.get(reverse("interchange:index")).status_code == 302  # anonymous: to the login page
    cadre = login("a01")
    assert cadre.get(reverse("interchange:index")).status_code == 404
    assert upload(cadre, entries(entry_row(**GOOD))).status_code == 404
    assert not ImportJob.objects.exists()


# --- scope: a unit administrator imports their own units' data only --------------------------------


def problems_of(client, kind: str, data: bytes, name: str = "x.xlsx") -> list[tuple]:
    upload(client, data, kind=kind, name=name)
    job = ImportJob.objects.latest("id")
    assert not job.confirmable
    return [(p["sheet"], p["row"], p["column"], p["message"]) for p in job.problems]


def test_a_unit_admin_cannot_import_entries_of_another_units_cadre(county, login):
    before = Entry.objects.count()
    (problem,) = problems_of(login("tc_admin"), "entries", entries(entry_row(**GOOD | {"cadre": "A01"})))
    assert problem[:3] == ("工分明细", 2, "干部编码") and "不在你管理的范围内" in problem[3]
    assert Entry.objects.count() == before


def test_a_unit_admin_cannot_import_units_outside_their_unit(county, login):
    rows = [
        ["单位编码", "单位名称", "单位类型", "上级单位编码"],
        ["TC", "桐村", "乡镇", "KH"],
        ["QX-X", "新办", "乡镇", "TC"],
    ]
    found = problems_of(login("qx_admin"), "units", workbook({"单位": rows}))
    assert [p[1:3] for p in found] == [(2, "单位编码"), (3, "上级单位编码")]
    assert Unit.objects.get(code="TC").name == "桐村镇" and not Unit.objects.filter(code="QX-X").exists()
    # inside their unit it goes through
    client = login("qx_admin")
    upload(client, workbook({"单位": [rows[0], ["QX-Y", "新办", "乡镇", "QX"]]}), kind="units")
    client.post(reverse("interchange:confirm", args=[ImportJob.objects.latest("id").uuid]))
    assert Unit.objects.get(code="QX-Y").parent.code == "QX"


def test_a_unit_admin_cannot_replace_posts_held_outside_their_unit(county, login):
    header = headers("cadres")
    a01 = dict(zip(header[:6], ["A01", "甲一", "QX", "一般干部", "2026-01-01", None], strict=True))
    a07 = dict(zip(header[:6], ["A07", "甲七", "QX", "一般干部", "2026-01-01", None], strict=True))
    rows = [header, [a01.get(h) for h in header], [a07.get(h) for h in header]]
    found = problems_of(login("qx_admin"), "cadres", workbook({"干部任职": rows}))
    # A01 also serves in task force SK, A07 in 桐村镇: both are 组织部's to import
    assert [p[1:3] for p in found] == [(2, "干部编码"), (3, "干部编码")]
    assert Cadre.objects.get(code="A07").posts.get().unit.code == "TC"


def test_a_unit_admin_cannot_import_rules_or_ballots_of_another_units_scheme(county, login):
    client = login("tc_admin")
    rule = dict(zip(headers("rules")[:5], ["QX-2026", "R-NEW", "新规则", "专项加分", 1], strict=True))
    rules = workbook({"赋分标准": [headers("rules"), [rule.get(h) for h in headers("rules")]]})
    (problem,) = problems_of(client, "rules", rules)
    assert problem[:3] == ("赋分标准", 2, "方案编码") and "不在你管理的范围内" in problem[3]
    ballot = ["QX-2026", "2026Q3", "A07", "领导班子", "优秀"]
    ballots = workbook({"测评票": [headers("ballots")[:5], ballot]})
    found = problems_of(client, "ballots", ballots)
    assert [p[:3] for p in found] == [("测评票", 2, "方案编码")]
