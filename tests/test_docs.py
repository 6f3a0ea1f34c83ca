"""docs/ checked against the code, so that neither can drift from the other without a failing test.

Spec: docs/README.md and every page it lists. Each check names the page and what is missing there:
a sheet or column of the reader's schema (docs/input.md), an award, recognition kind, park level or
tier of the bundled policy, a command or option of the Typer app or an exit code (docs/commands.md),
a key the JSON outputs write for the sample (docs/json.md), a worked case no test runs
(docs/examples.md), a relative link that leads nowhere.
"""

from __future__ import annotations

import importlib
import json
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer.main

from hrcalc import errors
from hrcalc.cli import app
from hrcalc.policy import Policy
from hrcalc.records import PARK_LEVELS, RECOGNITION_KINDS, PayeeType, Severity
from hrcalc.result import ReconKind, StepKind
from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SAMPLE = ROOT / "sample_data" / "hefei-hr-2025.xlsx"
PAGES = ("README.md", "input.md", "rulings.md", "examples.md", "commands.md", "json.md")


def _schema() -> ModuleType:
    """The reader's schema module, wherever the reader keeps it (hrcalc/read/ or hrcalc/)."""
    for name in ("hrcalc.read.schema", "hrcalc.schema"):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name not in (name, name.rsplit(".", 1)[0]):
                raise  # the module exists but something it imports does not
    raise AssertionError("no schema module: neither hrcalc.read.schema nor hrcalc.schema")


def _page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _sections(text: str, level: int) -> dict[str, str]:
    """Heading text → its body (deeper headings included) for every heading of exactly `level`."""
    out: dict[str, str] = {}
    heading: str | None = None
    body: list[str] = []
    fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        m = None if fence else re.match(r"(#+) (.*)", line)
        if m and len(m.group(1)) <= level:
            if heading is not None:
                out[heading] = "\n".join(body)
            heading = m.group(2).strip() if len(m.group(1)) == level else None
            body = []
        elif heading is not None:
            body.append(line)
    if heading is not None:
        out[heading] = "\n".join(body)
    return out


def _section(page: str, level: int, heading: str) -> str:
    sections = _sections(_page(page), level)
    assert heading in sections, f"docs/{page} has no section {'#' * level} {heading}"
    return sections[heading]


def _rows(text: str) -> list[list[str]]:
    """The cells of every table row in `text` (header and separator rows included)."""
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            for line in text.splitlines() if line.lstrip().startswith("|")]


def _mentions(text: str, word: str) -> bool:
    """`word` as code (`word`, `word …`) or as a JSON key ("word")."""
    return bool(re.search(re.escape("`" + word) + r"(?![\w-])", text)) or f'"{word}"' in text


# ---- the input workbook ------------------------------------------------------------------------

def test_every_sheet_and_column_is_in_input_md() -> None:
    """Each sheet has a section `### <id> / <中文>`; each column a row: `en` | `中文` | required | kind."""
    missing = []
    for sheet in _schema().SHEETS:
        heading = f"{sheet.name_en} / {sheet.name_zh}"
        sections = _sections(_page("input.md"), 3)
        if heading not in sections:
            missing.append(f"section ### {heading}")
            continue
        rows = _rows(sections[heading])
        for col in sheet.columns:
            row = next((r for r in rows if len(r) >= 4 and r[0] == f"`{col.en}`" and r[1] == f"`{col.zh}`"), None)
            if row is None:
                missing.append(f"{sheet.id}: a row `{col.en}` | `{col.zh}`")
                continue
            if (row[2] == "yes") != col.required:
                missing.append(f"{sheet.id}.{col.field}: required is {col.required}, the page says {row[2]!r}")
            if row[3] != col.kind:
                missing.append(f"{sheet.id}.{col.field}: kind is {col.kind}, the page says {row[3]!r}")
    assert not missing, "docs/input.md does not match the schema:\n" + "\n".join(missing)


def test_every_kind_of_cell_is_explained() -> None:
    kinds = {row[0] for row in _rows(_section("input.md", 2, "Cell values"))}
    absent = sorted(set(typing.get_args(_schema().Kind)) - kinds)
    assert not absent, f"docs/input.md's 'Cell values' table lacks the kinds {absent}"


