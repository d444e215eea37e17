"""The resolved type graph: wit-parser's `Resolve`, frozen.

Input: built once by `witgen.resolve` (from syntax trees) or by `wasm/decoder.py` (from
binaries). Output: read by every backend. Invariants:

- Everything is a frozen, slotted, keyword-only dataclass with tuple fields; no names are
  left to look up, every reference is an id (an index into one of `Resolve`'s arenas).
- Arenas are in topological order: every id an item refers to is smaller than its own id
  (a type's payload types, an interface's types, a world's interfaces). Ids are allocated
  in exactly wit-parser's order, because wit-parser's JSON shows them and
  `wasm-tools component wit --json` is our oracle; the encoder relies on the order too.
- WIT names stay as written (kebab-case, `%` removed). Spans are kept for blame only:
  they never take part in equality and never reach JSON.
"""

from __future__ import annotations

from witgen._record import field, record
from witgen.text.source import Span

# The ids are ints; to the type checker, four kinds of int that do not mix. typing is not
# imported at run time (every `check` would pay for it at start-up), and calling `int` on
# an int returns it, as calling a NewType does.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal, NewType

    TypeId = NewType("TypeId", int)
    InterfaceId = NewType("InterfaceId", int)
    WorldId = NewType("WorldId", int)
    PackageId = NewType("PackageId", int)

    # WIT's primitive types, named as written (one list, in `syntax.keywords`).
    from witgen.syntax.keywords import PrimitiveName

    PrimitiveType = PrimitiveName

    # A reference to a type: a primitive by name, or a TypeDef by id (as in wit-parser's JSON).
    Type = PrimitiveType | TypeId

    FunctionKindName = Literal[
        "freestanding",
        "async-freestanding",
        "method",
        "async-method",
        "static",
        "async-static",
        "constructor",
    ]
else:
    TypeId = InterfaceId = WorldId = PackageId = int
    # What the aliases are at run time, for modules that build type aliases from them.
    PrimitiveType = FunctionKindName = str
    Type = str | int


# ---------------------------------------------------------------- docs and gates


@record
class Docs:
    # The doc text with comment markers removed, lines joined by "\n"; None if undocumented.
    contents: str | None = None


NO_DOCS = Docs()


@record
class Stable:
    """`@since(version = ...)`, optionally `@deprecated(version = ...)`."""

    since: str
    deprecated: str | None = None


@record
class Unstable:
    """`@unstable(feature = ...)`, optionally `@deprecated(version = ...)`."""

    feature: str
    deprecated: str | None = None


@record
class Unknown:
    """No gate at all (wit-parser's `Stability::Unknown`)."""


UNKNOWN = Unknown()
Stability = Stable | Unstable | Unknown


# ---------------------------------------------------------------- type definitions


@record
class Field:
    name: str
    type: Type
    docs: Docs = NO_DOCS


@record
class Record:
    fields: tuple[Field, ...]


@record
class Resource:
    """A resource type; its methods are functions of the owning interface or world."""


@record
class Handle:
    # "own" for `own<r>` / a bare resource name, "borrow" for `borrow<r>`.
    kind: Literal["own", "borrow"]
    resource: TypeId


@record
class Flag:
    name: str
    docs: Docs = NO_DOCS


@record
class Flags:
    flags: tuple[Flag, ...]


@record
class TupleKind:
    types: tuple[Type, ...]


@record
class Case:
    name: str
    type: Type | None
    docs: Docs = NO_DOCS


@record
class Variant:
    cases: tuple[Case, ...]


@record
class EnumCase:
    name: str
    docs: Docs = NO_DOCS


@record
class Enum:
    cases: tuple[EnumCase, ...]


@record
class OptionKind:
    type: Type


@record
class ResultKind:
    ok: Type | None
    err: Type | None


@record
class ListKind:
    type: Type


@record
class FixedList:
    """`list<T, N>`."""

    type: Type
    size: int


@record
class MapKind:
    key: Type
    value: Type


@record
class Future:
    type: Type | None


@record
class Stream:
    type: Type | None


@record
class Alias:
    """`type x = y;`: a named reference to another type."""

    type: Type


TypeDefKind = (
    Record
    | Resource
    | Handle
    | Flags
    | TupleKind
    | Variant
    | Enum
    | OptionKind
    | ResultKind
    | ListKind
    | FixedList
    | MapKind
    | Future
    | Stream
    | Alias
)


@record
class OwnerInterface:
    id: InterfaceId


@record
class OwnerWorld:
    id: WorldId


# Where a named type is defined; None for anonymous types (`list<u8>`, `borrow<r>`).
TypeOwner = OwnerInterface | OwnerWorld | None


@record
class TypeDef:
    name: str | None
    kind: TypeDefKind
    owner: TypeOwner
    docs: Docs = NO_DOCS
    stability: Stability = UNKNOWN
    # `@external-id("...")`: the name the outside world knows this type by.
    external_id: str | None = None
    span: Span = field(default=Span.UNKNOWN, compare=False, repr=False)


