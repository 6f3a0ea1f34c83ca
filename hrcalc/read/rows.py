"""Data rows → records: every cell parsed by its column's parser, and the rows that are not records
(totals rows, rows without their required cells) set aside to be noted once; merged cells."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from itertools import islice, repeat
from typing import Any

from hrcalc.i18n import Msg, msg
from hrcalc.read.backend import Formula, FormulaWithoutValue, RawRow, RawValue, RowBlocks, column_letter
from hrcalc.read.cells import EXCEL_ERRORS, CellError, Parser, as_text, is_blank, raw_text
from hrcalc.read.schema import ColumnSpec, SheetSpec, fold
from hrcalc.records import (
    Claim,
    Institution,
    Issue,
    Park,
    Placement,
    PriorAward,
    Recognition,
    RevenueYear,
    Source,
    builder,
)

VALUE_CHARS = 60  # an over-long cell is shown this far in its issue
_MERGED_WORK = 1 << 22  # cells of merged ranges looked at per sheet, at most
_ID_FIELDS = ("placement_id", "park_id", "credit_code", "payee_id")  # a sheet's identifying column, first found
_TOTALS_WORDS = frozenset(("合计", "总计", "小计", "总合计", "合计数", "total", "totals", "grandtotal", "subtotal",
                           "sum"))
_TOTALS_FORMULA = re.compile(r"\s*=?\s*(?:_xlfn\.)?(?:SUM|SUBTOTAL|AGGREGATE)\s*\(", re.IGNORECASE)
_RANGES_SHOWN = 8

_RECORD_TYPES: dict[str, type[Any]] = {
    "institutions": Institution,
    "revenue": RevenueYear,
    "placements": Placement,
    "recognitions": Recognition,
    "parks": Park,
    "prior_awards": PriorAward,
    "claims": Claim,
}
_NO_DEFAULT: Any = object()
_MISS: Any = object()
_CACHE_KEPT = 1 << 16  # distinct values remembered per column (100,000 placements name ~20,000 employers)
# columns whose values must differ on every row (a repeat is an error): nothing to remember
_UNIQUE = frozenset((("placements", "placement_id"), ("institutions", "credit_code")))


def blank_value(spec: ColumnSpec, record_type: type[Any]) -> Any:
    """What a blank optional cell means: the record's default, else None (False for yes/no)."""
    for f in fields(record_type):
        if f.name == spec.field:
            if f.default is not MISSING:
                return _NO_DEFAULT  # leave it to the record type
            break
    return False if spec.kind == "boolean" else None



@dataclass(slots=True)
class Column:
    index: int
    spec: ColumnSpec
    header: str
    unit_text: str | None
    parse: Parser
    default: Any = _NO_DEFAULT


@dataclass(slots=True)
class SheetResult:
    """What one sheet gave: records with their rows, and what the cross-row checks need."""

    spec: SheetSpec
    title: str
    usable: bool = True
    rows: list[tuple[int, Any]] = field(default_factory=list)  # (Excel row, record)
    headers: dict[str, str] = field(default_factory=dict)  # field → header as written
    partial_codes: set[str] = field(default_factory=set)  # credit codes of rows with errors
    data_rows: list[int] = field(default_factory=list)  # rows with a value under a known column



