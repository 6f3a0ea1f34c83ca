"""Whether calamine may read an .xlsx (its grids must be small and its values read as openpyxl's),
and what each sheet part shows beside its values: hidden rows, cells with a unit number format."""

from __future__ import annotations

import re
from html import unescape
from itertools import islice
from posixpath import join, normpath

from hrcalc.limits import Limits
from hrcalc.read.backend import SheetFacts

_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})([1-9][0-9]{0,6})(?::([A-Z]{1,3})([1-9][0-9]{0,6}))?"\s*/>')
_CELL = b'<c r="'
# a start tag named c that is not `<c r="A1"` (a cell), nor one of the worksheet elements whose
# names start with c (cols/col/color…, cfRule/cfvo, conditionalFormatting/controls, custom…,
# cellWatches, cellSmartTags); {beyond} is filled in with the references past the dimension
_ODD_CELL = (rb'<c(?: r="{beyond}|(?! r="[A-Z]{{1,3}}[1-9][0-9]{{0,6}}")(?!ol|f|on|ust|ellW|ellS))')
_PREFIXED = re.compile(rb":[cf][\s/>]")  # <x:c …> or <x:f …>: cells and formulas under a prefix
_ERROR_OR_DATE = re.compile(rb' t="[ed]"')
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_DATE1904 = re.compile(rb'date1904="(?:1|true)"')
_SHEET_MARKS = (b"sheetData", b"dimension", _CELL)
_OTHER_SHEETS = (b"<chartsheet", b":chartsheet", b"<dialogsheet", b":dialogsheet", b"macrosheet")
_LISTED_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\s")
_ROW = re.compile(rb'<row r="([0-9]{1,7})"')


def _column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + ch - 64
    return n


def _beyond(last: bytes, alphabet: bytes, top: int, tail: bytes) -> bytes:
    """A regex for the references of `last`'s kind (column letters or row digits) after it.

    References longer than `last` (up to `top` characters), or as long and greater, when
    followed by `tail`; `alphabet` is the character range, e.g. b"A-Z".
    """
    final = alphabet[-1:]
    options = []
    if len(last) < top:
        options.append(b"[%s]{%d,%d}%s" % (alphabet, len(last) + 1, top, tail))
    for i in range(len(last)):
        if last[i:i + 1] != final:
            options.append(re.escape(last[:i]) + b"[%s-%s]" % (bytes([last[i] + 1]), final)
                           + b"[%s]{%d}%s" % (alphabet, len(last) - i - 1, tail))
    return b"(?:" + b"|".join(options or [b"(?!)"]) + b")"


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
    if b"<!" in data:  # a DTD above all (openpyxl refuses it, with its message), or CDATA
        return f"{name}: a DTD, comment or CDATA"
    if b"<rPh" in data:
        return f"{name}: phonetic runs"
    if _ESCAPE.search(data):  # calamine decodes _x0001_ as Excel does; openpyxl keeps it as written
        return f"{name}: _xHHHH_ escapes"
    if not any(mark in data for mark in _SHEET_MARKS):
        if any(mark in data for mark in _OTHER_SHEETS):
            tally[1] += 1
            return None
        tally[0] += len(_LISTED_SHEET.findall(data))
        return f"{name}: the 1904 calendar" if _DATE1904.search(data) else None
    tally[1] += 1
    if b"<f" in data or _PREFIXED.search(data):
        return f"{name}: formulas or prefixed cells"
    if _ERROR_OR_DATE.search(data):
        return f"{name}: error or ISO-date cells"
    found = _DIMENSION.search(data)
    if found is None or data.count(b"dimension") != 1:
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
    rows = [int(n) for n in _ROW.findall(data)]
    if (len(rows) != data.count(b"<row ") + data.count(b"<row>")
            or any(b <= a for a, b in zip(rows, islice(rows, 1, None), strict=False))):
        return f"{name}: rows without a number, or out of order"
    allowed = min(limits.calamine_max_cells,
                  max(limits.calamine_free_cells, limits.calamine_cells_per_value * cells))
    if columns * height > allowed:
        return f"{name}: declares {columns * height:,} cells for {cells:,} values"
    beyond = (_beyond(last_col, b"A-Z", 3, b"[0-9]") + b"|[A-Z]{1,3}" + _beyond(last_row, b"0-9", 7, b'"'))
    odd = re.compile(_ODD_CELL.replace(b"{beyond}", b"(?:" + beyond + b")").replace(b"{{", b"{")
                     .replace(b"}}", b"}"))
    if odd.search(data):
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
    if b'hidden="' in data:
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
