"""The import side of host bindings: what the host implements, and how wasmtime calls it.

Input: the `WorldPlan`, the `Conversions`, and the `ModuleCode` of the package or of an
imported interface. Output: the view models of the `Host` Protocol, each imported resource's
Protocol and type id, and the linker definition (`_add_to_linker`, or `_add_root` for the
world's own imports) whose callbacks lift the guest's arguments, call the host and lower
what it returns; per imports module, the methods `add_to_linker` checks its host object has.

Invariants: every method of a `Host` or resource Protocol is abstract (`drop` excepted), so
a subclass that lacks one cannot be instantiated; every callback is wrapped by `_rt.guard`,
so whatever the host raises reaches the guest's caller unchanged; a function whose own
result is a `result` lets the host raise `Err`, which is lowered as the error case; a
resource's type id is a hash of the package, the interface and the resource's name, stable
from run to run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from witgen import model as m
from witgen.codegen import templating
from witgen.codegen.python import layout, naming, protocols
from witgen.codegen.python.host.conversions import Conversions
from witgen.codegen.python.host.modules import ModuleCode
from witgen.codegen.python.host.planning import WorldPlan
from witgen.codegen.python.host.viewmodels import CallbackVM, HostResourceVM, HostVM, LinkerVM
from witgen.codegen.python.layout import Atom, Call, Expr, call
from witgen.codegen.python.protocols import HostProtocol

pyrepr = templating.pyrepr


class ImportSide:
    """Builds the import side of each module; remembers what the world module needs."""

    def __init__(self, plan: WorldPlan, conversions: Conversions) -> None:
        self.plan = plan
        self.resolve = plan.resolve
        self.conversions = conversions
        # The Python method names of each imported resource, by WIT function name.
        self.method_names: dict[m.TypeId, dict[str, str]] = {}
        # Per imports module: the name of its `Host` Protocol, "" when the host implements
        # nothing there, and the Protocol's methods.
        self.hosts: dict[str, str] = {}
        self.host_methods: dict[str, tuple[str, ...]] = {}

    def resource(self, code: ModuleCode, tid: m.TypeId, name: str) -> HostResourceVM:
        """An imported resource: its Protocol and its type id."""
        iface = code.names.iface
        funcs = iface.functions if iface is not None else self.plan.import_functions
        resource, methods = protocols.resource_protocol(
            code.signatures,
            funcs,
            tid,
            name=name,
            runtime_checkable=code.helper("runtime_checkable"),
            protocol=code.helper("Protocol"),
        )
        self.method_names[tid] = methods
        return HostResourceVM(
            resource=resource,
            abstract=code.abstract([*methods.values(), resource.drop]) if methods else "",
            id_name=f"_{name}_ID",
            id_value=self._resource_id(code, tid),
        )

    def _resource_id(self, code: ModuleCode, tid: m.TypeId) -> str:
        iface = code.names.iface
        instance = iface.instance if iface is not None else self.plan.world.name
        name = self.resolve.types[tid].name
        digest = hashlib.sha256(f"{self.plan.package}\0{instance}\0{name}".encode()).digest()
        return f"0x{int.from_bytes(digest[:4], 'big'):08X}"

    def interface(self, code: ModuleCode) -> None:
        """An imported interface's `Host` Protocol and linker definition."""
        iface = code.names.iface
        assert iface is not None
        hooks = protocols.hook_names(self.resolve, iface.functions, naming.Scope())
        methods = protocols.host_methods(code.signatures, iface.functions, hooks)
        host_name = code.names.host_protocol if methods else ""
        self.hosts[code.dotted] = host_name
        names = tuple(hooks[f.name] for f in iface.functions if f.name in hooks)
        self.host_methods[code.dotted] = names
        if methods:
            host = HostProtocol(
                name=host_name,
                protocol=code.helper("Protocol"),
                doc=f"The host's implementation of `{iface.instance}`.",
                methods=methods,
            )
            code.items.append(HostVM(host=host, abstract=code.abstract(names)))
        linker = self.linker(code, iface.functions, hooks, "_add_to_linker", host_name)
        if linker is not None:
            code.items.append(linker)

    def linker(
        self,
        code: ModuleCode,
        funcs: Sequence[m.Function],
        hooks: dict[str, str],
        name: str,
        host: str,
    ) -> LinkerVM | None:
        """`name(root, host, table)`, defining the module's resources and functions; None
        when there is nothing to define. `host` annotates the host object ("" for any)."""
        resources = [tid for tid in code.names.classes if self.plan.is_resource(tid)]
        if not funcs and not resources:
            return None
        callbacks = tuple(self._callback(code, f, hooks) for f in funcs)
        params: list[tuple[str, Expr | None]] = [
            ("root", Atom(code.runtime("LinkerInstance"))),
            ("host", Atom(host or "object")),
            ("table", Atom(code.runtime("Table"))),
        ]
        signature = layout.signature(name, params, Atom("None"), indent=0)
        iface = code.names.iface
        what = f"`{iface.instance}`" if iface is not None else "the world's imports"
        target, depth = ("inst", 8) if iface is not None else ("root", 4)
        lines = [
            layout.bracket(
                f"{target}.add_resource",
                [
                    Atom(pyrepr(self.resolve.types[tid].name)),
                    call(code.runtime("ResourceType.host"), f"_{code.names.classes[tid]}_ID"),
                    Atom("table.dtor"),
                ],
                indent=depth,
            )
            for tid in resources
        ]
        lines += [
            layout.bracket(
                f"{target}.add_func",
                [Atom(cb.wit_name), call(code.runtime("guard"), cb.name)],
                indent=depth,
            )
            for cb in callbacks
        ]
        return LinkerVM(
            name=name,
            signature=signature,
            doc=f"Define {what} in `root`; calls go to `host`.",
            callbacks=callbacks,
            instance=pyrepr(iface.instance) if iface is not None else "",
            lines=tuple(lines),
        )

    def _callback(self, code: ModuleCode, f: m.Function, hooks: dict[str, str]) -> CallbackVM:
        """The function wasmtime calls for import `f`."""
        values = self.plan.values
        name = "_h_" + naming.snake(f.name.replace("[", "").replace("]", "-").replace(".", "-"))
        types = [p.type for p in f.params] + ([f.result] if f.result is not None else [])
        params: list[tuple[str, Expr | None]] = [("_s", Atom(code.runtime("StoreContext")))]
        params += [(f"_p{i}", Atom(code.helper("Any"))) for i in range(len(f.params))]
        raised = protocols.raised(self.resolve, f)
        returns = f.result is not None
        signature = layout.signature(name, params, Atom("object" if returns else "None"), indent=4)
        args: list[str] = []
        call_args: list[Expr] = []
        for i, p in enumerate(f.params):
            received = Atom(f"_p{i}")
            lifted = self.conversions.lift(code, p.type, received)
            if lifted == received:
                call_args.append(received)
            else:
                args.append(layout.lay_out(lifted, indent=8, head=f"_a{i} = "))
                call_args.append(Atom(f"_a{i}"))
        if f.kind.name == "method":
            resource = protocols.function_resource(self.resolve, f)
            callee = f"{call_args[0].flat}.{self.method_names[resource][f.name]}"
            call_args = call_args[1:]
        else:
            callee = f"host.{hooks[f.name]}"
        depth = 12 if raised else 8
        unit = raised is not None and _result_kind(self.resolve, raised[0]).ok is None
        head = "_v = " if returns and not unit else ""
        host_call = layout.bracket(head + callee, call_args, indent=depth)
        ret_ok = ret_err = err = ""
        if raised:
            assert f.result is not None
            err = code.helper("Err")
            ok = Call(code.helper("Ok"), (Atom("None" if unit else "_v"),))
            ret_ok = self._return(code, f.result, ok, 8)
            ret_err = self._return(code, f.result, Atom("_e"), 12)
        elif f.result is not None:
            ret_ok = self._return(code, f.result, Atom("_v"), 8)
        return CallbackVM(
            name=name,
            wit_name=pyrepr(f.name),
            signature=signature,
            cx=any(values.needs_cx(t) for t in types),
            args=tuple(args),
            call=host_call,
            returns_value=returns,
            raises=raised is not None,
            ret_ok=ret_ok,
            ret_err=ret_err,
            err=err,
        )

    def _return(self, code: ModuleCode, ty: m.Type, value: Expr, indent: int) -> str:
        lowered = self.conversions.lower(code, ty, value)
        return layout.lay_out(lowered, indent=indent, head="return ")


def _result_kind(resolve: m.Resolve, tid: m.TypeId) -> m.ResultKind:
    kind = resolve.types[tid].kind
    assert isinstance(kind, m.ResultKind)
    return kind
