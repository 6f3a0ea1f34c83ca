"""Fuzzing the .xls, .xlsb and .ods reader as tests/test_fuzz.py fuzzes the .xlsx one: truncated, bit-flipped,
oversized. Whatever the mutation, `read_workbook` returns Records or raises HrcalcError (exit 2 at the
command line), never another exception, a crash or an abort. A longer run, outside CI:

    HRCALC_FUZZ_EXAMPLES=10000 pytest tests/test_fuzz_formats.py -p no:cacheprovider
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrcalc.policy import Policy, load_policy
from tests import formats
from tests.builders import build_input, code
from tests.test_fuzz import FUZZ, _check, _mutate, _mutated_zip

ODS_TOKENS = [
    b' table:number-rows-repeated="1048576"', b' table:number-columns-repeated="16384"',
    b' table:number-rows-repeated="99999999999"', b' table:number-columns-repeated="-1"',
    b' table:number-columns-spanned="9999"', b' office:value-type="float" office:value="1e999"',
    b' office:value-type="date" office:date-value="2025-02-30"', b' office:value-type="percentage"',
    b' office:value-type="boolean" office:boolean-value="maybe"', b' office:value-type="time"',
    b'<table:table-row table:number-rows-repeated="1048576"><table:table-cell office:value-type="string">'
    b"<text:p>x</text:p></table:table-cell></table:table-row>",
    b'<table:table table:name="x">', b"</table:table>", b"<text:s text:c=\"99999999\"/>", b"&#0;",
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]>', b"&a;",
]


def _seed_rows(path: Path, writer: formats.Writer) -> Path:
    return build_input(
        path, writer=writer,
        revenue=[{"year": 2024, "revenue": 200_000_000}, {"year": 2025, "revenue": 260_000_000}],
        placements=[{"talent_class": "B", "urgent_need": "是", "placement_date": date(2025, 4, 1)}],
        recognitions=[{"kind": "national_competition", "reference": "全国人力资源服务大赛"}],
        parks=[{}], prior_awards=[{"tier": "salary_500k"}], claims=[{"record_id": "P-0001"}], lang="zh")


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    work = tmp_path_factory.mktemp("seeds")
    return {fmt: _seed_rows(work / f"seed.{fmt}", writer).read_bytes()
            for fmt, writer in (("xls", formats.write_xls), ("ods", formats.write_ods), ("xlsb", formats.write_xlsb))}


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-formats")


def _zip_parts(seed: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(seed)) as z:
        return {info.filename: z.read(info.filename) for info in z.infolist()}


def _ods_zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def test_the_seeds_read_cleanly(seeds: dict[str, bytes], policy: Policy, target: Path) -> None:
    from hrcalc.read import read_workbook

    for fmt, data in seeds.items():
        path = target / f"seed.{fmt}"
        path.write_bytes(data)
        records = read_workbook(path, policy)
        assert records.errors == [] and len(records.placements) == len(records.claims) == 1, fmt


_XLS_CELLS = (b"\x03\x02\x0e\x00", b"\xfd\x00\x0a\x00", b"\x7e\x02\x0a\x00")  # NUMBER, LABELSST, RK records


@FUZZ
@given(data=st.data())
def test_mutated_xls_bytes(seeds: dict[str, bytes], policy: Policy, target: Path, data: st.DataObject) -> None:
    seed = seeds["xls"]
    kind = data.draw(st.sampled_from(["truncate", "mutate", "mutate", "far cell"]))
    if kind == "truncate":
        mutated = seed[:data.draw(st.integers(1, len(seed) - 1))]
    elif kind == "mutate":
        mutated = _mutate(data.draw, seed, tokens=False, most=8)
    else:  # a cell record moved to an extreme row and column: the largest grid an .xls can ask for
        out = bytearray(seed)
        spots = [i for marker in _XLS_CELLS for i in range(len(out)) if out.startswith(marker, i)]
        for at in data.draw(st.lists(st.sampled_from(spots), min_size=1, max_size=3)):
            out[at + 4:at + 6] = data.draw(st.sampled_from([0, 1, 0xFFFE, 0xFFFF])).to_bytes(2, "little")
            out[at + 6:at + 8] = data.draw(st.sampled_from([0, 1, 0xFF, 0x100, 0xFFFF])).to_bytes(2, "little")
        mutated = bytes(out)
    path = target / "in.xls"
    path.write_bytes(mutated)
    _check(path, policy)


@FUZZ
@given(data=st.data())
def test_mutated_ods_zip(seeds: dict[str, bytes], policy: Policy, target: Path, data: st.DataObject) -> None:
    path = target / "in.ods"
    path.write_bytes(data.draw(_mutated_zip(_ods_zip(_zip_parts(seeds["ods"])))))
    _check(path, policy)


def _mutated_part(data: st.DataObject, parts: dict[str, bytes], names: list[str], tokens: list[bytes],
                  markup: bool) -> bytes:
    """The zip with one part mutated: bytes changed, or tokens inserted (in XML, where markup may go)."""
    name = data.draw(st.sampled_from(names))
    out = bytearray(parts[name])
    for _ in range(data.draw(st.integers(1, 4))):
        if data.draw(st.booleans()):
            spots = [i for i in range(len(out)) if out[i:i + 1] in (b">", b" ")] if markup else []
            at = data.draw(st.sampled_from(spots)) if spots else data.draw(st.integers(0, len(out)))
            out[at:at] = data.draw(st.sampled_from(tokens))
        else:
            out = bytearray(_mutate(data.draw, bytes(out), tokens=False, most=2))  # type: ignore[arg-type]
    return _ods_zip({**parts, name: bytes(out)})


@FUZZ
@given(data=st.data())
def test_mutated_ods_content(seeds: dict[str, bytes], policy: Policy, target: Path, data: st.DataObject) -> None:
    names = ["content.xml", "content.xml", "styles.xml", "META-INF/manifest.xml", "mimetype"]
    path = target / "in.ods"
    path.write_bytes(_mutated_part(data, _zip_parts(seeds["ods"]), names, ODS_TOKENS, markup=True))
    _check(path, policy)


XLSB_TOKENS = [
    formats.xlsb_record(0x00, (1_048_575).to_bytes(4, "little") + bytes(17)),  # a row header far down
    formats.xlsb_record(0x00, (0xFFFFFFFF).to_bytes(4, "little") + bytes(17)),
    formats.xlsb_cell(0, 16_383, 1), formats.xlsb_cell(0, 0xFFFFFFF0, "x"), formats.xlsb_cell(0, 3, 1e308),
    formats.xlsb_record(0x07, bytes(8) + (999_999).to_bytes(4, "little")),  # a shared string that is not there
    formats.xlsb_record(0x9C, bytes(8) + (0xFFFFFFFF).to_bytes(4, "little")), b"\xff\xff\xff\xff\x0f",
    formats.xlsb_record(0x94, (0xFFFFFFFF).to_bytes(4, "little") * 4),
]


@FUZZ
@given(data=st.data())
def test_mutated_xlsb_records(seeds: dict[str, bytes], policy: Policy, target: Path, data: st.DataObject) -> None:
    parts = _zip_parts(seeds["xlsb"])
    names = sorted(n for n in parts if n.endswith((".bin", ".rels")))
    path = target / "in.xlsb"
    path.write_bytes(_mutated_part(data, parts, names, XLSB_TOKENS, markup=False))
    _check(path, policy)


def test_an_oversized_ods_grid_is_refused(seeds: dict[str, bytes], policy: Policy, target: Path) -> None:
    """A few hundred bytes saying "this cell, 16,384 times, on a million rows": refused, not laid out."""
    parts = _zip_parts(seeds["ods"])
    parts["content.xml"] = parts["content.xml"].replace(
        b"<table:table-row>", b'<table:table-row table:number-rows-repeated="1048000">', 1).replace(
        b'<table:table-cell office:value-type="string">',
        b'<table:table-cell table:number-columns-repeated="16384" office:value-type="string">', 1)
    path = target / "big.ods"
    path.write_bytes(_ods_zip(parts))
    from hrcalc.errors import InputFileError
    from hrcalc.read import read_workbook

    with pytest.raises(InputFileError) as caught:
        read_workbook(path, policy)
    assert caught.value.message.key == "read.limit.grid"
    assert code(1)  # the seed's institution is still the one used


@pytest.mark.parametrize("edit", [
    (b"</table:table>", b'</table:table table:number-columns-repeated="-1">'),  # found by the fuzz: calamine spun
    (b"</table:table>", b'</table:table x="1">'),
    (b"</table:table>", b"</table:table&#0;>"),  # found by the fuzz of the reader's own engineer: calamine spun
    (b"<table:table-cell office:value-type=\"string\">",
     b'<table:table-cell table:number-columns-repeated="-1" office:value-type="string">'),
], ids=["end-tag-with-repeat", "end-tag-with-attribute", "end-tag-with-reference", "negative-repeat"])
def test_a_malformed_ods_content_is_refused_before_calamine(seeds: dict[str, bytes], policy: Policy, target: Path,
                                                             edit: tuple[bytes, bytes]) -> None:
    """python-calamine never returned from opening an .ods whose end tag carries an attribute; such a file
    (and a repeat count that is no count) is refused as damaged, exit 2, before calamine is given it."""
    parts = _zip_parts(seeds["ods"])
    assert edit[0] in parts["content.xml"]
    parts["content.xml"] = parts["content.xml"].replace(*edit, 1)
    path = target / "bad.ods"
    path.write_bytes(_ods_zip(parts))
    from hrcalc.errors import InputFileError
    from hrcalc.read import read_workbook

    with pytest.raises(InputFileError) as caught:
        read_workbook(path, policy)
    assert caught.value.message.key == "read.file.corrupt"
    assert ".ods" in caught.value.message.render("zh") and ".xlsx" not in caught.value.message.render("zh")
