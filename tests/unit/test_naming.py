"""The shared Python layer: names (`naming`), annotations (`types`) and layout (`layout`)."""

from __future__ import annotations

import keyword
from pathlib import Path

import pytest

from witgen import api
from witgen import model as m
from witgen.codegen.python import layout, type_views
from witgen.codegen.python import naming as py
from witgen.codegen.python.layout import Atom, Call, Subscript, call, union


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("get-URL-parser", ["get", "URL", "parser"]),
        ("http2-config", ["http2", "config"]),
        ("URLParser", ["URL", "Parser"]),
        ("fooBar", ["foo", "Bar"]),
        ("x509-cert", ["x509", "cert"]),
        ("a--b", ["a", "b"]),
        ("", []),
    ],
)
def test_words_follow_heck(name: str, expected: list[str]) -> None:
    assert py.words(name) == expected


@pytest.mark.parametrize(
    ("name", "snake", "camel", "shouty"),
    [
        ("http2-config", "http2_config", "Http2Config", "HTTP2_CONFIG"),
        ("get-URL-parser", "get_url_parser", "GetUrlParser", "GET_URL_PARSER"),
        ("the-URL", "the_url", "TheUrl", "THE_URL"),
        ("x509-cert", "x509_cert", "X509Cert", "X509_CERT"),
        ("v1-2", "v1_2", "V12", "V1_2"),
        ("green-blue", "green_blue", "GreenBlue", "GREEN_BLUE"),
        ("O-DIRECT", "o_direct", "ODirect", "O_DIRECT"),
    ],
)
def test_cases(name: str, snake: str, camel: str, shouty: str) -> None:
    assert (py.snake(name), py.upper_camel(name), py.shouty(name)) == (snake, camel, shouty)


def test_only_hard_keywords_are_escaped() -> None:
    assert [py.func_name(n) for n in ("class", "from", "async", "await")] == [
        "class_",
        "from_",
        "async_",
        "await_",
    ]
    # soft keywords, builtins and the capitalised constants' lower-case forms stay
    assert [py.func_name(n) for n in ("type", "list", "self", "bytes", "match", "none")] == [
        "type",
        "list",
        "self",
        "bytes",
        "match",
        "none",
    ]
    assert py.type_name("none") == "None_"
    assert py.type_name("true") == "True_"
    assert py.member_name("none") == "NONE"
    assert all(py.escape(k).endswith("_") for k in keyword.kwlist)


def test_params_self_and_cls() -> None:
    assert [py.param_name(n) for n in ("self", "cls", "from", "x")] == [
        "self_",
        "cls_",
        "from_",
        "x",
    ]


def test_case_classes() -> None:
    assert py.case_class("Shape", "circle") == "Shape_Circle"
    assert py.case_class("Shape", "none") == "Shape_None_"
    assert py.case_class("FsError", "read-only") == "FsError_ReadOnly"


def test_identifier_rejects_keywords() -> None:
    assert py.identifier("ok") == "ok"
    with pytest.raises(AssertionError):
        py.identifier("class")
    with pytest.raises(AssertionError):
        py.identifier("1a")


def test_scope_adds_underscores() -> None:
    scope = py.Scope({"drop"})
    assert [scope.claim(n) for n in ("drop", "x", "x", "drop")] == ["drop_", "x", "x_", "drop__"]


def test_field_names_are_unique_and_escaped() -> None:
    assert py.field_names(["a-b", "a_b", "class", "self"]) == ["a_b", "a_b_", "class_", "self"]


def test_shadowed_builtins() -> None:
    assert py.shadowed_builtins(["list", "x", "property", "len"]) == {"list", "property"}


def _world_modules(tmp_path: Path, text: str, world: str) -> tuple[dict[str, str], dict[str, str]]:
    (tmp_path / "w.wit").write_text(text, encoding="utf-8")
    r = api.load(tmp_path / "w.wit", use_cache=False).resolve
    w = r.worlds[api.select_world(r, world)]
    out: list[dict[str, str]] = []
    for items in (w.imports, w.exports):
        ifaces = [(k, v.id) for k, v in items if isinstance(v, m.WorldInterface)]
        names = py.interface_modules(r, ifaces)
        out.append({r.world_key_name(k): v for k, v in names.items()})
    return out[0], out[1]


