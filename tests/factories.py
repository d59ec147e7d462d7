"""Test data made through the real services (bundle load, ledger services)."""

from __future__ import annotations

import copy
from typing import Any

from gongfen.common import Actor
from gongfen.interchange.services import bundle_load
from tests.conftest import EXAMPLES, load_json

ACTOR = Actor(None, "test")


def example_bundle(name: str = "qixi-2026q3.json") -> dict[str, Any]:
    return copy.deepcopy(load_json(EXAMPLES / name))


def load(bundle: dict[str, Any]):
    return bundle_load(actor=ACTOR, bundle=bundle)
