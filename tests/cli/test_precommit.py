"""The pre-commit hooks (`.pre-commit-hooks.yaml`), run by the real `pre-commit` in a
throwaway git repository configured as README.md shows (slow: the first run installs the
hook environment), and `witgen check-files`, the command behind `witgen-check`.

The hook repository is a snapshot of this working tree (tracked and untracked files,
`.gitignore` respected) committed in a temporary repository, so the test runs what is on
disk, committed or not. `pre-commit try-repo` would do the same for tracked changes, but it
leaves untracked files out and installs the hook environment anew on every call; a
`.pre-commit-config.yaml` naming the snapshot and its commit, with one `PRE_COMMIT_HOME`
for the session, installs it once (pip fetches lark, jinja2, typer and hatchling).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from witgen import api
from witgen.cli.app import app

ROOT = Path(__file__).resolve().parents[2]

GOOD_MAIN = """\
package demo:app;

interface api {
  use demo:dep/types.{id};

  lookup: func(key: id) -> option<string>;
}
"""
GOOD_DEP = """\
package demo:dep;

interface types {
  type id = u64;
}
"""
UNFORMATTED = "package demo:app;\ninterface api { lookup: func(key: u64,) -> option<string>; }\n"
UNRESOLVED = "package demo:bad;\n\ninterface api {\n  type x = strng;\n}\n"
UNPARSED = "package demo:bad;\n\ninterface api {\n  f: func(;\n}\n"


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A commit holding this working tree; returns its path and hash."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    snapshot = tmp_path_factory.mktemp("hook-repo")
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / rel)
    assert (snapshot / ".pre-commit-hooks.yaml").is_file()
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot, git(snapshot, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def readme_config(repo: Path, rev: str) -> str:
    """The `.pre-commit-config.yaml` that README.md tells users to write, pointed at `repo`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## pre-commit") :]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None, "README.md has no pre-commit YAML"
    config = re.sub(r"(?m)^(\s*- repo: ).*$", rf"\g<1>{repo}", block.group(1))
    return re.sub(r"(?m)^(\s*rev: ).*$", rf"\g<1>{rev}", config)


@pytest.fixture
def project(tmp_path: Path, hook_repo: tuple[Path, str]) -> Path:
    """A git repository using both hooks as README.md shows, with a package directory
    `wit/` and its deps/."""
    git(tmp_path, "init", "-q")
    config = readme_config(*hook_repo)
    assert "id: witgen-check" in config and "id: witgen-fmt" in config
    (tmp_path / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "wit" / "deps" / "dep").mkdir(parents=True)
    (tmp_path / "wit" / "app.wit").write_text(GOOD_MAIN, encoding="utf-8")
    (tmp_path / "wit" / "deps" / "dep" / "types.wit").write_text(GOOD_DEP, encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "start", "--no-verify")
    return tmp_path


