"""`hrcalc template`: every sheet and column of the schema, dropdowns, formats, a guide, and a template
that, filled in by hand (here: by openpyxl, cell by cell), calculates without edits."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from hrcalc.policy import Policy
from hrcalc.policy.model import EmployerSubsidyRule, FixedOnceRule, HeadhuntingRule, ParkRule
from hrcalc.read.schema import PARK_LEVEL_NAMES_ZH, RECOGNITION_KIND_NAMES_ZH, SHEETS, SHEETS_BY_ID
from hrcalc.read.template import _Lists, example
from hrcalc.render.xlsx import new_workbook
from tests.builders import EMPLOYER, code
from tests.conftest import Invoke

GUIDE = {"zh": "说明", "en": "Guide"}


def make(invoke: Invoke, path: Path, lang: str) -> Any:
    res = invoke("template", path, "--lang", lang)
    assert res.exit_code == 0, res.output
    return load_workbook(path)


def sheet_name(sheet_id: str, lang: str) -> str:
    spec = SHEETS_BY_ID[sheet_id]
    return spec.name_zh if lang == "zh" else spec.name_en


def column_format(ws: Any, index: int) -> str:
    """The number format of the 0-based column (a <col> element may cover several columns)."""
    for dim in ws.column_dimensions.values():
        if dim.min <= index + 1 <= dim.max:
            return str(dim.number_format)
    return "General"


def validations(ws: Any) -> dict[str, Any]:
    """Column letter → its data validation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[rng.coord.split(":")[0].rstrip("0123456789")] = dv
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sheet_and_column_with_the_readers_headers(invoke: Invoke, tmp_path: Path, lang: str) -> None:
    wb = make(invoke, tmp_path / "t.xlsx", lang)
    assert wb.sheetnames == [GUIDE[lang], *(sheet_name(s.id, lang) for s in SHEETS)]
    for spec in SHEETS:
        ws = wb[sheet_name(spec.id, lang)]
        assert [c.value for c in ws[1]] == [c.zh if lang == "zh" else c.en for c in spec.columns]
        assert ws.max_row == 1  # blank: no example row a clerk would have to delete
        assert ws.freeze_panes == "A2"
        required = {c.value for c in ws[1] if c.fill.fgColor.rgb.endswith("F8CBAD")}
        assert required == {c.zh if lang == "zh" else c.en for c in spec.columns if c.required}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dropdowns(invoke: Invoke, tmp_path: Path, lang: str, bundled: Policy) -> None:
    wb = make(invoke, tmp_path / "t.xlsx", lang)
    zh = lang == "zh"
    expected = {
        "boolean": ["是", "否"] if zh else ["yes", "no"],
        "talent_class": ["A", "B", "C", "D", "E"],
        "recognition_kind": list(RECOGNITION_KIND_NAMES_ZH.values() if zh else RECOGNITION_KIND_NAMES_ZH),
        "park_level": list(PARK_LEVEL_NAMES_ZH.values() if zh else PARK_LEVEL_NAMES_ZH),
        "award": [bundled.award_name(a, "zh") if zh else a for a in bundled.awards],
        "tier": list(bundled.tier_names().values() if zh else bundled.tier_names()),
    }
    seen = set()
    for spec in SHEETS:
        ws = wb[sheet_name(spec.id, lang)]
        dvs = validations(ws)
        for i, col in enumerate(spec.columns):
            letter = chr(ord("A") + i)
            dv = dvs[letter]
            assert str(dv.sqref) == f"{letter}2:{letter}1048576"
            assert dv.prompt == (col.help_zh if zh else col.help_en)[:255]  # the column's help on selection
            if col.kind in expected:
                seen.add(col.kind)
                assert dv.type == "list" and dv.errorStyle == "warning"
                assert dv.formula1 == '"' + ",".join(expected[col.kind]) + '"', (spec.id, col.field)
            else:
                assert dv.type is None
    assert seen == set(expected)