def test_interface_modules_unique_or_qualified(tmp_path: Path) -> None:
    text = """package ns:root;
package ns:a { interface types { type t = u32; } }
package ns:b { interface types { type t = u32; } }
package ver:pkg@1.0.0 { interface api { f: func(); } }
package ver:pkg@2.0.0-rc.1 { interface api { f: func(); } }
interface class { f: func(); }
world w {
  import ns:a/types;
  import ns:b/types;
  import ver:pkg/api@1.0.0;
  import ver:pkg/api@2.0.0-rc.1;
  import class;
  import logging: interface { log: func(); }
  export ver:pkg/api@2.0.0-rc.1;
}
"""
    imports, exports = _world_modules(tmp_path, text, "w")
    assert imports == {
        "ns:a/types": "ns_a_types",
        "ns:b/types": "ns_b_types",
        "ver:pkg/api@1.0.0": "ver_pkg_api_1_0_0",
        "ver:pkg/api@2.0.0-rc.1": "ver_pkg_api_2_0_0_rc_1",
        "ns:root/class": "class_",
        "logging": "logging",
    }
    # imports and exports are counted apart, as componentize-py does
    assert exports == {"ver:pkg/api@2.0.0-rc.1": "api"}


def test_interface_modules_count_every_interface_given(tmp_path: Path) -> None:
    """WASI's interfaces count like any other (as componentize-py counts them): beside
    `wasi:filesystem/types`, a world's own `types` is qualified. A built component's world
    imports all of WASI, so its host bindings leave out the WASI imports nothing uses
    (planning's `from_component`) rather than name modules by another rule."""
    text = """package acme:imgkit;
package wasi:filesystem@0.2.9 { interface types { enum error-code { access } } }
interface types { record image { width: u32 } }
world alone { import types; }
world beside { import types; import wasi:filesystem/types@0.2.9; }
"""
    alone, _ = _world_modules(tmp_path, text, "alone")
    assert alone == {"acme:imgkit/types": "types"}
    beside, _ = _world_modules(tmp_path, text, "beside")
    assert beside == {
        "acme:imgkit/types": "acme_imgkit_types",
        "wasi:filesystem/types@0.2.9": "wasi_filesystem_types",
    }


def test_annotations(tmp_path: Path) -> None:
    text = """package a:b;
interface i {
  record point { x: s32 }
  type alias = point;
  resource r;
  f: func(
    a: list<u8>, b: list<s8>, c: list<alias>, d: option<option<u32>>, e: result<_, string>,
    g: tuple<u32, string>, h: borrow<r>, k: option<string>, l: result
  );
}
"""
    (tmp_path / "a.wit").write_text(text, encoding="utf-8")
    r = api.load(tmp_path / "a.wit", use_cache=False).resolve
    iface = next(i for i in r.interfaces if i.name == "i")
    params = dict((p.name, p.type) for p in iface.functions[0][1].params)

    def qualify(tid: m.TypeId) -> str:
        return "Q." + py.type_name(r.types[tid].name or "?")

    def ann(name: str, pep604: bool) -> str:
        found = type_views.annotation(
            r, params[name], qualify=qualify, spell=lambda n: n, pep604=pep604
        )
        return found.flat

    a3 = {n: ann(n, False) for n in params}
    assert a3 == {
        "a": "bytes",
        "b": "bytes",
        "c": "List[Q.Point]",
        "d": "Optional[Some[Optional[int]]]",
        "e": "Result[None, str]",
        "g": "Tuple[int, str]",
        "h": "Q.R",
        "k": "Optional[str]",
        "l": "Result[None, None]",
    }
    assert ann("c", True) == "list[Q.Point]"
    assert ann("d", True) == "Some[int | None] | None"
    assert ann("g", True) == "tuple[int, str]"
    # a helper that a WIT type shadows is spelled the way the module imports it
    spelled = type_views.Spelling(helpers={"Optional": "_Optional"}, shadowed=frozenset({"str"}))
    found = type_views.annotation(r, params["k"], qualify=qualify, spell=spelled)
    assert found == Subscript("_Optional", (Atom("builtins.str"),))
    assert spelled.in_class(["int", "x"]).shadowed == frozenset({"int"})


def test_wit_type_spelling(tmp_path: Path) -> None:
    sig = "f: func(a: result<_, list<string>>, b: option<tuple<u8, char>>);"
    text = f"package a:b;\ninterface i {{ {sig} }}\n"
    (tmp_path / "a.wit").write_text(text, encoding="utf-8")
    r = api.load(tmp_path / "a.wit", use_cache=False).resolve
    a, b = r.interfaces[0].functions[0][1].params
    assert type_views.wit_type(r, a.type) == "result<_, list<string>>"
    assert type_views.wit_type(r, b.type) == "option<tuple<u8, char>>"


