"""Generate the corpus of broken, strange and hostile input files that test_hostile.py feeds hrcalc.

Nothing here is a stored binary: each file is built from a recipe, so a reviewer can read what
it holds. The zip bombs are built from one deflate block repeated (see `_deflate_repeated`), so
a 2 GiB sheet costs 2 MB and a few milliseconds to write and is never held in memory.

    python -m tests.corpus DIR        # write every file into DIR and list them
"""

from __future__ import annotations

import bz2
import io
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference

from tests.builders import build_input, code, write_workbook

KIB = 1024
MIB = KIB * KIB
GIB = KIB * MIB

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET1 = "xl/worksheets/sheet1.xml"


# ---- zip writing, part by part ----------------------------------------------------------------


@dataclass
class Part:
    """One zip entry as raw bytes on disk: `chunks` are already packed with `method`."""

    name: str
    method: int
    chunks: Callable[[], Iterator[bytes]]
    crc: int
    size: int  # unpacked size, as declared
    packed: int = -1  # filled in while writing


def stored(name: str, data: bytes) -> Part:
    return Part(name, zipfile.ZIP_STORED, lambda: iter((data,)), zlib.crc32(data), len(data))


def deflated(name: str, data: bytes) -> Part:
    co = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    packed = co.compress(data) + co.flush()
    return Part(name, zipfile.ZIP_DEFLATED, lambda: iter((packed,)), zlib.crc32(data), len(data))


def write_zip(path: Path, parts: list[Part]) -> Path:
    """A plain zip (no zip64) of `parts`, streamed: a part is never held whole in memory."""
    central = io.BytesIO()
    with path.open("wb") as fh:
        for part in parts:
            offset = fh.tell()
            name = part.name.encode()
            fh.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, part.method, 0, 0x21, part.crc,
                                 0, part.size, len(name), 0) + name)
            start = fh.tell()
            for chunk in part.chunks():
                fh.write(chunk)
            part.packed = fh.tell() - start
            fh.seek(offset + 18)  # the packed size, known only now
            fh.write(struct.pack("<L", part.packed))
            fh.seek(0, io.SEEK_END)
            central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, part.method, 0, 0x21,
                                      part.crc, part.packed, part.size, len(name), 0, 0, 0, 0, 0, offset)
                          + name)
        cd_offset = fh.tell()
        fh.write(central.getvalue())
        fh.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(central.getvalue()),
                             cd_offset, 0))
    return path


def parts_of(workbook: Path) -> list[Part]:
    """A workbook's entries as parts, to be changed and written again with write_zip."""
    with zipfile.ZipFile(workbook) as z:
        return [deflated(info.filename, z.read(info.filename)) for info in z.infolist()]


def replace(parts: list[Part], *new: Part) -> list[Part]:
    names = {p.name for p in new}
    return [p for p in parts if p.name not in names] + list(new)


