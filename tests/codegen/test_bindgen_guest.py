"""`witgen bindgen --lang python --guest`: goldens, generated-code quality, the fixes of
componentize-py's defects, options, the CLI, and a real build.

A golden case is a folder `tests/codegen/<case>/` (see test_bindgen_host.py): beside the host
package in `host/`, `guest/` holds the guest bindings of the same input and world
(`componentize_py_types.py` and `wit_world/`), the version in the header replaced by
`<version>`. Record them with `pytest --update-goldens -k <case>` and review the files.
Generated code must pass `ruff check`, `ruff format --check` (ruff's defaults) and `mypy
--strict` together with an app written against it: the goldens here, and the bindings of
every world of the corpus beside the repository (`codegen` and `wasi`) in a slow test. The
build test compiles a small app written against these bindings with componentize-py (cached
on disk by content, as the e2e guests are) and calls it through witgen's host bindings.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import importlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import golden
import pytest
from generated_code import corpus_worlds, lint, mypy_strict, placeholder, run_module, write_files
from typer.testing import CliRunner

from witgen import api
from witgen.cli.app import app
from witgen.codegen import templating
from witgen.codegen.python.guest import generator as python_guest
from witgen.text.diagnostics import Severity, WitError

ROOT = Path(__file__).resolve().parents[2]
CODEGEN = ROOT / "tests" / "codegen"


@dataclass(frozen=True)
class Case:
    """A golden case folder: `case.toml`'s input and world, and the guest goldens."""

    name: str
    input: Path
    world: str | None

    @property
    def guest(self) -> Path:
        return CODEGEN / self.name / "guest"


def _cases() -> list[Case]:
    cases = []
    for toml in sorted(CODEGEN.glob("*/case.toml")):
        spec = tomllib.loads(toml.read_text(encoding="utf-8"))
        cases.append(Case(toml.parent.name, ROOT / spec["input"], spec.get("world")))
    return cases


CASES = _cases()


def _generate(
    path: Path, world: str | None = None, **options: Any
) -> dict[PurePosixPath, str | bytes]:
    r = api.load(path).resolve
    wid = api.select_world(r, world)
    return python_guest.generate(r, wid, python_guest.GuestOptions(**options))


def _diagnose(path: Path, world: str | None = None, **options: Any) -> list[str]:
    r = api.load(path).resolve
    wid = api.select_world(r, world)
    diags = python_guest.diagnose(r, wid, python_guest.GuestOptions(**options))
    return [f"{d.severity.name.lower()}[{d.code}]: {d.message}" for d in diags]


def _load(out: Path, wit: str, world: str | None = None, **options: Any) -> None:
    (out / "in.wit").write_text(wit, encoding="utf-8")
    write_files(out, _generate(out / "in.wit", world, **options))


def _source(out: Path, module: str) -> str:
    return (out / module).read_text(encoding="utf-8")


# ---------------------------------------------------------------- goldens


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Case) -> None:
    files = _generate(case.input, case.world)
    for rel, content in files.items():
        text = content.decode() if isinstance(content, bytes) else content
        golden.assert_golden(case.guest / rel, placeholder(text))
    recorded = {p.relative_to(case.guest).as_posix() for p in case.guest.rglob("*") if p.is_file()}
    assert recorded == {str(rel) for rel in files}, "stale golden files"


def test_goldens_pass_ruff() -> None:
    lint([c.guest for c in CASES])


def test_output_is_deterministic() -> None:
    notes = ROOT / "wit-samples" / "notes"
    assert _generate(notes, "notes") == _generate(notes, "notes")


@pytest.mark.slow
def test_goldens_and_an_app_pass_mypy(tmp_path: Path) -> None:
    """The app of the e2e `notes` guest, written for componentize-py's bindings, type-checks
    against witgen's; so do the other goldens, each beside a stub app of its Protocols."""
    notes_app = ROOT / "tests" / "e2e" / "guests" / "notes" / "app"
    for case in CASES:
        out = tmp_path / case.name
        shutil.copytree(case.guest, out)
        if case.name == "notes":
            for source in notes_app.glob("*.py"):
                shutil.copy(source, out / source.name)
        else:
            (out / "app.py").write_text(_stub_app(out, "wit_world"), encoding="utf-8")
        mypy_strict([Path(".")], cwd=out)


