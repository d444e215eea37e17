"""The on-disk cache (witgen/loading/cache.py): where it lives, what bypasses it, and that no
corrupted, stale, unwritable or concurrently written entry ever changes an answer.

Every run is a real `witgen` process with its own XDG_CACHE_HOME, and every answer is
compared with an uncached run of the same input.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from witgen import api
from witgen.loading import cache

PKG = """package demo:cached@1.0.0;

interface types {
  /// A point.
  record point { x: s32, y: s32 }
  move: func(p: point, dx: s32) -> point;
}

world app {
  import types;
}
"""

BROKEN = PKG.replace("y: s32 }", "y: strng }")


def witgen(*args: str, cache_home: Path, **env: str) -> tuple[int, str, str]:
    environ = {k: v for k, v in os.environ.items() if k != "WITGEN_NO_CACHE"}
    environ.update(XDG_CACHE_HOME=str(cache_home), **env)
    proc = subprocess.run(
        [sys.executable, "-m", "witgen", *args], capture_output=True, text=True, env=environ
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def entries(cache_home: Path) -> list[Path]:
    root = cache_home / "witgen"
    return sorted(root.iterdir()) if root.is_dir() else []


@pytest.fixture
def package(tmp_path: Path) -> Path:
    path = tmp_path / "pkg" / "app.wit"
    path.parent.mkdir()
    path.write_text(PKG, encoding="utf-8")
    return path


def test_entries_live_under_xdg_cache_home(package: Path, tmp_path: Path) -> None:
    home = tmp_path / "xdg"
    assert witgen("check", str(package), cache_home=home) == (0, "", "")
    names = [p.name for p in entries(home)]
    assert any(n.startswith("parse-") for n in names)
    assert any(n.startswith("resolve-") for n in names)
    assert not any(n.startswith(".tmp-") for n in names)


def test_default_location_is_home_dot_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "/nonexistent-home")
    assert cache.directory() == os.path.join("/nonexistent-home", ".cache", "witgen")


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--no-cache"], {}), ([], {"WITGEN_NO_CACHE": "1"})],
    ids=["--no-cache", "WITGEN_NO_CACHE"],
)
def test_bypass_writes_nothing_and_reads_nothing(
    args: list[str], env: dict[str, str], package: Path, tmp_path: Path
) -> None:
    home = tmp_path / "xdg"
    assert witgen("check", *args, str(package), cache_home=home, **env)[0] == 0
    assert entries(home) == []
    # A cache that would give a wrong answer is not consulted either: poison every entry
    # with a valid pickle of something else, then change the file to an invalid one.
    witgen("check", str(package), cache_home=home)
    for entry in entries(home):
        entry.write_bytes(entry.read_bytes()[:20] + b"garbage")
    package.write_text(BROKEN, encoding="utf-8")
    code, _, err = witgen("check", *args, str(package), cache_home=home, **env)
    assert code == 1 and "strng" in err


def test_warm_answer_equals_cold_answer(package: Path, tmp_path: Path) -> None:
    home = tmp_path / "xdg"
    cold = witgen("check", "--format", "json", str(package), cache_home=home)
    warm = witgen("check", "--format", "json", str(package), cache_home=home)
    uncached = witgen("check", "--no-cache", "--format", "json", str(package), cache_home=home)
    assert cold == warm == uncached
    resolved = witgen("resolve", "--json", str(package), cache_home=home)
    assert resolved == witgen("resolve", "--json", str(package), cache_home=tmp_path / "other")


def test_an_edit_is_never_answered_from_the_cache(package: Path, tmp_path: Path) -> None:
    home = tmp_path / "xdg"
    assert witgen("check", str(package), cache_home=home)[0] == 0
    package.write_text(BROKEN, encoding="utf-8")
    code, _, err = witgen("check", str(package), cache_home=home)
    assert code == 1 and "error[WIT201]" in err and "strng" in err
    package.write_text(PKG, encoding="utf-8")
    assert witgen("check", str(package), cache_home=home)[0] == 0


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: b"\x00" * len(data),
        lambda data: data[:15] + b"\x80\x05garbage",
        lambda data: data.replace(b"witgen-cache", b"other-cache!"),
    ],
    ids=["empty", "truncated", "zeroed", "bad-pickle", "foreign-magic"],
)
def test_corrupted_entries_are_misses_and_are_rewritten(
    damage: object, package: Path, tmp_path: Path
) -> None:
    home = tmp_path / "xdg"
    want = witgen("check", "--format", "json", str(package), cache_home=home)
    good = {p.name: p.read_bytes() for p in entries(home)}
    for p in entries(home):
        p.write_bytes(damage(p.read_bytes()))  # type: ignore[operator]
    assert witgen("check", "--format", "json", str(package), cache_home=home) == want
    assert {p.name: p.read_bytes() for p in entries(home)}.keys() == good.keys()
    # Rewritten: the next run reads valid entries again (same bytes as the first time).
    assert {p.name: p.read_bytes() for p in entries(home)} == good


def test_unwritable_cache_is_skipped(package: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory would go", encoding="utf-8")
    assert witgen("check", str(package), cache_home=blocker) == (0, "", "")
    assert witgen("check", str(package), cache_home=blocker) == (0, "", "")


def test_concurrent_runs_agree_and_leave_no_temporary_files(package: Path, tmp_path: Path) -> None:
    home = tmp_path / "xdg"
    environ = dict(os.environ, XDG_CACHE_HOME=str(home))
    environ.pop("WITGEN_NO_CACHE", None)
    command = [sys.executable, "-m", "witgen", "check", "--format", "json", str(package)]
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ)
        for _ in range(8)
    ]
    results = [(p.wait(), p.communicate()) for p in procs]
    assert {code for code, _ in results} == {0}
    assert len({out for _, out in results}) == 1
    names = [p.name for p in entries(home)]
    assert names and not any(n.startswith(".tmp-") for n in names)
    assert witgen("check", "--format", "json", str(package), cache_home=home)[0] == 0


def test_keys_name_contents_features_and_code() -> None:
    base = cache.key("resolve", ("a.wit", "x"))
    assert base == cache.key("resolve", ("a.wit", "x"))
    assert base != cache.key("resolve", ("a.wit", "y"))
    assert base != cache.key("resolve", ("b.wit", "x"))
    assert base != cache.key("parse", ("a.wit", "x"))
    # Boundaries between parts are kept: ("ab", "") is not ("a", "b").
    assert cache.key("k", ("ab", "")) != cache.key("k", ("a", "b"))
    assert api.Features.of(["a"]) != api.Features.of(["b"])


# Modules a load runs that need not be in the code hash (besides empty package files): the
# version is hashed on its own, and diagnostics are never cached.
# `api` shapes a cached value only through the binary dependencies it decodes and merges.
NOT_CACHED = {"__init__.py", os.path.join("text", "diagnostics.py")}
LOADED_MODULES = """
import json, os, sys
from witgen import api
api.load(sys.argv[1], use_cache=False)
root = os.path.dirname(api.__file__)
print(json.dumps(sorted(
    os.path.relpath(m.__file__, root) for name, m in list(sys.modules.items())
    if name.startswith("witgen.") and getattr(m, "__file__", None)
)))
"""


def _modules_a_load_runs(path: Path) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", LOADED_MODULES, str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    root = Path(api.__file__).parent
    return {p for p in json.loads(proc.stdout) if (root / p).stat().st_size} - NOT_CACHED


def _hashed(binaries: bool) -> set[str]:
    root = Path(api.__file__).parent
    return {os.path.relpath(p, root) for p in cache.code_paths(binaries)}


def test_code_version_covers_every_module_a_load_runs(package: Path) -> None:
    assert _modules_a_load_runs(package) - {"api.py"} <= _hashed(binaries=False)


def test_code_version_with_binary_deps_covers_the_decoder(package: Path, tmp_path: Path) -> None:
    dep = tmp_path / "dep" / "types.wit"
    dep.parent.mkdir()
    dep.write_text(PKG.replace("demo:cached", "demo:dep"), encoding="utf-8")
    deps = package.parent / "deps"
    deps.mkdir()
    (deps / "dep.wasm").write_bytes(api.encode(dep, use_cache=False))
    package.write_text(PKG.replace("import types;", "import demo:dep/types@1.0.0;"), "utf-8")
    assert api.check([package.parent], use_cache=False).diagnostics == []
    modules = _modules_a_load_runs(package.parent)
    assert os.path.join("wasm", "decoder.py") in modules
    assert modules <= _hashed(binaries=True)
    assert cache.code_version(binaries=True) != cache.code_version()


def test_code_version_covers_the_parser_table() -> None:
    from witgen.syntax import grammar

    assert grammar.table_path() in cache._table_paths()
