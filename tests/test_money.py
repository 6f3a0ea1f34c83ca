"""Money as JSON writes it, and the digest's canonical hashing of row lists, checked against the
plain definitions they are faster forms of."""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrcalc import digest
from hrcalc.money import json_money, round_money
from tests.test_fuzz import FUZZ


def _plain(value: Decimal) -> str:
    return f"{round_money(value):.2f}"


@FUZZ
@given(st.decimals(allow_nan=False, allow_infinity=False, places=None))
def test_json_money_is_two_decimals_of_the_rounded_value(value: Decimal) -> None:
    try:
        expected = _plain(value)
    except InvalidOperation:  # too many digits for the context: both refuse
        with pytest.raises(InvalidOperation):
            json_money(value)
        return
    assert json_money(value) == expected


@pytest.mark.parametrize("text", ["0", "-0", "-0.00", "0.005", "-0.005", "0.004999", "1E+5", "1E-9", "12345.675",
                                  "76700", "999999999999.995", "5.0", "-1234.5"])
def test_json_money_at_the_edges(text: str) -> None:
    assert json_money(Decimal(text)) == _plain(Decimal(text))


def test_amounts_equal_but_not_alike_are_each_written_as_themselves() -> None:
    """A zero keeps its sign; NaN is written as format() writes it; a signalling NaN still raises."""
    assert [json_money(Decimal(t)) for t in ("0", "-0", "0.00", "-0.00", "1E+3", "1000.004", "1000.005")] == [
        "0.00", "-0.00", "0.00", "-0.00", "1000.00", "1000.00", "1000.01"]
    assert json_money(Decimal("NaN")) == "NaN" == json_money(Decimal("NaN"))
    with pytest.raises(InvalidOperation):
        json_money(Decimal("sNaN"))


@pytest.mark.parametrize("count", [0, 1, digest._BATCH - 1, digest._BATCH, digest._BATCH + 1, 3 * digest._BATCH + 7])
def test_a_row_list_hashes_as_its_canonical_form(count: int) -> None:
    rows = [{"b": i, "a": [f"行{i}", None, True], "c": {"z": "x", "y": 1.5}} for i in range(count)]
    sha = hashlib.sha256()
    assert list(digest._hash_list(sha, iter(rows))) == rows  # every row passes through, in order
    assert sha.hexdigest() == hashlib.sha256(digest.canonical({"k": rows})[5:-1]).hexdigest()
