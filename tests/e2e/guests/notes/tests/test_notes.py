"""Native tests of the notes app: its exports called directly, its imports served by a fake
host, no component built. From the guest's directory, after
`witgen bindgen --lang python wit --world notes -o app`: `python -m pytest tests`."""

from collections.abc import Iterator

import app
import editor
import pytest
import wit_world.native
from componentize_py_types import Err
from wit_world.exports.editor import Edit, Mode, Style
from wit_world.imports import fs
from wit_world.native import fs as host_fs


class MemFile(host_fs.File):  # the host's side of a `file`
    def __init__(self, disk: dict[str, str], path: str) -> None:
        self.disk, self.path = disk, path

    def read(self) -> str:
        if self.path not in self.disk:
            raise Err(fs.FsError_Missing(self.path))
        return self.disk[self.path]

    def write(self, text: str) -> None:
        if self.path.startswith("/ro/"):
            raise Err(fs.FsError_ReadOnly())
        self.disk[self.path] = text


class Files:  # satisfies wit_world.native.fs.Host
    def __init__(self) -> None:
        self.disk: dict[str, str] = {}
        self.logged: list[str] = []

    def file_new(self, path: str) -> host_fs.File:
        return MemFile(self.disk, path)

    def file_open(self, path: str) -> host_fs.File:
        return MemFile(self.disk, path)

    def log(self, msg: str) -> None:
        self.logged.append(msg)


class FakeHost:  # satisfies wit_world.native.Imports
    def __init__(self) -> None:
        self.fs = Files()

    def now(self) -> int:
        return 1_700_000_000


@pytest.fixture
def host() -> Iterator[FakeHost]:
    with wit_world.native.host(FakeHost()) as installed:
        yield installed


def test_world_exports() -> None:
    assert app.WitWorld().version() == "notes 0.1.0"
    assert app.Editor().word_count("to be or not") == 4


def test_edit_save_and_load(host: FakeHost) -> None:
    doc = editor.Document("todo")
    assert doc.apply(Edit(line=0, text="buy milk", mode=Mode.INSERT, style=Style.BOLD)) == 1
    with fs.File("todo.txt") as file:
        doc.save(file)
    assert host.fs.disk == {"todo.txt": "buy milk"}
    assert editor.Document.load(fs.File("todo.txt")).lines() == ["buy milk"]
    assert host.fs.logged == ["open todo at 1700000000", "open loaded at 1700000000"]


def test_host_errors_reach_the_app(host: FakeHost) -> None:
    with pytest.raises(Err) as caught:
        editor.Document("todo").save(fs.File("/ro/todo.txt"))
    assert caught.value.value == fs.FsError_ReadOnly()


def test_values_are_checked_as_in_a_component(host: FakeHost) -> None:
    host.now = lambda: -1  # type: ignore[method-assign]  # not a u64
    with pytest.raises(OverflowError):
        editor.Document("late")


def test_imports_need_a_host() -> None:
    with pytest.raises(RuntimeError, match=r"wit_world\.native\.host"):
        editor.Document("no host")
