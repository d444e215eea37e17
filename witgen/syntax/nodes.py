"""The syntax tree: what one `.wit` file says, with a span on every node.

Input: built by `parse.py` from tokens. Output: consumed by `witgen.resolve` (meaning) and
`formatter.py` (layout). Invariants: frozen, slotted dataclasses with tuple fields;
names exactly as written minus a leading `%`; `docs` holds the raw comment texts that
precede an item (wit-parser turns them into docs in the resolver, and so do we).
"""

from __future__ import annotations

from witgen._record import record
from witgen.text.source import Span

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Literal


@record
class Id:
    name: str
    span: Span


# ---------------------------------------------------------------- attributes


@record
class Since:
    version: str
    span: Span


@record
class Unstable:
    feature: str
    span: Span


@record
class Deprecated:
    version: str
    span: Span


@record
class ExternalId:
    value: str
    span: Span


Attribute = Since | Unstable | Deprecated | ExternalId


@record
class Docs:
    """The comments before an item, as written (`// x`, `/// x`, `/* x */`, `/** x */`)."""

    comments: tuple[str, ...]
    span: Span


NO_DOCS = Docs(comments=(), span=Span.UNKNOWN)


# ---------------------------------------------------------------- names and paths


@record
class PackageName:
    namespace: Id
    name: Id
    # Extra `/a/b` segments after the name, which only nested-namespace syntax allows.
    extra: tuple[Id, ...]
    version: str | None
    version_span: Span
    span: Span


@record
class LocalPath:
    """`use-path` naming an interface or world of the current package (or a `use`d alias)."""

    name: Id
    span: Span


@record
class PackagePath:
    """`ns:pkg/name@version`: an interface or world of another package."""

    namespace: Id
    package: Id
    name: Id
    version: str | None
    span: Span


UsePath = LocalPath | PackagePath


# ---------------------------------------------------------------- types

if TYPE_CHECKING:
    from witgen.syntax.keywords import PrimitiveName

    PrimName = PrimitiveName


@record
class Prim:
    name: PrimName
    span: Span


@record
class Named:
    name: Id
    span: Span


@record
class TupleType:
    types: tuple[Type, ...]
    span: Span


@record
class ListType:
    element: Type
    # `list<T, N>`: the length as written (validated in parse.py), or None.
    size: int | None
    span: Span


@record
class MapType:
    key: Type
    value: Type
    span: Span


@record
class OptionType:
    type: Type
    span: Span


@record
class ResultType:
    ok: Type | None
    err: Type | None
    span: Span


@record
class FutureType:
    type: Type | None
    span: Span


@record
class StreamType:
    type: Type | None
    span: Span


@record
class HandleType:
    borrow: bool
    resource: Id
    span: Span


Type = (
    Prim
    | Named
    | TupleType
    | ListType
    | MapType
    | OptionType
    | ResultType
    | FutureType
    | StreamType
    | HandleType
)


# ---------------------------------------------------------------- items shared by worlds/interfaces


@record
class Param:
    name: Id
    type: Type
    span: Span


@record
class FuncType:
    is_async: bool
    params: tuple[Param, ...]
    result: Type | None
    span: Span


@record
class UseName:
    name: Id
    alias: Id | None
    span: Span


@record
class Use:
    docs: Docs
    attrs: tuple[Attribute, ...]
    path: UsePath
    names: tuple[UseName, ...]
    span: Span


@record
class Func:
    docs: Docs
    attrs: tuple[Attribute, ...]
    name: Id
    func: FuncType
    span: Span


@record
class TypeAlias:
    docs: Docs
    attrs: tuple[Attribute, ...]
    name: Id
    type: Type
    span: Span


@record
class Field:
    docs: Docs
    name: Id
    type: Type
    span: Span


@record
class Record:
    docs: Docs
    attrs: tuple[Attribute, ...]
    name: Id
    fields: tuple[Field, ...]
    span: Span


@record
class FlagName:
    docs: Docs
    name: Id
    span: Span


@record
class Flags:
    docs: Docs
    attrs: tuple[Attribute, ...]
    name: Id
    flags: tuple[FlagName, ...]
    span: Span


@record
class Case:
    docs: Docs
    name: Id
    type: Type | None
    span: Span


@record
class Variant:
    docs: Docs
    attrs: tuple[Attribute, ...]
    name: Id
    cases: tuple[Case, ...]
    span: Span


@record
class EnumCase:
    docs: Docs
    name: Id
    span: Span


@record
class Enum:
    docs: Docs
    attrs: tuple[Attribute, ...]
    name: Id
    cases: tuple[EnumCase, ...]
    span: Span


@record
class ResourceFunc:
    """A member of a resource: `method`, `static` or `constructor` (then `name` is the keyword)."""

    docs: Docs
    attrs: tuple[Attribute, ...]
    kind: Literal["method", "static", "constructor"]
    name: Id
    func: FuncType
    span: Span


@record
class Resource:
    docs: Docs
    attrs: tuple[Attribute, ...]
    name: Id
    # None for `resource r;`, a tuple (maybe empty) for `resource r { ... }`.
    funcs: tuple[ResourceFunc, ...] | None
    span: Span


TypeDef = TypeAlias | Record | Flags | Variant | Enum | Resource
InterfaceItem = Use | TypeDef | Func


@record
class Interface:
    docs: Docs
    attrs: tuple[Attribute, ...]
    name: Id
    items: tuple[InterfaceItem, ...]
    span: Span


# ---------------------------------------------------------------- worlds


@record
class ExternFunc:
    name: Id
    func: FuncType
    span: Span


@record
class ExternInline:
    name: Id
    items: tuple[InterfaceItem, ...]
    span: Span


@record
class ExternNamed:
    """`import name: path;`: an interface imported under a plain name."""

    name: Id
    path: UsePath
    span: Span


@record
class ExternPath:
    path: UsePath
    span: Span


Extern = ExternFunc | ExternInline | ExternNamed | ExternPath


@record
class Import:
    docs: Docs
    attrs: tuple[Attribute, ...]
    extern: Extern
    span: Span


@record
class Export:
    docs: Docs
    attrs: tuple[Attribute, ...]
    extern: Extern
    span: Span


@record
class IncludeName:
    name: Id
    alias: Id
    span: Span


@record
class Include:
    docs: Docs
    attrs: tuple[Attribute, ...]
    path: UsePath
    names: tuple[IncludeName, ...]
    span: Span


WorldItem = Import | Export | Use | TypeDef | Include


@record
class World:
    docs: Docs
    attrs: tuple[Attribute, ...]
    name: Id
    items: tuple[WorldItem, ...]
    span: Span


# ---------------------------------------------------------------- files


@record
class ToplevelUse:
    docs: Docs
    attrs: tuple[Attribute, ...]  # an error (wit-parser parses them, then refuses them)
    path: UsePath
    alias: Id | None
    span: Span
    keyword: Span  # the `use`, where an error about the item points


@record
class PackageDecl:
    docs: Docs
    name: PackageName
    span: Span


@record
class NestedPackage:
    decl: PackageDecl
    items: tuple[TopItem, ...]
    span: Span


TopItem = NestedPackage | ToplevelUse | Interface | World


@record
class Comment:
    """A comment as written, kept for the formatter."""

    text: str
    span: Span


@record
class File:
    path: str
    package: PackageDecl | None
    items: tuple[TopItem, ...]
    comments: tuple[Comment, ...]
    span: Span
