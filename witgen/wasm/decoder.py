"""Decode `.wasm` files into a `Resolve`, as wit-component's decoder does.

Input: bytes. `decode` takes a WIT package binary (`wasm-tools component wit --wasm`
output, or a `component-type` payload: a package with one world): a component whose
exports are component types, one per interface or world, optionally with `package-docs`.
`decode_wasm` takes any `.wasm`: such a package; a component built by a toolchain, whose
whole binary is walked (nested components, instances, aliases, canonical functions),
typing every item so that its imports and exports become the world `root` of package
`root:component` (instantiating a nested component substitutes its arguments for the
types it imports, as wasmparser does, so re-exported resources keep their identity); or a
core module whose `component-type*` custom sections are decoded and merged into the world
`root` of package `root:root` (`merge.merge` and `merge.merge_worlds`).

Output: a `model.Resolve` whose main package is the decoded one, built as wit-component's
`WitPackageDecoder` builds it: dependency packages hold only the interfaces and types the
package uses, type ids are allocated in the order the binary mentions them, and docs and
gates come from the `package-docs` section. Spans are `Span.UNKNOWN`.

Invariants: every malformed input (truncated, overlong LEB128, a section past the end, an
unknown section id, an index out of range, an invalid name, a world missing an interface
its interfaces use) raises `WitError` (WIT200 from `decode`, WIT108 from `decode_wasm`)
whose message names the byte offset of the problem; no other exception escapes. Decoding
is pure and deterministic, and never copies the input per section (readers are views).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Literal, NoReturn, TypeAlias

from witgen import model as m
from witgen._record import replace
from witgen.text.diagnostics import WitError, error
from witgen.text.source import Span
from witgen.wasm import binary as w

_PRIMITIVES: dict[int, m.PrimitiveType] = {
    0x7F: "bool",
    0x7E: "s8",
    0x7D: "u8",
    0x7C: "s16",
    0x7B: "u16",
    0x7A: "s32",
    0x79: "u32",
    0x78: "s64",
    0x77: "u64",
    0x76: "f32",
    0x75: "f64",
    0x74: "char",
    0x73: "string",
    0x64: "error-context",
}
_MAX_DEPTH = 32


class _Malformed(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


# ---------------------------------------------------------------- the type graph
# Nodes are compared by identity, as wasmparser compares type ids.


class _Node:
    __slots__ = ()


_Val: TypeAlias = "m.PrimitiveType | _Node"


class _Defined(_Node):
    __slots__ = ("args", "offset", "tag")

    def __init__(self, tag: str, args: tuple[object, ...], offset: int) -> None:
        self.tag = tag
        self.args = args
        self.offset = offset


class _Resource(_Node):
    __slots__ = ()


class _Named(_Node):
    """The type introduced by `(export/import "n" (type (eq i)))`: an alias of `referenced`."""

    __slots__ = ("referenced",)

    def __init__(self, referenced: _Node) -> None:
        self.referenced = referenced


class _Func(_Node):
    __slots__ = ("is_async", "params", "result")

    def __init__(self, params: list[tuple[str, _Val]], result: _Val | None, is_async: bool):
        self.params = params
        self.result = result
        self.is_async = is_async


@dataclass(eq=False)
class _Extern:
    name: str
    implements: str | None
    external_id: str | None
    sort: Literal["func", "type", "instance", "component"]
    # func: _Func; type: the created node; instance: _Instance; component: _ComponentT
    node: object
    # For types: the referenced node (== node for resources).
    referenced: _Node | None = None


@dataclass(eq=False)
class _Instance(_Node):
    exports: list[_Extern] = field(default_factory=list)

    def export(self, name: str) -> _Extern | None:
        return next((e for e in self.exports if e.name == name), None)


@dataclass(eq=False)
class _ComponentT(_Node):
    imports: list[_Extern] = field(default_factory=list)
    exports: list[_Extern] = field(default_factory=list)


# ---------------------------------------------------------------- binary reader


class _UniqueNames:
    """wasmparser's uniqueness rule for the imports, and separately the exports, of one
    component or type: names may not differ only in case (an interface name's version
    excepted, which must differ exactly)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], str] = {}

    def add(self, r: _Reader, kind: str, ext: _Extern, offset: int) -> _Extern:
        self.check(r, kind, ext.name, offset)
        return ext

    def check(self, r: _Reader, kind: str, name: str, offset: int) -> None:
        base, at, version = name.partition("@")
        key = (kind, base.lower() + at + version)
        previous = self.seen.get(key)
        if previous is not None:
            r.fail(f"{kind} name `{name}` conflicts with previous name `{previous}`", offset)
        self.seen[key] = name


class _Reader:
    def __init__(self, data: bytes, pos: int, end: int) -> None:
        # Cut at `end` (a view, not a copy), so reads cannot run past the section; offsets
        # stay absolute.
        self.data = memoryview(data)[:end]
        self.pos = pos
        self.end = end

    def fail(self, message: str, offset: int | None = None) -> NoReturn:
        raise _Malformed(message, self.pos if offset is None else offset)

    def byte(self) -> int:
        if self.pos >= self.end:
            self.fail("unexpected end of data")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def u32(self) -> int:
        try:
            value, pos = w.read_uleb128(self.data, self.pos)
        except ValueError as e:
            self.fail(str(e).split(" at offset")[0])
        self.pos = pos
        return value

    def s33(self) -> int:
        try:
            value, pos = w.read_sleb128(self.data, self.pos, 33)
        except ValueError as e:
            self.fail(str(e).split(" at offset")[0])
        self.pos = pos
        return value

    def name(self) -> str:
        try:
            value, pos = w.read_name(self.data, self.pos)
        except ValueError as e:
            self.fail(str(e).split(" at offset")[0])
        self.pos = pos
        return value

    def count(self) -> int:
        start = self.pos
        n = self.u32()
        if n > self.end - self.pos:
            self.fail(f"vector of {n} items is longer than the data", start)
        return n


@dataclass(eq=False)
class _Scope:
    types: list[_Node] = field(default_factory=list)
    instances: list[_Instance] = field(default_factory=list)
    components: list[_ComponentT] = field(default_factory=list)
    funcs: list[_Func] = field(default_factory=list)


