"""Native charts on a report sheet, drawn from a block of rows another sheet holds (hrcalc.render.xlsx)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from hrcalc.render.cells import clean_text

CHART_WIDTH = 680  # pixels: A4 portrait's printable width


@dataclass(frozen=True, slots=True)
class Chart:
    """A native chart of one block's data rows, categories from one column and values from another,
    on the sheet named `sheet` (written before the chart's own sheet)."""

    title: str
    sheet: str
    block: int
    categories: int
    values: int
    kind: Literal["bar", "column", "pie"] = "bar"


def insert_chart(wb: xlsxwriter.Workbook, ws: Worksheet, spec: Chart, first: int, last: int, r: int) -> int:
    """Insert a chart of the data rows first…last of spec.sheet at row r (under the previous one); the
    row after it."""
    if last < first:
        return r
    chart = wb.add_chart({"type": spec.kind})
    assert chart is not None
    sheet = clean_text(spec.sheet)[:31]
    count = last - first + 1
    chart.add_series({
        "name": spec.title,
        "categories": [sheet, first, spec.categories, last, spec.categories],
        "values": [sheet, first, spec.values, last, spec.values],
        "data_labels": {"value": True, "num_format": "#,##0", "font": {"size": 8}},
        "gap": 60,
    })
    chart.set_title({"name": spec.title, "name_font": {"size": 12}})
    chart.set_legend({"none": True})
    height = max(260, min(900, 80 + 26 * count)) if spec.kind == "bar" else 320
    chart.set_size({"width": CHART_WIDTH, "height": height})
    values_axis = {"num_format": "#,##0", "num_font": {"size": 8}, "major_gridlines": {"visible": True}}
    categories_axis = {"num_font": {"size": 9}, "interval_unit": 1}
    if spec.kind == "bar":  # categories read top to bottom, in the table's order
        chart.set_x_axis(values_axis)
        chart.set_y_axis({**categories_axis, "reverse": True})
    else:
        chart.set_x_axis(categories_axis)
        chart.set_y_axis(values_axis)
    ws.insert_chart(r, 0, chart)
    return r + math.ceil(height / 20) + 1
