"""In a real browser: a unit administrator uploads an entries workbook, reads the preview, confirms, sees it done."""

import pytest

from gongfen.ledger.models import Entry, EntryStatus
from tests.browser.test_flows import log_in
from tests.interchange.excel.conftest import entry_row, headers, workbook
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db(transaction=True)

ROW = {"cadre": "A04", "scheme": "QX-2026", "rule": "Z-DAY", "occurred_on": "2026-07-20", "quantity": 2}


@pytest.fixture(autouse=True)
def inline_jobs(settings, tmp_path):
    # the live server's in-memory SQLite allows no second writer, so each step runs in its request here;
    # the background thread and its progress are tested in tests/interchange/jobs/test_thread_runner.py
    settings.GONGFEN_IMPORT_RUNNER = "inline"
    settings.GONGFEN_HOME = tmp_path


def test_upload_preview_confirm_in_the_browser(county, browser, live_server, shot, tmp_path):
    good = tmp_path / "明细.xlsx"
    good.write_bytes(
        workbook({"工分明细": [headers("entries"), entry_row(**ROW | {"id": "B1", "description": "入户走访"})]})
    )
    bad = tmp_path / "有错.xlsx"
    bad.write_bytes(workbook({"工分明细": [headers("entries"), entry_row(**ROW | {"id": "B2", "quantity": "很多"})]}))
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, "qx_admin")

    page.goto("/imports/")
    page.select_option("#id_kind", value="entries")
    page.set_input_files("#id_file", str(bad))
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")
    assert "/imports/jobs/" in page.url and page.locator("#job-status").get_attribute("data-status") == "planned"
    problems = page.locator("table.problems").inner_text()
    assert "数量" in problems and "很多" in problems
    assert page.locator("#confirm-form").count() == 0  # a file with problems cannot be confirmed
    assert page.locator("#job-state").inner_text() == "预检未通过，不能导入"
    assert page.locator("#job-counts").count() == 0  # no counts of a plan that will not run
    shot(page, "import-01-problems")

    page.goto("/imports/")
    page.select_option("#id_kind", value="entries")
    page.set_input_files("#id_file", str(good))
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")
    assert page.locator("#job-status").get_attribute("data-status") == "planned"
    assert "入户走访" in page.locator("#job-sample").inner_text()
    assert "以「待审核」状态" in page.content()
    shot(page, "import-02-preview")
    assert not Entry.objects.filter(code="B1").exists()  # the preview wrote nothing

    with page.expect_navigation():
        page.click("#confirm-form button[type=submit]")
    page.reload()  # the job is in the database: a refresh shows the same state
    assert page.locator("#job-status").get_attribute("data-status") == "done"
    assert "导入完成" in page.locator("#job-status").inner_text()
    shot(page, "import-03-done")
    assert Entry.objects.get(code="B1").status == EntryStatus.PENDING
    context.close()
