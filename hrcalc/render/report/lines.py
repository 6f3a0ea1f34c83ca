"""The report's line sheets: 奖励明细 (one row per award line, the prior_awards columns first, a totals
row equal to the JSON) and 计算过程 (each line's recorded steps, numbered, readable on paper).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from hrcalc.i18n import Lang, has_key
from hrcalc.read.schema import PRIOR_AWARDS
from hrcalc.render.report.labels import award_label, award_name, flags_text, money_sum, payee_type_name, t
from hrcalc.render.xlsx import Block, ColumnKind, Pct, SheetPlan, Value
from hrcalc.result import Line, Result, Step

PASTED = ("payee_id", "award", "tier", "record_id", "amount", "date", "policy")
"""The prior_awards columns the award lines start with, so they paste into next year's 历史兑现 as they are
(the plan a line was computed under is the row's 政策: plans over time, rulings.md)."""


def lines_sheet(result: Result, lang: Lang, by_payee: dict[tuple[str, str], list[Line]],
                heading: str) -> SheetPlan:
    """Award lines: the prior_awards columns first, in order, as prior_awards reads them back; then
    the payee's name, the clause and the arithmetic; flags in words."""
    tiers = result.tier_names()
    # Chinese: the reader's own headers; English: words (the reader's English headers are field ids)
    prior = [c.zh if lang == "zh" else t(f"xl.prior.{c.field}", lang) for c in PRIOR_AWARDS.columns
             if c.field in PASTED]
    assert [c.field for c in PRIOR_AWARDS.columns][:6] == list(PASTED[:6]), "contract.md fixes these columns"
    sep = "；" if lang == "zh" else "; "

    def rows() -> Iterator[list[Value]]:
        labels: dict[str, str] = {}  # this sheet's: an award's label, a set of flags' words, a type's name
        flag_words: dict[frozenset[str], str | None] = {}
        type_names: dict[str, str] = {}
        for key, plines in by_payee.items():
            payee = result.payees[key]
            type_name = type_names.get(payee.payee_type)
            if type_name is None:
                type_name = type_names[payee.payee_type] = payee_type_name(payee.payee_type, lang)
            for ln in plines:
                tier = None if ln.tier is None else (tiers.get(ln.tier, ln.tier) if lang == "zh" else ln.tier)
                label = labels.get(ln.award)
                if label is None:
                    label = labels[ln.award] = award_label(result, ln.award, lang)
                flags: str | None = None
                if ln.flags:
                    held = frozenset(ln.flags)
                    if held in flag_words:
                        flags = flag_words[held]
                    else:
                        flags = flag_words[held] = flags_text(ln.flags, lang)
                yield [
                    ln.payee_id, label, tier, ln.record_id, ln.amount,
                    ln.event_date, ln.policy,
                    payee.name, ln.clause, ln.base, None if ln.rate is None else Pct(ln.rate), ln.computed,
                    sep.join([n.render(lang) for n in ln.notes]) or None if ln.notes else None,
                    type_name, ln.year, flags,
                    ln.source.sheet if ln.source else None, ln.source.row if ln.source else None,
                ]

    header = [*prior, *(t(k, lang) for k in ("xl.payee_name", "xl.line_clause", "xl.base", "xl.rate",
                                             "xl.computed", "xl.notes", "xl.payee_type", "xl.year", "xl.flags",
                                             "xl.source_sheet", "xl.source_row"))]
    kinds: list[ColumnKind] = ["text", "text", "text", "text", "money", "date", "text",
                               "text", "text", "money", "rate", "money", "wrap", "text", "int", "wrap", "text",
                               "int"]
    lines = [ln for plines in by_payee.values() for ln in plines]
    totals: list[list[Value]] = [[t("xl.total", lang), None, None, None, money_sum(ln.amount for ln in lines),
                                  None, None, None, None, None, None, money_sum(ln.computed for ln in lines),
                                  None, None, None, None, None, None]]
    return SheetPlan(t("xl.sheet.lines", lang), [Block(header, kinds, rows(), len(lines), totals=totals)],
                     heading=heading, freeze_cols=1, landscape=True,
                     max_widths={2: 14, 3: 16, 6: 24, 7: 20, 12: 36, 15: 16})


def _step_kind(kind: str, lang: Lang) -> str:
    key = f"xl.step.{kind}"
    return t(key, lang) if has_key(key) else kind


StepWords = dict[int, tuple[Step, str]]
"""A call's steps already in words, by the step's identity (see step_lines)."""


def step_lines(line: Line, lang: Lang, kind_names: dict[str, str], words: StepWords | None = None) -> str:
    """A line's recorded steps, one per text line, numbered: "1. 条件：…" (never recomputed).

    `words`, the caller's own (one per sheet or call), keeps each step's text once made: a run shares
    the steps its placements repeat (awards.common.shared_step), so 210,000 steps at 100,000 placements
    are 60,000 objects, and each is rendered once, not once per line it is in."""
    sep = "：" if lang == "zh" else ": "
    out = []
    for n, step in enumerate(line.steps, start=1):
        kind = kind_names.get(step.kind)
        if kind is None:
            kind = kind_names[step.kind] = _step_kind(step.kind, lang)
        if words is None:
            text = step.text.render(lang)
        else:
            known = words.get(id(step))
            if known is not None and known[0] is step:
                text = known[1]
            else:
                text = step.text.render(lang)
                words[id(step)] = (step, text)  # the step kept with it: its id is never another's meanwhile
        out.append(f"{n}. {kind}{sep}{text}")
    return "\n".join(out)


def step_texts(result: Result, lang: Lang, by_payee: dict[tuple[str, str], list[Line]]) -> list[str]:
    """Every shown line's steps in words (see step_lines), in the report's order."""
    kind_names: dict[str, str] = {}
    words: StepWords = {}
    return [step_lines(ln, lang, kind_names, words) for plines in by_payee.values() for ln in plines]


def steps_sheet(result: Result, lang: Lang, by_payee: dict[tuple[str, str], list[Line]], heading: str,
                texts: Callable[[], Sequence[str]] | None = None) -> SheetPlan:
    """Every line's recorded steps, rendered, never recomputed, in the award lines' order: one row per
    line, its steps numbered one per text line in one wrapped cell whose row is as tall as its text.
    `texts`, when given, supplies step_texts(...) already made.

    Records that earned no line are left to `hrcalc explain`: in a large run they outnumber the
    lines several times over, and their reasons are in its output (and window warnings in Issues).
    """
    kind_names: dict[str, str] = {}
    size = sum(len(plines) for plines in by_payee.values())

    def rows() -> Iterator[list[Value]]:
        made = texts() if texts is not None else None
        if made is not None and len(made) != size:
            raise RuntimeError(f"{len(made)} step texts for {size} lines")
        i = 0
        words: StepWords = {}  # this sheet's: gone when its rows are written
        names: dict[str, str] = {}
        for key, plines in by_payee.items():
            name = result.payees[key].name
            for ln in plines:
                text = made[i] if made is not None else step_lines(ln, lang, kind_names, words)
                i += 1
                award = names.get(ln.award)
                if award is None:
                    award = names[ln.award] = award_name(result, ln.award, lang)
                yield [ln.payee_id, name, award, ln.record_id, ln.year, len(ln.steps), text]

    header = [t(k, lang) for k in ("xl.payee_id", "xl.name", "xl.award", "xl.record_id", "xl.award_year",
                                   "xl.step_count", "xl.step_text")]
    kinds: list[ColumnKind] = ["text", "wrap", "wrap", "text", "int", "int", "wrap"]
    return SheetPlan(t("xl.sheet.steps", lang), [Block(header, kinds, rows(), size)], heading=heading,
                     freeze_cols=1, landscape=True, max_widths={1: 20, 2: 14, 3: 14, 6: 64})
