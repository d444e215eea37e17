"""
Private runtime of these bindings: result types, traps, value checks, host-object tables,
the checks of `add_to_linker`, WASI for stores without it, and guest handles.

Only the generated modules import it; the package re-exports `Ok`, `Err`, `Some`,
`Result` and `Trap`.
"""

from __future__ import annotations

import functools
import math
import warnings
import weakref
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, NoReturn, Protocol, Self, TypeVar, cast

import wasmtime
from wasmtime import Store, StoreContext
from wasmtime.component import (
    Component,
    Func,
    Instance,
    Linker,
    LinkerInstance,
    Record,
    ResourceAny,
    ResourceHost,
    ResourceType,
    Variant,
)

__all__ = [
    "Cx",
    "Err",
    "Handle",
    "HostError",
    "Instance",
    "Linker",
    "LinkerInstance",
    "Ok",
    "Record",
    "ResourceAny",
    "ResourceHost",
    "ResourceType",
    "Result",
    "Some",
    "State",
    "Store",
    "StoreContext",
    "Table",
    "Trap",
    "Variant",
    "abstractmethod",
    "cast",
]

S = TypeVar("S")
T = TypeVar("T")
E = TypeVar("E")
H = TypeVar("H", bound="Handle")


@dataclass
class Some(Generic[S]):
    """
    The present case of a nested `option` (`option<option<T>>`).

    A plain `option<T>` is `Optional[T]`.
    """

    value: S


@dataclass
class Ok(Generic[T]):
    """
    The success case of a `result` value.
    """

    value: T


@dataclass(frozen=True)
class Err(Exception, Generic[E]):
    """
    The failure case of a `result` value.

    A function whose own result is a `result` raises it instead of returning it, in export
    wrappers and in host implementations alike. Each such export wrapper has a twin,
    `<name>_result`, that returns it instead: a `Result` whose error type mypy knows.
    """

    value: E


Result = Ok[T] | Err[E]
"""
A `result` value: `Ok(value)` or `Err(value)`.
"""


class Trap(wasmtime.WasmtimeError):
    """
    The guest trapped, or a host implementation failed during a call into the guest.

    `__cause__` holds the original exception. The instance is unusable afterwards: every
    later call on it or on its handles raises `Trap` at once.
    """


class HostError(Exception):
    """
    Carries an exception raised by a host implementation out through wasm, unchanged.
    """

    def __init__(self, original: BaseException) -> None:
        super().__init__(original)
        self.original = original


def unwrap(result: Result[T, E]) -> T:
    """The value of `Ok`; an `Err` is raised."""
    if isinstance(result, Err):
        raise result
    return result.value


# ---------------------------------------------------------------- value checks


def expected(what: str, value: object) -> TypeError:
    return TypeError(f"expected {what}, got {type(value).__name__}")


def bool_(v: object) -> bool:
    if isinstance(v, bool):
        return v
    raise expected("bool", v)


def _int(v: object, lo: int, hi: int, wit: str) -> int:
    if not isinstance(v, int) or isinstance(v, bool):
        raise expected(f"int ({wit})", v)
    if lo <= v <= hi:
        return v
    raise OverflowError(f"{v} is out of range for {wit} ({lo}..{hi})")


# Each check takes the common case (an exact `int` in range) without a second call.


def u8(v: object) -> int:
    if type(v) is int and 0 <= v <= 0xFF:
        return v
    return _int(v, 0, 0xFF, "u8")


def u16(v: object) -> int:
    if type(v) is int and 0 <= v <= 0xFFFF:
        return v
    return _int(v, 0, 0xFFFF, "u16")


def u32(v: object) -> int:
    if type(v) is int and 0 <= v <= 0xFFFF_FFFF:
        return v
    return _int(v, 0, 0xFFFF_FFFF, "u32")


def u64(v: object) -> int:
    if type(v) is int and 0 <= v <= 0xFFFF_FFFF_FFFF_FFFF:
        return v
    return _int(v, 0, 0xFFFF_FFFF_FFFF_FFFF, "u64")


def s8(v: object) -> int:
    if type(v) is int and -0x80 <= v <= 0x7F:
        return v
    return _int(v, -0x80, 0x7F, "s8")


def s16(v: object) -> int:
    if type(v) is int and -0x8000 <= v <= 0x7FFF:
        return v
    return _int(v, -0x8000, 0x7FFF, "s16")


