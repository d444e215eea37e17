"""
The boundary between an app and the fake host of its native tests.

Generated guest bindings call imported functions through this module when they run
natively, under pytest, instead of inside a component: it finds the host installed by
`<world>.native.host(impl)`, checks every value that crosses as the component boundary
would (what fails to lower or traps in wasm raises here), and translates resources: the
app holds instances of the bindings' resource classes, the host holds its own objects.

- Arguments and results are checked against their WIT types: `TypeError` for a value of
  the wrong class (a `bool` where an integer is expected, a `str` of length other than
  one for a `char`, a wrong tuple arity), `OverflowError` for an integer outside its
  range, `ValueError` for a lone surrogate, a `list<T, N>` of another length, or a
  resource that was dropped or moved. The message names the function and the argument
  or result path (`wit_world.imports.fs.stat: result.size: ...`).
- A function whose own result is a `result` lets the host raise `Err(e)`: `e` is checked
  and the `Err` reaches the app, as in wasm. Any other exception propagates unchanged.
- A resource the host returns becomes a new instance of the resource's class (one per
  handle, as in wasm); calls on it reach the host's object. Passing an instance as an
  `own` argument moves it to the host (the instance is then unusable); as a `borrow`,
  lends it. Leaving its `with` block, or its collection, calls the host object's
  `drop()` once.
- No copies: records, lists and strings are the same objects on both sides, except
  where a resource inside them is translated. Nothing traps: a failed check raises, and
  the app and its host keep running.
- An `error-context` is an `int` in the bindings: natively it passes as it is (checked to
  be an `int`); nothing creates one or reads its message.

This file is copied verbatim into generated bindings (`<world>/native/_boundary.py`);
only generated modules use it.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import weakref
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, Generic, TypeVar, cast

from componentize_py_types import Err, Ok, Some

_T = TypeVar("_T")
_R = TypeVar("_R")

# ---------------------------------------------------------------- the installed host

_PACKAGE = __name__.rpartition(".")[0]
_HOST: ContextVar[object | None] = ContextVar(f"{_PACKAGE}.host", default=None)


def current() -> Any:
    """The host installed by the innermost `host(...)` block of this thread or task."""
    impl = _HOST.get()
    if impl is None:
        raise RuntimeError(
            "no host is installed: call imported functions inside"
            f" `with {_PACKAGE}.host(impl):`"
        )
    return impl


@contextlib.contextmanager
def install(impl: _T) -> Iterator[_T]:
    """Install `impl` as the host for the `with` block (see `<world>.native.host`)."""
    token = _HOST.set(impl)
    try:
        yield impl
    finally:
        _HOST.reset(token)


# ---------------------------------------------------------------- failures


class _Mismatch(Exception):
    """A value failed its check; `path` grows as the failure leaves nested values."""

    def __init__(self, kind: type[Exception], problem: str) -> None:
        super().__init__(problem)
        self.kind = kind
        self.problem = problem
        self.path: list[str] = []

    def error(self, label: str, where: str) -> Exception:
        path = "".join(reversed(self.path))
        return self.kind(f"{label}: {where}{path}: {self.problem}")


def _expected(what: str, value: object) -> _Mismatch:
    return _Mismatch(TypeError, f"expected {what}, got {type(value).__name__}")


# ---------------------------------------------------------------- types


class Type:
    """A WIT type: checks values and translates the resources inside them.

    `lower` takes a value from the app to the host (it appends the handles an `own`
    argument moves to `moves`, which the caller commits once every argument passed);
    `lift` takes a value from the host to the app. Both return the value itself unless a
    resource inside it had to be translated (`translates`).
    """

    translates = False

    def lower(self, value: object, moves: list[_Handle]) -> object:
        return self.check(value)

    def lift(self, value: object) -> object:
        return self.check(value)

    def check(self, value: object) -> object:
        raise NotImplementedError


class _Bool(Type):
    def check(self, value: object) -> object:
        if isinstance(value, bool):
            return value
        raise _expected("bool", value)


class _Int(Type):
    def __init__(self, wit: str, low: int, high: int) -> None:
        self.wit, self.low, self.high = wit, low, high

    def check(self, value: object) -> object:
        if type(value) is int and self.low <= value <= self.high:
            return value
        if not isinstance(value, int) or isinstance(value, bool):
            raise _expected(f"int ({self.wit})", value)
        if self.low <= value <= self.high:
            return value
        raise _Mismatch(
            OverflowError,
            f"{value} is out of range for {self.wit} ({self.low}..{self.high})",
        )


# The smallest magnitude that rounds to infinity as an f32 (half an ulp above its maximum).
_F32_LIMIT = 2.0**128 - 2.0**103


class _Float(Type):
    def __init__(self, wit: str, limit: float) -> None:
        self.wit, self.limit = wit, limit

    def check(self, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, float | int):
            raise _expected(f"float ({self.wit})", value)
        if isinstance(value, float) and not math.isfinite(value):
            return value
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if -self.limit < number < self.limit:
            return number
        raise _Mismatch(OverflowError, f"{value} is out of range for {self.wit}")


class _Char(Type):
    def check(self, value: object) -> object:
        if not isinstance(value, str) or len(value) != 1:
            what = f"str of length {len(value)}" if isinstance(value, str) else None
            raise _Mismatch(
                TypeError,
                f"expected a str of length 1 (char), got {what or type(value).__name__}",
            )
        if "\ud800" <= value <= "\udfff":
            raise _Mismatch(ValueError, f"{value!r} is a surrogate, not a char")
        return value


class _String(Type):
    def check(self, value: object) -> object:
        if not isinstance(value, str):
            raise _expected("str", value)
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise _Mismatch(
                    ValueError, "the string holds a lone surrogate (not UTF-8)"
                ) from None
        return value


class _Bytes(Type):
    def check(self, value: object) -> object:
        if isinstance(value, bytes):
            return value
        if isinstance(value, bytearray | memoryview):
            return bytes(value)
        raise _expected("bytes", value)


class _ErrorContext(Type):
    def check(self, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _expected("int (error-context)", value)


class _Unit(Type):
    """The missing payload of a `result` side: `None`."""

    def check(self, value: object) -> object:
        if value is None:
            return value
        raise _expected("None", value)


BOOL: Type = _Bool()
U8: Type = _Int("u8", 0, 0xFF)
U16: Type = _Int("u16", 0, 0xFFFF)
U32: Type = _Int("u32", 0, 0xFFFF_FFFF)
U64: Type = _Int("u64", 0, 0xFFFF_FFFF_FFFF_FFFF)
S8: Type = _Int("s8", -0x80, 0x7F)
S16: Type = _Int("s16", -0x8000, 0x7FFF)
S32: Type = _Int("s32", -0x8000_0000, 0x7FFF_FFFF)
S64: Type = _Int("s64", -0x8000_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF)
F32: Type = _Float("f32", _F32_LIMIT)
F64: Type = _Float("f64", math.inf)
CHAR: Type = _Char()
STRING: Type = _String()
BYTES: Type = _Bytes()
ERROR_CONTEXT: Type = _ErrorContext()
UNIT: Type = _Unit()


class _Each(Type):
    """A type built from others; `each(value, convert)` applies `convert(type, item)` to
    each part, turning a nested failure's path into the part's."""

    def __init__(self, *parts: Type) -> None:
        self.translates = any(p.translates for p in parts)

    def lower(self, value: object, moves: list[_Handle]) -> object:
        return self.each(value, lambda t, v: t.lower(v, moves))

    def lift(self, value: object) -> object:
        return self.each(value, lambda t, v: t.lift(v))

    def each(self, value: object, convert: Callable[[Type, object], object]) -> object:
        raise NotImplementedError


def _items(
    value: list[Any] | tuple[Any, ...],
    item: Type,
    convert: Callable[[Type, object], object],
) -> list[object]:
    out: list[object] = []
    for i, v in enumerate(value):
        try:
            out.append(convert(item, v))
        except _Mismatch as e:
            e.path.append(f"[{i}]")
            raise
    return out


class List(_Each):
    """`list<T>`: a `list` (a `tuple` is accepted and becomes a list)."""

    def __init__(self, item: Type) -> None:
        super().__init__(item)
        self.item = item

    def each(self, value: object, convert: Callable[[Type, object], object]) -> object:
        if not isinstance(value, list | tuple):
            raise _expected("list", value)
        out = _items(value, self.item, convert)
        return out if self.translates or type(value) is not list else value


class FixedList(List):
    """`list<T, N>`: a list of exactly N items."""

    def __init__(self, item: Type, size: int) -> None:
        super().__init__(item)
        self.size = size

    def each(self, value: object, convert: Callable[[Type, object], object]) -> object:
        if isinstance(value, list | tuple) and len(value) != self.size:
            raise _Mismatch(ValueError, f"expected {self.size} items, got {len(value)}")
        return super().each(value, convert)


class Map(_Each):
    """`map<K, V>`: a `dict`."""

    def __init__(self, key: Type, value: Type) -> None:
        super().__init__(key, value)
        self.key, self.value = key, value

    def each(self, value: object, convert: Callable[[Type, object], object]) -> object:
        if not isinstance(value, dict):
            raise _expected("dict", value)
        out: dict[object, object] = {}
        for k, v in value.items():
            try:
                out[convert(self.key, k)] = convert(self.value, v)
            except _Mismatch as e:
                e.path.append(f"[{k!r}]")
                raise
        return out if self.translates else value


class Tuple(_Each):
    """`tuple<A, B, ...>`: a `tuple` of that many items (a `list` is accepted)."""

    def __init__(self, *items: Type) -> None:
        super().__init__(*items)
        self.items = items

    def each(self, value: object, convert: Callable[[Type, object], object]) -> object:
        if not isinstance(value, tuple | list):
            raise _expected(f"tuple of {len(self.items)}", value)
        if len(value) != len(self.items):
            raise _Mismatch(
                TypeError,
                f"expected a tuple of {len(self.items)}, got {len(value)} items",
            )
        out = []
        for i, (t, v) in enumerate(zip(self.items, value, strict=True)):
            try:
                out.append(convert(t, v))
            except _Mismatch as e:
                e.path.append(f"[{i}]")
                raise
        return tuple(out) if self.translates or type(value) is not tuple else value


class Option(_Each):
    """`option<T>`: `None` or the value; with `nested` (T is itself an option), `None`
    or `Some(value)`."""

    def __init__(self, item: Type, *, nested: bool = False) -> None:
        super().__init__(item)
        self.item, self.nested = item, nested

    def each(self, value: object, convert: Callable[[Type, object], object]) -> object:
        if value is None:
            return None
        if not self.nested:
            return convert(self.item, value)
        if not isinstance(value, Some):
            raise _expected("None or Some", value)
        try:
            inner = convert(self.item, value.value)
        except _Mismatch as e:
            e.path.append(".value")
            raise
        return Some(inner) if inner is not value.value else value


class Result(_Each):
    """`result<T, E>`: `Ok(value)` or `Err(error)` (a missing side holds `None`)."""

    def __init__(self, ok: Type | None, err: Type | None) -> None:
        self.ok, self.err = ok or UNIT, err or UNIT
        super().__init__(self.ok, self.err)

    def each(self, value: object, convert: Callable[[Type, object], object]) -> object:
        case: Callable[[object], object]
        if isinstance(value, Ok):
            case, part = Ok, self.ok
        elif isinstance(value, Err):
            case, part = Err, self.err
        else:
            raise _expected("Ok or Err", value)
        try:
            inner = convert(part, value.value)
        except _Mismatch as e:
            e.path.append(".value")
            raise
        return case(inner) if inner is not value.value else value


class Record(_Each):
    """A record: an instance of its dataclass, each field (by attribute name) checked."""

    def __init__(self, cls: type, /, **fields: Type) -> None:
        super().__init__(*fields.values())
        self.cls, self.fields = cls, tuple(fields.items())

    def each(self, value: object, convert: Callable[[Type, object], object]) -> object:
        if not isinstance(value, self.cls):
            raise _expected(self.cls.__qualname__, value)
        changed: dict[str, object] = {}
        for name, t in self.fields:
            old = getattr(value, name)
            try:
                new = convert(t, old)
            except _Mismatch as e:
                e.path.append(f".{name}")
                raise
            if new is not old:
                changed[name] = new
        if not changed:
            return value
        fields = {name: getattr(value, name) for name, _ in self.fields}
        return type(value)(**(fields | changed))


def case(cls: type, payload: Type | None = None) -> tuple[type, Type | None]:
    """A case of a variant: its class, and the type of its payload (if it has one)."""
    return cls, payload


class Variant(_Each):
    """A variant (`name` in messages): an instance of one of its `case`s, the payload
    checked."""

    def __init__(self, name: str, *cases: tuple[type, Type | None]) -> None:
        super().__init__(*(t for _, t in cases if t is not None))
        self.name, self.cases = name, dict(cases)

    def each(self, value: object, convert: Callable[[Type, object], object]) -> object:
        cls = type(value)
        if cls not in self.cases:
            found = [c for c in self.cases if isinstance(value, c)]
            if not found:
                raise _expected(f"a case of {self.name}", value)
            cls = found[0]
        payload = self.cases[cls]
        if payload is None:
            return value
        old = cast(Any, value).value
        try:
            new = convert(payload, old)
        except _Mismatch as e:
            e.path.append(".value")
            raise
        return cast(Any, type(value))(new) if new is not old else value


class Enum(Type):
    """An enum or flags type: an instance of its class."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def check(self, value: object) -> object:
        if isinstance(value, self.cls):
            return value
        raise _expected(self.cls.__qualname__, value)


