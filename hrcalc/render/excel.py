"""The report workbook a bureau files and pays from: summary, award lines, steps, issues, policy, run.

Each sheet is planned from the Result (never recomputed: steps are the engine's recorded steps,
totals are sums of line amounts as in the JSON) and streamed by hrcalc.render.xlsx.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from annotated_types import Le
from pydantic import BaseModel

from hrcalc import __version__
from hrcalc.i18n import Lang, has_key, msg, register
from hrcalc.money import ZERO
from hrcalc.outputs import write_atomic
from hrcalc.policy import Policy
from hrcalc.render.xlsx import (
    Block,
    ColumnKind,
    Counter,
    Money,
    Pct,
    ProgressFn,
    SheetPlan,
    SheetWriter,
    Value,
    open_package,
)
from hrcalc.result import Line, Payee, ReconRow, Result
from hrcalc.schema import PRIOR_AWARDS

register({
    "xl.sheet.summary": ("汇总", "Summary"),
    "xl.sheet.lines": ("奖励明细", "Award lines"),
    "xl.sheet.steps": ("计算过程", "Steps"),
    "xl.sheet.issues": ("问题", "Issues"),
    "xl.sheet.policy": ("政策参数", "Policy"),
    "xl.sheet.run": ("运行信息", "Run"),
    "xl.sheet.recon": ("核对", "Reconciliation"),
    "xl.incomplete": ("结果不完整：已跳过 {count} 处错误所在的行（--skip-invalid），本表金额不是最终结果。"
                      "请修正错误后重新计算。",
                      "INCOMPLETE: rows with {count} error(s) were skipped (--skip-invalid); these figures "
                      "are not final. Fix the errors and run again."),
    # summary
    "xl.payee_id": ("受奖主体", "Payee ID"),
    "xl.name": ("名称", "Name"),
    "xl.type": ("类型", "Type"),
    "xl.district": ("所属区域", "District"),
    "xl.total": ("合计", "Total"),
    "xl.by_district": ("按区域汇总（元）", "By district (yuan)"),
    "xl.by_award": ("按奖励项目汇总（元）", "By award (yuan)"),
    "xl.no_district": ("（未填区域）", "(no district)"),
    "xl.award": ("奖励项目", "Award"),
    "xl.award_id": ("奖励编号", "Award ID"),
    "xl.clause": ("条款", "Clause"),
    "xl.lines": ("笔数", "Lines"),
    "xl.year_amount": ("{year}年", "{year}"),
    "xl.institution": ("机构", "institution"),
    "xl.employer": ("用人企业", "employer"),
    "xl.district_payee": ("区域", "district"),
    # award lines: after the prior_awards columns, named like them and like the JSON keys
    "xl.line_clause": ("条款", "clause"),
    "xl.base": ("计算基数", "base"),
    "xl.rate": ("比例", "rate"),
    "xl.computed": ("计算金额", "computed"),
    "xl.notes": ("说明", "notes"),
    "xl.payee_name": ("受奖主体名称", "payee_name"),
    "xl.payee_type": ("主体类型", "payee_type"),
    "xl.year": ("年度", "year"),
    "xl.flags": ("标记", "flags"),
    "xl.source_sheet": ("来源工作表", "source_sheet"),
    "xl.source_row": ("来源行", "source_row"),
    "xl.flag.upper_bound": ("按最高额暂计", "upper bound"),
    "xl.flag.already_granted": ("已兑现", "already granted"),
    "xl.flag.annual_cap": ("年度上限核减", "annual cap"),
    "xl.flag.line_cap": ("单笔上限核减", "per-line cap"),
    "xl.flag.award_cap": ("最高金额核减", "maximum"),
    "xl.flag.offset": ("就高不重复核减", "other-policy offset"),
    "xl.flag.top_up": ("差额补足", "top-up"),
    "xl.flag.no_approved_amount": ("缺核定金额", "no approved amount"),
    "xl.flag.ruling_exact_band": ("增速恰为临界值", "growth exactly at a band edge"),
    # steps
    "xl.record_id": ("关联记录", "Record"),
    "xl.award_year": ("年度", "Year"),
    "xl.step_count": ("步骤数", "Steps"),
    "xl.step_text": ("计算步骤", "Steps in order"),
    "xl.step.input": ("输入", "input"),
    "xl.step.test": ("条件", "test"),
    "xl.step.rate": ("比例", "rate"),
    "xl.step.gross": ("计算", "gross"),
    "xl.step.cap": ("上限", "cap"),
    "xl.step.history": ("历史兑现", "history"),
    "xl.step.offset": ("就高不重复", "offset"),
    "xl.step.annual_cap": ("年度上限", "annual cap"),
    "xl.step.round": ("取整", "round"),
    "xl.step.note": ("说明", "note"),
    # issues
    "xl.severity": ("级别", "Severity"),
    "xl.sheet": ("工作表", "Sheet"),
    "xl.row": ("行", "Row"),
    "xl.column": ("列", "Column"),
    "xl.value": ("值", "Value"),
    "xl.message": ("说明", "Message"),
    "xl.error": ("错误", "error"),
    "xl.warning": ("警告", "warning"),
    "xl.info": ("提示", "info"),
    # policy
    "xl.parameter": ("参数", "Parameter"),
    "xl.parameter_id": ("参数编号", "Parameter ID"),
    "xl.item": ("档次或项目", "Tier or item"),
    "xl.text": ("方案原文", "Plan text"),
    "xl.ruling": ("实施口径", "Ruling"),
    "xl.validity": ("政策有效期", "Validity window"),
    "xl.other_policies": ("就高不重复", "Higher of, never both"),
    "xl.not_computable": ("不予计算（方案未定金额）", "Not computed (no amount in the plan)"),
    "xl.param.effective_from": ("有效期起", "effective from"),
    "xl.param.effective_to": ("有效期止", "effective to"),
    "xl.param.line_cap": ("单笔上限", "per-line cap"),
    "xl.param.annual_cap": ("每年上限", "annual cap"),
    "xl.param.min_salary": ("年薪门槛", "salary threshold"),
    "xl.param.rate": ("比例", "rate"),
    "xl.param.talent_classes": ("人才类别", "talent classes"),
    "xl.param.talent_class_rate": ("人才类别比例", "talent class rate"),
    "xl.param.talent_class_tier": ("人才类别档次", "talent class tier"),
    "xl.param.cap": ("上限", "cap"),
    "xl.param.high_band_above": ("高档增速（超过）", "high band: growth above"),
    "xl.param.low_band_above": ("低档增速（超过）", "low band: growth above"),
    "xl.param.min_revenue": ("营业收入门槛", "revenue threshold"),
    "xl.param.high_band": ("高档金额", "high band amount"),
    "xl.param.low_band": ("低档金额", "low band amount"),
    "xl.param.amount": ("金额", "amount"),
    "xl.param.maximum": ("最高金额", "maximum"),
    "xl.param.recognition": ("认定类别", "recognition kind"),
    "xl.param.approved": ("核定金额", "approved amount"),
    # run
    "xl.item_name": ("项目", "Item"),
    "xl.item_value": ("内容", "Value"),
    "xl.run.input": ("输入文件", "Input file"),
    "xl.run.sha256": ("输入文件 SHA-256", "Input SHA-256"),
    "xl.run.policy_id": ("政策编号", "Policy ID"),
    "xl.run.policy_title": ("政策名称", "Policy title"),
    "xl.run.effective_from": ("有效期起", "Effective from"),
    "xl.run.effective_to": ("有效期止", "Effective to"),
    "xl.run.expired": ("政策已到期", "Policy expired"),
    "xl.run.version": ("hrcalc 版本", "hrcalc version"),
    "xl.run.years": ("计算年度", "Years computed"),
    "xl.run.shown": ("本报告年度", "Years in this report"),
    "xl.run.status": ("结果", "Result"),
    "xl.run.complete": ("完整", "complete"),
    "xl.run.incomplete": ("结果不完整", "INCOMPLETE"),
    "xl.run.errors": ("错误", "Errors"),
    "xl.run.warnings": ("警告", "Warnings"),
    "xl.run.infos": ("提示", "Notes"),
    "xl.run.lines": ("奖励笔数", "Award lines"),
    "xl.run.payees": ("受奖主体数", "Payees"),
    "xl.run.total": ("奖励总额（元）", "Total awarded (yuan)"),
    "xl.run.ran_at": ("计算时间", "Ran at"),
    "xl.run.language": ("语言", "Language"),
    "xl.yes": ("是", "yes"),
    "xl.no": ("否", "no"),
    # reconciliation
    "xl.claimed": ("申报金额", "Claimed"),
    "xl.recon_computed": ("计算金额", "Computed"),
    "xl.difference": ("差额（申报−计算）", "Difference (claimed − computed)"),
    "xl.status": ("核对结果", "Status"),
    "xl.reason": ("原因", "Reason"),
    "xl.status.match": ("一致", "match"),
    "xl.status.over": ("多报", "over"),
    "xl.status.under": ("少报", "under"),
    "xl.status.unclaimed": ("未申报", "unclaimed"),
})

# ---- what the report says -------------------------------------------------------------------------

def _t(key: str, lang: Lang, **params: object) -> str:
    return msg(key, **params).render(lang)


def payee_type_name(kind: str, lang: Lang) -> str:
    return _t({"institution": "xl.institution", "employer": "xl.employer"}.get(kind, "xl.district_payee"), lang)


def _award_label(policy: Policy, award_id: str, lang: Lang) -> str:
    """An award as prior_awards reads it back: the Chinese name in a Chinese report, else the id."""
    return policy.award_name(award_id, "zh") if lang == "zh" else award_id


def _lines_by_payee(result: Result) -> dict[tuple[str, str], list[Line]]:
    by_payee: dict[tuple[str, str], list[Line]] = defaultdict(list)
    for ln in result.visible_lines():
        by_payee[(ln.payee_id, ln.payee_type)].append(ln)
    for lines in by_payee.values():
        lines.sort(key=Line.sort_key)
    return dict(sorted(by_payee.items()))


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


_TEXT: tuple[ColumnKind] = ("text",)
_MONEY: tuple[ColumnKind] = ("money",)


def summary_sheet(result: Result, lang: Lang, by_payee: dict[tuple[str, str], list[Line]]) -> SheetPlan:
    """汇总, the budget view: per payee with a column per award, then by district, then by award and year."""
    policy = result.policy
    awards = list(policy.awards)
    award_headers = [policy.award_name(a, lang) for a in awards]
    lines = [ln for plines in by_payee.values() for ln in plines]

    def per_award(group: list[Line]) -> list[Value]:
        sums: dict[str, Decimal] = defaultdict(Decimal)
        seen: set[str] = set()
        for ln in group:
            sums[ln.award] += ln.amount
            seen.add(ln.award)
        return [sums[a] if a in seen else None for a in awards]

    award_totals: list[Value] = [_sum(ln.amount for ln in lines if ln.award == a) for a in awards]
    grand: Value = _sum(ln.amount for ln in lines)

    payee_rows: list[list[Value]] = []
    for key, plines in by_payee.items():
        p: Payee = result.payees[key]
        payee_rows.append([p.payee_id, p.name, payee_type_name(p.payee_type, lang), p.district,
                           *per_award(plines), _sum(ln.amount for ln in plines)])
    n_awards = len(awards)
    payees = Block(
        header=[_t("xl.payee_id", lang), _t("xl.name", lang), _t("xl.type", lang), _t("xl.district", lang),
                *award_headers, _t("xl.total", lang)],
        kinds=[*_TEXT * 4, *_MONEY * (n_awards + 1)],
        rows=payee_rows, size=len(payee_rows),
        totals=[[_t("xl.total", lang), None, None, None, *award_totals, grand]],
    )

    no_district = _t("xl.no_district", lang)
    by_district: dict[str, list[Line]] = defaultdict(list)
    for key, plines in by_payee.items():
        by_district[result.payees[key].district or no_district].extend(plines)
    district_names = sorted(d for d in by_district if d != no_district)
    if no_district in by_district:
        district_names.append(no_district)
    district_rows: list[list[Value]] = [
        [d, *per_award(by_district[d]), _sum(ln.amount for ln in by_district[d])] for d in district_names
    ]
    districts = Block(
        title=_t("xl.by_district", lang),
        header=[_t("xl.district", lang), *award_headers, _t("xl.total", lang)],
        kinds=[*_TEXT, *_MONEY * (n_awards + 1)],
        rows=district_rows, size=len(district_rows),
        totals=[[_t("xl.total", lang), *award_totals, grand]],
    )

    years = result.visible_years()
    award_rows: list[list[Value]] = []
    for award_id, rule in policy.awards.items():
        alines = [ln for ln in lines if ln.award == award_id]
        award_rows.append([policy.award_name(award_id, lang), award_id, rule.clause, len(alines),
                           *(_sum(ln.amount for ln in alines if ln.year == y) for y in years),
                           _sum(ln.amount for ln in alines)])
    by_award = Block(
        title=_t("xl.by_award", lang),
        header=[_t("xl.award", lang), _t("xl.award_id", lang), _t("xl.clause", lang), _t("xl.lines", lang),
                *(_t("xl.year_amount", lang, year=y) for y in years), _t("xl.total", lang)],
        kinds=[*_TEXT * 3, "int", *_MONEY * (len(years) + 1)],
        rows=award_rows, size=len(award_rows),
        totals=[[_t("xl.total", lang), None, None, len(lines),
                 *(_sum(ln.amount for ln in lines if ln.year == y) for y in years), grand]],
    )
    return SheetPlan(_t("xl.sheet.summary", lang), [payees, districts, by_award], freeze_cols=2)


def _flags(flags: set[str], lang: Lang) -> str | None:
    if not flags:
        return None
    sep = "、" if lang == "zh" else ", "
    return sep.join(_t(f"xl.flag.{f}", lang) if has_key(f"xl.flag.{f}") else f for f in sorted(flags))


def lines_sheet(result: Result, lang: Lang, by_payee: dict[tuple[str, str], list[Line]]) -> SheetPlan:
    """Award lines: the prior_awards columns first, in order, as prior_awards reads them back."""
    policy = result.policy
    tiers = policy.tier_names()
    prior = [c.zh if lang == "zh" else c.en for c in PRIOR_AWARDS.columns]
    assert [c.field for c in PRIOR_AWARDS.columns] == ["payee_id", "award", "tier", "record_id", "amount",
                                                      "date"], "contract.md fixes these columns"
    sep = "；" if lang == "zh" else "; "
    payee_names = {key: result.payees[key] for key in by_payee}

    def rows() -> Iterator[list[Value]]:
        for key, plines in by_payee.items():
            payee = payee_names[key]
            type_name = payee_type_name(payee.payee_type, lang)
            for ln in plines:
                tier = None if ln.tier is None else (tiers.get(ln.tier, ln.tier) if lang == "zh" else ln.tier)
                yield [
                    ln.payee_id, _award_label(policy, ln.award, lang), tier, ln.record_id, ln.amount,
                    ln.event_date,
                    ln.clause, ln.base, None if ln.rate is None else Pct(ln.rate), ln.computed,
                    sep.join(n.render(lang) for n in ln.notes) or None,
                    payee.name, type_name, ln.year, _flags(ln.flags, lang),
                    ln.source.sheet if ln.source else None, ln.source.row if ln.source else None,
                ]

    header = [*prior, *(_t(k, lang) for k in ("xl.line_clause", "xl.base", "xl.rate", "xl.computed", "xl.notes",
                                              "xl.payee_name", "xl.payee_type", "xl.year", "xl.flags",
                                              "xl.source_sheet", "xl.source_row"))]
    kinds: list[ColumnKind] = ["text", "text", "text", "text", "money", "date",
                               "text", "money", "rate", "money", "text", "text", "text", "int", "text", "text",
                               "int"]
    size = sum(len(v) for v in by_payee.values())
    return SheetPlan(_t("xl.sheet.lines", lang), [Block(header, kinds, rows(), size)])


def _step_kind(kind: str, lang: Lang) -> str:
    key = f"xl.step.{kind}"
    return _t(key, lang) if has_key(key) else kind


def step_lines(line: Line, lang: Lang, kind_names: dict[str, str]) -> str:
    """A line's recorded steps, one per text line, numbered: "1. 条件：…" (never recomputed)."""
    sep = "：" if lang == "zh" else ": "
    out = []
    for n, step in enumerate(line.steps, start=1):
        kind = kind_names.get(step.kind)
        if kind is None:
            kind = kind_names[step.kind] = _step_kind(step.kind, lang)
        out.append(f"{n}. {kind}{sep}{step.text.render(lang)}")
    return "\n".join(out)


