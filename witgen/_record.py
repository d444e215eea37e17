"""Slotted record classes that cost almost nothing to define.

`dataclasses` builds every method of every class with `exec` at import time, and with
`slots=True` builds each class twice; for the ~170 classes of the syntax tree and the
model that was a quarter of `witgen check`'s start-up. `@record` gives the same classes
(typed as dataclasses through `dataclass_transform`, so mypy checks constructor calls)
at a fraction of the cost: `__eq__`, `__hash__`, `__repr__` and pickling are shared
functions driven by per-class field tables, and `__init__` is compiled on a class's
first instantiation, so classes a run never builds cost nothing.

Supported: keyword-only (default) or positional fields, defaults, `field(default=...,
default_factory=..., compare=..., repr=...)`, frozen (default) or mutable, value
equality (default) or identity. Annotations naming `ClassVar` are not fields. Not supported:
inheritance between records, ordering.
A record may derive from plain classes (an exception, say), never from another record.
"""

from __future__ import annotations

# `_operator` is the C module that `operator` re-exports: importing it alone is cheaper.
from _operator import attrgetter

# typing costs a few milliseconds to import, more than all of this module: every module on
# `witgen check`'s path imports it for the type checker only (under TYPE_CHECKING, which
# mypy reads as true); here `dataclass_transform` is a no-op at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar, dataclass_transform, overload

    _T = TypeVar("_T")
else:

    def dataclass_transform(**_):
        return lambda fn: fn


_MISSING: Any = object()


class FrozenInstanceError(AttributeError):
    """Raised on an attempt to set or delete a field of a frozen record."""


class _Field:
    __slots__ = ("compare", "default", "default_factory", "repr")

    def __init__(self, default: Any, default_factory: Any, compare: bool, repr: bool) -> None:
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.repr = repr


def field(
    *,
    default: Any = _MISSING,
    default_factory: Callable[[], Any] | None = None,
    compare: bool = True,
    repr: bool = True,
) -> Any:
    """A field with a default (or a factory for one) and the methods it takes part in."""
    return _Field(default, default_factory, compare, repr)


class _Info:
    """What the shared methods need to know about one record class."""

    __slots__ = (
        "calls",
        "compared",
        "defaults",
        "factories",
        "kw_only",
        "names",
        "reprs",
        "setters",
    )

    def __init__(self) -> None:
        self.calls = 0
        self.names: tuple[str, ...] = ()
        self.defaults: dict[str, Any] = {}
        self.factories: dict[str, Callable[[], Any]] = {}
        self.kw_only = True
        self.reprs: tuple[str, ...] = ()
        self.compared: Callable[[Any], Any] = _no_fields
        self.setters: tuple[Callable[[Any, Any], None], ...] = ()


def _no_fields(_: Any) -> tuple[()]:
    return ()


def _getter(names: tuple[str, ...]) -> Callable[[Any], Any]:
    if not names:
        return _no_fields
    if len(names) == 1:
        # attrgetter of one name returns the bare value; keep tuples for a uniform key.
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


def _compile_init(cls: type) -> Callable[..., None]:
    info: _Info = cls.__record__  # type: ignore[attr-defined]
    env: dict[str, Any] = {"_MISSING": _MISSING}
    params = []
    body = []
    for index, name in enumerate(info.names):
        env[f"_set{index}"] = info.setters[index]
        if name in info.factories:
            env[f"_factory{index}"] = info.factories[name]
            params.append(f"{name}=_MISSING")
            body.append(
                f"    _set{index}(_rec_self, _factory{index}() if {name} is _MISSING else {name})"
            )
            continue
        if name in info.defaults:
            env[f"_default{index}"] = info.defaults[name]
            params.append(f"{name}=_default{index}")
        else:
            params.append(name)
        body.append(f"    _set{index}(_rec_self, {name})")
    star = "*, " if info.kw_only and params else ""
    lines = [f"def __init__(_rec_self, {star}{', '.join(params)}) -> None:", *body, "    pass"]
    exec("\n".join(lines), env)
    init: Callable[..., None] = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


# Calls of a class served by `_generic_init` before its own `__init__` is compiled: the
# compiled one is faster per call, but compiling it costs as much as ~50 generic calls, and
# most classes of a short run (`witgen check` of a cached package) are built once or twice.
_GENERIC_CALLS = 64


def _first_init(self: Any, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    info: _Info = cls.__record__
    info.calls += 1
    if info.calls <= _GENERIC_CALLS:
        _generic_init(self, info, args, kwargs)
        return
    init = _compile_init(cls)
    cls.__init__ = init
    init(self, *args, **kwargs)


def _generic_init(self: Any, info: _Info, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """What the compiled `__init__` does, read from the class's tables; the same
    `TypeError`s for arguments it would refuse."""
    names = info.names
    name = type(self).__name__
    if args and info.kw_only:
        raise TypeError(
            f"{name}.__init__() takes 1 positional argument but {len(args) + 1} were given"
        )
    if len(args) > len(names):
        raise TypeError(
            f"{name}.__init__() takes {len(names) + 1} positional arguments"
            f" but {len(args) + 1} were given"
        )
    values = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key not in names:
            raise TypeError(f"{name}.__init__() got an unexpected keyword argument {key!r}")
        if key in values:
            raise TypeError(f"{name}.__init__() got multiple values for argument {key!r}")
        values[key] = value
    for index, field_name in enumerate(names):
        if field_name in values:
            value = values[field_name]
        elif field_name in info.factories:
            value = info.factories[field_name]()
        elif field_name in info.defaults:
            value = info.defaults[field_name]
        else:
            raise TypeError(f"{name}.__init__() missing 1 required argument: {field_name!r}")
        info.setters[index](self, value)


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    key = self.__record__.compared
    return key(self) == key(other)


def _hash(self: Any) -> int:
    return hash(self.__record__.compared(self))


def _repr(self: Any) -> str:
    parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record__.reprs)
    return f"{type(self).__qualname__}({parts})"


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")


def _getstate(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, name) for name in self.__record__.names)


