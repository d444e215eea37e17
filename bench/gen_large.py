"""Generate a large, realistic WIT package for benchmarks (deterministic, seeded).

Usage: python bench/gen_large.py OUT_DIR [--lines 100000] [--seed 1]

Writes OUT_DIR/*.wit (one package, `bench:large@1.0.0`, spread over many files, WASI
style: docs on every item, `@since` gates, resources with constructors, methods and static
functions, records, variants, enums, flags, aliases, `use` between interfaces, worlds that
import, export and include) and OUT_DIR/deps/base/base.wit (a small dependency package,
used as WASI packages use wasi:io). OUT_DIR is emptied of *.wit files first. The result is
accepted by `wasm-tools component wit OUT_DIR`; `bench/run.py` checks that before timing.
"""

from __future__ import annotations

import argparse
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "bench:large@1.0.0"
BASE = "bench:base@0.1.0"
INTERFACES_PER_FILE = 4


def _words(text: str) -> list[str]:
    return text.split()


KEYWORDS = frozenset(
    _words(
        "as async bool borrow char constructor enum export f32 f64 flags from func future import "
        "include interface list map option own package record resource result s16 s32 s64 s8 "
        "static stream string tuple type u16 u32 u64 u8 use variant with world error-context "
        "self"
    )
)

WORDS = _words(
    "access account address agent alarm alias anchor archive array asset audit backend "
    "badge balance batch beacon binding blob block body bound bridge broker bucket buffer "
    "bundle cache call canvas capacity carrier catalog cell channel chunk cipher claim "
    "client clock cluster codec column command commit config consumer container content "
    "context counter credential cursor daemon datagram dataset deadline decoder delta "
    "descriptor device digest directory dispatch document domain draft driver edge "
    "element endpoint entry envelope epoch event exchange extent feed fetch fiber field "
    "filter fragment frame gateway gauge grant graph handler header heap host identity "
    "image index inode input instance journal kernel key label latch layer ledger lease "
    "limit link listener loader locale lock log mailbox manifest marker matrix member "
    "memo message metric mirror mode monitor mount network node notice object offset "
    "order origin outcome output packet page pane parcel parser partition patch path "
    "payload peer permit pipe pixel plan policy pool port prefix probe process profile "
    "prompt protocol provider proxy queue quota range reader realm receipt record region "
    "registry relay replica report request resolver response retry revision role route "
    "rule sample scheduler schema scope secret segment selector sender sequence session "
    "shard signal signer sink slot snapshot socket source span stage status store "
    "storage subject suffix summary switch symbol table tag target task template tenant "
    "thread ticket timer token topic trace tracker transfer tree trigger tunnel unit "
    "upload usage value vault vector version view volume wallet watcher window worker "
    "writer zone"
)

VERBS = _words(
    "get set open close read write send receive list create delete update query fetch "
    "flush reset start stop subscribe publish resolve bind accept connect drain append "
    "remove insert lookup scan parse encode decode sign verify compress split merge "
    "clone load save export-to import-from register release acquire renew poll wait "
    "notify cancel commit rollback"
)

ADJECTIVES = _words(
    "active async-safe binary cached closed compact default direct empty extended final "
    "fixed global hidden idle initial inline internal large local main max min native "
    "next nullable open partial pending primary private public raw readonly remote "
    "secure shared short signed small stale static-safe strict sync temporary total "
    "trusted unique valid"
)

SENTENCES = (
    "This value is opaque to the guest and must be treated as a handle.",
    "Returns an error if the underlying resource has already been closed.",
    "The host may impose implementation-specific limits on this value.",
    "Callers should not rely on the ordering of the returned items.",
    "This operation does not block; use the pollable to wait for readiness.",
    "The meaning of this field follows the semantics of POSIX where applicable.",
    "Implementations are encouraged to return the most specific error code.",
    "A value of zero means that no limit applies.",
    "The returned list is truncated if it exceeds the host's configured maximum.",
    "Timestamps are expressed in nanoseconds since the Unix epoch.",
    "This is equivalent to calling the method with default options.",
    "Dropping the resource releases every handle derived from it.",
)

