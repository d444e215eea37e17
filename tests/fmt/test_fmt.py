"""`witgen fmt`: layout goldens, meaning and comments kept over the corpus, idempotence,
agreement with `witgen print`, and the command line.

Goldens: `tests/fmt/<case>.wit` is formatted into `tests/fmt/<case>.wit.fmt` (re-record with
`pytest --update-goldens -k <case>`). Over the corpus, `../shared/corpus`, every file that
parses is formatted twice (the second pass must change nothing) and re-parsed: the syntax
tree, spans aside, must be the one of the source, with the same comments as docs of every
item, and every comment of the file must still be there. Every package that resolves is
formatted in a copy and resolved again: the JSON must be byte for byte the same.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import golden
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from witgen import api
from witgen._record import fields as record_fields
from witgen.api import Features
from witgen.cli.app import app
from witgen.outputs.json import to_json
from witgen.syntax import nodes, parse
from witgen.text.diagnostics import WitError

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "fmt"
SAMPLES = ROOT / "wit-samples"
CORPUS = ROOT.parent / "shared" / "corpus"
FOLDERS = ("wit-parser", "wit-component", "codegen", "wasi")
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent")


def fmt(text: str, *, width: int | None = None) -> str:
    return api.format_text(text, width=width)


def shape(value: Any) -> Any:
    """A node without its spans; docs as their comments (line comments lose trailing
    whitespace, as the formatter writes them and as wit-parser reads them)."""
    if isinstance(value, nodes.Docs):
        return tuple(c.rstrip() if c.startswith("//") else c for c in value.comments)
    if isinstance(value, nodes.File):
        return (shape(value.package), shape(value.items))
    if hasattr(type(value), "__record__"):
        annotations = type(value).__annotations__
        fields = [name for name in record_fields(type(value)) if annotations[name] != "Span"]
        return (type(value).__name__, *(shape(getattr(value, name)) for name in fields))
    if isinstance(value, tuple):
        return tuple(shape(v) for v in value)
    return value


def comments(file: nodes.File) -> Counter[str]:
    return Counter(c.text.rstrip() if c.text.startswith("//") else c.text for c in file.comments)


def assert_keeps_meaning(source: str, formatted: str) -> None:
    """The formatted text parses to the same tree with the same docs, keeps every comment,
    and is a fixed point."""
    before, _ = parse.parse_text(source)
    after, _ = parse.parse_text(formatted)
    assert shape(after) == shape(before)
    assert comments(after) == comments(before)
    assert fmt(formatted) == formatted, "not idempotent"


# ---------------------------------------------------------------- goldens


def _golden_cases() -> list[Path]:
    return sorted(CASES.glob("*.wit"))


@pytest.mark.parametrize("case", _golden_cases(), ids=lambda p: p.stem)
def test_golden(case: Path) -> None:
    source = case.read_text(encoding="utf-8")
    formatted = fmt(source)
    golden.assert_golden(case.with_suffix(".wit.fmt"), formatted)
    assert_keeps_meaning(source, formatted)


def test_golden_cases_exist() -> None:
    assert {p.stem for p in _golden_cases()} >= {
        "blank-lines",
        "comments",
        "escapes",
        "layout",
        "wrapping",
    }


# ---------------------------------------------------------------- small rules


def test_layout_of_print() -> None:
    src = "package a:b;\ninterface i { record r { x: u32, y: list<u8> } f: func(a: u32) -> u32; }\n"
    assert fmt(src) == (
        "package a:b;\n"
        "interface i {\n"
        "  record r {\n"
        "    x: u32,\n"
        "    y: list<u8>,\n"
        "  }\n"
        "  f: func(a: u32) -> u32;\n"
        "}\n"
    )


def test_width_is_configurable() -> None:
    src = "package a:b;\n\ninterface i {\n  f: func(first: u32, second: u32) -> u32;\n}\n"
    assert fmt(src) == src
    assert fmt(src, width=30) == (
        "package a:b;\n\n"
        "interface i {\n"
        "  f: func(\n"
        "    first: u32,\n"
        "    second: u32,\n"
        "  ) -> u32;\n"
        "}\n"
    )
    assert len(max(fmt(src, width=40).splitlines(), key=len)) <= 40


def test_a_trailing_comma_is_dropped_when_flat_and_added_when_broken() -> None:
    flat = fmt("package a:b;\ninterface i {\n  use j.{x, y,};\n  f: func(a: u32,);\n}\n")
    assert "use j.{x, y};" in flat
    assert "f: func(a: u32);" in flat
    broken = fmt("package a:b;\ninterface i {\n  f: func(a: u32 // why\n  );\n}\n")
    assert "f: func(\n    a: u32, // why\n  );" in broken


def test_percent_only_where_needed() -> None:
    out = fmt("package a:b;\ninterface %i {\n  %record: func(%x: %string, %y: u32);\n}\n")
    assert "interface i {" in out
    assert "%record: func(x: %string, y: u32);" in out


def test_line_endings_and_trailing_space() -> None:
    src = "package a:b;   \r\n\r\ninterface i {   // note   \r\n  f: func();\r\n}\r\n"
    out = fmt(src)
    assert out == "package a:b;\n\ninterface i { // note\n  f: func();\n}\n"
    assert_keeps_meaning(src, out)


def test_empty_and_comment_only_files() -> None:
    assert fmt("") == ""
    assert fmt("\n\n// only a comment\n\n\n/* and another */\n") == (
        "// only a comment\n\n/* and another */\n"
    )


def test_syntax_error_is_a_wit_error() -> None:
    with pytest.raises(WitError) as e:
        fmt("package a:b;\ninterface i { f: func(; }\n")
    assert e.value.diagnostics[0].code == "WIT101"


# ---------------------------------------------------------------- comments anywhere

_SAMPLE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.wit"))]


def _gaps(text: str) -> list[int]:
    """Every place between two tokens (right after each token)."""
    return [int(tok.end_pos) for tok in parse.tokenize(text, 0)]


_INSERTS = st.sampled_from([" /* c */ ", " // c\n", "\n\n// own line\n", "\n/** doc */\n", "\n\n"])


@given(data=st.data())
def test_comments_anywhere_keep_their_place(data: st.DataObject) -> None:
    """Comments (and blank lines) inserted between any two tokens of a sample: the
    formatted text has the same tree, docs and comments, is a fixed point, and resolves
    to the same JSON (docs included) as the commented source."""
    text = data.draw(st.sampled_from(_SAMPLE_TEXTS))
    spots = data.draw(st.lists(st.sampled_from(_gaps(text)), min_size=1, max_size=8, unique=True))
    for spot in sorted(spots, reverse=True):
        text = text[:spot] + data.draw(_INSERTS) + text[spot:]
    formatted = fmt(text)
    assert_keeps_meaning(text, formatted)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.wit"
        path.write_text(text, encoding="utf-8")
        want = to_json(api.load(path, use_cache=False).resolve)
        path.write_text(formatted, encoding="utf-8")
        assert to_json(api.load(path, use_cache=False).resolve) == want


# ---------------------------------------------------------------- the corpus


def _corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.wit")) if CORPUS.is_dir() else []


@needs_corpus
@pytest.mark.parametrize("folder", FOLDERS)
def test_corpus_files_keep_meaning_and_are_idempotent(folder: str) -> None:
    """Every corpus file that parses (the parse-fail cases do not)."""
    files = [p for p in _corpus_files() if p.is_relative_to(CORPUS / folder)]
    assert files
    parsed = 0
    for path in files:
        source = path.read_text(encoding="utf-8")
        try:
            formatted = fmt(source)
        except WitError:
            continue
        parsed += 1
        try:
            assert_keeps_meaning(source, formatted)
        except AssertionError as e:
            raise AssertionError(f"{path}: {e}") from None
    assert parsed > len(files) * 0.8


def _units() -> Iterator[tuple[str, Path, Features]]:
    """Every package of the corpus and of the repository: manifest inputs, printed
    packages, samples, tests/ui cases."""
    if CORPUS.is_dir():
        for folder in FOLDERS:
            manifest = json.loads((CORPUS / folder / "manifest.json").read_text(encoding="utf-8"))
            for case in manifest["cases"]:
                if case["kind"] == "fail" or not (
                    case["input_is_dir"] or case["input"].endswith(".wit")
                ):
                    continue  # rejected by design, or a binary
                feats = Features.of(case.get("features", []), case.get("all_features", False))
                yield case["id"], CORPUS / folder / case["input"], feats
        for path in sorted(CORPUS.rglob("print.wit")):
            yield str(path.relative_to(CORPUS).parent), path, Features()
    for base in (SAMPLES, ROOT / "tests" / "ui"):
        for path in sorted(base.iterdir()):
            if path.suffix == ".wit" or (path.is_dir() and path.name != "parse-fail"):
                yield str(path.relative_to(ROOT)), path, _directive_features(path)


def _directive_features(path: Path) -> Features:
    """A UI case's `//@ features = a, b` first line (see tests/ui/test_ui.py)."""
    first = path if path.is_file() else min(path.glob("*.wit"), default=None)
    line = first.read_text(encoding="utf-8").partition("\n")[0] if first else ""
    names = line.removeprefix("//@ features = ") if line.startswith("//@ features = ") else ""
    return Features.of([f.strip() for f in names.split(",") if f.strip()])


