"""Apps tested natively: resources, errors and value checks, and an async world with streams.

Input: two worlds, their guest bindings generated into a temporary directory with an app
module and its pytest tests written there, as a user writes them:
- `lib` (inline below): an imported interface with a resource (constructor, methods,
  statics taking `own` and `borrow` handles), records, variants, lists, options and tuples
  holding it, a function taking one value of each checked kind, a world-level resource, and
  an exported interface whose functions raise errors;
- `relay` (`wit-samples/streams.wit`): an async export reading a byte stream from the host,
  splitting it with a synchronous import, writing the frames to a stream that an async
  method of an imported resource reads, and reading a future the host resolves.

Output: the app's tests pass under pytest with fake hosts (written against the native
Protocols); the generated package, the app and its tests pass ruff and `mypy --strict`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from witgen import api

ROOT = Path(__file__).resolve().parents[2]

LIB_WIT = """\
package demo:lib;

interface store {
  variant error { missing(string), too-big(u32) }
  enum color { red, green }
  flags perms { read, write }

  resource blob {
    constructor(name: string);
    name: func() -> string;
    append: func(data: list<u8>) -> result<u32, error>;
    copy: func() -> blob;
    open: static func(name: string) -> result<blob, error>;
    merge: static func(into: blob, extra: borrow<blob>) -> blob;
  }

  record entry { key: string, blob: blob }
  variant slot { empty, full(blob) }

  entries: func() -> list<entry>;
  find: func(key: string) -> option<blob>;
  pair: func() -> tuple<blob, u8>;
  slot-of: func(key: string) -> slot;
  total: func(blobs: list<borrow<blob>>) -> u64;
  put: func(e: entry);
  check: func(
    small: u8, letter: char, ratio: f32, count: s16, tag: list<u8, 2>, shade: color,
    access: perms, maybe: option<option<u32>>, outcome: result<u32, string>,
  ) -> u32;
}

interface api {
  use store.{error};
  summary: func() -> string;
  grow: func(name: string, by: u32) -> result<u32, error>;
}

world lib {
  import store;
  resource counter {
    constructor(start: u32);
    next: func() -> u32;
  }
  import make-counter: func(start: u32) -> counter;
  export api;
}
"""

LIB_APP = """\
from componentize_py_types import Err

import wit_world
from wit_world import exports
from wit_world.imports import store


class Api(exports.Api):
    def summary(self) -> str:
        names = [f"{e.key}={e.blob.name()}" for e in store.entries()]
        found = store.find("a")
        first, n = store.pair()
        slot = store.slot_of("a")
        full = slot.value.name() if isinstance(slot, store.Slot_Full) else "-"
        with wit_world.Counter(10) as counter:
            ticks = [counter.next(), counter.next(), wit_world.make_counter(3).next()]
        return (
            f"{','.join(names)};{found.name() if found else None};{first.name()}{n};"
            f"{full};{ticks}"
        )

    def grow(self, name: str, by: int) -> int:
        try:
            blob = store.Blob.open(name)
        except Err as e:
            if isinstance(e.value, store.Error_Missing):
                raise Err(store.Error_Missing(f"no blob {e.value.value}")) from None
            raise
        with blob:
            return blob.append(bytes(by))
"""

LIB_FAKE = """\
from typing import cast

from componentize_py_types import Err

import wit_world.native
from wit_world.imports import store
from wit_world.native import store as host_store


class MemBlob(host_store.Blob):
    def __init__(self, disk: "FakeStore", name: str) -> None:
        self.disk, self.blob_name = disk, name

    def name(self) -> str:
        return self.blob_name

    def append(self, data: bytes) -> int:
        if len(data) > 4:
            raise Err(store.Error_TooBig(len(data)))
        self.disk.data[self.blob_name] = self.disk.data.get(self.blob_name, b"") + data
        return len(self.disk.data[self.blob_name])

    def copy(self) -> host_store.Blob:
        return MemBlob(self.disk, self.blob_name + "'")

    def drop(self) -> None:
        self.disk.dropped.append(self.blob_name)


