"""Issue 14, finding 4: nothing a unit administrator can do reads the votes of an open round.

The attack: remove a grade from the scheme, try to close the round, read the refusal naming the grades the
votes contain, put the grade back. Now the scheme's grades and classes are frozen while a round of it is
open (the refusal is the same whatever the votes hold), and no refusal names a grade from the votes. On
SQLite the raw rows of the votes table no longer follow the order in which voters took part.
"""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from gongfen.common import DomainError
from gongfen.evaluations import services
from gongfen.evaluations.models import RoundState, Vote
from gongfen.interchange.validate import BundleInvalid
from gongfen.schemes import services as schemes
from gongfen.schemes.models import Scheme
from tests.conftest import database_vendor

from .conftest import admin_actor, all_grades, as_user, counts

GRADES = ["优秀", "良好", "一般", "较差"]


def refusal_when_removing(grade: str) -> list[str]:
    scheme = Scheme.objects.get(code="QX-2026")
    grades = {g["name"]: str(g["value"]) for g in scheme.grades if g["name"] != grade}
    with pytest.raises(BundleInvalid) as caught:
        schemes.scheme_params_put(actor=admin_actor(), scheme=scheme, params={"grades": grades}, reason="x")
    return [str(p) for p in caught.value.problems]


def test_the_grades_and_classes_are_frozen_while_a_round_is_open_whatever_the_votes(evaluation):
    round_ = evaluation["round"]
    services.vote_submit_public(round=round_, code=evaluation["codes"][0], grades=all_grades(round_, grade="较差"))
    before = counts()
    # one grade is in the votes, another is not: the same refusal, naming no grade
    present, absent = refusal_when_removing("较差"), refusal_when_removing("优秀")
    assert present == absent and len(present) == 1
    assert "进行中的评价轮次" in present[0] and not any(g in present[0] for g in GRADES)
    scheme = Scheme.objects.get(code="QX-2026")
    classes = {c["name"]: str(c["weight"]) for c in scheme.evaluator_classes}
    classes.pop(next(iter(classes)))
    with pytest.raises(BundleInvalid) as caught:
        schemes.scheme_params_put(actor=admin_actor(), scheme=scheme, params={"evaluator_classes": classes})
    assert any("进行中的评价轮次" in str(p) for p in caught.value.problems)
    assert counts() == before
    scheme.refresh_from_db()
    assert [g["name"] for g in scheme.grades] == GRADES
    # other parameters still change; once the round is closed the grades do too
    schemes.scheme_params_put(actor=admin_actor(), scheme=scheme, params={"min_days": 31}, reason="x")
    services.round_close(actor=admin_actor(), round=round_)
    grades = {g["name"]: str(g["value"]) for g in scheme.grades} | {"很差": "30"}
    schemes.scheme_params_put(actor=admin_actor(), scheme=scheme, params={"grades": grades}, reason="x")


def test_the_editor_says_the_grades_are_frozen(evaluation, login):
    page = login("qx_admin").get(reverse("schemes:params", args=["QX-2026"])).content.decode()
    assert 'id="grades-frozen"' in page and "进行中的评价轮次" in page


def test_closing_after_a_direct_edit_names_nothing_from_the_votes(evaluation):
    round_ = evaluation["round"]
    services.vote_submit_public(round=round_, code=evaluation["codes"][0], grades=all_grades(round_, grade="较差"))
    Scheme.objects.filter(code="QX-2026").update(grades=[{"name": "优秀", "value": 100}])  # behind the product
    with pytest.raises(DomainError) as caught:
        services.round_close(actor=admin_actor(), round=round_)
    assert not any(g in caught.value.message for g in GRADES)
    round_.refresh_from_db()
    assert round_.state == RoundState.OPEN


@pytest.mark.skipif(database_vendor() != "sqlite", reason="the physical order of SQLite's rows")
def test_on_sqlite_the_raw_rows_of_the_votes_say_nothing_of_the_order_of_voting(evaluation):
    round_ = evaluation["round"]
    table = Vote._meta.db_table
    with connection.cursor() as cursor, pytest.raises(OperationalError):  # no rowid: rows in random-key order
        cursor.execute(f'SELECT rowid FROM "{table}"')
    leader = all_grades(round_, evaluation["users"]["qx_reviewer"], grade="优秀")
    services.vote_submit(actor=as_user("qx_reviewer"), round=round_, grades=leader)
    cast = ["优秀"] * len(leader)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "id", "grade" FROM "{table}"')  # a raw scan: the file's order
        first = cursor.fetchall()
    for i, code in enumerate(evaluation["codes"][:4]):
        ballot = all_grades(round_, grade=GRADES[1 + i % 3])
        services.vote_submit_public(round=round_, code=code, grades=ballot)
        cast += list(ballot.values())
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "id", "grade" FROM "{table}"')
        rows = cursor.fetchall()
    # every write gave every vote a new key: the first voter's rows cannot be found by their keys ...
    assert not {i for i, _ in first} & {i for i, _ in rows}
    # ... and the raw order is the order of the keys, not of the voting
    assert [i for i, _ in rows] == sorted(i for i, _ in rows)
    assert sorted(g for _, g in rows) == sorted(cast)
    assert [g for _, g in rows] != cast  # ~35 rows in 5 runs: a random order matches with probability < 1e-12
