"""Entry points of the Markdown generator: what to document, and the pages.

Input: a `model.Resolve` and `DocsOptions`. Output: `generate` returns the pages, by path
relative to the output directory: `index.md` and one page per documented package.

Invariants: the pages depend on the model and the options alone (model order, no sets,
`\\n` line endings), so the same input gives the same bytes; every page starts with the
generated-file comment; an anchor appears once per page and every relative link names a
page of the same output and an anchor on it (see `locations.py`).
"""

from __future__ import annotations

from witgen import model as m
from witgen._record import record
from witgen.codegen.markdown import pages
from witgen.codegen.markdown.assembly import INDEX, Assembly
from witgen.codegen.markdown.locations import Locations, Selection
from witgen.model.kinds import referenced_types
from witgen.resolve.errors import assert_never


@record
class DocsOptions:
    """Options of `generate`."""

    # Document only what this world reaches (its package, the interfaces it imports and
    # exports and those their types come from); None for everything.
    world: m.WorldId | None = None
    # Document the main package (and the others of its file) only, not its dependencies.
    no_deps: bool = False
    # Show the Python names the host and guest bindings give each item.
    python: bool = False


def select(resolve: m.Resolve, options: DocsOptions) -> Selection:
    """The packages, interfaces and worlds to document."""
    packages = set(range(len(resolve.packages)))
    if options.no_deps and resolve.main is not None:
        packages = set(resolve.main_group or (resolve.main,))
    interfaces = {
        m.InterfaceId(i)
        for i, iface in enumerate(resolve.interfaces)
        if iface.name is not None and iface.package in packages
    }
    worlds = {m.WorldId(i) for i, w in enumerate(resolve.worlds) if w.package in packages}
    if options.world is not None:
        reached = reached_interfaces(resolve, options.world)
        interfaces &= reached
        worlds &= {options.world}
        owners = {resolve.interfaces[i].package for i in interfaces}
        owners.add(resolve.worlds[options.world].package)
        packages &= {p for p in owners if p is not None}
    return Selection(
        packages=tuple(m.PackageId(p) for p in sorted(packages)),
        interfaces=frozenset(interfaces),
        worlds=frozenset(worlds),
    )


def reached_interfaces(resolve: m.Resolve, wid: m.WorldId) -> set[m.InterfaceId]:
    """The named interfaces a world imports or exports, and those defining a type its items
    reach (wit-parser already adds those to its imports; this holds for decoded worlds too)."""
    world = resolve.worlds[wid]
    out: set[m.InterfaceId] = set()
    roots: list[m.Type | None] = []
    pending: list[m.InterfaceId] = []
    for _, item in (*world.imports, *world.exports):
        match item:
            case m.WorldInterface(id=iid):
                pending.append(iid)
            case m.WorldFunction(function=f):
                roots += [*(p.type for p in f.params), f.result]
            case m.WorldType(id=tid):
                roots.append(tid)
            case _:
                assert_never(item)
    seen: set[m.TypeId] = set()
    while pending or roots:
        while pending:
            iid = pending.pop()
            if iid in out:
                continue
            iface = resolve.interfaces[iid]
            if iface.name is not None:
                out.add(iid)
            roots += [tid for _, tid in iface.types]
            for _, f in iface.functions:
                roots += [*(p.type for p in f.params), f.result]
        ty = roots.pop() if roots else None
        if ty is None or isinstance(ty, str) or ty in seen:
            continue
        seen.add(ty)
        owner = resolve.types[ty].owner
        if isinstance(owner, m.OwnerInterface):
            pending.append(owner.id)
        roots.extend(referenced_types(resolve.types[ty].kind))
    return out


def generate(resolve: m.Resolve, options: DocsOptions | None = None) -> dict[str, str]:
    """The pages by relative POSIX path: `index.md` first, then one per documented package
    in arena order."""
    opts = options or DocsOptions()
    selection = select(resolve, opts)
    locations = Locations(resolve, selection)
    python = None
    if opts.python:
        from witgen.codegen.markdown.python_names import PythonNames

        python = PythonNames(resolve, selection, opts.world)
    assembly = Assembly(resolve, selection, locations, python)
    files = {INDEX: pages.index(assembly.index())}
    for pid in selection.packages:
        files[locations.page_of_package(pid)] = pages.package(assembly.package(pid))
    return files
