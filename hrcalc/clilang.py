"""The command line in one language: --help, usage errors and the --lang default, Chinese unless told.

The language is `--lang` when the command line has it (so `hrcalc calculate --lang en --help` is
English), else HRCALC_LANG (zh or en), else the locale (LC_ALL, LC_MESSAGES, LANG: en… is
English), else Chinese. The help texts in cli.py stay English; their Chinese is here, keyed by
command path and parameter name, and applied in one place: the root group (HrcalcGroup) walks
the click commands Typer builds for each run, before any of them parses an argument. A test
checks that every command and option has its Chinese text, so one added later fails it until
translated (here, or with register_help in the new command's own module). Usage errors come
from click in English; their usual forms are put into Chinese here. No rich import: `hrcalc
--help` stays fast.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

import typer
from typer.core import TyperGroup

from hrcalc.i18n import LANGS, Lang
from hrcalc.render.wrap import cell_len, wrap

ENV_LANG = "HRCALC_LANG"

COMMAND_HELP_ZH: dict[str, str] = {
    "": "按《合肥市推进人力资源服务业高质量发展行动方案》计算人力资源服务业奖励。",
    "calculate": "计算工作簿中的每一项奖励：打印汇总，写出 JSON 和报告。\n\n"
                 "退出码：0 已计算（可有警告）；1 数据有错误（不写出任何文件）；2 用法错误，或文件无法读取、写入；"
                 "3 内部错误。",
    "validate": "列出工作簿中的每个问题（错误、警告、提示），含 calculate 会给出的每条警告；不做计算。\n\n"
                "退出码：0 没有错误；1 发现错误；2 文件无法读取。",
    "explain": "逐项说明一个受奖主体的奖励：每项条件及其数值、比例、上限、抵减、舍入和条款。\n\n"
               "该主体未获奖励的记录也会列出并说明原因。对区域：列出其产业园补助和在该区登记的机构。\n"
               "退出码：0 已说明；1 数据有错误，或找不到 PAYEE（会提示最接近的名称）；2 用法错误或文件无法读取；"
               "3 内部错误。",
    "template": "写出供经办人填写的空白输入工作簿：每张工作表和每一列、下拉选项、格式和说明表。\n\n"
                "退出码：0 已写出；2 文件已存在（未加 --force）或无法写入；3 内部错误。",
    "policy": "显示或导出政策：金额、比例、上限和条款。",
    "policy show": "打印每项奖励规则的金额、上限和条款，以及未定金额、不予计算的条款。",
    "policy export": "把内置政策写成可编辑的 TOML 文件，可用 --policy 读回。",
}
"""Each command's help in Chinese, by its path ("" is hrcalc itself)."""

PARAM_HELP_ZH: dict[str, str] = {
    "help": "显示本帮助并退出。",
    "version": "显示版本号并退出。",
    "input": "局里的输入工作簿（.xlsx、.xls、.xlsb 或 .ods）。",
    "policy": "使用此政策文件代替内置方案（见 hrcalc policy export）。",
    "lang": "消息和报告的语言：zh 中文，en 英文（不加时按环境变量 HRCALC_LANG 或系统语言，默认中文）。",
    "year": "只显示这一奖励年度（每个年度仍全部计算，金额不会因此改变）。",
    "skip_invalid": "跳过有错误的行进行计算；结果标记为不完整。",
    "force": "覆盖已存在的输出文件。",
    "quiet": "不在终端打印汇总。",
    "output": "把报告工作簿写到这里。",
    "payee": "统一社会信用代码、机构或用人单位的完整名称，或区域名称。",
    "calculate:json_out": "把 JSON 结果写到 FILE；用 - 则写到标准输出。",
    "calculate:public": "把公示名单（谁得多少，不含任何引才记录的信息）写到这里。",
    "explain:json_out": "以 JSON 打印说明。",
    "validate:json_out": "把问题以 JSON 写到 FILE；用 - 则写到标准输出。",
    "validate:force": "覆盖已存在的 JSON 文件。",
    "template:out": "空白输入工作簿的写出位置（.xlsx）。",
    "template:force": "覆盖已存在的文件。",
    "policy export:out": "可编辑政策文件的写出位置（.toml）。",
    "policy export:force": "覆盖已存在的文件。",
}
"""Each parameter's help in Chinese: "command path:name" for one command, or the name alone for
every command that has a parameter of that name (they share one definition in cli.py)."""


def register_help(commands: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None) -> None:
    """Chinese help for commands and options defined in another module (a new command's own
    module calls this beside its Typer app): the keys as in COMMAND_HELP_ZH and PARAM_HELP_ZH.
    A key given twice with another text is a bug."""
    for table, new in ((COMMAND_HELP_ZH, commands or {}), (PARAM_HELP_ZH, params or {})):
        for key, text in new.items():
            if table.get(key, text) != text:
                raise RuntimeError(f"Chinese help for {key!r} given twice with different text")
            table[key] = text


