"""The WIT printer: the corpus oracle (`print.wit` from `resolve.json`) and its tricky parts.

Corpus cases come from `../shared/corpus/{wit-component,codegen,wasi}/manifest.json`: every
case that records both a `json` and a `print` expectation. The model is built with
`from_json`, whose `main` (the last package) is the package wasm-tools printed first.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from witgen.model import PackageId
from witgen.outputs import printer
from witgen.outputs.json import from_data, from_json
from witgen.outputs.printer import (
    PrintOptions,
    escape,
    out_dir_files,
    print_package,
    print_resolve,
    rust_lines,
    string_literal,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
FOLDERS = ("wit-component", "codegen", "wasi")


def _corpus_cases() -> list[tuple[str, Path, Path]]:
    cases: list[tuple[str, Path, Path]] = []
    for folder in FOLDERS:
        manifest = CORPUS / folder / "manifest.json"
        if not manifest.is_file():
            continue
        for case in json.loads(manifest.read_text(encoding="utf-8"))["cases"]:
            expected = case.get("expected", {})
            if "json" in expected and "print" in expected:
                base = CORPUS / folder
                cases.append((case["id"], base / expected["json"], base / expected["print"]))
    return cases


CASES = _corpus_cases()


@pytest.mark.skipif(not CASES, reason=f"{CORPUS} is absent")
@pytest.mark.parametrize(
    ("json_path", "print_path"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_corpus_print(json_path: Path, print_path: Path) -> None:
    resolve = from_json(json_path.read_text(encoding="utf-8"))
    want = print_path.read_text(encoding="utf-8")
    assert print_resolve(resolve) == want


def test_corpus_is_complete() -> None:
    """The corpus is not silently missing cases (130 when this test was written)."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent")
    assert len(CASES) >= 130


# ---------------------------------------------------------------- hand-written models


def _resolve(
    *,
    packages: list[dict[str, Any]],
    interfaces: list[dict[str, Any]] | None = None,
    worlds: list[dict[str, Any]] | None = None,
    types: list[dict[str, Any]] | None = None,
) -> Any:
    return from_data(
        {
            "packages": packages,
            "interfaces": interfaces or [],
            "worlds": worlds or [],
            "types": types or [],
        }
    )


def test_escape() -> None:
    assert escape("type") == "%type"
    assert escape("error-context") == "%error-context"
    assert escape("map") == "%map"
    assert escape("async") == "%async"
    assert escape("types") == "types"
    assert escape("my-record") == "my-record"
    # Words that are only keywords in annotations stay plain.
    assert escape("since") == "since"
    assert escape("version") == "version"


def test_keywords_escaped_everywhere() -> None:
    # Checked against `wasm-tools component wit` of the equivalent source. wasm-tools does
    # not escape feature names (`@unstable(feature = %func)` prints as `feature = func`,
    # which does not parse back); we copy that.
    r = _resolve(
        packages=[
            {"name": "own:borrow@2.0.0", "interfaces": {"list": 0}, "worlds": {}},
            {"name": "use:type@1.0.0", "interfaces": {"world": 1}, "worlds": {"interface": 0}},
        ],
        interfaces=[
            {"name": "list", "types": {"string": 0}, "functions": {}, "package": 0},
            {
                "name": "world",
                "types": {"string": 1, "char": 2, "u8": 3},
                "functions": {
                    "stream": {
                        "name": "stream",
                        "kind": "freestanding",
                        "params": [{"name": "future", "type": 3}],
                        "result": 1,
                    }
                },
                "package": 1,
            },
        ],
        worlds=[
            {
                "name": "interface",
                "imports": {
                    "interface-0": {"interface": {"id": 0}},
                    "interface-1": {"interface": {"id": 1}},
                    "enum": {"function": {"name": "enum", "kind": "freestanding", "params": []}},
                },
                "exports": {"import": {"interface": {"id": 1}}},
                "package": 1,
            }
        ],
        types=[
            {"name": "string", "kind": {"type": "u32"}, "owner": {"interface": 0}},
            {"name": "string", "kind": {"type": 0}, "owner": {"interface": 1}},
            {"name": "char", "kind": {"type": 0}, "owner": {"interface": 1}},
            {
                "name": "u8",
                "kind": {"type": "u8"},
                "owner": {"interface": 1},
                "stability": {"unstable": {"feature": "func"}},
            },
        ],
    )
    assert print_resolve(r) == (
        "package %use:%type@1.0.0;\n"
        "\n"
        "interface %world {\n"
        "  use %own:%borrow/%list@2.0.0.{%string, %string as %char};\n"
        "\n"
        "  @unstable(feature = func)\n"
        "  type %u8 = u8;\n"
        "\n"
        "  %stream: func(%future: %u8) -> %string;\n"
        "}\n"
        "\n"
        "world %interface {\n"
        "  import %own:%borrow/%list@2.0.0;\n"
        "  import %world;\n"
        "  import %enum: func();\n"
        "\n"
        "  export %import: %world;\n"
        "}\n"
        "package %own:%borrow@2.0.0 {\n"
        "  interface %list {\n"
        "    type %string = u32;\n"
        "  }\n"
        "}\n"
    )


