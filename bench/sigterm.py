"""SIGTERM at evenly spaced moments of a run: never a temporary file, never a mixed pair of outputs.

Issue 11's harness. It times an undisturbed `hrcalc calculate FILE -o r.xlsx --json r.json`
(the median of --repeat runs), then, for k = 1 … --moments, starts the same run over the outputs
of an earlier run (the sample workbook's), sends SIGTERM after k/(moments+1) of that time and
checks what is on disk once the process has ended:

- no temporary file (`.*.tmp`) beside the outputs;
- the report and the JSON are either both the earlier ones, byte for byte, or both the new run's
  (the JSON byte for byte the undisturbed run's; the report a complete workbook: a valid zip with
  the same sheets as the undisturbed run's);
- the exit code is 143 when the earlier outputs stayed (or death by SIGTERM, when it came before
  the interpreter had started hrcalc), 0 when the new ones are in place.

Usage::

    .venv/bin/python bench/sigterm.py [--size 10000] [--moments 10] [--json results.json]
    .venv/bin/python bench/sigterm.py --workbook bench/.cache/bench-v2-n10000.xlsx
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "hefei-hr-2025.xlsx"


def run(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "hrcalc", "calculate", *args], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def sheets(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        if zf.testzip() is not None:
            raise zipfile.BadZipFile(f"{path}: a damaged member")
        return sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=10_000, help="placements (bench/generate.py)")
    ap.add_argument("--moments", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3, help="undisturbed runs to time")
    ap.add_argument("--json", type=Path, help="write every outcome here")
    ap.add_argument("--workbook", type=Path, help="this workbook instead of bench/generate.py's for --size")
    opts = ap.parse_args()

    workbook = opts.workbook.resolve() if opts.workbook else None
    if workbook is None:
        sys.path.insert(0, str(ROOT / "bench"))
        from generate import cached  # the generator needs xlsxwriter (bench/requirements.txt)

        workbook = cached(opts.size)
    work = Path(tempfile.mkdtemp(prefix="hrcalc-sigterm-"))
    env_args = ["-o", "r.xlsx", "--json", "r.json", "--force", "--quiet"]
    try:
        # the undisturbed run: its duration and its outputs
        ref = work / "ref"
        ref.mkdir()
        times = []
        for _ in range(opts.repeat):
            t0 = time.perf_counter()
            proc = run([str(workbook), *env_args], ref)
            _, err = proc.communicate()
            times.append(time.perf_counter() - t0)
            assert proc.returncode == 0, err.decode()
        duration = statistics.median(times)
        ref_json = (ref / "r.json").read_bytes()
        ref_sheets = sheets(ref / "r.xlsx")
        # the earlier run's outputs
        old = work / "old"
        old.mkdir()
        proc = run([str(SAMPLE), *env_args], old)
        assert proc.wait() == 0
        old_report, old_json = (old / "r.xlsx").read_bytes(), (old / "r.json").read_bytes()

        outcomes = []
        failures = 0
        print(f"{opts.size:,} placements; undisturbed run {duration:.2f} s (median of {opts.repeat})")
        print(f"{'k':>3} {'at (s)':>7} {'exit':>5} {'temp files':>10}  on disk")
        for k in range(1, opts.moments + 1):
            here = work / f"k{k}"
            here.mkdir()
            (here / "r.xlsx").write_bytes(old_report)
            (here / "r.json").write_bytes(old_json)
            at = duration * k / (opts.moments + 1)
            proc = run([str(workbook), *env_args], here)
            time.sleep(at)
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate()
            leftovers = [p.name for p in here.iterdir() if p.name.endswith(".tmp")]
            report, result = (here / "r.xlsx").read_bytes(), (here / "r.json").read_bytes()
            if report == old_report and result == old_json:
                # -SIGTERM: the signal came while the interpreter was starting, before hrcalc's
                # handlers were installed; the shell shows that as 143 too
                state, ok = "both earlier", proc.returncode in (128 + signal.SIGTERM, -signal.SIGTERM)
            elif result == ref_json and report != old_report and sheets(here / "r.xlsx") == ref_sheets:
                state, ok = "both new", proc.returncode == 0
            else:
                state, ok = "MIXED", False
            ok = ok and not leftovers
            failures += not ok
            print(f"{k:>3} {at:>7.2f} {proc.returncode:>5} {len(leftovers):>10}  {state}"
                  f"{'' if ok else '  <-- FAIL'}  {err.decode().strip()}")
            outcomes.append({"k": k, "at_s": round(at, 3), "exit": proc.returncode, "temp_files": leftovers,
                             "state": state, "ok": ok, "stderr": err.decode().strip()})
        print("all consistent" if not failures else f"{failures} inconsistent")
        if opts.json:
            opts.json.write_text(json.dumps({"size": opts.size, "duration_s": duration, "outcomes": outcomes},
                                            ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
