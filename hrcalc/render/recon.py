"""The terminal's reconciliation: a count line and a short table of claims that differ from the computation."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.text import Text

from hrcalc.i18n import Lang, msg, register
from hrcalc.money import show_money
from hrcalc.render.layout import Cell, Column, print_table, say
from hrcalc.result import ReconRow, Result

register({
    "recon.ui.head": ("申报核对：申报 {claims} 条，一致 {matches} 条，不一致 {mismatches} 条；"
                      "已计算但无人申报 {unclaimed} 项，合计 {amount:money} 元",
                      "Claims: {claims} claim(s), {matches} matching, {mismatches} differing; "
                      "{unclaimed} computed award(s) nobody claimed, {amount:money} yuan in all"),
    "recon.ui.title": ("申报与计算不一致", "Claims that differ from the computation"),
    "recon.ui.more": ("另有 {count} 项无人申报的奖励未列出（合计 {amount:money} 元），详见 JSON 或报告的核对表",
                      "{count} more unclaimed award(s) not listed ({amount:money} yuan); see the JSON or "
                      "the report's Reconciliation sheet"),
    "recon.ui.more_differing": ("以上列出差额最大的 {shown} 条不一致申报；另有 {count} 条未列出"
                                "（差额绝对值合计 {amount:money} 元），详见 JSON 或报告的核对表",
                                "The {shown} differing claims with the largest differences are listed; {count} "
                                "more are not ({amount:money} yuan of differences); see the JSON or the "
                                "report's Reconciliation sheet"),
    "recon.ui.payee": ("受奖主体", "Payee"),
    "recon.ui.award": ("奖励项目", "Award"),
    "recon.ui.record": ("关联记录", "Record"),
    "recon.ui.year": ("年度", "Year"),
    "recon.ui.claimed": ("申报", "Claimed"),
    "recon.ui.computed": ("计算", "Computed"),
    "recon.ui.difference": ("差额", "Difference"),
    "recon.ui.reason": ("原因", "Reason"),
    "recon.ui.unclaimed": ("未申报", "not claimed"),
    "recon.ui.row": ("申报表第 {row} 行", "claims row {row}"),
})

_STYLE = {"over": "red", "under": "yellow", "unclaimed": "cyan", "match": ""}


def _t(key: str, lang: Lang, **params: object) -> str:
    return msg(key, **params).render(lang)


def _signed(value: Decimal) -> str:
    text = show_money(value)
    return text if text.startswith("-") or text == "0.00" else "+" + text


def _award_name(result: Result, award_id: str, lang: Lang) -> str:
    """The one place this module names an award (where names come from may change)."""
    return result.policy.award_name(award_id, lang)


def _row(row: ReconRow, result: Result, lang: Lang) -> list[Cell]:
    payee = result.payees.get((row.payee_id, row.payee_type or ""))
    who = row.payee_id if payee is None or payee.name == row.payee_id else f"{payee.name}\n{row.payee_id}"
    claimed = show_money(row.claimed) if row.claimed is not None else _t("recon.ui.unclaimed", lang)
    return [who, _award_name(result, row.award, lang), row.record_id or "—", str(row.year), claimed,
            show_money(row.computed), Text(_signed(row.difference), style=_STYLE[row.status]),
            row.reason.render(lang)]


DIFFERING_SHOWN = 50
"""Differing claims listed on the terminal; beyond this, the largest differences are listed and the
rest counted (the JSON and the report's 核对 sheet list every one)."""


def mismatches(result: Result, console: Console, lang: Lang, *, unclaimed_shown: int = 5,
               differing_shown: int | None = None) -> None:
    """The claims that differ (the largest differences first past `differing_shown`), then the
    largest unclaimed awards; nothing without a claims sheet."""
    rows = result.visible_reconciliation()
    if rows is None:
        return
    claims = [r for r in rows if r.claimed is not None]
    differing = [r for r in claims if r.status != "match"]
    unclaimed = [r for r in rows if r.claimed is None]
    unclaimed_total = sum((r.computed for r in unclaimed), Decimal(0))
    say(console, _t("recon.ui.head", lang, claims=len(claims), matches=len(claims) - len(differing),
                    mismatches=len(differing), unclaimed=len(unclaimed), amount=unclaimed_total), style="bold")
    # the largest unclaimed awards matter most; the rest are counted, not listed
    by_size = sorted(unclaimed, key=lambda r: -r.computed)
    shown, hidden = by_size[:unclaimed_shown], by_size[unclaimed_shown:]
    if differing_shown is None:
        differing_shown = DIFFERING_SHOWN
    listed, unlisted = differing, []
    if len(differing) > differing_shown:
        by_difference = sorted(differing, key=lambda r: -abs(r.difference))
        kept = {id(r) for r in by_difference[:differing_shown]}
        listed = [r for r in differing if id(r) in kept]
        unlisted = by_difference[differing_shown:]
    if not differing and not shown:
        return
    # The reason is what the clerk reads: always in full, wrapped; ids and amounts never cut.
    # Too narrow for all eight columns with a readable reason, each claim becomes a block.
    columns = [
        Column(_t("recon.ui.payee", lang), least=18),
        Column(_t("recon.ui.award", lang), least=8),
        Column(_t("recon.ui.record", lang), fixed=True),
        Column(_t("recon.ui.year", lang), fixed=True),
        *(Column(_t(f"recon.ui.{key}", lang), justify="right", fixed=True, break_before=key == "claimed")
          for key in ("claimed", "computed", "difference")),
        Column(_t("recon.ui.reason", lang), least=30, break_before=True),
    ]
    cells = [_row(row, result, lang) for row in listed]
    cells += [_row(row, result, lang)
              for row in sorted(shown, key=lambda r: (r.payee_id, r.year, r.award, r.record_id or ""))]
    print_table(console, columns, cells, title=_t("recon.ui.title", lang), show_lines=True)
    if unlisted:
        say(console, _t("recon.ui.more_differing", lang, count=len(unlisted), shown=len(listed),
                         amount=sum((abs(r.difference) for r in unlisted), Decimal(0))))
    if hidden:
        say(console, _t("recon.ui.more", lang, count=len(hidden),
                         amount=sum((r.computed for r in hidden), Decimal(0))))
