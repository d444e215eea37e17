"""Encode WIT packages and worlds as component-model binaries, as wit-component does.

Input: a `model.Resolve` (arenas in wit-parser's order) and a package or world id.
Output: bytes, byte-identical to wasm-tools 1.262 (apart from the `producers` section,
which names witgen unless `producers_like_reference=True`):

- `encode_package`: `wasm-tools component wit --wasm` (wit-component's `encode`): a
  component with one component type per interface and per world of the package, each
  exported under its plain name, then the `package-docs` and `producers` custom sections.
- `encode_world`: the `component-type` custom-section payload that
  `wasm-tools component embed --only-custom` writes (wit-component's `metadata::encode`).
- `embed`: a copy of a core module with that payload appended as a `component-type`
  custom section (`wasm-tools component embed` without `--only-custom`).

Every code of the binary format comes from `tables`; the `package-docs` payload is written
by `package_docs`. As it encodes, the encoder applies the component validator's limits
(`limits`: type size and depth, instances, value bytes): `encode_package` raises
`Unencodable` at the first interface or world over one, `check_world` reports it, and
`encode_world` ignores them, as `wasm-tools component embed --only-custom` does.

Invariants: the output depends only on the model (dicts in insertion order, no sets), so
encoding twice gives identical bytes. Types are encoded in wit-component's order: a
`TypeId` is encoded once per instance/component scope (a per-scope cache), function types
are shared between functions with equal signatures, and a type owned by another interface
is aliased out of that interface's instance once per component scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal, TypeAlias, assert_never

from witgen import __version__
from witgen import model as m
from witgen.wasm import binary as w
from witgen.wasm import limits, package_docs, tables
from witgen.wasm.limits import Info, Layout

TYPE_CHECKING = False
if TYPE_CHECKING:
    from witgen.text.source import Span

# wit-component's `metadata::CURRENT_VERSION` and string-encoding bytes.
_METADATA_VERSION = 4
_STRING_ENCODINGS = {"utf8": 0, "utf16": 1, "compact-utf16": 2, "latin1+utf16": 2}
REFERENCE_PRODUCER = ("wit-component", "0.262.0")

StringEncoding = Literal["utf8", "utf16", "compact-utf16", "latin1+utf16"]


# An encoded value type: a type index in the current scope, or a primitive by name.
_Val: TypeAlias = int | str
_FuncKey: TypeAlias = tuple[bool, tuple[m.Param, ...], m.Type | None]


def _valtype(v: _Val) -> bytes:
    # Type indices are encoded as s33 (wasm-encoder writes them as signed LEB128).
    return w.byte(tables.PRIMITIVE_CODES[v]) if isinstance(v, str) else w.sleb128(v)


def _sorted_index(sort: int, index: int) -> bytes:
    """An item of a sort by index: the extern type of a declarator, or an export's item."""
    return w.byte(sort) + w.uleb128(index)


def _opt(v: _Val | None) -> bytes:
    return b"\x00" if v is None else b"\x01" + _valtype(v)


def _result(v: _Val | None) -> bytes:
    """A function type's result: one value type, or none."""
    if v is None:
        return w.byte(tables.FUNC_RESULT_NONE) + w.vec([])
    return w.byte(tables.FUNC_RESULT_TYPE) + _valtype(v)


def _extern_name(name: str, implements: str | None = None, external_id: str | None = None) -> bytes:
    """`nameattributes`: a plain name, or a name with `implements`/`external-id` attributes."""
    attributes = []
    if implements is not None:
        attributes.append(w.byte(tables.ATTRIBUTE_IMPLEMENTS) + w.name(implements))
    if external_id is not None:
        attributes.append(w.byte(tables.ATTRIBUTE_EXTERNAL_ID) + w.name(external_id))
    if not attributes:
        return w.byte(tables.NAME_PLAIN) + w.name(name)
    return w.byte(tables.NAME_WITH_ATTRIBUTES) + w.name(name) + w.vec(attributes)


