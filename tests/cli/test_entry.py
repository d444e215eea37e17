"""The console script's fast path (`entry.py`): `check`, `check-files`, `fmt`, `bindgen`, no typer.

Both paths are built from one table (`options.py`), so what is left to test is the two
parsers: for every argv the fast path accepts, it passes the `console` function the
arguments typer passes, and the process prints the same bytes and exits with the same
code; every argv it does not fully understand goes to typer. A fast-path run never
imports typer (nor the other modules kept off the start-up path), and a closed pipe
ends it as it ends typer.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from witgen.cli import console, entry, options
from witgen.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
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


# Argvs the fast path takes, run in a directory laid out by `workdir`.
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
    ["bindgen", "--lang", "python", "good", "-o", "out-guest"],
    ["bindgen", "--lang=python", "--guest", "--out-dir=out-native", "--no-native", "good"],
    ["bindgen", "--lang", "python", "--host", "-w", "a", "-o", "out-host", "good"],
    ["bindgen", "--lang", "python", "--guest", "--host", "--package", "p", "-o", "o", "good"],
    ["bindgen", "--lang", "python", "-o", "o", "--allow", "wit408,WIT406", "broken.wit"],
    ["bindgen", "--lang", "python", "-o", "o", "--world", "nope", "good"],
    ["bindgen", "--lang", "python", "-o", "o", "--import-interface-name", "demo:good/a=x", "good"],
    ["bindgen", "--lang", "python", "-o", "o", "missing.wit"],
    ["docs", "good", "-o", "out", "--check"],
    ["docs", "--check", "--out-dir=out", "--no-deps", "--python", "good"],
    ["docs", "broken.wit", "-o", "out", "--world", "w", "--check"],
]


# ---------------------------------------------------------------- what it leaves to typer


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
        ["docs", "a"],  # a missing required option is typer's usage error
        ["docs", "a", "b", "-o", "d"],  # one path only
        ["docs", "a", "-o=d"],  # click reads the value `=d`
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
        ["fmt", "--width", "wide", "a"],
        ["check", "--format=", "a"],
        ["--color=", "check", "a"],
        ["fmt", "--features", "x", "a"],  # an option of another command
        ["check", "--check", "a"],
        ["check-file", "a"],
        ["bindgen", "--lang", "python", "a"],  # -o is required
        ["bindgen", "-o", "o", "a"],  # so is --lang
        ["bindgen", "--lang", "Python", "-o", "o", "a"],
        ["bindgen", "--lang", "python", "-o", "o", "a", "b"],  # one PATH
        ["bindgen", "--lang", "python", "-oo", "a"],  # attached short values are typer's
        ["bindgen", "--lang", "python", "-o=o", "a"],
        ["bindgen", "--lang", "python", "-o", "o", "--allow", "WIT999", "a"],
        ["bindgen", "--lang", "python", "-o", "o", "--allow", "wit4o6", "a"],
        ["bindgen", "--lang", "python", "-o", "o", "--import-interface-name", "x", "a"],
        ["bindgen", "--lang", "python", "-o", "o", "--export-interface-name", "=x", "a"],
        ["bindgen", "--lang", "python", "--host", "-o", "o", "--no-native", "a"],
        ["bindgen", "--lang", "python", "--guest", "-o", "o", "--world-name", "n", "a"],
        ["bindgen", "--lang", "python", "--host", "-o", "o", "--world-module", "m", "a"],
        ["bindgen", "--lang", "python", "--host=1", "-o", "o", "a"],
    ],
)
def test_parse_leaves_to_typer(argv: list[str]) -> None:
    assert entry.parse(argv) is None


# ---------------------------------------------------------------- the same arguments


# Each option more than once: click keeps the last value, and collects a repeatable one's.
REPEATS = [
    ["--color", "never", "--color=always", "check", "a"],
    ["check", "--format", "json", "--format=sarif", "--no-cache", "--no-cache", "a", "b"],
    ["check", "--features=x,y", "--features", "z", "--features=", "a"],
    ["fmt", "--width", "20", "a", "--width=300", "--stdout"],
    ["bindgen", "--lang", "python", "--host", "--guest", "-o", "x", "--out-dir=y", "a"],
    ["bindgen", "--lang", "python", "--guest", "--host", "-w", "x", "--world=y", "-o", "o", "a"],
    ["bindgen", "--lang", "python", "-o", "o", "--allow", "wit406", "--allow=WIT403", "a"],
]


@pytest.mark.parametrize("argv", [*CASES, *REPEATS], ids=" ".join)
def test_fast_path_passes_what_typer_passes(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command's `console` function gets the same arguments (and the same colour
    setting) from both paths: recorded here instead of run."""
    calls: list[tuple[object, ...]] = []

    def record(command: options.Command, paths: list[str], values: dict[str, object]) -> int:
        calls.append((command.name, list(paths), values, console.settings.color))
        return 0

    monkeypatch.setattr(options.Command, "run_with", record)
    monkeypatch.setattr(console.settings, "color", "auto")
    result = CliRunner().invoke(app, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    console.settings.color = "auto"
    inv = entry.parse(argv)
    assert inv is not None, "a case the fast path must take"
    options.configure(inv.settings)  # what entry.main runs
    inv.command.run_with(inv.paths, inv.values)
    typer_call, fast_call = calls
    assert fast_call == typer_call


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
    (cold, no cache). difflib is for "did you mean" hints, so only errors may load it;
    typing, dataclasses and inspect are for the type checker and typer's app only."""
    kept_off = (
        *("typer", "click", "rich", "lark", "pathlib", "tempfile", "hashlib", "difflib"),
        *("typing", "dataclasses", "inspect"),
    )
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


@pytest.mark.parametrize(
    "argv",
    [["check"], ["check", "-h"], ["check-files", "-h"], ["fmt"], ["fmt", "-h"]],
    ids=" ".join,
)
def test_usage_shows_several_paths_through_the_console_script(
    argv: list[str], workdir: Path
) -> None:
    """Usage and help of the fast path's commands are typer's, `PATH...` included."""
    fast = run(argv, fast=True, cwd=workdir)
    assert fast == run(argv, fast=False, cwd=workdir)
    usage = (fast[1] or fast[2]).splitlines()[0]
    assert usage in (
        f"Usage: witgen {argv[0]} [OPTIONS] PATH...",
        "Usage: witgen check-files [OPTIONS] [FILE]...",
    )
