"""Compute a text on the machine's other core while this process does something else.

`calculate --json … -o …` renders the JSON while it writes the report: both are pure work on
the finished Result, and at 100,000 placements the JSON alone takes most of a second. A forked
child shares the Result without copying it (copy-on-write), renders, and sends the text back
through a pipe; the parent writes the file itself, after the report, exactly as before, so what
is written and when does not change.

It is only ever an optimisation. Wherever fork is missing or unsafe (another thread running,
such as the terminal progress bar's), or the child fails in any way (an exception, a signal, a
short read), the text is computed here instead, by the same function.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_LENGTH_BYTES = 8


@dataclass(slots=True)
class Aside:
    """A text being computed, in a child process or (failing that) on demand here."""

    compute: Callable[[], str]
    pid: int = 0
    fd: int = -1
    forked: bool = False  # whether a child ran; tests use it

    def result(self) -> str:
        """The child's text, or the same text computed here if the child did not deliver it."""
        if self.pid == 0:
            return self.compute()
        data = self._collect()
        if data is not None:
            return data.decode("utf-8")
        return self.compute()

    def _collect(self) -> bytes | None:
        chunks = []
        with os.fdopen(self.fd, "rb") as pipe:
            self.fd = -1
            while chunk := pipe.read(1 << 20):
                chunks.append(chunk)
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        data = b"".join(chunks)
        if status != 0 or len(data) < _LENGTH_BYTES:
            return None
        if int.from_bytes(data[:_LENGTH_BYTES], "big") != len(data) - _LENGTH_BYTES:
            return None
        return data[_LENGTH_BYTES:]

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
    return hasattr(os, "fork") and threading.active_count() == 1


@contextlib.contextmanager
def aside(compute: Callable[[], str], *, enabled: bool = True) -> Iterator[Aside]:
    """Start `compute` in a forked child when `enabled` and safe; `result()` gives its text.

    Leaving the block stops a child whose text was never asked for (say, the report failed).
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
        if pid == 0:  # the child: compute, send, and leave without running the parent's cleanup
            code = 1
            try:
                os.close(read_fd)
                data = compute().encode("utf-8")
                with os.fdopen(write_fd, "wb") as pipe:
                    pipe.write(len(data).to_bytes(_LENGTH_BYTES, "big"))
                    pipe.write(data)
                code = 0
            except BaseException:  # the parent computes the text itself
                pass
            finally:
                os._exit(code)
        if pid > 0:
            os.close(write_fd)
            job.pid, job.fd, job.forked = pid, read_fd, True
    try:
        yield job
    finally:
        job.abandon()
