"""Low-level WebAssembly binary helpers shared by the encoder and the decoder.

Input: Python ints, strings and byte strings. Output: their WebAssembly binary encodings
(LEB128 integers, length-prefixed names, vectors, sections, custom sections, the
`producers` section), and the inverse readers. Invariants: every writer emits the shortest
encoding (as wasm-encoder does), so equal inputs give equal bytes; every reader takes
`(data, pos)` and returns `(value, new_pos)`, raising `ValueError` with the byte offset
when the input is truncated or malformed. No knowledge of WIT lives here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

COMPONENT_PREAMBLE = b"\x00asm\x0d\x00\x01\x00"
MODULE_PREAMBLE = b"\x00asm\x01\x00\x00\x00"

# Section ids of the component binary format (Binary.md).
SECTION_CUSTOM = 0
SECTION_COMPONENT_TYPE = 7
SECTION_COMPONENT_EXPORT = 11


# ---------------------------------------------------------------- writers


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
    while pos < len(data):
        start = pos
        section_id = data[pos]
        size, body = read_uleb128(data, pos + 1)
        end = body + size
        if end > len(data):
            raise ValueError(f"section at offset {start} runs past the end of the data")
        yield section_id, start, body, end
        pos = end
