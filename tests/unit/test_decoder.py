"""The decoder: corpus binaries back to models, and only `WitError` on malformed input.

wasm-tools' own decoding of a package binary is the oracle (`component wit --json X.wasm`
and `component wit --wasm X.wasm`): for half of the corpus it allocates ids differently
from the text resolver (dependency packages shrink to what is used, types follow the
binary's order), so `resolve.json` itself is not the expected JSON of a decoded binary.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from witgen.outputs.json import to_data
from witgen.text.diagnostics import WitError
from witgen.wasm import encoder
from witgen.wasm.decoder import decode, decode_wasm

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
WASM_TOOLS = shutil.which("wasm-tools")
BINARIES = (
    sorted((SHARED / "corpus").glob("**/expected/**/package*.wasm")) if SHARED.is_dir() else []
)
IDS = [str(p.relative_to(SHARED / "corpus")) for p in BINARIES]
needs_shared = pytest.mark.skipif(not BINARIES, reason=f"{SHARED} is absent")
needs_wasm_tools = pytest.mark.skipif(WASM_TOOLS is None, reason="wasm-tools is not on PATH")


def _reference(*args: str) -> bytes:
    assert WASM_TOOLS is not None
    res = subprocess.run([WASM_TOOLS, "component", "wit", *args], capture_output=True, check=True)
    return res.stdout


@needs_shared
@needs_wasm_tools
@pytest.mark.parametrize("path", BINARIES, ids=IDS)
def test_decoded_json_equals_wasm_tools(path: Path) -> None:
    want = json.loads(_reference("--json", str(path)))
    assert to_data(decode(path.read_bytes())) == want


@needs_shared
@needs_wasm_tools
@pytest.mark.parametrize("path", BINARIES, ids=IDS)
def test_reencoding_equals_wasm_tools(path: Path) -> None:
    r = decode(path.read_bytes())
    assert r.main is not None
    want = _reference("--wasm", str(path), "-o", "/dev/stdout")
    assert encoder.encode_package(r, r.main, producers_like_reference=True) == want


@needs_shared
@pytest.mark.parametrize("path", BINARIES, ids=IDS)
def test_encode_decode_is_a_fixed_point(path: Path) -> None:
    r1 = decode(path.read_bytes())
    assert r1.main is not None
    once = encoder.encode_package(r1, r1.main)
    r2 = decode(once)
    assert r2 == r1
    assert r2.main is not None
    assert encoder.encode_package(r2, r2.main) == once


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        (b"", 0),
        (b"\x00asm\x01\x00\x00\x00", 4),
        (b"\x00asm\x0d\x00\x01\x00", 8),
        (b"\x00asm\x0d\x00\x01\x00\x07\x02\x01\x41", 12),
        (b"\x00asm\x0d\x00\x01\x00\x0b\x06\x01\x00\x01x\x03\x05", 11),
    ],
    ids=["empty", "core-module", "no-exports", "truncated-type", "export-bad-index"],
)
def test_malformed_input_names_the_offset(data: bytes, offset: int) -> None:
    with pytest.raises(WitError) as info:
        decode(data)
    (diag,) = info.value.diagnostics
    assert f"at offset {offset} " in diag.message


@needs_shared
@given(
    index=st.integers(min_value=0, max_value=len(BINARIES) - 1 if BINARIES else 0),
    position=st.floats(min_value=0, max_value=1),
    op=st.sampled_from(["set", "delete", "truncate", "insert"]),
    payload=st.binary(min_size=1, max_size=4),
)
def test_mutated_binaries_raise_only_wit_error(
    index: int, position: float, op: str, payload: bytes
) -> None:
    data = bytearray(BINARIES[index].read_bytes())
    i = min(int(position * len(data)), len(data) - 1)
    if op == "set":
        data[i] = payload[0]
    elif op == "delete":
        del data[i : i + len(payload)]
    elif op == "truncate":
        del data[i:]
    else:
        data[i:i] = payload
    try:
        decode(bytes(data))
    except WitError as e:
        assert "at offset" in e.diagnostics[0].message


# An interface of another package imported twice: `p` uses one of its types (the record
# alone is imported), the world imports all of it. The second copy of the record holds a
# `future` and an `option<u8>` that its functions use too; wasm-tools maps them onto the
# types of the first copy instead of making new ones (wit-smith seeds 6594 and 8664).
TWICE = """package demo:main;

interface p {
  use demo:dep/d.{rec};
}

world w {
  import demo:dep/d;
}

package demo:dep {
  interface d {
    record rec { a: future, b: list<option<u8>> }
    f: func(x: future, y: option<u8>, z: list<option<u8>>);
  }
}
"""


@needs_wasm_tools
def test_anonymous_types_of_a_type_imported_again_are_shared(tmp_path: Path) -> None:
    wit = tmp_path / "p.wit"
    wit.write_text(TWICE, encoding="utf-8")
    binary = _reference("--wasm", str(wit), "-o", "/dev/stdout")
    (tmp_path / "p.wasm").write_bytes(binary)
    want = json.loads(_reference("--json", str(tmp_path / "p.wasm")))
    got = to_data(decode(binary))
    assert got == want
    assert sum(1 for t in got["types"] if t["kind"] == {"future": None}) == 1


_LAYOUT_WIT = """package a:b;

interface i {
  type t = u32;
  f: func();
}

world w {
  import i;
}
"""


@needs_wasm_tools
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '(export (;1;) "g" (func (type 2)))',
            "instance function export `g` not defined in interface",
        ),
        (
            '(type (;3;) u8) (export (;4;) "u" (type (eq 3)))',
            "instance type export `u` not defined in interface",
        ),
    ],
    ids=["function", "type"],
)
def test_world_instance_holds_nothing_its_interface_lacks(
    extra: str, message: str, tmp_path: Path
) -> None:
    # wit-component refuses a package whose world imports one of its interfaces with an
    # instance type holding more than the interface; so does the decoder.
    assert WASM_TOOLS is not None
    (tmp_path / "p.wit").write_text(_LAYOUT_WIT, encoding="utf-8")
    encoded = tmp_path / "p.wasm"
    subprocess.run(
        [WASM_TOOLS, "component", "wit", "--wasm", str(tmp_path / "p.wit"), "-o", str(encoded)],
        check=True,
    )
    wat = subprocess.run(
        [WASM_TOOLS, "print", str(encoded)], check=True, capture_output=True, text=True
    ).stdout
    world_function = wat.rfind('(export (;0;) "f" (func (type 2)))')  # in the world's copy
    changed = tmp_path / "changed.wat"
    changed.write_text(wat[:world_function] + extra + "\n" + wat[world_function:], "utf-8")
    reference = subprocess.run(
        [WASM_TOOLS, "component", "wit", str(changed)], capture_output=True, text=True
    )
    assert message in reference.stderr
    binary = subprocess.run(
        [WASM_TOOLS, "parse", str(changed)], check=True, capture_output=True
    ).stdout
    with pytest.raises(WitError) as refused:
        decode_wasm(binary)
    assert refused.value.diagnostics[0].message.endswith(message)
