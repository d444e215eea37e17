"""Diagnostics: the one way witgen reports a problem in its input.

Input: `Diagnostic`s raised by the parser, loader, resolver and backends. Output: text
(wasm-tools' layout plus a code and notes), JSON and SARIF 2.1.0. Invariants: every code
is listed once in `CODES` and never reused; `WitError` is the only exception a user ever
sees (anything else escaping `api` is a bug).
"""

from __future__ import annotations

from witgen._record import field, record
from witgen.text.source import Location, SourceMap, Span

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import ClassVar, TypeAlias


class Severity:
    """An error or a warning: `Severity.ERROR` and `Severity.WARNING`, the only two, compared
    with `is` (an enum, without the cost of importing `enum` at start-up)."""

    __slots__ = ("value",)
    ERROR: ClassVar[Severity]
    WARNING: ClassVar[Severity]

    def __init__(self, value: str) -> None:
        self.value = value

    @property
    def name(self) -> str:
        """`ERROR` or `WARNING`, as an enum member's name."""
        return self.value.upper()

    def __repr__(self) -> str:
        return f"Severity.{self.name}"

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return _severity, (self.value,)  # unpickled as the same object


Severity.ERROR = Severity("error")
Severity.WARNING = Severity("warning")


def _severity(value: str) -> Severity:
    return Severity.ERROR if value == "error" else Severity.WARNING


# code -> one-line description. WIT1xx syntax, WIT2xx names/packages/files,
# WIT3xx semantic rules, WIT4xx backend limits. Never reuse a retired code.
CODES: dict[str, str] = {
    "WIT100": "the input could not be tokenized (bad character, unterminated comment or string)",
    "WIT101": "unexpected token: the text does not follow WIT's grammar",
    "WIT102": "invalid identifier (not kebab-case, or a keyword used without `%`)",
    "WIT103": "invalid version (not a valid semantic version)",
    "WIT104": "invalid attribute (unknown gate, wrong argument)",
    "WIT105": "invalid package declaration or nesting",
    "WIT106": "invalid fixed-length list size",
    "WIT107": "the input is not valid UTF-8 or contains a forbidden code point",
    "WIT108": "malformed binary: a .wasm input is truncated, corrupted or not what it claims",
    "WIT109": "malformed WebAssembly text: a .wat input outside the subset witgen reads",
    "WIT200": "a file or directory could not be read",
    "WIT201": "a referenced type does not exist",
    "WIT202": "a referenced interface or world does not exist",
    "WIT203": "a name is defined more than once",
    "WIT204": "a name refers to the wrong kind of item",
    "WIT205": "a package could not be found",
    "WIT206": "no package declaration was found",
    "WIT207": "a package is defined more than once",
    "WIT208": "a world or interface name in a `use`, `include` or import conflicts with another",
    "WIT209": "a name is not defined in the referenced interface",
    "WIT210": "a world was not found",
    "WIT300": "a dependency cycle (types, interfaces, worlds or packages)",
    "WIT301": "an empty record, variant, enum or flags",
    "WIT302": "too many flags",
    "WIT303": "a handle to a type that is not a resource",
    "WIT304": "`borrow` where it is not allowed",
    "WIT305": "invalid resource member (constructor result, duplicate member)",
    "WIT306": "feature-gate rule violated",
    "WIT307": "a reference to an item excluded by its feature gate",
    "WIT308": "an interface is imported or exported more than once, or in incompatible ways",
    "WIT309": "a world item conflicts with another",
    "WIT310": "invalid use of a function as a type, or a type as a function",
    "WIT311": "invalid `include`",
    "WIT312": "async is not allowed here",
    "WIT313": "a type nested too deeply",
    "WIT314": "what a component binary cannot hold (names equal but for case, types over limits)",
    "WIT400": "a construct the backend cannot express",
    "WIT401": "a name collision in generated code",
    "WIT402": "the generated package's name is not a valid Python package name",
    "WIT403": "an async function: wasmtime-py cannot call it (host bindings)",
    "WIT404": "a stream, future or error-context: wasmtime-py cannot pass it (host bindings)",
    "WIT405": "a map or fixed-length list: wasmtime-py cannot pass it (host bindings)",
    "WIT406": "a variant, option or result case wasmtime-py would send as an earlier case",
    "WIT407": "a handle to a resource that WASI implements: wasmtime-py cannot pass it",
    "WIT408": "an exported interface's module hides a standard-library module (guest bindings)",
    "WIT409": "an optional package the output needs is not installed",
}


@record(kw_only=False)
class Note:
    """Extra information attached to a diagnostic: a hint, or a related location."""

    message: str
    span: Span = Span.UNKNOWN


@record(kw_only=False)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span
    notes: tuple[Note, ...] = ()


