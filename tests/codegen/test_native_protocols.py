"""The native harness's Protocols are the host bindings': same members, same parameters.

Input: every world of the golden cases (`tests/codegen/*/case.toml`) and of the `codegen`
and `wasi` corpora beside the repository (skipped when absent). For each, the guest
bindings' `wit_world/native/` and the host bindings (`skip_unsupported`, so that every
world binds) are generated and parsed with `ast`.

Output: per world, the members of `native.Imports` equal those of `<World>Imports`, and per
imported interface the members of `native.<m>.Host` and of each resource Protocol equal
those of the host bindings' `imports.<m>.Host` and resource Protocols, each with the same
parameter names; except the members of functions the host bindings cannot bind (async
ones, those passing streams, futures, maps, `list<T, N>`, WASI's resources, and interfaces
WASI implements), which only the native Protocols have: the test checks those are exactly
the functions the host planner left out.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest
from generated_code import corpus_worlds

from witgen import api
from witgen import model as m
from witgen.codegen.python import naming, protocols
from witgen.codegen.python.guest import generator as guest_generator
from witgen.codegen.python.guest import native
from witgen.codegen.python.guest.planning import GuestOptions
from witgen.codegen.python.guest.planning import WorldPlan as GuestPlan
from witgen.codegen.python.host import generator as host_generator
from witgen.codegen.python.host.planning import HostOptions
from witgen.codegen.python.host.planning import WorldPlan as HostPlan
from witgen.text.diagnostics import WitError

ROOT = Path(__file__).resolve().parents[2]
CODEGEN = ROOT / "tests" / "codegen"

# member name → parameter names (without `self`)
Members = dict[str, tuple[str, ...]]


@dataclass
class Protocols:
    """The Protocol classes of one side: `Imports`, then per module `Host` and resources."""

    imports: Members = field(default_factory=dict)
    # (module, class) → members; the class is "Host" for a module's `Host` Protocol.
    classes: dict[tuple[str, str], Members] = field(default_factory=dict)


def _members(node: ast.ClassDef) -> Members:
    out: Members = {}
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            args = [a.arg for a in item.args.args][1:]
            out[item.name] = tuple(args)
    return out


def _classes(source: str) -> dict[str, ast.ClassDef]:
    tree = ast.parse(source)
    return {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}


def _is_resource(node: ast.ClassDef) -> bool:
    return any(ast.unparse(d).endswith("runtime_checkable") for d in node.decorator_list)


def _host_name(classes: dict[str, ast.ClassDef]) -> str | None:
    """The module's `Host` Protocol (`Host_` when a resource took the name)."""
    found = [n for n in classes if n.rstrip("_") == "Host" and not _is_resource(classes[n])]
    return found[0] if found else None


def _read(files: dict[PurePosixPath, str | bytes], root: str, imports_class: str) -> Protocols:
    out = Protocols()
    for path, text in files.items():
        parts = path.parts
        if not isinstance(text, str) or path.suffix != ".py":
            continue
        classes = _classes(text)
        if parts[1:] == ("__init__.py",) or parts == (root, "native", "__init__.py"):
            if imports_class in classes:
                out.imports = _members(classes[imports_class])
            module = ""
        elif len(parts) == 3 and parts[1] in ("imports", "native"):
            if parts[0] != root or (parts[1] == "imports") == (root == "wit_world"):
                continue
            module = path.stem
        else:
            continue
        for name, node in classes.items():
            if _is_resource(node):
                out.classes[(module, name)] = _members(node)
        host = _host_name(classes) if module else None
        if host is not None:
            out.classes[(module, "Host")] = _members(classes[host])
    return out


def _unbound(resolve: m.Resolve, wid: m.WorldId) -> tuple[set[str], dict[str, set[str]]]:
    """Per native class, the members of the functions the host bindings leave out: the
    `Imports` properties of interfaces without a bound function, and per (module, class)
    the members of unbound functions."""
    host = HostPlan(resolve, wid, HostOptions(skip_unsupported=True))
    guest = GuestPlan(resolve, wid, GuestOptions())
    bound = {f.name for f in host.import_functions}
    by_module = {i.module: i for i in host.imports}
    out: dict[str, set[str]] = {}
    properties: set[str] = set()

    def note(module: str, funcs: list[m.Function], bound: set[str], hooks: dict[str, str]) -> None:
        for f in funcs:
            if f.name in bound:
                continue
            if f.kind.name in ("method", "async-method"):
                res = protocols.function_resource(resolve, f)
                cls = naming.type_name(resolve.types[res].name or "")
                names = protocols.resource_method_names(resolve, funcs, res)
                out.setdefault(f"{module}.{cls}", set()).add(names[f.name])
            else:
                out.setdefault(f"{module}.Host", set()).add(hooks[f.name])

    world_hooks = native.world_hooks(guest)
    note("", list(guest.import_functions), bound, world_hooks)
    for f in guest.import_functions:
        if f.name not in bound and f.kind.name not in ("method", "async-method"):
            out.setdefault(".Imports", set()).add(world_hooks[f.name])
    hosted = {i.module for i in native.hosted(guest)}
    for iface in native.native_modules(guest):
        funcs = [f for _, f in resolve.interfaces[iface.iid].functions]
        bound_here = {f.name for f in by_module[iface.module].functions}
        hooks = native.interface_hooks(guest, iface)
        note(iface.module, funcs, bound_here, hooks)
        if iface.module in hosted and not {hooks[f] for f in bound_here if f in hooks}:
            properties.add(iface.module)
    return properties, out


