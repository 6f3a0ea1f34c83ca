"""How large calamine's grids of an .xlsb or .ods would be, told before calamine lays them out.

calamine holds a sheet as a dense grid over its cells' extent. An .xlsx is judged by judge.py; an
.xlsb (binary records) and an .ods (whose cells and rows may say "repeated 16,384 times") are
measured here from the very bytes calamine will read, and refused with a message when the grid
would be larger than the limits allow: a tiny hostile file must not become gigabytes of grid.
An .xls sheet is at most 65,536 × 256 cells by its format, so it needs no measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hrcalc.limits import Limits

_XLSB_ROW, _XLSB_FIRST_CELL, _XLSB_LAST_CELL = 0x0000, 0x0002, 0x000B
_ODS_TAG = re.compile(rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="([0-9]{1,12})"')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated="([0-9]{1,12})"')


@dataclass(slots=True)
class Extent:
    """A sheet's grid: its last row and column (1-based, from A1) and the cells written in its file."""

    rows: int = 0
    columns: int = 0
    cells: int = 0

    def allowed(self, limits: Limits) -> bool:
        grid = self.rows * self.columns
        return grid <= min(limits.calamine_max_cells,
                           max(limits.calamine_free_cells, limits.calamine_cells_per_value * self.cells))


def xlsb_extent(data: bytes) -> Extent:
    """The extent of one .xlsb worksheet part: the cell records (what calamine places) and their rows."""
    extent = Extent()
    row, at, end = 0, 0, len(data)
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
        body = data[at:at + 4]
        at += size
        if len(body) < 4:
            continue
        value = int.from_bytes(body, "little")
        if kind == _XLSB_ROW:
            row = value
        elif _XLSB_FIRST_CELL <= kind <= _XLSB_LAST_CELL:
            extent.cells += 1
            extent.rows = max(extent.rows, row + 1)
            extent.columns = max(extent.columns, value + 1)
    return extent


def ods_extents(content: bytes) -> list[Extent]:
    """The extent of each table of an .ods content.xml, repeated rows and cells counted out."""
    extents: list[Extent] = []
    current = Extent()
    row_at = col_at = 0
    rows_repeated = 1
    row_last = 0
    for m in _ODS_TAG.finditer(content):
        closing, name, attrs, empty = m.groups()
        if name == b"table":
            if closing:
                extents.append(current)
            else:
                current, row_at = Extent(), 0
        elif name == b"table-row":
            if not closing:
                found = _ROWS_REPEATED.search(attrs)
                rows_repeated = int(found.group(1)) if found else 1
                col_at = row_last = 0
            if closing or empty:
                if row_last:
                    current.rows = row_at + rows_repeated
                    current.columns = max(current.columns, row_last)
                row_at += rows_repeated
        elif not closing:  # a cell
            found = _COLUMNS_REPEATED.search(attrs)
            col_at += int(found.group(1)) if found else 1
            if b"value-type" in attrs:
                current.cells += 1
                row_last = col_at
    return extents


_XLS_BOF, _XLS_EOF, _XLS_DIMENSIONS, _XLS_MULRK = 0x0809, 0x000A, 0x0200, 0x00BD
_XLS_CELLS = frozenset((0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006))  # what calamine places


def xls_extents(stream: bytes) -> list[Extent]:
    """The extent of each sheet of an .xls workbook stream (BIFF records), embedded charts left out;
    a DIMENSIONS record counts with what it declares, since calamine reserves room for it."""
    extents: list[Extent] = []
    current: Extent | None = None
    depth, at, end = 0, 0, len(stream)
    while at + 4 <= end:
        kind, size = int.from_bytes(stream[at:at + 2], "little"), int.from_bytes(stream[at + 2:at + 4], "little")
        body = stream[at + 4:at + 4 + size]
        at += 4 + size
        if kind == _XLS_BOF:
            depth += 1
            if depth == 1:
                current = Extent()
                extents.append(current)
            continue
        if kind == _XLS_EOF:
            depth = max(depth - 1, 0)
            continue
        if depth != 1 or current is None or len(body) < 4:
            continue
        row, col = int.from_bytes(body[0:2], "little"), int.from_bytes(body[2:4], "little")
        if kind in _XLS_CELLS:
            last, count = col, 1
        elif kind == _XLS_MULRK and len(body) >= 6:
            last = int.from_bytes(body[-2:], "little")
            count = (len(body) - 6) // 6  # one RK value of 6 bytes for each cell
            col = min(col, last)
        elif kind == _XLS_DIMENSIONS and len(body) >= 12:
            rows = int.from_bytes(body[4:8], "little")
            columns = int.from_bytes(body[10:12], "little")
            current.rows, current.columns = max(current.rows, rows), max(current.columns, columns)
            continue
        else:
            continue
        current.cells += count
        current.rows = max(current.rows, row + 1)
        current.columns = max(current.columns, last + 1, col + 1)
    return extents
