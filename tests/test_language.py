"""One language at a time: Chinese by default (help, usage errors, rulings, every output), English
with --lang en or HRCALC_LANG=en; every message key in both languages; every option translated."""

from __future__ import annotations

import importlib
import pkgutil
import re
from decimal import Decimal
from pathlib import Path
from string import Formatter
from typing import Any

import pytest
from typer.main import get_command

import hrcalc
from hrcalc import i18n
from hrcalc.cli import app
from hrcalc.clilang import chosen_lang, command_help_zh, error_zh, param_help_zh, walk
from hrcalc.policy import load_policy
from hrcalc.policy.model import parse_policy
from tests.conftest import Invoke

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "hefei-hr-2025.xlsx"

ENGLISH_SENTENCE = re.compile(r"(?<![\w.-])[A-Za-z][a-z']+(?:[ ,;:]+[A-Za-z][a-z']*){2,}(?![\w.-])")
"""Three or more English words in a row ("needs no key enterprise", "Show this message and exit").
Ids, award ids (headhunter_settlement), file names, codes and single words (JSON, TOML, FILE) are
not sentences: a word here is letters only, between spaces or light punctuation."""


COMMAND_LINE = re.compile(r"\bhrcalc(?: [a-z]+)+")
"""A command named in the text (hrcalc policy export) is a name, not a sentence."""


def english_sentences(text: str) -> list[str]:
    return ENGLISH_SENTENCE.findall(COMMAND_LINE.sub("hrcalc", text))


def test_the_detector_finds_sentences_and_spares_ids() -> None:
    assert english_sentences("裁定：The A/B rule needs no key enterprise") == ["rule needs no key enterprise"]
    assert english_sentences("  --help  Show this message and exit.")
    assert not english_sentences("猎头引才奖励 (headhunting) · YC2025-0071 · 91340100MAJ1GTEDCC · hefei-hr-2025.xlsx")
    assert not english_sentences("把 JSON 结果写到 FILE；用 - 则写到标准输出 --json FILE|- <path> A/B → 50%")


# ---- every message key, both languages ---------------------------------------------------

def _import_everything() -> None:
    for module in pkgutil.walk_packages(hrcalc.__path__, "hrcalc."):
        if module.name != "hrcalc.__main__":
            importlib.import_module(module.name)


def _dummy_params(*templates: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for template in templates:
        for _, field, spec, _ in Formatter().parse(template):
            if field:
                name = re.split(r"[.\[]", field)[0]
                params[name] = Decimal("1234.5") if spec in ("money", "rate", ",", ",.2f") else "x"
    return params


def test_every_message_key_renders_in_both_languages() -> None:
    _import_everything()
    keys = i18n.keys()
    assert len(keys) > 200  # every module's table was registered
    problems = []
    for key in keys:
        texts = i18n.texts(key)
        assert texts is not None
        zh, en = texts
        params = _dummy_params(zh, en)
        for lang, template in (("zh", zh), ("en", en)):
            try:
                rendered = i18n.msg(key, **params).render(lang)  # type: ignore[arg-type]
            except (KeyError, ValueError, IndexError) as exc:
                problems.append(f"{key} [{lang}]: {exc!r}")
                continue
            if not template.strip() or not rendered.strip():
                problems.append(f"{key} [{lang}]: empty")
        if english_sentences(re.sub(r"\{[^}]*\}", "", zh)):
            problems.append(f"{key} [zh] holds English: {zh!r}")
    assert not problems, "\n".join(problems)


# ---- Chinese everywhere by default ---------------------------------------------------------

COMMANDS = list(walk(get_command(app)))


def test_every_command_and_option_has_a_chinese_help_text() -> None:
    """An option or command added without its Chinese text (hrcalc/clilang.py) fails here."""
    missing = []
    for path, command in COMMANDS:
        key = " ".join(path)
        if not command_help_zh(key):
            missing.append(f"command {key or 'hrcalc'}")
        for param in [*command.params, "help"]:
            name = param if isinstance(param, str) else param.name
            if not isinstance(param, str) and getattr(param, "hidden", False):
                continue
            text = param_help_zh(key, name)
            if not text or english_sentences(text):
                missing.append(f"{key or 'hrcalc'} {name}")
    assert not missing, "no Chinese help (add it to hrcalc/clilang.py): " + ", ".join(missing)


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) or "hrcalc" for p, _ in COMMANDS])
def test_help_is_chinese_by_default_and_english_on_request(invoke: Invoke, path: tuple[str, ...]) -> None:
    for columns in ("80", "200"):
        res = invoke(*path, "--help", env={"COLUMNS": columns})
        assert res.exit_code == 0, res.output
        assert res.stdout.startswith("用法：hrcalc"), res.stdout
        assert not english_sentences(res.stdout), res.stdout
        assert "选项：" in res.stdout and "显示本帮助并退出。" in res.stdout
    english = invoke(*path, "--help", env={"HRCALC_LANG": "en"})
    assert english.stdout.startswith("Usage: hrcalc") and "Show this message and exit." in english.stdout


