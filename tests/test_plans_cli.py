"""Plans over time and `compare` through the real CLI: repeated --policy, the JSON keys `policies` and
each line's `policy`, an exported policy file kept as an asset, per-run names, `policy diff`,
`policy show` with a timeline, and `compare` (examples.md C1; contract.md hrcalc.compare.v1)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from hrcalc import api
from hrcalc.policy import bundled_policy_path, load_policy, policy_sha256
from hrcalc.policy.model import parse_policy
from hrcalc.policy.timeline import load_timeline
from hrcalc.render import jsonout
from tests.builders import EMPLOYER, build_input, code
from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "hefei-hr-2025.xlsx"
DATA = Path(__file__).parent / "data"
SUCCESSOR = DATA / "fictional-successor-2026.toml"
EXPORTED = DATA / "exported-hefei-2024.toml"
"""A `policy export` of the bundled plan as it was before dated values and timelines, kept unchanged."""
BOUNDARY = "2026-07-01"


def _json(invoke: Invoke, *args: str | Path) -> dict[str, Any]:
    result = invoke(*args, "--json", "-", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _lines(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**ln, "payee_id": p["payee_id"]} for p in doc["payees"] for ln in p["awards"]]


def test_exported_policy_file_computes_the_same_json(invoke: Invoke) -> None:
    """The kept export predates dated values, timelines and the Chinese rulings (ruling_zh): it loads
    unchanged and computes the bundled plan's JSON byte for byte, but for the hash of its own text."""
    bundled = invoke("calculate", SAMPLE, "--json", "-", "-q")
    kept = invoke("calculate", SAMPLE, "--policy", EXPORTED, "--json", "-", "-q")
    assert bundled.exit_code == kept.exit_code == 0
    kept_hash = policy_sha256(load_policy(EXPORTED))
    assert json.loads(kept.stdout)["policies"][0]["sha256"] == kept_hash
    # the digest covers the plans' hashes (hrcalc.ledger): it differs with them, and only it
    kept_doc, bundled_doc = json.loads(kept.stdout), json.loads(bundled.stdout)
    text = kept.stdout.replace(kept_hash, policy_sha256(load_policy()))
    assert text.replace(kept_doc.get("digest", ""), bundled_doc.get("digest", "")) == bundled.stdout
    again = invoke("calculate", SAMPLE, "--policy", EXPORTED, "--json", "-", "-q")
    assert again.stdout == kept.stdout


def test_json_names_every_plan_and_each_lines_plan(invoke: Invoke) -> None:
    doc = _json(invoke, "calculate", SAMPLE, "--policy", bundled_policy_path(), "--policy", SUCCESSOR)
    assert [p["id"] for p in doc["policies"]] == ["hefei-hr-services-2024", "fictional-successor-2026"]
    assert doc["policy"]["id"] == "fictional-successor-2026"  # the latest
    assert doc["policies"][1]["sha256"] == policy_sha256(load_policy(SUCCESSOR))
    lines = _lines(doc)
    assert lines and all(ln["policy"] == ("fictional-successor-2026" if ln["date"] >= BOUNDARY
                                          else "hefei-hr-services-2024") for ln in lines)
    assert any(ln["date"] >= BOUNDARY for ln in lines)  # the sample has events after the boundary


def test_sample_under_two_plans_pays_nothing_twice(invoke: Invoke) -> None:
    one = _json(invoke, "calculate", SAMPLE)
    two = _json(invoke, "calculate", SAMPLE, "--policy", bundled_policy_path(), "--policy", SUCCESSOR)
    before = [ln for ln in _lines(two) if ln["date"] < BOUNDARY]
    assert before == [ln | {"policy": "hefei-hr-services-2024"} for ln in _lines(one)]  # the 2024 part as alone
    paid: dict[tuple[str, str, str, str | None], int] = {}
    for ln in _lines(two):
        if Decimal(ln["amount"]) > 0:
            key = (ln["payee_id"], ln["award"], ln["record_id"], ln["tier"])  # a park upgrade: a new level
            paid[key] = paid.get(key, 0) + 1
    assert max(paid.values()) == 1
    assert Decimal(two["total"]) == sum(Decimal(ln["amount"]) for ln in _lines(two))


def test_overlapping_plans_are_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    early = tmp_path / "early.toml"
    early.write_text(SUCCESSOR.read_text(encoding="utf-8").replace("effective_from = 2026-07-01",
                                                                    "effective_from = 2026-05-01"), encoding="utf-8")
    result = invoke("calculate", SAMPLE, "--policy", bundled_policy_path(), "--policy", early, "--lang", "en")
    assert result.exit_code == 2
    for word in ("hefei-hr-services-2024", "fictional-successor-2026", "2026-05-01 to 2026-06-30"):
        assert word in result.stderr
    assert "Traceback" not in result.stderr


