"""Host bindings end to end: `witgen bindgen --lang python --host` driving real guests.

Each test checks one rule of the host bindings (stated in its docstring) against the
componentize-py guests of `guests/`, through the generated packages `notes` (the worked example)
and `all_types` (every type both ways). The hosts live in `hosts/`, typed against the
generated packages, and `test_mypy_strict` type-checks them with the bindings.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import gc
import importlib
import math
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from e2e_guests import HOSTS, NOTES, Generated, run_bindgen

wasmtime = pytest.importorskip("wasmtime")
from wasmtime.component import Instance, Linker  # noqa: E402

# --- helpers -------------------------------------------------------------------------------


def same(a: object, b: object) -> bool:
    """Equal with the same types all the way down (`True` is not `1`, a tuple not a list)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple | list):
        assert isinstance(b, tuple | list)
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


@pytest.fixture
def host(types_host: ModuleType) -> Any:
    return types_host.TypesHost()


@pytest.fixture
def app(types_host: ModuleType, engine: Any, types_component: Any, host: Any) -> Any:
    return types_host.connect(engine, types_component, host)


@pytest.fixture
def h(types_pkg: ModuleType) -> ModuleType:
    """`all_types.imports.host_api`: the world's types live in the imported interface."""
    return importlib.import_module("all_types.imports.host_api")


@pytest.fixture
def g(types_pkg: ModuleType) -> ModuleType:
    """`all_types.exports.guest_api`."""
    return importlib.import_module("all_types.exports.guest_api")


def usable(app: Any, host: Any) -> None:
    """The instance still answers, and the host saw nothing since the last check."""
    seen = len(host.host_api.seen)
    assert app.ping(7) == "pong #7"
    assert len(host.host_api.seen) == seen


# --- the worked example --------------------------------------------------------------------


