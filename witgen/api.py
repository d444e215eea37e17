"""The library surface: functions that take paths or text and return data.

Input: paths (a `.wit` file, a package directory with `deps/`) and options. Output:
`Loaded` results, rendered text, bytes. Invariants: the only exception raised to callers
is `WitError`; warnings are returned, never raised; nothing here prints or exits (that
is `cli.py`'s job), and backends are imported lazily so `check` never loads them.
"""

from __future__ import annotations

import gc
import os
import stat

from witgen._record import field, record
from witgen.text.diagnostics import Diagnostic, WitError
from witgen.text.source import SourceMap, Span

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from pathlib import Path, PurePosixPath
    from typing import TypeVar

    from witgen.loading.loader import Group, PackagePlan
    from witgen.model import PackageId, Resolve, WorldId
    from witgen.wasm.decoder import Decoded
    from witgen.wasm.encoder import StringEncoding, Unencodable

    _T = TypeVar("_T")


@record(kw_only=False)
class Features:
    """Which `@unstable` features are active."""

    names: frozenset[str] = frozenset()
    all: bool = False

    def active(self, feature: str) -> bool:
        return self.all or feature in self.names

    @staticmethod
    def of(features: Iterable[str] = (), all_features: bool = False) -> Features:
        names: set[str] = set()
        for item in features:
            names.update(x.strip() for x in item.split(",") if x.strip())
        return Features(frozenset(names), all_features)


@record(kw_only=False)
class Loaded:
    resolve: Resolve
    sources: SourceMap
    warnings: tuple[Diagnostic, ...] = ()
    # The cache entry of the resolved package ("" when it was not cached): it names the
    # input's contents, features and the resolver's code, so results derived from the
    # model alone (generated bindings) can be cached under it.
    key: str = ""


