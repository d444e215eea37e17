"""`docs_and_gates.docs_of`: the doc text wit-parser derives from the comments before an item.

Every expectation below was recorded from `wasm-tools component wit --json` 1.262 (and is
re-checked against it when wasm-tools is on PATH). wit-parser's rule:

- each comment becomes one piece: `/** x */` loses `/**` and `*/`; any other comment
  (`//`, `///`, `/* */`) loses its leading slashes only (so `/* x */` gives `* x */`);
  trailing whitespace is removed;
- all pieces are then dedented together: n = the smallest number of leading ASCII
  whitespace characters (space, tab, newline, ...) over the non-empty pieces, and a piece
  that starts with n *spaces* loses them (so a piece starting with a tab keeps it);
- the pieces are joined with "\\n"; no comments means no docs.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from witgen.resolve.docs_and_gates import docs_of
from witgen.syntax import nodes as n
from witgen.text.source import Span

CASES: list[tuple[list[str], str | None]] = [
    ([], None),
    (["/// a"], "a"),
    (["///a"], "a"),
    (["//// four"], "four"),
    (["/// a   "], "a"),
    (["/// a", "///   b"], "a\n  b"),
    (["///   a", "///     b"], "a\n  b"),
    (["///", "/// a"], "\na"),
    (["///  a", "///", "///  b"], "a\n\nb"),
    (["// a"], "a"),
    (["//  a", "///  b"], "a\nb"),
    (["/* a */"], "* a */"),
    (["/** a */"], "a"),
    (["/**a*/"], "a"),
    (["/**   a */"], "a"),
    (["/** */"], ""),
    (["/***/"], ""),
    (["/** a */", "/// b"], "a\nb"),
    (["/// x", "/** d */"], "x\nd"),
    (["///  a", "/**  b */"], "a\nb"),
    (["// a", "/* b */", "/// c"], " a\n* b */\n c"),
    (["/**\n * a\n * b\n */"], "\n * a\n * b"),
    (["/**\n   a\n */", "/// b"], "\n   a\nb"),
    (["///\t\ta"], "\t\ta"),
    # A `/** */` block is dedented with the other pieces, not on its own.
    (["/* c */", "/** d */"], "* c */\n d"),
    (["/**   a */", "/// b"], "  a\nb"),
    (["/** a */", "/* b */"], " a\n* b */"),
    # Tabs count towards the common indent, but only spaces are removed.
    (["///\ta", "/// b"], "\ta\nb"),
    (["/// \ta", "///  b"], " \ta\nb"),
    (["//\ta", "//  b"], "\ta\n b"),
]


def _id(case: tuple[list[str], str | None]) -> str:
    return " + ".join(case[0]).replace("\n", "\\n") or "none"


@pytest.mark.parametrize(("comments", "expected"), CASES, ids=[_id(c) for c in CASES])
def test_docs_of(comments: list[str], expected: str | None) -> None:
    docs = docs_of(n.Docs(comments=tuple(comments), span=Span(0, 0)))
    assert docs.contents == expected


def test_expectations_are_wasm_tools(wasm_tools: str, tmp_path: Path) -> None:
    """All of CASES in one file, one type per case, resolved by wasm-tools."""
    body = "".join("\n".join(c) + f"\ntype t{i} = u32;\n" for i, (c, _) in enumerate(CASES))
    path = tmp_path / "docs.wit"
    path.write_text(f"package a:b;\ninterface i {{\n{body}}}\n", encoding="utf-8")
    ref = subprocess.run(
        [wasm_tools, "component", "wit", "--json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ref.returncode == 0, ref.stderr
    types = json.loads(ref.stdout)["types"]
    got = [t.get("docs", {}).get("contents") for t in types]
    assert got == [expected for _, expected in CASES]
