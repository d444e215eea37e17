"""Operations on a type's kind that every producer of the model needs.

Input: a `TypeDefKind`. Output: the types it refers to (`referenced_types`), or the same
kind with each of them mapped (`map_kind`); and the order in which to visit the types a
type reaches, children first, without recursion (`children_first`). Used by the resolver
(interning, include), the merge of resolves, and anything else that copies or inspects
types between arenas. Also the
constructors of the anonymous kinds that skip `type.__call__` (see `_record.maker`),
for the resolver, which builds one for every anonymous type of a package.
Invariants: the order of `referenced_types` is the kinds' field order, so two kinds of
the same shape pair up element by element; `map_kind` returns the kind itself where it
refers to no type.
"""

from __future__ import annotations

from witgen import model as m
from witgen._record import maker

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Container
    from typing import assert_never
else:

    def assert_never(value):
        raise AssertionError(f"unhandled case: {value!r}")


new_handle = maker(m.Handle)
new_list = maker(m.ListKind)
new_option = maker(m.OptionKind)
new_result = maker(m.ResultKind)
new_tuple = maker(m.TupleKind)


def referenced_types(kind: m.TypeDefKind) -> tuple[m.Type | None, ...]:
    """The types `kind` refers to, in field order (None for an absent payload)."""
    match kind:
        case m.Handle(resource=r):
            return (r,)
        case m.Resource() | m.Flags() | m.Enum():
            return ()
        case m.Record(fields=fields):
            return tuple(f.type for f in fields)
        case m.TupleKind(types=ts):
            return ts
        case m.Variant(cases=cases):
            return tuple(c.type for c in cases)
        case m.ResultKind(ok=ok, err=err):
            return (ok, err)
        case m.MapKind(key=kk, value=v):
            return (kk, v)
        case (
            m.OptionKind(type=t)
            | m.ListKind(type=t)
            | m.FixedList(type=t)
            | m.Future(type=t)
            | m.Stream(type=t)
            | m.Alias(type=t)
        ):
            return (t,)
        case _:
            assert_never(kind)


def children_first(
    root: m.TypeId, children: Callable[[m.TypeId], list[m.TypeId]], done: Container[m.TypeId]
) -> list[tuple[m.TypeId, list[m.TypeId]]]:
    """`root` and the types it reaches through `children` that are not `done`, each once
    with its children, every one after its children: the order in which a recursive walk
    visiting children in order would finish them. On an explicit stack, as a chain of
    types (aliases of aliases, records of records) can be thousands deep; types refer
    only to earlier ones, so the walk ends."""
    order: list[tuple[m.TypeId, list[m.TypeId]]] = []
    placed: set[m.TypeId] = set()
    stack: list[tuple[m.TypeId, list[m.TypeId] | None]] = [(root, None)]
    while stack:
        tid, kids = stack.pop()
        if tid in placed or tid in done:
            continue
        if kids is not None:  # its children are placed
            placed.add(tid)
            order.append((tid, kids))
            continue
        kids = children(tid)
        stack.append((tid, kids))
        stack += [(c, None) for c in reversed(kids) if c not in placed and c not in done]
    return order


def map_kind(kind: m.TypeDefKind, f: Callable[[m.Type], m.Type]) -> m.TypeDefKind:
    """`kind` with every type it refers to replaced by `f` of it, called in field order."""

    def opt(t: m.Type | None) -> m.Type | None:
        return None if t is None else f(t)

    match kind:
        case m.Handle(kind=hk, resource=r):
            r2 = f(r)
            assert not isinstance(r2, str)
            return m.Handle(kind=hk, resource=r2)
        case m.Resource() | m.Flags() | m.Enum():
            return kind
        case m.Record(fields=fields):
            return m.Record(
                fields=tuple(m.Field(name=x.name, type=f(x.type), docs=x.docs) for x in fields)
            )
        case m.TupleKind(types=ts):
            return m.TupleKind(types=tuple(f(x) for x in ts))
        case m.Variant(cases=cases):
            return m.Variant(
                cases=tuple(m.Case(name=c.name, type=opt(c.type), docs=c.docs) for c in cases)
            )
        case m.OptionKind(type=t):
            return m.OptionKind(type=f(t))
        case m.ResultKind(ok=ok, err=err):
            return m.ResultKind(ok=opt(ok), err=opt(err))
        case m.ListKind(type=t):
            return m.ListKind(type=f(t))
        case m.FixedList(type=t, size=size):
            return m.FixedList(type=f(t), size=size)
        case m.MapKind(key=kk, value=v):
            return m.MapKind(key=f(kk), value=f(v))
        case m.Future(type=t):
            return m.Future(type=opt(t))
        case m.Stream(type=t):
            return m.Stream(type=opt(t))
        case m.Alias(type=t):
            return m.Alias(type=f(t))
        case _:
            assert_never(kind)
