"""Sheets and headers: which sheet is which, where its header row is, what each column is; then the rows."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import chain
from operator import itemgetter
from typing import Any

from hrcalc.i18n import Msg, msg
from hrcalc.limits import DEFAULT_LIMITS, Limits
from hrcalc.policy import Policy
from hrcalc.read.backend import RawRow, RawSheet, RawValue, RowBlocks, SheetFacts, column_letter
from hrcalc.read.cells import ONE, PolicyAliases, as_text, is_blank, parser_for
from hrcalc.read.checks import CrossChecks
from hrcalc.read.rows import _RECORD_TYPES, Column, SheetResult, blank_value, merged_cells, read_rows
from hrcalc.read.schema import GUIDE_SHEETS, MONEY_UNITS, SHEET_ALIASES, SHEETS, ColumnSpec, SheetSpec, fold
from hrcalc.records import Issue, Records, Severity

HEADER_SEARCH_ROWS = 10
_BRACKETED = re.compile(r"(.*?)\s*\(([^()]*)\)")
_UNIT_HINT = re.compile(r"万|亿|10k|100m|yuan|元")
def _header_names(specs: Iterable[ColumnSpec], lang: str) -> str:
    if lang == "zh":
        return "、".join(f"{c.zh}({c.en})" for c in specs)
    return ", ".join(f"{c.en} ({c.zh})" for c in specs)


class SheetReader:
    """Collects issues while reading; one per read."""

    def __init__(self, policy: Policy, limits: Limits = DEFAULT_LIMITS) -> None:
        self.aliases = PolicyAliases.of(policy)
        self.max_cell_chars = limits.max_cell_chars
        self.issues: list[Issue] = []
        self.sheet_order: dict[str | None, int] = {None: -1}

    def issue(self, severity: Severity, message: Msg, sheet: str | None = None, row: int | None = None,
              column: str | None = None, value: str | None = None, field: str | None = None) -> None:
        self.issues.append(Issue(severity, message, sheet, row, column, value, field))

    # -- header -----------------------------------------------------------------------------
    @staticmethod
    def _match(spec_lookup: dict[str, ColumnSpec], cell: Any) -> tuple[ColumnSpec, str | None] | None:
        """The column a header cell names, and the text in its trailing brackets if any.

        Tolerates what clerks' headers carry: a required-mark `*` at either end and line
        breaks or spaces inside a name (统一社会\n信用代码).
        """
        key = fold(as_text(cell)).strip("* ")
        found = spec_lookup.get(key) or spec_lookup.get(key.replace(" ", ""))
        if found is not None:
            return found, None
        m = _BRACKETED.fullmatch(key)
        if m is not None:
            found = spec_lookup.get(m.group(1).strip("* ").replace(" ", ""))
            if found is not None:
                return found, m.group(2).strip()
        return None

    def _find_header(self, spec: SheetSpec, title: str, head: list[RawRow],
                     lookup: dict[str, ColumnSpec]) -> int | None:
        """Index into `head` of the header row, or None after reporting why there is none."""
        required = {c.field for c in spec.required_columns}
        best: tuple[int, int, set[str]] | None = None  # (matches, index, fields)
        for i, (_, cells) in enumerate(head):
            found = {m[0].field for c in cells if not is_blank(c) and (m := self._match(lookup, c))}
            if required <= found:
                return i
            if found and (best is None or len(found) > best[0]):
                best = (len(found), i, found)
        missing = [c for c in spec.required_columns if best is None or c.field not in best[2]]
        params = {"missing_zh": _header_names(missing, "zh"), "missing_en": _header_names(missing, "en")}
        if best is None:
            self.issue("error", msg("read.header.not_found", **params), title)
        else:
            self.issue("error", msg("read.header.missing_required", **params), title, head[best[1]][0])
        return None

    def _columns(self, spec: SheetSpec, title: str, row_number: int, cells: tuple[RawValue, ...],
                 lookup: dict[str, ColumnSpec]) -> list[Column] | None:
        """The known columns of the header row, or None when the header makes the sheet unreadable."""
        record_type = _RECORD_TYPES[spec.id]
        columns: dict[str, Column] = {}
        ok = True
        for index, cell in enumerate(cells):
            if is_blank(cell):
                continue
            header = as_text(cell).strip()
            matched = self._match(lookup, cell)
            if matched is None:
                self.issue("info", msg("read.header.unknown"), title, row_number, header, header)
                continue
            col_spec, unit_text = matched
            first = columns.get(col_spec.field)
            if first is not None:
                self.issue("error", msg("read.header.duplicate", other=first.header,
                                        other_column=column_letter(first.index)),
                           title, row_number, header, header, col_spec.field)
                ok = False
                continue
            unit = ONE
            if unit_text is not None:
                if col_spec.kind == "money":
                    found_unit = MONEY_UNITS.get(unit_text)
                    if found_unit is None:
                        self.issue("error", msg("read.header.bad_unit", unit=unit_text),
                                   title, row_number, header, header, col_spec.field)
                        ok = False
                        continue
                    unit = found_unit
                elif _UNIT_HINT.search(unit_text):
                    self.issue("error", msg("read.header.unit_not_money", unit=unit_text),
                               title, row_number, header, header, col_spec.field)
                    ok = False
                    continue
                # any other bracketed note on a non-money column, like 从业人员数(人), is just a note
            column = Column(index, col_spec, header, unit_text, parser_for(col_spec, unit, self.aliases))
            if not col_spec.required:
                column.default = blank_value(col_spec, record_type)
            columns[col_spec.field] = column
        missing = [c for c in spec.required_columns if c.field not in columns]
        if missing and ok:  # cannot happen for the header row found, kept for safety
            self.issue("error", msg("read.header.missing_required",
                                    missing_zh=_header_names(missing, "zh"),
                                    missing_en=_header_names(missing, "en")), title, row_number)
            ok = False
        return sorted(columns.values(), key=lambda c: c.index) if ok else None

    # -- rows -------------------------------------------------------------------------------
    def read_sheet(self, spec: SheetSpec, sheet: RawSheet) -> SheetResult:
        title, rows = sheet.title, sheet.rows
        result = SheetResult(spec, title)
        lookup: dict[str, ColumnSpec] = {}
        for col in spec.columns:
            lookup[fold(col.en)] = col
            lookup[fold(col.zh)] = col
            lookup.setdefault(fold(col.field), col)
        row_iter = iter(rows)
        # the first HEADER_SEARCH_ROWS rows by number: a backend may leave out blank rows
        head: list[RawRow] = []
        after: list[RawRow] = []  # the row after them, if read
        for item in row_iter:
            if item[0] > HEADER_SEARCH_ROWS:
                after.append(item)
                break
            head.append(item)
            if item[0] == HEADER_SEARCH_ROWS:
                break
        nonblank_head = [r for r in head if any(not is_blank(c) for c in r[1])]
        if not nonblank_head and not any(any(not is_blank(c) for c in cells) for _, cells in chain(after, row_iter)):
            return result  # an empty sheet: no records of this kind
        header_at = self._find_header(spec, title, head, lookup)
        if header_at is None:
            result.usable = False
            return result
        header_row, header_cells = head[header_at]
        columns = self._columns(spec, title, header_row, header_cells, lookup)
        if columns is None:
            result.usable = False
            return result
        result.headers = {c.spec.field: c.header for c in columns}
        # the rest a block at a time where the backend can (RowBlocks): read_rows reads it so
        blocks = row_iter if isinstance(row_iter, RowBlocks) else None
        rest = chain(head[header_at + 1:], after, () if blocks is not None else row_iter)
        read_rows(self.issues, self.max_cell_chars, spec, title, columns, rest, result, blocks)
        # known only now: a sheet lists its merged ranges after its rows, a backend its facts
        if sheet.merged:
            merged_cells(self.issues, title, columns, header_row, sheet.merged, result)
        self._facts(title, header_row, columns, sheet.facts)
        return result

    def _facts(self, title: str, header_row: int, columns: list[Column], facts: SheetFacts) -> None:
        """Hidden rows, and money columns whose cells show a unit or scale: warnings, once per sheet."""
        if facts.hidden_rows:
            self.issue("warning", msg("read.rows.hidden", count=facts.hidden_rows), title)
        for col in columns:
            code = facts.unit_formats.get(col.index)
            if code is not None and col.spec.kind == "money":
                self.issue("warning", msg("read.format.unit", column=col.header, format=code), title,
                           header_row, col.header, code, col.spec.field)

    # -- workbook -----------------------------------------------------------------------------
    def read(self, sheets: Iterable[RawSheet]) -> Records:
        results: dict[str, SheetResult] = {}
        for position, sheet in enumerate(sheets):
            title = sheet.title
            self.sheet_order.setdefault(title, position)
            spec = SHEET_ALIASES.get(fold(title))
            if spec is None:
                if fold(title) not in GUIDE_SHEETS:  # the template's own guide sheet is known, not read
                    self.issue("info", msg("read.sheet.unknown"), title)
                continue
            if spec.id in results:
                self.issue("error", msg("read.sheet.duplicate", other=results[spec.id].title), title)
                continue
            if sheet.state == "hidden":
                self.issue("warning", msg("read.sheet.hidden"), title)
            elif sheet.state == "veryHidden":
                self.issue("warning", msg("read.sheet.very_hidden"), title)
            results[spec.id] = self.read_sheet(spec, sheet)
        records = Records()
        if not results:
            self.issue("error", msg(
                "read.no_sheets",
                expected_zh="、".join(f"{s.name_zh}({s.name_en})" for s in SHEETS),
                expected_en=", ".join(f"{s.name_en} ({s.name_zh})" for s in SHEETS),
            ))
        else:
            CrossChecks(self, results).run()
        for spec in SHEETS:
            result = results.get(spec.id)
            if result is not None:
                getattr(records, spec.id).extend(map(itemgetter(1), result.rows))
        records.claims_sheet_present = "claims" in results
        order = self.sheet_order
        self.issues.sort(key=lambda i: (order.get(i.sheet, len(order)), i.row or 0))
        records.issues.extend(self.issues)
        return records




def read_sheets(sheets: Iterable[RawSheet], policy: Policy, limits: Limits = DEFAULT_LIMITS) -> Records:
    """The parsing layer: raw sheets from any backend → records and issues."""
    return SheetReader(policy, limits).read(sheets)
