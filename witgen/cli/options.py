"""The commands that run without typer, and the options they and the root take: one table.

Input: nothing. Output: `COMMANDS` (`check`, `check-files`, `fmt`, `bindgen`, `docs`: each with its
help, its paths argument, its options and the `console` function that runs it), `ROOT_OPTIONS`
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
    """A long option, and its short `aliases` (`-o`). `kind` is what its value becomes: `bool`
    for a flag (False unless given; with an `off_flag`, the pair `--host/--guest`, whose
    second flag sets False), `str` (one of `choices` when there are any, case and all), or
    `int` (at least `minimum`). A repeatable option collects every value given, in order (None
    when none is); any other keeps the last one given, as click does. A `required` option has
    no default. `invalid(values)`, when set, is the usage error of the values given (None: they
    are fine). Its keyword, the name its value is passed under, is its flag in snake case:
    `--no-cache` gives `no_cache`."""

    __slots__ = (
        *("aliases", "choices", "default", "flag", "help", "invalid", "keyword", "kind"),
        *("metavar", "minimum", "off_flag", "repeatable", "required", "show_default"),
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
        aliases: tuple[str, ...] = (),
        off_flag: str | None = None,
        required: bool = False,
        invalid: Callable[[list[str]], str | None] | None = None,
        show_default: bool = True,
    ) -> None:
        self.flag = flag
        self.aliases = aliases
        self.off_flag = off_flag
        self.required = required
        self.invalid = invalid
        self.show_default = show_default
        self.keyword = flag.removeprefix("--").replace("-", "_")
        self.kind = kind
        self.choices = choices
        self.default = default
        self.help = help
        self.metavar = metavar
        self.repeatable = repeatable
        self.minimum = minimum


class Paths:
    """The paths a command takes: any number (exactly one unless `many`), at least one when
    `required`."""

    __slots__ = ("help", "many", "metavar", "required")

    def __init__(self, metavar: str, *, help: str, required: bool, many: bool = True) -> None:
        self.metavar = metavar
        self.help = help
        self.required = required
        self.many = many


class Command:
    """A command: its name, help, paths, options in the order `-h` lists them, and the
    `console` function that runs it as `run(paths, **{option.keyword: value})`, returning
    the exit code. `misused(values)`, when set, is the usage error of a combination of
    options (None: none)."""

    __slots__ = ("help", "misused", "name", "options", "paths", "run")

    def __init__(
        self,
        name: str,
        *,
        help: str,
        paths: Paths,
        options: tuple[Option, ...],
        run: Callable[..., int],
        misused: Callable[[dict[str, object]], str | None] | None = None,
    ) -> None:
        self.name = name
        self.misused = misused
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

# ---------------------------------------------------------------- bindgen


def _invalid_codes(values: list[str]) -> str | None:
    """The usage error of `--allow` values: a code the diagnostics table does not hold. One
    misspelled (not `WIT` and three digits) is shown its nearest code; the nearest to a
    well-formed unknown code is as likely wrong, so that one gets the form instead."""
    from witgen.text.diagnostics import CODES

    for code in console.allowed_codes(values):
        if code not in CODES:
            import difflib

            well_formed = len(code) == 6 and code[:3] == "WIT" and code[3:].isdigit()
            near = [] if well_formed else difflib.get_close_matches(code, CODES, n=1)
            hint = (
                f"did you mean `{near[0]}`?"
                if near
                else "a warning names its code in brackets, as in `warning[WIT406]`"
            )
            return f"`{code}` is not a witgen diagnostic code; {hint}"
    return None


def _invalid_renames(values: list[str]) -> str | None:
    """The usage error of `--*-interface-name` values: one that is not `KEY=NAME`."""
    for value in values:
        key, sep, name = value.rpartition("=")
        if not sep or not key or not name:
            return f"`{value}` is not KEY=NAME (such as `ns:pkg/iface@1.0.0=name`)"
    return None


def _interface_name(flag: str, side: str) -> Option:
    return Option(
        flag,
        str,
        default=None,
        metavar="KEY=NAME",
        help=f"Guest: the module NAME of {side} interface KEY (ns:pkg/iface@1.0.0); repeatable.",
        repeatable=True,
        invalid=_invalid_renames,
    )


WORLD = Option(
    "--world", str, default=None, aliases=("-w",), help="The world (name or ns:pkg/world@ver)."
)
_HOST = Option(
    "--host",
    bool,
    default=False,
    off_flag="--guest",
    show_default=False,
    help="Host bindings (a wasmtime-py package) or guest bindings (componentize-py's"
    " `wit_world`; the default).",
)
# Options of one side only: (keyword, flag, the value that means "not given").
_GUEST_ONLY = (
    ("world_module", "--world-module", "wit_world"),
    ("full_names", "--full-names", False),
    ("import_interface_name", "--import-interface-name", None),
    ("export_interface_name", "--export-interface-name", None),
    ("no_native", "--no-native", False),
)
_HOST_ONLY = (
    ("package", "--package", None),
    ("world_name", "--world-name", None),
    ("skip_unsupported", "--skip-unsupported", False),
)


def _misused_bindgen(values: dict[str, object]) -> str | None:
    """The usage error of giving an option of the other side's bindings."""
    host = bool(values["host"])
    for keyword, flag, absent in _GUEST_ONLY if host else _HOST_ONLY:
        if values[keyword] not in (absent, []):
            return f"{flag} applies to {'guest' if host else 'host'} bindings only"
    return None


