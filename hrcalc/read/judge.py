"""Whether calamine may read an .xlsx (its grids must be small and its values read as openpyxl's),
and what each sheet part shows beside its values: hidden rows, cells with a unit number format."""

from __future__ import annotations

import re
from html import unescape
from itertools import islice
from operator import lt
from posixpath import join, normpath

from hrcalc.limits import Limits
from hrcalc.read.backend import SheetFacts

_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})([1-9][0-9]{0,6})(?::([A-Z]{1,3})([1-9][0-9]{0,6}))?"\s*/>')
_CELL = b'<c r="'
_PREFIXED = re.compile(rb":[cf][\s/>]")  # <x:c …> or <x:f …>: cells and formulas under a prefix
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_DATE1904 = re.compile(rb'date1904="(?:1|true)"')
_SHEET_MARKS = (b"sheetData", b"dimension", _CELL)
_OTHER_SHEETS = (b"<chartsheet", b":chartsheet", b"<dialogsheet", b":dialogsheet", b"macrosheet")
_LISTED_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\s")
# every `<row ` and `<row>`, with the number of each `<row r="N"` (empty for the others)
_ROW = re.compile(rb'<row(?: (?:r="([0-9]{1,7})")?|>)')
_RARE_TRIES = 64  # occurrences of a rare byte looked at before searching for the whole needle


def _column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + ch - 64
    return n


def _holds(data: bytes, needle: bytes, at: int, start: int = 0) -> bool:
    """Whether `needle` is in `data` (from `start` on), found through its byte at `at`, one seldom
    in a sheet part.

    `needle in data` steps through a part a byte or two at a time when the needle starts with
    `<` (`<!`, `<f`: every tag starts so); memchr finds a rare byte at memory speed, and each
    hit is checked in place. After a few hits (a part whose text holds that byte) the rest is
    searched the plain way.
    """
    rare = needle[at:at + 1]
    pos = data.find(rare, start + at)
    tries = _RARE_TRIES
    while pos >= 0:
        if data.startswith(needle, pos - at):
            return True
        tries -= 1
        if not tries:
            return data.find(needle, pos - at) >= 0
        pos = data.find(rare, pos + 1)
    return False


def _sheet_words(data: bytes) -> tuple[bool, bool]:
    """Whether `data` may hold one of _OTHER_SHEETS, and a match of _LISTED_SHEET: each has "sheet"
    in it, after chart, dialog or macro, or before a space. Most parts say "sheet" once or twice
    (in the namespace's "spreadsheetml"), so these few places are looked at, not the whole part
    once for each name; past _RARE_TRIES of them, both are taken to be there."""
    other = listed = False
    pos = data.find(b"sheet")
    tries = _RARE_TRIES
    while pos >= 0:
        tries -= 1
        if not tries:
            return True, True
        other = other or data[max(pos - 5, 0):pos] in (b"chart", b"macro") or data[max(pos - 6, 0):pos] == b"dialog"
        listed = listed or data[pos + 5:pos + 6].isspace()  # what \s matches in a bytes pattern
        pos = data.find(b"sheet", pos + 1)
    return other, listed


def _not_after(last: bytes, alphabet: bytes, lead: bytes) -> bytes:
    """A regex for the references of `last`'s kind (column letters or row digits) not after it:
    shorter, or as long and not greater. `alphabet` is the character range (b"A-Z"), `lead` the
    range of a first character (b"1-9": a row number has no leading zero)."""
    options = []
    if len(last) > 1:
        options.append(b"[%s][%s]{0,%d}" % (lead, alphabet, len(last) - 2))
    for i in range(len(last)):
        low = lead[:1] if i == 0 else alphabet[:1]
        if last[i] > low[0]:
            options.append(re.escape(last[:i]) + b"[%s-%s]" % (low, bytes([last[i] - 1]))
                           + b"[%s]{%d}" % (alphabet, len(last) - i - 1))
    options.append(re.escape(last))
    return b"(?:" + b"|".join(options) + b")"


