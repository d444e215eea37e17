"""Hostile names and docs through every generator: host and guest bindings, Markdown, HTML.

Input: one package whose names are Python keywords, builtins and typing names (as they come
out of case conversion: `none` → `None_`, `class` → `class_`, `list`, `type`, `print`) and
whose docs end in a backslash, hold triple quotes, template syntax (`{{ }}`, `{% %}`),
`</script>`, HTML that would run code, and Markdown structure (`---`, `#`, an open fence).
Text cannot hold a NUL, so the same package is also encoded to a binary whose docs section
carries one, and read from there. Output, for both inputs: the generated Python compiles,
imports without running anything the docs hold, and each module's docstring is its WIT doc;
the Markdown has no HTML but the generator's anchors and comment; the site has no script but
its own and no element or event attribute that a doc brought in.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from witgen import api

DOCS = {
    "BACKSLASH": "ends in a backslash \\",
    "QUOTES": 'holds """ triple """" quotes and \'\'\' too',
    "JINJA": "{{ 7 * 7 }} {% if true %}x{% endif %} {# c #}",
    "SCRIPT": "</script><script>window.injected = 1</script>",
    "HTML": '</div><img src=x onerror="window.injected = 1"><a href="javascript:x">l</a>',
    "MARKDOWN": "a\n---\n# heading\n```python\nopen fence",
    "PYTHON": '"""; import os; os.environ["WITGEN_INJECTED"] = "1"; """',
}

WIT = """\
package hostile:names@1.0.0;

/// DOC_PYTHON
interface class {
  /// DOC_BACKSLASH
  record %list { %type: u32, print: string, self: u8, object: bool }
  /// DOC_QUOTES
  variant %none { none, %true(string), %false }
  /// DOC_JINJA
  enum %result { ok, err, %import }
  /// DOC_SCRIPT
  resource %object {
    /// DOC_HTML
    constructor(%self: u32);
    /// DOC_MARKDOWN
    print: func(str: string) -> list<%list>;
    %type: static func(cls: u32) -> %object;
  }
  /// DOC_PYTHON
  input: func(%list: %list, %none: %none, %result: %result) -> result<u32, %none>;
}

world def {
  import class;
  export class;
}
"""

NUL_DOC = "nul \x00 byte, bell \x07"


def _text_docs() -> str:
    text = WIT
    for key, doc in DOCS.items():
        lines = doc.split("\n")
        text = text.replace(f"/// DOC_{key}\n", "".join(f"/// {line}\n" for line in lines))
    return text.replace("/// DOC_", "/// ")


def _leb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _read_leb(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def _with_nul_docs(wasm: bytes) -> bytes:
    """`wasm` with every doc of its `package-docs` section replaced by one holding a NUL."""
    out, at = bytearray(wasm[:8]), 8
    while at < len(wasm):
        section = wasm[at]
        size, start = _read_leb(wasm, at + 1)
        payload = wasm[start : start + size]
        at = start + size
        name_len, name_at = _read_leb(payload, 0)
        if section == 0 and payload[name_at : name_at + name_len] == b"package-docs":
            data = payload[name_at + name_len :]
            meta = json.loads(data[1:])

            def poison(node: object) -> object:
                if isinstance(node, dict):
                    return {k: NUL_DOC if k == "docs" else poison(v) for k, v in node.items()}
                if isinstance(node, list):
                    return [poison(v) for v in node]
                return node

            body = data[:1] + json.dumps(poison(meta), separators=(",", ":")).encode()
            payload = _leb(name_len) + b"package-docs" + body
        out += bytes([section]) + _leb(len(payload)) + payload
    return bytes(out)


@pytest.fixture(params=["text", "binary"])
def hostile(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    wit = tmp_path / "hostile.wit"
    wit.write_text(_text_docs(), encoding="utf-8")
    if request.param == "text":
        return wit
    wasm = tmp_path / "hostile.wasm"
    wasm.write_bytes(_with_nul_docs(api.encode(wit)))
    docs = [t.docs.contents for t in api.load(wasm).resolve.types if t.docs.contents]
    assert docs and all(d == NUL_DOC for d in docs)  # the binary does carry the NUL
    return wasm


def _doc_contents(path: Path) -> set[str]:
    r = api.load(path).resolve
    docs = {i.docs.contents for i in r.interfaces} | {t.docs.contents for t in r.types}
    return {d for d in docs if d}


def test_python_bindings_compile_import_and_keep_docs(hostile: Path, tmp_path: Path) -> None:
    host_out, guest_out = tmp_path / "host", tmp_path / "guest"
    api.bindgen_host(hostile, out_dir=host_out, world="def", use_cache=False)
    api.bindgen_guest(hostile, out_dir=guest_out, world="def", use_cache=False)
    files = [*host_out.rglob("*.py"), *guest_out.rglob("*.py")]
    assert len(files) > 10
    for path in files:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    before = dict(os.environ)
    sys.path[:0] = [str(guest_out)]
    try:
        module = importlib.import_module("wit_world.imports.class_")
        native = importlib.import_module("wit_world.native")
        assert module.__doc__ is not None and native is not None
        wanted = _doc_contents(hostile)
        got = module.__doc__.removeprefix("\n").removesuffix("\n")
        assert got in wanted, got
    finally:
        sys.path.remove(str(guest_out))
        for name in [m for m in sys.modules if m == "wit_world" or m.startswith("wit_world.")]:
            del sys.modules[name]
    assert "WITGEN_INJECTED" not in os.environ and dict(os.environ) == before


def test_markdown_has_no_html_but_the_generators(hostile: Path) -> None:
    from markdown_it import MarkdownIt

    pages = api.docs(hostile, use_cache=False)
    md = MarkdownIt("commonmark")
    for name, text in pages.items():
        for token in md.parse(text):
            inline = token.children or []
            for t in [token, *inline]:
                if t.type in ("html_block", "html_inline"):
                    content = t.content.strip()
                    anchor = re.fullmatch(r'<a id="[a-z0-9-]+">(</a>)?|</a>', content)
                    generated = content.startswith("<!-- Generated by witgen")
                    assert anchor or generated, (name, content)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def test_site_has_no_markup_a_doc_brought_in(hostile: Path) -> None:
    pytest.importorskip("markdown_it")
    site = api.docs(hostile, format="html", use_cache=False)
    for name, text in site.items():
        if not name.endswith(".html"):
            continue
        parser = _Elements()
        parser.feed(text)
        for tag, attrs in parser.found:
            assert tag not in ("img", "iframe"), (name, tag)
            assert not any(a.startswith("on") for a in attrs), (name, tag, attrs)
            if tag == "script":
                assert (attrs.get("src") or "").startswith("assets/"), (name, attrs)
            href = attrs.get("href") or ""
            assert not href.lower().startswith("javascript:"), (name, href)