class _Decls:
    """The declarators of a component type or instance type, with its index counters and
    what the validator's limits need (`limits`): each type's size and depth (`infos`), the
    in-memory layout of each value type, and the types each instance exports by name."""

    def __init__(self, problems: limits.Problems) -> None:
        self.decls: list[bytes] = []
        self.types = 0
        self.instances = 0
        self.problems = problems
        self.info: Info = limits.LEAF  # of this component or instance type
        self.infos: list[Info] = []  # by type index
        self.layouts: dict[int, Layout] = {}  # by type index, for value types
        self.type_exports: dict[str, Info] = {}  # the types this one exports, by name
        self.exports_of: dict[int, dict[str, Info]] = {}  # an instance type's, by type index
        self.instance_exports: list[dict[str, Info]] = []  # by instance index

    def ty(self, body: bytes, info: Info = limits.LEAF) -> int:
        self.decls.append(w.byte(tables.DECL_TYPE) + body)
        self.infos.append(info)
        self.types += 1
        return self.types - 1

    def alias_export(self, instance: int, name: str) -> int:
        alias = bytes((tables.DECL_ALIAS, tables.SORT_TYPE, tables.ALIAS_EXPORT))
        self.decls.append(alias + w.uleb128(instance) + w.name(name))
        self.infos.append(self.instance_exports[instance].get(name, limits.LEAF))
        self.types += 1
        return self.types - 1

    def alias_outer(self, count: int, index: int, info: Info, layout: Layout | None) -> int:
        alias = bytes((tables.DECL_ALIAS, tables.SORT_TYPE, tables.ALIAS_OUTER))
        self.decls.append(alias + w.uleb128(count) + w.uleb128(index))
        self.infos.append(info)
        if layout is not None:
            self.layouts[self.types] = layout
        self.types += 1
        return self.types - 1

    def extern(
        self,
        tag: int,
        name: str,
        ref: bytes,
        index: int,
        implements: str | None = None,
        external_id: str | None = None,
    ) -> None:
        """An import or export (`tag`) of the item `ref`, which names type `index` (a
        type's own index, an instance's or function's type; a fresh resource has none: -1)."""
        self.decls.append(w.byte(tag) + _extern_name(name, implements, external_id) + ref)
        self.problems.names((name, implements or "", external_id or ""))
        entity = self.infos[index] if index >= 0 else limits.LEAF
        self.info = self.problems.combine(self.info, entity)
        if ref[0] == tables.SORT_TYPE:
            self.type_exports[name] = entity
            self.infos.append(entity)
            if index in self.layouts:
                self.layouts[self.types] = self.layouts[index]
            self.types += 1
        elif ref[0] == tables.SORT_INSTANCE:
            self.instance_exports.append(self.exports_of.get(index, {}))
            self.instances += 1
            self.problems.instances(self.instances)

    def component(self) -> bytes:
        return w.byte(tables.TYPE_COMPONENT) + w.vec(self.decls)

    def instance(self) -> bytes:
        return w.byte(tables.TYPE_INSTANCE) + w.vec(self.decls)


def _eq(index: int) -> bytes:
    return bytes((tables.SORT_TYPE, tables.BOUND_EQ)) + w.uleb128(index)


_SUB_RESOURCE = bytes((tables.SORT_TYPE, tables.BOUND_SUB_RESOURCE))


# The type maps of one scope: by id, anonymous types by kind, function types by signature.
_Maps: TypeAlias = tuple[dict[m.TypeId, int], dict[m.TypeDefKind, int], dict[_FuncKey, int]]


