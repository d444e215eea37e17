"""Conversions between Python values and wasmtime-py's: lowering checks, lifting builds.

Input: the `WorldPlan` and the `ModuleCode` of every module. Output: for a type and an
argument expression, the expression that lowers the Python value for wasmtime (checking it)
or lifts wasmtime's value into the Python one, as a `layout` tree; and, for each type that
needs one, a conversion function (`_lower_X` / `_lift_X`) as a view model of its template,
appended to the module that owns it.

Invariants:
- Values cross as wasmtime-py 50 expects (see `values`): primitives are checked by the
  runtime, lists of scalars are checked in bulk and passed as they are, a variant-like type is
  tagged exactly when wasmtime's own rule says so, and a case wasmtime-py would send as
  another one raises `NotImplementedError` instead of being confused.
- A nominal type's conversions live in the module that defines the type; an anonymous type's
  in each module that uses it. Each is built once, in the order first demanded.
- Handles go through the call's `Cx`: host objects are given or lent, guest handles moved or
  borrowed, and lifted back by taking, getting or wrapping.
"""

from __future__ import annotations

from collections.abc import Iterable

from witgen import model as m
from witgen.codegen import templating
from witgen.codegen.python import layout, naming, type_views
from witgen.codegen.python.host import values
from witgen.codegen.python.host.modules import Direction, ModuleCode
from witgen.codegen.python.host.planning import WorldPlan
from witgen.codegen.python.host.viewmodels import (
    ConversionVM,
    ConvertEnumVM,
    ConvertFlagsVM,
    ConvertListVM,
    ConvertRecordVM,
    ConvertTupleVM,
    ConvertVariantVM,
    LiftCaseVM,
    LowerCaseVM,
)
from witgen.codegen.python.layout import Atom, Call, Expr, call

pyrepr = templating.pyrepr


def type_test(code: ModuleCode, subject: str, classes: Iterable[str]) -> str:
    """`type(x) is C` or `type(x) in (C, D)` for wasmtime classes, in `CLASS_ORDER` order
    (`object`, any value, has no test of its own)."""
    wanted = frozenset(classes)
    ordered = [c for c in values.CLASS_ORDER if c in wanted]
    spelled = [code.runtime(c) if c in values.WASMTIME_CLASSES else c for c in ordered]
    if len(spelled) == 1:
        return f"type({subject}) is {spelled[0]}"
    return f"type({subject}) in ({', '.join(spelled)})"


