"""`witgen bindgen --lang python --host`: goldens, generated-code quality, values, the CLI.

A golden case is a folder `tests/codegen/<case>/`: `case.toml` names the input (relative to
the repository), the world and options, and `host/<NAME>/` holds the generated package, with
the version in the header replaced by `<version>`. A new case is a new folder: write its
`case.toml`, then record it with `pytest --update-goldens -k <case>` and review the files.
Generated code must pass `ruff check`, `ruff format --check` (ruff's defaults) and `mypy
--strict`: the goldens here, and the bindings of every world of the corpus beside the
repository (`codegen` and `wasi`) in the slow corpus test, each
checked by one mypy run. Values are checked against wasmtime-py's rules without wasm, by
calling the generated conversions; the end-to-end tests with real guests live in
`tests/e2e/`.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import sys
import tomllib
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

import golden
import pytest
from generated_code import corpus_worlds as _corpus_worlds
from generated_code import lint as _lint
from generated_code import mypy_strict as _mypy
from generated_code import placeholder as _placeholder
from generated_code import run_module as _run
from generated_code import write_files as _write
from typer.testing import CliRunner

from witgen import api
from witgen.cli.app import app
from witgen.codegen import templating as _jinja
from witgen.codegen.python.host import generator as python_host
from witgen.text.diagnostics import Diagnostic, Severity, WitError

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "wit-samples"
CODEGEN = ROOT / "tests" / "codegen"


@dataclasses.dataclass(frozen=True)
class Case:
    """A golden case folder: `case.toml`'s input, world and options, and the goldens."""

    name: str
    input: Path
    world: str | None
    skip_unsupported: bool

    @property
    def host(self) -> Path:
        return CODEGEN / self.name / "host"

    def packages(self) -> list[Path]:
        """The recorded packages (normally one)."""
        return sorted(p for p in self.host.iterdir() if p.is_dir()) if self.host.is_dir() else []


def _cases() -> list[Case]:
    cases = []
    for toml in sorted(CODEGEN.glob("*/case.toml")):
        spec = tomllib.loads(toml.read_text(encoding="utf-8"))
        unknown = set(spec) - {"input", "world", "skip-unsupported"}
        assert not unknown, f"{toml}: unknown keys {sorted(unknown)}"
        cases.append(
            Case(
                name=toml.parent.name,
                input=ROOT / spec["input"],
                world=spec.get("world"),
                skip_unsupported=spec.get("skip-unsupported", False),
            )
        )
    return cases


CASES = _cases()


def _generate(
    path: Path, world: str | None, *, package: str | None = None, skip: bool = False
) -> dict[PurePosixPath, str | bytes]:
    r = api.load(path).resolve
    wid = api.select_world(r, world)
    options = python_host.HostOptions(package=package, skip_unsupported=skip)
    return python_host.generate(r, wid, options)


def _load(out: Path, wit: str, world: str | None = None, **kw: Any) -> ModuleType:
    (out / "in.wit").write_text(wit, encoding="utf-8")
    files = _generate(out / "in.wit", world, **kw)
    _write(out, files)
    name = next(iter(files)).parts[0]
    return importlib.import_module(name)


# ---------------------------------------------------------------- goldens


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Case) -> None:
    files = _generate(case.input, case.world, skip=case.skip_unsupported)
    base = case.host
    for rel, content in files.items():
        text = content.decode() if isinstance(content, bytes) else content
        golden.assert_golden(base / rel, _placeholder(text))
    recorded = {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()}
    assert recorded == {str(rel) for rel in files}, "stale golden files"


