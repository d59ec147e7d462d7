"""Cadres and posts: checked as a bundle's would be, audited with before and after, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest

from gongfen.audit.models import AuditEvent
from gongfen.common import Actor, DomainError
from gongfen.interchange.services import workspace_for
from gongfen.interchange.validate import check_bundle
from gongfen.org import services
from gongfen.org.models import Cadre, Post, Unit
from tests.factories import example_bundle, load

pytestmark = pytest.mark.django_db

ACTOR = Actor(None, "test")


@pytest.fixture
def county():
    load(example_bundle())


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def cadre(code: str) -> Cadre:
    return Cadre.objects.get(code=code)


def state() -> tuple:
    return (
        sorted(Cadre.objects.values_list("code", "name")),
        sorted(Post.objects.values_list("cadre__code", "unit__code", "position", "start", "end")),
        AuditEvent.objects.count(),
    )


def test_create_a_cadre_with_a_first_post(county):
    new = services.cadre_create(
        actor=ACTOR, code="A09", name="甲九", unit=unit("QX-WL"), position="一般干部", start=date(2026, 10, 1)
    )
    post = new.posts.get()
    assert (post.unit.code, post.position, post.start, post.end) == ("QX-WL", "一般干部", date(2026, 10, 1), None)
    event = AuditEvent.objects.get(action="cadre.create")
    assert (event.object_type, event.object_id, event.before) == ("org.cadre", "A09", None)
    assert event.after == {
        "code": "A09",
        "name": "甲九",
        "posts": [{"id": post.pk, "unit": "QX-WL", "position": "一般干部", "start": "2026-10-01", "end": None}],
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "A01"}, "code"),  # taken
        ({"code": "A 09"}, "code"),  # a bundle code has no space
        ({"code": "QX/A09"}, "code"),  # nor a slash
        ({"code": ""}, "code"),
        ({"name": "  "}, "name"),
        ({"position": ""}, "position"),
        ({"end": date(2026, 9, 30)}, "end"),  # before the start
    ],
)
def test_create_refuses(county, changes, field):
    before = state()
    values = {"code": "A09", "name": "甲九", "unit": unit("QX"), "position": "一般干部", "start": date(2026, 10, 1)}
    with pytest.raises(DomainError) as caught:
        services.cadre_create(actor=ACTOR, **(values | changes))
    assert caught.value.field == field
    assert state() == before


def test_a_post_ending_before_it_starts_is_refused_with_the_loaders_words(county):
    bundle = example_bundle()
    bundle["cadres"][3]["posts"][0]["end"] = "2023-04-30"  # A04 started 2023-05-01
    expected = [p.message for p in check_bundle(bundle, workspace_for(bundle)) if p.path.endswith(".end")]
    with pytest.raises(DomainError) as caught:
        services.post_add(
            actor=ACTOR,
            cadre=cadre("A04"),
            unit=unit("QX-WL"),
            position="一般干部",
            start=date(2023, 5, 1),
            end=date(2023, 4, 30),
        )
    assert [caught.value.message] == expected
    with pytest.raises(DomainError) as caught:
        services.post_end(actor=ACTOR, post=cadre("A04").posts.get(), end=date(2023, 4, 30))
    assert [caught.value.message] == expected


def test_add_a_concurrent_post_audited(county):
    a01 = cadre("A01")
    post = services.post_add(
        actor=ACTOR, cadre=a01, unit=unit("SK"), position="组员", start=date(2026, 3, 1), end=date(2026, 12, 31)
    )
    assert a01.posts.count() == 2
    event = AuditEvent.objects.get(action="post.add")
    assert (event.object_id, event.before) == ("A01", None)
    assert event.after == {"id": post.pk, "unit": "SK", "position": "组员", "start": "2026-03-01", "end": "2026-12-31"}


def test_the_same_position_in_the_same_unit_twice_at_a_time_is_refused(county):
    before = state()
    with pytest.raises(DomainError) as caught:
        services.post_add(actor=ACTOR, cadre=cadre("A04"), unit=unit("QX"), position="一般干部", start=date(2026, 1, 1))
    assert caught.value.field == "start" and "重叠" in caught.value.message
    assert state() == before
    # after the old one ends, it may start again
    services.post_add(
        actor=ACTOR, cadre=cadre("A08"), unit=unit("TC"), position="一般干部", start=date(2026, 8, 1), end=None
    )


def test_end_a_post_audited_with_before_and_after(county):
    post = cadre("A04").posts.get()
    services.post_end(actor=ACTOR, post=post, end=date(2026, 10, 31))
    post.refresh_from_db()
    assert post.end == date(2026, 10, 31)
    event = AuditEvent.objects.get(action="post.end")
    assert (event.before["end"], event.after["end"], event.object_id) == (None, "2026-10-31", "A04")


def test_a_post_ends_once(county):
    post = cadre("A08").posts.get(unit__code="TC")  # ended 2026-07-31
    before = state()
    with pytest.raises(DomainError) as caught:
        services.post_end(actor=ACTOR, post=post, end=date(2026, 8, 31))
    assert caught.value.field == "end" and "已于 2026-07-31 结束" in caught.value.message
    assert state() == before
