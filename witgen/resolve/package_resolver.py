"""The per-package resolver: one package's syntax trees → an `UnresolvedPackage`.

Input: an `UnresolvedPackage` holding the package's files (top-level items per file).
Output: the same record, filled in: local arenas of interfaces, worlds and types, each
name looked up, every `use` bound, anonymous types interned; and the package's errors
(`run` returns them). This is wit-parser's AST resolver, in its order:

1. foreign interfaces and worlds named by `use`, `include` and imports get placeholder
   ids, in the order of first mention;
2. the package's interfaces and worlds are allocated in a topological order of their
   `use`/`include` edges;
3. foreign types named by `use` get placeholder types;
4. interfaces (their `use`s, types in topological order, then functions), then worlds,
   are resolved.

Invariants: ids are allocated in exactly wit-parser's order (its JSON shows them); an
anonymous type is interned once per package, at its first use; an owned handle (`r`,
`own<r>`) is kept as a plain reference to `r`, which the remap turns into the handle;
after an error, resolution goes on to report the others, and the items that depend on a
failed one stay silent (they are "poisoned"). The recoveries: an item or type defined
twice keeps its first definition, and the name is poisoned (which one a user means is
not known); a missing or failed `use` poisons the names it brings; a type that names a
missing type, or is in a cycle, is poisoned and looked into for errors of its own; a
member, parameter or part of a type that fails makes its type or function fail after
the others are checked; a world item that fails is left out (the world is then
incomplete); conflicting gates take the first gate written. An error is recorded once,
however many passes meet it.
"""

from __future__ import annotations

from witgen import model as m
from witgen.model.kinds import (
    new_handle,
    new_list,
    new_option,
    new_result,
    new_tuple,
    referenced_types,
)
from witgen.resolve.docs_and_gates import (
    docs_of,
    external_id_of,
    intended_stability,
    stability_of,
)
from witgen.resolve.errors import (
    BUILTIN_TYPE_NAMES,
    ErrorLog,
    Poisoned,
    ResolveError,
    assert_never,
    fail,
    hint,
)
from witgen.resolve.toposort import ready_order, toposort_all, typedef_deps
from witgen.resolve.unique_names import UniqueNames, check_members
from witgen.resolve.unresolved import (
    UnresolvedFunction,
    UnresolvedInclude,
    UnresolvedInterface,
    UnresolvedPackage,
    UnresolvedType,
    UnresolvedWorld,
    UnresolvedWorldInterface,
    UnresolvedWorldItem,
    new_unresolved_function,
    new_unresolved_type,
)
from witgen.syntax import nodes as n
from witgen.text.diagnostics import error
from witgen.text.source import Span

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Literal, ParamSpec, TypeVar

    from witgen.resolve.unresolved import ItemRef
    from witgen.text.diagnostics import Diagnostic

    _T = TypeVar("_T")
    _P = ParamSpec("_P")
    # What a name means inside an interface or world: a local type, or another item (a
    # function), which `use` cannot import and a type cannot name.
    TypeOrItem = tuple[Literal["type"], int] | tuple[Literal["item"], str]
    # An anonymous type's interning key: its kind's class, then the kind's field values.
    AnonymousKey = tuple[Any, ...]

