"""Text → `nodes.File`.

Input: one file's text and its offset in the `SourceMap`. Output: a `nodes.File` whose
spans are absolute offsets, or a `WitError` holding the file's syntax errors: the first
exactly as wit-parser reports it, then one for each later item with a mistake of its own
(after an error the parser drops the item it is in and resumes at the next one; see
`_syntax_errors`). Invariants: the lexer emits
exactly the terminal names of `grammars/wit.lark`; the callbacks of `NodeBuilder` build
nodes directly while the parser reduces, so no lark tree is ever made; every comment is
kept (as docs for the item it precedes, and in `File.comments` for the formatter).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Iterator
from itertools import chain
from sys import intern as _intern

from witgen._record import maker
from witgen.syntax import nodes as n
from witgen.syntax.keywords import TERMINALS
from witgen.text.diagnostics import Diagnostic, Note, WitError, error
from witgen.text.source import SourceMap, Span

# typing and threading cost start-up time that `check` need not pay: typing is for the
# type checker only (TYPE_CHECKING, which mypy reads as true), and the context is the
# C-level thread-local that `threading.local` is.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from threading import local as _ThreadLocal
    from typing import Any, cast
else:
    try:
        from _thread import _local as _ThreadLocal
    except ImportError:  # pragma: no cover - not CPython
        from threading import local as _ThreadLocal

    def cast(_type, value):
        return value


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
    # In no rule of the grammar: a lone `-` (say `->` mistyped) or `+` is one of
    # wit-parser's tokens (they occur in versions), so the parser reports what it
    # expected there, not a bad character.
    "-": "MINUS",
    "+": "PLUS",
}

# One token, after any whitespace. Group numbers (the `_G_*` below) dispatch in `_lex`;
# `id` takes only names wit-parser accepts (kebab-case words, each all lower or all upper
# case, the first starting with a letter and the others with a letter or a digit, not
# ending in a name character), anything else name-like is `badid`. A number is digits
# only, as wit-parser's integers: a version is read by `_scan_version`. The most
# frequent tokens come first, and whitespace is runs of single characters rather than an
# alternation of them, so that the usual token is matched with the least backtracking.
_TOKEN = re.compile(
    r"[ \t\n]*(?:\r\n[ \t\n]*)*(?:"
    r"(%?(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)"
    r"(?:-(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*|[0-9]+(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)?))*(?![\w\-]))"
    r"|(->|[=,:;(){}<>*.@+-]|/(?![/*]))"
    r"|(//[^\n]*)"
    r"|(/\*)"
    r"|(%?[^\W\d][\w\-]*|%[\w\-]*)"
    r"|([0-9]+)"
    r"|(\"[^\"\n]*\")"
    r"|(\Z)"
    r"|([\s\S])"
    r")"
)
_G_ID, _G_OP, _G_LINE, _G_BLOCK, _G_BADID, _G_NUM, _G_STR, _G_END, _G_BAD = range(1, 10)
# Code points WIT.md forbids: control codes other than \t \n \r, bidi overrides,
# and a few code points Unicode deprecates.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
    "\u0149\u0673\u0f77\u0f79\u17a3\u17a4\u206a-\u206f\U000e0001]"
)
# The control codes among them, as bytes: each is one byte of UTF-8, which no other code
# point's encoding contains, so `_first_forbidden` finds them with `bytes.translate`.
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
MAX_NESTING = 100  # wit-parser's limit on nested type arguments


def _first_forbidden(text: str) -> re.Match[str] | None:
    """The first code point of `text` that `_FORBIDDEN` matches. The regular expression
    reads 4 MB in 16 ms; ASCII text, where only control codes can be forbidden, is first
    checked by deleting them from its bytes (2 ms), and searched only if any was deleted."""
    if text.isascii() and len(text.encode().translate(None, _CONTROL_BYTES)) == len(text):
        return None
    return _FORBIDDEN.search(text)


# The nodes built by the thousand (in a 100k-line package), and their spans.
_Span = Span
_Id = maker(n.Id)
_Comment = maker(n.Comment)
_Docs = maker(n.Docs)
_Since = maker(n.Since)
_Param = maker(n.Param)
_FuncType = maker(n.FuncType)
_Func = maker(n.Func)
_Field = maker(n.Field)
_FlagName = maker(n.FlagName)
_Case = maker(n.Case)
_EnumCase = maker(n.EnumCase)
_ResourceFunc = maker(n.ResourceFunc)
_Prim = maker(n.Prim)
_Named = maker(n.Named)
_TupleType = maker(n.TupleType)
_ListType = maker(n.ListType)
_OptionType = maker(n.OptionType)
_ResultType = maker(n.ResultType)
_HandleType = maker(n.HandleType)


# A token as the parser sees it: terminal name, text, start and end offsets in the
# `SourceMap`. A plain tuple in a list: a `Token` object per token, yielded by a
# generator, was a tenth of parse time.
Tok = tuple[str, str, int, int]


class Token:
    """A token as `tokenize` yields it (for tools; the parser itself uses `Tok` tuples)."""

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
    """A lexical error, kept under the start of its `ERROR` token.

    `instead` is the token wit-parser's lexer reads there (an identifier it validates only
    once the parser takes it, the integer a version starts with), and `wanted` the
    terminal the parser must accept for the error to be reported: where it accepts
    something else, its syntax error about `instead` comes first."""

    def __init__(self, diag: Diagnostic, instead: Tok | None = None, wanted: str = "") -> None:
        super().__init__(diag.message)
        self.diag = diag
        self.instead = instead
        self.wanted = wanted


class _Context(_ThreadLocal):
    """Per-parse state the builder reads (one parse at a time per thread)."""

    def __init__(self) -> None:
        self.docs: dict[int, tuple[str, ...]] = {}
        self.comments: list[n.Comment] = []


_ctx = _Context()


_VALID_ID = re.compile(
    r"%?(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)"
    r"(?:-(?=[0-9A-Za-z])[0-9]*(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)?)*"
)


def _id_error(text: str, start: int) -> Diagnostic | None:
    """wit-parser's identifier rules: kebab-case words, each all-lower or all-upper case
    (digits go with either); the first word starts with a letter, the others may start
    with a digit (`a-1`, `ipv4-2X`)."""
    if _VALID_ID.fullmatch(text):
        return None
    name = text[1:] if text.startswith("%") else text
    span = Span(start, start + 1)
    for ch in name:
        if not (ch.isascii() and (ch.isalnum() or ch == "-")):
            return error("WIT102", f"invalid character in identifier {ch!r}", span)
    for index, word in enumerate(name.split("-")):
        if not word or (index == 0 and not word[0].isalpha()):
            return error("WIT102", "identifiers must have characters between '-'s", span)
        upper: bool | None = None
        for ch in word:
            if ch.isalpha():
                if upper is None:
                    upper = ch.isupper()
                elif ch.isupper() != upper:
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


# ---------------------------------------------------------------- versions

_BLANK = " \t\n\r"
# A version that `_scan_version` would take as it is: three numbers without leading zeros
# that fit in 64 bits, and a character after them that starts no pre-release, build or
# blank.
_PLAIN_VERSION = re.compile(
    r"(?:0|[1-9][0-9]{0,18})\.(?:0|[1-9][0-9]{0,18})\.(?:0|[1-9][0-9]{0,18})(?=[;.{),])"
)
_DIGITS = re.compile(r"[0-9]+")
_DIGIT_RUN = re.compile(r"[0-9]*")


def _wit_token(text: str, pos: int) -> tuple[str, int, int]:
    """The next token from `pos` as wit-parser's lexer reads it, after blanks and comments:
    its terminal (`INTEGER`, `DOT`, `MINUS`, `PLUS`, `ID` for a plain name, `%ID` for a
    `%` name, a keyword's or another operator's terminal, `ERROR` for a character that
    starts no token or an unterminated comment, `$END`), start and end.

    Names are read as wit-parser reads them: a letter or `_` then letters, digits, `_`
    and `-`, validated only later (so `a_b` is one name here)."""
    size = len(text)
    while pos < size:
        ch = text[pos]
        if ch in _BLANK:
            pos += 1
        elif text.startswith("//", pos):
            newline = text.find("\n", pos)
            pos = size if newline < 0 else newline
        elif text.startswith("/*", pos):
            close = _block_comment_end(text, pos)
            if close < 0:
                return "ERROR", pos, pos + 2
            pos = close
        else:
            break
    if pos >= size:
        return "$END", size, size
    ch = text[pos]
    if ch.isdigit() and ch.isascii():
        return "INTEGER", pos, _DIGITS.match(text, pos).end()  # type: ignore[union-attr]
    explicit = ch == "%"
    first = pos + explicit
    if first < size and (text[first] == "_" or text[first].isidentifier()):
        end = first + 1
        while end < size and (text[end] == "-" or ("a" + text[end]).isidentifier()):
            end += 1
        word = text[pos:end]
        if explicit:
            return "%ID", pos, end
        if word == "_":
            return "UNDERSCORE", pos, end
        return TERMINALS.get(word, "ID"), pos, end
    if explicit:
        return "%ID", pos, pos + 1
    if text.startswith("->", pos):
        return "ARROW", pos, pos + 2
    if ch in OPERATORS:
        return OPERATORS[ch], pos, pos + 1
    if ch == '"':
        close = text.find('"', pos + 1)
        return ("STRING", pos, close + 1) if close > 0 else ("ERROR", pos, pos + 1)
    return "ERROR", pos, pos + 1


# What `_scan_version` expects before the pre-release and build parts.
_VERSION_CORE = ("INTEGER", "DOT", "INTEGER", "DOT", "INTEGER")
# What may follow the `-` of a pre-release or the `+` of build metadata.
_VERSION_PART = frozenset({"ID", "INTEGER", "MINUS"})


def _scan_version(text: str, pos: int, base: int) -> tuple[int, int, Diagnostic | None]:
    """wit-parser's `parse_version`, on the integer at `pos`: the end of the version's
    text, where lexing resumes, and the error if it is not a valid version.

    As wit-parser, token by token (blanks and comments between them are skipped, and end
    up in the text, which is then no valid version): `major.minor.patch`, then a `-` and
    the names, integers, `-` and `.`-then-name-or-integer after it, then the same after
    a `+`. A `-` or `+` that nothing follows is taken but not part of the version. The
    text is then checked as the `semver` crate checks it (`semver_error`)."""
    end = pos
    for want in _VERSION_CORE:
        kind, at, stop = _wit_token(text, end)
        if kind != want:
            return at, at, _version_token_error(text, want, kind, at, stop, base)
        end = stop
    resume = end
    for prefix in ("MINUS", "PLUS"):
        kind, _, stop = _wit_token(text, resume)
        if kind != prefix:
            continue
        resume = stop
        while True:
            kind, _, stop = _wit_token(text, resume)
            if kind == "DOT":
                kind, _, stop = _wit_token(text, stop)
            if kind not in _VERSION_PART:
                break
            end = resume = stop
    message = semver_error(text[pos:end])
    if message is None:
        return end, resume, None
    return end, resume, error("WIT103", message, Span(base + pos, base + end))


def version_resume(text: str, pos: int) -> int:
    """Where wit-parser goes on after the valid version at `pos`: past a `-` or `+` that
    nothing follows (`1.0.0-;` is version 1.0.0), else at its end (for the formatter)."""
    return _scan_version(text, pos, 0)[1]


def _version_token_error(
    text: str, want: str, kind: str, at: int, stop: int, base: int
) -> Diagnostic:
    """The error where a version's `want` was expected and `kind` found at `at`."""
    if kind == "ERROR":
        if text.startswith("/*", at):
            return error("WIT100", "unterminated block comment", Span(base + at, base + at + 1))
        ch = text[at]
        return error("WIT100", f"unexpected character {ch!r}", Span(base + at, base + at + 1))
    found = describe_token("ID", "%") if kind == "%ID" else describe_token(kind, text[at:stop])
    return error(
        "WIT101", f"expected {describe_token(want)}, found {found}", Span(base + at, base + at + 1)
    )


