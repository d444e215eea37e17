"""Assembling host bindings: the view models of every generated module, in a fixed order.

Input: a `WorldPlan` without errors. Output: an `Assembly`: per module its `ModuleCode`
(items, conversion functions, and what they use), and the package's `WorldVM` (the
`<World>Imports` Protocol and the world class with `add_to_linker`, which checks `host`
against `_HOST_NEEDS` before it defines anything, and `instantiate`).

Invariants: the order of assembly is fixed (type definitions of every module, then each
imported and exported interface, then the world, then every conversion function demanded on
the way), because conversion functions of anonymous types are named, and every module's
items placed, in the order they are first needed; the output is deterministic.
"""

from __future__ import annotations

from witgen import model as m
from witgen.codegen import templating
from witgen.codegen.python import layout, naming, protocols, type_views
from witgen.codegen.python.host.conversions import Conversions
from witgen.codegen.python.host.exports import ExportSide
from witgen.codegen.python.host.imports import ImportSide
from witgen.codegen.python.host.modules import ModuleCode, shadowed_by_members
from witgen.codegen.python.host.planning import WorldPlan
from witgen.codegen.python.host.viewmodels import LinkerVM, WorldVM
from witgen.codegen.python.layout import Atom, Expr
from witgen.codegen.python.protocols import ImportsProtocol, MethodStub
from witgen.codegen.python.type_views import doc_text

pyrepr = templating.pyrepr


