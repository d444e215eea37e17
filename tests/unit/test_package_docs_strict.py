"""The `package-docs` section read as strictly as wit-component reads it.

wit-component reads the section's JSON with serde: its structs refuse unknown fields (a
gate's excepted), maps may not be null, a function's metadata is its docs or a struct of
docs and gate, a gate is `"unknown"` or one of `unknown`, `unstable`, `stable` with their
fields, versions are semantic versions; and every name must be something the package has
(the maps of a world's imports may also name its exports). Each case is the section of a
package encoded by wasm-tools, its JSON changed, decoded by witgen and by `wasm-tools
component wit`: both refuse it, or both print the same WIT.
"""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from witgen.wasm.binary import iter_sections, section, uleb128

PACKAGE = """package a:b@1.0.0;

/// iface docs
@since(version = 1.0.0)
interface i {
  /// rec docs
  record r {
    /// field docs
    x: u32,
  }
  /// f docs
  f: func();
}

/// world docs
world w {
  import i;
  /// g docs
  import g: func();
  export h: func();
  import imp: interface { k: func(); }
  export exp: interface { m: func(); }
}
"""

Edit = Callable[[dict[str, Any]], object]


def _set(path: tuple[str, ...], value: object) -> Edit:
    def edit(meta: dict[str, Any]) -> object:
        node = meta
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
        return meta

    return edit


IFACE = ("interfaces", "i")
WORLD = ("worlds", "w")
CASES: dict[str, Edit] = {
    "as-encoded": lambda meta: meta,
    "unknown-package-field": _set(("zz",), 1),
    "unknown-world-field": _set((*WORLD, "zz"), 1),
    "unknown-interface-field": _set((*IFACE, "zz"), 1),
    "unknown-type-field": _set((*IFACE, "types", "r", "zz"), 1),
    "unknown-function-field": _set((*IFACE, "funcs", "f", "zz"), 1),
    "function-as-docs": _set((*IFACE, "funcs", "f"), "docs only"),
    "function-as-number": _set((*IFACE, "funcs", "f"), 5),
    "unknown-field-of-a-gate": _set((*IFACE, "stability", "stable", "zz"), 1),
    "deprecated": _set((*IFACE, "stability", "stable", "deprecated"), "1.1.0"),
    "since-missing": _set((*IFACE, "stability", "stable"), {}),
    "since-not-a-version": _set((*IFACE, "stability", "stable", "since"), "1.x"),
    "gate-unknown-string": _set((*IFACE, "stability"), "unknown"),
    "gate-unknown-variant": _set((*IFACE, "stability"), {"unknown": None}),
    "gate-unstable": _set((*IFACE, "stability"), {"unstable": {"feature": "x"}}),
    "gate-unstable-without-feature": _set((*IFACE, "stability"), {"unstable": {}}),
    "gate-bogus": _set((*IFACE, "stability"), {"bogus": {}}),
    "docs-null": _set((*IFACE, "docs"), None),
    "docs-number": _set((*IFACE, "docs"), 5),
    "package-docs-number": _set(("docs",), 5),
    "worlds-null": _set(("worlds",), None),
    "interface-null": _set(IFACE, None),
    "funcs-null": _set((*IFACE, "funcs"), None),
    "missing-function": _set((*IFACE, "funcs", "nope"), {"docs": "d"}),
    "missing-type": _set((*IFACE, "types", "nope"), {"docs": "d"}),
    "missing-interface": _set(("interfaces", "nope"), {"docs": "d"}),
    "missing-world": _set(("worlds", "nope"), {"docs": "d"}),
    "item-the-type-lacks": _set((*IFACE, "types", "r", "items", "y"), "d"),
    "no-items": _set((*IFACE, "types", "r", "items"), {}),
    "world-function-missing": _set((*WORLD, "funcs", "nope"), "x"),
    "import-map-naming-an-export": _set((*WORLD, "funcs", "h"), "x"),
    "export-map-naming-an-import": _set((*WORLD, "func_exports", "g"), "x"),
    "inline-import-map-naming-an-export": _set((*WORLD, "interfaces", "exp"), {"docs": "D"}),
    "inline-export-map-naming-an-import": _set((*WORLD, "interface_exports", "imp"), {}),
    "interface-docs-of-an-import": _set((*WORLD, "interface_import_docs", "a:b/i@1.0.0"), "I"),
    "interface-docs-missing": _set((*WORLD, "interface_import_docs", "a:b/nope@1.0.0"), "I"),
    "interface-export-docs-of-an-import": _set(
        (*WORLD, "interface_export_docs", "a:b/i@1.0.0"), "I"
    ),
    "top-level-number": lambda meta: 5,
    "top-level-sequence": lambda meta: [],
}


@pytest.fixture(scope="module")
def encoded(wasm_tools: str, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("docs")
    (folder / "p.wit").write_text(PACKAGE, encoding="utf-8")
    out = folder / "p.wasm"
    subprocess.run(
        [wasm_tools, "component", "wit", "--wasm", str(folder / "p.wit"), "-o", str(out)],
        check=True,
    )
    return out.read_bytes()


def _with_docs(data: bytes, edit: Edit) -> bytes:
    """`data` with its `package-docs` JSON passed through `edit`."""
    out = data[:8]
    found = False
    for section_id, start, body, end in iter_sections(data, 8):
        name_length = data[body]
        name = data[body + 1 : body + 1 + name_length]
        if section_id == 0 and name == b"package-docs":
            meta = json.loads(data[body + 2 + name_length : end])
            payload = json.dumps(edit(copy.deepcopy(meta))).encode()
            out += section(0, uleb128(len(name)) + name + bytes([1]) + payload)
            found = True
        else:
            out += data[start:end]
    assert found
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_read_as_wit_component_reads_it(
    case: str, encoded: bytes, wasm_tools: str, tmp_path: Path
) -> None:
    path = tmp_path / f"{case}.wasm"
    path.write_bytes(_with_docs(encoded, CASES[case]))
    reference = subprocess.run(
        [wasm_tools, "component", "wit", str(path)], capture_output=True, text=True
    )
    mine = subprocess.run(["witgen", "print", str(path)], capture_output=True, text=True)
    assert (mine.returncode == 0) == (reference.returncode == 0), (reference.stderr, mine.stderr)
    if reference.returncode == 0:
        assert mine.stdout == reference.stdout
    else:
        # The same words (serde's line and column aside; witgen names the section's offset).
        reason = reference.stderr.removeprefix("error: ").split(" at line ")[0].split(";")[0]
        assert reason.strip() in mine.stderr
