"""The guests driven through wasmtime-py's raw `wasmtime.component` API.

One smoke test: it proves the guests work without witgen and pins the value rules the
bindings rely on (numbers, variants, resources, host exceptions) in wasmtime-py 50, so a
wasmtime upgrade that changes them fails here first.
"""

from __future__ import annotations

from typing import Any

import pytest

wasmtime = pytest.importorskip("wasmtime")
from wasmtime.component import (  # noqa: E402
    Component,
    Linker,
    Record,
    ResourceAny,
    ResourceHost,
    ResourceType,
    Variant,
)

COUNTER = 0x7E57  # the host resource type id shared by ResourceType.host and ResourceHost
ECHO = [
    *("bools", "ints", "floats", "chars", "strings", "blob", "string-list", "points", "tuples"),
    *("bags", "colors", "perm-set", "shapes", "jsons", "options", "nested-option", "results"),
    *("result-list", "pick"),
]


class RawHost:
    """`test:types/host-api` with raw values: echoes, a counter table, a dtor log."""

    def __init__(self) -> None:
        self.counters: dict[int, int] = {}
        self.dropped: list[int] = []
        self.seen: list[tuple[str, tuple[Any, ...]]] = []

    def echo(self, name: str) -> Any:
        def f(store: Any, *args: Any) -> Any:
            self.seen.append((name, args))
            return args[0] if len(args) == 1 else tuple(args)

        return f

    def counter_new(self, store: Any, start: int) -> ResourceHost:
        rep = len(self.counters) + 1
        self.counters[rep] = start
        return ResourceHost.own(rep, COUNTER)

    def rep(self, store: Any, handle: ResourceAny) -> int:
        rep = handle.to_host(store).rep
        assert isinstance(rep, int)
        return rep

    def bump(self, store: Any, handle: ResourceAny, by: int) -> int:
        rep = self.rep(store, handle)
        self.counters[rep] += by
        return self.counters[rep]

    def link(self, linker: Linker) -> None:
        linker.add_wasip2()
        with linker.root() as root:
            root.add_func("stamp", lambda store, n: f"#{n}")
            with root.add_instance("test:types/host-api@0.1.0") as inst:
                for name in ECHO:
                    inst.add_func(name, self.echo(name))
                inst.add_resource(
                    "counter", ResourceType.host(COUNTER), lambda s, rep: self.dropped.append(rep)
                )
                inst.add_func("[constructor]counter", self.counter_new)
                inst.add_func("[static]counter.make", self.counter_new)
                inst.add_func("[method]counter.get", lambda s, h: self.counters[self.rep(s, h)])
                inst.add_func("[method]counter.bump", self.bump)
                inst.add_func("lend-counter", lambda s, h: self.counters[self.rep(s, h)])
                inst.add_func("give-counter", lambda s, h: self.counters[self.rep(s, h)])
                fails = {
                    "fail-full": Variant("err", "green-blue"),  # result<string, color>: tagged
                    "fail-unit": Variant("err"),  # result: tagged
                    "fail-ok-only": None,  # result<u32>: untagged, err is None
                    "fail-err-only": "nope",  # result<_, string>: untagged
                    "fail-variant": Variant("origin"),  # result<point, shape>: err is a bare shape
                    "unsendable": 7,  # result<option<u32>, string>: ok
                }
                for name, value in fails.items():
                    inst.add_func(name, lambda s, fail, value=value: value)

                def explode(store: Any) -> None:
                    raise LookupError("host says no")

                inst.add_func("explode", explode)


def instantiate(engine: Any, component: Component, host: RawHost) -> tuple[Any, Any]:
    linker = Linker(engine)
    host.link(linker)
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    return store, linker.instantiate(store, component)


