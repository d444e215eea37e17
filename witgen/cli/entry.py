"""The `witgen` console script and `python -m witgen`: a fast path, then the typer app.

Input: argv. Output: what `app.py`'s typer app would print and return for that argv.
Invariants: the commands of `options.COMMANDS` (`check`, `check-files` and `fmt`, what the
pre-commit hooks run on every commit, and `bindgen`, which build scripts run on every
build) are parsed here from that table, without importing
typer, which costs more start-up time than the whole check of a WASI package; they run the
`console` function the typer command runs, with the same arguments. Anything this parser
does not fully understand (help, `--version`, another command, an unknown option, a
missing or odd value, `--`, a path that starts with `-`) goes to the typer app unchanged,
so usage errors and help are always typer's.
"""

from __future__ import annotations

import gc
import os
import sys

from witgen.cli.options import COMMANDS, ROOT_OPTIONS, Command, Option, configure

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Sequence


class Invocation:
    """An argv the fast path understood: the command, its paths, and the values of the root
    options and of the command's options by keyword, defaults filled in."""

    __slots__ = ("command", "paths", "settings", "values")

    def __init__(
        self,
        command: Command,
        paths: tuple[str, ...],
        settings: dict[str, object],
        values: dict[str, object],
    ) -> None:
        self.command = command
        self.paths = paths
        self.settings = settings
        self.values = values


def _understood(value: str, option: Option) -> bool:
    """Whether click takes `value` for `option` as it is; typer judges anything else."""
    if value.startswith("-"):
        return False  # click would take an option as the value
    if option.choices:
        return value in option.choices
    if option.kind is str:
        return True
    # An int: plain digits (no sign, spaces or other scripts' digits), at least the minimum.
    digits = value.isascii() and value.isdigit()
    return digits and (option.minimum is None or int(value) >= option.minimum)


_OFF = "\0off"  # the value recorded for the second flag of a pair (`--guest`)


def _option_at(
    argv: Sequence[str], i: int, options: dict[str, Option]
) -> tuple[Option, str, int] | None:
    """The option at `argv[i]`, its value ("" for a flag, `_OFF` for the second flag of a
    pair) and the index after it; `--x=v` and `--x v` (and `-x v` for a short alias) give a
    value where the option takes one. None: not understood."""
    arg = argv[i]
    name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
    option = options.get(name)
    if option is None:
        return None
    if option.kind is bool:
        return None if eq else (option, _OFF if name == option.off_flag else "", i + 1)
    if eq:
        value, after = inline, i + 1
    elif i + 1 < len(argv):
        value, after = argv[i + 1], i + 2
    else:
        return None  # a missing value: typer's usage error
    return (option, value, after) if _understood(value, option) else None


def _value(option: Option, given: list[str] | None) -> object:
    """What typer passes for `option` given these values (None: not given)."""
    if given is None:
        return option.default
    if option.kind is bool:
        return given[-1] != _OFF  # click keeps the last flag of a pair
    if option.repeatable:
        return [option.kind(v) for v in given]
    return option.kind(given[-1])  # click keeps the last


def _read(
    argv: Sequence[str], i: int, options: Sequence[Option], paths: list[str] | None
) -> tuple[dict[str, object], int] | None:
    """The values of `options` read from `argv[i:]` by keyword, and the index where reading
    stopped. Other arguments go to `paths`; with no `paths`, the first one stops the
    reading. None: not understood, or typer's usage error (a required option missing, a
    value an option's `invalid` rejects)."""
    by_flag: dict[str, Option] = {}
    for option in options:
        for flag in (option.flag, *option.aliases, option.off_flag):
            if flag is not None:
                by_flag[flag] = option
    given: dict[str, list[str]] = {}
    while i < len(argv):
        if not argv[i].startswith("-"):
            if paths is None:
                break
            paths.append(argv[i])
            i += 1
            continue
        found = _option_at(argv, i, by_flag)
        if found is None:
            return None
        option, value, i = found
        given.setdefault(option.keyword, []).append(value)
    for option in options:
        values = given.get(option.keyword)
        if values is None and option.required:
            return None
        if values is not None and option.invalid is not None and option.invalid(values):
            return None
    return {o.keyword: _value(o, given.get(o.keyword)) for o in options}, i


def parse(argv: Sequence[str]) -> Invocation | None:
    """The invocation, or None when typer must handle this argv."""
    root = _read(argv, 0, ROOT_OPTIONS, None)
    if root is None or root[1] >= len(argv) or argv[root[1]] not in COMMANDS:
        return None
    settings, i = root
    command = COMMANDS[argv[i]]
    paths: list[str] = []
    read = _read(argv, i + 1, command.options, paths)
    if read is None or (command.paths.required and not paths):
        return None
    if not command.paths.many and len(paths) > 1:
        return None
    if command.misused is not None and command.misused(read[0]):
        return None
    return Invocation(command, tuple(paths), settings, read[0])


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line `argv` (default: the process's) and raise `SystemExit`, for
    callers in a process that goes on."""
    code = _run(argv)
    if code is not None:
        # Shutting down runs the cyclic collector over every object still alive (the model,
        # the templates, the pages): frozen objects are skipped.
        gc.freeze()
        sys.exit(code)


def console() -> None:
    """Console-script entry point (`witgen`, `python -m witgen`): as `main`, but the process
    ends without freeing what it holds. Freeing every object still alive (the trees, the
    model, the templates, the pages) one by one would take a tenth of the time of a large
    package, for memory nobody would reuse; only the buffered output is written out."""
    code = _run(None)
    if code is None:
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = code or 1
    sys.stderr.flush()
    os._exit(code)


def _run(argv: Sequence[str] | None) -> int | None:
    """The exit code of the command line; None when typer ran it (and exited itself)."""
    args = list(sys.argv[1:] if argv is None else argv)
    inv = None if os.environ.get("_WITGEN_COMPLETE") else parse(args)
    if inv is None:
        from witgen.cli.app import main as typer_main

        typer_main(args)
        return None
    # A short-lived process whose data holds no reference cycles (the trees and the model
    # are acyclic; tests/unit/test_resolve_internals.py checks the resolver's): the cyclic
    # collector would only rescan them, for a tenth of the time of a large package.
    gc.disable()
    try:
        configure(inv.settings)
        code = inv.command.run_with(inv.paths, inv.values)
    except KeyboardInterrupt:
        code = 130  # what typer exits with, silently
    except BrokenPipeError:
        # The reader went away (`| head`): typer exits 1; stdout must not be flushed again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    return code
