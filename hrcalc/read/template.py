"""The blank input workbook clerks fill in: every sheet and column of schema.py, dropdowns, formats, a guide.

Everything comes from schema.py (sheets, headers, help texts, examples, kinds) and the policy
(award and tier names), so the template, the reader and the report never disagree. Headers are
exactly what the reader expects, so a template filled in by hand calculates without edits. Written
by the report's writer layer (hrcalc.render.xlsx: formats, safe text, page setup); every sheet
prints on A4, the guide (说明 / Guide) one page wide with its help texts wrapped.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from hrcalc.i18n import Lang, msg, register
from hrcalc.outputs import write_atomic
from hrcalc.policy import Policy
from hrcalc.read.schema import (
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
from hrcalc.render.xlsx import (
    DATE_FORMAT,
    LINE_HEIGHT,
    MONEY_FORMAT,
    Formats,
    Page,
    clean_text,
    new_workbook,
    setup_page,
    text_width,
    wrapped_lines,
    write_text,
)

register({
    "tpl.guide": ("说明", "Guide"),
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
_REQUIRED_FILL = "#F8CBAD"
_OPTIONAL_FILL = "#D9E1F2"
_GUIDE_WIDTHS = (14, 24, 26, 6, 22, 50, 22)  # sheet, header, other header, required, format, help, example
_NUMBER_FORMATS: dict[Kind, str] = {
    "money": MONEY_FORMAT,
    "date": DATE_FORMAT,
    "code": "@",  # 18-digit codes typed as numbers would lose their last digits
    "integer": "0",
    "year": "0",
}
_FORMATS: dict[str, dict[str, Any]] = {
    "required": {"bold": True, "bg_color": _REQUIRED_FILL, "valign": "vcenter", "border": 1},
    "optional": {"bold": True, "bg_color": _OPTIONAL_FILL, "valign": "vcenter", "border": 1},
    "rule": {"text_wrap": True, "valign": "top"},
    "spec": {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#F2F2F2", "border": 1},
    **{f"col_{kind}": {"num_format": fmt} for kind, fmt in _NUMBER_FORMATS.items()},
    "col_ident": {"num_format": "@"},
    **{f"ex_{kind}": {"num_format": fmt, "valign": "top", "border": 1} for kind, fmt in _NUMBER_FORMATS.items()
       if fmt != "@"},
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
    """Long dropdown lists go to a hidden sheet, written last; short ones into the validation itself."""

    def __init__(self, lang: Lang) -> None:
        self.title = _t("tpl.lists", lang)
        self.columns: list[list[str]] = []

    def formula(self, items: list[str]) -> str | list[str]:
        inline = ",".join(items)
        if len(inline) + 2 <= _LIST_LIMIT and not any("," in i or '"' in i for i in items):
            return items
        self.columns.append(items)
        letter = xl_col_to_name(len(self.columns) - 1)
        quoted = "'" + self.title.replace("'", "''") + "'"
        return f"={quoted}!${letter}$1:${letter}${len(items)}"

    def write(self, wb: Workbook) -> None:
        if not self.columns:
            return
        ws = wb.add_worksheet(self.title)
        ws.hide()
        for c, items in enumerate(self.columns):
            for r, item in enumerate(items):
                write_text(ws, r, c, item)


def _data_sheet(wb: Workbook, fmt: Formats, page: Page, spec: SheetSpec, policy: Policy, lang: Lang,
                lists: _Lists) -> None:
    ws = wb.add_worksheet(_sheet_name(spec, lang))
    widths = []
    for i, col in enumerate(spec.columns):
        sample = example(col, policy, lang)
        shown = sample.isoformat() if isinstance(sample, date) else str(sample)
        width = max(10, text_width(_header(col, lang)) + 4, text_width(shown) + 4)
        widths.append(width)
        kind_fmt = f"col_{col.kind}" if col.kind in _NUMBER_FORMATS else "col_ident" if col.ident else None
        ws.set_column(i, i, width, fmt[kind_fmt] if kind_fmt else None)
        write_text(ws, 0, i, _header(col, lang), fmt["required" if col.required else "optional"])
        help_text = col.help_zh if lang == "zh" else col.help_en
        items = choices(col.kind, policy, lang)
        options: dict[str, object] = {
            "validate": "list" if items else "any",
            "ignore_blank": True,
            "input_title": _header(col, lang)[:_PROMPT_TITLE_LIMIT],
            "input_message": help_text[:_PROMPT_LIMIT],
        }
        if items:
            options.update({"source": lists.formula(items), "error_type": "warning",
                            "error_title": _t("tpl.choose_title", lang), "error_message": _t("tpl.choose", lang)})
        ws.data_validation(1, i, MAX_ROW - 1, i, options)
    ws.freeze_panes(1, 0)
    setup_page(ws, page, width=sum(widths), repeat_row=0, fit=True)  # a form: its headers wrap, one page wide


def _guide(wb: Workbook, fmt: Formats, page: Page, policy: Policy, lang: Lang) -> None:
    ws = wb.add_worksheet(_t("tpl.guide", lang))
    last = len(_GUIDE_WIDTHS) - 1
    total = sum(_GUIDE_WIDTHS)
    for c, w in enumerate(_GUIDE_WIDTHS):
        ws.set_column(c, c, w)
    r = 0
    ws.set_row(r, 24)
    ws.merge_range(r, 0, r, last, _t("tpl.title", lang), fmt["heading"])
    r += 1
    for line in _t("tpl.rules", lang).split("\n"):
        ws.set_row(r, LINE_HEIGHT * wrapped_lines(line, total) + 3)
        ws.merge_range(r, 0, r, last, clean_text(line), fmt["rule"])
        r += 1
    r += 1
    header_row = r
    for c, key in enumerate(("tpl.sheet", "tpl.header", "tpl.header_other", "tpl.required", "tpl.format",
                             "tpl.help", "tpl.example")):
        write_text(ws, r, c, _t(key, lang), fmt["header"])
    r += 1
    yes, no = _t("tpl.yes", lang), _t("tpl.no", lang)
    for spec in SHEETS:
        help_text = spec.help_zh if lang == "zh" else spec.help_en
        ws.set_row(r, LINE_HEIGHT * wrapped_lines(help_text, total - _GUIDE_WIDTHS[0]) + 3)
        write_text(ws, r, 0, _sheet_name(spec, lang), fmt["spec"])
        ws.merge_range(r, 1, r, last, clean_text(help_text), fmt["spec"])
        r += 1
        for col in spec.columns:
            help_col = col.help_zh if lang == "zh" else col.help_en
            cells = [_sheet_name(spec, lang), _header(col, lang), col.en if lang == "zh" else col.zh,
                     yes if col.required else no, _t(f"tpl.kind.{col.kind}", lang), help_col]
            lines = max(wrapped_lines(v, _GUIDE_WIDTHS[c]) for c, v in enumerate(cells))
            ws.set_row(r, LINE_HEIGHT * lines + 3)
            for c, value in enumerate(cells):
                write_text(ws, r, c, value, fmt["wrap"])
            _write_example(ws, fmt, r, last, example(col, policy, lang), col)
            r += 1
    ws.freeze_panes(header_row + 1, 0)
    setup_page(ws, page, width=total, repeat_row=header_row, landscape=True)
    ws.activate()


def _write_example(ws: Worksheet, fmt: Formats, r: int, c: int, value: str | int | date, col: ColumnSpec) -> None:
    number = _NUMBER_FORMATS.get(col.kind)
    style = fmt[f"ex_{col.kind}"] if number is not None and number != "@" else fmt["wrap"]
    if isinstance(value, date):
        ws.write_datetime(r, c, value, style)
    elif isinstance(value, int):
        ws.write_number(r, c, value, style)
    else:
        write_text(ws, r, c, value, style)


def build_template(path: Path, policy: Policy, lang: Lang = "zh") -> None:
    """Write the template to `path`: the guide first, one sheet per record kind, the hidden lists last."""
    wb = new_workbook(path, constant_memory=False)
    fmt = Formats(wb, _FORMATS)
    page = Page(plan=policy.title if lang == "zh" else policy.title_en or policy.title, lang=lang)
    lists = _Lists(lang)
    _guide(wb, fmt, page, policy, lang)
    for spec in SHEETS:
        _data_sheet(wb, fmt, page, spec, policy, lang, lists)
    lists.write(wb)
    wb.close()


def write_template(path: Path, *, policy: Policy, lang: Lang = "zh", force: bool = False) -> None:
    """Write the template to `path` through a temporary file beside it (see outputs.write_atomic)."""

    def write(tmp: Path) -> None:
        build_template(tmp, policy, lang)

    write_atomic(path, write, force=force)
