"""What every award shares: history of grants, the line builder with its steps, the year context."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from hrcalc.i18n import Msg, fields, msg, register
from hrcalc.money import ZERO, round_money
from hrcalc.policy import Policy
from hrcalc.records import Issue, PayeeType, PriorAward, Source
from hrcalc.result import Line, Skip, Step, StepKind

_new_step = tuple.__new__  # as i18n.msg does: NamedTuple's own __new__ is a slower Python-level function
_new_tuple = tuple.__new__  # the same for the other NamedTuples built per record (every field given)
_new_msg = tuple.__new__  # a Msg is (key, fields(...), *values), see hrcalc.i18n.Msg

StepMemo = dict[tuple[Any, ...], Step]
"""A run's shared steps by (kind, key, *values): made by the engine for one run, held by its
YearContexts and the line builders they pass it to, gone with the run."""


def shared_step(memo: StepMemo, kind: StepKind, key: str, names: tuple[str, ...], *values: Any) -> Step:
    """The one Step of this kind, message and values in `memo` (the run's): the same as
    Step(kind, msg(key, **dict(zip(names, values)))).

    Placements repeat salaries, fees and classes (100,000 placements: 2,819 salaries, 6,597
    fees), so most steps say what another already says; sharing them saves memory and the time
    of building them. Only for messages whose Decimal values are shown through {:money} or
    {:rate}, which show 1.0 and 1.00 alike: equal values are the same text.
    """
    at = (kind, key, *values)
    found = memo.get(at)
    if found is None:
        found = memo[at] = _new_step(Step, (kind, _new_msg(Msg, (key, names, *values))))
    return found


_F_GROSS = fields("base", "rate", "value")
_F_CAP = fields("cap_name", "cap", "before", "after")
_F_CAP_OK = fields("cap_name", "cap", "before")
_F_ANNUAL = fields("cap_name", "cap", "used", "room", "before", "after")
_F_ANNUAL_OK = fields("cap_name", "cap", "used", "room", "before")
_F_ROUND = fields("before", "after")

register({
    # steps
    "step.gross": ("计算金额：{base:money} × {rate:rate} = {value:money}",
                   "Computed: {base:money} × {rate:rate} = {value:money}"),
    "step.fixed": ("定额奖励 {value:money}", "Fixed amount {value:money}"),
    "step.cap": ("{cap_name}上限 {cap:money}：{before:money} → {after:money}",
                 "{cap_name} cap {cap:money}: {before:money} → {after:money}"),
    "step.cap_ok": ("{cap_name}上限 {cap:money}：{before:money} 未超限",
                    "{cap_name} cap {cap:money}: {before:money} within it"),
    "step.offset": ("就高不重复：已享受其他政策 {other:money}，{before:money} − {other:money} → {after:money}",
                    "Higher-of, never both: other policy paid {other:money}; "
                    "{before:money} − {other:money} → {after:money}"),
    "step.annual_cap": ("{cap_name}上限 {cap:money}，本年度已享受 {used:money}，尚余 {room:money}："
                        "{before:money} → {after:money}",
                        "{cap_name} cap {cap:money}, {used:money} already granted this year, {room:money} left: "
                        "{before:money} → {after:money}"),
    "step.annual_cap_ok": ("{cap_name}上限 {cap:money}，本年度已享受 {used:money}，尚余 {room:money}："
                           "{before:money} 未超限",
                           "{cap_name} cap {cap:money}, {used:money} already granted this year, {room:money} "
                           "left: {before:money} within it"),
    "step.round": ("四舍五入至分：{before} → {after:money}", "Rounded half-up to 0.01: {before} → {after:money}"),
    "step.already": ("已兑现：{what}", "Already granted: {what}"),
    "step.window": ("日期 {day} 在有效期 {start} 至 {end} 内", "Date {day} is within {start} to {end}"),
    "cap.line": ("单笔", "Per-line"),
    "cap.annual": ("每家机构每年", "Annual per-institution"),
    "cap.award": ("最高", "Maximum"),
    # notes
    "note.line_cap": ("超过单笔上限 {cap:money}，核减 {cut:money}", "Cut {cut:money} by the per-line cap {cap:money}"),
    "note.award_cap": ("超过最高金额 {cap:money}，核减 {cut:money}", "Cut {cut:money} to the maximum of {cap:money}"),
    "note.annual_cap": ("{year}年度累计已达上限 {cap:money}，核减 {cut:money}",
                        "Cut {cut:money} by the {year} annual cap of {cap:money}"),
    "note.offset": ("已享受其他政策 {other:money}，就高不重复，核减 {cut:money}",
                    "Other city policy already paid {other:money}; higher-of rule cut {cut:money}"),
    "note.already": ("已兑现（{what}），不再重复奖励", "Already granted ({what}); not paid again"),
    # skips
    "skip.window": ("日期 {day} 不在政策有效期 {start} 至 {end} 内，不予计算",
                    "Date {day} is outside the policy window {start} to {end}; nothing computed"),
    "warn.window": ("{award}：日期 {day} 不在政策有效期 {start} 至 {end} 内，不予计算",
                    "{award}: date {day} is outside the policy window {start} to {end}; nothing computed"),
    # history descriptions
    "hist.prior": ("历史兑现表第 {row} 行，{year}年，{amount:money}",
                   "prior_awards row {row}, {year}, {amount:money}"),
    "hist.line": ("{year}年 {record_id}，{amount:money}", "{year} {record_id}, {amount:money}"),
    "note.cap_across": ("裁定：本年度在其他方案或此前数值下已兑现的金额，计入现行上限 {cap:money}",
                        "Ruling: this year's grants under another plan or earlier values count against the "
                        "cap in force, {cap:money}"),
    "note.dated": ("{name} 自 {day} 起为 {value}{clause}", "{name} is {value} from {day}{clause}"),
    "award.name": ("{zh}", "{en}"),
    "hist.ledger": ("账本 {run}，{year}年 {record_id}，{amount:money}",
                    "ledger run {run}, {year} {record_id}, {amount:money}"),
})


_CAP_ANNUAL = msg("cap.annual")


def award_label(rule: Any) -> Msg:
    """An award's name as a message that carries both languages (names come from the run's plan)."""
    return msg("award.name", zh=rule.name_zh, en=rule.name_en)


class Grant(NamedTuple):
    """One earlier grant, from prior_awards or from an earlier line of this run (a NamedTuple,
    as Step is: one per line, built several times faster than a frozen dataclass)."""

    award: str  # the award id in its own plan
    payee_id: str
    tier: str | None
    record_id: str | None
    amount: Decimal
    year: int
    source: Source | None = None
    plan: str = ""  # the plan it was granted under
    unit: int = -1  # the stretch of the timeline (plan and values) it was granted in
    run: str | None = None  # the ledger run that granted it

    def describe(self) -> Msg:
        if self.run is not None:
            return msg("hist.ledger", run=self.run, year=self.year, record_id=self.record_id or "",
                       amount=self.amount)
        if self.source is not None and self.source.row:
            return msg("hist.prior", row=self.source.row, year=self.year, amount=self.amount)
        return msg("hist.line", year=self.year, record_id=self.record_id or "", amount=self.amount)


_NO_GRANTS: list[Grant] = []


class History:
    """Every grant so far, indexed for the "once", "first time", top-up and annual-cap rules.

    Grants are kept under an award's history key: plans along a lineage share one key per award
    (rulings.md "Lineage"), plans without one never share history.
    """

    def __init__(self) -> None:
        self._by_record: dict[tuple[str, str, str], Grant] = {}
        self._by_payee: dict[tuple[str, str], list[Grant]] = defaultdict(list)
        self._annual: dict[tuple[str, str, int], Decimal] = defaultdict(Decimal)
        self._annual_units: dict[tuple[str, str, int], set[int]] = defaultdict(set)

    @classmethod
    def from_prior(cls, prior: list[PriorAward],
                   place: Callable[[PriorAward], tuple[str, str, int]] | None = None) -> History:
        """History from prior_awards; `place` gives a row's history key, plan and timeline stretch."""
        history = cls()
        for p in sorted(prior, key=lambda p: (p.date, p.source.row if p.source else 0)):
            key, plan, unit = place(p) if place is not None else (p.award, "", -1)
            history.add(key, Grant(p.award, p.payee_id, p.tier, p.record_id, p.amount, p.date.year, p.source,
                                   plan, unit, p.run))
        return history

    def add(self, key: str, grant: Grant) -> None:
        # a Grant's fields read by position once (a NamedTuple's by name cost a call each): one
        # grant per line
        _, payee_id, _, record_id, amount, year, _, _, unit, _ = grant
        if record_id:
            self._by_record.setdefault((key, payee_id, record_id), grant)
        self._by_payee[(key, payee_id)].append(grant)
        annual = (key, payee_id, year)
        self._annual[annual] += amount
        self._annual_units[annual].add(unit)

    def view(self, keys: dict[str, str], plan_id: str, unit: int) -> PlanHistory:
        return PlanHistory(self, keys, plan_id, unit)


