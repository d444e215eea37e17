"""The resolver goes on after an error: every error is reported, none twice, no cascades.

For each error the resolver can report (the WIT2xx and WIT3xx codes, and WIT105, which
it raises too), a package with that error followed by an unrelated one: an unknown
type in the same interface or world, or in another one. Both must be reported, in the
order `check` shows them (the first as wasm-tools reports it, the others by position).
Errors found while packages are appended (a missing package, gates, `borrow` results,
includes, ...) come after the package's own errors, as in wit-parser, which resolves
each package before it appends any; so an unknown type is shown before them.

Then cases where a later error would only repeat an earlier one (a use of a type whose
definition failed, say): only the first is reported. And, when `wasm-tools` is on PATH,
the first diagnostic of every case is byte for byte the error wasm-tools prints.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_ui import _first_error

from witgen import api
from witgen.text.diagnostics import WitError, ordered, render_one

# The unrelated error added after the one under test: in the same scope (an interface's
# function, resolved after its types; a world's last import), or in another interface
# or world declared last (interfaces are resolved before worlds, so "elsewhere" for a
# world's error is another world).
SAME = {
    "interface": "zz-same: func(a: nope-same);",
    "world": "import zz-same: func(a: nope-same);",
}
OTHER = {
    "interface": "interface zz-other { type t = nope-other; }",
    "world": "world zz-other { import zz: func(a: nope-other); }",
}
SAME_ERROR = ("WIT201", "name `nope-same` does not exist")
OTHER_ERROR = {
    "interface": ("WIT201", "type `nope-other` does not exist"),
    "world": ("WIT201", "name `nope-other` does not exist"),
}


@dataclass(frozen=True)
class Kind:
    """One error of the resolver, in a package with a `{same}` and an `{other}` slot.

    `errors` are the (code, message fragment) pairs it reports, in order; `late` ones are
    found once the package is resolved on its own (while packages are appended), so they
    follow the unrelated error. `files` holds more files of the package's directory.
    """

    id: str
    errors: tuple[tuple[str, str], ...]
    text: str
    scope: str = "interface"
    late: bool = False
    files: dict[str, str] = field(default_factory=dict)


def kind(
    id: str,
    code: str,
    fragment: str,
    text: str,
    *,
    scope: str = "interface",
    late: bool = False,
    files: dict[str, str] | None = None,
) -> Kind:
    return Kind(id, ((code, fragment),), text, scope, late, files or {})


KINDS = [
    # ---- names: WIT201 (type), WIT202 (interface or world), WIT209 (name in an interface)
    kind(
        "unknown-type-in-typedef",
        "WIT201",
        "type `nope` does not exist",
        "interface i { type a = nope; {same} }\n{other}",
    ),
    kind(
        "unknown-type-in-function",
        "WIT201",
        "name `nope` does not exist",
        "interface i { f: func(a: nope); {same} }\n{other}",
    ),
    kind(
        "unknown-type-in-record-field",
        "WIT201",
        "type `nope` does not exist",
        "interface i { record r { a: u8, b: nope } {same} }\n{other}",
    ),
    kind(
        "unknown-interface-in-use",
        "WIT202",
        "interface or world `missing` does not exist",
        "interface i { use missing.{t}; {same} }\n{other}",
    ),
    kind(
        "unknown-interface-in-toplevel-use",
        "WIT202",
        "interface or world `missing` does not exist",
        "use missing as m;\ninterface i { {same} }\n{other}",
    ),
    kind(
        "unknown-interface-in-world-use",
        "WIT202",
        "interface or world `missing` does not exist",
        "world w { use missing.{t}; {same} }\n{other}",
        scope="world",
    ),
    kind(
        "unknown-interface-import",
        "WIT202",
        "interface or world `missing` does not exist",
        "world w { import missing; {same} }\n{other}",
        scope="world",
    ),
    kind(
        "unknown-world-include",
        "WIT202",
        "interface or world `missing` does not exist",
        "world w { include missing; {same} }\n{other}",
        scope="world",
    ),
    kind(
        "unknown-name-in-use",
        "WIT209",
        "name `missing` does not exist",
        "interface j { type t = u8; }\ninterface i { use j.{missing}; {same} }\n{other}",
    ),
    # ---- WIT203: duplicates and conflicts
    kind(
        "duplicate-interface",
        "WIT203",
        "duplicate item named `i`",
        "interface i { {same} }\ninterface i { type x = u8; }\n{other}",
    ),
    kind(
        "duplicate-name-in-file",
        "WIT203",
        "duplicate name `k` in this file",
        "interface i { {same} }\nuse i as k;\nuse i as k;\n{other}",
    ),
    kind(
        "duplicate-type",
        "WIT203",
        "name `a` is defined more than once",
        "interface i { type a = u8; type a = u16; {same} }\n{other}",
    ),
    kind(
        "duplicate-use",
        "WIT203",
        "name `t` is defined more than once",
        "interface j { type t = u8; }\ninterface i { use j.{t}; use j.{t}; {same} }\n{other}",
    ),
    kind(
        "duplicate-function",
        "WIT203",
        "duplicate name `f`",
        "interface i { f: func(); f: func(); {same} }\n{other}",
    ),
    kind(
        "duplicate-resource-method",
        "WIT203",
        "duplicate name `[method]r.get`",
        "interface i { resource r { get: func(); get: func(); } {same} }\n{other}",
    ),
    kind(
        "resource-method-named-as-resource",
        "WIT203",
        "name `[method]r.r` conflicts with previous name `r`",
        "interface i { resource r { r: func(); } {same} }\n{other}",
    ),
    kind(
        "function-differing-in-case",
        "WIT203",
        "name `F` conflicts with previous name `f`",
        "interface i { f: func(); F: func(); {same} }\n{other}",
    ),
    kind(
        "duplicate-field",
        "WIT203",
        "duplicate field `a`",
        "interface i { record r { a: u8, a: u8 } {same} }\n{other}",
    ),
    kind(
        "duplicate-variant-case",
        "WIT203",
        "duplicate case `a`",
        "interface i { variant v { a, a } {same} }\n{other}",
    ),
    kind(
        "duplicate-enum-case",
        "WIT203",
        "duplicate case `a`",
        "interface i { enum e { a, a } {same} }\n{other}",
    ),
    kind(
        "duplicate-flag",
        "WIT203",
        "duplicate flag `a`",
        "interface i { flags f { a, a } {same} }\n{other}",
    ),
    kind(
        "duplicate-param",
        "WIT203",
        "param `a` is defined more than once",
        "interface i { f: func(a: u8, a: u8); {same} }\n{other}",
    ),
    kind(
        "duplicate-world-import-name",
        "WIT203",
        "name `F` conflicts with previous name `f`",
        "world w { import f: func(); import F: func(); {same} }\n{other}",
        scope="world",
    ),
    kind(
        "duplicate-world-resource-method",
        "WIT203",
        "duplicate name `[method]r.get`",
        "world w { resource r { get: func(); get: func(); } {same} }\n{other}",
        scope="world",
    ),
    # ---- WIT204: an interface where a world is wanted, and the reverse
    kind(
        "world-used-as-interface",
        "WIT204",
        "name `w` is defined as a world, not an interface",
        "world w {}\ninterface i { use w.{t}; {same} }\n{other}",
    ),
    kind(
        "interface-included-as-world",
        "WIT204",
        "name `j` is defined as an interface, not a world",
        "interface j {}\nworld w { include j; {same} }\n{other}",
        scope="world",
    ),
    # ---- WIT300: cycles
    kind(
        "type-cycle",
        "WIT300",
        "type `b` depends on itself",
        "interface i { type a = b; type b = a; {same} }\n{other}",
    ),
    kind(
        "interface-cycle",
        "WIT300",
        "interface or world `b` depends on itself",
        "interface a { use b.{x}; type t = u8; {same} }\n"
        "interface b { use a.{t}; type x = u8; }\n{other}",
    ),
    # ---- WIT301, WIT302: empty types, too many flags
    kind("empty-record", "WIT301", "empty record", "interface i { record r {} {same} }\n{other}"),
    kind("empty-flags", "WIT301", "empty flags", "interface i { flags f {} {same} }\n{other}"),
    kind(
        "empty-variant", "WIT301", "empty variant", "interface i { variant v {} {same} }\n{other}"
    ),
    kind("empty-enum", "WIT301", "empty enum", "interface i { enum e {} {same} }\n{other}"),
    kind(
        "empty-tuple",
        "WIT301",
        "empty tuple",
        "interface i { f: func(a: tuple<>); {same} }\n{other}",
    ),
    kind(
        "too-many-flags",
        "WIT302",
        "cannot have more than 32 flags",
        "interface i { flags f { " + ", ".join(f"g{n}" for n in range(33)) + " } {same} }\n{other}",
    ),
    # ---- WIT303: handles to non-resources, map keys
    kind(
        "handle-to-non-resource",
        "WIT303",
        "type `a` used in a handle must be a resource",
        "interface i { type a = u8; f: func(x: borrow<a>); {same} }\n{other}",
    ),
    kind(
        "map-key",
        "WIT303",
        "invalid map key type",
        "interface i { type m = map<f32, string>; {same} }\n{other}",
    ),
    # ---- WIT305: constructors
    kind(
        "constructor-result-not-result",
        "WIT305",
        "if a constructor return type is declared it must be a `result`",
        "interface i { resource r { constructor() -> u32; } {same} }\n{other}",
    ),
    kind(
        "constructor-ok-not-the-resource",
        "WIT305",
        "the `ok` type must be the resource being constructed",
        "interface i { resource r { constructor() -> result<u32>; } {same} }\n{other}",
    ),
    # ---- WIT306: gates written wrong
    kind(
        "unstable-twice",
        "WIT306",
        "cannot specify @unstable twice",
        "interface i { @unstable(feature = x) @unstable(feature = x) type a = u8; {same} }\n"
        "{other}",
    ),
    kind(
        "deprecated-alone",
        "WIT306",
        "cannot specify both @deprecated without @since or @unstable",
        "interface i { @deprecated(version = 1.0.0) type a = u8; {same} }\n{other}",
    ),
    # ---- WIT308, WIT309: world items
    kind(
        "interface-imported-twice",
        "WIT308",
        "interface cannot be imported more than once",
        "interface j {}\nworld w { import j; import j; {same} }\n{other}",
        scope="world",
    ),
    kind(
        "import-conflicts-with-import",
        "WIT309",
        "import `f` conflicts with prior func of same name",
        "world w { import f: func(); import f: func(); {same} }\n{other}",
        scope="world",
    ),
    # ---- WIT310: a function as a type
    kind(
        "function-as-type",
        "WIT310",
        "cannot use function `f` as a type",
        "interface i { f: func(); g: func(a: f); {same} }\n{other}",
    ),
    kind(
        "function-imported-by-use",
        "WIT310",
        "cannot import function `f`",
        "interface j { f: func(); }\ninterface i { use j.{f}; {same} }\n{other}",
    ),
    # ---- WIT104 and WIT105: attributes and docs where they are not allowed
    kind(
        "attributes-on-toplevel-use",
        "WIT104",
        "attributes not allowed on top-level use",
        "interface j {}\n@unstable(feature = x)\nuse j as k;\ninterface i { {same} }\n{other}",
    ),
    # ---- WIT105 and WIT206: how packages are written
    kind(
        "package-nested-twice",
        "WIT105",
        "nested packages must be placed at the top-level",
        "interface i { {same} }\n{other}\npackage t:a { package t:b {} }",
    ),
    # ---- found while packages are appended (after each package's own errors)
    kind(
        "missing-package",
        "WIT205",
        "package 'x:missing' not found",
        "interface i { use x:missing/j.{t}; {same} }\n{other}",
        late=True,
    ),
    kind(
        "missing-foreign-interface",
        "WIT202",
        "interface 'missing' not found in package 't:dep'",
        "interface i { use t:dep/missing.{t}; {same} }\n{other}\npackage t:dep { interface a {} }",
        late=True,
    ),
    kind(
        "missing-foreign-world",
        "WIT210",
        "world 'missing' not found in package 't:dep'",
        "world w { include t:dep/missing; {same} }\n{other}\npackage t:dep { world a {} }",
        scope="world",
        late=True,
    ),
    kind(
        "missing-foreign-type",
        "WIT209",
        "type `missing` not defined in interface",
        "interface i { use t:dep/a.{missing}; {same} }\n{other}\n"
        "package t:dep { interface a { type t = u8; } }",
        late=True,
    ),
    kind(
        "foreign-handle-to-non-resource",
        "WIT303",
        "type used in a handle must be a resource",
        "interface i { use t:dep/a.{t}; f: func(x: borrow<t>); {same} }\n{other}\n"
        "package t:dep { interface a { type t = u8; } }",
        late=True,
    ),
    kind(
        "borrow-in-result",
        "WIT304",
        "returns a type which contains a `borrow<T>`",
        "interface i { resource r; f: func() -> borrow<r>; {same} }\n{other}",
        late=True,
    ),
    kind(
        "since-without-package-version",
        "WIT306",
        "so it must have a version",
        "interface i { @since(version = 1.0.0) type a = u8; {same} }\n{other}",
        late=True,
    ),
    kind(
        "reference-to-gated-out-type",
        "WIT307",
        "found a reference to a type which is excluded",
        "interface i { @unstable(feature = off) type a = u8; type b = a; {same} }\n{other}",
        late=True,
    ),
    kind(
        "type-of-gated-out-interface",
        "WIT307",
        "this type is not gated by a feature but its interface is",
        "@unstable(feature = off) interface i { type a = u8; }\ninterface j { {same} }\n{other}",
        late=True,
    ),
    kind(
        "export-needs-interface-as-import",
        "WIT308",
        "transitively depends on an interface in incompatible ways",
        "interface a { type t = u8; }\ninterface b { use a.{t}; }\ninterface c { use b.{t}; }\n"
        "world w { export c; export a; {same} }\n{other}",
        scope="world",
        late=True,
    ),
    kind(
        "include-renames-missing-name",
        "WIT311",
        "no import or export kebab-name `g`",
        "world a { import f: func(); }\nworld w { include a with { g as h } {same} }\n{other}",
        scope="world",
        late=True,
    ),
    kind(
        "include-shadows",
        "WIT311",
        "import of `f` shadows previously imported items",
        "world a { import f: func(); }\nworld w { import f: func(); include a; {same} }\n{other}",
        scope="world",
        late=True,
    ),
    kind(
        "include-not-strongly-unique",
        "WIT203",
        "import `F` in world `w` conflicts with import `f`",
        "world a { import F: func(); }\nworld w { import f: func(); include a; {same} }\n{other}",
        scope="world",
        late=True,
    ),
    kind(
        "package-cycle",
        "WIT300",
        "package `t:t` creates a dependency cycle",
        "interface i { use t:t/j.{x}; {same} }\ninterface j { type x = u8; }\n{other}",
        late=True,
    ),
]


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    expected: tuple[tuple[str, str], ...]
    files: dict[str, str] = field(default_factory=dict)


def _fill(k: Kind, same: str = "", other: str = "") -> str:
    return "package t:t;\n\n" + k.text.replace("{same}", same).replace("{other}", other)


def _variants(k: Kind) -> list[Case]:
    same = _fill(k, same=SAME[k.scope])
    other = _fill(k, other=OTHER[k.scope])
    out = []
    for variant, text, extra in (
        ("same", same, SAME_ERROR),
        ("other", other, OTHER_ERROR[k.scope]),
    ):
        expected = (extra, *k.errors) if k.late else (*k.errors, extra)
        out.append(Case(f"{k.id}-then-{variant}", text, expected, k.files))
    return out


CASES = [case for k in KINDS for case in _variants(k)]

# Two or more unrelated errors, all reported, with no cascade in between (the first's
# dependents stay silent). These cover what the variants above do not: a package without
# a header (wit-parser reports it after its nested packages' errors), two headers that
# disagree, a package defined twice, errors of the append phase followed by another such
# error, and several errors in one type or signature.
MORE = [
    Case(
        "no-header-then-nested-error",
        "package t:a { interface i { type x = nope; } }\n",
        (
            ("WIT201", "type `nope` does not exist"),
            ("WIT206", "no `package` header was found"),
        ),
    ),
    Case(
        "headers-disagree-then-dependency-error",
        "package t:t;\ninterface i {}\n",
        (
            ("WIT207", "package identifier `t:other` does not match"),
            ("WIT201", "type `nope` does not exist"),
        ),
        files={
            "b.wit": "package t:other;\ninterface j {}\n",
            "c.wit": "package t:t;\npackage t:n { interface k { type x = nope; } }\n",
        },
    ),
    Case(
        "docs-on-two-headers-then-error",
        "/// One.\npackage t:t;\ninterface i { type x = nope; }\n",
        (
            ("WIT105", "found doc comments on multiple 'package' items"),
            ("WIT201", "type `nope` does not exist"),
        ),
        files={"b.wit": "/// Two.\npackage t:t;\ninterface j {}\n"},
    ),
    Case(
        "package-defined-twice-then-error",
        "package t:t;\npackage t:a { interface i {} }\npackage t:a { interface j {} }\n"
        "interface k { resource r; f: func() -> borrow<r>; }\n",
        (
            ("WIT207", "package `t:a` is defined in two different locations"),
            ("WIT304", "function `f` returns a type which contains a `borrow<T>`"),
        ),
    ),
    Case(
        "missing-package-then-borrow-result",
        "package t:t;\ninterface i { use x:missing/j.{t}; resource r; f: func() -> borrow<r>; }\n",
        (
            ("WIT205", "package 'x:missing' not found"),
            ("WIT304", "function `f` returns a type which contains a `borrow<T>`"),
        ),
    ),
    Case(
        "gated-out-reference-twice",
        "package t:t;\n"
        "interface i { @unstable(feature = off) type a = u8; type b = a; }\n"
        "interface j { @unstable(feature = off) type c = u8; type d = c; }\n",
        (
            ("WIT307", "found a reference to a type which is excluded"),
            ("WIT307", "found a reference to a type which is excluded"),
        ),
    ),
    Case(
        "include-error-then-world-error",
        "package t:t;\n"
        "world a { import f: func(); }\n"
        "world w { include a with { g as h } }\n"
        "interface b { type t = u8; }\ninterface c { use b.{t}; }\ninterface d { use c.{t}; }\n"
        "world v { export d; export b; }\n",
        (
            ("WIT311", "no import or export kebab-name `g`"),
            ("WIT308", "interface `t:t/b` transitively depends on an interface"),
        ),
    ),
    Case(
        "several-errors-in-one-record",
        "package t:t;\n"
        "interface i { record r { a: u8, a: u8, b: nope, c: list<also-nope>, d: tuple<> } }\n",
        (
            ("WIT201", "type `nope` does not exist"),
            ("WIT203", "duplicate field `a`"),
            ("WIT201", "type `also-nope` does not exist"),
            ("WIT301", "empty tuple"),
        ),
    ),
    Case(
        "several-errors-in-one-signature",
        "package t:t;\n"
        "interface i { f: func(a: nope, a: u8, b: tuple<>) -> result<also-nope, map<f32, u8>>; }\n",
        (
            ("WIT201", "name `nope` does not exist"),
            ("WIT203", "param `a` is defined more than once"),
            ("WIT301", "empty tuple"),
            ("WIT201", "name `also-nope` does not exist"),
            ("WIT303", "invalid map key type"),
        ),
    ),
]

# A later error that would only repeat an earlier one is not reported.
NO_CASCADE = [
    Case(
        "user-of-a-failed-type",
        "package t:t;\ninterface i {\n  type a = nope;\n  type b = list<a>;\n"
        "  record r { x: a }\n  f: func(x: a) -> b;\n}\n",
        (("WIT201", "type `nope` does not exist"),),
    ),
    Case(
        "use-of-a-failed-type",
        "package t:t;\ninterface i { record r {} }\n"
        "interface j { use i.{r}; f: func(x: r); }\nworld w { use i.{r}; import g: func(x: r); }\n",
        (("WIT301", "empty record"),),
    ),
    Case(
        "names-from-a-missing-interface",
        "package t:t;\ninterface i { use missing.{a, b}; f: func(x: a) -> b; type c = a; }\n",
        (("WIT202", "interface or world `missing` does not exist"),),
    ),
    Case(
        "alias-of-a-missing-interface",
        "package t:t;\nuse missing as m;\ninterface i { use m.{a}; f: func(x: a); }\n"
        "world w { import m; include m; }\n",
        (("WIT202", "interface or world `missing` does not exist"),),
    ),
    Case(
        "duplicate-interface-is-not-looked-into",
        "package t:t;\ninterface i { type a = u8; }\n"
        "interface i { type a = nope; f: func(); f: func(); }\n",
        (("WIT203", "duplicate item named `i`"),),
    ),
    Case(
        "duplicate-resource-is-not-looked-into",
        "package t:t;\ninterface i {\n  resource r { get: func(); }\n"
        "  resource r { get: func(); put: func(x: nope); }\n}\n",
        (("WIT203", "name `r` is defined more than once"),),
    ),
    Case(
        "interfaces-in-a-cycle",
        "package t:t;\ninterface a { use b.{x}; type y = u8; }\n"
        "interface b { use a.{y}; type x = u8; }\ninterface c { use a.{y}; use b.{x}; }\n",
        (("WIT300", "interface or world `b` depends on itself"),),
    ),
    Case(
        "types-in-a-cycle",
        "package t:t;\ninterface i { type a = b; type b = a; type c = a; f: func(x: b); }\n",
        (("WIT300", "type `b` depends on itself"),),
    ),
    Case(
        "missing-package-named-twice",
        "package t:t;\n"
        "interface i { use x:missing/j.{a}; use x:missing/k.{b}; f: func(x: a, y: b); }\n"
        "world w { import x:missing/j; }\n",
        (("WIT205", "package 'x:missing' not found"),),
    ),
    Case(
        "missing-foreign-type-used",
        "package t:t;\ninterface i { use t:dep/a.{missing}; f: func(x: missing); }\n"
        "package t:dep { interface a { type t = u8; } }\n",
        (("WIT209", "type `missing` not defined in interface"),),
    ),
    Case(
        "include-of-a-world-with-an-error",
        "package t:t;\nworld a { import f: func(x: nope); import g: func(); }\n"
        "world w { include a with { f as h } }\nworld v { include w; }\n",
        (("WIT201", "name `nope` does not exist"),),
    ),
    Case(
        "package-in-a-cycle-is-not-appended",
        "package t:t;\npackage t:a { interface i { use t:b/j.{x}; } }\n"
        "package t:b { interface j { use t:a/i.{y}; type x = u8; } }\n",
        (("WIT300", "creates a dependency cycle"),),
    ),
    Case(
        "gate-error-once",
        "package t:t@1.0.0;\n"
        "interface i { @since(version = 1.0.0) @since(version = 2.0.0) use j.{t}; type u = t; }\n"
        "interface j { type t = u8; }\n",
        (("WIT306", "cannot specify @since twice"),),
    ),
    Case(
        # An item whose gate attributes conflict is gated as first written (here, left
        # out like its type), not taken as ungated (its type would be an error then).
        "conflicting-gates-mean-the-first",
        "package t:t;\n"
        "@unstable(feature = off) @unstable(feature = off) interface i {\n"
        "  @unstable(feature = off) type a = u8;\n}\n",
        (("WIT306", "cannot specify @unstable twice"),),
    ),
]


def _write(case: Case, tmp_path: Path) -> Path:
    """The case on disk: one file, or a directory when it has more files."""
    if not case.files:
        path = tmp_path / f"{case.id}.wit"
        path.write_text(case.text, encoding="utf-8")
        return path
    root = tmp_path / case.id
    root.mkdir()
    (root / "a.wit").write_text(case.text, encoding="utf-8")
    for name, text in case.files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def _errors(case: Case, tmp_path: Path) -> WitError:
    path = _write(case, tmp_path)
    with pytest.raises(WitError) as info:
        api.load(str(path), use_cache=False)
    return info.value


def _shown(e: WitError) -> list[tuple[str, str]]:
    """(code, message) of each diagnostic, in the order `check` shows them."""
    return [(d.code, d.message) for d, _ in ordered(e.diagnostics, e.sources)]


def _assert_reported(case: Case, e: WitError) -> None:
    shown = _shown(e)
    assert [code for code, _ in shown] == [code for code, _ in case.expected], shown
    for (_, message), (_, fragment) in zip(shown, case.expected, strict=True):
        assert fragment in message, shown


ALL = CASES + MORE


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.id)
def test_every_error_is_reported(case: Case, tmp_path: Path) -> None:
    _assert_reported(case, _errors(case, tmp_path))


@pytest.mark.parametrize("case", NO_CASCADE, ids=lambda c: c.id)
def test_no_cascade(case: Case, tmp_path: Path) -> None:
    _assert_reported(case, _errors(case, tmp_path))


def test_every_resolver_code_is_covered() -> None:
    """Each code the resolver raises has a case."""
    resolver = Path(__file__).resolve().parents[2] / "witgen" / "resolve"
    raised = set()
    for source in resolver.glob("*.py"):
        raised |= set(re.findall(r'"(WIT\d{3})"', source.read_text(encoding="utf-8")))
    covered = {code for case in ALL for code, _ in case.expected}
    assert raised - covered == set()


def test_an_unrelated_error_leaves_the_first_unchanged(tmp_path: Path) -> None:
    """The error under test is shown first whether or not an unrelated one follows it."""
    for k in KINDS:
        if k.late:
            continue
        alone = Case(k.id, _fill(k), k.errors)
        (tmp_path / k.id).mkdir()
        first = _shown(_errors(alone, tmp_path / k.id))[0]
        assert (first[0], k.errors[0][0]) == (k.errors[0][0], first[0])
        assert k.errors[0][1] in first[1]


# Where the first error is known to differ from wasm-tools 1.262 (strict: fixing witgen
# turns the test red, and the entry must go).
DIFFERENCES = {
    "fixed-list-of-zero-then-same": "wasm-tools accepts a fixed-length list of size 0",
    "fixed-list-of-zero-then-other": "wasm-tools accepts a fixed-length list of size 0",
    "package-defined-twice-then-error": "witgen shows where the second definition is; "
    "wasm-tools prints no source snippet for this error",
}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c,
            id=c.id,
            marks=[pytest.mark.xfail(strict=True, reason=DIFFERENCES[c.id])]
            if c.id in DIFFERENCES
            else [],
        )
        for c in ALL + NO_CASCADE
    ],
)
def test_first_error_is_wasm_tools(
    case: Case, wasm_tools: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever follows it, the first error is the one wasm-tools reports."""
    path = _write(case, tmp_path)
    ref = subprocess.run(
        [wasm_tools, "component", "wit", path.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ref.returncode == 1, ref.stdout
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WitError) as info:
        api.load(path.name, use_cache=False)
    e = info.value
    assert render_one(e.diagnostics[0], e.sources, codes=False) == _first_error(ref.stderr)
