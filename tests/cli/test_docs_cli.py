"""docs/cli.md against the real command line: every command and option is documented, and
the example outputs are what witgen prints."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI_MD = ROOT / "docs" / "cli.md"


def _pythonpath() -> str:
    """This checkout first, so the subprocess runs the witgen under test."""
    return os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])


def _witgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": _pythonpath(),
        "WITGEN_NO_CACHE": "1",
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "witgen", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _listed(help_text: str, heading: str) -> list[str]:
    """The first word of each line of one section (`Commands:`, `Options:`) of click's help."""
    section = help_text.split(f"\n{heading}:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0].rstrip(",") for line in section.splitlines() if line.startswith("  ")]


def _commands() -> list[str]:
    return _listed(_witgen("-h").stdout, "Commands")


def _section(command: str) -> str:
    """The text of `## \\`witgen COMMAND\\`` in docs/cli.md, up to the next `## `."""
    text = CLI_MD.read_text(encoding="utf-8")
    start = text.index(f"## `witgen {command}`")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def test_every_command_has_a_section() -> None:
    commands = _commands()
    assert "check" in commands and "bindgen" in commands
    for command in commands:
        _section(command)


@pytest.mark.parametrize("command", _commands())
def test_every_option_is_documented(command: str) -> None:
    """Each long option of `witgen COMMAND -h` (and its short form) is in the command's section."""
    section = _section(command)
    options = re.findall(
        r"(?<![\w-])(--?[a-z][\w-]*)",
        "\n".join(
            line
            for line in _witgen(command, "-h").stdout.split("\nOptions:\n", 1)[1].splitlines()
            if line.startswith("  -")
        ),
    )
    for option in set(options) - {"-h", "--help"}:
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", section), option


def test_global_options_are_documented() -> None:
    text = CLI_MD.read_text(encoding="utf-8")
    top = text.split("\n## ", 1)[0]
    for option in _listed(_witgen("-h").stdout, "Options"):
        assert f"`{option}" in top, option


def _blocks() -> list[tuple[str, str, str]]:
    """(language, rest of the info string, body) of every fenced block of docs/cli.md."""
    text = CLI_MD.read_text(encoding="utf-8")
    return [
        (m[1], m[2].strip(), m[3])
        for m in re.finditer(r"^```(\w+)([^\n]*)\n(.*?)^```$", text, flags=re.S | re.M)
    ]


def test_example_outputs_are_what_witgen_prints(tmp_path: Path) -> None:
    """A block whose info string names a file holds that file; one naming a command holds what
    the command prints (the SARIF block: the run's only result)."""
    blocks = _blocks()
    commands = 0
    for _, rest, body in blocks:
        if rest and not rest.startswith("witgen "):
            (tmp_path / rest).write_text(body, encoding="utf-8")
    for _, rest, body in blocks:
        if not rest.startswith("witgen "):
            continue
        commands += 1
        done = _witgen(*shlex.split(rest)[1:], cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        if "--format sarif" in rest:
            [result] = json.loads(done.stdout)["runs"][0]["results"]
            assert json.loads(body) == result
        elif "--format json" in rest:
            assert done.stdout == body
        else:
            assert done.stderr == body
    assert commands == 3


def test_cache_section_matches_the_cache_module() -> None:
    from witgen.loading import cache

    section = CLI_MD.read_text(encoding="utf-8").split("## The cache", 1)[1]
    assert "`$XDG_CACHE_HOME/witgen`" in section and "`~/.cache/witgen`" in section
    assert cache.directory().endswith(os.path.join("", "witgen"))
    assert "`WITGEN_NO_CACHE`" in section and "`--no-cache`" in section


def test_pre_commit_hooks_are_the_shipped_ones() -> None:
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    ids = re.findall(r"^- id: (\S+)", hooks, flags=re.M)
    section = CLI_MD.read_text(encoding="utf-8").split("## pre-commit hooks", 1)[1]
    assert ids and all(f"`{i}`" in section and f"id: {i}" in section for i in ids)
    for entry in re.findall(r"^  entry: (.+)$", hooks, flags=re.M):
        assert f"`{entry}`" in section, entry
