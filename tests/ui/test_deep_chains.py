"""Long chains of dependencies resolve, print and encode without any recursion limit.

Each case generates, in a temporary directory, a valid package whose items form one chain
thousands of links long: interfaces that each `use` a type of the previous one, type
aliases, worlds that each `include` the previous one, a world type chain copied by an
`include`, a world exporting the end of a `use` chain, `deps/` packages that each use
(or include) the previous package, and an encoded `.wasm` dependency whose interface and
world alias a type through the whole chain. Python's recursion limit is about 1,000 frames, so any
walk that recursed once per link (the resolver's orders, elaboration, the include cloner,
the merge of decoded packages, the encoder's dependency order) would fail on these.

`witgen check` must accept each; when `wasm-tools` is on PATH, the printed text, the JSON
and (where wasm-tools can encode the package) the component bytes must be wasm-tools'.
Two limits are wasm-tools', not witgen's: a `use` chain encodes to component types whose
size grows with the square of its length (each interface's type imports every interface
before it), which wasm-tools refuses beyond about a thousand links; and a main interface
depending on 10,000 packages imports 10,000 instances, more than a component may hold.
Those cases compare the encoding on a shorter chain of the same shape. wasm-tools also
overflows its own stack elaborating a world over a 10,000-link chain, so that case is
5,000 long.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from witgen import api
from witgen.outputs import printer
from witgen.outputs.json import to_json
from witgen.text.diagnostics import WitError
from witgen.wasm import encoder

DEPTH = 10_000


def _aliases(depth: int, name: str = "t") -> str:
    """`type t0 = u32;` then `type t<k> = t<k-1>;` up to `depth - 1`, one per line."""
    links = "".join(f"  type {name}{k} = {name}{k - 1};\n" for k in range(1, depth))
    return f"  type {name}0 = u32;\n{links}"


def _chain_file(root: Path, text: str) -> Path:
    (root / "chain.wit").write_text(text, encoding="utf-8")
    return root / "chain.wit"


def _use_chain(depth: int) -> str:
    links = "".join(
        f"interface i{k} {{\n  use i{k - 1}.{{t{k - 1}}};\n  type t{k} = t{k - 1};\n}}\n"
        for k in range(1, depth)
    )
    return f"package chain:uses;\n\ninterface i0 {{\n  type t0 = u32;\n}}\n{links}"


def write_use(root: Path, depth: int) -> Path:
    """Interface `i<k>` uses `t<k-1>` of `i<k-1>` and defines `t<k>` as an alias of it."""
    return _chain_file(root, _use_chain(depth))


def write_world_over_use(root: Path, depth: int) -> Path:
    """A `use` chain whose last interface a world exports and whose last type it uses:
    elaboration imports the whole chain."""
    last = depth - 1
    world = f"world w {{\n  use i{last}.{{t{last}}};\n  import f: func(x: t{last});\n"
    world += f"  export i{last};\n}}\n"
    return _chain_file(root, _use_chain(depth) + world)


def write_alias(root: Path, depth: int) -> Path:
    """`type t<k> = t<k-1>;` in one interface, the last one a parameter and a result."""
    last = f"t{depth - 1}"
    return _chain_file(
        root,
        f"package chain:alias;\n\ninterface i {{\n{_aliases(depth)}"
        f"  f: func(x: {last}) -> {last};\n}}\n\nworld w {{\n  export i;\n}}\n",
    )


def write_include(root: Path, depth: int) -> Path:
    """World `w<k>` includes `w<k-1>`; `w0` imports one function."""
    links = "".join(f"world w{k} {{\n  include w{k - 1};\n}}\n" for k in range(1, depth))
    return _chain_file(
        root, f"package chain:includes;\n\nworld w0 {{\n  import f0: func();\n}}\n{links}"
    )


def write_world_types(root: Path, depth: int) -> Path:
    """A world's own alias chain, copied type by type into the world that includes it."""
    last = f"t{depth - 1}"
    return _chain_file(
        root,
        f"package chain:world-types;\n\nworld w0 {{\n{_aliases(depth)}"
        f"  import f: func(x: {last}) -> {last};\n}}\n\nworld w1 {{\n  include w0;\n}}\n",
    )


def _write_deps(root: Path, depth: int, first: str, link: Callable[[int], str], main: str) -> Path:
    (root / "main.wit").write_text(main, encoding="utf-8")
    deps = root / "deps"
    deps.mkdir()
    for k in range(depth):
        body = first if k == 0 else link(k)
        (deps / f"d{k}.wit").write_text(f"package d{k}:p;\n\n{body}", encoding="utf-8")
    return root