def step_texts(result: Result, lang: Lang) -> list[str]:
    """Every shown line's steps in words (see step_lines), in the report's order: by payee, then
    as Line.sort_key orders the lines. calculate may compute these in another process."""
    kind_names: dict[str, str] = {}
    return [step_lines(ln, lang, kind_names) for plines in _lines_by_payee(result).values() for ln in plines]


def steps_sheet(result: Result, lang: Lang, by_payee: dict[tuple[str, str], list[Line]],
                texts: Callable[[], Sequence[str]] | None = None) -> SheetPlan:
    """Every line's recorded steps, rendered, never recomputed, in the award lines' order: one row per
    line, its steps numbered one per text line in one wrapped cell (a row per step made this sheet
    ten times longer than the award lines, and most of the report's writing time). `texts`, when
    given, supplies step_texts(result, lang) already made.

    Records that earned no line are left to `hrcalc explain`: in a large run they outnumber the
    lines several times over, and their reasons are in its output (and window warnings in Issues).
    """
    policy = result.policy
    award_names = {a: policy.award_name(a, lang) for a in policy.awards}
    kind_names: dict[str, str] = {}
    size = sum(len(plines) for plines in by_payee.values())

    def rows() -> Iterator[list[Value]]:
        made = texts() if texts is not None else None
        if made is not None and len(made) != size:
            raise RuntimeError(f"{len(made)} step texts for {size} lines")
        i = 0
        for key, plines in by_payee.items():
            name = result.payees[key].name
            for ln in plines:
                text = made[i] if made is not None else step_lines(ln, lang, kind_names)
                i += 1
                yield [ln.payee_id, name, award_names.get(ln.award, ln.award), ln.record_id, ln.year,
                       len(ln.steps), text]

    header = [_t(k, lang) for k in ("xl.payee_id", "xl.name", "xl.award", "xl.record_id", "xl.award_year",
                                    "xl.step_count", "xl.step_text")]
    kinds: list[ColumnKind] = ["text", "text", "text", "text", "int", "int", "wrap"]
    return SheetPlan(_t("xl.sheet.steps", lang), [Block(header, kinds, rows(), size)])


