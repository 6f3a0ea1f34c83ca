"""The JSON rows written as text (render/jsonrows.py) are json's own text, in both forms."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrcalc import api, digest
from hrcalc.i18n import msg
from hrcalc.render import jsonout, jsonrows
from hrcalc.result import Result
from tests.builders import EMPLOYER, build_input, code

ROOT = Path(__file__).resolve().parents[1]
ODD = 'a "quoted" \\ back\tslash\n line\x01\x7f 合肥 😀 \u2028 end'
"""Every kind of character json escapes, or leaves alone, or escapes only for ASCII."""


def _json_text(doc: dict[str, Any], ascii_only: bool = False) -> str:
    """The document in the file's form as json alone writes it (how write() wrote it before
    jsonrows): each row encoded by json.JSONEncoder."""
    encode = json.JSONEncoder(ensure_ascii=ascii_only).encode
    parts = []
    for key, value in doc.items():
        if key in jsonout.ROW_LISTS:
            text = "[\n    " + ",\n    ".join(encode(r) for r in value) + "\n  ]" if value else "[]"
        else:
            text = encode(value)
        parts.append(encode(key) + ": " + text)
    return "{\n  " + ",\n  ".join(parts) + "\n}\n"


def _check(result: Result, lang: str = "zh") -> None:
    doc = jsonout.result_dict(result, lang)  # type: ignore[arg-type]
    assert doc["digest"] == digest.result_digest(doc)
    assert jsonout.render(result, lang) == _json_text(doc)  # type: ignore[arg-type]
    buf = io.StringIO()
    jsonout.write(result, lang, buf, ascii_only=True)  # type: ignore[arg-type]
    assert buf.getvalue() == _json_text(doc, ascii_only=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sample_workbook_is_written_as_json_writes_it(lang: str) -> None:
    result = api.run(ROOT / "sample_data" / "hefei-hr-2025.xlsx")
    assert result.lines and result.reconciliation and result.issues
    _check(result, lang)


def _busy(tmp_path: Path) -> Result:
    """A run with lines of every kind: tiers, class rulings, caps, offsets, fixed awards with no
    base, prior grants, claims over, under, matched and for records that do not exist."""
    path = build_input(
        tmp_path / "in.xlsx",
        placements=[
            {"annual_salary": 600_000, "headhunting_fee": 100_000},
            {"annual_salary": 200_000, "talent_class": "A", "key_enterprise": "否", "headhunting_fee": 9_000_000},
            {"annual_salary": 900_000, "headhunting_fee": 333_333.33, "other_policy_amount": 5_000,
             "urgent_need": "是", "employer_other_policy_amount": 1_000},
            {"annual_salary": 100_000, "key_enterprise": "否"},
            {"placement_id": "P-OLD-0001", "credit_code": code(2)},
        ],
        recognitions=[{"kind": "high_tech"}],
        prior_awards=[{}],
        claims=[
            {"claimed_amount": 10_000},
            {"record_id": "P-0001", "claimed_amount": 99_999_999},
            {"record_id": "P-0009", "claimed_amount": 1},
            {"record_id": "P-0004", "claimed_amount": 0},
            {"payee_id": EMPLOYER, "award": "employer_subsidy", "claimed_amount": 0},
        ],
    )
    return api.run(path, skip_invalid=True)


def test_rows_with_every_kind_of_value_are_written_as_json_writes_them(tmp_path: Path) -> None:
    result = _busy(tmp_path)
    assert result.reconciliation is not None
    assert {ln.tier is None for ln in result.lines} == {True, False}
    assert {ln.base is None for ln in result.lines} == {True, False}
    assert any(ln.notes for ln in result.lines) and any(ln.flags for ln in result.lines)
    assert {r.status for r in result.reconciliation} >= {"match", "over", "under", "unclaimed"}
    _check(result)
    _check(result, "en")
    # strings json must escape, wherever a string is written
    ln = result.lines[0]
    ln.clause, ln.policy, ln.record_id = ODD, ODD + "p", ODD + "r"
    ln.notes.append(msg("test.unregistered", text=ODD))
    ln.flags.add(ODD)
    for key, payee in list(result.payees.items()):
        result.payees[key] = dataclasses.replace(payee, name=ODD, district=ODD)
    result.reconciliation = [r._replace(reason=msg("test.unregistered", text=ODD), records=(ODD, "b"))
                             for r in result.reconciliation]
    _check(result)


def test_a_field_not_of_its_type_is_written_as_json_writes_it(tmp_path: Path) -> None:
    """The rows' types say str and int; should another value get there, json writes it."""
    result = _busy(tmp_path)
    assert result.reconciliation is not None
    result.lines[0].record_id = 12345  # type: ignore[assignment]
    result.lines[1].year = 2025.0  # type: ignore[assignment]
    result.lines[2].tier = True  # type: ignore[assignment]
    result.reconciliation[0] = result.reconciliation[0]._replace(year="2025", record_id=7)  # type: ignore[arg-type]
    _check(result)


def test_a_message_is_remembered_only_where_equal_values_read_alike(tmp_path: Path) -> None:
    writer = jsonrows.Writer(_busy(tmp_path), "en")
    # unregistered: the values are shown by repr, and 1.0, 1.00, 1 and True are all equal
    texts = [writer.words(msg("test.unregistered", x=v)) for v in (Decimal("1.0"), Decimal("1.00"), 1, True)]
    assert texts == [json.dumps(f"test.unregistered {{'x': {v!r}}}", ensure_ascii=False)
                     for v in (Decimal("1.0"), Decimal("1.00"), 1, True)]
    # shown as money: equal amounts read alike, so one text serves both
    one, two = (msg("note.line_cap", cap=Decimal(v), cut=Decimal(1)) for v in ("5.0", "5.00"))
    assert writer.words(one) == writer.words(two) == json.dumps(one.render("en"), ensure_ascii=False)
    inner = msg("recon.not_eligible", why=(msg("test.unregistered", x=Decimal("1.0")),))
    assert writer.words(inner) == json.dumps(inner.render("en"), ensure_ascii=False)


@pytest.mark.parametrize("count", [0, 1, digest._TEXT_BATCH - 1, digest._TEXT_BATCH, 2 * digest._TEXT_BATCH + 3])
def test_rows_hashed_from_their_texts_hash_as_rows_encoded(count: int) -> None:
    rows = [{"b": i, "a": [ODD, None]} for i in range(count)]
    texts = [jsonrows.encoded_row(r) for r in rows]
    sha = hashlib.sha256()
    assert list(digest._hash_texts(sha, iter(texts), lambda t: t[1])) == texts
    expected = hashlib.sha256()
    list(digest._hash_list(expected, iter(rows)))
    assert sha.hexdigest() == expected.hexdigest()
    assert [json.loads(t[0]) for t in texts] == rows


@given(st.text())
def test_ascii_only_is_jsons_ensure_ascii(text: str) -> None:
    row = {"k": [text, text + "é"]}
    assert jsonrows.ascii_only(json.dumps(row, ensure_ascii=False)) == json.dumps(row)

