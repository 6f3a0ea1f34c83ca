"""The workbook reader, through real .xlsx files: headers, units, values, cross-row checks, bad files."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import FrozenInstanceError, replace
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from hrcalc import read as workbook
from hrcalc.errors import InputFileError
from hrcalc.i18n import has_key
from hrcalc.limits import DEFAULT_LIMITS
from hrcalc.policy import Policy, load_policy
from hrcalc.read import (
    RawSheet,
    calamine_refusal,
    calamine_sheets,
    default_backend,
    openpyxl_sheets,
    read_sheets,
    read_workbook,
)
from hrcalc.read.backend import RawRow, RowBlocks
from hrcalc.read.schema import (
    PARK_LEVEL_ALIASES,
    PARK_LEVEL_NAMES_ZH,
    RECOGNITION_KIND_ALIASES,
    RECOGNITION_KIND_NAMES_ZH,
    SHEETS,
    fold,
)
from hrcalc.records import Issue, Placement, PriorAward, Records, Source, builder
from tests import corpus
from tests.builders import EMPLOYER, OMIT, build_input, code, defaults, write_workbook


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def read(path: Path, policy: Policy) -> Records:
    return read_workbook(path, policy)


def keys(issues: Iterable[Issue], severity: str | None = "error") -> list[str]:
    return [i.message.key for i in issues if severity is None or i.severity == severity]


def only_error(records: Records) -> Issue:
    errors = records.errors
    assert len(errors) == 1, [(e.message.key, e.row, e.column, e.value) for e in errors]
    return errors[0]


def one_cell(tmp_path: Path, policy: Policy, sheet: str, field: str, value: object) -> Records:
    """A workbook whose only interesting cell is `field` of one `sheet` row."""
    path = build_input(tmp_path / "in.xlsx", **{sheet: [{field: value}]})  # type: ignore[arg-type]
    return read(path, policy)


# ---- the happy path, in both languages -----------------------------------------------------


def full_workbook(path: Path, lang: str) -> Path:
    return build_input(
        path,
        institutions=[{"credit_code": code(1), "district": "蜀山区", "employees": 12}],
        revenue=[{"year": 2024, "revenue": 200_000_000},
                 {"year": 2025, "revenue": 260_000_000, "prior_year_revenue": 200_000_000}],
        placements=[{"talent_class": "B", "urgent_need": "是", "other_policy_amount": 5000}],
        recognitions=[{"kind": "national_competition", "reference": "全国人力资源服务大赛"}],
        parks=[{}],
        prior_awards=[{"tier": "salary_500k"}],
        claims=[{"record_id": "P-0001"}],
        lang=lang,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_sheet_reads_in_either_language(tmp_path: Path, policy: Policy, lang: str) -> None:
    records = read(full_workbook(tmp_path / "in.xlsx", lang), policy)
    assert records.errors == []
    assert keys(records.issues, None) == []
    inst = records.institutions[0]
    assert (inst.credit_code, inst.district, inst.employees) == (code(1), "蜀山区", 12)
    assert [r.year for r in records.revenue] == [2024, 2025]
    assert records.revenue[1].prior_year_revenue == Decimal(200_000_000)
    p = records.placements[0]
    assert p.placement_id == "P-0001"
    assert p.employer_credit_code == EMPLOYER
    assert (p.key_enterprise, p.from_outside_city, p.urgent_need) == (True, True, True)
    assert p.talent_class == "B"
    assert p.annual_salary == Decimal(600_000) and isinstance(p.annual_salary, Decimal)
    assert p.other_policy_amount == Decimal(5000)
    assert p.employer_other_policy_amount == Decimal(0)
    assert p.placement_date == date(2025, 3, 1)
    assert records.recognitions[0].kind == "national_competition"
    assert records.parks[0].level == "national_park"
    assert records.prior_awards[0].tier == "salary_500k"
    assert records.claims[0].record_id == "P-0001"
    assert records.claims_sheet_present
    sheet = "猎头引才" if lang == "zh" else "placements"
    assert p.source is not None and (p.source.sheet, p.source.row) == (sheet, 2)


def test_optional_columns_absent_take_their_defaults(tmp_path: Path, policy: Policy) -> None:
    records = one_cell(tmp_path, policy, "placements", "talent_class", OMIT)
    p = records.placements[0]
    assert (p.talent_class, p.urgent_need, p.other_policy_amount) == (None, False, Decimal(0))
    assert not records.claims_sheet_present


def test_headers_and_sheet_names_ignore_case_width_and_spaces(tmp_path: Path, policy: Policy) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {
        " INSTITUTIONS ": [["ＣＲＥＤＩＴ＿ＣＯＤＥ", " Name "], [code(1), "甲"]],
        "猎头引才": [
            ["引才编号", "统一社会信用代码 ", "用人单位", "用人单位信用代码", "重点企业", "市外引进",
             "年税前薪酬（万元）", "猎头服务费 (元)", "引进日期"],
            ["P1", code(1), "乙", EMPLOYER, "是", "否", 60, 100000, "2025-03-01"],
        ],
    })
    records = read(path, policy)
    assert records.errors == []
    assert records.institutions[0].name == "甲"
    assert records.placements[0].annual_salary == Decimal(600_000)
    assert records.placements[0].source is not None
    assert records.placements[0].source.sheet == "猎头引才"


def test_headers_with_line_breaks_and_required_marks(tmp_path: Path, policy: Policy) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {
        "机构": [["统一社会\n信用代码*", "＊机构名称", "从业 人员数"], [code(1), "甲", 5]],
        "营业收入": [["统一社会信用代码", "年度 *", "营业收入（万元）*"], [code(1), 2025, 3]],
    })
    records = read(path, policy)
    assert records.issues == []
    assert records.institutions[0].employees == 5
    assert records.revenue[0].revenue == Decimal(30_000)


def test_title_rows_above_the_header(tmp_path: Path, policy: Policy) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {
        "机构": [
            ["2025 年人力资源服务机构名录"],
            [None, "填报单位：某区人社局"],
            ["统一社会信用代码", "机构名称", "从业人员数"],
            [code(1), "甲", 3],
            [None, None, None],
            [code(2), "乙", "４５"],
        ],
    })
    records = read(path, policy)
    assert records.errors == []
    assert [(i.source.row if i.source else None, i.employees) for i in records.institutions] == [
        (4, 3), (6, 45)]


def test_header_after_row_ten_is_not_found(tmp_path: Path, policy: Policy) -> None:
    rows: list[list[object]] = [["说明"] for _ in range(10)]
    rows += [["credit_code", "name"], [code(1), "甲"]]
    records = read(write_workbook(tmp_path / "in.xlsx", {"institutions": rows}), policy)
    err = only_error(records)
    assert err.message.key == "read.header.not_found"
    assert "credit_code" in err.message.render("en") and "统一社会信用代码" in err.message.render("zh")
    assert records.institutions == []


def test_header_row_needs_all_required_headers(tmp_path: Path, policy: Policy) -> None:
    # row 1 has one required header only; row 2 has them all and is the header
    path = write_workbook(tmp_path / "in.xlsx", {
        "institutions": [["name"], ["credit_code", "name"], [code(1), "甲"]],
    })
    records = read(path, policy)
    assert records.errors == []
    assert len(records.institutions) == 1


# ---- units ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "cell", "expected"), [
    ("revenue", 123, "123"),
    ("revenue (yuan)", 123, "123"),
    ("营业收入(元)", 123, "123"),
    ("营业收入(万元)", 2.5, "25000"),
    ("营业收入（万元）", "1,234.5678", "12345678"),
    ("revenue (10k yuan)", 3, "30000"),
    ("Revenue (10K Yuan)", 3, "30000"),
    ("营业收入(亿元)", 2.5, "250000000"),
    ("revenue (100m yuan)", "0.00000001", "1"),
    ("营业收入（亿元）", 0.1, "10000000"),
])
def test_money_units_in_headers(tmp_path: Path, policy: Policy, header: str, cell: object,
                                expected: str) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {
        "institutions": [["credit_code", "name"], [code(1), "甲"]],
        "revenue": [["credit_code", "year", header, "上年营业收入(万元)"], [code(1), 2025, cell, 1]],
    })
    records = read(path, policy)
    assert records.errors == []
    assert records.revenue[0].revenue == Decimal(expected)
    assert records.revenue[0].prior_year_revenue == Decimal(10_000)


def test_unknown_unit_is_an_error(tmp_path: Path, policy: Policy) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {
        "institutions": [["credit_code", "name"], [code(1), "甲"]],
        "revenue": [["credit_code", "year", "营业收入(千元)"], [code(1), 2025, 5]],
    })
    records = read(path, policy)
    err = only_error(records)
    assert (err.message.key, err.column, err.row, err.field) == (
        "read.header.bad_unit", "营业收入(千元)", 1, "revenue")
    assert records.revenue == []


def test_unit_on_a_non_money_column(tmp_path: Path, policy: Policy) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {
        "institutions": [["credit_code", "name", "从业人员数(万人)"], [code(1), "甲", 1]],
    })
    assert keys(read(path, policy).issues) == ["read.header.unit_not_money"]
    path = write_workbook(tmp_path / "in2.xlsx", {
        "institutions": [["credit_code", "name", "从业人员数(人)"], [code(1), "甲", 7]],
    })
    records = read(path, policy)
    assert records.errors == [] and records.institutions[0].employees == 7


# ---- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "expected"), [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("yes", True), ("No", False),
    ("TRUE", True), ("false", False), ("1", True), ("0", False), ("✓", True), ("✗", False),
    ("√", True), ("×", False), (" 是 ", True), ("Ｙ", True), ("ｙｅｓ", True),
    (True, True), (False, False), (1, True), (0, False),
])
def test_booleans(tmp_path: Path, policy: Policy, cell: object, expected: bool) -> None:
    records = one_cell(tmp_path, policy, "placements", "key_enterprise", cell)
    assert records.errors == []
    assert records.placements[0].key_enterprise is expected


@pytest.mark.parametrize("cell", ["maybe", "2", 2, "是的", "OK"])
def test_bad_booleans(tmp_path: Path, policy: Policy, cell: object) -> None:
    err = only_error(one_cell(tmp_path, policy, "placements", "from_outside_city", cell))
    assert (err.message.key, err.column, err.field) == ("read.cell.boolean", "from_outside_city",
                                                         "from_outside_city")


def test_blank_urgent_need_is_no(tmp_path: Path, policy: Policy) -> None:
    records = one_cell(tmp_path, policy, "placements", "urgent_need", None)
    assert records.errors == [] and records.placements[0].urgent_need is False


@pytest.mark.parametrize(("cell", "expected"), [
    (date(2025, 3, 1), date(2025, 3, 1)),
    (datetime(2025, 3, 1, 0, 0), date(2025, 3, 1)),
    (datetime(2025, 3, 1, 15, 30), date(2025, 3, 1)),
    ("2025-03-01", date(2025, 3, 1)),
    ("2025/3/1", date(2025, 3, 1)),
    ("2025年3月1日", date(2025, 3, 1)),
    (" 2025年03月01日 ", date(2025, 3, 1)),
    ("２０２５－０３－０１", date(2025, 3, 1)),
    ("2025-03-01 00:00:00", date(2025, 3, 1)),
    ("2024/2/29", date(2024, 2, 29)),
])
def test_dates(tmp_path: Path, policy: Policy, cell: object, expected: date) -> None:
    records = one_cell(tmp_path, policy, "placements", "placement_date", cell)
    assert records.errors == []
    assert records.placements[0].placement_date == expected


@pytest.mark.parametrize(("cell", "key"), [
    ("2025-02-30", "read.cell.no_such_date"),
    ("2025年2月30日", "read.cell.no_such_date"),
    ("2025/13/1", "read.cell.no_such_date"),
    ("2023-02-29", "read.cell.no_such_date"),
    ("03/01/2025", "read.cell.date"),
    ("2025-03", "read.cell.date"),
    ("2025-3/1", "read.cell.date"),
    ("yesterday", "read.cell.date"),
    (45717, "read.cell.date"),
    (True, "read.cell.date"),
])
def test_bad_dates(tmp_path: Path, policy: Policy, cell: object, key: str) -> None:
    err = only_error(one_cell(tmp_path, policy, "placements", "placement_date", cell))
    assert (err.message.key, err.row, err.column, err.field) == (key, 2, "placement_date",
                                                                  "placement_date")


@pytest.mark.parametrize(("cell", "expected"), [
    (500000, "500000"),
    (1234567.89, "1234567.89"),
    (0.1, "0.1"),
    (0.3, "0.3"),
    ("1,234,567.89", "1234567.89"),
    ("  500000  ", "500000"),
    ("１２３４５６", "123456"),
    ("１２３，４５６．５", "123456.5"),
    ("¥500,000", "500000"),
    ("￥500,000", "500000"),
    ("¥ 500000.50", "500000.50"),
    ("+7", "7"),
    (".5", "0.5"),
])
def test_numbers(tmp_path: Path, policy: Policy, cell: object, expected: str) -> None:
    records = one_cell(tmp_path, policy, "placements", "headhunting_fee", cell)
    assert records.errors == []
    fee = records.placements[0].headhunting_fee
    assert fee == Decimal(expected)
    assert str(fee) == expected  # exact, never through a binary float


@pytest.mark.parametrize(("cell", "key"), [
    ("30万", "read.cell.unit_in_number"),
    ("500000元", "read.cell.unit_in_number"),
    ("15%", "read.cell.unit_in_number"),
    ("1.2.3", "read.cell.number"),
    ("abc", "read.cell.number"),
    ("1,23,4", "read.cell.number"),
    ("1 234", "read.cell.number"),
    ("nan", "read.cell.number"),
    ("inf", "read.cell.number"),
    ("1e5", "read.cell.number"),
    (date(2025, 1, 1), "read.cell.number"),
    (True, "read.cell.number"),
    ("-5", "read.cell.negative"),
    (-5, "read.cell.negative"),
    (0, "read.cell.not_positive"),
    ("0.00", "read.cell.not_positive"),
    ("#N/A", "read.cell.excel_error"),
])
def test_bad_numbers(tmp_path: Path, policy: Policy, cell: object, key: str) -> None:
    records = one_cell(tmp_path, policy, "placements", "annual_salary", cell)
    err = only_error(records)
    assert (err.message.key, err.column, err.field, err.row) == (key, "annual_salary", "annual_salary", 2)
    assert err.value is not None
    assert records.placements == []


def test_other_money_may_be_zero_but_not_negative(tmp_path: Path, policy: Policy) -> None:
    records = one_cell(tmp_path, policy, "placements", "other_policy_amount", 0)
    assert records.errors == [] and records.placements[0].other_policy_amount == 0
    records = one_cell(tmp_path, policy, "placements", "other_policy_amount", "-0")
    assert records.errors == [] and str(records.placements[0].other_policy_amount) == "0"
    err = only_error(one_cell(tmp_path, policy, "prior_awards", "amount", -1))
    assert err.message.key == "read.cell.negative"
    err = only_error(one_cell(tmp_path, policy, "revenue", "revenue", -0.5))
    assert (err.message.key, err.value) == ("read.cell.negative", "-0.5")


def test_nan_and_infinity_from_a_backend(policy: Policy) -> None:
    rows: list[RawRow] = [(1, ("payee_id", "award", "amount", "date")),
            (2, (code(1), "headhunting", float("nan"), date(2025, 1, 1))),
            (3, (code(1), "headhunting", float("inf"), date(2025, 1, 1))),
            (4, (code(1), "headhunting", 12.5, date(2025, 1, 1)))]
    records = read_sheets([RawSheet("prior_awards", rows)], policy)
    assert [(e.message.key, e.row) for e in records.errors] == [
        ("read.cell.number", 2), ("read.cell.number", 3)]
    assert [p.amount for p in records.prior_awards] == [Decimal("12.5")]


def test_a_value_repeated_down_a_column_reads_the_same_on_every_row(policy: Policy) -> None:
    """Each column remembers what a value read as (rows.py): a repeat reads alike, an error is
    reported on every row it is on, and values that are equal but not alike (True == 1 == 1.0)
    each read as themselves."""
    head = (1, ("payee_id", "award", "tier", "record_id", "amount", "date"))
    day = datetime(2025, 1, 1)
    cells: list[tuple[object, object, object]] = [
        ("1", 1000, day), (1, 1000.5, day), (True, 1000, day), (1.0, "1,000", day), ("1", 1000, day),
        ("x" * 40_000, 1000, day), ("x" * 40_000, 1000, day), ("2", "一千", day), ("3", "一千", day),
        ("4", 1000, "2025-13-01"), ("5", 1000, "2025-13-01"), (" 1 ", 1000, day), ("6", True, day),
    ]
    rows: list[RawRow] = [head] + [(n, (code(1), "headhunting", None, rid, amount, when))
                                   for n, (rid, amount, when) in enumerate(cells, start=2)]
    records = read_sheets([RawSheet("prior_awards", rows)], policy)
    assert [(p.source.row if p.source else 0, p.record_id, p.amount) for p in records.prior_awards] == [
        (2, "1", Decimal(1000)), (3, "1", Decimal("1000.5")), (4, "TRUE", Decimal(1000)),
        (5, "1", Decimal(1000)), (6, "1", Decimal(1000)), (13, "1", Decimal(1000))]
    assert [(e.row, e.message.key) for e in records.errors] == [
        (7, "read.cell.too_long"), (8, "read.cell.too_long"), (9, "read.cell.unit_in_number"),
        (10, "read.cell.unit_in_number"), (11, "read.cell.no_such_date"), (12, "read.cell.no_such_date"),
        (14, "read.cell.number")]


@pytest.mark.parametrize(("cell", "expected"), [(12, 12), (12.0, 12), ("12", 12), ("1,200", 1200),
                                                (0, 0), ("０", 0)])
def test_employees(tmp_path: Path, policy: Policy, cell: object, expected: int) -> None:
    records = one_cell(tmp_path, policy, "institutions", "employees", cell)
    assert records.errors == [] and records.institutions[0].employees == expected


@pytest.mark.parametrize("cell", [-1, 1.5, "abc", "12人", "-3"])
def test_bad_employees(tmp_path: Path, policy: Policy, cell: object) -> None:
    err = only_error(one_cell(tmp_path, policy, "institutions", "employees", cell))
    assert (err.message.key, err.field) == ("read.cell.integer", "employees")


@pytest.mark.parametrize(("cell", "expected"), [(2025, 2025), (2025.0, 2025), ("2025", 2025),
                                                ("2025年", 2025), ("２０２５年度", 2025)])
def test_years(tmp_path: Path, policy: Policy, cell: object, expected: int) -> None:
    records = one_cell(tmp_path, policy, "claims", "year", cell)
    assert records.errors == [] and records.claims[0].year == expected


@pytest.mark.parametrize("cell", [25, "25", 2025.5, "abc", date(2025, 1, 1), "2025-01"])
def test_bad_years(tmp_path: Path, policy: Policy, cell: object) -> None:
    err = only_error(one_cell(tmp_path, policy, "claims", "year", cell))
    assert (err.message.key, err.field) == ("read.cell.year", "year")


def test_credit_codes_are_normalized(tmp_path: Path, policy: Policy) -> None:
    lower = code(7).lower()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code(8))  # full-width forms
    path = build_input(tmp_path / "in.xlsx",
                       institutions=[{"credit_code": f"  {lower} "}, {"credit_code": wide}],
                       placements=[{"credit_code": code(7), "employer_credit_code": EMPLOYER.lower()}],
                       auto_institutions=False)
    records = read(path, policy)
    assert records.errors == []
    assert [i.credit_code for i in records.institutions] == [code(7), code(8)]
    assert records.placements[0].employer_credit_code == EMPLOYER


@pytest.mark.parametrize(("cell", "key"), [
    (code(1)[:-1] + ("0" if code(1)[-1] != "0" else "1"), "read.cell.code_check"),
    (code(1)[:17], "read.cell.code_length"),
    (code(1) + "0", "read.cell.code_length"),
    ("91340100MA000000IO", "read.cell.code_charset"),
    (12345, "read.cell.code_number"),  # stored as a number: says so, and how to fix it
])
def test_bad_credit_codes(tmp_path: Path, policy: Policy, cell: object, key: str) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {"institutions": [["credit_code", "name"], [cell, "甲"]]})
    err = only_error(read(path, policy))
    assert (err.message.key, err.row, err.column, err.field) == (key, 2, "credit_code", "credit_code")


def test_bad_employer_code(tmp_path: Path, policy: Policy) -> None:
    err = only_error(one_cell(tmp_path, policy, "placements", "employer_credit_code", EMPLOYER[:-1] + "X"
                              if EMPLOYER[-1] != "X" else EMPLOYER[:-1] + "Y"))
    assert (err.message.key, err.column) == ("read.cell.code_check", "employer_credit_code")


@pytest.mark.parametrize(("cell", "expected"), [("A", "A"), ("a", "A"), ("A类", "A"), ("Ｂ类人才", "B"),
                                                (" e ", "E"), (None, None), ("", None)])
def test_talent_class(tmp_path: Path, policy: Policy, cell: object, expected: str | None) -> None:
    records = one_cell(tmp_path, policy, "placements", "talent_class", cell)
    assert records.errors == [] and records.placements[0].talent_class == expected


@pytest.mark.parametrize("cell", ["F", "AB", "一类", 1])
def test_bad_talent_class(tmp_path: Path, policy: Policy, cell: object) -> None:
    assert keys(one_cell(tmp_path, policy, "placements", "talent_class", cell).issues) == [
        "read.cell.talent_class"]


@pytest.mark.parametrize(("cell", "expected"), [
    *[(k, k) for k in RECOGNITION_KIND_NAMES_ZH],
    *[(zh, k) for k, zh in RECOGNITION_KIND_NAMES_ZH.items()],
    ("中国500强", "china_top500"), ("HIGH_TECH", "high_tech"), (" 专精特新 ", "specialized_sme"),
])
def test_recognition_kinds(tmp_path: Path, policy: Policy, cell: str, expected: str) -> None:
    records = one_cell(tmp_path, policy, "recognitions", "kind", cell)
    if expected == "national_competition":
        assert keys(records.issues) == ["read.cell.reference_required"]
    else:
        assert records.errors == [] and records.recognitions[0].kind == expected


def test_unknown_recognition_kind(tmp_path: Path, policy: Policy) -> None:
    err = only_error(one_cell(tmp_path, policy, "recognitions", "kind", "世界500强"))
    assert err.message.key == "read.cell.recognition_kind"
    assert "高新技术企业" in err.message.render("zh") and "high_tech" in err.message.render("en")


@pytest.mark.parametrize(("cell", "expected"), [
    *[(k, k) for k in PARK_LEVEL_NAMES_ZH], *[(zh, k) for k, zh in PARK_LEVEL_NAMES_ZH.items()]])
def test_park_levels(tmp_path: Path, policy: Policy, cell: str, expected: str) -> None:
    records = one_cell(tmp_path, policy, "parks", "level", cell)
    assert records.errors == [] and records.parks[0].level == expected


def test_alias_tables_cover_every_id() -> None:
    assert set(RECOGNITION_KIND_ALIASES.values()) == set(RECOGNITION_KIND_NAMES_ZH)
    assert set(PARK_LEVEL_ALIASES.values()) == set(PARK_LEVEL_NAMES_ZH)
    assert all(fold(k) == k for k in [*RECOGNITION_KIND_ALIASES, *PARK_LEVEL_ALIASES])


def test_bad_park_level(tmp_path: Path, policy: Policy) -> None:
    assert keys(one_cell(tmp_path, policy, "parks", "level", "市级").issues) == ["read.cell.park_level"]


def test_awards_and_tiers_by_id_or_chinese_name(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", prior_awards=[
        {"award": "猎头引才奖励", "tier": "50万元档"},
        {"award": "REVENUE_GROWTH", "tier": "2亿元档", "record_id": 2024},
        {"award": "500强榜单奖励", "tier": "中国服务业企业500强"},
        {"award": "park", "tier": "国家级人力资源服务产业园", "payee_id": "蜀山区"},
        {"award": "a/b类人才", "tier": None},
        {"award": "headhunting", "tier": "40万元档"},
    ], claims=[{"award": "产业园建设补助", "payee_id": "蜀山区", "record_id": None}])
    records = read(path, policy)
    assert [(e.message.key, e.row, e.column) for e in records.errors] == [
        ("read.cell.award", 6, "award"), ("read.cell.tier", 7, "tier")]
    assert [(p.award, p.tier, p.record_id) for p in records.prior_awards] == [
        ("headhunting", "salary_500k", "P-OLD-0001"),
        ("revenue_growth", "revenue_200m", "2024"),
        ("ranking", "china_service_top500", "P-OLD-0003"),
        ("park", "national_park", "P-OLD-0004"),
    ]
    assert records.prior_awards[3].payee_id == "蜀山区"
    assert (records.claims[0].award, records.claims[0].payee_id) == ("park", "蜀山区")
    assert "headhunting" in records.errors[0].message.render("en")


def test_payee_credit_code_is_upper_cased(tmp_path: Path, policy: Policy) -> None:
    records = one_cell(tmp_path, policy, "claims", "payee_id", code(3).lower())
    assert records.errors == [] and records.claims[0].payee_id == code(3)


def test_identifiers_read_full_width_as_half_width(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", placements=[{"placement_id": "Ｐ－００１"},
                                                         {"placement_id": "P-001"}])
    records = read(path, policy)
    err = only_error(records)
    assert (err.message.key, err.row, err.value) == ("read.dup.placement_id", 3, "P-001")
    assert records.placements[0].placement_id == "P-001"


def test_names_are_kept_as_written(tmp_path: Path, policy: Policy) -> None:
    records = one_cell(tmp_path, policy, "placements", "employer_name", " 合肥某某（集团）有限公司 ")
    assert records.placements[0].employer_name == "合肥某某（集团）有限公司"


def test_numbers_in_text_columns(tmp_path: Path, policy: Policy) -> None:
    records = one_cell(tmp_path, policy, "placements", "placement_id", 1001)
    assert records.errors == [] and records.placements[0].placement_id == "1001"


# ---- rows, blanks, and every problem collected ---------------------------------------------


def test_blank_rows_are_skipped_and_partly_blank_rows_are_errors(tmp_path: Path, policy: Policy) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {
        "institutions": [
            ["credit_code", "name", "备注"],
            [None, None, None],
            ["  ", "\u3000", None],
            [code(1), "甲", None],
            [None, None, "这一行只有备注"],
            [code(2), None, None],
        ],
    })
    records = read(path, policy)
    err = only_error(records)
    assert (err.message.key, err.row, err.column, err.field, err.value) == (
        "read.cell.required", 6, "name", "name", None)
    assert [i.credit_code for i in records.institutions] == [code(1)]


def test_every_problem_is_collected(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", placements=[
        {},
        {"annual_salary": "30万", "placement_date": "2025-02-30"},
        {},
        {"headhunting_fee": -1},
        {"key_enterprise": "也许", "employer_credit_code": "123", "talent_class": "Z"},
    ])
    records = read(path, policy)
    found = [(e.row, e.column, e.message.key) for e in records.errors]
    assert found == [
        (3, "annual_salary", "read.cell.unit_in_number"),
        (3, "placement_date", "read.cell.no_such_date"),
        (5, "headhunting_fee", "read.cell.negative"),
        (6, "employer_credit_code", "read.cell.code_length"),
        (6, "key_enterprise", "read.cell.boolean"),
        (6, "talent_class", "read.cell.talent_class"),
    ]
    assert [p.placement_id for p in records.placements] == ["P-0001", "P-0003"]
    assert all(e.sheet == "placements" for e in records.errors)


def test_issue_locates_the_cell_as_written(tmp_path: Path, policy: Policy) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {
        " 机构 ": [["统一社会信用代码", "机构名称", "从业人员数"], [code(1), "甲", "十二"]],
    })
    err = only_error(read(path, policy))
    assert (err.sheet, err.row, err.column, err.value, err.field) == (" 机构 ", 2, "从业人员数", "十二",
                                                                      "employees")


# ---- cross-row checks ------------------------------------------------------------------------


def test_unknown_institution(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", institutions=[{"credit_code": code(1)}],
                       placements=[{"credit_code": code(2)}], revenue=[{"credit_code": code(3)}],
                       recognitions=[{"credit_code": code(4)}, {}], auto_institutions=False)
    records = read(path, policy)
    found = [(e.sheet, e.row, e.column, e.value, e.message.key) for e in records.errors]
    assert found == [
        ("revenue", 2, "credit_code", code(3), "read.ref.unknown_institution"),
        ("placements", 2, "credit_code", code(2), "read.ref.unknown_institution"),
        ("recognitions", 2, "credit_code", code(4), "read.ref.unknown_institution"),
    ]
    assert records.placements == [] and records.revenue == []
    assert len(records.recognitions) == 1


def test_no_institutions_sheet_means_every_reference_is_unknown(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", placements=[{}, {}], auto_institutions=False)
    assert keys(read(path, policy).issues) == ["read.ref.unknown_institution"] * 2


def test_an_institution_row_with_another_error_still_counts_as_known(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", institutions=[{"employees": -1}], placements=[{}])
    records = read(path, policy)
    assert keys(records.issues) == ["read.cell.integer"]


def test_a_broken_institutions_header_does_not_flag_every_reference(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", institutions=[{"name": OMIT}], placements=[{}])
    records = read(path, policy)
    err = only_error(records)
    assert (err.message.key, err.sheet, err.row) == ("read.header.missing_required", "institutions", 1)
    assert "name (机构名称)" in err.message.render("en")
    assert "机构名称(name)" in err.message.render("zh")
    assert records.institutions == [] and len(records.placements) == 1


def test_duplicate_institution(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", institutions=[
        {"credit_code": code(1)}, {"credit_code": code(2)}, {"credit_code": code(1).lower()}])
    records = read(path, policy)
    err = only_error(records)
    assert (err.message.key, err.row, err.column, err.message.param("other_row")) == (
        "read.dup.credit_code", 4, "credit_code", 2)
    assert "2" in err.message.render("zh") and "row 2" in err.message.render("en")
    assert [i.credit_code for i in records.institutions] == [code(1), code(2)]


def test_duplicate_placement_id(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", placements=[{"placement_id": "X"}, {}, {"placement_id": "X"}])
    err = only_error(read(path, policy))
    assert (err.message.key, err.row, err.column, err.message.param("other_row")) == (
        "read.dup.placement_id", 4, "placement_id", 2)


def test_revenue_year_unique_per_institution(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", revenue=[
        {"year": 2024}, {"year": 2024, "credit_code": code(2)}, {"year": 2024}])
    records = read(path, policy)
    err = only_error(records)
    assert (err.message.key, err.row, err.column) == ("read.dup.revenue_year", 4, "year")
    assert "2024" in err.message.render("en")
    assert len(records.revenue) == 2


@pytest.mark.parametrize(("prior", "errors"), [(200_000_000, []), ("2亿", ["read.cell.unit_in_number"]),
                                               (199_999_999, ["read.revenue.prior_mismatch"]),
                                               (None, [])])
def test_prior_year_revenue_must_agree_with_the_prior_row(tmp_path: Path, policy: Policy, prior: object,
                                                           errors: list[str]) -> None:
    path = build_input(tmp_path / "in.xlsx", revenue=[
        {"year": 2024, "revenue": 200_000_000},
        {"year": 2025, "revenue": 300_000_000, "prior_year_revenue": prior},
    ])
    records = read(path, policy)
    assert keys(records.issues) == errors
    if errors == ["read.revenue.prior_mismatch"]:
        err = records.errors[0]
        assert (err.row, err.column, err.message.param("other_row")) == (3, "prior_year_revenue", 2)
        assert "200,000,000.00" in err.message.render("en")
        assert [r.year for r in records.revenue] == [2024]


def test_prior_year_revenue_without_a_prior_row(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", revenue=[{"year": 2025, "prior_year_revenue": 1}])
    records = read(path, policy)
    assert records.errors == [] and records.revenue[0].prior_year_revenue == 1


def test_national_competition(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", recognitions=[
        {"kind": "national_competition", "reference": "赛事甲"},
        {"kind": "national_competition", "reference": None},
        {"kind": "national_competition", "reference": " 赛事甲 "},
        {"kind": "national_competition", "reference": "赛事乙"},
        {"kind": "national_competition", "reference": "赛事甲", "credit_code": code(2)},
        {"kind": "high_tech"}, {"kind": "high_tech"},  # a second certificate pays 0, not an error
    ])
    records = read(path, policy)
    found = [(e.row, e.column, e.message.key) for e in records.errors]
    assert found == [(3, "reference", "read.cell.reference_required"),
                     (4, "reference", "read.dup.competition")]
    assert len(records.recognitions) == 5


def test_park_id_and_level_unique(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", parks=[
        {"park_id": "A", "level": "provincial_park"},
        {"park_id": "A", "level": "national_park"},
        {"park_id": "A", "level": "省级人力资源服务产业园"},
    ])
    records = read(path, policy)
    err = only_error(records)
    assert (err.message.key, err.row, err.column) == ("read.dup.park_level", 4, "park_id")
    assert [p.level for p in records.parks] == ["provincial_park", "national_park"]


# ---- sheet and header structure -------------------------------------------------------------


def test_duplicate_headers(tmp_path: Path, policy: Policy) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {
        "institutions": [["credit_code", "name", "统一社会信用代码"], [code(1), "甲", code(2)]],
    })
    records = read(path, policy)
    err = only_error(records)
    assert (err.message.key, err.row, err.column, err.field) == (
        "read.header.duplicate", 1, "统一社会信用代码", "credit_code")
    assert err.message.param("other_column") == "A"
    assert records.institutions == []


def test_missing_required_column(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", placements=[{"annual_salary": OMIT, "headhunting_fee": OMIT}])
    records = read(path, policy)
    err = only_error(records)
    assert (err.message.key, err.sheet) == ("read.header.missing_required", "placements")
    text = err.message.render("en")
    assert "annual_salary" in text and "headhunting_fee" in text
    assert "年税前薪酬" in err.message.render("zh")
    assert records.placements == []


def test_unknown_sheets_and_columns_are_info(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", institutions=[{"remarks": "x", "备注": "y"}])
    wb_rows = {"Sheet1": [["anything"]], "说明": [["填表说明"]]}
    # add two unknown sheets next to the real one
    from openpyxl import load_workbook
    wb = load_workbook(path)
    for title, rows in wb_rows.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    records = read(path, policy)
    assert records.errors == []
    infos = [(i.sheet, i.row, i.column, i.message.key) for i in records.issues if i.severity == "info"]
    assert infos == [
        ("institutions", 1, "remarks", "read.header.unknown"),
        ("institutions", 1, "备注", "read.header.unknown"),
        ("Sheet1", None, None, "read.sheet.unknown"),
    ]  # 说明 is the template's own guide sheet: known, not reported
    assert len(records.institutions) == 1


def test_no_hrcalc_sheet_at_all(tmp_path: Path, policy: Policy) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {"Sheet1": [["a", "b"], [1, 2]]})
    records = read(path, policy)
    err = only_error(records)
    assert (err.message.key, err.sheet, err.row) == ("read.no_sheets", None, None)
    for spec in SHEETS:
        assert spec.name_en in err.message.render("en") and spec.name_zh in err.message.render("zh")


def test_missing_optional_sheets_mean_no_records(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", parks=[{}])
    records = read(path, policy)
    assert records.errors == [] and len(records.parks) == 1 and records.placements == []


def test_an_empty_known_sheet_is_no_records(tmp_path: Path, policy: Policy) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {"parks": [], "claims": [["payee_id", "award", "year",
                                                                          "claimed_amount"]]})
    records = read(path, policy)
    assert records.issues == [] and records.parks == [] and records.claims == []
    assert records.claims_sheet_present


def test_the_same_sheet_twice(tmp_path: Path, policy: Policy) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {
        "institutions": [["credit_code", "name"], [code(1), "甲"]],
        "机构": [["credit_code", "name"], [code(2), "乙"]],
    })
    records = read(path, policy)
    err = only_error(records)
    assert (err.message.key, err.sheet, err.message.param("other")) == (
        "read.sheet.duplicate", "机构", "institutions")
    assert [i.credit_code for i in records.institutions] == [code(1)]


def test_chartsheets_are_skipped(tmp_path: Path, policy: Policy) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "institutions"
    ws.append(["credit_code", "name", "employees"])
    ws.append([code(1), "甲", 3])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=2), titles_from_data=True)
    cs = wb.create_chartsheet("机构图")
    cs.add_chart(chart)
    wb.save(tmp_path / "in.xlsx")
    records = read(tmp_path / "in.xlsx", policy)
    assert records.issues == [] and len(records.institutions) == 1


def test_a_lying_dimension_does_not_cut_rows(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "orig.xlsx", institutions=[{"credit_code": code(n)} for n in range(1, 31)])
    lying = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as dst:
        rewritten = 0
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', data)
                rewritten += n
            dst.writestr(item, data)
        assert rewritten == 1
    records = read(lying, policy)
    assert records.errors == []
    assert [i.credit_code for i in records.institutions] == [code(n) for n in range(1, 31)]


def test_the_file_name_does_not_matter(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", parks=[{}])
    renamed = path.rename(tmp_path / "records.dat")
    assert len(read(renamed, policy).parks) == 1


def test_issues_come_in_workbook_order(tmp_path: Path, policy: Policy) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {
        "claims": [["payee_id", "award", "year", "claimed_amount"], [code(1), "x", 2025, 1]],
        "Notes": [["n"]],
        "institutions": [["credit_code", "name"], ["bad", "甲"], [code(1), None]],
    })
    records = read(path, policy)
    assert [(i.sheet, i.row, i.message.key) for i in records.issues] == [
        ("claims", 2, "read.cell.award"),
        ("Notes", None, "read.sheet.unknown"),
        ("institutions", 2, "read.cell.code_length"),
        ("institutions", 3, "read.cell.required"),
    ]


def test_every_issue_message_is_registered_in_both_languages(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", placements=[
        {"annual_salary": "30万", "headhunting_fee": "abc", "placement_date": "2025-02-30",
         "key_enterprise": "?", "talent_class": "Z", "credit_code": "X", "other_policy_amount": -1},
        {"placement_date": "x", "employer_credit_code": code(1)[:-1] + "Y" if code(1)[-1] != "Y" else "X",
         "annual_salary": 0, "extra column": 1},
    ], recognitions=[{"kind": "?"}, {"kind": "national_competition"}], parks=[{"level": "?"}],
        prior_awards=[{"award": "?", "tier": "?", "date": "?"}], claims=[{"year": "?"}],
        institutions=[{"employees": "?"}, {"credit_code": code(1)}])
    records = read(path, policy)
    assert len(records.errors) >= 15
    for issue in records.issues:
        assert has_key(issue.message.key), issue.message.key
        zh, en = issue.message.render("zh"), issue.message.render("en")
        assert zh != en and issue.message.key not in (zh + en)
        assert "{" not in zh + en


# ---- files that cannot be read ---------------------------------------------------------------


def _file_error(path: Path, policy: Policy) -> InputFileError:
    with pytest.raises(InputFileError) as info:
        read_workbook(path, policy)
    err = info.value
    assert err.exit_code == 2
    assert has_key(err.message.key)
    assert err.message.render("zh") != err.message.render("en")
    return err


def test_missing_file(tmp_path: Path, policy: Policy) -> None:
    err = _file_error(tmp_path / "nope.xlsx", policy)
    assert err.message.key == "read.file.missing"
    assert "nope.xlsx" in err.message.render("zh")


def test_directory(tmp_path: Path, policy: Policy) -> None:
    assert _file_error(tmp_path, policy).message.key == "read.file.directory"


def test_empty_file(tmp_path: Path, policy: Policy) -> None:
    (tmp_path / "e.xlsx").write_bytes(b"")
    assert _file_error(tmp_path / "e.xlsx", policy).message.key == "read.file.empty"


@pytest.mark.parametrize(("content", "key"), [
    ("credit_code,name\n91340100MA0000001K,甲\n".encode(), "read.file.not_xlsx"),
    (b"%PDF-1.7\n...", "read.file.not_xlsx"),
    (b"PK\x03\x04" + b"\x00" * 200, "read.file.corrupt"),
    # an .xls is read (calamine): this one is no real .xls, only its magic and a stream name
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "Workbook".encode("utf-16-le"), "read.file.corrupt"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le")
     + "EncryptionInfo".encode("utf-16-le"), "read.file.encrypted"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "read.file.ole"),
])
def test_not_an_xlsx(tmp_path: Path, policy: Policy, content: bytes, key: str) -> None:
    path = tmp_path / "in.xlsx"
    path.write_bytes(content)
    assert _file_error(path, policy).message.key == key


def test_encrypted_message_says_what_to_do(tmp_path: Path, policy: Policy) -> None:
    path = tmp_path / "in.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"))
    err = _file_error(path, policy)
    assert "文件已加密" in err.message.render("zh") and ".xlsx" in err.message.render("zh")
    assert "password" in err.message.render("en")


def test_a_zip_that_is_not_a_workbook(tmp_path: Path, policy: Policy) -> None:
    path = tmp_path / "doc.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    assert _file_error(path, policy).message.key == "read.file.not_xlsx"
    with zipfile.ZipFile(tmp_path / "b.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x00")
    # an .xlsb is read (calamine): this one holds no real workbook part
    assert _file_error(tmp_path / "b.xlsx", policy).message.key == "read.file.corrupt"


def test_a_damaged_workbook(tmp_path: Path, policy: Policy) -> None:
    good = build_input(tmp_path / "good.xlsx", parks=[{}])
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data[: len(data) // 2]  # truncated XML
            dst.writestr(item, data)
    err = _file_error(bad, policy)
    assert err.message.key == "read.file.corrupt"
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[:400])
    assert _file_error(truncated, policy).message.key == "read.file.corrupt"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads anything")
def test_permission_denied(tmp_path: Path, policy: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", parks=[{}])
    path.chmod(0)
    try:
        assert _file_error(path, policy).message.key == "read.file.permission"
    finally:
        path.chmod(0o644)


# ---- the builders themselves ----------------------------------------------------------------


def test_codes_are_valid_and_distinct() -> None:
    from hrcalc.codes import is_valid_credit_code

    made = {code(n) for n in range(2000)} | {EMPLOYER}
    assert len(made) == 2001 and all(is_valid_credit_code(c) for c in made)


def test_defaults_cover_every_required_column() -> None:
    for spec in SHEETS:
        row: dict[str, Any] = defaults(spec.id, 0)
        assert {c.field for c in spec.required_columns} <= set(row), spec.id


# ---- the fast backend: python-calamine, same records as openpyxl, never the far-cell abort ----

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "hefei-hr-2025.xlsx"
needs_calamine = pytest.mark.skipif(importlib.util.find_spec("python_calamine") is None,
                                    reason="python-calamine is not installed")


@needs_calamine
def test_the_default_backend_is_calamine_for_a_normal_file(policy: Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_backend() is calamine_sheets
    assert calamine_refusal(SAMPLE) is None

    def no_openpyxl(path: Path) -> Any:
        raise AssertionError("openpyxl read a file that calamine should have read")

    monkeypatch.setattr(workbook.calamine, "openpyxl_sheets", no_openpyxl)
    assert read_workbook(SAMPLE, policy).placements


@needs_calamine
@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")
@pytest.mark.parametrize("name", ["sample", "dates", "merged_cells", "hidden_sheets", "numbers_as_text",
                                  "duplicate_headers", "too_long_cell", "no_hrcalc_sheets"])
def test_calamine_gives_the_records_and_issues_openpyxl_gives(name: str, tmp_path: Path, policy: Policy) -> None:
    path = SAMPLE if name == "sample" else getattr(corpus, name)(tmp_path / f"{name}.xlsx")
    assert calamine_refusal(path) is None  # so the fast path is the one compared
    slow = read_workbook(path, policy, backend=openpyxl_sheets)
    fast = read_workbook(path, policy, backend=calamine_sheets)
    for spec in SHEETS:
        assert getattr(fast, spec.id) == getattr(slow, spec.id), spec.id
    if name == "dates":  # the one known difference: a date serial past year 9999 (test_hostile.test_dates)
        far = {"#VALUE!", "1000000000"}
        slow.issues[:] = [i for i in slow.issues if i.value not in far]
        fast.issues[:] = [i for i in fast.issues if i.value not in far]
    assert fast.issues == slow.issues
    assert fast == slow


def _many_rows(path: Path) -> Path:
    """1,300 placements over several of the reader's blocks (rows.py reads calamine's 256 at a time),
    a column at a time: repeats, values equal but not alike (True, 1, 1.0, 0, False), blanks and
    blank-looking texts, and problems scattered over the blocks and on their edges."""
    head = ["序号", "placement_id", "credit_code", "employer_name", "employer_credit_code", "key_enterprise",
            "from_outside_city", "talent_class", "urgent_need", "annual_salary", "headhunting_fee",
            "placement_date", "other_policy_amount"]
    flags: list[object] = ["是", "否", True, False, 1, 0, 1.0, "Y", 2, None]
    amounts: list[object] = [600_000, 600_000.5, "600,000", True, 1, 1.0, 0, "六十万", -5, 600_000]
    others: list[object] = [None, 0, 1, False, "  ", " #N/A", 0.5, None, "1,000", None]
    classes: list[object] = ["A", "B类", None, "Z", "c", None, "E类人才", "A", None, "D"]
    rows: list[list[object]] = [head]
    for i in range(1_300):
        row: list[object] = [i + 1, f"P-{i % 1_250:05d}", code(1 + i % 3), f"合肥第{i % 40}科技有限公司",
                             code(100 + i % 40), flags[i % 10], flags[(i // 10) % 10], classes[i % 10],
                             flags[(i // 3) % 10], amounts[i % 10] if i % 7 else 650_000,
                             amounts[(i // 10) % 10] if i % 5 else 90_000,
                             date(2025, 1 + i % 12, 1 + i % 28) if i % 11 else "2025-02-30", others[i % 10]]
        if i % 97 == 3:
            row[1] = None  # a required cell blank
        if i in (509, 510, 511, 1_023, 1_024):
            row[1:] = [None] * (len(head) - 1)  # only the serial: not a record, noted once
        if i in (600, 1_100):
            row = []  # nothing at all
        if i == 700:
            row = [i + 1, "合计"] + [None] * 7 + [1_000_000, 2_000_000]  # a totals row
        if i == 800:
            row[3] = "长" * 2_000  # too long for a cell, under the limits the test reads with
        if i % 131 == 0:
            row[4] = code(7)[:-1] + "0" if code(7)[-1] != "0" else code(7)[:-1] + "1"  # a wrong check character
        rows.append(row)
    institutions = [["credit_code", "name"]] + [[code(n), f"机构{n}"] for n in (1, 2, 3)]
    return write_workbook(path, {"institutions": institutions, "placements": rows})


@needs_calamine
def test_calamine_read_a_block_at_a_time_gives_what_openpyxl_gives_row_by_row(tmp_path: Path,
                                                                                policy: Policy) -> None:
    path = _many_rows(tmp_path / "many.xlsx")
    assert calamine_refusal(path) is None  # so the fast path is the one compared
    limits = replace(DEFAULT_LIMITS, max_cell_chars=1_000)
    slow = read_workbook(path, policy, backend=openpyxl_sheets, limits=limits)
    fast = read_workbook(path, policy, backend=calamine_sheets, limits=limits)
    assert fast.placements == slow.placements
    assert fast.issues == slow.issues
    assert fast == slow
    # the workbook is what it means to be: records, and every kind of problem it was given
    assert 200 < len(fast.placements) < 1_300
    assert {i.message.key for i in fast.issues} >= {
        "read.cell.required", "read.cell.boolean", "read.cell.number", "read.cell.not_positive",
        "read.cell.negative", "read.cell.unit_in_number", "read.cell.excel_error", "read.cell.talent_class",
        "read.cell.no_such_date", "read.cell.too_long", "read.cell.code_check", "read.dup.placement_id",
        "read.row.totals", "read.rows.empty"}
    assert {p.annual_salary for p in fast.placements} >= {Decimal(600_000), Decimal("600000.5"), Decimal(1)}


@pytest.mark.parametrize("cls", [Placement, PriorAward, Source])
def test_records_built_a_block_at_a_time_are_the_records_themselves(cls: type[Any]) -> None:
    """records.builder makes plain drafts the record class: what it gives must be that class's own
    frozen, equal, hashable records, every field in its place (PriorAward's source is not last)."""
    names = [f.name for f in dataclass_fields(cls)]
    rows = [[f"{name}{i}" for name in names] for i in range(3)]
    built = builder(cls)(*zip(*rows, strict=True))
    assert built == [cls(*row) for row in rows]
    assert [type(r) for r in built] == [cls] * 3
    assert hash(built[0]) == hash(cls(*rows[0])) and repr(built[1]) == repr(cls(*rows[1]))
    with pytest.raises(FrozenInstanceError):
        setattr(built[0], names[0], "changed")


class _RaggedRows(RowBlocks):
    """Rows as calamine would give them, but in blocks whose rows are not all as wide."""

    def __init__(self, rows: list[list[object]]) -> None:
        self._rows = rows
        self._at = 0

    def __next__(self) -> RawRow:
        while self._at < len(self._rows):
            self._at += 1
            cells = self.row(self._rows[self._at - 1])
            if cells is not None:
                return self._at, cells
        raise StopIteration

    def within(self, max_rows: int, max_columns: int) -> bool:
        return True

    def blocks(self, size: int) -> Iterator[tuple[int, Sequence[Sequence[Any]]]]:
        first, self._at = self._at + 1, len(self._rows)
        assert first <= self._at, "the rows are past the header search"
        yield first, self._rows[first - 1:]

    def value(self, raw: Any) -> Any:
        return None if raw == "" else raw

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...] | None:
        cells = tuple(self.value(v) for v in raw)
        return cells if any(v is not None for v in cells) else None

    def alike(self, raw: Any) -> bool:
        return raw.__class__ is str


