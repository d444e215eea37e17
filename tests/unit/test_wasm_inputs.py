"""`.wasm` inputs: every command that takes a WIT path also takes a binary.

Three kinds of binary, each checked against `wasm-tools component wit` (text and JSON):
WIT packages and `component-type` payloads (every corpus `package*.wasm` and `embed-*.wasm`),
components (wit-component's output: `component embed --dummy` then `component new`, and a
real componentize-py guest), and core modules carrying `component-type` sections (one or
two). Then `deps/` holding `.wasm`/`.wat` packages, and malformed input: only `WitError`,
naming the byte offset.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from witgen import api
from witgen.cli.app import app
from witgen.outputs import printer
from witgen.outputs.json import to_data
from witgen.text.diagnostics import WitError
from witgen.text.source import Span
from witgen.wasm import binary as w
from witgen.wasm import encoder, wat
from witgen.wasm.decoder import decode_wasm

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
WASM_TOOLS = shutil.which("wasm-tools")
BINARIES = sorted(CORPUS.glob("**/expected/**/*.wasm")) if SHARED.is_dir() else []
needs_shared = pytest.mark.skipif(not BINARIES, reason=f"{SHARED} is absent")
needs_wasm_tools = pytest.mark.skipif(WASM_TOOLS is None, reason="wasm-tools is not on PATH")

# Worlds built into components and modules: resources, async, inline interfaces, world
# functions and types, `use` across packages.
WORLDS = [
    ("wasi/0.2.0/http", "wasi:http/proxy@0.2.0"),
    ("wasi/0.2.0/cli", "wasi:cli/command@0.2.0"),
    ("wasi/0.3.0/http", "wasi:http/service@0.3.0"),
    ("encode/worlds-with-types", None),
    ("encode/import-and-export", None),
    ("encode/world-top-level", None),
]


def _wasm_tools(*args: str) -> bytes:
    assert WASM_TOOLS is not None
    res = subprocess.run([WASM_TOOLS, *args], capture_output=True)
    assert res.returncode == 0, res.stderr.decode(errors="replace")
    return res.stdout


def _assert_like_wasm_tools(path: Path) -> None:
    """witgen's print and JSON of `path` equal wasm-tools' (through `api`, as the CLI does),
    `clone_of` of the inline interfaces copied when a core module's sections merge included."""
    loaded = api.load(path)
    text = _wasm_tools("component", "wit", str(path)).decode()
    assert printer.print_resolve(loaded.resolve) == text
    want = json.loads(_wasm_tools("component", "wit", "--json", str(path)))
    assert to_data(loaded.resolve) == want


# ---------------------------------------------------------------- packages


@needs_shared
@needs_wasm_tools
@pytest.mark.parametrize("path", BINARIES, ids=[str(p.relative_to(CORPUS)) for p in BINARIES])
def test_corpus_binaries_print_like_wasm_tools(path: Path) -> None:
    _assert_like_wasm_tools(path)
    decoded = decode_wasm(path.read_bytes())
    assert decoded.kind == "package"
    r = decoded.resolve
    spans = [t.span for t in r.types] + [i.span for i in r.interfaces] + [x.span for x in r.worlds]
    assert all(s == Span.UNKNOWN for s in spans)


@needs_shared
def test_cli_print_and_resolve_take_wasm() -> None:
    path = CORPUS / "wasi" / "0.2.0" / "expected" / "io" / "package.wasm"
    runner = CliRunner()
    printed = runner.invoke(app, ["print", str(path)], catch_exceptions=False)
    assert printed.exit_code == 0, printed.output
    assert printed.stdout.startswith("package wasi:io@0.2.0;\n")
    resolved = runner.invoke(app, ["resolve", "--json", str(path)], catch_exceptions=False)
    assert resolved.exit_code == 0, resolved.output
    assert json.loads(resolved.stdout)["packages"][0]["name"] == "wasi:io@0.2.0"
    checked = runner.invoke(app, ["check", str(path)], catch_exceptions=False)
    assert checked.exit_code == 0, checked.output


@needs_shared
@needs_wasm_tools
def test_encode_and_embed_take_wasm() -> None:
    """Encoding a decoded package gives what wasm-tools gives for the same file."""
    path = CORPUS / "wasi" / "0.2.0" / "expected" / "http" / "package.wasm"
    want = _wasm_tools("component", "wit", "--wasm", str(path), "-o", "/dev/stdout")
    assert api.encode(path, producers_like_reference=True) == want
    embed = CORPUS / "wasi" / "0.2.0" / "expected" / "http" / "embed-proxy.wasm"
    assert api.embed(embed, producers_like_reference=True) == embed.read_bytes()


