"""Plans over time (rulings.md "Plans over time", examples.md T1–T5): a table of cases on both sides
of the 2026-06-30 / 2026-07-01 boundary, through real workbooks, plus dated values and lineage errors.

S is tests/data/fictional-successor-2026.toml (FICTIONAL: window 2026-07-01 to 2028-06-30, continues
the 2024 plan, headhunting annual cap 3,000,000, 中国服务业企业500强 500,000, 中国企业500强 1,000,000).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hrcalc import api
from hrcalc.policy import load_policy
from hrcalc.policy.model import Policy, PolicyError, parse_policy
from hrcalc.policy.timeline import Timeline
from hrcalc.result import Result
from tests.builders import build_input, code
from tests.test_properties import SETTINGS, World, full_worlds, placements, workbook

DATA = Path(__file__).parent / "data"
SUCCESSOR = DATA / "fictional-successor-2026.toml"
OLD = "hefei-hr-services-2024"
NEW = "fictional-successor-2026"
INST = code(1)
TODAY = date(2026, 12, 31)

Row = dict[str, object]
LineKey = tuple[str, str, int]  # award, record_id, year


def successor_text() -> str:
    return SUCCESSOR.read_text(encoding="utf-8")


def plans(kind: str) -> list[Policy]:
    """The plans of a case: "A+S" (S continues A), "A+S-free" (S without lineage), "A-amended" (T5)."""
    bundled = load_policy()
    if kind == "A+S":
        return [bundled, load_policy(SUCCESSOR)]
    if kind == "A+S-free":
        text = successor_text().replace(f'continues = "{OLD}"\n', "")
        assert f'continues = "{OLD}"' not in text
        return [bundled, parse_policy(text, "S-free")]
    if kind == "A-amended":
        return [amended()]
    raise KeyError(kind)


def amended() -> Policy:
    """The 2024 plan with a dated headhunting annual cap (T5): 2,000,000, then 2,500,000 from 2025-07-01."""
    from hrcalc.policy import bundled_policy_path

    text = bundled_policy_path().read_text(encoding="utf-8").replace(
        'annual_cap = "2000000"',
        'annual_cap = [{from = 2024-07-01, value = "2000000"}, '
        '{from = 2025-07-01, value = "2500000", clause = "二(一)1 (FICTIONAL amendment)"}]', 1)
    return parse_policy(text, "amended")


def pl(pid: str, day: date, fee: object = 2_000_000, salary: object = 600_000) -> Row:
    """examples.md's placement for these cases: key, out, salary 600,000 (40%), fee 2,000,000 (800,000)."""
    return {"placement_id": pid, "annual_salary": salary, "headhunting_fee": fee, "key_enterprise": "是",
            "from_outside_city": "是", "urgent_need": "否", "placement_date": day}


def rec(kind: str, day: date, reference: str) -> Row:
    return {"kind": kind, "date": day, "reference": reference}


@dataclass(frozen=True)
class Case:
    id: str
    plans: str
    records: dict[str, list[Row]]
    lines: dict[LineKey, tuple[str, str]]
    """Every line: (award, record_id, year) → (amount, plan id)."""
    notes: dict[LineKey, tuple[str, ...]] = field(default_factory=dict)


def hh(pid: str, year: int = 2026) -> LineKey:
    return ("headhunting", pid, year)


T1 = [pl("P1", date(2026, 2, 1)), pl("P2", date(2026, 5, 1)), pl("P3", date(2026, 6, 30)),
      pl("P4", date(2026, 8, 1)), pl("P5", date(2026, 10, 1))]

