"""Feeding the scoring core from the database: maintained totals, posts and ballots, never the ledger.

A group's ranking for a period takes a handful of queries whatever its size;
:func:`rank_all` ranks every group of a period with one query per table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import Count, Q

from gongfen.common import DomainError
from gongfen.evaluations.models import Ballot
from gongfen.ledger.models import RuleTotal
from gongfen.org.models import Post
from gongfen.schemes.models import RankingGroup, Scheme
from gongfen.scoring import (
    CadreData,
    GroupInput,
    PeriodData,
    PeriodError,
    Ranking,
    RuleDef,
    SchemeDef,
    Selector,
    TierDef,
    parse_period,
    rank_group,
)
from gongfen.scoring import (
    Post as CorePost,
)
from gongfen.scoring.periods import Quarter

from . import cache


def scheme_def(scheme: Scheme) -> SchemeDef:
    """The core's view of a scheme (uses ``scheme.rules.all()``, prefetch it for many)."""
    return SchemeDef(
        code=scheme.code,
        year=scheme.year,
        weight_quantitative=Decimal(scheme.weight_quantitative),
        weight_qualitative=Decimal(scheme.weight_qualitative),
        grades={g["name"]: Decimal(g["value"]) for g in scheme.grades},
        evaluator_classes={c["name"]: Decimal(c["weight"]) for c in scheme.evaluator_classes},
        tiers=tuple(TierDef(t["name"], Decimal(t["cumulative"])) for t in scheme.tiers),
        rules=tuple(
            RuleDef(r.code, r.category, r.points, r.cap, r.veto, frozenset(r.positions or ()))
            for r in scheme.rules.all()
        ),
        category_caps={k: Decimal(v) for k, v in (scheme.category_caps or {}).items()},
        min_days=scheme.min_days,
        period_kind=scheme.period_kind,
        tier_policy=scheme.tier_policy,
        action_policy=scheme.action_policy,
    )


def group_period(group: RankingGroup, code: str) -> Quarter:
    """The period ``code`` of ``group``'s scheme, or a DomainError saying why not."""
    try:
        period = parse_period(code, group.scheme.period_kind)
    except PeriodError as exc:
        raise DomainError(f"期间格式错误：{exc}", field="period", code="bad_period") from exc
    if period.year != group.scheme.year:
        raise DomainError(
            f"排名组 {group.code} 的考核方案 {group.scheme.code} 属于 {group.scheme.year} 年，没有期间 {code}",
            field="period",
            code="bad_period",
        )
    return period


def _periods(period: Quarter) -> list[Quarter]:
    previous = period.previous()
    return [period] if previous is None else [previous, period]


def _post_filter(groups: Sequence[RankingGroup], periods: Sequence[Quarter]) -> Q:
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    overlap = Q(start__lte=last) & (Q(end__isnull=True) | Q(end__gte=first))
    selectors = Q()
    for group in groups:
        one = Q()
        if group.select_unit_id:
            one &= Q(unit__path__startswith=group.select_unit.path)
        if group.select_position:
            one &= Q(position=group.select_position)
        selectors |= one
    return overlap & selectors