Files = dict[PurePosixPath, str | bytes]


def generate(resolve: m.Resolve, wid: m.WorldId) -> tuple[Files, Files]:
    """The host bindings (unsupported functions skipped) and the guest bindings."""
    host = host_generator.generate(resolve, wid, HostOptions(skip_unsupported=True))
    return host, guest_generator.generate(resolve, wid, GuestOptions())


def compare(resolve: m.Resolve, wid: m.WorldId) -> list[str]:
    """The differences between the two sides' Protocols that the rule above does not allow."""
    host_files, guest_files = generate(resolve, wid)
    return compare_files(resolve, wid, host_files, guest_files)


def compare_files(
    resolve: m.Resolve, wid: m.WorldId, host_files: Files, guest_files: Files
) -> list[str]:
    root = next(iter(host_files)).parts[0]
    imports_class = naming.upper_camel(resolve.worlds[wid].name) + "Imports"
    host_init = _classes(str(host_files[PurePosixPath(root, "__init__.py")]))
    imports_class = next((n for n in host_init if n.rstrip("_") == imports_class), imports_class)
    host = _read(host_files, root, imports_class)
    guest = _read(guest_files, "wit_world", "Imports")
    extra_properties, extra = _unbound(resolve, wid)
    problems: list[str] = []

    def check(where: str, theirs: Members, ours: Members, allowed: set[str]) -> None:
        for name, params in theirs.items():
            if name not in ours:
                problems.append(f"{where}: native lacks `{name}`")
            elif ours[name] != params:
                problems.append(f"{where}.{name}: parameters {ours[name]} != {params}")
        beyond = set(ours) - set(theirs)
        if beyond != allowed:
            problems.append(f"{where}: native-only {sorted(beyond)} != unbound {sorted(allowed)}")

    # `Imports`: properties (no parameters) and the world's own functions
    own = extra.get(".Imports", set())
    check("Imports", host.imports, guest.imports, own | extra_properties)
    for key in sorted(set(host.classes) | set(guest.classes)):
        module, cls = key
        where = f"native.{module}.{cls}" if module else f"native.{cls}"
        allowed = extra.get(f"{module}.{cls}", set())
        if key not in guest.classes:
            problems.append(f"{where}: missing")
        elif key not in host.classes:
            if set(guest.classes[key]) - {"drop"} != allowed and cls == "Host":
                problems.append(f"{where}: not in the host bindings, yet binds {allowed}")
        else:
            check(where, host.classes[key], guest.classes[key], allowed)
    return problems


# ---------------------------------------------------------------- the worlds


def _cases() -> list[tuple[str, Path, str | None]]:
    out = []
    for toml in sorted(CODEGEN.glob("*/case.toml")):
        case = tomllib.loads(toml.read_text(encoding="utf-8"))
        out.append((toml.parent.name, ROOT / case["input"], case.get("world")))
    return out


@pytest.mark.parametrize(("name", "path", "world"), _cases(), ids=[c[0] for c in _cases()])
def test_golden_worlds_share_the_host_protocols(name: str, path: Path, world: str | None) -> None:
    r = api.load(path, use_cache=False).resolve
    assert compare(r, api.select_world(r, world)) == [], name


def test_the_comparison_sees_differences() -> None:
    """A renamed parameter, a member only one side has, or a missing Protocol is reported."""
    r = api.load(ROOT / "wit-samples" / "notes", use_cache=False).resolve
    wid = api.select_world(r, "notes")
    host_files, guest_files = generate(r, wid)
    fs = PurePosixPath("wit_world/native/fs.py")
    text = str(guest_files[fs])
    changed = text.replace("def file_new(self, path: str)", "def file_new(self, name: str)")
    changed = changed.replace(
        "    def drop(self) -> None:",
        "    def size(self) -> int: ...\n\n    def drop(self) -> None:",
    )
    assert changed != text
    problems = compare_files(r, wid, host_files, {**guest_files, fs: changed})
    assert problems == [
        "native.fs.File: native-only ['size'] != unbound []",
        "native.fs.Host.file_new: parameters ('name',) != ('path',)",
    ]
    without = {p: t for p, t in guest_files.items() if p != fs}
    assert "native.fs.File: missing" in compare_files(r, wid, host_files, without)


@pytest.mark.slow
def test_corpus_worlds_share_the_host_protocols(shared: Path) -> None:
    compared, refused, problems = 0, [], []  # refused: worlds the host generator rejects
    for case, path, features, world in corpus_worlds(shared):
        r = api.load(path, features=features).resolve
        wid = api.select_world(r, world)
        try:
            found = compare(r, wid)
        except WitError as e:  # the host generator refuses the world (a name clash)
            refused.append(f"{case} {world}: {e}")
            continue
        compared += 1
        problems += [f"{case} {world}: {p}" for p in found]
    assert not problems, "\n".join(problems)
    assert compared > 100, refused
    print(f"native Protocols equal the host bindings' in {compared} corpus worlds")