def error(code: str, message: str, span: Span, *notes: Note) -> Diagnostic:
    assert code in CODES, code
    return Diagnostic(code, Severity.ERROR, message, span, tuple(notes))


def warning(code: str, message: str, span: Span, *notes: Note) -> Diagnostic:
    assert code in CODES, code
    return Diagnostic(code, Severity.WARNING, message, span, tuple(notes))


@record(frozen=False, kw_only=False)
class WitError(Exception):
    """The single user-facing exception: one or more diagnostics against a source map."""

    diagnostics: tuple[Diagnostic, ...]
    sources: SourceMap = field(default_factory=SourceMap)

    def __str__(self) -> str:
        return render_text(self.diagnostics, self.sources)


# ---------------------------------------------------------------- ordering

# A diagnostic together with the source map its span points into. `check` covers several
# paths, each with a SourceMap of its own, so the renderers accept such pairs.
Located: TypeAlias = tuple[Diagnostic, SourceMap]


def sort_key(d: Diagnostic, sources: SourceMap) -> tuple[int, int]:
    """Position within one source map: file, then offset; unknown spans last."""
    if not d.span.known or not sources.files:
        return (1 << 30, 0)
    return (sources.files.index(sources.file_at(d.span.start)), d.span.start)


def ordered(
    diags: Iterable[Diagnostic | Located], sources: SourceMap | None = None
) -> list[Located]:
    """Pairs in rendering order.

    A bare `Diagnostic` is paired with `sources` (an empty map, so no location, if None).
    Source maps keep the order in which they first appear (the order of the paths given).
    Within one map the first diagnostic stays first: producers put the error wasm-tools
    reports there (it is the one the corpus locates), and wasm-tools resolves in
    topological order, not in file order. The rest follow by file, then by offset, with
    spanless ones last; the sort is stable, so ties keep the producer's order.
    """
    empty = sources if sources is not None else SourceMap()
    groups: dict[int, list[Located]] = {}
    for item in diags:
        pair = item if isinstance(item, tuple) else (item, empty)
        groups.setdefault(id(pair[1]), []).append(pair)
    out: list[Located] = []
    for group in groups.values():
        out.append(group[0])
        out.extend(sorted(group[1:], key=lambda p: sort_key(*p)))
    return out


# ---------------------------------------------------------------- rendering (text)

# Text is built as (text, style) segments so that cli.py can colour it with rich without
# this module knowing about rich. A newline is always a plain segment of its own. Styles:
# "error", "warning" (the severity and the marker), "message", "gutter" (arrow, bars, line
# numbers, `=`), "help" and "note" (note labels), "" (plain: source text, paths).
Segment: TypeAlias = tuple[str, str]

# wasm-tools collapses the snippet when the line has more than 500 UTF-8 bytes.
_LONG_LINE = 500


def _location(span: Span, sources: SourceMap) -> tuple[Location, Location] | None:
    """1-based start and end of `span` (end exclusive), or None if it has no location."""
    if not span.known or not sources.files:
        return None
    f = sources.file_at(span.start)
    end = min(max(span.end, span.start), f.end)
    return sources.locate(span.start), sources.locate(end)


def _lines(text: str, style: str) -> list[Segment]:
    """`text` (a message may span lines) as segments, each newline a plain segment."""
    out: list[Segment] = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append(("\n", ""))
        if line:
            out.append((line, style))
    return out


def _block(d: Diagnostic, sources: SourceMap, codes: bool) -> list[Segment]:
    sev = d.severity.value
    out: list[Segment] = [(sev + (f"[{d.code}]" if codes else ""), sev)]
    where = _location(d.span, sources)
    if where is None:
        out += _lines(": " + d.message, "message")
    else:
        loc = where[0]
        text = sources.line_text(d.span.start)
        pos = f"{loc.path}:{loc.line}:{loc.column}"
        if len(text.encode("utf-8", "replace")) > _LONG_LINE:
            out += _lines(f": {pos}: {d.message}", "message")
        else:
            # As wit-parser: a dash for each character of the span after its first, even
            # past the end of the line; a tab counts as one column.
            on_line = d.span.end - d.span.start
            out += _lines(": " + d.message, "message")
            out += [
                ("\n", ""),
                ("     --> ", "gutter"),
                (pos, ""),
                ("\n", ""),
                ("      |", "gutter"),
                ("\n", ""),
                (f" {loc.line:>4} |", "gutter"),
                (" " + text, ""),
                ("\n", ""),
                ("      |", "gutter"),
                (" " * loc.column, ""),
                ("^" + "-" * (max(on_line, 1) - 1), sev),
            ]
    if codes:
        for n in d.notes:
            # A note without a place is a hint; one with a place names a related location.
            at = _location(n.span, sources)
            label, body = ("help", n.message)
            if at is not None:
                label, body = ("note", f"{at[0].path}:{at[0].line}:{at[0].column}: {n.message}")
            out += [("\n", ""), ("      =", "gutter"), (" ", ""), (label, label)]
            out += _lines(": " + body, "")
    return out


