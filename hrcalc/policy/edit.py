"""`--set KEY=VALUE`: one value of a copy of a plan changed in memory, checked as a file would be."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from hrcalc.policy import dated as dv
from hrcalc.policy.model import Policy, PolicyError, policy_from_data


@dataclass(frozen=True, slots=True)
class Change:
    """One applied --set: the plan, the dotted key, and the value before and after, as written."""

    plan_id: str
    key: str
    old: str
    new: str


def _value(raw: str) -> Any:
    """VALUE as written in a policy file; unquoted money and rates stay exact (never a float)."""
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw
    return raw if isinstance(value, float) else value


def show(value: Any) -> str:
    """A value for people: decimals as written, dated values as `from: value` pairs."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if dv.is_dated(value):
        return "; ".join(f"{show(item['from'])}: {show(item['value'])}" for item in value)
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def apply_sets(plans: Sequence[Policy], sets: Sequence[str]) -> tuple[list[Policy], list[Change]]:
    """The plans with every --set applied in order; PolicyError (exit 2) for a bad key, plan or value."""
    out = list(plans)
    changes: list[Change] = []
    for text in sets:
        target, sep, raw = text.partition("=")
        if not sep or not target.strip():
            raise PolicyError(f"--set {text}: expected KEY=VALUE")
        plan_id, colon, key = target.strip().rpartition(":")
        if not colon:
            if len(out) > 1:
                raise PolicyError(f"--set {text}: several plans; name one as PLAN_ID:KEY=VALUE "
                                  f"({', '.join(p.id for p in out)})")
            plan_id = out[0].id
        index = next((i for i, p in enumerate(out) if p.id == plan_id), None)
        if index is None:
            raise PolicyError(f"--set {text}: no plan {plan_id!r} ({', '.join(p.id for p in out)})")
        data = out[index].data()
        try:
            old = dv.get_path(data, key)
        except KeyError as exc:
            raise PolicyError(f"--set {text}: {key} is not a key of {plan_id} (no {exc.args[0]!r})") from None
        if isinstance(old, dict) or (isinstance(old, list) and not dv.is_dated(old)):
            raise PolicyError(f"--set {text}: {key} is a table or a list, not one value")
        new = _value(raw.strip())
        dv.set_path(data, key, new)
        out[index] = policy_from_data(data, f"--set {text}")
        changes.append(Change(plan_id, key, show(old), show(new)))
    return out, changes
