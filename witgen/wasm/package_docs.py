"""The `package-docs` custom section: the docs and gates a WIT package binary carries.

The component types of a package have no place for docs or `@since`/`@unstable` gates, so
wit-component writes them as JSON in a custom section (its `PackageMetadata`).

Input and output: `encode` turns a package of a `model.Resolve` into the section's
payload (a version byte, then compact JSON, as wit-component writes it); `apply` reads a
payload back into the packages a `to_wit.WitConverter` is building.

Invariants: the JSON keys and their order are wit-component's; `encode` writes only
non-empty maps, so a package without docs gives `{}`; `apply` reads the payload as strictly
as wit-component (see `_check`, and a key that names nothing the package has is an error),
raising `binary.Malformed`. Both directions are pure apart from `apply` filling the
converter in place.
"""

from __future__ import annotations

import json
from typing import Any, TypeAlias, assert_never

from witgen import model as m
from witgen._record import record, replace
from witgen.wasm.binary import Malformed

TYPE_CHECKING = False
if TYPE_CHECKING:
    from witgen.wasm.to_wit import Interface, Package, WitConverter, World

# wit-component's `PACKAGE_DOCS_SECTION_VERSION`; payloads of version 0 read the same.
_VERSION = 1
_READABLE_VERSIONS = (0, 1)

_JsonObj: TypeAlias = dict[str, object]


@record
class _WorldSide:
    """The keys of wit-component's `WorldMetadata` for one side (imports or exports)."""

    inline_interfaces: str
    funcs: str
    # Gates and docs of named-interface imports (or exports), by import (or export) name.
    interface_stability: str
    interface_docs: str


_IMPORTS = _WorldSide(
    inline_interfaces="interfaces",
    funcs="funcs",
    interface_stability="interface_import_stability",
    interface_docs="interface_import_docs",
)
_EXPORTS = _WorldSide(
    inline_interfaces="interface_exports",
    funcs="func_exports",
    interface_stability="interface_export_stability",
    interface_docs="interface_export_docs",
)
_WORLD_TYPES = "types"  # type imports (a world exports no types)
# The maps of `WorldMetadata`, in its serialization order.
_WORLD_META_MAPS = (
    _IMPORTS.inline_interfaces,
    _WORLD_TYPES,
    _IMPORTS.funcs,
    _EXPORTS.inline_interfaces,
    _EXPORTS.funcs,
    _IMPORTS.interface_stability,
    _EXPORTS.interface_stability,
    _IMPORTS.interface_docs,
    _EXPORTS.interface_docs,
)


# ---------------------------------------------------------------- model → payload


def _stability_json(s: m.Stability) -> _JsonObj | None:
    match s:
        case m.Unknown():
            return None
        case m.Stable(since=since, deprecated=dep):
            body: _JsonObj = {"since": since}
            if dep is not None:
                body["deprecated"] = dep
            return {"stable": body}
        case m.Unstable(feature=feature, deprecated=dep):
            body = {"feature": feature}
            if dep is not None:
                body["deprecated"] = dep
            return {"unstable": body}
        case _:
            assert_never(s)


def _meta(docs: m.Docs, stability: m.Stability) -> _JsonObj:
    out: _JsonObj = {}
    if docs.contents is not None:
        out["docs"] = docs.contents
    st = _stability_json(stability)
    if st is not None:
        out["stability"] = st
    return out


def _type_meta(td: m.TypeDef) -> _JsonObj:
    out = _meta(td.docs, td.stability)
    items: dict[str, str] = {}
    kind = td.kind
    match kind:
        case m.Record(fields=fields):
            items = {f.name: f.docs.contents for f in fields if f.docs.contents is not None}
        case m.Flags(flags=flags):
            items = {f.name: f.docs.contents for f in flags if f.docs.contents is not None}
        case m.Variant(cases=cases):
            items = {c.name: c.docs.contents for c in cases if c.docs.contents is not None}
        case m.Enum(cases=ecases):
            items = {c.name: c.docs.contents for c in ecases if c.docs.contents is not None}
        case (
            m.Resource()
            | m.Handle()
            | m.TupleKind()
            | m.OptionKind()
            | m.ResultKind()
            | m.ListKind()
            | m.FixedList()
            | m.MapKind()
            | m.Future()
            | m.Stream()
            | m.Alias()
        ):
            pass
        case _:
            assert_never(kind)
    if items:
        out["items"] = items
    return out