def issues_sheet(result: Result, lang: Lang) -> SheetPlan:
    """Every error, warning and note, located by sheet, row, column and value as the reader found it."""
    rows: list[list[Value]] = [
        [_t(f"xl.{i.severity}", lang), i.sheet, i.row, i.column, i.value, i.message.render(lang)]
        for i in result.issues
    ]
    header = [_t(k, lang) for k in ("xl.severity", "xl.sheet", "xl.row", "xl.column", "xl.value",
                                    "xl.message")]
    kinds: list[ColumnKind] = ["text", "text", "int", "text", "text", "text"]
    return SheetPlan(_t("xl.sheet.issues", lang), [Block(header, kinds, rows, len(rows))])


_DESCRIPTIVE = frozenset({"kind", "name_zh", "name_en", "clause", "payee", "text", "ruling", "ruling_zh"})
_ITEM_ID_FIELDS = ("id", "recognition", "level")


def _is_rate(model: type[BaseModel], name: str) -> bool:
    return any(isinstance(m, Le) and m.le == 1 for m in model.model_fields[name].metadata)


def _param_label(name: str, lang: Lang) -> str:
    key = f"xl.param.{name}"
    return _t(key, lang) if has_key(key) else name


def _param_value(model: BaseModel, name: str, lang: Lang) -> Value:
    value = getattr(model, name)
    if isinstance(value, Decimal):
        return Pct(value) if _is_rate(type(model), name) else Money(value)
    if isinstance(value, list):
        return ("、" if lang == "zh" else ", ").join(map(str, value))
    if isinstance(value, date | str | int):
        return value
    return str(value)