# ---------------------------------------------------------------- functions


@record
class FunctionKind:
    name: FunctionKindName
    # The resource of a method, static function or constructor.
    resource: TypeId | None = None


@record
class Param:
    name: str
    type: Type


@record
class Function:
    # The full name: `f`, `[method]r.f`, `[static]r.f`, `[constructor]r`.
    name: str
    kind: FunctionKind
    params: tuple[Param, ...]
    result: Type | None
    docs: Docs = NO_DOCS
    stability: Stability = UNKNOWN
    # `@external-id("...")`: the name the outside world knows this function by.
    external_id: str | None = None
    span: Span = field(default=Span.UNKNOWN, compare=False, repr=False)

    @property
    def item_name(self) -> str:
        """The name as written in the source: `f` for `[method]r.f`, `r` for a constructor."""
        if self.name.startswith("["):
            rest = self.name[self.name.index("]") + 1 :]
            return rest.split(".", 1)[1] if "." in rest else rest
        return self.name

    @property
    def is_async(self) -> bool:
        return self.kind.name.startswith("async-")


# ---------------------------------------------------------------- interfaces and worlds


@record
class Interface:
    # None for an inline interface of a world (`import x: interface { ... }`).
    name: str | None
    types: tuple[tuple[str, TypeId], ...]
    functions: tuple[tuple[str, Function], ...]
    package: PackageId | None
    docs: Docs = NO_DOCS
    stability: Stability = UNKNOWN
    # The inline interface this one copies: `include w` gives the including world its own
    # copy (new interface and type ids) of each inline interface of `w`, as wit-parser does.
    clone_of: InterfaceId | None = None
    span: Span = field(default=Span.UNKNOWN, compare=False, repr=False)


@record
class WorldInterface:
    id: InterfaceId
    docs: Docs = NO_DOCS
    stability: Stability = UNKNOWN
    external_id: str | None = None
    span: Span = field(default=Span.UNKNOWN, compare=False, repr=False)


@record
class WorldFunction:
    function: Function


@record
class WorldType:
    id: TypeId
    span: Span = field(default=Span.UNKNOWN, compare=False, repr=False)


WorldItem = WorldInterface | WorldFunction | WorldType

# The key of a world import/export: a plain name (functions, types, inline or named
# interfaces), or the id of an interface imported/exported by its path.
WorldKey = str | InterfaceId


@record
class World:
    name: str
    imports: tuple[tuple[WorldKey, WorldItem], ...]
    exports: tuple[tuple[WorldKey, WorldItem], ...]
    package: PackageId | None
    docs: Docs = NO_DOCS
    stability: Stability = UNKNOWN
    span: Span = field(default=Span.UNKNOWN, compare=False, repr=False)


@record
class PackageName:
    namespace: str
    name: str
    version: str | None = None

    def __str__(self) -> str:
        base = f"{self.namespace}:{self.name}"
        return f"{base}@{self.version}" if self.version else base

    @property
    def unversioned(self) -> str:
        return f"{self.namespace}:{self.name}"


@record
class Package:
    name: PackageName
    interfaces: tuple[tuple[str, InterfaceId], ...]
    worlds: tuple[tuple[str, WorldId], ...]
    docs: Docs = NO_DOCS
    span: Span = field(default=Span.UNKNOWN, compare=False, repr=False)


@record
class Resolve:
    packages: tuple[Package, ...]
    interfaces: tuple[Interface, ...]
    worlds: tuple[World, ...]
    types: tuple[TypeDef, ...]
    # The package the user pointed at (the last one resolved), if any.
    main: PackageId | None = None
    # Every package of the main group (a file may hold several nested packages).
    main_group: tuple[PackageId, ...] = ()

    # ---- small queries every backend needs

    def type(self, tid: TypeId) -> TypeDef:
        return self.types[tid]

    def interface(self, iid: InterfaceId) -> Interface:
        return self.interfaces[iid]

    def world(self, wid: WorldId) -> World:
        return self.worlds[wid]

    def id_of(self, iid: InterfaceId) -> str:
        """`ns:pkg/iface@ver` for a named interface of a package (its import/export name)."""
        iface = self.interfaces[iid]
        assert iface.name is not None and iface.package is not None
        name = self.packages[iface.package].name
        base = f"{name.namespace}:{name.name}/{iface.name}"
        return f"{base}@{name.version}" if name.version else base

    def dealias(self, ty: Type) -> Type:
        """Follow `type x = y` aliases to the underlying type."""
        while not isinstance(ty, str):
            kind = self.types[ty].kind
            if not isinstance(kind, Alias):
                break
            ty = kind.type
        return ty

    def world_key_name(self, key: WorldKey) -> str:
        return key if isinstance(key, str) else self.id_of(key)
