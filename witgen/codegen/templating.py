"""The Jinja environment of the code and docs backends, and the filters templates may use.

Input: a template directory name (`python_host`, …) and frozen view models. Output: text.
Invariants: this is the only module that imports jinja2 (a layering test checks it). The
environment uses `StrictUndefined` (a missing view-model field is an error, never an empty
string), `trim_blocks`, `lstrip_blocks` and `keep_trailing_newline`; code templates have no
autoescaping, HTML templates (`render_html`) escape every value they print.
Filters are plain, pure functions registered in `FILTERS`, each with its own unit test; WIT
docs reach generated Python only through `pydoc`, which keeps the text exact. (Markdown
templates print view models that `codegen/markdown/escape.py` already escaped.)
"""

from __future__ import annotations

import functools
import os
from typing import Any

import jinja2
import jinja2.bccache

from witgen.codegen import templates_dir
from witgen.loading import cache

__all__ = ["FILTERS", "environment", "render", "templates_dir"]


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
    if '"' not in line and "\\" not in line and line.isprintable() and not line.endswith(" "):
        return line  # nothing to escape: most doc lines
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
}


# ---------------------------------------------------------------- environment


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in witgen's cache (`loading.cache`), so a run does not lex,
    parse and compile every template again: a third of `bindgen`'s time for a small world.
    Jinja checks each entry against the template's source and its own and Python's
    versions, so a stale entry is recompiled, never used. Entries are named by the
    environment's escaping too (`kind`), since Jinja's own key is the template's path alone
    and escaping changes the compiled code."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = cache.get(f"jinja-{self.kind}-{bucket.key}")
        if isinstance(data, bytes):
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        cache.put(f"jinja-{self.kind}-{bucket.key}", bucket.bytecode_to_string())


# Templates several generators share, found after the generator's own: the type
# definitions of `templates/python/` (records, variants, enums) read the same shared view
# models (`codegen/python/type_views.py`) in host and guest bindings alike.
_SHARED = {"python_host": ("python",), "python_guest": ("python",)}


@functools.cache
def environment(subdir: str, *, html: bool = False) -> jinja2.Environment:
    """The environment of one template directory (`python_host`, …), built once; with
    `html`, every printed value is HTML-escaped unless a template marks it `|safe`."""
    search = [os.path.join(templates_dir(), d) for d in (subdir, *_SHARED.get(subdir, ()))]
    env = jinja2.Environment(
        bytecode_cache=_CompiledTemplates("html" if html else "text") if cache.enabled() else None,
        loader=jinja2.FileSystemLoader(search),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=html,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    return env


def render(subdir: str, template: str, **context: object) -> str:
    """Render `subdir/template` with the given view models."""
    return environment(subdir).get_template(template).render(**context)


def render_html(subdir: str, template: str, **context: object) -> str:
    """Render the HTML template `subdir/template`, escaping every value it prints."""
    return environment(subdir, html=True).get_template(template).render(**context)
