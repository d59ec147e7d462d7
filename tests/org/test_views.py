"""People and posts pages: who sees whom, scope of units, the services' refusals on the forms."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape

from gongfen.audit.models import AuditEvent
from gongfen.common import Actor
from gongfen.org import services
from gongfen.org.models import Cadre, Post, Unit
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

ADMINS_IN_SCOPE = {"org": {"A04", "A07"}, "qx_admin": {"A04"}, "tc_admin": {"A07"}}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The county's eight users are made with set_password; Argon2 would be most of each test's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def state() -> tuple:
    return (
        sorted(Cadre.objects.values_list("code", "name")),
        sorted(Post.objects.values_list("cadre__code", "unit__code", "position", "start", "end")),
        AuditEvent.objects.writes().count(),
    )


def post_of(cadre: str, unit: str) -> Post:
    return Post.objects.get(cadre__code=cadre, unit__code=unit)


def unit_pk(code: str) -> int:
    return Unit.objects.get(code=code).pk


def new_post(unit: str, **changes) -> dict:
    return {"unit": unit_pk(unit), "position": "一般干部", "start": "2026-10-01", "end": ""} | changes


# --- who may open what ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, county):
    post = post_of("A04", "QX")
    urls = [
        reverse("org:people"),
        reverse("org:cadre_add"),
        reverse("org:cadre", args=["A04"]),
        reverse("org:post_add", args=["A04"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    before = state()
    response = client.post(reverse("org:post_end", args=["A04", post.pk]), {"end": "2026-10-31"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert state() == before


@pytest.mark.parametrize("username", ["org", "qx_admin", "tc_admin", "qx_reviewer", "a01"])
def test_who_sees_whom(login, county, username):
    client = login(username)
    admin = username in ADMINS_IN_SCOPE
    for url in (reverse("org:people"), reverse("org:cadre_add")):
        assert client.get(url).status_code == (200 if admin else 404), url
    for code in ("A04", "A07"):  # 齐溪镇, 桐村镇
        expected = 200 if code in ADMINS_IN_SCOPE.get(username, ()) else 404
        for url in (reverse("org:cadre", args=[code]), reverse("org:post_add", args=[code])):
            assert client.get(url).status_code == expected, (username, url)


def test_the_list_shows_the_cadres_in_scope(login, county):
    body = login("qx_admin").get(reverse("org:people")).content.decode()
    for code in ("A01", "A02", "A04", "A08"):  # A01 is in 齐溪镇文旅办, A08 moved to 齐溪镇 in August
        assert f">{code}<" in body, code
    assert ">A07<" not in body
    body = login("tc_admin").get(reverse("org:people")).content.decode()
    assert ">A07<" in body and ">A04<" not in body


@pytest.mark.parametrize("username", ["tc_admin", "qx_reviewer", "a01"])
def test_refused_writes_change_nothing(login, county, username):
    client = login(username)
    before = state()
    post = post_of("A04", "QX")
    assert client.post(reverse("org:post_add", args=["A04"]), new_post("QX")).status_code == 404
    assert client.post(reverse("org:post_end", args=["A04", post.pk]), {"end": "2026-10-31"}).status_code == 404
    response = client.post(reverse("org:cadre_add"), new_post("QX") | {"code": "A09", "name": "甲九"})
    if username == "tc_admin":  # an administrator, but 齐溪镇 is not among the units offered
        assert response.status_code == 200 and "unit" in response.context["form"].errors
    else:
        assert response.status_code == 404
    assert state() == before


def test_a_unit_administrator_cannot_post_outside_their_units(login, county):
    client = login("qx_admin")
    before = state()
    response = client.post(reverse("org:post_add", args=["A04"]), new_post("TC"))
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    response = client.post(reverse("org:cadre_add"), new_post("SK") | {"code": "A09", "name": "甲九"})
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    # A01 is a member of the task force SK: 齐溪镇 may not end that post, nor any post of 桐村镇's A07
    sk = post_of("A01", "SK")
    assert client.post(reverse("org:post_end", args=["A01", sk.pk]), {"end": "2026-10-31"}).status_code == 404
    a07 = post_of("A07", "TC")
    assert client.post(reverse("org:post_end", args=["A07", a07.pk]), {"end": "2026-10-31"}).status_code == 404
    assert client.post(reverse("org:post_end", args=["A04", a07.pk]), {"end": "2026-10-31"}).status_code == 404
    assert state() == before


def test_ending_is_a_post(login, county):
    post = post_of("A04", "QX")
    assert login("qx_admin").get(reverse("org:post_end", args=["A04", post.pk])).status_code == 405


# --- writing ---------------------------------------------------------------------------------------


def test_add_a_cadre(login, county):
    response = login("qx_admin").post(reverse("org:cadre_add"), new_post("QX-WL") | {"code": "A09", "name": "甲九"})
    assert response.status_code == 302 and response.url == reverse("org:cadre", args=["A09"])
    post = post_of("A09", "QX-WL")
    assert (post.position, post.start, post.end) == ("一般干部", date(2026, 10, 1), None)
    event = AuditEvent.objects.get(action="cadre.create")
    assert event.actor.username == "qx_admin" and event.after["posts"][0]["unit"] == "QX-WL"


def test_a_taken_code_is_refused_on_the_field(login, county):
    before = state()
    response = login("qx_admin").post(reverse("org:cadre_add"), new_post("QX") | {"code": "A07", "name": "甲九"})
    assert response.status_code == 200 and "已被使用" in response.context["form"].errors["code"][0]
    assert state() == before


def test_add_a_post_and_end_it(login, county):
    client = login("qx_admin")
    response = client.post(reverse("org:post_add", args=["A04"]), new_post("QX-WL", position="驻村干部"))
    assert response.status_code == 302
    post = post_of("A04", "QX-WL")
    assert AuditEvent.objects.filter(action="post.add", object_id="A04").exists()
    page = client.get(reverse("org:cadre", args=["A04"])).content.decode()
    assert "驻村干部" in page and reverse("org:post_end", args=["A04", post.pk]) in page
    response = client.post(reverse("org:post_end", args=["A04", post.pk]), {"end": "2026-12-31"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.end == date(2026, 12, 31)
    event = AuditEvent.objects.get(action="post.end")
    assert (event.before["end"], event.after["end"], event.actor.username) == (None, "2026-12-31", "qx_admin")


def test_a_post_ending_before_it_starts_is_refused(login, county):
    client = login("qx_admin")
    before = state()
    response = client.post(reverse("org:post_add", args=["A04"]), new_post("QX-WL", end="2026-09-30"))
    message = "任职结束日期 2026-09-30 早于开始日期 2026-10-01 (post ends before it starts)"
    assert response.status_code == 200 and response.context["form"].errors["end"] == [message]
    post = post_of("A04", "QX")  # started 2023-05-01
    response = client.post(reverse("org:post_end", args=["A04", post.pk]), {"end": "2023-04-30"})
    assert response.status_code == 400
    assert escape("任职结束日期 2023-04-30 早于开始日期 2023-05-01") in response.content.decode()
    assert state() == before


def test_the_cadre_page_shows_posts_over_time_and_concurrent_ones(login, county):
    body = login("org").get(reverse("org:cadre", args=["A01"])).content.decode()
    assert "齐溪镇文旅办" in body and "水库征迁指挥中心" in body
    assert "兼任·专班" in body and "同时任职" not in body  # the home post is not flagged for a task force
    body = login("org").get(reverse("org:cadre", args=["A08"])).content.decode()
    assert body.index("2020-01-01") < body.index("2026-08-01")  # earliest first
    assert "2026-07-31" in body and "兼任·" not in body and "同时任职" not in body


def test_two_home_posts_at_a_time_are_flagged(login, county):
    services.post_add(
        actor=Actor(None, "test"),
        cadre=Cadre.objects.get(code="A04"),
        unit=Unit.objects.get(code="QX-WL"),
        position="中层干部",
        start=date(2026, 9, 1),
    )
    body = login("qx_admin").get(reverse("org:cadre", args=["A04"])).content.decode()
    assert body.count("同时任职") == 2 and "兼任·" not in body


def test_positions_are_suggested_from_the_base_rules(login, county):
    body = login("qx_admin").get(reverse("org:post_add", args=["A04"])).content.decode()
    datalist = body.split('<datalist id="position-choices">')[1].split("</datalist>")[0]
    assert '<option value="一般干部">' in datalist and '<option value="中层干部">' in datalist


# --- the list: search, filter, htmx, pages, queries ---------------------------------------------------


def codes_in(body: str) -> set[str]:
    return {code for code in Cadre.objects.values_list("code", flat=True) if f">{code}<" in body}


def test_search_and_filter(login, county):
    client = login("qx_admin")
    assert codes_in(client.get(reverse("org:people"), {"q": "甲四"}).content.decode()) == {"A04"}
    assert codes_in(client.get(reverse("org:people"), {"q": "a0"}).content.decode()) == {
        "A01",
        "A02",
        "A03",
        "A04",
        "A05",
        "A06",
        "A08",
    }
    assert codes_in(client.get(reverse("org:people"), {"unit": unit_pk("QX-WL")}).content.decode()) == {"A01"}
    response = client.get(reverse("org:people"), {"unit": unit_pk("TC")})  # not theirs
    assert "unit" in response.context["form"].errors and "A07" not in codes_in(response.content.decode())


def test_the_filter_answers_htmx_with_the_results_only(login, county):
    response = login("qx_admin").get(reverse("org:people"), {"q": "甲四"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and 'id="people"' in body and codes_in(body) == {"A04"}
    assert "HX-Request" in response["Vary"]
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}  # back button: the whole page
    assert "<html" in login("qx_admin").get(reverse("org:people"), {"q": "甲四"}, headers=restore).content.decode()


def test_pages_and_query_count(login, county, django_assert_num_queries):
    client = login("qx_admin")
    with django_assert_num_queries(8):  # 7 + the unread-notices badge of the top nav
        assert client.get(reverse("org:people")).status_code == 200
    qx = Unit.objects.get(code="QX")
    for i in range(40):
        services.cadre_create(
            actor=Actor(None, "test"),
            code=f"B{i:02}",
            name=f"乙{i}",
            unit=qx,
            position="一般干部",
            start=date(2026, 1, 1),
        )
    with django_assert_num_queries(8):
        first = client.get(reverse("org:people")).content.decode()
    second = client.get(reverse("org:people"), {"page": 2}).content.decode()
    assert len(codes_in(first)) == 30 and len(codes_in(second)) == 17
    assert not codes_in(first) & codes_in(second)
    with django_assert_num_queries(6):  # the htmx fragment draws no unit list
        client.get(reverse("org:people"), {"q": "乙", "page": 2}, headers={"HX-Request": "true"})
