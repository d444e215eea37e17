"""Properties of the front end: any input gives a result or a `WitError`, nothing else.

(a) grammar-based: `hypothesis.extra.lark.from_lark` over witgen's own grammar yields
    syntactically valid text; `api.load` resolves it or raises `WitError`, and on a small
    sample the outcome and the JSON agree with `wasm-tools component wit --json`;
(b) mutation: a sample or corpus file with one token deleted, duplicated or swapped;
(c) pathological inputs (empty, binary, invalid UTF-8, 10 MB, nesting 10,000 deep,
    `deps/` symlink loops, a missing dependency, NUL, BOM), through `api` and the CLI.

Every example runs under `signal.alarm`, so a hang fails the test instead of stalling CI.
Profiles (`ci`, the default, derandomized; `fuzz` for long runs) come from conftest.py.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner
from wit_inputs import explicit_terminals, mutate, mutation_sources, wit_text

from witgen import api
from witgen.cli.app import app
from witgen.outputs.json import to_data
from witgen.syntax.grammar import plain_parser
from witgen.text.diagnostics import WitError, render_text

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "tests" / "ui"
SAMPLES = ROOT / "wit-samples"
CORPUS = ROOT.parent / "shared" / "corpus"
TIMEOUT = 20  # seconds per example; generous, a hang is what this catches


class Hang(Exception):
    pass


@contextmanager
def deadline(seconds: int = TIMEOUT) -> Iterator[None]:
    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def outcome(path: Path, features: api.Features | None = None) -> api.Loaded | WitError:
    """The result of loading `path`: a `Loaded`, or the `WitError`. Anything else escapes."""
    with deadline():
        try:
            return api.load(path, features=features)
        except WitError as e:
            assert e.diagnostics, "a WitError must carry at least one diagnostic"
            render_text(e.diagnostics, e.sources)  # rendering must not fail either
            return e


@pytest.fixture(scope="session")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory for generated inputs (session-scoped: hypothesis reuses it)."""
    return tmp_path_factory.mktemp("props")


# ---------------------------------------------------------------- (a) grammar-based


def test_grammar_terminals_all_padded() -> None:
    """Every terminal of the grammar has an explicit strategy (new terminals need one)."""
    terminals, _, ignore = plain_parser().grammar.compile(["file"], ())
    assert {t.name for t in terminals} | set(ignore) <= set(explicit_terminals())


@given(text=wit_text())
def test_grammar_text_resolves_or_raises_wit_error(text: str, scratch: Path) -> None:
    path = scratch / "generated.wit"
    path.write_text(text, encoding="utf-8")
    outcome(path)


