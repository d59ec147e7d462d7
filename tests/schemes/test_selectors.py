"""A tailored scheme shows what it changed against its template."""

from decimal import Decimal

import pytest

from gongfen import cli
from gongfen.common import DomainError
from gongfen.schemes.models import Scheme
from gongfen.schemes.selectors import scheme_by_code, scheme_diff
from tests.factories import example_bundle, load

pytestmark = pytest.mark.django_db


@pytest.fixture
def tailored():
    bundle = example_bundle()
    template = bundle["schemes"][0]
    town = {**template, "code": "QX-2026-T", "name": "齐溪镇细则", "derived_from": "QX-2026"}
    town["rules"] = [dict(r) for r in template["rules"] if r["code"] != "S-INV"]  # dropped
    next(r for r in town["rules"] if r["code"] == "S-RES")["cap"] = "16"  # 12 → 16
    town["rules"].append(
        {"code": "L-FIRE", "name": "森林防火巡查", "category": "routine", "points": "0.5", "unit": "次"}
    )
    town["category_caps"] = {"special": "20", "deduction": "20"}
    bundle["schemes"].append(town)
    load(bundle)
    return Scheme.objects.get(code="QX-2026-T")


def test_diff_lists_added_removed_and_changed_rules_and_parameters(tailored):
    diff = scheme_diff(tailored)
    assert diff.template.code == "QX-2026"
    assert diff.parameters == {
        "category_caps": ({"special": "15", "deduction": "20"}, {"special": "20", "deduction": "20"})
    }
    changes = {(c.code, c.kind): c.fields for c in diff.rules}
    assert changes == {
        ("S-RES", "changed"): {"cap": (Decimal(12), Decimal(16))},
        ("L-FIRE", "added"): {},
        ("S-INV", "removed"): {},
    }


def test_a_copy_of_the_template_shows_no_change(tailored):
    bundle = example_bundle()
    bundle["schemes"].append({**bundle["schemes"][0], "code": "QX-COPY", "derived_from": "QX-2026"})
    load(bundle)
    assert scheme_diff(scheme_by_code("QX-COPY")).unchanged


def test_a_scheme_without_template_has_nothing_to_compare(tailored):
    with pytest.raises(DomainError):
        scheme_diff(scheme_by_code("QX-2026"))
    with pytest.raises(DomainError):
        scheme_by_code("NOPE")


def test_diff_command_prints_the_changes(tailored, capsys):
    assert cli.main(["diff", "--scheme", "QX-2026-T"]) == 0
    out = capsys.readouterr().out
    assert "S-RES" in out and "季度上限" in out and "16" in out
    assert "新增" in out and "L-FIRE" in out and "删除" in out and "S-INV" in out
    assert cli.main(["diff", "--scheme", "QX-2026"]) == cli.EXIT_USAGE
