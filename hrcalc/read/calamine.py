"""The fast backend: python-calamine, for every .xls, .xlsb and .ods, and each .xlsx it may read.

calamine holds each sheet as a dense grid, and aborts the interpreter (no exception) when the grid
cannot be allocated, as for a single cell at XFD1048576. So an .xlsx goes to calamine only when
judge.py found it safe and faithful (guard.py judges it while checking the zip), and to openpyxl
otherwise; calamine then reads the very bytes that were judged. An .xls sheet cannot be larger
than 65,536 × 256 cells; an .ods or .xlsb is read by calamine alone.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from hrcalc.errors import InputFileError
from hrcalc.limits import DEFAULT_LIMITS, Limits
from hrcalc.read.backend import Loaded, RawRow, RawSheet, RawValue, RowBlocks, SheetFacts
from hrcalc.read.guard import load
from hrcalc.read.messages import file_error, unreadable
from hrcalc.read.openpyxl_backend import openpyxl_sheets

_BIG_FLOAT = 2.0**53  # whole floats below this are exact ints (a cell-type mapping, not money arithmetic)


def _from_calamine(path: Path, exc: BaseException) -> BaseException:
    """What to raise for an exception out of calamine: a panic of its Rust code is a
    BaseException (pyo3's PanicException), so only what must pass through passes through."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError, InputFileError)):
        return exc
    return unreadable(path, exc)


@lru_cache(maxsize=1)
def _calamine() -> Any:
    try:
        import python_calamine
    except ImportError:
        return None
    return python_calamine


def calamine_available() -> bool:
    return _calamine() is not None


def calamine_refusal(path: Path, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why calamine_sheets would read `path` with openpyxl, or None if calamine reads it.

    Raises InputFileError as read_workbook does for a file it cannot read.
    """
    if _calamine() is None:
        return "python-calamine is not installed"
    return load(path, limits).refusal


@contextmanager
def calamine_sheets(loaded: Loaded) -> Iterator[Iterable[RawSheet]]:
    """The fast backend: python-calamine on the checked bytes where safe and faithful, else openpyxl."""
    calamine = _calamine()
    if loaded.kind == "xlsx" and (calamine is None or loaded.refusal is not None):
        with openpyxl_sheets(loaded) as sheets:
            yield sheets
        return
    path = loaded.path
    if calamine is None:
        raise file_error("read.file.corrupt", path, detail="python-calamine is not installed")
    try:
        wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(loaded.data))
        metadata = list(wb.sheets_metadata)
    except BaseException as exc:  # calamine's own errors, or a Rust panic (a BaseException)
        raise _from_calamine(path, exc) from None
    budget = loaded.grid_cells if loaded.kind == "xlsx" else None
    try:
        yield _calamine_iter(calamine, wb, metadata, loaded, budget)
    finally:
        wb.close()


def _calamine_iter(calamine: Any, wb: Any, metadata: list[Any], loaded: Loaded,
                   budget: int | None) -> Iterator[RawSheet]:
    """The worksheets; an .xlsx's grids may hold `budget` cells in all, what the judged parts
    declare: more means two sheets share a part (which the judge cannot see), so reading stops."""
    path = loaded.path
    visible = calamine.SheetVisibleEnum
    rows: CalamineRows | None = None
    for index, meta in enumerate(metadata):
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            continue  # chart, dialog and macro sheets: openpyxl's worksheets leave them out too
        state = ("hidden" if meta.visible == visible.Hidden
                 else "veryHidden" if meta.visible == visible.VeryHidden else "visible")
        if rows is not None:
            # one sheet's grid in memory at a time: the last one's rows (read or not, as for a
            # sheet hrcalc does not know) let go of it before the next is loaded
            rows.close()
            rows = None
        try:
            sheet = wb.get_sheet_by_index(index)
            merged = [(c0 + 1, r0 + 1, c1 + 1, r1 + 1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()]
            if budget is not None:
                budget -= sheet.height * sheet.width
            rows = CalamineRows(sheet, path)
        except BaseException as exc:
            raise _from_calamine(path, exc) from None
        if budget is not None and budget < 0:
            raise file_error("read.file.shared_part", path)
        title = str(meta.name)
        del sheet
        yield RawSheet(title, rows, state, merged, loaded.parts.get(title, SheetFacts()))


def _cell(raw: Any) -> RawValue:
    """A calamine value as openpyxl's: a blank is None, not ''; a whole number is an int; a date
    is a datetime at midnight. (_row does the same to a whole row, one expression a cell.)"""
    v, cls = raw, raw.__class__
    if cls is str:
        return v if v else None
    if cls is float:
        return int(v) if v.is_integer() and -_BIG_FLOAT < v < _BIG_FLOAT else v
    if cls is date:
        return datetime(v.year, v.month, v.day)
    return v  # type: ignore[no-any-return]


def _row(row: Sequence[Any], pad: tuple[RawValue, ...]) -> tuple[RawValue, ...] | None:
    """A calamine row as openpyxl's: its cells as _cell makes them, trailing blanks left out,
    `pad` (None for each column left of the grid) first; None for a row without a value."""
    big = _BIG_FLOAT
    str_, float_, date_, datetime_, int_ = str, float, date, datetime, int
    last = len(row) - 1  # calamine's rows are as wide as the grid: trailing blanks ('') go
    while last >= 0 and (cell := row[last]).__class__ is str_ and not cell:
        last -= 1
    if last < 0:
        return None
    # one expression a cell, no call for the common ones: a text that is not blank
    return pad + tuple([v if (cls := v.__class__) is str_ and v
                        else None if cls is str_
                        else (int_(v) if v.is_integer() and -big < v < big else v) if cls is float_
                        else datetime_(v.year, v.month, v.day) if cls is date_
                        else v
                        for v in islice(row, last + 1)])


def _alike(raw: Any) -> bool:
    """Equal calamine values convert and read alike but for numbers a bool equals (True == 1,
    False == 0.0) and whole numbers no float holds exactly (2**53 + 1 == float(2**53) is
    False, but 2**53 == float(2**53): an int stays, a float that large stays a float)."""
    cls = raw.__class__
    if cls is str or cls is date or cls is datetime:
        return True
    if cls is float or cls is int:
        return bool(raw != 0 and raw != 1 and -_BIG_FLOAT < raw < _BIG_FLOAT)
    return False


class CalamineRows(RowBlocks):
    """A calamine sheet's rows (RowBlocks): iterated, those that hold a value, with openpyxl's
    values; in blocks, as calamine gives them. Rows come from the sheet's first cell on, as its
    grid lies; the grid is let go of at the end, or at close()."""

    def __init__(self, sheet: Any, path: Path) -> None:
        start = sheet.start
        self._sheet: Any = sheet
        self._rows: Iterator[Sequence[Any]] | None = None
        self._path = path
        first_row, self.offset = start if start is not None else (0, 0)
        self._number = first_row + 1  # the Excel row of the next row calamine gives
        self._pad: tuple[RawValue, ...] = (None,) * self.offset
        self._extent = ((first_row + sheet.height, self.offset + sheet.width) if start is not None
                        else (0, 0))

    def _begin(self) -> Iterator[Sequence[Any]]:
        rows = self._rows
        if rows is None:
            sheet, self._sheet = self._sheet, None
            try:
                rows = iter(sheet.iter_rows()) if sheet is not None and sheet.start is not None else iter(())
            except BaseException as exc:
                raise _from_calamine(self._path, exc) from None
            self._rows = rows
        return rows

    def close(self) -> None:
        self._sheet = None
        self._rows = iter(())

    def within(self, max_rows: int, max_columns: int) -> bool:
        return self._extent[0] <= max_rows and self._extent[1] <= max_columns

    def __next__(self) -> RawRow:
        rows = self._begin()
        pad = self._pad
        try:
            for row in rows:
                number = self._number
                self._number = number + 1
                cells = _row(row, pad)
                if cells is not None:
                    return number, cells
        except BaseException as exc:
            raise _from_calamine(self._path, exc) from None
        self.close()  # all read: the grid goes now
        raise StopIteration

    def blocks(self, size: int) -> Iterator[tuple[int, Sequence[Sequence[Any]]]]:
        rows = self._begin()
        while True:
            try:
                block = list(islice(rows, size))
            except BaseException as exc:
                raise _from_calamine(self._path, exc) from None
            if not block:
                self.close()  # all read: the grid goes now
                return
            first = self._number
            self._number = first + len(block)
            yield first, block

    value = staticmethod(_cell)  # no bound method to go through: called for each cell not seen before

    def row(self, raw: Sequence[Any]) -> tuple[RawValue, ...] | None:
        return _row(raw, self._pad)

    alike = staticmethod(_alike)
