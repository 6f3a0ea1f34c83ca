"""Broken, strange and hostile workbooks: one clear message, the documented exit code, nothing written.

Every file of the corpus (tests/corpus.py) runs through the real command twice: in a child
process in Chinese, with its memory capped (a bomb that got inflated would die there, not take
the test machine down) and its peak memory measured, and in-process in English. Then the limits
of hrcalc/limits.py, each reached with small limits, and the command's last-resort handler.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from hrcalc import read as workbook
from hrcalc.errors import InputFileError
from hrcalc.limits import DEFAULT_LIMITS, Limits
from hrcalc.policy import Policy
from hrcalc.read import calamine_sheets, openpyxl_sheets, read_workbook
from hrcalc.records import Records
from tests import corpus
from tests.builders import build_input, code
from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parent.parent
MEMORY_BUDGET_KB = 500 * 1024  # what one run may use at its peak (the issue's 500 MB)
ADDRESS_SPACE_CAP = 2 * 1024 ** 3  # a hard stop for a child that tries to inflate a bomb
TIMEOUT_S = 120  # a guard against a hang, not a timing assertion
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \".*\", line \d+")

# The child reports its own peak memory (ru_maxrss) to a file when it exits.
_CHILD = """
import atexit, os, resource, sys
def _report() -> None:
    with open(os.environ["HRCALC_TEST_MAXRSS"], "w") as fh:
        fh.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
atexit.register(_report)
from hrcalc.cli import main
sys.argv[0] = "hrcalc"
main()
"""


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    maxrss_kb: int
    json: Path
    report: Path

    @property
    def text(self) -> str:
        return self.out + self.err


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


def _child_run(path: Path, work: Path, *extra: str) -> Run:
    work.mkdir(parents=True, exist_ok=True)
    rss_file = work / "maxrss"
    json_out, report = work / "result.json", work / "report.xlsx"
    env = {**os.environ, "HRCALC_TEST_MAXRSS": str(rss_file), "COLUMNS": "200"}
    env.pop("HRCALC_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, "calculate", str(path), "--json", str(json_out), "-o", str(report),
         *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, preexec_fn=_cap_memory,
    )
    maxrss = int(rss_file.read_text()) if rss_file.exists() else -1
    return Run(proc.returncode, proc.stdout, proc.stderr, maxrss, json_out, report)


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("corpus")
    corpus.build(directory)
    return directory


@pytest.fixture(scope="session")
def zh_runs(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every corpus file through `hrcalc calculate` in a child process, a few at a time."""
    work = tmp_path_factory.mktemp("zh-runs")
    cases = [c for c in corpus.CASES if not c.in_process]
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = pool.map(lambda c: _child_run(corpus_dir / c.name, work / c.name), cases)
        return {c.name: run for c, run in zip(cases, runs, strict=True)}


def _says(text: str, fragment: str) -> bool:
    """Whether the output says `fragment`, however a table wrapped it."""
    def squash(t: str) -> str:
        return re.sub(r"[\s│┃]", "", t)

    return squash(fragment) in squash(text)


def _no_trace(text: str) -> None:
    assert not TRACEBACK.search(text), text[-3000:]
    assert "Warning" not in text, text[-3000:]  # no Python warning reaches the clerk


def _check_outputs(code: int, json_out: Path, report: Path, text: str) -> None:
    if code == 0:
        assert json_out.exists() and report.exists(), text[-2000:]
    else:
        assert not json_out.exists() and not report.exists()
        leftovers = [p.name for p in json_out.parent.iterdir() if p.name.startswith((".result", ".report"))]
        assert leftovers == []


@pytest.mark.parametrize("case", [c for c in corpus.CASES if not c.in_process], ids=lambda c: c.name)
def test_corpus_in_chinese_in_a_child_process(case: corpus.Case, zh_runs: dict[str, Run]) -> None:
    run = zh_runs[case.name]
    assert run.code == case.exit_code, run.text[-3000:]
    assert _says(run.text, case.zh), run.text[-3000:]
    _no_trace(run.text)
    _check_outputs(run.code, run.json, run.report, run.text)
    assert 0 < run.maxrss_kb < MEMORY_BUDGET_KB, run.maxrss_kb
    if run.code == 2:
        lines = [line for line in run.err.splitlines() if line.strip()]
        assert len(lines) == 1, run.err  # one message, not a cascade


