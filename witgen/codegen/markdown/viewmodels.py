"""The frozen view models of the Markdown pages, one per part of a page.

Input: built by `assembly.py`. Output: read by `pages.py`, which prints them. Invariants:
every decision is made before a page is printed, and every string is Markdown ready to
print: WIT names, signatures, links and docs were escaped by `escape.py` when the model was
built (a name as a code span, a definition as a fenced block, a doc as a block that cannot
break the page), so `pages.py` puts them on the page as they are. The
models hold strings, booleans and tuples only, never model objects or ids. A doc is None
when the item has none (an empty string is a doc that escaped to nothing, which the page
still gives its paragraph). Anchors are built by `locations.py` and are `[a-z0-9-]` text.
"""

from __future__ import annotations

from witgen._record import record


@record
class Binding:
    """What the Python bindings of one world call an item: `side` is `host` or `guest`,
    `world` and `name` code spans."""

    side: str
    world: str
    name: str


@record
class Member:
    """A field, case or flag: its name, its type ("" for none) and its docs, indented to
    sit under the member's list item."""

    name: str
    type: str
    docs: str | None


@record
class Function:
    """A function, method, static function or constructor. `heading` is the
    Markdown heading marker of its level, `label` its kind as the heading shows it, `title`
    its name ("" for a constructor); `badges` the line of its gates ("" for none);
    `references` the linked types of its signature ("" for none)."""

    anchor: str
    heading: str
    label: str
    title: str
    badges: str
    signature: str
    docs: str | None
    references: str
    python: tuple[Binding, ...]


@record
class Type:
    """A named type. `defined_at` links the definition of a `use` of a type
    defined in another interface ("" otherwise); `functions` are a resource's constructor,
    methods and static functions, in that order; `used_by` links what mentions the type
    ("" for nothing)."""

    anchor: str
    heading: str
    label: str
    name: str
    badges: str
    defined_at: str
    docs: str | None
    definition: str
    members_title: str
    members: tuple[Member, ...]
    used_by: str
    python: tuple[Binding, ...]
    functions: tuple[Function, ...]


@record
class Interface:
    """A named interface, or a world's inline one; `heading` is the marker
    of its heading and `section` that of its groups (types, functions)."""

    anchor: str
    heading: str
    section: str
    label: str
    title: str
    badges: str
    docs: str | None
    python: tuple[Binding, ...]
    types: tuple[Type, ...]
    functions: tuple[Function, ...]


@record
class WorldItem:
    """An import or export of a world: an interface (linked) or a function, with its gates
    as code spans after it ("" for none) and the summary of its docs."""

    label: str
    link: str
    badges: str
    summary: str | None


@record
class Listing:
    """A world's imports or exports (`title`), never empty."""

    title: str
    items: tuple[WorldItem, ...]


@record
class World:
    """A world, a Mermaid diagram of it, what it imports and exports (includes
    already resolved; a listing only for a side that has items), its own types and
    functions, and its inline interfaces."""

    anchor: str
    title: str
    badges: str
    docs: str | None
    diagram: str
    listings: tuple[Listing, ...]
    types: tuple[Type, ...]
    functions: tuple[Function, ...]
    inline: tuple[Interface, ...]


@record
class Entry:
    """A line of a table of contents: a linked name and the first paragraph of its docs."""

    label: str
    link: str
    summary: str | None


@record
class Package:
    """One package's page."""

    header: str
    anchor: str
    title: str
    index_link: str
    docs: str | None
    contents: tuple[Entry, ...]
    interfaces: tuple[Interface, ...]
    worlds: tuple[World, ...]


@record
class IndexPackage:
    """A package in `index.md`: its link, summary, interfaces and worlds."""

    link: str
    summary: str | None
    items: tuple[Entry, ...]


@record
class Index:
    """`index.md`: every documented package, its interfaces and worlds."""

    header: str
    title: str
    packages: tuple[IndexPackage, ...]