def s32(v: object) -> int:
    if type(v) is int and -0x8000_0000 <= v <= 0x7FFF_FFFF:
        return v
    return _int(v, -0x8000_0000, 0x7FFF_FFFF, "s32")


def s64(v: object) -> int:
    if type(v) is int and -0x8000_0000_0000_0000 <= v <= 0x7FFF_FFFF_FFFF_FFFF:
        return v
    return _int(v, -0x8000_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, "s64")


# The smallest magnitude that rounds to infinity as an f32 (half an ulp above its maximum).
_F32_LIMIT = 2.0**128 - 2.0**103


def f32(v: object) -> float:
    if type(v) is float and -_F32_LIMIT < v < _F32_LIMIT:
        return v
    if isinstance(v, bool) or not isinstance(v, float | int):
        raise expected("float (f32)", v)
    # infinities and NaN are f32 values; a finite value that would round to infinity is not
    if -_F32_LIMIT < v < _F32_LIMIT or (isinstance(v, float) and not math.isfinite(v)):
        return v if isinstance(v, float) else float(v)
    raise OverflowError(f"{v} is out of range for f32 (magnitude up to 3.4028235e+38)")


def f64(v: object) -> float:
    if type(v) is float or isinstance(v, float):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    raise expected("float (f64)", v)


def char(v: object) -> str:
    if not isinstance(v, str) or len(v) != 1:
        what = f"str of length {len(v)}" if isinstance(v, str) else type(v).__name__
        raise TypeError(f"expected a str of length 1 (char), got {what}")
    if "\ud800" <= v <= "\udfff":
        raise ValueError(f"{v!r} is a surrogate, not a Unicode scalar value (char)")
    return v


def string(v: object) -> str:
    if not isinstance(v, str):
        raise expected("str", v)
    if not v.isascii():
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("the string holds a lone surrogate (not UTF-8)") from None
    return v


def bytes_(v: object) -> bytes:
    if isinstance(v, bytes):
        return v
    if isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    raise expected("bytes", v)


def s8_lower(v: object) -> list[int]:
    return memoryview(bytes_(v)).cast("b").tolist()


def s8_lift(v: list[int]) -> bytes:
    return bytes(x & 0xFF for x in v)


def seq(v: object) -> list[Any] | tuple[Any, ...]:
    if isinstance(v, (list, tuple)):
        return v
    raise expected("list", v)


# Lists of scalars: a list whose elements all pass is sent as it is (wasmtime only reads it),
# checked in C (element types, then range or ASCII); anything else goes element by element,
# which converts what may be converted and raises the precise error.

_INT = frozenset({int})
_BOOL = frozenset({bool})
_FLOAT = frozenset({float})
_ONE = frozenset({1})


def _ints(
    lo: int, hi: int, check: Callable[[object], int]
) -> Callable[[object], list[int]]:
    def lower(v: object) -> list[int]:
        if type(v) is list and (
            not v or (set(map(type, v)) <= _INT and lo <= min(v) and max(v) <= hi)
        ):
            return v
        return [check(x) for x in seq(v)]

    return lower


list_u16 = _ints(0, 0xFFFF, u16)
list_u32 = _ints(0, 0xFFFF_FFFF, u32)
list_u64 = _ints(0, 0xFFFF_FFFF_FFFF_FFFF, u64)
list_s16 = _ints(-0x8000, 0x7FFF, s16)
list_s32 = _ints(-0x8000_0000, 0x7FFF_FFFF, s32)
list_s64 = _ints(-0x8000_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, s64)


def _floats(
    check: Callable[[object], float], limit: float | None
) -> Callable[[object], list[float]]:
    # (`min` and `max` skip a NaN that is not first, and a NaN first fails the bounds: either
    # way a value out of bounds is never missed)
    def lower(v: object) -> list[float]:
        if (
            type(v) is list
            and set(map(type, v)) <= _FLOAT
            and (limit is None or not v or (-limit < min(v) and max(v) < limit))
        ):
            return v
        return [check(x) for x in seq(v)]

    return lower


list_f32 = _floats(f32, _F32_LIMIT)
list_f64 = _floats(f64, None)


def list_bool(v: object) -> list[bool]:
    if type(v) is list and set(map(type, v)) <= _BOOL:
        return v
    return [bool_(x) for x in seq(v)]


def list_string(v: object) -> list[str]:
    if type(v) is list:
        try:
            if "".join(v).isascii():
                return v
        except TypeError:
            pass
    return [string(x) for x in seq(v)]


