"""The global arenas: the `Resolve` under construction, package after package.

Input: the packages appended by `remap.PackageRemap`, in dependency order, and the
active features. Output: one frozen `m.Resolve` (`freeze`). Invariants: the arenas hold
final `TypeDef`s and `Interface`s: the remap knows the ids a package's interfaces and
worlds will get before it allocates their types, so no type is rebuilt or patched
afterwards (the include cloner and the remap replace an interface only after first
storing a placeholder for its id); ids stay in topological order.
"""

from __future__ import annotations

from witgen import model as m
from witgen._record import field, record
from witgen.resolve.docs_and_gates import semver_key
from witgen.resolve.errors import assert_never, fail

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable

    from witgen.text.source import Span


@record(frozen=False, eq=False, kw_only=False)
class MutableWorld:
    """A world being built: its imports and exports grow as includes are merged, and are
    replaced when the world is elaborated; frozen into an `m.World` at the end."""

    name: str
    imports: dict[m.WorldKey, m.WorldItem]
    exports: dict[m.WorldKey, m.WorldItem]
    package: m.PackageId
    docs: m.Docs
    stability: m.Stability
    span: Span


@record(frozen=False, eq=False, kw_only=False)
class GlobalArenas:
    """The arenas of the `Resolve` being built, and the packages added so far."""

    features: Callable[[str], bool]
    types: list[m.TypeDef] = field(default_factory=list)
    interfaces: list[m.Interface] = field(default_factory=list)
    worlds: list[MutableWorld] = field(default_factory=list)
    packages: list[m.Package] = field(default_factory=list)
    package_names: dict[m.PackageName, m.PackageId] = field(default_factory=dict)
    # Every package of this load, added or not yet (listed when a dependency is missing).
    all_names: list[m.PackageName] = field(default_factory=list)
    # `interface_direct_deps` by interface id, with the `Interface` it was computed from:
    # an entry whose interface has since been replaced in `interfaces` is stale.
    direct_deps: dict[m.InterfaceId, tuple[m.Interface, tuple[m.InterfaceId, ...]]] = field(
        default_factory=dict
    )

    def alloc_type(self, t: m.TypeDef) -> m.TypeId:
        self.types.append(t)
        return m.TypeId(len(self.types) - 1)

    def include_stability(self, stability: m.Stability, pkg: m.PackageName, span: Span) -> bool:
        match stability:
            case m.Unknown():
                return True
            case m.Stable(since=since):
                if pkg.version is None:
                    raise fail(
                        "WIT306",
                        f"package [{pkg}] contains a feature gate with a version specifier, so it "
                        "must have a version",
                        span,
                    )
                if semver_key(since) > semver_key(pkg.version):
                    raise fail(
                        "WIT306",
                        f"feature gate cannot reference unreleased version {since} of package "
                        f"[{pkg}] (current version {pkg.version})",
                        span,
                    )
                return True
            case m.Unstable(feature=feature):
                return self.features(feature)
            case _:
                assert_never(stability)

    def interface_direct_deps(self, iid: m.InterfaceId) -> tuple[m.InterfaceId, ...]:
        """The interfaces whose types `iid` uses, once per type, in the order of its types.

        Memoised for the elaboration of worlds, which runs once every type of the package
        has its owner: from then on the result depends only on the `Interface` object (a
        type's kind and owner no longer change), so an entry is reused while
        `interfaces[iid]` is still that object (`append` and the include cloner replace
        interfaces after first storing a placeholder).
        """
        iface = self.interfaces[iid]
        hit = self.direct_deps.get(iid)
        if hit is not None and hit[0] is iface:
            return hit[1]
        deps = tuple(
            dep for _name, tid in iface.types if (dep := self.type_interface_dep(tid)) is not None
        )
        self.direct_deps[iid] = (iface, deps)
        return deps

    def type_interface_dep(self, tid: m.TypeId) -> m.InterfaceId | None:
        t = self.types[tid]
        if not isinstance(t.kind, m.Alias) or isinstance(t.kind.type, str):
            return None
        other = self.types[t.kind.type]
        if other.owner == t.owner:
            return None
        if isinstance(other.owner, m.OwnerInterface):
            return other.owner.id
        return None

    def freeze(self, main: m.PackageId | None, group: tuple[m.PackageId, ...]) -> m.Resolve:
        return m.Resolve(
            packages=tuple(self.packages),
            interfaces=tuple(self.interfaces),
            worlds=tuple(
                m.World(
                    name=w.name,
                    imports=tuple(w.imports.items()),
                    exports=tuple(w.exports.items()),
                    package=w.package,
                    docs=w.docs,
                    stability=w.stability,
                    span=w.span,
                )
                for w in self.worlds
            ),
            types=tuple(self.types),
            main=main,
            main_group=group,
        )