@record(frozen=False, kw_only=False)
class CheckResult:
    """Everything `check` found, per path, with the sources to render it against."""

    diagnostics: list[tuple[Diagnostic, SourceMap]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        from witgen.text.diagnostics import Severity

        return not any(d.severity is Severity.ERROR for d, _ in self.diagnostics)


def load(path: str | Path, *, features: Features | None = None, use_cache: bool = True) -> Loaded:
    """Read, parse and resolve the package at `path` (a file or a directory with deps/).

    A `.wasm` (or `.wat`) file is decoded instead: a WIT package binary, a component (its
    world `root:component/root`) or a core module with `component-type` sections (the
    world `root:root/root`); spans of decoded items are unknown. `deps/` may hold such
    packages too.
    """
    if is_binary_input(path):
        return Loaded(resolve=decode_binary(path).resolve, sources=SourceMap())
    return _resolved(_read_input(path, features, use_cache))


@record(kw_only=False)
class _Input:
    """A WIT input read but not yet parsed: its files, their sources, the features, and the
    name of its cache entry ("" without the cache)."""

    plans: list[PackagePlan]
    sources: SourceMap
    features: Features
    key: str
    use_cache: bool


def _read_input(path: str | Path, features: Features | None, use_cache: bool) -> _Input:
    from witgen.loading import loader

    feats = features or Features()
    plans, sources = loader.read(str(path))
    key = ""
    if use_cache:
        key = loader.content_key("resolve", plans, repr(sorted(feats.names)), repr(feats.all))
    return _Input(plans, sources, feats, key, use_cache)


def _resolved(given: _Input) -> Loaded:
    """The input parsed and resolved, or its resolved package from the cache."""
    from witgen.loading import cache, loader
    from witgen.model import Resolve

    plans, sources, feats, key = given.plans, given.sources, given.features, given.key
    if key:
        cached = cache.get(key)
        if isinstance(cached, Resolve):
            return Loaded(resolve=cached, sources=sources, key=key)
    binaries = loader.binary_deps(plans)
    # The trees and the model hold no reference cycles; the cyclic collector would only
    # rescan millions of young objects (a third of the time on large packages).
    from witgen import resolve  # not before: a cache hit needs no resolver

    collecting = gc.isenabled()
    gc.disable()
    try:
        groups = loader.parse(plans, sources, use_cache=given.use_cache)
        if binaries:
            result = _resolve_with_binaries(groups, sources, feats, binaries)
        else:
            # The trees are handed over: freed once read, they are gone before the model
            # is built, so the two never take memory at the same time.
            result = resolve.resolve(groups, sources, feats, release=True)
        del groups
    finally:
        if collecting:
            gc.enable()
    if key:
        cache.put(key, result)
    return Loaded(resolve=result, sources=sources, key=key)


def check(
    paths: Sequence[str | Path], *, features: Features | None = None, use_cache: bool = True
) -> CheckResult:
    """Validate every path; collect every diagnostic instead of raising."""
    from witgen.loading import cache

    out = CheckResult()
    for path in paths:
        try:
            if is_binary_input(path):
                loaded = load(path, features=features, use_cache=use_cache)
            else:
                # An input found valid before (same files, same features, same witgen) is
                # valid now: nothing is loaded, not even the model from the cache.
                given = _read_input(path, features, use_cache)
                if given.key and cache.valid(given.key):
                    continue
                loaded = _resolved(given)
                if given.key and not loaded.warnings:
                    cache.put_valid(given.key)
        except WitError as e:
            out.diagnostics.extend((d, e.sources) for d in e.diagnostics)
        else:
            out.diagnostics.extend((d, loaded.sources) for d in loaded.warnings)
    return out


def resolve_json(path: str | Path, *, features: Features | None = None) -> str:
    from witgen.outputs import json as json_backend

    return json_backend.to_json(load(path, features=features).resolve)


# ---------------------------------------------------------------- print


def print_wit(
    path: str | Path, *, features: Features | None = None, docs: bool = True, use_cache: bool = True
) -> str:
    """The resolved package as `wasm-tools component wit PATH` prints it."""
    from witgen.outputs import printer

    return printer.print_resolve(
        load(path, features=features, use_cache=use_cache).resolve, docs=docs
    )


def print_to_dir(
    path: str | Path,
    out_dir: str,
    *,
    features: Features | None = None,
    docs: bool = True,
    use_cache: bool = True,
) -> list[str]:
    """Write one file per package under `out_dir`, as `wasm-tools component wit --out-dir`
    does, and return the paths written (spelled from `out_dir`, in the order wasm-tools
    writes them). Nothing is written unless every file is."""
    from witgen.outputs import printer

    loaded = load(path, features=features, use_cache=use_cache)
    return write_tree(out_dir, printer.out_dir_files(loaded.resolve, docs=docs))


def write_tree(out_dir: str, files: Mapping[PurePosixPath, str] | Mapping[str, str]) -> list[str]:
    """Write `files` (relative POSIX paths) under `out_dir`, keeping what else it holds;
    return the path of each (spelled from `out_dir`, in order).

    A file that already holds its text is left alone (its time stamp too: a build that
    depends on it does not run again). Every other file is first written into a temporary
    directory beside `out_dir`, then moved into place with a rename, so a failure (an
    unwritable directory, a full disk) leaves `out_dir` as it was. A failure is a
    `WitError`. (`os` only: pathlib, tempfile and shutil together cost `witgen docs` a tenth
    of `witgen check`'s time to import.)
    """
    out = os.path.normpath(out_dir)
    changed = {
        os.path.normpath(str(rel)): text
        for rel, text in files.items()
        if not _holds(os.path.join(out, str(rel)), text)
    }
    if changed:
        _replace_files(out_dir, out, changed)
    return [os.path.join(out_dir, str(rel)) for rel in files]


def _replace_files(out_dir: str, out: str, files: Mapping[str, str]) -> None:
    """`write_tree`'s writing of the files that change."""
    import errno

    rels = list(files)
    try:
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        staging = _new_directory(os.path.dirname(out) or ".", f".{os.path.basename(out)}.")
    except OSError as e:
        raise _write_error(out_dir, e) from None
    try:
        for rel, text in zip(rels, files.values(), strict=True):
            os.makedirs(os.path.dirname(os.path.join(staging, rel)), exist_ok=True)
            with open(os.path.join(staging, rel), "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        for rel in rels:  # nothing is created in `out_dir` before every path is free
            target = os.path.join(out, rel)
            if os.path.isdir(target):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), target)
            parent = os.path.dirname(target)
            while parent:
                if os.path.exists(parent) and not os.path.isdir(parent):
                    raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), parent)
                parent, up = os.path.dirname(parent), parent
                if parent == up:
                    break
        for rel in rels:
            os.makedirs(os.path.dirname(os.path.join(out, rel)), exist_ok=True)
            os.replace(os.path.join(staging, rel), os.path.join(out, rel))
    except OSError as e:
        raise _write_error(e.filename or out_dir, e) from None
    finally:
        _remove_tree(staging)


def _new_directory(parent: str, prefix: str) -> str:
    """A new, empty, private directory in `parent`, named `prefix…`.tmp."""
    for attempt in range(1000):
        path = os.path.join(parent, f"{prefix}{os.getpid()}-{attempt}.tmp")
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"no free temporary directory name in {parent}")