def test_c5_worked_example(
    notes_demo: ModuleType, engine: Any, notes_component: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The worked example's user code runs as written and prints what its comments say."""
    notes_demo.main(engine, notes_component)
    assert capsys.readouterr().out.splitlines() == [
        "notes 0.1.0 4",
        "guest: open todo at 1700000000",
        "save failed: FsError_ReadOnly()",
        "guest: open loaded at 1700000000",
        "['buy milk']",
    ]


def notes_app(notes_demo: ModuleType, engine: Any, component: Any, host: Any) -> Any:
    linker = Linker(engine)
    notes_demo.Notes.add_to_linker(linker, host)
    store = wasmtime.Store(engine)
    store.set_wasi(wasmtime.WasiConfig())
    return notes_demo.Notes.instantiate(store, component, linker)


def test_notes_errors_both_ways(
    notes_demo: ModuleType, notes_pkg: ModuleType, engine: Any, notes_component: Any
) -> None:
    """A host `Err` reaches the guest as the WIT error; the guest's comes back as `Err`."""
    fs = importlib.import_module("notes.imports.fs")

    class FullFile(notes_demo.MemFile):
        def write(self, text: str) -> None:
            raise notes_pkg.Err(fs.FsError_Full(2**64 - 1))

    host = notes_demo.Host()
    app = notes_app(notes_demo, engine, notes_component, host)
    with pytest.raises(notes_pkg.Err) as missing:
        app.editor.document.load(notes_demo.MemFile(host.fs.disk, "nowhere.txt"))
    assert same(missing.value.value, fs.FsError_Missing("nowhere.txt"))
    with app.editor.document.new("t") as doc:
        with pytest.raises(notes_pkg.Err) as full:
            doc.save(FullFile(host.fs.disk, "f"))
        assert same(full.value.value, fs.FsError_Full(2**64 - 1))
        assert doc.save(notes_demo.MemFile(host.fs.disk, "ok")) is None
    assert host.fs.disk == {"ok": ""}


def test_notes_names(notes_pkg: ModuleType) -> None:
    """Module and class names of the worked example."""
    fs = importlib.import_module("notes.imports.fs")
    editor = importlib.import_module("notes.exports.editor")
    for name in ("FsError_Missing", "FsError_ReadOnly", "FsError_Full", "FsError", "File", "Host"):
        assert hasattr(fs, name), name
    for name in ("Mode", "Style", "Edit", "Document", "DocumentClass", "Editor"):
        assert hasattr(editor, name), name
    for name in ("NotesImports", "Notes", "Ok", "Err", "Some", "Result", "Trap"):
        assert name in notes_pkg.__all__, name
    assert issubclass(editor.Mode, enum.Enum) and issubclass(editor.Style, enum.Flag)
    assert [f.name for f in dataclasses.fields(editor.Edit)] == ["line", "text", "mode", "style"]


# --- every type, both ways -----------------------------------------------------------------


def a_bag(h: ModuleType, **changes: Any) -> Any:
    """A record with kebab-case fields, nested record, list, option, enum, flags and variant."""
    bag = h.Bag(
        name="bäg",
        where_at=h.Point(x_coord=1, y_coord=-2),
        tag_list=["t", ""],
        maybe_count=None,
        hue=h.Color.GREEN_BLUE,
        perms=h.Perms.READ | h.Perms.EXEC_ALL,
        shape=h.Shape_At(h.Point(x_coord=5, y_coord=6)),
    )
    return dataclasses.replace(bag, **changes)


Case = Callable[[ModuleType, ModuleType], tuple[str, tuple[Any, ...]]]

# id → (host_api, package) → (function, arguments): the guest forwards the arguments to the
# host function of the same name, which records and returns them.
CASES: dict[str, Case] = {
    "bools": lambda h, p: ("bools", (True, False)),
    "ints-max": lambda h, p: (
        "ints",
        (127, 255, 32767, 65535, 2**31 - 1, 2**32 - 1, 2**63 - 1, 2**64 - 1),
    ),
    "ints-min": lambda h, p: ("ints", (-128, 0, -32768, 0, -(2**31), 0, -(2**63), 0)),
    "floats": lambda h, p: ("floats", (1.5, -2.25)),
    "floats-inf": lambda h, p: ("floats", (math.inf, -math.inf)),
    "floats-nan": lambda h, p: ("floats", (math.nan, math.nan)),
    "char-ascii": lambda h, p: ("chars", ("a",)),
    "char-bmp": lambda h, p: ("chars", ("ß",)),
    "char-astral": lambda h, p: ("chars", ("🦀",)),
    "string": lambda h, p: ("strings", ("héllo, wörld ✓ 🦀 \x00 end",)),
    "string-empty": lambda h, p: ("strings", ("",)),
    "blob": lambda h, p: ("blob", (bytes(range(256)),)),
    "blob-empty": lambda h, p: ("blob", (b"",)),
    "string-list": lambda h, p: ("string_list", (["a", "", "ü"],)),
    "string-list-empty": lambda h, p: ("string_list", ([],)),
    "points": lambda h, p: (
        "points",
        ([h.Point(x_coord=-1, y_coord=2**31 - 1), h.Point(x_coord=-(2**31), y_coord=0)],),
    ),
    "tuples": lambda h, p: ("tuples", ((255, "x", (True, "é")),)),
    "bag": lambda h, p: ("bags", (a_bag(h),)),
    "bag-2": lambda h, p: (
        "bags",
        (a_bag(h, maybe_count=0, perms=h.Perms(0), shape=h.Shape_Origin(), tag_list=[]),),
    ),
    "colors": lambda h, p: ("colors", (h.Color.YELLOW, [h.Color.RED, h.Color.GREEN_BLUE])),
    "perms-all": lambda h, p: ("perm_set", (h.Perms.READ | h.Perms.WRITE | h.Perms.EXEC_ALL,)),
    "perms-none": lambda h, p: ("perm_set", (h.Perms(0),)),
    "shape-circle": lambda h, p: ("shapes", (h.Shape_Circle(1.5),)),
    "shape-square": lambda h, p: ("shapes", (h.Shape_Square(1.5),)),  # tagged: same payload
    "shape-origin": lambda h, p: ("shapes", (h.Shape_Origin(),)),
    "shape-at": lambda h, p: ("shapes", (h.Shape_At(h.Point(x_coord=0, y_coord=0)),)),
    "json-null": lambda h, p: ("jsons", (h.Json_Null(),)),
    "json-true": lambda h, p: ("jsons", (h.Json_Boolean(True),)),
    "json-false": lambda h, p: ("jsons", (h.Json_Boolean(False),)),
    "json-number": lambda h, p: ("jsons", (h.Json_Number(2.5),)),
    "json-zero": lambda h, p: ("jsons", (h.Json_Number(0.0),)),
    "json-str": lambda h, p: ("jsons", (h.Json_Str(""),)),
    "json-arr": lambda h, p: ("jsons", (h.Json_Arr(["x"]),)),
    "json-arr-empty": lambda h, p: ("jsons", (h.Json_Arr([]),)),
    "options-none": lambda h, p: ("options", (None, None, None)),
    "options-zero": lambda h, p: ("options", (0, "", h.Point(x_coord=0, y_coord=0))),
    "options-some": lambda h, p: ("options", (5, "x", h.Point(x_coord=1, y_coord=1))),
    "nested-none": lambda h, p: ("nested_option", (None,)),
    "nested-some-none": lambda h, p: ("nested_option", (p.Some(None),)),
    "nested-some-5": lambda h, p: ("nested_option", (p.Some(5),)),
    "nested-some-0": lambda h, p: ("nested_option", (p.Some(0),)),
    "results-ok": lambda h, p: ("results", (p.Ok(5), p.Ok(None), p.Ok("x"), p.Ok(None), p.Ok(3))),
    "results-err": lambda h, p: (
        "results",
        (p.Err("boom"), p.Err(None), p.Err("y"), p.Err(7), p.Err(None)),
    ),
    "results-mixed": lambda h, p: ("results", (p.Ok(0), p.Err(None), p.Ok(""), p.Err(0), p.Ok(0))),
    "result-list": lambda h, p: ("result_list", ([p.Ok(1), p.Err("e"), p.Ok(0), p.Err("")],)),
    "num-or-flag": lambda h, p: ("pick", (h.NumOrFlag_Num(2**32 - 1),)),
}


@pytest.mark.parametrize("case", CASES)
def test_round_trip(case: str, app: Any, host: Any, h: ModuleType, types_pkg: ModuleType) -> None:
    """A value lowered by the host, lifted and re-lowered by the guest, lifted by the host
    (the callback's argument), lowered as its result, and lifted again comes back the same."""
    func, args = CASES[case](h, types_pkg)
    expected = args[0] if len(args) == 1 else args
    result = getattr(app.guest_api, func)(*args)
    [(name, seen)] = host.host_api.seen
    assert name == func
    assert same(seen, expected), f"the host callback received {seen!r}"
    assert same(result, expected), f"{result!r} != {expected!r}"


def test_f32_rounds_and_int_for_float(app: Any, host: Any) -> None:
    """`int` is accepted for a float; f32 rounds as in wasm."""
    assert same(app.guest_api.floats(0.1, 0.1), (0.10000000149011612, 0.1))
    assert same(app.guest_api.floats(1, -2), (1.0, -2.0))


def test_f32_limits(app: Any, host: Any) -> None:
    """A value that rounds to the largest f32 is sent as it; infinities stay infinite; f64 has
    no such limit."""
    assert same(app.guest_api.floats(3.4028235e38, 1e300), (3.4028234663852886e38, 1e300))
    assert same(app.guest_api.floats(-math.inf, -1e300), (-math.inf, -1e300))


def test_accepted_sequences(app: Any, host: Any, h: ModuleType) -> None:
    """`bytearray`/`memoryview` for bytes, `tuple` for a list."""
    assert same(app.guest_api.blob(bytearray(b"ab")), b"ab")
    assert same(app.guest_api.blob(memoryview(b"cd")), b"cd")
    assert same(app.guest_api.string_list(("a", "b")), ["a", "b"])
    point = h.Point(x_coord=1, y_coord=2)
    assert same(app.guest_api.points((point,)), [point])


def test_world_level_functions(app: Any, host: Any) -> None:
    """World exports are methods of the instance; world imports methods of `host`."""
    assert app.ping(3) == "pong #3"


# --- checks before entering wasm -----------------------------------------------------------

Z8 = (0, 0, 0, 0, 0, 0, 0, 0)


def with_int(i: int, value: int) -> tuple[int, ...]:
    return (*Z8[:i], value, *Z8[i + 1 :])


OUT_OF_RANGE: list[tuple[str, Callable[[Any, ModuleType, ModuleType], object]]] = [
    *(
        (f"ints-{name}-{value}", lambda a, h, p, i=i, v=value: a.guest_api.ints(*with_int(i, v)))
        for i, (name, lo, hi) in enumerate(
            [
                ("s8", -(2**7), 2**7 - 1),
                ("u8", 0, 2**8 - 1),
                ("s16", -(2**15), 2**15 - 1),
                ("u16", 0, 2**16 - 1),
                ("s32", -(2**31), 2**31 - 1),
                ("u32", 0, 2**32 - 1),
                ("s64", -(2**63), 2**63 - 1),
                ("u64", 0, 2**64 - 1),
            ]
        )
        for value in (lo - 1, hi + 1)
    ),
    ("f32-max", lambda a, h, p: a.guest_api.floats(1e300, 0.0)),
    ("f32-min", lambda a, h, p: a.guest_api.floats(-1e300, 0.0)),
    ("f32-int", lambda a, h, p: a.guest_api.floats(2**128, 0.0)),
    ("record-field", lambda a, h, p: a.guest_api.points([h.Point(x_coord=2**31, y_coord=0)])),
    ("option", lambda a, h, p: a.guest_api.options(2**32, None, None)),
    ("nested-option", lambda a, h, p: a.guest_api.nested_option(p.Some(-1))),
    ("result", lambda a, h, p: a.guest_api.result_list([p.Ok(2**32)])),
    (
        "result-err",
        lambda a, h, p: a.guest_api.results(p.Ok(0), p.Ok(None), p.Ok(""), p.Err(256), p.Ok(0)),
    ),
    ("tuple", lambda a, h, p: a.guest_api.tuples((256, "x", (True, "c")))),
    ("u32-param", lambda a, h, p: a.guest_api.make_counter(-1)),
    ("constructor", lambda a, h, p: a.guest_api.acc.new(2**63)),
    ("static", lambda a, h, p: a.guest_api.acc.from_list([0, -(2**63) - 1])),
]

WRONG_TYPE: list[tuple[str, Callable[[Any, ModuleType, ModuleType], object]]] = [
    ("int-for-bool", lambda a, h, p: a.guest_api.bools(1, True)),
    ("bool-for-int", lambda a, h, p: a.guest_api.ints(True, *Z8[1:])),
    ("str-for-int", lambda a, h, p: a.guest_api.ints("1", *Z8[1:])),
    ("float-for-int", lambda a, h, p: a.guest_api.ints(1.0, *Z8[1:])),
    ("str-for-float", lambda a, h, p: a.guest_api.floats("1.0", 1.0)),
    ("char-too-long", lambda a, h, p: a.guest_api.chars("ab")),
    ("char-empty", lambda a, h, p: a.guest_api.chars("")),
    ("bytes-for-string", lambda a, h, p: a.guest_api.strings(b"x")),
    ("str-for-bytes", lambda a, h, p: a.guest_api.blob("x")),
    ("list-for-bytes", lambda a, h, p: a.guest_api.blob([1, 2])),
    ("str-for-list", lambda a, h, p: a.guest_api.string_list("abc")),
    ("int-in-list", lambda a, h, p: a.guest_api.string_list(["a", 1])),
    ("tuple-for-record", lambda a, h, p: a.guest_api.points([(1, 2)])),
    ("str-for-enum", lambda a, h, p: a.guest_api.colors("red", [])),
    ("int-for-enum", lambda a, h, p: a.guest_api.colors(0, [])),
    ("set-for-flags", lambda a, h, p: a.guest_api.perm_set({"read"})),
    ("record-for-variant", lambda a, h, p: a.guest_api.shapes(h.Point(x_coord=0, y_coord=0))),
    ("none-for-variant", lambda a, h, p: a.guest_api.jsons(None)),
    ("bare-for-json", lambda a, h, p: a.guest_api.jsons(True)),
    ("str-for-option-u32", lambda a, h, p: a.guest_api.options("x", None, None)),
    ("bare-for-nested-option", lambda a, h, p: a.guest_api.nested_option(5)),
    ("bare-for-result", lambda a, h, p: a.guest_api.result_list([5])),
    ("list-for-tuple", lambda a, h, p: a.guest_api.tuples([1, "x", (True, "c")])),
    ("wrong-record-field", lambda a, h, p: a.guest_api.points([h.Point(x_coord="1", y_coord=0)])),
    ("object-for-host-resource", lambda a, h, p: a.guest_api.read_counter(object())),
    ("host-object-for-guest-resource", lambda a, h, p: a.guest_api.acc_total(object())),
]


def _run_bad_call(
    make: Callable[[Any, ModuleType, ModuleType], object],
    error: type[Exception],
    app: Any,
    host: Any,
    h: ModuleType,
    pkg: ModuleType,
) -> None:
    with pytest.raises(error):
        make(app, h, pkg)
    assert host.host_api.seen == [], "the guest was entered"
    usable(app, host)


@pytest.mark.parametrize("make", [m for _, m in OUT_OF_RANGE], ids=[i for i, _ in OUT_OF_RANGE])
def test_out_of_range_raises_overflow_error(
    make: Any, app: Any, host: Any, h: ModuleType, types_pkg: ModuleType
) -> None:
    """An int outside its WIT range, or a finite float that would be an infinite f32,
    raises `OverflowError` before wasm, without poisoning."""
    _run_bad_call(make, OverflowError, app, host, h, types_pkg)


@pytest.mark.parametrize("make", [m for _, m in WRONG_TYPE], ids=[i for i, _ in WRONG_TYPE])
def test_wrong_type_raises_type_error(
    make: Any, app: Any, host: Any, h: ModuleType, types_pkg: ModuleType
) -> None:
    """A wrong Python type raises `TypeError` before wasm."""
    _run_bad_call(make, TypeError, app, host, h, types_pkg)


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a.guest_api.strings("\ud800"),
        lambda a: a.guest_api.chars("\udfff"),
        lambda a: a.guest_api.string_list(["ok", "x\udc00"]),
    ],
    ids=["string", "char", "in-list"],
)
def test_surrogate_raises_value_error(make: Any, app: Any, host: Any) -> None:
    """A surrogate in a string raises `ValueError` before wasm."""
    with pytest.raises(ValueError):
        make(app)
    assert host.host_api.seen == []
    usable(app, host)


