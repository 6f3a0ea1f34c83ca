"""`hrcalc compare`: what a plan would cost, base against alternative (registered by hrcalc.cli)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hrcalc.cli import InputArg, LangOpt, LangOption, LedgerInOpt, PolicyOpt, YearOpt, app, handle_errors
from hrcalc.clilang import register_help
from hrcalc.errors import HrcalcError
from hrcalc.i18n import Lang, msg, register

register({
    "cmp.need_alternative": ("compare 需要 --against FILE 或 --set KEY=VALUE（至少一个）",
                             "compare needs --against FILE or --set KEY=VALUE (at least one)"),
})


# Chinese help (hrcalc.clilang) for this command, and for `policy diff` of the same issue (cli.py).
register_help(
    commands={
        "compare": "在基准方案和备选方案下计算同一批记录和历史：按奖励项目、区县、年度和受奖主体汇总，"
                   "列出增加、减少的主体和变化最大的项（政策测算）。\n\n"
                   "退出码：0 已比较；1 数据有错误；2 用法错误（--set 的键或值有误、方案或文件无法读取）；3 内部错误。",
        "policy diff": "用文字说明两个方案在规则、数值、有效期和条款上的不同。\n\n"
                       "退出码：0 已比较（无论是否有不同）；2 文件无法读取或不是有效的方案。",
    },
    params={
        "compare:against": "备选方案文件；可重复，组成时间线。不加时，备选方案为基准方案加上 --set 的修改。",
        "compare:set_": "修改方案副本中的一个值：KEY=VALUE（KEY 为政策文件中该值的点分路径），"
                        "多个方案时写 PLAN_ID:KEY=VALUE；可重复。",
        "compare:output": "把比较工作簿写到这里（.xlsx）。",
        "compare:json_out": "把比较结果以 JSON 写到 FILE；用 - 则写到标准输出。",
        "policy diff:a": "第一个方案（.toml）。",
        "policy diff:b": "第二个方案（.toml）。",
    },
)


@app.command()
@handle_errors
def compare(
    input: InputArg,
    policy: PolicyOpt = None,
    against: Annotated[list[Path] | None, typer.Option(
        "--against", metavar="FILE", help="The alternative plan(s); repeat for a timeline. Without it, the "
        "alternative is the base with the --set edits.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Change one value of a copy of a plan: "
                                                   "KEY=VALUE (the dotted key of the value in the policy file), or "
                                                   "PLAN_ID:KEY=VALUE with several plans. Repeatable.",
                                                   metavar="KEY=VALUE")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the comparison workbook "
                                                "here (.xlsx).")] = None,
    json_out: Annotated[str | None, typer.Option("--json", help="Write the comparison as JSON to FILE, or - "
                                                 "for standard output.", metavar="FILE|-")] = None,
    year: YearOpt = None,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Compute without the rows that have "
                                               "errors; the result is marked incomplete.")] = False,
    lang: LangOpt = LangOption.zh,
    force: Annotated[bool, typer.Option("--force", help="Replace existing output files.")] = False,
    ledger: LedgerInOpt = None,
) -> None:
    """Compute the same records and history under the base plan(s) and an alternative; totals by award,
    district, year and payee, who gains and who loses, and the largest changes (政策测算).

    Exit codes: 0 compared; 1 the data has errors; 2 usage error (a bad --set key or value, an
    unreadable plan or file); 3 internal error.
    """
    from hrcalc import stdio
    from hrcalc.compare import run_compare
    from hrcalc.outputs import Outputs
    from hrcalc.policy.timeline import load_timeline
    from hrcalc.render import compare as show
    from hrcalc.render import console as con

    lg: Lang = lang.value
    sets = list(set_ or [])
    if not against and not sets:
        raise HrcalcError("cmp.need_alternative")
    json_path = None if json_out in (None, "-") else Path(json_out)
    outs = Outputs(force=force, inputs=(input,))  # as calculate: claimed first, replaced together at the end
    for target in (output, json_path):
        if target is not None:
            outs.claim(target)
    stdio.require_stdout()
    if against:
        base, base_changes = load_timeline(policy)
        alternative, alt_changes = load_timeline(against, sets)
    else:
        base, base_changes = load_timeline(policy)
        alternative, alt_changes = load_timeline(policy, sets)
    with outs:  # leaving it uncommitted removes every temporary file
        cmp = run_compare(input, base, alternative, base_changes=base_changes, alternative_changes=alt_changes,
                          skip_invalid=skip_invalid, year=year, ledger=ledger)
        if output is not None:
            from hrcalc.render.compare_xlsx import write_compare

            outs.stage(output, lambda tmp: write_compare(cmp, tmp, lg))
        if json_path is not None:
            text = show.render_json(cmp)

            def write_json(tmp: Path) -> None:
                tmp.write_text(text, encoding="utf-8", newline="\n")

            outs.stage(json_path, write_json)
        if json_out == "-":
            sys.stdout.write(show.render_json(cmp, ascii_only=not stdio.can_encode(sys.stdout)))
            sys.stdout.flush()
        console = con.make_console(sys.stderr if json_out == "-" else sys.stdout)
        show.render_terminal(cmp, console, lg)
        console.file.flush()
        written = outs.commit()
    for path in written:
        console.print(msg("cli.written", path=str(path)).render(lg))
