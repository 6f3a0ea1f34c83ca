"""Unified social credit codes: the check character and the problems told, as GB 32100-2015 has them
(the reference below is the plain reading of the standard the module's faster code must agree with)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrcalc.codes import ALPHABET, check_char, credit_code_problem
from tests.test_fuzz import FUZZ

_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _reference_check(body: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(body, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _reference_problem(code: str) -> str | None:
    if len(code) != 18:
        return "code.length"
    if any(ch not in ALPHABET for ch in code):
        return "code.charset"
    return "code.check" if _reference_check(code[:17]) != code[17] else None


_codes = st.text(ALPHABET + "IOSVZa0 -", min_size=16, max_size=19)


@FUZZ
@given(code=_codes | st.text(ALPHABET, min_size=17, max_size=17).map(lambda b: b + _reference_check(b)))
def test_the_problem_told_is_the_standards(code: str) -> None:
    assert credit_code_problem(code) == _reference_problem(code)
    if len(code) == 17 and all(ch in ALPHABET for ch in code):
        assert check_char(code) == _reference_check(code)


def test_a_known_code_checks() -> None:
    assert credit_code_problem("91340100MA0000001K") is None
    assert credit_code_problem("91340100MA0000001L") == "code.check"
    assert check_char("91340100MA0000001") == "K"


@pytest.mark.parametrize("body", ["91340100MA000000", "91340100MA00000010", "91340100MA000000I"])
def test_check_char_refuses_what_is_no_code_body(body: str) -> None:
    with pytest.raises(ValueError, match="not a 17-character code body"):
        check_char(body)
