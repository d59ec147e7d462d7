"""Feeding the scoring core from the database: maintained totals, posts and ballots, never the ledger.

A group's ranking for a period takes a handful of queries whatever its size;
:func:`rank_all` ranks every group of a period with one query per table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Count, Q

from gongfen.common import DomainError
from gongfen.evaluations.models import Ballot
from gongfen.ledger.models import RuleTotal
from gongfen.org.models import Post
from gongfen.schemes.models import RankingGroup, Scheme
from gongfen.schemes.selectors import scheme_standard
from gongfen.scoring import (
    CadreData,
    GroupInput,
    PeriodData,
    PeriodError,
    Ranking,
    SchemeDef,
    Selector,
    YearInput,
    grade_year,
    parse_period,
    rank_group,
)
from gongfen.scoring import (
    Post as CorePost,
)
from gongfen.scoring.bundle import scheme_def as bundle_scheme_def
from gongfen.scoring.periods import PERIOD_KINDS, Period, Year, is_year_code

from . import cache


def scheme_def(scheme: Scheme) -> SchemeDef:
    """The core's view of a scheme (uses ``scheme.rules.all()``, prefetch it for many): the scheme's scoring
    standard in the bundle's shape, read by the same code that reads a bundle (one meaning for both)."""
    return bundle_scheme_def(scheme_standard(scheme, list(scheme.rules.all())), scheme.bundle_version)


def is_annual(group: RankingGroup, period: Period) -> bool:
    """``YYYYY`` asked of a non-yearly scheme: its annual grading (scoring-v2 §12)."""
    return isinstance(period, Year) and group.scheme.period_kind != "year"


def group_period(group: RankingGroup, code: str) -> Period:
    """The period ``code`` of ``group``'s scheme (``YYYYY`` too when the scheme grades its year), or a
    DomainError saying why not."""
    scheme = group.scheme
    try:
        if is_year_code(code) and scheme.period_kind != "year":
            if scheme.annual is None:
                raise DomainError(
                    f"排名组 {group.code} 的考核方案 {scheme.code} 按{PERIOD_LABELS.get(scheme.period_kind, '')}考核，"
                    f"没有年度考核等次，没有期间 {code}",
                    field="period",
                    code="bad_period",
                )
            period = parse_period(code, "year")
        else:
            period = parse_period(code, scheme.period_kind)
    except PeriodError as exc:
        raise DomainError(f"期间格式错误：{exc}", field="period", code="bad_period") from exc
    if period.year != scheme.year:
        raise DomainError(
            f"排名组 {group.code} 的考核方案 {scheme.code} 属于 {scheme.year} 年，没有期间 {code}",
            field="period",
            code="bad_period",
        )
    return period


PERIOD_LABELS = {"month": "月", "quarter": "季度", "half": "半年", "year": "年"}


def _periods(period: Period, group: RankingGroup | None = None) -> list[Period]:
    """The periods a ranking reads: the period and the one before it (streaks), or every period of the year
    for an annual grading."""
    if group is not None and is_annual(group, period):
        return list(PERIOD_KINDS[group.scheme.period_kind].all_of_year(period.year))
    previous = period.previous()
    return [period] if previous is None else [previous, period]


def _post_filter(groups: Sequence[RankingGroup], periods: Sequence[Period]) -> Q:
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