class _Encoder:
    """wit-component's `InterfaceEncoder`: one outer component type, at most one open instance."""

    def __init__(self, resolve: m.Resolve, problems: limits.Problems) -> None:
        self.resolve = resolve
        self.problems = problems
        self.outer = _Decls(problems)
        self.inner: _Decls | None = None
        self.type_map: dict[m.TypeId, int] = {}
        # Anonymous types by kind (wit-component's `def_to_index`): two ids of one shape,
        # such as an interned `list<u32>` and its copy made by `include`, share an index.
        # The kind holds ids, so `option<list<u32>>` over two such lists is defined twice.
        self.def_map: dict[m.TypeDefKind, int] = {}
        self.func_type_map: dict[_FuncKey, int] = {}
        self.saved: _Maps | None = None
        self.import_map: dict[m.InterfaceId, int] = {}
        self.outer_type_map: dict[m.TypeId, int] = {}
        self.instances = 0
        self.import_types = False
        self.interface: m.InterfaceId | None = None

    # ---- scopes

    def _scope(self) -> _Decls:
        return self.outer if self.inner is None else self.inner

    def push_instance(self) -> None:
        assert self.inner is None and self.saved is None
        self.saved = (self.type_map, self.def_map, self.func_type_map)
        self.type_map, self.def_map, self.func_type_map = {}, {}, {}
        self.inner = _Decls(self.problems)

    def pop_instance(self) -> _Decls:
        assert self.inner is not None and self.saved is not None
        self.type_map, self.def_map, self.func_type_map = self.saved
        self.saved = None
        inner, self.inner = self.inner, None
        return inner

    def _define(self, body: bytes, held: list[_Val], layout: Layout | None = None) -> int:
        """A new type holding the value types `held`; `layout` for a value type."""
        scope = self._scope()
        index = scope.ty(body, self.problems.holding([self._info(v) for v in held]))
        if layout is not None:
            scope.layouts[index] = self.problems.layout(layout)
        return index

    def _info(self, v: _Val) -> Info:
        return limits.LEAF if isinstance(v, str) else self._scope().infos[v]

    def _layout(self, v: _Val) -> Layout:
        if isinstance(v, str):
            return limits.PRIMITIVE_LAYOUTS[v]
        return self._scope().layouts.get(v, limits.HANDLE)

    def _opt_layout(self, v: _Val | None) -> Layout | None:
        return None if v is None else self._layout(v)

    def _export_type(self, ref: bytes, name: str, external_id: str | None, index: int) -> int:
        """Declare a named type (`eq` type `index`, or a fresh resource: -1); returns its index."""
        scope = self._scope()
        if self.inner is None and self.import_types:
            scope.extern(tables.DECL_IMPORT, name, ref, index, external_id=external_id)
        else:
            scope.extern(tables.DECL_EXPORT, name, ref, index, external_id=external_id)
        return scope.types - 1

    def _import_type(self, owner: m.InterfaceId, tid: m.TypeId) -> int:
        name = self.resolve.types[tid].name
        assert name is not None, "a type used from another interface has a name"
        outer_idx = self.outer_type_map.get(tid)
        if outer_idx is None:
            outer_idx = self.outer.alias_export(self.import_map[owner], name)
            self.outer_type_map[tid] = outer_idx
        if self.inner is None:
            return outer_idx
        info, layout = self.outer.infos[outer_idx], self.outer.layouts.get(outer_idx)
        return self.inner.alias_outer(1, outer_idx, info, layout)

    # ---- value types

    def _opt_valtype(self, ty: m.Type | None) -> _Val | None:
        return None if ty is None else self.valtype(ty)

    def valtype(self, ty: m.Type) -> _Val:
        if isinstance(ty, str):
            return ty
        tid = ty
        known = self.type_map.get(tid)
        if known is not None:
            return known
        td = self.resolve.types[tid]
        owner = td.owner
        if isinstance(owner, m.OwnerInterface) and owner.id != self.interface:
            index = self._import_type(owner.id, tid)
            self.type_map[tid] = index
            return index
        kind = td.kind
        if td.name is None and (same := self.def_map.get(kind)) is not None:
            self.type_map[tid] = same
            return same
        encoded: _Val
        match kind:
            case m.Record(fields=fields):
                self.problems.vector("record", len(fields))
                self.problems.names(f.name for f in fields)
                vs = [self.valtype(f.type) for f in fields]
                fs = [w.name(f.name) + _valtype(v) for f, v in zip(fields, vs, strict=True)]
                layout = limits.sequence([self._layout(v) for v in vs])
                encoded = self._define(w.byte(tables.TYPE_RECORD) + w.vec(fs), vs, layout)
            case m.TupleKind(types=types):
                self.problems.vector("tuple", len(types))
                vs = [self.valtype(t) for t in types]
                layout = limits.sequence([self._layout(v) for v in vs])
                body = w.byte(tables.TYPE_TUPLE) + w.vec([_valtype(v) for v in vs])
                encoded = self._define(body, vs, layout)
            case m.Flags(flags=flags):
                self.problems.names(f.name for f in flags)  # at most 32: the resolver checks
                names = [w.name(f.name) for f in flags]
                layout = limits.flags(len(flags))
                encoded = self._define(w.byte(tables.TYPE_FLAGS) + w.vec(names), [], layout)
            case m.Variant(cases=cases):
                self.problems.vector("variant", len(cases))
                self.problems.names(c.name for c in cases)
                ovs = [self._opt_valtype(c.type) for c in cases]
                cs = [w.name(c.name) + _opt(v) + b"\x00" for c, v in zip(cases, ovs, strict=True)]
                layout = limits.variant([self._opt_layout(v) for v in ovs])
                held = [v for v in ovs if v is not None]
                encoded = self._define(w.byte(tables.TYPE_VARIANT) + w.vec(cs), held, layout)
            case m.OptionKind(type=t):
                v = self.valtype(t)
                layout = limits.variant([None, self._layout(v)])
                encoded = self._define(w.byte(tables.TYPE_OPTION) + _valtype(v), [v], layout)
            case m.ResultKind(ok=ok, err=err):
                okv = self._opt_valtype(ok)
                errv = self._opt_valtype(err)
                layout = limits.variant([self._opt_layout(okv), self._opt_layout(errv)])
                held = [v for v in (okv, errv) if v is not None]
                body = w.byte(tables.TYPE_RESULT) + _opt(okv) + _opt(errv)
                encoded = self._define(body, held, layout)
            case m.Enum(cases=ecases):
                self.problems.vector("enum", len(ecases))
                self.problems.names(c.name for c in ecases)
                names = [w.name(c.name) for c in ecases]
                layout = limits.discriminant(len(ecases))
                encoded = self._define(w.byte(tables.TYPE_ENUM) + w.vec(names), [], layout)
            case m.ListKind(type=t):
                v = self.valtype(t)
                body = w.byte(tables.TYPE_LIST) + _valtype(v)
                encoded = self._define(body, [v], limits.POINTER_PAIR)
            case m.FixedList(type=t, size=size):
                v = self.valtype(t)
                body = w.byte(tables.TYPE_FIXED_LIST) + _valtype(v) + w.uleb128(size)
                layout = self.problems.fixed_list(self._layout(v), size)
                encoded = self._define(body, [v], layout)
            case m.MapKind(key=k, value=val):
                kv = self.valtype(k)
                vv = self.valtype(val)
                body = w.byte(tables.TYPE_MAP) + _valtype(kv) + _valtype(vv)
                encoded = self._define(body, [kv, vv], limits.POINTER_PAIR)
            case m.Alias(type=t):
                encoded = self.valtype(t)
            case m.Future(type=t) | m.Stream(type=t):
                ov = self._opt_valtype(t)
                code = tables.TYPE_FUTURE if isinstance(kind, m.Future) else tables.TYPE_STREAM
                held = [] if ov is None else [ov]
                encoded = self._define(w.byte(code) + _opt(ov), held, limits.HANDLE)
            case m.Resource():
                assert td.name is not None, "resources are named"
                index = self._export_type(_SUB_RESOURCE, td.name, td.external_id, -1)
                self.type_map[tid] = index
                return index
            case m.Handle(kind=hk, resource=rid):
                res = self.valtype(rid)
                assert isinstance(res, int), "a handle refers to a resource type"
                code = tables.TYPE_OWN if hk == "own" else tables.TYPE_BORROW
                encoded = self._define(w.byte(code) + w.uleb128(res), [], limits.HANDLE)
            case _:
                assert_never(kind)
        if td.name is not None:
            if isinstance(encoded, int):
                index = encoded
            else:
                index = self._define(_valtype(encoded), [], self._layout(encoded))
            encoded = self._export_type(_eq(index), td.name, td.external_id, index)
            self.problems.locate(td.span)
        if isinstance(encoded, int):
            self.type_map[tid] = encoded
            if td.name is None:
                self.def_map[kind] = encoded
        return encoded

    def func_type(self, f: m.Function) -> int:
        key: _FuncKey = (f.is_async, f.params, f.result)
        known = self.func_type_map.get(key)
        if known is not None:
            return known
        self.problems.vector("params", len(f.params))
        self.problems.names(p.name for p in f.params)
        vs = [self.valtype(p.type) for p in f.params]
        params = [w.name(p.name) + _valtype(v) for p, v in zip(f.params, vs, strict=True)]
        rv = None if f.result is None else self.valtype(f.result)
        code = tables.TYPE_ASYNC_FUNC if f.is_async else tables.TYPE_FUNC
        held = vs if rv is None else [*vs, rv]
        index = self._define(w.byte(code) + w.vec(params) + _result(rv), held)
        self.problems.locate(f.span)
        self.func_type_map[key] = index
        return index

    # ---- instances

    def _add_instance(self, iid: m.InterfaceId, inner: _Decls) -> int:
        index = self.outer.ty(inner.instance(), inner.info)
        self.outer.exports_of[index] = inner.type_exports
        self.import_map[iid] = self.instances
        self.instances += 1
        return index

    def instance(self, iid: m.InterfaceId) -> int:
        """An instance type with every type and function of the interface."""
        self.push_instance()
        iface = self.resolve.interfaces[iid]
        order: dict[m.TypeId, int] = {}
        for _, tid in iface.types:
            self.valtype(tid)
            order.setdefault(tid, len(order))

        # Resource functions first, in their resource's order; freestanding ones last.
        def resource_order(item: tuple[str, m.Function]) -> int:
            resource = item[1].kind.resource
            return len(order) if resource is None else order[resource]

        for name, f in sorted(iface.functions, key=resource_order):
            index = self.func_type(f)
            assert self.inner is not None
            func = _sorted_index(tables.SORT_FUNC, index)
            self.inner.extern(tables.DECL_EXPORT, name, func, index, external_id=f.external_id)
        return self._add_instance(iid, self.pop_instance())

    def types_only_instance(self, iid: m.InterfaceId) -> int:
        """A dependency's instance type: all of its types, none of its functions."""
        self.push_instance()
        for _, tid in self.resolve.interfaces[iid].types:
            self.valtype(tid)
        return self._add_instance(iid, self.pop_instance())


