"""The outputs of one run, staged to temporary files and committed together, or not at all.

Every output a command writes (the report, the JSON, the public list, …) goes through one
`Outputs`:

    with Outputs(force=force, inputs=(input_path,)) as outs:
        outs.claim(report)                  # before any work: may this path be written?
        ...                                 # the calculation
        outs.stage(report, lambda tmp: write_report(result, tmp))   # complete, beside it
        outs.commit()                       # every rename, signals held; then nothing can stop it

`claim` refuses, before any work: the input itself, two outputs at one path, an existing file
without --force, and anything at the path that is not a regular file (a directory, device, FIFO
or socket — even with --force). A symbolic link is refused too, naming its target: replacing the
link would leave its target stale, and writing through it would replace a file the user did not
name. `stage` writes a temporary file beside the target (same directory, so the rename is atomic)
whose name stays within the file system's limit however long the target's name is. `commit`
renames them in the order staged with SIGINT/SIGTERM/SIGHUP held (hrcalc.interrupts), so either
every output is replaced or none; after it a signal changes nothing. Leaving the `with` block
without a commit — an error, an interrupt, running out of memory — removes every temporary file
and leaves every earlier output as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from hrcalc import interrupts
from hrcalc.errors import OutputFileError
from hrcalc.i18n import msg, register

register({
    "out.is_input": ("输出文件 {path} 就是输入文件，拒绝覆盖输入", "Output {path} is the input file; "
                     "refusing to overwrite the input"),
    "out.same_target": ("两个输出指向同一个文件 {path}；请分别指定", "Two outputs name the same file {path}; "
                        "give each its own"),
    "out.exists": ("输出文件 {path} 已存在；如需覆盖请加 --force", "Output {path} already exists; "
                   "use --force to replace it"),
    "out.is_dir": ("输出路径 {path} 是一个文件夹", "Output path {path} is a directory"),
    "out.not_regular": ("输出路径 {path} 是{kind}，不是普通文件；只会替换普通文件（--force 也不例外）",
                        "Output path {path} is a {kind}, not a regular file; only regular files are "
                        "replaced, even with --force"),
    "out.symlink": ("输出路径 {path} 是指向 {target} 的符号链接；请直接指定目标文件",
                    "Output path {path} is a symbolic link to {target}; name the file itself"),
    "out.name_too_long": ("输出文件名过长（{length} 字节，此文件系统最多 {limit} 字节）：{path}",
                          "Output name too long ({length} bytes; this file system allows {limit}): {path}"),
    "out.path_too_long": ("输出路径过长（{length} 字节），超出系统限制：{path}",
                          "Output path too long ({length} bytes) for the system: {path}"),
    "out.no_dir": ("输出文件夹 {path} 不存在", "Output folder {path} does not exist"),
    "out.failed": ("无法写入 {path}：{reason}；未替换任何文件", "Cannot write {path}: {reason}; "
                   "no file was replaced"),
    "out.partial": ("无法写入 {path}：{reason}；已替换：{done}；未替换：{rest}",
                    "Cannot write {path}: {reason}; replaced: {done}; not replaced: {rest}"),
    "out.kind.device": ("设备文件", "device"),
    "out.kind.fifo": ("命名管道（FIFO）", "FIFO (named pipe)"),
    "out.kind.socket": ("套接字", "socket"),
    "out.kind.other": ("特殊文件", "special file"),
})

_TEMP_SUFFIX = ".tmp"
_RANDOM_CHARS = 8  # tempfile's random part


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def name_max(folder: Path) -> int:
    """The longest file name (in bytes) the file system holding `folder` accepts."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255


def temp_prefix(name: str, limit: int) -> str:
    """`.{name}.`, the name shortened (by whole characters) so that the temporary file's name —
    prefix, tempfile's random part and suffix — fits in `limit` bytes."""
    budget = limit - len(b"..") - _RANDOM_CHARS - len(_TEMP_SUFFIX)
    stem = name
    while stem and len(os.fsencode(stem)) > budget:
        stem = stem[:-1]
    return f".{stem}."


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "out.kind.device"
    if stat.S_ISFIFO(mode):
        return "out.kind.fifo"
    if stat.S_ISSOCK(mode):
        return "out.kind.socket"
    return "out.kind.other"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except (OSError, RuntimeError):  # RuntimeError: a loop of symbolic links
        return False


def check_target(path: Path, *, force: bool, inputs: tuple[Path, ...] = ()) -> None:
    """Refuse, before any work, a path that may not be written (see the module's docstring)."""
    for source in inputs:
        if _same_file(path, source):
            raise OutputFileError("out.is_input", path=str(path))
    length, limit = len(os.fsencode(path.name)), 255
    try:
        _check(path, force=force, length=length)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG and length > limit:
            raise OutputFileError("out.name_too_long", path=str(path), length=length, limit=limit) from None
        if exc.errno == errno.ENAMETOOLONG:  # the whole path, not its last name
            raise OutputFileError("out.path_too_long", path=str(path), length=len(os.fsencode(str(path)))) from None
        raise OutputFileError("out.failed", path=str(path), reason=_reason(exc)) from None


