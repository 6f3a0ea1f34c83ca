"""Cell values for every workbook hrcalc writes: safe text, display widths, values with a kind.

Text that XML and Excel can carry (illegal characters replaced, Excel's length cap), how wide a
value shows (East Asian wide characters count two), how many lines a wrapped cell needs, and the
kinds a planned column may hold. Used by the writer layer, hrcalc.render.xlsx.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from hrcalc.money import round_money

WIDTH_SLACK = 1.05  # printed fonts (a CJK font for Calibri) run wider than Excel's character unit

# ---- cells that stay what they are ----------------------------------------------------------------

MAX_CELL_TEXT = 32767  # Excel's limit for one cell
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = frozenset("=+-@")
_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def clean_text(text: str) -> str:
    """Text that XML and Excel can carry: illegal control characters replaced, length capped."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("\ufffd", text)
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "…"
    return text


def needs_text_guard(text: str) -> bool:
    """Would Excel or LibreOffice read this string as a formula or an error code if typed?"""
    return text[:1] in _FORMULA_START or text in _ERROR_CODES


_IDEOGRAPHS = re.compile("[\u4e00-\u9fff]")  # CJK Unified Ideographs: every one East Asian Wide (a test checks)
_OTHERS = re.compile("[^\x00-\x7f\u4e00-\u9fff]")  # what else may be wide: looked up one by one


@lru_cache(maxsize=1 << 14)
def text_width(text: str) -> int:
    """Display width in Excel's character units: East Asian wide and full-width characters count two."""
    width = 0
    for line in text.split("\n"):
        w = len(line)
        if not line.isascii():  # the ideographs counted at once, the few others (full-width ：，) each
            w += len(line) - len(_IDEOGRAPHS.sub("", line))
            w += sum(1 for ch in _OTHERS.findall(line) if unicodedata.east_asian_width(ch) in "WF")
        width = max(width, w)
    return width


def _quick_width(text: str) -> int:
    """text_width's estimate for a row's height, fast enough for every row of a long sheet: a
    character beyond ASCII that UTF-8 writes in three bytes (CJK, full-width) counts two."""
    if text.isascii():
        return len(text)
    return len(text) + (len(text.encode("utf-8", "surrogatepass")) - len(text)) // 2


def wrapped_lines(text: str, width: int) -> int:
    """How many printed lines a wrapped cell of `width` characters needs for `text`: its own lines,
    each wrapped at the width, and a line in six more where any wraps (printed glyphs vary)."""
    usable = max(width / WIDTH_SLACK - 2, 1)
    if "\n" not in text:  # one line of text (most cells): the same count, without the list
        w = len(text) if text.isascii() else _quick_width(text)
        if w <= usable:
            return 1
        lines = math.ceil(w / usable)
        return lines + lines // 6
    widths = [_quick_width(part) for part in text.split("\n")]
    lines = sum(max(1, math.ceil(w / usable)) for w in widths)
    return lines + lines // 6 if any(w > usable for w in widths) else lines


# ---- values with a kind ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Pct:
    """A rate to show as a percentage in a column that holds other kinds too."""

    value: Decimal


@dataclass(frozen=True, slots=True)
class Money:
    """Money in a column that holds other kinds too (a plain Decimal there is money as well)."""

    value: Decimal


Value = str | int | Decimal | Pct | Money | date | datetime | None
ColumnKind = Literal["text", "wrap", "int", "money", "rate", "date", "any"]
ProgressFn = Callable[[int, int], None]
"""Called with (rows written, rows in all) while a workbook is written."""

def display(value: Value) -> str:
    """How a value will look, for fitting the column width."""
    if value is None:
        return ""
    if isinstance(value, Money):
        value = value.value
    if isinstance(value, Decimal):
        return f"{round_money(value):,.2f}"
    if isinstance(value, Pct):
        return f"{value.value * 100:.2f}%"
    if isinstance(value, datetime):
        return "0000-00-00 00:00:00"
    if isinstance(value, date):
        return "0000-00-00"
    return str(value)


