"""Which side of a world defines the Python class of a type: its imports or its exports.

Input: a `model.Resolve`, and the interfaces a world imports and exports. Output: for a
nominal type and the side the code naming it is on, the side whose module of the type's
interface defines its class; None for a world-level type.

Invariants: this is componentize-py's rule, which the guest bindings follow and the host
bindings mirror, so both name the same class: an interface only imported or only exported
has its classes on that side; one both imported and exported keeps its classes in the
imports module, except that the export side defines again its resources and every type
holding one of them (an exported function receives the app's own resource objects, and the
records holding them). Answers about holding are memoized per (type, interface).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

from witgen import model as m
from witgen.codegen.python import type_views

Side = Literal["import", "export"]


class ClassSides:
    """The side defining each class, for one world."""

    def __init__(
        self,
        resolve: m.Resolve,
        imported: Collection[m.InterfaceId],
        exported: Collection[m.InterfaceId],
    ) -> None:
        self.resolve = resolve
        self.imported = imported
        self.exported = exported
        self._holds: dict[tuple[m.TypeId, m.InterfaceId], bool] = {}

    def holds_resource_of(self, ty: m.Type | None, iid: m.InterfaceId) -> bool:
        """Whether `ty` is, or holds a handle to, a resource of interface `iid`."""
        if ty is None or isinstance(ty, str):
            return False
        key = (ty, iid)
        if key not in self._holds:
            self._holds[key] = False  # a type never holds itself: stop the recursion here
            td = self.resolve.types[ty]
            own = isinstance(td.kind, m.Resource) and td.owner == m.OwnerInterface(id=iid)
            children = type_views.children_dealiased(self.resolve, ty)
            self._holds[key] = own or any(self.holds_resource_of(t, iid) for t in children)
        return self._holds[key]

    def side(self, tid: m.TypeId, seen_from: Side) -> Side | None:
        """The side whose module defines the class of `tid`, for code on `seen_from`; None
        for a type of the world itself."""
        owner = self.resolve.types[tid].owner
        if not isinstance(owner, m.OwnerInterface):
            return None
        iid = owner.id
        if iid in self.exported and (
            iid not in self.imported or (seen_from == "export" and self.holds_resource_of(tid, iid))
        ):
            return "export"
        assert iid in self.imported, f"interface {iid} is not part of the world"
        return "import"