class Assembly:
    """Every module's view models, assembled from a plan."""

    def __init__(self, plan: WorldPlan) -> None:
        assert not plan.has_errors
        self.plan = plan
        self.resolve = plan.resolve
        self.modules = {dotted: ModuleCode(plan, names) for dotted, names in plan.modules.items()}
        self.conversions = Conversions(plan, self.modules)
        self.imports = ImportSide(plan, self.conversions)
        self.exports = ExportSide(plan, self.conversions)
        for code in self.modules.values():
            self._define_types(code)
        for code in self.modules.values():
            if code.names.iface is None:
                continue
            if code.side == "import":
                self.imports.interface(code)
            else:
                self.exports.interface(code)
        self.world = self._world(self.modules[""])
        self.conversions.build_pending()

    def _define_types(self, code: ModuleCode) -> None:
        """The classes of the nominal types the module defines, in type-id order."""
        for tid, name in code.names.classes.items():
            td = self.resolve.types[tid]
            doc = doc_text(td.docs)
            kind = td.kind
            match kind:
                case m.Record():
                    code.items.append(type_views.record_view(name, kind, doc, code.annotation))
                    code.helper("dataclass")
                case m.Variant(cases=cases):
                    code.helper("dataclass")
                    classes = {c.name: code.names.cases[(tid, c.name)] for c in cases}
                    view = type_views.variant_view(name, kind, doc, classes, code.annotation)
                    code.items.append(view)
                case m.Enum(cases=enum_cases):
                    base = code.helper("Enum")
                    code.items.append(type_views.enum_view(name, base, enum_cases, doc, flag=False))
                case m.Flags(flags=flags):
                    code.helper("auto")
                    base = code.helper("Flag")
                    code.items.append(type_views.enum_view(name, base, flags, doc, flag=True))
                case m.Resource():
                    if code.side == "export":
                        code.items.append(self.exports.resource(code, tid, name))
                    else:
                        code.items.append(self.imports.resource(code, tid, name))
                case _:
                    raise AssertionError(kind)

    # ------------------------------------------------------------ the world module

    def _world(self, code: ModuleCode) -> WorldVM:
        plan, world = self.plan, self.plan.world
        code.mark_runtime()  # `_rt.State`, `_rt.table`
        world_name, imports_name = code.names.world_class, code.names.imports_protocol
        # world-level host resources and functions
        modules = naming.Scope({i.module for i in plan.imports})
        hooks = protocols.hook_names(self.resolve, plan.import_functions, modules)
        linker = self.imports.linker(code, plan.import_functions, hooks, "_add_root", imports_name)
        if linker is not None:
            code.items.append(linker)
        members = naming.Scope({"add_to_linker", "instantiate", "wasm_store", "wasm_instance"})
        attributes = []
        for iface in plan.exports:
            attribute = members.claim(iface.module)
            dotted = "exports." + iface.module
            attributes.append((attribute, f"{code.ref(dotted)}.{plan.modules[dotted].accessor}"))
        names = [members.claim(naming.func_name(f.name)) for f in plan.export_functions]
        twins = self.exports.twins(plan.export_functions, members, lambda f: f.name)
        shadowed = shadowed_by_members(members.taken)
        functions = tuple(
            self.exports.function(code, f, n, "", shadowed, t)
            for f, n, t in zip(plan.export_functions, names, twins, strict=True)
        )
        imports_members = [*(p for p, _ in self._properties()), *hooks.values()]
        imports = self._imports_protocol(code, imports_name, hooks, imports_members)
        steps = self._linker_steps(code, linker)
        linker_type, component_type = code.helper("Linker"), code.helper("Component")
        add_to_linker = layout.signature(
            "add_to_linker",
            [("linker", Atom(linker_type)), ("host", Atom(imports_name)), ("*", None),
             ("wasi", Atom("bool = True"))],
            Atom("None"),
            indent=4,
        )  # fmt: skip
        instantiate = layout.signature(
            "instantiate",
            [("cls", None), ("store", Atom(code.helper("Store"))),
             ("component", Atom(component_type)), ("linker", Atom(linker_type))],
            Atom(code.helper("Self")),
            indent=4,
        )  # fmt: skip
        doc = doc_text(world.docs) or f"An instance of a component of the world `{world.name}`."
        return WorldVM(
            name=world_name,
            doc=doc,
            imports=imports,
            attributes=tuple(attributes),
            exports_const=_nested_const("_EXPORTS", plan.export_table),
            host_needs=_nested_const("_HOST_NEEDS", self._host_needs(hooks)),
            world_name=pyrepr(world.name),
            abstract=code.abstract(imports_members) if imports.methods else "",
            add_to_linker=add_to_linker,
            instantiate=instantiate,
            wasm_store="wasm_store",
            wasm_instance="wasm_instance",
            store=code.helper("Store"),
            instance=code.helper("Instance"),
            linker_steps=tuple(text for text, _ in steps),
            needs_table=any(uses_table for _, uses_table in steps),
            wasi_imports=any(i.wasi for i in plan.imports),
            functions=functions,
            staticmethod=code.builtin("staticmethod", shadowed),
            classmethod=code.builtin("classmethod", shadowed),
            property=code.builtin("property", shadowed),
        )

    def _properties(self) -> list[tuple[str, str]]:
        """(property, imports module) of each interface whose `Host` the host provides."""
        return [
            (iface.module, "imports." + iface.module)
            for iface in self.plan.imports
            if self.imports.hosts.get("imports." + iface.module)
        ]

    def _host_needs(self, hooks: dict[str, str]) -> list[tuple[str, list[str]]]:
        """What `add_to_linker` checks `host` has: the world's own functions (attribute ""),
        then per interface property its `Host`'s methods."""
        own = [hooks[f.name] for f in self.plan.import_functions if f.name in hooks]
        needs = [("", own)] if own else []
        needs += [(p, list(self.imports.host_methods[dotted])) for p, dotted in self._properties()]
        return needs

    def _imports_protocol(
        self, code: ModuleCode, name: str, hooks: dict[str, str], members: list[str]
    ) -> ImportsProtocol:
        """`<World>Imports`: a property per interface the host implements, then a method per
        world-level function (together `members`); all abstract."""
        plan = self.plan
        shadowed = naming.shadowed_builtins([*hooks.values(), *(i.module for i in plan.imports)])
        properties: list[MethodStub] = []
        for attribute, dotted in self._properties():
            decorators = f"@{code.builtin('property', shadowed)}\n    @{code.abstract(members)}"
            returns = f"{code.ref(dotted)}.{self.imports.hosts[dotted]}"
            signature = f"{decorators}\n    def {attribute}(self) -> {returns}: ..."
            properties.append(MethodStub(signature=signature, doc=None))
        methods = tuple(
            code.signatures.stub(f, hooks[f.name], shadowed, skip_self=False)
            for f in plan.import_functions
            if f.name in hooks
        )
        return ImportsProtocol(
            name=name,
            doc=f"What the host provides to a component of the world `{plan.world.name}`.",
            protocol=code.helper("Protocol"),
            properties=tuple(properties),
            methods=methods,
        )

    def _linker_steps(self, code: ModuleCode, linker: LinkerVM | None) -> list[tuple[str, bool]]:
        """The statements of `add_to_linker`, each with whether it uses the host-object
        table: the world's own imports, then each imported interface not left to WASI."""
        steps: list[tuple[str, bool]] = []
        if linker is not None:
            steps.append(("_add_root(root, host, table)", True))
        for iface in self.plan.imports:
            if iface.wasi:  # defined by WASI, never here
                continue
            dotted = "imports." + iface.module
            if any(isinstance(item, LinkerVM) for item in self.modules[dotted].items):
                host = f"host.{iface.module}" if self.imports.hosts.get(dotted) else "None"
                args: list[Expr] = [Atom("root"), Atom(host), Atom("table")]
                definition = f"{code.ref(dotted)}._add_to_linker"
                steps.append((layout.bracket(definition, args, indent=12), True))
            else:
                args = [Atom("root"), Atom(pyrepr(iface.instance))]
                empty = layout.bracket(code.runtime("add_instance"), args, indent=12)
                steps.append((empty, False))
        return steps


def _nested_const(name: str, entries_of: list[tuple[str, list[str]]]) -> str:
    """`name = ((key, (value, …)), …)`, laid out: `_EXPORTS` (instance, functions) and
    `_HOST_NEEDS` (attribute, methods)."""
    entries: list[Expr] = []
    for instance, names in entries_of:
        funcs: list[Expr] = [Atom(pyrepr(n)) for n in names]
        one = len(funcs) == 1
        inner = f"({funcs[0].flat},)" if one else layout.bracket("", funcs, indent=8)
        entry = layout.bracket("", [Atom(pyrepr(instance)), Atom(inner)], indent=4)
        entries.append(Atom(entry))
    if len(entries) == 1:
        flat = f"{name} = ({entries[0].flat},)"
        if layout.fits(flat, 0):
            return flat
    return layout.bracket(f"{name} = ", entries, indent=0) if entries else f"{name} = ()"