# --- results -------------------------------------------------------------------------------


def test_function_results_raise_err(
    app: Any, host: Any, h: ModuleType, types_pkg: ModuleType
) -> None:
    """A function's own `result` returns `T` or raises `Err(e)`, in the host implementation
    (raised there, it reaches the guest, which re-raises it) and in the export wrapper."""
    api, err = app.guest_api, types_pkg.Err
    assert api.fail_full(False) == "fine"
    assert api.fail_unit(False) is None
    assert api.fail_ok_only(False) == 42
    assert api.fail_err_only(False) is None
    assert same(api.fail_variant(False), h.Point(x_coord=3, y_coord=4))
    raised = {
        "fail_full": h.Color.GREEN_BLUE,
        "fail_unit": None,
        "fail_ok_only": None,
        "fail_err_only": "nope",
        "fail_variant": h.Shape_At(h.Point(x_coord=1, y_coord=-2)),
    }
    for name, value in raised.items():
        with pytest.raises(err) as e:
            getattr(api, name)(True)
        assert type(e.value) is err and same(e.value.value, value), name
    usable(app, host)


def test_result_twins_return_err(app: Any, host: Any, h: ModuleType, types_pkg: ModuleType) -> None:
    """Every export whose own result is a `result` has a `<name>_result` twin that returns
    `Ok(value)` or `Err(error)` instead of raising, for mypy to type the error."""
    api, ok, err = app.guest_api, types_pkg.Ok, types_pkg.Err
    assert same(api.fail_full_result(False), ok("fine"))
    assert same(api.fail_full_result(True), err(h.Color.GREEN_BLUE))
    assert same(api.fail_unit_result(False), ok(None))
    assert same(api.fail_unit_result(True), err(None))
    assert same(api.fail_variant_result(True), err(h.Shape_At(h.Point(x_coord=1, y_coord=-2))))
    with api.acc.new(-5) as acc:
        assert same(acc.checked_result(), err(-5))
        acc.add(6)
        assert same(acc.checked_result(), ok(1))
    assert not hasattr(api, "ping_result") and not hasattr(app, "ping_result")
    usable(app, host)


