"""What the awards work out once and share within a context: the date order of a year's
placements, and the year's state of the annual cap."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from hrcalc.awards.common import Grant, History, YearContext
from hrcalc.awards.headhunting import _by_date, in_date_order
from hrcalc.policy import load_policy
from hrcalc.read import read_workbook
from tests.builders import build_input


def test_a_years_placements_are_sorted_once_and_only_as_themselves(tmp_path: Path) -> None:
    policy = load_policy()
    path = build_input(tmp_path / "in.xlsx", placements=[
        {"placement_id": f"P-{i}", "placement_date": date(2025, 1 + i % 3, 1)} for i in (5, 1, 4, 2, 3)])
    placements = read_workbook(path, policy).placements
    ctx = YearContext(policy, History().view({}, policy.id, 0), 2025)
    first = in_date_order(ctx, placements)
    assert [p.placement_id for p in first] == [p.placement_id for p in _by_date(placements)] == [
        "P-3", "P-1", "P-4", "P-2", "P-5"]
    assert in_date_order(ctx, placements) is first  # the second award of the year reuses the sort
    other = list(reversed(placements))
    assert in_date_order(ctx, other) == first and in_date_order(ctx, other) is not first
    fewer = placements[:2]
    assert [p.placement_id for p in in_date_order(ctx, fewer)] == ["P-1", "P-5"]


def test_year_state_answers_year_total_and_year_spans_others() -> None:
    history = History()
    for amount, unit, year in ((Decimal("100.50"), 0, 2025), (Decimal("20"), 0, 2025), (Decimal("7"), 1, 2025),
                               (Decimal("3"), 0, 2024)):
        history.add("hh", Grant("headhunting", "A", None, f"R{amount}", amount, year, unit=unit))
    history.add("hh", Grant("headhunting", "B", None, None, Decimal("1"), 2025, unit=0))
    for unit in (0, 1, 2):
        view = history.view({"headhunting": "hh"}, "plan", unit)
        for payee in ("A", "B", "C"):
            for year in (2024, 2025, 2026):
                assert view.year_state("headhunting", payee, year) == (
                    view.year_total("headhunting", payee, year), view.year_spans_others("headhunting", payee, year))
    view = history.view({"headhunting": "hh"}, "plan", 0)
    assert view.year_state("headhunting", "A", 2025) == (Decimal("127.50"), True)
    assert view.year_state("headhunting", "B", 2025) == (Decimal("1"), False)
    assert view.year_state("headhunting", "C", 2025) == (Decimal(0), False)
    assert view.record_grant("headhunting", "A", "R20") is not None
    assert view.record_grant("headhunting", "B", "") is None  # a grant without a record is no record's