Flags = Enum


# ---------------------------------------------------------------- resources


class _Handle:
    """What an instance of an imported resource's class holds: the host's object, while
    the handle is live."""

    __slots__ = ("host", "key", "state")

    def __init__(self, key: int, host: object) -> None:
        self.key, self.host, self.state = key, host, "live"

    def release(self, state: str) -> object:
        """End the handle (`state` says how); the host object, if it was live."""
        host, self.host = self.host, None
        if self.state != "live":
            return None
        self.state = state
        return host

    def drop(self) -> None:
        """The instance was dropped: call the host object's `drop()`, once."""
        host = self.release("dropped")
        drop = getattr(host, "drop", None)
        if callable(drop):
            drop()

    def collected(self) -> None:
        _HANDLES.pop(self.key, None)
        self.drop()


# The handle of every instance of an imported resource's class, by `id()`; an entry
# leaves when its instance is collected (dropped first, if it was live).
_HANDLES: dict[int, _Handle] = {}


def _adopt(instance: object, host: object) -> None:
    key = id(instance)
    handle = _HANDLES[key] = _Handle(key, host)
    # not at exit: the host's `drop()` would run while the interpreter shuts down
    weakref.finalize(instance, handle.collected).atexit = False


def _host_of(instance: object, what: str) -> _Handle:
    handle = _HANDLES.get(id(instance))
    if handle is None:
        raise _Mismatch(
            ValueError, f"the {what} has no handle (its constructor failed)"
        )
    if handle.state != "live":
        raise _Mismatch(ValueError, f"the {what} was {handle.state}")
    return handle


