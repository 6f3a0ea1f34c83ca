"""The --withhold file of `ledger commit` (.csv or .xlsx): lines not granted now, and why."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hrcalc.i18n import register
from hrcalc.ledger.schema import LedgerError
from hrcalc.ledger.store import WithholdRow

register({
    "withhold.unreadable": ("无法读取暂缓文件 {path}：{reason}", "Cannot read the withhold file {path}: {reason}"),
    "withhold.kind": ("暂缓文件 {path} 须为 .csv 或 .xlsx", "The withhold file {path} must be .csv or .xlsx"),
    "withhold.columns": ("暂缓文件 {path} 缺少列：{columns}", "The withhold file {path} lacks columns: {columns}"),
    "withhold.cell": ("暂缓文件 {path} 第 {row} 行 {column} 列：{value!r} {problem}",
                      "Withhold file {path} row {row}, column {column}: {value!r} {problem}"),
    "withhold.blank": ("不能为空", "must not be blank"),
    "withhold.not_year": ("不是年度", "is not a year"),
    "withhold.unknown_award": ("不是已知的奖励项目", "is not a known award"),
})

HEADERS: dict[str, tuple[str, ...]] = {
    "payee_id": ("payee_id", "受奖主体"),
    "award": ("award", "奖励项目"),
    "tier": ("tier", "档次"),
    "record_id": ("record_id", "关联记录"),
    "year": ("year", "年度"),
    "reason": ("reason", "原因"),
}
REQUIRED = ("payee_id", "award", "record_id", "year", "reason")


def _norm(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _rows(path: Path) -> list[list[Any]]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                return [list(r) for r in csv.reader(fh)]
        if suffix in (".xlsx", ".xlsm"):
            from python_calamine import CalamineWorkbook

            book = CalamineWorkbook.from_path(str(path))
            return [list(r) for r in book.get_sheet_by_index(0).to_python()]
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise LedgerError("withhold.unreadable", path=str(path), reason=str(exc)) from None
    except Exception as exc:  # calamine's own errors for a damaged workbook
        raise LedgerError("withhold.unreadable", path=str(path), reason=f"{type(exc).__name__}: {exc}") from None
    raise LedgerError("withhold.kind", path=str(path))


def read_withhold(path: Path, award_names: Mapping[str, str]) -> list[WithholdRow]:
    """Every row, checked; `award_names` maps an award's id or Chinese name to its id."""
    rows = _rows(path)
    if not rows:
        raise LedgerError("withhold.columns", path=str(path), columns=", ".join(REQUIRED))
    header = [_norm(h).lower() for h in rows[0]]
    where: dict[str, int] = {}
    for field, names in HEADERS.items():
        for i, h in enumerate(header):
            if h in names:
                where.setdefault(field, i)
    missing = [f for f in REQUIRED if f not in where]
    if missing:
        raise LedgerError("withhold.columns", path=str(path), columns=", ".join(missing))
    out: list[WithholdRow] = []
    for n, raw in enumerate(rows[1:], start=2):
        cells = {f: _norm(raw[i]) if i < len(raw) else "" for f, i in where.items()}
        if not any(cells.values()):
            continue

        def bad(field: str, problem: str, n: int = n, cells: dict[str, str] = cells) -> LedgerError:
            from hrcalc.i18n import msg

            return LedgerError("withhold.cell", path=str(path), row=n, column=rows[0][where[field]],
                               value=cells[field], problem=msg(problem))

        for f in ("payee_id", "award", "year", "reason"):
            if not cells[f]:
                raise bad(f, "withhold.blank")
        award = award_names.get(cells["award"]) or award_names.get(cells["award"].lower())
        if award is None:
            raise bad("award", "withhold.unknown_award")
        try:
            year = int(cells["year"])
        except ValueError:
            raise bad("year", "withhold.not_year") from None
        out.append(WithholdRow(cells["payee_id"].upper(), award, cells.get("tier") or None,
                               cells["record_id"] or None, year, cells["reason"], f"row {n}"))
    return out
