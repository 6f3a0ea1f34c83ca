"""Decimal money: the one rounding rule, and formatting for people and for JSON."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)


def round_money(value: Decimal) -> Decimal:
    """Round once, at the end of a line: half-up (四舍五入) to 0.01 yuan."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def json_money(value: Decimal) -> str:
    """Money in JSON: a string with exactly two decimals.

    str() of the rounded value is that string (an exponent of -2 is never written as 1E-2) and
    costs a third of format(…, ".2f"): the JSON writes a few hundred thousand amounts. (Not
    remembered by amount: hashing a Decimal costs as much as rounding and writing it.)"""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def show_money(value: Decimal) -> str:
    """Money for people: thousands separators, two decimals."""
    return f"{round_money(value):,.2f}"


def show_rate(value: Decimal) -> str:
    """A rate as a percentage without trailing zeros: 0.4 -> 40%, 0.155 -> 15.5%."""
    pct = (value * 100).normalize()
    text = f"{pct:f}"
    return f"{text}%"

