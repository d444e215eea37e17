"""Turn the type graph of a component into WIT packages, as wit-component's decoder does.

Input: graph nodes from `reader`: the component types a WIT package exports, or the
imports and exports of a concrete component. Output: `WitConverter` holds the model under
construction (frozen types, mutable interfaces, worlds and packages, so that package docs
can still be added); `package` and `component_world` fill it, and `freeze` returns the
`model.Resolve`.

Invariants: built as wit-component's `WitPackageDecoder` builds it: dependency packages
hold only the interfaces and types the package uses, type ids are allocated in the order
the binary mentions them, and packages come in dependency order. A type node converts to
one type id (keyed by node identity), so a type re-exported under another name becomes an
alias of the first. Malformed input raises `binary.Malformed` at the offset of the export
being converted. Spans are `Span.UNKNOWN`.
"""

from __future__ import annotations

from typing import Any, assert_never

from witgen import model as m
from witgen._record import field, fields, record
from witgen.wasm import typegraph
from witgen.wasm.binary import Malformed
from witgen.wasm.names import split_interface_id

# The kinds of type WIT gives only under a name.
_NAMED_ONLY = typegraph.Record | typegraph.Variant | typegraph.Enum | typegraph.Flags

# ---------------------------------------------------------------- the model under construction


@record(frozen=False, eq=False)
class Interface:
    name: str | None
    types: dict[str, m.TypeId] = field(default_factory=dict)
    functions: dict[str, m.Function] = field(default_factory=dict)
    package: m.PackageId | None = None
    docs: m.Docs = m.NO_DOCS
    stability: m.Stability = m.UNKNOWN


@record(frozen=False, eq=False)
class World:
    name: str
    imports: dict[m.WorldKey, m.WorldItem] = field(default_factory=dict)
    exports: dict[m.WorldKey, m.WorldItem] = field(default_factory=dict)
    package: m.PackageId | None = None
    docs: m.Docs = m.NO_DOCS
    stability: m.Stability = m.UNKNOWN


@record(frozen=False, eq=False)
class Package:
    name: m.PackageName
    interfaces: dict[str, m.InterfaceId] = field(default_factory=dict)
    worlds: dict[str, m.WorldId] = field(default_factory=dict)
    docs: m.Docs = m.NO_DOCS


def _method_kind(name: str, is_async: bool) -> m.FunctionKindName:
    """The kind of a `[method]` or `[static]` function."""
    if name.startswith("[method]"):
        return "async-method" if is_async else "method"
    return "async-static" if is_async else "static"