ODD_DOCS = '   lead\n\n\ttab \r\n */ `x` \\ """ é\r\n'


def _documented() -> Any:
    return _resolve(
        packages=[
            {"name": "a:b", "docs": {"contents": "pkg"}, "interfaces": {"i": 0}, "worlds": {}}
        ],
        interfaces=[
            {
                "name": "i",
                "types": {},
                "functions": {
                    "f": {
                        "name": "f",
                        "kind": "freestanding",
                        "params": [],
                        "docs": {"contents": ODD_DOCS},
                    },
                    "g": {
                        "name": "g",
                        "kind": "freestanding",
                        "params": [],
                        "docs": {"contents": ""},
                    },
                },
                "docs": {"contents": "x\ry\n"},
                "package": 0,
            }
        ],
    )


def test_docs_with_odd_characters() -> None:
    # One `///` line per Rust `str::lines` line: `\r\n` ends a line, a lone `\r` does not,
    # an empty line prints as a bare `///` and a final newline adds no line.
    assert print_resolve(_documented()) == (
        "/// pkg\n"
        "package a:b;\n"
        "\n"
        "/// x\ry\n"
        "interface i {\n"
        "  ///    lead\n"
        "  ///\n"
        "  /// \ttab \n"
        '  ///  */ `x` \\ """ é\n'
        "  f: func();\n"
        "\n"
        "  g: func();\n"
        "}\n"
        "\n"
    )


def test_docs_can_be_skipped() -> None:
    text = print_resolve(_documented(), docs=False)
    assert "///" not in text
    assert text.startswith("package a:b;\n\ninterface i {\n  f: func();\n")


def test_rust_lines() -> None:
    assert rust_lines("") == []
    assert rust_lines("a") == ["a"]
    assert rust_lines("a\n") == ["a"]
    assert rust_lines("\n") == [""]
    assert rust_lines("a\r\nb\rc\n\n") == ["a", "b\rc", ""]
    assert rust_lines("a\r") == ["a\r"]


def test_string_literal() -> None:
    assert string_literal("hi") == '"hi"'
    assert string_literal("a-b.c/d:e_f 9") == '"a-b.c/d:e_f 9"'
    assert string_literal('q"b\\s\n\t\r') == '"q\\"b\\\\s\\n\\t\\r"'
    assert string_literal("{é😀'") == '"\\u{7b}\\u{e9}\\u{1f600}\\u{27}"'


def _resource_world() -> Any:
    # world w { resource r { constructor(); m: func(); s: static async func() -> r; }
    #           import f: func(x: borrow<r>) -> result<r, string>; export g: func(); }
    own = {"name": None, "kind": {"handle": {"own": 0}}, "owner": None}
    return _resolve(
        packages=[{"name": "a:b", "interfaces": {}, "worlds": {"w": 0}}],
        worlds=[
            {
                "name": "w",
                "imports": {
                    "r": {"type": 0},
                    "[constructor]r": {
                        "function": {
                            "name": "[constructor]r",
                            "kind": {"constructor": 0},
                            "params": [],
                            "result": 1,
                        }
                    },
                    "[method]r.m": {
                        "function": {
                            "name": "[method]r.m",
                            "kind": {"method": 0},
                            "params": [{"name": "self", "type": 2}],
                        }
                    },
                    "[static]r.s": {
                        "function": {
                            "name": "[static]r.s",
                            "kind": {"async-static": 0},
                            "params": [],
                            "result": 1,
                        }
                    },
                    "f": {
                        "function": {
                            "name": "f",
                            "kind": "freestanding",
                            "params": [{"name": "x", "type": 2}],
                            "result": 3,
                        }
                    },
                },
                "exports": {"g": {"function": {"name": "g", "kind": "freestanding", "params": []}}},
                "package": 0,
            }
        ],
        types=[
            {"name": "r", "kind": "resource", "owner": {"world": 0}},
            own,
            {"name": None, "kind": {"handle": {"borrow": 0}}, "owner": None},
            {"name": None, "kind": {"result": {"ok": 1, "err": "string"}}, "owner": None},
        ],
    )


