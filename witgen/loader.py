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

from pathlib import Path

from witgen import cache, nodes
from witgen._record import record
from witgen.diagnostics import Diagnostic, WitError, error
from witgen.source import SourceMap, Span

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
class _Plan:
    path: str
    sources: list[_Source]
    is_root: bool
    # The bytes of an encoded package in `deps/` (`.wasm`, or `.wat` text); no sources then.
    binary: bytes | None = None


def _read(path: Path, diags: list[Diagnostic], shown: str | None = None) -> _Source | None:
    shown = shown or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            diags.append(
                error(
                    "WIT200",
                    f"failed to read file {shown}: larger than {MAX_FILE_BYTES} bytes",
                    Span.UNKNOWN,
                )
            )
            return None
        data = path.read_bytes()
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


def _wit_files(directory: Path) -> list[Path]:
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
    # A `.wit` link that leads nowhere (dangling, or a loop) is kept, so reading it fails
    # with a diagnostic instead of the file being skipped silently.
    return [p for p in entries if p.suffix == ".wit" and (p.is_file() or p.is_symlink())]


def _dir_plan(directory: Path, shown: str, diags: list[Diagnostic], is_root: bool) -> _Plan:
    files = [
        s for p in _wit_files(directory) if (s := _read(p, diags, _join(shown, p.name))) is not None
    ]
    return _Plan(path=shown, sources=files, is_root=is_root)


def _plan(path: str, diags: list[Diagnostic]) -> list[_Plan]:
    root = Path(path)
    if not root.exists():
        diags.append(
            error("WIT200", f"failed to read path {path}: no such file or directory", Span.UNKNOWN)
        )
        return []
    if not root.is_dir():
        src = _read(root, diags, path)
        return [_Plan(path=path, sources=[src] if src else [], is_root=True)]
    if not _wit_files(root):
        diags.append(error("WIT206", f"no `.wit` files found in directory {path}", Span.UNKNOWN))
    plans = [_dir_plan(root, path, diags, True)]
    deps = root / "deps"
    deps_shown = _join(path, "deps")
    if deps.is_dir():
        try:
            entries = sorted(deps.iterdir(), key=lambda p: p.name)
        except OSError as e:
            entries = []
            diags.append(
                error("WIT200", f"failed to read directory {deps}: {e.strerror or e}", Span.UNKNOWN)
            )
        for entry in entries:
            shown = _join(deps_shown, entry.name)
            if entry.is_dir():
                plans.append(_dir_plan(entry, shown, diags, False))
            elif entry.suffix == ".wit" and entry.is_file():
                src = _read(entry, diags, shown)
                if src is not None:
                    plans.append(_Plan(path=shown, sources=[src], is_root=False))
            elif entry.is_symlink() and not entry.exists():
                message = f"failed to read {shown}: the link leads nowhere (dangling or a loop)"
                diags.append(error("WIT200", message, Span.UNKNOWN))
            elif entry.suffix in (".wasm", ".wat") and entry.is_file():
                data = _read_binary(entry, diags, shown)
                if data is not None:
                    plans.append(_Plan(path=shown, sources=[], is_root=False, binary=data))
    return plans


def _read_binary(path: Path, diags: list[Diagnostic], shown: str) -> bytes | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            message = f"failed to read file {shown}: larger than {MAX_FILE_BYTES} bytes"
            diags.append(error("WIT200", message, Span.UNKNOWN))
            return None
        return path.read_bytes()
    except OSError as e:
        diags.append(
            error("WIT200", f"failed to read file {shown}: {e.strerror or e}", Span.UNKNOWN)
        )
        return None


def binary_deps(plans: list[_Plan]) -> list[tuple[str, bytes]]:
    """The encoded packages of `deps/` (path as shown, bytes), in file-name order."""
    return [(p.path, p.binary) for p in plans if p.binary is not None]


def parse_text_group(path: str, text: str, sources: SourceMap) -> Group:
    """One more package source from text made by witgen itself (added to `sources`)."""
    from witgen.parse import parse_file

    base = sources.add(path, text)
    return Group(path=path, files=(parse_file(sources, path, text, base=base),), is_root=False)


def read(path: str) -> tuple[list[_Plan], SourceMap]:
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


def content_key(kind: str, plans: list[_Plan], *extra: str) -> str:
    """A cache key naming exactly these files, these texts and `extra`."""
    import hashlib

    parts = [(x, "") for x in extra]
    parts += [(s.path, s.text) for p in plans for s in p.sources]
    parts += [(p.path, hashlib.sha256(p.binary).hexdigest()) for p in plans if p.binary]
    return cache.key(kind, *parts)


def parse(plans: list[_Plan], sources: SourceMap, *, use_cache: bool = True) -> list[Group]:
    """Parse what `read` returned (from the cache when the same files were parsed before)."""
    key = content_key("parse", plans)
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


def _parse(plans: list[_Plan], sources: SourceMap, diags: list[Diagnostic]) -> list[Group]:
    from witgen.parse import parse_file

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
