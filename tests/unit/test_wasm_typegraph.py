"""`witgen/wasm/typegraph.py` and `reader.py`: the type graph a binary is read into.

Nodes are compared by identity; an instantiation replaces the types a component imports
and keeps the identity of every part it did not change; the reader gives one node class
per kind of type definition.
"""

from __future__ import annotations

from pathlib import Path

from witgen import api
from witgen.wasm import encoder, reader
from witgen.wasm import typegraph as g


def _extern(name: str, node: g.TypeNode, referenced: g.TypeNode | None = None) -> g.Extern:
    sort: g.ExternSort = "type" if referenced is not None else "func"
    return g.Extern(
        name=name, implements=None, external_id=None, sort=sort, node=node, referenced=referenced
    )


def test_nodes_compare_by_identity() -> None:
    assert g.Resource() != g.Resource()
    assert g.List(element="u32") != g.List(element="u32")
    node = g.Option(payload="u8")
    assert node == node and len({node, node}) == 1


def test_peel_and_is_value() -> None:
    record = g.Record(fields=(("a", "u32"),), offset=0)
    named = g.named(g.named(record))
    assert g.peel(named) is record
    assert g.is_value(named) and g.is_value(record)
    resource = g.Resource()
    assert not g.is_value(g.named(resource))
    assert g.peel(resource) is resource


def test_instantiation_replaces_bound_types_and_keeps_the_rest() -> None:
    imported = g.Resource()
    given = g.Resource()
    # The component imports `r` and exports a type equal to it, a handle to it inside a
    # record, and a list of u32 that does not mention it.
    handle = g.Handle(kind="own", resource=imported, offset=0)
    record = g.Record(fields=(("h", handle), ("n", "u32")), offset=0)
    untouched = g.List(element="u32")
    exports = [
        _extern("r2", g.named(imported), imported),
        _extern("rec", g.named(record), record),
        _extern("list", g.named(untouched), untouched),
    ]
    instantiation = g.Instantiation()
    instantiation.bind(_extern("r", imported, imported), given)
    instance = instantiation.instance(exports)

    r2, rec, lst = instance.exports
    assert r2.referenced is given
    assert isinstance(r2.node, g.Named) and r2.node.referenced is given
    assert isinstance(rec.referenced, g.Record) and rec.referenced is not record
    new_handle = rec.referenced.fields[0][1]
    assert isinstance(new_handle, g.Handle) and new_handle.resource is given
    assert rec.referenced.fields[1] == ("n", "u32")
    # Nothing in the list changed: the very same extern, node and type.
    assert lst is exports[2]


def test_instantiation_rewrites_a_shared_node_once() -> None:
    imported = g.Resource()
    given = g.Resource()
    shared = g.Option(payload=g.named(imported))
    exports = [
        _extern("a", g.named(shared), shared),
        _extern("b", g.named(shared), shared),
    ]
    instantiation = g.Instantiation()
    instantiation.bind(_extern("r", imported, imported), given)
    a, b = instantiation.instance(exports).exports
    assert a.referenced is b.referenced is not shared


def test_instantiation_without_arguments_returns_the_exports_as_they_are() -> None:
    exports = [_extern("f", g.Func(params=(("x", "u8"),), result=None, is_async=False))]
    instance = g.Instantiation().instance(exports)
    assert instance.exports == exports
    assert instance.exports[0] is exports[0]


def test_reader_gives_one_class_per_kind(tmp_path: Path) -> None:
    source = """package a:b;
interface i {
  resource res;
  record r { x: u32 }
  variant v { a, b(string) }
  enum e { x, y }
  flags f { p, q }
  type l = list<u8>;
  type t = tuple<u8, s8>;
  type o = option<u16>;
  type rs = result<u32, string>;
  type fu = future<u8>;
  type st = stream;
  type b = borrow<res>;
  type p = u32;
  g: func(a: own<res>) -> u64;
}
"""
    (tmp_path / "a.wit").write_text(source, encoding="utf-8")
    resolve = api.load(tmp_path / "a.wit", use_cache=False).resolve
    assert resolve.main is not None
    data = encoder.encode_package(resolve, resolve.main)
    ((name, component, _),) = reader.read_package(data).exports
    assert name == "i"
    (inner,) = component.exports
    assert isinstance(inner.node, g.InstanceType)
    kinds = {
        e.name: type(g.peel(e.referenced)).__name__
        for e in inner.node.exports
        if e.referenced is not None
    }
    assert kinds == {
        "res": "Resource",
        "r": "Record",
        "v": "Variant",
        "e": "Enum",
        "f": "Flags",
        "l": "List",
        "t": "Tuple",
        "o": "Option",
        "rs": "Result",
        "fu": "Future",
        "st": "Stream",
        "b": "Handle",
        "p": "Primitive",
    }
    (func,) = (e for e in inner.node.exports if e.sort == "func")
    assert isinstance(func.node, g.Func) and func.node.result == "u64"