def policy_rows(policy: Policy, lang: Lang) -> Iterator[list[Value]]:
    """Every parameter of every award, read from the policy model, with its clause and the plan's words."""
    v = policy.validity
    for name in ("effective_from", "effective_to"):
        yield [_t("xl.validity", lang), None, v.clause, _t(f"xl.param.{name}", lang), name, None,
               getattr(policy, name), v.text, v.ruling_text(lang) or None]
    o = policy.other_policies
    yield [_t("xl.other_policies", lang), None, o.clause, None, None, None, None, o.text, o.ruling_text(lang) or None]
    for award_id, rule in policy.awards.items():
        name = policy.award_name(award_id, lang)
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
        yield [nc.name(lang), None, nc.clause, _t("xl.not_computable", lang), None, None, nc.reason_text(lang), nc.text,
               None]


def policy_sheet(result: Result, lang: Lang) -> SheetPlan:
    """The policy the run used, parameter by parameter (see policy_rows)."""
    rows = list(policy_rows(result.policy, lang))
    header = [_t(k, lang) for k in ("xl.award", "xl.award_id", "xl.clause", "xl.parameter", "xl.parameter_id",
                                    "xl.item", "xl.value", "xl.text", "xl.ruling")]
    kinds: list[ColumnKind] = ["text", "text", "text", "text", "text", "text", "any", "text", "text"]
    return SheetPlan(_t("xl.sheet.policy", lang), [Block(header, kinds, rows, len(rows))])


