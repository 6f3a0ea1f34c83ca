"""How every printed page of an hrcalc workbook looks: A4, its header and footer, orientation and fit."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from xlsxwriter.worksheet import Worksheet

from hrcalc.render.cells import clean_text

PORTRAIT_CHARS, LANDSCAPE_CHARS = 95, 140  # A4 at 100 %, 0.5" margins, in character units
LEGIBLE_SCALE = 0.7  # fit to the page width only down to this scale
PORTRAIT_SCALE = 0.85  # narrower than this at portrait: the sheet prints landscape


@dataclass(frozen=True, slots=True)
class Page:
    """What every printed page says: in its header the sheet and the plan, in its footer the page,
    the run's time and the input's SHA-256 prefix."""

    plan: str
    ran_at: datetime | None = None
    sha256: str = ""
    lang: str = "zh"

    def header(self) -> str:
        return f"&L&A&R{_hf(self.plan)}"

    def footer(self) -> str:
        zh = self.lang == "zh"
        page = "第 &P 页，共 &N 页" if zh else "Page &P of &N"
        parts = [f"&L{page}"]
        if self.ran_at is not None:
            parts.append(("&C计算时间 " if zh else "&CRun ") + self.ran_at.strftime("%Y-%m-%d %H:%M"))
        if self.sha256:
            parts.append(("&R输入 SHA-256 " if zh else "&RInput SHA-256 ") + self.sha256[:12])
        return "".join(parts)


def _hf(text: str) -> str:
    """Text inside a page header: & doubled, within Excel's 255-character limit."""
    return clean_text(text).replace("&", "&&")[:120]


def setup_page(ws: Worksheet, page: Page, *, width: float, repeat_row: int | None = None,
               repeat_cols: int = 0, repeat_width: float = 0, landscape: bool | None = None,
               fit: bool = False) -> None:
    """A4, the page header and footer, the header row on every page; the orientation by `width`
    (character units), fit to the page width only where the print stays legible (or when `fit`)."""
    ws.set_paper(9)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    ws.set_header(page.header(), {"margin": 0.3})
    ws.set_footer(page.footer(), {"margin": 0.3})
    if landscape is None:
        landscape = width > PORTRAIT_CHARS / PORTRAIT_SCALE
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    capacity = LANDSCAPE_CHARS if landscape else PORTRAIT_CHARS
    if fit or width <= capacity / LEGIBLE_SCALE:
        ws.fit_to_pages(1, 0)
    else:  # too wide to shrink legibly: each row continues on the next page, its first columns repeated
        ws.print_across()
        ws.fit_to_pages(math.ceil(width / (capacity - repeat_width)), 0)
        if repeat_cols:
            ws.repeat_columns(0, repeat_cols - 1)
    if repeat_row is not None:
        ws.repeat_rows(repeat_row)
