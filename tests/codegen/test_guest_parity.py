"""API parity: witgen's Python guest bindings against `componentize-py bindings`, per corpus world.

Input: every world of the `codegen` and `wasi` corpora beside the repository (their
`manifest.json`: input path, worlds, `@unstable` features). For each world, componentize-py
0.25.1 writes the reference bindings and `witgen.api.bindgen_guest` writes ours; both are read
with `guest_api.public_api` (parsed, never imported) and compared.

Output: one test per world, which passes when the two public APIs are identical apart from
the differences `guest_api.ALLOWANCES` documents, and a summary (printed at the end of the run,
and by `test_parity_summary`) counting worlds compared, identical, differing only by
allowances (per allowance), known gaps (strict xfails), and the failures of componentize-py
and of witgen.

Invariants:
- Nothing passes silently: without `../shared` the tests skip saying so; while witgen has no
  guest generator they skip saying so; a world componentize-py cannot handle is skipped with
  its error, and the summary test fails if no allowance explains that error. A world where
  witgen fails, or whose API differs in a way no allowance documents, fails; each one known
  is listed in `KNOWN_GAPS` with the exact difference and runs as a strict xfail, so that it
  stays visible and closing the gap shows as an XPASS to remove from the list.
- componentize-py's output is cached by a hash of its version, the world, the features and
  every WIT file of the input: in `$WITGEN_TEST_CACHE/componentize-py-bindings` when that is
  set (kept between runs), else in the session's temporary directory. Failures are cached too.
- componentize-py reads `-w` as WIT, so a world whose id holds a keyword is passed with `%`
  (`foo:foo/%type`); that is how the id is spelled, not a defect to allow.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import guest_api
import pytest

from witgen import api
from witgen.syntax import keywords

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CORPORA = ("codegen", "wasi")


# ---------------------------------------------------------------- the corpus worlds


@dataclass(frozen=True)
class CorpusWorld:
    """One world of a corpus case: test id, WIT input, full world id and features."""

    id: str
    wit: Path
    world: str
    features: tuple[str, ...]
    all_features: bool

    def feature_args(self) -> list[str]:
        if self.all_features:
            return ["--all-features"]
        return ["--features", ",".join(self.features)] if self.features else []


def corpus_worlds(shared: Path) -> list[CorpusWorld]:
    """Every world of the `codegen` and `wasi` corpora, in manifest order."""
    out = []
    for corpus in CORPORA:
        folder = shared / "corpus" / corpus
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        for case in manifest["cases"]:
            # codegen cases list world ids; wasi cases map a short name to {"world": id}
            named = case["worlds"]
            pairs = (
                [(short, w["world"]) for short, w in named.items()]
                if isinstance(named, dict)
                else [(w.rpartition("/")[2].partition("@")[0], w) for w in named]
            )
            for short, world in pairs:
                out.append(
                    CorpusWorld(
                        id=case["id"] if len(pairs) == 1 else f"{case['id']}/{short}",
                        wit=folder / case["input"],
                        world=world,
                        features=tuple(case.get("features") or ()),
                        all_features=bool(case.get("all_features")),
                    )
                )
    return out


def wit_world_arg(world: str) -> str:
    """`world` as componentize-py's `-w` reads it: each keyword part written with `%`."""
    found = re.fullmatch(r"(?:([^:/@]+):([^:/@]+)/)?([^:/@]+)(@.+)?", world)
    if found is None:
        return world
    namespace, package, name, version = found.groups()
    name = keywords.escape(name)
    if namespace is None or package is None:
        return name + (version or "")
    return f"{keywords.escape(namespace)}:{keywords.escape(package)}/{name}{version or ''}"


def test_world_ids_are_spelled_as_wit() -> None:
    assert wit_world_arg("foo:foo/type") == "foo:foo/%type"
    assert wit_world_arg("unused:import/the-world") == "unused:%import/the-world"
    assert wit_world_arg("wasi:http/proxy@0.2.0") == "wasi:http/proxy@0.2.0"
    assert wit_world_arg("the-world") == "the-world"
    assert wit_world_arg("interface") == "%interface"


# ---------------------------------------------------------------- the two generators


@dataclass(frozen=True)
class Reference:
    """componentize-py's bindings of one world: the output directory, or its error."""

    outdir: Path | None
    error: str | None


