"""The report workbook and the terminal, through the real CLI and reader: reopened, never byte-compared.

Sheets, headers, formats, frozen panes and filters; every total against the JSON of the same run,
to the fen; award lines that paste into next year's prior_awards; text that stays text; safe
writing (never over the input, never half a file); plain terminal output for pipes and NO_COLOR.
How the report prints (page setup, charts, signatures) is tests/test_print.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from hrcalc import __version__, api
from hrcalc.policy import Policy
from hrcalc.read.schema import PRIOR_AWARDS
from hrcalc.render import console as con
from hrcalc.render import report as excel
from hrcalc.render import xlsx
from tests.builders import EMPLOYER, build_input, code
from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "hefei-hr-2025.xlsx"
HOSTILE = '=HYPERLINK("http://example.invalid","x")'

SHEETS_ZH = ["汇总", "奖励明细", "区域汇总", "受奖主体汇总", "图表", "核对", "免申即享", "计算过程", "问题", "政策参数",
             "运行信息"]
SHEETS_EN = ["Summary", "Award lines", "By district", "By payee", "Charts", "Reconciliation", "Owed unclaimed", "Steps",
             "Issues", "Policy", "Run"]
TOTAL = ("合计", "Total")
BANNER = {"zh": "结果不完整", "en": "INCOMPLETE"}


# ---- helpers --------------------------------------------------------------------------------------


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def money(value: Any) -> Decimal:
    """A money cell as the exact decimal it shows: the float's shortest repr, as the reader reads it."""
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def blocks(ws: Any) -> list[list[tuple[Any, ...]]]:
    """The sheet's tables: runs of non-empty rows under its title row, the incomplete banner dropped,
    block titles kept."""
    out: list[list[tuple[Any, ...]]] = [[]]
    for row in ws.iter_rows(min_row=2, values_only=True):
        if all(v is None for v in row):
            if out[-1]:
                out.append([])
            continue
        if isinstance(row[0], str) and row[0].startswith(tuple(BANNER.values())):
            continue
        out[-1].append(tuple(row))
    return [b for b in out if b]


def table(ws: Any, totals: bool = False) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The first table of a sheet: its header and its rows (the totals row only when `totals`)."""
    first = blocks(ws)[0]
    if sum(v is not None for v in first[0]) == 1 and len(first) > 1:
        first = first[1:]  # the block's title
    width = len(first[0])
    while width and first[0][width - 1] is None:
        width -= 1
    rows = [r[:width] for r in first[1:]]
    if rows and rows[-1][0] in TOTAL and not totals:
        rows = rows[:-1]
    return [str(v) for v in first[0][:width]], rows


def header_row(ws: Any) -> int:
    """The 1-based row of the sheet's first table header (under its title row, banner, block title)."""
    for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if sum(v is not None for v in row) > 1:
            return r
    raise AssertionError(ws.title)


def lines_by_key(data: dict[str, Any]) -> dict[tuple[str, str, str, int], dict[str, Any]]:
    return {(p["payee_id"], a["award"], a["record_id"], a["year"]): a for p in data["payees"] for a in p["awards"]}


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, Path]:
    """The sample through `calculate --json F -o R` once: (JSON, Chinese report, English report)."""
    from typer.testing import CliRunner

    from hrcalc.cli import app

    tmp = tmp_path_factory.mktemp("sample")
    runner = CliRunner()
    out = runner.invoke(app, ["calculate", str(SAMPLE), "--json", str(tmp / "r.json"), "-o", str(tmp / "r.xlsx")])
    assert out.exit_code == 0, out.output
    en = runner.invoke(app, ["calculate", str(SAMPLE), "-o", str(tmp / "r-en.xlsx"), "--lang", "en", "-q"])
    assert en.exit_code == 0, en.output
    return json.loads((tmp / "r.json").read_text(encoding="utf-8")), tmp / "r.xlsx", tmp / "r-en.xlsx"


def small_input(path: Path) -> Path:
    """A few awards of different kinds, payees of all three types, and one prior grant."""
    return build_input(
        path,
        institutions=[{"credit_code": code(1), "name": "合肥甲人力资源有限公司", "district": "蜀山区"},
                      {"credit_code": code(2), "name": "合肥乙猎头有限公司", "district": "高新区"}],
        placements=[
            {"placement_id": "P-1"},
            {"placement_id": "P-2", "credit_code": code(2), "annual_salary": 1_200_000, "headhunting_fee": 300_000,
             "urgent_need": "是"},
            {"placement_id": "P-3", "talent_class": "A", "key_enterprise": "否", "headhunting_fee": 98_765.43},
            {"placement_id": "P-4", "placement_date": date(2024, 9, 1)},
        ],
        revenue=[{"year": 2024, "revenue": 210_000_000}, {"year": 2025, "revenue": 250_000_000}],
        recognitions=[{"kind": "high_tech", "reference": "高新2025"},
                      {"kind": "china_service_top500", "credit_code": code(2), "reference": "服务业500强2024",
                       "date": date(2024, 10, 1)},
                      {"kind": "china_top500", "credit_code": code(2), "reference": "500强2025"}],
        parks=[{"park_id": "PK-1", "district": "高新区", "level": "provincial_park"}],
        prior_awards=[{"payee_id": code(1), "award": "headhunting", "tier": None, "record_id": "P-OLD",
                       "amount": 5_000, "date": date(2024, 8, 1)}],
    )


