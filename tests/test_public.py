"""`calculate --public`: the 公示 list exactly as rulings.md defines it, the leak test (no salary, fee,
placement id, tier or talent class anywhere in the file), and honest outputs: a run that writes
nothing says so, an output named for another format is refused before any work.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.builders import EMPLOYER, build_input, code
from tests.conftest import Invoke
from tests.test_report import SAMPLE, money, table


def run_public(invoke: Invoke, source: Path, tmp: Path, *extra: str) -> tuple[dict[str, Any], Path]:
    out, public = tmp / "r.json", tmp / "list.xlsx"
    res = invoke("calculate", source, "--json", out, "--public", public, "-q", *extra)
    assert res.exit_code == 0, res.output
    return json.loads(out.read_text(encoding="utf-8")), public


def test_public_list_is_one_row_per_payee_award_and_year(invoke: Invoke, tmp_path: Path) -> None:
    data, public = run_public(invoke, SAMPLE, tmp_path)
    wb = load_workbook(public)
    assert len(wb.sheetnames) == 1 and wb.sheetnames[0] == "公示名单"
    header, rows = table(wb.worksheets[0], totals=True)
    assert header == ["受奖主体", "统一社会信用代码或区域", "类型", "奖励项目", "条款", "年度", "金额（元）"]
    *rows, totals = rows
    expected: dict[tuple[str, str, int], Decimal] = defaultdict(Decimal)
    names, clauses = {}, {}
    for p in data["payees"]:
        names[p["payee_id"]] = p["name"]
        for a in p["awards"]:
            expected[(p["payee_id"], a["award"], a["year"])] += Decimal(a["amount"])
            clauses[a["award"]] = a["clause"]
    from hrcalc.policy import load_policy

    award_of = {load_policy().award_name(a, "zh"): a for a in load_policy().awards}
    got = {(r[1], award_of[r[3]], r[5]): money(r[6]) for r in rows}
    assert got == {k: v for k, v in expected.items() if v > 0}
    assert len(got) == len(rows)  # one row each
    assert all(r[0] == names[r[1]] and r[4] == clauses[award_of[r[3]]] for r in rows)
    assert totals[0] == "合计" and money(totals[6]) == Decimal(data["total"])


def test_public_list_in_english(invoke: Invoke, tmp_path: Path) -> None:
    _, public = run_public(invoke, SAMPLE, tmp_path, "--lang", "en")
    header, _ = table(load_workbook(public).worksheets[0])
    assert header == ["Payee", "Credit code or district", "Type", "Award", "Clause", "Year", "Amount (yuan)"]


SECRET_SALARY = 987_654.32
SECRET_FEE = 123_457.89
SECRET_IDS = ("PLACEMENT-SECRET-0001", "PLACEMENT-SECRET-0002", "PLACEMENT-SECRET-0003")


def test_the_public_list_leaks_nothing_about_placements(invoke: Invoke, tmp_path: Path) -> None:
    """Distinctive salaries, fees, placement ids and talent classes: none appears in any part of the
    file (every zip member searched, as text and as the digits of the numbers)."""
    path = build_input(tmp_path / "in.xlsx", placements=[
        {"placement_id": SECRET_IDS[0], "annual_salary": SECRET_SALARY, "headhunting_fee": SECRET_FEE,
         "urgent_need": "是", "other_policy_amount": 1_111.11},
        {"placement_id": SECRET_IDS[1], "annual_salary": 876_543.21, "headhunting_fee": 98_765.43,
         "talent_class": "A", "key_enterprise": "否"},
        {"placement_id": SECRET_IDS[2], "annual_salary": 765_432.19, "headhunting_fee": 87_654.31,
         "talent_class": "B", "credit_code": code(2)},
    ])
    data, public = run_public(invoke, path, tmp_path)
    lines = [a for p in data["payees"] for a in p["awards"]]
    assert {a["record_id"] for a in lines} == set(SECRET_IDS)  # the placements earned lines
    assert any(a["tier"] == "talent_class_ab" for a in lines)
    secrets = [*SECRET_IDS, "PLACEMENT-SECRET", "987654", "987,654", "876543", "876,543", "765432", "765,432",
               "123457", "123,457", "98765.43", "98,765.43", "87654.31", "87,654.31", "1111.11", "1,111.11",
               "talent_class", "A/B类", "人才类别", "30万元档", "50万元档", "100万元档", "salary_", "年税前薪酬",
               "猎头服务费", "计算基数", "比例"]
    rates = {str(a["rate"]) for a in lines if a["rate"]}
    with zipfile.ZipFile(public) as z:
        parts = {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}
    for name, text in parts.items():
        for secret in secrets:
            assert secret not in text, (name, secret)
        if name.startswith("xl/worksheets/"):
            for rate in rates:
                assert f"<v>{rate}</v>" not in text, (name, rate)
    amounts = [Decimal(a["amount"]) for a in lines]
    assert amounts and sum(amounts) > 0  # the list is not empty: it names who gets what
    assert EMPLOYER in parts["xl/worksheets/sheet1.xml"] or any(EMPLOYER in t for t in parts.values())


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_public_list_of_the_sample_opens_in_libreoffice(invoke: Invoke, tmp_path: Path) -> None:
    data, public = run_public(invoke, SAMPLE, tmp_path)
    utf8_csv = "csv:Text - txt - csv (StarCalc):44,34,76"
    done = subprocess.run(["soffice", "--headless", "--convert-to", utf8_csv, "--outdir", str(tmp_path), str(public)],
                          capture_output=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "list.csv").read_text(encoding="utf-8")
    assert "公示" in text.splitlines()[0]
    assert f"{Decimal(data['total']):,.2f}".replace(",", "") in text.replace(",", "").replace('"', "")


# ---- honest outputs ---------------------------------------------------------------------------------

NOTHING = {"zh": "未写入任何文件", "en": "Nothing was written"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_run_that_writes_nothing_says_so_once(invoke: Invoke, tmp_path: Path, lang: str) -> None:
    loud = invoke("calculate", SAMPLE, "--lang", lang)
    assert loud.exit_code == 0 and loud.stdout.count(NOTHING[lang]) == 1 and NOTHING[lang] not in loud.stderr
    quiet = invoke("calculate", SAMPLE, "--lang", lang, "-q")
    assert quiet.exit_code == 0 and quiet.stdout == ""
    assert quiet.stderr.count(NOTHING[lang]) == 1
    for args in (["-o", tmp_path / "r.xlsx"], ["--public", tmp_path / "p.xlsx"], ["--json", "-"]):
        res = invoke("calculate", SAMPLE, "--lang", lang, *args)
        assert res.exit_code == 0 and NOTHING[lang] not in res.output, args


@pytest.mark.parametrize(("args", "word"), [
    (["-o", "report.csv"], ".xlsx"), (["-o", "report.json"], ".xlsx"), (["--public", "list.pdf"], ".xlsx"),
    (["--json", "result.xlsx"], ".json"), (["-o", "report"], ".xlsx"),
])
def test_an_output_named_for_another_format_is_refused_before_any_work(invoke: Invoke, tmp_path: Path,
                                                                       args: list[str], word: str) -> None:
    source = tmp_path / "in.xlsx"
    shutil.copy(SAMPLE, source)
    res = invoke("calculate", source, *[str(tmp_path / a) if "." in a or a == "report" else a for a in args],
                 "--lang", "en")
    assert res.exit_code == 2, res.output
    assert word in res.stderr and "Traceback" not in res.output
    assert res.stdout == ""  # refused before anything was computed or printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx"]


def test_template_refuses_another_extension(invoke: Invoke, tmp_path: Path) -> None:
    res = invoke("template", tmp_path / "t.csv", "--lang", "en")
    assert res.exit_code == 2 and ".xlsx" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_public_list_is_refused_over_the_input_or_another_output(invoke: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    shutil.copy(SAMPLE, source)
    over_input = invoke("calculate", source, "--public", source, "--force", "--lang", "en")
    assert over_input.exit_code == 2 and "input" in over_input.stderr
    same = invoke("calculate", source, "-o", tmp_path / "x.xlsx", "--public", tmp_path / "x.xlsx", "--lang", "en")
    assert same.exit_code == 2 and "same file" in same.stderr
    (tmp_path / "list.xlsx").write_bytes(b"earlier list")
    exists = invoke("calculate", source, "--public", tmp_path / "list.xlsx", "--lang", "en")
    assert exists.exit_code == 2 and "--force" in exists.stderr
    assert (tmp_path / "list.xlsx").read_bytes() == b"earlier list"


def test_the_public_list_joins_the_runs_one_commit(invoke: Invoke, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The report and the list are complete when the JSON fails, yet neither is put in place."""
    from hrcalc.render import jsonout

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    old = b"an earlier file"
    targets = [tmp_path / "r.xlsx", tmp_path / "list.xlsx", tmp_path / "r.json"]
    for target in targets:
        target.write_bytes(old)
    monkeypatch.setattr(jsonout, "write_file", full)
    res = invoke("calculate", SAMPLE, "-o", targets[0], "--public", targets[1], "--json", targets[2], "--force",
                 "--lang", "en")
    assert res.exit_code == 2 and "No space left on device" in res.stderr
    assert [t.read_bytes() for t in targets] == [old] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["list.xlsx", "r.json", "r.xlsx"]  # no temporary file
    monkeypatch.undo()
    assert invoke("calculate", SAMPLE, "-o", targets[0], "--public", targets[1], "--json", targets[2], "--force",
                  "-q").exit_code == 0
    assert all(t.read_bytes() != old for t in targets)