def drop(instance: object) -> None:
    """Drop an instance's handle: its host object's `drop()` runs, once; later calls on
    the instance raise `ValueError`. Dropping twice does nothing."""
    handle = _HANDLES.get(id(instance))
    if handle is not None:
        handle.drop()


class Resource(Type):
    """An imported resource (`own<R>`, or `R`): `cls` is the app's class, `protocol`
    the Protocol the host's objects implement."""

    translates = True

    def __init__(self, cls: type, protocol: type) -> None:
        self.cls, self.protocol = cls, protocol

    def lower(self, value: object, moves: list[_Handle]) -> object:
        if not isinstance(value, self.cls):
            raise _expected(self.cls.__qualname__, value)
        handle = _host_of(value, self.cls.__qualname__)
        moves.append(handle)
        return handle.host

    def lift(self, value: object) -> object:
        if isinstance(value, self.cls):  # an instance the app holds, given back
            _host_of(value, self.cls.__qualname__)
            return value
        if not isinstance(value, self.protocol):
            raise _Mismatch(
                TypeError,
                f"expected an object implementing {self.protocol.__qualname__} (the"
                f" host side of {self.cls.__qualname__}), got {type(value).__name__}",
            )
        instance: object = object.__new__(self.cls)
        _adopt(instance, value)
        return instance

    def adopt(self, instance: object, value: object) -> None:
        """Make `instance` (being constructed) hold `value`, the host's new object."""
        if not isinstance(value, self.protocol):
            raise _Mismatch(
                TypeError,
                f"expected an object implementing {self.protocol.__qualname__},"
                f" got {type(value).__name__}",
            )
        _adopt(instance, value)