# ---------------------------------------------------------------- component types


def _interface_deps(resolve: m.Resolve, iid: m.InterfaceId) -> list[m.InterfaceId]:
    """wit-parser's `interface_direct_deps`: interfaces whose types this one `use`s."""
    deps = []
    for _, tid in resolve.interfaces[iid].types:
        td = resolve.types[tid]
        if isinstance(td.kind, m.Alias) and not isinstance(td.kind.type, str):
            other = resolve.types[td.kind.type]
            if other.owner != td.owner:
                assert isinstance(other.owner, m.OwnerInterface)
                deps.append(other.owner.id)
    return deps


def _live_interfaces(
    resolve: m.Resolve, iid: m.InterfaceId, out: dict[m.InterfaceId, None]
) -> None:
    """Add `iid` to `out` after the interfaces it depends on, depth first (on an explicit
    stack: a chain of `use` can be thousands of interfaces deep)."""
    if iid in out:
        return
    stack = [(iid, _interface_deps(resolve, iid), 0)]
    while stack:
        cur, deps, next_dep = stack[-1]
        if next_dep < len(deps):
            stack[-1] = (cur, deps, next_dep + 1)
            dep = deps[next_dep]
            if dep not in out:
                stack.append((dep, _interface_deps(resolve, dep), 0))
            continue
        stack.pop()
        out[cur] = None


