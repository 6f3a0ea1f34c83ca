"""Invariants that hold for any input, checked with hypothesis on small generated workbooks.

Every example is written as a real .xlsx and read by the real reader; the JSON properties go
through the real CLI. Examples are few and small so the suite stays fast.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrcalc import api
from hrcalc.policy import load_policy
from hrcalc.policy.model import EmployerSubsidyRule, HeadhuntingRule
from hrcalc.result import Result
from tests.builders import EMPLOYER, build_input, code

POLICY = load_policy()
_hh, _es = POLICY.awards["headhunting"], POLICY.awards["employer_subsidy"]
assert isinstance(_hh, HeadhuntingRule) and isinstance(_es, EmployerSubsidyRule)
HH: HeadhuntingRule = _hh
ES: EmployerSubsidyRule = _es
TODAY = date(2026, 1, 1)
INSTITUTIONS = [code(1), code(2)]
EMPLOYERS = [EMPLOYER, code(900)]
CENT = Decimal("0.01")
Invoke = Callable[..., Any]  # the `invoke` fixture of conftest.py

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---- strategies: small, valid workbooks -----------------------------------------------------


def _edges(values: list[Decimal]) -> list[Decimal]:
    return sorted({v + d for v in values for d in (-CENT, Decimal(0), CENT)})


def money(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=2,
                       allow_nan=False, allow_infinity=False)


salaries = st.one_of(st.sampled_from(_edges([t.min_salary for t in HH.salary_tiers] + [ES.min_salary])),
                     money(100_000, 2_000_000))
fees = st.one_of(st.sampled_from([Decimal(50_000), Decimal(400_000), Decimal(2_000_000)]), money(1, 2_500_000))
# A little either side of the validity window, so window skips are exercised too.
days = st.dates(min_value=date(2024, 6, 1), max_value=date(2026, 8, 1))


@dataclass(frozen=True)
class Placement:
    institution: int
    employer: int
    key: bool
    outside: bool
    talent_class: str | None
    urgent: bool
    salary: Decimal
    fee: Decimal
    day: date
    other: Decimal | None

    def row(self, i: int) -> dict[str, object]:
        row: dict[str, object] = {
            "placement_id": f"P{i:03d}", "credit_code": INSTITUTIONS[self.institution],
            "employer_credit_code": EMPLOYERS[self.employer], "employer_name": f"用人单位{self.employer}",
            "key_enterprise": "是" if self.key else "否", "from_outside_city": "是" if self.outside else "否",
            "talent_class": self.talent_class, "urgent_need": "是" if self.urgent else "否",
            "annual_salary": f"{self.salary:f}", "headhunting_fee": f"{self.fee:f}", "placement_date": self.day,
        }
        if self.other is not None:
            row["other_policy_amount"] = f"{self.other:f}"
        return row


placements = st.builds(
    Placement, institution=st.integers(0, 1), employer=st.integers(0, 1), key=st.booleans(),
    outside=st.booleans() | st.just(True), talent_class=st.sampled_from([None, "A", "B", "C"]),
    urgent=st.booleans(), salary=salaries, fee=fees, day=days,
    other=st.none() | st.none() | money(0, 300_000),
)


@dataclass(frozen=True)
class Prior:
    institution: int
    amount: Decimal
    day: date
    record: int | None  # a placement index: that placement was granted before

    def row(self, i: int) -> dict[str, object]:
        return {"payee_id": INSTITUTIONS[self.institution], "award": "headhunting",
                "record_id": f"P{self.record:03d}" if self.record is not None else f"OLD-{i}",
                "amount": f"{self.amount:f}", "date": self.day}


priors = st.builds(Prior, institution=st.integers(0, 1), amount=money(0, 2_200_000),
                   day=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
                   record=st.none() | st.integers(0, 4))

KINDS = ["listing", "china_top500", "china_service_top500", "anhui_service_top100", "scale_up",
         "specialized_sme", "high_tech", "national_competition", "headhunter_settlement"]
recognitions = st.tuples(st.integers(0, 1), st.sampled_from(KINDS), days, st.none() | money(0, 4_000_000))
# (park number, level, approval day): two parks at most, so upgrades and repeats of a park occur.
parks = st.tuples(st.integers(0, 1), st.sampled_from(["national_park", "provincial_park", "provincial_talent_market"]),
                  days)
DISTRICTS = ["蜀山区", "高新区"]
revenue_values = st.sampled_from([Decimal(v) for v in (150, 199, 200, 230, 345, 520, 1_200, 2_100, 3_300)])


@dataclass(frozen=True)
class World:
    """A small bureau: placements, history, and (for the JSON properties) the other record kinds."""

    placements: tuple[Placement, ...]
    priors: tuple[Prior, ...] = ()
    recognitions: tuple[tuple[int, str, date, Decimal | None], ...] = ()
    parks: tuple[tuple[int, str, date], ...] = ()
    revenue: tuple[Decimal, ...] = ()  # 2023, 2024, … in 1,000,000 yuan, for INSTITUTIONS[0]

    def records(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "institutions": [{"credit_code": c, "name": f"机构{i}"} for i, c in enumerate(INSTITUTIONS)],
            "placements": [p.row(i) for i, p in enumerate(self.placements)],
        }
        if self.priors:
            out["prior_awards"] = [p.row(i) for i, p in enumerate(self.priors)]
        if self.recognitions:
            out["recognitions"] = [
                {"credit_code": INSTITUTIONS[who], "kind": kind, "date": day, "reference": f"REF-{i}",
                 "approved_amount": None if approved is None else f"{approved:f}"}
                for i, (who, kind, day, approved) in enumerate(self.recognitions)]
        if self.parks:
            out["parks"] = [{"park_id": f"PK-{n}", "name": f"园区{n}", "district": DISTRICTS[n], "level": level,
                             "date": day} for n, level, day in self.parks]
        if self.revenue:
            out["revenue"] = [{"credit_code": INSTITUTIONS[0], "year": 2023 + i, "revenue": f"{v * 1_000_000:f}"}
                              for i, v in enumerate(self.revenue)]
        return out


placement_worlds = st.builds(World, placements=st.lists(placements, min_size=1, max_size=5).map(tuple),
                             priors=st.lists(priors, max_size=2).map(tuple))
full_worlds = st.builds(
    World, placements=st.lists(placements, min_size=1, max_size=4).map(tuple),
    priors=st.lists(priors, max_size=2).map(tuple),
    recognitions=st.lists(recognitions, max_size=4).map(tuple),
    parks=st.lists(parks, max_size=3, unique_by=lambda p: (p[0], p[1])).map(tuple),
    revenue=st.lists(revenue_values, max_size=4).map(tuple),
)


@contextmanager
def workbook(world: World) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield build_input(Path(tmp) / "in.xlsx", **world.records())


def compute(world: World) -> Result:
    with workbook(world) as path:
        result = api.run(path, today=TODAY)
    assert result.complete, [(i.sheet, i.row, i.column, i.value) for i in result.issues if i.severity == "error"]
    return result


def payee_totals(result: Result) -> dict[tuple[str, str], Decimal]:
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for ln in result.lines:
        totals[(ln.payee_id, ln.payee_type)] += ln.amount
    return totals


# ---- amounts and caps -------------------------------------------------------------------------


@SETTINGS
@given(full_worlds)
def test_amounts_never_negative(world: World) -> None:
    for ln in compute(world).lines:
        assert ln.amount >= 0 and ln.computed >= 0, ln
        assert ln.amount == ln.amount.quantize(CENT)


@SETTINGS
@given(placement_worlds)
def test_headhunting_caps(world: World) -> None:
    """Per line ≤ line cap; per institution and year, prior grants plus this run ≤ the annual cap."""
    result = compute(world)
    run_total: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for ln in result.lines:
        if ln.award == "headhunting":
            assert ln.amount <= HH.line_cap, ln
            run_total[(ln.payee_id, ln.year)] += ln.amount
    prior_total: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for p in world.priors:
        prior_total[(INSTITUTIONS[p.institution], p.day.year)] += p.amount
    for key, paid in run_total.items():
        assert paid <= max(Decimal(0), HH.annual_cap - prior_total[key]), (key, paid, prior_total[key])


@SETTINGS
@given(placement_worlds)
def test_employer_subsidy_never_above_cap(world: World) -> None:
    for ln in compute(world).lines:
        if ln.award == "employer_subsidy":
            assert ln.payee_type == "employer" and ln.amount <= ES.cap, ln


@SETTINGS
@given(placement_worlds, st.data())
def test_payee_total_never_falls_when_salary_or_fee_rises(world: World, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(world.placements) - 1), label="placement")
    what = data.draw(st.sampled_from(["salary", "fee"]), label="raised")
    rise = data.draw(st.sampled_from([CENT, Decimal(1)]) | money(1, 1_500_000), label="rise")
    before = payee_totals(compute(world))
    old = world.placements[i]
    new = replace(old, salary=old.salary + rise) if what == "salary" else replace(old, fee=old.fee + rise)
    after = payee_totals(compute(replace(world, placements=(*world.placements[:i], new,
                                                                *world.placements[i + 1:]))))
    for payee, amount in before.items():
        assert after.get(payee, Decimal(0)) >= amount, (payee, amount, after.get(payee))



ONCE_AWARDS = ("listing", "anhui_top100", "scale_up", "specialized_sme", "headhunter_settlement", "high_tech")


@SETTINGS
@given(full_worlds)
def test_one_time_awards_pay_once(world: World) -> None:
    """一次性 / 首次: per institution, one paid line per once-award, per revenue tier, per park level,
    and the ranking ladder never pays more than its highest list."""
    result = compute(world)
    paid = [ln for ln in result.lines if ln.amount > 0]
    once = [(ln.payee_id, ln.award) for ln in paid if ln.award in ONCE_AWARDS]
    assert len(once) == len(set(once)), once
    tiers = [(ln.payee_id, ln.tier) for ln in paid if ln.award == "revenue_growth"]
    assert len(tiers) == len(set(tiers)), tiers
    parks = [(ln.payee_id, ln.record_id, ln.tier) for ln in paid if ln.award == "park"]
    assert len(parks) == len(set(parks)), parks
    ranking = POLICY.awards["ranking"]
    top = max(item.amount for item in ranking.lists)  # type: ignore[union-attr]
    by_payee: dict[str, Decimal] = defaultdict(Decimal)
    for ln in paid:
        if ln.award == "ranking":
            by_payee[ln.payee_id] += ln.amount
    assert all(total <= top for total in by_payee.values()), by_payee

# ---- the JSON result, through the CLI ---------------------------------------------------------


def cli_json(invoke: Invoke, path: Path, *extra: str) -> str:
    res = invoke("calculate", path, "--json", "-", "--quiet", "--lang", "en", *extra)
    assert res.exit_code == 0, res.output
    return str(res.stdout)


def flat_lines(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every line as (payee_id, payee_type, the line's JSON), in output order."""
    return [(p["payee_id"], p["payee_type"], json.dumps(line, sort_keys=True))
            for p in data["payees"] for line in p["awards"]]


