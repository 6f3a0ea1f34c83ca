"""Year by year, oldest first: records → award lines, with history, caps and offsets → Result."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter, itemgetter
from typing import Any, assert_never

from hrcalc.awards import headhunting as hh
from hrcalc.awards import parks, recognitions, revenue
from hrcalc.awards.common import History, StepMemo, YearContext, award_label
from hrcalc.i18n import Msg, msg, register
from hrcalc.policy import Policy
from hrcalc.policy.model import (
    ApprovedOnceRule,
    DiscretionaryOnceRule,
    EmployerSubsidyRule,
    FixedOnceRule,
    FixedPerReferenceRule,
    HeadhuntingRule,
    ParkRule,
    RankingRule,
    RevenueGrowthRule,
)
from hrcalc.policy.timeline import Timeline, Unit
from hrcalc.records import Issue, Park, Placement, PriorAward, Recognition, Records, RevenueYear, Source
from hrcalc.result import Line, Payee, Result, Skip

register({
    "info.rev.prior_only": ("{year}年度营业收入早于政策有效期，仅作为上年营业收入使用",
                            "Revenue year {year} is before the policy window; used only as prior-year revenue"),
    "info.rec.no_award": ("类别 {kind} 在本政策中没有对应奖励", "Kind {kind} has no award in this policy"),
    "warn.prior.no_tier": ("历史兑现的{award}没有档次：无法判断已兑现哪一档，{effect}",
                           "A prior {award} award has no tier: which tier was granted is unknown; {effect}"),
    "prior.effect.revenue": ("该记录不关闭任何档次，请补填档次", "it closes no tier; please fill in the tier"),
    "prior.effect.park": ("视为该园区各级别均已兑现，请补填级别",
                          "it is taken to cover every level of that park; please fill in the level"),
    "info.park.no_level": ("级别 {level} 在本政策中没有对应补助", "Level {level} has no subsidy in this policy"),
    "skip.windows": ("日期 {day} 不在任何政策方案的有效期内（{windows}），不予计算",
                     "Date {day} is outside every plan's window ({windows}); nothing computed"),
    "warn.windows": ("{award}：日期 {day} 不在任何政策方案的有效期内（{windows}），不予计算",
                     "{award}: date {day} is outside every plan's window ({windows}); nothing computed"),
    "windows.span": ("{start} 至 {end}", "{start} to {end}"),
})


@dataclass(slots=True)
class _Year:
    """One award year's events under one stretch of the timeline (one plan, one set of values)."""

    placements: list[Placement] = field(default_factory=list)
    revenue: list[RevenueYear] = field(default_factory=list)
    recognitions: dict[str, list[Recognition]] = field(default_factory=lambda: defaultdict(list))
    parks: list[Park] = field(default_factory=list)


class _Bucketer:
    """Sorts events into (award year, stretch of the timeline); outside every window: a skip and a warning."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.years: dict[tuple[int, int], _Year] = defaultdict(_Year)
        self.skips: list[Skip] = []
        self.issues: list[Issue] = []
        self._units: dict[date, Unit | None] = {}
        self.start = timeline.earliest.effective_from
        self.end = timeline.latest.effective_to
        plans = timeline.plans
        # windows with a gap between them: the message lists each window instead of one span
        self.windows: tuple[Msg, ...] | None = None
        if any((b.effective_from - a.effective_to).days > 1 for a, b in itertools.pairwise(plans)):
            self.windows = tuple(msg("windows.span", start=p.effective_from.isoformat(),
                                     end=p.effective_to.isoformat()) for p in plans)

    def unit(self, day: date) -> Unit | None:
        try:
            return self._units[day]
        except KeyError:
            found = self._units[day] = self.timeline.unit_at(day)
            return found

    def place(self, day: date, awards: list[tuple[str, str, str]], record_id: str,
              source: Source | None) -> _Year | None:
        """The bucket of an event dated `day`, or None (skips and a warning) outside every window."""
        unit = self.unit(day)
        if unit is not None:
            return self.years[(day.year, unit.index)]
        if self.windows is not None:
            reason = msg("skip.windows", day=day.isoformat(), windows=self.windows)
        else:
            reason = msg("skip.window", day=day.isoformat(), start=self.start.isoformat(), end=self.end.isoformat())
        for award_id, payee_id, payee_type in awards:
            self.skips.append(Skip(award_id, payee_id, payee_type, record_id, day.year, reason,  # type: ignore[arg-type]
                                   (), source))
        names = tuple(award_label(self._rule(a)) for a, _, _ in awards)
        warning = (msg("warn.windows", award=names, day=day.isoformat(), windows=self.windows)
                   if self.windows is not None else
                   msg("warn.window", award=names, day=day.isoformat(), start=self.start.isoformat(),
                       end=self.end.isoformat()))
        self.issues.append(Issue(
            "warning", warning,
            source.sheet if source else None, source.row if source else None,
        ))
        return None

    def _rule(self, award_id: str) -> Any:
        return next(p.awards[award_id] for p in reversed(self.timeline.plans) if award_id in p.awards)


_PAYEE = attrgetter("payee_id", "payee_type")
_UNSEEN: Any = object()
# the same of a Skip, by place: a NamedTuple's fields by attribute cost a descriptor call each
_SKIP_PAYEE = itemgetter(Skip._fields.index("payee_id"), Skip._fields.index("payee_type"))
_LINE_ORDER = attrgetter("payee_id", "payee_type", "year", "award", "record_id")


def _amended(unit: Unit) -> dict[str, list[Msg]]:
    """Notes for the lines of a stretch whose values are not the plan's first: which value holds, since when."""
    out: dict[str, list[Msg]] = defaultdict(list)
    if unit.first:
        return out
    for path, values in unit.plan.dated_values.items():
        item = next(v for v in reversed(values) if v.from_ <= unit.start)
        if item is values[0]:
            continue
        award_id = path.split(".")[1]
        where = item.clause or item.reference
        out[award_id].append(msg("note.dated", name=path.split(".", 2)[2], day=item.from_.isoformat(),
                                 value=format(item.value, "f"), clause=f"（{where}）" if where else ""))
    return out


