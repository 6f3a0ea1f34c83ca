"""`compare` on the terminal and as JSON (contract.md, schema hrcalc.compare.v1)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hrcalc.compare import Comparison, Pair, PayeePair, Side
from hrcalc.i18n import Lang, msg, register
from hrcalc.money import json_money, show_money

SCHEMA = "hrcalc.compare.v1"

register({
    "cmp.title": ("政策测算：基准方案与备选方案", "What the plan would cost: base against alternative"),
    "cmp.side": ("{side}：{plans}", "{side}: {plans}"),
    "cmp.base": ("基准", "Base"),
    "cmp.alternative": ("备选", "Alternative"),
    "cmp.difference": ("差额", "Difference"),
    "cmp.set": ("  {plan} {path}：{old} → {new}", "  {plan} {path}: {old} → {new}"),
    "cmp.by_award": ("按奖励项目", "By award"),
    "cmp.by_district": ("按区县", "By district"),
    "cmp.by_year": ("按年度", "By year"),
    "cmp.largest": ("变化最大的受奖主体（前 {count} 名）", "Largest changes (top {count})"),
    "cmp.award": ("奖励项目", "Award"),
    "cmp.district": ("区县", "District"),
    "cmp.year": ("年度", "Year"),
    "cmp.payee": ("受奖主体", "Payee"),
    "cmp.total": ("合计", "Total"),
    "cmp.counts": ("增加 {gainers} 家，减少 {losers} 家，不变 {unchanged} 家",
                   "{gainers} payee(s) gain, {losers} lose, {unchanged} unchanged"),
    "cmp.no_change": ("两个方案下每个受奖主体的金额相同", "Every payee gets the same under both"),
})


def _t(key: str, lang: Lang, **params: object) -> str:
    return msg(key, **params).render(lang)


def _signed(value: Any) -> str:
    text = show_money(value)
    return text if text.startswith("-") or value == 0 else "+" + text


def _pair(pair: Pair) -> dict[str, str]:
    return {"base": json_money(pair.base), "alternative": json_money(pair.alternative),
            "difference": json_money(pair.difference)}


def _payee(p: PayeePair) -> dict[str, Any]:
    return {"payee_id": p.payee_id, "payee_type": p.payee_type, "name": p.name, "district": p.district,
            **_pair(p.figures)}


def _side(side: Side) -> dict[str, Any]:
    return {"policies": side.policies,
            "set": [{"policy": c.plan_id, "key": c.key, "old": c.old, "new": c.new} for c in side.changes]}


def compare_dict(cmp: Comparison) -> dict[str, Any]:
    base = cmp.base.result
    return {
        "schema": SCHEMA,
        "input": {"file": base.input_name, "sha256": base.input_sha256},
        "years": base.visible_years(),
        "complete": base.complete,
        "base": _side(cmp.base),
        "alternative": _side(cmp.alternative),
        "total": _pair(cmp.total),
        "by_award": {k: _pair(v) for k, v in cmp.by_award.items()},
        "by_district": {k: _pair(v) for k, v in cmp.by_district.items()},
        "by_year": {str(k): _pair(v) for k, v in cmp.by_year.items()},
        "payees": [_payee(p) for p in cmp.payees],
        "gainers": cmp.gainers,
        "losers": cmp.losers,
        "unchanged": cmp.unchanged,
        "largest": [_payee(p) for p in cmp.largest],
    }


def render_json(cmp: Comparison, ascii_only: bool = False) -> str:
    """The document as indented JSON (a comparison is a summary: one entry per payee at most)."""
    return json.dumps(compare_dict(cmp), ensure_ascii=ascii_only, indent=2) + "\n"


def _table(title: str, head: str, rows: list[tuple[str, Pair]], total: Pair | None, lang: Lang) -> Table:
    table = Table(title=title, header_style="bold", show_footer=total is not None)
    table.add_column(head, footer=_t("cmp.total", lang) if total else "")
    for key, attr in (("cmp.base", "base"), ("cmp.alternative", "alternative"), ("cmp.difference", "difference")):
        footer = "" if total is None else (_signed(total.difference) if attr == "difference"
                                           else show_money(getattr(total, attr)))
        table.add_column(_t(key, lang), justify="right", footer=footer, no_wrap=True)
    for label, pair in rows:
        table.add_row(label, show_money(pair.base), show_money(pair.alternative),
                      Text(_signed(pair.difference), style="green" if pair.difference > 0
                           else "red" if pair.difference < 0 else ""))
    return table


def render_terminal(cmp: Comparison, console: Console, lang: Lang) -> None:
    console.print(Text(_t("cmp.title", lang), style="bold"))
    for key, side in (("cmp.base", cmp.base), ("cmp.alternative", cmp.alternative)):
        console.print(_t("cmp.side", lang, side=_t(key, lang), plans=", ".join(side.policies)), markup=False)
        for c in side.changes:
            console.print(_t("cmp.set", lang, plan=c.plan_id, path=c.key, old=c.old, new=c.new), markup=False)
    awards = [(f"{cmp.award_name(a, lang)} ({a})", pair) for a, pair in cmp.by_award.items()]
    console.print(_table(_t("cmp.by_award", lang), _t("cmp.award", lang), awards, cmp.total, lang))
    console.print(_table(_t("cmp.by_district", lang), _t("cmp.district", lang),
                         list(cmp.by_district.items()), cmp.total, lang))
    console.print(_table(_t("cmp.by_year", lang), _t("cmp.year", lang),
                         [(str(y), p) for y, p in cmp.by_year.items()], cmp.total, lang))
    console.print(Text(_t("cmp.counts", lang, gainers=cmp.gainers, losers=cmp.losers, unchanged=cmp.unchanged),
                       style="bold"))
    if not cmp.largest:
        console.print(_t("cmp.no_change", lang))
        return
    rows = [(f"{p.name}\n{p.payee_id}", p.figures) for p in cmp.largest]
    console.print(_table(_t("cmp.largest", lang, count=len(rows)), _t("cmp.payee", lang), rows, None, lang))
