"""Read component binaries into the type graph of `typegraph`.

Input: bytes. `read_package` reads a WIT package binary: type sections, the exports of
the component types that stand for its interfaces and worlds, and custom sections.
`read_component` walks a whole component built by a toolchain (nested components,
instances, aliases, canonical functions), typing every item of every index space, and
returns its imports and exports. `component_type_sections` finds the `component-type*`
custom sections of a core module.

Output: graph nodes (see `typegraph`) and the offsets of the payloads found.

Invariants: every malformed input raises `binary.Malformed` naming the byte offset of the
problem, and wasmparser's rules are checked where a later step relies on them (index
bounds, value types where a value type is expected, extern names, names unique up to
case). Reads go through `binary.Cursor`s cut at their section's end; nothing is copied.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeAlias, assert_never

from witgen._record import record
from witgen.wasm import limits, tables, typegraph
from witgen.wasm.binary import COMPONENT_PREAMBLE, MAGIC, Cursor, Malformed, read_sections
from witgen.wasm.names import uppercase_in_package, valid_extern_name, valid_label

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    from witgen.wasm.tables import SortName

    # A sort as the reader names it: every core sort is "core" (read and dropped).
    Sort: TypeAlias = SortName | Literal["core"]
    # A type with declarators.
    _ScopeType: TypeAlias = typegraph.InstanceType | typegraph.ComponentType

# wasmparser's limits (measured against wasm-tools 1.262): a component or instance type
# nested in 100 others is refused ("component type nesting is too deep"), and so is a
# binary holding 1000 core modules and components, nested ones at any depth counted
# ("modules and components count exceeds limit of 1000"); a chain of nested components
# may thus be 999 deep.
_MAX_TYPE_NESTING = 100
_MAX_NESTED_ITEMS = 1000

_MAX_FIXED_LIST = 1 << 30  # wasmparser's limit on a fixed-length list's size


class _UniqueNames:
    """wasmparser's uniqueness rule for the imports, and separately the exports, of one
    component or type: names may not differ only in case (an interface name's version
    excepted, which must differ exactly)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], str] = {}
        # The resources imported or exported so far, by node id: their names here (a
        # resource may be imported under one and exported under another), and the node,
        # kept so that its id names no other.
        self.resources: dict[int, tuple[list[str], typegraph.TypeNode]] = {}

    def add(self, r: Cursor, kind: str, ext: typegraph.Extern, offset: int) -> typegraph.Extern:
        self.check(r, kind, ext.name, offset)
        if ext.sort == "type":
            target = typegraph.peel(ext.node)
            if isinstance(target, typegraph.Resource):
                self.resources.setdefault(id(target), ([], target))[0].append(ext.name)
        elif ext.sort == "func" and isinstance(ext.node, typegraph.Func):
            problem = _func_name_problem(ext.name, ext.node, self.resources)
            if problem is not None:
                r.fail(f"{kind} name `{ext.name}` is not valid\n{problem}", offset)
        return ext

    def check(self, r: Cursor, kind: str, name: str, offset: int) -> None:
        base, at, version = name.partition("@")
        key = (kind, base.lower() + at + version)
        previous = self.seen.get(key)
        if previous is not None:
            r.fail(f"{kind} name `{name}` conflicts with previous name `{previous}`", offset)
        self.seen[key] = name


def _func_name_problem(
    name: str, func: typegraph.Func, resources: dict[int, tuple[list[str], typegraph.TypeNode]]
) -> str | None:
    """What wasmparser finds wrong with a function named as a resource's (`[method]r.f`,
    `[static]r.f`, `[constructor]r`, and their `async` forms) given its type and the
    resources named so far; None if nothing (or not such a name)."""
    kind, _, rest = name.partition("]")
    kind = kind.removeprefix("[").removeprefix("async ")
    if kind not in ("method", "static", "constructor") or not rest:
        return None
    resource = rest if kind == "constructor" else rest.partition(".")[0]
    names = {known for known_names, _ in resources.values() for known in known_names}
    if kind == "static":
        return None if resource in names else "static resource name is not known in this context"
    handle: typegraph.TypeNode | str | None
    if kind == "method":
        if not func.params:
            return "function should have at least one argument"
        first, handle = func.params[0]
        if first != "self":
            return "function should have a first argument called `self`"
        handle = typegraph.peel(handle) if not isinstance(handle, str) else handle
        if not isinstance(handle, typegraph.Handle) or handle.kind != "borrow":
            return "function should take a first argument of `(borrow $T)`"
    else:
        result = func.result
        handle = (
            typegraph.peel(result) if result is not None and not isinstance(result, str) else result
        )
        if isinstance(handle, typegraph.Result) and handle.ok is not None:
            ok = handle.ok
            handle = typegraph.peel(ok) if not isinstance(ok, str) else ok
        if not isinstance(handle, typegraph.Handle) or handle.kind != "own":
            return "function should return `(own $T)` or `(result (own $T))`"
    named = resources.get(id(typegraph.peel(handle.resource)))
    if named is not None and resource not in named[0]:
        return f"function does not match expected resource name `{named[0][0]}`"
    return None


