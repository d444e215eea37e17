"""The command line: options → `api` → render → exit code.

Input: argv. Output: data on stdout, diagnostics on stderr, and the exit code: 0 for
success, 1 for diagnostics (including unreadable input), 2 for usage errors (typer's).
Invariants: this is the only module that imports typer; `WitError` becomes a message and
exit code 1 in one place, `console.guarded`; any other exception is a bug and propagates.
Startup stays fast: `api` and `diagnostics` are imported inside the functions that need
them, never at import time (`--help` loads typer and nothing else).
The root options and the commands of `options.COMMANDS` (those `entry.py` also runs without
typer) are built here from that table, so an option of theirs is declared there only.

Adding a command: write a function decorated with `@command()` (or `@command("name")`),
`Annotated` options with one-line help, keyword-only after `*`, the docstring as help;
call `api`, print the result, `raise typer.Exit(code)`. A command that must start fast
goes into `options.COMMANDS` instead, with its body in `console.py`.
"""

from __future__ import annotations

import enum
import functools
import inspect
import sys
from collections.abc import Callable
from typing import Annotated, Any, Literal, ParamSpec

import typer

from witgen import __version__
from witgen.cli import options
from witgen.cli.console import echo, features_of, guarded

P = ParamSpec("P")


app = typer.Typer(
    name="witgen",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


# ---------------------------------------------------------------- usage lines


class _Command(typer.core.TyperCommand):
    """A typer command whose usage line names each argument as click always did: `PATH`
    when it must be given, `[MODULE.wasm]` when it may be left out, and `PATH...` or
    `[FILE]...` when it takes any number. (typer writes a required one as `{PATH}`, and
    drops the `...` of one with a metavar, so `check` read as taking a single path.)"""

    # `ctx` is click's Context, which typer 0.28 vendors and older typers import from click.
    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, typer.core.TyperArgument):
                pieces.append(_usage_of(param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


def _usage_of(argument: typer.core.TyperArgument) -> str:
    name = argument.metavar or (argument.name or "").upper()
    shown = name if argument.required else f"[{name}]"
    return shown if argument.nargs == 1 else f"{shown}..."


# ---------------------------------------------------------------- built from options.py


def _typer_option(option: options.Option) -> Any:
    """The typer declaration of a table option (its type and default go on the parameter)."""
    flags = (option.flag,) if option.off_flag is None else (f"{option.flag}/{option.off_flag}",)
    invalid = option.invalid

    def check(values: list[str] | None) -> list[str] | None:
        message = None if invalid is None or values is None else invalid(values)
        if message is not None:
            raise typer.BadParameter(message)
        return values

    return typer.Option(
        *flags,
        *option.aliases,
        help=option.help,
        metavar=option.metavar,
        min=option.minimum,
        show_default=option.show_default,
        callback=None if invalid is None else check,
    )


def _option_parameter(option: options.Option) -> inspect.Parameter:
    kind: Any = Literal[option.choices] if option.choices else option.kind
    if option.repeatable:
        kind = list[kind] | None
    elif option.default is None and not option.required:
        kind = kind | None
    return inspect.Parameter(
        option.keyword,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[kind, _typer_option(option)],
        default=inspect.Parameter.empty if option.required else option.default,
    )


def _typer_argument(paths: options.Paths) -> Any:
    return typer.Argument(help=paths.help, metavar=paths.metavar, show_default=False)


def _paths_parameter(paths: options.Paths) -> inspect.Parameter:
    info = _typer_argument(paths)
    kind: Any = list[str] if paths.many else str
    return inspect.Parameter(
        "paths",
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        annotation=Annotated[kind if paths.required else kind | None, info],
        default=inspect.Parameter.empty if paths.required else None,
    )


def _declare(fn: Callable[..., None], parameters: list[inspect.Parameter]) -> None:
    """Give `fn` the signature typer reads: its named parameters, then `parameters`, which
    its `**values` receives."""
    signature = inspect.signature(fn, eval_str=True)
    own = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    fn.__signature__ = signature.replace(parameters=[*own, *parameters])  # type: ignore[attr-defined]


def _show_version(value: bool) -> None:
    if value:
        echo(f"witgen {__version__}")
        raise typer.Exit(0)


VersionOpt = Annotated[
    bool,
    typer.Option(
        "--version", help="Print the version and exit.", callback=_show_version, is_eager=True
    ),
]


def _root(*, version: VersionOpt = False, **settings: object) -> None:
    """witgen: check, print and generate code from WIT (WebAssembly Component Model) packages."""
    options.configure(settings)


_declare(_root, [_option_parameter(o) for o in options.ROOT_OPTIONS])
app.callback()(_root)


def _add_fast_command(spec: options.Command) -> None:
    """Register a command of `options.COMMANDS`, run as `entry.py`'s fast path runs it."""

    def run(ctx: typer.Context, **values: Any) -> None:
        paths = values.pop("paths") or []  # typer passes None for no optional paths
        misuse = None if spec.misused is None else spec.misused(values)
        if misuse is not None:
            ctx.fail(misuse)
        raise typer.Exit(spec.run_with([paths] if isinstance(paths, str) else paths, values))

    run.__doc__ = spec.help
    _declare(run, [_paths_parameter(spec.paths), *map(_option_parameter, spec.options)])
    app.command(spec.name, cls=_Command)(run)


# ---------------------------------------------------------------- commands


def command(
    name: str | None = None,
) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Register a command, run inside `console.guarded` (a `WitError` becomes exit 1)."""

    def register(fn: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> None:
            def call() -> int:
                try:
                    fn(*args, **kwargs)
                except typer.Exit as e:
                    return e.exit_code
                return 0

            raise typer.Exit(guarded(call))

        app.command(name, cls=_Command)(run)
        return run

    return register


# ---------------------------------------------------------------- shared options

# Paths stay `str`: diagnostics show them as the user spelled them (`./x.wit`, as wasm-tools).
PathArg = Annotated[str, _typer_argument(options.PACKAGE)]
# Table options that hand-written commands take: flag, help and metavar come from the table;
# the type and default, which mypy must see, are written as the table has them.
FeaturesOpt = Annotated[list[str] | None, _typer_option(options.FEATURES)]
AllFeaturesOpt = Annotated[bool, _typer_option(options.ALL_FEATURES)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print wit-parser's JSON.")]


# ---------------------------------------------------------------- commands


_add_fast_command(options.CHECK)


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
    echo(text.removesuffix("\n"), nl=False)  # byte for byte what wasm-tools prints
    raise typer.Exit(0)


NoDocsOpt = Annotated[bool, typer.Option("--no-docs", help="Leave out doc comments.")]
OutDirOpt = Annotated[
    str | None,
    typer.Option("--out-dir", help="Write one file per package into DIR.", metavar="DIR"),
]


@command("print")
def print_(
    path: PathArg,
    *,
    features: FeaturesOpt = None,
    all_features: AllFeaturesOpt = False,
    no_docs: NoDocsOpt = False,
    out_dir: OutDirOpt = None,
) -> None:
    """Print the resolved package as canonical WIT, as `wasm-tools component wit` does."""
    from witgen import api

    feats = features_of(features, all_features)
    if out_dir is None:
        echo(api.print_wit(path, features=feats, docs=not no_docs), nl=False)
    else:
        for written in api.print_to_dir(path, out_dir, features=feats, docs=not no_docs):
            echo(f"Writing: {written}")
    raise typer.Exit(0)


_add_fast_command(options.FMT)
_add_fast_command(options.CHECK_FILES)
_add_fast_command(options.DOCS)


# ---------------------------------------------------------------- encode, embed


class Encoding(enum.Enum):
    UTF8 = "utf8"
    UTF16 = "utf16"
    COMPACT_UTF16 = "compact-utf16"


OutputOpt = Annotated[
    str,
    typer.Option("-o", "--output", help="Write here, atomically ('-': stdout).", metavar="OUT"),
]
WatOpt = Annotated[bool, typer.Option("--wat", help="Write the text format instead.")]
LikeReferenceOpt = Annotated[
    bool,
    typer.Option(
        "--producers-like-reference",
        help="Name wit-component 0.262.0 in `producers`, as wasm-tools does.",
    ),
]
WorldOpt = Annotated[str | None, _typer_option(options.WORLD)]
EncodingOpt = Annotated[Encoding, typer.Option("--encoding", help="String encoding recorded.")]
OnlyCustomOpt = Annotated[
    bool, typer.Option("--only-custom", help="Write only the `component-type` payload.")
]
ModuleArg = Annotated[
    str | None,
    typer.Argument(help="A core module to copy with the section added.", metavar="MODULE.wasm"),
]


def write_output(output: str, data: bytes, wat: bool) -> None:
    """Bytes (or their text with `--wat`) to `output`, atomically; `-` is stdout."""
    from witgen import api

    payload = api.to_wat(data).encode("utf-8") if wat else data
    if output == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    else:
        api.write_bytes(output, payload)


@command()
def encode(
    path: PathArg,
    *,
    output: OutputOpt,
    features: FeaturesOpt = None,
    all_features: AllFeaturesOpt = False,
    wat: WatOpt = False,
    producers_like_reference: LikeReferenceOpt = False,
) -> None:
    """Encode a WIT package as a component binary (`wasm-tools component wit --wasm`)."""
    from witgen import api

    feats = features_of(features, all_features)
    data = api.encode(path, features=feats, producers_like_reference=producers_like_reference)
    write_output(output, data, wat)
    raise typer.Exit(0)


@command()
def embed(
    path: PathArg,
    module: ModuleArg = None,
    *,
    output: OutputOpt,
    world: WorldOpt = None,
    encoding: EncodingOpt = Encoding.UTF8,
    only_custom: OnlyCustomOpt = False,
    features: FeaturesOpt = None,
    all_features: AllFeaturesOpt = False,
    wat: WatOpt = False,
    producers_like_reference: LikeReferenceOpt = False,
) -> None:
    """Write a world's `component-type` section: alone (--only-custom), or appended to a copy
    of a core module (`wasm-tools component embed`)."""
    from witgen import api

    if (module is None) != only_custom or (wat and module is not None):
        raise typer.BadParameter("give MODULE.wasm or --only-custom (--wat needs --only-custom)")
    data = api.embed(
        path,
        world=world,
        module=None if module is None else api.read_binary(module),
        encoding=encoding.value,
        features=features_of(features, all_features),
        producers_like_reference=producers_like_reference,
    )
    write_output(output, data, wat)
    raise typer.Exit(0)


_add_fast_command(options.BINDGEN)


CodeArg = Annotated[
    str, typer.Argument(help="A diagnostic code: WIT203, wit203 or 203.", metavar="CODE")
]


@command()
def explain(ctx: typer.Context, code: CodeArg) -> None:
    """Explain a diagnostic code: what it means, an example that triggers it, and the fix."""
    from witgen.text import explain as entries

    text = entries.explain(code)
    if text is None:
        ctx.fail(
            f"`{code}` is not a witgen diagnostic code; `witgen explain` takes one like WIT203"
        )
    echo(text, nl=False)
    raise typer.Exit(0)


def main(args: list[str] | None = None) -> None:
    """Run the typer app on `args` (default: `sys.argv[1:]`); `entry.main` calls this for
    whatever its fast path leaves."""
    app(args=args, prog_name="witgen")
