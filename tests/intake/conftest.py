"""A registered source system on the web fixtures' county, with person links, and a pinned clock."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongfen.accounts.models import User
from gongfen.common import Actor
from gongfen.intake import services
from gongfen.org.models import Cadre, Unit
from gongfen.schemes.models import Rule
from tests.api.conftest import token_for  # noqa: F401
from tests.web_fixtures import *  # noqa: F403

NOW = datetime(2026, 9, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LINKED = ["A01", "A02", "A03", "A04", "A05", "A06", "A08"]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def source(county):
    """Source YJS (基层治理"一件事") owned by qx_admin, for R-TASK and Z-DAY in 齐溪镇; ``source.token_text``."""
    org = User.objects.get(username="org")
    rules = list(Rule.objects.filter(scheme__code="QX-2026", code__in=["R-TASK", "Z-DAY"]))
    row, token = services.source_register(
        actor=Actor(org),
        code="YJS",
        name="基层治理一件事",
        owner=User.objects.get(username="qx_admin"),
        rules=rules,
        units=[Unit.objects.get(code="QX")],
    )
    for code in LINKED:
        services.person_link_set(
            actor=Actor(org), source=row, identifier=f"zzd-{code}", cadre=Cadre.objects.get(code=code)
        )
    row.token_text = token
    return row


def record(n: int, person: str = "zzd-A04", rule: str = "R-TASK", day: str = "2026-08-03", **extra) -> dict:
    return {
        "source_record_id": f"YJS-{n}",
        "person": person,
        "scheme": "QX-2026",
        "rule": rule,
        "occurred_on": day,
        "quantity": "1",
        "description": f"一件事办结 {n}",
        "evidence_ref": f"yjs://case/{n}",
        "evidence_sha256": f"{n:064x}",
    } | extra


def post(client, token: str, records: list[dict], partial: bool = False):
    body = json.dumps({"records": records, "partial": partial}, ensure_ascii=False)
    return client.post(
        "/api/v1/intake/batches", body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )
