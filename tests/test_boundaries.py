"""Every threshold just below, at and just above, and every cap below, at and above it.

Thresholds, rates, caps and dates are read from the bundled policy, so the tables follow the
policy file: a changed amount moves the boundary and the test with it. Each row goes through a
real workbook and the real reader.

Spec: docs/rulings.md (every threshold, cap and window).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest

from hrcalc import api
from hrcalc.policy import load_policy
from hrcalc.policy.model import DiscretionaryOnceRule, EmployerSubsidyRule, HeadhuntingRule, RevenueGrowthRule
from hrcalc.result import Line
from tests.builders import EMPLOYER, build_input, code

POLICY = load_policy()
TODAY = date(2026, 1, 1)
CENT = Decimal("0.01")
HAIR = (-CENT, Decimal(0), CENT)
"""Just below, at and just above a boundary: the smallest step money has."""
SIDE = {-CENT: "below", Decimal(0): "at", CENT: "above"}
INST = code(1)
DAY = date(2025, 3, 1)

R = TypeVar("R")


def rule(award_id: str, cls: type[R]) -> R:
    found = POLICY.awards[award_id]
    assert isinstance(found, cls), (award_id, type(found))
    return found


HH = rule("headhunting", HeadhuntingRule)
ES = rule("employer_subsidy", EmployerSubsidyRule)
REV = rule("revenue_growth", RevenueGrowthRule)
LISTING = rule("listing", DiscretionaryOnceRule)
SME = rule("specialized_sme", DiscretionaryOnceRule)
TOP = HH.salary_tiers[-1]
"""The highest salary tier: the one whose rate reaches the per-line cap soonest."""


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Run:
    lines: dict[tuple[str, str], Line]
    """Every line, keyed by (award, record_id)."""
    warnings: Counter[str]

    def amount(self, award: str, record_id: str) -> str | None:
        line = self.lines.get((award, record_id))
        return None if line is None else str(line.amount)

    def notes(self, award: str, record_id: str) -> list[str]:
        return [n.key for n in self.lines[(award, record_id)].notes]


def run(tmp_path: Path, **records: Any) -> Run:
    path = build_input(tmp_path / "in.xlsx", **records)
    result = api.run(path, today=TODAY)
    assert result.complete, [i.message.key for i in result.issues if i.severity == "error"]
    keys = [(ln.award, ln.record_id) for ln in result.lines]
    assert len(keys) == len(set(keys))
    return Run({(ln.award, ln.record_id): ln for ln in result.lines},
               Counter(i.message.key for i in result.issues if i.severity == "warning"))


def text(value: Decimal | int) -> str:
    """A money cell as plain text: exact, never a binary float or an exponent."""
    return f"{Decimal(value):f}"


def placement(salary: Decimal | int, fee: Decimal | int, *, key: bool = True, urgent: bool = False,
              day: date = DAY, pid: str = "P1", other: Decimal | int | None = None) -> dict[str, object]:
    row: dict[str, object] = {"placement_id": pid, "annual_salary": text(salary), "headhunting_fee": text(fee),
                              "key_enterprise": "是" if key else "否", "from_outside_city": "是",
                              "urgent_need": "是" if urgent else "否", "placement_date": day}
    if other is not None:
        row["other_policy_amount"] = text(other)
    return row


# ---- headhunting salary tiers: 达到 = at least -------------------------------------------------

FEE = Decimal(100_000)
SALARY_CASES = [
    pytest.param(tier.min_salary + d, HH.salary_tiers[i - 1] if d < 0 and i > 0 else (None if d < 0 else tier),
                 id=f"{tier.id}-{SIDE[d]}")
    for i, tier in enumerate(HH.salary_tiers) for d in HAIR
]


@pytest.mark.parametrize(("salary", "tier"), SALARY_CASES)
def test_salary_tier_boundary(tmp_path: Path, salary: Decimal, tier: Any) -> None:
    got = run(tmp_path, placements=[placement(salary, FEE)])
    if tier is None:
        assert got.amount("headhunting", "P1") is None
    else:
        assert got.lines[("headhunting", "P1")].tier == tier.id
        assert got.amount("headhunting", "P1") == str(cents(FEE * tier.rate))


# Both rules apply: the higher rate wins, one line per placement; a tie names the salary tier.
AB = HH.talent_class_tier
BOTH_CASES = [
    pytest.param(t.min_salary, cls, (t.id, t.rate) if t.rate >= HH.talent_class_rate or cls not in HH.talent_classes
                 else (AB, HH.talent_class_rate), id=f"{t.id}-class-{cls}")
    for t in HH.salary_tiers for cls in ("B", "C")
]


@pytest.mark.parametrize(("salary", "cls", "expected"), BOTH_CASES)
def test_higher_rate_wins(tmp_path: Path, salary: Decimal, cls: str, expected: tuple[str, Decimal]) -> None:
    got = run(tmp_path, placements=[{**placement(salary, FEE), "talent_class": cls}])
    assert [(ln.tier, ln.amount) for ln in got.lines.values() if ln.award == "headhunting"] == [
        (expected[0], cents(FEE * expected[1]))]
    # Key enterprise and salary tier apply anyway, so the A/B ruling decides nothing: no ruling note.
    assert "note.hh.class_ruling" not in got.notes("headhunting", "P1")


# ---- employer subsidy: 50万元以上 includes the floor ---------------------------------------------

@pytest.mark.parametrize("d", HAIR, ids=[SIDE[d] for d in HAIR])
def test_employer_subsidy_salary_boundary(tmp_path: Path, d: Decimal) -> None:
    got = run(tmp_path, placements=[placement(ES.min_salary + d, FEE, key=False, urgent=True)])
    expected = None if d < 0 else str(cents(min(FEE * ES.rate, ES.cap)))
    assert got.amount("employer_subsidy", "P1") == expected


# ---- revenue tiers: 达 = at least, the highest tier reached ------------------------------------

REVENUE_CASES = [
    pytest.param(tier.min_revenue + d, REV.tiers[i - 1] if d < 0 and i > 0 else (None if d < 0 else tier),
                 id=f"{tier.id}-{SIDE[d]}")
    for i, tier in enumerate(REV.tiers) for d in HAIR
]


@pytest.mark.parametrize(("revenue", "tier"), REVENUE_CASES)
def test_revenue_tier_boundary(tmp_path: Path, revenue: Decimal, tier: Any) -> None:
    # Prior revenue half of this year's: growth near 100%, far inside the upper band.
    prior = cents(revenue / 2)
    got = run(tmp_path, revenue=[{"year": 2025, "revenue": text(revenue), "prior_year_revenue": text(prior)}])
    if tier is None:
        assert got.amount("revenue_growth", "2025") is None
    else:
        assert got.lines[("revenue_growth", "2025")].tier == tier.id
        assert got.amount("revenue_growth", "2025") == str(cents(tier.high_band))


# ---- growth bands: > 10% low, > 15% high; exactly 15% the lower band with a note (ruling) ----

PRIOR = Decimal(300_000_000)


def band_tier(revenue: Decimal) -> Any:
    return [t for t in REV.tiers if revenue >= t.min_revenue][-1]


GROWTH_CASES = [
    # (growth limit, hair, band paid, ruling note expected)
    pytest.param(REV.low_band_above, -CENT, None, False, id="low-below"),
    pytest.param(REV.low_band_above, Decimal(0), None, False, id="low-at"),
    pytest.param(REV.low_band_above, CENT, "low", False, id="low-above"),
    pytest.param(REV.high_band_above, -CENT, "low", False, id="high-below"),
    pytest.param(REV.high_band_above, Decimal(0), "low", True, id="high-at"),
    pytest.param(REV.high_band_above, CENT, "high", False, id="high-above"),
]


@pytest.mark.parametrize(("limit", "d", "band", "exact_note"), GROWTH_CASES)
def test_growth_band_boundary(tmp_path: Path, limit: Decimal, d: Decimal, band: str | None,
                              exact_note: bool) -> None:
    revenue = PRIOR * (1 + limit) + d
    assert revenue == cents(revenue) and revenue >= REV.tiers[0].min_revenue  # the row is well-formed
    got = run(tmp_path, revenue=[{"year": 2025, "revenue": text(revenue), "prior_year_revenue": text(PRIOR)}])
    if band is None:
        assert got.amount("revenue_growth", "2025") is None
        return
    tier = band_tier(revenue)
    assert got.amount("revenue_growth", "2025") == str(cents(tier.high_band if band == "high" else tier.low_band))
    assert ("note.rev.exact_high" in got.notes("revenue_growth", "2025")) is exact_note


# ---- validity window: first and last day inclusive ------------------------------------------

START, END = POLICY.effective_from, POLICY.effective_to
ONE = timedelta(days=1)
WINDOW_DAYS = [
    pytest.param(START - ONE, False, id="start-1"), pytest.param(START, True, id="start"),
    pytest.param(START + ONE, True, id="start+1"), pytest.param(END - ONE, True, id="end-1"),
    pytest.param(END, True, id="end"), pytest.param(END + ONE, False, id="end+1"),
]


def _event(kind: str, day: date) -> tuple[dict[str, Any], str, str]:
    """Input records with one event of `kind` on `day`, its award and its line's record id."""
    if kind == "placement":
        return {"placements": [placement(600_000, FEE, day=day)]}, "headhunting", "P1"
    if kind == "recognition":
        return {"recognitions": [{"kind": "high_tech", "date": day, "reference": "R1"}]}, "high_tech", "R1"
    return ({"parks": [{"park_id": "PK1", "district": "蜀山区", "level": "national_park", "date": day}]},
            "park", "PK1")


