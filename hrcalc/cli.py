"""The command line: parse options, call the core, pick a renderer, map errors to exit codes.

Heavy modules (openpyxl, the engine, rich) are imported inside the commands, so `hrcalc --help`
starts as fast as Typer itself.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from hrcalc import __version__, interrupts, stdio
from hrcalc.clilang import HrcalcGroup
from hrcalc.errors import EXIT_INTERNAL, EXIT_MEMORY, EXIT_USAGE, DataError, HrcalcError
from hrcalc.i18n import Lang, msg, register

register({
    "cli.internal": ("hrcalc 内部错误（程序缺陷）：{error}。请将输入文件与此信息报告给维护者；"
                     "设置 HRCALC_DEBUG=1 可查看详细信息。",
                     "hrcalc internal error (a bug): {error}. Please report it with the input file; "
                     "set HRCALC_DEBUG=1 for details."),
    "cli.policy_error": ("政策文件有误：{error}", "The policy file is invalid: {error}"),
    "cli.written": ("已写入 {path}", "Wrote {path}"),
    "cli.interrupted": ("已中断（{signal}），未替换任何文件", "Interrupted ({signal}); no file was replaced"),
    "cli.no_memory": ("内存不足，未替换任何文件；请在内存更多的机器上运行，或分批计算",
                      "Not enough memory; no file was replaced. Run on a machine with more memory, "
                      "or in smaller batches"),
    "cli.no_year": ("{year} 年没有任何事项；有事项的年度：{years}", "No events in {year}; years with events: {years}"),
    "cli.wrote_nothing": ("未写入任何文件：请用 -o 写报告、--json 写 JSON 或 --public 写公示名单",
                          "Nothing was written: use -o for the report, --json for the JSON or --public for "
                          "the public list"),
    "cli.kind.JSON": ("JSON", "a JSON"),
    "cli.kind.Excel": ("Excel", "an Excel"),
    "cli.bad_suffix": ("{option} {path}：此处写入的是 {kind} 文件，文件名须以 {suffix} 结尾",
                       "{option} {path}: what is written there is {kind} file; the name must end in {suffix}"),
})

app = typer.Typer(
    name="hrcalc",
    help="Compute awards under Hefei's 2024 HR services industry plan (合肥市人力资源服务业奖励计算).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=HrcalcGroup,  # --help, usage errors and the --lang default in the run's language (hrcalc.clilang)
)


class LangOption(StrEnum):
    zh = "zh"
    en = "en"


InputArg = Annotated[Path, typer.Argument(help="The bureau's input workbook (.xlsx, .xls, .xlsb or .ods).",
                                          show_default=False)]
PolicyOpt = Annotated[list[Path] | None, typer.Option(
    "--policy", metavar="FILE", help="Use this policy file instead of the bundled plan (see `hrcalc policy "
    "export`); repeat it for a timeline of plans.")]
LangOpt = Annotated[LangOption, typer.Option("--lang", help="Language of messages and reports.")]
YearOpt = Annotated[int | None, typer.Option("--year", help="Show only this award year (every year is "
                                             "still computed, so figures never change).")]
LedgerInOpt = Annotated[Path | None, typer.Option("--ledger", envvar="HRCALC_LEDGER", metavar="DB",
                                                  help="Count the ledger's grants as history (prior_awards).")]

F = TypeVar("F", bound=Callable[..., Any])


def _err(text: str) -> None:
    """One line on standard error; nothing when standard error is closed or broken."""
    if sys.stderr is None:
        return
    with contextlib.suppress(Exception):
        sys.stderr.write(text.rstrip("\n") + "\n")
        sys.stderr.flush()


def _check_suffix(option: str, path: Path, suffix: str) -> None:
    """Refuse, before any work, an output named for another format than the one written to it."""
    if path.suffix.lower() != suffix:
        kind = {".json": "JSON", ".xlsx": "Excel"}[suffix]
        raise HrcalcError("cli.bad_suffix", option=option, path=str(path), suffix=suffix,
                          kind=msg(f"cli.kind.{kind}"))


def _lang(kwargs: dict[str, Any]) -> Lang:
    value = kwargs.get("lang")
    return "en" if value in (LangOption.en, "en") else "zh"


def handle_errors(func: F) -> F:
    """One place that turns every failure into a message and the documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = _lang(kwargs)
        from hrcalc.policy import PolicyError

        try:
            with warnings.catch_warnings():
                if os.environ.get("HRCALC_DEBUG") != "1":
                    # a library's warnings (openpyxl's about styles it skips) are noise to a clerk
                    warnings.simplefilter("ignore")
                value = func(*args, **kwargs)
            if sys.stdout is not None:
                sys.stdout.flush()  # a full standard output fails the command here, not unnoticed
            return value
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except interrupts.Interrupted as exc:
            _err(msg("cli.interrupted", signal=str(exc)).render(lang))
            raise typer.Exit(exc.exit_code) from None
        except MemoryError:
            _err(msg("cli.no_memory").render(lang))
            raise typer.Exit(EXIT_MEMORY) from None
        except DataError as exc:
            from hrcalc.render import console as con

            out = con.make_console(sys.stderr)
            if exc.issues:
                con.issues_table(exc.issues, out, lang)
            _err(exc.message.render(lang))
            raise typer.Exit(exc.exit_code) from None
        except HrcalcError as exc:
            _err(exc.message.render(lang))
            raise typer.Exit(exc.exit_code) from None
        except PolicyError as exc:
            _err(msg("cli.policy_error", error=str(exc)).render(lang))
            raise typer.Exit(EXIT_USAGE) from None
        except KeyboardInterrupt:
            _err(msg("cli.interrupted", signal="SIGINT").render(lang))
            raise typer.Exit(130) from None
        except Exception as exc:
            if os.environ.get("HRCALC_DEBUG") == "1":
                import traceback

                traceback.print_exc()
            detail = " ".join(str(exc).split())
            if len(detail) > 200:  # one short line, whatever the exception carries
                detail = detail[:199] + "…"
            _err(msg("cli.internal", error=f"{type(exc).__name__}: {detail}").render(lang))
            raise typer.Exit(EXIT_INTERNAL) from None

    return _signals_and_streams(wrapper)  # type: ignore[return-value]