class PlanHistory:
    """The history as one stretch of one plan sees it: its award ids mapped to history keys."""

    __slots__ = ("_history", "_keys", "plan_id", "unit")

    def __init__(self, history: History, keys: dict[str, str], plan_id: str, unit: int) -> None:
        self._history, self._keys, self.plan_id, self.unit = history, keys, plan_id, unit

    def _key(self, award: str) -> str:
        return self._keys.get(award) or award

    def add_line(self, line: Line) -> None:
        award = line.award
        self._history.add(self._keys.get(award) or award, _new_tuple(Grant, (
            line.award, line.payee_id, line.tier, line.record_id, line.amount, line.year, None, self.plan_id,
            self.unit, None)))

    def record_grant(self, award: str, payee_id: str, record_id: str) -> Grant | None:
        return self._history._by_record.get((self._key(award), payee_id, record_id))

    def grants(self, award: str, payee_id: str) -> list[Grant]:
        return self._history._by_payee.get((self._key(award), payee_id), _NO_GRANTS)

    def first_grant(self, award: str, payee_id: str) -> Grant | None:
        found = self.grants(award, payee_id)
        return found[0] if found else None

    def granted_total(self, award: str, payee_id: str) -> Decimal:
        return sum((g.amount for g in self.grants(award, payee_id)), ZERO)

    def year_total(self, award: str, payee_id: str, year: int) -> Decimal:
        return self._history._annual.get((self._key(award), payee_id, year), ZERO)

    def year_spans_others(self, award: str, payee_id: str, year: int) -> bool:
        """Whether grants of that year came under another plan or other values than this stretch's."""
        units = self._history._annual_units.get((self._key(award), payee_id, year))
        return units is not None and any(u != self.unit for u in units)

    def year_state(self, award: str, payee_id: str, year: int) -> tuple[Decimal, bool]:
        """year_total and year_spans_others together, the key made once (asked for every line
        under an annual cap)."""
        key = (self._keys.get(award) or award, payee_id, year)
        history = self._history
        units = history._annual_units.get(key)
        if units is None:
            return ZERO, False
        unit = self.unit
        return history._annual.get(key, ZERO), any(u != unit for u in units)


