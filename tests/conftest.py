"""Shared fixtures for the calculation tests: the bundled policy and the real CLI behind a runner."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from hrcalc.cli import app
from hrcalc.policy import Policy, load_policy

Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def _chinese_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts where a clerk's machine does without settings: no HRCALC_LANG, a
    locale that names no language (hrcalc.clilang picks Chinese); a test sets them when it means to."""
    for name in ("HRCALC_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(scope="session")
def bundled() -> Policy:
    """The bundled policy, so tests read thresholds, rates and caps instead of repeating them."""
    return load_policy()


@pytest.fixture(scope="session")
def invoke() -> Invoke:
    """Run `hrcalc ARGS…` in-process through Typer's CliRunner (stdout and stderr kept apart)."""
    runner = CliRunner()

    def run(*args: str | Path, env: Mapping[str, str | None] | None = None) -> Result:
        return runner.invoke(app, [str(a) for a in args], env=env)

    return run
