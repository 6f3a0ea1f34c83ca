"""The blank input workbook clerks fill in: every sheet and column of schema.py, dropdowns, formats, a guide.

Everything comes from schema.py (sheets, headers, help texts, examples, kinds) and the policy
(award and tier names), so the template, the reader and the report never disagree. Headers are
exactly what the reader expects, so a template filled in by hand calculates without edits.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from hrcalc.i18n import Lang, msg, register
from hrcalc.outputs import write_atomic
from hrcalc.policy import Policy
from hrcalc.render.xlsx import DATE_FORMAT, MONEY_FORMAT, clean_text, text_width
from hrcalc.schema import (
    BOOLEAN_WORDS,
    PARK_LEVEL_ALIASES,
    PARK_LEVEL_NAMES_ZH,
    RECOGNITION_KIND_ALIASES,
    RECOGNITION_KIND_NAMES_ZH,
    SHEETS,
    TALENT_CLASS_CHOICES,
    ColumnSpec,
    Kind,
    SheetSpec,
    fold,
)

register({
    "tpl.guide": ("说明", "Instructions"),
    "tpl.lists": ("选项", "Choices"),
    "tpl.title": ("合肥市人力资源服务业奖励计算 · 输入模板填表说明", "hrcalc input template: how to fill it in"),
    "tpl.rules": (
        "每类记录一张工作表，表头在第 1 行。请勿修改工作表名称和表头；金额列可在表头后加单位，如“营业收入(万元)”。\n"
        "橙色表头为必填列，蓝色表头为选填列。选中单元格可看到该列的填写说明；带下拉箭头的列可从列表中选择。\n"
        "是/否列可填 是/否、Y/N、yes/no、true/false、1/0、✓/✗。\n"
        "日期可填 Excel 日期、2025-03-01、2025/3/1 或 2025年3月1日。\n"
        "金额以元为单位；数字中不要写“万”“元”等字，单位写在表头括号中。\n"
        "统一社会信用代码和各类编号列已设为文本格式，请勿改为数字格式，否则 18 位代码会丢失末几位。\n"
        "没有某类记录时，该表留空即可，不要删除表头。本说明表不参与计算。",
        "One sheet per kind of record, headers in row 1. Do not rename sheets or headers; a money "
        "header may carry a unit in brackets, e.g. \"revenue (10k yuan)\".\n"
        "Orange headers are required columns, blue ones optional. Select a cell to see its column's "
        "help; columns with a dropdown arrow offer a list.\n"
        "Yes/no columns take 是/否, Y/N, yes/no, true/false, 1/0 or ✓/✗.\n"
        "Dates may be Excel dates, 2025-03-01, 2025/3/1 or 2025年3月1日.\n"
        "Money is in yuan; write no unit words inside numbers, put the unit in the header.\n"
        "Credit codes and ids are formatted as text: keep them so, or Excel drops the last digits of "
        "an 18-digit code.\n"
        "Leave a sheet empty (keep its headers) when there are no records of that kind. This sheet is "
        "not read.",
    ),
    "tpl.sheet": ("工作表", "Sheet"),
    "tpl.header": ("表头", "Header"),
    "tpl.header_other": ("英文表头", "Chinese header"),
    "tpl.required": ("必填", "Required"),
    "tpl.format": ("格式", "Format"),
    "tpl.help": ("说明", "Help"),
    "tpl.example": ("示例", "Example"),
    "tpl.yes": ("是", "yes"),
    "tpl.no": ("否", "no"),
    "tpl.examples": ("示例行（仅供参考，请勿抄入数据表）",
                     "Example rows (for reference; do not copy them into the data sheets)"),
    "tpl.choose": ("请从下拉列表中选择；说明表中列出的其他写法也可以。",
                   "Choose from the list; the other spellings on the Instructions sheet are accepted too."),
    "tpl.choose_title": ("不在列表中", "Not in the list"),
    "tpl.kind.text": ("文本", "text"),
    "tpl.kind.code": ("18 位统一社会信用代码（文本）", "18-character credit code (text)"),
    "tpl.kind.money": ("金额（元）", "money (yuan)"),
    "tpl.kind.integer": ("整数", "whole number"),
    "tpl.kind.year": ("年份", "year"),
    "tpl.kind.boolean": ("是/否（下拉）", "yes/no (dropdown)"),
    "tpl.kind.date": ("日期", "date"),
    "tpl.kind.talent_class": ("A–E（下拉）", "A–E (dropdown)"),
    "tpl.kind.recognition_kind": ("认定类别（下拉）", "recognition kind (dropdown)"),
    "tpl.kind.park_level": ("园区级别（下拉）", "park level (dropdown)"),
    "tpl.kind.award": ("奖励项目（下拉）", "award (dropdown)"),
    "tpl.kind.tier": ("档次（下拉）", "tier (dropdown)"),
})

MAX_ROW = 1048576  # Excel's last row: formats and dropdowns cover the whole column below the header
_LIST_LIMIT = 255  # Excel's limit for a list written into the validation itself
_PROMPT_LIMIT = 255
_PROMPT_TITLE_LIMIT = 32
_REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
_OPTIONAL_FILL = PatternFill("solid", fgColor="D9E1F2")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_GUIDE_MAX_WIDTH = 70
_PLAIN = ColumnSpec("", "", "", False, "text", "", "", "")
_NUMBER_FORMATS: dict[Kind, str] = {
    "money": MONEY_FORMAT,
    "date": DATE_FORMAT,
    "code": "@",  # 18-digit codes typed as numbers would lose their last digits
    "integer": "0",
    "year": "0",
}


def _t(key: str, lang: Lang) -> str:
    return msg(key).render(lang)


def _header(col: ColumnSpec, lang: Lang) -> str:
    return col.zh if lang == "zh" else col.en


def _sheet_name(spec: SheetSpec, lang: Lang) -> str:
    return spec.name_zh if lang == "zh" else spec.name_en


def choices(kind: Kind, policy: Policy, lang: Lang) -> list[str] | None:
    """The dropdown of a column kind, in the template's language; None for a free column."""
    zh = lang == "zh"
    if kind == "boolean":
        return [_t("tpl.yes", lang), _t("tpl.no", lang)]
    if kind == "talent_class":
        return list(TALENT_CLASS_CHOICES)
    if kind == "recognition_kind":
        return list(RECOGNITION_KIND_NAMES_ZH.values() if zh else RECOGNITION_KIND_NAMES_ZH)
    if kind == "park_level":
        return list(PARK_LEVEL_NAMES_ZH.values() if zh else PARK_LEVEL_NAMES_ZH)
    if kind == "award":
        return [policy.award_name(a, "zh") if zh else a for a in policy.awards]
    if kind == "tier":
        names = policy.tier_names()
        return list(names.values() if zh else names)
    return None


