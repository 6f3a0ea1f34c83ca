"""The `ledger` commands and `hrcalc diff`: each opens the core, calls one function and renders."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from hrcalc.cli import LangOpt, LangOption, handle_errors
from hrcalc.clilang import register_help
from hrcalc.errors import EXIT_DATA, UsageError
from hrcalc.i18n import Lang, msg, register

register({
    "ledger.need_path": ("请用 --ledger 或环境变量 HRCALC_LEDGER 指定账本文件",
                         "Name the ledger with --ledger or the HRCALC_LEDGER environment variable"),
})

COMMAND_HELP_ZH = {
    "ledger": "奖励账本：登记一次计算的兑现记录，查看、校验、撤销、导出。",
    "ledger commit": "把计算结果中金额大于 0 的各行登记为已兑现：一个事务完成；结果须基于账本当前的账本头计算。\n\n"
                     "退出码：0 已登记；2 拒绝登记（结果被修改、用了 --year、结果不完整、账本已变动、已登记过、"
                     "暂缓文件的行对不上任何奖励行）或文件无法读取、写入。",
    "ledger show": "按受奖主体、年度和奖励项目列出兑现记录，及其账本记录、状态（已兑现、暂缓、已撤销）和清单。",
    "ledger runs": "每次登记或撤销一条，从旧到新：经办人、时间、输入文件、兑现条数、账本头。",
    "ledger verify": "重新计算哈希链，指出第一条不符的记录。\n\n"
                     "退出码：0 哈希链完整；1 有不符（指明记录）；2 不是账本。",
    "ledger revoke": "以一条新记录收回某次登记的全部兑现（从最新的开始撤销）；其奖励可重新计算发放。\n\n"
                     "退出码：0 已撤销；2 拒绝（无此记录、是撤销记录、已撤销过、其后还有未撤销的登记）或不是账本。",
    "ledger export": "把未撤销的兑现记录写成历史兑现表（prior_awards），calculate 读回即为同样的历史。",
    "diff": "逐行比较两次计算结果（受奖主体、奖励项目、关联记录、年度）的差异及原因。\n\n"
            "每行说明输入文件、政策、历史（账本头）或该行说明是否改变。"
            "退出码：0 已比较；2 文件不是计算结果或无法读取。",
}
"""Chinese help for these commands (hrcalc.clilang.register_help, when the CLI speaks Chinese)."""

PARAM_HELP_ZH = {
    "ledger": "账本文件（SQLite）。",
    "calculate:ledger": "把账本中的兑现记录计入历史（历史兑现）。",
    "explain:ledger": "把账本中的兑现记录计入历史（历史兑现）。",
    "ledger commit:result": "calculate --ledger DB --json 写出的 JSON 结果。",
    "ledger commit:by": "经办人姓名（同时记录操作系统用户）。",
    "ledger commit:note": "随本次登记保存的说明。",
    "ledger commit:withhold": "暂缓兑现的行（.csv 或 .xlsx：受奖主体、奖励项目、关联记录、年度、原因）。",
    "ledger commit:allow_incomplete": "允许登记以 --skip-invalid 计算的结果。",
    "ledger show:payee": "只看这一受奖主体（统一社会信用代码或区域）。",
    "ledger show:json_out": "把 JSON 写到 FILE；用 - 则写到标准输出。",
    "ledger runs:json_out": "把 JSON 写到 FILE；用 - 则写到标准输出。",
    "ledger revoke:run": "要撤销的登记（见 ledger runs）。",
    "ledger revoke:by": "经办人姓名（同时记录操作系统用户）。",
    "ledger revoke:why": "撤销原因。",
    "ledger export:out": "历史兑现工作簿的写出位置（.xlsx）。",
    "diff:old": "较早的 JSON 结果。",
    "diff:new": "较晚的 JSON 结果。",
    "diff:json_out": "把差异以 JSON 写到 FILE；用 - 则写到标准输出。",
}
"""Chinese help for these commands' parameters, keyed as hrcalc.clilang.PARAM_HELP_ZH is."""
register_help(COMMAND_HELP_ZH, PARAM_HELP_ZH)

ledger_app = typer.Typer(help="The award ledger: commit a run's grants, show them, verify, revoke, export.",
                         no_args_is_help=True, rich_markup_mode=None)

LedgerOpt = Annotated[Path | None, typer.Option("--ledger", envvar="HRCALC_LEDGER", show_envvar=True,
                                                help="The ledger file (SQLite).", metavar="DB")]
