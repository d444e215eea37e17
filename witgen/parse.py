"""Text → `nodes.File`.

Input: one file's text and its offset in the `SourceMap`. Output: a `nodes.File` whose
spans are absolute offsets, or a `WitError` holding the first syntax error of the file
(LALR recovers badly, so a file stops at its first error). Invariants: the lexer emits
exactly the terminal names of `grammars/wit.lark`; the callbacks of `Builder` build
nodes directly while the parser reduces, so no lark tree is ever made; every comment is
kept (as docs for the item it precedes, and in `File.comments` for the formatter).
"""

from __future__ import annotations

import functools
import itertools
import re
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, cast

from witgen import nodes as n
from witgen.diagnostics import Diagnostic, WitError, error
from witgen.source import SourceMap, Span

KEYWORDS: dict[str, str] = {
    kw: kw.upper().replace("-", "_")
    for kw in (
        "as",
        "async",
        "bool",
        "borrow",
        "char",
        "constructor",
        "enum",
        "export",
        "f32",
        "f64",
        "flags",
        "from",
        "func",
        "future",
        "import",
        "include",
        "interface",
        "list",
        "map",
        "option",
        "own",
        "package",
        "record",
        "resource",
        "result",
        "s16",
        "s32",
        "s64",
        "s8",
        "static",
        "stream",
        "tuple",
        "type",
        "u16",
        "u32",
        "u64",
        "u8",
        "use",
        "variant",
        "with",
        "world",
        "error-context",
    )
}
KEYWORDS["string"] = "STRING_KW"

OPERATORS: dict[str, str] = {
    "=": "EQ",
    ",": "COMMA",
    ":": "COLON",
    ";": "SEMI",
    "(": "LPAREN",
    ")": "RPAREN",
    "{": "LBRACE",
    "}": "RBRACE",
    "<": "LT",
    ">": "GT",
    "*": "STAR",
    "->": "ARROW",
    "/": "SLASH",
    ".": "DOT",
    "@": "AT",
}

# One token, after any whitespace. Group numbers (the `_G_*` below) dispatch in
# `tokenize`; `id` takes only names wit-parser accepts (kebab-case words, each all lower
# or all upper case, not ending in a name character), anything else name-like is `badid`.
_TOKEN = re.compile(
    r"(?:[ \t\n]|\r\n)*(?:"
    r"(//[^\n]*)"
    r"|(/\*)"
    r"|(%?(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:-(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*))*(?![\w\-]))"
    r"|(%?[^\W\d][\w\-]*|%[\w\-]*)"
    r"|([0-9]+(?:\.[0-9A-Za-z]+)*(?:[-+][0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*)*)"
    r"|(\"[^\"\n]*\")"
    r"|(->|[=,:;(){}<>*/.@])"
    r"|(\Z)"
    r"|([\s\S])"
    r")"
)
_G_LINE, _G_BLOCK, _G_ID, _G_BADID, _G_NUM, _G_STR, _G_OP, _G_END, _G_BAD = range(1, 10)
# Code points WIT.md forbids: control codes other than \t \n \r, bidi overrides,
# and a few code points Unicode deprecates.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
    "\u0149\u0673\u0f77\u0f79\u17a3\u17a4\u206a-\u206f\U000e0001]"
)
MAX_NESTING = 100  # wit-parser's limit on nested type arguments


class Token:
    """A token: lighter than lark's own (a `str` subclass), which dominated parse time."""

    __slots__ = ("end_pos", "start_pos", "type", "value")

    def __init__(self, type: str, value: str, start_pos: int, end_pos: int) -> None:
        self.type = type
        self.value = value
        self.start_pos = start_pos
        self.end_pos = end_pos

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"


class LexError(Exception):
    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


class _Context(threading.local):
    """Per-parse state shared by the lexer and the builder (one parse at a time per thread)."""

    def __init__(self) -> None:
        self.base = 0
        self.docs: dict[int, tuple[str, ...]] = {}
        self.comments: list[n.Comment] = []
        self.last: Token | None = None


_ctx = _Context()


_VALID_ID = re.compile(
    r"%?(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:-(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*))*"
)