def example(col: ColumnSpec, policy: Policy, lang: Lang) -> str | int | date:
    """The column's example from schema.py, spelled as the template's dropdown spells it."""
    value = col.example
    if lang == "zh" or not isinstance(value, str):
        return value
    if col.kind == "boolean":
        return _t("tpl.yes" if BOOLEAN_WORDS.get(fold(value)) else "tpl.no", lang)
    aliases = {
        "recognition_kind": RECOGNITION_KIND_ALIASES,
        "park_level": PARK_LEVEL_ALIASES,
        "award": {fold(k): v for k, v in policy.award_aliases().items()},
        "tier": {fold(k): v for k, v in policy.tier_aliases().items()},
    }.get(col.kind)
    return aliases.get(fold(value), value) if aliases is not None else value


class _Lists:
    """Long dropdown lists go to a hidden sheet; short ones are written into the validation."""

    def __init__(self, wb: Any, lang: Lang) -> None:
        self.wb = wb
        self.lang = lang
        self.ws: Any = None
        self.columns = 0

    def formula(self, items: list[str]) -> str:
        inline = ",".join(items)
        if len(inline) + 2 <= _LIST_LIMIT and not any("," in i or '"' in i for i in items):
            return f'"{inline}"'
        if self.ws is None:
            self.ws = self.wb.create_sheet(_t("tpl.lists", self.lang))
            self.ws.sheet_state = "hidden"
        self.columns += 1
        letter = get_column_letter(self.columns)
        for row, item in enumerate(items, start=1):
            self.ws.cell(row=row, column=self.columns, value=clean_text(item)).data_type = "s"
        return f"{quote_sheetname(self.ws.title)}!${letter}$1:${letter}${len(items)}"


def _data_sheet(wb: Any, spec: SheetSpec, policy: Policy, lang: Lang, lists: _Lists) -> None:
    ws = wb.create_sheet(_sheet_name(spec, lang))
    for i, col in enumerate(spec.columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i, value=_header(col, lang))
        cell.font = _BOLD
        cell.fill = _REQUIRED_FILL if col.required else _OPTIONAL_FILL
        cell.alignment = Alignment(vertical="center")
        dim = ws.column_dimensions[letter]
        sample = example(col, policy, lang)
        shown = sample.isoformat() if isinstance(sample, date) else str(sample)
        dim.width = max(10, text_width(_header(col, lang)) + 4, text_width(shown) + 4)
        fmt = _NUMBER_FORMATS.get(col.kind) or ("@" if col.ident else None)
        if fmt is not None:
            dim.number_format = fmt
        help_text = col.help_zh if lang == "zh" else col.help_en
        items = choices(col.kind, policy, lang)
        dv = DataValidation(
            type="list" if items else None,
            formula1=lists.formula(items) if items else None,
            allow_blank=True,
            showInputMessage=True,
            promptTitle=_header(col, lang)[:_PROMPT_TITLE_LIMIT],
            prompt=help_text[:_PROMPT_LIMIT],
            showErrorMessage=bool(items),
            errorStyle="warning",  # other accepted spellings (Y, A类, ids) stay possible
            errorTitle=_t("tpl.choose_title", lang),
            error=_t("tpl.choose", lang),
        )
        dv.add(f"{letter}2:{letter}{MAX_ROW}")
        ws.add_data_validation(dv)
    ws.freeze_panes = "A2"


