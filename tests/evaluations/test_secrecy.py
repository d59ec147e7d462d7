"""Nobody, administrators included, can read a named ballot through the product.

Three angles: the schema has no column that could link a grade to a voter, a
code or a time; every evaluation page is byte-for-byte the same whatever the
grades were (so no page can reveal one); and no query the pages run reads the
votes or drafts at all, let alone joins votes with who voted.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongfen.accounts.models import User
from gongfen.accounts.services import user_create
from gongfen.evaluations import services
from gongfen.evaluations.models import Ballot, Draft, Participation, PublicCode, Vote, Voter
from gongfen.org.models import Cadre
from tests.web_fixtures import ACTOR, PASSWORD

from .conftest import admin_actor, as_user
from .test_services import cast_the_example

pytestmark = pytest.mark.django_db

GRADES = ("优秀", "良好", "一般", "较差")
VOTERS = ("qx_reviewer", "a01", "a04")


def related_models(model) -> set:
    """The models ``model``'s own columns (and many-to-many fields) point at."""
    return {f.related_model for f in model._meta.get_fields() if f.is_relation and not f.auto_created}


def test_the_schema_cannot_link_a_grade_to_a_voter():
    for model in (Vote, Ballot):
        concrete = {f.name for f in model._meta.concrete_fields}
        assert User not in related_models(model), model
        assert not related_models(model) & {Participation, PublicCode, Voter, Draft}, model
        assert not any(isinstance(f, models.DateTimeField | models.DateField) for f in model._meta.concrete_fields)
        assert not concrete & {"user", "voter", "code", "at", "created_at"}, model
    assert {f.name for f in Vote._meta.concrete_fields} == {"id", "round", "cadre", "evaluator_class", "grade"}
    assert isinstance(Vote._meta.pk, models.UUIDField)  # random ids: insertion order cannot be read from them
    for model in (Participation, PublicCode, Voter):
        assert not related_models(model) & {Vote, Ballot}, model
        assert not {f.name for f in model._meta.concrete_fields} & {"cadre", "grade", "vote", "ballot"}, model
    # nothing anywhere points at a vote
    assert [m for m in apps.get_models() if Vote in related_models(m)] == []


def test_the_admin_offers_no_vote_participation_draft_or_code():
    registered = set(admin.site._registry)
    assert not registered & {Vote, Participation, Draft, PublicCode}
    assert Ballot in registered  # anonymous by construction


# --- the pages ------------------------------------------------------------------------------


def round_pages(round_) -> list[tuple[str, str, dict]]:
    """(user, url, headers) of every evaluation page, for the round's state."""
    args = [round_.group.code, round_.period]
    admin_pages = ["round", "voters", "codes", "turnout"]
    admin_pages += ["edit"] if round_.state != "closed" else ["reopen"]
    pages = [("org", reverse("evaluations:list"), {})]
    pages += [("org", reverse(f"evaluations:{name}", args=args), {}) for name in admin_pages]
    pages += [("qx_admin", reverse(f"evaluations:{name}", args=args), {}) for name in ("round", "turnout")]
    pages += [("org", reverse("evaluations:turnout", args=args), {"HTTP_HX_REQUEST": "true"})]
    pages += [(voter, reverse("evaluations:vote", args=args), {}) for voter in VOTERS]
    pages += [(voter, reverse("evaluations:list"), {}) for voter in VOTERS]
    return pages


def public_pages(codes) -> list[tuple[str, str, dict]]:
    url = reverse("evaluations:vote_public")
    return [("", f"{url}?code={code}", {}) for code in codes]


TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=|name="csrf-token" content=)"[^"]*"')


def render_all(client, pages) -> dict[str, str]:
    out = {}
    for username, url, headers in pages:
        client.logout()
        if username:
            client.force_login(User.objects.get(username=username))
        response = client.get(url, **headers)
        assert response.status_code == 200, (username, url, response.status_code)
        out[f"{username} {url} {headers}"] = TOKEN.sub(r"\1-", response.content.decode())
    return out


