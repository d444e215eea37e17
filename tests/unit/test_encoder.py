"""The encoder against the corpus: bytes equal to `wasm-tools component wit --wasm` / `embed`.

Every case of `../shared/corpus/{wit-component,wasi}` that records a `package.wasm` is
encoded from its `resolve.json` (main package = the last one) and compared byte for byte,
with the reference's `producers` section. Embed cases compare each `embed-<world>.wasm`.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

from witgen import __version__
from witgen import model as m
from witgen.outputs.json import from_json
from witgen.wasm import binary as w
from witgen.wasm import encoder

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
MANIFESTS = ("wit-component", "wasi")


@dataclass(frozen=True)
class Case:
    id: str
    resolve_json: Path
    package_wasm: Path
    # world name -> expected `embed --only-custom` output
    embeds: tuple[tuple[str, Path], ...]


def _cases() -> list[Case]:
    out = []
    for corpus in MANIFESTS:
        manifest = SHARED / "corpus" / corpus / "manifest.json"
        if not manifest.is_file():
            continue
        data = json.loads(manifest.read_text(encoding="utf-8"))
        for case in data["cases"]:
            expected = case.get("expected") or {}
            if "wasm" not in expected or "json" not in expected:
                continue
            base = manifest.parent
            embeds = tuple(
                (name, base / info["expected"]) for name, info in (case.get("worlds") or {}).items()
            )
            out.append(Case(case["id"], base / expected["json"], base / expected["wasm"], embeds))
    return out


CASES = _cases()
EMBEDS = [(c, world, path) for c in CASES for world, path in c.embeds]
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} is absent")


def _load(case: Case) -> m.Resolve:
    return from_json(case.resolve_json.read_text(encoding="utf-8"))


def _world(r: m.Resolve, name: str) -> m.WorldId:
    assert r.main is not None
    return dict(r.packages[r.main].worlds)[name]


def _package(case: Case, *, like_reference: bool = True) -> bytes:
    r = _load(case)
    assert r.main is not None
    return encoder.encode_package(r, r.main, producers_like_reference=like_reference)


def test_corpus_present_or_skipped() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent")
    assert len(CASES) >= 60 and len(EMBEDS) >= 35


@needs_shared
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_package_bytes(case: Case) -> None:
    got = _package(case)
    want = case.package_wasm.read_bytes()
    assert got == want, f"{case.id}: {len(got)} bytes vs expected {len(want)}"


@needs_shared
@pytest.mark.parametrize(
    ("case", "world", "path"), EMBEDS, ids=[f"{c.id}:{world}" for c, world, _ in EMBEDS]
)
def test_embed_bytes(case: Case, world: str, path: Path) -> None:
    r = _load(case)
    got = encoder.encode_world(r, _world(r, world), producers_like_reference=True)
    assert got == path.read_bytes()


@needs_shared
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_encoding_twice_is_identical(case: Case) -> None:
    r1, r2 = _load(case), _load(case)
    assert r1.main is not None and r2.main is not None
    assert encoder.encode_package(r1, r1.main) == encoder.encode_package(r2, r2.main)
    for world, _ in case.embeds:
        assert encoder.encode_world(r1, _world(r1, world)) == encoder.encode_world(
            r2, _world(r2, world)
        )


def _strip_producers(data: bytes) -> tuple[bytes, list[bytes]]:
    """The binary without its `producers` section, and the payloads of removed sections."""
    out = bytearray(data[:8])
    removed = []
    for section_id, start, body, end in w.iter_sections(data):
        if section_id == 0:
            section_name, pos = w.read_name(data, body)
            if section_name == "producers":
                removed.append(data[pos:end])
                continue
        out += data[start:end]
    return bytes(out), removed


@needs_shared
@pytest.mark.parametrize("case", CASES[:3] + CASES[-3:], ids=[c.id for c in CASES[:3] + CASES[-3:]])
def test_default_producers_name_witgen(case: Case) -> None:
    ours, ours_producers = _strip_producers(_package(case, like_reference=False))
    ref, _ = _strip_producers(case.package_wasm.read_bytes())
    assert ours == ref
    field = w.name("processed-by") + w.vec([w.name("witgen") + w.name(__version__)])
    assert ours_producers == [w.vec([field])]


@needs_shared
def test_embed_appends_component_type_section() -> None:
    case, world, path = EMBEDS[0]
    r = _load(case)
    module = w.MODULE_PREAMBLE + w.custom_section("x", b"y")
    got = encoder.embed(module, r, _world(r, world), producers_like_reference=True)
    assert got == module + w.custom_section("component-type", path.read_bytes())
    with pytest.raises(ValueError):
        encoder.embed(w.COMPONENT_PREAMBLE, r, _world(r, world))


@needs_shared
def test_string_encoding_byte() -> None:
    case, world, _ = EMBEDS[0]
    r = _load(case)
    for encoding, byte in (("utf8", 0), ("utf16", 1), ("compact-utf16", 2)):
        data = encoder.encode_world(r, _world(r, world), encoding=encoding)  # type: ignore[arg-type]
        section_id, _, body, end = next(iter(w.iter_sections(data)))
        section_name, pos = w.read_name(data, body)
        assert (section_id, section_name, data[pos:end]) == (
            0,
            "wit-component-encoding",
            bytes([4, byte]),
        )


@needs_shared
def test_generate_names_the_output() -> None:
    case, world, path = EMBEDS[0]
    r = _load(case)
    assert r.main is not None
    pkg = r.packages[r.main]
    files = encoder.generate(r)
    assert list(files) == [PurePosixPath(f"{pkg.name.name}.wasm")]
    opts = encoder.EncodeOptions(world=_world(r, world), producers_like_reference=True)
    (data,) = encoder.generate(r, None, opts).values()
    assert data == path.read_bytes()


@needs_shared
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_output_validates(case: Case, wasm_tools: str, tmp_path: Path) -> None:
    out = tmp_path / "out.wasm"
    out.write_bytes(_package(case, like_reference=False))
    paths = [out]
    r = _load(case)
    for world, _ in case.embeds:
        p = tmp_path / f"embed-{world}.wasm"
        p.write_bytes(encoder.encode_world(r, _world(r, world)))
        paths.append(p)
    for p in paths:
        res = subprocess.run([wasm_tools, "validate", str(p)], capture_output=True, text=True)
        assert res.returncode == 0, f"{p.name}: {res.stderr}"
