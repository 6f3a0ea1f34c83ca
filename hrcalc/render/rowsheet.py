"""A worksheet that writes a whole row of cells in one string, for hrcalc's long streamed sheets.

What it buys: xlsxwriter's public cell API costs, per cell, a decorator, a bounds check, a namedtuple
in a per-row table and, when the row is flushed (constant_memory), a per-cell dispatch on the tuple's
class name that builds an attribute list and escapes every attribute. The report at 100,000
placements writes 1.38 M cells; `RowSheet.put_row` writes each row's `<c>` elements in one string
build, with the same escaping and format indices, and hands the sheet's temporary file 256 rows at a
time. Measured with the rest of the report's changes of issue 12, in-process, the report phase at
100,000 placements, CPU seconds of paired runs with the stock writer at load 4 to 5: 33.0 -> 14.3 s
and 33.7 -> 13.2 s (0.41x; the stock writer took 24.2 s wall on the quiet machine); this module
alone, at 10,000 placements: 2.28 -> 1.17 s.

put_row also takes the row's height, as set_row(row, height) just before it would set it: stock's
set_row builds a RowInfo (a dataclass) and its <row> element an attribute list per row, and the
report gives 140,000 rows a height at 100,000 placements; put_row writes the <row> element itself
(the report phase at 100k, in-process, with the rest of that stop's report work, 7 pairs with the
code before: 13.7 -> 11.4 s, the best of each; median ratio 0.85).

It uses xlsxwriter's private internals (the row table and `previous_row`, the dimension fields,
`row_info`, `row_sizes`, `excel_version`, `original_row_height`/`default_row_height` (to write a
<row> element as `_write_row` would), `fh`, the size limits, `_write_single_row` (overridden), `_write_row`,
`_escape_control_characters`, `_escape_data`, `_convert_date_time`, `_utf16_len`/`_utf16_truncate`,
`_preserve_whitespace`, `Format._get_xf_index`), so pyproject.toml pins xlsxwriter to the minor version
this was verified against, for this reason alone. tests/test_rowsheet.py writes the same rows with
the stock per-cell API and with put_row and requires every part of the two files to be identical
byte for byte, for every cell kind (text needing escapes, `_x0041_`, edge spaces of every kind,
control characters, the 32,767 cap, formula-like text, Chinese, numbers, dates, blanks, cells without
a format), among stock rows, set_row heights and formats, heights given to put_row (hidden, default,
rounded, after a row format, with nothing to write), a merged range, panes and a filter; and the
sample's whole report the same way. An upgrade that changes the internals fails there, loudly.

The contract: a row's set_row comes before its put_row, and nothing writes to the row afterwards
(stock would still take either while the row is pending; here that raises RuntimeError when the next
row begins). One deliberate difference from stock: in constant_memory, xlsxwriter writes a string
that starts with "<r>" and ends with "</r>" unescaped, as if it were rich-string XML (the cell reads
back empty, or the file is damaged); put_row escapes it like any other text, so it reads back as typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import _preserve_whitespace, _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

CellValue = str | int | float | date | None
"""What put_row writes: text, a number, a date or datetime (as Excel's serial number), or a blank."""

# Anything xlsxwriter's inline-string writer would change: XML's & < >, the start of an `_xHHHH_`
# escape, control characters and the two non-characters (a character class's body); and whitespace at
# either edge, which gets xml:space="preserve": every character str.isspace calls whitespace (none
# lies beyond U+3000: tests/test_rowsheet.py checks). A string with none of them is written as is.
_SPECIAL = "&<>_\x00-\x08\x0b-\x1f\ufffe\uffff"
_SPACES = "".join(re.escape(ch) for ch in map(chr, range(0x3001)) if ch.isspace())
_PLAIN = re.compile(f"(?![{_SPACES}])[^{_SPECIAL}]*(?<![{_SPACES}])").fullmatch

_COLUMNS: list[str] = []


def _columns(count: int) -> list[str]:
    """Column letters A, B, … for the first `count` columns."""
    while len(_COLUMNS) < count:
        _COLUMNS.append(xl_col_to_name(len(_COLUMNS)))
    return _COLUMNS


_PENDING_ROWS = 256  # rows joined into one write of the temporary file


class _Sink:
    """A file-like `write` that collects what stock's _write_row writes."""

    __slots__ = ("write",)

    def __init__(self, parts: list[str]) -> None:
        self.write = parts.append


class RowSheet(Worksheet):  # type: ignore[misc]  # xlsxwriter ships no type information
    """A Worksheet with put_row; everything else (set_row, merge_range, freeze panes, filters, charts,
    page setup, every other write) is the stock Worksheet's."""

    # the stock Worksheet's fields put_row keeps as its own writes would (declared for the type checker)
    fh: Any
    previous_row: int
    dim_rowmin: int | None
    dim_rowmax: int | None
    dim_colmin: int | None
    dim_colmax: int | None

    def __init__(self) -> None:
        super().__init__()
        self._xf_attrs: dict[Format, str] = {}
        self._written = -1  # the row put_row wrote last, until the next row begins
        self._written_info: Any = None  # its set_row properties when it was written
        self._pending: list[str] = []  # rows written, not yet in the sheet's temporary file
        self._sink = _Sink(self._pending)

    def put_row(self, row: int, values: Sequence[CellValue], formats: Sequence[Format | None],
                height: float | None = None) -> None:
        """Write cells 0… of `row`, as write_string / write_number / write_datetime / write_blank
        would one by one: values[c] with formats[c] (a None value with a None format writes nothing);
        with `height`, first set_row(row, height) as stock's would (a row with nothing to write is
        then given its height alone, as stock gives it).
        The row is written at once: its set_row comes first, and nothing may write to it afterwards
        (that fails when the next row begins, rather than be lost)."""
        if height is not None:
            pixels = int(height * 4.0 / 3.0 + 0.5)  # as stock set_row rounds it
            if (not pixels or self.excel_version != 2007 or row in self.row_info or not self.constant_memory
                    or row < self.previous_row or row >= self.xls_rowmax):
                self.set_row(row, height)  # the uncommon cases, as stock sets them
                height = None
        if (not self.constant_memory or row < self.previous_row or row >= self.xls_rowmax
                or len(values) > self.xls_colmax
                or (row == self.previous_row and (self.table.get(row) or row == self._written))):
            if height is not None:
                self.set_row(row, height)
            self._put_cells(row, values, formats)  # outside the one case this module speeds up
            return
        n = len(values)
        first, last = 0, n - 1
        while first < n and values[first] is None and formats[first] is None:
            first += 1
        if first == n:
            if height is not None:
                self.set_row(row, height)
            return  # nothing to write: stock writes nothing, not even the row
        while values[last] is None and formats[last] is None:
            last -= 1
        if row > self.previous_row:  # stock flushes the pending row at a row's first cell, then indexes formats
            if self.previous_row == self._written:
                self._release(row)  # put_row's own: written already, and still pending
            else:
                self._write_single_row(row)
        columns = _columns(n)
        rn = str(row + 1)
        xf_attrs, short = self._xf_attrs, self.xls_strmax // 2
        parts: list[str] = []
        append = parts.append
        for c in range(first, last + 1):
            v = values[c]
            f = formats[c]
            t = type(v)
            if t is str:  # most cells, and most need no escape. A quick test of that first (_PLAIN is several
                # times slower beyond ASCII): printable (so no control character, non-character or whitespace
                # but the space: a test checks), none of & < > _, no space at either edge
                s = xf_attrs.get(f)  # never holds None: a cell without a format looks further
                if s is None:
                    s = self._xf_attr(row, c, f, v)
                text: str = v  # type: ignore[assignment]
                if (len(text) <= short and text.isprintable()
                        and not ("&" in text or "<" in text or ">" in text or "_" in text)
                        and text[:1] != " " and text[-1:] != " "):
                    append(f'<c r="{columns[c]}{rn}"{s} t="inlineStr"><is><t>{text}</t></is></c>')
                else:
                    append(f'<c r="{columns[c]}{rn}"{s} t="inlineStr">{self._inline(text)}</c>')
                continue
            if v is None and f is None:
                continue
            s = xf_attrs.get(f)
            if s is None:
                s = self._xf_attr(row, c, f, v)
            if t is float or t is int:
                if v - v:  # type: ignore[operator]  # NaN or an infinity (a finite number less itself is 0)
                    raise TypeError("NAN/INF not supported in write_number() without 'nan_inf_to_errors'")
                append(f'<c r="{columns[c]}{rn}"{s}><v>{v:.16G}</v></c>')
            elif v is None:
                append(f'<c r="{columns[c]}{rn}"{s}/>')
            elif isinstance(v, date):
                append(f'<c r="{columns[c]}{rn}"{s}><v>{self._convert_date_time(v):.16G}</v></c>')
            elif isinstance(v, str):
                append(f'<c r="{columns[c]}{rn}"{s} t="inlineStr">{self._inline(str(v))}</c>')
            else:
                raise TypeError(f"put_row writes text, numbers, dates and blanks, not {t.__name__}")
        if self.dim_rowmin is None or row < self.dim_rowmin:
            self.dim_rowmin = row
        if self.dim_rowmax is None or row > self.dim_rowmax:
            self.dim_rowmax = row
        if height is not None:  # what stock set_row does besides: its dimension check counts column 0
            self.row_sizes[row] = [pixels, False]  # (or the first in use) and keeps the height for drawings
            if self.dim_colmin is None:
                self.dim_colmin = 0
            if self.dim_colmax is None:
                self.dim_colmax = 0
        if self.dim_colmin is None or first < self.dim_colmin:
            self.dim_colmin = first
        if self.dim_colmax is None or last > self.dim_colmax:
            self.dim_colmax = last
        info = self.row_info.get(row)
        if info is None and self.excel_version == 2007:  # stock _write_row's <row> of a row without a RowInfo
            high = pixels if height is not None else self.default_row_height
            if high != self.original_row_height or high != self.default_row_height:
                self._pending.append(f'<row r="{rn}" ht="{high * 0.75:.16g}" customHeight="1">')
            else:
                self._pending.append(f'<row r="{rn}">')
        else:
            fh, self.fh = self.fh, self._sink  # stock's own <row> element, into the rows pending
            try:
                self._write_row(row, None, info)
            finally:
                self.fh = fh
        parts.append("</row>")
        self._pending.append("".join(parts))
        if len(self._pending) >= _PENDING_ROWS:
            self._drain()
        self._written, self._written_info = row, info  # the pending row, as stock's would be, but written

    def _drain(self) -> None:
        if self._pending:
            self.fh.write("".join(self._pending))
            self._pending.clear()

    def _write_single_row(self, current_row_num: int = 0) -> None:
        """Stock flushes the pending row when the next begins (and at close): not one put_row wrote.
        Every write to the sheet's temporary file passes here first, so put_row's rows go first."""
        self._drain()
        if self.previous_row == self._written:
            self._release(current_row_num)
        else:
            super()._write_single_row(current_row_num)

    def _release(self, current_row_num: int) -> None:
        """What stock's flush of the row put_row wrote would do, but write it again: begin the next."""
        row = self.previous_row
        self._written = -1
        if self.table.get(row) or self.row_info.get(row) is not self._written_info:
            raise RuntimeError(f"row {row + 1} of sheet {self.name!r} was changed after put_row wrote it")
        if self._written_info is not None:  # stock reads a row's properties only while it is pending (its
            del self.row_info[row]  # height for drawings' positions is in row_sizes): 140,000 fewer at 100k
        self.previous_row = current_row_num
        self.table.clear()

    def _xf_attr(self, row: int, col: int, fmt: Format | None, value: Any) -> str:
        """The cell's ` s="N"`, as stock _write_cell chooses it: the cell's format (a date's default
        date format), else the row's, else the column's; cached for a cell's own format."""
        if fmt is None and isinstance(value, date):
            fmt = self.default_date_format
        if fmt is not None:
            attr = self._xf_attrs[fmt] = f' s="{fmt._get_xf_index()}"'
            return attr
        info = self.row_info.get(row)
        if info is not None and info.row_format:
            return f' s="{info.row_format._get_xf_index()}"'
        col_info = self.col_info.get(col)
        if col_info is not None and col_info.column_format is not None:
            return f' s="{col_info.column_format._get_xf_index()}"'
        return ""

    def _inline(self, text: str) -> str:
        """The `<is>` element of an inline string, escaped exactly as xlsxwriter escapes one."""
        if len(text) > self.xls_strmax // 2 and _utf16_len(text) > self.xls_strmax:
            text = _utf16_truncate(text, self.xls_strmax)
        if _PLAIN(text) is not None:
            return f"<is><t>{text}</t></is>"
        text = self._escape_control_characters(text)
        preserve = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
        return f"<is><t{preserve}>{self._escape_data(text)}</t></is>"

    def _put_cells(self, row: int, values: Sequence[CellValue], formats: Sequence[Format | None]) -> None:
        """put_row through the stock per-cell API."""
        for c, v in enumerate(values):
            f = formats[c]
            if isinstance(v, str):
                self.write_string(row, c, v, f)
            elif v is None:
                self.write_blank(row, c, None, f)
            elif isinstance(v, date):
                self.write_datetime(row, c, v, f)
            elif type(v) is float or type(v) is int:
                self.write_number(row, c, v, f)
            else:
                raise TypeError(f"put_row writes text, numbers, dates and blanks, not {type(v).__name__}")

