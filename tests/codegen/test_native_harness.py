"""The native harness of guest bindings: an app's exports run under pytest with a fake host.

Input: a small world (an imported interface, a world-level import, an exported interface),
its guest bindings generated into a temporary directory, and an app module written there.
Output: the app's export calls the imports, which reach the fake host installed with
`wit_world.native.host(...)`; without a host they raise `RuntimeError`; hosts nest and are
per thread. The generated package passes ruff and `mypy --strict`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from witgen import api

WIT = """\
package demo:app;

interface fs {
  record entry { name: string, size: u64 }
  log: func(msg: string);
  stat: func(path: string) -> result<entry, string>;
  entries: func(dir: string) -> list<entry>;
}

interface editor {
  total: func(dir: string) -> u64;
  size-of: func(path: string) -> result<u64, string>;
}

world app {
  import fs;
  import now: func() -> u64;
  export editor;
}
"""

APP = """\
from componentize_py_types import Err
from wit_world import exports, now
from wit_world.imports import fs


class Editor(exports.Editor):
    def total(self, dir: str) -> int:
        fs.log(f"total {dir}")
        return sum(e.size for e in fs.entries(dir)) + now()

    def size_of(self, path: str) -> int:
        try:
            return fs.stat(path).size
        except Err as e:
            raise Err(f"no size: {e.value}") from None
"""

TEST = """\
import threading

import pytest
from componentize_py_types import Err

import app
import wit_world.native
from wit_world.imports import fs


class FakeFs:
    def __init__(self) -> None:
        self.logged: list[str] = []

    def log(self, msg: str) -> None:
        self.logged.append(msg)

    def stat(self, path: str) -> fs.Entry:
        if path == "missing":
            raise Err("not found")
        return fs.Entry(path, 7)

    def entries(self, dir: str) -> list[fs.Entry]:
        return [fs.Entry("a", 1), fs.Entry("b", 2)]


class FakeHost:
    def __init__(self, clock: int = 100) -> None:
        self.fs = FakeFs()
        self.clock = clock

    def now(self) -> int:
        return self.clock


def test_exports_call_the_installed_host() -> None:
    host = FakeHost()
    with wit_world.native.host(host) as installed:
        assert installed is host
        assert app.Editor().total("/d") == 103
        assert app.Editor().size_of("f") == 7
    assert host.fs.logged == ["total /d"]


def test_err_passes_through() -> None:
    with wit_world.native.host(FakeHost()):
        with pytest.raises(Err) as caught:
            app.Editor().size_of("missing")
    assert caught.value.value == "no size: not found"


def test_no_host_names_the_harness() -> None:
    with pytest.raises(RuntimeError, match=r"wit_world\\.native\\.host"):
        app.Editor().total("/d")


def test_hosts_nest() -> None:
    with wit_world.native.host(FakeHost(1)):
        with wit_world.native.host(FakeHost(2)):
            assert app.Editor().total("/") == 5
        assert app.Editor().total("/") == 4
    with pytest.raises(RuntimeError):
        fs.log("x")


def test_each_thread_has_its_own_host() -> None:
    results: dict[str, object] = {}
    inside = threading.Event()
    release = threading.Event()

    def other() -> None:
        try:
            fs.log("x")
        except RuntimeError as e:
            results["other"] = e
        with wit_world.native.host(FakeHost(50)):
            inside.set()
            release.wait(5)
            results["other total"] = app.Editor().total("/")

    with wit_world.native.host(FakeHost(10)):
        thread = threading.Thread(target=other)
        thread.start()
        inside.wait(5)
        results["main total"] = app.Editor().total("/")
        release.set()
        thread.join(5)
    assert isinstance(results["other"], RuntimeError)
    assert results["main total"] == 13
    assert results["other total"] == 53
"""


def _generate(tmp_path: Path, **options: bool) -> Path:
    wit = tmp_path / "wit"
    wit.mkdir()
    (wit / "app.wit").write_text(WIT)
    out = tmp_path / "out"
    api.bindgen_guest(wit, out_dir=out, use_cache=False, **options)
    return out


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)


def test_app_runs_natively_with_a_fake_host(tmp_path: Path) -> None:
    out = _generate(tmp_path)
    (out / "app.py").write_text(APP)
    (out / "test_app.py").write_text(TEST)
    done = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_app.py"], out
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout


def test_native_package_is_lint_and_type_clean(tmp_path: Path) -> None:
    out = _generate(tmp_path)
    (out / "app.py").write_text(APP)
    bin_dir = Path(sys.executable).parent
    for cmd in (
        ["ruff", "check", "--isolated", "."],
        ["ruff", "format", "--isolated", "--check", "."],
    ):
        done = _run([str(bin_dir / cmd[0]), *cmd[1:]], out)
        assert done.returncode == 0, done.stdout + done.stderr
    done = _run([sys.executable, "-m", "mypy", "--strict", "."], out)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_native_keeps_stub_bodies(tmp_path: Path) -> None:
    out = _generate(tmp_path, native=False)
    assert not (out / "wit_world" / "native").exists()
    text = (out / "wit_world" / "imports" / "fs.py").read_text()
    assert "raise NotImplementedError" in text
    for path in (out / "wit_world").rglob("*.py"):  # no module refers to the harness
        assert "native" not in path.read_text(), path


def test_cli_no_native_leaves_the_harness_out(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from witgen.cli.app import app

    wit = tmp_path / "w.wit"
    wit.write_text("package demo:w;\n\nworld w {\n  import log: func(m: string);\n}\n")
    for flags, expected in (([], True), (["--no-native"], False)):
        out = tmp_path / f"out{len(flags)}"
        result = CliRunner().invoke(
            app, ["bindgen", "--lang", "python", str(wit), "-o", str(out), *flags]
        )
        assert result.exit_code == 0, result.output
        assert (out / "wit_world" / "native" / "__init__.py").is_file() is expected