# ---- sheets, headers, formats ---------------------------------------------------------------------


def test_sheets_in_order(sample_run: tuple[dict[str, Any], Path, Path]) -> None:
    _, zh, en = sample_run
    assert load_workbook(zh).sheetnames == SHEETS_ZH
    assert load_workbook(en).sheetnames == SHEETS_EN


def test_no_reconciliation_sheet_without_claims(invoke: Invoke, tmp_path: Path) -> None:
    report = tmp_path / "r.xlsx"
    assert invoke("calculate", small_input(tmp_path / "in.xlsx"), "-o", report, "-q").exit_code == 0
    assert load_workbook(report).sheetnames == [s for s in SHEETS_ZH if s not in ("核对", "免申即享")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_award_lines_begin_with_the_prior_awards_columns(sample_run: tuple[dict[str, Any], Path, Path],
                                                         lang: str) -> None:
    report = sample_run[1] if lang == "zh" else sample_run[2]
    header, _ = table(load_workbook(report).worksheets[1])
    assert [c.field for c in PRIOR_AWARDS.columns][:6] == ["payee_id", "award", "tier", "record_id", "amount", "date"]
    # the reader's own headers in Chinese; English words (the reader's English headers are field ids)
    # ... then the optional 政策 column, the plan each line was computed under (plans over time)
    assert [c.field for c in PRIOR_AWARDS.columns][6] == "policy"
    prior = ([c.zh for c in PRIOR_AWARDS.columns][:7] if lang == "zh"
             else ["Payee ID", "Award", "Tier", "Record", "Amount", "Date", "Plan"])
    assert header[:7] == prior
    rest = {"zh": ["受奖主体名称", "条款", "计算基数", "比例", "计算金额", "说明"],
            "en": ["Payee name", "Clause", "Base", "Rate", "Computed", "Notes"]}[lang]
    assert header[7:13] == rest  # the payee's name right after the pasteable columns


@pytest.mark.parametrize(("lang", "headers"), [
    ("zh", {"受奖主体汇总": ["受奖主体", "名称", "类型", "所属区域"], "汇总": ["奖励项目", "奖励编号", "条款", "笔数"],
            "区域汇总": ["所属区域", "受奖主体数", "笔数"],
            "免申即享": ["受奖主体", "名称", "奖励项目", "年度", "关联记录"],
            "计算过程": ["受奖主体", "名称", "奖励项目", "关联记录"],
            "问题": ["级别", "工作表", "行", "列", "值", "说明"], "政策参数": ["奖励项目", "奖励编号", "条款", "参数"],
            "运行信息": ["项目", "内容"],
            "核对": ["受奖主体", "名称", "奖励项目", "关联记录", "年度", "申报金额", "计算金额", "差额（申报−计算）"]}),
    ("en", {"By payee": ["Payee ID", "Name", "Type", "District"], "Summary": ["Award", "Award ID", "Clause", "Lines"],
            "Steps": ["Payee ID", "Name", "Award", "Record"],
            "Issues": ["Severity", "Sheet", "Row", "Column", "Value", "Message"],
            "Policy": ["Award", "Award ID", "Clause", "Parameter"], "Run": ["Item", "Value"],
            "Reconciliation": ["Payee ID", "Name", "Award", "Record", "Year", "Claimed", "Computed"]}),
])
def test_headers(sample_run: tuple[dict[str, Any], Path, Path], lang: str, headers: dict[str, list[str]],
                 bundled: Policy) -> None:
    wb = load_workbook(sample_run[1] if lang == "zh" else sample_run[2])
    for sheet, expected in headers.items():
        header, _ = table(wb[sheet])
        assert header[: len(expected)] == expected, sheet
    summary, _ = table(wb.worksheets[3])
    assert summary[4:-1] == [bundled.award_name(a, lang) for a in bundled.awards]


def test_number_formats_and_cell_types(sample_run: tuple[dict[str, Any], Path, Path]) -> None:
    wb = load_workbook(sample_run[1])
    ws = wb["奖励明细"]
    header = [c.value for c in ws[2]]
    col = {h: i for i, h in enumerate(header)}
    rates = set()
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row - 1):  # the totals row last
        amount, day = row[col["金额"]], row[col["兑现日期"]]
        assert amount.data_type == "n" and amount.number_format == "#,##0.00"
        assert isinstance(day.value, datetime) and day.number_format == "yyyy-mm-dd"
        assert row[col["计算金额"]].number_format == "#,##0.00"
        assert row[col["受奖主体"]].data_type == "s" and row[col["关联记录"]].data_type == "s"
        rate = row[col["比例"]]
        if rate.value is not None:
            assert rate.data_type == "n" and rate.number_format in ("0%", "0.00%")
            rates.add(rate.value)
    assert rates and all(0 < r <= 1 for r in rates)
    summary = wb["汇总"]
    money_cells = [c for row in summary.iter_rows(min_row=4, max_row=7, min_col=5) for c in row if c.value is not None]
    assert money_cells and all(c.number_format == "#,##0.00" for c in money_cells)
    run = {r[0]: r[1] for r in wb["运行信息"].iter_rows(min_row=3, values_only=True)}
    assert isinstance(run["有效期起"], datetime)