def read_rows(issues: list[Issue], max_chars: int, spec: SheetSpec, title: str, columns: list[Column],
              rows: Iterable[RawRow], result: SheetResult, blocks: RowBlocks | None = None) -> None:
    """Each data row → a record, or its problems; totals rows and rows without their required cells
    are set aside, to be noted once (rulings.md, "Workbooks as clerks really keep them").

    `rows` first, then `blocks` (the sheet's rows after them, when its backend gives them so):
    those are read a column at a time (_read_blocks), and a row with any problem as `rows` are."""
    record_type = _RECORD_TYPES[spec.id]
    is_recognitions = spec.id == "recognitions"
    is_institutions = spec.id == "institutions"
    out = result.rows
    present = {c.spec.field for c in columns}
    absent = {c.field: blank_value(c, record_type) for c in spec.columns if c.field not in present}
    base = {f: v for f, v in absent.items() if v is not _NO_DEFAULT}
    data_rows = result.data_rows
    # per column, what the loop needs, looked up once: (index, field, required, default, parse,
    # column, cache, how many values the cache may keep). The cache maps a value the column has
    # read before to what it read as: codes, yes/no words, classes, dates and amounts repeat down
    # a column, and a parser is a pure function of its cell. Only str, int and datetime values are
    # kept and looked up: among those, equal means alike (a bool or float may equal an int,
    # True == 1.0 == 1, and read otherwise).
    plan: list[tuple[int, str, bool, Any, Parser, Column, dict[Any, Any], int]] = [
        (c.index, c.spec.field, c.spec.required, c.default, c.parse, c, {},
         0 if (spec.id, c.spec.field) in _UNIQUE else _CACHE_KEPT) for c in columns]
    str_, int_, datetime_, miss = str, int, datetime, _MISS
    required_count = sum(1 for c in columns if c.spec.required)
    id_index = next((c.index for f in _ID_FIELDS for c in columns if c.spec.field == f), -1)
    empty: list[int] = []

    def read_row(number: int, cells: tuple[RawValue, ...]) -> None:
        width = len(cells)
        if not width:
            return
        values: dict[str, Any] = base.copy()
        problems: list[Issue] | None = None
        missing: list[Column] | None = None
        blank = True
        for index, field_, required, default, parse, col, cache, kept in plan:
            raw = cells[index] if index < width else None
            cls = raw.__class__
            if cls is str_ or cls is int_ or cls is datetime_:
                hit = cache.get(raw, miss)
                if hit is not miss:
                    values[field_] = hit
                    blank = False
                    continue
            if cls is Formula:  # a formula with its saved result: the result is the value
                raw = raw.value  # type: ignore[union-attr]
                cls = raw.__class__
            if raw is None or (cls is str_ and not raw.strip()):  # type: ignore[union-attr]
                if required:
                    if missing is None:
                        missing = []
                    missing.append(col)
                elif default is not _NO_DEFAULT:
                    values[field_] = default
                continue
            blank = False
            special: Msg | None = None
            if cls is str_:
                if len(raw) > max_chars:  # type: ignore[arg-type]
                    special = msg("read.cell.too_long", length=len(raw), limit=max_chars)  # type: ignore[arg-type]
            elif cls is FormulaWithoutValue:
                special = msg("read.cell.formula_no_value")
            if special is not None:
                if problems is None:
                    problems = []
                text = raw_text(raw)
                if text is not None and len(text) > VALUE_CHARS:
                    text = text[: VALUE_CHARS - 1] + "…"
                problems.append(Issue("error", special, title, number, col.header, text, field_))
                continue
            try:
                value = values[field_] = parse(raw)
                if (cls is str_ or cls is int_ or cls is datetime_) and len(cache) < kept:
                    cache[raw] = value
            except CellError as err:
                key = err.key
                if raw.__class__ is str and raw.strip() in EXCEL_ERRORS:
                    key, err.params = "read.cell.excel_error", {}
                if problems is None:
                    problems = []
                problems.append(Issue("error", msg(key, **err.params), title, number, col.header,
                                      raw_text(raw), field_))
        if blank:
            empty.append(number)  # values only in columns hrcalc does not read (a 序号 column, notes)
            return
        data_rows.append(number)
        if missing is not None:
            if problems is None:
                problems = []
            for col in missing:
                problems.append(Issue("error", msg("read.cell.required"), title, number, col.header,
                                      None, col.spec.field))
        if (is_recognitions and values.get("kind") == "national_competition"
                and not values.get("reference")
                and not (problems and any(p.field == "reference" for p in problems))):
            if problems is None:
                problems = []
            problems.append(Issue("error", msg("read.cell.reference_required"), title, number,
                                  result.headers.get("reference"), None, "reference"))
        if problems is not None:
            order = {c.spec.field: c.index for c in columns}
            problems.sort(key=lambda i: order.get(i.field or "", -1))
            if missing is not None and len(missing) == required_count:
                empty.append(number)  # a serial number or a default (否) filled down: not a record
                return
            word = _totals_word(cells, id_index)
            if word is not None:
                issues.append(Issue("info", msg("read.row.totals", row=number, word=word), title, number))
                return
            issues.extend(problems)
            if is_institutions and "credit_code" in values:
                result.partial_codes.add(values["credit_code"])
            return
        out.append((number, record_type(**values, source=Source(title, number))))

    for number, cells in rows:
        read_row(number, cells)
    if blocks is not None:
        # the national-competition rule looks across a row's cells: those few rows go one by one
        args = None if is_recognitions or not required_count else _block_args(record_type, columns, absent)
        if args is None:
            for number, cells in blocks:
                read_row(number, cells)
        else:
            _read_blocks(blocks, columns, args, max_chars, title, record_type, read_row, result)
    if empty:
        issues.append(Issue("info", msg("read.rows.empty", rows=_ranges(empty)), title, empty[0]))


