"""The ledger's and `diff`'s terminal output: runs, grants, a verify verdict, lines that changed."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from hrcalc.i18n import Lang, msg, register
from hrcalc.ledger.query import LedgerLine
from hrcalc.money import show_money

register({
    "lg.runs": ("账本记录", "Ledger entries"),
    "lg.grants": ("兑现记录", "Grants"),
    "lg.run": ("记录", "Run"),
    "lg.kind": ("类型", "Kind"),
    "lg.kind.commit": ("登记", "commit"),
    "lg.kind.revoke": ("撤销", "revoke"),
    "lg.at": ("时间", "At"),
    "lg.by": ("经办人", "By"),
    "lg.note": ("说明", "Note"),
    "lg.count": ("兑现条数", "Grants"),
    "lg.total": ("金额合计", "Total"),
    "lg.input": ("输入文件", "Input"),
    "lg.status": ("状态", "Status"),
    "lg.status.granted": ("已兑现", "granted"),
    "lg.status.withheld": ("暂缓", "withheld"),
    "lg.status.revoked": ("已撤销", "revoked"),
    "lg.payee": ("受奖主体", "Payee"),
    "lg.award": ("奖励项目", "Award"),
    "lg.tier": ("档次", "Tier"),
    "lg.record": ("关联记录", "Record"),
    "lg.year": ("年度", "Year"),
    "lg.amount": ("金额", "Amount"),
    "lg.empty": ("账本为空", "The ledger is empty"),
    "lg.none": ("没有兑现记录", "No grants"),
    "lg.committed": ("已登记为 {run}：兑现 {grants} 条，合计 {total:money}；暂缓 {withheld} 条；账本头 {head}",
                     "Committed as {run}: {grants} grant(s), total {total:money}; {withheld} withheld; "
                     "head {head}"),
    "lg.revoked": ("已撤销 {target}，记为 {run}（收回 {grants} 条兑现）；账本头 {head}",
                   "Revoked {target} as {run} ({grants} grant(s) taken back); head {head}"),
    "lg.verified": ("账本校验通过：{count} 条记录，哈希链完整；账本头 {head}",
                    "The ledger verifies: {count} entries, the hash chain holds; head {head}"),
    "lg.broken": ("账本校验失败：{run}：{reason}", "The ledger does not verify: {run}: {reason}"),
    "verify.gap": ("记录序号不连续（有记录被删除或插入）", "entries are not numbered in sequence (one was deleted "
                   "or inserted)"),
    "verify.prev": ("所记上一条记录的哈希不符（之前的记录被删除、插入或改动）",
                    "the previous entry's hash it records does not match (an earlier entry was deleted, "
                    "inserted or changed)"),
    "verify.hash": ("记录内容（清单或兑现行）与其哈希不符：已被改动", "its manifest or lines do not match its hash: "
                    "they were changed"),
    "verify.manifest": ("清单无法读取", "its manifest cannot be read"),
    "verify.revocation": ("撤销记录与撤销表不一致", "its revoke does not match the revocations table"),
    "verify.orphan": ("有兑现行或撤销不属于任何记录", "lines or revocations belong to no entry"),
    "lg.exported": ("已导出 {count} 条兑现记录到 {path}", "Exported {count} grant(s) to {path}"),
    "df.title": ("两次计算结果的差异", "What changed between the two results"),
    "df.change": ("变化", "Change"),
    "df.added": ("新增", "added"),
    "df.removed": ("删除", "removed"),
    "df.changed": ("变动", "changed"),
    "df.old": ("原金额", "Old"),
    "df.new": ("新金额", "New"),
    "df.diff": ("差额", "Difference"),
    "df.why": ("原因", "Why"),
    "df.why.input": ("输入文件变了", "the input changed"),
    "df.why.policy": ("政策变了", "the plan changed"),
    "df.why.history": ("历史（账本头）变了", "the history (ledger head) changed"),
    "df.why.notes": ("该行说明变了", "the line's notes changed"),
    "df.fields": ("变动项：{fields}", "fields: {fields}"),
    "df.none": ("两次结果的奖励行完全相同", "The two results have the same award lines"),
    "df.summary": ("新增 {added} 行，删除 {removed} 行，变动 {changed} 行；合计 {old:money} → {new:money}（{diff}）",
                   "{added} added, {removed} removed, {changed} changed; total {old:money} → {new:money} ({diff})"),
    "df.context": ("输入文件：{input}；政策：{policy}；账本头：{history}", "input: {input}; plan: {policy}; "
                   "ledger head: {history}"),
    "df.same": ("相同", "same"),
    "df.differs": ("不同", "differs"),
})


def _t(key: str, lang: Lang, **params: object) -> str:
    return msg(key, **params).render(lang)


def short(head: str | None) -> str:
    return "-" if not head else head[:12]


def runs_table(entries: Sequence[dict[str, Any]], console: Console, lang: Lang) -> None:
    if not entries:
        console.print(_t("lg.empty", lang))
        return
    table = Table(title=_t("lg.runs", lang), header_style="bold")
    for key in ("lg.run", "lg.kind", "lg.at", "lg.by", "lg.count", "lg.total", "lg.input", "lg.note"):
        table.add_column(_t(key, lang), overflow="fold")
    for e in entries:
        inp = (e["manifest"].get("input") or {}).get("file") if e["kind"] == "commit" else e.get("revokes")
        total = show_money(Decimal(e["total"])) if e.get("total") else ""
        table.add_row(e["run"], _t(f"lg.kind.{e['kind']}", lang), e["at"], e["by"], str(e["grants"]), total,
                      inp or "", e["note"])
    console.print(table)


def grants_table(rows: Sequence[LedgerLine], console: Console, lang: Lang, names: Mapping[str, str]) -> None:
    if not rows:
        console.print(_t("lg.none", lang))
        return
    table = Table(title=_t("lg.grants", lang), header_style="bold")
    for key in ("lg.payee", "lg.year", "lg.award", "lg.tier", "lg.record", "lg.amount", "lg.run", "lg.status"):
        table.add_column(_t(key, lang), overflow="fold", justify="right" if key == "lg.amount" else "left")
    for g in rows:
        status = _t(f"lg.status.{g.status}", lang) + (f"（{g.reason}）" if g.reason else "")
        table.add_row(g.payee_id, str(g.year), award_name(g.award, names),
                      g.tier or "", g.record_id, show_money(g.amount), g.run, status)
    console.print(table)


def award_name(award: str, names: Mapping[str, str]) -> str:
    """The one place award names are looked up here: the plan's name in the language, else the id."""
    return names.get(award, award)


