"""The packages of each group, their order, and the entry point `resolve()`.

Input: the package `Group`s read by `loader.py` (root first), the `SourceMap`, and the
active features. Output: one frozen `m.Resolve` holding every package in dependency
order, or a `WitError`: every error of the first package that fails on its own, else the
first error met while the packages are ordered and appended.

As wit-parser: every group yields its packages (the files' `package x;` header plus any
nested `package y { ... }` blocks), and each package is resolved on its own
(`package_resolver.py`), in the order the groups were read; then the packages are
checked for duplicates and ordered by a depth-first walk over their names in sorted
order, visiting dependencies first; each is then appended to the global arenas
(`remap.py`). Invariants: the first error reported is the one wit-parser reports; no
reference cycle is left behind (`api.load` runs this with the cyclic collector off).
"""

from __future__ import annotations

from witgen import model as m
from witgen.resolve.docs_and_gates import docs_of, package_sort_key
from witgen.resolve.errors import ResolveError, ResolveErrors, fail
from witgen.resolve.global_arenas import GlobalArenas
from witgen.resolve.package_resolver import PackageResolver
from witgen.resolve.remap import PackageRemap
from witgen.resolve.unresolved import UnresolvedPackage
from witgen.syntax import nodes as n
from witgen.text.diagnostics import Note, WitError, error
from witgen.text.source import Span

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable

    from witgen.loading.loader import Group
    from witgen.text.source import SourceMap


def _package_name(p: n.PackageName) -> m.PackageName:
    return m.PackageName(namespace=p.namespace.name, name=p.name.name, version=p.version)


def _split_packages(group: Group) -> tuple[list[UnresolvedPackage], UnresolvedPackage]:
    """The packages a group defines: its nested packages and its main package."""
    header: n.PackageDecl | None = None
    main_files: list[list[n.TopItem]] = []
    nested: list[UnresolvedPackage] = []
    for f in group.files:
        if f.package is not None:
            if header is not None and _package_name(header.name) != _package_name(f.package.name):
                raise fail(
                    "WIT207",
                    f"package identifier `{_package_name(f.package.name)}` does not match previous "
                    f"package name of `{_package_name(header.name)}`",
                    f.package.name.span,
                )
            if header is None or not header.docs.comments:
                header = f.package if header is None or f.package.docs.comments else header
        items: list[n.TopItem] = []
        for item in f.items:
            if isinstance(item, n.NestedPackage):
                for inner in item.items:
                    if isinstance(inner, n.NestedPackage):
                        raise fail(
                            "WIT105",
                            "nested packages must be placed at the top-level",
                            inner.decl.name.span,
                        )
                nested.append(
                    UnresolvedPackage(
                        name=_package_name(item.decl.name),
                        name_span=item.decl.name.span,
                        docs=docs_of(item.decl.docs),
                        files=[list(item.items)],
                    )
                )
            else:
                items.append(item)
        main_files.append(items)
    if header is None:
        # Nested packages alone do not make a package: wit-parser wants a header too.
        raise fail(
            "WIT206", "no `package` header was found in any WIT file for this package", Span.UNKNOWN
        )
    main = UnresolvedPackage(
        name=_package_name(header.name),
        name_span=header.name.span,
        docs=docs_of(header.docs),
        files=main_files,
    )
    return nested, main


def _check_nesting(group: Group) -> None:
    for f in group.files:
        for item in f.items:
            if isinstance(item, n.NestedPackage):
                _nesting_depth(item, 1)


def _nesting_depth(p: n.NestedPackage, depth: int) -> None:
    if depth > 100:
        raise fail(
            "WIT105", "package nesting too deep", Span(p.decl.span.start, p.decl.span.start + 7)
        )
    for inner in p.items:
        if isinstance(inner, n.NestedPackage):
            _nesting_depth(inner, depth + 1)


def _locate(sources: SourceMap, span: Span) -> str:
    if not span.known or not sources.files:
        return "<unknown>"
    loc = sources.locate(span.start)
    return f"{loc.path}:{loc.line}:{loc.column}"


def resolve(groups: list[Group], sources: SourceMap, features: object) -> m.Resolve:
    """Resolve every package of `groups` (root first) into one `Resolve`."""
    active: Callable[[str], bool] = getattr(features, "active", lambda _f: False)
    try:
        return _resolve_groups(groups, active, lambda sp: _locate(sources, sp))
    except ResolveError as e:
        raise WitError((e.diag,), sources) from None
    except ResolveErrors as e:
        raise WitError(tuple(e.diags), sources) from None
    except RecursionError:
        raise WitError(
            (error("WIT313", "type nested too deeply", Span.UNKNOWN),), sources
        ) from None


def _visit_package(
    name: m.PackageName,
    deps_of: dict[m.PackageName, list[tuple[m.PackageName, Span]]],
    order: dict[m.PackageName, None],
    visiting: set[m.PackageName],
) -> None:
    """Add `name` to `order` after the packages it depends on (depth first).

    A module function, not a closure: a recursive closure is a reference cycle, which
    would keep every package's syntax and tables alive until the next garbage collection.
    """
    if name in order:
        return
    for dep, span in deps_of[name]:
        if dep in visiting:
            raise fail("WIT300", f"package `{dep}` creates a dependency cycle", span)
        if dep in deps_of:
            visiting.add(dep)
            _visit_package(dep, deps_of, order, visiting)
            visiting.discard(dep)
    order[name] = None


def _resolve_groups(
    groups: list[Group], active: Callable[[str], bool], locate: Callable[[Span], str]
) -> m.Resolve:
    # As wit-parser: every group is parsed and resolved on its own first (errors in the
    # order groups are read), then packages are checked for duplicates and sorted.
    parsed: list[tuple[Group, list[UnresolvedPackage], UnresolvedPackage]] = []
    for group in groups:
        _check_nesting(group)
        nested, main = _split_packages(group)
        for pkg in [*nested, main]:
            PackageResolver(pkg).run()
        parsed.append((group, nested, main))
    details: dict[m.PackageName, UnresolvedPackage] = {}
    main_names: list[m.PackageName] = []
    root_main: m.PackageName | None = None
    for group, nested, main in parsed:
        for pkg in [*nested, main]:
            prev = details.get(pkg.name)
            if prev is not None:
                here, there = locate(pkg.name_span), locate(prev.name_span)
                raise fail(
                    "WIT207",
                    f"package `{pkg.name}` is defined in two different locations:\n"
                    f"  * {here}\n  * {there}",
                    pkg.name_span,
                    Note("first defined here", prev.name_span),
                )
            details[pkg.name] = pkg
            if group.is_root:
                main_names.append(pkg.name)
        if group.is_root:
            root_main = main.name
    deps_of = {
        name: list(zip(pkg.foreign_deps, pkg.foreign_dep_spans, strict=True))
        for name, pkg in details.items()
    }
    order: dict[m.PackageName, None] = {}
    visiting: set[m.PackageName] = set()
    for name in sorted(details, key=package_sort_key):
        _visit_package(name, deps_of, order, visiting)
    arenas = GlobalArenas(features=active, all_names=list(details))
    main_id: m.PackageId | None = None
    group_ids: list[m.PackageId] = []
    for name in order:
        pid = PackageRemap(arenas, details[name]).append()
        if name == root_main:
            main_id = pid
        if name in main_names:
            group_ids.append(pid)
    return arenas.freeze(main_id, tuple(group_ids))
