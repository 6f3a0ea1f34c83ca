"""Text in terminal cells: widths of Chinese and Latin text, and wrapping that never breaks an id or amount.

A line may break at a space or between two Chinese characters, never inside a run of Latin
letters, digits and signs (a credit code, a placement id, 1,000,000.00, 2025-03-01, a file name),
never before closing punctuation (，。）) nor after opening punctuation (（“), and never between
a number and its unit (100万元). Only a run wider than the whole line is cut, and only by
`wrap`'s caller's choice of width: the layouts here give each column at least its widest run.
No rich import: `hrcalc --help` uses this too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_UNIT = r"\s+|[!-~]+[万亿元]*|."
_CLOSING = frozenset("，。、；：！？）》」』】〕”’…·,.;:!?)]}%")
_OPENING = frozenset("（《「『【〔“‘([{")


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cell_len(text: str) -> int:
    """How many terminal cells `text` takes (a Chinese character takes two)."""
    if text.isascii():
        return len(text)
    return sum(char_width(ch) for ch in text)


def units(text: str) -> list[str]:
    """The pieces a line may break between (whitespace comes as its own pieces)."""
    out: list[str] = []
    glue_next = False
    for piece in re.findall(_UNIT, text, re.DOTALL):  # re caches the compiled pattern
        if piece.isspace():
            out.append(piece)
            glue_next = False
            continue
        if out and not out[-1].isspace() and (glue_next or piece[0] in _CLOSING):
            out[-1] += piece
        else:
            out.append(piece)
        glue_next = piece[-1] in _OPENING
    return out


def min_width(text: str) -> int:
    """The narrowest width `text` wraps into without breaking a piece: its widest piece."""
    return max((cell_len(u) for line in text.split("\n") for u in units(line) if not u.isspace()), default=0)


def _fold(piece: str, width: int) -> list[str]:
    """A piece wider than the line, cut by cells (the last resort, for a line narrower than an id)."""
    out, line, used = [], "", 0
    for ch in piece:
        w = char_width(ch)
        if line and used + w > width:
            out.append(line)
            line, used = "", 0
        line += ch
        used += w
    out.append(line)
    return out


def wrap(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` cells (its own line breaks kept)."""
    width = max(width, 1)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if cell_len(paragraph) <= width:
            lines.append(paragraph.rstrip())
            continue
        line, used, space = "", 0, ""
        for piece in units(paragraph):
            if piece.isspace():
                if line:
                    space = piece
                continue
            w = cell_len(piece)
            if line and used + cell_len(space) + w <= width:
                line += space + piece
                used += cell_len(space) + w
            else:
                if line:
                    lines.append(line)
                if w > width:
                    *full, line = _fold(piece, width)
                    lines.extend(full)
                    used = cell_len(line)
                else:
                    line, used = piece, w
            space = ""
        lines.append(line)
    return lines
