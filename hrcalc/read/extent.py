"""How large calamine's grids of an .xls, .xlsb or .ods would be, told before calamine lays them out;
and, in the same pass, what calamine does not tell: hidden rows, cells whose number format shows a unit.

calamine holds a sheet as a dense grid over its cells' extent. An .xlsx is judged by judge.py; an
.xls (BIFF records in a compound file), an .xlsb (BIFF12 records) and an .ods (whose cells and rows
may say "repeated 16,384 times") are measured here from the very bytes calamine will read, and
refused with a message when the grid would be larger than the limits allow: a tiny hostile file
must not become gigabytes of grid, nor abort the interpreter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape

from hrcalc.limits import Limits
from hrcalc.read.backend import SheetFacts
from hrcalc.read.judge import shows_unit

_XLSB_ROW, _XLSB_FIRST_CELL, _XLSB_LAST_CELL = 0x0000, 0x0002, 0x000B
_XLSB_FMT, _XLSB_XF, _XLSB_BEGIN_CELL_XFS, _XLSB_END_CELL_XFS = 0x002C, 0x002F, 0x0269, 0x026A
_XLSB_BUNDLE_SHEET, _XLSB_HIDDEN = 0x009C, 0x10  # a sheet of the workbook; fDyZero of a row header
_BUILTIN_UNIT_FORMATS = {9: "0%", 10: "0.00%"}
_REL_TARGET = re.compile(rb'Id="([^"]*)"[^>]*?Target="([^"]*)"')
_ODS_TAG = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table-column|table)(?=[\s/>])([^>]*?)(/?)>")
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ODS_STYLE = re.compile(rb'table:style-name="([^"]*)"')
_ODS_DEFAULT_STYLE = re.compile(rb'table:default-cell-style-name="([^"]*)"')
_ODS_DATA_STYLE = re.compile(rb'<number:(number|percentage|currency)-style style:name="([^"]*)"[^>]*>(.*?)'
                             rb"</number:(?:number|percentage|currency)-style>", re.S)
_ODS_CELL_STYLE = re.compile(rb'<style:style style:name="([^"]*)"[^>]*?style:data-style-name="([^"]*)"')
_ODS_STYLE_PART = re.compile(
    rb"<number:number\b([^>]*?)(?:/>|>(.*?)</number:number>)|<number:text>([^<]*)</number:text>", re.S)
_ODS_EMBEDDED = re.compile(rb'<number:embedded-text number:position="([0-9]{1,4})">([^<]*)</number:embedded-text>')
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="([^"]*)"')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated="([^"]*)"')
_COUNT = re.compile(rb"[0-9]{1,12}")


# an end tag is `</name>`, at most with spaces before its `>`; anything else in it is not XML
_END_TAG_WITH_MORE = re.compile(rb"</(?![A-Za-z_][-.\w:]*\s*>)")


class MalformedOds(ValueError):
    """An .ods content.xml calamine must not be given: an end tag that carries attributes
    (`</table:table x="1">`) or anything else beside its name (`</table:table&#0;>`), not well-formed
    XML, made python-calamine spin without end (both found by fuzzing .ods content); a repeat count
    that is not a plain count (`-1`) is refused with it."""


def _repeat(found: re.Match[bytes] | None) -> int:
    if found is None:
        return 1
    if _COUNT.fullmatch(found.group(1)) is None:
        raise MalformedOds(found.group(0).decode("ascii", "replace"))
    return int(found.group(1))


@dataclass(slots=True)
class Extent:
    """A sheet's grid: its last row and column (1-based, from A1) and the cells written in its file;
    its title where the format tells it here, and what it shows beside its values."""

    rows: int = 0
    columns: int = 0
    cells: int = 0
    title: str | None = None
    facts: SheetFacts = field(default_factory=SheetFacts)
    reserved: tuple[int, int] = (0, 0)  # rows × columns calamine reserves room for (an .xls's DIMENSIONS)

    def allowed(self, limits: Limits) -> bool:
        grid = self.rows * self.columns
        return self.reserved[0] * self.reserved[1] <= limits.calamine_max_cells and grid <= min(
            limits.calamine_max_cells, max(limits.calamine_free_cells, limits.calamine_cells_per_value * self.cells))


def _xlsb_records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The (type, body) of each BIFF12 record: type and size as 7-bit groups, then the body."""
    at, end = 0, len(data)
    while at < end:
        kind = data[at]
        at += 1
        if kind & 0x80 and at < end:
            kind = (kind & 0x7F) | ((data[at] & 0x7F) << 7)
            at += 1
        size = shift = 0
        for _ in range(4):
            if at >= end:
                break
            byte = data[at]
            at += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        yield kind, data[at:at + size]
        at += size