def _signals_and_streams(func: F) -> F:
    """The command runs with SIGINT/SIGTERM/SIGHUP handled (hrcalc.interrupts) and standard
    output and error guarded (hrcalc.stdio); both are as before once it returns."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with interrupts.handled(), stdio.guarded():
                return func(*args, **kwargs)
        except interrupts.Interrupted as exc:  # one that came before handle_errors' own try
            _err(msg("cli.interrupted", signal=str(exc)).render(_lang(kwargs)))
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def _batch_memory() -> Iterator[None]:
    """No cyclic garbage collection while a batch runs.

    A large run allocates millions of small acyclic objects (records, steps, messages), and the
    collector re-scans them again and again: measured, it doubled the engine's time at 100,000
    placements. Reference counting still frees everything; the collector is back on afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # The run's objects move to the permanent generation: turning the collector back on must
        # not make its first pass walk all of them (measured: 4 s at 100,000 placements).
        gc.freeze()
        if was_enabled:
            gc.enable()


def _give_back_freed_memory() -> None:
    """Hand the C heap the reader has freed back to the system (glibc's public malloc_trim).

    python-calamine's sheets are freed once the records are read, but glibc keeps those pages,
    and Python's small objects, allocated in arenas of their own, never reuse them. Measured at
    100,000 placements: 42 MB less resident after the read, 20 MB less at the run's peak.
    Where the C library has no malloc_trim (macOS, Windows, musl) nothing is done.
    """
    try:
        import ctypes

        trim = ctypes.CDLL(None).malloc_trim
    except Exception:  # no such library or function: nothing to give back this way
        return
    trim(0)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hrcalc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Compute awards under Hefei's 2024 HR services industry plan (合肥市人力资源服务业奖励计算)."""


