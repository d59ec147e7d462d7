"""The preview of an entries file streams: chunk by chunk in a transaction rolled back, keeping only counts,
a sample of rows and the problems, so its memory is bounded by the chunk, not by the file."""

from __future__ import annotations

import pytest

from gongfen import cli
from gongfen.interchange.excel import import_apply, import_plan, importer
from gongfen.ledger.models import Entry
from tests.factories import example_bundle, load

from .conftest import CLI, entry_row, headers, workbook

pytestmark = pytest.mark.django_db
GOOD = {"cadre": "A01", "scheme": "QX-2026", "rule": "Z-DAY", "occurred_on": "2026-07-20", "quantity": 2}


@pytest.fixture
def qixi():
    load(example_bundle())


@pytest.fixture
def chunks(monkeypatch):
    """CHUNK = 2, and the size of every chunk handed to the loader."""
    monkeypatch.setattr(importer, "CHUNK", 2)
    monkeypatch.setattr(importer, "BATCH", 1)  # rows are looked up (and chunks handed on) every BATCH rows
    sizes: list[int] = []
    original = importer._Chunks.load

    def load(self, bundle):
        sizes.append(len(bundle.get("entries", [])))
        return original(self, bundle)

    monkeypatch.setattr(importer._Chunks, "load", load)
    return sizes


def entries(n: int, change: dict | None = None) -> bytes:
    rows = [
        entry_row(**GOOD | {"id": f"S{i}", "description": f"第{i}项"} | (change or {}).get(i, {})) for i in range(n)
    ]
    return workbook({"工分明细": [headers("entries"), *rows]})


def test_an_entries_plan_is_counted_chunk_by_chunk_and_keeps_no_rows(qixi, chunks):
    before = Entry.objects.count()
    plan = import_plan("entries", entries(5), CLI, name="明细.xlsx")
    assert plan.ok and plan.streamed and plan.bundle == {}
    assert plan.created == {"entries": 5} and plan.rows == 5
    assert chunks == [2, 2, 1]  # never more than CHUNK rows at once
    assert [s["row"] for s in plan.sample] == [2, 3, 4, 5, 6]
    assert ["工作内容", "第0项"] in plan.sample[0]["cells"]
    assert Entry.objects.count() == before  # the preview kept nothing
    done = import_apply(plan, CLI)  # reads the file again
    assert done.created == {"entries": 5} and Entry.objects.count() == before + 5


def test_a_problem_in_a_later_chunk_is_reported_at_its_row_and_nothing_is_kept(qixi, chunks):
    before = Entry.objects.count()
    plan = import_plan("entries", entries(5, {3: {"rule": "NOPE"}}), CLI)
    (problem,) = plan.problems
    assert (problem.sheet, problem.row, problem.column) == ("工分明细", 5, "规则编码")
    assert Entry.objects.count() == before


def test_the_sample_is_bounded(qixi, monkeypatch):
    monkeypatch.setattr(importer, "SAMPLE", 3)
    plan = import_plan("entries", entries(6), CLI)
    assert len(plan.sample) == 3 and plan.created == {"entries": 6}


def test_dry_run_on_the_command_line_still_previews(qixi, tmp_path, capsys):
    path = tmp_path / "明细.xlsx"
    path.write_bytes(entries(3))
    before = Entry.objects.count()
    assert cli.main(["import", "entries", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "entries: 新增 3" in out and "预览完成" in out and Entry.objects.count() == before
