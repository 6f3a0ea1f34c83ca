"""Pick a payee's lines and skipped records out of a Result, as data for `hrcalc explain`.

PAYEE is a credit code (case and full-width insensitive), an exact institution or employer name,
or a district. The explanation holds the engine's own Line and Skip objects, so every renderer
shows the steps the engine recorded; nothing here recomputes an award.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from hrcalc.errors import EXIT_DATA, HrcalcError
from hrcalc.i18n import msg, register
from hrcalc.money import ZERO
from hrcalc.read.schema import fold
from hrcalc.records import Records
from hrcalc.result import Line, Payee, ReconRow, Result, Skip, total

register({
    "ex.unknown": ("找不到受奖主体“{query}”（须为统一社会信用代码、机构或用人单位的完整名称、或区域名称）。"
                   "最接近的：{suggestions}",
                   "No payee \"{query}\" (give a credit code, an institution's or employer's exact name, "
                   "or a district). Nearest: {suggestions}"),
    "ex.unknown_none": ("找不到受奖主体“{query}”（须为统一社会信用代码、机构或用人单位的完整名称、或区域名称）；"
                        "工作簿中有 {institutions} 家机构、{employers} 家用人单位、{districts} 个区域",
                        "No payee \"{query}\" (give a credit code, an institution's or employer's exact name, "
                        "or a district); the workbook has {institutions} institution(s), {employers} "
                        "employer(s) and {districts} district(s)"),
})

MatchedBy = Literal["credit_code", "name", "district"]
Entry = Line | Skip


class UnknownPayee(HrcalcError):
    """PAYEE names nobody in the workbook; the message suggests the nearest names or codes."""

    exit_code = EXIT_DATA


@dataclass(frozen=True, slots=True)
class AwardPart:
    """One award of one payee in one year: its clause and words, lines (paid or cut) and skips."""

    award: str
    clause: str
    text: str
    ruling: str
    lines: tuple[Line, ...]  # in the order caps are filled: event date, then record id
    skips: tuple[Skip, ...]
    annual_cap: Decimal | None  # the cap named by the lines it cut
    annual_cap_cuts: tuple[tuple[str, Decimal], ...]  # (record_id, cut) from the engine's notes

    @property
    def total(self) -> Decimal:
        return total(self.lines)


@dataclass(frozen=True, slots=True)
class YearPart:
    year: int | None  # None: records the engine could not date
    awards: tuple[AwardPart, ...]

    @property
    def total(self) -> Decimal:
        return sum((a.total for a in self.awards), ZERO)


@dataclass(frozen=True, slots=True)
class PayeePart:
    """Everything shown for one payee: years → awards → records, totals, and its claims."""

    payee: Payee
    years: tuple[YearPart, ...]
    reconciliation: tuple[ReconRow, ...] | None

    @property
    def total(self) -> Decimal:
        return sum((y.total for y in self.years), ZERO)

    def by_year(self) -> list[tuple[int | None, Decimal]]:
        return [(y.year, y.total) for y in self.years]

    def by_award(self, award_ids: list[str]) -> list[tuple[str, Decimal]]:
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for y in self.years:
            for a in y.awards:
                sums[a.award] += a.total
        return [(aid, sums[aid]) for aid in award_ids if aid in sums]


@dataclass(frozen=True, slots=True)
class DistrictInstitution:
    """An institution registered in the explained district, with its shown lines."""

    credit_code: str
    name: str
    lines: int
    total: Decimal


@dataclass(frozen=True, slots=True)
class Explanation:
    query: str
    matched_by: MatchedBy
    payees: tuple[PayeePart, ...]
    district: str | None = None
    institutions: tuple[DistrictInstitution, ...] = ()  # for a district: its institutions

    @property
    def total(self) -> Decimal:
        return sum((p.total for p in self.payees), ZERO)


# ---- finding the payee ------------------------------------------------------------------------

class _Directory:
    """Every payee the workbook knows, by folded code, name and district."""

    def __init__(self, result: Result, records: Records) -> None:
        self.payees: dict[tuple[str, str], Payee] = dict(result.payees)
        for inst in records.institutions:
            # an institution with no line and no skip is still a payee the auditor may ask about
            self.payees.setdefault((inst.credit_code, "institution"),
                                   Payee(inst.credit_code, "institution", inst.name, inst.district))
        self.by_code: dict[str, list[Payee]] = defaultdict(list)
        self.by_name: dict[str, list[Payee]] = defaultdict(list)
        self.districts: dict[str, str] = {}
        for key in sorted(self.payees):
            p = self.payees[key]
            if p.payee_type == "district":
                self.districts.setdefault(fold(p.payee_id), p.payee_id)
                continue
            self.by_code[fold(p.payee_id)].append(p)
            self.by_name[fold(p.name)].append(p)
        for inst in records.institutions:
            if inst.district:
                self.districts.setdefault(fold(inst.district), inst.district)
        self.institutions = sorted(records.institutions, key=lambda i: i.credit_code)

    def suggestions(self, query: str, n: int = 5) -> list[str]:
        """Names containing the query first, then difflib's nearest codes, names and districts."""
        shown: dict[str, str] = {}
        for p in self.payees.values():
            if p.payee_type == "district":
                continue
            shown.setdefault(fold(p.payee_id), f"{p.payee_id} · {p.name}" if p.name != p.payee_id else p.payee_id)
            shown.setdefault(fold(p.name), f"{p.name} · {p.payee_id}")
        for folded, name in self.districts.items():
            shown.setdefault(folded, name)
        q = fold(query)
        containing = sorted(k for k in shown if q and (q in k or k in q))
        near = difflib.get_close_matches(q, sorted(shown), n=n, cutoff=0.5)
        picked = list(dict.fromkeys([*containing, *near]))[:n]
        return [shown[k] for k in picked]


