"""Compute values on the machine's other core while this process does something else.

`calculate -o … --json …` has pure work on the finished Result besides writing the report:
rendering the JSON (or, without --json, putting every line's steps into words for the report's
steps sheet). At 100,000 placements that takes most of a second. A forked child shares the Result
without copying it (copy-on-write), computes the value and sends it back through a pipe; the
parent writes the report meanwhile and takes the value when it needs it. The parent still writes
every file itself, in the same order as before.

It is only ever an optimisation, and it costs memory: the child touches every object it reads,
so most of the parent's pages end up copied (measured: 420 MB more at 100,000 placements, 4.9 GB
more at 1,000,000). So it runs only where the machine has room for a second copy; and wherever
fork is missing or unsafe (another thread running, such as the terminal progress bar's), or the
child fails in any way (an exception, a signal, a short read), a value is computed here instead,
by the same function.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_LENGTH_BYTES = 8


@dataclass(slots=True)
class Aside:
    """A value being computed in a child process, or (failing that) here when it is asked for.

    The value must be something marshal carries (str, bytes, numbers, lists and tuples of them).
    """

    compute: Callable[[], Any]
    pid: int = 0
    fd: int = -1
    forked: bool = False  # whether a child ran; tests use it
    delivered: bool = False  # whether the value came from the child

    def result(self) -> Any:
        """The child's value, or the same computed here if the child cannot give it (ask once)."""
        if self.pid:
            frame = self._frame()
            self.abandon()  # the child has sent all it will: reap it
            if frame is not None:
                self.delivered = True
                return marshal.loads(frame)
        return self.compute()

    def _read(self, n: int) -> bytes | None:
        parts = []
        while n:
            chunk = os.read(self.fd, min(n, 1 << 20))
            if not chunk:
                return None
            parts.append(chunk)
            n -= len(chunk)
        return b"".join(parts)

    def _frame(self) -> bytes | None:
        head = self._read(_LENGTH_BYTES)
        if head is None:
            return None
        return self._read(int.from_bytes(head, "big"))

    def abandon(self) -> None:
        """Stop the child, if one is still running, and reap it."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0


def _can_fork() -> bool:
    # a thread holding a lock at the fork would leave it held in the child forever
    return hasattr(os, "fork") and threading.active_count() == 1 and _room_for_a_copy()


def _room_for_a_copy() -> bool:
    """Whether the memory the system says is available holds twice this process (Linux's
    MemAvailable against this process's resident size): a copy, and what the child builds."""
    try:
        resident = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024 > 2 * resident
    except (OSError, ValueError, IndexError):
        pass
    return False  # not Linux, or not known: no child


def _child(compute: Callable[[], Any], write_fd: int) -> None:
    """Compute and send the value, then leave without running the parent's cleanup."""
    code = 1
    try:
        data = marshal.dumps(compute())
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(len(data).to_bytes(_LENGTH_BYTES, "big"))
            pipe.write(data)
        code = 0
    except BaseException:  # the parent computes it
        pass
    finally:
        os._exit(code)


@contextlib.contextmanager
def aside(compute: Callable[[], Any], *, enabled: bool = True) -> Iterator[Aside]:
    """Start `compute` in a forked child when `enabled` and safe; `result()` gives its value.

    Leaving the block stops a child whose value was never asked for (say, the report failed).
    """
    job = Aside(compute)
    if enabled and _can_fork():
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            pid = -1
        if pid == 0:
            os.close(read_fd)
            _child(compute, write_fd)
        if pid > 0:
            os.close(write_fd)
            job.pid, job.fd, job.forked = pid, read_fd, True
    try:
        yield job
    finally:
        job.abandon()