# ---------------------------------------------------------------- components and modules


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path, Path]]:
    """(id, core module with its component-type section, component) per world of WORLDS."""
    if WASM_TOOLS is None or not SHARED.is_dir():
        pytest.skip("needs wasm-tools and ../shared")
    out = []
    tmp = tmp_path_factory.mktemp("built")
    manifests = {
        c: json.loads((CORPUS / c / "manifest.json").read_text()) for c in ("wasi", "wit-component")
    }
    for case_id, world in WORLDS:
        corpus = "wasi" if case_id.startswith("wasi/") else "wit-component"
        case = next(c for c in manifests[corpus]["cases"] if c["id"] == case_id)
        src = CORPUS / corpus / case["input"]
        name = case_id.replace("/", "_")
        core, comp = tmp / f"{name}.core.wasm", tmp / f"{name}.wasm"
        if world is None:  # the first world of the package
            r = api.load(src).resolve
            assert r.main is not None
            pkg = r.packages[r.main]
            version = f"@{pkg.name.version}" if pkg.name.version else ""
            world = f"{pkg.name.unversioned}/{pkg.worlds[0][0]}{version}"
        args = ["--world", world]
        _wasm_tools("component", "embed", "--dummy", *args, str(src), "-o", str(core))
        _wasm_tools("component", "new", str(core), "-o", str(comp))
        out.append((case_id, core, comp))
    return out


@needs_wasm_tools
def test_components_and_modules_like_wasm_tools(built: list[tuple[str, Path, Path]]) -> None:
    for _case, core, comp in built:
        _assert_like_wasm_tools(comp)
        _assert_like_wasm_tools(core)
        assert decode_wasm(comp.read_bytes()).kind == "component"
        assert decode_wasm(core.read_bytes()).kind == "module"


@needs_shared
@needs_wasm_tools
def test_module_with_two_component_type_sections(tmp_path: Path) -> None:
    """Each section's world is merged into one `root` world, shared packages once."""
    wasi = CORPUS / "wasi" / "0.2.0"
    module = tmp_path / "m.wasm"
    module.write_bytes(w.MODULE_PREAMBLE)
    once, twice = tmp_path / "once.wasm", tmp_path / "twice.wasm"
    _wasm_tools(
        "component",
        "embed",
        "--world",
        "wasi:cli/imports@0.2.0",
        str(wasi / "cli"),
        str(module),
        "-o",
        str(once),
    )
    _wasm_tools(
        "component",
        "embed",
        "--world",
        "wasi:http/proxy@0.2.0",
        str(wasi / "http"),
        str(once),
        "-o",
        str(twice),
    )
    _assert_like_wasm_tools(twice)


