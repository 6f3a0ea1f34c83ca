"""Set each claim (申报) against the computed lines, and list computed awards nobody claimed.

A claim with a record_id covers that payee's line for that award, record and year; without one
it covers all of the payee's lines of that award in that year. The reason is drawn from what the
engine recorded on the covered lines (notes and flags) or, when nothing was computed, from the
records it skipped; nothing here recomputes an award.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal, TypeVar

from hrcalc.awards.common import award_label
from hrcalc.i18n import Msg, fields, msg, register
from hrcalc.money import ZERO
from hrcalc.read.schema import fold
from hrcalc.records import Claim, PayeeType
from hrcalc.result import Line, ReconKind, ReconRow, Result, Skip

register({
    "recon.match": ("一致", "Matches"),
    "recon.match_zero": ("一致（均为 0）：{why}", "Matches (both 0): {why}"),
    "recon.over": ("多报 {diff:money}（{cause}）：{details}", "Over-claimed by {diff:money} ({cause}): {details}"),
    "recon.over_plain": ("多报 {diff:money}：按政策计算为 {computed:money}",
                         "Over-claimed by {diff:money}: the policy computes {computed:money}"),
    "recon.over_notes": ("多报 {diff:money}：按政策计算为 {computed:money}；{details}",
                         "Over-claimed by {diff:money}: the policy computes {computed:money}; {details}"),
    "recon.under": ("少报 {diff:money}：计算 {computed:money}（{records}）",
                    "Under-claimed by {diff:money}: computed {computed:money} ({records})"),
    "recon.not_eligible": ("不符合条件：{why}", "Not eligible: {why}"),
    "recon.no_record": ("无此记录：没有{payee}在 {year} 年度的{award}记录{record}",
                        "No such record: {payee} has no {award} record{record} in {year}"),
    "recon.no_record.years": ("无此记录：{record} 计入 {years} 年度，不是 {year} 年度",
                              "No such record for {year}: {record} belongs to {years}"),
    "recon.no_record.payee": ("无此记录：{record} 的受奖主体是 {others}，不是 {payee}",
                              "No such record for {payee}: {record} is paid to {others}"),
    "recon.unclaimed": ("已计算 {computed:money}，无人申报", "Computed {computed:money}; nobody claimed it"),
    "recon.line_note": ("{record}：{note}", "{record}: {note}"),
    "recon.cause.annual_cap": ("年度上限", "annual cap"),
    "recon.cause.line_cap": ("单笔上限", "per-line cap"),
    "recon.cause.award_cap": ("最高金额", "award maximum"),
    "recon.cause.already_granted": ("已兑现", "already granted"),
    "recon.cause.offset": ("其他政策抵减", "other-policy offset"),
})

# When several flags are on the covered lines, the one that explains most of the cut names the row.
_CAUSES: tuple[ReconKind, ...] = ("already_granted", "annual_cap", "line_cap", "award_cap", "offset")



_k = lru_cache(maxsize=1 << 16)(fold)  # payee ids repeat on thousands of lines: fold each once
_F_UNCLAIMED = fields("computed")
new_msg = tuple.__new__  # a Msg is (key, fields(...), *values), see hrcalc.i18n.Msg


_Item = TypeVar("_Item", Line, Skip)


def _claimed(items: Iterable[_Item], claimed_awards: dict[str, set[str]],
             folded: dict[str, str]) -> Iterator[tuple[_Item, str]]:
    """Each item (a line or a skip) whose award and payee some claim names, with its folded payee id
    (`folded` remembers each id as written: ids repeat on thousands of lines)."""
    for item in items:
        payees = claimed_awards.get(item.award)
        if payees is None:
            continue
        raw = item.payee_id
        payee = folded.get(raw)
        if payee is None:
            payee = folded[raw] = fold(raw)
        if payee in payees:
            yield item, payee


class _Index:
    """The lines and skips of the claimed payees, looked up the ways a claim names them.

    Only claimed payees are indexed: claims are few and lines many. A group's lines (or skips)
    by record are sorted out the first time a claim names a record in it, and the by-record
    index over every payee, needed only to say where a missing record is, is built on first
    use: record ids are folded only where a claim looks (100,000 placements: 180,000 folds
    were made for 2,000 claims).
    """

    def __init__(self, result: Result, claims: list[Claim]) -> None:
        self.result = result
        claimed_awards: dict[str, set[str]] = defaultdict(set)  # award → folded claimed payees
        for c in claims:
            claimed_awards[c.award].add(_k(c.payee_id))
        self.by_award_year: dict[tuple[str, str, int], list[Line]] = defaultdict(list)
        self.skips_by_award: dict[tuple[str, str], list[Skip]] = defaultdict(list)
        self._by_record: dict[tuple[str, str, int], dict[str, list[Line]]] = {}
        self._skips_by_record: dict[tuple[str, str], dict[str, list[Skip]]] = {}
        self._wanted = {(c.award, fold(c.record_id)) for c in claims if c.record_id}
        self._by_record_any: dict[tuple[str, str], list[Line | Skip]] | None = None
        self._covered: dict[int, _Covered] = {}
        folded: dict[str, str] = {}  # payee id as written → folded: ids repeat on thousands of lines

        # the items (lines or skips) of a claimed award and payee, by award and folded payee
        for ln, payee in _claimed(result.lines, claimed_awards, folded):
            self.by_award_year[(ln.award, payee, ln.year)].append(ln)
        for sk, payee in _claimed(result.skips, claimed_awards, folded):
            self.skips_by_award[(sk.award, payee)].append(sk)

    def lines_of_record(self, award: str, payee: str, record: str, year: int) -> list[Line] | None:
        """The claimed payee's lines of that award, folded record id and year (None: none)."""
        key = (award, payee, year)
        records = self._by_record.get(key)
        if records is None:
            records = self._by_record[key] = defaultdict(list)
            for ln in self.by_award_year.get(key, ()):
                records[plain_fold(ln.record_id)].append(ln)
        return records.get(record)

    def elsewhere(self, award: str, record_id: str) -> list[Line | Skip]:
        """Every line or skip of this award and record, whoever the payee and whatever the year
        (asked only for records some claim names: those are indexed on first use)."""
        if self._by_record_any is None:
            self._by_record_any = defaultdict(list)
            awards = {a for a, _ in self._wanted}
            for items in (self.result.lines, self.result.skips):
                for item in items:
                    if item.award in awards:
                        raw = item.record_id
                        # a placement's id is on a line or a skip of each of its awards: 100,000
                        # ids, each folded without splitting it (plain_fold)
                        record = plain_fold(raw)
                        key = (item.award, record)
                        if key in self._wanted:
                            self._by_record_any[key].append(item)
        return self._by_record_any.get((award, fold(record_id)), [])

    def covered(self, lines: list[Line], claimed_lines: set[int]) -> _Covered:
        """The _Covered of one of this index's line lists (they live as long as the index), marking
        its lines claimed the first time it is asked for."""
        found = self._covered.get(id(lines))
        if found is None:
            found = self._covered[id(lines)] = _Covered.of(lines)
            claimed_lines.update(id(ln) for ln in lines)
        return found

    def skips_for(self, claim: Claim) -> list[Skip]:
        payee = _k(claim.payee_id)
        found = self.skips_by_award.get((claim.award, payee), [])
        if claim.record_id:
            key = (claim.award, payee)
            records = self._skips_by_record.get(key)
            if records is None:
                records = self._skips_by_record[key] = defaultdict(list)
                for sk in found:
                    records[plain_fold(sk.record_id)].append(sk)
            found = records.get(fold(claim.record_id), [])
        return [s for s in found if s.year is None or s.year == claim.year]