class _Scope:
    """The index spaces of one component or component type (core ones are not kept)."""

    __slots__ = ("components", "funcs", "instances", "types")

    def __init__(self) -> None:
        self.types: list[typegraph.TypeNode] = []
        self.instances: list[typegraph.InstanceType] = []
        self.components: list[typegraph.ComponentType] = []
        self.funcs: list[typegraph.Func] = []


def _extern_sort(sort: Sort) -> typegraph.ExternSort | None:
    """The sort of an import or export; None for the sorts the reader leaves untyped (core
    items and values)."""
    match sort:
        case "func" | "type" | "instance" | "component":
            return sort
        case "core" | "value":
            return None
        case _:
            assert_never(sort)


# An extern name: the name, the interface it `implements`, its external id.
_Label: TypeAlias = tuple[str, str | None, str | None]


def _extern(
    label: _Label,
    sort: typegraph.ExternSort,
    node: typegraph.TypeNode,
    referenced: typegraph.TypeNode | None = None,
) -> typegraph.Extern:
    name, implements, external_id = label
    return typegraph.Extern(
        name=name,
        implements=implements,
        external_id=external_id,
        sort=sort,
        node=node,
        referenced=referenced,
    )


def _item_extern(
    label: _Label, sort: typegraph.ExternSort, item: typegraph.TypeNode
) -> typegraph.Extern:
    """The export of an item by index: a type is exported as a new type equal to it."""
    if sort == "type":
        return _extern(label, sort, typegraph.named(item), item)
    return _extern(label, sort, item)


# wasmparser's words for the names of each kind of type: (the name, in "record field name
# `x` is not in kebab case"; the earlier name, in "... conflicts with previous field name";
# the error for none at all).
_LABEL_RULES: dict[str, tuple[str, str, str | None]] = {
    "record": ("record field", "field", "record type must have at least one field"),
    "variant": ("variant case", "case", "variant type must have at least one case"),
    "enum": ("enum tag", "tag", "enum type must have at least one variant"),
    "flags": ("flag", "flag", "flags must have at least one entry"),
    "params": ("function parameter", "parameter", None),
}


def _held(node: typegraph.TypeNode) -> list[typegraph.TypeNode] | None:
    """The types a type holds, as `limits` counts them: a value type's defined types (its
    inline primitives are not types of their own), a function's parameter and result types,
    an instance or component type's imports and exports; None for another node."""
    values: tuple[typegraph.ValType | None, ...]
    match node:
        case typegraph.Record(fields=fields):
            values = tuple(ty for _, ty in fields)
        case typegraph.Variant(cases=cases):
            values = tuple(ty for _, ty in cases)
        case typegraph.List(element=element) | typegraph.FixedList(element=element):
            values = (element,)
        case typegraph.Tuple(types=types):
            values = types
        case typegraph.Option(payload=payload):
            values = (payload,)
        case typegraph.Result(ok=ok, err=err):
            values = (ok, err)
        case typegraph.Future(payload=payload) | typegraph.Stream(payload=payload):
            values = (payload,)
        case typegraph.Map(key=key, value=value):
            values = (key, value)
        case typegraph.Primitive() | typegraph.Flags() | typegraph.Enum() | typegraph.Handle():
            values = ()
        case typegraph.Func(params=params, result=result):
            values = (*(ty for _, ty in params), result)
        case typegraph.InstanceType(exports=exports):
            return [ext.node for ext in exports]
        case typegraph.ComponentType(imports=imports, exports=exports):
            return [ext.node for ext in (*imports, *exports)]
        case _:
            return None
    return [v for v in values if v is not None and not isinstance(v, str)]