class _Parser:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.scopes: list[_Scope] = []
        self.type_start: int | None = None  # the top-level type being read, if any

    def type_at(self, r: _Reader, index: int, offset: int) -> _Node:
        types = self.scopes[-1].types
        if index >= len(types):
            r.fail(f"type index {index} out of bounds", offset)
        return types[index]

    def valtype(self, r: _Reader) -> _Val:
        offset = r.pos
        if r.pos < r.end and r.data[r.pos] in _PRIMITIVES and r.data[r.pos] & 0x40:
            return _PRIMITIVES[r.byte()]
        index = r.s33()
        if index < 0:
            r.fail("invalid value type", offset)
        node = self.type_at(r, index, offset)
        if not isinstance(node, _Defined | _Named) or not _is_value(node):
            r.fail(f"type index {index} is not a value type", offset)
        return node

    def opt_valtype(self, r: _Reader) -> _Val | None:
        flag = r.byte()
        if flag == 0:
            return None
        if flag != 1:
            r.fail("invalid optional value type", r.pos - 1)
        return self.valtype(r)

    def opt_flag(self, r: _Reader) -> bool:
        flag = r.byte()
        if flag > 1:
            r.fail(f"invalid flag 0x{flag:02x}", r.pos - 1)
        return flag == 1

    def resource_ref(self, r: _Reader) -> _Node:
        offset = r.pos
        node = self.type_at(r, r.u32(), offset)
        if not isinstance(_peel(node), _Resource):
            r.fail("handle to a type that is not a resource", offset)
        return node

    def deftype(self, r: _Reader, depth: int) -> _Node:
        offset = r.pos
        tag = r.byte()
        if tag in _PRIMITIVES:
            return _Defined("primitive", (_PRIMITIVES[tag],), offset)
        if tag == 0x72:
            fields = [(r.name(), self.valtype(r)) for _ in range(r.count())]
            return _Defined("record", (fields,), offset)
        if tag == 0x71:
            cases = []
            for _ in range(r.count()):
                label = r.name()
                ty = self.opt_valtype(r)
                if r.byte() != 0:
                    r.fail("invalid variant case refinement", r.pos - 1)
                cases.append((label, ty))
            return _Defined("variant", (cases,), offset)
        if tag == 0x70:
            return _Defined("list", (self.valtype(r),), offset)
        if tag == 0x67:
            return _Defined("fixed-list", (self.valtype(r), r.u32()), offset)
        if tag == 0x6F:
            return _Defined("tuple", ([self.valtype(r) for _ in range(r.count())],), offset)
        if tag in (0x6E, 0x6D):
            labels = [r.name() for _ in range(r.count())]
            return _Defined("flags" if tag == 0x6E else "enum", (labels,), offset)
        if tag == 0x6B:
            return _Defined("option", (self.valtype(r),), offset)
        if tag == 0x6A:
            return _Defined("result", (self.opt_valtype(r), self.opt_valtype(r)), offset)
        if tag in (0x69, 0x68):
            return _Defined("own" if tag == 0x69 else "borrow", (self.resource_ref(r),), offset)
        if tag in (0x66, 0x65):
            return _Defined("stream" if tag == 0x66 else "future", (self.opt_valtype(r),), offset)
        if tag == 0x63:
            return _Defined("map", (self.valtype(r), self.valtype(r)), offset)
        if tag in (0x40, 0x43):
            params = [(r.name(), self.valtype(r)) for _ in range(r.count())]
            kind = r.byte()
            if kind == 0:
                result: _Val | None = self.valtype(r)
            elif kind == 1 and r.byte() == 0:
                result = None
            else:
                r.fail("invalid function result", r.pos - 1)
            return _Func(params, result, tag == 0x43)
        if tag == 0x3F:
            # A resource defined by a concrete component: `(resource (rep i32) (dtor f)?)`.
            if r.byte() != 0x7F:
                r.fail("invalid resource representation", r.pos - 1)
            if self.opt_flag(r):
                r.u32()
            return _Resource()
        if tag in (0x41, 0x42):
            if depth >= _MAX_DEPTH:
                r.fail("component types nested too deeply", offset)
            return self.decls(r, component=tag == 0x41, depth=depth + 1)
        r.fail(f"unsupported type form 0x{tag:02x}", offset)

    def extern_name(self, r: _Reader) -> tuple[str, str | None, str | None]:
        offset = r.pos
        kind = r.byte()
        if kind in (0, 1):
            text = r.name()
            if not _valid_name(text):
                r.fail(f"`{text}` is not a valid extern name", offset)
            self.check_package_case(r, text, offset)
            return text, None, None
        if kind != 2:
            r.fail(f"invalid name kind 0x{kind:02x}", offset)
        text = r.name()
        implements = external_id = suffix = None
        for _ in range(r.count()):
            attr_offset = r.pos
            attr = r.byte()
            if attr == 0 and implements is None:
                implements = r.name()
            elif attr == 1 and suffix is None:
                # `versionsuffix`: the canonical version's elided remainder (`@1` + `.2.0`).
                suffix = r.name()
            elif attr == 2 and external_id is None:
                external_id = r.name()
            else:
                r.fail(f"unsupported or repeated name attribute 0x{attr:02x}", attr_offset)
        # The version suffix completes the versioned interface name: the extern name
        # itself, or else the interface it `implements`.
        if suffix is not None and "@" in text:
            text += suffix
        elif suffix is not None and implements is not None and "@" in implements:
            implements += suffix
        if not _valid_name(text) or (implements is not None and not _valid_name(implements)):
            r.fail(f"`{text}` is not a valid extern name", offset)
        self.check_package_case(r, text, offset)
        return text, implements, external_id

    def check_package_case(self, r: _Reader, name: str, offset: int) -> None:
        """wasmparser's rule beyond the syntax: the namespace and package of an interface
        name are lower-case (WIT accepts `X:y`; its binary form does not)."""
        if ":" not in name or name.startswith(_URL_PREFIXES):
            return
        package = name.partition("/")[0]
        upper = next((c for c in package if c.isupper()), None)
        if upper is not None:
            message = f"`{name}` is not a valid extern name: character `{upper}` is not lowercase"
            r.fail(f"{message} in package name/namespace", self.at(offset))

    def at(self, offset: int) -> int:
        """Where a name error is reported: inside a type, at the type's start."""
        return offset if self.type_start is None else self.type_start

    def extern(self, r: _Reader) -> _Extern:
        name, implements, external_id = self.extern_name(r)
        return self.extern_type(r, name, implements, external_id)

    def extern_type(
        self, r: _Reader, name: str, implements: str | None, external_id: str | None
    ) -> _Extern:
        """An `externtype`; the item it introduces joins its index space."""
        offset = r.pos
        sort = r.byte()
        scope = self.scopes[-1]
        if sort == 0x01:
            node = self.type_at(r, r.u32(), offset)
            if not isinstance(node, _Func):
                r.fail("func import/export of a type that is not a function", offset)
            scope.funcs.append(node)
            return _Extern(name, implements, external_id, "func", node)
        if sort == 0x03:
            bound = r.byte()
            if bound == 0:
                referenced = self.type_at(r, r.u32(), offset)
                if not _is_value(referenced) and not isinstance(_peel(referenced), _Resource):
                    r.fail("type export of a type that is not a value type or resource", offset)
                created: _Node = _Named(referenced)
            elif bound == 1:
                referenced = created = _Resource()
            else:
                r.fail(f"invalid type bound 0x{bound:02x}", r.pos - 1)
            scope.types.append(created)
            return _Extern(name, implements, external_id, "type", created, referenced)
        if sort == 0x05:
            node = self.type_at(r, r.u32(), offset)
            if not isinstance(node, _Instance):
                r.fail("instance import/export of a type that is not an instance type", offset)
            scope.instances.append(node)
            return _Extern(name, implements, external_id, "instance", node)
        if sort == 0x04:
            node = self.type_at(r, r.u32(), offset)
            if not isinstance(node, _ComponentT):
                r.fail("component import/export of a type that is not a component type", offset)
            scope.components.append(node)
            return _Extern(name, implements, external_id, "component", node)
        r.fail(f"unsupported extern kind 0x{sort:02x}", offset)

    def sort(self, r: _Reader) -> str:
        """A `sort` by name; `core` for every core sort (read and dropped)."""
        offset = r.pos
        sort = r.byte()
        if sort == 0x00:
            core = r.byte()
            if core not in (0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12):
                r.fail(f"invalid core sort 0x{core:02x}", r.pos - 1)
            return "core"
        names = {0x01: "func", 0x02: "value", 0x03: "type", 0x04: "component", 0x05: "instance"}
        if sort not in names:
            r.fail(f"invalid sort 0x{sort:02x}", offset)
        return names[sort]

    def item(self, r: _Reader, sort: str, index: int, offset: int) -> object:
        """The type of item `index` of a component-level index space (None for core/values)."""
        scope = self.scopes[-1]
        spaces: dict[str, list[_Node] | list[_Func] | list[_Instance] | list[_ComponentT]] = {
            "func": scope.funcs,
            "type": scope.types,
            "instance": scope.instances,
            "component": scope.components,
        }
        space = spaces.get(sort)
        if space is None:
            return None
        if index >= len(space):
            r.fail(f"{sort} index {index} out of bounds", offset)
        return space[index]

    def push(self, sort: str, node: object) -> None:
        scope = self.scopes[-1]
        if sort == "func" and isinstance(node, _Func):
            scope.funcs.append(node)
        elif sort == "type" and isinstance(node, _Node):
            scope.types.append(node)
        elif sort == "instance" and isinstance(node, _Instance):
            scope.instances.append(node)
        elif sort == "component" and isinstance(node, _ComponentT):
            scope.components.append(node)

    def alias(self, r: _Reader) -> None:
        offset = r.pos
        sort = self.sort(r)
        kind = r.byte()
        scope = self.scopes[-1]
        if kind == 0x00:
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
        elif kind == 0x01:
            r.u32()
            r.name()
            if sort != "core":
                r.fail("core export alias of a component item", offset)
        elif kind == 0x02:
            count = r.u32()
            index = r.u32()
            if count >= len(self.scopes):
                r.fail(f"outer alias count {count} out of bounds", offset)
            outer = self.scopes[-1 - count]
            space: list[_Node] | list[_ComponentT]
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

    def decls(self, r: _Reader, *, component: bool, depth: int) -> _Node:
        self.scopes.append(_Scope())
        out: _Instance | _ComponentT = _ComponentT() if component else _Instance()
        names = _UniqueNames()
        for _ in range(r.count()):
            offset = r.pos
            tag = r.byte()
            if tag == 0x01:
                self.scopes[-1].types.append(self.deftype(r, depth))
            elif tag == 0x02:
                self.alias(r)
            elif tag == 0x04:
                out.exports.append(names.add(r, "export", self.extern(r), self.at(offset + 1)))
            elif tag == 0x03 and isinstance(out, _ComponentT):
                out.imports.append(names.add(r, "import", self.extern(r), self.at(offset + 1)))
            else:
                r.fail(f"unsupported declarator 0x{tag:02x}", offset)
        self.scopes.pop()
        return out


