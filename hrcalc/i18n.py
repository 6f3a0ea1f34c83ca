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
from typing import Any, Literal

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


class Msg(tuple[Any, ...]):
    """A message not yet put into words: a key and its parameters (`key`, `params`).

    A flat tuple `(key, names, *values)` whose `names` tuple is shared by every message built
    with the same parameter names: a large run keeps a million of these (every step of every
    line and skipped record), and a (name, value) pair per parameter, as a NamedTuple of pairs
    held them, cost four times the memory (measured at 100,000 placements: 139 MB → 35 MB).
    Equal messages compare and hash equal, as before.
    """

    __slots__ = ()

    def __new__(cls, key: str, params: tuple[tuple[str, Any], ...] = ()) -> Msg:
        return _new_msg(cls, (key, fields(*(n for n, _ in params)), *(v for _, v in params)))

    def __getnewargs__(self) -> tuple[Any, ...]:  # copy and pickle build it through __new__ above
        return (self[0], self.params)

    @property
    def key(self) -> str:
        key: str = self[0]
        return key

    @property
    def params(self) -> tuple[tuple[str, Any], ...]:
        """(name, value) pairs, in the order given."""
        return tuple(zip(self[1], self[2:], strict=True))

    def render(self, lang: Lang = "zh") -> str:
        key: str = self[0]
        compiled = _COMPILED[lang].get(key)
        if compiled is None:
            texts = _CATALOG.get(key)
            if texts is None:
                return key + (" " + repr(dict(self.params)) if len(self) > 2 else "")
            compiled = _COMPILED[lang][key] = _compile(texts[0] if lang == "zh" else texts[1])
        template, converts = compiled
        args: dict[str, Any] = {}
        for name, value in zip(self[1], self[2:], strict=True):
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
        return dict(zip(self[1], self[2:], strict=True)).get(name)

    def __str__(self) -> str:
        return self.render("zh")

    def __repr__(self) -> str:
        return f"Msg({self[0]!r}, {self.params!r})"


_PLAIN: dict[str, Msg] = {}
_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}
_new_msg = tuple.__new__  # the hot path: no Python-level __new__ (a Msg is (key, fields(...), *values))


def fields(*names: str) -> tuple[str, ...]:
    """The one shared tuple of these parameter names. A hot call site keeps it and builds its
    message as `_new_msg(Msg, (key, FIELDS, *values))`, which equals `msg(key, **params)`."""
    found = _NAMES.get(names)
    if found is None:
        found = _NAMES[names] = names
    return found


def msg(key: str, **params: Any) -> Msg:
    if params:
        names = tuple(params)
        shared = _NAMES.get(names)
        if shared is None:
            shared = _NAMES[names] = names
        return _new_msg(Msg, (key, shared, *params.values()))
    found = _PLAIN.get(key)
    if found is None:
        found = _PLAIN[key] = _new_msg(Msg, (key, ()))
    return found


def has_key(key: str) -> bool:
    return key in _CATALOG


def keys() -> list[str]:
    """Every registered message key, sorted (a test renders each in both languages)."""
    return sorted(_CATALOG)


def texts(key: str) -> tuple[str, str] | None:
    """The (zh, en) templates of `key`, or None when it is not registered."""
    return _CATALOG.get(key)