def render_segments(
    diags: Iterable[Diagnostic | Located], sources: SourceMap | None = None, *, codes: bool = True
) -> list[Segment]:
    """`render_text` as styled segments (for colour); joining the texts gives `render_text`."""
    out: list[Segment] = []
    for i, (d, src) in enumerate(ordered(diags, sources)):
        if i:
            out.append(("\n\n", ""))
        out += _block(d, src, codes)
    return out


def render_text(
    diags: Iterable[Diagnostic | Located], sources: SourceMap | None = None, *, codes: bool = True
) -> str:
    """Every diagnostic as a wasm-tools style block; blocks separated by a blank line.

    With `codes=False` the code and the notes are left out and each block is byte for
    byte what wasm-tools prints (columns count code points where wasm-tools counts UTF-8
    bytes, so the two differ only on lines with non-ASCII text before the span). There
    is no trailing newline.
    """
    return "".join(text for text, _ in render_segments(diags, sources, codes=codes))


def render_one(d: Diagnostic, sources: SourceMap, *, codes: bool = True) -> str:
    """One diagnostic as a text block."""
    return "".join(text for text, _ in _block(d, sources, codes))


# ---------------------------------------------------------------- rendering (JSON, SARIF)

JsonScalar: TypeAlias = str | int | None


def _where(span: Span, sources: SourceMap) -> dict[str, JsonScalar]:
    where = _location(span, sources)
    if where is None:
        return dict.fromkeys(("path", "line", "column", "end_line", "end_column"))
    start, end = where
    return {
        "path": start.path,
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
    }


def render_json(diags: Iterable[Diagnostic | Located], sources: SourceMap | None = None) -> str:
    """`{"version": 1, "diagnostics": [...]}`, in the order of `render_text`.

    Each entry: `code`, `severity` ("error"/"warning"), `message`, the location `path`,
    `line`, `column`, `end_line`, `end_column` (1-based, columns in code points, the end
    exclusive; all null when the diagnostic has no location) and `notes`, a list of
    objects with `message` and the same location fields.
    """
    entries = []
    for d, src in ordered(diags, sources):
        notes = [{"message": n.message, **_where(n.span, src)} for n in d.notes]
        entries.append(
            {
                "code": d.code,
                "severity": d.severity.value,
                "message": d.message,
                **_where(d.span, src),
                "notes": notes,
            }
        )
    import json

    return json.dumps({"version": 1, "diagnostics": entries}, indent=2, ensure_ascii=False) + "\n"


def _artifact_uri(path: str) -> str:
    from pathlib import Path
    from urllib.parse import quote

    p = Path(path)
    return p.as_uri() if p.is_absolute() else quote(p.as_posix())


def _physical(span: Span, sources: SourceMap) -> dict[str, object] | None:
    where = _location(span, sources)
    if where is None:
        return None
    start, end = where
    region = {
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    }
    return {"artifactLocation": {"uri": _artifact_uri(start.path)}, "region": region}


def _sarif_result(
    d: Diagnostic, sources: SourceMap, rule_index: dict[str, int]
) -> dict[str, object]:
    # Hints have no place of their own in SARIF: they join the message, one per line.
    text = "\n".join([d.message, *(f"help: {n.message}" for n in d.notes if not n.span.known)])
    result: dict[str, object] = {
        "ruleId": d.code,
        "ruleIndex": rule_index[d.code],
        "level": d.severity.value,
        "message": {"text": text},
    }
    here = _physical(d.span, sources)
    result["locations"] = [] if here is None else [{"physicalLocation": here}]
    related: list[dict[str, object]] = []
    for n in d.notes:
        there = _physical(n.span, sources)
        if there is not None:
            related.append(
                {"id": len(related), "message": {"text": n.message}, "physicalLocation": there}
            )
    if related:
        result["relatedLocations"] = related
    return result


def render_sarif(diags: Iterable[Diagnostic | Located], sources: SourceMap | None = None) -> str:
    """SARIF 2.1.0: one run of the tool `witgen` whose rules are the `CODES` table.

    Regions are 1-based with an exclusive end column, columns counting code points (the
    run says so with `columnKind`); artifact URIs are the paths as given (absolute paths
    as `file:` URIs).
    """
    from witgen import __version__

    rule_index = {code: i for i, code in enumerate(CODES)}
    rules = [{"id": code, "shortDescription": {"text": text}} for code, text in CODES.items()]
    results = [_sarif_result(d, src, rule_index) for d, src in ordered(diags, sources)]
    run = {
        "tool": {"driver": {"name": "witgen", "version": __version__, "rules": rules}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    doc = {"$schema": _SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    import json

    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