_SEMVER_POSITIONS = (
    "major version number",
    "minor version number",
    "patch version number",
    "pre-release identifier",
    "build metadata",
)


def semver_error(text: str) -> str | None:
    """Why `text` is not a semantic version, in the words of the `semver` crate that
    wit-parser parses versions with; None if it is one."""
    rest = text
    for position in range(3):
        digits = _DIGIT_RUN.match(rest).group()  # type: ignore[union-attr]
        where = _SEMVER_POSITIONS[position]
        if not digits:
            if not rest:
                return f"unexpected end of input while parsing {where}"
            return f"unexpected character {_quoted(rest[0])} while parsing {where}"
        if len(digits) > 1 and digits[0] == "0":
            return f"invalid leading zero in {where}"
        if int(digits) >= 1 << 64:
            return f"value of {where} exceeds u64::MAX"
        rest = rest[len(digits) :]
        if position < 2:
            if not rest:
                return f"unexpected end of input while parsing {where}"
            if rest[0] != ".":
                return f"unexpected character {_quoted(rest[0])} after {where}"
            rest = rest[1:]
    last = _SEMVER_POSITIONS[2]  # the part read last, named in an error after it
    for part, prefix in ((3, "-"), (4, "+")):
        if not rest.startswith(prefix):
            continue
        last = _SEMVER_POSITIONS[part]
        rest, problem = _semver_identifiers(rest[1:], last, leading_zeros=part == 4)
        if problem is not None:
            return problem
    if rest:
        return f"unexpected character {_quoted(rest[0])} after {last}"
    return None


def _semver_identifiers(text: str, where: str, leading_zeros: bool) -> tuple[str, str | None]:
    """The `semver` crate's dot-separated identifiers at the start of `text`: what
    follows them, and the error if they are empty or malformed."""
    segments = re.match(r"[0-9A-Za-z-]*(?:\.[0-9A-Za-z-]*)*", text).group()  # type: ignore[union-attr]
    if not segments:
        return text, f"empty identifier segment in {where}"
    for segment in segments.split("."):
        if not segment:
            return text, f"empty identifier segment in {where}"
        numeric = segment.isdigit()
        if not leading_zeros and numeric and len(segment) > 1 and segment[0] == "0":
            return text, f"invalid leading zero in {where}"
    return text[len(segments) :], None


def _quoted(ch: str) -> str:
    """A character as Rust's `{:?}` shows it (the `semver` crate's error messages)."""
    if ch == "\0":
        return "'\\0'"
    return repr(ch) if ch != "'" else "'\\''"


def _lex(
    text: str, base: int, docs: dict[int, tuple[str, ...]], comments: list[n.Comment]
) -> tuple[list[Tok], dict[int, LexError]]:
    """The tokens of `text` with absolute positions, and its lexical errors by offset (see
    `_token_stream`)."""
    problems: dict[int, LexError] = {}
    return list(_token_stream(text, base, docs, comments, problems)), problems


