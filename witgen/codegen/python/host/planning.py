"""Planning host bindings: which modules, functions and types exist, their names, and why not.

Input: a `model.Resolve`, the id of a world and `HostOptions`. Output: a `WorldPlan`: the
generated package's name, one `ModulePlan` per generated module (`""` for the package,
`imports.<m>`, `exports.<m>`) with the classes it defines and the names it has claimed, the
functions that can be bound, the table of exported functions, and every diagnostic of
generating the bindings (WIT401-WIT407), in a fixed order.

Invariants:
- Every name a module defines is claimed here, before any code is assembled: types first
  (two WIT types needing one class name is WIT401), then the generated classes (a clash with
  a type adds `_`), then the helpers (a helper a type shadows is imported as `_Name`).
- Functions that need async (WIT403), streams, futures or error contexts (WIT404), maps or
  fixed-length lists (WIT405), or handles to WASI's resources (WIT407) are errors, or warnings
  that omit them with `skip_unsupported`; types holding such constructs are omitted with a
  warning. Cases wasmtime-py would send as another case are warnings (WIT406).
- Imported interfaces that wasmtime's WASI implements (`WASI_P2`) get their types but no
  functions: `add_to_linker` never defines them, so WASI supplies them once.
- The world bound is the one the guest was written for: exports its toolchain adds for
  itself (`TOOLCHAIN_EXPORTS`) are left out, and for a world decoded from a built component
  (`HostOptions.from_component`) so are the imports WASI implements that nothing else in
  the world uses. Interface modules are then named by one rule (`naming.interface_modules`)
  whichever the source, so WIT and the component built from it give the same modules.
- Planning stops at the first phase with an error; a plan with errors is never assembled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, assert_never

from witgen import model as m
from witgen.codegen.python import naming, protocols, type_views
from witgen.codegen.python.host.values import WasmtimeValues
from witgen.codegen.python.sides import ClassSides
from witgen.text.diagnostics import Diagnostic, Note, Severity, error, warning
from witgen.text.source import Span

Side = Literal["import", "export"]

# Diagnostic codes (diagnostics.CODES): what makes a name, a function or a type unbindable.
NAME_CLASH = "WIT401"
BAD_PACKAGE = "WIT402"
ASYNC = "WIT403"
STREAMS = "WIT404"  # stream, future, error-context
CONTAINERS = "WIT405"  # map, list<T, N>
UNSENDABLE = "WIT406"
WASI_RESOURCE = "WIT407"

# Names imported into generated modules that a WIT type of the same name would shadow; such a
# module imports them under `_Name` instead.
HELPERS = frozenset(
    {"Any", "Component", "Enum", "Err", "Flag", "Instance", "Linker", "Ok", "Protocol",
     "Result", "Self", "Some", "Store", "Trap"}
)  # fmt: skip

# The interfaces `Linker.add_wasip2()` defines, by package (wasmtime 50 defines them at
# @0.2.12, and its linker resolves every 0.2.x import to them). A world importing one gets
# WASI's implementation: defining it again is "defined twice" at the same version, and at an
# older one it is silently shadowed (the guest's import resolves to the newest 0.2.x), so the
# bindings never define these. tests/e2e checks this table against a real Linker.
WASI_P2: dict[str, frozenset[str]] = {
    "wasi:cli": frozenset(
        {"environment", "exit", "stdin", "stdout", "stderr", "terminal-input",
         "terminal-output", "terminal-stdin", "terminal-stdout", "terminal-stderr"}
    ),
    "wasi:clocks": frozenset({"monotonic-clock", "wall-clock"}),
    "wasi:filesystem": frozenset({"types", "preopens"}),
    "wasi:io": frozenset({"error", "poll", "streams"}),
    "wasi:random": frozenset({"random", "insecure", "insecure-seed"}),
    "wasi:sockets": frozenset(
        {"network", "instance-network", "ip-name-lookup", "tcp", "tcp-create-socket", "udp",
         "udp-create-socket"}
    ),
}  # fmt: skip
_WASI_P2_VERSION = re.compile(r"0\.2\.\d+")

# Exports a guest toolchain adds for its own use, by (plain export name, its only function,
# that function's first parameters). componentize-py exports the inline interface `exports`
# whose `init(app-name, symbols, stub-wasi)` it calls once, at build time, to pre-initialise
# the app; it is not part of the guest's world, and a host has no business calling it.
TOOLCHAIN_EXPORTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("exports", "init", ("app-name", "symbols")),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class HostOptions:
    """Options of `generate`."""

    # The generated package's name; None for snake(world name, after `world_name`).
    package: str | None = None
    # The world's name in the bindings (its class, `<World>Imports`, the default package);
    # None for its own. A decoded component's world is always `root`: this gives it back
    # the name of the world the guest was built for.
    world_name: str | None = None
    # Omit functions wasmtime-py cannot call (with a warning) instead of failing.
    skip_unsupported: bool = False
    # The world was decoded from a built component. Its imports are the guest's world plus
    # what the guest's toolchain needed (componentize-py's runtime imports all of WASI), and
    # the binary does not say which is which; imports that WASI implements and that nothing
    # else in the world uses are left out, as no bound function can reach them.
    from_component: bool = False


def package_name(resolve: m.Resolve, wid: m.WorldId, options: HostOptions) -> str:
    """The generated package's name: `--package`, or snake(`--world-name` or the world's
    name). Not `func_name`, which asserts: a `world_name` giving no identifier is reported."""
    return options.package or naming.escape(
        naming.snake(options.world_name or resolve.worlds[wid].name)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class InterfacePlan:
    """An interface the world imports or exports, and the module that binds it."""

    key: m.WorldKey
    iid: m.InterfaceId
    side: Side
    # The module's name under `imports.`/`exports.`, and the instance name (`ns:pkg/i@v`).
    module: str
    instance: str
    # The functions that can be bound (none for an interface WASI implements).
    functions: tuple[m.Function, ...]
    # An import that WASI implements (`WASI_P2`): types only, never defined by the bindings.
    wasi: bool


class ModulePlan:
    """The names one generated module defines: its classes, case classes and helpers."""

    def __init__(self, dotted: str, side: Side, iface: InterfacePlan | None) -> None:
        self.dotted = dotted  # "", "imports.fs", "exports.editor"
        self.side = side
        self.iface = iface
        # The class of each nominal type it defines (type-id order), and of each variant case.
        self.classes: dict[m.TypeId, str] = {}
        self.cases: dict[tuple[m.TypeId, str], str] = {}
        self.scope = naming.Scope()
        # The classes the bindings add, claimed after the types' and before the helpers are
        # spelled, so that nothing shadows anything: the package's world class and
        # `<World>Imports`; an imports module's `Host`; an exports module's accessor and the
        # `<R>Class` of each resource.
        self.world_class = ""
        self.imports_protocol = ""
        self.host_protocol = ""
        self.accessor = ""
        self.resource_classes: dict[m.TypeId, str] = {}
        # How the module spells each helper of `HELPERS` (`Enum`, or `_Enum` when taken).
        self.helpers: dict[str, str] = {}


class WorldPlan:
    """Everything decided about one world's bindings before any code is assembled."""

    def __init__(self, resolve: m.Resolve, wid: m.WorldId, options: HostOptions) -> None:
        self.resolve = resolve
        self.options = options
        self.package = package_name(resolve, wid, options)
        self.world = self._bound_world(resolve.worlds[wid])
        self.values = WasmtimeValues(resolve)
        self.diagnostics: list[Diagnostic] = []
        self.wasi_interfaces: set[m.InterfaceId] = set()
        self.imports: list[InterfacePlan] = []
        self.exports: list[InterfacePlan] = []
        self.import_functions: list[m.Function] = []
        self.export_functions: list[m.Function] = []
        self.world_types: list[m.TypeId] = []
        self.import_modules: dict[m.InterfaceId, str] = {}
        self.export_modules: dict[m.InterfaceId, str] = {}
        self.modules: dict[str, ModulePlan] = {}
        self.class_sides = ClassSides(resolve, self.import_modules, self.export_modules)
        # The exported functions by instance ("" for the world's own), in the order of
        # `State.fns`, and each one's index there.
        self.export_table: list[tuple[str, list[str]]] = []
        self.export_index: dict[tuple[str, str], int] = {}
        self._unsupported: dict[m.TypeId, tuple[str, str] | None] = {}
        world_name = options.world_name
        if world_name is not None and not naming.upper_camel(world_name).isidentifier():
            message = f"`{world_name}` is not a valid world name: it gives no Python class name"
            help_ = Note("a world name is a WIT identifier, such as `my-world`")
            self.diagnostics.append(error(BAD_PACKAGE, message, Span.UNKNOWN, help_))
            return
        if not self.package.isidentifier() or self.package.startswith("_"):
            message = f"`{self.package}` is not a valid Python package name"
            self.diagnostics.append(error(BAD_PACKAGE, message, Span.UNKNOWN))
            return
        self._collect()
        if self.has_errors:
            return
        self._name_modules()
        if self.has_errors:
            return
        self._index_exports()
        self._report_unsendable()

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    # ------------------------------------------------------------ world items

    def _bound_world(self, world: m.World) -> m.World:
        """`world` as the guest was written for it: renamed by `world_name`, without the
        toolchain's own exports and, when decoded from a component, without the WASI
        imports that nothing else uses."""
        exports = tuple((k, i) for k, i in world.exports if not self.is_toolchain_export(k, i))
        imports, package = world.imports, world.package
        if self.options.from_component:
            unused = self._unused_wasi(imports, exports)
            imports = tuple((k, i) for k, i in imports if not _interface_in(i, unused))
            # (`root:component` is only the decoder's name for it: no package holds the world)
            package = None
        return m.World(
            name=self.options.world_name or world.name,
            imports=imports,
            exports=exports,
            package=package,
            docs=world.docs,
            stability=world.stability,
            span=world.span,
        )

    def is_toolchain_export(self, key: m.WorldKey, item: m.WorldItem) -> bool:
        """Whether export `key` is one a guest toolchain adds for itself (`TOOLCHAIN_EXPORTS`)."""
        if not isinstance(key, str) or not isinstance(item, m.WorldInterface):
            return False
        functions = self.resolve.interfaces[item.id].functions
        if len(functions) != 1:
            return False
        f = functions[0][1]
        params = tuple(p.name for p in f.params)
        return any(
            key == name and f.name == function and params[: len(first)] == first
            for name, function, first in TOOLCHAIN_EXPORTS
        )

    def _unused_wasi(
        self,
        imports: tuple[tuple[m.WorldKey, m.WorldItem], ...],
        exports: tuple[tuple[m.WorldKey, m.WorldItem], ...],
    ) -> set[m.InterfaceId]:
        """The imported interfaces WASI implements that no other item of the world reaches:
        through its functions, its types, or the types those are built from."""
        wasi = {
            item.id
            for _, item in imports
            if isinstance(item, m.WorldInterface) and self.provided_by_wasi(item.id)
        }
        roots: list[m.Type | None] = []
        for _, item in (*imports, *exports):
            match item:
                case m.WorldInterface(id=iid):
                    if iid not in wasi:
                        roots.extend(self._interface_roots(iid))
                case m.WorldFunction(function=f):
                    roots.extend(_signature(f))
                case m.WorldType(id=tid):
                    roots.append(tid)
                case _:
                    assert_never(item)
        reached: set[m.InterfaceId] = set()
        seen: set[m.TypeId] = set()
        while roots:
            ty = roots.pop()
            if ty is None or isinstance(ty, str) or ty in seen:
                continue
            seen.add(ty)
            owner = self.resolve.types[ty].owner
            if isinstance(owner, m.OwnerInterface) and owner.id not in reached:
                reached.add(owner.id)
                roots.extend(self._interface_roots(owner.id))
            roots.extend(type_views.children(self.resolve, ty))
        return wasi - reached

    def _interface_roots(self, iid: m.InterfaceId) -> list[m.Type | None]:
        """The types an interface defines or uses, and those of its functions' signatures."""
        iface = self.resolve.interfaces[iid]
        roots: list[m.Type | None] = [tid for _, tid in iface.types]
        for _, f in iface.functions:
            roots.extend(_signature(f))
        return roots

    def _collect(self) -> None:
        for _, item in self.world.imports:
            if isinstance(item, m.WorldInterface) and self.provided_by_wasi(item.id):
                self.wasi_interfaces.add(item.id)
        sides: tuple[tuple[Side, tuple[tuple[m.WorldKey, m.WorldItem], ...]], ...] = (
            ("import", self.world.imports),
            ("export", self.world.exports),
        )
        for side, items in sides:
            ifaces = [(key, item.id) for key, item in items if isinstance(item, m.WorldInterface)]
            modules = naming.interface_modules(self.resolve, ifaces)
            for key, item in items:
                match item:
                    case m.WorldInterface(id=iid):
                        wasi = side == "import" and iid in self.wasi_interfaces
                        fns = [] if wasi else self.resolve.interfaces[iid].functions
                        iface = InterfacePlan(
                            key=key,
                            iid=iid,
                            side=side,
                            module=modules[key],
                            instance=self.resolve.world_key_name(key),
                            functions=tuple(f for _, f in fns if self._supported(f)),
                            wasi=wasi,
                        )
                        (self.imports if side == "import" else self.exports).append(iface)
                    case m.WorldFunction(function=f):
                        funcs = self.import_functions if side == "import" else self.export_functions
                        if self._supported(f):
                            funcs.append(f)
                    case m.WorldType(id=tid):
                        self.world_types.append(tid)
                    case _:
                        assert_never(item)
        self.import_modules = {i.iid: i.module for i in self.imports}
        self.export_modules = {i.iid: i.module for i in self.exports}
        self.class_sides = ClassSides(self.resolve, self.import_modules, self.export_modules)

    def provided_by_wasi(self, iid: m.InterfaceId) -> bool:
        """Whether `Linker.add_wasip2()` defines interface `iid` (see `WASI_P2`)."""
        iface = self.resolve.interfaces[iid]
        if iface.package is None or iface.name is None:
            return False
        name = self.resolve.packages[iface.package].name
        return (
            iface.name in WASI_P2.get(name.unversioned, ())
            and name.version is not None
            and _WASI_P2_VERSION.fullmatch(name.version) is not None
        )

    def _supported(self, f: m.Function) -> bool:
        found = ("it is async", ASYNC) if f.is_async else None
        if found is None:
            for t in [p.type for p in f.params] + ([f.result] if f.result is not None else []):
                if (what := self.unsupported(t)) is not None:
                    found = (f"it uses {_describe(what[0], what[1])}", what[1])
                    break
        if found is None:
            return True
        reason, code = found
        message = f"function `{f.name}` cannot be called through wasmtime-py: {reason}"
        if self.options.skip_unsupported:
            self.diagnostics.append(warning(code, message + "; it is omitted", f.span))
        else:
            help_ = Note("pass `--skip-unsupported` to omit it")
            self.diagnostics.append(error(code, message, f.span, help_))
        return False

    def unsupported(self, ty: m.Type) -> tuple[str, str] | None:
        """The construct wasmtime-py cannot pass that `ty` contains, if any, and its code."""
        if isinstance(ty, str):
            return ("error-context", STREAMS) if ty == "error-context" else None
        if ty in self._unsupported:
            return self._unsupported[ty]
        self._unsupported[ty] = None
        kind = self.resolve.types[ty].kind
        found: tuple[str, str] | None = None
        match kind:
            case m.Stream() | m.Future():
                found = type_views.wit_type(self.resolve, ty), STREAMS
            case m.MapKind() | m.FixedList():
                found = type_views.wit_type(self.resolve, ty), CONTAINERS
            case m.Resource() | m.Handle():
                res = type_views.resource_of(self.resolve, ty)
                owner = self.resolve.types[res].owner if res is not None else None
                if isinstance(owner, m.OwnerInterface) and owner.id in self.wasi_interfaces:
                    found = type_views.wit_type(self.resolve, ty), WASI_RESOURCE
            case m.Enum() | m.Flags():
                found = None
            case m.Record(fields=fields):
                found = self._first_unsupported(f.type for f in fields)
            case m.Variant(cases=cases):
                found = self._first_unsupported(c.type for c in cases)
            case m.TupleKind(types=types):
                found = self._first_unsupported(types)
            case m.Alias(type=t):
                found = self.unsupported(self.resolve.dealias(t))
            case m.OptionKind(type=t) | m.ListKind(type=t):
                found = self.unsupported(t)
            case m.ResultKind(ok=ok, err=err):
                found = self._first_unsupported((ok, err))
            case _:
                assert_never(kind)
        self._unsupported[ty] = found
        return found

    def _first_unsupported(self, types: Iterable[m.Type | None]) -> tuple[str, str] | None:
        for t in types:
            if t is not None and (what := self.unsupported(t)) is not None:
                return what
        return None

    # ------------------------------------------------------------ modules and names

    def _name_modules(self) -> None:
        self.modules[""] = ModulePlan("", "import", None)
        for iface in self.imports:
            dotted = "imports." + iface.module
            self.modules[dotted] = ModulePlan(dotted, "import", iface)
        for iface in self.exports:
            dotted = "exports." + iface.module
            self.modules[dotted] = ModulePlan(dotted, "export", iface)
        for mod in self.modules.values():
            for tid in self._defined(mod):
                self._name_type(mod, tid)
        for mod in self.modules.values():
            self._name_generated(mod)
            mod.helpers = {h: ("_" + h if h in mod.scope.taken else h) for h in sorted(HELPERS)}

    def _defined(self, mod: ModulePlan) -> list[m.TypeId]:
        """The nominal types a module defines, in type-id (topological) order."""
        if mod.iface is None:
            tids = list(self.world_types)
        else:
            tids = [tid for _, tid in self.resolve.interfaces[mod.iface.iid].types]
        out = [
            tid
            for tid in tids
            if type_views.is_nominal(self.resolve, tid)
            and self.unsupported(tid) is None
            and self.location(tid, mod.side) == mod.dotted
        ]
        # (a WASI interface's own types that hold WASI's resources are omitted silently: the
        # functions that would use them are reported)
        wasi = mod.iface is not None and mod.iface.wasi
        for tid in tids if (mod.side == "import" and not wasi) or mod.dotted == "" else ():
            what = self.unsupported(tid) if type_views.is_nominal(self.resolve, tid) else None
            if what is not None:
                td = self.resolve.types[tid]
                message = f"type `{td.name}` is omitted: wasmtime-py cannot pass "
                self.diagnostics.append(warning(what[1], message + _describe(*what), td.span))
        return sorted(set(out))

    def _name_generated(self, mod: ModulePlan) -> None:
        """Claim the module's generated class names; a clash with a type's adds `_`."""
        claim = mod.scope.claim
        if mod.iface is None:
            mod.world_class = claim(naming.type_name(self.world.name))
            mod.imports_protocol = claim(naming.upper_camel(self.world.name) + "Imports")
        elif mod.side == "import":
            mod.host_protocol = claim("Host")
        else:
            for tid, name in mod.classes.items():
                if self.is_resource(tid):
                    mod.resource_classes[tid] = claim(f"{name}Class")
            accessor = naming.type_name(mod.iface.module.rstrip("_")) or "Interface"
            mod.accessor = claim(accessor)

    def _name_type(self, mod: ModulePlan, tid: m.TypeId) -> None:
        td = self.resolve.types[tid]
        assert td.name is not None
        name = naming.type_name(td.name)
        self._claim_type(mod, name, td)
        mod.classes[tid] = name
        if isinstance(td.kind, m.Variant):
            for case in td.kind.cases:
                case_name = naming.case_class(name, case.name)
                self._claim_type(mod, case_name, td)
                mod.cases[(tid, case.name)] = case_name

    def _claim_type(self, mod: ModulePlan, name: str, td: m.TypeDef) -> None:
        if name in mod.scope.taken:
            where = f"`{self.package}.{mod.dotted}`" if mod.dotted else f"`{self.package}`"
            message = f"type `{td.name}` needs the name `{name}`, taken in {where}"
            self.diagnostics.append(error(NAME_CLASH, message, td.span))
        mod.scope.taken.add(name)

    # ------------------------------------------------------------ where types live

    def is_resource(self, tid: m.TypeId) -> bool:
        return isinstance(self.resolve.types[tid].kind, m.Resource)

    def location(self, tid: m.TypeId, side: Side) -> str:
        """The module that defines type `tid`, as seen from code on `side`."""
        where = self.class_sides.side(tid, side)
        owner = self.resolve.types[tid].owner
        if where is None or not isinstance(owner, m.OwnerInterface):
            return ""
        modules = self.export_modules if where == "export" else self.import_modules
        return f"{where}s.{modules[owner.id]}"

    def is_host_resource(self, res: m.TypeId, side: Side) -> bool:
        """Whether resource `res`, seen from `side`, is implemented by the host (else a guest
        export, reached through handles)."""
        return not self.location(res, side).startswith("exports.")

    def class_name(self, tid: m.TypeId, side: Side) -> tuple[str, str]:
        """(defining module, class) of nominal type `tid` as seen from `side`."""
        target = self.location(tid, side)
        return target, self.modules[target].classes[tid]

    # ------------------------------------------------------------ exports and warnings

    def _index_exports(self) -> None:
        for f in self.export_functions:
            self._index_export(f, "")
        for iface in self.exports:
            self.export_table.append((iface.instance, []))
            for f in iface.functions:
                self._index_export(f, iface.instance)

    def _index_export(self, f: m.Function, instance: str) -> None:
        if not self.export_table or self.export_table[-1][0] != instance:
            self.export_table.append((instance, []))
        self.export_table[-1][1].append(f.name)
        self.export_index[(instance, f.name)] = len(self.export_index)

    def _report_unsendable(self) -> None:
        """WIT406 for every case wasmtime-py would send as another one: in the arguments of
        exports and the results of imports, in the order the code is assembled."""
        for mod in self.modules.values():
            if mod.side != "export" or mod.iface is None:
                continue
            for tid in mod.classes:
                if self.is_resource(tid):
                    funcs = protocols.resource_functions(self.resolve, mod.iface.functions, tid)
                    methods = [f for f in funcs if f.kind.name == "method"]
                    for f in methods + [f for f in funcs if f.kind.name != "method"]:
                        self._unsendable_arguments(f)
        for mod in self.modules.values():
            if mod.iface is None:
                continue
            for f in mod.iface.functions:
                if mod.side == "import":
                    self._unsendable_result(f)
                elif f.kind.name == "freestanding":
                    self._unsendable_arguments(f)
        for f in self.import_functions:
            self._unsendable_result(f)
        for f in self.export_functions:
            self._unsendable_arguments(f)

    def _unsendable_result(self, f: m.Function) -> None:
        for lost in self.values.unsendable(f.result):
            self.diagnostics.append(
                warning(
                    UNSENDABLE,
                    f"function `{f.name}`: wasmtime-py cannot send {lost.what} (it would "
                    "send an earlier case); a host implementation returning it makes the "
                    "guest call raise `Trap` instead",
                    f.span,
                    Note(lost.fix),
                )
            )

    def _unsendable_arguments(self, f: m.Function) -> None:
        params = f.params[1:] if f.kind.name == "method" else f.params
        for p in params:
            for lost in self.values.unsendable(p.type):
                self.diagnostics.append(
                    warning(
                        UNSENDABLE,
                        f"function `{f.name}`: wasmtime-py cannot send {lost.what} (it would "
                        "send an earlier case); passing it raises `Trap` instead (the "
                        "instance stays usable)",
                        f.span,
                        Note(lost.fix),
                    )
                )


def _signature(f: m.Function) -> list[m.Type | None]:
    return [*(p.type for p in f.params), f.result]


def _interface_in(item: m.WorldItem, iids: set[m.InterfaceId]) -> bool:
    return isinstance(item, m.WorldInterface) and item.id in iids


def _describe(what: str, code: str) -> str:
    if code == WASI_RESOURCE:
        return f"`{what}`, a resource that WASI implements and wasmtime-py cannot pass"
    return f"`{what}`"