def xlsb_unit_styles(styles_bin: bytes) -> dict[int, str]:
    """The cell styles (BrtXF of the cellXfs) of an .xlsb whose number format shows a unit or scales."""
    formats: dict[int, str] = dict(_BUILTIN_UNIT_FORMATS)
    found: dict[int, str] = {}
    index, in_cell_xfs = 0, False
    for kind, body in _xlsb_records(styles_bin):
        if kind == _XLSB_FMT and len(body) >= 6:
            count = int.from_bytes(body[2:6], "little")
            code = body[6:6 + 2 * count].decode("utf-16-le", "replace")
            if shows_unit(code):
                formats[int.from_bytes(body[0:2], "little")] = code
        elif kind in (_XLSB_BEGIN_CELL_XFS, _XLSB_END_CELL_XFS):
            in_cell_xfs, index = kind == _XLSB_BEGIN_CELL_XFS, 0
        elif kind == _XLSB_XF and in_cell_xfs:
            if len(body) >= 4 and int.from_bytes(body[2:4], "little") in formats:
                found[index] = formats[int.from_bytes(body[2:4], "little")]
            index += 1
    return found


def xlsb_extent(data: bytes, unit_styles: dict[int, str]) -> Extent:
    """The extent of one .xlsb worksheet part: the cell records (what calamine places) and their rows;
    with its hidden rows and the columns of cells in `unit_styles`."""
    extent = Extent()
    row = 0
    buf = bytearray()  # calamine reads each record into one buffer it never shrinks: a short record's
    for kind, record in _xlsb_records(data):  # fields are read from what the longer one before left
        if len(buf) < len(record):
            buf.extend(bytes(len(record) - len(buf)))
        buf[:len(record)] = record
        body = bytes(buf)
        if len(body) < 4:
            continue
        value = int.from_bytes(body[0:4], "little")
        if kind == _XLSB_ROW:
            row = value
            if len(body) >= 12 and body[11] & _XLSB_HIDDEN:
                extent.facts.hidden_rows += 1
        elif _XLSB_FIRST_CELL <= kind <= _XLSB_LAST_CELL:
            extent.cells += 1
            extent.rows = max(extent.rows, row + 1)
            extent.columns = max(extent.columns, value + 1)
            if unit_styles and len(body) >= 7:
                style = int.from_bytes(body[4:7], "little")
                if style in unit_styles:
                    extent.facts.unit_formats.setdefault(value, unit_styles[style])
    return extent


def xlsb_titles(workbook_bin: bytes, rels: bytes) -> dict[str, str]:
    """Sheet part → title, from xl/workbook.bin's sheet records and their relationships."""
    targets = {rid.decode("utf-8", "replace"): target.decode("utf-8", "replace")
               for rid, target in _REL_TARGET.findall(rels)}
    titles: dict[str, str] = {}
    for kind, body in _xlsb_records(workbook_bin):
        if kind == _XLSB_BUNDLE_SHEET and len(body) >= 12:
            count = int.from_bytes(body[8:12], "little")
            if count == 0xFFFFFFFF:
                continue
            rid = body[12:12 + 2 * count].decode("utf-16-le", "replace")
            at = 12 + 2 * count
            length = int.from_bytes(body[at:at + 4], "little")
            name = body[at + 4:at + 4 + 2 * length].decode("utf-16-le", "replace")
            if rid in targets:
                titles["xl/" + targets[rid].lstrip("/").removeprefix("xl/")] = name
    return titles


def ods_unit_styles(*parts: bytes) -> dict[bytes, str]:
    """The cell styles of an .ods (content.xml, styles.xml) whose data style shows a unit or scales:
    style name → the data style as an Excel-like format code."""
    data_styles: dict[bytes, str] = {}
    for part in parts:
        for m in _ODS_DATA_STYLE.finditer(part):
            kind, name, body = m.group(1), m.group(2), m.group(3)
            code = _ods_code(body)
            if kind == b"percentage" or b"display-factor" in body or shows_unit(code):
                data_styles[name] = code + ("%" if kind == b"percentage" else "")
    found: dict[bytes, str] = {}
    if data_styles:
        for part in parts:
            for name, data in _ODS_CELL_STYLE.findall(part):
                if data in data_styles:
                    found[name] = data_styles[data]
    return found


