"""The notes guest two ways: natively under pytest with a fake host, and as a component.

Input: the guest of `guests/notes` (its WIT, its app and the app's own tests in `tests/`),
copied into a temporary directory with witgen's guest bindings generated into `app/`
(`wit_world/`, `componentize_py_types.py`). Output: the app's native tests pass; the app
builds with componentize-py as it is (witgen's `componentize_py_types.py` in the app
folder, as a user's would be); and one scenario (`hosts/notes_transcript.py`) gives the same
transcript natively and on the built component through witgen's host bindings: resources
both ways, errors both ways, the guest's log.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from e2e_guests import GUESTS, HOSTS, build_staged, componentize_py

from witgen import api


@pytest.fixture(scope="session")
def staged_notes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the notes guest with witgen's guest bindings in `app/`."""
    stage = tmp_path_factory.mktemp("notes-guest")
    shutil.copytree(
        GUESTS / "notes", stage, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
    )
    api.bindgen_guest(stage / "wit", out_dir=stage / "app", world="notes", use_cache=False)
    return stage


def _python(stage: Path, *args: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(stage / "app"), str(HOSTS)])
    env = dict(os.environ, PYTHONPATH=path, MYPYPATH=str(stage / "app"))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [sys.executable, *args], cwd=stage, env=env, capture_output=True, text=True
    )


def test_app_tests_pass_natively(staged_notes: Path) -> None:
    done = _python(staged_notes, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout


def test_app_with_bindings_passes_mypy_strict(staged_notes: Path) -> None:
    done = _python(staged_notes, "-m", "mypy", "--strict", "--no-incremental", "app", "tests")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="session")
def staged_component(staged_notes: Path, engine: Any) -> Any:
    """The staged app built with componentize-py (cached by content), compiled."""
    from wasmtime.component import Component

    exe = componentize_py()
    if exe is None:
        pytest.skip("componentize-py is not installed")
    out = build_staged(staged_notes, "notes", exe)
    return Component.from_file(engine, str(out))


def test_native_and_component_give_the_same_transcript(
    staged_notes: Path, staged_component: Any, engine: Any, bindings: object
) -> None:
    import notes_transcript

    done = _python(
        staged_notes,
        "-c",
        "import json, notes_transcript; print(json.dumps(notes_transcript.native_transcript()))",
    )
    assert done.returncode == 0, done.stderr
    native = json.loads(done.stdout)
    wasm = json.loads(json.dumps(notes_transcript.wasm_transcript(engine, staged_component)))
    assert native == wasm
    # The scenario did cross the boundary each way it means to.
    assert ["err", "FsError_ReadOnly", None] in native
    assert ["err", "FsError_Missing", "missing.txt"] in native
    assert {"todo.txt": "buy oat milk\ncall mom"} in native


NATIVE_LOAD = """\
import gc, sys, tracemalloc
import editor
import wit_world.native
from wit_world.exports.editor import Edit, Mode, Style
from wit_world.imports import fs
from wit_world.native import fs as host_fs

made = dropped = 0

class MemFile(host_fs.File):
    def __init__(self, path):
        global made
        made += 1
        self.path = path
    def read(self):
        return "a\\nb"
    def write(self, text):
        pass
    def drop(self):
        global dropped
        dropped += 1

class Files:
    def file_new(self, path):
        return MemFile(path)
    def file_open(self, path):
        return MemFile(path)
    def log(self, msg):
        pass

class Host:
    fs = Files()
    def now(self):
        return 0

def one_round(i):
    doc = editor.Document(str(i))
    doc.apply(Edit(line=0, text="x", mode=Mode.INSERT, style=Style(0)))
    with fs.File("a") as f:  # dropped on leaving the block
        doc.save(f)
    copy = editor.Document.load(fs.File.open("b"))  # dropped when collected
    assert copy.lines() == ["a", "b"]

calls = int(sys.argv[1])
rounds = max(calls // 7, 20)  # 7 calls into the host per round
warm = rounds // 10
with wit_world.native.host(Host()):
    for i in range(warm):
        one_round(i)
    tracemalloc.start()
    for i in range(warm, 2 * warm):
        one_round(i)
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(2 * warm, rounds):
        one_round(i)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
print(made, dropped, after - before)
"""


def test_native_resources_under_load(staged_notes: Path) -> None:
    """100,000 calls into the fake host (`WITGEN_LOAD_CALLS`), making host resources that
    the app drops with `with` or leaves to the collector: every one is dropped exactly once,
    and the memory Python holds stays flat."""
    calls = os.environ.get("WITGEN_LOAD_CALLS", "100000")
    done = _python(staged_notes, "-c", NATIVE_LOAD, calls)
    assert done.returncode == 0, done.stderr
    made, dropped, growth = map(int, done.stdout.split())
    assert made == dropped == 2 * max(int(calls) // 7, 20)
    assert growth < 256 * 1024
