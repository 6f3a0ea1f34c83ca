"""hrcalc's one Excel writer: sheets planned as blocks of rows, written with xlsxwriter, made to print.

How to reuse it (the report, the 公示 list, the template and a comparison workbook all do):

* Plan each sheet as a SheetPlan: a heading (the title row), Blocks of rows (a header, rows as
  lists or generators of plain values whose count is declared up front, total rows, an optional
  block title), Lines to write after the tables (a signature block), Charts drawn from a block's
  columns. Column widths are fitted from the headers and each block's first rows; a text column
  wider than MAX_WIDTH wraps, and rows holding wrapped text get the height their lines need.
* `write_workbook(path, plans, page=Page(...))` writes them in order, streamed (xlsxwriter's
  constant_memory: one row in memory at a time), each table row in one piece by
  hrcalc.render.rowsheet (the same XML as xlsxwriter's per-cell calls, at a fraction of their
  cost), its height with it. What repeats from row to row is worked out once per workbook or
  sheet, in the writer (never a module global): each text's cleaned form, each amount's cell
  number, wrapped-line counts of short texts per column width. Charts: hrcalc.render.chart.
  Every sheet gets the page header (sheet name, plan) and footer (page N of M, run time,
  the input's SHA-256 prefix) of `page`, A4, its header row repeated on every printed page,
  portrait or landscape by its width, and fit to the page width only where the print stays
  legible (else its first columns repeat on every page).
* A workbook that needs more than tables (the template's dropdowns and hidden lists) opens
  `new_workbook`, takes its cell formats from `Formats` and uses `write_text` and `setup_page`.

Text is always written as a string, never a formula (`=`, `+`, `-`, `@` stay text), cleaned of
characters XML cannot carry and capped at Excel's cell limit; xlsxwriter escapes `_x0041_`-like
text so it reads back as typed. Decimal money is written as its digits after the one rounding rule,
exactly the fen the JSON shows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any, NamedTuple

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from hrcalc.money import round_money
from hrcalc.render.cells import (
    MAX_CELL_TEXT,
    WIDTH_SLACK,
    ColumnKind,
    Money,
    Pct,
    ProgressFn,
    Value,
    clean_text,
    display,
    needs_text_guard,
    text_width,
    wrapped_lines,
)
from hrcalc.render.chart import CHART_WIDTH, Chart, insert_chart
from hrcalc.render.page import Page, setup_page
from hrcalc.render.rowsheet import CellValue, RowSheet

__all__ = [  # the cell pieces are re-exported: a workbook's writer needs only this module
    "MAX_CELL_TEXT", "Block", "Chart", "ColumnKind", "Formats", "Money", "Page", "Pct", "ProgressFn", "SheetPlan",
    "Value", "clean_text", "needs_text_guard", "new_workbook", "setup_page", "text_width", "wrapped_lines",
    "write_text", "write_workbook",
]

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
HEADER_FILL = "#D9E1F2"
BANNER_FILL = "#C00000"
GRID = "#A6A6A6"


# ---- plans ---------------------------------------------------------------------------------------

@dataclass(slots=True)
class Block:
    """One table on a sheet: an optional title line, a header row, data rows and total rows."""

    header: Sequence[str]
    kinds: Sequence[ColumnKind]
    rows: Iterable[Sequence[Value]]
    size: int  # how many rows `rows` yields: checked as they are written
    totals: Sequence[Sequence[Value]] = ()
    title: str | None = None


@dataclass(slots=True)
class SheetPlan:
    """A sheet: its name, title row, blocks (the first one frozen and filtered), what follows them."""

    title: str
    blocks: list[Block]
    heading: str | None = None  # the title row; the sheet's name when None
    freeze_cols: int = 0
    filter: bool = True
    after: list[list[str]] = field(default_factory=list)  # rows after the tables (a signature block)
    charts: list[Chart] = field(default_factory=list)
    landscape: bool | None = None  # None: by the sheet's width
    max_widths: dict[int, int] = field(default_factory=dict)  # a column's widest, beyond which it wraps


WIDTH_SAMPLE = 2000  # rows per block that fit the column widths; later rows wrap or are clipped
MIN_WIDTH, MAX_WIDTH = 6, 50
MAX_TEXT_WIDTH, MAX_WRAP_WIDTH = 30, 40  # a text column wider than this wraps; a wrapped column's width
LINE_HEIGHT = 15.0  # points per line of wrapped text
MAX_ROW_HEIGHT = 409.0  # Excel's limit
PROGRESS_EVERY = 1 << 11
LINES_CACHED = 64  # texts up to this long keep their wrapped line count per width
GRID_ROWS = 5000  # up to this many rows a table's empty cells are written too, so its grid prints whole


@dataclass(slots=True)
class Counter:
    done: int = 0
    total: int = 0
    progress: ProgressFn | None = None

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and not self.done % PROGRESS_EVERY:
            self.progress(self.done, self.total)


# ---- the workbook and its formats -----------------------------------------------------------------

def new_workbook(path: str | Path, *, constant_memory: bool = True) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that never turns text into formulas, numbers or links."""
    return xlsxwriter.Workbook(str(path), {
        "constant_memory": constant_memory,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        "default_date_format": DATE_FORMAT,
    })


