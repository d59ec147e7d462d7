"""Loading a bundle into the workspace: check everything, then upsert by code in one transaction."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongfen.audit.services import audit_record
from gongfen.bulk import bulk_insert
from gongfen.common import Actor
from gongfen.evaluations.models import Ballot, RoundState
from gongfen.ledger import services as ledger
from gongfen.ledger.models import Entry, EntryEvent, EntryKind, EntryStatus, RuleTotal
from gongfen.org.models import Cadre, Post, Unit
from gongfen.schemes.models import PublicationScope, RankingGroup, Rule, RuleVersion, Scheme
from gongfen.scoring.periods import period_of
from gongfen.trust.services import log_entry_events

from .selectors import CONTACT_KEYS, DEFAULT_OBJECTION_DAYS, bundle_digest
from .validate import BundleInvalid, BundleProblem, Workspace, check_bundle

Progress = Callable[[str, int, int], None]
BATCH = 5000


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sha256: str = ""


def read_bundle(path: str | Path) -> Any:
    """Parse a bundle file; a file that is not JSON is reported like any other problem."""
    raw = Path(path).read_bytes()
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BundleInvalid([BundleProblem("$", f"文件不是 UTF-8 编码 (not UTF-8): {exc}")]) from exc
    except json.JSONDecodeError as exc:
        raise BundleInvalid(
            [BundleProblem("$", f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列 {exc.msg} (invalid JSON)")]
        ) from exc


def _dec(value: Any, default: str | None = None) -> Decimal | None:
    if value is None:
        return Decimal(default) if default is not None else None
    return Decimal(value)  # a decimal string, or a JSON integer (gongfen-bundle/2)


def _text(value: Any) -> Any:
    """A bundle decimal kept as the string the bundle would write (a JSON integer becomes "5")."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


DEFAULT_MIN_DAYS = {"month": 10, "quarter": 30, "half": 60, "year": 120}
NODE_DEFAULTS: dict[str, Any] = {
    "kind": "",
    "floor": None,
    "start": None,
    "allotment": None,
    "cap_exempt": False,
    "step": None,
    "bands": [],
    "veto_mode": "",
}
NODE_FIELDS = ("floor", "cap", "start", "allotment", "step")


def _walk(items: list[dict], parent: str | None = None):
    """(node, parent code) for every item of a tree, in pre-order."""
    for node in items:
        yield node, parent
        yield from _walk(node.get("children") or (), node["code"])


def _node_values(node: dict) -> dict:
    """A tree item as a Rule's values (scoring-v2 §4, §5)."""
    veto = node.get("veto", False)
    leaf = node.get("kind") is not None
    return {
        "name": node.get("name", ""),
        "category": "",
        "points": _dec(node.get("points"), "0"),
        "unit_label": node.get("unit", ""),
        **{key: _dec(node.get(key)) for key in NODE_FIELDS},
        "veto": bool(veto),
        "positions": list(node.get("positions") or []),
        "evidence_required": bool(node.get("evidence_required", False)),
        "kind": node["kind"] if leaf else "internal",
        "cap_exempt": bool(node.get("cap_exempt", False)),
        "bands": [{"min": _text(b["min"]), "points": _text(b["points"])} for b in node.get("bands") or ()],
        "veto_mode": veto if isinstance(veto, str) else "",
    }


def _tier_values(tier: dict) -> dict:
    return {k: _text(v) for k, v in tier.items()}


def _coefficient_values(c: dict) -> dict:
    out = {"by": c["by"], "values": {k: _text(v) for k, v in c["values"].items()}}
    if "default" in c:
        out["default"] = _text(c["default"])
    if "items" in c:
        out["items"] = list(c["items"])
    return out


def _qualitative_values(q: dict | None) -> dict:
    if not q:
        return {}
    out = {k: v for k, v in q.items() if k not in ("bands", "penalty")}
    if "bands" in q:
        out["bands"] = [{"min": _text(b["min"]), "score": _text(b["score"])} for b in q["bands"]]
    if "penalty" in q:
        out["penalty"] = {k: _text(v) for k, v in q["penalty"].items()}
    return out


