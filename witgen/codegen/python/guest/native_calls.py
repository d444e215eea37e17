"""How imported functions and resources of guest bindings reach the native harness's host.

Input: a `WorldPlan` with `native` set, and the `ModuleCode` of a world or imported-interface
module being assembled. Output: per module, the statements defining what its calls check
(`_T_<Class>` for each class it defines: `_boundary.Record(…)`, `Variant`, `Enum`, `Flags`,
`Resource`; `_F_<function>` and `_F_<Class>_<member>` for each imported function,
constructor, method and static: `_boundary.Function`, `Method`, `Constructor`), and the
bodies that call them.

Invariants: every type is described where its class lives, so a module refers to another
module's `_T_` names only through the module it already imports for its annotations (the
interface modules import each other in `use` order, never in a cycle, so every name exists
when it is read); the host path of a call is the member the host bindings' Protocols give
it (`fs.stat`, `fs.file_new`, or on the host's resource object `read`); the private names
(`_T_`, `_F_`) cannot collide with a WIT-derived name, which never starts with `_`, nor
with a private alias (`_fs`, `_Enum`), whose second character is lowercase or a helper's.
A function's body declares its result with the function's own annotation, so a type
checker sees the declared type.
"""

from __future__ import annotations

from typing import assert_never

from witgen import model as m
from witgen.codegen.python import layout, naming, protocols, type_views
from witgen.codegen.python.guest import native
from witgen.codegen.python.guest.modules import RAISED_THROUGH_ALIASES, ModuleCode
from witgen.codegen.python.guest.planning import WorldPlan
from witgen.codegen.python.layout import Atom, Call, Expr, Subscript
from witgen.codegen.templating import pyrepr

_PRIMITIVES = {
    "bool": "BOOL",
    "u8": "U8",
    "u16": "U16",
    "u32": "U32",
    "u64": "U64",
    "s8": "S8",
    "s16": "S16",
    "s32": "S32",
    "s64": "S64",
    "f32": "F32",
    "f64": "F64",
    "char": "CHAR",
    "string": "STRING",
    "error-context": "ERROR_CONTEXT",
}


def type_name(cls: str) -> str:
    """The private name of the description of the class (or union) `cls`."""
    return f"_T_{cls}"


def function_name(name: str, cls: str | None = None) -> str:
    """The private name of the description of function `name` (a member of `cls`)."""
    return f"_F_{name}" if cls is None else f"_F_{cls}_{name}"


def _keyword(name: str, value: Expr) -> Expr:
    """`name=value` as an argument."""
    if isinstance(value, Call):
        return Call(f"{name}={value.callee}", value.args)
    return Atom(f"{name}={value.flat}")


