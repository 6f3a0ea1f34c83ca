"""The library's front door: read a workbook, check it, calculate. No terminal, no Excel writing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hrcalc.engine import calculate
from hrcalc.errors import DataError
from hrcalc.i18n import register
from hrcalc.policy import Policy, load_policy
from hrcalc.policy.timeline import Timeline
from hrcalc.records import Issue, Records
from hrcalc.result import Result

register({
    "err.data": ("工作簿有 {count} 处错误，未计算。请修正后重试，或使用 --skip-invalid 跳过错误行",
                 "The workbook has {count} error(s); nothing was computed. Fix them, or use "
                 "--skip-invalid to compute without those rows"),
})


def read(path: Path, policy: Policy) -> Records:
    """Every record and every problem in the workbook (InputFileError if it cannot be read)."""
    from hrcalc.read import read_workbook  # openpyxl is imported only when a workbook is read

    records: Records = read_workbook(path, policy)
    return records


def issues(path: Path, records: Records, policy: Policy | Timeline) -> list[Issue]:
    """Every issue `calculate` would report for these records: the reader's, and the engine's
    (dates outside the window, missing prior revenue, ...), computed the one way calculate does."""
    return run(path, policy=policy, skip_invalid=True, records=records).issues


def run(path: Path, *, policy: Policy | Timeline | None = None, skip_invalid: bool = False,
        today: date | None = None, records: Records | None = None, ledger: Path | None = None) -> Result:
    """Read and calculate (under one plan or a timeline of plans); DataError when the data has errors
    and skip_invalid is off.

    With `ledger`, its grants are history (prior_awards rows) and the result records the head it saw.
    """
    policy = policy or load_policy()
    reading = policy.reading_policy() if isinstance(policy, Timeline) else policy
    records = records if records is not None else read(path, reading)
    hist = None
    if ledger is not None:
        from hrcalc.ledger import history

        hist = history.load(ledger, records)
        records = history.merge(records, hist, set(reading.awards))
    errors = records.errors
    if errors and not skip_invalid:
        raise DataError("err.data", count=len(errors), issues=errors)
    result = calculate(records, policy, today=today if today is not None else date.today())
    result.input_name = path.name
    result.input_sha256 = records.input_sha256  # of the bytes parsed, not the file now
    result.complete = not errors
    if hist is not None:
        from hrcalc.ledger import history

        history.note_withheld(result, hist)
        result.ledger = hist.seen()
    # Reconcile only when something was claimed: an empty 申报 sheet (as in a filled-in template)
    # would otherwise list every award as unclaimed.
    if records.claims:
        from hrcalc.reconcile import reconcile

        result.reconciliation = reconcile(records.claims, result)
    return result
