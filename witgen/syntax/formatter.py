"""`witgen fmt`: one parsed file and its comments → the same file in canonical layout.

Input: a `nodes.File` and the text it was parsed from. Output: the formatted text. The
model has no comments, so this works on the syntax tree, file by file, never on a resolve.

How: the tree is walked in source order, emitting the tokens the file already has into a
small Wadler-style document (text, soft and hard line breaks, groups that break as a whole,
nesting). A cursor walks the source text in step with the walk: every emitted token is
matched against the next source token, and the comments found in between are placed just
before it, so each comment keeps its neighbours: the token before it and the token after
it are the same as in the source. That is what keeps the meaning, because wit-parser
reads every comment right before an item as the item's docs. A comment that shared its
line with the token before it stays at the end of that line; any other comment gets a
line of its own.

Invariants (tests/test_fmt.py checks each over the corpus):
- the resolved JSON is the same before and after, docs included;
- every comment is kept, line comments minus trailing whitespace, block comments
  verbatim (their inner lines are docs text, so they are never re-indented);
- item order, trailing commas aside the token sequence, and `%` escapes where a name is a
  keyword are those of the source; `%` elsewhere is dropped;
- the layout of an item is the one `witgen print` gives it (two-space indent, one item,
  field or case per line, trailing commas in multi-line lists, `{`/`}` of an empty body on
  two lines); blank lines between items and comments are kept, at most one, never at the
  start or end of a body; a function signature, tuple, `use` or `include` list that does
  not fit in `width` columns breaks one element per line;
- `format_file(parse(format_file(x))) == format_file(x)`.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, assert_never

from witgen._record import record
from witgen.syntax import nodes as n
from witgen.syntax.keywords import escape
from witgen.syntax.parse import version_resume

_T = TypeVar("_T")

DEFAULT_WIDTH = 100


@functools.cache
def code_version() -> str:
    """A hash of this module, part of the key of cached results: new layout rules must not
    be answered from the cache."""
    import hashlib  # only `fmt` needs it

    return hashlib.blake2b(Path(__file__).read_bytes(), digest_size=32).hexdigest()[:16]


def format_file(file: n.File, text: str, *, width: int = DEFAULT_WIDTH) -> str:
    """`text` (the source `file` was parsed from) in canonical layout."""
    fmt = _Formatter(_Cursor(text, file.span.start, file.comments))
    fmt.file(file)
    return _render(fmt.doc.root, width)


# ---------------------------------------------------------------- the document


class _Layout(enum.Enum):
    """Layout items between texts."""

    SPACE = enum.auto()  # one space, unless at the start of a line or after ` `, `(` or `<`
    LINE = enum.auto()  # a space when the group is flat, else a line break
    SOFT = enum.auto()  # nothing when the group is flat, else a line break
    HARD = enum.auto()  # a line break (breaks every enclosing group)
    BLANK = enum.auto()  # a line break and one blank line
    TRAIL = enum.auto()  # `,` when the group is broken (a trailing comma)


@record(kw_only=False)
class _Comment:
    """A comment: printed verbatim, and not counted when deciding whether a group fits."""

    text: str


@record(frozen=False, kw_only=False)
class _Group:
    """Laid out flat if it fits on the rest of the line, else with every LINE/SOFT broken."""

    parts: list[_Item]
    broken: bool = False


@record(frozen=False, kw_only=False)
class _Nest:
    """Line breaks inside are indented one level deeper."""

    parts: list[_Item]


_Item = str | _Comment | _Layout | _Group | _Nest


# ---------------------------------------------------------------- the source cursor


_WS = re.compile(r"[ \t\r\n]*")
_BLANKS = (" ", "\t", "\r", "\n")
_INTEGER = re.compile(r"[0-9]+")


@record(kw_only=False)
class _Gap:
    """What the source has between the previous token and the next one."""

    # Each comment with the number of line breaks before it (since the previous token or
    # comment; the start of the file counts as one).
    comments: tuple[tuple[str, int], ...]
    # Line breaks between the last comment (or the previous token) and the token.
    newlines: int


# The gaps without comments nor blank lines, by number of line breaks.
_NO_GAP = (_Gap((), 0), _Gap((), 1))


class _Cursor:
    """Walks the source tokens in step with the formatter, collecting comments."""

    def __init__(self, text: str, base: int, comments: tuple[n.Comment, ...]) -> None:
        self.text = text
        self.pos = 0
        self.ends = {c.span.start - base: c.span.end - base for c in comments}
        self.pending: list[tuple[str, int]] = []
        self.newlines = 1

    def _skip(self) -> None:
        text, pos = self.text, self.pos
        while True:
            if text.startswith(_BLANKS, pos):
                end = _WS.match(text, pos).end()  # type: ignore[union-attr]
                self.newlines += text.count("\n", pos, end)
                pos = end
            end = self.ends.get(pos, -1) if text.startswith("/", pos) else -1
            if end < 0:
                break
            body = text[pos:end]
            self.pending.append((body.rstrip() if body.startswith("//") else body, self.newlines))
            pos, self.newlines = end, 0
        self.pos = pos

    def _gap(self, end: int) -> _Gap:
        self.pos = end
        if not self.pending and self.newlines < 2:
            gap = _NO_GAP[self.newlines]
        else:
            gap = _Gap(tuple(self.pending), self.newlines)
            self.pending = []
        self.newlines = 0
        return gap

    def take(self, token: str, ident: bool = False) -> _Gap:
        """Step over `token` (an identifier may carry a `%`) and the comments before it."""
        text, pos = self.text, self.pos
        if not self.pending and not self.newlines and token != "/":
            # Most tokens follow the previous one directly or after one space.
            if text.startswith(token, pos):
                self.pos = pos + len(token)
                return _NO_GAP[0]
            if text.startswith(" ", pos) and text.startswith(token, pos + 1):
                self.pos = pos + 1 + len(token)
                return _NO_GAP[0]
        self._skip()
        pos = self.pos + (ident and self.text.startswith("%", self.pos))
        if not self.text.startswith(token, pos):
            found = self.text[self.pos : self.pos + 20]
            raise AssertionError(f"formatter out of step: {token!r} expected, {found!r} found")
        return self._gap(pos + len(token))

    def take_version(self, version: str) -> _Gap:
        """Step over `version` and what wit-parser reads with it: a `-` or `+` that
        nothing follows (`1.0.0-` is version 1.0.0; comments before that sign are lost)."""
        gap = self.take(version)
        self.pos = version_resume(self.text, self.pos - len(version))
        return gap

    def take_integer(self) -> tuple[_Gap, str]:
        self._skip()
        m = _INTEGER.match(self.text, self.pos)
        assert m is not None, "formatter out of step: integer expected"
        return self._gap(m.end()), str(int(m.group()))

    def skip_if(self, token: str) -> bool:
        """Step over an optional `token`; the comments before it go to the next token."""
        self._skip()
        if not self.text.startswith(token, self.pos):
            return False
        self.pos += len(token)
        return True

    def end(self) -> _Gap:
        self._skip()
        assert self.pos == len(self.text), "formatter out of step: text after the last token"
        return self._gap(self.pos)


# ---------------------------------------------------------------- building the document


class _Sep(enum.Enum):
    """What separates a token from the one before it in the output."""

    NONE = enum.auto()
    SPACE = enum.auto()
    LINE = enum.auto()
    SOFT = enum.auto()
    HARD = enum.auto()
    # A line break before an item of a body or file; the source's blank lines are kept.
    MEMBER = enum.auto()
    # The same for the first item of a body: no blank line before it.
    FIRST = enum.auto()


# A SPACE after these is dropped.
_NO_SPACE_AFTER = (" ", "(", "<")
# Tokens written right after what precedes them, even after a comment.
_GLUED = frozenset({",", ";", ":", ".", ")", ">"})

_SEP_ITEM = {
    _Sep.SPACE: _Layout.SPACE,
    _Sep.LINE: _Layout.LINE,
    _Sep.SOFT: _Layout.SOFT,
    _Sep.HARD: _Layout.HARD,
    _Sep.MEMBER: _Layout.HARD,
    _Sep.FIRST: _Layout.HARD,
}


class _DocumentBuilder:
    """Appends to the innermost open group or nest; places comments before tokens."""

    def __init__(self, cursor: _Cursor) -> None:
        self.cursor = cursor
        self.root: list[_Item] = []
        self.stack: list[list[_Item]] = [self.root]
        self.groups: list[_Group] = []

    def add(self, item: _Item) -> None:
        parts = self.stack[-1]
        # Texts on one line are joined (fewer items to lay out): `a` + `b`, `a` + SPACE + `b`.
        if type(item) is str and parts:
            last = parts[-1]
            if type(last) is str:
                parts[-1] = last + item
                return
            if last is _Layout.SPACE and len(parts) > 1:
                before = parts[-2]
                if type(before) is str:
                    parts.pop()
                    space = "" if before.endswith(_NO_SPACE_AFTER) else " "
                    parts[-1] = f"{before}{space}{item}"
                    return
        parts.append(item)

    def hard(self, item: _Layout = _Layout.HARD) -> None:
        self.add(item)
        for g in self.groups:
            g.broken = True

    def comment(self, text: str) -> None:
        if "\n" in text:  # a block comment over several lines breaks the groups around it
            for g in self.groups:
                g.broken = True
        self.add(_Comment(text))

    def open_group(self) -> None:
        group = _Group([])
        self.add(group)
        self.stack.append(group.parts)
        self.groups.append(group)

    def close_group(self) -> None:
        self.stack.pop()
        self.groups.pop()

    def open_nest(self) -> None:
        nest = _Nest([])
        self.add(nest)
        self.stack.append(nest.parts)

    def tok(
        self,
        token: str,
        sep: _Sep = _Sep.NONE,
        *,
        shown: str | None = None,
        ident: bool = False,
        closer: bool = False,
        blanks: bool = False,
        first: bool = False,
        version: bool = False,
    ) -> None:
        """Emit `token` after `sep` and the comments before it in the source.

        `closer` closes the innermost nest after the comments, so that comments on lines of
        their own before a `}` or `)` are indented like the body. `blanks` keeps the source's
        blank lines before such comments (except before the first, with `first`); MEMBER
        and FIRST imply it. A `version` is taken with what follows it (`take_version`).
        """
        gap = self.cursor.take_version(token) if version else self.cursor.take(token, ident)
        if gap.comments:
            self.place(gap, sep, closer=closer, blanks=blanks, first=first, glue=token in _GLUED)
        else:  # `place` without comments, inline: this runs for almost every token
            if closer:
                self.stack.pop()
            if sep is not _Sep.NONE:
                self.add(_SEP_ITEM[sep])
                if sep is _Sep.MEMBER and gap.newlines > 1:
                    self.add(_Layout.BLANK)
        self.add(token if shown is None else shown)

    def place(
        self,
        gap: _Gap,
        sep: _Sep,
        *,
        closer: bool = False,
        blanks: bool = False,
        first: bool = False,
        glue: bool = False,
    ) -> None:
        """Emit the comments of `gap` and `sep`, in the order that keeps each comment on
        its line; `glue` means the token that follows attaches to what precedes it."""
        comments = gap.comments
        i = 0
        # Comments on the line of the previous token stay there, before the line break.
        while i < len(comments) and comments[i][1] == 0:
            text = comments[i][0]
            self.add(_Layout.SPACE)
            self.comment(text)
            if text.startswith("//"):
                self.hard()
            elif not glue:
                self.add(_Layout.SPACE)
            i += 1
        own = comments[i:]
        if sep is _Sep.MEMBER or sep is _Sep.FIRST:
            blanks, first = True, sep is _Sep.FIRST
        if not closer and sep is not _Sep.NONE:
            self.add(_SEP_ITEM[sep])
        for text, newlines in own:
            if newlines == 0:
                self.add(_Layout.SPACE)
            else:
                self.hard(_Layout.BLANK if blanks and newlines > 1 and not first else _Layout.HARD)
            first = False
            self.comment(text)
        if own and (gap.newlines > 0 or own[-1][0].startswith("//")):
            if not closer:
                self.hard(
                    _Layout.BLANK if blanks and gap.newlines > 1 and not first else _Layout.HARD
                )
        elif own and not glue:
            self.add(_Layout.SPACE)
        elif sep is _Sep.MEMBER and gap.newlines > 1:
            self.add(_Layout.BLANK)
        if closer:
            self.stack.pop()
            if sep is not _Sep.NONE:
                self.add(_SEP_ITEM[sep])

    def trailing_comma(self, shown: _Item) -> None:
        """An optional `,` before a closer: `shown` whether or not the source has one."""
        self.cursor.skip_if(",")
        self.add(shown)


# ---------------------------------------------------------------- the walk


class _Formatter:
    """One method per node kind; each emits the node's tokens in source order."""

    def __init__(self, cursor: _Cursor) -> None:
        self.doc = _DocumentBuilder(cursor)
        self.tok = self.doc.tok

    def id(self, ident: n.Id, sep: _Sep = _Sep.NONE) -> None:
        self.doc.tok(ident.name, sep, shown=escape(ident.name), ident=True)

    # ---- files and packages

    def file(self, file: n.File) -> None:
        sep = _Sep.FIRST
        if file.package is not None:
            self.package_decl(file.package, sep)
            self.tok(";")
            sep = _Sep.MEMBER
        for item in file.items:
            self.top_item(item, sep)
            sep = _Sep.MEMBER
        self.doc.place(self.doc.cursor.end(), _Sep.HARD, blanks=True)

    def package_decl(self, decl: n.PackageDecl, sep: _Sep) -> None:
        name = decl.name
        assert not name.extra, "nested namespaces are not parsed"
        self.tok("package", sep)
        self.id(name.namespace, _Sep.SPACE)
        self.tok(":")
        self.id(name.name)
        self.version(name.version)

    def version(self, version: str | None) -> None:
        if version is not None:
            self.tok("@")
            self.doc.tok(version, version=True)

    def top_item(self, item: n.TopItem, sep: _Sep) -> None:
        match item:
            case n.NestedPackage(decl=decl, items=items):
                self.package_decl(decl, sep)
                self.body(items, self.top_item)
            case n.ToplevelUse(attrs=attrs, path=path, alias=alias):
                self.tok("use", self.attrs(attrs, sep))
                self.use_path(path, _Sep.SPACE)
                if alias is not None:
                    self.tok("as", _Sep.SPACE)
                    self.id(alias, _Sep.SPACE)
                self.tok(";")
            case n.Interface(attrs=attrs, name=name, items=items):
                self.tok("interface", self.attrs(attrs, sep))
                self.id(name, _Sep.SPACE)
                self.body(items, self.interface_item)
            case n.World(attrs=attrs, name=name, items=witems):
                self.tok("world", self.attrs(attrs, sep))
                self.id(name, _Sep.SPACE)
                self.body(witems, self.world_item)
            case _:
                assert_never(item)

    def body(
        self, items: tuple[_T, ...], member: Callable[[_T, _Sep], None], *, commas: bool = False
    ) -> None:
        """`{`, one member per line, one level deeper, then `}` on a line of its own. With
        `commas` (fields, cases, flags), each member ends with one."""
        self.tok("{", _Sep.SPACE)
        self.doc.open_nest()
        for i, item in enumerate(items):
            member(item, _Sep.MEMBER if i else _Sep.FIRST)
            if commas and i + 1 < len(items):
                self.tok(",")
            elif commas:
                self.doc.trailing_comma(",")
        self.doc.tok("}", _Sep.HARD, closer=True, blanks=True, first=not items)

    def attrs(self, attrs: tuple[n.Attribute, ...], sep: _Sep) -> _Sep:
        """Each attribute on a line of its own; returns the separator of what follows."""
        for attr in attrs:
            self.tok("@", sep)
            match attr:
                case n.Since(version=version):
                    self.attr_head("since", "version")
                    self.doc.tok(version, _Sep.SPACE, version=True)
                case n.Unstable(feature=feature):
                    self.attr_head("unstable", "feature")
                    self.doc.tok(feature, _Sep.SPACE, shown=escape(feature), ident=True)
                case n.Deprecated(version=version):
                    self.attr_head("deprecated", "version")
                    self.doc.tok(version, _Sep.SPACE, version=True)
                case n.ExternalId(value=value):
                    self.tok("external-id")
                    self.tok("(")
                    self.tok(f'"{value}"')
                case _:
                    assert_never(attr)
            self.tok(")")
            sep = _Sep.HARD
        return sep

    def attr_head(self, name: str, key: str) -> None:
        """`since(version =` and the like; the value follows."""
        self.tok(name)
        self.tok("(")
        self.tok(key)
        self.tok("=", _Sep.SPACE)

    def use_path(self, path: n.UsePath, sep: _Sep) -> None:
        match path:
            case n.LocalPath(name=name):
                self.id(name, sep)
            case n.PackagePath(namespace=ns, package=pkg, name=name, version=version):
                self.id(ns, sep)
                self.tok(":")
                self.id(pkg)
                self.tok("/")
                self.id(name)
                self.version(version)
            case _:
                assert_never(path)

    # ---- interfaces and worlds

    def interface_item(self, item: n.InterfaceItem, sep: _Sep) -> None:
        match item:
            case n.Use():
                self.use(item, sep)
            case n.Func(attrs=attrs, name=name, func=func):
                self.id(name, self.attrs(attrs, sep))
                self.tok(":")
                self.func_type(func, _Sep.SPACE)
                self.tok(";")
            case n.TypeAlias() | n.Record() | n.Flags() | n.Variant() | n.Enum() | n.Resource():
                self.typedef(item, sep)
            case _:
                assert_never(item)

    def world_item(self, item: n.WorldItem, sep: _Sep) -> None:
        match item:
            case n.Import(attrs=attrs, extern=extern):
                self.tok("import", self.attrs(attrs, sep))
                self.extern(extern)
            case n.Export(attrs=attrs, extern=extern):
                self.tok("export", self.attrs(attrs, sep))
                self.extern(extern)
            case n.Use():
                self.use(item, sep)
            case n.Include(attrs=attrs, path=path, names=names):
                self.tok("include", self.attrs(attrs, sep))
                self.use_path(path, _Sep.SPACE)
                if names:  # `include x with { ... }` ends without a `;`
                    self.tok("with", _Sep.SPACE)
                    self.listing("{}", names, self.include_name, _Sep.LINE, _Sep.SPACE)
                else:
                    self.tok(";")
            case n.TypeAlias() | n.Record() | n.Flags() | n.Variant() | n.Enum() | n.Resource():
                self.typedef(item, sep)
            case _:
                assert_never(item)

    def extern(self, extern: n.Extern) -> None:
        match extern:
            case n.ExternFunc(name=name, func=func):
                self.id(name, _Sep.SPACE)
                self.tok(":")
                self.func_type(func, _Sep.SPACE)
                self.tok(";")
            case n.ExternInline(name=name, items=items):
                self.id(name, _Sep.SPACE)
                self.tok(":")
                self.tok("interface", _Sep.SPACE)
                self.body(items, self.interface_item)
            case n.ExternNamed(name=name, path=path):
                self.id(name, _Sep.SPACE)
                self.tok(":")
                self.use_path(path, _Sep.SPACE)
                self.tok(";")
            case n.ExternPath(path=path):
                self.use_path(path, _Sep.SPACE)
                self.tok(";")
            case _:
                assert_never(extern)

    def use(self, use: n.Use, sep: _Sep) -> None:
        self.tok("use", self.attrs(use.attrs, sep))
        self.use_path(use.path, _Sep.SPACE)
        self.tok(".")
        self.listing("{}", use.names, self.use_name, _Sep.SOFT)
        self.tok(";")

    def use_name(self, name: n.UseName, sep: _Sep) -> None:
        self.id(name.name, sep)
        if name.alias is not None:
            self.tok("as", _Sep.SPACE)
            self.id(name.alias, _Sep.SPACE)

    def include_name(self, name: n.IncludeName, sep: _Sep) -> None:
        self.id(name.name, sep)
        self.tok("as", _Sep.SPACE)
        self.id(name.alias, _Sep.SPACE)

    def listing(
        self,
        brackets: str,
        items: tuple[_T, ...],
        element: Callable[[_T, _Sep], None],
        inner: _Sep,
        sep: _Sep = _Sep.NONE,
    ) -> None:
        """`items` between `brackets`, comma-separated: flat if they fit, else one per line
        with a trailing comma. `inner` separates the brackets from the elements when flat
        (SOFT for `(a, b)`, LINE for `{ a as b }`)."""
        self.doc.open_group()
        self.tok(brackets[0], sep)
        if not items:
            self.tok(brackets[1])
            self.doc.close_group()
            return
        self.doc.open_nest()
        for i, item in enumerate(items):
            if i:
                self.tok(",")
            element(item, _Sep.LINE if i else inner)
        self.doc.trailing_comma(_Layout.TRAIL)
        self.doc.tok(brackets[1], inner, closer=True)
        self.doc.close_group()

    # ---- type definitions

    def typedef(self, item: n.TypeDef, sep: _Sep) -> None:
        match item:
            case n.TypeAlias(attrs=attrs, name=name, type=ty):
                self.tok("type", self.attrs(attrs, sep))
                self.id(name, _Sep.SPACE)
                self.tok("=", _Sep.SPACE)
                self.type(ty, _Sep.SPACE)
                self.tok(";")
            case n.Record(attrs=attrs, name=name, fields=fields):
                self.tok("record", self.attrs(attrs, sep))
                self.id(name, _Sep.SPACE)
                self.body(fields, self.field, commas=True)
            case n.Flags(attrs=attrs, name=name, flags=flags):
                self.tok("flags", self.attrs(attrs, sep))
                self.id(name, _Sep.SPACE)
                self.body(flags, self.named_member, commas=True)
            case n.Variant(attrs=attrs, name=name, cases=cases):
                self.tok("variant", self.attrs(attrs, sep))
                self.id(name, _Sep.SPACE)
                self.body(cases, self.case, commas=True)
            case n.Enum(attrs=attrs, name=name, cases=ecases):
                self.tok("enum", self.attrs(attrs, sep))
                self.id(name, _Sep.SPACE)
                self.body(ecases, self.named_member, commas=True)
            case n.Resource(attrs=attrs, name=name, funcs=funcs):
                self.tok("resource", self.attrs(attrs, sep))
                self.id(name, _Sep.SPACE)
                if funcs is None:
                    self.tok(";")
                else:
                    self.body(funcs, self.resource_func)
            case _:
                assert_never(item)

    def field(self, item: n.Field, sep: _Sep) -> None:
        self.id(item.name, sep)
        self.tok(":")
        self.type(item.type, _Sep.SPACE)

    def named_member(self, item: n.FlagName | n.EnumCase, sep: _Sep) -> None:
        self.id(item.name, sep)

    def case(self, item: n.Case, sep: _Sep) -> None:
        self.id(item.name, sep)
        if item.type is not None:
            self.tok("(")
            self.type(item.type)
            self.tok(")")

    def resource_func(self, item: n.ResourceFunc, sep: _Sep) -> None:
        sep = self.attrs(item.attrs, sep)
        if item.kind == "constructor":
            self.tok("constructor", sep)
            self.params_and_result(item.func)
        else:
            self.id(item.name, sep)
            self.tok(":")
            if item.kind == "static":
                self.tok("static", _Sep.SPACE)
            self.func_type(item.func, _Sep.SPACE)
        self.tok(";")

    # ---- functions and types

    def func_type(self, func: n.FuncType, sep: _Sep) -> None:
        if func.is_async:
            self.tok("async", sep)
            sep = _Sep.SPACE
        self.tok("func", sep)
        self.params_and_result(func)

    def params_and_result(self, func: n.FuncType) -> None:
        self.listing("()", func.params, self.param, _Sep.SOFT)
        if func.result is not None:
            self.tok("->", _Sep.SPACE)
            self.type(func.result, _Sep.SPACE)

    def param(self, param: n.Param, sep: _Sep) -> None:
        self.id(param.name, sep)
        self.tok(":")
        self.type(param.type, _Sep.SPACE)

    def type(self, ty: n.Type, sep: _Sep = _Sep.NONE) -> None:
        match ty:
            case n.Prim(name=name):
                self.tok(name, sep)
            case n.Named(name=name):
                self.id(name, sep)
            case n.TupleType(types=types):
                self.tok("tuple", sep)
                self.listing("<>", types, self.type, _Sep.SOFT)
            case n.ListType(element=element, size=size):
                self.tok("list", sep)
                self.tok("<")
                self.type(element)
                if size is not None:
                    self.tok(",")
                    gap, digits = self.doc.cursor.take_integer()
                    self.doc.place(gap, _Sep.SPACE)
                    self.doc.add(digits)
                self.tok(">")
            case n.MapType(key=key, value=value):
                self.tok("map", sep)
                self.tok("<")
                self.type(key)
                self.tok(",")
                self.type(value, _Sep.SPACE)
                self.tok(">")
            case n.OptionType(type=inner):
                self.tok("option", sep)
                self.tok("<")
                self.type(inner)
                self.tok(">")
            case n.ResultType(ok=ok, err=err):
                self.tok("result", sep)
                if ok is None and err is None:
                    return
                self.tok("<")
                if ok is None:
                    self.tok("_")
                else:
                    self.type(ok)
                if err is not None:
                    self.tok(",")
                    self.type(err, _Sep.SPACE)
                self.tok(">")
            case n.FutureType(type=inner) | n.StreamType(type=inner):
                self.tok("future" if isinstance(ty, n.FutureType) else "stream", sep)
                if inner is not None:
                    self.tok("<")
                    self.type(inner)
                    self.tok(">")
            case n.HandleType(borrow=borrow, resource=resource):
                self.tok("borrow" if borrow else "own", sep)
                self.tok("<")
                self.id(resource)
                self.tok(">")
            case _:
                assert_never(ty)