def _check(path: Path, *, force: bool, length: int) -> None:
    """check_target's file system tests (an OSError out of them is check_target's to name)."""
    folder = path.parent
    if not folder.is_dir():
        raise OutputFileError("out.no_dir", path=str(folder))
    limit = name_max(folder)
    if length > limit:
        raise OutputFileError("out.name_too_long", path=str(path), length=length, limit=limit)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise OutputFileError("out.symlink", path=str(path), target=os.readlink(path))
        if stat.S_ISDIR(st.st_mode):
            raise OutputFileError("out.is_dir", path=str(path))
        if not stat.S_ISREG(st.st_mode):
            raise OutputFileError("out.not_regular", path=str(path), kind=msg(_kind(st.st_mode)))
        if not force:
            raise OutputFileError("out.exists", path=str(path))
    if not os.access(folder, os.W_OK):  # before the work, not after it
        raise OutputFileError("out.failed", path=str(path), reason=os.strerror(errno.EACCES))


class Outputs:
    """The outputs of one run: claimed before any work, staged beside their targets, committed
    together at the end (see the module's docstring).

    One may open inside another (a writer that stages its own file, called to fill the outer
    one's temporary file): only the outermost commit settles the run.
    """

    _open = 0  # Outputs open in this process, outermost first

    def __init__(self, *, force: bool, inputs: tuple[Path, ...] = ()) -> None:
        self.force = force
        self.inputs = inputs
        self.claimed: list[Path] = []
        self.staged: list[tuple[Path, Path]] = []  # (temporary file, target), in commit order
        self.committed: list[Path] = []
        self.depth = 1

    def __enter__(self) -> Outputs:
        Outputs._open += 1
        self.depth = Outputs._open
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        Outputs._open -= 1
        self.discard()

    def claim(self, path: Path) -> Path:
        """Check `path` before any work is done; every output must be claimed before it is staged."""
        check_target(path, force=self.force, inputs=self.inputs)
        for other in self.claimed:
            if _same_file(path, other) or path.absolute() == other.absolute():
                raise OutputFileError("out.same_target", path=str(path))
        self.claimed.append(path)
        return path

    def stage(self, path: Path, write: Callable[[Path], None]) -> None:
        """Write the output for `path` through `write(tmp)` into a temporary file beside it.

        On any failure (or interrupt) the temporary file is removed at once and the error
        propagates; an OSError becomes an OutputFileError naming `path`.
        """
        if path not in self.claimed:
            self.claim(path)
        folder = path.parent
        with interrupts.held():  # the temporary file is known to discard() as soon as it exists
            try:
                fd, name = tempfile.mkstemp(prefix=temp_prefix(path.name, name_max(folder)),
                                            suffix=_TEMP_SUFFIX, dir=folder)
            except OSError as exc:
                raise OutputFileError("out.failed", path=str(path), reason=_reason(exc)) from None
            os.close(fd)
            tmp = Path(name)
            self.staged.append((tmp, path))
        try:
            write(tmp)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; an output is an ordinary file
        except BaseException as exc:
            self._remove(tmp)
            if isinstance(exc, OSError):
                raise OutputFileError("out.failed", path=str(path), reason=_reason(exc)) from None
            raise

    def commit(self) -> list[Path]:
        """Rename every staged file into place, in order, with signals held; then the run has
        settled (a signal changes nothing). Each target is checked again first: a file that
        appeared meanwhile (without --force) or turned into something else stops all of them."""
        with interrupts.held():
            for _tmp, path in self.staged:
                check_target(path, force=self.force, inputs=self.inputs)
            while self.staged:
                tmp, path = self.staged[0]
                try:
                    os.replace(tmp, path)
                except OSError as exc:
                    done = ", ".join(map(str, self.committed)) or "-"
                    rest = ", ".join(str(p) for _t, p in self.staged)
                    self.discard()
                    raise OutputFileError("out.partial" if self.committed else "out.failed", path=str(path),
                                          reason=_reason(exc), done=done, rest=rest) from None
                self.staged.pop(0)
                self.committed.append(path)
            if self.depth == 1:
                interrupts.settle()
        return list(self.committed)

    def discard(self) -> None:
        """Remove every temporary file not yet renamed (signals held while doing so)."""
        with interrupts.held():
            while self.staged:
                tmp, _path = self.staged.pop()
                self._remove(tmp)

    def _remove(self, tmp: Path) -> None:
        with contextlib.suppress(OSError):
            tmp.unlink()
        self.staged = [(t, p) for t, p in self.staged if t != tmp]


def write_atomic(path: Path, write: Callable[[Path], None], *, force: bool,
                 inputs: tuple[Path, ...] = ()) -> None:
    """One output on its own: claim `path`, write it through `write(tmp)`, commit it."""
    with Outputs(force=force, inputs=inputs) as outs:
        outs.claim(path)
        outs.stage(path, write)
        outs.commit()


def write_text_atomic(path: Path, text: str, *, force: bool, inputs: tuple[Path, ...] = ()) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    write_atomic(path, write, force=force, inputs=inputs)
