"""Hand-written UI cases for the front end (parser + resolver), as wit-parser's `tests/ui`.

A case is `tests/ui/<case>.wit` or a package directory `tests/ui/<case>/` (with `deps/`).
Passing cases record the json backend's output in `<case>.wit.json` beside the input;
`tests/ui/parse-fail/` cases start with the line `// parse-fail` and record every rendered
diagnostic (`render_text(..., codes=True)`) in `<case>.wit.result`. A first line
`//@ features = a, b` enables `@unstable` features for the case.

Every golden was reviewed against wasm-tools 1.262. Where witgen disagreed with it when the
golden was recorded, the golden holds the expected output instead (wasm-tools' JSON bytes;
wasm-tools' first error, with witgen's code), so those cases fail until witgen is fixed and
need no re-recording then.

Inputs are loaded with the current directory set to the case's folder and a relative path,
so rendered paths in goldens are the case names. When `wasm-tools` is on PATH, each case is
also checked against it: the JSON must equal `wasm-tools component wit --json` (as data,
then as text), the printed text and encoded bytes `wasm-tools component wit` and
`component wit --wasm`, and the first diagnostic, rendered without code and notes, must be
byte for byte the error wasm-tools prints (less its `failed to parse package: <path>: `
context).
Re-record goldens with `pytest --update-goldens -k <case>` and review the diff.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from golden import assert_golden
from typer.testing import CliRunner

from witgen import api
from witgen.cli.app import app
from witgen.outputs import printer
from witgen.outputs.json import to_data, to_json
from witgen.text.diagnostics import WitError, render_one, render_text
from witgen.wasm import encoder

UI = Path(__file__).resolve().parent
FAIL = UI / "parse-fail"
FEATURES = re.compile(r"^//@ features = (.*)$")


def _cases(folder: Path) -> list[Path]:
    """`*.wit` files and package directories of `folder` (not `parse-fail/` itself)."""
    return sorted(
        p
        for p in folder.iterdir()
        if (p.is_file() and p.suffix == ".wit") or (p.is_dir() and p != FAIL)
    )


def _first_file(case: Path) -> Path:
    """The file holding the case's directives: the case, or its directory's first `.wit`."""
    return case if case.is_file() else sorted(case.glob("*.wit"))[0]


def _features(case: Path) -> list[str]:
    first = _first_file(case).read_text(encoding="utf-8").partition("\n")[0]
    m = FEATURES.match(first)
    return [f.strip() for f in m.group(1).split(",")] if m else []


def _golden(case: Path, suffix: str) -> Path:
    return case.parent / f"{case.name.removesuffix('.wit')}.wit.{suffix}"


def _load(case: Path, monkeypatch: pytest.MonkeyPatch) -> api.Loaded:
    monkeypatch.chdir(case.parent)
    return api.load(case.name, features=api.Features.of(_features(case)))


def _wasm_tools(exe: str, case: Path, *, json_out: bool) -> subprocess.CompletedProcess[str]:
    feats = _features(case)
    args = [exe, "component", "wit", *(["--json"] if json_out else [])]
    args += [*(["--features", ",".join(feats)] if feats else []), case.name]
    return subprocess.run(args, cwd=case.parent, capture_output=True, text=True, timeout=60)


# Known, documented differences from wasm-tools 1.262. Each is a strict xfail: when
# witgen is fixed the test turns red, and the entry must be removed.
DIFFERENCES = {
    "lone-carriage-return": "wasm-tools ends the displayed source line at a lone CR",
}


def _known(cases: list[Path]) -> list[object]:
    return [
        pytest.param(
            c,
            marks=[pytest.mark.xfail(strict=True, reason=DIFFERENCES[_id(c)])]
            if _id(c) in DIFFERENCES
            else [],
        )
        for c in cases
    ]


PASS = _cases(UI)
FAILS = _cases(FAIL)


def _id(p: object) -> str:
    assert isinstance(p, Path)
    return p.name.removesuffix(".wit")


# ---------------------------------------------------------------- passing cases


@pytest.mark.parametrize("case", _known(PASS), ids=_id)
def test_ui(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        loaded = _load(case, monkeypatch)
    except WitError as e:
        pytest.fail(f"{case.name} should resolve:\n{render_text(e.diagnostics, e.sources)}")
    assert loaded.warnings == ()
    assert_golden(_golden(case, "json"), to_json(loaded.resolve))


@pytest.mark.parametrize("case", _known(PASS), ids=_id)
def test_ui_json_matches_wasm_tools(
    case: Path, wasm_tools: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = _wasm_tools(wasm_tools, case, json_out=True)
    assert ref.returncode == 0, ref.stderr
    resolve = _load(case, monkeypatch).resolve
    assert to_data(resolve) == json.loads(ref.stdout)
    # `witgen resolve --json` promises wasm-tools' bytes (key order included), less the
    # final newline that wasm-tools leaves out.
    assert to_json(resolve) == ref.stdout + "\n"


@pytest.mark.parametrize("case", _known(PASS), ids=_id)
def test_ui_print_and_encode_match_wasm_tools(
    case: Path, wasm_tools: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The resolved case prints and encodes as `wasm-tools component wit [--wasm]` does."""
    ref = _wasm_tools(wasm_tools, case, json_out=False)
    assert ref.returncode == 0, ref.stderr
    resolve = _load(case, monkeypatch).resolve
    assert resolve.main is not None
    assert printer.print_resolve(resolve) == ref.stdout
    feats = _features(case)
    args = [wasm_tools, "component", "wit", "--wasm", "-o", "/dev/stdout", case.name]
    args += ["--features", ",".join(feats)] if feats else []
    want = subprocess.run(args, cwd=case.parent, capture_output=True, timeout=60, check=True)
    assert encoder.encode_package(resolve, resolve.main, producers_like_reference=True) == (
        want.stdout
    )


