"""二(二)4: one-time rewards for revenue tiers reached with growth above the band thresholds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hrcalc.awards.common import Grant, LineBuilder, YearContext
from hrcalc.i18n import msg, register
from hrcalc.policy.model import RevenueGrowthRule, RevenueTier
from hrcalc.records import RevenueYear

register({
    "step.rev.prior": ("上年营业收入 {prior:money}（{where}）", "Prior-year revenue {prior:money} ({where})"),
    "rev.where.row": ("{year}年度行", "the {year} row"),
    "rev.where.column": ("本行上年营业收入列", "this row's prior_year_revenue"),
    "step.rev.growth": ("增速 = ({revenue:money} − {prior:money}) ÷ {prior:money} = {growth}",
                        "Growth = ({revenue:money} − {prior:money}) ÷ {prior:money} = {growth}"),
    "step.rev.tier": ("营业收入 {revenue:money} ≥ {threshold:money} → {tier}",
                      "Revenue {revenue:money} ≥ {threshold:money} → {tier}"),
    "step.rev.high": ("增速 {growth} > {limit:rate} → 高档 {amount:money}",
                      "Growth {growth} > {limit:rate} → upper band {amount:money}"),
    "step.rev.low": ("{limit_low:rate} < 增速 {growth} ≤ {limit_high:rate} → 低档 {amount:money}",
                     "{limit_low:rate} < growth {growth} ≤ {limit_high:rate} → lower band {amount:money}"),
    "note.rev.exact_high": ("裁定：增速恰为 {limit:rate}，既非“超过”也非“未达到”，按低档计",
                            "Ruling: growth exactly {limit:rate} is in neither band as written; "
                            "the lower band applies"),
    "step.rev.closed": ("{tier} 已关闭：曾兑现 {granted}（每档一次性，就高不重复）",
                        "{tier} is closed: {granted} was granted before (each tier once, highest only)"),
    "note.rev.closed": ("{tier} 档已兑现或已被更高档覆盖，不再奖励",
                        "Tier {tier} already granted or closed by a higher tier; not paid again"),
    "skip.rev.no_prior": ("缺少上年营业收入（无上年度行，也无上年营业收入列），无法计算增速",
                          "Prior-year revenue missing (no year−1 row and no prior_year_revenue): "
                          "growth cannot be computed"),
    "warn.rev.no_prior": ("{year}年度营业收入增长奖励：缺少上年营业收入，未计算",
                          "Revenue growth {year}: prior-year revenue missing, not computed"),
    "skip.rev.zero_prior": ("上年营业收入为 0，无法计算增速", "Prior-year revenue is 0: growth cannot be computed"),
    "warn.rev.zero_prior": ("{year}年度营业收入增长奖励：上年营业收入为 0，未计算",
                            "Revenue growth {year}: prior-year revenue is 0, not computed"),
    "skip.rev.below_tier": ("营业收入 {revenue:money} 低于最低档 {threshold:money}",
                            "Revenue {revenue:money} is below the lowest tier {threshold:money}"),
    "skip.rev.low_growth": ("增速 {growth} 未超过 {limit:rate}", "Growth {growth} does not exceed {limit:rate}"),
})


def event_date(year: int) -> date:
    """rulings.md: a revenue year Y is dated Y-12-31."""
    return date(year, 12, 31)


def show_growth(g: Decimal) -> str:
    """Growth for people, to 0.01% (the comparison itself uses the exact value)."""
    return f"{(g * 100).quantize(Decimal('0.01'))}%"


def prior_revenue(row: RevenueYear, by_key: dict[tuple[str, int], RevenueYear]) -> tuple[Decimal | None, str]:
    """Prior-year revenue from the year−1 row, else from this row's prior_year_revenue column."""
    earlier = by_key.get((row.credit_code, row.year - 1))
    if earlier is not None:
        return earlier.revenue, "row"
    return row.prior_year_revenue, "column"