# The types a map's key may have.
_MAP_KEY_TYPES = {"bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "char", "string"}


def _package_of_path(p: n.PackagePath) -> m.PackageName:
    return m.PackageName(namespace=p.namespace.name, name=p.package.name, version=p.version)


def _for_each_path(
    items: list[n.TopItem],
    f: Callable[
        [n.Id | None, tuple[n.Attribute, ...], n.UsePath, tuple[n.UseName, ...] | None, str], None
    ],
) -> None:
    """Every `use`/`include`/import path of a file, in wit-parser's visiting order."""
    for item in items:
        match item:
            case n.World():
                imports: list[tuple[tuple[n.Attribute, ...], n.Extern]] = []
                exports: list[tuple[tuple[n.Attribute, ...], n.Extern]] = []
                for wi in item.items:
                    if isinstance(wi, n.Use):
                        f(None, wi.attrs, wi.path, wi.names, "interface")
                    elif isinstance(wi, n.Include):
                        f(item.name, wi.attrs, wi.path, None, "world")
                    elif isinstance(wi, n.Import):
                        imports.append((wi.attrs, wi.extern))
                    elif isinstance(wi, n.Export):
                        exports.append((wi.attrs, wi.extern))
                for attrs, ext in imports + exports:
                    if isinstance(ext, n.ExternInline):
                        for ii in ext.items:
                            if isinstance(ii, n.Use):
                                f(None, ii.attrs, ii.path, ii.names, "interface")
                    elif isinstance(ext, n.ExternPath | n.ExternNamed):
                        f(None, attrs, ext.path, None, "interface")
            case n.Interface():
                for ii in item.items:
                    if isinstance(ii, n.Use):
                        f(item.name, ii.attrs, ii.path, ii.names, "interface")
            case n.ToplevelUse():
                f(None, item.attrs, item.path, None, "unknown")
            case n.NestedPackage():
                pass
            case _:
                assert_never(item)


def _resource_function_name(rf: n.ResourceFunc, resource: str) -> tuple[str, m.FunctionKindName]:
    """The name (`[method]r.m`, `[static]r.s`, `[constructor]r`) and kind of a resource member."""
    is_async = rf.func.is_async
    if rf.kind == "method":
        return f"[method]{resource}.{rf.name.name}", "async-method" if is_async else "method"
    if rf.kind == "static":
        return f"[static]{resource}.{rf.name.name}", "async-static" if is_async else "static"
    return f"[constructor]{resource}", "constructor"


def _first_token_span(ty: n.Type) -> Span:
    """Where wit-parser points for a whole type: its first token (`result` of `result<..>`)."""
    word = {
        n.ResultType: "result",
        n.TupleType: "tuple",
        n.ListType: "list",
        n.OptionType: "option",
    }
    length = len(word.get(type(ty), "")) or (ty.span.end - ty.span.start)
    return Span(ty.span.start, ty.span.start + length)


def _anonymous_kind(key: AnonymousKey) -> m.TypeDefKind:
    """The kind an `anon_key` stands for."""
    match key:
        case (m.Handle, hk, r):
            return new_handle(kind=hk, resource=r)
        case (m.ListKind, t):
            return new_list(type=t)
        case (m.FixedList, t, size):
            return m.FixedList(type=t, size=size)
        case (m.OptionKind, t):
            return new_option(type=t)
        case (m.ResultKind, ok, err):
            return new_result(ok=ok, err=err)
        case (m.TupleKind, ts):
            return new_tuple(types=ts)
        case (m.MapKind, k, v):
            return m.MapKind(key=k, value=v)
        case (m.Future, t):
            return m.Future(type=t)
        case (m.Stream, t):
            return m.Stream(type=t)
        case _:
            raise AssertionError(f"not an anonymous type key: {key!r}")


class PackageResolver(ErrorLog):
    """wit-parser's AST resolver for one package: builds an `UnresolvedPackage`.

    Its errors are recorded as found (`ErrorLog`); a world that meets a failure, even a
    silent one, is incomplete.
    """

    def __init__(self, pkg: UnresolvedPackage) -> None:
        super().__init__()
        self.pkg = pkg
        self.ast_items: list[dict[str, ItemRef]] = []
        # Per file: names that a path may not name silently: a top-level `use` whose
        # target does not exist, a name the file defines twice. And names of interfaces
        # or worlds the package defines twice. The error is reported once: which item a
        # path to one of them means is not known, so the path stays silent (Poisoned).
        self.dead_names: list[set[str]] = []
        self.ambiguous: set[str] = set()
        self.package_items: dict[str, ItemRef] = {}
        self.interface_types: list[dict[str, tuple[TypeOrItem, Span]]] = []
        self.foreign_interfaces: set[int] = set()
        self.current_file = 0
        self.type_lookup: dict[str, tuple[TypeOrItem, Span]] = {}
        self.anonymous_types: dict[AnonymousKey, int] = {}
        # `docs_of` by comment text: generated packages repeat the same docs many times.
        self.doc_texts: dict[tuple[str, ...], m.Docs] = {}
        # After an error, resolution goes on to report the others, and items that failed
        # are "poisoned" so that their dependents stay silent.
        self.poisoned_types: set[int] = set()
        self.poisoned_interfaces: set[int] = set()
        # `id()` of the items left out as duplicates of an earlier item of the same
        # name: they are reported, then neither resolved nor looked into.
        self.skipped: set[int] = set()
        # Names already reported missing while the types being looked up were ordered:
        # a lookup of one is silent (see `resolve_types`).
        self.unresolvable: set[str] = set()

    def attempt(
        self, action: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs
    ) -> tuple[bool, _T | None]:
        """Run one item's resolution; record its error instead of stopping."""
        try:
            return True, action(*args, **kwargs)
        except (ResolveError, Poisoned) as e:
            self.note(e)
        return False, None

    def stability(self, attrs: tuple[n.Attribute, ...]) -> m.Stability:
        """`stability_of`; conflicting gates are reported, and the item is gated as its
        author most likely meant (`intended_stability`)."""
        if not attrs:
            return m.UNKNOWN
        try:
            return stability_of(attrs)
        except ResolveError as e:
            self.report(e.diag)
            return intended_stability(attrs)

    def docs(self, d: n.Docs) -> m.Docs:
        """`docs_of`, computed once per distinct comment text of the package."""
        if not d.comments:
            return m.NO_DOCS
        found = self.doc_texts.get(d.comments)
        if found is None:
            found = self.doc_texts[d.comments] = docs_of(d)
        return found

    # ---- allocation
    def alloc_interface(self, name: str | None, span: Span) -> int:
        self.pkg.interfaces.append(UnresolvedInterface(name=name, span=span))
        self.interface_types.append({})
        return len(self.pkg.interfaces) - 1

    def alloc_world(self, name: str, span: Span) -> int:
        self.pkg.worlds.append(UnresolvedWorld(name=name, span=span))
        return len(self.pkg.worlds) - 1

    def alloc_type(self, t: UnresolvedType) -> int:
        self.pkg.types.append(t)
        return len(self.pkg.types) - 1

    # ---- driver
    def run(self) -> list[Diagnostic]:
        """Fill in the package; its errors, the first being wit-parser's.

        After an error the package is still complete enough to be appended (a failed type
        is a poisoned placeholder, a failed function or world item is left out), so that
        the remap can report its own errors; a world that lost an item is marked incomplete.
        """
        files = self.pkg.files
        self.populate_foreign_deps(files)
        iface_order, world_order = self.populate_ast_items(files)
        self.populate_foreign_types(files)
        iface_ast: dict[int, tuple[n.Interface, int]] = {}
        world_ast: dict[int, tuple[n.World, int]] = {}
        for i, items in enumerate(files):
            for item in items:
                if id(item) in self.skipped:
                    continue
                if isinstance(item, n.Interface):
                    iface_ast[self.pkg.interface_names[item.name.name]] = (item, i)
                elif isinstance(item, n.World):
                    world_ast[self.pkg.world_names[item.name.name]] = (item, i)
        for iid in iface_order:
            iface, i = iface_ast[iid]
            self.current_file = i
            saved = self.type_lookup
            done, _ = self.attempt(
                self.resolve_interface, iid, iface.items, iface.docs, iface.attrs
            )
            self.type_lookup = saved
            if not done:
                self.poisoned_interfaces.add(iid)
        for wid in world_order:
            world, i = world_ast[wid]
            self.current_file = i
            before = self.failures
            self.attempt(self.resolve_world, wid, world)
            if self.failures != before:
                self.pkg.worlds[wid].complete = False
        self.pkg.poisoned_types = self.poisoned_types
        return self.errors

    def populate_foreign_deps(self, files: list[list[n.TopItem]]) -> None:
        pkg = self.pkg

        def visit(
            _cur: n.Id | None,
            attrs: tuple[n.Attribute, ...],
            path: n.UsePath,
            _names: tuple[n.UseName, ...] | None,
            kind: str,
        ) -> None:
            if not isinstance(path, n.PackagePath):
                return
            stability = self.stability(attrs) if attrs else m.UNKNOWN
            pname = _package_of_path(path)
            deps = pkg.foreign_deps.get(pname)
            if deps is None:
                deps = pkg.foreign_deps[pname] = {}
                pkg.foreign_dep_spans.append(Span(path.namespace.span.start, path.package.span.end))
            if path.name.name not in deps:
                if kind == "world":
                    wid = self.alloc_world(path.name.name, path.name.span)
                    deps[path.name.name] = ("w", wid)
                    pkg.foreign_item_spans[("w", wid)] = path.name.span
                    pkg.foreign_item_stability[("w", wid)] = stability
                else:
                    iid = self.alloc_interface(path.name.name, path.name.span)
                    deps[path.name.name] = ("i", iid)
                    self.foreign_interfaces.add(iid)
                    pkg.foreign_item_spans[("i", iid)] = path.name.span
                    pkg.foreign_item_stability[("i", iid)] = stability

        for items in files:
            _for_each_path(items, visit)
        pkg.n_foreign_interfaces = len(pkg.interfaces)
        pkg.n_foreign_worlds = len(pkg.worlds)

    def populate_ast_items(self, files: list[list[n.TopItem]]) -> tuple[list[int], list[int]]:
        names: dict[str, n.Interface | n.World] = {}
        order: dict[str, list[n.Id]] = {}
        for items in files:
            for item in items:
                if isinstance(item, n.Interface | n.World):
                    if item.name.name in names:
                        # The first definition keeps the name; this one is not resolved.
                        self.report(
                            error(
                                "WIT203", f"duplicate item named `{item.name.name}`", item.name.span
                            )
                        )
                        self.skipped.add(id(item))
                        self.ambiguous.add(item.name.name)
                        continue
                    names[item.name.name] = item
                    order[item.name.name] = []
        for file_index, items in enumerate(files):
            if self.skipped:
                items = [x for x in items if id(x) not in self.skipped]
                files[file_index] = items
            ns: dict[str, tuple[Span, n.Id | None]] = {}
            dead: set[str] = set()
            self.dead_names.append(dead)
            for item in items:
                if isinstance(item, n.ToplevelUse):
                    name = item.alias or item.path.name
                    src = item.path.name if isinstance(item.path, n.LocalPath) else None
                elif isinstance(item, n.Interface | n.World):
                    name, src = item.name, item.name
                else:
                    continue
                if name.name in ns:
                    # The file's first item of that name keeps it.
                    self.report(
                        error("WIT203", f"duplicate name `{name.name}` in this file", name.span)
                    )
                    dead.add(name.name)
                    continue
                ns[name.name] = (name.span, src)

            def visit(
                cur: n.Id | None,
                _attrs: tuple[n.Attribute, ...],
                path: n.UsePath,
                _names: tuple[n.UseName, ...] | None,
                _kind: str,
                ns: dict[str, tuple[Span, n.Id | None]] = ns,
                dead: set[str] = dead,
            ) -> None:
                if cur is None or not isinstance(path, n.LocalPath):
                    return
                used = path.name
                if used.name in dead or used.name in self.ambiguous:
                    return  # which item is meant is not known: no edge (the path is silent)
                entry = ns.get(used.name)
                if entry is not None:
                    target = entry[1]
                    if target is not None and target.name not in self.ambiguous:
                        order[cur.name].append(target)
                    return
                if used.name in names:
                    order[cur.name].append(used)
                    return
                self.report(
                    error(
                        "WIT202",
                        f"interface or world `{used.name}` does not exist",
                        used.span,
                        *hint(used.name, list(names)),
                    )
                )

            _for_each_path(items, visit)
        topo, errors, _ = toposort_all("interface or world", order)
        cyclic: set[str] = set()
        if errors:
            for e in errors:
                self.report(e)
            # Items in a cycle, or behind one, are resolved last, in declaration order,
            # and poisoned: a `use` of one may find it not resolved yet. An item naming a
            # missing one keeps its place, before the items that use it.
            topo = ready_order({k: [d for d in ds if d.name in order] for k, ds in order.items()})
            cyclic = set(order).difference(topo)
            topo += [x for x in order if x in cyclic]
        iface_order: list[int] = []
        world_order: list[int] = []
        ids: dict[str, ItemRef] = {}
        for item_name in topo:
            item = names[item_name]
            if isinstance(item, n.Interface):
                iid = self.alloc_interface(item_name, item.name.span)
                self.pkg.interface_names[item_name] = iid
                ids[item_name] = ("i", iid)
                iface_order.append(iid)
                if item_name in cyclic:
                    self.poisoned_interfaces.add(iid)
            else:
                wid = self.alloc_world(item_name, item.name.span)
                self.pkg.world_names[item_name] = wid
                ids[item_name] = ("w", wid)
                world_order.append(wid)
        self.package_items = dict(ids)
        for items, dead in zip(files, self.dead_names, strict=True):
            file_items: dict[str, ItemRef] = {}
            for item in items:
                if isinstance(item, n.ToplevelUse):
                    name = item.alias or item.path.name
                    if name.name in file_items or name.name in dead:
                        continue  # a duplicate name in this file, reported above
                    if item.attrs:
                        # The grammar takes them, as wit-parser's does; the item is still
                        # bound (its users stay silent).
                        message = "attributes not allowed on top-level use"
                        self.report(error("WIT104", message, item.keyword))
                    if isinstance(item.path, n.LocalPath):
                        found = ids.get(item.path.name.name)
                        if found is None:
                            self.report(
                                error(
                                    "WIT202",
                                    f"interface or world `{item.path.name.name}` does not exist",
                                    item.path.name.span,
                                    *hint(item.path.name.name, list(ids)),
                                )
                            )
                            dead.add(name.name)
                            continue
                        file_items[name.name] = found
                    else:
                        dep = self.pkg.foreign_deps[_package_of_path(item.path)][
                            item.path.name.name
                        ]
                        file_items[name.name] = (dep[0], dep[1])  # type: ignore[assignment]
                elif isinstance(item, n.Interface | n.World):
                    file_items.setdefault(item.name.name, ids[item.name.name])
            self.ast_items.append(file_items)
        return iface_order, world_order

    def populate_foreign_types(self, files: list[list[n.TopItem]]) -> None:
        for i, items in enumerate(files):
            self.current_file = i

            def visit(
                _cur: n.Id | None,
                attrs: tuple[n.Attribute, ...],
                path: n.UsePath,
                names: tuple[n.UseName, ...] | None,
                _kind: str,
            ) -> None:
                if names is None:
                    return
                stability = self.stability(attrs) if attrs else m.UNKNOWN
                _, iface = self.attempt(self.use_source, path)
                if iface is None or iface not in self.foreign_interfaces:
                    return
                lookup = self.interface_types[iface]
                for un in names:
                    if un.name.name in lookup:
                        continue
                    tid = self.alloc_type(
                        new_unresolved_type(
                            name=un.name.name,
                            kind=None,
                            owner=("i", iface),
                            docs=m.NO_DOCS,
                            stability=stability,
                            span=un.name.span,
                            field_spans=(),
                            external_id=None,
                        )
                    )
                    lookup[un.name.name] = (("type", tid), un.name.span)

            _for_each_path(items, visit)
        self.pkg.n_foreign_types = len(self.pkg.types)

    # ---- lookups
    def resolve_ast_item_path(self, path: n.UsePath) -> tuple[ItemRef, str, Span]:
        if isinstance(path, n.LocalPath):
            name = path.name.name
            if name in self.dead_names[self.current_file] or name in self.ambiguous:
                raise Poisoned
            item = self.ast_items[self.current_file].get(name) or self.package_items.get(name)
            if item is None:
                known = list(self.ast_items[self.current_file]) + list(self.package_items)
                raise fail(
                    "WIT202",
                    f"interface or world `{path.name.name}` does not exist",
                    path.name.span,
                    *hint(path.name.name, known),
                )
            return item, path.name.name, path.name.span
        dep = self.pkg.foreign_deps[_package_of_path(path)][path.name.name]
        return (dep[0], dep[1]), path.name.name, path.name.span  # type: ignore[return-value]

    def use_source(self, path: n.UsePath) -> int:
        """The interface a `use` path names."""
        item, name, span = self.resolve_ast_item_path(path)
        return self.extract_iface(item, name, span)

    def include_source(self, path: n.UsePath) -> int:
        """The world an `include` path names."""
        item, name, span = self.resolve_ast_item_path(path)
        return self.extract_world(item, name, span)

    def extract_iface(self, item: ItemRef, name: str, span: Span) -> int:
        if item[0] == "w":
            raise fail("WIT204", f"name `{name}` is defined as a world, not an interface", span)
        return item[1]

    def extract_world(self, item: ItemRef, name: str, span: Span) -> int:
        if item[0] == "i":
            raise fail("WIT204", f"name `{name}` is defined as an interface, not a world", span)
        return item[1]

    def define_poisoned(self, owner: ItemRef, name: n.Id) -> None:
        """Define a name whose definition failed, so that its users stay silent."""
        tid = self.alloc_type(
            new_unresolved_type(
                name=name.name,
                kind=m.Resource(),
                owner=owner,
                docs=m.NO_DOCS,
                stability=m.UNKNOWN,
                span=name.span,
                field_spans=(),
                external_id=None,
            )
        )
        self.poisoned_types.add(tid)
        if name.name not in self.type_lookup:
            self.type_lookup[name.name] = (("type", tid), name.span)

    def define_type(self, name: n.Id, tid: int) -> None:
        """Bind `name` to type `tid`. A name already bound is reported, and poisoned: which
        of the two its users mean is not known."""
        bound = self.type_lookup.get(name.name)
        if bound is not None:
            self.report(error("WIT203", f"name `{name.name}` is defined more than once", name.span))
            if bound[0][0] == "type":
                self.poisoned_types.add(bound[0][1])
            return
        self.type_lookup[name.name] = (("type", tid), name.span)

    def members_unique(self, what: str, names: list[n.Id]) -> bool:
        """Whether the field, case or flag names of a type are unique; each name that
        repeats one is reported."""
        problems = check_members(what, names)
        for d in problems:
            self.report(d)
        return not problems

    def add_name(self, names: UniqueNames, name: str, span: Span) -> bool:
        """Add `name` to `names`; False (the error recorded) if it repeats an earlier one."""
        problem = names.add(name, span)
        if problem is None:
            return True
        self.report(problem)
        return False

    # ---- interfaces
    def resolve_interface(
        self,
        iid: int,
        items: tuple[n.InterfaceItem, ...],
        docs: n.Docs,
        attrs: tuple[n.Attribute, ...],
    ) -> None:
        iface = self.pkg.interfaces[iid]
        iface.docs = self.docs(docs)
        iface.stability = self.stability(attrs) if attrs else m.UNKNOWN
        saved = self.type_lookup
        self.type_lookup = {}
        self.resolve_types(("i", iid), [x for x in items if not isinstance(x, n.Func)])
        # As wit-parser: the types' names first, then each function's once it is resolved
        # (a function that failed still takes its name).
        names = UniqueNames()
        for name, (entry, span) in self.type_lookup.items():
            if entry[0] == "type":
                iface.types[name] = entry[1]
            if (problem := names.add(name, span)) is not None:
                self.report(problem)
        for item in items:
            if isinstance(item, n.Func):
                # A function is visible to the signatures that follow (and its own), where
                # it is not a type; a type of the same name keeps the name.
                if item.name.name not in self.type_lookup:
                    self.type_lookup[item.name.name] = (("item", "function"), item.name.span)
                kind: m.FunctionKindName = (
                    "async-freestanding" if item.func.is_async else "freestanding"
                )
                _, resolved = self.attempt(
                    self.resolve_function,
                    item.docs,
                    item.attrs,
                    item.name.name,
                    item.func,
                    kind,
                    None,
                    item.name.span,
                )
                # A duplicate leaves the first function of the name in place.
                if (problem := names.add(item.name.name, item.name.span)) is not None:
                    self.report(problem)
                elif resolved is not None:
                    iface.functions[resolved.name] = resolved
            elif isinstance(item, n.Resource) and item.funcs:
                if id(item) in self.skipped:
                    continue  # a duplicate definition: its methods are not looked into
                if item.name.name in self.type_lookup and self.type_lookup[item.name.name][0][
                    1
                ] in (self.poisoned_types):
                    continue
                rid = self.resource_id(item.name)
                for rf in item.funcs:
                    fname, fkind = _resource_function_name(rf, item.name.name)
                    _, got = self.attempt(
                        self.resolve_function,
                        rf.docs,
                        rf.attrs,
                        fname,
                        rf.func,
                        fkind,
                        rid,
                        rf.name.span,
                    )
                    if (problem := names.add(fname, rf.name.span)) is not None:
                        self.report(problem)
                    elif got is not None:
                        iface.functions[got.name] = got
        self.interface_types[iid] = self.type_lookup
        self.type_lookup = saved

    def resolve_types(self, owner: ItemRef, items: list[n.InterfaceItem | n.WorldItem]) -> None:
        for item in items:
            if isinstance(item, n.Use):
                done, _ = self.attempt(self.resolve_use, owner, item)
                if not done:
                    for un in item.names:
                        local = un.alias or un.name
                        if local.name not in self.type_lookup:
                            self.define_poisoned(owner, local)
        type_deps: dict[str, list[n.Id]] = {}
        type_defs: dict[str, n.TypeDef | None] = {}
        duplicated: set[str] = set()
        for item in items:
            if isinstance(item, n.Use):
                for un in item.names:
                    name = (un.alias or un.name).name
                    type_deps[name] = []
                    type_defs[name] = None
            elif isinstance(
                item, n.TypeAlias | n.Record | n.Flags | n.Variant | n.Enum | n.Resource
            ):
                if item.name.name in type_defs:
                    # The first definition keeps the name; this one is not resolved.
                    self.report(
                        error(
                            "WIT203",
                            f"name `{item.name.name}` is defined more than once",
                            item.name.span,
                        )
                    )
                    self.skipped.add(id(item))
                    duplicated.add(item.name.name)
                    continue
                type_defs[item.name.name] = item
                type_deps[item.name.name] = typedef_deps(item)
        order, errors, failed = toposort_all("type", type_deps)
        for e in errors:
            self.report(e)
        # A definition that failed to be ordered (it names a missing type, or is in a
        # cycle), and the first of a name defined twice (which one its users mean is not
        # known), are poisoned before any user is resolved; each is looked into last.
        held: list[n.TypeDef] = []
        if failed or duplicated:
            failed |= duplicated
            held = [d for name, d in type_defs.items() if name in failed and d is not None]
            for held_def in held:
                self.define_poisoned(owner, held_def.name)
            for name in duplicated:
                first = self.type_lookup[name][0]
                if type_defs[name] is None and first[0] == "type":  # first defined by a `use`
                    self.poisoned_types.add(first[1])
        for name in order:
            d = type_defs.pop(name)
            if d is None or name in duplicated:
                continue
            if id(d) in self.skipped:
                self.define_poisoned(owner, d.name)
                continue
            stability = self.stability(d.attrs) if d.attrs else m.UNKNOWN
            _, kind = self.attempt(self.resolve_type_def, d, stability)
            if kind is None:
                self.define_poisoned(owner, d.name)
                continue
            field_spans = tuple(f.name.span for f in d.fields) if isinstance(d, n.Record) else ()
            tid = self.alloc_type(
                new_unresolved_type(
                    name=d.name.name,
                    kind=kind,
                    owner=owner,
                    docs=self.docs(d.docs),
                    stability=stability,
                    span=d.name.span,
                    field_spans=field_spans,
                    external_id=external_id_of(d.attrs),
                )
            )
            self.define_type(d.name, tid)
        if held:
            # For errors of their own; the names found missing while ordering are silent.
            self.unresolvable = {
                dep.name for deps in type_deps.values() for dep in deps if dep.name not in type_deps
            }
            for d in held:
                if id(d) not in self.skipped:
                    self.attempt(self.resolve_type_def, d, self.stability(d.attrs))
            self.unresolvable = set()

    def resolve_use(self, owner: ItemRef, use: n.Use) -> None:
        """Bind the names of `use`; a name that fails is poisoned, and the others go on."""
        use_from = self.use_source(use.path)
        stability = self.stability(use.attrs) if use.attrs else m.UNKNOWN
        for un in use.names:
            done, _ = self.attempt(self.use_name, owner, use, use_from, un, stability)
            local = un.alias or un.name
            if not done and local.name not in self.type_lookup:
                self.define_poisoned(owner, local)

    def use_name(
        self, owner: ItemRef, use: n.Use, use_from: int, un: n.UseName, stability: m.Stability
    ) -> None:
        lookup = self.interface_types[use_from]
        entry = lookup.get(un.name.name)
        if entry is None and use_from in self.poisoned_interfaces:
            raise Poisoned
        if entry is None:
            raise fail(
                "WIT209",
                f"name `{un.name.name}` does not exist",
                un.name.span,
                *hint(un.name.name, [k for k, v in lookup.items() if v[0][0] == "type"]),
            )
        if entry[0][0] == "item":
            raise fail("WIT310", f"cannot import {entry[0][1]} `{un.name.name}`", un.name.span)
        target = entry[0][1]
        assert isinstance(target, int)
        if target in self.poisoned_types:
            raise Poisoned
        local = un.alias or un.name
        tid = self.alloc_type(
            new_unresolved_type(
                name=local.name,
                kind=m.Alias(type=m.TypeId(target)),
                owner=owner,
                docs=m.NO_DOCS,
                stability=stability,
                span=un.name.span,
                field_spans=(),
                external_id=external_id_of(use.attrs),
            )
        )
        self.define_type(local, tid)

    # ---- types
    def resolve_type_def(self, d: n.TypeDef, stability: m.Stability) -> m.TypeDefKind:
        match d:
            case n.TypeAlias(type=ty):
                return self.type_kind(ty, stability)
            case n.Record(fields=fields):
                if not fields:
                    raise fail("WIT301", "empty record", d.name.span)
                # Every member is checked before the type fails (Poisoned: reported).
                unique = self.members_unique("field", [f.name for f in fields])
                field_types = self.resolve_parts([f.type for f in fields], stability)
                if not unique:
                    raise Poisoned
                return m.Record(
                    fields=tuple(
                        [
                            m.Field(name=f.name.name, type=t, docs=self.docs(f.docs))
                            for f, t in zip(fields, field_types, strict=True)
                        ]
                    )
                )
            case n.Flags(flags=flags):
                if not flags:
                    raise fail("WIT301", "empty flags", d.name.span)
                ok = True
                if len(flags) > 32:
                    self.report(
                        error("WIT302", "cannot have more than 32 flags", flags[32].name.span)
                    )
                    ok = False
                if not self.members_unique("flag", [fl.name for fl in flags]) or not ok:
                    raise Poisoned
                return m.Flags(
                    flags=tuple(m.Flag(name=fl.name.name, docs=self.docs(fl.docs)) for fl in flags)
                )
            case n.Variant(cases=cases):
                if not cases:
                    raise fail("WIT301", "empty variant", d.name.span)
                ok = self.members_unique("case", [c.name for c in cases])
                payloads = [c.type for c in cases if c.type is not None]
                resolved = iter(self.resolve_parts(payloads, stability))
                if not ok:
                    raise Poisoned
                return m.Variant(
                    cases=tuple(
                        [
                            m.Case(
                                name=c.name.name,
                                type=None if c.type is None else next(resolved),
                                docs=self.docs(c.docs),
                            )
                            for c in cases
                        ]
                    )
                )
            case n.Enum(cases=ecases):
                if not ecases:
                    raise fail("WIT301", "empty enum", d.name.span)
                if not self.members_unique("case", [ec.name for ec in ecases]):
                    raise Poisoned
                return m.Enum(
                    cases=tuple(
                        m.EnumCase(name=ec.name.name, docs=self.docs(ec.docs)) for ec in ecases
                    )
                )
            case n.Resource():
                return m.Resource()
            case _:
                assert_never(d)

    def type_kind(self, ty: n.Type, stability: m.Stability) -> m.TypeDefKind:
        """The kind of `type x = ty;`: an alias of a primitive or named type, or `ty`'s own."""
        if isinstance(ty, n.Prim):
            return m.Alias(type=ty.name)
        if isinstance(ty, n.Named):
            return m.Alias(type=m.TypeId(self.lookup_type(ty.name)))
        return _anonymous_kind(self.anon_key(ty, stability))

    def resolve_type(self, ty: n.Type, stability: m.Stability) -> m.Type:
        """The type `ty` refers to; an anonymous one is interned (one id per distinct type).

        Recursive over the syntax of `ty`, which the parser never nests deeper than
        wit-parser's limit of 100 type arguments.
        """
        if isinstance(ty, n.Prim):
            return ty.name
        if isinstance(ty, n.Named):
            return m.TypeId(self.lookup_type(ty.name))
        if isinstance(ty, n.HandleType) and not ty.borrow:
            # An owned handle stays a plain reference to its resource until the remap.
            return m.TypeId(self.lookup_handle_target(ty.resource))
        key = self.anon_key(ty, stability)
        # `intern`, written out: every anonymous type of the package is looked up here.
        found = self.anonymous_types.get(key)
        if found is None:
            found = self.alloc_anon(key, stability, ty.span)
        return m.TypeId(found)

    def anon_key(self, ty: n.Type, stability: m.Stability) -> AnonymousKey:
        """The interning key of an anonymous type: its kind's class and field values.

        The types inside are resolved first (and interned), so that equal types get equal
        keys without the kind being built; `_anonymous_kind` builds it for a new key.
        """
        match ty:
            case n.HandleType(borrow=borrow, resource=r):
                rid = self.lookup_handle_target(r)
                return (m.Handle, "borrow" if borrow else "own", m.TypeId(rid))
            case n.ListType(element=e, size=size):
                # A size of 0 is valid WIT (wasm-tools resolves and prints it); only the
                # binary format refuses it, which `witgen encode` reports (WIT314).
                inner = self.resolve_type(e, stability)
                if size is None:
                    return (m.ListKind, inner)
                return (m.FixedList, inner, size)
            case n.OptionType(type=x):
                return (m.OptionKind, self.resolve_type(x, stability))
            case n.ResultType(ok=ok, err=err):
                if ok is not None and err is not None:
                    ok_type, err_type = self.resolve_parts([ok, err], stability)
                    return (m.ResultKind, ok_type, err_type)
                return (
                    m.ResultKind,
                    None if ok is None else self.resolve_type(ok, stability),
                    None if err is None else self.resolve_type(err, stability),
                )
            case n.TupleType(types=ts):
                if not ts:
                    raise fail("WIT301", "empty tuple", _first_token_span(ty))
                return (m.TupleKind, tuple(self.resolve_parts(ts, stability)))
            case n.MapType(key=k, value=v):
                if not (isinstance(k, n.Prim) and k.name in _MAP_KEY_TYPES):
                    self.report(
                        error(
                            "WIT303",
                            "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, "
                            "s16, s32, s64, char, or string",
                            Span(ty.span.start, ty.span.start + 3),
                        )
                    )
                    # The value's own errors are errors too; the key's are not looked for.
                    self.resolve_type(v, stability)
                    raise Poisoned
                return (
                    m.MapKind,
                    self.resolve_type(k, stability),
                    self.resolve_type(v, stability),
                )
            case n.FutureType(type=x):
                return (m.Future, None if x is None else self.resolve_type(x, stability))
            case n.StreamType(type=x):
                return (m.Stream, None if x is None else self.resolve_type(x, stability))
            case n.Prim() | n.Named():
                raise AssertionError(f"not an anonymous type: {ty!r}")
            case _:
                assert_never(ty)

    def resolve_parts(
        self,
        tys: tuple[n.Type, ...] | list[n.Type],
        stability: m.Stability,
        *,
        fail_after: bool = True,
    ) -> list[m.Type]:
        """Each of `tys` resolved, every one's errors recorded; then Poisoned if one failed
        (with `fail_after`, else the types resolved)."""
        try:
            return [self.resolve_type(t, stability) for t in tys]
        except (ResolveError, Poisoned):
            # Again one by one, to go on past the failure. What resolved is found again
            # (interning is by key), and an error met again is recorded once (`report`).
            pass
        out: list[m.Type] = []
        for t in tys:
            try:
                out.append(self.resolve_type(t, stability))
            except (ResolveError, Poisoned) as e:
                self.note(e)
        if fail_after and len(out) < len(tys):
            raise Poisoned
        return out

    def intern(self, key: AnonymousKey, stability: m.Stability, span: Span) -> m.TypeId:
        """The id of the anonymous type `key`, allocated at its first use in the package."""
        found = self.anonymous_types.get(key)
        if found is None:
            found = self.alloc_anon(key, stability, span)
        return m.TypeId(found)

    def alloc_anon(self, key: AnonymousKey, stability: m.Stability, span: Span) -> int:
        kind = _anonymous_kind(key)
        # wit-parser: an anonymous type takes the gate of the context it is written in (a
        # gated type definition); in a context without one (a function, an ungated type),
        # the gate of the first type it refers to that has one.
        types = self.pkg.types
        for ref in referenced_types(kind) if isinstance(stability, m.Unknown) else ():
            if ref is not None and not isinstance(ref, str):
                ref_stability = types[ref].stability
                if not isinstance(ref_stability, m.Unknown):
                    stability = ref_stability
                    break
        found = self.alloc_type(
            new_unresolved_type(
                name=None,
                kind=kind,
                owner=None,
                docs=m.NO_DOCS,
                stability=stability,
                span=span,
                field_spans=(),
                external_id=None,
            )
        )
        self.anonymous_types[key] = found
        return found

    def lookup_type(self, name: n.Id) -> int:
        entry = self.type_lookup.get(name.name)
        if entry is None:
            if name.name in self.unresolvable:
                raise Poisoned
            types = [
                k for k, v in self.type_lookup.items() if v[0][0] == "type"
            ] + BUILTIN_TYPE_NAMES
            raise fail(
                "WIT201",
                # (No note on `float32`: wit-parser adds it only where a type names one.)
                f"name `{name.name}` does not exist",
                name.span,
                *hint(name.name, types),
            )
        item = entry[0]
        if item[0] == "item":
            raise fail("WIT310", f"cannot use {item[1]} `{name.name}` as a type", name.span)
        if item[1] in self.poisoned_types:
            raise Poisoned
        return item[1]

    def lookup_handle_target(self, name: n.Id) -> int:
        tid = self.lookup_type(name)
        cur = tid
        while True:
            t = self.pkg.types[cur]
            if t.kind is None:
                self.pkg.required_resource_types.append((tid, name.span))
                return tid
            if isinstance(t.kind, m.Resource):
                return tid
            if isinstance(t.kind, m.Alias) and not isinstance(t.kind.type, str):
                cur = t.kind.type
                continue
            raise fail(
                "WIT303", f"type `{name.name}` used in a handle must be a resource", name.span
            )

    # ---- functions
    def resolve_function(
        self,
        docs: n.Docs,
        attrs: tuple[n.Attribute, ...],
        name: str,
        func: n.FuncType,
        kind: m.FunctionKindName,
        resource: int | None,
        span: Span,
    ) -> UnresolvedFunction:
        stability = self.stability(attrs) if attrs else m.UNKNOWN
        # Anonymous types in signatures take no gate from the function (see alloc_anon).
        anon_stability: m.Stability = m.UNKNOWN
        params: list[tuple[str, m.Type]] = []
        # Parameter names are unique ignoring case; each is checked before its type.
        seen: set[str] = set()
        if kind in ("method", "async-method"):
            assert resource is not None
            params.append(
                (
                    "self",
                    self.intern(
                        (m.Handle, "borrow", m.TypeId(resource)), anon_stability, func.span
                    ),
                )
            )
            seen.add("self")
        # Every parameter is checked, then the result; the function fails (Poisoned) after.
        failed = False
        for p in func.params:
            key = p.name.name.lower()
            if key in seen:
                self.report(
                    error("WIT203", f"param `{p.name.name}` is defined more than once", p.name.span)
                )
                failed = True
            seen.add(key)
            try:
                params.append((p.name.name, self.resolve_type(p.type, anon_stability)))
            except (ResolveError, Poisoned) as e:
                self.note(e)
                failed = True
        result: m.Type | None
        if kind == "constructor":
            assert resource is not None
            if func.result is None:
                result = m.TypeId(resource)
            else:
                result = self.resolve_type(func.result, anon_stability)
                ok: object = None
                if not isinstance(result, str):
                    rk = self.pkg.types[result].kind
                    if isinstance(rk, m.ResultKind):
                        ok = rk.ok
                    else:
                        raise fail(
                            "WIT305",
                            "if a constructor return type is declared it must be a `result`",
                            func.result.span,
                        )
                else:
                    raise fail(
                        "WIT305",
                        "if a constructor return type is declared it must be a `result`",
                        func.result.span,
                    )
                if ok != resource:
                    # wit-parser points at the `ok` type (a handle: at its resource).
                    ok_syntax = getattr(func.result, "ok", None)
                    raise fail(
                        "WIT305",
                        "the `ok` type must be the resource being constructed",
                        _first_token_span(func.result)
                        if ok_syntax is None
                        else ok_syntax.resource.span
                        if isinstance(ok_syntax, n.HandleType)
                        else _first_token_span(ok_syntax),
                    )
        else:
            result = None if func.result is None else self.resolve_type(func.result, anon_stability)
        if failed:
            raise Poisoned
        return new_unresolved_function(
            name=name,
            kind=kind,
            resource=resource,
            params=params,
            result=result,
            docs=self.docs(docs),
            stability=stability,
            external_id=external_id_of(attrs),
            span=span,
        )

    def resource_id(self, resource: n.Id) -> int:
        entry = self.type_lookup[resource.name][0]
        assert entry[0] == "type"
        rid = entry[1]
        assert isinstance(rid, int)
        return rid

    def resolve_resource_func(self, rf: n.ResourceFunc, resource: n.Id) -> UnresolvedFunction:
        name, kind = _resource_function_name(rf, resource.name)
        rid = self.resource_id(resource)
        return self.resolve_function(rf.docs, rf.attrs, name, rf.func, kind, rid, rf.name.span)

    # ---- worlds
    def resolve_world(self, wid: int, world: n.World) -> None:
        w = self.pkg.worlds[wid]
        w.docs = self.docs(world.docs)
        w.stability = self.stability(world.attrs) if world.attrs else m.UNKNOWN
        self.type_lookup = {}
        self.resolve_types(
            ("w", wid),
            [
                x
                for x in world.items
                if isinstance(
                    x, n.Use | n.TypeAlias | n.Record | n.Flags | n.Variant | n.Enum | n.Resource
                )
            ],
        )
        for item in world.items:
            if isinstance(item, n.Include):
                stability = self.stability(item.attrs) if item.attrs else m.UNKNOWN
                _, inc = self.attempt(self.include_source, item.path)
                if inc is not None:
                    w.includes.append(
                        UnresolvedInclude(
                            stability=stability,
                            world=inc,
                            names=item.names,
                            span=item.path.name.span,
                        )
                    )
        import_names: dict[str, str] = {}
        export_names: dict[str, str] = {}
        # Imports and exports are two namespaces, each checked as its items are resolved.
        unique_imports, unique_exports = UniqueNames(), UniqueNames()
        for name, (entry, span) in self.type_lookup.items():
            assert entry[0] == "type"
            import_names[name] = "type"
            self.add_name(unique_imports, name, span)
            tid = entry[1]
            assert isinstance(tid, int)
            w.imports.append((name, tid, span))
        imported: set[int] = set()
        exported: set[int] = set()
        for item in world.items:
            if isinstance(item, n.Resource):
                if id(item) in self.skipped or self.type_lookup[item.name.name][0][1] in (
                    self.poisoned_types
                ):
                    continue  # a duplicate definition, or one that failed
                for rf in item.funcs or ():
                    _, f = self.attempt(self.resolve_resource_func, rf, item.name)
                    fname = _resource_function_name(rf, item.name.name)[0]
                    if self.add_name(unique_imports, fname, rf.name.span) and f is not None:
                        w.imports.append((f.name, f, rf.name.span))
                continue
            if isinstance(item, n.Import):
                desc, names, seen, dst = "import", import_names, imported, w.imports
                unique = unique_imports
            elif isinstance(item, n.Export):
                desc, names, seen, dst = "export", export_names, exported, w.exports
                unique = unique_exports
            else:
                continue
            ext = item.extern
            _, got = self.attempt(self.resolve_world_item, item.docs, item.attrs, ext)
            key: str | tuple[str, int]
            if isinstance(ext, n.ExternPath):
                if got is None:
                    continue
                witem = got[0]
                assert isinstance(witem, UnresolvedWorldInterface)
                if witem.id in seen:
                    self.report(
                        error(
                            "WIT308", f"interface cannot be {desc}ed more than once", ext.path.span
                        )
                    )
                    continue
                seen.add(witem.id)
                key = ("i", witem.id)
                span = ext.path.name.span
            else:
                # A named item takes its name even if it failed: a later item of the same
                # name is an error of its own.
                prev = names.get(ext.name.name)
                if prev is not None:
                    self.report(
                        error(
                            "WIT309",
                            f"{desc} `{ext.name.name}` conflicts with prior {prev} of same name",
                            ext.name.span,
                        )
                    )
                    continue
                names[ext.name.name] = "func" if isinstance(ext, n.ExternFunc) else "interface"
                if not self.add_name(unique, ext.name.name, ext.name.span) or got is None:
                    continue
                witem = got[0]
                key = ext.name.name
                span = ext.name.span
            dst.append((key, witem, span))
        self.type_lookup = {}

    def resolve_world_item(
        self, docs: n.Docs, attrs: tuple[n.Attribute, ...], ext: n.Extern
    ) -> tuple[UnresolvedWorldItem, str]:
        match ext:
            case n.ExternInline(name=name, items=items):
                saved = self.type_lookup
                iid = self.alloc_interface(None, name.span)
                self.resolve_interface(iid, items, docs, attrs)
                self.type_lookup = saved
                return UnresolvedWorldInterface(
                    id=iid,
                    docs=m.NO_DOCS,
                    stability=self.pkg.interfaces[iid].stability,
                    external_id=external_id_of(attrs),
                ), "interface"
            case n.ExternPath(path=path) | n.ExternNamed(path=path):
                stability = self.stability(attrs) if attrs else m.UNKNOWN
                iid = self.use_source(path)
                witem = UnresolvedWorldInterface(
                    id=iid,
                    docs=self.docs(docs),
                    stability=stability,
                    external_id=external_id_of(attrs),
                )
                return witem, "interface"
            case n.ExternFunc(name=name, func=func):
                kind: m.FunctionKindName = "async-freestanding" if func.is_async else "freestanding"
                return self.resolve_function(
                    docs, attrs, name.name, func, kind, None, name.span
                ), "func"
            case _:
                assert_never(ext)
