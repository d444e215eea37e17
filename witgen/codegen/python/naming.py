"""Python naming, shared by the Python host, guest and native generators.

Input: WIT names (kebab-case, `%` already removed). Output: Python identifiers (snake_case,
UpperCamelCase, SHOUTY_SNAKE_CASE), interface module names (componentize-py's rule), unique names
within one namespace, and the builtins a class member shadows.

Invariants: this is the only module that turns a WIT name into a Python one, so the
generators can never disagree; every identifier it returns passes `str.isidentifier()` and
is not a keyword (`identifier` asserts it); names follow heck's word rules (the ones
componentize-py uses), and a trailing `_` is added only for the hard keywords of
`keyword.kwlist`.
"""

from __future__ import annotations

import keyword
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from witgen import model as m

# ---------------------------------------------------------------- words and cases


def words(name: str) -> list[str]:
    """Split `name` into words exactly as heck does (`get-URL-parser` → get, URL, parser).

    Non-alphanumeric characters separate words; inside a run, a boundary falls before an
    uppercase letter that follows a lowercase one (`aB`), and before the last uppercase
    letter of a run that is followed by a lowercase one (`URLParser` → URL, Parser).
    Digits keep the case mode of the letter before them.
    """
    out: list[str] = []
    for part in "".join(c if c.isalnum() else " " for c in name).split():
        start, mode = 0, ""
        for i, c in enumerate(part):
            if i + 1 == len(part):
                out.append(part[start:])
                break
            nxt = part[i + 1]
            next_mode = "lower" if c.islower() else "upper" if c.isupper() else mode
            if next_mode == "lower" and nxt.isupper():
                out.append(part[start : i + 1])
                start, mode = i + 1, ""
            elif mode == "upper" and c.isupper() and nxt.islower():
                out.append(part[start:i])
                start, mode = i, ""
            else:
                mode = next_mode
    return [w for w in out if w]


def escape(ident: str) -> str:
    """Add `_` to the 35 hard keywords of `keyword.kwlist` only (`class_`, `None_`)."""
    return ident + "_" if keyword.iskeyword(ident) else ident


def snake(name: str) -> str:
    """heck's snake_case (`the-URL` → `the_url`), not escaped."""
    return "_".join(w.lower() for w in words(name))


def upper_camel(name: str) -> str:
    """heck's UpperCamelCase (`get-URL-parser` → `GetUrlParser`), not escaped."""
    return "".join(w[:1].upper() + w[1:].lower() for w in words(name))


def shouty(name: str) -> str:
    """heck's SHOUTY_SNAKE_CASE (`green-blue` → `GREEN_BLUE`), not escaped."""
    return "_".join(w.upper() for w in words(name))


def identifier(name: str) -> str:
    """Assert that `name` is a usable Python identifier and return it."""
    assert name.isidentifier() and not keyword.iskeyword(name), name
    return name


def type_name(name: str) -> str:
    """A record, variant, enum, flags or resource class: `http2-config` → `Http2Config`."""
    return identifier(escape(upper_camel(name)))


def func_name(name: str) -> str:
    """A function, method, field or module: `x509-cert` → `x509_cert`, `from` → `from_`."""
    return identifier(escape(snake(name)))


def param_name(name: str) -> str:
    """A parameter: as `func_name`, and `self`/`cls` get `_` (beside a method's own `self` or
    `cls` they would be a syntax error)."""
    ident = func_name(name)
    return ident + "_" if ident in ("self", "cls") else ident


def member_name(name: str) -> str:
    """An enum or flags member: `green-blue` → `GREEN_BLUE`."""
    return identifier(escape(shouty(name)))


def case_class(type_cls: str, case: str) -> str:
    """A variant case class: `Shape_Circle`, `Shape_None_`."""
    return identifier(f"{type_cls}_{escape(upper_camel(case))}")


# ---------------------------------------------------------------- unique names


@dataclass(slots=True)
class Scope:
    """Names already used in one namespace; `claim` adds `_` until a name is free."""

    taken: set[str] = field(default_factory=set)

    def claim(self, name: str) -> str:
        while name in self.taken or keyword.iskeyword(name):
            name += "_"
        self.taken.add(name)
        return name


def field_names(names: Iterable[str]) -> list[str]:
    """The attribute names of a record's fields, made unique in order."""
    scope = Scope()
    return [scope.claim(func_name(name)) for name in names]


# Builtins that a class member of the same name would shadow in later annotations of that
# class body; such annotations are spelled `builtins.X`.
SHADOWABLE = frozenset(
    {
        "bool", "bytes", "classmethod", "dict", "float", "int", "list", "object", "property",
        "staticmethod", "str", "tuple", "type",
    }
)  # fmt: skip


def shadowed_builtins(members: Iterable[str]) -> frozenset[str]:
    """The builtins that class members named `members` shadow."""
    return SHADOWABLE & frozenset(members)


# ---------------------------------------------------------------- interface modules


def interface_modules(
    resolve: m.Resolve,
    items: Sequence[tuple[m.WorldKey, m.InterfaceId]],
    renames: Mapping[str, str] | None = None,
    *,
    full_names: bool = False,
) -> dict[m.WorldKey, str]:
    """Module names of the interfaces a world imports (or exports), as componentize-py names them.

    `snake(name)` when the name is unique among `items` (imports and exports are counted
    separately, as componentize-py does); otherwise `snake(ns-pkg-name)`, and when that still
    collides (several versions of a package) `snake(ns-pkg-name-version)` with `.` → `-`.
    With `full_names`, every interface of a package gets that last, fullest form (the
    version only when its package has one). Inline and named (string-keyed) interfaces use
    their key. `renames` maps a world key's name (`ns:pkg/iface@ver`, or the plain key) to a
    name that wins over all of this.
    """
    levels: dict[m.WorldKey, list[str]] = {}
    for key, iid in items:
        if isinstance(key, str):
            levels[key] = [key]
            continue
        iface = resolve.interfaces[iid]
        assert iface.name is not None and iface.package is not None
        pkg = resolve.packages[iface.package].name
        qualified = f"{pkg.namespace}-{pkg.name}-{iface.name}"
        version = (pkg.version or "").replace(".", "-")
        levels[key] = [iface.name, qualified, f"{qualified}-{version}" if version else qualified]
    out = {key: snake(names[-1] if full_names else names[0]) for key, names in levels.items()}
    for level in () if full_names else (1, 2):
        counts = Counter(out.values())
        for key, names in levels.items():
            if counts[out[key]] > 1 and level < len(names):
                out[key] = snake(names[level])
    out = {key: escape(name) for key, name in out.items()}
    for key in out:
        label = resolve.world_key_name(key)
        if renames and label in renames:
            out[key] = renames[label]
    return {key: identifier(name) for key, name in out.items()}