def rezip(src: Path, dst: Path, edit: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy a workbook, passing each part through `edit` (None drops the part)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


def _deflate_repeated(head: bytes, filler: bytes, times: int, tail: bytes) -> tuple[list[bytes], bytes, bytes]:
    """Deflate `head + filler * times + tail` as (head block, one filler block, tail block).

    After a full flush the compressor refers to nothing before it, so every filler block packs
    to the same bytes: the stream is the head block, the filler block written `times` times,
    and the tail block.
    """
    co = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    block = co.compress(filler) + co.flush(zlib.Z_FULL_FLUSH)
    again = co.compress(filler) + co.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "a full flush should make every filler block the same"
    last = co.compress(tail) + co.flush()
    return [first], block, last


def bomb_part(name: str, unpacked: int, *, declared: int | None = None, honest_crc: bool = True) -> Part:
    """A worksheet part of whitespace that unpacks to about `unpacked` bytes (a zip bomb).

    `declared` makes it lie about its size in the zip's headers.
    """
    head = f'<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    tail = b"</sheetData></worksheet>"
    filler = b" " * MIB
    times = max(1, -(-(unpacked - len(head) - len(tail)) // MIB))  # rounded up: at least `unpacked`
    first, block, last = _deflate_repeated(head, filler, times, tail)
    size = len(head) + times * MIB + len(tail)
    crc = 0
    if honest_crc:
        crc = zlib.crc32(head)
        for _ in range(times):
            crc = zlib.crc32(filler, crc)
        crc = zlib.crc32(tail, crc)

    def chunks() -> Iterator[bytes]:
        yield from first
        for _ in range(times):
            yield block
        yield last

    return Part(name, zipfile.ZIP_DEFLATED, chunks, crc, size if declared is None else declared)


# bzip2 of exactly 1 GiB (2**30 bytes) of zero bytes: 785 bytes. It takes bzip2 about 13 s to
# make, too long for every test run, so it is written out here. The recipe, checked by
# test_hostile.py::test_the_bzip2_gigabyte_is_what_it_says when HRCALC_SLOW_TESTS=1:
#     c = bz2.BZ2Compressor(9); out = b"".join(c.compress(b"\0" * 2**26) for _ in range(16)) + c.flush()
BZIP2_GIGABYTE_CRC = 0x5B64C2B0


def bzip2_gigabyte() -> bytes:
    """1 GiB of zeros, bzip2-compressed (785 bytes), read from the hex below."""
    return bytes.fromhex(_BZIP2_GIGABYTE_HEX)


def bzip2_gigabyte_recipe() -> bytes:
    """The same bytes made the slow way (about 13 s)."""
    c = bz2.BZ2Compressor(9)
    zeros = b"\0" * (64 * MIB)
    return b"".join(c.compress(zeros) for _ in range(16)) + c.flush()


_BZIP2_GIGABYTE_HEX = (
    "425a68393141592653590e09e2df015f8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f"
    "8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025"
    "a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f"
    "8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025"
    "a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f"
    "8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025"
    "a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f"
    "8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025"
    "a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f"
    "8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025"
    "a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f"
    "8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025"
    "a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f"
    "8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025"
    "a90a80973141592653590e09e2df015f8e4000c0000008200030804d4642a025a90a80973141592653590e09e2df015f"
    "8e4000c0000008200030804d4642a025a90a8097314159265359487c5fc9008a52c800c00000040008200030cc0529a6"
    "9122436144890f177245385090f688e402"
)


# ---- a minimal OLE2 compound file (the container of .xls and of encrypted .xlsx) --------------

_ENDOFCHAIN, _FREESECT, _FATSECT, _NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file holding `streams` in its root storage (each padded to 4 KiB so
    no mini stream is needed): sector 0 is the FAT, sector 1 the directory, then the streams."""
    sector = 512
    assert len(streams) <= 3
    fat: list[int] = [_FATSECT, _ENDOFCHAIN]
    data = b""
    starts: list[tuple[str, int, int]] = []
    for name, content in streams.items():
        padded = content.ljust(max(4096, -(-len(content) // sector) * sector), b"\0")
        first = len(fat)
        count = len(padded) // sector
        fat.extend(range(first + 1, first + count))
        fat.append(_ENDOFCHAIN)
        starts.append((name, first, len(content)))
        data += padded
    assert len(fat) <= sector // 4
    fat_sector = struct.pack(f"<{sector // 4}L", *(fat + [_FREESECT] * (sector // 4 - len(fat))))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB3L", len(raw), kind, 1, _NOSTREAM, right, child)
                + b"\0" * 36 + struct.pack("<LQ", start, size))

    # siblings are ordered by name length, then name: each stream is the right sibling of the last
    ordered = sorted(starts, key=lambda s: (len(s[0]), s[0].upper()))
    entries = [entry("Root Entry", 5, 1 if ordered else _NOSTREAM, _NOSTREAM, _ENDOFCHAIN, 0)]
    for i, (name, start, size) in enumerate(ordered):
        entries.append(entry(name, 2, _NOSTREAM, i + 2 if i + 1 < len(ordered) else _NOSTREAM, start, size))
    while len(entries) < 4:
        entries.append(entry("", 0, _NOSTREAM, _NOSTREAM, 0, 0))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<5H6x3L", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1)
              + struct.pack("<4L", 0, 4096, _ENDOFCHAIN, 0) + struct.pack("<2L", _ENDOFCHAIN, 0)
              + struct.pack("<109L", 0, *([_FREESECT] * 108)))
    assert len(header) == sector
    return header + fat_sector + b"".join(entries) + data


def legacy_xls() -> bytes:
    bof = struct.pack("<HHHHHHLL", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6)
    eof = struct.pack("<HH", 0x000A, 0)
    # a stream under 4 KiB belongs in the mini stream (MS-CFB); ole_file keeps streams in whole sectors,
    # so the stream is made 4 KiB long, as the reader's measure of the container requires
    return ole_file({"Workbook": (bof + eof).ljust(4096, b"\0")})


def encrypted_xlsx() -> bytes:
    """What Excel writes for a workbook with a password: an OLE file, not a zip (agile encryption)."""
    info = struct.pack("<HHL", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
        b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
        b"</encryption>")
    package = struct.pack("<Q", 8192) + bytes(range(256)) * 32
    return ole_file({"EncryptionInfo": info, "EncryptedPackage": package})


# ---- workbooks --------------------------------------------------------------------------------


def valid(path: Path) -> Path:
    """A small workbook that calculates: one institution and one placement."""
    return build_input(path, placements=[{"annual_salary": 600_000}], lang="zh")


def institutions_only(path: Path, n: int = 3) -> Path:
    """A one-sheet workbook (its sheet is xl/worksheets/sheet1.xml) listing n institutions."""
    return build_input(path, institutions=[{"credit_code": code(i)} for i in range(1, n + 1)])


def _edit_sheet1(src: Path, dst: Path, edit: Callable[[str], str]) -> Path:
    def each(name: str, data: bytes) -> bytes:
        return edit(data.decode()).encode() if name == SHEET1 else data

    rezip(src, dst, each)
    src.unlink()
    return dst


def _scratch(path: Path) -> Path:
    return path.with_name(path.name + ".src.xlsx")


def far_cell(path: Path) -> Path:
    """A valid workbook whose institutions sheet also has a value in XFD1048576, the last cell."""
    def edit(xml: str) -> str:
        return xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr">'
                                           "<is><t>stray</t></is></c></row></sheetData>")

    return _edit_sheet1(institutions_only(_scratch(path)), path, edit)


def far_row(path: Path) -> Path:
    """A sheet whose XML claims row 2,000,000 (past Excel's last row): only a program writes that."""
    def edit(xml: str) -> str:
        return xml.replace("</sheetData>", '<row r="2000000"><c r="A2000000" t="inlineStr">'
                                           "<is><t>x</t></is></c></row></sheetData>")

    return _edit_sheet1(institutions_only(_scratch(path)), path, edit)


def small_dimension(path: Path, rows: int = 30) -> Path:
    """Thirty institutions under a <dimension> claiming the sheet is one cell."""
    def edit(xml: str) -> str:
        start = xml.index('<dimension ref="')
        end = xml.index('"', start + 16)
        return xml[:start] + '<dimension ref="A1:A1' + xml[end:]

    return _edit_sheet1(institutions_only(_scratch(path), rows), path, edit)


def billion_laughs(path: Path) -> Path:
    """Nested entities that would expand to gigabytes, in the sheet XML."""
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    doctype = "<!DOCTYPE worksheet [" + "".join(entities) + "]>"

    def edit(xml: str) -> str:
        xml = xml.replace("<worksheet", doctype + "<worksheet", 1)
        return xml.replace("</sheetData>", '<row r="9"><c r="B9" t="inlineStr"><is><t>&lol9;</t></is></c>'
                                           "</row></sheetData>")

    return _edit_sheet1(institutions_only(_scratch(path)), path, edit)


def external_entity(path: Path, target: str = "/etc/passwd") -> Path:
    """An entity pointing at a local file, used as the name of an institution."""
    def edit(xml: str) -> str:
        xml = xml.replace("<worksheet", f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{target}">]>'
                                        "<worksheet", 1)
        return xml.replace("</sheetData>", f'<row r="9"><c r="A9" t="inlineStr"><is><t>{code(9)}</t></is></c>'
                                           '<c r="B9" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData>')

    return _edit_sheet1(institutions_only(_scratch(path)), path, edit)


def zip_bomb(path: Path) -> Path:
    """A sheet of whitespace that unpacks to 2 GiB from a 2 MB file; its headers tell the truth."""
    parts = parts_of(institutions_only(_scratch(path)))
    _scratch(path).unlink()
    return write_zip(path, replace(parts, bomb_part(SHEET1, 2 * GIB)))


def zip_bomb_ratio(path: Path) -> Path:
    """512 MiB of whitespace (under the size limit) packed a thousand to one."""
    parts = parts_of(institutions_only(_scratch(path)))
    _scratch(path).unlink()
    return write_zip(path, replace(parts, bomb_part(SHEET1, 512 * MIB)))


def zip_bomb_lying(path: Path) -> Path:
    """2 GiB of whitespace whose zip headers declare 10 KiB: only counting while unpacking sees it."""
    parts = parts_of(institutions_only(_scratch(path)))
    _scratch(path).unlink()
    return write_zip(path, replace(parts, bomb_part(SHEET1, 2 * GIB, declared=10 * KIB, honest_crc=False)))


def bzip2_bomb(path: Path) -> Path:
    """A sheet packed with bzip2 (which Excel never uses) that unpacks to 1 GiB of zeros."""
    parts = parts_of(institutions_only(_scratch(path)))
    _scratch(path).unlink()
    blob = bzip2_gigabyte()
    bomb = Part(SHEET1, zipfile.ZIP_BZIP2, lambda: iter((blob,)), BZIP2_GIGABYTE_CRC, GIB)
    return write_zip(path, replace(parts, bomb))


def truncated(path: Path) -> Path:
    data = valid(_scratch(path)).read_bytes()
    _scratch(path).unlink()
    path.write_bytes(data[: len(data) * 6 // 10])
    return path


def formula_without_value(path: Path) -> Path:
    """Formulas saved by a program (openpyxl), never calculated: no cached result in the file."""
    return build_input(path, placements=[{"annual_salary": "=500000+100000"},
                                         {"other_policy_amount": "=1000*5"}])


def merged_cells(path: Path) -> Path:
    """One institution's credit code merged down over its three placements."""
    p = build_input(_scratch(path), placements=[{"placement_id": f"P-{i}"} for i in range(3)])
    wb = load_workbook(p)
    ws = wb["placements"]
    col = [c.value for c in ws[1]].index("credit_code") + 1
    for row in (3, 4):
        ws.cell(row, col).value = None
    ws.merge_cells(start_row=2, end_row=4, start_column=col, end_column=col)
    wb.save(path)
    p.unlink()
    return path


def numbers_as_text(path: Path) -> Path:
    """Revenue written as text in every form: the good ones read, 30万 and 1.2.3 do not."""
    forms = ["1,234,567.89", "¥500,000", "１２３４５", " 100 ", "+7", "0.5", "30万", "1.2.3", "12%",
             "1e5", "", "—"]
    return build_input(path, revenue=[{"year": 2000 + i, "revenue": f} for i, f in enumerate(forms)])


def dates(path: Path) -> Path:
    """Dates in every form, including impossible ones and a date serial far out of range."""
    forms: list[object] = [date(2025, 3, 1), datetime(2025, 3, 1, 9, 30), "2025-03-01", "2025/3/1",
                           "2025年3月1日", "２０２５-０３-０１", "2025-02-30", "2025-13-01", "2024-02-29",
                           "2025-02-29", "yesterday", "3/1/2025", 45717]
    p = build_input(_scratch(path), placements=[{"placement_id": f"P-{i}", "placement_date": f}
                                                for i, f in enumerate(forms)])
    wb = load_workbook(p)
    ws = wb["placements"]
    col = [c.value for c in ws[1]].index("placement_date") + 1
    ws.cell(ws.max_row, col).number_format = "yyyy-mm-dd"  # 45717 shown as a date: 2025-03-01
    ws.append([])
    last = ws.max_row
    for c, v in enumerate([c.value for c in ws[2]], start=1):
        ws.cell(last, c).value = v
    ws.cell(last, 1).value = "P-far"
    ws.cell(last, col).value = 10 ** 9  # a date serial no calendar reaches: openpyxl warns
    ws.cell(last, col).number_format = "yyyy-mm-dd"
    wb.save(path)
    p.unlink()
    return path


def hidden_sheets(path: Path) -> Path:
    """A hidden first sheet, a very hidden sheet and a chart sheet that is the active one."""
    p = build_input(_scratch(path), placements=[{}])
    wb = load_workbook(p)
    wb.move_sheet("institutions", offset=-wb.sheetnames.index("institutions"))
    wb["institutions"].sheet_state = "hidden"
    wb["placements"].sheet_state = "veryHidden"
    notes = wb.create_sheet("notes")
    notes.append(["n"])
    notes.append([1])
    chart = BarChart()
    chart.add_data(Reference(notes, min_col=1, min_row=1, max_row=2), titles_from_data=True)
    cs = wb.create_chartsheet("chart")
    cs.add_chart(chart)
    wb.active = wb.sheetnames.index("chart")
    wb.save(path)
    p.unlink()
    return path


LONG_NAME = "长" * 32_767
CONTROL_NAME = "控制\t字符\n换行\r回车\x85NEL\u2028LS_x0001_转义"


def long_cells(path: Path) -> Path:
    """A 32,767-character name (Excel's most) and names with the control characters XML allows."""
    return build_input(path, institutions=[{"credit_code": code(1), "name": LONG_NAME},
                                           {"credit_code": code(2), "name": CONTROL_NAME}],
                       placements=[{"credit_code": code(1)}, {"credit_code": code(2), "placement_id": "P-2"}])


def too_long_cell(path: Path) -> Path:
    """A 40,000-character name: more than Excel can hold (openpyxl cuts it), so the XML is edited."""
    def edit(xml: str) -> str:
        return xml.replace("合肥第1人力资源服务有限公司", "长" * 40_000, 1)

    return _edit_sheet1(institutions_only(_scratch(path)), path, edit)


def duplicate_headers(path: Path) -> Path:
    return write_workbook(path, {"institutions": [["credit_code", "name", "统一社会信用代码"],
                                                  [code(1), "甲", code(2)]]})


def no_hrcalc_sheets(path: Path) -> Path:
    return write_workbook(path, {"Sheet1": [["姓名", "金额"], ["张三", 100]], "说明": [["见附件"]]})


def macro_workbook(path: Path) -> Path:
    """A valid .xlsm: the macro-enabled content type and a (dummy) vbaProject.bin. Never run."""
    src = valid(_scratch(path))

    def edit(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            text = data.decode().replace(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            text = text.replace("</Types>", '<Default Extension="bin" '
                                'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            return text.encode()
        return data

    rezip(src, path, edit)
    src.unlink()
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/vbaProject.bin", ole_file({"VBA": b"Attribute VB_Name = \"Module1\"\r\n"}))
    return path


def text_file(path: Path) -> Path:
    path.write_text("这是一份说明文字，不是工作簿。\nThis is a note, not a workbook.\n", encoding="utf-8")
    return path


def csv_file(path: Path) -> Path:
    path.write_text(f"统一社会信用代码,机构名称\n{code(1)},合肥甲人力资源有限公司\n", encoding="utf-8-sig")
    return path


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def directory(path: Path) -> Path:
    path.mkdir(exist_ok=True)
    return path


def missing(path: Path) -> Path:
    return path


def unreadable(path: Path) -> Path:
    """A workbook the test makes unreadable (as root, chmod 000 does not stop reads)."""
    return valid(path)


def deep_nesting(path: Path) -> Path:
    """styles.xml nested 100,000 elements deep: no entity, just depth."""
    depth = 100_000

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/styles.xml":
            text = data.decode()
            return text.replace("</styleSheet>", "<a>" * depth + "</a>" * depth + "</styleSheet>").encode()
        return data

    src = institutions_only(_scratch(path))
    rezip(src, path, edit)
    src.unlink()
    return path


@dataclass(frozen=True)
class Case:
    """One corpus file: how to build it, and what hrcalc must answer."""

    name: str
    build: Callable[[Path], Path]
    exit_code: int
    zh: str = ""  # a fragment of the message in Chinese
    en: str = ""  # and in English
    in_process: bool = False  # needs a monkeypatch, so runs only in-process
    extra: tuple[str, ...] = field(default=())


CASES: tuple[Case, ...] = (
    Case("empty.xlsx", empty_file, 2, "文件是空的", "The file is empty"),
    Case("note.xlsx", text_file, 2, "不是 Excel .xlsx 工作簿", "Not an Excel .xlsx workbook"),
    Case("table.csv.xlsx", csv_file, 2, "不是 Excel .xlsx 工作簿", "Not an Excel .xlsx workbook"),
    # an Excel 97-2003 file is read (calamine) like any workbook: this one has no sheets at all
    Case("legacy.xls", lambda p: _write(p, legacy_xls()), 1, "工作簿中没有 hrcalc 的工作表", "none of hrcalc's sheets"),
    Case("truncated.xlsx", truncated, 2, "文件不完整", "the file is incomplete"),
    Case("password.xlsx", lambda p: _write(p, encrypted_xlsx()), 2, "文件已加密", "password-protected"),
    Case("zip-bomb.xlsx", zip_bomb, 2, "解压后总大小上限", "limit on the unpacked size"),
    Case("zip-bomb-ratio.xlsx", zip_bomb_ratio, 2, "压缩比上限 200:1", "compression ratio limit of 200:1"),
    Case("zip-bomb-lying.xlsx", zip_bomb_lying, 2, "解压后比其声明的大小更大", "unpacks to more than it declares"),
    Case("bzip2-bomb.xlsx", bzip2_bomb, 2, "压缩方式（bzip2）", "packed with bzip2"),
    Case("billion-laughs.xlsx", billion_laughs, 2, "XML 实体声明", "entity declarations"),
    Case("external-entity.xlsx", external_entity, 2, "XML 实体声明", "entity declarations"),
    Case("deep-nesting.xlsx", deep_nesting, 0),
    Case("formula-without-value.xlsx", formula_without_value, 1, "公式没有保存计算结果", "no saved result"),
    Case("merged-cells.xlsx", merged_cells, 1, "合并区域", "merged range"),
    Case("numbers-as-text.xlsx", numbers_as_text, 1, "数字中不能带单位", "No units or percent signs"),
    Case("dates.xlsx", dates, 1, "日期不存在", "No such date"),
    Case("far-cell.xlsx", far_cell, 0),
    Case("far-row.xlsx", far_row, 2, "每表行数上限 1,048,576", "limit of 1,048,576 rows per sheet"),
    Case("small-dimension.xlsx", small_dimension, 0),
    Case("hidden-sheets.xlsx", hidden_sheets, 0, "隐藏", "hidden"),
    Case("long-cells.xlsx", long_cells, 0),
    Case("too-long-cell.xlsx", too_long_cell, 1, "超过上限 32,767", "over the limit of 32,767"),
    Case("duplicate-headers.xlsx", duplicate_headers, 1, "列重复", "Duplicate column"),
    Case("no-hrcalc-sheets.xlsx", no_hrcalc_sheets, 1, "没有 hrcalc 的工作表", "none of hrcalc's sheets"),
    Case("macros.xlsm", macro_workbook, 0),
    Case("a-folder.xlsx", directory, 2, "是文件夹", "is a folder"),
    Case("missing.xlsx", missing, 2, "找不到文件", "File not found"),
    Case("unreadable.xlsx", unreadable, 2, "没有权限读取文件", "No permission to read", in_process=True),
)
CASES_BY_NAME = {case.name: case for case in CASES}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def build(directory: Path, names: list[str] | None = None) -> dict[str, Path]:
    """Write the corpus (or the named cases) into `directory`; name → path."""
    directory.mkdir(parents=True, exist_ok=True)
    return {case.name: case.build(directory / case.name) for case in CASES
            if names is None or case.name in names}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m tests.corpus DIR\n")
        return 2
    for name, path in build(Path(argv[0])).items():
        case = CASES_BY_NAME[name]
        size = path.stat().st_size if path.is_file() else 0
        sys.stdout.write(f"{name:32} {size:>12,} bytes  exit {case.exit_code}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
