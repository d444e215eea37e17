"""The WebAssembly text format of the component binaries witgen writes and reads.

Input: component bytes made of type, import, export and alias sections plus custom
sections (what `encoder` writes: WIT packages and `component-type` payloads), or `.wat`
text of the same subset. Output: `print_component` renders bytes as text, line for line
what `wasm-tools print` (wasmprinter) writes for such binaries; `parse` assembles text
(with `$names`, `;;`/`(; ;)` comments and inline type sugar) back into bytes, for `.wat`
files in `deps/`. Invariants: both directions are pure; anything outside the subset (core
modules, canonical functions, instances, values) is refused with a `WitError` naming the
byte offset or the line and column, never an exception of another kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NoReturn

from witgen.text.diagnostics import WitError, error
from witgen.text.source import Span
from witgen.wasm import binary as w

_PRIMITIVES: dict[int, str] = {
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
_PRIMITIVE_CODES = {v: k for k, v in _PRIMITIVES.items()}
_SORTS = {0x01: "func", 0x02: "value", 0x03: "type", 0x04: "component", 0x05: "instance"}
_SORT_CODES = {v: k for k, v in _SORTS.items()}


class _Bad(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def _str(text: str) -> str:
    """A name as wasmprinter quotes it: printable ASCII as is, the rest as `\\u{..}`."""
    out = ['"']
    for c in text:
        v = ord(c)
        out.append(c if 0x20 <= v < 0x7F and c not in '"\\' else f"\\u{{{v:x}}}")
    out.append('"')
    return "".join(out)


def _bytes(data: bytes) -> str:
    """Bytes as wasmprinter quotes them: printable ASCII as is, the rest as `\\hh`."""
    out = ['"']
    for b in data:
        out.append(chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\{b:02x}")
    out.append('"')
    return "".join(out)


# ---------------------------------------------------------------- binary → text


@dataclass(slots=True)
class _Counts:
    """Index counters of one component or instance scope, per sort."""

    n: dict[str, int] = field(default_factory=dict)

    def next(self, sort: str) -> int:
        value = self.n.get(sort, 0)
        self.n[sort] = value + 1
        return value


class _Printer:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.end = len(data)
        # The data up to `end` (a view), so that no read runs past the current section.
        self.view: bytes | memoryview = data
        self.lines: list[str] = []

    def cut(self, end: int) -> None:
        self.end = end
        self.view = memoryview(self.data)[:end]

    def fail(self, message: str, offset: int | None = None) -> NoReturn:
        raise _Bad(message, self.pos if offset is None else offset)

    def byte(self) -> int:
        if self.pos >= self.end:
            self.fail("unexpected end of data")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def u32(self) -> int:
        try:
            value, self.pos = w.read_uleb128(self.view, self.pos)
        except ValueError as e:
            self.fail(str(e).split(" at offset")[0])
        return value

    def s33(self) -> int:
        try:
            value, self.pos = w.read_sleb128(self.view, self.pos, 33)
        except ValueError as e:
            self.fail(str(e).split(" at offset")[0])
        return value

    def name(self) -> str:
        try:
            value, self.pos = w.read_name(self.view, self.pos)
        except ValueError as e:
            self.fail(str(e).split(" at offset")[0])
        return value

    def count(self) -> int:
        start = self.pos
        n = self.u32()
        if n > self.end - self.pos:
            self.fail(f"vector of {n} items is longer than the data", start)
        return n

    def line(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    # ---- types

    def valtype(self) -> str:
        if self.pos < self.end and self.data[self.pos] in _PRIMITIVES:
            return _PRIMITIVES[self.byte()]
        offset = self.pos
        index = self.s33()
        if index < 0:
            self.fail("invalid value type", offset)
        return str(index)

    def opt_valtype(self) -> str | None:
        flag = self.byte()
        if flag > 1:
            self.fail("invalid optional value type", self.pos - 1)
        return self.valtype() if flag else None

    def inline_type(self, tag: int, offset: int) -> str:
        """A type that fits on one line (everything but component and instance types)."""
        if tag in _PRIMITIVES:
            return _PRIMITIVES[tag]
        if tag == 0x72:
            fields = [f"(field {_str(self.name())} {self.valtype()})" for _ in range(self.count())]
            return " ".join(["(record", *fields]) + ")"
        if tag == 0x71:
            cases = []
            for _ in range(self.count()):
                label = _str(self.name())
                ty = self.opt_valtype()
                if self.byte() != 0:
                    self.fail("invalid variant case refinement", self.pos - 1)
                cases.append(f"(case {label})" if ty is None else f"(case {label} {ty})")
            return " ".join(["(variant", *cases]) + ")"
        if tag == 0x70:
            return f"(list {self.valtype()})"
        if tag == 0x67:
            return f"(list {self.valtype()} {self.u32()})"
        if tag == 0x6F:
            return " ".join(["(tuple", *[self.valtype() for _ in range(self.count())]]) + ")"
        if tag in (0x6E, 0x6D):
            labels = [_str(self.name()) for _ in range(self.count())]
            return " ".join(["(flags" if tag == 0x6E else "(enum", *labels]) + ")"
        if tag == 0x6B:
            return f"(option {self.valtype()})"
        if tag == 0x6A:
            ok, err = self.opt_valtype(), self.opt_valtype()
            parts = ["(result", *([ok] if ok else []), *([f"(error {err})"] if err else [])]
            return " ".join(parts) + ")"
        if tag in (0x69, 0x68):
            return f"({'own' if tag == 0x69 else 'borrow'} {self.u32()})"
        if tag in (0x66, 0x65):
            t = self.opt_valtype()
            word = "stream" if tag == 0x66 else "future"
            return f"({word} {t})" if t else f"({word})"
        if tag == 0x63:
            return f"(map {self.valtype()} {self.valtype()})"
        if tag in (0x40, 0x43):
            parts = ["(func", *(["async"] if tag == 0x43 else [])]
            parts += [f"(param {_str(self.name())} {self.valtype()})" for _ in range(self.count())]
            kind = self.byte()
            if kind == 0:
                parts.append(f"(result {self.valtype()})")
            elif kind != 1 or self.byte() != 0:
                self.fail("invalid function result", self.pos - 1)
            return " ".join(parts) + ")"
        self.fail(f"unsupported type form 0x{tag:02x}", offset)

    def deftype(self, depth: int, index: int) -> None:
        offset = self.pos
        tag = self.byte()
        if tag in (0x41, 0x42):
            self.line(depth, f"(type (;{index};)")
            self.decls(depth + 1, component=tag == 0x41)
            self.line(depth, ")")
        else:
            self.line(depth, f"(type (;{index};) {self.inline_type(tag, offset)})")

    def decls(self, depth: int, *, component: bool) -> None:
        n = self.count()
        keyword = "(component" if component else "(instance"
        if n == 0:
            self.line(depth, keyword + ")")
            return
        self.line(depth, keyword)
        counts = _Counts()
        for _ in range(n):
            offset = self.pos
            tag = self.byte()
            if tag == 0x01:
                self.deftype(depth + 1, counts.next("type"))
            elif tag == 0x02:
                self.alias(depth + 1, counts)
            elif tag == 0x04:
                name = self.extern_name()
                self.line(depth + 1, f"(export {self.externdesc(counts, name, export=True)})")
            elif tag == 0x03 and component:
                name = self.extern_name()
                self.line(depth + 1, f"(import {self.externdesc(counts, name, export=False)})")
            else:
                self.fail(f"unsupported declarator 0x{tag:02x}", offset)
        self.line(depth, ")")

    def extern_name(self) -> str:
        offset = self.pos
        kind = self.byte()
        text = _str(self.name())
        if kind in (0, 1):
            return text
        if kind != 2:
            self.fail(f"invalid name kind 0x{kind:02x}", offset)
        attrs = []
        for _ in range(self.count()):
            attr = self.byte()
            value = _str(self.name())
            keyword = {0: "implements", 1: "version-suffix", 2: "external-id"}.get(attr)
            if keyword is None:
                self.fail(f"unsupported name attribute 0x{attr:02x}", self.pos - 1)
            attrs.append(f"({keyword} {value})")
        return " ".join([text, *attrs])

    def externdesc(self, counts: _Counts, name: str, *, export: bool) -> str:
        """`"name" (sort (;i;) ...)` for imports, `(;i;) "name" (sort ...)` for exports."""
        offset = self.pos
        sort = _SORTS.get(self.byte())
        if sort is None or sort == "value":
            self.fail("unsupported extern type", offset)
        if sort == "type":
            bound = self.byte()
            if bound == 0:
                desc = f"(eq {self.u32()})"
            elif bound == 1:
                desc = "(sub resource)"
            else:
                self.fail(f"invalid type bound 0x{bound:02x}", self.pos - 1)
        else:
            desc = f"(type {self.u32()})"
        index = counts.next(sort)
        if export:
            return f"(;{index};) {name} ({sort} {desc})"
        return f"{name} ({sort} (;{index};) {desc})"

    def alias(self, depth: int, counts: _Counts) -> None:
        offset = self.pos
        sort = _SORTS.get(self.byte())
        kind = self.byte()
        if sort is None or sort == "value":
            self.fail("unsupported alias sort", offset)
        if kind == 0x00:
            instance = self.u32()
            target = f"export {instance} {_str(self.name())}"
        elif kind == 0x02:
            outer = self.u32()
            target = f"outer {outer} {self.u32()}"
        else:
            self.fail(f"unsupported alias kind 0x{kind:02x}", offset)
        self.line(depth, f"(alias {target} ({sort} (;{counts.next(sort)};)))")

    # ---- sections

    def component(self) -> str:
        if self.data[:8] != w.COMPONENT_PREAMBLE:
            self.fail("not a component (bad preamble)", 0)
        self.line(0, "(component")
        counts = _Counts()
        self.pos = 8
        while self.pos < len(self.data):
            start = self.pos
            self.cut(len(self.data))
            section_id = self.byte()
            size = self.u32()
            end = self.pos + size
            if end > len(self.data):
                self.fail("section runs past the end of the data", start)
            self.cut(end)
            if section_id == w.SECTION_CUSTOM:
                self.custom(end)
            elif section_id == w.SECTION_COMPONENT_TYPE:
                for _ in range(self.count()):
                    self.deftype(1, counts.next("type"))
            elif section_id == w.SECTION_COMPONENT_EXPORT:
                for _ in range(self.count()):
                    self.export(counts)
            elif section_id == 10:
                for _ in range(self.count()):
                    name = self.extern_name()
                    self.line(1, f"(import {self.externdesc(counts, name, export=False)})")
            elif section_id == 6:
                for _ in range(self.count()):
                    self.alias(1, counts)
            else:
                self.fail(f"section id {section_id} is not supported by this printer", start)
            if self.pos != end:
                self.fail("trailing bytes at the end of a section", self.pos)
        self.line(0, ")")
        return "\n".join(self.lines) + "\n"

    def export(self, counts: _Counts) -> None:
        name = self.extern_name()
        offset = self.pos
        sort = _SORTS.get(self.byte())
        if sort is None or sort == "value":
            self.fail("unsupported export sort", offset)
        index = self.u32()
        if self.byte() != 0:
            self.fail("type ascriptions are not supported by this printer", self.pos - 1)
        self.line(1, f"(export (;{counts.next(sort)};) {name} ({sort} {index}))")

    def custom(self, end: int) -> None:
        name = self.name()
        payload = self.data[self.pos : end]
        if name == "producers":
            self.producers(end)
        else:
            self.line(1, f"(@custom {_str(name)} {_bytes(payload)})")
        self.pos = end

    def producers(self, end: int) -> None:
        self.line(1, "(@producers")
        for _ in range(self.count()):
            fieldname = self.name()
            for _ in range(self.count()):
                tool, version = self.name(), self.name()
                self.line(2, f"({fieldname} {_str(tool)} {_str(version)})")
        self.line(1, ")")


def print_component(data: bytes) -> str:
    """The text of a component binary, as `wasm-tools print` writes it."""
    try:
        return _Printer(bytes(data)).component()
    except _Bad as e:
        message = f"cannot print binary at offset {e.offset} (0x{e.offset:x}): {e.message}"
        raise WitError((error("WIT108", message, Span.UNKNOWN),)) from None


# ---------------------------------------------------------------- text → binary

_TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<line>;;[^\n]*)|(?P<open>\()|(?P<close>\))|(?P<str>"(?:[^"\\]|\\.)*")|(?P<atom>[^\s()";]+)""",
    re.S,
)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # "open" | "close" | "atom" | "str"
    text: str
    offset: int