def _ods_code(body: bytes) -> str:
    """An ODF number style written as an Excel format code: 0"."0000"万元"."""
    out = []
    for m in _ODS_STYLE_PART.finditer(body):
        if m.group(1) is not None:  # <number:number …>[embedded texts]</number:number>
            attrs, inner = m.group(1), m.group(2) or b""
            digits = int(_attr(attrs, b"min-integer-digits") or 1)
            decimals = int(_attr(attrs, b"decimal-places") or 0)
            whole = list("0" * max(digits, 1))
            for pos, text in _ODS_EMBEDDED.findall(inner):
                at = max(len(whole) - int(pos), 0)
                whole.insert(at, '"' + unescape(text.decode("utf-8", "replace")) + '"')
            number = "".join(whole)
            if b'grouping="true"' in attrs and '"' not in number:
                number = "#,##" + number[-1]
            out.append(number + ("." + "0" * decimals if decimals else ""))
        else:
            out.append('"' + unescape(m.group(3).decode("utf-8", "replace")) + '"')
    return "".join(out)


def _attr(attrs: bytes, name: bytes) -> bytes | None:
    found = re.search(rb"number:" + name + rb'="([0-9]{1,4})"', attrs)
    return found.group(1) if found else None


def ods_extents(content: bytes, unit_styles: dict[bytes, str]) -> list[Extent]:
    """The extent of each table of an .ods content.xml, repeated rows and cells counted out; with its
    hidden (collapsed or filtered) rows and the columns of cells in `unit_styles`."""
    bad = _END_TAG_WITH_MORE.search(content)
    if bad is not None:
        raise MalformedOds(content[bad.start():content.find(b">", bad.start()) + 1][:80].decode("utf-8", "replace"))
    extents: list[Extent] = []
    current = Extent()
    row_at = col_at = 0
    rows_repeated = 1
    row_last = 0
    row_hidden = False
    column_styles: list[tuple[int, bytes | None]] = []  # (last column, default style) of each column run
    for m in _ODS_TAG.finditer(content):
        closing, name, attrs, empty = m.groups()
        if name == b"table":
            if closing:
                extents.append(current)
            else:
                title = _ODS_NAME.search(attrs)
                current, row_at, column_styles = Extent(), 0, []
                current.title = unescape(title.group(1).decode("utf-8", "replace")) if title else None
        elif name == b"table-column":
            if not closing:
                found = _COLUMNS_REPEATED.search(attrs)
                style = _ODS_DEFAULT_STYLE.search(attrs)
                start = column_styles[-1][0] if column_styles else 0
                column_styles.append((start + _repeat(found), style.group(1) if style else None))
        elif name == b"table-row":
            if not closing:
                found = _ROWS_REPEATED.search(attrs)
                rows_repeated = _repeat(found)
                row_hidden = b'table:visibility="collapse"' in attrs or b'table:visibility="filter"' in attrs
                col_at = row_last = 0
            if closing or empty:
                if row_last:
                    current.rows = row_at + rows_repeated
                    current.columns = max(current.columns, row_last)
                    if row_hidden:
                        current.facts.hidden_rows += rows_repeated
                row_at += rows_repeated
        elif not closing:  # a cell
            found = _COLUMNS_REPEATED.search(attrs)
            first = col_at
            col_at += _repeat(found)
            if b"value-type" in attrs:
                current.cells += 1
                row_last = col_at
                if unit_styles:
                    style = _ODS_STYLE.search(attrs)
                    named = style.group(1) if style else _column_style(column_styles, first)
                    if named in unit_styles:
                        current.facts.unit_formats.setdefault(first, unit_styles[named])
    return extents


def _column_style(runs: list[tuple[int, bytes | None]], column: int) -> bytes | None:
    for last, style in runs:
        if column < last:
            return style
    return None

_XLS_BOF, _XLS_EOF, _XLS_DIMENSIONS, _XLS_MULRK = 0x0809, 0x000A, 0x0200, 0x00BD
_XLS_SHEET, _XLS_FORMAT, _XLS_XF, _XLS_ROW_RECORD = 0x0085, 0x041E, 0x00E0, 0x0208
_XLS_CELLS = frozenset((0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006))  # what calamine places
_XLS_HIDDEN_ROW = 0x20  # fDyZero in a ROW record's options