@dataclass(slots=True)
class LineBuilder:
    """Builds one line step by step, in the order rulings.md fixes, recording every step."""

    award: str
    payee_id: str
    payee_type: PayeeType
    record_id: str
    event_date: date
    clause: str
    source: Source | None
    tier: str | None = None
    base: Decimal | None = None
    rate: Decimal | None = None
    computed: Decimal = ZERO
    value: Decimal = ZERO
    steps: list[Step] = field(default_factory=list)
    notes: list[Msg] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    shared: StepMemo = field(default_factory=dict)  # the run's shared steps (YearContext.shared), or its own

    def step(self, kind: StepKind, key: str, **params: Any) -> None:
        self.steps.append(_new_step(Step, (kind, msg(key, **params))))

    def note(self, key: str, flag: str | None = None, **params: Any) -> None:
        self.notes.append(msg(key, **params))
        if flag:
            self.flags.add(flag)

    def gross_rate(self, base: Decimal, rate: Decimal) -> None:
        self.base, self.rate = base, rate
        self.computed = self.value = value = base * rate
        self.steps.append(shared_step(self.shared, "gross", "step.gross", _F_GROSS, base, rate, value))

    def gross_fixed(self, amount: Decimal, base: Decimal | None = None) -> None:
        self.base = base
        self.computed = self.value = amount
        self.step("gross", "step.fixed", value=amount)

    def cap(self, limit: Decimal, cap_key: str, flag: str, note_key: str | None, **params: Any) -> None:
        """Apply a cap; a cut is a step and, when note_key is given, a note saying how much."""
        before = self.value
        if before > limit:
            self.value = limit
            self.steps.append(shared_step(self.shared, "cap", "step.cap", _F_CAP, msg(cap_key), limit, before, limit))
            if note_key:
                self.note(note_key, flag, cap=limit, cut=before - limit, **params)
            else:
                self.flags.add(flag)
        else:
            self.steps.append(shared_step(self.shared, "cap", "step.cap_ok", _F_CAP_OK, msg(cap_key), limit, before))

    def already_granted(self, grant: Grant) -> None:
        self.value = ZERO
        self.step("history", "step.already", what=grant.describe())
        self.note("note.already", "already_granted", what=grant.describe())

    def offset(self, other: Decimal) -> None:
        """就高不重复: pay only what exceeds what another city policy paid for the same matter."""
        if other <= ZERO:  # Decimal to Decimal: no int converted per line
            return
        before = self.value
        self.value = max(ZERO, before - other)
        self.step("offset", "step.offset", other=other, before=before, after=self.value)
        self.note("note.offset", "offset", other=other, cut=before - self.value)

    def annual_cap(self, cap: Decimal, used: Decimal, year: int, across: bool = False) -> None:
        """`across`: some of `used` was granted under another plan or values (a ruling, noted when it cuts)."""
        room = max(ZERO, cap - used)
        before = self.value
        if before > room:
            self.value = room
            self.steps.append(_new_step(Step, ("annual_cap", _new_msg(Msg, (
                "step.annual_cap", _F_ANNUAL, _CAP_ANNUAL, cap, used, room, before, room)))))
            self.note("note.annual_cap", "annual_cap", year=year, cap=cap, cut=before - room)
            if across:
                self.note("note.cap_across", "ruling_cap_across", cap=cap)
        else:
            # what earlier lines of the year used is recorded, so explain can show the room left
            # (not shared: what was used differs from line to line)
            self.steps.append(_new_step(Step, ("annual_cap", _new_msg(Msg, (
                "step.annual_cap_ok", _F_ANNUAL_OK, _CAP_ANNUAL, cap, used, room, before)))))

    def finish(self) -> Line:
        value = self.value
        amount = round_money(value)
        if amount != value:  # msg("step.round", before=f"{value:f}", after=amount)
            self.steps.append(_new_step(Step, ("round", _new_msg(Msg, ("step.round", _F_ROUND, f"{value:f}", amount)))))
        day = self.event_date
        return Line(  # in field order: positional arguments cost less than keywords (a line per record)
            self.award, self.payee_id, self.payee_type, self.tier, self.record_id, day.year, day, self.clause,
            self.base, self.rate, self.computed, amount, self.notes, self.steps, self.flags, self.source,
        )


