"""The digest of a JSON result: SHA-256 of its canonical form without the digest key itself."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping
from typing import Any

DIGEST_KEY = "digest"


def canonical(doc: Mapping[str, Any]) -> bytes:
    """The agreed canonical form: sorted keys, no spaces, UTF-8 as written (not \\u escapes)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def result_digest(doc: Mapping[str, Any]) -> str:
    """What `ledger commit` checks: the lines, the ledger head, the plans and `complete` all covered."""
    body = {k: v for k, v in doc.items() if k != DIGEST_KEY}
    return hashlib.sha256(canonical(body)).hexdigest()


def _enc(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


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
            row_sep = b"["
            for row in value:
                sha.update(row_sep + _enc(row))
                row_sep = b","
            sha.update(b"[]" if row_sep == b"[" else b"]")
        else:
            sha.update(_enc(value))
    sha.update(b"}")
    return sha.hexdigest()
