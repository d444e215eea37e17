"""The parser's fast paths: spans from the driver, records built without `type.__call__`,
and a syntax error winning over a later lexical one."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from witgen._record import FrozenInstanceError, fields, maker
from witgen.syntax import nodes as n
from witgen.syntax import parse
from witgen.text.diagnostics import WitError
from witgen.text.source import Span

UI = Path(__file__).resolve().parents[1] / "ui"
SAMPLES = sorted(p for p in UI.rglob("*.wit") if "parse-fail" not in p.parts)


def _nodes(x: Any) -> Any:
    """Every record in the tree under `x`, parents before children."""
    if isinstance(x, tuple):
        for y in x:
            yield from _nodes(y)
    elif hasattr(type(x), "__record__") and not isinstance(x, Span):
        yield x
        for name in fields(type(x)):
            yield from _nodes(getattr(x, name))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_spans_run_from_a_token_start_to_a_token_end(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    tree, _ = parse.parse_text(text)
    starts = {tok.start_pos for tok in parse.tokenize(text, 0)}
    ends = {tok.end_pos for tok in parse.tokenize(text, 0)}
    for node in _nodes((tree.package, tree.items)):
        span = node.span
        if isinstance(node, (n.Docs, n.Comment)) or not span.known:
            continue
        assert span.start in starts and span.end in ends, (node, text[span.start : span.end])
        for name in fields(type(node)):
            for child in _nodes(getattr(node, name)):
                inner = child.span
                if inner.known and not isinstance(child, n.Docs):
                    assert span.start <= inner.start <= inner.end <= span.end, (node, child)


def test_item_span_and_docs_start_at_its_attributes() -> None:
    text = "package a:b;\n/// d\n@since(version = 1.0.0)\ninterface i {}\n"
    tree, _ = parse.parse_text(text)
    item = tree.items[0]
    assert isinstance(item, n.Interface)
    assert text[item.span.start : item.span.end] == "@since(version = 1.0.0)\ninterface i {}"
    assert item.docs.comments == ("/// d",)


def test_constructor_span_starts_at_its_keyword() -> None:
    text = "package a:b;\ninterface i { resource r { @since(version = 1.0.0) constructor(); } }"
    tree, _ = parse.parse_text(text)
    iface = tree.items[0]
    assert isinstance(iface, n.Interface)
    res = iface.items[0]
    assert isinstance(res, n.Resource) and res.funcs is not None
    ctor = res.funcs[0]
    assert text[ctor.span.start : ctor.span.end] == "@since(version = 1.0.0) constructor();"
    assert text[ctor.func.span.start : ctor.func.span.end] == "constructor();"


@pytest.mark.parametrize(
    "cls", [n.Id, n.Param, n.Docs, n.Comment, n.ResourceFunc], ids=lambda c: c.__name__
)
def test_maker_builds_the_same_record(cls: type[Any]) -> None:
    values = {name: f"v-{name}" for name in fields(cls)}
    made = maker(cls)(**values)
    assert type(made) is cls
    assert made == cls(**values)
    assert hash(made) == hash(cls(**values))
    assert pickle.loads(pickle.dumps(made)) == made
    with pytest.raises(FrozenInstanceError):
        made.span = None
    with pytest.raises(TypeError):
        maker(cls)()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # The syntax error comes first, so it wins over the bad character after it.
        ("package a:b;\ninterface i { f: func(; }\n\x7e é", "expected"),
        ("package a:b;\ninterface i { f: func(); }\nworld é {}", "invalid character"),
        ("package a:b;\ninterface i {} /* open", "unterminated block comment"),
    ],
)
def test_first_error_of_a_file(text: str, message: str) -> None:
    with pytest.raises(WitError) as e:
        parse.parse_text(text)
    assert message in e.value.diagnostics[0].message


def test_tokenize_yields_the_tokens_before_a_lexical_error() -> None:
    seen = []
    with pytest.raises(parse.LexError):
        for tok in parse.tokenize("package a:b; é", 10):
            seen.append((tok.type, tok.value, tok.start_pos, tok.end_pos))
    assert seen == [
        ("PACKAGE", "package", 10, 17),
        ("ID", "a", 18, 19),
        ("COLON", ":", 19, 20),
        ("ID", "b", 20, 21),
        ("SEMI", ";", 21, 22),
    ]


@pytest.mark.parametrize(
    "code",
    [*range(0x80), 0x85, 0xA0, 0x149, 0x61C, 0x200E, 0x202A, 0x2066, 0x206F, 0xE0001, 0x10FFFF],
)
def test_forbidden_code_points_found_as_the_regex_finds_them(code: int) -> None:
    # `_first_forbidden` checks ASCII text by its bytes before it runs `_FORBIDDEN`.
    for text in (f"ab{chr(code)}cd", f"é{chr(code)}", chr(code) * 3):
        fast, regex = parse._first_forbidden(text), parse._FORBIDDEN.search(text)
        assert (fast and fast.start()) == (regex and regex.start())