def plain_fold(raw: str) -> str:
    """fold(raw), the usual id's way: an ASCII text of printable characters but the space has no
    whitespace for fold to collapse or strip, and NFKC leaves ASCII alone, so its fold is its
    lower case, without fold's split and join (a test holds the two to each other)."""
    return raw.lower() if raw.isascii() and raw.isprintable() and " " not in raw else fold(raw)


def _unique(messages: Iterable[Msg]) -> tuple[Msg, ...]:
    return tuple(dict.fromkeys(messages))


def _line_notes(lines: list[Line]) -> tuple[Msg, ...]:
    """Every note of the covered lines; named by record when the claim covers several."""
    if len(lines) == 1:
        return _unique(lines[0].notes)
    return _unique(msg("recon.line_note", record=ln.record_id, note=n) for ln in lines for n in ln.notes)


@dataclass(slots=True)
class _Covered:
    """The lines one or more claims cover, and what every such claim needs of them, worked out once
    (a large bureau's claims name the same payee, award and year again and again)."""

    lines: list[Line]
    computed: Decimal
    records: tuple[str, ...]
    _flags: set[str] | None = None
    _notes: tuple[Msg, ...] | None = None

    @staticmethod
    def of(lines: list[Line]) -> _Covered:
        return _Covered(lines, sum((ln.amount for ln in lines), ZERO),
                        tuple(dict.fromkeys(ln.record_id for ln in lines)))

    def flags(self) -> set[str]:
        if self._flags is None:
            self._flags = set().union(*(ln.flags for ln in self.lines))
        return self._flags

    def notes(self) -> tuple[Msg, ...]:
        if self._notes is None:
            self._notes = _line_notes(self.lines)
        return self._notes


def _over(claimed: Decimal, covered: _Covered) -> tuple[ReconKind, Msg]:
    computed = covered.computed
    flags = covered.flags()
    cause: ReconKind = next((c for c in _CAUSES if c in flags), "over")
    notes = covered.notes()
    if not notes:
        return cause, msg("recon.over_plain", diff=claimed - computed, computed=computed)
    if cause == "over":
        return cause, msg("recon.over_notes", diff=claimed - computed, computed=computed, details=notes)
    return cause, msg("recon.over", diff=claimed - computed, cause=msg(f"recon.cause.{cause}"), details=notes)


