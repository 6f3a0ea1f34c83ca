"""What the input file is and whether it may be read: kind, size, zip checks; its bytes, read once.

Before any backend sees the file, `load` says what a file that is not a workbook is, and holds a
zip-based workbook (.xlsx, .xlsm, .xlsb, .ods) to the limits of limits.py: every part is unpacked
once, counting, so a zip bomb is refused before any XML is parsed. The file is read exactly once;
every backend parses those bytes, and their SHA-256 is what the result records. For an .xlsx the
same pass judges whether calamine may read it (judge.py).
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from hrcalc.i18n import msg
from hrcalc.limits import Limits
from hrcalc.read.backend import Kind, Loaded, SheetFacts
from hrcalc.read.cfb import workbook_stream
from hrcalc.read.extent import (
    Extent,
    MalformedOds,
    ods_extents,
    ods_unit_styles,
    xls_extents,
    xlsb_extent,
    xlsb_titles,
    xlsb_unit_styles,
)
from hrcalc.read.judge import Judge, part_facts, sheet_parts, unit_styles
from hrcalc.read.messages import detail_of, file_error, human_size

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_SCAN_BYTES = 64 * 1024 * 1024
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_XLS_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
CHUNK = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_END_RECORD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_CENTRAL_ENTRY_BYTES = 1024  # a generous size for one central-directory entry with its name
_METHODS = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "Deflate64", 93: "Zstandard",
            99: "AES"}
_STYLES, _WORKBOOK, _RELS = "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
_RELS_BIN = "xl/_rels/workbook.bin.rels"


def load(path: Path, limits: Limits) -> Loaded:
    """The workbook at `path`, read once and checked; InputFileError if it is none or breaks `limits`.

    Looks at the file's kind, size and first bytes, so the message can say what the file is and
    what to do, rather than what went wrong deep inside a zip reader.
    """
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise file_error("read.file.missing", path) from None
    except PermissionError:
        raise file_error("read.file.permission", path) from None
    except (OSError, ValueError) as exc:
        raise file_error("read.file.os_error", path, detail=detail_of(exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise file_error("read.file.directory", path)
    if not stat.S_ISREG(st.st_mode):
        raise file_error("read.file.not_regular", path)
    if st.st_size == 0:
        raise file_error("read.file.empty", path)
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
            if head.startswith(_OLE_MAGIC):
                blob = head + fh.read(_OLE_SCAN_BYTES)
                if _ENCRYPTED_STREAM in blob:
                    raise file_error("read.file.encrypted", path)
                if not any(name in blob for name in _XLS_STREAMS):
                    raise file_error("read.file.ole", path)
            elif not head.startswith(_ZIP_MAGICS):
                raise file_error("read.file.not_xlsx", path)
            _within_size(path, st.st_size, limits)
            fh.seek(0)
            data = fh.read(limits.max_file_bytes + 1)
    except FileNotFoundError:
        raise file_error("read.file.missing", path) from None
    except PermissionError:
        raise file_error("read.file.permission", path) from None
    except OSError as exc:
        raise file_error("read.file.os_error", path, detail=detail_of(exc)) from None
    _within_size(path, len(data), limits)  # it may have grown since it was looked at
    sha256 = hashlib.sha256(data).hexdigest()
    if data.startswith(_OLE_MAGIC):
        try:
            stream = workbook_stream(data)
        except ValueError as exc:
            raise file_error("read.file.corrupt", path, detail=str(exc), remedy=msg("read.remedy.resend")) from None
        extents = xls_extents(stream)
        _measured(extents, path, limits)
        return Loaded(path, data, sha256, "xls", limits, parts=_facts(extents))
    return check_archive(data, path, limits, sha256)


def _within_size(path: Path, size: int, limits: Limits) -> None:
    if size > limits.max_file_bytes:
        raise file_error("read.limit.file_size", path, size=human_size(size), limit=human_size(limits.max_file_bytes))


def _end_record(fh: BinaryIO) -> tuple[int, int] | None:
    """(number of parts, size of the central directory) from the zip's end record, if it has one."""
    end = fh.seek(0, os.SEEK_END)
    tail_len = min(end, _END_RECORD.size + 0xFFFF)
    fh.seek(end - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _END_RECORD.size:
        return None
    fields_ = _END_RECORD.unpack_from(tail, at)
    entries, cd_size = fields_[4], fields_[5]
    if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and at >= _ZIP64_LOCATOR.size:
        locator = _ZIP64_LOCATOR.unpack_from(tail, at - _ZIP64_LOCATOR.size)
        if locator[0] == b"PK\x06\x07" and locator[2] < end:
            fh.seek(locator[2])
            record = fh.read(56)
            if len(record) == 56 and record[:4] == b"PK\x06\x06":
                entries, cd_size = struct.unpack_from("<QQ", record, 32)
    return entries, cd_size


def check_archive(data: bytes, path: Path, limits: Limits, sha256: str) -> Loaded:
    """Check the zip, unpacking every part once (never more than it declares); for an .xlsx,
    also judge whether calamine may read it and note what its sheets show beside their values."""
    fh = io.BytesIO(data)
    found = _end_record(fh)
    if found is None:
        # it starts like a zip but its directory, kept at the end, is gone: cut short
        raise file_error("read.file.corrupt", path, detail=msg("read.detail.truncated"),
                         remedy=msg("read.remedy.resend"))
    entries, cd_size = found
    if entries > limits.max_zip_entries or cd_size > limits.max_zip_entries * _CENTRAL_ENTRY_BYTES:
        raise file_error("read.limit.entries", path, count=entries, limit=limits.max_zip_entries)
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError,
            struct.error) as exc:
        raise file_error("read.file.corrupt", path, detail=detail_of(exc)) from None
    kind = _zip_kind({info.filename for info in infos}, path)
    if len(infos) > limits.max_zip_entries:
        raise file_error("read.limit.entries", path, count=len(infos), limit=limits.max_zip_entries)
    total = 0
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            method = _METHODS.get(info.compress_type, f"#{info.compress_type}")
            raise file_error("read.file.compression", path, part=info.filename, method=method)
        if info.flag_bits & 0x1:
            raise file_error("read.file.encrypted", path)
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise file_error("read.limit.uncompressed", path, limit=human_size(limits.max_uncompressed_bytes))
        if (info.file_size > limits.ratio_applies_above
                and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1)):
            raise file_error("read.limit.ratio", path, part=info.filename,
                             ratio=info.file_size // max(info.compress_size, 1),
                             limit=limits.max_compression_ratio)
    end = len(data)
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for info in ordered:
        if not 0 <= info.header_offset < end:  # a directory pointing outside the file
            raise file_error("read.file.corrupt", path, detail=msg("read.detail.part", part=info.filename),
                             remedy=msg("read.remedy.resend"))
    if kind != "xlsx":
        extents: list[Extent] = []
        wanted = ("content.xml", "styles.xml") if kind == "ods" else ("xl/styles.bin", "xl/workbook.bin", _RELS_BIN)
        kept = {info.filename: _unpacked(fh, path, info) for info in ordered if info.filename in wanted}
        styles = xlsb_unit_styles(kept.get("xl/styles.bin", b""))
        titles = xlsb_titles(kept.get("xl/workbook.bin", b""), kept.get(_RELS_BIN, b"")) if kind == "xlsb" else {}
        for info in ordered:
            if kind == "xlsb" and info.filename.startswith("xl/worksheets/"):
                extents.append(xlsb_extent(_unpacked(fh, path, info), styles))
                extents[-1].title = titles.get(info.filename)
            elif info.filename not in kept:
                verify_part(fh, path, info)
        if kind == "ods":
            content = kept.get("content.xml", b"")
            try:
                extents = ods_extents(content, ods_unit_styles(content, kept.get("styles.xml", b"")))
            except MalformedOds as exc:
                raise file_error("read.file.corrupt", path, detail=str(exc), remedy=msg("read.remedy.resend")) from None
        _measured(extents, path, limits)
        return Loaded(path, data, sha256, kind, limits, parts=_facts(extents))
    # the styles and the workbook's sheet list first (small): the sheet parts are judged with them
    small = {info.filename: info for info in ordered if info.filename in (_STYLES, _WORKBOOK, _RELS)}
    known = {name: _unpacked(fh, path, info) if info.file_size <= limits.calamine_max_part_bytes else b""
             for name, info in small.items()}
    styles = unit_styles(known.get(_STYLES, b""))
    judge = Judge(limits)
    facts: dict[str, SheetFacts] = {}
    for info in ordered:
        if info.filename in known:
            judge.part(info.filename, known[info.filename])
            continue
        if info.file_size > limits.calamine_max_part_bytes:
            verify_part(fh, path, info)
            judge.refuse(f"{info.filename} unpacks to {human_size(info.file_size)}")
            continue
        part = _unpacked(fh, path, info)
        judge.part(info.filename, part)
        noted = part_facts(part, styles)
        if noted is not None:
            facts[info.filename] = noted
    titles = sheet_parts(known.get(_WORKBOOK, b""), known.get(_RELS, b"")) if facts else {}
    return Loaded(path, data, sha256, kind, limits, judge.refusal(), judge.cells,
                  {title: facts[part] for title, part in titles.items() if part in facts}, styles)