def _remove_tree(root: str) -> None:
    """Remove `root` and the files and directories it holds (`write_tree` made them all),
    as far as it can: errors are ignored."""
    import contextlib

    for folder, dirs, names in os.walk(root, topdown=False):
        for name in names:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
        for name in dirs:
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(folder, name))
    with contextlib.suppress(OSError):
        os.rmdir(root)


def differing_files(out_dir: str, files: Mapping[str, str]) -> list[str]:
    """The paths of `files` (relative to `out_dir`) whose file there is missing or holds
    other text, in order (what `write_tree` would change)."""
    return [rel for rel, text in files.items() if not _holds(os.path.join(out_dir, rel), text)]


def _holds(path: str, text: str) -> bool:
    """Whether the file at `path` holds exactly `text` (UTF-8, line endings as they are)."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read() == text
    except (OSError, UnicodeDecodeError):
        return False


def write_text(path: str | Path, text: str) -> None:
    """Replace the file at `path` by `text` (UTF-8) atomically, as `write_bytes` does."""
    write_bytes(path, text.encode("utf-8"))


def _write_error(path: str, e: OSError) -> WitError:
    from witgen.text.diagnostics import error
    from witgen.text.source import Span

    # WIT200 ("could not be read") is the closest code the table has for an I/O failure.
    return WitError((error("WIT200", f"failed to write {path}: {e.strerror or e}", Span.UNKNOWN),))


# ---------------------------------------------------------------- fmt


@record(kw_only=False)
class Formatted:
    """One file of `format_paths`: its text before and after, or why it was left alone."""

    path: str
    original: str
    # None when the file could not be read or parsed (see `diagnostics`).
    formatted: str | None
    diagnostics: tuple[Diagnostic, ...] = ()
    sources: SourceMap = field(default_factory=SourceMap)
    # Whether the file was rewritten.
    written: bool = False

    @property
    def changed(self) -> bool:
        return self.formatted is not None and self.formatted != self.original


def format_text(text: str, path: str = "<input>", *, width: int | None = None) -> str:
    """`text` in canonical layout (`witgen fmt`); a syntax error is a `WitError`."""
    from witgen.syntax.formatter import DEFAULT_WIDTH, format_file
    from witgen.syntax.parse import parse_text

    file, _ = parse_text(text, path)
    return format_file(file, text, width=width or DEFAULT_WIDTH)


def wit_files(paths: Iterable[str]) -> list[str]:
    """Each path that is a file, and every `.wit` file under each directory (`deps/`
    included, hidden directories skipped), in order, each once."""
    from pathlib import Path

    out: dict[str, None] = {}
    for path in paths:
        if not os.path.isdir(path):
            out[path] = None
            continue
        found = []
        for p in Path(path).rglob("*.wit"):
            rel = p.relative_to(path)
            if p.is_file() and not any(part.startswith(".") for part in rel.parts[:-1]):
                found.append(os.path.join(path, rel.as_posix()))
        out.update(dict.fromkeys(sorted(found)))
    return list(out)


def format_path(path: str, *, width: int | None = None, use_cache: bool = True) -> Formatted:
    """One file in canonical layout (`witgen fmt`); a file that cannot be read or parsed
    gets diagnostics instead. The result is cached by the exact text, path, width and
    formatter code, so a tree that is already formatted costs one read and hash per file."""
    from witgen.loading import cache, loader
    from witgen.syntax import formatter

    width = width or formatter.DEFAULT_WIDTH
    try:
        plans, sources = loader.read(path)
        text = sources.files[0].text
        key = loader.content_key("fmt", plans, str(width), formatter.code_version())
        cached = cache.get(key) if use_cache else None
        if isinstance(cached, str):
            return Formatted(path, text, cached)
        file = loader.parse(plans, sources, use_cache=use_cache)[0].files[0]
    except WitError as e:
        return Formatted(path, "", None, e.diagnostics, e.sources)
    formatted = formatter.format_file(file, text, width=width)
    if use_cache:
        cache.put(key, formatted)
    return Formatted(path, text, formatted)


def format_paths(
    paths: Iterable[str], *, width: int | None = None, write: bool = False, use_cache: bool = True
) -> list[Formatted]:
    """`format_path` of every file of `wit_files(paths)`; with `write`, each file that
    changes is rewritten atomically. A file that cannot be read, parsed or written gets
    diagnostics and stays untouched; the others go on."""
    out: list[Formatted] = []
    for path in wit_files(paths):
        result = format_path(path, width=width, use_cache=use_cache)
        if write and result.formatted is not None and result.changed:
            try:
                write_text(path, result.formatted)
            except WitError as e:
                result = Formatted(path, result.original, None, e.diagnostics, e.sources)
            else:
                result = Formatted(path, result.original, result.formatted, written=True)
        out.append(result)
    return out


# ---------------------------------------------------------------- pre-commit


def package_roots(files: Iterable[str]) -> list[str]:
    """The package each `.wit` file belongs to, each once, in order (what to `check`).

    A file under `deps/` belongs to the package whose directory holds that `deps/`. Any
    other file belongs to its directory, unless the `.wit` files there declare different
    packages (a folder of single-file packages): then it stands alone.
    """
    from pathlib import Path

    roots: dict[str, None] = {}
    for file in files:
        path = Path(file)
        parts = path.parent.parts
        if "deps" in parts:
            cut = len(parts) - 1 - parts[::-1].index("deps")
            root = str(Path(*parts[:cut])) if cut else "."
        elif len(_declared_packages(path.parent)) > 1:
            root = file
        else:
            root = str(path.parent)
        roots[root] = None
    return list(roots)


def _declared_packages(directory: Path) -> set[str]:
    """The `package` headers of the `.wit` files directly in `directory` (files that do
    not parse are left out: `check` reports them)."""
    from witgen.loading import loader

    names: set[str] = set()
    for p in sorted(directory.glob("*.wit")):
        try:
            plans, sources = loader.read(str(p))
            file = loader.parse(plans, sources)[0].files[0]
        except WitError:
            continue
        if file.package is not None:
            decl = file.package.name
            names.add(f"{decl.namespace.name}:{decl.name.name}@{decl.version}")
    return names


# ---------------------------------------------------------------- encode, embed, .wasm inputs


def is_binary_input(path: str | Path) -> bool:
    """Whether `path` names a `.wasm`/`.wat` file (or any file starting with `\\0asm`)."""
    if os.path.splitext(path)[1] in (".wasm", ".wat"):
        return not os.path.isdir(path)
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x00asm"
    except OSError:
        return False


def read_binary(path: str | Path) -> bytes:
    """The bytes of a `.wasm` file, or of a `.wat` file assembled; a failure is a `WitError`."""
    from pathlib import Path

    from witgen.text.diagnostics import error
    from witgen.text.source import Span

    try:
        data = Path(path).read_bytes()
    except OSError as e:
        message = f"failed to read file {path}: {e.strerror or e}"
        raise WitError((error("WIT200", message, Span.UNKNOWN),)) from None
    if Path(path).suffix == ".wat" and not data.startswith(b"\x00asm"):
        from witgen.wasm import wat

        return wat.parse(data, str(path))
    return data


def decode_binary(path: str | Path) -> Decoded:
    """What a `.wasm`/`.wat` file holds: a WIT package, a component's world or a module's."""
    from witgen.wasm import decoder

    return decoder.decode_wasm(read_binary(path), path=str(path))


def _resolve_with_binaries(
    groups: list[Group], sources: SourceMap, features: Features, binaries: list[tuple[str, bytes]]
) -> Resolve:
    """Resolve `.wit` packages whose `deps/` also hold encoded packages (`.wasm`, `.wat`).

    As wit-parser does, the decoded packages come first (merged in file-name order), then
    the `.wit` packages. The `.wit` side names the decoded packages through their printed
    text, added as one more group; merging then maps those copies back onto the decoded
    originals, so only the `.wit` packages are appended.
    """
    from witgen import resolve  # not before: a cache hit needs no resolver
    from witgen._record import replace
    from witgen.loading import loader
    from witgen.model import merge
    from witgen.outputs import printer
    from witgen.text.diagnostics import Note, error
    from witgen.text.source import Span
    from witgen.wasm import decoder

    base: Resolve | None = None
    for shown, raw in binaries:
        data = raw
        if shown.endswith(".wat") and not raw.startswith(b"\x00asm"):
            from witgen.wasm import wat

            data = wat.parse(raw, shown)
        decoded = decoder.decode_wasm(data, path=shown)
        if decoded.kind != "package":
            message = (
                "found an actual component instead of an encoded WIT package in wasm"
                if decoded.kind == "component"
                else f"expected an encoded WIT package, found a {decoded.kind}"
            )
            where = Note(f"in {shown}")
            raise WitError((error("WIT108", message, Span.UNKNOWN, where),), sources)
        base = decoded.resolve if base is None else merge.merge(base, decoded.resolve)[0]
    assert base is not None
    text = printer.print_resolve(base)
    shown = binaries[0][0]
    copy = loader.parse_text_group(f"{shown} (decoded)", text, sources)
    full = resolve.resolve([*groups, copy], sources, features)
    merged, maps = merge.merge(base, full, structural=True)
    main = None if full.main is None else maps.packages[full.main]
    group = tuple(maps.packages[p] for p in full.main_group)
    return replace(merged, main=main, main_group=group or ((main,) if main is not None else ()))


def encode(
    path: str | Path,
    *,
    features: Features | None = None,
    producers_like_reference: bool = False,
    use_cache: bool = True,
) -> bytes:
    """The package at `path` as a component binary (`wasm-tools component wit --wasm`).

    WIT accepts a few names that the binary format does not (names that differ only in
    case, an upper-case package name); wasm-tools' validator then rejects what it encoded,
    and so does witgen, before writing anything: the binary is read back as a check.
    """
    from witgen.wasm import decoder, encoder

    loaded = load(path, features=features, use_cache=use_cache)
    r = loaded.resolve
    if r.main is None:
        raise _no_package(path)
    try:
        data = encoder.encode_package(r, r.main, producers_like_reference=producers_like_reference)
    except encoder.Unencodable as e:
        raise _over_limit(r, e, loaded.sources) from None
    problem = decoder.binary_problem(data)
    if problem is not None:
        raise _unencodable(r, r.main, problem[0], loaded.sources)
    return data


def _unencodable(r: Resolve, package: PackageId, message: str, sources: SourceMap) -> WitError:
    """WIT314 for a package whose binary wasm-tools would reject, at the item it names."""
    from witgen.model import InterfaceId
    from witgen.text.diagnostics import Note, error
    from witgen.text.source import Span

    named = message.split("`")[1] if message.count("`") >= 2 else ""
    # What a name in the message can be: an item of the package by its plain name (a
    # top-level export), or any named interface by its id (an import or export of a world).
    pkg = r.packages[package]
    spans = {name: r.interfaces[iid].span for name, iid in pkg.interfaces}
    spans.update({name: r.worlds[wid].span for name, wid in pkg.worlds})
    for index, iface in enumerate(r.interfaces):
        if iface.name is not None and iface.package is not None:
            spans[r.id_of(InterfaceId(index))] = iface.span
    span = spans.get(named, Span.UNKNOWN)
    why = Note("WIT allows it, but a component binary cannot hold it (wasm-tools rejects it too)")
    return WitError((error("WIT314", f"cannot encode the package: {message}", span, why),), sources)


def _over_limit(r: Resolve, e: Unencodable, sources: SourceMap) -> WitError:
    """WIT314 for a package over one of the component validator's limits, at the
    interface or world whose component type breaks it."""
    from witgen.model import InterfaceId, WorldId

    item = r.interfaces[InterfaceId(e.item)] if e.is_interface else r.worlds[WorldId(e.item)]
    what = f"{'interface' if e.is_interface else 'world'} `{item.name}`"
    why = "WIT allows it, but a component binary cannot hold it"
    return _limit_error(f"cannot encode the package: {what}", e, item.span, why, sources)


def _limit_error(
    what: str, e: Unencodable, fallback: Span, why: str, sources: SourceMap
) -> WitError:
    """WIT314 for `what` over the limit `e` broke, at the type or function where it did."""
    from witgen.text.diagnostics import Note, error

    note = Note(
        f"{why}: the component validator limits the size and nesting of types, the"
        " instances of a component type and the in-memory size of a value"
    )
    span = e.at if e.at is not None else fallback
    return WitError((error("WIT314", f"{what}: {e.message}", span, note),), sources)


def _check_bindable(r: Resolve, wid: WorldId, sources: SourceMap) -> None:
    """WIT314 for a world that no component can have (over a validator limit): its
    bindings could never be used."""
    from witgen.wasm import encoder

    found = encoder.check_world(r, wid)
    if found is not None:
        world = r.worlds[wid]
        what = f"cannot generate bindings of world `{world.name}`"
        why = "no component can have this world (componentize-py and wasmtime reject it too)"
        raise _limit_error(what, found, world.span, why, sources)


def _no_package(path: str | Path) -> WitError:
    from witgen.text.diagnostics import error
    from witgen.text.source import Span

    return WitError((error("WIT206", f"no package found in {path}", Span.UNKNOWN),))


def select_world(r: Resolve, world: str | None, path: str | Path = "") -> WorldId:
    """wit-parser's `select_world`: a world of the main package by name, a full id
    (`ns:pkg/world@ver`), or the main package's only world when `world` is None."""
    from witgen.text.diagnostics import error
    from witgen.text.source import Span

    def fail(message: str) -> WitError:
        return WitError((error("WIT210", message, Span.UNKNOWN),))

    if r.main is None:
        raise _no_package(path)
    pkg = r.packages[r.main]
    if world is None:
        if len(pkg.worlds) == 1:
            return pkg.worlds[0][1]
        if not pkg.worlds:
            raise fail(f"no worlds found in package `{pkg.name}`")
        raise fail(f"multiple worlds found in package `{pkg.name}`: one must be explicitly chosen")
    if ":" in world and "/" in world:
        base, _, version = world.partition("@")
        pkg_part, _, name = base.rpartition("/")
        matches = [
            p
            for p in r.packages
            if p.name.unversioned == pkg_part and (p.name.version or "") == version
        ]
        if not matches:
            raise fail(f"no package named `{pkg_part}{'@' + version if version else ''}`")
        pkg = matches[0]
    else:
        name = world
    found = dict(pkg.worlds).get(name)
    if found is None:
        raise fail(f"world `{name}` not found in package `{pkg.name}`")
    return found