def test_two_runs_with_different_plans_in_one_process(tmp_path: Path) -> None:
    """Names come from each run's plans: a later run with other names changes nothing in an earlier one."""
    path = build_input(tmp_path / "in.xlsx", placements=[{"placement_id": "P1"},
                                                         {"placement_id": "P2", "placement_date": date(2027, 1, 1)}])
    renamed = parse_policy(bundled_policy_path().read_text(encoding="utf-8")
                           .replace('name_zh = "猎头引才奖励"', 'name_zh = "甲方案猎头奖"'), "renamed")
    first = api.run(path, policy=renamed)
    alone = jsonout.render(first, "zh")
    second = api.run(path)
    assert jsonout.render(first, "zh") == alone
    assert "甲方案猎头奖" in alone and "甲方案猎头奖" not in jsonout.render(second, "zh")
    assert first.award_name("headhunting") == "甲方案猎头奖" and second.award_name("headhunting") == "猎头引才奖励"


def test_policy_diff_in_words(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("policy", "diff", bundled_policy_path(), SUCCESSOR, "--lang", "en")
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    for words in ("awards.headhunting.annual_cap): 2000000 → 3000000",
                  "awards.ranking.lists.china_top500.amount): 800000 → 1000000",
                  "effective_to: 2026-06-30 → 2028-06-30", "Added continues: hefei-hr-services-2024"):
        assert words in out
    assert invoke("policy", "export", tmp_path / "mine.toml").exit_code == 0
    same = invoke("policy", "diff", bundled_policy_path(), tmp_path / "mine.toml", "--lang", "en")
    assert same.exit_code == 0 and "same rules" in same.stdout
    older = invoke("policy", "diff", EXPORTED, bundled_policy_path(), "--lang", "en")
    assert "validity.ruling_zh: (empty) → " in older.stdout  # the kept export predates ruling_zh


def test_policy_show_with_several_plans_shows_the_timeline(invoke: Invoke) -> None:
    result = invoke("policy", "show", "--policy", bundled_policy_path(), "--policy", SUCCESSOR, "--lang", "en")
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Timeline of plans" in out
    assert "From 2026-07-01: hefei-hr-services-2024 → fictional-successor-2026" in out
    assert "annual_cap): 2000000 → 3000000" in out


def test_set_replaces_a_dated_value_and_is_checked_like_the_file() -> None:
    tl, changes = load_timeline(None, ["awards.revenue_growth.tiers.1.high_band=350000"])
    assert tl.latest.awards["revenue_growth"].tiers[1].high_band == 350_000  # type: ignore[union-attr]
    assert [(c.key, c.old, c.new) for c in changes] == [("awards.revenue_growth.tiers.1.high_band", "300000",
                                                         "350000")]
    assert policy_sha256(tl.latest) != policy_sha256(load_policy())


# ---- compare ---------------------------------------------------------------------------------------
OTHER_EMPLOYER = code(900)


def c1(path: Path) -> Path:
    """examples.md C1: H1 + H11 + H12, H11 and H12 with different employers."""
    base = {"key_enterprise": "是", "from_outside_city": "是", "placement_date": date(2025, 4, 1)}
    return build_input(path, placements=[
        {**base, "placement_id": "H1", "annual_salary": 800_000, "headhunting_fee": 200_000},
        {**base, "placement_id": "H11", "annual_salary": 600_000, "headhunting_fee": 150_000, "urgent_need": "是",
         "employer_credit_code": EMPLOYER},
        {**base, "placement_id": "H12", "key_enterprise": "否", "annual_salary": 500_000,
         "headhunting_fee": 500_000, "urgent_need": "是", "employer_credit_code": OTHER_EMPLOYER},
    ])


def test_c1_compare_employer_subsidy_cap(invoke: Invoke, tmp_path: Path) -> None:
    doc = _json(invoke, "compare", c1(tmp_path / "c1.xlsx"), "--set", "awards.employer_subsidy.cap=250000")
    assert doc["schema"] == "hrcalc.compare.v1"
    assert doc["by_award"]["employer_subsidy"] == {"base": "275000.00", "alternative": "325000.00",
                                                   "difference": "50000.00"}
    assert (doc["gainers"], doc["losers"]) == (1, 0)
    assert doc["alternative"]["set"] == [{"policy": "hefei-hr-services-2024", "key": "awards.employer_subsidy.cap",
                                          "old": "200000", "new": "250000"}]
    assert [p["payee_id"] for p in doc["largest"]] == [OTHER_EMPLOYER]
    assert doc["by_district"]["—"]["difference"] == "50000.00"


def test_compare_base_equals_calculate_to_the_fen(invoke: Invoke, tmp_path: Path) -> None:
    calc = _json(invoke, "calculate", SAMPLE)
    out = tmp_path / "cmp.xlsx"
    doc = _json(invoke, "compare", SAMPLE, "--set", "awards.headhunting.annual_cap=3000000", "-o", out)
    assert doc["total"]["base"] == calc["total"]
    assert {k: v["base"] for k, v in doc["by_award"].items()} == calc["by_award"]
    assert {p["payee_id"]: p["base"] for p in doc["payees"]} == {p["payee_id"]: p["total"] for p in calc["payees"]}
    gainers = [p for p in doc["payees"] if Decimal(p["difference"]) > 0]
    assert len(gainers) == doc["gainers"] >= 1 and doc["losers"] == 0
    assert Decimal(doc["total"]["difference"]) == sum(Decimal(p["difference"]) for p in gainers)
    wb = load_workbook(out)
    assert len(wb.sheetnames) == 5
    summary = wb.worksheets[0]
    assert len(summary._charts) == 1
    rows = list(summary.iter_rows(values_only=True))
    hh = next(r for r in rows if r[1] == "headhunting")
    assert Decimal(str(hh[2])) == Decimal(calc["by_award"]["headhunting"])


@pytest.mark.parametrize(("args", "words"), [
    (["--set", "awards.headhunting.no_such_key=1"], "no_such_key"),
    (["--set", "awards.headhunting.annual_cap=-5"], "greater than or equal to 0"),
    (["--set", "nobody:awards.headhunting.annual_cap=1"], "no plan 'nobody'"),
    ([], "--against"),
])
def test_compare_usage_errors(invoke: Invoke, args: list[str], words: str) -> None:
    result = invoke("compare", SAMPLE, *args, "--lang", "en")
    assert result.exit_code == 2
    assert words in result.stderr and "Traceback" not in result.stderr


def test_compare_against_a_successor_file(invoke: Invoke) -> None:
    doc = _json(invoke, "compare", SAMPLE, "--against", bundled_policy_path(), "--against", SUCCESSOR)
    assert doc["base"]["policies"] == ["hefei-hr-services-2024"]
    assert doc["alternative"]["policies"] == ["hefei-hr-services-2024", "fictional-successor-2026"]
    assert Decimal(doc["total"]["difference"]) >= 0


def test_compare_outputs_are_claimed_before_the_work(invoke: Invoke, tmp_path: Path) -> None:
    """As calculate's: an existing file needs --force, one path for both outputs is refused, nothing is left."""
    existing = tmp_path / "old.json"
    existing.write_text("kept", encoding="utf-8")
    refused = invoke("compare", SAMPLE, "--set", "awards.headhunting.annual_cap=3000000", "--json", existing,
                     "--lang", "en")
    assert refused.exit_code == 2 and existing.read_text(encoding="utf-8") == "kept"
    same = invoke("compare", SAMPLE, "--set", "awards.headhunting.annual_cap=3000000", "--json",
                  tmp_path / "x.xlsx", "-o", tmp_path / "x.xlsx", "--lang", "en")
    assert same.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json"]
    forced = invoke("compare", SAMPLE, "--set", "awards.headhunting.annual_cap=3000000", "--json", existing,
                    "--force", "--lang", "en")
    assert forced.exit_code == 0, forced.stderr
    assert json.loads(existing.read_text(encoding="utf-8"))["schema"] == "hrcalc.compare.v1"


def test_explain_names_each_lines_plan_in_a_timeline(invoke: Invoke) -> None:
    args = ("explain", SAMPLE, "91340103386811253X", "--lang", "en")
    two = invoke(*args, "--policy", bundled_policy_path(), "--policy", SUCCESSOR)
    assert two.exit_code == 0, two.stderr
    out = " ".join(two.stdout.split())
    assert "Plan: fictional-successor-2026" in out and "Plan: hefei-hr-services-2024" in out
    assert "Annual per-institution cap 3,000,000.00" in out  # the successor's cap on its line
    one = invoke(*args)
    assert "Plan:" not in one.stdout


def test_compare_year_shows_one_year_as_calculate_does(invoke: Invoke) -> None:
    calc = _json(invoke, "calculate", SAMPLE, "--year", "2025")
    doc = _json(invoke, "compare", SAMPLE, "--set", "awards.headhunting.annual_cap=3000000", "--year", "2025")
    assert list(doc["by_year"]) == ["2025"] and doc["years"] == [2025]
    assert doc["total"]["base"] == calc["total"]


def test_compare_with_a_ledger_sees_its_grants_on_both_sides(invoke: Invoke, tmp_path: Path) -> None:
    """After the sample's run is committed, both sides see its grants: what was granted pays nothing again."""
    db, first = tmp_path / "l.db", tmp_path / "first.json"
    assert invoke("calculate", SAMPLE, "--ledger", db, "--json", first, "-q").exit_code == 0
    committed = invoke("ledger", "commit", first, "--ledger", db, "--by", "test")
    assert committed.exit_code == 0, committed.stderr
    doc = _json(invoke, "compare", SAMPLE, "--set", "awards.headhunting.annual_cap=3000000", "--ledger", db)
    again = _json(invoke, "calculate", SAMPLE, "--ledger", db)
    assert doc["total"]["base"] == again["total"]
    assert Decimal(doc["total"]["base"]) < Decimal(json.loads(first.read_text(encoding="utf-8"))["total"])
