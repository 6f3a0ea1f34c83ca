"""The hash chain: each entry hashes the previous entry's hash, its manifest and its lines."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from hrcalc.digest import canonical

LINE_COLUMNS = ("payee_id", "payee_type", "award", "tier", "record_id", "year", "event_date", "amount", "policy")
LINE_SQL = ", ".join(LINE_COLUMNS)
ENTRY_COLUMNS = ("seq", "run", "kind", "at", "by", "os_user", "note", "digest", "manifest", "prev_hash", "hash")


class EntryHasher:
    """SHA-256 over everything an entry says, fed line by line (a run may hold a million lines).

    The header is the canonical JSON of the entry's own fields and its manifest; each line follows
    as a tagged canonical JSON list of its values, in the order they were inserted.
    """

    def __init__(self, entry: dict[str, Any], revokes: tuple[str, str] | None) -> None:
        header = {
            "prev": entry["prev_hash"],
            "run": entry["run"],
            "kind": entry["kind"],
            "at": entry["at"],
            "by": entry["by"],
            "os_user": entry["os_user"],
            "note": entry["note"],
            "digest": entry["digest"],
            "manifest": json.loads(entry["manifest"]),
            "revokes": None if revokes is None else {"run": revokes[0], "why": revokes[1]},
        }
        self._sha = hashlib.sha256(canonical(header))

    def grant(self, values: tuple[Any, ...]) -> None:
        self._sha.update(b"\nG" + canonical_list(values))

    def withheld(self, values: tuple[Any, ...]) -> None:
        self._sha.update(b"\nW" + canonical_list(values))

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def canonical_list(values: tuple[Any, ...]) -> bytes:
    return json.dumps(list(values), separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Break:
    """The first place where the chain does not hold."""

    run: str | None
    reason: str  # a message key


def verify(conn: sqlite3.Connection) -> tuple[int, Break | None]:
    """Recompute every entry's hash, oldest first: (entries checked, the first break or None)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'entries'").fetchone() is None:
        return 0, None  # an empty file is an empty ledger
    revocations = {row[0]: (row[1], row[2]) for row in conn.execute("SELECT run, revoked, why FROM revocations")}
    prev: str | None = None
    seen: set[str] = set()
    count = 0
    entries = conn.execute(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM entries ORDER BY seq").fetchall()
    for row in entries:
        entry = dict(zip(ENTRY_COLUMNS, row, strict=True))
        run = entry["run"]
        count += 1
        if entry["seq"] != count:
            return count, Break(run, "verify.gap")
        if entry["prev_hash"] != prev:
            return count, Break(run, "verify.prev")
        revokes = revocations.get(run)
        if (entry["kind"] == "revoke") != (revokes is not None):
            return count, Break(run, "verify.revocation")
        try:
            hasher = EntryHasher(entry, revokes)
        except (ValueError, TypeError):
            return count, Break(run, "verify.manifest")
        for line in conn.execute(f"SELECT {LINE_SQL} FROM grants WHERE run = ? ORDER BY id", (run,)):
            hasher.grant(line)
        for line in conn.execute(f"SELECT {LINE_SQL}, reason FROM withheld WHERE run = ? ORDER BY id", (run,)):
            hasher.withheld(line)
        if hasher.hexdigest() != entry["hash"]:
            return count, Break(run, "verify.hash")
        seen.add(run)
        prev = entry["hash"]
    for table in ("grants", "withheld", "revocations"):
        stray = conn.execute(f"SELECT run FROM {table} WHERE run NOT IN (SELECT run FROM entries) LIMIT 1").fetchone()
        if stray is not None:
            return count, Break(stray[0], "verify.orphan")
    for run, (target, _) in sorted(revocations.items()):
        if target not in seen:
            return count, Break(run, "verify.revocation")
    return count, None
