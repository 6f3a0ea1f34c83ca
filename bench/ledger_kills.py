"""200 `ledger commit`s killed by SIGKILL at random moments; `ledger verify` and all-or-none after each.

    .venv/bin/python bench/ledger_kills.py --rounds 200

Outside the test suite (it takes minutes); tests/test_ledger_faults.py runs a handful the same way.
Prints how many kills left the run fully committed, how many left nothing, and how many commits
finished before the kill; any failed verify or partial run stops it with the assertion's message.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_ledger_faults import kill_commits  # noqa: E402

SAMPLE = ROOT / "sample_data" / "hefei-hr-2025.xlsx"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=200)
    parser.add_argument("--copies", type=int, default=40, help="the sample's lines repeated this often per commit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = work / "base.json"
        subprocess.run([sys.executable, "-m", "hrcalc", "calculate", str(SAMPLE), "--json", str(base), "-q"],
                       check=True)
        doc = json.loads(base.read_text(encoding="utf-8"))
        db = work / "L.db"
        outcomes = kill_commits(doc, db, work, rounds=args.rounds, seed=args.seed, copies=args.copies)
        tally = collections.Counter(outcomes)
        print(f"{args.rounds} kills: verify passed after every one; "
              f"killed mid-way, fully committed: {tally['all']}; killed, nothing committed: {tally['none']}; "
              f"finished before the kill: {tally['done']}")


if __name__ == "__main__":
    main()
