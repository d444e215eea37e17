"""The native harness of guest bindings: `wit_world/native/`, for testing an app under pytest.

Input: a `WorldPlan` (with `native` set in its options). Output: the view models of
`native/__init__.py` (the `Imports` Protocol, the Protocols of world-level resources,
`current()` and `host(impl)`) and of one `native/<m>.py` per imported interface with
functions or resources (the Protocol of each resource the host implements, and the
interface's `Host` Protocol), the names through which imported functions reach the
installed host, and the files of the harness's runtime.

Invariants: the members and signatures are those of the host bindings' `<World>Imports`,
`Host` and resource Protocols, built by `protocols` from the same functions with the same
naming scopes, so a fake host written against either fits both; only the annotations
differ: they name the world module's classes, and a resource the host implements by its
Protocol here. Functions the host bindings cannot bind (async ones, those passing streams
or futures) are members too; an async one may return an awaitable. Native modules import
the world module's modules for type checkers only, so importing them never imports an
interface module (which imports the harness).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from witgen import __version__
from witgen import model as m
from witgen.codegen.python import layout, naming, protocols
from witgen.codegen.python.guest.modules import NATIVE, ModuleCode
from witgen.codegen.python.guest.planning import HELPERS, InterfacePlan, ModulePlan, WorldPlan
from witgen.codegen.python.layout import Expr, Subscript
from witgen.codegen.python.protocols import HostProtocol, MethodStub, ResourceProtocol

PACKAGE = NATIVE

# The harness's runtime: files of `runtime/`, copied verbatim into `native/`.
BOUNDARY = "_boundary"
STREAMS = "_streams"


RUNTIME = Path(__file__).parent / "runtime"


def runtime_source(name: str) -> str:
    """A runtime module's source, exactly as it is in witgen's own tree."""
    return (RUNTIME / f"{name}.py").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True, kw_only=True)
class NativeResourceVM:
    """The Protocol of a resource the host implements (`native_resource.j2`)."""

    resource: ResourceProtocol
    abstract: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NativeModuleVM:
    """`native/<m>.py` (`native_host.py.j2`): an imported interface's resource Protocols and
    its `Host` Protocol (None when it has no functions)."""

    version: str
    doc: str
    imports: tuple[str, ...]
    resources: tuple[NativeResourceVM, ...]
    host: HostProtocol | None
    abstract: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NativeInitVM:
    """`native/__init__.py` (`native_init.py.j2`): `Imports`, `current()`, `host(impl)`."""

    version: str
    doc: str
    imports: tuple[str, ...]
    resources: tuple[NativeResourceVM, ...]
    name: str
    protocol: str
    imports_doc: str
    properties: tuple[MethodStub, ...]
    methods: tuple[MethodStub, ...]
    abstract: str
    boundary: str
    context_manager: str
    # How the module spells `typing.TypeVar`: `host(impl)` gives back `impl`'s own type.
    type_var: str
    support: str | None


# ---------------------------------------------------------------- what exists


def world_hooks(plan: WorldPlan) -> dict[str, str]:
    """The `Imports` method of each world-level imported function, by WIT name (named as
    the host bindings name them: after the interface properties)."""
    if "" not in plan.host_hooks:
        modules = naming.Scope({i.module for i in plan.imports})
        hooks = protocols.hook_names(plan.resolve, plan.import_functions, modules)
        plan.host_hooks[""] = hooks
    return plan.host_hooks[""]


def interface_hooks(plan: WorldPlan, iface: InterfacePlan) -> dict[str, str]:
    """The `Host` method of each function of an imported interface, by WIT name."""
    if iface.dotted not in plan.host_hooks:
        funcs = [f for _, f in plan.resolve.interfaces[iface.iid].functions]
        hooks = protocols.hook_names(plan.resolve, funcs, naming.Scope())
        plan.host_hooks[iface.dotted] = hooks
    return plan.host_hooks[iface.dotted]


def hosted(plan: WorldPlan) -> list[InterfacePlan]:
    """The imported interfaces with a `Host`, in world order: those with freestanding
    functions, constructors or statics (methods are the host's resource objects')."""
    return [i for i in plan.imports if interface_hooks(plan, i)]


def resources_of(plan: WorldPlan, names: ModulePlan) -> list[tuple[m.TypeId, str]]:
    """The resources whose classes an import-side module defines, with their names."""
    return [
        (tid, cls)
        for tid, cls in names.classes.items()
        if isinstance(plan.resolve.types[tid].kind, m.Resource)
    ]


def native_modules(plan: WorldPlan) -> list[InterfacePlan]:
    """The imported interfaces with a native module: those with functions or resources."""
    out = []
    for iface in plan.imports:
        names = plan.modules.get(iface.dotted)
        if names is None:
            continue
        if plan.resolve.interfaces[iface.iid].functions or resources_of(plan, names):
            out.append(iface)
    return out


def native_module_of(plan: WorldPlan, target: str) -> str:
    """The native module holding the Protocols of the resources whose classes module
    `target` (`imports.<m>`, or "" for the world module) defines."""
    return PACKAGE if target == "" else f"{PACKAGE}.{target.split('.', 1)[1]}"


# ---------------------------------------------------------------- module code


class _NativeCode(ModuleCode):
    """A native module's code: classes of the world module itself are imported by name,
    and a resource is named by its Protocol in the native modules."""

    def __init__(
        self, plan: WorldPlan, names: ModulePlan, instance: ModulePlan | None = None
    ) -> None:
        super().__init__(plan, names)
        self.world_names: set[str] = set()
        self.instance = instance

    def qualify(
        self, tid: m.TypeId, own: m.TypeId | None = None, instance: ModulePlan | None = None
    ) -> str:
        target, cls = self.plan.class_of(tid, self.names, instance or self.instance)
        if isinstance(self.plan.resolve.types[tid].kind, m.Resource):
            home = native_module_of(self.plan, target)
            return cls if home == self.names.dotted else f"{self.ref(home)}.{cls}"
        if target == "":
            self.world_names.add(cls)
            return cls
        return f"{self.ref(target)}.{cls}"

    def native_signatures(self) -> protocols.Signatures:
        """Signatures of host methods: an async function's may return an awaitable."""
        signatures = self.signatures()

        def awaitable(returns: Expr) -> Expr:
            return layout.union(returns, Subscript(self.helper("Awaitable"), (returns,)))

        signatures.awaitable = awaitable
        return signatures


