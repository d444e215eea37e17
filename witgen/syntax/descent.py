"""Valid text → `nodes.File`, quickly: the parser's first try.

Input: the token stream of one file (`parse._token_stream`) and the docs it records.
Output: the nodes of the file, exactly those the LALR parser of `parse.py` builds from the
same text, or `Unsure` at the first thing this parser does not take. Invariants: it takes
only what `grammars/wit.lark` derives, and builds the same nodes with the same spans; it
never reports an error. `parse.parse_file` runs it first and, on `Unsure`, parses the file
again with the LALR parser, which finds the errors (or, if this one refused valid text,
the tree). A refusal costs time, never a wrong answer; a tree this parser builds from
text the grammar refuses would be a wrong answer, and the tests compare both parsers on
every file of the corpus and on mutations of them.

Why two parsers: the table-driven loop pays a dict lookup and a callback per token and per
reduction, and builds a list of children for every node; reading each construct with a
function of its own does a fifth of that work. Error messages stay with the LALR parser,
whose expected-token sets give wit-parser's wording.
"""

from __future__ import annotations

from itertools import chain
from sys import intern

from witgen._record import maker
from witgen.syntax import nodes as n
from witgen.syntax.parse import (
    NodeBuilder,
    SyntaxProblem,
    Tok,
    _Case,
    _Docs,
    _EnumCase,
    _Field,
    _FlagName,
    _Func,
    _FuncType,
    _HandleType,
    _Id,
    _ListType,
    _Named,
    _OptionType,
    _Param,
    _Prim,
    _ResourceFunc,
    _ResultType,
    _token_stream,
    _TupleType,
)
from witgen.text.source import Span

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any


class Unsure(Exception):
    """The text is not one this parser takes: parse it with the LALR parser."""


# The makers of the nodes built by the thousand, as the LALR parser's.
_MapType = maker(n.MapType)
_FutureType = maker(n.FutureType)
_StreamType = maker(n.StreamType)

_PRIMS = frozenset(
    {
        "U8",
        "U16",
        "U32",
        "U64",
        "S8",
        "S16",
        "S32",
        "S64",
        "F32",
        "F64",
        "CHAR",
        "BOOL",
        "STRING_KW",
        "ERROR_CONTEXT",
    }
)
_TYPEDEFS = frozenset({"TYPE", "RECORD", "FLAGS", "VARIANT", "ENUM", "RESOURCE"})
_NO_ATTRS: tuple[n.Attribute, ...] = ()
# `Span(start, end)` is `_new(Span, ((start + 1) << 32) | (end + 1))` (see `Span.__new__`),
# written out where the parser makes one per token: the call costs more than the rest.
_new = int.__new__
_check_attr = NodeBuilder()._attr


