"""Content Security Policy: every page of the permission matrix sends the policy, and its HTML has no
inline script, no event-handler attribute, no inline style and no <object> (the policy forbids them all,
so a page that had one would break in the browser; tests/browser checks the console too)."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.urls import reverse

from gongfen.accounts.models import User
from tests.test_permission_matrix import MATRIX, make_objects, object_spec
from tests.web_fixtures import *  # noqa: F403

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
INLINE = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "hx-on attribute": re.compile(r"<[a-z][^>]*\shx-on", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "javascript: URL": re.compile(r"""=\s*["']?\s*javascript:""", re.I),
    "object or embed": re.compile(r"<(object|embed)\b", re.I),
}
GET_PAGES = sorted(name for name, (method, _key, _expected) in MATRIX.items() if method == "GET")


def policy_of(response) -> dict[str, str]:
    header = response.get("Content-Security-Policy", "")
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in header.split(";")) if part}


def inline_code(html: str) -> list[str]:
    return [f"{what}: {m.group(0)[:120]}" for what, pattern in INLINE.items() for m in pattern.finditer(html)]


def check(response) -> None:
    assert policy_of(response) == POLICY
    if response.get("Content-Type", "").startswith("text/html"):
        assert inline_code(response.content.decode()) == []


def test_the_checks_find_what_they_look_for():
    bad = '<p style="x"><button onclick="go()"><script>1</script><div hx-on:click="x"><a href="javascript:x">'
    assert len(inline_code(bad)) == 5
    assert inline_code('<script src="/static/gongfen/app.js" defer></script><p data-confirm="x">') == []


@pytest.mark.parametrize("name", GET_PAGES)
def test_every_page_sends_the_policy_and_has_no_inline_code(name, county, client):
    _method, key, expected = MATRIX[name]
    role = next((role for role, outcome in expected.items() if outcome == "ok"), "org")
    with transaction.atomic():
        spec = object_spec(key)
        if role != "anonymous":
            client.force_login(User.objects.get(username=role))
        response = client.get(reverse(name, args=spec["args"]), follow=True)
        assert response.status_code in (200, 404), response.status_code  # 404: a round the fixture lacks
        check(response)
        transaction.set_rollback(True)


def test_htmx_fragments_login_admin_and_error_pages_too(county, client):
    check(client.get(reverse("login")))
    check(client.get("/no-such-page/"))
    client.force_login(county["org"])
    check(client.get(reverse("ledger:entry", args=[make_objects()["evidence"]["args"][0]])))  # a PDF as evidence
    check(client.get(reverse("ledger:review"), HTTP_HX_REQUEST="true"))
    check(client.get(reverse("admin:index")))
    check(client.get(reverse("admin:accounts_user_changelist")))


def test_htmx_may_not_inject_styles_or_evaluate_code(county, client):
    page = client.get(reverse("login")).content.decode()
    assert '"includeIndicatorStyles": false' in page and '"allowEval": false' in page
