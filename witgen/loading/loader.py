"""Paths → parsed files, grouped by package, following WIT.md's filesystem rules.

Input: a path given by the user: a `.wit` file (one package, perhaps with nested
`package x:y { ... }` blocks) or a directory (every `*.wit` file in it is part of one
package) with an optional `deps/` directory whose entries are package directories or
single `.wit` files, or encoded packages (`.wasm`/`.wat`, kept as bytes for `api` to
decode). Output: a list of `Group`s, the root first, then dependencies in file-name
order, and the `SourceMap` holding every file read. Invariants: this is the only
module that reads `.wit` files; every problem (unreadable, not UTF-8, syntax) becomes a
diagnostic, and a syntax error in one file does not stop the others from being parsed.

Parsed files are cached on disk (see `cache.py`), keyed by the witgen version and the
exact paths and texts of every file read, so a warm run never imports the parser.
"""

from __future__ import annotations

import os

from witgen._record import record
from witgen.loading import cache
from witgen.text.diagnostics import Diagnostic, WitError, error
from witgen.text.source import SourceMap, Span

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from witgen.syntax import nodes

MAX_FILE_BYTES = 64 * 1024 * 1024


@record(kw_only=False)
class Group:
    """The files of one package source: a single file, or all `.wit` files of a directory."""

    path: str
    files: tuple[nodes.File, ...]
    is_root: bool


@record(frozen=False, kw_only=False)
class _Source:
    """A file read but not yet parsed."""

    path: str
    text: str


