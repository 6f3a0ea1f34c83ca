"""二(一)1: the headhunting reward to institutions and the subsidy to employers."""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from hrcalc.awards.common import LineBuilder, StepMemo, YearContext, shared_step
from hrcalc.i18n import Msg, fields, msg, register
from hrcalc.policy.model import EmployerSubsidyRule, HeadhuntingRule
from hrcalc.records import Placement
from hrcalc.result import Skip, Step

_new_msg = tuple.__new__  # a Msg is (key, fields(...), *values), see hrcalc.i18n.Msg
_new_tuple = tuple.__new__  # Skip's own __new__ is a slower Python-level function; every field is given

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
    # Two stable sorts give the order of the key (date, id), with cheaper comparisons than a
    # tuple's (measured: a third of the time for a year of 33,000 placements).
    out = sorted(placements, key=_ID)
    out.sort(key=_DATE)
    return out


_ID = attrgetter("placement_id")
_DATE = attrgetter("placement_date")


def in_date_order(ctx: YearContext, placements: list[Placement]) -> list[Placement]:
    """_by_date of the year's placements, sorted once for both of its awards (the context's memo)."""
    found = ctx.ordered.get(id(placements))
    if found is None or found[0] is not placements:
        found = ctx.ordered[id(placements)] = (placements, _by_date(placements))
    ordered: list[Placement] = found[1]
    return ordered


# Steps and reasons depend on few values (outside, urgent, class, salary, fee), which placements
# repeat: they are shared through shared_step and the per-call memos below, never rebuilt.
_F_SALARY_TIER = fields("salary", "threshold", "rate")
_F_BELOW = fields("salary", "threshold")
_F_CLASS = fields("cls", "rate")
_F_NO_CLASS = fields("cls")
_F_HIGHER = fields("rate", "tier")
_F_ES_TEST = fields("outside", "urgent", "salary", "threshold")


_Test = tuple[Step, tuple[str, Decimal] | None]  # a test's step, and the (tier, rate) it gives


def _salary_tier(memo: StepMemo, rule: HeadhuntingRule, salary: Decimal) -> _Test:
    """For a key enterprise, the highest salary tier reached (达到 = at least)."""
    tiers = rule.salary_tiers
    for top in reversed(tiers):  # the last tier of the list that the salary reaches
        if salary >= top.min_salary:
            step = shared_step(memo, "test", "step.hh.salary_tier", _F_SALARY_TIER, salary, top.min_salary, top.rate)
            return step, (top.id, top.rate)
    return shared_step(memo, "test", "step.hh.below_tiers", _F_BELOW, salary, tiers[0].min_salary), None


def _tier_labels(rule: HeadhuntingRule) -> dict[str, Msg]:
    """Each tier as the clerk reads it: its Chinese name (30万元档, A/B类人才) in Chinese, its id in English."""
    names = {t.id: t.name_zh for t in rule.salary_tiers}
    names[rule.talent_class_tier] = rule.talent_class_tier_zh
    return {tier_id: msg("award.name", zh=name or tier_id, en=tier_id) for tier_id, name in names.items()}


def _talent_class(memo: StepMemo, rule: HeadhuntingRule, cls: str | None) -> _Test:
    """Class A or B talent: the class rate, with no key-enterprise or salary test (ruling)."""
    if cls in rule.talent_classes:
        return (shared_step(memo, "test", "step.hh.class", _F_CLASS, cls, rule.talent_class_rate),
                (rule.talent_class_tier, rule.talent_class_rate))
    return shared_step(memo, "test", "step.hh.no_class", _F_NO_CLASS, cls or msg("blank")), None