_BLOCK_ROWS = 256  # rows: more holds more memory at once (at 100,000 placements, 512 rows: 1 MB more at the peak)
_PROBLEM: Any = object()  # a cell that does not read cleanly: its row is read by read_row, for its messages
_SOURCE = -1  # in a record's arguments: its Source


class _Cooked(dict[Any, Any]):
    """One column's raw values (a RowBlocks' own) → what they read as (`cook`), or _PROBLEM; filled
    as it is asked, with values equal to which every value reads alike, at most `kept` of them.
    `problems` says whether a _PROBLEM was given since it was last cleared. (No reference back
    from `cook`: a cycle would outlive the read while the CLI keeps the collector off.)"""

    __slots__ = ("alike", "cook", "kept", "problems")

    def __init__(self, cook: Callable[[Any], Any], kept: int, alike: Callable[[Any], bool]) -> None:
        super().__init__()
        self.cook, self.kept, self.alike, self.problems = cook, kept, alike, False

    def __missing__(self, raw: Any) -> Any:
        value = self.cook(raw)
        if value is _PROBLEM:
            self.problems = True
        elif len(self) < self.kept and (raw.__class__ is str or self.alike(raw)):
            self[raw] = value
        return value


def _block_args(record_type: type[Any], columns: list[Column], absent: dict[str, Any]) -> list[Any] | None:
    """The record's arguments in order: a column's position in `columns`, _SOURCE, or [a constant]
    (what a field without a column holds); None if some field has none of these."""
    position = {c.spec.field: k for k, c in enumerate(columns)}
    args: list[Any] = []
    for f in fields(record_type):
        if f.name == "source":
            args.append(_SOURCE)
        elif f.name in position:
            args.append(position[f.name])
        elif f.default is not MISSING:
            args.append([f.default])
        elif f.name in absent and absent[f.name] is not _NO_DEFAULT:
            args.append([absent[f.name]])
        else:
            return None
    return args


def _cook(col: Column, record_type: type[Any], max_chars: int,
          value: Callable[[Any], RawValue]) -> Callable[[Any], Any]:
    """What a raw cell of `col` reads as, read_row's way; _PROBLEM where read_row finds a problem:
    a required cell blank, a text too long, a formula without its value, a cell its parser refuses."""
    required, parse = col.spec.required, col.parse
    blank = col.default
    if blank is _NO_DEFAULT:
        blank = next((f.default for f in fields(record_type) if f.name == col.spec.field), None)

    def cook(raw: Any) -> Any:
        v: Any = raw if raw.__class__ is str and raw else value(raw)  # a text but '' is itself (RowBlocks)
        cls = v.__class__
        if cls is Formula:
            v = v.value
            cls = v.__class__
        if v is None or (cls is str and not v.strip()):
            if not required:
                return blank
        elif (cls is not str or len(v) <= max_chars) and cls is not FormulaWithoutValue:
            try:
                return parse(v)
            except CellError:
                pass
        return _PROBLEM

    return cook


def _read_blocks(blocks: RowBlocks, columns: list[Column], args: list[Any], max_chars: int, title: str,
                 record_type: type[Any], read_row: Callable[[int, tuple[RawValue, ...]], None],
                 result: SheetResult) -> None:
    """The rows of `blocks`, a block at a time: each column's cells looked up in its cache (most
    repeat), read only when not seen before (each cell of a column whose values must differ);
    the records of a block built together (builder); a row with a cell that does not read
    cleanly is read by read_row, as it would have been."""
    caches = [_Cooked(_cook(c, record_type, max_chars, blocks.value),
                      0 if (result.spec.id, c.spec.field) in _UNIQUE else _CACHE_KEPT, blocks.alike)
              for c in columns]
    positions = [c.index - blocks.offset for c in columns]
    build, build_sources = builder(record_type), builder(Source)
    out, data_rows = result.rows, result.data_rows
    for first, block in blocks.blocks(_BLOCK_ROWS):
        n = len(block)
        width = len(block[0])
        if any(len(r) != width for r in block):
            for number, raw in zip(range(first, first + n), block, strict=True):
                cells = blocks.row(raw)
                if cells is not None:
                    read_row(number, cells)
            continue
        grid = list(zip(*block, strict=True))
        cooked: list[list[Any]] = []
        bad: set[int] = set()
        for cache, pos in zip(caches, positions, strict=True):
            cells_ = grid[pos] if 0 <= pos < width else repeat(None, n)
            if cache.kept:
                got = list(map(cache.__getitem__, cells_))
                problems, cache.problems = cache.problems, False
            else:  # a column whose values differ: no cache to ask
                got = list(map(cache.cook, cells_))
                problems = _PROBLEM in got
            if problems:
                bad.update(i for i, g in enumerate(got) if g is _PROBLEM)
            cooked.append(got)
        numbers = list(range(first, first + n))  # one int a row, shared by its Source, result.rows and data_rows
        made = build(*[build_sources(repeat(title, n), numbers) if a == _SOURCE
                       else repeat(a[0]) if isinstance(a, list) else cooked[a] for a in args])
        if not bad:
            out.extend(zip(numbers, made, strict=True))
            data_rows.extend(numbers)
            continue
        for i, (number, record) in enumerate(zip(numbers, made, strict=True)):
            if i in bad:
                cells = blocks.row(block[i])
                if cells is not None:
                    read_row(number, cells)
            else:
                out.append((number, record))
                data_rows.append(number)


