"""Syntax errors after a file's first: the parser drops the item at fault and goes on.

One mistake gives one error; mistakes in different items give one error each, in order, and
each is the error the mistake gives alone in the file (so the first is what wasm-tools
reports: tests/ui/parse-fail/several-syntax-errors.wit checks it against wasm-tools).
Recovery ends, with a `WitError`, on any input.
"""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from witgen import api
from witgen.syntax import parse
from witgen.text.diagnostics import Diagnostic, WitError, render_text
from witgen.text.source import SourceMap

UI = Path(__file__).resolve().parent
SAMPLES = sorted(UI.glob("*.wit"))

# (name, the item with one mistake, the item without it, the error, the text at the
# error). Each is a top-level item; the two forms have as many lines, so that the items
# after them keep their line numbers.
MISTAKES = [
    (
        "missing-semicolon",
        "interface a {\n  f: func()\n  g: func();\n}",
        "interface a {\n  f: func();\n  g: func();\n}",
        "expected ';', found an identifier",
        "g: func();",
    ),
    (
        "stray-token",
        "interface b {\n  type t = u32 u32;\n}",
        "interface b {\n  type t = u32;\n}",
        "expected ';', found keyword `u32`",
        "u32;",
    ),
    (
        "bad-type",
        "world c {\n  import h: func(x: 32);\n}",
        "world c {\n  import h: func(x: u32);\n}",
        "expected a type, found an integer",
        "32);",
    ),
    (
        "missing-open-brace",
        "interface d\n  f: func();\n}",
        "interface d {\n  f: func();\n}",
        "expected '{', found an identifier",
        "f: func();",
    ),
    (
        "unclosed-record",
        "interface e {\n  record r { a: u32,\n  f: func();\n}",
        "interface e {\n  record r { a: u32 }\n  f: func();\n}",
        "expected a type, found keyword `func`",
        "func();",
    ),
    (
        "bad-identifier",
        "interface f {\n  getValue: func();\n}",
        "interface f {\n  get-value: func();\n}",
        "invalid character in identifier 'V'",
        "getValue",
    ),
    (
        "bad-character",
        "interface g {\n  f: func() -> u32 $;\n}",
        "interface g {\n  f: func() -> u32;\n}",
        "unexpected character '$'",
        "$;",
    ),
    (
        "bad-version",
        "use wasi:io/poll@0.2;",
        "use wasi:io/poll@0.2.0;",
        "expected '.', found ';'",
        ";",
    ),
    (
        "unknown-attribute",
        "@sinse(version = 1.0.0)\ninterface h {}",
        "@since(version = 1.0.0)\ninterface h {}",
        "unknown attribute `sinse`",
        "sinse(",
    ),
    (
        "extra-close-brace",
        "interface i {\n  f: func(); }\n}",
        "interface i {\n  f: func();\n}",
        "expected `world`, `interface` or `use`, found '}'",
        "}\n\ninterface j",
    ),
    (
        "semicolon-for-comma",
        "interface j {\n  f: func(a: u32; b: u32);\n}",
        "interface j {\n  f: func(a: u32, b: u32);\n}",
        "expected ')', found ';'",
        "; b: u32);",
    ),
    (
        "unclosed-angle",
        "interface k {\n  f: func() -> list<u8;\n  g: func();\n}",
        "interface k {\n  f: func() -> list<u8>;\n  g: func();\n}",
        "expected '>', found ';'",
        ";\n  g: func();",
    ),
    (
        "missing-close-brace",
        "interface l {\n  f: func();\n",
        "interface l {\n  f: func();\n}",
        "expected `type`, `resource` or `func`, found keyword `interface`",
        "interface m {",
    ),
    (
        "extra-open-brace",
        "interface m {\n  f: func() {;\n}",
        "interface m {\n  f: func();\n}",
        "expected ';', found '{'",
        "{;",
    ),
    (
        "list-too-long",
        "interface n {\n  type t = list<u8, 99999999999>;\n}",
        "interface n {\n  type t = list<u8, 9>;\n}",
        "invalid list size: number too large to fit in target type",
        "99999999999>",
    ),
    (
        "unterminated-resource",
        "interface o {\n  resource r\n  f: func();\n}",
        "interface o {\n  resource r;\n  f: func();\n}",
        "expected ';', found an identifier",
        "f: func();",
    ),
    (
        "keyword-as-name",
        "world p {\n  export type: func();\n}",
        "world p {\n  export %type: func();\n}",
        "expected an identifier or string, found keyword `type`",
        "type: func();",
    ),
    (
        "use-without-brace",
        "interface q {\n  use a.t};\n}",
        "interface q {\n  use a.{t};\n}",
        "expected '{', found an identifier",
        "t};",
    ),
    (
        "missing-arrow",
        "interface r {\n  f: func() u32;\n}",
        "interface r {\n  f: func() -> u32;\n}",
        "expected ';', found keyword `u32`",
        "u32;",
    ),
    (
        "function-in-world",
        "world s {\n  f: func();\n}",
        "world s {\n  import f: func();\n}",
        "expected `import`, `export`, `include`, `use`, or type definition, found an identifier",
        "f: func();",
    ),
]
NAMES = [m[0] for m in MISTAKES]
HEADER = "package demo:recover;\n\n"


