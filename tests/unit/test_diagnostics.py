"""Rendering of diagnostics: text (wasm-tools' layout), JSON and SARIF, and their order."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from witgen.text.diagnostics import (
    CODES,
    Diagnostic,
    Note,
    WitError,
    error,
    ordered,
    render_json,
    render_sarif,
    render_segments,
    render_text,
    warning,
)
from witgen.text.source import SourceMap, Span

TAB_WIT = "package a:b;\n\ninterface i {\n\ttype x =\tstrng;\n}\n"


def one_file(text: str, path: str = "t.wit") -> tuple[SourceMap, int]:
    sources = SourceMap()
    return sources, sources.add(path, text)


def span_of(sources: SourceMap, needle: str, *, file: int = 0, length: int | None = None) -> Span:
    f = sources.files[file]
    start = f.start + f.text.index(needle)
    return Span(start, start + (len(needle) if length is None else length))


# ---------------------------------------------------------------- text layout


def test_text_layout_with_tab_code_and_help() -> None:
    sources, _ = one_file(TAB_WIT)
    d = error("WIT201", "type `strng` does not exist", span_of(sources, "strng"))
    d = Diagnostic(d.code, d.severity, d.message, d.span, (Note("did you mean `string`?"),))
    assert render_text([d], sources) == (
        "error[WIT201]: type `strng` does not exist\n"
        "     --> t.wit:4:11\n"
        "      |\n"
        "    4 | \ttype x =\tstrng;\n"
        "      |           ^----\n"
        "      = help: did you mean `string`?"
    )


def test_text_without_codes_is_wasm_tools_output() -> None:
    # Recorded from `wasm-tools component wit t.wit` (1.262) on TAB_WIT: a tab is one column.
    sources, _ = one_file(TAB_WIT)
    d = error("WIT201", "type `strng` does not exist", span_of(sources, "strng"), Note("hint"))
    assert render_text([d], sources, codes=False) + "\n" == (
        "error: type `strng` does not exist\n"
        "     --> t.wit:4:11\n"
        "      |\n"
        "    4 | \ttype x =\tstrng;\n"
        "      |           ^----\n"
    )


def test_multi_line_span_is_underlined_for_its_whole_length() -> None:
    """As wit-parser: a dash per character of the span after the first, past the line's
    end (the span is shown on its first line only)."""
    sources, _ = one_file("package a:b;\ninterface i {\n  record r {\n    a: u32,\n  }\n}\n")
    start = span_of(sources, "r {").start
    end = span_of(sources, "  }").end
    text = render_text([error("WIT301", "m", Span(start, end))], sources)
    dashes = "-" * (len("r {\n    a: u32,\n  }") - 1)
    assert text.splitlines()[-2:] == ["    3 |   record r {", "      |          ^" + dashes]


def test_empty_span_and_end_of_file() -> None:
    text = "package a:b;\ninterface i {\n"
    sources, base = one_file(text)
    eof = Span(base + len(text), base + len(text))
    assert render_text([error("WIT101", "expected `}`, found eof", eof)], sources) == (
        "error[WIT101]: expected `}`, found eof\n     --> t.wit:3:1\n      |\n    3 | \n      | ^"
    )


def test_crlf_line_and_wide_line_numbers() -> None:
    text = "\r\n" * 12344 + "type x = y;\r\n"
    sources, _ = one_file(text)
    rendered = render_text([error("WIT201", "m", span_of(sources, "y;", length=1))], sources)
    assert rendered.splitlines()[1:] == [
        "     --> t.wit:12345:10",
        "      |",
        " 12345 | type x = y;",
        "      |          ^",
    ]


def test_long_line_collapses_to_one_line() -> None:
    # wasm-tools measures the line in UTF-8 bytes: 252 characters can be too long.
    for prefix, collapsed in [("x" * 498, False), ("x" * 499, True), ("é" * 250, True)]:
        sources, _ = one_file("package a:b;\n" + prefix + " y\n")
        d = error("WIT101", "expected ';', found an identifier", span_of(sources, " y", length=2))
        text = render_text([d], sources)
        col = len(prefix) + 1
        if collapsed:
            assert text == f"error[WIT101]: t.wit:2:{col}: expected ';', found an identifier"
        else:
            assert text.splitlines()[1] == f"     --> t.wit:2:{col}"
            assert text.splitlines()[-1] == "      | " + " " * (col - 1) + "^-"


def test_spanless_diagnostic_and_note_with_a_location() -> None:
    sources, _ = one_file("package a:b;\npackage a:b;\n")
    first = span_of(sources, "a:b")
    d = error(
        "WIT206", "no `package` header was found in any WIT file for this package", Span.UNKNOWN
    )
    dup = error(
        "WIT207", "package `a:b` is defined twice", first, Note("first defined here", first)
    )
    assert render_text([d], sources) == (
        "error[WIT206]: no `package` header was found in any WIT file for this package"
    )
    assert render_text([dup], sources).splitlines()[-1] == (
        "      = note: t.wit:1:9: first defined here"
    )
    # A warning uses its own header.
    assert render_text([warning("WIT306", "w", Span.UNKNOWN)], SourceMap()) == "warning[WIT306]: w"


def test_segments_join_to_text_and_carry_styles() -> None:
    sources, _ = one_file(TAB_WIT)
    d = error("WIT201", "type `strng` does not exist", span_of(sources, "strng"), Note("hint"))
    segments = render_segments([d], sources)
    assert "".join(t for t, _ in segments) == render_text([d], sources)
    styles = {t: s for t, s in segments}
    assert styles["error[WIT201]"] == "error"
    assert styles["^----"] == "error"
    assert styles["help"] == "help"
    assert styles["t.wit:4:11"] == ""


def test_no_styled_segment_spans_a_newline() -> None:
    # wasm-tools prints multi-line messages as they are ("known packages:\n    foo:baz").
    sources, _ = one_file("package a:b;\ninterface i {\n  use foo:bar/baz.{x};\n}\n")
    message = "package 'foo:bar' not found. known packages:\n    a:b"
    d = error("WIT205", message, span_of(sources, "foo:bar/baz"), Note("two\nlines"))
    segments = render_segments([d, d], sources)
    assert render_text([d], sources).splitlines()[:3] == [
        "error[WIT205]: package 'foo:bar' not found. known packages:",
        "    a:b",
        "     --> t.wit:3:7",
    ]
    for text, style in segments:
        assert "\n" not in text or (set(text) == {"\n"} and style == ""), (text, style)


def test_witerror_str_is_the_text_rendering() -> None:
    sources, _ = one_file(TAB_WIT)
    d = error("WIT201", "type `strng` does not exist", span_of(sources, "strng"))
    assert str(WitError((d,), sources)) == render_text([d], sources)


# ---------------------------------------------------------------- order


def test_order_primary_first_then_file_then_offset() -> None:
    sources = SourceMap()
    sources.add("a.wit", "aaaa bbbb\n")
    sources.add("b.wit", "cccc dddd\n")
    primary = error("WIT201", "primary", span_of(sources, "dddd", file=1))
    later = error("WIT201", "b-c", span_of(sources, "cccc", file=1))
    early = error("WIT201", "a-b", span_of(sources, "bbbb"))
    first = error("WIT201", "a-a", span_of(sources, "aaaa"))
    spanless = error("WIT206", "none", Span.UNKNOWN)
    got = [d.message for d, _ in ordered([primary, spanless, later, early, first], sources)]
    assert got == ["primary", "a-a", "a-b", "b-c", "none"]
    text = render_text([primary, spanless, later, early, first], sources)
    assert [line for line in text.splitlines() if line.startswith("error")] == [
        f"error[{d}]: {m}"
        for d, m in [
            ("WIT201", "primary"),
            ("WIT201", "a-a"),
            ("WIT201", "a-b"),
            ("WIT201", "b-c"),
            ("WIT206", "none"),
        ]
    ]
    # Blocks are separated by exactly one blank line.
    assert text.count("\n\n") == 4


def test_source_maps_keep_the_order_of_their_paths() -> None:
    one, _ = one_file("aaaa bbbb\n", "one.wit")
    two, _ = one_file("cccc\n", "two.wit")
    pairs = [
        (error("WIT201", "two", span_of(two, "cccc")), two),
        (error("WIT201", "one-b", span_of(one, "bbbb")), one),
        (error("WIT201", "one-a", span_of(one, "aaaa")), one),
    ]
    assert [d.message for d, _ in ordered(pairs)] == ["two", "one-b", "one-a"]
    text = render_text(pairs)
    assert "--> two.wit:1:1" in text.split("\n\n")[0]
    assert "--> one.wit:1:6" in text.split("\n\n")[1]


# ---------------------------------------------------------------- JSON


def test_json_schema() -> None:
    sources, _ = one_file(TAB_WIT, "pkg/t.wit")
    d = error("WIT201", "type `strng` does not exist", span_of(sources, "strng"), Note("hint"))
    w = warning("WIT306", "gate", Span.UNKNOWN, Note("there", span_of(sources, "type")))
    doc = json.loads(render_json([w, d], sources))
    assert doc == {
        "version": 1,
        "diagnostics": [
            {
                "code": "WIT306",
                "severity": "warning",
                "message": "gate",
                "path": None,
                "line": None,
                "column": None,
                "end_line": None,
                "end_column": None,
                "notes": [
                    {
                        "message": "there",
                        "path": "pkg/t.wit",
                        "line": 4,
                        "column": 2,
                        "end_line": 4,
                        "end_column": 6,
                    }
                ],
            },
            {
                "code": "WIT201",
                "severity": "error",
                "message": "type `strng` does not exist",
                "path": "pkg/t.wit",
                "line": 4,
                "column": 11,
                "end_line": 4,
                "end_column": 16,
                "notes": [
                    {
                        "message": "hint",
                        "path": None,
                        "line": None,
                        "column": None,
                        "end_line": None,
                        "end_column": None,
                    }
                ],
            },
        ],
    }


def test_json_multi_line_end_and_empty() -> None:
    sources, _ = one_file("record r {\n  a: u32,\n}\n")
    start, end = span_of(sources, "r {").start, span_of(sources, "}").end
    entry = json.loads(render_json([error("WIT301", "m", Span(start, end))], sources))
    assert [entry["diagnostics"][0][k] for k in ("line", "column", "end_line", "end_column")] == [
        1,
        8,
        3,
        2,
    ]
    assert json.loads(render_json([], sources)) == {"version": 1, "diagnostics": []}


# ---------------------------------------------------------------- SARIF


def test_sarif_structure() -> None:
    sources, _ = one_file(TAB_WIT, "pkg/my file.wit")
    d = error("WIT201", "type `strng` does not exist", span_of(sources, "strng"), Note("hint"))
    related = Note("declared here", span_of(sources, "interface i"))
    w = warning("WIT306", "gate", span_of(sources, "package"), related)
    absolute, _ = one_file("x\n", "/abs/dir/x.wit")
    spanless = error("WIT200", "cannot read", Span.UNKNOWN)
    pairs = [(d, sources), (w, sources), (error("WIT201", "abs", Span(0, 1)), absolute)]
    doc = json.loads(render_sarif([*pairs, (spanless, SourceMap())]))
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "witgen"
    assert [r["id"] for r in driver["rules"]] == list(CODES)
    assert driver["rules"][0]["shortDescription"]["text"] == CODES["WIT100"]
    assert run["columnKind"] == "unicodeCodePoints"
    results = run["results"]
    # Source order within a map (the first, primary diagnostic stays first).
    assert [r["message"]["text"] for r in results] == [
        "type `strng` does not exist\nhelp: hint",
        "gate",
        "abs",
        "cannot read",
    ]
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
    assert [r["level"] for r in results] == ["error", "warning", "error", "error"]
    loc = results[0]["locations"][0]["physicalLocation"]
    assert loc == {
        "artifactLocation": {"uri": "pkg/my%20file.wit"},
        "region": {"startLine": 4, "startColumn": 11, "endLine": 4, "endColumn": 16},
    }
    (rel,) = results[1]["relatedLocations"]
    assert rel["message"]["text"] == "declared here"
    assert rel["physicalLocation"]["region"]["startLine"] == 3
    assert rel["physicalLocation"]["region"]["startColumn"] == 1
    abs_uri = results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert abs_uri == Path("/abs/dir/x.wit").as_uri()
    assert results[3]["locations"] == []


def test_sarif_with_no_diagnostics() -> None:
    doc = json.loads(render_sarif([], SourceMap()))
    assert doc["runs"][0]["results"] == []


# ---------------------------------------------------------------- wasm-tools' layout


def corpus_blocks(corpus: Path) -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("*.wit.stderr"))]


def test_text_layout_equals_every_wasm_tools_stderr(shared: Path) -> None:
    """Rebuild each recorded wasm-tools error from its own location and compare the text.

    The stderr gives message, path, line, column and underline length; a Diagnostic with
    that span, rendered without code and notes, must reproduce it byte for byte. (This
    checks the layout only; the parser's and resolver's own spans are tested elsewhere.)
    """
    root = shared / "corpus" / "wit-parser"
    checked = 0
    for stderr_path, want in corpus_blocks(root / "tests" / "ui" / "parse-fail"):
        short = re.fullmatch(r"error: (\S+?):(\d+):(\d+): (.*)\n", want, re.S)
        long = re.fullmatch(
            r"error: (.*)\n     --> (\S+):(\d+):(\d+)\n      \|\n.*\n      \| *\^(-*)\n", want, re.S
        )
        if short:
            path, line, col, message, width = short[1], short[2], short[3], short[4], 1
        elif long:
            path, line, col, message = long[2], long[3], long[4], long[1]
            width = 1 + len(long[5])
        else:
            continue  # no location (e.g. a missing package header)
        sources = SourceMap()
        base = sources.add(path, (root / path).read_text(encoding="utf-8"))
        start = base + sources.files[0].line_starts()[int(line) - 1] + int(col) - 1
        d = error("WIT101", message, Span(start, start + width))
        assert render_text([d], sources, codes=False) + "\n" == want, stderr_path
        checked += 1
    assert checked > 90


@pytest.mark.parametrize("codes", [True, False])
def test_text_has_no_trailing_newline(codes: bool) -> None:
    sources, _ = one_file(TAB_WIT)
    d = error("WIT201", "m", span_of(sources, "strng"))
    assert not render_text([d, d], sources, codes=codes).endswith("\n")


def test_span_past_the_end_of_its_file_stays_in_that_file() -> None:
    # A span ending on the padding offset after a file must not reach into the next file.
    sources = SourceMap()
    sources.add("a.wit", "ab\ncd")
    sources.add("b.wit", "xyz\n")
    d = error("WIT101", "m", Span(3, sources.files[0].end + 1))
    (entry,) = json.loads(render_json([d], sources))["diagnostics"]
    assert (entry["path"], entry["line"], entry["column"]) == ("a.wit", 2, 1)
    assert (entry["end_line"], entry["end_column"]) == (2, 3)
