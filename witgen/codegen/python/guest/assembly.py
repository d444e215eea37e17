"""Assembling guest bindings: the view models of every generated module.

Input: a `WorldPlan` without errors. Output: an `Assembly`: per module its `ModuleCode`
(items, and the helpers and modules they use).

Invariants: each module's items come in componentize-py's order: the classes of its types
(and the constructors of its named stream and future types) in type-id order, then its
imported functions, then, in the world module, the constructors of the world's anonymous
streams and futures, then its Protocols (one per exported interface in `exports`; the
world's class last in the world module). Imported resources
are plain classes, exported ones Protocols the app implements; an imported function's body
raises `NotImplementedError` (componentize-py supplies the real one when it builds), and so
does every method. A function whose own result is a `result` returns its `ok` type and says
in its docstring that it raises `Err` with the `err` type, named by its full module path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from witgen import model as m
from witgen.codegen.python import layout, naming, type_views
from witgen.codegen.python.guest import native
from witgen.codegen.python.guest.modules import NATIVE, ModuleCode
from witgen.codegen.python.guest.planning import BUILTINS, Constructor, ModulePlan, WorldPlan
from witgen.codegen.python.guest.viewmodels import ClassVM, FunctionVM, ModuleFunctionVM
from witgen.codegen.python.layout import Atom, Expr, Subscript
from witgen.codegen.python.type_views import doc_text

STUB_BODY = ("raise NotImplementedError",)


class Assembly:
    """The items of every module of a plan, built in one pass, module by module."""

    def __init__(self, plan: WorldPlan) -> None:
        assert not plan.has_errors
        self.plan = plan
        self.resolve = plan.resolve
        self.modules: dict[str, ModuleCode] = {}
        for dotted, names in plan.modules.items():
            code = self.modules[dotted] = ModuleCode(plan, names)
            self._define_types(code)
            if names.side == "import":
                self._functions(code)
            if dotted == "exports":
                self._interface_protocols(code)
        world = self.modules[""]
        for constructor in plan.constructors:
            world.items.append(self._constructor(world, constructor))
        world.items.append(self._protocol(world, plan.world_class, plan.export_functions, None))

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
        """An imported resource's class, or an exported resource's Protocol."""
        exported = code.names.side == "export"
        members = self.plan.resource_members(code.names, tid)
        shadowed = BUILTINS & frozenset(members.values())
        methods: list[FunctionVM] = []
        for f in self.plan.resource_functions(code.names, tid):
            static = f.kind.name in ("static", "async-static")
            decorators = [code.builtin("classmethod", shadowed)] if static else []
            if exported:
                decorators.append(code.helper("abstractmethod"))
            methods.append(
                self._function(
                    code,
                    f,
                    members[f.name],
                    receiver="cls" if static else "self",
                    shadowed=shadowed,
                    own=tid,
                    decorators=decorators,
                )
            )
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
        return [
            _method(enter, "Returns the resource itself, for a `with` block.", ("return self",)),
            _method(exit_, "Drops the resource's handle.", STUB_BODY),
        ]

    # ------------------------------------------------------------ functions and Protocols

    def _functions(self, code: ModuleCode) -> None:
        """The module-level functions of an imported interface (or the world's imports).

        With the native harness, a synchronous one calls the installed host's method of the
        same name: `native.current().<interface>.<function>(…)`, or
        `native.current().<function>(…)` for the world's own."""
        iface = code.names.iface
        if iface is None:
            prefix, hooks = "", native.world_hooks(self.plan)
        else:
            prefix, hooks = f".{iface.module}", native.interface_hooks(self.plan, iface)
        for f in self.plan.interface_functions(code.names):
            name = code.names.functions.get(f.name)
            if name is None:
                continue
            function = self._function(
                code, f, name, receiver=None, shadowed=frozenset(), own=None, decorators=[]
            )
            if self.plan.options.native and not f.is_async:
                function = self._dispatch(code, function, f, f"{prefix}.{hooks[f.name]}")
            code.items.append(ModuleFunctionVM(function=function))

    def _dispatch(
        self, code: ModuleCode, function: FunctionVM, f: m.Function, member: str
    ) -> FunctionVM:
        """`function` with a body calling the native host's `member` with its arguments."""
        scope = naming.Scope()
        args = [scope.claim(naming.func_name(p.name)) for p in f.params]
        returns = code.signatures().returns(f, frozenset()).flat
        head = ("" if returns == "None" else "return ") + f"{code.ref(NATIVE)}.current(){member}("
        flat = f"{head}{', '.join(args)})"
        if len(flat) + 4 <= layout.LINE:
            body: tuple[str, ...] = (flat,)
        elif len(", ".join(args)) + 8 <= layout.LINE:
            body = (head, "    " + ", ".join(args), ")")
        else:  # one argument a line, as ruff format lays out what fits nowhere else
            body = (head, *(f"    {a}," for a in args), ")")
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
            body=STUB_BODY,
            pad="",
            body_indent=4,
        )
        return ModuleFunctionVM(function=function)

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