def _token_stream(
    text: str,
    base: int,
    docs: dict[int, tuple[str, ...]],
    comments: list[n.Comment],
    problems: dict[int, LexError],
) -> Iterator[Tok]:
    """The tokens of `text` with absolute positions, one at a time (a file of a million
    tokens is parsed without holding them all); its lexical errors go to `problems`, by
    offset.

    A lexical error is an `ERROR` token, a name in no rule of the grammar, so the parser
    stops there only once it has taken every token before it (a syntax error before it
    wins) and then reports the error kept under the token's start. Lexing goes on after
    a bad character or identifier, for the errors of later items; it stops at an
    unterminated comment, the rest of the file, and at a type nested too deeply. Comments
    go to `comments`, and those right before a token to `docs[start of the token]`."""
    # The last two tokens, for the version after `@` or `version =`.
    last: Tok = ("$START", "", 0, 0)
    before: Tok = last
    keywords = TERMINALS
    operators = OPERATORS
    pending: list[str] = []
    depth = 0
    pos = 0
    while True:
        # One match per token, whitespace included; `finditer` restarts after a block
        # comment, whose nesting a regular expression cannot follow.
        for m in _TOKEN.finditer(text, pos):
            group: int = m.lastindex  # type: ignore[assignment]  # one group always matches
            value: str = m[group]
            end = m.end()
            start = end - len(value)
            if group == _G_ID:
                ttype = keywords.get(value, "ID")
            elif group == _G_OP:
                ttype = operators[value]
                if ttype == "LT":
                    depth += 1
                elif ttype == "GT":
                    depth = max(depth - 1, 0)
            elif group == _G_LINE:
                pending.append(value)
                comments.append(_Comment(text=value, span=_Span(base + start, base + end)))
                continue
            elif group == _G_END:
                return
            elif group == _G_NUM:
                ttype = "INTEGER"
                if last[0] == "AT" or (last[0] == "EQ" and before[1] == "version"):
                    # After `@` (a package's or interface's version) or `version =` (a
                    # gate's): wit-parser reads a version there, token by token. The
                    # usual `1.2.3` followed by `;` `.` `{` `)` or `,` needs no more.
                    plain = _PLAIN_VERSION.match(text, start)
                    if plain is not None:
                        stop = pos = plain.end()
                        problem = None
                    else:
                        stop, pos, problem = _scan_version(text, start, base)
                    if pending:
                        docs[base + start] = tuple(pending)
                        pending = []
                    if problem is None:
                        tok: Tok = ("VERSION", text[start:stop], base + start, base + stop)
                    else:
                        integer: Tok = ("INTEGER", value, base + start, base + end)
                        problems[base + start] = LexError(problem, integer, "VERSION")
                        tok = ("ERROR", text[start:stop], base + start, base + stop)
                    before, last = last, tok
                    yield tok
                    break  # lexing resumes at `pos`, after what wit-parser took
            elif group == _G_STR:
                ttype = "STRING"
            elif group == _G_BADID:
                if value != "_":
                    diag = _id_error(value, base + start)
                    if diag is None:  # pragma: no cover - `_G_ID` takes every valid name
                        raise AssertionError(value)
                    as_id: Tok = ("ID", value, base + start, base + end)
                    problems[base + start] = LexError(diag, as_id, "ID")
                    before, last = last, ("ERROR", value, base + start, base + end)
                    yield last
                    continue
                ttype = "UNDERSCORE"
            elif group == _G_BLOCK:
                pos = _block_comment_end(text, start)
                if pos < 0:
                    sp = Span(base + start, base + start + 1)
                    problems[base + start] = LexError(
                        error("WIT100", "unterminated block comment", sp)
                    )
                    yield ("ERROR", value, base + start, base + end)
                    return
                body = text[start:pos]
                pending.append(body)
                comments.append(_Comment(text=body, span=_Span(base + start, base + pos)))
                break
            else:
                sp = Span(base + start, base + start + 1)
                diag = error("WIT100", f"unexpected character {value!r}", sp)
                problems[base + start] = LexError(diag)
                before, last = last, ("ERROR", value, base + start, base + end)
                yield last
                continue
            if depth >= MAX_NESTING and ttype != "LT" and ttype != "GT":
                # `<` only opens type arguments, so its depth is the type nesting depth;
                # wit-parser refuses a type nested more than MAX_NESTING levels deep.
                sp = Span(base + start, base + end)
                problems[base + start] = LexError(error("WIT313", "type nesting too deep", sp))
                yield ("ERROR", value, base + start, base + end)
                return
            if pending:
                docs[base + start] = tuple(pending)
                pending = []
            before, last = last, (ttype, value, base + start, base + end)
            yield last
        else:  # pragma: no cover - the `_G_END` alternative always matches last
            return


def tokenize(text: str, base: int) -> Iterator[Token]:
    """Yield Tokens with absolute positions (raising `LexError` at the first lexical
    error); record comments in the context."""
    tokens, problems = _lex(text, base, _ctx.docs, _ctx.comments)
    for ttype, value, start, end in tokens:
        if ttype == "ERROR":
            raise problems[start]
        yield Token(ttype, value, start, end)


# ---------------------------------------------------------------- node building

if TYPE_CHECKING:
    # A value on the parser's stack: a `Tok`, a node, a tuple of nodes, or None.
    Child = Any
    # What a reduction calls: the children lark's tree builder would pass (a fresh list
    # the callback may change) and the span they cover, as start and end offsets.
    Callback = Callable[[list[Child], int, int], Child]


def _where(x: Child) -> Span:
    """The span of one child: a token or a node."""
    if x.__class__ is tuple:
        return Span(x[2], x[3])
    return cast(Span, x.span)


def _docs(start: int) -> n.Docs:
    comments = _ctx.docs.get(start)
    if comments is None:
        return n.NO_DOCS
    return _Docs(comments=comments, span=_Span(start, start))


def _of(kind: type, c: list[Child]) -> tuple[Any, ...]:
    return tuple([x for x in c if x.__class__ is kind])


class SyntaxProblem(Exception):
    """Raised by a callback for a syntactically well-formed but invalid construct.

    `token` is the parser's lookahead when the callback ran (set by `_drive`): where the
    parse resumes after the error."""

    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag
        self.token: Tok = ("$END", "", 0, 0)