def test_lang_on_the_command_line_reaches_the_help(invoke: Invoke) -> None:
    assert invoke("calculate", "--lang", "en", "--help").stdout.startswith("Usage:")
    assert invoke("calculate", "--lang=en", "--help").stdout.startswith("Usage:")
    assert invoke("calculate", "--lang", "zh", "--help", env={"HRCALC_LANG": "en"}).stdout.startswith("用法：")


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "zh"),
    ({"LANG": "C.UTF-8"}, "zh"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8", "HRCALC_LANG": "zh"}, "zh"),
    ({"HRCALC_LANG": "en"}, "en"),
    ({"HRCALC_LANG": "EN"}, "en"),
    ({"HRCALC_LANG": "fr", "LANG": "en_US.UTF-8"}, "en"),  # not a language hrcalc speaks: the locale
])
def test_the_language_comes_from_the_option_then_hrcalc_lang_then_the_locale(
        environ: dict[str, str], expected: str) -> None:
    assert chosen_lang([], environ) == expected
    assert chosen_lang(["calculate", "x", "--lang", "zh"], {**environ, "HRCALC_LANG": "en"}) == "zh"
    assert chosen_lang(["--", "--lang", "en"], environ) == expected  # after --, an argument, not the option


def test_hrcalc_lang_sets_the_default_of_every_output(invoke: Invoke) -> None:
    out = invoke("policy", "show", env={"HRCALC_LANG": "en", "COLUMNS": "200"}).stdout
    assert "Award rules" in out and "奖励规则" not in out
    assert "按受奖主体汇总" in invoke("calculate", SAMPLE, env={"LANG": "en_US.UTF-8", "HRCALC_LANG": "zh"}).stdout
    assert "By payee" in invoke("calculate", SAMPLE, env={"LANG": "en_US.UTF-8"}).stdout


USAGE_ERRORS = [
    ((), "命令"),
    (("calculate",), "缺少参数"),
    (("calculate", "x.xlsx", "--year", "abc"), "的值无效"),
    (("calculate", "x.xlsx", "--lang", "fr"), "不是可选值"),
    (("calculate", "x.xlsx", "--bogus"), "没有选项 --bogus"),
    (("calculate", "x.xlsx", "--jsn", "a"), "您是不是要用 --json"),
    (("calculate", "x.xlsx", "--json"), "需要一个值"),
    (("calculate", "x.xlsx", "y.xlsx"), "多余的参数"),
    (("calcualte",), "您是不是要用"),
    (("policy", "nosuch"), "没有命令"),
    (("calculate", "--quiet=3", "x.xlsx"), "不带值"),
    (("explain", SAMPLE), "缺少参数 payee"),
]


@pytest.mark.parametrize(("args", "expected"), USAGE_ERRORS, ids=[" ".join(map(str, a)) or "hrcalc" for a, _ in
                                                                  USAGE_ERRORS])
def test_usage_errors_are_chinese_by_default(invoke: Invoke, args: tuple[str, ...], expected: str) -> None:
    res = invoke(*args)
    assert res.exit_code == 2, res.output
    assert expected in res.stderr, res.stderr
    assert not english_sentences(res.stderr), res.stderr
    assert "Traceback" not in res.output
    english = invoke(*args, env={"HRCALC_LANG": "en"})
    assert english.exit_code == 2
    assert "Error:" in english.stderr or english.stderr.startswith("Usage:")


