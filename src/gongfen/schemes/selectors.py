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


# --- the scoring standard in the bundle's shape (scoring-v2 §14): what the core and `gongfen dump` read ---------


def dec_text(value) -> str | None:
    """A decimal as its shortest exact string ("60.0000" → "60", "0.5000" → "0.5")."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def rule_as_bundle(rule: Rule) -> dict[str, Any]:
    """A v1 rule as a bundle holds it (optional fields only when set)."""
    item: dict[str, Any] = {
        "code": rule.code,
        "name": rule.name,
        "category": rule.category,
        "points": dec_text(rule.points),
    }
    if rule.unit_label:
        item["unit"] = rule.unit_label
    if rule.cap is not None:
        item["cap"] = dec_text(rule.cap)
    if rule.veto:
        item["veto"] = rule.veto_mode or True
    if rule.positions:
        item["positions"] = list(rule.positions)
    if rule.evidence_required:
        item["evidence_required"] = True
    if rule.manual:
        item["manual_points"] = {"min": dec_text(rule.manual_min), "max": dec_text(rule.manual_max)}
    return item


def node_as_bundle(rule: Rule, children: dict[int | None, list[Rule]]) -> dict[str, Any]:
    """An item of a tree (with its subtree) as a ``gongfen-bundle/2`` bundle holds it."""
    item: dict[str, Any] = {"code": rule.code}
    if rule.name:
        item["name"] = rule.name
    if rule.kind == "internal":
        item["children"] = [node_as_bundle(child, children) for child in children.get(rule.pk, ())]
    else:
        item["kind"] = rule.kind
    for key in ("floor", "cap", "start", "allotment"):
        if getattr(rule, key) is not None:
            item[key] = dec_text(getattr(rule, key))
    if rule.cap_exempt:
        item["cap_exempt"] = True
    if rule.kind in ("per_unit", "base", "ratio_to_best", "by_rank"):
        item["points"] = dec_text(rule.points)
    if rule.kind == "base" and rule.positions:
        item["positions"] = list(rule.positions)
    if rule.kind == "bands":
        item["bands"] = [dict(b) for b in rule.bands]
    if rule.kind == "by_rank":
        item["step"] = dec_text(rule.step)
    if rule.veto:
        item["veto"] = rule.veto_mode or True
    if rule.unit_label:
        item["unit"] = rule.unit_label
    if rule.evidence_required:
        item["evidence_required"] = True
    return item


def scheme_standard(scheme: Scheme, rules: list[Rule]) -> dict[str, Any]:
    """The scheme's scoring parts as a bundle writes them: ``rules`` (v1) or ``items`` (a tree), and the
    v2 policies when they are not the defaults. ``rules`` in ``sort_order``."""
    out: dict[str, Any] = {
        "code": scheme.code,
        "year": scheme.year,
        "weights": {
            "quantitative": dec_text(scheme.weight_quantitative),
            "qualitative": dec_text(scheme.weight_qualitative),
        },
        "grades": {g["name"]: g["value"] for g in scheme.grades},
        "evaluator_classes": {c["name"]: c["weight"] for c in scheme.evaluator_classes},
        "min_days": scheme.min_days,
    }
    if scheme.tier_policy != "pingshi":
        out["tiers"] = [dict(t) for t in scheme.tiers]
    if scheme.shape == "items":
        children: dict[int | None, list[Rule]] = {}
        for rule in rules:
            children.setdefault(rule.parent_id, []).append(rule)
        out["items"] = [node_as_bundle(rule, children) for rule in children.get(None, ())]
        if scheme.deduction_item:
            out["deduction_item"] = scheme.deduction_item
    else:
        out["category_caps"] = dict(scheme.category_caps)
        out["rules"] = [rule_as_bundle(r) for r in rules]
    if scheme.bundle_version >= 2:
        out["period"] = scheme.period_kind
        out["tier_policy"] = scheme.tier_policy
        out["veto_mode"] = scheme.veto_mode
        if scheme.coefficients:
            out["coefficients"] = [dict(c) for c in scheme.coefficients]
        if scheme.qualitative:
            out["qualitative"] = dict(scheme.qualitative)
        if scheme.annual is not None:
            out["annual"] = dict(scheme.annual)
    return out