def run_hooks(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit run` over the staged files, as `git commit` would run it."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def hook_lines(output: str) -> dict[str, str]:
    """`name.....Passed` lines → {name: verdict}."""
    return dict(re.findall(r"^(\S.*?)\.{3,}(Passed|Failed|Skipped)", output, re.M))


@pytest.mark.slow
def test_good_package_passes(project: Path, pre_commit_home: Path) -> None:
    """Only the main file is staged: checking it alone would miss `deps/`, so this also
    shows that the hook checks the package directory."""
    (project / "wit" / "app.wit").write_text(GOOD_MAIN + "\n/// more\n", encoding="utf-8")
    git(project, "add", "wit/app.wit")
    result = run_hooks(project, pre_commit_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert hook_lines(result.stdout) == {"witgen check": "Passed", "witgen fmt": "Passed"}


@pytest.mark.slow
def test_error_fails_the_check_with_the_diagnostic(project: Path, pre_commit_home: Path) -> None:
    (project / "wit" / "deps" / "dep" / "types.wit").write_text(
        GOOD_DEP.replace("type id = u64;", "type id = u6;"), encoding="utf-8"
    )
    git(project, "add", "-A")
    result = run_hooks(project, pre_commit_home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert hook_lines(result.stdout)["witgen check"] == "Failed"
    assert "error[WIT201]: type `u6` does not exist" in result.stdout
    assert "--> wit/deps/dep/types.wit:4:13" in result.stdout


@pytest.mark.slow
def test_standalone_file_fails_the_check(project: Path, pre_commit_home: Path) -> None:
    (project / "single").mkdir()
    (project / "single" / "ok.wit").write_text(GOOD_DEP, encoding="utf-8")
    (project / "single" / "bad.wit").write_text(UNRESOLVED, encoding="utf-8")
    git(project, "add", "-A")
    result = run_hooks(project, pre_commit_home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "error[WIT201]: type `strng` does not exist" in result.stdout
    assert "--> single/bad.wit:4:12" in result.stdout
    assert "ok.wit" not in result.stdout


@pytest.mark.slow
def test_fmt_reformats_staged_files(project: Path, pre_commit_home: Path) -> None:
    path = project / "wit" / "app.wit"
    path.write_text(UNFORMATTED, encoding="utf-8")
    git(project, "add", "-A")
    result = run_hooks(project, pre_commit_home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert hook_lines(result.stdout) == {"witgen check": "Passed", "witgen fmt": "Failed"}
    assert "files were modified by this hook" in result.stdout
    assert path.read_text(encoding="utf-8") == (
        "package demo:app;\ninterface api {\n  lookup: func(key: u64) -> option<string>;\n}\n"
    )
    git(project, "add", "-A")
    again = run_hooks(project, pre_commit_home)
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.slow
def test_fmt_leaves_a_file_that_does_not_parse(project: Path, pre_commit_home: Path) -> None:
    path = project / "wit" / "broken.wit"
    path.write_text(UNPARSED, encoding="utf-8")
    git(project, "add", "-A")
    result = run_hooks(project, pre_commit_home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert hook_lines(result.stdout) == {"witgen check": "Failed", "witgen fmt": "Failed"}
    assert "error[WIT101]: expected an identifier or string, found ';'" in result.stdout
    assert "files were modified" not in result.stdout
    assert path.read_text(encoding="utf-8") == UNPARSED


# ---------------------------------------------------------------- check-files (fast)


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`wit/` (a package with deps/) and `single/` (two single-file packages), as relative
    paths from the current directory, as pre-commit passes them."""
    (tmp_path / "wit" / "deps" / "dep").mkdir(parents=True)
    (tmp_path / "wit" / "app.wit").write_text(GOOD_MAIN, encoding="utf-8")
    (tmp_path / "wit" / "deps" / "dep" / "types.wit").write_text(GOOD_DEP, encoding="utf-8")
    (tmp_path / "single").mkdir()
    (tmp_path / "single" / "ok.wit").write_text(GOOD_DEP, encoding="utf-8")
    (tmp_path / "single" / "bad.wit").write_text(UNRESOLVED, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_package_roots(layout: Path) -> None:
    files = ["wit/deps/dep/types.wit", "wit/app.wit", "single/ok.wit", "single/bad.wit"]
    assert api.package_roots(files) == ["wit", "single/ok.wit", "single/bad.wit"]
    assert api.package_roots(["top.wit", "deps/x.wit", "deps/y/z.wit"]) == ["."]


def test_check_files_checks_each_package_once(layout: Path) -> None:
    result = invoke("check-files", "wit/app.wit", "wit/deps/dep/types.wit", "single/ok.wit")
    assert result.exit_code == 0, result.output
    bad_dep = GOOD_DEP.replace("u64", "strng")
    (layout / "wit" / "deps" / "dep" / "types.wit").write_text(bad_dep, encoding="utf-8")
    result = invoke("check-files", "wit/app.wit", "wit/deps/dep/types.wit")
    assert result.exit_code == 1, result.output
    assert result.stderr.count("error[WIT201]: type `strng` does not exist") == 1
    assert "--> wit/deps/dep/types.wit:4:13" in result.stderr


def test_check_files_standalone_and_json(layout: Path) -> None:
    result = invoke("check-files", "--format", "json", "single/ok.wit", "single/bad.wit")
    assert result.exit_code == 1, result.output
    diags = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], d["path"], d["line"]) for d in diags] == [("WIT201", "single/bad.wit", 4)]


def test_check_files_without_files() -> None:
    result = invoke("check-files")
    assert result.exit_code == 0, result.output
    assert result.output == ""