class WitConverter:
    """The arenas of the model being built, and the conversion of graph nodes into them."""

    def __init__(self) -> None:
        self.types: list[m.TypeDef] = []
        self.interfaces: list[Interface] = []
        self.worlds: list[World] = []
        # Packages of interfaces used but not defined here, by `ns:name@version`.
        self.foreign: dict[str, Package] = {}
        self.iface_package: dict[m.InterfaceId, str] = {}
        # Interfaces of the package itself, by full id, once converted.
        self.named_interfaces: dict[str, m.InterfaceId] = {}
        self.resources: dict[m.TypeOwner, dict[str, m.TypeId]] = {}
        # The type id of each node converted so far, by node identity.
        self.type_map: dict[int, m.TypeId] = {}
        # The offset of the export being converted, for messages.
        self.offset = 0

    # ---- types

    def _alloc(self, td: m.TypeDef) -> m.TypeId:
        self.types.append(td)
        return m.TypeId(len(self.types) - 1)

    def find_alias(self, node: typegraph.TypeNode) -> m.TypeId | None:
        """The type id of `node`, or of the first type in its chain of names converted."""
        cur: typegraph.TypeNode | None = node
        while cur is not None:
            found = self.type_map.get(id(cur))
            if found is not None:
                return found
            cur = cur.referenced if isinstance(cur, typegraph.Named) else None
        return None

    def valtype(self, v: typegraph.ValType) -> m.Type:
        if isinstance(v, str):
            return v
        known = self.type_map.get(id(v))
        if known is not None:
            return known
        node = typegraph.peel(v)
        if node is not v:
            found = self.find_alias(v)
            if found is not None:
                return found
        assert isinstance(node, typegraph.Defined)
        kind = self.defined(node)
        if isinstance(node, _NAMED_ONLY):
            raise Malformed("unexpected unnamed record, variant, enum or flags", node.offset)
        tid = self._alloc(m.TypeDef(name=None, kind=kind, owner=None))
        self.type_map[id(v)] = tid
        return tid

    def _opt(self, v: typegraph.ValType | None) -> m.Type | None:
        return None if v is None else self.valtype(v)

    def defined(self, node: typegraph.Defined) -> m.TypeDefKind:
        match node:
            case typegraph.Primitive(type=ty):
                return m.Alias(type=ty)
            case typegraph.Record(fields=fields):
                return m.Record(
                    fields=tuple(m.Field(name=n, type=self.valtype(t)) for n, t in fields)
                )
            case typegraph.Variant(cases=cases):
                return m.Variant(cases=tuple(m.Case(name=n, type=self._opt(t)) for n, t in cases))
            case typegraph.List(element=t):
                return m.ListKind(type=self.valtype(t))
            case typegraph.FixedList(element=t, size=size):
                return m.FixedList(type=self.valtype(t), size=size)
            case typegraph.Tuple(types=types):
                return m.TupleKind(types=tuple(self.valtype(t) for t in types))
            case typegraph.Flags(names=names):
                return m.Flags(flags=tuple(m.Flag(name=n) for n in names))
            case typegraph.Enum(names=names):
                return m.Enum(cases=tuple(m.EnumCase(name=n) for n in names))
            case typegraph.Option(payload=t):
                return m.OptionKind(type=self.valtype(t))
            case typegraph.Result(ok=ok, err=err):
                return m.ResultKind(ok=self._opt(ok), err=self._opt(err))
            case typegraph.Handle(kind=kind, resource=resource):
                res = self.find_alias(resource)
                if res is None:
                    raise Malformed("handle to an unknown resource", node.offset)
                return m.Handle(kind=kind, resource=res)
            case typegraph.Future(payload=t):
                return m.Future(type=self._opt(t))
            case typegraph.Stream(payload=t):
                return m.Stream(type=self._opt(t))
            case typegraph.Map(key=k, value=v):
                return m.MapKind(key=self.valtype(k), value=self.valtype(v))
            case _:
                assert_never(node)

    def _map_parts(self, node: typegraph.TypeNode, existing: m.TypeId) -> None:
        """Map the anonymous types inside `node`, a new copy of the type `existing` (an
        interface's type declared again by another import of it), onto those of
        `existing`, as wit-component does: a function of that copy that uses one of them
        (the same `future` as a field of a record, say) uses the existing type, not a new
        one. Nodes already mapped are left alone."""
        stack: list[tuple[typegraph.TypeNode, m.TypeId]] = [(node, existing)]
        while stack:
            cur, tid = stack.pop()
            kind = self.types[tid].kind
            while isinstance(kind, m.Alias) and not isinstance(kind.type, str):
                tid = kind.type
                kind = self.types[tid].kind
            pairs: list[tuple[typegraph.ValType | None, m.Type | None]] = []
            match cur, kind:
                case typegraph.Record(fields=fields), m.Record(fields=known_fields):
                    pairs = [(t, f.type) for (_, t), f in zip(fields, known_fields, strict=False)]
                case typegraph.Variant(cases=cases), m.Variant(cases=known_cases):
                    pairs = [(t, c.type) for (_, t), c in zip(cases, known_cases, strict=False)]
                case typegraph.Tuple(types=types), m.TupleKind(types=known_types):
                    pairs = list(zip(types, known_types, strict=False))
                case (
                    (typegraph.List(element=t), m.ListKind(type=k))
                    | (typegraph.FixedList(element=t), m.FixedList(type=k))
                    | (typegraph.Option(payload=t), m.OptionKind(type=k))
                ):
                    pairs = [(t, k)]
                case typegraph.Result(ok=ok, err=err), m.ResultKind(ok=known_ok, err=known_err):
                    pairs = [(ok, known_ok), (err, known_err)]
                case (typegraph.Future(payload=t), m.Future(type=k)) | (
                    typegraph.Stream(payload=t),
                    m.Stream(type=k),
                ):
                    pairs = [(t, k)]
                case typegraph.Map(key=key, value=value), m.MapKind(key=known_key, value=v):
                    pairs = [(key, known_key), (value, v)]
            for part, same in pairs:
                if part is None or isinstance(part, str) or same is None or isinstance(same, str):
                    continue
                if id(part) in self.type_map or typegraph.peel(part) is not part:
                    continue  # mapped already, or a named type (mapped by its name)
                self.type_map[id(part)] = same
                stack.append((part, same))

    def type_export(self, ext: typegraph.Extern, owner: m.TypeOwner) -> m.TypeId:
        assert ext.referenced is not None
        prev = self.find_alias(ext.referenced)
        kind: m.TypeDefKind
        if prev is not None:
            kind = m.Alias(type=prev)
        else:
            target = typegraph.peel(ext.referenced)
            if isinstance(target, typegraph.Resource):
                kind = m.Resource()
            else:
                assert isinstance(target, typegraph.Defined)
                kind = self.defined(target)
        tid = self._alloc(
            m.TypeDef(name=ext.name, kind=kind, owner=owner, external_id=ext.external_id)
        )
        if isinstance(kind, m.Resource):
            by_name = self.resources.setdefault(owner, {})
            if ext.name in by_name:
                raise Malformed(f"duplicate resource `{ext.name}`", self.offset)
            by_name[ext.name] = tid
        self.type_map[id(ext.node)] = tid
        return tid

    def function(
        self, name: str, f: typegraph.Func, owner: m.TypeOwner, external_id: str | None = None
    ) -> m.Function:
        params = tuple(m.Param(name=n, type=self.valtype(t)) for n, t in f.params)
        result = None if f.result is None else self.valtype(f.result)
        kind: m.FunctionKind
        if name.startswith("[constructor]"):
            kind = m.FunctionKind(name="constructor", resource=self._resource(owner, name[13:]))
        elif name.startswith("[method]") or name.startswith("[static]"):
            resource, dot, _ = name[8:].partition(".")
            if not dot:
                raise Malformed(f"invalid function name `{name}`", self.offset)
            kind = m.FunctionKind(
                name=_method_kind(name, f.is_async), resource=self._resource(owner, resource)
            )
        else:
            kind = m.FunctionKind(name="async-freestanding" if f.is_async else "freestanding")
        return m.Function(
            name=name, kind=kind, params=params, result=result, external_id=external_id
        )

    def _resource(self, owner: m.TypeOwner, name: str) -> m.TypeId:
        tid = self.resources.get(owner, {}).get(name)
        if tid is None:
            raise Malformed(f"function refers to unknown resource `{name}`", self.offset)
        return tid

    # ---- interfaces and worlds

    def dep_interface(self, name: str) -> m.InterfaceId:
        pkg_name, item = split_interface_id(name, self.offset)
        key = str(pkg_name)
        pkg = self.foreign.setdefault(key, Package(name=pkg_name))
        iid = pkg.interfaces.get(item)
        if iid is None:
            self.interfaces.append(Interface(name=item))
            iid = m.InterfaceId(len(self.interfaces) - 1)
            pkg.interfaces[item] = iid
        self.iface_package[iid] = key
        return iid

    def register_import(self, name: str, inst: typegraph.InstanceType) -> m.InterfaceId:
        """The interface an instance import names, with the types (and, for an interface of
        another package, the functions) the import adds to what is known of it."""
        local = self.named_interfaces.get(name)
        iid = local if local is not None else self.dep_interface(name)
        self._add_exports(iid, inst, again=True, functions=local is None, defined=local is not None)
        return iid

    def register_interface(self, name: str | None, inst: typegraph.InstanceType) -> m.InterfaceId:
        """A new interface (inline if `name` is None) with everything the instance exports."""
        iid = m.InterfaceId(len(self.interfaces))
        self.interfaces.append(Interface(name=name))
        self._add_exports(iid, inst, again=False, functions=True)
        return iid

    def _add_exports(
        self,
        iid: m.InterfaceId,
        inst: typegraph.InstanceType,
        *,
        again: bool,
        functions: bool,
        defined: bool = False,
    ) -> None:
        """Add an instance's exports to interface `iid`. `again`: the interface may have
        been seen before, and what it already has is kept (a type is mapped onto it).
        `defined`: the interface is one of this package's, so the instance (a world's
        import or export of it) may hold nothing the interface lacks, as wit-component
        requires."""
        iface = self.interfaces[iid]
        owner = m.OwnerInterface(id=iid)
        for ext in inst.exports:
            if defined and ext.sort == "type" and ext.name not in iface.types:
                message = f"instance type export `{ext.name}` not defined in interface"
                raise Malformed(message, self.offset)
            if defined and ext.sort == "func" and ext.name not in iface.functions:
                message = f"instance function export `{ext.name}` not defined in interface"
                raise Malformed(message, self.offset)
            if ext.sort == "type":
                existing = iface.types.get(ext.name) if again else None
                if existing is not None:
                    self.type_map[id(ext.node)] = existing
                    if ext.referenced is not ext.node and ext.referenced is not None:
                        self.type_map.setdefault(id(typegraph.peel(ext.referenced)), existing)
                        self._map_parts(typegraph.peel(ext.referenced), existing)
                else:
                    iface.types[ext.name] = self.type_export(ext, owner)
            elif ext.sort == "func":
                if not functions or (again and ext.name in iface.functions):
                    continue
                assert isinstance(ext.node, typegraph.Func)
                iface.functions[ext.name] = self.function(
                    ext.name, ext.node, owner, ext.external_id
                )
            else:
                raise Malformed(
                    f"instance export `{ext.name}` is not a type or function", self.offset
                )

    def world(self, name: str, comp: typegraph.ComponentType) -> m.WorldId:
        wid = m.WorldId(len(self.worlds))
        world = World(name=name)
        self.worlds.append(world)
        owner = m.OwnerWorld(id=wid)
        for exporting, externs in ((False, comp.imports), (True, comp.exports)):
            items = world.exports if exporting else world.imports
            for ext in externs:
                key: m.WorldKey
                item: m.WorldItem
                if ext.sort == "instance":
                    assert isinstance(ext.node, typegraph.InstanceType)
                    if "/" in ext.name:
                        iid = self.register_import(ext.name, ext.node)
                        key = iid
                    elif ext.implements is not None:
                        iid = self.register_import(ext.implements, ext.node)
                        key = ext.name
                    else:
                        iid = self.register_interface(None, ext.node)
                        key = ext.name
                    item = m.WorldInterface(id=iid, external_id=ext.external_id)
                elif ext.sort == "func":
                    assert isinstance(ext.node, typegraph.Func)
                    key, item = (
                        ext.name,
                        m.WorldFunction(
                            function=self.function(ext.name, ext.node, owner, ext.external_id)
                        ),
                    )
                elif ext.sort == "type" and not exporting:
                    key, item = ext.name, m.WorldType(id=self.type_export(ext, owner))
                else:
                    raise Malformed(f"unsupported world item `{ext.name}`", self.offset)
                if key in items:
                    raise Malformed(f"duplicate world item `{ext.name}`", self.offset)
                items[key] = item
        self.check_world(world)
        return wid

    def check_world(self, world: World) -> None:
        """Every interface whose types a world's interfaces use must be in the world too.

        A binary can break this (wasmparser accepts it) and wit-component then panics when
        encoding the world again; here it is a malformed input instead.
        """
        present = {
            item.id
            for item in (*world.imports.values(), *world.exports.values())
            if isinstance(item, m.WorldInterface)
        }
        for iid in present:
            for tid in self.interfaces[iid].types.values():
                kind = self.types[tid].kind
                if not isinstance(kind, m.Alias) or isinstance(kind.type, str):
                    continue
                owner = self.types[kind.type].owner
                if isinstance(owner, m.OwnerInterface) and owner.id not in present:
                    name = self.interfaces[owner.id].name
                    raise Malformed(
                        f"world `{world.name}` uses interface `{name}` without importing it",
                        self.offset,
                    )