@dataclass(slots=True)
class YearContext:
    """What a rule needs while computing one award year: policy, history, and where to put output."""

    policy: Policy  # the plan with the values in force in this stretch of the year
    history: PlanHistory
    year: int
    lines: list[Line] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    payee_names: dict[tuple[str, str], str] = field(default_factory=dict)
    plans: dict[str, Policy] = field(default_factory=dict)  # every plan of the run, by id
    amended: dict[str, list[Msg]] = field(default_factory=dict)  # award id → notes on dated values in force
    shared: StepMemo = field(default_factory=dict)  # the run's shared steps (see shared_step)
    # a list of records (by id) and it sorted as a rule needs it: the year's awards share the sort
    ordered: dict[int, tuple[Any, Any]] = field(default_factory=dict)

    def emit(self, line: Line) -> None:
        line.policy = self.history.plan_id
        extra = self.amended.get(line.award)
        if extra:
            line.notes.extend(extra)
            line.flags.add("dated_value")
        self.lines.append(line)
        self.history.add_line(line)

    def rule_of(self, grant: Grant) -> Any:
        """The rule a grant was made under (its own plan's), or None when that is not known."""
        plan = self.plans.get(grant.plan)
        return plan.awards.get(grant.award) if plan is not None else self.policy.awards.get(grant.award)

    def skip(self, award: str, payee_id: str, payee_type: PayeeType, record_id: str, reason: Msg,
             source: Source | None, steps: list[Step] | None = None) -> None:
        self.skips.append(_new_tuple(Skip, (award, payee_id, payee_type, record_id, self.year, reason,
                                            tuple(steps) if steps else (), source)))

    def warn(self, message: Msg, source: Source | None, column: str | None = None,
             value: str | None = None, severity: str = "warning") -> None:
        self.issues.append(Issue(
            severity="info" if severity == "info" else "warning", message=message,
            sheet=source.sheet if source else None, row=source.row if source else None,
            column=column, value=value,
        ))
