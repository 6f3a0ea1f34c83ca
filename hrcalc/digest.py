"""The digest of a JSON result: SHA-256 of its canonical form without the digest key itself."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

DIGEST_KEY = "digest"


def canonical(doc: Mapping[str, Any]) -> bytes:
    """The agreed canonical form: sorted keys, no spaces, UTF-8 as written (not \\u escapes)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def result_digest(doc: Mapping[str, Any]) -> str:
    """What `ledger commit` checks: the lines, the ledger head, the plans and `complete` all covered."""
    body = {k: v for k, v in doc.items() if k != DIGEST_KEY}
    return hashlib.sha256(canonical(body)).hexdigest()


# json.dumps with canonical()'s arguments builds this very encoder on every call; made once, it
# is the same text without that cost (the digest encodes every row of a result)
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
_BATCH = 16  # rows encoded by one call (the canonical form of a list is its rows' forms joined by ","): few
# enough that they are still in the cache from the file's own encoding


def _enc(value: Any) -> bytes:
    return _CANONICAL(value).encode("utf-8")


def canonical_text(value: Any) -> str:
    """The canonical form of a value (a row, say) as text, before its UTF-8 encoding."""
    return _CANONICAL(value)


def _hash_list(sha: Any, rows: Iterable[Any]) -> Iterator[Any]:
    """Hash the canonical form of the list of `rows` into `sha`, yielding each row as it comes.

    A few hundred rows are encoded at a time, as one list: its text between the brackets is
    those rows' canonical forms joined by ",", so the batches joined by "," are the whole list's.
    """
    batch: list[Any] = []
    opening = b"["
    for row in rows:
        batch.append(row)
        yield row
        if len(batch) == _BATCH:
            sha.update(opening + _enc(batch)[1:-1])
            opening = b","
            batch.clear()
    if batch:
        sha.update(opening + _enc(batch)[1:-1])
        opening = b","
    sha.update(b"[]" if opening == b"[" else b"]")


_TEXT_BATCH = 256  # rows' canonical texts joined per update (one update per row costs a C call each)


def _hash_texts(sha: Any, rows: Iterable[Any], canonical_of: Callable[[Any], str]) -> Iterator[Any]:
    """As _hash_list, for rows that come with their canonical form already written:
    `canonical_of(row)` is the text `_enc(row)` would give, so nothing is encoded twice."""
    batch: list[str] = []
    opening = "["
    for row in rows:
        batch.append(canonical_of(row))
        yield row
        if len(batch) == _TEXT_BATCH:
            sha.update((opening + ",".join(batch)).encode("utf-8"))
            opening = ","
            batch.clear()
    if batch:
        sha.update((opening + ",".join(batch)).encode("utf-8"))
        opening = ","
    sha.update(b"[]" if opening == "[" else b"]")


def stream_digest(items: Iterable[tuple[str, Any]], row_lists: Collection[str]) -> str:
    """result_digest of the document whose (key, value) pairs `items` yields, without holding it.

    The values of `row_lists` may be iterators of rows: each is consumed once, in the canonical
    (sorted) key order, and each row is hashed as it comes, so a streamed writer can digest a
    document larger than memory by asking for its rows a second time.
    """
    sha = hashlib.sha256(b"{")
    sep = b""
    for key, value in sorted(items, key=lambda kv: kv[0]):
        if key == DIGEST_KEY:
            continue
        sha.update(sep + _enc(key) + b":")
        sep = b","
        if key in row_lists:
            for _ in _hash_list(sha, value):
                pass
        else:
            sha.update(_enc(value))
    sha.update(b"}")
    return sha.hexdigest()


class DigestTee:
    """The digest worked out while a streamed writer writes the document, in one pass.

    The writer goes through the document in its own key order; the digest needs the canonical
    (sorted) order. Given every (key, value) pair first, with the row lists still lazy, the tee
    hashes ahead in sorted order as far as it can. When the writer reaches a row list the hash
    has got to, its rows are hashed as they are written (`rows`); a row list the hash needs
    before the writer gets to it is read into memory then and written from there later (for the
    result, that is the issues, before the payees; the payees and reconciliation stream).
    """

    def __init__(self, pairs: Iterable[tuple[str, Any]], row_lists: Collection[str],
                 canonical_of: Callable[[Any], str] | None = None) -> None:
        """`canonical_of`: the rows of `row_lists` come encoded, and this gives a row's canonical text."""
        self._canonical_of = canonical_of
        self._values = {k: v for k, v in pairs if k != DIGEST_KEY}
        self._lists = set(row_lists)
        self._order = sorted(self._values)
        self._at = 0
        self._sha = hashlib.sha256(b"{")
        self._held: dict[str, list[Any]] = {}

    def _key(self, key: str) -> None:
        self._sha.update((b"," if self._at else b"") + _enc(key) + b":")

    def _hash_rows(self, rows: Iterable[Any]) -> Iterator[Any]:
        if self._canonical_of is not None:
            return _hash_texts(self._sha, rows, self._canonical_of)
        return _hash_list(self._sha, rows)

    def _advance(self, until: str | None) -> None:
        """Hash keys in sorted order up to (not including) `until`, holding any row list on the way."""
        while self._at < len(self._order) and self._order[self._at] != until:
            key = self._order[self._at]
            self._key(key)
            value = self._values[key]
            if key in self._lists and key not in self._held:
                self._held[key] = list(self._hash_rows(value))
            elif key in self._lists:
                for _ in self._hash_rows(self._held[key]):
                    pass
            else:
                self._sha.update(_enc(value))
            self._at += 1

    def rows(self, key: str) -> Iterator[Any]:
        """The rows of `key` for the writer, hashed on the way when the hash is there."""
        if key in self._held:
            yield from self._held.pop(key)
            return
        self._advance(key)
        self._key(key)
        self._at += 1
        yield from self._hash_rows(self._values[key])

    def hexdigest(self) -> str:
        self._advance(None)
        self._sha.update(b"}")
        return self._sha.hexdigest()
