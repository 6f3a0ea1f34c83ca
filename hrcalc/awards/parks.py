"""二(四)16: one-time construction subsidies to districts for national and provincial parks."""

from __future__ import annotations

from hrcalc.awards.common import LineBuilder, YearContext
from hrcalc.i18n import register
from hrcalc.policy.model import ParkRule
from hrcalc.records import Park

register({
    "step.park.level": ("{name}：{level}，{amount:money}", "{name}: {level}, {amount:money}"),
    "step.park.upgrade": ("此前已按 {levels} 兑现；新层级全额补助",
                          "Granted before at {levels}; a new level earns its amount in full"),
})


def park(ctx: YearContext, award_id: str, rule: ParkRule, parks: list[Park]) -> None:
    """Each park earns each level once; a later upgrade earns the new level in full."""
    levels = {lv.level: lv for lv in rule.levels}
    for p in sorted(parks, key=lambda p: (p.date, p.park_id, p.level)):
        ctx.payee_names.setdefault((p.district, "district"), p.district)
        level = levels[p.level]
        b = LineBuilder(award_id, p.district, "district", p.park_id, p.date, rule.clause, p.source,
                        tier=p.level)
        b.step("test", "step.park.level", name=p.name, level=level.name_zh, amount=level.amount)
        b.gross_fixed(level.amount)
        same_level = [g for g in ctx.history.grants(award_id, p.district)
                      if g.record_id == p.park_id and g.tier in (p.level, None)]
        other_levels = sorted({g.tier for g in ctx.history.grants(award_id, p.district)
                               if g.record_id == p.park_id and g.tier and g.tier != p.level})
        if same_level:
            b.already_granted(same_level[0])
        elif other_levels:
            b.step("history", "step.park.upgrade", levels=", ".join(other_levels))
        b.offset(p.other_policy_amount)
        ctx.emit(b.finish())