def _threshold(ctx: YearContext, grant: Grant) -> Decimal | None:
    """The revenue threshold of a granted tier, in the plan it was granted under (rulings.md "Tiers
    along a lineage": a tier counts as granted when one at or above its threshold was, whatever its id)."""
    rule = ctx.rule_of(grant)
    if not isinstance(rule, RevenueGrowthRule):
        return None
    return next((t.min_revenue for t in rule.tiers if t.id == grant.tier), None)


def revenue_growth(ctx: YearContext, award_id: str, rule: RevenueGrowthRule, rows: list[RevenueYear],
                   by_key: dict[tuple[str, int], RevenueYear]) -> None:
    """Highest tier reached × growth band, each tier once per institution (一次性, 就高不重复)."""
    for row in sorted(rows, key=lambda r: r.credit_code):
        record_id = str(row.year)
        b = LineBuilder(award_id, row.credit_code, "institution", record_id, event_date(row.year),
                        rule.clause, row.source)
        prior, where = prior_revenue(row, by_key)
        if prior is None:
            ctx.skip(award_id, row.credit_code, "institution", record_id, msg("skip.rev.no_prior"), row.source)
            ctx.warn(msg("warn.rev.no_prior", year=row.year), row.source)
            continue
        where_msg = msg("rev.where.row", year=row.year - 1) if where == "row" else msg("rev.where.column")
        b.step("input", "step.rev.prior", prior=prior, where=where_msg)
        if prior == 0:
            ctx.skip(award_id, row.credit_code, "institution", record_id, msg("skip.rev.zero_prior"),
                     row.source, b.steps)
            ctx.warn(msg("warn.rev.zero_prior", year=row.year), row.source)
            continue
        growth = (row.revenue - prior) / prior  # for people; the bands compare exactly, below
        increase = row.revenue - prior
        b.step("test", "step.rev.growth", revenue=row.revenue, prior=prior, growth=show_growth(growth))
        reached = [t for t in rule.tiers if row.revenue >= t.min_revenue]
        if not reached:
            ctx.skip(award_id, row.credit_code, "institution", record_id,
                     msg("skip.rev.below_tier", revenue=row.revenue, threshold=rule.tiers[0].min_revenue),
                     row.source, b.steps)
            continue
        tier: RevenueTier = reached[-1]
        b.tier = tier.id
        b.step("test", "step.rev.tier", revenue=row.revenue, threshold=tier.min_revenue, tier=tier.name_zh)
        # g > t  ⇔  (revenue − prior) > t × prior, for prior > 0: exact, no division or rounding.
        if increase > rule.high_band_above * prior:
            amount = tier.high_band
            b.step("test", "step.rev.high", growth=show_growth(growth), limit=rule.high_band_above,
                   amount=amount)
        elif increase > rule.low_band_above * prior:
            amount = tier.low_band
            b.step("test", "step.rev.low", growth=show_growth(growth), limit_low=rule.low_band_above,
                   limit_high=rule.high_band_above, amount=amount)
            if increase == rule.high_band_above * prior:
                b.note("note.rev.exact_high", "ruling_exact_band", limit=rule.high_band_above)
        else:
            ctx.skip(award_id, row.credit_code, "institution", record_id,
                     msg("skip.rev.low_growth", growth=show_growth(growth), limit=rule.low_band_above),
                     row.source, b.steps)
            continue
        b.gross_fixed(amount, base=row.revenue)
        earlier_record = ctx.history.record_grant(award_id, row.credit_code, record_id)
        closing = [g for g in ctx.history.grants(award_id, row.credit_code)
                   if (floor := _threshold(ctx, g)) is not None and floor >= tier.min_revenue]
        if earlier_record is not None:
            b.already_granted(earlier_record)
        elif closing:
            b.value = Decimal(0)
            b.step("history", "step.rev.closed", tier=tier.name_zh, granted=closing[0].describe())
            b.note("note.rev.closed", "already_granted", tier=tier.name_zh)
        b.offset(row.other_policy_amount)
        ctx.emit(b.finish())