def embed(
    path: str | Path,
    *,
    world: str | None = None,
    module: bytes | None = None,
    encoding: StringEncoding = "utf8",
    features: Features | None = None,
    producers_like_reference: bool = False,
    use_cache: bool = True,
) -> bytes:
    """The world's `component-type` payload (`wasm-tools component embed --only-custom`),
    or, given a core `module`, a copy of it with that payload appended as a custom section."""
    from witgen.wasm import encoder

    r = load(path, features=features, use_cache=use_cache).resolve
    wid = select_world(r, world, path)
    opts = {"encoding": encoding, "producers_like_reference": producers_like_reference}
    if module is None:
        return encoder.encode_world(r, wid, **opts)  # type: ignore[arg-type]
    if module[:8] != b"\x00asm\x01\x00\x00\x00":
        from witgen.text.diagnostics import error
        from witgen.text.source import Span

        message = "the input module is not a core WebAssembly module (bad preamble)"
        raise WitError((error("WIT108", message, Span.UNKNOWN),))
    return encoder.embed(module, r, wid, **opts)  # type: ignore[arg-type]


def to_wat(data: bytes) -> str:
    """The text format of a component binary, as `wasm-tools print` writes it."""
    from witgen.wasm import wat

    return wat.print_component(data)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write `data` to `path` atomically (a temporary file beside it, then a rename), so
    the file is either the old one or all of `data`; a failure is a `WitError`."""
    import tempfile
    from contextlib import suppress
    from pathlib import Path

    target = Path(os.path.realpath(path))
    try:
        if target.exists():
            mode = stat.S_IMODE(target.stat().st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise _write_error(str(path), e) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as e:
        with suppress(OSError):
            os.unlink(tmp)
        raise _write_error(str(path), e) from None


# ---------------------------------------------------------------- docs


def docs(
    path: str | Path,
    *,
    features: Features | None = None,
    world: str | None = None,
    no_deps: bool = False,
    python: bool = False,
    format: str = "markdown",
    use_cache: bool = True,
) -> dict[str, str]:
    """The documentation of the package at `path` and its dependencies, by path relative
    to the output directory: `index.md` and one Markdown page per package, or with
    `format="html"` the static site built from those pages.

    `world` (as `select_world` takes it) limits the pages to what that world reaches;
    `no_deps` to the package itself; `python` adds the Python names the bindings give each
    item. The pages are cached by the exact input files and options, as `load` caches the
    model. Nothing is written: see `write_tree`.
    """
    pages = _markdown_pages(
        path, features=features or Features(), world=world, no_deps=no_deps,
        python=python, use_cache=use_cache,
    )  # fmt: skip
    if format == "markdown":
        return pages
    # Imported only for the site: it needs the `docs` extra (markdown-it-py), and without it
    # raises WIT409, which says how to install it.
    from witgen.codegen.markdown.site import build_site

    return build_site(pages, title=_docs_title(pages))


def _docs_title(pages: Mapping[str, str]) -> str:
    """The site's title: the heading of the last page (the main package comes last)."""
    for line in list(pages.values())[-1].splitlines():
        if line.startswith("# "):
            return line[2:].replace("`", "")
    return "WIT packages"


