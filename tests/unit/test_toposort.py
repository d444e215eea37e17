"""`witgen.resolve.toposort.toposort`: wit-parser's order, and its missing-name and cycle errors.

The order is Kahn's algorithm where, among the items that are ready, the one declared
first goes next (so independent items keep source order, and wit-parser's type and
interface ids come out the same). Every edge is checked before any ordering, so a name
that does not exist is reported even when there is also a cycle.
"""

from __future__ import annotations

import pytest

from witgen.resolve.errors import ResolveError
from witgen.resolve.toposort import toposort, toposort_all
from witgen.syntax import nodes as n
from witgen.text.source import Span


def ids(*names: str) -> list[n.Id]:
    # Distinct, recognisable spans: 100 * position in the call + 1.
    return [
        n.Id(name=name, span=Span(100 * i + 1, 100 * i + 1 + len(name)))
        for i, name in enumerate(names)
    ]


def order(deps: dict[str, tuple[str, ...]], kind: str = "type") -> list[str]:
    return toposort(kind, {name: ids(*ds) for name, ds in deps.items()})


def error(deps: dict[str, tuple[str, ...]], kind: str = "type") -> ResolveError:
    with pytest.raises(ResolveError) as info:
        order(deps, kind)
    return info.value


def test_empty() -> None:
    assert order({}) == []


def test_independent_items_keep_declaration_order() -> None:
    assert order({"c": (), "a": (), "b": ()}) == ["c", "a", "b"]


def test_dependency_first() -> None:
    assert order({"a": ("b",), "b": ()}) == ["b", "a"]


def test_ready_item_declared_first_goes_next() -> None:
    # After `b`, both `a` (declared first) and `c` are ready: `a` goes first.
    assert order({"a": ("b",), "b": (), "c": ()}) == ["b", "a", "c"]
    # `d` unblocks `a`, which was declared before the still-waiting `c`.
    assert order({"a": ("d",), "c": ("a",), "d": ()}) == ["d", "a", "c"]


def test_diamond() -> None:
    deps = {"top": ("left", "right"), "left": ("base",), "right": ("base",), "base": ()}
    assert order(deps) == ["base", "left", "right", "top"]


def test_repeated_edges() -> None:
    assert order({"a": ("b", "b", "b"), "b": ()}) == ["b", "a"]


def test_missing_type() -> None:
    e = error({"a": (), "b": ("nope",)})
    assert e.diag.code == "WIT201"
    assert e.diag.message == "type `nope` does not exist"
    assert e.diag.span == Span(1, 5)


def test_missing_interface_or_world() -> None:
    e = error({"i": ("j",)}, kind="interface or world")
    assert e.diag.code == "WIT202"
    assert e.diag.message == "interface or world `j` does not exist"


def test_missing_name_gets_a_hint() -> None:
    e = error({"point": (), "p": ("pointt",)})
    assert [note.message for note in e.diag.notes] == ["did you mean `point`?"]


def test_missing_name_without_close_match_has_no_hint() -> None:
    assert error({"point": (), "p": ("zzzzzz",)}).diag.notes == ()


def test_self_cycle() -> None:
    e = error({"a": ("a",)})
    assert e.diag.code == "WIT300"
    assert e.diag.message == "type `a` depends on itself"


def test_two_item_cycle_names_the_first_blocked_dependency() -> None:
    # As wasm-tools on `type a = list<b>; type b = option<a>;`: "type `b` depends on itself",
    # pointing at the `b` inside `a`.
    e = error({"a": ("b",), "b": ("a",)})
    assert e.diag.message == "type `b` depends on itself"
    assert e.diag.span == Span(1, 2)


def test_cycle_behind_a_ready_item() -> None:
    e = error({"ok": (), "x": ("ok", "y"), "y": ("z",), "z": ("x",)}, kind="interface or world")
    assert e.diag.code == "WIT300"
    assert e.diag.message == "interface or world `y` depends on itself"
    assert e.diag.span == Span(101, 102)  # the second dependency of `x`


def test_missing_name_wins_over_a_cycle() -> None:
    e = error({"a": ("a",), "b": ("missing",)})
    assert e.diag.message == "type `missing` does not exist"


def test_long_chain_has_no_recursion_limit() -> None:
    deps = {f"t{i}": (f"t{i + 1}",) for i in range(20_000)} | {"t20000": ()}
    got = order(deps)
    assert got[0] == "t20000" and got[-1] == "t0"


def test_toposort_all_reports_every_error_and_orders_the_rest() -> None:
    deps = {
        "ok": (),
        "uses-ok": ("ok",),
        "m1": ("nope",),
        "m2": ("also-nope",),
        "c1": ("c2",),
        "c2": ("c1",),
    }
    got, errors, failed = toposort_all("type", {k: ids(*v) for k, v in deps.items()})
    assert got == ["ok", "uses-ok"]
    assert [e.message for e in errors] == [
        "type `nope` does not exist",
        "type `also-nope` does not exist",
        "type `c2` depends on itself",
    ]
    assert failed == {"m1", "m2", "c1", "c2"}


def test_toposort_all_first_error_is_toposorts() -> None:
    deps = {"a": ids("b"), "b": ids("a"), "c": ids("zz")}
    _, errors, _ = toposort_all("type", deps)
    with pytest.raises(ResolveError) as info:
        toposort("type", deps)
    assert info.value.diag == errors[0]