class FakeStore:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {"a": b""}
        self.dropped: list[str] = []
        self.seen: list[object] = []

    def blob_new(self, name: str) -> host_store.Blob:
        return MemBlob(self, name)

    def blob_open(self, name: str) -> host_store.Blob:
        if name not in self.data:
            raise Err(store.Error_Missing(name))
        return MemBlob(self, name)

    def blob_merge(
        self, into: host_store.Blob, extra: host_store.Blob
    ) -> host_store.Blob:
        self.seen += [into, extra]
        return MemBlob(self, into.name() + "+" + extra.name())

    def entries(self) -> list[store.Entry]:
        # A record holds the guest's class; the host puts its own object there.
        return [store.Entry("k", cast(store.Blob, MemBlob(self, "a")))]

    def find(self, key: str) -> host_store.Blob | None:
        return MemBlob(self, key) if key in self.data else None

    def pair(self) -> tuple[host_store.Blob, int]:
        return MemBlob(self, "p"), 7

    def slot_of(self, key: str) -> store.Slot:
        return store.Slot_Full(cast(store.Blob, MemBlob(self, key)))

    def total(self, blobs: list[host_store.Blob]) -> int:
        self.seen += blobs
        return sum(len(self.data.get(b.name(), b"")) for b in blobs)

    def put(self, e: store.Entry) -> None:
        self.seen.append(e)

    def check(
        self,
        small: int,
        letter: str,
        ratio: float,
        count: int,
        tag: list[int],
        shade: store.Color,
        access: store.Perms,
        maybe: object,
        outcome: object,
    ) -> int:
        return self.result

    result = 1


class Tick(wit_world.native.Counter):
    def __init__(self, start: int) -> None:
        self.at = start

    def next(self) -> int:
        self.at += 1
        return self.at


class FakeHost:
    def __init__(self) -> None:
        self.store = FakeStore()

    def make_counter(self, start: int) -> wit_world.native.Counter:
        return Tick(start)

    def counter_new(self, start: int) -> wit_world.native.Counter:
        return Tick(start)
"""

LIB_TEST = """\
import gc
import threading

import pytest
from componentize_py_types import Err, Ok, Some

import app
import fake
import wit_world.native
from wit_world.imports import store


@pytest.fixture
def host():
    impl = fake.FakeHost()
    with wit_world.native.host(impl):
        yield impl


def test_resources_from_the_host_reach_the_app(host):
    assert app.Api().summary() == "k=a;a;p7;a;[11, 12, 4]"
    # every instance the app made or received was dropped once: by `with`, or collected
    gc.collect()
    assert sorted(host.store.dropped) == ["a", "a", "a", "p"]


def test_app_resources_reach_the_host_as_its_objects(host):
    blob = store.Blob("x")
    assert isinstance(blob, store.Blob) and blob.name() == "x"
    twin = blob.copy()
    assert twin is not blob and twin.name() == "x'"
    other = store.Blob("y")
    merged = store.Blob.merge(blob, other)  # `blob` moves to the host, `other` is lent
    assert merged.name() == "x+y" and other.name() == "y"
    assert [type(o) for o in host.store.seen] == [fake.MemBlob, fake.MemBlob]
    with pytest.raises(ValueError, match="Blob was moved to the host"):
        blob.name()
    assert store.total([other, twin]) == 0
    assert all(isinstance(o, fake.MemBlob) for o in host.store.seen[2:])
    given = store.Blob("g")
    store.put(store.Entry("e", given))  # an `own` handle inside a record moves too
    sent = host.store.seen[-1]
    assert isinstance(sent, store.Entry) and isinstance(sent.blob, fake.MemBlob)
    with pytest.raises(ValueError, match="moved"):
        given.name()
    with given:  # a moved instance is not dropped
        pass
    with other:
        pass
    assert host.store.dropped == ["y"]
    with pytest.raises(ValueError, match="Blob was dropped"):
        other.name()


def test_errors_both_ways(host):
    assert app.Api().grow("a", 2) == 2
    with pytest.raises(Err) as caught:
        app.Api().grow("nope", 1)
    assert caught.value.value == store.Error_Missing("no blob nope")
    with pytest.raises(Err) as caught:
        app.Api().grow("a", 9)
    assert caught.value.value == store.Error_TooBig(9)

    def broken(name):
        raise Err("not an error value")

    host.store.blob_open = broken
    with pytest.raises(TypeError, match=r"Blob.open: Err value: expected a case of Error"):
        app.Api().grow("a", 1)

    def crash(name):
        raise KeyError(name)

    host.store.blob_open = crash
    with pytest.raises(KeyError):
        app.Api().grow("a", 1)


GOOD = dict(
    small=1, letter="x", ratio=0.5, count=-2, tag=[1, 2], shade=store.Color.RED,
    access=store.Perms.READ, maybe=Some(None), outcome=Ok(3),
)