def _markdown_pages(
    path: str | Path,
    *,
    features: Features,
    world: str | None,
    no_deps: bool,
    python: bool,
    use_cache: bool,
) -> dict[str, str]:
    from witgen.codegen.markdown import code_version
    from witgen.loading import cache, loader

    key = ""
    if use_cache and not is_binary_input(path):
        plans, _ = loader.read(str(path))
        options = (repr(sorted(features.names)), repr(features.all), repr(world))
        flags = f"{no_deps} {python} {code_version(python)}"
        key = loader.content_key("docs", plans, *options, flags)
        cached = cache.get(key)
        if isinstance(cached, dict):
            return cached
    from witgen.codegen.markdown import generator

    r = load(path, features=features, use_cache=use_cache).resolve
    wid = select_world(r, world, path) if world is not None else None
    options_ = generator.DocsOptions(world=wid, no_deps=no_deps, python=python)
    pages = generator.generate(r, options_)
    if key:
        cache.put(key, pages)
    return pages


# ---------------------------------------------------------------- bindgen


@record(kw_only=False)
class Generated:
    """What `bindgen_host` or `bindgen_guest` wrote: the package directory and the warnings
    of generating it."""

    path: Path
    warnings: tuple[Diagnostic, ...]
    sources: SourceMap


def bindgen_host(
    path: str | Path,
    *,
    out_dir: str | Path,
    world: str | None = None,
    package: str | None = None,
    world_name: str | None = None,
    skip_unsupported: bool = False,
    features: Features | None = None,
    use_cache: bool = True,
    allow: frozenset[str] = frozenset(),
) -> Generated:
    """Write typed wasmtime-py host bindings of a world as the package `out_dir/NAME`.

    NAME is `package`, or snake(`world_name` or the world's name). `path` may be a built
    component: its world (always `root`) is bound as the guest's world, without what the
    guest's toolchain added (see `HostOptions.from_component`), and `world_name` gives it
    the name of the world it was built for, so its bindings are those of that WIT world.
    The package is built in a temporary directory and then moved into place, replacing an
    older one, so a failure leaves no partial output. Errors (unsupported functions
    without `skip_unsupported`, name clashes) are a `WitError` that carries the warnings too.
    Warnings whose code is in `allow` are dropped, from the result and from that error
    alike; errors never are.
    """
    from pathlib import Path

    given = None if is_binary_input(path) else _read_input(path, features, use_cache)

    def produce() -> tuple[Sequence[Diagnostic], Mapping[PurePosixPath, str | bytes], str]:
        from witgen.codegen.python.host import generator as python_host

        from_component = False
        if given is None:
            decoded = decode_binary(path)
            loaded = Loaded(resolve=decoded.resolve, sources=SourceMap())
            from_component = decoded.kind == "component"
        else:
            loaded = _resolved(given)
        r = loaded.resolve
        wid = select_world(r, world, path)
        _check_bindable(r, wid, loaded.sources)
        options = python_host.HostOptions(
            package=package,
            world_name=world_name,
            skip_unsupported=skip_unsupported,
            from_component=from_component,
        )
        diags = _reported(python_host.diagnose(r, wid, options), allow, loaded.sources)
        files = python_host.generate(r, wid, options)
        return diags, files, python_host.package_name(r, wid, options)

    settings = (world, package, world_name, skip_unsupported)
    found, files, name = _generated(given, "python_host", settings, produce)
    sources = SourceMap() if given is None else given.sources
    diags = _reported(found, allow, sources)
    target = Path(out_dir) / name
    _replace_tree(target, files, name)
    return Generated(path=target, warnings=diags, sources=sources)


