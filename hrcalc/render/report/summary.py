"""The report's budget views: 汇总 (by award and by year, with charts and a signature block),
区域汇总 (by district) and 受奖主体汇总 (one row per payee, a column per award).

Every figure is a sum of line amounts, as the JSON's totals are; nothing is recomputed.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hrcalc.i18n import Lang
from hrcalc.money import ZERO
from hrcalc.render.report.labels import award_name, money_sum, payee_type_name, t
from hrcalc.render.xlsx import Block, Chart, ColumnKind, SheetPlan, Value
from hrcalc.result import Line, Result

_TEXT: tuple[ColumnKind] = ("text",)
_MONEY: tuple[ColumnKind] = ("money",)


def signature(lang: Lang) -> list[list[str]]:
    """经办人 / 复核人 / 负责人, each with a line to sign on and a date."""
    return [[t(k, lang), "", t("xl.sign.date", lang), ""]
            for k in ("xl.sign.prepared", "xl.sign.checked", "xl.sign.approved")]


def summary_sheet(result: Result, lang: Lang, lines: list[Line], heading: str) -> SheetPlan:
    """汇总: each award with its clause, count and amount per year; then each year; then signatures."""
    policy = result.policy
    years = result.visible_years()
    # every sum in one pass over the lines, each added in the lines' order as money_sum adds them
    year_sums: dict[int, Decimal] = {y: ZERO for y in years}
    year_counts: dict[int, int] = {y: 0 for y in years}
    award_sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    award_year_sums: dict[tuple[str, int], Decimal] = defaultdict(lambda: ZERO)
    award_counts: dict[str, int] = defaultdict(int)
    grand = ZERO
    for ln in lines:
        amount, year, award = ln.amount, ln.year, ln.award
        grand += amount
        award_sums[award] += amount
        award_counts[award] += 1
        if year in year_sums:
            year_sums[year] += amount
            year_counts[year] += 1
            award_year_sums[award, year] += amount
    award_rows: list[list[Value]] = []
    for award_id, rule in policy.awards.items():
        award_rows.append([award_name(result, award_id, lang), award_id, rule.clause, award_counts.get(award_id, 0),
                           *(award_year_sums.get((award_id, y), ZERO) for y in years),
                           award_sums.get(award_id, ZERO)])
    by_award = Block(
        title=t("xl.by_award", lang),
        header=[t("xl.award", lang), t("xl.award_id", lang), t("xl.clause", lang), t("xl.lines", lang),
                *(t("xl.year_amount", lang, year=y) for y in years), t("xl.total", lang)],
        kinds=[*_TEXT * 3, "int", *_MONEY * (len(years) + 1)],
        rows=award_rows, size=len(award_rows),
        totals=[[t("xl.total", lang), None, None, len(lines), *(year_sums[y] for y in years), grand]],
    )
    year_rows: list[list[Value]] = [
        [t("xl.year_amount", lang, year=y), None, None, year_counts[y], year_sums[y]]
        for y in years]
    by_year = Block(
        title=t("xl.by_year", lang),
        header=[t("xl.year", lang), "", "", t("xl.lines", lang), t("xl.total", lang)],
        kinds=["text", "text", "text", "int", "money"],
        rows=year_rows, size=len(year_rows),
        totals=[[t("xl.total", lang), None, None, len(lines), grand]],
    )
    return SheetPlan(t("xl.sheet.summary", lang), [by_award, by_year], heading=heading, freeze_cols=1,
                     after=signature(lang))


def _per_award(awards: list[str], group: list[Line]) -> list[Value]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for ln in group:
        sums[ln.award] += ln.amount
    return [sums.get(a) for a in awards]


def districts_sheet(result: Result, lang: Lang, by_payee: dict[tuple[str, str], list[Line]],
                    heading: str) -> SheetPlan:
    """区域汇总: per district, the payees, lines and amount per year; employers (no district) last."""
    no_district = t("xl.no_district", lang)
    groups: dict[str, list[Line]] = defaultdict(list)
    payees: dict[str, int] = defaultdict(int)
    for key, plines in by_payee.items():
        d = result.payees[key].district or no_district
        groups[d].extend(plines)
        payees[d] += 1
    names = sorted(d for d in groups if d != no_district)
    if no_district in groups:
        names.append(no_district)
    years = result.visible_years()
    rows: list[list[Value]] = [
        [d, payees[d], len(groups[d]), *(money_sum(ln.amount for ln in groups[d] if ln.year == y) for y in years),
         money_sum(ln.amount for ln in groups[d])] for d in names]
    lines = [ln for plines in by_payee.values() for ln in plines]
    block = Block(
        header=[t("xl.district", lang), t("xl.payees_count", lang), t("xl.lines", lang),
                *(t("xl.year_amount", lang, year=y) for y in years), t("xl.total", lang)],
        kinds=["text", "int", "int", *_MONEY * (len(years) + 1)],
        rows=rows, size=len(rows),
        totals=[[t("xl.total", lang), len(by_payee), len(lines),
                 *(money_sum(ln.amount for ln in lines if ln.year == y) for y in years),
                 money_sum(ln.amount for ln in lines)]],
    )
    return SheetPlan(t("xl.sheet.districts", lang), [block], heading=heading, freeze_cols=1)


def payees_sheet(result: Result, lang: Lang, by_payee: dict[tuple[str, str], list[Line]],
                 heading: str) -> SheetPlan:
    """受奖主体汇总: one row per payee (the JSON's order) with a column per award and its total."""
    awards = result.award_ids()
    rows: list[list[Value]] = []
    type_names: dict[str, str] = {}
    for key, plines in by_payee.items():
        p = result.payees[key]
        type_name = type_names.get(p.payee_type)
        if type_name is None:
            type_name = type_names[p.payee_type] = payee_type_name(p.payee_type, lang)
        rows.append([p.payee_id, p.name, type_name, p.district,
                     *_per_award(awards, plines), money_sum(ln.amount for ln in plines)])
    lines = [ln for plines in by_payee.values() for ln in plines]
    per_award: dict[str, Decimal] = {}  # each award's sum, added in the lines' order as money_sum adds them
    for ln in lines:
        per_award[ln.award] = per_award.get(ln.award, ZERO) + ln.amount
    totals: list[Value] = [per_award.get(a, ZERO) for a in awards]
    block = Block(
        header=[t("xl.payee_id", lang), t("xl.name", lang), t("xl.type", lang), t("xl.district", lang),
                *(award_name(result, a, lang) for a in awards), t("xl.total", lang)],
        kinds=[*_TEXT * 4, *_MONEY * (len(awards) + 1)],
        rows=rows, size=len(rows),
        totals=[[t("xl.total", lang), None, None, None, *totals, money_sum(ln.amount for ln in lines)]],
    )
    return SheetPlan(t("xl.sheet.payees", lang), [block], heading=heading, freeze_cols=2, landscape=True,
                     max_widths={1: 24})


def charts_sheet(result: Result, lang: Lang, heading: str) -> SheetPlan:
    """图表: amounts by award and by year (from 汇总) and by district (from 区域汇总), as native charts."""
    years = len(result.visible_years())
    summary, districts = t("xl.sheet.summary", lang), t("xl.sheet.districts", lang)
    charts = [Chart(t("xl.chart.by_award", lang), summary, 0, 0, 4 + years),
              Chart(t("xl.chart.by_year", lang), summary, 1, 0, 4, kind="column"),
              Chart(t("xl.chart.by_district", lang), districts, 0, 0, 3 + years)]
    return SheetPlan(t("xl.sheet.charts", lang), [], heading=heading, charts=charts, filter=False)
