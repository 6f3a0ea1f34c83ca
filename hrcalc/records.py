"""Typed input records (one per workbook row) and the problems found in them.

Frozen slotted dataclasses rather than pydantic models: the workbook reader validates every
cell itself (so it can report sheet/row/column/value), and these types are built a hundred
thousand times in a large run, where plain dataclasses cost a third of model validation.
A frozen dataclass's __init__ sets each field through object.__setattr__; `builder` builds many
records at once for a third of that, and they are the very same frozen records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, field, fields, make_dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, Literal, TypeVar

from hrcalc.i18n import Msg

Severity = Literal["error", "warning", "info"]
PayeeType = Literal["institution", "employer", "district"]

RECOGNITION_KINDS: tuple[str, ...] = (
    "listing",
    "china_top500",
    "china_service_top500",
    "anhui_service_top100",
    "scale_up",
    "specialized_sme",
    "high_tech",
    "national_competition",
    "headhunter_settlement",
)
PARK_LEVELS: tuple[str, ...] = ("national_park", "provincial_park", "provincial_talent_market")
TALENT_CLASSES: tuple[str, ...] = ("A", "B", "C", "D", "E")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from: the sheet's name as the workbook spells it, and the Excel row."""

    sheet: str
    row: int


@dataclass(frozen=True, slots=True)
class Issue:
    """An error, warning or note, located as precisely as the reader knows."""

    severity: Severity
    message: Msg
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Institution:
    credit_code: str
    name: str
    district: str | None = None
    employees: int | None = None
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class RevenueYear:
    credit_code: str
    year: int
    revenue: Decimal
    prior_year_revenue: Decimal | None = None
    other_policy_amount: Decimal = Decimal(0)
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    placement_id: str
    credit_code: str
    employer_name: str
    employer_credit_code: str
    key_enterprise: bool
    from_outside_city: bool
    talent_class: str | None
    urgent_need: bool
    annual_salary: Decimal
    headhunting_fee: Decimal
    placement_date: date
    other_policy_amount: Decimal = Decimal(0)
    employer_other_policy_amount: Decimal = Decimal(0)
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Recognition:
    credit_code: str
    kind: str
    date: date
    reference: str | None = None
    approved_amount: Decimal | None = None
    other_policy_amount: Decimal = Decimal(0)
    source: Source | None = None

    @property
    def record_id(self) -> str:
        """The reference (文号/赛事名称) when given, else kind and date."""
        return self.reference if self.reference else f"{self.kind}@{self.date.isoformat()}"


@dataclass(frozen=True, slots=True)
class Park:
    park_id: str
    name: str
    district: str
    level: str
    date: date
    other_policy_amount: Decimal = Decimal(0)
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class PriorAward:
    payee_id: str
    award: str  # always the award id; the reader maps Chinese names
    tier: str | None
    record_id: str | None
    amount: Decimal
    date: date
    source: Source | None = None
    policy: str | None = None  # the plan id the grant was made under (blank: the plan in force on its date)
    run: str | None = None  # the ledger run that granted it, for a row taken from the ledger


@dataclass(frozen=True, slots=True)
class Claim:
    payee_id: str
    award: str
    record_id: str | None
    year: int
    claimed_amount: Decimal
    source: Source | None = None


@dataclass(slots=True)
class Records:
    """Everything read from one workbook, plus what was wrong with it."""

    institutions: list[Institution] = field(default_factory=list)
    revenue: list[RevenueYear] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    recognitions: list[Recognition] = field(default_factory=list)
    parks: list[Park] = field(default_factory=list)
    prior_awards: list[PriorAward] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    claims_sheet_present: bool = False
    input_sha256: str = ""  # SHA-256 of the very bytes that were read (hrcalc.read)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


R = TypeVar("R")


@cache
def _draft(cls: type[Any]) -> type[Any]:
    """A plain (not frozen) slotted dataclass with `cls`'s fields in its order: the same layout, so an
    instance may become a `cls` (Python allows __class__ to change between such classes)."""
    specs: list[Any] = [(f.name, f.type) if f.default is MISSING else (f.name, f.type, field(default=f.default))
                        for f in fields(cls)]
    return make_dataclass(f"{cls.__name__}Draft", specs, slots=True, eq=False, repr=False)


def builder(cls: type[R]) -> Callable[..., list[R]]:
    """`build(*columns)`: the records `cls(*args)` for each row of arguments, the columns zipped as
    map() zips them; built as drafts, whose __init__ sets each field by plain assignment, each then
    made a `cls` (frozen, as if built by `cls` itself)."""
    draft = _draft(cls)  # type: ignore[arg-type]

    def build(*columns: Iterable[Any]) -> list[R]:
        made: list[Any] = list(map(draft, *columns))
        for record in made:
            record.__class__ = cls
        return made

    return build