class TypeReader:
    """Reads type definitions and the declarators of component and instance types."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.scopes: list[_Scope] = []
        self.type_start: int | None = None  # the top-level type being read, if any
        # Each defined type's (node, size, depth, holds a borrow), by the node's id (see
        # `_measure`).
        self.value_infos: dict[int, tuple[typegraph.TypeNode, int, int, bool]] = {}

    def type_at(self, r: Cursor, index: int, offset: int) -> typegraph.TypeNode:
        types = self.scopes[-1].types
        if index >= len(types):
            r.fail(f"type index {index} out of bounds", offset)
        return types[index]

    def valtype(self, r: Cursor) -> typegraph.ValType:
        offset = r.pos
        primitive_or_index = r.valtype()
        if isinstance(primitive_or_index, str):
            return primitive_or_index
        index = primitive_or_index
        node = self.type_at(r, index, offset)
        if not typegraph.is_value(node):
            r.fail(f"type index {index} is not a value type", offset)
        return node

    def opt_valtype(self, r: Cursor) -> typegraph.ValType | None:
        flag = r.byte()
        if flag == 0:
            return None
        if flag != 1:
            r.fail("invalid optional value type", r.pos - 1)
        return self.valtype(r)

    def opt_flag(self, r: Cursor) -> bool:
        flag = r.byte()
        if flag > 1:
            r.fail(f"invalid flag 0x{flag:02x}", r.pos - 1)
        return flag == 1

    def resource_ref(self, r: Cursor) -> typegraph.TypeNode:
        offset = r.pos
        node = self.type_at(r, r.u32(), offset)
        if not isinstance(typegraph.peel(node), typegraph.Resource):
            r.fail("handle to a type that is not a resource", offset)
        return node

    def check_labels(self, r: Cursor, kind: str, names: Sequence[str], offset: int) -> None:
        """The validator's rules on the names of a type's fields (cases, tags, flags,
        parameters): at least one (but parameters), each in kebab case, none equal to an
        earlier one but for case. An error is at the offset of the type as a whole."""
        what, previous, empty = _LABEL_RULES[kind]
        if not names and empty:
            r.fail(empty, self.at(offset))
        seen: dict[str, str] = {}
        for name in names:
            if not valid_label(name):
                r.fail(f"{what} name `{name}` is not in kebab case", self.at(offset))
            earlier = seen.get(name.lower())
            if earlier is not None:
                message = (
                    f"{what} name `{name}` conflicts with previous {previous} name `{earlier}`"
                )
                r.fail(message, self.at(offset))
            seen[name.lower()] = name

    def labels(self, r: Cursor, vector: str) -> tuple[str, ...]:
        return tuple(r.name() for _ in range(r.count(vector)))

    def deftype(self, r: Cursor, depth: int) -> typegraph.TypeNode:
        offset = r.pos
        node = self._deftype(r, depth)
        self._measure(r, node, offset)
        return node

    def _measure(self, r: Cursor, node: typegraph.TypeNode, offset: int) -> None:
        """Record a defined type's size and depth (`limits`: one plus the sizes of the
        types it holds (`_held`), and one more than the deepest of them) and whether it
        holds a `borrow`, and refuse it where wasmparser's validator does."""
        held = _held(node)
        if held is None:
            return
        size, depth = limits.LEAF
        borrows = isinstance(node, typegraph.Handle) and node.kind == "borrow"
        for child in held:
            child_size, child_depth, child_borrows = self._info(child)
            size, depth = size + child_size, max(depth, child_depth + 1)
            borrows = borrows or child_borrows
        at = self.at(offset)
        if isinstance(node, typegraph.InstanceType | typegraph.ComponentType):
            externs = (
                node.exports
                if isinstance(node, typegraph.InstanceType)
                else (*node.imports, *node.exports)
            )
            if sum(ext.sort == "instance" for ext in externs) > limits.MAX_INSTANCES:
                r.fail(limits.TOO_MANY_INSTANCES, at)
        elif isinstance(node, typegraph.Func) and self._borrows(node.result):
            r.fail("function result cannot contain a `borrow` type", at)
        if depth >= limits.MAX_DEPTH:
            r.fail(limits.TOO_DEEP, at)
        if size > limits.MAX_SIZE:
            r.fail(limits.TOO_LARGE, at)
        # The node is kept with its figures, so that its id names no other node.
        self.value_infos[id(node)] = (node, size, depth, borrows)

    def _info(self, node: typegraph.TypeNode) -> tuple[int, int, bool]:
        """The size, depth and `borrow` of the type a node stands for (`_measure`'s); a
        type it did not measure (a resource) is a leaf."""
        found = self.value_infos.get(id(typegraph.peel(node)))
        return (*limits.LEAF, False) if found is None else found[1:]

    def _borrows(self, value: typegraph.ValType | None) -> bool:
        """Whether a value type holds a `borrow` (an inline primitive holds none)."""
        return value is not None and not isinstance(value, str) and self._info(value)[2]

    def _deftype(self, r: Cursor, depth: int) -> typegraph.TypeNode:
        offset = r.pos
        tag = r.byte()
        primitive = tables.PRIMITIVE_TYPES.get(tag)
        if primitive is not None:
            return typegraph.Primitive(type=primitive)
        match tag:
            case tables.TYPE_RECORD:
                count = r.count("record")
                fields = tuple((r.name(), self.valtype(r)) for _ in range(count))
                self.check_labels(r, "record", [name for name, _ in fields], offset)
                return typegraph.Record(fields=fields, offset=offset)
            case tables.TYPE_VARIANT:
                cases = []
                for _ in range(r.count("variant")):
                    label = r.name()
                    ty = self.opt_valtype(r)
                    if r.byte() != 0:
                        r.fail("invalid variant case refinement", r.pos - 1)
                    cases.append((label, ty))
                self.check_labels(r, "variant", [name for name, _ in cases], offset)
                return typegraph.Variant(cases=tuple(cases), offset=offset)
            case tables.TYPE_LIST:
                return typegraph.List(element=self.valtype(r))
            case tables.TYPE_FIXED_LIST:
                element = self.valtype(r)
                size = r.u32()
                # WIT text may say `list<T, 0>` or a size up to 2^32 - 1; wasmparser's
                # validator refuses both in a binary.
                if size == 0:
                    r.fail("Fixed-length lists must have more than zero elements", offset)
                if size > _MAX_FIXED_LIST:
                    message = f"fixed-length list element count exceeds limit of {_MAX_FIXED_LIST}"
                    r.fail(message, offset)
                return typegraph.FixedList(element=element, size=size)
            case tables.TYPE_TUPLE:
                count = r.count("tuple")
                types = tuple(self.valtype(r) for _ in range(count))
                if not types:
                    r.fail("tuple type must have at least one type", self.at(offset))
                return typegraph.Tuple(types=types)
            case tables.TYPE_FLAGS:
                names = self.labels(r, "flags")
                if len(names) > limits.MAX_FLAGS:
                    r.fail(limits.TOO_MANY_FLAGS, self.at(offset))
                self.check_labels(r, "flags", names, offset)
                return typegraph.Flags(names=names, offset=offset)
            case tables.TYPE_ENUM:
                names = self.labels(r, "enum")
                self.check_labels(r, "enum", names, offset)
                return typegraph.Enum(names=names, offset=offset)
            case tables.TYPE_OPTION:
                return typegraph.Option(payload=self.valtype(r))
            case tables.TYPE_RESULT:
                return typegraph.Result(ok=self.opt_valtype(r), err=self.opt_valtype(r))
            case tables.TYPE_OWN:
                return typegraph.Handle(kind="own", resource=self.resource_ref(r), offset=offset)
            case tables.TYPE_BORROW:
                return typegraph.Handle(kind="borrow", resource=self.resource_ref(r), offset=offset)
            case tables.TYPE_STREAM:
                return typegraph.Stream(payload=self.opt_valtype(r))
            case tables.TYPE_FUTURE:
                return typegraph.Future(payload=self.opt_valtype(r))
            case tables.TYPE_MAP:
                return typegraph.Map(key=self.valtype(r), value=self.valtype(r))
            case tables.TYPE_FUNC | tables.TYPE_ASYNC_FUNC:
                count = r.count("params")
                params = tuple((r.name(), self.valtype(r)) for _ in range(count))
                self.check_labels(r, "params", [name for name, _ in params], offset)
                kind = r.byte()
                if kind == tables.FUNC_RESULT_TYPE:
                    result: typegraph.ValType | None = self.valtype(r)
                elif kind == tables.FUNC_RESULT_NONE and r.byte() == 0:
                    result = None
                else:
                    r.fail("invalid function result", r.pos - 1)
                is_async = tag == tables.TYPE_ASYNC_FUNC
                return typegraph.Func(params=params, result=result, is_async=is_async)
            case tables.TYPE_RESOURCE:
                if r.byte() != tables.RESOURCE_REP_I32:
                    r.fail("invalid resource representation", r.pos - 1)
                if self.opt_flag(r):
                    r.u32()  # the destructor
                return typegraph.Resource()
            case tables.TYPE_COMPONENT | tables.TYPE_INSTANCE:
                if depth >= _MAX_TYPE_NESTING:
                    r.fail("component type nesting is too deep", offset + 1)
                return self.decls(r, component=tag == tables.TYPE_COMPONENT, depth=depth + 1)
        r.fail(f"unsupported type form 0x{tag:02x}", offset)

    def extern_name(self, r: Cursor) -> _Label:
        """An extern name: the name, and the interface it `implements` and its external id."""
        offset = r.pos
        kind = r.byte()
        if kind in (tables.NAME_PLAIN, tables.NAME_PLAIN_LEGACY):
            text = r.name()
            if not valid_extern_name(text):
                r.fail(f"`{text}` is not a valid extern name", offset)
            self.check_package_case(r, text, offset)
            return text, None, None
        if kind != tables.NAME_WITH_ATTRIBUTES:
            r.fail(f"invalid name kind 0x{kind:02x}", offset)
        text = r.name()
        implements = external_id = suffix = None
        for _ in range(r.count()):
            attr_offset = r.pos
            attr = r.byte()
            if attr == tables.ATTRIBUTE_IMPLEMENTS and implements is None:
                implements = r.name()
            elif attr == tables.ATTRIBUTE_VERSION_SUFFIX and suffix is None:
                # The canonical version's elided remainder (`@1` + `.2.0`).
                suffix = r.name()
            elif attr == tables.ATTRIBUTE_EXTERNAL_ID and external_id is None:
                external_id = r.name()
            else:
                r.fail(f"unsupported or repeated name attribute 0x{attr:02x}", attr_offset)
        # The version suffix completes the versioned interface name: the extern name
        # itself, or else the interface it `implements`.
        if suffix is not None and "@" in text:
            text += suffix
        elif suffix is not None and implements is not None and "@" in implements:
            implements += suffix
        if not valid_extern_name(text) or (
            implements is not None and not valid_extern_name(implements)
        ):
            r.fail(f"`{text}` is not a valid extern name", offset)
        self.check_package_case(r, text, offset)
        return text, implements, external_id

    def check_package_case(self, r: Cursor, name: str, offset: int) -> None:
        """wasmparser's rule beyond the syntax: the namespace and package of an interface
        name are lower-case."""
        upper = uppercase_in_package(name)
        if upper is not None:
            message = f"`{name}` is not a valid extern name: character `{upper}` is not lowercase"
            r.fail(f"{message} in package name/namespace", self.at(offset))

    def at(self, offset: int) -> int:
        """Where a name error is reported: inside a type, at the type's start."""
        return offset if self.type_start is None else self.type_start

    def extern(self, r: Cursor) -> typegraph.Extern:
        return self.extern_type(r, self.extern_name(r))

    def extern_type(self, r: Cursor, label: _Label) -> typegraph.Extern:
        """An `externtype`; the item it introduces joins its index space."""
        offset = r.pos
        code = r.byte()
        scope = self.scopes[-1]
        sort: typegraph.ExternSort
        node: typegraph.TypeNode
        referenced: typegraph.TypeNode | None = None
        match code:
            case tables.SORT_FUNC:
                sort, node = "func", self.type_at(r, r.u32(), offset)
                if not isinstance(node, typegraph.Func):
                    r.fail("func import/export of a type that is not a function", offset)
                scope.funcs.append(node)
            case tables.SORT_TYPE:
                sort, bound = "type", r.byte()
                if bound == tables.BOUND_EQ:
                    referenced = self.type_at(r, r.u32(), offset)
                    target = typegraph.peel(referenced)
                    if not isinstance(target, typegraph.Defined | typegraph.Resource):
                        r.fail("type export of a type that is not a value type or resource", offset)
                    node = typegraph.named(referenced)
                elif bound == tables.BOUND_SUB_RESOURCE:
                    referenced = node = typegraph.Resource()
                else:
                    r.fail(f"invalid type bound 0x{bound:02x}", r.pos - 1)
                scope.types.append(node)
            case tables.SORT_INSTANCE:
                sort, node = "instance", self.type_at(r, r.u32(), offset)
                if not isinstance(node, typegraph.InstanceType):
                    r.fail("instance import/export of a type that is not an instance type", offset)
                scope.instances.append(node)
            case tables.SORT_COMPONENT:
                sort, node = "component", self.type_at(r, r.u32(), offset)
                if not isinstance(node, typegraph.ComponentType):
                    r.fail("component import/export of a type that is not a component type", offset)
                scope.components.append(node)
            case _:
                r.fail(f"unsupported extern kind 0x{code:02x}", offset)
        return _extern(label, sort, node, referenced)

    def sort(self, r: Cursor) -> Sort:
        """A `sort` by name; `core` for every core sort (read and dropped)."""
        offset = r.pos
        sort = r.byte()
        if sort == tables.SORT_CORE:
            core = r.byte()
            if core not in tables.CORE_SORTS:
                r.fail(f"invalid core sort 0x{core:02x}", r.pos - 1)
            return "core"
        name = tables.SORT_NAMES.get(sort)
        if name is None:
            r.fail(f"invalid sort 0x{sort:02x}", offset)
        return name

    def item(self, r: Cursor, sort: Sort, index: int, offset: int) -> typegraph.TypeNode:
        """The type of item `index` of a component-level index space (`UNTYPED` for core
        items and values)."""
        scope = self.scopes[-1]
        space: Sequence[typegraph.TypeNode]
        match sort:
            case "func":
                space = scope.funcs
            case "type":
                space = scope.types
            case "instance":
                space = scope.instances
            case "component":
                space = scope.components
            case "core" | "value":
                return typegraph.UNTYPED
            case _:
                assert_never(sort)
        if index >= len(space):
            r.fail(f"{sort} index {index} out of bounds", offset)
        return space[index]

    def push(self, sort: Sort, node: typegraph.TypeNode) -> None:
        scope = self.scopes[-1]
        if sort == "func" and isinstance(node, typegraph.Func):
            scope.funcs.append(node)
        elif sort == "type":
            scope.types.append(node)
        elif sort == "instance" and isinstance(node, typegraph.InstanceType):
            scope.instances.append(node)
        elif sort == "component" and isinstance(node, typegraph.ComponentType):
            scope.components.append(node)

    def alias(self, r: Cursor) -> None:
        offset = r.pos
        sort = self.sort(r)
        kind = r.byte()
        scope = self.scopes[-1]
        if kind == tables.ALIAS_EXPORT:
            index = r.u32()
            name = r.name()
            if sort in ("core", "value"):
                return
            if index >= len(scope.instances):
                r.fail(f"instance index {index} out of bounds", offset)
            export = scope.instances[index].export(name)
            if export is None or export.sort != sort:
                r.fail(f"instance {index} has no {sort} export `{name}`", offset)
            self.push(sort, export.node)
        elif kind == tables.ALIAS_CORE_EXPORT:
            r.u32()
            r.name()
            if sort != "core":
                r.fail("core export alias of a component item", offset)
        elif kind == tables.ALIAS_OUTER:
            count = r.u32()
            index = r.u32()
            if count >= len(self.scopes):
                r.fail(f"outer alias count {count} out of bounds", offset)
            outer = self.scopes[-1 - count]
            space: Sequence[typegraph.TypeNode]
            if sort == "type":
                space = outer.types
            elif sort == "component":
                space = outer.components
            elif sort == "core":
                return
            else:
                r.fail(f"outer alias of a {sort}", offset)
            if index >= len(space):
                r.fail(f"outer {sort} index {index} out of bounds", offset)
            self.push(sort, space[index])
        else:
            r.fail(f"unsupported alias kind 0x{kind:02x}", offset)

    def decls(self, r: Cursor, *, component: bool, depth: int) -> _ScopeType:
        self.scopes.append(_Scope())
        out: _ScopeType = typegraph.ComponentType() if component else typegraph.InstanceType()
        names = _UniqueNames()
        for _ in range(r.count()):
            offset = r.pos
            tag = r.byte()
            if tag == tables.DECL_TYPE:
                self.scopes[-1].types.append(self.deftype(r, depth))
            elif tag == tables.DECL_ALIAS:
                self.alias(r)
            elif tag == tables.DECL_EXPORT:
                out.exports.append(names.add(r, "export", self.extern(r), self.at(offset + 1)))
            elif tag == tables.DECL_IMPORT and isinstance(out, typegraph.ComponentType):
                out.imports.append(names.add(r, "import", self.extern(r), self.at(offset + 1)))
            else:
                r.fail(f"unsupported declarator 0x{tag:02x}", offset)
        self.scopes.pop()
        return out


