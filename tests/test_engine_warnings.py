"""Data the engine cannot use as given is never dropped silently: each case warns at its row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hrcalc import api
from hrcalc.result import Result
from tests.builders import build_input, code


def _warnings(result: Result) -> list[str]:
    return [i.message.render("en") for i in result.issues if i.severity == "warning"]


def test_approved_amount_on_a_fixed_award_is_reported_not_used(tmp_path: Path) -> None:
    path = build_input(tmp_path / "in.xlsx", recognitions=[
        {"credit_code": code(1), "kind": "high_tech", "date": date(2025, 3, 1), "approved_amount": 50_000},
    ])
    result = api.run(path, today=date(2026, 1, 1))
    (line,) = result.lines
    assert str(line.amount) == "100000.00"
    assert any("approved amount 50,000.00 is not used" in w for w in _warnings(result))


def test_prior_revenue_award_without_tier_warns(tmp_path: Path) -> None:
    path = build_input(tmp_path / "in.xlsx", prior_awards=[
        {"payee_id": code(1), "award": "revenue_growth", "tier": None, "record_id": "2024", "amount": 100_000,
         "date": date(2024, 12, 31)},
    ])
    result = api.run(path, today=date(2026, 1, 1))
    found = [i for i in result.issues if i.severity == "warning" and i.field == "tier"]
    assert len(found) == 1 and found[0].row == 2
    assert "closes no tier" in found[0].message.render("en")


def test_prior_park_award_without_tier_blocks_the_park_and_warns(tmp_path: Path) -> None:
    path = build_input(tmp_path / "in.xlsx", parks=[
        {"park_id": "YQ-9", "district": "高新区", "level": "national_park", "date": date(2025, 3, 1)},
    ], prior_awards=[
        {"payee_id": "高新区", "award": "park", "tier": None, "record_id": "YQ-9", "amount": 2_000_000,
         "date": date(2024, 9, 1)},
    ])
    result = api.run(path, today=date(2026, 1, 1))
    (line,) = result.lines
    assert str(line.amount) == "0.00"
    assert any("every level of that park" in w for w in _warnings(result))
