"""Helpers for the ledger tests: calculate through the real CLI, commit, read lines back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from typer.testing import Result

from hrcalc.digest import result_digest
from tests.builders import build_input
from tests.conftest import Invoke
from tests.test_examples import H7

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "hefei-hr-2025.xlsx"

Key = tuple[str, str, str, int]


def h7(tmp_path: Path, **sheets: Any) -> Path:
    """Worked example H7 (one institution, three 2025 placements cut by the annual cap)."""
    return build_input(tmp_path / "h7.xlsx", placements=H7, **sheets)


def calc(invoke: Invoke, wb: Path, out: Path, *extra: str | Path, code: int = 0) -> dict[str, Any]:
    res = invoke("calculate", wb, "--json", out, "--quiet", "--force", "--lang", "en", *extra)
    assert res.exit_code == code, res.output + (res.stderr or "")
    return json.loads(out.read_text(encoding="utf-8")) if code == 0 else {}


def lines(doc: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    return {(p["payee_id"], ln["award"], ln["record_id"], ln["year"]): ln
            for p in doc["payees"] for ln in p["awards"]}


def amounts(doc: dict[str, Any], award: str | None = None) -> dict[str, str]:
    """record_id → amount (of one award when given)."""
    return {k[2]: ln["amount"] for k, ln in lines(doc).items() if award is None or k[1] == award}


def commit(invoke: Invoke, result: Path, db: Path, *extra: str | Path) -> Result:
    return invoke("ledger", "commit", result, "--ledger", db, "--by", "经办人", "--lang", "en", *extra)


def entries(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT run, kind FROM entries ORDER BY seq").fetchall()


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        n: int = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return n


def redigest(doc: dict[str, Any], path: Path) -> Path:
    """Write `doc` with a digest that matches it again (a result made by hand, not an edited one)."""
    doc = {k: v for k, v in doc.items() if k != "digest"}
    doc["digest"] = result_digest(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path