def test_a_block_whose_rows_differ_in_width_is_read_row_by_row(policy: Policy) -> None:
    """Rows past the header search (row 10) come in blocks; one whose rows are not all as wide
    (calamine's always are) is read row by row, not zipped into wrong columns."""
    day = datetime(2025, 1, 1)
    rows: list[list[object]] = [["payee_id", "award", "tier", "record_id", "amount", "date"]]
    rows += [[code(1), "headhunting", "", f"R{n}", 1000, day] for n in range(2, 13)]
    rows += [[code(1), "headhunting", "", "R13", 2000], [code(1), "headhunting", "", "R14", 3000, day, ""],
             ["", "", "", "", "", ""], [code(1), "headhunting", "", "R16", 4000, day]]
    records = read_sheets([RawSheet("prior_awards", _RaggedRows(rows))], policy)
    assert [(p.record_id, p.amount, p.source.row if p.source else 0) for p in records.prior_awards][-3:] == [
        ("R12", Decimal(1000), 12), ("R14", Decimal(3000), 14), ("R16", Decimal(4000), 16)]
    assert len(records.prior_awards) == 13
    assert [(e.row, e.message.key) for e in records.errors] == [(13, "read.cell.required")]


_CHILD = """
import sys
from pathlib import Path
from hrcalc.policy import load_policy
from hrcalc.read import calamine_refusal, read_workbook
path = Path(sys.argv[1])
print(calamine_refusal(path))
print(len(read_workbook(path, load_policy()).institutions))
"""


