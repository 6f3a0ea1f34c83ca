"""Faults named for what they are: outputs that commit together or not at all, targets that are
not regular files, signals, standard output that is closed, full or gone, names too long, a disk
full, memory exhausted, a terminal that cannot encode Chinese (contract.md, "Commands").

Where signals or file descriptors matter, the real program runs in a subprocess.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hrcalc.outputs import name_max, temp_prefix
from tests.builders import build_input
from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "hefei-hr-2025.xlsx"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
OLD = b"the earlier run's file"


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook whose run takes long enough (about a second) to be interrupted while writing."""
    path = tmp_path_factory.mktemp("large") / "large.xlsx"
    return build_input(path, placements=[{"placement_id": f"P{i:05d}"} for i in range(5000)])


def hrcalc(*args: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """`python -m hrcalc ARGS…` in a subprocess; both streams captured unless told otherwise."""
    if not {"stdout", "stderr"} & kwargs.keys():
        kwargs["capture_output"] = True
    return subprocess.run([sys.executable, "-m", "hrcalc", *map(str, args)], cwd=ROOT, timeout=300, **kwargs)


def temps(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def earlier(folder: Path) -> tuple[Path, Path]:
    """A report and a JSON from "an earlier run", to see that a failed run leaves them alone."""
    report, result = folder / "r.xlsx", folder / "r.json"
    report.write_bytes(OLD)
    result.write_bytes(OLD)
    return report, result


# --- targets that are not regular files -------------------------------------------------------

def _special(tmp_path: Path, kind: str) -> Iterator[Path]:
    path = tmp_path / f"target-{kind}"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        if not IS_ROOT:
            pytest.skip("making a device node needs root")
        os.mknod(path, 0o666 | 0o020000, os.makedev(1, 3))  # a character device: /dev/null's numbers
    elif kind == "socket":
        # AF_UNIX paths are short: bind in a short temporary folder, the test looks at the node
        short = Path(tempfile.mkdtemp(prefix="hs"))
        path = short / "s"
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        try:
            yield path
        finally:
            sock.close()
            path.unlink()
            short.rmdir()
        return
    elif kind == "directory":
        path.mkdir()
    yield path


@pytest.mark.parametrize("kind", ["fifo", "device", "socket", "directory"])
@pytest.mark.parametrize("option", ["--json", "-o"])
def test_a_target_that_is_not_a_regular_file_is_refused_before_any_work(
        invoke: Invoke, tmp_path: Path, kind: str, option: str) -> None:
    for target in _special(tmp_path, kind):
        before = os.lstat(target)
        # the input does not exist: refusing the target first shows no work was done
        res = invoke("calculate", tmp_path / "missing.xlsx", option, target, "--force")
        assert res.exit_code == 2, res.output
        assert str(target) in res.stderr and "missing.xlsx" not in res.stderr
        after = os.lstat(target)
        assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
        assert temps(target.parent) == []


def test_dev_null_and_dev_full_are_never_replaced(invoke: Invoke) -> None:
    for device in ("/dev/null", "/dev/full"):
        if not os.path.exists(device):
            continue
        before = os.lstat(device)
        for option in ("--json", "-o"):
            res = invoke("calculate", SAMPLE, option, device, "--force", "--quiet")
            assert res.exit_code == 2 and device in res.stderr
        assert os.lstat(device).st_rdev == before.st_rdev and not Path(device).is_file()


def test_a_symbolic_link_is_refused_naming_its_target(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_bytes(OLD)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    res = invoke("calculate", SAMPLE, "--json", link, "--force", "--lang", "en")
    assert res.exit_code == 2
    assert "symbolic link" in res.stderr and str(target) in res.stderr
    assert link.is_symlink() and target.read_bytes() == OLD


# --- names ------------------------------------------------------------------------------------

def test_a_name_too_long_is_refused_before_any_work(invoke: Invoke, tmp_path: Path) -> None:
    name = "a" * 296 + ".json"
    res = invoke("calculate", tmp_path / "missing.xlsx", "--json", tmp_path / name, "--lang", "en")
    assert res.exit_code == 2, res.output
    assert "too long" in res.stderr and "missing.xlsx" not in res.stderr and "Traceback" not in res.output


def test_a_path_too_long_is_refused_before_any_work(invoke: Invoke, tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["d"] * 2100) / "x.json"  # beyond PATH_MAX (4096 on Linux)
    res = invoke("calculate", tmp_path / "missing.xlsx", "--json", deep, "--lang", "en")
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("Output path too long") and "missing.xlsx" not in res.stderr


@pytest.mark.parametrize("name", ["b" * 237 + ".json", "合" * 83 + ".json"],
                         ids=["242 bytes", "254 bytes of Chinese"])
def test_a_legal_long_name_is_written_and_its_temporary_name_fits(invoke: Invoke, tmp_path: Path,
                                                                  name: str) -> None:
    limit = name_max(tmp_path)
    if len(os.fsencode(name)) > limit:
        pytest.skip(f"this file system allows only {limit} bytes")
    res = invoke("calculate", SAMPLE, "--json", tmp_path / name, "--quiet")
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / name).read_text(encoding="utf-8"))["schema"] == "hrcalc.result.v1"
    assert temps(tmp_path) == []


@pytest.mark.parametrize("name", ["r.xlsx", "x" * 255, "合" * 85, "é" * 127 + "x"])
def test_temporary_names_stay_within_the_limit(name: str) -> None:
    prefix = temp_prefix(name, 255)
    assert len(os.fsencode(prefix + "12345678.tmp")) <= 255
    assert prefix.startswith(".") and name.startswith(prefix[1:-1])


# --- one commit for all outputs -----------------------------------------------------------------

def test_a_failed_json_leaves_the_earlier_report_alone(invoke: Invoke, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The report is complete before the JSON fails, yet it is not put in place: both stay old."""
    from hrcalc.render import jsonout

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jsonout, "write_file", full)
    report, result = earlier(tmp_path)
    res = invoke("calculate", SAMPLE, "-o", report, "--json", result, "--force", "--lang", "en")
    assert res.exit_code == 2
    assert "No space left on device" in res.stderr and "no file was replaced" in res.stderr
    assert report.read_bytes() == OLD and result.read_bytes() == OLD and temps(tmp_path) == []


def test_outputs_are_committed_together(invoke: Invoke, tmp_path: Path) -> None:
    report, result = earlier(tmp_path)
    res = invoke("calculate", SAMPLE, "-o", report, "--json", result, "--force")
    assert res.exit_code == 0, res.output
    assert report.read_bytes()[:2] == b"PK" and json.loads(result.read_bytes())["complete"] is True
    assert temps(tmp_path) == []
    assert res.stdout.index(f"已写入 {report}") < res.stdout.index(f"已写入 {result}")


def test_a_rename_that_fails_midway_says_what_was_and_was_not_replaced(
        invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hrcalc.outputs

    real = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if str(dst).endswith(".json"):
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(hrcalc.outputs.os, "replace", replace)
    report, result = earlier(tmp_path)
    res = invoke("calculate", SAMPLE, "-o", report, "--json", result, "--force", "--lang", "en")
    assert res.exit_code == 2
    assert f"replaced: {report}; not replaced: {result}" in res.stderr
    assert report.read_bytes()[:2] == b"PK" and result.read_bytes() == OLD and temps(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=lambda s: signal.Signals(s).name)
def test_a_signal_during_the_renames_is_held_and_then_changes_nothing(
        invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sig: int) -> None:
    """The signal arrives as the first output is renamed: the second is renamed too, and since
    both are then in place the run ends normally (exit 0)."""
    import hrcalc.outputs

    real = os.replace
    sent: list[str] = []

    def replace(src: str | Path, dst: str | Path) -> None:
        if not sent and not str(dst).endswith(".tmp"):  # not the report writer's own rename
            sent.append(str(dst))
            os.kill(os.getpid(), sig)
            time.sleep(0.05)  # the handler runs here, in the middle of the commit
        real(src, dst)

    monkeypatch.setattr(hrcalc.outputs.os, "replace", replace)
    report, result = earlier(tmp_path)
    res = invoke("calculate", SAMPLE, "-o", report, "--json", result, "--force", "--quiet")
    assert sent == [str(report)]
    assert res.exit_code == 0, res.output
    assert report.read_bytes()[:2] == b"PK" and json.loads(result.read_bytes())["complete"] is True
    assert temps(tmp_path) == []


@pytest.mark.parametrize("command", [("template",), ("policy", "export")], ids=" ".join)
def test_every_writer_refuses_a_fifo(invoke: Invoke, tmp_path: Path, command: tuple[str, ...]) -> None:
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    res = invoke(*command, fifo, "--force")
    assert res.exit_code == 2 and "FIFO" in invoke(*command, fifo, "--force", "--lang", "en").stderr
    assert Path(fifo).is_fifo() and temps(tmp_path) == []


@contextlib.contextmanager
def small_disk(tmp_path: Path, size: str) -> Iterator[Path]:
    if not IS_ROOT:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                          capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_disk_that_holds_the_report_but_not_the_json(large: Path, tmp_path: Path) -> None:
    with small_disk(tmp_path, "1m") as disk:
        report, result = earlier(disk)
        proc = hrcalc("calculate", large, "-o", report, "--json", result, "--force", "--quiet", "--lang", "en")
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.decode().strip().splitlines()
        assert len(lines) == 1 and "No space left" in lines[0] and "no file was replaced" in lines[0]
        assert report.read_bytes() == OLD and result.read_bytes() == OLD and temps(disk) == []


# --- signals --------------------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)],
                         ids=lambda s: signal.Signals(s).name)
def test_a_signal_when_the_json_temporary_file_appears(large: Path, tmp_path: Path, sig: int) -> None:
    """The report is staged, the JSON is being written: the signal removes both temporary files,
    replaces nothing, says so in one line and exits 128 + its number."""
    caught = 0
    for _attempt in range(8):
        report, result = earlier(tmp_path)
        proc = subprocess.Popen([sys.executable, "-m", "hrcalc", "calculate", str(large), "-o", str(report),
                                 "--json", str(result), "--force", "--quiet", "--lang", "en"],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        while proc.poll() is None and not any(n.startswith(".r.json.") for n in temps(tmp_path)):
            time.sleep(0.0005)
        if proc.poll() is None:
            proc.send_signal(sig)
        _out, err = proc.communicate(timeout=120)
        assert temps(tmp_path) == []
        if proc.returncode == 0:  # it finished first: both new
            assert report.read_bytes()[:2] == b"PK" and json.loads(result.read_bytes())
            continue
        assert proc.returncode == 128 + sig, err
        assert err.decode().strip().splitlines() == [f"Interrupted ({signal.Signals(sig).name}); no file was replaced"]
        assert report.read_bytes() == OLD and result.read_bytes() == OLD
        caught += 1
        if caught == 2:
            break
    assert caught, "the run always finished before the JSON's temporary file was seen"


# --- standard output ------------------------------------------------------------------------------

def test_stdout_closed_before_the_run(tmp_path: Path) -> None:
    report = tmp_path / "r.xlsx"
    proc = hrcalc("calculate", SAMPLE, "-o", report, "--lang", "en", stdout=None,
                  stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
    assert proc.returncode == 2
    assert proc.stderr.decode().strip().splitlines() == [
        "Standard output is closed; redirect it to a file, or use --quiet with -o/--json FILE"]
    assert not report.exists() and temps(tmp_path) == []


def test_stdout_and_stderr_closed_is_not_a_data_error() -> None:
    def close_both() -> None:
        os.close(1)
        os.close(2)

    proc = hrcalc("calculate", SAMPLE, preexec_fn=close_both)
    assert proc.returncode == 2


def test_stdout_closed_is_fine_when_nothing_goes_there(tmp_path: Path) -> None:
    report = tmp_path / "r.xlsx"
    proc = hrcalc("calculate", SAMPLE, "-o", report, "--quiet", stderr=subprocess.PIPE,
                  preexec_fn=lambda: os.close(1))
    assert proc.returncode == 0, proc.stderr
    assert report.read_bytes()[:2] == b"PK"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("args", [(), ("--json", "-", "--quiet")], ids=["summary", "json"])
def test_a_full_stdout_replaces_nothing(tmp_path: Path, args: tuple[str, ...]) -> None:
    report, _ = earlier(tmp_path)
    with open("/dev/full", "wb") as full:
        proc = hrcalc("calculate", SAMPLE, "-o", report, "--force", "--lang", "en", *args,
                      stdout=full, stderr=subprocess.PIPE)
    assert proc.returncode == 2
    lines = proc.stderr.decode().strip().splitlines()
    assert lines == ["Cannot write to standard output: No space left on device; no file was replaced"]
    assert report.read_bytes() == OLD and temps(tmp_path) == []


@pytest.mark.parametrize("args", [(), ("--json", "-")], ids=["summary", "json"])
def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    """`| head -1`: exit 0, nothing on stderr about it, and the files are still written."""
    report = tmp_path / "r.xlsx"
    proc = subprocess.Popen([sys.executable, "-m", "hrcalc", "calculate", str(SAMPLE), "-o", str(report),
                             *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0, err
    assert first.strip() and b"Error" not in err and b"Traceback" not in err
    assert report.read_bytes()[:2] == b"PK"


def test_a_reader_gone_before_the_first_write(tmp_path: Path) -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        proc = hrcalc("calculate", SAMPLE, "--json", "-", stdout=write, stderr=subprocess.PIPE)
    finally:
        os.close(write)
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr and b"BrokenPipe" not in proc.stderr


def test_a_terminal_that_cannot_encode_chinese(tmp_path: Path) -> None:
    """Escaped text, one line saying how to get plain text, exit 0, and the files complete."""
    report, result = tmp_path / "r.xlsx", tmp_path / "r.json"
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    env.pop("PYTHONUTF8", None)
    proc = hrcalc("calculate", SAMPLE, "-o", report, "--json", result, env=env)
    assert proc.returncode == 0, proc.stderr
    proc.stdout.decode("ascii")  # nothing but ASCII reached the terminal
    assert "\\u5956" in proc.stdout.decode() and b"PYTHONUTF8" in proc.stderr
    assert json.loads(result.read_text(encoding="utf-8"))["complete"] is True
    piped = hrcalc("calculate", SAMPLE, "--json", "-", "--quiet", env=env)
    assert piped.returncode == 0
    assert json.loads(piped.stdout.decode("ascii")) == json.loads(result.read_text(encoding="utf-8"))


# --- memory ---------------------------------------------------------------------------------------

_LIMITED = """
import resource, sys
from hrcalc import cli
size = int(next(l for l in open("/proc/self/status") if l.startswith("VmSize")).split()[1]) * 1024
resource.setrlimit(resource.RLIMIT_AS, (size + 100 * 2**20, resource.RLIM_INFINITY))
sys.argv = ["hrcalc", *sys.argv[1:]]
cli.main()
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_out_of_memory_is_exit_4_and_nothing_written(large: Path, tmp_path: Path) -> None:
    """The address space is limited to what the program had at start plus 100 MiB (the run
    needs several times that): exit 4, one line, the earlier files as they were."""
    report, result = earlier(tmp_path)
    proc = subprocess.run([sys.executable, "-c", _LIMITED, "calculate", str(large), "-o", str(report),
                           "--json", str(result), "--force", "--quiet", "--lang", "en"],
                          cwd=ROOT, capture_output=True, timeout=300)
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.decode().strip().splitlines() == [
        "Not enough memory; no file was replaced. Run on a machine with more memory, or in smaller batches"]
    assert report.read_bytes() == OLD and result.read_bytes() == OLD and temps(tmp_path) == []
