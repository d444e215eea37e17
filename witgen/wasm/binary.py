"""Low-level WebAssembly binary helpers shared by the encoder and the decoder.

Input: Python ints, strings and byte strings. Output: their WebAssembly binary encodings
(LEB128 integers, length-prefixed names, vectors, sections, custom sections, the
`producers` section), and the inverse readers: functions of `(data, pos)`, and `Cursor`,
a read position bounded by the end of a section, for the decoder and the text printer.
Invariants: every writer emits the shortest encoding (as wasm-encoder does), so equal
inputs give equal bytes; every reader function returns `(value, new_pos)` and raises
`ValueError` with the byte offset when the input is truncated or malformed, and `Cursor`
raises `Malformed` carrying the offset instead. No knowledge of WIT lives here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import NoReturn

from witgen.wasm import limits
from witgen.wasm.limits import MAX_STRING_SIZE, TOO_LONG_STRING
from witgen.wasm.tables import PRIMITIVE_TYPES, SECTION_CUSTOM

TYPE_CHECKING = False
if TYPE_CHECKING:
    from witgen import model as m

MAGIC = b"\x00asm"
COMPONENT_PREAMBLE = MAGIC + b"\x0d\x00\x01\x00"
MODULE_PREAMBLE = MAGIC + b"\x01\x00\x00\x00"


# ---------------------------------------------------------------- writers


def byte(code: int) -> bytes:
    """One byte: an opcode, a sort or a tag of the binary format."""
    return bytes((code,))


def uleb128(value: int) -> bytes:
    """Unsigned LEB128, shortest form."""
    if value < 0:
        raise ValueError(f"uleb128 of a negative number: {value}")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def sleb128(value: int) -> bytes:
    """Signed LEB128, shortest form."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        done = (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40)
        if done:
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def name(text: str) -> bytes:
    """A `core:name`: the UTF-8 length, then the UTF-8 bytes."""
    data = text.encode("utf-8")
    return uleb128(len(data)) + data


def vec(items: Sequence[bytes]) -> bytes:
    """A `vec(...)` of already encoded items: the count, then the items."""
    return uleb128(len(items)) + b"".join(items)


def section(section_id: int, body: bytes) -> bytes:
    return bytes([section_id]) + uleb128(len(body)) + body


def custom_section(section_name: str, data: bytes) -> bytes:
    return section(SECTION_CUSTOM, name(section_name) + data)


def producers_section(fields: Iterable[tuple[str, Sequence[tuple[str, str]]]]) -> bytes:
    """The `producers` custom section: `(field, [(name, version), ...])` in order."""
    encoded = [
        name(field) + vec([name(n) + name(v) for n, v in values]) for field, values in fields
    ]
    return custom_section("producers", vec(encoded))


# ---------------------------------------------------------------- readers


def read_uleb128(data: bytes | memoryview, pos: int, bits: int = 32) -> tuple[int, int]:
    """Read an unsigned LEB128 of at most `bits` bits (and `ceil(bits / 7)` bytes) at `pos`."""
    value, end, _ = _read_leb(data, pos, bits)
    if value >= 1 << bits:
        raise ValueError(f"integer too large at offset {pos}")
    return value, end