UNITS = list(_units())


@pytest.mark.parametrize(("path", "features"), [u[1:] for u in UNITS], ids=[u[0] for u in UNITS])
def test_resolved_json_is_unchanged(path: Path, features: Features, tmp_path: Path) -> None:
    try:
        want = to_json(api.load(path, features=features, use_cache=False).resolve)
    except WitError:
        pytest.skip("does not resolve")
    copy = tmp_path / path.name
    if path.is_dir():
        shutil.copytree(path, copy)
    else:
        shutil.copyfile(path, copy)
    results = api.format_paths([str(copy)], write=True, use_cache=False)
    assert all(not r.diagnostics for r in results)
    assert to_json(api.load(copy, features=features, use_cache=False).resolve) == want
    again = api.format_paths([str(copy)], use_cache=False)
    assert not any(r.changed for r in again), "not idempotent"


def test_corpus_is_covered() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent")
    assert len(UNITS) > 300


@needs_corpus
def test_printed_files_are_already_formatted() -> None:
    """`witgen print` output (each corpus `print.wit`) is left as it is, but for blank
    lines and width: wasm-tools ends a file whose last item is an interface with a blank
    line and sometimes puts two blank lines before a nested package, where fmt keeps at
    most one and none at the end; and it never wraps, so the width is lifted here."""
    printed = sorted(CORPUS.rglob("print.wit"))
    assert len(printed) > 100
    for path in printed:
        text = path.read_text(encoding="utf-8")
        want = re.sub("\n\n\n+", "\n\n", text).rstrip("\n") + "\n"
        assert fmt(text, width=1_000_000) == want, path


