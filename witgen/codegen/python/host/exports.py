"""The export side of host bindings: typed methods that call the guest's exports.

Input: the `WorldPlan`, the `Conversions`, and the `ModuleCode` of the package or of an
exported interface. Output: the view models of each export wrapper (check and lower the
arguments, call the `Func`, lift the result), of each exported resource's handle class and
its class of constructors and statics, and of an exported interface's accessor.

Invariants: arguments are checked and lowered before anything enters wasm, and annotated
with what the checks accept (a byte list takes `bytes | bytearray | memoryview`); an
argument wasmtime-py cannot send raises `Trap` without poisoning the instance; guest handles
moved by a call are closed only once every argument is lowered, and host objects lent to it
are taken back after it; a function whose own result is a `result` returns `ok` and raises
`Err`, and its twin `<name>_result` returns the `Err` (a `Result` mypy can narrow), named
after every other member of its class so that no twin renames a function.
"""

from __future__ import annotations

from collections.abc import Callable

from witgen import model as m
from witgen.codegen.python import layout, naming, protocols
from witgen.codegen.python.host.conversions import Conversions
from witgen.codegen.python.host.modules import ModuleCode, shadowed_by_members
from witgen.codegen.python.host.planning import WorldPlan
from witgen.codegen.python.host.viewmodels import (
    AccessorVM,
    ExportFuncVM,
    GuestResourceVM,
    ResultTwinVM,
)
from witgen.codegen.python.layout import Atom, Expr, call
from witgen.codegen.python.type_views import doc_text