def _interface_component_type(
    resolve: m.Resolve, iid: m.InterfaceId, problems: limits.Problems
) -> _Decls:
    """The component type of one interface: its dependencies imported, itself exported."""
    live: dict[m.InterfaceId, None] = {}
    _live_interfaces(resolve, iid, live)
    enc = _Encoder(resolve, problems)
    for dep in live:
        enc.interface = dep
        name = resolve.id_of(dep)
        if dep == iid:
            index = enc.instance(dep)
            enc.outer.extern(
                tables.DECL_EXPORT, name, _sorted_index(tables.SORT_INSTANCE, index), index
            )
        else:
            index = enc.types_only_instance(dep)
            enc.outer.extern(
                tables.DECL_IMPORT, name, _sorted_index(tables.SORT_INSTANCE, index), index
            )
        if problems.first is not None:
            break  # the rest cannot make it valid again, and may be huge
    return enc.outer


def _world_component_type(resolve: m.Resolve, wid: m.WorldId, problems: limits.Problems) -> _Decls:
    """wit-component's `encode_world`: the world's imports and exports as a component type."""
    world = resolve.worlds[wid]
    enc = _Encoder(resolve, problems)
    for exporting, items in ((False, world.imports), (True, world.exports)):
        for key, item in items:
            name = resolve.world_key_name(key)
            tag = tables.DECL_EXPORT if exporting else tables.DECL_IMPORT
            match item:
                case m.WorldInterface(id=iid):
                    enc.interface = iid
                    index = enc.instance(iid)
                    implements = None
                    if isinstance(key, str) and resolve.interfaces[iid].name is not None:
                        implements = resolve.id_of(iid)
                    instance = _sorted_index(tables.SORT_INSTANCE, index)
                    enc.outer.extern(tag, name, instance, index, implements, item.external_id)
                case m.WorldFunction(function=f):
                    enc.interface = None
                    index = enc.func_type(f)
                    func = _sorted_index(tables.SORT_FUNC, index)
                    enc.outer.extern(tag, name, func, index, None, f.external_id)
                case m.WorldType(id=tid):
                    assert not exporting, "worlds only import types"
                    enc.interface = None
                    enc.import_types = True
                    enc.valtype(tid)
                    enc.import_types = False
                case _:
                    assert_never(item)
    return enc.outer


