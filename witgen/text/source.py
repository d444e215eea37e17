"""Source text and positions.

Input: the text of every `.wit` file read for one run. Output: a `SourceMap` that joins
all files end to end, so that a single integer offset names a character anywhere in the
input, and `Span`s into it. Invariant: offsets count code points (what lark and Python
`str` indexing use); line and column are computed only when a diagnostic is rendered.
"""

from __future__ import annotations

# `_bisect` is the C module that `bisect` re-exports: importing it alone is cheaper.
from _bisect import bisect_right

from witgen._record import field, record

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from typing import ClassVar


class Span(int):
    """A half-open range `[start, end)` of code-point offsets into a `SourceMap`.

    Both offsets packed in one int (`end` in the low 32 bits, each stored plus one so
    that the unknown span, -1 to -1, packs too): a syntax tree holds a span per node, and
    one small int costs a third of an object with two int fields."""

    __slots__ = ()

    UNKNOWN: ClassVar[Span]

    def __new__(cls, start: int, end: int) -> Span:
        return int.__new__(cls, ((start + 1) << 32) | (end + 1))

    @property
    def start(self) -> int:
        return (self >> 32) - 1

    @property
    def end(self) -> int:
        return (self & 0xFFFFFFFF) - 1

    @property
    def known(self) -> bool:
        return self >= 0x100000000

    def join(self, other: Span) -> Span:
        """The smallest span covering both (unknown spans are ignored)."""
        if not self.known:
            return other
        if not other.known:
            return self
        return Span(min(self.start, other.start), max(self.end, other.end))

    def __bool__(self) -> bool:  # an object, as the record it replaces: always true
        return True

    def __getnewargs__(self) -> tuple[int, int]:  # type: ignore[override]
        return (self.start, self.end)

    def __repr__(self) -> str:
        return f"Span(start={self.start}, end={self.end})"

    __str__ = __repr__


Span.UNKNOWN = Span(-1, -1)


@record(kw_only=False)
class Location:
    """A rendered position: the path as the user gave it, 1-based line and column."""

    path: str
    line: int
    column: int


@record(frozen=False, kw_only=False)
class SourceFile:
    path: str
    text: str
    start: int
    # Offsets (relative to the file) at which each line begins; computed lazily.
    _line_starts: list[int] | None = field(default=None, repr=False)

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        return self._line_starts


class SourceMap:
    """All source files of one run, joined end to end.

    Each file is followed by one padding offset so that an end-of-file span of one file
    never coincides with the first character of the next.
    """

    def __init__(self) -> None:
        self.files: list[SourceFile] = []
        self._starts: list[int] = []
        self._next = 0

    def add(self, path: str, text: str) -> int:
        """Add a file and return the offset of its first character."""
        start = self._next
        self.files.append(SourceFile(path, text, start))
        self._starts.append(start)
        self._next = start + len(text) + 1
        return start

    def file_at(self, offset: int) -> SourceFile:
        i = bisect_right(self._starts, offset) - 1
        return self.files[max(i, 0)]

    def locate(self, offset: int) -> Location:
        f = self.file_at(offset)
        rel = min(max(offset - f.start, 0), len(f.text))
        starts = f.line_starts()
        line = bisect_right(starts, rel) - 1
        return Location(f.path, line + 1, rel - starts[line] + 1)

    def line_text(self, offset: int) -> str:
        """The whole source line containing `offset`, without its newline."""
        f = self.file_at(offset)
        rel = min(max(offset - f.start, 0), len(f.text))
        starts = f.line_starts()
        line = bisect_right(starts, rel) - 1
        end = starts[line + 1] - 1 if line + 1 < len(starts) else len(f.text)
        text = f.text[starts[line] : end]
        return text[:-1] if text.endswith("\r") else text
