"""Unique names, as wit-parser and the component model check them.

Input: names as their items are resolved, with their spans. Output: a WIT203 diagnostic
for each duplicate or conflict (the caller records it and goes on). Invariants: the key
of an import or export name is the component model's strong-uniqueness key
(`canonical_name`: case ignored, `[method]r.r` as `r`), the key of a field, case or flag
ignores case; the first name keeps its place, the later one is reported.
"""

from __future__ import annotations

from witgen.text.diagnostics import error

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from witgen.syntax import nodes as n
    from witgen.text.diagnostics import Diagnostic
    from witgen.text.source import Span


def canonical_name(name: str) -> str:
    """The component model's strong-uniqueness key of an import or export name."""
    low = name.lower()
    if not low.startswith("["):
        return low
    for prefix in ("[method]", "[static]"):
        if low.startswith(prefix):
            rest = low[len(prefix) :]
            res, _, item = rest.partition(".")
            return res if res == item else rest
    if not low.startswith("[constructor]") and "]" in low:
        return low[low.index("]") + 1 :]
    return low


class UniqueNames:
    """Names as wit-parser checks them: the names of an interface, or of a world's imports
    or exports (`what` "name", keyed by `canonical_name`), or the fields, cases or flags of
    one type (keyed ignoring case).

    Names are added as their items are resolved. A name equal to an earlier one is a
    duplicate; one equal to it only under the key (the component model's strong
    uniqueness: ignoring case, `[method]r.r` as `r`) conflicts with it.
    """

    __slots__ = ("key", "seen", "what")

    def __init__(self, what: str = "name", key: Callable[[str], str] = canonical_name) -> None:
        self.what = what
        self.key = key
        self.seen: dict[str, str] = {}

    def add(self, name: str, span: Span) -> Diagnostic | None:
        """Add `name`; the error if it repeats an earlier name (which keeps its place)."""
        key = self.key(name)
        prev = self.seen.get(key)
        what = self.what
        if prev is None:
            self.seen[key] = name
            return None
        if prev == name:
            return error("WIT203", f"duplicate {what} `{name}`", span)
        return error("WIT203", f"{what} `{name}` conflicts with previous {what} `{prev}`", span)


def check_members(what: str, names: Sequence[n.Id]) -> list[Diagnostic]:
    """Field, case or flag names: unique, and unique ignoring case (as wit-parser checks).

    Every repeated name is reported, in order: the first is the one wit-parser reports.
    """
    if len({name.name.lower() for name in names}) == len(names):
        return []  # the usual case, at the cost of one set
    unique = UniqueNames(what, str.lower)
    return [d for name in names if (d := unique.add(name.name, name.span)) is not None]