def test_host_err_reaches_guest_as_wit_error(app: Any) -> None:
    """The guest catches the host's `Err` as its own `Err` holding its own `Shape_At`."""
    assert app.guest_api.host_error_seen() == "Err(Shape_At(value=Point(x_coord=1, y_coord=-2)))"


def test_guest_resource_err(app: Any, types_pkg: ModuleType) -> None:
    """A resource method's own result raises `Err` too."""
    with app.guest_api.acc.new(-5) as acc:
        with pytest.raises(types_pkg.Err) as e:
            acc.checked()
        assert e.value.value == -5
        acc.add(6)
        assert acc.checked() == 1


# --- host resources ------------------------------------------------------------------------


def test_host_resource_made_and_dropped_by_guest(app: Any, host: Any) -> None:
    """An object the host returns as `own` (from `counter_new`) gets a guest handle; its
    `drop()` runs once, when the guest drops that handle."""
    assert app.guest_api.counter_scratch(5) == 7
    (counter,) = host.host_api.counters
    assert counter.value == 7
    assert counter.drops == 1


def test_host_resource_lent(app: Any, host: Any, types_host: ModuleType) -> None:
    """A host object passed as `borrow` is lent for the call: same object, never dropped."""
    counter = types_host.Counter(3)
    assert app.guest_api.read_counter(counter) == 13
    assert app.guest_api.read_counter(counter) == 23
    assert counter.value == 23 and counter.drops == 0


def test_host_resource_duck_typed(app: Any) -> None:
    """A host resource may match the Protocol instead of subclassing it."""

    class Duck:
        def __init__(self) -> None:
            self.value = 0

        def get(self) -> int:
            return self.value

        def bump(self, by: int) -> int:
            self.value += by
            return self.value

        def drop(self) -> None:
            pass

    assert app.guest_api.read_counter(Duck()) == 10


def test_host_resource_given_away(app: Any, host: Any, types_host: ModuleType) -> None:
    """A host object passed as `own` is given away; the guest drops it: `drop()` once."""
    counter = types_host.Counter(3)
    assert app.guest_api.take_counter(counter) == 4
    assert counter.drops == 1


def test_host_resource_default_drop(app: Any, h: ModuleType) -> None:
    """`drop()` of a host resource Protocol is a no-op unless overridden."""

    class Plain(h.Counter):
        def get(self) -> int:
            return 1

        def bump(self, by: int) -> int:
            return 1 + by

    assert app.guest_api.take_counter(Plain()) == 2
    assert app.guest_api.counter_scratch(0) == 2


