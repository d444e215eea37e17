"""docs/host-bindings.md (and the README's host section) against the code they describe.

Each test takes a statement of the guide and checks it against what witgen writes or what
the generated package does:

- the install line and the supported wasmtime range are pyproject's `host` extra, and CI
  tests its oldest version;
- the `pycon` sessions of the guide run, in order, against the package its command writes
  (the checks of `add_to_linker`, abstract Protocol members);
- the `_result` twins it names are in the codegen golden, and a taken name gets `_`;
- byte-list parameters are annotated as it says;
- `f32` values are range-checked as it says, with the message it quotes;
- the WIT406 example prints what it shows, and `--allow WIT406` silences it;
- the typed-error example passes `mypy --strict` with no `Any`, and the subclass mistake it
  names is the one mypy reports;
- a store without `set_wasi` gets a default exactly in the cases it lists.

Tests that import or run a generated package need wasmtime and skip without it.
"""

from __future__ import annotations

import ast
import math
import os
import re
import shlex
import struct
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "host-bindings.md"
README = ROOT / "README.md"
NOTES_GOLDEN = ROOT / "tests" / "codegen" / "notes" / "host" / "notes"


def _guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _flat(text: str) -> str:
    """`text` with every run of whitespace one space, so that a phrase is found however the
    Markdown wraps it."""
    return " ".join(text.split())


def _section(text: str, heading: str) -> str:
    """The text under the Markdown heading `heading` (`## Title`), up to the next heading of
    the same or a higher level."""
    level = heading.split(" ", 1)[0]
    start = text.index(f"\n{heading}\n")
    end = re.compile(rf"^#{{1,{len(level)}}} ", flags=re.M).search(text, start + len(heading) + 2)
    return text[start : end.start() if end else len(text)]


def _block(text: str, info: str) -> str:
    """The body of the only fenced block whose info string is `info`."""
    found = re.findall(rf"^```{re.escape(info)}\n(.*?)^```$", text, flags=re.S | re.M)
    assert len(found) == 1, (info, len(found))
    return str(found[0])


def _env(*first: Path) -> dict[str, str]:
    """`first`, then this checkout, then the caller's PYTHONPATH: the witgen under test, and
    generated packages importable."""
    path = [*map(str, first), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path), "NO_COLOR": "1"}


def _run(args: list[str], cwd: Path, *first: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=_env(*first), capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def guide_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory holding the package `notes` that the guide's command writes (run from a
    scratch directory, its input path taken from the repository root)."""
    out = tmp_path_factory.mktemp("guide")
    command = (
        "witgen bindgen --lang python --host tests/e2e/guests/notes/wit --world notes -o build"
    )
    assert f"`{command}`" in _guide()
    args = shlex.split(command)[1:]
    args[args.index("--host") + 1] = str(ROOT / args[args.index("--host") + 1])
    done = _run([sys.executable, "-m", "witgen", *args], out)
    assert done.returncode == 0, done.stderr
    assert (out / "build" / "notes" / "__init__.py").is_file()
    return out / "build"


# ---------------------------------------------------------------- installing


def _host_extra() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        extras: dict[str, list[str]] = tomllib.load(f)["project"]["optional-dependencies"]
    return extras["host"]


def test_install_line_is_the_host_extra() -> None:
    """The range the guide and the README state is pyproject's `host` extra, the tests run on
    it, and CI runs the host tests again on its lower bound."""
    extra = _host_extra()
    assert len(extra) == 1 and extra[0].startswith("wasmtime>="), extra
    spec = extra[0]
    oldest = spec.split(">=", 1)[1].split(",", 1)[0]
    guide, readme = _guide(), README.read_text(encoding="utf-8")
    for text in (guide, readme):
        assert "pip install 'witgen[host]'" in text
        assert f"`{spec}`" in text
    assert f"pip install '{spec}'" in guide
    assert f"{oldest} is the oldest release" in _flat(guide)

    with (ROOT / "pyproject.toml").open("rb") as f:
        test_extra = tomllib.load(f)["project"]["optional-dependencies"]["test"]
    assert spec in test_extra, "the suite runs on the newest release of the host range"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert '["optional-dependencies"]["host"][0]' in ci
    assert 'pip install "wasmtime==$oldest"' in ci
    assert "tests/e2e tests/codegen" in ci
    assert "(`tests/e2e` and `tests/codegen`)" in _flat(guide)


# ---------------------------------------------------------------- sessions

# Runs every `pycon` block of the guide as one doctest session, in order.
RUN_SESSIONS = r'''
import doctest
import re
import sys


class Checker(doctest.OutputChecker):
    """Reads Python 3.12's wording of an abstract class's `TypeError` as 3.11's, which the
    guide shows (and says that newer versions word it differently)."""

    def check_output(self, want, got, optionflags):
        got = re.sub(
            r"without an implementation for abstract (methods?) (.*)",
            lambda m: f"with abstract {m[1]} {m[2].replace(chr(39), '')}",
            got,
        )
        return super().check_output(want, got, optionflags)


text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"^```pycon\n(.*?)^```$", text, flags=re.S | re.M)
session = "\n".join(blocks)
globs = {"__name__": "__main__"}
test = doctest.DocTestParser().get_doctest(session, globs, "host-bindings.md", sys.argv[1], 0)
runner = doctest.DocTestRunner(checker=Checker(), optionflags=0)
runner.run(test)
print(f"{len(test.examples)} examples, {runner.failures} failed")
sys.exit(1 if runner.failures or not test.examples else 0)
'''


def test_sessions_run(guide_package: Path, tmp_path: Path) -> None:
    """The guide's `pycon` sessions (add_to_linker's checks, abstract members) print what
    they show, against the package the guide's command writes."""
    pytest.importorskip("wasmtime")
    script = tmp_path / "run_sessions.py"
    script.write_text(RUN_SESSIONS, encoding="utf-8")
    done = _run([sys.executable, str(script), str(GUIDE)], tmp_path, guide_package)
    assert done.returncode == 0, done.stdout + done.stderr
    assert int(done.stdout.split()[-4]) >= 20, done.stdout


