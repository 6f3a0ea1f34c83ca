"""Fuzzing the reader: a valid workbook, mutated, either reads or is refused with hrcalc's own error.

Four kinds of mutation of one seed workbook (every sheet, shared strings, a date, a formula
with its result, a merged title):
- the bytes of the zip itself (with extra weight on its headers and directory);
- the bytes of one XML part (sheet, shared strings, workbook, styles, content types), re-zipped;
- tokens spliced into one XML part: entity declarations, extreme row and cell references,
  cell types, huge numbers, broken markup;
- changes that keep the XML well-formed: attribute values, cell texts, whole elements dropped
  or inserted, so they reach the handling of values rather than the XML parser.

Whatever the mutation, `read_workbook` must return Records or raise HrcalcError: any other
exception would reach the clerk as "internal error" (exit 3). A few hundred examples run with
the suite; a longer run:

    HRCALC_FUZZ_EXAMPLES=10000 pytest tests/test_fuzz.py -p no:cacheprovider

(the number is per test; a long run is randomized, the default one is fixed for CI).
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hrcalc.errors import HrcalcError
from hrcalc.policy import Policy, load_policy
from hrcalc.read import read_workbook
from hrcalc.records import Records
from tests.builders import build_input, code

EXAMPLES = int(os.environ.get("HRCALC_FUZZ_EXAMPLES", "200"))
LONG_RUN = "HRCALC_FUZZ_EXAMPLES" in os.environ
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG_RUN,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

SHARED_STRINGS = "xl/sharedStrings.xml"
XML_PARTS = ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", SHARED_STRINGS, "xl/workbook.xml",
             "xl/styles.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels")
TOKENS = [
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', b"&a;", b'<!ENTITY b SYSTEM "file:///etc/passwd">', b"&#0;",
    b"&#x1;", b"&amp;", b"]]>", b"<![CDATA[x]]>", b"<?xml version='1.0'?>", b"</row>", b"<row>", b'<row r="0">',
    b'<row r="1048577">', b'<row r="99999999999999999999">', b'<row r="-1">', b'<row r="1.5">', b'<row r="nan">',
    b'<c r="XFD1048576"><v>1</v></c>', b'<c r="A0"><v>1</v></c>', b'<c r="ZZZZ1"><v>1</v></c>',
    b'<c r="A1"><v>1</v></c>', b"<c><v>1</v></c>", b'<c t="s"><v>999999</v></c>', b'<c t="s"><v>-1</v></c>',
    b'<c t="s"><v>x</v></c>', b'<c t="b"><v>7</v></c>', b'<c t="d"><v>2025-02-30</v></c>', b'<c t="e"><v>#N/A</v></c>',
    b'<c t="n"><v>1e999</v></c>', b'<c t="n"><v>' + b"9" * 5000 + b"</v></c>", b'<c s="99999"><v>45000</v></c>',
    b'<c s="1"><v>1e300</v></c>', b'<c t="inlineStr"><is><t>x</t></is></c>', b"<f>SUM(A1:A2)</f>",
    b'<f t="shared" si="0"/>', b"<v></v>", b'<mergeCell ref="A1:XFD1048576"/>', b'<mergeCell ref="A1"/>',
    b'<mergeCells><mergeCell ref="A2:C9"/></mergeCells>', b'<dimension ref="A1:XFD1048576"/>',
    b'<sheet name="x" sheetId="9" r:id="rId99"/>', b'state="veryHidden"', b'state="bogus"', b'name=""',
    b"<si><t>" + "长".encode() * 40000 + b"</t></si>", b"<si></si>", b'count="-5"', b'numFmtId="14"',
    b'<numFmt numFmtId="200" formatCode="yyyy-mm-dd"/>', b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r\n",
    "\u2028".encode(), b"<", b">", b'"', b"=", b"x:", b'xmlns="urn:x"',
]
ALLOWED = (HrcalcError,)


def _with_shared_strings(src: Path, dst: Path) -> Path:
    """openpyxl writes inline strings; Excel writes a shared-string table. Make the seed like Excel's."""
    strings: dict[str, int] = {}

    def share(m: re.Match[str]) -> str:
        text = m.group(2)
        index = strings.setdefault(text, len(strings))
        return f'<c r="{m.group(1)}" t="s"><v>{index}</v></c>'

    with zipfile.ZipFile(src) as zin:
        parts = {info.filename: zin.read(info.filename) for info in zin.infolist()}
    for name in list(parts):
        if name.startswith("xl/worksheets/sheet"):
            xml = parts[name].decode()
            xml = re.sub(r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', share, xml)
            parts[name] = xml.encode()
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    parts[SHARED_STRINGS] = (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                             f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>').encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdSST" Target="sharedStrings.xml" Type="http://schemas.'
                             b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>')
    return _zip(dst, parts)


def _zip(dst: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return dst


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The seed workbook's parts: every sheet kind, shared strings, a merged title row."""
    work = tmp_path_factory.mktemp("seed")
    path = build_input(
        work / "plain.xlsx",
        institutions=[{"credit_code": code(1), "district": "蜀山区", "employees": 12}],
        revenue=[{"year": 2024, "revenue": 200_000_000},
                 {"year": 2025, "revenue": "260,000,000", "prior_year_revenue": 200_000_000}],
        placements=[{"talent_class": "B", "urgent_need": "是", "other_policy_amount": 5000}],
        recognitions=[{"kind": "national_competition", "reference": "全国人力资源服务大赛"}],
        parks=[{}], prior_awards=[{"tier": "salary_500k"}], claims=[{"record_id": "P-0001"}], lang="zh")
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    ws.insert_rows(1)
    ws["A1"] = "2025 年度"
    ws.merge_cells("A1:C1")
    wb.save(path)
    seeded = _with_shared_strings(path, work / "seed.xlsx")
    with zipfile.ZipFile(seeded) as z:
        return {info.filename: z.read(info.filename) for info in z.infolist()}


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "in.xlsx"


def test_the_seed_reads_cleanly(seed: dict[str, bytes], policy: Policy, target: Path) -> None:
    assert SHARED_STRINGS in seed and all(part in seed for part in XML_PARTS)
    records = read_workbook(_zip(target, seed), policy)
    assert records.errors == []
    assert len(records.placements) == len(records.parks) == len(records.claims) == 1


def _check(path: Path, policy: Policy) -> None:
    try:
        records = read_workbook(path, policy)
    except ALLOWED as exc:
        event(f"refused: {exc.message.key}")  # --hypothesis-show-statistics lists what was found
        return
    assert isinstance(records, Records)
    event(f"read: {'errors' if records.errors else 'clean'}")


# ---- mutations ----------------------------------------------------------------------------------

Mutation = Callable[[bytearray], None]


@st.composite
def _mutation(draw: st.DrawFn, size: int, tokens: bool) -> Mutation:
    pos = draw(st.integers(0, max(size - 1, 0)))
    kinds = ["flip", "insert", "delete", "overwrite", "duplicate"] + (["token", "token", "token"] if tokens else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "flip":
        bit = draw(st.integers(0, 7))

        def flip(data: bytearray) -> None:
            if data:
                data[pos % len(data)] ^= 1 << bit

        return flip
    if kind == "delete":
        n = draw(st.integers(1, 64))

        def delete(data: bytearray) -> None:
            del data[pos:pos + n]

        return delete
    if kind == "duplicate":
        n = draw(st.integers(1, 256))

        def duplicate(data: bytearray) -> None:
            data[pos:pos] = data[pos:pos + n]

        return duplicate
    payload = draw(st.sampled_from(TOKENS)) if kind == "token" else draw(st.binary(min_size=1, max_size=16))
    if kind == "overwrite":
        def overwrite(data: bytearray) -> None:
            data[pos:pos + len(payload)] = payload

        return overwrite

    def insert(data: bytearray) -> None:
        data[pos:pos] = payload

    return insert


def _mutate(draw: st.DrawFn, data: bytes, tokens: bool, most: int = 4) -> bytes:
    out = bytearray(data)
    for mutation in draw(st.lists(_mutation(len(data), tokens), min_size=1, max_size=most)):
        mutation(out)
    return bytes(out)


@st.composite
def _mutated_part(draw: st.DrawFn, seed: dict[str, bytes], tokens: bool) -> dict[str, bytes]:
    name = draw(st.sampled_from(XML_PARTS))
    return {**seed, name: _mutate(draw, seed[name], tokens)}


@st.composite
def _mutated_zip(draw: st.DrawFn, seed_zip: bytes) -> bytes:
    data = bytearray(seed_zip)
    cd_at = data.rfind(b"PK\x05\x06")
    cd_start = struct.unpack_from("<L", data, cd_at + 16)[0]
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(["anywhere", "directory", "local header", "field"]))
        if where == "anywhere":
            data = bytearray(_mutate(draw, bytes(data), False, most=1))
        elif where == "directory":
            pos = draw(st.integers(cd_start, len(data) - 1))
            data[pos] = draw(st.integers(0, 255))
        elif where == "local header":
            headers = [m.start() for m in re.finditer(rb"PK\x03\x04", bytes(data[:cd_start]))]
            if headers:
                pos = draw(st.sampled_from(headers)) + draw(st.integers(4, 29))
                data[pos] = draw(st.integers(0, 255))
        else:
            # a numeric field of a central-directory entry: method, crc, sizes, name length, offset
            entries = [m.start() for m in re.finditer(rb"PK\x01\x02", bytes(data[cd_start:]))]
            if entries:
                at = cd_start + draw(st.sampled_from(entries))
                offset, fmt = draw(st.sampled_from([(10, "<H"), (16, "<L"), (20, "<L"), (24, "<L"), (28, "<H"),
                                                    (42, "<L")]))
                top = 0xFFFF if fmt == "<H" else 0xFFFFFFFF
                value = draw(st.one_of(st.sampled_from([0, 1, 8, 12, 14, 99, top, top - 1]), st.integers(0, top)))
                if at + offset + struct.calcsize(fmt) <= len(data):
                    struct.pack_into(fmt, data, at + offset, value)
    return bytes(data)


ATTRIBUTE_VALUES = [b"", b"0", b"-1", b"1", b"2", b"1048576", b"1048577", b"16384", b"99999999999999999999", b"1e999",
                    b"nan", b"1.5", b"A0", b"A1", b"XFD1048576", b"XFE1", b"ZZZ9", b"A1:XFD1048576", b"B3:A1", b"s",
                    b"n", b"b", b"e", b"d", b"str", b"inlineStr", b"shared", b"array", b"hidden", b"veryHidden",
                    b"rId1", b"rId999", b"/xl/worksheets/sheet1.xml", b"../../etc/passwd", "长".encode()]
TEXT_VALUES = [b"", b" ", b"0", b"-0", b"1e308", b"1e-320", b"NaN", b"inf", b"9" * 400, b"45717", b"2958466", b"-1",
               b"1.2.3", "30万".encode(), b"2025-02-30", b"2025-03-01T00:00:00", b"#DIV/0!", b"TRUE", b"&amp;",
               "是".encode(), "长".encode() * 33000, b"_x0001_", b"\t\n"]


@st.composite
def _structured(draw: st.DrawFn, seed: dict[str, bytes]) -> dict[str, bytes]:
    """Changes that keep the XML well-formed, so they reach openpyxl's and hrcalc's handling of values."""
    name = draw(st.sampled_from(XML_PARTS))
    data = seed[name]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["attribute", "text", "element", "drop"]))
        if kind == "attribute":
            spots = [m.span(1) for m in re.finditer(rb'="([^"]*)"', data)]
            payload = draw(st.sampled_from(ATTRIBUTE_VALUES))
        elif kind == "text":
            spots = [m.span(1) for m in re.finditer(rb">([^<]+)</", data)]
            payload = draw(st.sampled_from(TEXT_VALUES))
        elif kind == "element":
            spots = [(m.start(), m.start()) for m in re.finditer(rb"<", data)]
            payload = draw(st.sampled_from(TOKENS))
        else:  # drop one element and what it holds, or a closing tag's twin
            spots = [m.span() for m in re.finditer(rb"<(\w+)[^>]*/>|<(c|row|si|v|f|t|sheet|mergeCell)\b[^>]*>.*?</\2>",
                                                    data, re.S)]
            payload = b""
        if spots:
            start, end = draw(st.sampled_from(spots))
            data = data[:start] + payload + data[end:]
    return {**seed, name: data}


def _seed_zip(seed: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in seed.items():
            z.writestr(name, data)
    return buf.getvalue()


# ---- the properties -----------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_mutated_zip_bytes(seed: dict[str, bytes], policy: Policy, target: Path, data: st.DataObject) -> None:
    target.write_bytes(data.draw(_mutated_zip(_seed_zip(seed))))
    _check(target, policy)


@FUZZ
@given(data=st.data())
def test_mutated_xml_bytes(seed: dict[str, bytes], policy: Policy, target: Path, data: st.DataObject) -> None:
    _check(_zip(target, data.draw(_mutated_part(seed, tokens=False))), policy)


@FUZZ
@given(data=st.data())
def test_tokens_spliced_into_xml(seed: dict[str, bytes], policy: Policy, target: Path, data: st.DataObject) -> None:
    _check(_zip(target, data.draw(_mutated_part(seed, tokens=True))), policy)


@FUZZ
@given(data=st.data())
def test_well_formed_changes(seed: dict[str, bytes], policy: Policy, target: Path, data: st.DataObject) -> None:
    _check(_zip(target, data.draw(_structured(seed))), policy)
