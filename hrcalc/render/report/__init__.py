"""The report workbook a bureau files, signs and pays from, one module per sheet family.

汇总, 奖励明细, 区域汇总, 受奖主体汇总, 图表, 核对, 免申即享, 计算过程, 问题, 政策参数, 运行信息: each sheet is
planned from the Result (never recomputed: steps are the engine's recorded steps, totals are sums of
line amounts as in the JSON) and written by hrcalc.render.xlsx, the one writer layer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from hrcalc.i18n import Lang
from hrcalc.outputs import write_atomic
from hrcalc.render.report import claims, lines, reference, summary
from hrcalc.render.report.labels import lines_by_payee, t
from hrcalc.render.xlsx import Page, ProgressFn, SheetPlan, write_workbook
from hrcalc.result import Result


def _heading(result: Result, lang: Lang, sheet_key: str) -> str:
    p = result.policy
    title = p.title if lang == "zh" else p.title_en or p.title
    return t("xl.heading", lang, title=title, sheet=t(sheet_key, lang))


def plan_report(result: Result, lang: Lang, now: datetime,
                step_texts: Callable[[], Sequence[str]] | None = None) -> list[SheetPlan]:
    """The report's sheets, in order, ready to write (`step_texts`: see lines.steps_sheet)."""
    by_payee = lines_by_payee(result)
    shown = [ln for plines in by_payee.values() for ln in plines]

    def h(key: str) -> str:
        return _heading(result, lang, key)

    plans = [
        summary.summary_sheet(result, lang, shown, h("xl.sheet.summary")),
        lines.lines_sheet(result, lang, by_payee, h("xl.sheet.lines")),
        summary.districts_sheet(result, lang, by_payee, h("xl.sheet.districts")),
        summary.payees_sheet(result, lang, by_payee, h("xl.sheet.payees")),
        summary.charts_sheet(result, lang, h("xl.sheet.charts")),
    ]
    recon = result.visible_reconciliation()
    if recon is not None:
        plans.append(claims.recon_sheet(result, recon, lang, h("xl.sheet.recon")))
        plans.append(claims.unclaimed_sheet(result, recon, lang, h("xl.sheet.unclaimed")))
    plans += [
        lines.steps_sheet(result, lang, by_payee, h("xl.sheet.steps"), step_texts),
        reference.issues_sheet(result, lang, h("xl.sheet.issues")),
        reference.policy_sheet(result, lang, h("xl.sheet.policy")),
        reference.run_sheet(result, lang, now, h("xl.sheet.run")),
    ]
    return plans


def step_texts(result: Result, lang: Lang) -> list[str]:
    """Every shown line's steps in words, in the report's order (calculate may make them elsewhere)."""
    return lines.step_texts(result, lang, lines_by_payee(result))


def incomplete_banner(result: Result, lang: Lang) -> str | None:
    if result.complete:
        return None
    return t("xl.incomplete", lang, count=sum(1 for i in result.issues if i.severity == "error"))


def page_of(result: Result, lang: Lang, now: datetime) -> Page:
    """The page header and footer of every workbook made from this run."""
    p = result.policy
    return Page(plan=p.title if lang == "zh" else p.title_en or p.title, ran_at=now,
                sha256=result.input_sha256, lang=lang)


def build_workbook(result: Result, path: Path, *, lang: Lang = "zh", now: datetime | None = None,
                   progress: ProgressFn | None = None,
                   step_texts: Callable[[], Sequence[str]] | None = None) -> None:
    """Write the report's sheets to `path`, streamed sheet by sheet."""
    now = now or datetime.now().replace(microsecond=0)
    plans = plan_report(result, lang, now, step_texts)
    write_workbook(path, plans, page=page_of(result, lang, now), banner=incomplete_banner(result, lang),
                   progress=progress)


def write_report(result: Result, path: Path, *, lang: Lang = "zh", force: bool = False,
                 input_path: Path | None = None, now: datetime | None = None,
                 progress: ProgressFn | None = None,
                 step_texts: Callable[[], Sequence[str]] | None = None) -> None:
    """Write the report to `path` through a temporary file beside it (see outputs.write_atomic)."""

    def write(tmp: Path) -> None:
        build_workbook(result, tmp, lang=lang, now=now, progress=progress, step_texts=step_texts)

    write_atomic(path, write, force=force, inputs=(input_path,) if input_path is not None else ())
