"""STYLE.md §6 habit 2: each heavy or optional library is imported by one module only."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {  # top-level package → the only witgen modules that may import it
    "lark": {"witgen/syntax/grammar.py"},  # and only to build the table, never to parse
    "jinja2": {"witgen/codegen/templating.py"},
    "typer": {"witgen/cli/app.py"},
    "rich": {"witgen/cli/console.py"},
    # the runtime of generated host packages: data that witgen copies, never imports
    "wasmtime": {"witgen/codegen/python/host/runtime/_rt.py"},
}


def imported(path: Path) -> set[str]:
    """Top-level names of every absolute import in the file, including function-local ones."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_layering() -> None:
    modules = {p.relative_to(ROOT).as_posix(): imported(p) for p in ROOT.glob("witgen/**/*.py")}
    assert "lark" in modules["witgen/syntax/grammar.py"]  # the scan sees lazy imports
    wrong = sorted(
        f"{module} imports {lib}"
        for module, libs in modules.items()
        for lib in libs & ALLOWED.keys()
        if module not in ALLOWED[lib]
    )
    assert not wrong, "\n".join(wrong)
