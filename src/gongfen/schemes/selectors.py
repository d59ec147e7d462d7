"""Reads of schemes: what a tailored scheme changed against the template it was derived from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gongfen.common import DomainError

from .models import Rule, Scheme

RULE_FIELDS = (
    "name",
    "category",
    "points",
    "unit_label",
    "cap",
    "veto",
    "positions",
    "evidence_required",
    "manual_min",
    "manual_max",
)
SCHEME_FIELDS = (
    "weight_quantitative",
    "weight_qualitative",
    "grades",
    "evaluator_classes",
    "tiers",
    "category_caps",
    "min_days",
    "objection_days",
)


@dataclass(frozen=True)
class RuleChange:
    code: str
    name: str
    kind: str  # added | removed | changed
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (template, this scheme)


@dataclass(frozen=True)
class SchemeDiff:
    scheme: Scheme
    template: Scheme
    parameters: dict[str, tuple[Any, Any]]
    rules: list[RuleChange]

    @property
    def unchanged(self) -> bool:
        return not self.parameters and not self.rules


def scheme_by_code(code: str) -> Scheme:
    try:
        return Scheme.objects.select_related("derived_from", "unit").get(code=code)
    except Scheme.DoesNotExist:
        raise DomainError(f"没有考核方案 {code}", field="scheme", code="not_found") from None


def _rule_values(rule: Rule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in RULE_FIELDS}


def scheme_diff(scheme: Scheme) -> SchemeDiff:
    """What ``scheme`` changed against the scheme it was derived from (量体裁衣)."""
    template = scheme.derived_from
    if template is None:
        raise DomainError(f"考核方案 {scheme.code} 不是由模板派生的，无可比较", code="not_derived")
    parameters = {
        name: (getattr(template, name), getattr(scheme, name))
        for name in SCHEME_FIELDS
        if getattr(template, name) != getattr(scheme, name)
    }
    theirs = {r.code: r for r in template.rules.all()}
    ours = {r.code: r for r in scheme.rules.all()}
    rules = []
    for code, rule in ours.items():
        if code not in theirs:
            rules.append(RuleChange(code, rule.name, "added"))
            continue
        before, after = _rule_values(theirs[code]), _rule_values(rule)
        changed = {k: (before[k], after[k]) for k in RULE_FIELDS if before[k] != after[k]}
        if changed:
            rules.append(RuleChange(code, rule.name, "changed", changed))
    rules += [RuleChange(code, rule.name, "removed") for code, rule in theirs.items() if code not in ours]
    return SchemeDiff(scheme, template, parameters, rules)