def _id_error(text: str, start: int) -> Diagnostic | None:
    """wit-parser's identifier rules: kebab-case words, each all-lower or all-upper."""
    if _VALID_ID.fullmatch(text):
        return None
    name = text[1:] if text.startswith("%") else text
    span = Span(start, start + 1)
    for ch in name:
        if not (ch.isascii() and (ch.isalnum() or ch == "-")):
            return error("WIT102", f"invalid character in identifier {ch!r}", span)
    for word in name.split("-"):
        if not word or not word[0].isalpha():
            return error("WIT102", "identifiers must have characters between '-'s", span)
        upper = word[0].isupper()
        for ch in word:
            if ch.isalpha() and ch.isupper() != upper:
                return error("WIT102", f"invalid character in identifier {ch!r}", span)
    return None


def _block_comment_end(text: str, pos: int) -> int:
    """End offset (exclusive) of the nested block comment starting at `pos`, or -1."""
    depth, i, size = 0, pos, len(text)
    while i < size:
        j = text.find("/*", i)
        k = text.find("*/", i)
        if k < 0:
            return -1
        if 0 <= j < k:
            depth += 1
            i = j + 2
        else:
            depth -= 1
            i = k + 2
            if depth == 0:
                return i
    return -1


def tokenize(text: str, base: int) -> Iterator[Token]:
    """Yield Tokens with absolute positions; record comments in the context."""
    docs = _ctx.docs
    comments = _ctx.comments
    keywords = KEYWORDS
    operators = OPERATORS
    pending: list[str] = []
    depth = 0
    pos = 0
    while True:
        # One match per token, whitespace included; `finditer` restarts after a block
        # comment, whose nesting a regular expression cannot follow.
        for m in _TOKEN.finditer(text, pos):
            group: int = m.lastindex  # type: ignore[assignment]  # one group always matches
            start, end = m.span(group)
            if group == _G_ID:
                value = m.group(group)
                ttype = keywords.get(value, "ID")
            elif group == _G_OP:
                value = m.group(group)
                ttype = operators[value]
                if ttype == "LT":
                    depth += 1
                elif ttype == "GT":
                    depth = max(depth - 1, 0)
            elif group == _G_LINE:
                body = m.group(group)
                pending.append(body)
                comments.append(n.Comment(text=body, span=Span(base + start, base + end)))
                continue
            elif group == _G_END:
                return
            elif group == _G_NUM:
                value = m.group(group)
                ttype = "INTEGER" if value.isdigit() else "VERSION"
            elif group == _G_STR:
                value = m.group(group)
                ttype = "STRING"
            elif group == _G_BADID:
                value = m.group(group)
                if value == "_":
                    ttype = "UNDERSCORE"
                else:
                    diag = _id_error(value, base + start)
                    if diag is None:  # pragma: no cover - `_G_ID` takes every valid name
                        raise AssertionError(value)
                    raise LexError(diag)
            elif group == _G_BLOCK:
                pos = _block_comment_end(text, start)
                if pos < 0:
                    sp = Span(base + start, base + start + 1)
                    raise LexError(error("WIT100", "unterminated block comment", sp))
                body = text[start:pos]
                pending.append(body)
                comments.append(n.Comment(text=body, span=Span(base + start, base + pos)))
                break
            else:
                ch = text[start]
                sp = Span(base + start, base + start + 1)
                raise LexError(error("WIT100", f"unexpected character {ch!r}", sp))
            if depth >= MAX_NESTING and ttype != "LT" and ttype != "GT":
                # `<` only opens type arguments, so its depth is the type nesting depth;
                # wit-parser refuses a type nested more than MAX_NESTING levels deep.
                sp = Span(base + start, base + end)
                raise LexError(error("WIT313", "type nesting too deep", sp))
            tok = Token(ttype, value, base + start, base + end)
            if pending:
                docs[base + start] = tuple(pending)
                pending = []
            _ctx.last = tok
            yield tok
        else:  # pragma: no cover - the `_G_END` alternative always matches last
            return


# ---------------------------------------------------------------- node building

Child = Any


def _start(x: Child) -> int:
    if type(x) is Token:
        return x.start_pos
    if type(x) is tuple:
        return _start(x[0])
    return cast(int, x.span.start)


def _end(x: Child) -> int:
    if type(x) is Token:
        return x.end_pos
    if type(x) is tuple:
        return _end(x[-1])
    return cast(int, x.span.end)


