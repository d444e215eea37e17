"""A typed host of the `test:types` world, against the generated package `all_types`.

`TypesHost` satisfies `all_types.AllTypesImports`: every `host-api` function records the
arguments it received (so tests see what the host lifted) and returns them (so the guest's
result shows what the host lowered). `raise_in` and `replace` make one function raise or
return another value, for the trap tests. `mypy --strict` checks this module together with
the generated bindings.
"""

from __future__ import annotations

from typing import TypeVar, cast

import wasmtime
from all_types import AllTypes, Err, Result, Some
from all_types.imports import host_api as h
from all_types.imports.host_api import Bag, Color, Json, NumOrFlag, Perms, Point, Shape
from wasmtime.component import Component, Linker

T = TypeVar("T")


class Counter(h.Counter):
    """The host side of resource `counter`; `drops` counts `drop()` calls."""

    def __init__(self, start: int) -> None:
        self.value = start
        self.drops = 0

    def get(self) -> int:
        return self.value

    def bump(self, by: int) -> int:
        self.value += by
        return self.value

    def drop(self) -> None:
        self.drops += 1


class HostApi:
    """Satisfies `all_types.imports.host_api.Host`."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, object]] = []
        self.counters: list[Counter] = []
        self.raise_in: dict[str, BaseException] = {}
        self.replace: dict[str, object] = {}

    def _echo(self, name: str, value: T) -> T:
        self.seen.append((name, value))
        if name in self.raise_in:
            raise self.raise_in[name]
        return cast(T, self.replace[name]) if name in self.replace else value

    def counter_new(self, start: int) -> h.Counter:
        self.counters.append(Counter(start))
        return self.counters[-1]

    def counter_make(self, start: int) -> h.Counter:
        return self.counter_new(start)

    def bools(self, a: bool, b: bool) -> tuple[bool, bool]:
        return self._echo("bools", (a, b))

    def ints(
        self, a: int, b: int, c: int, d: int, e: int, f: int, g: int, h: int
    ) -> tuple[int, int, int, int, int, int, int, int]:
        return self._echo("ints", (a, b, c, d, e, f, g, h))

    def floats(self, a: float, b: float) -> tuple[float, float]:
        return self._echo("floats", (a, b))

    def chars(self, c: str) -> str:
        return self._echo("chars", c)

    def strings(self, s: str) -> str:
        return self._echo("strings", s)

    def blob(self, b: bytes) -> bytes:
        return self._echo("blob", b)

    def string_list(self, l: list[str]) -> list[str]:  # noqa: E741
        return self._echo("string_list", l)

    def points(self, l: list[Point]) -> list[Point]:  # noqa: E741
        return self._echo("points", l)

    def tuples(self, t: tuple[int, str, tuple[bool, str]]) -> tuple[int, str, tuple[bool, str]]:
        return self._echo("tuples", t)

    def bags(self, b: Bag) -> Bag:
        return self._echo("bags", b)

    def colors(self, c: Color, l: list[Color]) -> tuple[Color, list[Color]]:  # noqa: E741
        return self._echo("colors", (c, l))

    def perm_set(self, p: Perms) -> Perms:
        return self._echo("perm_set", p)

    def shapes(self, s: Shape) -> Shape:
        return self._echo("shapes", s)

    def jsons(self, j: Json) -> Json:
        return self._echo("jsons", j)

    def options(
        self, a: int | None, b: str | None, c: Point | None
    ) -> tuple[int | None, str | None, Point | None]:
        return self._echo("options", (a, b, c))

    def nested_option(self, o: Some[int | None] | None) -> Some[int | None] | None:
        return self._echo("nested_option", o)

    def results(
        self,
        a: Result[int, str],
        b: Result[None, None],
        c: Result[str, str],
        d: Result[None, int],
        e: Result[int, None],
    ) -> tuple[
        Result[int, str], Result[None, None], Result[str, str], Result[None, int], Result[int, None]
    ]:
        return self._echo("results", (a, b, c, d, e))

    def result_list(self, l: list[Result[int, str]]) -> list[Result[int, str]]:  # noqa: E741
        return self._echo("result_list", l)

    def pick(self, v: NumOrFlag) -> NumOrFlag:
        return self._echo("pick", v)

    def fail_full(self, fail: bool) -> str:
        if fail:
            raise Err(Color.GREEN_BLUE)
        return "fine"

    def fail_unit(self, fail: bool) -> None:
        if fail:
            raise Err(None)

    def fail_ok_only(self, fail: bool) -> int:
        if fail:
            raise Err(None)
        return 42

    def fail_err_only(self, fail: bool) -> None:
        if fail:
            raise Err("nope")

    def fail_variant(self, fail: bool) -> Point:
        if fail:
            raise Err(h.Shape_At(Point(x_coord=1, y_coord=-2)))
        return Point(x_coord=3, y_coord=4)

    def unsendable(self, fail: bool) -> int | None:
        if fail:
            raise Err("lost")  # wasmtime-py would take any err value as `ok`
        return 7

    def lend_counter(self, c: h.Counter) -> int:
        return self._echo("lend_counter", c).get()

    def give_counter(self, c: h.Counter) -> int:
        return self._echo("give_counter", c).get()

    def explode(self) -> None:
        self.seen.append(("explode", None))
        raise LookupError("host says no")


class TypesHost:
    """Satisfies `all_types.AllTypesImports`."""

    def __init__(self) -> None:
        self.host_api = HostApi()

    def stamp(self, n: int) -> str:
        return f"#{n}"


def connect(
    engine: wasmtime.Engine, component: Component, host: TypesHost, *, linker: Linker | None = None
) -> AllTypes:
    """A new Store and instance; a new Linker with `host`'s imports unless one is given."""
    if linker is None:
        linker = Linker(engine)
        AllTypes.add_to_linker(linker, host)
    store, wasi = wasmtime.Store(engine), wasmtime.WasiConfig()
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    return AllTypes.instantiate(store, component, linker)
