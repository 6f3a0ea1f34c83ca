"""二(二)6–9, 二(三)10 and 13: rewards for listings, rankings, certifications, prizes and settlement."""

from __future__ import annotations

from decimal import Decimal

from hrcalc.awards.common import LineBuilder, YearContext, award_label
from hrcalc.i18n import msg, register
from hrcalc.policy.model import (
    ApprovedOnceRule,
    DiscretionaryOnceRule,
    FixedOnceRule,
    FixedPerReferenceRule,
    RankingRule,
)
from hrcalc.records import Recognition

register({
    "step.rec.event": ("{kind}，{day}", "{kind}, {day}"),
    "step.rank.reached": ("本年度上榜最高层级：{list}，对应 {amount:money}",
                          "Highest list reached this year: {list}, worth {amount:money}"),
    "step.rank.both": ("同年上榜多个榜单，就高不重复，只计 {list}",
                       "Listed on several lists this year; only the higher, {list}, counts"),
    "step.rank.topup": ("递增一个层级按差额补足：{amount:money} − 已兑现 {granted:money} = {value:money}",
                        "Top-up to the higher level: {amount:money} − already granted {granted:money} = {value:money}"),
    "note.rank.topup": ("升级补差：已兑现 {granted:money}", "Top-up: {granted:money} granted before"),
    "note.rank.nothing_more": ("榜单奖励已按同级或更高层级兑现 {granted:money}，无差额",
                               "Ranking already granted at this level or higher ({granted:money}); no difference"),
    "skip.rank.lower": ("同年已上榜更高层级榜单（就高不重复）", "A higher list in the same year counts instead"),
    "step.disc.approved": ("核定金额 {approved:money}", "Approved amount {approved:money}"),
    "step.disc.no_approved": ("无核定金额，按最高额 {maximum:money} 计（上限估算）",
                              "No approved amount: computed at the maximum {maximum:money} (upper bound)"),
    "note.disc.upper_bound": ("无核定金额，按最高额计，为上限估算，待核定",
                              "No approved amount: computed at the maximum as an upper bound, to be approved"),
    "warn.disc.upper_bound": ("{award}：{payee} 无核定金额，按最高额 {maximum:money} 计（上限估算）",
                              "{award}: {payee} has no approved amount; computed at the maximum "
                              "{maximum:money} (upper bound)"),
    "warn.disc.over_max": ("{award}：{payee} 核定金额 {approved:money} 超过最高额 {maximum:money}，按最高额计",
                           "{award}: {payee}'s approved amount {approved:money} exceeds the maximum "
                           "{maximum:money}; capped"),
    "note.appr.none": ("本方案未定金额，无核定金额，暂计 0", "The plan fixes no amount and none was approved: 0"),
    "warn.appr.none": ("{award}：{payee} 无核定金额（本方案未定金额），计 0",
                       "{award}: {payee} has no approved amount (the plan fixes none); 0 paid"),
    "warn.fixed.approved_ignored": ("{award}：本方案规定定额 {amount:money}，核定金额 {approved:money} 未采用",
                                    "{award}: the plan fixes {amount:money}; the approved amount {approved:money} "
                                    "is not used"),
    "step.once.first": ("首次/一次性：此前未兑现", "First time / once: not granted before"),
    "note.once": ("一次性奖励已兑现（{what}）", "One-time award already granted ({what})"),
})


def _order(recs: list[Recognition]) -> list[Recognition]:
    return sorted(recs, key=lambda r: (r.date, r.record_id))


def _once(ctx: YearContext, b: LineBuilder, award_id: str, payee_id: str, record_id: str) -> None:
    """A once-per-institution award: zero if this institution was granted it before."""
    earlier = ctx.history.record_grant(award_id, payee_id, record_id) or ctx.history.first_grant(
        award_id, payee_id)
    if earlier is not None:
        b.already_granted(earlier)
    else:
        b.step("history", "step.once.first")


def ranking(ctx: YearContext, award_id: str, rule: RankingRule, recs: list[Recognition]) -> None:
    """Top-500 ladder: highest list reached this year, minus what the ladder already paid."""
    amounts = {item.recognition: item for item in rule.lists}
    by_payee: dict[str, list[Recognition]] = {}
    for rec in _order(recs):
        by_payee.setdefault(rec.credit_code, []).append(rec)
    for payee_id, items in sorted(by_payee.items()):
        best = max(items, key=lambda r: (amounts[r.kind].amount, -items.index(r)))
        for other in items:
            if other is not best:
                ctx.skip(award_id, payee_id, "institution", other.record_id, msg("skip.rank.lower"),
                         other.source)
        top = amounts[best.kind]
        b = LineBuilder(award_id, payee_id, "institution", best.record_id, best.date, rule.clause,
                        best.source, tier=best.kind)
        b.step("test", "step.rank.reached", list=top.name_zh, amount=top.amount)
        if len(items) > 1:
            b.step("test", "step.rank.both", list=top.name_zh)
        b.gross_fixed(top.amount)
        grants = ctx.history.grants(award_id, payee_id)
        granted = sum((g.amount for g in grants), Decimal(0))
        # rulings.md "Tiers along a lineage": a top-up only for a list higher than every list granted
        # (worth as this plan values it), so the same list again pays nothing even if its amount rose.
        reached = any(amounts[g.tier].amount >= top.amount if g.tier in amounts else False for g in grants)
        earlier_record = ctx.history.record_grant(award_id, payee_id, best.record_id)
        if earlier_record is not None:
            b.already_granted(earlier_record)
        elif reached:
            b.value = Decimal(0)
            b.step("history", "step.rank.topup", amount=top.amount, granted=granted, value=b.value)
            b.note("note.rank.nothing_more", "already_granted", granted=granted)
        elif granted > 0:
            b.value = max(Decimal(0), top.amount - granted)
            b.step("history", "step.rank.topup", amount=top.amount, granted=granted, value=b.value)
            if b.value > 0:
                b.note("note.rank.topup", "top_up", granted=granted)
            else:
                b.note("note.rank.nothing_more", "already_granted", granted=granted)
        b.offset(best.other_policy_amount)
        ctx.emit(b.finish())


