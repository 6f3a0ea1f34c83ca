"""`hrcalc policy show|diff|export`: the rules of one plan or a timeline, two plans compared, an editable copy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hrcalc.cli import LangOpt, LangOption, PolicyOpt, handle_errors
from hrcalc.i18n import msg

policy_app = typer.Typer(help="Show or export the policy: amounts, rates, caps, clauses.",
                         no_args_is_help=True, rich_markup_mode=None)


@policy_app.command("show")
@handle_errors
def policy_show(policy: PolicyOpt = None, lang: LangOpt = LangOption.zh) -> None:
    """Print every award rule with its amounts, caps and clause, and the clauses that state no amount.

    With several --policy files (or dated values): the timeline, and what changes at each boundary."""
    from hrcalc.policy.timeline import load_timeline
    from hrcalc.render import console as con
    from hrcalc.render import plans as show_plans

    tl, _ = load_timeline(policy)
    console = con.make_console()
    for plan in tl.plans:
        con.policy_tables(plan, console, lang.value)
    if len(tl.units) > 1:
        show_plans.timeline(tl, console, lang.value)


@policy_app.command("diff")
@handle_errors
def policy_diff(
    a: Annotated[Path, typer.Argument(help="The first plan (.toml).", show_default=False)],
    b: Annotated[Path, typer.Argument(help="The second plan (.toml).", show_default=False)],
    lang: LangOpt = LangOption.zh,
) -> None:
    """Say which rules, values, windows and clauses differ between two plans.

    Exit codes: 0 compared (whether or not they differ); 2 a file cannot be read or is not a valid plan."""
    from hrcalc.policy import load_policy
    from hrcalc.render import console as con
    from hrcalc.render import plans as show_plans

    show_plans.policy_diff(load_policy(a), load_policy(b), con.make_console(), lang.value)


@policy_app.command("export")
@handle_errors
def policy_export(
    out: Annotated[Path, typer.Argument(help="Where to write the editable policy file (.toml).")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    lang: LangOpt = LangOption.zh,
) -> None:
    """Write the bundled policy as an editable TOML file that --policy reads back."""
    from hrcalc.outputs import write_text_atomic
    from hrcalc.policy import bundled_policy_path

    write_text_atomic(out, bundled_policy_path().read_text(encoding="utf-8"), force=force)
    typer.echo(msg("cli.written", path=str(out)).render(lang.value))
