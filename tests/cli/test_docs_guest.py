"""docs/guest-bindings.md against the code it describes.

- The example's files (the ```python blocks whose first line is `# <name>.py`) run as the
  guide says: beside the guest bindings of `wit-samples/notes` (world `notes`), `pytest`
  passes every test of them, and the app passes `mypy --strict`.
- The table of the native package names what the generated package defines.
- The messages the guide quotes are the harness's.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from witgen import api

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guest-bindings.md"


def _files() -> dict[str, str]:
    text = GUIDE.read_text(encoding="utf-8")
    out = {}
    for block in re.findall(r"```python\n(.*?)```", text, flags=re.S):
        first = block.splitlines()[0]
        if re.fullmatch(r"# \w+\.py", first):
            out[first[2:]] = block
    return out


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)


def test_the_example_runs_as_the_guide_says(tmp_path: Path) -> None:
    files = _files()
    assert set(files) == {"editor.py", "test_editor.py", "conftest.py"}
    api.bindgen_guest(ROOT / "wit-samples" / "notes", out_dir=tmp_path, world="notes")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    tests = files["test_editor.py"].count("\ndef test_")
    done = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{tests} passed" in done.stdout, done.stdout
    done = _run([sys.executable, "-m", "mypy", "--strict", "editor.py"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_package_table_names_what_is_generated(tmp_path: Path) -> None:
    api.bindgen_guest(ROOT / "wit-samples" / "notes", out_dir=tmp_path, world="notes")
    native = tmp_path / "wit_world" / "native"
    init = (native / "__init__.py").read_text(encoding="utf-8")
    fs = (native / "fs.py").read_text(encoding="utf-8")
    for definition in ("def host(impl: _HostT)", "def current() -> Imports", "class Imports("):
        assert definition in init
    assert "class Host(Protocol)" in fs and "class File(Protocol)" in fs
    guide = GUIDE.read_text(encoding="utf-8")
    for name in ("native.host(impl)", "native.current()", "native.Imports", "native.<m>.Host"):
        assert f"`wit_world.{name}`" in guide


def test_quoted_messages_are_the_harness_s() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    source = (ROOT / "witgen/codegen/python/guest/runtime/_boundary.py").read_text()
    assert "is out of range for u8 (0..255)" in guide
    assert 'f"{value} is out of range for {self.wit} ({self.low}..{self.high})"' in source
    assert "the File was dropped" in guide and 'f"the {what} was {handle.state}"' in source
    assert "argument text: expected str, got int" in guide
