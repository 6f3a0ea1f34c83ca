"""The JSON result's rows written as text once, in the file's form and the digest's canonical form.

The file writes a row with its keys in contract.md's order, ", " and ": " between items; the
digest hashes the same row with its keys sorted and no spaces (hrcalc.digest.canonical). Built
as a dict and encoded by json twice (once with its keys sorted), a row cost two C encodings and
a dict: 60% of the JSON's time at 100,000 placements. Here each value of a row is written once,
by json's own string escaping (the function its C encoder calls), and the row's two texts are
two f-strings over those pieces; only a list's text differs between the forms (its separator).
The texts are json's: tests compare them with result_dict() encoded by json, on the sample
workbook and on rows holding every kind of value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from string import Formatter
from typing import Any

from hrcalc import i18n
from hrcalc.i18n import Lang, Msg
from hrcalc.money import json_money
from hrcalc.result import Line, Payee, ReconRow, Result

Texts = tuple[str, str]
"""A row as (the file's text, the canonical text)."""

_S: Callable[[str], str] = json.encoder.encode_basestring  # json's own (C) escaping
_SCALAR = json.JSONEncoder(ensure_ascii=False).encode  # any other scalar: the same text in both forms
_ZERO = Decimal(0)


def _other(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list | tuple | dict):
        raise TypeError(f"a row's scalar field holds {type(value).__name__}")
    return _SCALAR(value)


def _s(value: Any) -> str:
    """A str field's text (None, or anything else, as json writes it)."""
    return _S(value) if value.__class__ is str else _other(value)


def _i(value: Any) -> str:
    """An int field's text."""
    return str(value) if value.__class__ is int else _other(value)


LINE_KEYS = ("award", "tier", "record_id", "year", "date", "clause", "base", "rate", "computed", "amount",
             "notes", "flags", "policy")
RECON_KEYS = ("payee_id", "award", "record_id", "year", "claimed", "computed", "difference", "reason", "status",
              "kind", "payee_type", "name", "records", "sheet", "row")
PAYEE_KEYS = ("payee_id", "payee_type", "name", "district", "total", "awards")
"""The rows' keys in the file's order (contract.md); the f-strings below spell them out, in
this order for the file and sorted for the canonical form (a test holds them to these tuples)."""


def _money(value: Decimal) -> str:
    return '"' + json_money(value) + '"'  # digits, sign and point: nothing to escape


def _shown_as_amounts(key: str, lang: Lang) -> frozenset[str]:
    """The parameters the message's template shows through {:money} or {:rate} (i18n), which
    write equal amounts alike (1.0 and 1.00: 1.00)."""
    texts = i18n.texts(key)
    if texts is None:
        return frozenset()
    template = texts[0] if lang == "zh" else texts[1]
    return frozenset(name for _, name, spec, conversion in Formatter().parse(template)
                     if name and spec in ("money", "rate") and not conversion)


class Writer:
    """One write's row texts. Notes and reasons repeat (a line's class ruling, a cap's cut, an
    unclaimed amount): a message of plain values is put into words once per write (see words)."""

    def __init__(self, result: Result, lang: Lang) -> None:
        self.result = result
        self.lang = lang
        self._words: dict[Msg, str] = {}
        self._amounts: dict[str, frozenset[str]] = {}

    def words(self, message: Msg) -> str:
        """The message's text as JSON. Remembered only when equal messages are sure to read
        alike: every value a str or an int (not a bool), or an amount its template shows as
        money or a rate; a message inside a message, a None or a float is put into words anew."""
        key = message[0]
        amounts = self._amounts.get(key)
        if amounts is None:
            amounts = self._amounts[key] = _shown_as_amounts(key, self.lang)
        for name, value in zip(message[1], message[2:], strict=True):
            kind = value.__class__
            if kind is not str and kind is not int and (kind is not Decimal or name not in amounts):
                return _S(message.render(self.lang))
        found = self._words.get(message)
        if found is None:
            found = self._words[message] = _S(message.render(self.lang))
        return found

    def line(self, ln: Line) -> Texts:
        try:
            return self._line(ln)
        except TypeError:  # a field not of its declared type: json writes it, as it writes issues
            from hrcalc.render.jsonout import line_dict

            return encoded_row(line_dict(ln, self.lang))

    def _line(self, ln: Line) -> Texts:
        notes = [self.words(n) for n in ln.notes]
        flags = [_S(f) for f in sorted(ln.flags)]
        rate = ln.rate
        award, record_id, year = _S(ln.award), _S(ln.record_id), _i(ln.year)
        tier, date, clause, policy = _s(ln.tier), _S(ln.event_date.isoformat()), _S(ln.clause), _S(ln.policy)
        base = "null" if ln.base is None else _money(ln.base)
        rate_ = "null" if rate is None else _S(format(rate.normalize(), "f"))
        computed, amount = _money(ln.computed), _money(ln.amount)
        return (
            f'{{"award": {award}, "tier": {tier}, "record_id": {record_id}, "year": {year}, "date": {date}, '
            f'"clause": {clause}, "base": {base}, "rate": {rate_}, "computed": {computed}, "amount": {amount}, '
            f'"notes": [{", ".join(notes)}], "flags": [{", ".join(flags)}], "policy": {policy}}}',
            f'{{"amount":{amount},"award":{award},"base":{base},"clause":{clause},"computed":{computed},'
            f'"date":{date},"flags":[{",".join(flags)}],"notes":[{",".join(notes)}],"policy":{policy},'
            f'"rate":{rate_},"record_id":{record_id},"tier":{tier},"year":{year}}}',
        )

    def payees(self, groups: Iterator[tuple[Payee, list[Line]]]) -> Iterator[Texts]:
        """The "payees" rows of jsonout._group_payees's groups."""
        for payee, plines in groups:
            texts = [self.line(ln) for ln in plines]
            payee_id, payee_type, name, district = _s(payee.payee_id), _s(payee.payee_type), _s(payee.name), _s(
                payee.district)
            total = _money(sum((ln.amount for ln in plines), _ZERO))
            yield (
                f'{{"payee_id": {payee_id}, "payee_type": {payee_type}, "name": {name}, "district": {district}, '
                f'"total": {total}, "awards": [{", ".join([t[0] for t in texts])}]}}',
                f'{{"awards":[{",".join([t[1] for t in texts])}],"district":{district},"name":{name},'
                f'"payee_id":{payee_id},"payee_type":{payee_type},"total":{total}}}',
            )

    def recon(self, rows: list[ReconRow]) -> Iterator[Texts]:
        """The "reconciliation" rows (jsonout.recon_dict's values)."""
        for row in rows:
            try:
                yield self._recon(row)
            except TypeError:  # see line()
                from hrcalc.render.jsonout import recon_dict

                yield encoded_row(recon_dict(row, self.result, self.lang))

    def _recon(self, row: ReconRow) -> Texts:
        payee = self.result.payees.get((row.payee_id, row.payee_type or ""))
        source = row.source if row.status != "unclaimed" else None
        records = [_S(r) for r in row.records]
        claimed_ = row.claimed or _ZERO
        payee_id, award, record_id, year = _S(row.payee_id), _S(row.award), _s(row.record_id), _i(row.year)
        claimed, computed, difference = _money(claimed_), _money(row.computed), _money(claimed_ - row.computed)
        reason, status, kind, payee_type = self.words(row.reason), _S(row.status), _S(row.kind), _s(row.payee_type)
        name = "null" if payee is None else _s(payee.name)
        sheet, at = ("null", "null") if not source else (_s(source.sheet), _i(source.row))
        return (
            f'{{"payee_id": {payee_id}, "award": {award}, "record_id": {record_id}, "year": {year}, '
            f'"claimed": {claimed}, "computed": {computed}, "difference": {difference}, "reason": {reason}, '
            f'"status": {status}, "kind": {kind}, "payee_type": {payee_type}, "name": {name}, '
            f'"records": [{", ".join(records)}], "sheet": {sheet}, "row": {at}}}',
            f'{{"award":{award},"claimed":{claimed},"computed":{computed},"difference":{difference},'
            f'"kind":{kind},"name":{name},"payee_id":{payee_id},"payee_type":{payee_type},"reason":{reason},'
            f'"record_id":{record_id},"records":[{",".join(records)}],"row":{at},"sheet":{sheet},'
            f'"status":{status},"year":{year}}}',
        )


def encoded_row(row: dict[str, Any]) -> Texts:
    """A row built as a dict, encoded by json in both forms."""
    from hrcalc.digest import canonical_text

    return _SCALAR(row), canonical_text(row)


def encoded(rows: Iterator[dict[str, Any]]) -> Iterator[Texts]:
    """Rows built as dicts (the few issues), encoded by json in both forms."""
    return map(encoded_row, rows)


_NON_ASCII = re.compile("[^\x00-\x7e]")


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group())
    if c < 0x10000:
        return f"\\u{c:04x}"
    c -= 0x10000
    return f"\\u{0xD800 | (c >> 10):04x}\\u{0xDC00 | (c & 0x3FF):04x}"


def ascii_only(text: str) -> str:
    """JSON text as json writes it with ensure_ascii: only a string can hold a character past
    "~", and there that escaping is the only difference (json.encoder.py_encode_basestring_ascii)."""
    return _NON_ASCII.sub(_escape, text)

