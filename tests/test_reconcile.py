"""Claims (申报) against the computation: every kind of difference, in JSON and in the terminal,
on a hand-built workbook and on the bundled sample.

Spec: docs/rulings.md#reconciling-claims and docs/json.md (the reconciliation keys).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrcalc.read.schema import fold
from hrcalc.reconcile import plain_fold
from hrcalc.render import recon
from tests.builders import build_input, code
from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "hefei-hr-2025.xlsx"

CAPPED, LOCAL, GRANTED, BIG, OFFSET, PRIZES = (code(n) for n in range(1, 7))
INSTITUTIONS = [{"credit_code": c, "name": f"机构{i}"} for i, c in enumerate(
    (CAPPED, LOCAL, GRANTED, BIG, OFFSET, PRIZES), 1)]


def _pl(pid: str, inst: str, fee: int, day: date, *, salary: int = 1_200_000, outside: str = "是",
        other: int | None = None) -> dict[str, object]:
    row: dict[str, object] = {"placement_id": pid, "credit_code": inst, "annual_salary": salary,
                              "headhunting_fee": fee, "placement_date": day, "from_outside_city": outside}
    if other is not None:
        row["other_policy_amount"] = other
    return row


PLACEMENTS = [
    # CAPPED: 800,000 + 900,000, then 600,000 cut to 300,000 by the 2,000,000 annual cap, then 0
    _pl("P-0001", CAPPED, 1_600_000, date(2025, 3, 1)),
    _pl("P-0002", CAPPED, 1_800_000, date(2025, 5, 1)),
    _pl("P-0003", CAPPED, 1_200_000, date(2025, 9, 1)),
    _pl("P-0004", CAPPED, 150_000, date(2025, 11, 15), salary=600_000),
    _pl("P-LOCAL", LOCAL, 100_000, date(2025, 4, 1), outside="否"),  # not from outside: no line
    _pl("P-BIG", BIG, 2_200_000, date(2025, 4, 1)),  # 1,100,000 cut to the 1,000,000 per-line cap
    _pl("P-OFF", OFFSET, 100_000, date(2025, 4, 1), salary=600_000, other=20_000),  # 40,000 − 20,000
]
RECOGNITIONS = [
    {"credit_code": GRANTED, "kind": "high_tech", "date": date(2025, 3, 1), "reference": "皖高企〔2025〕1号"},
    {"credit_code": PRIZES, "kind": "national_competition", "date": date(2025, 3, 1), "reference": "大赛一等奖"},
    {"credit_code": PRIZES, "kind": "national_competition", "date": date(2025, 6, 1), "reference": "大赛金奖"},
]
PRIOR = [{"payee_id": GRANTED, "award": "高新技术企业认定奖励", "record_id": "皖高企〔2024〕9号",
          "amount": 100_000, "date": date(2024, 12, 1)}]


@dataclass(frozen=True)
class Expect:
    """One reconciliation row: the claim (or None for an unclaimed award) and what it must reconcile to."""

    payee_id: str
    award: str
    record_id: str | None
    year: int
    claimed: str
    computed: str
    difference: str
    status: str
    kind: str
    reason_zh: str
    claim: int | None = None  # the claimed amount written in the claims sheet; None: no claim row


CASES = [
    Expect(CAPPED, "headhunting", "P-0001", 2025, "800000.00", "800000.00", "0.00", "match", "match",
           "一致", 800_000),
    Expect(CAPPED, "headhunting", "P-0002", 2025, "0.00", "900000.00", "-900000.00", "unclaimed", "unclaimed",
           "已计算 900,000.00，无人申报"),
    Expect(CAPPED, "headhunting", "P-0003", 2025, "600000.00", "300000.00", "300000.00", "over", "annual_cap",
           "多报 300,000.00（年度上限）：2025年度累计已达上限 2,000,000.00，核减 300,000.00", 600_000),
    Expect(CAPPED, "headhunting", "P-9999", 2025, "50000.00", "0.00", "50000.00", "over", "no_record",
           "无此记录：没有" + CAPPED + "在 2025 年度的猎头引才奖励记录 P-9999", 50_000),
    Expect(LOCAL, "headhunting", "P-LOCAL", 2025, "30000.00", "0.00", "30000.00", "over", "not_eligible",
           "不符合条件：非市外引进，不符合猎头引才奖励条件", 30_000),
    Expect(GRANTED, "high_tech", None, 2025, "100000.00", "0.00", "100000.00", "over", "already_granted",
           "多报 100,000.00（已兑现）：已兑现（历史兑现表第 2 行，2024年，100,000.00），不再重复奖励", 100_000),
    Expect(BIG, "headhunting", "P-BIG", 2025, "1100000.00", "1000000.00", "100000.00", "over", "line_cap",
           "多报 100,000.00（单笔上限）：超过单笔上限 1,000,000.00，核减 100,000.00", 1_100_000),
    Expect(OFFSET, "headhunting", "P-OFF", 2025, "40000.00", "20000.00", "20000.00", "over", "offset",
           "多报 20,000.00（其他政策抵减）：已享受其他政策 20,000.00，就高不重复，核减 20,000.00", 40_000),
    Expect(PRIZES, "competition", None, 2025, "200000.00", "400000.00", "-200000.00", "under", "under",
           "少报 200,000.00：计算 400,000.00（大赛一等奖, 大赛金奖）", 200_000),
]
CLAIMS = [{"payee_id": c.payee_id, "award": c.award, "record_id": c.record_id, "year": c.year,
           "claimed_amount": c.claim} for c in CASES if c.claim is not None]


@pytest.fixture(scope="module")
def claims_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("recon") / "claims.xlsx"
    return build_input(path, institutions=INSTITUTIONS, placements=PLACEMENTS, recognitions=RECOGNITIONS,
                       prior_awards=PRIOR, claims=CLAIMS)


def _json(invoke: Invoke, path: Path, *args: str) -> dict[str, Any]:
    result = invoke("calculate", path, "--json", "-", *args)
    assert result.exit_code == 0, result.stdout + result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _rows(data: dict[str, Any]) -> dict[tuple[str, str, str | None, int], dict[str, Any]]:
    return {(r["payee_id"], r["award"], r["record_id"], r["year"]): r for r in data["reconciliation"]}


def test_every_kind_of_difference_in_json(invoke: Invoke, claims_book: Path) -> None:
    rows = _rows(_json(invoke, claims_book))
    # one row per claim, one per unclaimed award with an amount: P-0004 pays 0, so it has none
    assert set(rows) == {(c.payee_id, c.award, c.record_id, c.year) for c in CASES}
    for c in CASES:
        row = rows[(c.payee_id, c.award, c.record_id, c.year)]
        got = (row["claimed"], row["computed"], row["difference"], row["status"], row["kind"])
        assert got == (c.claimed, c.computed, c.difference, c.status, c.kind), c
        assert row["reason"].startswith(c.reason_zh), (row["reason"], c.reason_zh)


def test_json_rows_carry_contract_keys_first_and_where_the_claim_is(invoke: Invoke, claims_book: Path) -> None:
    data = _json(invoke, claims_book, "--lang", "en")
    first = data["reconciliation"][0]
    assert list(first)[:8] == ["payee_id", "award", "record_id", "year", "claimed", "computed", "difference",
                               "reason"]
    rows = _rows(data)
    capped = rows[(CAPPED, "headhunting", "P-0003", 2025)]
    assert capped["reason"] == ("Over-claimed by 300,000.00 (annual cap): Cut 300,000.00 by the 2025 annual cap "
                                "of 2,000,000.00")
    assert (capped["sheet"], capped["payee_type"], capped["name"]) == ("claims", "institution", "机构1")
    assert rows[(CAPPED, "headhunting", "P-0002", 2025)]["row"] is None  # unclaimed: no claim row
    prizes = rows[(PRIZES, "competition", None, 2025)]
    assert prizes["records"] == ["大赛一等奖", "大赛金奖"]


def test_already_granted_names_the_earlier_grant(invoke: Invoke, claims_book: Path) -> None:
    row = _rows(_json(invoke, claims_book))[(GRANTED, "high_tech", None, 2025)]
    assert "历史兑现表第 2 行，2024年，100,000.00" in row["reason"]


def test_terminal_lists_the_mismatches_only(invoke: Invoke, claims_book: Path) -> None:
    result = invoke("calculate", claims_book)
    assert result.exit_code == 0, result.stdout + result.stderr
    out = result.stdout
    assert "申报核对：申报 8 条，一致 1 条，不一致 7 条；已计算但无人申报 1 项，合计 900,000.00 元" in out
    table = out[out.index("申报与计算不一致"):]
    for fragment in ("P-0003", "+300,000.00", "年度上限", "P-9999", "无此记录", "P-LOCAL", "非市外引进",
                     "已兑现", "P-BIG", "单笔上限", "P-OFF", "就高不重复", "-200,000.00", "少报",
                     "P-0002", "未申报", "-900,000.00"):
        assert fragment in table, fragment
    assert "P-0001" not in out  # the exact match is counted, not listed


def test_terminal_in_english(invoke: Invoke, claims_book: Path) -> None:
    out = invoke("calculate", claims_book, "--lang", "en").stdout
    assert "Claims: 8 claim(s), 1 matching, 7 differing; 1 computed award(s) nobody claimed, 900,000.00 yuan" in out
    assert "Claims that differ from the computation" in out


def test_year_shows_only_that_years_rows(invoke: Invoke, tmp_path: Path) -> None:
    path = build_input(tmp_path / "years.xlsx", institutions=INSTITUTIONS[:1], placements=[
        _pl("P-24", CAPPED, 100_000, date(2024, 9, 1)), _pl("P-25", CAPPED, 100_000, date(2025, 3, 1))],
        claims=[{"payee_id": CAPPED, "award": "headhunting", "record_id": "P-24", "year": 2024,
                 "claimed_amount": 50_000}])
    every = _rows(_json(invoke, path))
    assert set(every) == {(CAPPED, "headhunting", "P-24", 2024), (CAPPED, "headhunting", "P-25", 2025)}
    assert set(_rows(_json(invoke, path, "--year", "2025"))) == {(CAPPED, "headhunting", "P-25", 2025)}
    out = invoke("calculate", path, "--year", "2025").stdout
    assert "申报 0 条" in out and "P-24" not in out


def test_claim_for_another_year_or_payee_says_where_the_record_is(invoke: Invoke, tmp_path: Path) -> None:
    path = build_input(tmp_path / "where.xlsx", institutions=INSTITUTIONS[:2], placements=[
        _pl("P-25", CAPPED, 100_000, date(2025, 3, 1))], claims=[
        {"payee_id": CAPPED, "award": "headhunting", "record_id": "P-25", "year": 2024, "claimed_amount": 1},
        {"payee_id": LOCAL, "award": "headhunting", "record_id": "P-25", "year": 2025, "claimed_amount": 1}])
    rows = _rows(_json(invoke, path, "--lang", "en"))
    assert rows[(CAPPED, "headhunting", "P-25", 2024)]["reason"] == "No such record for 2024: P-25 belongs to 2025"
    assert rows[(LOCAL, "headhunting", "P-25", 2025)]["reason"] == (
        f"No such record for {LOCAL}: P-25 is paid to {CAPPED}")
    # neither claim covers the computed line, so it is listed as unclaimed too
    assert rows[(CAPPED, "headhunting", "P-25", 2025)]["status"] == "unclaimed"


def test_without_a_claims_sheet_there_is_no_reconciliation(invoke: Invoke, tmp_path: Path) -> None:
    path = build_input(tmp_path / "none.xlsx", placements=[_pl("P-1", code(1), 100_000, date(2025, 3, 1))])
    assert "reconciliation" not in _json(invoke, path)
    assert "申报核对" not in invoke("calculate", path).stdout


def test_an_empty_claims_sheet_is_no_reconciliation(invoke: Invoke, tmp_path: Path) -> None:
    # A filled-in template keeps its empty 申报 sheet; that must not list every award as unclaimed.
    path = build_input(tmp_path / "empty.xlsx", placements=[_pl("P-1", code(1), 100_000, date(2025, 3, 1))],
                       claims=[])
    assert "reconciliation" not in _json(invoke, path)
    assert "申报核对" not in invoke("calculate", path).stdout


def test_claims_match_case_and_width_insensitively(invoke: Invoke, tmp_path: Path) -> None:
    path = build_input(tmp_path / "case.xlsx", institutions=INSTITUTIONS[:1], placements=[
        _pl("P-1", CAPPED, 100_000, date(2025, 3, 1))], claims=[
        {"payee_id": CAPPED.lower(), "award": "猎头引才奖励", "record_id": "p-1", "year": 2025,
         "claimed_amount": 50_000}])
    (row,) = _json(invoke, path)["reconciliation"]
    assert (row["status"], row["computed"]) == ("match", "50000.00")


# The bundled sample's 11 planted claims, as sample_data/README.md lists them.
SAMPLE_CLAIMS = [
    ("91340100MAP1E36F8X", "headhunting", "YC2025-0030", 2025, "80000.00", "80000.00", "match"),
    ("91340104MA92TNE5N8", "headhunting", "YC2024-0042", 2024, "1100000.00", "1000000.00", "line_cap"),
    ("91340100MAJ1GTEDCC", "headhunting", "YC2025-0071", 2025, "600000.00", "300000.00", "annual_cap"),
    ("91340102MANQC7DKDQ", "headhunting", "YC2025-0026", 2025, "31500.00", "0.00", "not_eligible"),
    ("91340111MA0EYB2RJ7", "scale_up", None, 2025, "200000.00", "0.00", "already_granted"),
    ("91340100101226366Q", "employer_subsidy", "YC2025-0059", 2025, "225000.00", "200000.00", "award_cap"),
    ("91340102MA5329MJ3P", "revenue_growth", "2025", 2025, "100000.00", "50000.00", "over"),
    ("91340100MAFFMD5QTA", "competition", None, 2025, "200000.00", "400000.00", "under"),
    ("91340104MAX42545WE", "ranking", None, 2025, "400000.00", "400000.00", "match"),
    ("高新区", "park", "YQ-002", 2025, "5000000.00", "5000000.00", "match"),
    ("91340111MAWCUYKNPE", "headhunter_settlement", None, 2024, "300000.00", "300000.00", "match"),
]


def test_sample_claims_reconcile_as_the_sample_readme_says(invoke: Invoke) -> None:
    data = _json(invoke, SAMPLE)
    claimed = [r for r in data["reconciliation"] if r["status"] != "unclaimed"]
    got = {(r["payee_id"], r["award"], r["record_id"], r["year"]): (r["claimed"], r["computed"], r["kind"])
           for r in claimed}
    assert got == {k[:4]: k[4:] for k in SAMPLE_CLAIMS}
    # every computed line with an amount is either claimed or listed as unclaimed
    paid = {(p["payee_id"], a["award"], a["record_id"], a["year"]) for p in data["payees"] for a in p["awards"]
            if a["amount"] != "0.00"}
    unclaimed = {(r["payee_id"], r["award"], r["record_id"], r["year"]) for r in data["reconciliation"]
                 if r["status"] == "unclaimed"}
    claimed_records = {(r["payee_id"], r["award"], rec, r["year"]) for r in claimed for rec in r["records"]}
    assert paid == unclaimed | (claimed_records & paid)
    assert not unclaimed & claimed_records


def test_report_has_a_reconciliation_sheet_with_the_same_rows(invoke: Invoke, claims_book: Path,
                                                              tmp_path: Path) -> None:
    from openpyxl import load_workbook

    report = tmp_path / "report.xlsx"
    result = invoke("calculate", claims_book, "-o", report, "--quiet")
    assert result.exit_code == 0, result.stdout + result.stderr
    ws = load_workbook(report, read_only=True)["核对"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))  # under the sheet's title row
    header = [str(h) for h in rows[0]]

    def col(name: str) -> int:
        return next(i for i, h in enumerate(header) if h.startswith(name))

    payee, record, year = col("受奖主体"), col("关联记录"), col("年度")
    claimed, computed, diff, reason = col("申报金额"), col("计算金额"), col("差额"), col("原因")
    got = {(r[payee], r[record], r[year]): (r[claimed], r[computed], r[diff], r[reason])
           for r in rows[1:] if r[payee] and r[year]}
    for c in CASES:
        cells = got[(c.payee_id, c.record_id, c.year)]
        assert [None if v is None else f"{v:.2f}" for v in cells[:3]] == [
            None if c.claim is None else c.claimed, c.computed, c.difference], c
        assert str(cells[3]).startswith(c.reason_zh)


def test_terminal_table_is_not_cropped(invoke: Invoke) -> None:
    from rich.cells import cell_len

    for lang in ("zh", "en"):
        out = invoke("calculate", SAMPLE, "--lang", lang).stdout
        table = out[out.index("申报与计算不一致" if lang == "zh" else "Claims that differ"):]
        # a table wider than the console loses its right edge, and with it the reason
        assert all(line.endswith(("┓", "┃", "┩", "│", "┤", "┘")) for line in table.splitlines()[1:-1])
        assert max(cell_len(line) for line in table.splitlines()) <= 160


def test_terminal_lists_the_largest_differences_and_counts_the_rest(invoke: Invoke, claims_book: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A city's run has thousands of differing claims: the terminal lists the largest, the JSON all."""
    claims = [r for r in _json(invoke, claims_book)["reconciliation"] if r["status"] in ("over", "under")]
    by_size = sorted(claims, key=lambda r: -abs(Decimal(r["difference"])))
    assert abs(Decimal(by_size[1]["difference"])) > abs(Decimal(by_size[2]["difference"]))  # a clear cut
    monkeypatch.setattr(recon, "DIFFERING_SHOWN", 2)
    out = invoke("calculate", claims_book).stdout
    table = out[out.index("申报与计算不一致"):]
    for row in by_size[:2]:
        assert f"{abs(Decimal(row['difference'])):,.2f}" in table
    for row in by_size[2:]:
        assert row["record_id"] is None or row["record_id"] not in table, row
    rest = sum(abs(Decimal(r["difference"])) for r in by_size[2:])
    more = f"以上列出差额最大的 2 条不一致申报；另有 {len(by_size) - 2} 条未列出（差额绝对值合计 {rest:,.2f} 元）"
    assert more in out
    assert f"申报 8 条，一致 1 条，不一致 {len(by_size)} 条" in out  # the count still covers every claim


def test_a_record_written_otherwise_is_still_found_where_it_is(invoke: Invoke, tmp_path: Path) -> None:
    """The record a claim names is looked for under its folded id (plain_fold): in another case,
    or full-width on either side, it still finds the line of another year."""
    path = build_input(tmp_path / "where.xlsx", institutions=INSTITUTIONS[:1], placements=[
        _pl("P-25", CAPPED, 100_000, date(2025, 3, 1)), _pl("Ｐ-26", CAPPED, 100_000, date(2025, 3, 1))], claims=[
        {"payee_id": CAPPED, "award": "headhunting", "record_id": record, "year": 2024, "claimed_amount": 1}
        for record in ("p-25", "Ｐ－２５", "p-26")])
    reasons = sorted(r["reason"] for r in _json(invoke, path, "--lang", "en")["reconciliation"] if r["year"] == 2024)
    assert reasons == [f"No such record for 2024: {record} belongs to 2025" for record in ("P-25", "p-25", "p-26")]


@given(st.text(st.characters(codec="utf-8"), max_size=12) | st.text("aB -\t\x1f\x7fＡ　é", max_size=12))
def test_plain_fold_is_fold(raw: str) -> None:
    assert plain_fold(raw) == fold(raw)
