"""Export every kind to .xlsx, import into an empty workspace: the same workspace and the same rankings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from gongfen.audit.models import AuditEvent
from gongfen.interchange.excel import export_bytes, import_apply
from gongfen.interchange.selectors import bundle_dump
from gongfen.ledger.models import Entry
from gongfen.rankings.selectors import rank_all
from gongfen.scoring import ranking_as_dict
from tests.factories import example_bundle, load

from .conftest import CLI

ORDER = ("units", "cadres", "rules", "entries", "ballots")
QUARTERS = ("2026Q1", "2026Q2", "2026Q3", "2026Q4")


def richer_workspace() -> None:
    """Both worked examples, with the optional settings a spreadsheet must carry too."""
    qixi = example_bundle()
    qixi["schemes"][0]["objection_days"] = 7
    qixi["schemes"][0]["rules"][2]["evidence_required"] = True
    qixi["groups"].append(
        {"code": "QX-U", "name": "齐溪镇（指定公示）", "scheme": "QX-2026", "select": {"unit": "QX"}}
        | {"publish_scope": "units", "publish_units": ["QX"]}
    )
    qixi["entries"][0]["description"] = "驻村，含逗号, 与“引号”"
    load(qixi)
    load(example_bundle("kh-heads-2026.json"))


def rankings() -> dict[str, list]:
    return {q: [ranking_as_dict(r) for r in rank_all(q)] for q in QUARTERS}


@pytest.mark.django_db(transaction=True)  # flush needs no open transaction on PostgreSQL
def test_every_kind_exported_then_imported_into_an_empty_workspace_ranks_the_same():
    richer_workspace()
    before, dump = rankings(), bundle_dump()
    assert any(before.values()) and Entry.objects.filter(status="revoked").exists()
    files = {kind: export_bytes(kind) for kind in ORDER}

    call_command("flush", interactive=False, verbosity=0)
    assert not Entry.objects.exists()
    for kind in ORDER:
        import_apply(files[kind], CLI, kind=kind, approve=True, name=f"{kind}.xlsx")

    assert rankings() == before
    assert bundle_dump() == dump
    audit = AuditEvent.objects.filter(action="spreadsheet.import").order_by("id")
    assert [a.object_id for a in audit] == list(ORDER)
    assert audit.last().after["file"] == "ballots.xlsx" and audit.last().after["created"] == {"ballots": 15}
    # the importer is the recorder
    assert set(Entry.objects.values_list("recorded_by_label", flat=True)) == {"cli:test"}


def gongfen(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGFEN_", "DJANGO_"))}
    env.update(
        GONGFEN_HOME=str(home), GONGFEN_DATABASE_URL=f"sqlite:///{home / 'db.sqlite3'}", PYTHONIOENCODING="utf-8"
    )
    return subprocess.run(
        [sys.executable, "-m", "gongfen", *map(str, args)], env=env, capture_output=True, text=True, timeout=300
    )


def test_the_command_line_round_trip_on_a_fresh_database(tmp_path):
    from tests.conftest import EXAMPLES

    old, new = tmp_path / "old", tmp_path / "new"
    for home in (old, new):
        home.mkdir()
    assert gongfen(new, "init").returncode == 0  # a spreadsheet import needs a workspace to import into
    for name in ("qixi-2026q3.json", "kh-heads-2026.json"):
        assert gongfen(old, "load", EXAMPLES / name).returncode == 0
    for kind in ORDER:
        done = gongfen(old, "export", kind, tmp_path / f"{kind}.xlsx")
        assert done.returncode == 0, done.stderr
    for kind in ORDER:
        extra = ["--approve"] if kind == "entries" else []
        preview = gongfen(new, "import", kind, tmp_path / f"{kind}.xlsx", "--dry-run", *extra)
        assert preview.returncode == 0, preview.stderr
        assert "新增" in preview.stdout
        done = gongfen(new, "import", kind, tmp_path / f"{kind}.xlsx", *extra)
        assert done.returncode == 0, done.stderr
    ranked = [gongfen(h, "rank", "--all", "--period", "2026Q3", "--format", "json") for h in (old, new)]
    assert ranked[0].returncode == 0 and json.loads(ranked[0].stdout)
    assert ranked[0].stdout == ranked[1].stdout
