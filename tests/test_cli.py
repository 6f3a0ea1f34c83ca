"""The command line as scripts and clerks meet it: exit codes 0/1/2/3, outputs, policy, help.

Everything runs the real Typer app in-process (CliRunner) on real workbooks, except one
`python -m hrcalc` run in a subprocess.

Spec: docs/commands.md (commands, options, exit codes) and docs/json.md.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer
from openpyxl import load_workbook
from typer.main import get_command
from typer.testing import Result

from hrcalc.cli import app
from hrcalc.policy import Policy
from tests.builders import build_input, code
from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "hefei-hr-2025.xlsx"

# Cells that are wrong in four different ways, on two sheets: (sheet, row, column, value).
BAD_CELLS = [
    ("placements", 2, "annual_salary", "-5"),
    ("placements", 3, "placement_date", "2025-13-01"),
    ("placements", 5, "headhunting_fee", "30万"),
    ("revenue", 2, "revenue", "-1"),
]


def small(path: Path) -> Path:
    """A valid workbook with a few awards of different kinds and one out-of-window warning."""
    return build_input(
        path,
        placements=[{"placement_id": "P1"}, {"placement_id": "P2", "annual_salary": 1_200_000,
                                              "headhunting_fee": 300_000, "urgent_need": "是"},
                    {"placement_id": "P3", "placement_date": "2026-07-01"}],
        recognitions=[{"kind": "high_tech", "reference": "高新2025"}],
        parks=[{"park_id": "PK-1", "district": "高新区", "level": "provincial_park"}],
    )


def invalid(path: Path) -> Path:
    """Two good placements (P3 and P5's neighbour P4) and the BAD_CELLS."""
    return build_input(
        path,
        placements=[{"placement_id": "P1", "annual_salary": -5}, {"placement_id": "P2", "placement_date": "2025-13-01"},
                    {"placement_id": "P3"}, {"placement_id": "P4", "headhunting_fee": "30万"}],
        revenue=[{"year": 2025, "revenue": -1}],
    )


def table_rows(text: str) -> set[tuple[str, ...]]:
    """The cells of every row of the rich tables in `text`."""
    return {tuple(cell.strip() for cell in line.split("│")[1:-1]) for line in text.splitlines() if "│" in line}


def no_traceback(res: Result) -> None:
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def json_run(invoke: Invoke, path: Path, *extra: str | Path) -> str:
    res = invoke("calculate", path, "--json", "-", "--quiet", *extra)
    assert res.exit_code == 0, res.output
    return res.stdout


# ---- exit 0 -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_json(invoke: Invoke) -> str:
    return json_run(invoke, SAMPLE)


def test_sample_pays_all_twelve_awards(sample_json: str, bundled: Policy) -> None:
    data = json.loads(sample_json)
    assert data["schema"] == "hrcalc.result.v1" and data["complete"] is True
    assert set(data["by_award"]) == set(bundled.awards) and len(bundled.awards) == 12
    assert {award: amount for award, amount in data["by_award"].items() if Decimal(amount) <= 0} == {}


def test_sample_json_is_byte_identical_twice(invoke: Invoke, sample_json: str) -> None:
    assert json_run(invoke, SAMPLE) == sample_json


def test_small_workbook_exit_0_and_json_file(invoke: Invoke, tmp_path: Path) -> None:
    path = small(tmp_path / "in.xlsx")
    out = tmp_path / "result.json"
    res = invoke("calculate", path, "--json", out, "--lang", "en")
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["complete"] is True
    assert data["by_award"]["headhunting"] == "190000.00"  # P1 40% of 100,000 + P2 50% of 300,000; P3 too late
    assert any(i["severity"] == "warning" for i in data["issues"])  # P3 is outside the window
    assert "Total awarded: " in res.stdout and "Wrote" in res.stdout


def test_report_and_json_written_together(invoke: Invoke, tmp_path: Path) -> None:
    path = small(tmp_path / "in.xlsx")
    report, out = tmp_path / "report.xlsx", tmp_path / "result.json"
    res = invoke("calculate", path, "-o", report, "--json", out, "--quiet")
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text(encoding="utf-8"))["total"] != "0.00"
    assert load_workbook(report, read_only=True).sheetnames  # a real workbook, not a half-written file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx", "report.xlsx", "result.json"]


