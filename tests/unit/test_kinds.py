"""`witgen.model.kinds`: the types a kind refers to, and a kind with them mapped."""

from __future__ import annotations

import pytest

from witgen import model as m
from witgen.model.kinds import map_kind, referenced_types

T1, T2, T3 = m.TypeId(1), m.TypeId(2), m.TypeId(3)
# One kind of each class, and the types it refers to in field order.
KINDS: list[tuple[m.TypeDefKind, tuple[m.Type | None, ...]]] = [
    (m.Record(fields=(m.Field(name="a", type=T1), m.Field(name="b", type="u8"))), (T1, "u8")),
    (m.Resource(), ()),
    (m.Handle(kind="borrow", resource=T2), (T2,)),
    (m.Flags(flags=(m.Flag(name="x"),)), ()),
    (m.TupleKind(types=(T1, T2, "string")), (T1, T2, "string")),
    (m.Variant(cases=(m.Case(name="a", type=None), m.Case(name="b", type=T3))), (None, T3)),
    (m.Enum(cases=(m.EnumCase(name="e"),)), ()),
    (m.OptionKind(type=T1), (T1,)),
    (m.ResultKind(ok=None, err=T2), (None, T2)),
    (m.ListKind(type=T3), (T3,)),
    (m.FixedList(type=T1, size=4), (T1,)),
    (m.MapKind(key="string", value=T2), ("string", T2)),
    (m.Future(type=None), (None,)),
    (m.Stream(type=T1), (T1,)),
    (m.Alias(type=T2), (T2,)),
]


def test_every_kind_class_is_covered() -> None:
    assert {type(kind) for kind, _ in KINDS} == set(m.TypeDefKind.__args__)


@pytest.mark.parametrize(("kind", "types"), KINDS, ids=lambda x: type(x).__name__)
def test_referenced_types_in_field_order(
    kind: m.TypeDefKind, types: tuple[m.Type | None, ...]
) -> None:
    assert referenced_types(kind) == types


@pytest.mark.parametrize(("kind", "types"), KINDS, ids=lambda x: type(x).__name__)
def test_map_kind_maps_each_referenced_type_once_in_order(
    kind: m.TypeDefKind, types: tuple[m.Type | None, ...]
) -> None:
    seen: list[m.Type] = []

    def bump(t: m.Type) -> m.Type:
        seen.append(t)
        return t if isinstance(t, str) else m.TypeId(t + 10)

    mapped = map_kind(kind, bump)
    assert seen == [t for t in types if t is not None]
    assert type(mapped) is type(kind)
    assert referenced_types(mapped) == tuple(
        t if t is None or isinstance(t, str) else m.TypeId(t + 10) for t in types
    )
    if not types:
        assert mapped is kind