def test_host_resource_returned_to_host(app: Any, host: Any) -> None:
    """An `own` handle the guest returns (export result) or passes (callback argument)
    arrives as the host's own object, not dropped."""
    made = app.guest_api.make_counter(9)
    assert made is host.host_api.counters[-1]
    assert made.drops == 0
    assert app.guest_api.counter_round_trip(1) == 4  # `counter.make`, then lent, then given
    counter = host.host_api.counters[-1]
    assert [seen for name, seen in host.host_api.seen] == [counter, counter]
    assert counter.drops == 0


def test_host_resource_protocol_members_are_abstract(
    notes_demo: ModuleType, notes_pkg: ModuleType
) -> None:
    """A subclass of a resource Protocol, a `Host` or `<World>Imports` that lacks a member
    cannot be instantiated: no method silently answers `None` (a `write` that "succeeds")."""
    fs = importlib.import_module("notes.imports.fs")

    class NoWrite(fs.File):
        def read(self) -> str:
            return ""

    class NoLog(fs.Host):
        def file_new(self, path: str) -> Any:
            return NoWrite()

        def file_open(self, path: str) -> Any:
            return NoWrite()

    class NoNow(notes_pkg.NotesImports):
        fs = notes_demo.Files()

    for cls, member in ((NoWrite, "write"), (NoLog, "log"), (NoNow, "now")):
        with pytest.raises(TypeError, match=rf"abstract.*\b{member}\b"):
            cls()


def test_host_resource_lacking_a_method_is_refused(
    app: Any, host: Any, types_pkg: ModuleType
) -> None:
    """An object that matches a resource Protocol only in part is refused, naming what it
    lacks: passed by the host (before wasm), or returned by a host implementation (a trap)."""

    class Half:
        def get(self) -> int:
            return 0

        def drop(self) -> None:
            pass

    with pytest.raises(TypeError, match=r"expected Counter, got Half \(it lacks bump\)"):
        app.guest_api.read_counter(Half())
    usable(app, host)
    host.host_api.counter_new = lambda start: Half()
    with pytest.raises(types_pkg.Trap) as trap:
        app.guest_api.counter_scratch(1)
    assert isinstance(trap.value.__cause__, TypeError)
    assert "it lacks bump" in str(trap.value.__cause__)


def test_host_resource_runtime_checkable(types_host: ModuleType, h: ModuleType) -> None:
    """Host resource Protocols are `runtime_checkable`."""
    assert isinstance(types_host.Counter(0), h.Counter)
    assert not isinstance(object(), h.Counter)


def test_linker_shared_by_instances(
    types_host: ModuleType, engine: Any, types_component: Any
) -> None:
    """Every instance of one Linker shares `host` and its handle table."""
    host = types_host.TypesHost()
    linker = Linker(engine)
    types_host.AllTypes.add_to_linker(linker, host)
    first = types_host.connect(engine, types_component, host, linker=linker)
    second = types_host.connect(engine, types_component, host, linker=linker)
    made = first.guest_api.make_counter(1)
    assert second.guest_api.read_counter(made) == 11
    assert second.guest_api.take_counter(made) == 12
    assert made.drops == 1
    assert first.guest_api.counter_scratch(0) == second.guest_api.counter_scratch(0) == 2


# --- guest resources -----------------------------------------------------------------------


def test_guest_resource_methods_and_statics(app: Any, g: ModuleType) -> None:
    """`.new`, methods, statics; handles of class `<R>`, the accessor of class `<R>Class`."""
    assert type(app.guest_api).__name__ == "GuestApi" and isinstance(app.guest_api, g.GuestApi)
    assert isinstance(app.guest_api.acc, g.AccClass)
    acc = app.guest_api.acc.new(5)
    other = app.guest_api.acc.from_list([1, 2, 3])
    assert isinstance(acc, g.Acc) and isinstance(other, g.Acc)
    assert acc.add(3) is None
    assert acc.total() == 8
    assert acc.peek(other) == 6  # borrow: `other` stays usable
    assert other.total() == 6
    assert app.guest_api.acc_total(other) == 6
    acc.drop()
    other.drop()


def test_guest_resource_with_and_idempotent_drop(app: Any, host: Any) -> None:
    """`__exit__` drops; `drop()` is idempotent; a closed handle raises `ValueError`."""
    with app.guest_api.acc.new(1) as acc:
        acc.add(1)
        assert acc.total() == 2
    with pytest.raises(ValueError):
        acc.total()
    acc.drop()
    acc.drop()
    with pytest.raises(ValueError):
        app.guest_api.acc_total(acc)
    usable(app, host)


def test_guest_resource_own_moves(app: Any, host: Any) -> None:
    """Passing a handle as `own` moves it; reusing it raises `ValueError` before wasm."""
    acc = app.guest_api.acc.new(10)
    other = app.guest_api.acc.new(4)
    acc.merge(other)
    assert acc.total() == 14
    with pytest.raises(ValueError):
        other.total()
    with pytest.raises(ValueError):
        acc.merge(other)
    with pytest.raises(ValueError):
        app.guest_api.consume_acc(other)
    other.drop()  # idempotent on a moved handle
    assert app.guest_api.consume_acc(acc) == 14
    with pytest.raises(ValueError):
        acc.add(1)
    usable(app, host)


def test_guest_resource_in_option(app: Any, g: ModuleType) -> None:
    """`option<own<acc>>` results are handles or `None`."""
    assert app.guest_api.maybe_acc(None) is None
    acc = app.guest_api.maybe_acc(4)
    assert isinstance(acc, g.Acc)
    assert acc.total() == 4
    acc.drop()


def test_guest_resource_foreign_handle(
    app: Any, host: Any, types_host: ModuleType, engine: Any, types_component: Any
) -> None:
    """A handle of another instance raises `ValueError` before wasm (never an abort)."""
    other = types_host.connect(engine, types_component, types_host.TypesHost())
    foreign = other.guest_api.acc.new(1)
    with pytest.raises(ValueError):
        app.guest_api.acc_total(foreign)
    with pytest.raises(ValueError):
        app.guest_api.consume_acc(foreign)
    usable(app, host)
    assert foreign.total() == 1
    foreign.drop()


