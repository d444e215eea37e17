"""The README's worked example of the host bindings, against the generated package `notes`.

Only the Engine and Component come from the caller (the test session's cached ones); the
rest is the worked example line for line. `mypy --strict` checks it together with the
generated bindings, and `test_c5_worked_example` runs it against the real guest.
"""

import wasmtime
from notes import Err, Notes, Trap
from notes.exports.editor import Edit, Mode, Style
from notes.imports import fs
from wasmtime.component import Component, Linker


class MemFile(fs.File):  # host side of resource `file`
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

    def drop(self) -> None:
        print("guest dropped", self.path)


class Files:  # satisfies fs.Host
    def __init__(self) -> None:
        self.disk: dict[str, str] = {}

    def file_new(self, path: str) -> fs.File:
        return MemFile(self.disk, path)

    def file_open(self, path: str) -> fs.File:
        return MemFile(self.disk, path)  # may raise Err(...) too

    def log(self, msg: str) -> None:
        print("guest:", msg)


class Host:  # satisfies notes.NotesImports
    def __init__(self) -> None:
        self.fs = Files()

    def now(self) -> int:
        return 1_700_000_000


def main(engine: wasmtime.Engine, component: Component) -> None:
    linker, host = Linker(engine), Host()
    Notes.add_to_linker(linker, host)  # wasi=True: componentize-py guests import wasi:*

    store, wasi = wasmtime.Store(engine), wasmtime.WasiConfig()
    wasi.inherit_stderr()  # keep guest tracebacks visible
    store.set_wasi(wasi)
    app = Notes.instantiate(store, component, linker)  # the store is bound here, never passed again
    print(app.version(), app.editor.word_count("to be or not"))  # ... 4
    todo = MemFile(host.fs.disk, "todo.txt")
    with app.editor.document.new("todo") as doc:
        doc.apply(Edit(line=0, text="buy milk", mode=Mode.INSERT, style=Style.BOLD))
        doc.save(todo)  # lent as borrow<file> for this call
        try:
            doc.save(MemFile(host.fs.disk, "/ro/x"))
        except Err as e:
            print("save failed:", e.value)  # FsError_ReadOnly()
        try:  # noqa: SIM105
            doc.apply(Edit(line=-1, text="", mode=Mode.INSERT, style=Style(0)))
        except OverflowError:
            pass  # raised before wasm: the instance stays usable
    copy = app.editor.document.load(todo)  # static; returns a Document handle
    print(copy.lines())  # ['buy milk']
    copy.drop()
    try:  # noqa: SIM105
        app.editor.word_count("…")
    except Trap:
        ...  # poisoned: make a new Store, instantiate again
