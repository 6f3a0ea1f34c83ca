"""render/rowsheet.py's RowSheet.put_row against stock xlsxwriter: the same sheet XML, byte for byte.

put_row relies on xlsxwriter's private internals (pyproject.toml pins xlsxwriter for it). These tests
write the same rows once with the stock per-cell API (write_string, write_number, write_datetime,
write_blank) and once with put_row, around the same stock calls (set_row, merge_range, freeze panes,
a filter, stock rows before and after), and require every part of the two files to be identical, so
an xlsxwriter whose internals changed fails here before any report differs. The real report of the
bundled sample is compared the same way, written through put_row and through the stock calls.
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import python_calamine
import xlsxwriter
from openpyxl import load_workbook

from hrcalc import api
from hrcalc.policy import Policy
from hrcalc.render import report
from hrcalc.render.rowsheet import CellValue, RowSheet

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "hefei-hr-2025.xlsx"

# every character either Python's str.isspace or the regular expressions' \s calls whitespace (put_row
# tells edge spaces with the one, xlsxwriter with the other)
SPACES = "".join(ch for ch in map(chr, range(0x3000 + 1)) if ch.isspace() or re.match(r"\s", ch))

TEXTS = [
    "plain", "合肥市人力资源服务有限公司", "a < b & c > d", '"quoted" \'single\'', "<t>tag</t>", "&amp;",
    "_x0041_", "_x00e9_ and _X0041_ and _x004_", "__x0041__", "_", "  leading", "trailing  ", " both ", "\tTab",
    "line\nbreak\n", "cr\r\nlf", "ctl\x01\x08\x0b\x0c\x0e\x1f", "\x00nul", "non\ufffechar\uffff", "=1+1", "+1", "-1",
    "@SUM(A1)", "#N/A", '=HYPERLINK("http://example.invalid","x")', "", "中文，全角\u3000", "\u3000全角空格",
    "\xa0nbsp\xa0", "x" * 16_383, "x" * 32_767, "y" * 40_000, "中" * 32_767, "😀" * 20_000, "a😀" * 12_000,
    *(f"{ch}edge{ch}" for ch in SPACES), *(f"in{ch}side" for ch in SPACES),
]
NUMBERS: list[float | int] = [0, 1, -1, 0.0, -0.0, 12345.67, -1995000.0, 1e-10, 1.5e20, 2**53 + 1, 10**20, 0.1 + 0.2,
                              123456789.12345679]
DATES: list[date] = [date(2024, 7, 1), date(1900, 3, 1), datetime(2026, 6, 30, 23, 59, 59),
                     datetime(2025, 1, 1, 12, 0, 0, 500_000)]
FORMATS = ("text", "wrap", "money", "date", "int", None)

Row = tuple[int, list[CellValue], list[str | None]]


def rows_to_write() -> list[Row]:
    """Rows of every cell kind, with every format (and none), at gaps and at columns not from A."""
    values: list[CellValue] = [*TEXTS, *NUMBERS, *DATES, None]
    rows: list[Row] = []
    r = 3
    for i in range(0, len(values), 7):  # seven cells a row, formats rotating, some cells absent
        chunk = values[i:i + 7]
        fmts = [FORMATS[(i + j) % len(FORMATS)] for j in range(len(chunk))]
        rows.append((r, chunk, fmts))
        r += 1 + (i % 3 == 0)  # some rows skipped
    rows.append((r, [None, None, "from D", 4.5], [None, None, "text", "money"]))  # first cell not in column A
    rows.append((r + 1, [None, None], [None, None]))  # nothing to write: no row at all
    rows.append((r + 2, [None, "blank with a format", None], ["text", None, "wrap"]))
    rows.append((r + 4, ["after a row with only a height"], [None]))  # row r + 3: set_row alone
    r += 5
    for n in range(700):  # more rows than put_row holds before it writes them out, some by stock calls
        rows.append((r + n, [f"名称{n % 50}", n, n * 1.25, date(2025, 1, 1 + n % 28), None if n % 3 else "x"],
                     ["text", "int", "money", "date", None if n % 2 else "wrap"]))
    return rows


STOCK_ROWS = range(40, 1000, 97)  # rows written by the stock calls in both files


def write(path: Path, rows: list[Row], fast: bool, constant_memory: bool = True) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False,
                                         "default_date_format": "yyyy-mm-dd"})
    fmt = {"text": wb.add_format({"valign": "top"}), "wrap": wb.add_format({"text_wrap": True}),
           "money": wb.add_format({"num_format": "#,##0.00"}), "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
           "int": wb.add_format({"align": "center", "border": 1}), "column": wb.add_format({"italic": True}),
           "row": wb.add_format({"bold": True, "font_color": "#C00000"})}
    ws = wb.add_worksheet("s", worksheet_class=RowSheet)
    ws.set_column(2, 2, 30, fmt["column"])  # a text without a format in column C takes the column's
    ws.set_column(0, 1, 12)
    ws.write_string(0, 0, "title", fmt["text"])
    ws.set_row(1, 40)
    ws.merge_range(1, 0, 1, 5, "banner & <co>", fmt["wrap"])
    for c, h in enumerate(("h1", "h2", "h3")):
        ws.write_string(2, c, h, fmt["row"])
    for n, (r, values, names) in enumerate(rows):
        height: float | None = None
        if n % 4 == 1:
            height = 15 * (1 + n % 5) + 3
        elif n % 13 == 3:
            height = (0, 10.3, 15, 15.2, 409)[n % 5]  # hidden, rounded to pixels, the default, Excel's limit
        elif values == [None, None]:
            height = 30  # a height and nothing to write
        # a height given to put_row is set_row(r, height) just before the row's cells (so the stock file
        # sets it there); others are set by set_row first, before put_row too
        late = n not in STOCK_ROWS and (n % 3 != 0 or values == [None, None])
        if height is not None and not late:
            ws.set_row(r, height)
            height = None
        if n % 9 == 2:
            ws.set_row(r, None, fmt["row"])  # a row format: a cell without its own takes it
        formats = [None if k is None else fmt[k] for k in names]
        if values == ["after a row with only a height"]:
            ws.set_row(r - 1, 22)  # a row with a height and no cells: lost in constant_memory, as stock loses it
        if fast and n not in STOCK_ROWS:
            ws.put_row(r, values, formats, height)  # a height given here is what set_row(r, height) sets
        else:
            if height is not None:
                ws.set_row(r, height)
            for c, (v, f) in enumerate(zip(values, formats, strict=True)):
                if isinstance(v, str):
                    ws.write_string(r, c, v, f)
                elif v is None:
                    ws.write_blank(r, c, None, f)
                elif isinstance(v, date):
                    ws.write_datetime(r, c, v, f)
                else:
                    ws.write_number(r, c, v, f)
    last = rows[-1][0]
    ws.set_row(last + 2, 30)
    ws.write_string(last + 2, 0, "signed:", fmt["text"])  # stock rows after put_row's
    ws.write_blank(last + 2, 1, None, fmt["int"])
    ws.freeze_panes(3, 1)
    ws.autofilter(2, 0, last, 6)
    wb.close()


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:  # docProps/core.xml holds the time the file was made
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def assert_same(a: Path, b: Path) -> None:
    pa, pb = parts(a), parts(b)
    assert sorted(pa) == sorted(pb)
    for name in pa:
        if pa[name] != pb[name]:
            x, y = pa[name], pb[name]
            i = next((i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), min(len(x), len(y)))
            pytest.fail(f"{name} differs at byte {i}: {x[max(0, i - 80):i + 80]!r} vs {y[max(0, i - 80):i + 80]!r}")


@pytest.mark.parametrize("constant_memory", [True, False], ids=["streamed", "in-memory"])
def test_put_row_writes_what_the_stock_cell_calls_write(tmp_path: Path, constant_memory: bool) -> None:
    rows = rows_to_write()
    write(tmp_path / "stock.xlsx", rows, fast=False, constant_memory=constant_memory)
    write(tmp_path / "fast.xlsx", rows, fast=True, constant_memory=constant_memory)
    assert_same(tmp_path / "stock.xlsx", tmp_path / "fast.xlsx")
    if not constant_memory:
        return  # put_row leaves a workbook held in memory to the stock calls: shared strings, not inline
    sheet = parts(tmp_path / "fast.xlsx")["xl/worksheets/sheet1.xml"].decode()
    assert "_x005F_x0041_" in sheet and "_x0001_" in sheet and 'xml:space="preserve"' in sheet  # exercised
    assert "&lt;t&gt;tag&lt;/t&gt;" in sheet and len(re.findall(r"<v>", sheet)) > len(NUMBERS)


def test_put_row_reads_back_as_written(tmp_path: Path) -> None:
    """Through the reader hrcalc uses (python-calamine): every text as typed, or cut at Excel's
    32,767 UTF-16 units as xlsxwriter cuts it; every number to xlsxwriter's 16 significant digits."""
    texts = [t for t in TEXTS if "\ufffe" not in t and "\uffff" not in t]  # calamine leaves their escape
    path = tmp_path / "back.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("s", worksheet_class=RowSheet)
    for r in range(max(len(texts), len(NUMBERS))):
        ws.put_row(r, [texts[r] if r < len(texts) else None, NUMBERS[r] if r < len(NUMBERS) else None],
                   [None, None])
    wb.close()
    got = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    for r, text in enumerate(texts):
        if len(text.encode("utf-16-le")) <= 2 * 32_767:
            assert got[r][0] == text, r
        else:
            assert text.startswith(got[r][0]) and len(got[r][0].encode("utf-16-le")) // 2 in (32_766, 32_767)
    assert [got[r][1] for r in range(len(NUMBERS))] == [float(f"{v:.16G}") for v in NUMBERS]


