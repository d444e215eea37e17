"""Host bindings of a built component are those of the WIT world it was built from.

A component's world is decoded as `root` (package `root:component`) and holds more than the
guest's world: componentize-py exports its own `exports` interface (`init`, called once at
build time) and imports all of WASI for its runtime. These tests check that `witgen bindgen
--host X.wasm --world-name W` leaves those out and names every module and class as the WIT
world `W` does: with the real componentize-py guest of tests/e2e (`notes`), and with small
components that wasm-tools builds from a world that adds what componentize-py adds.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from witgen import api
from witgen.cli.app import app
from witgen.codegen.python.host import generator as python_host

TESTS = Path(__file__).resolve().parents[1]
E2E = TESTS / "e2e"
runner = CliRunner()


def _bindgen(path: Path, out: Path, *extra: str) -> Path:
    """`witgen bindgen --lang python --host PATH -o OUT EXTRA...`; the package written."""
    args = ["bindgen", "--lang", "python", "--host", str(path), "-o", str(out), *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return Path(result.stdout.strip())


def _modules(package: Path) -> list[str]:
    return sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py"))


def _api(source: str) -> dict[str, object]:
    """What a module offers a host: its `__all__`, and each public class and function with
    the public names it defines (methods, fields, properties, members, in sorted order)."""
    out: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            members: set[str] = set()
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    members.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    members.add(item.target.id)
                elif isinstance(item, ast.Assign):
                    members.update(t.id for t in item.targets if isinstance(t, ast.Name))
            out[node.name] = sorted(m for m in members if not m.startswith("_") or m == "__all__")
        elif isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            out[node.name] = "def"
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and not target.id.startswith("_"):
                    out[target.id] = "="
                elif isinstance(target, ast.Name) and target.id == "__all__":
                    assert node.value is not None
                    out["__all__"] = ast.literal_eval(node.value)
    return out


def _same_api(from_wasm: Path, from_wit: Path) -> None:
    assert from_wasm.name == from_wit.name
    assert _modules(from_wasm) == _modules(from_wit)
    for rel in _modules(from_wit):
        wasm_api = _api((from_wasm / rel).read_text(encoding="utf-8"))
        wit_api = _api((from_wit / rel).read_text(encoding="utf-8"))
        assert wasm_api == wit_api, rel


# ---------------------------------------------------------------- the real componentize-py guest


@pytest.fixture(scope="module")
def e2e_guests() -> ModuleType:
    """tests/e2e's guest builder (the `.wasm` is cached on disk and shared with the e2e run)."""
    sys.path.insert(0, str(E2E))
    try:
        return importlib.import_module("e2e_guests")
    finally:
        sys.path.remove(str(E2E))


@pytest.fixture(scope="module")
def notes_wasm(e2e_guests: ModuleType) -> Path:
    exe = e2e_guests.componentize_py()
    if exe is None:
        pytest.skip("componentize-py is not installed")
    path: Path = e2e_guests.build_guest(e2e_guests.NOTES, exe)
    return path


def test_decoded_component_holds_more_than_its_world(notes_wasm: Path) -> None:
    """What made the names differ: the decoded world is `root`, imports all of WASI
    (`wasi:filesystem/types` would take `types` from a world's own `types` interface) and
    exports componentize-py's `exports` interface."""
    r = api.load(notes_wasm).resolve
    world = r.worlds[api.select_world(r, None, notes_wasm)]
    imports = [r.world_key_name(k) for k, _ in world.imports]
    exports = [r.world_key_name(k) for k, _ in world.exports]
    assert world.name == "root"
    assert "wasi:filesystem/types@0.2.9" in imports and "demo:notes/fs@0.1.0" in imports
    assert exports == ["exports", "version", "demo:notes/editor@0.1.0"]


def test_componentize_py_component_binds_like_its_wit(notes_wasm: Path, tmp_path: Path) -> None:
    """Same module files, same classes and members, from the `.wasm` as from its WIT."""
    wit = E2E / "guests" / "notes" / "wit"
    from_wit = _bindgen(wit, tmp_path / "wit", "--world", "notes")
    from_wasm = _bindgen(notes_wasm, tmp_path / "wasm", "--world-name", "notes")
    assert _modules(from_wasm) == [
        "__init__.py", "_rt.py", "exports/__init__.py", "exports/editor.py",
        "imports/__init__.py", "imports/fs.py",
    ]  # fmt: skip
    _same_api(from_wasm, from_wit)
    top = _api((from_wasm / "__init__.py").read_text(encoding="utf-8"))
    assert {"Notes", "NotesImports"} <= set(top)
    assert "exports" not in top["Notes"]  # type: ignore[operator]