def test_frozen_header_rows_and_filters(sample_run: tuple[dict[str, Any], Path, Path]) -> None:
    wb = load_workbook(sample_run[1])
    frozen_cols = {"受奖主体汇总": "C", "问题": "A", "政策参数": "A", "运行信息": "A"}
    for ws in wb.worksheets:
        if ws.title == "图表":
            continue
        h = header_row(ws)
        assert ws.freeze_panes == f"{frozen_cols.get(ws.title, 'B')}{h + 1}", ws.title
        if ws.title == "运行信息":
            assert not ws.auto_filter.ref
            continue
        _, rows = table(ws, totals=True)
        has_totals = ws.title in ("汇总", "奖励明细", "区域汇总", "受奖主体汇总", "核对", "免申即享")
        last = h + len(rows) - has_totals  # the totals row stays out of the filter
        assert (rows[-1][0] == "合计") is has_totals, ws.title
        assert ws.auto_filter.ref.startswith(f"A{h}:") and ws.auto_filter.ref.endswith(str(last)), ws.title


def test_column_widths_fit_and_count_chinese_double(sample_run: tuple[dict[str, Any], Path, Path]) -> None:
    wb = load_workbook(sample_run[1])
    ws = wb["区域汇总"]
    _, rows = table(ws)
    longest = max(xlsx.text_width(r[0]) for r in rows)
    assert longest + 2 <= ws.column_dimensions["A"].width <= (longest + 2) * 1.1 + 2
    # a name column too wide for the page wraps instead of running into the next column
    ws = wb["受奖主体汇总"]
    _, rows = table(ws)
    assert max(xlsx.text_width(r[1]) for r in rows) + 2 > ws.column_dimensions["B"].width
    assert all(ws.cell(row=r, column=2).alignment.wrap_text for r in range(header_row(ws) + 1, ws.max_row))
    assert xlsx.text_width("合肥ab") == 6 and xlsx.text_width("abc") == 3


# ---- totals equal the JSON, to the fen ------------------------------------------------------------


def test_every_total_equals_the_json(sample_run: tuple[dict[str, Any], Path, Path], bundled: Policy) -> None:
    data, report, _ = sample_run
    wb = load_workbook(report)
    awards = list(bundled.awards)
    json_lines = lines_by_key(data)

    # 受奖主体汇总: one row per payee of the JSON, in its order, with its total and its per-award sums
    header, payee_rows = table(wb["受奖主体汇总"], totals=True)
    assert header[4:-1] == [bundled.award_name(a, "zh") for a in awards]
    *payee_rows, totals = payee_rows
    assert [r[0] for r in payee_rows] == [p["payee_id"] for p in data["payees"]]
    for row, p in zip(payee_rows, data["payees"], strict=True):
        assert row[1] == p["name"]
        assert money(row[-1]) == Decimal(p["total"])
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for a in p["awards"]:
            sums[a["award"]] += Decimal(a["amount"])
        for i, award in enumerate(awards):
            cell = row[4 + i]
            assert (cell is None) == (award not in sums)
            if cell is not None:
                assert money(cell) == sums[award]
    assert totals[0] == "合计"
    assert money(totals[-1]) == Decimal(data["total"])
    assert [money(v) for v in totals[4:-1]] == [Decimal(data["by_award"][a]) for a in awards]

    # 区域汇总: the totals row is the JSON again, and the district rows add up to it
    years = data["years"]
    d_header, d_rows = table(wb["区域汇总"], totals=True)
    *d_rows, d_total = d_rows
    assert d_header[3:3 + len(years)] == [f"{y}年" for y in years]
    assert money(d_total[-1]) == Decimal(data["total"])
    assert sum(money(r[-1]) for r in d_rows) == Decimal(data["total"])
    assert d_total[1] == len(data["payees"]) and d_total[2] == len(json_lines)

    # 汇总: by award, with a column per year; then by year
    by_award, by_year = blocks(wb["汇总"])[:2]
    assert by_award[0][0] == "按奖励项目汇总（元）" and by_year[0][0] == "按年度汇总（元）"
    a_header, *a_rows, a_total = by_award[1:]
    assert list(a_header[4:4 + len(years)]) == [f"{y}年" for y in years]
    for row in a_rows:
        award = row[1]
        assert money(row[4 + len(years)]) == Decimal(data["by_award"][award])
        assert row[3] == sum(1 for k in json_lines if k[1] == award)
        for j, y in enumerate(years):
            expected = sum((Decimal(a["amount"]) for k, a in json_lines.items() if k[1] == award and k[3] == y),
                           Decimal(0))
            assert money(row[4 + j]) == expected
    assert money(a_total[4 + len(years)]) == Decimal(data["total"])
    for row in by_year[2:-1]:
        year = int(row[0].rstrip("年"))
        assert money(row[4]) == sum((Decimal(a["amount"]) for k, a in json_lines.items() if k[3] == year),
                                    Decimal(0))
    assert money(by_year[-1][4]) == Decimal(data["total"])

    # 奖励明细: its totals row
    _, line_rows = table(wb["奖励明细"], totals=True)
    assert line_rows[-1][0] == "合计" and money(line_rows[-1][4]) == Decimal(data["total"])
    assert money(line_rows[-1][11]) == sum((Decimal(a["computed"]) for a in json_lines.values()), Decimal(0))

    run = {r[0]: r[1] for r in wb["运行信息"].iter_rows(min_row=3, values_only=True)}
    assert money(run["奖励总额（元）"]) == Decimal(data["total"])


