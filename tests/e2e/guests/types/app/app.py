"""Guest of the `test:types` world: every `guest-api` function forwards to `host-api`.

Each value crosses four conversions (host lowers, guest lifts, guest lowers to the host,
host lifts, and back), so a single export call checks both directions of a type. The
exported resource `acc` lives in `guest_api.py`.
"""

import wit_world
import wit_world.exports
from componentize_py_types import Err, Result, Some
from guest_api import Acc
from wit_world.imports import host_api
from wit_world.imports.host_api import (
    Bag,
    Color,
    Counter,
    Json,
    NumOrFlag,
    Perms,
    Point,
    Shape,
)


class WitWorld(wit_world.WitWorld):
    def ping(self, n: int) -> str:
        return "pong " + wit_world.stamp(n)


class GuestApi(wit_world.exports.GuestApi):
    def bools(self, a: bool, b: bool) -> tuple[bool, bool]:
        return host_api.bools(a, b)

    def ints(
        self, a: int, b: int, c: int, d: int, e: int, f: int, g: int, h: int
    ) -> tuple[int, int, int, int, int, int, int, int]:
        return host_api.ints(a, b, c, d, e, f, g, h)

    def floats(self, a: float, b: float) -> tuple[float, float]:
        return host_api.floats(a, b)

    def chars(self, c: str) -> str:
        return host_api.chars(c)

    def strings(self, s: str) -> str:
        return host_api.strings(s)

    def blob(self, b: bytes) -> bytes:
        return host_api.blob(b)

    def string_list(self, l: list[str]) -> list[str]:  # noqa: E741
        return host_api.string_list(l)

    def points(self, l: list[Point]) -> list[Point]:  # noqa: E741
        return host_api.points(l)

    def tuples(self, t: tuple[int, str, tuple[bool, str]]) -> tuple[int, str, tuple[bool, str]]:
        return host_api.tuples(t)

    def bags(self, b: Bag) -> Bag:
        return host_api.bags(b)

    def colors(self, c: Color, l: list[Color]) -> tuple[Color, list[Color]]:  # noqa: E741
        return host_api.colors(c, l)

    def perm_set(self, p: Perms) -> Perms:
        return host_api.perm_set(p)

    def shapes(self, s: Shape) -> Shape:
        return host_api.shapes(s)

    def jsons(self, j: Json) -> Json:
        return host_api.jsons(j)

    def options(
        self, a: int | None, b: str | None, c: Point | None
    ) -> tuple[int | None, str | None, Point | None]:
        return host_api.options(a, b, c)

    def nested_option(self, o: Some[int | None] | None) -> Some[int | None] | None:
        return host_api.nested_option(o)

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
        return host_api.results(a, b, c, d, e)

    def result_list(self, l: list[Result[int, str]]) -> list[Result[int, str]]:  # noqa: E741
        return host_api.result_list(l)

    def pick(self, v: NumOrFlag) -> NumOrFlag:
        return host_api.pick(v)

    def send_unsendable(self, v: Result[int | None, str]) -> str:
        return repr(v)

    def fail_full(self, fail: bool) -> str:
        return host_api.fail_full(fail)

    def fail_unit(self, fail: bool) -> None:
        host_api.fail_unit(fail)

    def fail_ok_only(self, fail: bool) -> int:
        return host_api.fail_ok_only(fail)

    def fail_err_only(self, fail: bool) -> None:
        host_api.fail_err_only(fail)

    def fail_variant(self, fail: bool) -> Point:
        return host_api.fail_variant(fail)

    def unsendable(self, fail: bool) -> int | None:
        return host_api.unsendable(fail)

    def host_error_seen(self) -> str:
        try:
            host_api.fail_variant(True)
        except Err as e:
            return f"{type(e).__name__}({e.value!r})"
        return "no error"

    def read_counter(self, c: Counter) -> int:
        return c.bump(10)

    def take_counter(self, c: Counter) -> int:
        with c:
            return c.bump(1)

    def make_counter(self, start: int) -> Counter:
        return Counter(start)

    def counter_round_trip(self, start: int) -> int:
        c = Counter.make(start)
        c.bump(1)
        return host_api.lend_counter(c) + host_api.give_counter(c)

    def counter_scratch(self, start: int) -> int:
        with Counter(start) as c:
            c.bump(2)
            return c.get()

    def acc_total(self, a: Acc) -> int:
        return a.total()

    def consume_acc(self, a: Acc) -> int:
        return a.total()

    def maybe_acc(self, start: int | None) -> Acc | None:
        return None if start is None else Acc(start)

    def crash(self, msg: str) -> int:
        raise RuntimeError(msg)

    def call_explode(self) -> None:
        host_api.explode()