class NativeCalls:
    """The descriptions of one module's types and imported functions, as it builds them."""

    def __init__(self, plan: WorldPlan, code: ModuleCode) -> None:
        self.plan = plan
        self.resolve = plan.resolve
        self.code = code
        # The statements describing the module's types, then its functions.
        self.types: list[str] = []
        self.functions: list[str] = []

    def runtime(self, name: str) -> str:
        """`_boundary.<name>`, as this module spells it."""
        return f"{self.code.ref(f'{native.PACKAGE}.{native.BOUNDARY}')}.{name}"

    def streams(self, name: str) -> str:
        """`_streams.<name>`, as this module spells it."""
        return f"{self.code.ref(f'{native.PACKAGE}.{native.STREAMS}')}.{name}"

    # ------------------------------------------------------------ types

    def type(self, ty: m.Type) -> Expr:
        """The description of `ty`, as this module spells it."""
        if isinstance(ty, str):
            return Atom(self.runtime(_PRIMITIVES[ty]))
        td = self.resolve.types[ty]
        kind = td.kind
        match kind:
            case m.Record() | m.Variant() | m.Enum() | m.Flags() | m.Resource():
                target, cls = self.plan.class_of(ty, self.code.names)
                if target == self.code.names.dotted:
                    return Atom(type_name(cls))
                return Atom(f"{self.code.ref(target)}.{type_name(cls)}")
            case m.Alias(type=target_ty):
                return self.type(self.resolve.dealias(target_ty))
            case m.Handle(kind=handle, resource=res):
                owned = self.type(res)
                return owned if handle == "own" else Call(self.runtime("Borrow"), (owned,))
            case m.ListKind(type=elem) if self.resolve.dealias(elem) in ("u8", "s8"):
                return Atom(self.runtime("BYTES"))
            case m.ListKind(type=elem):
                return Call(self.runtime("List"), (self.type(elem),))
            case m.FixedList(type=elem, size=size):
                return Call(self.runtime("FixedList"), (self.type(elem), Atom(str(size))))
            case m.MapKind(key=key, value=value):
                return Call(self.runtime("Map"), (self.type(key), self.type(value)))
            case m.TupleKind(types=types):
                return Call(self.runtime("Tuple"), tuple(self.type(t) for t in types))
            case m.OptionKind(type=inner):
                args = [self.type(inner)]
                if type_views.is_option(self.resolve, inner):
                    args.append(Atom("nested=True"))
                return Call(self.runtime("Option"), tuple(args))
            case m.ResultKind(ok=ok, err=err):
                sides = tuple(Atom("None") if t is None else self.type(t) for t in (ok, err))
                return Call(self.runtime("Result"), sides)
            case m.Stream(type=elem):
                if elem is not None and self.resolve.dealias(elem) == "u8":
                    return Atom(self.streams("BYTE_STREAM"))
                return Atom(self.streams("STREAM"))
            case m.Future():
                return Atom(self.streams("FUTURE"))
            case _:
                assert_never(kind)

    def define_types(self) -> None:
        """The description of each class the module defines, in type-id order."""
        for tid, cls in sorted(self.code.names.classes.items()):
            kind = self.resolve.types[tid].kind
            expr: Expr
            match kind:
                case m.Record(fields=fields):
                    names = naming.field_names(f.name for f in fields)
                    args: list[Expr] = [Atom(cls)]
                    args += [
                        _keyword(n, self.type(f.type)) for n, f in zip(names, fields, strict=True)
                    ]
                    expr = Call(self.runtime("Record"), tuple(args))
                case m.Variant(cases=cases):
                    args = [Atom(pyrepr(cls))]
                    for c in cases:
                        case_cls = Atom(self.code.names.cases[(tid, c.name)])
                        payload = () if c.type is None else (self.type(c.type),)
                        args.append(Call(self.runtime("case"), (case_cls, *payload)))
                    expr = Call(self.runtime("Variant"), tuple(args))
                case m.Enum():
                    expr = Call(self.runtime("Enum"), (Atom(cls),))
                case m.Flags():
                    expr = Call(self.runtime("Flags"), (Atom(cls),))
                case m.Resource():
                    home = native.native_module_of(self.plan, self.code.names.dotted)
                    private = None if home == native.PACKAGE else "_native_" + home.split(".", 1)[1]
                    protocol = Atom(f"{self.code.ref(home, private)}.{cls}")
                    expr = Call(self.runtime("Resource"), (Atom(cls), protocol))
                case _:
                    raise AssertionError(kind)
            self.types.append(_assignment(type_name(cls), expr))

    # ------------------------------------------------------------ functions

    def define_function(
        self,
        f: m.Function,
        name: str,
        params: list[str],
        *,
        host: str,
        resource: tuple[m.TypeId, str] | None = None,
        returns: Expr | None,
    ) -> str:
        """Describe imported function `f` (`name` in Python, taking `params`, without the
        receiver of a method); `host` is the host's member it calls, `returns` what a call
        returns as the module spells it (None: not declared, `Any`). Returns the name of
        the description."""
        cls = resource[1] if resource is not None else None
        described = function_name(name, cls)
        label = ".".join(p for p in (self.plan.world_module, self.code.names.dotted, cls) if p)
        label += "" if f.kind.name == "constructor" else f".{name}"
        args: list[Expr] = [Atom(pyrepr(label))]
        callee = "Function"
        if resource is not None and f.kind.name not in ("static", "async-static"):
            callee = "Constructor" if f.kind.name == "constructor" else "Method"
            args.append(Atom(type_name(resource[1])))
        args.append(Atom(f"host={pyrepr(host)}"))
        wit_params = f.params[1:] if f.kind.name in ("method", "async-method") else f.params
        if wit_params:
            types = tuple(
                _keyword(p, self.type(w.type)) for p, w in zip(params, wit_params, strict=True)
            )
            args.append(_keyword("params", Call(self.runtime("params"), types)))
        raised = protocols.raised(self.resolve, f, aliases=RAISED_THROUGH_ALIASES)
        if f.kind.name != "constructor":
            result = f.result
            if raised is not None:
                kind = self.resolve.types[raised[0]].kind
                assert isinstance(kind, m.ResultKind)
                result = kind.ok
            if result is not None:
                args.append(_keyword("result", self.type(result)))
        if raised is not None:
            error = Atom(self.runtime("UNIT")) if raised[1] is None else self.type(raised[1])
            args.append(_keyword("error", error))
        if f.is_async:
            args.append(Atom("asynchronous=True"))
        value = Atom(self.code.helper("Any")) if returns is None else returns
        if f.is_async:
            value = Subscript(self.code.helper("Awaitable"), (value,))
        declared = Subscript(self.runtime("Function"), (value,))
        typed = layout.attribute_annotation(described, declared, indent=0)
        self.functions.append(f"{described}: {typed}")
        self.functions.append(_assignment(described, Call(self.runtime(callee), tuple(args))))
        return described

    def body(
        self,
        described: str,
        args: list[str],
        *,
        returns: bool,
        declare: Expr | None,
        indent: int,
        asynchronous: bool,
        taken: set[str],
    ) -> tuple[str, ...]:
        """The body of a function calling the description `described` with `args`, and
        returning what it returns (if `returns`): directly, as the description's declared
        type, or through a local variable declared `declare` (a type the module cannot
        declare, such as `Self`). `taken` are the names the body sees (parameters,
        the module's names): the variable takes none of them."""
        prefix = "await " if asynchronous else ""
        call = Call(described, tuple(Atom(a) for a in args))
        if not returns:
            return (layout.lay_out(call, indent=indent, head=prefix),)
        if declare is None:
            return (layout.lay_out(call, indent=indent, head=f"return {prefix}"),)
        result = naming.Scope(set(taken)).claim("result")
        declared = layout.attribute_annotation(result, declare, indent=indent)
        assigned = layout.lay_out(call, indent=indent, head=f"{result} = {prefix}")
        return (f"{result}: {declared}", assigned, f"return {result}")

    def statements(self) -> tuple[str, ...]:
        """Every statement, the types first (the functions' descriptions refer to them)."""
        return (*self.types, *self.functions)


def _assignment(name: str, expr: Expr) -> str:
    return layout.lay_out(expr, indent=0, head=f"{name} = ")
