"""`compare -o`: the comparison as a workbook (xlsxwriter): the tables, and base against alternative by award
as a chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hrcalc.render.compare  # noqa: F401  registers the cmp.* texts this workbook shares with the terminal
from hrcalc.compare import Comparison, Pair
from hrcalc.i18n import Lang, msg, register

register({
    "cmpx.sheet.summary": ("测算汇总", "Summary"),
    "cmpx.sheet.district": ("按区县", "By district"),
    "cmpx.sheet.year": ("按年度", "By year"),
    "cmpx.sheet.payees": ("受奖主体", "Payees"),
    "cmpx.sheet.largest": ("变化最大", "Largest changes"),
    "cmpx.chart": ("按奖励项目：基准与备选", "By award: base and alternative"),
    "cmpx.amount": ("金额（元）", "Amount (yuan)"),
    "cmpx.payee_id": ("统一社会信用代码/区县", "Payee ID"),
    "cmpx.name": ("名称", "Name"),
    "cmpx.type": ("类型", "Type"),
    "cmpx.counts": ("增加 / 减少 / 不变", "Gain / lose / unchanged"),
    "cmpx.set": ("参数调整", "Values changed"),
    "cmpx.award_id": ("奖励编号", "Award id"),
})

MONEY_FORMAT = "#,##0.00"


def _t(key: str, lang: Lang, **params: object) -> str:
    return msg(key, **params).render(lang)


class _Sheet:
    """One worksheet written row by row: text always as text (never a formula), money as numbers."""

    def __init__(self, book: Any, name: str, fmt: dict[str, Any]) -> None:
        self.ws = book.add_worksheet(name)
        self.fmt = fmt
        self.row = 0
        self.widths: dict[int, int] = {}

    def put(self, values: list[Any], style: str | None = None) -> int:
        for col, value in enumerate(values):
            fmt = self.fmt.get(style) if style else None
            if value is None:
                continue
            if isinstance(value, Pair):
                raise TypeError("write a pair's figures")
            if isinstance(value, int | float) and not isinstance(value, bool):
                self.ws.write_number(self.row, col, value, fmt)
            elif hasattr(value, "as_tuple"):  # Decimal money
                self.ws.write_number(self.row, col, float(value), self.fmt["money_bold" if style else "money"])
                self.widths[col] = max(self.widths.get(col, 8), len(f"{value:,.2f}") + 1)
            else:
                text = str(value)
                self.ws.write_string(self.row, col, text, fmt)
                if style == "title":  # a title spills over its neighbours; it does not size the column
                    continue
                self.widths[col] = max(self.widths.get(col, 8), min(60, sum(2 if ord(c) > 127 else 1 for c in text)))
        self.row += 1
        return self.row - 1

    def finish(self) -> None:
        for col, width in self.widths.items():
            self.ws.set_column(col, col, width + 2)
        self.ws.set_landscape()
        self.ws.fit_to_pages(1, 0)  # one page wide when printed


def _block(sheet: _Sheet, head: list[str], rows: list[tuple[list[Any], Pair]], lang: Lang,
           total: Pair | None = None) -> tuple[int, int]:
    """A header, rows of labels with base/alternative/difference, a total; the first and last data rows."""
    cols = [_t("cmp.base", lang), _t("cmp.alternative", lang), _t("cmp.difference", lang)]
    sheet.put([*head, *cols], "head")
    first = sheet.row
    for labels, pair in rows:
        sheet.put([*labels, pair.base, pair.alternative, pair.difference])
    last = sheet.row - 1
    if total is not None:
        sheet.put([_t("cmp.total", lang), *([""] * (len(head) - 1)), total.base, total.alternative,
                   total.difference], "bold")
    sheet.ws.autofilter(first - 1, 0, max(first, last), len(head) + 2)
    return first, last


def write_compare(cmp: Comparison, path: Path, lang: Lang) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    fmt = {"head": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
           "bold": book.add_format({"bold": True}),
           "title": book.add_format({"bold": True, "font_size": 14}),
           "money": book.add_format({"num_format": MONEY_FORMAT}),
           "money_bold": book.add_format({"num_format": MONEY_FORMAT, "bold": True})}
    summary = _Sheet(book, _t("cmpx.sheet.summary", lang), fmt)
    summary.put([_t("cmp.title", lang)], "title")
    for key, side in (("cmp.base", cmp.base), ("cmp.alternative", cmp.alternative)):
        summary.put([_t(key, lang), ", ".join(side.policies)])
        for c in side.changes:
            summary.put([_t("cmpx.set", lang), f"{c.plan_id} {c.key}", c.old, c.new])
    summary.put([_t("cmpx.counts", lang), cmp.gainers, cmp.losers, cmp.unchanged])
    summary.row += 1
    rows = [([cmp.award_name(a, lang), a], pair) for a, pair in cmp.by_award.items()]
    first, last = _block(summary, [_t("cmp.award", lang), _t("cmpx.award_id", lang)], rows, lang, cmp.total)
    summary.finish()
    if rows:
        name = summary.ws.name
        chart = book.add_chart({"type": "column"})
        for col, key in ((2, "cmp.base"), (3, "cmp.alternative")):
            chart.add_series({"name": _t(key, lang), "categories": [name, first, 0, last, 0],
                              "values": [name, first, col, last, col]})
        chart.set_title({"name": _t("cmpx.chart", lang)})
        chart.set_y_axis({"name": _t("cmpx.amount", lang), "num_format": "#,##0"})
        chart.set_size({"width": 900, "height": 420})
        summary.ws.insert_chart(summary.row + 1, 0, chart)
    for key, head, items in (
        ("cmpx.sheet.district", "cmp.district", [([d], p) for d, p in cmp.by_district.items()]),
        ("cmpx.sheet.year", "cmp.year", [([str(y)], p) for y, p in cmp.by_year.items()]),
    ):
        sheet = _Sheet(book, _t(key, lang), fmt)
        _block(sheet, [_t(head, lang)], items, lang, cmp.total)
        sheet.finish()
    for key, payees in (("cmpx.sheet.payees", cmp.payees), ("cmpx.sheet.largest", cmp.largest)):
        sheet = _Sheet(book, _t(key, lang), fmt)
        _block(sheet, [_t("cmpx.payee_id", lang), _t("cmpx.name", lang), _t("cmpx.type", lang),
                       _t("cmp.district", lang)],
               [([p.payee_id, p.name, p.payee_type, p.district or ""], p.figures) for p in payees], lang,
               cmp.total if key == "cmpx.sheet.payees" else None)
        sheet.ws.freeze_panes(1, 2)
        sheet.finish()
    book.close()