def write_deps_use(root: Path, depth: int) -> Path:
    """`deps/d<k>.wit` has interface `i` using `t` of `d<k-1>:p/i`; the main package uses
    the last."""
    return _write_deps(
        root,
        depth,
        "interface i {\n  type t = u32;\n}\n",
        lambda k: f"interface i {{\n  use d{k - 1}:p/i.{{t}};\n}}\n",
        f"package chain:main;\n\ninterface m {{\n  use d{depth - 1}:p/i.{{t}};\n}}\n",
    )


def write_deps_include(root: Path, depth: int) -> Path:
    """`deps/d<k>.wit` has world `w` including `d<k-1>:p/w`; the main world includes the last."""
    return _write_deps(
        root,
        depth,
        "world w {\n  import f: func();\n}\n",
        lambda k: f"world w {{\n  include d{k - 1}:p/w;\n}}\n",
        f"package chain:main;\n\nworld m {{\n  include d{depth - 1}:p/w;\n}}\n",
    )


def write_wasm_dependency(root: Path, depth: int) -> Path:
    """`deps/dep.wasm`, an encoded package whose interface and world alias a type through
    the whole chain; the main package uses the interface's last type and includes the
    world (decoding, merging and printing follow the chain)."""
    last = depth - 1
    dep = (
        f"package chain:dep;\n\ninterface i {{\n{_aliases(depth)}"
        f"  record r {{ a: t{last} }}\n  f: func(x: t{last}) -> r;\n}}\n\n"
        f"world w {{\n{_aliases(depth, 'w')}  import g: func(x: w{last});\n  import i;\n}}\n"
    )
    (root / "dep.wit").write_text(dep, encoding="utf-8")
    (root / "pkg" / "deps").mkdir(parents=True)
    encoded = api.encode(root / "dep.wit", use_cache=False, producers_like_reference=True)
    (root / "pkg" / "deps" / "dep.wasm").write_bytes(encoded)
    main = (
        f"package chain:main;\n\ninterface m {{\n  use chain:dep/i.{{t{last}, r}};\n"
        f"  h: func(x: t{last}) -> r;\n}}\n\nworld mw {{\n  include chain:dep/w;\n"
        "  export m;\n}\n"
    )
    (root / "pkg" / "main.wit").write_text(main, encoding="utf-8")
    return root / "pkg"


@dataclass(frozen=True)
class Chain:
    id: str
    write: Callable[[Path, int], Path]
    depth: int = DEPTH
    # The depth at which encoding is compared (None: the case's own), see the docstring.
    encode_depth: int | None = None
    # The world to generate bindings of (given the depth), None when there is none.
    world: Callable[[int], str] | None = None
    # The depth at which bindings are generated (None: the case's own): a world importing
    # more than 4,096 instances cannot be a component, and bindgen refuses it.
    bind_depth: int | None = None


CHAINS = [
    Chain("use", write_use, encode_depth=200),
    Chain("alias", write_alias, world=lambda _: "w"),
    Chain("include", write_include, world=lambda depth: f"w{depth - 1}"),
    Chain("world-types-include", write_world_types, world=lambda _: "w1"),
    Chain(
        "world-over-use",
        write_world_over_use,
        depth=5_000,
        encode_depth=200,
        world=lambda _: "w",
        bind_depth=4_000,
    ),
    Chain("deps-use", write_deps_use, encode_depth=1_000),
    Chain("deps-include", write_deps_include, world=lambda _: "m"),
    Chain("wasm-dependency", write_wasm_dependency, world=lambda _: "mw"),
]


def _reference(exe: str, path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [exe, "component", "wit", *args, path.name],
        cwd=path.parent,
        capture_output=True,
        timeout=120,
        check=True,
    )


# Each chain is written and loaded once per depth for the module (writing 10,000 files
# takes a while on some file systems).
_Built = dict[tuple[str, int], tuple[Path, api.Loaded]]


@pytest.fixture(scope="module")
def built() -> _Built:
    return {}


def _build(chain: Chain, depth: int, built: _Built, factory: pytest.TempPathFactory) -> Path:
    if (chain.id, depth) not in built:
        path = chain.write(factory.mktemp(f"{chain.id}-{depth}"), depth)
        built[chain.id, depth] = (path, api.load(path, use_cache=False))
    return built[chain.id, depth][0]


def _loaded(chain: Chain, depth: int, built: _Built, factory: pytest.TempPathFactory) -> api.Loaded:
    _build(chain, depth, built, factory)
    return built[chain.id, depth][1]


@pytest.mark.parametrize("chain", CHAINS, ids=lambda c: c.id)
def test_chain_resolves(
    chain: Chain, built: _Built, tmp_path_factory: pytest.TempPathFactory
) -> None:
    loaded = _loaded(chain, chain.depth, built, tmp_path_factory)
    assert loaded.warnings == ()
    r = loaded.resolve
    # The chain is really there: as many types, worlds or packages as links.
    links = max(len(r.types), len(r.worlds), len(r.packages))
    assert links >= chain.depth
    assert printer.print_resolve(r)
    assert to_json(r)