def _file(faulty: set[int]) -> str:
    """Every item of MISTAKES, those in `faulty` with their mistake."""
    items = [bad if i in faulty else good for i, (_, bad, good, _, _) in enumerate(MISTAKES)]
    return HEADER + "\n\n".join(items) + "\n"


def _errors(text: str) -> list[Diagnostic]:
    """The file's syntax errors (none if it parses)."""
    try:
        parse.parse_text(text)
    except WitError as e:
        assert e.diagnostics, "a WitError carries at least one diagnostic"
        return list(e.diagnostics)
    return []


def _located(text: str, diags: list[Diagnostic]) -> list[tuple[str, str, int, int, int]]:
    """Code, message, line, column and length of each diagnostic: what stays the same
    when an item before it changes its length but not its lines."""
    sources = SourceMap()
    sources.add("<input>", text)
    out = []
    for d in diags:
        loc = sources.locate(d.span.start)
        out.append((d.code, d.message, loc.line, loc.column, d.span.end - d.span.start))
    return out


def _alone(i: int) -> list[tuple[str, str, int, int, int]]:
    text = _file({i})
    return _located(text, _errors(text))


# ---------------------------------------------------------------- one mistake, one error


def test_the_items_without_their_mistakes_parse() -> None:
    assert _errors(_file(set())) == []
    for name, bad, good, _, _ in MISTAKES:
        assert bad.count("\n") == good.count("\n"), name


@pytest.mark.parametrize("i", range(len(MISTAKES)), ids=NAMES)
def test_one_mistake_gives_one_error(i: int) -> None:
    _, bad, _, message, there = MISTAKES[i]
    text = _file({i})
    errors = _errors(text)
    assert [d.message for d in errors] == [message]
    # At the first `there` from the item on (the next item's start for a missing `}`).
    assert errors[0].span.start == text.index(there, text.index(bad))


@pytest.mark.parametrize("i", range(len(MISTAKES)), ids=NAMES)
def test_one_mistake_alone_in_its_file(i: int) -> None:
    """With no item before or after it, the mistake gives the same one error."""
    _, bad, _, message, _ = MISTAKES[i]
    after = "\ninterface m {}\n" if NAMES[i] == "missing-close-brace" else ""
    assert [d.message for d in _errors(HEADER + bad + after)] == [message]


