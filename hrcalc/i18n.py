"""Messages in Chinese (default) and English: a key, its parameters, rendered late.

Modules register their own message tables with `register`, so a note recorded by the engine
can be shown in either language by any renderer. Templates use str.format fields; two extra
format specs exist: `{x:money}` (1,234.50) and `{x:rate}` (40%). A template is compiled once per
language: those two specs become conversions of the value, and the C str.format does the rest
(a million step texts at 100,000 placements).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from string import Formatter
from typing import Any, Literal, NamedTuple

from hrcalc.money import show_money, show_rate

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

_CATALOG: dict[str, tuple[str, str]] = {}


def register(table: Mapping[str, tuple[str, str]]) -> None:
    """Add (zh, en) templates; a key registered twice with other text is a bug."""
    for key, texts in table.items():
        if key in _CATALOG and _CATALOG[key] != texts:
            raise RuntimeError(f"message key {key!r} registered twice with different text")
        _CATALOG[key] = texts
        for compiled in _COMPILED.values():
            compiled.pop(key, None)


def set_names(table: Mapping[str, tuple[str, str]]) -> None:
    """Names that come from data (award names in a policy file): later values replace earlier ones."""
    _CATALOG.update(table)
    for compiled in _COMPILED.values():
        for key in table:
            compiled.pop(key, None)


_Convert = Callable[[Any], Any]


def _money(value: Any) -> str:
    return show_money(value if isinstance(value, Decimal) else Decimal(value))


def _rate(value: Any) -> str:
    return show_rate(value if isinstance(value, Decimal) else Decimal(value))


_SPECS: dict[str, _Convert] = {"money": _money, "rate": _rate}
_Compiled = tuple[str, dict[str, _Convert]]
_COMPILED: dict[Lang, dict[str, _Compiled]] = {"zh": {}, "en": {}}


def _compile(template: str) -> _Compiled:
    """The template with its `money` and `rate` specs taken out, and what each such field's value
    goes through first; str.format (C) then does the rest. Every other spec stays as written."""
    out: list[str] = []
    converts: dict[str, _Convert] = {}
    for literal, field, spec, conversion in Formatter().parse(template):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if field is None:
            continue
        if spec in _SPECS and not conversion:
            converts[field] = _SPECS[spec]
            spec = ""
        out.append("{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return "".join(out), converts


class Msg(NamedTuple):
    """A message not yet put into words: a key and its parameters.

    A NamedTuple rather than a frozen dataclass: a large run builds a million of these (every
    step of every line), and a tuple is built several times faster.
    """

    key: str
    params: tuple[tuple[str, Any], ...] = ()

    def render(self, lang: Lang = "zh") -> str:
        compiled = _COMPILED[lang].get(self.key)
        if compiled is None:
            texts = _CATALOG.get(self.key)
            if texts is None:
                return self.key + (" " + repr(dict(self.params)) if self.params else "")
            compiled = _COMPILED[lang][self.key] = _compile(texts[0] if lang == "zh" else texts[1])
        template, converts = compiled
        args: dict[str, Any] = {}
        for name, value in self.params:
            convert = converts.get(name)
            if convert is not None:
                value = convert(value)
            elif value.__class__ is Msg:
                value = value.render(lang)
            elif value.__class__ is tuple and all(v.__class__ is Msg for v in value):
                value = ("；" if lang == "zh" else "; ").join(v.render(lang) for v in value)
            args[name] = value
        return template.format_map(args)

    def param(self, name: str) -> Any:
        return dict(self.params).get(name)

    def __str__(self) -> str:
        return self.render("zh")


_PLAIN: dict[str, Msg] = {}
_new_msg = tuple.__new__  # NamedTuple's own __new__ is a Python-level lambda; this is the hot path


def msg(key: str, **params: Any) -> Msg:
    if params:
        return _new_msg(Msg, (key, tuple(params.items())))
    found = _PLAIN.get(key)
    if found is None:
        found = _PLAIN[key] = Msg(key, ())
    return found


def has_key(key: str) -> bool:
    return key in _CATALOG


def keys() -> list[str]:
    """Every registered message key, sorted (a test renders each in both languages)."""
    return sorted(_CATALOG)


def texts(key: str) -> tuple[str, str] | None:
    """The (zh, en) templates of `key`, or None when it is not registered."""
    return _CATALOG.get(key)
