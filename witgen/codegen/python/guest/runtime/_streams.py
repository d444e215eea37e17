"""
In-memory streams and futures for native tests, with componentize-py's reader and writer API.

The world module's `byte_stream()`, `<t>_stream()` and `<t>_future(default)` return these
when the app runs natively; the classes have the names, methods, attributes and behaviour
of `componentize_py_async_support`'s (type checkers see them as its classes):

- A stream moves items from a `write` to a `read` directly, as in the component model:
  nothing is buffered. `read(n)` resolves once at least one item has moved (at most `n`)
  or the writer has been dropped (then it returns nothing and sets `writer_dropped`);
  `write(items)` resolves once a reader has taken some of them, returning how many (fewer
  than given when the reader asked for fewer), or once the reader has been dropped
  (returning 0 and setting `reader_dropped`). `write_all` writes until everything is taken
  or the reader is gone. After `writer_dropped` (or `reader_dropped`) is set, reads return
  nothing (writes 0) at once. A read or write of nothing resolves at once.
- A future carries one value: `read()` waits for it; `write(value)` resolves `True` once
  the reader has it, `False` if the reader was dropped. Each end is used once: a second
  `read` or `write` raises `AssertionError`, as componentize-py's does.
- Leaving an end's `with` block drops it; so does collecting it. A future's writer dropped
  without writing sends `default()`, which the reader then reads.
- A second read (or write) while one is in progress, or one after the end was dropped,
  raises `AssertionError`, as in componentize-py.
- Written values are checked as the stream's or future's element type, when the
  constructor knows it; the reader gets the same objects (resources are not translated).
- Not as in a component: an end waits on the running asyncio event loop (one loop; ends
  are not shared between threads), and a reader and a writer in the same task wait for
  each other forever, as they would in wasm.

`provide_async_support()` registers modules `componentize_py_async_support` (with `spawn`),
`.streams` and `.futures` holding these classes, when componentize-py's own cannot be
imported (outside a component it never can), so an app that imports them runs natively.

This file is copied verbatim into generated bindings (`<world>/native/_streams.py`);
only generated modules use it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import types
import weakref
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

from . import _boundary

_T = TypeVar("_T")
_S = TypeVar("_S")

if TYPE_CHECKING:  # as componentize-py's classes, which these stand for
    from componentize_py_async_support.futures import FutureReader as _FutureReaderBase
    from componentize_py_async_support.futures import FutureWriter as _FutureWriterBase
    from componentize_py_async_support.streams import (
        ByteStreamReader as _ByteReaderBase,
    )
    from componentize_py_async_support.streams import (
        ByteStreamWriter as _ByteWriterBase,
    )
    from componentize_py_async_support.streams import StreamReader as _ReaderBase
    from componentize_py_async_support.streams import StreamWriter as _WriterBase
else:
    _ByteReaderBase = _ByteWriterBase = object
    _ReaderBase = _WriterBase = _FutureReaderBase = _FutureWriterBase = Generic


def _checked(check: _boundary.Type | None, label: str, where: str, value: Any) -> Any:
    """`value` checked as `check` (if given) before it is written."""
    if check is None:
        return value
    try:
        return check.lower(value, [])
    except _boundary._Mismatch as e:
        raise e.error(label, where) from None


def _busy(what: str) -> AssertionError:
    return AssertionError(
        f"{what}: another call is in progress, or the end was dropped"
    )


# ---------------------------------------------------------------- streams


class _Pipe:
    """The state shared by a stream's two ends: at most one read and one write waiting."""

    def __init__(self, empty: Any, check: _boundary.Type | None, label: str) -> None:
        self.empty, self.check, self.label = empty, check, label
        self.reader_gone = self.writer_gone = False
        self.reading: tuple[int, asyncio.Future[tuple[Any, bool]]] | None = None
        self.writing: tuple[Any, asyncio.Future[tuple[int, bool]]] | None = None

    async def read(self, max_count: int) -> tuple[Any, bool]:
        """Up to `max_count` items, and whether the writer was dropped."""
        if max_count < 0:
            raise ValueError(f"read({max_count}): a count is never negative")
        writing = self.writing
        if writing is not None and writing[1].done():  # its writer was cancelled
            writing = self.writing = None
        if max_count == 0:
            return self.empty[:0], self.writer_gone and writing is None
        if writing is not None:
            source, waiter = writing
            self.writing = None
            taken = min(max_count, len(source))
            waiter.set_result((taken, False))
            return source[:taken], False
        if self.writer_gone:
            return self.empty[:0], True
        waiter = asyncio.get_running_loop().create_future()
        self.reading = (max_count, waiter)
        try:
            return await waiter
        finally:
            if self.reading is not None and self.reading[1] is waiter:
                self.reading = None

    async def write(self, source: Any) -> tuple[int, bool]:
        """How many items of `source` a reader took, and whether the reader was dropped."""
        if self.empty == b"":
            source = _checked(_boundary.BYTES, self.label, "the bytes written", source)
        elif not isinstance(source, list):
            raise TypeError(
                f"{self.label}: expected a list, got {type(source).__name__}"
            )
        else:
            for i, item in enumerate(source):
                _checked(self.check, self.label, f"item [{i}] written", item)
        reading = self.reading
        if reading is not None and reading[1].done():  # its reader was cancelled
            reading = self.reading = None
        if self.reader_gone:
            return 0, True
        if len(source) == 0:
            return 0, False
        if reading is not None:
            max_count, waiter = reading
            self.reading = None
            taken = min(max_count, len(source))
            waiter.set_result((source[:taken], False))
            return taken, False
        waiter = asyncio.get_running_loop().create_future()
        self.writing = (source, waiter)
        try:
            return await waiter
        finally:
            if self.writing is not None and self.writing[1] is waiter:
                self.writing = None

    def drop_reader(self) -> None:
        self.reader_gone = True
        if self.writing is not None:
            waiter = self.writing[1]
            self.writing = None
            if not waiter.done():
                waiter.set_result((0, True))

    def drop_writer(self) -> None:
        self.writer_gone = True
        if self.reading is not None:
            waiter = self.reading[1]
            self.reading = None
            if not waiter.done():
                waiter.set_result((self.empty[:0], True))