def list_char(v: object) -> list[str]:
    if type(v) is list:
        try:
            if "".join(v).isascii() and set(map(len, v)) <= _ONE:
                return v
        except TypeError:
            pass
    return [char(x) for x in seq(v)]


def tup(v: object, n: int) -> tuple[Any, ...]:
    if isinstance(v, tuple) and len(v) == n:
        return v
    what = f"tuple of length {len(v)}" if isinstance(v, tuple) else type(v).__name__
    raise TypeError(f"expected a tuple of length {n}, got {what}")


def flags_out(bits: int, labels: tuple[str, ...]) -> set[str]:
    return {label for i, label in enumerate(labels) if bits >> i & 1}


def flags_in(v: Any, labels: tuple[str, ...]) -> int:
    bits = 0
    for label in v:
        bits |= 1 << labels.index(label)
    return bits


# ---------------------------------------------------------------- host objects


class _Droppable(Protocol):
    def drop(self) -> None: ...


class Table:
    """
    The host objects that guests of one Linker hold handles to, by rep.
    """

    def __init__(self) -> None:
        self.objects: dict[int, object] = {}
        self.next = 1

    def add(self, obj: object) -> int:
        rep = self.next
        while rep in self.objects:
            rep = rep % 0xFFFF_FFFF + 1
        self.next = rep % 0xFFFF_FFFF + 1
        self.objects[rep] = obj
        return rep

    def get(self, rep: int) -> object:
        try:
            return self.objects[rep]
        except KeyError:
            raise LookupError(f"no host object has rep {rep}") from None

    def pop(self, rep: int) -> object:
        try:
            return self.objects.pop(rep)
        except KeyError:
            raise LookupError(f"no host object has rep {rep}") from None

    def dtor(self, store: StoreContext, rep: int) -> None:
        """The guest dropped its handle `rep`: forget the object and call its `drop()`."""
        try:
            cast(_Droppable, self.pop(rep)).drop()
        except BaseException as e:
            raise HostError(e) from e


_TABLES: weakref.WeakKeyDictionary[Linker, Table] = weakref.WeakKeyDictionary()


def table(linker: Linker) -> Table:
    """The host-object table of `linker` (made on first use)."""
    found = _TABLES.get(linker)
    if found is None:
        found = _TABLES[linker] = Table()
    return found


def add_instance(root: LinkerInstance, name: str) -> None:
    """Define an instance with nothing in it (an interface of types only)."""
    with root.add_instance(name):
        pass


# ---------------------------------------------------------------- linking


# What `add_to_linker` needs of `host`: per attribute of `host` ("" for `host` itself), the
# methods the object there must have.
Needs = tuple[tuple[str, tuple[str, ...]], ...]

# The Linkers this package's `add_to_linker` defined its world in, and those it added WASI to.
_LINKED: weakref.WeakSet[Linker] = weakref.WeakSet()
_WITH_WASI: weakref.WeakSet[Linker] = weakref.WeakSet()


def missing(host: object, needs: Needs) -> list[str]:
    """What of `needs` `host` lacks, in order: `host.f` for a method, `host.i` for a whole
    object and `host.i.f` for a method of one."""
    out: list[str] = []
    for attribute, methods in needs:
        where, obj = "host", host
        if attribute:
            where, obj = f"host.{attribute}", getattr(host, attribute, None)
            if obj is None:
                out.append(where)
                continue
        out += [
            f"{where}.{name}"
            for name in methods
            if not callable(getattr(obj, name, None))
        ]
    return out


def prepare_linker(
    linker: Linker, host: object, needs: Needs, world: str, wasi: bool
) -> None:
    """What `add_to_linker` does before it defines anything: check that `host` has every
    method the world's imports call, that `linker` does not hold the world yet, and add WASI
    when `wasi`."""
    lacking = missing(host, needs)
    if lacking:
        raise TypeError(
            f"`host` does not provide everything the world `{world}` imports; "
            f"missing: {', '.join(lacking)}"
        )
    if linker in _LINKED:
        raise ValueError(
            "add_to_linker was already called on this Linker; call it once per Linker "
            "(every instance made with the Linker shares its `host`)"
        )
    if wasi:
        try:
            linker.add_wasip2()
        except wasmtime.WasmtimeError as e:
            if "defined twice" not in str(e):
                raise
            raise ValueError(
                "this Linker already has WASI (from `linker.add_wasip2()` or another "
                "add_to_linker): pass `wasi=False`"
            ) from e
        _WITH_WASI.add(linker)
    _LINKED.add(linker)