def _far_cell(path: Path, cell: str, dimension: str | None) -> Path:
    corpus.institutions_only(path.with_name("src.xlsx"))

    def edit(name: str, data: bytes) -> bytes:
        if name != corpus.SHEET1:
            return data
        row = re.sub(r"[A-Z]+", "", cell)
        data = data.replace(b"</sheetData>", f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is>'
                            "</c></row></sheetData>".encode())
        return re.sub(rb"<dimension [^>]*/>", b"" if dimension is None else f'<dimension ref="{dimension}"/>'.encode(),
                      data)

    return corpus.rezip(path.with_name("src.xlsx"), path, edit)


@needs_calamine
@pytest.mark.parametrize(("cell", "dimension", "why"), [
    ("XFD1048576", "A1:B4", "beyond its <dimension>"),  # the corpus file: the dimension lies
    ("XFD1048576", "A1:XFD1048576", "declares column 16,384"),  # an honest dimension, too wide
    ("C1048576", "A1:C1048576", "declares 3,145,728 cells for 9 values"),  # narrow, but too sparse
    ("XFD1048576", None, "no single, plain <dimension>"),
])
def test_a_far_cell_is_read_by_openpyxl_not_calamine(tmp_path: Path, cell: str, dimension: str | None,
                                                     why: str) -> None:
    """calamine aborts the interpreter on a far cell: a child process, so pytest would survive it."""
    path = _far_cell(tmp_path / "far.xlsx", cell, dimension)
    child = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr[-2000:]
    refusal, institutions = child.stdout.splitlines()
    assert why in refusal
    assert institutions == "3"


