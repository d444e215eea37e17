"""The types of a component binary, as a graph of nodes.

Input: built by `reader` from the type, import, export, alias and instance sections of a
component (or of the component types a WIT package exports). Output: read by `to_wit`,
which turns the graph into WIT interfaces, worlds and types.

Invariants: a node is compared by identity, as wasmparser compares type ids: two
definitions of one shape are two types, and `id(node)` keys the tables of `to_wit`. Nodes
are frozen, except for the lists of imports and exports of instance and component types,
which the reader fills while it reads their declarators. `Instantiation` builds the type of
an instantiated component by replacing the types it imports with the arguments given for
them; a part of the graph that nothing replaced keeps its identity, so a re-exported
resource stays the resource it was.
"""

from __future__ import annotations

from typing import Literal, TypeAlias, assert_never

from witgen import model as m
from witgen._record import field, record, replace

# The sorts an import or export of a component or instance type can have.
ExternSort: TypeAlias = Literal["func", "type", "instance", "component"]

# ---------------------------------------------------------------- defined value types
# One class per form of `defvaltype`, with the operands the binary gives it. Those whose
# WIT conversion can fail keep the offset of their definition for the message.


@record(eq=False)
class Primitive:
    """A type defined as a primitive, `(type u32)`: a WIT alias of it."""

    type: m.PrimitiveType


@record(eq=False)
class Record:
    fields: tuple[tuple[str, ValType], ...]
    offset: int


@record(eq=False)
class Variant:
    cases: tuple[tuple[str, ValType | None], ...]
    offset: int


@record(eq=False)
class List:
    element: ValType


@record(eq=False)
class FixedList:
    element: ValType
    size: int


@record(eq=False)
class Tuple:
    types: tuple[ValType, ...]


@record(eq=False)
class Flags:
    names: tuple[str, ...]
    offset: int


@record(eq=False)
class Enum:
    names: tuple[str, ...]
    offset: int


@record(eq=False)
class Option:
    payload: ValType


@record(eq=False)
class Result:
    ok: ValType | None
    err: ValType | None


@record(eq=False)
class Handle:
    """`own` or `borrow` of a resource (the resource itself, or a type naming one)."""

    kind: Literal["own", "borrow"]
    resource: TypeNode
    offset: int


@record(eq=False)
class Future:
    payload: ValType | None


@record(eq=False)
class Stream:
    payload: ValType | None


@record(eq=False)
class Map:
    key: ValType
    value: ValType


# ---------------------------------------------------------------- the other types


@record(eq=False)
class Func:
    params: tuple[tuple[str, ValType], ...]
    result: ValType | None
    is_async: bool


@record(eq=False)
class Resource:
    """A resource type: imported or exported as `(sub resource)`, or defined by a component."""


@record(eq=False)
class Named:
    """The type introduced by `(export/import "n" (type (eq i)))`: an alias of `referenced`.

    `target` is what the chain of names stands for, kept so that `peel` takes one step
    however long the chain (a package can alias a type through thousands of names).
    Build one with `named`."""

    referenced: TypeNode
    target: TypeNode


def named(referenced: TypeNode) -> Named:
    """A `Named` over `referenced`, with the type the whole chain stands for."""
    target = referenced.target if isinstance(referenced, Named) else referenced
    return Named(referenced=referenced, target=target)


@record(eq=False)
class InstanceType:
    exports: list[Extern] = field(default_factory=list)

    def export(self, name: str) -> Extern | None:
        return next((e for e in self.exports if e.name == name), None)


@record(eq=False)
class ComponentType:
    imports: list[Extern] = field(default_factory=list)
    exports: list[Extern] = field(default_factory=list)


@record(eq=False)
class Untyped:
    """An item the reader leaves untyped (a core item or a value), given as an argument."""


UNTYPED = Untyped()

Defined: TypeAlias = (
    Primitive
    | Record
    | Variant
    | List
    | FixedList
    | Tuple
    | Flags
    | Enum
    | Option
    | Result
    | Handle
    | Future
    | Stream
    | Map
)
TypeNode: TypeAlias = Defined | Func | Resource | Named | InstanceType | ComponentType | Untyped
# A value type: a primitive by name, or a type of the graph (when read, a defined type or a
# name for one; after an instantiation, whatever replaced it).
ValType: TypeAlias = m.PrimitiveType | TypeNode


@record(eq=False)
class Extern:
    """An import or export of a component or instance type."""

    name: str
    implements: str | None
    external_id: str | None
    sort: ExternSort
    # func: a Func; instance: an InstanceType; component: a ComponentType; type: the type
    # the extern introduces (a Named, or a Resource for `(sub resource)`).
    node: TypeNode
    # For types: the type it stands for (the node itself for a resource).
    referenced: TypeNode | None = None


def peel(node: TypeNode) -> TypeNode:
    """The type a chain of names stands for."""
    return node.target if isinstance(node, Named) else node


