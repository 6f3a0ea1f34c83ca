"""The digest of a JSON result: SHA-256 of its canonical form without the digest key itself."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

DIGEST_KEY = "digest"


def canonical(doc: Mapping[str, Any]) -> bytes:
    """The agreed canonical form: sorted keys, no spaces, UTF-8 as written (not \\u escapes)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def result_digest(doc: Mapping[str, Any]) -> str:
    """What `ledger commit` checks: the lines, the ledger head, the plans and `complete` all covered."""
    body = {k: v for k, v in doc.items() if k != DIGEST_KEY}
    return hashlib.sha256(canonical(body)).hexdigest()
