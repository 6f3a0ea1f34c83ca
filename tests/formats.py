"""Writers of the other workbook formats hrcalc reads: .xls (xlwt) and .ods (odfpy), built by the tests."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlwt  # type: ignore[import-untyped]
from odf.opendocument import OpenDocumentSpreadsheet  # type: ignore[import-untyped]
from odf.table import Table, TableCell, TableRow  # type: ignore[import-untyped]
from odf.text import P  # type: ignore[import-untyped]

Sheets = Mapping[str, Sequence[Sequence[object]]]
Writer = Callable[[Path, Sheets], Path]


def write_xls(path: Path, sheets: Sheets) -> Path:
    """An Excel 97-2003 workbook of `sheets` (title → rows), dates as Excel dates."""
    book = xlwt.Workbook(encoding="utf-8")
    as_date = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for title, rows in sheets.items():
        ws = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, date):
                    ws.write(r, c, value, as_date)
                else:
                    ws.write(r, c, value)
    book.save(str(path))
    return path


def _ods_cell(value: object) -> Any:
    if value is None:
        return TableCell()
    if isinstance(value, bool):
        return TableCell(valuetype="boolean", booleanvalue="true" if value else "false")
    if isinstance(value, int | float):
        cell = TableCell(valuetype="float", value=value)
    elif isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        cell = TableCell(valuetype="date", datevalue=day.isoformat())
    else:
        cell = TableCell(valuetype="string")
    cell.addElement(P(text=str(value)))
    return cell


def write_ods(path: Path, sheets: Sheets) -> Path:
    """An OpenDocument spreadsheet of `sheets` (title → rows)."""
    doc = OpenDocumentSpreadsheet()
    for title, rows in sheets.items():
        table = Table(name=title)
        for row in rows:
            tr = TableRow()
            for value in row:
                tr.addElement(_ods_cell(value))
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


# ---- .xlsb: Excel's binary workbook (BIFF12 records in a zip), the few records a reader needs ----------


def _varint(n: int, groups: int) -> bytes:
    out = bytearray()
    for _ in range(groups):
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            break
    return bytes(out)


def xlsb_record(kind: int, body: bytes = b"") -> bytes:
    """One BIFF12 record: its type and size as 7-bit groups, then its body."""
    return _varint(kind, 2) + _varint(len(body), 4) + body


def _wide(text: str) -> bytes:
    return len(text).to_bytes(4, "little") + text.encode("utf-16-le")


def xlsb_cell(row: int, col: int, value: object, style: int = 0) -> bytes:
    """A cell record of column `col` (the row is its row header's) in cell style `style`."""
    head = col.to_bytes(4, "little") + style.to_bytes(3, "little") + b"\x00"
    if isinstance(value, bool):
        return xlsb_record(0x04, head + bytes([value]))
    if isinstance(value, int | float):
        return xlsb_record(0x05, head + struct.pack("<d", float(value)))
    text = value.isoformat() if isinstance(value, date) else str(value)  # no styles here: dates as ISO text
    return xlsb_record(0x06, head + _wide(text))


def xlsb_sheet(rows: Sequence[Sequence[object]], extra: bytes = b"", styled: Mapping[int, int] | None = None,
               hidden: Sequence[int] = ()) -> bytes:
    """A worksheet part: `styled` gives columns a cell style, `hidden` lists 0-based hidden rows."""
    body = [xlsb_record(0x81), xlsb_record(0x94, struct.pack("<4L", 0, max(len(rows) - 1, 0), 0, 16)),
            xlsb_record(0x91)]
    for r, row in enumerate(rows):
        hide = b"\x10" if r in hidden else b"\x00"  # fDyZero, in the row header's byte 11
        body.append(xlsb_record(0x00, r.to_bytes(4, "little") + bytes(7) + hide + bytes(9)))
        body.extend(xlsb_cell(r, c, v, (styled or {}).get(c, 0) if r else 0) for c, v in enumerate(row)
                    if v is not None)
    return b"".join([*body, extra, xlsb_record(0x92), xlsb_record(0x82)])


def _xlsb_styles(formats: Sequence[str]) -> bytes:
    """styles.bin: the custom number formats (ids 164 on) and one cell style for each, after style 0."""
    fmts = [xlsb_record(0x2C, (164 + i).to_bytes(2, "little") + _wide(code)) for i, code in enumerate(formats)]
    xfs = [xlsb_record(0x2F, (0xFFFF).to_bytes(2, "little") + fmt.to_bytes(2, "little") + bytes(12))
           for fmt in (0, *range(164, 164 + len(formats)))]
    return b"".join([xlsb_record(0x0267, len(fmts).to_bytes(4, "little")), *fmts, xlsb_record(0x0268),
                     xlsb_record(0x0269, len(xfs).to_bytes(4, "little")), *xfs, xlsb_record(0x026A)])


def write_xlsb(path: Path, sheets: Sheets, extra: bytes = b"", formats: Mapping[tuple[str, int], str] | None = None,
               hidden: Mapping[str, Sequence[int]] | None = None) -> Path:
    """An .xlsb of `sheets`; `extra` records go at the end of every sheet's data; `formats` gives a
    (sheet, 0-based column) a number format below the header; `hidden` hides rows of a sheet."""
    codes = sorted(set((formats or {}).values()))
    book = [xlsb_record(0x83), xlsb_record(0x8F)]
    rels = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        if codes:
            z.writestr("xl/styles.bin", _xlsb_styles(codes))
        for i, (title, rows) in enumerate(sheets.items(), start=1):
            book.append(xlsb_record(0x9C, struct.pack("<LL", 0, i) + _wide(f"rId{i}") + _wide(title)))
            rels.append(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        f'relationships/worksheet" Target="worksheets/sheet{i}.bin"/>')
            styled = {col: codes.index(code) + 1 for (sheet, col), code in (formats or {}).items() if sheet == title}
            z.writestr(f"xl/worksheets/sheet{i}.bin",
                       xlsb_sheet(rows, extra, styled, (hidden or {}).get(title, ())))
        book += [xlsb_record(0x90), xlsb_record(0x84)]
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="bin" ContentType="application/'
                   'vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>')
        z.writestr("xl/workbook.bin", b"".join(book))
        z.writestr("xl/_rels/workbook.bin.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships">' + "".join(rels) + "</Relationships>")
    return path