def _no_line(claim: Claim, index: _Index, award_name: Msg) -> tuple[ReconKind, Msg]:
    """Nothing computed for the claim: a skipped record says why, else say what is missing."""
    skips = index.skips_for(claim)
    why = _unique(s.reason for s in skips)
    if claim.claimed_amount == 0:
        return "match", msg("recon.match_zero", why=why) if why else msg("recon.match")
    if why:
        return "not_eligible", msg("recon.not_eligible", why=why)
    if claim.record_id:
        elsewhere = index.elsewhere(claim.award, claim.record_id)
        same_payee = [e for e in elsewhere if _k(e.payee_id) == _k(claim.payee_id)]
        years = sorted({e.year for e in same_payee if e.year is not None})
        if years:
            return "no_record", msg("recon.no_record.years", record=claim.record_id, year=claim.year,
                                    years=", ".join(map(str, years)))
        others = sorted({e.payee_id for e in elsewhere})
        if others:
            return "no_record", msg("recon.no_record.payee", record=claim.record_id, payee=claim.payee_id,
                                    others=", ".join(others))
    record = f" {claim.record_id}" if claim.record_id else ""
    return "no_record", msg("recon.no_record", payee=claim.payee_id, year=claim.year, award=award_name,
                            record=record)


def _payee_type(result: Result, award: str) -> PayeeType | None:
    rule = result.rule_of(award)
    return rule.payee if rule is not None else None


def _award_label(result: Result, award: str) -> Msg:
    rule = result.rule_of(award)
    return msg("award.name", zh=award, en=award) if rule is None else award_label(rule)


def _claim_row(claim: Claim, index: _Index, result: Result, claimed_lines: set[int]) -> ReconRow:
    payee = _k(claim.payee_id)
    if claim.record_id:
        lines = index.lines_of_record(claim.award, payee, fold(claim.record_id), claim.year)
    else:
        lines = index.by_award_year.get((claim.award, payee, claim.year))
    claimed = claim.claimed_amount
    kind: ReconKind
    covered = index.covered(lines, claimed_lines) if lines else _Covered([], ZERO, ())
    computed = covered.computed
    if not lines:
        kind, reason = _no_line(claim, index, _award_label(result, claim.award))
    elif claimed == computed:
        kind, reason = "match", msg("recon.match")
    elif claimed < computed:
        kind, reason = "under", msg("recon.under", diff=computed - claimed, computed=computed,
                                    records=", ".join(covered.records))
    else:
        kind, reason = _over(claimed, covered)
    status: Literal["match", "over", "under"] = (
        "match" if claimed == computed else "over" if claimed > computed else "under")
    return ReconRow(
        payee_id=claim.payee_id, award=claim.award, record_id=claim.record_id, year=claim.year,
        claimed=claimed, computed=computed, reason=reason, status=status, source=claim.source,
        payee_type=_payee_type(result, claim.award), kind=kind, records=covered.records,
    )


def _unclaimed_rows(lines: list[Line], claimed_lines: set[int]) -> list[ReconRow]:
    groups: dict[tuple[str, PayeeType, str, str, int], list[Line]] = defaultdict(list)
    for ln in lines:
        if ln.amount > ZERO and id(ln) not in claimed_lines:  # Decimal to Decimal: no int converted per line
            groups[(ln.payee_id, ln.payee_type, ln.award, ln.record_id, ln.year)].append(ln)
    rows = []
    new_row = tuple.__new__  # ReconRow's own __new__ is a slower Python-level function; every field given
    for (payee_id, payee_type, award, record_id, year), group in groups.items():
        computed = sum((ln.amount for ln in group), ZERO) if len(group) > 1 else group[0].amount  # rounded
        rows.append(new_row(ReconRow, (
            payee_id, award, record_id, year, None, computed, new_msg(Msg, ("recon.unclaimed", _F_UNCLAIMED, computed)),
            "unclaimed", group[0].source, payee_type, "unclaimed", (record_id,))))
    return rows


def _order(row: ReconRow) -> tuple[str, int, str, str, bool, int]:
    return (row.payee_id, row.year, row.award, row.record_id or "", row.claimed is None,
            row.source.row if row.source else 0)


def reconcile(claims: list[Claim], result: Result) -> list[ReconRow]:
    """One row per claim and one per computed award (amount > 0) that no claim covers."""
    index = _Index(result, claims)
    claimed_lines: set[int] = set()
    rows = [_claim_row(c, index, result, claimed_lines) for c in claims]
    rows += _unclaimed_rows(result.lines, claimed_lines)
    return sorted(rows, key=_order)
