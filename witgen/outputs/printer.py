"""Canonical WIT text, byte for byte what `wasm-tools component wit` prints.

Input: a `model.Resolve` whose `main` names the package the user pointed at. Output: WIT
text (`print_resolve`), one text per package (`print_package`), or the files that
`wasm-tools component wit --out-dir` writes (`out_dir_files`). Invariants, all taken from
wit-component's `WitPrinter` (wasm-tools 1.262):

- The main package comes first with a `package ns:name@ver;` header; every other package
  of the resolve follows in arena order as a nested `package ns:name { ... }` block, also
  the other packages of the main file (wasm-tools has no notion of a main group here).
- Two-space indentation, `\\n` only; identifiers that are WIT keywords get a `%` prefix.
- Items come out in model order, except where wit-component reorders: inside an interface
  or a world, `use` statements (synthesized from aliases of types owned elsewhere) come
  first, then type definitions, then functions; in a world, interface imports come before
  types, and function imports after them.
- Nothing is looked up by name and nothing is mutated: the output depends on the model
  alone, so the same resolve always prints to the same bytes.
"""

from __future__ import annotations

from witgen import model as m
from witgen._record import record
from witgen.resolve.errors import assert_never
from witgen.syntax.keywords import escape

# `witgen docs` prints its definitions and signatures here, and imports neither typing,
# dataclasses nor pathlib (see `codegen/markdown/pages.py`).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import PurePosixPath
    from typing import Literal


@record
class PrintOptions:
    """Options of `generate`."""

    # False drops every `///` doc comment (wasm-tools' `--no-docs`).
    docs: bool = True
    # True writes one file per package, as `wasm-tools component wit --out-dir` does.
    out_dir: bool = False


# ---------------------------------------------------------------- public entry points


def print_resolve(resolve: m.Resolve, *, main: m.PackageId | None = None, docs: bool = True) -> str:
    """The whole resolve: the main package (default `resolve.main`) first, then every
    other package nested, in arena order."""
    main = _main(resolve, main)
    nested = [m.PackageId(i) for i in range(len(resolve.packages)) if i != main]
    return print_packages(resolve, main, nested, docs=docs)


def print_packages(
    resolve: m.Resolve, main: m.PackageId, nested: Sequence[m.PackageId], *, docs: bool = True
) -> str:
    """`main` with a `package ...;` header, then each of `nested` as a `package ... { }` block."""
    printer = _Printer(resolve, docs=docs)
    printer.package(main, is_main=True)
    for i, pid in enumerate(nested):
        if i > 0:
            printer.out.newline()
            printer.out.newline()
        printer.package(pid, is_main=False)
    return printer.out.text()


def print_package(resolve: m.Resolve, pkg: m.PackageId, *, docs: bool = True) -> str:
    """One package on its own, as the main package of a file (`--out-dir` mode)."""
    return print_packages(resolve, pkg, (), docs=docs)


def out_dir_files(
    resolve: m.Resolve, *, main: m.PackageId | None = None, docs: bool = True
) -> dict[PurePosixPath, str]:
    """The files `wasm-tools component wit --out-dir DIR` writes, relative to DIR.

    The main package goes to `<stem>.wit`, every other one to `deps/<stem>.wit`. The stem
    is the package name, prefixed by `ns:` when packages of that name live in several
    namespaces, and suffixed by `@version` when `ns:name` itself is not unique. Keys are
    in arena order, the order wasm-tools writes them.
    """
    from pathlib import PurePosixPath

    main = _main(resolve, main)
    by_name: dict[str, dict[str, int]] = {}
    for pkg in resolve.packages:
        counts = by_name.setdefault(pkg.name.name, {})
        counts[pkg.name.namespace] = counts.get(pkg.name.namespace, 0) + 1
    files: dict[PurePosixPath, str] = {}
    for i, pkg in enumerate(resolve.packages):
        pid = m.PackageId(i)
        namespaces = by_name[pkg.name.name]
        stem = pkg.name.name if len(namespaces) == 1 else pkg.name.unversioned
        if namespaces[pkg.name.namespace] > 1 and pkg.name.version is not None:
            stem = f"{stem}@{pkg.name.version}"
        path = PurePosixPath(f"{stem}.wit")
        if pid != main:
            path = "deps" / path
        files[path] = print_package(resolve, pid, docs=docs)
    return files