class NodeBuilder:
    """One small method per grammar rule (`_drive` calls them as it reduces).

    Each takes the rule's children and the start and end offsets of the text they cover
    (from the first token of the first child that has tokens, empty `attrs` having none,
    to the end of the last): the node's span. Items look up their docs at that start,
    the first token of their attributes or keyword."""

    def file(self, c: list[Child], start: int, end: int) -> n.File:
        return n.File(
            path="", package=c[0], items=tuple(c[1:]), comments=(), span=_Span(start, end)
        )

    def package_header(self, c: list[Child], start: int, end: int) -> n.PackageDecl:
        return cast(n.PackageDecl, c[0])

    def nested_package(self, c: list[Child], start: int, end: int) -> n.NestedPackage:
        return n.NestedPackage(decl=c[0], items=tuple(c[2:-1]), span=_Span(start, end))

    def package_keyword(self, c: list[Child], start: int, end: int) -> Tok:
        keyword: Tok = c[1]
        if c[0]:
            message = "cannot place attributes on nested packages"  # the header's too
            raise SyntaxProblem(error("WIT105", message, _where(keyword)))
        return keyword

    def package_decl(self, c: list[Child], start: int, end: int) -> n.PackageDecl:
        return n.PackageDecl(docs=_docs(start), name=c[1], span=_Span(start, end))

    def package_name(self, c: list[Child], start: int, end: int) -> n.PackageName:
        ver: Tok | None = c[3]
        return n.PackageName(
            namespace=c[0],
            name=c[2],
            extra=(),
            version=ver[1] if ver else None,
            version_span=_where(ver) if ver else Span.UNKNOWN,
            span=_Span(start, end),
        )

    def version(self, c: list[Child], start: int, end: int) -> Tok:
        return cast(Tok, c[1])  # checked as it was read (`_scan_version`)

    def toplevel_use(self, c: list[Child], start: int, end: int) -> n.ToplevelUse:
        return n.ToplevelUse(
            docs=_docs(start),
            attrs=c[0],
            path=c[2],
            alias=c[4],
            span=_Span(start, end),
            keyword=_where(c[1]),
        )

    def local_path(self, c: list[Child], start: int, end: int) -> n.LocalPath:
        return n.LocalPath(name=c[0], span=_Span(start, end))

    def package_path(self, c: list[Child], start: int, end: int) -> n.PackagePath:
        ver: Tok | None = c[5]
        return n.PackagePath(
            namespace=c[0],
            package=c[2],
            name=c[4],
            version=ver[1] if ver else None,
            span=_Span(start, end),
        )

    # ---- attributes
    def attrs(self, c: list[Child], start: int, end: int) -> tuple[n.Attribute, ...]:
        return tuple(c)

    def attr(self, c: list[Child], start: int, end: int) -> n.Attribute:
        attr = self._attr(c[1], c[3], _Span(start, end))
        if len(c) > 5:
            comma: Tok = c[4]
            raise SyntaxProblem(error("WIT101", "expected ')', found ','", _where(comma)))
        return attr

    def _attr(self, name: n.Id, arg: tuple[str, Any, Any], sp: Span) -> n.Attribute:
        kind, key, value = arg
        if name.name == "external-id":
            if kind != "string":
                raise SyntaxProblem(error("WIT104", "expected a string", key.span if key else sp))
            return n.ExternalId(value=_unquote(value), span=sp)
        want = _ATTRIBUTE_ARGS.get(name.name)
        if want is None:
            raise SyntaxProblem(error("WIT104", f"unknown attribute `{name.name}`", name.span))
        if kind == "string":
            raise SyntaxProblem(
                error("WIT104", f"expected `{want}`, found a string", _where(value))
            )
        if key.name != want:
            raise SyntaxProblem(error("WIT104", f"expected `{want}`, found `{key.name}`", key.span))
        if want == "feature":
            if kind != "ident":
                raise SyntaxProblem(error("WIT104", "expected an identifier", _where(value)))
            return n.Unstable(feature=value.name, span=sp)
        if kind != "version":  # a name: wit-parser wants the version's first integer
            at = Span(value.span.start, value.span.start + 1)
            raise SyntaxProblem(error("WIT101", "expected an integer, found an identifier", at))
        if name.name == "since":
            return _Since(version=value[1], span=sp)
        return n.Deprecated(version=value[1], span=sp)

    def attr_version(self, c: list[Child], start: int, end: int) -> tuple[str, n.Id, Tok]:
        return ("version", c[0], c[2])

    def attr_ident(self, c: list[Child], start: int, end: int) -> tuple[str, n.Id, n.Id]:
        return ("ident", c[0], c[2])

    def attr_string(self, c: list[Child], start: int, end: int) -> tuple[str, None, Tok]:
        return ("string", None, c[0])

    # ---- interfaces
    def interface(self, c: list[Child], start: int, end: int) -> n.Interface:
        return n.Interface(
            docs=_docs(start), attrs=c[0], name=c[2], items=tuple(c[4:-1]), span=_Span(start, end)
        )

    def use_item(self, c: list[Child], start: int, end: int) -> n.Use:
        return n.Use(
            docs=_docs(start), attrs=c[0], path=c[2], names=c[5] or (), span=_Span(start, end)
        )

    def use_names(self, c: list[Child], start: int, end: int) -> tuple[n.UseName, ...]:
        return _of(n.UseName, c)

    def use_name(self, c: list[Child], start: int, end: int) -> n.UseName:
        return n.UseName(name=c[0], alias=c[2], span=_Span(start, end))

    def func_item(self, c: list[Child], start: int, end: int) -> n.Func:
        return _Func(docs=_docs(start), attrs=c[0], name=c[1], func=c[3], span=_Span(start, end))

    def func_type(self, c: list[Child], start: int, end: int) -> n.FuncType:
        return _FuncType(
            is_async=c[0] is not None, params=c[3], result=c[5], span=_Span(start, end)
        )

    def params(self, c: list[Child], start: int, end: int) -> tuple[n.Param, ...]:
        return _of(n.Param, c)

    def param(self, c: list[Child], start: int, end: int) -> n.Param:
        return _Param(name=c[0], type=c[2], span=_Span(start, end))

    def result_type(self, c: list[Child], start: int, end: int) -> Any:
        return c[1]

    def type_alias(self, c: list[Child], start: int, end: int) -> n.TypeAlias:
        return n.TypeAlias(
            docs=_docs(start), attrs=c[0], name=c[2], type=c[4], span=_Span(start, end)
        )

    def record(self, c: list[Child], start: int, end: int) -> n.Record:
        return n.Record(
            docs=_docs(start),
            attrs=c[0],
            name=c[2],
            fields=_of(n.Field, c),
            span=_Span(start, end),
        )

    def field(self, c: list[Child], start: int, end: int) -> n.Field:
        return _Field(docs=_docs(start), name=c[0], type=c[2], span=_Span(start, end))

    def flags(self, c: list[Child], start: int, end: int) -> n.Flags:
        return n.Flags(
            docs=_docs(start),
            attrs=c[0],
            name=c[2],
            flags=_of(n.FlagName, c),
            span=_Span(start, end),
        )

    def flag(self, c: list[Child], start: int, end: int) -> n.FlagName:
        return _FlagName(docs=_docs(start), name=c[0], span=_Span(start, end))

    def variant(self, c: list[Child], start: int, end: int) -> n.Variant:
        return n.Variant(
            docs=_docs(start),
            attrs=c[0],
            name=c[2],
            cases=_of(n.Case, c),
            span=_Span(start, end),
        )

    def case(self, c: list[Child], start: int, end: int) -> n.Case:
        return _Case(docs=_docs(start), name=c[0], type=c[2], span=_Span(start, end))

    def enum(self, c: list[Child], start: int, end: int) -> n.Enum:
        return n.Enum(
            docs=_docs(start),
            attrs=c[0],
            name=c[2],
            cases=_of(n.EnumCase, c),
            span=_Span(start, end),
        )

    def enum_case(self, c: list[Child], start: int, end: int) -> n.EnumCase:
        return _EnumCase(docs=_docs(start), name=c[0], span=_Span(start, end))

    def resource_decl(self, c: list[Child], start: int, end: int) -> n.Resource:
        return n.Resource(
            docs=_docs(start), attrs=c[0], name=c[2], funcs=None, span=_Span(start, end)
        )

    def resource_def(self, c: list[Child], start: int, end: int) -> n.Resource:
        return n.Resource(
            docs=_docs(start),
            attrs=c[0],
            name=c[2],
            funcs=_of(n.ResourceFunc, c),
            span=_Span(start, end),
        )

    def method(self, c: list[Child], start: int, end: int) -> n.ResourceFunc:
        return _ResourceFunc(
            docs=_docs(start),
            attrs=c[0],
            kind="method",
            name=c[1],
            func=c[3],
            span=_Span(start, end),
        )

    def static_func(self, c: list[Child], start: int, end: int) -> n.ResourceFunc:
        return _ResourceFunc(
            docs=_docs(start),
            attrs=c[0],
            kind="static",
            name=c[1],
            func=c[4],
            span=_Span(start, end),
        )

    def constructor(self, c: list[Child], start: int, end: int) -> n.ResourceFunc:
        kw: Tok = c[1]
        name = _Id(name="constructor", span=_where(kw))
        func = _FuncType(is_async=False, params=c[3], result=c[5], span=_Span(kw[2], end))
        return _ResourceFunc(
            docs=_docs(start),
            attrs=c[0],
            kind="constructor",
            name=name,
            func=func,
            span=_Span(start, end),
        )

    # ---- worlds
    def world(self, c: list[Child], start: int, end: int) -> n.World:
        return n.World(
            docs=_docs(start), attrs=c[0], name=c[2], items=tuple(c[4:-1]), span=_Span(start, end)
        )

    def import_item(self, c: list[Child], start: int, end: int) -> n.Import:
        return n.Import(docs=_docs(start), attrs=c[0], extern=c[2], span=_Span(start, end))

    def export_item(self, c: list[Child], start: int, end: int) -> n.Export:
        return n.Export(docs=_docs(start), attrs=c[0], extern=c[2], span=_Span(start, end))

    def extern_func(self, c: list[Child], start: int, end: int) -> n.ExternFunc:
        return n.ExternFunc(name=c[0], func=c[2], span=_Span(start, end))

    def extern_inline(self, c: list[Child], start: int, end: int) -> n.ExternInline:
        return n.ExternInline(name=c[0], items=tuple(c[4:-1]), span=_Span(start, end))

    def extern_named(self, c: list[Child], start: int, end: int) -> n.ExternNamed:
        return n.ExternNamed(name=c[0], path=c[2], span=_Span(start, end))

    def extern_path(self, c: list[Child], start: int, end: int) -> n.ExternPath:
        return n.ExternPath(path=c[0], span=_Span(start, end))

    def include_plain(self, c: list[Child], start: int, end: int) -> n.Include:
        return n.Include(docs=_docs(start), attrs=c[0], path=c[2], names=(), span=_Span(start, end))

    def include_with(self, c: list[Child], start: int, end: int) -> n.Include:
        return n.Include(
            docs=_docs(start), attrs=c[0], path=c[2], names=c[5], span=_Span(start, end)
        )

    def include_names(self, c: list[Child], start: int, end: int) -> tuple[n.IncludeName, ...]:
        return _of(n.IncludeName, c)

    def include_name(self, c: list[Child], start: int, end: int) -> n.IncludeName:
        return n.IncludeName(name=c[0], alias=c[2], span=_Span(start, end))

    # ---- types
    def prim_ty(self, c: list[Child], start: int, end: int) -> n.Prim:
        tok: Tok = c[0]
        return _Prim(name=cast("n.PrimName", tok[1]), span=_Span(start, end))

    def tuple_ty(self, c: list[Child], start: int, end: int) -> n.TupleType:
        types = tuple([x for x in c[2:-1] if x.__class__ is not tuple])  # drop the commas
        return _TupleType(types=types, span=_Span(start, end))

    def list_ty(self, c: list[Child], start: int, end: int) -> n.ListType:
        size: Tok | None = c[4]
        if size is not None:
            value = int(size[1])
            if value >= 1 << 32:
                raise SyntaxProblem(
                    error(
                        "WIT106",
                        "invalid list size: number too large to fit in target type",
                        _where(size),
                    )
                )
            return _ListType(element=c[2], size=value, span=_Span(start, end))
        return _ListType(element=c[2], size=None, span=_Span(start, end))

    def option_ty(self, c: list[Child], start: int, end: int) -> n.OptionType:
        return _OptionType(type=c[2], span=_Span(start, end))

    def result_ty(self, c: list[Child], start: int, end: int) -> n.ResultType:
        args = c[2]
        if args is None:
            return _ResultType(ok=None, err=None, span=_Span(start, end))
        return _ResultType(ok=args[0], err=args[1], span=_Span(start, end))

    def result_args(self, c: list[Child], start: int, end: int) -> tuple[Any, Any]:
        return (c[0], c[2])

    def result_no_ok(self, c: list[Child], start: int, end: int) -> tuple[Any, Any]:
        return (None, c[2])

    def map_ty(self, c: list[Child], start: int, end: int) -> n.MapType:
        return n.MapType(key=c[2], value=c[4], span=_Span(start, end))

    def future_ty(self, c: list[Child], start: int, end: int) -> n.FutureType:
        return n.FutureType(type=c[2], span=_Span(start, end))

    def stream_ty(self, c: list[Child], start: int, end: int) -> n.StreamType:
        return n.StreamType(type=c[2], span=_Span(start, end))

    def handle_ty(self, c: list[Child], start: int, end: int) -> n.HandleType:
        kw: Tok = c[0]
        return _HandleType(borrow=kw[0] == "BORROW", resource=c[2], span=_Span(start, end))

    def named_ty(self, c: list[Child], start: int, end: int) -> n.Named:
        return _Named(name=c[0], span=_Span(start, end))