# ---------------------------------------------------------------- twins and annotations

DOCS_WIT = """\
package demo:docs;

interface sink {
  put: func(b: list<u8>) -> list<u8>;
}

world docs {
  import sink;
  export save: func() -> result<u32, string>;
  export save-result: func() -> result<u32, string>;
  export version: func() -> string;
  export raw: func(b: list<u8>, o: option<list<s8>>, l: list<list<u8>>, t: tuple<list<u8>, u32>)
    -> list<s8>;
}
"""


@pytest.fixture(scope="module")
def docs_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from witgen import api

    root = tmp_path_factory.mktemp("docs-wit")
    (root / "docs.wit").write_text(DOCS_WIT, encoding="utf-8")
    return api.bindgen_host(root / "docs.wit", out_dir=root / "out", use_cache=False).path


def _signatures(path: Path) -> dict[str, dict[str, str]]:
    """Per class of a module, each method's signature as `(params) -> result`, unparsed."""
    out: dict[str, dict[str, str]] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef):
            out[node.name] = {
                f.name: f"({ast.unparse(f.args)}) -> {ast.unparse(f.returns) if f.returns else ''}"
                for f in node.body
                if isinstance(f, ast.FunctionDef)
            }
    return out


def test_named_twins_are_in_the_golden() -> None:
    """`Document.save` has `save_result`, ... as the guide says: in the golden of `notes`,
    with the parameters of the function and a `Result` return."""
    section = _section(_guide(), "### The `_result` twin")
    pairs = re.findall(r"`(\w+)\.(\w+)` has `(\w+)`", _flat(section))
    assert len(pairs) >= 2, pairs
    classes = _signatures(NOTES_GOLDEN / "exports" / "editor.py")
    for cls, function, twin in pairs:
        assert twin == f"{function}_result"
        params, _, result = classes[cls][twin].partition(" -> ")
        assert params == classes[cls][function].partition(" -> ")[0]
        assert result.startswith("Result["), (twin, result)


def test_twin_of_a_taken_name_gets_an_underscore(docs_package: Path) -> None:
    """Beside a WIT function `save-result`, `save`'s twin is `save_result_`; functions whose
    result is not a `result` have none."""
    said = re.search(
        r"beside a WIT function `([\w-]+)`, the twin of `(\w+)` is `(\w+)`", _flat(_guide())
    )
    assert said is not None
    wit_function, function, twin = said.groups()
    world = _signatures(docs_package / "__init__.py")["Docs"]
    assert wit_function.replace("-", "_") in world and function in world
    assert world[twin].endswith("-> Result[int, str]")
    assert world[wit_function.replace("-", "_")].endswith("-> int")
    assert "version_result" not in world