class ExportSide:
    """Builds the export side of each module."""

    def __init__(self, plan: WorldPlan, conversions: Conversions) -> None:
        self.plan = plan
        self.resolve = plan.resolve
        self.conversions = conversions

    def function(
        self,
        code: ModuleCode,
        f: m.Function,
        name: str,
        instance: str,
        shadowed: frozenset[str],
        twin: str | None = None,
    ) -> ExportFuncVM:
        """The wrapper method `name` of export `f` of `instance` ("" for the world's own),
        and its `Result`-returning twin `twin` when the export's own result is a `result`."""
        values = self.plan.values
        method = f.kind.name == "method"
        params = code.signatures.params(f, shadowed, skip_self=method)
        signature_params: list[tuple[str, Expr | None]] = [("self", None)]
        signature_params += [(p.name, code.argument(p.wit.type, shadowed)) for p in params]
        returns = code.signatures.returns(f, shadowed)
        signature = layout.signature(name, signature_params, returns, indent=4)
        ops = set().union(*(self.conversions.handle_ops(code, p.wit.type) for p in params))
        cx = bool(ops) or values.needs_cx(f.result)
        if cx:
            code.mark_runtime()  # `_rt.Cx(…)`
        guarded = any(values.unsendable(p.wit.type) for p in params)
        depth = 12 if guarded else 8
        args: list[str] = []
        call_args: list[Expr] = [Atom("_a0")] if method else []
        for i, p in enumerate(params, start=1 if method else 0):
            lowered = self.conversions.lower(code, p.wit.type, Atom(p.name))
            args.append(layout.lay_out(lowered, indent=depth, head=f"_a{i} = "))
            call_args.append(Atom(f"_a{i}"))
        head = "_r = " if f.result is not None else ""
        guest_call = layout.bracket(f"{head}_f", [Atom("_st.store"), *call_args], indent=12)
        doc = code.signatures.doc(f)
        result_twin = None
        if twin is not None:
            result_twin = self._twin(code, f, name, twin, signature_params, shadowed)
            returned = f"`{twin}` returns the error instead, as a typed `Result`."
            doc = f"{doc}\n\n{returned}" if doc else returned
        return ExportFuncVM(
            signature=signature,
            doc=doc,
            method=method,
            cx=cx,
            moves="move" in ops,
            lends="lend" in ops,
            guarded=guarded,
            args=tuple(args),
            index=self.plan.export_index[(instance, f.name)],
            call=guest_call,
            ret=self._return(code, f),
            twin=result_twin,
        )

    def _twin(
        self,
        code: ModuleCode,
        f: m.Function,
        name: str,
        twin: str,
        params: list[tuple[str, Expr | None]],
        shadowed: frozenset[str],
    ) -> ResultTwinVM:
        """`twin(…)`: calls wrapper `name` and returns its `Err` instead of raising it."""
        found = protocols.raised(self.resolve, f)
        assert f.result is not None and found is not None
        result = code.annotation(f.result, shadowed)
        signature = layout.signature(twin, params, result, indent=4)
        kind = self.resolve.types[found[0]].kind
        assert isinstance(kind, m.ResultKind)
        unit = kind.ok is None
        args: list[Expr] = [Atom(p) for p, _ in params[1:]]
        call_ = layout.bracket(f"{'' if unit else '_v = '}self.{name}", args, indent=12)
        ok, err = code.helper("Ok"), code.helper("Err")
        doc = (
            f"`{name}`, returning `{err}(error)` instead of raising it.\n\n"
            f"After `isinstance(r, {err})`, mypy knows the type of `r.value`."
        )
        return ResultTwinVM(
            signature=signature,
            doc=doc,
            call=call_,
            ok=f"{ok}(None)" if unit else f"{ok}(_v)",
            err=err,
        )

    def twins(
        self, funcs: list[m.Function], scope: naming.Scope, wit_name: Callable[[m.Function], str]
    ) -> list[str | None]:
        """Per function, the name of its `<name>_result` twin in `scope`, or None when its own
        result is not a `result`; claimed after every other member, so that no twin renames
        a function."""
        return [
            scope.claim(naming.func_name(f"{wit_name(f)}-result"))
            if protocols.raised(self.resolve, f) is not None
            else None
            for f in funcs
        ]

    def _return(self, code: ModuleCode, f: m.Function) -> str | None:
        """`return <the Python value of the result>`, laid out; None without a result."""
        if f.result is None:
            return None
        result = Atom("_r")
        value: Expr
        if protocols.raised(self.resolve, f) is not None:
            value = call(code.runtime("unwrap"), self.conversions.lift(code, f.result, result))
        elif self.plan.values.lift_identity(f.result):
            # wasmtime's value is already the Python one: only its static type changes
            annotation = code.signatures.returns(f, frozenset()).flat
            value = call(code.runtime("cast"), f'"{annotation}"', result)
        else:
            value = self.conversions.lift(code, f.result, result)
        return layout.lay_out(value, indent=8, head="return ")

    def resource(self, code: ModuleCode, tid: m.TypeId, name: str) -> GuestResourceVM:
        """An exported resource: its handle class (methods) and `<R>Class` (the rest)."""
        iface = code.names.iface
        assert iface is not None
        code.mark_runtime()  # `_rt.Handle`, `_rt.State`
        funcs = protocols.resource_functions(self.resolve, iface.functions, tid)
        methods = [f for f in funcs if f.kind.name == "method"]
        statics = [f for f in funcs if f.kind.name != "method"]
        method_scope = naming.Scope({"drop"})
        method_names = [method_scope.claim(naming.func_name(f.item_name)) for f in methods]
        method_twins = self.twins(methods, method_scope, lambda f: f.item_name)
        method_shadowed = shadowed_by_members(method_scope.taken)
        static_scope = naming.Scope({"new"})
        static_names = [
            "new"
            if f.kind.name == "constructor"
            else static_scope.claim(naming.func_name(f.item_name))
            for f in statics
        ]
        static_twins = self.twins(statics, static_scope, lambda f: f.item_name)
        static_shadowed = shadowed_by_members(static_scope.taken)
        class_name = code.names.resource_classes[tid]
        td = self.resolve.types[tid]
        instance = iface.instance
        return GuestResourceVM(
            name=name,
            doc=doc_text(td.docs),
            methods=tuple(
                self.function(code, f, n, instance, method_shadowed, t)
                for f, n, t in zip(methods, method_names, method_twins, strict=True)
            ),
            class_name=class_name,
            class_doc=f"The constructor and static functions of resource `{td.name}`.",
            statics=tuple(
                self.function(code, f, n, instance, static_shadowed, t)
                for f, n, t in zip(statics, static_names, static_twins, strict=True)
            ),
        )

    def interface(self, code: ModuleCode) -> None:
        """An exported interface's accessor: its functions and its resources' classes."""
        iface = code.names.iface
        assert iface is not None
        code.mark_runtime()  # `_rt.State`
        free = [f for f in iface.functions if f.kind.name == "freestanding"]
        scope = naming.Scope()
        names = [scope.claim(naming.func_name(f.name)) for f in free]
        attributes: list[tuple[str, str]] = []
        for tid in code.names.classes:
            if self.plan.is_resource(tid):
                attribute = naming.func_name(self.resolve.types[tid].name or "")
                if attribute in scope.taken:
                    attribute = scope.claim(attribute + "_resource")
                scope.taken.add(attribute)
                attributes.append((attribute, code.names.resource_classes[tid]))
        twins = self.twins(free, scope, lambda f: f.name)
        shadowed = shadowed_by_members(scope.taken)
        accessor = code.names.accessor
        doc = (
            doc_text(self.resolve.interfaces[iface.iid].docs)
            or f"The exported interface `{iface.instance}`."
        )
        code.items.append(
            AccessorVM(
                name=accessor,
                doc=doc,
                attributes=tuple(attributes),
                functions=tuple(
                    self.function(code, f, n, iface.instance, shadowed, t)
                    for f, n, t in zip(free, names, twins, strict=True)
                ),
            )
        )
