"""What the commands print, and the commands that also run without typer.

Input: diagnostics, options already parsed (by typer in `app.py`, or by `entry.py`'s fast
path, both reading `options.py`). Output: text on stdout and stderr, an exit code.
Invariants: no typer here, so `witgen check` can run without importing it; rich is
imported only to colour output on a terminal; `app.py` and `entry.py` call the same
functions, so both paths print the same bytes and return the same code.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from witgen.api import Features, Formatted
    from witgen.text.diagnostics import Located, Segment


class _Settings:
    """Global options, set once per invocation from the root options of `options.py`
    (`--color`: auto, always or never)."""

    __slots__ = ("color",)

    def __init__(self) -> None:
        self.color = "auto"


settings = _Settings()


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Write `text` (and a newline) to stdout or stderr and flush, as `typer.echo` does."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n" if nl else text)
    stream.flush()


# rich styles for the semantic styles of `diagnostics.render_segments`.
_STYLES = {
    "error": "bold red",
    "warning": "bold yellow",
    "message": "bold",
    "gutter": "bold blue",
    "help": "bold cyan",
    "note": "bold green",
}


def use_color(stream_is_tty: bool) -> bool:
    if settings.color == "auto":
        return stream_is_tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    return settings.color == "always"


def _emit_styled(segments: list[Segment]) -> None:
    from rich.color import ColorSystem
    from rich.style import Style

    # rich styles each segment (none spans a newline); the text itself goes out untouched (a
    # Console would expand tabs and wrap lines), so colour adds escapes and changes nothing.
    styles = {name: Style.parse(style) for name, style in _STYLES.items()}
    out = (
        styles[style].render(text, color_system=ColorSystem.STANDARD) if style in styles else text
        for text, style in segments
    )
    echo("".join(out), err=True)


def show_diagnostics(diags: Iterable[Located], fmt: str = "text") -> None:
    """Text on stderr (coloured per `--color`); JSON and SARIF documents on stdout (`fmt`:
    text, json or sarif)."""
    from witgen.text.diagnostics import ordered, render_json, render_sarif, render_segments

    pairs = ordered(diags)
    if fmt == "json":
        echo(render_json(pairs), nl=False)
    elif fmt == "sarif":
        echo(render_sarif(pairs), nl=False)
    elif pairs and use_color(sys.stderr.isatty()):
        _emit_styled(render_segments(pairs))
    elif pairs:
        echo("".join(text for text, _ in render_segments(pairs)), err=True)


def features_of(features: Sequence[str] | None, all_features: bool) -> Features:
    from witgen.api import Features

    return Features.of(features or (), all_features)


# ---------------------------------------------------------------- commands


def guarded(run: Callable[[], int]) -> int:
    """`run()`'s exit code; a `WitError` it raises is shown, and the code is 1. The one
    place where that exception becomes output (`app.py` runs every command in it)."""
    from witgen.text.diagnostics import WitError, ordered

    try:
        return run()
    except WitError as e:
        show_diagnostics(ordered(e.diagnostics, e.sources))
        return 1


def check(
    paths: Sequence[str],
    *,
    features: Sequence[str] | None,
    all_features: bool,
    format: str,
    no_cache: bool,
) -> int:
    """`witgen check`: diagnostics shown, and the exit code (1 when any is an error)."""
    from witgen import api

    result = api.check(paths, features=features_of(features, all_features), use_cache=not no_cache)
    show_diagnostics(result.diagnostics, format)
    return 0 if result.ok else 1


def check_files(
    files: Sequence[str],
    *,
    features: Sequence[str] | None,
    all_features: bool,
    format: str,
    no_cache: bool,
) -> int:
    """`witgen check-files`: `check` of the packages holding these files (pre-commit)."""
    from witgen import api

    roots = api.package_roots(files)
    return check(
        roots, features=features, all_features=all_features, format=format, no_cache=no_cache
    )


def fmt(
    paths: Sequence[str], *, check: bool, diff: bool, stdout: bool, width: int, no_cache: bool
) -> int:
    """`witgen fmt`: files rewritten (or checked, diffed, printed); the exit code."""
    from witgen import api

    write = not (check or diff or stdout)
    results = api.format_paths(paths, width=width, write=write, use_cache=not no_cache)
    failed = show_formatted(results, check=check, diff=diff, stdout=stdout)
    return 1 if failed else 0


def allowed_codes(values: Sequence[str]) -> list[str]:
    """The codes of `--allow` values: split at commas, upper-cased (`wit406,WIT403`)."""
    return [c.strip().upper() for value in values for c in value.split(",") if c.strip()]


def _renames(values: Sequence[str] | None) -> list[tuple[str, str]]:
    """`KEY=NAME` values (checked by the option table) as (KEY, NAME) pairs."""
    return [(key, name) for key, _, name in (v.rpartition("=") for v in values or ())]


def bindgen(
    paths: Sequence[str],
    *,
    lang: str,
    host: bool,
    out_dir: str,
    world: str | None,
    package: str | None,
    world_name: str | None,
    skip_unsupported: bool,
    world_module: str,
    full_names: bool,
    import_interface_name: Sequence[str] | None,
    export_interface_name: Sequence[str] | None,
    no_native: bool,
    allow: Sequence[str] | None,
    features: Sequence[str] | None,
    all_features: bool,
    no_cache: bool = False,
) -> int:
    """`witgen bindgen`: the bindings written, their warnings shown, the output path printed.
    `lang` has one value, python, already checked; so are combinations of options."""
    from witgen import api

    (path,) = paths
    feats, allowed = features_of(features, all_features), frozenset(allowed_codes(allow or ()))
    if host:
        result = api.bindgen_host(
            path, out_dir=out_dir, world=world, package=package, world_name=world_name,
            skip_unsupported=skip_unsupported, features=feats, allow=allowed,
            use_cache=not no_cache,
        )  # fmt: skip
    else:
        result = api.bindgen_guest(
            path, out_dir=out_dir, world=world, world_module=world_module,
            full_names=full_names, import_names=_renames(import_interface_name),
            export_names=_renames(export_interface_name), native=not no_native,
            features=feats, allow=allowed, use_cache=not no_cache,
        )  # fmt: skip
    show_diagnostics((d, result.sources) for d in result.warnings)
    echo(str(result.path))
    return 0


def show_formatted(results: list[Formatted], *, check: bool, diff: bool, stdout: bool) -> bool:
    """Report what `fmt` did; True when the exit code must be 1 (a file left unformatted
    because of errors, or one that would change under `--check`)."""
    failed = False
    for r in results:
        show_diagnostics((d, r.sources) for d in r.diagnostics)
        failed = failed or bool(r.diagnostics) or (check and r.changed)
        if r.formatted is None:
            continue
        if stdout:
            echo(r.formatted, nl=False)
        if diff and r.changed:
            echo(unified_diff(r.path, r.original, r.formatted), nl=False)
        if check and r.changed and not diff:
            echo(r.path, err=stdout)
        if r.written:
            echo(f"reformatted {r.path}", err=True)
    return failed


def unified_diff(path: str, before: str, after: str) -> str:
    """`diff -u` of two versions of `path`, marking a last line without a newline."""
    import difflib

    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), path, path
    )
    return "".join(x if x.endswith("\n") else x + "\n\\ No newline at end of file\n" for x in lines)


def docs(
    paths: Sequence[str],
    *,
    out_dir: str,
    world: str | None,
    features: Sequence[str] | None,
    all_features: bool,
    no_deps: bool,
    check: bool,
    python: bool,
    format: str,
    no_cache: bool,
) -> int:
    """`witgen docs`: the pages written into `out_dir` (or, with `check`, the files there
    that differ from them listed on stdout); the exit code."""
    from witgen import api

    [path] = paths
    files = api.docs(
        path,
        features=features_of(features, all_features),
        world=world,
        no_deps=no_deps,
        python=python,
        format=format,
        use_cache=not no_cache,
    )
    if not check:
        api.write_tree(out_dir, files)
        return 0
    differing = api.differing_files(out_dir, files)
    for rel in differing:
        echo(os.path.join(out_dir, rel))
    return 1 if differing else 0
