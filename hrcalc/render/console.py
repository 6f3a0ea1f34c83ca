"""The terminal: summaries by payee and by award, issues, and the policy, drawn with rich."""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO

from rich import box
from rich.console import Console
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from hrcalc.i18n import Lang, msg, register
from hrcalc.money import show_money, show_rate
from hrcalc.policy import Policy
from hrcalc.policy.model import (
    ApprovedOnceRule,
    DiscretionaryOnceRule,
    EmployerSubsidyRule,
    FixedOnceRule,
    FixedPerReferenceRule,
    HeadhuntingRule,
    ParkRule,
    RankingRule,
    RevenueGrowthRule,
)
from hrcalc.records import Issue
from hrcalc.render.layout import Cell, Column, fits, paragraph, print_table, say
from hrcalc.result import Line, Result, total

register({
    "ui.title": ("hrcalc · {title}", "hrcalc · {title}"),
    "ui.window": ("政策有效期 {start} 至 {end}", "Policy window {start} to {end}"),
    "ui.input": ("输入文件：{file}", "Input: {file}"),
    "ui.years": ("年度：{years}", "Years: {years}"),
    "ui.expired": ("本政策已于 {end} 到期：仅计算有效期（{start} 至 {end}）内的事项，有效期外的事项不予奖励。",
                   "This policy expired on {end}: only events inside its window ({start} to {end}) are "
                   "computed; events outside it earn nothing."),
    "ui.incomplete": ("结果不完整：已跳过 {count} 处错误所在的行（--skip-invalid）。请修正后重新计算。",
                      "INCOMPLETE: rows with {count} error(s) were skipped (--skip-invalid). "
                      "Fix them and run again."),
    "ui.incomplete_title": ("结果不完整 · INCOMPLETE", "INCOMPLETE"),
    "ui.incomplete_footer": ("结果不完整：以上金额不是最终结果（--skip-invalid 跳过了有错误的行）。",
                             "INCOMPLETE: the figures above are not final (--skip-invalid skipped rows with "
                             "errors)."),
    "ui.skipped_errors": ("已跳过的错误 {count} 处，前 {shown} 处（全部见 hrcalc validate）：",
                          "{count} error(s) skipped; the first {shown} (every one: hrcalc validate):"),
    "progress.read": ("读取工作簿", "Reading the workbook"),
    "progress.calculate": ("计算奖励", "Calculating"),
    "progress.write": ("写入报告", "Writing the report"),
    "ui.expired_title": ("政策已到期", "Policy expired"),
    "ui.by_payee": ("按受奖主体汇总", "By payee"),
    "ui.by_award": ("按奖励项目汇总", "By award"),
    "ui.payee_id": ("受奖主体", "Payee"),
    "ui.name": ("名称", "Name"),
    "ui.type": ("类型", "Type"),
    "ui.district": ("区域", "District"),
    "ui.lines": ("笔数", "Lines"),
    "ui.amount": ("金额（元）", "Amount (yuan)"),
    "ui.award": ("奖励项目", "Award"),
    "ui.clause": ("条款", "Clause"),
    "ui.total": ("合计", "Total"),
    "ui.grand_total": ("奖励总额：{amount:money} 元", "Total awarded: {amount:money} yuan"),
    "ui.more_payees": ("以上为金额最大的 {shown} 个受奖主体；另有 {count} 个未列出（合计 {amount:money} 元），"
                       "详见报告的汇总表或 JSON",
                       "The {shown} payees with the largest totals are listed; {count} more are not "
                       "({amount:money} yuan): see the report's summary sheet or the JSON"),
    "ui.warnings": ("警告 {count} 条，前 {shown} 条（全部警告见 hrcalc validate、JSON 或报告）：",
                    "{count} warning(s); the first {shown} (every warning: hrcalc validate, the JSON or the "
                    "report):"),
    "ui.warnings_all": ("警告 {count} 条：", "{count} warning(s):"),
    "ui.no_warnings": ("无警告", "No warnings"),
    "ui.errors": ("错误 {count} 处", "{count} error(s)"),
    "ui.issues": ("问题", "Problems"),
    "ui.severity": ("级别", "Severity"),
    "ui.sheet": ("工作表", "Sheet"),
    "ui.row": ("行", "Row"),
    "ui.column": ("列", "Column"),
    "ui.value": ("值", "Value"),
    "ui.message": ("说明", "Message"),
    "ui.error": ("错误", "error"),
    "ui.warning": ("警告", "warning"),
    "ui.info": ("提示", "info"),
    "ui.institution": ("机构", "institution"),
    "ui.employer": ("用人企业", "employer"),
    "ui.district_payee": ("区域", "district"),
    "ui.valid": ("未发现错误：{records} 条记录，{warnings} 条警告", "No errors: {records} record(s), "
                 "{warnings} warning(s)"),
    "ui.policy_rules": ("奖励规则", "Award rules"),
    "ui.policy_id": ("政策：{id}（{title}）", "Policy: {id} ({title})"),
    "ui.amounts": ("金额、比例与上限", "Amounts, rates and caps"),
    "ui.payee": ("受奖对象", "Payee"),
    "ui.not_computable": ("未定金额、不予计算的条款", "Clauses that state no amount (not computed)"),
    "ui.reason": ("原因", "Reason"),
    "ui.text": ("原文", "Plan text"),
    "ui.ruling": ("裁定：", "Ruling: "),
})