@needs_calamine
def test_what_calamine_reads_differently_goes_to_openpyxl(tmp_path: Path) -> None:
    formulas = corpus.formula_without_value(tmp_path / "formulas.xlsx")
    assert "formulas" in (calamine_refusal(formulas) or "")
    escaped = corpus.long_cells(tmp_path / "long.xlsx")  # openpyxl keeps _x0001_ as written
    assert "_xHHHH_" in (calamine_refusal(escaped) or "")


@needs_calamine
def test_two_sheets_on_one_part_stop_calamine(tmp_path: Path, policy: Policy) -> None:
    """The judge counts listed sheets against sheet parts; a spare part evens the count, so the
    grids' cells are budgeted too: a part read twice goes over and is refused, not re-read 1000 times."""
    src = corpus.institutions_only(tmp_path / "src.xlsx")

    def edit(name: str, data: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return data
        one = re.search(rb"<sheet [^>]*/>", data)
        assert one is not None
        twin = re.sub(rb'sheetId="\d+"', b'sheetId="99"', one.group(0)).replace(b'name="', b'name="twin')
        return data.replace(one.group(0), one.group(0) + twin)

    shared = corpus.rezip(src, tmp_path / "shared.xlsx", edit)
    spare = b'<worksheet><dimension ref="A1"/><sheetData/></worksheet>'
    path = corpus.write_zip(tmp_path / "in.xlsx", [*corpus.parts_of(shared), corpus.stored("xl/spare.xml", spare)])
    assert calamine_refusal(path) is None
    with pytest.raises(InputFileError) as caught:
        read_workbook(path, policy)
    assert caught.value.message.key == "read.file.shared_part"
