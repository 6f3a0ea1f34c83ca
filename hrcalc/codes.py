"""Unified social credit codes (统一社会信用代码, GB 32100-2015): the check character."""

from __future__ import annotations

from operator import mul

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


# the reader checks each distinct code of a workbook (20,000 employers in 100,000 placements):
# map() over the characters, not a generator expression (measured: half the time)
_KNOWN = _VALUE.__contains__
_VALUE_OF = _VALUE.__getitem__


def check_char(body: str) -> str:
    """The 18th character for the first 17 characters of a code."""
    if len(body) != 17 or not all(map(_KNOWN, body)):
        raise ValueError(f"not a 17-character code body: {body!r}")
    total = sum(map(mul, map(_VALUE_OF, body), _WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when `code` is a valid 18-character code, else a message key saying why not."""
    if len(code) != 18:
        return "code.length"
    if not all(map(_KNOWN, code)):
        return "code.charset"
    if check_char(code[:17]) != code[17]:
        return "code.check"
    return None


def is_valid_credit_code(code: str) -> bool:
    return credit_code_problem(code) is None
