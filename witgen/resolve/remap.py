"""The remap: one `UnresolvedPackage` appended to the `GlobalArenas` (wit-parser's `Remap`).

Input: the global arenas, holding every package this one depends on, and the package,
resolved on its own. Output: the package's id; its types, interfaces, worlds and the
package itself are appended to the arenas. Steps, in wit-parser's order: the
placeholders for foreign items are bound to the real items of packages already added;
local types are appended in order, with global ids, the `own<r>` handle of a resource
interned at the first reference to it, each type complete with its owner (the ids the
package's interfaces and worlds will get are planned first); gated items whose feature
is off are dropped; interfaces get their types and functions, worlds their items; then
each world gets its `include`s merged (`include.py`) and is elaborated (`elaborate.py`).

Invariants: ids are allocated in wit-parser's order; a reference to an item left out by
its gate is WIT307; a function returning a `borrow` is WIT304. An error does not stop the
append: the item is left out and "poisoned" (its users stay silent, as their errors would
only repeat it), a gate that is itself an error lets its item in, and the errors are
collected in `errors`, the first being wit-parser's. A world that lost an item is
incomplete, and is not merged into the worlds that include it (its missing names would be
reported again there).
"""

from __future__ import annotations

from witgen import model as m
from witgen._record import maker
from witgen.model import kinds
from witgen.model.kinds import new_handle, new_list, new_option, new_result, new_tuple
from witgen.resolve.elaborate import WorldElaborator
from witgen.resolve.errors import ErrorLog, Poisoned, ResolveError, assert_never, fail, hint
from witgen.resolve.global_arenas import MutableWorld
from witgen.resolve.include import check_strongly_unique, include_world
from witgen.resolve.unresolved import UnresolvedWorldInterface
from witgen.text.diagnostics import error

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Literal

    from witgen.resolve.global_arenas import GlobalArenas
    from witgen.resolve.unresolved import (
        UnresolvedFunction,
        UnresolvedPackage,
        UnresolvedWorld,
        UnresolvedWorldItem,
    )
    from witgen.text.diagnostics import Diagnostic
    from witgen.text.source import Span

# How deep `type_has_borrow` recurses before it walks on its own stack.
_SHALLOW = 50
# Built for every parameter of the package: skips `type.__call__` (see `_record.maker`).
_new_param = maker(m.Param)


