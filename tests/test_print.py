"""The report on paper and in words: title rows, page headers and footers, orientation and fit,
repeated header rows, the signature block, charts, flags and headers in words, the 核对 and
免申即享 sheets, and text that reads back as typed. Through the real CLI, reopened with openpyxl
(and python-calamine, the reader hrcalc itself uses); never byte-compared.
"""

from __future__ import annotations

import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from hrcalc.render import xlsx
from tests.builders import build_input, code
from tests.conftest import Invoke
from tests.test_report import SAMPLE, header_row, money, table

INTERNAL_KEY = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample through calculate once per language: the JSON and both reports."""
    from typer.testing import CliRunner

    from hrcalc.cli import app

    tmp = tmp_path_factory.mktemp("print")
    runner = CliRunner()
    out = runner.invoke(app, ["calculate", str(SAMPLE), "--json", str(tmp / "r.json"), "-o", str(tmp / "zh.xlsx"),
                              "-q"])
    assert out.exit_code == 0, out.output
    en = runner.invoke(app, ["calculate", str(SAMPLE), "-o", str(tmp / "en.xlsx"), "--lang", "en", "-q"])
    assert en.exit_code == 0, en.output
    return {"json": json.loads((tmp / "r.json").read_text(encoding="utf-8")), "zh": tmp / "zh.xlsx",
            "en": tmp / "en.xlsx"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sheet_has_a_title_row_page_header_and_footer(reports: dict[str, Any], lang: str) -> None:
    data = reports["json"]
    wb = load_workbook(reports[lang])
    plan = "合肥市推进人力资源服务业高质量发展行动方案" if lang == "zh" else "Hefei action plan"
    for ws in wb.worksheets:
        assert plan in ws["A1"].value and ws.title in ws["A1"].value and ws["A1"].font.b, ws.title
        assert ws.oddHeader.left.text == "&A" and plan in ws.oddHeader.right.text, ws.title
        footer = ws.oddFooter
        assert "&P" in footer.left.text and "&N" in footer.left.text, ws.title
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", footer.center.text), ws.title
        assert data["input"]["sha256"][:12] in footer.right.text, ws.title
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation in ("portrait", "landscape"), ws.title
        if ws.title not in ("图表", "Charts"):  # the table's header row on every printed page
            h = header_row(ws)
            assert ws.print_title_rows == f"${h}:${h}", ws.title


def test_fit_to_the_page_width_only_where_legible(reports: dict[str, Any]) -> None:
    """A sheet shrunk to one page keeps at least 70 % of its size; a wider one continues across pages,
    its id column repeated, rather than printing unreadably small."""
    wb = load_workbook(reports["zh"])
    seen = set()
    for ws in wb.worksheets:
        if ws.title == "图表":
            continue
        width = sum(d.width * (d.max - d.min + 1) for d in ws.column_dimensions.values() if d.width)
        page = 140 if ws.page_setup.orientation == "landscape" else 95
        pages_wide = ws.page_setup.fitToWidth or 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title  # as many pages down as it needs
        if pages_wide == 1:
            assert width <= page / 0.7 + len(ws.column_dimensions), ws.title
            seen.add("fit")
        else:
            assert ws.print_title_cols and ws.page_setup.pageOrder == "overThenDown", ws.title
            seen.add("across")
    assert seen == {"fit", "across"}
    assert wb["汇总"].page_setup.orientation == "landscape" or wb["区域汇总"].page_setup.orientation == "portrait"


def test_summary_carries_a_signature_block(reports: dict[str, Any]) -> None:
    for lang, words in (("zh", ["经办人", "复核人", "负责人", "日期"]), ("en", ["Prepared", "Checked", "Approved",
                                                                             "Date"])):
        ws = load_workbook(reports[lang]).worksheets[0]
        cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
        for word in words:
            assert any(word in c for c in cells), (lang, word)
        sign = next(c for row in ws.iter_rows() for c in row if c.value and words[0] in str(c.value))
        line = ws.cell(row=sign.row, column=sign.column + 1)
        assert line.value is None and line.border.bottom.style == "thin"  # a line to sign on


def test_charts_by_award_year_and_district(reports: dict[str, Any]) -> None:
    with zipfile.ZipFile(reports["zh"]) as z:
        charts = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")}
    refs = " ".join(charts.values())
    assert len(charts) == 3
    for title in ("各奖励项目金额", "各年度金额", "各区域金额"):
        assert title in refs
    assert "汇总!$A$4:$A$15" in refs.replace("'", "") and "区域汇总!$A$3" in refs.replace("'", "")


def test_english_report_speaks_english_in_headers(reports: dict[str, Any]) -> None:
    wb = load_workbook(reports["en"])
    for ws in wb.worksheets:
        if ws.title == "Charts":
            continue
        header, _ = table(ws)
        for h in header:
            assert h == "" or h == "None" or not INTERNAL_KEY.match(h), (ws.title, h)
            assert not re.search(r"[\u4e00-\u9fff]", h) or ws.title == "Summary", (ws.title, h)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_flags_are_words(reports: dict[str, Any], lang: str) -> None:
    ws = load_workbook(reports[lang]).worksheets[1]
    header, rows = table(ws)
    flags = [r[header.index("标记" if lang == "zh" else "Flags")] for r in rows]
    words = {w for f in flags if f for w in re.split("[、,] ?", f)}
    assert len(words) >= 5
    assert not [w for w in words if "_" in w], words  # not ruling_talent_class


def test_reconciliation_sheet_names_payees_and_puts_differing_claims_first(reports: dict[str, Any]) -> None:
    data = reports["json"]
    names = {p["payee_id"]: p["name"] for p in data["payees"]}
    header, rows = table(load_workbook(reports["zh"])["核对"])
    status = [r[header.index("核对结果")] for r in rows]
    differing = sum(1 for r in data["reconciliation"] if r["status"] in ("over", "under"))
    assert differing and set(status[:differing]) <= {"多报", "少报"} and "多报" not in status[differing:]
    diffs = [abs(money(r[header.index("差额（申报−计算）")])) for r in rows]
    assert diffs[:differing] == sorted(diffs[:differing], reverse=True)
    unclaimed = [d for d, s in zip(diffs, status, strict=True) if s == "未申报"]
    assert unclaimed == sorted(unclaimed, reverse=True)
    assert all(r[1] == names[r[0]] for r in rows if r[0] in names)
    assert len(rows) == len(data["reconciliation"])


def test_unclaimed_sheet_lists_what_is_owed_but_not_claimed(reports: dict[str, Any]) -> None:
    data = reports["json"]
    owed = [r for r in data["reconciliation"] if r["status"] == "unclaimed" and Decimal(r["computed"]) > 0]
    header, rows = table(load_workbook(reports["zh"])["免申即享"])
    assert header == ["受奖主体", "名称", "奖励项目", "年度", "关联记录", "计算金额"]
    assert sorted((r[0], r[3], money(r[5])) for r in rows) == sorted(
        (r["payee_id"], r["year"], Decimal(r["computed"])) for r in owed)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # per payee
    assert all(r[4] for r in rows)  # the records that earn them


def test_text_like_an_escape_reads_back_as_typed(invoke: Invoke, tmp_path: Path) -> None:
    """xlsxwriter escapes `_x0041_` so that Excel and calamine show it as typed, not as "A".

    The input holds the texts as Excel stores them (`_x005F_x0041_` is the literal `_x0041_`;
    openpyxl writes what it is given), so the reader sees `_x0041_` and the report must keep it.
    """
    from python_calamine import CalamineWorkbook

    path = build_input(tmp_path / "in.xlsx",
                       institutions=[{"credit_code": code(1), "name": "_x005F_x0041_",
                                      "district": "_x005F_x4E2D_区"}],
                       placements=[{"placement_id": "_x005F_x0042_"}])
    report = tmp_path / "r.xlsx"
    assert invoke("calculate", path, "-o", report, "-q").exit_code == 0
    cal = CalamineWorkbook.from_path(str(report))
    cells = {str(v) for name in cal.sheet_names for row in cal.get_sheet_by_name(name).to_python() for v in row}
    assert {"_x0041_", "_x4E2D_区", "_x0042_"} <= cells
    assert "A" not in cells and "B" not in cells


def test_steps_never_run_into_their_count(reports: dict[str, Any]) -> None:
    """计算过程: the count is centred in its own column and each step starts its own line."""
    ws = load_workbook(reports["zh"])["计算过程"]
    h = header_row(ws)
    assert ws.cell(row=h + 1, column=6).alignment.horizontal == "center"
    text = ws.cell(row=h + 1, column=7).value
    assert [line.split(". ", 1)[0] for line in text.split("\n")] == [str(n) for n in range(1, text.count("\n") + 2)]


def test_wrapped_lines() -> None:
    assert xlsx.wrapped_lines("abc", 20) == 1
    assert xlsx.wrapped_lines("a\nb\nc", 20) == 3
    assert xlsx.wrapped_lines("中" * 30, 22) >= 3


def test_row_heights_from_kept_line_counts_are_wrapped_lines(tmp_path: Path) -> None:
    """The writer keeps line counts of short texts per column width (and counts longer ones each time):
    what it finds is wrapped_lines' count, the first time and every time after."""
    wb = xlsx.new_workbook(tmp_path / "w.xlsx")
    try:
        writer = xlsx.SheetWriter(wb, None, xlsx.Counter(), xlsx.Page(plan="p", ran_at=None, sha256="0" * 64,
                                                                       lang="zh"))
        parts = ["1. 条件：" + "甲" * 10, "2. gross: " + "9" * 40, "3. 计算：" + "中文 and words " * 6, "", "x" * 63,
                 "4. " + "长" * 29, "\u3000" * 31]
        texts = [*parts, *("\n".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)),
                 "\n".join(parts * 3), "y" * 200, "\n" * 70]
        for width in (6, 14, 20, 36, 40, 64):
            for _ in range(2):
                for text in texts:
                    assert writer._lines(text, width) == xlsx.wrapped_lines(text, width), (text, width)
    finally:
        wb.close()