class Conversions:
    """The lowering and lifting expressions of a world's types, and their functions."""

    def __init__(self, plan: WorldPlan, modules: dict[str, ModuleCode]) -> None:
        self.plan = plan
        self.resolve = plan.resolve
        self.values = plan.values
        self.modules = modules
        # Conversion functions demanded but not built yet, first demanded first.
        self._pending: list[tuple[ModuleCode, m.TypeId, Direction, str]] = []

    # ------------------------------------------------------------ expressions

    def handle_ops(self, code: ModuleCode, ty: m.Type | None) -> set[str]:
        """The `Cx` operations lowering `ty` may use: give, lend, move, borrow."""
        if ty is None or not self.values.needs_cx(ty):
            return set()
        assert not isinstance(ty, str)
        res = type_views.resource_of(self.resolve, ty)
        if res is None:
            children = type_views.children_dealiased(self.resolve, ty)
            return set().union(*(self.handle_ops(code, t) for t in children))
        target = self.resolve.dealias(ty)
        assert not isinstance(target, str)
        borrow = type_views.is_borrow(self.resolve, target)
        if self.plan.is_host_resource(res, code.side):
            return {"lend" if borrow else "give"}
        return {"borrow" if borrow else "move"}

    def lower(self, code: ModuleCode, ty: m.Type, arg: Expr) -> Expr:
        """An expression that checks and lowers the Python value `arg` to wasmtime's."""
        ty = self.resolve.dealias(ty)
        if isinstance(ty, str):
            return call(code.runtime(_PRIMITIVE_CHECKS[ty]), arg)
        kind = self.resolve.types[ty].kind
        res = type_views.resource_of(self.resolve, ty)
        if res is not None:
            cls = code.qualify(res)
            borrow = type_views.is_borrow(self.resolve, ty)
            if self.plan.is_host_resource(res, code.side):
                module, _, name = cls.rpartition(".")
                id_ref = f"{module}._{name}_ID" if module else f"_{name}_ID"
                return call(f"_cx.{'lend' if borrow else 'give'}", arg, cls, id_ref)
            return call(f"_cx.{'borrow' if borrow else 'move'}", arg, cls)
        if isinstance(kind, m.ListKind):
            elem = self.resolve.dealias(kind.type)
            if elem in ("u8", "s8"):
                return call(code.runtime("bytes_" if elem == "u8" else "s8_lower"), arg)
            if isinstance(elem, str):  # checked in bulk, sent as it is when it passes
                return call(code.runtime(f"list_{elem}"), arg)
        return self._function_call(code, ty, "lower", arg)

    def lift(self, code: ModuleCode, ty: m.Type, arg: Expr) -> Expr:
        """An expression that turns wasmtime's value `arg` into the Python value."""
        ty = self.resolve.dealias(ty)
        if self.values.lift_identity(ty):
            return arg
        assert not isinstance(ty, str)
        kind = self.resolve.types[ty].kind
        res = type_views.resource_of(self.resolve, ty)
        if res is not None:
            cls = code.qualify(res)
            if self.plan.is_host_resource(res, code.side):
                borrow = type_views.is_borrow(self.resolve, ty)
                taken = call(f"_cx.{'get' if borrow else 'take'}", arg)
                return call(code.runtime("cast"), f'"{cls}"', taken)
            return call("_cx.wrap", arg, cls)
        if isinstance(kind, m.ListKind) and self.resolve.dealias(kind.type) == "s8":
            return call(code.runtime("s8_lift"), arg)
        return self._function_call(code, ty, "lift", arg)

    def _function_call(
        self, code: ModuleCode, ty: m.TypeId, direction: Direction, arg: Expr
    ) -> Call:
        """A call of the conversion function of `ty`, demanding it if it is new."""
        cx = (Atom("_cx"),) if self.values.needs_cx(ty) else ()
        if type_views.is_nominal(self.resolve, ty):
            target = self.modules[self.plan.location(ty, code.side)]
            name = f"_{direction}_{target.names.classes[ty]}"
            self._demand(target, ty, direction, name)
            prefix = "" if target is code else code.ref(target.dotted) + "."
            return Call(f"{prefix}{name}", (*cx, arg))
        if (ty, direction) not in code.conversions:
            base = self._mangle(ty)
            if len(base) > 32:
                base = type(self.resolve.types[ty].kind).__name__.lower().removesuffix("kind")
            name = code.conversion_scope.claim(f"_{direction}_{base}")
            self._demand(code, ty, direction, name)
        return Call(code.conversions[(ty, direction)], (*cx, arg))

    def _mangle(self, ty: m.Type | None) -> str:
        """A name for an anonymous type's conversion (`list_option_u32`)."""
        if ty is None:
            return "none"
        ty = self.resolve.dealias(ty)
        if isinstance(ty, str):
            return ty
        td = self.resolve.types[ty]
        if td.name is not None and type_views.is_nominal(self.resolve, ty):
            return naming.snake(td.name)
        kind = td.kind
        match kind:
            case m.ListKind(type=t):
                return "list_" + self._mangle(t)
            case m.OptionKind(type=t):
                return "option_" + self._mangle(t)
            case m.ResultKind(ok=ok, err=err):
                return f"result_{self._mangle(ok)}_{self._mangle(err)}"
            case m.TupleKind(types=types):
                return "_".join(["tuple", *(self._mangle(t) for t in types)])
            case m.Handle(kind=handle_kind, resource=res):
                return f"{handle_kind}_{self._mangle(res)}"
            case _:
                return type(kind).__name__.lower()

    def _demand(self, code: ModuleCode, ty: m.TypeId, direction: Direction, name: str) -> None:
        if (ty, direction) in code.conversions:
            return
        code.conversions[(ty, direction)] = name
        self._pending.append((code, ty, direction, name))

    # ------------------------------------------------------------ functions

    def build_pending(self) -> None:
        """Build every demanded conversion function (building one may demand more)."""
        while self._pending:
            code, ty, direction, name = self._pending.pop(0)
            code.conversion_items.append(self._function(code, ty, direction, name))

    def _function(
        self, code: ModuleCode, ty: m.TypeId, direction: Direction, name: str
    ) -> ConversionVM:
        lowering = direction == "lower"
        params: list[tuple[str, Expr | None]] = []
        if self.values.needs_cx(ty):
            params.append(("_cx", Atom(code.runtime("Cx"))))
        params.append(("v", Atom("object" if lowering else code.helper("Any"))))
        returns = Atom("object") if lowering else code.annotation(ty)
        signature = layout.signature(name, params, returns, indent=0)
        comment = f"# {type_views.wit_type(self.resolve, ty)}"
        kind = self.resolve.types[ty].kind
        match kind:
            case m.Record(fields=fields):
                return self._record(code, ty, fields, lowering, signature, comment)
            case m.Variant() | m.OptionKind() | m.ResultKind():
                return self._variant(code, ty, lowering, signature, comment)
            case m.Enum(cases=cases):
                cls, labels, expected = self._labels(code, ty, [c.name for c in cases], lowering)
                return ConvertEnumVM(lowering=lowering, signature=signature, comment=comment,
                                     cls=cls, expected=expected, labels=labels)  # fmt: skip
            case m.Flags(flags=flags):
                cls, labels, expected = self._labels(code, ty, [f.name for f in flags], lowering)
                code.mark_runtime()  # `_rt.flags_out` / `_rt.flags_in`
                return ConvertFlagsVM(lowering=lowering, signature=signature, comment=comment,
                                      cls=cls, expected=expected, labels=labels)  # fmt: skip
            case m.ListKind(type=elem):
                return self._list(code, elem, lowering, signature, comment)
            case m.TupleKind(types=types):
                return self._tuple(code, types, lowering, signature, comment)
            case _:
                raise AssertionError(f"no conversion for {kind}")

    def _expected(self, code: ModuleCode, what: str, indent: int) -> str:
        """`raise _rt.expected("what", v)`, laid out."""
        refusal = call(code.runtime("expected"), pyrepr(what), "v")
        return layout.lay_out(refusal, indent=indent, head="raise ")

    def _record(
        self,
        code: ModuleCode,
        ty: m.TypeId,
        fields: tuple[m.Field, ...],
        lowering: bool,
        signature: str,
        comment: str,
    ) -> ConvertRecordVM:
        cls = code.names.classes[ty]
        if lowering:
            code.mark_runtime()  # `_rt.Record()`
            names = naming.field_names(f.name for f in fields)
            lines = tuple(
                layout.lay_out(
                    self.lower(code, f.type, Atom(f"v.{n}")),
                    indent=4,
                    head=f"d[{pyrepr(f.name)}] = ",
                )
                for f, n in zip(fields, names, strict=True)
            )
            return ConvertRecordVM(
                lowering=True,
                signature=signature,
                comment=comment,
                cls=cls,
                expected=self._expected(code, cls, 8),
                fields=lines,
            )
        # positional arguments: the dataclass's fields are in WIT order, and a call by
        # keyword is slower
        args = [self.lift(code, f.type, Atom(f"d[{pyrepr(f.name)}]")) for f in fields]
        ret = layout.bracket(f"return {cls}", args, indent=4)
        return ConvertRecordVM(
            lowering=False, signature=signature, comment=comment, cls=cls, ret=ret
        )

    def _variant(
        self, code: ModuleCode, ty: m.TypeId, lowering: bool, signature: str, comment: str
    ) -> ConvertVariantVM:
        kind = self.resolve.types[ty].kind
        tagged = self.values.tagged(ty)
        cases = self.values.cases(ty)
        assert cases is not None
        nested = isinstance(kind, m.OptionKind) and type_views.is_option(self.resolve, kind.type)
        if lowering:
            lower_cases = self._lower_cases(code, ty, kind, cases, tagged, nested)
            final_raise = lower_cases[-1].test is not None
            expected = ""
            if final_raise:
                expected = self._expected(code, self._expected_name(code, ty), 4)
            return ConvertVariantVM(
                lowering=True,
                signature=signature,
                comment=comment,
                lower_cases=lower_cases,
                final_raise=final_raise,
                expected=expected,
            )
        lift_cases: list[LiftCaseVM] = []
        order = list(range(len(cases)))
        if not tagged:  # the case that can hold anything (`object`) is tested last
            order.sort(key=lambda i: "object" in self.values.classes(cases[i][1]))
        for n, i in enumerate(order):
            tag, payload = cases[i]
            last = n == len(order) - 1
            test: str | None
            if tagged:
                test = None if last else f"v.tag == {pyrepr(tag)}"
            else:
                found = self.values.classes(payload) - {"object"}
                test = None if last or not found else type_test(code, "v", found)
            source = Atom("v.payload" if tagged else "v")
            inner = self.lift(code, payload, source) if payload is not None else None
            value = self._build_case(code, ty, kind, i, tag, inner, nested)
            laid = layout.lay_out(value, indent=8 if test else 4, head="return ")
            lift_cases.append(LiftCaseVM(test=test, value=laid))
            if test is None:
                break
        return ConvertVariantVM(
            lowering=False, signature=signature, comment=comment, lift_cases=tuple(lift_cases)
        )

    def _lower_cases(
        self,
        code: ModuleCode,
        ty: m.TypeId,
        kind: m.TypeDefKind,
        cases: list[tuple[str, m.Type | None]],
        tagged: bool,
        nested: bool,
    ) -> tuple[LowerCaseVM, ...]:
        wit = type_views.wit_type(self.resolve, ty)
        lost = self.values.conflicts(ty) if not tagged else [frozenset()] * len(cases)
        out: list[LowerCaseVM] = []
        for i, ((tag, payload), gone) in enumerate(zip(cases, lost, strict=True)):
            test, access = self._case_test(code, ty, kind, i, tag, nested)
            value: Expr = Atom("None")
            if payload is not None:
                value = self.lower(code, payload, Atom(access))
            if tagged:
                tag_arg = Atom(pyrepr(tag))
                args = (tag_arg, value) if payload is not None else (tag_arg,)
                value = Call(code.runtime("Variant"), args)
            always = bool(gone) and gone >= self.values.classes(payload)
            partly = bool(gone) and not always
            check = type_test(code, "p", gone) if partly else ""
            depth = 8 if test is not None else 4
            message = (
                f"wasmtime-py cannot send case `{tag}` of `{wit}`: "
                "it would take the value for an earlier case"
            )
            refusal = layout.bracket(
                "raise NotImplementedError",
                [Atom(pyrepr(message))],
                indent=depth + (4 if partly else 0),
            )
            out.append(
                LowerCaseVM(
                    test=test,
                    value=layout.lay_out(value, indent=depth, head="p = " if partly else "return "),
                    unsendable=always,
                    partly=partly,
                    check=check,
                    message=refusal,
                )
            )
        return tuple(out)

    def _case_test(
        self,
        code: ModuleCode,
        ty: m.TypeId,
        kind: m.TypeDefKind,
        i: int,
        tag: str,
        nested: bool,
    ) -> tuple[str | None, str]:
        """The Python-side test of case `i` on `v` and how to reach its payload."""
        match kind:
            case m.Variant():
                return f"isinstance(v, {code.names.cases[(ty, tag)]})", "v.value"
            case m.OptionKind():
                if i == 0:
                    return "v is None", "v"
                if nested:
                    return f"isinstance(v, {code.helper('Some')})", "v.value"
                return None, "v"
            case m.ResultKind():
                return f"isinstance(v, {code.helper('Ok' if i == 0 else 'Err')})", "v.value"
            case _:
                raise AssertionError(kind)

    def _build_case(
        self,
        code: ModuleCode,
        ty: m.TypeId,
        kind: m.TypeDefKind,
        i: int,
        tag: str,
        inner: Expr | None,
        nested: bool,
    ) -> Expr:
        """The Python value of case `i`, from its lifted payload `inner`."""
        match kind:
            case m.Variant():
                return Call(code.names.cases[(ty, tag)], () if inner is None else (inner,))
            case m.OptionKind():
                if i == 0:
                    return Atom("None")
                assert inner is not None
                return Call(code.helper("Some"), (inner,)) if nested else inner
            case m.ResultKind():
                payload = Atom("None") if inner is None else inner
                return Call(code.helper("Ok" if i == 0 else "Err"), (payload,))
            case _:
                raise AssertionError(kind)

    def _expected_name(self, code: ModuleCode, ty: m.TypeId) -> str:
        """How a TypeError names what a lowering expected."""
        if type_views.is_nominal(self.resolve, ty):
            return code.names.classes[ty]
        return code.qualified_annotation(ty, package=False)

    def _labels(
        self, code: ModuleCode, ty: m.TypeId, labels: list[str], lowering: bool
    ) -> tuple[str, str, str]:
        """(class, `labels = (…)` laid out, the lowering's refusal) of an enum or flags."""
        cls = code.names.classes[ty]
        if len(labels) == 1:
            line = f"labels = ({pyrepr(labels[0])},)"
        else:
            line = layout.bracket("labels = ", [Atom(pyrepr(x)) for x in labels], indent=4)
        expected = self._expected(code, cls, 8) if lowering else ""
        return cls, line, expected

    def _list(
        self, code: ModuleCode, elem: m.Type, lowering: bool, signature: str, comment: str
    ) -> ConvertListVM:
        x = Atom("x")
        if lowering:
            item, source = self.lower(code, elem, x), code.runtime("seq") + "(v)"
        else:
            item, source = self.lift(code, elem, x), "v"
        flat = f"return [{item.flat} for x in {source}]"
        loop = not layout.fits(flat, 4)
        # (the appended element is never broken, as ruff leaves such a line)
        step = f"out.append({item.flat})" if loop else flat
        element = code.helper("Any") if loop else ""
        return ConvertListVM(
            signature=signature, comment=comment, loop=loop, element=element, source=source,
            step=step,
        )  # fmt: skip

    def _tuple(
        self,
        code: ModuleCode,
        types: tuple[m.Type, ...],
        lowering: bool,
        signature: str,
        comment: str,
    ) -> ConvertTupleVM:
        if lowering:
            code.mark_runtime()  # `_rt.tup(v, n)`
            items = [self.lower(code, t, Atom(f"t[{i}]")) for i, t in enumerate(types)]
        else:
            items = [self.lift(code, t, Atom(f"v[{i}]")) for i, t in enumerate(types)]
        if len(items) == 1:
            ret = f"return ({items[0].flat},)"
        else:
            ret = layout.bracket("return ", items, indent=4)
        return ConvertTupleVM(
            lowering=lowering, signature=signature, comment=comment, count=len(types), ret=ret
        )


_PRIMITIVE_CHECKS = {
    "bool": "bool_",
    "u8": "u8",
    "u16": "u16",
    "u32": "u32",
    "u64": "u64",
    "s8": "s8",
    "s16": "s16",
    "s32": "s32",
    "s64": "s64",
    "f32": "f32",
    "f64": "f64",
    "char": "char",
    "string": "string",
}