class PackageRemap(ErrorLog):
    """Adds one unresolved package to the global arenas (wit-parser's `Remap::append`);
    its errors are recorded as found (`ErrorLog`)."""

    def __init__(self, arenas: GlobalArenas, unresolved: UnresolvedPackage) -> None:
        super().__init__()
        self.arenas = arenas
        self.unresolved = unresolved
        self.types: list[m.TypeId | None] = []
        self.interfaces: list[m.InterfaceId | None] = []
        self.worlds: list[int | None] = []
        self.own_handles: dict[m.TypeId, m.TypeId] = {}
        # `update_ty` by local type id (a type's kind does not change once it is allocated;
        # the `own` handle of a resource is allocated at the first reference to it).
        self.updated: dict[int, m.TypeId] = {}
        # One `FunctionKind` per kind and resource, shared by the functions that have it.
        self.function_kinds: dict[tuple[m.FunctionKindName, m.TypeId | None], m.FunctionKind] = {}
        # `type_has_borrow` by type: a type's kind does not change once it is allocated.
        self.has_borrow: dict[m.TypeId, bool] = {}
        # Local ids of the items that failed: None in `types`, `interfaces` or `worlds`
        # like a gated-out item, but a reference to one is silent (Poisoned), not WIT307.
        self.poisoned_types: set[int] = set()
        self.poisoned_interfaces: set[int] = set()
        self.poisoned_worlds: set[int] = set()
        # Global ids of this package's worlds that lost an item (see the module docstring).
        self.incomplete_worlds: set[int] = set()

    def gate(self, stability: m.Stability, span: Span) -> bool | None:
        """Whether the gate lets its item in; None (the error recorded) if the gate is an
        error."""
        try:
            return self.arenas.include_stability(stability, self.unresolved.name, span)
        except ResolveError as e:
            self.report(e.diag)
            return None

    def excluded(self, stability: m.Stability, span: Span) -> bool:
        """Whether the gate leaves its item out (a gate that is an error lets it in)."""
        return not isinstance(stability, m.Unknown) and self.gate(stability, span) is False

    # ---- id mapping
    def map_type(self, tid: int, span: Span) -> m.TypeId:
        got = self.types[tid]
        if got is None:
            if tid in self.poisoned_types:
                raise Poisoned
            raise fail(
                "WIT307",
                "found a reference to a type which is excluded due to its feature not being "
                "activated",
                span,
            )
        return got

    def map_interface(self, iid: int, span: Span) -> m.InterfaceId:
        got = self.interfaces[iid]
        if got is None:
            if iid in self.poisoned_interfaces:
                raise Poisoned
            raise fail(
                "WIT307",
                "found a reference to a interface which is excluded due to its feature not being "
                "activated",
                span,
            )
        return got

    def map_world(self, wid: int, span: Span) -> int:
        got = self.worlds[wid]
        if got is None:
            if wid in self.poisoned_worlds:
                raise Poisoned
            raise fail(
                "WIT307",
                "found a reference to a world which is excluded due to its feature not being "
                "activated",
                span,
            )
        return got

    def update_ty(self, t: m.Type, span: Span) -> m.Type:
        """The global type for local type `t`: a resource becomes its `own` handle."""
        if isinstance(t, str):
            return t
        found = self.updated.get(t)
        if found is None:
            found = self.updated[t] = self._update_id(t, span)
        return found

    def _update_id(self, t: int, span: Span) -> m.TypeId:
        gid = self.map_type(t, span)
        cur = gid
        while True:
            kind = self.arenas.types[cur].kind
            if isinstance(kind, m.Resource):
                own = self.own_handles.get(gid)
                if own is None:
                    own = self.arenas.alloc_type(
                        m.TypeDef(
                            name=None,
                            kind=m.Handle(kind="own", resource=gid),
                            owner=None,
                            span=span,
                        )
                    )
                    self.own_handles[gid] = own
                return own
            if isinstance(kind, m.Alias) and not isinstance(kind.type, str):
                cur = kind.type
                continue
            return gid

    def update_opt(self, t: m.Type | None, span: Span) -> m.Type | None:
        return None if t is None else self.update_ty(t, span)

    def update_kind(
        self, kind: m.TypeDefKind, span: Span, field_spans: tuple[Span, ...] = ()
    ) -> m.TypeDefKind:
        """`kind` with global ids (the most frequent kinds, the anonymous ones, come first)."""
        update_ty = self.update_ty
        match kind:
            case m.Handle(kind=hk, resource=r):
                return new_handle(kind=hk, resource=self.map_type(r, span))
            case m.ListKind(type=t):
                return new_list(type=update_ty(t, span))
            case m.OptionKind(type=t):
                return new_option(type=update_ty(t, span))
            case m.ResultKind(ok=ok, err=err):
                return new_result(ok=self.update_opt(ok, span), err=self.update_opt(err, span))
            case m.TupleKind(types=ts):
                return new_tuple(types=tuple([update_ty(x, span) for x in ts]))
            case m.Record(fields=fields):
                spans = field_spans or (span,) * len(fields)
                return m.Record(
                    fields=tuple(
                        [
                            field_of_type(f, update_ty(f.type, fs))
                            for f, fs in zip(fields, spans, strict=True)
                        ]
                    )
                )
            case m.Variant(cases=cases):
                return m.Variant(
                    cases=tuple([case_of_type(c, self.update_opt(c.type, span)) for c in cases])
                )
            case m.Alias(type=t):
                return m.Alias(type=t if isinstance(t, str) else self.map_type(t, span))
            case m.Resource() | m.Flags() | m.Enum():
                return kind
            case m.FixedList(type=t, size=size):
                return m.FixedList(type=update_ty(t, span), size=size)
            case m.MapKind(key=kk, value=v):
                return m.MapKind(key=update_ty(kk, span), value=update_ty(v, span))
            case m.Future(type=t):
                return m.Future(type=self.update_opt(t, span))
            case m.Stream(type=t):
                return m.Stream(type=self.update_opt(t, span))
            case _:
                assert_never(kind)

    def type_has_borrow(self, t: m.Type) -> bool:
        """Whether `t` holds a `borrow` handle (not looking into futures and streams)."""
        if isinstance(t, str):
            return False
        found = self.has_borrow.get(t)
        if found is None:
            found = self._has_borrow(t, _SHALLOW)
        return found

    def _has_borrow(self, t: m.TypeId, depth: int) -> bool:
        """`type_has_borrow`, memoised in `has_borrow`: recursive for `depth` more levels
        (types nest a few levels as a rule), below that children first on an explicit
        stack (`children_first`), so a chain of aliases or records thousands deep is no
        recursion."""
        memo = self.has_borrow
        found = memo.get(t)
        if found is not None:
            return found
        if not depth:
            for tid, children in kinds.children_first(t, self._borrow_children, memo):
                kind = self.arenas.types[tid].kind
                if isinstance(kind, m.Handle):
                    memo[tid] = kind.kind == "borrow"
                else:
                    memo[tid] = any([memo[x] for x in children])
            return memo[t]
        kind = self.arenas.types[t].kind
        if isinstance(kind, m.Handle):
            found = kind.kind == "borrow"
        else:
            found = any(self._has_borrow(x, depth - 1) for x in self._borrow_children(t))
        memo[t] = found
        return found

    def _borrow_children(self, t: m.TypeId) -> list[m.TypeId]:
        """The types a borrow in `t` could be in (none in a handle, future or stream)."""
        kind = self.arenas.types[t].kind
        if isinstance(kind, m.Handle | m.Future | m.Stream):
            return []
        return [x for x in kinds.referenced_types(kind) if x is not None and not isinstance(x, str)]

    def update_function(self, f: UnresolvedFunction, span: Span) -> m.Function:
        resource = None if f.resource is None else self.map_type(f.resource, span)
        update_ty = self.update_ty
        params = tuple([_new_param(name=name, type=update_ty(t, span)) for name, t in f.params])
        result = self.update_opt(f.result, span)
        if result is not None and self.type_has_borrow(result):
            raise fail(
                "WIT304",
                f"function `{f.name}` returns a type which contains a `borrow<T>` which is not "
                "supported",
                span,
            )
        kind = self.function_kinds.get((f.kind, resource))
        if kind is None:
            kind = self.function_kinds[f.kind, resource] = m.FunctionKind(
                name=f.kind, resource=resource
            )
        return m.Function(
            name=f.name,
            kind=kind,
            params=params,
            result=result,
            docs=f.docs,
            stability=f.stability,
            external_id=f.external_id,
            span=f.span,
        )

    # ---- the append
    def append(self) -> m.PackageId:
        unresolved, arenas = self.unresolved, self.arenas
        pkg_id = m.PackageId(len(arenas.packages))
        self.process_foreign_deps()
        owners = self.planned_owners()
        arena = arenas.types
        failed_before = unresolved.poisoned_types
        for t in unresolved.types[unresolved.n_foreign_types :]:
            # (Most items have no gate: `isinstance` spares those the call.)
            if not isinstance(t.stability, m.Unknown) and self.gate(t.stability, t.span) is False:
                self.types.append(None)
                continue
            if failed_before and len(self.types) in failed_before:
                self.poisoned_types.add(len(self.types))
                self.types.append(None)
                continue
            assert t.kind is not None
            try:
                kind = self.update_kind(t.kind, t.span, t.field_spans)
            except (ResolveError, Poisoned) as e:
                self.note(e)
                self.poisoned_types.add(len(self.types))
                self.types.append(None)
                continue
            arena.append(
                m.TypeDef(
                    name=t.name,
                    kind=kind,
                    owner=None if t.owner is None else owners[t.owner],
                    docs=t.docs,
                    stability=t.stability,
                    external_id=t.external_id,
                    span=t.span,
                )
            )
            self.types.append(m.TypeId(len(arena) - 1))
        self.check_required_resources()
        new_ifaces: list[tuple[int, m.InterfaceId]] = []
        for local in range(unresolved.n_foreign_interfaces, len(unresolved.interfaces)):
            ui = unresolved.interfaces[local]
            if self.excluded(ui.stability, ui.span):
                self.interfaces.append(None)
                continue
            iid = m.InterfaceId(len(arenas.interfaces))
            arenas.interfaces.append(
                m.Interface(
                    name=ui.name,
                    types=(),
                    functions=(),
                    package=pkg_id,
                    docs=ui.docs,
                    stability=ui.stability,
                    span=ui.span,
                )
            )
            self.interfaces.append(iid)
            new_ifaces.append((local, iid))
            assert owners[("i", local)] == m.OwnerInterface(id=iid)
        for local, iid in new_ifaces:
            ui = unresolved.interfaces[local]
            types = tuple(
                (name, gt) for name, t in ui.types.items() if (gt := self.types[t]) is not None
            )
            funcs: list[tuple[str, m.Function]] = []
            for fname, f in ui.functions.items():
                if (
                    not isinstance(f.stability, m.Unknown)
                    and self.gate(f.stability, f.span) is False
                ):
                    continue
                try:
                    funcs.append((fname, self.update_function(f, f.span)))
                except (ResolveError, Poisoned) as e:
                    self.note(e)
            old = arenas.interfaces[iid]
            arenas.interfaces[iid] = m.Interface(
                name=old.name,
                types=types,
                functions=tuple(funcs),
                package=pkg_id,
                docs=old.docs,
                stability=old.stability,
                span=old.span,
            )
        self.check_owners(unresolved, "i")
        new_worlds: list[tuple[int, int]] = []
        for local in range(unresolved.n_foreign_worlds, len(unresolved.worlds)):
            uw = unresolved.worlds[local]
            if self.excluded(uw.stability, uw.span):
                self.worlds.append(None)
                continue
            world, complete = self.update_world(uw, pkg_id)
            arenas.worlds.append(world)
            wid = len(arenas.worlds) - 1
            if not (complete and uw.complete):
                self.incomplete_worlds.add(wid)
            self.worlds.append(wid)
            new_worlds.append((local, wid))
            assert owners[("w", local)] == m.OwnerWorld(id=m.WorldId(wid))
        self.check_owners(unresolved, "w")
        ifaces_by_name = tuple(
            (name, gi)
            for name, i in unresolved.interface_names.items()
            if (gi := self.interfaces[i]) is not None
        )
        worlds_by_name = tuple(
            (name, m.WorldId(w))
            for name, i in unresolved.world_names.items()
            if (w := self.worlds[i]) is not None
        )
        arenas.packages.append(
            m.Package(
                name=unresolved.name,
                interfaces=ifaces_by_name,
                worlds=worlds_by_name,
                docs=unresolved.docs,
                span=unresolved.name_span,
            )
        )
        arenas.package_names[unresolved.name] = pkg_id
        for local, wid in new_worlds:
            self.process_includes(unresolved.worlds[local], wid)
            for problem in WorldElaborator(arenas, wid).run():
                self.report(problem)
        return pkg_id

    def planned_owners(self) -> dict[tuple[str, int], m.TypeOwner]:
        """The owner of the types of each local interface and world, before they have ids.

        Interfaces, then worlds, take the next ids in order, each if its gate lets it in;
        a type of one left out has none (`check_owners` reports it for an interface).
        A gate that is an error is reported later, where the interface or world is added
        (and lets it in, here too).
        """
        unresolved, arenas = self.unresolved, self.arenas
        owners: dict[tuple[str, int], m.TypeOwner] = {}
        next_id = len(arenas.interfaces)
        for local in range(unresolved.n_foreign_interfaces, len(unresolved.interfaces)):
            ui = unresolved.interfaces[local]
            owners["i", local] = None
            if self.admits(ui.stability, ui.span):
                owners["i", local] = m.OwnerInterface(id=m.InterfaceId(next_id))
                next_id += 1
        next_id = len(arenas.worlds)
        for local in range(unresolved.n_foreign_worlds, len(unresolved.worlds)):
            uw = unresolved.worlds[local]
            owners["w", local] = None
            if self.admits(uw.stability, uw.span):
                owners["w", local] = m.OwnerWorld(id=m.WorldId(next_id))
                next_id += 1
        return owners

    def admits(self, stability: m.Stability, span: Span) -> bool:
        """`gate`, silent: a gate that is an error lets its item in, as `gate` does."""
        try:
            return self.arenas.include_stability(stability, self.unresolved.name, span)
        except ResolveError:
            return True

    def check_owners(self, unresolved: UnresolvedPackage, kind: Literal["i", "w"]) -> None:
        """A type that is in while its interface (`kind` "i", once interfaces are in) or
        world ("w", once worlds are in) is out is an error."""
        owners = self.interfaces if kind == "i" else self.worlds
        first = unresolved.n_foreign_interfaces if kind == "i" else unresolved.n_foreign_worlds
        if None not in owners[first:]:
            return
        what = "interface" if kind == "i" else "world"
        start = unresolved.n_foreign_types
        for t, gid in zip(unresolved.types[start:], self.types[start:], strict=True):
            owner = t.owner
            if gid is not None and owner is not None and owner[0] == kind:
                if owners[owner[1]] is not None:
                    continue
                self.report(
                    error(
                        "WIT307",
                        f"found a reference to a {what} which is excluded due to its feature "
                        f"not being activated; this type is not gated by a feature but its "
                        f"{what} is",
                        t.span,
                    )
                )

    def process_foreign_deps(self) -> None:
        """Bind the placeholders of foreign interfaces, worlds and types to the items of the
        packages already added."""
        unresolved, arenas = self.unresolved, self.arenas
        where: dict[tuple[str, int], tuple[m.PackageName, str, Span]] = {}
        for i, (pname, items) in enumerate(unresolved.foreign_deps.items()):
            for name, item in items.items():
                where[item] = (pname, name, unresolved.foreign_dep_spans[i])
        interfaces = self.bind_foreign("i", unresolved.n_foreign_interfaces, where)
        self.interfaces += [None if x is None else m.InterfaceId(x) for x in interfaces]
        self.worlds += self.bind_foreign("w", unresolved.n_foreign_worlds, where)
        # Name → id tables of the interfaces looked into, each built once.
        iface_types: dict[m.InterfaceId, dict[str, m.TypeId]] = {}
        for local in range(unresolved.n_foreign_types):
            t = unresolved.types[local]
            if self.excluded(t.stability, t.span):
                self.types.append(None)
                continue
            assert t.owner is not None
            try:
                iid = self.map_interface(t.owner[1], t.span)
            except (ResolveError, Poisoned) as e:
                self.note(e)
                self.poisoned_types.add(local)
                self.types.append(None)
                continue
            if iid not in iface_types:
                iface_types[iid] = dict(arenas.interfaces[iid].types)
            tid = iface_types[iid].get(t.name or "")
            if tid is None:
                self.report(
                    error(
                        "WIT209",
                        f"type `{t.name}` not defined in interface",
                        t.span,
                        *hint(t.name or "", [k for k, _ in arenas.interfaces[iid].types]),
                    )
                )
                self.poisoned_types.add(local)
            self.types.append(tid)

    def bind_foreign(
        self,
        kind: Literal["i", "w"],
        count: int,
        where: dict[tuple[str, int], tuple[m.PackageName, str, Span]],
    ) -> list[int | None]:
        """The global ids of the first `count` local interfaces (`kind` "i") or worlds ("w"),
        the placeholders for foreign ones; None for one its gate leaves out, or one that
        cannot be bound (poisoned, its error recorded)."""
        unresolved, arenas = self.unresolved, self.arenas
        poisoned = self.poisoned_interfaces if kind == "i" else self.poisoned_worlds
        # Name → id tables of the packages looked into, each built once.
        tables: dict[m.PackageId, dict[str, int]] = {}
        bound: list[int | None] = []
        for local in range(count):
            pname, name, span = where[kind, local]
            pid = self.arenas.package_names.get(pname)
            if pid is None:
                self.report(self.missing_package(pname, span))
                poisoned.add(local)
                bound.append(None)
                continue
            pkg = arenas.packages[pid]
            names: tuple[tuple[str, int], ...] = pkg.interfaces if kind == "i" else pkg.worlds
            if pid not in tables:
                tables[pid] = dict(names)
            found = tables[pid].get(name)
            if found is None:
                gate = unresolved.foreign_item_stability.get((kind, local), m.UNKNOWN)
                at = unresolved.foreign_item_spans[kind, local]
                admitted = self.gate(gate, at)
                if not admitted:
                    # Left out by its gate; or the gate is an error, reported just now.
                    if admitted is None:
                        poisoned.add(local)
                    bound.append(None)
                    continue
                message = f"'{name}' not found in package '{pname}'"
                if kind == "i":
                    notes = hint(name, [k for k, _ in names])
                    self.report(error("WIT202", f"interface {message}", at, *notes))
                else:
                    self.report(error("WIT210", f"world {message}", at))
                poisoned.add(local)
            bound.append(found)
        return bound

    def check_required_resources(self) -> None:
        arenas = self.arenas
        for tid, span in self.unresolved.required_resource_types:
            try:
                cur = self.map_type(tid, span)
            except (ResolveError, Poisoned):
                continue  # reported where the type is referenced, or where it failed
            while True:
                kind = arenas.types[cur].kind
                if isinstance(kind, m.Alias) and not isinstance(kind.type, str):
                    cur = kind.type
                elif isinstance(kind, m.Resource):
                    break
                else:
                    self.report(error("WIT303", "type used in a handle must be a resource", span))
                    break

    def missing_package(self, name: m.PackageName, span: Span) -> Diagnostic:
        # wit-parser lists the packages added so far, then the one being added.
        names = [*self.arenas.package_names, self.unresolved.name]
        known = "".join(f"\n    {k}" for k in names)
        return error("WIT205", f"package '{name}' not found. known packages:{known}", span)

    def update_world(self, uw: UnresolvedWorld, pkg_id: m.PackageId) -> tuple[MutableWorld, bool]:
        """The world with global ids, and whether every item of it made it (an item that
        fails is left out, its error recorded)."""
        complete = True
        world = MutableWorld(
            name=uw.name,
            imports={},
            exports={},
            package=pkg_id,
            docs=uw.docs,
            stability=uw.stability,
            span=uw.span,
        )
        for items, dst in ((uw.imports, world.imports), (uw.exports, world.exports)):
            for key, item, span in items:
                try:
                    witem = self.world_item(item, span)
                    if witem is None:
                        continue
                    gkey: m.WorldKey = (
                        key if isinstance(key, str) else self.map_interface(key[1], span)
                    )
                except (ResolveError, Poisoned) as e:
                    self.note(e)
                    complete = False
                    continue
                dst[gkey] = witem
        return world, complete

    def world_item(self, item: UnresolvedWorldItem, span: Span) -> m.WorldItem | None:
        """A world's item with global ids; None if its gate leaves it out."""
        if isinstance(item, int):
            tid = self.map_type(item, span)
            if self.excluded(self.arenas.types[tid].stability, span):
                return None
            return m.WorldType(id=tid, span=span)
        if self.excluded(item.stability, span):
            return None
        if isinstance(item, UnresolvedWorldInterface):
            return m.WorldInterface(
                id=self.map_interface(item.id, span),
                docs=item.docs,
                stability=item.stability,
                external_id=item.external_id,
                span=span,
            )
        return m.WorldFunction(function=self.update_function(item, span))

    # ---- include
    def process_includes(self, uw: UnresolvedWorld, wid: int) -> None:
        """Merge the worlds `uw` includes into world `wid`, then check its names.

        An incomplete world is not merged (its missing names would be reported again, as
        renames of names it lacks); the including world becomes incomplete in turn.
        """
        arenas = self.arenas
        included: dict[tuple[str, str], Span] = {}
        for inc in uw.includes:
            if self.excluded(inc.stability, inc.span):
                continue
            try:
                src_id = self.map_world(inc.world, inc.span)
            except (ResolveError, Poisoned) as e:
                self.note(e)
                self.incomplete_worlds.add(wid)
                continue
            if src_id in self.incomplete_worlds:
                self.incomplete_worlds.add(wid)
                continue
            for problem in include_world(arenas, wid, src_id, inc, included):
                self.report(problem)
        if included:
            for problem in check_strongly_unique(arenas.worlds[wid], included):
                self.report(problem)


def field_of_type(f: m.Field, t: m.Type) -> m.Field:
    """Field `f` with type `t` (`f` itself when that is its type: a primitive, say)."""
    return f if t == f.type else m.Field(name=f.name, type=t, docs=f.docs)


def case_of_type(c: m.Case, t: m.Type | None) -> m.Case:
    return c if t == c.type else m.Case(name=c.name, type=t, docs=c.docs)
