"""Where each documented item lives: the file of its package and its anchor there.

Input: a `model.Resolve` and the `Selection` of what is documented. Output: a `Locations`
answering, for a package, interface, world, type or function, the page that documents it
and its anchor, and the relative link to it from another page (None when it is not
documented, so callers write its name without a link).

Invariants:
- A page is named after its package: `ns-name-version.md`, lowercase `[a-z0-9.-]`; two
  packages that would share a name (a namespace with a hyphen, names differing in case)
  get a short hash of their full name appended. `index.md` cannot be taken: a package's
  name always has a hyphen in it.
- An anchor is the item's path, its levels joined by `--`: namespace, package, interface or
  world, then the item and its member (`wasi--clocks--wall-clock--now`,
  `wasi--io--poll--pollable--block`). A WIT name has no `--` in it, so the levels can be
  told apart, and each kind has a fixed depth: a world's own items sit under a side level
  (`import`, `export`), and a constructor under the level `-constructor`, which no name
  can be. Names are unique up to case in their scope, so lowercasing keeps them apart; an
  anchor is still checked to be unique on its page, and a clash (a decoded binary with odd
  names) gets a level of digits, which no name starts with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from witgen import model as m
from witgen._record import record

# What a function is keyed by: the interface or (world, side) that holds it, and its name.
FunctionKey = tuple[m.InterfaceId, str] | tuple[m.WorldId, str, str]

CONSTRUCTOR = "-constructor"


@record
class Selection:
    """What is documented: packages in arena order, and of each the interfaces and worlds
    (named ones; a world's inline interfaces go with it)."""

    packages: tuple[m.PackageId, ...]
    interfaces: frozenset[m.InterfaceId]
    worlds: frozenset[m.WorldId]


# Every ASCII character outside `[a-z0-9-]` (after lowercasing), mapped to `-`.
_NOT_LEVEL = {
    code: "-" for code in range(128) if not (chr(code).islower() or chr(code) in "0123456789-")
}


def _level(name: str) -> str:
    """A name as an anchor level: lowercase, anything outside `[a-z0-9-]` as `-`."""
    lowered = name.lower()
    if lowered.isascii():
        return lowered.translate(_NOT_LEVEL)
    return re.sub(r"[^a-z0-9-]", "-", lowered)


def page_names(resolve: m.Resolve, packages: Iterable[m.PackageId]) -> dict[m.PackageId, str]:
    """The file name of each package's page."""
    from witgen.loading.cache import digest

    stems: dict[m.PackageId, str] = {}
    for pid in packages:
        name = resolve.packages[pid].name
        parts = [name.namespace, name.name, *([name.version] if name.version else [])]
        stems[pid] = re.sub(r"[^a-z0-9.-]", "-", "-".join(parts).lower())
    counts: dict[str, int] = {}
    for stem in stems.values():
        counts[stem] = counts.get(stem, 0) + 1
    out: dict[m.PackageId, str] = {}
    for pid, stem in stems.items():
        if counts[stem] > 1:
            stem += "-" + digest(str(resolve.packages[pid].name).encode())[:8]
        out[pid] = stem + ".md"
    return out


class Locations:
    """Pages and anchors of everything a `Selection` documents."""

    def __init__(self, resolve: m.Resolve, selection: Selection) -> None:
        self.resolve = resolve
        self.selection = selection
        self.pages = page_names(resolve, selection.packages)
        self._anchors: dict[object, tuple[str, str]] = {}
        self._taken: dict[str, set[str]] = {page: set() for page in self.pages.values()}
        for pid in selection.packages:
            self._package(pid)

    # ---- building

    def _claim(self, key: object, page: str, levels: list[str]) -> None:
        anchor = "--".join(_level(level) for level in levels)
        taken = self._taken[page]
        if anchor in taken:
            n = 2
            while f"{anchor}--{n}" in taken:
                n += 1
            anchor = f"{anchor}--{n}"
        taken.add(anchor)
        self._anchors[key] = (page, anchor)

    def _package(self, pid: m.PackageId) -> None:
        pkg = self.resolve.packages[pid]
        page = self.pages[pid]
        base = [pkg.name.namespace, pkg.name.name]
        self._claim(("package", pid), page, base)
        for name, iid in pkg.interfaces:
            if iid in self.selection.interfaces:
                self._interface(iid, page, [*base, name])
        for name, wid in pkg.worlds:
            if wid in self.selection.worlds:
                self._world(wid, page, [*base, name])

    def _interface(self, iid: m.InterfaceId, page: str, levels: list[str]) -> None:
        self._claim(("interface", iid), page, levels)
        iface = self.resolve.interfaces[iid]
        for name, tid in iface.types:
            self._claim(("type", tid), page, [*levels, name])
        for name, f in iface.functions:
            self._function((iid, name), f, page, levels)

    def _function(self, key: FunctionKey, f: m.Function, page: str, levels: list[str]) -> None:
        if f.kind.resource is None:
            self._claim(("function", key), page, [*levels, f.name])
            return
        resource = self.resolve.types[f.kind.resource].name or ""
        member = CONSTRUCTOR if f.kind.name == "constructor" else f.item_name
        self._claim(("function", key), page, [*levels, resource, member])

    def _world(self, wid: m.WorldId, page: str, levels: list[str]) -> None:
        self._claim(("world", wid), page, levels)
        world = self.resolve.worlds[wid]
        for side, items in (("import", world.imports), ("export", world.exports)):
            for key, item in items:
                match item:
                    case m.WorldInterface(id=iid):
                        if self.resolve.interfaces[iid].name is None:
                            assert isinstance(key, str)
                            self._interface(iid, page, [*levels, side, key])
                    case m.WorldFunction(function=f):
                        self._function((wid, side, f.name), f, page, [*levels, side])
                    case m.WorldType(id=tid):
                        assert isinstance(key, str)
                        self._claim(("type", tid), page, [*levels, side, key])

    # ---- queries

    def page_of_package(self, pid: m.PackageId) -> str:
        return self.pages[pid]

    def anchor(self, key: object) -> str:
        """The anchor of a documented item (a key as `_claim` stored it)."""
        return self._anchors[key][1]

    def link(self, key: object, from_page: str) -> str | None:
        """`#anchor` on the same page, `page.md#anchor` on another; None when undocumented."""
        found = self._anchors.get(key)
        if found is None:
            return None
        page, anchor = found
        return f"#{anchor}" if page == from_page else f"{page}#{anchor}"

    def anchors_of(self, page: str) -> set[str]:
        return set(self._taken[page])
