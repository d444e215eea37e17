"""The command line: exit codes, stdout (data) vs stderr (diagnostics), formats, colour.

typer's CliRunner keeps stdout and stderr apart (`result.stdout`, `result.stderr`) and
also records both interleaved in `result.output`. Commands are invoked with
`catch_exceptions=False`, so a bug (any exception but `WitError`) fails the test with its
own traceback instead of passing as exit code 1.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from witgen import __version__
from witgen.cli.app import app

VALID = """package demo:app@0.1.0;

interface types {
  record point { x: s32, y: s32 }
  move: func(p: point, dx: s32) -> point;
}

world app {
  import types;
}
"""

INVALID = """package demo:app;

interface types {
  type x = strng;
}
"""

GATED = """package demo:gated;

interface api {
  @unstable(feature = alpha)
  type a = u32;
  @unstable(feature = beta)
  type b = u64;
}
"""

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def valid(tmp_path: Path) -> Path:
    path = tmp_path / "valid.wit"
    path.write_text(VALID, encoding="utf-8")
    return path


@pytest.fixture
def invalid(tmp_path: Path) -> Path:
    path = tmp_path / "invalid.wit"
    path.write_text(INVALID, encoding="utf-8")
    return path


# ---------------------------------------------------------------- global options, usage


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(flag: str) -> None:
    result = invoke(flag)
    assert result.exit_code == 0, result.output
    assert "Usage: witgen" in result.stdout
    assert re.search(r"^  check +\S", result.stdout, re.M), result.stdout
    assert re.search(r"^  resolve +\S", result.stdout, re.M), result.stdout
    assert "--color" in result.stdout


def test_command_help_uses_the_docstring() -> None:
    result = invoke("check", "-h")
    assert result.exit_code == 0, result.output
    assert "Validate WIT packages" in result.stdout
    for option in ("--features", "--all-features", "--format", "--no-cache"):
        assert option in result.stdout


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"witgen {__version__}\n"


@pytest.mark.parametrize(
    "args",
    [
        ["--bogus"],
        ["check", "--bogus", "x.wit"],
        ["check"],
        ["check", "--format", "xml", "x.wit"],
        ["--color", "sometimes", "check", "x.wit"],
        ["resolve", "x.wit"],  # --json is required
        ["nosuchcommand"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Usage: witgen" in result.stderr
    assert "Error:" in result.stderr


# Every command's usage line: `...` wherever several paths are accepted, and a required
# argument without typer's braces.
USAGE = {
    "check": "witgen check [OPTIONS] PATH...",
    "check-files": "witgen check-files [OPTIONS] [FILE]...",
    "fmt": "witgen fmt [OPTIONS] PATH...",
    "resolve": "witgen resolve [OPTIONS] PATH",
    "print": "witgen print [OPTIONS] PATH",
    "encode": "witgen encode [OPTIONS] PATH",
    "embed": "witgen embed [OPTIONS] PATH [MODULE.wasm]",
    "bindgen": "witgen bindgen [OPTIONS] PATH",
    "docs": "witgen docs [OPTIONS] PATH",
}


@pytest.mark.parametrize(("name", "usage"), USAGE.items())
def test_usage_lines(name: str, usage: str) -> None:
    result = invoke(name, "-h")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"Usage: {usage}"


def test_usage_line_of_a_usage_error() -> None:
    result = invoke("check")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Usage: {USAGE['check']}\n"), result.stderr


def test_every_variadic_argument_shows_dots() -> None:
    """For any command, including those added after this test: an argument that takes any
    number of values ends in `...` in the usage line, one that takes a single value does not,
    and none is wrapped in braces."""
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    for name, cmd in group.commands.items():
        usage = invoke(name, "-h").stdout.splitlines()[0]
        assert "{" not in usage, usage
        words = usage.split()
        for param in cmd.params:
            if isinstance(param, typer.core.TyperArgument):
                metavar = param.metavar or (param.name or "").upper()
                shown = metavar if param.required else f"[{metavar}]"
                assert (f"{shown}..." if param.nargs != 1 else shown) in words, (name, usage)


# ---------------------------------------------------------------- check


def test_missing_path_exits_1_with_a_message(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.wit")
    result = invoke("check", missing)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error[WIT200]: "), result.stderr
    assert missing in result.stderr


def test_check_valid(valid: Path) -> None:
    result = invoke("check", str(valid))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == ""


def test_check_invalid(invalid: Path) -> None:
    result = invoke("check", str(invalid))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == (
        "error[WIT201]: type `strng` does not exist\n"
        f"     --> {invalid}:4:12\n"
        "      |\n"
        "    4 |   type x = strng;\n"
        "      |            ^----\n"
        "      = help: did you mean `string`?\n"
    )


def test_check_text_equals_wasm_tools(invalid: Path, wasm_tools: str) -> None:
    """Without the code and notes, the text is byte for byte wasm-tools' stderr."""
    ours = invoke("--color", "never", "check", str(invalid))
    theirs = subprocess.run(
        [wasm_tools, "component", "wit", str(invalid)], capture_output=True, text=True
    )
    assert theirs.returncode == 1, theirs.stderr
    plain = re.sub(r"^(error|warning)\[WIT\d{3}\]", r"\1", ours.stderr, flags=re.M)
    plain = re.sub(r"^      = .*\n", "", plain, flags=re.M)
    assert plain == theirs.stderr