def _unquote(tok: Tok) -> str:
    return tok[1][1:-1]


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
    "MINUS": "`-`",
    "PLUS": "`+`",
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
    kw = {v: k for k, v in TERMINALS.items()}.get(ttype)
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
# The gates and the name of their one argument.
_ATTRIBUTE_ARGS = {"since": "version", "deprecated": "version", "unstable": "feature"}
_TOP_LEVEL = "`world`, `interface` or `use`"
_INTERFACE_ITEM = "`type`, `resource` or `func`"
_WORLD_ITEM = "`import`, `export`, `include`, `use`, or type definition"
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
        return _INTERFACE_ITEM
    if {"IMPORT", "EXPORT", "INCLUDE"} <= exp:
        return _WORLD_ITEM
    if "ID" in exp and exp <= {"ID", "STRING", "AT", "RBRACE", "RPAREN", "GT", "COMMA"}:
        return "an identifier or string"
    if {"WORLD", "INTERFACE", "USE"} <= exp:
        return _TOP_LEVEL  # a top-level item (attributes and `package` aside)
    if {"ID", "FUNC", "INTERFACE"} <= exp:
        return "an identifier or string"  # what a named import or export names
    if {"COLON", "DOT"} <= exp and "SEMI" not in exp:
        return describe_token("DOT")  # `use iface.{...}`: a package path is the exception
    closers = exp & {"RBRACE", "RPAREN", "GT"}
    if "COMMA" in exp and len(closers) == 1:
        # A list (fields, cases, params, ...) that goes on without a comma: wit-parser,
        # finding no comma after an item, expects the list to end.
        return describe_token(next(iter(closers)))
    if len(exp) == 1:
        return describe_token(next(iter(exp)))
    for t in _PRIORITY:
        if t in exp:
            return describe_token(t)
    return describe_token(sorted(exp)[0]) if exp else "eof"


class _Stuck(Exception):
    """The parser has no action for `token` in the state on top of `stack`."""

    def __init__(self, token: Tok, stack: list[int], context: list[Child]) -> None:
        super().__init__(token[0])
        self.token = token
        self.stack = stack
        self.context = context  # the top values of the stack (eight, fewer near the start)


class _TooDeep(Exception):
    """Python ran out of stack while the parser was at `token`."""

    def __init__(self, token: Tok) -> None:
        super().__init__(token[0])
        self.token = token


def _children(c: list[Child], start: int, end: int) -> list[Child]:
    """A helper rule's value (lark's `__x_star` rules): its children, to splice in."""
    return c


def _grow(c: list[Child], start: int, end: int) -> list[Child]:
    """A helper rule that adds to the list of its first child: add in place, rather than
    copy the list once per item."""
    head: list[Child] = c[0]
    head += c[1:]
    return head


def _callback(
    method: Callback | None,
    expand1: bool,
    include: list[list[Any]] | None,
    nones: int,
) -> Callback:
    """What a reduction calls: the `NodeBuilder` method on the children lark's tree builder
    would pass (see `grammar.build_table`). A helper rule without a method (lark's
    `__x_star` rules) returns its children, for the parent to splice in. Every terminal of
    the grammar is named, so lark keeps every child: `include` only splices helper lists
    and adds Nones for absent `[optional]` items, which is done in place."""
    build: Callback = method if method is not None else _children
    if expand1:
        whole = build

        def build(c: list[Child], start: int, end: int) -> Child:
            return c[0] if len(c) == 1 else whole(c, start, end)

    if include is None:
        return build
    # Right to left, so that an edit leaves the indexes of those still to do alone.
    edits = [(i, splice, [None] * before) for i, splice, before in reversed(include)]
    edits = [(i, splice, pad) for i, splice, pad in edits if splice or pad]
    tail = [None] * nones
    if method is None and not expand1 and not tail and edits == [(0, True, [])]:
        return _grow
    inner = build

    def filtered(c: list[Child], start: int, end: int) -> Child:
        for i, splice, pad in edits:
            if splice:
                c[i : i + 1] = c[i]
            if pad:
                c[i:i] = pad
        if tail:
            c += tail
        return inner(c, start, end)

    return filtered


