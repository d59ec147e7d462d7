"""``gongfen jobs run``: the separate worker runs queued import jobs (plan, then a confirmed apply)."""

from __future__ import annotations

import pytest

from gongfen import cli
from gongfen.accounts.models import User
from gongfen.common import Actor
from gongfen.interchange.jobs.services import import_job_confirm, import_job_create
from gongfen.interchange.models import ImportJob, JobStatus
from gongfen.org.models import Unit
from tests.web_fixtures import *  # noqa: F403

CSV = "单位编码,单位名称,单位类型,上级单位编码\nQX-NEW,齐溪镇新办,乡镇,QX\n".encode()


@pytest.fixture(autouse=True)
def worker_mode(settings, tmp_path):
    settings.GONGFEN_IMPORT_RUNNER, settings.GONGFEN_HOME = "worker", tmp_path


def test_jobs_run_plans_then_applies_a_confirmed_job(county, capsys):
    user = User.objects.get(username="qx_admin")
    job = import_job_create(actor=Actor(user), kind="units", filename="单位.csv", upload=CSV)
    assert cli.main(["jobs", "run", "--once"]) == 0
    job.refresh_from_db()
    assert job.status == JobStatus.PLANNED and job.summary["created"] == {"units": 1}
    assert not Unit.objects.filter(code="QX-NEW").exists()
    import_job_confirm(actor=Actor(user), job=job)
    assert cli.main(["jobs", "run", "--once"]) == 0
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.DONE
    assert Unit.objects.get(code="QX-NEW").parent.code == "QX"
    assert "已运行 1 个导入任务步骤" in capsys.readouterr().out


def test_only_the_uploader_confirms_and_only_a_clean_plan(county):
    from gongfen.common import DomainError

    user = User.objects.get(username="qx_admin")
    job = import_job_create(actor=Actor(user), kind="units", filename="单位.csv", upload=CSV)
    with pytest.raises(DomainError, match="预检未完成"):
        import_job_confirm(actor=Actor(user), job=job)  # still queued
    cli.main(["jobs", "run", "--once"])
    with pytest.raises(DomainError, match="只有上传人"):
        import_job_confirm(actor=Actor(User.objects.get(username="org")), job=job)
    with pytest.raises(DomainError, match="没有导入表格的权限"):
        import_job_create(actor=Actor(User.objects.get(username="a01")), kind="units", filename="u.csv", upload=CSV)
