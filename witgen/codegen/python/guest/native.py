"""The native harness of guest bindings: `wit_world/native/`, for testing an app under pytest.

Input: a `WorldPlan` (with `native` set in its options). Output: the view models of
`native/__init__.py` (the `Imports` Protocol, `current()` and `host(impl)`) and of one
`native/<m>.py` per imported interface with functions (its `Host` Protocol), and the names
through which an imported function reaches the installed host.

Invariants: the members and signatures are those of the host bindings' `<World>Imports`
and `Host` Protocols, built by `protocols` from the same functions with the same naming
scopes, so a fake host written against either fits both; only the annotations differ: they
name the world module's classes. Every class of the world module a native module names is
imported from it at run time, which is safe because annotations are never evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass

from witgen import __version__
from witgen import model as m
from witgen.codegen.python import naming, protocols
from witgen.codegen.python.guest.modules import NATIVE, ModuleCode
from witgen.codegen.python.guest.planning import HELPERS, InterfacePlan, ModulePlan, WorldPlan
from witgen.codegen.python.protocols import MethodStub
from witgen.codegen.templating import pyrepr

PACKAGE = NATIVE


@dataclass(frozen=True, slots=True, kw_only=True)
class NativeHostVM:
    """`native/<m>.py` (`native_host.py.j2`): the `Host` Protocol of an imported interface."""

    version: str
    doc: str
    imports: tuple[str, ...]
    protocol: str
    host_doc: str
    methods: tuple[MethodStub, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class NativeInitVM:
    """`native/__init__.py` (`native_init.py.j2`): `Imports`, `current()`, `host(impl)`."""

    version: str
    doc: str
    imports: tuple[str, ...]
    protocol: str
    imports_doc: str
    properties: tuple[MethodStub, ...]
    methods: tuple[MethodStub, ...]
    var_name: str
    no_host: str


def world_hooks(plan: WorldPlan) -> dict[str, str]:
    """The `Imports` method of each world-level imported function, by WIT name (named as
    the host bindings name them: after the interface properties)."""
    modules = naming.Scope({i.module for i in plan.imports})
    return protocols.hook_names(plan.resolve, plan.import_functions, modules)


def interface_hooks(plan: WorldPlan, iface: InterfacePlan) -> dict[str, str]:
    """The `Host` method of each function of an imported interface, by WIT name."""
    funcs = [f for _, f in plan.resolve.interfaces[iface.iid].functions]
    return protocols.hook_names(plan.resolve, funcs, naming.Scope())


def hosted(plan: WorldPlan) -> list[InterfacePlan]:
    """The imported interfaces with a `Host` (those with functions), in world order."""
    return [i for i in plan.imports if plan.resolve.interfaces[i.iid].functions]


class _NativeCode(ModuleCode):
    """A native module's code: classes of the world module itself are imported by name."""

    def __init__(self, plan: WorldPlan, names: ModulePlan) -> None:
        super().__init__(plan, names)
        self.world_names: set[str] = set()

    def qualify(
        self, tid: m.TypeId, own: m.TypeId | None = None, instance: ModulePlan | None = None
    ) -> str:
        target, cls = self.plan.class_of(tid, self.names, instance)
        if target == "":
            self.world_names.add(cls)
            return cls
        return f"{self.ref(target)}.{cls}"


def _module_plan(dotted: str, taken: set[str], members: set[str]) -> ModulePlan:
    names = ModulePlan(dotted, "import", None)
    names.scope.taken.update(taken)
    names.members = members
    clashing = taken | members
    names.helpers = {h: ("_" + h if h in clashing else h) for h in sorted(HELPERS)}
    return names


def _local_imports(code: _NativeCode, siblings: dict[str, str]) -> list[str]:
    """The imports of the world module's own modules: its classes, its interface modules,
    and the native modules (`siblings`: module → alias) of `native/__init__.py`."""
    from witgen.codegen.python.guest.emission import from_imports

    lines: list[str] = []
    for package in ("exports", "imports"):
        refs = [
            (dotted.split(".", 1)[1], alias)
            for dotted, alias in sorted(code.refs.items())
            if dotted.startswith(package + ".")
        ]
        lines += from_imports(f"..{package}", refs)
    return lines + from_imports(".", list(siblings.items()))