def test_python_dash_m(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "hrcalc", "--help"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for command in ("calculate", "validate", "policy"):
        assert command in proc.stdout


# ---- exit 1: the data has errors --------------------------------------------------------------


def test_invalid_rows_exit_1_nothing_written_every_error_listed(invoke: Invoke, tmp_path: Path) -> None:
    path = invalid(tmp_path / "in.xlsx")
    json_out, report = tmp_path / "out.json", tmp_path / "out.xlsx"
    res = invoke("calculate", path, "--json", json_out, "-o", report, "--lang", "en")
    assert res.exit_code == 1, res.output
    assert not json_out.exists() and not report.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx"]  # no temporary left behind
    rows = {r[1:5] for r in table_rows(res.output) if r and r[0] == "error"}
    assert rows == {(s, str(r), c, v) for s, r, c, v in BAD_CELLS}
    assert "4 error(s)" in res.output
    no_traceback(res)


def test_invalid_rows_json_to_stdout_writes_nothing(invoke: Invoke, tmp_path: Path) -> None:
    res = invoke("calculate", invalid(tmp_path / "in.xlsx"), "--json", "-")
    assert res.exit_code == 1
    assert res.stdout == ""


def test_skip_invalid_computes_the_rest(invoke: Invoke, tmp_path: Path) -> None:
    path = invalid(tmp_path / "in.xlsx")
    out = tmp_path / "out.json"
    res = invoke("calculate", path, "--skip-invalid", "--json", out, "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "INCOMPLETE" in res.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["complete"] is False
    assert [line["record_id"] for p in data["payees"] for line in p["awards"]] == ["P3"]
    errors = {(i["sheet"], i["row"], i["column"], i["value"]) for i in data["issues"] if i["severity"] == "error"}
    assert errors == set(BAD_CELLS)


@pytest.mark.parametrize(("lang", "word"), [("zh", "不完整"), ("en", "INCOMPLETE")])
def test_skip_invalid_says_incomplete_even_quiet(invoke: Invoke, tmp_path: Path, lang: str, word: str) -> None:
    path = invalid(tmp_path / "in.xlsx")
    loud = invoke("calculate", path, "--skip-invalid", "--json", "-", "--lang", lang)
    assert loud.exit_code == 0 and word in loud.stderr and json.loads(loud.stdout)["complete"] is False
    quiet = invoke("calculate", path, "--skip-invalid", "--quiet", "--lang", lang)
    assert quiet.exit_code == 0 and word in quiet.stderr


def test_validate_exit_codes(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("validate", small(tmp_path / "ok.xlsx")).exit_code == 0
    bad = invoke("validate", invalid(tmp_path / "bad.xlsx"), "--lang", "en")
    assert bad.exit_code == 1
    assert {r[1:5] for r in table_rows(bad.stdout) if r and r[0] == "error"} == {
        (s, str(r), c, v) for s, r, c, v in BAD_CELLS}
    assert invoke("validate", tmp_path / "missing.xlsx").exit_code == 2


# ---- exit 2: usage errors and files that cannot be read or written -----------------------------


def _missing(tmp: Path) -> list[str | Path]:
    return ["calculate", tmp / "nope.xlsx"]


def _not_xlsx(tmp: Path) -> list[str | Path]:
    fake = tmp / "fake.xlsx"
    fake.write_text("credit_code,name\n", encoding="utf-8")
    return ["calculate", fake]


def _json_exists(tmp: Path) -> list[str | Path]:
    (tmp / "out.json").write_text("keep me", encoding="utf-8")
    return ["calculate", small(tmp / "in.xlsx"), "--json", tmp / "out.json"]


def _report_exists(tmp: Path) -> list[str | Path]:
    (tmp / "out.xlsx").write_text("keep me", encoding="utf-8")
    return ["calculate", small(tmp / "in.xlsx"), "-o", tmp / "out.xlsx"]


def _json_is_input(tmp: Path) -> list[str | Path]:
    return ["calculate", small(tmp / "in.xlsx"), "--json", tmp / "in.xlsx", "--force"]


def _report_is_input(tmp: Path) -> list[str | Path]:
    return ["calculate", small(tmp / "in.xlsx"), "-o", tmp / "in.xlsx", "--force"]


def _json_is_report(tmp: Path) -> list[str | Path]:
    return ["calculate", small(tmp / "in.xlsx"), "-o", tmp / "out.x", "--json", tmp / "out.x"]


def _bad_policy(tmp: Path) -> list[str | Path]:
    (tmp / "p.toml").write_text("schema = [unclosed\n", encoding="utf-8")
    return ["calculate", small(tmp / "in.xlsx"), "--policy", tmp / "p.toml"]


def _missing_policy(tmp: Path) -> list[str | Path]:
    return ["calculate", small(tmp / "in.xlsx"), "--policy", tmp / "none.toml"]


def _unknown_option(tmp: Path) -> list[str | Path]:
    return ["calculate", small(tmp / "in.xlsx"), "--no-such-option"]


USAGE_ERRORS = [
    pytest.param(_missing, "nope.xlsx", id="missing-file"),
    pytest.param(_not_xlsx, "fake.xlsx", id="not-an-xlsx"),
    pytest.param(_json_exists, "--force", id="json-target-exists"),
    pytest.param(_report_exists, "--force", id="report-target-exists"),
    pytest.param(_json_is_input, "in.xlsx", id="json-target-is-input"),
    pytest.param(_report_is_input, "in.xlsx", id="report-target-is-input"),
    pytest.param(_json_is_report, "name the same file", id="json-target-is-report"),
    pytest.param(_bad_policy, "p.toml", id="bad-policy-file"),
    pytest.param(_missing_policy, "none.toml", id="missing-policy-file"),
    pytest.param(_unknown_option, "--no-such-option", id="unknown-option"),
]


@pytest.mark.parametrize(("args", "mentions"), USAGE_ERRORS)
def test_usage_errors_exit_2(invoke: Invoke, tmp_path: Path, args: Any, mentions: str) -> None:
    argv = args(tmp_path)
    before = {p.name: sha(p) for p in tmp_path.iterdir()}
    res = invoke(*argv, "--lang", "en")
    assert res.exit_code == 2, res.output
    assert mentions in res.output
    no_traceback(res)
    assert {p.name: sha(p) for p in tmp_path.iterdir()} == before  # nothing written, nothing replaced


def test_a_year_without_events_says_so(invoke: Invoke, tmp_path: Path) -> None:
    res = invoke("calculate", small(tmp_path / "in.xlsx"), "--year", "2030", "--lang", "en", "--quiet")
    assert res.exit_code == 0, res.output
    assert "No events in 2030" in res.stderr


def test_force_replaces_an_existing_json(invoke: Invoke, tmp_path: Path) -> None:
    path = small(tmp_path / "in.xlsx")
    out = tmp_path / "out.json"
    out.write_text("old", encoding="utf-8")
    res = invoke("calculate", path, "--json", out, "--force", "--quiet")
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text(encoding="utf-8"))["complete"] is True


# ---- exit 3: a bug in hrcalc ------------------------------------------------------------------


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("planted engine failure")


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "HRCALC_DEBUG"])
def test_internal_error_exit_3(invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               debug: bool) -> None:
    from hrcalc.awards import headhunting

    monkeypatch.setattr(headhunting, "headhunting", _boom)
    res = invoke("calculate", small(tmp_path / "in.xlsx"), "--json", tmp_path / "out.json", "--lang", "en",
                 env={"HRCALC_DEBUG": "1" if debug else None})
    assert res.exit_code == 3, res.output
    assert "planted engine failure" in res.stderr and "internal error" in res.stderr
    assert not (tmp_path / "out.json").exists()
    if debug:
        assert "Traceback" in res.stderr
    else:
        no_traceback(res)
        assert len(res.stderr.strip().splitlines()) <= 3


