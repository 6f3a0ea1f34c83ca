"""`hrcalc explain` through the real CLI: the annual cap and what it cut, ineligible records with
their values, districts, unknown payees, and JSON that is deterministic and carries the engine's steps.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hrcalc import api
from hrcalc.result import Result
from tests.builders import EMPLOYER, build_input, code
from tests.conftest import Invoke

INST = code(1)
SALARY_1M = 1_200_000


def _placement(pid: str, fee: int, day: date, *, salary: int = SALARY_1M, key: str = "是", outside: str = "是",
               cls: str | None = None) -> dict[str, object]:
    return {"placement_id": pid, "credit_code": INST, "annual_salary": salary, "headhunting_fee": fee,
            "placement_date": day, "key_enterprise": key, "from_outside_city": outside, "talent_class": cls}


# 800,000 + 900,000 fill 1,700,000 of the 2,000,000 annual cap; P-0003 (600,000) keeps 300,000,
# P-0004 (60,000) keeps nothing. P-2024 is another year, so the cap there is untouched.
CAPPED = [
    _placement("P-0001", 1_600_000, date(2025, 3, 1)),
    _placement("P-0002", 1_800_000, date(2025, 5, 1)),
    _placement("P-0003", 1_200_000, date(2025, 9, 1)),
    _placement("P-0004", 150_000, date(2025, 11, 15), salary=600_000),
    _placement("P-2024", 100_000, date(2024, 10, 1), salary=600_000),
]


NAME = "合肥第1人力资源服务有限公司"
INSTITUTIONS = [{"credit_code": INST, "name": NAME}]


@pytest.fixture()
def capped(tmp_path: Path) -> Path:
    return build_input(tmp_path / "capped.xlsx", institutions=INSTITUTIONS, placements=CAPPED)


def _ok(result: Any) -> str:
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return str(result.stdout)


CAP_ZH = (
    NAME + "（" + INST + "）· 机构",
    "2025年 · 合计 2,000,000.00",
    "猎头引才奖励（headhunting）· 条款 二(一)1 · 小计 2,000,000.00",
    "每家机构每年享受奖励总额不超过200万元",  # the plan's words
    "每家机构每年上限 2,000,000.00 核减了 2 笔，共 360,000.00：P-0003 核减 300,000.00；P-0004 核减 60,000.00",
    "P-0003 · 2025-09-01 · 100万元档 · 应发 300,000.00（计算 600,000.00）",
    "条件：重点企业：是；年税前薪酬 1,200,000.00 ≥ 1,000,000.00 → 50%",
    "计算金额：1,200,000.00 × 50% = 600,000.00",
    "单笔上限 1,000,000.00：600,000.00 未超限",
    "每家机构每年上限 2,000,000.00，本年度已享受 1,700,000.00，尚余 300,000.00：600,000.00 → 300,000.00",
    "说明：2025年度累计已达上限 2,000,000.00，核减 300,000.00",
    "P-0004 · 2025-11-15 · 50万元档 · 应发 0.00（计算 60,000.00）",
    "每家机构每年上限 2,000,000.00，本年度已享受 2,000,000.00，尚余 0.00：60,000.00 → 0.00",
    "说明：2025年度累计已达上限 2,000,000.00，核减 60,000.00",
    "来源：placements 第 4 行",
)
CAP_EN = (
    NAME + " (" + INST + ") · institution",
    "2025 · total 2,000,000.00",
    "Headhunting reward (headhunting) · clause 二(一)1 · subtotal 2,000,000.00",
    "The annual cap of 2,000,000.00 cut 2 line(s) by 360,000.00 in all: P-0003 cut by 300,000.00; "
    "P-0004 cut by 60,000.00",
    "P-0003 · 2025-09-01 · salary_1m · pays 300,000.00 (computed 600,000.00)",
    "Test: Key enterprise: yes; annual salary 1,200,000.00 ≥ 1,000,000.00 → 50%",
    "Annual per-institution cap 2,000,000.00, 1,700,000.00 already granted this year, 300,000.00 left: "
    "600,000.00 → 300,000.00",
    "Note: Cut 300,000.00 by the 2025 annual cap of 2,000,000.00",
    "Source: placements, row 4",
)


@pytest.mark.parametrize(("lang", "fragments"), [("zh", CAP_ZH), ("en", CAP_EN)])
def test_annual_cap_shows_the_cap_what_it_cut_and_the_clause(
        invoke: Invoke, capped: Path, lang: str, fragments: tuple[str, ...]) -> None:
    out = _ok(invoke("explain", capped, INST, "--lang", lang))
    for fragment in fragments:
        assert fragment in out, fragment


def test_lines_appear_in_the_order_the_cap_is_filled(invoke: Invoke, capped: Path) -> None:
    out = _ok(invoke("explain", capped, INST))
    positions = [out.index(f"{pid} · 2025-") for pid in ("P-0001", "P-0002", "P-0003", "P-0004")]
    assert positions == sorted(positions)


def test_totals_by_year_and_award_end_the_explanation(invoke: Invoke, capped: Path) -> None:
    out = _ok(invoke("explain", capped, INST))
    totals = out[out.index("合计（按年度、奖励项目）"):]
    assert "2024" in totals and "2025" in totals
    # 2024: 40% of 100,000; 2025: the cap; both years together
    assert "40,000.00" in totals and "2,000,000.00" in totals and "2,040,000.00" in totals


def test_year_shows_only_that_year(invoke: Invoke, capped: Path) -> None:
    out = _ok(invoke("explain", capped, INST, "--year", "2024"))
    assert "2024年 · 合计 40,000.00" in out
    assert "2025年" not in out and "P-0003" not in out


BELOW = [
    # key enterprise, from outside, salary one yuan under the lowest tier, class C: no rule applies
    _placement("P-LOW", 90_000, date(2025, 4, 1), salary=299_999, cls="C"),
    _placement("P-LOCAL", 90_000, date(2025, 4, 2), outside="否"),
    _placement("P-NOKEY", 90_000, date(2025, 4, 3), key="否"),
    _placement("P-OLD", 90_000, date(2024, 5, 10)),  # before the policy window
]


@pytest.mark.parametrize(("lang", "fragments"), [
    ("zh", (
        "P-LOW · 未获奖励：年税前薪酬 299,999.00 低于最低档 300,000.00 且非 A/B 类人才",
        "条件：重点企业：是；年税前薪酬 299,999.00 < 300,000.00，未达最低档",
        "条件：人才类别：C，非 A/B 类",
        "P-LOCAL · 未获奖励：非市外引进，不符合猎头引才奖励条件",
        "P-NOKEY · 未获奖励：非重点企业且非 A/B 类人才，不符合猎头引才奖励条件",
        "P-OLD · 未获奖励：日期 2024-05-10 不在政策有效期 2024-07-01 至 2026-06-30 内，不予计算",
    )),
    ("en", (
        "P-LOW · earned nothing: Annual salary 299,999.00 is below the lowest tier 300,000.00 and the talent "
        "is not class A/B",
        "Test: Key enterprise: yes; annual salary 299,999.00 < 300,000.00, below the lowest tier",
        "Test: Talent class: C, not A or B",
        "P-LOCAL · earned nothing: Not from outside the city: no headhunting reward",
        "P-OLD · earned nothing: Date 2024-05-10 is outside the policy window 2024-07-01 to 2026-06-30",
    )),
])
def test_a_placement_below_every_threshold_says_so_with_the_values(
        invoke: Invoke, tmp_path: Path, lang: str, fragments: tuple[str, ...]) -> None:
    path = build_input(tmp_path / "below.xlsx", institutions=INSTITUTIONS, placements=BELOW)
    out = _ok(invoke("explain", path, INST, "--lang", lang))
    for fragment in fragments:
        assert fragment in out, fragment


def test_unknown_payee_exits_1_and_suggests_the_nearest(invoke: Invoke, capped: Path) -> None:
    typo = INST[:-3] + ("X" if INST[-3] != "X" else "Y") + INST[-2:]
    for query, expected in [("合肥第1人力资源", INST), (typo, INST), (NAME[:-1], NAME)]:
        result = invoke("explain", capped, query)
        assert result.exit_code == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert f"找不到受奖主体“{query}”" in result.stderr
        assert expected in result.stderr


def test_unknown_payee_with_nothing_near_counts_what_there_is(invoke: Invoke, capped: Path) -> None:
    result = invoke("explain", capped, "zzzz", "--lang", "en")
    assert result.exit_code == 1
    assert 'No payee "zzzz"' in result.stderr
    assert "1 institution(s), 1 employer(s) and 0 district(s)" in result.stderr


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize("query", [INST, INST.lower(), _fullwidth(INST), f"  {INST} ", NAME, _fullwidth(NAME)])
def test_payee_by_code_in_any_case_or_width_or_by_exact_name(invoke: Invoke, capped: Path, query: str) -> None:
    data = json.loads(_ok(invoke("explain", capped, query, "--json")))
    assert [p["payee_id"] for p in data["payees"]] == [INST]
    assert data["matched_by"] == ("name" if "合肥" in query else "credit_code")


def test_employer_by_code(invoke: Invoke, tmp_path: Path) -> None:
    path = build_input(tmp_path / "es.xlsx", placements=[
        {**_placement("P-URGENT", 100_000, date(2025, 6, 1)), "urgent_need": "是"}])
    data = json.loads(_ok(invoke("explain", path, EMPLOYER, "--json")))
    (payee,) = data["payees"]
    assert payee["payee_type"] == "employer"
    (line,) = payee["years"][0]["awards"][0]["lines"]
    assert (line["award"], line["record_id"], line["amount"]) == ("employer_subsidy", "P-URGENT", "50000.00")


DISTRICT_INSTITUTIONS = [
    {"credit_code": code(1), "name": "蜀山一号人力", "district": "蜀山区"},
    {"credit_code": code(2), "name": "蜀山二号人力", "district": "蜀山区"},
    {"credit_code": code(3), "name": "包河人力", "district": "包河区"},
]


@pytest.fixture()
def districts(tmp_path: Path) -> Path:
    return build_input(
        tmp_path / "districts.xlsx", institutions=DISTRICT_INSTITUTIONS,
        placements=[{"placement_id": "P-1", "credit_code": code(1), "headhunting_fee": 100_000}],
        parks=[{"park_id": "PK-1", "name": "蜀山人才园", "district": "蜀山区", "level": "national_park",
                "date": date(2025, 3, 1)}],
    )


def test_district_shows_its_park_lines_and_its_institutions(invoke: Invoke, districts: Path) -> None:
    out = _ok(invoke("explain", districts, "蜀山区"))
    for fragment in (
        "蜀山区 · 区域",
        "产业园建设补助（park）· 条款 二(四)16 · 小计 5,000,000.00",
        "PK-1 · 2025-03-01 · 国家级人力资源服务产业园 · 应发 5,000,000.00",
        "蜀山区 辖区机构 2 家（机构表所属区域），所选年度合计 40,000.00 元",
        "蜀山一号人力", "蜀山二号人力",
    ):
        assert fragment in out, fragment
    assert "包河人力" not in out
    data = json.loads(_ok(invoke("explain", districts, "蜀山区", "--json")))
    assert data["matched_by"] == "district"
    assert data["district"]["institution_count"] == 2
    assert [(i["credit_code"], i["lines"], i["total"]) for i in data["district"]["institutions"]] == [
        (code(1), 1, "40000.00"), (code(2), 0, "0.00")]
    assert data["payees"][0]["by_award"] == {"park": "5000000.00"}


def test_district_without_a_park_still_counts_its_institutions(invoke: Invoke, districts: Path) -> None:
    out = _ok(invoke("explain", districts, "包河区", "--lang", "en"))
    assert "No records in the years shown" in out
    assert "包河区 has 1 institution(s)" in out


def _run(path: Path) -> Result:
    return api.run(path, today=date(2026, 1, 1))


def test_json_is_deterministic_and_carries_the_engines_steps(invoke: Invoke, capped: Path) -> None:
    first = _ok(invoke("explain", capped, INST, "--json", "--lang", "en"))
    assert first == _ok(invoke("explain", capped, INST, "--json", "--lang", "en"))
    data = json.loads(first)
    assert data["schema"] == "hrcalc.explain.v1"
    (payee,) = data["payees"]
    assert payee["by_year"] == [{"year": 2024, "total": "40000.00"}, {"year": 2025, "total": "2000000.00"}]
    assert payee["by_award"] == {"headhunting": "2040000.00"}
    award = payee["years"][1]["awards"][0]
    assert award["clause"] == "二(一)1"
    assert award["annual_cap"] == "2000000.00"
    assert award["annual_cap_cuts"] == [{"record_id": "P-0003", "cut": "300000.00"},
                                        {"record_id": "P-0004", "cut": "60000.00"}]
    # the steps shown are the engine's own, word for word
    engine = {ln.record_id: [s.text.render("en") for s in ln.steps] for ln in _run(capped).lines}
    for line in award["lines"]:
        assert [s["text"] for s in line["steps"]] == engine[line["record_id"]]
    assert [ln["record_id"] for ln in award["lines"]] == ["P-0001", "P-0002", "P-0003", "P-0004"]


def test_json_lists_skipped_records_with_reason_and_steps(invoke: Invoke, tmp_path: Path) -> None:
    path = build_input(tmp_path / "below.xlsx", placements=BELOW)
    data = json.loads(_ok(invoke("explain", path, INST, "--json")))
    skipped = {s["record_id"]: s for y in data["payees"][0]["years"] for a in y["awards"] for s in a["skipped"]}
    assert set(skipped) == {"P-LOW", "P-LOCAL", "P-NOKEY", "P-OLD"}
    assert skipped["P-LOW"]["reason"] == "年税前薪酬 299,999.00 低于最低档 300,000.00 且非 A/B 类人才"
    assert [s["kind"] for s in skipped["P-LOW"]["steps"]] == ["test", "test", "test"]
    assert skipped["P-OLD"]["year"] == 2024


def test_explain_help_names_the_payee_forms(invoke: Invoke) -> None:
    out = _ok(invoke("explain", "--help", "--lang", "en"))
    assert "credit code" in out and "district" in out
    assert "统一社会信用代码" in _ok(invoke("explain", "--help")) and "区域" in _ok(invoke("explain", "--help"))