def test_award_lines_equal_the_json_lines(sample_run: tuple[dict[str, Any], Path, Path], bundled: Policy) -> None:
    data, report, report_en = sample_run
    names = {bundled.award_name(a, "zh"): a for a in bundled.awards}
    json_lines = lines_by_key(data)
    for path, award_of in ((report, names.__getitem__), (report_en, str)):
        _, rows = table(load_workbook(path).worksheets[1])
        got = {}
        for r in rows:
            key = (r[0], award_of(r[1]), r[3], r[5].year)
            got[key] = (money(r[4]), r[5].date().isoformat(), r[6], r[8], money(r[11]))
        assert got == {k: (Decimal(a["amount"]), a["date"], a["policy"], a["clause"], Decimal(a["computed"]))
                       for k, a in json_lines.items()}
        assert sum((g[0] for g in got.values()), Decimal(0)) == Decimal(data["total"])


def test_year_filter_report_equals_json(invoke: Invoke, tmp_path: Path) -> None:
    out, report = tmp_path / "r.json", tmp_path / "r.xlsx"
    assert invoke("calculate", SAMPLE, "--year", "2025", "--json", out, "-o", report, "-q").exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    wb = load_workbook(report)
    totals = blocks(wb["汇总"])[0][-1]
    assert money(totals[-1]) == Decimal(data["total"])
    _, rows = table(wb["奖励明细"])
    assert {r[5].year for r in rows} == {2025}
    assert len(rows) == len(lines_by_key(data))


# ---- the other sheets render what the run recorded --------------------------------------------------


def test_steps_are_the_engines_steps(sample_run: tuple[dict[str, Any], Path, Path]) -> None:
    result = api.run(SAMPLE)
    _, rows = table(load_workbook(sample_run[1])["计算过程"])
    ordered = sorted(result.visible_lines(), key=lambda ln: (ln.payee_id, ln.payee_type, *ln.sort_key()))
    # one row per award line, in the award lines' order; its steps numbered, one per text line
    assert [(r[0], r[2], r[3], r[4], r[5]) for r in rows] == [
        (ln.payee_id, result.policy.award_name(ln.award, "zh"), ln.record_id, ln.year, len(ln.steps))
        for ln in ordered]
    expected = [(n, s.text.render("zh")) for ln in ordered for n, s in enumerate(ln.steps, start=1)]
    shown = [(int(num), text) for r in rows for num, rest in (t.split(". ", 1) for t in r[6].split("\n"))
             for _, text in [rest.split("：", 1)]]
    assert shown == expected
    assert len(expected) > 2 * len(ordered)
    # lines share steps (the report words each shared one once): every sharer still shows it
    assert len({id(s) for ln in ordered for s in ln.steps}) < len(expected)
    kinds = {t.split(". ", 1)[1].split("：", 1)[0] for r in rows for t in r[6].split("\n")}
    assert kinds >= {"条件", "计算", "上限"}
    ws = load_workbook(sample_run[1])["计算过程"]
    assert ws["G3"].alignment.wrap_text
    # each row as tall as its steps, so every step prints (not only the first)
    for r in range(3, ws.max_row + 1):
        steps = ws.cell(row=r, column=7).value.count("\n") + 1
        assert ws.row_dimensions[r].height >= 15 * steps, r


def test_issues_sheet_lists_every_issue(sample_run: tuple[dict[str, Any], Path, Path]) -> None:
    data = sample_run[0]
    _, rows = table(load_workbook(sample_run[1])["问题"])
    severity = {"错误": "error", "警告": "warning", "提示": "info"}
    assert [(severity[r[0]], r[1], r[2], r[3], r[4], r[5]) for r in rows] == [
        (i["severity"], i["sheet"], i["row"], i["column"], i["value"], i["message"]) for i in data["issues"]]


def test_policy_sheet_lists_every_parameter(sample_run: tuple[dict[str, Any], Path, Path], bundled: Policy) -> None:
    _, rows = table(load_workbook(sample_run[1])["政策参数"])
    by_award: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for r in rows:
        by_award[r[1]].append(r)
    for award_id, rule in bundled.awards.items():
        assert by_award[award_id], award_id
        assert {r[2] for r in by_award[award_id]} == {rule.clause}
        assert {r[7] for r in by_award[award_id]} == {rule.text}
    values = {(r[1], r[4]): r[6] for r in rows}
    hh = bundled.awards["headhunting"]
    assert money(values[("headhunting", "line_cap")]) == hh.line_cap  # type: ignore[union-attr]
    assert money(values[("headhunting", "annual_cap")]) == hh.annual_cap  # type: ignore[union-attr]
    tier = hh.salary_tiers[0]  # type: ignore[union-attr]
    assert Decimal(str(values[("headhunting", f"salary_tiers.{tier.id}.rate")])) == tier.rate
    assert values[(None, "effective_from")].date() == bundled.effective_from
    assert any(r[3] == "不予计算（方案未定金额）" for r in rows)