_FORMAT_SPECS: dict[str, dict[str, Any]] = {
    "text": {"valign": "top"},
    "wrap": {"text_wrap": True, "valign": "top"},
    "int": {"valign": "top", "align": "center"},
    "money": {"num_format": MONEY_FORMAT, "valign": "top"},
    "pct": {"num_format": "0%", "valign": "top"},
    "pct2": {"num_format": "0.00%", "valign": "top"},
    "date": {"num_format": DATE_FORMAT, "valign": "top"},
    "datetime": {"num_format": DATETIME_FORMAT, "valign": "top"},
    "header": {"bold": True, "bg_color": HEADER_FILL, "valign": "vcenter", "text_wrap": True},
    "label_total": {"bold": True, "top": 2},
    "money_total": {"bold": True, "top": 2, "num_format": MONEY_FORMAT},
    "int_total": {"bold": True, "top": 2, "align": "center"},
}
_UNBORDERED: dict[str, dict[str, Any]] = {
    "heading": {"bold": True, "font_size": 14, "valign": "vcenter"},
    "banner": {"bold": True, "font_size": 12, "font_color": "#FFFFFF", "bg_color": BANNER_FILL, "text_wrap": True},
    "block_title": {"bold": True, "font_size": 12},
    "sign_label": {"bold": True, "valign": "bottom"},
    "sign_line": {"bottom": 1, "valign": "bottom"},
}


class Formats:
    """The few cell formats hrcalc uses, made once per workbook (table cells carry a thin grid)."""

    def __init__(self, wb: xlsxwriter.Workbook, extra: dict[str, dict[str, Any]] | None = None) -> None:
        self._wb = wb
        self._made: dict[str, Format] = {}
        self._specs = {**{k: {"border": 1, "border_color": GRID, **v} for k, v in _FORMAT_SPECS.items()},
                       **_UNBORDERED, **(extra or {})}

    def __getitem__(self, name: str) -> Format:
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = self._wb.add_format(self._specs[name])
        return made


def write_text(ws: Worksheet, row: int, col: int, text: str, fmt: Format | None = None) -> None:
    """A string cell, always text (never a formula), cleaned and capped."""
    ws.write_string(row, col, clean_text(text), fmt)


# ---- writing planned sheets -----------------------------------------------------------------------

_Started = tuple[list[Sequence[Value]], Iterator[Sequence[Value]]]