def _module_plan(dotted: str, taken: set[str], members: set[str]) -> ModulePlan:
    names = ModulePlan(dotted, "import", None)
    names.scope.taken.update(taken)
    names.members = members
    clashing = taken | members
    names.helpers = {h: ("_" + h if h in clashing else h) for h in sorted(HELPERS)}
    return names


def _groups(code: _NativeCode, standard: list[str]) -> tuple[str, ...]:
    """The module's import groups: its native siblings at run time; the world module's
    modules and classes, with componentize-py's async support, for type checkers only."""
    from witgen.codegen.python.guest.emission import from_imports, helper_imports

    world: list[str] = []
    for package in ("exports", "imports"):
        refs = [
            (dotted.split(".", 1)[1], alias)
            for dotted, alias in sorted(code.refs.items())
            if dotted.startswith(package + ".")
        ]
        world += from_imports(f"..{package}", refs)
    if code.world_names:
        world += from_imports("..", [(n, n) for n in sorted(code.world_names)])
    siblings = [
        (dotted.split(".", 1)[1], alias)
        for dotted, alias in sorted(code.refs.items())
        if dotted.startswith(PACKAGE + ".")
    ]
    if world:
        code.helper("TYPE_CHECKING")
    helper_standard, others, checking = helper_imports(code)
    if world:  # after componentize-py's modules (if any), as a group of its own
        checking = [*checking, ""] if checking else [f"if {code.names.helpers['TYPE_CHECKING']}:"]
        checking += ["    " + line.replace("\n", "\n    ") for line in world]
    # isort's order: `import x` statements first, then `from x import …`, each by module
    standard = sorted(
        standard + helper_standard, key=lambda line: (line[0] == "f", line.split()[1])
    )
    groups = [["from __future__ import annotations"], standard, others]
    groups += [from_imports(".", siblings), checking]
    return tuple("\n".join(g) for g in groups if g)


def _resource_protocols(
    code: _NativeCode, funcs: list[m.Function], resources_: list[tuple[m.TypeId, str]]
) -> tuple[NativeResourceVM, ...]:
    out = []
    for tid, name in resources_:
        view, _ = protocols.resource_protocol(
            code.native_signatures(),
            funcs,
            tid,
            name=name,
            runtime_checkable=code.helper("runtime_checkable"),
            protocol=code.helper("Protocol"),
        )
        abstract = code.helper("abstractmethod") if view.methods else ""
        out.append(NativeResourceVM(resource=view, abstract=abstract))
    return tuple(out)