def _cli(case: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(case.parent)
    feats = ",".join(_features(case))
    argv = ["--color", "never", *args, *(["--features", feats] if feats else []), case.name]
    result = CliRunner().invoke(app, argv, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("case", PASS, ids=_id)
def test_ui_cli(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`witgen check` is silent; `witgen resolve --json` prints what the api returns."""
    assert _cli(case, monkeypatch, "check") == (0, "", "")
    code, out, err = _cli(case, monkeypatch, "resolve", "--json")
    assert (code, err) == (0, "")
    assert out + "\n" == to_json(_load(case, monkeypatch).resolve)


# ---------------------------------------------------------------- failing cases


def _first_error(stderr: str) -> str:
    """wasm-tools' error without the `failed to parse package: <path>: ` context (and,
    for an error in a dependency, the `failed to parse dependency directory: <path>: `
    before it)."""
    context = r"^error: (?:failed to parse dependency directory: [^:\n]*: )?"
    context += r"(?:failed to parse package: [^:\n]*: )?"
    return re.sub(context, "error: ", stderr.rstrip("\n"))


@pytest.mark.parametrize("case", _known(FAILS), ids=_id)
def test_ui_fail(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _first_file(case).read_text(encoding="utf-8").startswith("// parse-fail\n")
    with pytest.raises(WitError) as info:
        _load(case, monkeypatch)
    e = info.value
    assert e.diagnostics, "a WitError must carry at least one diagnostic"
    assert_golden(_golden(case, "result"), render_text(e.diagnostics, e.sources) + "\n")


@pytest.mark.parametrize("case", _known(FAILS), ids=_id)
def test_ui_fail_matches_wasm_tools(
    case: Path, wasm_tools: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = _wasm_tools(wasm_tools, case, json_out=False)
    assert ref.returncode == 1, f"wasm-tools accepts {case.name}"
    try:
        _load(case, monkeypatch)
    except WitError as e:
        first = render_one(e.diagnostics[0], e.sources, codes=False)
    else:
        pytest.fail(f"witgen accepts {case.name}; wasm-tools says:\n{ref.stderr}")
    assert first == _first_error(ref.stderr)


@pytest.mark.parametrize("case", FAILS, ids=_id)
def test_ui_fail_cli(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`witgen check` and `resolve --json` exit 1 with the api's diagnostics on stderr."""
    try:
        _load(case, monkeypatch)
    except WitError as e:
        rendered = render_text(e.diagnostics, e.sources) + "\n"
    else:
        pytest.skip("resolves (test_ui_fail reports it)")
    for args in (("check",), ("resolve", "--json")):
        assert _cli(case, monkeypatch, *args) == (1, "", rendered)


def test_ui_has_cases() -> None:
    """Guards against a glob that silently finds nothing."""
    assert len(PASS) >= 25
    assert len(FAILS) >= 20
