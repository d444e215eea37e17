"""Resolver internals that the UI cases cannot observe directly."""

from __future__ import annotations

from witgen import model as m
from witgen.resolve.docs_and_gates import semver_key
from witgen.resolve.global_arenas import GlobalArenas
from witgen.text.source import Span


def _type(arenas: GlobalArenas, name: str, kind: m.TypeDefKind, owner: int) -> m.TypeId:
    return arenas.alloc_type(
        m.TypeDef(
            name=name,
            kind=kind,
            owner=m.OwnerInterface(id=m.InterfaceId(owner)),
            docs=m.NO_DOCS,
            stability=m.UNKNOWN,
            span=Span.UNKNOWN,
        )
    )


def _iface(name: str, types: tuple[tuple[str, m.TypeId], ...]) -> m.Interface:
    return m.Interface(name=name, types=types, functions=(), package=m.PackageId(0))


def test_interface_direct_deps_memo_follows_replaced_interfaces() -> None:
    arenas = GlobalArenas(features=lambda _f: True)
    a, c = m.InterfaceId(0), m.InterfaceId(1)
    ta = _type(arenas, "t", m.Alias(type="u32"), a)
    tc = _type(arenas, "u", m.Alias(type="u32"), c)
    arenas.interfaces += [_iface("a", (("t", ta),)), _iface("c", (("u", tc),))]
    user = m.InterfaceId(2)
    uses_a = _type(arenas, "t", m.Alias(type=ta), user)
    arenas.interfaces.append(_iface("user", (("t", uses_a),)))
    assert arenas.interface_direct_deps(user) == (a,)
    assert arenas.interface_direct_deps(user) is arenas.interface_direct_deps(user)  # memoised
    # Replacing the interface (as `append` and the include cloner do) drops the entry.
    uses_c = _type(arenas, "u", m.Alias(type=tc), user)
    arenas.interfaces[user] = _iface("user", (("t", uses_a), ("u", uses_c)))
    assert arenas.interface_direct_deps(user) == (a, c)
    arenas.interfaces[user] = _iface("user", ())
    assert arenas.interface_direct_deps(user) == ()


def testsemver_key_orders_by_precedence() -> None:
    versions = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0-rc.1", "1.0.0", "1.2.0"]
    assert sorted(versions, key=semver_key) == versions
    assert semver_key("1.0.0+build.5") == semver_key("1.0.0")