def _fixed_amount_only(ctx: YearContext, rule: FixedOnceRule | FixedPerReferenceRule, rec: Recognition) -> None:
    """An approved amount on a fixed award is not silently dropped: the clerk is told it was not used."""
    amount = rule.amount
    if rec.approved_amount is not None and rec.approved_amount != amount:
        ctx.warn(msg("warn.fixed.approved_ignored", award=award_label(rule), amount=amount,
                     approved=rec.approved_amount), rec.source)


def fixed_once(ctx: YearContext, award_id: str, rule: FixedOnceRule, recs: list[Recognition]) -> None:
    """A fixed amount the first time only (首次 / 一次性)."""
    for rec in _order(recs):
        b = LineBuilder(award_id, rec.credit_code, "institution", rec.record_id, rec.date, rule.clause,
                        rec.source)
        _fixed_amount_only(ctx, rule, rec)
        b.gross_fixed(rule.amount)
        _once(ctx, b, award_id, rec.credit_code, rec.record_id)
        b.offset(rec.other_policy_amount)
        ctx.emit(b.finish())


def discretionary_once(ctx: YearContext, award_id: str, rule: DiscretionaryOnceRule,
                       recs: list[Recognition], payee_name: dict[str, str]) -> None:
    """The approved amount up to the maximum (最高); without one, the maximum as an upper bound."""
    name = award_label(rule)
    for rec in _order(recs):
        who = payee_name.get(rec.credit_code, rec.credit_code)
        b = LineBuilder(award_id, rec.credit_code, "institution", rec.record_id, rec.date, rule.clause,
                        rec.source)
        if rec.approved_amount is None:
            b.step("input", "step.disc.no_approved", maximum=rule.maximum)
            b.gross_fixed(rule.maximum)
            b.note("note.disc.upper_bound", "upper_bound")
            ctx.warn(msg("warn.disc.upper_bound", award=name, payee=who, maximum=rule.maximum), rec.source)
        else:
            b.step("input", "step.disc.approved", approved=rec.approved_amount)
            b.gross_fixed(rec.approved_amount)
            if rec.approved_amount > rule.maximum:
                ctx.warn(msg("warn.disc.over_max", award=name, payee=who, approved=rec.approved_amount,
                             maximum=rule.maximum), rec.source)
            b.cap(rule.maximum, "cap.award", "award_cap", "note.award_cap")
        _once(ctx, b, award_id, rec.credit_code, rec.record_id)
        b.offset(rec.other_policy_amount)
        ctx.emit(b.finish())


def approved_once(ctx: YearContext, award_id: str, rule: ApprovedOnceRule, recs: list[Recognition],
                  payee_name: dict[str, str]) -> None:
    """No amount in the plan (给予一定奖励): the approved amount only, once; without one, 0 and a warning."""
    for rec in _order(recs):
        b = LineBuilder(award_id, rec.credit_code, "institution", rec.record_id, rec.date, rule.clause,
                        rec.source)
        if rec.approved_amount is None:
            b.gross_fixed(Decimal(0))
            b.note("note.appr.none", "no_approved_amount")
            ctx.warn(msg("warn.appr.none", award=award_label(rule),
                         payee=payee_name.get(rec.credit_code, rec.credit_code)), rec.source)
        else:
            b.step("input", "step.disc.approved", approved=rec.approved_amount)
            b.gross_fixed(rec.approved_amount)
        _once(ctx, b, award_id, rec.credit_code, rec.record_id)
        b.offset(rec.other_policy_amount)
        ctx.emit(b.finish())


def fixed_per_reference(ctx: YearContext, award_id: str, rule: FixedPerReferenceRule,
                        recs: list[Recognition]) -> None:
    """A fixed amount per distinct prize; the same prize granted before earns nothing again."""
    for rec in _order(recs):
        b = LineBuilder(award_id, rec.credit_code, "institution", rec.record_id, rec.date, rule.clause,
                        rec.source)
        _fixed_amount_only(ctx, rule, rec)
        b.gross_fixed(rule.amount)
        earlier = ctx.history.record_grant(award_id, rec.credit_code, rec.record_id)
        if earlier is not None:
            b.already_granted(earlier)
        b.offset(rec.other_policy_amount)
        ctx.emit(b.finish())