def test_number_formats(invoke: Invoke, tmp_path: Path) -> None:
    wb = make(invoke, tmp_path / "t.xlsx", "zh")
    formats = {"date": "yyyy-mm-dd", "money": "#,##0.00", "code": "@", "year": "0", "integer": "0"}
    for spec in SHEETS:
        ws = wb[sheet_name(spec.id, "zh")]
        for i, col in enumerate(spec.columns):
            fmt = column_format(ws, i)
            if col.kind in formats:
                assert fmt == formats[col.kind], (spec.id, col.field)
            elif col.ident:
                assert fmt == "@", (spec.id, col.field)  # ids keep leading zeros and long digits


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_guide_explains_every_column_with_an_example(invoke: Invoke, tmp_path: Path, lang: str,
                                                     bundled: Policy) -> None:
    wb = make(invoke, tmp_path / "t.xlsx", lang)
    rows = list(wb[GUIDE[lang]].iter_rows(values_only=True))
    explained = {(r[0], r[1]): r for r in rows if r[0] and r[1] and len(r) >= 7 and r[2] is not None}
    for spec in SHEETS:
        for col in spec.columns:
            row = explained[(sheet_name(spec.id, lang), col.zh if lang == "zh" else col.en)]
            assert row[5] == (col.help_zh if lang == "zh" else col.help_en)
            shown = row[6].date() if hasattr(row[6], "date") else row[6]
            assert shown == example(col, bundled, lang)



@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sheet_prints_on_a4(invoke: Invoke, tmp_path: Path, lang: str) -> None:
    """The guide one page wide (not split by column), its help wrapped in rows tall enough; every
    data sheet with its header row on every page and the page header and footer."""
    wb = make(invoke, tmp_path / "t.xlsx", lang)
    for ws in wb.worksheets:
        if ws.sheet_state == "hidden":
            continue
        assert ws.page_setup.paperSize == 9, ws.title
        pages_wide = ws.page_setup.fitToWidth or 1  # 1, the default, is left out of the file
        assert ws.sheet_properties.pageSetUpPr.fitToPage and pages_wide == 1, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        assert "&A" in ws.oddHeader.left.text and "&P" in ws.oddFooter.left.text, ws.title
        assert ws.print_title_rows, ws.title
    guide = wb[GUIDE[lang]]
    assert guide.page_setup.orientation == "landscape"
    assert sum(d.width for d in guide.column_dimensions.values()) <= 140 / 0.7 + 10
    helps = [r for r in guide.iter_rows(min_row=2) if r[5].value and r[2].value]
    assert helps and all(r[5].alignment.wrap_text for r in helps)
    tall = [r for r in helps if len(str(r[5].value)) > 50]
    assert tall and all(guide.row_dimensions[r[5].row].height >= 30 for r in tall)


def test_english_examples_use_ids(bundled: Policy) -> None:
    kinds = {c.kind: c for s in SHEETS for c in s.columns}
    assert example(kinds["recognition_kind"], bundled, "en") == "high_tech"
    assert example(kinds["park_level"], bundled, "en") == "national_park"
    assert example(kinds["award"], bundled, "en") == "headhunting"
    assert example(kinds["tier"], bundled, "en") == "salary_500k"
    placements = SHEETS_BY_ID["placements"]
    assert example(placements.column("key_enterprise"), bundled, "en") == "yes"  # 是
    assert example(placements.column("urgent_need"), bundled, "en") == "no"  # 否


def test_long_lists_go_to_a_hidden_sheet(tmp_path: Path) -> None:
    lists = _Lists("zh")
    assert lists.formula(["是", "否"]) == ["是", "否"]
    ref = lists.formula(["x" * 100, "y" * 100, "z" * 100])
    assert ref == "='选项'!$A$1:$A$3"
    assert lists.formula(["a,b", "c"]) == "='选项'!$B$1:$B$2"
    wb = new_workbook(tmp_path / "l.xlsx", constant_memory=False)
    wb.add_worksheet("data")
    lists.write(wb)
    wb.close()
    back = load_workbook(tmp_path / "l.xlsx")
    assert back.sheetnames == ["data", "选项"] and back["选项"].sheet_state == "hidden"
    assert back["选项"]["A3"].value == "z" * 100 and back["选项"]["B1"].value == "a,b"
    assert back["选项"]["C1"].value is None


