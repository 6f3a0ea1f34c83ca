"""`hrcalc diff` (contract.md, hrcalc.diff.v1): lines added, removed and changed, and what changed."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import Invoke
from tests.ledger_helpers import SAMPLE, calc, commit, h7


def _changed_salary(tmp_path: Path, old: dict[str, object]) -> tuple[Path, str, str]:
    """The sample with one placement's salary moved to another tier: (workbook, placement, institution)."""
    line, payee = next((ln, p) for p in old["payees"] for ln in p["awards"]  # type: ignore[attr-defined]
                       if ln["award"] == "headhunting" and ln["tier"] == "salary_1m" and ln["amount"] != "0.00")
    book = load_workbook(SAMPLE)
    sheet = book["猎头引才"]
    head_row = next(r for r in range(1, 11) if "引才编号" in [c.value for c in sheet[r]])  # a title row above
    header = [c.value for c in sheet[head_row]]
    id_col, salary_col = header.index("引才编号") + 1, header.index("年税前薪酬") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, id_col).value == line["record_id"])
    sheet.cell(row, salary_col).value = 400_000  # the 30% tier instead of 50%
    out = tmp_path / "june.xlsx"
    book.save(out)
    return out, line["record_id"], payee["payee_id"]


def test_diff_names_the_placement_and_says_the_input_changed(invoke: Invoke, tmp_path: Path) -> None:
    march = calc(invoke, SAMPLE, tmp_path / "march.json")
    june_wb, placement, inst = _changed_salary(tmp_path, march)
    calc(invoke, june_wb, tmp_path / "june.json")
    res = invoke("diff", tmp_path / "march.json", tmp_path / "june.json", "--json", "-", "--lang", "en")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["schema"] == "hrcalc.diff.v1"
    assert doc["changes"] == {"input": True, "policy": False, "history": False}
    line = next(c for c in doc["changed"] if c["record_id"] == placement and c["award"] == "headhunting")
    assert line["payee_id"] == inst and "input" in line["why"]
    assert {"tier", "rate", "amount"} <= set(line["fields"])
    assert line["old"]["tier"] == "salary_1m" and line["new"]["tier"] == "salary_300k"
    assert {c["payee_id"] for c in doc["changed"]} <= {inst, line["payee_id"]} | {
        c["payee_id"] for c in doc["changed"] if c["award"] == "employer_subsidy" and c["record_id"] == placement}
    assert doc["added"] == [] and doc["removed"] == []
    table = invoke("diff", tmp_path / "march.json", tmp_path / "june.json", "--lang", "en")
    assert table.exit_code == 0
    assert placement in table.output and "the input changed" in table.output


def test_diff_of_a_result_with_itself_is_empty(invoke: Invoke, tmp_path: Path) -> None:
    calc(invoke, SAMPLE, tmp_path / "a.json")
    res = invoke("diff", tmp_path / "a.json", tmp_path / "a.json", "--json", "-")
    doc = json.loads(res.stdout)
    assert (doc["added"], doc["removed"], doc["changed"]) == ([], [], [])
    assert doc["changes"] == {"input": False, "policy": False, "history": False}


def test_diff_says_the_history_changed_after_a_commit(invoke: Invoke, tmp_path: Path) -> None:
    wb, db = h7(tmp_path), tmp_path / "L.db"
    calc(invoke, wb, tmp_path / "r1.json", "--ledger", db)
    commit(invoke, tmp_path / "r1.json", db)
    calc(invoke, wb, tmp_path / "r2.json", "--ledger", db)
    doc = json.loads(invoke("diff", tmp_path / "r1.json", tmp_path / "r2.json", "--json", "-").stdout)
    assert doc["changes"] == {"input": False, "policy": False, "history": True}
    assert {c["record_id"] for c in doc["changed"]} == {"P1", "P2", "P3"}
    assert all({"history", "notes"} <= set(c["why"]) and c["new_amount"] == "0.00" for c in doc["changed"])
    assert doc["total"]["difference"] == "-2000000.00"


def test_diff_lists_added_and_removed_lines(invoke: Invoke, tmp_path: Path) -> None:
    from tests.builders import build_input
    from tests.test_examples import H7

    calc(invoke, build_input(tmp_path / "two.xlsx", placements=H7[:2]), tmp_path / "two.json")
    calc(invoke, build_input(tmp_path / "three.xlsx", placements=H7[1:]), tmp_path / "three.json")
    doc = json.loads(invoke("diff", tmp_path / "two.json", tmp_path / "three.json", "--json", "-").stdout)
    assert [a["record_id"] for a in doc["added"]] == ["P3"]
    assert [r["record_id"] for r in doc["removed"]] == ["P1"]
    assert doc["removed"][0]["old_amount"] == "800000.00" and doc["removed"][0]["new_amount"] is None


def test_diff_refuses_what_is_not_a_result(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("[1, 2]", encoding="utf-8")
    res = invoke("diff", tmp_path / "x.json", tmp_path / "missing.json", "--lang", "en")
    assert res.exit_code == 2 and "not an hrcalc result" in res.stderr and "Traceback" not in res.stderr


def test_the_streamed_digest_is_the_canonical_one(invoke: Invoke, tmp_path: Path) -> None:
    """The digest a streaming writer computes row by row equals SHA-256 of the canonical document."""
    from hrcalc.digest import result_digest, stream_digest

    doc = calc(invoke, SAMPLE, tmp_path / "r.json")
    rows = ("payees", "issues", "reconciliation")
    streamed = stream_digest(((k, iter(v) if k in rows else v) for k, v in doc.items()), rows)
    assert streamed == result_digest(doc) == doc["digest"]
    empty = {"payees": [], "b": 1}
    assert stream_digest(((k, iter(v) if k in rows else v) for k, v in empty.items()), rows) == result_digest(empty)


def test_the_written_digest_is_the_canonical_one(invoke: Invoke, tmp_path: Path) -> None:
    """The file's digest (worked out while it is written) is SHA-256 of its canonical form, with
    and without reconciliation rows and for an empty run, and result_dict agrees."""
    from hrcalc import api
    from hrcalc.digest import result_digest
    from hrcalc.render import jsonout
    from tests.builders import build_input

    for wb in (SAMPLE, build_input(tmp_path / "none.xlsx", placements=[])):
        doc = calc(invoke, wb, tmp_path / "r.json")
        assert doc["digest"] == result_digest(doc)
        assert list(doc)[-1] == "digest"
        assert jsonout.result_dict(api.run(wb), "en")["digest"] == doc["digest"]