# Divergences found by this test (and by hand) stay pinned as explicit examples.
@settings(max_examples=30)
@given(text=wit_text())
@example(text="package a:a {\n  interface i {}\n}\n")  # no top-level header
@example(text="package a:b;\ninterface i {\n  type m = map<f32, u8>;\n}\n")  # map key
@example(text="package a:b;\n/* c */\n/** d */\ninterface i {}\n")  # docs dedent
@example(text="package a:b;\ninterface i {\n  type t = tuple<>;\n}\n")  # empty tuple
@example(text="package a:b;\rinterface i {}\n")  # a lone carriage return
def test_grammar_text_agrees_with_wasm_tools(text: str, scratch: Path, wasm_tools: str) -> None:
    path = scratch / "compared.wit"
    path.write_text(text, encoding="utf-8")
    ref = subprocess.run(
        [wasm_tools, "component", "wit", "--json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    got = outcome(path)
    if isinstance(got, WitError):
        assert ref.returncode != 0, (
            f"witgen rejects what wasm-tools accepts:\n{render_text(got.diagnostics, got.sources)}"
        )
    else:
        assert ref.returncode == 0, f"witgen accepts what wasm-tools rejects:\n{ref.stderr}"
        assert to_data(got.resolve) == json.loads(ref.stdout)


# ---------------------------------------------------------------- (b) mutation


def test_mutate() -> None:
    text = "package a:b;\ntype x = list<u8>;"
    assert mutate(text, 0, "delete") == " a:b;\ntype x = list<u8>;"
    assert mutate(text, 10, "delete") == "package a:b;\ntype x = list<>;"
    assert mutate(text, 4, "duplicate") == "package a:b; ;\ntype x = list<u8>;"
    assert mutate(text, 5, "swap") == "package a:b;\nx type = list<u8>;"
    assert mutate(text, 12, "swap") == "; a:b;\ntype x = list<u8>package"
    assert mutate("", 3, "swap") == ""


SOURCES = mutation_sources()


@given(
    source=st.sampled_from(SOURCES),
    index=st.integers(min_value=0, max_value=10_000),
    op=st.sampled_from(["delete", "duplicate", "swap"]),
)
def test_mutated_source_resolves_or_raises_wit_error(
    source: Path, index: int, op: str, scratch: Path
) -> None:
    path = scratch / "mutated.wit"
    path.write_text(mutate(source.read_text(encoding="utf-8"), index, op), encoding="utf-8")
    outcome(path, api.Features.of(["active"]))


# ---------------------------------------------------------------- (c) pathological inputs


def _cli(path: Path) -> tuple[int, str]:
    # catch_exceptions=False: a bug (anything but WitError) fails with its own traceback.
    result = CliRunner().invoke(
        app, ["--color", "never", "check", str(path)], catch_exceptions=False
    )
    return result.exit_code, result.output


def _assert_rejected(path: Path, *, mentions: str = "") -> WitError:
    got = outcome(path)
    assert isinstance(got, WitError), f"{path.name} should be rejected"
    rendered = render_text(got.diagnostics, got.sources)
    assert mentions in rendered
    code, output = _cli(path)
    assert code == 1, output
    assert "Traceback" not in output
    assert mentions in output
    return got


def _assert_accepted(path: Path) -> api.Loaded:
    got = outcome(path)
    assert not isinstance(got, WitError), render_text(got.diagnostics, got.sources)
    code, output = _cli(path)
    assert code == 0, output
    return got


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.wit").write_bytes(b"")
    _assert_rejected(tmp_path / "empty.wit", mentions="no `package` header")


@pytest.mark.parametrize("suffix", [".wit", ".wasm", ".wat"])
def test_binary_garbage(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"garbage{suffix}"
    path.write_bytes(bytes(range(256)) * 8)
    _assert_rejected(path)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.wasm", b""),
        ("truncated.wasm", b"\0asm\x0d\0\x01\0\x00\x05"),
        ("open.wat", b"(component"),
    ],
)
def test_broken_binary_and_text_components(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    _assert_rejected(path)


def test_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.wit"
    path.write_bytes(b"package a:b;\n// caf\xe9\ninterface i {}\n")
    _assert_rejected(path, mentions="UTF-8")


def test_nul_byte(tmp_path: Path) -> None:
    path = tmp_path / "nul.wit"
    path.write_bytes(b"package a:b;\ninterface i {}\n\x00\n")
    d = _assert_rejected(path).diagnostics[0]
    assert d.span.known


def test_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    # wasm-tools accepts a leading BOM; the file is otherwise valid.
    path = tmp_path / "bom.wit"
    path.write_bytes(b"\xef\xbb\xbfpackage a:b;\ninterface i {}\n")
    resolve = _assert_accepted(path).resolve
    assert [p.name.name for p in resolve.packages] == ["b"]


def test_ten_megabyte_comment_line(tmp_path: Path) -> None:
    path = tmp_path / "big.wit"
    path.write_text("package a:b;\n// " + "y" * 10 * 2**20 + "\ninterface i {}\n", encoding="utf-8")
    _assert_accepted(path)


@pytest.mark.slow
def test_ten_megabytes_of_comment_lines(tmp_path: Path) -> None:
    line = "// " + "x" * 77 + "\n"
    path = tmp_path / "big.wit"
    path.write_text("package a:b;\n" + line * (10 * 2**20 // 80) + "interface i {}\n")
    _assert_accepted(path)


def test_ten_megabytes_of_garbage(tmp_path: Path) -> None:
    path = tmp_path / "big.wit"
    path.write_text("package a:b;\n" + "}{;" * (10 * 2**20 // 3), encoding="utf-8")
    _assert_rejected(path)


@pytest.mark.parametrize("depth", [600, 10_000])
def test_deeply_nested_list(tmp_path: Path, depth: int) -> None:
    # wasm-tools: "type nesting too deep" (its limit is close to 500).
    path = tmp_path / "deep.wit"
    ty = "list<" * depth + "u8" + ">" * depth
    path.write_text(f"package a:b;\ninterface i {{\n  type t = {ty};\n}}\n", encoding="utf-8")
    _assert_rejected(path, mentions="nesting too deep")


def test_deeply_nested_packages(tmp_path: Path) -> None:
    path = tmp_path / "deep.wit"
    nested = "".join(f"package a:b{i} {{\n" for i in range(2000)) + "}\n" * 2000
    path.write_text("package a:root;\n" + nested, encoding="utf-8")
    _assert_rejected(path)


def _package(root: Path, text: str = "package a:b;\ninterface i {}\n") -> Path:
    (root / "deps").mkdir(parents=True)
    (root / "root.wit").write_text(text, encoding="utf-8")
    return root


def test_deps_symlink_to_the_package_itself(tmp_path: Path) -> None:
    root = _package(tmp_path / "pkg")
    (root / "deps" / "loop").symlink_to("..")
    _assert_rejected(root)


def test_deps_symlink_to_deps(tmp_path: Path) -> None:
    root = _package(tmp_path / "pkg")
    (root / "deps" / "self").symlink_to("../deps")
    _assert_rejected(root)


@pytest.mark.parametrize(
    ("link", "target"),
    [("deps/dangling", "nowhere"), ("deps/x.wit", "x.wit"), ("loop.wit", "loop.wit")],
    ids=["deps-dangling", "deps-self-loop", "root-self-loop"],
)
def test_unreadable_symlinks_are_reported(tmp_path: Path, link: str, target: str) -> None:
    # The loader's contract: every unreadable path becomes a diagnostic. wasm-tools fails
    # on all three ("No such file or directory", "Too many levels of symbolic links").
    root = _package(tmp_path / "pkg")
    (root / link).symlink_to(target)
    _assert_rejected(root)


def test_missing_dependency_names_the_package(tmp_path: Path) -> None:
    root = _package(
        tmp_path / "pkg", "package a:b;\ninterface i {\n  use missing:dep/iface.{t};\n}\n"
    )
    _assert_rejected(root, mentions="missing:dep")


def test_missing_path(tmp_path: Path) -> None:
    _assert_rejected(tmp_path / "absent.wit", mentions="absent.wit")


def test_directory_without_wit_files(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    _assert_rejected(tmp_path / "pkg")
