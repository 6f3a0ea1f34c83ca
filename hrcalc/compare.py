"""What a plan would cost: the same records and history under a base and an alternative, side by side."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from hrcalc.policy.edit import Change
from hrcalc.policy.timeline import Timeline
from hrcalc.records import PayeeType
from hrcalc.result import Line, Result

ZERO = Decimal(0)
NO_DISTRICT = "—"
"""The district key of payees with none (employers), as contract.md names it."""
LARGEST = 20


@dataclass(frozen=True, slots=True)
class Pair:
    """One figure under the base and under the alternative."""

    base: Decimal
    alternative: Decimal

    @property
    def difference(self) -> Decimal:
        """alternative − base."""
        return self.alternative - self.base


@dataclass(frozen=True, slots=True)
class PayeePair:
    payee_id: str
    payee_type: PayeeType
    name: str
    district: str | None
    figures: Pair


@dataclass(frozen=True, slots=True)
class Side:
    """A side of the comparison: its plans and the --set edits it was made with."""

    result: Result
    changes: tuple[Change, ...] = ()

    @property
    def policies(self) -> list[str]:
        return [p.id for p in self.result.plans]


@dataclass(slots=True)
class Comparison:
    base: Side
    alternative: Side
    total: Pair
    by_award: dict[str, Pair]
    by_district: dict[str, Pair]
    by_year: dict[int, Pair]
    payees: list[PayeePair]
    largest: list[PayeePair] = field(default_factory=list)

    @property
    def gainers(self) -> int:
        return sum(1 for p in self.payees if p.figures.difference > 0)

    @property
    def losers(self) -> int:
        return sum(1 for p in self.payees if p.figures.difference < 0)

    @property
    def unchanged(self) -> int:
        return sum(1 for p in self.payees if p.figures.difference == 0)

    def award_name(self, award_id: str, lang: str) -> str:
        """The name the alternative's plans give an award, else the base's."""
        rule = self.alternative.result.rule_of(award_id) or self.base.result.rule_of(award_id)
        return award_id if rule is None else str(rule.name_zh if lang == "zh" else rule.name_en)


K = TypeVar("K", bound=Hashable)


def _sums(lines: Iterable[Line], key: Callable[[Line], K]) -> dict[K, Decimal]:
    out: dict[K, Decimal] = defaultdict(Decimal)
    for ln in lines:
        out[key(ln)] += ln.amount
    return out


def _pairs(base: dict[K, Decimal], alt: dict[K, Decimal], order: Iterable[K]) -> dict[K, Pair]:
    return {k: Pair(base.get(k, ZERO), alt.get(k, ZERO)) for k in order}


def _district_of(result: Result) -> Callable[[Line], str]:
    def of(ln: Line) -> str:
        payee = result.payees.get((ln.payee_id, ln.payee_type))
        return (payee.district if payee is not None else None) or NO_DISTRICT
    return of


def _payee_key(ln: Line) -> tuple[str, str]:
    return (ln.payee_id, ln.payee_type)


def compare(base: Side, alternative: Side) -> Comparison:
    """Totals by award, district, year and payee under both sides; the counts and the largest changes."""
    b, a = base.result, alternative.result
    bl, al = b.visible_lines(), a.visible_lines()
    award_ids = list(dict.fromkeys([*b.award_ids(), *a.award_ids()]))
    bd, ad = _sums(bl, _district_of(b)), _sums(al, _district_of(a))
    districts = sorted({*bd, *ad}, key=lambda d: (d == NO_DISTRICT, d))
    by, ay = _sums(bl, lambda ln: ln.year), _sums(al, lambda ln: ln.year)
    bp, ap = _sums(bl, _payee_key), _sums(al, _payee_key)
    payees: list[PayeePair] = []
    for key in sorted({*bp, *ap}):
        who = a.payees.get(key) or b.payees[key]
        payees.append(PayeePair(who.payee_id, who.payee_type, who.name, who.district,
                                Pair(bp.get(key, ZERO), ap.get(key, ZERO))))
    changed = [p for p in payees if p.figures.difference != 0]
    largest = sorted(changed, key=lambda p: (-abs(p.figures.difference), p.payee_id, p.payee_type))[:LARGEST]
    return Comparison(
        base=base, alternative=alternative,
        total=Pair(sum((ln.amount for ln in bl), ZERO), sum((ln.amount for ln in al), ZERO)),
        by_award=_pairs(_sums(bl, lambda ln: ln.award), _sums(al, lambda ln: ln.award), award_ids),
        by_district=_pairs(bd, ad, districts),
        by_year=_pairs(by, ay, sorted({*by, *ay})),
        payees=payees, largest=largest,
    )


def run_compare(path: Path, base: Timeline, alternative: Timeline, *, base_changes: Iterable[Change] = (),
                alternative_changes: Iterable[Change] = (), skip_invalid: bool = False,
                today: date | None = None, year: int | None = None, ledger: Path | None = None) -> Comparison:
    """Read the workbook once; compute it under both sides with the same records and history (the
    ledger's grants too, when given)."""
    from hrcalc import api

    # award and tier names of either side read in prior_awards and claims (the alternative's first)
    reading = alternative.reading_policy()
    records = api.read(path, reading.model_copy(update={"awards": {**base.reading_policy().awards,
                                                                   **reading.awards}}))
    results = [api.run(path, policy=tl, skip_invalid=skip_invalid, today=today, records=records, ledger=ledger)
               for tl in (base, alternative)]
    for result in results:
        if year is not None:
            result.shown_years = [year]
    return compare(Side(results[0], tuple(base_changes)), Side(results[1], tuple(alternative_changes)))
