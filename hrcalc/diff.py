"""`hrcalc diff`: the lines added, removed and changed between two JSON results, and why (hrcalc.diff.v1)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from hrcalc.errors import InputFileError
from hrcalc.i18n import register
from hrcalc.money import json_money

SCHEMA = "hrcalc.diff.v1"
COMPARED = ("tier", "clause", "base", "rate", "computed", "amount", "policy")
"""A line's fields whose change makes it "changed" (with its notes)."""

register({
    "diff.unreadable": ("无法读取计算结果 {path}：{reason}", "Cannot read the result {path}: {reason}"),
    "diff.not_result": ("{path} 不是 hrcalc 计算结果（hrcalc.result.v1）", "{path} is not an hrcalc result "
                        "(hrcalc.result.v1)"),
})

Key = tuple[str, str, str, str, int]


def load(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError("diff.unreadable", path=str(path), reason=str(exc)) from None
    if not isinstance(doc, dict) or doc.get("schema") != "hrcalc.result.v1" or not isinstance(doc.get("payees"), list):
        raise InputFileError("diff.not_result", path=str(path))
    return doc


def _lines(doc: Mapping[str, Any]) -> dict[Key, dict[str, Any]]:
    default_policy = (doc.get("policy") or {}).get("id")
    out: dict[Key, dict[str, Any]] = {}
    for payee in doc["payees"]:
        for ln in payee.get("awards", []):
            key = (payee["payee_id"], payee["payee_type"], ln["award"], ln["record_id"], int(ln["year"]))
            out[key] = {**ln, "policy": ln.get("policy") or default_policy, "name": payee.get("name")}
    return out


def _plans(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    plans = doc.get("policies") or [doc.get("policy") or {}]
    return [{"id": p.get("id"), "sha256": p.get("sha256")} for p in plans]


def _head(doc: Mapping[str, Any]) -> str | None:
    ledger = doc.get("ledger")
    return ledger.get("head") if isinstance(ledger, dict) else None


def _dec(text: Any) -> Decimal:
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _side(doc: Mapping[str, Any], path: Path) -> dict[str, Any]:
    inp = doc.get("input") or {}
    return {"file": str(path), "input": inp.get("file"), "input_sha256": inp.get("sha256"),
            "policies": _plans(doc), "ledger_head": _head(doc), "total": doc.get("total")}


def diff(old: Mapping[str, Any], new: Mapping[str, Any], old_path: Path, new_path: Path) -> dict[str, Any]:
    """Lines keyed by payee, award, record_id and year; each change says what changed around it."""
    a, b = _lines(old), _lines(new)
    context = {
        "input": (old.get("input") or {}).get("sha256") != (new.get("input") or {}).get("sha256"),
        "policy": _plans(old) != _plans(new),
        "history": _head(old) != _head(new),
    }
    why_global = [k for k in ("input", "policy", "history") if context[k]]

    def ident(key: Key, ln: Mapping[str, Any]) -> dict[str, Any]:
        return {"payee_id": key[0], "payee_type": key[1], "name": ln.get("name"), "award": key[2],
                "record_id": key[3], "year": key[4]}

    def state(ln: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if ln is None:
            return None
        return {f: ln.get(f) for f in COMPARED} | {"notes": list(ln.get("notes") or [])}

    added: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for key in sorted(set(a) | set(b)):
        old_ln, new_ln = a.get(key), b.get(key)
        if old_ln is None or new_ln is None:
            present = new_ln if new_ln is not None else old_ln
            assert present is not None
            amount = _dec(present.get("amount"))
            entry = ident(key, present) | {
                "old": state(old_ln), "new": state(new_ln),
                "old_amount": None if old_ln is None else json_money(amount),
                "new_amount": None if new_ln is None else json_money(amount),
                "difference": json_money(amount if new_ln is not None else -amount),
                "why": why_global,
            }
            (added if new_ln is not None else removed).append(entry)
            continue
        fields = [f for f in COMPARED if old_ln.get(f) != new_ln.get(f)]
        notes_changed = list(old_ln.get("notes") or []) != list(new_ln.get("notes") or [])
        if not fields and not notes_changed:
            continue
        changed.append(ident(key, new_ln) | {
            "old": state(old_ln), "new": state(new_ln),
            "old_amount": json_money(_dec(old_ln.get("amount"))),
            "new_amount": json_money(_dec(new_ln.get("amount"))),
            "difference": json_money(_dec(new_ln.get("amount")) - _dec(old_ln.get("amount"))),
            "fields": fields + (["notes"] if notes_changed else []),
            "why": why_global + (["notes"] if notes_changed else []),
        })
    old_total, new_total = _dec(old.get("total")), _dec(new.get("total"))
    return {
        "schema": SCHEMA,
        "old": _side(old, old_path),
        "new": _side(new, new_path),
        "changes": context,
        "total": {"old": json_money(old_total), "new": json_money(new_total),
                  "difference": json_money(new_total - old_total)},
        "added": added,
        "removed": removed,
        "changed": changed,
    }
