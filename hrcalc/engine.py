"""Year by year, oldest first: records → award lines, with history, caps and offsets → Result."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import assert_never

from hrcalc.awards import headhunting as hh
from hrcalc.awards import parks, recognitions, revenue
from hrcalc.awards.common import History, YearContext
from hrcalc.i18n import msg, register, set_names
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
from hrcalc.records import Issue, Park, Placement, Recognition, Records, RevenueYear, Source
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
})


@dataclass(slots=True)
class _Year:
    """One award year's events, inside the validity window."""

    placements: list[Placement] = field(default_factory=list)
    revenue: list[RevenueYear] = field(default_factory=list)
    recognitions: dict[str, list[Recognition]] = field(default_factory=lambda: defaultdict(list))
    parks: list[Park] = field(default_factory=list)


class _Bucketer:
    """Sorts events into award years; an event outside the window earns a skip and a warning."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.years: dict[int, _Year] = defaultdict(_Year)
        self.skips: list[Skip] = []
        self.issues: list[Issue] = []

    def in_window(self, day: date, awards: list[tuple[str, str, str]], record_id: str,
                  source: Source | None) -> bool:
        p = self.policy
        if p.in_window(day):
            return True
        reason = msg("skip.window", day=day.isoformat(), start=p.effective_from.isoformat(),
                     end=p.effective_to.isoformat())
        for award_id, payee_id, payee_type in awards:
            self.skips.append(Skip(award_id, payee_id, payee_type, record_id, day.year, reason,  # type: ignore[arg-type]
                                   (), source))
        names = tuple(msg(f"award.{a}") for a, _, _ in awards)
        self.issues.append(Issue(
            "warning", msg("warn.window", award=names, day=day.isoformat(),
                           start=p.effective_from.isoformat(), end=p.effective_to.isoformat()),
            source.sheet if source else None, source.row if source else None,
        ))
        return False


def calculate(records: Records, policy: Policy, *, today: date | None = None) -> Result:
    """Compute every award year present, oldest first; earlier years count as granted later."""
    set_names({f"award.{aid}": (rule.name_zh, rule.name_en) for aid, rule in policy.awards.items()})
    names = {(i.credit_code, "institution"): i.name for i in records.institutions}
    districts = {i.credit_code: i.district for i in records.institutions}
    inst_names = {i.credit_code: i.name for i in records.institutions}
    bucket = _Bucketer(policy)
    hh_awards = [aid for aid, _ in policy.rules_of(HeadhuntingRule)]
    es_awards = [aid for aid, _ in policy.rules_of(EmployerSubsidyRule)]
    rev_awards = [aid for aid, _ in policy.rules_of(RevenueGrowthRule)]
    park_rules = policy.rules_of(ParkRule)
    park_awards = [aid for aid, _ in park_rules]
    park_levels = {lv.level for _, rule in park_rules for lv in rule.levels}

    for pl in records.placements:
        targets = ([(a, pl.credit_code, "institution") for a in hh_awards]
                   + [(a, pl.employer_credit_code, "employer") for a in es_awards])
        if pl.employer_credit_code:
            names.setdefault((pl.employer_credit_code, "employer"), pl.employer_name)
        if bucket.in_window(pl.placement_date, targets, pl.placement_id, pl.source):
            bucket.years[pl.placement_date.year].placements.append(pl)

    revenue_by_key = {(r.credit_code, r.year): r for r in records.revenue}
    for row in records.revenue:
        day = revenue.event_date(row.year)
        if not policy.in_window(day) and day < policy.effective_from \
                and (row.credit_code, row.year + 1) in revenue_by_key:
            bucket.issues.append(Issue("info", msg("info.rev.prior_only", year=row.year),
                                       row.source.sheet if row.source else None,
                                       row.source.row if row.source else None))
            continue
        targets = [(a, row.credit_code, "institution") for a in rev_awards]
        if bucket.in_window(day, targets, str(row.year), row.source):
            bucket.years[row.year].revenue.append(row)

    for rec in records.recognitions:
        award_id = policy.award_for_recognition(rec.kind)
        if award_id is None:
            bucket.issues.append(Issue("info", msg("info.rec.no_award", kind=rec.kind),
                                       rec.source.sheet if rec.source else None,
                                       rec.source.row if rec.source else None))
            continue
        if bucket.in_window(rec.date, [(award_id, rec.credit_code, "institution")], rec.record_id,
                            rec.source):
            bucket.years[rec.date.year].recognitions[award_id].append(rec)

    for pk in records.parks:
        names.setdefault((pk.district, "district"), pk.district)
        if pk.level not in park_levels:
            bucket.issues.append(Issue("info", msg("info.park.no_level", level=pk.level),
                                       pk.source.sheet if pk.source else None,
                                       pk.source.row if pk.source else None))
            continue
        if bucket.in_window(pk.date, [(a, pk.district, "district") for a in park_awards], pk.park_id,
                            pk.source):
            bucket.years[pk.date.year].parks.append(pk)

    history = History.from_prior(records.prior_awards)
    issues_prior: list[Issue] = []
    for prior in records.prior_awards:
        rule = policy.awards.get(prior.award)
        if prior.tier is None and isinstance(rule, RevenueGrowthRule | ParkRule):
            effect = msg("prior.effect.revenue" if isinstance(rule, RevenueGrowthRule) else "prior.effect.park")
            issues_prior.append(Issue("warning", msg("warn.prior.no_tier", award=msg(f"award.{prior.award}"),
                                                     effect=effect),
                                      prior.source.sheet if prior.source else None,
                                      prior.source.row if prior.source else None, field="tier"))
    lines: list[Line] = []
    skips: list[Skip] = list(bucket.skips)
    issues: list[Issue] = list(records.issues) + issues_prior + bucket.issues
    for year in sorted(bucket.years):
        ev = bucket.years[year]
        ctx = YearContext(policy, history, year, payee_names=names)
        for award_id, rule in policy.awards.items():
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
    for item in [*((ln.payee_id, ln.payee_type) for ln in lines), *((s.payee_id, s.payee_type) for s in skips)]:
        if item not in payees:
            payee_id, payee_type = item
            district = (districts.get(payee_id) if payee_type == "institution"
                        else payee_id if payee_type == "district" else None)
            payees[item] = Payee(payee_id, payee_type, names.get(item) or payee_id, district)
    lines.sort(key=lambda ln: (ln.payee_id, ln.payee_type, ln.year, ln.award, ln.record_id))
    return Result(
        policy=policy,
        years=sorted(bucket.years),
        lines=lines,
        skips=skips,
        issues=issues,
        payees=payees,
        complete=not records.errors,
        expired=today is not None and today > policy.effective_to,
    )