def _annual_values(a: dict | None) -> dict | None:
    if a is None:
        return None
    out = dict(a)
    if "tiers" in a:
        out["tiers"] = [_tier_values(t) for t in a["tiers"]]
    return out


def workspace_for(bundle: Any, actor: Actor | None = None) -> Workspace:
    """The part of the database a bundle's references and upserts are checked against (and, for the four
    eyes on what the bundle decides, who ``actor`` is)."""
    ws = Workspace()
    if actor is not None:
        ws.people = ledger.workspace_has_people()
        cadre_ids = dict(Cadre.objects.values_list("code", "id"))

        def refusal(cadre: Any, recorded_by: int | None) -> str | None:
            cadre_id = cadre_ids.get(cadre) if isinstance(cadre, str) else None
            return ledger.decision_refusal(actor, cadre_id=cadre_id, recorded_by_id=recorded_by)

        ws.refusal = refusal
    ws.units = {code: parent for code, parent in Unit.objects.values_list("code", "parent__code")}
    ws.cadres = set(Cadre.objects.values_list("code", flat=True))
    rules: dict[str, dict] = defaultdict(dict)
    for scheme_code, code, category, veto, kind, points, low, high in Rule.objects.values_list(
        "scheme__code", "code", "category", "veto", "kind", "points", "manual_min", "manual_max"
    ):
        rules[scheme_code][code] = {
            "category": category or None,
            "veto": veto,
            "kind": kind or None,
            "points": points,
            "manual_min": low,
            "manual_max": high,
        }
    ws.rules_with_entries = set(Entry.objects.values_list("scheme__code", "rule__code").distinct())
    for scheme_code, period, klass, grade in Ballot.objects.values_list(
        "scheme__code", "period", "evaluator_class", "grade"
    ).distinct():
        ws.ballot_usage.setdefault(scheme_code, set()).add((period, klass, grade))
    ws.counted_rounds = set(Ballot.objects.filter(round__isnull=False).values_list("scheme__code", "period").distinct())
    for s in Scheme.objects.all():
        ws.schemes[s.code] = {
            "grades": [g["name"] for g in s.grades],
            "classes": [c["name"] for c in s.evaluator_classes],
            "rules": rules.get(s.code, {}),
            "period": s.period_kind,
        }
    for s in Scheme.objects.filter(groups__evaluation_rounds__state=RoundState.OPEN).distinct():
        ws.open_rounds[s.code] = {
            "grades": {g["name"]: str(g["value"]) for g in s.grades},
            "classes": {c["name"]: str(c["weight"]) for c in s.evaluator_classes},
        }
    ws.groups = set(RankingGroup.objects.values_list("code", flat=True))
    entries = bundle.get("entries")  # of any type here: the schema check reports a wrong one
    items = [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
    ids = [e["id"] for e in items if isinstance(e.get("id"), str)]
    ids += [e["adjusts"] for e in items if isinstance(e.get("adjusts"), str)]
    for start in range(0, len(ids), BATCH):
        for e in Entry.objects.filter(code__in=ids[start : start + BATCH]).values(
            "code",
            "cadre__code",
            "scheme__code",
            "rule__code",
            "occurred_on",
            "quantity",
            "status",
            "kind",
            "points",
            "description",
            "adjusts__code",
            "sign",
            "recorded_by_id",
        ):
            ws.entries[e["code"]] = {
                "cadre": e["cadre__code"],
                "scheme": e["scheme__code"],
                "rule": e["rule__code"],
                "occurred_on": e["occurred_on"].isoformat(),
                "quantity": str(e["quantity"]),
                "status": e["status"],
                "kind": e["kind"],
                "points": None if e["points"] is None else str(e["points"]),
                "description": e["description"],
                "adjusts": e["adjusts__code"],
                "sign": e["sign"],
                "recorded_by": e["recorded_by_id"],
            }
    return ws


def bundle_load(
    *, actor: Actor, bundle: Any, progress: Progress | None = None, source: str = "", reason: str = "bundle load"
) -> LoadReport:
    """Check ``bundle`` and load it whole, or raise :class:`BundleInvalid` having changed nothing."""
    with transaction.atomic():
        problems = check_bundle(bundle, workspace_for(bundle, actor) if isinstance(bundle, dict) else Workspace())
        if problems:
            raise BundleInvalid(problems)
        loader = _Loader(actor, bundle, progress or (lambda *_: None), reason)
        loader.run()
        digest = bundle_digest(bundle)
        loader.report.sha256 = digest
        audit_record(
            actor=actor,
            action="bundle.load",
            object_type="bundle",
            object_id=digest[:16],
            summary=f"loaded {source or 'bundle'}",
            after={
                "sha256": digest,
                "created": dict(loader.report.created),
                "updated": dict(loader.report.updated),
                "source": source,
            },
        )
        return loader.report


class _Loader:
    def __init__(self, actor: Actor, bundle: dict, progress: Progress, reason: str = "bundle load"):
        self.actor, self.bundle, self.progress, self.reason = actor, bundle, progress, reason
        self.report = LoadReport()
        self.now = timezone.now()

    def run(self) -> None:
        self.units = self.load_units()
        self.cadres = self.load_cadres()
        self.schemes, self.rules = self.load_schemes()
        self.load_groups()
        self.load_entries()
        self.load_ballots()

    def count(self, kind: str, created: int = 0, updated: int = 0, unchanged: int = 0) -> None:
        self.report.created[kind] += created
        self.report.updated[kind] += updated
        self.report.unchanged[kind] += unchanged

    # --- units -----------------------------------------------------------------

    def load_units(self) -> dict[str, Unit]:
        existing = {u.code: u for u in Unit.objects.all()}
        items = self.bundle.get("units") or []
        for item in items:
            unit = existing.get(item["code"])
            if unit is None:
                unit = Unit(code=item["code"], name=item["name"], kind=item["kind"], path="")
                unit.save()
                existing[unit.code] = unit
                self.count("units", created=1)
            elif (unit.name, unit.kind) != (item["name"], item["kind"]):
                unit.name, unit.kind = item["name"], item["kind"]
                unit.save(update_fields=["name", "kind"])
                self.count("units", updated=1)
            else:
                self.count("units", unchanged=1)
        changed = []
        for item in items:
            unit = existing[item["code"]]
            parent = existing[item["parent"]] if item.get("parent") else None
            if unit.parent_id != (parent.pk if parent else None):
                unit.parent = parent
                changed.append(unit)
        Unit.objects.bulk_update(changed, ["parent"])
        self.refresh_paths(existing)
        return existing

    @staticmethod
    def refresh_paths(units: dict[str, Unit]) -> None:
        by_id = {u.pk: u for u in units.values()}
        memo: dict[int, str] = {}

        def path(unit: Unit) -> str:
            if unit.pk not in memo:
                parent = by_id.get(unit.parent_id) if unit.parent_id else None
                memo[unit.pk] = (path(parent) if parent else "") + unit.code + "/"
            return memo[unit.pk]

        stale = [u for u in units.values() if u.path != path(u)]
        for unit in stale:
            unit.path = path(unit)
        Unit.objects.bulk_update(stale, ["path"], batch_size=BATCH)

    # --- cadres and posts --------------------------------------------------------

    def load_cadres(self) -> dict[str, int]:
        items = self.bundle.get("cadres") or []
        existing = {c.code: c for c in Cadre.objects.all()}
        new = [Cadre(code=i["code"], name=i["name"]) for i in items if i["code"] not in existing]
        Cadre.objects.bulk_create(new, batch_size=BATCH)
        renamed = []
        for item in items:
            cadre = existing.get(item["code"])
            if cadre is not None and cadre.name != item["name"]:
                cadre.name = item["name"]
                renamed.append(cadre)
        Cadre.objects.bulk_update(renamed, ["name"], batch_size=BATCH)
        self.count("cadres", created=len(new), updated=len(renamed), unchanged=len(items) - len(new) - len(renamed))
        ids = dict(Cadre.objects.values_list("code", "id"))
        self.load_posts(items, ids)
        return ids

    def load_posts(self, items: list[dict], ids: dict[str, int]) -> None:
        """A cadre's ``posts`` in a bundle is the whole list: posts not in it are removed."""
        listed = [i for i in items if "posts" in i]
        current: dict[int, set] = defaultdict(set)
        cadre_ids = [ids[i["code"]] for i in listed]
        for start in range(0, len(cadre_ids), BATCH):
            for cid, unit, position, s, e in Post.objects.filter(
                cadre_id__in=cadre_ids[start : start + BATCH]
            ).values_list("cadre_id", "unit__code", "position", "start", "end"):
                current[cid].add((unit, position, s, e))
        replace, new_posts = [], []
        for item in listed:
            cid = ids[item["code"]]
            wanted = {
                (
                    p["unit"],
                    p["position"],
                    date.fromisoformat(p["start"]),
                    date.fromisoformat(p["end"]) if p.get("end") else None,
                )
                for p in item["posts"]
            }
            if wanted == current.get(cid, set()):
                continue
            replace.append(cid)
            new_posts += [
                Post(cadre_id=cid, unit=self.units[u], position=pos, start=s, end=e)
                for u, pos, s, e in sorted(wanted, key=str)
            ]
        for start in range(0, len(replace), BATCH):
            Post.objects.filter(cadre_id__in=replace[start : start + BATCH]).delete()
        Post.objects.bulk_create(new_posts, batch_size=BATCH)
        self.count("posts", created=len(new_posts))

    # --- schemes, rules, groups ---------------------------------------------------

    def load_schemes(self) -> tuple[dict[str, Scheme], dict[tuple[str, str], Rule]]:
        schemes = {s.code: s for s in Scheme.objects.all()}
        items = self.bundle.get("schemes") or []
        for item in items:
            values = self.scheme_values(item)
            scheme = schemes.get(item["code"])
            if scheme is None:
                scheme = Scheme.objects.create(code=item["code"], **values)
                schemes[scheme.code] = scheme
                self.count("schemes", created=1)
            elif any(getattr(scheme, k) != v for k, v in values.items()):
                before = {k: str(getattr(scheme, k)) for k in values}
                for key, value in values.items():
                    setattr(scheme, key, value)
                scheme.save()
                audit_record(actor=self.actor, action="scheme.update", obj=scheme, before=before, reason=self.reason)
                self.count("schemes", updated=1)
            else:
                self.count("schemes", unchanged=1)
        for item in items:
            scheme = schemes[item["code"]]
            parent = schemes[item["derived_from"]] if item.get("derived_from") else None
            if scheme.derived_from_id != (parent.pk if parent else None):
                scheme.derived_from = parent
                scheme.save(update_fields=["derived_from"])
        rules = {(r.scheme.code, r.code): r for r in Rule.objects.select_related("scheme")}
        for item in items:
            scheme = schemes[item["code"]]
            if item.get("items") is not None:
                for order, (node, parent) in enumerate(_walk(item["items"])):
                    self.load_rule(scheme, _node_values(node), order, rules, code=node["code"], parent=parent)
                    self.place(rules[(scheme.code, node["code"])], rules[(scheme.code, parent)] if parent else None)
                continue
            for order, rule_item in enumerate(item["rules"]):
                self.load_rule(scheme, rule_item, order, rules)
        return schemes, rules

    @staticmethod
    def place(rule: Rule, parent: Rule | None) -> None:
        """A tree node under its parent (None: top level)."""
        if rule.parent_id != (parent.pk if parent else None):
            rule.parent = parent
            rule.save(update_fields=["parent"])

    def scheme_values(self, item: dict) -> dict:
        contact = item.get("objection_contact") or {}
        period = item.get("period", "quarter")
        v2 = self.bundle.get("format") == "gongfen-bundle/2"
        return {
            "name": item["name"],
            "unit": self.units[item["unit"]],
            "year": item["year"],
            "weight_quantitative": Decimal(item["weights"]["quantitative"]),
            "weight_qualitative": Decimal(item["weights"]["qualitative"]),
            "grades": [{"name": k, "value": v} for k, v in item["grades"].items()],
            "evaluator_classes": [{"name": k, "weight": v} for k, v in item["evaluator_classes"].items()],
            "tiers": [_tier_values(t) for t in item.get("tiers") or ()],
            "category_caps": {k: _text(v) for k, v in (item.get("category_caps") or {}).items()},
            "min_days": item.get("min_days", DEFAULT_MIN_DAYS[period]),
            "period_kind": period,
            "tier_policy": item.get("tier_policy", "proportional"),
            "shape": "items" if item.get("items") is not None else "rules",
            "bundle_version": 2 if v2 else 1,
            "deduction_item": item.get("deduction_item") or "",
            "coefficients": [_coefficient_values(c) for c in item.get("coefficients") or ()],
            "veto_mode": item.get("veto_mode", "bottom"),
            "qualitative": _qualitative_values(item.get("qualitative")),
            "annual": _annual_values(item.get("annual")),
            "objection_days": item.get("objection_days", DEFAULT_OBJECTION_DAYS),
            **{f"objection_{k}": (contact.get(k) or "").strip() for k in CONTACT_KEYS},
        }

    def load_rule(
        self, scheme: Scheme, item: dict, order: int, rules: dict, code: str | None = None, parent: str | None = None
    ) -> None:
        """A v1 rule (``item`` as the bundle has it) or a tree node (``item`` already as values, with ``code``)."""
        if code is None:
            code = item["code"]
            veto = item.get("veto", False)
            values = {
                "name": item["name"],
                "category": item["category"],
                "points": _dec(item["points"]),
                "unit_label": item.get("unit", ""),
                "cap": _dec(item.get("cap")),
                "veto": bool(veto),
                "positions": list(item.get("positions") or []),
                "evidence_required": bool(item.get("evidence_required", False)),
                "manual_min": _dec((item.get("manual_points") or {}).get("min")),
                "manual_max": _dec((item.get("manual_points") or {}).get("max")),
                **NODE_DEFAULTS,
                "veto_mode": veto if isinstance(veto, str) else "",
            }
        else:
            values = item
        item = {"code": code}
        rule = rules.get((scheme.code, item["code"]))
        if rule is None:
            rule = Rule.objects.create(scheme=scheme, code=item["code"], sort_order=order, version=1, **values)
            rules[(scheme.code, rule.code)] = rule
            RuleVersion.objects.create(
                rule=rule,
                version=1,
                created_by=self.actor.user,
                reason=self.reason,
                parent_code=parent or "",
                **values,
            )
            self.count("rules", created=1)
            return
        if all(getattr(rule, k) == v for k, v in values.items()):
            if rule.sort_order != order:
                rule.sort_order = order
                rule.save(update_fields=["sort_order"])
            self.count("rules", unchanged=1)
            return
        before = {k: str(getattr(rule, k)) for k in values}
        for key, value in values.items():
            setattr(rule, key, value)
        rule.version += 1
        rule.sort_order = order
        rule.save()
        RuleVersion.objects.create(
            rule=rule,
            version=rule.version,
            created_by=self.actor.user,
            reason=self.reason,
            parent_code=parent or "",
            **values,
        )
        audit_record(
            actor=self.actor,
            action="rule.update",
            obj=rule,
            object_id=f"{scheme.code}/{rule.code}",
            before=before,
            after={k: str(v) for k, v in values.items()} | {"version": rule.version},
            reason=self.reason,
        )
        self.count("rules", updated=1)

    def load_groups(self) -> None:
        existing = {g.code: g for g in RankingGroup.objects.all()}
        for item in self.bundle.get("groups") or []:
            select = item["select"]
            values = {
                "name": item["name"],
                "scheme": self.schemes[item["scheme"]],
                "select_unit": self.units[select["unit"]] if select.get("unit") else None,
                "select_position": select.get("position", ""),
                "publish_scope": item.get("publish_scope", PublicationScope.GROUP),
            }
            units = {self.units[code].pk for code in item.get("publish_units") or []}
            group = existing.get(item["code"])
            if group is None:
                group = RankingGroup.objects.create(code=item["code"], **values)
                group.publish_units.set(units)
                self.count("groups", created=1)
            elif any(getattr(group, k) != v for k, v in values.items()) or units != self.publish_unit_ids(group):
                for key, value in values.items():
                    setattr(group, key, value)
                group.save()
                group.publish_units.set(units)
                self.count("groups", updated=1)
            else:
                self.count("groups", unchanged=1)

    @staticmethod
    def publish_unit_ids(group: RankingGroup) -> set[int]:
        return set(group.publish_units.values_list("pk", flat=True))

    # --- the ledger --------------------------------------------------------------

    def load_entries(self) -> None:
        items = self.bundle.get("entries") or []
        existing = set()
        codes = [i["id"] for i in items]
        for start in range(0, len(codes), BATCH):
            existing.update(Entry.objects.filter(code__in=codes[start : start + BATCH]).values_list("code", flat=True))
        fresh = [i for i in items if i["id"] not in existing]
        moved = [i for i in items if i["id"] in existing]
        deltas: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0, Decimal(0)])
        total = len(fresh)
        # adjustments after every other entry, so that the originals they name have their ids
        plain = [i for i in fresh if "adjusts" not in i]
        adjustments = [i for i in fresh if "adjusts" in i]
        done = 0
        for batch in (plain, adjustments):
            for start in range(0, len(batch), BATCH):
                self.create_entries(batch[start : start + BATCH], deltas)
                done += len(batch[start : start + BATCH])
                self.progress("entries", done, total)
        self.apply_totals(deltas)
        self.count("entries", created=len(fresh))
        for item in moved:
            self.move_entry(item)

    def create_entries(self, items: list[dict], deltas: dict) -> None:
        actor, now = self.actor, self.now
        rows, revoked = [], []
        originals = dict(
            Entry.objects.filter(code__in=[i["adjusts"] for i in items if "adjusts" in i]).values_list("code", "pk")
        )
        for item in items:
            scheme = self.schemes[item["scheme"]]
            rule = self.rules[(scheme.code, item["rule"])]
            day = date.fromisoformat(item["occurred_on"])
            status = item.get("status", EntryStatus.APPROVED)  # spec §13.1: an entry without status is approved
            entry = Entry(
                code=item["id"],
                cadre_id=self.cadres[item["cadre"]],
                scheme=scheme,
                rule=rule,
                occurred_on=day,
                period=period_of(day, scheme.period_kind).code,
                quantity=_dec(item.get("quantity"), "1"),
                description=item.get("description", ""),
                status=status,
                recorded_by=actor.user,
                recorded_by_label=actor.label,
                recorded_at=now,
            )
            if "adjusts" in item:
                entry.kind, entry.adjusts_id, entry.sign = (
                    EntryKind.ADJUSTMENT,
                    originals[item["adjusts"]],
                    item.get("sign", 1),
                )
            if status in (EntryStatus.APPROVED, EntryStatus.REVOKED, EntryStatus.REJECTED):
                entry.decided_by, entry.decided_by_label, entry.decided_at = actor.user, actor.label, now
            if status in (EntryStatus.APPROVED, EntryStatus.REVOKED):
                entry.points = _dec(item.get("points")) if "points" in item else rule.points
                entry.amount = entry.sign * entry.points * entry.quantity
                entry.rule_version, entry.veto, entry.posted = rule.version, rule.veto, True
                key = (entry.cadre_id, scheme.pk, rule.pk, entry.period)
                deltas[key][0] += entry.amount
                deltas[key][1] += 1
                deltas[key][2] += entry.sign * entry.quantity
                if status == EntryStatus.REVOKED:
                    revoked.append(entry)
            rows.append(entry)
        bulk_insert(Entry, rows)
        reason = "导入时已撤销 (revoked in the imported bundle)"
        reversals = [ledger.reversal_for(entry, actor, now, reason) for entry in revoked]
        for entry in revoked:
            key = (entry.cadre_id, entry.scheme_id, entry.rule_id, entry.period)
            deltas[key][0] -= entry.amount
            deltas[key][1] -= 1
            deltas[key][2] -= entry.sign * entry.quantity
        bulk_insert(Entry, reversals)
        events = [
            EntryEvent(
                entry=e,
                action=EntryEvent.Action.IMPORT,
                at=now,
                actor=actor.user,
                actor_label=actor.label,
                data={"reverses": e.reverses.code} if e.kind == EntryKind.REVERSAL else {"status": e.status},
            )
            for e in [*rows, *reversals]
        ]
        bulk_insert(EntryEvent, events)
        log_entry_events(event_ids=[e.pk for e in events])  # the tamper-evident log, in this transaction

    def apply_totals(self, deltas: dict[tuple, list]) -> None:
        """Add the new entries' amounts to the maintained totals, in bulk."""
        if not deltas:
            return
        schemes = {k[1] for k in deltas}
        periods = {k[3] for k in deltas}
        existing = {
            (t.cadre_id, t.scheme_id, t.rule_id, t.period): t
            for t in RuleTotal.objects.select_for_update().filter(scheme_id__in=schemes, period__in=periods)
        }
        new, changed = [], []
        for key, (amount, count, quantity) in deltas.items():
            total = existing.get(key)
            if total is None:
                new.append(
                    RuleTotal(
                        cadre_id=key[0],
                        scheme_id=key[1],
                        rule_id=key[2],
                        period=key[3],
                        amount=amount,
                        count=count,
                        quantity=quantity,
                    )
                )
            else:
                total.amount += amount
                total.count += count
                total.quantity += quantity
                changed.append(total)
        bulk_insert(RuleTotal, new)
        RuleTotal.objects.bulk_update(changed, ["amount", "count", "quantity"], batch_size=BATCH)

    def move_entry(self, item: dict) -> None:
        """An entry the workspace has: apply the status change the bundle asks for, through the ledger services."""
        entry = Entry.objects.get(code=item["id"])
        status = item.get("status", EntryStatus.APPROVED)
        if status == entry.status:
            self.count("entries", unchanged=1)
            return
        reason = "数据包导入 (bundle load)"
        if entry.status == EntryStatus.DECLARED and status != EntryStatus.DECLARED:
            entry = ledger.entry_submit(actor=self.actor, entry=entry)
        if status == EntryStatus.APPROVED:
            ledger.entry_approve(actor=self.actor, entry=entry, reason=reason, points=_dec(item.get("points")))
        elif status == EntryStatus.REJECTED:
            ledger.entry_reject(actor=self.actor, entry=entry, reason=reason)
        elif status == EntryStatus.REVOKED:
            ledger.entry_revoke(actor=self.actor, entry=entry, reason=reason)
        self.count("entries", updated=1)

    def load_ballots(self) -> None:
        """Ballots replace those of the same scheme and period (so a bundle loads twice the same)."""
        items = self.bundle.get("ballots") or []
        keys = {(i["scheme"], i["period"]) for i in items}
        for scheme_code, period in keys:
            Ballot.objects.filter(scheme=self.schemes[scheme_code], period=period).delete()
        bulk_insert(
            Ballot,
            [
                Ballot(
                    scheme=self.schemes[i["scheme"]],
                    period=i["period"],
                    cadre_id=self.cadres[i["cadre"]],
                    evaluator_class=i["class"],
                    grade=i["grade"],
                )
                for i in items
            ],
        )
        self.count("ballots", created=len(items))