PIPE_WIDTH = 160
"""The width of the text written to a pipe or file away from any terminal (cron, CI) when COLUMNS
does not say: wide enough for Chinese names."""

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


def _width(stream: IO[str], is_tty: bool) -> int | None:
    """COLUMNS when set; else the terminal's (None: rich asks it); else, writing to a pipe or a
    file, the width of the terminal the run was started from (stdout or stderr), or PIPE_WIDTH."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if is_tty:
        return None
    for fd in (1, 2):
        try:
            if os.isatty(fd):
                return os.get_terminal_size(fd).columns
        except OSError:
            continue
    return PIPE_WIDTH


def make_console(file: IO[str] | None = None) -> Console:
    """Plain text when not a terminal or NO_COLOR is set, as wide as the terminal (see _width)."""
    stream = file or sys.stdout
    is_tty = hasattr(stream, "isatty") and stream.isatty()
    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(
        file=stream,
        highlight=False,
        no_color=no_color or not is_tty,
        color_system=None if (no_color or not is_tty) else "auto",
        width=_width(stream, is_tty),
        emoji=False,
    )


def _t(key: str, lang: Lang, **params: object) -> str:
    return msg(key, **params).render(lang)


def _award(policy: Policy, award_id: str, lang: Lang) -> tuple[str, str]:
    """The one place this module names an award and its clause (where they come from may change)."""
    rule = policy.awards.get(award_id)
    return policy.award_name(award_id, lang), rule.clause if rule is not None else ""


def payee_type_name(kind: str, lang: Lang) -> str:
    return _t({"institution": "ui.institution", "employer": "ui.employer"}.get(kind, "ui.district_payee"), lang)


def banners(result: Result, console: Console, lang: Lang) -> None:
    p = result.policy
    if not result.complete:
        errors = sum(1 for i in result.issues if i.severity == "error")
        console.print(Panel(paragraph(_t("ui.incomplete", lang, count=errors), console.width - 4,
                                      style="bold white on red"),
                            title=Text(_t("ui.incomplete_title", lang), style="bold red"),
                            subtitle=Text(_t("ui.incomplete_title", lang), style="bold red"),
                            border_style="bold red", box=box.DOUBLE))
    if result.expired:
        console.print(Panel(paragraph(_t("ui.expired", lang, start=p.effective_from.isoformat(),
                                         end=p.effective_to.isoformat()), console.width - 4),
                            title=_t("ui.expired_title", lang), border_style="yellow"))


PAYEES_SHOWN = 100
"""Payees listed on the terminal; beyond this, the largest are listed and the rest counted (a city's
run has thousands: the report's summary sheet and the JSON list them all)."""


def summary(result: Result, console: Console, lang: Lang, *, warnings_shown: int = 5,
            payees_shown: int | None = None) -> None:
    """What a clerk reads after a run: totals by payee and by award, banners, the first warnings."""
    p = result.policy
    say(console, _t("ui.title", lang, title=p.title if lang == "zh" else p.title_en or p.title), style="bold")
    say(console, _t("ui.window", lang, start=p.effective_from.isoformat(), end=p.effective_to.isoformat())
        + "  ·  " + _t("ui.input", lang, file=result.input_name)
        + "  ·  " + _t("ui.years", lang, years=", ".join(map(str, result.visible_years())) or "-"))
    banners(result, console, lang)
    lines = result.visible_lines()

    by_payee: dict[tuple[str, str], list[Line]] = defaultdict(list)
    for ln in lines:
        by_payee[(ln.payee_id, ln.payee_type)].append(ln)
    if payees_shown is None:
        payees_shown = PAYEES_SHOWN
    sums = {key: total(plines) for key, plines in by_payee.items()}
    keys = sorted(by_payee)
    hidden: list[tuple[str, str]] = []
    if len(keys) > payees_shown:
        # the largest amounts matter most; listed in the usual order, the rest counted below
        largest = sorted(keys, key=lambda k: (-sums[k], k))
        keys, hidden = sorted(largest[:payees_shown]), largest[payees_shown:]
    tail = [
        Column(_t("ui.type", lang), least=8),
        Column(_t("ui.district", lang), least=6),
        Column(_t("ui.lines", lang), justify="right", fixed=True, footer=str(len(lines))),
        Column(_t("ui.amount", lang), justify="right", fixed=True, footer=show_money(total(lines))),
    ]
    rows: list[list[Cell]] = []
    for key in keys:
        payee = result.payees[key]
        rows.append([payee.payee_id, payee.name, payee_type_name(payee.payee_type, lang),
                     payee.district or "", str(len(by_payee[key])), show_money(sums[key])])
    columns = [Column(_t("ui.payee_id", lang), fixed=True, footer=_t("ui.total", lang)),
               Column(_t("ui.name", lang), least=10), *tail]
    if not fits(columns, rows, console.width):
        # narrow: the name above its code in one column, so neither wraps into slivers
        columns = [Column(_t("ui.payee_id", lang), least=18, footer=_t("ui.total", lang)), *tail]
        rows = [[code if name == code else f"{name}\n{code}", *rest] for code, name, *rest in rows]
    print_table(console, columns, rows, title=_t("ui.by_payee", lang), footer=True)
    if hidden:
        say(console, _t("ui.more_payees", lang, count=len(hidden), shown=len(keys),
                        amount=sum((sums[k] for k in hidden), Decimal(0))))

    columns = [
        Column(_t("ui.award", lang), least=12, footer=_t("ui.total", lang)),
        Column(_t("ui.clause", lang), fixed=True),
        Column(_t("ui.lines", lang), justify="right", fixed=True, footer=str(len(lines))),
        Column(_t("ui.amount", lang), justify="right", fixed=True, footer=show_money(total(lines))),
    ]
    rows = []
    for award_id in p.awards:
        alines = [ln for ln in lines if ln.award == award_id]
        name, clause = _award(p, award_id, lang)
        rows.append([f"{name} ({award_id})", clause, str(len(alines)),
                     show_money(total(alines))])
    print_table(console, columns, rows, title=_t("ui.by_award", lang), footer=True)
    say(console, _t("ui.grand_total", lang, amount=total(lines)), style="bold")
    if not result.complete:
        errors = [i for i in result.issues if i.severity == "error"]
        shown_errors = errors[:warnings_shown]
        say(console, _t("ui.skipped_errors", lang, count=len(errors), shown=len(shown_errors)), style="bold red")
        for e in shown_errors:
            say(console, describe_issue(e, lang), indent="  - ", hang="    ")

    warnings = [i for i in result.issues if i.severity == "warning"]
    if warnings:
        shown = warnings[:warnings_shown]
        head = "ui.warnings" if len(shown) < len(warnings) else "ui.warnings_all"
        say(console, _t(head, lang, count=len(warnings), shown=len(shown)), style="yellow")
        for w in shown:
            say(console, describe_issue(w, lang), indent="  - ", hang="    ")
    else:
        console.print(_t("ui.no_warnings", lang))
    if not result.complete:
        # said again last, where the eye lands after the totals
        say(console, _t("ui.incomplete_footer", lang), style="bold white on red")


def describe_issue(issue: Issue, lang: Lang) -> str:
    where = []
    if issue.sheet:
        where.append(issue.sheet)
    if issue.row:
        where.append(f"{_t('ui.row', lang)} {issue.row}" if lang == "en" else f"第{issue.row}行")
    if issue.column:
        where.append(issue.column)
    head = " / ".join(where)
    value = f" [{issue.value}]" if issue.value not in (None, "") else ""
    return (f"{head}{value}: " if head else "") + issue.message.render(lang)


def issues_table(issues: list[Issue], console: Console, lang: Lang, *, title: str | None = None) -> None:
    """Every problem with sheet, row, column and value, as a clerk needs to find and fix it."""
    columns = [Column(_t(key, lang)) for key in ("ui.severity", "ui.sheet")]
    columns += [Column(_t("ui.row", lang), justify="right", fixed=True)]
    columns += [Column(_t("ui.column", lang)), Column(_t("ui.value", lang), least=10),
                Column(_t("ui.message", lang), least=24, break_before=True)]
    rows: list[list[Cell]] = [
        [Text(_t(f"ui.{i.severity}", lang), style=SEVERITY_STYLE[i.severity]), i.sheet or "", str(i.row or ""),
         i.column or "", i.value or "", i.message.render(lang)] for i in issues]
    print_table(console, columns, rows, title=title or _t("ui.issues", lang))


def _rule_amounts(rule: object, lang: Lang) -> str:
    """The numbers of one rule in a line or two, read from the policy model."""
    parts: list[str] = []
    match rule:
        case HeadhuntingRule():
            parts += [f"{t.name_zh if lang == 'zh' else t.id} ≥ {show_money(t.min_salary)} → "
                      f"{show_rate(t.rate)}" for t in rule.salary_tiers]
            parts.append(f"{'/'.join(rule.talent_classes)} → {show_rate(rule.talent_class_rate)}")
            parts.append(("单笔上限 " if lang == "zh" else "per-line cap ") + show_money(rule.line_cap))
            parts.append(("每年上限 " if lang == "zh" else "annual cap ") + show_money(rule.annual_cap))
        case EmployerSubsidyRule():
            parts.append(f"≥ {show_money(rule.min_salary)}: {show_rate(rule.rate)}, ≤ {show_money(rule.cap)}")
        case RevenueGrowthRule():
            parts.append(f"> {show_rate(rule.high_band_above)} / > {show_rate(rule.low_band_above)}")
            parts += [f"{t.name_zh if lang == 'zh' else t.id}: {show_money(t.high_band)} / "
                      f"{show_money(t.low_band)}" for t in rule.tiers]
        case RankingRule():
            parts += [f"{x.name_zh if lang == 'zh' else x.recognition}: {show_money(x.amount)}"
                      for x in rule.lists]
        case FixedOnceRule() | FixedPerReferenceRule():
            parts.append(show_money(rule.amount))
        case DiscretionaryOnceRule():
            parts.append(("最高 " if lang == "zh" else "max ") + show_money(rule.maximum))
        case ApprovedOnceRule():
            parts.append("核定金额" if lang == "zh" else "approved amount")
        case ParkRule():
            parts += [f"{lv.name_zh if lang == 'zh' else lv.level}: {show_money(lv.amount)}"
                      for lv in rule.levels]
    return "\n".join(parts)


def policy_tables(policy: Policy, console: Console, lang: Lang) -> None:
    title = policy.title if lang == "zh" else policy.title_en or policy.title
    say(console, _t("ui.policy_id", lang, id=policy.id, title=title), style="bold")
    say(console, _t("ui.window", lang, start=policy.effective_from.isoformat(), end=policy.effective_to.isoformat()))
    columns = [Column(_t("ui.award", lang), least=10), Column(_t("ui.clause", lang), fixed=True),
               Column(_t("ui.payee", lang)), Column(_t("ui.amounts", lang), least=20, break_before=True),
               Column(_t("ui.text", lang), least=30, break_before=True)]
    rows: list[list[Cell]] = []
    for award_id, rule in policy.awards.items():
        ruling = rule.ruling_text(lang)
        name, clause = _award(policy, award_id, lang)
        rows.append([f"{name}\n{award_id}", clause,
                     payee_type_name(rule.payee, lang), _rule_amounts(rule, lang),
                     rule.text + (f"\n[{_t('ui.ruling', lang)}{ruling}]" if ruling else "")])
    print_table(console, columns, rows, title=_t("ui.policy_rules", lang), show_lines=True)
    if policy.not_computable:
        columns = [Column(_t("ui.clause", lang), least=10), Column(_t("ui.name", lang), least=12),
                   Column(_t("ui.reason", lang), least=16, break_before=True),
                   Column(_t("ui.text", lang), least=30, break_before=True)]
        rows = [[item.clause, item.name(lang), item.reason_text(lang), item.text] for item in policy.not_computable]
        print_table(console, columns, rows, title=_t("ui.not_computable", lang), show_lines=True)


LARGE_INPUT_BYTES = 1 << 20
"""An input at least this big takes long enough to read and compute that a progress bar helps."""


class RunProgress:
    """A run's phases and the report's rows as one progress bar on stderr; does nothing when off."""

    def __init__(self, progress: Progress | None, lang: Lang) -> None:
        self._progress = progress
        self._lang = lang
        self._task: TaskID | None = None

    @property
    def active(self) -> bool:
        return self._progress is not None

    def phase(self, name: str) -> None:
        """Start a phase (read, calculate, write) whose length is not known: a pulsing bar."""
        if self._progress is None:
            return
        text = _t(f"progress.{name}", self._lang)
        if self._task is None:
            self._task = self._progress.add_task(text, total=None)
        else:
            self._progress.update(self._task, description=text, total=None, completed=0)

    def rows(self, done: int, total: int) -> None:
        """How far the current phase is, in rows."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total, completed=done)


def wants_progress(input_path: Path, stream: IO[str], *, threshold: int = LARGE_INPUT_BYTES) -> bool:
    """Only for a terminal, and only when the input is large enough to take a while."""
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return False
    try:
        return input_path.stat().st_size >= threshold
    except OSError:
        return False  # the reader will say what is wrong with the file


@contextmanager
def run_progress(input_path: Path, lang: Lang, *, stream: IO[str] | None = None,
                 threshold: int = LARGE_INPUT_BYTES) -> Iterator[RunProgress]:
    """A progress bar on stderr (never stdout, which may carry JSON) for large inputs on a terminal."""
    out = stream or sys.stderr
    if not wants_progress(input_path, out, threshold=threshold):
        yield RunProgress(None, lang)
        return
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(),
                        console=make_console(out), transient=True)
    with progress:
        yield RunProgress(progress, lang)