# ---------------------------------------------------------------- rendering


class _LineWriter:
    """Lines with lazy indentation: a line break on an empty line only moves the indent,
    so breaks never double up and no line ends in spaces."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.line: list[str] = []
        self.indent = 0
        self.col = 0
        self.blank = False

    def text(self, text: str) -> None:
        """A token (never a line break inside)."""
        if not self.line:
            if self.blank and self.lines:
                self.lines.append("")
            self.blank = False
            self.line.append("  " * self.indent)
            self.col = 2 * self.indent
        self.line.append(text)
        self.col += len(text)

    def comment(self, text: str) -> None:
        """A comment: a block comment may span lines."""
        self.text(text)
        nl = text.rfind("\n")
        if nl >= 0:
            self.col = len(text) - nl - 1

    def space(self) -> None:
        if self.line and not self.line[-1].endswith(_NO_SPACE_AFTER):
            self.line.append(" ")
            self.col += 1

    def newline(self, indent: int, blank: bool = False) -> None:
        if self.line:
            self.lines.append("".join(self.line).rstrip(" "))
            self.line = []
        self.indent = indent
        self.blank = self.blank or blank

    def column(self, indent: int) -> int:
        return self.col if self.line else 2 * indent

    def result(self) -> str:
        self.newline(0)
        return "".join(line + "\n" for line in self.lines)


def _render(root: list[_Item], width: int) -> str:
    out = _LineWriter()
    # Frames of the lists being laid out: [parts, next index, indent, flat].
    frames: list[list[Any]] = [[root, 0, 0, False]]
    while frames:
        frame = frames[-1]
        parts, i, indent, flat = frame
        while i < len(parts):
            item = parts[i]
            i += 1
            if type(item) is str:
                out.text(item)
            elif type(item) is _Layout:
                if item is _Layout.SPACE or (flat and item is _Layout.LINE):
                    out.space()
                elif item is _Layout.TRAIL:
                    if not flat:
                        out.text(",")
                elif item is _Layout.HARD or item is _Layout.BLANK or not flat:
                    out.newline(indent, blank=item is _Layout.BLANK)
            elif type(item) is _Comment:
                out.comment(item.text)
            else:  # a group or a nest: lay out its parts first, then come back here
                frame[1] = i
                if type(item) is _Group:
                    fits = flat or (
                        not item.broken and _fits(width - out.column(indent), item, frames)
                    )
                    frames.append([item.parts, 0, indent, fits])
                else:
                    frames.append([item.parts, 0, indent + 1, flat])
                break
        else:
            frames.pop()
    return out.result()


def _fits(room: int, group: _Group, frames: list[list[Any]]) -> bool:
    """Whether `group` laid out flat, and what follows it up to the next line break, fit in
    `room` columns. Later groups count flat unless broken; comments do not count."""
    todo: list[tuple[bool, _Item]] = [(True, part) for part in reversed(group.parts)]
    # What follows the group: the rest of each enclosing list, innermost first.
    level = len(frames) - 1
    parts, index, _, rest_flat = frames[level]
    while room >= 0:
        if todo:
            flat, item = todo.pop()
        elif index < len(parts):
            flat, item = rest_flat, parts[index]
            index += 1
        elif level > 0:
            level -= 1
            parts, index, _, rest_flat = frames[level]
            continue
        else:
            return True
        if type(item) is str:
            room -= len(item)
        elif type(item) is _Group:
            todo.extend((not item.broken, part) for part in reversed(item.parts))
        elif type(item) is _Nest:
            todo.extend((flat, part) for part in reversed(item.parts))
        elif (
            item is _Layout.SPACE
            or (item is _Layout.LINE and flat)
            or (item is _Layout.TRAIL and not flat)
        ):
            room -= 1
        elif (
            item is _Layout.HARD
            or item is _Layout.BLANK
            or (not flat and item is not _Layout.TRAIL)
        ):
            return True
    return False
