"""Standard output and error as a command sees them: a reader that goes away is not an error; a
closed, full or unencodable stream is named for what it is.

- A reader that stops early (`| head`): everything after is dropped quietly, the run goes on
  (its files are still written) and exits 0.
- Standard output closed before the run (`>&-`): a command that needs it refuses before any work
  (exit 2); any other failure to write it (a full disk, /dev/full, an I/O error): exit 2.
- A stream whose encoding cannot show Chinese (PYTHONIOENCODING=ascii, a legacy console code
  page): non-ASCII characters are written as backslash escapes (\\u5408), and one line on
  standard error says how to get plain text (PYTHONUTF8=1). JSON on such a stream is written
  with JSON's own \\u escapes, so it stays valid and carries the same data.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from typing import IO, cast

from hrcalc.errors import OutputFileError
from hrcalc.i18n import register

register({
    "out.stdout": ("无法写入标准输出：{reason}；未替换任何文件", "Cannot write to standard output: {reason}; "
                   "no file was replaced"),
    "out.stdout_closed": ("标准输出已关闭；请将输出重定向到文件，或加 --quiet 并用 -o/--json 指定输出文件",
                          "Standard output is closed; redirect it to a file, or use --quiet with "
                          "-o/--json FILE"),
    "out.stdout_after": ("已写入 {done}；但无法写入标准输出：{reason}",
                         "Wrote {done}, but cannot write to standard output: {reason}"),
})

_PROBE = "合肥"
_ENCODING_NOTE = ("hrcalc: this terminal's encoding ({encoding}) cannot show Chinese text, so it is "
                  "written as \\u escapes; set PYTHONUTF8=1 (or PYTHONIOENCODING=utf-8) for plain text.\n")


def can_encode(stream: IO[str] | None) -> bool:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        _PROBE.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


class Guarded(io.TextIOBase):
    """A text stream in front of sys.stdout or sys.stderr (see the module's docstring)."""

    def __init__(self, stream: IO[str] | None, *, required: bool = True) -> None:
        super().__init__()
        self.stream = stream
        self.required = required  # False for standard error: closed, it takes everything silently
        self.gone = False  # the reader went away: drop everything
        self.escaped = not can_encode(stream)
        reconfigure = getattr(stream, "reconfigure", None)
        if self.escaped and reconfigure is not None:
            reconfigure(errors="backslashreplace")

    @property
    def closed_before(self) -> bool:
        return self.stream is None

    @property
    def encoding(self) -> str:  # type: ignore[override]  # io.TextIOBase's is read-only too
        return getattr(self.stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.stream, "errors", None)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.stream is not None and self.stream.isatty()

    def fileno(self) -> int:
        if self.stream is None:
            raise io.UnsupportedOperation("standard output is closed")
        return self.stream.fileno()

    def write(self, text: str) -> int:
        if self.gone:
            return len(text)
        if self.stream is None:
            if not self.required:
                return len(text)
            raise OutputFileError("out.stdout_closed")
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            self._reader_gone()
            return len(text)
        except OSError as exc:
            return self._failed(exc)

    def flush(self) -> None:
        if self.gone or self.stream is None:
            return
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._reader_gone()
        except OSError as exc:
            self._failed(exc)

    def _failed(self, exc: OSError) -> int:
        if not self.required:  # standard error full or broken: nowhere to say so
            self.gone = True
            return 0
        raise OutputFileError("out.stdout", reason=exc.strerror or str(exc)) from None

    def _reader_gone(self) -> None:
        """Drop the rest; point the descriptor at /dev/null so the interpreter's own last flush
        of what is still buffered finds somewhere to go, instead of failing at exit."""
        self.gone = True
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation, AttributeError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, cast(IO[str], self.stream).fileno())
            os.close(null)


@contextlib.contextmanager
def guarded() -> Iterator[tuple[Guarded, Guarded]]:
    """sys.stdout and sys.stderr guarded for one command; the originals are back afterwards."""
    out_orig, err_orig = sys.stdout, sys.stderr
    out, err = Guarded(out_orig), Guarded(err_orig, required=False)
    sys.stdout, sys.stderr = cast(IO[str], out), cast(IO[str], err)
    try:
        if (out.escaped or err.escaped) and err_orig is not None:
            with contextlib.suppress(Exception):
                err.write(_ENCODING_NOTE.format(encoding=out.encoding if out.escaped else err.encoding))
        yield out, err
    finally:
        for stream in (out, err):  # the command flushed what it wrote (and failed if it could not)
            with contextlib.suppress(Exception):
                stream.flush()
        sys.stdout, sys.stderr = out_orig, err_orig


def require_stdout() -> None:
    """Refuse, before any work, a command that must write to a standard output that is closed."""
    stream = sys.stdout
    if stream is None or getattr(stream, "closed_before", False):
        raise OutputFileError("out.stdout_closed")


def fill_closed_descriptors() -> None:
    """Give descriptors 0–2, when closed, /dev/null: a file opened later must never become the
    process's standard output by accident. (Python has already set sys.stdout to None for a
    closed descriptor 1; that stays, so a command can still tell it was closed.)"""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