CASES = [
    Case("boundary-last-day-of-A", "A+S", {"placements": [pl("P1", date(2026, 6, 30), fee=200_000)]},
         {hh("P1"): ("80000.00", OLD)}),
    Case("boundary-first-day-of-S", "A+S", {"placements": [pl("P1", date(2026, 7, 1), fee=200_000)]},
         {hh("P1"): ("80000.00", NEW)}),
    Case("T1-cap-along-the-lineage", "A+S", {"placements": T1},
         {hh("P1"): ("800000.00", OLD), hh("P2"): ("800000.00", OLD), hh("P3"): ("400000.00", OLD),
          hh("P4"): ("800000.00", NEW), hh("P5"): ("200000.00", NEW)},
         notes={hh("P3"): ("note.annual_cap",), hh("P5"): ("note.annual_cap", "note.cap_across")}),
    Case("T2-no-lineage-no-shared-cap", "A+S-free", {"placements": T1},
         {hh("P1"): ("800000.00", OLD), hh("P2"): ("800000.00", OLD), hh("P3"): ("400000.00", OLD),
          hh("P4"): ("800000.00", NEW), hh("P5"): ("800000.00", NEW)}),
    Case("cap-half-in-each-part-of-the-year", "A+S",
         {"placements": [pl("P1", date(2026, 2, 1)), pl("P2", date(2026, 4, 1), fee=1_750_000),
                         pl("P3", date(2026, 8, 1)), pl("P4", date(2026, 10, 1))]},
         {hh("P1"): ("800000.00", OLD), hh("P2"): ("700000.00", OLD), hh("P3"): ("800000.00", NEW),
          hh("P4"): ("700000.00", NEW)},
         notes={hh("P4"): ("note.annual_cap", "note.cap_across")}),
    Case("T3-ranking-top-up-across-plans", "A+S",
         {"recognitions": [rec("china_service_top500", date(2025, 3, 1), "R1"),
                           rec("china_service_top500", date(2026, 9, 1), "R2"),
                           rec("china_top500", date(2027, 3, 1), "R3")]},
         {("ranking", "R1", 2025): ("400000.00", OLD), ("ranking", "R2", 2026): ("0.00", NEW),
          ("ranking", "R3", 2027): ("600000.00", NEW)},
         notes={("ranking", "R2", 2026): ("note.rank.nothing_more",), ("ranking", "R3", 2027): ("note.rank.topup",)}),
    Case("T4-revenue-tier-granted-under-A-reached-under-S", "A+S",
         {"revenue": [{"year": 2024, "revenue": 450_000_000}, {"year": 2025, "revenue": 520_000_000},
                      {"year": 2026, "revenue": 600_000_000}]},
         {("revenue_growth", "2025", 2025): ("300000.00", OLD), ("revenue_growth", "2026", 2026): ("0.00", NEW)},
         notes={("revenue_growth", "2026", 2026): ("note.rev.closed",)}),
    Case("T5-dated-amendment-mid-window", "A-amended",
         {"placements": [pl("P1", date(2025, 3, 1)), pl("P2", date(2025, 5, 1)), pl("P3", date(2025, 8, 1)),
                         pl("P4", date(2025, 10, 1))]},
         {hh("P1", 2025): ("800000.00", OLD), hh("P2", 2025): ("800000.00", OLD),
          hh("P3", 2025): ("800000.00", OLD), hh("P4", 2025): ("100000.00", OLD)},
         notes={hh("P3", 2025): ("note.dated",), hh("P4", 2025): ("note.dated", "note.cap_across")}),
    Case("once-award-with-lineage-not-again", "A+S",
         {"recognitions": [rec("scale_up", date(2025, 10, 1), "S1"), rec("scale_up", date(2026, 10, 1), "S2")]},
         {("scale_up", "S1", 2025): ("200000.00", OLD), ("scale_up", "S2", 2026): ("0.00", NEW)},
         notes={("scale_up", "S2", 2026): ("note.already",)}),
    Case("once-award-without-lineage-paid-again", "A+S-free",
         {"recognitions": [rec("scale_up", date(2025, 10, 1), "S1"), rec("scale_up", date(2026, 10, 1), "S2")]},
         {("scale_up", "S1", 2025): ("200000.00", OLD), ("scale_up", "S2", 2026): ("200000.00", NEW)}),
    Case("prior-row-of-A-closes-once-award-under-S", "A+S",
         {"recognitions": [rec("high_tech", date(2026, 9, 1), "HT2")],
          "prior_awards": [{"payee_id": INST, "award": "high_tech", "record_id": "HT1", "amount": 100_000,
                            "date": date(2025, 5, 1)}]},
         {("high_tech", "HT2", 2026): ("0.00", NEW)}),
    # rulings.md "Which plan a history row belongs to": the policy column, else the plan in force on its date
    Case("prior-row-in-force-plan-without-lineage", "A+S-free",
         {"recognitions": [rec("high_tech", date(2026, 9, 1), "HT2")],
          "prior_awards": [{"payee_id": INST, "award": "high_tech", "record_id": "HT1", "amount": 100_000,
                            "date": date(2025, 5, 1)}]},
         {("high_tech", "HT2", 2026): ("100000.00", NEW)}),
    Case("prior-row-naming-its-plan", "A+S-free",
         {"recognitions": [rec("high_tech", date(2026, 9, 1), "HT2")],
          "prior_awards": [{"payee_id": INST, "award": "high_tech", "record_id": "HT1", "amount": 100_000,
                            "date": date(2025, 5, 1), "policy": NEW}]},
         {("high_tech", "HT2", 2026): ("0.00", NEW)}),
]


