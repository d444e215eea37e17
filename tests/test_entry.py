"""The console script's fast path (`entry.py`): `check` and `check-files` without typer.

The fast path must be invisible: for every argv it accepts, the process prints the same
bytes and exits with the same code as the typer app; every argv it does not fully
understand goes to typer. These tests run both as real processes and compare them, hold
the fast path's option table to the typer app's, and check that typer (and the other
modules kept off the start-up path) are never imported by a fast-path run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from witgen.cli import console, entry
from witgen.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "wit-samples"

BROKEN = """package demo:broken;

interface a {
  type x = strng;
  record empty {}
}
"""

GATED = """package demo:gated;

interface api {
  @unstable(feature = alpha)
  type a = u32;
  use missing.{b};
}
"""

MESSY = """package demo:messy;
interface   i {
    /// docs
  record point {x: s32,
     y: s32}
  f: func(a: point, b: point, c: point, d: list<point>) -> result<point, string>; // note
}
"""


# ---------------------------------------------------------------- the option table


# typer 0.28 vendors click as a private module; its objects are read by duck typing here.


def click_command(name: str) -> Any:
    group: Any = typer.main.get_command(app)
    return group.commands[name]


def options_of(command: Any) -> dict[str, entry.Accepts]:
    """Long option name → what `entry` must accept for it, read off the click command."""
    table: dict[str, entry.Accepts] = {}
    for param in command.params:
        if param.param_type_name != "option":
            continue
        long_names = [o for o in param.opts if o.startswith("--")]
        assert len(long_names) == 1 and len(param.opts) == 1, param.opts  # no short aliases
        if param.is_flag:
            assert param.default is False and not param.multiple
            table[long_names[0]] = entry.FLAG
        elif hasattr(param.type, "choices"):
            table[long_names[0]] = tuple(str(c) for c in param.type.choices)
        elif getattr(param.type, "min", None) is not None:  # an IntRange
            assert (param.type.min, param.type.max, param.default) == (20, None, 100)
            table[long_names[0]] = entry.WIDTH
        else:
            assert param.type.name in ("str", "text"), param.type
            table[long_names[0]] = entry.ANY
    return table


@pytest.mark.parametrize("name", sorted(entry.COMMANDS))
def test_table_is_the_typer_apps(name: str) -> None:
    command = click_command(name)
    spec = entry.COMMANDS[name]
    assert options_of(command) == spec.options
    (paths,) = [p for p in command.params if p.param_type_name == "argument"]
    assert paths.nargs == -1 and paths.required is spec.paths_required
    by_name = {p.name: p for p in command.params}
    if "features" in by_name:
        assert by_name["features"].multiple and by_name["features"].default is None
        assert by_name["fmt"].default in (console.Format.TEXT, "text")


def test_root_options_are_the_typer_apps() -> None:
    group = typer.main.get_command(app)
    root = options_of(group)
    assert root == {"--version": entry.FLAG, "--color": entry.COLOR_VALUES}


# ---------------------------------------------------------------- what it accepts


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["check", "a"], entry.Invocation(command="check", paths=("a",))),
        (
            ["--color", "never", "check", "a", "--no-cache", "b"],
            entry.Invocation(
                command="check",
                paths=("a", "b"),
                color=console.Color.NEVER,
                flags=frozenset({"--no-cache"}),
            ),
        ),
        (
            ["--color=always", "check", "--features=x,y", "--features", "z", "a"],
            entry.Invocation(
                command="check",
                paths=("a",),
                color=console.Color.ALWAYS,
                values=(("--features", "x,y"), ("--features", "z")),
            ),
        ),
        (
            ["check", "--format", "json", "--format=sarif", "--all-features", "a"],
            entry.Invocation(
                command="check",
                paths=("a",),
                flags=frozenset({"--all-features"}),
                values=(("--format", "json"), ("--format", "sarif")),
            ),
        ),
        (["check-files"], entry.Invocation(command="check-files", paths=())),
        (
            ["check", "--features=", "a"],
            entry.Invocation(command="check", paths=("a",), values=(("--features", ""),)),
        ),
        (
            ["fmt", "--check", "--width", "20", "a", "--diff"],
            entry.Invocation(
                command="fmt",
                paths=("a",),
                flags=frozenset({"--check", "--diff"}),
                values=(("--width", "20"),),
            ),
        ),
    ],
)
def test_parse_accepts(argv: list[str], expected: entry.Invocation) -> None:
    assert entry.parse(argv) == expected


def test_last_value_wins() -> None:
    inv = entry.parse(["check", "--format", "json", "--format=sarif", "a"])
    assert inv is not None and inv.last("--format", "text") == "sarif"
    assert inv.last("--width", "100") == "100"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--help"],
        ["-h"],
        ["--version"],
        ["check"],  # a missing PATH is typer's usage error
        ["check", "--help"],
        ["check", "a", "-h"],
        ["check", "--bogus", "a"],
        ["check", "--format", "JSON", "a"],  # choices are case-sensitive
        ["check", "--format", "a"],
        ["check", "--features"],
        ["check", "--features", "--no-cache", "a"],  # click would take the option as a value
        ["check", "--no-cache=1", "a"],
        ["check", "--", "a"],
        ["check", "-", "a"],
        ["check", "--color", "never", "a"],  # a root option after the command
        ["--color", "blue", "check", "a"],
        ["--color"],
        ["--colour", "never", "check", "a"],
        ["print", "a"],
        ["resolve", "--json", "a"],
        ["fmt"],
        ["fmt", "--width", "19", "a"],  # below the minimum: typer's usage error
        ["fmt", "--width", "+30", "a"],
        ["fmt", "--width", "٣٠", "a"],  # not ASCII digits
        ["fmt", "--width=", "a"],
        ["fmt", "--features", "x", "a"],  # an option of another command
        ["check", "--check", "a"],
        ["check-file", "a"],
    ],
)
def test_parse_leaves_to_typer(argv: list[str]) -> None:
    assert entry.parse(argv) is None


# ---------------------------------------------------------------- the same output


def run(argv: list[str], *, fast: bool, cwd: Path) -> tuple[int, str, str]:
    """Run witgen in a process of its own: the console script's path, or typer's alone."""
    code = (
        "from witgen.cli.entry import main; main()"
        if fast
        else "from witgen.cli.app import main; main()"
    )
    env = dict(os.environ, NO_COLOR="", TERM="xterm", WITGEN_NO_CACHE="1")
    proc = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=cwd, env=env
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


CASES = [
    ["check", "good"],
    ["check", "broken.wit"],
    ["check", "good", "broken.wit", "missing-dir"],
    ["check", "--format", "json", "broken.wit", "good"],
    ["check", "--format=sarif", "broken.wit"],
    ["check", "--format", "sarif", "good"],
    ["--color", "always", "check", "broken.wit"],
    ["--color=never", "check", "broken.wit"],
    ["check", "gated.wit"],
    ["check", "--features", "alpha", "gated.wit"],
    ["check", "--all-features", "--format", "json", "gated.wit"],
    ["check", "--features=", "gated.wit"],
    ["check", "empty.wit"],
    ["check-files", "good/a.wit", "broken.wit", "good/deps/dep/dep.wit"],
    ["check-files", "--format", "json"],
    ["check-files"],
    ["check", "--no-cache", "good"],
    ["fmt", "--check", "messy.wit", "good", "broken.wit"],
    ["fmt", "--diff", "messy.wit"],
    ["fmt", "--stdout", "--width", "20", "messy.wit"],
    ["fmt", "--check", "--diff", "--width=40", "good/a.wit"],
    ["fmt", "missing.wit"],
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("entry")
    (root / "broken.wit").write_text(BROKEN, encoding="utf-8")
    (root / "gated.wit").write_text(GATED, encoding="utf-8")
    (root / "empty.wit").write_text("", encoding="utf-8")
    (root / "messy.wit").write_text(MESSY, encoding="utf-8")
    good = root / "good"
    (good / "deps" / "dep").mkdir(parents=True)
    (good / "a.wit").write_text(
        "package demo:good;\n\ninterface a {\n  use demo:dep/t.{x};\n  f: func(v: x);\n}\n",
        encoding="utf-8",
    )
    (good / "deps" / "dep" / "dep.wit").write_text(
        "package demo:dep;\n\ninterface t {\n  type x = u32;\n}\n", encoding="utf-8"
    )
    return root


@pytest.mark.parametrize("argv", CASES, ids=" ".join)
def test_fast_path_prints_what_typer_prints(argv: list[str], workdir: Path) -> None:
    assert entry.parse(argv) is not None, "a case the fast path must take"
    assert run(argv, fast=True, cwd=workdir) == run(argv, fast=False, cwd=workdir)


def test_cases_cover_both_outcomes(workdir: Path) -> None:
    codes = {run(argv, fast=True, cwd=workdir)[0] for argv in (CASES[0], CASES[1])}
    assert codes == {0, 1}


def test_samples_check_clean() -> None:
    paths = [str(p) for p in sorted(SAMPLES.iterdir()) if p.suffix == ".wit" or p.is_dir()]
    assert run(["check", *paths], fast=True, cwd=ROOT) == (0, "", "")


# ---------------------------------------------------------------- start-up


def test_fast_path_imports_no_typer(workdir: Path) -> None:
    """The point of the fast path: none of these load when `check` of a valid package runs
    (cold, no cache). difflib is for "did you mean" hints, so only errors may load it."""
    kept_off = ("typer", "click", "rich", "lark", "pathlib", "tempfile", "hashlib", "difflib")
    code = (
        "import sys\n"
        "from witgen.cli.entry import main\n"
        "try:\n"
        "    main(['check', '--no-cache', 'good'])\n"
        "except SystemExit as e:\n"
        f"    loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({kept_off!r}))\n"
        "    print(e.code, loaded)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=workdir, check=True
    )
    assert proc.stdout.strip() == "0 []"


def test_broken_pipe_is_exit_1_without_traceback(workdir: Path) -> None:
    """`witgen check --format json ... | head -c0`: typer exits 1 quietly; so must we."""
    for fast in (True, False):
        code = (
            "from witgen.cli.entry import main; main()"
            if fast
            else "from witgen.cli.app import main; main()"
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", code, "check", "--format", "json", "broken.wit"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=workdir,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait() == 1, (fast, err)
        assert "Traceback" not in err and "Exception" not in err, (fast, err)
