"""The Jinja environment of the code and docs backends, and the filters templates may use.

Input: a template directory name (`python_host`, …) and frozen view models. Output: text.
Invariants: this is the only module that imports jinja2 (a layering test checks it). The
environment uses `StrictUndefined` (a missing view-model field is an error, never an empty
string), `trim_blocks`, `lstrip_blocks`, `keep_trailing_newline` and no autoescaping.
Filters are plain, pure functions registered in `FILTERS`, each with its own unit test; WIT
docs reach generated Python only through `pydoc`, which keeps the text exact, and
Markdown only through the `md_*` filters of `codegen/markdown/escape.py`, which escape it.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path
from typing import Any

import jinja2

from witgen.codegen.markdown import escape as md_escape


def templates_dir() -> Path:
    """Where the templates live: inside the installed package, else the repository root.
    (The package is a directory on disk, so its path is looked at directly: importing
    `importlib.resources` costs more start-up time than rendering a small page.)"""
    packaged = Path(__file__).resolve().parents[1] / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


# ---------------------------------------------------------------- filters


def _escape_char(ch: str) -> str:
    """A Python escape sequence for a character that must not appear raw in a literal."""
    named = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
    if ch in named:
        return named[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _doc_line(line: str) -> str:
    out: list[str] = []
    quotes = 0  # length of the current run of `"`
    for i, ch in enumerate(line):
        if ch == '"':
            run_end = i
            while run_end < len(line) and line[run_end] == '"':
                run_end += 1
            quotes = quotes or (run_end - i)
            out.append('\\"' if quotes >= 3 else '"')
            continue
        quotes = 0
        if ch == "\\":
            out.append("\\\\")
        elif ch != " " and not ch.isprintable():
            out.append(_escape_char(ch))
        else:
            out.append(ch)
    text = "".join(out)
    stripped = text.rstrip(" ")
    if stripped != text:  # trailing spaces: a formatter would strip them
        text = stripped + " " * (len(text) - len(stripped) - 1) + "\\x20"
    return text


def pydoc(text: str, indent: int = 0) -> str:
    """A triple-quoted docstring literal whose value is `text`, kept exact.

    The literal opens with `\"\"\"` and a newline, holds each line of `text` indented by
    `indent` spaces (empty lines stay empty), and closes on a line of its own at the same
    indentation, the layout `ruff format` keeps unchanged. `\\`, runs of three or more `"`,
    control and other non-printable characters, trailing spaces and (when every line is
    indented) the first space of each indented line are escaped, so neither Python nor a
    formatter can change the text, and a doc can never end the literal early. A text of
    nothing but newlines has no such literal (formatters rewrite blank docstrings): callers
    leave blank docs out.
    """
    if not text.strip("\n"):
        raise ValueError("a blank doc has no docstring")
    lines = [_doc_line(line) for line in text.split("\n")]
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip(" ")]
    if indents and min(indents) > 0:  # a formatter would dedent them all
        lines = ["\\x20" + line[1:] if line.startswith(" ") else line for line in lines]
    pad = " " * indent
    body = "\n".join(pad + line if line else "" for line in lines)
    return f'"""\n{body}\n{pad}"""'


def docstring_value(literal_value: str, indent: int = 0) -> str:
    """The inverse of `pydoc` on the runtime value of its literal: the original text."""
    pad = " " * indent
    assert literal_value.startswith("\n") and literal_value.endswith("\n" + pad)
    inner = literal_value[1 : len(literal_value) - len(pad) - 1]
    return "\n".join(line.removeprefix(pad) for line in inner.split("\n"))


def pyrepr(value: object) -> str:
    """A Python literal for `value`; strings are quoted the way `ruff format` quotes them."""
    if not isinstance(value, str):
        return repr(value)
    quote = "'" if value.count('"') > value.count("'") else '"'
    out = []
    for ch in value:
        if ch in ("\\", quote):
            out.append("\\" + ch)
        elif ch != " " and not ch.isprintable():
            out.append(_escape_char(ch))
        else:
            out.append(ch)
    return quote + "".join(out) + quote


FILTERS: dict[str, Any] = {
    "pydoc": pydoc,
    "pyrepr": pyrepr,
    # Markdown: docs and names reach a page only through these (codegen/markdown/escape.py).
    "md_code": md_escape.md_code,
    "md_code_block": md_escape.md_code_block,
    "md_doc": md_escape.md_doc,
    "md_summary": md_escape.md_summary,
    "md_text": md_escape.md_text,
}


# ---------------------------------------------------------------- environment


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled once and kept in witgen's cache folder, keyed by their source (a
    new template is compiled again); an entry that cannot be read or written is skipped, as
    everywhere in that cache."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a corrupted entry is a miss
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    import os

    from witgen.loading import cache

    if not cache.enabled():
        return None
    folder = os.path.join(cache.directory(), "templates")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    return _CompiledTemplates(folder)


@functools.cache
def environment(subdir: str) -> jinja2.Environment:
    """The environment of one template directory (`python_host`, …), built once. Templates
    are never reloaded within a run (one process renders one output)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / subdir)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(FILTERS)
    return env


def render(subdir: str, template: str, **context: object) -> str:
    """Render `subdir/template` with the given view models."""
    return environment(subdir).get_template(template).render(**context)