def _last_row(ws: Any, width: int) -> tuple[Any, ...]:
    row: tuple[Any, ...] = next(ws.iter_rows(min_row=ws.max_row, max_row=ws.max_row, max_col=width))
    return row


def _guide(ws: Any, policy: Policy, lang: Lang) -> None:
    ws.title = _t("tpl.guide", lang)
    widths: dict[int, int] = {}

    def add(values: list[Any], *, font: Font | None = None, fit: bool = True,
            specs: tuple[ColumnSpec, ...] = ()) -> None:
        ws.append(values)
        for i, cell in enumerate(_last_row(ws, len(values)), start=1):
            if font is not None:
                cell.font = font
            if i - 1 < len(specs):
                _format_example(cell, specs[i - 1])
            if fit and cell.value is not None:
                shown = cell.value.isoformat() if isinstance(cell.value, date) else str(cell.value)
                widths[i] = max(widths.get(i, 10), text_width(shown) + 2)

    add([_t("tpl.title", lang)], font=_TITLE, fit=False)
    for line in _t("tpl.rules", lang).split("\n"):
        add([line], fit=False)
    add([])
    add([_t(k, lang) for k in ("tpl.sheet", "tpl.header", "tpl.header_other", "tpl.required", "tpl.format",
                               "tpl.help", "tpl.example")], font=_BOLD)
    header_row = ws.max_row
    for cell in _last_row(ws, 7):
        cell.fill = _OPTIONAL_FILL
    yes, no = _t("tpl.yes", lang), _t("tpl.no", lang)
    for spec in SHEETS:
        add([_sheet_name(spec, lang), spec.help_zh if lang == "zh" else spec.help_en], font=_BOLD, fit=False)
        for col in spec.columns:
            add([_sheet_name(spec, lang), _header(col, lang), col.en if lang == "zh" else col.zh,
                 yes if col.required else no, _t(f"tpl.kind.{col.kind}", lang),
                 col.help_zh if lang == "zh" else col.help_en, example(col, policy, lang)],
                specs=(*[_PLAIN] * 6, col))
    add([])
    add([_t("tpl.examples", lang)], font=_TITLE, fit=False)
    for spec in SHEETS:
        add([])
        add([_sheet_name(spec, lang)], font=_BOLD, fit=False)
        add([_header(c, lang) for c in spec.columns])
        for cell, col in zip(_last_row(ws, len(spec.columns)), spec.columns, strict=True):
            cell.fill = _REQUIRED_FILL if col.required else _OPTIONAL_FILL
        add([example(c, policy, lang) for c in spec.columns], specs=spec.columns)
    for i, w in widths.items():
        ws.column_dimensions[get_column_letter(i)].width = min(w, _GUIDE_MAX_WIDTH)
    ws.freeze_panes = f"A{header_row + 1}"


def _format_example(cell: Any, col: ColumnSpec) -> None:
    fmt = _NUMBER_FORMATS.get(col.kind)
    if fmt is not None and fmt != "@":
        cell.number_format = fmt
    if isinstance(cell.value, str):
        cell.data_type = "s"


def build_template(policy: Policy, lang: Lang = "zh") -> Any:
    """The template as an openpyxl Workbook: the guide first, then one sheet per record kind."""
    wb = Workbook()
    _guide(wb.active, policy, lang)
    lists = _Lists(wb, lang)
    for spec in SHEETS:
        _data_sheet(wb, spec, policy, lang, lists)
    if lists.ws is not None:
        wb.move_sheet(lists.ws, offset=len(wb.sheetnames))  # keep the hidden list sheet last
    wb.active = 0
    return wb


def write_template(path: Path, *, policy: Policy, lang: Lang = "zh", force: bool = False) -> None:
    """Write the template to `path` through a temporary file beside it (see outputs.write_atomic)."""

    def write(tmp: Path) -> None:
        build_template(policy, lang).save(tmp)

    write_atomic(path, write, force=force)