def bindgen_guest(
    path: str | Path,
    *,
    out_dir: str | Path,
    world: str | None = None,
    world_module: str = "wit_world",
    full_names: bool = False,
    import_names: Sequence[tuple[str, str]] = (),
    export_names: Sequence[tuple[str, str]] = (),
    native: bool = True,
    features: Features | None = None,
    use_cache: bool = True,
    allow: frozenset[str] = frozenset(),
) -> Generated:
    """Write Python guest bindings of a world into `out_dir`, as `componentize-py bindings`
    writes them: the world module's package (`wit_world/`, or the path of the dotted
    `world_module`) and `componentize_py_types.py` beside it.

    `full_names`, `import_names` and `export_names` ((world key name, module name) pairs)
    name the interface modules as componentize-py's options of the same names do. `native`
    writes `native/`, the harness that runs the app under pytest with a fake host. Anything
    else in `out_dir` (the app) is left alone; the package is built in a temporary directory
    and then moved into place, replacing an older one. Errors (invalid names, clashes) are a
    `WitError`; warnings whose code is in `allow` are dropped.
    """
    from pathlib import Path, PurePosixPath

    given = None if is_binary_input(path) else _read_input(path, features, use_cache)

    def produce() -> tuple[Sequence[Diagnostic], Mapping[PurePosixPath, str | bytes], None]:
        from witgen.codegen.python.guest import generator as python_guest

        loaded = load(path, features=features) if given is None else _resolved(given)
        r = loaded.resolve
        wid = select_world(r, world, path)
        _check_bindable(r, wid, loaded.sources)
        options = python_guest.GuestOptions(
            world_module=world_module,
            full_names=full_names,
            import_names=tuple(import_names),
            export_names=tuple(export_names),
            native=native,
        )
        diags = _reported(python_guest.diagnose(r, wid, options), allow, loaded.sources)
        return diags, python_guest.generate(r, wid, options), None

    settings = (world, world_module, full_names, tuple(import_names), tuple(export_names), native)
    found, files, _ = _generated(given, "python_guest", settings, produce)
    sources = SourceMap() if given is None else given.sources
    diags = _reported(found, allow, sources)
    root = PurePosixPath(*world_module.split("."))
    package = {
        PurePosixPath(root.name, *rel.parts[len(root.parts) :]): content
        for rel, content in files.items()
        if rel.parts[: len(root.parts)] == root.parts
    }
    target = Path(out_dir) / root
    _replace_tree(target, package, root.name)
    for rel, content in files.items():
        if rel.parts[: len(root.parts)] != root.parts:
            data = content.encode("utf-8") if isinstance(content, str) else content
            path = Path(out_dir) / rel
            try:  # the async support stubs live in a folder of their own
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise _write_error(str(path.parent), e) from None
            write_bytes(path, data)
    return Generated(path=target, warnings=diags, sources=sources)