def guard(f: Callable[..., object]) -> Callable[..., object]:
    """Wrap a host callback so that whatever it raises reaches the caller unchanged."""

    def run(store: StoreContext, *args: Any) -> object:
        try:
            return f(store, *args)
        except BaseException as e:
            raise HostError(e) from e

    return run


# ---------------------------------------------------------------- instances and calls


_POST_RETURN: list[bool] = []


def post_return_needed() -> bool:
    """Whether export calls must be followed by `Func.post_return`.

    On wasmtime 50 a call does the guest's post-return itself and `post_return` changes
    nothing (the guest's memory behaves the same without it) but costs about 0.6 µs; it is
    kept for older versions, which may need it. Decided once, at the first instantiation.
    """
    if not _POST_RETURN:
        from importlib import metadata

        try:
            major = int(metadata.version("wasmtime").split(".")[0])
        except (metadata.PackageNotFoundError, ValueError):
            major = 0
        _POST_RETURN.append(major < 50)
    return _POST_RETURN[0]


# wasmtime-py cannot tell whether a Store has a WASI context, and a guest calling WASI in a
# Store without one aborts the process. So the first generated package imported wraps
# `Store.__init__` and `Store.set_wasi` to record the stores made, and those given WASI, from
# then on; every generated package in the process shares the wrappers and their records.
# A store made before that is never touched: whether it has WASI is unknown.

_WATCH = "_witgen_stores"
Stores = tuple[weakref.WeakSet[Store], weakref.WeakSet[Store]]


