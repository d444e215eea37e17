"""The packages of each group, their order, and the entry point `resolve()`.

Input: the package `Group`s read by `loader.py` (root first), the `SourceMap`, and the
active features. Output: one frozen `m.Resolve` holding every package in dependency
order, or a `WitError` with every error found: those of each package on its own, in the
order the groups were read, then those met while the packages are ordered and appended.

As wit-parser: every group yields its packages (the files' `package x;` header plus any
nested `package y { ... }` blocks), and each package is resolved on its own
(`package_resolver.py`), in the order the groups were read; then the packages are
checked for duplicates and ordered by a depth-first walk over their names in sorted
order, visiting dependencies first; each is then appended to the global arenas
(`remap.py`). Invariants: the first error reported is the one wit-parser reports; no
reference cycle is left behind (`api.load` runs this with the cyclic collector off).

After an error the other packages go on: a package with errors of its own is still
appended (to report the remap's errors), but a package that depends on one with errors,
or on a cycle, is not (its errors there could repeat the other package's).
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
    from witgen.text.diagnostics import Diagnostic
    from witgen.text.source import SourceMap


def _package_name(p: n.PackageName) -> m.PackageName:
    return m.PackageName(namespace=p.namespace.name, name=p.name.name, version=p.version)


def _split_packages(
    group: Group, errors: list[Diagnostic], failed: set[m.PackageName]
) -> tuple[list[UnresolvedPackage], UnresolvedPackage | None, Diagnostic | None]:
    """The packages a group defines: its nested packages and its main package, and the
    error for a group without a `package` header (wit-parser reports it after the
    nested packages' errors).

    Other errors are added to `errors`. The main package is None if no file has a
    header, or if two headers disagree (which package an item belongs to is then
    unknown: only the first header that disagrees is reported, and every name the
    headers give is added to `failed`); a package nested in a nested package is left
    out.
    """
    header: n.PackageDecl | None = None
    mismatch = False
    documented: n.PackageDecl | None = None  # the first header with doc comments
    documented_at = Span.UNKNOWN
    main_files: list[list[n.TopItem]] = []
    nested: list[UnresolvedPackage] = []
    for f in group.files:
        if f.package is not None:
            if header is not None and _package_name(header.name) != _package_name(f.package.name):
                failed.add(_package_name(f.package.name))
                if not mismatch:
                    errors.append(
                        error(
                            "WIT207",
                            f"package identifier `{_package_name(f.package.name)}` does not "
                            f"match previous package name of `{_package_name(header.name)}`",
                            f.package.name.span,
                        )
                    )
                mismatch = True
            else:
                if header is None or not header.docs.comments:
                    header = f.package if header is None or f.package.docs.comments else header
                if docs_of(f.package.docs).contents is not None:
                    if documented is None:
                        documented, documented_at = f.package, _docs_span(f, f.package)
                    elif not mismatch:
                        # Only one header may carry the package's docs (wit-parser checks
                        # this after the name, file by file).
                        failed.add(_package_name(f.package.name))
                        errors.append(
                            error(
                                "WIT105",
                                "found doc comments on multiple 'package' items",
                                _docs_span(f, f.package),
                                Note("the package's docs are here", documented_at),
                            )
                        )
        items: list[n.TopItem] = []
        for item in f.items:
            if isinstance(item, n.NestedPackage):
                deeper = [x for x in item.items if isinstance(x, n.NestedPackage)]
                errors.extend(
                    error(
                        "WIT105",
                        "nested packages must be placed at the top-level",
                        inner.decl.name.span,
                    )
                    for inner in deeper
                )
                nested.append(
                    UnresolvedPackage(
                        name=_package_name(item.decl.name),
                        name_span=item.decl.name.span,
                        docs=docs_of(item.decl.docs),
                        files=[[x for x in item.items if not isinstance(x, n.NestedPackage)]],
                    )
                )
            else:
                items.append(item)
        main_files.append(items)
    if header is None:
        # Nested packages alone do not make a package: wit-parser wants a header too.
        no_header = "no `package` header was found in any WIT file for this package"
        return nested, None, error("WIT206", no_header, Span.UNKNOWN)
    if mismatch:
        failed.add(_package_name(header.name))
        return nested, None, None
    main = UnresolvedPackage(
        name=_package_name(header.name),
        name_span=header.name.span,
        docs=docs_of((documented or header).docs),
        files=main_files,
    )
    return nested, main, None


def _docs_span(f: n.File, decl: n.PackageDecl) -> Span:
    """Where the doc comments of `decl` are, as wit-parser shows them: from the first one
    to the end of the last (less trailing blanks). They are the file's last comments
    before the `package` keyword."""
    before = [c for c in f.comments if c.span.end <= decl.span.start]
    docs = before[-len(decl.docs.comments) :]
    last = docs[-1]
    return Span(docs[0].span.start, last.span.start + len(last.text.rstrip()))


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


def resolve(
    groups: list[Group], sources: SourceMap, features: object, *, release: bool = False
) -> m.Resolve:
    """Resolve every package of `groups` (root first) into one `Resolve`.

    `release=True` hands the trees over: once each package has been read from them (before
    the model is built, which is when memory peaks), `groups` is emptied, so that trees
    nobody else holds are freed. The peak is then the trees or the model, not both."""
    active: Callable[[str], bool] = getattr(features, "active", lambda _f: False)
    try:
        return _resolve_groups(groups, active, lambda sp: _locate(sources, sp), release)
    except ResolveError as e:
        raise WitError((e.diag,), sources) from None
    except ResolveErrors as e:
        raise WitError(tuple(e.diags), sources) from None


def _visit_package(
    root: m.PackageName,
    deps_of: dict[m.PackageName, list[tuple[m.PackageName, Span]]],
    order: dict[m.PackageName, None],
    visiting: set[m.PackageName],
    errors: list[Diagnostic],
    in_cycle: set[m.PackageName],
) -> None:
    """Add `root` to `order` after the packages it depends on (depth first).

    A dependency that closes a cycle is reported and not followed, and the package that
    names it is added to `in_cycle`. The walk keeps its own stack (a chain of dependencies
    may be thousands of packages long); each frame is a package and the index of its next
    dependency, and every package below the root is in `visiting` while its frame is open.
    """
    if root in order:
        return
    stack: list[tuple[m.PackageName, int]] = [(root, 0)]
    while stack:
        name, next_dep = stack[-1]
        deps = deps_of[name]
        if next_dep == len(deps):
            stack.pop()
            order[name] = None
            if stack:
                visiting.discard(name)
            continue
        stack[-1] = (name, next_dep + 1)
        dep, span = deps[next_dep]
        if dep in visiting:
            errors.append(error("WIT300", f"package `{dep}` creates a dependency cycle", span))
            in_cycle.add(name)
        elif dep in deps_of and dep not in order:
            visiting.add(dep)
            stack.append((dep, 0))


def _resolve_groups(
    groups: list[Group],
    active: Callable[[str], bool],
    locate: Callable[[Span], str],
    release: bool = False,
) -> m.Resolve:
    # As wit-parser: every group is parsed and resolved on its own first (errors in the
    # order groups are read), then packages are checked for duplicates and sorted.
    errors: list[Diagnostic] = []
    # Packages with errors: those that depend on one are not appended.
    failed: set[m.PackageName] = set()
    parsed: list[tuple[bool, list[UnresolvedPackage], UnresolvedPackage | None]] = []
    for group in groups:
        try:
            _check_nesting(group)
        except ResolveError as e:
            errors.append(e.diag)  # what is nested that deep is not looked into
            continue
        nested, main, no_header = _split_packages(group, errors, failed)
        for pkg in [*nested, *([main] if main is not None else [])]:
            found = PackageResolver(pkg).run()
            if found:
                errors += found
                failed.add(pkg.name)
        if no_header is not None:
            errors.append(no_header)
        parsed.append((group.is_root, nested, main))
    if release:
        # Every package has been read from its files: the trees are no longer needed.
        for _, nested, main in parsed:
            for pkg in [*nested, *([main] if main is not None else [])]:
                pkg.files = []
        groups.clear()
    details: dict[m.PackageName, UnresolvedPackage] = {}
    main_names: list[m.PackageName] = []
    root_main: m.PackageName | None = None
    for is_root, nested, main in parsed:
        for pkg in [*nested, *([main] if main is not None else [])]:
            prev = details.get(pkg.name)
            if prev is not None:
                # The first definition is the package, this one is left out, and the
                # packages that use the name are not appended (which one they mean is not
                # known).
                failed.add(pkg.name)
                here, there = locate(pkg.name_span), locate(prev.name_span)
                errors.append(
                    error(
                        "WIT207",
                        f"package `{pkg.name}` is defined in two different locations:\n"
                        f"  * {here}\n  * {there}",
                        pkg.name_span,
                        Note("first defined here", prev.name_span),
                    )
                )
                continue
            details[pkg.name] = pkg
            if is_root:
                main_names.append(pkg.name)
        if is_root and main is not None:
            root_main = main.name
    deps_of = {
        name: list(zip(pkg.foreign_deps, pkg.foreign_dep_spans, strict=True))
        for name, pkg in details.items()
    }
    order: dict[m.PackageName, None] = {}
    visiting: set[m.PackageName] = set()
    in_cycle: set[m.PackageName] = set()
    for name in sorted(details, key=package_sort_key):
        _visit_package(name, deps_of, order, visiting, errors, in_cycle)
    failed |= in_cycle
    arenas = GlobalArenas(features=active, all_names=list(details))
    main_id: m.PackageId | None = None
    group_ids: list[m.PackageId] = []
    for name in order:
        # The order visits dependencies first, so a package after one that failed is
        # skipped too. A package in a cycle is not appended: a dependency is missing.
        if name in in_cycle or any(dep in failed for dep, _ in deps_of[name]):
            failed.add(name)
            continue
        remap = PackageRemap(arenas, details[name])
        pid = remap.append()
        if remap.errors:
            errors += remap.errors
            failed.add(name)
        if name == root_main:
            main_id = pid
        if name in main_names:
            group_ids.append(pid)
    if errors:
        raise ResolveErrors(errors)
    return arenas.freeze(main_id, tuple(group_ids))