def _generated(
    given: _Input | None,
    generator: str,
    settings: tuple[object, ...],
    produce: Callable[[], tuple[Sequence[Diagnostic], Mapping[PurePosixPath, str | bytes], _T]],
) -> tuple[Sequence[Diagnostic], Mapping[PurePosixPath, str | bytes], _T]:
    """What `produce()` returns (a generator's diagnostics, its files and one more value),
    from witgen's cache when the same input (`given.key`: contents and features), settings
    (the world asked for, options) and code (`witgen/codegen/`, `templates/`) produced it
    before. Build scripts run
    `bindgen` on every build, mostly on unchanged WIT: a hit imports neither Jinja nor the
    generator. Only successful runs are kept (`produce` raises on errors), with every
    warning, so `allow` applies afresh to each run."""
    from witgen.codegen import templates_dir
    from witgen.loading import cache

    if given is None or not given.key:
        return produce()
    # Every template, not only the generator's own: generators share some.
    code = cache.tree_version(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "codegen"), templates_dir()
    )
    name = cache.key(generator, (given.key, code), ("settings", repr(settings)))
    hit = cache.get(name)
    if isinstance(hit, tuple) and len(hit) == 3:
        found: tuple[Sequence[Diagnostic], Mapping[PurePosixPath, str | bytes], _T] = hit
        return found
    made = produce()
    diags, files, extra = made
    cache.put(name, (tuple(diags), dict(files), extra))
    return made


