"""The README's host walkthrough is the host program the end-to-end tests run."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_host_example_is_the_tested_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    example = next(b for b in blocks if "Notes.instantiate" in b)
    tested = (ROOT / "tests/e2e/hosts/notes_demo.py").read_text(encoding="utf-8")
    assert example[example.index("class MemFile") :] == tested[tested.index("class MemFile") :]
    for line in example.splitlines():
        if line.startswith(("import ", "from ")):
            assert line in tested, line


def test_readme_commands_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "witgen bindgen --lang python --host tests/e2e/guests/notes/wit --world notes" in readme
    assert (ROOT / "tests/e2e/guests/notes/wit/notes.wit").is_file()
