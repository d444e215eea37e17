"""The commands that run without typer, and the options they and the root take: one table.

Input: nothing. Output: `COMMANDS` (`check`, `check-files`, `fmt`: each with its help, its
paths argument, its options and the `console` function that runs it), `ROOT_OPTIONS`
(what goes before the command and sets `console.settings`), and `FEATURES`,
`ALL_FEATURES` and `PACKAGE` (the PATH argument), which the other commands of `app.py`
take too.
Invariants: this is the only declaration of these options. `app.py` builds the typer
commands and the root callback from it; `entry.py`'s fast path parses argv with it and
calls the same `console` functions with the same keyword arguments; an option's keyword is
its flag without the leading dashes, in snake case. `entry.py` imports this module on every
run, so it imports nothing but `_record` and `console`.
"""

from __future__ import annotations

from witgen._record import record
from witgen.cli import console
from witgen.cli.console import Color, Format

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    import enum
    from collections.abc import Callable, Sequence


@record(kw_only=False)
class Option:
    """A long option (no short alias). `kind` is what its value becomes: `bool` for a flag
    (False unless given), `str`, `int` (at least `minimum`), or an Enum whose values are the
    accepted spellings. A repeatable option collects every value given, in order (None when
    none is); any other keeps the last one given, as click does."""

    flag: str
    kind: type[bool] | type[str] | type[int] | type[enum.Enum]
    default: object
    help: str
    metavar: str | None = None
    repeatable: bool = False
    minimum: int | None = None

    @property
    def keyword(self) -> str:
        """The keyword the value is passed as: `--no-cache` gives `no_cache`."""
        return self.flag.removeprefix("--").replace("-", "_")


@record(kw_only=False)
class Paths:
    """The paths a command takes: any number, at least one when `required`."""

    metavar: str
    help: str
    required: bool


@record(kw_only=False)
class Command:
    """A command: its name, help, paths, options in the order `-h` lists them, and the
    `console` function that runs it as `run(paths, **{option.keyword: value})`, returning
    the exit code."""

    name: str
    help: str
    paths: Paths
    options: tuple[Option, ...]
    run: Callable[..., int]

    def run_with(self, paths: Sequence[str], values: dict[str, object]) -> int:
        """The exit code of running this command; a `WitError` is shown and gives 1."""
        return console.guarded(lambda: self.run(paths, **values))


def configure(settings: dict[str, object]) -> None:
    """Set `console.settings` from the values of `ROOT_OPTIONS`, by keyword."""
    for keyword, value in settings.items():
        setattr(console.settings, keyword, value)


COLOR = Option("--color", Color, default=Color.AUTO, help="Colour diagnostics.")
ROOT_OPTIONS = (COLOR,)

FEATURES = Option(
    "--features",
    str,
    default=None,
    help="Enable @unstable features (a,b or repeat).",
    metavar="A,B",
    repeatable=True,
)
ALL_FEATURES = Option("--all-features", bool, default=False, help="Enable every @unstable feature.")
_FORMAT = Option("--format", Format, default=Format.TEXT, help="Diagnostics format.")
_NO_CACHE = Option("--no-cache", bool, default=False, help="Do not use cached parse results.")
# The paths of `check`; each other command that takes one package takes one of these.
PACKAGE = Paths("PATH", help="A .wit file or a package directory.", required=True)
_CHECK_OPTIONS = (FEATURES, ALL_FEATURES, _FORMAT, _NO_CACHE)
_FMT_OPTIONS = (
    Option("--check", bool, default=False, help="Exit 1 and list files that would change."),
    Option("--diff", bool, default=False, help="Print a unified diff instead of writing."),
    Option("--stdout", bool, default=False, help="Write the result to standard output."),
    Option(
        "--width",
        int,
        default=100,
        help="Wrap signatures longer than this.",
        metavar="N",
        minimum=20,
    ),
    _NO_CACHE,
)

CHECK = Command(
    "check",
    help="Validate WIT packages and report every problem (text on stderr; json/sarif on stdout).",
    paths=PACKAGE,
    options=_CHECK_OPTIONS,
    run=console.check,
)
CHECK_FILES = Command(
    "check-files",
    help="Check the packages that hold these .wit files, each once, with its deps/ (pre-commit).",
    paths=Paths("FILE", help=".wit files (none: nothing to check).", required=False),
    options=_CHECK_OPTIONS,
    run=console.check_files,
)
FMT = Command(
    "fmt",
    help="Format .wit files in place, keeping every comment (a DIR: every .wit file under it).",
    paths=Paths(
        "PATH", help="A .wit file, or a directory (every .wit file under it).", required=True
    ),
    options=_FMT_OPTIONS,
    run=console.fmt,
)
COMMANDS = {command.name: command for command in (CHECK, CHECK_FILES, FMT)}
