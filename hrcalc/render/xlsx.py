"""Excel craft shared by the report and the template: safe text, fitted widths, shared formats, streaming.

The report is written with xlsxwriter in constant-memory mode: each row goes to disk as soon as
the next one starts, so a run of a hundred thousand lines fits, and a cell costs a few times less
than openpyxl's write-only mode (measured on the 100,000-placement benchmark). A sheet is planned
as blocks of rows (lists or generators of plain values), column widths are fitted from the first
rows, and each kind of cell gets one of a few formats made once per workbook. Decimal money
becomes a float only here, at the write boundary, after the one rounding rule. Text is always
stored as text (`write_string`): a value that starts with `=` never becomes a formula, and
characters XML cannot carry are replaced.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import Any, Literal

from hrcalc.money import round_money

# ---- cells that stay what they are ----------------------------------------------------------------

MAX_CELL_TEXT = 32767  # Excel's limit for one cell
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = frozenset("=+-@")
_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


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


# ---- formats -------------------------------------------------------------------------------------

StyleName = Literal["header", "banner", "title", "money", "money_total", "label_total", "pct", "pct2",
                    "date", "datetime", "wrap"]
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
PCT_FORMAT = "0%"
PCT2_FORMAT = "0.00%"
HEADER_FILL = "#D9E1F2"
BANNER_FILL = "#C00000"
_FORMATS: dict[StyleName, dict[str, Any]] = {
    "header": {"bold": True, "bg_color": HEADER_FILL, "pattern": 1, "valign": "vcenter"},
    "banner": {"bold": True, "font_color": "#FFFFFF", "font_size": 12, "bg_color": BANNER_FILL, "pattern": 1},
    "title": {"bold": True, "font_size": 12},
    "money": {"num_format": MONEY_FORMAT},
    "money_total": {"num_format": MONEY_FORMAT, "bold": True, "top": 1},
    "label_total": {"bold": True, "top": 1},
    "pct": {"num_format": PCT_FORMAT},
    "pct2": {"num_format": PCT2_FORMAT},
    "date": {"num_format": DATE_FORMAT},
    "datetime": {"num_format": DATETIME_FORMAT},
    "wrap": {"text_wrap": True, "valign": "top"},
}
WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                    "strings_to_urls": False}


def open_workbook(path: str | Path) -> Any:
    """A constant-memory xlsxwriter Workbook at `path` (written when it is closed; see close_workbook)."""
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)


def close_workbook(wb: Any) -> None:
    """Write the file; xlsxwriter's own 'cannot create the file' error becomes the OSError it wraps."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        wb.close()
    except FileCreateError as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))
        raise cause from None


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
ColumnKind = Literal["text", "wrap", "int", "money", "rate", "date", "any"]
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
    """Writes planned sheets into one constant-memory xlsxwriter workbook; every sheet gets the same
    banner, if any. Rows must be written in order: a row is on disk once the next one starts."""

    wb: Any
    banner: str | None
    counter: Counter
    formats: dict[str, Any] = field(default_factory=dict)

    def fmt(self, name: StyleName) -> Any:
        f = self.formats.get(name)
        if f is None:
            f = self.formats[name] = self.wb.add_format(_FORMATS[name])
        return f

    def put(self, ws: Any, r: int, c: int, value: Value, kind: ColumnKind, total: bool = False) -> None:
        """One cell of any kind; the slow, general path (write_row takes the common kinds quickly)."""
        if value is None:
            return
        if isinstance(value, str):
            style: StyleName | None = "label_total" if total else ("wrap" if kind == "wrap" else None)
            ws.write_string(r, c, clean_text(value), None if style is None else self.fmt(style))
            return
        if isinstance(value, Money):
            value = value.value
        if isinstance(value, Decimal):
            if kind == "rate":
                value = Pct(value)
            else:
                ws.write_number(r, c, _money_float(value), self.fmt("money_total" if total else "money"))
                return
        if isinstance(value, Pct):
            scaled = value.value * 100
            ws.write_number(r, c, float(value.value),
                            self.fmt("pct" if scaled == scaled.to_integral_value() else "pct2"))
            return
        if isinstance(value, datetime):
            ws.write_datetime(r, c, value, self.fmt("datetime"))
            return
        if isinstance(value, date):
            ws.write_datetime(r, c, value, self.fmt("date"))
            return
        if isinstance(value, int) and not isinstance(value, bool):
            ws.write_number(r, c, value)
            return
        ws.write_string(r, c, clean_text(str(value)))

    def write_row(self, ws: Any, r: int, row: Sequence[Value], kinds: Sequence[ColumnKind]) -> None:
        """A data row: strings, plain money, ints and dates straight to xlsxwriter, the rest through put."""
        write_string, write_number = ws.write_string, ws.write_number
        money = self.fmt("money")
        for c, v in enumerate(row):
            t = type(v)
            if t is str:
                if kinds[c] == "wrap":
                    write_string(r, c, clean_text(v), self.fmt("wrap"))  # type: ignore[arg-type]
                else:
                    write_string(r, c, clean_text(v))  # type: ignore[arg-type]
            elif v is None:
                continue
            elif t is Decimal and kinds[c] != "rate":
                write_number(r, c, _money_float(v), money)  # type: ignore[arg-type]
            elif t is int:
                write_number(r, c, v)
            else:
                self.put(ws, r, c, v, kinds[c])

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
        ws = self.wb.add_worksheet(clean_text(plan.title))
        widths, started = self.widths(plan)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        first_header_row = 1 + (self.banner is not None)  # 1-based, as Excel shows it
        if plan.blocks and plan.blocks[0].title is not None:
            first_header_row += 1
        ws.freeze_panes(first_header_row, plan.freeze_cols)
        # a filed report is printed: landscape, as wide as the page, the header on every page
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(first_header_row - 1)
        r = 0  # the next row, 0-based
        if self.banner is not None:
            ws.write_string(r, 0, clean_text(self.banner), self.fmt("banner"))
            r += 1
        tick = self.counter.tick
        for index, (block, (head, rest)) in enumerate(zip(plan.blocks, started, strict=True)):
            if index:
                r += 1
            if block.title is not None:
                ws.write_string(r, 0, clean_text(block.title), self.fmt("title"))
                r += 1
            header_fmt = self.fmt("header")
            for c, h in enumerate(block.header):
                ws.write_string(r, c, clean_text(h), header_fmt)
            header_row = r
            r += 1
            kinds = block.kinds
            write_row = self.write_row
            for row in chain(head, rest):
                write_row(ws, r, row, kinds)
                r += 1
                tick()
            if index == 0 and plan.filter:
                ws.autofilter(header_row, 0, r - 1, len(block.header) - 1)
            for row in block.totals:
                for c, v in enumerate(row):
                    self.put(ws, r, c, v, kinds[c], total=True)
                r += 1
