"""The ranking cache is never stale: after any change that can alter a board, the board changes.

Every check compares the cached ranking (``group_ranking`` with the cache on) with a computation
from the database that bypasses the cache, field by field (``repr``: decimals to the last digit).
"""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule, run_state_machine_as_test

from gongfen.evaluations.models import Ballot
from gongfen.ledger import services as ledger
from gongfen.ledger.models import RuleTotal
from gongfen.org import services as org
from gongfen.org.models import Cadre, Post, Unit
from gongfen.rankings import cache
from gongfen.rankings.models import RankingStamp
from gongfen.rankings.selectors import _load, group_by_code, group_period, group_ranking, groups_queryset, rank_all
from gongfen.schemes import services as schemes
from gongfen.schemes.models import RankingGroup, Rule, Scheme
from gongfen.scoring import rank_group
from tests.factories import ACTOR, example_bundle, load
from tests.ledger.test_totals_property import LedgerMachine
from tests.web_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
GROUP, Q3 = "QX-ALL", "2026Q3"


def fresh(period: str = Q3, code: str = GROUP):
    """The ranking computed from the database now, never from the cache."""
    group = group_by_code(code)
    return rank_group(_load([group], group_period(group, period))[0])


def cached(period: str = Q3, code: str = GROUP):
    return group_ranking(group_by_code(code), period)


def board(period: str = Q3) -> str:
    """The cached board, checked against a fresh computation (``repr``: every decimal digit counts)."""
    shown = repr(cached(period))
    assert shown == repr(fresh(period)), "the cache served a stale ranking"
    return shown


@pytest.fixture
def qixi(ranking_cache):
    load(example_bundle())
    return ranking_cache


def test_a_second_read_is_served_from_the_cache(qixi, django_assert_num_queries):
    first = cached()
    group = group_by_code(GROUP)
    with django_assert_num_queries(1):  # the stamps; no posts, totals or ballots
        assert group_ranking(group, Q3) is first
    assert repr(first) == repr(fresh())


def test_no_cache_inside_a_transaction(qixi):
    """A write sees its own uncommitted rows: what it computes is neither stored nor read from the cache."""
    from django.db import transaction

    outside = cached()
    with transaction.atomic():
        assert not cache.enabled()
        inside = cached()
    assert inside is not outside and repr(inside) == repr(outside)
    assert cache.enabled()


def test_approval_changes_the_board(qixi):
    before = board()
    entry = ledger.entry_declare(
        actor=ACTOR,
        cadre=Cadre.objects.get(code="A03"),
        rule=Rule.objects.get(code="S-INV"),
        occurred_on=date(2026, 8, 3),
    )
    assert board() == before  # pending: nothing a ranking reads has changed
    ledger.entry_approve(actor=ACTOR, entry=entry)
    assert board() != before


def test_a_ballot_changes_the_board(qixi):
    before = board()
    scheme = Scheme.objects.get(code="QX-2026")
    Ballot.objects.bulk_create(
        [Ballot(scheme=scheme, period=Q3, cadre=Cadre.objects.get(code="A05"), evaluator_class="leader", grade="较差")]
        * 3
    )
    assert board() != before


def test_a_post_change_changes_the_board(qixi):
    before = board()
    post = Post.objects.filter(cadre__code="A04", end__isnull=True).first()
    org.post_end(actor=ACTOR, post=post, end=date(2026, 7, 20))  # fewer days: unranked, base points prorated
    assert board() != before
    after_end = board()
    org.post_add(
        actor=ACTOR, cadre=post.cadre, unit=Unit.objects.get(code="QX"), position="一般干部", start=date(2026, 8, 1)
    )
    assert board() != after_end


def test_a_scheme_edit_changes_the_board(qixi):
    before = board()
    scheme = Scheme.objects.get(code="QX-2026")
    tiers = [{"name": t["name"], "cumulative": t["cumulative"]} for t in scheme.tiers]
    tiers[0]["cumulative"] = "0.5"
    schemes.scheme_params_put(actor=ACTOR, scheme=scheme, params={"tiers": tiers}, reason="调整档次比例")
    assert board() != before


def test_a_group_edit_changes_the_board(qixi):
    before = board()
    RankingGroup.objects.filter(code=GROUP).update(select_position="一般干部")
    assert board() != before


def test_a_rescore_changes_the_board(qixi):
    from gongfen.ledger.models import Entry, EntryStatus

    granted = Entry.objects.filter(status=EntryStatus.APPROVED, period=Q3, rule__category="special").first()
    before = board()
    rule = Rule.objects.get(pk=granted.rule_id)
    rule.points, rule.version = rule.points + 7, rule.version + 1  # a new version of the rule
    rule.save()
    edited = board()
    assert edited == before  # approved entries keep their points until re-scored
    ledger.rule_rescore(actor=ACTOR, rule=rule, reason="按新版规则重算")
    assert board() != edited


def test_a_bundle_load_changes_the_board(qixi):
    before = board()
    last = cached().rows[-1].cadre  # the lowest ranked: an extra special task lifts their score
    bundle = example_bundle()
    extra = {
        "id": "EXTRA-1",
        "cadre": last,
        "scheme": "QX-2026",
        "rule": "S-INV",
        "occurred_on": "2026-08-10",
        "quantity": "3",
        "status": "approved",
    }
    bundle["entries"] = [extra]
    load(bundle)
    assert board() != before