def test_run_sheet(sample_run: tuple[dict[str, Any], Path, Path], bundled: Policy) -> None:
    data, report, _ = sample_run
    run = {r[0]: r[1] for r in load_workbook(report)["运行信息"].iter_rows(min_row=3, values_only=True)}
    assert run["输入文件"] == SAMPLE.name
    assert run["输入文件 SHA-256"] == data["input"]["sha256"] == sha(SAMPLE)
    assert run["政策编号"] == bundled.id
    assert run["有效期止"].date() == bundled.effective_to
    assert run["hrcalc 版本"] == __version__
    assert run["计算年度"] == ", ".join(map(str, data["years"]))
    assert run["结果"] == "完整"
    assert isinstance(run["计算时间"], datetime)
    assert run["错误"] == 0 and run["警告"] == sum(1 for i in data["issues"] if i["severity"] == "warning")


# ---- award lines paste into next year's prior_awards ----------------------------------------------


def paste_lines(report: Path, source: Path, target: Path, lang: str) -> int:
    """Copy the award lines' first six columns into the input's prior_awards sheet, as a clerk would."""
    _, rows = table(load_workbook(report).worksheets[1])
    wb = load_workbook(source)
    name = PRIOR_AWARDS.name_zh if lang == "zh" else PRIOR_AWARDS.name_en
    existing = next((ws for ws in wb.worksheets if ws.title.lower() in ("prior_awards", "历史兑现")), None)
    if existing is None:
        existing = wb.create_sheet(name)
        existing.append([c.zh if lang == "zh" else c.en for c in PRIOR_AWARDS.columns])
    for r in rows:
        existing.append(list(r[:6]))
    wb.save(target)
    return len(rows)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("which", ["small", "sample"])
def test_pasted_award_lines_pay_nothing_twice(invoke: Invoke, tmp_path: Path, lang: str, which: str) -> None:
    source = small_input(tmp_path / "in.xlsx") if which == "small" else SAMPLE
    first_json, report = tmp_path / "first.json", tmp_path / "first.xlsx"
    assert invoke("calculate", source, "--json", first_json, "-o", report, "--lang", lang, "-q").exit_code == 0
    first = json.loads(first_json.read_text(encoding="utf-8"))
    paid = {k for k, a in lines_by_key(first).items() if Decimal(a["amount"]) > 0}
    assert paid and len({k[1] for k in paid}) >= 5  # several kinds of award, so the test means something

    again = tmp_path / "again.xlsx"
    assert paste_lines(report, source, again, lang) == len(lines_by_key(first))
    second_json = tmp_path / "second.json"
    res = invoke("calculate", again, "--json", second_json, "-q")
    assert res.exit_code == 0, res.output
    second = json.loads(second_json.read_text(encoding="utf-8"))
    assert not [i for i in second["issues"] if i["severity"] == "error"]
    second_lines = lines_by_key(second)
    for key in paid:
        assert key not in second_lines or second_lines[key]["amount"] == "0.00", (key, second_lines.get(key))
    assert second["total"] == "0.00"


# ---- text stays text ------------------------------------------------------------------------------


def _hostile_input(path: Path) -> Path:
    build_input(path, institutions=[{"credit_code": code(1), "name": "placeholder", "district": "+蜀山区"}],
                placements=[{"placement_id": "@P-1", "employer_name": "-合肥某某", "urgent_need": "是"}])
    wb = load_workbook(path)
    ws = wb["institutions"]
    cell = ws.cell(row=2, column=2)
    cell.value = HOSTILE
    cell.data_type = "s"  # as a clerk's typed text arrives: a string, not a formula
    wb.save(path)
    return path


def test_formula_like_text_comes_back_as_text(invoke: Invoke, tmp_path: Path) -> None:
    report = tmp_path / "r.xlsx"
    res = invoke("calculate", _hostile_input(tmp_path / "in.xlsx"), "-o", report, "-q")
    assert res.exit_code == 0, res.output
    wb = load_workbook(report)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    found = [c for c in cells if c.value == HOSTILE]
    assert len(found) >= 3 and all(c.data_type == "s" for c in found)  # by payee, award lines, steps
    district = [c for c in cells if c.value == "+蜀山区"]
    assert len(district) >= 2 and all(c.data_type == "s" for c in district)
    lines = wb["奖励明细"]
    values = {c.value: c.data_type for row in lines.iter_rows(min_row=2) for c in row if isinstance(c.value, str)}
    assert values["@P-1"] == values[HOSTILE] == values["-合肥某某"] == "s"
    with zipfile.ZipFile(report) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