class _End(Generic[_S]):
    """One end of a stream or future: the state it shares with the other end, while it is
    not dropped and no call is in progress; dropped by `__exit__` or its collection."""

    def __init__(self, state: _S, drop: Callable[..., None], *args: object) -> None:
        self._state: _S | None = state
        self._finalizer = weakref.finalize(self, drop, state, *args)
        self._finalizer.atexit = False

    def _take(self, what: str) -> _S:
        state, self._state = self._state, None
        if state is None:
            raise _busy(what)
        return state

    def _drop(self) -> None:
        """Drop the end (unless a call is in progress, as componentize-py does)."""
        if self._state is not None:
            self._state = None
            self._finalizer()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        self._drop()
        return None


class _Reader(_End[_Pipe]):
    writer_dropped: bool

    def __init__(self, pipe: _Pipe) -> None:
        super().__init__(pipe, _Pipe.drop_reader)
        self.writer_dropped = False

    async def _read(self, max_count: int) -> Any:
        if self.writer_dropped:
            return self._empty[:0]
        pipe = self._take(f"{self._label}.read")
        try:
            items, dropped = await pipe.read(max_count)
        finally:
            self._state = pipe
        if dropped:
            self.writer_dropped = True
        return items

    _empty: ClassVar[Any] = b""
    _label = "stream"