@pytest.mark.parametrize(("day", "inside"), WINDOW_DAYS)
@pytest.mark.parametrize("kind", ["placement", "recognition", "park"])
def test_validity_window_boundary(tmp_path: Path, kind: str, day: date, inside: bool) -> None:
    records, award, record_id = _event(kind, day)
    got = run(tmp_path, **records)
    if inside:
        line = got.lines[(award, record_id)]
        assert line.amount > 0 and line.year == day.year
        assert got.warnings["warn.window"] == 0
    else:
        assert got.lines == {}
        assert got.warnings["warn.window"] == 1


# A revenue year Y is dated Y-12-31: the window's first calendar year qualifies, its last does not.
REVENUE_YEARS = [
    pytest.param(START.year - 1, False, id="year-before-start"),
    pytest.param(START.year, True, id="start-year"),
    pytest.param(END.year - 1, True, id="year-before-end"),
    pytest.param(END.year, False, id="end-year"),
]


@pytest.mark.parametrize(("year", "inside"), REVENUE_YEARS)
def test_revenue_year_window(tmp_path: Path, year: int, inside: bool) -> None:
    got = run(tmp_path, revenue=[{"year": year, "revenue": 240_000_000, "prior_year_revenue": 200_000_000}])
    assert (got.amount("revenue_growth", str(year)) is not None) is inside
    assert got.warnings["warn.window"] == (0 if inside else 1)


