"""Fuzzing the bundle loader: whatever it is given, it loads the whole bundle or refuses it with
``BundleInvalid`` (the product's validation error), and a refusal writes nothing.

Inputs: arbitrary JSON-like values, arbitrary bytes in a file (``read_bundle``), and mutations of
the valid qixi example (keys dropped, values replaced or retyped, huge and non-finite numbers, odd
unicode, deep nesting) loaded on top of a workspace that already holds it.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongfen.common import Actor
from gongfen.interchange.services import bundle_load, read_bundle
from gongfen.interchange.validate import BundleInvalid
from tests.factories import example_bundle, load

ACTOR = Actor(None, "fuzz")
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

ODD_TEXT = st.text(
    alphabet=st.sampled_from(
        ["齐", "溪", "\u0000", "\u202e", "\ufeff", "\U0001f600", "\ud800", "é", "$", ".", "'", '"', "\\", " "]
    ),
    max_size=12,
) | st.text(max_size=12)
HUGE = st.sampled_from([10**30, -(10**30), 2**63, -(2**63) - 1, 1e308, -1e308, 1e-320, math.nan, math.inf, -math.inf])
SCALARS = st.none() | st.booleans() | st.integers() | HUGE | st.floats(allow_nan=True) | ODD_TEXT
JSONISH = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(ODD_TEXT, children, max_size=4),
    max_leaves=20,
)


def deep(depth: int) -> Any:
    value: Any = "底"
    for i in range(depth):
        value = [value] if i % 2 else {"x": value}
    return value


def counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.app_label != "sessions"}


def load_or_refuse(bundle: Any) -> None:
    """Load ``bundle`` in a savepoint rolled back afterwards; a refusal must leave every count as it was."""
    with transaction.atomic():
        before = counts()
        try:
            bundle_load(actor=ACTOR, bundle=bundle)
        except BundleInvalid as exc:
            assert exc.problems, "a refusal names at least one problem"
            assert all(p.path.startswith("$") and p.message for p in exc.problems)
            assert counts() == before
        transaction.set_rollback(True)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and indexes) into a JSON value, the root included."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, (*prefix, i))
    return out


BASE = example_bundle()
BASE_PATHS = [p for p in paths(BASE) if p]


CLONABLE = {"units": "code", "cadres": "code", "entries": "id"}


def clone_with_odd_text(draw, bundle: dict) -> None:
    """A new unit, cadre or entry (a copy under a fresh code) whose text fields hold odd values: it would be loaded."""
    kind = draw(st.sampled_from(sorted(CLONABLE)))
    item = copy.deepcopy(draw(st.sampled_from(bundle[kind])))
    item[CLONABLE[kind]] = "Z" + draw(st.text(alphabet="0123456789ABC", min_size=1, max_size=6))
    field = {"units": "name", "cadres": "name", "entries": "description"}[kind]
    item[field] = draw(ODD_TEXT | st.sampled_from(["\u0000", "a\ud800b", "\udfff", "\u202e齐溪", "x" * 5000]))
    bundle[kind].append(item)


@st.composite
def mutated(draw) -> Any:
    bundle = copy.deepcopy(BASE)
    if draw(st.booleans()):
        clone_with_odd_text(draw, bundle)
        return bundle
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(BASE_PATHS))
        parent: Any = bundle
        try:
            for part in path[:-1]:
                parent = parent[part]
            key = path[-1]
            parent[key]
        except (KeyError, IndexError, TypeError):
            continue
        how = draw(st.sampled_from(["drop", "replace", "retype", "huge", "deep", "text"]))
        if how == "drop":
            del parent[key]
        elif how == "replace":
            parent[key] = draw(JSONISH)
        elif how == "retype":
            old = parent[key]
            parent[key] = [old] if not isinstance(old, list) else {"0": old}
        elif how == "huge":
            parent[key] = draw(HUGE)
        elif how == "deep":
            parent[key] = deep(draw(st.integers(50, 400)))
        else:
            parent[key] = draw(ODD_TEXT)
    return bundle


@pytest.fixture
def workspace(db):
    load(example_bundle())


@FUZZ
@given(bundle=JSONISH)
def test_arbitrary_json_is_refused_cleanly(workspace, bundle):
    load_or_refuse(bundle)


@FUZZ
@given(bundle=mutated())
def test_mutated_bundles_load_whole_or_not_at_all(workspace, bundle):
    load_or_refuse(bundle)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200) | st.text(max_size=100).map(str.encode))
def test_arbitrary_files_are_refused_cleanly(workspace, tmp_path: Path, raw: bytes):
    path = tmp_path / "bundle.json"
    path.write_bytes(raw)
    try:
        bundle = read_bundle(path)
    except BundleInvalid as exc:
        assert exc.problems[0].path == "$"
        return
    load_or_refuse(bundle)


def test_very_deep_nesting_is_refused_not_a_crash(workspace):
    load_or_refuse({"format": "gongfen-bundle/1", "units": deep(5000)})


@pytest.mark.parametrize("entries", [7, "E01", {"id": "E01"}, True, 1e308])
def test_a_wrongly_typed_list_is_refused_not_a_crash(workspace, entries):
    """Found by the fuzzer: ``"entries": 7`` crashed the workspace look-up before the schema check."""
    bundle = example_bundle() | {"entries": entries}
    with pytest.raises(BundleInvalid):
        bundle_load(actor=ACTOR, bundle=bundle)
