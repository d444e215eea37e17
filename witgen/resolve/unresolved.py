"""The unresolved package: what the per-package resolver builds, before ids are global.

Input: filled in by `package_resolver.PackageResolver`. Output: read by `remap.PackageRemap`,
which appends the package to the global arenas. Invariants: every id is local to the
package (an index into its `interfaces`, `worlds` or `types`), foreign items first: the
first `n_foreign_*` entries are placeholders for the items of other packages that `use`,
`include` and imports name, bound by the remap. Types are in the package's topological
order. These records are mutable while the package is resolved, and are dropped once it
is appended.
"""

from __future__ import annotations

from witgen import model as m
from witgen._record import field, maker, record
from witgen.syntax import nodes as n

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Literal

    from witgen.text.source import Span

    # A local interface ("i", id) or world ("w", id): the owner of a type, or what a name
    # of a file refers to.
    ItemRef = tuple[Literal["i", "w"], int]


# A package's types and functions: one record per item of the package, so they are built
# with `new_unresolved_type` and `new_unresolved_function`, which skip `type.__call__`
# (every field given; see `_record.maker`).
@record(frozen=False, eq=False, kw_only=False)
class UnresolvedType:
    name: str | None
    kind: m.TypeDefKind | None  # None: a foreign placeholder (wit-parser's `Unknown`)
    owner: ItemRef | None
    docs: m.Docs
    stability: m.Stability
    span: Span
    # Record field spans, so that an error in one field points at it.
    field_spans: tuple[Span, ...]
    external_id: str | None


@record(frozen=False, eq=False, kw_only=False)
class UnresolvedFunction:
    name: str
    kind: m.FunctionKindName
    resource: int | None
    params: list[tuple[str, m.Type]]
    result: m.Type | None
    docs: m.Docs
    stability: m.Stability
    external_id: str | None
    span: Span


new_unresolved_type = maker(UnresolvedType)
new_unresolved_function = maker(UnresolvedFunction)


@record(frozen=False, eq=False, kw_only=False)
class UnresolvedInterface:
    name: str | None
    span: Span
    types: dict[str, int] = field(default_factory=dict)
    functions: dict[str, UnresolvedFunction] = field(default_factory=dict)
    docs: m.Docs = m.NO_DOCS
    stability: m.Stability = m.UNKNOWN


@record(frozen=False, eq=False, kw_only=False)
class UnresolvedWorldInterface:
    id: int
    docs: m.Docs
    stability: m.Stability
    external_id: str | None = None


UnresolvedWorldItem = UnresolvedWorldInterface | UnresolvedFunction | int  # int: a type id


@record(frozen=False, eq=False, kw_only=False)
class UnresolvedInclude:
    stability: m.Stability
    world: int
    names: tuple[n.IncludeName, ...]
    span: Span


@record(frozen=False, eq=False, kw_only=False)
class UnresolvedWorld:
    name: str
    span: Span
    # Keys: str names or ("i", local interface id).
    imports: list[tuple[str | tuple[str, int], UnresolvedWorldItem, Span]] = field(
        default_factory=list
    )
    exports: list[tuple[str | tuple[str, int], UnresolvedWorldItem, Span]] = field(
        default_factory=list
    )
    includes: list[UnresolvedInclude] = field(default_factory=list)
    docs: m.Docs = m.NO_DOCS
    stability: m.Stability = m.UNKNOWN
    # False once an item of the world failed (and was left out): a world that includes
    # this one would report the missing item again, so the remap skips such includes.
    complete: bool = True


@record(frozen=False, eq=False, kw_only=False)
class UnresolvedPackage:
    name: m.PackageName
    name_span: Span
    docs: m.Docs
    files: list[list[n.TopItem]]
    interfaces: list[UnresolvedInterface] = field(default_factory=list)
    worlds: list[UnresolvedWorld] = field(default_factory=list)
    types: list[UnresolvedType] = field(default_factory=list)
    # foreign package name → {item name → ("i"|"w", local id)}, in order of first use.
    foreign_deps: dict[m.PackageName, dict[str, tuple[str, int]]] = field(default_factory=dict)
    foreign_dep_spans: list[Span] = field(default_factory=list)
    foreign_item_spans: dict[tuple[str, int], Span] = field(default_factory=dict)
    # The gate on the first `use`/import naming each foreign item.
    foreign_item_stability: dict[tuple[str, int], m.Stability] = field(default_factory=dict)
    n_foreign_interfaces: int = 0
    n_foreign_worlds: int = 0
    n_foreign_types: int = 0
    # Local names of (interfaces, worlds) in package order.
    interface_names: dict[str, int] = field(default_factory=dict)
    world_names: dict[str, int] = field(default_factory=dict)
    # Handles to types that were not known to be resources at this stage.
    required_resource_types: list[tuple[int, Span]] = field(default_factory=list)
    # Local ids of the placeholders for types that failed (their errors are reported):
    # the remap leaves them out, and what refers to one stays silent.
    poisoned_types: set[int] = field(default_factory=set)
