"""A broken bundle loads nothing and reports every problem with its JSON path (scoring.md, "Fine points", "Interchange").

Each case starts from the worked example ``qixi-2026q3.json`` and breaks it one
way; it is tried on an empty workspace and on one that already holds the
example, so that "the database is unchanged" is not trivially true.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal

import pytest

from gongfen import cli
from gongfen.audit.models import AuditEvent
from gongfen.evaluations.models import Ballot
from gongfen.interchange.selectors import bundle_dump
from gongfen.interchange.services import read_bundle
from gongfen.interchange.validate import BundleInvalid
from gongfen.ledger.models import Entry, EntryEvent, EntryKind, EntryStatus, RuleTotal
from gongfen.ledger.selectors import totals_mismatches
from gongfen.org.models import Cadre, Post, Unit
from gongfen.rankings.selectors import group_by_code, group_ranking
from gongfen.schemes.models import RankingGroup, Rule, RuleVersion, Scheme
from gongfen.scoring import ranking_as_dict
from tests.factories import example_bundle, load

pytestmark = pytest.mark.django_db

MODELS = [Unit, Cadre, Post, Scheme, Rule, RuleVersion, RankingGroup, Entry, EntryEvent, RuleTotal, Ballot, AuditEvent]
Mutation = Callable[[dict], None]


# --- helpers -------------------------------------------------------------------------


def snapshot() -> dict:
    """Everything a load could touch: row counts of every model, the workspace as a bundle, the totals."""
    counts = {m.__name__: m.objects.count() for m in MODELS}
    if not any(counts.values()):
        return {"counts": counts}  # an empty workspace: the counts say it all
    return {
        "counts": counts,
        "dump": bundle_dump(),
        "totals": sorted(
            RuleTotal.objects.values_list("cadre__code", "scheme__code", "rule__code", "period", "amount", "count")
        ),
        "entries": sorted(Entry.objects.values_list("code", "status", "kind", "points", "amount", "rule_version")),
        "rules": sorted(Rule.objects.values_list("scheme__code", "code", "version", "points", "category")),
    }


def problems_of(bundle) -> list[tuple[str, str]]:
    with pytest.raises(BundleInvalid) as caught:
        load(bundle)
    assert caught.value.problems, "BundleInvalid without problems"
    return [(p.path, p.message) for p in caught.value.problems]


def assert_listed(problems: list[tuple[str, str]], path: str, pattern: str | None = None) -> None:
    hits = [message for p, message in problems if p == path]
    assert hits, f"no problem at {path}; got {problems}"
    if pattern:
        assert any(re.search(pattern, m) for m in hits), f"no problem at {path} matching {pattern!r}; got {hits}"


def walk(bundle: dict, keys: tuple):
    target = bundle
    for key in keys:
        target = target[key]
    return target


def put(*keys, value) -> Mutation:
    def mutate(bundle: dict) -> None:
        walk(bundle, keys[:-1])[keys[-1]] = value

    return mutate


def drop(*keys) -> Mutation:
    def mutate(bundle: dict) -> None:
        del walk(bundle, keys[:-1])[keys[-1]]

    return mutate


def append_copy(*keys) -> Mutation:
    """Append to the list at ``keys[:-1]`` a copy of its item ``keys[-1]`` (a repeated code)."""

    def mutate(bundle: dict) -> None:
        items = walk(bundle, keys[:-1])
        items.append(json.loads(json.dumps(items[keys[-1]])))

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(bundle: dict) -> None:
        for m in mutations:
            m(bundle)

    return mutate


@pytest.fixture(params=["empty", "loaded"])
def workspace(request) -> str:
    """An empty workspace, or one that already holds the example."""
    if request.param == "loaded":
        load(example_bundle())
    return request.param


# --- one break per case ------------------------------------------------------------------
# qixi-2026q3: units KH QX QX-WL TC SK; cadres A01…A08 (A08 has two posts); one scheme QX-2026 whose
# rules are B-GEN B-MID (base) Z-DAY R-TASK (routine) S-RES S-INV (special) D-ERR D-VETO (deduction);
# one group QX-ALL; entries E01…E16 (E14 = entries[13] is A05's veto); 15 ballots.

R = ("schemes", 0, "rules")
CASES: list[tuple[str, Mutation, str, str]] = [
    # a reference names nothing
    ("unknown-rule", put("entries", 3, "rule", value="S-NOPE"), "$.entries[3].rule", "unknown rule"),
    ("rule-of-other-scheme", put("entries", 3, "rule", value="K-PROJ"), "$.entries[3].rule", "unknown rule"),
    ("unknown-cadre-entry", put("entries", 3, "cadre", value="Z99"), "$.entries[3].cadre", "unknown cadre"),
    ("unknown-cadre-ballot", put("ballots", 2, "cadre", value="Z99"), "$.ballots[2].cadre", "unknown cadre"),
    ("unknown-scheme-entry", put("entries", 3, "scheme", value="NO-2026"), "$.entries[3].scheme", "unknown scheme"),
    ("unknown-scheme-ballot", put("ballots", 2, "scheme", value="NO-2026"), "$.ballots[2].scheme", "unknown scheme"),
    ("unknown-scheme-group", put("groups", 0, "scheme", value="NO-2026"), "$.groups[0].scheme", "unknown scheme"),
    (
        "unknown-scheme-derived",
        put("schemes", 0, "derived_from", value="NO-2026"),
        "$.schemes[0].derived_from",
        "unknown scheme",
    ),
    ("scheme-derived-from-itself", put("schemes", 0, "derived_from", value="QX-2026"), "$.schemes[0].derived_from", ""),
    (
        "unknown-unit-post",
        put("cadres", 1, "posts", 0, "unit", value="NOPE"),
        "$.cadres[1].posts[0].unit",
        "unknown unit",
    ),
    ("unknown-unit-parent", put("units", 2, "parent", value="NOPE"), "$.units[2].parent", "unknown unit"),
    (
        "unknown-unit-group",
        put("groups", 0, "select", "unit", value="NOPE"),
        "$.groups[0].select.unit",
        "unknown unit",
    ),
    ("unknown-unit-scheme", put("schemes", 0, "unit", value="NOPE"), "$.schemes[0].unit", "unknown unit"),
    # dates
    *[
        (f"bad-date-{where}-{value}", put(*keys, value=value), path, "not a valid date|wrong format")
        for value in ("2026-02-30", "2026/07/01", "20260701", "2026-7-1", "2026-13-01")
        for where, keys, path in [
            ("entry", ("entries", 3, "occurred_on"), "$.entries[3].occurred_on"),
            ("post-start", ("cadres", 7, "posts", 1, "start"), "$.cadres[7].posts[1].start"),
            ("post-end", ("cadres", 7, "posts", 0, "end"), "$.cadres[7].posts[0].end"),
        ]
    ],
    ("post-ends-before-start", put("cadres", 1, "posts", 0, "end", value="2023-12-31"), "$.cadres[1].posts[0].end", ""),
    # quantities
    *[
        (f"quantity-{q}", put("entries", 3, "quantity", value=q), "$.entries[3].quantity", "quantity must be > 0")
        for q in ("0", "-1", "0.0000", "-0")
    ],
    ("quantity-a-number", put("entries", 3, "quantity", value=2), "$.entries[3].quantity", "wrong type"),
    ("quantity-not-decimal", put("entries", 3, "quantity", value="2x"), "$.entries[3].quantity", "wrong format"),
    # a code repeats within its list
    ("duplicate-unit", append_copy("units", 1), "$.units[5].code", "duplicate code"),
    ("duplicate-cadre", append_copy("cadres", 0), "$.cadres[8].code", "duplicate code"),
    ("duplicate-scheme", append_copy("schemes", 0), "$.schemes[1].code", "duplicate code"),
    ("duplicate-group", append_copy("groups", 0), "$.groups[1].code", "duplicate code"),
    ("duplicate-rule", append_copy(*R, 3), "$.schemes[0].rules[8].code", "duplicate code"),
    ("duplicate-entry", append_copy("entries", 0), "$.entries[16].id", "duplicate code"),
    ("duplicate-entry-other-content", put("entries", 5, "id", value="E01"), "$.entries[5].id", "duplicate code"),
    # rules
    ("cap-on-base-rule", put(*R, 0, "cap", value="10"), "$.schemes[0].rules[0].cap", "base rule takes no cap"),
    # 0 points and caps of 0 are valid (scoring-v2 §13; test_broken_bundles_v2 loads them)
    ("deduction-positive", put(*R, 6, "points", value="2"), "$.schemes[0].rules[6].points", "must be ≤ 0"),
    (
        "category-cap-negative",
        put("schemes", 0, "category_caps", "special", value="-1"),
        "$.schemes[0].category_caps.special",
        "cap must be ≥ 0",
    ),
    ("cap-negative", put(*R, 2, "cap", value="-1"), "$.schemes[0].rules[2].cap", "cap must be ≥ 0"),
    ("routine-negative", put(*R, 3, "points", value="-1.5"), "$.schemes[0].rules[3].points", "must be ≥ 0"),
    ("base-negative", put(*R, 0, "points", value="-60"), "$.schemes[0].rules[0].points", "must be ≥ 0"),
    ("unknown-category", put(*R, 3, "category", value="bonus"), "$.schemes[0].rules[3].category", "allowed value"),
    # entries naming a base rule
    ("entry-names-base-rule", put("entries", 3, "rule", value="B-GEN"), "$.entries[3].rule", "base rule"),
    (
        "entry-points-sign",
        put("entries", 3, "points", value="-6"),
        "$.entries[3].points",
        "points sign",
    ),
    # ballots
    ("ballot-grade", put("ballots", 0, "grade", value="极好"), "$.ballots[0].grade", "grade not in scheme"),
    ("ballot-class", put("ballots", 0, "class", value="masses"), "$.ballots[0].class", "class not in scheme"),
    ("ballot-period", put("ballots", 0, "period", value="2026Q5"), "$.ballots[0].period", "wrong format"),
    # tiers
    (
        "tiers-end-below-1",
        put("schemes", 0, "tiers", 3, "cumulative", value="0.99"),
        "$.schemes[0].tiers[3].cumulative",
        "end at 1",
    ),
    (
        "tiers-end-above-1",
        put("schemes", 0, "tiers", 3, "cumulative", value="1.2"),
        "$.schemes[0].tiers[3].cumulative",
        "end at 1",
    ),
    ("tiers-last-dropped", drop("schemes", 0, "tiers", 3), "$.schemes[0].tiers[2].cumulative", "end at 1"),
    (
        "tiers-equal",
        put("schemes", 0, "tiers", 1, "cumulative", value="0.2"),
        "$.schemes[0].tiers[1].cumulative",
        "strictly increase",
    ),
    (
        "tiers-decreasing",
        put("schemes", 0, "tiers", 2, "cumulative", value="0.5"),
        "$.schemes[0].tiers[2].cumulative",
        "strictly increase",
    ),
    (
        "tiers-start-at-0",
        put("schemes", 0, "tiers", 0, "cumulative", value="0"),
        "$.schemes[0].tiers[0].cumulative",
        "strictly increase",
    ),
    ("tiers-empty", put("schemes", 0, "tiers", value=[]), "$.schemes[0].tiers", "non-empty"),
    # weights
    ("weights-sum", put("schemes", 0, "weights", "qualitative", value="0.4"), "$.schemes[0].weights", "sum to 1"),
    (
        "weights-sum-below",
        put("schemes", 0, "weights", "quantitative", value="0.6"),
        "$.schemes[0].weights",
        "sum to 1",
    ),
    (
        "class-weight-0",
        put("schemes", 0, "evaluator_classes", "public", value="0"),
        "$.schemes[0].evaluator_classes.public",
        "class weight must be > 0",
    ),
    (
        "class-weight-negative",
        put("schemes", 0, "evaluator_classes", "public", value="-0.3"),
        "$.schemes[0].evaluator_classes.public",
        "class weight must be > 0",
    ),
    # the unit tree has a cycle
    ("cycle-of-two", put("units", 1, "parent", value="QX-WL"), "$.units[1].parent", "cycle"),
    ("cycle-self-parent", put("units", 3, "parent", value="TC"), "$.units[3].parent", "cycle"),
    # the document itself
    ("wrong-format", put("format", value="gongfen-bundle/3"), "$.format", "this version reads gongfen-bundle/1"),
    ("no-format", drop("format"), "$.format", "missing field"),
    ("missing-occurred-on", drop("entries", 3, "occurred_on"), "$.entries[3].occurred_on", "missing field"),
    ("missing-cadre-name", drop("cadres", 0, "name"), "$.cadres[0].name", "missing field"),
    ("missing-scheme-tiers", drop("schemes", 0, "tiers"), "$.schemes[0].tiers", "missing field"),
    ("unknown-field-entry", put("entries", 3, "foo", value=1), "$.entries[3].foo", "unknown field"),
    ("unknown-field-top", put("extra", value=[]), "$.extra", "unknown field"),
    (
        "unknown-field-post",
        put("cadres", 0, "posts", 0, "role", value="x"),
        "$.cadres[0].posts[0].role",
        "unknown field",
    ),
    ("code-with-slash", put("cadres", 0, "code", value="A/01"), "$.cadres[0].code", "wrong format"),
    # decimals with more than 4 places
    ("quantity-5-places", put("entries", 3, "quantity", value="1.00001"), "$.entries[3].quantity", "4 decimals"),
    ("points-5-places", put(*R, 3, "points", value="1.50001"), "$.schemes[0].rules[3].points", "4 decimals"),
    ("cap-5-places", put(*R, 2, "cap", value="20.00001"), "$.schemes[0].rules[2].cap", "4 decimals"),
    ("entry-points-5-places", put("entries", 3, "points", value="6.00001"), "$.entries[3].points", "4 decimals"),
    (
        "weight-5-places",
        both(
            put("schemes", 0, "weights", "quantitative", value="0.70001"),
            put("schemes", 0, "weights", "qualitative", value="0.29999"),
        ),
        "$.schemes[0].weights.quantitative",
        "4 decimals",
    ),
    (
        "grade-5-places",
        put("schemes", 0, "grades", "优秀", value="99.99999"),
        "$.schemes[0].grades.优秀",
        "4 decimals",
    ),
]


@pytest.mark.parametrize(("mutate", "path", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_broken_bundle_is_reported_at_its_path_and_loads_nothing(mutate, path, pattern):
    bundle = example_bundle()
    mutate(bundle)
    before = snapshot()
    assert_listed(problems_of(bundle), path, pattern)
    assert snapshot() == before


def test_every_case_is_refused_too_by_a_workspace_that_holds_the_example():
    """The same cases against a loaded workspace (one load: a refused bundle leaves the workspace as it was)."""
    load(example_bundle())
    failures = []
    for name, mutate, path, pattern in CASES:
        bundle = example_bundle()
        mutate(bundle)
        before = snapshot()
        try:
            assert_listed(problems_of(bundle), path, pattern)
            assert snapshot() == before, "the workspace changed"
        except (AssertionError, pytest.fail.Exception) as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, "\n".join(failures)


def test_the_unbroken_example_loads_in_both_workspaces(workspace):
    """The control: the cases above fail because of their one break."""
    load(example_bundle())
    assert Entry.objects.filter(kind=EntryKind.NORMAL).count() == 16
    assert ranking_as_dict(group_ranking(group_by_code("QX-ALL"), "2026Q3"))["size"] == 6


def test_references_may_name_what_the_workspace_holds():
    load(example_bundle())
    later = {
        "format": "gongfen-bundle/1",
        "entries": [
            {"id": "N01", "cadre": "A04", "scheme": "QX-2026", "rule": "R-TASK", "occurred_on": "2026-08-01"},
        ],
    }
    load(later)
    assert Entry.objects.get(code="N01").status == EntryStatus.APPROVED  # no status: approved (spec v2 §13.1)


def test_a_cycle_through_the_workspace_is_found():
    load(example_bundle())
    before = snapshot()
    bundle = {
        "format": "gongfen-bundle/1",
        "units": [{"code": "KH", "name": "开化县", "kind": "county", "parent": "QX"}],  # QX's parent is KH
    }
    assert_listed(problems_of(bundle), "$.units[0].parent", "cycle")
    assert snapshot() == before


def test_a_reference_to_a_workspace_rule_of_another_category_is_checked():
    """An entry of a later bundle that names a base rule of the workspace is refused too."""
    load(example_bundle())
    before = snapshot()
    bundle = {
        "format": "gongfen-bundle/1",
        "entries": [{"id": "N01", "cadre": "A04", "scheme": "QX-2026", "rule": "B-GEN", "occurred_on": "2026-08-01"}],
    }
    assert_listed(problems_of(bundle), "$.entries[0].rule", "base rule")
    assert snapshot() == before


@pytest.mark.parametrize("document", [[], "gongfen", 42, None])
def test_a_document_that_is_not_an_object(document):
    assert_listed(problems_of(document), "$", "wrong type")


# --- many errors at once ------------------------------------------------------------------------


def test_every_problem_of_a_bundle_with_many_is_listed(workspace):
    bundle = example_bundle()
    breaks = {
        "$.units[2].parent": put("units", 2, "parent", value="NOPE"),
        "$.cadres[1].posts[0].end": put("cadres", 1, "posts", 0, "end", value="2023-12-31"),
        "$.cadres[8].code": append_copy("cadres", 0),
        "$.schemes[0].rules[0].cap": put(*R, 0, "cap", value="10"),
        "$.schemes[0].rules[6].points": put(*R, 6, "points", value="2"),
        "$.schemes[0].weights": put("schemes", 0, "weights", "qualitative", value="0.4"),
        "$.schemes[0].evaluator_classes.public": put("schemes", 0, "evaluator_classes", "public", value="0"),
        "$.schemes[0].tiers[3].cumulative": put("schemes", 0, "tiers", 3, "cumulative", value="0.99"),
        "$.groups[0].select.unit": put("groups", 0, "select", "unit", value="NOPE"),
        "$.entries[3].rule": put("entries", 3, "rule", value="S-NOPE"),
        "$.entries[4].quantity": put("entries", 4, "quantity", value="0"),
        "$.entries[5].occurred_on": put("entries", 5, "occurred_on", value="2026-02-30"),
        "$.entries[6].foo": put("entries", 6, "foo", value="bar"),
        "$.ballots[0].grade": put("ballots", 0, "grade", value="极好"),
        "$.ballots[1].class": put("ballots", 1, "class", value="masses"),
    }
    for mutate in breaks.values():
        mutate(bundle)
    before = snapshot()
    problems = problems_of(bundle)
    paths = {p for p, _ in problems}
    assert set(breaks) <= paths, f"not listed: {set(breaks) - paths}"
    if workspace == "empty":
        # and nothing else: each break is one problem (a loaded workspace adds "append-only" ones)
        assert paths == set(breaks), f"unexpected: {paths - set(breaks)}"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("value", "found"), [("gongfen-bundle/3", "found gongfen-bundle/3"), (2, "found 2"), (None, "found null")]
)
def test_a_bundle_of_another_format_gets_one_problem_naming_it_whatever_else_is_wrong(workspace, value, found):
    """A gongfen-bundle/3 (or any other) bundle is not checked as a /1 one: no pages of problems that follow."""
    bundle = example_bundle()
    bundle["format"] = value
    bundle["entries"][3]["rule"] = "S-NOPE"  # would be a problem of a /1 bundle
    bundle["schemes"][0]["rules"][0]["kind"] = "formula"  # a v2-looking field: unknown to /1
    before = snapshot()
    problems = problems_of(bundle)
    assert problems == [("$.format", problems[0][1])]
    assert f"({found}; this version reads gongfen-bundle/1、gongfen-bundle/2)" in problems[0][1]
    assert snapshot() == before


def test_load_of_a_bundle_of_another_format_says_so_in_one_line(tmp_path, capsys, workspace):
    bundle = example_bundle()
    bundle["format"] = "gongfen-bundle/3"
    bundle["entries"][3]["rule"] = "S-NOPE"
    path = tmp_path / "v3.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    before = snapshot()
    assert cli.main(["load", str(path)]) == cli.EXIT_INVALID
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "错误 (error): v3.json: $.format: 数据包格式为 gongfen-bundle/3，本版本读取 gongfen-bundle/1、gongfen-bundle/2 "
        "(found gongfen-bundle/3; this version reads gongfen-bundle/1、gongfen-bundle/2)"
    ]
    assert snapshot() == before


# --- not JSON at all (through the command line) ----------------------------------------------


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (b'{"format": "gongfen-bundle/1", "units": [', "invalid JSON"),
        (b"format: gongfen-bundle/1\n", "invalid JSON"),
        (b"", "invalid JSON"),
        ('{"format": "gongfen-bundle/1"}'.encode("utf-16"), "not UTF-8"),
    ],
    ids=["truncated", "yaml", "empty-file", "utf-16"],
)
def test_a_file_that_is_not_json(tmp_path, capsys, workspace, content, pattern):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(BundleInvalid) as caught:
        read_bundle(path)
    assert [p.path for p in caught.value.problems] == ["$"]
    before = snapshot()
    assert cli.main(["load", str(path)]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert re.search(r"^\s*\$: .*" + pattern, err, re.M), err
    assert snapshot() == before


def test_a_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(example_bundle(), ensure_ascii=False).encode("utf-8"))
    load(read_bundle(path))
    assert Cadre.objects.count() == 8


# --- the ledger is append-only: a later bundle cannot change an approved entry ------------------

# entries[4] = E05 (A01, R-TASK ×3, approved); entries[9] = E10 (pending); entries[11] = E12 (rejected)
APPEND_ONLY = [
    ("quantity", put("entries", 4, "quantity", value="4"), "$.entries[4].quantity"),
    ("approved-to-pending", put("entries", 4, "status", value="pending"), "$.entries[4].status"),
    ("approved-status-omitted", drop("entries", 4, "status"), "$.entries[4].status"),
    ("approved-to-rejected", put("entries", 4, "status", value="rejected"), "$.entries[4].status"),
    ("approved-to-declared", put("entries", 4, "status", value="declared"), "$.entries[4].status"),
    ("rejected-to-approved", put("entries", 11, "status", value="approved"), "$.entries[11].status"),
    ("pending-to-revoked", put("entries", 9, "status", value="revoked"), "$.entries[9].status"),
    ("pending-to-declared", put("entries", 9, "status", value="declared"), "$.entries[9].status"),
    ("cadre", put("entries", 4, "cadre", value="A02"), "$.entries[4].cadre"),
    ("rule", put("entries", 4, "rule", value="S-INV"), "$.entries[4].rule"),
    ("occurred_on", put("entries", 4, "occurred_on", value="2026-09-29"), "$.entries[4].occurred_on"),
    ("scheme", put("entries", 4, "scheme", value="KH-2026"), "$.entries[4].scheme"),
]


@pytest.mark.parametrize(("mutate", "path"), [c[1:] for c in APPEND_ONLY], ids=[c[0] for c in APPEND_ONLY])
def test_an_existing_entry_cannot_be_changed_by_a_later_bundle(mutate, path):
    load(example_bundle())
    bundle = example_bundle()
    mutate(bundle)
    before = snapshot()
    problems = problems_of(bundle)
    assert_listed(problems, path, "append-only|illegal status change")
    assert snapshot() == before


def test_the_same_quantity_written_otherwise_is_no_change():
    load(example_bundle())
    bundle = example_bundle()
    bundle["entries"][4]["quantity"] = "3.0000"
    before = snapshot()
    load(bundle)
    after = snapshot()
    assert after["entries"] == before["entries"] and after["totals"] == before["totals"]


def qixi_row(cadre: str) -> dict:
    ranking = ranking_as_dict(group_ranking(group_by_code("QX-ALL"), "2026Q3"))
    return next(r for r in ranking["rows"] if r["cadre"] == cadre)


def test_a_later_bundle_may_revoke_an_approved_entry(capsys):
    """Revoking E14 (A05's veto) reverses it: A05 is no longer vetoed and rises to rank 2."""
    load(example_bundle())
    assert qixi_row("A05")["vetoed"] is True
    bundle = example_bundle()
    assert bundle["entries"][13]["id"] == "E14"
    bundle["entries"][13]["status"] = "revoked"
    load(bundle)

    e14 = Entry.objects.get(code="E14")
    assert e14.status == EntryStatus.REVOKED and e14.amount == Decimal(-50)
    reversal = Entry.objects.get(reverses=e14)
    assert (reversal.code, reversal.kind, reversal.status) == ("E14~R1", EntryKind.REVERSAL, EntryStatus.APPROVED)
    assert reversal.amount == Decimal(50)
    total = RuleTotal.objects.get(cadre__code="A05", rule__code="D-VETO", period="2026Q3")
    assert (total.amount, total.count) == (0, 0)
    assert totals_mismatches() == []
    assert AuditEvent.objects.filter(action="entry.revoke", object_id="E14").exists()

    # Q = 60 base + 15 routine; Qn = 100 × 75 / 99.5 = 75.38; C = 0.7 × 75.38 + 0.3 × 100 = 82.77
    ranking = ranking_as_dict(group_ranking(group_by_code("QX-ALL"), "2026Q3"))
    assert [(r["cadre"], r["rank"], r["tier"]) for r in ranking["rows"]] == [
        ("A01", 1, "一档"),
        ("A05", 2, "二档"),
        ("A02", 3, "二档"),
        ("A04", 4, "二档"),
        ("A03", 5, "三档"),
        ("A08", 6, "四档"),
    ]
    assert qixi_row("A05") | {"actions": None} == {
        "cadre": "A05",
        "rank": 2,
        "tier": "二档",
        "quantitative": "75.00",
        "quantitative_normalized": "75.38",
        "qualitative": "100.00",
        "composite": "82.77",
        "vetoed": False,
        "actions": None,
    }
    assert qixi_row("A08")["actions"] == ["retrain"]

    # loading the same bundle again changes nothing
    before = snapshot()
    load(bundle)
    assert {k: v for k, v in snapshot().items() if k != "counts"} == {k: v for k, v in before.items() if k != "counts"}
    assert Entry.objects.filter(reverses=e14).count() == 1
    # and the revocation cannot be undone
    bundle["entries"][13]["status"] = "approved"
    assert_listed(problems_of(bundle), "$.entries[13].status", "illegal status change")
    # nor can a bundle take the reversal's id
    later = {"format": "gongfen-bundle/1", "entries": [dict(example_bundle()["entries"][4], id="E14~R1")]}
    assert_listed(problems_of(later), "$.entries[0].id", "reversing entry")


def test_a_bundle_may_carry_an_entry_already_revoked():
    bundle = example_bundle()
    bundle["entries"][13]["status"] = "revoked"
    load(bundle)
    assert qixi_row("A05")["vetoed"] is False
    assert Entry.objects.get(code="E14~R1").reverses.code == "E14"
    assert totals_mismatches() == []


def test_a_later_bundle_may_approve_a_pending_entry():
    """E10 (A03, S-INV ×2, pending) approved by a later bundle: +12 special points for A03."""
    load(example_bundle())
    assert qixi_row("A03")["quantitative"] == "45.78"
    bundle = example_bundle()
    bundle["entries"][9]["status"] = "approved"
    load(bundle)
    assert Entry.objects.get(code="E10").status == EntryStatus.APPROVED
    assert qixi_row("A03")["quantitative"] == "57.78"
    assert totals_mismatches() == []


# --- found while writing these tests (each was a loader bug, now fixed) ---------------------------


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (put("entries", 3, "quantity", value="123456789"), "$.entries[3].quantity"),
        (put(*R, 3, "points", value="123456789"), "$.schemes[0].rules[3].points"),
    ],
    ids=["quantity", "rule-points"],
)
def test_a_number_too_large_for_the_database_is_a_problem(mutate, path):
    bundle = example_bundle()
    mutate(bundle)
    assert_listed(problems_of(bundle), path)


