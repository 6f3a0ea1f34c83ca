"""The ledger's SQLite schema as data (one migration per version) and opening a ledger safely."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from hrcalc.errors import HrcalcError
from hrcalc.i18n import register

register({
    "ledger.missing": ("账本 {path} 不存在（只有 ledger commit 会创建账本）",
                       "No ledger at {path} (only `ledger commit` creates one)"),
    "ledger.not_sqlite": ("{path} 不是 hrcalc 账本：{reason}", "{path} is not an hrcalc ledger: {reason}"),
    "ledger.not_ours": ("{path} 是 SQLite 数据库，但不是 hrcalc 账本（没有账本版本表）",
                        "{path} is an SQLite database but not an hrcalc ledger (no ledger version table)"),
    "ledger.newer": ("账本 {path} 的版本 {version} 比本程序支持的版本 {latest} 新；请升级 hrcalc",
                     "Ledger {path} has version {version}, newer than the {latest} this hrcalc knows; "
                     "upgrade hrcalc"),
    "ledger.bad_version": ("账本 {path} 的版本记录无法识别（{version}）",
                           "Ledger {path} has an unrecognised version record ({version})"),
    "ledger.io": ("无法{action}账本 {path}：{reason}", "Cannot {action} the ledger {path}: {reason}"),
    "ledger.action.read": ("读取", "read"),
    "ledger.action.write": ("写入", "write"),
    "ledger.is_dir": ("账本路径 {path} 不是普通文件", "Ledger path {path} is not a regular file"),
})

# A line of a run (a grant, or a line withheld): the same columns in both tables of version 1.
_V1_LINE = ("id INTEGER PRIMARY KEY, run TEXT NOT NULL REFERENCES entries(run), payee_id TEXT NOT NULL, "
            "payee_type TEXT NOT NULL, award TEXT NOT NULL, tier TEXT, record_id TEXT NOT NULL, "
            "year INTEGER NOT NULL, event_date TEXT NOT NULL, amount TEXT NOT NULL, policy TEXT NOT NULL")

# Migrations kept as data: version N's statements bring a version N−1 ledger (0 = empty file) to N.
# A ledger is append-only: no statement here ever updates or deletes a row of an earlier version.
MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, (
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        """CREATE TABLE entries (
            seq INTEGER PRIMARY KEY,
            run TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('commit', 'revoke')),
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            os_user TEXT NOT NULL,
            note TEXT NOT NULL,
            digest TEXT,
            manifest TEXT NOT NULL,
            prev_hash TEXT,
            hash TEXT NOT NULL UNIQUE)""",
        f"CREATE TABLE grants ({_V1_LINE})",
        "CREATE INDEX grants_payee ON grants (payee_id, award)",
        "CREATE INDEX grants_run ON grants (run)",
        f"CREATE TABLE withheld ({_V1_LINE}, reason TEXT NOT NULL)",
        "CREATE INDEX withheld_payee ON withheld (payee_id, award)",
        "CREATE INDEX withheld_run ON withheld (run)",
        """CREATE TABLE revocations (
            run TEXT PRIMARY KEY REFERENCES entries(run),
            revoked TEXT NOT NULL UNIQUE REFERENCES entries(run),
            why TEXT NOT NULL)""",
        "INSERT INTO schema_version (version) VALUES (1)",
    )),
)
LATEST = MIGRATIONS[-1][0]


class LedgerError(HrcalcError):
    """A ledger that cannot be opened, read or written, or that refuses a commit: exit 2."""


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def version(conn: sqlite3.Connection, path: Path) -> int:
    """The ledger's schema version; 0 for an empty database. Refuses what is not a ledger of ours."""
    tables = _tables(conn)
    if not tables:
        return 0
    if "schema_version" not in tables:
        raise LedgerError("ledger.not_ours", path=str(path))
    rows = conn.execute("SELECT version FROM schema_version").fetchall()
    if len(rows) != 1 or not isinstance(rows[0][0], int) or rows[0][0] < 1:
        raise LedgerError("ledger.bad_version", path=str(path), version=repr([r[0] for r in rows]))
    found: int = rows[0][0]
    if found > LATEST:
        raise LedgerError("ledger.newer", path=str(path), version=found, latest=LATEST)
    return found


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the ledger to LATEST inside the caller's open transaction."""
    current = version(conn, path)
    for number, statements in MIGRATIONS:
        if number <= current:
            continue
        for sql in statements:
            conn.execute(sql)
        if number > 1:
            conn.execute("UPDATE schema_version SET version = ?", (number,))


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _check_path(path: Path) -> None:
    if path.exists() and not path.is_file():
        raise LedgerError("ledger.is_dir", path=str(path))