@app.command()
@handle_errors
def calculate(
    input: InputArg,
    year: YearOpt = None,
    policy: PolicyOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the report workbook here.")]
    = None,
    json_out: Annotated[str | None, typer.Option("--json", help="Write the JSON result to FILE, or - for "
                                                 "standard output.", metavar="FILE|-")] = None,
    public: Annotated[Path | None, typer.Option("--public", help="Write the public list (公示名单: who gets "
                                                "what, nothing about placements) here.", metavar="LIST.xlsx")]
    = None,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Compute without the rows that have "
                                               "errors; the result is marked incomplete.")] = False,
    lang: LangOpt = LangOption.zh,
    force: Annotated[bool, typer.Option("--force", help="Replace existing output files.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No terminal summary.")] = False,
    ledger: LedgerInOpt = None,
) -> None:
    """Compute every award in the workbook; print a summary, write JSON and a report.

    Exit codes: 0 computed (warnings allowed); 1 the data has errors (nothing written);
    2 usage error or a file that cannot be read or written; 3 internal error; 4 out of memory;
    130/143/129 interrupted (nothing replaced).
    """
    from datetime import datetime

    from hrcalc import api
    from hrcalc.outputs import Outputs
    from hrcalc.policy.timeline import load_timeline
    from hrcalc.render import console as con
    from hrcalc.render import jsonout

    lg: Lang = lang.value
    json_path = None if json_out in (None, "-") else Path(json_out)
    # Refuse bad targets before any work, so a long run never ends in "file exists".
    outs = Outputs(force=force, inputs=(input,))
    for target in (output, public, json_path):
        if target is not None:
            outs.claim(target)
    for option, target, suffix in (("--json", json_path, ".json"), ("-o", output, ".xlsx"),
                                   ("--public", public, ".xlsx")):
        if target is not None:
            _check_suffix(option, target, suffix)
    if json_out == "-" or not quiet:
        stdio.require_stdout()
    pol, _ = load_timeline(policy)
    # a bar on stderr, only for a large input on a terminal: the phases, then the report's rows
    with _batch_memory(), outs:  # leaving it uncommitted removes every temporary file
        with con.run_progress(input, lg) as progress:
            progress.phase("read")
            records = api.read(input, pol.reading_policy())
            _give_back_freed_memory()
            progress.phase("calculate")
            result = api.run(input, policy=pol, skip_invalid=skip_invalid, records=records, ledger=ledger)
            # The result holds all it needs (ids, amounts, sources); the records are freed now, so
            # the JSON and the report reuse their memory (100,000 placements: 40 MB less at the peak).
            del records
            if ledger is not None and not ledger.exists():
                _err(msg("ledger.no_file", path=str(ledger)).render(lg))
            if year is not None:
                result.shown_years = [year]
                if year not in result.years:
                    _err(msg("cli.no_year", year=year, years=", ".join(map(str, result.years)) or "-").render(lg))
            # Every file is staged complete before any is replaced (hrcalc.outputs).
            ran_at = datetime.now().replace(microsecond=0)  # one time on every page of every workbook
            if output is not None:
                from hrcalc.render import report

                progress.phase("write")
                outs.stage(output, lambda tmp: report.build_workbook(
                    result, tmp, lang=lg, now=ran_at, progress=progress.rows if progress.active else None))
            if public is not None:
                from hrcalc.render.public import build_public

                outs.stage(public, lambda tmp: build_public(result, tmp, lang=lg, now=ran_at))
        if json_path is not None:
            outs.stage(json_path, lambda tmp: jsonout.write_file(result, lg, tmp))
        # Standard output before the commit: if it is full, no file has been replaced yet.
        if json_out == "-":
            jsonout.write(result, lg, sys.stdout, ascii_only=not stdio.can_encode(sys.stdout))
            sys.stdout.flush()
        console = None
        if not quiet:
            console = con.make_console(sys.stderr if json_out == "-" else sys.stdout)
            if json_out is None and output is None and public is None:
                console.print(msg("cli.wrote_nothing").render(lg))
            con.summary(result, console, lg)
            from hrcalc.render import recon

            recon.mismatches(result, console, lg)
            console.file.flush()
        else:
            if not result.complete:
                # Even quiet, an incomplete result must not pass unnoticed.
                _err(msg("ui.incomplete", count=sum(1 for i in result.issues if i.severity == "error")).render(lg))
            if json_out is None and output is None and public is None:
                _err(msg("cli.wrote_nothing").render(lg))
        written = outs.commit()
    if console is not None:
        try:
            for path in written:
                console.print(msg("cli.written", path=str(path)).render(lg))
            console.file.flush()
        except HrcalcError as exc:  # standard output failed after the files were in place
            raise HrcalcError("out.stdout_after", done=", ".join(map(str, written)),
                              reason=exc.message.param("reason") or "-") from None
    _end_now()