# ---- the policy: show, export, --policy ------------------------------------------------------


def test_policy_show_lists_every_award_and_clause(invoke: Invoke, bundled: Policy) -> None:
    res = invoke("policy", "show", "--lang", "en")
    assert res.exit_code == 0, res.output
    for award_id, rule in bundled.awards.items():
        assert award_id in res.stdout
        assert rule.clause in res.stdout
    for clause in ("二(二)5", "二(五)17"):
        assert clause in res.stdout
    assert {item.clause for item in bundled.not_computable} >= {"二(二)5", "二(五)17"}


def test_exported_policy_gives_the_same_json(invoke: Invoke, tmp_path: Path, sample_json: str) -> None:
    exported = tmp_path / "policy.toml"
    res = invoke("policy", "export", exported)
    assert res.exit_code == 0, res.output
    assert json_run(invoke, SAMPLE, "--policy", exported) == sample_json
    again = invoke("policy", "export", exported)
    assert again.exit_code == 2  # exists, no --force


def _recognition_workbook(tmp_path: Path) -> Path:
    return build_input(tmp_path / "in.xlsx", recognitions=[{"credit_code": code(1), "kind": "high_tech",
                                                            "reference": "高新2025"}])


def test_changed_policy_amount_changes_the_result(invoke: Invoke, tmp_path: Path, bundled: Policy) -> None:
    exported = tmp_path / "policy.toml"
    assert invoke("policy", "export", exported).exit_code == 0
    text = exported.read_text(encoding="utf-8")
    old = bundled.awards["high_tech"].amount  # type: ignore[union-attr]
    block = text.index("[awards.high_tech]")
    at = text.index(f'amount = "{old}"', block)
    exported.write_text(text[:at] + 'amount = "123456.78"' + text[at + len(f'amount = "{old}"'):], encoding="utf-8")
    path = _recognition_workbook(tmp_path)
    bundled_run = json.loads(json_run(invoke, path))
    edited_run = json.loads(json_run(invoke, path, "--policy", exported))
    assert bundled_run["by_award"]["high_tech"] == f"{old:.2f}"
    assert edited_run["by_award"]["high_tech"] == "123456.78"


