"""Measure hrcalc end to end against the floor (fastest reader + fastest writer alone), pandas and start-up.

Every measurement is its own child process, timed from the parent (wall clock), with its own peak
resident memory taken by GNU time (or a small launcher's wait4), so peaks never mix. For each size N:

- hrcalc end to end: `hrcalc calculate FILE --json out.json -o report.xlsx --quiet --force` (the
  report only when hrcalc has a report writer; the output says which);
- read floor: python-calamine reading every sheet, every row;
- the floor (issue 12): one process in which python-calamine reads every sheet, every row, and
  xlsxwriter (constant_memory) writes a workbook of the report's shape, every sheet with the rows
  and columns the end-to-end run's report has; its time and its peak memory are the floor's;
- the pandas peer: pandas.read_excel(FILE, sheet_name=None) and DataFrame.to_excel of the same shape;
- write floors of the award lines alone, by each writer there is: xlsxwriter (constant_memory),
  openpyxl (write_only), pyexcelerate and rustpy-xlsxwriter when installed (issue 5's floor);
- pandas.read_excel(FILE, sheet_name=None) alone, with its default engine;
- openpyxl read-only, values only, all sheets: a reference for what the current reader's backend
  costs by itself.

Floor figures are the operation's own time inside its child (no interpreter start-up), so the
ratio end-to-end / floor is the strict one. Medians of --repeat runs, interleaved round by round
so other work on the machine spreads evenly. Start-up: `hrcalc --help` against
`python -c "import typer"`, medians of --startup-runs each, interleaved.

Usage (from the repository root)::

    /work/venv/bin/python bench/run.py --sizes 10000 100000 --repeat 3 --json bench/results.json
    /work/venv/bin/python bench/run.py --sizes 100000 --profile 100000     # + cProfile top-25
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import hashlib
import importlib
import io
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402  (bench/ is not a package: its sibling is found through sys.path)

# columns of the report's award-lines sheet when no report is there to count them: prior_awards' 6,
# then clause, base, rate, computed, notes, payee name and type, year
AWARD_LINE_COLUMNS = 14
WRITERS = ("xlsxwriter", "openpyxl_write", "pyexcelerate_write", "rustpy_write")
"""Write-floor candidates: the award lines alone, written by each; the fastest one measured counts."""
NAMED_WRITERS = ("xlsxwriter", "openpyxl_write")  # the two issue 5's own measurements name
SHAPED = ("floor", "pandas_peer", "xlsxwriter_report")  # steps that copy the end-to-end report's shape
STEPS = ("e2e", "calamine", *WRITERS, *SHAPED, "pandas", "openpyxl_read")
NOT_INSTALLED = 3  # a writer's child exits so when its library is missing: it is left out, not failed
HEAVY_MODULES = ("openpyxl", "numpy", "pandas", "python_calamine", "xlsxwriter", "pydantic", "rich")


# ---- children: one operation each, its own time on stdout as JSON ---------------------------


def _award_line_rows(count: int, columns: int) -> Iterator[tuple[Any, ...]]:
    """Rows shaped like the report's award lines: codes, ids, money, a date, Chinese names and notes."""
    day = dt.date(2025, 3, 1)
    for i in range(count):
        code = f"91340100MA{i % 2000:07d}X"
        note = "超过单笔上限 1,000,000.00，核减 12,345.00" if i % 10 == 0 else ""
        amount = 1000.0 + (i % 997) * 37.5
        row: tuple[Any, ...] = (
            code, "猎头引才奖励", "50万元档", f"LT2025-{i + 1:07d}", amount, day, "二(一)1", amount * 2.5, 0.4,
            amount, note, f"合肥第{i % 2000}人力资源服务有限公司", "机构", 2025,
        )
        extra = ("猎头引才", i + 3)  # beyond 14: source sheet and row, as the report writes them
        while len(row) < columns:
            row += extra[: columns - len(row)]
        yield row[:columns]


def _child_calamine(path: str) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    rows = 0
    for name in wb.sheet_names:
        for _ in wb.get_sheet_by_name(name).iter_rows():
            rows += 1
    wb.close()
    return rows


def _child_openpyxl_read(path: str) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    rows = 0
    for ws in wb.worksheets:
        for _ in ws.iter_rows(values_only=True):
            rows += 1
    wb.close()
    return rows


def _child_pandas(path: str) -> int:
    import pandas as pd

    frames = pd.read_excel(path, sheet_name=None)
    return sum(len(f) for f in frames.values())


def _xlsxwriter_sheets(out: str, shapes: Sequence[tuple[int, int]]) -> int:
    """Write one sheet per (data rows, columns) with xlsxwriter constant_memory; return the rows."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    total = 0
    for index, (count, columns) in enumerate(shapes):
        ws = wb.add_worksheet(f"奖励明细{index + 1}")
        ws.write_row(0, 0, [f"col{c}" for c in range(columns)])
        for r, row in enumerate(_award_line_rows(count, columns), start=1):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, value, date_format)
                else:
                    ws.write_number(r, c, value)
        total += count
    wb.close()
    return total


def _child_xlsxwriter(count: str, columns: str, out: str) -> int:
    return _xlsxwriter_sheets(out, [(int(count), int(columns))])


def _child_xlsxwriter_report(out: str, *shapes: str) -> int:
    """The report's whole shape ("ROWSxCOLUMNS" per sheet, header included) with the fastest writer."""
    return _xlsxwriter_sheets(out, _shapes(shapes))