def test_a_bulk_copy_of_totals_changes_the_board(qixi):
    """Rows written with the bulk path (COPY on PostgreSQL), as the lean ledger loader writes them."""
    from gongfen.bulk import bulk_insert

    before = board()
    totals = list(RuleTotal.objects.filter(cadre__code="A01", period=Q3))
    RuleTotal.objects.filter(pk__in=[t.pk for t in totals]).delete()
    assert totals and board() != before
    for total in totals:
        total.pk = None
    bulk_insert(RuleTotal, totals)
    assert board() == before


def test_the_previous_quarter_is_in_the_key(qixi):
    """A change to Q2 alters Q3's streak actions: Q3's key holds Q2's stamp."""
    board("2026Q3")
    q2 = RankingStamp.objects.filter(period="2026Q2")
    tokens = set(q2.values_list("token", flat=True))
    scheme = Scheme.objects.get(code="QX-2026")
    Ballot.objects.create(
        scheme=scheme, period="2026Q2", cadre=Cadre.objects.first(), evaluator_class="leader", grade="优秀"
    )
    assert set(RankingStamp.objects.filter(period="2026Q2").values_list("token", flat=True)) != tokens
    key_now = cache.key(
        group_by_code(GROUP), group_period(group_by_code(GROUP), Q3), cache.stamps([scheme.pk], ["2026Q2", Q3])
    )
    assert cache.get(key_now) is None  # the Q3 board must be recomputed
    board("2026Q3")


def test_rank_all_serves_and_fills_the_cache(qixi, django_assert_num_queries):
    [computed] = rank_all(Q3)
    assert repr(computed) == repr(fresh())
    groups = list(groups_queryset())  # with their schemes' rules, as every caller passes them
    with django_assert_num_queries(1):  # the stamps
        [again] = rank_all(Q3, groups)
    assert again is computed


def test_a_stale_entry_would_be_caught(qixi):
    """The checks above can fail: a total changed with the triggers bypassed leaves a stale board."""
    from django.db import connection

    before = board()
    RankingStamp.objects.all().delete()
    cached()  # cached under "no stamp yet"
    with connection.cursor() as cursor:  # a change the triggers would have stamped, then the stamps put back
        cursor.execute("UPDATE ledger_ruletotal SET amount = amount + 5")
    RankingStamp.objects.all().delete()
    assert repr(cached()) != repr(fresh())
    assert before


class BoardMachine(LedgerMachine):
    """The ledger machine plus ballots, posts, scheme edits and restores; after every step the cached
    boards of every quarter equal a fresh computation."""

    def __init__(self):
        super().__init__()
        self.hits = 0

    @rule(cadre=st.integers(0, 7), quarter=st.integers(2, 3), grade=st.sampled_from(["优秀", "良好", "一般", "较差"]))
    def ballot(self, cadre, quarter, grade):
        Ballot.objects.create(
            scheme=self.scheme,
            period=f"2026Q{quarter}",
            cadre=self.cadres[cadre],
            evaluator_class="leader",
            grade=grade,
        )

    @rule(cadre=st.integers(0, 7), days=st.integers(0, 200))
    def move(self, cadre, days):
        """The cadre leaves for 桐村镇 (outside the group) on a day of the year."""
        end = date(2026, 1, 1) + timedelta(days=days)
        post = Post.objects.filter(cadre=self.cadres[cadre], end__isnull=True, start__lte=end).first()
        if post is None or post.unit.code == "TC":
            return
        org.post_end(actor=ACTOR, post=post, end=end)
        org.post_add(
            actor=ACTOR,
            cadre=post.cadre,
            unit=Unit.objects.get(code="TC"),
            position="一般干部",
            start=end + timedelta(days=1),
        )

    @rule(wq=st.integers(5, 9))
    def reweigh(self, wq):
        weights = {"quantitative": f"0.{wq}", "qualitative": f"0.{10 - wq}"}
        schemes.scheme_params_put(actor=ACTOR, scheme=self.scheme, params={"weights": weights}, reason="调整权重")

    @rule()
    def restore(self):
        cache.stamps_renew()

    def teardown(self):
        assert self.hits, "the cache never served a board: the invariant would prove nothing"

    @invariant()
    def boards_are_fresh(self):
        for quarter in ("2026Q2", "2026Q3"):
            first = cached(quarter)
            second = cached(quarter)
            self.hits += first is second
            assert repr(second) == repr(fresh(quarter)), f"stale {quarter} board"


def test_the_cached_board_always_equals_a_fresh_computation(qixi):
    run_state_machine_as_test(
        BoardMachine,
        settings=settings(
            max_examples=6,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


def test_a_published_snapshot_is_parsed_once_and_keyed_by_its_fingerprint(
    county, ranking_cache, django_assert_num_queries
):
    from django.db import connection

    from gongfen.publication.models import Snapshot
    from gongfen.publication.selectors import snapshot_current, snapshot_versions
    from tests.publication.helpers import publish_q3

    group = publish_q3()
    [first] = snapshot_versions(group, Q3)
    assert first.data == Snapshot.objects.get(pk=first.pk).data
    with django_assert_num_queries(1):  # the versions, without their data
        [again] = snapshot_versions(group, Q3)
    assert again.data is first.data
    with django_assert_num_queries(1):
        assert snapshot_current(group, Q3).data is first.data
    with connection.cursor() as cursor:  # as if a restore gave the id to another snapshot (never in place)
        cursor.execute("UPDATE publication_snapshot SET fingerprint = %s WHERE id = %s", ["0" * 64, first.pk])
    [other] = snapshot_versions(group, Q3)
    assert other.data is not first.data and other.data == first.data