JsonOpt = Annotated[str | None, typer.Option("--json", help="Write JSON to FILE, or - for standard output.",
                                             metavar="FILE|-")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing output file.")]
ByOpt = Annotated[str, typer.Option("--by", help="Who commits (the clerk's name); the OS user is recorded too.",
                                    show_default=False)]


def _need(ledger: Path | None) -> Path:
    if ledger is None:
        raise UsageError("ledger.need_path")
    return ledger


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _names(lang: Lang) -> dict[str, str]:
    """Award names of the bundled plan, for people; ids stay the key."""
    from hrcalc.policy import load_policy

    return {aid: (r.name_zh if lang == "zh" else r.name_en) for aid, r in load_policy().awards.items()}


def _emit_json(text: str, target: str, force: bool) -> None:
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from hrcalc.outputs import write_text_atomic

    write_text_atomic(Path(target), text, force=force)


@ledger_app.command("commit")
@handle_errors
def commit(
    result: Annotated[Path, typer.Argument(help="The JSON result of `calculate --ledger DB --json`.",
                                           show_default=False)],
    by: ByOpt,
    ledger: LedgerOpt = None,
    note: Annotated[str, typer.Option("--note", help="A free-text note kept with the run.")] = "",
    withhold: Annotated[Path | None, typer.Option("--withhold", help="A .csv or .xlsx of lines not granted now "
                                                  "(payee_id, award, record_id, year, reason).",
                                                  metavar="FILE")] = None,
    allow_incomplete: Annotated[bool, typer.Option("--allow-incomplete", help="Commit a result computed with "
                                                   "--skip-invalid.")] = False,
    lang: LangOpt = LangOption.zh,
) -> None:
    """Record a result's payable lines as grants: one transaction, refused unless it saw the current head.

    Exit codes: 0 committed; 2 refused (edited, --year, incomplete, the ledger has moved, already
    committed, a withhold row matching no line) or a file that cannot be read or written.
    """
    from hrcalc.ledger.store import commit as do_commit
    from hrcalc.ledger.store import load_result
    from hrcalc.ledger.withhold import read_withhold
    from hrcalc.render import console as con
    from hrcalc.render.ledger import short

    lg: Lang = lang.value
    path = _need(ledger)
    doc = load_result(result)
    rows = []
    if withhold is not None:
        from hrcalc.policy import load_policy

        names: dict[str, str] = {}
        for aid, rule in load_policy().awards.items():
            names.update({aid: aid, rule.name_zh: aid, rule.name_en.lower(): aid})
        rows = read_withhold(withhold, names)
    entry = do_commit(path, doc, by=by, note=note, os_user=_os_user(), at=_now(), withhold=rows,
                      allow_incomplete=allow_incomplete)
    con.make_console().print(msg("lg.committed", run=entry.run, grants=entry.grants, total=entry.total,
                                 withheld=entry.withheld, head=short(entry.head)).render(lg))


@ledger_app.command("show")
@handle_errors
def show(
    payee: Annotated[str | None, typer.Argument(help="Only this payee (credit code or district).")] = None,
    ledger: LedgerOpt = None,
    json_out: JsonOpt = None,
    force: ForceOpt = False,
    lang: LangOpt = LangOption.zh,
) -> None:
    """Grants by payee, year and award, with their run, status (granted, withheld, revoked) and manifest."""
    from hrcalc.ledger import query
    from hrcalc.ledger.schema import open_read
    from hrcalc.render import console as con
    from hrcalc.render import ledger as render

    lg: Lang = lang.value
    path = _need(ledger)
    wanted = None if payee is None else [payee.strip(), payee.strip().upper()]
    with open_read(path) as conn:
        rows = query.lines(conn, wanted)
        manifests = query.manifests(conn)
    rows.sort(key=lambda g: (g.payee_id, g.year, g.award, g.record_id, g.run))
    if json_out is not None:
        doc = {"schema": "hrcalc.ledger.show.v1", "ledger": str(path),
               "grants": [render.grant_dict(g, manifests.get(g.run, {})) for g in rows]}
        _emit_json(render.dumps(doc), json_out, force)
        if json_out == "-":
            return
    render.grants_table(rows, con.make_console(sys.stderr if json_out == "-" else None), lg, _names(lg))


@ledger_app.command("runs")
@handle_errors
def runs(ledger: LedgerOpt = None, json_out: JsonOpt = None, force: ForceOpt = False,
         lang: LangOpt = LangOption.zh) -> None:
    """One entry per run or revoke, oldest first: who, when, which input, how many grants, the head."""
    from hrcalc.ledger import query
    from hrcalc.ledger.schema import open_read
    from hrcalc.render import console as con
    from hrcalc.render import ledger as render

    path = _need(ledger)
    with open_read(path) as conn:
        found = query.entries(conn)
    if json_out is not None:
        _emit_json(render.dumps({"schema": "hrcalc.ledger.runs.v1", "runs": found}), json_out, force)
        return
    render.runs_table(found, con.make_console(), lang.value)


@ledger_app.command("verify")
@handle_errors
def verify(ledger: LedgerOpt = None, lang: LangOpt = LangOption.zh) -> None:
    """Recompute the hash chain and name the first entry that does not match.

    Exit codes: 0 the chain holds; 1 a mismatch (the entry is named); 2 not a ledger.
    """
    from hrcalc.ledger.chain import verify as check
    from hrcalc.ledger.schema import open_read
    from hrcalc.ledger.store import head_of
    from hrcalc.render.ledger import short

    lg: Lang = lang.value
    path = _need(ledger)
    with open_read(path) as conn:
        count, broken = check(conn)
        head = head_of(conn)
    if broken is not None:
        sys.stderr.write(msg("lg.broken", run=broken.run or "-", reason=msg(broken.reason)).render(lg) + "\n")
        raise typer.Exit(EXIT_DATA)
    typer.echo(msg("lg.verified", count=count, head=short(None if head is None else head[1])).render(lg))


@ledger_app.command("revoke")
@handle_errors
def revoke(
    run: Annotated[str, typer.Argument(help="The run to take back (see `ledger runs`).", show_default=False)],
    by: ByOpt,
    why: Annotated[str, typer.Option("--why", help="Why the run is revoked.", show_default=False)],
    ledger: LedgerOpt = None,
    lang: LangOpt = LangOption.zh,
) -> None:
    """Take a run's grants back as a new entry (newest run first); its awards become payable again.

    Exit codes: 0 revoked; 2 refused (no such run, a revoke, already revoked, a later run not yet
    revoked) or not a ledger.
    """
    from hrcalc.ledger.store import revoke as do_revoke
    from hrcalc.render.ledger import short

    entry = do_revoke(_need(ledger), run.strip(), by=by, why=why, os_user=_os_user(), at=_now())
    typer.echo(msg("lg.revoked", target=run, run=entry.run, grants=entry.grants,
                   head=short(entry.head)).render(lang.value))


@ledger_app.command("export")
@handle_errors
def export(
    out: Annotated[Path, typer.Argument(help="Where to write the prior_awards workbook (.xlsx).",
                                        show_default=False)],
    ledger: LedgerOpt = None,
    force: ForceOpt = False,
    lang: LangOpt = LangOption.zh,
) -> None:
    """Write the unrevoked grants as a prior_awards sheet that `calculate` reads back as the same history."""
    from hrcalc.ledger import query
    from hrcalc.ledger.export import write_prior_awards
    from hrcalc.ledger.schema import open_read
    from hrcalc.outputs import write_atomic

    lg: Lang = lang.value
    path = _need(ledger)
    with open_read(path) as conn:
        grants = [g for g in query.lines(conn) if g.status == "granted"]
    grants.sort(key=lambda g: (g.payee_id, g.year, g.award, g.record_id))
    write_atomic(out, lambda tmp: write_prior_awards(tmp, grants, lg), force=force, inputs=(path,))
    typer.echo(msg("lg.exported", count=len(grants), path=str(out)).render(lg))


@handle_errors
def diff_command(
    old: Annotated[Path, typer.Argument(help="The earlier JSON result.", show_default=False)],
    new: Annotated[Path, typer.Argument(help="The later JSON result.", show_default=False)],
    json_out: JsonOpt = None,
    force: ForceOpt = False,
    lang: LangOpt = LangOption.zh,
) -> None:
    """What changed between two results, line by line (payee, award, record, year), and why.

    Each line says whether the input, the plan, the history (ledger head) or its own notes changed.
    Exit codes: 0 compared; 2 a file that is not a result or cannot be read.
    """
    from hrcalc import diff as core
    from hrcalc.render import console as con
    from hrcalc.render import ledger as render

    lg: Lang = lang.value
    doc = core.diff(core.load(old), core.load(new), old, new)
    if json_out is not None:
        _emit_json(render.dumps(doc), json_out, force)
    render.diff_table(doc, con.make_console(sys.stderr if json_out == "-" else None), lg, _names(lg))