def _table_has(rows: list[list[str]], ident: str, name_zh: str) -> bool:
    """A row naming `ident` (as code) and, in another cell, its Chinese name."""
    return any(f"`{ident}`" in cells and any(name_zh in c for c in cells if c != f"`{ident}`") for cells in rows)


def test_every_id_of_the_bundled_policy_is_documented(bundled: Policy) -> None:
    """Awards, recognition kinds, park levels and tiers: each id beside its Chinese name in input.md's
    tables; each award and clause in rulings.md."""
    schema = _schema()
    tables = {h: _rows(_section("input.md", 3, h)) for h in ("Recognition kinds", "Park levels", "Award ids",
                                                             "Tier ids")}
    wanted = [("Award ids", award_id, rule.name_zh) for award_id, rule in bundled.awards.items()]
    wanted += [("Recognition kinds", kind, schema.RECOGNITION_KIND_NAMES_ZH[kind]) for kind in RECOGNITION_KINDS]
    wanted += [("Park levels", level, schema.PARK_LEVEL_NAMES_ZH[level]) for level in PARK_LEVELS]
    wanted += [("Tier ids", tier_id, name_zh) for tier_id, name_zh in bundled.tier_names().items()]
    missing = [f"docs/input.md, {table}: `{ident}` with {name_zh}" for table, ident, name_zh in wanted
               if not _table_has(tables[table], ident, name_zh)]
    awards = _rows(_section("rulings.md", 2, "The awards"))
    missing += [f"docs/rulings.md, The awards: `{award_id}` with {rule.name_zh}"
                for award_id, rule in bundled.awards.items() if not _table_has(awards, award_id, rule.name_zh)]
    rulings_md = _page("rulings.md")
    not_computable = {part.strip() for n in bundled.not_computable for part in n.clause.split(",")}
    missing += [f"docs/rulings.md: clause {clause}" for clause in
                sorted({rule.clause for rule in bundled.awards.values()} | not_computable) if clause not in rulings_md]
    assert not missing, "ids of the bundled policy the docs leave out:\n" + "\n".join(missing)


# ---- commands and exit codes -------------------------------------------------------------------