@contextlib.contextmanager
def translate(path: Path, action: str = "read") -> Iterator[None]:
    """SQLite's failures as messages a clerk can act on (exit 2), never a traceback."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "not a database" in text or "malformed" in text or "disk image" in text:
            raise LedgerError("ledger.not_sqlite", path=str(path), reason=_reason(exc)) from None
        raise LedgerError("ledger.io", path=str(path), action=_action(action), reason=_reason(exc)) from None
    except OSError as exc:
        raise LedgerError("ledger.io", path=str(path), action=_action(action),
                          reason=exc.strerror or _reason(exc)) from None


def _action(action: str) -> object:
    from hrcalc.i18n import msg

    return msg(f"ledger.action.{action}")


def _wal(conn: sqlite3.Connection) -> None:
    """WAL journal where it can be had: switching needs the file to itself for a moment, and a
    commit waiting beside us must not turn a done commit into an error (rollback mode is as safe)."""
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA journal_mode = WAL")


def _setup(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA foreign_keys = ON")


_NOT_A_LEDGER = frozenset({"ledger.not_sqlite", "ledger.not_ours", "ledger.newer", "ledger.bad_version"})


@contextlib.contextmanager
def _no_stray_sidecars(path: Path) -> Iterator[None]:
    """A file that turned out not to be a ledger keeps no -wal/-shm file that opening it left beside it."""
    sidecars = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    existed = [p.exists() for p in sidecars]
    try:
        yield
    except LedgerError as exc:
        wal, _ = sidecars
        if exc.message.key in _NOT_A_LEDGER and not any(existed) and (not wal.exists() or wal.stat().st_size == 0):
            for p in sidecars:
                with contextlib.suppress(OSError):
                    p.unlink()
        raise


@contextlib.contextmanager
def open_read(path: Path) -> Iterator[sqlite3.Connection]:
    """An existing ledger, read-only; creates nothing (exit 2 when there is no ledger at `path`)."""
    _check_path(path)
    if not path.exists():
        raise LedgerError("ledger.missing", path=str(path))
    base = "file:" + quote(str(path.resolve())) + "?mode=ro"
    with _no_stray_sidecars(path), translate(path):
        conn = sqlite3.connect(base, uri=True, isolation_level=None, timeout=30)
        try:
            _setup(conn)
            version(conn, path)
        except sqlite3.OperationalError as exc:
            conn.close()
            # A WAL ledger that this user may not write (an auditor's copy, a read-only share) cannot
            # keep its shared-memory file: read it as an unchanging file, unless a WAL still holds
            # transactions the file itself does not (then reading it so would miss them).
            wal = path.with_name(path.name + "-wal")
            if "readonly" not in str(exc) or (wal.exists() and wal.stat().st_size > 0):
                raise
            conn = sqlite3.connect(base + "&immutable=1", uri=True, isolation_level=None)
            _setup(conn)
            version(conn, path)
    try:
        with translate(path):
            yield conn
    finally:
        conn.close()


@contextlib.contextmanager
def open_write(path: Path) -> Iterator[sqlite3.Connection]:
    """The ledger for one writing transaction (the caller says BEGIN IMMEDIATE); created if absent.

    A new file is written in SQLite's rollback-journal mode inside the first commit's transaction,
    so two first commits at once still end with one run; WAL is switched on once a ledger exists.
    """
    _check_path(path)
    existed = path.exists() and path.stat().st_size > 0
    with translate(path, "write"):
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=60)
    try:
        with _no_stray_sidecars(path), translate(path, "write"):
            _setup(conn)
            if existed:
                _wal(conn)
            conn.execute("PRAGMA synchronous = FULL")
            yield conn
            if not existed:
                _wal(conn)
    finally:
        conn.close()
