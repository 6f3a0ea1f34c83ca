"""Cell parsers: one per column kind, chosen once per column; a cell that does not parse is a CellError."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Context, Decimal, Inexact, InvalidOperation
from functools import lru_cache
from typing import Any

from hrcalc.codes import credit_code_problem
from hrcalc.policy import Policy
from hrcalc.read.backend import Formula, RawValue
from hrcalc.read.messages import CODE_PROBLEMS
from hrcalc.read.schema import BOOLEAN_WORDS, PARK_LEVEL_ALIASES, RECOGNITION_KIND_ALIASES, ColumnSpec, fold


class CellError(Exception):
    """A cell that does not read as its column's kind; key is a registered message key."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


Parser = Callable[[Any], Any]

EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})  # fmt: skip
_NUMBER_TEXT = re.compile(r"([+-]?)\s*¥?\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)")
_UNIT_WORDS = re.compile(r"[万亿千百元%‰]|yuan|rmb|cny", re.IGNORECASE)
_DATE_TEXT = re.compile(
    r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_TEXT_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_YEAR_TEXT = re.compile(r"(\d{4})\s*(?:年度?)?")
_EXACT = Context(prec=60, traps=[Inexact, InvalidOperation])
ONE = Decimal(1)
_MIN_YEAR, _MAX_YEAR = 1900, 2999


def _nfkc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def raw_text(value: RawValue) -> str | None:
    """A raw cell value as a string, for an Issue's `value`."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Formula):
        return raw_text(value.value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def as_text(value: Any) -> str:
    if value.__class__ is str:
        return str(value)
    text = raw_text(value)
    return "" if text is None else text


def is_blank(value: Any) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


def _text_parser(ident: bool) -> Parser:
    normalize = unicodedata.normalize

    def parse(value: Any) -> str:  # as_text and _nfkc written out: a call each, per text cell
        text = value if value.__class__ is str else as_text(value)
        if ident and not text.isascii():
            text = normalize("NFKC", text)
        text = text.strip()
        if text[:1] == "#" and text in EXCEL_ERRORS:
            raise CellError("read.cell.excel_error")
        return text

    return parse


_ident_parser = _text_parser(True)


def _payee_parser(value: Any) -> str:
    text: str = _ident_parser(value)
    upper = text.upper()
    # a credit code is compared in upper case; a district name is kept as written
    return upper if len(upper) == 18 and _code_problem(upper) is None else text


# yes/no words, classes, kinds and award names repeat down a column: fold each spelling once
fold_word = lru_cache(maxsize=4096)(fold)
# the same institution and employer codes recur on thousands of rows: check each once
_code_problem = lru_cache(maxsize=1 << 16)(credit_code_problem)


_CODES: dict[str, str] = {}  # a valid code's cell text → the code; bounded by _CODES_KEPT
_CODES_KEPT = 1 << 16


def _code_parser(value: Any) -> str:
    if value.__class__ is str:
        known = _CODES.get(value)
        if known is not None:
            return known
    code = _nfkc(as_text(value)).strip().upper()
    problem = _code_problem(code)
    if problem is not None:
        if value.__class__ is int or value.__class__ is float:
            # Excel keeps 15 significant digits of a number: the code's last digits are gone
            raise CellError("read.cell.code_number", shown=_as_excel_shows(value))
        raise CellError(CODE_PROBLEMS.get(problem, "read.cell.code_check"), length=len(code))
    if value.__class__ is str and len(_CODES) < _CODES_KEPT:
        _CODES[value] = code
    return code


def _as_excel_shows(value: float) -> str:
    """A large number as Excel's General format shows it: 9.13401E+17."""
    try:
        number = float(value)
    except OverflowError:  # an int no float holds
        number = math.inf
    if not math.isfinite(number) or abs(number) < 1e11:
        return raw_text(value) or ""
    mantissa, exponent = f"{number:.5E}".split("E")
    return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"


def _number_text(text: str) -> Decimal:
    """Digits with optional sign, ¥, thousands separators and decimals: exact Decimal."""
    text = _nfkc(text).strip()
    m = _NUMBER_TEXT.fullmatch(text)
    if m is None:
        if _UNIT_WORDS.search(text):
            raise CellError("read.cell.unit_in_number")
        raise CellError("read.cell.number")
    digits = m.group(2).replace(",", "")
    if len(digits) > 40:
        raise CellError("read.cell.number_too_long")
    return Decimal(m.group(1) + digits)


def _number(value: Any) -> Decimal:
    cls = value.__class__
    if cls is int:
        return Decimal(value)
    if cls is float:
        if not math.isfinite(value):
            raise CellError("read.cell.number")
        # repr is the shortest text that round-trips: what Excel showed, not the binary float
        return Decimal(repr(value))
    if cls is str:
        return _number_text(value)
    raise CellError("read.cell.number")


def _money_parser(unit: Decimal, positive: bool) -> Parser:
    scaled = unit != ONE

    def parse(value: Any) -> Decimal:
        amount = _number(value)
        if scaled:
            try:
                amount = _EXACT.multiply(amount, unit)
            except (Inexact, InvalidOperation):
                raise CellError("read.cell.number_too_long") from None
        if amount.is_signed():
            if not amount.is_zero():
                raise CellError("read.cell.negative")
            amount = amount.copy_abs()
        if positive and amount.is_zero():
            raise CellError("read.cell.not_positive")
        return amount

    return parse


def _whole(value: Any, key: str) -> int:
    number = _number(value)
    if number != number.to_integral_value():
        raise CellError(key)
    return int(number)


def _integer_parser(value: Any) -> int:
    try:
        number = _whole(value, "read.cell.integer")
    except CellError as err:
        if err.key in ("read.cell.number", "read.cell.unit_in_number"):
            raise CellError("read.cell.integer") from None
        raise
    if number < 0:
        raise CellError("read.cell.integer")
    return number


def _year_parser(value: Any) -> int:
    cls = value.__class__
    if cls is int or cls is float:
        if cls is float and not (math.isfinite(value) and value.is_integer()):
            raise CellError("read.cell.year")
        year = int(value)
    elif cls is str:
        m = _YEAR_TEXT.fullmatch(_nfkc(value).strip())
        if m is None:
            raise CellError("read.cell.year")
        year = int(m.group(1))
    else:
        raise CellError("read.cell.year")
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise CellError("read.cell.year")
    return year


def _boolean_parser(value: Any) -> bool:
    cls = value.__class__
    if cls is bool:
        return bool(value)
    if cls is int or cls is float:
        if value == 1:
            return True
        if value == 0:
            return False
    elif cls is str:
        found = BOOLEAN_WORDS.get(value)  # 是/否 as typed: no need to fold
        if found is None:
            found = BOOLEAN_WORDS.get(fold_word(value))
        if found is not None:
            return found
    raise CellError("read.cell.boolean")


def _make_date(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise CellError("read.cell.no_such_date") from None


def _date_parser(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = _nfkc(value).strip()
        m = _DATE_TEXT.fullmatch(text)
        if m is not None:
            return _make_date(m.group(1), m.group(3), m.group(4))
        m = _DATE_TEXT_ZH.fullmatch(text)
        if m is not None:
            return _make_date(m.group(1), m.group(2), m.group(3))
    raise CellError("read.cell.date")


def _talent_class_parser(value: Any) -> str:
    text = fold_word(as_text(value)).upper()
    for suffix in ("类人才", "类"):
        if text.endswith(suffix):
            text = text[: -len(suffix)].strip()
            break
    if text not in _TALENT_CLASSES:
        raise CellError("read.cell.talent_class")
    return text


_TALENT_CLASSES = frozenset(("A", "B", "C", "D", "E"))


def _alias_parser(aliases: dict[str, str], key: str, **params: Any) -> Parser:
    def parse(value: Any) -> str:
        found = aliases.get(value) if value.__class__ is str else None
        if found is None:
            found = aliases.get(fold_word(as_text(value)))
        if found is None:
            raise CellError(key, **params)
        return found

    return parse


def parser_for(spec: ColumnSpec, unit: Decimal, policy_aliases: PolicyAliases) -> Parser:
    kind = spec.kind
    if kind == "text":
        return _payee_parser if spec.field == "payee_id" else _text_parser(spec.ident)
    if kind == "code":
        return _code_parser
    if kind == "money":
        return _money_parser(unit, spec.positive)
    if kind == "integer":
        return _integer_parser
    if kind == "year":
        return _year_parser
    if kind == "boolean":
        return _boolean_parser
    if kind == "date":
        return _date_parser
    if kind == "talent_class":
        return _talent_class_parser
    if kind == "recognition_kind":
        return _alias_parser(RECOGNITION_KIND_ALIASES, "read.cell.recognition_kind")
    if kind == "park_level":
        return _alias_parser(PARK_LEVEL_ALIASES, "read.cell.park_level")
    if kind == "award":
        return _alias_parser(policy_aliases.awards, "read.cell.award", known=policy_aliases.award_list)
    if kind == "tier":
        return _alias_parser(policy_aliases.tiers, "read.cell.tier")
    raise AssertionError(f"no parser for column kind {kind!r}")


@dataclass(frozen=True, slots=True)
class PolicyAliases:
    awards: dict[str, str]
    tiers: dict[str, str]
    award_list: str

    @classmethod
    def of(cls, policy: Policy) -> PolicyAliases:
        return cls(
            awards={fold(k): v for k, v in policy.award_aliases().items()},
            tiers={fold(k): v for k, v in policy.tier_aliases().items()},
            award_list=", ".join(policy.awards),
        )