# ---- caps: below, at and above ----------------------------------------------------------------


def _capped(cap: Decimal, rate: Decimal, d: Decimal) -> Decimal:
    """A fee whose rate × fee lands `d` from `cap` (exact for the bundled rates)."""
    fee = (cap + d) / rate
    assert fee == cents(fee), "choose a hair the rate divides"
    return fee


@pytest.mark.parametrize("d", HAIR, ids=[SIDE[d] for d in HAIR])
def test_per_line_cap(tmp_path: Path, d: Decimal) -> None:
    fee = _capped(HH.line_cap, TOP.rate, d)
    got = run(tmp_path, placements=[placement(TOP.min_salary, fee)])
    assert got.amount("headhunting", "P1") == str(cents(min(HH.line_cap, HH.line_cap + d)))
    assert ("note.line_cap" in got.notes("headhunting", "P1")) is (d > 0)


@pytest.mark.parametrize("d", HAIR, ids=[SIDE[d] for d in HAIR])
def test_employer_subsidy_cap(tmp_path: Path, d: Decimal) -> None:
    fee = _capped(ES.cap, ES.rate, d)
    got = run(tmp_path, placements=[placement(ES.min_salary, fee, urgent=True)])
    assert got.amount("employer_subsidy", "P1") == str(cents(min(ES.cap, ES.cap + d)))
    assert got.lines[("employer_subsidy", "P1")].payee_id == EMPLOYER
    assert ("note.award_cap" in got.notes("employer_subsidy", "P1")) is (d > 0)


LINE = Decimal(400_000)
"""This year's placement line in the annual-cap cases; prior_awards fill the rest of the cap."""


def _prior(amount: Decimal, day: date, *, payee: str = INST, award: str = "headhunting") -> dict[str, object]:
    return {"payee_id": payee, "award": award, "record_id": "OLD-1", "amount": text(amount), "date": day}


ANNUAL_CASES = [
    # (prior_awards row, this line's gross, expected amount, cut by the annual cap)
    pytest.param(_prior(HH.annual_cap - LINE, DAY), LINE - CENT, LINE - CENT, False, id="below"),
    pytest.param(_prior(HH.annual_cap - LINE, DAY), LINE, LINE, False, id="at"),
    pytest.param(_prior(HH.annual_cap - LINE, DAY), LINE + CENT, LINE, True, id="above"),
    pytest.param(_prior(HH.annual_cap - LINE, date(2025, 12, 31)), LINE + CENT, LINE, True,
                 id="prior-later-same-year"),
    pytest.param(_prior(HH.annual_cap, date(2025, 1, 1)), LINE, Decimal(0), True, id="year-full"),
    pytest.param(_prior(HH.annual_cap, date(2024, 12, 31)), LINE + CENT, LINE + CENT, False,
                 id="prior-year-before"),
    pytest.param(_prior(HH.annual_cap, date(2026, 1, 1)), LINE + CENT, LINE + CENT, False,
                 id="prior-year-after"),
    pytest.param(_prior(HH.annual_cap, DAY, payee=code(2)), LINE + CENT, LINE + CENT, False,
                 id="other-institution"),
    pytest.param(_prior(HH.annual_cap, DAY, award="high_tech"), LINE + CENT, LINE + CENT, False,
                 id="other-award"),
]


