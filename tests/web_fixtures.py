"""A small county with one user per role, in scope and out of scope, for the web tests.

Built on the spec's qixi example (齐溪镇 QX with office QX-WL, 桐村镇 TC, task force SK)
through the real services. Import the fixtures in a test module with
``from tests.web_fixtures import *  # noqa: F403``.
"""

from __future__ import annotations

import pytest

from gongfen.accounts.models import RoleKind, User
from gongfen.accounts.services import role_grant, user_create
from gongfen.common import Actor
from gongfen.org.models import Cadre, Unit
from tests.factories import example_bundle, load

PASSWORD = "correct horse battery staple 2026"
ACTOR = Actor(None, "test")

# username -> (cadre code or None, [(role kind, unit code)])
USERS = {
    "org": (None, [(RoleKind.ORG_ADMIN, "KH")]),
    "qx_admin": (None, [(RoleKind.UNIT_ADMIN, "QX")]),
    "qx_reviewer": ("A02", [(RoleKind.REVIEWER, "QX")]),  # A02 is a 中层干部 of 齐溪镇, and reviews it
    "sk_lead": ("A07", [(RoleKind.TASK_FORCE_LEAD, "SK")]),  # A07 of 桐村镇 leads the task force
    "a01": ("A01", []),  # a cadre of 齐溪镇文旅办 (and, below, a member of the task force)
    "a04": ("A04", []),
    "tc_admin": (None, [(RoleKind.UNIT_ADMIN, "TC")]),  # out of scope for 齐溪镇
    "tc_reviewer": (None, [(RoleKind.REVIEWER, "TC")]),
}


@pytest.fixture
def county(db):
    """The qixi example, A01 also in task force SK, and the users of USERS."""
    bundle = example_bundle()
    bundle["cadres"][0]["posts"].append({"unit": "SK", "position": "组员", "start": "2026-01-01", "end": None})
    for rule in bundle["schemes"][0]["rules"]:
        if rule["code"] == "S-INV":
            rule["evidence_required"] = True
    load(bundle)
    users = {}
    for username, (cadre, roles) in USERS.items():
        user = user_create(
            actor=ACTOR,
            username=username,
            password=PASSWORD,
            cadre=Cadre.objects.get(code=cadre) if cadre else None,
        )
        for kind, unit in roles:
            role_grant(actor=ACTOR, user=user, kind=kind, unit=Unit.objects.get(code=unit))
        users[username] = user
    return users


@pytest.fixture
def login(client):
    """``login("a01")`` logs the test client in as that user and returns the client."""

    def _login(username: str):
        client.force_login(User.objects.get(username=username))
        return client

    return _login


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