def _child_openpyxl_write(count: str, columns: str, out: str) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("奖励明细")
    ws.append([f"col{c}" for c in range(int(columns))])
    rows = 0
    for row in _award_line_rows(int(count), int(columns)):
        ws.append(row)
        rows += 1
    wb.save(out)
    return rows


def _child_pyexcelerate_write(count: str, columns: str, out: str) -> int:
    try:
        from pyexcelerate import Workbook
    except ImportError:
        raise SystemExit(NOT_INSTALLED) from None
    wb = Workbook()
    rows = [[f"col{c}" for c in range(int(columns))], *_award_line_rows(int(count), int(columns))]
    wb.new_sheet("奖励明细", data=rows)
    wb.save(out)
    return len(rows) - 1


def _child_rustpy_write(count: str, columns: str, out: str) -> int:
    """rustpy-xlsxwriter: a Rust writer (rust_xlsxwriter) behind a Python binding, records as dicts."""
    try:
        import rustpy_xlsxwriter
    except ImportError:
        raise SystemExit(NOT_INSTALLED) from None
    names = [f"col{c}" for c in range(int(columns))]
    records = [dict(zip(names, row, strict=True)) for row in _award_line_rows(int(count), int(columns))]
    rustpy_xlsxwriter.FastExcel(out).sheet("奖励明细", records).save()
    return len(records)


def _shapes(shapes: Sequence[str]) -> list[tuple[int, int]]:
    """"ROWSxCOLUMNS" per sheet (header included) as (data rows, columns), empty sheets left out."""
    parsed = [(int(r) - 1, int(c)) for r, c in (shape.split("x") for shape in shapes)]
    return [(r, c) for r, c in parsed if r > 0 and c > 0]


def _child_floor(path: str, out: str, *shapes: str) -> int:
    """The floor of issue 12 in one process: calamine reads the input, xlsxwriter writes the report's shape."""
    return _child_calamine(path) + _xlsxwriter_sheets(out, _shapes(shapes))


def _child_pandas_peer(path: str, out: str, *shapes: str) -> int:
    """The pandas peer: read_excel of every sheet, then to_excel of the report's shape."""
    import pandas as pd

    frames = pd.read_excel(path, sheet_name=None)
    rows = sum(len(f) for f in frames.values())
    with pd.ExcelWriter(out) as writer:
        for index, (count, columns) in enumerate(_shapes(shapes)):
            frame = pd.DataFrame(_award_line_rows(count, columns), columns=[f"col{c}" for c in range(columns)])
            frame.to_excel(writer, sheet_name=f"奖励明细{index + 1}", index=False)
            rows += count
    return rows


CHILDREN: dict[str, Callable[..., int]] = {
    "calamine": _child_calamine,
    "openpyxl_read": _child_openpyxl_read,
    "pandas": _child_pandas,
    "xlsxwriter": _child_xlsxwriter,
    "openpyxl_write": _child_openpyxl_write,
    "pyexcelerate_write": _child_pyexcelerate_write,
    "rustpy_write": _child_rustpy_write,
    "xlsxwriter_report": _child_xlsxwriter_report,
    "floor": _child_floor,
    "pandas_peer": _child_pandas_peer,
}


def child_main(kind: str, args: Sequence[str]) -> int:
    start = time.perf_counter()
    count = CHILDREN[kind](*args)
    print(json.dumps({"op_seconds": time.perf_counter() - start, "rows": count}))
    return 0


# ---- running children -----------------------------------------------------------------------


@dataclass(slots=True)
class Sample:
    """One child process: wall time seen by the parent, its own op time if it reported one, peak RSS."""

    wall: float
    peak_mb: float
    returncode: int
    op: float | None = None
    stdout: str = ""
    stderr: str = ""
    load: float | None = None  # 1-minute load average when the child started: other work on the machine
    tree: str | None = None  # hrcalc's source as the end-to-end child started (see tree_hash)
    footprint_mb: float | None = None  # peak of the process + what the processes it forked hold (Footprint)
    children_mb: float | None = None  # the forked processes' own part of that


