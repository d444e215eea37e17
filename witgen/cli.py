"""The command line: options → `api` → render → exit code.

Input: argv. Output: data on stdout, diagnostics on stderr, and the exit code: 0 for
success, 1 for diagnostics (including unreadable input), 2 for usage errors (typer's).
Invariants: this is the only module that imports typer or rich; `WitError` becomes a
message and exit code 1 in one place, `command()`; any other exception is a bug and
propagates. Startup stays fast: `api`, `diagnostics` and rich are imported inside the
functions that need them, never at import time (`--help` loads typer and nothing else).

Adding a command: write a function decorated with `@command()` (or `@command("name")`),
`Annotated` options with one-line help, keyword-only after `*`, the docstring as help;
call `api`, print the result, `raise typer.Exit(code)`.
"""

from __future__ import annotations

import enum
import functools
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, ParamSpec

import typer

from witgen import __version__

if TYPE_CHECKING:
    from witgen.api import Features
    from witgen.diagnostics import Located, Segment

P = ParamSpec("P")


class Color(enum.Enum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


class Format(enum.Enum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


@dataclass(slots=True)
class _Settings:
    """Global options, set by the root callback for the commands of one invocation."""

    color: Color = Color.AUTO


_settings = _Settings()

app = typer.Typer(
    name="witgen",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"witgen {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    *,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_show_version, is_eager=True
        ),
    ] = False,
    color: Annotated[Color, typer.Option(help="Colour diagnostics.")] = Color.AUTO,
) -> None:
    """witgen: check, print and generate code from WIT (WebAssembly Component Model) packages."""
    _settings.color = color


# ---------------------------------------------------------------- output

# rich styles for the semantic styles of `diagnostics.render_segments`.
_STYLES = {
    "error": "bold red",
    "warning": "bold yellow",
    "message": "bold",
    "gutter": "bold blue",
    "help": "bold cyan",
    "note": "bold green",
}


def _use_color(stream_is_tty: bool) -> bool:
    if _settings.color is Color.AUTO:
        return stream_is_tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    return _settings.color is Color.ALWAYS


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
    typer.echo("".join(out), err=True, color=True)


def show_diagnostics(diags: Iterable[Located], fmt: Format = Format.TEXT) -> None:
    """Text on stderr (coloured per `--color`); JSON and SARIF documents on stdout."""
    from witgen.diagnostics import ordered, render_json, render_sarif, render_segments

    pairs = ordered(diags)
    if fmt is Format.JSON:
        typer.echo(render_json(pairs), nl=False)
    elif fmt is Format.SARIF:
        typer.echo(render_sarif(pairs), nl=False)
    elif pairs and _use_color(sys.stderr.isatty()):
        _emit_styled(render_segments(pairs))
    elif pairs:
        typer.echo("".join(text for text, _ in render_segments(pairs)), err=True)


def command(
    name: str | None = None,
) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Register a command; the one place where `WitError` becomes diagnostics and exit 1."""

    def register(fn: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> None:
            from witgen.diagnostics import WitError, ordered

            try:
                fn(*args, **kwargs)
            except WitError as e:
                show_diagnostics(ordered(e.diagnostics, e.sources))
                raise typer.Exit(1) from None

        app.command(name)(run)
        return run

    return register


# ---------------------------------------------------------------- shared options

# Paths stay `str`: diagnostics show them as the user spelled them (`./x.wit`, as wasm-tools).
PathsArg = Annotated[
    list[str],
    typer.Argument(help="A .wit file or a package directory.", metavar="PATH", show_default=False),
]
PathArg = Annotated[
    str,
    typer.Argument(help="A .wit file or a package directory.", metavar="PATH", show_default=False),
]
FeaturesOpt = Annotated[
    list[str] | None,
    typer.Option("--features", help="Enable @unstable features (a,b or repeat).", metavar="A,B"),
]
AllFeaturesOpt = Annotated[
    bool, typer.Option("--all-features", help="Enable every @unstable feature.")
]
FormatOpt = Annotated[Format, typer.Option("--format", help="Diagnostics format.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Do not use cached parse results.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print wit-parser's JSON.")]


def features_of(features: list[str] | None, all_features: bool) -> Features:
    from witgen.api import Features

    return Features.of(features or (), all_features)


# ---------------------------------------------------------------- commands


@command()
def check(
    paths: PathsArg,
    *,
    features: FeaturesOpt = None,
    all_features: AllFeaturesOpt = False,
    fmt: FormatOpt = Format.TEXT,
    no_cache: NoCacheOpt = False,
) -> None:
    """Validate WIT packages and report every problem (text on stderr; json/sarif on stdout)."""
    from witgen import api

    result = api.check(paths, features=features_of(features, all_features), use_cache=not no_cache)
    show_diagnostics(result.diagnostics, fmt)
    raise typer.Exit(0 if result.ok else 1)


@command()
def resolve(
    path: PathArg,
    *,
    json: JsonOpt,
    features: FeaturesOpt = None,
    all_features: AllFeaturesOpt = False,
) -> None:
    """Resolve a package and print it as `wasm-tools component wit --json` does."""
    from witgen import api

    text = api.resolve_json(path, features=features_of(features, all_features))
    typer.echo(text.removesuffix("\n"), nl=False)  # byte for byte what wasm-tools prints
    raise typer.Exit(0)


def main() -> None:
    """Console-script entry point (`witgen`, `python -m witgen`)."""
    app(prog_name="witgen")
