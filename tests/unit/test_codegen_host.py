"""The phases of the host generator one by one: value rules, planning, protocols, imports.

The goldens and `tests/codegen/test_bindgen_host.py` check the whole output; these check the
decisions each phase makes, on small worlds written for the purpose.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from witgen import api
from witgen import model as m
from witgen.codegen.python import naming, protocols
from witgen.codegen.python.host import generator as python_host
from witgen.codegen.python.host.assembly import Assembly
from witgen.codegen.python.host.planning import HostOptions, WorldPlan
from witgen.codegen.python.host.values import WasmtimeValues


def _resolve(tmp_path: Path, text: str) -> m.Resolve:
    (tmp_path / "w.wit").write_text(text, encoding="utf-8")
    return api.load(tmp_path / "w.wit", use_cache=False).resolve


def _plan(tmp_path: Path, text: str, **options: object) -> WorldPlan:
    r = _resolve(tmp_path, text)
    return WorldPlan(r, api.select_world(r, None), HostOptions(**options))  # type: ignore[arg-type]


def _param_types(r: m.Resolve, iface: str) -> dict[str, m.Type]:
    found = next(i for i in r.interfaces if i.name == iface)
    return {p.name: p.type for _, f in found.functions for p in f.params}


# ---------------------------------------------------------------- wasmtime-py's value rules


def test_tagged_exactly_when_case_classes_meet(tmp_path: Path) -> None:
    r = _resolve(
        tmp_path,
        """package a:b;
