"""Messages are flat tuples, and the steps placements repeat are shared within a run: the words
stay exactly those of a message built on its own, and the memo is the run's own, not a module global."""

from __future__ import annotations

import copy
import ctypes
import json
import pickle
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from hrcalc import api
from hrcalc.i18n import LANGS, Lang, Msg, msg
from hrcalc.result import Result, Step
from tests.builders import build_input, code
from tests.conftest import Invoke


def test_a_message_keeps_its_key_params_equality_and_words() -> None:
    made = msg("step.gross", base=Decimal("100000"), rate=Decimal("0.3"), value=Decimal("30000.0"))
    assert made.key == "step.gross"
    assert made.params == (("base", Decimal("100000")), ("rate", Decimal("0.3")), ("value", Decimal("30000.0")))
    assert made.param("rate") == Decimal("0.3") and made.param("missing") is None
    built = Msg("step.gross", made.params)
    assert built == made and hash(built) == hash(made)
    assert made != msg("step.gross", base=Decimal("100000"), rate=Decimal("0.4"), value=Decimal("40000.0"))
    for other in (copy.deepcopy(made), pickle.loads(pickle.dumps(made))):
        assert other == made and other.__class__ is Msg
        assert other.render("en") == made.render("en") == "Computed: 100,000.00 × 30% = 30,000.00"
    assert str(made) == "计算金额：100,000.00 × 30% = 30,000.00"
    assert repr(made).startswith("Msg('step.gross', (('base',")
    plain = msg("yes")
    assert plain is msg("yes") and plain.params == () and plain.render("en") == "yes"
    nested = msg("skip.es.not_eligible", why=(msg("es.why.outside"), msg("es.why.urgent")))
    assert nested.render("en") == "No employer subsidy: not from outside the city; not marked urgently needed"
    assert msg("no.such.key", n=1).render("en") == "no.such.key {'n': 1}"


def _texts(steps: list[Step] | tuple[Step, ...], lang: Lang) -> list[str]:
    return [s.text.render(lang) for s in steps]


def _alone(steps: list[Step] | tuple[Step, ...], lang: Lang) -> list[str]:
    """The same steps' words, each message built anew on its own (as msg() builds it)."""
    return [msg(s.text.key, **dict(s.text.params)).render(lang) for s in steps]


def _run(tmp_path: Path) -> Result:
    same = {"annual_salary": 600_000, "headhunting_fee": 100_000, "key_enterprise": "是"}
    path = build_input(tmp_path / "in.xlsx", placements=[
        {"placement_id": "P-1", **same, "urgent_need": "是"},
        {"placement_id": "P-2", **same, "urgent_need": "是", "credit_code": code(2)},
        {"placement_id": "P-3", **same, "urgent_need": "否"},
        {"placement_id": "P-4", **same, "urgent_need": "否", "credit_code": code(2)},
        {"placement_id": "P-5", "annual_salary": 150_000, "headhunting_fee": 30_000, "key_enterprise": "是",
         "talent_class": "A"},
        {"placement_id": "P-6", "annual_salary": 100_000, "headhunting_fee": 20_000, "key_enterprise": "否"},
    ])
    return api.run(path, today=date(2026, 1, 1))


def test_placements_alike_share_their_steps_and_words(tmp_path: Path) -> None:
    result = _run(tmp_path)
    hh = {ln.record_id: ln for ln in result.lines if ln.award == "headhunting"}
    assert set(hh) == {"P-1", "P-2", "P-3", "P-4", "P-5"}
    for ln in result.lines:
        for lang in LANGS:
            assert _texts(ln.steps, lang) == _alone(ln.steps, lang)
    for sk in result.skips:
        for lang in LANGS:
            assert _texts(sk.steps, lang) == _alone(sk.steps, lang)
            assert sk.reason.render(lang) == msg(sk.reason.key, **dict(sk.reason.params)).render(lang)
    # the same salary and class give the same test steps, one object for all of them
    first, second = hh["P-1"].steps, hh["P-2"].steps
    assert [s.kind for s in first][:3] == ["test", "test", "test"]
    assert all(a is b for a, b in zip(first[:4], second[:4], strict=True))
    assert _texts(first, "en")[1].startswith("Key enterprise: yes; annual salary 600,000.00 ≥ ")
    # the employer subsidy: two placements not urgently needed share their test and reason
    es = {sk.record_id: sk for sk in result.skips if sk.award == "employer_subsidy"}
    assert es["P-3"].reason is es["P-4"].reason and es["P-3"].steps is es["P-4"].steps
    assert es["P-3"].reason.render("en") == "No employer subsidy: not marked urgently needed"
    assert "P-6" in {sk.record_id for sk in result.skips if sk.award == "headhunting"}


def test_a_second_run_says_the_same(tmp_path: Path) -> None:
    one, two = _run(tmp_path), _run(tmp_path)
    for a, b in zip(one.lines, two.lines, strict=True):
        assert _texts(a.steps, "zh") == _texts(b.steps, "zh") and a.amount == b.amount
        # each run shares steps within itself only: the memo is the run's, not a module's
        assert all(x is not y for x, y in zip(a.steps, b.steps, strict=True))
    assert [s.reason.render("zh") for s in one.skips] == [s.reason.render("zh") for s in two.skips]


def test_calculate_writes_the_same_with_or_without_malloc_trim(invoke: Invoke, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """calculate hands the freed C heap back after the read where the C library can (glibc's
    malloc_trim); where it cannot, nothing else changes."""
    path = build_input(tmp_path / "in.xlsx", placements=[{"placement_id": f"P-{n}"} for n in range(1, 4)])
    with_trim = invoke("calculate", path, "--json", tmp_path / "a.json", "-q")
    assert with_trim.exit_code == 0, with_trim.stderr

    def no_library(*args: object, **kwargs: object) -> None:
        raise OSError("no C library here")

    monkeypatch.setattr(ctypes, "CDLL", no_library)
    without = invoke("calculate", path, "--json", tmp_path / "b.json", "-q")
    assert without.exit_code == 0, without.stderr
    a, b = (json.loads((tmp_path / n).read_text(encoding="utf-8")) for n in ("a.json", "b.json"))
    assert a["total"] == b["total"] and a["payees"] == b["payees"] and a["digest"] == b["digest"]