def _peel(node: _Node) -> _Node:
    while isinstance(node, _Named):
        node = node.referenced
    return node


def _is_value(node: _Node) -> bool:
    return isinstance(_peel(node), _Defined)


# ---------------------------------------------------------------- concrete components
# A component built by a toolchain: its type is that of its imports and exports, which
# may come from instantiating nested components (wit-component's shims). Instantiation
# substitutes the arguments for the imported resources, as wasmparser's validator does.

# Section ids skipped whole: core module, core instance, core type, start, value.
_SKIPPED_SECTIONS = (1, 2, 3, 9, 12)
# Canon opcodes (Binary.md) by operand layout, after the opcode.
_CANON_NONE = {0x05, 0x0D, 0x1E, 0x1F, 0x22, 0x23, 0x24, 0x25, 0x26, 0x28}
_CANON_IDX = {0x02, 0x03, 0x04, 0x0E, 0x13, 0x14, 0x15, 0x1A, 0x1B}
_CANON_IDX_OPTS = {0x0F, 0x10, 0x16, 0x17}
_CANON_IDX_FLAG = {0x11, 0x12, 0x18, 0x19}
_CANON_FLAG = {0x06, 0x0C, 0x29, 0x2A, 0x2B, 0x2C, 0x2D}


def _subst(node: object, mapping: dict[int, object], memo: dict[int, object]) -> object:
    """`node` with every node in `mapping` replaced; unchanged parts keep their identity."""
    key = id(node)
    if key in mapping:
        return mapping[key]
    if key in memo:
        return memo[key]
    out: object = node
    if isinstance(node, list | tuple):
        items = [_subst(x, mapping, memo) for x in node]
        if any(a is not b for a, b in zip(items, node, strict=True)):
            out = items if isinstance(node, list) else tuple(items)
    elif isinstance(node, _Named):
        ref = _subst(node.referenced, mapping, memo)
        if ref is not node.referenced:
            assert isinstance(ref, _Node)
            out = _Named(ref)
    elif isinstance(node, _Defined):
        args = _subst(node.args, mapping, memo)
        if args is not node.args:
            assert isinstance(args, tuple)
            out = _Defined(node.tag, args, node.offset)
    elif isinstance(node, _Func):
        params = _subst(node.params, mapping, memo)
        result = _subst(node.result, mapping, memo)
        if params is not node.params or result is not node.result:
            out = _Func(params, result, node.is_async)  # type: ignore[arg-type]
    elif isinstance(node, _Instance):
        exports = [_subst_extern(e, mapping, memo) for e in node.exports]
        if any(a is not b for a, b in zip(exports, node.exports, strict=True)):
            out = _Instance(exports)
    memo[key] = out
    return out


def _subst_extern(ext: _Extern, mapping: dict[int, object], memo: dict[int, object]) -> _Extern:
    node = _subst(ext.node, mapping, memo)
    ref = None if ext.referenced is None else _subst(ext.referenced, mapping, memo)
    if node is ext.node and ref is ext.referenced:
        return ext
    assert ref is None or isinstance(ref, _Node)
    return replace(ext, node=node, referenced=ref)


def _bind(imported: _Extern, arg: object, mapping: dict[int, object]) -> None:
    """Map the types an import introduces to those of the argument given for it.

    Both abstract resources and `eq` types are replaced (as wasmparser's `Remapping`
    does), so an exported type that re-exports an imported one stays that same type.
    """
    if imported.sort == "type" and isinstance(imported.node, _Node):
        mapping[id(imported.node)] = arg
    elif imported.sort == "instance" and isinstance(imported.node, _Instance):
        for ext in imported.node.exports:
            found = arg.export(ext.name) if isinstance(arg, _Instance) else None
            if found is not None:
                _bind(ext, found.node, mapping)


