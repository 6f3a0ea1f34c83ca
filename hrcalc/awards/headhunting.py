"""二(一)1: the headhunting reward to institutions and the subsidy to employers."""

from __future__ import annotations

from decimal import Decimal

from hrcalc.awards.common import LineBuilder, YearContext
from hrcalc.i18n import Msg, msg, register
from hrcalc.policy.model import EmployerSubsidyRule, HeadhuntingRule
from hrcalc.records import Placement
from hrcalc.result import Step

register({
    "step.hh.outside": ("市外引进：是", "From outside the city: yes"),
    "step.hh.salary_tier": ("重点企业：是；年税前薪酬 {salary:money} ≥ {threshold:money} → {rate:rate}",
                            "Key enterprise: yes; annual salary {salary:money} ≥ {threshold:money} → {rate:rate}"),
    "step.hh.below_tiers": ("重点企业：是；年税前薪酬 {salary:money} < {threshold:money}，未达最低档",
                            "Key enterprise: yes; annual salary {salary:money} < {threshold:money}, "
                            "below the lowest tier"),
    "step.hh.not_key": ("重点企业：否 → 不适用薪酬档", "Key enterprise: no → salary tiers do not apply"),
    "step.hh.class": ("人才类别 {cls} 类 → {rate:rate}", "Talent class {cls} → {rate:rate}"),
    "step.hh.no_class": ("人才类别：{cls}，非 A/B 类", "Talent class: {cls}, not A or B"),
    "step.hh.higher": ("两项均适用，取较高比例 {rate:rate}（{tier}）",
                       "Both apply; the higher rate {rate:rate} wins ({tier})"),
    "note.hh.class_ruling": ("裁定：A/B类人才奖励不要求重点企业和薪酬门槛，按猎头服务费的 {rate:rate} 计",
                             "Ruling: the class A/B reward needs no key enterprise and no salary threshold; "
                             "{rate:rate} of the fee"),
    "skip.hh.not_outside": ("非市外引进，不符合猎头引才奖励条件", "Not from outside the city: no headhunting reward"),
    "skip.hh.why_key": ("非重点企业且非 A/B 类人才，不符合猎头引才奖励条件",
                        "Not a key enterprise and not class A/B talent: no headhunting reward"),
    "skip.hh.why_salary": ("年税前薪酬 {salary:money} 低于最低档 {threshold:money} 且非 A/B 类人才",
                           "Annual salary {salary:money} is below the lowest tier {threshold:money} "
                           "and the talent is not class A/B"),
    "step.es.test": ("市外引进：{outside}；急需紧缺：{urgent}；年薪 {salary:money}（须 ≥ {threshold:money}）",
                     "From outside: {outside}; urgently needed: {urgent}; salary {salary:money} "
                     "(needs ≥ {threshold:money})"),
    "skip.es.not_eligible": ("不符合用人企业补贴条件：{why}", "No employer subsidy: {why}"),
    "es.why.outside": ("非市外引进", "not from outside the city"),
    "es.why.urgent": ("未标记急需紧缺", "not marked urgently needed"),
    "es.why.salary": ("年薪 {salary:money} 低于 {threshold:money}", "salary {salary:money} below {threshold:money}"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "blank": ("空", "blank"),
})


def _by_date(placements: list[Placement]) -> list[Placement]:
    # rulings.md: the annual cap is filled in order of placement date, then placement id.
    return sorted(placements, key=lambda p: (p.placement_date, p.placement_id))


def _salary_tier(rule: HeadhuntingRule, p: Placement, b: LineBuilder) -> tuple[str, Decimal] | None:
    """For a key enterprise, the highest salary tier reached (达到 = at least)."""
    if not p.key_enterprise:
        b.step("test", "step.hh.not_key")
        return None
    reached = [t for t in rule.salary_tiers if p.annual_salary >= t.min_salary]
    if not reached:
        b.step("test", "step.hh.below_tiers", salary=p.annual_salary,
               threshold=rule.salary_tiers[0].min_salary)
        return None
    top = reached[-1]
    b.step("test", "step.hh.salary_tier", salary=p.annual_salary, threshold=top.min_salary, rate=top.rate)
    return top.id, top.rate


def _tier_label(rule: HeadhuntingRule, tier_id: str) -> Msg:
    """A tier as the clerk reads it: its Chinese name (30万元档, A/B类人才) in Chinese, its id in English."""
    names = {t.id: t.name_zh for t in rule.salary_tiers}
    names[rule.talent_class_tier] = rule.talent_class_tier_zh
    return msg("award.name", zh=names.get(tier_id) or tier_id, en=tier_id)


def _talent_class(rule: HeadhuntingRule, p: Placement, b: LineBuilder) -> tuple[str, Decimal] | None:
    """Class A or B talent: the class rate, with no key-enterprise or salary test (ruling)."""
    if p.talent_class in rule.talent_classes:
        b.step("test", "step.hh.class", cls=p.talent_class, rate=rule.talent_class_rate)
        return rule.talent_class_tier, rule.talent_class_rate
    b.step("test", "step.hh.no_class", cls=p.talent_class or msg("blank"))
    return None


def headhunting(ctx: YearContext, award_id: str, rule: HeadhuntingRule, placements: list[Placement]) -> None:
    """Rate × fee by salary tier or talent class; per-line cap; annual cap filled in date order."""
    for p in _by_date(placements):
        if not p.from_outside_city:
            ctx.skip(award_id, p.credit_code, "institution", p.placement_id,
                     msg("skip.hh.not_outside"), p.source)
            continue
        b = LineBuilder(award_id, p.credit_code, "institution", p.placement_id, p.placement_date,
                        rule.clause, p.source)
        b.step("test", "step.hh.outside")
        by_salary = _salary_tier(rule, p, b)
        options = [o for o in (by_salary, _talent_class(rule, p, b)) if o is not None]
        if not options:
            reason = (msg("skip.hh.why_salary", salary=p.annual_salary,
                          threshold=rule.salary_tiers[0].min_salary)
                      if p.key_enterprise else msg("skip.hh.why_key"))
            ctx.skip(award_id, p.credit_code, "institution", p.placement_id, reason, p.source, b.steps)
            continue
        # The higher rate wins, one line per placement; on a tie the salary tier names it (contract.md).
        b.tier, rate = max(options, key=lambda o: o[1])
        if len(options) == 2:
            b.step("rate", "step.hh.higher", rate=rate, tier=_tier_label(rule, b.tier))
        if by_salary is None:
            # rulings.md: a ruling must be named in the line's notes where it decides the line.
            b.note("note.hh.class_ruling", "ruling_talent_class", rate=rate)
        b.gross_rate(p.headhunting_fee, rate)
        b.cap(rule.line_cap, "cap.line", "line_cap", "note.line_cap")
        earlier = ctx.history.record_grant(award_id, p.credit_code, p.placement_id)
        if earlier is not None:
            b.already_granted(earlier)
        b.offset(p.other_policy_amount)
        b.annual_cap(rule.annual_cap, ctx.history.year_total(award_id, p.credit_code, ctx.year), ctx.year,
                     ctx.history.year_spans_others(award_id, p.credit_code, ctx.year))
        ctx.emit(b.finish())


def employer_subsidy(ctx: YearContext, award_id: str, rule: EmployerSubsidyRule,
                     placements: list[Placement]) -> None:
    """To the employer: min(rate × fee, cap) for urgently needed talent from outside at the salary floor."""
    for p in _by_date(placements):
        payee = p.employer_credit_code
        ctx.payee_names.setdefault((payee, "employer"), p.employer_name)
        test = Step("test", msg("step.es.test", outside=msg("yes" if p.from_outside_city else "no"),
                                urgent=msg("yes" if p.urgent_need else "no"), salary=p.annual_salary,
                                threshold=rule.min_salary))
        why: list[Msg] = []
        if not p.from_outside_city:
            why.append(msg("es.why.outside"))
        if not p.urgent_need:
            why.append(msg("es.why.urgent"))
        if p.annual_salary < rule.min_salary:
            why.append(msg("es.why.salary", salary=p.annual_salary, threshold=rule.min_salary))
        if why:
            # most placements earn no subsidy: their line is never built, only the test recorded
            ctx.skip(award_id, payee, "employer", p.placement_id,
                     msg("skip.es.not_eligible", why=tuple(why)), p.source, [test])
            continue
        b = LineBuilder(award_id, payee, "employer", p.placement_id, p.placement_date, rule.clause, p.source,
                        steps=[test])
        b.gross_rate(p.headhunting_fee, rule.rate)
        b.cap(rule.cap, "cap.award", "award_cap", "note.award_cap")
        earlier = ctx.history.record_grant(award_id, payee, p.placement_id)
        if earlier is not None:
            b.already_granted(earlier)
        b.offset(p.employer_other_policy_amount)
        ctx.emit(b.finish())
