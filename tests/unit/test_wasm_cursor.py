"""`binary.Cursor` and `binary.read_sections`: reads bounded by a section, failures that
name the byte offset."""

from __future__ import annotations

import pytest

from witgen.wasm import binary as w
from witgen.wasm import tables


def test_reads_advance_and_stay_absolute() -> None:
    data = b"\xaa\xbb" + w.uleb128(300) + w.name("héllo") + w.sleb128(-2) + b"\x7c"
    r = w.Cursor(data, 2, len(data))
    assert r.u32() == 300
    assert r.name() == "héllo"
    assert r.s33() == -2
    assert r.valtype() == "s16"
    assert r.pos == r.end == len(data)


def test_valtype_reads_an_index_or_fails_on_a_negative_one() -> None:
    assert w.Cursor(w.sleb128(5), 0, 1).valtype() == 5
    with pytest.raises(w.Malformed) as info:
        w.Cursor(b"\x00" + w.sleb128(-100), 1, 3).valtype()
    assert (info.value.message, info.value.offset) == ("invalid value type", 1)


def test_a_read_never_passes_the_end() -> None:
    data = w.name("abc")
    r = w.Cursor(data, 0, 2)  # the section ends inside the name
    with pytest.raises(w.Malformed) as info:
        r.name()
    assert (info.value.message, info.value.offset) == ("unexpected end of data in a name", 0)
    with pytest.raises(w.Malformed) as info:
        w.Cursor(b"\x01", 1, 1).byte()
    assert (info.value.message, info.value.offset) == ("unexpected end of data", 1)


def test_failures_name_the_offset_of_the_read() -> None:
    data = b"\x00\x00\xff\xff\xff\xff\xff\x0f"
    with pytest.raises(w.Malformed) as info:
        w.Cursor(data, 2, len(data)).u32()
    assert (info.value.message, info.value.offset) == ("integer representation too long", 2)


def test_count_is_checked_against_the_bytes_left() -> None:
    data = w.uleb128(5) + b"\x00\x00"
    with pytest.raises(w.Malformed) as info:
        w.Cursor(data, 0, len(data)).count()
    assert info.value.message == "vector of 5 items is longer than the data"


def test_sections_in_order_with_bounded_bodies() -> None:
    data = (
        w.COMPONENT_PREAMBLE
        + w.custom_section("x", b"12")
        + w.section(tables.SECTION_TYPE, b"\x00")
    )
    found = [(sid, start, r.pos, r.end) for sid, start, r in w.read_sections(data, 8, len(data))]
    assert found == [(tables.SECTION_CUSTOM, 8, 10, 14), (tables.SECTION_TYPE, 14, 16, 17)]
    assert list(w.iter_sections(data)) == found


def test_a_section_past_the_end_is_malformed() -> None:
    data = w.COMPONENT_PREAMBLE + bytes((tables.SECTION_TYPE,)) + w.uleb128(10) + b"\x00"
    with pytest.raises(w.Malformed) as info:
        list(w.read_sections(data, 8, len(data)))
    assert (info.value.message, info.value.offset) == ("section runs past the end of the data", 8)
    with pytest.raises(ValueError, match="at offset 8"):
        list(w.iter_sections(data))