def _reported(
    diags: Iterable[Diagnostic], allow: frozenset[str], sources: SourceMap
) -> tuple[Diagnostic, ...]:
    """The diagnostics of generating bindings, without the warnings whose code is in
    `allow`; a `WitError` holding them all when one is an error (errors are never allowed)."""
    from witgen.text.diagnostics import Severity

    kept = tuple(d for d in diags if d.severity is Severity.ERROR or d.code not in allow)
    if any(d.severity is Severity.ERROR for d in kept):
        raise WitError(kept, sources)
    return kept


def _replace_tree(target: Path, files: Mapping[PurePosixPath, str | bytes], name: str) -> None:
    """Make `target` a directory holding exactly `files` (paths start with `name/`).

    Everything is written into a temporary directory beside `target` first; the old
    directory (if any) is swapped out only once the new one is complete.
    """
    import shutil
    import tempfile
    from pathlib import Path

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{name}.", suffix=".tmp"))
    except OSError as e:
        raise _write_error(str(target), e) from None
    old = staging.with_name(staging.name + ".old")
    try:
        for rel, content in files.items():
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                dest.write_bytes(content)
            else:
                dest.write_text(content, encoding="utf-8", newline="\n")
        if target.exists() or target.is_symlink():
            os.replace(target, old)
        os.replace(staging / name, target)
    except OSError as e:
        if old.exists() and not target.exists():
            os.replace(old, target)
        raise _write_error(e.filename or str(target), e) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        elif old.exists() or old.is_symlink():
            old.unlink()