def chosen_lang(args: Sequence[str], environ: Mapping[str, str] | None = None) -> Lang:
    """The language of this run: --lang on the command line, HRCALC_LANG, the locale, Chinese."""
    env = os.environ if environ is None else environ
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else (
            arg.removeprefix("--lang=") if arg.startswith("--lang=") else None)
        if value in LANGS:
            return value
    wanted = env.get(ENV_LANG, "").strip().lower()[:2]
    if wanted in LANGS:
        return wanted
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def command_help_zh(path: str) -> str | None:
    return COMMAND_HELP_ZH.get(path)


def param_help_zh(path: str, name: str) -> str | None:
    return PARAM_HELP_ZH.get(f"{path}:{name}") or PARAM_HELP_ZH.get(name)


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command under `command` (itself first), with its path of names."""
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, (*path, name))


def localize(root: Any, lang: Lang) -> None:
    """Set the --lang default of every command to `lang`; in Chinese, give every command and
    parameter its Chinese help and a context that writes help pages in Chinese."""
    for path, command in walk(root):
        for param in command.params:
            if param.name == "lang":
                param.default = lang
        if lang != "zh":
            continue
        key = " ".join(path)
        command.help = command_help_zh(key) or command.help
        command.short_help = None
        command.options_metavar = "[选项]"
        if hasattr(command, "subcommand_metavar"):
            command.subcommand_metavar = "命令 [参数]..."
        command.context_class = ChineseContext
        for param in command.params:
            param.help = param_help_zh(key, param.name or "") or param.help


# ---- help pages in Chinese ------------------------------------------------------------------

@cache
def _extras_table() -> tuple[tuple[re.Pattern[str], str], ...]:
    return ((re.compile(r"\[default: (.*?)\]"), r"[默认：\1]"), (re.compile(r"\[required\]"), "[必填]"),
            (re.compile(r"\[env var: (.*?)\]"), r"[环境变量：\1]"), (re.compile(r"default: "), "默认："),
            (re.compile(r"\brequired\b"), "必填"), (re.compile(r"env var: "), "环境变量："))


def _extras(text: str) -> str:
    for pattern, repl in _extras_table():
        text = pattern.sub(repl, text)
    return text


def _width() -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 20:
        return min(int(columns), 100)
    try:
        return min(os.get_terminal_size(sys.stdout.fileno()).columns, 100)
    except (OSError, ValueError, AttributeError):
        return 80


def _paragraphs(text: str, width: int, indent: str) -> list[str]:
    out: list[str] = []
    for para in text.strip().split("\n"):
        out += [indent + line for line in wrap(para.strip(), width - cell_len(indent))] if para.strip() else [""]
    return out


def _definitions(rows: list[tuple[str, str]], width: int) -> list[str]:
    first = min(max((cell_len(a) for a, _ in rows), default=0), 26)
    out: list[str] = []
    for term, text in rows:
        room = max(width - 2 - first - 2, 20)
        lines = wrap(text, room) if text else [""]
        if cell_len(term) > first:
            out.append("  " + term)
            out += [" " * (first + 4) + line for line in lines]
            continue
        out.append("  " + term + " " * (first - cell_len(term) + 2) + lines[0])
        out += [" " * (first + 4) + line for line in lines[1:]]
    return out


def usage_zh(ctx: typer.Context) -> str:
    pieces = ctx.command.collect_usage_pieces(ctx)
    return f"用法：{ctx.command_path} {' '.join(pieces)}".rstrip()


def help_zh(ctx: typer.Context) -> str:
    """A command's help page in Chinese, wrapped for Chinese text (a character is two cells)."""
    command: Any = ctx.command
    width = _width()
    lines = [usage_zh(ctx), ""]
    if command.help:
        lines += [*_paragraphs(command.help, width, "  "), ""]
    arguments: list[tuple[str, str]] = []
    options: list[tuple[str, str]] = []
    for param in command.get_params(ctx):
        if param.name == "help":  # click makes the --help option itself, when first asked
            param.help = PARAM_HELP_ZH["help"]
        record = param.get_help_record(ctx)
        if record is None:
            continue
        term, text = record
        (arguments if param.param_type_name == "argument" else options).append((term, _extras(text)))
    for title, rows in (("参数：", arguments), ("选项：", options)):
        if rows:
            lines += [title, *_definitions(rows, width), ""]
    subcommands = getattr(command, "commands", None)
    if subcommands:
        rows = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            first = (sub.help or "").strip().split("\n")[0]
            rows.append((name, first.split("。")[0] + ("。" if "。" in first else "")))
        lines += ["命令：", *_definitions(rows, width), ""]
    return "\n".join(lines).rstrip("\n")


class ChineseContext(typer.Context):
    """A context whose help page and usage line are in Chinese."""

    def get_help(self) -> str:
        return help_zh(self)

    def get_usage(self) -> str:
        return usage_zh(self)


# ---- usage errors in Chinese ----------------------------------------------------------------

def _q(text: str) -> str:
    return "“" + text.strip("'\"") + "”"