def _entries_of(result: Result, keys: set[tuple[str, str]]) -> tuple[list[Line], list[Skip]]:
    lines = [ln for ln in result.visible_lines() if (ln.payee_id, ln.payee_type) in keys]
    # without --year every skip is shown: one outside the window may fall in a year with no line at all
    shown = result.skips if result.shown_years is None else result.visible_skips()
    skips = [s for s in shown if (s.payee_id, s.payee_type) in keys]
    return lines, skips


def _annual_cuts(lines: list[Line]) -> tuple[Decimal | None, tuple[tuple[str, Decimal], ...]]:
    cap: Decimal | None = None
    cuts: list[tuple[str, Decimal]] = []
    for ln in lines:
        for note in ln.notes:
            if note.key == "note.annual_cap":
                cap = note.param("cap")
                cuts.append((ln.record_id, note.param("cut")))
    return cap, tuple(cuts)


def _payee_part(payee: Payee, result: Result) -> PayeePart:
    lines, skips = _entries_of(result, {payee.key})
    years = sorted({ln.year for ln in lines} | {s.year for s in skips if s.year is not None})
    parts: list[YearPart] = []
    for year in [*years, *([None] if any(s.year is None for s in skips) else [])]:
        awards: list[AwardPart] = []
        for award_id in result.award_ids():
            alines = sorted((ln for ln in lines if ln.year == year and ln.award == award_id),
                            key=lambda ln: (ln.event_date, ln.record_id))
            # the clause and words of the plan the year's last line was computed under
            rule = result.rule_of(award_id, alines[-1].policy if alines else None)
            askips = sorted((s for s in skips if s.year == year and s.award == award_id),
                            key=lambda s: (s.record_id, s.source.row if s.source else 0))
            if not alines and not askips:
                continue
            cap, cuts = _annual_cuts(alines)
            awards.append(AwardPart(award_id, rule.clause, rule.text, rule.ruling, tuple(alines), tuple(askips),
                                    cap, cuts))
        parts.append(YearPart(year, tuple(awards)))
    recon = result.visible_reconciliation()
    mine = None if recon is None else tuple(
        r for r in recon if r.payee_id == payee.payee_id and r.payee_type in (payee.payee_type, None))
    return PayeePart(payee, tuple(parts), mine)


def _district_institutions(directory: _Directory, district: str, result: Result) -> tuple[DistrictInstitution, ...]:
    folded = fold(district)
    by_code: dict[str, list[Line]] = defaultdict(list)
    for ln in result.visible_lines():  # one pass: a district may hold many institutions
        if ln.payee_type == "institution":
            by_code[ln.payee_id].append(ln)
    return tuple(DistrictInstitution(inst.credit_code, inst.name, len(by_code[inst.credit_code]),
                                     total(by_code[inst.credit_code]))
                 for inst in directory.institutions if inst.district and fold(inst.district) == folded)


def explain(result: Result, records: Records, query: str) -> Explanation:
    """The explanation for PAYEE; UnknownPayee (exit 1) with the nearest names when nobody matches."""
    directory = _Directory(result, records)
    q = fold(query)
    matched_by: MatchedBy
    if q in directory.by_code:
        matched_by, payees = "credit_code", directory.by_code[q]
    elif q in directory.by_name:
        matched_by, payees = "name", directory.by_name[q]
    elif q in directory.districts:
        district = directory.districts[q]
        own = directory.payees.get((district, "district"))
        parts = (_payee_part(own, result),) if own is not None else (
            PayeePart(Payee(district, "district", district, district), (), None),)
        return Explanation(query, "district", parts, district,
                           _district_institutions(directory, district, result))
    else:
        near = directory.suggestions(query)
        if near:
            raise UnknownPayee(msg("ex.unknown", query=query, suggestions=" / ".join(near)))
        raise UnknownPayee(msg(
            "ex.unknown_none", query=query,
            institutions=sum(1 for p in directory.payees.values() if p.payee_type == "institution"),
            employers=sum(1 for p in directory.payees.values() if p.payee_type == "employer"),
            districts=len(directory.districts)))
    return Explanation(query, matched_by, tuple(_payee_part(p, result) for p in payees))
