"""Writing output files safely: never over the input, never over a file without --force, never half."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from hrcalc.errors import OutputFileError
from hrcalc.i18n import register

register({
    "out.is_input": ("输出文件 {path} 就是输入文件，拒绝覆盖输入", "Output {path} is the input file; "
                     "refusing to overwrite the input"),
    "out.same_target": ("--json 与 -o 指向同一个文件 {path}；请分别指定", "--json and -o name the same file {path}; "
                        "give each its own"),
    "out.exists": ("输出文件 {path} 已存在；如需覆盖请加 --force", "Output {path} already exists; "
                   "use --force to replace it"),
    "out.is_dir": ("输出路径 {path} 是一个文件夹", "Output path {path} is a directory"),
    "out.no_dir": ("输出文件夹 {path} 不存在", "Output folder {path} does not exist"),
    "out.failed": ("无法写入 {path}：{reason}", "Cannot write {path}: {reason}"),
})


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_target(path: Path, *, force: bool, inputs: tuple[Path, ...] = ()) -> None:
    """Refuse, before any work is done, an output that would overwrite the input or an existing file."""
    for source in inputs:
        if _same_file(path, source):
            raise OutputFileError("out.is_input", path=str(path))
    if path.is_dir():
        raise OutputFileError("out.is_dir", path=str(path))
    if not path.parent.exists() or not path.parent.is_dir():
        raise OutputFileError("out.no_dir", path=str(path.parent))
    if path.exists() and not force:
        raise OutputFileError("out.exists", path=str(path))


@contextlib.contextmanager
def _temp_beside(path: Path) -> Iterator[Path]:
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputFileError("out.failed", path=str(path), reason=exc.strerror or str(exc)) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_atomic(path: Path, write: Callable[[Path], None], *, force: bool,
                 inputs: tuple[Path, ...] = ()) -> None:
    """Write through `write(tmp)` to a temporary file beside `path`, then rename it into place.

    A failure at any point leaves no file at `path` and any earlier file there untouched.
    """
    check_target(path, force=force, inputs=inputs)
    with _temp_beside(path) as tmp:
        try:
            write(tmp)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is an ordinary file
            if path.exists() and not force:  # appeared while we worked
                raise OutputFileError("out.exists", path=str(path))
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputFileError("out.failed", path=str(path), reason=exc.strerror or str(exc)) from None


def write_text_atomic(path: Path, text: str, *, force: bool, inputs: tuple[Path, ...] = ()) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    write_atomic(path, write, force=force, inputs=inputs)