# ---------------------------------------------------------------- the command line


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output, result.output
    return result


UGLY = "package a:b;\ninterface i { f: func(x: u32,); }\n"
PRETTY = "package a:b;\ninterface i {\n  f: func(x: u32);\n}\n"
BROKEN = "package a:b;\ninterface i { f: func(; }\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A package with a dependency, an unformatted file in each, and a hidden directory."""
    (tmp_path / "deps" / "dep").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "main.wit").write_text(UGLY, encoding="utf-8")
    (tmp_path / "ok.wit").write_text(PRETTY.replace("a:b", "a:c"), encoding="utf-8")
    (tmp_path / "deps" / "dep" / "dep.wit").write_text(UGLY, encoding="utf-8")
    (tmp_path / ".hidden" / "skip.wit").write_text(UGLY, encoding="utf-8")
    (tmp_path / "notes.txt").write_text(UGLY, encoding="utf-8")
    return tmp_path


def test_fmt_rewrites_in_place(tree: Path) -> None:
    os.chmod(tree / "main.wit", 0o640)
    result = invoke("fmt", str(tree))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert (tree / "main.wit").read_text(encoding="utf-8") == PRETTY
    assert (tree / "deps" / "dep" / "dep.wit").read_text(encoding="utf-8") == PRETTY
    assert (tree / ".hidden" / "skip.wit").read_text(encoding="utf-8") == UGLY
    assert (tree / "notes.txt").read_text(encoding="utf-8") == UGLY
    assert os.stat(tree / "main.wit").st_mode & 0o777 == 0o640
    assert f"reformatted {tree / 'main.wit'}" in result.stderr
    assert "ok.wit" not in result.stderr
    leftovers = [p for p in tree.rglob("*") if p.name.endswith(".tmp")]
    assert not leftovers
    assert invoke("fmt", "--check", str(tree)).exit_code == 0