def generate(
    resolve: m.Resolve, target: m.PackageId | None = None, options: PrintOptions | None = None
) -> dict[PurePosixPath, str | bytes]:
    """The backend entry point: `target` overrides the main package (default `resolve.main`).

    Without `out_dir` the result is one file, `<main package name>.wit`, holding what
    `print_resolve` prints.
    """
    from pathlib import PurePosixPath

    opts = options or PrintOptions()
    main = _main(resolve, target)
    if opts.out_dir:
        return dict(out_dir_files(resolve, main=main, docs=opts.docs))
    name = resolve.packages[main].name.name
    return {PurePosixPath(f"{name}.wit"): print_resolve(resolve, main=main, docs=opts.docs)}


def print_type(resolve: m.Resolve, tid: m.TypeId, *, docs: bool = False) -> str:
    """One named type of an interface or world as `print_resolve` writes it there, without
    the indentation: its gates and definition (a resource with its functions), or the `use`
    statement of a type defined in another interface."""
    td = resolve.types[tid]
    assert td.name is not None, "only named types are printed on their own"
    printer = _Printer(resolve, docs=docs)
    owner = _owner_key(td.owner)
    assert owner is not None
    # Only a resource has functions to print with it: the scan of its owner's functions
    # is left out for other types (a world of 10,000 items has 10,000 types to print).
    funcs: list[m.Function] = []
    if isinstance(td.kind, m.Resource):
        if owner[0] == "interface":
            funcs = [f for _, f in resolve.interfaces[owner[1]].functions]
        else:
            items = resolve.worlds[owner[1]].imports
            funcs = [i.function for _, i in items if isinstance(i, m.WorldFunction)]
    resource_funcs = {tid: [f for f in funcs if f.kind.resource == tid]}
    printer.types(owner, [(td.name, tid)], resource_funcs)
    return printer.out.text()


def print_function(resolve: m.Resolve, func: m.Function, *, docs: bool = False) -> str:
    """A function of an interface (or a world's resource) as `print_resolve` writes it
    there, without the indentation: `f: func(...)`, inside a resource `m: func(...)`,
    `s: static func(...)` or `constructor(...)`."""
    printer = _Printer(resolve, docs=docs)
    if func.kind.resource is None:
        printer.freestanding(func)
    else:
        printer.resource_function(func)
    return printer.out.text()


def type_name(resolve: m.Resolve, ty: m.Type | None) -> str:
    """A type as a signature spells it: a primitive, a name, or `list<u8>` and the like."""
    return _Printer(resolve, docs=False).type_name(ty)


def print_world_item(
    resolve: m.Resolve,
    wid: m.WorldId,
    key: m.WorldKey,
    item: m.WorldInterface | m.WorldFunction,
    side: Literal["import", "export"],
    *,
    docs: bool = False,
) -> str:
    """An import or export of a world as `print_resolve` writes it there, without the
    indentation (an inline interface with its body)."""
    world = resolve.worlds[wid]
    assert world.package is not None
    printer = _Printer(resolve, docs=docs)
    printer.world_item(key, item, world.package, side)
    return printer.out.text()


def _main(resolve: m.Resolve, main: m.PackageId | None) -> m.PackageId:
    if main is not None:
        return main
    if resolve.main is None:
        raise ValueError("the resolve has no main package to print")
    return resolve.main


# A type owner as a plain value: wit-parser compares owners to tell a local type from one
# that a `use` brings in.
if TYPE_CHECKING:
    _OwnerKey = tuple[Literal["interface", "world"], int]
# What a run of `use`d types must share to be printed as one statement.
_UseKey = tuple[m.InterfaceId, m.Stability, str | None]


def _owner_key(owner: m.TypeOwner) -> _OwnerKey | None:
    match owner:
        case None:
            return None
        case m.OwnerInterface(id=iid):
            return ("interface", iid)
        case m.OwnerWorld(id=wid):
            return ("world", wid)
        case _:
            assert_never(owner)


# ---------------------------------------------------------------- output buffer


