"""`ledger export`: the unrevoked grants as a prior_awards sheet the reader reads back as the same history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from hrcalc.i18n import Lang
from hrcalc.ledger.query import LedgerLine

SHEET = {"zh": "历史兑现", "en": "prior_awards"}
COLUMNS: tuple[tuple[str, str, int], ...] = (  # (中文表头, English header, width)
    ("受奖主体", "payee_id", 24),
    ("奖励项目", "award", 20),
    ("档次", "tier", 16),
    ("关联记录", "record_id", 20),
    ("金额", "amount", 16),
    ("兑现日期", "date", 12),
    ("政策", "policy", 16),
    ("账本记录", "ledger_run", 10),
)


def write_prior_awards(path: Path, grants: Sequence[LedgerLine], lang: Lang) -> None:
    """Write `grants` (already filtered to granted) to a new workbook at `path` with xlsxwriter.

    The date is the award year's event date, so an exported row matches its grant when read back;
    every text is written as text (a payee or record starting with = + - @ is never a formula).
    """
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    try:
        sheet = book.add_worksheet(SHEET[lang])
        head = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        for col, (zh, en, width) in enumerate(COLUMNS):
            sheet.write_string(0, col, zh if lang == "zh" else en, head)
            sheet.set_column(col, col, width)
        for r, g in enumerate(grants, start=1):
            sheet.write_string(r, 0, g.payee_id)
            sheet.write_string(r, 1, g.award)
            if g.tier:
                sheet.write_string(r, 2, g.tier)
            sheet.write_string(r, 3, g.record_id)
            sheet.write_number(r, 4, float(g.amount), money)  # display only: a 2-decimal amount is exact in a double
            sheet.write_datetime(r, 5, datetime(g.event_date.year, g.event_date.month, g.event_date.day), day)
            sheet.write_string(r, 6, g.policy)
            sheet.write_string(r, 7, g.run)
        sheet.freeze_panes(1, 0)
    finally:
        book.close()