def test_check_several_paths_in_order(valid: Path, invalid: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.wit"
    other.write_text(INVALID.replace("strng", "nmbr"), encoding="utf-8")
    result = invoke("check", str(other), str(valid), str(invalid))
    assert result.exit_code == 1, result.output
    blocks = result.stderr.split("\n\n")
    assert len(blocks) == 2, result.stderr
    assert f"--> {other}:4:12" in blocks[0]
    assert f"--> {invalid}:4:12" in blocks[1]


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_check_machine_formats(fmt: str, valid: Path, invalid: Path) -> None:
    bad = invoke("check", "--format", fmt, str(invalid))
    assert bad.exit_code == 1, bad.output
    assert bad.stderr == ""
    doc = json.loads(bad.stdout)
    if fmt == "json":
        assert doc["version"] == 1
        (entry,) = doc["diagnostics"]
        assert (entry["code"], entry["severity"]) == ("WIT201", "error")
        assert (entry["path"], entry["line"], entry["column"]) == (str(invalid), 4, 12)
        assert (entry["end_line"], entry["end_column"]) == (4, 17)
    else:
        assert doc["version"] == "2.1.0"
        (result,) = doc["runs"][0]["results"]
        assert (result["ruleId"], result["level"]) == ("WIT201", "error")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (4, 12)

    good = invoke("check", "--format", fmt, str(valid))
    assert good.exit_code == 0, good.output
    doc = json.loads(good.stdout)
    empty = doc["diagnostics"] if fmt == "json" else doc["runs"][0]["results"]
    assert empty == []


def test_color(tmp_path: Path) -> None:
    tabbed = tmp_path / "tabbed.wit"
    tabbed.write_text(INVALID.replace("  type", "\ttype"), encoding="utf-8")
    never = invoke("--color", "never", "check", str(tabbed))
    auto = invoke("check", str(tabbed))  # CliRunner's stderr is not a TTY
    always = invoke("--color", "always", "check", str(tabbed))
    assert never.exit_code == auto.exit_code == always.exit_code == 1, always.output
    assert "\ttype x = strng;" in never.stderr
    assert not ANSI.search(never.stderr)
    assert auto.stderr == never.stderr
    assert ANSI.search(always.stderr), always.stderr
    # Colour adds escape codes and changes nothing else (tabs are not expanded).
    assert ANSI.sub("", always.stderr) == never.stderr
    # No style runs across a line break: each line closes what it opens.
    for line in always.stderr.splitlines():
        assert ANSI.findall(line)[-1:] in ([], ["\x1b[0m"]), repr(line)


# ---------------------------------------------------------------- resolve


def test_resolve_json_equals_wasm_tools(valid: Path, wasm_tools: str) -> None:
    result = invoke("resolve", "--json", str(valid))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    expected = subprocess.run(
        [wasm_tools, "component", "wit", "--json", str(valid)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert result.stdout == expected


def test_features_accept_commas_and_repeats(tmp_path: Path, wasm_tools: str) -> None:
    path = tmp_path / "gated.wit"
    path.write_text(GATED, encoding="utf-8")
    commas = invoke("resolve", "--json", "--features", "alpha,beta", str(path))
    repeated = invoke("resolve", "--json", "--features", "alpha", "--features", "beta", str(path))
    everything = invoke("resolve", "--json", "--all-features", str(path))
    none = invoke("resolve", "--json", str(path))
    assert commas.exit_code == 0, commas.output
    assert commas.stdout == repeated.stdout == everything.stdout != none.stdout
    expected = subprocess.run(
        [wasm_tools, "component", "wit", "--json", "--features", "alpha,beta", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert commas.stdout == expected


def test_resolve_invalid_reports_on_stderr(invalid: Path) -> None:
    result = invoke("resolve", "--json", str(invalid))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error[WIT201]: type `strng` does not exist\n"), result.stderr


def test_python_dash_m(valid: Path) -> None:
    """`python -m witgen` is the same entry point (a real process: exit codes, streams)."""
    ok = subprocess.run([sys.executable, "-m", "witgen", "check", str(valid)], capture_output=True)
    assert ok.returncode == 0, ok.stderr
    usage = subprocess.run([sys.executable, "-m", "witgen", "--bogus"], capture_output=True)
    assert usage.returncode == 2, usage.stderr


# ---------------------------------------------------------------- bindgen: mode, --allow

# With --skip-unsupported: a WIT403 warning (`run` is omitted) and a WIT406 one (`get`).
WARNS = """package demo:warns;

interface api {
  get: func() -> result<option<u32>, string>;
  run: async func();
}

world warns { import api; }
"""


@pytest.fixture
def warns(tmp_path: Path) -> Path:
    path = tmp_path / "warns.wit"
    path.write_text(WARNS, encoding="utf-8")
    return path


def bindgen(path: Path, *args: str) -> Result:
    out = path.parent / "out"
    return invoke("bindgen", "--lang", "python", str(path), "-o", str(out), *args)


def test_bindgen_without_a_mode_writes_guest_bindings(valid: Path) -> None:
    result = bindgen(valid)
    assert result.exit_code == 0, result.output
    out = valid.parent / "out"
    assert result.stdout.strip() == str(out / "wit_world")
    assert (out / "componentize_py_types.py").exists()
    assert (out / "wit_world" / "__init__.py").exists()


def test_bindgen_options_of_the_other_mode_are_usage_errors(valid: Path) -> None:
    result = bindgen(valid, "--guest", "--package", "x")
    assert result.exit_code == 2, result.output
    assert "Error: --package applies to host bindings only" in result.stderr
    result = bindgen(valid, "--host", "--world-module", "x")
    assert result.exit_code == 2, result.output
    assert "Error: --world-module applies to guest bindings only" in result.stderr
    assert not (valid.parent / "out").exists()


def test_bindgen_help_shows_both_modes() -> None:
    assert "--host / --guest" in invoke("bindgen", "-h").stdout


def test_allow_silences_warnings_by_code(warns: Path) -> None:
    every = bindgen(warns, "--host", "--skip-unsupported")
    assert every.exit_code == 0, every.output
    headers = [line for line in every.stderr.splitlines() if line.startswith("warning[")]
    assert [h[:15] for h in headers] == ["warning[WIT403]", "warning[WIT406]"], every.stderr

    some = bindgen(warns, "--host", "--skip-unsupported", "--allow", "WIT406")
    assert some.exit_code == 0, some.output
    assert some.stderr == every.stderr.split("\n\n")[0] + "\n", some.stderr
    assert some.stdout == every.stdout == f"{warns.parent / 'out' / 'warns'}\n"

    # repeated, comma-separated, any case: all the same
    for allow in (["--allow", "WIT406", "--allow=WIT403"], ["--allow", "wit403,Wit406"]):
        none = bindgen(warns, "--host", "--skip-unsupported", *allow)
        assert none.exit_code == 0, none.output
        assert none.stderr == "", none.stderr


def test_allow_leaves_errors(warns: Path) -> None:
    result = bindgen(warns, "--host", "--allow", "WIT403")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error[WIT403]: function `run` cannot be called"), result.stderr


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("WIT46", "did you mean `WIT406`?"),
        ("wit406x", "did you mean `WIT406`?"),
        ("WIT999", "a warning names its code in brackets, as in `warning[WIT406]`"),
        ("unused", "a warning names its code in brackets, as in `warning[WIT406]`"),
    ],
)
def test_allow_rejects_an_unknown_code(warns: Path, code: str, hint: str) -> None:
    result = bindgen(warns, "--host", "--allow", f"WIT406,{code}")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    message = f"`{code.upper()}` is not a witgen diagnostic code; {hint}"
    assert result.stderr.endswith(f"Error: Invalid value for '--allow': {message}\n")
    assert not (warns.parent / "out").exists()


def test_allowed_warnings_leave_the_error_that_carries_them(
    warns: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Errors stop bindgen with a `WitError` that holds the warnings too: an allowed code is
    left out there as well (valid WIT cannot give both at once, hence the stand-in)."""
    from witgen import api
    from witgen.codegen.python.host import generator
    from witgen.text.diagnostics import Span, WitError, error, warning

    found = (
        warning("WIT406", "a", Span.UNKNOWN),
        error("WIT401", "b", Span.UNKNOWN),
        warning("WIT404", "c", Span.UNKNOWN),
        error("WIT406", "d", Span.UNKNOWN),  # an error is never allowed, whatever its code
    )
    monkeypatch.setattr(generator, "diagnose", lambda *_: found)
    with pytest.raises(WitError) as raised:
        api.bindgen_host(warns, out_dir=warns.parent / "out", allow=frozenset({"WIT406"}))
    assert [d.message for d in raised.value.diagnostics] == ["b", "c", "d"]