class _Writer(_End[_Pipe]):
    reader_dropped: bool

    def __init__(self, pipe: _Pipe) -> None:
        super().__init__(pipe, _Pipe.drop_writer)
        self.reader_dropped = False

    async def _write(self, source: Any) -> int:
        if self.reader_dropped:
            return 0
        pipe = self._take(f"{self._label}.write")
        try:
            count, dropped = await pipe.write(source)
        finally:
            self._state = pipe
        if dropped:
            self.reader_dropped = True
        return count

    async def _write_all(self, source: Any) -> int:
        total = 0
        while len(source) > 0 and not self.reader_dropped:
            count = await self._write(source)
            source = source[count:]
            total += count
        return total

    _label = "stream"


class ByteStreamReader(_Reader, _ByteReaderBase):
    """The readable end of a `stream<u8>`."""

    _label = "ByteStreamReader"

    async def read(self, max_count: int) -> bytes:
        """Up to `max_count` bytes, once some are written; `b""` once the writer is
        dropped (`writer_dropped` is then set)."""
        data: bytes = await self._read(max_count)
        return data


class ByteStreamWriter(_Writer, _ByteWriterBase):
    """The writable end of a `stream<u8>`."""

    _label = "ByteStreamWriter"

    async def write(self, source: bytes) -> int:
        """Write some of `source`; how many bytes a reader took (0 once it is dropped)."""
        return await self._write(source)

    async def write_all(self, source: bytes) -> int:
        """Write all of `source`, unless the reader is dropped; how many bytes it took."""
        return await self._write_all(source)


class StreamReader(_Reader, _ReaderBase[_T]):
    """The readable end of a `stream<T>`."""

    _empty: ClassVar[Any] = []
    _label = "StreamReader"

    async def read(self, max_count: int) -> list[_T]:
        """Up to `max_count` items, once some are written; `[]` once the writer is
        dropped (`writer_dropped` is then set)."""
        items: list[_T] = await self._read(max_count)
        return items


class StreamWriter(_Writer, _WriterBase[_T]):
    """The writable end of a `stream<T>`."""

    _label = "StreamWriter"

    async def write(self, source: list[_T]) -> int:
        """Write some of `source`; how many items a reader took (0 once it is dropped)."""
        return await self._write(source)

    async def write_all(self, source: list[_T]) -> int:
        """Write all of `source`, unless the reader is dropped; how many items it took."""
        return await self._write_all(source)


def new_byte_stream() -> tuple[ByteStreamWriter, ByteStreamReader]:
    """A new `stream<u8>`: its writable end and its readable end."""
    pipe = _Pipe(b"", None, "ByteStreamWriter.write")
    return ByteStreamWriter(pipe), ByteStreamReader(pipe)


def new_stream(
    element: _boundary.Type | None,
) -> tuple[StreamWriter[_T], StreamReader[_T]]:
    """A new stream whose written items are checked as `element` (if given)."""
    pipe = _Pipe([], element, "StreamWriter.write")
    return StreamWriter(pipe), StreamReader(pipe)


# ---------------------------------------------------------------- futures


class _Slot:
    """The state shared by a future's two ends."""

    def __init__(self, check: _boundary.Type | None) -> None:
        self.check = check
        self.reader_gone = False
        self.value: tuple[Any] | None = None
        self.reading: asyncio.Future[Any] | None = None
        self.delivered: asyncio.Future[bool] | None = None

    def give(self, value: Any) -> bool:
        """Send `value`; whether the reader already has it (else it waits here)."""
        if self.reader_gone:
            return False
        if self.reading is not None and not self.reading.done():
            self.reading.set_result(value)
            self.reading = None
            return True
        self.value = (value,)
        return False

    async def read(self) -> Any:
        if self.value is not None:
            (value,) = self.value
            self.value = None
            if self.delivered is not None and not self.delivered.done():
                self.delivered.set_result(True)
            return value
        self.reading = asyncio.get_running_loop().create_future()
        return await self.reading

    async def write(self, value: Any) -> bool:
        if self.give(value):
            return True
        if self.reader_gone:
            return False
        self.delivered = asyncio.get_running_loop().create_future()
        return await self.delivered

    def drop_reader(self) -> None:
        self.reader_gone = True
        self.value = None
        if self.delivered is not None and not self.delivered.done():
            self.delivered.set_result(False)


