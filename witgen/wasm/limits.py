"""The component validator's limits on types, as the encoder checks them.

Input: what the encoder defines, one type at a time. Output: the first limit broken, as the
message wasm-tools' validator prints (without its byte offset). wasm-tools encodes a package
and then validates the bytes; witgen checks as it encodes, so that a package far over a
limit (a `use` chain thousands of interfaces long, whose encoding grows with the square of
its length) is refused after the first type over the limit instead of after gigabytes.

The rules, measured against wasm-tools 1.262 (`tests/wasm/test_limits.py` compares the
verdicts on inputs at each limit and just past it):

- Every type has a *size* and a *depth*. A type that refers to no other type (a primitive,
  an enum, a handle, a resource) has size 1 and depth 1. A defined type, a function type,
  an instance type and a component type add to their own 1 the size of each type they
  hold (fields, cases, elements, parameters and results, the types of their imports and
  exports) and take a depth one more than the deepest of them. A type exported as `eq`
  another, or aliased, is that type. A component's size may not exceed 1,000,000 and a
  type's depth may not reach 100 ("effective type size exceeds the limit of 1000000",
  "type nesting is too deep"). The package component itself counts the sizes of the types
  it exports, but not their depth.
- A component type holds at most 4096 instances (imported and exported).
- The binary reader's limits on vectors and names (`VECTOR_LIMITS`, `MAX_STRING_SIZE`): a
  record, variant, enum or tuple of more than 10,000 items, a function of more than 1,000
  parameters, a name of more than 100,000 bytes.
- A value type's largest in-memory size (the canonical ABI's layout with 64-bit pointers,
  so a `string` takes 16 bytes) must be under 2^28 bytes, and a fixed-length list may have
  at most 2^30 elements: only fixed-length lists come near either.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import TypeAlias

    from witgen.text.source import Span

# wasmparser's binary reader refuses longer vectors ("record field size is out of bounds",
# by `VECTOR_LIMITS`' names) and longer names ("string size out of bounds"); the validator
# refuses flags types of more than 32 flags, which WIT text cannot write either.
MAX_STRING_SIZE = 100_000
VECTOR_LIMITS: dict[str, tuple[int, str]] = {
    "record": (10_000, "record field"),
    "variant": (10_000, "variant cases"),
    "enum": (10_000, "enum cases"),
    "tuple": (10_000, "tuple types"),
    "flags": (1_000, "flag names"),
    "params": (1_000, "component function parameters"),
}
MAX_FLAGS = 32
TOO_MANY_FLAGS = f"cannot have more than {MAX_FLAGS} flags"
TOO_LONG_STRING = "string size out of bounds"


def too_long(vector: str, count: int) -> str | None:
    """wasmparser's message for a vector of `count` items of kind `vector` (a key of
    `VECTOR_LIMITS`), if it is too long."""
    limit, what = VECTOR_LIMITS[vector]
    return f"{what} size is out of bounds" if count > limit else None


MAX_SIZE = 1_000_000
MAX_DEPTH = 100
MAX_INSTANCES = 4096
MAX_FIXED_LIST_ELEMENTS = 1 << 30
MAX_BYTE_SIZE = 1 << 28

TOO_LARGE = f"effective type size exceeds the limit of {MAX_SIZE}"
TOO_DEEP = "type nesting is too deep"
TOO_MANY_INSTANCES = f"instances count exceeds limit of {MAX_INSTANCES}"
TOO_MANY_ELEMENTS = f"fixed-length list element count exceeds limit of {MAX_FIXED_LIST_ELEMENTS}"
TOO_MANY_BYTES = "value type's maximum in-memory size exceeds maximum byte size"

# (size, depth) of a type, as above.
Info: TypeAlias = tuple[int, int]
LEAF: Info = (1, 1)

# (size, alignment) in memory.
Layout: TypeAlias = tuple[int, int]

PRIMITIVE_LAYOUTS: dict[str, Layout] = {
    "bool": (1, 1),
    "u8": (1, 1),
    "s8": (1, 1),
    "u16": (2, 2),
    "s16": (2, 2),
    "u32": (4, 4),
    "s32": (4, 4),
    "f32": (4, 4),
    "char": (4, 4),
    "u64": (8, 8),
    "s64": (8, 8),
    "f64": (8, 8),
    "string": (16, 8),
    "error-context": (4, 4),
}
HANDLE: Layout = (4, 4)
POINTER_PAIR: Layout = (16, 8)  # a list or map: a pointer and a length, 64 bits each


class Problems:
    """The first limit broken while encoding one thing."""

    __slots__ = ("at", "first")

    def __init__(self) -> None:
        self.first: str | None = None
        # The span of the innermost named type or function whose definition broke it.
        self.at: Span | None = None

    def locate(self, span: Span) -> None:
        """Called after each named type or function is defined: the first such call after
        a limit is broken names where."""
        if self.first is not None and self.at is None:
            self.at = span

    def _note(self, message: str) -> None:
        if self.first is None:
            self.first = message

    def combine(self, info: Info, other: Info) -> Info:
        """`info` after adding a type it holds (size and depth as above)."""
        size, depth = info[0] + other[0], max(info[1], other[1] + 1)
        if size > MAX_SIZE:
            self._note(TOO_LARGE)
        if depth >= MAX_DEPTH:
            self._note(TOO_DEEP)
        return size, depth

    def holding(self, held: list[Info]) -> Info:
        """The info of a type holding each of `held`."""
        info = LEAF
        for other in held:
            info = self.combine(info, other)
        return info

    def add_size(self, info: Info, other: Info) -> Info:
        """The package component adding an exported type: its size only."""
        size = info[0] + other[0]
        if size > MAX_SIZE:
            self._note(TOO_LARGE)
        return size, info[1]

    def vector(self, vector: str, count: int) -> None:
        """A vector of `count` items of kind `vector` (see `VECTOR_LIMITS`)."""
        message = too_long(vector, count)
        if message is not None:
            self._note(message)

    def names(self, names: Iterable[str]) -> None:
        """Names written into the binary (UTF-8 takes at most 4 bytes a code point)."""
        for name in names:
            if len(name) * 4 > MAX_STRING_SIZE and len(name.encode()) > MAX_STRING_SIZE:
                self._note(TOO_LONG_STRING)

    def instances(self, count: int) -> None:
        if count > MAX_INSTANCES:
            self._note(TOO_MANY_INSTANCES)

    def layout(self, layout: Layout) -> Layout:
        if layout[0] >= MAX_BYTE_SIZE:
            self._note(TOO_MANY_BYTES)
        return layout

    def fixed_list(self, element: Layout, count: int) -> Layout:
        if count > MAX_FIXED_LIST_ELEMENTS:
            self._note(TOO_MANY_ELEMENTS)
        return self.layout((element[0] * count, element[1]))


def _align(offset: int, alignment: int) -> int:
    return -(-offset // alignment) * alignment


def sequence(fields: list[Layout]) -> Layout:
    """A record's or tuple's layout: each field at its alignment, the whole aligned."""
    offset, alignment = 0, 1
    for size, align in fields:
        offset = _align(offset, align) + size
        alignment = max(alignment, align)
    return _align(offset, alignment), alignment


def discriminant(cases: int) -> Layout:
    size = 1 if cases <= 1 << 8 else 2 if cases <= 1 << 16 else 4
    return size, size


def variant(cases: list[Layout | None]) -> Layout:
    """A variant's layout (options and results too): the discriminant, then the largest case."""
    disc = discriminant(len(cases))
    payloads = [c for c in cases if c is not None]
    case_align = max((a for _, a in payloads), default=1)
    size = _align(disc[0], case_align) + max((s for s, _ in payloads), default=0)
    alignment = max(disc[1], case_align)
    return _align(size, alignment), alignment


def flags(count: int) -> Layout:
    if count == 0:
        return 0, 1
    if count <= 8:
        return 1, 1
    if count <= 16:
        return 2, 2
    return 4 * -(-count // 32), 4
