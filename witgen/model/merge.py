"""Merge one `Resolve` into another, as wit-parser's `Resolve::merge` and `merge_worlds` do.

Input: two resolves, `into` and `other`. Output: a new resolve holding every item of
`into` at its old id, then the items of `other` that `into` does not already have, each
arena appended in `other`'s order (so both stay topologically ordered), plus the id maps
from `other` to the result. Packages match by name, and inside a matched package its
interfaces and worlds match by name; a matched interface's named types match by name, its
functions by name (wit-parser's `MergeMap`); optionally, the anonymous types they reach
match structurally. Used for `.wasm` dependencies (decoded packages come first, as wit-parser
pushes them before parsing any `.wit` dependency) and for core modules with several
`component-type` sections (each section's world is merged into one `root` world).
Invariants: pure; ids of `into` never change; spans are kept as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, assert_never

from witgen import model as m
from witgen._record import replace
from witgen.model.kinds import children_first, map_kind, referenced_types

_Id = TypeVar("_Id", m.TypeId, m.InterfaceId, m.WorldId, m.PackageId)


@dataclass(slots=True)
class Maps:
    """Where each item of `other` ended up in the merged resolve."""

    packages: dict[m.PackageId, m.PackageId] = field(default_factory=dict)
    interfaces: dict[m.InterfaceId, m.InterfaceId] = field(default_factory=dict)
    worlds: dict[m.WorldId, m.WorldId] = field(default_factory=dict)
    types: dict[m.TypeId, m.TypeId] = field(default_factory=dict)


class _Matcher:
    def __init__(self, into: m.Resolve, other: m.Resolve, structural: bool) -> None:
        self.into = into
        self.other = other
        self.structural = structural
        self.maps = Maps()

    def type(self, theirs: m.Type | None, ours: m.Type | None) -> None:
        """Match `theirs` to `ours`, then (structurally) the types they refer to, pair by
        pair, depth first: the first match of a type wins. On an explicit stack, as a
        chain of types can be thousands deep."""
        stack = [(theirs, ours)]
        while stack:
            theirs, ours = stack.pop()
            if isinstance(theirs, str) or isinstance(ours, str) or theirs is None or ours is None:
                continue
            if theirs in self.maps.types:
                continue
            self.maps.types[theirs] = ours
            a, b = self.other.types[theirs].kind, self.into.types[ours].kind
            if self.structural and type(a) is type(b):
                pairs = list(zip(referenced_types(a), referenced_types(b), strict=False))
                stack += reversed(pairs)

    def function(self, theirs: m.Function, ours: m.Function) -> None:
        if not self.structural:
            return
        for p, q in zip(theirs.params, ours.params, strict=False):
            self.type(p.type, q.type)
        self.type(theirs.result, ours.result)

    def interface(self, theirs: m.InterfaceId, ours: m.InterfaceId) -> None:
        self.maps.interfaces[theirs] = ours
        a, b = self.other.interfaces[theirs], self.into.interfaces[ours]
        types = dict(b.types)
        for name, tid in a.types:
            if name in types:
                self.type(tid, types[name])
        funcs = dict(b.functions)
        for name, f in a.functions:
            if name in funcs:
                self.function(f, funcs[name])

    def world(self, theirs: m.WorldId, ours: m.WorldId) -> None:
        self.maps.worlds[theirs] = ours
        a, b = self.other.worlds[theirs], self.into.worlds[ours]
        for mine, other_items in ((b.imports, a.imports), (b.exports, a.exports)):
            known = {self._key_name(self.into, k): item for k, item in mine}
            for key, item in other_items:
                found = known.get(self._key_name(self.other, key))
                if isinstance(item, m.WorldFunction) and isinstance(found, m.WorldFunction):
                    self.function(item.function, found.function)
                elif isinstance(item, m.WorldType) and isinstance(found, m.WorldType):
                    self.type(item.id, found.id)
                elif (
                    isinstance(item, m.WorldInterface)
                    and isinstance(found, m.WorldInterface)
                    and self.other.interfaces[item.id].name is None
                ):
                    self.interface(item.id, found.id)

    @staticmethod
    def _key_name(r: m.Resolve, key: m.WorldKey) -> str:
        return key if isinstance(key, str) else r.id_of(key)

    def packages(self) -> None:
        by_name = {p.name: m.PackageId(i) for i, p in enumerate(self.into.packages)}
        for i, pkg in enumerate(self.other.packages):
            ours = by_name.get(pkg.name)
            if ours is None:
                continue
            self.maps.packages[m.PackageId(i)] = ours
            mine = self.into.packages[ours]
            ifaces, worlds = dict(mine.interfaces), dict(mine.worlds)
            for name, iid in pkg.interfaces:
                if name in ifaces:
                    self.interface(iid, ifaces[name])
            for name, wid in pkg.worlds:
                if name in worlds:
                    self.world(wid, worlds[name])


def _allocate(mapping: dict[_Id, _Id], count: int, start: int, make: Callable[[int], _Id]) -> None:
    """Give each of `count` items not in `mapping` the next id from `start` on."""
    n = start
    for i in range(count):
        if make(i) not in mapping:
            mapping[make(i)] = make(n)
            n += 1


class _Appender:
    """Appends the unmatched items of `other`, rewriting every id through the maps."""

    def __init__(self, into: m.Resolve, other: m.Resolve, maps: Maps) -> None:
        self.other = other
        self.maps = maps
        self.types = list(into.types)
        self.interfaces = list(into.interfaces)
        self.worlds = list(into.worlds)
        self.packages = list(into.packages)
        # Ids are allocated up front, so that an item may refer to one appended later.
        _allocate(maps.types, len(other.types), len(self.types), m.TypeId)
        _allocate(maps.interfaces, len(other.interfaces), len(self.interfaces), m.InterfaceId)
        _allocate(maps.worlds, len(other.worlds), len(self.worlds), m.WorldId)
        _allocate(maps.packages, len(other.packages), len(self.packages), m.PackageId)

    def ty(self, t: m.Type) -> m.Type:
        return t if isinstance(t, str) else self.maps.types[t]

    def opt(self, t: m.Type | None) -> m.Type | None:
        return None if t is None else self.ty(t)

    def tid(self, t: m.TypeId) -> m.TypeId:
        return self.maps.types[t]

    def kind(self, kind: m.TypeDefKind) -> m.TypeDefKind:
        return map_kind(kind, self.ty)

    def owner(self, owner: m.TypeOwner) -> m.TypeOwner:
        match owner:
            case m.OwnerInterface(id=iid):
                return m.OwnerInterface(id=self.maps.interfaces[iid])
            case m.OwnerWorld(id=wid):
                return m.OwnerWorld(id=self.maps.worlds[wid])
            case None:
                return None
            case _:
                assert_never(owner)

    def function(self, f: m.Function) -> m.Function:
        res = f.kind.resource
        return replace(
            f,
            kind=replace(f.kind, resource=None if res is None else self.tid(res)),
            params=tuple(replace(p, type=self.ty(p.type)) for p in f.params),
            result=self.opt(f.result),
        )

    def package_id(self, pid: m.PackageId | None) -> m.PackageId | None:
        return None if pid is None else self.maps.packages[pid]

    def item(self, item: m.WorldItem) -> m.WorldItem:
        match item:
            case m.WorldInterface(id=iid):
                return replace(item, id=self.maps.interfaces[iid])
            case m.WorldFunction(function=f):
                return m.WorldFunction(function=self.function(f))
            case m.WorldType(id=tid):
                return replace(item, id=self.tid(tid))
            case _:
                assert_never(item)

    def key(self, key: m.WorldKey) -> m.WorldKey:
        return key if isinstance(key, str) else self.maps.interfaces[key]

    def run(self, matched: Maps) -> m.Resolve:
        o = self.other
        for i, td in enumerate(o.types):
            if i not in matched.types:
                kind, owner = self.kind(td.kind), self.owner(td.owner)
                self.types.append(replace(td, kind=kind, owner=owner))
        for i, iface in enumerate(o.interfaces):
            if i not in matched.interfaces:
                self.interfaces.append(
                    replace(
                        iface,
                        types=tuple((n, self.tid(t)) for n, t in iface.types),
                        functions=tuple((n, self.function(f)) for n, f in iface.functions),
                        package=self.package_id(iface.package),
                        clone_of=None
                        if iface.clone_of is None
                        else self.maps.interfaces[iface.clone_of],
                    )
                )
        for i, world in enumerate(o.worlds):
            if i not in matched.worlds:
                self.worlds.append(
                    replace(
                        world,
                        imports=tuple((self.key(k), self.item(v)) for k, v in world.imports),
                        exports=tuple((self.key(k), self.item(v)) for k, v in world.exports),
                        package=self.package_id(world.package),
                    )
                )
        for i, pkg in enumerate(o.packages):
            ifaces = tuple((n, self.maps.interfaces[x]) for n, x in pkg.interfaces)
            worlds = tuple((n, self.maps.worlds[x]) for n, x in pkg.worlds)
            if i not in matched.packages:
                self.packages.append(replace(pkg, interfaces=ifaces, worlds=worlds))
                continue
            # A package both sides have gains the other side's new interfaces and worlds.
            pid = self.maps.packages[m.PackageId(i)]
            mine = self.packages[pid]
            have_i, have_w = dict(mine.interfaces), dict(mine.worlds)
            self.packages[pid] = replace(
                mine,
                interfaces=mine.interfaces + tuple((n, x) for n, x in ifaces if n not in have_i),
                worlds=mine.worlds + tuple((n, x) for n, x in worlds if n not in have_w),
            )
        return m.Resolve(
            packages=tuple(self.packages),
            interfaces=tuple(self.interfaces),
            worlds=tuple(self.worlds),
            types=tuple(self.types),
        )


def merge(into: m.Resolve, other: m.Resolve, *, structural: bool = False) -> tuple[m.Resolve, Maps]:
    """`into` plus what `other` adds to it; the result's `main` is `into`'s.

    As wit-parser, only named items match: the anonymous types of a matched interface's
    functions are appended again (unused). With `structural`, they match the anonymous
    types in the same place on the `into` side instead, which is what resolving `other`
    against `into` directly would have given.
    """
    matcher = _Matcher(into, other, structural)
    matcher.packages()
    matched = Maps(
        packages=dict(matcher.maps.packages),
        interfaces=dict(matcher.maps.interfaces),
        worlds=dict(matcher.maps.worlds),
        types=dict(matcher.maps.types),
    )
    merged = _Appender(into, other, matcher.maps).run(matched)
    return replace(merged, main=into.main, main_group=into.main_group), matcher.maps


class _WorldItemCloner:
    """wit-parser's `Cloner`: copies the types one owner owns (and every anonymous type on
    the way) to another owner, appending each copy once, children first."""

    def __init__(self, resolve: m.Resolve) -> None:
        self.types = list(resolve.types)
        self.interfaces = list(resolve.interfaces)
        self.copies: dict[m.TypeId, m.TypeId] = {}
        self.from_owner: m.TypeOwner = None
        self.to_owner: m.TypeOwner = None

    def copy_type(self, t: m.Type) -> m.Type:
        """The copy of `t` (itself if another owner owns it), made after the copies of the
        types it refers to, in field order."""
        if isinstance(t, str):
            return t
        copies, types = self.copies, self.types
        if t in copies:
            return copies[t]
        if not self._copied(t):
            return t
        for cur, _ in children_first(t, self._children, copies):
            td = types[cur]
            kind = map_kind(td.kind, lambda x: x if isinstance(x, str) else copies.get(x, x))
            owner = self.to_owner if td.owner is not None else None
            types.append(replace(td, kind=kind, owner=owner))
            copies[cur] = m.TypeId(len(types) - 1)
        return copies[t]

    def _copied(self, t: m.TypeId) -> bool:
        """Whether the cloner copies `t`: an anonymous type, or one the source owns."""
        owner = self.types[t].owner
        return owner is None or owner == self.from_owner

    def _children(self, t: m.TypeId) -> list[m.TypeId]:
        refs = referenced_types(self.types[t].kind)
        return [x for x in refs if x is not None and not isinstance(x, str) and self._copied(x)]

    def copy_function(self, f: m.Function) -> m.Function:
        res = f.kind.resource
        kind = replace(f.kind, resource=None if res is None else self.copy_type_id(res))
        params = tuple(replace(p, type=self.copy_type(p.type)) for p in f.params)
        result = None if f.result is None else self.copy_type(f.result)
        return replace(f, kind=kind, params=params, result=result)

    def copy_type_id(self, t: m.TypeId) -> m.TypeId:
        out = self.copy_type(t)
        assert not isinstance(out, str)
        return out

    def copy_interface(self, iid: m.InterfaceId, package: m.PackageId | None) -> m.InterfaceId:
        """A copy of inline interface `iid`, marked `clone_of` as wit-parser marks it."""
        new = m.InterfaceId(len(self.interfaces))
        self.interfaces.append(self.interfaces[iid])  # reserved: its types name it as owner
        self.from_owner, self.to_owner = m.OwnerInterface(id=iid), m.OwnerInterface(id=new)
        iface = self.interfaces[iid]
        types = tuple((n, self.copy_type_id(t)) for n, t in iface.types)
        functions = tuple((n, self.copy_function(f)) for n, f in iface.functions)
        self.interfaces[new] = replace(
            iface, types=types, functions=functions, package=package, clone_of=iid
        )
        return new


def merge_worlds(r: m.Resolve, source: m.WorldId, target: m.WorldId) -> m.Resolve:
    """Add the imports and exports of `source` that `target` lacks (wit-parser's `merge_worlds`).

    Named interfaces are shared. Inline interfaces, the types the source world owns and the
    anonymous types of both are copied for the target world (appended to the arenas), and
    the functions that use them are rewritten to the copies.
    """
    src, dst = r.worlds[source], r.worlds[target]
    cloner = _WorldItemCloner(r)

    def union(
        mine: tuple[tuple[m.WorldKey, m.WorldItem], ...],
        theirs: tuple[tuple[m.WorldKey, m.WorldItem], ...],
    ) -> tuple[tuple[m.WorldKey, m.WorldItem], ...]:
        have = {k for k, _ in mine}
        out = list(mine)
        for key, item in theirs:
            if key in have:
                continue
            cloner.from_owner, cloner.to_owner = m.OwnerWorld(id=source), m.OwnerWorld(id=target)
            if isinstance(item, m.WorldType):
                item = replace(item, id=cloner.copy_type_id(item.id))
            elif isinstance(item, m.WorldFunction):
                item = m.WorldFunction(function=cloner.copy_function(item.function))
            elif r.interfaces[item.id].name is None:
                item = replace(item, id=cloner.copy_interface(item.id, dst.package))
            out.append((key, item))
        return tuple(out)

    imports = union(dst.imports, src.imports)
    exports = union(dst.exports, src.exports)
    worlds = list(r.worlds)
    worlds[target] = replace(dst, imports=imports, exports=exports)
    return replace(
        r,
        worlds=tuple(worlds),
        types=tuple(cloner.types),
        interfaces=tuple(cloner.interfaces),
    )