class Reader:
    """A recursive-descent parser over one file's tokens: a method per rule of the grammar,
    each starting at its first token and ending after its last (`self.last` is then that
    token's end, the end of the node's span)."""

    __slots__ = ("_next", "docs", "end", "kind", "last", "start", "text")

    def __init__(self, tokens: Iterator[Tok], docs: dict[int, tuple[str, ...]]) -> None:
        self._next: Callable[[], Tok] = tokens.__next__
        self.docs = docs
        self.last = 0
        self.kind, self.text, self.start, self.end = self._next()

    # ---- tokens

    def advance(self) -> None:
        self.last = self.end
        self.kind, self.text, self.start, self.end = self._next()

    def expect(self, kind: str) -> None:
        if self.kind != kind:
            raise Unsure(kind)
        self.last = self.end
        self.kind, self.text, self.start, self.end = self._next()

    def ident(self) -> n.Id:
        if self.kind != "ID":
            raise Unsure("ID")
        text = self.text
        node = _Id(
            name=intern(text[1:] if text[0] == "%" else text),
            span=_new(Span, ((self.start + 1) << 32) | (self.end + 1)),
        )
        self.last = self.end
        self.kind, self.text, self.start, self.end = self._next()
        return node

    def token(self, kind: str) -> Tok:
        if self.kind != kind:
            raise Unsure(kind)
        tok = (kind, self.text, self.start, self.end)
        self.advance()
        return tok

    def doc(self, start: int) -> n.Docs:
        comments = self.docs.get(start)
        if comments is None:
            return n.NO_DOCS
        return _Docs(comments=comments, span=Span(start, start))

    # ---- files

    def file(self) -> tuple[n.PackageDecl | None, tuple[n.TopItem, ...]]:
        header: n.PackageDecl | None = None
        items: list[n.TopItem] = []
        if self.kind == "PACKAGE":
            start = self.start
            decl = self.package_decl()
            if self.kind == "SEMI":
                self.advance()
                header = decl
            else:
                items.append(self.nested_package(start, decl))
        while self.kind != "$END":
            items.append(self.top_item())
        return header, tuple(items)

    def top_item(self) -> n.TopItem:
        start = self.start
        if self.kind == "PACKAGE":
            return self.nested_package(start, self.package_decl())
        attrs = self.attrs()
        kind = self.kind
        if kind == "INTERFACE":
            self.advance()
            name = self.ident()
            items = self.interface_items()
            return n.Interface(
                docs=self.doc(start), attrs=attrs, name=name, items=items, span=self.span(start)
            )
        if kind == "WORLD":
            return self.world(start, attrs)
        if kind == "USE":
            keyword = Span(self.start, self.end)
            self.advance()
            path = self.use_path()
            alias = None
            if self.kind == "AS":
                self.advance()
                alias = self.ident()
            self.expect("SEMI")
            return n.ToplevelUse(
                docs=self.doc(start),
                attrs=attrs,
                path=path,
                alias=alias,
                span=self.span(start),
                keyword=keyword,
            )
        raise Unsure(kind)

    def span(self, start: int) -> Span:
        """From `start` to the end of the last token taken."""
        return _new(Span, ((start + 1) << 32) | (self.last + 1))

    def package_decl(self) -> n.PackageDecl:
        start = self.start
        self.advance()  # `package`
        ns = self.ident()
        self.expect("COLON")
        name = self.ident()
        version = None
        version_span = Span.UNKNOWN
        if self.kind == "AT":
            self.advance()
            ver = self.token("VERSION")
            version, version_span = ver[1], Span(ver[2], ver[3])
        package = n.PackageName(
            namespace=ns,
            name=name,
            extra=(),
            version=version,
            version_span=version_span,
            span=Span(ns.span.start, self.last),
        )
        return n.PackageDecl(docs=self.doc(start), name=package, span=self.span(start))

    def nested_package(self, start: int, decl: n.PackageDecl) -> n.NestedPackage:
        self.expect("LBRACE")
        items: list[n.TopItem] = []
        while self.kind != "RBRACE":
            items.append(self.top_item())
        self.advance()
        return n.NestedPackage(decl=decl, items=tuple(items), span=self.span(start))

    def use_path(self) -> n.UsePath:
        first = self.ident()
        if self.kind != "COLON":
            return n.LocalPath(name=first, span=first.span)
        self.advance()
        return self.package_path(first)

    def package_path(self, ns: n.Id) -> n.PackagePath:
        """The rest of `ns:package/name[@version]`, after its `:`."""
        package = self.ident()
        self.expect("SLASH")
        name = self.ident()
        version = None
        if self.kind == "AT":
            self.advance()
            version = self.token("VERSION")[1]
        return n.PackagePath(
            namespace=ns,
            package=package,
            name=name,
            version=version,
            span=Span(ns.span.start, self.last),
        )

    # ---- attributes

    def attrs(self) -> tuple[n.Attribute, ...]:
        if self.kind != "AT":
            return _NO_ATTRS
        found: list[n.Attribute] = []
        while self.kind == "AT":
            start = self.start
            self.advance()
            name = self.ident()
            self.expect("LPAREN")
            arg: tuple[str, Any, Any]
            if self.kind == "STRING":
                arg = ("string", None, self.token("STRING"))
            else:
                key = self.ident()
                self.expect("EQ")
                if self.kind == "VERSION":
                    arg = ("version", key, self.token("VERSION"))
                else:
                    arg = ("ident", key, self.ident())
            self.expect("RPAREN")
            try:
                found.append(_check_attr(name, arg, Span(start, self.last)))
            except SyntaxProblem:
                raise Unsure("attribute") from None
        return tuple(found)

    # ---- interfaces

    def interface_items(self) -> tuple[n.InterfaceItem, ...]:
        self.expect("LBRACE")
        items: list[n.InterfaceItem] = []
        while self.kind != "RBRACE":
            start = self.start
            attrs = self.attrs()
            kind = self.kind
            if kind == "ID":
                items.append(self.func_item(start, attrs))
            elif kind in _TYPEDEFS:
                items.append(self.typedef(start, attrs))
            elif kind == "USE":
                items.append(self.use_item(start, attrs))
            else:
                raise Unsure(kind)
        self.advance()
        return tuple(items)

    def use_item(self, start: int, attrs: tuple[n.Attribute, ...]) -> n.Use:
        self.advance()  # `use`
        path = self.use_path()
        self.expect("DOT")
        self.expect("LBRACE")
        names: list[n.UseName] = []
        while self.kind != "RBRACE":
            first = self.start
            name = self.ident()
            alias = None
            if self.kind == "AS":
                self.advance()
                alias = self.ident()
            names.append(n.UseName(name=name, alias=alias, span=self.span(first)))
            if self.kind != "COMMA":
                break
            self.advance()
        self.expect("RBRACE")
        self.expect("SEMI")
        return n.Use(
            docs=self.doc(start),
            attrs=attrs,
            path=path,
            names=tuple(names),
            span=self.span(start),
        )

    def func_item(self, start: int, attrs: tuple[n.Attribute, ...]) -> n.Func:
        name = self.ident()
        self.expect("COLON")
        func = self.func_type()
        self.expect("SEMI")
        return _Func(docs=self.doc(start), attrs=attrs, name=name, func=func, span=self.span(start))

    def func_type(self) -> n.FuncType:
        start = self.start
        is_async = self.kind == "ASYNC"
        if is_async:
            self.advance()
        self.expect("FUNC")
        params = self.params()
        result = None
        if self.kind == "ARROW":
            self.advance()
            result = self.ty()
        return _FuncType(is_async=is_async, params=params, result=result, span=self.span(start))

    def params(self) -> tuple[n.Param, ...]:
        self.expect("LPAREN")
        params: list[n.Param] = []
        while self.kind != "RPAREN":
            start = self.start
            name = self.ident()
            self.expect("COLON")
            params.append(_Param(name=name, type=self.ty(), span=self.span(start)))
            if self.kind != "COMMA":
                break
            self.advance()
        self.expect("RPAREN")
        return tuple(params)

    def typedef(self, start: int, attrs: tuple[n.Attribute, ...]) -> n.TypeDef:
        kind = self.kind
        self.advance()
        name = self.ident()
        if kind == "TYPE":
            self.expect("EQ")
            ty = self.ty()
            self.expect("SEMI")
            return n.TypeAlias(
                docs=self.doc(start), attrs=attrs, name=name, type=ty, span=self.span(start)
            )
        if kind == "RESOURCE":
            return self.resource(start, attrs, name)
        self.expect("LBRACE")
        if kind == "RECORD":
            fields: list[n.Field] = []
            while self.kind != "RBRACE":
                first = self.start
                field_name = self.ident()
                self.expect("COLON")
                ty = self.ty()
                fields.append(
                    _Field(docs=self.doc(first), name=field_name, type=ty, span=self.span(first))
                )
                if self.kind != "COMMA":
                    break
                self.advance()
            self.expect("RBRACE")
            return n.Record(
                docs=self.doc(start),
                attrs=attrs,
                name=name,
                fields=tuple(fields),
                span=self.span(start),
            )
        if kind == "VARIANT":
            cases: list[n.Case] = []
            while self.kind != "RBRACE":
                first = self.start
                case_name = self.ident()
                payload = None
                if self.kind == "LPAREN":
                    self.advance()
                    payload = self.ty()
                    self.expect("RPAREN")
                cases.append(
                    _Case(docs=self.doc(first), name=case_name, type=payload, span=self.span(first))
                )
                if self.kind != "COMMA":
                    break
                self.advance()
            self.expect("RBRACE")
            return n.Variant(
                docs=self.doc(start),
                attrs=attrs,
                name=name,
                cases=tuple(cases),
                span=self.span(start),
            )
        # `flags` and `enum`: a list of names.
        named: list[n.Id] = []
        firsts: list[int] = []
        while self.kind != "RBRACE":
            firsts.append(self.start)
            named.append(self.ident())
            if self.kind != "COMMA":
                break
            self.advance()
        self.expect("RBRACE")
        doc = self.doc
        if kind == "FLAGS":
            flags = tuple(
                [
                    _FlagName(docs=doc(first), name=flag, span=flag.span)
                    for first, flag in zip(firsts, named, strict=True)
                ]
            )
            return n.Flags(
                docs=self.doc(start), attrs=attrs, name=name, flags=flags, span=self.span(start)
            )
        cases_ = tuple(
            [
                _EnumCase(docs=doc(first), name=case, span=case.span)
                for first, case in zip(firsts, named, strict=True)
            ]
        )
        return n.Enum(
            docs=self.doc(start), attrs=attrs, name=name, cases=cases_, span=self.span(start)
        )

    def resource(self, start: int, attrs: tuple[n.Attribute, ...], name: n.Id) -> n.Resource:
        if self.kind == "SEMI":
            self.advance()
            return n.Resource(
                docs=self.doc(start), attrs=attrs, name=name, funcs=None, span=self.span(start)
            )
        self.expect("LBRACE")
        funcs: list[n.ResourceFunc] = []
        while self.kind != "RBRACE":
            first = self.start
            func_attrs = self.attrs()
            if self.kind == "CONSTRUCTOR":
                keyword = self.start
                func_name = _Id(name="constructor", span=Span(keyword, self.end))
                self.advance()
                params = self.params()
                result = None
                if self.kind == "ARROW":
                    self.advance()
                    result = self.ty()
                self.expect("SEMI")
                func = _FuncType(
                    is_async=False, params=params, result=result, span=self.span(keyword)
                )
                kind = "constructor"
            else:
                func_name = self.ident()
                self.expect("COLON")
                kind = "method"
                if self.kind == "STATIC":
                    self.advance()
                    kind = "static"
                func = self.func_type()
                self.expect("SEMI")
            funcs.append(
                _ResourceFunc(
                    docs=self.doc(first),
                    attrs=func_attrs,
                    kind=kind,  # type: ignore[arg-type]  # one of the three
                    name=func_name,
                    func=func,
                    span=self.span(first),
                )
            )
        self.advance()
        return n.Resource(
            docs=self.doc(start), attrs=attrs, name=name, funcs=tuple(funcs), span=self.span(start)
        )

    # ---- worlds

    def world(self, start: int, attrs: tuple[n.Attribute, ...]) -> n.World:
        self.advance()  # `world`
        name = self.ident()
        self.expect("LBRACE")
        items: list[n.WorldItem] = []
        while self.kind != "RBRACE":
            first = self.start
            item_attrs = self.attrs()
            kind = self.kind
            if kind == "IMPORT" or kind == "EXPORT":
                self.advance()
                extern = self.extern()
                cls = n.Import if kind == "IMPORT" else n.Export
                items.append(
                    cls(
                        docs=self.doc(first),
                        attrs=item_attrs,
                        extern=extern,
                        span=self.span(first),
                    )
                )
            elif kind in _TYPEDEFS:
                items.append(self.typedef(first, item_attrs))
            elif kind == "USE":
                items.append(self.use_item(first, item_attrs))
            elif kind == "INCLUDE":
                items.append(self.include(first, item_attrs))
            else:
                raise Unsure(kind)
        self.advance()
        return n.World(
            docs=self.doc(start), attrs=attrs, name=name, items=tuple(items), span=self.span(start)
        )

    def extern(self) -> n.Extern:
        start = self.start
        first = self.ident()
        if self.kind != "COLON":  # `import name;`
            self.expect("SEMI")
            return n.ExternPath(
                path=n.LocalPath(name=first, span=first.span), span=self.span(start)
            )
        self.advance()
        kind = self.kind
        if kind == "FUNC" or kind == "ASYNC":
            func = self.func_type()
            self.expect("SEMI")
            return n.ExternFunc(name=first, func=func, span=self.span(start))
        if kind == "INTERFACE":
            self.advance()
            items = self.interface_items()
            return n.ExternInline(name=first, items=items, span=self.span(start))
        second = self.ident()
        if self.kind == "SLASH":  # `import ns:package/name;`: `first` was the namespace
            self.advance()
            name = self.ident()
            version = None
            if self.kind == "AT":
                self.advance()
                version = self.token("VERSION")[1]
            path = n.PackagePath(
                namespace=first,
                package=second,
                name=name,
                version=version,
                span=self.span(start),
            )
            self.expect("SEMI")
            return n.ExternPath(path=path, span=self.span(start))
        # `import name: path;`
        named: n.UsePath
        if self.kind == "COLON":
            self.advance()
            named = self.package_path(second)
        else:
            named = n.LocalPath(name=second, span=second.span)
        self.expect("SEMI")
        return n.ExternNamed(name=first, path=named, span=self.span(start))

    def include(self, start: int, attrs: tuple[n.Attribute, ...]) -> n.Include:
        self.advance()  # `include`
        path = self.use_path()
        names: list[n.IncludeName] = []
        if self.kind == "WITH":
            self.advance()
            self.expect("LBRACE")
            while True:
                first = self.start
                name = self.ident()
                self.expect("AS")
                alias = self.ident()
                names.append(n.IncludeName(name=name, alias=alias, span=self.span(first)))
                if self.kind != "COMMA":
                    break
                self.advance()
                if self.kind == "RBRACE":
                    break
            self.expect("RBRACE")
        else:
            self.expect("SEMI")
        return n.Include(
            docs=self.doc(start), attrs=attrs, path=path, names=tuple(names), span=self.span(start)
        )

    # ---- types

    def ty(self) -> n.Type:
        kind = self.kind
        start = self.start
        if kind in _PRIMS:
            span = _new(Span, ((start + 1) << 32) | (self.end + 1))
            node: n.Type = _Prim(name=self.text, span=span)  # type: ignore[arg-type]
            self.advance()
            return node
        if kind == "ID":
            name = self.ident()
            return _Named(name=name, span=name.span)
        self.advance()
        if kind == "LIST":
            self.expect("LT")
            element = self.ty()
            size = None
            if self.kind == "COMMA":
                self.advance()
                size = int(self.token("INTEGER")[1])
                if size >= 1 << 32:
                    raise Unsure("list size")
            self.expect("GT")
            return _ListType(element=element, size=size, span=self.span(start))
        if kind == "OPTION":
            self.expect("LT")
            inner = self.ty()
            self.expect("GT")
            return _OptionType(type=inner, span=self.span(start))
        if kind == "RESULT":
            if self.kind != "LT":
                return _ResultType(ok=None, err=None, span=self.span(start))
            self.advance()
            ok = None
            err = None
            if self.kind == "UNDERSCORE":
                self.advance()
                self.expect("COMMA")
                err = self.ty()
            else:
                ok = self.ty()
                if self.kind == "COMMA":
                    self.advance()
                    err = self.ty()
            self.expect("GT")
            return _ResultType(ok=ok, err=err, span=self.span(start))
        if kind == "TUPLE":
            self.expect("LT")
            types: list[n.Type] = []
            while self.kind != "GT":
                types.append(self.ty())
                if self.kind != "COMMA":
                    break
                self.advance()
            self.expect("GT")
            return _TupleType(types=tuple(types), span=self.span(start))
        if kind == "OWN" or kind == "BORROW":
            self.expect("LT")
            resource = self.ident()
            self.expect("GT")
            return _HandleType(borrow=kind == "BORROW", resource=resource, span=self.span(start))
        if kind == "MAP":
            self.expect("LT")
            key = self.ty()
            self.expect("COMMA")
            value = self.ty()
            self.expect("GT")
            return _MapType(key=key, value=value, span=self.span(start))
        if kind == "FUTURE" or kind == "STREAM":
            payload = None
            if self.kind == "LT":
                self.advance()
                payload = self.ty()
                self.expect("GT")
            if kind == "FUTURE":
                return _FutureType(type=payload, span=self.span(start))
            return _StreamType(type=payload, span=self.span(start))
        raise Unsure(kind)


def parse_valid(
    tokens: Iterator[Tok], docs: dict[int, tuple[str, ...]]
) -> tuple[n.PackageDecl | None, tuple[n.TopItem, ...]]:
    """The package header and items of a valid file; `Unsure` for anything else."""
    try:
        return Reader(tokens, docs).file()
    except (StopIteration, RecursionError):
        raise Unsure("end") from None


def parse_alone(text: str, path: str) -> n.File:
    """`text` as a file of its own (at offset 0) by this parser alone, with no fallback:
    for the tests and tools that compare it with the LALR parser. `Unsure` if it refuses."""
    docs: dict[int, tuple[str, ...]] = {}
    comments: list[n.Comment] = []
    end: Tok = ("$END", "", len(text), len(text))
    package, items = parse_valid(chain(_token_stream(text, 0, docs, comments, {}), (end,)), docs)
    return n.File(
        path=path, package=package, items=items, comments=tuple(comments), span=Span(0, len(text))
    )