@pytest.mark.parametrize(
    "text",
    [
        # An item's rest is not parsed again as items: `b: u32);` is not a function.
        "package a:b;\ninterface i {\n  f: func(a: u32; b: u32);\n  g: func();\n}\n",
        # A `{` missing: the body is not parsed as items of the file.
        "package a:b;\ninterface i\n  type t = u8;\n  record r { x: t }\n}\nworld w {}\n",
        # A `}` missing: what follows is not taken as more of the interface.
        "package a:b;\ninterface i {\n  f: func();\n\n@since(version = 1.0.0)\n"
        "interface j {\n  g: func();\n}\nworld w { import j; }\n",
        # Nor an extra `{`: the rest is not its body.
        "package a:b;\ninterface i {\n  f: func(x: { u32);\n}\ninterface j {}\n",
        # An extra `}`: it does not close the interface.
        "package a:b;\ninterface i {\n  f: func(x: });\n  g: func();\n}\ninterface j {}\n",
        # A `use` whose `{` is missing ends at its `;`.
        "package a:b;\ninterface i {\n  use j.t};\n  f: func();\n}\ninterface j {}\n",
        # In a resource, the rest of the resource is skipped, not taken as functions.
        "package a:b;\ninterface i {\n  resource r {\n    f: func(x u32);\n"
        "    g: static func();\n  }\n  h: func();\n}\n",
        # At the end of a nested package.
        "package a:b;\npackage c:d {\n  interface i  type t = u8; }\n}\n",
    ],
    ids=[
        "semicolon-in-params",
        "missing-open-brace",
        "missing-close-brace",
        "extra-open-brace",
        "extra-close-brace",
        "use-without-brace",
        "in-a-resource",
        "nested-package",
    ],
)
def test_no_cascade(text: str) -> None:
    assert len(_errors(text)) == 1, render_text(tuple(_errors(text)), _sources(text))


def _sources(text: str) -> SourceMap:
    sources = SourceMap()
    sources.add("<input>", text)
    return sources


def _mutants(rng: random.Random, text: str, count: int) -> list[str]:
    """`count` texts each with one token of `text` deleted, and `count` with ` foo `
    inserted before one (as bench/syntax_errors.py makes them for wasm-tools)."""
    tokens = list(re.finditer(r"[,;{}()<>:=]|[A-Za-z%][\w-]*", text))
    out = []
    for _ in range(count):
        m = rng.choice(tokens)
        out.append(text[: m.start()] + text[m.end() :])
        m = rng.choice(tokens)
        out.append(text[: m.start()] + " foo " + text[m.start() :])
    return out


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_a_token_deleted_or_inserted_gives_at_most_one_error(path: Path) -> None:
    rng = random.Random(path.stem)
    for text in _mutants(rng, path.read_text(encoding="utf-8"), 8):
        errors = _errors(text)
        assert len(errors) <= 1, render_text(tuple(errors), _sources(text))


# ---------------------------------------------------------------- several mistakes


@pytest.mark.parametrize("i", range(len(MISTAKES)), ids=NAMES)
def test_two_mistakes_give_their_two_errors(i: int) -> None:
    """With any later mistake, each gives the error it gives alone, in order."""
    first = _alone(i)
    for j in range(i + 1, len(MISTAKES)):
        text = _file({i, j})
        assert _located(text, _errors(text)) == first + _alone(j), NAMES[j]


def test_three_mistakes_give_their_three_errors() -> None:
    alone = [_alone(i) for i in range(len(MISTAKES))]
    for trio in itertools.combinations(range(len(MISTAKES)), 3):
        text = _file(set(trio))
        want = [e for i in trio for e in alone[i]]
        assert _located(text, _errors(text)) == want, [NAMES[i] for i in trio]


def test_every_mistake_at_once() -> None:
    text = _file(set(range(len(MISTAKES))))
    assert [d.message for d in _errors(text)] == [m[3] for m in MISTAKES]


def test_the_first_error_is_the_one_alone() -> None:
    """Byte for byte, span included: the mistakes after it change nothing before them."""
    text = HEADER + MISTAKES[0][1] + "\n\n" + MISTAKES[1][2] + "\n"
    alone = _errors(text)
    more = _errors(HEADER + MISTAKES[0][1] + "\n\n" + MISTAKES[1][1] + "\n")
    assert len(alone) == 1 and len(more) == 2
    assert more[0] == alone[0]


