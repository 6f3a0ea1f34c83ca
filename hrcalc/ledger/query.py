"""Reading the ledger: its entries, its grants by payee, and what a calculation needs as history."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from hrcalc.ledger.chain import LINE_COLUMNS, LINE_SQL

# SQLite's default limit on bound parameters is 999 on older builds; stay well below it.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """A grant or a withheld line as the ledger holds it."""

    run: str
    payee_id: str
    payee_type: str
    award: str
    tier: str | None
    record_id: str
    year: int
    event_date: date
    amount: Decimal
    policy: str
    status: str  # granted, withheld, revoked
    reason: str | None = None  # withheld: why

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.payee_id, self.award, self.record_id, self.year)


def _has_tables(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entries'").fetchone() is not None


def entries(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every entry, oldest first, as `ledger runs --json` lists it."""
    if not _has_tables(conn):
        return []
    counts = dict(conn.execute("SELECT run, count(*) FROM grants GROUP BY run").fetchall())
    held = dict(conn.execute("SELECT run, count(*) FROM withheld GROUP BY run").fetchall())
    revoked_by = {r[1]: r[0] for r in conn.execute("SELECT run, revoked FROM revocations")}
    out = []
    for seq, run, kind, at, by, os_user, note, digest, manifest, head in conn.execute(
            "SELECT seq, run, kind, at, by, os_user, note, digest, manifest, hash FROM entries ORDER BY seq"):
        man = json.loads(manifest)
        out.append({
            "run": run, "kind": kind, "at": at, "by": by, "note": note,
            "input_sha256": (man.get("input") or {}).get("sha256") if kind == "commit" else None,
            "grants": counts.get(run, 0) if kind == "commit" else man.get("grants", 0),
            "head": head,
            "seq": seq, "os_user": os_user, "digest": digest,
            "withheld": held.get(run, 0),
            "total": man.get("total"),
            "revokes": man.get("revokes"),
            "revoked_by": revoked_by.get(run),
            "manifest": man,
        })
    return out


def _revoked(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT revoked FROM revocations")}


def _line(row: tuple[Any, ...], status: str, reason: str | None = None) -> LedgerLine:
    run, payee_id, payee_type, award, tier, record_id, year, event_date, amount, policy = row[:10]
    return LedgerLine(run, payee_id, payee_type, award, tier, record_id, int(year), date.fromisoformat(event_date),
                      Decimal(amount), policy, status, reason)


def _chunks(items: Iterable[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in sorted(set(items)):
        batch.append(item)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def lines(conn: sqlite3.Connection, payees: Iterable[str] | None = None) -> list[LedgerLine]:
    """Grants (granted or revoked) and withheld lines, of these payees only when given (indexed)."""
    if not _has_tables(conn):
        return []
    revoked = _revoked(conn)
    out: list[LedgerLine] = []
    batches: Iterable[list[str] | None] = [None] if payees is None else _chunks(payees)
    for batch in batches:
        where, params = ("", []) if batch is None else (
            f" WHERE payee_id IN ({', '.join('?' * len(batch))})", batch)
        for row in conn.execute(f"SELECT run, {LINE_SQL} FROM grants{where} ORDER BY id", params):
            out.append(_line(row, "revoked" if row[0] in revoked else "granted"))
        for row in conn.execute(f"SELECT run, {LINE_SQL}, reason FROM withheld{where} ORDER BY id", params):
            out.append(_line(row, "withheld", row[len(LINE_COLUMNS) + 1]))
    return out


def manifests(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    if not _has_tables(conn):
        return {}
    return {run: json.loads(m) for run, m in conn.execute("SELECT run, manifest FROM entries")}