def _commands() -> Iterator[tuple[str, Any]]:
    """(path, command) of every command of the Typer app that runs something (groups are walked)."""
    def walk(cmd: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                if not getattr(sub, "hidden", False):
                    yield from walk(sub, [*path, name])
        else:
            yield " ".join(path), cmd

    yield from walk(typer.main.get_command(app), [])


def _options(cmd: Any) -> list[list[str]]:
    return [list(p.opts) + list(p.secondary_opts) for p in cmd.params
            if p.param_type_name == "option" and not getattr(p, "hidden", False)]


def test_the_walk_finds_every_command() -> None:
    """The walk itself: if it found nothing, every check below would pass on an empty list."""
    paths = {path for path, _ in _commands()}
    assert {"calculate", "explain", "validate", "template", "policy show", "policy export"} <= paths


def test_every_command_and_option_is_in_commands_md() -> None:
    """Each command has a section `### hrcalc <command>` naming each of its options."""
    sections = _sections(_page("commands.md"), 3)
    missing = []
    for path, cmd in _commands():
        heading = f"hrcalc {path}"
        if heading not in sections:
            missing.append(f"section ### {heading}")
            continue
        for names in _options(cmd):
            if not any(_mentions(sections[heading], n) for n in names if n.startswith("--")):
                missing.append(f"{heading}: option {'/'.join(names)}")
    root = typer.main.get_command(app)
    for names in _options(root):
        if not any(_mentions(_page("commands.md"), n) for n in names):
            missing.append(f"hrcalc: option {'/'.join(names)}")
    assert not missing, "docs/commands.md leaves out:\n" + "\n".join(missing)


def test_every_exit_code_is_in_commands_md() -> None:
    table = _rows(_section("commands.md", 2, "Exit codes"))
    documented = {int(row[0].strip("`")) for row in table if row and row[0].strip("`").isdigit()}
    constants = {name: value for name, value in vars(errors).items()
                 if name.startswith("EXIT_") and isinstance(value, int)}
    assert constants, "hrcalc/errors.py defines no EXIT_ constants"
    missing = {name: value for name, value in constants.items() if value not in documented}
    assert not missing, f"docs/commands.md's exit-code table lacks {missing}"
    # and the contract's codes, whether or not a constant names them yet
    assert {0, 1, 2, 3, 4, 129, 130, 143} <= documented


# ---- JSON --------------------------------------------------------------------------------------

MAPS = frozenset({"by_award", "by_district", "by_year"})
"""Objects whose keys are data (award ids, districts, years), not part of the schema."""


def _keys(obj: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(key, where) of every object key in a JSON document, except the keys of MAPS objects."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if path.rsplit(".", 1)[-1] in MAPS:
                yield from _keys(value, f"{path}.*")
            else:
                yield key, f"{path}.{key}".lstrip(".")
                yield from _keys(value, f"{path}.{key}")
    elif isinstance(obj, list):
        for item in obj:
            yield from _keys(item, f"{path}[]")


def _has_command(path: str) -> Any:
    return dict(_commands()).get(path)


def _has_option(path: str, option: str) -> bool:
    cmd = _has_command(path)
    return cmd is not None and any(option in names for names in _options(cmd))


def _json(invoke: Invoke, *args: str | Path) -> Any:
    res = invoke(*args)
    assert res.exit_code == 0, f"hrcalc {' '.join(map(str, args))} exited {res.exit_code}: {res.output}"
    return json.loads(res.stdout)


def _documents(invoke: Invoke, producer: str, tmp: Path) -> list[Any]:
    """The JSON documents one producer writes on the sample (pytest.skip while it does not exist)."""
    if producer == "result":
        return [_json(invoke, "calculate", SAMPLE, "--json", "-", "-q")]
    if producer == "explain":
        # an institution with an annual-cap cut and claims, and a district with its institutions
        return [_json(invoke, "explain", SAMPLE, who, "--json") for who in ("91340100MAJ1GTEDCC", "高新区")]
    if producer == "validate":
        if not _has_option("validate", "--json"):
            pytest.skip("validate has no --json yet")
        return [_json(invoke, "validate", SAMPLE, "--json", "-")]
    if producer == "compare":
        if _has_command("compare") is None:
            pytest.skip("no compare command yet")
        return [_json(invoke, "compare", SAMPLE, "--set", "awards.employer_subsidy.cap=250000", "--json", "-")]
    if producer == "diff":
        if _has_command("diff") is None:
            pytest.skip("no diff command yet")
        (tmp / "new.toml").write_text(_page_of_policy().replace('cap = "200000"', 'cap = "250000"'), "utf-8")
        old, new = tmp / "old.json", tmp / "new.json"
        for out, extra in ((old, ()), (new, ("--policy", tmp / "new.toml"))):
            assert invoke("calculate", SAMPLE, "--json", out, "-q", *extra).exit_code == 0
        return [_json(invoke, "diff", old, new, "--json", "-")]
    if producer in ("ledger show", "ledger runs"):
        if _has_command(producer) is None or _has_command("ledger commit") is None:
            pytest.skip(f"no {producer} command yet")
        db, result = tmp / "ledger.db", tmp / "result.json"
        assert invoke("calculate", SAMPLE, "--ledger", db, "--json", result, "-q").exit_code == 0
        res = invoke("ledger", "commit", result, "--ledger", db, "--by", "docs test")
        assert res.exit_code == 0, res.output
        return [_json(invoke, *producer.split(), "--ledger", db, "--json", "-")]
    raise AssertionError(producer)


def _page_of_policy() -> str:
    from hrcalc.policy import bundled_policy_path

    return bundled_policy_path().read_text(encoding="utf-8")


PRODUCERS = {
    "result": "hrcalc.result.v1",
    "explain": "hrcalc.explain.v1",
    "validate": "hrcalc.validate.v1",
    "compare": "hrcalc.compare.v1",
    "diff": "hrcalc.diff.v1",
    "ledger show": "ledger show --json",
    "ledger runs": "ledger runs --json",
}
"""Each JSON output → the heading of its section in docs/json.md."""


@pytest.mark.parametrize("producer", list(PRODUCERS))
def test_every_json_key_is_in_json_md(producer: str, invoke: Invoke, tmp_path: Path) -> None:
    section = _section("json.md", 2, PRODUCERS[producer])
    docs = _documents(invoke, producer, tmp_path)
    found = {key: where for doc in docs for key, where in _keys(doc)}
    assert "schema" in found or producer.startswith("ledger"), "the walk found no schema key"
    missing = sorted(f"{key} (at {where})" for key, where in found.items() if not _mentions(section, key))
    assert not missing, f"docs/json.md's section '{PRODUCERS[producer]}' does not mention:\n" + "\n".join(missing)


def test_the_json_vocabularies_are_documented() -> None:
    """The values scripts switch on: severities, payee types, step kinds, reconciliation kinds."""
    json_md, rulings_md = _page("json.md"), _page("rulings.md")
    wanted = [(json_md, "json.md", v) for t in (Severity, PayeeType, StepKind) for v in typing.get_args(t)]
    wanted += [(page, name, v) for v in typing.get_args(ReconKind)
               for page, name in ((json_md, "json.md"), (rulings_md, "rulings.md"))]
    missing = [f"docs/{name}: `{v}`" for text, name, v in wanted if not _mentions(text, v)]
    assert not missing, "values the docs leave out:\n" + "\n".join(missing)


def test_every_flag_on_the_samples_lines_is_explained(invoke: Invoke) -> None:
    doc = _json(invoke, "calculate", SAMPLE, "--json", "-", "-q")
    flags = {f for p in doc["payees"] for line in p["awards"] for f in line["flags"]}
    assert flags, "the sample's lines carry no flags: the check would prove nothing"
    table = {row[0].strip("`") for row in _rows(_section("rulings.md", 2, "Line flags and notes"))}
    assert not flags - table, f"docs/rulings.md's flag table lacks {sorted(flags - table)}"


# ---- worked examples ---------------------------------------------------------------------------

PENDING = frozenset({"T1", "T2", "T3", "T4", "T5", "L1", "L2", "L3", "L4", "C1"})
"""Cases of features being built (plans over time, the ledger, compare): not yet cited by a test."""


def test_every_worked_case_is_run_by_a_test() -> None:
    cases = [row[0] for row in _rows(_page("examples.md")) if row and re.fullmatch(r"[A-Z]\d+", row[0])]
    assert len(cases) >= 28, cases
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py")
                      if p.name != "test_docs.py")
    uncited = [c for c in cases if c not in PENDING and not re.search(rf"[\"']{c}[\"'-]", tests)]
    assert not uncited, f"docs/examples.md's cases no test runs (by id, e.g. Case(\"H1\", …)): {uncited}"


# ---- links -------------------------------------------------------------------------------------

def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces → hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(m.group(1)) for m in re.finditer(r"^#+ (.*)$", text, flags=re.M)}


def test_relative_links_resolve() -> None:
    pages = [DOCS / name for name in PAGES] + [ROOT / "README.md"]
    broken = []
    for page in pages:
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            dest = (page.parent / file).resolve() if file else page
            if not dest.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "links that lead nowhere:\n" + "\n".join(broken)


def test_every_page_is_reachable() -> None:
    assert "](docs/README.md)" in (ROOT / "README.md").read_text(encoding="utf-8"), "README.md must link docs/"
    index = _page("README.md")
    assert sorted(p.name for p in DOCS.glob("*.md")) == sorted(PAGES), "a page in docs/ is not in PAGES"
    unlisted = [name for name in PAGES[1:] if f"]({name})" not in index]
    assert not unlisted, f"docs/README.md does not link {unlisted}"


def test_the_tests_cite_pages_that_exist() -> None:
    cited = {m.group(1) for p in (ROOT / "tests").glob("test_*.py")
             for m in re.finditer(r"Spec: (docs/[\w./-]+\.md)", p.read_text(encoding="utf-8"))}
    assert {"docs/examples.md", "docs/commands.md"} <= cited, cited
    assert all((ROOT / c).exists() for c in cited), [c for c in cited if not (ROOT / c).exists()]