def _world_wrapper(resolve: m.Resolve, wid: m.WorldId, problems: limits.Problems) -> _Decls:
    """The component type that holds a world's component type and exports it by its id."""
    world = resolve.worlds[wid]
    assert world.package is not None
    pkg = resolve.packages[world.package].name
    wrapper = _Decls(problems)
    inner = _world_component_type(resolve, wid, problems)
    wrapper.ty(inner.component(), inner.info)
    ident = f"{pkg.unversioned}/{world.name}" + (f"@{pkg.version}" if pkg.version else "")
    wrapper.extern(tables.DECL_EXPORT, ident, _sorted_index(tables.SORT_COMPONENT, 0), 0)
    return wrapper


class _Component:
    """wasm-encoder's `ComponentBuilder`: consecutive items of one kind share a section."""

    def __init__(self, problems: limits.Problems) -> None:
        self.out = bytearray(w.COMPONENT_PREAMBLE)
        self.section_id: int | None = None
        self.items: list[bytes] = []
        self.types = 0
        self.problems = problems
        self.info = limits.LEAF
        self.infos: list[Info] = []

    def _flush(self) -> None:
        if self.section_id is not None:
            self.out += w.section(self.section_id, w.vec(self.items))
        self.section_id, self.items = None, []

    def _add(self, section_id: int, item: bytes) -> None:
        if self.section_id != section_id:
            self._flush()
            self.section_id = section_id
        self.items.append(item)

    def type(self, decls: _Decls) -> int:
        """A component type, defined at the top level."""
        self._add(tables.SECTION_TYPE, decls.component())
        self.infos.append(decls.info)
        self.types += 1
        return self.types - 1

    def export_type(self, name: str, index: int) -> int:
        # The name, the item (a type by index), no type ascription.
        item = _extern_name(name) + _sorted_index(tables.SORT_TYPE, index) + b"\x00"
        self.problems.names((name,))
        self._add(tables.SECTION_EXPORT, item)
        self.info = self.problems.add_size(self.info, self.infos[index])
        self.infos.append(self.infos[index])
        self.types += 1
        return self.types - 1

    def custom(self, section: bytes) -> None:
        self._flush()
        self.out += section

    def finish(self) -> bytes:
        self._flush()
        return bytes(self.out)


def _producers(like_reference: bool) -> bytes:
    tool = REFERENCE_PRODUCER if like_reference else ("witgen", __version__)
    return w.producers_section([("processed-by", [tool])])


# ---------------------------------------------------------------- public entry points


class Unencodable(Exception):
    """A package or world whose binary the component validator would reject: the limit it
    breaks (`message`, wasm-tools' words) and the interface or world where it does (`item`,
    an interface id when `is_interface`, else a world id)."""

    def __init__(self, message: str, item: int, is_interface: bool, at: Span | None) -> None:
        super().__init__(message)
        self.message = message
        self.item = item
        self.is_interface = is_interface
        self.at = at


