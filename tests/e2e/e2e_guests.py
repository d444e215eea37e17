"""The e2e guests and how to build them, and the `witgen bindgen` runner (used by conftest).

Input: the guest worlds under `guests/<name>/` (`wit/` and the app's `app/`). Output: each
guest's `.wasm` (`build_guest`) and the host package `witgen bindgen --lang python --host`
generates for its world (`run_bindgen`).

Invariants: a guest is built at most once per content: the `.wasm` is cached on disk under
`$WITGEN_TEST_CACHE` (default `$XDG_CACHE_HOME/witgen-tests`, else `~/.cache/witgen-tests`)
keyed by the sha256 of its WIT, its app source and the componentize-py version, and written
atomically, so an interrupted build never leaves a bad file. Building takes about 20-30 s a
guest; wasmtime compiles each in about 30 s the first time and 0.3 s from its own cache
(`Config.cache = True`).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
GUESTS = HERE / "guests"
HOSTS = HERE / "hosts"


@dataclass(frozen=True)
class Guest:
    """One guest world: its WIT directory, world name, app directory and app module."""

    name: str
    world: str

    @property
    def wit(self) -> Path:
        return GUESTS / self.name / "wit"

    @property
    def app(self) -> Path:
        return GUESTS / self.name / "app"

    def sources(self) -> list[Path]:
        files = [*self.wit.rglob("*.wit"), *self.app.rglob("*.py")]
        return sorted(p for p in files if "__pycache__" not in p.parts)


NOTES = Guest("notes", "notes")
TYPES = Guest("types", "all-types")
# imports `wasi:cli/environment` and `wasi:clocks/wall-clock` explicitly (left to WASI)
WASI = Guest("wasi", "wasi-imports")
ALL_GUESTS = (NOTES, TYPES, WASI)


def cache_dir() -> Path:
    if env := os.environ.get("WITGEN_TEST_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "witgen-tests"


def componentize_py() -> str | None:
    beside = Path(sys.executable).parent / "componentize-py"
    return str(beside) if beside.exists() else shutil.which("componentize-py")


def guest_key(guest: Guest) -> str:
    """sha256 of the componentize-py version and every WIT and app file (path and bytes)."""
    digest = hashlib.sha256()
    digest.update(importlib.metadata.version("componentize-py").encode())
    for path in guest.sources():
        digest.update(b"\0" + path.relative_to(GUESTS).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_guest(guest: Guest, exe: str) -> Path:
    """The cached `.wasm` of `guest`, built with componentize-py when absent."""
    out = cache_dir() / f"{guest.name}-{guest_key(guest)[:24]}.wasm"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
    cmd = [exe, "-q", "-d", str(guest.wit), "-w", guest.world, "componentize", "app"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [*cmd, "-o", str(tmp)], cwd=guest.app, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"componentize-py failed for {guest.name}:\n{done.stderr}")
    os.replace(tmp, out)
    return out


def staged_key(stage: Path) -> str:
    """sha256 of the componentize-py version and every file of a staged guest's `wit/` and
    `app/` (the app with its generated bindings), by relative path and bytes."""
    digest = hashlib.sha256(importlib.metadata.version("componentize-py").encode())
    files = [*(stage / "wit").rglob("*"), *(stage / "app").rglob("*")]
    for path in sorted(p for p in files if p.is_file() and "__pycache__" not in p.parts):
        digest.update(b"\0" + path.relative_to(stage).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def staged_wasm(stage: Path, world: str) -> Path:
    """Where the component of a staged guest (`stage/wit`, `stage/app`) is cached."""
    return cache_dir() / f"staged-{world}-{staged_key(stage)[:24]}.wasm"


def build_staged(stage: Path, world: str, exe: str) -> Path:
    """The cached `.wasm` of a staged guest, built from `stage` with componentize-py (app
    module `app`, found in `app/`) when absent."""
    out = staged_wasm(stage, world)
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
    cmd = [exe, "-q", "-d", "wit", "-w", world, "componentize", "-p", "app", "app"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [*cmd, "-o", str(tmp)], cwd=stage, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"componentize-py failed for {stage}:\n{done.stderr}")
    os.replace(tmp, out)
    return out


@dataclass(frozen=True)
class Generated:
    """The output of one `witgen bindgen` run: the package directory and what the CLI said."""

    root: Path
    package: str
    output: str


def has_bindgen() -> bool:
    import typer.main

    from witgen.cli.app import app

    return "bindgen" in typer.main.get_command(app).commands  # type: ignore[attr-defined]


def run_bindgen(guest: Guest, out: Path, *extra: str) -> Generated:
    """`witgen bindgen --lang python --host WIT --world W -o OUT`, through typer's CliRunner."""
    from typer.testing import CliRunner

    from witgen.cli.app import app

    args = ["bindgen", "--lang", "python", "--host", str(guest.wit), "--world", guest.world]
    result = CliRunner().invoke(app, [*args, "-o", str(out), *extra])
    assert result.exit_code == 0, result.output + repr(result.exception)
    package = extra[extra.index("--package") + 1] if "--package" in extra else guest.world
    return Generated(out, package.replace("-", "_"), result.output)
