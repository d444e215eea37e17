"""WIT's keywords: the one table the lexer, the formatter and the printer read.

Input: none. Output: `TERMINALS`, each word wit-parser's lexer reads as a keyword with the
name of its terminal in `grammars/wit.lark`; `RESERVED`, the words a name spelled like one
is written with a leading `%` (so that it reads back as a name); `escape`, which writes a
name so. Invariants: every keyword is reserved; `RESERVED` is wit-component's list
(wasm-tools 1.262), which also holds `float32` and `float64`, the pre-0.2 names of `f32`
and `f64`: the lexer reads those as plain names (the resolver rejects them as types), but
a name spelled like one is still written with `%`.
"""

from __future__ import annotations

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Literal

    # The primitive types: keywords that name a type. The syntax tree and the model both
    # spell a primitive by this name.
    PrimitiveName = Literal[
        "u8",
        "u16",
        "u32",
        "u64",
        "s8",
        "s16",
        "s32",
        "s64",
        "f32",
        "f64",
        "char",
        "bool",
        "string",
        "error-context",
    ]

_WORDS = (
    "as", "async", "bool", "borrow", "char", "constructor", "enum", "error-context",
    "export", "f32", "f64", "flags", "from", "func", "future", "import", "include",
    "interface", "list", "map", "option", "own", "package", "record", "resource", "result",
    "s16", "s32", "s64", "s8", "static", "stream", "string", "tuple", "type", "u16", "u32",
    "u64", "u8", "use", "variant", "with", "world",
)  # fmt: skip

# `string` is STRING_KW: STRING is the terminal of a string literal.
TERMINALS: dict[str, str] = {
    word: "STRING_KW" if word == "string" else word.upper().replace("-", "_") for word in _WORDS
}

RESERVED = frozenset((*_WORDS, "float32", "float64"))


def escape(name: str) -> str:
    """`name` as written in WIT source: `%` before a reserved word, otherwise unchanged."""
    return f"%{name}" if name in RESERVED else name
