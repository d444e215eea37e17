"""The front end against the reference: corpus expectations and `wasm-tools` itself.

Corpus cases come from `../shared/corpus/{wit-parser,codegen,wasi,wit-component}/
manifest.json` (skipped cleanly when `../shared` is absent); test ids are the case ids
(`pass/async`, `fail/alias-no-type`, `codegen/char`, `wasi/0.2.0/io`, `encode/console`).
Every input is loaded as the manifest says wasm-tools was run: with the current directory
set to the manifest's folder, a relative path and the case's features.

- cases with an expected `json`: witgen's JSON is structurally equal to it, and its text
  is byte for byte the file (what `witgen resolve --json` promises);
- failing cases: `WitError`, whose first diagnostic sits at the manifest's `location`
  and whose message (first line) is the manifest's `first_error_line` without the
  `failed to parse package: <path>: ` / `<path>:<line>:<col>: ` context wasm-tools adds;
- failing cases with a `.stderr`: the first diagnostic rendered without code and notes is
  byte for byte that file (again less the `failed to parse package: <path>: ` context,
  which witgen does not add to messages);
- `wit-samples/`: JSON equal to `wasm-tools component wit --json` (needs wasm-tools).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from witgen import api
from witgen.outputs.json import to_data, to_json
from witgen.text.diagnostics import WitError, render_one, render_text

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "wit-samples"
CORPUS = ROOT.parent / "shared" / "corpus"
MANIFESTS = ("wit-parser", "codegen", "wasi", "wit-component")

# Inputs witgen cannot read yet. strict: these turn red as soon as support lands.
UNSUPPORTED: dict[str, str] = {}
# Where witgen's first block deliberately differs from wasm-tools' stderr.
STDERR_DIFFERENCES = {
    "fail/nested-packages-colliding-names": "witgen shows where the second definition is; "
    "wasm-tools prints no source snippet for this error",
}

CONTEXT = re.compile(r"^(failed to parse package: [^:\n]*: |[^\s:]+:\d+:\d+: )")


@dataclass(frozen=True)
class Case:
    id: str
    base: Path  # the manifest's folder: the current directory for the run
    data: dict[str, Any]

    @property
    def input(self) -> str:
        return str(self.data["input"])

    @property
    def features(self) -> api.Features:
        return api.Features.of(self.data.get("features", ()), self.data.get("all_features", False))

    def expected(self, key: str) -> Path | None:
        rel = self.data.get("expected", {}).get(key)
        return None if rel is None else self.base / rel


def _corpus() -> list[Case]:
    cases: list[Case] = []
    for folder in MANIFESTS:
        manifest = CORPUS / folder / "manifest.json"
        if manifest.is_file():
            doc = json.loads(manifest.read_text(encoding="utf-8"))
            cases += [Case(c["id"], manifest.parent, c) for c in doc["cases"]]
    return cases


def _param(case: Case) -> Any:
    marks = []
    if case.id in UNSUPPORTED:
        marks.append(pytest.mark.xfail(strict=True, reason=UNSUPPORTED[case.id]))
    return pytest.param(case, id=case.id, marks=marks)


CASES = _corpus()
JSON_CASES = [_param(c) for c in CASES if c.data["kind"] != "fail" and c.expected("json")]
FAIL_CASES = [_param(c) for c in CASES if c.data["kind"] == "fail"]
STDERR_CASES = [
    pytest.param(
        c,
        id=c.id,
        marks=[pytest.mark.xfail(strict=True, reason=STDERR_DIFFERENCES[c.id])]
        if c.id in STDERR_DIFFERENCES
        else [],
    )
    for c in CASES
    if c.data["kind"] == "fail" and c.expected("stderr")
]
needs_corpus = pytest.mark.skipif(not CASES, reason=f"{CORPUS} is absent")


def _load(case: Case, monkeypatch: pytest.MonkeyPatch) -> api.Loaded:
    monkeypatch.chdir(case.base)
    return api.load(case.input, features=case.features)


def _error(case: Case, monkeypatch: pytest.MonkeyPatch) -> WitError:
    try:
        _load(case, monkeypatch)
    except WitError as e:
        assert e.diagnostics, "a WitError must carry at least one diagnostic"
        return e
    pytest.fail(f"{case.id} resolved; wasm-tools says: {case.data['first_error_line']}")


def test_corpus_is_complete(shared: Path) -> None:
    """The manifests are read, none silently skipped (the counts when this was written)."""
    assert len(JSON_CASES) >= 176
    assert len(FAIL_CASES) >= 106
    assert len(STDERR_CASES) >= 106


@needs_corpus
@pytest.mark.parametrize("case", JSON_CASES)
def test_corpus_json(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = case.expected("json")
    assert expected is not None
    try:
        loaded = _load(case, monkeypatch)
    except WitError as e:
        pytest.fail(f"{case.id} should resolve:\n{render_text(e.diagnostics, e.sources)}")
    assert to_data(loaded.resolve) == json.loads(expected.read_text(encoding="utf-8"))


@needs_corpus
@pytest.mark.parametrize("case", JSON_CASES)
def test_corpus_json_text(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    """`witgen resolve --json` prints wasm-tools' bytes, key order included."""
    expected = case.expected("json")
    assert expected is not None
    try:
        loaded = _load(case, monkeypatch)
    except WitError as e:
        pytest.fail(f"{case.id} should resolve:\n{render_text(e.diagnostics, e.sources)}")
    want = expected.read_text(encoding="utf-8")
    assert to_json(loaded.resolve).rstrip("\n") == want.rstrip("\n")


@needs_corpus
@pytest.mark.parametrize("case", FAIL_CASES)
def test_corpus_fail(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    e = _error(case, monkeypatch)
    first = e.diagnostics[0]
    want = CONTEXT.sub("", case.data["first_error_line"])
    assert first.message.split("\n", 1)[0] == want
    where = case.data.get("location")
    if where is not None:
        assert first.span.known, "the first diagnostic has no location"
        loc = e.sources.locate(first.span.start)
        assert (loc.path, loc.line, loc.column) == (where["file"], where["line"], where["column"])


@needs_corpus
@pytest.mark.parametrize("case", STDERR_CASES)
def test_corpus_stderr(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = case.expected("stderr")
    assert stderr is not None
    want = stderr.read_text(encoding="utf-8")
    want = re.sub(r"^error: failed to parse package: [^:\n]*: ", "error: ", want)
    e = _error(case, monkeypatch)
    assert render_one(e.diagnostics[0], e.sources, codes=False) + "\n" == want


# ---------------------------------------------------------------- wit-samples


def _samples() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix == ".wit" or p.is_dir())


@pytest.mark.parametrize("sample", _samples(), ids=lambda p: f"wit-samples/{p.stem}")
def test_sample_resolves(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SAMPLES)
    api.load(sample.name)


@pytest.mark.parametrize("sample", _samples(), ids=lambda p: f"wit-samples/{p.stem}")
def test_sample_json(sample: Path, wasm_tools: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = subprocess.run(
        [wasm_tools, "component", "wit", "--json", sample.name],
        cwd=SAMPLES,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ref.returncode == 0, ref.stderr
    monkeypatch.chdir(SAMPLES)
    assert to_data(api.load(sample.name).resolve) == json.loads(ref.stdout)
