"""Writing schemes from the web: the same check and the same upsert as ``gongfen load``.

A change to a scheme (its parameters, a rule added or edited) is made by
writing the whole scheme as a bundle fragment and loading it with
:func:`gongfen.interchange.services.bundle_load`, so the page refuses exactly
what the command refuses, with the same messages and JSON paths
(:class:`gongfen.interchange.validate.BundleInvalid`), versions changed rules
and leaves approved entries at their points. Loading never deletes, so
removing a rule is a service of its own.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction

from gongfen.audit.services import audit_record
from gongfen.common import Actor, DomainError
from gongfen.interchange.selectors import bundle_format_of, dec, group_as_bundle, rule_as_bundle, scheme_as_bundle
from gongfen.interchange.services import bundle_load
from gongfen.ledger.models import Entry
from gongfen.org.models import Unit

from .models import RankingGroup, Rule, Scheme

BUNDLE_FORMAT = "gongfen-bundle/1"


def _locked(code: str) -> Scheme | None:
    return (
        Scheme.objects.select_for_update(of=("self",)).select_related("unit", "derived_from").filter(code=code).first()
    )


@transaction.atomic
def scheme_save(*, actor: Actor, scheme_dict: dict[str, Any], reason: str = "") -> Scheme:
    """Check and load one scheme (parameters and every rule) exactly as ``gongfen load`` would.

    Raises :class:`~gongfen.interchange.validate.BundleInvalid` (problems with
    their JSON paths, ``$.schemes[0]…``) having changed nothing. The scheme's
    unit and year are not changed here: a scheme belongs to one unit and year.
    """
    code = scheme_dict.get("code")
    existing = _locked(code) if isinstance(code, str) else None
    before = scheme_as_bundle(existing) if existing else None
    if existing is not None and scheme_dict.get("unit") != existing.unit.code:
        raise DomainError(f"考核方案 {code} 属于 {existing.unit.name}，不能改为其他单位", field="unit")
    if existing is not None and scheme_dict.get("year") != existing.year:
        raise DomainError(f"考核方案 {code} 是 {existing.year} 年的方案，不能改年度", field="year")
    bundle_load(
        actor=actor,
        bundle={"format": bundle_format_of([scheme_dict]), "schemes": [scheme_dict]},
        source=f"web {code}",
        reason=reason or "方案编辑 (scheme editor)",
    )
    scheme = Scheme.objects.select_related("unit", "derived_from").get(code=code)
    after = scheme_as_bundle(scheme)
    if after != before:
        audit_record(
            actor=actor,
            action="scheme.create" if before is None else "scheme.save",
            obj=scheme,
            before=before,
            after=after,
            reason=reason,
        )
    return scheme


def rule_position(scheme_dict: dict[str, Any], code: str | None) -> int:
    """Index of rule ``code`` in a scheme's bundle fragment; for a rule being added (``None``), the next index."""
    codes = [r.get("code") for r in scheme_dict["rules"]]
    return codes.index(code) if code is not None else len(codes)


def rule_add(*, actor: Actor, scheme: Scheme, rule_dict: dict[str, Any], reason: str = "") -> Rule:
    """Append a rule to ``scheme`` through :func:`scheme_save`; its problems are at ``$.schemes[0].rules[n]``,
    n being the number of rules before (a code already used is the loader's "duplicate code")."""
    with transaction.atomic():
        scheme = _locked(scheme.code) or scheme
        item = scheme_as_bundle(scheme)
        item["rules"].append(rule_dict)
        scheme = scheme_save(actor=actor, scheme_dict=item, reason=reason)
        return scheme.rules.get(code=rule_dict["code"])


def rule_edit(*, actor: Actor, rule: Rule, rule_dict: dict[str, Any], reason: str = "") -> Rule:
    """Replace the definition of ``rule`` (its code stays) through :func:`scheme_save`: a changed rule gets a new
    version, approved entries keep their points. Problems are at the rule's own index, :func:`rule_position`."""
    if rule_dict.get("code") != rule.code:
        raise DomainError("规则编码不能修改；请新增规则 (a rule keeps its code)", field="code")
    with transaction.atomic():
        scheme = _locked(rule.scheme.code) or rule.scheme
        item = scheme_as_bundle(scheme)
        if rule.code not in {r["code"] for r in item["rules"]}:
            raise DomainError(f"规则 {rule.code} 已被删除 (the rule no longer exists)", field="code")
        item["rules"][rule_position(item, rule.code)] = rule_dict
        scheme = scheme_save(actor=actor, scheme_dict=item, reason=reason)
        return scheme.rules.get(code=rule.code)


def scheme_params_put(*, actor: Actor, scheme: Scheme, params: dict[str, Any], reason: str = "") -> Scheme:
    """Replace the scheme's parameters (``weights``, ``grades``, ``evaluator_classes``, ``tiers``,
    ``category_caps``, ``min_days``, ``objection_days``, ``objection_contact``: the bundle's keys) through
    :func:`scheme_save`."""
    allowed = {"weights", "grades", "evaluator_classes", "tiers", "category_caps", "min_days", "objection_days"}
    allowed |= {"objection_contact", "name"}
    unknown = set(params) - allowed
    if unknown:
        raise DomainError(f"不能在此修改 {', '.join(sorted(unknown))}", field=None)
    with transaction.atomic():
        scheme = _locked(scheme.code) or scheme
        item = scheme_as_bundle(scheme) | copy.deepcopy(params)
        return scheme_save(actor=actor, scheme_dict=item, reason=reason)


