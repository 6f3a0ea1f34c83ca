"""The report's reference sheets: 问题 (every issue, located), 政策参数 (the plan the run used, parameter
by parameter) and 运行信息 (what an auditor needs to reproduce the run).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

from annotated_types import Le
from pydantic import BaseModel

from hrcalc import __version__
from hrcalc.i18n import Lang, has_key
from hrcalc.render.report.labels import award_name, money_sum, t
from hrcalc.render.xlsx import Block, ColumnKind, Money, Pct, SheetPlan, Value
from hrcalc.result import Result


def issues_sheet(result: Result, lang: Lang, heading: str) -> SheetPlan:
    """Every error, warning and note, located by sheet, row, column and value as the reader found it."""
    rows: list[list[Value]] = [
        [t(f"xl.{i.severity}", lang), i.sheet, i.row, i.column, i.value, i.message.render(lang)]
        for i in result.issues
    ]
    header = [t(k, lang) for k in ("xl.severity", "xl.sheet", "xl.row", "xl.column", "xl.value",
                                    "xl.message")]
    kinds: list[ColumnKind] = ["text", "text", "int", "text", "wrap", "wrap"]
    return SheetPlan(t("xl.sheet.issues", lang), [Block(header, kinds, rows, len(rows))], heading=heading,
                     landscape=True, max_widths={4: 20, 5: 70})


_DESCRIPTIVE = frozenset({"kind", "name_zh", "name_en", "clause", "payee", "text", "ruling", "ruling_zh"})
_ITEM_ID_FIELDS = ("id", "recognition", "level")


def _is_rate(model: type[BaseModel], name: str) -> bool:
    return any(isinstance(m, Le) and m.le == 1 for m in model.model_fields[name].metadata)


def _param_label(name: str, lang: Lang) -> str:
    key = f"xl.param.{name}"
    return t(key, lang) if has_key(key) else name


def _param_value(model: BaseModel, name: str, lang: Lang) -> Value:
    value = getattr(model, name)
    if isinstance(value, Decimal):
        return Pct(value) if _is_rate(type(model), name) else Money(value)
    if isinstance(value, list):
        return ("、" if lang == "zh" else ", ").join(map(str, value))
    if isinstance(value, date | str | int):
        return value
    return str(value)


def policy_rows(result: Result, lang: Lang) -> Iterator[list[Value]]:
    """Every parameter of every award, read from the policy model, with its clause and the plan's words."""
    policy = result.policy
    v = policy.validity
    for name in ("effective_from", "effective_to"):
        yield [t("xl.validity", lang), None, v.clause, t(f"xl.param.{name}", lang), name, None,
               getattr(policy, name), v.text, v.ruling_text(lang) or None]
    o = policy.other_policies
    yield [t("xl.other_policies", lang), None, o.clause, None, None, None, None, o.text, o.ruling_text(lang) or None]
    for award_id, rule in policy.awards.items():
        name = award_name(result, award_id, lang)
        head = [name, award_id, rule.clause]
        tail = [rule.text, rule.ruling_text(lang) or None]
        params = [f for f in type(rule).model_fields if f not in _DESCRIPTIVE]
        if not any(isinstance(getattr(rule, f), Decimal | list) for f in params):
            # no amount in the plan: the approved amount is the parameter
            yield [*head, _param_label("approved", lang), None, None, None, *tail]
        for fname in params:
            value = getattr(rule, fname)
            if isinstance(value, list) and value and isinstance(value[0], BaseModel):
                for item in value:
                    item_id = next(str(getattr(item, f)) for f in _ITEM_ID_FIELDS if hasattr(item, f))
                    item_name = getattr(item, "name_zh", item_id) if lang == "zh" else item_id
                    for sub in type(item).model_fields:
                        if sub in _DESCRIPTIVE or sub in _ITEM_ID_FIELDS:
                            continue
                        yield [*head, _param_label(sub, lang), f"{fname}.{item_id}.{sub}", item_name,
                               _param_value(item, sub, lang), *tail]
            else:
                yield [*head, _param_label(fname, lang), fname, None, _param_value(rule, fname, lang), *tail]
    for nc in policy.not_computable:
        yield [nc.name(lang), None, nc.clause, t("xl.not_computable", lang), None, None, nc.reason_text(lang), nc.text,
               None]


def policy_sheet(result: Result, lang: Lang, heading: str) -> SheetPlan:
    """The policy the run used, parameter by parameter (see policy_rows)."""
    rows = list(policy_rows(result, lang))
    header = [t(k, lang) for k in ("xl.award", "xl.award_id", "xl.clause", "xl.parameter", "xl.parameter_id",
                                    "xl.item", "xl.value", "xl.text", "xl.ruling")]
    kinds: list[ColumnKind] = ["wrap", "text", "text", "wrap", "wrap", "wrap", "any", "wrap", "wrap"]
    return SheetPlan(t("xl.sheet.policy", lang), [Block(header, kinds, rows, len(rows))], heading=heading,
                     landscape=True, max_widths={0: 14, 1: 20, 2: 12, 3: 14, 4: 18, 5: 14, 6: 16, 7: 40, 8: 40})


def run_sheet(result: Result, lang: Lang, now: datetime, heading: str) -> SheetPlan:
    """What an auditor needs to reproduce the run: input and its hash, policy, version, years, status, time."""
    p = result.policy
    lines = result.visible_lines()
    counts = {s: sum(1 for i in result.issues if i.severity == s) for s in ("error", "warning", "info")}
    yes, no = t("xl.yes", lang), t("xl.no", lang)
    items: list[tuple[str, Value]] = [
        ("xl.run.input", result.input_name),
        ("xl.run.sha256", result.input_sha256),
        ("xl.run.policy_id", p.id),
        ("xl.run.policy_title", p.title if lang == "zh" else p.title_en or p.title),
        ("xl.run.effective_from", p.effective_from),
        ("xl.run.effective_to", p.effective_to),
        ("xl.run.expired", yes if result.expired else no),
        ("xl.run.version", __version__),
        ("xl.run.years", ", ".join(map(str, result.years))),
        ("xl.run.shown", ", ".join(map(str, result.visible_years()))),
        ("xl.run.status", t("xl.run.complete" if result.complete else "xl.run.incomplete", lang)),
        ("xl.run.errors", counts["error"]),
        ("xl.run.warnings", counts["warning"]),
        ("xl.run.infos", counts["info"]),
        ("xl.run.lines", len(lines)),
        ("xl.run.payees", len({(ln.payee_id, ln.payee_type) for ln in lines})),
        ("xl.run.total", Money(money_sum(ln.amount for ln in lines))),
        ("xl.run.ran_at", now),
        ("xl.run.language", lang),
    ]
    rows: list[list[Value]] = [[t(k, lang), v] for k, v in items]
    header = [t("xl.item_name", lang), t("xl.item_value", lang)]
    return SheetPlan(t("xl.sheet.run", lang), [Block(header, ["text", "any"], rows, len(rows))], heading=heading,
                     filter=False, landscape=False)