def _stub_app(out: Path, world_module: str) -> str:
    """An app module that imports every generated module and subclasses every Protocol."""
    lines = ['"""A stub app: every module imported, every Protocol subclassed."""', ""]
    classes = []
    root = out.joinpath(*world_module.split("."))
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(out).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        lines.append(f"import {module}")
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            bases = [ast.unparse(b) for b in node.bases] if isinstance(node, ast.ClassDef) else []
            if isinstance(node, ast.ClassDef) and any(b.endswith("Protocol") for b in bases):
                alias = module.replace(".", "_") + "_" + node.name
                head = f"class {alias}({module}.{node.name}):"
                if len(head) > 88:  # as ruff format breaks it
                    head = f"class {alias}(\n    {module}.{node.name}\n):"
                classes += ["", "", head, "    pass"]
    return "\n".join([*lines, *classes]) + "\n"


# ---------------------------------------------------------------- the corpus


@pytest.mark.slow
def test_corpus_worlds_compile_lint_and_type_check(shared: Path, tmp_path: Path) -> None:
    """Every world of the codegen and WASI corpora, componentize-py's failures included: each
    under its own world module, imported, linted, and type-checked with a stub app."""
    apps: list[Path] = []
    for n, (case, path, feats, world) in enumerate(corpus_worlds(shared)):
        r = api.load(path, features=feats).resolve
        wid = api.select_world(r, world)
        options = python_guest.GuestOptions(world_module=f"w{n}")
        diags = python_guest.diagnose(r, wid, options)
        assert not [d for d in diags if d.severity is Severity.ERROR], (case, world, diags)
        files = python_guest.generate(r, wid, options)
        for rel, content in files.items():
            assert isinstance(content, str)
            compile(content, f"{case}:{world}:{rel}", "exec")
        write_files(tmp_path, files)
        stub = tmp_path / f"app{n}.py"
        stub.write_text(_stub_app(tmp_path, f"w{n}"), encoding="utf-8")
        apps.append(stub)
    assert len(apps) > 100
    lint([tmp_path])
    mypy_strict([Path(".")], cwd=tmp_path)
    # importing runs every class body and union at least once
    done = run_module("compileall", "-q", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    code = "import importlib, sys\nfor n in range(int(sys.argv[1])):\n"
    code += "    importlib.import_module(f'app{n}')"
    done = subprocess.run(
        [sys.executable, "-c", code, str(len(apps))], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------- hostile WIT

HOSTILE = r'''package hostile:test;

/// Docs with """ triple quotes """" and \ backslash \n, {{ jinja }} {% if x %} and {# #}.
/// """; import os; os.environ["WITGEN_INJECTED"] = "1"; """
///    indented, and a tab	here; ends with a quote"
interface class {
  /// """
  record %list { self: u32, cls: string, bytes: list<u8>, str: string, int: s32, %type: u8 }
  record optional { x: option<%list>, any: bool, value: option<option<u32>> }
  variant %enum { none, some(u32), %true(string) }
  enum %result { ok, err, none }
  flags %self { a, b }
  record some { value: u32 }
  record protocol { x: u32 }
  record traceback-type { x: u32 }
  /// {{ item.name }} """ + __import__("os").system("exit 3") + """
  resource host {
    constructor(%self: u32);
    %list: func(int: s32) -> list<%list>;
    %type: func() -> u32;
    classmethod: func();
    abstractmethod: func();
    new: static func(cls: u32, %self: u32) -> host;
  }
  resource nothing;
  bytes: func(str: string) -> list<u8>;
  str: func() -> string;
  int: func(bytes: list<u8>) -> s32;
  auto: func();
  dataclass: func();
  builtins: func(x: f32);
  %from: func(%import: u32, %self: u32, cls: u32) -> result<%enum, %result>;
}

interface def {
  use class.{%list, %enum, host};
  /// doc """ here {{ x }}
  resource %async { constructor(%self: u32); drop: func(); new: static func(cls: u32) -> %async; }
  resource blank;
  %return: func(x: %list, y: %enum) -> option<option<u32>>;
  await: func(h: borrow<host>) -> %async;
  abstractmethod: func(%self: u32);
  class: func() -> u32;
  %bool: func(b: bool) -> bool;
}

world none {
  import class;
  export def;
  export class;
  export %self: func(%self: u32);
  export wit-world: func();
}
'''


def _docstring(text: str | None, indent: int) -> str:
    return templating.docstring_value(text or "", indent)


@pytest.mark.slow
def test_hostile_wit_gives_valid_code(fresh_import: Path) -> None:
    """Keywords, builtins, typing and helper names as WIT names, and docs holding `\"\"\"`,
    `\\` and template syntax: the modules lint, type-check, import without running anything
    the docs hold, and keep every name and doc."""
    _load(fresh_import, HOSTILE)
    (fresh_import / "app.py").write_text(_stub_app(fresh_import, "wit_world"), encoding="utf-8")
    lint([fresh_import / "wit_world", fresh_import / "app.py"])
    mypy_strict([Path(".")], cwd=fresh_import)
    before = dict(os.environ)
    imports = importlib.import_module("wit_world.imports.class_")
    exports = importlib.import_module("wit_world.exports")
    exported = importlib.import_module("wit_world.exports.def_")
    importlib.import_module("app")
    assert "WITGEN_INJECTED" not in os.environ and dict(os.environ) == before
    r = api.load(fresh_import / "in.wit").resolve
    iface = next(i for i in r.interfaces if i.name == "class")
    assert _docstring(imports.__doc__, 0) == iface.docs.contents
    assert _docstring(imports.List.__doc__, 4) == '"""'
    host_doc = r.types[dict(iface.types)["host"]].docs.contents
    assert _docstring(imports.Host.__doc__, 4) == host_doc
    # WIT names kept; keywords escaped; helpers the names take imported under aliases
    assert {"List", "Optional", "Enum", "Result", "Self", "Some", "Protocol"} <= set(vars(imports))
    assert {"Enum_None_", "Enum_True_", "TracebackType", "bytes", "str", "int"} <= set(
        vars(imports)
    )
    assert [f.name for f in dataclasses.fields(imports.List)] == [
        "self", "cls", "bytes", "str", "int", "type"
    ]  # fmt: skip
    source = _source(fresh_import, "wit_world/imports/class_.py")
    for aliased in ("Enum as _Enum", "Self as _Self", "Some as _Some", "auto as _auto",
                    "dataclass as _dataclass", "TracebackType as _TracebackType"):  # fmt: skip
        assert aliased in source
    assert "import builtins as _builtins" in source  # a function named `builtins`
    assert "def bytes(str: _builtins.str) -> _builtins.bytes:" in source
    assert "def __init__(self, self_: _builtins.int) -> None:" in source
    assert "def new(cls, cls_: _builtins.int, self: _builtins.int) -> _Self:" in source
    assert "@_builtins.classmethod" in source  # a method named `classmethod`
    assert "exc_type: _builtins.type[BaseException] | None," in source  # a method named `type`
    assert "def from_(import_: _builtins.int, self: _builtins.int, cls: _builtins.int)" in source
    # Protocols: `self_` beside `self`, `cls_` beside `cls`, and bodies for empty resources
    assert hasattr(exports.Def, "await_") and hasattr(exports.Def, "class_")
    assert hasattr(exported.Async, "drop") and hasattr(exported, "Blank")
    protocols = _source(fresh_import, "wit_world/exports/__init__.py")
    assert "def abstractmethod(self, self_: int) -> None:" in protocols
    assert "from abc import abstractmethod as _abstractmethod" in protocols
    assert "class Blank(Protocol):\n    pass\n" in _source(
        fresh_import, "wit_world/exports/def_.py"
    )
    world = _source(fresh_import, "wit_world/__init__.py")
    assert "def self(self, self_: int) -> None:" in world


# ---------------------------------------------------------------- componentize-py's defects

FIXES = """package demo:fixes@1.0.0;

interface fs {
  variant fs-error { missing(string), denied }
  resource file { read: func() -> result<string, fs-error>; }
}

interface store {
  record entry {
    key: string, tags: map<string, list<u32>>, digest: list<u8, 4>, pair: list<s32, 2>,
  }
  lookup: func(keys: list<string, 3>) -> map<string, entry>;
}

interface vault {
  resource key;
  check: func(k: borrow<key>) -> bool;
}

interface editor {
  use fs.{file, fs-error};
  resource fd;
  save: func(to: borrow<file>) -> result<_, fs-error>;
  name: func() -> result<string, string>;
}

world fixes {
  import primary: store;
  import secondary: store;
  import store;
  import logger: interface { log: func(msg: string); }
  export editor;
  export hooks: interface { on-save: func(path: string) -> bool; }
  export vault;
  export backup: vault;
}
"""


def test_fixes_of_componentize_py_defects(fresh_import: Path) -> None:
    """What componentize-py 0.25.1 gets wrong, witgen gets right: maps, fixed-length lists,
    named imports (and exports), the functions of inline interfaces, `Raises:` paths, bodies
    of empty exported resources."""
    _load(fresh_import, FIXES, "fixes")
    modules = {p.relative_to(fresh_import).as_posix() for p in fresh_import.rglob("*.py")}
    assert {
        "wit_world/imports/primary.py",
        "wit_world/imports/secondary.py",
        "wit_world/imports/store.py",
        "wit_world/imports/logger.py",
        "wit_world/exports/hooks.py",
    } <= modules
    for named in ("primary", "secondary", "store"):
        mod = importlib.import_module(f"wit_world.imports.{named}")
        assert mod.Entry.__annotations__ == {
            "key": "str",
            "tags": "dict[str, list[int]]",
            "digest": "list[int]",
            "pair": "list[int]",
        }
        assert mod.lookup.__annotations__ == {"keys": "list[str]", "return": "dict[str, Entry]"}
    logger = importlib.import_module("wit_world.imports.logger")
    assert logger.log.__annotations__ == {"msg": "str", "return": "None"}
    exports = importlib.import_module("wit_world.exports")
    assert exports.Hooks.__abstractmethods__ == frozenset({"on_save"})
    # a named export is an instance of its own, with resources of its own
    assert exports.Backup.check.__annotations__["k"] == "backup.Key"
    assert exports.Vault.check.__annotations__["k"] == "vault.Key"
    assert hasattr(importlib.import_module("wit_world.exports.backup"), "Key")
    editor = _source(fresh_import, "wit_world/exports/editor.py")
    assert "class Fd(Protocol):\n    pass\n" in editor
    protocols = _source(fresh_import, "wit_world/exports/__init__.py")
    assert "Raises: `componentize_py_types.Err(wit_world.imports.fs.FsError)`" in protocols
    assert "Raises: `componentize_py_types.Err(str)`" in protocols
    fs = _source(fresh_import, "wit_world/imports/fs.py")
    assert "Raises: `componentize_py_types.Err(wit_world.imports.fs.FsError)`" in fs
    lint([fresh_import / "wit_world"])


def test_raised_results_follow_componentize_py(tmp_path: Path) -> None:
    """A function whose own result is a `result` (named or not) returns its `ok` type and
    raises its error; through an alias (`type r2 = r`, or `use` of `r`) componentize-py
    passes `Ok`/`Err` values, and so do the bindings."""
    wit = tmp_path / "in.wit"
    wit.write_text(
        """package t:t;
interface a {
  type r = result<u32, string>;
  type r2 = r;
  f: func() -> r;
  g: func() -> r2;
  h: func() -> result<u32, string>;
}
interface b { use a.{r}; k: func() -> r; }
world w { import a; import b; }
""",
        encoding="utf-8",
    )
    files = _generate(wit, "w")
    a = str(files[PurePosixPath("wit_world/imports/a.py")])
    b = str(files[PurePosixPath("wit_world/imports/b.py")])
    assert "def f() -> int:" in a and "def h() -> int:" in a
    assert "def g() -> Result[int, str]:" in a
    assert "def k() -> Result[int, str]:" in b


# ---------------------------------------------------------------- WIT408 and options

STDLIB = """package demo:ex;

interface types { resource blob { constructor(); } }
interface json { record doc { text: string } }

world app {
  export types;
  export json;
}
"""


def test_stdlib_named_export_modules_are_wit408(tmp_path: Path) -> None:
    wit = tmp_path / "in.wit"
    wit.write_text(STDLIB, encoding="utf-8")
    found = _diagnose(wit)
    assert found == [
        "warning[WIT408]: the resources of exported interface `demo:ex/types` must be classes "
        "of a top-level module `types`, which hides the standard library's `types`"
    ]  # `json` has no resources: the app needs no module `json`
    assert _diagnose(wit, export_names=(("demo:ex/types", "blobs"),)) == []
    assert "wit_world/exports/blobs.py" in {
        str(p) for p in _generate(wit, export_names=(("demo:ex/types", "blobs"),))
    }


def test_options_name_modules_as_componentize_py_does() -> None:
    """`--world-module`, `--full-names` and the interface renames give componentize-py's
    module paths and class names (recorded from componentize-py 0.25.1)."""
    notes = ROOT / "wit-samples" / "notes"
    files = _generate(notes, "journaled-notes", world_module="my.world_mod", full_names=True)
    # witgen's native harness (`native/`) is the one package componentize-py does not write;
    # its modules are named like the interface modules, beside its runtime.
    native = {str(p) for p in files if "/native/" in str(p)}
    assert native == {
        "my/world_mod/native/__init__.py",
        "my/world_mod/native/_boundary.py",
        "my/world_mod/native/demo_clocks_timezone_0_1_0.py",
        "my/world_mod/native/demo_clocks_wall_clock_0_1_0.py",
        "my/world_mod/native/demo_ids_uuid.py",
        "my/world_mod/native/demo_notes_fs_0_1_0.py",
    }
    assert {str(p) for p in files if str(p).endswith(".py")} - native == {
        "componentize_py_types.py",
        "my/world_mod/__init__.py",
        "my/world_mod/exports/__init__.py",
        "my/world_mod/exports/demo_notes_editor_0_1_0.py",
        "my/world_mod/exports/demo_notes_journal_0_1_0.py",
        "my/world_mod/imports/__init__.py",
        "my/world_mod/imports/demo_clocks_timezone_0_1_0.py",
        "my/world_mod/imports/demo_clocks_wall_clock_0_1_0.py",
        "my/world_mod/imports/demo_ids_uuid.py",
        "my/world_mod/imports/demo_notes_fs_0_1_0.py",
    }
    world = str(files[PurePosixPath("my/world_mod/__init__.py")])
    protocols = str(files[PurePosixPath("my/world_mod/exports/__init__.py")])
    assert "class MyWorldMod(Protocol):" in world
    assert "class DemoNotesEditor010(Protocol):" in protocols
    assert "`componentize_py_types.Err(my.world_mod.imports.demo_notes_fs_0_1_0.FsError)`" in (
        protocols
    )
    renamed = _generate(
        notes,
        "journaled-notes",
        import_names=(("demo:notes/fs@0.1.0", "files"), ("fs", "ignored")),
        export_names=(("demo:notes/editor@0.1.0", "ed"),),
    )
    paths = {str(p) for p in renamed}
    assert {"wit_world/imports/files.py", "wit_world/exports/ed.py"} <= paths
    assert "wit_world/imports/fs.py" not in paths
    assert "class Ed(Protocol):" in str(renamed[PurePosixPath("wit_world/exports/__init__.py")])


def test_bad_names_are_wit402_and_clashes_wit401(tmp_path: Path) -> None:
    notes = ROOT / "wit-samples" / "notes"
    bad_module = _diagnose(notes, "notes", world_module="my-app")
    assert bad_module == ["error[WIT402]: `my-app` is not a valid Python module name"]
    bad_rename = _diagnose(notes, "notes", import_names=(("demo:notes/fs@0.1.0", "class"),))
    assert bad_rename[0].startswith("error[WIT402]: `class` (given for `demo:notes/fs@0.1.0`")
    clash = _diagnose(notes, "journaled-notes", import_names=(("demo:notes/fs@0.1.0", "uuid"),))
    assert clash == [
        "error[WIT401]: interfaces `demo:notes/fs@0.1.0` and `demo:ids/uuid` would both be the "
        "module `imports.uuid`"
    ]
    wit = tmp_path / "in.wit"
    wit.write_text("package a:b;\nworld w { record wit-world { x: u32 } }\n", encoding="utf-8")
    assert _diagnose(wit) == [
        "error[WIT401]: type `wit-world` needs the name `WitWorld`, taken in `wit_world`"
    ]
    with pytest.raises(WitError):
        _generate(wit)


# ---------------------------------------------------------------- the CLI

runner = CliRunner()


def test_cli_writes_guest_bindings_beside_the_app(tmp_path: Path) -> None:
    notes = str(ROOT / "wit-samples" / "notes")
    (tmp_path / "app.py").write_text("# the app\n", encoding="utf-8")
    args = ["bindgen", "--lang", "python", notes, "--world", "notes", "-o", str(tmp_path)]
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "wit_world")
    stale = tmp_path / "wit_world" / "imports" / "stale.py"
    stale.write_text("", encoding="utf-8")
    result = runner.invoke(app, [*args, "--guest"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not stale.exists()  # the world module is replaced as a whole
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == "# the app\n"
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["app.py", "componentize_py_types.py", "wit_world"]  # nothing left over


def test_cli_guest_options_and_warnings(tmp_path: Path) -> None:
    wit = tmp_path / "in.wit"
    wit.write_text(STDLIB, encoding="utf-8")
    base = ["bindgen", "--lang", "python", str(wit), "-o", str(tmp_path / "out")]
    warned = runner.invoke(app, base)
    assert warned.exit_code == 0, warned.output
    assert "warning[WIT408]" in warned.stderr and "--export-interface-name" in warned.stderr
    quiet = runner.invoke(app, [*base, "--allow", "WIT408"])
    assert quiet.exit_code == 0 and "WIT408" not in quiet.stderr
    renamed = runner.invoke(
        app, [*base, "--world-module", "guest.bindings", "--export-interface-name",
              "demo:ex/types=blobs", "--full-names", "--no-native"]
    )  # fmt: skip
    assert renamed.exit_code == 0, renamed.output
    assert "WIT408" not in renamed.stderr
    assert (tmp_path / "out" / "guest" / "bindings" / "exports" / "blobs.py").exists()
    assert (tmp_path / "out" / "guest" / "bindings" / "exports" / "demo_ex_json.py").exists()
    bad = runner.invoke(app, [*base, "--import-interface-name", "no-equals"])
    assert bad.exit_code == 2 and "is not KEY=NAME" in bad.stderr
    for result in (warned, quiet, renamed, bad):
        assert "Traceback" not in result.output


# ---------------------------------------------------------------- a real build

BUILD_WIT = """package demo:guestapp@0.1.0;

interface log {
  write: func(msg: string);
}

interface store {
  variant problem { missing(string), denied }
  type outcome = result<u32, string>;
  type passed-on = outcome;
  resource counter {
    constructor(start: u32);
    add: func(n: u32) -> u32;
    total: static func(c: borrow<counter>) -> u32;
  }
  record boxed { counter: counter, label: string }
  take: func(key: string) -> result<string, problem>;
  answer: func(x: u32) -> outcome;
  relayed: func(x: u32) -> passed-on;
  unbox: func(b: boxed) -> string;
}

world app {
  import log;
  export store;
  export greet: func(name: string) -> string;
}
"""

BUILD_APP = {
    "app.py": '''"""The app: the world's export and the `store` interface's functions."""

import wit_world
from componentize_py_types import Err, Ok, Result
from wit_world import exports
from wit_world.exports import store
from wit_world.imports import log


class WitWorld(wit_world.WitWorld):
    def greet(self, name: str) -> str:
        log.write(f"greeting {name}")
        return f"hello {name}"


class Store(exports.Store):
    def take(self, key: str) -> str:
        if key == "missing":
            raise Err(store.Problem_Missing(key))
        return key.upper()

    def answer(self, x: int) -> int:
        if x == 0:
            raise Err("zero")
        return x * 2

    def relayed(self, x: int) -> Result[int, str]:
        return Err("zero") if x == 0 else Ok(x * 3)

    def unbox(self, b: store.Boxed) -> str:
        kind = f"{type(b).__module__}.{type(b).__name__}"
        return f"{b.label}:{b.counter.add(0)}:{kind}"
''',
    "store.py": '''"""The resource `counter` of the exported interface `store`."""

from typing import Self

from wit_world.exports import store


class Counter(store.Counter):
    def __init__(self, start: int) -> None:
        self.value = start

    def add(self, n: int) -> int:
        self.value += n
        return self.value

    @classmethod
    def total(cls, c: Self) -> int:
        return c.value
''',
}


def _cache_dir() -> Path:
    """Where built components are kept, as for the e2e guests."""
    if env := os.environ.get("WITGEN_TEST_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "witgen-tests"


def _componentize(wit: Path, app_dir: Path, world: str, exe: str) -> Path:
    """The component of the app in `app_dir`, built by componentize-py unless a build of the
    same WIT, app, bindings and componentize-py version is cached."""
    digest = hashlib.sha256(importlib.metadata.version("componentize-py").encode())
    for path in sorted([*wit.rglob("*.wit"), *app_dir.rglob("*.py"), *app_dir.rglob("*.pyi")]):
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    out = _cache_dir() / f"guest-bindings-{world}-{digest.hexdigest()[:24]}.wasm"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
    cmd = [exe, "-q", "-d", str(wit), "-w", world, "componentize", "app", "-o", str(tmp)]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(cmd, cwd=app_dir, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise AssertionError(f"componentize-py failed:\n{done.stderr}")
    os.replace(tmp, out)
    return out


@pytest.mark.slow
def test_app_against_guest_bindings_builds_and_runs(fresh_import: Path) -> None:
    """An app written (and type-checked) against witgen's guest bindings, with witgen's
    `componentize_py_types.py` beside it, builds with `componentize-py componentize`; called
    through witgen's host bindings it behaves as the bindings say: raised and returned
    errors, exported resources, records holding them (the export side's class)."""
    wasmtime = pytest.importorskip("wasmtime")
    exe = shutil.which("componentize-py") or str(Path(sys.executable).parent / "componentize-py")
    if not Path(exe).exists():
        pytest.skip("componentize-py is not installed")
    wit = fresh_import / "wit"
    wit.mkdir()
    (wit / "app.wit").write_text(BUILD_WIT, encoding="utf-8")
    app_dir = fresh_import / "guest"
    app_dir.mkdir()
    for name, text in BUILD_APP.items():
        (app_dir / name).write_text(text, encoding="utf-8")
    api.bindgen_guest(wit, out_dir=app_dir, world="app")
    lint([app_dir])
    mypy_strict([Path(".")], cwd=app_dir)
    component_path = _componentize(wit, app_dir, "app", exe)

    from wasmtime.component import Component, Linker

    api.bindgen_host(wit, out_dir=fresh_import, world="app", package="guestapp_host")
    host_pkg = importlib.import_module("guestapp_host")
    host_store = importlib.import_module("guestapp_host.exports.store")
    messages: list[str] = []

    class Log:
        def write(self, msg: str) -> None:
            messages.append(msg)

    class Host:
        log = Log()

    config = wasmtime.Config()
    config.cache = True
    engine = wasmtime.Engine(config)
    component = Component.from_file(engine, str(component_path))
    linker = Linker(engine)
    host_pkg.App.add_to_linker(linker, Host())
    store = wasmtime.Store(engine)
    store.set_wasi(wasmtime.WasiConfig())
    guest = host_pkg.App.instantiate(store, component, linker)

    assert guest.greet("ada") == "hello ada" and messages == ["greeting ada"]
    assert guest.store.take("k") == "K"
    with pytest.raises(host_pkg.Err) as missing:
        guest.store.take("missing")
    assert missing.value.value == host_store.Problem_Missing("missing")
    assert guest.store.answer(2) == 4
    with pytest.raises(host_pkg.Err) as zero:
        guest.store.answer(0)
    assert zero.value.value == "zero"
    assert guest.store.relayed(2) == 6  # returned as `Ok(6)` by the app
    with pytest.raises(host_pkg.Err) as relayed:
        guest.store.relayed(0)
    assert relayed.value.value == "zero"
    with guest.store.counter.new(5) as counter:
        assert counter.add(2) == 7
        assert guest.store.counter.total(counter) == 7
    boxed = host_store.Boxed(counter=guest.store.counter.new(3), label="x")
    assert guest.store.unbox(boxed) == "x:3:wit_world.exports.store.Boxed"