@SETTINGS
@given(full_worlds)
def test_year_option_never_changes_a_years_figures(invoke: Invoke, world: World) -> None:
    with workbook(world) as path:
        full = json.loads(cli_json(invoke, path))
        for year in full["years"]:
            shown = json.loads(cli_json(invoke, path, "--year", str(year)))
            assert shown["years"] == [year]
            assert flat_lines(shown) == [x for x in flat_lines(full) if json.loads(x[2])["year"] == year]


@SETTINGS
@given(full_worlds)
def test_same_input_same_json_bytes(invoke: Invoke, world: World) -> None:
    with workbook(world) as path:
        assert cli_json(invoke, path) == cli_json(invoke, path)


@SETTINGS
@given(full_worlds, st.booleans())
def test_json_totals_are_sums_of_lines(invoke: Invoke, world: World, one_year: bool) -> None:
    with workbook(world) as path:
        data = json.loads(cli_json(invoke, path))
        if one_year and data["years"]:
            data = json.loads(cli_json(invoke, path, "--year", str(data["years"][-1])))
    by_award: dict[str, Decimal] = {award: Decimal(0) for award in POLICY.awards}
    grand = Decimal(0)
    for payee in data["payees"]:
        amounts = [Decimal(line["amount"]) for line in payee["awards"]]
        assert Decimal(payee["total"]) == sum(amounts, Decimal(0))
        for line in payee["awards"]:
            by_award[line["award"]] += Decimal(line["amount"])
        grand += sum(amounts, Decimal(0))
    assert data["by_award"] == {award: f"{amount:.2f}" for award, amount in by_award.items()}
    assert data["total"] == f"{grand:.2f}"
    money_strings = [data["total"], *data["by_award"].values(), *(p["total"] for p in data["payees"])]
    assert all(s.count(".") == 1 and len(s.split(".")[1]) == 2 for s in money_strings)