def test_world_resource_functions_and_exports() -> None:
    assert print_resolve(_resource_world()) == (
        "package a:b;\n"
        "\n"
        "world w {\n"
        "  resource r {\n"
        "    constructor();\n"
        "    m: func();\n"
        "    s: static async func() -> r;\n"
        "  }\n"
        "  import f: func(x: borrow<r>) -> result<r, string>;\n"
        "\n"
        "  export g: func();\n"
        "}\n"
    )


def _packages(*names: str) -> Any:
    return _resolve(packages=[{"name": n, "interfaces": {}, "worlds": {}} for n in names])


def _packages_sharing_names() -> Any:
    return _packages("b:x", "c:x@1.0.0", "c:x@2.0.0", "a:y", "a:x@1.0.0")


def test_out_dir_file_names() -> None:
    # As `wasm-tools component wit --out-dir`: the main package at the top, the others in
    # deps/; `ns:` is added when a name lives in several namespaces, `@version` when
    # `ns:name` is not unique.
    files = out_dir_files(_packages_sharing_names())
    assert list(files) == [
        PurePosixPath("deps/b:x.wit"),
        PurePosixPath("deps/c:x@1.0.0.wit"),
        PurePosixPath("deps/c:x@2.0.0.wit"),
        PurePosixPath("deps/y.wit"),
        PurePosixPath("a:x.wit"),
    ]
    assert files[PurePosixPath("deps/y.wit")] == "package a:y;\n\n"
    assert list(out_dir_files(_packages("a:x@2.0.0", "a:x"))) == [
        PurePosixPath("deps/x@2.0.0.wit"),
        PurePosixPath("x.wit"),
    ]
    assert list(out_dir_files(_packages("a:x@2.0.0", "b:x@2.0.0", "a:x@1.0.0"))) == [
        PurePosixPath("deps/a:x@2.0.0.wit"),
        PurePosixPath("deps/b:x.wit"),
        PurePosixPath("a:x@1.0.0.wit"),
    ]


def test_main_package_printed_first_then_the_rest_in_order() -> None:
    r = _packages_sharing_names()
    text = print_resolve(r, main=PackageId(1))
    assert text == (
        "package c:x@1.0.0;\n\n"
        "package b:x {\n}\n\n\n"
        "package c:x@2.0.0 {\n}\n\n\n"
        "package a:y {\n}\n\n\n"
        "package a:x@1.0.0 {\n}\n"
    )
    assert print_package(r, PackageId(3)) == "package a:y;\n\n"


def test_generate() -> None:
    r = _packages_sharing_names()
    assert generate_keys(r, PrintOptions()) == ["x.wit"]
    assert generate_keys(r, PrintOptions(out_dir=True))[-1] == "a:x.wit"
    files = printer.generate(r)
    assert files[PurePosixPath("x.wit")] == print_resolve(r)


def generate_keys(r: Any, options: PrintOptions) -> list[str]:
    return [str(p) for p in printer.generate(r, None, options)]


def test_no_main_package_is_an_error() -> None:
    with pytest.raises(ValueError, match="no main package"):
        print_resolve(_resolve(packages=[]))


NO_DOCS_CASES = [c for c in CASES if c[0] in ("encode/doc-comments", "wasi/0.2.0/http")]


@pytest.mark.skipif(shutil.which("wasm-tools") is None, reason="wasm-tools is not on PATH")
@pytest.mark.parametrize("case_id", [c[0] for c in NO_DOCS_CASES])
def test_no_docs_equals_wasm_tools(case_id: str) -> None:
    folder, _, _ = case_id.partition("/")
    folder = {"encode": "wit-component"}.get(folder, folder)
    manifest = json.loads((CORPUS / folder / "manifest.json").read_text(encoding="utf-8"))
    case = next(c for c in manifest["cases"] if c["id"] == case_id)
    source = CORPUS / folder / case["input"]
    want = subprocess.run(
        ["wasm-tools", "component", "wit", "--no-docs", str(source)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    json_path = CORPUS / folder / case["expected"]["json"]
    assert print_resolve(from_json(json_path.read_text(encoding="utf-8")), docs=False) == want