@app.command()
@handle_errors
def validate(
    input: InputArg,
    policy: PolicyOpt = None,
    json_out: Annotated[str | None, typer.Option("--json", help="Write the issues as JSON to FILE, or - for "
                                                 "standard output.", metavar="FILE|-")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing JSON file.")] = False,
    lang: LangOpt = LangOption.zh,
) -> None:
    """List every problem in the workbook (errors, warnings, notes), every warning calculate would give.

    Exit codes: 0 no errors; 1 errors found; 2 the file cannot be read.
    """
    from hrcalc import api
    from hrcalc.errors import EXIT_DATA
    from hrcalc.outputs import check_target, write_text_atomic
    from hrcalc.policy.timeline import load_timeline
    from hrcalc.render import console as con
    from hrcalc.render import jsonout

    lg: Lang = lang.value
    json_path = None if json_out in (None, "-") else Path(json_out)
    if json_path is not None:
        check_target(json_path, force=force, inputs=(input,))
    pol, _ = load_timeline(policy)
    records = api.read(input, pol.reading_policy())
    issues = api.issues(input, records, pol)
    if json_out is not None:
        text = jsonout.dumps({"schema": "hrcalc.validate.v1", "issues": [jsonout.issue_dict(i, lg) for i in issues]})
        if json_path is not None:
            write_text_atomic(json_path, text, force=force, inputs=(input,))
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
    console = con.make_console(sys.stderr if json_out == "-" else None)
    if issues:
        con.issues_table(issues, console, lg)
    errors = records.errors
    if errors:
        console.print(msg("ui.errors", count=len(errors)).render(lg))
        raise typer.Exit(EXIT_DATA)
    count = sum(len(getattr(records, k)) for k in ("institutions", "revenue", "placements", "recognitions",
                                                   "parks", "prior_awards", "claims"))
    warnings = sum(1 for i in issues if i.severity == "warning")
    console.print(msg("ui.valid", records=count, warnings=warnings).render(lg))


@app.command()
@handle_errors
def explain(
    input: InputArg,
    payee: Annotated[str, typer.Argument(help="A credit code, an institution's or employer's exact name, "
                                         "or a district.", show_default=False)],
    year: YearOpt = None,
    policy: PolicyOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON.")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Compute without the rows that have "
                                               "errors; the result is marked incomplete.")] = False,
    lang: LangOpt = LangOption.zh,
    ledger: LedgerInOpt = None,
) -> None:
    """Explain one payee's awards: every test with its values, rate, cap, offset, rounding and clause.

    Records of the payee that earned nothing are listed with the reason. For a district: its park
    subsidies and the institutions registered there.
    Exit codes: 0 explained; 1 the data has errors, or PAYEE is unknown (the nearest names are
    suggested); 2 usage error or a file that cannot be read; 3 internal error.
    """
    from hrcalc import api
    from hrcalc.explain import explain as build
    from hrcalc.policy.timeline import load_timeline
    from hrcalc.render import console as con
    from hrcalc.render import explain as render

    lg: Lang = lang.value
    pol, _ = load_timeline(policy)
    with _batch_memory():
        records = api.read(input, pol.reading_policy())
        result = api.run(input, policy=pol, skip_invalid=skip_invalid, records=records, ledger=ledger)
    if year is not None:
        result.shown_years = [year]
    explanation = build(result, records, payee)
    if json_out:
        sys.stdout.write(render.render_json(explanation, result, lg))
        sys.stdout.flush()
        return
    console = con.make_console()
    con.banners(result, console, lg)
    render.render_tree(explanation, result, console, lg)


@app.command()
@handle_errors
def template(
    out: Annotated[Path, typer.Argument(help="Where to write the blank input workbook (.xlsx).",
                                        show_default=False)],
    lang: LangOpt = LangOption.zh,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    policy: PolicyOpt = None,
) -> None:
    """Write a blank input workbook for clerks: every sheet and column, dropdowns, formats and a guide sheet.

    Exit codes: 0 written; 2 the file exists (without --force) or cannot be written; 3 internal error.
    """
    from hrcalc.outputs import check_target
    from hrcalc.policy.timeline import load_timeline
    from hrcalc.read.template import write_template

    check_target(out, force=force)  # what the path is (a FIFO, a folder) before what it is called
    _check_suffix("OUT", out, ".xlsx")
    write_template(out, policy=load_timeline(policy)[0].reading_policy(), lang=lang.value, force=force)
    typer.echo(msg("cli.written", path=str(out)).render(lang.value))


_END_AFTER_COMMAND = False
"""Set by main(), the `hrcalc` command: the process ends when the command does (not so for a
library call or a test through CliRunner, where it must return)."""


def _end_now() -> None:
    """After a successful calculate: end the process as a normal exit would, without freeing the
    run's millions of objects one by one first (0.3 s at 100,000 placements, for nothing: the
    process is ending). Output is flushed and exit handlers run first; exit code 0."""
    if not _END_AFTER_COMMAND:
        return
    import atexit

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (| head), a closed stream: as Python would
            return
    atexit._run_exitfuncs()
    os._exit(0)


def main() -> None:
    """The `hrcalc` command (and `python -m hrcalc`)."""
    global _END_AFTER_COMMAND
    _END_AFTER_COMMAND = True
    stdio.fill_closed_descriptors()
    app(prog_name="hrcalc")


# The ledger's commands and `diff` live in their own module, which uses handle_errors from above.
from hrcalc.cli_ledger import diff_command, ledger_app  # noqa: E402

app.add_typer(ledger_app, name="ledger")
app.command("diff")(diff_command)

from hrcalc import compare_cli as _compare_cli  # noqa: E402,F401  registers `hrcalc compare` on app
from hrcalc.cli_policy import policy_app  # noqa: E402  `hrcalc policy show|diff|export`

app.add_typer(policy_app, name="policy")
