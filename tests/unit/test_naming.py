"""`backends/_python.py`: Python names (BINDINGS.md A.1–A.3), annotations and layout."""

from __future__ import annotations

import keyword
from pathlib import Path

import pytest

from witgen import api
from witgen import model as m
from witgen.codegen.python import naming as py


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
        return py.annotation(r, params[name], qualify=qualify, spell=lambda n: n, pep604=pep604)

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
    spelled = py.Spelling(helpers={"Optional": "_Optional"}, shadowed=frozenset({"str"}))
    assert (
        py.annotation(r, params["k"], qualify=qualify, spell=spelled) == "_Optional[builtins.str]"
    )
    assert spelled.in_class(["int", "x"]).shadowed == frozenset({"int"})


def test_wit_type_spelling(tmp_path: Path) -> None:
    sig = "f: func(a: result<_, list<string>>, b: option<tuple<u8, char>>);"
    text = f"package a:b;\ninterface i {{ {sig} }}\n"
    (tmp_path / "a.wit").write_text(text, encoding="utf-8")
    r = api.load(tmp_path / "a.wit", use_cache=False).resolve
    a, b = r.interfaces[0].functions[0][1].params
    assert py.wit_type(r, a.type) == "result<_, list<string>>"
    assert py.wit_type(r, b.type) == "option<tuple<u8, char>>"


# ---------------------------------------------------------------- layout


def test_bracket_fits_or_explodes_with_trailing_comma() -> None:
    assert py.bracket("f", ["a", "b"], indent=0) == "f(a, b)"
    long = ["x" * 40, "y" * 40]
    assert (
        py.bracket("f", long, ":", indent=4)
        == f"f(\n        {long[0]},\n        {long[1]},\n    ):"
    )
    assert py.bracket("f", [], indent=0) == "f()"


def test_expr_splits_nested_calls() -> None:
    arg = "g(" + ", ".join(["a" * 30] * 3) + ")"
    laid = py.expr(f"f({arg}, b)", indent=0, head="return ")
    assert laid.splitlines()[0] == "return f("
    assert all(len(line) <= py.LINE for line in laid.splitlines())
    assert py.split_call('f("a, b", g(c, d))') == ("f", ['"a, b"', "g(c, d)"])
    assert py.split_call("f(a)[0]") is None


def test_signature_layout() -> None:
    sig = py.signature("f", [("self", None), ("x", "int")], "str", indent=4, stub=True)
    assert sig == "def f(self, x: int) -> str: ..."
    ann = "Result[" + ", ".join(["Some[" + "a" * 30 + " | None] | None"] * 2) + "]"
    sig = py.signature("g", [("self", None)], ann + " | None", indent=0)
    assert sig.splitlines()[:3] == ["def g(", "    self,", ") -> ("]
    assert all(len(line) <= py.LINE for line in sig.splitlines())