def _interface_meta(resolve: m.Resolve, iid: m.InterfaceId) -> _JsonObj:
    iface = resolve.interfaces[iid]
    out = _meta(iface.docs, iface.stability)
    funcs = {n: meta for n, f in iface.functions if (meta := _meta(f.docs, f.stability))}
    types = {n: meta for n, t in iface.types if (meta := _type_meta(resolve.types[t]))}
    if funcs:
        out["funcs"] = funcs
    if types:
        out["types"] = types
    return out


def _world_meta(resolve: m.Resolve, wid: m.WorldId) -> _JsonObj:
    world = resolve.worlds[wid]
    maps: dict[str, dict[str, object]] = {k: {} for k in _WORLD_META_MAPS}
    for side, items in ((_IMPORTS, world.imports), (_EXPORTS, world.exports)):
        for key, item in items:
            name = resolve.world_key_name(key)
            match item:
                case m.WorldInterface(id=iid, docs=docs, stability=st):
                    if resolve.interfaces[iid].name is None:
                        # An inline interface: its own metadata.
                        data = _interface_meta(resolve, iid)
                        if data:
                            maps[side.inline_interfaces][name] = data
                        continue
                    # A named interface: the import/export statement's own gate and docs.
                    stability = _stability_json(st)
                    if stability is not None:
                        maps[side.interface_stability][name] = stability
                    if docs.contents is not None:
                        maps[side.interface_docs][name] = docs.contents
                case m.WorldFunction(function=f):
                    data = _meta(f.docs, f.stability)
                    if data:
                        maps[side.funcs][name] = data
                case m.WorldType(id=tid):
                    data = _type_meta(resolve.types[tid])
                    if data:
                        maps[_WORLD_TYPES][name] = data
                case _:
                    assert_never(item)
    out = _meta(world.docs, world.stability)
    out.update((k, v) for k, v in maps.items() if v)
    return out


def encode(resolve: m.Resolve, package: m.PackageId) -> bytes:
    """The `package-docs` custom-section payload: a version byte, then compact JSON."""
    pkg = resolve.packages[package]
    out: _JsonObj = {}
    if pkg.docs.contents is not None:
        out["docs"] = pkg.docs.contents
    worlds = {n: meta for n, wid in pkg.worlds if (meta := _world_meta(resolve, wid))}
    interfaces = {n: meta for n, iid in pkg.interfaces if (meta := _interface_meta(resolve, iid))}
    if worlds:
        out["worlds"] = worlds
    if interfaces:
        out["interfaces"] = interfaces
    text = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
    return bytes([_VERSION]) + text.encode("utf-8")


# ---------------------------------------------------------------- the payload's schema
# wit-component reads the payload with serde, strictly: the structs refuse unknown fields
# (but a gate's), maps may not be null, a function's metadata is its docs or a struct, a
# gate is `"unknown"` or one of `unknown`, `unstable`, `stable`, versions must be semantic
# versions. `_check` refuses what it refuses, with serde's words (without its line and
# column: an error's offset is the section's).

_PACKAGE_FIELDS = ("docs", "worlds", "interfaces")
_WORLD_FIELDS = ("docs", "stability", *_WORLD_META_MAPS)
_INTERFACE_FIELDS = ("docs", "stability", "funcs", "types")
_TYPE_FIELDS = ("docs", "stability", "items")
_FUNCTION_FIELDS = ("docs", "stability")
_GATES = ("unknown", "unstable", "stable")


