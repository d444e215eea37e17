"""wasmtime-py's value rules: the Python classes its component values take.

Input: a `model.Resolve` and types of it. Output: per type, the set of Python classes
wasmtime-py 50 lowers from and lifts to, whether a variant-like type is tagged (wasmtime's
`_tagged`: two cases share a class), which cases it would confuse and how the WIT could avoid
that, whether its lifted value already is the Python value, and whether converting it touches
handles.

wasmtime-py sends an untagged variant, option or result as the first case whose classes the
Python value is an instance of: a case is lost when an earlier case takes every value of it,
because that case's payload can be `none` (class `object`: any value) or because it is `bool`
and the earlier one an integer (a `bool` is an `int`).

Invariants: the answers follow wasmtime-py's own rules exactly, because the generated
conversions must produce the values wasmtime-py expects and no others; results are cached
per type id, and recursion through a type's own children ends (handles stop the walk).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from witgen import model as m
from witgen.codegen.python import type_views

# wasmtime-py's classes of lowered and lifted values, in the order generated type tests name
# them; `object` stands for a missing payload (any value). The last four are wasmtime's own
# classes, which generated code reaches through the runtime module.
CLASS_ORDER = ("bool", "int", "float", "str", "set", "bytes", "list", "tuple",
               "Record", "Variant", "ResourceAny", "ResourceHost")  # fmt: skip
WASMTIME_CLASSES = frozenset({"Record", "Variant", "ResourceAny", "ResourceHost"})
_HANDLE_CLASSES = frozenset({"ResourceAny", "ResourceHost"})
_PRIMITIVE_CLASSES = {
    "bool": "bool",
    "f32": "float",
    "f64": "float",
    "char": "str",
    "string": "str",
}


@dataclass(frozen=True, slots=True)
class Unsendable:
    """A case wasmtime-py would send as another one: `case `c` of `type``, and the WIT fix."""

    what: str
    fix: str


class WasmtimeValues:
    """The value rules of one resolve's types, cached per type id."""

    def __init__(self, resolve: m.Resolve) -> None:
        self.resolve = resolve
        self._classes: dict[m.TypeId, frozenset[str]] = {}
        self._handles: dict[m.TypeId, bool] = {}

    def cases(self, ty: m.TypeId) -> list[tuple[str, m.Type | None]] | None:
        """wasmtime's cases of a variant-like type (option: none/some, result: ok/err)."""
        kind = self.resolve.types[ty].kind
        match kind:
            case m.Variant(cases=cases):
                return [(c.name, c.type) for c in cases]
            case m.OptionKind(type=t):
                return [("none", None), ("some", t)]
            case m.ResultKind(ok=ok, err=err):
                return [("ok", ok), ("err", err)]
            case _:
                return None

    def classes(self, ty: m.Type | None) -> frozenset[str]:
        """wasmtime-py's class set of `ty`; a missing payload is {object}."""
        if ty is None:
            return frozenset({"object"})
        ty = self.resolve.dealias(ty)
        if isinstance(ty, str):
            return frozenset({_PRIMITIVE_CLASSES.get(ty, "int")})
        if ty in self._classes:
            return self._classes[ty]
        kind = self.resolve.types[ty].kind
        out: frozenset[str]
        match kind:
            case m.Record():
                out = frozenset({"Record"})
            case m.Enum():
                out = frozenset({"str"})
            case m.Flags():
                out = frozenset({"set"})
            case m.TupleKind():
                out = frozenset({"tuple"})
            case m.ListKind(type=elem):
                out = frozenset({"bytes" if self.resolve.dealias(elem) == "u8" else "list"})
            case m.Resource() | m.Handle():
                out = _HANDLE_CLASSES
            case m.Variant() | m.OptionKind() | m.ResultKind():
                if self.tagged(ty):
                    out = frozenset({"Variant"})
                else:
                    cases = self.cases(ty) or []
                    out = frozenset().union(*(self.classes(t) for _, t in cases))
            case m.Alias() | m.FixedList() | m.MapKind() | m.Future() | m.Stream():
                out = frozenset({"object"})  # unsupported or dealiased: never reached
            case _:
                assert_never(kind)
        self._classes[ty] = out
        return out

    def tagged(self, ty: m.TypeId) -> bool:
        """wasmtime-py's `_tagged`: do any two cases' class sets intersect?"""
        seen: set[str] = set()
        for _, t in self.cases(ty) or []:
            case = self.classes(t)
            if seen & case:
                return True
            seen |= case
        return False

    def conflicts(self, ty: m.TypeId) -> list[frozenset[str]]:
        """Per case of an untagged type: the classes of its values an earlier case takes."""
        out: list[frozenset[str]] = []
        earlier: set[str] = set()
        for _, t in self.cases(ty) or []:
            mine = self.classes(t) if t is not None else frozenset()
            lost = {c for c in mine if "object" in earlier or (c == "bool" and "int" in earlier)}
            out.append(frozenset(lost))
            if t is not None:
                earlier |= mine
        return out

    def unsendable(self, ty: m.Type | None, seen: set[m.TypeId] | None = None) -> list[Unsendable]:
        """Every unsendable case reachable from `ty`, with a way around it in WIT."""
        if ty is None or isinstance(ty, str):
            return []
        seen = set() if seen is None else seen
        if ty in seen:
            return []
        seen.add(ty)
        out: list[Unsendable] = []
        cases = self.cases(ty)
        if cases is not None and not self.tagged(ty):
            wit = type_views.wit_type(self.resolve, ty)
            for (name, _), lost in zip(cases, self.conflicts(ty), strict=True):
                if lost:
                    fix = self._workaround(ty, name, bool_only=lost == {"bool"})
                    out.append(Unsendable(what=f"case `{name}` of `{wit}`", fix=fix))
        if type_views.resource_of(self.resolve, ty) is None:
            for t in type_views.children_dealiased(self.resolve, ty):
                out.extend(self.unsendable(t, seen))
        return out

    def _workaround(self, ty: m.TypeId, case: str, *, bool_only: bool) -> str:
        """How the WIT can declare `ty` so that wasmtime-py tells case `case` apart."""
        kind = self.resolve.types[ty].kind
        if isinstance(kind, m.ResultKind):
            ok = self.resolve.dealias(kind.ok) if kind.ok is not None else None
            ok_kind = None if ok is None or isinstance(ok, str) else self.resolve.types[ok].kind
            err = type_views.wit_type(self.resolve, kind.err) if kind.err is not None else None
            if isinstance(ok_kind, m.OptionKind) and not bool_only:
                found = type_views.wit_type(self.resolve, ok_kind.type)
                failed = f", failed({err})" if err else ", failed"
                return (
                    "declare a variant instead, with a case of its own for the missing value: "
                    f"`variant lookup {{ found({found}), missing{failed} }}`"
                )
            return "declare a variant instead, with the case that is lost first"
        if bool_only:
            return f"declare case `{case}` before the integer case: a Python `bool` is an `int`"
        return (
            f"declare case `{case}` first: an earlier case's payload takes any Python value "
            "(it is an option, or holds a case without payload)"
        )

    def lift_identity(self, ty: m.Type | None) -> bool:
        """Whether wasmtime-py's value of `ty` already is the Python value."""
        if ty is None:
            return True
        ty = self.resolve.dealias(ty)
        if isinstance(ty, str):
            return True
        kind = self.resolve.types[ty].kind
        match kind:
            case m.ListKind(type=elem):
                elem = self.resolve.dealias(elem)
                return elem == "u8" or (elem != "s8" and self.lift_identity(elem))
            case m.TupleKind(types=types):
                return all(self.lift_identity(t) for t in types)
            case m.OptionKind(type=t):
                return not self.tagged(ty) and self.lift_identity(t)
            case _:
                return False

    def needs_cx(self, ty: m.Type | None) -> bool:
        """Whether converting `ty` touches handles (and so needs the call's `Cx`)."""
        if ty is None or isinstance(ty, str):
            return False
        if ty not in self._handles:
            self._handles[ty] = False
            self._handles[ty] = type_views.resource_of(self.resolve, ty) is not None or any(
                self.needs_cx(t) for t in type_views.children_dealiased(self.resolve, ty)
            )
        return self._handles[ty]