# ---------------------------------------------------------------- WIT package binaries


@record(eq=False)
class PackageTypes:
    """What a WIT package binary holds."""

    # (export name, its component type, the export's offset) for every export, in order.
    exports: list[tuple[str, typegraph.ComponentType, int]]
    # The `package-docs` payload and its offset, if the binary has one.
    package_docs: tuple[bytes, int] | None


def read_package(data: bytes) -> PackageTypes:
    """The component types a WIT package binary exports (one per interface and world)."""
    if len(data) < 8 or data[:4] != MAGIC:
        raise Malformed("not a WebAssembly binary (bad magic)", 0)
    if data[:8] != COMPONENT_PREAMBLE:
        raise Malformed("not a component (unsupported version or layer)", 4)
    reader = TypeReader(data)
    top = _Scope()
    reader.scopes.append(top)
    exports: list[tuple[str, typegraph.ComponentType, int]] = []
    names = _UniqueNames()
    docs: tuple[bytes, int] | None = None
    for section_id, start, r in read_sections(data, 8, len(data)):
        if section_id == tables.SECTION_CUSTOM:
            name = r.name()
            if name == "package-docs":
                docs = (data[r.pos : r.end], r.pos)
            continue
        if section_id == tables.SECTION_TYPE:
            for _ in range(r.count()):
                # wasmparser checks a type as a whole: its name errors carry its offset.
                reader.type_start = r.pos
                top.types.append(reader.deftype(r, 0))
                reader.type_start = None
        elif section_id == tables.SECTION_EXPORT:
            for _ in range(r.count()):
                offset = r.pos
                name, _, _ = reader.extern_name(r)
                names.check(r, "export", name, offset)
                if r.byte() != tables.SORT_TYPE:
                    r.fail("only type exports are supported in a WIT package", offset)
                index = r.u32()
                node = reader.type_at(r, index, offset)
                if r.byte() != 0:
                    r.fail("type ascriptions are not supported in a WIT package", r.pos - 1)
                if not isinstance(node, typegraph.ComponentType):
                    r.fail(f"export `{name}` is not a component type", offset)
                top.types.append(node)
                exports.append((name, node, offset))
        else:
            raise Malformed(f"unexpected section id {section_id} in a WIT package", start)
        if r.pos != r.end:
            raise Malformed("trailing bytes at the end of a section", r.pos)
    return PackageTypes(exports=exports, package_docs=docs)