def _shown(value: object) -> str:
    """A JSON value as serde's "invalid type" names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{value}`"
    if isinstance(value, str):
        return f'string "{value}"'
    return "sequence" if isinstance(value, list) else "map"


def _fields(value: object, allowed: tuple[str, ...], expected: str, at: int) -> dict[str, object]:
    if not isinstance(value, dict):
        raise Malformed(f"invalid type: {_shown(value)}, expected {expected}", at)
    for key in value:
        if key not in allowed:
            known = ", ".join(f"`{k}`" for k in allowed)
            raise Malformed(f"unknown field `{key}`, expected one of {known}", at)
    return value


def _map(value: object, at: int) -> dict[str, object]:
    if not isinstance(value, dict):
        raise Malformed(f"invalid type: {_shown(value)}, expected a map", at)
    return value


def _text(value: object, at: int, optional: bool = True) -> None:
    if not isinstance(value, str) and not (optional and value is None):
        raise Malformed(f"invalid type: {_shown(value)}, expected a string", at)


def _version(value: object, at: int) -> None:
    from witgen.syntax.parse import semver_error

    _text(value, at, optional=False)
    problem = semver_error(str(value))
    if problem is not None:
        raise Malformed(problem, at)


def _check_gate(value: object, at: int) -> None:
    if value is None or value == "unknown":
        return
    gates = _map(value, at)
    if len(gates) != 1:
        raise Malformed("expected value", at)
    ((gate, body),) = gates.items()
    if gate not in _GATES:
        known = ", ".join(f"`{g}`" for g in _GATES)
        raise Malformed(f"unknown variant `{gate}`, expected one of {known}", at)
    if gate == "unknown":
        return
    body = _map(body, at)
    required = "since" if gate == "stable" else "feature"
    if required not in body:
        raise Malformed(f"missing field `{required}`", at)
    if gate == "stable":
        _version(body["since"], at)
    else:
        _text(body["feature"], at, optional=False)
    if body.get("deprecated") is not None:
        _version(body["deprecated"], at)


def _check_function(value: object, at: int) -> None:
    if isinstance(value, str):
        return
    if not isinstance(value, dict) or any(k not in _FUNCTION_FIELDS for k in value):
        raise Malformed("data did not match any variant of untagged enum FunctionMetadata", at)
    _text(value.get("docs"), at)
    _check_gate(value.get("stability"), at)


def _check_type(value: object, at: int) -> None:
    meta = _fields(value, _TYPE_FIELDS, "struct TypeMetadata", at)
    _text(meta.get("docs"), at)
    _check_gate(meta.get("stability"), at)
    for item in _map(meta.get("items", {}), at).values():
        _text(item, at, optional=False)


def _check_interface(value: object, at: int) -> None:
    meta = _fields(value, _INTERFACE_FIELDS, "struct InterfaceMetadata", at)
    _text(meta.get("docs"), at)
    _check_gate(meta.get("stability"), at)
    for func in _map(meta.get("funcs", {}), at).values():
        _check_function(func, at)
    for ty in _map(meta.get("types", {}), at).values():
        _check_type(ty, at)


def _check_world(value: object, at: int) -> None:
    meta = _fields(value, _WORLD_FIELDS, "struct WorldMetadata", at)
    _text(meta.get("docs"), at)
    _check_gate(meta.get("stability"), at)
    for side in (_IMPORTS, _EXPORTS):
        for iface in _map(meta.get(side.inline_interfaces, {}), at).values():
            _check_interface(iface, at)
        for func in _map(meta.get(side.funcs, {}), at).values():
            _check_function(func, at)
        for gate in _map(meta.get(side.interface_stability, {}), at).values():
            _check_gate(gate, at)
        for docs in _map(meta.get(side.interface_docs, {}), at).values():
            _text(docs, at, optional=False)
    for ty in _map(meta.get(_WORLD_TYPES, {}), at).values():
        _check_type(ty, at)


def _check(meta: object, at: int) -> None:
    """Refuse a payload wit-component's serde would refuse (see above)."""
    if isinstance(meta, list):
        return  # serde reads a struct from a sequence too; witgen applies nothing from one
    package = _fields(meta, _PACKAGE_FIELDS, "struct PackageMetadata", at)
    _text(package.get("docs"), at)
    for world in _map(package.get("worlds", {}), at).values():
        _check_world(world, at)
    for iface in _map(package.get("interfaces", {}), at).values():
        _check_interface(iface, at)


