"""The built wheel works on its own: data files ship, and `witgen check` runs from a fresh venv.

Editable installs skip hatchling's force-include, so only a real wheel in a clean venv shows
that `grammars/` and `templates/` reach `witgen/` (STYLE.md §1). The commands run outside the
repository, with no PYTHONPATH, so nothing falls back to the source tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(
    p.name for p in (ROOT / "wit-samples").iterdir() if p.is_dir() or p.suffix == ".wit"
)


def run(cmd: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    ok(run([sys.executable, "-m", "build", "--wheel", "--outdir", out, ROOT], cwd=out))
    (built,) = out.glob("witgen-*.whl")
    return built


@pytest.fixture(scope="module")
def venv_bin(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    ok(run([sys.executable, "-m", "venv", venv], cwd=venv))
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    ok(run([bin_dir / "python", "-m", "pip", "install", "-q", wheel], cwd=venv))
    return bin_dir


@pytest.mark.slow
def test_wheel_ships_data_files(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "witgen/grammars/wit.lark" in names
    assert "witgen/py.typed" in names
    assert any(n.startswith("witgen/templates/") for n in names), names


@pytest.mark.slow
def test_installed_package_is_the_wheel(venv_bin: Path, tmp_path: Path) -> None:
    code = "import witgen.syntax.grammar as g; print(g.__file__); print(g.grammar_path())"
    module, grammar = ok(run([venv_bin / "python", "-c", code], cwd=tmp_path)).splitlines()
    venv = venv_bin.parent.resolve()
    assert Path(module).resolve().is_relative_to(venv), module
    assert Path(grammar).resolve().is_relative_to(venv), grammar


@pytest.mark.slow
@pytest.mark.parametrize("sample", SAMPLES)
def test_check_sample(venv_bin: Path, tmp_path: Path, sample: str) -> None:
    ok(run([venv_bin / "witgen", "check", ROOT / "wit-samples" / sample], cwd=tmp_path))


def test_ci_runs_the_readme_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = next(line for line in readme.splitlines() if "'.[test]'" in line)
    assert test_command.strip() in ci.splitlines()
    assert "witgen check wit-samples/notes" in readme
    assert (ROOT / "wit-samples" / "notes").is_dir()