def _span(children: list[Child]) -> Span:
    """From the first to the last non-empty child (this runs once per reduction)."""
    for first in children:
        if (first is not None and first.__class__ is not tuple) or first:
            break
    else:
        last = _ctx.last
        pos = last.end_pos if last is not None else _ctx.base
        return Span(pos, pos)
    for final in reversed(children):
        if (final is not None and final.__class__ is not tuple) or final:
            break
    return Span(_start(first), _end(final))


def _docs(start: int) -> n.Docs:
    comments = _ctx.docs.get(start)
    if comments is None:
        return n.NO_DOCS
    return n.Docs(comments=comments, span=Span(start, start))


def _head(c: list[Child]) -> tuple[n.Docs, tuple[n.Attribute, ...], Span]:
    """Docs, attributes and span of an item whose first child is `attrs`."""
    sp = _span(c)
    return _docs(sp.start), c[0], sp


def _of(kind: type, c: list[Child]) -> tuple[Any, ...]:
    return tuple(x for x in c if isinstance(x, kind))


class SyntaxProblem(Exception):
    """Raised by a callback for a syntactically well-formed but invalid construct."""

    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


class Builder:
    """One small method per grammar rule (`_drive` calls them as it reduces)."""

    def start(self, c: list[Child]) -> n.File:
        return cast(n.File, c[0])

    def file(self, c: list[Child]) -> n.File:
        return n.File(path="", package=c[0], items=tuple(c[1:]), comments=(), span=_span(c))

    def package_header(self, c: list[Child]) -> n.PackageDecl:
        return cast(n.PackageDecl, c[0])

    def top_item(self, c: list[Child]) -> Any:
        return c[0]

    def nested_package(self, c: list[Child]) -> n.NestedPackage:
        return n.NestedPackage(decl=c[0], items=tuple(c[2:-1]), span=_span(c))

    def package_decl(self, c: list[Child]) -> n.PackageDecl:
        sp = _span(c)
        return n.PackageDecl(docs=_docs(sp.start), name=c[1], span=sp)

    def package_name(self, c: list[Child]) -> n.PackageName:
        ver = c[3]
        return n.PackageName(
            namespace=c[0],
            name=c[2],
            extra=(),
            version=ver.value if ver else None,
            version_span=_span([ver]) if ver else Span.UNKNOWN,
            span=_span(c),
        )

    def version(self, c: list[Child]) -> Token:
        tok: Token = c[1]
        _check_version(tok)
        return tok

    def toplevel_use(self, c: list[Child]) -> n.ToplevelUse:
        docs, attrs, sp = _head(c)
        return n.ToplevelUse(docs=docs, attrs=attrs, path=c[2], alias=c[4], span=sp)

    def local_path(self, c: list[Child]) -> n.LocalPath:
        return n.LocalPath(name=c[0], span=_span(c))

    def package_path(self, c: list[Child]) -> n.PackagePath:
        ver = c[5]
        return n.PackagePath(
            namespace=c[0],
            package=c[2],
            name=c[4],
            version=ver.value if ver else None,
            span=_span(c),
        )

    # ---- attributes
    def attrs(self, c: list[Child]) -> tuple[n.Attribute, ...]:
        return tuple(c)

    def attr(self, c: list[Child]) -> n.Attribute:
        attr = self._attr(c[1], c[3], _span(c))
        if len(c) > 5:
            comma: Token = c[4]
            raise SyntaxProblem(error("WIT101", "expected ')', found ','", _span([comma])))
        return attr

    def _attr(self, name: n.Id, arg: tuple[str, Any, Any], sp: Span) -> n.Attribute:
        kind, key, value = arg
        expected = {"since": "version", "deprecated": "version", "unstable": "feature"}
        if name.name == "external-id":
            if kind != "string":
                raise SyntaxProblem(error("WIT104", "expected a string", key.span if key else sp))
            return n.ExternalId(value=_unquote(value), span=sp)
        want = expected.get(name.name)
        if want is None:
            raise SyntaxProblem(error("WIT104", f"unknown attribute `{name.name}`", name.span))
        if kind == "string":
            raise SyntaxProblem(
                error("WIT104", f"expected `{want}`, found a string", _span([value]))
            )
        if key.name != want:
            raise SyntaxProblem(error("WIT104", f"expected `{want}`, found `{key.name}`", key.span))
        if want == "feature":
            if kind != "ident":
                raise SyntaxProblem(error("WIT104", "expected an identifier", _span([value])))
            return n.Unstable(feature=value.name, span=sp)
        if kind != "version":
            raise SyntaxProblem(error("WIT103", "expected a version", _span([value])))
        _check_version(value)
        if name.name == "since":
            return n.Since(version=value.value, span=sp)
        return n.Deprecated(version=value.value, span=sp)

    def attr_version(self, c: list[Child]) -> tuple[str, n.Id, Token]:
        return ("version", c[0], c[2])

    def attr_ident(self, c: list[Child]) -> tuple[str, n.Id, n.Id]:
        return ("ident", c[0], c[2])

    def attr_string(self, c: list[Child]) -> tuple[str, None, Token]:
        return ("string", None, c[0])

    # ---- interfaces
    def interface(self, c: list[Child]) -> n.Interface:
        docs, attrs, sp = _head(c)
        return n.Interface(docs=docs, attrs=attrs, name=c[2], items=tuple(c[4:-1]), span=sp)

    def interface_item(self, c: list[Child]) -> Any:
        return c[0]

    def typedef_item(self, c: list[Child]) -> Any:
        return c[0]

    def use_item(self, c: list[Child]) -> n.Use:
        docs, attrs, sp = _head(c)
        return n.Use(docs=docs, attrs=attrs, path=c[2], names=c[5] or (), span=sp)

    def use_names(self, c: list[Child]) -> tuple[n.UseName, ...]:
        return _of(n.UseName, c)

    def use_name(self, c: list[Child]) -> n.UseName:
        return n.UseName(name=c[0], alias=c[2], span=_span(c))

    def func_item(self, c: list[Child]) -> n.Func:
        docs, attrs, sp = _head(c)
        return n.Func(docs=docs, attrs=attrs, name=c[1], func=c[3], span=sp)

    def func_type(self, c: list[Child]) -> n.FuncType:
        return n.FuncType(is_async=c[0] is not None, params=c[3], result=c[5], span=_span(c))

    def params(self, c: list[Child]) -> tuple[n.Param, ...]:
        return _of(n.Param, c)

    def param(self, c: list[Child]) -> n.Param:
        return n.Param(name=c[0], type=c[2], span=_span(c))

    def result_type(self, c: list[Child]) -> Any:
        return c[1]

    def type_alias(self, c: list[Child]) -> n.TypeAlias:
        docs, attrs, sp = _head(c)
        return n.TypeAlias(docs=docs, attrs=attrs, name=c[2], type=c[4], span=sp)

    def record(self, c: list[Child]) -> n.Record:
        docs, attrs, sp = _head(c)
        return n.Record(docs=docs, attrs=attrs, name=c[2], fields=_of(n.Field, c), span=sp)

    def field(self, c: list[Child]) -> n.Field:
        docs, attrs, sp = _head(c)
        return n.Field(docs=docs, attrs=attrs, name=c[1], type=c[3], span=sp)

    def flags(self, c: list[Child]) -> n.Flags:
        docs, attrs, sp = _head(c)
        return n.Flags(docs=docs, attrs=attrs, name=c[2], flags=_of(n.FlagName, c), span=sp)

    def flag(self, c: list[Child]) -> n.FlagName:
        docs, attrs, sp = _head(c)
        return n.FlagName(docs=docs, attrs=attrs, name=c[1], span=sp)

    def variant(self, c: list[Child]) -> n.Variant:
        docs, attrs, sp = _head(c)
        return n.Variant(docs=docs, attrs=attrs, name=c[2], cases=_of(n.Case, c), span=sp)

    def case(self, c: list[Child]) -> n.Case:
        docs, attrs, sp = _head(c)
        return n.Case(docs=docs, attrs=attrs, name=c[1], type=c[3], span=sp)

    def enum(self, c: list[Child]) -> n.Enum:
        docs, attrs, sp = _head(c)
        return n.Enum(docs=docs, attrs=attrs, name=c[2], cases=_of(n.EnumCase, c), span=sp)

    def enum_case(self, c: list[Child]) -> n.EnumCase:
        docs, attrs, sp = _head(c)
        return n.EnumCase(docs=docs, attrs=attrs, name=c[1], span=sp)

    def resource_decl(self, c: list[Child]) -> n.Resource:
        docs, attrs, sp = _head(c)
        return n.Resource(docs=docs, attrs=attrs, name=c[2], funcs=None, span=sp)

    def resource_def(self, c: list[Child]) -> n.Resource:
        docs, attrs, sp = _head(c)
        return n.Resource(docs=docs, attrs=attrs, name=c[2], funcs=_of(n.ResourceFunc, c), span=sp)

    def method(self, c: list[Child]) -> n.ResourceFunc:
        docs, attrs, sp = _head(c)
        return n.ResourceFunc(docs=docs, attrs=attrs, kind="method", name=c[1], func=c[3], span=sp)

    def static_func(self, c: list[Child]) -> n.ResourceFunc:
        docs, attrs, sp = _head(c)
        return n.ResourceFunc(docs=docs, attrs=attrs, kind="static", name=c[1], func=c[4], span=sp)

    def constructor(self, c: list[Child]) -> n.ResourceFunc:
        docs, attrs, sp = _head(c)
        kw: Token = c[1]
        name = n.Id(name="constructor", span=_span([kw]))
        func = n.FuncType(is_async=False, params=c[3], result=c[5], span=_span(c[1:]))
        return n.ResourceFunc(
            docs=docs, attrs=attrs, kind="constructor", name=name, func=func, span=sp
        )

    # ---- worlds
    def world(self, c: list[Child]) -> n.World:
        docs, attrs, sp = _head(c)
        return n.World(docs=docs, attrs=attrs, name=c[2], items=tuple(c[4:-1]), span=sp)

    def world_item(self, c: list[Child]) -> Any:
        return c[0]

    def import_item(self, c: list[Child]) -> n.Import:
        docs, attrs, sp = _head(c)
        return n.Import(docs=docs, attrs=attrs, extern=c[2], span=sp)

    def export_item(self, c: list[Child]) -> n.Export:
        docs, attrs, sp = _head(c)
        return n.Export(docs=docs, attrs=attrs, extern=c[2], span=sp)

    def extern_func(self, c: list[Child]) -> n.ExternFunc:
        return n.ExternFunc(name=c[0], func=c[2], span=_span(c))

    def extern_inline(self, c: list[Child]) -> n.ExternInline:
        return n.ExternInline(name=c[0], items=tuple(c[4:-1]), span=_span(c))

    def extern_named(self, c: list[Child]) -> n.ExternNamed:
        return n.ExternNamed(name=c[0], path=c[2], span=_span(c))

    def extern_path(self, c: list[Child]) -> n.ExternPath:
        return n.ExternPath(path=c[0], span=_span(c))

    def include_plain(self, c: list[Child]) -> n.Include:
        docs, attrs, sp = _head(c)
        return n.Include(docs=docs, attrs=attrs, path=c[2], names=(), span=sp)

    def include_with(self, c: list[Child]) -> n.Include:
        docs, attrs, sp = _head(c)
        return n.Include(docs=docs, attrs=attrs, path=c[2], names=c[5], span=sp)

    def include_names(self, c: list[Child]) -> tuple[n.IncludeName, ...]:
        return _of(n.IncludeName, c)

    def include_name(self, c: list[Child]) -> n.IncludeName:
        return n.IncludeName(name=c[0], alias=c[2], span=_span(c))

    # ---- types
    def prim_ty(self, c: list[Child]) -> n.Prim:
        tok: Token = c[0]
        return n.Prim(name=cast(n.PrimName, str(tok)), span=_span(c))

    def tuple_ty(self, c: list[Child]) -> n.TupleType:
        return n.TupleType(
            types=tuple(x for x in c[2:-1] if not isinstance(x, Token)), span=_span(c)
        )

    def list_ty(self, c: list[Child]) -> n.ListType:
        size = c[4]
        if size is not None:
            value = int(size.value)
            if value >= 1 << 32:
                raise SyntaxProblem(
                    error(
                        "WIT106",
                        "invalid list size: number too large to fit in target type",
                        _span([size]),
                    )
                )
            return n.ListType(element=c[2], size=value, span=_span(c))
        return n.ListType(element=c[2], size=None, span=_span(c))

    def option_ty(self, c: list[Child]) -> n.OptionType:
        return n.OptionType(type=c[2], span=_span(c))

    def result_ty(self, c: list[Child]) -> n.ResultType:
        args = c[2]
        if args is None:
            return n.ResultType(ok=None, err=None, span=_span(c))
        return n.ResultType(ok=args[0], err=args[1], span=_span(c))

    def result_args(self, c: list[Child]) -> tuple[Any, Any]:
        return (c[0], c[2])

    def result_no_ok(self, c: list[Child]) -> tuple[Any, Any]:
        return (None, c[2])

    def map_ty(self, c: list[Child]) -> n.MapType:
        return n.MapType(key=c[2], value=c[4], span=_span(c))

    def future_ty(self, c: list[Child]) -> n.FutureType:
        return n.FutureType(type=c[2], span=_span(c))

    def stream_ty(self, c: list[Child]) -> n.StreamType:
        return n.StreamType(type=c[2], span=_span(c))

    def handle_ty(self, c: list[Child]) -> n.HandleType:
        return n.HandleType(borrow=c[0].type == "BORROW", resource=c[2], span=_span(c))

    def named_ty(self, c: list[Child]) -> n.Named:
        return n.Named(name=c[0], span=_span(c))

    def id(self, c: list[Child]) -> n.Id:
        tok: Token = c[0]
        text = tok.value
        span = Span(tok.start_pos, tok.end_pos)
        return n.Id(name=text[1:] if text[0] == "%" else text, span=span)


