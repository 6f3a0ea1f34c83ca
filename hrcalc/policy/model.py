"""Pydantic models of a policy file, and loading one with clear errors."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from hrcalc.records import PARK_LEVELS, RECOGNITION_KINDS

BUNDLED = "hefei-2024.toml"
MAX_POLICY_BYTES = 1 << 20  # a policy file is a few kilobytes


class PolicyError(Exception):
    """A policy file that cannot be read or does not describe a complete, consistent policy."""


def _exact_decimal(value: Any) -> Any:
    # A TOML float (0.3) would enter as a binary float; money and rates must be quoted strings
    # or integers so the file says exactly what is paid.
    if isinstance(value, float):
        raise ValueError("write amounts and rates as quoted decimals (\"0.3\"), not floats")
    if isinstance(value, bool):
        raise ValueError("expected a decimal, got a boolean")
    return value


Amount = Annotated[Decimal, BeforeValidator(_exact_decimal), Field(ge=0, allow_inf_nan=False)]
Rate = Annotated[Decimal, BeforeValidator(_exact_decimal), Field(ge=0, le=1, allow_inf_nan=False)]
PayeeKind = Literal["institution", "employer", "district"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _in_lang(english: str, chinese: str, lang: str) -> str:
    """A text the file gives in English with an optional Chinese twin: the twin in Chinese mode."""
    return chinese if lang == "zh" and chinese else english


class Citation(_Model):
    clause: str
    text: str
    ruling: str = ""
    ruling_zh: str = ""

    def ruling_text(self, lang: str = "zh") -> str:
        """The ruling in `lang`: `ruling_zh` in Chinese when the file gives one, else `ruling`."""
        return _in_lang(self.ruling, self.ruling_zh, lang)


class _AwardBase(_Model):
    name_zh: str
    name_en: str
    clause: str = Field(min_length=1)
    payee: PayeeKind
    text: str = Field(min_length=1)
    ruling: str = ""
    ruling_zh: str = ""

    def ruling_text(self, lang: str = "zh") -> str:
        """The ruling in `lang`: `ruling_zh` in Chinese when the file gives one, else `ruling`."""
        return _in_lang(self.ruling, self.ruling_zh, lang)


class SalaryTier(_Model):
    id: str
    name_zh: str
    min_salary: Amount
    rate: Rate


class HeadhuntingRule(_AwardBase):
    kind: Literal["headhunting"]
    line_cap: Amount
    annual_cap: Amount
    salary_tiers: list[SalaryTier] = Field(min_length=1)
    talent_classes: list[str]
    talent_class_rate: Rate
    talent_class_tier: str
    talent_class_tier_zh: str

    @model_validator(mode="after")
    def _tiers_ascend(self) -> HeadhuntingRule:
        mins = [t.min_salary for t in self.salary_tiers]
        if mins != sorted(mins) or len(set(mins)) != len(mins):
            raise ValueError("salary_tiers must ascend strictly by min_salary")
        return self


class EmployerSubsidyRule(_AwardBase):
    kind: Literal["employer_subsidy"]
    min_salary: Amount
    rate: Rate
    cap: Amount


class RevenueTier(_Model):
    id: str
    name_zh: str
    min_revenue: Amount
    high_band: Amount
    low_band: Amount


class RevenueGrowthRule(_AwardBase):
    kind: Literal["revenue_growth"]
    high_band_above: Rate
    low_band_above: Rate
    tiers: list[RevenueTier] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RevenueGrowthRule:
        mins = [t.min_revenue for t in self.tiers]
        if mins != sorted(mins) or len(set(mins)) != len(mins):
            raise ValueError("tiers must ascend strictly by min_revenue")
        if self.low_band_above >= self.high_band_above:
            raise ValueError("low_band_above must be below high_band_above")
        return self


class RankingList(_Model):
    recognition: str
    name_zh: str
    amount: Amount


class RankingRule(_AwardBase):
    kind: Literal["ranking"]
    lists: list[RankingList] = Field(min_length=1)


class FixedOnceRule(_AwardBase):
    """A fixed amount, once per institution (首次 / 一次性)."""

    kind: Literal["fixed_once"]
    recognition: str
    amount: Amount


class DiscretionaryOnceRule(_AwardBase):
    """The approved amount up to a maximum (最高), once per institution."""

    kind: Literal["discretionary_once"]
    recognition: str
    maximum: Amount


class ApprovedOnceRule(_AwardBase):
    """No amount in the plan (给予一定奖励): the approved amount only, once per institution."""

    kind: Literal["approved_once"]
    recognition: str


class FixedPerReferenceRule(_AwardBase):
    """A fixed amount for each distinct reference (each prize)."""

    kind: Literal["fixed_per_reference"]
    recognition: str
    amount: Amount


class ParkLevel(_Model):
    level: str
    name_zh: str
    amount: Amount


class ParkRule(_AwardBase):
    kind: Literal["park"]
    levels: list[ParkLevel] = Field(min_length=1)


AwardRule = Annotated[
    HeadhuntingRule
    | EmployerSubsidyRule
    | RevenueGrowthRule
    | RankingRule
    | FixedOnceRule
    | DiscretionaryOnceRule
    | ApprovedOnceRule
    | FixedPerReferenceRule
    | ParkRule,
    Field(discriminator="kind"),
]
RecognitionRule = FixedOnceRule | DiscretionaryOnceRule | ApprovedOnceRule | FixedPerReferenceRule


class NotComputable(_Model):
    clause: str
    name_zh: str
    name_en: str = ""
    text: str
    reason: str
    reason_en: str = ""

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh

    def reason_text(self, lang: str = "zh") -> str:
        """Why it is not computed, in `lang`: `reason_en` in English when the file gives one."""
        return self.reason_en if lang == "en" and self.reason_en else self.reason


class Policy(_Model):
    schema_: Literal["hrcalc.policy.v1"] = Field(alias="schema")
    id: str = Field(min_length=1)
    title: str
    title_en: str = ""
    issued: date
    effective_from: date
    effective_to: date
    validity: Citation
    other_policies: Citation
    awards: dict[str, AwardRule]
    not_computable: list[NotComputable] = []

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        if self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        seen: dict[str, str] = {}
        for award_id, rule in self.awards.items():
            recognitions: list[str] = []
            if isinstance(rule, RankingRule):
                recognitions = [item.recognition for item in rule.lists]
            elif isinstance(rule, FixedOnceRule | DiscretionaryOnceRule | ApprovedOnceRule
                            | FixedPerReferenceRule):
                recognitions = [rule.recognition]
            for kind in recognitions:
                if kind not in RECOGNITION_KINDS:
                    raise ValueError(f"awards.{award_id}: unknown recognition kind {kind!r}")
                if kind in seen:
                    raise ValueError(f"recognition kind {kind!r} feeds both {seen[kind]} and {award_id}")
                seen[kind] = award_id
            if isinstance(rule, ParkRule):
                for lv in rule.levels:
                    if lv.level not in PARK_LEVELS:
                        raise ValueError(f"awards.{award_id}: unknown park level {lv.level!r}")
        return self

    # ---- lookups by name, so the engine never hard-codes an award ---------------------------
    def in_window(self, day: date) -> bool:
        return self.effective_from <= day <= self.effective_to

    def rules_of(self, cls: type[Any]) -> list[tuple[str, Any]]:
        return [(aid, rule) for aid, rule in self.awards.items() if isinstance(rule, cls)]

    def award_for_recognition(self, kind: str) -> str | None:
        for award_id, rule in self.awards.items():
            if isinstance(rule, RankingRule) and any(x.recognition == kind for x in rule.lists):
                return award_id
            if getattr(rule, "recognition", None) == kind:
                return award_id
        return None

    def award_aliases(self) -> dict[str, str]:
        """Award id and Chinese name → award id (lower-cased keys)."""
        out: dict[str, str] = {}
        for award_id, rule in self.awards.items():
            out[award_id.lower()] = award_id
            out[rule.name_zh.lower()] = award_id
        return out

    def tier_names(self) -> dict[str, str]:
        """Tier id → its Chinese name, for every award with tiers (contract.md's tier ids)."""
        names: dict[str, str] = {}
        for rule in self.awards.values():
            if isinstance(rule, HeadhuntingRule):
                names.update({t.id: t.name_zh for t in rule.salary_tiers})
                names[rule.talent_class_tier] = rule.talent_class_tier_zh
            elif isinstance(rule, RevenueGrowthRule):
                names.update({t.id: t.name_zh for t in rule.tiers})
            elif isinstance(rule, RankingRule):
                names.update({x.recognition: x.name_zh for x in rule.lists})
            elif isinstance(rule, ParkRule):
                names.update({lv.level: lv.name_zh for lv in rule.levels})
        return names

    def tier_aliases(self) -> dict[str, str]:
        """Tier id and Chinese name → tier id (lower-cased keys), for prior_awards."""
        out: dict[str, str] = {}
        for tier_id, name_zh in self.tier_names().items():
            out[tier_id.lower()] = tier_id
            out[name_zh.lower()] = tier_id
        return out

    def award_name(self, award_id: str, lang: str = "zh") -> str:
        rule = self.awards.get(award_id)
        if rule is None:
            return award_id
        return rule.name_zh if lang == "zh" else rule.name_en


def bundled_policy_path() -> Path:
    return Path(str(resources.files("hrcalc.policy").joinpath(BUNDLED)))


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def parse_policy(text: str, origin: str) -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{origin}: not valid TOML: {exc}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(f"{origin}: {_describe(exc)}") from None


@cache
def _bundled() -> Policy:
    return parse_policy(bundled_policy_path().read_text(encoding="utf-8"), BUNDLED)


def load_policy(path: Path | None = None) -> Policy:
    """The bundled policy, or the one in `path`; PolicyError says what is wrong with a bad file."""
    if path is None:
        return _bundled()
    try:
        if path.stat().st_size > MAX_POLICY_BYTES:
            raise PolicyError(f"{path}: larger than {MAX_POLICY_BYTES} bytes; not a policy file")
        text = path.read_text(encoding="utf-8")
    except PolicyError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot be read: {exc}") from None
    return parse_policy(text, str(path))
