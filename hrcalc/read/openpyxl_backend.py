"""The openpyxl backend: the .xlsx files calamine may not read (formulas, odd or huge sheets), streamed.

It keeps one private hook into openpyxl, a subclass of its sheet parser (`_row_parser`). What it
buys: rows as written, not padded to the sheet's width or filled in between (a stray cell at
XFD1048576 costs one row, not a million); a formula saved without its result told from a blank
cell; the formula text of a totals row; each row's hidden flag and each cell's style, so hidden
rows and unit number formats are seen. openpyxl's public `iter_rows` gives none of these, so the
dependency is pinned to openpyxl 3.1 for that hook alone.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, redirect_stdout
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, cast

from hrcalc.errors import InputFileError
from hrcalc.i18n import msg
from hrcalc.read.backend import Formula, FormulaWithoutValue, Loaded, RawRow, RawSheet, RawValue, SheetFacts
from hrcalc.read.guard import CHUNK
from hrcalc.read.messages import file_error, human_size, unreadable

_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_text(text: str) -> str:
    """Text as Excel shows it: `_xHHHH_` is the escaped character U+HHHH (`_x005F_` a literal `_`),
    which openpyxl leaves as written and calamine decodes."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


class _BoundedZip(zipfile.ZipFile):
    """A zip whose parts may be read only so much in total, however often a reader reopens them.

    check_file has verified each part's size; this bounds what a backend reads from the
    verified parts, so a workbook whose thousand sheets all point at one large part cannot make
    the reader unpack it a thousand times.
    """

    def __init__(self, file: BinaryIO, path: Path, budget: int, limit: int) -> None:
        super().__init__(file)
        self._path = path
        self._left = budget
        self._limit = limit

    def spend(self, n: int) -> None:
        self._left -= n
        if self._left < 0:
            raise file_error("read.limit.read", self._path, limit=human_size(self._limit))

    def open(self, name: str | zipfile.ZipInfo, mode: Literal["r", "w"] = "r", pwd: bytes | None = None,
             *, force_zip64: bool = False) -> IO[bytes]:
        fp = super().open(name, mode, pwd, force_zip64=force_zip64)
        return cast(IO[bytes], _CountedReader(fp, self)) if mode == "r" else fp


class _CountedReader(io.BufferedIOBase):
    """A part of a _BoundedZip being read: every byte counts against the zip's budget."""

    def __init__(self, raw: IO[bytes], owner: _BoundedZip) -> None:
        super().__init__()
        self._raw = raw
        self._owner = owner

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        if size is None or size < 0:
            parts = []
            while data := self.read(CHUNK):
                parts.append(data)
            return b"".join(parts)
        data = self._raw.read(size)
        self._owner.spend(len(data))
        return data

    def read1(self, size: int = -1, /) -> bytes:
        return self.read(size)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _CellTwice(Exception):
    """Two cells of one row claim the same column: only a program writes that."""