def test_fmt_check_lists_files_and_writes_nothing(tree: Path) -> None:
    result = invoke("fmt", "--check", str(tree))
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        str(tree / "deps" / "dep" / "dep.wit"),
        str(tree / "main.wit"),
    ]
    assert (tree / "main.wit").read_text(encoding="utf-8") == UGLY


def test_fmt_diff(tree: Path) -> None:
    path = str(tree / "main.wit")
    result = invoke("fmt", "--diff", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"--- {path}\n+++ {path}\n@@ ")
    assert "-interface i { f: func(x: u32,); }\n+interface i {\n" in result.stdout
    assert (tree / "main.wit").read_text(encoding="utf-8") == UGLY
    assert invoke("fmt", "--diff", "--check", path).exit_code == 1


def test_fmt_stdout(tree: Path) -> None:
    result = invoke("fmt", "--stdout", str(tree / "main.wit"))
    assert result.exit_code == 0, result.output
    assert result.stdout == PRETTY
    assert (tree / "main.wit").read_text(encoding="utf-8") == UGLY


def test_fmt_width_option(tmp_path: Path) -> None:
    path = tmp_path / "x.wit"
    path.write_text(PRETTY.replace("x: u32", "first: u32, second: u32"), encoding="utf-8")
    result = invoke("fmt", "--stdout", "--width", "30", str(path))
    assert "  f: func(\n    first: u32,\n    second: u32,\n  );\n" in result.stdout
    assert invoke("fmt", "--width", "3", str(path)).exit_code == 2


def test_fmt_leaves_a_file_with_errors_alone(tree: Path) -> None:
    bad = tree / "bad.wit"
    bad.write_bytes(BROKEN.encode())
    before = os.stat(bad).st_mtime_ns
    result = invoke("fmt", str(tree))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error[WIT101]: expected an identifier or string, found ';'")
    assert f"--> {bad}:2:" in result.stderr
    assert bad.read_bytes() == BROKEN.encode()
    assert os.stat(bad).st_mtime_ns == before
    # the other files are formatted all the same
    assert (tree / "main.wit").read_text(encoding="utf-8") == PRETTY


def test_fmt_missing_file(tmp_path: Path) -> None:
    result = invoke("fmt", str(tmp_path / "nope.wit"))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error[WIT200]: failed to read path")


def test_fmt_unwritable_directory(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only directories")
    path = tmp_path / "x.wit"
    path.write_text(UGLY, encoding="utf-8")
    tmp_path.chmod(0o500)
    try:
        result = invoke("fmt", str(path))
    finally:
        tmp_path.chmod(0o700)
    assert result.exit_code == 1, result.output
    assert "failed to write" in result.stderr
    assert path.read_text(encoding="utf-8") == UGLY


def test_fmt_requires_a_path() -> None:
    assert invoke("fmt").exit_code == 2


def test_fmt_diff_marks_a_missing_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "x.wit"
    path.write_text("package a:b;\ninterface i {}", encoding="utf-8")
    result = invoke("fmt", "--diff", str(path))
    assert result.exit_code == 0, result.output
    assert "-interface i {}\n\\ No newline at end of file\n+interface i {\n+}\n" in result.stdout


def test_fmt_reports_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "x.wit"
    path.write_bytes(b"package a:b;\n// \xff\n")
    result = invoke("fmt", str(path))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error[WIT107]: failed to read file")
    assert path.read_bytes() == b"package a:b;\n// \xff\n"
