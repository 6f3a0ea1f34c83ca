"""Writing the ledger: commit a result's lines as grants, or revoke a run, each in one transaction."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from hrcalc import __version__
from hrcalc.digest import DIGEST_KEY, result_digest
from hrcalc.i18n import register
from hrcalc.ledger.chain import LINE_COLUMNS, EntryHasher
from hrcalc.ledger.schema import LedgerError, migrate, open_write, translate

register({
    "ledger.not_result": ("{path} 不是 hrcalc 计算结果（hrcalc.result.v1）：{reason}",
                          "{path} is not an hrcalc result (hrcalc.result.v1): {reason}"),
    "ledger.no_digest": ("结果文件没有摘要（digest），无法确认未被修改；请用本版本重新计算",
                         "The result carries no digest, so it cannot be shown unchanged; recompute it "
                         "with this hrcalc"),
    "ledger.bad_digest": ("结果文件在计算后被修改过（摘要不符），拒绝登记；请重新计算",
                          "The result was changed after it was computed (its digest does not match); "
                          "refused: recompute it"),
    "ledger.year_filtered": ("以 --year 筛选的结果不能登记（它省略了本身各行所依据的年度）；请不加 --year 重新计算",
                             "A result filtered with --year cannot be committed (it leaves out years its own "
                             "lines assumed); recompute without --year"),
    "ledger.incomplete": ("结果不完整（以 --skip-invalid 计算），拒绝登记；确需登记请加 --allow-incomplete",
                          "The result is incomplete (computed with --skip-invalid); refused unless "
                          "--allow-incomplete"),
    "ledger.moved": ("账本已变动：请用 --ledger 重新计算（结果所见账本头 {seen}，当前账本头 {head}）",
                     "the ledger has moved: recompute with --ledger (the result saw head {seen}; "
                     "the ledger's head is {head})"),
    "ledger.already": ("该结果已于账本记录 {run} 登记，不再重复登记", "This result was already committed as "
                       "run {run}; not committed again"),
    "ledger.no_by": ("--by 需填写经办人姓名", "--by needs the name of the person committing"),
    "ledger.no_why": ("--why 需填写撤销原因", "--why needs the reason for the revoke"),
    "ledger.withhold_nomatch": ("暂缓文件 {where}：结果中没有与之对应的应付奖励行（受奖主体 {payee}、"
                                "奖励项目 {award}、关联记录 {record}、年度 {year}）",
                                "Withhold file {where}: no payable line of the result matches it (payee "
                                "{payee}, award {award}, record {record}, year {year})"),
    "ledger.no_run": ("账本中没有记录 {run}", "The ledger has no run {run}"),
    "ledger.revoke_revoke": ("{run} 本身是撤销记录，不能撤销", "{run} is itself a revoke and cannot be revoked"),
    "ledger.already_revoked": ("{run} 已于 {by_run} 撤销", "{run} was already revoked by {by_run}"),
    "ledger.later_run": ("须先撤销较新的记录 {later}（按从新到旧的顺序撤销）",
                         "Revoke the later run {later} first (runs are revoked newest first)"),
})

NONE_SHOWN = "-"


@dataclass(frozen=True, slots=True)
class WithholdRow:
    """One line not granted now, and why; record_id or tier None matches any."""

    payee_id: str
    award: str
    tier: str | None
    record_id: str | None
    year: int
    reason: str
    where: str  # "row 3" of the withhold file, for messages


@dataclass(frozen=True, slots=True)
class Entry:
    """What a commit or revoke wrote."""

    run: str
    kind: str
    head: str
    grants: int
    withheld: int
    total: Decimal


def head_of(conn: sqlite3.Connection) -> tuple[str, str] | None:
    """(run, hash) of the newest entry, or None for an empty ledger."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "entries" not in tables:
        return None
    row = conn.execute("SELECT run, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
    return None if row is None else (row[0], row[1])


def load_result(path: Path) -> dict[str, Any]:
    """The JSON result at `path`, checked to be one (exit 2 otherwise)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError("ledger.not_result", path=str(path), reason=str(exc)) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LedgerError("ledger.not_result", path=str(path), reason=f"JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("schema") != "hrcalc.result.v1" or not isinstance(doc.get("payees"), list):
        raise LedgerError("ledger.not_result", path=str(path), reason="schema")
    return doc


def result_lines(doc: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Each line of a result as LINE_COLUMNS values, in the result's own order."""
    default_policy = (doc.get("policy") or {}).get("id") or ""
    out: list[tuple[Any, ...]] = []
    for payee in doc["payees"]:
        for ln in payee.get("awards", []):
            out.append((payee["payee_id"], payee["payee_type"], ln["award"], ln.get("tier"), ln["record_id"],
                        int(ln["year"]), ln["date"], ln["amount"], ln.get("policy") or default_policy))
    return out


def result_plans(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each plan's id and sha256: from `policies` when the result has it, else from `policy`."""
    plans = doc.get("policies")
    if not isinstance(plans, list) or not plans:
        plans = [doc.get("policy") or {}]
    return [{"id": p.get("id"), "sha256": p.get("sha256")} for p in plans]


def check_result(doc: Mapping[str, Any], *, allow_incomplete: bool) -> None:
    """The rulings' refusals that need no ledger: edited, --year, incomplete."""
    digest = doc.get(DIGEST_KEY)
    if not isinstance(digest, str):
        raise LedgerError("ledger.no_digest")
    if result_digest(doc) != digest:
        raise LedgerError("ledger.bad_digest")
    if doc.get("year_filter") is not None:
        raise LedgerError("ledger.year_filtered")
    if doc.get("complete") is not True and not allow_incomplete:
        raise LedgerError("ledger.incomplete")


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        raise LedgerError("ledger.not_result", path="-", reason=f"amount {text!r}") from None


def split_withheld(lines: Sequence[tuple[Any, ...]], withhold: Sequence[WithholdRow]
                   ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(grants, withheld rows with their reason): payable lines only; a row matching none is an error."""
    payable = [ln for ln in lines if _amount(ln[7]) > 0]
    held: dict[int, str] = {}
    for row in withhold:
        hits = [i for i, ln in enumerate(payable)
                if ln[0] == row.payee_id and ln[2] == row.award and ln[5] == row.year
                and (row.record_id is None or ln[4] == row.record_id)
                and (row.tier is None or ln[3] == row.tier)]
        if not hits:
            raise LedgerError("ledger.withhold_nomatch", where=row.where, payee=row.payee_id, award=row.award,
                              record=row.record_id or NONE_SHOWN, year=row.year)
        for i in hits:
            held.setdefault(i, row.reason)
    grants = [ln for i, ln in enumerate(payable) if i not in held]
    withheld = [(*ln, held[i]) for i, ln in enumerate(payable) if i in held]
    return grants, withheld


def append_entry(conn: sqlite3.Connection, *, kind: str, at: str, by: str, os_user: str, note: str,
                  digest: str | None, manifest: dict[str, Any], grants: Sequence[tuple[Any, ...]] = (),
                  withheld: Sequence[tuple[Any, ...]] = (), revokes: tuple[str, str] | None = None) -> Entry:
    last = conn.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
    seq = 1 if last is None else last[0] + 1
    run = f"R{seq:04d}"
    entry = {"run": run, "kind": kind, "at": at, "by": by, "os_user": os_user, "note": note, "digest": digest,
             "manifest": json.dumps(manifest, sort_keys=True, ensure_ascii=False),
             "prev_hash": None if last is None else last[1]}
    hasher = EntryHasher(entry, revokes)
    for g in grants:
        hasher.grant(g)
    for w in withheld:
        hasher.withheld(w)
    digest_hex = hasher.hexdigest()
    conn.execute("INSERT INTO entries (seq, run, kind, at, by, os_user, note, digest, manifest, prev_hash, hash) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (seq, run, kind, at, by, os_user, note, digest, entry["manifest"], entry["prev_hash"], digest_hex))
    cols = ", ".join(LINE_COLUMNS)
    marks = ", ".join("?" * len(LINE_COLUMNS))
    conn.executemany(f"INSERT INTO grants (run, {cols}) VALUES (?, {marks})", ((run, *g) for g in grants))
    conn.executemany(f"INSERT INTO withheld (run, {cols}, reason) VALUES (?, {marks}, ?)",
                     ((run, *w) for w in withheld))
    if revokes is not None:
        conn.execute("INSERT INTO revocations (run, revoked, why) VALUES (?, ?, ?)", (run, *revokes))
    total = sum((_amount(g[7]) for g in grants), Decimal(0))
    return Entry(run, kind, digest_hex, len(grants), len(withheld), total)


@contextlib.contextmanager
def _transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """One BEGIN IMMEDIATE transaction on the ledger (created if absent, brought to LATEST): committed
    when the block ends, rolled back on any exception, so a refusal or a kill leaves it as it was."""
    with open_write(path) as conn, translate(path, "write"):
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrate(conn, path)
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def _short(head: str | None) -> str:
    return NONE_SHOWN if head is None else head[:12]


def commit(path: Path, doc: Mapping[str, Any], *, by: str, note: str, os_user: str, at: str,
           withhold: Sequence[WithholdRow] = (), allow_incomplete: bool = False) -> Entry:
    """Record the result's payable lines as grants, in one BEGIN IMMEDIATE transaction."""
    if not by.strip():
        raise LedgerError("ledger.no_by")
    check_result(doc, allow_incomplete=allow_incomplete)
    lines = result_lines(doc)
    grants, withheld = split_withheld(lines, withhold)
    seen_doc = doc.get("ledger")
    seen = seen_doc.get("head") if isinstance(seen_doc, dict) else None
    manifest = {
        "input": doc.get("input"),
        "plans": result_plans(doc),
        "hrcalc_version": doc.get("hrcalc_version"),
        "committed_with": __version__,
        "years": doc.get("years"),
        "complete": doc.get("complete"),
        "total": format(sum((_amount(g[7]) for g in grants), Decimal(0)), "f"),
        "grants": len(grants),
        "withheld": len(withheld),
        "saw_head": seen,
    }
    with _transaction(path) as conn:
        done = conn.execute("SELECT run FROM entries WHERE digest = ? AND kind = 'commit' "
                            "AND run NOT IN (SELECT revoked FROM revocations)", (doc[DIGEST_KEY],)).fetchone()
        if done is not None:
            raise LedgerError("ledger.already", run=done[0])
        head = head_of(conn)
        if seen != (None if head is None else head[1]):
            raise LedgerError("ledger.moved", seen=_short(seen), head=_short(None if head is None else head[1]))
        entry = append_entry(conn, kind="commit", at=at, by=by, os_user=os_user, note=note,
                             digest=doc[DIGEST_KEY], manifest=manifest, grants=grants, withheld=withheld)
    return entry


def revoke(path: Path, run: str, *, by: str, why: str, os_user: str, at: str) -> Entry:
    """Take a run's grants back as a new entry; newest first, never a revoke, never twice."""
    if not by.strip():
        raise LedgerError("ledger.no_by")
    if not why.strip():
        raise LedgerError("ledger.no_why")
    from hrcalc.ledger.schema import open_read

    with open_read(path):  # exists and is a ledger: revoke never creates one
        pass
    with _transaction(path) as conn:
        target = conn.execute("SELECT seq, kind FROM entries WHERE run = ?", (run,)).fetchone()
        if target is None:
            raise LedgerError("ledger.no_run", run=run)
        if target[1] != "commit":
            raise LedgerError("ledger.revoke_revoke", run=run)
        by_run = conn.execute("SELECT run FROM revocations WHERE revoked = ?", (run,)).fetchone()
        if by_run is not None:
            raise LedgerError("ledger.already_revoked", run=run, by_run=by_run[0])
        later = conn.execute("SELECT run FROM entries WHERE seq > ? AND kind = 'commit' AND run NOT IN "
                             "(SELECT revoked FROM revocations) ORDER BY seq DESC LIMIT 1",
                             (target[0],)).fetchone()
        if later is not None:
            raise LedgerError("ledger.later_run", later=later[0])
        count = conn.execute("SELECT count(*) FROM grants WHERE run = ?", (run,)).fetchone()[0]
        manifest = {"revokes": run, "grants": count, "committed_with": __version__}
        entry = append_entry(conn, kind="revoke", at=at, by=by, os_user=os_user, note=why, digest=None,
                             manifest=manifest, revokes=(run, why))
    return Entry(entry.run, "revoke", entry.head, count, 0, Decimal(0))
