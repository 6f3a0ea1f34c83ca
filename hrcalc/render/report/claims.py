"""The report's claim sheets: 核对 (each claim against the computation, differing claims first and
largest first) and 免申即享 (awards owed to payees who claimed nothing for them, rulings.md).
"""

from __future__ import annotations

from decimal import Decimal

from hrcalc.i18n import Lang
from hrcalc.render.report.labels import award_name, money_sum, t
from hrcalc.render.xlsx import Block, ColumnKind, SheetPlan, Value
from hrcalc.result import ReconRow, Result

_ORDER = {"over": 0, "under": 0, "match": 1, "unclaimed": 2}


def recon_order(recon: list[ReconRow]) -> list[ReconRow]:
    """Differing claims first, the largest difference first; then matches; then unclaimed awards,
    the largest first. Ties keep the reconciliation's own order."""
    return sorted(recon, key=lambda r: (_ORDER[r.status], -abs(r.difference)))


def _name(result: Result, row: ReconRow) -> str | None:
    kinds = (row.payee_type,) if row.payee_type else ("institution", "employer", "district")
    for kind in kinds:
        payee = result.payees.get((row.payee_id, kind))
        if payee is not None:
            return payee.name
    return None


def _award_names(result: Result, rows: list[ReconRow], lang: Lang) -> dict[str, str]:
    """The rows' few awards' names, each looked up once."""
    return {a: award_name(result, a, lang) for a in dict.fromkeys(r.award for r in rows)}


def recon_sheet(result: Result, recon: list[ReconRow], lang: Lang, heading: str) -> SheetPlan:
    """核对: each claim, and each computed award nobody claimed, against the computation."""
    status = {s: t(f"xl.status.{s}", lang) for s in _ORDER}  # four words, not one rendering per row
    awards = _award_names(result, recon, lang)
    rows: list[list[Value]] = [
        [r.payee_id, _name(result, r), awards[r.award], r.record_id, r.year, r.claimed,
         r.computed, r.difference, status[r.status], r.reason.render(lang)]
        for r in recon_order(recon)
    ]
    header = [t(k, lang) for k in ("xl.payee_id", "xl.name", "xl.award", "xl.record_id", "xl.award_year",
                                   "xl.claimed", "xl.recon_computed", "xl.difference", "xl.status", "xl.reason")]
    kinds: list[ColumnKind] = ["text", "wrap", "wrap", "text", "int", "money", "money", "money", "text", "wrap"]
    totals: list[list[Value]] = [[
        t("xl.total", lang), None, None, None, None,
        money_sum(r.claimed for r in recon if r.claimed is not None), money_sum(r.computed for r in recon),
        money_sum(r.difference for r in recon), None, None,
    ]]
    return SheetPlan(t("xl.sheet.recon", lang), [Block(header, kinds, rows, len(rows), totals=totals)],
                     heading=heading, freeze_cols=1, landscape=True, max_widths={1: 22, 2: 14, 3: 16, 9: 40})


def unclaimed_sheet(result: Result, recon: list[ReconRow], lang: Lang, heading: str) -> SheetPlan:
    """免申即享: the reconciliation's unclaimed awards with an amount, per payee, with their records."""
    owed = sorted((r for r in recon if r.status == "unclaimed" and r.computed > 0),
                  key=lambda r: (r.payee_id, r.year, r.award, r.record_id or ""))
    sep = "、" if lang == "zh" else ", "
    awards = _award_names(result, owed, lang)
    rows: list[list[Value]] = [
        [r.payee_id, _name(result, r), awards[r.award], r.year,
         sep.join(r.records) or r.record_id, r.computed]
        for r in owed
    ]
    header = [t(k, lang) for k in ("xl.payee_id", "xl.name", "xl.award", "xl.award_year", "xl.records",
                                   "xl.recon_computed")]
    kinds: list[ColumnKind] = ["text", "wrap", "wrap", "int", "wrap", "money"]
    total: Decimal = money_sum(r.computed for r in owed)
    block = Block(header, kinds, rows, len(rows), totals=[[t("xl.total", lang), None, None, None, None, total]],
                  title=t("xl.unclaimed_note", lang))
    return SheetPlan(t("xl.sheet.unclaimed", lang), [block], heading=heading, freeze_cols=1,
                     max_widths={1: 22, 2: 16, 4: 24})
