"""The judge's byte searches, made cheaper at 100,000 placements, give the verdicts of the plain
searches they replace: `_holds` is `needle in data`, `odd_cell` the regex of cells beyond the
dimension or not plainly referenced that the judge used before (kept here as the reference)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from hrcalc.limits import DEFAULT_LIMITS
from hrcalc.read import judge
from tests.test_fuzz import FUZZ

# the judge's regex before it was made one lookahead a cell: {beyond} is filled in with the
# references past the dimension
_ODD_CELL = rb'<c(?: r="{beyond}|(?! r="[A-Z]{{1,3}}[1-9][0-9]{{0,6}}")(?!ol|f|on|ust|ellW|ellS))'


def _beyond(last: bytes, alphabet: bytes, top: int, tail: bytes) -> bytes:
    final = alphabet[-1:]
    options = []
    if len(last) < top:
        options.append(b"[%s]{%d,%d}%s" % (alphabet, len(last) + 1, top, tail))
    for i in range(len(last)):
        if last[i:i + 1] != final:
            options.append(re.escape(last[:i]) + b"[%s-%s]" % (bytes([last[i] + 1]), final)
                           + b"[%s]{%d}%s" % (alphabet, len(last) - i - 1, tail))
    return b"(?:" + b"|".join(options or [b"(?!)"]) + b")"


def _reference_odd(last_col: bytes, last_row: bytes) -> re.Pattern[bytes]:
    beyond = _beyond(last_col, b"A-Z", 3, b"[0-9]") + b"|[A-Z]{1,3}" + _beyond(last_row, b"0-9", 7, b'"')
    return re.compile(_ODD_CELL.replace(b"{beyond}", b"(?:" + beyond + b")").replace(b"{{", b"{")
                      .replace(b"}}", b"}"))


_letters = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=3).map(str.encode)
_rows = st.integers(1, 9_999_999).map(lambda n: str(n).encode())
# near-references: letters and digits, too many of either, a leading zero, lower case, no quote
_ref_text = st.text("ABCMNXYZaz0123456789\"", min_size=0, max_size=10).map(str.encode)
_tag = st.one_of(
    st.builds(lambda c, r: b'<c r="' + c + r + b'"', _letters, _rows),
    st.builds(lambda t: b'<c r="' + t, _ref_text),
    st.sampled_from([b"<c>", b"<c/>", b"<col ", b"<cols>", b"<color ", b"<cfRule ", b"<cfvo ", b"<conditional",
                     b"<controls>", b"<customSheetView", b"<cellWatches>", b"<cellSmartTags>", b"<cx", b"<c  r=",
                     b'<c s="1" r="A1"', b"<c\tr=", b"<ce", b"<c r=A1"]),
)


@FUZZ
@given(last_col=_letters, last_row=_rows, tags=st.lists(_tag, max_size=6))
def test_odd_cell_gives_the_verdict_of_the_regex_it_replaces(last_col: bytes, last_row: bytes,
                                                              tags: list[bytes]) -> None:
    data = b"<sheetData><row>" + b"<v>1</v></c>".join(tags) + b"</row></sheetData>"
    expected = _reference_odd(last_col, last_row).search(data) is not None
    assert (judge.odd_cell(last_col, last_row).search(data) is not None) == expected


def test_odd_cell_at_the_edges_of_the_dimension() -> None:
    odd = judge.odd_cell(b"M", b"100002")
    for ok in (b"A1", b"M1", b"M100002", b"L99999", b"A100001", b"B100000"):
        assert odd.search(b'<c r="' + ok + b'" t="s">') is None, ok
    for bad in (b"N1", b"AA1", b"A100003", b"A200000", b"A1000000", b"A0", b"A01", b"a1", b"AAAA1", b"A1x"):
        assert odd.search(b'<c r="' + bad + b'" t="s">') is not None, bad
    wide = judge.odd_cell(b"XFD", b"1048576")
    assert wide.search(b'<c r="XFD1048576">') is None
    assert wide.search(b'<c r="XFE1">') is not None
    assert wide.search(b'<c r="A1048577">') is not None


@FUZZ
@given(data=st.binary(max_size=300) | st.text('<!frPh _x t="edimensionhidden=sheet', max_size=300).map(str.encode),
       needle=st.sampled_from([(b"<!", 1), (b"<f", 1), (b"<rPh", 2), (b"_x", 0), (b' t="e"', 4), (b' t="d"', 4),
                               (b"dimension", 2), (b'hidden="', 0), (b"sheet", 1)]),
       start=st.integers(0, 20))
def test_holds_is_in(data: bytes, needle: tuple[bytes, int], start: int) -> None:
    assert judge._holds(data, *needle) == (needle[0] in data)
    assert judge._holds(data, *needle, start) == (needle[0] in data[start:])


_DIMENSION_TEXT = st.lists(st.sampled_from([b'<dimension ref="A1:M9"/>', b"dimension", b"<dimension>", b"dimensio",
                                            b"<sheetData>", b"m", b'<c r="A1">']), max_size=5)


@FUZZ
@given(parts=_DIMENSION_TEXT)
def test_one_dimension_is_told_as_counting_told_it(parts: list[bytes]) -> None:
    """judge_part's "no single, plain <dimension>" without counting the part's every byte."""
    data = b"<sheetData>" + b"".join(parts)
    found = judge._DIMENSION.search(data)
    refused = judge.judge_part("s.xml", data, DEFAULT_LIMITS, [0, 0, 0]) == "s.xml: no single, plain <dimension>"
    assert refused == (found is None or data.count(b"dimension") != 1)


def test_holds_past_many_rare_bytes() -> None:
    """A part whose text holds the rare byte often: after a few hits, the plain search finishes."""
    many = b"f" * (judge._RARE_TRIES * 3)
    assert judge._holds(b"<" + many, b"<f", 1)  # found at once
    assert judge._holds(many + b"<f", b"<f", 1)
    assert not judge._holds(many + b"<x", b"<f", 1)
    assert judge._holds(b"!" * 1000 + b"<!", b"<!", 1)


_OLD_ROW = re.compile(rb'<row r="([0-9]{1,7})"')


@FUZZ
@given(rows=st.lists(st.sampled_from([b'<row r="1">', b'<row r="2" spans="1:3">', b"<row>", b"<row/>",
                                      b'<row spans="1:2" r="3">', b'<row r="12345678">', b'<row r="0">',
                                      b"<rows>", b'<row\tr="4">', b'<row r="">', b'<row r="5"']), max_size=6))
def test_the_rows_read_in_one_pass_are_the_rows_counted_before(rows: list[bytes]) -> None:
    data = b"".join(rows)
    numbers = [int(n) for n in _OLD_ROW.findall(data)]
    counted = data.count(b"<row ") + data.count(b"<row>")
    found = judge._ROW.findall(data)
    assert [int(n) for n in found if n] == numbers
    assert len(found) == counted


_SHEET_TEXT = st.lists(st.sampled_from([b"<chartsheet", b":chartsheet", b"<dialogsheet", b":dialogsheet", b"macrosheet",
                                        b"<sheet ", b"<x:sheet\t", b"<x.y-z:sheet\n", b"sheet", b"spreadsheetml",
                                        b"<sheets>", b"chart", b"<", b":", b" ", b"sheet\x0b", b"sheet\x0c", b"dialog",
                                        b"a"]), max_size=8)


@FUZZ
@given(parts=_SHEET_TEXT)
def test_sheet_words_miss_no_sheet_name(parts: list[bytes]) -> None:
    """Where _sheet_words says a name cannot be there, the searches it spares find nothing."""
    data = b"".join(parts)
    other, listed = judge._sheet_words(data)
    assert other or not any(mark in data for mark in judge._OTHER_SHEETS)
    assert listed or not judge._LISTED_SHEET.search(data)


def test_sheet_words_give_up_on_a_part_full_of_them() -> None:
    assert judge._sheet_words(b"sheet" * judge._RARE_TRIES) == (True, True)
    assert judge._sheet_words(b"sheet" * (judge._RARE_TRIES - 1)) == (False, False)
