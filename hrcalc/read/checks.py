"""The checks across rows and sheets: unique keys, prior-year revenue, institutions referred to."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any

from hrcalc.i18n import Msg, msg
from hrcalc.read.rows import SheetResult
from hrcalc.read.schema import fold
from hrcalc.records import RevenueYear

if TYPE_CHECKING:
    from hrcalc.read.sheets import SheetReader

class CrossChecks:
    """The checks that look across rows and sheets; offending rows lose their record."""

    def __init__(self, reader: SheetReader, results: dict[str, SheetResult]) -> None:
        self.reader = reader
        self.results = results

    def _flag(self, result: SheetResult, row: int, fld: str, value: object, message: Msg,
              dropped: set[int]) -> None:
        self.reader.issue("error", message, result.title, row, result.headers.get(fld),
                          None if value is None else str(value), fld)
        dropped.add(row)

    def _unique(self, sheet_id: str, key: Callable[[Any], Any], fld: str, message_key: str,
                dropped: set[int], **params: Callable[[Any], Any]) -> None:
        result = self.results.get(sheet_id)
        if result is None:
            return
        keys = list(map(key, map(itemgetter(1), result.rows)))
        if len(set(keys)) == len(keys):
            return  # no key twice: nothing to flag (the common case, told in C)
        seen: dict[Any, int] = {}
        for (row, rec), k in zip(result.rows, keys, strict=True):
            if k is None:
                continue
            first = seen.setdefault(k, row)
            if first != row:
                extra = {name: fn(rec) for name, fn in params.items()}
                self._flag(result, row, fld, getattr(rec, fld), msg(message_key, other_row=first, **extra),
                           dropped)

    def run(self) -> None:
        dropped: dict[str, set[int]] = {sid: set() for sid in self.results}
        self._unique("institutions", attrgetter("credit_code"), "credit_code", "read.dup.credit_code",
                     dropped.get("institutions", set()))
        self._unique("placements", attrgetter("placement_id"), "placement_id", "read.dup.placement_id",
                     dropped.get("placements", set()))
        self._unique("revenue", attrgetter("credit_code", "year"), "year", "read.dup.revenue_year",
                     dropped.get("revenue", set()), year=lambda r: r.year)
        self._unique("recognitions",
                     lambda r: (r.credit_code, fold(r.reference))
                     if r.kind == "national_competition" and r.reference else None,
                     "reference", "read.dup.competition", dropped.get("recognitions", set()))
        self._unique("parks", attrgetter("park_id", "level"), "park_id", "read.dup.park_level",
                     dropped.get("parks", set()))
        self._prior_revenue(dropped.get("revenue", set()))
        self._known_institutions(dropped)
        for sheet_id, rows in dropped.items():
            if rows:
                result = self.results[sheet_id]
                result.rows = [(n, rec) for n, rec in result.rows if n not in rows]

    def _prior_revenue(self, dropped: set[int]) -> None:
        result = self.results.get("revenue")
        if result is None:
            return
        by_year: dict[tuple[str, int], tuple[int, RevenueYear]] = {}
        for row, rec in result.rows:
            by_year.setdefault((rec.credit_code, rec.year), (row, rec))
        for row, rec in result.rows:
            if rec.prior_year_revenue is None:
                continue
            prior = by_year.get((rec.credit_code, rec.year - 1))
            if prior is not None and prior[1].revenue != rec.prior_year_revenue:
                self._flag(result, row, "prior_year_revenue", rec.prior_year_revenue,
                           msg("read.revenue.prior_mismatch", given=rec.prior_year_revenue,
                               actual=prior[1].revenue, prior_year=rec.year - 1, other_row=prior[0]),
                           dropped)

    def _known_institutions(self, dropped: dict[str, set[int]]) -> None:
        institutions = self.results.get("institutions")
        if institutions is not None and not institutions.usable:
            return  # its header is already an error; flagging every reference would only add noise
        known: set[str] = set()
        if institutions is not None:
            known.update(rec.credit_code for _, rec in institutions.rows)
            # a row with another error still names its institution: one error, not a cascade
            known.update(institutions.partial_codes)
        for sheet_id in ("revenue", "placements", "recognitions"):
            result = self.results.get(sheet_id)
            if result is None or known.issuperset(map(attrgetter("credit_code"), map(itemgetter(1), result.rows))):
                continue  # every institution known (the common case, told in C)
            for row, rec in result.rows:
                if rec.credit_code not in known:
                    self._flag(result, row, "credit_code", rec.credit_code,
                               msg("read.ref.unknown_institution"), dropped[sheet_id])
