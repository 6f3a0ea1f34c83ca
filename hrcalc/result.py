"""What a calculation yields: award lines with their steps, skipped records, issues, payees."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from hrcalc.i18n import Msg
from hrcalc.policy import Policy
from hrcalc.records import Issue, PayeeType, Source

StepKind = Literal[
    "input", "test", "rate", "gross", "cap", "history", "offset", "annual_cap", "round", "note"
]


class Step(NamedTuple):
    """One step of a line's arithmetic or eligibility, recorded once by the engine.

    A NamedTuple, as Msg is: a large run records hundreds of thousands of steps, and a frozen
    dataclass's __init__ (object.__setattr__ per field) costs several times more.
    """

    kind: StepKind
    text: Msg


@dataclass(slots=True)
class Line:
    """One award for one record: what was computed, what was paid, and why."""

    award: str
    payee_id: str
    payee_type: PayeeType
    tier: str | None
    record_id: str
    year: int
    event_date: date
    clause: str
    base: Decimal | None
    rate: Decimal | None
    computed: Decimal
    amount: Decimal
    notes: list[Msg] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    source: Source | None = None
    policy: str = ""  # the id of the plan the line was computed under

    def sort_key(self) -> tuple[int, str, str]:
        return (self.year, self.award, self.record_id)


class Skip(NamedTuple):
    """A record considered for an award that earned no line, and the reason.

    A NamedTuple, as Step is: a large run skips more records than it pays (165,000 at 100,000
    placements), and a frozen dataclass is built several times slower.
    """

    award: str
    payee_id: str
    payee_type: PayeeType
    record_id: str
    year: int | None
    reason: Msg
    steps: tuple[Step, ...] = ()
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Payee:
    payee_id: str
    payee_type: PayeeType
    name: str
    district: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.payee_id, self.payee_type)


ReconKind = Literal[
    "match",            # claimed = computed
    "annual_cap",       # computed was cut by the annual per-institution cap
    "line_cap",         # ... by the per-line cap (单笔最高)
    "award_cap",        # ... by an award's maximum (最高)
    "already_granted",  # a once rule, or the record, was granted before
    "offset",           # other city policy already paid (就高不重复)
    "not_eligible",     # the record exists but earned no line (Skip)
    "no_record",        # no such record for this payee, award and year
    "over",             # claimed more, and no cap, history or offset explains it
    "under",            # claimed less than computed
    "unclaimed",        # computed, nobody claimed it
]


class ReconRow(NamedTuple):
    """One claim (申报) set against the computation, or a computed award nobody claimed.

    A NamedTuple, as Skip is: every computed award nobody claimed is a row (26,000 at 100,000
    placements).
    """

    payee_id: str
    award: str
    record_id: str | None
    year: int
    claimed: Decimal | None  # None: computed, but nobody claimed it
    computed: Decimal
    reason: Msg
    status: Literal["match", "over", "under", "unclaimed"]
    source: Source | None = None  # the claim's row; for an unclaimed award, the line's record
    payee_type: PayeeType | None = None  # the award's payee kind (a code may be both institution and employer)
    kind: ReconKind = "match"  # why claimed and computed differ, for filtering and the 核对 sheet
    records: tuple[str, ...] = ()  # record_ids of the computed lines the row covers

    @property
    def difference(self) -> Decimal:
        """claimed − computed (contract.md); an unclaimed award counts as claimed 0."""
        return (self.claimed or Decimal(0)) - self.computed


@dataclass(slots=True)
class Result:
    """A whole run: every line of every year, plus what the run knows about itself."""

    policy: Policy
    years: list[int]
    lines: list[Line]
    skips: list[Skip]
    issues: list[Issue]
    payees: dict[tuple[str, str], Payee]
    complete: bool = True
    expired: bool = False
    input_name: str = ""
    input_sha256: str = ""
    shown_years: list[int] | None = None  # set by --year: only these years are shown
    reconciliation: list[ReconRow] | None = None  # None when the workbook has no claims sheet
    ledger: dict[str, str | None] | None = None  # the ledger head the run saw; None: run without a ledger
    plans: list[Policy] = field(default_factory=list)  # every plan of the run, in window order (policy: the latest)

    def __post_init__(self) -> None:
        if not self.plans:
            self.plans = [self.policy]

    # ---- names and rules come from the run's plans, never from module state ------------------
    def rule_of(self, award_id: str, plan_id: str | None = None) -> Any:
        """The award's rule in that plan, else in the latest plan that has the award (None if none)."""
        for plan in reversed(self.plans):
            if (plan_id is None or plan.id == plan_id) and award_id in plan.awards:
                return plan.awards[award_id]
        return None if plan_id is None else self.rule_of(award_id)

    def award_name(self, award_id: str, lang: str = "zh", plan_id: str | None = None) -> str:
        """The award's name in a language, from the plan that defines it (the line's plan when given)."""
        rule = self.rule_of(award_id, plan_id)
        if rule is None:
            return award_id
        return str(rule.name_zh if lang == "zh" else rule.name_en)

    def award_ids(self) -> list[str]:
        """Every award id of the run's plans: the latest plan's in its order, then earlier plans' others."""
        out: dict[str, None] = {}
        for plan in reversed(self.plans):
            out.update(dict.fromkeys(plan.awards))
        return list(out)

    def plan_of(self, line: Line) -> Policy:
        """The plan a line was computed under."""
        return next((p for p in self.plans if p.id == line.policy), self.policy)

    def tier_names(self) -> dict[str, str]:
        """Tier id → Chinese name over every plan (a later plan's names win)."""
        names: dict[str, str] = {}
        for plan in self.plans:
            names.update(plan.tier_names())
        return names

    def visible_years(self) -> list[int]:
        return self.years if self.shown_years is None else self.shown_years

    def visible_lines(self) -> list[Line]:
        years = set(self.visible_years())
        return [ln for ln in self.lines if ln.year in years]

    def visible_reconciliation(self) -> list[ReconRow] | None:
        """Reconciliation rows of the shown years; every row when --year is not given."""
        if self.reconciliation is None or self.shown_years is None:
            return self.reconciliation
        years = set(self.shown_years)
        return [row for row in self.reconciliation if row.year in years]

    def visible_skips(self) -> list[Skip]:
        years = set(self.visible_years())
        return [s for s in self.skips if s.year is None or s.year in years]



def total(lines: Iterable[Line]) -> Decimal:
    return sum((ln.amount for ln in lines), Decimal(0))