def _xls_text(body: bytes, at: int, wide_count: bool) -> str:
    """An XLUnicodeString (count in 2 bytes) or ShortXLUnicodeString (1 byte) at `at`."""
    if wide_count:
        count, at = int.from_bytes(body[at:at + 2], "little"), at + 2
    else:
        count, at = body[at:at + 1][0] if len(body) > at else 0, at + 1
    wide = bool(body[at:at + 1] and body[at] & 0x01)
    raw = body[at + 1:at + 1 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def xls_extents(stream: bytes) -> list[Extent]:
    """The extent of each sheet of an .xls workbook stream (BIFF8 records), embedded charts left out;
    a DIMENSIONS record counts with what it declares, since calamine reserves room for it. With its
    title, hidden rows, and the columns of cells whose number format shows a unit or scales."""
    extents: list[Extent] = []
    current: Extent | None = None
    formats: dict[int, str] = dict(_BUILTIN_UNIT_FORMATS)
    styles: list[int] = []  # each XF's number format
    titles: dict[int, str] = {}  # stream offset of a sheet's BOF → its name
    depth, at, end = 0, 0, len(stream)
    in_globals = True
    while at + 4 <= end:
        start = at
        kind, size = int.from_bytes(stream[at:at + 2], "little"), int.from_bytes(stream[at + 2:at + 4], "little")
        body = stream[at + 4:at + 4 + size]
        at += 4 + size
        if kind == _XLS_BOF:
            depth += 1
            if depth == 1 and (start > 0 or not in_globals):  # the first substream is the workbook's globals
                in_globals = False
                current = Extent(title=titles.get(start))
                extents.append(current)
            continue
        if kind == _XLS_EOF:
            depth = max(depth - 1, 0)
            continue
        if depth != 1 or len(body) < 4:
            continue
        if current is None:  # the workbook globals: sheet names, number formats, cell styles
            if kind == _XLS_SHEET and len(body) >= 8:
                titles[int.from_bytes(body[0:4], "little")] = _xls_text(body, 6, False)
            elif kind == _XLS_FORMAT:
                code = _xls_text(body, 2, True)
                if shows_unit(code):
                    formats[int.from_bytes(body[0:2], "little")] = code
            elif kind == _XLS_XF:
                styles.append(int.from_bytes(body[2:4], "little"))
            continue
        row, col = int.from_bytes(body[0:2], "little"), int.from_bytes(body[2:4], "little")
        if kind in _XLS_CELLS:
            last, count = col, 1
            if len(body) >= 6:
                _unit_cell(current, col, int.from_bytes(body[4:6], "little"), styles, formats)
        elif kind == _XLS_MULRK and len(body) >= 6:
            last = int.from_bytes(body[-2:], "little")
            count = (len(body) - 6) // 6  # one RK value of 6 bytes for each cell
            for i in range(min(count, max(last - col + 1, 0))):
                _unit_cell(current, col + i, int.from_bytes(body[4 + 6 * i:6 + 6 * i], "little"), styles, formats)
            col = min(col, last)
        elif kind == _XLS_ROW_RECORD and len(body) >= 14:
            if int.from_bytes(body[12:14], "little") & _XLS_HIDDEN_ROW:
                current.facts.hidden_rows += 1
            continue
        elif kind == _XLS_DIMENSIONS:
            reserved = _xls_reserved(body)
            if reserved[0] * reserved[1] > current.reserved[0] * current.reserved[1]:
                current.reserved = reserved
            continue
        else:
            continue
        current.cells += count
        current.rows = max(current.rows, row + 1)
        current.columns = max(current.columns, last + 1, col + 1)
    return extents


def _xls_reserved(body: bytes) -> tuple[int, int]:
    """The cells calamine reserves for a DIMENSIONS record, worked out as it does (in 32-bit
    unsigned arithmetic: a first row after the last wraps round to four billion rows)."""
    if len(body) == 10:
        rf, rl, cf, cl = (int.from_bytes(body[i:i + 2], "little") for i in (0, 2, 4, 6))
    elif len(body) == 14:
        rf, rl = int.from_bytes(body[0:4], "little"), int.from_bytes(body[4:8], "little")
        cf, cl = int.from_bytes(body[8:10], "little"), int.from_bytes(body[10:12], "little")
    else:
        return (0, 0)
    if cf > 0xFF or cl < cf:
        cf = 0
    end = (rl - 1, cl - 1) if rl >= 1 and cl >= 1 else (rf, cf)
    return (end[0] - rf + 1) % (1 << 32), (end[1] - cf + 1) % (1 << 32)


def _unit_cell(extent: Extent, col: int, xf: int, styles: list[int], formats: dict[int, str]) -> None:
    if 0 <= xf < len(styles) and styles[xf] in formats:
        extent.facts.unit_formats.setdefault(col, formats[styles[xf]])