def test_errors_in_an_interface_a_world_and_the_file() -> None:
    text = (
        "package demo:three;\n"
        "\n"
        "interface store {\n"
        "  get: func(k: string) -> list<u8>\n"
        "  put: func(k: string, v: list<u8>);\n"
        "}\n"
        "\n"
        "world app {\n"
        "  export run: func(args: list<string) -> u32;\n"
        "}\n"
        "\n"
        "use store as\n"
    )
    sources = _sources(text)
    with pytest.raises(WitError) as info:
        parse.parse_file(sources, "<input>", text)
    assert render_text(info.value.diagnostics, sources) == (
        "error[WIT101]: expected ';', found an identifier\n"
        "     --> <input>:5:3\n"
        "      |\n"
        "    5 |   put: func(k: string, v: list<u8>);\n"
        "      |   ^\n"
        "\n"
        "error[WIT101]: expected '>', found ')'\n"
        "     --> <input>:9:37\n"
        "      |\n"
        "    9 |   export run: func(args: list<string) -> u32;\n"
        "      |                                     ^\n"
        "\n"
        "error[WIT101]: expected an identifier or string, found eof\n"
        "     --> <input>:13:1\n"
        "      |\n"
        "   13 | \n"
        "      | ^"
    )


@pytest.mark.parametrize(
    ("mistake", "code"),
    [
        ("interface a { f: func() -> $; }", "WIT100"),
        ("interface a { f: func(; }", "WIT101"),
        ("interface a { doIt: func(); }", "WIT102"),
        ("use a:b/c@01.0.0;", "WIT103"),
        ("@gate(version = 1.0.0) interface a {}", "WIT104"),
        ("@since(version = 1.0.0, x) interface a {}", "WIT101"),
        ("interface a { type t = list<u8, 4294967296>; }", "WIT106"),
    ],
)
def test_each_kind_of_error_is_followed_by_the_next(mistake: str, code: str) -> None:
    text = f"package a:b;\n{mistake}\ninterface c {{ g: func(x: u32 y: u32); }}\n"
    errors = _errors(text)
    assert [d.code for d in errors] == [code, "WIT101"]
    assert errors[1].message == "expected ')', found an identifier"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # The rest of the file is a comment, or nested past the limit: nothing follows.
        ("interface a { f: func(; }\ninterface b { /* open\ninterface c { g: func(; }", None),
        ("interface a { f: func(; }\ninterface b { type t = " + "list<" * 120, None),
        # Control codes are refused before parsing, alone.
        ("interface a { f: func(; }\n\x01", "Control code"),
    ],
    ids=["unterminated-comment", "nested-too-deeply", "control-code"],
)
def test_errors_that_end_the_file(text: str, message: str | None) -> None:
    errors = _errors("package a:b;\n" + text)
    if message is None:
        assert len(errors) == 2
        assert errors[1].code in ("WIT100", "WIT313")
    else:
        assert [message in d.message for d in errors] == [True]


def test_a_brace_open_at_the_end_after_another_error_is_not_reported() -> None:
    """A `}` missing after an earlier mistake is most often one the recovery took."""
    text = "package a:b;\ninterface a {\n  f: func(;\n  g: func();\n"
    assert [d.message for d in _errors(text)] == ["expected an identifier or string, found ';'"]
    # With no brace open, the file is cut short: that is a mistake of its own.
    text = "package a:b;\ninterface a {\n  f: func(;\n}\nuse a as\n"
    assert len(_errors(text)) == 2


def test_a_file_reports_at_most_a_hundred_errors() -> None:
    text = "package a:b;\n" + "interface a { f: func(; }\n" * 150
    errors = _errors(text)
    assert len(errors) == parse.MAX_SYNTAX_ERRORS == 100
    assert [n.message for n in errors[-1].notes] == [
        "no more syntax errors are reported for this file"
    ]
    assert all(not d.notes for d in errors[:-1])


def test_lexing_goes_on_after_a_bad_character() -> None:
    tokens, problems = parse._lex("a $ b Xy c", 0, {}, [])
    assert [t[0] for t in tokens] == ["ID", "ERROR", "ID", "ERROR", "ID"]
    assert sorted(problems) == [2, 6]


