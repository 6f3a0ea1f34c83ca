"""How large an input workbook may be: limits as data, far above any real bureau workbook.

A real input (a few thousand institutions, a hundred thousand placements) is a few megabytes,
a few hundred thousand rows and a dozen columns. The defaults sit orders of magnitude above
that; they exist so a damaged or hostile file (a zip bomb, a sheet claiming a billion rows) is
refused with a message naming the limit, instead of filling the memory or running for hours.
Tests pass smaller `Limits` to reach each refusal quickly.
"""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024
MIB = KIB * KIB
GIB = KIB * MIB

EXCEL_MAX_ROWS = 1_048_576
"""Rows on an Excel worksheet (row 1,048,576 is the last)."""
EXCEL_MAX_COLUMNS = 16_384
"""Columns on an Excel worksheet (XFD is the last)."""
EXCEL_MAX_CELL_CHARS = 32_767
"""Characters an Excel cell can hold."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What the reader accepts; anything beyond is refused before or while it is read."""

    max_file_bytes: int = 256 * MIB
    """The workbook file on disk."""
    max_uncompressed_bytes: int = 1 * GIB
    """All parts of the workbook (it is a zip) together, unpacked: declared, then counted."""
    max_compression_ratio: int = 200
    """Unpacked ÷ packed size of one part; normal sheets pack 5–50 times."""
    ratio_applies_above: int = 4 * MIB
    """Small parts may pack very well without harm: the ratio is checked above this size only."""
    max_zip_entries: int = 10_000
    """Parts in the zip; a workbook has a few dozen."""
    max_sheets: int = 1_000
    """Worksheets in the workbook (chart sheets are skipped, not counted)."""
    max_rows: int = EXCEL_MAX_ROWS
    """The last row number a sheet may use."""
    max_columns: int = EXCEL_MAX_COLUMNS
    """The last column a sheet may use for a value."""
    max_cell_chars: int = EXCEL_MAX_CELL_CHARS
    """Characters in one cell."""
    read_factor: int = 3
    """A part may be read this many times over (the reader re-reads a sheet to size it);
    the total read is capped at this multiple of the unpacked size, plus `read_slack`."""
    read_slack: int = 16 * MIB
    calamine_max_part_bytes: int = 512 * MIB
    """The fast reader (python-calamine) is used only if no part unpacks to more than this;
    larger workbooks are streamed by openpyxl in flat memory. A million placements make a sheet
    of about 400 MB: calamine reads it in 8 s where openpyxl takes 60 s."""
    calamine_max_columns: int = 1_000
    """…and no sheet declares or uses a column beyond this one;"""
    calamine_max_cells: int = 40_000_000
    """…and no sheet's extent (last row × last column, from A1) exceeds this: calamine holds a
    sheet as a dense grid, and aborts the interpreter when it cannot allocate it. At about 32
    bytes a cell, 40 million cells are some 1.3 GB, a fraction of what the records of a sheet
    that size take in Python (a million placements, 17 million cells: 5 GB in all);"""
    calamine_free_cells: int = 1 << 20  # about a million cells
    calamine_cells_per_value: int = 4
    """…nor exceeds `calamine_cells_per_value` × the cells the sheet holds, or
    `calamine_free_cells` if that is more: a sparse sheet is not worth a dense grid."""


DEFAULT_LIMITS = Limits()


def describe(limits: Limits = DEFAULT_LIMITS) -> list[tuple[str, str]]:
    """(limit, value) pairs in words, for documentation."""

    def size(n: int) -> str:
        for unit, factor in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
            if n >= factor and n % factor == 0:
                return f"{n // factor} {unit}"
        return f"{n:,} bytes"

    return [
        ("file size", size(limits.max_file_bytes)),
        ("unpacked size of all parts", size(limits.max_uncompressed_bytes)),
        ("compression ratio of one part", f"{limits.max_compression_ratio}:1 (parts over "
                                          f"{size(limits.ratio_applies_above)})"),
        ("parts in the zip", f"{limits.max_zip_entries:,}"),
        ("sheets", f"{limits.max_sheets:,}"),
        ("rows per sheet", f"{limits.max_rows:,}"),
        ("columns per sheet", f"{limits.max_columns:,}"),
        ("characters per cell", f"{limits.max_cell_chars:,}"),
    ]
