"""The grades' read endpoints: the same scopes as the pages (out of scope → 404)."""

from __future__ import annotations

from gongfen.grades import services
from gongfen.org.models import Unit
from gongfen.rankings.selectors import group_by_code
from tests.api.conftest import ApiClient, token_for  # noqa: F401


def test_sheets_are_read_within_scope(plan, org, client, token_for):  # noqa: F811
    sheet = services.sheet_propose(
        actor=org, plan=plan, unit=Unit.objects.get(code="QX"), period="2026Q3", group=group_by_code("QX-ALL")
    )
    got = {}
    for user in ("org", "qx_admin", "tc_admin", "a01"):
        api = ApiClient(client, token_for(user, ["read"]))
        listed = [s["id"] for s in api.get("/grades/sheets").json()["items"]]
        one = api.get(f"/grades/sheets/{sheet.pk}")
        got[user] = (listed, one.status_code)
        if one.status_code == 200:
            body = one.json()
            assert body["unit"] == "QX" and body["kind"] == "pingshi" and body["seats"] == 2
            assert [(line["cadre"], line["grade"]) for line in body["lines"][:2]] == [("A02", "好"), ("A04", "好")]
    assert got == {"org": ([sheet.pk], 200), "qx_admin": ([sheet.pk], 200), "tc_admin": ([], 404), "a01": ([], 404)}