# ---------------------------------------------------------------- packages


def package(
    conv: WitConverter, exports: list[tuple[str, typegraph.ComponentType, int]], end: int
) -> tuple[list[Package], Package]:
    """The packages of a WIT package binary, whose exports (ending at byte `end`) are one
    component type per interface and world: all packages, in dependency order, and the
    one the binary defines."""
    pkg_name: m.PackageName | None = None
    interfaces: dict[str, m.InterfaceId] = {}
    worlds: dict[str, m.WorldId] = {}
    for export_name, comp, offset in exports:
        conv.offset = offset
        if len(comp.exports) != 1:
            raise Malformed(f"export `{export_name}` must have exactly one export", offset)
        (inner,) = comp.exports
        name, item = split_interface_id(inner.name, offset)
        if inner.sort == "instance":
            for imp in comp.imports:
                if imp.sort != "instance" or not isinstance(imp.node, typegraph.InstanceType):
                    raise Malformed(f"import `{imp.name}` is not an instance", offset)
                conv.register_import(imp.name, imp.node)
            assert isinstance(inner.node, typegraph.InstanceType)
            iid = conv.register_interface(item, inner.node)
            conv.named_interfaces[inner.name] = iid
            if item in interfaces:
                raise Malformed(f"duplicate interface `{item}`", offset)
            interfaces[item] = iid
        elif inner.sort == "component":
            assert isinstance(inner.node, typegraph.ComponentType)
            if item in worlds:
                raise Malformed(f"duplicate world `{item}`", offset)
            worlds[item] = conv.world(item, inner.node)
        else:
            raise Malformed(f"export `{export_name}` is not an interface or world", offset)
        if pkg_name is None:
            pkg_name = name
        elif pkg_name != name:
            raise Malformed("item defined with mismatched package name", offset)
    if pkg_name is None:
        raise Malformed("no exported component type found", end)
    main = Package(name=pkg_name, interfaces=interfaces, worlds=worlds)
    packages = _order_packages(conv)
    # Interfaces of the package used before their definition were filed as foreign: the
    # package then keeps its place in the dependency order (wit-component's
    # `insert_package` unions the two), else it comes last.
    own = conv.foreign.get(str(pkg_name))
    if own is None:
        packages.append(main)
    else:
        for item, iid in main.interfaces.items():
            own.interfaces.setdefault(item, iid)
        own.worlds.update(main.worlds)
        main = own
    _assign_packages(conv, packages)
    return packages, main


