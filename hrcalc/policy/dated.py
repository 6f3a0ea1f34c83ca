"""Dated values in a policy file: find them, check them, and resolve a plan to the values of a day.

rulings.md "Dated values": an amount, rate, cap or threshold may be written as a list of
`{from = DATE, value = "…", clause = "…"}` tables; the value in force on an event's date applies.
A plain value means one value for the whole window.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

DATED_KEYS = frozenset({"from", "value", "clause", "reference"})
"""The keys a dated value's table may have (`from` and `value` are required)."""


def is_dated(value: Any) -> bool:
    """A non-empty list of tables, each with `from` and `value` and nothing but DATED_KEYS."""
    return (isinstance(value, list) and bool(value)
            and all(isinstance(item, dict) and "from" in item and "value" in item
                    and set(item) <= DATED_KEYS for item in value))


def find_dated(data: Any, prefix: str = "") -> dict[str, list[dict[str, Any]]]:
    """Every dated value in a policy file's data, keyed by its dotted path (list items by index)."""
    found: dict[str, list[dict[str, Any]]] = {}
    items: list[tuple[str, Any]] = []
    if isinstance(data, dict):
        items = [(str(k), v) for k, v in data.items()]
    elif isinstance(data, list):
        items = [(str(i), v) for i, v in enumerate(data)]
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else key
        if is_dated(value):
            found[path] = value
        elif isinstance(value, dict | list):
            found.update(find_dated(value, path))
    return found


def split_path(path: str) -> list[str]:
    return path.split(".")


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted path; KeyError naming the first part that is not there."""
    node = data
    for part in split_path(path):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(part)
    return node


def set_path(data: Any, path: str, value: Any) -> None:
    """Replace the value at an existing dotted path (KeyError if any part is not there)."""
    parts = split_path(path)
    parent = get_path(data, ".".join(parts[:-1])) if len(parts) > 1 else data
    last = parts[-1]
    if isinstance(parent, dict) and last in parent:
        parent[last] = value
    elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        parent[int(last)] = value
    else:
        raise KeyError(last)


def in_force(values: list[dict[str, Any]], day: date) -> tuple[int, dict[str, Any]]:
    """The index and table of the value in force on `day` (the last whose `from` is on or before it)."""
    chosen = 0
    for i, item in enumerate(values):
        start = item["from"]
        if isinstance(start, date) and start <= day:
            chosen = i
    return chosen, values[chosen]


def resolved(data: dict[str, Any], dated: dict[str, list[dict[str, Any]]], day: date) -> dict[str, Any]:
    """A copy of the data with every dated value replaced by the value in force on `day`."""
    out = copy.deepcopy(data)
    for path, values in dated.items():
        set_path(out, path, in_force(values, day)[1]["value"])
    return out


def boundaries(dated: dict[str, list[dict[str, Any]]]) -> list[date]:
    """Every day from which some dated value changes, oldest first."""
    days = {item["from"] for values in dated.values() for item in values[1:] if isinstance(item["from"], date)}
    return sorted(days)
