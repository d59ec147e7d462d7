"""The served OpenAPI document as outside tools take it: a validator, and a client generated from it.

``openapi-spec-validator`` checks the document against the OpenAPI 3.1 specification;
``openapi-python-client`` (run here as a subprocess, offline, into a temporary folder) generates
a Python client from it, and that client calls three endpoints of a live server with a real token.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator

BIN = Path(sys.executable).parent
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


@pytest.mark.django_db
def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []
    validate(document)  # the library's own entry point agrees (raises on the first error)


@pytest.mark.django_db
def test_operation_ids_are_readable_and_tags_ascii(document):
    operations = list(_operations(document))
    ids = [operation["operationId"] for _, _, operation in operations]
    assert len(ids) == len(set(ids)) == 22
    assert all(SNAKE.match(i) for i in ids), ids
    assert {"list_units", "get_cadre", "get_ranking", "declare_entry", "approve_entry"} <= set(ids)
    declared = {tag["name"] for tag in document["tags"]}
    used = {tag for _, _, operation in operations for tag in operation["tags"]}
    assert (
        used == declared == {"org", "schemes", "entries", "rankings", "publications", "evaluations", "grades", "intake"}
    )
    assert all(tag["description"] for tag in document["tags"])  # the Chinese names live here
    # parameter examples are maps of Example Objects; the schema keeps its JSON Schema list
    (code,) = document["paths"]["/api/v1/cadres/{code}"]["get"]["parameters"]
    assert code["examples"] == {"A01": {"value": "A01"}} and code["schema"]["examples"] == ["A01"]


def _generate(document: dict, where: Path) -> Path:
    """``openapi-python-client generate`` into ``where``; fails on any warning. Returns the package folder."""
    spec = where / "openapi.json"
    spec.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    package = where / "gongfen_client"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # its post-hook runs ruff
    done = subprocess.run(
        [
            BIN / "openapi-python-client",
            "generate",
            "--path",
            spec,
            "--meta",
            "none",
            "--output-path",
            package,
            "--fail-on-warning",
        ],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr
    return package


def test_a_generated_client_calls_a_live_server_with_a_token(county, live_server, token_for, tmp_path):
    from django.test import Client as DjangoClient

    document = DjangoClient().get("/api/v1/openapi.json").json()
    package = _generate(document, tmp_path)
    modules = sorted(p.stem for p in (package / "api").glob("*/*.py") if p.stem != "__init__")
    assert "get_ranking" in modules and all(SNAKE.match(m) for m in modules)

    sys.path.insert(0, str(tmp_path))
    try:
        client_module = importlib.import_module("gongfen_client")
        list_units = importlib.import_module("gongfen_client.api.org.list_units")
        get_cadre = importlib.import_module("gongfen_client.api.org.get_cadre")
        get_ranking = importlib.import_module("gongfen_client.api.rankings.get_ranking")
        token = token_for("org", scopes=["read"])
        with client_module.AuthenticatedClient(base_url=live_server.url, token=token, timeout=30.0) as api:
            units = list_units.sync_detailed(client=api, limit=200)
            assert units.status_code == 200, units.content
            assert {"KH", "QX", "QX-WL", "TC", "SK"} <= {u.code for u in units.parsed.items}

            cadre = get_cadre.sync_detailed("A01", client=api)
            assert cadre.status_code == 200, cadre.content
            assert cadre.parsed.code == "A01" and cadre.parsed.name and cadre.parsed.posts

            ranking = get_ranking.sync_detailed("QX-ALL", "2026Q3", client=api)
            assert ranking.status_code == 200, ranking.content
            board = ranking.parsed
            assert (board.group, board.period) == ("QX-ALL", "2026Q3")
            assert [r.rank for r in board.rows] == sorted(r.rank for r in board.rows) and board.rows

        anonymous = client_module.Client(base_url=live_server.url)
        refused = list_units.sync_detailed(client=anonymous)
        assert refused.status_code == 401 and refused.parsed.code == "unauthenticated"
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "gongfen_client" or m.startswith("gongfen_client.")]:
            del sys.modules[name]
