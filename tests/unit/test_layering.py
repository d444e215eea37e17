"""The layers of ARCHITECTURE.md, enforced: each witgen module imports only its own layer and
the layers before it, and each heavy or optional library is imported by one module only.

Imports are read from the source with `ast`, function-local and `TYPE_CHECKING` ones included,
so a lazy import cannot hide a dependency that runs the wrong way.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The data flow, first to last. A module belongs to the first layer whose prefix its path
# (relative to the repository) starts with.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("witgen/__init__.py", "witgen/_record.py")),
    ("text", ("witgen/text/",)),
    ("syntax", ("witgen/syntax/",)),
    ("loading", ("witgen/loading/",)),
    ("model", ("witgen/model/",)),
    ("resolve", ("witgen/resolve/",)),
    ("wasm", ("witgen/wasm/",)),
    ("outputs", ("witgen/outputs/",)),
    ("codegen", ("witgen/codegen/",)),
    ("api", ("witgen/api.py",)),
    ("cli", ("witgen/cli/", "witgen/__main__.py")),
)
# Inside codegen the shared layers come before the generators built on them: the Python layer
# (naming, type views, protocols) knows nothing of host, guest or native code.
SHARED_PYTHON = "witgen/codegen/python/"
PYTHON_GENERATORS = ("witgen.codegen.python.host", "witgen.codegen.python.guest")

ALLOWED = {  # top-level package → the only witgen modules that may import it
    "lark": {"witgen/syntax/grammar.py"},  # and only to build the table, never to parse
    "jinja2": {"witgen/codegen/templating.py"},
    "markdown_it": {"witgen/codegen/markdown/site.py"},
    "typer": {"witgen/cli/app.py"},
    "rich": {"witgen/cli/console.py"},
    # The runtime copied into generated host packages; witgen reads it as text, never runs it.
    "wasmtime": {"witgen/codegen/python/host/runtime/_rt.py"},
}


def _module_name(rel: str) -> str:
    name = rel.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def imported(path: Path) -> set[str]:
    """Every absolute module name the file imports, including function-local ones; `from a
    import b` counts as `a.b` and as `a`, since b may be a module or a name."""
    rel = path.relative_to(ROOT).as_posix()
    package = _module_name(rel).rsplit(".", 0 if rel.endswith("__init__.py") else 1)[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _layer_of_path(rel: str) -> int:
    for index, (_, prefixes) in enumerate(LAYERS):
        if rel.startswith(prefixes) or rel in prefixes:
            return index
    raise AssertionError(f"{rel} belongs to no layer: add it to LAYERS and ARCHITECTURE.md")


def _layer_of_module(name: str) -> int | None:
    """The layer of a witgen module name, or None for a name that is not a module (an
    imported class or function, whose module is counted separately)."""
    for candidate in (name.replace(".", "/") + ".py", name.replace(".", "/") + "/__init__.py"):
        if (ROOT / candidate).is_file():
            return _layer_of_path(candidate)
    return None


def _modules() -> dict[str, set[str]]:
    return {p.relative_to(ROOT).as_posix(): imported(p) for p in ROOT.glob("witgen/**/*.py")}


def test_every_module_has_a_layer() -> None:
    for rel in _modules():
        _layer_of_path(rel)


def test_imports_follow_the_layers() -> None:
    modules = _modules()
    assert "witgen.syntax.parse" in modules["witgen/loading/loader.py"]  # lazy imports are seen
    wrong = []
    for rel, names in sorted(modules.items()):
        own = _layer_of_path(rel)
        for name in sorted(n for n in names if n == "witgen" or n.startswith("witgen.")):
            layer = _layer_of_module(name)
            if layer is not None and layer > own:
                wrong.append(f"{rel} ({LAYERS[own][0]}) imports {name} ({LAYERS[layer][0]})")
    assert not wrong, "\n".join(wrong)


def test_shared_python_layer_knows_no_generator() -> None:
    wrong = [
        f"{rel} imports {name}"
        for rel, names in sorted(_modules().items())
        if rel.startswith(SHARED_PYTHON) and rel.count("/") == 3
        for name in sorted(names)
        if name.startswith(PYTHON_GENERATORS)
    ]
    assert not wrong, "\n".join(wrong)


def test_libraries_stay_in_their_module() -> None:
    modules = _modules()
    assert "lark" in modules["witgen/syntax/grammar.py"]
    wrong = sorted(
        f"{module} imports {lib}"
        for module, names in modules.items()
        for lib in {n.split(".")[0] for n in names} & ALLOWED.keys()
        if module not in ALLOWED[lib]
    )
    assert not wrong, "\n".join(wrong)


def test_every_module_is_on_the_map() -> None:
    """ARCHITECTURE.md names every module with code, so the map cannot fall behind the tree."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = []
    for path in sorted(ROOT.glob("witgen/**/*.py")):
        rel = path.relative_to(ROOT).as_posix()
        short = rel.removeprefix("witgen/")
        body = ast.parse(path.read_text(encoding="utf-8")).body
        is_code = any(not isinstance(node, ast.Expr) for node in body)  # more than a docstring
        if is_code and f"`{short}`" not in text and f"`{rel}`" not in text:
            missing.append(rel)
    assert not missing, "not in ARCHITECTURE.md: " + ", ".join(missing)
