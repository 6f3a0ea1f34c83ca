"""The ledger as history of a calculation: grants become prior_awards rows, matched to typed ones."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hrcalc.i18n import msg, register
from hrcalc.ledger.query import LedgerLine, lines
from hrcalc.ledger.schema import open_read
from hrcalc.ledger.store import head_of
from hrcalc.records import Issue, PriorAward, Records
from hrcalc.result import Result

register({
    "ledger.no_file": ("账本 {path} 尚不存在：本次计算没有账本历史（账本头为空）",
                       "No ledger at {path} yet: computed with no ledger history (head null)"),
    "ledger.contradiction": ("历史兑现表第 {row} 行（{award}，{record}，{year}年，{amount:money}，档次 {tier}）"
                             "与账本 {run} 的兑现记录（{g_amount:money}，档次 {g_tier}）不一致",
                             "prior_awards row {row} ({award}, {record}, {year}, {amount:money}, tier {tier}) "
                             "contradicts the ledger's grant of run {run} ({g_amount:money}, tier {g_tier})"),
    "ledger.matches_revoked": ("历史兑现表第 {row} 行（{award}，{record}，{year}年）"
                               "对应账本中已撤销的 {run} 的兑现记录",
                               "prior_awards row {row} ({award}, {record}, {year}) matches a grant of run {run}, "
                               "which was revoked"),
    "ledger.unknown_awards": ("账本中有 {count} 条兑现记录属于本次政策中没有的奖励（{awards}），已忽略",
                              "{count} ledger grant(s) are for awards in no plan of this run ({awards}); ignored"),
    "note.withheld": ("{run} 登记时暂缓兑现（{reason}），本次重新计算",
                      "Withheld when run {run} was committed ({reason}); computed afresh"),
})

BLANK = "-"


@dataclass(slots=True)
class LedgerHistory:
    """What one calculation took from the ledger."""

    path: Path
    exists: bool
    head: str | None = None
    run: str | None = None
    grants: list[LedgerLine] = field(default_factory=list)  # unrevoked, for this run's payees
    withheld: list[LedgerLine] = field(default_factory=list)
    revoked: list[LedgerLine] = field(default_factory=list)

    def seen(self) -> dict[str, Any]:
        """The result's `ledger` key: the head the run saw (null when the ledger is empty or absent)."""
        return {"head": self.head, "run": self.run}


def payees_of(records: Records) -> set[str]:
    """Every payee a calculation of these records can pay, and every payee of typed history."""
    ids = {i.credit_code for i in records.institutions}
    ids.update(p.credit_code for p in records.placements)
    ids.update(p.employer_credit_code for p in records.placements)
    ids.update(p.district for p in records.parks)
    ids.update(r.credit_code for r in records.revenue)
    ids.update(r.credit_code for r in records.recognitions)
    ids.update(p.payee_id for p in records.prior_awards)
    return ids


def load(path: Path, records: Records) -> LedgerHistory:
    """Only the grants of the run's payees are read (an index lookup), whatever the ledger's size."""
    if not path.exists():
        return LedgerHistory(path, exists=False)
    with open_read(path) as conn:
        head = head_of(conn)
        found = lines(conn, payees_of(records))
    hist = LedgerHistory(path, exists=True, head=None if head is None else head[1],
                         run=None if head is None else head[0])
    for ln in found:
        {"granted": hist.grants, "withheld": hist.withheld, "revoked": hist.revoked}[ln.status].append(ln)
    return hist


def _prior(ln: LedgerLine) -> PriorAward:
    # a grant keeps the plan of the line it came from (rulings.md "Which plan a history row belongs to")
    return PriorAward(ln.payee_id, ln.award, ln.tier, ln.record_id, ln.amount, ln.event_date, None,
                      policy=ln.policy or None, run=ln.run)


def merge(records: Records, hist: LedgerHistory, known_awards: set[str]) -> Records:
    """Records whose prior_awards are the typed rows plus the ledger's grants, each grant once."""
    by_key: dict[tuple[str, str, str, int], list[LedgerLine]] = defaultdict(list)
    by_amount: dict[tuple[str, str, int, Any], list[LedgerLine]] = defaultdict(list)
    for g in hist.grants:
        by_key[g.key].append(g)
        by_amount[(g.payee_id, g.award, g.year, g.amount)].append(g)
    revoked_key: dict[tuple[str, str, str, int], LedgerLine] = {}
    revoked_amount: dict[tuple[str, str, int, Any], list[LedgerLine]] = defaultdict(list)
    for g in hist.revoked:
        revoked_key.setdefault(g.key, g)
        revoked_amount[(g.payee_id, g.award, g.year, g.amount)].append(g)
    kept: list[PriorAward] = []
    issues: list[Issue] = [] if hist.exists else [Issue("info", msg("ledger.no_file", path=str(hist.path)))]
    for p in records.prior_awards:
        row = p.source.row if p.source else 0
        sheet = p.source.sheet if p.source else None
        if p.record_id:
            key = (p.payee_id, p.award, p.record_id, p.date.year)
            cands = by_key.get(key)
            if cands:
                if any(g.amount == p.amount and (p.tier is None or p.tier == g.tier) for g in cands):
                    continue  # the same grant: the ledger's copy counts
                g = cands[0]
                issues.append(Issue("error", msg("ledger.contradiction", row=row, award=p.award, record=p.record_id,
                                                 year=p.date.year, amount=p.amount, tier=p.tier or BLANK,
                                                 run=g.run, g_amount=g.amount, g_tier=g.tier or BLANK),
                                    column="amount", value=str(p.amount), sheet=sheet, row=row or None))
                continue
            gone = revoked_key.get(key)
            if gone is not None:
                issues.append(Issue("error", msg("ledger.matches_revoked", row=row, award=p.award,
                                                 record=p.record_id, year=p.date.year, run=gone.run),
                                    column="record_id", value=p.record_id, sheet=sheet, row=row or None))
                continue
        else:
            akey = (p.payee_id, p.award, p.date.year, p.amount)
            if len(by_amount.get(akey, ())) == 1:
                continue
            if akey not in by_amount and len(revoked_amount.get(akey, ())) == 1:
                gone = revoked_amount[akey][0]
                issues.append(Issue("error", msg("ledger.matches_revoked", row=row, award=p.award, record=BLANK,
                                                 year=p.date.year, run=gone.run),
                                    column="amount", value=str(p.amount), sheet=sheet, row=row or None))
                continue
        kept.append(p)
    unknown = sorted({g.award for g in hist.grants} - known_awards)
    if unknown:
        count = sum(1 for g in hist.grants if g.award not in known_awards)
        issues.append(Issue("info", msg("ledger.unknown_awards", count=count, awards=", ".join(unknown))))
    ledger_rows = [_prior(g) for g in hist.grants if g.award in known_awards]
    return replace(records, prior_awards=kept + ledger_rows, issues=records.issues + issues)


def note_withheld(result: Result, hist: LedgerHistory) -> None:
    """A line withheld by an earlier commit and still not granted says which run withheld it and why."""
    if not hist.withheld:
        return
    granted = {g.key for g in hist.grants}
    latest: dict[tuple[str, str, str, int], LedgerLine] = {}
    for w in hist.withheld:
        if w.key not in granted:
            latest[w.key] = w  # ordered by insertion: the newest withholding wins
    if not latest:
        return
    for line in result.lines:
        held = latest.get((line.payee_id, line.award, line.record_id, line.year))
        if held is not None:
            line.notes.append(msg("note.withheld", run=held.run, reason=held.reason or BLANK))
            line.flags.add("withheld_before")