def wit_files(path: Path) -> list[Path]:
    return sorted(path.rglob("*.wit")) if path.is_dir() else [path]


def reference_key(world: CorpusWorld) -> str:
    """sha256 of componentize-py's version, the arguments and every WIT file of the input."""
    digest = hashlib.sha256()
    digest.update(importlib.metadata.version("componentize-py").encode())
    digest.update("\0".join([wit_world_arg(world.world), *world.feature_args()]).encode())
    for path in wit_files(world.wit):
        digest.update(b"\0" + path.relative_to(world.wit.parent).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def run_reference(world: CorpusWorld, exe: str, cache: Path) -> Reference:
    """componentize-py's bindings of `world`, from the cache or made now (and cached)."""
    entry = cache / reference_key(world)
    failure = entry / "failure.txt"
    if not entry.is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=cache, prefix=f".{entry.name}.", suffix=".tmp"))
        args = [wit_world_arg(world.world), *world.feature_args()]
        error = guest_api.componentize_py_bindings(exe, world.wit, staging / "out", *args)
        if error is not None:
            shutil.rmtree(staging / "out", ignore_errors=True)
            (staging / "failure.txt").write_text(error, encoding="utf-8")
        try:
            os.replace(staging, entry)
        except OSError:  # another run cached the same key first
            shutil.rmtree(staging, ignore_errors=True)
    if failure.exists():
        return Reference(None, failure.read_text(encoding="utf-8"))
    return Reference(entry / "out", None)


BINDGEN_GUEST = getattr(api, "bindgen_guest", None)
NO_WITGEN = "witgen.api.bindgen_guest does not exist yet: witgen has no guest generator to compare"


def run_witgen(world: CorpusWorld, out: Path) -> Path:
    """`witgen bindgen --lang python --guest WIT --world W -o OUT`, through the api."""
    assert BINDGEN_GUEST is not None
    features = api.Features.of(world.features, world.all_features)
    BINDGEN_GUEST(world.wit, out_dir=out, world=world.world, features=features)
    return out


def facts_of(world: CorpusWorld) -> guest_api.WorldFacts:
    loaded = api.load(world.wit, features=api.Features.of(world.features, world.all_features))
    return guest_api.world_facts(loaded.resolve, api.select_world(loaded.resolve, world.world))


# ---------------------------------------------------------------- one session's comparisons


@dataclass
class WorldResult:
    """The outcome for one world: componentize-py's error, witgen's error, or the comparison
    (None while witgen cannot generate guests)."""

    world: CorpusWorld
    reference_error: str | None
    failure: guest_api.Comparison | None
    comparison: guest_api.Comparison | None
    witgen_error: str | None = None


