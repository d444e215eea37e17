"""Paths → parsed files, grouped by package, following WIT.md's filesystem rules.

Input: a path given by the user: a `.wit` file (one package, perhaps with nested
`package x:y { ... }` blocks) or a directory (every `*.wit` file in it is part of one
package) with an optional `deps/` directory whose entries are package directories or
single `.wit` files. Output: a list of `Group`s, the root first, then dependencies in
file-name order, and the `SourceMap` holding every file read. Invariants: this is the only
module that reads `.wit` files; every problem (unreadable, not UTF-8, syntax) becomes a
diagnostic, and a syntax error in one file does not stop the others from being parsed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from witgen import nodes
from witgen.diagnostics import Diagnostic, WitError, error
from witgen.source import SourceMap, Span

MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Group:
    """The files of one package source: a single file, or all `.wit` files of a directory."""

    path: str
    files: tuple[nodes.File, ...]
    is_root: bool


def _display(path: Path) -> str:
    return str(path)


def _read(path: Path, sources: SourceMap, diags: list[Diagnostic]) -> nodes.File | None:
    from witgen.parse import parse_file

    shown = _display(path)
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
                f"failed to read file {shown}: invalid UTF-8 at byte offset {e.start}",
                Span.UNKNOWN,
            )
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    sources.add(shown, text)
    try:
        return parse_file(sources, shown, text)
    except WitError as e:
        diags.extend(e.diagnostics)
        return None


def _wit_files(directory: Path) -> list[Path]:
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
    return [p for p in entries if p.suffix == ".wit" and p.is_file()]


def _dir_group(
    directory: Path, sources: SourceMap, diags: list[Diagnostic], is_root: bool
) -> Group:
    files = [f for p in _wit_files(directory) if (f := _read(p, sources, diags)) is not None]
    return Group(path=_display(directory), files=tuple(files), is_root=is_root)


def load(path: str) -> tuple[list[Group], SourceMap]:
    """Read and parse the package at `path` and its `deps/`; raise WitError on any problem."""
    sources = SourceMap()
    diags: list[Diagnostic] = []
    root = Path(path)
    groups: list[Group] = []
    if not root.exists():
        raise WitError(
            (
                error(
                    "WIT200", f"failed to read path {path}: no such file or directory", Span.UNKNOWN
                ),
            ),
            sources,
        )
    if root.is_dir():
        if not _wit_files(root):
            diags.append(
                error("WIT206", f"no `.wit` files found in directory {path}", Span.UNKNOWN)
            )
        groups.append(_dir_group(root, sources, diags, True))
        deps = root / "deps"
        if deps.is_dir():
            try:
                entries = sorted(deps.iterdir(), key=lambda p: p.name)
            except OSError as e:
                entries = []
                diags.append(
                    error(
                        "WIT200",
                        f"failed to read directory {deps}: {e.strerror or e}",
                        Span.UNKNOWN,
                    )
                )
            for entry in entries:
                if entry.is_dir():
                    groups.append(_dir_group(entry, sources, diags, False))
                elif entry.suffix == ".wit" and entry.is_file():
                    f = _read(entry, sources, diags)
                    if f is not None:
                        groups.append(Group(path=_display(entry), files=(f,), is_root=False))
                elif entry.suffix == ".wasm" and entry.is_file():
                    diags.append(
                        error(
                            "WIT200",
                            f"reading `.wasm` dependencies is not supported yet: {entry}",
                            Span.UNKNOWN,
                        )
                    )
    else:
        f = _read(root, sources, diags)
        groups.append(Group(path=_display(root), files=(f,) if f else (), is_root=True))
    if diags:
        raise WitError(tuple(diags), sources)
    return groups, sources


def is_wit_path(path: str) -> bool:
    return os.path.isdir(path) or path.endswith(".wit")