def test_hostile_characters_cannot_break_the_write(tmp_path: Path) -> None:
    result = api.run(small_input(tmp_path / "in.xlsx"))
    key = next(iter(result.payees))
    payee = result.payees[key]
    nasty = "合肥\x00\x01\x1f名\ud800称" + "x" * 40000
    result.payees[key] = type(payee)(payee.payee_id, payee.payee_type, nasty, "#N/A")
    out = tmp_path / "r.xlsx"
    excel.write_report(result, out)
    wb = load_workbook(out)
    names = [row[1] for row in wb["受奖主体汇总"].iter_rows(min_row=2, values_only=True) if row[0] == payee.payee_id]
    assert names and names[0].startswith("合肥\ufffd\ufffd\ufffd名\ufffd称") and len(names[0]) == xlsx.MAX_CELL_TEXT
    district = next(c for row in wb["受奖主体汇总"].iter_rows(min_row=2) for c in row[3:4] if c.value == "#N/A")
    assert district.data_type == "s"


# ---- incomplete results -----------------------------------------------------------------------------


def _invalid_input(path: Path) -> Path:
    return build_input(path, placements=[{"placement_id": "P1", "annual_salary": -5}, {"placement_id": "P2"}])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_skip_invalid_report_says_incomplete_on_every_sheet(invoke: Invoke, tmp_path: Path, lang: str) -> None:
    report = tmp_path / "r.xlsx"
    res = invoke("calculate", _invalid_input(tmp_path / "in.xlsx"), "--skip-invalid", "-o", report, "--lang", lang,
                 "-q")
    assert res.exit_code == 0, res.output
    wb = load_workbook(report)
    for ws in wb.worksheets:
        assert str(ws["A2"].value).startswith(BANNER[lang]), ws.title
    lines = wb.worksheets[1]
    assert lines.freeze_panes == "B4"
    assert [c.value for c in lines[3]][:6] == ([c.zh for c in PRIOR_AWARDS.columns][:6] if lang == "zh" else
                                               ["Payee ID", "Award", "Tier", "Record", "Amount", "Date"])
    run = {r[0]: r[1] for r in wb.worksheets[-1].iter_rows(min_row=4, values_only=True)}
    assert run["结果" if lang == "zh" else "Result"] == BANNER[lang]


# ---- safe writing ------------------------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: sha(p) for p in folder.iterdir() if p.is_file()}


def test_report_over_the_input_is_refused(invoke: Invoke, tmp_path: Path) -> None:
    path = small_input(tmp_path / "in.xlsx")
    before = _snapshot(tmp_path)
    for target in (path, tmp_path / "." / "in.xlsx"):
        res = invoke("calculate", path, "-o", target, "--force", "--lang", "en")
        assert res.exit_code == 2 and "input" in res.stderr
    assert _snapshot(tmp_path) == before


def test_existing_report_needs_force(invoke: Invoke, tmp_path: Path) -> None:
    path = small_input(tmp_path / "in.xlsx")
    report = tmp_path / "r.xlsx"
    report.write_bytes(b"earlier report")
    before = _snapshot(tmp_path)
    res = invoke("calculate", path, "-o", report, "--lang", "en")
    assert res.exit_code == 2 and "--force" in res.stderr
    assert _snapshot(tmp_path) == before
    assert invoke("calculate", path, "-o", report, "--force", "-q").exit_code == 0
    assert load_workbook(report).sheetnames[0] == "汇总"


@pytest.mark.parametrize("where", ["parent-is-a-file", "no-such-folder"])
def test_unwritable_folder_is_exit_2(invoke: Invoke, tmp_path: Path, where: str) -> None:
    path = small_input(tmp_path / "in.xlsx")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    target = tmp_path / ("afile" if where == "parent-is-a-file" else "missing") / "r.xlsx"
    before = _snapshot(tmp_path)
    res = invoke("calculate", path, "-o", target, "--lang", "en")
    assert res.exit_code == 2, res.output
    assert "folder" in res.stderr and "Traceback" not in res.output
    assert _snapshot(tmp_path) == before
    assert not (tmp_path / "missing").exists()


def test_data_errors_write_no_report(invoke: Invoke, tmp_path: Path) -> None:
    path = _invalid_input(tmp_path / "in.xlsx")
    res = invoke("calculate", path, "-o", tmp_path / "r.xlsx")
    assert res.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx"]


@pytest.mark.parametrize(("error", "exit_code"), [(RuntimeError("planted failure"), 3),
                                                  (OSError(28, "No space left on device"), 2)])
