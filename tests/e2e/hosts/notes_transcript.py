"""One scenario of the `notes` guest, run two ways, each giving a transcript to compare.

`wasm_transcript` runs it on the built component through witgen's host bindings (`notes`);
`native_transcript` runs the same steps on the app's own classes under
`wit_world.native.host(...)`, with no component (the app directory, with witgen's guest
bindings, must be on `sys.path`). One fake host (`_Fake`) serves both: it keeps files in a
dict and records what the guest logs. The steps cross the boundary every way the world
allows: the guest's exported resource `document` (made, used, returned by a static), the
host's resource `file` lent to the guest, a host error reaching the guest (`write` to a
read-only path) and coming back as the export's own error, and an error raised through the
guest's static `load`.

A transcript is a list of JSON values: results, errors as `["err", case, payload]`, the
files on the host's disk and the guest's log lines.
"""

from __future__ import annotations

from typing import Any

NOW = 1_700_000_000


def _error(e: Any) -> list[Any]:
    value = e.value
    return ["err", type(value).__name__, getattr(value, "value", None)]


class _Fake:
    """The fake host both runs use: files in a dict, the guest's log lines in a list. Built
    over each side's own `file` base class, error type and `fs` module (the host bindings'
    or the native harness's), so that the one fake serves both."""

    def __init__(self, file_base: Any, err: Any, fs: Any) -> None:
        disk: dict[str, str] = {}
        logged: list[str] = []

        class MemFile(file_base):  # type: ignore[misc, valid-type]
            def __init__(self, path: str) -> None:
                self.path = path

            def read(self) -> str:
                if self.path not in disk:
                    raise err(fs.FsError_Missing(self.path))
                return disk[self.path]

            def write(self, text: str) -> None:
                if self.path.startswith("/ro/"):
                    raise err(fs.FsError_ReadOnly())
                disk[self.path] = text

        class Files:
            def file_new(self, path: str) -> Any:
                return MemFile(path)

            def file_open(self, path: str) -> Any:
                return MemFile(path)

            def log(self, msg: str) -> None:
                logged.append(msg)

        class Host:
            fs = Files()

            def now(self) -> int:
                return NOW

        self.disk, self.logged, self.file, self.host = disk, logged, MemFile, Host()


def wasm_transcript(engine: Any, component: Any) -> list[Any]:
    import wasmtime
    from notes import Err, Notes
    from notes.exports.editor import Edit, Mode, Style
    from notes.imports import fs
    from wasmtime.component import Linker

    fake = _Fake(fs.File, Err, fs)
    disk, logged, MemFile = fake.disk, fake.logged, fake.file

    linker = Linker(engine)
    Notes.add_to_linker(linker, fake.host)
    store = wasmtime.Store(engine)
    store.set_wasi(wasmtime.WasiConfig())
    app = Notes.instantiate(store, component, linker)
    out: list[Any] = [app.version(), app.editor.word_count("to be or not")]
    doc = app.editor.document.new("todo")
    out.append(doc.apply(Edit(line=0, text="buy milk", mode=Mode.INSERT, style=Style.BOLD)))
    out.append(doc.apply(Edit(line=1, text="call mom", mode=Mode.INSERT, style=Style(0))))
    out.append(doc.apply(Edit(line=0, text="buy oat milk", mode=Mode.REPLACE, style=Style.ITALIC)))
    out.append(doc.lines())
    doc.save(MemFile("todo.txt"))
    out.append(dict(disk))
    try:
        doc.save(MemFile("/ro/todo.txt"))
    except Err as e:
        out.append(_error(e))
    copy = app.editor.document.load(MemFile("todo.txt"))
    out.append(copy.lines())
    try:
        app.editor.document.load(MemFile("missing.txt"))
    except Err as e:
        out.append(_error(e))
    out.append(logged)
    return out


def native_transcript() -> list[Any]:
    import app
    import editor
    import wit_world.native
    from componentize_py_types import Err
    from wit_world.exports.editor import Edit, Mode, Style
    from wit_world.imports import fs
    from wit_world.native import fs as host_fs

    fake = _Fake(host_fs.File, Err, fs)
    disk, logged = fake.disk, fake.logged

    with wit_world.native.host(fake.host):
        out: list[Any] = [app.WitWorld().version(), app.Editor().word_count("to be or not")]
        doc = editor.Document("todo")
        out.append(doc.apply(Edit(line=0, text="buy milk", mode=Mode.INSERT, style=Style.BOLD)))
        out.append(doc.apply(Edit(line=1, text="call mom", mode=Mode.INSERT, style=Style(0))))
        out.append(
            doc.apply(Edit(line=0, text="buy oat milk", mode=Mode.REPLACE, style=Style.ITALIC))
        )
        out.append(doc.lines())
        doc.save(fs.File("todo.txt"))
        out.append(dict(disk))
        try:
            doc.save(fs.File("/ro/todo.txt"))
        except Err as e:
            out.append(_error(e))
        copy = editor.Document.load(fs.File("todo.txt"))
        out.append(copy.lines())
        try:
            editor.Document.load(fs.File("missing.txt"))
        except Err as e:
            out.append(_error(e))
        out.append(logged)
    return out
