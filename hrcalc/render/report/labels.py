"""The report's words: sheet names, headers and labels in both languages, and the helpers every sheet
module shares (award names, payee kinds, flags, sums), so a name is looked up in one place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from hrcalc.i18n import Lang, has_key, msg, register
from hrcalc.money import ZERO
from hrcalc.result import Line, Result

register({
    "xl.sheet.summary": ("汇总", "Summary"),
    "xl.sheet.lines": ("奖励明细", "Award lines"),
    "xl.sheet.steps": ("计算过程", "Steps"),
    "xl.sheet.issues": ("问题", "Issues"),
    "xl.sheet.policy": ("政策参数", "Policy"),
    "xl.sheet.run": ("运行信息", "Run"),
    "xl.sheet.recon": ("核对", "Reconciliation"),
    "xl.sheet.districts": ("区域汇总", "By district"),
    "xl.sheet.payees": ("受奖主体汇总", "By payee"),
    "xl.sheet.unclaimed": ("免申即享", "Owed unclaimed"),
    "xl.sheet.charts": ("图表", "Charts"),
    "xl.heading": ("{title}：{sheet}", "{title}: {sheet}"),
    "xl.by_year": ("按年度汇总（元）", "By year (yuan)"),
    "xl.payees_count": ("受奖主体数", "Payees"),
    "xl.chart.by_award": ("各奖励项目金额（元）", "Amount by award (yuan)"),
    "xl.chart.by_year": ("各年度金额（元）", "Amount by year (yuan)"),
    "xl.chart.by_district": ("各区域金额（元）", "Amount by district (yuan)"),
    "xl.sign.prepared": ("经办人（签字）：", "Prepared by:"),
    "xl.sign.checked": ("复核人（签字）：", "Checked by:"),
    "xl.sign.approved": ("负责人（签字）：", "Approved by:"),
    "xl.sign.date": ("日期：", "Date:"),
    "xl.records": ("关联记录", "Records"),
    "xl.unclaimed_note": ("以下奖励已按规定计算，但受奖主体未申报（免申即享），可直接告知。",
                          "These awards are owed but were not claimed (免申即享): the payees can be told "
                          "without waiting for an application."),
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
    "xl.prior.payee_id": ("受奖主体", "Payee ID"),
    "xl.prior.award": ("奖励项目", "Award"),
    "xl.prior.tier": ("档次", "Tier"),
    "xl.prior.record_id": ("关联记录", "Record"),
    "xl.prior.amount": ("金额", "Amount"),
    "xl.prior.date": ("兑现日期", "Date"),
    "xl.prior.policy": ("政策", "Plan"),
    "xl.line_clause": ("条款", "Clause"),
    "xl.base": ("计算基数", "Base"),
    "xl.rate": ("比例", "Rate"),
    "xl.computed": ("计算金额", "Computed"),
    "xl.notes": ("说明", "Notes"),
    "xl.payee_name": ("受奖主体名称", "Payee name"),
    "xl.payee_type": ("主体类型", "Payee type"),
    "xl.year": ("年度", "Year"),
    "xl.flags": ("标记", "Flags"),
    "xl.source_sheet": ("来源工作表", "Source sheet"),
    "xl.source_row": ("来源行", "Source row"),
    "xl.flag.ruling_talent_class": ("按A/B类人才口径", "A/B talent rule"),
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


def t(key: str, lang: Lang, **params: object) -> str:
    """A report label in the report's language."""
    return msg(key, **params).render(lang)


def award_name(result: Result, award_id: str, lang: Lang) -> str:
    """The one place the report looks up an award's name: from the run's plans."""
    return result.award_name(award_id, lang)


def award_label(result: Result, award_id: str, lang: Lang) -> str:
    """An award as prior_awards reads it back: the Chinese name in a Chinese report, else the id."""
    return award_name(result, award_id, "zh") if lang == "zh" else award_id


def payee_type_name(kind: str, lang: Lang) -> str:
    return t({"institution": "xl.institution", "employer": "xl.employer"}.get(kind, "xl.district_payee"), lang)


def flags_text(flags: set[str], lang: Lang) -> str | None:
    """A line's flags in words."""
    if not flags:
        return None
    sep = "、" if lang == "zh" else ", "
    return sep.join(t(f"xl.flag.{f}", lang) if has_key(f"xl.flag.{f}") else f for f in sorted(flags))


def lines_by_payee(result: Result) -> dict[tuple[str, str], list[Line]]:
    """The shown lines per payee, payees in the JSON's order, lines as Line.sort_key orders them."""
    by_payee: dict[tuple[str, str], list[Line]] = defaultdict(list)
    for ln in result.visible_lines():
        by_payee[(ln.payee_id, ln.payee_type)].append(ln)
    for lines in by_payee.values():
        lines.sort(key=Line.sort_key)
    return dict(sorted(by_payee.items()))


def money_sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)
