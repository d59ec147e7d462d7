"""Issue 14 item 3: a published snapshot rewritten with SQL is named by `gongfen verify`, and the board,
the notice (page, PDF, JSON) and the export refuse to show it, with or without a recomputed fingerprint."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.urls import reverse

from gongfen.publication.models import Snapshot
from gongfen.publication.services import fingerprint
from tests.publication.helpers import publish_q3
from tests.trust.test_log import run
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
TABLE = Snapshot._meta.db_table


def rewrite(snapshot: Snapshot, *, refingerprint: bool) -> None:
    """What a forger with database access does: raise the last-ranked cadre's score in the stored JSON."""
    data = json.loads(json.dumps(snapshot.data))
    row = data["ranking"]["rows"][-1]
    row["composite"] = "99.99"
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET data = {cast} WHERE id = %s", [json.dumps(data), snapshot.pk])
        if refingerprint:
            cursor.execute(f"UPDATE {TABLE} SET fingerprint = %s WHERE id = %s", [fingerprint(data), snapshot.pk])


def pages(group: str, period: str) -> dict[str, str]:
    args = [group, period]
    return {
        "board": reverse("publication:board", args=args),
        "notice": reverse("outputs:notice", args=args),
        "pdf": reverse("outputs:notice_pdf", args=args),
        "json": reverse("outputs:snapshot_json", args=args),
        "xlsx": reverse("outputs:board_xlsx", args=args) + "?source=snapshot",
    }


def test_an_untouched_snapshot_is_shown_and_verifies(county, login, capsys):
    publish_q3()
    client = login("org")
    for name, url in pages("QX-ALL", "2026Q3").items():
        if name != "pdf":
            assert client.get(url).status_code == 200, name
    assert run(capsys, "verify")[0] == 0


@pytest.mark.parametrize("refingerprint", [False, True], ids=["data-only", "data-and-fingerprint"])
def test_a_snapshot_rewritten_with_sql_is_named_and_refused(county, login, capsys, refingerprint):
    publish_q3()
    snapshot = Snapshot.objects.get()
    rewrite(snapshot, refingerprint=refingerprint)
    code, out, err = run(capsys, "verify")
    assert code == 1 and "intact" not in out
    assert "公示快照 QX-ALL 2026Q3 第 1 版" in err
    if not refingerprint:
        assert "的数据与其数字指纹" in err
    client = login("org")
    for name, url in pages("QX-ALL", "2026Q3").items():
        response = client.get(url)
        assert response.status_code == 409, name
        text = response.content.decode()
        assert "公示快照核验未通过" in text and "99.99" not in text, name
    a01 = login("a01")  # a cadre of the group is refused too, in the same words
    response = a01.get(pages("QX-ALL", "2026Q3")["board"])
    assert response.status_code == 409 and "可能已被改动" in response.content.decode()
