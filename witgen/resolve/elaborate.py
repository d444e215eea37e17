"""Elaboration: a world's implied imports added, and its items ordered (wit-parser's
`elaborate_world`).

Input: the global arenas and a world whose items and includes are merged. Output: the
world's imports and exports replaced. Every interface a world's item depends on through
`use` is imported first (or exported, where the world exports it under its own
interface key); imports are ordered by class: interfaces, then types that `use` another
owner's types, then the world's own types, freestanding functions and resource members.
Invariants: an interface that an export needs as an import cannot also be exported
(WIT308, as wit-parser reports it, then for each further such export); the order among
items of one class is the world's.
"""

from __future__ import annotations

from witgen import model as m
from witgen.resolve.errors import assert_never
from witgen.text.diagnostics import error

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Container
    from typing import TypeVar

    from witgen.resolve.global_arenas import GlobalArenas
    from witgen.text.diagnostics import Diagnostic

    # What a walk over a world's dependencies keeps for each interface (see
    # `WorldElaborator.after_dependencies`).
    _Frame = TypeVar("_Frame")
    _ImportFrame = tuple[m.WorldKey, m.WorldInterface | None]
    _ExportFrame = tuple[m.WorldKey, bool]


class WorldElaborator:
    """Adds implied imports to a world and orders its items (wit-parser's `elaborate_world`)."""

    def __init__(self, arenas: GlobalArenas, wid: int) -> None:
        self.arenas = arenas
        self.world_id = wid

    def sort_key(self, item: m.WorldItem) -> int:
        match item:
            case m.WorldInterface():
                return 0
            case m.WorldType(id=tid):
                t = self.arenas.types[tid]
                target = t.kind.type if isinstance(t.kind, m.Alias) else None
                if target is not None and not isinstance(target, str):
                    return 1 if self.arenas.types[target].owner != t.owner else 2
                return 2
            case m.WorldFunction(function=f):
                return 3 if f.kind.resource is None else 4
            case _:
                assert_never(item)

    def run(self) -> list[Diagnostic]:
        """Elaborate the world; the errors, one per export that cannot be added."""
        arenas = self.arenas
        world = arenas.worlds[self.world_id]
        new_imports: dict[m.WorldKey, m.WorldItem] = {}
        items = sorted(world.imports.items(), key=lambda kv: self.sort_key(kv[1]))
        for key, item in items:
            if isinstance(item, m.WorldInterface):
                self.elaborate_import(new_imports, key, item.id, item.stability, item)
            elif isinstance(item, m.WorldFunction):
                new_imports[key] = item
            else:
                dep = arenas.type_interface_dep(item.id)
                if dep is not None:
                    self.elaborate_import(
                        new_imports, dep, dep, arenas.types[item.id].stability, None
                    )
                new_imports[key] = item
        new_exports: dict[m.WorldKey, m.WorldItem] = {}
        # Interface exports by key: a dependency is exported only when the world exports
        # it under its own interface key (`export i;`); a named export (`export x: i;`)
        # does not satisfy a `use` of `i`, which is then imported instead.
        export_ifaces: dict[m.WorldKey, m.WorldInterface] = {}
        for key, item in world.exports.items():
            if isinstance(item, m.WorldInterface):
                export_ifaces[key] = item
            else:
                new_exports[key] = item
        required: set[m.InterfaceId] = set()
        errors: list[Diagnostic] = []
        for key, item in export_ifaces.items():
            iid = item.id
            if not self.add_export(
                new_imports, new_exports, export_ifaces, required, iid, key, item
            ):
                name = key if isinstance(key, str) else self.iface_name(iid)
                message = f"interface `{name}` transitively depends on an interface in "
                errors.append(error("WIT308", message + "incompatible ways", world.span))
        ordered = sorted(new_imports.items(), key=lambda kv: self.sort_key(kv[1]))
        world.imports = dict(ordered)
        world.exports = new_exports
        return errors

    def iface_name(self, iid: m.InterfaceId) -> str:
        iface = self.arenas.interfaces[iid]
        if iface.name is None or iface.package is None:
            return iface.name or "<anonymous>"
        packages = self.arenas.packages
        pkg = packages[iface.package].name if iface.package < len(packages) else None
        if pkg is None:
            return iface.name
        base = f"{pkg.namespace}:{pkg.name}/{iface.name}"
        return f"{base}@{pkg.version}" if pkg.version else base

    def after_dependencies(
        self,
        root: m.InterfaceId,
        frame: _Frame,
        open_dep: Callable[[m.InterfaceId, _Frame], _Frame | None],
        close: Callable[[m.InterfaceId, _Frame], None],
        passed: Container[m.WorldKey] = (),
    ) -> None:
        """Depth first from `root`, whose frame is `frame`: `open_dep(dep, parent)` gives
        the frame of a dependency of the interface whose frame is `parent` (None passes
        it by, as does being in `passed`), and `close(iid, frame)` runs once every
        dependency of `iid` is closed.

        On its own stack, as chains of `use` can be thousands of interfaces deep; an entry
        is an interface, its frame and the dependencies still to see. `_Refused` raised
        by either callback stops the walk."""
        direct_deps = self.arenas.interface_direct_deps
        stack = [(root, frame, iter(direct_deps(root)))]
        while stack:
            iid, frame, deps = stack[-1]
            for dep in deps:
                if dep in passed:
                    continue
                opened = open_dep(dep, frame)
                if opened is not None:
                    stack.append((dep, opened, iter(direct_deps(dep))))
                    break
            else:
                stack.pop()
                close(iid, frame)

    def elaborate_import(
        self,
        imports: dict[m.WorldKey, m.WorldItem],
        key: m.WorldKey,
        iid: m.InterfaceId,
        stability: m.Stability,
        item: m.WorldInterface | None,
    ) -> None:
        """Import `iid` under `key`, after every interface it depends on (depth first).
        A frame is the key an interface is imported under and its item (None: made)."""
        if key in imports:
            return
        if item is None:
            item = m.WorldInterface(id=iid, stability=stability)
        if not self.arenas.interface_direct_deps(iid):  # the usual case: nothing to walk
            imports[key] = item
            return

        def open_dep(dep: m.InterfaceId, _parent: _ImportFrame) -> _ImportFrame:
            return (dep, None)  # (those already imported are passed by)

        def close(iid: m.InterfaceId, frame: _ImportFrame) -> None:
            key, item = frame
            if key not in imports:
                made = m.WorldInterface(id=iid, stability=stability)
                imports[key] = item if item is not None else made

        root: _ImportFrame = (key, item)
        self.after_dependencies(iid, root, open_dep, close, passed=imports)

    def add_export(
        self,
        imports: dict[m.WorldKey, m.WorldItem],
        exports: dict[m.WorldKey, m.WorldItem],
        export_ifaces: dict[m.WorldKey, m.WorldInterface],
        required: set[m.InterfaceId],
        iid: m.InterfaceId,
        key: m.WorldKey,
        item: m.WorldInterface,
    ) -> bool:
        """Export `iid` under `key` after its dependencies: those the world exports under
        their own key are exported first, the others imported (and `required`). False if
        an interface that an earlier export required as an import would be exported.
        A frame is an interface's key and whether it is exported."""
        if key in exports:
            return True

        def open_dep(dep: m.InterfaceId, parent: _ExportFrame) -> _ExportFrame | None:
            exporting = parent[1] and dep in export_ifaces
            if dep in exports:
                if not exporting:
                    raise _Refused
                return None
            if not exporting and dep in required:
                return None
            return (dep, exporting)

        def close(iid: m.InterfaceId, frame: _ExportFrame) -> None:
            key, exporting = frame
            if exporting:
                # An interface that an earlier export needed as an import cannot be
                # exported now: its exporters would see two different instances.
                if iid in required:
                    raise _Refused
                exports[key] = (
                    item if item.id == iid else m.WorldInterface(id=iid, stability=item.stability)
                )
            else:
                required.add(iid)
                if key not in imports:
                    imports[key] = m.WorldInterface(id=iid, stability=item.stability)

        try:
            self.after_dependencies(iid, (key, True), open_dep, close)
        except _Refused:
            return False
        return True


class _Refused(Exception):
    """An export that cannot be added (see `WorldElaborator.add_export`)."""