def _watch_stores() -> Stores | None:
    """(stores made, stores given WASI), recorded since the wrappers were installed; None
    when `Store` cannot be wrapped."""
    found = getattr(Store.set_wasi, _WATCH, None)
    if found is not None:
        return cast(Stores, found)
    made: weakref.WeakSet[Store] = weakref.WeakSet()
    with_wasi: weakref.WeakSet[Store] = weakref.WeakSet()
    init, set_wasi = Store.__init__, Store.set_wasi

    @functools.wraps(init)
    def watched_init(self: Store, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        made.add(self)

    @functools.wraps(set_wasi)
    def watched_set_wasi(self: Store, wasi: wasmtime.WasiConfig) -> None:
        set_wasi(self, wasi)
        with_wasi.add(self)

    setattr(watched_set_wasi, _WATCH, (made, with_wasi))
    replaced: list[tuple[str, object]] = []
    for name, new in (("__init__", watched_init), ("set_wasi", watched_set_wasi)):
        old = getattr(Store, name)
        try:
            setattr(Store, name, new)
        except (AttributeError, TypeError):  # a `Store` that cannot be wrapped
            for done, original in replaced:
                setattr(Store, done, original)
            return None
        replaced.append((name, old))
    return made, with_wasi


_STORES = _watch_stores()


def instantiate(linker: Linker, store: Store, component: Component) -> Instance:
    """`linker.instantiate(store, component)`; when `add_to_linker` added WASI to `linker` and
    `store` surely has no WASI context, it gets a default `WasiConfig()` first."""
    if linker in _WITH_WASI and _STORES is not None:
        made, with_wasi = _STORES
        if store in made and store not in with_wasi:
            store.set_wasi(wasmtime.WasiConfig())
    return linker.instantiate(store, component)


class State:
    """
    One instance: its store, functions, host-object table and trap state.

    Generated export wrappers call `fns[i](store, ...)` themselves, then `post_return`
    if `post`, and pass whatever that raises to `fail`.
    """

    def __init__(
        self,
        store: Store,
        instance: Instance,
        table: Table,
        exports: tuple[tuple[str, tuple[str, ...]], ...],
    ) -> None:
        self.store = store
        self.instance = instance
        self.table = table
        self.cause: BaseException | None = None
        self.post = post_return_needed()
        fns: list[Func] = []
        for name, funcs in exports:
            parent = None
            if name:
                parent = instance.get_export_index(store, name)
                if parent is None:
                    raise LookupError(f"the component does not export `{name}`")
            for func_name in funcs:
                index = instance.get_export_index(store, func_name, parent)
                func = None if index is None else instance.get_func(store, index)
                if func is None:
                    where = f" from `{name}`" if name else ""
                    message = f"the component does not export `{func_name}`{where}"
                    raise LookupError(message)
                fns.append(func)
        self.fns = tuple(fns)

    def check(self) -> None:
        """Raise `Trap` if the instance trapped before."""
        if self.cause is not None:
            raise Trap(
                "the instance trapped earlier and cannot be used again; "
                "instantiate the component in a new Store"
            ) from self.cause

    def refuse(self, e: NotImplementedError) -> NoReturn:
        """Raise `Trap` for an argument wasmtime-py cannot send; nothing entered wasm, so the
        instance stays usable."""
        raise Trap(f"the argument cannot be sent: {e}") from e

    def fail(self, e: BaseException) -> NoReturn:
        """Poison the instance and raise `Trap` for `e`."""
        cause = e.original if isinstance(e, HostError) else e
        if self.cause is None:
            self.cause = cause
        if isinstance(cause, wasmtime.WasmtimeError):
            message = f"the guest trapped: {cause}"
        else:
            message = f"the host implementation raised {type(cause).__name__}: {cause}"
        raise Trap(message) from cause


def not_a(proto: type, obj: object) -> TypeError:
    """The error for `obj` where a host resource of Protocol `proto` belongs, naming the
    methods of the Protocol that `obj` lacks."""
    error = expected(proto.__name__, obj)
    public = [n for n in dir(proto) if not n.startswith("_")]
    lacking = [n for n in public if not callable(getattr(obj, n, None))]
    if lacking:
        error.args = (f"{error} (it lacks {', '.join(lacking)})",)
    return error


class Cx:
    """
    The handles of one call: host objects lent for it, guest handles moved by it.
    """

    __slots__ = ("lent", "moved", "st", "store", "table")

    def __init__(
        self,
        store: Store | StoreContext,
        table: Table,
        st: State | None,
    ) -> None:
        self.store = store
        self.table = table
        self.st = st
        self.lent: list[int] = []
        self.moved: list[Handle] = []

    def give(self, obj: object, proto: Any, rid: int) -> ResourceHost:
        if not isinstance(obj, proto):
            raise not_a(proto, obj)
        return ResourceHost.own(self.table.add(obj), rid)

    def lend(self, obj: object, proto: Any, rid: int) -> ResourceHost:
        if not isinstance(obj, proto):
            raise not_a(proto, obj)
        rep = self.table.add(obj)
        self.lent.append(rep)
        return ResourceHost.borrow(rep, rid)

    def get(self, res: ResourceAny) -> object:
        return self.table.get(res.to_host(self.store).rep)

    def take(self, res: ResourceAny) -> object:
        return self.table.pop(res.to_host(self.store).rep)

    def borrow(self, h: object, cls: type[Handle]) -> ResourceAny:
        if not isinstance(h, cls):
            raise expected(cls.__name__, h)
        if h._st is not self.st:
            raise ValueError(f"this {cls.__name__} handle belongs to another instance")
        if h._res is None:
            raise ValueError(f"this {cls.__name__} handle is closed")
        return h._res

    def move(self, h: object, cls: type[Handle]) -> ResourceAny:
        res = self.borrow(h, cls)
        if any(m is h for m in self.moved):
            raise ValueError(f"this {cls.__name__} handle is moved twice in one call")
        assert isinstance(h, Handle)
        self.moved.append(h)
        return res

    def wrap(self, res: ResourceAny, cls: type[H]) -> H:
        assert self.st is not None
        return cls(self.st, res)

    def commit(self) -> None:
        for h in self.moved:
            h._res = None

    def release(self) -> None:
        for rep in self.lent:
            self.table.objects.pop(rep, None)


class Handle:
    """
    A guest resource handle. `drop()` (or leaving a `with` block) destroys the resource.
    """

    __slots__ = ("_res", "_st")

    def __init__(self, st: State, res: ResourceAny) -> None:
        self._st = st
        self._res: ResourceAny | None = res

    def _use(self) -> ResourceAny:
        self._st.check()
        if self._res is None:
            raise ValueError(f"this {type(self).__name__} handle is closed")
        return self._res

    def drop(self) -> None:
        """
        Destroy the guest resource; later calls do nothing.
        """
        res, self._res = self._res, None
        if res is None or self._st.cause is not None:
            return
        try:
            res.drop(self._st.store)
        except BaseException as e:  # noqa: BLE001
            self._st.fail(e)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.drop()

    def __del__(self) -> None:
        if getattr(self, "_res", None) is not None:
            warnings.warn(
                f"a {type(self).__name__} handle was collected without drop(); "
                "its guest resource leaks",
                ResourceWarning,
                stacklevel=1,
            )