@pytest.fixture
def unreadable_open(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As root, chmod 000 does not stop a read: make opening the corpus' unreadable file fail."""
    real_open = Path.open

    def fake_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "unreadable.xlsx" and "r" in (args[0] if args else kwargs.get("mode", "r")):
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", fake_open)
    yield


# English for every file; Chinese too for the files that need a monkeypatch (no child process)
IN_PROCESS = [pytest.param(c, "en", id=f"{c.name}-en") for c in corpus.CASES] + [
    pytest.param(c, "zh", id=f"{c.name}-zh") for c in corpus.CASES if c.in_process]


@pytest.mark.parametrize(("case", "lang"), IN_PROCESS)
def test_corpus_in_process(case: corpus.Case, lang: str, corpus_dir: Path, tmp_path: Path, invoke: Invoke,
                           request: pytest.FixtureRequest) -> None:
    if case.in_process:
        request.getfixturevalue("unreadable_open")
    json_out, report = tmp_path / "result.json", tmp_path / "report.xlsx"
    res = invoke("calculate", corpus_dir / case.name, "--json", json_out, "-o", report, "--lang", lang)
    text = res.stdout + res.stderr
    assert res.exit_code == case.exit_code, text[-3000:]
    assert _says(text, case.zh if lang == "zh" else case.en), text[-3000:]
    if lang == "en" and case.zh:
        assert not _says(text, case.zh)
    _no_trace(text)
    _check_outputs(res.exit_code, json_out, report, text)


def test_every_refused_case_names_its_message() -> None:
    for case in corpus.CASES:
        assert case.exit_code == 0 or (case.zh and case.en), case.name


# ---- what the reader makes of the odd but readable files ---------------------------------------


def _read(path: Path, policy: Policy, limits: Limits = DEFAULT_LIMITS) -> Records:
    return read_workbook(path, policy, limits=limits)


def test_a_lying_small_dimension_still_reads_every_row(corpus_dir: Path, bundled: Policy) -> None:
    records = _read(corpus_dir / "small-dimension.xlsx", bundled)
    assert records.errors == []
    assert [i.credit_code for i in records.institutions] == [code(n) for n in range(1, 31)]


def test_a_stray_cell_at_xfd1048576_costs_one_row(corpus_dir: Path, bundled: Policy) -> None:
    records = _read(corpus_dir / "far-cell.xlsx", bundled)
    assert records.errors == [] and len(records.institutions) == 3


def test_hidden_sheets_are_read_with_a_warning(corpus_dir: Path, bundled: Policy) -> None:
    records = _read(corpus_dir / "hidden-sheets.xlsx", bundled)
    assert records.errors == []
    assert len(records.institutions) == 1 and len(records.placements) == 1
    warned = {(i.sheet, i.message.key) for i in records.issues if i.severity == "warning"}
    assert warned == {("institutions", "read.sheet.hidden"), ("placements", "read.sheet.very_hidden")}


def test_deep_nesting_is_read(corpus_dir: Path, bundled: Policy) -> None:
    assert len(_read(corpus_dir / "deep-nesting.xlsx", bundled).institutions) == 3


def test_an_external_entity_is_never_resolved(zh_runs: dict[str, Run]) -> None:
    run = zh_runs["external-entity.xlsx"]
    passwd = Path("/etc/passwd").read_text(errors="replace").splitlines()[0] if Path("/etc/passwd").exists() else ""
    assert passwd == "" or passwd not in run.text


def test_formulas_without_results_are_errors_even_in_optional_columns(corpus_dir: Path, bundled: Policy) -> None:
    records = _read(corpus_dir / "formula-without-value.xlsx", bundled)
    found = [(e.row, e.field, e.value, e.message.key) for e in records.errors]
    assert found == [(2, "annual_salary", "=500000+100000", "read.cell.formula_no_value"),
                     (3, "other_policy_amount", "=1000*5", "read.cell.formula_no_value")]
    assert records.placements == []


def test_merged_data_cells_are_errors_once(corpus_dir: Path, bundled: Policy) -> None:
    records = _read(corpus_dir / "merged-cells.xlsx", bundled)
    found = [(e.row, e.field, e.message.key, e.message.param("ref")) for e in records.errors]
    assert found == [(3, "credit_code", "read.cell.merged", "B2:B4"), (4, "credit_code", "read.cell.merged", "B2:B4")]
    assert [p.placement_id for p in records.placements] == ["P-0"]


def test_merged_title_rows_above_the_header_are_fine(tmp_path: Path, bundled: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", institutions=[{}])
    wb = load_workbook(path)
    ws = wb["institutions"]
    ws.insert_rows(1)
    ws["A1"] = "2025 年度机构名单"
    ws.merge_cells("A1:C1")
    wb.save(path)
    records = _read(path, bundled)
    assert records.errors == [] and len(records.institutions) == 1


def test_numbers_as_text(corpus_dir: Path, bundled: Policy) -> None:
    records = _read(corpus_dir / "numbers-as-text.xlsx", bundled)
    assert sorted(str(r.revenue) for r in records.revenue) == sorted(
        ["1234567.89", "500000", "12345", "100", "7", "0.5"])
    assert {e.value: e.message.key for e in records.errors} == {
        "30万": "read.cell.unit_in_number", "1.2.3": "read.cell.number", "12%": "read.cell.unit_in_number",
        "1e5": "read.cell.number", None: "read.cell.required", "—": "read.cell.number"}


@pytest.mark.parametrize("fast", [False, True], ids=["openpyxl", "calamine"])
def test_dates(corpus_dir: Path, bundled: Policy, fast: bool) -> None:
    if fast:
        pytest.importorskip("python_calamine")
    backend = calamine_sheets if fast else openpyxl_sheets
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = read_workbook(corpus_dir / "dates.xlsx", bundled, backend=backend)
    far = {"1000000000": "read.cell.date"}  # calamine gives the serial no calendar reaches as a number
    if not fast:
        # openpyxl warns about it, and gives #VALUE!: the CLI must keep the warning off the screen
        assert any("outside the limits for dates" in str(w.message) for w in caught)
        far = {"#VALUE!": "read.cell.excel_error"}
    assert {e.value: e.message.key for e in records.errors} == {
        "2025-02-30": "read.cell.no_such_date", "2025-13-01": "read.cell.no_such_date",
        "2025-02-29": "read.cell.no_such_date", "yesterday": "read.cell.date", "3/1/2025": "read.cell.date",
        **far}
    assert len(records.placements) == 7


def test_long_cells_and_control_characters_read_and_reach_the_report(corpus_dir: Path, tmp_path: Path,
                                                                      invoke: Invoke, bundled: Policy) -> None:
    records = _read(corpus_dir / "long-cells.xlsx", bundled)
    # XML reads a bare carriage return as a line feed; _x0001_ is Excel's escape of U+0001, shown so
    # by Excel and calamine; everything else arrives as written
    assert {i.name for i in records.institutions} == {
        corpus.LONG_NAME, corpus.CONTROL_NAME.replace("\r", "\n").replace("_x0001_", "\x01")}
    report = tmp_path / "report.xlsx"
    res = invoke("calculate", corpus_dir / "long-cells.xlsx", "-o", report, "--json", tmp_path / "r.json")
    assert res.exit_code == 0, res.stdout + res.stderr
    wb = load_workbook(report, read_only=True)
    cells = {v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)}
    assert corpus.LONG_NAME in cells
    assert any(v.startswith("控制") for v in cells)
    wb.close()


def test_a_macro_workbook_is_read_and_its_macros_ignored(corpus_dir: Path, bundled: Policy) -> None:
    with zipfile.ZipFile(corpus_dir / "macros.xlsm") as z:
        assert "macroEnabled" in z.read("[Content_Types].xml").decode()
    records = _read(corpus_dir / "macros.xlsm", bundled)
    assert records.errors == [] and len(records.placements) == 1


@pytest.mark.skipif(os.environ.get("HRCALC_SLOW_TESTS") != "1", reason="13 s of bzip2; HRCALC_SLOW_TESTS=1")
def test_the_bzip2_gigabyte_is_what_it_says() -> None:
    assert corpus.bzip2_gigabyte_recipe() == corpus.bzip2_gigabyte()


def test_the_zip_bombs_are_what_they_say(corpus_dir: Path) -> None:
    """Checked by headers only: unpacking them is what the tests must show hrcalc never does."""
    def sheet(name: str) -> zipfile.ZipInfo:
        with zipfile.ZipFile(corpus_dir / name) as z:
            return z.getinfo(corpus.SHEET1)

    assert sheet("zip-bomb.xlsx").file_size >= 2 * corpus.GIB
    assert (corpus_dir / "zip-bomb.xlsx").stat().st_size < 3 * corpus.MIB
    assert sheet("zip-bomb-ratio.xlsx").file_size >= 512 * corpus.MIB
    assert sheet("zip-bomb-lying.xlsx").file_size == 10 * corpus.KIB
    assert sheet("bzip2-bomb.xlsx").compress_type == zipfile.ZIP_BZIP2
    assert sheet("bzip2-bomb.xlsx").file_size == corpus.GIB


def test_the_deflate_trick_unpacks_to_what_it_claims(tmp_path: Path) -> None:
    part = corpus.bomb_part(corpus.SHEET1, 3 * corpus.MIB)
    corpus.write_zip(tmp_path / "b.zip", [part])
    with zipfile.ZipFile(tmp_path / "b.zip") as z:
        data = z.read(corpus.SHEET1)  # checks the CRC too
    assert len(data) == part.size and data.endswith(b"</sheetData></worksheet>")


def test_the_ole_files_have_their_streams() -> None:
    encrypted = corpus.encrypted_xlsx()
    assert encrypted.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    assert "EncryptionInfo".encode("utf-16-le") in encrypted
    assert "Workbook".encode("utf-16-le") in corpus.legacy_xls()


# ---- limits -------------------------------------------------------------------------------------


def _refused(path: Path, policy: Policy, limits: Limits) -> InputFileError:
    with pytest.raises(InputFileError) as info:
        _read(path, policy, limits)
    return info.value


def _big_institutions(path: Path, n: int = 40) -> Path:
    return build_input(path, institutions=[{"credit_code": code(i), "name": "机构" * 50} for i in range(1, n + 1)])


@pytest.mark.parametrize(("limits", "key", "named"), [
    (Limits(max_file_bytes=1000), "read.limit.file_size", ("文件大小上限", "file size limit")),
    (Limits(max_uncompressed_bytes=5000), "read.limit.uncompressed", ("解压后总大小上限", "unpacked size")),
    (Limits(max_compression_ratio=2, ratio_applies_above=1000), "read.limit.ratio",
     ("压缩比上限 2:1", "compression ratio limit of 2:1")),
    (Limits(max_zip_entries=5), "read.limit.entries", ("上限 5", "limit of 5")),
    (Limits(max_sheets=1), "read.limit.sheets", ("超过 1 张", "more than 1 sheets")),
    (Limits(max_rows=20), "read.limit.rows", ("每表行数上限 20", "limit of 20 rows per sheet")),
    (Limits(max_columns=1), "read.limit.columns", ("每表列数上限 1 列", "limit of 1 columns per sheet")),
])
def test_each_limit_is_refused_by_name(tmp_path: Path, bundled: Policy, limits: Limits, key: str,
                                       named: tuple[str, str]) -> None:
    path = _big_institutions(tmp_path / "in.xlsx")
    if key == "read.limit.sheets":
        path = build_input(tmp_path / "two.xlsx", placements=[{}])
    err = _refused(path, bundled, limits)
    assert err.message.key == key
    assert named[0] in err.message.render("zh") and named[1] in err.message.render("en")
    assert str(path) in err.message.render("zh")


def test_the_default_limits_read_the_same_file(tmp_path: Path, bundled: Policy) -> None:
    assert len(_read(_big_institutions(tmp_path / "in.xlsx"), bundled).institutions) == 40


def test_cell_length_limit_is_a_located_error(tmp_path: Path, bundled: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", institutions=[{"name": "x" * 101}, {"credit_code": code(2)}])
    records = _read(path, bundled, Limits(max_cell_chars=100))
    err = records.errors[0]
    assert (len(records.errors), err.row, err.field, err.message.key) == (1, 2, "name", "read.cell.too_long")
    assert "100" in err.message.render("en") and err.value is not None and len(err.value) <= 60
    assert [i.credit_code for i in records.institutions] == [code(2)]


def test_a_far_cell_past_the_column_limit_is_named(tmp_path: Path, bundled: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", institutions=[{}])
    wb = load_workbook(path)
    wb["institutions"]["E7"] = "stray"
    wb.save(path)
    err = _refused(path, bundled, Limits(max_columns=4))
    assert err.message.param("cell") == "E7" and "E7" in err.message.render("zh")


def test_blank_cells_past_the_column_limit_are_fine(tmp_path: Path, bundled: Policy) -> None:
    path = build_input(tmp_path / "in.xlsx", institutions=[{}])
    wb = load_workbook(path)
    wb["institutions"]["XFD2"].number_format = "0.00"  # a styled, empty cell
    wb["institutions"]["XFD3"] = " "
    wb.save(path)
    assert len(_read(path, bundled, Limits(max_columns=4)).institutions) == 1


def _many_sheets_on_one_part(src: Path, dst: Path, sheets: int) -> Path:
    """A workbook listing `sheets` sheets that all point at its one large worksheet part."""
    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            text = data.decode()
            one = re.search(r"<sheet [^>]*/>", text)
            assert one is not None
            many = one.group(0) + "".join(
                re.sub(r'name="[^"]*"', f'name="s{i}"', re.sub(r'sheetId="\d+"', f'sheetId="{i + 1}"', one.group(0)))
                for i in range(1, sheets))
            return text.replace(one.group(0), many).encode()
        if name == corpus.SHEET1:  # without a <dimension>, openpyxl reads the whole part to size it
            return re.sub(rb"<dimension [^>]*/>", b"", data)
        return data

    return corpus.rezip(src, dst, edit)


def test_one_part_read_a_thousand_times_is_refused(tmp_path: Path, bundled: Policy) -> None:
    src = build_input(tmp_path / "src.xlsx", institutions=[{"credit_code": code(i)} for i in range(1, 2001)])
    path = _many_sheets_on_one_part(src, tmp_path / "many.xlsx", 1000)
    err = _refused(path, bundled, DEFAULT_LIMITS)
    assert err.message.key == "read.limit.read"
    assert len(_read(_many_sheets_on_one_part(src, tmp_path / "two.xlsx", 2), bundled).institutions) == 2000


def test_rows_out_of_order_are_refused_not_dropped(tmp_path: Path, bundled: Policy) -> None:
    src = build_input(tmp_path / "src.xlsx", institutions=[{"credit_code": code(i)} for i in range(1, 4)])

    def edit(name: str, data: bytes) -> bytes:
        return data.replace(b'<row r="4">', b'<row r="2">', 1) if name == corpus.SHEET1 else data

    err = _refused(corpus.rezip(src, tmp_path / "in.xlsx", edit), bundled, DEFAULT_LIMITS)
    assert err.message.key == "read.file.corrupt" and "row 2 after row 3" in err.message.render("en")


def test_openpyxls_own_prints_stay_off_stdout(tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl print()s "7 is out of range" for a style index past the list: not onto --json -.

    (calamine, the default reader, ignores the broken style and reads the file: openpyxl is forced.)
    """
    monkeypatch.setattr(workbook, "default_backend", lambda: openpyxl_sheets)
    src = build_input(tmp_path / "src.xlsx", placements=[{}])

    def edit(name: str, data: bytes) -> bytes:
        return re.sub(rb'(<cellStyle [^>]*xfId=")0"', rb'\g<1>7"', data) if name == "xl/styles.xml" else data

    path = corpus.rezip(src, tmp_path / "in.xlsx", edit)
    res = invoke("calculate", path, "--json", "-")
    assert res.exit_code == 2 and res.stdout == "", res.stdout
    assert "7 is out of range" not in res.stderr and _says(res.stderr, "无法读取工作簿")


# ---- the command's last resort ------------------------------------------------------------------


def _explode(*args: object, **kwargs: object) -> None:
    raise RuntimeError("something deep\n" * 500)


def test_an_unexpected_error_exits_3_with_a_short_message(tmp_path: Path, invoke: Invoke,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import hrcalc.api

    monkeypatch.setattr(hrcalc.api, "run", _explode)
    monkeypatch.delenv("HRCALC_DEBUG", raising=False)
    path = build_input(tmp_path / "in.xlsx", placements=[{}])
    res = invoke("calculate", path, "--json", tmp_path / "r.json", "--lang", "en")
    text = res.stdout + res.stderr
    assert res.exit_code == 3
    assert "internal error" in text and "HRCALC_DEBUG=1" in text
    assert "Traceback" not in text and len(text.strip().splitlines()) == 1 and len(text) < 500
    assert not (tmp_path / "r.json").exists()
    res = invoke("calculate", path, "--lang", "en", env={"HRCALC_DEBUG": "1"})
    assert res.exit_code == 3 and "Traceback" in res.stdout + res.stderr


def test_python_warnings_stay_off_the_screen_unless_debugging(tmp_path: Path, invoke: Invoke,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import hrcalc.api

    real = hrcalc.api.read

    def noisy(*args: Any, **kwargs: Any) -> Records:
        warnings.warn("openpyxl-style noise", UserWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hrcalc.api, "read", noisy)
    path = build_input(tmp_path / "in.xlsx", placements=[{}])
    res = invoke("validate", path)
    assert res.exit_code == 0 and "noise" not in res.stdout + res.stderr


# ---- nothing lost under failure -----------------------------------------------------------------


def test_a_failed_write_leaves_the_earlier_file_and_no_temporary(tmp_path: Path) -> None:
    from hrcalc.errors import OutputFileError
    from hrcalc.outputs import write_atomic

    target = tmp_path / "report.xlsx"
    target.write_bytes(b"earlier report")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_bytes(b"half a rep")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputFileError):
        write_atomic(target, half_then_fail, force=True)
    assert target.read_bytes() == b"earlier report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]
    with pytest.raises(OutputFileError):
        write_atomic(tmp_path / "new.xlsx", half_then_fail, force=False)
    assert not (tmp_path / "new.xlsx").exists()
