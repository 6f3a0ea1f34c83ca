"""The JSON result of contract.md (schema hrcalc.result.v1): stable keys, order and money strings."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from hrcalc.i18n import Lang
from hrcalc.money import json_money
from hrcalc.policy import Policy, policy_sha256
from hrcalc.records import Issue
from hrcalc.render import jsonrows
from hrcalc.render.jsonrows import Texts, Writer, encoded
from hrcalc.result import Line, Payee, ReconRow, Result, total

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
        "policy": line.policy,
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


def plan_dict(plan: Policy, result: Result) -> dict[str, Any]:
    """One plan of the run (contract.md "policies"), with the SHA-256 of the plan as applied."""
    return {
        "id": plan.id,
        "title": plan.title,
        "effective_from": plan.effective_from.isoformat(),
        "effective_to": plan.effective_to.isoformat(),
        "continues": plan.continues,
        "sha256": policy_sha256(plan),
    }


ROW_LISTS = ("payees", "issues", "reconciliation")
"""The document's lists of rows: written one row a line (see write)."""


def _group_payees(result: Result, lines: list[Line]) -> Iterator[tuple[Payee, list[Line]]]:
    """Each payee with lines, in key order, with its lines in line order (what "payees" lists)."""
    by_payee: dict[tuple[str, str], list[Line]] = defaultdict(list)
    for ln in lines:
        by_payee[(ln.payee_id, ln.payee_type)].append(ln)
    for key in sorted(by_payee):
        yield result.payees[key], sorted(by_payee[key], key=Line.sort_key)


def _payees(result: Result, lang: Lang, lines: list[Line]) -> Iterator[dict[str, Any]]:
    for payee, plines in _group_payees(result, lines):
        yield {
            "payee_id": payee.payee_id,
            "payee_type": payee.payee_type,
            "name": payee.name,
            "district": payee.district,
            "total": json_money(total(plines)),
            "awards": [line_dict(ln, lang) for ln in plines],
        }


def _body(result: Result, lang: Lang, texts: bool = False) -> Iterator[tuple[str, Any]]:
    """The document's keys and values in order but the digest; each of ROW_LISTS as an iterator of
    its rows, built only as it is written, so the whole document never sits in memory at once.
    With `texts`, the rows come as their texts (jsonrows.Texts), not as dicts."""
    from hrcalc import __version__
    from hrcalc.policy import policy_sha256

    lines = result.visible_lines()
    by_award: dict[str, Decimal] = dict.fromkeys(result.award_ids(), Decimal(0))
    for ln in lines:  # one pass; each award's sum adds its lines in the same order as before
        if ln.award in by_award:
            by_award[ln.award] += ln.amount
    p = result.policy
    yield "schema", SCHEMA
    yield "policy", {
        "id": p.id,
        "title": p.title,
        "effective_from": p.effective_from.isoformat(),
        "effective_to": p.effective_to.isoformat(),
        "expired": result.expired,
        "sha256": policy_sha256(p),
    }
    yield "policies", [plan_dict(plan, result) for plan in result.plans]
    yield "input", {"file": result.input_name, "sha256": result.input_sha256}
    yield "years", result.visible_years()
    yield "complete", result.complete
    yield "total", json_money(total(lines))
    yield "by_award", {aid: json_money(amount) for aid, amount in by_award.items()}
    writer = Writer(result, lang) if texts else None
    issues = (issue_dict(i, lang) for i in result.issues)
    recon = result.visible_reconciliation()
    if writer is None:
        yield "payees", _payees(result, lang, lines)
        yield "issues", issues
        if recon is not None:
            yield "reconciliation", (recon_dict(row, result, lang) for row in recon)
    else:
        yield "payees", writer.payees(_group_payees(result, lines))
        yield "issues", encoded(issues)
        if recon is not None:
            yield "reconciliation", writer.recon(recon)
    # what `ledger commit` relies on (rulings.md "The award ledger")
    yield "year_filter", result.shown_years
    yield "ledger", result.ledger
    yield "hrcalc_version", __version__


def result_dict(result: Result, lang: Lang = "zh") -> dict[str, Any]:
    """The whole document as one dict (the same keys, order and values write() writes)."""
    from hrcalc.digest import DIGEST_KEY, result_digest

    doc = {key: list(value) if key in ROW_LISTS else value for key, value in _body(result, lang)}
    doc[DIGEST_KEY] = result_digest(doc)
    return doc


def _rows(rows: Iterable[Texts], fh: IO[str], ascii_only: bool) -> None:
    it = iter(rows)
    first = next(it, _NONE)
    if first is _NONE:
        fh.write("[]")
        return
    fix = jsonrows.ascii_only if ascii_only else _same
    assert isinstance(first, tuple)
    fh.write("[\n    " + fix(first[0]))
    for text, _ in it:
        fh.write(",\n    " + fix(text))
    fh.write("\n  ]")


def _same(text: str) -> str:
    return text


_NONE = object()


def _canonical(row: Texts) -> str:
    return row[1]


def write(result: Result, lang: Lang, fh: IO[str], *, ascii_only: bool = False) -> None:
    """Stream the JSON document to `fh`, in one format whatever its size: indented at the top
    level, each payee, issue and reconciliation row on a line of its own, every value written by
    the json module's C encoder. `ascii_only` escapes every non-ASCII character (the same data,
    for a stream that cannot encode it)."""
    from hrcalc.digest import DIGEST_KEY, DigestTee

    encode = json.JSONEncoder(ensure_ascii=ascii_only).encode
    pairs = list(_body(result, lang, texts=True))  # the row lists stay lazy: built only as they are written
    tee = DigestTee(pairs, ROW_LISTS, canonical_of=_canonical)
    fh.write("{")
    sep = "\n  "
    for key, value in pairs:
        fh.write(sep + encode(key) + ": ")
        sep = ",\n  "
        if key in ROW_LISTS:
            _rows(tee.rows(key), fh, ascii_only)
        else:
            fh.write(encode(value))
    fh.write(sep + encode(DIGEST_KEY) + ": " + encode(tee.hexdigest()))
    fh.write("\n}\n")


def write_file(result: Result, lang: Lang, path: Path) -> None:
    """The JSON document into the file at `path` (UTF-8, \\n line ends)."""
    with open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as fh:
        write(result, lang, fh)


def dumps(data: dict[str, Any]) -> str:
    """A small document (explain --json) as indented JSON text."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render(result: Result, lang: Lang = "zh") -> str:
    """The JSON text write() streams, as one string."""
    buf = io.StringIO()
    write(result, lang, buf)
    return buf.getvalue()
