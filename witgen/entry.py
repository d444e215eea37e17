"""The `witgen` console script and `python -m witgen`: a fast path, then the typer app.

Input: argv. Output: what `cli.py`'s typer app would print and return for that argv.
Invariants: `check` and `check-files` (what the pre-commit hook runs, on every commit)
are recognised here without importing typer, which costs more start-up time than the
whole check of a WASI package; they run `console.check` / `console.check_files`, the
functions the typer commands call. Anything this parser does not fully understand (help,
`--version`, another command, an unknown option, a missing or odd value, `--`, a path
that starts with `-`) goes to the typer app unchanged, so usage errors and help are
always typer's. `tests/test_entry.py` holds the table below to the typer app's options.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from witgen import console
from witgen._record import record

# The options of the fast-path commands: name → allowed values (None: any value that does
# not start with "-"), or FLAG for an option without a value.
FLAG: tuple[str, ...] = ()
COLOR_VALUES = tuple(c.value for c in console.Color)
COMMAND_OPTIONS: dict[str, tuple[str, ...] | None] = {
    "--features": None,
    "--all-features": FLAG,
    "--format": tuple(f.value for f in console.Format),
    "--no-cache": FLAG,
}
# Commands and whether they need at least one path.
COMMANDS = {"check": True, "check-files": False}


@record
class Invocation:
    """An argv the fast path understood."""

    command: str
    paths: tuple[str, ...]
    color: console.Color = console.Color.AUTO
    features: tuple[str, ...] = ()
    all_features: bool = False
    fmt: console.Format = console.Format.TEXT
    no_cache: bool = False


def _split(tokens: Sequence[str], i: int) -> tuple[str, str | None, int] | None:
    """The option at `tokens[i]` as (name, value or None, index after it); `--x=v` and
    `--x v` both give a value where the option takes one. None: not an option we know."""
    name, eq, inline = tokens[i].partition("=")
    allowed = COMMAND_OPTIONS.get(name) if name != "--color" else COLOR_VALUES
    if name not in COMMAND_OPTIONS and name != "--color":
        return None
    if allowed is FLAG:
        return None if eq else (name, None, i + 1)
    if eq:
        value, after = inline, i + 1
    elif i + 1 < len(tokens):
        value, after = tokens[i + 1], i + 2
    else:
        return None  # a missing value: typer's usage error
    if value.startswith("-") or (allowed is not None and value not in allowed):
        return None
    return name, value, after


def parse(argv: Sequence[str]) -> Invocation | None:
    """The invocation, or None when typer must handle this argv."""
    i = 0
    color = console.Color.AUTO
    while i < len(argv) and argv[i].partition("=")[0] == "--color":
        split = _split(argv, i)
        if split is None or split[1] is None:
            return None
        color, i = console.Color(split[1]), split[2]
    if i >= len(argv) or argv[i] not in COMMANDS:
        return None
    command = argv[i]
    paths: list[str] = []
    features: list[str] = []
    flags: set[str] = set()
    fmt = console.Format.TEXT
    i += 1
    while i < len(argv):
        token = argv[i]
        if not token.startswith("-"):
            paths.append(token)
            i += 1
            continue
        split = _split(argv, i)
        if split is None or split[0] == "--color":
            return None
        name, value, i = split
        if name == "--features":
            features.append(str(value))
        elif name == "--format":
            fmt = console.Format(value)
        else:
            flags.add(name)
    if COMMANDS[command] and not paths:
        return None
    return Invocation(
        command=command,
        paths=tuple(paths),
        color=color,
        features=tuple(features),
        all_features="--all-features" in flags,
        fmt=fmt,
        no_cache="--no-cache" in flags,
    )


def run(inv: Invocation) -> int:
    """Run an understood invocation as the typer command would; its exit code."""
    console.settings.color = inv.color
    run_command = console.check if inv.command == "check" else console.check_files
    # typer passes an option that was never given as None, and `--features` is a list.
    features = list(inv.features) or None

    def call() -> int:
        return run_command(
            inv.paths,
            features=features,
            all_features=inv.all_features,
            fmt=inv.fmt,
            no_cache=inv.no_cache,
        )

    return console.guarded(call)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (`witgen`, `python -m witgen`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    inv = None if os.environ.get("_WITGEN_COMPLETE") else parse(args)
    if inv is None:
        from witgen.cli import main as typer_main

        typer_main(args)
        return
    try:
        code = run(inv)
    except KeyboardInterrupt:
        code = 130  # what typer exits with, silently
    except BrokenPipeError:
        # The reader went away (`| head`): typer exits 1; stdout must not be flushed again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)
