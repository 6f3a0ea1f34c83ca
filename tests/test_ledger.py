"""The award ledger (rulings.md "The award ledger"; examples.md L1–L4): the annual loop and history."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook

from tests.builders import code
from tests.conftest import Invoke
from tests.ledger_helpers import SAMPLE, amounts, calc, commit, count, entries, h7, lines

INST = code(1)


def test_sample_annual_loop_pays_nothing_twice(invoke: Invoke, tmp_path: Path) -> None:
    db = tmp_path / "L.db"
    r1 = calc(invoke, SAMPLE, tmp_path / "r1.json", "--ledger", db)
    assert r1["ledger"] == {"head": None, "run": None}
    assert not db.exists()  # calculate never creates a ledger
    assert any("No ledger at" in i["message"] for i in r1["issues"])
    res = commit(invoke, tmp_path / "r1.json", db)
    assert res.exit_code == 0, res.output
    assert "R0001" in res.output
    paid = {k for k, ln in lines(r1).items() if ln["amount"] != "0.00"}
    assert count(db, "grants") == len(paid) > 100

    r2 = calc(invoke, SAMPLE, tmp_path / "r2.json", "--ledger", db)
    assert r2["ledger"]["run"] == "R0001" and r2["ledger"]["head"]
    assert r2["total"] == "0.00"
    for key in paid:
        line = lines(r2)[key]
        assert line["amount"] == "0.00"
        assert any("ledger run R0001" in n for n in line["notes"]), (key, line["notes"])

    # committing r1 again is refused, exit 2, and the ledger is as it was
    before = db.read_bytes(), entries(db)
    again = commit(invoke, tmp_path / "r1.json", db)
    assert again.exit_code == 2
    assert "already committed as run R0001" in again.stderr
    assert (db.read_bytes(), entries(db)) == before


def test_l1_second_run_pays_zero_naming_the_run(invoke: Invoke, tmp_path: Path) -> None:
    wb, db = h7(tmp_path), tmp_path / "L.db"
    first = calc(invoke, wb, tmp_path / "r1.json", "--ledger", db)
    assert amounts(first, "headhunting") == {"P1": "800000.00", "P2": "900000.00", "P3": "300000.00"}
    assert commit(invoke, tmp_path / "r1.json", db).exit_code == 0
    second = calc(invoke, wb, tmp_path / "r2.json", "--ledger", db)
    assert amounts(second, "headhunting") == {"P1": "0.00", "P2": "0.00", "P3": "0.00"}
    for ln in second["payees"][0]["awards"]:
        assert any("R0001" in n for n in ln["notes"])


def test_l2_withheld_line_is_paid_in_a_later_run(invoke: Invoke, tmp_path: Path) -> None:
    wb, db = h7(tmp_path), tmp_path / "L.db"
    calc(invoke, wb, tmp_path / "r1.json", "--ledger", db)
    hold = tmp_path / "hold.csv"
    hold.write_text("受奖主体,奖励项目,关联记录,年度,原因\n"
                    f"{INST},猎头引才奖励,P2,2025,公示期异议\n", encoding="utf-8")
    res = commit(invoke, tmp_path / "r1.json", db, "--withhold", hold)
    assert res.exit_code == 0, res.output + res.stderr
    assert (count(db, "grants"), count(db, "withheld")) == (2, 1)
    second = calc(invoke, wb, tmp_path / "r2.json", "--ledger", db)
    assert amounts(second, "headhunting") == {"P1": "0.00", "P2": "900000.00", "P3": "0.00"}
    p2 = lines(second)[(INST, "headhunting", "P2", 2025)]
    assert any("R0001" in n and "公示期异议" in n for n in p2["notes"])
    # once P2 is committed too, it is history like any other grant
    assert commit(invoke, tmp_path / "r2.json", db).exit_code == 0
    third = calc(invoke, wb, tmp_path / "r3.json", "--ledger", db)
    assert amounts(third, "headhunting") == {"P1": "0.00", "P2": "0.00", "P3": "0.00"}


def test_withhold_xlsx_and_a_row_matching_no_line_is_refused(invoke: Invoke, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb, db = h7(tmp_path), tmp_path / "L.db"
    calc(invoke, wb, tmp_path / "r1.json", "--ledger", db)
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["payee_id", "award", "record_id", "year", "reason"])
    ws.append([INST, "headhunting", "P9", 2025, "待补材料"])
    book.save(tmp_path / "hold.xlsx")
    res = commit(invoke, tmp_path / "r1.json", db, "--withhold", tmp_path / "hold.xlsx")
    assert res.exit_code == 2
    assert "row 2" in res.stderr and "P9" in res.stderr
    assert not db.exists() or entries(db) == []
    ws["C2"] = "P3"
    book.save(tmp_path / "hold.xlsx")
    assert commit(invoke, tmp_path / "r1.json", db, "--withhold", tmp_path / "hold.xlsx").exit_code == 0
    assert count(db, "withheld") == 1


def test_l3_revoked_run_is_payable_again(invoke: Invoke, tmp_path: Path) -> None:
    wb, db = h7(tmp_path), tmp_path / "L.db"
    first = calc(invoke, wb, tmp_path / "r1.json", "--ledger", db)
    assert commit(invoke, tmp_path / "r1.json", db).exit_code == 0
    res = invoke("ledger", "revoke", "R0001", "--ledger", db, "--by", "科长", "--why", "录入错误", "--lang", "en")
    assert res.exit_code == 0, res.output + res.stderr
    assert entries(db) == [("R0001", "commit"), ("R0002", "revoke")]
    again = calc(invoke, wb, tmp_path / "r2.json", "--ledger", db)
    assert amounts(again) == amounts(first)
    assert again["ledger"]["run"] == "R0002"


def test_revoke_refusals(invoke: Invoke, tmp_path: Path) -> None:
    wb, db = h7(tmp_path), tmp_path / "L.db"

    def revoke(run: str) -> tuple[int, str]:
        res = invoke("ledger", "revoke", run, "--ledger", db, "--by", "x", "--why", "y", "--lang", "en")
        return res.exit_code, res.stderr

    assert revoke("R0001") == (2, revoke("R0001")[1]) and not db.exists()  # no ledger: nothing created
    calc(invoke, wb, tmp_path / "r1.json", "--ledger", db)
    commit(invoke, tmp_path / "r1.json", db)
    calc(invoke, wb, tmp_path / "r2.json", "--ledger", db)
    commit(invoke, tmp_path / "r2.json", db)
    code_, err = revoke("R0001")
    assert code_ == 2 and "later run R0002" in err
    assert revoke("R0009")[0] == 2
    assert revoke("R0002")[0] == 0
    code_, err = revoke("R0003")
    assert code_ == 2 and "itself a revoke" in err
    code_, err = revoke("R0002")
    assert code_ == 2 and "already revoked by R0003" in err
    assert revoke("R0001")[0] == 0
    assert [r for r, _ in entries(db)] == ["R0001", "R0002", "R0003", "R0004"]
    assert invoke("ledger", "verify", "--ledger", db).exit_code == 0


def test_l4_and_every_commit_refusal(invoke: Invoke, tmp_path: Path) -> None:
    wb, db = h7(tmp_path), tmp_path / "L.db"
    calc(invoke, wb, tmp_path / "a.json", "--ledger", db)
    other = tmp_path / "other"
    other.mkdir()
    calc(invoke, h7(other, recognitions=[{"kind": "high_tech"}]), tmp_path / "b.json", "--ledger", db)  # same head
    calc(invoke, wb, tmp_path / "y.json", "--ledger", db, "--year", "2025")
    calc(invoke, wb, tmp_path / "plain.json")  # no ledger at all
    res = commit(invoke, tmp_path / "y.json", db)
    assert res.exit_code == 2 and "--year" in res.stderr
    edited = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    edited["payees"][0]["awards"][0]["amount"] = "999999.00"
    (tmp_path / "edited.json").write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    res = commit(invoke, tmp_path / "edited.json", db)
    assert res.exit_code == 2 and "digest" in res.stderr
    assert not db.exists()
    blank_by = invoke("ledger", "commit", tmp_path / "a.json", "--ledger", db, "--by", " ", "--lang", "en")
    assert blank_by.exit_code == 2
    assert invoke("ledger", "commit", tmp_path / "a.json", "--ledger", db).exit_code == 2  # --by required

    assert commit(invoke, tmp_path / "a.json", db).exit_code == 0
    for stale in ("b.json", "plain.json"):
        res = commit(invoke, tmp_path / stale, db)
        assert res.exit_code == 2
        assert "the ledger has moved: recompute with --ledger" in res.stderr
    assert entries(db) == [("R0001", "commit")]  # L4: unchanged
    res = commit(invoke, tmp_path / "a.json", db)
    assert res.exit_code == 2 and "already committed" in res.stderr


def test_incomplete_result_needs_allow_incomplete(invoke: Invoke, tmp_path: Path) -> None:
    from tests.builders import build_input
    from tests.test_examples import H7

    wb = build_input(tmp_path / "bad.xlsx", placements=[*H7, {"placement_id": "PX", "annual_salary": -5}])
    db = tmp_path / "L.db"
    doc = calc(invoke, wb, tmp_path / "r.json", "--ledger", db, "--skip-invalid")
    assert doc["complete"] is False
    res = commit(invoke, tmp_path / "r.json", db)
    assert res.exit_code == 2 and "--allow-incomplete" in res.stderr
    assert commit(invoke, tmp_path / "r.json", db, "--allow-incomplete").exit_code == 0


def test_export_reads_back_as_the_same_history(invoke: Invoke, tmp_path: Path) -> None:
    db = tmp_path / "L.db"
    calc(invoke, SAMPLE, tmp_path / "r1.json", "--ledger", db)
    commit(invoke, tmp_path / "r1.json", db)
    with_ledger = calc(invoke, SAMPLE, tmp_path / "r2.json", "--ledger", db)
    out = tmp_path / "prior.xlsx"
    res = invoke("ledger", "export", "--ledger", db, out)
    assert res.exit_code == 0, res.output + res.stderr
    # paste the exported rows under the sample's own prior_awards (same first columns), compute without the ledger
    exported = load_workbook(out, read_only=True)
    rows = list(exported.worksheets[0].iter_rows(values_only=True))
    assert exported.sheetnames == ["历史兑现"] and len(rows) - 1 == count(db, "grants")
    book = load_workbook(SAMPLE)
    sheet = book["历史兑现"]
    assert [c.value for c in sheet[1]] == list(rows[0][:6])
    for row in rows[1:]:
        sheet.append(list(row[:6]))
    pasted = tmp_path / "pasted.xlsx"
    book.save(pasted)
    by_sheet = calc(invoke, pasted, tmp_path / "r3.json")
    assert amounts(by_sheet) == amounts(with_ledger)
    assert by_sheet["total"] == "0.00"
    # both at once: each pasted row is its grant, counted once (no contradiction, nothing changes)
    both = calc(invoke, pasted, tmp_path / "r4.json", "--ledger", db)
    assert amounts(both) == amounts(with_ledger)


def test_prior_awards_rows_against_grants(invoke: Invoke, tmp_path: Path) -> None:
    from tests.builders import build_input
    from tests.test_examples import H7

    db = tmp_path / "L.db"
    calc(invoke, build_input(tmp_path / "p1.xlsx", placements=H7[:1]), tmp_path / "r1.json", "--ledger", db)
    commit(invoke, tmp_path / "r1.json", db)  # the ledger holds P1's 800,000 only

    def with_prior(name: str, *rows: dict[str, object]) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        return h7(folder, prior_awards=list(rows))

    same = {"payee_id": INST, "award": "headhunting", "record_id": "P1", "amount": 800_000,
            "tier": "salary_1m", "date": "2025-03-01"}
    # counted once: P1 twice against the 2,000,000 cap would leave P2 400,000 and P3 nothing
    once = {"P1": "0.00", "P2": "900000.00", "P3": "300000.00"}
    doc = calc(invoke, with_prior("same", same), tmp_path / "s.json", "--ledger", db)
    assert amounts(doc, "headhunting") == once
    blank = {**same, "record_id": None, "tier": None}
    doc = calc(invoke, with_prior("blank", blank), tmp_path / "b.json", "--ledger", db)
    assert amounts(doc, "headhunting") == once
    other = {**same, "amount": 700_000}
    res = invoke("calculate", with_prior("other", other), "--ledger", db, "--lang", "en", "--quiet")
    assert res.exit_code == 1
    assert "contradicts" in res.stderr and "R0001" in res.stderr and "prior_awards row 2" in res.stderr
    invoke("ledger", "revoke", "R0001", "--ledger", db, "--by", "x", "--why", "y")
    res = invoke("calculate", with_prior("revoked", same), "--ledger", db, "--lang", "en", "--quiet")
    assert res.exit_code == 1
    assert "revoked" in res.stderr and "R0001" in res.stderr


def test_grants_for_unknown_awards_and_absent_payees(invoke: Invoke, tmp_path: Path) -> None:
    from tests.ledger_helpers import redigest

    db = tmp_path / "L.db"
    doc = calc(invoke, h7(tmp_path), tmp_path / "r1.json", "--ledger", db)
    line = dict(doc["payees"][0]["awards"][0], award="retired_award", record_id="OLD-1")
    doc["payees"][0]["awards"].append(line)
    assert commit(invoke, redigest(doc, tmp_path / "hand.json"), db).exit_code == 0
    again = calc(invoke, h7(tmp_path), tmp_path / "r2.json", "--ledger", db)
    notes = [i for i in again["issues"] if "retired_award" in i["message"]]
    assert len(notes) == 1 and notes[0]["severity"] == "info"
    assert again["total"] == "0.00"


def test_explain_names_the_granting_run(invoke: Invoke, tmp_path: Path) -> None:
    wb, db = h7(tmp_path), tmp_path / "L.db"
    calc(invoke, wb, tmp_path / "r1.json", "--ledger", db)
    commit(invoke, tmp_path / "r1.json", db)
    res = invoke("explain", wb, INST, "--ledger", db, "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "ledger run R0001" in res.output
    env = invoke("explain", wb, INST, "--lang", "en", env={"HRCALC_LEDGER": str(db)})
    assert "ledger run R0001" in env.output


def test_show_and_runs(invoke: Invoke, tmp_path: Path) -> None:
    wb, db = h7(tmp_path), tmp_path / "L.db"
    calc(invoke, wb, tmp_path / "r1.json", "--ledger", db)
    commit(invoke, tmp_path / "r1.json", db, "--note", "第一批")
    invoke("ledger", "revoke", "R0001", "--ledger", db, "--by", "x", "--why", "重算")
    res = invoke("ledger", "runs", "--ledger", db, "--json", "-")
    assert res.exit_code == 0
    runs = json.loads(res.stdout)["runs"]
    keys = {"run", "kind", "at", "by", "note", "input_sha256", "grants", "head"}
    assert all(keys <= set(r) for r in runs)
    assert [(r["run"], r["kind"], r["grants"]) for r in runs] == [("R0001", "commit", 3), ("R0002", "revoke", 3)]
    assert runs[0]["note"] == "第一批" and runs[0]["input_sha256"]
    res = invoke("ledger", "show", INST, "--ledger", db, "--json", "-")
    grants = json.loads(res.stdout)["grants"]
    assert {g["status"] for g in grants} == {"revoked"} and len(grants) == 3
    assert grants[0]["manifest"]["plans"][0]["sha256"]
    table = invoke("ledger", "show", "--ledger", db, "--lang", "en")
    assert table.exit_code == 0 and "P2" in table.output


def test_result_keys_digest_and_a_missing_ledger_said_so(invoke: Invoke, tmp_path: Path) -> None:
    from hrcalc import __version__
    from hrcalc.digest import result_digest

    db = tmp_path / "nope.db"
    res = invoke("calculate", h7(tmp_path), "--ledger", db, "--json", tmp_path / "r.json", "-q", "--lang", "en")
    assert res.exit_code == 0 and "No ledger at" in res.stderr and not db.exists()
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["hrcalc_version"] == __version__ and doc["year_filter"] is None
    assert doc["digest"] == result_digest(doc) and len(doc["digest"]) == 64
    assert doc["policy"]["sha256"]
    plain = calc(invoke, h7(tmp_path), tmp_path / "p.json")
    assert plain["ledger"] is None and plain["digest"] != doc["digest"]  # the head seen is covered


def test_a_grant_keeps_its_plan_so_a_plan_without_lineage_pays_again(invoke: Invoke, tmp_path: Path) -> None:
    """rulings.md: ledger grants keep the plan of the line they came from, and awards of plans with no
    lineage never share history. A replacement plan under another id (no `continues`) pays H7 again;
    the same plan pays nothing twice."""
    from hrcalc.policy import bundled_policy_path

    wb, db = h7(tmp_path), tmp_path / "L.db"
    calc(invoke, wb, tmp_path / "r1.json", "--ledger", db)
    assert commit(invoke, tmp_path / "r1.json", db).exit_code == 0
    text = bundled_policy_path().read_text(encoding="utf-8")
    other = tmp_path / "replacement.toml"
    other.write_text(text.replace('id = "hefei-hr-services-2024"', 'id = "replacement-plan"', 1), encoding="utf-8")
    same = calc(invoke, wb, tmp_path / "r2.json", "--ledger", db)
    assert amounts(same, "headhunting") == {"P1": "0.00", "P2": "0.00", "P3": "0.00"}
    again = calc(invoke, wb, tmp_path / "r3.json", "--ledger", db, "--policy", other)
    assert amounts(again, "headhunting") == {"P1": "800000.00", "P2": "900000.00", "P3": "300000.00"}