def _load(groups: Sequence[RankingGroup], period: Quarter) -> list[GroupInput]:
    periods = _periods(period)
    codes = [p.code for p in periods]
    posts: dict[int, list[CorePost]] = defaultdict(list)
    cadre_codes: dict[int, str] = {}
    rows = Post.objects.filter(_post_filter(groups, periods)).values_list(
        "cadre_id", "cadre__code", "unit__path", "position", "start", "end"
    )
    for cadre_id, cadre_code, path, position, start, end in rows:
        cadre_codes[cadre_id] = cadre_code
        lineage = frozenset(c for c in path.split("/") if c)
        posts[cadre_id].append(CorePost(lineage, position, start, end))
    scheme_ids = {g.scheme_id for g in groups}
    amounts: dict = defaultdict(lambda: defaultdict(dict))  # (scheme, period) -> cadre -> rule -> amount
    counts: dict = defaultdict(lambda: defaultdict(dict))
    # A short list of cadres narrows the read; a county-wide one would only make the query longer.
    narrow = {"cadre_id__in": list(cadre_codes)} if len(cadre_codes) <= 2000 else {}
    # rule ids, not a join with the rules: the groups' schemes come with their rules prefetched
    rule_codes = {rule.pk: rule.code for g in groups for rule in g.scheme.rules.all()}
    for scheme_id, period_code, cadre_id, rule_id, amount, count in RuleTotal.objects.filter(
        scheme_id__in=scheme_ids, period__in=codes, **narrow
    ).values_list("scheme_id", "period", "cadre_id", "rule_id", "amount", "count"):
        rule_code = rule_codes.get(rule_id)
        if cadre_id not in cadre_codes or rule_code is None:
            continue
        amounts[(scheme_id, period_code)][cadre_id][rule_code] = amount
        counts[(scheme_id, period_code)][cadre_id][rule_code] = count
    ballots: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for scheme_id, period_code, cadre_id, klass, grade, n in (
        Ballot.objects.filter(scheme_id__in=scheme_ids, period__in=codes, **narrow)
        .values_list("scheme_id", "period", "cadre_id", "evaluator_class", "grade")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if cadre_id in cadre_codes:
            ballots[(scheme_id, period_code)][cadre_id][klass].extend([grade] * n)
    defs = {g.scheme_id: scheme_def(g.scheme) for g in groups}

    def data(group: RankingGroup, selector: Selector, p: Quarter) -> PeriodData:
        key = (group.scheme_id, p.code)
        cadres = tuple(
            CadreData(
                cadre_codes[cid],
                matching,
                amounts[key].get(cid, {}),
                counts[key].get(cid, {}),
                {k: tuple(v) for k, v in ballots[key].get(cid, {}).items()},
            )
            for cid, cposts in posts.items()
            if (matching := tuple(post for post in cposts if selector.matches(post)))
        )
        return PeriodData(p, cadres)

    inputs = []
    previous = period.previous()
    for group in groups:
        selector = Selector(group.select_unit.code if group.select_unit_id else None, group.select_position or None)
        inputs.append(
            GroupInput(
                group.code,
                defs[group.scheme_id],
                selector,
                data(group, selector, period),
                data(group, selector, previous) if previous else None,
            )
        )
    return inputs


def groups_queryset():
    return RankingGroup.objects.select_related("scheme", "select_unit").prefetch_related("scheme__rules")


def group_by_code(code: str) -> RankingGroup:
    try:
        return groups_queryset().get(code=code)
    except RankingGroup.DoesNotExist:
        raise DomainError(f"没有排名组 {code}", field="group", code="unknown_group") from None


def group_ranking(group: RankingGroup, period_code: str) -> Ranking:
    """The group's ranking for the period; from the cache when nothing it reads has changed (``rankings.cache``)."""
    period = group_period(group, period_code)
    if not cache.enabled():
        return rank_group(_load([group], period)[0])
    key = cache.key(group, period, cache.stamps([group.scheme_id], [p.code for p in _periods(period)]))
    ranking = cache.get(key)
    if ranking is None:
        ranking = rank_group(_load([group], period)[0])
        cache.put(key, ranking)
    return ranking


def rank_all(
    period_code: str, groups: Iterable[RankingGroup] | None = None, *, use_cache: bool = True
) -> list[Ranking]:
    """Every group whose scheme covers the period, ranked from one load (groups cached already are not loaded)."""
    groups = list(groups if groups is not None else groups_queryset())
    by_period: dict[Quarter, list[RankingGroup]] = defaultdict(list)
    for group in groups:
        try:
            by_period[group_period(group, period_code)].append(group)
        except DomainError:
            continue  # a group of another year has no such period
    cached = use_cache and cache.enabled()
    rankings = []
    for period, members in by_period.items():
        keys: dict[int, str] = {}
        if cached:
            codes = [p.code for p in _periods(period)]
            current = cache.stamps({g.scheme_id for g in members}, codes)
            keys = {g.pk: cache.key(g, period, current) for g in members}
            hits = {pk: hit for pk, k in keys.items() if (hit := cache.get(k)) is not None}
            rankings.extend(hits.values())
            members = [g for g in members if g.pk not in hits]
        if not members:
            continue
        for group, item in zip(members, _load(members, period), strict=True):
            ranking = rank_group(item)
            if cached:
                cache.put(keys[group.pk], ranking)
            rankings.append(ranking)
    return sorted(rankings, key=lambda r: r.group)


def groups_of_cadre(cadre_id: int, period_code: str | None = None, day=None) -> list[RankingGroup]:
    """The groups whose selector takes one of the cadre's posts on ``day`` (or at some time in the period)."""
    from gongfen.scoring.periods import Quarter

    posts = list(Post.objects.filter(cadre_id=cadre_id).select_related("unit"))
    if day is not None:
        first = last = day
    else:
        quarter = Quarter.parse(period_code)
        first, last = quarter.start, quarter.end
    held = [
        CorePost(p.unit.lineage, p.position, p.start, p.end)
        for p in posts
        if p.start <= last and (p.end is None or p.end >= first)
    ]
    out = []
    for group in groups_queryset():
        selector = Selector(group.select_unit.code if group.select_unit_id else None, group.select_position or None)
        if any(selector.matches(post) for post in held):
            out.append(group)
    return out


def schemes_applying(cadre_id: int, day) -> list[Scheme]:
    """The schemes a cadre can earn points under on ``day``: those of the groups they belong to then."""
    seen: dict[int, Scheme] = {}
    for group in groups_of_cadre(cadre_id, day=day):
        if group.scheme.year == day.year:
            seen.setdefault(group.scheme_id, group.scheme)
    return list(seen.values())