def test_a_unit_name_as_long_as_the_schema_allows_is_stored_whole():
    bundle = example_bundle()
    bundle["units"][4]["name"] = "水" * 200
    load(bundle)
    assert Unit.objects.get(code=bundle["units"][4]["code"]).name == "水" * 200
    bundle["units"][4]["name"] = "水" * 201
    assert_listed(problems_of(bundle), "$.units[4].name")


def test_revoking_an_entry_with_a_long_id():
    """An id of 64 characters (the most a bundle may give) still leaves room for its reversal's code."""
    bundle = example_bundle()
    bundle["entries"][13]["id"] = "E" * 64
    bundle["entries"][13]["status"] = "revoked"
    load(bundle)
    reversal = Entry.objects.get(reverses__code="E" * 64)
    assert reversal.code == "E" * 64 + "~R1"
    assert totals_mismatches() == []


@pytest.mark.parametrize("when", ["same-bundle", "later-bundle"])
def test_an_entry_id_that_a_reversal_will_take(when):
    """Codes ending in ~R<n> are the reversals' own: a bundle may not take one."""
    bundle = example_bundle()
    bundle["entries"].append(dict(bundle["entries"][0], id="E14~R1"))
    if when == "later-bundle":
        load(example_bundle())
    else:
        bundle["entries"][13]["status"] = "revoked"
    assert_listed(problems_of(bundle), "$.entries[16].id")


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (put("units", 0, "code", value=["KH"]), "$.units[0].code"),
        (put("units", 1, "code", value={"code": "QX"}), "$.units[1].code"),
        (put("schemes", 0, "tiers", 0, "name", value=["一档"]), "$.schemes[0].tiers[0].name"),
    ],
    ids=["unit-code-list", "unit-code-object", "tier-name-list"],
)
def test_a_value_of_the_wrong_type_is_reported_not_a_crash(mutate, path):
    bundle = example_bundle()
    mutate(bundle)
    assert_listed(problems_of(bundle), path, "wrong type")


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda b: b["cadres"].append({"code": "A09\n", "name": "甲九"}), "$.cadres[8].code"),
        (put("ballots", 0, "period", value="2026Q3\n"), "$.ballots[0].period"),
    ],
    ids=["code", "period"],
)
def test_a_trailing_newline_is_not_part_of_a_valid_value(mutate, path):
    bundle = example_bundle()
    mutate(bundle)
    assert_listed(problems_of(bundle), path)


def test_a_later_bundle_cannot_change_the_points_of_an_approved_entry():
    load(example_bundle())
    bundle = example_bundle()
    bundle["entries"][4]["points"] = "3"  # E05 was approved at 1.5
    assert_listed(problems_of(bundle), "$.entries[4].points")


def test_a_rule_with_entries_cannot_become_a_base_rule():
    load(example_bundle())
    bundle = example_bundle()
    del bundle["entries"], bundle["ballots"]
    bundle["schemes"][0]["rules"][3]["category"] = "base"
    problems = problems_of(bundle)
    assert any(p.startswith("$.schemes[0].rules[3]") for p, _ in problems), problems


def test_a_scheme_cannot_drop_a_grade_that_ballots_use():
    load(example_bundle())
    bundle = example_bundle()
    del bundle["entries"], bundle["ballots"]
    del bundle["schemes"][0]["grades"]["较差"]  # A01 has a 较差 ballot in 2026Q3
    try:
        load(bundle)
    except BundleInvalid as exc:
        assert any(p.path.startswith("$.schemes[0]") for p in exc.problems)
        return
    group_ranking(group_by_code("QX-ALL"), "2026Q3")  # must still rank
