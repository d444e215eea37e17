"""The README and docs/ as a user reads them: tested examples, working links, no outside references.

- The README's host walkthrough is the host program the end-to-end tests run.
- The README's guest skeleton builds with componentize-py, and the host program of
  docs/host-bindings.md's quick start runs it and prints what the guide says (slow: the build
  takes about 20 s and is cached like the end-to-end guests).
- The README's native walkthrough runs line by line: guest bindings, the app's tests under
  pytest with a fake host, the component built, host bindings, the host program running it.
- Every relative link of README.md and docs/*.md leads to a file, and every `#anchor` to a
  heading of it.
- Nothing a user reads points at notes outside the repository.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))


def test_readme_host_example_is_the_tested_one() -> None:
    readme = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    example = next(b for b in blocks if "Notes.instantiate" in b)
    tested = (ROOT / "tests/e2e/hosts/notes_demo.py").read_text(encoding="utf-8")
    # The tested host still explains two `noqa` comments by a section of notes that live
    # outside the repository; the README shows them without it.
    assert example[example.index("class MemFile") :] == tested[tested.index("class MemFile") :]
    for line in example.splitlines():
        if line.startswith(("import ", "from ")):
            assert line in tested, line


def test_readme_commands_exist() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "witgen bindgen --lang python --host tests/e2e/guests/notes/wit --world notes" in readme
    assert (ROOT / "tests/e2e/guests/notes/wit/notes.wit").is_file()


# ---------------------------------------------------------------- no outside references

# What only exists beside the repository: the design notes and their section numbers.
OUTSIDE = re.compile(
    r"BINDINGS\.md|STYLE\.md|\.\./shared|\bshared/(?:spec|corpus)|\b(?:part|Part) [ABC]\b"
    r"|(?<![\w.])[ABC]\.\d+(?:[ab]\b|\b)(?!\.\d)"
)


@pytest.mark.parametrize("path", [README, *DOCS, ROOT / "witgen/text/explain.py"], ids=str)
def test_no_reference_outside_the_repository(path: Path) -> None:
    found = OUTSIDE.findall(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name} cites what a user cannot read: {found}"


# ---------------------------------------------------------------- links


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: the text as rendered (code spans keep their
    underscores, emphasis marks and link targets go), lowercase, punctuation other than `-`
    and `_` dropped, spaces to `-`."""
    parts = re.split(r"(`[^`]*`)", heading.strip())
    text = "".join(
        part[1:-1] if part.startswith("`") else re.sub(r"[*_]|\[|\]\([^)]*\)", "", part)
        for part in parts
    ).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    return {_anchor(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


@pytest.mark.parametrize("path", [README, *DOCS], ids=str)
def test_relative_links_resolve(path: Path) -> None:
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert links
    for link in links:
        if re.match(r"[a-z]+:", link):
            continue
        target, _, anchor = link.partition("#")
        file = (path.parent / target).resolve() if target else path
        assert file.exists(), f"{path.name}: {link}"
        if anchor:
            assert anchor in _anchors(file), f"{path.name}: {link}"


def test_docs_are_linked_from_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    for doc in DOCS:
        assert f"](docs/{doc.name})" in readme, doc.name


# ---------------------------------------------------------------- the guest skeleton


def _files(path: Path) -> dict[str, str]:
    """The fenced blocks whose info string names a file (```` ```python app/app.py ````)."""
    text = path.read_text(encoding="utf-8")
    found = re.finditer(r"^```\w+ ([\w/-]+\.\w+)\n(.*?)^```$", text, flags=re.S | re.M)
    return {m[1]: m[2] for m in found}


def test_skeleton_is_three_files_and_a_command() -> None:
    files = _files(README)
    assert sorted(files) == ["app/app.py", "app/counter_api.py", "wit/skeleton.wit"]
    readme = README.read_text(encoding="utf-8")
    assert "componentize-py -d ../wit -w skeleton componentize app -o ../skeleton.wasm" in readme
    guide = _files(ROOT / "docs" / "host-bindings.md")
    # host.py runs the skeleton (below); example.wit is the WIT406 example (test_docs_host)
    assert sorted(guide) == ["example.wit", "host.py"]


def _e2e_guests() -> ModuleType:
    """tests/e2e/e2e_guests.py: how guests are built and cached (on sys.path via its conftest
    when the e2e tests are collected, imported from its directory otherwise)."""
    here = str(ROOT / "tests" / "e2e")
    if here not in sys.path:
        sys.path.append(here)
    return importlib.import_module("e2e_guests")


@pytest.mark.slow
def test_skeleton_builds_and_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's guest, built exactly as written (cached by content), bindings generated as
    docs/host-bindings.md says, and its host program printing what the guide shows."""
    pytest.importorskip("wasmtime")
    guests = _e2e_guests()
    exe = guests.componentize_py()
    if exe is None:
        pytest.skip("componentize-py is not installed")
    project = tmp_path / "skeleton"
    for name, text in _files(README).items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    # The e2e build keys its cache by the paths under GUESTS and the bytes of each file.
    monkeypatch.setattr(guests, "GUESTS", tmp_path)
    wasm = guests.build_guest(guests.Guest("skeleton", "skeleton"), exe)
    shutil.copyfile(wasm, project / "skeleton.wasm")

    guide = (ROOT / "docs" / "host-bindings.md").read_text(encoding="utf-8")
    command = re.search(r"^witgen bindgen .*$", guide, flags=re.M)
    assert command is not None
    args = command[0].split()[1:]
    # This checkout first (the witgen under test), the generated package beside host.py.
    path = [str(project), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    done = subprocess.run(
        [sys.executable, "-m", "witgen", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    (project / "host.py").write_text(_files(ROOT / "docs" / "host-bindings.md")["host.py"])
    expected = re.search(r"^```text prints\n(.*?)^```$", guide, flags=re.S | re.M)
    assert expected is not None
    run = subprocess.run(
        [sys.executable, "host.py"], cwd=project, capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == expected[1]


# ---------------------------------------------------------------- the native walkthrough


def _walkthrough() -> list[str]:
    readme = README.read_text(encoding="utf-8")
    section = readme[readme.index("## Testing a guest without wasm") :]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)
    assert block is not None
    return block[1].strip().splitlines()


@pytest.mark.slow
def test_native_walkthrough_runs_as_written(tmp_path: Path) -> None:
    """The README's loop, line by line in a scratch directory: bindings into the app, the
    app's tests natively, the component built (cached by content like the e2e guests), the
    host package generated, and the README's host program running the component."""
    pytest.importorskip("wasmtime")
    guests = _e2e_guests()
    exe = guests.componentize_py()
    if exe is None or shutil.which("witgen") is None:
        pytest.skip("componentize-py or the witgen command is not installed")
    (tmp_path / "tests").symlink_to(ROOT / "tests")  # the repository root, as the README says
    cwd = tmp_path
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for line in _walkthrough():
        first, _, rest = line.partition(" && cd ")
        if line.startswith("componentize-py "):
            cached = guests.staged_wasm(cwd, "notes")  # shared with the e2e tests
            if cached.exists():
                shutil.copyfile(cached, cwd / "notes.wasm")
                continue
        done = subprocess.run(
            ["bash", "-c", first], cwd=cwd, capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, (line, done.stdout, done.stderr)
        if line.startswith("python -m pytest"):
            assert "5 passed" in done.stdout
        if line.startswith("componentize-py "):
            cached.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cwd / "notes.wasm", cached)
        if rest:
            cwd = cwd / rest
    program = (
        "import wasmtime, notes_demo\n"
        "from wasmtime.component import Component\n"
        "engine = wasmtime.Engine()\n"
        "notes_demo.main(engine, Component.from_file(engine, 'notes.wasm'))\n"
    )
    path = os.pathsep.join([str(cwd / "host"), str(ROOT / "tests" / "e2e" / "hosts")])
    run = subprocess.run(
        [sys.executable, "-c", program],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": path},
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "notes 0.1.0 4",
        "guest: open todo at 1700000000",
        "save failed: FsError_ReadOnly()",
        "guest: open loaded at 1700000000",
        "['buy milk']",
    ]