def run_sheet(result: Result, lang: Lang, now: datetime) -> SheetPlan:
    """What an auditor needs to reproduce the run: input and its hash, policy, version, years, status, time."""
    p = result.policy
    lines = result.visible_lines()
    counts = {s: sum(1 for i in result.issues if i.severity == s) for s in ("error", "warning", "info")}
    yes, no = _t("xl.yes", lang), _t("xl.no", lang)
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
        ("xl.run.status", _t("xl.run.complete" if result.complete else "xl.run.incomplete", lang)),
        ("xl.run.errors", counts["error"]),
        ("xl.run.warnings", counts["warning"]),
        ("xl.run.infos", counts["info"]),
        ("xl.run.lines", len(lines)),
        ("xl.run.payees", len({(ln.payee_id, ln.payee_type) for ln in lines})),
        ("xl.run.total", Money(_sum(ln.amount for ln in lines))),
        ("xl.run.ran_at", now),
        ("xl.run.language", lang),
    ]
    rows: list[list[Value]] = [[_t(k, lang), v] for k, v in items]
    header = [_t("xl.item_name", lang), _t("xl.item_value", lang)]
    return SheetPlan(_t("xl.sheet.run", lang), [Block(header, ["text", "any"], rows, len(rows))], filter=False)


def recon_sheet(result: Result, recon: list[ReconRow], lang: Lang) -> SheetPlan:
    """核对: each claim, and each computed award nobody claimed, against the computation."""
    policy = result.policy
    rows: list[list[Value]] = [
        [r.payee_id, policy.award_name(r.award, lang), r.record_id, r.year, r.claimed, r.computed, r.difference,
         _t(f"xl.status.{r.status}", lang), r.reason.render(lang)]
        for r in recon
    ]
    header = [_t(k, lang) for k in ("xl.payee_id", "xl.award", "xl.record_id", "xl.award_year", "xl.claimed",
                                    "xl.recon_computed", "xl.difference", "xl.status", "xl.reason")]
    kinds: list[ColumnKind] = ["text", "text", "text", "int", "money", "money", "money", "text", "text"]
    totals: list[list[Value]] = [[
        _t("xl.total", lang), None, None, None,
        _sum(r.claimed for r in recon if r.claimed is not None), _sum(r.computed for r in recon),
        _sum(r.difference for r in recon), None, None,
    ]]
    return SheetPlan(_t("xl.sheet.recon", lang), [Block(header, kinds, rows, len(rows), totals=totals)])