def component_world(
    conv: WitConverter, externs: list[tuple[bool, typegraph.Extern]]
) -> tuple[list[Package], m.WorldId]:
    """The world `root` of the package `root:component`, typing a component's imports and
    exports (`(is_export, extern)`): all packages, the component's last."""
    comp = typegraph.ComponentType(
        imports=[ext for exporting, ext in externs if not exporting],
        exports=[ext for exporting, ext in externs if exporting],
    )
    wid = conv.world("root", comp)
    main = Package(name=m.PackageName(namespace="root", name="component"), worlds={"root": wid})
    packages = [*_order_packages(conv), main]
    _assign_packages(conv, packages)
    return packages, wid


def _order_packages(conv: WitConverter) -> list[Package]:
    """Foreign packages in dependency order (wit-component's `visit_package`)."""
    keys = list(conv.foreign)
    deps: dict[str, list[str]] = {k: [] for k in keys}
    for key, pkg in conv.foreign.items():
        for iid in pkg.interfaces.values():
            for tid in conv.interfaces[iid].types.values():
                kind = conv.types[tid].kind
                if isinstance(kind, m.Alias) and not isinstance(kind.type, str):
                    owner = conv.types[kind.type].owner
                    if isinstance(owner, m.OwnerInterface):
                        other = conv.iface_package.get(owner.id)
                        if other is not None and other != key and other not in deps[key]:
                            deps[key].append(other)
    order: dict[str, None] = {}

    def visit(key: str) -> None:
        if key in order:
            return
        for dep in deps[key]:
            visit(dep)
        order[key] = None

    for key in keys:
        visit(key)
    return [conv.foreign[k] for k in order]