def test_componentize_py_component_without_world_name(notes_wasm: Path, tmp_path: Path) -> None:
    """Without `--world-name` the world keeps its decoded name `root`; `--package` names
    only the package."""
    root = _bindgen(notes_wasm, tmp_path, "--package", "pkg")
    assert root.name == "pkg"
    top = _api((root / "__init__.py").read_text(encoding="utf-8"))
    assert {"Root", "RootImports"} <= set(top) and "Notes" not in top
    assert "imports/fs.py" in _modules(root) and "exports/exports.py" not in _modules(root)


def test_host_switches_to_the_component_bindings_unchanged(
    notes_wasm: Path, tmp_path: Path
) -> None:
    """tests/e2e's `notes_demo` host, written against the WIT bindings, runs unchanged on
    the bindings generated from the component (each in its own interpreter)."""
    pytest.importorskip("wasmtime")
    wit = E2E / "guests" / "notes" / "wit"
    outputs = []
    for out, args in (
        (tmp_path / "wit", (wit, "--world", "notes")),
        (tmp_path / "wasm", (notes_wasm, "--world-name", "notes")),
    ):
        _bindgen(args[0], out, *map(str, args[1:]))
        script = (
            "import sys, wasmtime\n"
            f"sys.path[:0] = [{str(out)!r}, {str(E2E / 'hosts')!r}]\n"
            "import notes_demo\n"
            "from wasmtime.component import Component\n"
            "config = wasmtime.Config()\n"
            "config.cache = True\n"
            "engine = wasmtime.Engine(config)\n"
            f"notes_demo.main(engine, Component.from_file(engine, {str(notes_wasm)!r}))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[1].splitlines()[:2] == ["notes 0.1.0 4", "guest: open todo at 1700000000"]


# ---------------------------------------------------------------- components wasm-tools builds

# The guest's world (`imgkit`, and `imgkit-fs`, whose own interface uses a WASI type), and
# what a componentize-py build of it holds: the same world with WASI imported for the
# runtime and the toolchain's `exports` interface (componentize-py's, verbatim).
IMGKIT = """package acme:imgkit@0.1.0;

interface types {
  record image { width: u32, height: u32, pixels: list<u8> }
}

interface files {
  use wasi:filesystem/types@0.2.9.{error-code};
  use types.{image};
  load: func(path: string) -> result<image, error-code>;
}

interface filters {
  use types.{image};
  blur: func(img: image, radius: u32) -> image;
}

world imgkit {
  import types;
  export filters;
}

world imgkit-fs {
  import files;
  export filters;
}

world toolchain {
  import wasi:io/poll@0.2.9;
  import wasi:filesystem/types@0.2.9;
  import wasi:cli/environment@0.2.9;
  export exports: interface {
    record symbols { exports: list<string> }
    init: func(app-name: string, symbols: symbols, stub-wasi: bool) -> result<_, string>;
  }
}

world built { include imgkit; include toolchain; }

world built-fs { include imgkit-fs; include toolchain; }

package wasi:io@0.2.9 {
  interface poll {
    resource pollable;
    poll: func(in: list<borrow<pollable>>) -> list<u32>;
  }
}

package wasi:filesystem@0.2.9 {
  interface types {
    enum error-code { access, busy }
    resource descriptor;
    get-type: func(d: borrow<descriptor>) -> error-code;
  }
}

package wasi:cli@0.2.9 {
  interface environment {
    get-arguments: func() -> list<string>;
  }
}
"""


@pytest.fixture
def components(wasm_tools: str, tmp_path: Path) -> dict[str, Path]:
    """`built` and `built-fs` as components (`component embed --dummy`, `component new`)."""
    wit = tmp_path / "imgkit.wit"
    wit.write_text(IMGKIT, encoding="utf-8")
    out = {}
    for world in ("built", "built-fs"):
        core, component = tmp_path / f"{world}.core.wasm", tmp_path / f"{world}.wasm"
        for args in (
            ["component", "embed", "--dummy", str(wit), "-w", world, "-o", str(core)],
            ["component", "new", str(core), "-o", str(component)],
        ):
            done = subprocess.run([wasm_tools, *args], capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        out[world] = component
    return out


def test_interface_modules_are_named_as_from_wit(
    components: dict[str, Path], tmp_path: Path
) -> None:
    """`types`, not `acme_imgkit_types`: the WASI imports nothing uses are the toolchain's
    and are left out, so they take no name from the world's own interfaces."""
    wit = tmp_path / "imgkit.wit"
    from_wit = _bindgen(wit, tmp_path / "wit", "--world", "imgkit")
    from_wasm = _bindgen(components["built"], tmp_path / "wasm", "--world-name", "imgkit")
    assert "imports/types.py" in _modules(from_wasm)
    _same_api(from_wasm, from_wit)
    top = _api((from_wasm / "__init__.py").read_text(encoding="utf-8"))
    assert {"Imgkit", "ImgkitImports"} <= set(top)


def test_wasi_interfaces_the_world_uses_are_kept(
    components: dict[str, Path], tmp_path: Path
) -> None:
    """A WASI interface whose types the world's own interfaces use stays, in both cases,
    and then both interfaces named `types` are qualified, by the same rule."""
    wit = tmp_path / "imgkit.wit"
    from_wit = _bindgen(wit, tmp_path / "wit", "--world", "imgkit-fs")
    from_wasm = _bindgen(components["built-fs"], tmp_path / "wasm", "--world-name", "imgkit-fs")
    assert _modules(from_wasm) == _modules(from_wit)
    assert {"imports/wasi_filesystem_types.py", "imports/acme_imgkit_types.py"} <= set(
        _modules(from_wasm)
    )
    assert "imports/environment.py" not in _modules(from_wasm)
    for rel in _modules(from_wit):
        if rel != "imports/wasi_filesystem_types.py":  # (the component keeps the types used)
            wasm_api = _api((from_wasm / rel).read_text(encoding="utf-8"))
            assert wasm_api == _api((from_wit / rel).read_text(encoding="utf-8")), rel
    wasi = _api((from_wasm / "imports" / "wasi_filesystem_types.py").read_text(encoding="utf-8"))
    assert "ErrorCode" in wasi


# ---------------------------------------------------------------- the rules, on WIT


def _plan_exports(tmp_path: Path, text: str, **options: object) -> list[str]:
    (tmp_path / "w.wit").write_text(text, encoding="utf-8")
    r = api.load(tmp_path / "w.wit", use_cache=False).resolve
    wid = api.select_world(r, "w")
    files = python_host.generate(r, wid, python_host.HostOptions(**options))  # type: ignore[arg-type]
    return sorted(p.name for p in files if p.parent.name == "exports" and p.name != "__init__.py")


def test_toolchain_exports_are_left_out(tmp_path: Path) -> None:
    """componentize-py's `exports` interface (one function `init(app-name, symbols, ...)`)
    is never bound, whatever the source; an export of that name and another shape is."""
    text = """package a:b;
interface api { f: func(); }
world w {
  export api;
  export exports: interface {
    record symbols { names: list<string> }
    init: func(app-name: string, symbols: symbols, stub-wasi: bool) -> result<_, string>;
  }
}
"""
    assert _plan_exports(tmp_path, text) == ["api.py"]
    other = text.replace("init: func(app-name: string,", "init: func(name: string,")
    assert _plan_exports(tmp_path, other) == ["api.py", "exports.py"]


def test_world_name_sets_the_classes_and_the_default_package(tmp_path: Path) -> None:
    wit = TESTS.parent / "wit-samples" / "kv-store.wit"
    root = _bindgen(wit, tmp_path / "a", "--world-name", "my-store")
    assert root.name == "my_store"
    top = _api((root / "__init__.py").read_text(encoding="utf-8"))
    assert {"MyStore", "MyStoreImports"} <= set(top) and "KvApp" not in top
    root = _bindgen(wit, tmp_path / "b", "--world-name", "my-store", "--package", "pkg")
    assert root.name == "pkg" and "MyStore" in _api((root / "__init__.py").read_text("utf-8"))


@pytest.mark.parametrize("name", ["1st", "", "--"])
def test_bad_world_name_is_wit402(tmp_path: Path, name: str) -> None:
    wit = TESTS.parent / "wit-samples" / "kv-store.wit"
    args = ["bindgen", "--lang", "python", "--host", str(wit), "-o", str(tmp_path)]
    result = runner.invoke(app, [*args, "--world-name", name])
    assert result.exit_code == 1, result.output
    assert "error[WIT402]" in result.stderr and "not a valid world name" in result.stderr
    assert "Traceback" not in result.output and not any(tmp_path.iterdir())


def test_wit_output_is_unchanged_by_the_component_rules() -> None:
    """`from_component` is set only for a component: a WIT world keeps the WASI imports it
    declares, even unused ones (tests/e2e's `wasi` guest imports `wasi:cli/environment`)."""
    wit = E2E / "guests" / "wasi" / "wit"
    r = api.load(wit).resolve
    wid = api.select_world(r, "wasi-imports")
    files = python_host.generate(r, wid, python_host.HostOptions())
    assert any(p.name == "environment.py" for p in files)
    pruned = python_host.generate(r, wid, python_host.HostOptions(from_component=True))
    assert not any(p.name == "environment.py" for p in pruned)
    assert any(p.name == "wall_clock.py" for p in pruned)  # the world's `datetime` uses it