def scheme_contact_set(
    *, actor: Actor, scheme: Scheme, office: str, phone: str, address: str, reason: str = ""
) -> Scheme:
    """Set who receives objections (异议受理: office, phone, address), printed on the notice; audited as a scheme
    change. Only an administrator of the scheme may (the Django admin calls this too)."""
    from gongfen.accounts.permissions import Action, schemes_for

    if actor.user is not None and not schemes_for(actor.user, Action.ADMINISTER).filter(pk=scheme.pk).exists():
        raise DomainError(f"您不能修改考核方案 {scheme.code}", field="scheme")
    contact = {"office": office, "phone": phone, "address": address}
    contact = {k: (v or "").strip() for k, v in contact.items()}
    return scheme_params_put(actor=actor, scheme=scheme, params={"objection_contact": contact}, reason=reason)


def scheme_derive_proposal(*, template: Scheme, unit: Unit, year: int) -> tuple[str, str]:
    """A code and a name for the scheme of ``unit`` for ``year`` derived from ``template`` (e.g. KH-QX-2027)."""
    prefix = "" if template.unit_id == unit.pk else f"{template.unit.code}-"
    return f"{prefix}{unit.code}-{year}", f"{unit.name}{year}年干部实绩考评实施细则"


@transaction.atomic
def scheme_derive(*, actor: Actor, template: Scheme, unit: Unit, code: str, name: str, year: int) -> Scheme:
    """Create the scheme of ``unit`` for ``year`` as a copy of ``template`` (量体裁衣: tailor it afterwards).

    The template must belong to the unit or to a unit above it; a unit has one
    scheme a year; the code must be new (loading upserts by code, so an
    existing code would overwrite another scheme).
    """
    code, name = (code or "").strip(), (name or "").strip()
    if not unit.path.startswith(template.unit.path):
        raise DomainError(
            f"模板 {template.code} 属于 {template.unit.name}，不是 {unit.name} 或其上级单位的方案", field="template"
        )
    taken = Scheme.objects.filter(unit=unit, year=year).first()
    if taken is not None:
        raise DomainError(
            f"{unit.name} {year} 年已有考核方案 {taken.code}（{taken.name}），一个单位每年只有一个方案", field="year"
        )
    if Scheme.objects.filter(code=code).exists():
        raise DomainError(f"方案编码 {code} 已被使用 (code in use)", field="code")
    item = scheme_as_bundle(template) | {"code": code, "name": name, "unit": unit.code, "year": year}
    item["derived_from"] = template.code
    scheme = scheme_save(actor=actor, scheme_dict=item)
    audit_record(
        actor=actor,
        action="scheme.derive",
        obj=scheme,
        after={"template": template.code, "unit": unit.code, "year": year, "rules": len(item["rules"])},
    )
    return scheme


@transaction.atomic
def rule_remove(*, actor: Actor, rule: Rule, reason: str) -> None:
    """Remove a rule that no entry names (an entry keeps its rule forever); its versions go with it, into the audit row."""
    if not (reason or "").strip():
        raise DomainError("删除规则须说明理由 (a reason is required)", field="reason")
    rule = Rule.objects.select_for_update().select_related("scheme").get(pk=rule.pk)
    used = Entry.objects.filter(rule=rule).count()
    if used:
        raise DomainError(
            f"规则 {rule.code} 已有 {used} 条工分记录，不能删除；可修改规则，或在新年度方案中不再使用 "
            "(a rule named by entries cannot be removed)",
            field="rule",
        )
    before = rule_as_bundle(rule) | {
        "version": rule.version,
        "versions": [
            {"version": v.version, "points": dec(v.points), "cap": dec(v.cap), "at": v.created_at.isoformat()}
            for v in rule.versions.all()
        ],
    }
    object_id = f"{rule.scheme.code}/{rule.code}"
    rule.delete()
    audit_record(
        actor=actor,
        action="rule.remove",
        obj=rule.scheme,
        object_type="schemes.rule",
        object_id=object_id,
        before=before,
        reason=reason.strip(),
    )


@transaction.atomic
def group_publication_put(
    *, actor: Actor, group: RankingGroup, scope: str, units: list[str], reason: str = ""
) -> RankingGroup:
    """Set who sees the group's published ranking (公示范围), checked and loaded exactly as ``gongfen load`` would.

    Problems (a unit that does not exist, units without the scope 指定单位)
    raise :class:`~gongfen.interchange.validate.BundleInvalid` at
    ``$.groups[0].publish_scope`` / ``publish_units``, having changed nothing.
    """
    group = (
        RankingGroup.objects.select_for_update(of=("self",)).select_related("scheme", "select_unit").get(pk=group.pk)
    )
    before = group_as_bundle(group)
    item = copy.deepcopy(before)
    item.pop("publish_units", None)
    item["publish_scope"] = scope
    if units:
        item["publish_units"] = list(units)
    bundle_load(
        actor=actor,
        bundle={"format": BUNDLE_FORMAT, "groups": [item]},
        source=f"web {group.code}",
        reason=reason or "公示范围 (publication scope)",
    )
    group = RankingGroup.objects.select_related("scheme", "select_unit").get(pk=group.pk)
    after = group_as_bundle(group)
    if after != before:
        audit_record(actor=actor, action="group.publication", obj=group, before=before, after=after, reason=reason)
    return group
