"""The Jinja filters of `backends/_jinja.py`: each one, and the environment they live in."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from witgen.codegen import templating as _jinja

HOSTILE_DOCS = [
    "plain",
    'say """ and """"',
    'ends with a quote"',
    "back\\slash and \\n and \\",
    "trailing   ",
    "   every line indented\n   twice",
    "tab\there\n\tleading tab",
    "form\x0cfeed, \x00 nul, \r return, \u2028 separator, \ufeff bom",
    "\n\nblank lines around\n\n",
    "   ",
    "}} {% raw %} {{ jinja }}",
    "ünïcødé ✓ 😀",
]


def _docstring_of(literal: str, indent: int) -> str:
    """Compile `literal` as a docstring at `indent` (module, function, method) and return it."""
    src = {
        0: f"{literal}\n",
        4: f"def f():\n    {literal}\n",
        8: f"class C:\n    def f(self):\n        {literal}\n",
    }[indent]
    node: ast.AST = ast.parse(src)
    while not isinstance(node, ast.FunctionDef) and indent:
        node = node.body[0]  # type: ignore[attr-defined]
    value = ast.get_docstring(node, clean=False)  # type: ignore[arg-type]
    assert value is not None
    return value


@pytest.mark.parametrize("doc", HOSTILE_DOCS)
@pytest.mark.parametrize("indent", [0, 4, 8])
def test_pydoc_keeps_text_exact(doc: str, indent: int) -> None:
    literal = _jinja.pydoc(doc, indent)
    assert literal.startswith('"""\n') and literal.endswith('"""')
    value = _docstring_of(literal, indent)
    assert _jinja.docstring_value(value, indent) == doc


def test_pydoc_refuses_blank_text() -> None:
    for blank in ("", "\n", "\n\n"):
        with pytest.raises(ValueError, match="blank"):
            _jinja.pydoc(blank)


@given(st.text().filter(lambda t: t.strip("\n")))
def test_pydoc_any_text(doc: str) -> None:
    value = _docstring_of(_jinja.pydoc(doc, 4), 4)
    assert _jinja.docstring_value(value, 4) == doc


def test_pydoc_survives_ruff_format(tmp_path: Path) -> None:
    """The literals are already what `ruff format` writes: no escape is undone, no space
    stripped, no line re-indented."""
    body = "\n\n\n".join(
        f"def f{i}() -> None:\n    {_jinja.pydoc(doc, 4)}" for i, doc in enumerate(HOSTILE_DOCS)
    )
    path = tmp_path / "docs.py"
    path.write_text(body + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--diff", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("demo:notes/fs@0.1.0", '"demo:notes/fs@0.1.0"'),
        ('say "hi"', "'say \"hi\"'"),
        ("it's", '"it\'s"'),
        ("back\\slash", '"back\\\\slash"'),
        ("line\nbreak\t", '"line\\nbreak\\t"'),
        ("\x00\u2028", '"\\x00\\u2028"'),
        ("é", '"é"'),
        (42, "42"),
        (None, "None"),
    ],
)
def test_pyrepr(value: object, expected: str) -> None:
    assert _jinja.pyrepr(value) == expected
    assert ast.literal_eval(expected) == value


@given(st.text())
def test_pyrepr_round_trips(text: str) -> None:
    assert ast.literal_eval(_jinja.pyrepr(text)) == text


def test_filters_are_registered_once() -> None:
    assert _jinja.FILTERS["pydoc"] is _jinja.pydoc
    assert _jinja.FILTERS["pyrepr"] is _jinja.pyrepr
    env = _jinja.environment("python_host")
    assert env.filters["pydoc"] is _jinja.pydoc
    assert isinstance(env.undefined, type) and issubclass(env.undefined, jinja2.StrictUndefined)
    assert env.trim_blocks and env.lstrip_blocks and env.keep_trailing_newline
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_templates_dir_exists() -> None:
    assert os.path.isfile(os.path.join(_jinja.templates_dir(), "python_host", "module.py.j2"))