def test_register_help_adds_and_refuses_a_second_different_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from hrcalc import clilang

    monkeypatch.setattr(clilang, "COMMAND_HELP_ZH", dict(clilang.COMMAND_HELP_ZH))
    monkeypatch.setattr(clilang, "PARAM_HELP_ZH", dict(clilang.PARAM_HELP_ZH))
    # a command no module defines (the real ledger commands register their own Chinese help)
    clilang.register_help({"example show": "显示示例。"}, {"example show:db": "示例文件。"})
    clilang.register_help({"example show": "显示示例。"})  # the same again is fine
    assert command_help_zh("example show") == "显示示例。" and param_help_zh("example show", "db") == "示例文件。"
    with pytest.raises(RuntimeError):
        clilang.register_help(params={"example show:db": "别的。"})


def test_an_unknown_usage_error_passes_through_as_click_wrote_it() -> None:
    assert error_zh("Something new happened.") == "Something new happened."
    assert error_zh("Missing option '--policy'.") == "缺少选项 --policy。"


SAMPLE_PAYEES = ["91340100MAJ1GTEDCC", "91340100101226366Q", "高新区", "91340102MA5329MJ3P"]


@pytest.mark.parametrize("columns", ["80", "120", "200"])
def test_no_english_sentence_in_chinese_mode(invoke: Invoke, columns: str) -> None:
    env = {"COLUMNS": columns}
    outputs = {"calculate": invoke("calculate", SAMPLE, env=env), "policy show": invoke("policy", "show", env=env)}
    for payee in SAMPLE_PAYEES:
        outputs[f"explain {payee}"] = invoke("explain", SAMPLE, payee, env=env)
    for name, res in outputs.items():
        assert res.exit_code == 0, (name, res.output)
        found = english_sentences(res.stdout + res.stderr)
        assert not found, (name, found)


def test_rulings_in_the_chosen_language(invoke: Invoke) -> None:
    policy = load_policy()
    rule = policy.awards["headhunting"]
    assert rule.ruling_zh and rule.ruling
    zh = invoke("explain", SAMPLE, "91340100MAJ1GTEDCC", "--year", "2025", env={"COLUMNS": "400"}).stdout
    assert f"裁定：{rule.ruling_zh}" in zh and rule.ruling not in zh
    en = invoke("explain", SAMPLE, "91340100MAJ1GTEDCC", "--year", "2025", "--lang", "en",
                env={"COLUMNS": "400"}).stdout
    assert f"Ruling: {rule.ruling}" in en
    shown = " ".join(invoke("policy", "show", env={"COLUMNS": "400"}).stdout.split())
    for award in policy.awards.values():
        assert award.ruling_zh, award.name_zh
        assert award.ruling_zh.split("；")[0] in shown
    for item in policy.not_computable:
        assert item.reason in shown and item.reason_en not in shown


def test_a_policy_file_without_chinese_rulings_stays_valid_and_shows_its_ruling(tmp_path: Path,
                                                                               invoke: Invoke) -> None:
    from hrcalc.policy import bundled_policy_path

    text = bundled_policy_path().read_text(encoding="utf-8")
    bare = "\n".join(line for line in text.splitlines()
                     if not line.startswith(("ruling_zh =", "reason_en =", "name_en = \"Att",
                                             "name_en = \"Lead", "name_en = \"Tasks")))
    policy = parse_policy(bare, "bare.toml")
    rule = policy.awards["headhunting"]
    assert rule.ruling_zh == "" and rule.ruling_text("zh") == rule.ruling  # the English one, not nothing
    path = tmp_path / "bare.toml"
    path.write_text(bare, encoding="utf-8")
    res = invoke("policy", "show", "--policy", path, env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    assert rule.ruling in " ".join(res.stdout.split())


def test_export_keeps_the_chinese_rulings(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "mine.toml"
    assert invoke("policy", "export", out).exit_code == 0
    exported = parse_policy(out.read_text(encoding="utf-8"), "mine.toml")
    assert exported == load_policy()
    assert exported.awards["revenue_growth"].ruling_text("zh").startswith("增速恰为 15%")
