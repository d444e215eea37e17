"""Assembling guest bindings: the view models of every generated module.

Input: a `WorldPlan` without errors. Output: an `Assembly`: per module its `ModuleCode`
(items, and the helpers and modules they use).

Invariants: each module's items come in componentize-py's order: the classes of its types
(and the constructors of its named stream and future types) in type-id order, then its
imported functions, then, in the world module, the constructors of the world's anonymous
streams and futures, then its Protocols (one per exported interface in `exports`; the
world's class last in the world module), then, with the native harness, the descriptions
its calls use (`native_calls`). Imported resources are plain classes, exported ones
Protocols the app implements. An imported function's body, and an imported resource's
members, call the native harness's host (or, with `--no-native`, raise
`NotImplementedError`: componentize-py supplies the real bodies when it builds); exported
Protocols' methods raise it. A function whose own result is a `result` returns its `ok` type
and says in its docstring that it raises `Err` with the `err` type, named by its full module
path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from witgen import model as m
from witgen.codegen.python import layout, naming, protocols, type_views
from witgen.codegen.python.guest import native
from witgen.codegen.python.guest.modules import ModuleCode
from witgen.codegen.python.guest.native_calls import NativeCalls
from witgen.codegen.python.guest.planning import BUILTINS, Constructor, ModulePlan, WorldPlan
from witgen.codegen.python.guest.viewmodels import (
    ClassVM,
    FunctionVM,
    ModuleFunctionVM,
    StatementsVM,
)
from witgen.codegen.python.layout import Atom, Call, Expr, Subscript
from witgen.codegen.python.type_views import doc_text

STUB_BODY = ("raise NotImplementedError",)


class Assembly:
    """The items of every module of a plan, built in one pass, module by module."""

    def __init__(self, plan: WorldPlan) -> None:
        assert not plan.has_errors
        self.plan = plan
        self.resolve = plan.resolve
        self.modules: dict[str, ModuleCode] = {}
        # With the native harness: how each module's calls reach the installed host.
        self.calls: dict[str, NativeCalls] = {}
        for dotted, names in plan.modules.items():
            code = self.modules[dotted] = ModuleCode(plan, names)
            if plan.options.native:
                self.calls[dotted] = NativeCalls(plan, code)
            self._define_types(code)
            if names.side == "import":
                self._functions(code)
            if dotted == "exports":
                self._interface_protocols(code)
        world = self.modules[""]
        for constructor in plan.constructors:
            world.items.append(self._constructor(world, constructor))
        world.items.append(self._protocol(world, plan.world_class, plan.export_functions, None))
        for dotted, calls in self.calls.items():
            if plan.modules[dotted].side == "import":
                calls.define_types()
            if calls.statements():
                self.modules[dotted].items.append(StatementsVM(statements=calls.statements()))

    # ------------------------------------------------------------ types

    def _define_types(self, code: ModuleCode) -> None:
        """The classes of the nominal types the module defines, and the constructors of its
        named stream and future types, in type-id order."""
        defined, constructors = code.names.classes, code.names.constructors
        for tid in sorted([*defined, *constructors]):
            if tid in constructors:
                code.items.append(self._constructor(code, constructors[tid]))
                continue
            name = defined[tid]
            td = self.resolve.types[tid]
            doc = doc_text(td.docs)
            kind = td.kind

            def annotate(ty: m.Type, shadowed: frozenset[str]) -> Expr:
                return code.annotation(ty, shadowed)

            match kind:
                case m.Record():
                    dataclass = code.helper("dataclass")
                    code.items.append(
                        type_views.record_view(
                            name, kind, doc, annotate, lay_out=True, dataclass=dataclass
                        )
                    )
                case m.Variant(cases=cases):
                    classes = {c.name: code.names.cases[(tid, c.name)] for c in cases}
                    code.items.append(
                        type_views.variant_view(
                            name,
                            kind,
                            doc,
                            classes,
                            annotate,
                            lay_out=True,
                            dataclass=code.helper("dataclass"),
                        )
                    )
                case m.Enum(cases=enum_cases):
                    base = code.helper("Enum")
                    code.items.append(type_views.enum_view(name, base, enum_cases, doc, flag=False))
                case m.Flags(flags=flags):
                    base, auto = code.helper("Flag"), code.helper("auto")
                    code.items.append(
                        type_views.enum_view(name, base, flags, doc, flag=True, auto=auto)
                    )
                case m.Resource():
                    code.items.append(self._resource(code, tid, name, doc))
                case _:
                    raise AssertionError(kind)

    def _resource(self, code: ModuleCode, tid: m.TypeId, name: str, doc: str | None) -> ClassVM:
        """An imported resource's class, or an exported resource's Protocol.

        With the native harness, an imported resource's constructor, methods and statics
        call the installed host (its `<resource>_new` and `<resource>_<static>`, and the
        methods of the object the host made); `__exit__` drops the handle."""
        exported = code.names.side == "export"
        members = self.plan.resource_members(code.names, tid)
        shadowed = BUILTINS & frozenset(members.values())
        calls = None if exported else self.calls.get(code.names.dotted)
        funcs = self.plan.interface_functions(code.names)
        hooks = self._hooks(code)
        methods_on_host = protocols.resource_method_names(self.resolve, funcs, tid)
        methods: list[FunctionVM] = []
        for f in self.plan.resource_functions(code.names, tid):
            static = f.kind.name in ("static", "async-static")
            decorators = [code.builtin("classmethod", shadowed)] if static else []
            if exported:
                decorators.append(code.helper("abstractmethod"))
            function = self._function(
                code,
                f,
                members[f.name],
                receiver="cls" if static else "self",
                shadowed=shadowed,
                own=tid,
                decorators=decorators,
            )
            if calls is not None:
                host = methods_on_host.get(f.name) or self._host_path(code, hooks[f.name])
                receiver = [] if static else ["self"]
                function = self._call(
                    code, calls, function, f, members[f.name], receiver, host, (tid, name)
                )
            methods.append(function)
        if not exported:
            methods += self._context_manager(code, shadowed)
        bases = f"({code.helper('Protocol')})" if exported else ""
        return ClassVM(name=name, bases=bases, doc=doc, methods=tuple(methods))

    def _context_manager(self, code: ModuleCode, shadowed: frozenset[str]) -> list[FunctionVM]:
        """`__enter__` and `__exit__` of an imported resource's class."""
        enter = layout.signature("__enter__", [("self", None)], Atom(code.helper("Self")), indent=4)
        optional = Atom("None")
        exc_type = Subscript(code.builtin("type", shadowed), (Atom(code.builtin("BaseException")),))
        params: list[tuple[str, Expr | None]] = [
            ("self", None),
            ("exc_type", layout.union(exc_type, optional)),
            ("exc_value", layout.union(Atom(code.builtin("BaseException")), optional)),
            ("traceback", layout.union(Atom(code.helper("TracebackType")), optional)),
        ]
        returns = layout.union(Atom(code.builtin("bool", shadowed)), optional)
        exit_ = layout.signature("__exit__", params, returns, indent=4)
        calls = self.calls.get(code.names.dotted)
        drop = STUB_BODY if calls is None else (f"{calls.runtime('drop')}(self)", "return None")
        return [
            _method(enter, "Returns the resource itself, for a `with` block.", ("return self",)),
            _method(exit_, "Drops the resource's handle.", drop),
        ]

    # ------------------------------------------------------------ functions and Protocols

    def _hooks(self, code: ModuleCode) -> dict[str, str]:
        """The host's method of each function of an import-side module, by WIT name."""
        iface = code.names.iface
        if iface is None:
            return native.world_hooks(self.plan) if code.names.dotted == "" else {}
        return native.interface_hooks(self.plan, iface)

    def _host_path(self, code: ModuleCode, hook: str) -> str:
        """Where the installed host has the method `hook` of this module's functions."""
        iface = code.names.iface
        return hook if iface is None else f"{iface.module}.{hook}"

    def _functions(self, code: ModuleCode) -> None:
        """The module-level functions of an imported interface (or the world's imports).

        With the native harness, one calls the installed host's method of the same name,
        `<interface>.<function>` (or `<function>` for the world's own), through the
        description of its WIT signature (see `native_calls`)."""
        calls = self.calls.get(code.names.dotted)
        hooks = self._hooks(code)
        for f in self.plan.interface_functions(code.names):
            name = code.names.functions.get(f.name)
            if name is None:
                continue
            function = self._function(
                code, f, name, receiver=None, shadowed=frozenset(), own=None, decorators=[]
            )
            if calls is not None:
                host = self._host_path(code, hooks[f.name])
                function = self._call(code, calls, function, f, name, [], host, None)
            code.items.append(ModuleFunctionVM(function=function))

    def _call(
        self,
        code: ModuleCode,
        calls: NativeCalls,
        function: FunctionVM,
        f: m.Function,
        name: str,
        receiver: list[str],
        host: str,
        resource: tuple[m.TypeId, str] | None,
    ) -> FunctionVM:
        """`function` (`name`) with a body calling the installed host's `host` through the
        description of `f`, passing `receiver` (`self`, or nothing) and its parameters."""
        params = f.params[1:] if f.kind.name in ("method", "async-method") else f.params
        scope = naming.Scope(set(receiver) | ({"cls"} if resource and not receiver else set()))
        args = [scope.claim(naming.func_name(p.name)) for p in params]
        # What a call returns, as the module spells it; a type naming the resource's own
        # class is `Self` in the method, which only its body can declare.
        returned = (
            None if f.kind.name == "constructor" else code.signatures().returns(f, frozenset())
        )
        returns = returned is not None and returned.flat != "None"
        declare: Expr | None = None
        if returns and resource is not None:
            in_class = code.signatures(resource[0]).returns(f, frozenset())
            declare = in_class if returned is None or in_class != returned else None
        described = calls.define_function(
            f,
            name,
            args,
            host=host,
            resource=resource,
            returns=None if declare is not None else (returned or Atom("None")),
        )
        taken = scope.taken | code.names.scope.taken | set(code.refs.values())
        body = calls.body(
            described,
            [*receiver, *args],
            returns=returns,
            declare=declare,
            indent=function.body_indent,
            asynchronous=f.is_async,
            taken=taken,
        )
        return replace(function, body=body)

    def _constructor(self, code: ModuleCode, constructor: Constructor) -> ModuleFunctionVM:
        """`byte_stream()`, `<t>_stream()` or `<t>_future(default)`: a new stream or future,
        its writable end first."""
        params: list[tuple[str, Expr | None]] = []
        ends: list[Expr]
        if constructor.name == "byte_stream":
            ends = [Atom(code.helper("ByteStreamWriter")), Atom(code.helper("ByteStreamReader"))]
            wit = "stream<u8>"
        else:
            element = code.annotation(constructor.element)
            kind = "future" if constructor.future else "stream"
            ends = [
                Subscript(code.helper(f"{kind.capitalize()}Writer"), (element,)),
                Subscript(code.helper(f"{kind.capitalize()}Reader"), (element,)),
            ]
            if constructor.future:
                produce = Subscript(code.helper("Callable"), (Atom("[]"), element))
                params.append(("default", produce))
            inner = type_views.wit_type(self.resolve, constructor.element)
            wit = f"{kind}<{inner}>" if constructor.element is not None else kind
        returns = Subscript(code.builtin("tuple"), tuple(ends))
        doc = f"A new `{wit}`: its writable end and its readable end."
        if constructor.future:
            doc += "\n\nThe writable end sends `default()` if it is dropped without a value."
        function = FunctionVM(
            decorators=(),
            signature=layout.signature(constructor.name, params, returns, indent=0),
            doc=doc,
            body=self._native_pair(code, constructor),
            pad="",
            body_indent=4,
        )
        return ModuleFunctionVM(function=function)

    def _native_pair(self, code: ModuleCode, constructor: Constructor) -> tuple[str, ...]:
        """The body of a stream or future constructor: with the native harness, a new
        in-memory pair whose writes are checked as the element type's values (where the
        module describes them: on the import side)."""
        calls = self.calls.get(code.names.dotted)
        if calls is None:
            return STUB_BODY
        args: list[Expr] = [Atom("default")] if constructor.future else []
        if constructor.name != "byte_stream":
            element = constructor.element
            checked = element is not None and code.names.side == "import"
            args.append(calls.type(element) if checked and element is not None else Atom("None"))
        made = "new_future" if constructor.future else "new_stream"
        made = "new_byte_stream" if constructor.name == "byte_stream" else made
        return (layout.lay_out(Call(calls.streams(made), tuple(args)), indent=4, head="return "),)

    def _interface_protocols(self, code: ModuleCode) -> None:
        """One Protocol per exported interface, with its freestanding functions."""
        for plan in self.plan.exports:
            if plan.dotted not in self.plan.modules:
                continue
            funcs = [
                f for _, f in self.resolve.interfaces[plan.iid].functions if f.kind.resource is None
            ]
            name = code.names.protocols[plan.label]
            instance = self.plan.modules[plan.dotted]
            code.items.append(self._protocol(code, name, funcs, None, instance))

    def _protocol(
        self,
        code: ModuleCode,
        name: str,
        funcs: Sequence[m.Function],
        doc: str | None,
        instance: ModulePlan | None = None,
    ) -> ClassVM:
        """A Protocol of abstract methods, one per function (of the interface whose module
        is `instance`)."""
        names = [naming.func_name(f.name) for f in funcs]
        shadowed = BUILTINS & frozenset(names)
        methods = tuple(
            self._function(
                code,
                f,
                n,
                receiver="self",
                shadowed=shadowed,
                own=None,
                decorators=[code.helper("abstractmethod")],
                instance=instance,
            )
            for f, n in zip(funcs, names, strict=True)
        )
        return ClassVM(name=name, bases=f"({code.helper('Protocol')})", doc=doc, methods=methods)

    def _function(
        self,
        code: ModuleCode,
        f: m.Function,
        name: str,
        *,
        receiver: str | None,
        shadowed: frozenset[str],
        own: m.TypeId | None,
        decorators: Iterable[str],
        instance: ModulePlan | None = None,
    ) -> FunctionVM:
        """A function or method (with `receiver`, `self` or `cls`); a stub body.

        A method's own receiver is not a parameter; a WIT parameter named like the receiver
        gets a trailing `_`. A constructor is `__init__`, returning `None`.
        """
        signatures = code.signatures(own, instance)
        params = f.params[1:] if f.kind.name in ("method", "async-method") else f.params
        scope = naming.Scope({receiver} if receiver else set())
        spelled: list[tuple[str, Expr | None]] = [(receiver, None)] if receiver else []
        spelled += [
            (
                scope.claim(naming.func_name(p.name)),
                code.annotation(p.type, shadowed, own, instance),
            )
            for p in params
        ]
        constructor = f.kind.name == "constructor"
        returns = Atom("None") if constructor else signatures.returns(f, shadowed)
        indent = 0 if receiver is None else 4
        signature = layout.signature(name, spelled, returns, indent=indent, asynchronous=f.is_async)
        return FunctionVM(
            decorators=tuple(decorators),
            signature=signature,
            doc=signatures.doc(f),
            body=STUB_BODY,
            pad=" " * indent,
            body_indent=indent + 4,
        )


def _method(signature: str, doc: str, body: tuple[str, ...]) -> FunctionVM:
    return FunctionVM(
        decorators=(), signature=signature, doc=doc, body=body, pad="    ", body_indent=8
    )