BINDGEN = Command(
    "bindgen",
    help="Generate typed bindings of a world: guest bindings with componentize-py's API (the"
    " default, or `--guest`), or with `--host` a wasmtime-py package.",
    paths=Paths("PATH", help="A .wit file or a package directory.", required=True, many=False),
    options=(
        Option(
            "--lang",
            str,
            default=None,
            required=True,
            choices=("python",),
            help="The language of the bindings.",
        ),
        _HOST,
        Option(
            "--out-dir",
            str,
            default=None,
            required=True,
            aliases=("-o",),
            metavar="OUTDIR",
            help="Write the host package NAME, or the guest's world module and"
            " componentize_py_types.py, here.",
        ),
        WORLD,
        Option("--package", str, default=None, help="The package NAME (default: the world's)."),
        Option(
            "--world-name",
            str,
            default=None,
            metavar="NAME",
            help="The world's NAME in the bindings: its classes and the default package (a"
            " component's world is `root`; give the name of the world it was built for).",
        ),
        Option(
            "--skip-unsupported",
            bool,
            default=False,
            help="Omit what cannot be bound (with a warning).",
        ),
        Option(
            "--world-module",
            str,
            default="wit_world",
            metavar="NAME",
            help="Guest: the dotted name of the bindings' top-level module.",
        ),
        Option(
            "--full-names",
            bool,
            default=False,
            help="Guest: name every interface module after its package and version.",
        ),
        _interface_name("--import-interface-name", "imported"),
        _interface_name("--export-interface-name", "exported"),
        Option(
            "--no-native",
            bool,
            default=False,
            help="Guest: leave out wit_world/native/, the harness that runs guest code under "
            "pytest with a fake host; imported functions then raise NotImplementedError.",
        ),
        Option(
            "--allow",
            str,
            default=None,
            metavar="CODE",
            repeatable=True,
            invalid=_invalid_codes,
            help="Do not print warnings with this code (WIT406,WIT403 or repeat); errors still"
            " print.",
        ),
        FEATURES,
        ALL_FEATURES,
        Option(
            "--no-cache",
            bool,
            default=False,
            help="Do not use cached parse results or cached bindings.",
        ),
    ),
    run=console.bindgen,
    misused=_misused_bindgen,
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
        aliases=("-o",),
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


COMMANDS = {command.name: command for command in (CHECK, CHECK_FILES, FMT, BINDGEN, DOCS)}