def test_guest_resource_leak_warns(app: Any) -> None:
    """A handle collected without `drop()` emits `ResourceWarning`."""
    with pytest.warns(ResourceWarning):
        app.guest_api.acc.new(1)
        gc.collect()


# --- traps and poisoning -------------------------------------------------------------------


def test_guest_trap_poisons(app: Any, types_pkg: ModuleType) -> None:
    """A guest trap raises `Trap` (a `WasmtimeError`, not `wasmtime.Trap`); then every call
    on the instance or its handles raises `Trap` at once with the first cause; `drop()`
    and `__exit__` close silently."""
    trap = types_pkg.Trap
    assert issubclass(trap, wasmtime.WasmtimeError) and not issubclass(trap, wasmtime.Trap)
    acc = app.guest_api.acc.new(1)
    held = app.guest_api.acc.new(2)
    with pytest.raises(trap) as first:
        app.guest_api.crash("boom")
    cause = first.value.__cause__
    assert isinstance(cause, wasmtime.WasmtimeError)
    for call in (
        lambda: app.ping(1),
        lambda: app.guest_api.bools(True, True),
        lambda: app.guest_api.acc.new(1),
        lambda: app.guest_api.acc.from_list([]),
        lambda: acc.total(),
    ):
        with pytest.raises(trap) as again:
            call()
        assert again.value.__cause__ is cause
    acc.drop()
    acc.drop()
    with held:
        pass


def test_host_exception_traps(app: Any, host: Any, types_pkg: ModuleType) -> None:
    """A host implementation raising anything but an allowed `Err` makes the export raise
    `Trap` whose `__cause__` is that exception; the instance is poisoned."""
    with pytest.raises(types_pkg.Trap) as trap:
        app.guest_api.call_explode()
    assert isinstance(trap.value.__cause__, LookupError)
    assert str(trap.value.__cause__) == "host says no"
    with pytest.raises(types_pkg.Trap) as again:
        app.ping(1)
    assert again.value.__cause__ is trap.value.__cause__


def test_host_err_without_result_traps(app: Any, host: Any, types_pkg: ModuleType) -> None:
    """`Err` from a host function whose WIT result is not a `result` is not allowed."""
    host.host_api.raise_in["strings"] = types_pkg.Err("x")
    with pytest.raises(types_pkg.Trap) as trap:
        app.guest_api.strings("a")
    assert isinstance(trap.value.__cause__, types_pkg.Err)


@pytest.mark.parametrize(
    ("func", "args", "bad", "cause"),
    [
        ("ints", Z8, (300, *Z8[1:]), OverflowError),
        ("strings", ("a",), 5, TypeError),
        ("strings", ("a",), "\ud800", ValueError),
        ("bools", (True, True), (1, True), TypeError),
        ("floats", (1.0, 1.0), (1e300, 1.0), OverflowError),
        ("chars", ("a",), "ab", TypeError),
    ],
    ids=["overflow", "type", "surrogate", "int-for-bool", "f32-overflow", "long-char"],
)
def test_host_bad_return_traps(
    func: str,
    args: tuple[Any, ...],
    bad: object,
    cause: type[Exception],
    app: Any,
    host: Any,
    types_pkg: ModuleType,
) -> None:
    """A host implementation returning a value that fails the checks makes the export
    raise `Trap`, `__cause__` the check's error."""
    host.host_api.replace[func] = bad
    with pytest.raises(types_pkg.Trap) as trap:
        getattr(app.guest_api, func)(*args)
    assert isinstance(trap.value.__cause__, cause), repr(trap.value.__cause__)


def test_unsendable_warned(bindings: dict[str, Generated]) -> None:
    """Generation warns (WIT406) for every function that lowers an unsendable case."""
    output = bindings["types"].output
    for func in ("unsendable", "pick", "send-unsendable"):
        assert re.search(rf"warning\[WIT406\]: function `{func}`", output), output


@pytest.mark.parametrize("case", ["result", "variant"])
def test_unsendable_host_result_traps(
    case: str, app: Any, host: Any, h: ModuleType, types_pkg: ModuleType
) -> None:
    """A host implementation returning an unsendable value (the `err` side of
    `result<option<u32>, string>`, `flag` of `variant {num(u32), flag(bool)}`) makes the export
    call raise `Trap` whose `__cause__` is a `NotImplementedError` naming the WIT type and the
    wasmtime-py limitation; never a wrong value."""
    if case == "result":
        assert app.guest_api.unsendable(False) == 7
        call, wit = (lambda: app.guest_api.unsendable(True)), "result<option<u32>, string>"
    else:
        host.host_api.replace["pick"] = h.NumOrFlag_Flag(True)
        call, wit = (lambda: app.guest_api.pick(h.NumOrFlag_Num(1))), "num-or-flag"
    with pytest.raises(types_pkg.Trap) as trap:
        call()
    cause = trap.value.__cause__
    assert isinstance(cause, NotImplementedError), repr(cause)
    assert wit in str(cause) and "wasmtime" in str(cause).lower(), str(cause)


def test_unsendable_export_argument(
    app: Any, host: Any, h: ModuleType, types_pkg: ModuleType
) -> None:
    """An unsendable export argument raises a clear error (`NotImplementedError`,
    directly or as the cause) instead of sending a wrong value; like every argument check it
    happens before wasm, so the instance stays usable."""
    assert app.guest_api.send_unsendable(types_pkg.Ok(5)) == "Ok(value=5)"
    assert app.guest_api.send_unsendable(types_pkg.Ok(None)) == "Ok(value=None)"
    for call in (
        lambda: app.guest_api.send_unsendable(types_pkg.Err("x")),
        lambda: app.guest_api.pick(h.NumOrFlag_Flag(True)),
    ):
        with pytest.raises(Exception) as e:
            call()
        cause = e.value if isinstance(e.value, NotImplementedError) else e.value.__cause__
        assert isinstance(cause, NotImplementedError), repr(e.value)
        assert host.host_api.seen == []
        usable(app, host)