def _resource_members(plan: WorldPlan, funcs: list[m.Function], tid: m.TypeId) -> set[str]:
    methods = protocols.resource_functions(plan.resolve, funcs, tid)
    return {naming.func_name(f.item_name) for f in methods} | {"drop"}


# ---------------------------------------------------------------- the modules


def host_module(plan: WorldPlan, iface: InterfacePlan) -> NativeModuleVM:
    """`native/<m>.py` of an imported interface with functions or resources."""
    funcs = [f for _, f in plan.resolve.interfaces[iface.iid].functions]
    hooks = interface_hooks(plan, iface)
    instance = plan.modules[iface.dotted]
    resources_ = resources_of(plan, instance)
    members = set(hooks.values())
    for tid, _ in resources_:
        members |= _resource_members(plan, funcs, tid)
    scope = naming.Scope({name for _, name in resources_})
    host_name = scope.claim("Host") if hooks else ""
    names = _module_plan(f"{PACKAGE}.{iface.module}", scope.taken, members)
    code = _NativeCode(plan, names, instance)
    views = _resource_protocols(code, funcs, resources_)
    host = None
    if hooks:
        methods = protocols.host_methods(code.native_signatures(), funcs, hooks)
        host = HostProtocol(
            name=host_name,
            protocol=code.helper("Protocol"),
            doc=f"The host's implementation of `{iface.label}`, for native tests.",
            methods=methods,
        )
    abstract = code.helper("abstractmethod") if host is not None and host.methods else ""
    return NativeModuleVM(
        version=__version__,
        doc=f"What a fake host implements for the imported interface `{iface.label}`.",
        imports=_groups(code, []),
        resources=views,
        host=host,
        abstract=abstract,
    )


def init_module(plan: WorldPlan, *, async_support: bool) -> NativeInitVM:
    """`native/__init__.py`: the `Imports` Protocol, the Protocols of world-level resources,
    `current()` and `host(impl)`; with `async_support` (the world uses componentize-py's
    async support), providing that support to apps."""
    hooks = world_hooks(plan)
    interfaces = hosted(plan)
    resources_ = resources_of(plan, plan.modules[""])
    scope = naming.Scope({name for _, name in resources_} | {"current", "host"})
    name = scope.claim("Imports")
    members = {i.module for i in interfaces} | set(hooks.values())
    for tid, _ in resources_:
        members |= _resource_members(plan, plan.import_functions, tid)
    code = _NativeCode(plan, _module_plan(PACKAGE, scope.taken, members))
    views = _resource_protocols(code, list(plan.import_functions), resources_)
    shadowed = naming.shadowed_builtins(members)
    property_ = f"{code.helper('builtins')}.property" if "property" in shadowed else "property"
    abstract = code.helper("abstractmethod") if interfaces or hooks else ""
    properties = tuple(
        MethodStub(
            signature=(
                f"@{property_}\n    @{abstract}\n"
                f"    def {i.module}(self) -> {code.ref(f'{PACKAGE}.{i.module}')}.Host: ..."
            ),
            doc=None,
        )
        for i in interfaces
    )
    signatures = code.native_signatures()
    methods = tuple(
        signatures.stub(f, hooks[f.name], shadowed, skip_self=False)
        for f in plan.import_functions
        if f.name in hooks
    )
    boundary = code.ref(f"{PACKAGE}.{BOUNDARY}")
    support = code.ref(f"{PACKAGE}.{STREAMS}") if async_support else None
    standard = ["from contextlib import AbstractContextManager as _ContextManager"]
    protocol = code.helper("Protocol")
    type_var = code.helper("TypeVar")  # before `_groups`, which lists what was used
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
        imports=_groups(code, standard),
        resources=views,
        name=name,
        protocol=protocol,
        imports_doc=f"What the host provides to an app of `{plan.world.name}`, for native tests.",
        properties=properties,
        methods=methods,
        abstract=abstract,
        boundary=boundary,
        context_manager="_ContextManager",
        type_var=type_var,
        support=support,
    )


def runtime_files(
    package: PurePosixPath, header: str, *, async_support: bool
) -> dict[PurePosixPath, str]:
    """The runtime modules of the native package, under the generated-file header:
    `_streams` only for worlds using componentize-py's async support (it is typed by its
    stubs, written beside the world module only then)."""
    names = [BOUNDARY, STREAMS] if async_support else [BOUNDARY]
    return {package / f"{n}.py": header + runtime_source(n) for n in names}