def headhunting(ctx: YearContext, award_id: str, rule: HeadhuntingRule, placements: list[Placement]) -> None:
    """Rate × fee by salary tier or talent class; per-line cap; annual cap filled in date order."""
    labels = _tier_labels(rule)
    memo = ctx.shared
    outside = shared_step(memo, "test", "step.hh.outside", ())
    not_key: _Test = (shared_step(memo, "test", "step.hh.not_key", ()), None)
    by_salaries: dict[Decimal, _Test] = {}  # each test worked out once per salary, and per class
    by_classes: dict[str | None, _Test] = {}
    why_salary: dict[Decimal, Msg] = {}
    # the few distinct step lists of a skip, by the (memoised) tests that make them
    skip_steps: dict[tuple[int, int], tuple[Step, ...]] = {}
    not_outside, why_key = msg("skip.hh.not_outside"), msg("skip.hh.why_key")
    history, year, skips = ctx.history, ctx.year, ctx.skips
    for p in in_date_order(ctx, placements):
        if not p.from_outside_city:  # ctx.skip(...), without its call
            skips.append(_new_tuple(Skip, (award_id, p.credit_code, "institution", p.placement_id, year,
                                           not_outside, (), p.source)))
            continue
        if p.key_enterprise:
            salary_test = by_salaries.get(p.annual_salary)
            if salary_test is None:
                salary_test = by_salaries[p.annual_salary] = _salary_tier(memo, rule, p.annual_salary)
        else:
            salary_test = not_key
        class_test = by_classes.get(p.talent_class)
        if class_test is None:
            class_test = by_classes[p.talent_class] = _talent_class(memo, rule, p.talent_class)
        by_salary, by_class = salary_test[1], class_test[1]
        if by_salary is None and by_class is None:
            if p.key_enterprise:
                reason = why_salary.get(p.annual_salary)
                if reason is None:
                    reason = why_salary[p.annual_salary] = msg(
                        "skip.hh.why_salary", salary=p.annual_salary, threshold=rule.salary_tiers[0].min_salary)
            else:
                reason = why_key
            pair = (id(salary_test), id(class_test))  # both live in this call's memos
            steps = skip_steps.get(pair)
            if steps is None:
                steps = skip_steps[pair] = (outside, salary_test[0], class_test[0])
            skips.append(_new_tuple(Skip, (award_id, p.credit_code, "institution", p.placement_id, year,
                                           reason, steps, p.source)))
            continue
        tests = [outside, salary_test[0], class_test[0]]
        # The higher rate wins, one line per placement; on a tie the salary tier names it (contract.md).
        b = LineBuilder(award_id, p.credit_code, "institution", p.placement_id, p.placement_date,
                        rule.clause, p.source, steps=tests, shared=memo)
        if by_salary is None or by_class is None:
            chosen = by_salary or by_class
            assert chosen is not None
            b.tier, rate = chosen
        else:
            b.tier, rate = by_class if by_class[1] > by_salary[1] else by_salary
            b.steps.append(shared_step(memo, "rate", "step.hh.higher", _F_HIGHER, rate, labels.get(b.tier) or msg(
                "award.name", zh=b.tier, en=b.tier)))
        if by_salary is None:
            # rulings.md: a ruling must be named in the line's notes where it decides the line.
            b.note("note.hh.class_ruling", "ruling_talent_class", rate=rate)
        b.gross_rate(p.headhunting_fee, rate)
        b.cap(rule.line_cap, "cap.line", "line_cap", "note.line_cap")
        earlier = history.record_grant(award_id, p.credit_code, p.placement_id)
        if earlier is not None:
            b.already_granted(earlier)
        b.offset(p.other_policy_amount)
        used, across = history.year_state(award_id, p.credit_code, year)
        b.annual_cap(rule.annual_cap, used, year, across)
        ctx.emit(b.finish())


def employer_subsidy(ctx: YearContext, award_id: str, rule: EmployerSubsidyRule,
                     placements: list[Placement]) -> None:
    """To the employer: min(rate × fee, cap) for urgently needed talent from outside at the salary floor."""
    # a placement's test step, and its skip's steps and reason, by (outside, urgent) and salary
    # tested[outside][urgent]: lists indexed by the flags, no tuple made per placement
    tested: list[list[dict[Decimal, tuple[tuple[Step, ...], Msg | None]]]] = [[{}, {}], [{}, {}]]
    year = ctx.year
    names = ctx.payee_names
    for p in in_date_order(ctx, placements):
        payee = p.employer_credit_code
        if (payee, "employer") not in names:
            names[(payee, "employer")] = p.employer_name
        by_salary = tested[p.from_outside_city][p.urgent_need]
        found = by_salary.get(p.annual_salary)
        if found is None:
            found = by_salary[p.annual_salary] = _es_test(rule, p.from_outside_city, p.urgent_need, p.annual_salary)
        steps, reason = found
        if reason is not None:
            # most placements earn no subsidy: their line is never built, only the test recorded
            ctx.skips.append(_new_tuple(Skip, (award_id, payee, "employer", p.placement_id, year, reason, steps,
                                               p.source)))
            continue
        b = LineBuilder(award_id, payee, "employer", p.placement_id, p.placement_date, rule.clause, p.source,
                        steps=list(steps), shared=ctx.shared)
        b.gross_rate(p.headhunting_fee, rule.rate)
        b.cap(rule.cap, "cap.award", "award_cap", "note.award_cap")
        earlier = ctx.history.record_grant(award_id, payee, p.placement_id)
        if earlier is not None:
            b.already_granted(earlier)
        b.offset(p.employer_other_policy_amount)
        ctx.emit(b.finish())


def _es_test(rule: EmployerSubsidyRule, outside: bool, urgent: bool,
             salary: Decimal) -> tuple[tuple[Step, ...], Msg | None]:
    """The employer subsidy's test step, and the reason it fails (None: the placement qualifies)."""
    test = Step("test", _new_msg(Msg, ("step.es.test", _F_ES_TEST, msg("yes" if outside else "no"),
                                       msg("yes" if urgent else "no"), salary, rule.min_salary)))
    why: list[Msg] = []
    if not outside:
        why.append(msg("es.why.outside"))
    if not urgent:
        why.append(msg("es.why.urgent"))
    if salary < rule.min_salary:
        why.append(msg("es.why.salary", salary=salary, threshold=rule.min_salary))
    return (test,), (msg("skip.es.not_eligible", why=tuple(why)) if why else None)