def _read_leb(data: bytes | memoryview, pos: int, bits: int) -> tuple[int, int, int]:
    """The raw value, the end position and the bit count of a LEB128 at `pos`."""
    result = 0
    shift = 0
    for end in range(pos, pos + (bits + 6) // 7):
        if end >= len(data):
            raise ValueError(f"unexpected end of data in an integer at offset {pos}")
        byte = data[end]
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, end + 1, shift
    raise ValueError(f"integer representation too long at offset {pos}")


def read_sleb128(data: bytes | memoryview, pos: int, bits: int = 64) -> tuple[int, int]:
    """Read a signed LEB128 of at most `bits` bits (and `ceil(bits / 7)` bytes) at `pos`."""
    value, end, shift = _read_leb(data, pos, bits)
    if value & (1 << (shift - 1)):
        value -= 1 << shift
    if not -(1 << (bits - 1)) <= value < 1 << (bits - 1):
        raise ValueError(f"integer out of range at offset {pos}")
    return value, end


def read_name(data: bytes | memoryview, pos: int) -> tuple[str, int]:
    """Read a `core:name` (length-prefixed UTF-8) at `pos`."""
    start = pos
    length, pos = read_uleb128(data, pos)
    end = pos + length
    if end > len(data):
        raise ValueError(f"unexpected end of data in a name at offset {start}")
    try:
        return bytes(data[pos:end]).decode("utf-8"), end
    except UnicodeDecodeError:
        raise ValueError(f"invalid UTF-8 in a name at offset {start}") from None


def iter_sections(data: bytes, pos: int = 8) -> Iterable[tuple[int, int, int, int]]:
    """Yield `(section_id, section_start, body_start, body_end)` for each top-level section."""
    try:
        for section_id, start, body in read_sections(data, pos, len(data)):
            yield section_id, start, body.pos, body.end
    except Malformed as e:
        raise ValueError(f"{e.message} at offset {e.offset}") from None


# ---------------------------------------------------------------- cursors


class Malformed(Exception):
    """The input is not what the format allows: `message`, at byte `offset`."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def _without_offset(error: ValueError) -> str:
    """The message of a reader function's error; the cursor adds the offset itself."""
    return str(error).split(" at offset")[0]


class Cursor:
    """A read position in `data`, which no read passes beyond `end`.

    Offsets stay absolute (those of the whole input), so a `Malformed` names the byte
    offset a user can look up; by default that of the read that failed.
    """

    __slots__ = ("data", "end", "pos")

    def __init__(self, data: bytes, pos: int, end: int) -> None:
        # A view cut at `end`, not a copy: a read past the section fails as at the end.
        self.data = memoryview(data)[:end]
        self.pos = pos
        self.end = end

    def fail(self, message: str, offset: int | None = None) -> NoReturn:
        raise Malformed(message, self.pos if offset is None else offset)

    def byte(self) -> int:
        if self.pos >= self.end:
            self.fail("unexpected end of data")
        b = self.data[self.pos]
        self.pos += 1
        return b

    # The three readers below differ only in the function they call; each is written out
    # because they are the decoder's innermost loop.

    def u32(self) -> int:
        try:
            value, pos = read_uleb128(self.data, self.pos)
        except ValueError as e:
            self.fail(_without_offset(e))
        self.pos = pos
        return value

    def s33(self) -> int:
        try:
            value, pos = read_sleb128(self.data, self.pos, 33)
        except ValueError as e:
            self.fail(_without_offset(e))
        self.pos = pos
        return value

    def name(self) -> str:
        try:
            length, after = read_uleb128(self.data, self.pos)
            if length > MAX_STRING_SIZE:
                self.fail(TOO_LONG_STRING, after - 1)  # where wasmparser reports it
            value, pos = read_name(self.data, self.pos)
        except ValueError as e:
            self.fail(_without_offset(e))
        self.pos = pos
        return value

    def valtype(self) -> m.PrimitiveType | int:
        """A value type: a primitive by name, or a type index (never negative)."""
        if self.pos < self.end:
            primitive = PRIMITIVE_TYPES.get(self.data[self.pos])
            if primitive is not None:
                self.pos += 1
                return primitive
        offset = self.pos
        index = self.s33()
        if index < 0:
            self.fail("invalid value type", offset)
        return index

    def count(self, vector: str | None = None) -> int:
        """The length of a vector, checked against the bytes left (each item takes one)
        and, for a `vector` of `limits.VECTOR_LIMITS`, against wasmparser's limit."""
        start = self.pos
        n = self.u32()
        too_long = None if vector is None else limits.too_long(vector, n)
        if too_long is not None:
            self.fail(too_long, start)
        if n > self.end - self.pos:
            self.fail(f"vector of {n} items is longer than the data", start)
        return n


def read_sections(data: bytes, pos: int, end: int) -> Iterator[tuple[int, int, Cursor]]:
    """Each section from `pos` to `end`: its id, its offset and a cursor over its body.

    The next section is read from where this one ends, whatever the caller read of it.
    """
    while pos < end:
        start = pos
        header = Cursor(data, pos + 1, end)
        size = header.u32()
        body_end = header.pos + size
        if body_end > end:
            raise Malformed("section runs past the end of the data", start)
        yield data[start], start, Cursor(data, header.pos, body_end)
        pos = body_end
