"""Excel craft shared by the report and the template: safe text, fitted widths, shared styles, streaming.

openpyxl's write-only mode streams rows to disk instead of building a worksheet in memory, so a
run of a hundred thousand lines fits; a sheet is planned as blocks of rows (lists or generators
of plain values), column widths are fitted from the first rows, and each cell gets one of a few
style arrays prepared once per workbook. Decimal money becomes a float only here, at the write
boundary, after the one rounding rule. Text is always stored as text: a value that starts with
`=` never becomes a formula, and characters XML cannot carry are replaced.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import chain, islice
from typing import Any, Literal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from hrcalc.money import round_money

# ---- cells that stay what they are ----------------------------------------------------------------

MAX_CELL_TEXT = 32767  # Excel's limit for one cell
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = frozenset("=+-@")
_ERROR_CODES = frozenset(ERROR_CODES)


def clean_text(text: str) -> str:
    """Text that XML and Excel can carry: illegal control characters replaced, length capped."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("\ufffd", text)
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "…"
    return text


def needs_text_guard(text: str) -> bool:
    """Would openpyxl, Excel or LibreOffice read this string as a formula or an error code?"""
    return text[:1] in _FORMULA_START or text in _ERROR_CODES


@lru_cache(maxsize=1 << 14)
def text_width(text: str) -> int:
    """Display width in Excel's character units: East Asian wide and full-width characters count two."""
    width = 0
    for line in text.split("\n"):
        w = len(line)
        if not line.isascii():
            w += sum(1 for ch in line if unicodedata.east_asian_width(ch) in "WF")
        width = max(width, w)
    return width


# ---- styles ---------------------------------------------------------------------------------------

StyleName = Literal["header", "banner", "title", "money", "money_total", "label_total", "pct", "pct2",
                    "date", "datetime", "text"]
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
PCT_FORMAT = "0%"
PCT2_FORMAT = "0.00%"
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_BANNER_FILL = PatternFill("solid", fgColor="C00000")
_TOTAL_BORDER = Border(top=Side(style="thin"))


class Styles:
    """One style array per kind of cell, made once per workbook and shared by every cell of that kind.

    openpyxl would otherwise look a style up (hash fonts and fills) for every cell it writes.
    """

    def __init__(self, ws: Any) -> None:
        specs: dict[StyleName, dict[str, Any]] = {
            "header": {"font": Font(bold=True), "fill": _HEADER_FILL,
                       "alignment": Alignment(vertical="center")},
            "banner": {"font": Font(bold=True, color="FFFFFF", size=12), "fill": _BANNER_FILL},
            "title": {"font": Font(bold=True, size=12)},
            "money": {"number_format": MONEY_FORMAT},
            "money_total": {"number_format": MONEY_FORMAT, "font": Font(bold=True), "border": _TOTAL_BORDER},
            "label_total": {"font": Font(bold=True), "border": _TOTAL_BORDER},
            "pct": {"number_format": PCT_FORMAT},
            "pct2": {"number_format": PCT2_FORMAT},
            "date": {"number_format": DATE_FORMAT},
            "datetime": {"number_format": DATETIME_FORMAT},
            "text": {},
        }
        self._arrays: dict[str, Any] = {}
        for name, attrs in specs.items():
            template = WriteOnlyCell(ws)
            for attr, value in attrs.items():
                setattr(template, attr, value)
            self._arrays[name] = template._style

    def cell(self, ws: Any, value: Any, style: StyleName) -> Any:
        c = WriteOnlyCell(ws, value)
        c._style = self._arrays[style]  # shared, never mutated: cells are written, not edited
        return c

    def text(self, ws: Any, text: str, style: StyleName | None = None) -> Any:
        """A cell stored as a string whatever it starts with; a plain value when nothing needs styling."""
        text = clean_text(text)
        if needs_text_guard(text):
            c = WriteOnlyCell(ws, None)
            c.value = text
            c.data_type = "s"  # '=…' would otherwise be written as a formula, '#N/A' as an error
            if style is not None:
                c._style = self._arrays[style]
            return c
        if style is None:
            return text
        return self.cell(ws, text, style)


# ---- values with a kind ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Pct:
    """A rate to show as a percentage in a column that holds other kinds too."""

    value: Decimal


@dataclass(frozen=True, slots=True)
class Money:
    """Money in a column that holds other kinds too (a plain Decimal there is money as well)."""

    value: Decimal


Value = str | int | Decimal | Pct | Money | date | datetime | None
ColumnKind = Literal["text", "int", "money", "rate", "date", "any"]
ProgressFn = Callable[[int, int], None]
"""Called with (rows written, rows in all) while the report is written."""


def _money_float(value: Decimal) -> float:
    # the write boundary: the one place a Decimal becomes a float, after the one rounding rule
    return float(round_money(value))


def _display(value: Value) -> str:
    """How a value will look, for fitting the column width."""
    if value is None:
        return ""
    if isinstance(value, Money):
        value = value.value
    if isinstance(value, Decimal):
        return f"{round_money(value):,.2f}"
    if isinstance(value, Pct):
        return f"{value.value * 100:.2f}%"
    if isinstance(value, datetime):
        return "0000-00-00 00:00:00"
    if isinstance(value, date):
        return "0000-00-00"
    return str(value)