def _prior_place(timeline: Timeline) -> Callable[[PriorAward], tuple[str, str, int]]:
    """rulings.md: a prior_awards row belongs to the plan in force on its date, else the earliest plan."""
    def place(prior: PriorAward) -> tuple[str, str, int]:
        unit = timeline.unit_at(prior.date)
        named = timeline.plan(prior.policy) if prior.policy else None
        if prior.policy and named is None:
            # a plan outside this run and its lineage: its grants are that plan's own history
            return f"{prior.policy}\x1f{prior.award}", prior.policy, -1
        plan = named or (unit.plan if unit is not None else timeline.earliest)
        if prior.award not in plan.awards:
            plan = next((p for p in timeline.plans if prior.award in p.awards), plan)
        return timeline.key(plan.id, prior.award), plan.id, unit.index if unit is not None else -1
    return place


def calculate(records: Records, policy: Policy | Timeline, *, today: date | None = None) -> Result:
    """Compute every award year present, oldest first, each event under the plan in force on its date;
    earlier years (and earlier plans of a year) count as granted later."""
    return _calculate(records, policy, today)


def _calculate(records: Records, policy: Policy | Timeline, today: date | None) -> Result:
    timeline = policy if isinstance(policy, Timeline) else Timeline.of(policy)
    names = {(i.credit_code, "institution"): i.name for i in records.institutions}
    districts = {i.credit_code: i.district for i in records.institutions}
    inst_names = {i.credit_code: i.name for i in records.institutions}
    bucket = _Bucketer(timeline)
    shared: StepMemo = {}  # the steps placements repeat, one object each, for this run alone
    plans = timeline.plans
    hh_awards = list(dict.fromkeys(aid for p in plans for aid, _ in p.rules_of(HeadhuntingRule)))
    es_awards = list(dict.fromkeys(aid for p in plans for aid, _ in p.rules_of(EmployerSubsidyRule)))
    rev_awards = list(dict.fromkeys(aid for p in plans for aid, _ in p.rules_of(RevenueGrowthRule)))
    park_rules = [r for p in plans for r in p.rules_of(ParkRule)]
    park_awards = list(dict.fromkeys(aid for aid, _ in park_rules))
    park_levels = {lv.level for _, rule in park_rules for lv in rule.levels}

    by_day: dict[date, list[Placement] | None] = {}  # a day's bucket (None: outside every window)
    for pl in records.placements:
        if pl.employer_credit_code:
            names.setdefault((pl.employer_credit_code, "employer"), pl.employer_name)
        day = pl.placement_date
        found = by_day.get(day, _UNSEEN)
        if found is _UNSEEN:
            unit = bucket.unit(day)
            found = by_day[day] = None if unit is None else bucket.years[(day.year, unit.index)].placements
        if found is not None:
            found.append(pl)
            continue
        targets = ([(a, pl.credit_code, "institution") for a in hh_awards]
                   + [(a, pl.employer_credit_code, "employer") for a in es_awards])
        bucket.place(pl.placement_date, targets, pl.placement_id, pl.source)

    revenue_by_key = {(r.credit_code, r.year): r for r in records.revenue}
    for row in records.revenue:
        day = revenue.event_date(row.year)
        if bucket.unit(day) is None and day < bucket.start and (row.credit_code, row.year + 1) in revenue_by_key:
            bucket.issues.append(Issue("info", msg("info.rev.prior_only", year=row.year),
                                       row.source.sheet if row.source else None,
                                       row.source.row if row.source else None))
            continue
        targets = [(a, row.credit_code, "institution") for a in rev_awards]
        year_bucket = bucket.place(day, targets, str(row.year), row.source)
        if year_bucket is not None:
            year_bucket.revenue.append(row)

    for rec in records.recognitions:
        unit = bucket.unit(rec.date)
        plan = unit.plan if unit is not None else timeline.latest
        award_id = plan.award_for_recognition(rec.kind)
        if award_id is None and unit is None:
            award_id = next((a for p in plans if (a := p.award_for_recognition(rec.kind))), None)
        if award_id is None:
            bucket.issues.append(Issue("info", msg("info.rec.no_award", kind=rec.kind),
                                       rec.source.sheet if rec.source else None,
                                       rec.source.row if rec.source else None))
            continue
        year_bucket = bucket.place(rec.date, [(award_id, rec.credit_code, "institution")], rec.record_id,
                                   rec.source)
        if year_bucket is not None:
            year_bucket.recognitions[award_id].append(rec)

    for pk in records.parks:
        names.setdefault((pk.district, "district"), pk.district)
        if pk.level not in park_levels:
            bucket.issues.append(Issue("info", msg("info.park.no_level", level=pk.level),
                                       pk.source.sheet if pk.source else None,
                                       pk.source.row if pk.source else None))
            continue
        year_bucket = bucket.place(pk.date, [(a, pk.district, "district") for a in park_awards], pk.park_id,
                                   pk.source)
        if year_bucket is not None:
            year_bucket.parks.append(pk)

    history = History.from_prior(records.prior_awards, _prior_place(timeline))
    issues_prior: list[Issue] = []
    for prior in records.prior_awards:
        rule = next((p.awards[prior.award] for p in reversed(plans) if prior.award in p.awards), None)
        if prior.tier is None and isinstance(rule, RevenueGrowthRule | ParkRule):
            effect = msg("prior.effect.revenue" if isinstance(rule, RevenueGrowthRule) else "prior.effect.park")
            issues_prior.append(Issue("warning", msg("warn.prior.no_tier", award=award_label(rule), effect=effect),
                                      prior.source.sheet if prior.source else None,
                                      prior.source.row if prior.source else None, field="tier"))
    lines: list[Line] = []
    skips: list[Skip] = list(bucket.skips)
    issues: list[Issue] = list(records.issues) + issues_prior + bucket.issues
    by_id = {p.id: p for p in plans}
    for year, unit_index in sorted(bucket.years):
        ev = bucket.years[(year, unit_index)]
        unit = timeline.units[unit_index]
        rules = unit.rules
        keys = {aid: timeline.key(unit.plan.id, aid) for aid in rules.awards}
        ctx = YearContext(rules, history.view(keys, unit.plan.id, unit.index), year, payee_names=names,
                          plans=by_id, amended=_amended(unit), shared=shared)
        for award_id, rule in rules.awards.items():
            match rule:
                case HeadhuntingRule():
                    hh.headhunting(ctx, award_id, rule, ev.placements)
                case EmployerSubsidyRule():
                    hh.employer_subsidy(ctx, award_id, rule, ev.placements)
                case RevenueGrowthRule():
                    revenue.revenue_growth(ctx, award_id, rule, ev.revenue, revenue_by_key)
                case RankingRule():
                    recognitions.ranking(ctx, award_id, rule, ev.recognitions.get(award_id, []))
                case FixedOnceRule():
                    recognitions.fixed_once(ctx, award_id, rule, ev.recognitions.get(award_id, []))
                case DiscretionaryOnceRule():
                    recognitions.discretionary_once(ctx, award_id, rule,
                                                    ev.recognitions.get(award_id, []), inst_names)
                case ApprovedOnceRule():
                    recognitions.approved_once(ctx, award_id, rule, ev.recognitions.get(award_id, []),
                                               inst_names)
                case FixedPerReferenceRule():
                    recognitions.fixed_per_reference(ctx, award_id, rule, ev.recognitions.get(award_id, []))
                case ParkRule():
                    parks.park(ctx, award_id, rule, ev.parks)
                case _:
                    assert_never(rule)
        lines.extend(ctx.lines)
        skips.extend(ctx.skips)
        issues.extend(ctx.issues)

    payees: dict[tuple[str, str], Payee] = {}
    for item in dict.fromkeys(itertools.chain(map(_PAYEE, lines), map(_SKIP_PAYEE, skips))):  # first seen first
        payee_id, payee_type = item
        district = (districts.get(payee_id) if payee_type == "institution"
                    else payee_id if payee_type == "district" else None)
        payees[item] = Payee(payee_id, payee_type, names.get(item) or payee_id, district)
    lines.sort(key=_LINE_ORDER)
    return Result(
        policy=timeline.latest,
        years=sorted({year for year, _ in bucket.years}),
        lines=lines,
        skips=skips,
        issues=issues,
        payees=payees,
        complete=not records.errors,
        expired=today is not None and today > timeline.latest.effective_to,
        plans=list(plans),
    )