class FutureReader(_End[_Slot], _FutureReaderBase[_T]):
    """The readable end of a `future<T>`."""

    def __init__(self, slot: _Slot) -> None:
        super().__init__(slot, _Slot.drop_reader)

    async def read(self) -> _T:
        """The value, once written (or the writer's default, once it is dropped); the
        end is then dropped."""
        slot = self._take("FutureReader.read")
        self._finalizer.detach()
        try:
            value: _T = await slot.read()
        finally:
            slot.drop_reader()
        return value


def _send_default(slot: _Slot, default: Callable[[], Any]) -> None:
    if not slot.reader_gone:
        slot.give(default())


class FutureWriter(_End[_Slot], _FutureWriterBase[_T]):
    """The writable end of a `future<T>`; `default()` is sent if it is dropped unwritten."""

    default: Callable[[], _T]

    def __init__(self, slot: _Slot, default: Callable[[], _T]) -> None:
        super().__init__(slot, _send_default, default)
        self.default = default

    async def write(self, value: _T) -> bool:
        """Send `value`: `True` once the reader has it, `False` if it was dropped."""
        slot = self._take("FutureWriter.write")
        self._finalizer.detach()
        value = _checked(slot.check, "FutureWriter.write", "the value written", value)
        return await slot.write(value)


def new_future(
    default: Callable[[], _T], element: _boundary.Type | None
) -> tuple[FutureWriter[_T], FutureReader[_T]]:
    """A new future whose value is checked as `element` (if given)."""
    slot = _Slot(element)
    return FutureWriter(slot, default), FutureReader(slot)


# ---------------------------------------------------------------- the async support module

# The types of values the boundary checks: an end of the right kind.


class _EndType(_boundary.Type):
    def __init__(self, cls: type, what: str) -> None:
        self.cls, self.what = cls, what

    def check(self, value: object) -> object:
        if isinstance(value, self.cls):
            return value
        raise _boundary._Mismatch(
            TypeError, f"expected a {self.what}, got {type(value).__name__}"
        )


BYTE_STREAM: _boundary.Type = _EndType(ByteStreamReader, "ByteStreamReader")
STREAM: _boundary.Type = _EndType(StreamReader, "StreamReader")
FUTURE: _boundary.Type = _EndType(FutureReader, "FutureReader")

_SPAWNED: set[asyncio.Task[Any]] = set()


def spawn(coroutine: Awaitable[object]) -> None:
    """Run `coroutine` as a task of the running event loop, beside the caller (inside a
    component it would extend the current task)."""

    async def run() -> None:
        await coroutine

    task = asyncio.get_running_loop().create_task(run())
    _SPAWNED.add(task)
    task.add_done_callback(_SPAWNED.discard)


def provide_async_support() -> None:
    """Make `componentize_py_async_support` importable, with these classes and `spawn`,
    unless componentize-py's own is."""
    name = "componentize_py_async_support"
    if name in sys.modules and getattr(sys.modules[name], "_witgen_native", False):
        return
    try:
        found = importlib.util.find_spec(f"{name}.streams") is not None
    except ImportError:
        found = False
    if found:
        return
    package = types.ModuleType(
        name, "componentize-py's async support, for native tests."
    )
    package.__path__ = []
    streams = types.ModuleType(f"{name}.streams")
    futures = types.ModuleType(f"{name}.futures")
    vars(package).update(
        spawn=spawn, streams=streams, futures=futures, _witgen_native=True
    )
    vars(streams).update(
        ByteStreamReader=ByteStreamReader,
        ByteStreamWriter=ByteStreamWriter,
        StreamReader=StreamReader,
        StreamWriter=StreamWriter,
    )
    vars(futures).update(FutureReader=FutureReader, FutureWriter=FutureWriter)
    sys.modules.update(
        {name: package, streams.__name__: streams, futures.__name__: futures}
    )
