"""The one Lark parser construction.

Input: `grammars/wit.lark`. Output: a cached LALR parser whose callbacks build
`witgen.nodes` directly (no intermediate parse tree). Invariant: this module and
`parse.py` are the only ones that import lark.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any


def grammar_path() -> Path:
    """Where `wit.lark` lives: inside the installed package, else the repository root."""
    packaged = resources.files("witgen").joinpath("grammars/wit.lark")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "grammars" / "wit.lark"


def grammar_text() -> str:
    return grammar_path().read_text(encoding="utf-8")


@functools.lru_cache(maxsize=4)
def lark_parser(lexer: type, builder: type) -> Any:
    """The LALR parser with witgen's lexer and node-building callbacks (`parse.py`'s classes).

    Keyed by those classes, so a reloaded `parse` module never gets callbacks of the old one.
    """
    import hashlib

    import lark

    from witgen import cache

    text = grammar_text()
    # Analysing the grammar takes ~0.4 s; lark can pickle the resulting LALR table. It is
    # kept in witgen's cache directory, named by lark's version and the grammar's hash.
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    table = cache.path_for(f"lark-{lark.__version__}-{digest}.table")
    return lark.Lark(
        text,
        parser="lalr",
        lexer=lexer,
        transformer=builder(),
        maybe_placeholders=True,
        cache=str(table) if table is not None else False,
    )


@functools.lru_cache(maxsize=1)
def plain_parser() -> Any:
    """The grammar with lark's own lexer and no callbacks (tests, hypothesis)."""
    import lark

    return lark.Lark(grammar_text(), parser="lalr", maybe_placeholders=True)