def test_money_cells_keep_each_amounts_sign_and_fen(tmp_path: Path) -> None:
    """Money cells are computed once per amount: equal amounts written alike, but 0 and -0 (equal, and
    shown apart) each as itself."""
    path = tmp_path / "m.xlsx"
    amounts = [Decimal("1.5"), Decimal("1.50"), Decimal("0"), Decimal("-0.00"), Decimal("-0.001"), Decimal("0.00"),
               Decimal("2.345"), Decimal("2.3450"), Decimal("-0"), Decimal("1.5")]
    block = xlsx.Block(["amount"], ["money"], [[a] for a in amounts], len(amounts))
    xlsx.write_workbook(path, [xlsx.SheetPlan("m", [block])],
                        page=xlsx.Page(plan="p", ran_at=None, sha256="0" * 64, lang="zh"))
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert re.findall(r"<v>([^<]*)</v>", sheet) == ["1.5", "1.5", "0", "-0", "-0", "0", "2.35", "2.35", "-0", "1.5"]


def test_text_width_counts_wide_characters_as_unicodedata_does() -> None:
    """Column widths count East Asian wide and full-width characters two: CJK ideographs at once
    (every one of U+4E00…U+9FFF is wide), every other character beyond ASCII by unicodedata."""
    import random
    import unicodedata

    from hrcalc.render import cells

    assert all(unicodedata.east_asian_width(chr(i)) == "W" for i in range(0x4E00, 0xA000))

    def reference(text: str) -> int:
        return max(len(line) + sum(1 for ch in line if unicodedata.east_asian_width(ch) in "WF")
                   for line in text.split("\n"))

    rng = random.Random(12)
    alphabet = ["a", " ", "中", "文", "：", "，", "、", "…", "\u3000", "Ａ", "é", "😀", "\u4dff", "\ua000", "\uff61",
                "\n"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))) for _ in range(2000)]
    texts += [chr(i) for i in range(0x80, 0x30000, 7)]
    for text in texts:
        assert cells.text_width.__wrapped__(text) == reference(text), text