def test_blank_template_validates(invoke: Invoke, tmp_path: Path) -> None:
    make(invoke, tmp_path / "t.xlsx", "zh")
    res = invoke("validate", tmp_path / "t.xlsx", "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "No errors: 0 record(s)" in res.stdout


def _fill(path: Path, lang: str, rows: dict[str, list[dict[str, object]]]) -> None:
    """Type rows under the template's headers, cell by cell, as a clerk would; save in place."""
    wb = load_workbook(path)
    for sheet_id, records in rows.items():
        spec = SHEETS_BY_ID[sheet_id]
        ws = wb[sheet_name(sheet_id, lang)]
        for r, record in enumerate(records, start=2):
            for c, col in enumerate(spec.columns, start=1):
                if col.field in record:
                    ws.cell(row=r, column=c, value=record[col.field])
    wb.save(path)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_filled_template_calculates_without_edits(invoke: Invoke, tmp_path: Path, lang: str,
                                                  bundled: Policy) -> None:
    path = tmp_path / "t.xlsx"
    make(invoke, path, lang)
    zh = lang == "zh"
    yes, no = ("是", "否") if zh else ("yes", "no")
    inst, employer = code(7), EMPLOYER
    _fill(path, lang, {
        "institutions": [{"credit_code": inst, "name": "合肥示例人力资源有限公司", "district": "蜀山区",
                          "employees": 30}],
        "placements": [
            {"placement_id": "P-1", "credit_code": inst, "employer_name": "合肥示例科技有限公司",
             "employer_credit_code": employer, "key_enterprise": yes, "from_outside_city": yes,
             "urgent_need": yes, "annual_salary": 600000, "headhunting_fee": 100000,
             "placement_date": date(2025, 3, 1)},
            {"placement_id": "P-2", "credit_code": inst, "employer_name": "合肥示例科技有限公司",
             "employer_credit_code": employer, "key_enterprise": no, "from_outside_city": yes,
             "talent_class": "B", "annual_salary": 200000, "headhunting_fee": 40000,
             "placement_date": date(2025, 4, 1)},
        ],
        "recognitions": [{"credit_code": inst, "kind": "高新技术企业" if zh else "high_tech",
                          "date": date(2025, 5, 1), "reference": "皖科高〔2025〕1号"}],
        "parks": [{"park_id": "PK-1", "name": "示例产业园", "district": "蜀山区",
                   "level": "省级人力资源服务产业园" if zh else "provincial_park", "date": date(2025, 6, 1)}],
    })
    out = tmp_path / "r.json"
    res = invoke("calculate", path, "--json", out, "-q")
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["complete"] is True
    assert not [i for i in data["issues"] if i["severity"] in ("error", "warning")]
    got = {(p["payee_id"], a["award"], a["record_id"]): Decimal(a["amount"]) for p in data["payees"]
           for a in p["awards"]}

    hh = next(r for r in bundled.awards.values() if isinstance(r, HeadhuntingRule))
    tier = max((t for t in hh.salary_tiers if t.min_salary <= 600000), key=lambda t: t.min_salary)
    es = next(r for r in bundled.awards.values() if isinstance(r, EmployerSubsidyRule))
    high_tech = next(r for r in bundled.awards.values()
                     if isinstance(r, FixedOnceRule) and r.recognition == "high_tech")
    park = next(r for r in bundled.awards.values() if isinstance(r, ParkRule))
    assert got == {
        (inst, "headhunting", "P-1"): tier.rate * 100000,
        (inst, "headhunting", "P-2"): hh.talent_class_rate * 40000,
        (employer, "employer_subsidy", "P-1"): min(es.rate * 100000, es.cap),
        (inst, "high_tech", "皖科高〔2025〕1号"): high_tech.amount,
        ("蜀山区", "park", "PK-1"): next(lv.amount for lv in park.levels if lv.level == "provincial_park"),
    }


def test_template_is_never_written_over_a_file(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"
    target.write_bytes(b"a clerk's filled template")
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    res = invoke("template", target, "--lang", "en")
    assert res.exit_code == 2 and "--force" in res.stderr
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert invoke("template", target, "--force").exit_code == 0
    assert load_workbook(target).sheetnames[0] == GUIDE["zh"]
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    bad = invoke("template", tmp_path / "afile" / "t.xlsx", "--lang", "en")
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "t.xlsx"]