class Parity:
    """Runs and remembers each world's comparison; registered as a pytest plugin so that the
    counts of the worlds this session compared close the terminal report."""

    def __init__(self, exe: str, cache: Path, workdir: Path) -> None:
        self.exe = exe
        self.cache = cache
        self.workdir = workdir
        self.results: dict[str, WorldResult] = {}

    def result(self, world: CorpusWorld) -> WorldResult:
        if world.id not in self.results:
            self.results[world.id] = self._compare(world)
        return self.results[world.id]

    def _compare(self, world: CorpusWorld) -> WorldResult:
        reference = run_reference(world, self.exe, self.cache)
        if reference.error is not None:
            failure = guest_api.reference_failure(world.id, reference.error, facts_of(world), {})
            return WorldResult(world, reference.error, failure, None)
        if BINDGEN_GUEST is None:
            return WorldResult(world, None, None, None)
        assert reference.outdir is not None
        try:
            out = run_witgen(world, self.workdir / re.sub(r"[^\w.+-]", "_", world.id))
        except api.WitError as e:
            return WorldResult(world, None, None, None, str(e).strip())
        comparison = guest_api.compare(
            guest_api.public_api(reference.outdir), guest_api.public_api(out), facts_of(world)
        )
        return WorldResult(world, None, None, comparison)

    def summary(self) -> list[str]:
        results = list(self.results.values())
        failed = [r for r in results if r.reference_error is not None]
        witgen_failed = [r for r in results if r.witgen_error is not None]
        compared = [r.comparison for r in results if r.comparison is not None]
        lines = [
            f"guest API parity over {len(results)} corpus worlds "
            f"(componentize-py {importlib.metadata.version('componentize-py')}):",
            f"  componentize-py handles {len(results) - len(failed)}, fails on {len(failed)}",
        ]
        for r in failed:
            why = ", ".join(r.failure.allowed) if r.failure and r.failure.allowed else "unexplained"
            lines.append(f"    {r.world.id} [{why}]: {r.reference_error}")
        if BINDGEN_GUEST is None:
            lines.append(f"  not compared: {NO_WITGEN}")
            return lines
        if witgen_failed:
            lines.append(f"  witgen fails on {len(witgen_failed)}")
        identical = sum(1 for c in compared if c.identical)
        # The native package is an addition beside componentize-py's API, not a change of it.
        additions = {"native-harness"}
        only_added = [
            c
            for c in compared
            if not c.identical and not c.unexplained and set(c.allowed) <= additions
        ]
        only_allowed = [c for c in compared if not c.identical and not c.unexplained]
        lines.append(
            f"  compared {len(compared)}: identical {identical}, identical apart from witgen's "
            f"additions {len(only_added)}, differing only by allowances "
            f"{len(only_allowed) - len(only_added)}, with unexplained differences "
            f"{sum(1 for c in compared if c.unexplained)}"
        )
        worlds: Counter[str] = Counter()
        entries: Counter[str] = Counter()
        for c in compared:
            for name, found in c.allowed.items():
                worlds[name] += 1
                entries[name] += len(found)
        for allowance in guest_api.ALLOWANCES:
            if allowance.name in worlds:
                lines.append(
                    f"    {allowance.name}: {worlds[allowance.name]} worlds, "
                    f"{entries[allowance.name]} differences"
                )
        gaps = [r.world.id for r in results if r.world.id in KNOWN_GAPS]
        if gaps:
            lines.append(f"  known gaps (strict xfail): {len(gaps)} worlds")
            for reason, ids in _grouped({world: KNOWN_GAPS[world] for world in gaps}).items():
                lines.append(f"    {reason}: {', '.join(ids)}")
        return lines

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.results:
            terminalreporter.write_sep("-", "guest API parity")
            for line in self.summary():
                terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def parity(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Parity:
    exe = guest_api.find_componentize_py()
    if exe is None:
        pytest.skip("componentize-py is not installed")
    if env := os.environ.get("WITGEN_TEST_CACHE"):
        cache = Path(env) / "componentize-py-bindings"
    else:
        cache = tmp_path_factory.mktemp("componentize-py-bindings")
    run = Parity(exe, cache, tmp_path_factory.mktemp("witgen-guest"))
    request.config.pluginmanager.register(run, "witgen-guest-parity")
    return run


def _grouped(reasons: dict[str, str]) -> dict[str, list[str]]:
    """World ids by reason, in first order."""
    out: dict[str, list[str]] = {}
    for world, reason in reasons.items():
        out.setdefault(reason, []).append(world)
    return out


# Known gaps between witgen and componentize-py that no allowance documents. Each names the
# exact difference; the world's test is a strict xfail, so it XPASSes once the gap is closed.
KNOWN_GAPS: dict[str, str] = {}


def _param(world: CorpusWorld) -> Any:
    gap = KNOWN_GAPS.get(world.id)
    marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap is not None else []
    return pytest.param(world, id=world.id, marks=marks)


WORLDS = corpus_worlds(SHARED) if SHARED.is_dir() else []
PARAMS = [_param(w) for w in WORLDS] or [
    pytest.param(None, id="no-corpus", marks=pytest.mark.skip(reason=f"{SHARED} is absent"))
]


@pytest.mark.slow
@pytest.mark.parametrize("world", PARAMS)
def test_guest_api_matches_componentize_py(world: CorpusWorld, parity: Parity) -> None:
    """witgen's public guest API equals componentize-py's, apart from documented fixes."""
    result = parity.result(world)
    if result.reference_error is not None:
        explained = ", ".join(result.failure.allowed) if result.failure else ""
        pytest.skip(
            f"componentize-py fails on {world.world} ({explained or 'no allowance explains it'}): "
            f"{result.reference_error}"
        )
    if result.witgen_error is not None:
        pytest.fail(f"witgen fails on {world.world}: {result.witgen_error}")
    if result.comparison is None:
        pytest.skip(NO_WITGEN)
    assert not result.comparison.unexplained, (
        f"{world.world}: the guest API differs from componentize-py's:\n"
        + result.comparison.report()
    )


@pytest.mark.slow
def test_parity_summary(parity: Parity) -> None:
    """Every world once: print the counts; componentize-py's failures must all be explained."""
    if not WORLDS:
        pytest.skip(f"{SHARED} is absent")
    results = [parity.result(w) for w in WORLDS]
    print("\n".join(parity.summary()))
    unexplained = [
        f"{r.world.id}: {r.reference_error}"
        for r in results
        if r.reference_error is not None and not (r.failure and r.failure.allowed)
    ]
    assert not unexplained, (
        "componentize-py fails where no allowance says it should:\n" + "\n".join(unexplained)
    )
    handled = sum(1 for r in results if r.reference_error is None)
    assert handled > 0
    if BINDGEN_GUEST is None:
        pytest.skip(
            f"{NO_WITGEN} (componentize-py handles {handled} of {len(results)} worlds, "
            f"its {len(results) - handled} failures all explained)"
        )


@pytest.mark.slow
def test_reference_bindings_read_cleanly(parity: Parity) -> None:
    """The harness itself, on every world componentize-py handles: its bindings parse (a class
    with no body is the only error repaired) and compare identical with themselves."""
    if not WORLDS:
        pytest.skip(f"{SHARED} is absent")
    for world in WORLDS:
        reference = run_reference(world, parity.exe, parity.cache)
        if reference.outdir is None:
            continue
        first, second = (
            guest_api.public_api(reference.outdir),
            guest_api.public_api(reference.outdir),
        )
        assert first, world.id
        broken = [m.name for m in first.values() if m.syntax_error is not None]
        assert not broken, (world.id, broken)
        assert guest_api.diff_api(first, second) == [], world.id


@pytest.mark.slow
def test_parity_run_with_a_stand_in_generator(
    parity: Parity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison and its summary, before witgen has a guest generator: the stand-in copies
    componentize-py's bindings and makes two of witgen's documented changes (a body for an
    empty class, a `native` module), so every difference must be allowed and counted."""
    chosen = {"codegen/records", "codegen/issue1466", "codegen/named-fixed-length-list"}
    worlds = [w for w in WORLDS if w.id in chosen]
    if len(worlds) != len(chosen):
        pytest.skip(f"the corpus lacks some of {sorted(chosen)}")

    def stand_in(wit: Path, *, out_dir: Path, world: str, features: api.Features) -> None:
        (source,) = [w for w in worlds if w.wit == wit and w.world == world]
        reference = run_reference(source, parity.exe, parity.cache)
        assert reference.outdir is not None
        shutil.copytree(reference.outdir, out_dir)
        for path in (out_dir / "wit_world").rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            fixed = re.sub(
                r"^(class \w+\(Protocol\):\n)(?=(?:[ \t]*\n)*(?![ \t]))",
                r"\1    pass\n",
                text,
                flags=re.M,
            )
            path.write_text(fixed, encoding="utf-8")
        (out_dir / "wit_world" / "native").mkdir()
        (out_dir / "wit_world" / "native" / "__init__.py").write_text("def host() -> None: ...\n")

    monkeypatch.setattr(sys.modules[__name__], "BINDGEN_GUEST", stand_in)
    run = Parity(parity.exe, parity.cache, tmp_path)
    results = {w.id: run.result(w) for w in worlds}
    records, empty = results["codegen/records"].comparison, results["codegen/issue1466"].comparison
    assert records is not None and empty is not None
    assert list(records.allowed) == ["native-harness"] and not records.unexplained
    assert set(empty.allowed) == {"native-harness", "empty-resource-body"}, empty.report()
    assert not empty.unexplained
    summary = run.summary()
    assert "  componentize-py handles 2, fails on 1" in summary
    assert (
        "  compared 2: identical 0, identical apart from witgen's additions 1, differing only by"
        " allowances 1, with unexplained differences 0" in summary
    )
    assert "    native-harness: 2 worlds, 2 differences" in summary
    assert "    empty-resource-body: 1 worlds, 1 differences" in summary