def component_type_sections(data: bytes) -> list[tuple[int, int]]:
    """Where the payload of each `component-type*` custom section of a core module lies."""
    payloads: list[tuple[int, int]] = []
    for section_id, _, r in read_sections(data, 8, len(data)):
        if section_id == tables.SECTION_CUSTOM and r.name().startswith("component-type"):
            payloads.append((r.pos, r.end))
    return payloads


# ---------------------------------------------------------------- concrete components
# A component built by a toolchain: its type is that of its imports and exports, which
# may come from instantiating nested components (wit-component's shims).


class _Open:
    """A component `ComponentReader` is reading: its sections still to read, its type so
    far, the names of its imports and exports, and how deeply it is nested."""

    __slots__ = ("depth", "names", "out", "sections")

    def __init__(
        self,
        sections: Iterator[tuple[int, int, Cursor]],
        out: typegraph.ComponentType,
        names: _UniqueNames,
        depth: int,
    ) -> None:
        self.sections = sections
        self.out = out
        self.names = names
        self.depth = depth


class ComponentReader(TypeReader):
    """Walks a whole component (nested ones too), typing each item of its index spaces."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        # Core modules and components nested in the component, at any depth.
        self.nested_items = 0
        # Top-level imports and exports in binary order: (is_export, extern).
        self.externs: list[tuple[bool, typegraph.Extern]] = []

    def component(self, start: int, end: int) -> typegraph.ComponentType:
        """The type of the component from `start` to `end`, its nested components read
        in binary order with a stack of their own (not Python's: a chain of them may be
        999 deep)."""
        stack = [self._open(start, end, 0)]
        while True:
            top = stack[-1]
            nested = self._sections(top)
            if nested is not None:
                stack.append(self._open(*nested, top.depth + 1))
                continue
            self.scopes.pop()
            stack.pop()
            if not stack:
                return top.out
            self.scopes[-1].components.append(top.out)

    def _open(self, start: int, end: int, depth: int) -> _Open:
        if self.data[start : start + 8] != COMPONENT_PREAMBLE:
            raise Malformed("nested component has a bad preamble", start)
        self.scopes.append(_Scope())
        sections = read_sections(self.data, start + 8, end)
        return _Open(sections, typegraph.ComponentType(), _UniqueNames(), depth)

    def _count_nested(self, r: Cursor) -> None:
        """Count a nested core module or component (at the start of its section's body)."""
        self.nested_items += 1
        if self.nested_items >= _MAX_NESTED_ITEMS:
            r.fail(f"modules and components count exceeds limit of {_MAX_NESTED_ITEMS}", r.pos)

    def _sections(self, frame: _Open) -> tuple[int, int] | None:
        """Read `frame`'s sections up to its next nested component, and return where that
        one lies (None once every section is read)."""
        out, names, depth = frame.out, frame.names, frame.depth
        for section_id, section, r in frame.sections:
            match section_id:
                case tables.SECTION_CUSTOM:
                    r.name()
                    r.pos = r.end
                case tables.SECTION_CORE_MODULE:
                    self._count_nested(r)
                    r.pos = r.end
                case (
                    tables.SECTION_CORE_INSTANCE
                    | tables.SECTION_CORE_TYPE
                    | tables.SECTION_START
                    | tables.SECTION_VALUE
                ):
                    r.pos = r.end
                case tables.SECTION_COMPONENT:
                    self._count_nested(r)
                    return r.pos, r.end  # the next section is read from its end
                case tables.SECTION_INSTANCE:
                    for _ in range(r.count()):
                        self.scopes[-1].instances.append(self.instance(r))
                case tables.SECTION_ALIAS:
                    for _ in range(r.count()):
                        self.alias(r)
                case tables.SECTION_TYPE:
                    for _ in range(r.count()):
                        # wasmparser checks a type as a whole: its name errors carry its offset.
                        self.type_start = r.pos
                        self.scopes[-1].types.append(self.deftype(r, 0))
                        self.type_start = None
                case tables.SECTION_CANON:
                    for _ in range(r.count()):
                        self.canon(r)
                case tables.SECTION_IMPORT | tables.SECTION_EXPORT:
                    exporting = section_id == tables.SECTION_EXPORT
                    for _ in range(r.count()):
                        offset = r.pos
                        ext = self.export(r) if exporting else self.extern(r)
                        names.add(r, "export" if exporting else "import", ext, offset)
                        (out.exports if exporting else out.imports).append(ext)
                        if depth == 0:
                            self.externs.append((exporting, ext))
                case _:
                    raise Malformed(f"unknown section id {section_id}", section)
            if r.pos != r.end:
                raise Malformed("trailing bytes at the end of a section", r.pos)
        return None

    def instance(self, r: Cursor) -> typegraph.InstanceType:
        offset = r.pos
        kind = r.byte()
        if kind == tables.INSTANCE_INSTANTIATE:
            index = r.u32()
            comp = self.item(r, "component", index, offset)
            assert isinstance(comp, typegraph.ComponentType)
            args: dict[str, typegraph.TypeNode] = {}
            for _ in range(r.count()):
                name = r.name()
                arg_offset = r.pos
                sort = self.sort(r)
                args[name] = self.item(r, sort, r.u32(), arg_offset)
            instantiation = typegraph.Instantiation()
            for imp in comp.imports:
                if imp.name in args:
                    instantiation.bind(imp, args[imp.name])
            return instantiation.instance(list(comp.exports))
        if kind == tables.INSTANCE_FROM_EXPORTS:
            inst = typegraph.InstanceType()
            for _ in range(r.count()):
                label = self.extern_name(r)
                item_offset = r.pos
                sort = self.sort(r)
                node = self.item(r, sort, r.u32(), item_offset)
                extern_sort = _extern_sort(sort)
                if extern_sort is not None:
                    inst.exports.append(_item_extern(label, extern_sort, node))
            return inst
        r.fail(f"invalid instance expression 0x{kind:02x}", offset)

    def opts(self, r: Cursor) -> None:
        for _ in range(r.count()):
            opt = r.byte()
            if opt in tables.CANON_OPTIONS_WITH_INDEX:
                r.u32()
            elif opt > tables.CANON_OPTION_LAST:
                r.fail(f"invalid canonical option 0x{opt:02x}", r.pos - 1)

    def canon(self, r: Cursor) -> None:
        offset = r.pos
        op = r.byte()
        if op in (tables.CANON_LIFT, tables.CANON_LOWER):
            # The core sort `func` of the lifted core function, or of the lowered one's result.
            if r.byte() != 0x00:
                r.fail("invalid canonical function", r.pos - 1)
            r.u32()
            self.opts(r)
            if op == tables.CANON_LIFT:
                type_offset = r.pos
                node = self.item(r, "type", r.u32(), type_offset)
                if not isinstance(node, typegraph.Func):
                    r.fail("lifted function type is not a function type", type_offset)
                self.scopes[-1].funcs.append(node)
        elif op in tables.CANON_NO_OPERANDS:
            pass
        elif op in tables.CANON_INDEX:
            r.u32()
        elif op in tables.CANON_INDEX_OPTIONS:
            r.u32()
            self.opts(r)
        elif op in tables.CANON_INDEX_FLAG:
            r.u32()
            self.opt_flag(r)
        elif op in tables.CANON_FLAG:
            self.opt_flag(r)
        elif op == tables.CANON_TASK_RETURN:
            if r.byte() == tables.FUNC_RESULT_TYPE:
                self.valtype(r)
            elif r.byte() != 0x00:
                r.fail("invalid result list", r.pos - 1)
            self.opts(r)
        elif op in tables.CANON_CONTEXT:
            r.byte()
            r.u32()
        elif op in tables.CANON_FLAG_INDEX:
            self.opt_flag(r)
            r.u32()
        elif op == tables.CANON_THREAD_NEW_INDIRECT:
            r.u32()
            r.u32()
        elif op in (
            tables.CANON_THREAD_SPAWN_REF,
            tables.CANON_THREAD_SPAWN_INDIRECT,
            tables.CANON_THREAD_AVAILABLE_PARALLELISM,
        ):
            self.opt_flag(r)
            if op != tables.CANON_THREAD_AVAILABLE_PARALLELISM:
                r.u32()
            if op == tables.CANON_THREAD_SPAWN_INDIRECT:
                r.u32()
        else:
            r.fail(f"unsupported canonical function 0x{op:02x}", offset)

    def export(self, r: Cursor) -> typegraph.Extern:
        label = self.extern_name(r)
        offset = r.pos
        sort = self.sort(r)
        node = self.item(r, sort, r.u32(), offset)
        if self.opt_flag(r):
            return self.extern_type(r, label)
        extern_sort = _extern_sort(sort)
        if extern_sort is None:
            r.fail(f"unsupported export of a {sort}", offset)
        ext = _item_extern(label, extern_sort, node)
        self.push(sort, ext.node)
        return ext


def read_component(data: bytes) -> list[tuple[bool, typegraph.Extern]]:
    """The top-level imports and exports of a component, in binary order:
    `(is_export, extern)`."""
    reader = ComponentReader(data)
    reader.component(0, len(data))
    return reader.externs
