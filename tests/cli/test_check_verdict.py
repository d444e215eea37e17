"""`witgen check` remembers a valid input: a second check of the same files loads nothing.

The verdict is kept in the cache under the input's key (its files, their texts, the
features, witgen's code), so any change to any of these is a new input, checked in full.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

VALID = "package demo:ok;\n\ninterface a {\n  type x = u32;\n  f: func(v: x);\n}\n"
BROKEN = "package demo:ok;\n\ninterface a {\n  f: func(v: nope);\n}\n"

# Run `witgen check` in-process, then list the modules a full check would load.
PROBE = (
    "import sys\n"
    "from witgen.cli.entry import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as e:\n"
    "    heavy = sorted(m for m in ('witgen.resolve', 'witgen.syntax.parse', 'pickle')"
    " if m in sys.modules)\n"
    "    print(e.code, heavy)\n"
)


def _check(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("WITGEN_NO_CACHE", None)
    return subprocess.run(
        [sys.executable, "-c", PROBE, "check", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.fixture
def package(tmp_path: Path) -> Path:
    path = tmp_path / "ok.wit"
    path.write_text(VALID, encoding="utf-8")
    return path


def test_second_check_of_valid_input_loads_nothing(package: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _check(cache, str(package))
    assert first.stdout.split(" ", 1)[0] == "0" and "witgen.resolve" in first.stdout
    second = _check(cache, str(package))
    assert second.stdout.strip() == "0 []", second.stdout + second.stderr
    assert second.stderr == ""


def test_an_edit_is_checked_in_full(package: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _check(cache, str(package)).stdout.startswith("0 ")
    package.write_text(BROKEN, encoding="utf-8")
    again = _check(cache, str(package))
    assert again.stdout.startswith("1 ")
    assert "error[WIT201]" in again.stderr
    package.write_text(VALID, encoding="utf-8")
    assert _check(cache, str(package)).stdout.strip() == "0 []"  # the old verdict holds


def test_verdict_is_per_feature_set_and_not_used_without_cache(
    package: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    assert _check(cache, str(package)).stdout.startswith("0 ")
    # Other features: another input, checked in full.
    assert "witgen.resolve" in _check(cache, "--features", "x", str(package)).stdout
    # `--no-cache` neither reads nor writes a verdict.
    assert "witgen.resolve" in _check(cache, "--no-cache", str(package)).stdout
    fresh = tmp_path / "fresh"
    assert "witgen.resolve" in _check(fresh, "--no-cache", str(package)).stdout
    assert not fresh.exists() or not any(fresh.rglob("*.valid"))


def test_broken_input_is_never_remembered(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = tmp_path / "bad.wit"
    path.write_text(BROKEN, encoding="utf-8")
    for _ in range(2):
        run = _check(cache, str(path))
        assert run.stdout.startswith("1 ") and "error[WIT201]" in run.stderr
    assert not any(cache.rglob("*.valid"))