@pytest.mark.parametrize(("prior", "gross", "expected", "cut"), ANNUAL_CASES)
def test_annual_cap(tmp_path: Path, prior: dict[str, object], gross: Decimal, expected: Decimal,
                    cut: bool) -> None:
    got = run(tmp_path, placements=[placement(TOP.min_salary, _capped(gross, TOP.rate, Decimal(0)))],
              prior_awards=[prior])
    assert got.amount("headhunting", "P1") == str(cents(expected))
    assert ("note.annual_cap" in got.notes("headhunting", "P1")) is cut


@pytest.mark.parametrize("d", HAIR, ids=[SIDE[d] for d in HAIR])
def test_annual_cap_within_one_run(tmp_path: Path, d: Decimal) -> None:
    """Lines of the same year fill the cap in date order; the last one takes what is left."""
    first = HH.line_cap
    second = HH.annual_cap - first - LINE
    assert 0 < second <= HH.line_cap
    got = run(tmp_path, placements=[
        placement(TOP.min_salary, _capped(first, TOP.rate, Decimal(0)), pid="P1", day=date(2025, 2, 1)),
        placement(TOP.min_salary, _capped(second, TOP.rate, Decimal(0)), pid="P2", day=date(2025, 5, 1)),
        placement(TOP.min_salary, _capped(LINE, TOP.rate, d), pid="P3", day=date(2025, 8, 1)),
    ])
    assert got.amount("headhunting", "P1") == str(cents(first))
    assert got.amount("headhunting", "P2") == str(cents(second))
    assert got.amount("headhunting", "P3") == str(cents(min(LINE, LINE + d)))
    assert ("note.annual_cap" in got.notes("headhunting", "P3")) is (d > 0)


@pytest.mark.parametrize("d", HAIR, ids=[SIDE[d] for d in HAIR])
@pytest.mark.parametrize("award", ["listing", "specialized_sme"])
def test_discretionary_maximum(tmp_path: Path, award: str, d: Decimal) -> None:
    maximum = (LISTING if award == "listing" else SME).maximum
    recognition = {"kind": award, "date": DAY, "reference": "R1", "approved_amount": text(maximum + d)}
    got = run(tmp_path, recognitions=[recognition])
    assert got.amount(award, "R1") == str(cents(min(maximum, maximum + d)))
    assert ("note.award_cap" in got.notes(award, "R1")) is (d > 0)
    assert got.warnings == (Counter({"warn.disc.over_max": 1}) if d > 0 else Counter())


# ---- other-policy offset and the one rounding ---------------------------------------------


@pytest.mark.parametrize("d", HAIR, ids=[SIDE[d] for d in HAIR])
def test_other_policy_offset_boundary(tmp_path: Path, d: Decimal) -> None:
    """就高不重复: max(0, award − other); an equal or larger other payment leaves 0, never less."""
    award = cents(FEE * TOP.rate)
    got = run(tmp_path, placements=[placement(TOP.min_salary, FEE, other=award + d)])
    assert got.amount("headhunting", "P1") == str(cents(max(Decimal(0), -d)))


ROUNDING_CASES = [
    # fee × lowest tier rate lands on half a cent (half-up, not half-even) or just under/over it
    pytest.param(Decimal("100011.15"), id="half-cent-up"),
    pytest.param(Decimal("100011.13"), id="below-half"),
    pytest.param(Decimal("100011.17"), id="above-half"),
    pytest.param(Decimal("33333.33"), id="H13"),
]


@pytest.mark.parametrize("fee", ROUNDING_CASES)
def test_rounding_half_up_once(tmp_path: Path, fee: Decimal) -> None:
    low = HH.salary_tiers[0]
    got = run(tmp_path, placements=[placement(low.min_salary, fee)])
    assert got.amount("headhunting", "P1") == str((fee * low.rate).quantize(CENT, rounding=ROUND_HALF_UP))


def test_half_cent_rounds_up_not_to_even(tmp_path: Path) -> None:
    """The half-cent case above is a real half: half-even would round it the other way."""
    low = HH.salary_tiers[0]
    fee = Decimal("100011.15")
    exact = fee * low.rate
    assert exact.quantize(CENT, rounding=ROUND_HALF_UP) != exact.quantize(CENT)  # default is half-even
    got = run(tmp_path, placements=[placement(low.min_salary, fee)])
    assert got.amount("headhunting", "P1") == str(exact.quantize(CENT, rounding=ROUND_HALF_UP))
