"""The Python names that the host and guest bindings give each documented item (`--python`).

Input: a `model.Resolve`, the `Selection` being documented and the world chosen with
`--world` (None: every documented world of the main package). Output: per interface, type
and function, `PythonName`s: the dotted name in the host bindings (package named
after the world) and in the guest bindings (`wit_world`), per world.

Invariants: no name is derived here. Module and class names come from the generators' own
plans (`host.planning`, `guest.planning`); the host's method names are read from the host
generator's assembled view models, and the guest's from its plan and `naming`, which its
assembly uses, so the docs name what the bindings define. A world whose bindings cannot
be generated (a name clash) gets no names; functions the host bindings leave out (async,
streams, those WASI implements) get no host name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from witgen import model as m
from witgen._record import record
from witgen.codegen.markdown.locations import FunctionKey, Selection
from witgen.codegen.python import naming

TYPE_CHECKING = False
if TYPE_CHECKING:
    from witgen.codegen.python.host.assembly import Assembly

_DEF = re.compile(r"\bdef (\w+)\(")
K = TypeVar("K")


@record
class PythonName:
    """What the Python bindings of one world call an item: `side` is `host` or `guest`."""

    side: str
    world: str
    name: str


Namer = Callable[..., PythonName]


def _defined(signature: str) -> str:
    """The name a generated `def` signature defines."""
    found = _DEF.search(signature)
    assert found is not None, signature
    return found.group(1)


def _namer(side: str, world: str, root: str) -> Namer:
    """`name(module, *members)`: the dotted name under `root` (the bindings' package), as
    one side of one world's bindings spell it; empty parts are left out."""

    def name(dotted: str, *parts: str) -> PythonName:
        path = ".".join(p for p in (root, dotted, *parts) if p)
        return PythonName(side=side, world=world, name=path)

    return name


class PythonNames:
    """The names of every world's bindings, collected once."""

    def __init__(self, resolve: m.Resolve, selection: Selection, world: m.WorldId | None) -> None:
        self.resolve = resolve
        self._interfaces: dict[m.InterfaceId, list[PythonName]] = {}
        self._types: dict[m.TypeId, list[PythonName]] = {}
        self._functions: dict[FunctionKey, list[PythonName]] = {}
        for wid in self._worlds(selection, world):
            self._host(wid)
            self._guest(wid)

    def _worlds(self, selection: Selection, world: m.WorldId | None) -> list[m.WorldId]:
        if world is not None:
            return [world]
        main = set(self.resolve.main_group or ())
        if self.resolve.main is not None:
            main.add(self.resolve.main)
        return sorted(
            w for w in selection.worlds if not main or self.resolve.worlds[w].package in main
        )

    @staticmethod
    def _add(table: dict[K, list[PythonName]], key: K, name: PythonName) -> None:
        found = table.setdefault(key, [])
        if name not in found:
            found.append(name)

    # ------------------------------------------------------------ host

    def _host(self, wid: m.WorldId) -> None:
        from witgen.codegen.python.host.assembly import Assembly
        from witgen.codegen.python.host.planning import HostOptions, WorldPlan

        plan = WorldPlan(self.resolve, wid, HostOptions(skip_unsupported=True))
        if plan.has_errors:
            return
        assembly = Assembly(plan)
        name = _namer("host", self.resolve.worlds[wid].name, plan.package)
        for mod in plan.modules.values():
            for tid, cls in mod.classes.items():
                self._add(self._types, tid, name(mod.dotted, cls))
        for iface in plan.imports:
            dotted = "imports." + iface.module
            self._add(self._interfaces, iface.iid, name(dotted))
            hooks = [f for f in iface.functions if f.kind.name != "method"]
            host = assembly.imports.hosts.get(dotted, "")
            methods = assembly.imports.host_methods.get(dotted, ())
            for f, method in zip(hooks, methods, strict=True):
                self._add(self._functions, (iface.iid, f.name), name(dotted, host, method))
            for tid, names in assembly.imports.method_names.items():
                resource = plan.modules[dotted].classes.get(tid)
                for f in iface.functions:
                    if resource is not None and f.kind.resource == tid and f.name in names:
                        key = (iface.iid, f.name)
                        self._add(self._functions, key, name(dotted, resource, names[f.name]))
        for iface in plan.exports:
            dotted = "exports." + iface.module
            self._add(self._interfaces, iface.iid, name(dotted))
            self._host_exports(iface.iid, iface.functions, dotted, assembly, name)
        self._host_world(wid, plan.import_functions, plan.export_functions, assembly, name)

    def _host_exports(
        self,
        iid: m.InterfaceId,
        funcs: Iterable[m.Function],
        dotted: str,
        assembly: Assembly,
        name: Namer,
    ) -> None:
        from witgen.codegen.python.host.viewmodels import AccessorVM, GuestResourceVM

        funcs = list(funcs)
        items = assembly.modules[dotted].items
        for item in items:
            if isinstance(item, AccessorVM):
                free = [f for f in funcs if f.kind.name == "freestanding"]
                for f, view in zip(free, item.functions, strict=True):
                    key = (iid, f.name)
                    self._add(
                        self._functions, key, name(dotted, item.name, _defined(view.signature))
                    )
            elif isinstance(item, GuestResourceVM):
                tid = next(
                    t for t, c in assembly.plan.modules[dotted].classes.items() if c == item.name
                )
                own = [f for f in funcs if f.kind.resource == tid]
                methods = [f for f in own if f.kind.name == "method"]
                statics = [f for f in own if f.kind.name != "method"]
                for f, view in zip(methods, item.methods, strict=True):
                    key = (iid, f.name)
                    self._add(
                        self._functions, key, name(dotted, item.name, _defined(view.signature))
                    )
                for f, view in zip(statics, item.statics, strict=True):
                    key = (iid, f.name)
                    method = _defined(view.signature)
                    self._add(self._functions, key, name(dotted, item.class_name, method))

    def _host_world(
        self,
        wid: m.WorldId,
        imports: list[m.Function],
        exports: list[m.Function],
        assembly: Assembly,
        name: Namer,
    ) -> None:
        world = assembly.world
        hooks = [f for f in imports if f.kind.name != "method"]
        for f, stub in zip(hooks, world.imports.methods, strict=True):
            key = (wid, "import", f.name)
            self._add(self._functions, key, name("", world.imports.name, _defined(stub.signature)))
        for f, view in zip(exports, world.functions, strict=True):
            key = (wid, "export", f.name)
            self._add(self._functions, key, name("", world.name, _defined(view.signature)))

    # ------------------------------------------------------------ guest

    def _guest(self, wid: m.WorldId) -> None:
        from witgen.codegen.python.guest.planning import GuestOptions, WorldPlan

        plan = WorldPlan(self.resolve, wid, GuestOptions())
        if plan.has_errors:
            return
        name = _namer("guest", self.resolve.worlds[wid].name, plan.world_module)
        for mod in plan.modules.values():
            for tid, cls in mod.classes.items():
                self._add(self._types, tid, name(mod.dotted, cls))
                if isinstance(self.resolve.types[tid].kind, m.Resource):
                    iid = mod.iface.iid if mod.iface is not None else None
                    for f_name, member in plan.resource_members(mod, tid).items():
                        if f_name.startswith("__"):
                            continue  # `__enter__`, `__exit__`: no WIT function
                        key = (iid, f_name) if iid is not None else (wid, "import", f_name)
                        self._add(self._functions, key, name(mod.dotted, cls, member))
            if mod.iface is None:
                continue
            self._add(self._interfaces, mod.iface.iid, name(mod.dotted))
            for f_name, function in mod.functions.items():
                self._add(self._functions, (mod.iface.iid, f_name), name(mod.dotted, function))
        exports = plan.modules.get("exports")
        for iface in plan.exports:
            protocol = exports.protocols.get(iface.label) if exports is not None else None
            if protocol is None:
                continue
            for f_name, f in self.resolve.interfaces[iface.iid].functions:
                if f.kind.resource is None:
                    member = naming.func_name(f.name)
                    self._add(
                        self._functions, (iface.iid, f_name), name("exports", protocol, member)
                    )
        world_mod = plan.modules[""]
        for f_name, function in world_mod.functions.items():
            self._add(self._functions, (wid, "import", f_name), name("", function))
        for f in plan.export_functions:
            member = naming.func_name(f.name)
            self._add(self._functions, (wid, "export", f.name), name("", plan.world_class, member))

    # ------------------------------------------------------------ queries

    def function(self, key: FunctionKey) -> tuple[PythonName, ...]:
        return tuple(self._functions.get(key, ()))

    def type(self, tid: m.TypeId) -> tuple[PythonName, ...]:
        return tuple(self._types.get(tid, ()))

    def interface(self, iid: m.InterfaceId) -> tuple[PythonName, ...]:
        return tuple(self._interfaces.get(iid, ()))
