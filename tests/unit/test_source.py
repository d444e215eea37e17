"""`SourceMap`: offsets into files joined end to end, turned into path:line:column.

Lines and columns are 1-based; a column counts code points (a tab is one column, as in
wasm-tools' rendering); `line_text` is the line without its `\\n` or `\\r\\n`.
"""

from __future__ import annotations

import pickle

import pytest

from witgen.text.source import Location, SourceMap, Span


def two_files() -> tuple[SourceMap, int, int]:
    sources = SourceMap()
    a = sources.add("a.wit", "package a:b;\ninterface i {}\n")
    b = sources.add("dir/b.wit", "world w {\n\timport i;\n}")
    return sources, a, b


def test_files_are_joined_with_one_padding_offset() -> None:
    sources, a, b = two_files()
    assert a == 0
    assert b == len("package a:b;\ninterface i {}\n") + 1
    assert [f.path for f in sources.files] == ["a.wit", "dir/b.wit"]
    assert sources.files[0].end == b - 1


def test_locate_first_file() -> None:
    sources, a, _ = two_files()
    assert sources.locate(a) == Location("a.wit", 1, 1)
    assert sources.locate(a + 8) == Location("a.wit", 1, 9)  # `a` of `a:b`
    assert sources.locate(a + 13) == Location("a.wit", 2, 1)  # after the first newline


def test_locate_second_file_starts_at_line_one() -> None:
    sources, _, b = two_files()
    assert sources.locate(b) == Location("dir/b.wit", 1, 1)
    assert sources.file_at(b).path == "dir/b.wit"


def test_end_of_file_stays_in_its_file() -> None:
    # The padding offset keeps an end-of-file span of a.wit out of b.wit.
    sources, _, _ = two_files()
    end = sources.files[0].end
    assert sources.file_at(end).path == "a.wit"
    assert sources.locate(end) == Location("a.wit", 3, 1)  # the empty line after the last \n
    assert sources.line_text(end) == ""


def test_end_of_file_without_final_newline() -> None:
    sources, _, _ = two_files()
    end = sources.files[1].end
    assert sources.locate(end) == Location("dir/b.wit", 3, 2)
    assert sources.line_text(end) == "}"


def test_tab_counts_as_one_column() -> None:
    sources, _, b = two_files()
    text = sources.files[1].text
    offset = b + text.index("import")
    assert sources.locate(offset) == Location("dir/b.wit", 2, 2)
    assert sources.line_text(offset) == "\timport i;"


def test_crlf_line_endings() -> None:
    sources = SourceMap()
    start = sources.add("crlf.wit", "package a:b;\r\ninterface i {\r\n  type t = u32;\r\n}\r\n")
    text = sources.files[0].text
    t = start + text.index("t =")
    assert sources.locate(t) == Location("crlf.wit", 3, 8)
    assert sources.line_text(t) == "  type t = u32;"  # no trailing \r
    # The \r itself is the last column of its line.
    cr = start + text.index("\r")
    assert sources.locate(cr) == Location("crlf.wit", 1, 13)
    assert sources.line_text(cr) == "package a:b;"


def test_lone_carriage_return_is_not_a_line_break() -> None:
    # wasm-tools breaks lines on \n only.
    sources = SourceMap()
    start = sources.add("cr.wit", "a\rb\nc")
    assert sources.locate(start + 2) == Location("cr.wit", 1, 3)
    assert sources.locate(start + 4) == Location("cr.wit", 2, 1)


def test_columns_count_code_points() -> None:
    sources = SourceMap()
    start = sources.add("u.wit", "/// héllo 🎉 x\n")
    x = start + sources.files[0].text.index("x")
    assert sources.locate(x) == Location("u.wit", 1, 13)


def test_empty_file() -> None:
    sources = SourceMap()
    start = sources.add("empty.wit", "")
    assert sources.locate(start) == Location("empty.wit", 1, 1)
    assert sources.line_text(start) == ""


def test_empty_file_between_others() -> None:
    sources = SourceMap()
    sources.add("a.wit", "x")
    empty = sources.add("empty.wit", "")
    c = sources.add("c.wit", "y")
    assert sources.file_at(empty).path == "empty.wit"
    assert sources.locate(empty) == Location("empty.wit", 1, 1)
    assert sources.locate(c) == Location("c.wit", 1, 1)


@pytest.mark.parametrize("offset", [10**9, -5])
def test_out_of_range_offsets_are_clamped(offset: int) -> None:
    sources, _, _ = two_files()
    loc = sources.locate(offset)
    assert loc.line >= 1 and loc.column >= 1
    sources.line_text(offset)


def test_many_lines() -> None:
    sources = SourceMap()
    text = "".join(f"line {i}\n" for i in range(1, 10_001))
    start = sources.add("big.wit", text)
    offset = start + text.index("line 7777")
    assert sources.locate(offset) == Location("big.wit", 7777, 1)
    assert sources.line_text(offset) == "line 7777"


def test_span() -> None:
    assert Span(-1, -1) == Span.UNKNOWN
    assert not Span.UNKNOWN.known
    assert Span(0, 0).known
    assert Span(3, 5).join(Span(1, 4)) == Span(1, 5)
    assert Span(3, 5).join(Span.UNKNOWN) == Span(3, 5)
    assert Span.UNKNOWN.join(Span(3, 5)) == Span(3, 5)


@pytest.mark.parametrize(
    ("start", "end"), [(-1, -1), (0, 0), (0, 1), (7, 7), (123_456, 9_876_543), (0, 2**32 - 2)]
)
def test_span_packs_both_offsets(start: int, end: int) -> None:
    span = Span(start, end)
    assert (span.start, span.end) == (start, end)
    assert span == Span(start, end) and hash(span) == hash(Span(start, end))
    assert span != Span(start, end + 1) and span != Span(start + 1, end + 1)
    assert span  # an object, never false (the unknown span packs to zero)
    assert pickle.loads(pickle.dumps(span)) == span
    assert type(pickle.loads(pickle.dumps(span))) is Span
    assert repr(span) == f"Span(start={start}, end={end})"
    with pytest.raises(AttributeError):
        span.start = 3  # type: ignore[misc]