def _totals_word(cells: tuple[RawValue, ...], id_index: int) -> str | None:
    """What makes a row a totals row (its 合计 word, or its first SUM formula), None if it is not one.

    A totals row's identifying cell is blank or a totals word, and each other cell is a totals word
    or a SUM/SUBTOTAL formula; with a totals word, the cached results of such formulas (plain
    numbers, all that an .xls or .ods shows) are allowed too. A real record keeps its formulas.
    """
    word = None
    ident = cells[id_index] if 0 <= id_index < len(cells) else None
    if not is_blank(ident):
        if fold(as_text(ident)).replace(" ", "") not in _TOTALS_WORDS:
            return None
        word = as_text(ident).strip()
    formula = None
    numbers = False
    for index, value in enumerate(cells):
        if index == id_index or is_blank(value):
            continue
        if value.__class__ is Formula:
            if _TOTALS_FORMULA.match(value.formula) is None:
                return None
            formula = formula or f"={value.formula}"
        elif value.__class__ is str and fold(value).replace(" ", "") in _TOTALS_WORDS:
            word = word or value.strip()
        elif value.__class__ in (int, float):
            numbers = True
        else:
            return None
    if word is None and (formula is None or numbers):
        return None
    return word or formula


def _ranges(rows: list[int]) -> str:
    """Increasing row numbers as ranges: 41–80, 95."""
    spans: list[list[int]] = []
    for n in rows:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    shown = [f"{a}–{b}" if a != b else str(a) for a, b in spans[:_RANGES_SHOWN]]
    return ", ".join(shown) + ("…" if len(spans) > _RANGES_SHOWN else "")

def merged_cells(issues: list[Issue], title: str, columns: list[Column], header_row: int,
                 ranges: Sequence[tuple[int, int, int, int]], result: SheetResult) -> None:
    """Cells of data rows inside a merged range (other than its first cell) are errors.

    Excel shows the first cell's value across the range, but the other cells are blank:
    read as blank, a merged amount or date would silently count for one row only.
    """
    by_column = {c.index + 1: c for c in columns}
    rows = result.data_rows  # increasing
    found: dict[tuple[int, int], str] = {}
    work = _MERGED_WORK
    for min_col, min_row, max_col, max_row in ranges:
        if max_row <= header_row or work <= 0:
            continue
        cols = [c for c in range(min_col, min(max_col, max(by_column, default=0)) + 1) if c in by_column]
        if not cols:
            continue
        ref = f"{column_letter(min_col - 1)}{min_row}:{column_letter(max_col - 1)}{max_row}"
        start = bisect_left(rows, max(min_row, header_row + 1))
        for row in islice(rows, start, None):
            if row > max_row or work <= 0:
                break
            for c in cols:
                work -= 1
                if (row, c) != (min_row, min_col):
                    found.setdefault((row, c), ref)
    if not found:
        return
    flagged = {(row, by_column[c].spec.field) for row, c in found}
    # a merged cell read as blank was already "required"; one message for it is enough
    issues[:] = [i for i in issues if not (
        i.sheet == title and i.message.key == "read.cell.required" and (i.row, i.field) in flagged)]
    for (row, c), ref in sorted(found.items()):
        col = by_column[c]
        issues.append(Issue("error", msg("read.cell.merged", ref=ref), title, row, col.header, None, col.spec.field))
    bad_rows = {row for row, _ in found}
    if result.spec.id == "institutions":
        result.partial_codes.update(rec.credit_code for n, rec in result.rows if n in bad_rows)
    result.rows = [(n, rec) for n, rec in result.rows if n not in bad_rows]