def is_value(node: TypeNode) -> bool:
    return isinstance(peel(node), Defined)


# ---------------------------------------------------------------- instantiation


class Instantiation:
    """The arguments of one `instantiate`, and the graph rewritten to use them."""

    def __init__(self) -> None:
        # Replacements by the id of the node they replace.
        self.mapping: dict[int, TypeNode] = {}
        # Nodes already rewritten, by the id of the original.
        self.done: dict[int, TypeNode] = {}

    def bind(self, imported: Extern, arg: TypeNode) -> None:
        """Map the types an import introduces to those of the argument given for it.

        Both abstract resources and `eq` types are replaced (as wasmparser's `Remapping`
        does), so an exported type that re-exports an imported one stays that same type.
        """
        if imported.sort == "type":
            self.mapping[id(imported.node)] = arg
        elif imported.sort == "instance" and isinstance(imported.node, InstanceType):
            for ext in imported.node.exports:
                found = arg.export(ext.name) if isinstance(arg, InstanceType) else None
                if found is not None:
                    self.bind(ext, found.node)

    def instance(self, exports: list[Extern]) -> InstanceType:
        """The instance that exports `exports` with every bound type replaced."""
        out = self.node(InstanceType(exports=exports))
        assert isinstance(out, InstanceType)
        return out

    def node(self, node: TypeNode) -> TypeNode:
        key = id(node)
        found = self.mapping.get(key)
        if found is None:
            found = self.done.get(key)
        if found is None:
            found = self._rewrite(node)
            self.done[key] = found
        return found

    def val(self, v: ValType) -> ValType:
        return v if isinstance(v, str) else self.node(v)

    def opt(self, v: ValType | None) -> ValType | None:
        return None if v is None else self.val(v)

    def _rewrite(self, node: TypeNode) -> TypeNode:
        """`node` rebuilt over rewritten parts, or `node` itself if none changed."""
        match node:
            case Named(referenced=ref):
                new_ref = self.node(ref)
                return node if new_ref is ref else named(new_ref)
            case Record(fields=fields):
                new_fields = self._labelled(fields)
                return node if new_fields is fields else replace(node, fields=new_fields)
            case Variant(cases=cases):
                new_cases = self._labelled_opt(cases)
                return node if new_cases is cases else replace(node, cases=new_cases)
            case List(element=t) | FixedList(element=t):
                new = self.val(t)
                return node if new is t else replace(node, element=new)
            case Tuple(types=types):
                new_types = self._vals(types)
                return node if new_types is types else Tuple(types=new_types)
            case Option(payload=t):
                new = self.val(t)
                return node if new is t else Option(payload=new)
            case Result(ok=ok, err=err):
                new_ok, new_err = self.opt(ok), self.opt(err)
                if new_ok is ok and new_err is err:
                    return node
                return Result(ok=new_ok, err=new_err)
            case Handle(resource=res):
                new_res = self.node(res)
                return node if new_res is res else replace(node, resource=new_res)
            case Future(payload=t) | Stream(payload=t):
                new_opt = self.opt(t)
                return node if new_opt is t else replace(node, payload=new_opt)
            case Map(key=k, value=v):
                new_k, new_v = self.val(k), self.val(v)
                return node if new_k is k and new_v is v else Map(key=new_k, value=new_v)
            case Func(params=params, result=result):
                new_params, new_result = self._labelled(params), self.opt(result)
                if new_params is params and new_result is result:
                    return node
                return Func(params=new_params, result=new_result, is_async=node.is_async)
            case InstanceType(exports=exports):
                new_exports = [self._extern(e) for e in exports]
                if all(a is b for a, b in zip(new_exports, exports, strict=True)):
                    return node
                return InstanceType(exports=new_exports)
            case Primitive() | Flags() | Enum() | Resource() | ComponentType() | Untyped():
                return node
            case _:
                assert_never(node)

    def _vals(self, types: tuple[ValType, ...]) -> tuple[ValType, ...]:
        new = tuple(self.val(t) for t in types)
        return types if all(a is b for a, b in zip(new, types, strict=True)) else new

    def _labelled(self, items: tuple[tuple[str, ValType], ...]) -> tuple[tuple[str, ValType], ...]:
        new = tuple((label, self.val(t)) for label, t in items)
        same = all(a[1] is b[1] for a, b in zip(new, items, strict=True))
        return items if same else new

    def _labelled_opt(
        self, items: tuple[tuple[str, ValType | None], ...]
    ) -> tuple[tuple[str, ValType | None], ...]:
        new = tuple((label, self.opt(t)) for label, t in items)
        same = all(a[1] is b[1] for a, b in zip(new, items, strict=True))
        return items if same else new

    def _extern(self, ext: Extern) -> Extern:
        node = self.node(ext.node)
        ref = None if ext.referenced is None else self.node(ext.referenced)
        if node is ext.node and ref is ext.referenced:
            return ext
        return replace(ext, node=node, referenced=ref)