def test_byte_list_annotations(docs_package: Path) -> None:
    """An export's byte-list parameter takes `bytes | bytearray | memoryview` at the top, in an
    option or a tuple, and `bytes` inside a list; results and host parameters are `bytes`."""
    union = "bytes | bytearray | memoryview"
    guide = _guide()
    assert f"annotated `{union}`, what the bindings accept" in _flat(guide)
    assert "at the top of an argument, in an `option` or in a `tuple`" in _flat(guide)
    raw = _signatures(docs_package / "__init__.py")["Docs"]["raw"]
    assert raw == (
        f"(self, b: {union}, o: {union} | None, l: list[bytes], t: tuple[{union}, int]) -> bytes"
    )
    host = _signatures(docs_package / "imports" / "sink.py")["Host"]
    assert host["put"] == "(self, b: bytes) -> bytes"


# ---------------------------------------------------------------- f32


def test_f32_range_as_documented() -> None:
    """A finite value that would round to infinity raises `OverflowError` with the quoted
    message; the value the guide names as passing rounds to f32's largest; infinities and NaN
    pass; lists of f32 are checked too."""
    pytest.importorskip("wasmtime")
    from witgen.codegen.python.host.runtime import _rt

    guide = _flat(_guide())
    quoted = re.search(r"`OverflowError: (\S+) (is out of range for f32 [^`]*)`", guide)
    assert quoted is not None
    value, message = float(quoted[1]), f"{quoted[1]} {quoted[2]}"
    with pytest.raises(OverflowError) as raised:
        _rt.f32(value)
    assert str(raised.value) == message
    with pytest.raises(OverflowError):
        _rt.list_f32([1.0, value])
    with pytest.raises(OverflowError):
        _rt.f32(-value)

    passing = re.search(r"`(\S+)` itself rounds to the largest `f32` and passes", guide)
    assert passing is not None
    largest = struct.unpack("<f", struct.pack("<f", float(passing[1])))[0]
    assert _rt.f32(float(passing[1])) == float(passing[1])
    assert largest == struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]
    assert "`inf`, `-inf` and `nan` pass" in guide
    for special in (math.inf, -math.inf):
        assert _rt.f32(special) == special
    assert math.isnan(_rt.f32(math.nan))


# ---------------------------------------------------------------- WIT406


def test_wit406_example_prints_what_the_guide_shows(tmp_path: Path) -> None:
    """The guide's WIT406 world, through the command it shows, prints its warnings and their
    help; with `--allow WIT406` it prints none and still writes the package."""
    limitations = _section(_guide(), "## Limitations")
    (tmp_path / "example.wit").write_text(_block(limitations, "wit example.wit"))
    command = re.search(
        r"`(witgen bindgen [^`]*example\.wit[^`]*)` writes the package", _flat(limitations)
    )
    assert command is not None
    args = shlex.split(command[1])[1:]
    done = _run([sys.executable, "-m", "witgen", *args], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.rstrip("\n") == _block(limitations, "text bindgen prints").rstrip("\n")
    assert "`--allow WIT406` stops printing the warning" in _flat(limitations)
    allowed = _run([sys.executable, "-m", "witgen", *args, "--allow", "WIT406"], tmp_path)
    assert allowed.returncode == 0 and allowed.stderr == "", allowed.stderr
    assert Path(tmp_path, allowed.stdout.strip(), "__init__.py").is_file()


def test_bindgen_options_of_the_guide_exist(tmp_path: Path) -> None:
    """Every option of a `witgen bindgen` command the guide shows, or that it names on its own
    (`--allow WIT406`), is one of `witgen bindgen -h`."""
    guide = _guide()
    commands = re.findall(r"witgen bindgen [^`\n]*", guide)
    options = {o for c in commands for o in re.findall(r"(?<!\S)(--?[a-z][\w-]*)", c)}
    options |= set(re.findall(r"`(--[a-z][\w-]*)[ `]", guide))
    assert {"--world-name", "--allow", "--host", "-o"} <= options
    help_text = _run([sys.executable, "-m", "witgen", "bindgen", "-h"], tmp_path).stdout
    for option in options:
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_text), option


# ---------------------------------------------------------------- type checking

# The mistake the guide says mypy reports: `self.fs` set in `__init__` of a subclass.
SUBCLASS_MISTAKE = """\
from notes import NotesImports
from notes.imports import fs


class Typed(NotesImports):
    def __init__(self, files: fs.Host) -> None:
        self.fs = files

    def now(self) -> int:
        return 0
"""