# Rules whose one child is their value, reduced without a call: `?ty` (lark's `expand1`)
# too, and `id: ID`, because the driver shifts an identifier as its `n.Id` node.
_PASS_THROUGH = frozenset(
    {"start", "top_item", "interface_item", "typedef_item", "world_item", "id"}
)


@functools.cache
def _tables() -> tuple[dict[int, dict[str, tuple[Any, ...]]], int, int, frozenset[str]]:
    """The prebuilt LALR table (`grammars/wit.lalr.json`): per state, token → `(True,
    state)` to shift or go, `(False, size, callback, rule name, passes its child through)`
    to reduce."""
    from witgen.syntax.grammar import load_table

    data = load_table()
    builder = NodeBuilder()
    reductions = []
    for origin, size, method, expand1, include, nones in data["rules"]:
        if include is not None and [i for i, _, _ in include] != list(range(size)):
            raise AssertionError(f"rule {origin} drops a child; name its terminals")
        callback = _callback(
            getattr(builder, method, None) if method else None, expand1, include, nones
        )
        one_child = size == 1 and include is None and nones == 0
        if origin in _PASS_THROUGH and not one_child:
            raise AssertionError(f"rule {origin} has more than its one child")
        through = one_child and (expand1 or origin in _PASS_THROUGH)
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
    rule name)`; its callback is None where it passes its one child through.
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


def _drive(
    tokens: Iterable[Tok],
    rows: list[dict[str, Any]],
    values: list[Child],
    starts: list[int],
    last_end: int,
) -> n.File | None:
    """The LALR loop over `_rows()`, from the stack `rows` (with its `values` and their
    `starts`) through `tokens`; None if they end before `$END` (a trial parse's window,
    see `_trial`). Raises `_Stuck`, `SyntaxProblem` or `_TooDeep` with the stack as it is
    at the error, for `_syntax_errors` to go on from.

    Beside each value on the stack is the offset where it starts: that of its first token,
    or for a value without tokens (empty `attrs`) that of the token after it. A reduction
    spans from its first value's start to the end of the last token taken (`last_end`
    before the first), so the callbacks never look into their children for positions."""
    _, accept, numbers = _rows()
    tok: Tok = ("$END", "", 0, 0)
    try:
        for tok in tokens:
            ttype, text, tok_start, tok_end = tok
            row = rows[-1]
            while True:
                act = row.get(ttype)
                if act is None:
                    if row is accept:  # empty: reached by reducing `start` at the end
                        return cast(n.File, values[-1])
                    raise _Stuck(tok, [numbers[id(r)] for r in rows], values[-8:])
                if act.__class__ is dict:
                    rows.append(act)
                    if ttype == "ID":  # as its node (see `_PASS_THROUGH`)
                        # Interned: a package names its types and fields many times.
                        name = _intern(text[1:] if text[0] == "%" else text)
                        values.append(_Id(name=name, span=_Span(tok_start, tok_end)))
                    else:
                        values.append(tok)
                    starts.append(tok_start)
                    break
                size, callback, origin = act
                if callback is None:  # passes its one child through, start included
                    del rows[-1]
                elif size == 1:
                    del rows[-1]
                    values[-1] = callback([values[-1]], starts[-1], last_end)
                elif size:
                    children = values[-size:]
                    del rows[-size:]
                    del values[-size:]
                    del starts[1 - size :]
                    values.append(callback(children, starts[-1], last_end))
                else:
                    values.append(callback([], tok_start, tok_start))
                    starts.append(tok_start)
                row = rows[-1][origin]
                rows.append(row)
            last_end = tok_end
    except RecursionError:
        raise _TooDeep(tok) from None
    except SyntaxProblem as e:
        e.token = tok
        raise
    return None


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


def _kind(value: Child) -> str:
    """A stack value's token type (`LPAREN`), or its class name (`Id`, `tuple`, ...)."""
    if value.__class__ is tuple and len(value) == 4 and value[0].__class__ is str:
        return str(value[0])
    return str(value.__class__.__name__)


def _open_attribute(values: list[Child], kinds: list[str]) -> tuple[n.Id, n.Id | None] | None:
    """The name of the attribute whose `(` is open at the top of the stack (`@name(`, only
    attributes put an identifier before a `(`), and the identifier after it, if any."""
    for i in range(len(values) - 1, 1, -1):
        if kinds[i] == "RPAREN":
            return None
        if kinds[i] == "LPAREN" and kinds[i - 1] == "Id" and kinds[i - 2] == "AT":
            arg = values[i + 1] if i + 1 < len(values) and kinds[i + 1] == "Id" else None
            return values[i - 1], arg
    return None


def _stuck(e: _Stuck, text: str, base: int) -> Diagnostic:
    terminals = _tables()[3]
    expected = {t for t in terminals if _accepts(e.stack, t)}
    expected = expected or set(_tables()[0][e.stack[-1]])
    ttype, value, start, end = e.token
    if ttype == "$END":
        pos = base + len(text)
        return error(
            "WIT101", f"expected {_expected_text(expected)}, found eof", Span(pos, pos + 1)
        )
    wanted = _expected_text(expected)
    kinds = [_kind(x) for x in e.context]
    if expected == {"SEMI", "LBRACE"} and kinds[-2:-1] == ["RESOURCE"]:
        wanted = describe_token("SEMI")  # `resource r` ends with `;` unless a body follows
    inside = _open_attribute(e.context, kinds)
    if inside is not None:
        # wit-parser checks an attribute's name, then its argument's, before the rest.
        attr, arg = inside
        want = _ATTRIBUTE_ARGS.get(attr.name)
        if want is None and attr.name != "external-id":
            return error("WIT104", f"unknown attribute `{attr.name}`", attr.span)
        if want is not None and arg is not None and arg.name != want:
            return error("WIT104", f"expected `{want}`, found `{arg.name}`", arg.span)
        if want is None and arg is not None:  # `@external-id(` takes a string only
            return error(
                "WIT101",
                "expected a string literal, found an identifier",
                Span(arg.span.start, arg.span.start + 1),
            )
        if kinds[-1] == "EQ":
            # The value: wit-parser reads a version (from its first integer), or a name.
            wanted = "an integer" if want == "version" else "an identifier or string"
        elif kinds[-1] == "LPAREN" and want is None:
            wanted = "a string literal"
    if ttype == "VERSION":  # wit-parser's token there is the version's first integer
        end = start + len(_DIGITS.match(value).group())  # type: ignore[union-attr]
    # wit-parser underlines the whole token where an identifier or an item was expected,
    # else one column.
    whole = wanted in (
        "a type",
        "an identifier or string",
        "`constructor` or identifier",
        "fixed-length",
        _TOP_LEVEL,
        _INTERFACE_ITEM,
        _WORLD_ITEM,
    )
    sp = Span(start, max(end if whole else start + 1, start + 1))
    found = describe_token(ttype, value)
    return error("WIT101", f"expected {wanted}, found {found}", sp)


# ---------------------------------------------------------------- recovery

# The rules of a file's, a nested package's, an interface's and a world's items: a state
# with a goto on one of them is one where such an item may start, where recovery resumes.
_ITEM_RULES = ("top_item", "interface_item", "world_item")
# Tokens that only ever start an item: one where the container takes none may follow a
# container whose `}` went missing.
_ITEM_KEYWORDS = frozenset(
    {
        "AT",
        "ENUM",
        "EXPORT",
        "FLAGS",
        "IMPORT",
        "INCLUDE",
        "INTERFACE",
        "PACKAGE",
        "RECORD",
        "RESOURCE",
        "TYPE",
        "USE",
        "VARIANT",
        "WORLD",
    }
)
# A trial (see `_syntax_errors`) skips at most `_TRIAL_SKIP` tokens and parses at most
# `_TRIAL_TOKENS`; its guess fits if parsing takes `_TRIAL_FITS` of them before failing:
# a wrong guess fails at once.
_TRIAL_SKIP = 5000
_TRIAL_TOKENS = 200
_TRIAL_FITS = 3
# Past this many syntax errors in a file, or a skip this many tokens long (longer than
# any item), the file is likely not WIT at all, or a mistake has thrown recovery off:
# the rest is not searched.
MAX_SYNTAX_ERRORS = 100
_LONGEST_SKIP = 100_000

if TYPE_CHECKING:
    # The parser's stack: its rows, their values, and where each value starts.
    Stack = tuple[list[dict[str, Any]], list[Child], list[int]]
    # Where `_drive` stops short of the end.
    Halt = _Stuck | SyntaxProblem | _TooDeep


def _diagnose(
    e: Halt, tokens: list[Tok], problems: dict[int, LexError], text: str, base: int
) -> Diagnostic:
    """The diagnostic for where `_drive` stopped."""
    if isinstance(e, SyntaxProblem):
        return e.diag
    if isinstance(e, _TooDeep):
        # At the token being read; at the end of input, the last token (or the start).
        at = tokens.index(e.token) - (e.token[0] == "$END")
        pos = tokens[at][2] if at >= 0 else base
        return error("WIT313", "type nested too deeply", Span(pos, pos + 1))
    if e.token[0] == "ERROR":
        problem = problems[e.token[2]]
        if problem.instead is not None and not _accepts(e.stack, problem.wanted):
            # The parser wants something else here: wit-parser's syntax error about the
            # token it reads (an identifier, an integer) comes before the lexical one.
            return _stuck(_Stuck(problem.instead, e.stack, e.context), text, base)
        return problem.diag
    return _stuck(e, text, base)


def _syntax_errors(
    first: Halt,
    tokens: list[Tok],
    problems: dict[int, LexError],
    stack: Stack,
    text: str,
    base: int,
) -> list[Diagnostic]:
    """The file's syntax errors in order: `first`, where `_drive` stopped on `stack`, then
    one for each later item with a mistake of its own.

    After each error the item it is in is dropped and parsing goes on with the next
    item (see `_resynchronise`), so that one mistake gives one error. Where the item
    ends depends on its braces, and a brace is what a mistake most often breaks, so a
    few guesses are tried in turn (see `_guesses`), each by a trial parse on a copy of
    the stack (`_trial`). The first guess that fits is kept: its skip stops at the first
    end of an item it meets, parsing then takes a few tokens before the next error, and
    the braces left open match the `}` that close them in the rest of the file. Failing
    that, the first guess that fits but for the braces (another brace mistake is ahead),
    else the one under which parsing gets furthest.

    An error at the end of the file with a `{` still open is not reported after another
    one: an earlier mistake (an extra `{`, or a `}` in a part that recovery skipped)
    leaves a brace open far more often than a file is cut short. A file with an error
    has no tree, so what the parser builds after one is thrown away."""
    from itertools import islice

    found: list[Diagnostic] = []
    e = first
    last = -1  # the token of the error before
    closes: list[int] = []  # `_closes(tokens)`, once a guess needs it
    while True:
        if found and e.token[0] == "$END" and _open_braces(stack[1]):
            return found  # what an earlier mistake left open (see above)
        found.append(_diagnose(e, tokens, problems, text, base))
        if isinstance(e, _TooDeep) or e.token[0] == "$END":
            return found  # Python's stack ran out, not the input; or the input did
        if len(found) == MAX_SYNTAX_ERRORS:
            last_one = found[-1]
            more = Note("no more syntax errors are reported for this file")
            found[-1] = error(last_one.code, last_one.message, last_one.span, *last_one.notes, more)
            return found
        at = _index(tokens, e.token)
        reuse = at != last
        last = at
        chosen = None
        near = None  # the first guess that fits but for the braces
        furthest = (-1, 0)  # how far parsing gets, and the guess, by its index
        guesses = _guesses(e, tokens, at, reuse)
        for number, guess in enumerate(guesses):
            resume, taken, refused, braces = _trial(tokens, at, stack, reuse, *guess)
            if not refused and taken >= _TRIAL_FITS:
                closes = closes or _closes(tokens)
                if closes[resume] == braces:
                    chosen = guess
                    break
                near = near or guess
            furthest = max(furthest, (resume + taken, -number))
        if chosen is None:
            chosen = near or guesses[-furthest[1]]
        end = min(at + _LONGEST_SKIP, len(tokens) - 1)
        going_on = _resynchronise(tokens, at, end, stack, reuse, *chosen)[0]
        if going_on is None:
            return found
        try:
            _drive(islice(tokens, going_on, None), *stack, tokens[going_on - 1][3])
        except (_Stuck, SyntaxProblem, _TooDeep) as again:
            e = again
        else:
            return found


def _guesses(e: Halt, tokens: list[Tok], at: int, reuse: bool) -> list[tuple[int, bool, bool]]:
    """What to try after the error `e` at `tokens[at]`, in order, as the `opened`,
    `close` and `stray` of `_resynchronise`: the plain skip; the container's `}` missing
    before an item's keyword; the item's `{` missing where one was expected; the item's
    `}` missing; a brace or `;` too many."""
    guesses = [(0, False, False)]
    if reuse and tokens[at][0] in _ITEM_KEYWORDS:
        guesses.append((0, True, False))
    if isinstance(e, _Stuck) and _accepts(e.stack, "LBRACE"):
        guesses.append((1, False, False))
    guesses.append((-1, False, False))
    guesses.append((0, False, True))
    return guesses


def _open_braces(values: list[Child]) -> int:
    """How many `{` among stack values are not closed by a `}` among them."""
    kinds = [_kind(value) for value in values]
    return kinds.count("LBRACE") - kinds.count("RBRACE")


def _closes(tokens: list[Tok]) -> list[int]:
    """For each index, how many `}` of the tokens from there on close a `{` before it;
    -1 where a `{` from there on is never closed."""
    out = [0] * len(tokens)
    unmatched = unclosed = 0
    for i in range(len(tokens) - 1, -1, -1):
        kind = tokens[i][0]
        if kind == "RBRACE":
            unmatched += 1
        elif kind == "LBRACE":
            if unmatched:
                unmatched -= 1
            else:
                unclosed += 1
        out[i] = -1 if unclosed else unmatched
    return out


def _index(tokens: list[Tok], tok: Tok) -> int:
    """Where `tok` is in `tokens` (ordered by their start)."""
    from bisect import bisect_left

    return bisect_left(tokens, tok[2], key=_token_start)


def _token_start(tok: Tok) -> int:
    return tok[2]


def _trial(
    tokens: list[Tok], at: int, stack: Stack, reuse: bool, opened: int, close: bool, stray: bool
) -> tuple[int, int, bool, int]:
    """`_resynchronise` on a copy of `stack`, and a parse from there of up to
    `_TRIAL_TOKENS` tokens. Returns the index of the token where parsing would resume;
    how many tokens it takes before an error (all of them if the error is a lexical one
    or a `SyntaxProblem`: a mistake of its own, whatever the guess); whether the skip
    went past the end of an item; and how many braces the stack leaves open."""
    from itertools import islice

    rows, values, starts = stack
    # Helper rules grow their lists in place (`_grow`): the trial copies them too.
    copy = (list(rows), [v.copy() if v.__class__ is list else v for v in values], list(starts))
    end = min(at + _TRIAL_SKIP, len(tokens) - 1)
    resume, refused = _resynchronise(tokens, at, end, copy, reuse, opened, close, stray)
    if resume is None:
        return len(tokens) - 1, 0, refused, 0
    braces = _open_braces(copy[1])
    try:
        _drive(islice(tokens, resume, resume + _TRIAL_TOKENS), *copy, tokens[resume - 1][3])
    except _Stuck as e:
        if e.token[0] != "ERROR":
            return resume, _index(tokens, e.token) - resume, refused, braces
    except _TooDeep as e:
        return resume, _index(tokens, e.token) - resume, refused, braces
    except SyntaxProblem:
        pass
    return resume, _TRIAL_TOKENS, refused, braces


def _container(rows: list[dict[str, Any]], values: list[Child], k: int, braces: int) -> int:
    """The index of the innermost container at or below `rows[k]` (a state where an item
    may start) whose `{` is still open, `braces` being the braces left open above
    `rows[k]`; -1 if there is none."""
    while braces < 0 or not any(rule in rows[k] for rule in _ITEM_RULES):
        if k == 0:
            return -1
        k -= 1
        kind = _kind(values[k])
        if kind == "LBRACE":
            braces += 1
        elif kind == "RBRACE":
            braces -= 1
    return k


def _resynchronise(
    tokens: list[Tok],
    at: int,
    end: int,
    stack: Stack,
    reuse: bool,
    opened: int,
    close: bool,
    stray: bool,
) -> tuple[int | None, bool]:
    """Drop the item that the error at `tokens[at]` is in, from `stack` and from the
    tokens; return the index of the token to go on from, or None if the skip reaches
    `tokens[end]` (`$END`, or where a trial gives up).

    The stack goes back to the innermost state where an item may start, whose `{` is
    still open: the item's container (the file, a nested package, an interface or a
    world). The tokens are skipped to the end of the item: a `;` outside its braces, or
    the `}` that closes its body (with a `;` after it, as `use a.{b};` has). Braces
    count from those the item opened before the error, and `opened` more (1: a `{` taken
    as missing; -1: a `}`). The container must take the token there (see `_takes`),
    else that token starts more of the same mistake (the body of an item whose `{` went
    missing, say: the skip is refused) and the skip goes on. A `}` that closes the
    container is taken by the container, unless `reuse` is false (the error before was
    at that same token: resuming there again would loop). Returns the index, and
    whether the skip was refused on the way.

    With `close` (the container's `}` taken as missing), the container is dropped too
    and parsing goes on at the error, if the container around it takes that token (else
    `close` changes nothing). With `stray`, the first `{`, `}` or `;` before the end of
    the item is taken as one too many, and skipped without counting."""
    rows, values, starts = stack
    numbers = _rows()[2]
    k = _container(rows, values, len(rows) - 1, 0)
    if close:
        outer = _container(rows, values, k, -1)  # past the container's own `{`
        around = [numbers[id(row)] for row in rows[: outer + 1]]  # empty if none
        if around and _takes(around, tokens, at, {}):
            del rows[outer + 1 :], values[outer:], starts[outer:]
            return at, False
    braces = max(_open_braces(values[k:]) + opened, 0)
    del rows[k + 1 :], values[k:], starts[k:]
    states = [numbers[id(row)] for row in rows]
    known: dict[str, bool] = {}
    i = at
    refused = False
    while i < end:
        kind = tokens[i][0]
        i += 1
        ends = False
        if stray and (kind == "LBRACE" or kind == "RBRACE" or kind == "SEMI"):
            stray = False
        elif kind == "LBRACE":
            braces += 1
        elif kind == "RBRACE":
            # No container ends with `};`: that `}` is the end of a `use` whose `{` is
            # missing, and the `;` ends the item.
            semi = tokens[i][0] == "SEMI"
            if braces == 0 and reuse and not semi and _takes(states, tokens, i - 1, known):
                return i - 1, refused
            braces = max(braces - 1, 0)  # a stray `}` (or one of the container's) is skipped
            ends = braces == 0
            if ends and semi:
                i += 1
        elif kind == "SEMI":
            ends = braces == 0
        reuse = True
        if ends:
            if _takes(states, tokens, i, known):
                return i, refused
            refused = True
            stray = False
    return None, refused


def _takes(states: list[int], tokens: list[Tok], i: int, known: dict[str, bool]) -> bool:
    """Whether the container on top of `states` takes `tokens[i]` where an item may
    start: the item's first token after its attributes (which every container takes),
    or the container's `}`. A lexical error is taken too, to be reported. `known` keeps
    the answers by token kind for these `states` (a long skip asks again and again)."""
    kind = tokens[i][0]
    while kind == "AT":
        if tokens[i + 1][0] != "ID" or tokens[i + 2][0] != "LPAREN":
            return False  # no attribute, so no item: more of the mistake
        i += 3
        while tokens[i][0] not in ("RPAREN", "SEMI", "LBRACE", "RBRACE", "$END"):
            i += 1
        if tokens[i][0] != "RPAREN":
            return True  # an attribute left open: a mistake of its own, to be reported
        i += 1
        kind = tokens[i][0]
    if kind not in known:
        known[kind] = kind == "ERROR" or _accepts(states, kind)
    return known[kind]


def parse_file(
    sources: SourceMap, path: str, text: str, *, base: int | None = None, descent: bool = True
) -> n.File:
    """Parse one file already added to `sources` at offset `base` (default: the last file).

    `descent=False` parses with the LALR parser only (the tests compare the two)."""
    if base is None:
        base = sources.files[-1].start
    bad = _first_forbidden(text)
    if bad is not None:
        pos = base + bad.start()
        ch = bad.group()
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            message = f"Control code '\\u{{{ord(ch):x}}}'"  # wit-parser's wording
        else:
            message = f"invalid character {ch!r} in source"
        raise WitError((error("WIT107", message, Span(pos, pos + 1)),), sources)
    size = len(text)
    end: Tok = ("$END", "", base + size, base + size)
    comments: list[n.Comment] = []
    docs: dict[int, tuple[str, ...]] = {}
    # First the recursive-descent parser, which takes valid text only (most files, and
    # the large ones); for anything else the LALR parser below, with its error messages.
    from witgen.syntax.descent import Unsure, parse_valid

    try:
        if not descent:
            raise Unsure("asked for the LALR parser")
        stream = chain(_token_stream(text, base, docs, comments, {}), (end,))
        package, items = parse_valid(stream, docs)
    except Unsure:
        comments = []
        docs = {}
    else:
        return n.File(
            path=path,
            package=package,
            items=items,
            comments=tuple(comments),
            span=Span(base, base + len(text)),
        )
    _ctx.docs = docs
    rows: list[dict[str, Any]] = [_rows()[0]]
    values: list[Child] = []
    starts: list[int] = []
    try:
        # The tokens are parsed as they are read, never all held at once: a list of them
        # would take more memory than the tree.
        stream = chain(_token_stream(text, base, docs, comments, {}), (end,))
        tree = cast(n.File, _drive(stream, rows, values, starts, 0))  # ends with `$END`
    except (_Stuck, SyntaxProblem, _TooDeep) as e:
        # Recovery looks back and ahead of the error: it needs the whole list, and the
        # lexical errors after the error too. Docs are recorded again, as they were.
        _ctx.docs = docs = {}
        tokens, problems = _lex(text, base, docs, [])
        tokens.append(end)
        found = _syntax_errors(e, tokens, problems, (rows, values, starts), text, base)
        raise WitError(tuple(found), sources) from None
    finally:
        _ctx.docs = {}
    return n.File(
        path=path,
        package=tree.package,
        items=tree.items,
        comments=tuple(comments),
        span=Span(base, base + len(text)),
    )


def parse_text(text: str, path: str = "<input>") -> tuple[n.File, SourceMap]:
    """Convenience for tests: parse one string as a file of its own."""
    sources = SourceMap()
    sources.add(path, text)
    return parse_file(sources, path, text), sources
