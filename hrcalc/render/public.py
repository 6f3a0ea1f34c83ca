"""The 公示 list (`calculate --public`): who gets what, to publish before paying (rulings.md).

One row per payee, award and award year with an amount above 0 — the payee's name, its credit code
(institutions and employers are legal entities whose codes are public) or district, the award, its
clause, the year and the amount — and totals. It is built from the lines' payee, award, year and
amount only: nothing about a placement (id, salary, fee, tier, base, rate, talent class, notes,
steps, claims) is ever read into it, so nothing about one can leak. Written by hrcalc.render.xlsx.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from hrcalc.i18n import Lang, register
from hrcalc.outputs import write_atomic
from hrcalc.render.report import incomplete_banner, page_of
from hrcalc.render.report.labels import award_name, money_sum, payee_type_name, t
from hrcalc.render.report.summary import signature
from hrcalc.render.xlsx import Block, ColumnKind, SheetPlan, Value, write_workbook
from hrcalc.result import Result

register({
    "pub.sheet": ("公示名单", "Public list"),
    "pub.heading": ("{title} 奖励资金拟兑现名单公示", "{title}: awards to be paid (public notice)"),
    "pub.payee": ("受奖主体", "Payee"),
    "pub.code": ("统一社会信用代码或区域", "Credit code or district"),
    "pub.type": ("类型", "Type"),
    "pub.award": ("奖励项目", "Award"),
    "pub.clause": ("条款", "Clause"),
    "pub.year": ("年度", "Year"),
    "pub.amount": ("金额（元）", "Amount (yuan)"),
})


def public_rows(result: Result, lang: Lang) -> list[list[Value]]:
    """The list's rows: sums of line amounts per payee, award and year, those above 0, in the JSON's
    order (payee, then year, then award)."""
    sums: dict[tuple[str, str, int, str], Decimal] = defaultdict(Decimal)
    clauses: dict[tuple[str, str, int, str], str] = {}
    for ln in result.visible_lines():
        key = (ln.payee_id, ln.payee_type, ln.year, ln.award)
        sums[key] += ln.amount
        clauses.setdefault(key, ln.clause)
    rows: list[list[Value]] = []
    for (payee_id, kind, year, award), amount in sorted(sums.items()):
        if amount <= 0:
            continue
        payee = result.payees[(payee_id, kind)]
        rows.append([payee.name, payee_id, payee_type_name(kind, lang), award_name(result, award, lang),
                     clauses[(payee_id, kind, year, award)], year, amount])
    return rows


def plan_public(result: Result, lang: Lang) -> SheetPlan:
    rows = public_rows(result, lang)
    header = [t(k, lang) for k in ("pub.payee", "pub.code", "pub.type", "pub.award", "pub.clause", "pub.year",
                                   "pub.amount")]
    kinds: list[ColumnKind] = ["wrap", "text", "text", "wrap", "text", "int", "money"]
    total: list[Value] = [t("xl.total", lang), None, None, None, None, None,
                          money_sum(r[6] for r in rows if isinstance(r[6], Decimal))]
    p = result.policy
    heading = t("pub.heading", lang, title=p.title if lang == "zh" else p.title_en or p.title)
    return SheetPlan(t("pub.sheet", lang), [Block(header, kinds, rows, len(rows), totals=[total])],
                     heading=heading, freeze_cols=1, after=signature(lang), landscape=False)


def build_public(result: Result, path: Path, *, lang: Lang = "zh", now: datetime | None = None) -> None:
    """Write the 公示 list to `path` (calculate stages it with the run's other outputs)."""
    now = now or datetime.now().replace(microsecond=0)
    write_workbook(path, [plan_public(result, lang)], page=page_of(result, lang, now),
                   banner=incomplete_banner(result, lang))


def write_public(result: Result, path: Path, *, lang: Lang = "zh", force: bool = False,
                 input_path: Path | None = None, now: datetime | None = None) -> None:
    """Write the 公示 list to `path` on its own, all or nothing (see outputs.write_atomic)."""

    def write(tmp: Path) -> None:
        build_public(result, tmp, lang=lang, now=now)

    write_atomic(path, write, force=force, inputs=(input_path,) if input_path is not None else ())
