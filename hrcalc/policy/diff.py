"""What differs between two plans: windows, rules, values and clauses, as dotted keys and old → new."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from hrcalc.policy import dated as dv
from hrcalc.policy.edit import show
from hrcalc.policy.model import Policy

_ITEM_IDS = ("id", "recognition", "level", "clause")
"""The field that names an item of a list of tables (a tier, a list, a level, a clause)."""


@dataclass(frozen=True, slots=True)
class Difference:
    """One key that differs: added (only in B), removed (only in A) or changed."""

    kind: Literal["added", "removed", "changed"]
    key: str
    old: str | None
    new: str | None


def _flatten(data: Any, prefix: str, out: dict[str, str]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(data, list) and data and all(isinstance(x, dict) for x in data) and not dv.is_dated(data):
        for i, item in enumerate(data):
            name = next((str(item[k]) for k in _ITEM_IDS if k in item), str(i))
            _flatten(item, f"{prefix}.{name}", out)
    else:
        out[prefix] = show(data)


def flat(plan: Policy, in_force: bool = False) -> dict[str, str]:
    """Every value of a plan under a dotted key (list items by their id): as written (dated values as
    their lists), or `in_force`, the plain values the plan holds (its first stretch's)."""
    out: dict[str, str] = {}
    data = (plan.model_dump(mode="python", by_alias=True, exclude={"dated_values"}, exclude_none=True)
            if in_force else plan.data())
    _flatten(data, "", out)
    return out


def diff_plans(a: Policy, b: Policy, in_force: bool = False) -> list[Difference]:
    """Every key whose value differs between plan A and plan B, in B's order then A's removed keys.

    An award present in only one plan is one difference (its whole table), not one per value.
    `in_force`: compare the values each holds (for a boundary of the timeline), not the dated lists."""
    fa, fb = flat(a, in_force), flat(b, in_force)
    out: list[Difference] = []
    whole = {f"awards.{aid}" for aid in set(a.awards) ^ set(b.awards)}

    def award_of(key: str) -> str | None:
        parts = key.split(".")
        return ".".join(parts[:2]) if parts[0] == "awards" and len(parts) > 1 else None

    for aid in b.awards:
        if aid not in a.awards:
            out.append(Difference("added", f"awards.{aid}", None, b.awards[aid].name_zh))
    for key, new in fb.items():
        if award_of(key) in whole:
            continue
        old = fa.get(key)
        if old is None:
            out.append(Difference("added", key, None, new))
        elif old != new:
            out.append(Difference("changed", key, old, new))
    for aid in a.awards:
        if aid not in b.awards:
            out.append(Difference("removed", f"awards.{aid}", a.awards[aid].name_zh, None))
    for key, old in fa.items():
        if key not in fb and award_of(key) not in whole:
            out.append(Difference("removed", key, old, None))
    return out