def _assign_packages(conv: WitConverter, packages: list[Package]) -> None:
    for pid, pkg in enumerate(packages):
        for iid in pkg.interfaces.values():
            conv.interfaces[iid].package = m.PackageId(pid)
        for wid in pkg.worlds.values():
            world = conv.worlds[wid]
            world.package = m.PackageId(pid)
            for item in (*world.imports.values(), *world.exports.values()):
                if isinstance(item, m.WorldInterface) and conv.interfaces[item.id].name is None:
                    conv.interfaces[item.id].package = m.PackageId(pid)


def _model_fields(item: Interface | World | Package) -> dict[str, Any]:
    """The fields of an item under construction in the model's form: each dict becomes the
    tuple of its items. The builders above use the model's field names for this."""
    values = {name: getattr(item, name) for name in fields(type(item))}
    return {k: tuple(v.items()) if isinstance(v, dict) else v for k, v in values.items()}


def freeze(conv: WitConverter, packages: list[Package], main: m.PackageId) -> m.Resolve:
    return m.Resolve(
        packages=tuple(m.Package(**_model_fields(p)) for p in packages),
        interfaces=tuple(m.Interface(**_model_fields(i)) for i in conv.interfaces),
        worlds=tuple(m.World(**_model_fields(x)) for x in conv.worlds),
        types=tuple(conv.types),
        main=main,
        main_group=(main,),
    )
