"""What every backend yields (raw sheets of raw values), the loaded file it reads, and the limits on both."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from hrcalc.i18n import msg
from hrcalc.limits import Limits
from hrcalc.read.messages import file_error

Kind = Literal["xlsx", "xls", "xlsb", "ods"]


@dataclass(frozen=True, slots=True)
class FormulaWithoutValue:
    """A formula cell saved without its result: written by a program and never calculated."""

    formula: str

    def __str__(self) -> str:
        return "=" + self.formula


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula cell with its saved result; only a backend that sees formulas yields it."""

    formula: str
    value: str | int | float | bool | datetime | date | time | timedelta

    def __str__(self) -> str:
        return str(self.value)


RawValue = str | int | float | bool | datetime | date | time | timedelta | Formula | FormulaWithoutValue | None
RawRow = tuple[int, tuple[RawValue, ...]]
"""An Excel row number (1-based) and the row's cell values from column A on. Rows must come in
increasing order; a backend may leave out rows without values."""


class RowBlocks(Iterator[RawRow]):
    """A sheet's rows that its backend can also hand over a block at a time, as it holds them.

    Iterated, they are RawRows like any backend's. `blocks` goes on from where iteration stopped
    with the rest, unconverted: each block is the Excel number of its first row and that row and
    the ones after it, every one (blank or not) and all as wide, their cells the backend's own
    values, column `offset` first. The reader converts (`value`, `row`) only the cells its
    caches have not seen: a column's values repeat, and converting every cell was a third of
    the reading (measured at 100,000 placements). `alike(raw)`: whether every raw value equal
    to `raw` converts and reads as it does, so that a cache may answer for all of them; a
    text always does (equal texts are the same text). A text other than '' converts to itself.
    """

    offset: int = 0

    def __iter__(self) -> RowBlocks:
        return self

    @abstractmethod
    def __next__(self) -> RawRow: ...

    @abstractmethod
    def within(self, max_rows: int, max_columns: int) -> bool:
        """Whether every row and cell lies within these limits (then bounded() need not look)."""

    @abstractmethod
    def blocks(self, size: int) -> Iterator[tuple[int, Sequence[Sequence[Any]]]]:
        """The rows not yet iterated, `size` at a time."""

    @abstractmethod
    def value(self, raw: Any) -> RawValue:
        """A raw cell as iteration would give it."""

    @abstractmethod
    def row(self, raw: Sequence[Any]) -> tuple[RawValue, ...] | None:
        """A raw row as iteration would give it, None for a row iteration leaves out."""

    @abstractmethod
    def alike(self, raw: Any) -> bool: ...


@dataclass(slots=True)
class SheetFacts:
    """What a backend learns about a sheet beside its values, possibly only once its rows are read:
    how many rows are hidden, and the number formats of cells whose format shows a unit or scales
    (0-based column → format code)."""

    hidden_rows: int = 0
    unit_formats: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RawSheet:
    """One worksheet as a backend sees it: its title as written and its rows, read lazily.

    `state` is "visible", "hidden" or "veryHidden". `merged` lists the merged ranges as
    (min column, min row, max column, max row), 1-based; a backend may fill it, and `facts`,
    only once the rows have been read (a sheet's XML lists them after its data).
    """

    title: str
    rows: Iterable[RawRow]
    state: str = "visible"
    merged: Sequence[tuple[int, int, int, int]] = ()
    facts: SheetFacts = field(default_factory=SheetFacts)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A workbook file as read, once: its bytes (all any backend parses), their SHA-256, what kind
    of workbook they are, the limits to hold it to, and what the zip checks found for calamine:
    why it may not read the file (None: it may), how many cells its grids may hold in all, and per
    sheet title the rows hidden and the columns whose cells have a unit format; and the cell
    styles (.xlsx) whose number format shows a unit or scales."""

    path: Path
    data: bytes
    sha256: str
    kind: Kind
    limits: Limits
    refusal: str | None = None
    grid_cells: int = 0
    parts: Mapping[str, SheetFacts] = field(default_factory=dict)
    unit_styles: Mapping[int, str] = field(default_factory=dict)


Backend = Callable[[Loaded], AbstractContextManager[Iterable[RawSheet]]]
"""Parses a loaded file; yields its worksheets in order. Any problem reading the file itself must
surface as InputFileError. A backend that can tell a formula saved without its result from a
blank cell yields FormulaWithoutValue for it."""


def bounded(sheets: Iterable[RawSheet], limits: Limits, path: Path) -> Iterator[RawSheet]:
    """Any backend's sheets, held to the limits on sheets, rows and columns."""
    for count, sheet in enumerate(sheets, start=1):
        if count > limits.max_sheets:
            raise file_error("read.limit.sheets", path, limit=limits.max_sheets)
        rows = sheet.rows
        if not (isinstance(rows, RowBlocks) and rows.within(limits.max_rows, limits.max_columns)):
            rows = _bounded_rows(sheet.title, rows, limits, path)
        yield RawSheet(sheet.title, rows, sheet.state, sheet.merged, sheet.facts)


def _bounded_rows(title: str, rows: Iterable[RawRow], limits: Limits, path: Path) -> Iterator[RawRow]:
    last = 0
    max_rows, max_columns = limits.max_rows, limits.max_columns
    for number, cells in rows:
        if number <= last:
            raise file_error("read.file.corrupt", path, detail=msg(
                "read.detail.row_order", sheet=title, row=number, last=last))
        if number > max_rows:
            raise file_error("read.limit.rows", path, sheet=title, row=number, limit=max_rows)
        last = number
        if len(cells) > max_columns:
            for index in range(max_columns, len(cells)):
                value = cells[index]
                if value is not None and not (value.__class__ is str and not value.strip()):
                    raise file_error("read.limit.columns", path, sheet=title, limit=max_columns,
                                     cell=f"{column_letter(index)}{number}")
            cells = cells[:max_columns]
        yield number, cells


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