def _groups(code: _NativeCode, standard: list[str], local: list[str]) -> tuple[str, ...]:
    from witgen.codegen.python.guest.emission import from_imports, helper_imports

    if code.world_names:  # the world module imports this package: import its classes lazily
        code.helper("TYPE_CHECKING")
    helper_standard, others, checking = helper_imports(code)
    if code.world_names:
        world = from_imports("..", [(n, n) for n in sorted(code.world_names)])
        checking = checking or [f"if {code.names.helpers['TYPE_CHECKING']}:"]
        checking += ["    " + line.replace("\n", "\n    ") for line in world]
    groups = [["from __future__ import annotations"], standard + helper_standard, others, local]
    groups.append(checking)
    return tuple("\n".join(g) for g in groups if g)


def host_module(plan: WorldPlan, iface: InterfacePlan) -> NativeHostVM:
    """`native/<m>.py` of an imported interface with functions."""
    hooks = interface_hooks(plan, iface)
    names = _module_plan(f"{PACKAGE}.{iface.module}", {"Host"}, set(hooks.values()))
    code = _NativeCode(plan, names)
    funcs = [f for _, f in plan.resolve.interfaces[iface.iid].functions]
    methods = protocols.host_methods(code.signatures(), funcs, hooks)
    protocol = code.helper("Protocol")
    return NativeHostVM(
        version=__version__,
        doc=f"What a fake host implements for the imported interface `{iface.label}`.",
        imports=_groups(code, [], _local_imports(code, {})),
        protocol=protocol,
        host_doc=f"The host's implementation of `{iface.label}`, for native tests.",
        methods=methods,
    )


def init_module(plan: WorldPlan) -> NativeInitVM:
    """`native/__init__.py`: the `Imports` Protocol and the host's context variable."""
    hooks = world_hooks(plan)
    interfaces = hosted(plan)
    siblings = {i.module: "_" + i.module for i in interfaces}
    taken = {"Imports", "current", "host", "_CURRENT", "Iterator", "contextmanager", "ContextVar"}
    members = {i.module for i in interfaces} | set(hooks.values())
    code = _NativeCode(plan, _module_plan(PACKAGE, taken | set(siblings.values()), members))
    shadowed = naming.shadowed_builtins(members)
    property_ = f"{code.helper('builtins')}.property" if "property" in shadowed else "property"
    properties = tuple(
        MethodStub(
            signature=f"@{property_}\n    def {i.module}(self) -> {siblings[i.module]}.Host: ...",
            doc=None,
        )
        for i in interfaces
    )
    methods = tuple(
        code.signatures().stub(f, hooks[f.name], shadowed, skip_self=False)
        for f in plan.import_functions
        if f.name in hooks
    )
    standard = [
        "from collections.abc import Iterator",
        "from contextlib import contextmanager",
        "from contextvars import ContextVar",
    ]
    protocol = code.helper("Protocol")
    world = plan.world_module
    return NativeInitVM(
        version=__version__,
        doc=(
            f"Run an app of the world `{plan.world.name}` natively, under pytest, without"
            " building a component.\n\nInside `with "
            f"{world}.{PACKAGE}.host(impl):` imported functions call `impl`, an object"
            " with the\nmembers of `Imports`. Only tests import this package: a built"
            " component has no\nnative host."
        ),
        imports=_groups(code, standard, _local_imports(code, siblings)),
        protocol=protocol,
        imports_doc=f"What the host provides to an app of `{plan.world.name}`, for native tests.",
        properties=properties,
        methods=methods,
        var_name=pyrepr(f"{world}.{PACKAGE}.host"),
        no_host=pyrepr(
            f"no host is installed: call imported functions inside"
            f" `with {world}.{PACKAGE}.host(impl):`"
        ),
    )
