"""Workbooks as clerks really keep them (rulings.md): each rule on both .xlsx backends, as named cases.

Totals rows, serial numbers and defaults filled down past the data, hidden rows, money cells with a
unit number format, credit codes stored as numbers, the template's guide sheet, Excel's _xHHHH_
escapes; and the limits a caller passes reaching every backend.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from hrcalc import api
from hrcalc.errors import InputFileError
from hrcalc.limits import Limits
from hrcalc.policy import Policy
from hrcalc.read import Backend, calamine_refusal, calamine_sheets, openpyxl_sheets, read_workbook
from hrcalc.records import Records
from tests import corpus
from tests.builders import build_input, code, defaults
from tests.conftest import Invoke

BACKENDS = {"calamine": calamine_sheets, "openpyxl": openpyxl_sheets}
both = pytest.mark.parametrize("backend", list(BACKENDS), ids=list(BACKENDS))
PLACEMENT_HEADERS = list(defaults("placements", 0))


def _read(path: Path, policy: Policy, backend: str, limits: Limits | None = None) -> Records:
    chosen: Backend = BACKENDS[backend]
    return read_workbook(path, policy, backend=chosen) if limits is None else \
        read_workbook(path, policy, backend=chosen, limits=limits)


def _keys(records: Records, severity: str | None = None) -> list[tuple[str | None, int | None, str]]:
    return [(i.sheet, i.row, i.message.key) for i in records.issues if severity in (None, i.severity)]


def _awards(invoke: Invoke, path: Path) -> tuple[str, list[Any]]:
    res = invoke("calculate", path, "--json", "-", "--quiet")
    assert res.exit_code == 0, res.stdout + res.stderr
    doc = json.loads(res.stdout)
    return doc["total"], doc["payees"]


def _edit_sheet(src: Path, dst: Path, title: str, edit: Callable[[str], str]) -> Path:
    """Copy a workbook written by openpyxl, passing the XML of the sheet titled `title` through `edit`."""
    wb = load_workbook(src, read_only=True)
    index = wb.sheetnames.index(title) + 1
    wb.close()
    part = f"xl/worksheets/sheet{index}.xml"
    return corpus.rezip(src, dst, lambda name, data: edit(data.decode()).encode() if name == part else data)


def _placements(tmp_path: Path, name: str, extra: list[list[object]], headers: list[str] | None = None) -> Path:
    """Two good placements, then `extra` rows below them (cells in PLACEMENT_HEADERS order)."""
    heads = headers or PLACEMENT_HEADERS
    rows = [[defaults("placements", i).get(h) for h in heads] for i in range(2)]
    from tests.builders import write_workbook

    return write_workbook(tmp_path / name, {
        "institutions": [["credit_code", "name"], [code(1), "甲机构"]],
        "placements": [heads, *rows, *extra],
    })


# ---- totals rows ------------------------------------------------------------------------------


def _sum_formulas_with_results(xml: str) -> str:
    """openpyxl writes a formula without its result; Excel saves both: give each SUM its result
    (the sum of the two good placements' cells above it)."""
    sums = {chr(65 + PLACEMENT_HEADERS.index(h)): sum(int(defaults("placements", i)[h]) for i in range(2))  # type: ignore[call-overload]
            for h in ("annual_salary", "headhunting_fee")}

    def result(m: re.Match[str]) -> str:
        return f"<f>{m.group(1)}</f><v>{sums[m.group(2)]}</v>"

    out = re.sub(r"<f>(SUM\(([A-Z]+)2:[A-Z]+3\))</f>(?:<v\s*/>|<v></v>)?", result, xml)
    assert out != xml
    return out


@both
def test_a_totals_row_of_sum_formulas_is_skipped_with_one_note(tmp_path: Path, bundled: Policy, invoke: Invoke,
                                                               backend: str) -> None:
    salary, fee = (chr(65 + PLACEMENT_HEADERS.index(h)) for h in ("annual_salary", "headhunting_fee"))
    totals = [None] * len(PLACEMENT_HEADERS)
    totals[PLACEMENT_HEADERS.index("employer_name")] = "合计"
    totals[PLACEMENT_HEADERS.index("annual_salary")] = f"=SUM({salary}2:{salary}3)"
    totals[PLACEMENT_HEADERS.index("headhunting_fee")] = f"=SUM({fee}2:{fee}3)"
    raw = _placements(tmp_path, "raw.xlsx", [totals])
    path = _edit_sheet(raw, tmp_path / "totals.xlsx", "placements", _sum_formulas_with_results)
    clean = _placements(tmp_path, "clean.xlsx", [])
    records = _read(path, bundled, backend)
    assert records.errors == [] and len(records.placements) == 2
    assert _keys(records, "info") == [("placements", 4, "read.row.totals")]
    note = next(i for i in records.issues if i.message.key == "read.row.totals").message
    assert "合计" in note.render("zh") and "totals row" in note.render("en")
    assert _awards(invoke, path) == _awards(invoke, clean)


@both
@pytest.mark.parametrize("word", ["合计", "总计", "小计", "Total", " 合 计 "])
def test_a_totals_row_of_numbers_under_a_totals_word_is_skipped(tmp_path: Path, bundled: Policy, backend: str,
                                                                word: str) -> None:
    """What an .xls or .ods shows of a SUM is its result: under 合计 in the id column, numbers are totals."""
    totals: list[object] = [None] * len(PLACEMENT_HEADERS)
    totals[0] = word
    totals[PLACEMENT_HEADERS.index("annual_salary")] = 1_200_000
    totals[PLACEMENT_HEADERS.index("headhunting_fee")] = 200_000
    records = _read(_placements(tmp_path, "in.xlsx", [totals]), bundled, backend)
    assert records.errors == [] and len(records.placements) == 2
    assert _keys(records, "info") == [("placements", 4, "read.row.totals")]


@both
def test_a_record_whose_cells_are_formulas_stays_a_record(tmp_path: Path, bundled: Policy, backend: str) -> None:
    row = [defaults("placements", 5).get(h) for h in PLACEMENT_HEADERS]
    fee = chr(65 + PLACEMENT_HEADERS.index("headhunting_fee"))
    row[PLACEMENT_HEADERS.index("headhunting_fee")] = f"=SUM({fee}2:{fee}3)"
    raw = _placements(tmp_path, "raw.xlsx", [row])
    path = _edit_sheet(raw, tmp_path / "in.xlsx", "placements", _sum_formulas_with_results)
    records = _read(path, bundled, backend)
    assert records.errors == [] and len(records.placements) == 3
    assert [p.headhunting_fee for p in records.placements][-1] == 200000


@both
def test_a_row_with_a_stray_value_is_not_taken_for_totals(tmp_path: Path, bundled: Policy, backend: str) -> None:
    """合计 with a name beside it is no totals row: its errors are reported as before."""
    row: list[object] = [None] * len(PLACEMENT_HEADERS)
    row[0] = "合计"
    row[PLACEMENT_HEADERS.index("employer_name")] = "合肥某公司"
    records = _read(_placements(tmp_path, "in.xlsx", [row]), bundled, backend)
    assert {i.message.key for i in records.errors} == {"read.cell.required"}


# ---- rows that only carry a serial number or a default --------------------------------------------


@both
def test_a_serial_number_column_filled_down_40_rows(tmp_path: Path, bundled: Policy, invoke: Invoke,
                                                    backend: str) -> None:
    headers = ["序号", *PLACEMENT_HEADERS]
    good = [[i + 1, *(defaults("placements", i).get(h) for h in PLACEMENT_HEADERS)] for i in range(2)]
    from tests.builders import write_workbook

    def book(name: str, extra: int) -> Path:
        return write_workbook(tmp_path / name, {
            "institutions": [["credit_code", "name"], [code(1), "甲机构"]],
            "placements": [headers, *good, *([n] for n in range(3, 3 + extra))]})

    path, clean = book("serial.xlsx", 40), book("clean.xlsx", 0)
    records = _read(path, bundled, backend)
    assert records.errors == [] and len(records.placements) == 2
    empty = [i for i in records.issues if i.message.key == "read.rows.empty"]
    assert len(empty) == 1 and empty[0].severity == "info" and empty[0].row == 4
    assert "4–43" in empty[0].message.render("zh")
    assert _awards(invoke, path) == _awards(invoke, clean)


@both
def test_a_no_default_filled_down_40_rows(tmp_path: Path, bundled: Policy, invoke: Invoke, backend: str) -> None:
    """A dropdown's 否 copied down past the data: the rows have no required cell, so they are empty."""
    urgent = PLACEMENT_HEADERS.index("urgent_need") if "urgent_need" in PLACEMENT_HEADERS else None
    headers = PLACEMENT_HEADERS if urgent is not None else [*PLACEMENT_HEADERS, "urgent_need"]
    at = headers.index("urgent_need")
    filler = [[None] * at + ["否"] for _ in range(40)]
    path = _placements(tmp_path, "no.xlsx", filler, headers)
    records = _read(path, bundled, backend)
    assert records.errors == [] and len(records.placements) == 2
    assert [i.message.key for i in records.issues if i.message.key == "read.rows.empty"] == ["read.rows.empty"]
    assert _awards(invoke, path) == _awards(invoke, _placements(tmp_path, "clean.xlsx", [], headers))


# ---- hidden rows ------------------------------------------------------------------------------


@both
def test_hidden_rows_are_read_and_counted_in_one_warning(tmp_path: Path, bundled: Policy, backend: str) -> None:
    src = build_input(tmp_path / "src.xlsx", placements=[{}, {"placement_id": "P-2"}, {"placement_id": "P-3"}])
    wb = load_workbook(src)
    ws = wb["placements"]
    ws.row_dimensions[2].hidden = True
    ws.row_dimensions[4].hidden = True
    ws.auto_filter.ref = ws.dimensions
    wb.save(tmp_path / "hidden.xlsx")
    records = _read(tmp_path / "hidden.xlsx", bundled, backend)
    assert len(records.placements) == 3
    hidden = [i for i in records.issues if i.message.key == "read.rows.hidden"]
    assert len(hidden) == 1 and hidden[0].severity == "warning" and hidden[0].sheet == "placements"
    assert "2 行" in hidden[0].message.render("zh") and "2 rows" in hidden[0].message.render("en")
    if backend == "calamine":
        assert calamine_refusal(tmp_path / "hidden.xlsx") is None  # the fast path is the one tested


# ---- number formats that show a unit or scale --------------------------------------------------


@both
@pytest.mark.parametrize("fmt", ['#,##0"万元"', '0"."0000"万元"', "#,##0,", "0.00%"])
def test_a_money_cell_with_a_unit_format_is_a_warning(tmp_path: Path, bundled: Policy, invoke: Invoke,
                                                      backend: str, fmt: str) -> None:
    src = build_input(tmp_path / "src.xlsx", revenue=[{"year": 2024, "revenue": 100_000_000},
                                                       {"year": 2025, "revenue": 130_000_000}])
    wb = load_workbook(src)
    ws = wb["revenue"]
    column = next(c.column for c in ws[1] if c.value == "revenue")
    for row in (2, 3):
        ws.cell(row, column).number_format = fmt
    path = tmp_path / "unit.xlsx"
    wb.save(path)
    records = _read(path, bundled, backend)
    assert [r.revenue for r in records.revenue] == [100_000_000, 130_000_000]  # what the cells hold
    warned = [i for i in records.issues if i.message.key == "read.format.unit"]
    assert len(warned) == 1 and warned[0].severity == "warning"
    assert (warned[0].sheet, warned[0].column, warned[0].value) == ("revenue", "revenue", fmt)
    text = warned[0].message.render("zh")
    assert "revenue" in text and fmt in text
    if backend == "calamine":
        assert calamine_refusal(path) is None
        res = invoke("calculate", path, "--json", "-", "--quiet")
        assert res.exit_code == 0 and "read.format.unit" not in res.stdout
        assert any(i["column"] == "revenue" and i["value"] == fmt for i in json.loads(res.stdout)["issues"])


@both
@pytest.mark.parametrize("fmt", ["#,##0.00", '"¥"#,##0.00', "[$¥-804]#,##0.00", "General", "0"])
def test_plain_and_currency_formats_are_quiet(tmp_path: Path, bundled: Policy, backend: str, fmt: str) -> None:
    src = build_input(tmp_path / "src.xlsx", revenue=[{"year": 2025}])
    wb = load_workbook(src)
    ws = wb["revenue"]
    column = next(c.column for c in ws[1] if c.value == "revenue")
    ws.cell(2, column).number_format = fmt
    wb.save(tmp_path / "in.xlsx")
    assert "read.format.unit" not in {i.message.key for i in _read(tmp_path / "in.xlsx", bundled, backend).issues}


# ---- credit codes stored as numbers; escapes; the guide sheet -------------------------------------


@both
def test_a_credit_code_stored_as_a_number_says_so(tmp_path: Path, bundled: Policy, backend: str) -> None:
    path = build_input(tmp_path / "in.xlsx", institutions=[{"credit_code": 913401001717820730}])
    errors = _read(path, bundled, backend).errors
    assert [e.message.key for e in errors] == ["read.cell.code_number"]
    zh, en = errors[0].message.render("zh"), errors[0].message.render("en")
    assert "存成了数字" in zh and "文本" in zh and "9.13401E+17" in zh
    assert "stored as a number" in en and "Text" in en


@both
def test_an_escaped_underscore_reads_as_excel_shows_it(tmp_path: Path, bundled: Policy, backend: str) -> None:
    path = build_input(tmp_path / "in.xlsx", institutions=[{"name": "甲_x005F_x0041_乙"}])
    assert [i.name for i in _read(path, bundled, backend).institutions] == ["甲_x0041_乙"]


def test_the_templates_guide_sheet_is_not_unknown(tmp_path: Path, invoke: Invoke) -> None:
    for lang in ("zh", "en"):
        out = tmp_path / f"template-{lang}.xlsx"
        assert invoke("template", out, "--lang", lang).exit_code == 0
        res = invoke("validate", out, "--json", "-")
        assert res.exit_code == 0, res.stdout + res.stderr
        assert json.loads(res.stdout)["issues"] == [], res.stdout


# ---- the limits a caller passes reach every backend --------------------------------------------------


@both
def test_the_limits_passed_reach_the_backend(tmp_path: Path, bundled: Policy, backend: str) -> None:
    path = build_input(tmp_path / "in.xlsx", placements=[{"placement_id": f"P-{n}"} for n in range(8)])
    with pytest.raises(InputFileError) as caught:
        _read(path, bundled, backend, Limits(max_rows=5))
    assert caught.value.message.key == "read.limit.rows"
    records = _read(path, bundled, backend, Limits(max_cell_chars=3))
    assert "read.cell.too_long" in {e.message.key for e in records.errors}


def test_the_openpyxl_read_budget_is_the_callers(tmp_path: Path, bundled: Policy) -> None:
    """openpyxl's budgeted zip took the default limits whatever was passed: no longer."""
    path = build_input(tmp_path / "in.xlsx", placements=[{}])
    with pytest.raises(InputFileError) as caught:
        read_workbook(path, bundled, backend=openpyxl_sheets, limits=Limits(read_factor=0, read_slack=0))
    assert caught.value.message.key == "read.limit.read"


# ---- read once ----------------------------------------------------------------------------------


def test_the_hash_recorded_is_of_the_bytes_parsed(tmp_path: Path, bundled: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", placements=[{}])
    first = path.read_bytes()
    records = api.read(path, bundled)
    build_input(path, placements=[{}, {"placement_id": "P-2"}])  # replaced during the run
    assert path.read_bytes() != first
    result = api.run(path, policy=bundled, records=records)
    assert result.input_sha256 == hashlib.sha256(first).hexdigest()


# ---- one verdict: validate gives every warning calculate gives -----------------------------------------

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "hefei-hr-2025.xlsx"


def test_validate_json_lists_the_warnings_calculate_lists(invoke: Invoke, tmp_path: Path) -> None:
    calc = invoke("calculate", SAMPLE, "--json", "-", "--quiet")
    val = invoke("validate", SAMPLE, "--json", tmp_path / "v.json")
    assert calc.exit_code == 0 and val.exit_code == 0, val.stdout + val.stderr
    doc = json.loads((tmp_path / "v.json").read_text(encoding="utf-8"))
    assert doc["schema"] == "hrcalc.validate.v1"

    def warnings(issues: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(i["sheet"], i["row"], i["message"]) for i in issues if i["severity"] == "warning"]

    expected = warnings(json.loads(calc.stdout)["issues"])
    assert expected and warnings(doc["issues"]) == expected
    assert f"{len(expected)} 条警告" in val.stdout


def test_validate_warns_of_a_date_outside_the_window(tmp_path: Path, invoke: Invoke) -> None:
    path = build_input(tmp_path / "in.xlsx", placements=[{"placement_date": "2020-01-01"}])
    res = invoke("validate", path, "--json", "-", "--lang", "en")
    assert res.exit_code == 0
    issues = json.loads(res.stdout)["issues"]
    assert [(i["severity"], i["sheet"], i["row"]) for i in issues] == [("warning", "placements", 2)]
    assert "1 warning" in res.stderr or "1 warning" in res.stderr.replace("(s)", "")


def test_validate_json_with_errors_exits_1_and_still_writes(tmp_path: Path, invoke: Invoke) -> None:
    path = build_input(tmp_path / "in.xlsx", placements=[{"annual_salary": -5}])
    res = invoke("validate", path, "--json", "-")
    assert res.exit_code == 1
    issues = json.loads(res.stdout)["issues"]
    assert any(i["severity"] == "error" and i["column"] == "annual_salary" and i["value"] == "-5" for i in issues)