PRIMS = ("u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "bool", "char")


@dataclass
class Iface:
    name: str
    deps: set[str] = field(default_factory=set)  # interfaces of this package it `use`s
    types: dict[str, str] = field(default_factory=dict)  # exported type name -> kind


class Names:
    """Unique kebab-case names within one scope, never a keyword."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()

    def _fresh(self, make: Callable[[], str]) -> str:
        for attempt in range(1000):
            name = make()
            if attempt > 20:
                name = f"{name}-{self.rng.choice(WORDS)}"
            if name not in self.taken and name not in KEYWORDS:
                self.taken.add(name)
                return name
        raise RuntimeError("name space exhausted")

    def noun(self) -> str:
        r = self.rng
        return self._fresh(lambda: f"{r.choice(WORDS)}-{r.choice(WORDS)}")

    def word(self) -> str:
        r = self.rng
        return self._fresh(lambda: r.choice(WORDS))

    def verb(self) -> str:
        r = self.rng
        return self._fresh(lambda: f"{r.choice(VERBS)}-{r.choice(WORDS)}")

    def adjective(self) -> str:
        r = self.rng
        return self._fresh(lambda: f"{r.choice(ADJECTIVES)}-{r.choice(WORDS)}")


class Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.out: list[str] = []
        self.ifaces: list[Iface] = []
        self.iface_names = Names(self.rng)
        self.world_funcs = Names(self.rng)

    # ---- text helpers
    def line(self, text: str = "", indent: int = 0) -> None:
        self.out.append("    " * indent + text if text else "")

    def docs(self, indent: int, what: str, lines: int | None = None) -> None:
        r = self.rng
        count = lines if lines is not None else r.choice((1, 1, 2, 3))
        self.line(f"/// {what}", indent)
        for _ in range(count - 1):
            if r.random() < 0.2:
                self.line("///", indent)
            self.line(f"/// {r.choice(SENTENCES)}", indent)

    def since(self, indent: int) -> None:
        if self.rng.random() < 0.5:
            self.line("@since(version = 1.0.0)", indent)

    # ---- types
    def ty(self, scope: dict[str, str], depth: int = 0, allow_borrow: bool = False) -> str:
        """A type expression over primitives and the named types in `scope`."""
        r = self.rng
        roll = r.random()
        named = [n for n, k in scope.items() if k != "resource"]
        resources = [n for n, k in scope.items() if k == "resource"]
        if depth > 2 or roll < 0.35:
            return r.choice((*PRIMS, "string", "string"))
        if roll < 0.6 and named:
            return r.choice(named)
        if roll < 0.68 and resources:
            res = r.choice(resources)
            if allow_borrow and r.random() < 0.5:
                return f"borrow<{res}>"
            return res if r.random() < 0.7 else f"own<{res}>"
        if roll < 0.78:
            return f"list<{self.ty(scope, depth + 1)}>"
        if roll < 0.86:
            return f"option<{self.ty(scope, depth + 1)}>"
        if roll < 0.94:
            if r.random() < 0.2:
                return f"result<_, {self.ty(scope, depth + 1)}>"
            if r.random() < 0.1:
                return "result"
            return f"result<{self.ty(scope, depth + 1)}, {self.ty(scope, depth + 1)}>"
        n = r.randint(2, 4)
        return "tuple<" + ", ".join(self.ty(scope, depth + 1) for _ in range(n)) + ">"

    def params(self, scope: dict[str, str], count: int) -> str:
        names = Names(self.rng)
        return ", ".join(
            f"{names.word()}: {self.ty(scope, allow_borrow=True)}" for _ in range(count)
        )

    def func_sig(self, scope: dict[str, str], max_params: int = 4) -> str:
        r = self.rng
        sig = f"func({self.params(scope, r.randint(0, max_params))})"
        if r.random() < 0.8:
            sig += f" -> {self.ty(scope)}"
        return sig

    # ---- items
    def record(self, names: Names, scope: dict[str, str], indent: int) -> None:
        r = self.rng
        name = names.noun()
        self.docs(indent, f"A `{name}` record.")
        self.since(indent)
        self.line(f"record {name} {{", indent)
        fields = Names(r)
        for _ in range(r.randint(2, 9)):
            if r.random() < 0.5:
                self.docs(indent + 1, "Field documentation.", 1)
            self.line(f"{fields.word()}: {self.ty(scope)},", indent + 1)
        self.line("}", indent)
        scope[name] = "record"

    def variant(self, names: Names, scope: dict[str, str], indent: int) -> None:
        r = self.rng
        name = names.noun()
        self.docs(indent, f"The `{name}` variant.")
        self.line(f"variant {name} {{", indent)
        cases = Names(r)
        for _ in range(r.randint(2, 8)):
            if r.random() < 0.4:
                self.docs(indent + 1, "Case documentation.", 1)
            case = cases.adjective()
            if r.random() < 0.6:
                self.line(f"{case}({self.ty(scope)}),", indent + 1)
            else:
                self.line(f"{case},", indent + 1)
        self.line("}", indent)
        scope[name] = "variant"

    def enum(self, names: Names, scope: dict[str, str], indent: int) -> None:
        r = self.rng
        name = names.noun()
        self.docs(indent, f"Error codes and states of `{name}`.", 2)
        self.line(f"enum {name} {{", indent)
        cases = Names(r)
        for _ in range(r.randint(3, 20)):
            if r.random() < 0.3:
                self.docs(indent + 1, "Enum case documentation.", 1)
            self.line(f"{cases.adjective()},", indent + 1)
        self.line("}", indent)
        scope[name] = "enum"

    def flags(self, names: Names, scope: dict[str, str], indent: int) -> None:
        r = self.rng
        name = names.noun()
        self.docs(indent, f"Permission bits of `{name}`.")
        self.line(f"flags {name} {{", indent)
        cases = Names(r)
        for _ in range(r.randint(2, 16)):
            self.line(f"{cases.adjective()},", indent + 1)
        self.line("}", indent)
        scope[name] = "flags"

    def alias(self, names: Names, scope: dict[str, str], indent: int) -> None:
        name = names.noun()
        self.docs(indent, f"Alias `{name}`.", 1)
        self.line(f"type {name} = {self.ty(scope)};", indent)
        scope[name] = "alias"

    def resource(self, names: Names, scope: dict[str, str], indent: int) -> None:
        r = self.rng
        name = names.noun()
        scope[name] = "resource"  # methods may mention the resource itself
        self.docs(indent, f"A handle to a `{name}`.", 3)
        self.since(indent)
        self.line(f"resource {name} {{", indent)
        methods = Names(r)
        if r.random() < 0.7:
            self.docs(indent + 1, f"Create a new `{name}`.", 1)
            self.line(f"constructor({self.params(scope, r.randint(0, 3))});", indent + 1)
        for _ in range(r.randint(2, 10)):
            self.docs(indent + 1, "Method documentation.")
            self.since(indent + 1)
            static = "static " if r.random() < 0.15 else ""
            self.line(f"{methods.verb()}: {static}{self.func_sig(scope)};", indent + 1)
        self.line("}", indent)

    def interface(self, index: int) -> None:
        r = self.rng
        name = self.iface_names.noun()
        iface = Iface(name)
        names = Names(r)
        scope: dict[str, str] = {}
        self.docs(0, f"The `{name}` interface.", 4)
        self.line("@since(version = 1.0.0)")
        self.line(f"interface {name} {{")
        # types from the dependency package, as WASI packages use wasi:io
        if r.random() < 0.5:
            self.line("use bench:base/streams@0.1.0.{input-stream, output-stream};", 1)
            scope["input-stream"] = scope["output-stream"] = "resource"
            names.taken.update(("input-stream", "output-stream"))
        if r.random() < 0.3:
            self.line("use bench:base/common@0.1.0.{error-code as base-error, timestamp};", 1)
            scope["base-error"], scope["timestamp"] = "variant", "alias"
            names.taken.update(("base-error", "timestamp"))
        # types from earlier interfaces of this package (an acyclic graph, as in WASI)
        earlier = [i for i in self.ifaces[-40:] if i.types]
        for dep in r.sample(earlier, min(len(earlier), r.randint(0, 3))):
            picked = r.sample(sorted(dep.types), min(len(dep.types), r.randint(1, 4)))
            items = []
            for t in picked:
                local = t if t not in names.taken else names.noun()
                if local != t:
                    items.append(f"{t} as {local}")
                else:
                    items.append(t)
                    names.taken.add(t)
                scope[local] = dep.types[t]
            self.since(1)
            self.line(f"use {dep.name}.{{{', '.join(items)}}};", 1)
            iface.deps.add(dep.name)
        self.line()
        makers = (
            self.record,
            self.record,
            self.variant,
            self.enum,
            self.flags,
            self.alias,
            self.resource,
            self.resource,
        )
        own_types_before = set(scope)
        for _ in range(r.randint(8, 22)):
            r.choice(makers)(names, scope, 1)
            self.line()
        for _ in range(r.randint(2, 10)):
            self.docs(1, "Function documentation.")
            self.since(1)
            self.line(f"{names.verb()}: {self.func_sig(scope, 6)};", 1)
        self.line("}")
        iface.types = {k: v for k, v in scope.items() if k not in own_types_before}
        self.ifaces.append(iface)

    def closure(self, name: str) -> set[str]:
        by_name = {i.name: i for i in self.ifaces}
        seen: set[str] = set()
        todo = [name]
        while todo:
            for d in by_name[todo.pop()].deps:
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        return seen

    def worlds(self, count: int) -> None:
        r = self.rng
        made: list[str] = []
        sets: dict[str, tuple[set[str], set[str]]] = {}
        names = Names(r)
        for _ in range(count):
            wname = self.iface_names.noun()  # worlds share the package's namespace
            self.docs(0, f"The `{wname}` world.", 2)
            self.line("@since(version = 1.0.0)")
            self.line(f"world {wname} {{")
            pool = r.sample(self.ifaces, min(len(self.ifaces), r.randint(4, 16)))
            # exports: interfaces nothing else in this world depends on
            deps = set().union(*(self.closure(i.name) for i in pool))
            exports = [i for i in pool[: len(pool) // 3] if i.name not in deps]
            imports = [i for i in pool if i not in exports]
            for i in imports:
                self.since(1)
                self.line(f"import {i.name};", 1)
            for i in exports:
                self.line(f"export {i.name};", 1)
            self.line("import bench:base/streams@0.1.0;", 1)
            for _ in range(r.randint(0, 2)):
                self.docs(1, "A function of the world.", 1)
                self.line(f"import {self.world_funcs.verb()}: func() -> u64;", 1)
            if r.random() < 0.3:
                fname = self.world_funcs.verb()
                self.line(f"export {fname}: func(arg: list<u8>) -> result<string>;", 1)
            if r.random() < 0.2:
                inline = self.world_funcs.noun()
                self.line(f"import {inline}: interface {{", 1)
                self.line(f"{names.verb()}: func(x: u32) -> string;", 2)
                self.line("}", 1)
            imp, exp = {i.name for i in imports}, {i.name for i in exports}
            if made and r.random() < 0.3:
                other = r.choice(made)
                oimp, oexp = sets[other]
                all_imp, all_exp = imp | oimp, exp | oexp
                reach = set().union(*(self.closure(x) for x in all_imp | all_exp))
                if not all_exp & (all_imp | reach):  # else "incompatible ways"
                    self.line(f"include {other};", 1)
                    imp, exp = all_imp, all_exp
            self.line("}")
            self.line()
            made.append(wname)
            sets[wname] = (imp, exp)


BASE_WIT = """\
/// A small dependency package, in the role wasi:io plays for WASI packages.
package bench:base@0.1.0;

/// Shared types.
interface common {
    /// Nanoseconds since the epoch.
    type timestamp = u64;

    /// Error codes shared by every interface.
    variant error-code {
        /// Access denied.
        access,
        /// Would block.
        would-block,
        /// Something else.
        other(option<string>),
    }
}

/// Byte streams.
interface streams {
    use common.{error-code};

    /// Readiness of a stream.
    resource pollable {
        ready: func() -> bool;
        block: func();
    }

    /// A readable stream of bytes.
    resource input-stream {
        read: func(len: u64) -> result<list<u8>, error-code>;
        subscribe: func() -> pollable;
    }

    /// A writable stream of bytes.
    resource output-stream {
        write: func(contents: list<u8>) -> result<_, error-code>;
        flush: func() -> result<_, error-code>;
        subscribe: func() -> pollable;
    }
}
"""


def generate(out: Path, lines: int = 100_000, seed: int = 1) -> int:
    """Write the package into `out`; return the number of lines written."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.wit"):
        old.unlink()
    if (out / "deps").exists():
        shutil.rmtree(out / "deps")
    (out / "deps" / "base").mkdir(parents=True)
    (out / "deps" / "base" / "base.wit").write_text(BASE_WIT, encoding="utf-8")
    total = BASE_WIT.count("\n")

    g = Gen(seed)
    budget = int(lines * 0.98) - total  # the worlds file takes the rest
    file_no = 0
    while budget > 0:
        g.out = [f"package {PACKAGE};", ""]
        if file_no % 5 == 0:
            g.out += ["// Generated by bench/gen_large.py; do not edit.", ""]
        for _ in range(INTERFACES_PER_FILE):
            g.interface(len(g.ifaces))
            g.line()
        text = "\n".join(g.out) + "\n"
        (out / f"part{file_no:03d}.wit").write_text(text, encoding="utf-8")
        budget -= text.count("\n")
        total += text.count("\n")
        file_no += 1

    g.out = [f"package {PACKAGE};", ""]
    g.worlds(max(4, len(g.ifaces) // 6))
    text = "\n".join(g.out) + "\n"
    (out / "worlds.wit").write_text(text, encoding="utf-8")
    return total + text.count("\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    total = generate(args.out, args.lines, args.seed)
    print(f"wrote {total} lines to {args.out}")


if __name__ == "__main__":
    main()
