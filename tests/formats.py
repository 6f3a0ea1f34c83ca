"""Writers of the other workbook formats hrcalc reads: .xls (xlwt) and .ods (odfpy), built by the tests."""

from __future__ import annotations

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
