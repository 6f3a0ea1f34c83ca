"""The input contract and its reader: `read_workbook` turns a workbook file into records and issues.

The pipeline, one module a step: guard.py reads the file once and says what it is and whether it
may be read (size, zip checks; judge.py, whether calamine may read an .xlsx); a backend behind
the protocol of backend.py parses those bytes into raw sheets (calamine.py first, for .xls, .xlsb,
.ods and most .xlsx; openpyxl_backend.py where calamine cannot go), held to the limits on sheets,
rows and columns whatever the backend; sheets.py finds sheets, headers and columns; rows.py and
cells.py turn rows and cells into records; checks.py runs the checks across rows and sheets.
Every problem with the data becomes an Issue; nothing stops at the first.
"""

from __future__ import annotations

from pathlib import Path

from hrcalc.limits import DEFAULT_LIMITS, Limits
from hrcalc.policy import Policy
from hrcalc.read.backend import Backend, Loaded, RawSheet, bounded
from hrcalc.read.calamine import calamine_available, calamine_refusal, calamine_sheets
from hrcalc.read.guard import load
from hrcalc.read.openpyxl_backend import openpyxl_sheets
from hrcalc.read.sheets import read_sheets
from hrcalc.records import Records

__all__ = ["Backend", "Loaded", "RawSheet", "calamine_refusal", "calamine_sheets", "default_backend",
           "load", "openpyxl_sheets", "read_sheets", "read_workbook"]


def default_backend() -> Backend:
    """calamine_sheets when python-calamine is installed, else openpyxl_sheets."""
    return calamine_sheets if calamine_available() else openpyxl_sheets


def read_workbook(path: Path, policy: Policy, backend: Backend | None = None,
                  limits: Limits = DEFAULT_LIMITS) -> Records:
    """Read the input workbook at `path`: every record that is valid, and every problem found.

    The file is read once; `records.input_sha256` is the hash of those very bytes. `backend`
    defaults to `default_backend()`. Raises InputFileError when the file cannot be opened or read
    at all, or breaks one of the `limits`; problems with the data itself are Issues, never exceptions.
    """
    loaded = load(path, limits)
    if backend is None:
        backend = default_backend()
    with backend(loaded) as sheets:
        records = read_sheets(bounded(sheets, limits, path), policy, limits)
    records.input_sha256 = loaded.sha256
    return records
