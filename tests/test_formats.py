"""Excel 97-2003 (.xls), binary (.xlsb), OpenDocument (.ods) and LibreOffice-saved workbooks read as
the .xlsx they mirror.

The .xls, .xlsb and .ods files are built here (tests/formats.py); the LibreOffice ones are the sample
saved by `soffice` when it is installed (skipped otherwise).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hrcalc.errors import InputFileError
from hrcalc.limits import Limits
from hrcalc.policy import Policy
from hrcalc.read import load, read_workbook
from hrcalc.records import Records
from tests import formats
from tests.builders import EMPLOYER, build_input, code, defaults, write_workbook
from tests.conftest import Invoke

WRITERS: dict[str, Callable[..., Path]] = {"xls": formats.write_xls, "ods": formats.write_ods,
                                           "xlsb": formats.write_xlsb}
each_format = pytest.mark.parametrize("fmt", list(WRITERS))
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "hefei-hr-2025.xlsx"


def _every_sheet(path: Path, writer: Callable[..., Path] | None = None) -> Path:
    return build_input(
        path, writer=writer,
        revenue=[{"year": 2024, "revenue": 180_000_000}, {"year": 2025, "revenue": 230_000_000}],
        placements=[{}, {"placement_id": "P-2", "talent_class": "A", "urgent_need": "是",
                         "placement_date": date(2025, 5, 6), "annual_salary": "1,234,567.89"},
                    {"placement_id": "P-3", "key_enterprise": "否", "headhunting_fee": 55_000.5}],
        recognitions=[{"kind": "high_tech", "date": date(2025, 6, 1)}],
        parks=[{}],
        prior_awards=[{"payee_id": code(1), "award": "scale_up", "amount": 200_000, "date": date(2024, 12, 1)}],
    )


def _comparable(records: Records) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for sheet in ("institutions", "revenue", "placements", "recognitions", "parks", "prior_awards", "claims"):
        out[sheet] = [replace(r, source=None) for r in getattr(records, sheet)]
    out["issues"] = [(i.severity, i.sheet, i.row, i.column, i.message.key) for i in records.issues]
    return out


@each_format
def test_the_format_gives_the_records_the_xlsx_gives(tmp_path: Path, bundled: Policy, fmt: str) -> None:
    xlsx = read_workbook(_every_sheet(tmp_path / "in.xlsx"), bundled)
    other = read_workbook(_every_sheet(tmp_path / f"in.{fmt}", WRITERS[fmt]), bundled)
    assert load(tmp_path / f"in.{fmt}", Limits()).kind == fmt
    assert xlsx.errors == [] and xlsx.placements
    assert _comparable(other) == _comparable(xlsx)


@each_format
def test_the_format_computes_the_awards_the_xlsx_computes(tmp_path: Path, invoke: Invoke, fmt: str) -> None:
    def awards(path: Path) -> tuple[Any, Any]:
        res = invoke("calculate", path, "--json", "-", "--quiet")
        assert res.exit_code == 0, res.stdout + res.stderr
        doc = json.loads(res.stdout)
        return doc["total"], doc["payees"]

    assert awards(_every_sheet(tmp_path / f"in.{fmt}", WRITERS[fmt])) == awards(_every_sheet(tmp_path / "in.xlsx"))


@each_format
def test_the_formats_bad_cells_are_the_same_errors(tmp_path: Path, bundled: Policy, fmt: str) -> None:
    rows = {"placements": [{"annual_salary": -5}, {"placement_id": "P-2", "placement_date": "2025-02-30"},
                           {"placement_id": "P-3", "key_enterprise": "maybe"}]}
    xlsx = read_workbook(build_input(tmp_path / "in.xlsx", **rows), bundled)  # type: ignore[arg-type]
    other = read_workbook(build_input(tmp_path / f"in.{fmt}", writer=WRITERS[fmt], **rows), bundled)  # type: ignore[arg-type]
    assert len(xlsx.errors) == 3
    assert _comparable(other) == _comparable(xlsx)


@each_format
def test_the_format_skips_a_totals_row_and_notes_filled_down_rows(tmp_path: Path, bundled: Policy, fmt: str) -> None:
    heads = list(defaults("placements", 0))
    good = [[defaults("placements", i)[h] for h in heads] for i in range(2)]
    totals: list[object] = [None] * len(heads)
    totals[0] = "合计"
    totals[heads.index("headhunting_fee")] = 200_000
    serial = [["序号", *heads], *([n + 1, *row] for n, row in enumerate(good)), [None, *totals],
              *([n] for n in range(4, 44))]
    path = WRITERS[fmt](tmp_path / f"in.{fmt}", {"institutions": [["credit_code", "name"], [code(1), "甲"]],
                                                  "placements": serial})
    records = read_workbook(path, bundled)
    assert records.errors == [] and len(records.placements) == 2
    assert [i.message.key for i in records.issues if i.severity == "info"] == [
        "read.header.unknown", "read.row.totals", "read.rows.empty"]  # 序号 is no column of hrcalc


@each_format
def test_the_format_tells_a_credit_code_stored_as_a_number(tmp_path: Path, bundled: Policy, fmt: str) -> None:
    path = WRITERS[fmt](tmp_path / f"in.{fmt}", {"institutions": [["credit_code", "name"], [913401001717820730, "甲"]]})
    assert [e.message.key for e in read_workbook(path, bundled).errors] == ["read.cell.code_number"]


@each_format
def test_the_limits_hold_for_the_format(tmp_path: Path, bundled: Policy, fmt: str) -> None:
    path = _every_sheet(tmp_path / f"in.{fmt}", WRITERS[fmt])
    with pytest.raises(InputFileError) as caught:
        read_workbook(path, bundled, limits=Limits(max_rows=2))
    assert caught.value.message.key == "read.limit.rows"
    with pytest.raises(InputFileError) as caught:
        read_workbook(path, bundled, limits=Limits(max_file_bytes=100))
    assert caught.value.message.key == "read.limit.file_size"
    with pytest.raises(InputFileError) as caught:
        read_workbook(path, bundled, limits=Limits(max_sheets=2))
    assert caught.value.message.key == "read.limit.sheets"


def test_an_ods_is_held_to_the_zip_limits(tmp_path: Path, bundled: Policy) -> None:
    path = _every_sheet(tmp_path / "in.ods", formats.write_ods)
    with pytest.raises(InputFileError) as caught:
        read_workbook(path, bundled, limits=Limits(max_uncompressed_bytes=1000))
    assert caught.value.message.key == "read.limit.uncompressed"


@each_format
def test_a_damaged_file_of_the_format_is_exit_2(tmp_path: Path, invoke: Invoke, fmt: str) -> None:
    good = _every_sheet(tmp_path / f"good.{fmt}", WRITERS[fmt]).read_bytes()
    for name, data in (("cut", good[: len(good) // 2]), ("flipped", good[:600] + bytes(b ^ 0xFF for b in good[600:900])
                                                          + good[900:])):
        path = tmp_path / f"{name}.{fmt}"
        path.write_bytes(data)
        res = invoke("calculate", path, "--lang", "en")
        assert res.exit_code in (1, 2), (name, res.exit_code, res.stdout + res.stderr)
        assert "Traceback" not in res.stdout + res.stderr and "internal error" not in res.stdout + res.stderr


# ---- saved by LibreOffice -------------------------------------------------------------------------

SOFFICE = shutil.which("soffice")


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample saved by LibreOffice as .xlsx, .xls and .ods."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("resaved")
    src = out / "src"
    src.mkdir()
    shutil.copy(SAMPLE, src / SAMPLE.name)
    profile = (out / "profile").as_uri()
    saved = {}
    for fmt, filt in (("xlsx", "xlsx:Calc MS Excel 2007 XML"), ("xls", "xls"), ("ods", "ods")):
        subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", filt,
                        "--outdir", str(out), str(src / SAMPLE.name)], check=True, capture_output=True, timeout=300)
        saved[fmt] = out / f"{SAMPLE.stem}.{fmt}"
        assert saved[fmt].exists(), fmt
    return saved


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_the_sample_saved_by_libreoffice_gives_the_same_lines(resaved: dict[str, Path], invoke: Invoke,
                                                               fmt: str) -> None:
    def doc(path: Path) -> dict[str, Any]:
        res = invoke("calculate", path, "--json", "-", "--quiet")
        assert res.exit_code == 0, res.stdout + res.stderr
        data: dict[str, Any] = json.loads(res.stdout)
        return data

    original, other = doc(SAMPLE), doc(resaved[fmt])
    for key in ("total", "by_award", "payees", "issues", "reconciliation"):
        assert other[key] == original[key], key
    assert other["input"]["sha256"] != original["input"]["sha256"]


def test_employer_codes_survive_every_format(tmp_path: Path, bundled: Policy) -> None:
    for fmt, writer in (("xlsx", write_workbook), *WRITERS.items()):
        records = read_workbook(_every_sheet(tmp_path / f"e.{fmt}", writer), bundled)
        assert {p.employer_credit_code for p in records.placements} == {EMPLOYER}, fmt


_FAR_CELL_CHILD = """
import sys
from pathlib import Path
from hrcalc.errors import InputFileError
from hrcalc.policy import load_policy
from hrcalc.read import read_workbook
try:
    read_workbook(Path(sys.argv[1]), load_policy())