# --- linking and instantiation -------------------------------------------------------------


def test_wasi_flag(types_host: ModuleType, engine: Any, types_component: Any) -> None:
    """`wasi=True` (default) adds WASI; with `wasi=False` the user adds it (or the guest's
    wasi imports are missing at instantiation)."""
    host = types_host.TypesHost()
    bare = Linker(engine)
    types_host.AllTypes.add_to_linker(bare, host, wasi=False)
    with pytest.raises(wasmtime.WasmtimeError, match="wasi:"):
        types_host.connect(engine, types_component, host, linker=bare)
    manual = Linker(engine)
    manual.add_wasip2()
    types_host.AllTypes.add_to_linker(manual, host, wasi=False)
    assert types_host.connect(engine, types_component, host, linker=manual).ping(2) == "pong #2"


def test_add_to_linker_names_every_missing_member(
    types_host: ModuleType, engine: Any, types_component: Any
) -> None:
    """`add_to_linker` checks that `host` has every method the world's imports call (and
    each interface's object), naming all it lacks in one `TypeError`, before it defines
    anything: the same Linker takes a complete host afterwards."""

    class Sloppy(types_host.HostApi):
        pick = None
        explode = None

    class NoStamp:
        host_api = Sloppy()

    class NoApi:
        def stamp(self, n: int) -> str:
            return ""

    linker = Linker(engine)
    with pytest.raises(TypeError) as caught:
        types_host.AllTypes.add_to_linker(linker, NoStamp())
    assert str(caught.value) == (
        "`host` does not provide everything the world `all-types` imports; "
        "missing: host.stamp, host.host_api.pick, host.host_api.explode"
    )
    with pytest.raises(TypeError, match=r"missing: host\.host_api$"):
        types_host.AllTypes.add_to_linker(linker, NoApi())
    host = types_host.TypesHost()
    types_host.AllTypes.add_to_linker(linker, host)
    assert types_host.connect(engine, types_component, host, linker=linker).ping(4) == "pong #4"


def test_add_to_linker_twice_is_named(
    types_host: ModuleType, engine: Any, types_component: Any
) -> None:
    """A second `add_to_linker` on one Linker, or WASI added before it, is named as such, not
    as WASI's "map entry `now` defined twice"; `wasi=False` is the way around the latter."""
    host = types_host.TypesHost()
    linker = Linker(engine)
    types_host.AllTypes.add_to_linker(linker, host)
    for wasi in (True, False):
        with pytest.raises(ValueError, match="add_to_linker was already called on this Linker"):
            types_host.AllTypes.add_to_linker(linker, host, wasi=wasi)
    assert types_host.connect(engine, types_component, host, linker=linker).ping(5) == "pong #5"
    manual = Linker(engine)
    manual.add_wasip2()
    with pytest.raises(ValueError, match=r"already has WASI .*pass `wasi=False`"):
        types_host.AllTypes.add_to_linker(manual, host)
    types_host.AllTypes.add_to_linker(manual, host, wasi=False)
    assert types_host.connect(engine, types_component, host, linker=manual).ping(6) == "pong #6"


def test_instantiate_checks(
    types_host: ModuleType,
    notes_demo: ModuleType,
    engine: Any,
    notes_component: Any,
    types_component: Any,
) -> None:
    """Without `add_to_linker`, wasmtime names the missing import; a component for
    another world raises `LookupError` naming the first missing export."""
    linker = Linker(engine)
    linker.add_wasip2()
    with pytest.raises(wasmtime.WasmtimeError, match="test:types/host-api"):
        types_host.connect(engine, types_component, types_host.TypesHost(), linker=linker)
    notes_linker = Linker(engine)
    notes_demo.Notes.add_to_linker(notes_linker, notes_demo.Host())
    with pytest.raises(LookupError, match=r"test:types/guest-api|ping"):
        types_host.connect(engine, notes_component, types_host.TypesHost(), linker=notes_linker)


def test_store_bound(types_host: ModuleType, engine: Any, types_component: Any) -> None:
    """`wasm_store` and `wasm_instance` are the instance's, read-only."""
    host = types_host.TypesHost()
    linker = Linker(engine)
    types_host.AllTypes.add_to_linker(linker, host)
    store = wasmtime.Store(engine)
    store.set_wasi(wasmtime.WasiConfig())
    app = types_host.AllTypes.instantiate(store, types_component, linker)
    assert app.wasm_store is store
    assert isinstance(app.wasm_instance, Instance)
    with pytest.raises(AttributeError):
        app.wasm_store = wasmtime.Store(engine)


# --- the generated package -----------------------------------------------------------------


def py_files(gen: Generated) -> dict[str, str]:
    root = gen.root / gen.package
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.py"))}


def public_annotations(tree: ast.Module) -> list[tuple[str, str]]:
    """(name, annotation) of every public function, method and class attribute."""
    found: list[tuple[str, str]] = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef) and (
                not node.name.startswith("_") or node.name.startswith("__")
            ):
                args = [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]
                notes = [a.annotation for a in args if a.annotation] + [node.returns]
                found.extend((prefix + node.name, ast.unparse(n)) for n in notes if n)
            elif isinstance(node, ast.AnnAssign) and prefix:
                found.append((prefix + ast.unparse(node.target), ast.unparse(node.annotation)))

    visit(tree.body, "")
    return found