def compute(tmp_path: Path, case: Case) -> Result:
    path = tmp_path / f"{case.id}.xlsx"
    kwargs: dict[str, Any] = dict(case.records)
    build_input(path, **kwargs)
    return api.run(path, policy=Timeline.of(plans(case.plans)), today=TODAY)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_plans_over_time(tmp_path: Path, case: Case) -> None:
    result = compute(tmp_path, case)
    assert result.complete
    got = {(ln.award, ln.record_id, ln.year): (str(ln.amount), ln.policy) for ln in result.lines
           if ln.payee_id == INST}
    assert got == case.lines
    for key, wanted in case.notes.items():
        line = next(ln for ln in result.lines if (ln.award, ln.record_id, ln.year) == key)
        assert set(wanted) <= {n.key for n in line.notes}, (key, [n.key for n in line.notes])


def test_t1_year_total_is_the_successors_cap(tmp_path: Path) -> None:
    result = compute(tmp_path, CASES[2])
    assert sum(ln.amount for ln in result.lines if ln.year == 2026) == 3_000_000


def test_an_event_outside_every_window_earns_nothing(tmp_path: Path) -> None:
    path = build_input(tmp_path / "in.xlsx", placements=[pl("P1", date(2028, 7, 1))])
    result = api.run(path, policy=Timeline.of(plans("A+S")), today=TODAY)
    assert result.lines == []
    assert [i.message.key for i in result.issues if i.severity == "warning"] == ["warn.window"]


def test_an_event_between_two_windows_names_each_window(tmp_path: Path) -> None:
    later = parse_policy(successor_text().replace("effective_from = 2026-07-01", "effective_from = 2027-01-01")
                         .replace("issued = 2026-07-01", "issued = 2027-01-01"), "later")
    path = build_input(tmp_path / "in.xlsx", placements=[pl("P1", date(2026, 9, 1))])
    result = api.run(path, policy=Timeline.of([load_policy(), later]), today=TODAY)
    assert result.lines == []
    (warning,) = [i for i in result.issues if i.severity == "warning"]
    assert warning.message.key == "warn.windows"
    assert "2024-07-01 to 2026-06-30; 2027-01-01 to 2028-06-30" in warning.message.render("en")


# ---- the timeline refuses what it cannot read ----------------------------------------------------
@pytest.mark.parametrize(("edit", "words"), [
    (("effective_from = 2026-07-01", "effective_from = 2026-06-01"), ["overlap", OLD, NEW, "2026-06-01 to 2026-06-30"]),
    ((f'continues = "{OLD}"', 'continues = "no-such-plan"'), ["no-such-plan", "not a plan of this run"]),
    ((f'id = "{NEW}"', f'id = "{OLD}"'), ["two plans have the id"]),
])
def test_timeline_errors(edit: tuple[str, str], words: list[str]) -> None:
    text = successor_text().replace(*edit)
    with pytest.raises(PolicyError) as exc:
        Timeline.of([load_policy(), parse_policy(text, "S")])
    for word in words:
        assert word in str(exc.value)


def test_continues_cycle_is_refused() -> None:
    a = load_policy().model_copy(update={"continues": NEW})
    with pytest.raises(PolicyError, match="cycle"):
        Timeline.of([a, load_policy(SUCCESSOR)])


@pytest.mark.parametrize(("dated", "words"), [
    ('[{from = 2024-08-01, value = "2000000"}]', "must hold from effective_from"),
    ('[{from = 2024-07-01, value = "2000000"}, {from = 2026-07-01, value = "1"}]', "outside the window"),
    ('[{from = 2024-07-01, value = "2000000"}, {from = 2025-07-01, value = "-1"}]', "annual_cap.1.value"),
    ('[{from = 2024-07-01, value = 0.3}]', "quoted decimals"),
])
def test_bad_dated_values_are_refused(dated: str, words: str) -> None:
    from hrcalc.policy import bundled_policy_path

    text = bundled_policy_path().read_text(encoding="utf-8").replace('annual_cap = "2000000"',
                                                                     f"annual_cap = {dated}", 1)
    with pytest.raises(PolicyError, match=words):
        parse_policy(text, "bad")


