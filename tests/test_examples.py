"""Every worked example of shared/examples.md (H1–H13, R1–R7, K1–K8), through a real workbook.

A second table, RULINGS, works the rulings.md rules the examples leave out (history, offsets,
ordering, upgrades) the same way.

Each case is a row of one table: the input records, every line the run must produce (payee,
award, record, year, amount as an exact string) and the notes and warnings the example names.
The whole list of lines is compared, so a missing line, an extra line or a wrong amount fails.

Spec: docs/examples.md (the cases) and docs/rulings.md (the rules).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hrcalc import api
from hrcalc.result import Result
from tests.builders import EMPLOYER, build_input, code, write_workbook

TODAY = date(2026, 1, 1)
INST = code(1)
"""The institution of every example (builders' default credit code)."""

Row = dict[str, object]
LineKey = tuple[str, str, str, int]  # payee_id, award, record_id, year


@dataclass(frozen=True)
class Case:
    """One worked example: input records (builders' field ids) and what the run must yield."""

    id: str
    records: dict[str, list[Row]]
    lines: dict[LineKey, str]
    """Every line of the run, keyed by (payee_id, award, record_id, year) → amount."""
    notes: dict[LineKey, tuple[str, ...]] = field(default_factory=dict)
    """Message keys that must be among that line's notes."""
    warnings: tuple[str, ...] = ()
    """Message keys of the warnings the run must raise (all of them, each as often as listed)."""
    raw: dict[str, list[list[object]]] | None = None
    """Sheets written cell for cell instead of `records`, for header spellings builders do not make."""


def pl(pid: str, salary: object, fee: object, *, key: bool = True, out: bool = True, cls: str | None = None,
       urgent: bool = False, day: date = date(2025, 3, 1), other: object = None) -> Row:
    """A placement row with the facts the examples vary."""
    row: Row = {"placement_id": pid, "annual_salary": salary, "headhunting_fee": fee,
                "key_enterprise": "是" if key else "否", "from_outside_city": "是" if out else "否",
                "talent_class": cls, "urgent_need": "是" if urgent else "否", "placement_date": day}
    if other is not None:
        row["other_policy_amount"] = other
    return row


def rev(year: int, revenue: object, prior: object = None) -> Row:
    row: Row = {"year": year, "revenue": revenue}
    if prior is not None:
        row["prior_year_revenue"] = prior
    return row


def rec(kind: str, day: date, reference: str | None = None, approved: object = None) -> Row:
    row: Row = {"kind": kind, "date": day}
    if reference is not None:
        row["reference"] = reference
    if approved is not None:
        row["approved_amount"] = approved
    return row


def hh(record_id: str, year: int = 2025) -> LineKey:
    return (INST, "headhunting", record_id, year)


def inst(award: str, record_id: str, year: int = 2025) -> LineKey:
    return (INST, award, record_id, year)


H1 = pl("P1", 800_000, 200_000, day=date(2025, 4, 1))
H7 = [pl("P1", 1_200_000, 1_600_000, day=date(2025, 3, 1)),
      pl("P2", 1_100_000, 1_800_000, day=date(2025, 5, 1)),
      pl("P3", 1_000_000, 1_200_000, day=date(2025, 9, 1))]
OUT_OF_WINDOW = ("warn.window",)

CASES: list[Case] = [
    # ---- headhunting / employer_subsidy ---------------------------------------------------
    Case("H1", {"placements": [H1]}, {hh("P1"): "80000.00"}),
    Case("H2", {"placements": [pl("P1", 300_000, 90_000)]}, {hh("P1"): "27000.00"}),
    Case("H3", {"placements": [pl("P1", "299999.99", 90_000)]}, {}),
    Case("H4", {"placements": [pl("P1", 200_000, 60_000, key=False, cls="B")]}, {hh("P1"): "30000.00"},
         notes={hh("P1"): ("note.hh.class_ruling",)}),  # the A/B ruling decides this line
    Case("H5", {"placements": [pl("P1", 2_000_000, 100_000, key=False, out=False, cls="A")]}, {}),
    Case("H6", {"placements": [pl("P1", 1_500_000, 2_400_000)]}, {hh("P1"): "1000000.00"},
         notes={hh("P1"): ("note.line_cap",)}),
    Case("H7", {"placements": H7},
         {hh("P1"): "800000.00", hh("P2"): "900000.00", hh("P3"): "300000.00"},
         notes={hh("P3"): ("note.annual_cap",)}),
    Case("H8", {"placements": H7,
                "prior_awards": [{"payee_id": INST, "award": "headhunting", "record_id": "P-2024-OLD",
                                  "amount": 500_000, "date": date(2025, 1, 15)}]},
         {hh("P1"): "800000.00", hh("P2"): "700000.00", hh("P3"): "0.00"},
         notes={hh("P2"): ("note.annual_cap",), hh("P3"): ("note.annual_cap",)}),
    Case("H9-before", {"placements": [{**H1, "placement_date": date(2024, 6, 30)}]}, {},
         warnings=OUT_OF_WINDOW),
    Case("H9-last-day", {"placements": [{**H1, "placement_date": date(2026, 6, 30)}]},
         {hh("P1", 2026): "80000.00"}),
    Case("H9-after", {"placements": [{**H1, "placement_date": date(2026, 7, 1)}]}, {},
         warnings=OUT_OF_WINDOW),
    Case("H10-50k", {"placements": [{**H1, "other_policy_amount": 50_000}]}, {hh("P1"): "30000.00"},
         notes={hh("P1"): ("note.offset",)}),
    Case("H10-100k", {"placements": [{**H1, "other_policy_amount": 100_000}]}, {hh("P1"): "0.00"},
         notes={hh("P1"): ("note.offset",)}),
    Case("H11", {"placements": [pl("P1", 600_000, 150_000, urgent=True)]},
         {hh("P1"): "60000.00", (EMPLOYER, "employer_subsidy", "P1", 2025): "75000.00"}),
    Case("H12", {"placements": [pl("P1", 500_000, 500_000, key=False, urgent=True)]},
         {(EMPLOYER, "employer_subsidy", "P1", 2025): "200000.00"},
         notes={(EMPLOYER, "employer_subsidy", "P1", 2025): ("note.award_cap",)}),
    Case("H13", {"placements": [pl("P1", 400_000, "33333.33")]}, {hh("P1"): "10000.00"}),
    # ---- revenue_growth -------------------------------------------------------------------
    # R1 and R5's first year have no 2023 figure: rulings.md makes that a warning, not an award.
    Case("R1", {"revenue": [rev(2024, 450_000_000), rev(2025, 520_000_000)]},
         {inst("revenue_growth", "2025"): "300000.00"}, warnings=("warn.rev.no_prior",)),
    Case("R2", {"revenue": [rev(2025, 230_000_000, 200_000_000)]},
         {inst("revenue_growth", "2025"): "50000.00"},
         notes={inst("revenue_growth", "2025"): ("note.rev.exact_high",)}),
    Case("R3", {"revenue": [rev(2025, 330_000_000, 300_000_000)]}, {}),
    Case("R4", {}, {inst("revenue_growth", "2025"): "300000.00"},
         raw={"机构": [["统一社会信用代码", "机构名称"], [INST, "合肥示例人力资源有限公司"]],
              "营业收入": [["统一社会信用代码", "年度", "营业收入(万元)", "上年营业收入(万元)"],
                          [INST, 2025, 52_000, 45_000]]}),
    Case("R5", {"revenue": [rev(2024, 210_000_000, 180_000_000), rev(2025, 240_000_000)]},
         {inst("revenue_growth", "2024", 2024): "100000.00", inst("revenue_growth", "2025"): "0.00"},
         notes={inst("revenue_growth", "2025"): ("note.rev.closed",)}),
    Case("R6", {"revenue": [rev(2024, 150_000_000, 100_000_000), rev(2025, 1_200_000_000)]},
         {inst("revenue_growth", "2025"): "500000.00"}),
    Case("R7", {"revenue": [rev(2025, 230_000_000)]}, {}, warnings=("warn.rev.no_prior",)),
    # ---- recognitions and parks -----------------------------------------------------------
    Case("K1", {"recognitions": [rec("china_service_top500", date(2024, 9, 1), "服务业500强2024"),
                                 rec("china_top500", date(2025, 8, 1), "中国500强2025")]},
         {inst("ranking", "服务业500强2024", 2024): "400000.00", inst("ranking", "中国500强2025"): "400000.00"},
         notes={inst("ranking", "中国500强2025"): ("note.rank.topup",)}),
    Case("K2", {"recognitions": [rec("china_top500", date(2025, 8, 1), "中国500强2025"),
                                 rec("china_service_top500", date(2025, 9, 1), "服务业500强2025")]},
         {inst("ranking", "中国500强2025"): "800000.00"}),
    Case("K3-no-approved", {"recognitions": [rec("listing", date(2025, 6, 1), "上市")]},
         {inst("listing", "上市"): "3000000.00"}, notes={inst("listing", "上市"): ("note.disc.upper_bound",)},
         warnings=("warn.disc.upper_bound",)),
    Case("K3-approved", {"recognitions": [rec("listing", date(2025, 6, 1), "上市", 1_500_000)]},
         {inst("listing", "上市"): "1500000.00"}),
    Case("K3-over-max", {"recognitions": [rec("listing", date(2025, 6, 1), "上市", 3_500_000)]},
         {inst("listing", "上市"): "3000000.00"}, notes={inst("listing", "上市"): ("note.award_cap",)},
         warnings=("warn.disc.over_max",)),
    Case("K4", {"recognitions": [rec("scale_up", date(2024, 10, 1)), rec("scale_up", date(2025, 10, 1))]},
         {inst("scale_up", "scale_up@2024-10-01", 2024): "200000.00",
          inst("scale_up", "scale_up@2025-10-01"): "0.00"},
         notes={inst("scale_up", "scale_up@2025-10-01"): ("note.already",)}),
    Case("K5", {"recognitions": [rec("national_competition", date(2025, 5, 1), "创新创业大赛A"),
                                 rec("national_competition", date(2025, 11, 1), "职业技能大赛B")]},
         {inst("competition", "创新创业大赛A"): "200000.00", inst("competition", "职业技能大赛B"): "200000.00"}),
    Case("K6", {"recognitions": [rec("headhunter_settlement", date(2025, 4, 1), "落户")]},
         {inst("headhunter_settlement", "落户"): "0.00"},
         notes={inst("headhunter_settlement", "落户"): ("note.appr.none",)}, warnings=("warn.appr.none",)),
    Case("K7", {"parks": [{"park_id": "PK-1", "district": "高新区", "level": "national_park",
                           "date": date(2025, 3, 1)}]},
         {("高新区", "park", "PK-1", 2025): "5000000.00"}),
    Case("K8", {"recognitions": [rec("anhui_service_top100", date(2025, 3, 1), "百强2025"),
                                 rec("china_service_top500", date(2025, 9, 1), "服务业500强2025")]},
         {inst("anhui_top100", "百强2025"): "200000.00", inst("ranking", "服务业500强2025"): "400000.00"}),
]


def prior(award: str, record_id: str, amount: int, day: date, tier: str | None = None,
          payee: str = INST) -> Row:
    return {"payee_id": payee, "award": award, "record_id": record_id, "amount": amount, "date": day,
            "tier": tier}


def park(park_id: str, level: str, day: date) -> Row:
    return {"park_id": park_id, "district": "高新区", "level": level, "date": day}


ES_P1 = (EMPLOYER, "employer_subsidy", "P1", 2025)

# Rulings of rulings.md that examples.md does not work through, in the same form.
RULINGS: list[Case] = [
    Case("rule-annual-cap-order-by-id",
         {"placements": [pl(p, 1_200_000, 2_000_000) for p in ("P3", "P2", "P1")]},
         {hh("P1"): "1000000.00", hh("P2"): "1000000.00", hh("P3"): "0.00"},
         notes={hh("P3"): ("note.annual_cap",)}),
    Case("rule-annual-cap-per-institution",
         {"placements": [pl("P1", 1_200_000, 2_000_000), pl("P2", 1_200_000, 2_000_000),
                         {**pl("P3", 1_200_000, 2_000_000), "credit_code": code(2)}]},
         {hh("P1"): "1000000.00", hh("P2"): "1000000.00", (code(2), "headhunting", "P3", 2025): "1000000.00"}),
    Case("rule-not-from-outside", {"placements": [pl("P1", 1_000_000, 100_000, out=False, urgent=True)]}, {}),
    Case("rule-employer-not-urgent", {"placements": [pl("P1", 600_000, 150_000)]}, {hh("P1"): "60000.00"}),
    Case("rule-employer-offset",
         {"placements": [{**pl("P1", 600_000, 150_000, urgent=True), "employer_other_policy_amount": 30_000}]},
         {hh("P1"): "60000.00", ES_P1: "45000.00"}, notes={ES_P1: ("note.offset",)}),
    Case("rule-headhunting-already-granted",
         {"placements": [pl("P1", 600_000, 150_000)],
          "prior_awards": [prior("headhunting", "P1", 60_000, date(2024, 12, 1))]},
         {hh("P1"): "0.00"}, notes={hh("P1"): ("note.already",)}),
    Case("rule-ranking-top-up-from-history",
         {"recognitions": [rec("china_top500", date(2025, 8, 1), "中国500强2025")],
          "prior_awards": [prior("ranking", "服务业500强2024", 400_000, date(2024, 8, 1), "china_service_top500")]},
         {inst("ranking", "中国500强2025"): "400000.00"},
         notes={inst("ranking", "中国500强2025"): ("note.rank.topup",)}),
    Case("rule-ranking-no-step-down",
         {"recognitions": [rec("china_top500", date(2024, 8, 1), "中国500强2024"),
                           rec("china_service_top500", date(2025, 9, 1), "服务业500强2025")]},
         {inst("ranking", "中国500强2024", 2024): "800000.00", inst("ranking", "服务业500强2025"): "0.00"},
         notes={inst("ranking", "服务业500强2025"): ("note.rank.nothing_more",)}),
    Case("rule-revenue-higher-tier-later",
         {"revenue": [rev(2024, 230_000_000, 200_000_000), rev(2025, 520_000_000)]},
         {inst("revenue_growth", "2024", 2024): "50000.00", inst("revenue_growth", "2025"): "300000.00"}),
    Case("rule-revenue-tier-closed-by-history",
         {"revenue": [rev(2025, 240_000_000, 200_000_000)],
          "prior_awards": [prior("revenue_growth", "2024", 300_000, date(2024, 12, 31), "revenue_500m")]},
         {inst("revenue_growth", "2025"): "0.00"}, notes={inst("revenue_growth", "2025"): ("note.rev.closed",)}),
    Case("rule-revenue-same-year-granted-before",
         {"revenue": [rev(2025, 240_000_000, 200_000_000)],
          "prior_awards": [prior("revenue_growth", "2025", 100_000, date(2025, 12, 31), "revenue_200m")]},
         {inst("revenue_growth", "2025"): "0.00"}, notes={inst("revenue_growth", "2025"): ("note.already",)}),
    Case("rule-revenue-zero-prior", {"revenue": [rev(2025, 230_000_000, 0)]}, {},
         warnings=("warn.rev.zero_prior",)),
    Case("rule-revenue-prior-year-before-window",
         {"revenue": [rev(2023, 200_000_000), rev(2024, 240_000_000)]},
         {inst("revenue_growth", "2024", 2024): "100000.00"}),
    Case("rule-revenue-other-policy",
         {"revenue": [{**rev(2025, 240_000_000, 200_000_000), "other_policy_amount": 30_000}]},
         {inst("revenue_growth", "2025"): "70000.00"}, notes={inst("revenue_growth", "2025"): ("note.offset",)}),
    Case("rule-listing-once",
         {"recognitions": [rec("listing", date(2024, 9, 1), "上市2024", 1_000_000),
                           rec("listing", date(2025, 9, 1), "上市2025", 2_000_000)]},
         {inst("listing", "上市2024", 2024): "1000000.00", inst("listing", "上市2025"): "0.00"},
         notes={inst("listing", "上市2025"): ("note.already",)}),
    Case("rule-sme-upper-bound", {"recognitions": [rec("specialized_sme", date(2025, 6, 1), "专精特新")]},
         {inst("specialized_sme", "专精特新"): "200000.00"}, warnings=("warn.disc.upper_bound",)),
    Case("rule-settlement-approved", {"recognitions": [rec("headhunter_settlement", date(2025, 4, 1), "落户",
                                                           666_666)]},
         {inst("headhunter_settlement", "落户"): "666666.00"}),
    Case("rule-competition-prize-granted-before",
         {"recognitions": [rec("national_competition", date(2025, 5, 1), "创新创业大赛A"),
                           rec("national_competition", date(2025, 6, 1), "职业技能大赛B")],
          "prior_awards": [prior("competition", "创新创业大赛A", 200_000, date(2024, 12, 1))]},
         {inst("competition", "创新创业大赛A"): "0.00", inst("competition", "职业技能大赛B"): "200000.00"},
         notes={inst("competition", "创新创业大赛A"): ("note.already",)}),
    Case("rule-high-tech-other-policy-higher",
         {"recognitions": [{**rec("high_tech", date(2025, 6, 1), "高新"), "other_policy_amount": 150_000}]},
         {inst("high_tech", "高新"): "0.00"}, notes={inst("high_tech", "高新"): ("note.offset",)}),
    Case("rule-anhui-first-time-only",
         {"recognitions": [rec("anhui_service_top100", date(2025, 3, 1), "百强2025")],
          "prior_awards": [prior("anhui_top100", "百强2024", 200_000, date(2024, 9, 1))]},
         {inst("anhui_top100", "百强2025"): "0.00"}, notes={inst("anhui_top100", "百强2025"): ("note.already",)}),
    Case("rule-park-upgrade-in-full",
         {"parks": [park("PK1", "provincial_park", date(2024, 9, 1)), park("PK1", "national_park", date(2025, 9, 1))]},
         {("高新区", "park", "PK1", 2024): "2000000.00", ("高新区", "park", "PK1", 2025): "5000000.00"}),
    Case("rule-park-level-once",
         {"parks": [park("PK2", "provincial_talent_market", date(2025, 2, 1))],
          "prior_awards": [prior("park", "PK2", 500_000, date(2024, 12, 1), "provincial_talent_market", "高新区")]},
         {("高新区", "park", "PK2", 2025): "0.00"}, notes={("高新区", "park", "PK2", 2025): ("note.already",)}),
]

def compute(tmp_path: Path, case: Case) -> Result:
    path = tmp_path / f"{case.id}.xlsx"
    if case.raw is not None:
        write_workbook(path, case.raw)
    else:
        kwargs: dict[str, Any] = dict(case.records)
        build_input(path, **kwargs)
    return api.run(path, today=TODAY)


def test_every_example_is_in_the_table() -> None:
    """examples.md's numbering: H1–H13, R1–R7, K1–K8, none left out."""
    wanted = {f"H{i}" for i in range(1, 14)} | {f"R{i}" for i in range(1, 8)} | {f"K{i}" for i in range(1, 9)}
    assert {c.id.split("-")[0] for c in CASES} == wanted


@pytest.mark.parametrize("case", CASES + RULINGS, ids=[c.id for c in CASES + RULINGS])
def test_worked_example(tmp_path: Path, case: Case) -> None:
    result = compute(tmp_path, case)
    assert result.complete and not [i for i in result.issues if i.severity == "error"]

    got = {(ln.payee_id, ln.award, ln.record_id, ln.year): str(ln.amount) for ln in result.lines}
    assert got == case.lines

    for key, wanted_notes in case.notes.items():
        line = next(ln for ln in result.lines if (ln.payee_id, ln.award, ln.record_id, ln.year) == key)
        note_keys = [n.key for n in line.notes]
        for note in wanted_notes:
            assert note in note_keys, (key, note_keys)

    warnings = Counter(i.message.key for i in result.issues if i.severity == "warning")
    assert warnings == Counter(case.warnings)
