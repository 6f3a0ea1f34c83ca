"""The engine with one plan against the same work split between two plans (issue 14's bench).

    python bench/plans.py 100000 --plans 1     # the bundled plan
    python bench/plans.py 100000 --plans 2     # the same window as two plans, the second continuing the first

Both compute the same placements of bench/generate.py's workbook: with two plans the window is cut at
2025-07-01, so every stretch of the timeline, the lineage keys and both plans' rules are exercised.
The records are read once and cached (pickle) so the process is mostly the engine; `--repeat` runs
the engine more than once. Time it from outside, paired:

    farm-bench -n 7 --timeout 600 --vs 'python bench/plans.py 100000 --plans 1' -- \
        python bench/plans.py 100000 --plans 2
"""

from __future__ import annotations

import argparse
import gc
import pickle
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import CACHE_DIR, cached

from hrcalc import api
from hrcalc.engine import calculate
from hrcalc.policy import load_policy
from hrcalc.policy.model import Policy, policy_from_data
from hrcalc.policy.timeline import Timeline
from hrcalc.records import Records

CUT = date(2025, 7, 1)


def records(n: int) -> Records:
    # keyed by the record types' source: a pickle of older types would not load as today's
    import hashlib

    import hrcalc.records

    tag = hashlib.sha256(Path(hrcalc.records.__file__).read_bytes()).hexdigest()[:12]
    path = CACHE_DIR / f"records-n{n}-{tag}.pickle"
    if path.exists():
        loaded: Records = pickle.loads(path.read_bytes())
        return loaded
    got = api.read(cached(n), load_policy())
    path.write_bytes(pickle.dumps(got, protocol=pickle.HIGHEST_PROTOCOL))
    return got


def two_plans() -> list[Policy]:
    """The bundled plan as two plans meeting at CUT, the second continuing the first."""
    first = load_policy().data()
    second = load_policy().data()
    first["effective_to"] = date(CUT.year, CUT.month - 1 or 12, 30)
    second.update(id="bench-second-half", effective_from=CUT, continues=first["id"])
    return [policy_from_data(first, "first"), policy_from_data(second, "second")]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--plans", type=int, choices=(1, 2), default=1)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    recs = records(args.n)
    timeline = Timeline.of([load_policy()] if args.plans == 1 else two_plans())
    gc.disable()  # as the CLI runs a batch
    for _ in range(args.repeat):
        result = calculate(recs, timeline, today=date(2026, 1, 1))
    print(len(result.lines), sum(ln.amount for ln in result.lines), sorted({ln.policy for ln in result.lines}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