def _setstate(self: Any, state: tuple[Any, ...]) -> None:
    for setter, value in zip(self.__record__.setters, state, strict=True):
        setter(self, value)


def _build(cls: type[_T], *, frozen: bool, eq: bool, kw_only: bool) -> type[_T]:
    if any(hasattr(base, "__record__") for base in cls.__bases__):
        raise TypeError(f"record {cls.__name__} may not inherit from another record")
    namespace = dict(cls.__dict__)
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    info = _Info()
    info.kw_only = kw_only
    names: list[str] = []
    reprs: list[str] = []
    compared: list[str] = []
    for name, annotation in namespace.get("__annotations__", {}).items():
        if "ClassVar" in str(annotation):
            continue
        names.append(name)
        value = namespace.pop(name, _MISSING)
        shown = compare = True
        if isinstance(value, _Field):
            shown, compare = value.repr, value.compare
            if value.default_factory is not None:
                info.factories[name] = value.default_factory
            elif value.default is not _MISSING:
                info.defaults[name] = value.default
        elif value is not _MISSING:
            info.defaults[name] = value
        elif not kw_only and (info.defaults or info.factories):
            raise TypeError(f"field {name!r} of {cls.__name__} without a default follows one with")
        if shown:
            reprs.append(name)
        if compare:
            compared.append(name)
    info.names = tuple(names)
    info.reprs = tuple(reprs)
    info.compared = _getter(tuple(compared))
    namespace["__slots__"] = info.names
    namespace["__qualname__"] = cls.__qualname__
    namespace["__record__"] = info
    namespace["__match_args__"] = () if kw_only else info.names
    namespace.setdefault("__init__", _first_init)
    namespace.setdefault("__repr__", _repr)
    namespace["__getstate__"] = _getstate
    namespace["__setstate__"] = _setstate
    if eq:
        namespace["__eq__"] = _eq
        namespace["__hash__"] = _hash if frozen else None
    if frozen:
        namespace["__setattr__"] = _frozen_setattr
        namespace["__delattr__"] = _frozen_delattr
    new = type(cls.__name__, cls.__bases__, namespace)
    info.setters = tuple(getattr(new, name).__set__ for name in info.names)
    return new


if TYPE_CHECKING:

    @overload
    def record(cls: type[_T], /) -> type[_T]: ...

    @overload
    def record(
        *, frozen: bool = True, eq: bool = True, kw_only: bool = True
    ) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(field,))
def record(
    cls: type[_T] | None = None,
    /,
    *,
    frozen: bool = True,
    eq: bool = True,
    kw_only: bool = True,
) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """Make `cls` a slotted record (frozen, keyword-only, compared by value by default)."""
    if cls is not None:
        return _build(cls, frozen=True, eq=True, kw_only=True)

    def wrap(cls: type[_T]) -> type[_T]:
        return _build(cls, frozen=frozen, eq=eq, kw_only=kw_only)

    return wrap


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of the record (or dataclass) `obj` with some fields changed."""
    info: _Info | None = getattr(type(obj), "__record__", None)
    if info is None:
        import dataclasses

        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    values = {name: getattr(obj, name) for name in info.names}
    values.update(changes)
    return type(obj)(**values)


def fields(cls: type) -> tuple[str, ...]:
    """The field names of a record class, in declaration order."""
    info: _Info = cls.__record__  # type: ignore[attr-defined]
    return info.names


def maker(cls: type[_T]) -> type[_T]:
    """A constructor for `cls` that fills its slots directly, for records built by the
    hundred thousand (the parser's nodes). Calling a class goes through `type.__call__`,
    which on CPython 3.11 packs keyword arguments into a dict; this skips it (half the cost
    of a small node). Every field must be given, positionally or by name: defaults and
    factories are not applied, so a class with any is refused. Typed as the class, so mypy
    checks each call against the fields."""
    info: _Info = cls.__record__  # type: ignore[attr-defined]
    if info.defaults or info.factories:
        raise TypeError(f"maker({cls.__name__}): a record with defaults needs its class call")
    env: dict[str, Any] = {"_rec_new": object.__new__, "_rec_cls": cls}
    lines = [f"def make({', '.join(info.names)}):", "    _rec_obj = _rec_new(_rec_cls)"]
    for index, name in enumerate(info.names):
        env[f"_rec_set{index}"] = info.setters[index]
        lines.append(f"    _rec_set{index}(_rec_obj, {name})")
    lines.append("    return _rec_obj")
    exec("\n".join(lines), env)
    make: type[_T] = env["make"]
    return make
