"""hrcalc's own errors, each tied to the exit code contract.md documents."""

from __future__ import annotations

from typing import Any

from hrcalc.i18n import Msg, msg

EXIT_OK = 0
EXIT_DATA = 1  # the data has errors
EXIT_USAGE = 2  # usage error, or a file that cannot be read or written
EXIT_INTERNAL = 3  # a bug in hrcalc
EXIT_MEMORY = 4  # the machine ran out of memory


class HrcalcError(Exception):
    """An expected failure with a message for people and an exit code for scripts."""

    exit_code = EXIT_USAGE

    def __init__(self, message: Msg | str, **params: Any) -> None:
        self.message = message if isinstance(message, Msg) else msg(message, **params)
        super().__init__(self.message.render("en"))


class InputFileError(HrcalcError):
    """The input workbook cannot be opened or read at all."""

    exit_code = EXIT_USAGE


class OutputFileError(HrcalcError):
    """An output file cannot or may not be written."""

    exit_code = EXIT_USAGE


class UsageError(HrcalcError):
    exit_code = EXIT_USAGE


class DataError(HrcalcError):
    """The workbook was read, but its data has errors; `issues` lists every one."""

    exit_code = EXIT_DATA

    def __init__(self, message: Msg | str, issues: list[Any] | None = None, **params: Any) -> None:
        super().__init__(message, **params)
        self.issues = issues or []
