"""Decimal money: the one rounding rule, and formatting for people and for JSON."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)


def round_money(value: Decimal) -> Decimal:
    """Round once, at the end of a line: half-up (四舍五入) to 0.01 yuan."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


_SHOWN: dict[Decimal, str] = {}  # amount → its JSON string; equal amounts (1E+3, 1000.00) share one
_SHOWN_KEPT = 1 << 14


def json_money(value: Decimal) -> str:
    """Money in JSON: a string with exactly two decimals.

    str() of the rounded value is that string (an exponent of -2 is never written as 1E-2) and
    costs a third of format(…, ".2f"); the JSON writes a few hundred thousand amounts, most of
    them a tier's or a cap's, so each amount's string is also remembered (a zero is not: -0 == 0
    but is written -0.00)."""
    finite = value.__class__ is Decimal and value.is_finite()
    if finite:
        shown = _SHOWN.get(value)
        if shown is not None:
            return shown
    shown = str(value.quantize(CENT, rounding=ROUND_HALF_UP))
    if finite and value and len(_SHOWN) < _SHOWN_KEPT:
        _SHOWN[value] = shown
    return shown


def show_money(value: Decimal) -> str:
    """Money for people: thousands separators, two decimals."""
    return f"{round_money(value):,.2f}"


def show_rate(value: Decimal) -> str:
    """A rate as a percentage without trailing zeros: 0.4 -> 40%, 0.155 -> 15.5%."""
    pct = (value * 100).normalize()
    text = f"{pct:f}"
    return f"{text}%"

