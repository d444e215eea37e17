"""`witgen.syntax.keywords`: the one keyword table, as the grammar, the lexer and the
printers read it."""

from __future__ import annotations

import re
from pathlib import Path

from witgen.syntax import keywords, parse

GRAMMAR = Path(__file__).resolve().parents[2] / "grammars" / "wit.lark"


def test_every_keyword_is_a_terminal_of_the_grammar_spelled_as_the_word() -> None:
    defined = dict(re.findall(r'^([A-Z][A-Z0-9_]*): "([^"]+)"$', GRAMMAR.read_text(), re.MULTILINE))
    assert {terminal: defined.get(terminal) for terminal in keywords.TERMINALS.values()} == {
        terminal: word for word, terminal in keywords.TERMINALS.items()
    }


def test_the_lexer_reads_each_keyword_as_its_terminal_and_other_words_as_names() -> None:
    for word, terminal in keywords.TERMINALS.items():
        assert [t.type for t in parse.tokenize(word, 0)] == [terminal]
    assert [t.type for t in parse.tokenize("float32 records", 0)] == ["ID", "ID"]


def test_every_keyword_and_the_old_float_names_are_escaped() -> None:
    assert set(keywords.TERMINALS) | {"float32", "float64"} == keywords.RESERVED
    assert {keywords.escape(word) for word in keywords.RESERVED} == {
        f"%{word}" for word in keywords.RESERVED
    }
    assert keywords.escape("records") == "records"
