"""The maintained totals always equal a recomputation from the ledger, whatever happens to it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from gongfen.common import DomainError
from gongfen.ledger import services
from gongfen.ledger.models import Entry, EntryStatus
from gongfen.ledger.selectors import totals_mismatches, totals_recomputed
from gongfen.org.models import Cadre
from gongfen.schemes.models import Rule, Scheme
from tests.factories import ACTOR, example_bundle, load

pytestmark = pytest.mark.django_db

# up to late October 2026: never in the future, where declarations are refused
DAYS = st.integers(min_value=0, max_value=300).map(lambda n: date(2026, 1, 1) + timedelta(days=n))
QUANTITIES = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("40"), places=1)


class LedgerMachine(RuleBasedStateMachine):
    """Random sequences of declare / submit / approve / reject / revoke / rule change / re-score."""

    SCHEME = "QX-2026"

    def __init__(self):
        super().__init__()
        self.scheme = Scheme.objects.get(code=self.SCHEME)
        # the leaves an entry may name: v1 rules other than base, tree leaves other than base
        self.rules = list(
            Rule.objects.filter(scheme=self.scheme).exclude(category="base").exclude(kind__in=["base", "internal"])
        )
        self.cadres = list(Cadre.objects.all())
        self.entries: list[Entry] = []

    @rule(cadre=st.integers(0, 7), rule_index=st.integers(0, 5), day=DAYS, quantity=QUANTITIES, submit=st.booleans())
    def declare(self, cadre, rule_index, day, quantity, submit):
        entry = services.entry_declare(
            actor=ACTOR,
            cadre=self.cadres[cadre % len(self.cadres)],
            rule=self.rules[rule_index % len(self.rules)],
            occurred_on=day,
            quantity=quantity,
            submit=submit,
        )
        self.entries.append(entry)

    def _pick(self, index):
        return Entry.objects.get(pk=self.entries[index % len(self.entries)].pk)

    @precondition(lambda self: self.entries)
    @rule(index=st.integers(0, 10_000))
    def approve(self, index):
        entry = self._pick(index)
        try:
            services.entry_approve(actor=ACTOR, entry=entry)
        except DomainError:
            assert entry.status != EntryStatus.PENDING  # drafts must be submitted first

    @precondition(lambda self: self.entries)
    @rule(index=st.integers(0, 10_000))
    def reject(self, index):
        entry = self._pick(index)
        try:
            services.entry_reject(actor=ACTOR, entry=entry, reason="材料不全")
        except DomainError:
            assert entry.status != EntryStatus.PENDING

    @precondition(lambda self: self.entries)
    @rule(index=st.integers(0, 10_000))
    def submit(self, index):
        entry = self._pick(index)
        try:
            services.entry_submit(actor=ACTOR, entry=entry)
        except DomainError:
            assert entry.status != EntryStatus.DECLARED

    @precondition(lambda self: self.entries)
    @rule(index=st.integers(0, 10_000))
    def revoke(self, index):
        entry = self._pick(index)
        try:
            services.entry_revoke(actor=ACTOR, entry=entry, reason="核查不实")
        except DomainError:
            assert entry.status != EntryStatus.APPROVED

    @rule(rule_index=st.integers(0, 5), points=st.integers(1, 9))
    def change_rule(self, rule_index, points):
        """A new rule version (as the scheme editor or a bundle would make): later approvals use it."""
        r = Rule.objects.get(pk=self.rules[rule_index % len(self.rules)].pk)
        r.points = Decimal(points) * (-1 if r.category == "deduction" else 1)
        r.version += 1
        r.save()

    @rule(rule_index=st.integers(0, 5))
    def rescore(self, rule_index):
        services.rule_rescore(actor=ACTOR, rule=self.rules[rule_index % len(self.rules)], reason="按新版规则重算")

    @invariant()
    def totals_equal_recomputation(self):
        assert totals_mismatches(scheme=self.scheme) == []


class MonthlyTreeMachine(LedgerMachine):
    """The same on a monthly item-tree scheme (scoring-v2): totals per leaf and month, measures included."""

    SCHEME = "NY-2026"


@pytest.mark.parametrize(
    ("bundle", "machine"),
    [("qixi-2026q3.json", LedgerMachine), ("nongye-2026m07-m08.json", MonthlyTreeMachine)],
    ids=["v1-quarterly", "v2-monthly-tree"],
)
def test_totals_always_equal_a_recomputation(bundle, machine):
    load(example_bundle(bundle))
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


def test_the_check_can_fail():
    """A total changed behind the ledger's back is found (so the invariant above is not vacuous)."""
    from gongfen.ledger.models import RuleTotal

    load(example_bundle())
    assert totals_mismatches() == []
    total = RuleTotal.objects.first()
    RuleTotal.objects.filter(pk=total.pk).update(amount=total.amount + 1)
    assert len(totals_mismatches()) == 1
    assert totals_recomputed()


def test_a_measure_changed_behind_the_ledgers_back_is_found():
    from gongfen.ledger.models import RuleTotal

    load(example_bundle("nongye-2026m07-m08.json"))
    assert totals_mismatches() == []
    total = RuleTotal.objects.filter(rule__kind="bands").first()
    RuleTotal.objects.filter(pk=total.pk).update(quantity=total.quantity + 1)
    assert len(totals_mismatches()) == 1


def test_the_totals_of_a_monthly_tree_are_per_leaf_and_month_and_rank_as_the_ledger_does():
    """Rankings read the totals only; what they read equals the ledger re-summed (scoring-v2 §5)."""
    from gongfen.ledger.models import RuleTotal
    from gongfen.rankings.selectors import group_by_code, group_ranking
    from gongfen.scoring import ranking_as_dict
    from gongfen.scoring.bundle import rank_bundle

    bundle = example_bundle("nongye-2026m07-m08.json")
    load(bundle)
    assert set(RuleTotal.objects.values_list("period", flat=True)) == {"2026M07", "2026M08"}
    rate = RuleTotal.objects.get(cadre__code="N04", rule__code="T-RATE", period="2026M07")
    assert rate.quantity == Decimal(92) and rate.count == 1
    for period in ("2026M07", "2026M08"):
        got = ranking_as_dict(group_ranking(group_by_code("NY-ALL"), period))
        assert got == rank_bundle(bundle, "NY-ALL", period)


@pytest.mark.parametrize(
    ("bundle", "group", "period"),
    [("nongye-2026m07-m08.json", "NY-ALL", "2026M08"), ("kh-heads-annual-2026.json", "KH-TH", "2026Y")],
)
def test_a_ranking_reads_the_totals_never_the_ledger(bundle, group, period):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongfen.ledger.models import Entry as LedgerEntry
    from gongfen.rankings.selectors import group_by_code, group_ranking

    load(example_bundle(bundle))
    found = group_by_code(group)
    with CaptureQueriesContext(connection) as queries:
        ranking = group_ranking(found, period)
    assert ranking.size > 0
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "ledger_ruletotal" in sql
    assert f'"{LedgerEntry._meta.db_table}"' not in sql