@pytest.mark.parametrize("chain", CHAINS, ids=lambda c: c.id)
def test_chain_print_and_json_match_wasm_tools(
    chain: Chain, wasm_tools: str, built: _Built, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = _build(chain, chain.depth, built, tmp_path_factory)
    r = _loaded(chain, chain.depth, built, tmp_path_factory).resolve
    assert printer.print_resolve(r) == _reference(wasm_tools, path).stdout.decode()
    assert to_json(r) == _reference(wasm_tools, path, "--json").stdout.decode() + "\n"


@pytest.mark.parametrize("chain", CHAINS, ids=lambda c: c.id)
def test_chain_encodes_as_wasm_tools(
    chain: Chain, wasm_tools: str, built: _Built, tmp_path_factory: pytest.TempPathFactory
) -> None:
    depth = chain.encode_depth or chain.depth
    path = _build(chain, depth, built, tmp_path_factory)
    r = _loaded(chain, depth, built, tmp_path_factory).resolve
    assert r.main is not None
    got = encoder.encode_package(r, r.main, producers_like_reference=True)
    assert got == _reference(wasm_tools, path, "--wasm", "-o", "/dev/stdout").stdout


@pytest.mark.parametrize("chain", [c for c in CHAINS if c.world is not None], ids=lambda c: c.id)
@pytest.mark.parametrize("side", ["host", "guest"])
def test_chain_binds(
    chain: Chain, side: str, built: _Built, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Host and guest bindings of a world at the end of the chain: every module compiles."""
    assert chain.world is not None
    depth = chain.bind_depth or chain.depth
    path = _build(chain, depth, built, tmp_path_factory)
    out = tmp_path_factory.mktemp(f"{chain.id}-{side}")
    world = chain.world(depth)
    if side == "host":
        result = api.bindgen_host(path, out_dir=out, world=world, use_cache=False)
    else:
        result = api.bindgen_guest(path, out_dir=out, world=world, use_cache=False)
    modules = sorted(out.rglob("*.py"))
    assert result.path.exists() and modules
    for module in modules:
        compile(module.read_text(encoding="utf-8"), str(module), "exec")


@pytest.mark.parametrize("chain", CHAINS, ids=lambda c: c.id)
def test_chain_documents(
    chain: Chain, built: _Built, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`witgen docs` pages of the whole chain: a page per package, each type listed."""
    path = _build(chain, chain.depth, built, tmp_path_factory)
    pages = api.docs(path, use_cache=False)
    r = _loaded(chain, chain.depth, built, tmp_path_factory).resolve
    assert len(pages) >= len(r.packages)
    text = "".join(str(page) for page in pages.values())
    last = f"t{chain.depth - 1}"
    if any(t.name == last for t in r.types):
        assert f"`{last}`" in text


# The use chain's component types grow with the square of its length: wasm-tools encodes
# it and then refuses it as over the validator's size limit, and so must witgen, before
# encoding the whole of it (which would take gigabytes).
USE_CHAIN_COMPARED = 1_000


def test_long_use_chain_is_refused_as_wasm_tools_refuses_it(
    wasm_tools: str, tmp_path: Path
) -> None:
    path = write_use(tmp_path, USE_CHAIN_COMPARED)
    with pytest.raises(WitError) as caught:
        api.encode(path, use_cache=False)
    [d] = caught.value.diagnostics
    assert d.code == "WIT314"
    reference = subprocess.run(
        [wasm_tools, "component", "wit", "--wasm", path.name, "-o", "out.wasm"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert reference.returncode == 1
    expected = reference.stderr.strip().removeprefix("error: ").split(" (at offset")[0]
    assert d.message.endswith(f": {expected}")


def test_use_chain_at_full_depth_is_refused_quickly(
    built: _Built, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """At 10,000 links witgen stops at the first interface over the limit: the same one
    as at 1,000 links, whatever the length of the rest."""
    [use] = [c for c in CHAINS if c.id == "use"]
    path = _build(use, use.depth, built, tmp_path_factory)
    with pytest.raises(WitError) as caught:
        api.encode(path, use_cache=False)
    [d] = caught.value.diagnostics
    assert "effective type size exceeds the limit" in d.message
    short = write_use(tmp_path_factory.mktemp("short"), USE_CHAIN_COMPARED)
    with pytest.raises(WitError) as short_caught:
        api.encode(short, use_cache=False)
    assert short_caught.value.diagnostics[0].message == d.message