def _measured(extents: list[Extent], path: Path, limits: Limits) -> None:
    """Refuse a file one of whose sheets calamine would lay out as too large a grid (extent.py)."""
    for extent in extents:
        if not extent.allowed(limits):
            rows, columns = max((extent.rows, extent.columns), extent.reserved, key=lambda rc: rc[0] * rc[1])
            raise file_error("read.limit.grid", path, rows=rows, columns=columns, cells=extent.cells)


def _facts(extents: list[Extent]) -> dict[str, SheetFacts]:
    return {e.title: e.facts for e in extents if e.title is not None and (e.facts.hidden_rows or e.facts.unit_formats)}


def _zip_kind(names: set[str], path: Path) -> Kind:
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "content.xml" in names and ("mimetype" in names or "META-INF/manifest.xml" in names):
        return "ods"
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    raise file_error("read.file.not_xlsx", path)


def _unpacked(fh: BinaryIO, path: Path, info: zipfile.ZipInfo) -> bytes:
    sink: list[bytes] = []
    verify_part(fh, path, info, sink)
    return b"".join(sink)


def verify_part(fh: BinaryIO, path: Path, info: zipfile.ZipInfo, sink: list[bytes] | None = None) -> None:
    """Unpack one part, never more than it declares, and check its size and checksum.

    The unpacked data is appended to `sink` when one is given.
    """
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise file_error("read.file.corrupt", path, detail=msg("read.detail.part", part=info.filename),
                          remedy=msg("read.remedy.resend"))
    name_len, extra_len = _LOCAL_HEADER.unpack(header)[-2:]
    fh.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
    declared = info.file_size
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left = info.compress_size
    produced = 0
    crc = 0
    try:
        while left > 0 and not (inflater is not None and inflater.eof):
            chunk = fh.read(min(left, CHUNK))
            if not chunk:
                break
            left -= len(chunk)
            while chunk:
                if inflater is None:
                    data, chunk = chunk, b""
                else:
                    # never more than one byte past what the part declares: enough to catch a lie
                    data = inflater.decompress(chunk, min(CHUNK, declared - produced + 1))
                    chunk = inflater.unconsumed_tail
                produced += len(data)
                if produced > declared:
                    raise file_error("read.file.corrupt", path, remedy=msg("read.remedy.resend"),
                                      detail=msg("read.detail.size_lie", part=info.filename))
                crc = zlib.crc32(data, crc)
                if sink is not None:
                    sink.append(data)
                if inflater is not None and inflater.eof:
                    break
    except zlib.error as exc:
        raise file_error("read.file.corrupt", path, detail=detail_of(exc)) from None
    if produced != declared or crc != info.CRC or (inflater is not None and not inflater.eof):
        raise file_error("read.file.corrupt", path, detail=msg("read.detail.part", part=info.filename),
                          remedy=msg("read.remedy.resend"))