@pytest.mark.parametrize("name", ["notes", "types", "wasi"])
def test_package_layout(name: str, bindings: dict[str, Generated]) -> None:
    """Layout, `py.typed`, header, docstring-only package markers, nothing imports
    witgen (only wasmtime at run time), no `Any` in public signatures (`_rt` is private)."""
    gen = bindings[name]
    root = gen.root / gen.package
    files = py_files(gen)
    assert (root / "py.typed").exists()
    assert {"__init__.py", "_rt.py", "imports/__init__.py", "exports/__init__.py"} <= set(files)
    for rel, text in files.items():
        assert text.startswith("# Generated by witgen "), rel
        tree = ast.parse(text, rel)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and not getattr(node, "level", 0):
                modules = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                for module in modules:
                    top = module.split(".")[0]
                    assert top not in {"witgen", "componentize_py_types"}, f"{rel}: {module}"
        for where, annotation in public_annotations(tree) if rel != "_rt.py" else []:
            assert "Any" not in annotation, f"{rel}: {where} is annotated {annotation}"
        if rel in {"imports/__init__.py", "exports/__init__.py"}:
            assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr), rel
            assert isinstance(tree.body[0].value, ast.Constant), rel


@pytest.mark.parametrize("name", ["notes", "types", "wasi"])
def test_package_cites_nothing_outside_it(name: str, bindings: dict[str, Generated]) -> None:
    """Generated code and the warnings of `bindgen` point at no document beside the repository
    (`BINDINGS.md`, its sections such as "B.2" or "C.5")."""
    outside = re.compile(r"BINDINGS|\b[A-C]\.[0-9]")
    gen = bindings[name]
    for rel, text in py_files(gen).items():
        assert not outside.search(text), (rel, outside.search(text))
    assert not outside.search(gen.output), gen.output


def test_package_exports(types_pkg: ModuleType) -> None:
    """`Ok`, `Err`, `Some`, `Result`, `Trap` and the world classes in `__all__`; `Err` is a
    frozen dataclass and an `Exception`, `Some`/`Ok` dataclasses with field `value`."""
    assert {"AllTypes", "AllTypesImports", "Ok", "Err", "Some", "Result", "Trap"} <= set(
        types_pkg.__all__
    )
    assert issubclass(types_pkg.Err, Exception)
    with pytest.raises(dataclasses.FrozenInstanceError):
        types_pkg.Err(1).value = 2
    for cls in (types_pkg.Ok, types_pkg.Err, types_pkg.Some):
        assert [f.name for f in dataclasses.fields(cls)] == ["value"]


def test_second_package_and_determinism(
    tmp_path: Path,
    bindings: dict[str, Generated],
    notes_demo: ModuleType,
    engine: Any,
    notes_component: Any,
) -> None:
    """`--package` renames the package; two packages of one world work side by side in
    one process; the output is byte-identical across runs."""
    again = run_bindgen(NOTES, tmp_path / "a")
    assert py_files(again) == py_files(bindings["notes"])
    other = run_bindgen(NOTES, tmp_path / "b", "--package", "notes_b")
    assert (tmp_path / "b" / "notes_b" / "__init__.py").exists()
    sys.path.insert(0, str(tmp_path / "b"))
    try:
        notes_b = importlib.import_module("notes_b")
        fs_b = importlib.import_module("notes_b.imports.fs")
    finally:
        sys.path.remove(str(tmp_path / "b"))
    assert other.package == "notes_b"
    # resource type ids hash the package name too (read from the private constants)
    fs_a = importlib.import_module("notes.imports.fs")
    ids_a, ids_b = ({v for k, v in vars(m).items() if k.endswith("_ID")} for m in (fs_a, fs_b))
    assert ids_a and ids_b and not ids_a & ids_b, (ids_a, ids_b)

    class File(fs_b.File):
        def __init__(self, disk: dict[str, str]) -> None:
            self.disk = disk

        def read(self) -> str:
            return self.disk.get("x", "")

        def write(self, text: str) -> None:
            self.disk["x"] = text

    class Files:
        def file_new(self, path: str) -> Any:
            return File({})

        def file_open(self, path: str) -> Any:
            return File({})

        def log(self, msg: str) -> None:
            pass

    class Host:
        fs = Files()

        def now(self) -> int:
            return 0

    linker = Linker(engine)
    notes_b.Notes.add_to_linker(linker, Host())
    store = wasmtime.Store(engine)
    store.set_wasi(wasmtime.WasiConfig())
    app_b = notes_b.Notes.instantiate(store, notes_component, linker)
    app_a = notes_app(notes_demo, engine, notes_component, notes_demo.Host())
    disk: dict[str, str] = {}
    with app_b.editor.document.new("b") as doc:
        doc.apply(
            importlib.import_module("notes_b.exports.editor").Edit(
                line=0,
                text="hi",
                mode=notes_b.exports.editor.Mode.INSERT,
                style=notes_b.exports.editor.Style(0),
            )
        )
        doc.save(File(disk))
    assert disk == {"x": "hi"}
    assert app_a.version() == app_b.version()


def test_bindgen_cli(tmp_path: Path, bindings: dict[str, Generated]) -> None:
    """`--world` may be omitted for a single world; a failed generation leaves no output."""
    from typer.testing import CliRunner

    from witgen.cli.app import app as cli

    bare = ["bindgen", "--lang", "python", "--host", str(NOTES.wit), "-o", str(tmp_path / "w")]
    result = CliRunner().invoke(cli, bare)
    assert result.exit_code == 0, result.output
    assert py_files(Generated(tmp_path / "w", "notes", "")) == py_files(bindings["notes"])
    out = tmp_path / "out"
    args = ["bindgen", "--lang", "python", "--host", str(NOTES.wit), "--world", "nope"]
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not (out / "nope").exists() and not (out / "notes").exists()


# --- mypy ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_mypy_strict(bindings: dict[str, Generated], tmp_path: Path) -> None:
    """The generated packages and the typed user code of `hosts/` pass
    `mypy --strict` (one run)."""
    root = bindings["notes"].root
    targets = [str(root / "notes"), str(root / "all_types"), str(root / "wasi_imports")]
    targets += [str(HOSTS / n) for n in ("notes_demo.py", "types_host.py", "wasi_host.py")]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--python-version",
            "3.11",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            *targets,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": f"{root}:{HOSTS}"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
