"""LEB128 and name helpers of `witgen/wasm/binary.py`: round trips and known encodings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from witgen.wasm import binary as w


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_uleb128_round_trip(n: int) -> None:
    data = w.uleb128(n)
    assert w.read_uleb128(data + b"\xff", 0) == (n, len(data))
    # Shortest form: only the last byte lacks the continuation bit, and it is not a padding 0.
    assert all(b & 0x80 for b in data[:-1]) and not data[-1] & 0x80
    assert len(data) == 1 or data[-1] != 0


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_sleb128_round_trip(n: int) -> None:
    data = w.sleb128(n)
    assert w.read_sleb128(data + b"\x7f", 0) == (n, len(data))
    assert len(data) <= 10


@given(st.text())
def test_name_round_trip(text: str) -> None:
    data = w.name(text)
    assert w.read_name(data, 0) == (text, len(data))


@pytest.mark.parametrize(
    ("n", "encoded"),
    [
        (0, b"\x00"),
        (63, b"\x3f"),
        (64, b"\x40"),
        (127, b"\x7f"),
        (128, b"\x80\x01"),
        (624485, b"\xe5\x8e\x26"),
    ],
)
def test_uleb128_known(n: int, encoded: bytes) -> None:
    assert w.uleb128(n) == encoded


@pytest.mark.parametrize(
    ("n", "encoded"),
    [
        (0, b"\x00"),
        (63, b"\x3f"),
        (64, b"\xc0\x00"),
        (-1, b"\x7f"),
        (-64, b"\x40"),
        (-65, b"\xbf\x7f"),
    ],
)
def test_sleb128_known(n: int, encoded: bytes) -> None:
    assert w.sleb128(n) == encoded


@pytest.mark.parametrize(
    "data",
    [b"", b"\x80", b"\xff\xff\xff\xff\x7f", b"\x80\x80\x80\x80\x80\x00"],
    ids=["empty", "truncated", "too-large", "too-long"],
)
def test_read_uleb128_rejects(data: bytes) -> None:
    with pytest.raises(ValueError, match="offset 0"):
        w.read_uleb128(data, 0)


def test_uleb128_rejects_negative() -> None:
    with pytest.raises(ValueError):
        w.uleb128(-1)


def test_read_name_rejects_bad_utf8_and_truncation() -> None:
    with pytest.raises(ValueError, match="UTF-8"):
        w.read_name(b"\x01\xff", 0)
    with pytest.raises(ValueError, match="end of data"):
        w.read_name(b"\x05ab", 0)