class _Output:
    """wit-component's `OutputToString`: indentation is written lazily, at the first
    text of a line, so blank lines carry no trailing spaces."""

    __slots__ = ("_indent", "_needs_indent", "_parts")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._indent = 0
        self._needs_indent = False

    def _indent_if_needed(self) -> None:
        if self._needs_indent:
            self._parts.append("  " * self._indent)
            self._needs_indent = False

    def write(self, text: str) -> None:
        self._indent_if_needed()
        self._parts.append(text)

    def newline(self) -> None:
        self._parts.append("\n")
        self._needs_indent = True

    def semicolon(self) -> None:
        self.write(";")
        self.newline()

    def indent_start(self) -> None:
        self._parts.append(" {")
        self._indent += 1
        self.newline()

    def indent_end(self) -> None:
        self._indent = max(self._indent - 1, 0)
        self.write("}")
        self.newline()

    def doc(self, line: str) -> None:
        self.write("///")
        if line:
            self._parts.append(" " + line)
        self.newline()

    def text(self) -> str:
        return "".join(self._parts)


# ---------------------------------------------------------------- the printer


class _Printer:
    """Walks the model and writes WIT, one method per construct (as `WitPrinter`)."""

    def __init__(self, resolve: m.Resolve, *, docs: bool) -> None:
        self.resolve = resolve
        self.emit_docs = docs
        self.out = _Output()
        # Whether the current block already holds an item, so the next one needs a blank
        # line before it.
        self.any_items = False

    # ---- packages, interfaces, worlds

    def package(self, pid: m.PackageId, *, is_main: bool) -> None:
        pkg = self.resolve.packages[pid]
        self.docs(pkg.docs)
        self.out.write(f"package {escape(pkg.name.namespace)}:{escape(pkg.name.name)}")
        if pkg.name.version is not None:
            self.out.write(f"@{pkg.name.version}")
        if is_main:
            self.out.semicolon()
            self.out.newline()
        else:
            self.out.indent_start()
        for name, iid in pkg.interfaces:
            iface = self.resolve.interfaces[iid]
            self.docs(iface.docs)
            self.gates(iface.stability)
            self.out.write(f"interface {escape(name)}")
            self.out.indent_start()
            self.interface(iid)
            self.out.indent_end()
            if is_main:
                self.out.newline()
        for name, wid in pkg.worlds:
            world = self.resolve.worlds[wid]
            self.docs(world.docs)
            self.gates(world.stability)
            self.out.write(f"world {escape(name)}")
            self.out.indent_start()
            self.world(wid)
            self.out.indent_end()
        if not is_main:
            self.out.indent_end()

    def interface(self, iid: m.InterfaceId) -> None:
        prev_items, self.any_items = self.any_items, False
        iface = self.resolve.interfaces[iid]
        resource_funcs: dict[m.TypeId, list[m.Function]] = {}
        freestanding: list[m.Function] = []
        for _, func in iface.functions:
            if func.kind.resource is not None:
                resource_funcs.setdefault(func.kind.resource, []).append(func)
            else:
                freestanding.append(func)
        self.types(("interface", iid), iface.types, resource_funcs)
        for func in freestanding:
            self.new_item()
            self.freestanding(func)
        self.any_items = prev_items

    def freestanding(self, func: m.Function) -> None:
        """A function of an interface: `name: func(...) -> ...;` after its docs and gates."""
        self.docs(func.docs)
        self.gates(func.stability, _external_id(func))
        self.out.write(f"{escape(func.item_name)}: ")
        self.function(func)
        self.out.semicolon()

    def world(self, wid: m.WorldId) -> None:
        prev_items, self.any_items = self.any_items, False
        world = self.resolve.worlds[wid]
        assert world.package is not None
        types: list[tuple[str, m.TypeId]] = []
        resource_funcs: dict[m.TypeId, list[m.Function]] = {}
        function_imports: list[tuple[m.WorldKey, m.WorldItem]] = []
        for key, item in world.imports:
            match item:
                case m.WorldType(id=tid):
                    assert isinstance(key, str)
                    types.append((key, tid))
                case m.WorldFunction(function=func) if func.kind.resource is not None:
                    resource_funcs.setdefault(func.kind.resource, []).append(func)
                case m.WorldFunction():
                    function_imports.append((key, item))
                case m.WorldInterface():
                    self.world_item(key, item, world.package, "import")
                    # No blank line between imports, but one between them and what follows.
                    self.any_items = True
                case _:
                    assert_never(item)
        self.types(("world", wid), types, resource_funcs)
        for key, item in function_imports:
            self.world_item(key, item, world.package, "import")
            self.any_items = True
        if world.exports:
            self.new_item()
        for key, item in world.exports:
            self.world_item(key, item, world.package, "export")
        self.any_items = prev_items

    def world_item(
        self, key: m.WorldKey, item: m.WorldItem, pkg: m.PackageId, keyword: str
    ) -> None:
        match item:
            case m.WorldInterface(id=iid, docs=docs, stability=stability):
                iface = self.resolve.interfaces[iid]
                if isinstance(key, str):
                    # A plain name falls back on the interface's own docs.
                    self.docs(docs if docs.contents is not None else iface.docs)
                    self.gates(stability, _external_id(item))
                    self.out.write(f"{keyword} {escape(key)}: ")
                    if iface.name is None:
                        self.out.write("interface")
                        self.out.indent_start()
                        self.interface(iid)
                        self.out.indent_end()
                    else:
                        self.interface_path(iid, pkg)
                        self.out.semicolon()
                else:
                    self.docs(docs)
                    self.gates(stability, _external_id(item))
                    self.out.write(f"{keyword} ")
                    self.interface_path(iid, pkg)
                    self.out.semicolon()
            case m.WorldFunction(function=func):
                self.docs(func.docs)
                self.gates(func.stability, _external_id(func))
                self.out.write(f"{keyword} {escape(func.name)}: ")
                self.function(func)
                self.out.semicolon()
            case m.WorldType():
                raise AssertionError("world types are printed with the world's types")
            case _:
                assert_never(item)

    def interface_path(self, iid: m.InterfaceId, cur_pkg: m.PackageId) -> None:
        iface = self.resolve.interfaces[iid]
        assert iface.name is not None and iface.package is not None
        if iface.package == cur_pkg:
            self.out.write(escape(iface.name))
            return
        name = self.resolve.packages[iface.package].name
        self.out.write(f"{escape(name.namespace)}:{escape(name.name)}/{escape(iface.name)}")
        if name.version is not None:
            self.out.write(f"@{name.version}")

    # ---- types

    def types(
        self,
        owner: _OwnerKey,
        types: Iterable[tuple[str, m.TypeId]],
        resource_funcs: dict[m.TypeId, list[m.Function]],
    ) -> None:
        # Aliases of types owned elsewhere become `use` statements, grouped while the
        # source interface, the gate and the external id stay the same.
        to_declare: list[m.TypeId] = []
        to_import: list[tuple[_UseKey, list[tuple[str, str]]]] = []
        for name, tid in types:
            ty = self.resolve.types[tid]
            if isinstance(ty.kind, m.Alias) and not isinstance(ty.kind.type, str):
                other = self.resolve.types[ty.kind.type]
                other_owner = _owner_key(other.owner)
                if other_owner is not None and other_owner != owner:
                    assert other.name is not None, "cannot import an unnamed type"
                    assert isinstance(other.owner, m.OwnerInterface), "use from a world"
                    key = (other.owner.id, ty.stability, _external_id(ty))
                    if to_import and to_import[-1][0] == key:
                        to_import[-1][1].append((name, other.name))
                    else:
                        to_import.append((key, [(name, other.name)]))
                    continue
            to_declare.append(tid)

        my_pkg = self._owner_package(owner)
        for (source, stability, external_id), names in to_import:
            self.any_items = True
            self.gates(stability, external_id)
            self.out.write("use ")
            self.interface_path(source, my_pkg)
            parts = [
                escape(mine) if mine == theirs else f"{escape(theirs)} as {escape(mine)}"
                for mine, theirs in names
            ]
            self.out.write(".{" + ", ".join(parts) + "}")
            self.out.semicolon()

        for tid in to_declare:
            ty = self.resolve.types[tid]
            self.new_item()
            self.docs(ty.docs)
            self.gates(ty.stability, _external_id(ty))
            if isinstance(ty.kind, m.Resource):
                self.resource(tid, resource_funcs.get(tid, []))
            else:
                self.declare_type(ty)

    def _owner_package(self, owner: _OwnerKey) -> m.PackageId:
        if owner[0] == "interface":
            pkg = self.resolve.interfaces[owner[1]].package
        else:
            pkg = self.resolve.worlds[owner[1]].package
        assert pkg is not None
        return pkg

    def resource(self, tid: m.TypeId, funcs: Sequence[m.Function]) -> None:
        name = self.resolve.types[tid].name
        assert name is not None, "resources must be named"
        self.out.write(f"resource {escape(name)}")
        if not funcs:
            self.out.semicolon()
            return
        self.out.indent_start()
        for func in funcs:
            self.resource_function(func)
        self.out.indent_end()

    def resource_function(self, func: m.Function) -> None:
        """A constructor, method or static function, as written inside its resource."""
        self.docs(func.docs)
        self.gates(func.stability, _external_id(func))
        match func.kind.name:
            case "constructor":
                pass
            case "method" | "async-method":
                self.out.write(f"{escape(func.item_name)}: ")
            case "static" | "async-static":
                self.out.write(f"{escape(func.item_name)}: static ")
            case "freestanding" | "async-freestanding":
                raise AssertionError("a resource function must have a resource")
            case _:
                assert_never(func.kind.name)
        self.function(func)
        self.out.semicolon()

    def declare_type(self, ty: m.TypeDef) -> None:
        """A named type definition (`record`, `type x = ...`, ...); anonymous ones print
        nothing, as they are spelled out where used."""
        name = ty.name
        kind = ty.kind
        match kind:
            case m.Record(fields=fields):
                assert name is not None, "unnamed record type"
                self.out.write(f"record {escape(name)}")
                self.out.indent_start()
                for f in fields:
                    self.docs(f.docs)
                    self.out.write(f"{escape(f.name)}: {self.type_name(f.type)},")
                    self.out.newline()
                self.out.indent_end()
            case m.Flags(flags=flags):
                assert name is not None, "unnamed flags type"
                self.out.write(f"flags {escape(name)}")
                self.out.indent_start()
                for flag in flags:
                    self.docs(flag.docs)
                    self.out.write(f"{escape(flag.name)},")
                    self.out.newline()
                self.out.indent_end()
            case m.Variant(cases=cases):
                assert name is not None, "unnamed variant type"
                self.out.write(f"variant {escape(name)}")
                self.out.indent_start()
                for case in cases:
                    self.docs(case.docs)
                    payload = "" if case.type is None else f"({self.type_name(case.type)})"
                    self.out.write(f"{escape(case.name)}{payload},")
                    self.out.newline()
                self.out.indent_end()
            case m.Enum(cases=ecases):
                assert name is not None, "unnamed enum type"
                self.out.write(f"enum {escape(name)}")
                self.out.indent_start()
                for ecase in ecases:
                    self.docs(ecase.docs)
                    self.out.write(f"{escape(ecase.name)},")
                    self.out.newline()
                self.out.indent_end()
            case m.Resource():
                raise AssertionError("resources are printed by `resource`")
            case m.Handle():
                # `own<r>` is spelled out: `type a = r` would be a plain alias instead.
                if name is not None:
                    self.out.write(f"type {escape(name)} = {self.handle(kind, force=True)}")
                    self.out.semicolon()
            case (
                m.TupleKind()
                | m.OptionKind()
                | m.ResultKind()
                | m.ListKind()
                | m.FixedList()
                | m.MapKind()
                | m.Future()
                | m.Stream()
                | m.Alias()
            ):
                if name is not None:
                    self.out.write(f"type {escape(name)} = {self.anonymous(kind)}")
                    self.out.semicolon()
            case _:
                assert_never(kind)

    def type_name(self, ty: m.Type | None) -> str:
        """A type as used in a signature: a primitive, a name, or an anonymous spelling."""
        if ty is None:
            return "_"
        if isinstance(ty, str):
            return ty
        td = self.resolve.types[ty]
        if td.name is not None:
            return escape(td.name)
        kind = td.kind
        match kind:
            case m.Record() | m.Flags() | m.Variant() | m.Enum() | m.Resource():
                raise AssertionError(f"unnamed {type(kind).__name__.lower()} type")
            case m.Handle():
                return self.handle(kind, force=False)
            case (
                m.TupleKind()
                | m.OptionKind()
                | m.ResultKind()
                | m.ListKind()
                | m.FixedList()
                | m.MapKind()
                | m.Future()
                | m.Stream()
                | m.Alias()
            ):
                return self.anonymous(kind)
            case _:
                assert_never(kind)

    def anonymous(
        self,
        kind: m.TupleKind
        | m.OptionKind
        | m.ResultKind
        | m.ListKind
        | m.FixedList
        | m.MapKind
        | m.Future
        | m.Stream
        | m.Alias,
    ) -> str:
        """The spelling of a structural type (`list<u8>`, `result<_, e>`, ...)."""
        match kind:
            case m.TupleKind(types=types):
                return "tuple<" + ", ".join(self.type_name(t) for t in types) + ">"
            case m.OptionKind(type=t):
                return f"option<{self.type_name(t)}>"
            case m.ResultKind(ok=None, err=None):
                return "result"
            case m.ResultKind(ok=ok, err=None):
                return f"result<{self.type_name(ok)}>"
            case m.ResultKind(ok=ok, err=err):
                return f"result<{self.type_name(ok)}, {self.type_name(err)}>"
            case m.ListKind(type=t):
                return f"list<{self.type_name(t)}>"
            case m.FixedList(type=t, size=size):
                return f"list<{self.type_name(t)}, {size}>"
            case m.MapKind(key=k, value=v):
                return f"map<{self.type_name(k)}, {self.type_name(v)}>"
            case m.Future(type=t):
                return "future" if t is None else f"future<{self.type_name(t)}>"
            case m.Stream(type=t):
                return "stream" if t is None else f"stream<{self.type_name(t)}>"
            case m.Alias(type=t):
                return self.type_name(t)
            case _:
                assert_never(kind)

    def handle(self, handle: m.Handle, *, force: bool) -> str:
        name = self.resolve.types[handle.resource].name
        assert name is not None, "unnamed resource type"
        if handle.kind == "borrow":
            return f"borrow<{escape(name)}>"
        return f"own<{escape(name)}>" if force else escape(name)

    # ---- functions

    def function(self, func: m.Function) -> None:
        if func.is_async:
            self.out.write("async ")
        self.out.write("constructor(" if func.kind.name == "constructor" else "func(")
        params = func.params[1:] if func.kind.name in ("method", "async-method") else func.params
        self.out.write(", ".join(f"{escape(p.name)}: {self.type_name(p.type)}" for p in params))
        self.out.write(")")
        if self._constructor_shorthand(func):
            return
        if func.result is not None:
            self.out.write(f" -> {self.type_name(func.result)}")

    def _constructor_shorthand(self, func: m.Function) -> bool:
        """A constructor returning `own<its resource>` prints no result."""
        if func.kind.name != "constructor" or func.result is None:
            return False
        if isinstance(func.result, str):
            return False
        kind = self.resolve.types[func.result].kind
        return (
            isinstance(kind, m.Handle)
            and kind.kind == "own"
            and kind.resource == func.kind.resource
        )

    # ---- docs, gates, spacing

    def new_item(self) -> None:
        if self.any_items:
            self.out.newline()
        self.any_items = True

    def docs(self, docs: m.Docs) -> None:
        if self.emit_docs and docs.contents is not None:
            for line in rust_lines(docs.contents):
                self.out.doc(line)

    def gates(self, stability: m.Stability, external_id: str | None = None) -> None:
        """The attributes before an item: its gate, then `@external-id(...)`."""
        deprecated: str | None = None
        match stability:
            case m.Unknown():
                pass
            case m.Stable(since=since, deprecated=deprecated):
                self.out.write(f"@since(version = {since})")
                self.out.newline()
            case m.Unstable(feature=feature, deprecated=deprecated):
                self.out.write(f"@unstable(feature = {feature})")
                self.out.newline()
            case _:
                assert_never(stability)
        if deprecated is not None:
            self.out.write(f"@deprecated(version = {deprecated})")
            self.out.newline()
        if external_id is not None:
            self.out.write(f"@external-id({string_literal(external_id)})")
            self.out.newline()


# The characters a WIT string literal keeps as they are; `\n`, `\t`, `\r`, `\"` and `\\`
# get a backslash, and everything else becomes `\u{hex}` (as wit-component writes them).
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -./:_")
_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def string_literal(text: str) -> str:
    """`text` as a quoted WIT string literal, escaped as wasm-tools prints it."""
    body = "".join(ch if ch in _PLAIN else _ESCAPES.get(ch) or f"\\u{{{ord(ch):x}}}" for ch in text)
    return f'"{body}"'


def _external_id(item: m.TypeDef | m.Function | m.WorldInterface) -> str | None:
    """wit-parser's `@external-id("...")` of an item.

    The model does not carry it yet (wasm-tools' JSON has an `external_id` member on
    types, functions and interface world items); until it does, this reads nothing.
    """
    value = getattr(item, "external_id", None)
    return value if isinstance(value, str) else None


def rust_lines(text: str) -> list[str]:
    """Rust's `str::lines`, which wit-component splits docs with: lines end at `\\n` or
    `\\r\\n` (a `\\r` without `\\n` stays), and a final line ending adds no empty line."""
    lines = text.split("\n")
    last = lines.pop()
    out = [line.removesuffix("\r") for line in lines]
    if last:
        out.append(last)
    return out
