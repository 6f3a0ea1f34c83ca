"""Tables that fit the terminal: ids and amounts whole, long texts wrapped, a stacked layout when narrow.

rich shrinks a table that is too wide by cutting every column with "…", ids and amounts too. Here
each column's width is worked out first: ids and amounts (`fixed`) keep their full width, texts
wrap (hrcalc.render.wrap: never inside an id or a number), and when even that does not fit, each
row is printed as a block of "header：value" lines, every value in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from hrcalc.render.wrap import cell_len, min_width, wrap

Cell = str | Text


@dataclass(frozen=True)
class Column:
    """One column: `fixed` for ids and amounts (never wrapped); `least` the narrowest a wrapped
    column is worth showing as a column (below it, the table is stacked)."""

    header: str
    justify: Literal["left", "right"] = "left"
    fixed: bool = False
    least: int = 4
    footer: str = ""
    break_before: bool = False
    """Stacked: start this field on a new line (the reason of a claim, the amounts)."""


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def _styled(cell: Cell, lines: list[str]) -> Cell:
    text = "\n".join(lines)
    return Text(text, style=cell.style) if isinstance(cell, Text) else text


def _widest(text: str) -> int:
    return max((cell_len(line) for line in text.split("\n")), default=0)


def widths(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], room: int) -> list[int] | None:
    """Each column's width inside `room` cells (borders and padding counted), or None: stack it."""
    texts = [[c.header, c.footer] + [_plain(r[i]) for r in rows] for i, c in enumerate(columns)]
    natural = [max(_widest(t) for t in col) for col in texts]
    least = [n if c.fixed else min(n, max(c.least, max(min_width(t) for t in col)))
             for c, n, col in zip(columns, natural, texts, strict=True)]
    inner = room - (3 * len(columns) + 1)
    if sum(natural) <= inner:
        return natural
    if sum(least) > inner:
        return None
    out = list(least)
    spare = inner - sum(out)
    growing = sorted((i for i, c in enumerate(columns) if not c.fixed and out[i] < natural[i]),
                     key=lambda i: natural[i] - out[i])
    # the wrapped columns share what is left: one that needs less than an even share gets all it
    # needs, and the rest is shared by the others
    for left, i in zip(range(len(growing), 0, -1), growing, strict=True):
        give = min(natural[i] - out[i], spare // left)
        out[i] += give
        spare -= give
    return out


def fits(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], room: int) -> bool:
    """Whether every cell fits on one line in `room` cells."""
    natural = [max(_widest(t) for t in [c.header, c.footer] + [_plain(r[i]) for r in rows])
               for i, c in enumerate(columns)]
    return sum(natural) + 3 * len(columns) + 1 <= room


def print_table(console: Console, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], *,
                title: str | None = None, footer: bool = False, show_lines: bool = False) -> None:
    """`rows` as a table when it fits the console's width, else stacked; nothing is ever cut."""
    fit = widths(columns, rows, console.width)
    if fit is None:
        print_stacked(console, columns, rows, title=title, footer=footer)
        return
    table = Table(title=title, header_style="bold", show_footer=footer, show_lines=show_lines)
    for col, w in zip(columns, fit, strict=True):
        table.add_column("\n".join(wrap(col.header, w)), justify=col.justify, width=w, no_wrap=True,
                         overflow="fold", footer="\n".join(wrap(col.footer, w)))
    for row in rows:
        table.add_row(*(_styled(cell, wrap(_plain(cell), w)) for cell, w in zip(row, fit, strict=True)))
    console.print(table)


def _say(console: Console, text: Text) -> None:
    console.print(text, soft_wrap=True, crop=False)


def paragraph(text: str, width: int, *, indent: str = "", hang: str = "", style: str = "") -> Text:
    """`text` wrapped to `width` cells (never inside an id or amount): the first line after
    `indent`, the others after `hang`; print it with soft_wrap=True so rich keeps the lines."""
    first = cell_len(indent)
    lines = wrap(text, max(width - max(first, cell_len(hang)), 10))
    return Text("\n".join((indent if n == 0 else hang) + line for n, line in enumerate(lines)), style=style)


def fit_text(text: Text, width: int) -> Text:
    """`text` with line breaks where `wrap` puts them, its styles kept (a tree's labels)."""
    plain = text.plain
    lines = wrap(plain, width)
    if len(lines) <= 1:
        return text
    pieces, pos = [], 0
    for line in lines:
        start = plain.find(line, pos) if line else pos
        pieces.append(text[start:start + len(line)])
        pos = start + len(line)
    return Text("\n").join(pieces)


def fit_tree(tree: Tree, width: int, depth: int = 0) -> Tree:
    """Every label of `tree` wrapped to the room its depth leaves (rich indents 4 cells a level)."""
    if isinstance(tree.label, Text):
        tree.label = fit_text(tree.label, width - 4 * depth)
    for child in tree.children:
        fit_tree(child, width, depth + 1)
    return tree


def say(console: Console, text: str, *, indent: str = "", hang: str = "", style: str = "") -> None:
    """Print `text` wrapped to the console's width; nothing cut."""
    _say(console, paragraph(text, console.width, indent=indent, hang=hang, style=style))


def print_stacked(console: Console, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], *,
                  title: str | None = None, footer: bool = False) -> None:
    """Each row as a block: its first cell as the heading, then "header：value" fields, the short
    ones side by side, a long one on lines of its own; every value whole."""
    room = max(console.width, 20)
    out: list[Text] = []  # printed at once: a print per line costs more than the line (rich)
    say = out.append
    if title:
        say(Text(title, style="bold"))
    blocks = list(rows)
    if footer:
        blocks.append([c.footer for c in columns])
    for row in blocks:
        say(Text("─" * min(room, 60), style="dim"))
        head = " ".join(_plain(row[0]).split("\n"))
        for part in wrap(head, room):
            say(Text(part, style="bold"))
        line = Text("  ")
        for col, cell in zip(columns[1:], row[1:], strict=True):
            value = " ".join(_plain(cell).split("\n")) if col.fixed else _plain(cell)
            if not value.strip():
                continue
            label = col.header + (": " if col.header.isascii() else "：")
            field = label + value
            style = cell.style if isinstance(cell, Text) else ""
            if not col.break_before and "\n" not in field and cell_len(line.plain) + 2 + cell_len(field) <= room:
                if line.plain.strip():
                    line.append("  ")
                line.append(label, style="dim")
                line.append(value, style=style)
                continue
            if line.plain.strip():
                say(line)
            line = Text("  ")
            if "\n" not in field and 2 + cell_len(field) <= room:
                line.append(label, style="dim")
                line.append(value, style=style)
                continue
            # a long value: its own lines, continued under the label's start
            for n, part in enumerate(wrap(field, room - 4)):
                text = Text("  " if n == 0 else "    ")
                if n == 0 and part.startswith(label):
                    text.append(label, style="dim")
                    text.append(part[len(label):], style=style)
                else:
                    text.append(part, style=style)
                say(text)
        if line.plain.strip():
            say(line)
    if out:
        _say(console, Text("\n").join(out))