except InputFileError as exc:
    print(exc.message.key)
"""


@pytest.mark.parametrize("fmt", ["xls", "xlsb", "ods"])
def test_a_grid_too_large_for_calamine_is_refused_before_it_is_laid_out(tmp_path: Path, fmt: str) -> None:
    """Two cells at opposite corners would make calamine allocate the grid between them, and abort
    the interpreter: the file is measured first (a child process, so pytest would survive an abort)."""
    rows: list[list[object]] = [["credit_code", "name"], [code(1), "甲"]]
    if fmt == "xlsb":
        far = formats.xlsb_record(0x00, (1_048_575).to_bytes(4, "little") + bytes(17)) + formats.xlsb_cell(0, 16_383, 1)
        path = formats.write_xlsb(tmp_path / "far.xlsb", {"institutions": rows}, extra=far)
    elif fmt == "xls":
        path = formats.write_xls(tmp_path / "far.xls", {"institutions": [*rows, [None, None, 1]]})
        data = bytearray(path.read_bytes())
        at = data.find(b"\x7e\x02\x0a\x00")  # the RK record of that cell: moved to row 65,535, column 65,535
        assert at > 0
        data[at + 4:at + 8] = b"\xff\xff\xff\xff"
        path.write_bytes(bytes(data))
    else:
        path = formats.write_ods(tmp_path / "far.ods", {"institutions": rows})
        import zipfile

        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        parts["content.xml"] = parts["content.xml"].replace(
            b"<table:table-row>", b'<table:table-row table:number-rows-repeated="5000">', 1).replace(
            b'<table:table-cell office:value-type="string">',
            b'<table:table-cell table:number-columns-repeated="16384" office:value-type="string">', 1)
        with zipfile.ZipFile(path, "w") as z:
            for name, data_ in parts.items():
                z.writestr(name, data_)
    child = subprocess.run([sys.executable, "-c", _FAR_CELL_CHILD, str(path)], capture_output=True, text=True,
                           timeout=300)
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == "read.limit.grid"


# ---- hidden rows and unit formats, where calamine tells neither -------------------------------------


def test_an_xls_tells_hidden_rows_and_unit_formats(tmp_path: Path, bundled: Policy) -> None:
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("revenue")
    wan, fake_point = xlwt.easyxf(num_format_str='#,##0"万元"'), xlwt.easyxf(num_format_str='0"."0000"万元"')
    for c, head in enumerate(["credit_code", "year", "revenue"]):
        ws.write(0, c, head)
    for r, (year, style) in enumerate(((2024, wan), (2025, fake_point)), start=1):
        ws.write(r, 0, code(1))
        ws.write(r, 1, year)
        ws.write(r, 2, 100_000_000 + r, style)
    ws.row(2).hidden = True
    inst = book.add_sheet("institutions")
    inst.write(0, 0, "credit_code")
    inst.write(0, 1, "name")
    inst.write(1, 0, code(1))
    inst.write(1, 1, "甲")
    book.save(str(tmp_path / "in.xls"))
    records = read_workbook(tmp_path / "in.xls", bundled)
    assert [r.revenue for r in records.revenue] == [100_000_001, 100_000_002]
    found = {(i.message.key, i.sheet, i.column, i.value) for i in records.issues if i.severity == "warning"}
    assert ("read.format.unit", "revenue", "revenue", '#,##0"万元"') in found
    assert ("read.rows.hidden", "revenue", None, None) in found


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_libreoffice_files_tell_hidden_rows_and_unit_formats(tmp_path: Path, bundled: Policy, fmt: str) -> None:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from openpyxl import load_workbook

    src = build_input(tmp_path / "unit.xlsx", revenue=[{"year": 2024, "revenue": 100_000_000},
                                                        {"year": 2025, "revenue": 130_000_000}])
    wb = load_workbook(src)
    ws = wb["revenue"]
    column = next(c.column for c in ws[1] if c.value == "revenue")
    ws.cell(2, column).number_format = '0"."0000"万元"'
    ws.row_dimensions[3].hidden = True
    wb.save(src)
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", fmt, "--outdir", str(tmp_path), str(src)], check=True, capture_output=True,
                   timeout=300)
    records = read_workbook(tmp_path / f"unit.{fmt}", bundled)
    found = {(i.message.key, i.sheet, i.column, i.value) for i in records.issues if i.severity == "warning"}
    # LibreOffice writes the false decimal point of an .xls as \. rather than "."
    assert found & {("read.format.unit", "revenue", "revenue", code) for code in ('0"."0000"万元"', '0\\.0000"万元"')}
    assert ("read.rows.hidden", "revenue", None, None) in found
    assert [r.revenue for r in records.revenue] == [100_000_000, 130_000_000]


def test_an_xlsb_tells_hidden_rows_and_unit_formats(tmp_path: Path, bundled: Policy) -> None:
    rows: list[list[object]] = [["credit_code", "year", "revenue"], [code(1), 2024, 100_000_000],
                                [code(1), 2025, 130_000_000]]
    path = formats.write_xlsb(tmp_path / "in.xlsb", {"institutions": [["credit_code", "name"], [code(1), "甲"]],
                                                     "revenue": rows},
                              formats={("revenue", 2): '#,##0"万元"'}, hidden={"revenue": [2]})
    records = read_workbook(path, bundled)
    assert [r.revenue for r in records.revenue] == [100_000_000, 130_000_000]
    found = {(i.message.key, i.sheet, i.column, i.value) for i in records.issues if i.severity == "warning"}
    assert ("read.format.unit", "revenue", "revenue", '#,##0"万元"') in found
    assert ("read.rows.hidden", "revenue", None, None) in found