class Borrow(Type):
    """`borrow<R>`: the host's object is lent for the call; the app keeps its instance."""

    translates = True

    def __init__(self, resource: Resource) -> None:
        self.resource = resource

    def lower(self, value: object, moves: list[_Handle]) -> object:
        return self.resource.lower(value, [])

    def lift(self, value: object) -> object:
        return self.resource.lift(value)


def _commit(moves: list[_Handle]) -> None:
    """Every argument passed its checks: the handles of `own` arguments move to the host."""
    seen: set[int] = set()
    for handle in moves:
        if handle.key in seen:
            raise _Mismatch(ValueError, "the same resource is moved twice in one call")
        seen.add(handle.key)
    for handle in moves:
        handle.release("moved to the host")


# ---------------------------------------------------------------- calls


def params(**types: Type) -> tuple[tuple[str, Type], ...]:
    """The parameters of a function: their names (for messages) and types, in order."""
    return tuple(types.items())


class Function(Generic[_R]):
    """An imported function (or a resource's static function), as the app calls it.

    `host` is the path of the host's method from the installed host (`"fs.stat"` for
    `current().fs.stat`); `params` come from `params`; `result` is the type of what the
    function returns (None
    when nothing is returned or only `None`), `error` the error type of a function whose
    own result is a `result` (UNIT when it has none; None when the function does not
    raise). An `asynchronous` function returns a coroutine; the host's method may return
    an awaitable or the value itself.
    """

    def __init__(
        self,
        label: str,
        *,
        host: str,
        params: tuple[tuple[str, Type], ...] = (),
        result: Type | None = None,
        error: Type | None = None,
        asynchronous: bool = False,
    ) -> None:
        self.label, self.path, self.params = label, tuple(host.split(".")), params
        self.result, self.error, self.asynchronous = result, error, asynchronous

    def __call__(self, *args: object) -> _R:
        value: _R = self.invoke(self.target(current()), args)
        return value

    def target(self, start: object) -> Callable[..., object]:
        found = start
        for name in self.path:
            try:
                found = getattr(found, name)
            except AttributeError:
                raise AttributeError(
                    f"{self.label}: the installed host has no `{'.'.join(self.path)}`"
                ) from None
        return cast(Callable[..., object], found)

    def invoke(self, target: Callable[..., object], args: tuple[object, ...]) -> Any:
        moves: list[_Handle] = []
        lowered = []
        for (name, t), value in zip(self.params, args, strict=True):
            try:
                lowered.append(t.lower(value, moves))
            except _Mismatch as e:
                raise e.error(self.label, f"argument {name}") from None
        try:
            _commit(moves)
        except _Mismatch as e:
            raise e.error(self.label, "arguments") from None
        if self.asynchronous:
            return self._awaited(target, lowered)
        try:
            value = target(*lowered)
        except Err as e:
            raise self._error(e) from None
        return self._returned(value)

    async def _awaited(self, target: Callable[..., object], args: list[object]) -> Any:
        try:
            value = target(*args)
            if inspect.isawaitable(value):
                value = await value
        except Err as e:
            raise self._error(e) from None
        return self._returned(value)

    def _returned(self, value: object) -> Any:
        if self.result is None:
            return None
        try:
            return self.result.lift(value)
        except _Mismatch as e:
            raise e.error(self.label, "result") from None

    def _error(self, raised: Err[Any]) -> BaseException:
        """What the app sees when the host raises `Err`: the same `Err`, or one holding
        the translated value; a failed check instead (or the `Err` itself, unchanged,
        where the function does not raise: it then propagates like any exception)."""
        if self.error is None:
            unchanged: BaseException = raised
            return unchanged
        try:
            value = self.error.lift(raised.value)
        except _Mismatch as e:
            return e.error(self.label, "Err value")
        seen: BaseException = raised if value is raised.value else Err(value)
        return seen


class Method(Function[_R]):
    """A method of an imported resource: the first argument is the app's instance, whose
    host object's method `host` is called."""

    def __init__(self, label: str, resource: Resource, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.resource = resource

    def __call__(self, *args: object) -> _R:
        instance, rest = args[0], args[1:]
        try:
            handle = _host_of(instance, self.resource.cls.__qualname__)
        except _Mismatch as e:
            raise e.error(self.label, "self") from None
        value: _R = self.invoke(self.target(handle.host), rest)
        return value


class Constructor(Function[None]):
    """The constructor of an imported resource: the first argument is the instance being
    constructed, which then holds the object the host's method returns."""

    def __init__(self, label: str, resource: Resource, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.resource = resource

    def __call__(self, *args: object) -> None:
        instance, rest = args[0], args[1:]
        created = self.invoke(self.target(current()), rest)
        try:
            self.resource.adopt(instance, created)
        except _Mismatch as e:
            raise e.error(self.label, "result") from None

    def _returned(self, value: object) -> Any:
        return value