class _ComponentParser(_Parser):
    """Walks a whole component (nested ones too), typing each item of its index spaces."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.package_docs: tuple[bytes, int] | None = None
        # Top-level imports and exports in binary order: (is_export, extern).
        self.externs: list[tuple[bool, _Extern]] = []

    def component(self, start: int, end: int, depth: int) -> _ComponentT:
        data = self.data
        if data[start : start + 8] != w.COMPONENT_PREAMBLE:
            raise _Malformed("nested component has a bad preamble", start)
        self.scopes.append(_Scope())
        out = _ComponentT()
        names = _UniqueNames()
        pos = start + 8
        while pos < end:
            section = pos
            section_id = data[pos]
            r = _Reader(data, pos + 1, end)
            size = r.u32()
            body_end = r.pos + size
            if body_end > end:
                raise _Malformed("section runs past the end of the data", section)
            r = _Reader(data, r.pos, body_end)
            if section_id == w.SECTION_CUSTOM:
                name = r.name()
                if depth == 0 and name == "package-docs":
                    self.package_docs = (data[r.pos : body_end], r.pos)
                r.pos = body_end
            elif section_id in _SKIPPED_SECTIONS:
                r.pos = body_end
            elif section_id == 4:
                if depth >= _MAX_DEPTH:
                    r.fail("components nested too deeply", section)
                self.scopes[-1].components.append(self.component(r.pos, body_end, depth + 1))
                r.pos = body_end
            elif section_id == 5:
                for _ in range(r.count()):
                    self.scopes[-1].instances.append(self.instance(r))
            elif section_id == 6:
                for _ in range(r.count()):
                    self.alias(r)
            elif section_id == w.SECTION_COMPONENT_TYPE:
                for _ in range(r.count()):
                    # wasmparser checks a type as a whole: its name errors carry its offset.
                    self.type_start = r.pos
                    self.scopes[-1].types.append(self.deftype(r, depth))
                    self.type_start = None
            elif section_id == 8:
                for _ in range(r.count()):
                    self.canon(r)
            elif section_id == 10:
                for _ in range(r.count()):
                    offset = r.pos
                    ext = names.add(r, "import", self.extern(r), offset)
                    out.imports.append(ext)
                    if depth == 0:
                        self.externs.append((False, ext))
            elif section_id == w.SECTION_COMPONENT_EXPORT:
                for _ in range(r.count()):
                    offset = r.pos
                    ext = names.add(r, "export", self.export(r), offset)
                    out.exports.append(ext)
                    if depth == 0:
                        self.externs.append((True, ext))
            else:
                raise _Malformed(f"unknown section id {section_id}", section)
            if r.pos != body_end:
                raise _Malformed("trailing bytes at the end of a section", r.pos)
            pos = body_end
        self.scopes.pop()
        return out

    def instance(self, r: _Reader) -> _Instance:
        offset = r.pos
        kind = r.byte()
        if kind == 0x00:
            index = r.u32()
            comp = self.item(r, "component", index, offset)
            assert isinstance(comp, _ComponentT)
            args: dict[str, object] = {}
            for _ in range(r.count()):
                name = r.name()
                arg_offset = r.pos
                sort = self.sort(r)
                args[name] = self.item(r, sort, r.u32(), arg_offset)
            mapping: dict[int, object] = {}
            for imp in comp.imports:
                if imp.name in args:
                    _bind(imp, args[imp.name], mapping)
            inst = _subst(_Instance(list(comp.exports)), mapping, {})
            assert isinstance(inst, _Instance)
            return inst
        if kind == 0x01:
            inst = _Instance()
            for _ in range(r.count()):
                name, implements, external_id = self.extern_name(r)
                item_offset = r.pos
                sort = self.sort(r)
                node = self.item(r, sort, r.u32(), item_offset)
                if sort in ("func", "type", "instance", "component"):
                    ref = node if sort == "type" else None
                    if isinstance(node, _Node) and sort == "type":
                        node = _Named(node)
                    inst.exports.append(
                        _Extern(name, implements, external_id, sort, node, ref)  # type: ignore[arg-type]
                    )
            return inst
        r.fail(f"invalid instance expression 0x{kind:02x}", offset)

    def opts(self, r: _Reader) -> None:
        for _ in range(r.count()):
            opt = r.byte()
            if opt in (0x03, 0x04, 0x05, 0x07):
                r.u32()
            elif opt > 0x07:
                r.fail(f"invalid canonical option 0x{opt:02x}", r.pos - 1)

    def canon(self, r: _Reader) -> None:
        offset = r.pos
        op = r.byte()
        if op in (0x00, 0x01):
            if r.byte() != 0x00:
                r.fail("invalid canonical function", r.pos - 1)
            r.u32()
            self.opts(r)
            if op == 0x00:
                type_offset = r.pos
                node = self.item(r, "type", r.u32(), type_offset)
                if not isinstance(node, _Func):
                    r.fail("lifted function type is not a function type", type_offset)
                self.scopes[-1].funcs.append(node)
        elif op in _CANON_NONE:
            pass
        elif op in _CANON_IDX:
            r.u32()
        elif op in _CANON_IDX_OPTS:
            r.u32()
            self.opts(r)
        elif op in _CANON_IDX_FLAG:
            r.u32()
            self.opt_flag(r)
        elif op in _CANON_FLAG:
            self.opt_flag(r)
        elif op == 0x09:
            if r.byte() == 0x00:
                self.valtype(r)
            elif r.byte() != 0x00:
                r.fail("invalid result list", r.pos - 1)
            self.opts(r)
        elif op in (0x0A, 0x0B):
            r.byte()
            r.u32()
        elif op in (0x20, 0x21):
            self.opt_flag(r)
            r.u32()
        elif op == 0x27:
            r.u32()
            r.u32()
        elif op in (0x40, 0x41, 0x42):
            self.opt_flag(r)
            if op != 0x42:
                r.u32()
            if op == 0x41:
                r.u32()
        else:
            r.fail(f"unsupported canonical function 0x{op:02x}", offset)

    def export(self, r: _Reader) -> _Extern:
        name, implements, external_id = self.extern_name(r)
        offset = r.pos
        sort = self.sort(r)
        node = self.item(r, sort, r.u32(), offset)
        if self.opt_flag(r):
            return self.extern_type(r, name, implements, external_id)
        if sort not in ("func", "type", "instance", "component"):
            r.fail(f"unsupported export of a {sort}", offset)
        ref: _Node | None = None
        if sort == "type":
            assert isinstance(node, _Node)
            ref = node
            node = _Named(node)
        self.push(sort, node)
        return _Extern(name, implements, external_id, sort, node, ref)  # type: ignore[arg-type]


@dataclass(eq=False)
class _Parsed:
    # (export name, its component type) for every top-level type export, in order.
    exports: list[tuple[str, _ComponentT, int]]
    package_docs: tuple[bytes, int] | None


def _parse(data: bytes) -> _Parsed:
    if len(data) < 8 or data[:4] != b"\x00asm":
        raise _Malformed("not a WebAssembly binary (bad magic)", 0)
    if data[:8] != w.COMPONENT_PREAMBLE:
        raise _Malformed("not a component (unsupported version or layer)", 4)
    parser = _Parser(data)
    top = _Scope()
    parser.scopes.append(top)
    exports: list[tuple[str, _ComponentT, int]] = []
    names = _UniqueNames()
    docs: tuple[bytes, int] | None = None
    pos = 8
    while pos < len(data):
        start = pos
        section_id = data[pos]
        try:
            size, body = w.read_uleb128(data, pos + 1)
        except ValueError as e:
            raise _Malformed(str(e).split(" at offset")[0], pos + 1) from None
        end = body + size
        if end > len(data):
            raise _Malformed("section runs past the end of the data", start)
        r = _Reader(data, body, end)
        if section_id == w.SECTION_CUSTOM:
            name = r.name()
            if name == "package-docs":
                docs = (data[r.pos : end], r.pos)
        elif section_id == w.SECTION_COMPONENT_TYPE:
            for _ in range(r.count()):
                parser.type_start = r.pos
                top.types.append(parser.deftype(r, 0))
                parser.type_start = None
        elif section_id == w.SECTION_COMPONENT_EXPORT:
            for _ in range(r.count()):
                offset = r.pos
                name, _, _ = parser.extern_name(r)
                names.check(r, "export", name, offset)
                if r.byte() != 0x03:
                    r.fail("only type exports are supported in a WIT package", offset)
                index = r.u32()
                node = parser.type_at(r, index, offset)
                if r.byte() != 0:
                    r.fail("type ascriptions are not supported in a WIT package", r.pos - 1)
                if not isinstance(node, _ComponentT):
                    r.fail(f"export `{name}` is not a component type", offset)
                top.types.append(node)
                exports.append((name, node, offset))
        else:
            raise _Malformed(f"unexpected section id {section_id} in a WIT package", start)
        if section_id != w.SECTION_CUSTOM and r.pos != end:
            raise _Malformed("trailing bytes at the end of a section", r.pos)
        pos = end
    return _Parsed(exports, docs)


# ---------------------------------------------------------------- mutable model under construction


@dataclass(eq=False)
class _Iface:
    name: str | None
    types: dict[str, m.TypeId] = field(default_factory=dict)
    functions: dict[str, m.Function] = field(default_factory=dict)
    package: m.PackageId | None = None
    docs: m.Docs = m.NO_DOCS
    stability: m.Stability = m.UNKNOWN


@dataclass(eq=False)
class _World:
    name: str
    imports: dict[m.WorldKey, m.WorldItem] = field(default_factory=dict)
    exports: dict[m.WorldKey, m.WorldItem] = field(default_factory=dict)
    package: m.PackageId | None = None
    docs: m.Docs = m.NO_DOCS
    stability: m.Stability = m.UNKNOWN


@dataclass(eq=False)
class _Package:
    name: m.PackageName
    interfaces: dict[str, m.InterfaceId] = field(default_factory=dict)
    worlds: dict[str, m.WorldId] = field(default_factory=dict)
    docs: m.Docs = m.NO_DOCS


# A kebab-case label (each word all lowercase or all uppercase, starting with a letter) and
# a semantic version, as wasmparser validates component names.
_LABEL = re.compile(r"(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:-(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*))*")
_SEMVER = re.compile(
    r"(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)


_FUNC_PREFIX = re.compile(
    r"\[(?:async )?(?:method|static)\](.+)\.(.+)|\[(?:constructor|async)\](.+)"
)
_URL_PREFIXES = ("url=", "relative-url=", "integrity=", "locked-dep=", "unlocked-dep=", "hash=")


def _valid_name(name: str) -> bool:
    """Whether `name` is a valid component extern name (wasmparser's `ComponentName`)."""
    if name.startswith(_URL_PREFIXES):
        return True
    if ":" in name:
        base, at, version = name.partition("@")
        pkg, slash, path = base.partition("/")
        ns, colon, pkg_name = pkg.partition(":")
        parts = (ns, pkg_name, *path.split("/"))
        valid_version = not at or _SEMVER.fullmatch(version) is not None
        return bool(slash and colon) and all(_LABEL.fullmatch(x) for x in parts) and valid_version
    match = _FUNC_PREFIX.fullmatch(name)
    if match is not None:
        return all(_LABEL.fullmatch(g) for g in match.groups() if g is not None)
    return _LABEL.fullmatch(name) is not None


def _split_id(name: str, offset: int) -> tuple[m.PackageName, str]:
    """`ns:pkg/item@ver` → (package name, item)."""
    base, at, version = name.partition("@")
    pkg, slash, item = base.rpartition("/")
    ns, colon, pkg_name = pkg.partition(":")
    labels = (ns, pkg_name, item)
    if not slash or not colon or not all(_LABEL.fullmatch(x) for x in labels):
        raise _Malformed(f"`{name}` is not a valid interface or world id", offset)
    if at and not _SEMVER.fullmatch(version):
        raise _Malformed(f"`{name}` has an invalid version", offset)
    return m.PackageName(namespace=ns, name=pkg_name, version=version or None), item


class _Decoder:
    def __init__(self) -> None:
        self.types: list[m.TypeDef] = []
        self.interfaces: list[_Iface] = []
        self.worlds: list[_World] = []
        self.foreign: dict[str, _Package] = {}
        self.iface_package: dict[m.InterfaceId, str] = {}
        self.named_interfaces: dict[str, m.InterfaceId] = {}
        self.resources: dict[m.TypeOwner, dict[str, m.TypeId]] = {}
        self.type_map: dict[int, m.TypeId] = {}
        self.offset = 0

    # ---- types

    def _alloc(self, td: m.TypeDef) -> m.TypeId:
        self.types.append(td)
        return m.TypeId(len(self.types) - 1)

    def find_alias(self, node: _Node) -> m.TypeId | None:
        cur: _Node | None = node
        while cur is not None:
            found = self.type_map.get(id(cur))
            if found is not None:
                return found
            cur = cur.referenced if isinstance(cur, _Named) else None
        return None

    def valtype(self, v: _Val) -> m.Type:
        if isinstance(v, str):
            return v
        known = self.type_map.get(id(v))
        if known is not None:
            return known
        node = _peel(v)
        if node is not v:
            found = self.find_alias(v)
            if found is not None:
                return found
        assert isinstance(node, _Defined)
        kind = self.defined(node)
        if isinstance(kind, m.Record | m.Variant | m.Enum | m.Flags | m.Resource):
            raise _Malformed("unexpected unnamed record, variant, enum or flags", node.offset)
        tid = self._alloc(m.TypeDef(name=None, kind=kind, owner=None))
        self.type_map[id(v)] = tid
        return tid

    def _opt(self, v: object) -> m.Type | None:
        return None if v is None else self.valtype(v)  # type: ignore[arg-type]

    def defined(self, node: _Defined) -> m.TypeDefKind:
        a = node.args
        tag = node.tag
        if tag == "primitive":
            return m.Alias(type=a[0])  # type: ignore[arg-type]
        if tag == "record":
            fields = [m.Field(name=n, type=self.valtype(t)) for n, t in a[0]]  # type: ignore[attr-defined]
            return m.Record(fields=tuple(fields))
        if tag == "variant":
            cases = [m.Case(name=n, type=self._opt(t)) for n, t in a[0]]  # type: ignore[attr-defined]
            return m.Variant(cases=tuple(cases))
        if tag == "list":
            return m.ListKind(type=self.valtype(a[0]))  # type: ignore[arg-type]
        if tag == "fixed-list":
            return m.FixedList(type=self.valtype(a[0]), size=a[1])  # type: ignore[arg-type]
        if tag == "tuple":
            return m.TupleKind(types=tuple(self.valtype(t) for t in a[0]))  # type: ignore[attr-defined]
        if tag == "flags":
            return m.Flags(flags=tuple(m.Flag(name=n) for n in a[0]))  # type: ignore[attr-defined]
        if tag == "enum":
            return m.Enum(cases=tuple(m.EnumCase(name=n) for n in a[0]))  # type: ignore[attr-defined]
        if tag == "option":
            return m.OptionKind(type=self.valtype(a[0]))  # type: ignore[arg-type]
        if tag == "result":
            return m.ResultKind(ok=self._opt(a[0]), err=self._opt(a[1]))
        if tag in ("own", "borrow"):
            res = self.find_alias(a[0])  # type: ignore[arg-type]
            if res is None:
                raise _Malformed("handle to an unknown resource", node.offset)
            return m.Handle(kind="own" if tag == "own" else "borrow", resource=res)
        if tag == "future":
            return m.Future(type=self._opt(a[0]))
        if tag == "stream":
            return m.Stream(type=self._opt(a[0]))
        if tag == "map":
            return m.MapKind(key=self.valtype(a[0]), value=self.valtype(a[1]))  # type: ignore[arg-type]
        raise _Malformed(f"unexpected type {tag}", node.offset)

    def type_export(self, ext: _Extern, owner: m.TypeOwner) -> m.TypeId:
        assert ext.referenced is not None and isinstance(ext.node, _Node)
        prev = self.find_alias(ext.referenced)
        kind: m.TypeDefKind
        if prev is not None:
            kind = m.Alias(type=prev)
        else:
            target = _peel(ext.referenced)
            if isinstance(target, _Resource):
                kind = m.Resource()
            else:
                assert isinstance(target, _Defined)
                kind = self.defined(target)
        tid = self._alloc(
            m.TypeDef(name=ext.name, kind=kind, owner=owner, external_id=ext.external_id)
        )
        if isinstance(kind, m.Resource):
            by_name = self.resources.setdefault(owner, {})
            if ext.name in by_name:
                raise _Malformed(f"duplicate resource `{ext.name}`", self.offset)
            by_name[ext.name] = tid
        self.type_map[id(ext.node)] = tid
        return tid

    def function(
        self, name: str, f: _Func, owner: m.TypeOwner, external_id: str | None = None
    ) -> m.Function:
        params = tuple(m.Param(name=n, type=self.valtype(t)) for n, t in f.params)
        result = None if f.result is None else self.valtype(f.result)
        prefix = "async-" if f.is_async else ""
        kind: m.FunctionKind
        if name.startswith("[constructor]"):
            kind = m.FunctionKind(name="constructor", resource=self._resource(owner, name[13:]))
        elif name.startswith("[method]") or name.startswith("[static]"):
            resource, dot, _ = name[8:].partition(".")
            if not dot:
                raise _Malformed(f"invalid function name `{name}`", self.offset)
            base = "method" if name.startswith("[method]") else "static"
            kind_name: m.FunctionKindName = f"{prefix}{base}"  # type: ignore[assignment]
            kind = m.FunctionKind(name=kind_name, resource=self._resource(owner, resource))
        else:
            free: m.FunctionKindName = f"{prefix}freestanding"  # type: ignore[assignment]
            kind = m.FunctionKind(name=free)
        return m.Function(
            name=name, kind=kind, params=params, result=result, external_id=external_id
        )

    def _resource(self, owner: m.TypeOwner, name: str) -> m.TypeId:
        tid = self.resources.get(owner, {}).get(name)
        if tid is None:
            raise _Malformed(f"function refers to unknown resource `{name}`", self.offset)
        return tid

    # ---- interfaces and worlds

    def dep_interface(self, name: str) -> m.InterfaceId:
        pkg_name, item = _split_id(name, self.offset)
        key = str(pkg_name)
        pkg = self.foreign.setdefault(key, _Package(name=pkg_name))
        iid = pkg.interfaces.get(item)
        if iid is None:
            self.interfaces.append(_Iface(name=item))
            iid = m.InterfaceId(len(self.interfaces) - 1)
            pkg.interfaces[item] = iid
        self.iface_package[iid] = key
        return iid

    def register_import(self, name: str, inst: _Instance) -> m.InterfaceId:
        local = self.named_interfaces.get(name)
        iid = local if local is not None else self.dep_interface(name)
        iface = self.interfaces[iid]
        owner = m.OwnerInterface(id=iid)
        for ext in inst.exports:
            if ext.sort == "type":
                existing = iface.types.get(ext.name)
                if existing is not None:
                    self.type_map[id(ext.node)] = existing
                    if ext.referenced is not ext.node and ext.referenced is not None:
                        self.type_map.setdefault(id(_peel(ext.referenced)), existing)
                else:
                    iface.types[ext.name] = self.type_export(ext, owner)
            elif ext.sort == "func":
                if local is not None or ext.name in iface.functions:
                    continue
                assert isinstance(ext.node, _Func)
                iface.functions[ext.name] = self.function(
                    ext.name, ext.node, owner, ext.external_id
                )
            else:
                raise _Malformed(
                    f"instance export `{ext.name}` is not a type or function", self.offset
                )
        return iid

    def register_interface(self, name: str | None, inst: _Instance) -> m.InterfaceId:
        iid = m.InterfaceId(len(self.interfaces))
        iface = _Iface(name=name)
        owner = m.OwnerInterface(id=iid)
        self.interfaces.append(iface)
        for ext in inst.exports:
            if ext.sort == "type":
                iface.types[ext.name] = self.type_export(ext, owner)
            elif ext.sort == "func":
                assert isinstance(ext.node, _Func)
                iface.functions[ext.name] = self.function(
                    ext.name, ext.node, owner, ext.external_id
                )
            else:
                raise _Malformed(
                    f"instance export `{ext.name}` is not a type or function", self.offset
                )
        return iid

    def world(self, name: str, comp: _ComponentT) -> m.WorldId:
        wid = m.WorldId(len(self.worlds))
        world = _World(name=name)
        self.worlds.append(world)
        owner = m.OwnerWorld(id=wid)
        for exporting, externs in ((False, comp.imports), (True, comp.exports)):
            items = world.exports if exporting else world.imports
            for ext in externs:
                key: m.WorldKey
                item: m.WorldItem
                if ext.sort == "instance":
                    assert isinstance(ext.node, _Instance)
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
                    assert isinstance(ext.node, _Func)
                    key, item = (
                        ext.name,
                        m.WorldFunction(
                            function=self.function(ext.name, ext.node, owner, ext.external_id)
                        ),
                    )
                elif ext.sort == "type" and not exporting:
                    key, item = ext.name, m.WorldType(id=self.type_export(ext, owner))
                else:
                    raise _Malformed(f"unsupported world item `{ext.name}`", self.offset)
                if key in items:
                    raise _Malformed(f"duplicate world item `{ext.name}`", self.offset)
                items[key] = item
        self.check_world(world)
        return wid

    def check_world(self, world: _World) -> None:
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
                    raise _Malformed(
                        f"world `{world.name}` uses interface `{name}` without importing it",
                        self.offset,
                    )


def _freeze_docs(text: object) -> m.Docs:
    return m.Docs(contents=text) if isinstance(text, str) else m.NO_DOCS


def _freeze_stability(value: object) -> m.Stability:
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


def decode(data: bytes) -> m.Resolve:
    """The `Resolve` of a WIT package binary; its main package is the decoded one."""
    try:
        return _decode(bytes(data))
    except _Malformed as e:
        message = f"invalid WIT package binary at offset {e.offset} (0x{e.offset:x}): {e.message}"
        raise WitError((error("WIT200", message, Span.UNKNOWN),)) from None
    except RecursionError:
        message = "invalid WIT package binary at offset 0 (0x0): nested too deeply"
        raise WitError((error("WIT200", message, Span.UNKNOWN),)) from None


def binary_problem(data: bytes) -> tuple[str, int] | None:
    """What wasm-tools' validation rejects in a WIT package binary (a name that differs from
    another only in case, an upper-case package name, ...), with its byte offset; None if
    the binary reads back."""
    try:
        _parse(bytes(data))
    except _Malformed as e:
        return e.message, e.offset
    except RecursionError:
        return "nested too deeply", 0
    return None


def _decode(data: bytes) -> m.Resolve:
    parsed = _parse(data)
    dec = _Decoder()
    pkg_name: m.PackageName | None = None
    interfaces: dict[str, m.InterfaceId] = {}
    worlds: dict[str, m.WorldId] = {}
    for export_name, comp, offset in parsed.exports:
        dec.offset = offset
        if len(comp.exports) != 1:
            raise _Malformed(f"export `{export_name}` must have exactly one export", offset)
        (inner,) = comp.exports
        name, item = _split_id(inner.name, offset)
        if inner.sort == "instance":
            for imp in comp.imports:
                if imp.sort != "instance" or not isinstance(imp.node, _Instance):
                    raise _Malformed(f"import `{imp.name}` is not an instance", offset)
                dec.register_import(imp.name, imp.node)
            assert isinstance(inner.node, _Instance)
            iid = dec.register_interface(item, inner.node)
            dec.named_interfaces[inner.name] = iid
            if item in interfaces:
                raise _Malformed(f"duplicate interface `{item}`", offset)
            interfaces[item] = iid
        elif inner.sort == "component":
            assert isinstance(inner.node, _ComponentT)
            if item in worlds:
                raise _Malformed(f"duplicate world `{item}`", offset)
            worlds[item] = dec.world(item, inner.node)
        else:
            raise _Malformed(f"export `{export_name}` is not an interface or world", offset)
        if pkg_name is None:
            pkg_name = name
        elif pkg_name != name:
            raise _Malformed("item defined with mismatched package name", offset)
    if pkg_name is None:
        raise _Malformed("no exported component type found", len(data))
    main = _Package(name=pkg_name, interfaces=interfaces, worlds=worlds)
    packages = _order_packages(dec)
    # Interfaces of the package used before their definition were filed as foreign: the
    # package then keeps its place in the dependency order (wit-component's
    # `insert_package` unions the two), else it comes last.
    own = dec.foreign.get(str(pkg_name))
    if own is None:
        packages.append(main)
    else:
        for item, iid in main.interfaces.items():
            own.interfaces.setdefault(item, iid)
        own.worlds.update(main.worlds)
        main = own
    _assign_packages(dec, packages)
    if parsed.package_docs is not None:
        _inject_docs(dec, packages, main, *parsed.package_docs)
    return _freeze(dec, packages, m.PackageId(packages.index(main)))


def _order_packages(dec: _Decoder) -> list[_Package]:
    """Foreign packages in dependency order (wit-component's `visit_package`)."""
    keys = list(dec.foreign)
    deps: dict[str, list[str]] = {k: [] for k in keys}
    for key, pkg in dec.foreign.items():
        for iid in pkg.interfaces.values():
            for tid in dec.interfaces[iid].types.values():
                kind = dec.types[tid].kind
                if isinstance(kind, m.Alias) and not isinstance(kind.type, str):
                    owner = dec.types[kind.type].owner
                    if isinstance(owner, m.OwnerInterface):
                        other = dec.iface_package.get(owner.id)
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
    return [dec.foreign[k] for k in order]


def _inject_docs(
    dec: _Decoder, packages: list[_Package], pkg: _Package, data: bytes, offset: int
) -> None:
    if not data or data[0] not in (0, 1):
        raise _Malformed("unsupported package-docs version", offset)
    try:
        meta = json.loads(data[1:].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _Malformed("package-docs is not valid JSON", offset + 1) from None
    meta = _dict(meta)
    pkg.docs = _freeze_docs(meta.get("docs"))
    for name, wmeta in _dict(meta.get("worlds")).items():
        wid = pkg.worlds.get(name)
        if wid is not None:
            _inject_world(dec, packages, dec.worlds[wid], _dict(wmeta))
    for name, imeta in _dict(meta.get("interfaces")).items():
        iid = pkg.interfaces.get(name)
        if iid is not None:
            _inject_interface(dec, dec.interfaces[iid], _dict(imeta))


def _inject_interface(dec: _Decoder, iface: _Iface, meta: dict[str, object]) -> None:
    iface.docs = _freeze_docs(meta.get("docs"))
    iface.stability = _freeze_stability(meta.get("stability"))
    for name, fmeta in _dict(meta.get("funcs")).items():
        f = iface.functions.get(name)
        if f is not None:
            iface.functions[name] = _inject_function(f, _dict(fmeta))
    for name, tmeta in _dict(meta.get("types")).items():
        tid = iface.types.get(name)
        if tid is not None:
            _inject_type(dec, tid, _dict(tmeta))


def _inject_function(f: m.Function, meta: dict[str, object]) -> m.Function:
    return replace(
        f, docs=_freeze_docs(meta.get("docs")), stability=_freeze_stability(meta.get("stability"))
    )


def _inject_type(dec: _Decoder, tid: m.TypeId, meta: dict[str, object]) -> None:
    td = dec.types[tid]
    items = _dict(meta.get("items"))
    kind = td.kind
    if isinstance(kind, m.Record):
        kind = m.Record(
            fields=tuple(
                m.Field(name=f.name, type=f.type, docs=_freeze_docs(items.get(f.name)))
                for f in kind.fields
            )
        )
    elif isinstance(kind, m.Flags):
        kind = m.Flags(
            flags=tuple(
                m.Flag(name=f.name, docs=_freeze_docs(items.get(f.name))) for f in kind.flags
            )
        )
    elif isinstance(kind, m.Variant):
        kind = m.Variant(
            cases=tuple(
                m.Case(name=c.name, type=c.type, docs=_freeze_docs(items.get(c.name)))
                for c in kind.cases
            )
        )
    elif isinstance(kind, m.Enum):
        kind = m.Enum(
            cases=tuple(
                m.EnumCase(name=c.name, docs=_freeze_docs(items.get(c.name))) for c in kind.cases
            )
        )
    dec.types[tid] = replace(
        td,
        kind=kind,
        docs=_freeze_docs(meta.get("docs")),
        stability=_freeze_stability(meta.get("stability")),
    )


def _inject_world(
    dec: _Decoder, packages: list[_Package], world: _World, meta: dict[str, object]
) -> None:
    world.docs = _freeze_docs(meta.get("docs"))
    world.stability = _freeze_stability(meta.get("stability"))
    for exporting, items in ((False, world.imports), (True, world.exports)):
        side = "export" if exporting else "import"
        inline = _dict(meta.get("interface_exports" if exporting else "interfaces"))
        funcs = _dict(meta.get("func_exports" if exporting else "funcs"))
        gates = _dict(meta.get(f"interface_{side}_stability"))
        docs = _dict(meta.get(f"interface_{side}_docs"))
        for key, item in list(items.items()):
            name = key if isinstance(key, str) else _interface_id(dec, packages, key)
            if isinstance(item, m.WorldInterface):
                if dec.interfaces[item.id].name is None:
                    if name in inline:
                        iface = dec.interfaces[item.id]
                        _inject_interface(dec, iface, _dict(inline[name]))
                        # An inline interface's gate is also the world item's gate.
                        items[key] = replace(item, stability=iface.stability)
                else:
                    items[key] = replace(
                        item,
                        docs=_freeze_docs(docs.get(name)),
                        stability=_freeze_stability(gates.get(name)),
                    )
            elif isinstance(item, m.WorldFunction):
                if name in funcs:
                    items[key] = m.WorldFunction(
                        function=_inject_function(item.function, _dict(funcs[name]))
                    )
            elif not exporting and name in _dict(meta.get("types")):
                _inject_type(dec, item.id, _dict(_dict(meta.get("types"))[name]))


def _interface_id(dec: _Decoder, packages: list[_Package], iid: m.InterfaceId) -> str:
    iface = dec.interfaces[iid]
    assert iface.package is not None
    name = packages[iface.package].name
    base = f"{name.unversioned}/{iface.name}"
    return f"{base}@{name.version}" if name.version else base


def _assign_packages(dec: _Decoder, packages: list[_Package]) -> None:
    for pid, pkg in enumerate(packages):
        for iid in pkg.interfaces.values():
            dec.interfaces[iid].package = m.PackageId(pid)
        for wid in pkg.worlds.values():
            world = dec.worlds[wid]
            world.package = m.PackageId(pid)
            for item in (*world.imports.values(), *world.exports.values()):
                if isinstance(item, m.WorldInterface) and dec.interfaces[item.id].name is None:
                    dec.interfaces[item.id].package = m.PackageId(pid)


def _freeze(dec: _Decoder, packages: list[_Package], main: m.PackageId) -> m.Resolve:
    return m.Resolve(
        packages=tuple(
            m.Package(
                name=p.name,
                interfaces=tuple(p.interfaces.items()),
                worlds=tuple(p.worlds.items()),
                docs=p.docs,
            )
            for p in packages
        ),
        interfaces=tuple(
            m.Interface(
                name=i.name,
                types=tuple(i.types.items()),
                functions=tuple(i.functions.items()),
                package=i.package,
                docs=i.docs,
                stability=i.stability,
            )
            for i in dec.interfaces
        ),
        worlds=tuple(
            m.World(
                name=x.name,
                imports=tuple(x.imports.items()),
                exports=tuple(x.exports.items()),
                package=x.package,
                docs=x.docs,
                stability=x.stability,
            )
            for x in dec.worlds
        ),
        types=tuple(dec.types),
        main=main,
        main_group=(main,),
    )


# ---------------------------------------------------------------- any .wasm input


@dataclass(frozen=True, slots=True)
class Decoded:
    """What a `.wasm` file holds, as a `Resolve` whose `main` is the package to show."""

    # "package": a WIT package binary (or a `component-type` payload, a package with one
    # world); "component": a component built by a toolchain, typed as the world `root` of
    # the package `root:component`; "module": a core module whose `component-type*`
    # custom sections are merged into the world `root` of the package `root:root`.
    kind: Literal["package", "component", "module"]
    resolve: m.Resolve
    # The world of a component or module; None for a package.
    world: m.WorldId | None = None


def decode_wasm(data: bytes, *, path: str | None = None) -> Decoded:
    """Decode any `.wasm` input, as `wasm-tools component wit FILE` reads it.

    Malformed input raises `WitError` (WIT108) naming `path` and the byte offset.
    """
    where = f"failed to decode {path}: " if path else ""
    try:
        return _decode_wasm(bytes(data))
    except _Malformed as e:
        message = f"{where}invalid WebAssembly binary at offset {e.offset} (0x{e.offset:x}): "
        raise WitError((error("WIT108", message + e.message, Span.UNKNOWN),)) from None
    except RecursionError:
        message = f"{where}invalid WebAssembly binary at offset 0 (0x0): nested too deeply"
        raise WitError((error("WIT108", message, Span.UNKNOWN),)) from None


def _decode_wasm(data: bytes) -> Decoded:
    if len(data) < 8 or data[:4] != b"\x00asm":
        raise _Malformed("not a WebAssembly binary (bad magic)", 0)
    if data[:8] == w.MODULE_PREAMBLE:
        return Decoded("module", _decode_module(data), m.WorldId(0))
    if data[:8] != w.COMPONENT_PREAMBLE:
        raise _Malformed("unsupported WebAssembly version or layer", 4)
    parser = _ComponentParser(data)
    parser.component(0, len(data), 0)
    externs = parser.externs
    if externs and all(
        exporting and ext.sort == "type" and isinstance(ext.referenced, _ComponentT)
        for exporting, ext in externs
    ):
        return Decoded("package", _decode(data))
    dec = _Decoder()
    comp = _ComponentT(
        imports=[ext for exporting, ext in externs if not exporting],
        exports=[ext for exporting, ext in externs if exporting],
    )
    wid = dec.world("root", comp)
    main = _Package(name=m.PackageName(namespace="root", name="component"), worlds={"root": wid})
    packages = [*_order_packages(dec), main]
    _assign_packages(dec, packages)
    return Decoded("component", _freeze(dec, packages, m.PackageId(len(packages) - 1)), wid)


def _decode_module(data: bytes) -> m.Resolve:
    """wit-component's `metadata::decode`: every `component-type*` section, merged."""
    from witgen.model.merge import merge, merge_worlds

    payloads: list[tuple[int, int]] = []
    pos = 8
    while pos < len(data):
        start = pos
        r = _Reader(data, pos + 1, len(data))
        size = r.u32()
        end = r.pos + size
        if end > len(data):
            raise _Malformed("section runs past the end of the data", start)
        if data[start] == w.SECTION_CUSTOM:
            r = _Reader(data, r.pos, end)
            if r.name().startswith("component-type"):
                payloads.append((r.pos, end))
        pos = end
    if not payloads:
        raise _Malformed(
            "input is a core wasm module with no `component-type*` custom sections meaning "
            "that there is not WIT information; is the information not embedded or is this "
            "supposed to be a component?",
            0,
        )
    root = m.PackageId(0)
    resolve = m.Resolve(
        packages=(
            m.Package(
                name=m.PackageName(namespace="root", name="root"),
                interfaces=(),
                worlds=(("root", m.WorldId(0)),),
            ),
        ),
        interfaces=(),
        worlds=(m.World(name="root", imports=(), exports=(), package=root),),
        types=(),
        main=root,
        main_group=(root,),
    )
    for start, end in payloads:
        try:
            other = _decode(data[start:end])
        except _Malformed as e:
            raise _Malformed(e.message, start + e.offset) from None
        assert other.main is not None
        worlds = other.packages[other.main].worlds
        if len(worlds) != 1:
            raise _Malformed("a `component-type` section must hold exactly one world", start)
        resolve, maps = merge(resolve, other)
        resolve = merge_worlds(resolve, maps.worlds[worlds[0][1]], m.WorldId(0))
    return resolve