GNU_TIME = Path("/usr/bin/time")
# Used when GNU time is missing. A child's peak RSS must come from a small process that forked it:
# Linux carries the RSS of the process that forked/exec'd into the child's ru_maxrss, so a child
# spawned straight from this (large) process would report this process's size as its own peak.
_LAUNCHER = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execvp(sys.argv[2], sys.argv[2:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "with open(sys.argv[1], 'w') as fh:\n"
    "    fh.write(str(usage.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def peak_memory_method() -> str:
    if GNU_TIME.exists():
        return "GNU time %M (/usr/bin/time) around each child"
    return "wait4 ru_maxrss in a small launcher process around each child"


def _smaps(pid: int, fields: Sequence[str]) -> int:
    """The sum of these /proc/PID/smaps_rollup fields, in KB (0 when the process is gone)."""
    total = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in fields:
                total += int(rest.split()[0])
    return total


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError, ValueError):
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


class Footprint:
    """The memory a process tree really holds, sampled every FOOTPRINT_EVERY seconds: the measured
    process's resident size plus what each process it forked holds privately (pages it copied and
    its own allocations). GNU time's peak RSS is the larger of the two processes, not their sum,
    so it understates a run that forks (as hrcalc did before issue 11). Linux only; 0 elsewhere."""

    def __init__(self, launcher_pid: int) -> None:
        self.launcher = launcher_pid
        self.peak_kb = 0
        self.peak_children_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(FOOTPRINT_EVERY):
            # the launcher (GNU time or the small wait4 launcher) runs the measured process
            for top in _children(self.launcher):
                kids = _children(top)
                own = _smaps(top, ("Rss",))
                extra = sum(_smaps(k, ("Private_Clean", "Private_Dirty")) for k in kids)
                self.peak_kb = max(self.peak_kb, own + extra)
                self.peak_children_kb = max(self.peak_children_kb, extra)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


FOOTPRINT_EVERY = 0.2


def run_child(cmd: Sequence[str], cwd: Path, timeout: float | None = None) -> Sample:
    """Run `cmd` in its own process; time it from here and take its own peak RSS (KB → MB)
    and its tree's footprint (see Footprint)."""
    with tempfile.TemporaryDirectory(prefix="child-", dir=cwd) as tmp:
        rss_file = Path(tmp) / "maxrss"
        if GNU_TIME.exists():
            full = [str(GNU_TIME), "-f", "%M", "-o", str(rss_file), *cmd]
        else:
            full = [sys.executable, "-c", _LAUNCHER, str(rss_file), *cmd]
        env = {k: v for k, v in os.environ.items() if k != "HRCALC_DEBUG"}
        load = os.getloadavg()[0]
        with (Path(tmp) / "out").open("w+b") as out, (Path(tmp) / "err").open("w+b") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(full, cwd=cwd, stdout=out, stderr=err, env=env, start_new_session=True)
            footprint = Footprint(proc.pid)
            try:
                returncode = proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                returncode = proc.wait()
            except BaseException:  # interrupted or terminated: take the child's whole group with us
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise
            wall = time.perf_counter() - start
            footprint.stop()
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode("utf-8", "replace")
            stderr = err.read().decode("utf-8", "replace")
        peak_kb = 0
        with contextlib.suppress(OSError, ValueError, IndexError):
            # GNU time puts "Command exited with non-zero status N" above the figure
            peak_kb = int(rss_file.read_text().split()[-1])
    op = None
    if returncode == 0 and stdout.strip().startswith("{"):
        with contextlib.suppress(ValueError, KeyError):
            op = float(json.loads(stdout.strip().splitlines()[-1])["op_seconds"])
    return Sample(wall, peak_kb / 1024, returncode, op, stdout[-2000:], stderr[-2000:], load,
                  footprint_mb=max(footprint.peak_kb, peak_kb) / 1024,
                  children_mb=footprint.peak_children_kb / 1024)


def tree_hash() -> str:
    """A short hash of hrcalc's source: others may change it while a long benchmark runs."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "hrcalc").rglob("*")):
        if path.suffix in (".py", ".toml") and path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def hrcalc_cmd() -> list[str]:
    script = Path(sys.executable).parent / "hrcalc"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hrcalc"]


def python_has(module: str) -> bool:
    code = f"import importlib.util, sys; sys.exit(0 if importlib.util.find_spec({module!r}) else 1)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True).returncode == 0


def report_support() -> tuple[bool, str]:
    """Whether `hrcalc calculate -o` has a writer behind it yet (hrcalc/render/report/)."""
    code = ("import sys\ntry:\n    from hrcalc.render import report\nexcept Exception as e:\n"
            "    print(type(e).__name__, e); sys.exit(1)\n"
            "sys.exit(0 if hasattr(report, 'write_report') else 1)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode == 0:
        return True, "hrcalc.render.report.write_report found: end to end includes -o report.xlsx"
    return False, f"no report writer yet ({proc.stdout.strip() or 'write_report missing'}): JSON only"


def inspect_report(path: Path) -> tuple[dict[str, list[int]], int | None]:
    """Each sheet's (rows, columns) in the report, and the column count of its award-lines sheet:
    the sheet with a row that starts with the prior_awards headers (contract.md)."""
    from python_calamine import CalamineWorkbook

    from hrcalc.read.schema import PRIOR_AWARDS

    heads = [tuple(c.zh for c in PRIOR_AWARDS.columns)[:6], ("Payee ID", "Award", "Tier", "Record", "Amount", "Date")]
    wb = CalamineWorkbook.from_path(str(path))
    sheets: dict[str, list[int]] = {}
    line_columns = None
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        sheets[name] = [sheet.height, sheet.width]
        for row in sheet.to_python(nrows=10):
            if tuple(str(v).strip() for v in row[: len(heads[0])]) in heads:
                line_columns = sum(1 for v in row if v not in ("", None))
    wb.close()
    return sheets, line_columns


def count_award_lines(json_path: Path) -> int:
    data = json.loads(json_path.read_text(encoding="utf-8"))
    return sum(len(p["awards"]) for p in data["payees"])


# ---- statistics and results -----------------------------------------------------------------


@dataclass(slots=True)
class Step:
    """The samples of one step at one size and their medians."""

    label: str
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None

    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.returncode == 0]

    def seconds(self, use_op: bool) -> float | None:
        good = self.ok()
        if not good:
            return None
        return statistics.median((s.op if use_op and s.op is not None else s.wall) for s in good)

    def _median(self, name: str) -> float | None:
        good = [v for s in self.ok() if (v := getattr(s, name)) is not None]
        return statistics.median(good) if good else None

    def peak_mb(self) -> float | None:
        return self._median("peak_mb")

    def footprint_mb(self) -> float | None:
        return self._median("footprint_mb")

    def children_mb(self) -> float | None:
        return self._median("children_mb")


@dataclass(slots=True)
class SizeResult:
    n: int
    file: str
    file_mb: float
    award_lines: int | None = None
    report: bool = False
    report_error: str | None = None
    report_sheets: dict[str, list[int]] = field(default_factory=dict)
    line_columns: int = AWARD_LINE_COLUMNS
    steps: dict[str, Step] = field(default_factory=dict)

    def time(self, key: str) -> float | None:
        step = self.steps.get(key)
        return None if step is None else step.seconds(use_op=key != "e2e")

    def write_floor(self, writers: Sequence[str] = WRITERS) -> tuple[str | None, float | None]:
        options = [(k, self.time(k)) for k in writers]
        timed = [(k, t) for k, t in options if t is not None]
        return min(timed, key=lambda kt: kt[1]) if timed else (None, None)

    def floor(self, writers: Sequence[str] = WRITERS) -> float | None:
        read, (_, write) = self.time("calamine"), self.write_floor(writers)
        return None if read is None or write is None else read + write

    def summary(self) -> dict[str, Any]:
        e2e, floor, pandas = self.time("e2e"), self.floor(), self.time("pandas")
        writer, write = self.write_floor()
        named_writer, named_write = self.write_floor(NAMED_WRITERS)
        named_floor = self.floor(NAMED_WRITERS)
        read, shape = self.time("calamine"), self.time("xlsxwriter_report")
        floor12, peer = self.time("floor"), self.time("pandas_peer")
        e2e_step, floor_step = self.steps.get("e2e"), self.steps.get("floor")
        e2e_peak = None if e2e_step is None else e2e_step.peak_mb()
        floor_peak = None if floor_step is None else floor_step.peak_mb()
        return {
            "floor12_s": floor12, "e2e_over_floor12": None if e2e is None or not floor12 else e2e / floor12,
            "pandas_peer_s": peer, "e2e_over_pandas_peer": None if e2e is None or not peer else e2e / peer,
            "e2e_peak_mb": e2e_peak, "floor12_peak_mb": floor_peak,
            "peak_over_floor12": None if e2e_peak is None or not floor_peak else e2e_peak / floor_peak,
            "n": self.n, "file": self.file, "file_mb": round(self.file_mb, 2), "award_lines": self.award_lines,
            "report": self.report, "report_error": self.report_error, "report_sheets": self.report_sheets,
            "award_line_columns": self.line_columns, "e2e_s": e2e,
            "read_floor_s": read, "write_floor_s": write,
            "write_floor_writer": writer, "floor_s": floor,
            "e2e_over_floor": None if e2e is None or not floor else e2e / floor,
            "named_write_floor_s": named_write, "named_write_floor_writer": named_writer,
            "named_floor_s": named_floor,
            "e2e_over_named_floor": None if e2e is None or not named_floor else e2e / named_floor,
            "pandas_s": pandas, "e2e_over_pandas": None if e2e is None or not pandas else e2e / pandas,
            "e2e_us_per_placement": None if e2e is None else e2e / self.n * 1e6,
            "report_shape_floor_s": shape,
            "e2e_over_report_shape_floor": None if e2e is None or shape is None or read is None
            else e2e / (read + shape),
            "steps": {k: {"label": s.label, "median_s": s.seconds(use_op=k != "e2e"), "peak_mb": s.peak_mb(),
                          "footprint_mb": s.footprint_mb(), "children_mb": s.children_mb(),
                          "error": s.error, "samples": [asdict(x) | {"stdout": None, "stderr": x.stderr[-300:]}
                                                        for x in s.samples]}
                      for k, s in self.steps.items()},
        }


# ---- the benchmark --------------------------------------------------------------------------


def _tail(text: str, chars: int = 300) -> str:
    return " ".join(text.strip()[-chars:].split())


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def measure_size(n: int, args: argparse.Namespace, report: bool, work: Path) -> SizeResult:
    path = generate.cached(n, args.cache_dir, inline_strings=args.inline_strings, log=log)
    res = SizeResult(n, str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
                     path.stat().st_size / 1e6, report=report)
    skip = set(args.skip)
    me = [sys.executable, str(Path(__file__).resolve()), "--child"]
    json_out, report_out = work / "out.json", work / "report.xlsx"
    labels = {
        "e2e": "hrcalc calculate --json" + (" -o report.xlsx" if report else "") + " (wall, whole process)",
        "calamine": "read floor: python-calamine, all sheets",
        "xlsxwriter": "write: xlsxwriter constant_memory",
        "openpyxl_write": "write: openpyxl write_only",
        "pyexcelerate_write": "write: pyexcelerate",
        "rustpy_write": "write: rustpy-xlsxwriter (Rust)",
        "xlsxwriter_report": "write: xlsxwriter, the report's every sheet",
        "floor": "floor: calamine reads the input + xlsxwriter writes the report's shape, one process",
        "pandas_peer": "pandas peer: read_excel(sheet_name=None) + to_excel of the report's shape",
        "pandas": "pandas.read_excel(sheet_name=None), default engine",
        "openpyxl_read": "openpyxl read-only, values only (reference)",
    }
    for key in STEPS:
        if key not in skip:
            res.steps[key] = Step(labels[key])
    for round_no in range(args.repeat):
        for key, step in res.steps.items():
            if step.error is not None:
                continue
            if key == "e2e":
                cmd = [*hrcalc_cmd(), "calculate", str(path), "--json", str(json_out), "--quiet", "--force"]
                if res.report:
                    cmd += ["-o", str(report_out)]
            elif key in WRITERS:
                lines = res.award_lines if res.award_lines is not None else n
                cmd = [*me, key, str(lines), str(res.line_columns), str(work / f"{key}.xlsx")]
            elif key in SHAPED:
                if not res.report_sheets:  # no report to copy the shape of
                    step.error = "no report in this run"
                    continue
                shape = [f"{r}x{c}" for r, c in res.report_sheets.values()]
                source = [] if key == "xlsxwriter_report" else [str(path)]
                cmd = [*me, key, *source, str(work / f"{key}.xlsx"), *shape]
            else:
                cmd = [*me, key, str(path)]
            tree = tree_hash() if key == "e2e" else None
            sample = run_child(cmd, work, args.timeout)
            sample.tree = tree
            step.samples.append(sample)
            log(f"  n={n:,} round {round_no + 1}/{args.repeat} {key}: {sample.wall:.2f} s wall"
                + (f", {sample.op:.2f} s op" if sample.op is not None else "")
                + f", {sample.peak_mb:.0f} MB, exit {sample.returncode}, load {sample.load:.1f}")
            if sample.returncode == 0:
                if key == "e2e" and res.award_lines is None:
                    res.award_lines = count_award_lines(json_out)
                    if res.report:
                        res.report_sheets, columns = inspect_report(report_out)
                        res.line_columns = columns or res.line_columns
            elif key == "e2e" and res.report:
                # the report writer may be half-built: say so, and measure the JSON path from here on
                res.report, res.report_error = False, f"exit {sample.returncode}: {_tail(sample.stderr)}"
                log(f"  end to end with -o failed ({res.report_error}); measuring without the report")
                res.steps["e2e"] = Step(labels["e2e"].replace(" -o report.xlsx", "") + " — report failed")
                rerun = run_child([c for c in cmd if c not in ("-o", str(report_out))], work, args.timeout)
                rerun.tree = tree_hash()
                res.steps["e2e"].samples.append(rerun)
                if rerun.returncode == 0:
                    res.award_lines = count_award_lines(json_out)
                else:
                    res.steps["e2e"].error = f"exit {rerun.returncode}: {_tail(rerun.stderr)}"
            elif key in WRITERS and sample.returncode == NOT_INSTALLED:
                step.samples.clear()
                step.error = "not installed (pip install -r bench/requirements.txt): left out of the floor"
            else:
                step.error = f"exit {sample.returncode}: {_tail(sample.stderr)}"
    for name in ("out.json", "report.xlsx", *(f"{w}.xlsx" for w in (*SHAPED, *WRITERS))):
        (work / name).unlink(missing_ok=True)
    return res


def measure_startup(runs: int, work: Path) -> dict[str, Any]:
    """`hrcalc --help` against `python -c "import typer"` and a bare interpreter, interleaved."""
    cmds = {
        "hrcalc --help": [*hrcalc_cmd(), "--help"],
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "python -c 'pass'": [sys.executable, "-c", "pass"],
    }
    walls: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for key, cmd in cmds.items():
            walls[key].append(run_child(cmd, work).wall)
    probe = ("import atexit, sys\n"
             f"heavy = {HEAVY_MODULES!r}\n"
             "atexit.register(lambda: sys.stderr.write('HEAVY:' + ','.join(sorted({m.split('.')[0] for m in "
             "sys.modules if m.split('.')[0] in heavy})) + '\\n'))\n"
             "sys.argv = ['hrcalc', '--help']\n"
             "from hrcalc.cli import main\n"
             "main()\n")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=work, capture_output=True, text=True)
    heavy = next((line[6:] for line in proc.stderr.splitlines() if line.startswith("HEAVY:")), "?")
    medians = {k: statistics.median(v) for k, v in walls.items()}
    return {
        "runs": runs, "median_s": medians, "samples_s": walls,
        "help_over_typer": medians["hrcalc --help"] / medians["python -c 'import typer'"],
        "heavy_modules_at_help": [m for m in heavy.split(",") if m],
    }


# ---- profile --------------------------------------------------------------------------------


def _where(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    path = Path(filename)
    with contextlib.suppress(ValueError):
        path = path.relative_to(ROOT)
    if "site-packages" in path.parts:
        path = Path(*path.parts[path.parts.index("site-packages") + 1:])
    return f"{path}:{line}({name})"


@contextlib.contextmanager
def _gc_disabled() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class GcClock:
    """Time spent in the cyclic garbage collector, which cProfile does not show: with millions of
    live objects each full collection walks them all, a cost that grows faster than the input."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._start = 0.0

    def callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.collections[info["generation"]] += 1

    def summary(self) -> dict[str, float]:
        return {"seconds": self.seconds, "gen0": self.collections[0], "gen1": self.collections[1],
                "gen2": self.collections[2]}


def profile(n: int, args: argparse.Namespace, report: bool, work: Path) -> dict[str, Any]:
    """Phase times of an in-process run, then the same phases under cProfile: the calculation
    (read, calculate, JSON) ranked together, then each phase on its own (the engine's hotspots
    would otherwise drown under the reader's)."""
    import cProfile
    import pstats

    from hrcalc import api
    from hrcalc.policy import load_policy
    from hrcalc.render import jsonout

    path = generate.cached(n, args.cache_dir, inline_strings=args.inline_strings, log=log)
    write_report: Callable[..., None] | None = None
    if report:
        write_report = importlib.import_module("hrcalc.render.report").write_report

    gc_clock = GcClock()
    gc_mode = args.profile_gc
    if gc_mode == "cli":
        # the CLI may run batches without the cyclic collector; the profile must see what it sees
        batch = getattr(importlib.import_module("hrcalc.cli"), "_batch_memory", None)
        gc_mode = "off" if batch is not None else "on"

    def gc_context() -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext() if gc_mode == "on" else _gc_disabled()

    def phases(profilers: dict[str, cProfile.Profile] | None) -> dict[str, float]:
        times: dict[str, float] = {}
        state: dict[str, Any] = {}

        def read() -> None:
            state["policy"] = load_policy()
            state["records"] = api.read(path, state["policy"])

        def calculate() -> None:
            state["result"] = api.run(path, policy=state["policy"], records=state["records"], skip_invalid=True)

        def render_json() -> None:
            jsonout.render(state["result"], "zh")

        def render_report() -> None:
            assert write_report is not None
            write_report(state["result"], work / "profile-report.xlsx", lang="zh", force=True, input_path=path)

        todo = [("read", read), ("calculate", calculate), ("json", render_json)]
        if write_report is not None:
            todo.append(("report", render_report))
        for name, func in todo:
            prof = profilers.setdefault(name, cProfile.Profile()) if profilers is not None else None
            gc_clock.reset()
            start = time.perf_counter()
            if prof is not None:
                prof.runcall(func)
            else:
                func()
            times[name] = time.perf_counter() - start
            if prof is None:
                gc_times[name] = gc_clock.summary()
        (work / "profile-report.xlsx").unlink(missing_ok=True)
        return times

    tree = tree_hash()
    log(f"profile n={n:,}: plain run for phase times")
    gc_times: dict[str, dict[str, float]] = {}
    gc.callbacks.append(gc_clock.callback)
    try:
        # one setting for the whole run, as the CLI's batch: toggled per phase, the collector
        # would catch up between phases on everything allocated while it was off
        with gc_context():
            plain = phases(None)
    finally:
        gc.callbacks.remove(gc_clock.callback)
    log(f"profile n={n:,}: under cProfile")
    profilers: dict[str, cProfile.Profile] = {}
    with gc_context():
        profiled = phases(profilers)

    def ranked(names: Sequence[str], index: int, top: int) -> list[dict[str, Any]]:
        stats = pstats.Stats(profilers[names[0]], stream=io.StringIO())
        for name in names[1:]:
            stats.add(profilers[name])
        entries = stats.stats  # type: ignore[attr-defined]
        rows = sorted(entries.items(), key=lambda kv: kv[1][index], reverse=True)
        rows = [kv for kv in rows if not _where(kv[0]).startswith("bench/")][:top]
        return [{"function": _where(func), "calls": nc, "tottime_s": round(tt, 3), "cumtime_s": round(ct, 3)}
                for func, (_cc, nc, tt, ct, _callers) in rows]

    calc = ["read", "calculate", "json"]
    out: dict[str, Any] = {"n": n, "tree": tree, "gc_mode": gc_mode, "phases_s": plain,
                           "phases_profiled_s": profiled, "gc": gc_times, "rankings": {}}
    top, phase_top = args.profile_top, max(5, args.profile_top // 2)
    out["rankings"]["calculation (read + calculate + JSON), by cumulative time"] = ranked(calc, 3, top)
    out["rankings"]["calculation (read + calculate + JSON), by own time"] = ranked(calc, 2, top)
    for name in profilers:
        out["rankings"][f"{name} alone, by cumulative time"] = ranked([name], 3, phase_top)
        out["rankings"][f"{name} alone, by own time"] = ranked([name], 2, phase_top)
    return out


# ---- output ---------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem_gb = round(int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024, 1)
    versions: dict[str, str | None] = {}
    from importlib.metadata import PackageNotFoundError, version

    for pkg in ("hrcalc", "openpyxl", "python-calamine", "xlsxwriter", "pyexcelerate", "rustpy-xlsxwriter", "pandas",
                "numpy", "typer", "pydantic"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "hrcalc"], cwd=ROOT, capture_output=True, text=True)
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb, "os": platform.platform(),
        "python": platform.python_version(), "packages": versions,
        "hrcalc_commit": commit.stdout.strip() or None, "hrcalc_dirty": bool(dirty.stdout.strip()),
        "loadavg_start": list(os.getloadavg()), "generator_version": generate.GENERATOR_VERSION,
        "hrcalc_tree_start": tree_hash(),
        "peak_memory": peak_memory_method(),
    }