# ---------------------------------------------------------------- layout


def test_bracket_fits_or_explodes_with_trailing_comma() -> None:
    assert layout.bracket("f", [Atom("a"), Atom("b")], indent=0) == "f(a, b)"
    long = [Atom("x" * 40), Atom("y" * 40)]
    assert (
        layout.bracket("f", long, ":", indent=4)
        == f"f(\n        {long[0].text},\n        {long[1].text},\n    ):"
    )
    assert layout.bracket("f", [], indent=0) == "f()"


def test_lay_out_explodes_nested_calls() -> None:
    inner = Call("g", (Atom("a" * 30),) * 3)
    laid = layout.lay_out(call("f", inner, "b"), indent=0, head="return ")
    assert laid.splitlines() == [
        "return f(",
        "    g(",
        *[f"        {'a' * 30}," for _ in range(3)],
        "    ),",
        "    b,",
        ")",
    ]
    assert all(len(line) <= layout.LINE for line in laid.splitlines())


def test_lay_out_never_reads_text() -> None:
    """Strings are atoms: quotes, brackets and a trailing backslash inside them are text."""
    tricky = Atom('"a(b, \\\\"')  # the literal "a(b, \\", whose value ends in a backslash
    expr = call("f", tricky, Call("g", (Atom("c"),)))
    assert expr.flat == 'f("a(b, \\\\", g(c))'
    laid = layout.lay_out(expr, indent=79)
    assert laid == "f(\n" + " " * 83 + '"a(b, \\\\",\n' + " " * 83 + "g(c),\n" + " " * 79 + ")"
    # an item is laid out with the comma that follows it: `g(c),` no longer fits at 84
    assert layout.lay_out(expr, indent=80).endswith(
        "g(\n" + " " * 88 + "c,\n" + " " * 84 + "),\n" + " " * 80 + ")"
    )
    # an atom or a bare parenthesised group stays on one line, however long
    assert layout.lay_out(Atom("x" * 100), indent=0) == "x" * 100
    group = Call("", (Atom("y" * 100),))
    assert layout.lay_out(group, indent=0) == f"({'y' * 100})"


def test_union_flattens() -> None:
    nested = union(union(Atom("a"), Atom("b")), Atom("None"))
    assert nested.members == (Atom("a"), Atom("b"), Atom("None"))
    assert nested.flat == "a | b | None"


def test_signature_layout() -> None:
    sig = layout.signature(
        "f", [("self", None), ("x", Atom("int"))], Atom("str"), indent=4, stub=True
    )
    assert sig == "def f(self, x: int) -> str: ..."
    some = Subscript("Some", (union(Atom("a" * 30), Atom("None")),))
    ann = union(Subscript("Result", (union(some, Atom("None")),) * 2), Atom("None"))
    sig = layout.signature("g", [("self", None)], ann, indent=0)
    assert sig.splitlines()[:3] == ["def g(", "    self,", ") -> ("]
    assert all(len(line) <= layout.LINE for line in sig.splitlines())


def test_annotation_layout() -> None:
    ann = Subscript("dict", (Atom("k" * 50), Atom("v" * 50)))
    laid = layout.lay_out_annotation(ann, indent=4, lead=6, tail=1, parens=False)
    assert laid == f"dict[\n        {'k' * 50},\n        {'v' * 50},\n    ]"
    laid = layout.lay_out_annotation(union(Atom("a" * 50), Atom("b" * 50)), indent=0, lead=5,
                                     tail=1, parens=True)  # fmt: skip
    assert laid == f"(\n    {'a' * 50}\n    | {'b' * 50}\n)"


def test_from_import_and_union_assignment() -> None:
    assert layout.from_import("m", ["a", "b"]) == "from m import a, b"
    names = [f"name{i:02}" for i in range(12)]
    assert layout.from_import("m", names).splitlines()[0] == "from m import ("
    assert layout.union_assignment("T", ["A", "B"]) == "T = A | B"
    long = [f"Case{i}" * 4 for i in range(5)]
    assert layout.union_assignment("T", long).splitlines()[:2] == ["T = (", f"    {long[0]}"]