@pytest.mark.parametrize(
    ("name", "value", "kind", "message"),
    [
        ("small", 256, OverflowError, "argument small: 256 is out of range for u8"),
        ("small", True, TypeError, "argument small: expected int (u8), got bool"),
        ("letter", "xy", TypeError, "argument letter: expected a str of length 1"),
        ("letter", "\\ud800", ValueError, "argument letter: '\\\\ud800' is a surrogate"),
        ("ratio", 1e39, OverflowError, "argument ratio: 1e+39 is out of range for f32"),
        ("count", -40000, OverflowError, "argument count: -40000 is out of range for s16"),
        ("tag", [1, 2, 3], ValueError, "argument tag: expected 2 items, got 3"),
        ("tag", [1, 256], OverflowError, "argument tag[1]: 256 is out of range for u8"),
        ("shade", 0, TypeError, "argument shade: expected Color, got int"),
        ("access", store.Color.RED, TypeError, "argument access: expected Perms, got Color"),
        ("maybe", 3, TypeError, "argument maybe: expected None or Some, got int"),
        ("outcome", 3, TypeError, "argument outcome: expected Ok or Err, got int"),
        ("outcome", Err(3), TypeError, "argument outcome.value: expected str, got int"),
    ],
)
def test_values_are_checked_as_in_wasm(host, name, value, kind, message):
    assert store.check(**GOOD) == 1
    with pytest.raises(kind) as caught:
        store.check(**{**GOOD, name: value})
    assert str(caught.value).startswith(f"wit_world.imports.store.check: {message}")


def test_host_results_are_checked(host):
    host.store.result = -1
    with pytest.raises(OverflowError, match=r"^wit_world.imports.store.check: result: -1"):
        store.check(**GOOD)
    host.store.pair = lambda: ("not a blob", 1)
    with pytest.raises(TypeError, match=r"store.pair: result\\[0\\]: expected an object"):
        store.pair()


def test_no_host_names_the_harness():
    with pytest.raises(RuntimeError, match=r"with wit_world\\.native\\.host\\(impl\\):"):
        app.Api().summary()


def test_hosts_nest_and_threads_have_their_own(host):
    inner = fake.FakeHost()
    inner.store.data = {}
    with wit_world.native.host(inner):
        assert store.find("a") is None
    assert store.find("a") is not None
    found = []
    thread = threading.Thread(target=lambda: found.append(_try_find()))
    thread.start()
    thread.join()
    assert found == ["no host"]


def _try_find():
    try:
        store.find("a")
    except RuntimeError:
        return "no host"
    return "a host"
"""

RELAY_APP = """\
from componentize_py_async_support import spawn
from componentize_py_async_support.streams import ByteStreamReader
from componentize_py_types import Err

import wit_world
from wit_world.imports import channels, frames


class WitWorld(wit_world.WitWorld):
    async def run(self, input: ByteStreamReader) -> int:
        data = b""
        with input:
            while not input.writer_dropped:
                data += await input.read(4)
        parts = frames.decode(data)
        writer, reader = wit_world.frames_frame_stream()

        async def feed() -> None:
            with writer:
                await writer.write_all(parts)

        with channels.Channel(7) as channel:
            spawn(feed())
            try:
                await channel.send(reader)
            except Err as e:
                raise Err(f"send failed: {e.value}") from None
            reason = await channel.closed().read()
        if not isinstance(reason, frames.CloseReason_Done):
            raise Err(f"closed: {reason}")
        return len(parts)
"""

RELAY_FAKE = """\
from componentize_py_async_support.futures import FutureReader
from componentize_py_async_support.streams import ByteStreamReader, StreamReader
from componentize_py_types import Err

import wit_world
from wit_world.imports import frames
from wit_world.imports.frames import CloseReason_Aborted
from wit_world.native import channels as host_channels


class Frames:
    def decode(self, bytes: bytes) -> list[frames.Frame]:
        lines = [line for line in bytes.split(b"\\n") if line]
        return [frames.Frame(i, line) for i, line in enumerate(lines)]

    async def split(
        self, input: ByteStreamReader
    ) -> tuple[StreamReader[frames.Frame], FutureReader[frames.CloseReason]]:
        raise NotImplementedError

    async def join(self, frames: StreamReader[frames.Frame]) -> ByteStreamReader:
        raise NotImplementedError


class Channel(host_channels.Channel):
    def __init__(self, id: int, log: list[object], limit: int) -> None:
        self.id, self.log, self.limit = id, log, limit

    async def send(self, frames: StreamReader[frames.Frame]) -> None:
        with frames:
            while not frames.writer_dropped:
                got = await frames.read(1)
                self.log += got
                if len(self.log) > self.limit:
                    raise Err(CloseReason_Aborted("too many"))

    def receive(self) -> StreamReader[frames.Frame]:
        raise NotImplementedError

    def closed(self) -> FutureReader[frames.CloseReason]:
        writer, reader = wit_world.frames_close_reason_future(frames.CloseReason_Done)
        # dropped unwritten: the reader gets the default
        writer.__exit__(None, None, None)
        return reader

    def drop(self) -> None:
        self.log.append(f"drop {self.id}")


