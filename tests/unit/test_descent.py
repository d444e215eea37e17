"""The recursive-descent parser (`syntax/descent.py`) against the LALR parser.

`parse_file` tries the first and falls back to the second, so two things must hold on any
text: where the LALR parser builds a tree, the descent parser builds the same tree (nodes,
spans, docs, comments), never refusing it; where the LALR parser reports errors, the
descent parser refuses (`Unsure`), so the errors are the LALR parser's. Checked on every
`.wit` file of the tests, the samples and the corpus, on mutations of them, and on text
generated from the grammar.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from witgen.syntax import descent, parse
from witgen.syntax import nodes as n
from witgen.text.diagnostics import WitError
from witgen.text.source import SourceMap

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "props"))
from wit_inputs import mutate, mutation_sources, wit_text

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"


def _files() -> list[Path]:
    found = sorted((ROOT / "tests").rglob("*.wit")) + sorted((ROOT / "wit-samples").rglob("*.wit"))
    if CORPUS.is_dir():
        found += sorted(CORPUS.rglob("*.wit"))
    return found


FILES = _files()


def _parse(text: str, use_descent: bool) -> n.File | tuple[str, ...]:
    """The tree, or the rendered diagnostics, with one parser or the other."""
    sources = SourceMap()
    sources.add("x.wit", text)
    try:
        return parse.parse_file(sources, "x.wit", text, descent=use_descent)
    except WitError as e:
        return tuple(f"{d.code} {d.message} {d.span.start}-{d.span.end}" for d in e.diagnostics)


def _descent_alone(text: str) -> n.File | None:
    """The descent parser's tree, or None where it refuses the text."""
    try:
        return descent.parse_alone(text, "x.wit")
    except descent.Unsure:
        return None


def _agree(text: str, may_refuse: bool = False) -> None:
    if parse._FORBIDDEN.search(text):
        return  # refused before either parser runs
    lalr = _parse(text, use_descent=False)
    alone = _descent_alone(text)
    if isinstance(lalr, n.File):
        if alone is None and may_refuse:
            assert _parse(text, use_descent=True) == lalr
            return
        assert alone is not None, "the descent parser refused text the grammar takes"
        assert alone == lalr
        assert _parse(text, use_descent=True) == lalr
    else:
        assert alone is None, f"the descent parser took text the grammar refuses: {lalr}"
        assert _parse(text, use_descent=True) == lalr


def test_the_files_cover_valid_and_invalid_text() -> None:
    outcomes = {isinstance(_parse(p.read_text(encoding="utf-8"), False), n.File) for p in FILES}
    assert outcomes == {True, False}


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_same_tree_or_refused(path: Path) -> None:
    _agree(path.read_text(encoding="utf-8"))


SOURCES = [p for p in mutation_sources() if p.stat().st_size < 20_000]


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(SOURCES),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["delete", "duplicate", "swap"]),
)
def test_same_tree_or_refused_on_mutations(path: Path, index: int, op: str) -> None:
    _agree(mutate(path.read_text(encoding="utf-8"), index, op))


@settings(max_examples=300, deadline=None)
@given(wit_text())
def test_same_tree_or_refused_on_grammar_text(text: str) -> None:
    _agree(text)


@pytest.mark.parametrize(
    "text",
    [
        "package a:b;\ninterface i { type t = list<u8, 4294967296>; }",  # size too large
        "@since(version = 1.0.0)\npackage a:b;",  # attributes on `package`
        "package a:b;\ninterface i { @since(version = 1.0.0, feature = x) f: func(); }",
        "package a:b;\ninterface i { @unstable(feature = 1.0.0) f: func(); }",
        "package a:b;\nworld w { import a:b; }",
        "package a:b;\nworld w { include a with {} }",
        "package a:b;\ninterface i { use x.{,}; }",
        "package a:b;\ninterface i { type t = result<_>; }",
        "package a:b;\ninterface i { type t = tuple<,>; }",
        "package a:b;\ninterface i { f: func(,); }",
        "package a:b { package c:d { interface i {} } }",
        "package a:b;\ninterface i {}\npackage c:d;",
        "package a:b;\nworld w { import x: a:b/c@1.0.0; export a:b/c@1.0.0; import y: z; }",
        "package a:b;\ninterface i { type t = list<" * 1 + "u8" + ">; }",
        "package a:b;\ninterface i { type t = " + "list<" * 99 + "u8" + ">" * 99 + "; }",
        "package a:b;\ninterface i { type t = " + "list<" * 100 + "u8" + ">" * 100 + "; }",
        "package a:b;\ninterface i { /* /* nested */ */ f: func(); }",
    ],
)
def test_same_tree_or_refused_on_edges(text: str) -> None:
    _agree(text)


def test_deep_nested_packages_are_left_to_the_lalr_parser() -> None:
    # Nested packages are the one construct the descent parser reads by recursion with no
    # bound of the grammar's: past Python's recursion limit it refuses, and the LALR
    # parser (whose stack is a list) parses the text.
    text = "package a:b;\n" + "package c:d {" * 700 + "}" * 700
    assert _descent_alone(text) is None
    lalr = _parse(text, use_descent=False)
    both = _parse(text, use_descent=True)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)  # for `==` on trees 700 deep
    try:
        assert isinstance(lalr, n.File)
        assert both == lalr
    finally:
        sys.setrecursionlimit(limit)
