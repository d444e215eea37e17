"""The Markdown pages, printed from their view models.

Input: a `viewmodels.Index` or `viewmodels.Package`. Output: the text of the page.

Invariants: nothing is decided here. Every name, link, signature and doc arrives as
Markdown that `assembly.py` built and `escape.py` escaped; these functions only lay it out,
with loops over the view models' tuples and ifs on their fields, as a template would. They
are plain Python because with Jinja, importing it cost `witgen docs` two thirds of a whole
`witgen check` run, and compiling the templates (when not cached) a third more. Each block
ends with the blank line that separates it from the next; the page ends in exactly one
newline.
"""

from __future__ import annotations

from witgen.codegen.markdown import viewmodels as vm


def index(page: vm.Index) -> str:
    """`index.md`: every package, with its interfaces and worlds."""
    out = [f"{page.header}\n\n# {page.title}\n\n"]
    for package in page.packages:
        out.append(f"- Package {package.link}{_summary(package.summary)}\n")
        out += [f"  - {_entry(entry)}\n" for entry in package.items]
    return _page(out)


def package(page: vm.Package) -> str:
    """One package's page: its contents, then each interface and each world."""
    out = [f"{page.header}\n\n", _anchor(page.anchor), f"# Package {page.title}\n\n"]
    out.append(f"[Index]({page.index_link})\n\n")
    _docs(out, page.docs)
    if page.contents:
        out += [f"- {_entry(entry)}\n" for entry in page.contents]
        out.append("\n")
    for interface in page.interfaces:
        _interface(out, interface)
    for world in page.worlds:
        _world(out, world)
    return _page(out)


def _interface(out: list[str], interface: vm.Interface) -> None:
    out.append(_anchor(interface.anchor))
    out.append(f"{interface.heading} {interface.label} {interface.title}\n\n")
    _badges(out, interface.badges)
    _docs(out, interface.docs)
    _python(out, interface.python)
    if interface.types:
        out.append(f"{interface.section} Types\n\n")
        for type in interface.types:
            _type(out, type)
    if interface.functions:
        out.append(f"{interface.section} Functions\n\n")
        for function in interface.functions:
            _function(out, function)


def _type(out: list[str], type: vm.Type) -> None:
    out.append(_anchor(type.anchor))
    out.append(f"{type.heading} {type.label} {type.name}\n\n")
    _badges(out, type.badges)
    if type.defined_at:
        out.append(f"Defined in {type.defined_at}.\n\n")
    _docs(out, type.docs)
    out.append(f"{type.definition}\n\n")
    if type.members:
        out.append(f"{type.members_title}:\n\n")
        for member in type.members:
            out.append(f"- {member.name}: {member.type}\n" if member.type else f"- {member.name}\n")
            if member.docs is not None:
                out.append(f"\n{member.docs}\n\n")
        out.append("\n")
    if type.used_by:
        out.append(f"Used by: {type.used_by}\n\n")
    _python(out, type.python)
    for function in type.functions:
        _function(out, function)


def _function(out: list[str], function: vm.Function) -> None:
    out.append(_anchor(function.anchor))
    title = f" {function.title}" if function.title else ""
    out.append(f"{function.heading} {function.label}{title}\n\n")
    _badges(out, function.badges)
    out.append(f"{function.signature}\n\n")
    _docs(out, function.docs)
    if function.references:
        out.append(f"Types: {function.references}\n\n")
    _python(out, function.python)


def _world(out: list[str], world: vm.World) -> None:
    out.append(_anchor(world.anchor))
    out.append(f"## World {world.title}\n\n")
    _badges(out, world.badges)
    _docs(out, world.docs)
    out.append(f"{world.diagram}\n\n")
    for listing in world.listings:
        out.append(f"### {listing.title}\n\n")
        for item in listing.items:
            badges = f" {item.badges}" if item.badges else ""
            out.append(f"- {item.label} {item.link}{badges}{_summary(item.summary)}\n")
        out.append("\n")
    if world.types:
        out.append("### Types\n\n")
        for type in world.types:
            _type(out, type)
    if world.functions:
        out.append("### Functions\n\n")
        for function in world.functions:
            _function(out, function)
    for interface in world.inline:
        _interface(out, interface)


def _python(out: list[str], names: tuple[vm.Binding, ...]) -> None:
    if names:
        out.append("Python:\n\n")
        out += [f"- {n.side} bindings of world {n.world}: {n.name}\n" for n in names]
        out.append("\n")


def _anchor(anchor: str) -> str:
    return f'<a id="{anchor}"></a>\n'


def _badges(out: list[str], badges: str) -> None:
    if badges:
        out.append(f"{badges}\n\n")


def _docs(out: list[str], docs: str | None) -> None:
    """A doc's block: None for no doc ("" is a doc that escaped to nothing: a blank line)."""
    if docs is not None:
        out.append(f"{docs}\n\n")


def _entry(entry: vm.Entry) -> str:
    return f"{entry.label} {entry.link}{_summary(entry.summary)}"


def _summary(summary: str | None) -> str:
    """What follows a linked name in a list: `: ` and its summary, when it has docs."""
    return "" if summary is None else f": {summary}"


def _page(out: list[str]) -> str:
    return "".join(out).rstrip("\n") + "\n"