# An s-expression: an atom or string token, or a list of them with its opening offset.
@dataclass(frozen=True, slots=True)
class _List:
    items: tuple[_Sexp, ...]
    offset: int


_Sexp = _Tok | _List


class _TextError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def _tokenize(text: str) -> list[_Tok]:
    """Tokens: `(`/`)` (kind "open"/"close"), strings and atoms; comments dropped."""
    out: list[_Tok] = []
    pos = 0
    while pos < len(text):
        if text.startswith("(;", pos):
            depth, i = 0, pos
            while i < len(text):
                if text.startswith("(;", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith(";)", i):
                    depth, i = depth - 1, i + 2
                    if depth == 0:
                        break
                else:
                    i += 1
            if depth:
                raise _TextError("unterminated block comment", pos)
            pos = i
            continue
        match = _TOKEN.match(text, pos)
        if match is None:
            raise _TextError("unexpected character", pos)
        kind = match.lastgroup
        if kind in ("open", "close", "str", "atom"):
            out.append(_Tok(kind, match.group(), pos))
        pos = match.end()
    return out


def _sexp(tokens: list[_Tok], text_len: int) -> _Sexp:
    stack: list[tuple[list[_Sexp], int]] = []
    result: _Sexp | None = None
    for tok in tokens:
        if tok.kind == "open":
            stack.append(([], tok.offset))
            continue
        node: _Sexp
        if tok.kind == "close":
            if not stack:
                raise _TextError("unexpected `)`", tok.offset)
            items, start = stack.pop()
            node = _List(tuple(items), start)
        else:
            node = tok
        if stack:
            stack[-1][0].append(node)
        elif result is None:
            result = node
        else:
            raise _TextError("more than one top-level form", tok.offset)
    if stack:
        raise _TextError("unclosed `(`", text_len)
    if result is None:
        raise _TextError("empty input", 0)
    return result


def _unquote(tok: _Tok) -> bytes:
    body = tok.text[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        simple = {"n": b"\n", "t": b"\t", "r": b"\r", '"': b'"', "'": b"'", "\\": b"\\"}
        if nxt in simple:
            out += simple[nxt]
            i += 2
        elif nxt == "u" and body[i + 2 : i + 3] == "{":
            close = body.find("}", i)
            if close < 0:
                raise _TextError("bad unicode escape", tok.offset)
            out += chr(int(body[i + 3 : close], 16)).encode("utf-8")
            i = close + 1
        elif re.fullmatch(r"[0-9a-fA-F]{2}", body[i + 1 : i + 3]):
            out.append(int(body[i + 1 : i + 3], 16))
            i += 3
        else:
            raise _TextError("bad string escape", tok.offset)
    return bytes(out)


@dataclass(slots=True)
class _TScope:
    """One component or instance scope being assembled."""

    decls: list[bytes] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    names: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, sort: str, ident: str | None) -> int:
        index = self.counts.get(sort, 0)
        self.counts[sort] = index + 1
        if ident is not None:
            self.names[(sort, ident)] = index
        return index


class _Assembler:
    def __init__(self) -> None:
        self.scopes: list[_TScope] = []

    @staticmethod
    def fail(message: str, node: _Sexp) -> NoReturn:
        raise _TextError(message, node.offset)

    # ---- helpers

    def head(self, node: _Sexp) -> str:
        if isinstance(node, _List) and node.items and isinstance(node.items[0], _Tok):
            return node.items[0].text
        return ""

    def ident(self, items: list[_Sexp]) -> str | None:
        if items and isinstance(items[0], _Tok) and items[0].text.startswith("$"):
            return items.pop(0).text  # type: ignore[union-attr]
        return None

    def index(self, node: _Sexp, sort: str, scope: _TScope | None = None) -> int:
        scope = scope or self.scopes[-1]
        if not isinstance(node, _Tok) or node.kind != "atom":
            self.fail(f"expected a {sort} index", node)
        if node.text.startswith("$"):
            found = scope.names.get((sort, node.text))
            if found is None:
                self.fail(f"unknown {sort} `{node.text}`", node)
            return found
        if not node.text.isdigit():
            self.fail(f"expected a {sort} index", node)
        return int(node.text)

    def string(self, node: _Sexp) -> bytes:
        if not isinstance(node, _Tok) or node.kind != "str":
            self.fail("expected a string", node)
        return _unquote(node)

    def name(self, node: _Sexp) -> bytes:
        data = self.string(node)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            self.fail("malformed UTF-8 in a name", node)
        return w.uleb128(len(data)) + data

    def define(self, body: bytes) -> int:
        """An anonymous type defined in the current scope (inline type sugar)."""
        scope = self.scopes[-1]
        scope.decls.append(b"\x01" + body)
        return scope.add("type", None)

    # ---- types

    def valtype(self, node: _Sexp) -> bytes:
        if isinstance(node, _Tok) and node.text in _PRIMITIVE_CODES:
            return bytes([_PRIMITIVE_CODES[node.text]])
        if isinstance(node, _List):
            return w.sleb128(self.define(self.deftype(node)))
        return w.sleb128(self.index(node, "type"))

    def opt(self, node: _Sexp | None) -> bytes:
        return b"\x00" if node is None else b"\x01" + self.valtype(node)

    def deftype(self, node: _Sexp) -> bytes:
        if isinstance(node, _Tok):
            if node.text in _PRIMITIVE_CODES:
                return bytes([_PRIMITIVE_CODES[node.text]])
            self.fail(f"unknown type `{node.text}`", node)
        head = self.head(node)
        args = list(node.items[1:])
        if head in ("component", "instance"):
            return self.scope_type(node, component=head == "component")
        if head == "func":
            return self.functype(node, args)
        if head == "record":
            fields = [self.labelled(f, "field") for f in args]
            return b"\x72" + w.vec([n + self.valtype(t) for n, t in fields])
        if head == "variant":
            cases = []
            for c in args:
                if self.head(c) != "case" or not isinstance(c, _List):
                    self.fail("expected `(case ...)`", c)
                rest = list(c.items[1:])
                label = self.name(rest[0])
                cases.append(label + self.opt(rest[1] if len(rest) > 1 else None) + b"\x00")
            return b"\x71" + w.vec(cases)
        if head == "list":
            if len(args) == 2:
                return b"\x67" + self.valtype(args[0]) + w.uleb128(self.index(args[1], "size"))
            return b"\x70" + self.valtype(self.one(node, args))
        if head == "tuple":
            return b"\x6f" + w.vec([self.valtype(t) for t in args])
        if head in ("flags", "enum"):
            code = b"\x6e" if head == "flags" else b"\x6d"
            return code + w.vec([self.name(a) for a in args])
        if head == "option":
            return b"\x6b" + self.valtype(self.one(node, args))
        if head == "result":
            ok: _Sexp | None = None
            err: _Sexp | None = None
            for a in args:
                if self.head(a) == "error" and isinstance(a, _List):
                    err = self.one(a, list(a.items[1:]))
                else:
                    ok = a
            return b"\x6a" + self.opt(ok) + self.opt(err)
        if head in ("own", "borrow"):
            code = b"\x69" if head == "own" else b"\x68"
            return code + w.uleb128(self.index(self.one(node, args), "type"))
        if head in ("stream", "future"):
            code = b"\x66" if head == "stream" else b"\x65"
            return code + self.opt(args[0] if args else None)
        if head == "map" and len(args) == 2:
            return b"\x63" + self.valtype(args[0]) + self.valtype(args[1])
        self.fail(f"unsupported type `{head or '?'}`", node)

    def one(self, node: _Sexp, args: list[_Sexp]) -> _Sexp:
        if len(args) != 1:
            self.fail("expected exactly one type", node)
        return args[0]

    def labelled(self, node: _Sexp, keyword: str) -> tuple[bytes, _Sexp]:
        if self.head(node) != keyword or not isinstance(node, _List) or len(node.items) != 3:
            self.fail(f'expected `({keyword} "name" type)`', node)
        return self.name(node.items[1]), node.items[2]

    def functype(self, node: _Sexp, args: list[_Sexp]) -> bytes:
        code = b"\x40"
        if args and isinstance(args[0], _Tok) and args[0].text == "async":
            code = b"\x43"
            args.pop(0)
        params = [self.labelled(a, "param") for a in args if self.head(a) == "param"]
        results = [a for a in args if self.head(a) == "result"]
        if len(params) + len(results) != len(args) or len(results) > 1:
            self.fail("expected `(param ...)` then at most one `(result ...)`", node)
        out = code + w.vec([n + self.valtype(t) for n, t in params])
        if not results:
            return out + b"\x01\x00"
        result = results[0]
        assert isinstance(result, _List)
        return out + b"\x00" + self.valtype(self.one(result, list(result.items[1:])))

    def scope_type(self, node: _Sexp, *, component: bool) -> bytes:
        assert isinstance(node, _List)
        self.scopes.append(_TScope())
        for decl in node.items[1:]:
            self.decl(decl, component=component)
        scope = self.scopes.pop()
        return (b"\x41" if component else b"\x42") + w.vec(scope.decls)

    # ---- declarators and fields

    def decl(self, node: _Sexp, *, component: bool) -> None:
        head = self.head(node)
        if not isinstance(node, _List):
            self.fail("expected a declaration", node)
        items = list(node.items[1:])
        scope = self.scopes[-1]
        if head == "type":
            ident = self.ident(items)
            body = self.deftype(self.one(node, items))
            scope.decls.append(b"\x01" + body)
            scope.add("type", ident)
        elif head == "alias":
            scope.decls.append(b"\x02" + self.alias(node, items))
        elif head == "export" or (head == "import" and component):
            self.ident(items)
            tag = b"\x04" if head == "export" else b"\x03"
            name = self.extern_name(items)
            scope.decls.append(tag + name + self.externdesc(self.one(node, items)))
        else:
            self.fail(f"unsupported declaration `{head or '?'}`", node)

    def extern_name(self, items: list[_Sexp]) -> bytes:
        if not items:
            raise _TextError("expected a name", 0)
        name = self.name(items.pop(0))
        attrs = []
        while items and self.head(items[0]) in ("implements", "version-suffix", "external-id"):
            attr = items.pop(0)
            assert isinstance(attr, _List)
            code = {"implements": 0, "version-suffix": 1, "external-id": 2}[self.head(attr)]
            attrs.append(bytes([code]) + self.name(self.one(attr, list(attr.items[1:]))))
        return b"\x00" + name if not attrs else b"\x02" + name + w.vec(attrs)

    def externdesc(self, node: _Sexp) -> bytes:
        """`(sort $id? (type i))`, or the sort with an inline type; adds the new index."""
        head = self.head(node)
        if head not in ("func", "type", "instance", "component") or not isinstance(node, _List):
            self.fail("expected an extern type", node)
        items = list(node.items[1:])
        ident = self.ident(items)
        scope = self.scopes[-1]
        if head == "type":
            bound = self.one(node, items)
            if self.head(bound) == "sub":
                out = b"\x03\x01"
            elif self.head(bound) == "eq" and isinstance(bound, _List):
                target = self.one(bound, list(bound.items[1:]))
                out = b"\x03\x00" + w.uleb128(self.index(target, "type"))
            else:
                self.fail("expected `(eq i)` or `(sub resource)`", bound)
        elif len(items) == 1 and self.head(items[0]) == "type":
            ref = items[0]
            assert isinstance(ref, _List)
            out = bytes([_SORT_CODES[head]]) + w.uleb128(
                self.index(self.one(ref, list(ref.items[1:])), "type")
            )
        else:
            inline = _List((_Tok("atom", head, node.offset), *items), node.offset)
            out = bytes([_SORT_CODES[head]]) + w.uleb128(self.define(self.deftype(inline)))
        scope.add(head, ident)
        return out

    def alias(self, node: _Sexp, items: list[_Sexp]) -> bytes:
        if len(items) < 3:
            self.fail("malformed alias", node)
        kind = items[0]
        target = items[-1]
        if self.head(target) not in _SORT_CODES or not isinstance(target, _List):
            self.fail("expected the aliased sort", target)
        sort = self.head(target)
        rest = list(target.items[1:])
        ident = self.ident(rest)
        scope = self.scopes[-1]
        if isinstance(kind, _Tok) and kind.text == "export" and len(items) == 4:
            body = b"\x00" + w.uleb128(self.index(items[1], "instance")) + self.name(items[2])
        elif isinstance(kind, _Tok) and kind.text == "outer" and len(items) == 4:
            count = self.index(items[1], "outer count")
            if count >= len(self.scopes):
                self.fail("outer alias count out of bounds", items[1])
            outer = self.scopes[-1 - count]
            body = b"\x02" + w.uleb128(count) + w.uleb128(self.index(items[2], sort, outer))
        else:
            self.fail("unsupported alias", node)
        scope.add(sort, ident)
        return bytes([_SORT_CODES[sort]]) + body

    def component(self, node: _Sexp) -> bytes:
        if self.head(node) != "component" or not isinstance(node, _List):
            self.fail("expected `(component ...)`", node)
        out = bytearray(w.COMPONENT_PREAMBLE)
        self.scopes.append(_TScope())
        items = list(node.items[1:])
        self.ident(items)
        for item in items:
            head = self.head(item)
            scope = self.scopes[-1]
            before = len(scope.decls)
            if head == "type":
                self.decl(item, component=True)
                section = w.SECTION_COMPONENT_TYPE
            elif head == "import":
                self.decl(item, component=True)
                section = 10
            elif head == "alias":
                self.decl(item, component=True)
                section = 6
            elif head == "export":
                body = self.export(item)
                out += w.section(w.SECTION_COMPONENT_EXPORT, w.vec([body]))
                continue
            elif head == "@custom" and isinstance(item, _List) and len(item.items) >= 3:
                data = b"".join(self.string(x) for x in item.items[2:])
                out += w.custom_section(_unquote_name(self, item.items[1]), data)
                continue
            elif head == "@producers" and isinstance(item, _List):
                fields = []
                for f in item.items[1:]:
                    assert isinstance(f, _List)
                    values = f.items[1:]
                    pairs = [(values[i], values[i + 1]) for i in range(0, len(values) - 1, 2)]
                    values_of = [(_unquote_name(self, a), _unquote_name(self, b)) for a, b in pairs]
                    fields.append((self.head(f), values_of))
                out += w.producers_section(fields)
                continue
            else:
                self.fail(f"unsupported component field `{head or '?'}`", item)
            # Inline types were defined just before the item: each declarator becomes its
            # own section entry (types in a type section, the item in its own).
            new = scope.decls[before:]
            del scope.decls[before:]
            for decl in new[:-1]:
                out += w.section(w.SECTION_COMPONENT_TYPE, w.vec([decl[1:]]))
            out += w.section(section, w.vec([new[-1][1:]]))
        self.scopes.pop()
        return bytes(out)

    def export(self, node: _Sexp) -> bytes:
        assert isinstance(node, _List)
        items = list(node.items[1:])
        ident = self.ident(items)
        name = self.extern_name(items)
        ref = self.one(node, items)
        sort = self.head(ref)
        if sort not in _SORT_CODES or not isinstance(ref, _List):
            self.fail("expected `(sort index)`", ref)
        index = self.index(self.one(ref, list(ref.items[1:])), sort)
        self.scopes[-1].add(sort, ident)
        return name + bytes([_SORT_CODES[sort]]) + w.uleb128(index) + b"\x00"


def _unquote_name(asm: _Assembler, node: _Sexp) -> str:
    return asm.string(node).decode("utf-8", errors="replace")


def parse(text: bytes | str, path: str = "<input>") -> bytes:
    """Assemble `.wat` text of a component (the subset `print_component` writes) into bytes."""
    source = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    try:
        return _Assembler().component(_sexp(_tokenize(source), len(source)))
    except _TextError as e:
        line = source.count("\n", 0, e.offset) + 1
        column = e.offset - (source.rfind("\n", 0, e.offset) + 1) + 1
        message = f"failed to parse {path}:{line}:{column}: {e.message}"
        raise WitError((error("WIT109", message, Span.UNKNOWN),)) from None
    except RecursionError:
        message = f"failed to parse {path}: nested too deeply"
        raise WitError((error("WIT109", message, Span.UNKNOWN),)) from None