@pytest.mark.parametrize("earlier", [False, True], ids=["fresh", "over-earlier-report"])
def test_failure_while_writing_leaves_nothing_half_written(invoke: Invoke, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch, error: Exception,
                                                           exit_code: int, earlier: bool) -> None:
    path = small_input(tmp_path / "in.xlsx")
    report = tmp_path / "r.xlsx"
    if earlier:
        assert invoke("calculate", path, "-o", report, "-q").exit_code == 0
    before = _snapshot(tmp_path)
    real = xlsx.SheetWriter.write_row
    calls = {"n": 0}

    def failing(self: xlsx.SheetWriter, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > 12:  # part-way through the sheets, after some rows were written
            raise error
        return real(self, *args, **kwargs)

    monkeypatch.setattr(xlsx.SheetWriter, "write_row", failing)
    res = invoke("calculate", path, "-o", report, "--force", "--lang", "en")
    assert res.exit_code == exit_code, res.output
    assert calls["n"] > 12
    assert "Traceback" not in res.output
    assert _snapshot(tmp_path) == before  # no report, no temporary file, an earlier report untouched


# ---- the terminal ------------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_text_when_not_a_terminal(invoke: Invoke, tmp_path: Path) -> None:
    res = invoke("calculate", _invalid_input(tmp_path / "in.xlsx"), "--skip-invalid", env={"NO_COLOR": None})
    assert res.exit_code == 0
    assert "\x1b[" not in res.stdout and "\x1b[" not in res.stderr
    assert "奖励总额" in res.stdout


@pytest.mark.parametrize(("no_color", "ansi"), [("1", False), (None, True)])
def test_no_color_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, no_color: str | None,
                                ansi: bool) -> None:
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    for var in ("FORCE_COLOR", "TERM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    stream = FakeTerminal()
    result = api.run(_invalid_input(tmp_path / "in.xlsx"), skip_invalid=True)
    con.summary(result, con.make_console(stream), "zh")
    assert ("\x1b[" in stream.getvalue()) is ansi
    assert "结果不完整" in stream.getvalue()


def test_lang_en_switches_messages(invoke: Invoke, tmp_path: Path) -> None:
    path = small_input(tmp_path / "in.xlsx")
    en = invoke("calculate", path, "--lang", "en")
    zh = invoke("calculate", path)
    assert "Total awarded" in en.stdout and "By payee" in en.stdout and "奖励总额" not in en.stdout
    assert "奖励总额" in zh.stdout and "Total awarded" not in zh.stdout
    refused = invoke("calculate", path, "-o", path, "--lang", "en")
    assert "refusing" in refused.stderr


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_incomplete_banner_at_top_and_bottom(invoke: Invoke, tmp_path: Path, lang: str) -> None:
    res = invoke("calculate", _invalid_input(tmp_path / "in.xlsx"), "--skip-invalid", "--lang", lang)
    out = res.stdout
    word = BANNER[lang]
    assert out.count(word) >= 3  # the banner's title, its text, and the closing line
    total_at = out.index("奖励总额" if lang == "zh" else "Total awarded")
    assert out.index(word) < total_at < out.rindex(word)
    assert ("已跳过的错误 1 处" if lang == "zh" else "1 error(s) skipped") in out


def test_warnings_count_and_first_few(invoke: Invoke) -> None:
    res = invoke("calculate", SAMPLE, "--lang", "en")
    data = json.loads(invoke("calculate", SAMPLE, "--json", "-", "-q").stdout)
    count = sum(1 for i in data["issues"] if i["severity"] == "warning")
    assert f"{count} warning(s); the first {min(count, 5)} (every warning: hrcalc validate" in res.stdout


def test_terminal_lists_the_largest_payees_and_counts_the_rest(invoke: Invoke,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A city's run has thousands of payees: the terminal lists the largest, the report and JSON all."""
    data = json.loads(invoke("calculate", SAMPLE, "--json", "-", "-q").stdout)
    totals = sorted(((Decimal(p["total"]), p["payee_id"]) for p in data["payees"]), reverse=True)
    monkeypatch.setattr(con, "PAYEES_SHOWN", 3)
    out = invoke("calculate", SAMPLE).stdout
    table = out[out.index("按受奖主体汇总"):out.index("按奖励项目汇总")]
    listed = [pid for _, pid in totals if pid in table]
    assert listed == [pid for _, pid in totals[:3]]
    rest = sum(t for t, _ in totals[3:])
    assert f"以上为金额最大的 3 个受奖主体；另有 {len(totals) - 3} 个未列出（合计 {rest:,.2f} 元）" in out
    assert f"{Decimal(data['total']):,.2f}" in table  # the footer still totals every payee


def test_progress_only_on_a_terminal_for_large_inputs(tmp_path: Path) -> None:
    path = small_input(tmp_path / "in.xlsx")
    pipe = io.StringIO()
    with con.run_progress(path, "en", stream=pipe, threshold=0) as progress:
        assert not progress.active
        progress.phase("read")
    assert pipe.getvalue() == ""
    with con.run_progress(path, "en", stream=FakeTerminal()) as progress:
        assert not progress.active  # a small input on a terminal: no bar
    tty = FakeTerminal()
    with con.run_progress(path, "en", stream=tty, threshold=0) as progress:
        assert progress.active
        progress.phase("read")
        progress.phase("write")
        excel.write_report(api.run(path), tmp_path / "r.xlsx", progress=progress.rows)
    assert "Writing the report" in tty.getvalue()


def test_progress_reports_rows(tmp_path: Path) -> None:
    result = api.run(SAMPLE)
    seen: list[tuple[int, int]] = []
    excel.write_report(result, tmp_path / "r.xlsx", progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] > 0
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_calculate_on_a_pipe_shows_no_progress(invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(con, "LARGE_INPUT_BYTES", 0)
    res = invoke("calculate", small_input(tmp_path / "in.xlsx"), "-o", tmp_path / "r.xlsx", "-q")
    assert res.exit_code == 0 and res.stderr == ""


# ---- the writer's own pieces ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "guarded"), [
    ("=1+1", True), ("+86 551", True), ("-5", True), ("@x", True), ("#N/A", True), ("#REF!", True),
    ("合肥", False), ("a=b", False), ("", False),
])
def test_text_guard(text: str, guarded: bool) -> None:
    assert xlsx.needs_text_guard(text) is guarded


def test_clean_text() -> None:
    assert xlsx.clean_text("a\x00b\x0bc\td\ne") == "a\ufffdb\ufffdc\td\ne"
    assert len(xlsx.clean_text("x" * (xlsx.MAX_CELL_TEXT + 5))) == xlsx.MAX_CELL_TEXT


def test_report_is_a_well_formed_package_with_shared_formats(tmp_path: Path) -> None:
    result = api.run(SAMPLE)
    out = tmp_path / "r.xlsx"
    excel.build_workbook(result, out)
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        parts = {n: z.read(n) for n in z.namelist()}
    types = parts["[Content_Types].xml"].decode()
    for name, data in parts.items():
        ElementTree.fromstring(data)  # every part is well-formed XML
        if name.endswith(".xml") and (name.startswith(("xl/worksheets/sheet", "xl/charts/"))
                                      or name in ("xl/styles.xml", "xl/workbook.xml")):
            assert f'PartName="/{name}"' in types, name
    # the charts are native chart parts, one per picture: by award, by year, by district
    charts = [n for n in parts if n.startswith("xl/charts/chart")]
    assert len(charts) == 3 and all(b"<c:barChart>" in parts[n] for n in charts)
    # a handful of cell formats for the whole workbook, not one per cell
    assert parts["xl/styles.xml"].decode().count("<xf ") < 40
    # each sheet declares the extent it has, so readers that trust <dimension> see every row
    wb = load_workbook(out, read_only=True)
    for ws in wb.worksheets:
        declared = ws.max_row
        ws.reset_dimensions()
        assert declared == sum(1 for _ in ws.iter_rows()), ws.title
    wb.close()


def test_report_reads_back_through_calamine(sample_run: tuple[dict[str, Any], Path, Path]) -> None:
    """python-calamine (the reader hrcalc itself uses) sees the same sheets and award lines as openpyxl."""
    from python_calamine import CalamineWorkbook

    doc, report, _ = sample_run
    cal = CalamineWorkbook.from_path(str(report))
    assert cal.sheet_names == SHEETS_ZH
    rows = cal.get_sheet_by_name("奖励明细").to_python()[2:-1]  # under the title and header, above the totals
    assert len(rows) == sum(len(p["awards"]) for p in doc["payees"])

    def same(v: Any) -> Any:  # calamine gives '' for an empty cell and a date for a date-formatted one
        return "" if v is None else v.date() if isinstance(v, datetime) else v

    assert [r[:6] for r in rows] == [[same(v) for v in r[:6]] for r in table(load_workbook(report)["奖励明细"])[1]]


def test_a_block_of_another_size_than_declared_is_a_bug(tmp_path: Path) -> None:
    plan = xlsx.SheetPlan("s", [xlsx.Block(["a"], ["text"], [["x"], ["y"]], size=3)])
    with pytest.raises(RuntimeError, match="planned 3 rows, wrote 2"):
        xlsx.write_workbook(tmp_path / "r.xlsx", [plan], page=xlsx.Page("plan"))


def test_text_is_escaped_and_keeps_its_edge_spaces(tmp_path: Path) -> None:
    texts = ["a < b & c > d", "  leading", "trailing\n", '"quoted"', "中文，全角", "x" * 40000]
    plan = xlsx.SheetPlan("s", [xlsx.Block(["h", "i"], ["text", "text"], [[t, None] for t in texts],
                                           size=len(texts))])
    out = tmp_path / "r.xlsx"
    xlsx.write_workbook(out, [plan], page=xlsx.Page("plan & co"), banner="banner & <title>")
    rows = [r[0] for r in load_workbook(out).active.iter_rows(values_only=True)]
    assert rows[0] == "s" and rows[1] == "banner & <title>" and rows[2] == "h"
    assert rows[3:8] == texts[:5]
    assert len(rows[8]) == xlsx.MAX_CELL_TEXT and rows[8].endswith("…")


def lines_of(path: Path) -> Iterator[tuple[Any, ...]]:
    yield from table(load_workbook(path).worksheets[1])[1]


def test_employer_and_district_payees_in_the_summary(invoke: Invoke, tmp_path: Path) -> None:
    report = tmp_path / "r.xlsx"
    assert invoke("calculate", small_input(tmp_path / "in.xlsx"), "-o", report, "-q").exit_code == 0
    _, rows = table(load_workbook(report)["受奖主体汇总"])
    types = {r[0]: r[2] for r in rows}
    assert types[EMPLOYER] == "用人企业" and types["高新区"] == "区域" and types[code(1)] == "机构"
    _, districts = table(load_workbook(report)["区域汇总"])
    assert [r[0] for r in districts] == ["蜀山区", "高新区", "（未填区域）"]
    assert {r[3] for r in lines_of(report)} >= {"P-1", "P-2", "PK-1"}
