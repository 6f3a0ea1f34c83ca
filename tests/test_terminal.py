"""The terminal at any width: ids and amounts never cut, a differing claim's reason always in full,
no line wider than the terminal, and a shortened list says so and where the rest is."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrcalc.render.wrap import cell_len, min_width, wrap
from tests.conftest import Invoke

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "hefei-hr-2025.xlsx"
WIDTHS = ["80", "120", "200"]
FRAME = re.compile(r"[\s│┃├┼┤└┴┘┌┬┐─━┏┳┓┡╇┩╭╮╰╯]")


@pytest.fixture(scope="module")
def sample_json() -> dict[str, Any]:
    from typer.testing import CliRunner

    from hrcalc.cli import app

    res = CliRunner().invoke(app, ["calculate", str(SAMPLE), "--json", "-", "-q"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def _whole(token: str, text: str) -> bool:
    """`token` appears with nothing of an id or a number glued to either side."""
    return re.search(rf"(?<![0-9A-Za-z,.\-]){re.escape(token)}(?![0-9A-Za-z,.\-])", text) is not None


def _reasons_in_table(out: str) -> list[str]:
    """The last column of each row of the claims table, its lines joined (the table layout)."""
    table = out[out.index("申报与计算不一致"):]
    rows, current = [], []
    for line in table.splitlines():
        if line.startswith(("├", "└")):
            rows.append("".join(current))
            current = []
        elif line.startswith("│"):
            current.append(line.split("│")[-2].strip())
    return rows


def _differing(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in data["reconciliation"] if r["status"] in ("over", "under")]


@pytest.mark.parametrize("columns", WIDTHS)
def test_every_differing_claims_reason_in_full_and_no_id_cut(invoke: Invoke, sample_json: dict[str, Any],
                                                            columns: str) -> None:
    res = invoke("calculate", SAMPLE, env={"COLUMNS": columns})
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "…" not in out
    too_wide = [line for line in out.splitlines() if cell_len(line) > int(columns)]
    assert not too_wide, too_wide
    differing = _differing(sample_json)
    assert len(differing) == 7
    flat = FRAME.sub("", out)
    stacked = "┃ 原因" not in out
    reasons = None if stacked else _reasons_in_table(out)
    for row in differing:
        reason = re.sub(r"\s", "", row["reason"])
        if stacked:
            assert "原因：" + reason in flat, row["reason"]
        else:
            assert reasons is not None and reason in [re.sub(r"\s", "", r) for r in reasons], row["reason"]
        assert _whole(row["payee_id"], out), row["payee_id"]
        if row["record_id"]:
            assert _whole(row["record_id"], out), row["record_id"]
        for key in ("claimed", "computed"):
            assert _whole(f"{Decimal(row[key]):,.2f}", out), (key, row)
        assert _whole(f"{Decimal(row['difference']):+,.2f}", out), row
    # every payee's credit code in the summary, whole (the sample has fewer than 100 payees)
    for payee in {p["payee_id"] for p in sample_json["payees"]}:
        assert _whole(payee, out), payee
    # the table layout where there is room, blocks where there is not
    assert stacked == (int(columns) < 140)


@pytest.mark.parametrize("columns", WIDTHS)
def test_explain_keeps_ids_amounts_and_every_step_whole(invoke: Invoke, columns: str) -> None:
    env = {"COLUMNS": columns}
    out = invoke("explain", SAMPLE, "91340100MAJ1GTEDCC", "--year", "2025", env=env).stdout
    data = json.loads(invoke("explain", SAMPLE, "91340100MAJ1GTEDCC", "--year", "2025", "--json").stdout)
    assert "…" not in out
    assert not [line for line in out.splitlines() if cell_len(line) > int(columns)]
    flat = FRAME.sub("", out)
    award = data["payees"][0]["years"][0]["awards"][0]
    for line in award["lines"]:
        assert _whole(line["record_id"], out)
        for step in line["steps"]:
            assert re.sub(r"\s", "", step["text"]) in flat, step["text"]
    assert re.sub(r"\s", "", award["text"]) in flat
    for row in data["payees"][0]["reconciliation"]:
        assert re.sub(r"\s", "", row["reason"]) in flat


@pytest.mark.parametrize("columns", WIDTHS)
def test_policy_show_and_a_district_fit_the_width(invoke: Invoke, columns: str) -> None:
    env = {"COLUMNS": columns}
    for args in (("policy", "show"), ("explain", SAMPLE, "高新区"), ("validate", SAMPLE)):
        res = invoke(*args, env=env)
        assert res.exit_code == 0, res.output
        assert "…" not in res.stdout.replace("……", "")  # the plan's own ellipsis (……) is its text
        assert not [line for line in res.stdout.splitlines() if cell_len(line) > int(columns)], args
    district = invoke("explain", SAMPLE, "高新区", env=env).stdout
    for code in ("91340100MAJ1GTEDCC", "91340100MAA675PLX9"):
        assert _whole(code, district)


def test_a_long_reason_is_shown_in_full(invoke: Invoke, sample_json: dict[str, Any]) -> None:
    """No cut at so many characters: the claim's reason is what the clerk must read."""
    longest = max(_differing(sample_json), key=lambda r: len(r["reason"]))
    out = invoke("calculate", SAMPLE, env={"COLUMNS": "60"}).stdout
    assert "原因：" + re.sub(r"\s", "", longest["reason"]) in FRAME.sub("", out)
    assert "全文见" not in out


