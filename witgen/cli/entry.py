"""The `witgen` console script and `python -m witgen`: a fast path, then the typer app.

Input: argv. Output: what `cli.py`'s typer app would print and return for that argv.
Invariants: `check`, `check-files` and `fmt` (what the pre-commit hooks run, on every
commit) are recognised here without importing typer, which costs more start-up time than
the whole check of a WASI package; they run `console.check`, `console.check_files` and
`console.fmt`, the functions the typer commands call. Anything this parser does not
fully understand (help, `--version`, another command, an unknown option, a missing or
odd value, `--`, a path that starts with `-`) goes to the typer app unchanged, so usage
errors and help are always typer's. `tests/test_entry.py` holds the tables below to the
typer app's options.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

from witgen._record import record
from witgen.cli import console

# What an option accepts: FLAG (no value), ANY (a value not starting with "-"), WIDTH (a
# number of at least 20, in plain digits), or a tuple of the allowed values.
FLAG = "flag"
ANY = "any"
WIDTH = "width"
Accepts = str | tuple[str, ...]
COLOR_VALUES = tuple(c.value for c in console.Color)
FORMAT_VALUES = tuple(f.value for f in console.Format)
_CHECK_OPTIONS: dict[str, Accepts] = {
    "--features": ANY,
    "--all-features": FLAG,
    "--format": FORMAT_VALUES,
    "--no-cache": FLAG,
}


@record(kw_only=False)
class Spec:
    """A fast-path command: its options, and whether it needs at least one path."""

    options: dict[str, Accepts]
    paths_required: bool


COMMANDS = {
    "check": Spec(_CHECK_OPTIONS, True),
    "check-files": Spec(_CHECK_OPTIONS, False),
    "fmt": Spec(
        {"--check": FLAG, "--diff": FLAG, "--stdout": FLAG, "--width": WIDTH, "--no-cache": FLAG},
        True,
    ),
}


@record
class Invocation:
    """An argv the fast path understood: the command, its paths, and its options (each
    flag given, and every value of each option in order)."""

    command: str
    paths: tuple[str, ...]
    color: console.Color = console.Color.AUTO
    flags: frozenset[str] = frozenset()
    values: tuple[tuple[str, str], ...] = ()

    def last(self, option: str, default: str) -> str:
        """The value of an option given once (click keeps the last), or `default`."""
        given = [v for name, v in self.values if name == option]
        return given[-1] if given else default


def _accepted(value: str, accepts: Accepts) -> bool:
    if value.startswith("-"):
        return False  # click would take an option as the value; typer must decide
    if accepts == WIDTH:
        return value.isascii() and value.isdigit() and int(value) >= 20
    return accepts == ANY or value in accepts


def _split(
    tokens: Sequence[str], i: int, options: dict[str, Accepts]
) -> tuple[str, str | None, int] | None:
    """The option at `tokens[i]` as (name, value or None, index after it); `--x=v` and
    `--x v` both give a value where the option takes one. None: not understood."""
    name, eq, inline = tokens[i].partition("=")
    accepts = options.get(name)
    if accepts is None:
        return None
    if accepts == FLAG:
        return None if eq else (name, None, i + 1)
    if eq:
        value, after = inline, i + 1
    elif i + 1 < len(tokens):
        value, after = tokens[i + 1], i + 2
    else:
        return None  # a missing value: typer's usage error
    return (name, value, after) if _accepted(value, accepts) else None


def parse(argv: Sequence[str]) -> Invocation | None:
    """The invocation, or None when typer must handle this argv."""
    i = 0
    color = console.Color.AUTO
    while i < len(argv) and argv[i].partition("=")[0] == "--color":
        split = _split(argv, i, {"--color": COLOR_VALUES})
        if split is None or split[1] is None:
            return None
        color, i = console.Color(split[1]), split[2]
    if i >= len(argv) or argv[i] not in COMMANDS:
        return None
    command, spec = argv[i], COMMANDS[argv[i]]
    paths: list[str] = []
    flags: set[str] = set()
    values: list[tuple[str, str]] = []
    i += 1
    while i < len(argv):
        if not argv[i].startswith("-"):
            paths.append(argv[i])
            i += 1
            continue
        split = _split(argv, i, spec.options)
        if split is None:
            return None
        name, value, i = split
        if value is None:
            flags.add(name)
        else:
            values.append((name, value))
    if spec.paths_required and not paths:
        return None
    return Invocation(
        command=command,
        paths=tuple(paths),
        color=color,
        flags=frozenset(flags),
        values=tuple(values),
    )


def run(inv: Invocation) -> int:
    """Run an understood invocation as the typer command would; its exit code."""
    console.settings.color = inv.color
    no_cache = "--no-cache" in inv.flags

    def call() -> int:
        if inv.command == "fmt":
            return console.fmt(
                inv.paths,
                check="--check" in inv.flags,
                diff="--diff" in inv.flags,
                stdout="--stdout" in inv.flags,
                width=int(inv.last("--width", "100")),
                no_cache=no_cache,
            )
        run_check = console.check if inv.command == "check" else console.check_files
        # typer passes a `--features` never given as None, and a given one as a list.
        features = [v for name, v in inv.values if name == "--features"] or None
        return run_check(
            inv.paths,
            features=features,
            all_features="--all-features" in inv.flags,
            fmt=console.Format(inv.last("--format", "text")),
            no_cache=no_cache,
        )

    return console.guarded(call)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (`witgen`, `python -m witgen`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    inv = None if os.environ.get("_WITGEN_COMPLETE") else parse(args)
    if inv is None:
        from witgen.cli.app import main as typer_main

        typer_main(args)
        return
    # A short-lived process whose data holds no reference cycles (the trees and the model
    # are acyclic; tests/unit/test_resolve_internals.py checks the resolver's): the cyclic
    # collector would only rescan them, for a tenth of the time of a large package.
    gc.disable()
    try:
        code = run(inv)
    except KeyboardInterrupt:
        code = 130  # what typer exits with, silently
    except BrokenPipeError:
        # The reader went away (`| head`): typer exits 1; stdout must not be flushed again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)