def _load(groups: Sequence[RankingGroup], period: Period) -> list[GroupInput | YearInput]:
    """The core's input for each group: maintained totals (amounts, counts, measures), posts and ballots of
    the periods it reads, in one query per table whatever the number of groups."""
    wanted = {g.pk: _periods(period, g) for g in groups}
    all_periods = sorted({p for ps in wanted.values() for p in ps}, key=lambda p: p.start)
    codes = [p.code for p in all_periods]
    posts: dict[int, list[CorePost]] = defaultdict(list)
    cadre_codes: dict[int, str] = {}
    rows = Post.objects.filter(_post_filter(groups, all_periods)).values_list(
        "cadre_id", "cadre__code", "unit__path", "position", "start", "end"
    )
    for cadre_id, cadre_code, path, position, start, end in rows:
        cadre_codes[cadre_id] = cadre_code
        nearest_first = tuple(reversed([c for c in path.split("/") if c]))
        posts[cadre_id].append(CorePost.in_unit(nearest_first, position, start, end))
    scheme_ids = {g.scheme_id for g in groups}
    amounts: dict = defaultdict(lambda: defaultdict(dict))  # (scheme, period) -> cadre -> rule -> amount
    counts: dict = defaultdict(lambda: defaultdict(dict))
    measures: dict = defaultdict(lambda: defaultdict(dict))
    # A short list of cadres narrows the read; a county-wide one would only make the query longer.
    narrow = {"cadre_id__in": list(cadre_codes)} if len(cadre_codes) <= 2000 else {}
    # rule ids, not a join with the rules: the groups' schemes come with their rules prefetched
    rule_codes = {rule.pk: rule.code for g in groups for rule in g.scheme.rules.all()}
    for scheme_id, period_code, cadre_id, rule_id, amount, count, quantity in RuleTotal.objects.filter(
        scheme_id__in=scheme_ids, period__in=codes, **narrow
    ).values_list("scheme_id", "period", "cadre_id", "rule_id", "amount", "count", "quantity"):
        rule_code = rule_codes.get(rule_id)
        if cadre_id not in cadre_codes or rule_code is None:
            continue
        amounts[(scheme_id, period_code)][cadre_id][rule_code] = amount
        counts[(scheme_id, period_code)][cadre_id][rule_code] = count
        measures[(scheme_id, period_code)][cadre_id][rule_code] = quantity
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

    def data(group: RankingGroup, selector: Selector, p: Period) -> PeriodData:
        key = (group.scheme_id, p.code)
        cadres = tuple(
            CadreData(
                cadre_codes[cid],
                matching,
                amounts[key].get(cid, {}),
                counts[key].get(cid, {}),
                {k: tuple(v) for k, v in ballots[key].get(cid, {}).items()},
                measures[key].get(cid, {}),
            )
            for cid, cposts in posts.items()
            if (matching := tuple(post for post in cposts if selector.matches(post)))
        )
        return PeriodData(p, cadres)

    inputs: list[GroupInput | YearInput] = []
    for group in groups:
        selector = Selector(group.select_unit.code if group.select_unit_id else None, group.select_position or None)
        scheme = defs[group.scheme_id]
        if is_annual(group, period):
            periods = tuple(data(group, selector, p) for p in wanted[group.pk])
            inputs.append(YearInput(group.code, scheme, selector, periods))
            continue
        previous = period.previous()
        inputs.append(
            GroupInput(
                group.code,
                scheme,
                selector,
                data(group, selector, period),
                data(group, selector, previous) if previous else None,
            )
        )
    return inputs


def _rank(item: GroupInput | YearInput) -> Ranking:
    return grade_year(item) if isinstance(item, YearInput) else rank_group(item)


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
        return _rank(_load([group], period)[0])
    key = cache.key(group, period, cache.stamps([group.scheme_id], [p.code for p in _periods(period, group)]))
    ranking = cache.get(key)
    if ranking is None:
        ranking = _rank(_load([group], period)[0])
        cache.put(key, ranking)
    return ranking


def rank_all(
    period_code: str,
    groups: Iterable[RankingGroup] | None = None,
    *,
    use_cache: bool = True,
    skipped: list[tuple[RankingGroup, str]] | None = None,
) -> list[Ranking]:
    """Every group whose scheme has the period, ranked from one load (groups cached already are not loaded).

    ``skipped`` (when given) receives each group left out and why (another year, another period kind)."""
    groups = list(groups if groups is not None else groups_queryset())
    by_period: dict[tuple[Period, bool], list[RankingGroup]] = defaultdict(list)
    for group in groups:
        try:
            period = group_period(group, period_code)
        except DomainError as exc:
            if skipped is not None:
                skipped.append((group, exc.message))
            continue
        by_period[(period, is_annual(group, period))].append(group)
    cached = use_cache and cache.enabled()
    rankings = []
    for (period, _annual), members in by_period.items():
        keys: dict[int, str] = {}
        if cached:
            codes = [p.code for p in _periods(period, members[0])]
            current = cache.stamps({g.scheme_id for g in members}, codes)
            keys = {g.pk: cache.key(g, period, current) for g in members}
            hits = {pk: hit for pk, k in keys.items() if (hit := cache.get(k)) is not None}
            rankings.extend(hits.values())
            members = [g for g in members if g.pk not in hits]
        if not members:
            continue
        for group, item in zip(members, _load(members, period), strict=True):
            ranking = _rank(item)
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