def test_rich_looking_text_is_text(tmp_path: Path) -> None:
    """Stock constant_memory writes "<r>…</r>" unescaped, as rich-string XML (it reads back empty, or
    damages the file): put_row's one deliberate difference writes it as the text it is."""
    texts = ["<r>x</r>", "<r><t>y</t></r>", '<r></t></is></c><c r="B9"><v>1</v></c><c><is><t></r>']
    path = tmp_path / "rich.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("s", worksheet_class=RowSheet)
    for r, text in enumerate(texts):
        ws.put_row(r, [text], [None])
    wb.close()
    assert [ws_row[0] for ws_row in load_workbook(path).active.iter_rows(values_only=True)] == texts


def test_a_row_changed_after_put_row_wrote_it_fails_loudly(tmp_path: Path) -> None:
    for change in ("set_row", "write_string"):
        wb = xlsxwriter.Workbook(str(tmp_path / f"{change}.xlsx"), {"constant_memory": True})
        ws = wb.add_worksheet("s", worksheet_class=RowSheet)
        ws.put_row(0, ["a", 1], [None, None])
        if change == "set_row":
            ws.set_row(0, 30)  # stock would still apply it: the row is pending until the next begins
        else:
            ws.write_string(0, 2, "late")
        with pytest.raises(RuntimeError, match="row 1 of sheet 's' was changed after put_row wrote it"):
            ws.put_row(1, ["b"], [None])
        wb.fileclosed = True  # the workbook is abandoned


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_infinity_are_refused_as_stock_refuses_them(tmp_path: Path, value: float) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / "n.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet("s", worksheet_class=RowSheet)
    with pytest.raises(TypeError, match="NAN/INF"):
        ws.write_number(0, 0, value)
    with pytest.raises(TypeError, match="NAN/INF"):
        ws.put_row(1, [value], [None])
    with pytest.raises(TypeError, match="not bytes"):
        ws.put_row(2, [b"x"], [None])  # type: ignore[list-item]
    wb.close()


