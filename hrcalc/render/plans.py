"""The terminal for plans over time: totals by plan, the timeline with what changes at each boundary,
and `policy diff` in words."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hrcalc.i18n import Lang, msg, register
from hrcalc.money import show_money
from hrcalc.policy.diff import Difference, diff_plans
from hrcalc.policy.model import Policy
from hrcalc.policy.timeline import Timeline
from hrcalc.result import Line, Result, total

register({
    "plans.by_plan": ("按政策方案汇总", "By plan"),
    "plans.plan": ("方案", "Plan"),
    "plans.window": ("有效期", "Window"),
    "plans.lines": ("笔数", "Lines"),
    "plans.amount": ("金额（元）", "Amount (yuan)"),
    "plans.total": ("合计", "Total"),
    "plans.timeline": ("政策时间线", "Timeline of plans"),
    "plans.continues": ("承接", "Continues"),
    "plans.title": ("名称", "Title"),
    "plans.span": ("{start} 至 {end}", "{start} to {end}"),
    "plans.boundary": ("{day} 起：{before} → {after}", "From {day}: {before} → {after}"),
    "plans.values_from": ("{day} 起（{plan} 内数值调整）", "From {day} (values amended within {plan})"),
    "plans.no_change": ("（规则与数值无变化）", "(no change in rules or values)"),
    "pdiff.added": ("新增 {path}：{new}", "Added {path}: {new}"),
    "pdiff.removed": ("删除 {path}（原为 {old}）", "Removed {path} (was {old})"),
    "pdiff.changed": ("{path}：{old} → {new}", "{path}: {old} → {new}"),
    "pdiff.empty": ("（空）", "(empty)"),
    "pdiff.none": ("两个方案的规则、数值、有效期和条款完全相同", "The two plans have the same rules, values, windows "
                   "and clauses"),
    "pdiff.head": ("{a} → {b}：{count} 处不同", "{a} → {b}: {count} difference(s)"),
    "pdiff.award_name": ("{name}（{path}）", "{name} ({path})"),
})


def _t(key: str, lang: Lang, **params: object) -> str:
    return msg(key, **params).render(lang)


def by_plan_table(result: Result, lines: Sequence[Line], lang: Lang) -> Table:
    """Lines and amounts under each plan of the run, in window order."""
    table = Table(title=_t("plans.by_plan", lang), show_footer=True, header_style="bold")
    table.add_column(_t("plans.plan", lang), footer=_t("plans.total", lang))
    table.add_column(_t("plans.window", lang))
    table.add_column(_t("plans.lines", lang), justify="right", footer=str(len(lines)))
    table.add_column(_t("plans.amount", lang), justify="right", footer=show_money(total(lines)))
    for plan in result.plans:
        plines = [ln for ln in lines if ln.policy == plan.id]
        table.add_row(plan.id, _t("plans.span", lang, start=plan.effective_from.isoformat(),
                                  end=plan.effective_to.isoformat()),
                      str(len(plines)), show_money(total(plines)))
    return table


def _label(key: str, plans: Sequence[Policy], lang: Lang) -> str:
    """A dotted key with its award's name in front, so a clerk reads which award it is."""
    parts = key.split(".")
    if parts[0] == "awards" and len(parts) > 1:
        rule = next((p.awards[parts[1]] for p in reversed(plans) if parts[1] in p.awards), None)
        if rule is not None:
            name = rule.name_zh if lang == "zh" else rule.name_en
            return _t("pdiff.award_name", lang, name=name, path=key)
    return key


def difference_words(diffs: Sequence[Difference], plans: Sequence[Policy], lang: Lang) -> list[str]:
    """Each difference as one sentence."""
    empty = _t("pdiff.empty", lang)
    return [_t(f"pdiff.{d.kind}", lang, path=_label(d.key, plans, lang), old=d.old or empty, new=d.new or empty)
            for d in diffs]


def policy_diff(a: Policy, b: Policy, console: Console, lang: Lang) -> None:
    diffs = diff_plans(a, b)
    if not diffs:
        console.print(_t("pdiff.none", lang))
        return
    console.print(Text(_t("pdiff.head", lang, a=a.id, b=b.id, count=len(diffs)), style="bold"))
    for line in difference_words(diffs, (a, b), lang):
        console.print("  " + line, markup=False, highlight=False)


def timeline(tl: Timeline, console: Console, lang: Lang) -> None:
    """The plans in window order, and what changes at each boundary (between plans and dated values)."""
    table = Table(title=_t("plans.timeline", lang), header_style="bold")
    for key in ("plans.plan", "plans.title", "plans.window", "plans.continues"):
        table.add_column(_t(key, lang))
    for plan in tl.plans:
        table.add_row(plan.id, plan.title if lang == "zh" else plan.title_en or plan.title,
                      _t("plans.span", lang, start=plan.effective_from.isoformat(), end=plan.effective_to.isoformat()),
                      plan.continues or "—")
    console.print(table)
    previous: Policy | None = None
    for unit in tl.units:
        if unit.first and previous is not None:
            console.print(Text(_t("plans.boundary", lang, day=unit.start.isoformat(), before=previous.id,
                                  after=unit.plan.id), style="bold"))
            diffs = diff_plans(previous, unit.rules, in_force=True)
        elif not unit.first and previous is not None:
            console.print(Text(_t("plans.values_from", lang, day=unit.start.isoformat(), plan=unit.plan.id),
                               style="bold"))
            diffs = diff_plans(previous, unit.rules, in_force=True)
        else:
            previous = unit.rules
            continue
        words = difference_words(diffs, tl.plans, lang) or [_t("plans.no_change", lang)]
        for line in words:
            console.print("  " + line, markup=False, highlight=False)
        previous = unit.rules
