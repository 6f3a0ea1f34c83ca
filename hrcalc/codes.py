"""Unified social credit codes (统一社会信用代码, GB 32100-2015): the check character."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(body: str) -> str:
    """The 18th character for the first 17 characters of a code."""
    if len(body) != 17 or any(ch not in _VALUE for ch in body):
        raise ValueError(f"not a 17-character code body: {body!r}")
    total = sum(_VALUE[ch] * w for ch, w in zip(body, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when `code` is a valid 18-character code, else a message key saying why not."""
    if len(code) != 18:
        return "code.length"
    if any(ch not in _VALUE for ch in code):
        return "code.charset"
    if check_char(code[:17]) != code[17]:
        return "code.check"
    return None


def is_valid_credit_code(code: str) -> bool:
    return credit_code_problem(code) is None