@cache
def _errors() -> list[tuple[re.Pattern[str], Any]]:
    """click's usage-error forms and their Chinese (compiled when first needed: not for --help)."""
    return [
        (re.compile(r"Missing argument '(.+?)'\.(?: (.*))?$", re.S), lambda m: f"缺少参数 {m[1]}。"),
        (re.compile(r"Missing option '(.+?)'\.(?: (.*))?$", re.S), lambda m: f"缺少选项 {m[1]}。"),
        (re.compile(r"Missing parameter: (.+)$"), lambda m: f"缺少参数 {m[1]}。"),
        (re.compile(r"Missing command\.$"), lambda m: "缺少命令。"),
        (re.compile(r"No such command '(.+?)'\.(?: Did you mean (.+)\?)?$"),
         lambda m: f"没有命令 {_q(m[1])}。" + (f"您是不是要用 {m[2]}？" if m[2] else "")),
        (re.compile(r"No such option: (\S+)(?: Did you mean (.+?)\?| \(Possible options: (.+)\))?$"),
         lambda m: f"没有选项 {m[1]}。" + (f"您是不是要用 {m[2] or m[3]}？" if m[2] or m[3] else "")),
        (re.compile(r"Option '(.+?)' requires an argument\.$"), lambda m: f"选项 {m[1]} 需要一个值。"),
        (re.compile(r"Option '(.+?)' requires (\d+) arguments\.$"), lambda m: f"选项 {m[1]} 需要 {m[2]} 个值。"),
        (re.compile(r"Option '(.+?)' does not take a value\.$"), lambda m: f"选项 {m[1]} 不带值。"),
        (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.+)\)$"), lambda m: f"多余的参数：{m[1]}。"),
        (re.compile(r"Invalid value for (.+?): (.+)$", re.S), lambda m: f"{m[1]} 的值无效：{_value_error(m[2])}"),
        (re.compile(r"Invalid value: (.+)$", re.S), lambda m: f"值无效：{_value_error(m[1])}"),
    ]


_TYPES = {"integer": "整数", "float": "数字", "number": "数字", "boolean": "布尔值（true/false）"}


@cache
def _value_errors() -> list[tuple[re.Pattern[str], Any]]:
    """What click says is wrong with a value, in Chinese."""
    return [
        (re.compile(r"(?:Value error, )?'(.*)' is not one of (.+)\.$"),
         lambda m: f"{_q(m[1])} 不是可选值 {m[2]} 之一。"),
        (re.compile(r"(?:Value error, )?'(.*)' is not a valid (integer|float|boolean)(?: range)?\.?$"),
         lambda m: f"{_q(m[1])} 不是有效的{_TYPES.get(m[2], m[2])}。"),
        (re.compile(r"Input should be a valid (integer|number|boolean).*$"),
         lambda m: f"须为有效的{_TYPES.get(m[1], m[1])}。"),
        (re.compile(r"(File|Path|Directory) (.+) does not exist\.$"), lambda m: f"{m[2]} 不存在。"),
        (re.compile(r"(File|Path|Directory) (.+) is a (file|directory)\.$"),
         lambda m: f"{m[2]} 是{'文件' if m[3] == 'file' else '文件夹'}。"),
        (re.compile(r"(File|Path|Directory) (.+) is not (readable|writable)\.$"),
         lambda m: f"{m[2]} 不可{'读' if m[3] == 'readable' else '写'}。"),
    ]


def _translate(table: list[tuple[re.Pattern[str], Any]], text: str) -> str:
    """The first form of `table` that `text` has, put into Chinese; else `text` as it is."""
    for pattern, render in table:
        found = pattern.match(text.strip())
        if found:
            return str(render(found))
    return text


def _value_error(text: str) -> str:
    return _translate(_value_errors(), text)


def error_zh(message: str) -> str:
    """click's usage-error message in Chinese (its usual forms; any other as click wrote it)."""
    return _translate(_errors(), message)


def show_error(exc: Any, lang: Lang) -> None:
    """A usage error as click would show it, in `lang`: usage line, hint, message."""
    if lang != "zh":
        exc.show()
        return
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError":  # `hrcalc` alone: the help page, from our context
        exc.show()
        return
    out = sys.stderr
    if ctx is not None:
        out.write(ctx.get_usage() + "\n")
        if ctx.command.get_help_option(ctx) is not None:
            out.write(f"请运行“{ctx.command_path} {ctx.help_option_names[0]}”查看帮助。\n")
        out.write("\n")
    out.write("错误：" + error_zh(exc.format_message()) + "\n")
    out.flush()


class HrcalcGroup(TyperGroup):
    """The root command: picks the run's language, localizes every command, shows usage errors
    in that language. Exit codes are click's: 2 for a usage error, 1 for an abort."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        lang = chosen_lang(argv)
        localize(self, lang)
        if not standalone_mode:
            return super().main(argv, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(argv, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.Abort:
            sys.stderr.write("已中止。\n" if lang == "zh" else "Aborted!\n")
            sys.exit(1)
        except typer.TyperException as exc:
            if not (hasattr(exc, "exit_code") and hasattr(exc, "format_message")):
                raise
            show_error(exc, lang)
            sys.exit(exc.exit_code)
        sys.exit(code if isinstance(code, int) else 0)
