"""The `package-docs` custom section: the docs and gates a WIT package binary carries.

The component types of a package have no place for docs or `@since`/`@unstable` gates, so
wit-component writes them as JSON in a custom section (its `PackageMetadata`).

Input and output: `encode` turns a package of a `model.Resolve` into the section's
payload (a version byte, then compact JSON, as wit-component writes it); `apply` reads a
payload back into the packages a `to_wit.WitConverter` is building.

Invariants: the JSON keys and their order are wit-component's; `encode` writes only
non-empty maps, so a package without docs gives `{}`; `apply` ignores keys that name
nothing it decoded, and raises `binary.Malformed` only for an unknown version or invalid
JSON. Both directions are pure apart from `apply` filling the converter in place.
"""

from __future__ import annotations

import json
from typing import TypeAlias, assert_never

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
    meta = _dict(meta)
    pkg.docs = _docs(meta.get("docs"))
    for name, wmeta in _dict(meta.get("worlds")).items():
        wid = pkg.worlds.get(name)
        if wid is not None:
            _apply_world(conv, packages, conv.worlds[wid], _dict(wmeta))
    for name, imeta in _dict(meta.get("interfaces")).items():
        iid = pkg.interfaces.get(name)
        if iid is not None:
            _apply_interface(conv, conv.interfaces[iid], _dict(imeta))


def _apply_interface(conv: WitConverter, iface: Interface, meta: dict[str, object]) -> None:
    iface.docs = _docs(meta.get("docs"))
    iface.stability = _stability(meta.get("stability"))
    for name, fmeta in _dict(meta.get("funcs")).items():
        f = iface.functions.get(name)
        if f is not None:
            iface.functions[name] = _apply_function(f, _dict(fmeta))
    for name, tmeta in _dict(meta.get("types")).items():
        tid = iface.types.get(name)
        if tid is not None:
            _apply_type(conv, tid, _dict(tmeta))


def _apply_function(f: m.Function, meta: dict[str, object]) -> m.Function:
    return replace(f, docs=_docs(meta.get("docs")), stability=_stability(meta.get("stability")))


def _apply_type(conv: WitConverter, tid: m.TypeId, meta: dict[str, object]) -> None:
    td = conv.types[tid]
    items = _dict(meta.get("items"))
    kind = td.kind
    if isinstance(kind, m.Record):
        kind = m.Record(
            fields=tuple(
                m.Field(name=f.name, type=f.type, docs=_docs(items.get(f.name)))
                for f in kind.fields
            )
        )
    elif isinstance(kind, m.Flags):
        kind = m.Flags(
            flags=tuple(m.Flag(name=f.name, docs=_docs(items.get(f.name))) for f in kind.flags)
        )
    elif isinstance(kind, m.Variant):
        kind = m.Variant(
            cases=tuple(
                m.Case(name=c.name, type=c.type, docs=_docs(items.get(c.name))) for c in kind.cases
            )
        )
    elif isinstance(kind, m.Enum):
        kind = m.Enum(
            cases=tuple(m.EnumCase(name=c.name, docs=_docs(items.get(c.name))) for c in kind.cases)
        )
    conv.types[tid] = replace(
        td,
        kind=kind,
        docs=_docs(meta.get("docs")),
        stability=_stability(meta.get("stability")),
    )


def _apply_world(
    conv: WitConverter, packages: list[Package], world: World, meta: dict[str, object]
) -> None:
    world.docs = _docs(meta.get("docs"))
    world.stability = _stability(meta.get("stability"))
    for side, items in ((_IMPORTS, world.imports), (_EXPORTS, world.exports)):
        inline = _dict(meta.get(side.inline_interfaces))
        funcs = _dict(meta.get(side.funcs))
        gates = _dict(meta.get(side.interface_stability))
        docs = _dict(meta.get(side.interface_docs))
        for key, item in list(items.items()):
            name = key if isinstance(key, str) else _interface_id(conv, packages, key)
            if isinstance(item, m.WorldInterface):
                if conv.interfaces[item.id].name is None:
                    if name in inline:
                        iface = conv.interfaces[item.id]
                        _apply_interface(conv, iface, _dict(inline[name]))
                        # An inline interface's gate is also the world item's gate.
                        items[key] = replace(item, stability=iface.stability)
                else:
                    items[key] = replace(
                        item, docs=_docs(docs.get(name)), stability=_stability(gates.get(name))
                    )
            elif isinstance(item, m.WorldFunction):
                if name in funcs:
                    items[key] = m.WorldFunction(
                        function=_apply_function(item.function, _dict(funcs[name]))
                    )
            elif side is _IMPORTS and name in _dict(meta.get(_WORLD_TYPES)):
                _apply_type(conv, item.id, _dict(_dict(meta.get(_WORLD_TYPES))[name]))


def _interface_id(conv: WitConverter, packages: list[Package], iid: m.InterfaceId) -> str:
    iface = conv.interfaces[iid]
    assert iface.package is not None
    name = packages[iface.package].name
    base = f"{name.unversioned}/{iface.name}"
    return f"{base}@{name.version}" if name.version else base
