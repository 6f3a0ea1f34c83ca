"""The JSON result of contract.md (schema hrcalc.result.v1): stable keys, order and money strings."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from hrcalc.i18n import Lang
from hrcalc.money import json_money
from hrcalc.records import Issue
from hrcalc.result import Line, ReconRow, Result, total

SCHEMA = "hrcalc.result.v1"


def _rate(rate: Decimal | None) -> str | None:
    return None if rate is None else format(rate.normalize(), "f")


def line_dict(line: Line, lang: Lang) -> dict[str, Any]:
    return {
        "award": line.award,
        "tier": line.tier,
        "record_id": line.record_id,
        "year": line.year,
        "date": line.event_date.isoformat(),
        "clause": line.clause,
        "base": None if line.base is None else json_money(line.base),
        "rate": _rate(line.rate),
        "computed": json_money(line.computed),
        "amount": json_money(line.amount),
        "notes": [n.render(lang) for n in line.notes],
        "flags": sorted(line.flags),
    }


def issue_dict(issue: Issue, lang: Lang) -> dict[str, Any]:
    return {
        "severity": issue.severity,
        "sheet": issue.sheet,
        "row": issue.row,
        "column": issue.column,
        "value": issue.value,
        "field": issue.field,
        "message": issue.message.render(lang),
    }


def recon_dict(row: ReconRow, result: Result, lang: Lang) -> dict[str, Any]:
    """contract.md's keys first (claimed − computed as difference); status, kind and where after."""
    payee = result.payees.get((row.payee_id, row.payee_type or ""))
    return {
        "payee_id": row.payee_id,
        "award": row.award,
        "record_id": row.record_id,
        "year": row.year,
        "claimed": json_money(row.claimed or Decimal(0)),
        "computed": json_money(row.computed),
        "difference": json_money(row.difference),
        "reason": row.reason.render(lang),
        "status": row.status,
        "kind": row.kind,
        "payee_type": row.payee_type,
        "name": payee.name if payee is not None else None,
        "records": list(row.records),
        "sheet": row.source.sheet if row.source and row.status != "unclaimed" else None,
        "row": row.source.row if row.source and row.status != "unclaimed" else None,
    }


def result_dict(result: Result, lang: Lang = "zh") -> dict[str, Any]:
    lines = result.visible_lines()
    by_payee: dict[tuple[str, str], list[Line]] = defaultdict(list)
    for ln in lines:
        by_payee[(ln.payee_id, ln.payee_type)].append(ln)
    by_award = {aid: json_money(total(ln for ln in lines if ln.award == aid)) for aid in result.policy.awards}
    payees = []
    for key in sorted(by_payee):
        payee = result.payees[key]
        plines = sorted(by_payee[key], key=Line.sort_key)
        payees.append({
            "payee_id": payee.payee_id,
            "payee_type": payee.payee_type,
            "name": payee.name,
            "district": payee.district,
            "total": json_money(total(plines)),
            "awards": [line_dict(ln, lang) for ln in plines],
        })
    p = result.policy
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "policy": {
            "id": p.id,
            "title": p.title,
            "effective_from": p.effective_from.isoformat(),
            "effective_to": p.effective_to.isoformat(),
            "expired": result.expired,
        },
        "input": {"file": result.input_name, "sha256": result.input_sha256},
        "years": result.visible_years(),
        "complete": result.complete,
        "total": json_money(total(lines)),
        "by_award": by_award,
        "payees": payees,
        "issues": [issue_dict(i, lang) for i in result.issues],
    }
    recon = result.visible_reconciliation()
    if recon is not None:
        data["reconciliation"] = [recon_dict(row, result, lang) for row in recon]
    add_ledger_keys(data, result)
    return data


def add_ledger_keys(data: dict[str, Any], result: Result) -> None:
    """The keys `ledger commit` relies on; the digest last, over everything else (hrcalc.digest)."""
    from hrcalc import __version__
    from hrcalc.digest import DIGEST_KEY, result_digest
    from hrcalc.policy import policy_sha256

    data["policy"]["sha256"] = policy_sha256(result.policy)
    data["year_filter"] = result.shown_years
    data["ledger"] = result.ledger
    data["hrcalc_version"] = __version__
    data[DIGEST_KEY] = result_digest(data)


# Indented JSON goes through the json module's pure-Python encoder (about 8× slower than its C
# encoder): fine for a year's batch, not for a scripted decade. Larger results are compact.
PRETTY_MAX_LINES = 5_000


def dumps(data: dict[str, Any], *, pretty: bool = True) -> str:
    if pretty:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def render(result: Result, lang: Lang = "zh") -> str:
    """The JSON text: indented up to PRETTY_MAX_LINES award lines, compact above (same data)."""
    return dumps(result_dict(result, lang), pretty=len(result.visible_lines()) <= PRETTY_MAX_LINES)