@pytest.mark.slow
def test_type_checking_example(guide_package: Path, tmp_path: Path) -> None:
    """The typed-error example passes `mypy --strict` without a single expression of type
    `Any` (so `outcome.value` is the error's type, not `Any`); the subclass mistake gives the
    message the guide quotes."""
    pytest.importorskip("mypy")
    section = _section(_guide(), "## Type checking")
    example = _block(section, "python")
    assert "save_result(" in example
    (guide_package / "typed_errors.py").write_text(example, encoding="utf-8")
    (guide_package / "subclass_mistake.py").write_text(SUBCLASS_MISTAKE, encoding="utf-8")
    config = tmp_path / "mypy.ini"
    config.write_text(
        textwrap.dedent("""\
            [mypy]
            strict = True

            [mypy-typed_errors]
            disallow_any_expr = True
        """),
        encoding="utf-8",
    )
    done = _run(
        [
            sys.executable, "-m", "mypy", "--config-file", str(config),
            "--cache-dir", str(tmp_path / "cache"), "typed_errors.py", "subclass_mistake.py",
        ],
        guide_package,
    )  # fmt: skip
    quoted = re.search(r"mypy` reports it: `([^`]+)`", _flat(_guide()))
    assert quoted is not None
    errors = [line for line in done.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 1, done.stdout
    assert errors[0].startswith("subclass_mistake.py:7: error: " + quoted[1]), errors


# ---------------------------------------------------------------- WASI

# Which stores `instantiate` gives a default `WasiConfig()`: it does so through
# `Store.set_wasi`, counted here by one more wrapper installed after the package's.
WASI_DEFAULT = """
import wasmtime
from wasmtime.component import Component, Linker

engine = wasmtime.Engine()
early = wasmtime.Store(engine)  # made before any generated package is imported

from notes import Notes  # installs the runtime's wrappers

for name in ("__init__", "set_wasi"):
    assert hasattr(getattr(wasmtime.Store, name), "__wrapped__"), name

calls = []
wrapped = wasmtime.Store.set_wasi


def counted(self, wasi):
    calls.append(self)
    wrapped(self, wasi)


wasmtime.Store.set_wasi = counted
empty = Component(engine, "(component)")


class Files:
    def file_new(self, path): ...
    def file_open(self, path): ...
    def log(self, msg): ...


class Host:
    fs = Files()

    def now(self):
        return 0


def defaulted(store, wasi=True):
    linker = Linker(engine)
    if not wasi:
        linker.add_wasip2()
    Notes.add_to_linker(linker, Host(), wasi=wasi)
    calls.clear()
    try:
        Notes.instantiate(store, empty, linker)
    except LookupError:  # the empty component lacks the world's exports
        pass
    return calls == [store]


configured = wasmtime.Store(engine)
configured.set_wasi(wasmtime.WasiConfig())
print(
    defaulted(wasmtime.Store(engine)),
    defaulted(configured),
    defaulted(early),
    defaulted(wasmtime.Store(engine), wasi=False),
)
"""


def test_store_without_set_wasi_as_documented(guide_package: Path, tmp_path: Path) -> None:
    """`Store.__init__` and `Store.set_wasi` are wrapped once a generated package is imported;
    `instantiate` gives a default only to a store made after that, never given `set_wasi`,
    with a linker `add_to_linker` added WASI to: not to a configured store, one made before
    the import, or one whose linker got WASI with `wasi=False`."""
    pytest.importorskip("wasmtime")
    section = _section(_guide(), "### A store without `set_wasi`")
    for said in (
        "replaces `wasmtime.Store.__init__` and `wasmtime.Store.set_wasi`",
        "process-wide",
        "`add_to_linker` added WASI to this linker (`wasi=True`), the store was made after the "
        "wrappers were installed, and `set_wasi` was never called on it",
        "a store made **before** the first generated package was imported",
        "got WASI from your own `add_wasip2()` with `wasi=False`",
    ):
        assert said in _flat(section), said
    script = tmp_path / "wasi_default.py"
    script.write_text(WASI_DEFAULT, encoding="utf-8")
    done = _run([sys.executable, str(script)], tmp_path, guide_package)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False", "False", "False"]


# ---------------------------------------------------------------- host resources

DUCK = """
from notes import _rt
from notes.imports import fs


class Duck:
    def read(self) -> str:
        return ""

    def write(self, text: str) -> None:
        pass


print(_rt.not_a(fs.File, Duck()))
"""


def test_incomplete_host_resource_message(guide_package: Path, tmp_path: Path) -> None:
    """An object lacking a member of a host resource's Protocol is refused with the message
    the guide quotes (`Cx.give` and `Cx.lend` raise what `not_a` returns)."""
    pytest.importorskip("wasmtime")
    quoted = re.search(r"\(`(expected File, got Duck \(it lacks drop\))`\)", _flat(_guide()))
    assert quoted is not None
    script = tmp_path / "duck.py"
    script.write_text(DUCK, encoding="utf-8")
    done = _run([sys.executable, str(script)], tmp_path, guide_package)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == quoted[1]