def encode_package(
    resolve: m.Resolve, package: m.PackageId, *, producers_like_reference: bool = False
) -> bytes:
    """The package as a component binary, as `wasm-tools component wit --wasm` writes it.
    A package over one of the validator's limits (see `limits`) raises `Unencodable` as
    soon as the first interface or world over it is encoded."""
    pkg = resolve.packages[package]
    problems = limits.Problems()
    comp = _Component(problems)
    items = [(n, i, True) for n, i in pkg.interfaces] + [(n, w, False) for n, w in pkg.worlds]
    for name, item, is_interface in items:
        if is_interface:
            decls = _interface_component_type(resolve, m.InterfaceId(item), problems)
        else:
            decls = _world_wrapper(resolve, m.WorldId(item), problems)
        comp.export_type(name, comp.type(decls))
        if problems.first is not None:
            raise Unencodable(problems.first, item, is_interface, problems.at)
    comp.custom(w.custom_section("package-docs", package_docs.encode(resolve, package)))
    comp.custom(_producers(producers_like_reference))
    return comp.finish()


def encode_world(
    resolve: m.Resolve,
    world: m.WorldId,
    *,
    encoding: StringEncoding = "utf8",
    producers_like_reference: bool = False,
) -> bytes:
    """The `component-type` custom-section payload of `wasm-tools component embed --only-custom`."""
    # Not validated, as wasm-tools does not validate it (`check_world` does).
    comp = _Component(limits.Problems())
    version = bytes([_METADATA_VERSION, _STRING_ENCODINGS[encoding]])
    comp.custom(w.custom_section("wit-component-encoding", version))
    wrapper = _world_wrapper(resolve, world, comp.problems)
    comp.export_type(resolve.worlds[world].name, comp.type(wrapper))
    comp.custom(_producers(producers_like_reference))
    return comp.finish()


def check_world(resolve: m.Resolve, world: m.WorldId) -> Unencodable | None:
    """The first of the validator's limits (see `limits`) that the world's component type
    breaks, or None. wasm-tools embeds such a world without a complaint, but no component
    can be built for it (`wasm-tools component new` and componentize-py validate the
    embedded type), so bindings for it are refused."""
    problems = limits.Problems()
    root = _Component(problems)
    root.export_type("w", root.type(_world_wrapper(resolve, world, problems)))
    if problems.first is None:
        return None
    return Unencodable(problems.first, world, False, problems.at)


def embed(
    module: bytes,
    resolve: m.Resolve,
    world: m.WorldId,
    *,
    encoding: StringEncoding = "utf8",
    producers_like_reference: bool = False,
) -> bytes:
    """A copy of a core module with the world's `component-type` custom section appended."""
    if module[:8] != w.MODULE_PREAMBLE:
        raise ValueError("not a core WebAssembly module (bad preamble)")
    payload = encode_world(
        resolve, world, encoding=encoding, producers_like_reference=producers_like_reference
    )
    return module + w.custom_section("component-type", payload)


@dataclass(frozen=True, slots=True, kw_only=True)
class EncodeOptions:
    # Set to embed this world's `component-type` payload instead of encoding the package.
    world: m.WorldId | None = None
    encoding: StringEncoding = "utf8"
    producers_like_reference: bool = False


def generate(
    resolve: m.Resolve, target: m.PackageId | None = None, options: EncodeOptions | None = None
) -> dict[PurePosixPath, str | bytes]:
    """The backend entry point: `<package>.wasm`, or `<world>.component-type.wasm` with a world."""
    opts = options or EncodeOptions()
    if opts.world is not None:
        data = encode_world(
            resolve,
            opts.world,
            encoding=opts.encoding,
            producers_like_reference=opts.producers_like_reference,
        )
        return {PurePosixPath(f"{resolve.worlds[opts.world].name}.component-type.wasm"): data}
    package = target if target is not None else resolve.main
    if package is None:
        raise ValueError("no package to encode")
    data = encode_package(resolve, package, producers_like_reference=opts.producers_like_reference)
    return {PurePosixPath(f"{resolve.packages[package].name.name}.wasm"): data}
