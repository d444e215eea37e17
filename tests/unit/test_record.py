"""The `@record` class builder that the syntax tree and the model use instead of dataclasses."""

from __future__ import annotations

import copy
import pickle
from typing import ClassVar

import pytest

from witgen._record import FrozenInstanceError, field, fields, maker, record, replace


@record
class Point:
    x: int
    y: int = 0
    tag: str = field(default="", compare=False, repr=False)
    ORIGIN: ClassVar[int] = 0


@record(kw_only=False)
class Pair:
    left: int
    right: int


@record(frozen=False, kw_only=False)
class Bag:
    name: str
    items: list[int] = field(default_factory=list)


@record(frozen=False, eq=False, kw_only=False)
class Node:
    name: str


def test_keyword_only_defaults_and_class_vars() -> None:
    p = Point(x=1)
    assert (p.x, p.y, p.tag) == (1, 0, "")
    assert fields(Point) == ("x", "y", "tag")
    assert Point.ORIGIN == 0
    with pytest.raises(TypeError):
        Point(1, 2)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(y=2)  # type: ignore[call-arg]


def test_value_semantics_skip_uncompared_fields() -> None:
    assert Point(x=1, tag="a") == Point(x=1, tag="b")
    assert hash(Point(x=1, tag="a")) == hash(Point(x=1, tag="b"))
    assert Point(x=1) != Point(x=2)
    other: object = Pair(1, 0)
    assert Point(x=1) != other
    assert repr(Point(x=1, y=2, tag="t")) == "Point(x=1, y=2)"
    assert len({Pair(1, 2), Pair(1, 2), Pair(2, 1)}) == 2


def test_frozen() -> None:
    p = Point(x=1)
    with pytest.raises(FrozenInstanceError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.x
    with pytest.raises(AttributeError):
        p.z = 3  # type: ignore[attr-defined]


def test_positional_and_match_args() -> None:
    match Pair(1, 2):
        case Pair(a, b):
            assert (a, b) == (1, 2)


def test_mutable_records_and_factories() -> None:
    a, b = Bag("a"), Bag("a")
    a.items.append(1)
    assert b.items == []
    assert a != b
    b.items.append(1)
    assert a == b
    n = Node("x")
    n.name = "y"
    assert n != Node("y")
    assert n == n


def test_pickle_copy_and_replace() -> None:
    p = Point(x=1, y=2, tag="t")
    for clone in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p), copy.copy(p)):
        assert clone == p
        assert clone.tag == "t"
    q = replace(p, y=5)
    assert (q.x, q.y, q.tag) == (1, 5, "t")
    assert p.y == 2


def test_records_may_not_derive_from_records() -> None:
    with pytest.raises(TypeError):

        @record
        class Sub(Point):
            z: int


def test_maker_fills_every_field_and_refuses_defaults() -> None:
    make = maker(Pair)
    made = make(1, right=2)
    assert type(made) is Pair and made == Pair(1, 2) and made.__match_args__ == ("left", "right")
    with pytest.raises(FrozenInstanceError):
        made.left = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        make(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="defaults"):
        maker(Point)


def _calls(cls: type) -> list[tuple[str, object]]:
    """What each of a series of calls of `cls` gives: the record's fields, or the error."""
    out: list[tuple[str, object]] = []
    attempts: list[tuple[tuple[object, ...], dict[str, object]]] = [
        ((), {"x": 1}),
        ((), {"x": 1, "y": 2, "tag": "t"}),
        ((1,), {}),
        ((), {"y": 2}),
        ((), {"x": 1, "z": 3}),
    ]
    for args, kwargs in attempts:
        try:
            made = cls(*args, **kwargs)
        except TypeError as e:
            out.append(("TypeError", str(e)))
        else:
            out.append(("made", (made.x, made.y, made.tag)))  # type: ignore[attr-defined]
    return out


def test_first_calls_and_compiled_init_agree() -> None:
    # A class's first calls go through a generic `__init__`, later ones through one
    # compiled for it: the same records, the same errors (wording aside), either way.
    @record
    class Fresh:
        x: int
        y: int = 0
        tag: str = field(default_factory=str)

    first = _calls(Fresh)
    for _ in range(100):
        Fresh(x=0)
    later = _calls(Fresh)
    assert [kind for kind, _ in first] == [kind for kind, _ in later]
    assert [v for k, v in first if k == "made"] == [v for k, v in later if k == "made"]
    assert [v for k, v in first if k == "made"] == [(1, 0, ""), (1, 2, "t")]
    assert Fresh.__init__.__qualname__.endswith("Fresh.__init__")  # compiled by now

    @record(kw_only=False)
    class Two:
        a: int
        b: int = 5

    assert (Two(1).b, Two(1, 2).b, Two(a=3).a) == (5, 2, 3)
    for bad in [lambda: Two(), lambda: Two(1, 2, 3), lambda: Two(1, a=2), lambda: Two(c=1)]:
        with pytest.raises(TypeError):
            bad()
