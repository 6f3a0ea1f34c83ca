"""`hrcalc explain` output: a rich tree (year → award → record → recorded steps) and the same as JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from hrcalc.explain import AwardPart, Explanation, PayeePart
from hrcalc.i18n import Lang, msg, register
from hrcalc.money import json_money, show_money
from hrcalc.records import Source
from hrcalc.render.jsonout import dumps, line_dict, recon_dict
from hrcalc.render.layout import Cell, Column, fit_tree, print_table, say
from hrcalc.result import Line, Result, Skip, Step

SCHEMA = "hrcalc.explain.v1"

register({
    "ex.ui.payee": ("{name}（{payee_id}）· {kind}", "{name} ({payee_id}) · {kind}"),
    "ex.ui.district_of": ("所属区域：{district}", "district: {district}"),
    "ex.ui.year": ("{year}年 · 合计 {amount:money}", "{year} · total {amount:money}"),
    "ex.ui.no_year": ("未定年度", "No year"),
    "ex.ui.award": ("{name}（{award}）· 条款 {clause} · 小计 {amount:money}",
                    "{name} ({award}) · clause {clause} · subtotal {amount:money}"),
    "ex.ui.text": ("原文：{text}", "Plan text: {text}"),
    "ex.ui.ruling": ("裁定：{ruling}", "Ruling: {ruling}"),
    "ex.ui.annual_cuts": ("每家机构每年上限 {cap:money} 核减了 {count} 笔，共 {amount:money}：{cuts}",
                          "The annual cap of {cap:money} cut {count} line(s) by {amount:money} in all: {cuts}"),
    "ex.ui.cut": ("{record} 核减 {cut:money}", "{record} cut by {cut:money}"),
    "ex.ui.line": ("{record} · {day}{tier} · 应发 {amount:money}", "{record} · {day}{tier} · pays {amount:money}"),
    "ex.ui.line_cut": ("{record} · {day}{tier} · 应发 {amount:money}（计算 {computed:money}）",
                       "{record} · {day}{tier} · pays {amount:money} (computed {computed:money})"),
    "ex.ui.skip": ("{record} · 未获奖励：{reason}", "{record} · earned nothing: {reason}"),
    "ex.ui.note": ("说明：{note}", "Note: {note}"),
    "ex.ui.source": ("来源：{sheet} 第 {row} 行", "Source: {sheet}, row {row}"),
    "ex.ui.nothing": ("所选年度没有可计算的记录", "No records in the years shown"),
    "ex.ui.totals": ("{name} 合计（按年度、奖励项目）", "{name}: totals by year and award"),
    "ex.ui.total": ("合计", "Total"),
    "ex.ui.award_col": ("奖励项目", "Award"),
    "ex.ui.claims": ("{name} 的申报核对", "{name}: claims"),
    "ex.ui.district": ("{district} 辖区机构 {count} 家（机构表所属区域），所选年度合计 {amount:money} 元",
                       "{district} has {count} institution(s) (institutions sheet), {amount:money} yuan in "
                       "the years shown"),
    "ex.ui.code": ("统一社会信用代码", "Credit code"),
    "ex.ui.name": ("名称", "Name"),
    "ex.ui.lines": ("笔数", "Lines"),
    "ex.ui.amount": ("金额（元）", "Amount (yuan)"),
    "ex.ui.record": ("关联记录", "Record"),
    "ex.ui.yr": ("年度", "Year"),
    "ex.ui.claimed": ("申报", "Claimed"),
    "ex.ui.computed": ("计算", "Computed"),
    "ex.ui.difference": ("差额", "Difference"),
    "ex.ui.reason": ("原因", "Reason"),
    "ex.kind.institution": ("机构", "institution"),
    "ex.kind.employer": ("用人单位", "employer"),
    "ex.kind.district": ("区域", "district"),
    "ex.step.input": ("输入", "Input"),
    "ex.step.test": ("条件", "Test"),
    "ex.step.rate": ("比例", "Rate"),
    "ex.step.gross": ("计算", "Gross"),
    "ex.step.cap": ("上限", "Cap"),
    "ex.step.history": ("历史", "History"),
    "ex.step.offset": ("抵减", "Offset"),
    "ex.step.annual_cap": ("年度上限", "Annual cap"),
    "ex.step.round": ("舍入", "Rounding"),
    "ex.step.note": ("说明", "Note"),
})


def _t(key: str, lang: Lang, **params: object) -> str:
    return msg(key, **params).render(lang)


def _award_name(result: Result, award_id: str, lang: Lang) -> str:
    """The one place this module names an award (where names come from may change)."""
    return result.policy.award_name(award_id, lang)


def _ruling(part: AwardPart, result: Result, lang: Lang) -> str:
    """The award's ruling in `lang` (the policy's `ruling_zh` in Chinese when it has one)."""
    rule = result.policy.awards.get(part.award)
    return rule.ruling_text(lang) if rule is not None else part.ruling


_LABELLED = ("input", "test")  # the other steps' texts name themselves (计算金额, 单笔上限, 已兑现…)
_STEP_STYLE = {"cap": "", "annual_cap": "", "history": "", "offset": "", "gross": "bold", "round": "dim"}


def _step(step: Step, lang: Lang) -> Text:
    text = step.text.render(lang)
    if step.kind not in _LABELLED:
        return Text(text, style=_STEP_STYLE.get(step.kind, ""))
    label = _t("ex.step." + step.kind, lang) + ("：" if lang == "zh" else ": ")
    return Text.assemble((label, "dim"), text)


def _source(node: Tree, source: Source | None, lang: Lang) -> None:
    if source is not None:
        node.add(Text(_t("ex.ui.source", lang, sheet=source.sheet, row=source.row), style="dim"))


def _line_node(parent: Tree, line: Line, tiers: dict[str, str], lang: Lang) -> None:
    tier = ""
    if line.tier:
        tier = " · " + (tiers.get(line.tier, line.tier) if lang == "zh" else line.tier)
    key = "ex.ui.line" if line.amount == line.computed else "ex.ui.line_cut"
    style = "bold" if line.amount > 0 else "bold yellow"
    node = parent.add(Text(_t(key, lang, record=line.record_id, day=line.event_date.isoformat(), tier=tier,
                              amount=line.amount, computed=line.computed), style=style))
    for step in line.steps:
        node.add(_step(step, lang))
    for note in line.notes:
        node.add(Text(_t("ex.ui.note", lang, note=note), style="yellow"))
    _source(node, line.source, lang)


def _skip_node(parent: Tree, skip: Skip, lang: Lang) -> None:
    node = parent.add(Text(_t("ex.ui.skip", lang, record=skip.record_id, reason=skip.reason), style="red"))
    for step in skip.steps:
        node.add(_step(step, lang))
    _source(node, skip.source, lang)


def _award_node(parent: Tree, part: AwardPart, result: Result, tiers: dict[str, str], lang: Lang) -> None:
    name = _award_name(result, part.award, lang)
    node = parent.add(Text(_t("ex.ui.award", lang, name=name, award=part.award, clause=part.clause,
                              amount=part.total), style="bold cyan"))
    node.add(Text(_t("ex.ui.text", lang, text=part.text), style="italic"))
    ruling = _ruling(part, result, lang)
    if ruling:
        node.add(Text(_t("ex.ui.ruling", lang, ruling=ruling), style="italic"))
    if part.annual_cap is not None and part.annual_cap_cuts:
        sep = "；" if lang == "zh" else "; "
        cuts = sep.join(_t("ex.ui.cut", lang, record=r, cut=c) for r, c in part.annual_cap_cuts)
        node.add(Text(_t("ex.ui.annual_cuts", lang, cap=part.annual_cap, count=len(part.annual_cap_cuts),
                         amount=sum((c for _, c in part.annual_cap_cuts), Decimal(0)), cuts=cuts),
                      style="yellow"))
    for line in part.lines:
        _line_node(node, line, tiers, lang)
    for skip in part.skips:
        _skip_node(node, skip, lang)


def _payee_label(part: PayeePart, lang: Lang) -> str:
    p = part.payee
    kind = _t(f"ex.kind.{p.payee_type}", lang)
    if p.name == p.payee_id:  # a district is named by itself
        return f"{p.name} · {kind}"
    label = _t("ex.ui.payee", lang, name=p.name, payee_id=p.payee_id, kind=kind)
    if p.district and p.payee_type == "institution":
        label += " · " + _t("ex.ui.district_of", lang, district=p.district)
    return label


def _year_label(year: int | None) -> str:
    return str(year) if year is not None else "—"


def _totals(part: PayeePart, result: Result, console: Console, lang: Lang) -> None:
    columns = [Column(_t("ex.ui.award_col", lang), least=8, footer=_t("ex.ui.total", lang))]
    columns += [Column(_year_label(y.year), justify="right", fixed=True, footer=show_money(y.total))
                for y in part.years]
    columns += [Column(_t("ex.ui.total", lang), justify="right", fixed=True, footer=show_money(part.total))]
    rows: list[list[Cell]] = []
    for award_id, amount in part.by_award(result.policy):
        cells = [show_money(sum((a.total for a in yp.awards if a.award == award_id), Decimal(0)))
                 for yp in part.years]
        rows.append([_award_name(result, award_id, lang), *cells, show_money(amount)])
    print_table(console, columns, rows, title=_t("ex.ui.totals", lang, name=part.payee.name), footer=True)


def _claims(part: PayeePart, result: Result, console: Console, lang: Lang) -> None:
    if not part.reconciliation:
        return
    columns = [Column(_t("ex.ui.award_col", lang), least=8), Column(_t("ex.ui.record", lang), fixed=True),
               Column(_t("ex.ui.yr", lang), fixed=True)]
    columns += [Column(_t(f"ex.ui.{key}", lang), justify="right", fixed=True, break_before=key == "claimed")
                for key in ("claimed", "computed", "difference")]
    columns += [Column(_t("ex.ui.reason", lang), least=30, break_before=True)]
    rows: list[list[Cell]] = [
        [_award_name(result, row.award, lang), row.record_id or "—", str(row.year),
         show_money(row.claimed) if row.claimed is not None else "—", show_money(row.computed),
         show_money(row.difference), row.reason.render(lang)] for row in part.reconciliation]
    print_table(console, columns, rows, title=_t("ex.ui.claims", lang, name=part.payee.name))


def render_tree(ex: Explanation, result: Result, console: Console, lang: Lang) -> None:
    """The tree for each matched payee, its totals and claims; for a district, its institutions."""
    tiers = result.policy.tier_names()
    for part in ex.payees:
        tree = Tree(Text(_payee_label(part, lang), style="bold"))
        if not part.years:
            tree.add(_t("ex.ui.nothing", lang))
        for year in part.years:
            label = (_t("ex.ui.year", lang, year=year.year, amount=year.total) if year.year is not None
                     else _t("ex.ui.no_year", lang))
            ynode = tree.add(Text(label, style="bold magenta"))
            for award in year.awards:
                _award_node(ynode, award, result, tiers, lang)
        console.print(fit_tree(tree, console.width))
        if part.years:
            _totals(part, result, console, lang)
        _claims(part, result, console, lang)
    if ex.district is not None:
        amount = sum((i.total for i in ex.institutions), Decimal(0))
        say(console, _t("ex.ui.district", lang, district=ex.district, count=len(ex.institutions),
                        amount=amount), style="bold")
        if ex.institutions:
            columns = [
                Column(_t("ex.ui.code", lang), fixed=True, footer=_t("ex.ui.total", lang)),
                Column(_t("ex.ui.name", lang), least=10),
                Column(_t("ex.ui.lines", lang), justify="right", fixed=True,
                       footer=str(sum(i.lines for i in ex.institutions))),
                Column(_t("ex.ui.amount", lang), justify="right", fixed=True, footer=show_money(amount)),
            ]
            print_table(console, columns, [[i.credit_code, i.name, str(i.lines), show_money(i.total)]
                                           for i in ex.institutions], footer=True)


# ---- JSON ------------------------------------------------------------------------------------

def _steps(steps: list[Step] | tuple[Step, ...], lang: Lang) -> list[dict[str, str]]:
    return [{"kind": s.kind, "text": s.text.render(lang)} for s in steps]


def _where(source: Source | None) -> dict[str, Any]:
    return {"sheet": source.sheet if source else None, "row": source.row if source else None}


def _award_dict(part: AwardPart, result: Result, lang: Lang) -> dict[str, Any]:
    return {
        "award": part.award,
        "name": _award_name(result, part.award, lang),
        "clause": part.clause,
        "text": part.text,
        "ruling": _ruling(part, result, lang) or None,
        "total": json_money(part.total),
        "annual_cap": None if part.annual_cap is None else json_money(part.annual_cap),
        "annual_cap_cuts": [{"record_id": r, "cut": json_money(c)} for r, c in part.annual_cap_cuts],
        "lines": [{**line_dict(ln, lang), "steps": _steps(ln.steps, lang), **_where(ln.source)}
                  for ln in part.lines],
        "skipped": [{"record_id": s.record_id, "year": s.year, "reason": s.reason.render(lang),
                     "steps": _steps(s.steps, lang), **_where(s.source)} for s in part.skips],
    }


def _payee_dict(part: PayeePart, result: Result, lang: Lang) -> dict[str, Any]:
    p = part.payee
    return {
        "payee_id": p.payee_id,
        "payee_type": p.payee_type,
        "name": p.name,
        "district": p.district,
        "total": json_money(part.total),
        "by_year": [{"year": y, "total": json_money(a)} for y, a in part.by_year()],
        "by_award": {aid: json_money(a) for aid, a in part.by_award(result.policy)},
        "years": [{"year": y.year, "total": json_money(y.total),
                   "awards": [_award_dict(a, result, lang) for a in y.awards]} for y in part.years],
        "reconciliation": None if part.reconciliation is None
        else [recon_dict(r, result, lang) for r in part.reconciliation],
    }


def explanation_dict(ex: Explanation, result: Result, lang: Lang = "zh") -> dict[str, Any]:
    """The explanation as data: same content as the tree, stable keys and order."""
    p = result.policy
    district = None
    if ex.district is not None:
        district = {
            "name": ex.district,
            "institution_count": len(ex.institutions),
            "total": json_money(sum((i.total for i in ex.institutions), Decimal(0))),
            "institutions": [{"credit_code": i.credit_code, "name": i.name, "lines": i.lines,
                              "total": json_money(i.total)} for i in ex.institutions],
        }
    return {
        "schema": SCHEMA,
        "policy": {"id": p.id, "title": p.title},
        "input": {"file": result.input_name, "sha256": result.input_sha256},
        "years": result.visible_years(),
        "complete": result.complete,
        "query": ex.query,
        "matched_by": ex.matched_by,
        "total": json_money(ex.total),
        "payees": [_payee_dict(part, result, lang) for part in ex.payees],
        "district": district,
    }


def render_json(ex: Explanation, result: Result, lang: Lang = "zh") -> str:
    return dumps(explanation_dict(ex, result, lang))
