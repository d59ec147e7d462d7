"""A cadre's inclusion proof: who may see it (four cases), what it holds, and the documented script that checks it."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from django.urls import reverse

from gongfen.publication.models import Snapshot
from gongfen.trust.models import LogLeaf
from tests.conftest import ROOT
from tests.publication.helpers import Q3, publish_q3
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def proof_url(cadre: str = "A01", name: str = "trust:proof") -> str:
    return reverse(name, args=["QX-ALL", Q3, cadre])


def documented_script(tmp_path) -> str:
    """Exactly the Python block that docs/trust.md shows after its ``verify-proof.py`` marker."""
    text = (ROOT / "docs" / "trust.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- verify-proof\.py -->\n```python\n(.*?)```", text, re.S)
    assert match, "docs/trust.md lost its verification script"
    path = tmp_path / "verify-proof.py"
    path.write_text(match.group(1), encoding="utf-8")
    return str(path)


def run_script(script: str, proof: dict, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof, ensure_ascii=False), encoding="utf-8")
    return subprocess.run([sys.executable, script, str(path)], capture_output=True, text=True, timeout=60)


@pytest.fixture
def published(county):
    publish_q3()
    return Snapshot.objects.get()


@pytest.mark.parametrize("name", ["trust:proof", "trust:proof_json"])
def test_anonymous_is_sent_to_login(published, client, name):
    response = client.get(proof_url(name=name))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", ["trust:proof", "trust:proof_json"])
@pytest.mark.parametrize("username", ["a04", "qx_reviewer", "tc_admin", "tc_reviewer", "sk_lead"])
def test_anyone_but_the_cadre_and_administrators_in_scope_finds_nothing(published, login, name, username):
    # a04 and qx_reviewer see the board, but not A01's proof; the others do not even see the board
    assert login(username).get(proof_url(name=name)).status_code == 404


@pytest.mark.parametrize("name", ["trust:proof", "trust:proof_json"])
def test_before_publication_nobody_finds_a_proof(county, login, name):
    for username in ("a01", "qx_admin", "org"):
        assert login(username).get(proof_url(name=name)).status_code == 404


@pytest.mark.parametrize("username", ["a01", "qx_admin", "org"])
def test_the_cadre_and_administrators_in_scope_get_the_page(published, login, username):
    response = login(username).get(proof_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert published.tree_root in html and 'id="proof-download"' in html
    assert "E01" in html


def test_the_board_shows_the_head_and_links_the_own_proof(published, login):
    html = login("a01").get(reverse("publication:board", args=["QX-ALL", Q3])).content.decode()
    assert f"{published.tree_size}:{published.tree_root}" in html
    assert proof_url() + f"?v={published.version}" in html


def test_the_notice_prints_the_head(published, login):
    html = login("qx_admin").get(reverse("outputs:notice", args=["QX-ALL", Q3])).content.decode()
    assert f"{published.tree_size}:{published.tree_root}" in html


def test_the_downloaded_proof_verifies_with_the_documented_script_and_fails_when_tampered(published, login, tmp_path):
    response = login("a01").get(proof_url(name="trust:proof_json"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    proof = json.loads(response.content)
    assert (proof["tree_size"], proof["tree_root"], proof["cadre"]) == (published.tree_size, published.tree_root, "A01")
    entries = {json.loads(leaf["data"])["event"]["entry"] for leaf in proof["leaves"]}
    assert "E01" in entries and all(json.loads(leaf["data"])["entry"]["cadre"] == "A01" for leaf in proof["leaves"])
    assert all(leaf["index"] < published.tree_size for leaf in proof["leaves"])
    assert [leaf["index"] for leaf in proof["leaves"]] == sorted(
        LogLeaf.objects.filter(event__entry__cadre__code="A01", event__entry__period=Q3).values_list("index", flat=True)
    )
    script = documented_script(tmp_path)
    ok = run_script(script, proof, tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith(f"OK: {len(proof['leaves'])} leaves"), ok.stderr

    changed = json.loads(json.dumps(proof))
    changed["leaves"][0]["data"] = changed["leaves"][0]["data"].replace('"quantity":"', '"quantity":"1')
    assert changed != proof
    bad = run_script(script, changed, tmp_path)
    assert bad.returncode != 0 and "NOT in the tree" in bad.stderr

    other_root = json.loads(json.dumps(proof)) | {"tree_root": "00" * 32}
    assert run_script(script, other_root, tmp_path).returncode != 0
    moved = json.loads(json.dumps(proof))
    moved["leaves"][0]["index"] += 1
    assert run_script(script, moved, tmp_path).returncode != 0


def test_an_earlier_version_proves_against_its_own_head(published, login, tmp_path):
    from gongfen.publication import services as publication
    from gongfen.rankings.selectors import group_by_code
    from tests.web_fixtures import ACTOR

    publication.period_republish(actor=ACTOR, group=group_by_code("QX-ALL"), period=Q3, reason="更正")
    client = login("a01")
    v1 = json.loads(client.get(proof_url(name="trust:proof_json") + "?v=1").content)
    v2 = json.loads(client.get(proof_url(name="trust:proof_json")).content)
    assert (v1["version"], v1["tree_size"]) == (1, published.tree_size)
    assert v2["version"] == 2 and v2["tree_size"] > v1["tree_size"]
    script = documented_script(tmp_path)
    assert run_script(script, v1, tmp_path).returncode == 0
    assert run_script(script, v2, tmp_path).returncode == 0
    assert client.get(proof_url() + "?v=9").status_code == 404