@lru_cache(maxsize=1)
def _row_parser() -> type[Any]:
    """openpyxl's sheet parser, giving each row as its values from column A on.

    It tells a formula without a saved result from a blank cell: in data-only mode openpyxl
    gives both as None, and read as blank, a formula in an optional money column would silently
    become "nothing", so it is marked instead. Cells that hold nothing (only a style) do not
    widen the row.
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class RowParser(WorkSheetParser):  # type: ignore[misc]
        facts: SheetFacts
        unit_styles: Mapping[int, str]

        def parse_row(self, row: Any) -> tuple[int, list[RawValue]]:
            number, cells = super().parse_row(row)
            if row.get("hidden") in ("1", "true"):
                self.facts.hidden_rows += 1
            units = self.unit_styles
            values: list[RawValue] = []
            for element, cell in zip(row, cells, strict=False):
                value = cell["value"]
                if value is None:
                    formula = element.find(FORMULA_TAG)
                    # a formula whose result is empty text is saved as t="str" with an empty <v>
                    if formula is None or (element.get("t") == "str" and element.find(VALUE_TAG) is not None):
                        continue
                    value = FormulaWithoutValue(formula.text or "")
                elif value.__class__ is str and "_x" in value:
                    value = unescape_text(value)
                if len(element) > 1:  # <f> and <v>: a formula with its result
                    formula = element.find(FORMULA_TAG)
                    if formula is not None:
                        value = Formula(formula.text or "", value)
                column = cell["column"]
                if units and cell["style_id"] in units:
                    self.facts.unit_formats.setdefault(column - 1, units[cell["style_id"]])
                width = len(values)
                if column == width + 1:  # the usual case: the next column
                    values.append(value)
                elif column > width:
                    values.extend(repeat(None, column - width - 1))
                    values.append(value)
                elif column < 1 or values[column - 1] is not None:
                    raise _CellTwice(number)
                else:
                    values[column - 1] = value
            return number, values

    return RowParser


@contextmanager
def openpyxl_sheets(loaded: Loaded) -> Iterator[Iterable[RawSheet]]:
    """The openpyxl backend: read-only, cached values of formulas, worksheets only.

    openpyxl parses the XML with defusedxml when it is installed (a declared dependency), so
    entity-expansion tricks in a hostile file are refused rather than expanded. The zip is
    opened through _BoundedZip, so however the workbook's parts refer to each other, no more
    than a few times its verified unpacked size is ever read.
    """
    from openpyxl.reader.excel import ExcelReader

    path, limits = loaded.path, loaded.limits
    with io.BytesIO(loaded.data) as fh:
        try:
            # styles or extensions openpyxl does not know are no concern of a data reader; and
            # openpyxl print()s about a style index out of range, which would land in --json -
            with warnings.catch_warnings(), redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                # a file object, not the name: the content decides, not the extension
                reader = ExcelReader(fh, read_only=True, data_only=True, keep_links=False)
                unpacked = sum(info.file_size for info in reader.archive.infolist())
                reader.archive.close()
                budget = limits.read_factor * unpacked + limits.read_slack
                reader.archive = _BoundedZip(fh, path, budget, budget)
                reader.valid_files = reader.archive.namelist()
                reader.read()
                wb = reader.wb
        except Exception as exc:  # anything openpyxl raises here means the file is unreadable
            raise unreadable(path, exc) from None
        try:
            yield _openpyxl_iter(wb, path, loaded.unit_styles)
        finally:
            wb.close()


def _openpyxl_iter(wb: Any, path: Path, unit_styles: Mapping[int, str]) -> Iterator[RawSheet]:
    try:
        worksheets = list(wb.worksheets)  # chartsheets are not in this list
    except Exception as exc:
        raise unreadable(path, exc) from None
    for ws in worksheets:
        merged: list[tuple[int, int, int, int]] = []
        facts = SheetFacts()
        yield RawSheet(str(ws.title), _openpyxl_rows(ws, path, merged, facts, unit_styles), str(ws.sheet_state),
                       merged, facts)


def _openpyxl_rows(ws: Any, path: Path, merged: list[tuple[int, int, int, int]], facts: SheetFacts,
                   unit_styles: Mapping[int, str]) -> Iterator[RawRow]:
    """The sheet's rows that hold a value, as written: missing and blank rows are not yielded.

    Reads the sheet XML directly (not through ws.iter_rows), so rows are not padded to the
    sheet's width or filled in between: a stray cell at XFD1048576 costs one row, not a million.
    """
    from openpyxl.utils import range_boundaries

    wb = ws.parent
    try:
        with ws._get_source() as src:
            parser = _row_parser()(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                                   date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
            parser.facts, parser.unit_styles = facts, unit_styles
            for number, values in parser.parse():
                if values:
                    yield number, tuple(values)
            if parser.merged_cells is not None:
                merged.extend(range_boundaries(m.ref) for m in parser.merged_cells.mergeCell)
    except _CellTwice as twice:
        raise file_error("read.file.corrupt", path, detail=msg(
            "read.detail.cell_twice", sheet=ws.title, row=twice.args[0])) from None
    except InputFileError:
        raise
    except Exception as exc:  # broken XML or zip data inside a sheet
        raise unreadable(path, exc) from None