@record(frozen=False, kw_only=False)
class PackagePlan:
    path: str
    sources: list[_Source]
    is_root: bool
    # The bytes of an encoded package in `deps/` (`.wasm`, or `.wat` text); no sources then.
    binary: bytes | None = None


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _read(path: str, diags: list[Diagnostic], shown: str | None = None) -> _Source | None:
    shown = shown or path
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            diags.append(
                error(
                    "WIT200",
                    f"failed to read file {shown}: larger than {MAX_FILE_BYTES} bytes",
                    Span.UNKNOWN,
                )
            )
            return None
        data = _read_bytes(path)
    except OSError as e:
        diags.append(
            error("WIT200", f"failed to read file {shown}: {e.strerror or e}", Span.UNKNOWN)
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        diags.append(
            error(
                "WIT107",
                f"failed to read file {shown}: stream did not contain valid UTF-8 "
                f"(invalid byte at offset {e.start})",
                Span.UNKNOWN,
            )
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return _Source(shown, text)


def _join(base: str, name: str) -> str:
    """A child path spelled from the user's own spelling of its parent (keeps `./`)."""
    return base + name if base.endswith(("/", "\\")) else f"{base}/{name}"


def _suffix(name: str) -> str:
    """The extension, as `pathlib` spells it (`.wit`; none for a bare `.wit`)."""
    return os.path.splitext(name)[1]


def _entries(directory: str) -> list[os.DirEntry[str]]:
    """The entries of `directory` by name (raises OSError)."""
    with os.scandir(directory) as it:
        return sorted(it, key=lambda e: e.name)


def _is_file(entry: os.DirEntry[str]) -> bool:
    """`entry.is_file()`, False for a link that cannot be followed (a loop), as pathlib."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _wit_files(directory: str) -> list[os.DirEntry[str]]:
    try:
        entries = _entries(directory)
    except OSError:
        return []
    # A `.wit` link that leads nowhere (dangling, or a loop) is kept, so reading it fails
    # with a diagnostic instead of the file being skipped silently.
    return [e for e in entries if _suffix(e.name) == ".wit" and (_is_file(e) or e.is_symlink())]


def _dir_plan(directory: str, shown: str, diags: list[Diagnostic], is_root: bool) -> PackagePlan:
    files = [
        s
        for e in _wit_files(directory)
        if (s := _read(e.path, diags, _join(shown, e.name))) is not None
    ]
    return PackagePlan(path=shown, sources=files, is_root=is_root)


def _valid_utf8(path: str) -> bool:
    """Whether `path` is text: a name that is not UTF-8 reaches Python as lone surrogates."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _debug_path(path: str) -> str:
    """`path` quoted as Rust's `{:?}` shows it (bytes that are not UTF-8 as `\\xFF`)."""
    raw = os.fsencode(path)
    out = []
    i = 0
    while i < len(raw):
        for size in (1, 2, 3, 4):
            try:
                ch = raw[i : i + size].decode("utf-8")
            except UnicodeDecodeError:
                continue
            out.append("\\" + ch if ch in '"\\' else ch)
            i += size
            break
        else:
            out.append(f"\\x{raw[i]:02X}")
            i += 1
    return '"' + "".join(out) + '"'


def _plan(path: str, diags: list[Diagnostic]) -> list[PackagePlan]:
    if not os.path.exists(path):
        diags.append(
            error("WIT200", f"failed to read path {path}: no such file or directory", Span.UNKNOWN)
        )
        return []
    if not os.path.isdir(path):
        if not _valid_utf8(path):
            # wit-parser names a file by its path as text (a directory it reads regardless).
            message = f"path is not valid utf-8: {_debug_path(path)}"
            diags.append(error("WIT200", message, Span.UNKNOWN))
            return []
        src = _read(path, diags)
        return [PackagePlan(path=path, sources=[src] if src else [], is_root=True)]
    if not _wit_files(path):
        diags.append(error("WIT206", f"no `.wit` files found in directory {path}", Span.UNKNOWN))
    plans = [_dir_plan(path, path, diags, True)]
    deps = os.path.join(path, "deps")
    deps_shown = _join(path, "deps")
    if os.path.isdir(deps):
        try:
            entries = _entries(deps)
        except OSError as e:
            entries = []
            message = f"failed to read directory {deps_shown}: {e.strerror or e}"
            diags.append(error("WIT200", message, Span.UNKNOWN))
        for entry in entries:
            shown = _join(deps_shown, entry.name)
            suffix = _suffix(entry.name)
            if _is_dir(entry):
                plans.append(_dir_plan(entry.path, shown, diags, False))
            elif suffix == ".wit" and _is_file(entry):
                src = _read(entry.path, diags, shown)
                if src is not None:
                    plans.append(PackagePlan(path=shown, sources=[src], is_root=False))
            elif entry.is_symlink() and not os.path.exists(entry.path):
                message = f"failed to read {shown}: the link leads nowhere (dangling or a loop)"
                diags.append(error("WIT200", message, Span.UNKNOWN))
            elif suffix in (".wasm", ".wat") and _is_file(entry):
                data = _read_binary(entry.path, diags, shown)
                if data is not None:
                    plans.append(PackagePlan(path=shown, sources=[], is_root=False, binary=data))
    return plans


def _read_binary(path: str, diags: list[Diagnostic], shown: str) -> bytes | None:
    try:
        if os.stat(path).st_size > MAX_FILE_BYTES:
            message = f"failed to read file {shown}: larger than {MAX_FILE_BYTES} bytes"
            diags.append(error("WIT200", message, Span.UNKNOWN))
            return None
        return _read_bytes(path)
    except OSError as e:
        diags.append(
            error("WIT200", f"failed to read file {shown}: {e.strerror or e}", Span.UNKNOWN)
        )
        return None


def binary_deps(plans: list[PackagePlan]) -> list[tuple[str, bytes]]:
    """The encoded packages of `deps/` (path as shown, bytes), in file-name order."""
    return [(p.path, p.binary) for p in plans if p.binary is not None]


def parse_text_group(path: str, text: str, sources: SourceMap) -> Group:
    """One more package source from text made by witgen itself (added to `sources`)."""
    from witgen.syntax.parse import parse_file

    base = sources.add(path, text)
    return Group(path=path, files=(parse_file(sources, path, text, base=base),), is_root=False)


def read(path: str) -> tuple[list[PackagePlan], SourceMap]:
    """Read every file of the package at `path` and its `deps/`, without parsing."""
    sources = SourceMap()
    diags: list[Diagnostic] = []
    plans = _plan(path, diags)
    for plan in plans:
        for src in plan.sources:
            sources.add(src.path, src.text)
    if diags:
        raise WitError(tuple(diags), sources)
    return plans, sources


def content_key(kind: str, plans: list[PackagePlan], *extra: str) -> str:
    """A cache key naming exactly these files, these texts and `extra`."""
    parts = [(x, "") for x in extra]
    parts += [(s.path, s.text) for p in plans for s in p.sources]
    binaries = [(p.path, cache.digest(p.binary)) for p in plans if p.binary]
    return cache.key(kind, *parts, *binaries, binaries=bool(binaries))


def parse(plans: list[PackagePlan], sources: SourceMap, *, use_cache: bool = True) -> list[Group]:
    """Parse what `read` returned (from the cache when the same files were parsed before)."""
    key = content_key("parse", plans) if use_cache else ""
    if use_cache:
        cached = cache.get(key)
        if isinstance(cached, list) and all(isinstance(g, Group) for g in cached):
            return cached
    diags: list[Diagnostic] = []
    groups = _parse(plans, sources, diags)
    if diags:
        raise WitError(tuple(diags), sources)
    if use_cache:
        cache.put(key, groups)
    return groups


def load(path: str, *, use_cache: bool = True) -> tuple[list[Group], SourceMap]:
    """Read and parse the package at `path` and its `deps/`; raise WitError on any problem."""
    plans, sources = read(path)
    return parse(plans, sources, use_cache=use_cache), sources


def _parse(plans: list[PackagePlan], sources: SourceMap, diags: list[Diagnostic]) -> list[Group]:
    from witgen.syntax.parse import parse_file

    groups: list[Group] = []
    index = 0
    for plan in plans:
        if plan.binary is not None:
            continue
        files: list[nodes.File] = []
        for src in plan.sources:
            base = sources.files[index].start
            index += 1
            try:
                files.append(parse_file(sources, src.path, src.text, base=base))
            except WitError as e:
                diags.extend(e.diagnostics)
        groups.append(Group(path=plan.path, files=tuple(files), is_root=plan.is_root))
    return groups