@needs_wasm_tools
def test_module_without_component_type_is_an_error(tmp_path: Path) -> None:
    module = tmp_path / "m.wasm"
    module.write_bytes(w.MODULE_PREAMBLE)
    result = CliRunner().invoke(app, ["print", str(module)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "no `component-type*` custom sections" in result.stderr
    assert "Traceback" not in result.output


GUEST_WIT = """package demo:guest@0.1.0;

interface types {
  record point { x: s32, y: s32 }
  variant shape { circle(u32), square(point), none }
  resource counter {
    constructor(start: u32);
    bump: func(by: u32) -> u32;
  }
  enum color { red, green }
}

interface tools {
  use types.{color, point};
  pick: func(c: color, p: point) -> list<u8>;
}

world guest {
  import types;
  use types.{point};
  import log: func(msg: string);
  export run: func(p: point) -> string;
  export tools;
}
"""

GUEST_APP = """from wit_world import exports
import wit_world


class WitWorld(wit_world.WitWorld):
    def run(self, p) -> str:
        return f"{p.x},{p.y}"


class Tools(exports.Tools):
    def pick(self, c, p) -> bytes:
        return bytes([p.x & 255])
"""


def _cache_dir() -> Path:
    if env := os.environ.get("WITGEN_TEST_CACHE"):
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "witgen-tests"


@pytest.fixture(scope="session")
def guest_component(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A componentize-py component of GUEST_WIT, cached on disk by content and version."""
    exe = shutil.which("componentize-py")
    if exe is None:
        pytest.skip("componentize-py is not installed")
    version = importlib.metadata.version("componentize-py")
    key = hashlib.sha256(f"{version}\0{GUEST_WIT}\0{GUEST_APP}".encode()).hexdigest()[:24]
    out = _cache_dir() / f"wasm-inputs-guest-{key}.wasm"
    if out.exists():
        return out
    work = tmp_path_factory.mktemp("guest")
    (work / "wit").mkdir()
    (work / "wit" / "guest.wit").write_text(GUEST_WIT, encoding="utf-8")
    (work / "app.py").write_text(GUEST_APP, encoding="utf-8")
    tmp = work / "guest.wasm"
    cmd = [exe, "-q", "-d", "wit", "-w", "guest", "componentize", "app", "-o", str(tmp)]
    done = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp, work / "staged.wasm")
    os.replace(work / "staged.wasm", out)
    return out


@pytest.mark.slow
@needs_wasm_tools
def test_componentize_py_component(guest_component: Path) -> None:
    _assert_like_wasm_tools(guest_component)
    text = api.print_wit(guest_component) if hasattr(api, "print_wit") else ""
    assert "package root:component;" in text
    assert "export demo:guest/tools@0.1.0;" in text
    assert "export run: func(p: point) -> string;" in text


VERSION_SUFFIX = """(component
  (type (;0;)
    (component
      (type (;0;)
        (component
          (type (;0;) (instance))
          (import "x2" (implements "x:name/name@8") (version-suffix ".0.9")
            (instance (;0;) (type 0)))
        )
      )
      (export (;0;) "a:b/w" (component (type 0)))
    )
  )
  (export (;1;) "w" (type 0))
)
"""


@needs_wasm_tools
def test_version_suffix_completes_the_implemented_interface(tmp_path: Path) -> None:
    """`(version-suffix ".0.9")` on a plain name completes its `implements` (wit-smith seed 819)."""
    path = tmp_path / "vs.wasm"
    path.write_bytes(wat.parse(VERSION_SUFFIX))
    _wasm_tools("validate", "--features", "all", str(path))
    _assert_like_wasm_tools(path)
    assert "import x2: x:name/name@8.0.9;" in api.print_wit(path)
    assert api.to_wat(path.read_bytes()) == _wasm_tools("print", str(path)).decode()


# ---------------------------------------------------------------- deps/ with binaries


@needs_shared
def test_kinds_of_deps_resolves_like_its_json() -> None:
    case = CORPUS / "wit-parser" / "tests" / "ui"
    loaded = api.load(case / "kinds-of-deps", features=api.Features.of(["active"]), use_cache=False)
    assert to_data(loaded.resolve) == json.loads((case / "kinds-of-deps.wit.json").read_text())


DEP = """package dep:lib@1.0.0;

interface types {
  resource blob { size: func() -> u64; }
  type bytes = list<u8>;
}

interface store {
  use types.{blob, bytes};
  put: func(b: bytes) -> blob;
}
"""

ROOT = """package demo:root;

interface api {
  use dep:lib/store@1.0.0.{blob};
  use dep:lib/types@1.0.0.{bytes};
  get: func(b: borrow<blob>) -> bytes;
}

world w {
  import dep:lib/store@1.0.0;
  export api;
}
"""


@needs_wasm_tools
@pytest.mark.parametrize("form", ["wasm", "wat", "wit"])
def test_binary_dependency_resolves_like_wasm_tools(tmp_path: Path, form: str) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "deps").mkdir(parents=True)
    (pkg / "root.wit").write_text(ROOT, encoding="utf-8")
    source = tmp_path / "dep.wit"
    source.write_text(DEP, encoding="utf-8")
    data = api.encode(source)
    if form == "wasm":
        (pkg / "deps" / "lib.wasm").write_bytes(data)
    elif form == "wat":
        (pkg / "deps" / "lib.wat").write_text(api.to_wat(data), encoding="utf-8")
    else:
        (pkg / "deps" / "lib.wit").write_text(DEP, encoding="utf-8")
    loaded = api.load(pkg, use_cache=False)
    assert to_data(loaded.resolve) == json.loads(
        _wasm_tools("component", "wit", "--json", str(pkg))
    )
    assert (
        printer.print_resolve(loaded.resolve) == _wasm_tools("component", "wit", str(pkg)).decode()
    )
    assert api.encode(pkg, producers_like_reference=True) == _wasm_tools(
        "component", "wit", "--wasm", str(pkg), "-o", "/dev/stdout"
    )


def test_component_as_dependency_is_an_error(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "deps").mkdir(parents=True)
    (pkg / "root.wit").write_text("package a:b;\n", encoding="utf-8")
    (pkg / "deps" / "c.wasm").write_bytes(w.COMPONENT_PREAMBLE)
    with pytest.raises(WitError) as info:
        api.load(pkg, use_cache=False)
    # wasm-tools' words, and the file named in a note.
    diag = info.value.diagnostics[0]
    assert diag.message == "found an actual component instead of an encoded WIT package in wasm"
    assert [note.message for note in diag.notes] == [f"in {pkg / 'deps' / 'c.wasm'}"]


def test_wat_parse_errors_name_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(WitError) as info:
        wat.parse('(component\n  (type (record (field "x" nope)))\n)', "x.wat")
    (diag,) = info.value.diagnostics
    assert diag.code == "WIT109"
    assert diag.message.startswith("failed to parse x.wat:2:")
    assert "unknown type" in diag.message or "index" in diag.message


# ---------------------------------------------------------------- malformed input

_HEAD = w.COMPONENT_PREAMBLE


@pytest.mark.parametrize(
    ("data", "offset", "words"),
    [
        (b"\x00as", 0, "bad magic"),
        (_HEAD + b"\x07\x05\x01\x41", 8, "past the end"),
        (_HEAD + b"\x07\x80\x80\x80\x80\x80\x01", 9, "too long"),
        (_HEAD + b"\x07\xff\xff\xff\xff\x7f", 9, "too large"),
        (_HEAD + b"\x0d\x00", 8, "unknown section id 13"),
        (_HEAD + b"\x07\x03\x01\x70\x05", 12, "type index 5 out of bounds"),
        (_HEAD + b"\x0b\x07\x01\x00\x01x\x03\x09\x00", 14, "type index 9 out of bounds"),
        (_HEAD + b"\x07\x02\x01\x41", 12, "end of data"),
        (w.MODULE_PREAMBLE + b"\x00\x20\x0ecomponent-type\x00", 8, "past the end"),
    ],
    ids=[
        "truncated-magic",
        "section-past-end",
        "leb-too-long",
        "leb-overflow",
        "unknown-section",
        "type-index",
        "export-index",
        "truncated-type",
        "module-section",
    ],
)
def test_malformed_inputs_name_the_offset(data: bytes, offset: int, words: str) -> None:
    with pytest.raises(WitError) as info:
        decode_wasm(data, path="x.wasm")
    (diag,) = info.value.diagnostics
    assert diag.code == "WIT108"
    assert (
        f"failed to decode x.wasm: invalid WebAssembly binary at offset {offset} " in diag.message
    )
    assert words in diag.message


def test_malformed_file_through_the_cli(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(_HEAD + b"\x07\xff\xff\xff\xff\x7f")
    result = CliRunner().invoke(
        app, ["encode", str(bad), "-o", str(tmp_path / "o.wasm")], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "at offset 9" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.wasm").exists()


@needs_shared
@given(
    index=st.integers(min_value=0, max_value=max(len(BINARIES) - 1, 0)),
    edits=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1),
            st.sampled_from(["set", "delete", "truncate", "insert", "leb"]),
            st.binary(min_size=1, max_size=4),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_mutations_give_only_wit_error(index: int, edits: list[tuple[float, str, bytes]]) -> None:
    """Whatever decodes also prints and encodes; whatever does not is a `WitError`."""
    data = bytearray(BINARIES[index].read_bytes())
    for position, op, payload in edits:
        i = min(int(position * len(data)), max(len(data) - 1, 0))
        if op == "set" and data:
            data[i] = payload[0]
        elif op == "delete":
            del data[i : i + len(payload)]
        elif op == "truncate":
            del data[i:]
        elif op == "insert":
            data[i:i] = payload
        else:
            data[i : i + 1] = b"\xff" * (4 + len(payload)) + b"\x0f"
    try:
        decoded = decode_wasm(bytes(data))
    except WitError as e:
        assert "at offset" in e.diagnostics[0].message
        return
    printer.print_resolve(decoded.resolve)
    if decoded.resolve.main is not None:
        encoder.encode_package(decoded.resolve, decoded.resolve.main)
