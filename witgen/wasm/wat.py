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
from witgen.wasm import tables
from witgen.wasm.binary import COMPONENT_PREAMBLE, Cursor, Malformed, read_sections


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
        # The section being printed.
        self.r = Cursor(data, 0, len(data))
        self.lines: list[str] = []

    def line(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    # ---- types

    def valtype(self) -> str:
        return str(self.r.valtype())

    def opt_valtype(self) -> str | None:
        flag = self.r.byte()
        if flag > 1:
            self.r.fail("invalid optional value type", self.r.pos - 1)
        return self.valtype() if flag else None

    def labels(self) -> list[str]:
        return [_str(self.r.name()) for _ in range(self.r.count())]

    def inline_type(self, tag: int, offset: int) -> str:
        """A type that fits on one line (everything but component and instance types)."""
        r = self.r
        primitive = tables.PRIMITIVE_TYPES.get(tag)
        if primitive is not None:
            return primitive
        match tag:
            case tables.TYPE_RECORD:
                fields = [f"(field {_str(r.name())} {self.valtype()})" for _ in range(r.count())]
                return " ".join(["(record", *fields]) + ")"
            case tables.TYPE_VARIANT:
                cases = []
                for _ in range(r.count()):
                    label = _str(r.name())
                    ty = self.opt_valtype()
                    if r.byte() != 0:
                        r.fail("invalid variant case refinement", r.pos - 1)
                    cases.append(f"(case {label})" if ty is None else f"(case {label} {ty})")
                return " ".join(["(variant", *cases]) + ")"
            case tables.TYPE_LIST:
                return f"(list {self.valtype()})"
            case tables.TYPE_FIXED_LIST:
                return f"(list {self.valtype()} {r.u32()})"
            case tables.TYPE_TUPLE:
                return " ".join(["(tuple", *[self.valtype() for _ in range(r.count())]]) + ")"
            case tables.TYPE_FLAGS:
                return " ".join(["(flags", *self.labels()]) + ")"
            case tables.TYPE_ENUM:
                return " ".join(["(enum", *self.labels()]) + ")"
            case tables.TYPE_OPTION:
                return f"(option {self.valtype()})"
            case tables.TYPE_RESULT:
                ok, err = self.opt_valtype(), self.opt_valtype()
                parts = ["(result", *([ok] if ok else []), *([f"(error {err})"] if err else [])]
                return " ".join(parts) + ")"
            case tables.TYPE_OWN:
                return f"(own {r.u32()})"
            case tables.TYPE_BORROW:
                return f"(borrow {r.u32()})"
            case tables.TYPE_STREAM | tables.TYPE_FUTURE:
                payload = self.opt_valtype()
                word = "stream" if tag == tables.TYPE_STREAM else "future"
                return f"({word} {payload})" if payload else f"({word})"
            case tables.TYPE_MAP:
                return f"(map {self.valtype()} {self.valtype()})"
            case tables.TYPE_FUNC | tables.TYPE_ASYNC_FUNC:
                parts = ["(func", *(["async"] if tag == tables.TYPE_ASYNC_FUNC else [])]
                parts += [f"(param {_str(r.name())} {self.valtype()})" for _ in range(r.count())]
                kind = r.byte()
                if kind == tables.FUNC_RESULT_TYPE:
                    parts.append(f"(result {self.valtype()})")
                elif kind != tables.FUNC_RESULT_NONE or r.byte() != 0:
                    r.fail("invalid function result", r.pos - 1)
                return " ".join(parts) + ")"
        r.fail(f"unsupported type form 0x{tag:02x}", offset)

    def deftype(self, depth: int, index: int) -> None:
        offset = self.r.pos
        tag = self.r.byte()
        if tag in (tables.TYPE_COMPONENT, tables.TYPE_INSTANCE):
            self.line(depth, f"(type (;{index};)")
            self.decls(depth + 1, component=tag == tables.TYPE_COMPONENT)
            self.line(depth, ")")
        else:
            self.line(depth, f"(type (;{index};) {self.inline_type(tag, offset)})")

    def decls(self, depth: int, *, component: bool) -> None:
        r = self.r
        n = r.count()
        keyword = "(component" if component else "(instance"
        if n == 0:
            self.line(depth, keyword + ")")
            return
        self.line(depth, keyword)
        counts = _Counts()
        for _ in range(n):
            offset = r.pos
            tag = r.byte()
            if tag == tables.DECL_TYPE:
                self.deftype(depth + 1, counts.next("type"))
            elif tag == tables.DECL_ALIAS:
                self.alias(depth + 1, counts)
            elif tag == tables.DECL_EXPORT:
                name = self.extern_name()
                self.line(depth + 1, f"(export {self.externdesc(counts, name, export=True)})")
            elif tag == tables.DECL_IMPORT and component:
                name = self.extern_name()
                self.line(depth + 1, f"(import {self.externdesc(counts, name, export=False)})")
            else:
                r.fail(f"unsupported declarator 0x{tag:02x}", offset)
        self.line(depth, ")")

    def extern_name(self) -> str:
        r = self.r
        offset = r.pos
        kind = r.byte()
        text = _str(r.name())
        if kind in (tables.NAME_PLAIN, tables.NAME_PLAIN_LEGACY):
            return text
        if kind != tables.NAME_WITH_ATTRIBUTES:
            r.fail(f"invalid name kind 0x{kind:02x}", offset)
        attrs = []
        for _ in range(r.count()):
            attr = r.byte()
            value = _str(r.name())
            keyword = tables.ATTRIBUTE_KEYWORDS.get(attr)
            if keyword is None:
                r.fail(f"unsupported name attribute 0x{attr:02x}", r.pos - 1)
            attrs.append(f"({keyword} {value})")
        return " ".join([text, *attrs])

    def sort(self) -> str | None:
        """A component-level sort other than `value`, by name; None for any other."""
        sort = tables.SORT_NAMES.get(self.r.byte())
        return None if sort == "value" else sort

    def externdesc(self, counts: _Counts, name: str, *, export: bool) -> str:
        """`"name" (sort (;i;) ...)` for imports, `(;i;) "name" (sort ...)` for exports."""
        r = self.r
        offset = r.pos
        sort = self.sort()
        if sort is None:
            r.fail("unsupported extern type", offset)
        if sort == "type":
            bound = r.byte()
            if bound == tables.BOUND_EQ:
                desc = f"(eq {r.u32()})"
            elif bound == tables.BOUND_SUB_RESOURCE:
                desc = "(sub resource)"
            else:
                r.fail(f"invalid type bound 0x{bound:02x}", r.pos - 1)
        else:
            desc = f"(type {r.u32()})"
        index = counts.next(sort)
        if export:
            return f"(;{index};) {name} ({sort} {desc})"
        return f"{name} ({sort} (;{index};) {desc})"

    def alias(self, depth: int, counts: _Counts) -> None:
        r = self.r
        offset = r.pos
        sort = self.sort()
        kind = r.byte()
        if sort is None:
            r.fail("unsupported alias sort", offset)
        if kind == tables.ALIAS_EXPORT:
            instance = r.u32()
            target = f"export {instance} {_str(r.name())}"
        elif kind == tables.ALIAS_OUTER:
            outer = r.u32()
            target = f"outer {outer} {r.u32()}"
        else:
            r.fail(f"unsupported alias kind 0x{kind:02x}", offset)
        self.line(depth, f"(alias {target} ({sort} (;{counts.next(sort)};)))")

    # ---- sections

    def component(self) -> str:
        if self.data[:8] != COMPONENT_PREAMBLE:
            raise Malformed("not a component (bad preamble)", 0)
        self.line(0, "(component")
        counts = _Counts()
        for section_id, start, r in read_sections(self.data, 8, len(self.data)):
            self.r = r
            match section_id:
                case tables.SECTION_CUSTOM:
                    self.custom()
                case tables.SECTION_TYPE:
                    for _ in range(r.count()):
                        self.deftype(1, counts.next("type"))
                case tables.SECTION_EXPORT:
                    for _ in range(r.count()):
                        self.export(counts)
                case tables.SECTION_IMPORT:
                    for _ in range(r.count()):
                        name = self.extern_name()
                        self.line(1, f"(import {self.externdesc(counts, name, export=False)})")
                case tables.SECTION_ALIAS:
                    for _ in range(r.count()):
                        self.alias(1, counts)
                case _:
                    r.fail(f"section id {section_id} is not supported by this printer", start)
            if r.pos != r.end:
                r.fail("trailing bytes at the end of a section", r.pos)
        self.line(0, ")")
        return "\n".join(self.lines) + "\n"

    def export(self, counts: _Counts) -> None:
        r = self.r
        name = self.extern_name()
        offset = r.pos
        sort = self.sort()
        if sort is None:
            r.fail("unsupported export sort", offset)
        index = r.u32()
        if r.byte() != 0:
            r.fail("type ascriptions are not supported by this printer", r.pos - 1)
        self.line(1, f"(export (;{counts.next(sort)};) {name} ({sort} {index}))")

    def custom(self) -> None:
        r = self.r
        name = r.name()
        payload = self.data[r.pos : r.end]
        if name == "producers":
            self.producers()
        else:
            self.line(1, f"(@custom {_str(name)} {_bytes(payload)})")
        r.pos = r.end

    def producers(self) -> None:
        r = self.r
        self.line(1, "(@producers")
        for _ in range(r.count()):
            fieldname = r.name()
            for _ in range(r.count()):
                tool, version = r.name(), r.name()
                self.line(2, f"({fieldname} {_str(tool)} {_str(version)})")
        self.line(1, ")")


def print_component(data: bytes) -> str:
    """The text of a component binary, as `wasm-tools print` writes it."""
    try:
        return _Printer(bytes(data)).component()
    except Malformed as e:
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
        first = items[0] if items else None
        if isinstance(first, _Tok) and first.text.startswith("$"):
            items.pop(0)
            return first.text
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
        scope.decls.append(w.byte(tables.DECL_TYPE) + body)
        return scope.add("type", None)

    # ---- types

    def valtype(self, node: _Sexp) -> bytes:
        if isinstance(node, _Tok) and node.text in tables.PRIMITIVE_CODES:
            return w.byte(tables.PRIMITIVE_CODES[node.text])
        if isinstance(node, _List):
            return w.sleb128(self.define(self.deftype(node)))
        return w.sleb128(self.index(node, "type"))

    def opt(self, node: _Sexp | None) -> bytes:
        return b"\x00" if node is None else b"\x01" + self.valtype(node)

    def deftype(self, node: _Sexp) -> bytes:
        if isinstance(node, _Tok):
            if node.text in tables.PRIMITIVE_CODES:
                return w.byte(tables.PRIMITIVE_CODES[node.text])
            self.fail(f"unknown type `{node.text}`", node)
        head = self.head(node)
        args = list(node.items[1:])
        if head in ("component", "instance"):
            return self.scope_type(node, component=head == "component")
        if head == "func":
            return self.functype(node, args)
        if head == "record":
            fields = [self.labelled(f, "field") for f in args]
            return w.byte(tables.TYPE_RECORD) + w.vec([n + self.valtype(t) for n, t in fields])
        if head == "variant":
            cases = []
            for c in args:
                if self.head(c) != "case" or not isinstance(c, _List):
                    self.fail("expected `(case ...)`", c)
                rest = list(c.items[1:])
                label = self.name(rest[0])
                cases.append(label + self.opt(rest[1] if len(rest) > 1 else None) + b"\x00")
            return w.byte(tables.TYPE_VARIANT) + w.vec(cases)
        if head == "list":
            if len(args) == 2:
                size = w.uleb128(self.index(args[1], "size"))
                return w.byte(tables.TYPE_FIXED_LIST) + self.valtype(args[0]) + size
            return w.byte(tables.TYPE_LIST) + self.valtype(self.one(node, args))
        if head == "tuple":
            return w.byte(tables.TYPE_TUPLE) + w.vec([self.valtype(t) for t in args])
        if head in ("flags", "enum"):
            code = tables.TYPE_FLAGS if head == "flags" else tables.TYPE_ENUM
            return w.byte(code) + w.vec([self.name(a) for a in args])
        if head == "option":
            return w.byte(tables.TYPE_OPTION) + self.valtype(self.one(node, args))
        if head == "result":
            ok: _Sexp | None = None
            err: _Sexp | None = None
            for a in args:
                if self.head(a) == "error" and isinstance(a, _List):
                    err = self.one(a, list(a.items[1:]))
                else:
                    ok = a
            return w.byte(tables.TYPE_RESULT) + self.opt(ok) + self.opt(err)
        if head in ("own", "borrow"):
            code = tables.TYPE_OWN if head == "own" else tables.TYPE_BORROW
            return w.byte(code) + w.uleb128(self.index(self.one(node, args), "type"))
        if head in ("stream", "future"):
            code = tables.TYPE_STREAM if head == "stream" else tables.TYPE_FUTURE
            return w.byte(code) + self.opt(args[0] if args else None)
        if head == "map" and len(args) == 2:
            return w.byte(tables.TYPE_MAP) + self.valtype(args[0]) + self.valtype(args[1])
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
        code = tables.TYPE_FUNC
        if args and isinstance(args[0], _Tok) and args[0].text == "async":
            code = tables.TYPE_ASYNC_FUNC
            args.pop(0)
        params = [self.labelled(a, "param") for a in args if self.head(a) == "param"]
        results = [a for a in args if self.head(a) == "result"]
        if len(params) + len(results) != len(args) or len(results) > 1:
            self.fail("expected `(param ...)` then at most one `(result ...)`", node)
        out = w.byte(code) + w.vec([n + self.valtype(t) for n, t in params])
        if not results:
            return out + w.byte(tables.FUNC_RESULT_NONE) + w.vec([])
        result = results[0]
        assert isinstance(result, _List)
        result_type = self.valtype(self.one(result, list(result.items[1:])))
        return out + w.byte(tables.FUNC_RESULT_TYPE) + result_type

    def scope_type(self, node: _Sexp, *, component: bool) -> bytes:
        assert isinstance(node, _List)
        self.scopes.append(_TScope())
        for decl in node.items[1:]:
            self.decl(decl, component=component)
        scope = self.scopes.pop()
        code = tables.TYPE_COMPONENT if component else tables.TYPE_INSTANCE
        return w.byte(code) + w.vec(scope.decls)

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
            scope.decls.append(w.byte(tables.DECL_TYPE) + body)
            scope.add("type", ident)
        elif head == "alias":
            scope.decls.append(w.byte(tables.DECL_ALIAS) + self.alias(node, items))
        elif head == "export" or (head == "import" and component):
            self.ident(items)
            tag = tables.DECL_EXPORT if head == "export" else tables.DECL_IMPORT
            name = self.extern_name(items)
            scope.decls.append(w.byte(tag) + name + self.externdesc(self.one(node, items)))
        else:
            self.fail(f"unsupported declaration `{head or '?'}`", node)

    def extern_name(self, items: list[_Sexp]) -> bytes:
        if not items:
            raise _TextError("expected a name", 0)
        name = self.name(items.pop(0))
        attrs = []
        while items and self.head(items[0]) in tables.ATTRIBUTE_CODES:
            attr = items.pop(0)
            assert isinstance(attr, _List)
            code = tables.ATTRIBUTE_CODES[self.head(attr)]
            attrs.append(w.byte(code) + self.name(self.one(attr, list(attr.items[1:]))))
        if not attrs:
            return w.byte(tables.NAME_PLAIN) + name
        return w.byte(tables.NAME_WITH_ATTRIBUTES) + name + w.vec(attrs)

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
                out = bytes((tables.SORT_TYPE, tables.BOUND_SUB_RESOURCE))
            elif self.head(bound) == "eq" and isinstance(bound, _List):
                target = self.one(bound, list(bound.items[1:]))
                eq = bytes((tables.SORT_TYPE, tables.BOUND_EQ))
                out = eq + w.uleb128(self.index(target, "type"))
            else:
                self.fail("expected `(eq i)` or `(sub resource)`", bound)
        elif len(items) == 1 and self.head(items[0]) == "type":
            ref = items[0]
            assert isinstance(ref, _List)
            out = w.byte(tables.SORT_CODES[head]) + w.uleb128(
                self.index(self.one(ref, list(ref.items[1:])), "type")
            )
        else:
            inline = _List((_Tok("atom", head, node.offset), *items), node.offset)
            out = w.byte(tables.SORT_CODES[head]) + w.uleb128(self.define(self.deftype(inline)))
        scope.add(head, ident)
        return out

    def alias(self, node: _Sexp, items: list[_Sexp]) -> bytes:
        if len(items) < 3:
            self.fail("malformed alias", node)
        kind = items[0]
        target = items[-1]
        if self.head(target) not in tables.SORT_CODES or not isinstance(target, _List):
            self.fail("expected the aliased sort", target)
        sort = self.head(target)
        rest = list(target.items[1:])
        ident = self.ident(rest)
        scope = self.scopes[-1]
        if isinstance(kind, _Tok) and kind.text == "export" and len(items) == 4:
            instance = w.uleb128(self.index(items[1], "instance"))
            body = w.byte(tables.ALIAS_EXPORT) + instance + self.name(items[2])
        elif isinstance(kind, _Tok) and kind.text == "outer" and len(items) == 4:
            count = self.index(items[1], "outer count")
            if count >= len(self.scopes):
                self.fail("outer alias count out of bounds", items[1])
            outer = self.scopes[-1 - count]
            index = w.uleb128(self.index(items[2], sort, outer))
            body = w.byte(tables.ALIAS_OUTER) + w.uleb128(count) + index
        else:
            self.fail("unsupported alias", node)
        scope.add(sort, ident)
        return w.byte(tables.SORT_CODES[sort]) + body

    def component(self, node: _Sexp) -> bytes:
        if self.head(node) != "component" or not isinstance(node, _List):
            self.fail("expected `(component ...)`", node)
        out = bytearray(COMPONENT_PREAMBLE)
        self.scopes.append(_TScope())
        items = list(node.items[1:])
        self.ident(items)
        for item in items:
            head = self.head(item)
            scope = self.scopes[-1]
            before = len(scope.decls)
            if head == "type":
                self.decl(item, component=True)
                section = tables.SECTION_TYPE
            elif head == "import":
                self.decl(item, component=True)
                section = tables.SECTION_IMPORT
            elif head == "alias":
                self.decl(item, component=True)
                section = tables.SECTION_ALIAS
            elif head == "export":
                body = self.export(item)
                out += w.section(tables.SECTION_EXPORT, w.vec([body]))
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
                out += w.section(tables.SECTION_TYPE, w.vec([decl[1:]]))
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
        if sort not in tables.SORT_CODES or not isinstance(ref, _List):
            self.fail("expected `(sort index)`", ref)
        index = self.index(self.one(ref, list(ref.items[1:])), sort)
        self.scopes[-1].add(sort, ident)
        return name + w.byte(tables.SORT_CODES[sort]) + w.uleb128(index) + b"\x00"


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
