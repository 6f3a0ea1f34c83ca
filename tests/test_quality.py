"""The code base's own standards: ruff and mypy clean, and no plan amount written in code."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hrcalc.policy import load_policy
from hrcalc.policy.model import Policy

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} is not installed beside {sys.executable}; install the [test] extra")
    return found


def test_ruff_clean() -> None:
    proc = subprocess.run([_tool("ruff"), "check", "hrcalc", "tests", "sample_data"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_clean() -> None:
    proc = subprocess.run([_tool("mypy"), "hrcalc"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _policy_numbers(policy: Policy) -> set[str]:
    """Every amount in the policy file written as a bare integer, e.g. 2000000."""
    numbers: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and re.fullmatch(r"\d{5,}", value):
            numbers.add(value)

    walk(policy.model_dump(mode="json"))
    return numbers


def test_no_plan_amount_in_code() -> None:
    numbers = _policy_numbers(load_policy())
    assert "2000000" in numbers and "200000" in numbers
    pattern = re.compile(r"(?<![\w.])(" + "|".join(sorted(numbers, key=len, reverse=True)) + r")(?![\w.])")
    offenders = []
    for path in (ROOT / "hrcalc").rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if pattern.search(code.replace("_", "")):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "plan amounts belong in the policy file:\n" + "\n".join(offenders)
