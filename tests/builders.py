"""Test helpers that write real input workbooks with openpyxl: raw rows, or records by field id.

`build_input` takes lists of dicts keyed by canonical field ids (schema.py) and fills in
everything a test does not care about, so a test states only what it is about:

    build_input(tmp_path / "in.xlsx", placements=[{"annual_salary": 500000}])

writes a placements sheet with one complete row and an institutions sheet listing its
institution. A value of None writes a blank cell; OMIT leaves the column out altogether.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook

from hrcalc.codes import check_char
from hrcalc.read.schema import SHEETS_BY_ID

__all__ = ["EMPLOYER", "OMIT", "build_input", "code", "defaults", "write_workbook"]

OMIT: Any = object()
"""A field value that leaves the column out of the sheet."""


def code(n: int) -> str:
    """A valid unified social credit code, distinct for each n in 0..9,999,999."""
    if not 0 <= n < 10_000_000:
        raise ValueError(n)
    body = f"91340100MA{n:07d}"
    return body + check_char(body)


_EMPLOYER_BODY = "91340100EMP000001"
EMPLOYER = _EMPLOYER_BODY + check_char(_EMPLOYER_BODY)
"""A valid credit code for an employer, distinct from every `code(n)`."""

EVENT_DAY = date(2025, 3, 1)


def write_workbook(path: Path, sheets: Mapping[str, Sequence[Sequence[object]]]) -> Path:
    """Write `sheets` (title → rows of cell values, header first as a rule) to a new .xlsx."""
    wb = Workbook()
    default = wb.active
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    if default is not None and sheets:
        wb.remove(default)
    wb.save(path)
    return path


def defaults(sheet: str, i: int) -> dict[str, object]:
    """A complete, valid row of `sheet` for the i-th record (0-based)."""
    n = i + 1
    if sheet == "institutions":
        return {"credit_code": code(n), "name": f"合肥第{n}人力资源服务有限公司"}
    if sheet == "revenue":
        return {"credit_code": code(1), "year": 2025, "revenue": 100_000_000 + i}
    if sheet == "placements":
        return {
            "placement_id": f"P-{n:04d}",
            "credit_code": code(1),
            "employer_name": "合肥示例科技有限公司",
            "employer_credit_code": EMPLOYER,
            "key_enterprise": "是",
            "from_outside_city": "是",
            "annual_salary": 600_000,
            "headhunting_fee": 100_000,
            "placement_date": EVENT_DAY,
        }
    if sheet == "recognitions":
        return {"credit_code": code(1), "kind": "high_tech", "date": EVENT_DAY}
    if sheet == "parks":
        return {"park_id": f"PK-{n:03d}", "name": f"园区{n}", "district": "蜀山区",
                "level": "national_park", "date": EVENT_DAY}
    if sheet == "prior_awards":
        return {"payee_id": code(1), "award": "headhunting", "record_id": f"P-OLD-{n:04d}",
                "amount": 10_000, "date": date(2024, 12, 1)}
    if sheet == "claims":
        return {"payee_id": code(1), "award": "headhunting", "year": 2025, "claimed_amount": 10_000}
    raise KeyError(sheet)


def _rows(sheet: str, items: Sequence[Mapping[str, object]], lang: str) -> list[list[object]]:
    spec = SHEETS_BY_ID[sheet]
    full = [{**defaults(sheet, i), **item} for i, item in enumerate(items)]
    known = [c.field for c in spec.columns]
    present = {k for row in full for k, v in row.items() if v is not OMIT}
    extras = [k for row in full for k in row if k not in known and k in present]
    fields = [f for f in known if f in present] + list(dict.fromkeys(extras))
    header_of = {c.field: (c.zh if lang == "zh" else c.en) for c in spec.columns}
    header: list[object] = [header_of.get(f, f) for f in fields]
    out: list[list[object]] = [header]
    for row in full:
        out.append([None if row.get(f) is OMIT else row.get(f) for f in fields])
    return out


def build_input(
    path: Path,
    *,
    institutions: Sequence[Mapping[str, object]] | None = None,
    revenue: Sequence[Mapping[str, object]] | None = None,
    placements: Sequence[Mapping[str, object]] | None = None,
    recognitions: Sequence[Mapping[str, object]] | None = None,
    parks: Sequence[Mapping[str, object]] | None = None,
    prior_awards: Sequence[Mapping[str, object]] | None = None,
    claims: Sequence[Mapping[str, object]] | None = None,
    lang: Literal["en", "zh"] = "en",
    auto_institutions: bool = True,
    writer: Callable[[Path, Mapping[str, Sequence[Sequence[object]]]], Path] | None = None,
) -> Path:
    """Write an input workbook from records keyed by field id; None sheets are left out.

    With `auto_institutions`, every credit_code used in revenue, placements or recognitions
    gets an institutions row unless one is given. `writer` writes another format (tests/formats.py).
    """
    given: dict[str, Sequence[Mapping[str, object]] | None] = {
        "institutions": institutions, "revenue": revenue, "placements": placements,
        "recognitions": recognitions, "parks": parks, "prior_awards": prior_awards, "claims": claims,
    }
    if auto_institutions:
        listed = list(institutions or [])
        have = {str(row.get("credit_code", defaults("institutions", i)["credit_code"]))
                for i, row in enumerate(listed)}
        for sheet in ("revenue", "placements", "recognitions"):
            for i, item in enumerate(given[sheet] or []):
                used = item.get("credit_code", defaults(sheet, i)["credit_code"])
                if isinstance(used, str) and used not in have:
                    have.add(used)
                    listed.append({"credit_code": used, "name": f"机构 {used[-6:]}"})
        if listed:
            given["institutions"] = listed
    sheets: dict[str, list[list[object]]] = {}
    for sheet_id, items in given.items():
        if items is None:
            continue
        spec = SHEETS_BY_ID[sheet_id]
        sheets[spec.name_zh if lang == "zh" else spec.name_en] = _rows(sheet_id, items, lang)
    return (writer or write_workbook)(path, sheets)