interface i {
  variant distinct { a(u32), b(string), c }
  variant shared { a(u32), b(s64) }
  f: func(a: distinct, b: shared, c: option<u32>, d: option<option<u32>>, e: result<u32, u8>);
}
""",
    )
    values = WasmtimeValues(r)
    types = _param_types(r, "i")

    def tid(name: str) -> m.TypeId:
        found = r.dealias(types[name])
        assert not isinstance(found, str)
        return found

    assert not values.tagged(tid("a"))
    assert values.classes(tid("a")) == {"int", "str", "object"}
    assert values.tagged(tid("b")) and values.classes(tid("b")) == {"Variant"}
    assert not values.tagged(tid("c")) and values.lift_identity(tid("c"))
    assert values.tagged(tid("d")) and not values.lift_identity(tid("d"))
    assert values.tagged(tid("e"))


def test_conflicts_name_the_cases_wasmtime_confuses(tmp_path: Path) -> None:
    r = _resolve(
        tmp_path,
        "package a:b;\ninterface i {\n  variant inner { empty, n(u32) }\n"
        "  variant v { x(inner), y(string) }\n  variant w { n(u8), flag(bool) }\n"
        "  f: func(a: v, b: w);\n}\n",
    )
    values = WasmtimeValues(r)
    types = _param_types(r, "i")
    v, w = (r.dealias(types[n]) for n in ("a", "b"))
    assert not isinstance(v, str) and not isinstance(w, str)
    # `inner` takes any value (its case without payload), so `y` is sent as `x`
    assert values.conflicts(v) == [frozenset(), {"str"}]
    # a bool is an int: after `n(u8)`, `flag(bool)` is sent as `n`
    assert values.conflicts(w) == [frozenset(), {"bool"}]
    [lost] = values.unsendable(w)
    assert lost.what == "case `flag` of `w`"
    assert lost.fix.startswith("declare case `flag` before the integer case")
    [lost] = values.unsendable(v)
    assert lost.what == "case `y` of `v`" and lost.fix.startswith("declare case `y` first")


def test_unsendable_cases_come_with_a_wit_fix_that_works(tmp_path: Path) -> None:
    """Each WIT406 hint, applied, gives a type wasmtime-py sends exactly: the variant with a
    `missing` case for `result<option<T>, E>`, and the cases reordered."""
    r = _resolve(
        tmp_path,
        "package a:b;\ninterface i {\n  variant inner { empty, n(u32) }\n"
        "  variant v { y(string), x(inner) }\n  variant w { flag(bool), n(u8) }\n"
        "  variant lookup { found(u32), missing, failed(string) }\n"
        "  f: func(a: v, b: w, c: lookup, d: result<option<u32>, string>);\n}\n",
    )
    values = WasmtimeValues(r)
    types = _param_types(r, "i")
    assert [values.unsendable(types[n]) for n in "abc"] == [[], [], []]
    [lost] = values.unsendable(types["d"])
    assert lost.what == "case `err` of `result<option<u32>, string>`"
    assert "`variant lookup { found(u32), missing, failed(string) }`" in lost.fix


# ---------------------------------------------------------------- planning


WASI = """package a:b;
package wasi:io@0.2.3 { interface streams { resource input-stream; } }
interface app {
  use wasi:io/streams@0.2.3.{input-stream};
  read: func(s: borrow<input-stream>);
  ping: func() -> u32;
}
world w {
  import wasi:io/streams@0.2.3;
  import app;
  export run: func();
  export app;
}
"""


def test_plan_leaves_wasi_to_wasi_and_reports_its_resources(tmp_path: Path) -> None:
    plan = _plan(tmp_path, WASI, skip_unsupported=True)
    assert [(i.module, i.wasi, len(i.functions)) for i in plan.imports] == [
        ("streams", True, 0),
        ("app", False, 1),
    ]
    assert [d.code for d in plan.diagnostics] == ["WIT407", "WIT407"]
    assert all("is omitted" in d.message for d in plan.diagnostics)
    assert list(plan.modules) == ["", "imports.streams", "imports.app", "exports.app"]
    # exports in `State.fns` order: the world's own, then each interface's
    assert plan.export_table == [("", ["run"]), ("a:b/app", ["ping"])]
    assert plan.export_index == {("", "run"): 0, ("a:b/app", "ping"): 1}


def test_plan_stops_at_errors(tmp_path: Path) -> None:
    plan = _plan(tmp_path, WASI)
    assert plan.has_errors and [d.code for d in plan.diagnostics] == ["WIT407", "WIT407"]
    assert plan.modules == {}
    bad = _plan(tmp_path, WASI, package="_private")
    assert [d.code for d in bad.diagnostics] == ["WIT402"] and bad.imports == []


def test_plan_claims_generated_names_after_types(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        "package a:b;\ninterface i { record host { x: u32 }\n  record %enum { y: u32 }\n"
        "  f: func(h: host, e: %enum); }\nworld w { import i; }\n",
    )
    module = plan.modules["imports.i"]
    assert list(module.classes.values()) == ["Host", "Enum"]
    assert module.host_protocol == "Host_"
    assert module.helpers["Enum"] == "_Enum" and module.helpers["Protocol"] == "Protocol"


# ---------------------------------------------------------------- protocols and imports


def test_hook_names_put_freestanding_functions_first(tmp_path: Path) -> None:
    r = _resolve(
        tmp_path,
        "package a:b;\ninterface i {\n  resource file { constructor(); open: static func(); "
        "read: func(); }\n  file-new: func();\n}\n",
    )
    funcs = [f for _, f in next(i for i in r.interfaces if i.name == "i").functions]
    hooks = protocols.hook_names(r, funcs, naming.Scope())
    assert hooks == {
        "file-new": "file_new",
        "[constructor]file": "file_new_",
        "[static]file.open": "file_open",
    }


def test_modules_import_the_runtime_when_their_code_uses_it(tmp_path: Path) -> None:
    """A flags type lifted in a module of types only needs `_rt.flags_in`: the import
    follows from the code built, not from searching it."""
    text = """package a:b;
interface types { flags perms { read, write } enum color { red } }
interface api { use types.{perms, color}; set: func(p: perms, c: color); }
world w { import api; }
"""
    plan = _plan(tmp_path, text)
    assembly = Assembly(plan)
    assert assembly.modules["imports.types"].uses_runtime
    r = plan.resolve
    files = python_host.generate(r, api.select_world(r, None), HostOptions())
    source = files[PurePosixPath("w/imports/types.py")]
    assert isinstance(source, str) and "from .. import _rt\n" in source
    assert "_rt.flags_in(v, labels)" in source
    compile(source, "types.py", "exec")