SWAP = {"优秀": "较差", "较差": "优秀", "良好": "一般", "一般": "良好"}


def swap_every_grade() -> None:
    """Another world: the same people voted, with other grades."""
    for model in (Vote, Ballot):
        for old, new in SWAP.items():
            model.objects.filter(grade=old).update(grade=f"~{new}")
        for new in SWAP.values():
            model.objects.filter(grade=f"~{new}").update(grade=new)


@pytest.fixture
def cast(evaluation):
    cast_the_example(evaluation)
    return evaluation


def test_no_page_depends_on_the_grades_cast(cast, client):
    round_ = cast["round"]
    open_pages = round_pages(round_) + public_pages(cast["codes"][:2])
    before = render_all(client, open_pages)
    swap_every_grade()
    assert render_all(client, open_pages) == before

    services.round_close(actor=admin_actor(), round=round_)
    round_.refresh_from_db()
    closed_pages = round_pages(round_) + public_pages(cast["codes"][:2])
    before = render_all(client, closed_pages)
    assert Ballot.objects.filter(round=round_).exists()
    swap_every_grade()
    assert render_all(client, closed_pages) == before


class _Blocks(HTMLParser):
    """The text of every row, list item and fieldset."""

    BLOCKS = {"tr", "li", "fieldset", "dd", "p"}

    def __init__(self):
        super().__init__()
        self.stack: list[list[str]] = []
        self.blocks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.stack.append([])

    def handle_endtag(self, tag):
        if tag in self.BLOCKS and self.stack:
            text = "".join(self.stack.pop())
            self.blocks.append(text)
            if self.stack:
                self.stack[-1].append(text)

    def handle_data(self, data):
        if self.stack:
            self.stack[-1].append(data)


def test_no_voter_name_appears_next_to_a_grade(cast, client):
    names = {u.username for u in User.objects.filter(username__in=VOTERS)}
    names |= {u.display_name for u in User.objects.filter(username__in=VOTERS)}
    round_ = cast["round"]
    for state in ("open", "closed"):
        if state == "closed":
            services.round_close(actor=admin_actor(), round=round_)
            round_.refresh_from_db()
        admin_only = [p for p in round_pages(round_) if p[0] in ("org", "qx_admin")]
        for page, html in render_all(client, admin_only).items():
            parser = _Blocks()
            parser.feed(html)
            for block in parser.blocks:
                assert not (any(n in block for n in names) and any(g in block for g in GRADES)), (page, block)


VOTE_TABLE = f'"{Vote._meta.db_table}"'
DRAFT_TABLE = f'"{Draft._meta.db_table}"'
PARTICIPATION_TABLE = f'"{Participation._meta.db_table}"'


def test_the_pages_never_read_votes_nor_join_them_to_who_voted(cast, client):
    round_ = cast["round"]
    a05 = user_create(actor=ACTOR, username="a05", password=PASSWORD, cadre=Cadre.objects.get(code="A05"))
    peers = [*User.objects.filter(username__in=["a01", "a04"]), a05]
    services.voters_set(actor=admin_actor(), round=round_, evaluator_class="peer", users=peers)
    services.vote_save_draft(actor=as_user("a05"), round=round_, grades={"A01": "较差"})  # a draft lies in the table
    for state in ("open", "closed"):
        if state == "closed":
            services.round_close(actor=admin_actor(), round=round_)
            round_.refresh_from_db()
        pages = round_pages(round_) + public_pages(cast["codes"][:1])
        for username, url, headers in pages:
            client.logout()
            if username:
                client.force_login(User.objects.get(username=username))
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, **headers).status_code == 200
            for query in queries.captured_queries:
                sql = query["sql"]
                assert not (VOTE_TABLE in sql and PARTICIPATION_TABLE in sql), (url, sql)
                assert VOTE_TABLE not in sql, (username, url, sql)  # pages count who voted, never votes
                assert DRAFT_TABLE not in sql or username in VOTERS, (username, url, sql)