def _stock_put_row(self: RowSheet, row: int, values: Sequence[CellValue], formats: Sequence[Any],
                   height: float | None = None) -> None:
    if height is not None:
        self.set_row(row, height)
    self._put_cells(row, values, formats)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sample_report_is_the_same_written_cell_by_cell(tmp_path: Path, bundled: Policy,
                                                            monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    result = api.run(SAMPLE, policy=bundled)
    now = datetime(2026, 12, 1, 9, 0)

    def build(path: Path) -> None:
        report.build_workbook(result, path, lang="zh" if lang == "zh" else "en", now=now)

    build(tmp_path / "fast.xlsx")
    with monkeypatch.context() as m:
        m.setattr(RowSheet, "put_row", _stock_put_row)
        build(tmp_path / "stock.xlsx")
    assert_same(tmp_path / "stock.xlsx", tmp_path / "fast.xlsx")
    assert len(parts(tmp_path / "fast.xlsx")["xl/worksheets/sheet2.xml"]) > 10_000  # the award lines are there


def test_xlsxwriter_is_the_version_put_row_was_checked_against() -> None:
    """pyproject.toml pins xlsxwriter's minor version for put_row alone; the tests above are what a
    wider pin must pass first."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pin = re.search(r'"xlsxwriter>=([\d.]+),<([\d.]+)"', text)
    assert pin is not None, "xlsxwriter must stay pinned while render/rowsheet.py uses its internals"
    version = tuple(int(p) for p in xlsxwriter.__version__.split(".")[:2])
    low = tuple(int(p) for p in pin.group(1).split(".")[:2])
    high = tuple(int(p) for p in pin.group(2).split(".")[:2])
    assert low <= version < high, (xlsxwriter.__version__, pin.group(0))
    assert sys.version_info >= (3, 11)


def test_every_whitespace_character_is_one_put_row_knows() -> None:
    """put_row writes a text as it is only when neither edge is whitespace by str.isspace; it lists
    those characters up to U+3000, and no character beyond is whitespace; and it tells most plain
    texts by str.isprintable first."""
    assert not [i for i in range(0x3001, sys.maxunicode + 1) if chr(i).isspace()]
    # its quick test of a plain text: printable, so no control character, non-character or whitespace
    # but the space
    assert [ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isspace() and ch.isprintable()] == [" "]
    assert not [ch for ch in "\ufffe\uffff" + "".join(map(chr, range(0x20))) if ch.isprintable()]