def grant_dict(g: LedgerLine, manifest: dict[str, Any]) -> dict[str, Any]:
    return {"payee_id": g.payee_id, "payee_type": g.payee_type, "award": g.award, "tier": g.tier,
            "record_id": g.record_id, "year": g.year, "date": g.event_date.isoformat(),
            "amount": f"{g.amount:.2f}", "policy": g.policy, "run": g.run, "status": g.status,
            "reason": g.reason, "manifest": manifest}


def dumps(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _who(e: Mapping[str, Any]) -> str:
    name = e.get("name")
    return e["payee_id"] if not name or name == e["payee_id"] else f"{name} {e['payee_id']}"


def diff_table(doc: dict[str, Any], console: Console, lang: Lang, names: Mapping[str, str]) -> None:
    ch = doc["changes"]

    def same(flag: bool) -> str:
        return _t("df.differs" if flag else "df.same", lang)

    console.print(_t("df.context", lang, input=same(ch["input"]), policy=same(ch["policy"]),
                     history=same(ch["history"])))
    rows = [("added", e) for e in doc["added"]] + [("removed", e) for e in doc["removed"]] \
        + [("changed", e) for e in doc["changed"]]
    if not rows:
        console.print(_t("df.none", lang))
    else:
        table = Table(title=_t("df.title", lang), header_style="bold")
        for key in ("df.change", "lg.payee", "lg.award", "lg.record", "lg.year", "df.old", "df.new", "df.diff",
                    "df.why"):
            table.add_column(_t(key, lang), overflow="fold",
                             justify="right" if key in ("df.old", "df.new", "df.diff") else "left")
        for kind, e in rows:
            why = "；".join(_t(f"df.why.{w}", lang) for w in e["why"]) if lang == "zh" else \
                "; ".join(_t(f"df.why.{w}", lang) for w in e["why"])
            fields = [f for f in e.get("fields", []) if f != "notes"]
            if fields:
                why = (why + " · " if why else "") + _t("df.fields", lang, fields=", ".join(fields))
            award = award_name(e["award"], names)
            table.add_row(_t(f"df.{kind}", lang), _who(e), award,
                          e["record_id"], str(e["year"]),
                          "" if e["old_amount"] is None else show_money(Decimal(e["old_amount"])),
                          "" if e["new_amount"] is None else show_money(Decimal(e["new_amount"])),
                          show_money(Decimal(e["difference"])), why)
        console.print(table)
    t = doc["total"]
    diff = Decimal(t["difference"])
    console.print(_t("df.summary", lang, added=len(doc["added"]), removed=len(doc["removed"]),
                     changed=len(doc["changed"]), old=Decimal(t["old"]), new=Decimal(t["new"]),
                     diff=("+" if diff > 0 else "") + show_money(diff)))
