"""The frozen view models of the Markdown templates (`templates/markdown/`), one per template.

Input: built by `assembly.py`. Output: read by the templates, which print them. Invariants:
every decision is made before a template runs; the models hold strings, booleans and
tuples only, never model objects or ids. WIT names, signatures and docs are raw text here:
templates put them on the page only through the `md_*` filters, which escape them. Links
(`href`) and anchors are built by `locations.py` and are `[a-z0-9.#-]` text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """A WIT name, linked to where it is documented (`href` None: not documented here)."""

    text: str
    href: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PythonName:
    """What the Python bindings of one world call an item: `side` is `host` or `guest`."""

    side: str
    world: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """A field, case or flag: its name, its type (a WIT spelling, or None), its docs."""

    name: str
    type: str | None
    docs: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Function:
    """`function.j2`: a function, method, static function or constructor. `heading` is the
    Markdown heading marker of its level, `label` its kind as the heading shows it."""

    anchor: str
    heading: str
    title: str
    label: str
    badges: tuple[str, ...]
    signature: str
    docs: str | None
    references: tuple[Link, ...]
    python: tuple[PythonName, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Type:
    """`type.j2`: a named type. `defined_at` is set for a `use` of a type defined in another
    interface; a resource has its constructor, methods and static functions."""

    anchor: str
    heading: str
    name: str
    label: str
    badges: tuple[str, ...]
    docs: str | None
    definition: str
    defined_at: Link | None
    members_title: str
    members: tuple[Member, ...]
    constructor: Function | None
    methods: tuple[Function, ...]
    statics: tuple[Function, ...]
    used_by: tuple[Link, ...]
    python: tuple[PythonName, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Interface:
    """`interface.j2`: a named interface, or a world's inline one; `heading` is the marker
    of its heading and `section` that of its groups (types, functions)."""

    anchor: str
    heading: str
    section: str
    label: str
    title: str
    badges: tuple[str, ...]
    docs: str | None
    types: tuple[Type, ...]
    functions: tuple[Function, ...]
    python: tuple[PythonName, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class WorldItem:
    """An import or export of a world: an interface (linked) or a function, with its WIT
    line; `inline` is set for an interface declared in the world itself."""

    link: Link
    label: str
    badges: tuple[str, ...]
    summary: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class World:
    """`world.j2`: a world, what it imports and exports (includes already resolved), its
    own types and functions, its inline interfaces, and a Mermaid diagram of it."""

    anchor: str
    title: str
    badges: tuple[str, ...]
    docs: str | None
    imports: tuple[WorldItem, ...]
    exports: tuple[WorldItem, ...]
    diagram: str
    types: tuple[Type, ...]
    functions: tuple[Function, ...]
    inline: tuple[Interface, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """A line of a table of contents: a linked name and the first paragraph of its docs."""

    link: Link
    label: str
    summary: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Package:
    """`package.md.j2`: one package's page."""

    header: str
    anchor: str
    title: str
    docs: str | None
    index_link: str
    contents: tuple[Entry, ...]
    interfaces: tuple[Interface, ...]
    worlds: tuple[World, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexPackage:
    """A package in `index.md`: its link, summary, interfaces and worlds."""

    link: Link
    summary: str | None
    items: tuple[Entry, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Index:
    """`index.md.j2`: every documented package, its interfaces and worlds."""

    header: str
    title: str
    packages: tuple[IndexPackage, ...]
