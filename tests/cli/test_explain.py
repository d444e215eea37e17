"""`witgen.text.explain`: an entry per diagnostic code, each example run for real.

Every example is written to a temporary directory and its command run as a user would run it
(`python -m witgen ...`); witgen must print exactly the entry's output and report the entry's
code. docs/diagnostics.md must be the module's Markdown, byte for byte.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from witgen.text import explain
from witgen.text.diagnostics import CODES

ROOT = Path(__file__).resolve().parents[2]
WITH_EXAMPLE = [e for e in explain.ENTRIES if e.example is not None]


def _pythonpath() -> str:
    """This checkout first, so the subprocess runs the witgen under test."""
    return os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])


def test_every_code_has_one_entry_in_table_order() -> None:
    assert [e.code for e in explain.ENTRIES] == list(CODES)


def test_docs_diagnostics_is_the_generated_markdown() -> None:
    written = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    assert written == explain.markdown(), (
        "docs/diagnostics.md is stale: run `python -m witgen.text.explain > docs/diagnostics.md`"
    )


def _run(example: explain.Example, cwd: Path) -> subprocess.CompletedProcess[str]:
    for path, text in example.files:
        (cwd / path).parent.mkdir(parents=True, exist_ok=True)
        (cwd / path).write_bytes(text.encode(example.encoding))
    argv = shlex.split(example.command)
    assert argv[0] == "witgen"
    env = {**os.environ, "PYTHONPATH": _pythonpath(), "WITGEN_NO_CACHE": "1", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "witgen", *argv[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("entry", WITH_EXAMPLE, ids=[e.code for e in WITH_EXAMPLE])
def test_example_prints_its_output(entry: explain.Entry, tmp_path: Path) -> None:
    assert entry.example is not None
    done = _run(entry.example, tmp_path)
    printed = done.stderr
    assert printed == "\n".join(entry.example.output) + "\n"
    header = re.match(r"(error|warning)\[(WIT\d+)\]", printed)
    assert header is not None
    assert header[2] == (entry.reported_as or entry.code)
    assert done.returncode == (1 if header[1] == "error" else 0)


def test_codes_said_to_be_unreported_are_unreported() -> None:
    """An entry whose example reports another code says that witgen never reports its own."""
    sources = [
        p.read_text(encoding="utf-8")
        for p in (ROOT / "witgen").rglob("*.py")
        if p.name not in ("diagnostics.py", "explain.py")
    ]
    for entry in explain.ENTRIES:
        if entry.reported_as is not None:
            assert not any(f'"{entry.code}"' in text for text in sources), entry.code
            assert "does not report" in entry.explanation


def test_explain_renders_one_entry_as_plain_text() -> None:
    text = explain.explain("WIT203")
    assert text is not None
    assert text.startswith(f"WIT203: {CODES['WIT203']}\n\n")
    assert "\n$ witgen check example.wit\n\n    error[WIT203]: name `id`" in text
    assert "\n\nFix: Rename or delete one of the two.\n" in text
    assert "```" not in text and "**" not in text
    assert explain.explain("wit203") == explain.explain(" 203 ") == text
    assert explain.explain("WIT999") is None
    assert explain.explain("nonsense") is None


def test_explain_of_an_entry_without_example() -> None:
    text = explain.explain("WIT401")
    assert text is not None
    assert "$ witgen" not in text and "Fix: " in text


def test_latin1_example_is_labelled() -> None:
    text = explain.explain("WIT107")
    assert text is not None and "Example, example.wit (saved as Latin-1):" in text


def test_explain_imports_nothing_heavy() -> None:
    code = "import sys, witgen.text.explain; print(sorted(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.strip()[2:-2].split("', '"))
    heavy = {"typer", "rich", "jinja2", "typing", "pathlib", "witgen.api", "witgen.resolve"}
    assert not heavy & loaded, heavy & loaded


def test_cli_explain_prints_the_entry() -> None:
    from typer.testing import CliRunner

    from witgen.cli.app import app

    for spelling in ("WIT203", "wit203", "203"):
        result = CliRunner().invoke(app, ["explain", spelling])
        assert result.exit_code == 0, result.output
        assert result.stdout == explain.explain("WIT203")


def test_cli_explain_rejects_an_unknown_code() -> None:
    from typer.testing import CliRunner

    from witgen.cli.app import app

    result = CliRunner().invoke(app, ["explain", "WIT999"])
    assert result.exit_code == 2
    assert "`WIT999` is not a witgen diagnostic code" in result.stderr
    assert result.stdout == ""