def test_award_continuing_another_id(tmp_path: Path) -> None:
    """An award whose id changed continues the old id: the scale_up grant under A closes it under S."""
    text = successor_text().replace("[awards.scale_up]", '[awards.scale_up_v2]\ncontinues = "scale_up"', 1)
    path = build_input(tmp_path / "in.xlsx", recognitions=[rec("scale_up", date(2025, 10, 1), "S1"),
                                                           rec("scale_up", date(2026, 10, 1), "S2")])
    result = api.run(path, policy=Timeline.of([load_policy(), parse_policy(text, "S")]), today=TODAY)
    got = {(ln.award, ln.record_id): str(ln.amount) for ln in result.lines}
    assert got == {("scale_up", "S1"): "200000.00", ("scale_up_v2", "S2"): "0.00"}
    assert result.award_name("scale_up_v2", "zh") == "升规入统奖励"


def test_the_successor_differs_from_the_2024_plan_only_where_examples_md_says() -> None:
    """examples.md's S: its window, its lineage, and three amounts; every other amount, rate and cap as 2024."""
    from decimal import Decimal, InvalidOperation

    from hrcalc.policy.diff import diff_plans

    def number(text: str | None) -> bool:
        try:
            Decimal(text or "x")
        except InvalidOperation:
            return False
        return True

    changed = {d.key for d in diff_plans(load_policy(), load_policy(SUCCESSOR))
               if d.key.startswith("awards.") and (number(d.old) or number(d.new))}
    assert changed == {"awards.headhunting.annual_cap", "awards.ranking.lists.china_top500.amount",
                       "awards.ranking.lists.china_service_top500.amount"}
    assert load_policy(SUCCESSOR).continues == OLD
    assert "FICTIONAL" in load_policy(SUCCESSOR).title and SUCCESSOR.read_text(encoding="utf-8").startswith(
        "# FICTIONAL")


# ---- a property: cutting a plan in two along its lineage changes nobody's money --------------------


def _halves(cut: date) -> list[Policy]:
    """The bundled plan as two plans meeting at `cut`, the second continuing the first."""
    first, second = load_policy().data(), load_policy().data()
    first["effective_to"] = date.fromordinal(cut.toordinal() - 1)
    second.update(id="second-half", effective_from=cut, issued=cut, continues=first["id"])
    from hrcalc.policy.model import policy_from_data

    return [policy_from_data(first, "first"), policy_from_data(second, "second")]


# Worlds where history matters across a cut: large fees (annual caps), repeated once-awards and lists.
in_window = st.dates(min_value=date(2024, 7, 1), max_value=date(2026, 6, 30))
crowded = st.builds(
    World,
    placements=st.lists(st.builds(lambda p, fee, day: p.__class__(**{**p.__dict__, "institution": 0, "key": True,
                                                                      "outside": True, "fee": fee, "day": day,
                                                                      "salary": Decimal(600_000)}),
                                  placements, st.sampled_from([Decimal(2_000_000), Decimal(1_000_000)]), in_window),
                        min_size=2, max_size=6).map(tuple),
    recognitions=st.lists(st.tuples(st.just(0), st.sampled_from(["scale_up", "high_tech", "china_service_top500",
                                                                 "china_top500"]), in_window, st.none()),
                          min_size=1, max_size=4).map(tuple),
)


@settings(SETTINGS, max_examples=30)
@given(st.one_of(full_worlds, crowded), st.dates(min_value=date(2024, 7, 2), max_value=date(2026, 6, 30)))
def test_a_plan_cut_in_two_along_its_lineage_pays_the_same(world: World, cut: date) -> None:
    """Every payee's total per award is the same under one plan as under its two halves with
    `continues`: history, once rules, tiers, top-ups and annual caps all carry across the cut."""
    def totals(result: Result) -> dict[tuple[str, str, str], Decimal]:
        out: dict[tuple[str, str, str], Decimal] = {}
        for ln in result.lines:
            key = (ln.payee_id, ln.payee_type, ln.award)
            out[key] = out.get(key, Decimal(0)) + ln.amount
        return {k: v for k, v in out.items() if v}

    with workbook(world) as path:
        one = api.run(path, today=TODAY)
        two = api.run(path, policy=Timeline.of(_halves(cut)), today=TODAY)
    assert totals(two) == totals(one)
    assert all(ln.policy == ("second-half" if ln.event_date >= cut else OLD) for ln in two.lines)
