"""Diagnostics: the one way witgen reports a problem in its input.

Input: `Diagnostic`s raised by the parser, loader, resolver and backends. Output: text
(wasm-tools' layout plus a code and notes), JSON and SARIF 2.1.0. Invariants: every code
is listed once in `CODES` and never reused; `WitError` is the only exception a user ever
sees (anything else escaping `api` is a bug).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from witgen.source import SourceMap, Span


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


# code -> one-line description. WIT1xx syntax, WIT2xx names/packages/files,
# WIT3xx semantic rules, WIT4xx backend limits. Never reuse a retired code.
CODES: dict[str, str] = {
    "WIT100": "the input could not be tokenized (invalid character, unterminated comment or string)",
    "WIT101": "unexpected token: the text does not follow WIT's grammar",
    "WIT102": "invalid identifier (not kebab-case, or a keyword used without `%`)",
    "WIT103": "invalid version (not a valid semantic version)",
    "WIT104": "invalid attribute (unknown gate, wrong argument)",
    "WIT105": "invalid package declaration or nesting",
    "WIT106": "invalid fixed-length list size",
    "WIT107": "the input is not valid UTF-8 or contains a forbidden code point",
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
    "WIT400": "a construct the backend cannot express",
    "WIT401": "a name collision in generated code",
}


@dataclass(frozen=True, slots=True)
class Note:
    """Extra information attached to a diagnostic: a hint, or a related location."""

    message: str
    span: Span = Span.UNKNOWN


@dataclass(frozen=True, slots=True)
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


@dataclass(slots=True)
class WitError(Exception):
    """The single user-facing exception: one or more diagnostics against a source map."""

    diagnostics: tuple[Diagnostic, ...]
    sources: SourceMap = field(default_factory=SourceMap)

    def __str__(self) -> str:
        return render_text(self.diagnostics, self.sources)


# ---------------------------------------------------------------- rendering (text)

_LONG_LINE = 500


def render_one(d: Diagnostic, sources: SourceMap, *, codes: bool = True) -> str:
    head = d.severity.value + (f"[{d.code}]" if codes else "") + ": "
    lines: list[str] = []
    if d.span.known and sources.files:
        loc = sources.locate(d.span.start)
        text = sources.line_text(d.span.start)
        if len(text) > _LONG_LINE:
            lines.append(f"{head}{loc.path}:{loc.line}:{loc.column}: {d.message}")
        else:
            lines.append(head + d.message)
            lines.append(f"     --> {loc.path}:{loc.line}:{loc.column}")
            lines.append("      |")
            lines.append(f" {loc.line:>4} | {text}")
            width = max(min(d.span.end, d.span.start + len(text) - loc.column + 1) - d.span.start, 1)
            lines.append("      | " + " " * (loc.column - 1) + "^" + "-" * (width - 1))
    else:
        lines.append(head + d.message)
    if codes:
        for n in d.notes:
            lines.append(f"      = {n.message}")
    return "\n".join(lines)


def sort_key(d: Diagnostic, sources: SourceMap) -> tuple[int, int]:
    if not d.span.known or not sources.files:
        return (1 << 30, 0)
    f = sources.file_at(d.span.start)
    return (sources.files.index(f), d.span.start)


def render_text(diags: tuple[Diagnostic, ...] | list[Diagnostic], sources: SourceMap, *, codes: bool = True) -> str:
    """Every diagnostic as a wasm-tools style block; blocks separated by a blank line."""
    return "\n\n".join(render_one(d, sources, codes=codes) for d in diags)
