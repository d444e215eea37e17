"""Differential test of the encoder on `wasm-tools wit-smith` packages (fixed seeds).

For each seed, wit-smith generates a WIT package set as a binary; wasm-tools decodes it
to JSON (our input, through `from_json`) and re-encodes it (`component wit --wasm`, the
canonical bytes for that resolve), and embeds each world of the main package. Our bytes
must equal both. The model must carry everything in that JSON (checked through `to_data`);
should a future wasm-tools add something it cannot, the package is printed as WIT with
`@external-id`s removed and the reference outputs are taken from that text instead.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from witgen.outputs.json import from_json, to_data
from witgen.wasm import encoder

WASM_TOOLS = shutil.which("wasm-tools")
pytestmark = pytest.mark.skipif(WASM_TOOLS is None, reason="wasm-tools is not on PATH")

FEATURES = [
    "--async",
    "--futures",
    "--streams",
    "--error-context",
    "--fixed-length-lists",
    "--world-include",
    "--implements",
]
# (seed, seed length, flags): packages picked for variety (resources, handles, async,
# futures, streams, fixed-length lists, flags, variants, several worlds and interfaces).
SEEDS = [
    (s, n, FEATURES)
    for s, n in ((11, 500), (2, 1000), (21, 3000), (25, 20000), (28, 1000), (29, 1000))
]
SEEDS += [(s, n, ["--arbitrary-config"]) for s, n in ((6, 3000), (7, 8000))]
EXTERNAL_ID = re.compile(r'@external-id\("(?:[^"\\]|\\.)*"\)\s*')


def _run(*args: str) -> subprocess.CompletedProcess[bytes]:
    assert WASM_TOOLS is not None
    res = subprocess.run([WASM_TOOLS, *args], capture_output=True)
    assert res.returncode == 0, res.stderr.decode(errors="replace")
    return res


def _sorted(value: object) -> object:
    """JSON with object keys sorted, so key order does not matter when comparing."""
    return json.loads(json.dumps(value, sort_keys=True))


@pytest.mark.parametrize(("seed", "size", "flags"), SEEDS, ids=[f"seed{s}" for s, _, _ in SEEDS])
def test_smith_package_and_embed(seed: int, size: int, flags: list[str], tmp_path: Path) -> None:
    rnd = random.Random(seed)
    seed_file = tmp_path / "seed.bin"
    seed_file.write_bytes(bytes(rnd.getrandbits(8) for _ in range(size)))
    source = tmp_path / "p.wasm"
    _run("wit-smith", *flags, str(seed_file), "-o", str(source))
    text = _run("component", "wit", "--json", str(source)).stdout.decode()
    data = json.loads(text)
    if _sorted(to_data(from_json(text))) != _sorted(data):
        printed = _run("component", "wit", str(source)).stdout.decode()
        wit = tmp_path / "p.wit"
        wit.write_text(EXTERNAL_ID.sub("", printed), encoding="utf-8")
        source = wit
        text = _run("component", "wit", "--json", "--all-features", str(source)).stdout.decode()
    r = from_json(text)
    assert r.main is not None
    want = _run("component", "wit", "--wasm", "--all-features", str(source), "-o", "/dev/stdout")
    got = encoder.encode_package(r, r.main, producers_like_reference=True)
    assert got == want.stdout
    out = tmp_path / "out.wasm"
    out.write_bytes(encoder.encode_package(r, r.main))
    _run("validate", "--features", "all", str(out))
    pkg = r.packages[r.main]
    version = f"@{pkg.name.version}" if pkg.name.version else ""
    for name, wid in pkg.worlds:
        world = f"{pkg.name.unversioned}/{name}{version}"
        args = ["--only-custom", "--all-features", "--world", world, str(source)]
        want = _run("component", "embed", *args, "-o", "/dev/stdout")
        assert encoder.encode_world(r, wid, producers_like_reference=True) == want.stdout, name