class Channels:
    def __init__(self) -> None:
        self.log: list[object] = []
        self.limit = 10

    def channel_new(self, id: int) -> host_channels.Channel:
        return Channel(id, self.log, self.limit)


class FakeHost:
    def __init__(self) -> None:
        self.frames = Frames()
        self.channels = Channels()
"""

# pytest imports conftest.py first: the harness then provides componentize-py's async
# support before the app imports it.
RELAY_CONFTEST = """\
import wit_world.native  # noqa: F401
"""

RELAY_TEST = """\
import asyncio

import pytest
from componentize_py_types import Err

import app
import fake
import wit_world
import wit_world.native
from wit_world.imports import frames


async def relay(payload: bytes) -> int:
    writer, reader = wit_world.byte_stream()

    async def produce() -> None:
        with writer:
            assert await writer.write_all(payload) == len(payload)

    task = asyncio.ensure_future(produce())
    count = await app.WitWorld().run(reader)
    await task
    return count


def test_relay_streams_natively():
    host = fake.FakeHost()
    with wit_world.native.host(host):
        assert asyncio.run(relay(b"one\\ntwo\\nthree\\n")) == 3
    assert host.channels.log == [
        frames.Frame(0, b"one"), frames.Frame(1, b"two"), frames.Frame(2, b"three"), "drop 7",
    ]


def test_relay_errors_pass_through():
    host = fake.FakeHost()
    host.channels.limit = 1
    with wit_world.native.host(host):
        with pytest.raises(Err) as caught:
            asyncio.run(relay(b"a\\nb\\nc\\n"))
    assert caught.value.value == "send failed: CloseReason_Aborted(value='too many')"


def test_async_imports_need_a_host():
    with pytest.raises(RuntimeError, match="no host is installed"):
        asyncio.run(relay(b"x\\n"))
"""


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)


def _app(tmp_path: Path, wit: Path, world: str, files: dict[str, str]) -> Path:
    out = tmp_path / "app"
    api.bindgen_guest(wit, out_dir=out, world=world, use_cache=False)
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return out


def _pytest(out: Path, passed: int) -> None:
    done = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "."], out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{passed} passed" in done.stdout, done.stdout


def _lint_and_type_check(out: Path, modules: list[str]) -> None:
    ruff = str(Path(sys.executable).parent / "ruff")
    done = _run([ruff, "check", "--isolated", "wit_world"], out)
    assert done.returncode == 0, done.stdout + done.stderr
    done = _run([ruff, "check", "--isolated", "--select", "E,F,W", *modules], out)
    assert done.returncode == 0, done.stdout + done.stderr
    done = _run([ruff, "format", "--isolated", "--check", "wit_world"], out)
    assert done.returncode == 0, done.stdout + done.stderr
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "wit_world", *modules]
    done = _run(mypy, out)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    wit = tmp_path / "wit"
    wit.mkdir()
    (wit / "lib.wit").write_text(LIB_WIT, encoding="utf-8")
    files = {"app.py": LIB_APP, "fake.py": LIB_FAKE, "test_app.py": LIB_TEST}
    return _app(tmp_path, wit, "lib", files)


@pytest.fixture
def relay(tmp_path: Path) -> Path:
    files = {"app.py": RELAY_APP, "fake.py": RELAY_FAKE, "test_app.py": RELAY_TEST}
    files["conftest.py"] = RELAY_CONFTEST
    return _app(tmp_path, ROOT / "wit-samples" / "streams.wit", "relay", files)


def test_resources_errors_and_checks_natively(lib: Path) -> None:
    _pytest(lib, 19)


def test_async_stream_world_natively(relay: Path) -> None:
    _pytest(relay, 3)


def test_apps_and_fake_hosts_type_check(lib: Path, tmp_path: Path) -> None:
    """The fake hosts are written against the native Protocols: mypy accepts them."""
    _lint_and_type_check(lib, ["app.py", "fake.py"])
    relay = _app(
        tmp_path / "relay",
        ROOT / "wit-samples" / "streams.wit",
        "relay",
        {"app.py": RELAY_APP, "fake.py": RELAY_FAKE},
    )
    _lint_and_type_check(relay, ["app.py", "fake.py"])
