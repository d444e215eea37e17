"""`witgen encode` and `witgen embed`: bytes, text, errors and atomic output.

The reference is wasm-tools: `component wit --wasm` for packages, `component embed` for
worlds, `print` for `--wat`, `validate` and `component new` for acceptance. Every corpus
case is encoded from its `.wit` sources through `api` (the path the CLI takes), so this
covers the loader and resolver as well as the encoder (tests/test_encoder.py starts from
the corpus JSON instead).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from witgen import __version__, api
from witgen.cli.app import app
from witgen.wasm import binary as w

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} is absent")

PKG = """package demo:app@0.1.0;

interface types {
  record point { x: s32, y: s32 }
  resource counter {
    constructor(start: u32);
    bump: func(by: u32) -> u32;
  }
}

world app {
  import types;
  import log: func(msg: string);
}

world other {
  export types;
}
"""


def _cases() -> list[tuple[str, Path, list[str], dict[str, tuple[str, Path]], Path]]:
    """(id, input, feature args, {world: (full name, expected)}, expected package.wasm)."""
    out = []
    for corpus in ("wit-component", "wasi"):
        manifest = SHARED / "corpus" / corpus / "manifest.json"
        if not manifest.is_file():
            continue
        base = manifest.parent
        for case in json.loads(manifest.read_text(encoding="utf-8"))["cases"]:
            if "wasm" not in case.get("expected", {}):
                continue
            feats = ["--all-features"] if case.get("all_features") else []
            feats += [f"--features={f}" for f in case.get("features", [])]
            worlds = {
                name: (info["world"], base / info["expected"])
                for name, info in (case.get("worlds") or {}).items()
            }
            out.append(
                (case["id"], base / case["input"], feats, worlds, base / case["expected"]["wasm"])
            )
    return out


CASES = _cases()


def _features(args: list[str]) -> api.Features:
    if "--all-features" in args:
        return api.Features(all=True)
    return api.Features.of(a.split("=", 1)[1] for a in args)


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    path = tmp_path / "app.wit"
    path.write_text(PKG, encoding="utf-8")
    return path


def _run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(list(args), capture_output=True)


def _drop_producers(data: bytes) -> bytes:
    out = bytearray(data[:8])
    for section_id, start, body, end in w.iter_sections(data):
        if section_id == 0 and w.read_name(data, body)[0] == "producers":
            continue
        out += data[start:end]
    return bytes(out)


# ---------------------------------------------------------------- encode


@needs_shared
@pytest.mark.parametrize(
    ("case", "path", "feats", "worlds", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_corpus_package_and_worlds(
    case: str, path: Path, feats: list[str], worlds: dict[str, tuple[str, Path]], expected: Path
) -> None:
    got = api.encode(path, features=_features(feats), producers_like_reference=True)
    assert got == expected.read_bytes()
    for full, want in worlds.values():
        data = api.embed(path, world=full, features=_features(feats), producers_like_reference=True)
        assert data == want.read_bytes(), full


def test_encode_matches_wasm_tools(pkg: Path, tmp_path: Path, wasm_tools: str) -> None:
    out, ref = tmp_path / "out.wasm", tmp_path / "ref.wasm"
    result = _invoke("encode", str(pkg), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert _run(wasm_tools, "component", "wit", "--wasm", str(pkg), "-o", str(ref)).returncode == 0
    ours = out.read_bytes()
    assert _drop_producers(ours) == _drop_producers(ref.read_bytes())
    assert w.producers_section([("processed-by", [("witgen", __version__)])]) in ours
    assert _run(wasm_tools, "validate", str(out)).returncode == 0
    # The reference producers make the bytes equal outright, and twice the same.
    for _ in range(2):
        result = _invoke("encode", "--producers-like-reference", str(pkg), "-o", str(out))
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == ref.read_bytes()


def test_encode_features(tmp_path: Path, wasm_tools: str) -> None:
    path = tmp_path / "g.wit"
    path.write_text(
        "package a:b;\ninterface i {\n  @unstable(feature = fancy)\n  f: func();\n}\n",
        encoding="utf-8",
    )
    for args in ([], ["--features", "fancy"], ["--all-features"]):
        out, ref = tmp_path / "o.wasm", tmp_path / "r.wasm"
        result = _invoke("encode", "--producers-like-reference", *args, str(path), "-o", str(out))
        assert result.exit_code == 0, result.output
        _run(wasm_tools, "component", "wit", "--wasm", *args, str(path), "-o", str(ref))
        assert out.read_bytes() == ref.read_bytes(), args


def test_encode_wat_equals_wasm_tools_print(pkg: Path, tmp_path: Path, wasm_tools: str) -> None:
    out = tmp_path / "out.wasm"
    assert _invoke("encode", str(pkg), "-o", str(out)).exit_code == 0
    result = _invoke("encode", "--wat", str(pkg), "-o", "-")
    assert result.exit_code == 0, result.output
    want = _run(wasm_tools, "print", str(out)).stdout.decode()
    assert result.stdout == want


@needs_shared
@pytest.mark.parametrize(
    "path",
    sorted((SHARED / "corpus").glob("**/expected/**/*.wasm")) if SHARED.is_dir() else [],
    ids=lambda p: str(p.relative_to(SHARED / "corpus")),
)
def test_wat_of_corpus_binaries(path: Path, wasm_tools: str) -> None:
    from witgen.wasm import wat

    data = path.read_bytes()
    text = api.to_wat(data)
    assert text == _run(wasm_tools, "print", str(path)).stdout.decode()
    # ... and the text assembles back to the same bytes.
    assert wat.parse(text) == data


def test_encode_stdout_and_errors(pkg: Path, tmp_path: Path) -> None:
    result = _invoke("encode", str(pkg), "-o", "-")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(w.COMPONENT_PREAMBLE)
    missing = _invoke("encode", str(tmp_path / "nope.wit"), "-o", str(tmp_path / "x.wasm"))
    assert missing.exit_code == 1
    assert "failed to read path" in missing.stderr
    assert "Traceback" not in missing.output
    assert not (tmp_path / "x.wasm").exists()
    usage = _invoke("encode", str(pkg))
    assert usage.exit_code == 2
    assert "--output" in usage.stderr


def test_failed_encode_leaves_existing_output_alone(pkg: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.wasm"
    out.write_bytes(b"old")
    bad = tmp_path / "bad.wit"
    bad.write_text("package a:b;\ninterface i { type x = strng; }\n", encoding="utf-8")
    result = _invoke("encode", str(bad), "-o", str(out))
    assert result.exit_code == 1
    assert "type `strng` does not exist" in result.stderr
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.wit", "bad.wit", "out.wasm"]


def test_unwritable_output_is_an_error(pkg: Path, tmp_path: Path) -> None:
    result = _invoke("encode", str(pkg), "-o", str(tmp_path / "no" / "such" / "dir.wasm"))
    assert result.exit_code == 1
    assert "failed to write" in result.stderr
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- embed


def test_embed_only_custom_matches_wasm_tools(pkg: Path, tmp_path: Path, wasm_tools: str) -> None:
    for world in ("app", "demo:app/other@0.1.0"):
        out, ref = tmp_path / "out.wasm", tmp_path / "ref.wasm"
        args = ["--only-custom", "--world", world, str(pkg)]
        result = _invoke("embed", "--producers-like-reference", *args, "-o", str(out))
        assert result.exit_code == 0, result.output
        assert _run(wasm_tools, "component", "embed", *args, "-o", str(ref)).returncode == 0
        assert out.read_bytes() == ref.read_bytes(), world
        assert _run(wasm_tools, "validate", str(out)).returncode == 0


def test_embed_encoding(pkg: Path, tmp_path: Path, wasm_tools: str) -> None:
    for encoding in ("utf8", "utf16", "compact-utf16"):
        out, ref = tmp_path / "out.wasm", tmp_path / "ref.wasm"
        args = ["--only-custom", "--world", "app", "--encoding", encoding, str(pkg)]
        assert _invoke("embed", "--producers-like-reference", *args, "-o", str(out)).exit_code == 0
        _run(wasm_tools, "component", "embed", *args, "-o", str(ref))
        assert out.read_bytes() == ref.read_bytes(), encoding


def test_embed_into_module_is_accepted_by_component_new(
    pkg: Path, tmp_path: Path, wasm_tools: str
) -> None:
    module = tmp_path / "m.wasm"
    module.write_bytes(w.MODULE_PREAMBLE)
    out = tmp_path / "out.wasm"
    result = _invoke("embed", "--world", "app", str(pkg), str(module), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert module.read_bytes() == w.MODULE_PREAMBLE  # the input is never modified
    custom = api.embed(pkg, world="app")
    assert out.read_bytes() == w.MODULE_PREAMBLE + w.custom_section("component-type", custom)
    comp = tmp_path / "comp.wasm"
    res = _run(wasm_tools, "component", "new", str(out), "-o", str(comp))
    assert res.returncode == 0, res.stderr.decode()
    assert _run(wasm_tools, "validate", str(comp)).returncode == 0
    # wasm-tools reads the world back from the module (the component drops unused imports).
    printed = _run(wasm_tools, "component", "wit", str(out)).stdout.decode()
    assert "import demo:app/types@0.1.0;" in printed
    assert "import log: func(msg: string);" in printed


@needs_shared
def test_embed_into_dummy_module_with_exports(tmp_path: Path, wasm_tools: str) -> None:
    """A module exporting what the world exports (wasm-tools' dummy, its section removed)."""
    wit = SHARED / "corpus" / "wasi" / "0.2.0" / "http"
    dummy = tmp_path / "dummy.wasm"
    world = "wasi:http/proxy@0.2.0"
    res = _run(
        wasm_tools, "component", "embed", "--dummy", "--world", world, str(wit), "-o", str(dummy)
    )
    assert res.returncode == 0
    data = dummy.read_bytes()
    bare = bytearray(data[:8])
    for section_id, start, body, end in w.iter_sections(data):
        if section_id == 0 and w.read_name(data, body)[0].startswith("component-type"):
            continue
        bare += data[start:end]
    module = tmp_path / "bare.wasm"
    module.write_bytes(bytes(bare))
    out, comp = tmp_path / "out.wasm", tmp_path / "comp.wasm"
    assert _invoke("embed", "--world", world, str(wit), str(module), "-o", str(out)).exit_code == 0
    res = _run(wasm_tools, "component", "new", str(out), "-o", str(comp))
    assert res.returncode == 0, res.stderr.decode()
    assert _run(wasm_tools, "validate", str(comp)).returncode == 0


def test_embed_errors(pkg: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.wasm"
    both = _invoke("embed", "--only-custom", "--world", "app", str(pkg), str(pkg), "-o", str(out))
    assert both.exit_code == 2
    neither = _invoke("embed", "--world", "app", str(pkg), "-o", str(out))
    assert neither.exit_code == 2
    unknown = _invoke("embed", "--only-custom", "--world", "nope", str(pkg), "-o", str(out))
    assert unknown.exit_code == 1
    assert "world `nope` not found in package `demo:app@0.1.0`" in unknown.stderr
    several = _invoke("embed", "--only-custom", str(pkg), "-o", str(out))
    assert several.exit_code == 1
    assert "multiple worlds" in several.stderr
    not_module = tmp_path / "c.wasm"
    not_module.write_bytes(w.COMPONENT_PREAMBLE)
    bad = _invoke("embed", "--world", "app", str(pkg), str(not_module), "-o", str(out))
    assert bad.exit_code == 1
    assert "not a core WebAssembly module" in bad.stderr
    for r in (both, neither, unknown, several, bad):
        assert "Traceback" not in r.output
    assert not out.exists()


# Packages WIT accepts but a component binary cannot hold: wasm-tools encodes them, then its
# validator rejects the result. witgen reports the same problem and writes nothing.
UNENCODABLE = {
    "interfaces-differ-in-case": (
        {"a.wit": "package x:y;\ninterface foo { f: func(); }\ninterface FOO { g: func(); }\n"},
        "export name `FOO` conflicts with previous name `foo`",
        "a.wit:3:11",
    ),
    "world-and-interface-differ-in-case": (
        {"a.wit": "package x:y;\ninterface FOO2 {}\nworld foo2 {}\n"},
        "export name `foo2` conflicts with previous name `FOO2`",
        "a.wit:3:7",
    ),
    "imports-from-a-dependency-differ-in-case": (
        {
            "m.wit": "package x:y;\nworld w { import x:d/j; import x:d/J; }\n",
            "deps/d.wit": "package x:d;\ninterface j { f: func(); }\ninterface J { g: func(); }\n",
        },
        "import name `x:d/J` conflicts with previous name `x:d/j`",
        "d.wit:3:11",
    ),
    "upper-case-namespace": (
        {"a.wit": "package X:y;\ninterface foo { f: func(); }\n"},
        "`X:y/foo` is not a valid extern name: character `X` is not lowercase",
        "a.wit:2:11",
    ),
}


@pytest.mark.parametrize("case", sorted(UNENCODABLE))
def test_unencodable_names_are_rejected_like_wasm_tools(
    case: str, tmp_path: Path, wasm_tools: str
) -> None:
    files, message, where = UNENCODABLE[case]
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    root = tmp_path / "a.wit" if "a.wit" in files else tmp_path
    assert _run(wasm_tools, "component", "wit", str(root)).returncode == 0  # valid WIT
    ref = _run(wasm_tools, "component", "wit", "--wasm", str(root), "-o", str(tmp_path / "r"))
    assert ref.returncode != 0 and message.split(":")[0] in ref.stderr.decode()
    out = tmp_path / "out.wasm"
    result = _invoke("encode", str(root), "-o", str(out))
    assert result.exit_code == 1
    assert "error[WIT314]" in result.stderr and message in result.stderr
    assert where in result.stderr
    assert not out.exists()


def test_decoder_rejects_names_differing_in_case(tmp_path: Path, wasm_tools: str) -> None:
    """Reading a binary applies the same rules as wasm-tools' validator, at its offsets."""
    cases = [
        '(component (import "a:b/c@1.0.0" (instance)) (import "a:b/C@1.0.0" (instance)))',
        '(component (import "X:b/c" (instance)))',
        '(component (type (instance (export "a" (func)) (export "A" (func)))))',
        '(component (type (component (import "a" (func)) (import "A" (func)))))',
    ]
    accepted = [
        '(component (import "a:b/c@1.0.0" (instance)) (import "a:b/c@1.0.1" (instance)))',
        '(component (import "x:b/c@1.0.0-a" (instance)) (import "x:b/c@1.0.0-A" (instance)))',
        '(component (type (component (import "a" (func)) (export "A" (func)))))',
        '(component (import "x:b/C" (instance)))',
    ]
    for i, wat in enumerate(cases + accepted):
        src, binary = tmp_path / f"{i}.wat", tmp_path / f"{i}.wasm"
        src.write_text(wat, encoding="utf-8")
        assert _run(wasm_tools, "parse", str(src), "-o", str(binary)).returncode == 0
        ref = _run(wasm_tools, "validate", str(binary))
        ours = _invoke("resolve", "--json", str(binary))
        if wat in accepted:
            assert ref.returncode == 0 and ours.exit_code == 0, (wat, ours.stderr)
            continue
        assert ref.returncode != 0 and ours.exit_code == 1, wat
        # wasm-tools: "error: <message>\n<detail> (at offset 0xN)"; witgen: one line, and
        # for an invalid name without the "import name" before it.
        head, _, offset = ref.stderr.decode().removeprefix("error: ").partition(" (at offset ")
        lines = head.splitlines()
        message = lines[0] if "conflicts" in lines[0] else lines[0].split(" name ", 1)[1]
        detail = lines[1] if len(lines) > 1 else ""
        assert f"({offset.split(')')[0]}): {message}" in ours.stderr
        assert detail in ours.stderr
