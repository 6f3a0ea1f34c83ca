"""Generate a ledger of N grants (default 1,000,000) for timing `calculate --ledger` on the sample.

    .venv/bin/python bench/ledger_big.py /tmp/big.db --grants 1000000
    farm-bench -n 7 --timeout 600 --vs 'hrcalc calculate sample_data/hefei-hr-2025.xlsx --json /tmp/a.json --force -q' \
        -- hrcalc calculate sample_data/hefei-hr-2025.xlsx --ledger /tmp/big.db --json /tmp/b.json --force -q

The grants are spread over runs of 100,000 and over as many payees as a city's register could hold
(one grant in 2,000 is for a payee of the sample, so the run finds history to count); every entry is
chained as `ledger commit` chains it, so `ledger verify` passes on the file.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hrcalc.ledger.schema import migrate
from hrcalc.ledger.store import append_entry

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "hefei-hr-2025.xlsx"
AWARDS = ("headhunting", "employer_subsidy", "high_tech", "scale_up", "competition")


def sample_payees() -> list[str]:
    from hrcalc import api
    from hrcalc.ledger.history import payees_of
    from hrcalc.policy import load_policy

    return sorted(payees_of(api.read(SAMPLE, load_policy())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--grants", type=int, default=1_000_000)
    parser.add_argument("--per-run", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    if args.out.exists():
        args.out.unlink()
    rng = random.Random(args.seed)
    ours = sample_payees()
    conn = sqlite3.connect(args.out, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN IMMEDIATE")
    migrate(conn, args.out)
    made = 0
    n_run = 0
    while made < args.grants:
        size = min(args.per_run, args.grants - made)
        lines = []
        for i in range(size):
            k = made + i
            payee = ours[(k // 2000) % len(ours)] if k % 2000 == 0 else f"91340100X{k // 3:09d}"
            year = 2024 + k % 3
            lines.append((payee, "institution", AWARDS[k % len(AWARDS)], None, f"OLD-{k:08d}", year,
                          f"{year}-06-30", f"{rng.randrange(1, 500_000)}.00", "hefei-hr-services-2024"))
        n_run += 1
        append_entry(conn, kind="commit", at=f"2025-01-{n_run % 28 + 1:02d}T00:00:00+00:00", by="bench",
                      os_user="bench", note=f"generated batch {n_run}", digest=f"bench-{n_run}",
                      manifest={"input": {"file": "generated", "sha256": f"bench-{n_run}"}, "grants": size},
                      grants=lines)
        made += size
    conn.execute("COMMIT")
    conn.close()
    print(f"{args.out}: {made} grants in {n_run} runs, {args.out.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