def odd_cell(last_col: bytes, last_row: bytes) -> re.Pattern[bytes]:
    """A start tag named c that is not a cell plainly referenced within the dimension ending at
    last_col + last_row (`<c r="A1"`), nor one of the worksheet elements whose names start with c
    (cols/col/color…, cfRule/cfvo, conditionalFormatting/controls, custom…, cellWatches,
    cellSmartTags). One lookahead a cell, that a reference within the dimension satisfies."""
    inside = _not_after(last_col, b"A-Z", b"A-Z") + _not_after(last_row, b"0-9", b"1-9")
    return re.compile(rb'<c(?! r="' + inside + rb'")(?!ol|f|on|ust|ellW|ellS)')


class Judge:
    """Judges an .xlsx part by part (judge_part); its verdict is the first refusal, if any."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.tally = [0, 0, 0]  # sheets the workbook lists, parts that are sheets, cells of their grids
        self._refusal: str | None = None

    def refuse(self, why: str) -> None:
        if self._refusal is None:
            self._refusal = why

    def part(self, name: str, data: bytes) -> None:
        if self._refusal is None:
            self._refusal = judge_part(name, data, self.limits, self.tally)

    @property
    def cells(self) -> int:
        return self.tally[2]

    def refusal(self) -> str | None:
        if self._refusal is None and self.tally[0] > self.tally[1]:
            # two sheets on one part: openpyxl reads it within a budget, calamine would not
            return f"{self.tally[0]} sheets listed, {self.tally[1]} sheet parts"
        return self._refusal


def judge_part(name: str, data: bytes, limits: Limits, tally: list[int]) -> str | None:
    """Why calamine must not read a workbook holding this part, or None if it may.

    calamine lays each sheet out as a grid from A1 to its last cell (and sizes it by the
    declared <dimension>); a grid too large aborts the interpreter. So in a sheet the dimension
    must be declared once and be small, every cell must start with its reference, and no
    reference may lie beyond the dimension. Byte searches and one regex pass, no per-cell Python
    work. Anything unusual refuses: the price of a false refusal is only openpyxl's speed.
    Also refused: what calamine does not report as openpyxl does (formulas, whose missing
    results it reads as blank; error and ISO-date cells; phonetic runs; the 1904 calendar;
    rows without a number or out of order). `tally` counts the sheets the workbook lists,
    the parts that are sheets (each sheet must have its own part) and their grids' cells.
    """
    if _holds(data, b"<!", 1):  # a DTD above all (openpyxl refuses it, with its message), or CDATA
        return f"{name}: a DTD, comment or CDATA"
    if _holds(data, b"<rPh", 2):
        return f"{name}: phonetic runs"
    if _holds(data, b"_x", 0) and _ESCAPE.search(data):  # calamine decodes _x0001_ as Excel does;
        return f"{name}: _xHHHH_ escapes"  # openpyxl keeps it as written
    if not any(mark in data for mark in _SHEET_MARKS):
        other, listed = _sheet_words(data)
        if other and any(mark in data for mark in _OTHER_SHEETS):
            tally[1] += 1
            return None
        if listed:
            tally[0] += len(_LISTED_SHEET.findall(data))
        return f"{name}: the 1904 calendar" if b"date1904" in data and _DATE1904.search(data) else None
    tally[1] += 1
    if _holds(data, b"<f", 1) or _PREFIXED.search(data):
        return f"{name}: formulas or prefixed cells"
    if _holds(data, b' t="e"', 4) or _holds(data, b' t="d"', 4):  # ` t="[ed]"`, by a rare byte
        return f"{name}: error or ISO-date cells"
    found = _DIMENSION.search(data)
    # "dimension" once in the part: first where the <dimension> is, and nowhere after it
    if (found is None or data.find(b"dimension") != found.start() + 1
            or _holds(data, b"dimension", 2, found.start() + 2)):
        return f"{name}: no single, plain <dimension>"
    first_col, first_row, last_col, last_row = found.groups()
    if not last_col:
        last_col, last_row = first_col, first_row
    columns, height = _column_number(last_col), int(last_row)
    if _column_number(first_col) > columns or int(first_row) > height:
        return f"{name}: a <dimension> that ends before it starts"
    if columns > limits.calamine_max_columns:
        return f"{name}: declares column {columns:,}"
    cells = data.count(_CELL)
    found_rows = _ROW.findall(data)
    if b"" in found_rows:
        return f"{name}: rows without a number, or out of order"
    rows = list(map(int, found_rows))
    if not all(map(lt, rows, islice(rows, 1, None))):
        return f"{name}: rows without a number, or out of order"
    allowed = min(limits.calamine_max_cells,
                  max(limits.calamine_free_cells, limits.calamine_cells_per_value * cells))
    if columns * height > allowed:
        return f"{name}: declares {columns * height:,} cells for {cells:,} values"
    if odd_cell(last_col, last_row).search(data):
        return f"{name}: a cell beyond its <dimension>, or not plainly referenced"
    tally[2] += columns * height
    return None


# ---- what a sheet part shows beside its values ------------------------------------------------

_HIDDEN_ROW = re.compile(rb'<row [^>]*?hidden="(?:1|true)"')
_NUM_FMT = re.compile(rb'<(?:\w+:)?numFmt [^>]*?numFmtId="([0-9]+)"[^>]*?formatCode="([^"]*)"')
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)")
_XF_FORMAT = re.compile(rb'numFmtId="([0-9]+)"')
_BUILTIN_UNIT_FORMATS = {9: "0%", 10: "0.00%"}
_LITERAL = re.compile(r'"([^"]*)"|\\(.)')
_BRACKETS = re.compile(r"\[[^\]]*\]")  # colours, conditions, locales and currencies ([$¥-804])
_UNIT_TEXT = re.compile(r"[万亿千百元%‰]|yuan|rmb|cny", re.IGNORECASE)
_SCALING = re.compile(r"[0#?],+(?![0#?])|%|[万亿]")
_SHEET_TAG = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?name="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')


def shows_unit(code: str) -> bool:
    """Whether a number format shows a unit or scales the value: `#,##0"万元"`, `0"."0000"万元"`,
    `#,##0,` (thousands), `0%`. A currency symbol (¥) is not a unit here: it shows yuan as they are."""
    body = _BRACKETS.sub("", code)
    for m in _LITERAL.finditer(body):
        text = m.group(1) if m.group(1) is not None else m.group(2)
        if text == "." or _UNIT_TEXT.search(text):  # a "." typed in as text is a false decimal point
            return True
    return _SCALING.search(_LITERAL.sub("", body)) is not None


def unit_styles(styles_xml: bytes) -> dict[int, str]:
    """The cell styles (indexes into cellXfs) whose number format shows a unit or scales: style → format."""
    formats = {int(i): unescape(code.decode("utf-8", "replace")) for i, code in _NUM_FMT.findall(styles_xml)}
    formats = {i: code for i, code in formats.items() if shows_unit(code)} | {
        i: code for i, code in _BUILTIN_UNIT_FORMATS.items() if i not in formats}
    found: dict[int, str] = {}
    block = _CELL_XFS.search(styles_xml)
    if formats and block is not None:
        for index, attrs in enumerate(_XF.findall(block.group(0))):
            fmt = _XF_FORMAT.search(attrs)
            if fmt is not None and int(fmt.group(1)) in formats:
                found[index] = formats[int(fmt.group(1))]
    return found


def part_facts(data: bytes, styles: dict[int, str]) -> SheetFacts | None:
    """What a sheet part shows beside its values, None if nothing: a few byte searches, and a regex
    pass only where hidden rows or unit-format styles are there to be found."""
    facts = SheetFacts()
    if _holds(data, b'hidden="', 0):
        facts.hidden_rows = len(_HIDDEN_ROW.findall(data))
    if styles:
        wanted = b"|".join(str(s).encode() for s in styles)
        cell = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,3})[0-9]+"[^>]*?\bs="(' + wanted + rb')"')
        for letters, style in cell.findall(data):
            facts.unit_formats.setdefault(_column_number(letters) - 1, styles[int(style)])
    return facts if facts.hidden_rows or facts.unit_formats else None


def sheet_parts(workbook_xml: bytes, rels_xml: bytes) -> dict[str, str]:
    """Sheet title → the name of its part in the zip, from xl/workbook.xml and its relationships."""
    targets = {}
    for attrs in _REL.findall(rels_xml):
        found = dict(_ATTR.findall(attrs))
        if b"Id" in found and b"Target" in found:
            target = unescape(found[b"Target"].decode("utf-8", "replace"))
            targets[found[b"Id"]] = target[1:] if target.startswith("/") else normpath(join("xl", target))
    return {unescape(name.decode("utf-8", "replace")): targets[rid]
            for name, rid in _SHEET_TAG.findall(workbook_xml) if rid in targets}
