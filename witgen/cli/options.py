"""The commands that run without typer, and the options they and the root take: one table.

Input: nothing. Output: `COMMANDS` (`check`, `check-files`, `fmt`, `docs`: each with its help, its
paths argument, its options and the `console` function that runs it), `ROOT_OPTIONS`
(what goes before the command and sets `console.settings`), and `FEATURES`,
`ALL_FEATURES` and `PACKAGE` (the PATH argument), which the other commands of `app.py`
take too.
Invariants: this is the only declaration of these options. `app.py` builds the typer
commands and the root callback from it; `entry.py`'s fast path parses argv with it and
calls the same `console` functions with the same keyword arguments. `entry.py` imports
this module on every run, so it imports nothing but `console`.
"""

from __future__ import annotations

from witgen.cli import console

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


# Plain slotted classes rather than `@record`s: this table is built on every run, and a
# record compiles its `__init__` when first built.


class Option:
    """A long option, and its `short` alias if any. `kind` is what its value becomes: `bool`
    for a flag (False unless given), `str` (one of `choices` when there are any, case and all), or
    `int` (at least `minimum`). A repeatable option collects every value given, in order (None when
    none is); any other keeps the last one given, as click does. Its keyword, the name its
    value is passed under, is its flag in snake case: `--no-cache` gives `no_cache`. A
    `required` option has no default: leaving it out is a usage error."""

    __slots__ = (
        *("choices", "default", "flag", "help", "keyword", "kind", "metavar", "minimum"),
        *("repeatable", "required", "short"),
    )

    def __init__(
        self,
        flag: str,
        kind: type[bool] | type[str] | type[int],
        *,
        default: object,
        help: str,
        choices: tuple[str, ...] = (),
        metavar: str | None = None,
        repeatable: bool = False,
        minimum: int | None = None,
        short: str | None = None,
        required: bool = False,
    ) -> None:
        self.flag = flag
        self.short = short
        self.required = required
        self.keyword = flag.removeprefix("--").replace("-", "_")
        self.kind = kind
        self.choices = choices
        self.default = default
        self.help = help
        self.metavar = metavar
        self.repeatable = repeatable
        self.minimum = minimum


class Paths:
    """The paths a command takes: any number, at least one when `required`; exactly one
    when not `many`."""

    __slots__ = ("help", "many", "metavar", "required")

    def __init__(self, metavar: str, *, help: str, required: bool, many: bool = True) -> None:
        self.metavar = metavar
        self.help = help
        self.required = required
        self.many = many


class Command:
    """A command: its name, help, paths, options in the order `-h` lists them, and the
    `console` function that runs it as `run(paths, **{option.keyword: value})`, returning
    the exit code."""

    __slots__ = ("help", "name", "options", "paths", "run")

    def __init__(
        self,
        name: str,
        *,
        help: str,
        paths: Paths,
        options: tuple[Option, ...],
        run: Callable[..., int],
    ) -> None:
        self.name = name
        self.help = help
        self.paths = paths
        self.options = options
        self.run = run

    def run_with(self, paths: Sequence[str], values: dict[str, object]) -> int:
        """The exit code of running this command; a `WitError` is shown and gives 1."""
        return console.guarded(lambda: self.run(paths, **values))


def configure(settings: dict[str, object]) -> None:
    """Set `console.settings` from the values of `ROOT_OPTIONS`, by keyword."""
    for keyword, value in settings.items():
        setattr(console.settings, keyword, value)


COLOR = Option(
    "--color", str, default="auto", help="Colour diagnostics.", choices=("auto", "always", "never")
)
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
_FORMAT = Option(
    "--format", str, default="text", help="Diagnostics format.", choices=("text", "json", "sarif")
)
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
# `witgen docs --check` runs in pre-commit hooks and CI, so it starts fast too.
DOCS_FORMAT = Option(
    "--format",
    str,
    default="markdown",
    help="Write Markdown pages, or a static HTML site built from them.",
    choices=("markdown", "html"),
)
_DOCS_OPTIONS = (
    Option(
        "--out-dir",
        str,
        short="-o",
        default=None,
        required=True,
        metavar="DIR",
        help="Write the pages into DIR (atomically; other files stay).",
    ),
    Option(
        "--world",
        str,
        default=None,
        metavar="W",
        help="Only what world W reaches (a name or ns:pkg/world@ver).",
    ),
    FEATURES,
    ALL_FEATURES,
    Option("--no-deps", bool, default=False, help="Leave out the dependencies' pages."),
    Option("--check", bool, default=False, help="Write nothing; exit 1 listing files that differ."),
    Option(
        "--python", bool, default=False, help="Show the Python names of host and guest bindings."
    ),
    DOCS_FORMAT,
    _NO_CACHE,
)
DOCS = Command(
    "docs",
    help="Write documentation of a package and its dependencies: index.md and a page per package.",
    paths=Paths("PATH", help="A .wit file or a package directory.", required=True, many=False),
    options=_DOCS_OPTIONS,
    run=console.docs,
)
COMMANDS = {command.name: command for command in (CHECK, CHECK_FILES, FMT, DOCS)}