MALFORMED = [
    pytest.param(lambda t: t + "\n[awards.broken\n", "TOML", id="bad-toml"),
    pytest.param(lambda t: t.replace('line_cap = "1000000"', "line_cap = 1000000.0"), "line_cap", id="float-amount"),
    pytest.param(lambda t: t.replace('annual_cap = "2000000"\n', ""), "annual_cap", id="missing-field"),
    pytest.param(lambda t: t.replace('rate = "0.5"\ncap', 'rate = "1.5"\ncap'), "rate", id="rate-above-one"),
    pytest.param(lambda t: t.replace("effective_to = 2026-06-30", "effective_to = 2024-01-01"), "effective_to",
                 id="window-reversed"),
]


@pytest.mark.parametrize(("edit", "mentions"), MALFORMED)
@pytest.mark.parametrize("command", ["calculate", "policy show"])
def test_malformed_policy_exit_2(invoke: Invoke, tmp_path: Path, edit: Any, mentions: str, command: str) -> None:
    exported = tmp_path / "policy.toml"
    assert invoke("policy", "export", exported).exit_code == 0
    original = exported.read_text(encoding="utf-8")
    changed = edit(original)
    assert changed != original, "the edit must apply to the bundled policy text"
    exported.write_text(changed, encoding="utf-8")
    argv = ["policy", "show"] if command == "policy show" else ["calculate", small(tmp_path / "in.xlsx")]
    res = invoke(*argv, "--policy", exported, "--lang", "en")
    assert res.exit_code == 2, res.output
    assert "policy file is invalid" in res.stderr and mentions in res.stderr
    no_traceback(res)


# ---- language and help ----------------------------------------------------------------------


def test_lang_en_and_zh_messages(invoke: Invoke, tmp_path: Path) -> None:
    path = invalid(tmp_path / "in.xlsx")
    en = invoke("calculate", path, "--lang", "en")
    zh = invoke("calculate", path)
    assert en.exit_code == zh.exit_code == 1
    assert "An amount must not be negative" in en.stderr and "nothing was computed" in en.stderr
    assert "未计算" in zh.stderr and "nothing was computed" not in zh.stderr
    ok = invoke("calculate", small(tmp_path / "ok.xlsx"), "--lang", "en")
    assert "Headhunting reward" in ok.stdout and "猎头引才奖励" not in ok.stdout


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found: list[tuple[tuple[str, ...], Any]] = [(prefix, group)]
    for name, command in getattr(group, "commands", {}).items():
        found += _commands(command, (*prefix, name))
    return found


COMMANDS = _commands(get_command(app))


def test_the_walk_finds_every_command() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"calculate", "validate", "policy", "policy show", "policy export"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "hrcalc" for p, _ in COMMANDS])
def test_every_command_has_help(invoke: Invoke, path: tuple[str, ...], command: Any) -> None:
    assert (command.help or "").strip(), f"{path} has no help text"
    res = invoke(*path, "--help", env={"HRCALC_LANG": "en"})  # Chinese by default: tests/test_language.py
    assert res.exit_code == 0, res.output
    assert "Usage" in res.stdout and command.help.strip().splitlines()[0][:40] in " ".join(res.stdout.split())
    for param in command.params:
        if isinstance(param, typer.core.TyperOption) and not param.hidden:
            assert (param.help or "").strip(), f"{path} option {param.name} has no help"


def test_json_has_one_format_at_every_size(invoke: Invoke, tmp_path: Path) -> None:
    """Indented at the top level, each payee and issue one line, whatever the size; the file and
    standard output carry the same bytes, and the text is the document result_dict describes."""
    from hrcalc import api
    from hrcalc.render import jsonout

    path = small(tmp_path / "in.xlsx")
    text = invoke("calculate", path, "--json", "-", "--quiet").stdout
    assert invoke("calculate", path, "--json", tmp_path / "out.json", "--quiet").exit_code == 0
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == text
    doc = json.loads(text)
    assert doc == jsonout.result_dict(api.run(path))
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    payee_lines = [ln for ln in lines if ln.startswith('    {"payee_id"')]
    assert len(payee_lines) == len(doc["payees"]) > 0
    assert all(json.loads(ln.rstrip(",")) in doc["payees"] for ln in payee_lines)
    top = [ln for ln in lines[1:-1] if not ln.startswith("    ")]
    assert [json.loads("{" + ln.rstrip(",").rstrip("[") + ("[]}" if ln.endswith("[") else "}"))
            for ln in top if ln.startswith('  "')] and all(ln.startswith(('  "', "  ]")) for ln in top)


def test_batch_leaves_the_garbage_collector_as_it_found_it(invoke: Invoke, tmp_path: Path) -> None:
    import gc

    assert gc.isenabled()
    assert invoke("calculate", small(tmp_path / "in.xlsx"), "--quiet").exit_code == 0
    assert gc.isenabled()