def fit_widths(plan: SheetPlan) -> tuple[list[int], list[bool], list[_Started]]:
    """Column widths from the headers and each block's first rows, which columns wrap, and each
    block's rows: the peeked ones and an iterator over the rest (rows may be a generator)."""
    widths: list[int] = []
    wraps: list[bool] = []
    started: list[_Started] = []

    def fit(values: Sequence[Value], kinds: Sequence[ColumnKind] | None, header: bool = False) -> None:
        for i, v in enumerate(values):
            if i >= len(widths):
                widths.append(MIN_WIDTH)
                wraps.append(False)
            if header and isinstance(v, str):  # a long header wraps over two lines
                w = min(text_width(v), max(12, (text_width(v) + 1) // 2)) + 2
            else:
                w = text_width(display(v)) + 2
            if kinds is not None and i < len(kinds) and kinds[i] == "wrap":
                wraps[i] = True
            widths[i] = max(widths[i], math.ceil(w * WIDTH_SLACK))

    for block in plan.blocks:
        fit(block.header, block.kinds, header=True)
        rest = iter(block.rows)
        head = list(islice(rest, WIDTH_SAMPLE))
        started.append((head, rest))
        for row in head:
            fit(row, block.kinds)
        for row in block.totals:
            fit(row, block.kinds)
    kinds = max((b.kinds for b in plan.blocks), key=len, default=())
    for i, w in enumerate(widths):
        wrap_kind = i < len(kinds) and kinds[i] == "wrap"
        cap = plan.max_widths.get(i, MAX_WRAP_WIDTH if wrap_kind else MAX_TEXT_WIDTH if
                                  i < len(kinds) and kinds[i] in ("text", "any") else MAX_WIDTH)
        if w > cap:
            wraps[i] = True
            widths[i] = cap
    return widths, wraps, started


class _Columns(NamedTuple):
    """A block's columns as write_row reads them (SheetWriter.columns)."""

    kinds: Sequence[ColumnKind]
    widths: Sequence[int]
    wraps: Sequence[bool]
    text_formats: tuple[Format, ...]  # a text cell's format: wrapped or not
    one_line: tuple[int, ...]  # a text up to this long fits on one line
    money: tuple[bool, ...]  # a plain Decimal is money (not a rate)
    line_counts: tuple[dict[str, int], ...]  # the sheet's kept line counts for the column's width (_lines)


@dataclass(slots=True)
class SheetWriter:
    """Writes planned sheets into one workbook, in order; every sheet gets the same banner and page."""

    wb: xlsxwriter.Workbook
    banner: str | None
    counter: Counter
    page: Page
    fmt: Formats = field(init=False)
    _texts: dict[str, str] = field(default_factory=dict)
    _data_rows: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # sheet → blocks' data rows
    _row_formats: tuple[Format, Format, Format, Format] | None = None  # text, wrap, money, int: made at first use
    _line_counts: dict[int, dict[str, int]] = field(default_factory=dict)  # width → short text → lines
    _money: dict[Decimal, float] = field(default_factory=dict)  # an amount → its cell's number

    def __post_init__(self) -> None:
        self.fmt = Formats(self.wb)

    def _text(self, value: str) -> str:
        cleaned = self._texts.get(value)
        if cleaned is None:
            cleaned = clean_text(value)
            if len(self._texts) < 1 << 16:
                self._texts[value] = cleaned
        return cleaned

    def _lines(self, text: str, width: int) -> int:
        """wrapped_lines, kept per column width for short texts (names, awards: the same ones row after
        row). Longer ones are counted each time: keeping each line of a 计算过程 cell's steps saved 0.03 s
        at 100k placements for 15 MB."""
        if len(text) > LINES_CACHED:
            return wrapped_lines(text, width)
        counts = self._line_counts.get(width)
        if counts is None:
            counts = self._line_counts[width] = {}
        n = counts.get(text)
        if n is None:
            n = wrapped_lines(text, width)
            if len(counts) < 1 << 16:
                counts[text] = n
        return n

    def _value(self, value: Value, kind: ColumnKind, wrap: bool, total: bool,
               grid: bool) -> tuple[CellValue, Format | None]:
        """A cell as put_row writes it: the value (text cleaned, money rounded) and its format; an empty
        cell of the grid keeps its format (long sheets leave theirs out: nobody prints those)."""
        fmt = self.fmt
        if value is None or value == "":
            return None, fmt["label_total" if total else "text"] if total or grid else None
        if isinstance(value, str):
            return self._text(value), fmt["label_total" if total else "wrap" if wrap else "text"]
        if isinstance(value, Pct) or (isinstance(value, Decimal) and kind == "rate"):
            rate = value.value if isinstance(value, Pct) else value
            scaled = rate * 100
            return float(rate), fmt["pct" if scaled == scaled.to_integral_value() else "pct2"]
        if isinstance(value, Money | Decimal):
            amount = value.value if isinstance(value, Money) else value
            return float(round_money(amount)), fmt["money_total" if total else "money"]
        if isinstance(value, datetime):
            return value, fmt["datetime"]
        if isinstance(value, date):
            return value, fmt["date"]
        if isinstance(value, int) and not isinstance(value, bool):
            return value, fmt["int_total" if total else "int"]
        return self._text(str(value)), fmt["text"]

    def columns(self, kinds: Sequence[ColumnKind], widths: Sequence[int], wraps: Sequence[bool]) -> _Columns:
        """What write_row needs of a block's columns, found once per block."""
        if self._row_formats is None:
            fmt = self.fmt
            self._row_formats = fmt["text"], fmt["wrap"], fmt["money"], fmt["int"]
        text_fmt, wrap_fmt, _, _ = self._row_formats
        n = len(widths)
        # a text shorter than half its column's width fits on one line, whatever its characters:
        # 2 * len + 4 > width, as len > (width - 4) // 2; never, for a column that does not wrap
        return _Columns(kinds, widths, wraps,
                        tuple(wrap_fmt if wraps[c] else text_fmt for c in range(n)),
                        tuple((widths[c] - 4) // 2 if wraps[c] else MAX_CELL_TEXT << 2 for c in range(n)),
                        tuple(c >= len(kinds) or kinds[c] != "rate" for c in range(n)),
                        tuple(self._line_counts.setdefault(w, {}) for w in widths))

    def _money_value(self, amount: Decimal) -> float:
        number = float(round_money(amount))
        if amount and len(self._money) < 1 << 16:  # equal amounts round alike (1.5 and 1.50 to the same
            self._money[amount] = number  # fen), but 0 and -0 equal and show apart: zero is not kept
        return number

    def write_row(self, ws: RowSheet, r: int, row: Sequence[Value], cols: _Columns, total: bool = False,
                  grid: bool = True) -> None:
        """One row: its height from its wrapped cells, then its cells in one put_row; text, plain money
        and whole numbers inline (most of a long sheet's cells), the rest through _value."""
        values: list[CellValue] = []
        formats: list[Format | None] = []
        lines = 1
        kinds, widths, wraps = cols.kinds, cols.widths, cols.wraps
        if total:
            for c, v in enumerate(row):
                if wraps[c] and type(v) is str and 2 * len(v) + 4 > widths[c]:
                    lines = max(lines, wrapped_lines(v, widths[c]))
                x, f = self._value(v, kinds[c], wraps[c], True, grid)
                values.append(x)
                formats.append(f)
        else:
            assert self._row_formats is not None  # made by columns()
            _, _, money_fmt, int_fmt = self._row_formats
            text_formats, one_line, money_cols, line_counts = cols[3:]
            texts, money = self._texts, self._money
            value, fmt = values.append, formats.append
            for c, v in enumerate(row):
                t = type(v)
                if t is str and v:
                    cleaned = texts.get(v)  # type: ignore[arg-type]
                    if cleaned is None:
                        cleaned = self._text(v)  # type: ignore[arg-type]
                    value(cleaned)
                    fmt(text_formats[c])
                    if len(v) > one_line[c]:  # type: ignore[arg-type]
                        n = line_counts[c].get(v)  # type: ignore[arg-type]
                        if n is None:
                            n = self._lines(v, widths[c])  # type: ignore[arg-type]
                        if n > lines:
                            lines = n
                elif t is Decimal and money_cols[c]:
                    number = money.get(v)  # type: ignore[arg-type]
                    value(number if number is not None else self._money_value(v))  # type: ignore[arg-type]
                    fmt(money_fmt)
                elif t is int:
                    value(v)  # type: ignore[arg-type]
                    fmt(int_fmt)
                else:
                    x, f = self._value(v, kinds[c], wraps[c], False, grid)
                    value(x)
                    fmt(f)
        ws.put_row(r, values, formats, min(LINE_HEIGHT * lines + 3, MAX_ROW_HEIGHT) if lines > 1 else None)

    def _span(self, ws: Worksheet, r: int, text: str, columns: int, fmt: str, height: float) -> None:
        ws.set_row(r, height)
        if columns > 1:
            ws.merge_range(r, 0, r, columns - 1, self._text(text), self.fmt[fmt])
        else:
            ws.write_string(r, 0, self._text(text), self.fmt[fmt])

    def write(self, plan: SheetPlan) -> None:
        ws = self.wb.add_worksheet(clean_text(plan.title)[:31], worksheet_class=RowSheet)
        widths, wraps, started = fit_widths(plan)
        columns = max(len(widths), 1)
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        r = 0  # the title row: one cell, not merged, so a page that continues a row band shows none of it
        ws.set_row(r, 24)
        ws.write_string(r, 0, self._text(plan.heading or plan.title), self.fmt["heading"])
        r += 1
        if self.banner is not None:
            self._span(ws, r, self.banner, columns, "banner",
                       LINE_HEIGHT * wrapped_lines(self.banner, sum(widths)) + 4)
            r += 1
        header_row = filter_last = -1
        data_rows: list[tuple[int, int]] = []  # each block's first and last data row
        tick = self.counter.tick
        for bi, (block, (first, rest)) in enumerate(zip(plan.blocks, started, strict=True)):
            if bi:
                r += 1
            if block.title is not None:
                ws.write_string(r, 0, self._text(block.title), self.fmt["block_title"])
                r += 1
            hdr_lines = max((wrapped_lines(h, widths[c]) for c, h in enumerate(block.header)), default=1)
            ws.set_row(r, LINE_HEIGHT * hdr_lines + 3)
            for c, h in enumerate(block.header):
                ws.write_string(r, c, self._text(h), self.fmt["header"])
            if bi == 0:
                header_row = r
            r += 1
            start, n, grid = r, 0, block.size <= GRID_ROWS
            cols = self.columns(block.kinds, widths, wraps)
            for row in chain(first, rest):
                self.write_row(ws, r, row, cols, grid=grid)
                r += 1
                n += 1
                tick()
            if n != block.size:
                raise RuntimeError(f"sheet {plan.title!r}: planned {block.size} rows, wrote {n}")
            data_rows.append((start, r - 1))
            if bi == 0:
                filter_last = r - 1
            for row in block.totals:
                self.write_row(ws, r, row, cols, total=True)
                r += 1
        if plan.after:
            r += 1
            for line in plan.after:
                ws.set_row(r, 30)
                for c, text in enumerate(line):  # a label, then a line to sign (or date) on
                    fmt = self.fmt["sign_label" if c % 2 == 0 else "sign_line"]
                    if text:
                        ws.write_string(r, c, self._text(text), fmt)
                    else:
                        ws.write_blank(r, c, None, fmt)
                r += 1
        self._data_rows[plan.title] = data_rows
        self._line_counts.clear()  # the next sheet's columns have their own widths
        if header_row >= 0:
            ws.freeze_panes(header_row + 1, plan.freeze_cols)
            if plan.filter:
                ws.autofilter(header_row, 0, max(filter_last, header_row), len(plan.blocks[0].header) - 1)
        for chart in plan.charts:
            r = insert_chart(self.wb, ws, chart, *self._data_rows[chart.sheet][chart.block], r + 1)
        width = sum(widths) if plan.blocks else CHART_WIDTH / 7
        setup_page(ws, self.page, width=width, repeat_row=header_row if header_row >= 0 else None,
                   repeat_cols=max(plan.freeze_cols, 1), repeat_width=sum(widths[:max(plan.freeze_cols, 1)]),
                   landscape=plan.landscape)


def write_workbook(path: str | Path, plans: Sequence[SheetPlan], *, page: Page, banner: str | None = None,
                   progress: ProgressFn | None = None) -> None:
    """Write the planned sheets to `path`, in order, streamed (see the module's docstring)."""
    counter = Counter(total=sum(b.size for plan in plans for b in plan.blocks), progress=progress)
    wb = new_workbook(path)
    try:
        writer = SheetWriter(wb, banner, counter, page)
        for plan in plans:
            writer.write(plan)
    finally:
        wb.close()
    if progress is not None:
        progress(counter.total, counter.total)