@dataclass(slots=True)
class Block:
    """One table on a sheet: an optional title line, a header row, data rows and total rows."""

    header: Sequence[str]
    kinds: Sequence[ColumnKind]
    rows: Iterable[Sequence[Value]]
    size: int  # how many rows `rows` yields, for the progress bar
    totals: Sequence[Sequence[Value]] = ()
    title: str | None = None


@dataclass(slots=True)
class SheetPlan:
    """A sheet: its name, its blocks (the first one frozen and filtered), and columns frozen on the left."""

    title: str
    blocks: list[Block]
    freeze_cols: int = 0
    filter: bool = True


WIDTH_SAMPLE = 2000  # rows per block that fit the column widths; later rows wrap or are clipped
MIN_WIDTH, MAX_WIDTH = 6, 60
PROGRESS_EVERY = 1 << 11


_Started = tuple[list[Sequence[Value]], Iterator[Sequence[Value]]]
"""A block's rows once its first rows were read to fit the widths: those rows, and the rest."""


@dataclass(slots=True)
class Counter:
    done: int = 0
    total: int = 0
    progress: ProgressFn | None = None

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and not self.done % PROGRESS_EVERY:
            self.progress(self.done, self.total)


@dataclass(slots=True)
class SheetWriter:
    """Writes planned sheets into one write-only workbook; every sheet gets the same banner, if any."""

    wb: Any
    banner: str | None
    counter: Counter
    styles: Styles | None = None

    def _styles(self, ws: Any) -> Styles:
        if self.styles is None:
            self.styles = Styles(ws)
        return self.styles

    def convert(self, ws: Any, value: Value, kind: ColumnKind, total: bool = False) -> Any:
        st = self._styles(ws)
        if value is None:
            return None
        if isinstance(value, str):
            return st.text(ws, value, "label_total" if total else None)
        if isinstance(value, Money):
            value = value.value
        if isinstance(value, Decimal):
            if kind == "rate":
                value = Pct(value)
            else:
                return st.cell(ws, _money_float(value), "money_total" if total else "money")
        if isinstance(value, Pct):
            scaled = value.value * 100
            return st.cell(ws, float(value.value), "pct" if scaled == scaled.to_integral_value() else "pct2")
        if isinstance(value, datetime):
            return st.cell(ws, value, "datetime")
        if isinstance(value, date):
            return st.cell(ws, value, "date")
        return value  # int

    def widths(self, plan: SheetPlan) -> tuple[list[int], list[_Started]]:
        """Column widths from the headers and each block's first rows, and each block's rows: the
        peeked ones and an iterator over the rest (rows may be a generator, read only once)."""
        widths: list[int] = []
        started: list[_Started] = []

        def fit(values: Sequence[Value]) -> None:
            for i, v in enumerate(values):
                if i >= len(widths):
                    widths.append(MIN_WIDTH)
                widths[i] = max(widths[i], text_width(_display(v)) + 2)

        for block in plan.blocks:
            fit(block.header)
            rest = iter(block.rows)
            head = list(islice(rest, WIDTH_SAMPLE))
            started.append((head, rest))
            for row in head:
                fit(row)
            for row in block.totals:
                fit(row)
        return [min(w, MAX_WIDTH) for w in widths], started

    def write(self, plan: SheetPlan) -> None:
        ws = self.wb.create_sheet(clean_text(plan.title))
        st = self._styles(ws)
        widths, started = self.widths(plan)
        # column widths and frozen panes go out with the first row, so they are set first
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        first_header_row = 1 + (self.banner is not None)
        if plan.blocks and plan.blocks[0].title is not None:
            first_header_row += 1
        ws.freeze_panes = f"{get_column_letter(plan.freeze_cols + 1)}{first_header_row + 1}"
        # a filed report is printed: landscape, as wide as the page, the header on every page
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = f"{first_header_row}:{first_header_row}"
        row_no = 0
        if self.banner is not None:
            ws.append([st.text(ws, self.banner, "banner")])
            row_no += 1
        filter_ref: str | None = None
        for index, (block, (head, rest)) in enumerate(zip(plan.blocks, started, strict=True)):
            if index:
                ws.append([])
                row_no += 1
            if block.title is not None:
                ws.append([st.text(ws, block.title, "title")])
                row_no += 1
            ws.append([st.text(ws, h, "header") for h in block.header])
            row_no += 1
            header_row = row_no
            kinds = block.kinds
            convert = self.convert
            tick = self.counter.tick
            for row in chain(head, rest):
                ws.append([convert(ws, v, kinds[i]) for i, v in enumerate(row)])
                row_no += 1
                tick()
            if index == 0 and plan.filter:
                filter_ref = f"A{header_row}:{get_column_letter(len(block.header))}{row_no}"
            for row in block.totals:
                ws.append([convert(ws, v, kinds[i], total=True) for i, v in enumerate(row)])
                row_no += 1
        if filter_ref is not None:
            ws.auto_filter.ref = filter_ref