def test_raw_api_smoke(engine: Any, types_component: Component) -> None:
    host = RawHost()
    store, instance = instantiate(engine, types_component, host)
    api = instance.get_export_index(store, "test:types/guest-api@0.1.0")

    def call(name: str, *args: Any) -> Any:
        index = instance.get_export_index(store, name, api if name != "ping" else None)
        assert index is not None, name
        return instance.get_func(store, index)(store, *args)

    assert call("ping", 3) == "pong #3"
    # numbers: ints cross without range checks; f32 rounds; bool must be a bool.
    assert call("ints", 200, -1, 0, 0, 0, 0, 0, -1) == (-56, 255, 0, 0, 0, 0, 0, 2**64 - 1)
    assert call("floats", 0.1, 0.1) == (0.10000000149011612, 0.1)
    with pytest.raises(TypeError):
        call("bools", 1, True)
    assert call("blob", b"\x00\xff") == b"\x00\xff"
    assert call("strings", "héllo ✓") == "héllo ✓"
    # Records: in, any object with kebab attributes; out, a `Record`.
    point = Record()
    setattr(point, "x-coord", -1)
    setattr(point, "y-coord", 2**31 - 1)
    (back,) = call("points", [point])
    assert isinstance(back, Record) and getattr(back, "y-coord") == 2**31 - 1
    # Enums are kebab labels, flags sets of them.
    assert call("colors", "green-blue", ["red"]) == ("green-blue", ["red"])
    assert call("perm-set", {"read", "exec-all"}) == {"read", "exec-all"}
    # variants: `shape` is tagged (two float cases), `json` untagged.
    assert call("shapes", Variant("square", 2.0)) == Variant("square", 2.0)
    assert call("shapes", Variant("origin")) == Variant("origin")
    for value in (None, True, 2.5, "s", ["a"]):
        assert call("jsons", value) == value
    assert call("options", None, "x", None) == (None, "x", None)
    assert call("nested-option", Variant("some", None)) == Variant("some", None)
    assert call("nested-option", Variant("none")) == Variant("none")
    results = (5, Variant("ok"), Variant("err", "x"), 7, None)
    assert call("results", *results) == results
    assert call("result-list", [1, "e"]) == [1, "e"]
    # the pitfall: untagged `num-or-flag`, `flag(true)` can only go out as `num(1)`.
    picked = call("pick", True)
    assert picked == 1 and type(picked) is int
    # A function's own result comes back as a value, tagged or not.
    assert call("fail-full", True) == Variant("err", "green-blue")
    assert call("fail-ok-only", True) is None
    assert call("fail-err-only", True) == "nope"
    assert call("fail-variant", True) == Variant("origin")
    # resources: a host resource the guest drops runs the dtor once; one it returns moves back.
    assert call("counter-scratch", 5) == 7
    assert host.dropped == [1]
    made = call("make-counter", 9)
    assert isinstance(made, ResourceAny) and made.owned
    assert made.to_host(store).rep == 2
    assert call("counter-round-trip", 1) == 4
    assert host.dropped == [1]  # own passed back to give-counter: no dtor
    assert call("read-counter", ResourceHost.borrow(2, COUNTER)) == 19
    # Guest resources: an own argument consumes the handle, before entering wasm.
    acc = call("[constructor]acc", 5)
    assert call("acc-total", acc) == 5
    assert call("consume-acc", acc) == 5
    with pytest.raises(ValueError, match="already closed"):
        call("acc-total", acc)
    # exceptions: a host callback's exception comes out unchanged, and poisons the instance.
    with pytest.raises(LookupError, match="host says no"):
        call("call-explode")
    with pytest.raises(wasmtime.WasmtimeError, match="cannot enter component instance"):
        call("ping", 1)
    # A guest trap is a plain WasmtimeError, not wasmtime.Trap.
    store, instance = instantiate(engine, types_component, RawHost())
    api = instance.get_export_index(store, "test:types/guest-api@0.1.0")
    with pytest.raises(wasmtime.WasmtimeError) as trap:
        call("crash", "boom")
    assert not isinstance(trap.value, wasmtime.Trap)
