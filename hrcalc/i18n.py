"""Messages in Chinese (default) and English: a key, its parameters, rendered late.

Modules register their own message tables with `register`, so a note recorded by the engine
can be shown in either language by any renderer. Templates use str.format fields; two extra
format specs exist: `{x:money}` (1,234.50) and `{x:rate}` (40%).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
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


def set_names(table: Mapping[str, tuple[str, str]]) -> None:
    """Names that come from data (award names in a policy file): later values replace earlier ones."""
    _CATALOG.update(table)


class _Arg:
    """A parameter on its way into a template; knows the `money` and `rate` format specs.

    Wrapping each parameter lets the C implementation of str.format do the work (a
    string.Formatter subclass is pure Python and several times slower on a large report).
    """

    __slots__ = ("lang", "value")

    def __init__(self, value: Any, lang: Lang) -> None:
        self.value = value
        self.lang = lang

    def __format__(self, spec: str) -> str:
        value = self.value
        if spec == "money":
            return show_money(Decimal(value))
        if spec == "rate":
            return show_rate(Decimal(value))
        if isinstance(value, Msg):
            return value.render(self.lang)
        if isinstance(value, tuple) and all(isinstance(v, Msg) for v in value):
            sep = "；" if self.lang == "zh" else "; "
            return sep.join(v.render(self.lang) for v in value)
        return format(value, spec)


class Msg(NamedTuple):
    """A message not yet put into words: a key and its parameters.

    A NamedTuple rather than a frozen dataclass: a large run builds a million of these (every
    step of every line), and a tuple is built several times faster.
    """

    key: str
    params: tuple[tuple[str, Any], ...] = ()

    def render(self, lang: Lang = "zh") -> str:
        texts = _CATALOG.get(self.key)
        if texts is None:
            return self.key + (" " + repr(dict(self.params)) if self.params else "")
        template = texts[0] if lang == "zh" else texts[1]
        return template.format(**{name: _Arg(value, lang) for name, value in self.params})

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
