"""Rendering aside in a forked child: the same text as in-process, whatever happens to the child."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hrcalc import aside as aside_mod
from hrcalc import cli
from hrcalc.aside import aside
from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "hefei-hr-2025.xlsx"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def test_a_large_text_comes_back_from_the_child() -> None:
    text = "合肥" * 3_000_000 + "end"  # far beyond a pipe's buffer
    parent = os.getpid()
    with aside(lambda: text if os.getpid() != parent else "computed here") as job:
        assert job.forked
        assert job.result() == text
        assert job.delivered


def test_a_list_of_texts_comes_back_whole() -> None:
    with aside(lambda: ["a", "合肥", ""]) as job:
        assert job.result() == ["a", "合肥", ""] and job.delivered


@pytest.mark.parametrize("failure", ["exception", "signal"])
def test_a_failed_child_means_the_text_is_computed_here(failure: str) -> None:
    parent = os.getpid()

    def compute() -> str:
        if os.getpid() != parent:
            if failure == "signal":
                os.kill(os.getpid(), signal.SIGKILL)
            raise RuntimeError("child fails")
        return "computed here"

    with aside(compute) as job:
        assert job.forked
        assert job.result() == "computed here" and not job.delivered


def test_leaving_early_stops_and_reaps_the_child() -> None:
    with pytest.raises(RuntimeError, match="report failed"), aside(lambda: "x" * 10_000_000) as job:
        pid = job.pid
        raise RuntimeError("report failed")
    assert job.pid == 0 and pid > 0
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)


def test_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with aside(lambda: "here") as job:
            assert not job.forked
            assert job.result() == "here"
    finally:
        stop.set()
        other.join()


def test_no_fork_without_memory_for_a_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aside_mod, "_room_for_a_copy", lambda: False)
    with aside(lambda: "here") as job:
        assert not job.forked and job.result() == "here"


def test_room_for_a_copy_reads_this_machine() -> None:
    assert aside_mod._room_for_a_copy() in (True, False)
    if Path("/proc/meminfo").exists():  # this test process is small: Linux has room for it twice
        assert aside_mod._room_for_a_copy()


def test_disabled_computes_here() -> None:
    with aside(lambda: "here", enabled=False) as job:
        assert not job.forked and job.result() == "here"


@pytest.mark.parametrize("json_to", ["file", "stdout", "none"])
def test_calculate_writes_the_same_json_and_steps_either_way(invoke: Invoke, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch, json_to: str) -> None:
    jobs: list[aside_mod.Aside] = []
    real = aside_mod.aside

    def spy(*args: object, **kwargs: object) -> object:
        cm = real(*args, **kwargs)  # type: ignore[arg-type]
        job = cm.__enter__()
        jobs.append(job)

        class Wrapped:
            def __enter__(self) -> aside_mod.Aside:
                return job

            def __exit__(self, *exc: object) -> object:
                return cm.__exit__(*exc)  # type: ignore[arg-type]

        return Wrapped()

    monkeypatch.setattr(aside_mod, "aside", spy)
    outputs = {}
    for threshold in (10**9, 0):  # in-process, then forked
        monkeypatch.setattr(cli, "ASIDE_MIN_LINES", threshold)
        json_arg = "-" if json_to == "stdout" else str(tmp_path / f"r{threshold}.json")
        json_opts = [] if json_to == "none" else ["--json", json_arg]
        res = invoke("calculate", SAMPLE, *json_opts, "-o", tmp_path / f"r{threshold}.xlsx", "-q")
        assert res.exit_code == 0, res.output
        if json_to != "none":
            outputs[threshold] = res.stdout if json_to == "stdout" else Path(json_arg).read_text(encoding="utf-8")
    assert [j.forked for j in jobs] == [False, True]
    assert [j.delivered for j in jobs] == [False, True]  # the JSON, or without one the steps, came from the child
    if json_to != "none":
        assert outputs[0] == outputs[10**9] and '"schema": "hrcalc.result.v1"' in outputs[0]

    def steps_of(name: str) -> list[list[object]]:
        return [[c.value for c in row] for row in load_workbook(tmp_path / name)["计算过程"].iter_rows()]

    steps = steps_of("r0.xlsx")
    assert steps == steps_of(f"r{10**9}.xlsx")
    assert len(steps) > 100 and steps[2][6].startswith("1. ")  # under the title and header rows