_SEMVER = re.compile(
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(?:-((?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)


def _check_version(tok: Token) -> None:
    text = str(tok)
    if _SEMVER.fullmatch(text):
        return
    sp = Span(tok.start_pos, tok.end_pos)
    parts = re.match(r"([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?", text)
    if parts:
        for label, part in zip(("major", "minor", "patch"), parts.groups(), strict=True):
            if part and len(part) > 1 and part.startswith("0"):
                raise SyntaxProblem(
                    error("WIT103", f"invalid leading zero in {label} version number", sp)
                )
    raise SyntaxProblem(error("WIT103", f"invalid semantic version `{text}`", sp))


def _unquote(tok: Token) -> str:
    return str(tok)[1:-1]


# ---------------------------------------------------------------- errors

_DESCRIBE = {
    "ID": "an identifier",
    "INTEGER": "an integer",
    "VERSION": "an integer",
    "STRING": "a string literal",
    "UNDERSCORE": "keyword `_`",
    "ARROW": "`->`",
    "SLASH": "`/`",
    "AT": "`@`",
    "STAR": "`*`",
    "$END": "eof",
}
_SYMBOLS = {v: k for k, v in OPERATORS.items()}


def describe_token(ttype: str, value: str = "") -> str:
    """wit-parser's wording for a token: keyword `x`, ';', an identifier, eof."""
    if ttype == "ID" and value.startswith("%"):
        return "an '%' identifier"
    if ttype in _DESCRIBE:
        return _DESCRIBE[ttype]
    if ttype in _SYMBOLS:
        return f"'{_SYMBOLS[ttype]}'"
    kw = {v: k for k, v in KEYWORDS.items()}.get(ttype)
    if kw is not None:
        return f"keyword `{kw}`"
    return ttype.lower()


_PRIORITY = (
    "LPAREN",
    "GT",
    "LBRACE",
    "SEMI",
    "COMMA",
    "RPAREN",
    "COLON",
    "EQ",
    "LT",
    "DOT",
    "ID",
    "RBRACE",
    "INTEGER",
)
_ITEM_STARTS = {"TYPE", "RESOURCE", "RECORD", "FLAGS", "VARIANT", "ENUM", "USE", "ID"}


def _expected_text(expected: set[str]) -> str:
    """wit-parser's `expected X` wording for the set of tokens the parser would accept."""
    exp = {e for e in expected if not e.startswith("__")}
    if exp == {"INTEGER"}:
        return "fixed-length"
    if {"U8", "STRING_KW", "LIST", "ID"} <= exp:
        return "a type"
    if exp == {"ASYNC", "FUNC"} or exp == {"ASYNC", "FUNC", "STATIC"}:
        return "keyword `func`"
    if "CONSTRUCTOR" in exp and "ID" in exp:
        return "`constructor` or identifier"
    if exp >= _ITEM_STARTS:
        return "`type`, `resource` or `func`"
    if {"IMPORT", "EXPORT", "INCLUDE"} <= exp:
        return "`import`, `export`, `include`, `use`, or type definition"
    if "ID" in exp and exp <= {"ID", "STRING", "AT", "RBRACE", "RPAREN", "GT", "COMMA"}:
        return "an identifier or string"
    if len(exp) == 1:
        return describe_token(next(iter(exp)))
    for t in _PRIORITY:
        if t in exp:
            return describe_token(t)
    return describe_token(sorted(exp)[0]) if exp else "eof"


class _Stuck(Exception):
    """The parser has no action for `token` in the state on top of `stack`."""

    def __init__(self, token: Token, stack: list[int]) -> None:
        super().__init__(token.type)
        self.token = token
        self.stack = stack


def _callback(
    method: Callable[[list[Child]], Child] | None,
    expand1: bool,
    include: list[list[Any]] | None,
    nones: int,
) -> Callable[[list[Child]], Child]:
    """What a reduction calls: the `Builder` method on the children lark's tree builder
    would pass (see `grammar.build_table`). A helper rule without a method (lark's
    `__x_star` rules; `?ty`, whose alternatives each pass their one child through) returns
    its children, for the parent to splice in."""
    inner: Callable[[list[Child]], Child] = method if method is not None else list
    if expand1:
        build = inner

        def inner(children: list[Child]) -> Child:
            return children[0] if len(children) == 1 else build(children)

    if include is None:
        return inner
    plan = [(i, splice, before) for i, splice, before in include]
    simple = [i for i, _, _ in plan]
    if nones == 0 and all(not splice and not before for _, splice, before in plan):
        call = inner

        def pick(children: list[Child]) -> Child:
            return call([children[i] for i in simple])

        return pick
    done = inner

    def filtered(children: list[Child]) -> Child:
        out: list[Child] = []
        for i, splice, before in plan:
            if before:
                out += [None] * before
            if splice:
                out += children[i]
            else:
                out.append(children[i])
        if nones:
            out += [None] * nones
        return done(out)

    return filtered


@functools.cache
def _tables() -> tuple[dict[int, dict[str, tuple[Any, ...]]], int, int, frozenset[str]]:
    """The prebuilt LALR table (`grammars/wit.lalr.json`): per state, token → `(True,
    state)` to shift or go, `(False, size, callback, rule name, passes its child through)`
    to reduce."""
    from witgen.grammar import load_table

    data = load_table()
    builder = Builder()
    reductions = []
    for origin, size, method, expand1, include, nones in data["rules"]:
        callback = _callback(
            getattr(builder, method, None) if method else None, expand1, include, nones
        )
        through = expand1 and size == 1 and include is None and nones == 0
        reductions.append((False, size, callback, sys.intern(origin), through))
    states: dict[int, dict[str, tuple[Any, ...]]] = {}
    terminals: set[str] = set()
    for state, actions in data["states"].items():
        row: dict[str, tuple[Any, ...]] = {}
        for key, action in actions.items():
            token = sys.intern(key)
            if token.isupper():
                terminals.add(token)
            row[token] = (True, action) if action >= 0 else reductions[~action]
        states[int(state)] = row
    return states, data["start"], data["end"], frozenset(terminals)


@functools.cache
def _rows() -> tuple[dict[str, Any], dict[str, Any], dict[int, int]]:
    """`_tables()` for the driver: each state is its row itself, and a shift (or go) is
    the target's row, so a step costs one dict lookup. A reduction is `(size, callback,
    rule name)`; its callback is None where it passes its one child through (`?ty`).
    Returns the start row, the accepting row, and each row's state number by `id`."""
    states, start, end, _ = _tables()
    rows: dict[int, dict[str, Any]] = {state: {} for state in states}
    for state, actions in states.items():
        row = rows[state]
        for token, act in actions.items():
            if act[0]:
                row[token] = rows[act[1]]
            else:
                _, size, callback, origin, through = act
                row[token] = (size, None if through else callback, origin)
    numbers = {id(row): state for state, row in rows.items()}
    return rows[start], rows[end], numbers


def _drive(tokens: Iterator[Token], end: Token) -> n.File:
    """The LALR loop over `_rows()`."""
    start, accept, numbers = _rows()
    row_stack: list[dict[str, Any]] = [start]
    value_stack: list[Any] = []
    push_row = row_stack.append
    push_value = value_stack.append
    for tok in itertools.chain(tokens, (end,)):
        ttype = tok.type
        while True:
            act = row_stack[-1].get(ttype)
            if act is None:
                raise _Stuck(tok, [numbers[id(row)] for row in row_stack])
            if act.__class__ is dict:
                push_row(act)
                push_value(tok)
                break
            size, callback, origin = act
            if callback is None:
                del row_stack[-1]
            elif size:
                children = value_stack[-size:]
                del row_stack[-size:]
                del value_stack[-size:]
                push_value(callback(children))
            else:
                push_value(callback([]))
            push_row(row_stack[-1][origin])
            if row_stack[-1] is accept and ttype == "$END":
                return cast(n.File, value_stack[-1])
    raise AssertionError("the parser ended without accepting")  # pragma: no cover


def _accepts(stack: list[int], token: str) -> bool:
    """Whether `token` would be shifted after the reductions the table allows."""
    states = _tables()[0]
    stack = list(stack)
    for _ in range(10_000):
        act = states[stack[-1]].get(token)
        if act is None:
            return False
        if act[0]:
            return True
        size, origin = act[1], act[3]
        if size:
            del stack[-size:]
        goto = states[stack[-1]].get(origin)
        if goto is None:
            return False
        stack.append(goto[1])
    return False


def _stuck(e: _Stuck, text: str, base: int) -> Diagnostic:
    terminals = _tables()[3]
    expected = {t for t in terminals if _accepts(e.stack, t)}
    expected = expected or set(_tables()[0][e.stack[-1]])
    tok = e.token
    if tok.type == "$END":
        pos = base + len(text)
        return error(
            "WIT101", f"expected {_expected_text(expected)}, found eof", Span(pos, pos + 1)
        )
    wanted = _expected_text(expected)
    # wit-parser underlines the whole token where an identifier was expected, else one column.
    whole = wanted in ("an identifier or string", "`constructor` or identifier", "fixed-length")
    end = tok.end_pos if whole else tok.start_pos + 1
    sp = Span(tok.start_pos, max(end, tok.start_pos + 1))
    found = describe_token(tok.type, str(tok))
    return error("WIT101", f"expected {wanted}, found {found}", sp)


def parse_file(sources: SourceMap, path: str, text: str, *, base: int | None = None) -> n.File:
    """Parse one file already added to `sources` at offset `base` (default: the last file)."""
    if base is None:
        base = sources.files[-1].start
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        pos = base + bad.start()
        ch = bad.group()
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            message = f"Control code '\\u{{{ord(ch):x}}}'"  # wit-parser's wording
        else:
            message = f"invalid character {ch!r} in source"
        raise WitError((error("WIT107", message, Span(pos, pos + 1)),), sources)
    _ctx.base = base
    _ctx.docs = {}
    _ctx.comments = []
    _ctx.last = None
    try:
        end = Token("$END", "", base + len(text), base + len(text))
        tree = _drive(tokenize(text, base), end)
    except LexError as e:
        raise WitError((e.diag,), sources) from None
    except SyntaxProblem as e:
        raise WitError((e.diag,), sources) from None
    except _Stuck as e:
        raise WitError((_stuck(e, text, base),), sources) from None
    except RecursionError:
        pos = _ctx.last.start_pos if _ctx.last is not None else base
        raise WitError(
            (error("WIT313", "type nested too deeply", Span(pos, pos + 1)),), sources
        ) from None
    finally:
        docs_comments = tuple(_ctx.comments)
        _ctx.docs = {}
        _ctx.comments = []
    return n.File(
        path=path,
        package=tree.package,
        items=tree.items,
        comments=docs_comments,
        span=Span(base, base + len(text)),
    )


def parse_text(text: str, path: str = "<input>") -> tuple[n.File, SourceMap]:
    """Convenience for tests: parse one string as a file of its own."""
    sources = SourceMap()
    sources.add(path, text)
    return parse_file(sources, path, text), sources
