"""SIGINT, SIGTERM and SIGHUP end a run the same way, and are held while outputs are renamed.

While a command runs (`handled()`), each of the three signals raises `Interrupted` (a
KeyboardInterrupt) in the main thread, so the same cleanup runs whatever ended the run
(hrcalc.outputs removes its temporary files) and the exit code is 128 + the signal's number (130,
143, 129). Inside `held()` a signal is only recorded; it is raised when the block ends. After
`settle()` (every output is in place) a signal changes nothing: it is dropped, the run ends
normally.

Before a command starts (the interpreter starting, Typer parsing the options) the signals keep
their default effect: nothing has been written, so the process simply ends.
Signal handlers belong to the process, so this state is the process's, not a run's.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Interrupted(KeyboardInterrupt):
    """The run was ended by a signal. A KeyboardInterrupt, so whatever lets Ctrl-C through (no
    `except Exception` catches it; the reader re-raises it from calamine) treats SIGTERM and
    SIGHUP the same way."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum


class _State:
    depth = 0  # nesting of held()
    pending: list[int] = []  # noqa: RUF012 - one list for the process, on purpose
    settled = False


_STATE = _State()


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _STATE.settled:
        return
    if _STATE.depth:
        _STATE.pending.append(signum)
        return
    raise Interrupted(signum)


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Install the handlers for one command; the previous ones are back afterwards.

    Only the main thread can install handlers: elsewhere (a library call from a thread) this
    does nothing and signals keep their default effect.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[signal.Signals, Any] = {}
    _STATE.depth, _STATE.settled = 0, False
    _STATE.pending.clear()
    try:
        for sig in SIGNALS:
            previous[sig] = signal.signal(sig, _on_signal)
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _STATE.depth, _STATE.settled = 0, False
        _STATE.pending.clear()


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Record the signals that arrive inside the block; raise the first one as it ends (unless
    the run has settled meanwhile). Blocks may nest: the outermost one raises."""
    _STATE.depth += 1
    try:
        yield
    finally:
        _STATE.depth -= 1
    if not _STATE.depth and _STATE.pending and not _STATE.settled:
        raise Interrupted(_STATE.pending.pop(0))


def settle() -> None:
    """Every output is in place: from now on a signal changes nothing (the run exits 0)."""
    _STATE.settled = True
