"""WIT inputs for property tests and the fuzzing campaign: grammatical text and mutations.

Input: witgen's grammar (for `wit_text`), a text and a choice of token and operation (for
`mutate`). Output: hypothesis strategies and mutated texts. Shared by `test_props.py` and
`fuzz/campaign.py`, which puts this directory on `sys.path`.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from witgen.syntax.grammar import plain_parser

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "tests" / "ui"
SAMPLES = ROOT / "wit-samples"
CORPUS = ROOT.parent / "shared" / "corpus"


def _padded(values: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(values).map(lambda s: f" {s} ")


def explicit_terminals() -> dict[str, st.SearchStrategy[str]]:
    """A strategy for every terminal, so that tokens never glue together.

    `from_lark` concatenates terminals with no separator, so `interface` + `foo` would
    become `interfacefoo`. Keywords and operators (string terminals) get a space on each
    side. Names, versions, integers and strings come from small pools, so that references
    often find their targets and gates their attribute names. The ignored terminals are
    whitespace and comments; a line comment must end its line, or it would swallow the
    tokens after it.
    """
    from lark.lexer import PatternStr

    terminals, _, ignore = plain_parser().grammar.compile(["file"], ())
    out = {
        t.name: st.just(f" {t.pattern.value} ")
        for t in terminals
        if isinstance(t.pattern, PatternStr)
    }
    names = ["a", "b", "c", "x", "my-type", "%type"]
    out["ID"] = _padded([*names, "since", "unstable", "deprecated", "version", "feature"])
    out["VERSION"] = _padded(["1.0.0", "0.2.0", "2.0.0-rc.1"])
    out["INTEGER"] = _padded(["1", "4", "0"])
    out["STRING"] = st.just(' "s" ')
    for name in ignore:
        pattern = next(t.pattern.to_regexp() for t in terminals if t.name == name)
        if re.fullmatch(pattern, " "):
            out[name] = st.sampled_from([" ", "\n", "\t", "\r\n"])
        elif re.fullmatch(pattern, "// c"):
            out[name] = st.sampled_from(["// c\n", "/// d\n"])
        else:
            assert re.fullmatch(pattern, "/* c */"), pattern
            out[name] = st.sampled_from(["/* c */", "/** d */"])
    return out


def _strip_attributes(text: str) -> str:
    # The grammar's `@name(args)` is far more general than the three gates WIT knows, so
    # most attributes are errors. Without them, more examples get past the resolver.
    return re.sub(r"@[^()@]*\([^()]*\)", " ", text)


def wit_text() -> st.SearchStrategy[str]:
    """Grammatical WIT: whole files, and interfaces or worlds after a package header."""
    parser, explicit = plain_parser(), explicit_terminals()
    items = st.one_of(
        from_lark(parser, start="interface", explicit=explicit),
        from_lark(parser, start="world", explicit=explicit),
    ).map(lambda t: "package a:b;\n" + t)
    text = st.one_of(from_lark(parser, start="file", explicit=explicit), items)
    return st.one_of(text, text.map(_strip_attributes))


TOKEN = re.compile(r"//[^\n]*|/\*.*?\*/|->|%?[A-Za-z0-9][A-Za-z0-9.+-]*|\S", re.S)


def mutation_sources() -> list[Path]:
    files = sorted(UI.glob("*.wit")) + sorted(SAMPLES.glob("*.wit"))
    if CORPUS.is_dir():
        files += sorted((CORPUS / "wit-parser" / "tests" / "ui").glob("*.wit"))
        files += sorted((CORPUS / "wit-parser" / "tests" / "ui" / "parse-fail").glob("*.wit"))
    return files


def mutate(text: str, index: int, op: str) -> str:
    """`text` with its `index`-th token (mod the count) deleted, doubled or swapped."""
    spans = [m.span() for m in TOKEN.finditer(text)]
    if not spans:
        return text
    i = index % len(spans)
    a, b = spans[i]
    if op == "delete":
        return text[:a] + text[b:]
    if op == "duplicate":
        return text[:b] + " " + text[a:b] + text[b:]
    c, d = spans[(i + 1) % len(spans)]
    if c < a:
        (a, b), (c, d) = (c, d), (a, b)
    if (a, b) == (c, d):
        return text
    return text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:]
