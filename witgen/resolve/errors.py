"""The resolver's errors: how a failure travels, and the wording shared by several phases.

Input: a code, a message and a span (wit-parser's wording, as the corpus records it).
Output: `ResolveError` (one diagnostic, raised where wit-parser stops; the resolver
records it and goes on with the next item), `ResolveErrors` (every error found, the
first being wit-parser's), `Poisoned` (an item that depends on one that already failed:
silent, as its error would only repeat). None of them leaves the resolver:
`pipeline.resolve` turns them into one `WitError`. `ErrorLog` is where a phase that goes
on after an error records it.
"""

from __future__ import annotations

from witgen.text.diagnostics import Diagnostic, Note, error

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import assert_never as assert_never

    from witgen.text.source import Span
else:

    def assert_never(value):
        raise AssertionError(f"unhandled case: {value!r}")


# Built-in type names, offered as hints for a misspelt type.
BUILTIN_TYPE_NAMES = ["bool", "char", "string", "u8", "u16", "u32", "u64", "s8", "s16", "s32"]
BUILTIN_TYPE_NAMES += ["s64", "f32", "f64", "error-context", "list", "option", "result"]
BUILTIN_TYPE_NAMES += ["tuple", "borrow"]


class ResolveError(Exception):
    """Internal: one diagnostic, raised where wit-parser would `bail!`."""

    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


class ResolveErrors(Exception):
    """Internal: every error found in one package, the first being wit-parser's."""

    def __init__(self, diags: list[Diagnostic]) -> None:
        super().__init__(diags[0].message)
        self.diags = diags


class Poisoned(Exception):
    """Internal: an item depends on one that already failed; its error would only repeat."""


class ErrorLog:
    """The errors a phase records as it goes on: each once (by code, message and span,
    as later passes meet a failed path or gate again), in the order found, so that the
    first is the one wit-parser reports. `failures` counts failures, silent ones too."""

    def __init__(self) -> None:
        self.errors: list[Diagnostic] = []
        self.reported: set[tuple[str, str, Span]] = set()
        self.failures = 0

    def report(self, diag: Diagnostic) -> None:
        self.failures += 1
        key = (diag.code, diag.message, diag.span)
        if key not in self.reported:
            self.reported.add(key)
            self.errors.append(diag)

    def note(self, failure: ResolveError | Poisoned) -> None:
        """Record a failure: its error, or (Poisoned: reported where it began) only that
        it happened."""
        if isinstance(failure, ResolveError):
            self.report(failure.diag)
        else:
            self.failures += 1


def fail(code: str, message: str, span: Span, *notes: Note) -> ResolveError:
    return ResolveError(error(code, message, span, *notes))


def hint(name: str, candidates: Iterator[str] | list[str]) -> tuple[Note, ...]:
    import difflib  # only errors need it: kept off the start-up of a valid `check`

    close = difflib.get_close_matches(name, list(candidates), n=1)
    return (Note(f"did you mean `{close[0]}`?"),) if close else ()


def renamed_float_note(name: str) -> str:
    """wit-parser's second line for the pre-0.2 names of `f32` and `f64`."""
    new = {"float32": "f32", "float64": "f64"}.get(name)
    if new is None:
        return ""
    return (
        f"\nthe `{name}` type has been renamed to `{new}` and is no longer accepted, but the "
        "`WIT_REQUIRE_F32_F64=0` environment variable can be used to temporarily disable this error"
    )