def plan_report(result: Result, lang: Lang, now: datetime,
                step_texts: Callable[[], Sequence[str]] | None = None) -> list[SheetPlan]:
    """The report's sheets, in order, ready to write (`step_texts`: see steps_sheet)."""
    by_payee = _lines_by_payee(result)
    plans = [
        summary_sheet(result, lang, by_payee),
        lines_sheet(result, lang, by_payee),
        steps_sheet(result, lang, by_payee, step_texts),
        issues_sheet(result, lang),
        policy_sheet(result, lang),
        run_sheet(result, lang, now),
    ]
    recon = result.visible_reconciliation()
    if recon is not None:
        plans.insert(2, recon_sheet(result, recon, lang))
    return plans


def incomplete_banner(result: Result, lang: Lang) -> str | None:
    if result.complete:
        return None
    return _t("xl.incomplete", lang, count=sum(1 for i in result.issues if i.severity == "error"))


def build_workbook(result: Result, path: Path, *, lang: Lang = "zh", now: datetime | None = None,
                   progress: ProgressFn | None = None,
                   step_texts: Callable[[], Sequence[str]] | None = None) -> None:
    """Write the report's sheets to `path`, streamed sheet by sheet (see hrcalc.render.xlsx)."""
    plans = plan_report(result, lang, now or datetime.now().replace(microsecond=0), step_texts)
    counter = Counter(total=sum(b.size for plan in plans for b in plan.blocks), progress=progress)
    banner = incomplete_banner(result, lang)
    package = open_package(path, plans, banner)
    try:
        writer = SheetWriter(package, banner, counter)
        for plan in plans:
            writer.write(plan)
    finally:
        package.close()
    if progress is not None:
        progress(counter.total, counter.total)


def write_report(result: Result, path: Path, *, lang: Lang = "zh", force: bool = False,
                 input_path: Path | None = None, now: datetime | None = None,
                 progress: ProgressFn | None = None,
                 step_texts: Callable[[], Sequence[str]] | None = None) -> None:
    """Write the report to `path` through a temporary file beside it (see outputs.write_atomic)."""

    def write(tmp: Path) -> None:
        build_workbook(result, tmp, lang=lang, now=now, progress=progress, step_texts=step_texts)

    write_atomic(path, write, force=force, inputs=(input_path,) if input_path is not None else ())