def test_cases_are_found() -> None:
    """Every folder of tests/codegen is a case, and every case has its goldens."""
    folders = {p.name for p in CODEGEN.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == {c.name for c in CASES}, "a folder without case.toml"
    assert all(len(c.packages()) == 1 for c in CASES)


def test_goldens_pass_ruff() -> None:
    _lint([p for c in CASES for p in c.packages()])


USER_CODE = '''
"""The worked example's host program, type-checked against the generated package."""

import wasmtime
from wasmtime.component import Component, Linker

from notes import Err, Notes, Trap
from notes.exports.editor import Edit, Mode, Style
from notes.imports import fs


class MemFile(fs.File):
    def __init__(self, disk: dict[str, str], path: str) -> None:
        self.disk, self.path = disk, path

    def read(self) -> str:
        if self.path not in self.disk:
            raise Err(fs.FsError_Missing(self.path))
        return self.disk[self.path]

    def write(self, text: str) -> None:
        if self.path.startswith("/ro/"):
            raise Err(fs.FsError_ReadOnly())
        self.disk[self.path] = text

    def drop(self) -> None:
        print("guest dropped", self.path)


class Files:
    def __init__(self) -> None:
        self.disk: dict[str, str] = {}

    def file_new(self, path: str) -> fs.File:
        return MemFile(self.disk, path)

    def file_open(self, path: str) -> fs.File:
        return MemFile(self.disk, path)

    def log(self, msg: str) -> None:
        print("guest:", msg)


class Host:
    def __init__(self) -> None:
        self.fs = Files()

    def now(self) -> int:
        return 1_700_000_000


def main() -> None:
    engine = wasmtime.Engine()
    component = Component.from_file(engine, "notes.wasm")
    linker, host = Linker(engine), Host()
    Notes.add_to_linker(linker, host)
    store = wasmtime.Store(engine)
    app = Notes.instantiate(store, component, linker)
    print(app.version(), app.editor.word_count("to be or not"))
    todo = MemFile(host.fs.disk, "todo.txt")
    with app.editor.document.new("todo") as doc:
        doc.apply(Edit(line=0, text="buy milk", mode=Mode.INSERT, style=Style.BOLD))
        doc.save(todo)
        try:
            doc.save(MemFile(host.fs.disk, "/ro/x"))
        except Err as e:
            print("save failed:", e.value)
    copy = app.editor.document.load(todo)
    lines: list[str] = copy.lines()
    print(lines, app.wasm_store, app.wasm_instance)
    copy.drop()
    try:
        app.editor.word_count("x")
    except Trap:
        pass
'''


@pytest.mark.slow
def test_goldens_and_user_code_pass_mypy(tmp_path: Path) -> None:
    user = tmp_path / "user.py"
    user.write_text(USER_CODE.lstrip(), encoding="utf-8")
    packages = [p for c in CASES for p in c.packages()]
    # the user's program sits beside a copy of the `notes` package, found as a top-level one
    _write(tmp_path, _generate(SAMPLES / "notes", "notes"))
    _mypy([*packages, user], cwd=tmp_path)


TYPED = """package demo:typed;

interface api {
  variant problem { missing(string), denied }
  resource blob {
    constructor(data: list<u8>);
    read: func() -> result<list<u8>, problem>;
  }
  fetch: func(key: string) -> result<list<u8>, problem>;
  put: func(key: string, data: list<u8>, tag: option<list<u8>>, pair: tuple<list<u8>, u32>);
  signed: func(data: list<s8>);
  bytearray: func(data: list<u8>);
  later: func(data: list<u8>);
}

interface store {
  resource bucket {
    get: func(key: string) -> option<list<u8>>;
    put: func(key: string, data: list<u8>);
  }
  open: func(name: string) -> bucket;
}

world typed {
  import store;
  export api;
  export fetch: func() -> result<u32, string>;
  export fetch-result: func() -> u32;
}
"""

TYPED_USER = """
from wasmtime.component import Linker

from typed import Err, Ok, Typed
from typed.exports.api import Problem
from typed.imports import store


class Bucket:  # structurally a `store.Bucket`
    def get(self, key: str) -> bytes | None:
        return None

    def put(self, key: str, data: bytes) -> None:
        pass

    def drop(self) -> None:
        pass


class Full(store.Bucket):  # a subclass that implements every method
    def get(self, key: str) -> bytes | None:
        return b""

    def put(self, key: str, data: bytes) -> None:
        pass


class Store:
    def open(self, name: str) -> store.Bucket:
        return Bucket() if name else Full()


class Host:
    store = Store()


def link(linker: Linker) -> None:
    Typed.add_to_linker(linker, Host())


def use(app: Typed) -> None:
    app.api.put("k", bytearray(b"x"), memoryview(b"y"), (bytearray(), 1))
    app.api.put("k", b"x", None, (b"", 1))
    app.api.signed(memoryview(b"\\xff"))
    app.api.later(bytearray())
    r = app.api.fetch_result("k")
    if isinstance(r, Err):
        problem: Problem = r.value
        print(problem)
    else:
        data: bytes = r.value
        print(data)
    with app.api.blob.new(bytearray(b"z")) as blob:
        got = blob.read_result()
        if isinstance(got, Ok):
            print(len(got.value))
    own = app.fetch_result_()
    if isinstance(own, Err):
        message: str = own.value
        print(message)
    plain: int = app.fetch_result()
    print(plain)
"""

TYPED_WRONG = """
from typed import Err, Typed
from typed.imports import store


class Lazy(store.Bucket):
    def get(self, key: str) -> bytes | None:
        return None


def wrong(app: Typed) -> None:
    print(Lazy())
    r = app.api.fetch_result("k")
    if isinstance(r, Err):
        reveal_type(r.value)
        number: int = r.value
        print(number)
    app.api.put("k", [1, 2], None, (b"", 1))
"""


@pytest.mark.slow
def test_result_twins_and_byte_arguments_type_check(fresh_import: Path) -> None:
    """`<name>_result` returns a `Result` whose error mypy knows after `isinstance(r, Err)`;
    a byte-list argument takes `bytes`, `bytearray` or `memoryview` (what the runtime takes),
    also in an option or a tuple; a twin never renames a function (`fetch_result_`). Host
    Protocols type-check implemented structurally or by a full subclass, and a subclass that
    lacks a method cannot be instantiated."""
    _load(fresh_import, TYPED)
    _lint([fresh_import / "typed"])
    (fresh_import / "user.py").write_text(TYPED_USER.lstrip(), encoding="utf-8")
    _mypy([fresh_import / "typed", fresh_import / "user.py"], cwd=fresh_import)
    (fresh_import / "wrong.py").write_text(TYPED_WRONG.lstrip(), encoding="utf-8")
    done = _run("mypy", "--strict", "--no-incremental", "wrong.py", cwd=fresh_import)
    problem = "typed.exports.api.Problem_Missing | typed.exports.api.Problem_Denied"
    assert f'Revealed type is "{problem}"' in done.stdout, done.stdout
    short = "Problem_Missing | Problem_Denied"
    assert f'(expression has type "{short}", variable has type "int")' in done.stdout
    assert 'Argument 2 to "put" of "Api" has incompatible type "list[int]"' in done.stdout
    assert 'Cannot instantiate abstract class "Lazy" with abstract attribute "put"' in done.stdout


def test_output_is_deterministic() -> None:
    one = _generate(SAMPLES / "kv-store.wit", None)
    two = _generate(SAMPLES / "kv-store.wit", None)
    assert one == two
    other = _generate(SAMPLES / "kv-store.wit", None, package="other")
    ids = [
        line
        for line in str(one[PurePosixPath("kv_app/imports/store.py")]).splitlines()
        if line.startswith("_Bucket_ID")
    ]
    other_ids = [
        line
        for line in str(other[PurePosixPath("other/imports/store.py")]).splitlines()
        if line.startswith("_Bucket_ID")
    ]
    assert ids and other_ids and ids != other_ids  # resource type ids depend on the package


# ---------------------------------------------------------------- the corpus


@pytest.mark.slow
def test_corpus_worlds_compile_lint_and_type_check(shared: Path, tmp_path: Path) -> None:
    """Every world of the codegen and WASI corpora, with `--skip-unsupported` semantics."""
    packages: list[Path] = []
    for n, (case, path, feats, world) in enumerate(_corpus_worlds(shared)):
        r = api.load(path, features=feats).resolve
        wid = api.select_world(r, world)
        options = python_host.HostOptions(package=f"p{n}", skip_unsupported=True)
        diags = python_host.diagnose(r, wid, options)
        assert not [d for d in diags if d.severity is Severity.ERROR], (case, world, diags)
        files = python_host.generate(r, wid, options)
        for rel, content in files.items():
            if isinstance(content, str) and rel.suffix == ".py":
                compile(content, f"{case}:{world}:{rel}", "exec")
        _write(tmp_path, files)
        packages.append(tmp_path / f"p{n}")
    assert len(packages) > 100
    _lint(packages)
    _mypy(packages, cwd=tmp_path)


# ---------------------------------------------------------------- hostile WIT

HOSTILE = r'''package hostile:test;

/// Docs with """ triple quotes """" and \ backslash \n.
///    indented, and a tab	here; ends with a quote"
interface class {
  /// """
  record %list { self: u32, cls: string, bytes: list<u8>, str: string, int: s32, %type: u8 }
  record optional { x: option<%list>, dataclass: bool }
  variant %enum { none, some(u32), %true(string) }
  enum %result { ok, err, none }
  flags %self { a, b }
  resource host {
    constructor(%self: u32);
    %list: func(int: s32) -> list<%list>;
    drop: func();
    abstractmethod: func();
    after: func() -> u32;
    new: static func(cls: u32) -> host;
  }
  abstractmethod: func();
  later: func(b: list<u8>) -> u32;
  bytes: func(str: string) -> list<u8>;
  str: func() -> string;
  int: func(bytes: list<u8>) -> s32;
  %from: func(%import: u32, %self: u32) -> result<%enum, %result>;
  host-new: func();
  cast: func(cast: u32, isinstance: u32) -> u32;
}

interface def {
  use class.{%list, %enum, host};
  /// doc """ here
  resource %async { constructor(); drop: func(); new: static func() -> %async; }
  %return: func(x: %list, y: %enum) -> option<option<u32>>;
  add-to-linker: func();
  await: func(h: borrow<host>) -> %async;
  cast: func(cast: u32, isinstance: u32) -> result<u32, string>;
  bytearray: func(b: list<u8>);
  memoryview: func(b: option<list<u8>>) -> result<u32, string>;
  cast-result: func();
}

world none {
  import class;
  export def;
  export instantiate: func();
  export wasm-store: func() -> u32;
  export def: func();
}
'''


@pytest.mark.slow
def test_hostile_wit_gives_valid_code(fresh_import: Path) -> None:
    pkg = _load(fresh_import, HOSTILE)
    _lint([fresh_import / "none"])
    _mypy([fresh_import / "none"], cwd=fresh_import)
    imports = importlib.import_module("none.imports.class_")
    exports = importlib.import_module("none.exports.def_")
    r = api.load(fresh_import / "in.wit").resolve
    iface = next(i for i in r.interfaces if i.name == "class")
    assert iface.docs.contents is not None
    assert _jinja.docstring_value(imports.__doc__ or "", 0) == iface.docs.contents
    assert _jinja.docstring_value(imports.List.__doc__ or "", 4) == '"""'
    # names: keywords escaped, builtins kept, generated members moved aside
    fields = [f.name for f in dataclasses.fields(imports.List)]
    assert fields == ["self", "cls", "bytes", "str", "int", "type"]
    assert {"Enum_None_", "Enum_True_", "Result", "Self", "Host", "Host_"} <= set(vars(imports))
    assert hasattr(imports.Host_, "host_new") and hasattr(imports.Host_, "from_")
    assert hasattr(imports.Host, "drop_") and hasattr(imports.Host, "drop")
    assert hasattr(exports.AsyncClass, "new_") and hasattr(exports.Async, "drop_")
    assert hasattr(exports.Def, "await_") and hasattr(exports.Def, "return_")
    assert hasattr(pkg.None_, "instantiate_") and hasattr(pkg.None_, "wasm_store_")
    assert hasattr(pkg.None_, "def__") and "def_" in pkg.None_.__annotations__
    # members named like what the generated code uses: `abstractmethod`, `bytearray`, twins
    assert {"abstractmethod", "later"} <= imports.Host_.__abstractmethods__
    assert {"abstractmethod", "after", "list"} <= imports.Host.__abstractmethods__
    assert hasattr(exports.Def, "memoryview_result") and hasattr(exports.Def, "cast_result_")


# ---------------------------------------------------------------- values (part B)

VALUES = """package demo:values;

interface types {
  variant json { null, boolean(bool), number(f64), str(string), arr(list<string>) }
  variant ab { a(u32), b(bool) }
  variant mixed { n(option<bool>), s(string) }
  variant fine { s(string), n(option<bool>) }
  enum color { red, dark-green }
  flags perms { read, write, exec }
  record point { x-coord: s32, y-coord: s32 }
  record bag { p: point, c: color, f: perms, t: tuple<u8, char>, b: list<u8>, s: list<s8> }
}

interface api {
  use types.{json, ab, mixed, fine, bag, point};
  all: func(
    a: option<u32>, b: result<u32, string>, c: result<_, string>, d: result<u32>, e: result,
    f: result<string, string>, g: option<option<u32>>, h: json, i: bag, j: list<point>,
    k: result<option<u32>, string>, l: ab, m: f32, n: mixed, o: fine
  );
}

interface host {
  use types.{json, ab, mixed, fine, bag, point};
  all: func(
    a: option<u32>, b: result<u32, string>, c: result<_, string>, d: result<u32>, e: result,
    f: result<string, string>, g: option<option<u32>>, h: json, i: bag, j: list<point>,
    k: result<option<u32>, string>, l: ab, m: f32, n: mixed, o: fine
  );
}

world values { import host; export api; }
"""


@pytest.fixture
def values(fresh_import: Path) -> ModuleType:
    _load(fresh_import, VALUES)
    return importlib.import_module("values.imports.types")


def _conv(direction: str, wit_type: str) -> Any:
    """A generated conversion, found by its WIT type (the `# wit` comment above it)."""
    for name in ("values.imports.types", "values.exports.api", "values.imports.host"):
        mod = sys.modules[name] if name in sys.modules else importlib.import_module(name)
        source = Path(mod.__file__ or "").read_text(encoding="utf-8")
        lines = source.splitlines()
        defs = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
        for node in defs:
            if node.name.startswith(f"_{direction}_") and lines[node.lineno - 2] == f"# {wit_type}":
                return getattr(mod, node.name)
    raise LookupError(f"no _{direction} conversion of {wit_type}")


def test_untagged_and_tagged_values(values: ModuleType) -> None:
    from wasmtime.component import Record, Variant

    v, pkg = values, sys.modules["values"]
    Ok, Err, Some = pkg.Ok, pkg.Err, pkg.Some
    lower = {
        t: _conv("lower", t)
        for t in (
            "option<u32>",
            "result<u32, string>",
            "result<_, string>",
            "result<u32>",
            "result",
            "result<string, string>",
            "option<option<u32>>",
            "json",
            "bag",
        )
    }
    assert lower["option<u32>"](None) is None and lower["option<u32>"](5) == 5
    assert lower["result<u32, string>"](Ok(5)) == 5
    assert lower["result<u32, string>"](Err("boom")) == "boom"
    assert (
        lower["result<_, string>"](Ok(None)) is None and lower["result<_, string>"](Err("e")) == "e"
    )
    assert lower["result<u32>"](Ok(3)) == 3 and lower["result<u32>"](Err(None)) is None
    assert lower["result"](Ok(None)) == Variant("ok")
    assert lower["result<string, string>"](Err("x")) == Variant("err", "x")
    nested = lower["option<option<u32>>"]
    assert nested(None) == Variant("none")
    assert nested(Some(None)) == Variant("some", None)
    assert nested(Some(5)) == Variant("some", 5)
    assert lower["json"](v.Json_Null()) is None
    assert lower["json"](v.Json_Boolean(True)) is True
    assert lower["json"](v.Json_Number(1)) == 1.0
    assert lower["json"](v.Json_Arr(("a",))) == ["a"]
    bag = lower["bag"](
        v.Bag(
            v.Point(1, -2),
            v.Color.DARK_GREEN,
            v.Perms.READ | v.Perms.EXEC,
            (7, "é"),
            bytearray(b"\x01"),
            b"\xff",
        )
    )
    fields = bag.__dict__
    assert isinstance(bag, Record) and isinstance(fields["p"], Record)
    assert fields["p"].__dict__ == {"x-coord": 1, "y-coord": -2}
    assert [fields[k] for k in "cftbs"] == ["dark-green", {"read", "exec"}, (7, "é"), b"\x01", [-1]]


def test_lift_inverts_lower(values: ModuleType) -> None:
    v, pkg = values, sys.modules["values"]
    cases = {
        "option<u32>": [None, 0, 2**32 - 1],
        "result<u32, string>": [pkg.Ok(1), pkg.Err("no")],
        "result<_, string>": [pkg.Ok(None), pkg.Err("")],
        "result": [pkg.Ok(None), pkg.Err(None)],
        "result<string, string>": [pkg.Ok("a"), pkg.Err("b")],
        "option<option<u32>>": [None, pkg.Some(None), pkg.Some(3)],
        "json": [
            v.Json_Null(),
            v.Json_Boolean(False),
            v.Json_Number(2.5),
            v.Json_Str("s"),
            v.Json_Arr(["x"]),
        ],
        "mixed": [v.Mixed_N(None), v.Mixed_N(True)],
        "fine": [v.Fine_S("s"), v.Fine_N(None), v.Fine_N(False)],
        "bag": [v.Bag(v.Point(1, 2), v.Color.RED, v.Perms(0), (0, "x"), b"", b"\x80\x7f")],
    }
    for wit, samples in cases.items():
        lower = _conv("lower", wit)
        # wasmtime-py's own value already is the Python one for untagged `option<T>`
        lift = (lambda x: x) if wit == "option<u32>" else _conv("lift", wit)
        for sample in samples:
            assert lift(lower(sample)) == sample, wit


def test_unsendable_values_raise_instead_of_lying(values: ModuleType) -> None:
    v, pkg = values, sys.modules["values"]
    with pytest.raises(NotImplementedError, match=r"case `b` of `ab`"):
        _conv("lower", "ab")(v.Ab_B(True))
    assert _conv("lower", "ab")(v.Ab_A(3)) == 3
    with pytest.raises(NotImplementedError, match=r"case `err` of `result<option<u32>, string>`"):
        _conv("lower", "result<option<u32>, string>")(pkg.Err("x"))
    # `n` of `mixed` is option<bool>, {object, bool}: it takes every later case
    with pytest.raises(NotImplementedError, match=r"case `s` of `mixed`"):
        _conv("lower", "mixed")(v.Mixed_S("s"))
    assert _conv("lower", "fine")(v.Fine_S("s")) == "s"
    assert _conv("lower", "fine")(v.Fine_N(None)) is None


def test_unsendable_cases_are_reported(tmp_path: Path) -> None:
    (tmp_path / "in.wit").write_text(VALUES, encoding="utf-8")
    r = api.load(tmp_path / "in.wit").resolve
    diags = python_host.diagnose(r, api.select_world(r, None), python_host.HostOptions())
    messages = [d.message for d in diags if d.severity is Severity.WARNING]
    assert any("function `all`" in m and "case `b` of `ab`" in m for m in messages), messages
    assert any("case `err` of `result<option<u32>, string>`" in m for m in messages), messages
    assert diags and all(d.code == "WIT406" for d in diags)
    # each says what happens and how the WIT can avoid it, citing nothing outside the repo
    assert all("(it would send an earlier case)" in m for m in messages), messages
    assert not [m for m in messages if "B.2" in m or "BINDINGS" in m], messages
    fixes = {n.message for d in diags for n in d.notes}
    assert "declare case `b` before the integer case: a Python `bool` is an `int`" in fixes
    assert (
        "declare a variant instead, with a case of its own for the missing value: "
        "`variant lookup { found(u32), missing, failed(string) }`"
    ) in fixes, fixes


@pytest.mark.parametrize(
    ("check", "value", "error"),
    [
        ("u8", 256, OverflowError),
        ("s8", -129, OverflowError),
        ("u64", -1, OverflowError),
        ("s64", 2**63, OverflowError),
        ("u32", True, TypeError),
        ("u32", 1.0, TypeError),
        ("bool_", 1, TypeError),
        ("f64", "1", TypeError),
        ("f32", True, TypeError),
        ("char", "ab", TypeError),
        ("char", "", TypeError),
        ("char", "\ud800", ValueError),
        ("string", "a\udc00", ValueError),
        ("string", b"x", TypeError),
        ("bytes_", "x", TypeError),
        ("seq", {1}, TypeError),
    ],
)
def test_checks_before_wasm(values: ModuleType, check: str, value: object, error: type) -> None:
    rt = sys.modules["values._rt"]
    with pytest.raises(error):
        getattr(rt, check)(value)


@pytest.mark.parametrize(
    ("check", "value", "error"),
    [
        ("list_u32", [1, True], TypeError),
        ("list_u32", [1, 2**32], OverflowError),
        ("list_u32", [-1], OverflowError),
        ("list_u32", [1.0], TypeError),
        ("list_u32", "12", TypeError),
        ("list_s16", [-0x8001], OverflowError),
        ("list_u64", [2**64], OverflowError),
        ("list_f64", [1.0, True], TypeError),
        ("list_f32", ["1"], TypeError),
        ("list_bool", [True, 1], TypeError),
        ("list_string", ["a", b"x"], TypeError),
        ("list_string", ["a", "b\udc00"], ValueError),
        ("list_char", ["a", "ab"], TypeError),
        ("list_char", ["a", ""], TypeError),
        ("list_char", ["\ud800"], ValueError),
    ],
)
def test_list_checks_before_wasm(
    values: ModuleType, check: str, value: object, error: type
) -> None:
    """Lists of scalars are checked in bulk with the same errors as element by element."""
    rt = sys.modules["values._rt"]
    with pytest.raises(error):
        getattr(rt, check)(value)


def test_list_checks_pass_lists_through(values: ModuleType) -> None:
    """A list that passes is sent as it is; tuples, `int` for float and `int` subclasses are
    converted or accepted as for single values."""
    import enum

    rt = sys.modules["values._rt"]
    for check, good in [
        ("list_u32", [0, 2**32 - 1]),
        ("list_s64", [-(2**63), 2**63 - 1]),
        ("list_f64", [0.5]),
        ("list_bool", [True, False]),
        ("list_string", ["a", "é", "😀"]),
        ("list_char", ["a", "é"]),
        ("list_u16", []),
    ]:
        out = getattr(rt, check)(good)
        assert out == good, check
        if good and all(type(x) is not str or x.isascii() for x in good):
            assert out is good, check
    assert rt.list_u32((1, 2)) == [1, 2]
    assert rt.list_f64([1, 2.5]) == [1.0, 2.5] and type(rt.list_f64([1])[0]) is float

    class Small(enum.IntEnum):
        ONE = 1

    assert rt.list_u32([Small.ONE]) == [1]


def test_accepted_conversions(values: ModuleType) -> None:
    rt = sys.modules["values._rt"]
    assert rt.f64(3) == 3.0 and isinstance(rt.f64(3), float)
    assert rt.bytes_(bytearray(b"ab")) == b"ab" and rt.bytes_(memoryview(b"c")) == b"c"
    assert rt.seq((1, 2)) == (1, 2)
    assert rt.u64(2**64 - 1) == 2**64 - 1 and rt.s8(-128) == -128
    assert rt.string("ünï") == "ünï" and rt.char("😀") == "😀"


def test_package_surface(values: ModuleType) -> None:
    import wasmtime

    pkg = sys.modules["values"]
    assert set(pkg.__all__) >= {"Values", "ValuesImports", "Ok", "Err", "Some", "Result", "Trap"}
    assert issubclass(pkg.Trap, wasmtime.WasmtimeError) and pkg.Trap is not wasmtime.Trap
    assert issubclass(pkg.Err, Exception)
    assert isinstance(vars(pkg.Values)["add_to_linker"], staticmethod)
    assert isinstance(vars(pkg.Values)["instantiate"], classmethod)
    assert isinstance(vars(pkg.Values)["wasm_store"], property)
    for marker in ("imports", "exports"):  # package markers: a docstring and nothing else
        tree = ast.parse((Path(pkg.__file__ or "").parent / marker / "__init__.py").read_text())
        assert len(tree.body) == 1 and ast.get_docstring(tree) is not None
    assert (Path(pkg.__file__ or "").parent / "py.typed").is_file()


def test_state_resolves_exports_up_front(values: ModuleType) -> None:
    rt = sys.modules["values._rt"]

    class NoExports:
        def get_export_index(self, store: object, name: str, parent: object = None) -> None:
            return None

    with pytest.raises(LookupError, match="demo:values/api"):
        rt.State(object(), NoExports(), rt.Table(), (("demo:values/api", ("all",)),))


# ---------------------------------------------------------------- diagnostics


def _codes(diags: tuple[Diagnostic, ...]) -> dict[str, str]:
    """message → code, for the assertions below."""
    return {d.message: d.code for d in diags}


def test_unsupported_functions_are_errors_or_skipped(tmp_path: Path) -> None:
    path = SAMPLES / "streams.wit"
    r = api.load(path).resolve
    wid = api.select_world(r, None)
    errors = python_host.diagnose(r, wid, python_host.HostOptions())
    assert {d.severity for d in errors} == {Severity.ERROR}
    codes = _codes(errors)
    receive = "function `[method]channel.receive` cannot be called through wasmtime-py: it uses "
    assert codes[receive + "`stream<frame>`"] == "WIT404"
    closed = "function `[method]channel.closed` cannot be called through wasmtime-py: it uses "
    assert codes[closed + "`future<close-reason>`"] == "WIT404"
    # async wins over what the signature holds (`split` takes a stream too)
    for func in ("run", "split", "join", "[method]channel.send"):
        assert codes[f"function `{func}` cannot be called through wasmtime-py: it is async"] == (
            "WIT403"
        )
    assert all(d.span.known for d in errors)
    with pytest.raises(WitError):
        python_host.generate(r, wid, python_host.HostOptions())
    skipped = python_host.diagnose(r, wid, python_host.HostOptions(skip_unsupported=True))
    assert {d.severity for d in skipped} == {Severity.WARNING}
    assert sorted(d.code for d in skipped) == sorted(d.code for d in errors)
    assert all(d.message.endswith("; it is omitted") for d in skipped)


CONTAINERS = """package demo:containers;

interface api {
  record bag { names: map<string, u32> }
  by-name: func(m: map<string, u32>) -> u32;
  triple: func() -> list<u8, 3>;
  holds: func(b: bag);
  fine: func() -> error-context;
}

world containers { import api; }
"""


def _diagnose(tmp_path: Path, wit: str, **kw: Any) -> tuple[Diagnostic, ...]:
    (tmp_path / "in.wit").write_text(wit, encoding="utf-8")
    r = api.load(tmp_path / "in.wit", features=api.Features.of((), True)).resolve
    return python_host.diagnose(r, api.select_world(r, None), python_host.HostOptions(**kw))


def test_maps_and_fixed_lists_are_wit405(tmp_path: Path) -> None:
    codes = _codes(_diagnose(tmp_path, CONTAINERS))
    prefix = "cannot be called through wasmtime-py: it uses"
    assert codes[f"function `by-name` {prefix} `map<string, u32>`"] == "WIT405"
    assert codes[f"function `triple` {prefix} `list<u8, 3>`"] == "WIT405"
    assert codes[f"function `holds` {prefix} `map<string, u32>`"] == "WIT405"
    assert codes[f"function `fine` {prefix} `error-context`"] == "WIT404"
    skipped = _codes(_diagnose(tmp_path, CONTAINERS, skip_unsupported=True))
    assert skipped["type `bag` is omitted: wasmtime-py cannot pass `map<string, u32>`"] == "WIT405"


WASI_RESOURCES = """package demo:wasi-res;

interface api {
  use wasi:io/streams@0.2.0.{output-stream};
  use wasi:clocks/wall-clock@0.2.0.{datetime};
  record sink { out: output-stream, since: datetime }
  write-to: func(out: borrow<output-stream>, text: string);
  stamp: func(t: datetime) -> datetime;
}

world wasi-res {
  import wasi:cli/stdout@0.2.0;
  export api;
}

package wasi:io@0.2.0 {
  interface streams { resource output-stream { blocking-flush: func(); } }
}

package wasi:clocks@0.2.0 {
  interface wall-clock {
    record datetime { seconds: u64, nanoseconds: u32 }
    now: func() -> datetime;
  }
}

package wasi:cli@0.2.0 {
  interface stdout {
    use wasi:io/streams@0.2.0.{output-stream};
    get-stdout: func() -> output-stream;
  }
}
"""


def test_wasi_resources_are_wit407(tmp_path: Path) -> None:
    """Handles to resources WASI implements cannot be passed: WIT407, naming the function; the
    WASI interfaces' own functions are WASI's business and are not reported."""
    diags = _diagnose(tmp_path, WASI_RESOURCES)
    assert [(d.code, d.severity) for d in diags] == [("WIT407", Severity.ERROR)], diags
    assert diags[0].message == (
        "function `write-to` cannot be called through wasmtime-py: it uses "
        "`borrow<output-stream>`, a resource that WASI implements and wasmtime-py cannot pass"
    )
    assert diags[0].span.known


def test_wasi_imports_are_left_to_wasi(fresh_import: Path) -> None:
    """Imported WASI interfaces keep their types but get no `Host`, no linker code and no
    member of the world's Imports protocol; `stamp` (WASI types, no handles) is bound."""
    pkg = _load(fresh_import, WASI_RESOURCES, skip=True)
    root = fresh_import / "wasi_res"
    _lint([root])
    stdout = importlib.import_module("wasi_res.imports.stdout")
    clock = importlib.import_module("wasi_res.imports.wall_clock")
    streams = importlib.import_module("wasi_res.imports.streams")
    exported = importlib.import_module("wasi_res.exports.api")
    for mod in (stdout, clock, streams):
        assert not hasattr(mod, "Host") and not hasattr(mod, "_add_to_linker"), mod.__name__
    assert not hasattr(streams, "OutputStream")
    assert hasattr(clock, "Datetime") and hasattr(exported.Api, "stamp")
    assert not hasattr(exported.Api, "write_to") and not hasattr(exported, "Sink")
    assert {n for n in vars(pkg.WasiResImports) if not n.startswith("_")} == set()
    init = (root / "__init__.py").read_text(encoding="utf-8")
    assert "linker.root()" not in init  # nothing left to define: WASI is everything imported
    assert "left to WASI" in (pkg.WasiRes.add_to_linker.__doc__ or "")


def test_name_collisions_are_wit401(tmp_path: Path) -> None:
    """Two WIT names needing one class name: WIT401, naming the type and its span. Valid WIT
    cannot spell such a pair (wit-parser rejects `variant v { a, A }`), so the second case is
    renamed in the resolved model."""
    from witgen import model as m
    from witgen._record import replace

    (tmp_path / "in.wit").write_text(
        "package demo:clash;\ninterface api { variant v { a, b } }\nworld clash { import api; }\n",
        encoding="utf-8",
    )
    r = api.load(tmp_path / "in.wit").resolve
    tid, td = next((i, t) for i, t in enumerate(r.types) if t.name == "v")
    assert isinstance(td.kind, m.Variant)
    cases = (td.kind.cases[0], replace(td.kind.cases[1], name="A"))
    types = list(r.types)
    types[tid] = replace(td, kind=m.Variant(cases=cases))
    clash = replace(r, types=tuple(types))
    diags = python_host.diagnose(clash, api.select_world(clash, None), python_host.HostOptions())
    assert [(d.code, d.severity) for d in diags] == [("WIT401", Severity.ERROR)], diags
    assert diags[0].message == "type `v` needs the name `V_A`, taken in `clash.imports.api`"
    assert diags[0].span.known


# ---------------------------------------------------------------- the command

runner = CliRunner()


def test_cli_writes_the_package(tmp_path: Path) -> None:
    args = ["bindgen", "--lang", "python", "--host", str(SAMPLES / "notes"), "--world", "notes"]
    result = runner.invoke(app, [*args, "-o", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "notes")
    assert (tmp_path / "notes" / "py.typed").exists()
    # a second run replaces the package, stale modules included
    (tmp_path / "notes" / "imports" / "stale.py").write_text("", encoding="utf-8")
    result = runner.invoke(
        app, [*args, "-o", str(tmp_path), "--package", "notes"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "notes" / "imports" / "stale.py").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]  # no temporary leftovers


def test_cli_exit_codes(tmp_path: Path) -> None:
    base = ["bindgen", "--lang", "python"]
    missing_host = runner.invoke(app, [*base, str(SAMPLES / "notes"), "-o", str(tmp_path)])
    assert missing_host.exit_code == 1  # guest bindings, and the sample has several worlds
    many = runner.invoke(app, [*base, "--host", str(SAMPLES / "notes"), "-o", str(tmp_path)])
    assert many.exit_code == 1 and "multiple worlds" in many.stderr
    unsupported = runner.invoke(
        app, [*base, "--host", str(SAMPLES / "streams.wit"), "-o", str(tmp_path)]
    )
    assert unsupported.exit_code == 1, unsupported.output
    assert "error[WIT403]" in unsupported.stderr and "error[WIT404]" in unsupported.stderr
    assert "--skip-unsupported" in unsupported.stderr and "WIT400" not in unsupported.stderr
    assert not any(tmp_path.iterdir()), "no partial output"
    skipped = runner.invoke(
        app,
        [*base, "--host", str(SAMPLES / "streams.wit"), "-o", str(tmp_path), "--skip-unsupported"],
    )
    assert skipped.exit_code == 0, skipped.output
    assert "warning[WIT403]" in skipped.stderr and "warning[WIT404]" in skipped.stderr
    assert (tmp_path / "relay" / "__init__.py").exists()
    for result in (missing_host, many, unsupported, skipped):
        assert "Traceback" not in result.output


def test_cli_bad_package_name(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "bindgen",
            "--lang",
            "python",
            "--host",
            str(SAMPLES / "kv-store.wit"),
            "-o",
            str(tmp_path),
            "--package",
            "not-a-name",
        ],
    )
    assert result.exit_code == 1 and "not a valid Python package name" in result.stderr
    assert "error[WIT402]" in result.stderr


def test_cli_unknown_world(tmp_path: Path) -> None:
    args = ["bindgen", "--lang", "python", "--host", str(SAMPLES / "notes"), "--world", "nope"]
    result = runner.invoke(app, [*args, "-o", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "error[WIT210]: world `nope` not found" in result.stderr
    assert not any(tmp_path.iterdir())
