"""`include`: another world's items merged into a world (wit-parser's `Cloner` and
`resolve_include`).

Input: the global arenas, the including and the included world (both already appended),
and the include's `with { x as y }` renames. Output: the including world's imports and
exports grow by the included ones; the types the included world owns, the anonymous
types they reach and its inline interfaces are copied for the including world.
Invariants: a named interface is shared, never copied; one cloner serves one include,
so a type reached twice is copied once, children before parents (ids stay
topologically ordered); the names a world ends up with are strongly unique
(`check_strongly_unique`, run once all of a world's includes are merged).
"""

from __future__ import annotations

from witgen import model as m
from witgen._record import replace
from witgen.model.kinds import children_first, map_kind, referenced_types
from witgen.resolve.errors import assert_never
from witgen.resolve.unique_names import canonical_name
from witgen.text.diagnostics import Note, error
from witgen.text.source import Span

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from witgen.resolve.global_arenas import GlobalArenas, MutableWorld
    from witgen.resolve.unresolved import UnresolvedInclude
    from witgen.text.diagnostics import Diagnostic


def _rename_type(arenas: GlobalArenas, tid: m.TypeId, name: str) -> None:
    """Give type `tid` the name an include's `with { x as y }` gives it."""
    t = arenas.types[tid]
    if t.name != name:
        arenas.types[tid] = replace(t, name=name)


def check_strongly_unique(
    world: MutableWorld, included: dict[tuple[str, str], Span]
) -> list[Diagnostic]:
    """A world's import (export) names, with what its includes brought, strongly unique:
    one error per name that conflicts with an earlier one.

    wit-parser checks this after a world's includes and before elaborating it, and
    reports no location (and only the first conflict); the notes show where the two
    names come from.
    """
    errors: list[Diagnostic] = []
    for what, items in (("import", world.imports), ("export", world.exports)):
        seen: dict[str, str] = {}
        for key in items:
            if not isinstance(key, str):
                continue
            canon = canonical_name(key)
            prev = seen.get(canon)
            if prev is None:
                seen[canon] = key
                continue
            notes = []
            for name in (prev, key):
                inc_span = included.get((what, name))
                if inc_span is not None:
                    notes.append(Note(f"`{name}` is included here", inc_span))
                else:
                    item = items[name]
                    span = item.function.span if isinstance(item, m.WorldFunction) else item.span
                    notes.append(Note(f"`{name}` is declared here", span))
            errors.append(
                error(
                    "WIT203",
                    f"{what} `{key}` in world `{world.name}` conflicts with {what} `{prev}` "
                    "(names must be strongly unique)",
                    Span.UNKNOWN,
                    *notes,
                )
            )
    return errors


def _include_rename(key: str, renames: dict[str, str]) -> str:
    """`include w with { r as s }` renames `r` and the `[method]r.m`-style names of its members."""
    if key in renames:
        return renames[key]  # built with setdefault: the first `with` rename of a name wins
    if key.startswith("["):
        close = key.find("]")
        prefix, rest = key[: close + 1], key[close + 1 :]
        res, dot, member = rest.partition(".")
        if res in renames:
            return f"{prefix}{renames[res]}{dot}{member}"
    return key


def _merge_include_stability(new: m.WorldItem, prev: m.WorldItem, external: bool) -> m.WorldItem:
    """An interface included again: a stable gate from another package is dropped."""
    assert isinstance(new, m.WorldInterface) and isinstance(prev, m.WorldInterface)
    if external and isinstance(new.stability, m.Stable):
        return m.WorldInterface(id=prev.id, docs=prev.docs, stability=m.UNKNOWN, span=prev.span)
    if isinstance(prev.stability, m.Unknown) and not isinstance(new.stability, m.Unknown):
        return m.WorldInterface(id=prev.id, docs=prev.docs, stability=new.stability, span=prev.span)
    return prev