def test_a_shortened_list_says_so_and_where_the_rest_is(invoke: Invoke, sample_json: dict[str, Any]) -> None:
    out = FRAME.sub("", invoke("calculate", SAMPLE, env={"COLUMNS": "80"}).stdout)
    unclaimed = [r for r in sample_json["reconciliation"] if r["status"] == "unclaimed"]
    assert f"另有{len(unclaimed) - 5}项无人申报的奖励未列出" in out and "详见JSON或报告的核对表" in out
    warnings = sum(1 for i in sample_json["issues"] if i["severity"] == "warning")
    assert f"警告{warnings}条，前5条（全部警告见hrcalcvalidate、JSON或报告）" in out


@pytest.mark.parametrize(("text", "width", "lines"), [
    ("多报 300,000.00（年度上限）：2025年度累计已达上限 2,000,000.00，核减 300,000.00", 20,
     ["多报 300,000.00（年", "度上限）：2025年度累", "计已达上限", "2,000,000.00，核减", "300,000.00"]),
    ("91340100MAJ1GTEDCC 合肥领航", 18, ["91340100MAJ1GTEDCC", "合肥领航"]),
    ("按猎头服务费的50%以上给予奖励,单笔最高奖励不超过100万元;", 16,
     ["按猎头服务费的", "50%以上给予奖励,", "单笔最高奖励不超", "过100万元;"]),
    ("short", 10, ["short"]),
    ("a\nb", 10, ["a", "b"]),
    ("ABCDEFGHIJ", 4, ["ABCD", "EFGH", "IJ"]),  # wider than the line itself: the only cut
])
def test_wrap_breaks_between_words_and_chinese_characters_never_inside_ids(text: str, width: int,
                                                                           lines: list[str]) -> None:
    got = wrap(text, width)
    assert got == lines
    assert all(cell_len(line) <= width for line in got)


def test_min_width_is_the_widest_unbreakable_piece() -> None:
    assert min_width("原因：超过单笔上限 1,000,000.00，核减") == cell_len("1,000,000.00，")
    assert min_width("合肥领航\n91340100MAJ1GTEDCC") == 18
    assert min_width("") == 0


_PIECES = st.sampled_from(["91340100MAJ1GTEDCC", "1,000,000.00", "YC2025-0071", "2025-03-01", "合肥", "领航",
                           "猎头", "，", "。", "（", "）", " ", "  ", "100万元", "cap", "of", "A/B"])


@given(st.lists(_PIECES, max_size=40), st.integers(min_value=1, max_value=60))
def test_wrap_keeps_every_character_and_fits_whenever_it_can(pieces: list[str], width: int) -> None:
    text = "".join(pieces)
    lines = wrap(text, width)
    assert re.sub(r"\s", "", "".join(lines)) == re.sub(r"\s", "", text)  # nothing lost, nothing added
    if width >= min_width(text):
        assert all(cell_len(line) <= width for line in lines)
        for token in ("91340100MAJ1GTEDCC", "1,000,000.00", "YC2025-0071", "2025-03-01"):
            # an id or amount of the text is on one line, whole
            assert text.count(token) == sum(line.count(token) for line in lines)