def _s(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def render(results: list[SizeResult], startup: dict[str, Any] | None, info: dict[str, Any],
           prof: dict[str, Any] | None) -> str:
    out: list[str] = []
    p = out.append
    p(f"machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB; Python {info['python']}; "
      f"hrcalc {info['hrcalc_commit']}{' (hrcalc/ modified)' if info['hrcalc_dirty'] else ''}, "
      f"source {info['hrcalc_tree_start']}; "
      f"load {info['loadavg_start'][0]:.2f} at start")
    p("packages: " + ", ".join(f"{k} {v}" for k, v in info["packages"].items() if v))
    trees = sorted({x.tree for r in results for st in r.steps.values() for x in st.samples if x.tree})
    if len(trees) > 1:
        p(f"! hrcalc's source changed between end-to-end samples ({len(trees)} versions: {', '.join(trees)}): "
          "the figures mix versions")
    elif trees and prof is not None and prof["tree"] != trees[0]:
        p(f"! hrcalc's source changed after the end-to-end samples ({trees[0]}): the profile ran on {prof['tree']}")
    p(f"times: medians; floor steps are the operation's own time in its child; peak memory: {info['peak_memory']}")
    for r in results:
        p("")
        lines = "? (no end-to-end run to count them)" if r.award_lines is None else f"{r.award_lines:,}"
        p(f"== {r.n:,} placements — {r.file} ({r.file_mb:.1f} MB), {lines} award lines, "
          f"report {'included' if r.report else 'NOT included'}")
        if r.report_sheets:
            total = sum(rc[0] for rc in r.report_sheets.values())
            p(f"  report: {total:,} rows in {len(r.report_sheets)} sheets (" + ", ".join(
                f"{k} {rc[0]:,}×{rc[1]}" for k, rc in r.report_sheets.items()) + ")")
        if r.report_error:
            p(f"  ! end to end with -o failed, so measured without it: {r.report_error}")
        p(f"  {'step':<64} {'median s':>9} {'min s':>7} {'max s':>7} {'peak MB':>8} {'µs/placement':>13}")
        for key, step in r.steps.items():
            t = step.seconds(use_op=key != "e2e")
            good = [(s.op if key != "e2e" and s.op is not None else s.wall) for s in step.ok()]
            label = step.label
            if key in WRITERS:
                label += f" ({r.award_lines or r.n:,} × {r.line_columns})"
            elif key == "xlsxwriter_report" and r.report_sheets:
                label += f" ({sum(rc[0] for rc in r.report_sheets.values()):,} rows)"
            p(f"  {label:<64} {_s(t):>9} {_s(min(good) if good else None):>7} {_s(max(good) if good else None):>7}"
              f" {_s(step.peak_mb(), 0):>8} {_s(None if t is None else t / r.n * 1e6, 1):>13}")
            if step.error:
                p(f"    ! {step.error}")
        e2e_step = r.steps.get("e2e")
        if e2e_step is not None and e2e_step.footprint_mb() is not None:
            p(f"  end to end's memory, process and the child it forks together (sampled every {FOOTPRINT_EVERY} s): "
              f"{_s(e2e_step.footprint_mb(), 0)} MB, of it the child's own {_s(e2e_step.children_mb(), 0)} MB "
              "(the peak MB column is GNU time's: the larger process alone)")
        loads = [x.load for st in r.steps.values() for x in st.samples if x.load is not None]
        if loads:
            p(f"  1-min load average as the samples started: median {statistics.median(loads):.1f}, "
              f"max {max(loads):.1f} ({info['cores']} cores; above that, others' work slows these figures)")
        sm = r.summary()
        if sm["floor12_s"] is not None:
            p(f"  floor (calamine read + xlsxwriter writing the report's shape) = {_s(sm['floor12_s'])} s, "
              f"peak {_s(sm['floor12_peak_mb'], 0)} MB; pandas peer = {_s(sm['pandas_peer_s'])} s")
            p(f"  end to end / floor = {_s(sm['e2e_over_floor12'])}×   end to end / pandas peer = "
              f"{_s(sm['e2e_over_pandas_peer'])}×   peak memory / floor's = {_s(sm['peak_over_floor12'])}×")
        p(f"  issue 5's floor = read {_s(sm['read_floor_s'])} s + write {_s(sm['write_floor_s'])} s "
          f"({sm['write_floor_writer']}) = {_s(sm['floor_s'])} s")
        p(f"  end to end / floor = {_s(sm['e2e_over_floor'])}×   end to end / pandas = {_s(sm['e2e_over_pandas'])}×")
        if sm["named_floor_s"] is not None and sm["named_write_floor_writer"] != sm["write_floor_writer"]:
            p(f"  with the faster of the writers the issue measured ({sm['named_write_floor_writer']}): floor "
              f"{_s(sm['named_floor_s'])} s, end to end / that = {_s(sm['e2e_over_named_floor'])}×")
        if sm["report_shape_floor_s"] is not None:
            p(f"  with the whole report's shape as the write floor: read {_s(sm['read_floor_s'])} s + "
              f"{_s(sm['report_shape_floor_s'])} s; end to end / that = {_s(sm['e2e_over_report_shape_floor'])}×")
    if len(results) > 1:
        base = results[0]
        p("")
        p(f"per-placement cost of end to end, relative to {base.n:,}:")
        bt = base.time("e2e")
        for r in results:
            t = r.time("e2e")
            per = None if t is None else t / r.n * 1e6
            rel = None if t is None or bt is None else (t / r.n) / (bt / base.n)
            p(f"  {r.n:>10,}: {_s(per, 1)} µs/placement  ({_s(rel)}×)")
    if startup is not None:
        p("")
        p(f"start-up, medians of {startup['runs']} runs:")
        for k, v in startup["median_s"].items():
            p(f"  {k:<28} {v * 1000:7.0f} ms")
        heavy = ", ".join(startup["heavy_modules_at_help"]) or "none"
        p(f"  hrcalc --help / import typer = {startup['help_over_typer']:.2f}×; heavy modules at --help: {heavy}")
    by_n = {r.n: r.summary() for r in results}
    if 100_000 in by_n and by_n[100_000]["floor12_s"] is not None:
        s = by_n[100_000]
        p("")
        p("issue 12 targets (100,000 placements):")
        p(f"  end to end ≤ 1.5× floor: {_s(s['e2e_over_floor12'])}× {_verdict(s['e2e_over_floor12'], 1.5)}")
        p(f"  end to end ≤ 0.5× pandas peer: {_s(s['e2e_over_pandas_peer'])}× "
          f"{_verdict(s['e2e_over_pandas_peer'], 0.5)}")
        p(f"  peak memory ≤ 3× the floor's: {_s(s['e2e_peak_mb'], 0)} MB / {_s(s['floor12_peak_mb'], 0)} MB = "
          f"{_s(s['peak_over_floor12'])}× {_verdict(s['peak_over_floor12'], 3.0)}")
    p("")
    p("issue 5 targets:")
    if 100_000 in by_n:
        s = by_n[100_000]
        p(f"  100k end to end ≤ 1.5× floor: {_s(s['e2e_over_floor'])}× {_verdict(s['e2e_over_floor'], 1.5)}"
          + ("" if s["report"] else " (no report in this run)")
          + (f"; against {s['named_write_floor_writer']}'s floor {_s(s['e2e_over_named_floor'])}× "
             f"{_verdict(s['e2e_over_named_floor'], 1.5)}"
             if s["named_write_floor_writer"] not in (None, s["write_floor_writer"]) else ""))
        p(f"  100k end to end < pandas.read_excel: {_s(s['e2e_s'])} s vs {_s(s['pandas_s'])} s "
          f"{_verdict(s['e2e_over_pandas'], 1.0, strict=True)}")
        if 10_000 in by_n and s["e2e_s"] and by_n[10_000]["e2e_s"]:
            ratio = s["e2e_us_per_placement"] / by_n[10_000]["e2e_us_per_placement"]
            p(f"  per-placement cost 100k / 10k ≤ 1.3: {ratio:.2f} {_verdict(ratio, 1.3)}")
    if startup is not None:
        p(f"  hrcalc --help ≤ 2× import typer: {startup['help_over_typer']:.2f}× "
          f"{_verdict(startup['help_over_typer'], 2.0)}")
    if 1_000_000 in by_n:
        s = by_n[1_000_000]
        peak = s["steps"].get("e2e", {}).get("peak_mb")
        footprint = s["steps"].get("e2e", {}).get("footprint_mb")
        p(f"  1,000,000 placements complete: {'yes' if s['e2e_s'] else 'NO'}, {_s(s['e2e_s'], 1)} s, "
          f"peak {_s(peak, 0)} MB (with the forked child's own memory: {_s(footprint, 0)} MB)")
    if prof is not None:
        p("")
        p(f"profile of an in-process run, {prof['n']:,} placements, source {prof['tree']}, cyclic gc "
          f"{prof['gc_mode']}; phase times without / with cProfile, and the collector's share without:")
        for k, v in prof["phases_s"].items():
            g = prof["gc"].get(k, {})
            p(f"  {k:<12} {v:7.2f} s   {prof['phases_profiled_s'][k]:7.2f} s   gc {g.get('seconds', 0):6.2f} s "
              f"({g.get('gen2', 0):.0f} full collections)")
        e2e = next((r.time("e2e") for r in results if r.n == prof["n"]), None)
        if e2e is not None:
            inside = sum(prof["phases_s"].values())
            p(f"  end to end {e2e:.2f} s − these phases {inside:.2f} s = {e2e - inside:.2f} s elsewhere: start-up, "
              "sha256, writing files, and whatever the CLI does between phases")
        for title, ranking in prof["rankings"].items():
            p(f"  top {len(ranking)} of the {title}:")
            p(f"    {'cum s':>7} {'own s':>7} {'calls':>10}  function")
            for e in ranking:
                p(f"    {e['cumtime_s']:7.2f} {e['tottime_s']:7.2f} {e['calls']:>10}  {e['function']}")
    return "\n".join(out)


def _verdict(value: float | None, limit: float, strict: bool = False) -> str:
    if value is None:
        return "(not measured)"
    return "PASS" if (value < limit if strict else value <= limit) else "FAIL"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        return child_main(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000], metavar="N",
                        help="placement counts (default: 10000 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step per size; medians (default 3)")
    parser.add_argument("--startup-runs", type=int, default=9, help="runs of each start-up command (default 9)")
    parser.add_argument("--skip", nargs="*", default=[], choices=[*STEPS, "startup"],
                        help="steps to leave out, e.g. --skip pandas openpyxl_read for 1,000,000")
    parser.add_argument("--no-report", action="store_true", help="measure end to end without -o even if "
                        "hrcalc has a report writer")
    parser.add_argument("--profile", type=int, metavar="N", help="also profile an in-process run at this size")
    parser.add_argument("--profile-top", type=int, default=25, metavar="K", help="functions listed in the "
                        "calculation's rankings, half as many for each phase (default 25)")
    parser.add_argument("--profile-gc", choices=["cli", "on", "off"], default="cli",
                        help="cyclic garbage collector during the profile: as the CLI runs (default), on or off")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure and sample here")
    parser.add_argument("--cache-dir", type=Path, default=generate.CACHE_DIR)
    parser.add_argument("--inline-strings", action="store_true", help="measure workbooks with inline strings "
                        "(xlsxwriter constant_memory) instead of a shared-string table as Excel saves them")
    parser.add_argument("--timeout", type=float, help="seconds before a child is killed (default: none)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.startup_runs < 1:
        parser.error("--repeat and --startup-runs must be at least 1")
    if "pandas" not in args.skip and not python_has("pandas"):
        parser.error("pandas is not installed: pip install -r bench/requirements.txt, or --skip pandas")

    # SIGTERM unwinds like Ctrl-C, so the running child is killed and the scratch folder removed
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    info = machine()
    report, why = (False, "--no-report given: JSON only") if args.no_report else report_support()
    info["report"] = why
    log(f"report: {why}")
    work = Path(tempfile.mkdtemp(prefix="hrcalc-bench-"))
    try:
        results = []
        for n in sorted(set(args.sizes)):
            results.append(measure_size(n, args, report, work))
        startup = None if "startup" in args.skip else measure_startup(args.startup_runs, work)
        prof = profile(args.profile, args, report, work) if args.profile else None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    info["loadavg_end"] = list(os.getloadavg())
    info["hrcalc_tree_end"] = tree_hash()
    print(render(results, startup, info, prof))
    if args.json is not None:
        record = {"schema": "hrcalc.bench.v1", "when": dt.datetime.now().isoformat(timespec="seconds"),
                  "command": " ".join(["bench/run.py", *argv]), "machine": info,
                  "sizes": [r.summary() for r in results], "startup": startup, "profile": prof}
        args.json.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