def test_tokenize_still_stops_at_the_first_lexical_error() -> None:
    seen = []
    with pytest.raises(parse.LexError):
        for tok in parse.tokenize("a $ b", 0):
            seen.append(tok.value)
    assert seen == ["a"]


# ---------------------------------------------------------------- through the loader


def test_check_reports_every_file_s_syntax_errors(tmp_path: Path) -> None:
    (tmp_path / "a.wit").write_text(
        "package demo:two;\ninterface a { f: func() }\ninterface b { g: func(x y); }\n",
        encoding="utf-8",
    )
    (tmp_path / "b.wit").write_text(
        "interface c { type t = list<u8; }\nworld w { import nope; export Bad; }\n",
        encoding="utf-8",
    )
    result = api.check([tmp_path], use_cache=False)
    got = [(d.code, d.message) for d, _ in result.diagnostics]
    assert got == [
        ("WIT101", "expected ';', found '}'"),
        ("WIT101", "expected ':', found an identifier"),
        ("WIT101", "expected '>', found ';'"),
        ("WIT102", "invalid character in identifier 'a'"),
    ]


# ---------------------------------------------------------------- any input


def _check_ends_well(text: str) -> None:
    """Parsing ends with a tree or a WitError whose errors are in order, one at most per
    token (so each found its own place to stop), and within the text."""
    errors = _errors(text)
    starts = [d.span.start for d in errors]
    assert starts == sorted(starts)
    assert len(errors) <= len(list(re.finditer(r"\S+", text))) + 1
    assert all(0 <= d.span.start <= len(text) for d in errors)


@pytest.mark.parametrize(
    "text",
    [
        "{" * 200,
        "}" * 200,
        "interface a {" * 50,
        "package a:b {" * 30 + "}" * 10,
        "package a:b;\n" + "interface a { record r {" * 20 + "}" * 45,
        "package a:b;\n" + "world w { import x: interface {" * 20,
        ";" * 100,
        "package a:b;\ninterface a { " + "f: func(" * 60 + ")" * 60 + " }",
        "package a:b;\n" + "@since(" * 40,
        "package a:b;\n" + "} interface a { } }" * 20,
        "package a:b;\n" + "use a.{" * 30 + "};" * 30,
    ],
)
def test_unbalanced_input(text: str) -> None:
    _check_ends_well(text)


@pytest.mark.parametrize("path", SAMPLES[::4], ids=lambda p: p.stem)
def test_every_prefix_of_a_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for m in re.finditer(r"\S+", text):
        _check_ends_well(text[: m.end()])


# Tokens of every kind, and a few that are not tokens.
WORDS = [
    *("{", "}", "(", ")", "<", ">", ";", ":", ",", "=", ".", "/", "@", "*", "->", "_", "$", "%"),
    "interface",
    "world",
    "package",
    "use",
    "type",
    "record",
    "resource",
    "func",
    "static",
    "constructor",
    "import",
    "export",
    "include",
    "with",
    "as",
    "list",
    "u32",
    "string",
    "option",
    "result",
    "borrow",
    "a",
    "b-c",
    "%type",
    "Bad",
    "1.0.0",
    "42",
    '"s"',
    "since",
    "version",
    "/* c */",
    "// c\n",
]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(WORDS), max_size=80), st.sampled_from([" ", "\n", ""]))
def test_token_soup(words: list[str], sep: str) -> None:
    _check_ends_well(sep.join(words))


@settings(max_examples=200)
@given(
    st.sampled_from(SAMPLES),
    st.lists(st.tuples(st.floats(0, 1), st.sampled_from(WORDS), st.booleans()), max_size=6),
)
def test_a_file_with_tokens_added_and_removed(
    path: Path, edits: list[tuple[float, str, bool]]
) -> None:
    text = path.read_text(encoding="utf-8")
    for where, word, insert in edits:
        at = int(where * len(text))
        if insert:
            text = f"{text[:at]} {word} {text[at:]}"
        else:
            m = re.compile(r"\S+").search(text, at)
            if m:
                text = text[: m.start()] + text[m.end() :]
    _check_ends_well(text)