# ---------------------------------------------------------------- payload → model


def _docs(text: object) -> m.Docs:
    return m.Docs(contents=text) if isinstance(text, str) else m.NO_DOCS


def _stability(value: object) -> m.Stability:
    if not isinstance(value, dict):
        return m.UNKNOWN
    stable = value.get("stable")
    if isinstance(stable, dict) and isinstance(stable.get("since"), str):
        dep = stable.get("deprecated")
        return m.Stable(since=stable["since"], deprecated=dep if isinstance(dep, str) else None)
    unstable = value.get("unstable")
    if isinstance(unstable, dict) and isinstance(unstable.get("feature"), str):
        dep = unstable.get("deprecated")
        return m.Unstable(
            feature=unstable["feature"], deprecated=dep if isinstance(dep, str) else None
        )
    return m.UNKNOWN


def _dict(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def apply(
    conv: WitConverter, packages: list[Package], pkg: Package, data: bytes, offset: int
) -> None:
    """Add the docs and gates of a `package-docs` payload (at `offset`) to package `pkg`."""
    if not data or data[0] not in _READABLE_VERSIONS:
        raise Malformed("unsupported package-docs version", offset)
    try:
        meta = json.loads(data[1:].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Malformed("package-docs is not valid JSON", offset + 1) from None
    _check(meta, offset + 1)
    meta = _dict(meta)
    pkg.docs = _docs(meta.get("docs"))
    for name, wmeta in _dict(meta.get("worlds")).items():
        wid = pkg.worlds.get(name)
        if wid is None:
            raise Malformed(f'missing world "{name}"', offset + 1)
        _apply_world(conv, packages, conv.worlds[wid], _dict(wmeta), offset + 1)
    for name, imeta in _dict(meta.get("interfaces")).items():
        iid = pkg.interfaces.get(name)
        if iid is None:
            raise Malformed(f'missing interface "{name}"', offset + 1)
        _apply_interface(conv, conv.interfaces[iid], _dict(imeta), offset + 1)


def _apply_interface(
    conv: WitConverter, iface: Interface, meta: dict[str, object], at: int
) -> None:
    iface.docs = _docs(meta.get("docs"))
    iface.stability = _stability(meta.get("stability"))
    for name, fmeta in _dict(meta.get("funcs")).items():
        f = iface.functions.get(name)
        if f is None:
            raise Malformed(f'missing func "{name}"', at)
        iface.functions[name] = _apply_function(f, fmeta)
    for name, tmeta in _dict(meta.get("types")).items():
        tid = iface.types.get(name)
        if tid is None:
            raise Malformed(f'missing type "{name}"', at)
        _apply_type(conv, tid, _dict(tmeta), at)


def _apply_function(f: m.Function, meta: object) -> m.Function:
    """`meta` is the function's docs, or its docs and gate."""
    if isinstance(meta, str):
        return replace(f, docs=_docs(meta), stability=m.UNKNOWN)
    meta = _dict(meta)
    return replace(f, docs=_docs(meta.get("docs")), stability=_stability(meta.get("stability")))


def _apply_type(conv: WitConverter, tid: m.TypeId, meta: dict[str, object], at: int) -> None:
    td = conv.types[tid]
    items = _dict(meta.get("items"))
    kind = td.kind
    names: tuple[str, ...] = ()
    if isinstance(kind, m.Record):
        names = tuple(f.name for f in kind.fields)
        kind = m.Record(
            fields=tuple(
                m.Field(name=f.name, type=f.type, docs=_docs(items.get(f.name)))
                for f in kind.fields
            )
        )
    elif isinstance(kind, m.Flags):
        names = tuple(f.name for f in kind.flags)
        kind = m.Flags(
            flags=tuple(m.Flag(name=f.name, docs=_docs(items.get(f.name))) for f in kind.flags)
        )
    elif isinstance(kind, m.Variant):
        names = tuple(c.name for c in kind.cases)
        kind = m.Variant(
            cases=tuple(
                m.Case(name=c.name, type=c.type, docs=_docs(items.get(c.name))) for c in kind.cases
            )
        )
    elif isinstance(kind, m.Enum):
        names = tuple(c.name for c in kind.cases)
        kind = m.Enum(
            cases=tuple(m.EnumCase(name=c.name, docs=_docs(items.get(c.name))) for c in kind.cases)
        )
    if any(name not in names for name in items):
        raise Malformed("not all 'items' match type items", at)
    conv.types[tid] = replace(
        td,
        kind=kind,
        docs=_docs(meta.get("docs")),
        stability=_stability(meta.get("stability")),
    )


def _apply_world(
    conv: WitConverter,
    packages: list[Package],
    world: World,
    meta: dict[str, object],
    at: int,
) -> None:
    world.docs = _docs(meta.get("docs"))
    world.stability = _stability(meta.get("stability"))
    imports = _world_items(conv, packages, world.imports)
    exports = _world_items(conv, packages, world.exports)
    # As wit-component: the imports' maps may also name exports (an import of the name
    # comes first), the exports' maps only exports.
    for side, found in ((_IMPORTS, {**exports, **imports}), (_EXPORTS, exports)):
        for name, imeta in _dict(meta.get(side.inline_interfaces)).items():
            entry = found.get(name)
            if entry is None or not _is_interface(conv, entry[2], inline=True):
                raise Malformed(f'missing interface "{name}"', at)
            items, key, item = entry
            assert isinstance(item, m.WorldInterface)
            iface = conv.interfaces[item.id]
            _apply_interface(conv, iface, _dict(imeta), at)
            # An inline interface's gate is also the world item's gate.
            items[key] = replace(item, stability=iface.stability)
        for name, fmeta in _dict(meta.get(side.funcs)).items():
            entry = found.get(name)
            if entry is None or not isinstance(entry[2], m.WorldFunction):
                raise Malformed(f'missing func "{name}"', at)
            items, key, item = entry
            assert isinstance(item, m.WorldFunction)
            items[key] = m.WorldFunction(function=_apply_function(item.function, fmeta))
        gates = _dict(meta.get(side.interface_stability))
        docs = _dict(meta.get(side.interface_docs))
        for name in (*gates, *docs):
            entry = found.get(name)
            if entry is None or not _is_interface(conv, entry[2], inline=False):
                raise Malformed(f"missing interface `{name}`", at)
            items, key, item = entry
            items[key] = replace(
                item, docs=_docs(docs.get(name)), stability=_stability(gates.get(name))
            )
    for name, tmeta in _dict(meta.get(_WORLD_TYPES)).items():
        entry = imports.get(name)
        if entry is None or not isinstance(entry[2], m.WorldType):
            raise Malformed(f'missing type "{name}"', at)
        _apply_type(conv, entry[2].id, _dict(tmeta), at)


def _is_interface(conv: WitConverter, item: m.WorldItem, *, inline: bool) -> bool:
    """Whether `item` is an interface, inline (no name of its own) or named."""
    if not isinstance(item, m.WorldInterface):
        return False
    return (conv.interfaces[item.id].name is None) == inline


def _world_items(
    conv: WitConverter, packages: list[Package], items: dict[Any, m.WorldItem]
) -> dict[str, tuple[dict[Any, m.WorldItem], Any, m.WorldItem]]:
    """A world's imports or exports by the name their metadata uses (an interface's id for
    a named interface), each with its map and key there."""
    found: dict[str, tuple[dict[Any, m.WorldItem], Any, m.WorldItem]] = {}
    for key, item in items.items():
        name = key if isinstance(key, str) else _interface_id(conv, packages, key)
        found[name] = (items, key, item)
    return found


def _interface_id(conv: WitConverter, packages: list[Package], iid: m.InterfaceId) -> str:
    iface = conv.interfaces[iid]
    assert iface.package is not None
    name = packages[iface.package].name
    base = f"{name.unversioned}/{iface.name}"
    return f"{base}@{name.version}" if name.version else base
