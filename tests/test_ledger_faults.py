"""The ledger under faults: broken files, tampering, two clerks at once, a commit killed mid-way."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke
from tests.ledger_helpers import SAMPLE, calc, commit, count, entries, h7, redigest

HRCALC = [sys.executable, "-m", "hrcalc"]


def run(*args: str | Path, cwd: Path | None = None, user: bool = False) -> subprocess.CompletedProcess[str]:
    cmd = [*HRCALC, *map(str, args), "--lang", "en"]
    if user and os.geteuid() == 0:  # root ignores file modes: read-only must be tried as another user
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    env = {**os.environ, "HRCALC_LANG": "en"}
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=300, check=False)


@pytest.fixture
def ledger(invoke: Invoke, tmp_path: Path) -> Path:
    """A ledger holding one committed run of the sample."""
    db = tmp_path / "L.db"
    calc(invoke, SAMPLE, tmp_path / "r1.json", "--ledger", db)
    assert commit(invoke, tmp_path / "r1.json", db).exit_code == 0
    return db


def test_opened_with_wal_foreign_keys_and_a_version(ledger: Path) -> None:
    with sqlite3.connect(ledger) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
        conn.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO grants (run, payee_id, payee_type, award, record_id, year, event_date, "
                         "amount, policy) VALUES ('R9999', 'x', 'institution', 'a', 'r', 2025, '2025-01-01', "
                         "'1.00', 'p')")


@pytest.mark.parametrize("kind", ["not_sqlite", "truncated", "other_sqlite", "newer", "directory"])
def test_a_file_that_is_not_a_ledger_is_a_clear_exit_2(invoke: Invoke, ledger: Path, tmp_path: Path,
                                                       kind: str) -> None:
    bad = tmp_path / "bad.db"
    if kind == "not_sqlite":
        bad.write_text("名单,金额\n", encoding="utf-8")
    elif kind == "truncated":
        with sqlite3.connect(ledger) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        bad.write_bytes(ledger.read_bytes()[:6000])
    elif kind == "other_sqlite":
        with sqlite3.connect(bad) as conn:
            conn.execute("CREATE TABLE t (x)")
    elif kind == "newer":
        shutil.copy(ledger, bad)
        with sqlite3.connect(bad) as conn:
            conn.execute("UPDATE schema_version SET version = 99")
    else:
        bad.mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    for args in (("ledger", "verify", "--ledger", bad), ("ledger", "runs", "--ledger", bad),
                 ("ledger", "show", "--ledger", bad), ("calculate", SAMPLE, "--ledger", bad, "--quiet"),
                 ("ledger", "commit", tmp_path / "r1.json", "--ledger", bad, "--by", "x")):
        res = invoke(*args, "--lang", "en")
        assert res.exit_code == 2, (kind, args, res.output)
        assert str(bad.name) in res.stderr and "Traceback" not in res.stderr + res.output
    if kind == "newer":
        assert "newer" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_missing_ledger_is_exit_2_and_created_by_nothing_but_commit(invoke: Invoke, tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    for args in (("verify",), ("runs",), ("show",), ("export", tmp_path / "x.xlsx"),
                 ("revoke", "R0001", "--by", "x", "--why", "y")):
        res = invoke("ledger", *args, "--ledger", db, "--lang", "en")
        assert res.exit_code == 2 and "No ledger at" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    res = invoke("ledger", "verify", "--lang", "en")
    assert res.exit_code == 2 and "HRCALC_LEDGER" in res.stderr


def test_an_empty_file_is_an_empty_ledger(invoke: Invoke, tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    assert invoke("ledger", "verify", "--ledger", db).exit_code == 0
    assert json.loads(invoke("ledger", "runs", "--ledger", db, "--json", "-").stdout)["runs"] == []
    doc = calc(invoke, h7(tmp_path), tmp_path / "r.json", "--ledger", db)
    assert doc["ledger"] == {"head": None, "run": None}
    assert commit(invoke, tmp_path / "r.json", db).exit_code == 0


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("setpriv") is None, reason="needs setpriv as root")
def test_a_read_only_ledger_is_read_but_never_written(ledger: Path, tmp_path: Path) -> None:
    shared = Path(os.environ.get("TMPDIR", "/tmp")) / f"hrcalc-ro-{os.getpid()}-{random.randrange(10**9)}"
    shared.mkdir(mode=0o755)
    try:
        db = shared / "ro.db"
        shutil.copy(ledger, db)
        shutil.copy(tmp_path / "r1.json", shared / "r1.json")
        sample = shared / "in.xlsx"
        shutil.copy(SAMPLE, sample)
        for p in (db, shared / "r1.json", sample):
            p.chmod(0o444)
        shared.chmod(0o555)
        assert run("ledger", "verify", "--ledger", db, cwd=shared, user=True).returncode == 0
        out = run("calculate", sample, "--ledger", db, "--json", "-", "--quiet", cwd=shared, user=True)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["ledger"]["run"] == "R0001"
        res = run("ledger", "commit", shared / "r1.json", "--ledger", db, "--by", "x", cwd=shared, user=True)
        assert res.returncode == 2
        assert "Cannot write the ledger" in res.stderr and "Traceback" not in res.stderr
    finally:
        shared.chmod(0o755)
        shutil.rmtree(shared)


def test_a_row_changed_with_sqlite_is_caught_naming_the_run(invoke: Invoke, ledger: Path, tmp_path: Path) -> None:
    calc(invoke, SAMPLE, tmp_path / "r2.json", "--ledger", ledger)
    assert commit(invoke, tmp_path / "r2.json", ledger).exit_code == 0
    assert invoke("ledger", "verify", "--ledger", ledger).exit_code == 0
    if shutil.which("sqlite3"):  # the clerk's own tool, as the issue says
        subprocess.run(["sqlite3", str(ledger), "UPDATE grants SET amount = '1.00' WHERE id = 7"], check=True)
    else:
        with sqlite3.connect(ledger) as conn:
            conn.execute("UPDATE grants SET amount = '1.00' WHERE id = 7")
    res = invoke("ledger", "verify", "--ledger", ledger, "--lang", "en")
    assert res.exit_code == 1
    assert "R0001" in res.stderr and "changed" in res.stderr


@pytest.mark.parametrize("tamper", [
    "DELETE FROM grants WHERE id = 3",
    "UPDATE entries SET by = 'someone else' WHERE run = 'R0001'",
    "UPDATE entries SET manifest = replace(manifest, 'hefei', 'xx') WHERE run = 'R0001'",
    "DELETE FROM entries WHERE run = 'R0001'",
    "INSERT INTO withheld (run, payee_id, payee_type, award, record_id, year, event_date, amount, policy, reason) "
    "VALUES ('R0001', 'x', 'institution', 'headhunting', 'r', 2025, '2025-01-01', '1.00', 'p', 'y')",
])
def test_every_kind_of_edit_breaks_the_chain(invoke: Invoke, ledger: Path, tamper: str) -> None:
    with sqlite3.connect(ledger) as conn:
        conn.execute(tamper)
    res = invoke("ledger", "verify", "--ledger", ledger, "--lang", "en")
    assert res.exit_code == 1 and "R0001" in res.stderr


def _result_at_head(base: dict[str, Any], db: Path, tag: str, out: Path, copies: int = 1) -> Path:
    """The base result as if computed against `db`'s current head (a distinct input per tag)."""
    doc = json.loads(json.dumps(base))
    head = None
    if db.exists() and db.stat().st_size:
        with sqlite3.connect(db) as conn:
            row = conn.execute("SELECT run, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
            head = None if row is None else row[1]
    doc["ledger"] = {"head": head, "run": None}
    doc["input"]["sha256"] = tag
    payees = doc["payees"]
    doc["payees"] = [dict(p, payee_id=f"{p['payee_id']}#{i}") for i in range(copies) for p in payees]
    return redigest(doc, out)


def test_two_commits_at_once_exactly_one_succeeds(invoke: Invoke, tmp_path: Path) -> None:
    base = calc(invoke, SAMPLE, tmp_path / "base.json")
    for attempt in range(2):  # into a new file (created inside the first commit), then into an existing ledger
        db = tmp_path / "L.db"
        a = _result_at_head(base, db, f"a{attempt}", tmp_path / f"a{attempt}.json", copies=20)
        b = _result_at_head(base, db, f"b{attempt}", tmp_path / f"b{attempt}.json", copies=20)
        env = {**os.environ, "HRCALC_LANG": "en"}
        procs = [subprocess.Popen([*HRCALC, "ledger", "commit", str(r), "--ledger", str(db), "--by", "x",
                                   "--lang", "en"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env) for r in (a, b)]
        outs = [(p.wait(timeout=300), p.communicate()[1]) for p in procs]
        codes = sorted(c for c, _ in outs)
        assert codes == [0, 2], outs
        refused = next(err for c, err in outs if c == 2)
        assert "the ledger has moved: recompute with --ledger" in refused
        assert len(entries(db)) == attempt + 1
        assert invoke("ledger", "verify", "--ledger", db).exit_code == 0


def kill_commits(base: dict[str, Any], db: Path, work: Path, rounds: int, seed: int,
                 copies: int = 40) -> list[str]:
    """Start a commit, SIGKILL it after a random delay; after each, verify and check all-or-none."""
    rng = random.Random(seed)
    outcomes = []
    env = {**os.environ, "HRCALC_LANG": "en"}
    # How long one commit takes here, start-up included: the kills fall anywhere inside that window.
    start = time.monotonic()
    res = _result_at_head(base, db, f"k{seed}-calibrate", work / "k.json", copies=copies)
    subprocess.run([*HRCALC, "ledger", "commit", str(res), "--ledger", str(db), "--by", "x"], env=env,
                   capture_output=True, check=True)
    window = (time.monotonic() - start) * 1.1
    for n in range(rounds):
        before = len(entries(db))
        res = _result_at_head(base, db, f"k{seed}-{n}", work / "k.json", copies=copies)
        expected = sum(1 for p in json.loads(res.read_text(encoding="utf-8"))["payees"]
                       for ln in p["awards"] if ln["amount"] != "0.00")
        proc = subprocess.Popen([*HRCALC, "ledger", "commit", str(res), "--ledger", str(db), "--by", "x"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(rng.uniform(0.0, window))
        proc.send_signal(signal.SIGKILL)
        code = proc.wait()
        check = subprocess.run([*HRCALC, "ledger", "verify", "--ledger", str(db)], capture_output=True,
                               text=True, env=env, check=False)
        assert check.returncode == 0, (n, check.stderr)
        after = entries(db)
        assert len(after) in (before, before + 1)
        if len(after) == before + 1:
            run = after[-1][0]
            with sqlite3.connect(db) as conn:
                got = conn.execute("SELECT count(*) FROM grants WHERE run = ?", (run,)).fetchone()[0]
            assert got == expected, (n, got, expected)
            outcomes.append("all" if code != 0 else "done")
        else:
            outcomes.append("none")
    return outcomes


def test_a_commit_killed_at_random_moments_leaves_all_or_none(invoke: Invoke, tmp_path: Path) -> None:
    base = calc(invoke, SAMPLE, tmp_path / "base.json")
    db = tmp_path / "L.db"
    outcomes = kill_commits(base, db, tmp_path, rounds=4, seed=13, copies=10)
    assert len(outcomes) == 4
    assert count(db, "entries") == 1 + sum(1 for o in outcomes if o != "none")  # 1: the calibrating commit