class IncludeCloner:
    """Copies what one `include` brings into a world (wit-parser's `Cloner`).

    The types the included world owns, every anonymous type reached from its functions and
    types, and its inline interfaces (with their types) are copied for the including world,
    children before parents. One cloner serves one `include`, so a type reached twice (from
    two functions, or a function and an inline interface) is copied once.
    """

    def __init__(self, arenas: GlobalArenas, src: int, dst: int) -> None:
        self.arenas = arenas
        self.from_owner: m.TypeOwner = m.OwnerWorld(id=m.WorldId(src))
        self.to_owner: m.TypeOwner = m.OwnerWorld(id=m.WorldId(dst))
        self.package = arenas.worlds[dst].package
        self.copies: dict[m.TypeId, m.TypeId] = {}

    def copy_world_item(self, item: m.WorldItem) -> m.WorldItem:
        """The copy of an item included under a plain name (`import x: ...`)."""
        match item:
            case m.WorldInterface(id=iid):
                if self.arenas.interfaces[iid].name is not None:
                    return item  # a named interface (`import x: i;`) is shared, not copied
                return m.WorldInterface(
                    id=self.copy_interface(iid),
                    docs=item.docs,
                    stability=item.stability,
                    external_id=item.external_id,
                    span=item.span,
                )
            case m.WorldType(id=tid, span=span):
                return m.WorldType(id=self.copy_type_id(tid), span=span)
            case m.WorldFunction(function=f):
                return m.WorldFunction(function=self.copy_function(f))
            case _:
                assert_never(item)

    def copy_interface(self, iid: m.InterfaceId) -> m.InterfaceId:
        """A copy of inline interface `iid`, owned by the including world's package."""
        arenas = self.arenas
        old = arenas.interfaces[iid]
        new = m.InterfaceId(len(arenas.interfaces))
        arenas.interfaces.append(old)  # reserved: the copied types name `new` as their owner
        saved = self.from_owner, self.to_owner
        self.from_owner, self.to_owner = m.OwnerInterface(id=iid), m.OwnerInterface(id=new)
        types = tuple((name, self.copy_type_id(t)) for name, t in old.types)
        funcs = tuple((name, self.copy_function(f)) for name, f in old.functions)
        self.from_owner, self.to_owner = saved
        arenas.interfaces[new] = replace(
            old, name=None, types=types, functions=funcs, package=self.package, clone_of=iid
        )
        return new

    def copy_function(self, f: m.Function) -> m.Function:
        kind = f.kind
        if kind.resource is not None:
            kind = m.FunctionKind(name=kind.name, resource=self.copy_type_id(kind.resource))
        params = tuple(m.Param(name=p.name, type=self.copy_type(p.type)) for p in f.params)
        result = None if f.result is None else self.copy_type(f.result)
        return replace(f, kind=kind, params=params, result=result)

    def copy_type(self, t: m.Type) -> m.Type:
        return t if isinstance(t, str) else self.copy_type_id(t)

    def copy_type_id(self, tid: m.TypeId) -> m.TypeId:
        """The copy of `tid` (itself if another owner owns it), made after the copies of
        the types it refers to, in field order, as wit-parser's recursive cloner makes
        them."""
        copies, types = self.copies, self.arenas.types
        if tid in copies:
            return copies[tid]
        owner = types[tid].owner
        if owner is not None and owner != self.from_owner:
            return tid  # another owner's type (wit-parser asserts this never happens)
        for cur, children in children_first(tid, lambda x: self._children(types[x]), copies):
            t = types[cur]
            if isinstance(t.kind, m.Alias):
                kind: m.TypeDefKind = m.Alias(type=copies[children[0]]) if children else t.kind
            else:
                kind = map_kind(t.kind, lambda x: x if isinstance(x, str) else copies.get(x, x))
            copies[cur] = self.arenas.alloc_type(
                m.TypeDef(
                    name=t.name,
                    kind=kind,
                    owner=self.to_owner if t.owner is not None else None,
                    docs=t.docs,
                    stability=t.stability,
                    span=t.span,
                    external_id=t.external_id,
                )
            )
        return copies[tid]

    def _children(self, t: m.TypeDef) -> list[m.TypeId]:
        """The types `t` refers to that the cloner copies: those no other owner owns. An
        alias is re-pointed only at a type of the same owner: a `use`d type stays the
        other interface's, and so does an anonymous type an alias names."""
        types = self.arenas.types
        if isinstance(t.kind, m.Alias):
            target = t.kind.type
            if isinstance(target, str) or types[target].owner != self.from_owner:
                return []
            return [target]
        return [
            x
            for x in referenced_types(t.kind)
            if x is not None
            and not isinstance(x, str)
            and (types[x].owner is None or types[x].owner == self.from_owner)
        ]


def include_world(
    arenas: GlobalArenas,
    wid: int,
    src_id: int,
    inc: UnresolvedInclude,
    included: dict[tuple[str, str], Span],
) -> list[Diagnostic]:
    """Add world `src_id` to world `wid`; `included` records where each new name came from.

    Returns the errors, in wit-parser's order: a `with` rename of a name the world does
    not have, then a name that shadows one the world already has (that item is left out).
    """
    world, src = arenas.worlds[wid], arenas.worlds[src_id]
    keys = {key for key in [*src.imports, *src.exports] if isinstance(key, str)}
    errors = [
        error(
            "WIT311",
            f"no import or export kebab-name `{x.name.name}`. Note that an ID does not "
            "support renaming",
            inc.span,
        )
        for x in inc.names
        if x.name.name not in keys
    ]
    cloner = IncludeCloner(arenas, src_id, wid)
    external = world.package != src.package
    renames: dict[str, str] = {}
    for x in inc.names:
        renames.setdefault(x.name.name, x.alias.name)
    for items, dst, what in (
        (src.imports, world.imports, "import"),
        (src.exports, world.exports, "export"),
    ):
        for key, item in items.items():
            if isinstance(key, str):
                new_name = _include_rename(key, renames)
                new_item = cloner.copy_world_item(item)
                if isinstance(new_item, m.WorldFunction):
                    new_item = m.WorldFunction(function=replace(new_item.function, name=new_name))
                elif isinstance(new_item, m.WorldType):
                    _rename_type(arenas, new_item.id, new_name)
                if new_name in dst:
                    errors.append(
                        error(
                            "WIT311",
                            f"{what} of `{new_name}` shadows previously {what}ed items",
                            inc.span,
                        )
                    )
                    continue
                dst[new_name] = new_item
                included[(what, new_name)] = inc.span
            else:
                prev = dst.get(key)
                if prev is None:
                    dst[key] = item
                    prev = item
                dst[key] = _merge_include_stability(item, prev, external)
    return errors
