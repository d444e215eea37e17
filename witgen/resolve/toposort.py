"""Dependency order: wit-parser's toposort of interfaces and worlds, and of types.

Input: items in declaration order, each with the names (`nodes.Id`) it depends on.
Output: the order in which to resolve them: among the items whose dependencies are
placed, the one declared first goes next. Invariants: a name that does not exist, and a
cycle, are reported as wit-parser reports them (the missing name first, then the first
item of the cycle); `toposort_all` goes on past them so that every error is collected,
leaving the failed items out of the order.
"""

from __future__ import annotations

import heapq

from witgen.resolve.errors import (
    BUILTIN_TYPE_NAMES,
    ResolveError,
    assert_never,
    hint,
    renamed_float_note,
)
from witgen.syntax import nodes as n
from witgen.text.diagnostics import Diagnostic, error


def toposort(kind: str, deps: dict[str, list[n.Id]]) -> list[str]:
    """wit-parser's toposort: every edge checked, then the ready item declared first goes next."""
    order, errors, _failed = toposort_all(kind, deps)
    if errors:
        raise ResolveError(errors[0])
    return order


def toposort_all(
    kind: str, deps: dict[str, list[n.Id]]
) -> tuple[list[str], list[Diagnostic], set[str]]:
    """`toposort` that reports every missing name and a cycle instead of stopping at the first.

    Items naming a missing item, and items caught in (or depending on) a cycle, are left
    out of the order and returned as failed. The first error is the one wit-parser reports.
    """
    names = list(deps)
    index = {name: i for i, name in enumerate(names)}
    if all(index.get(d.name, i) < i for i, ds in enumerate(deps.values()) for d in ds):
        # Each item names only items declared before it (the usual case): the order is
        # the declaration order, as the general algorithm below would find.
        return names, [], set()
    errors: list[Diagnostic] = []
    failed: set[str] = set()
    for name, ds in deps.items():
        for d in ds:
            if d.name not in index:
                code = "WIT201" if kind == "type" else "WIT202"
                notes = hint(d.name, names + (BUILTIN_TYPE_NAMES if kind == "type" else []))
                message = f"{kind} `{d.name}` does not exist{renamed_float_note(d.name)}"
                errors.append(error(code, message, d.span, *notes))
                failed.add(name)
    known = {name: [d for d in ds if d.name in index] for name, ds in deps.items()}
    order = ready_order(known)
    if len(order) < len(names):
        done = set(order)
        stuck = [name for name in names if name not in done]
        failed.update(stuck)
        first = next(d for d in known[stuck[0]] if d.name not in done)
        errors.append(error("WIT300", f"{kind} `{first.name}` depends on itself", first.span))
    return [x for x in order if x not in failed], errors, failed


def ready_order(known: dict[str, list[n.Id]]) -> list[str]:
    """Kahn's order of items naming only items in `known`: among those whose dependencies
    are placed, the one declared first. Items in (or behind) a cycle are left out."""
    names = list(known)
    index = {name: i for i, name in enumerate(names)}
    remaining = [len(ds) for ds in known.values()]
    dependents: list[list[int]] = [[] for _ in names]
    for i, ds in enumerate(known.values()):
        for d in ds:
            dependents[index[d.name]].append(i)
    ready = [i for i, r in enumerate(remaining) if r == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(names[i])
        for j in dependents[i]:
            remaining[j] -= 1
            if remaining[j] == 0:
                heapq.heappush(ready, j)
    return order


def _type_deps(t: n.Type, out: list[n.Id]) -> None:
    """The names `t` mentions, in order (recursive over syntax, which the parser never
    nests deeper than wit-parser's limit of 100 type arguments)."""
    match t:
        case n.Prim():
            pass
        case n.Named(name=name):
            out.append(name)
        case n.HandleType(resource=r):
            out.append(r)
        case n.TupleType(types=ts):
            for x in ts:
                _type_deps(x, out)
        case n.ListType(element=e):
            _type_deps(e, out)
        case n.MapType(key=k, value=v):
            _type_deps(k, out)
            _type_deps(v, out)
        case n.OptionType(type=x):
            _type_deps(x, out)
        case n.ResultType(ok=ok, err=err):
            if ok is not None:
                _type_deps(ok, out)
            if err is not None:
                _type_deps(err, out)
        case n.FutureType(type=x) | n.StreamType(type=x):
            if x is not None:
                _type_deps(x, out)
        case _:
            assert_never(t)


def typedef_deps(t: n.TypeDef) -> list[n.Id]:
    out: list[n.Id] = []
    match t:
        case n.TypeAlias(type=ty):
            _type_deps(ty, out)
        case n.Record(fields=fields):
            for f in fields:
                _type_deps(f.type, out)
        case n.Variant(cases=cases):
            for c in cases:
                if c.type is not None:
                    _type_deps(c.type, out)
        case n.Flags() | n.Enum() | n.Resource():
            pass
        case _:
            assert_never(t)
    return out
