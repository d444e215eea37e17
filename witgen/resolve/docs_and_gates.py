"""Docs and gates: what the comments and attributes before an item say.

Input: an item's `nodes.Docs` and attributes. Output: the model's `Docs` (wit-parser's doc
text), `Stability` (`@since`, `@unstable`, `@deprecated`) and external id, plus the
semver ordering that gates and package order use. Invariants: the doc text is
wit-parser's byte for byte (the corpus JSON checks it); conflicting gates raise WIT306
at the attribute's name, where wit-parser points.
"""

from __future__ import annotations

import functools

from witgen import model as m
from witgen.resolve.errors import assert_never, fail
from witgen.syntax import nodes as n
from witgen.text.source import Span


def docs_of(d: n.Docs) -> m.Docs:
    """wit-parser's doc text for the comments before an item.

    Each comment becomes one piece: `/** x */` loses its markers, every other comment
    (`///`, `//`, `/* */`) its leading slashes; both lose trailing whitespace. The pieces
    are then dedented together: the smallest leading-whitespace width among non-empty
    pieces is computed (a tab counts as one), and a piece that starts with that many
    spaces loses them. Pieces are joined with newlines.
    """
    comments = d.comments
    if not comments:
        return m.NO_DOCS
    if len(comments) == 1:
        # The common case, without the lists: one piece is dedented by its own indent.
        piece = _doc_piece(comments[0])
        return m.Docs(contents=piece.removeprefix(" " * (len(piece) - len(piece.lstrip()))))
    pieces = [_doc_piece(c) for c in comments]
    cut = min((len(p) - len(p.lstrip()) for p in pieces if p), default=0)
    if cut:
        prefix = " " * cut
        pieces = [p.removeprefix(prefix) for p in pieces]
    return m.Docs(contents="\n".join(pieces))


def _doc_piece(c: str) -> str:
    if c.startswith("/**") and len(c) >= 5 and c.endswith("*/"):
        return c[3:-2].rstrip()
    return c.lstrip("/").rstrip()


def _attr_name_span(a: n.Attribute) -> Span:
    """The span of an attribute's name (`since` in `@since(...)`), where wit-parser points."""
    match a:
        case n.Since():
            name = "since"
        case n.Unstable():
            name = "unstable"
        case n.Deprecated():
            name = "deprecated"
        case n.ExternalId():
            name = "external-id"
        case _:
            assert_never(a)
    return Span(a.span.start + 1, a.span.start + 1 + len(name))


def stability_of(attrs: tuple[n.Attribute, ...]) -> m.Stability:
    if not attrs:
        return m.UNKNOWN
    if len(attrs) == 1:
        # The common case: one attribute, which cannot conflict with another.
        a = attrs[0]
        if isinstance(a, n.Since):
            return _stable_since(a.version)
        if isinstance(a, n.Unstable):
            return m.Unstable(feature=a.feature)
        if isinstance(a, n.ExternalId):
            return m.UNKNOWN
    gates = [a for a in attrs if not isinstance(a, n.ExternalId)]
    since = [a for a in gates if isinstance(a, n.Since)]
    unstable = [a for a in gates if isinstance(a, n.Unstable)]
    deprecated = [a for a in gates if isinstance(a, n.Deprecated)]
    if len(since) > 1:
        raise fail("WIT306", "cannot specify @since twice", _attr_name_span(since[1]))
    if len(unstable) > 1:
        raise fail("WIT306", "cannot specify @unstable twice", _attr_name_span(unstable[1]))
    if len(deprecated) > 1:
        raise fail("WIT306", "cannot specify @deprecated twice", _attr_name_span(deprecated[1]))
    if since and unstable:
        raise fail("WIT306", "cannot specify both @since and @unstable", _attr_name_span(gates[0]))
    dep = deprecated[0].version if deprecated else None
    if since:
        return m.Stable(since=since[0].version, deprecated=dep)
    if unstable:
        return m.Unstable(feature=unstable[0].feature, deprecated=dep)
    if deprecated:
        raise fail(
            "WIT306",
            "cannot specify both @deprecated without @since or @unstable",
            _attr_name_span(deprecated[0]),
        )
    return m.UNKNOWN


def intended_stability(attrs: tuple[n.Attribute, ...]) -> m.Stability:
    """The gate an item whose gate attributes conflict (WIT306) most likely has: the first
    `@since` or `@unstable` written, deprecated by the first `@deprecated`; none if there
    is neither. Resolution goes on with it, so that the item is gated as its author
    meant and the gate's error causes no other."""
    deprecated = next((a.version for a in attrs if isinstance(a, n.Deprecated)), None)
    for a in attrs:
        if isinstance(a, n.Since):
            return m.Stable(since=a.version, deprecated=deprecated)
        if isinstance(a, n.Unstable):
            return m.Unstable(feature=a.feature, deprecated=deprecated)
    return m.UNKNOWN


@functools.lru_cache(maxsize=256)
def _stable_since(version: str) -> m.Stable:
    # Shared: a package gates most items with the same few versions.
    return m.Stable(since=version)


def external_id_of(attrs: tuple[n.Attribute, ...]) -> str | None:
    """The `@external-id("...")` of an item that has one (checked after its gates, as
    wit-parser does; an interface or world does not read it, so may repeat it)."""
    if not attrs:
        return None
    ids = [a for a in attrs if isinstance(a, n.ExternalId)]
    if len(ids) > 1:
        raise fail("WIT104", "cannot specify @external-id twice", _attr_name_span(ids[1]))
    return ids[0].value if ids else None


@functools.lru_cache(maxsize=4096)
def semver_key(v: str) -> tuple[object, ...]:
    """The precedence of semver `v` as a sortable key (build metadata ignored)."""
    main = v.partition("+")[0]
    core, _, pre = main.partition("-")
    nums = tuple(int(x) for x in core.split("."))
    if not pre:
        return (nums, 1, ())
    parts: list[tuple[int, int | str]] = []
    for p in pre.split("."):
        parts.append((0, int(p)) if p.isdigit() else (1, p))
    return (nums, 0, tuple(parts))


def package_sort_key(name: m.PackageName) -> tuple[object, ...]:
    # Rust's derived Ord on (namespace, name, Option<Version>).
    ver: tuple[object, ...] = () if name.version is None else (1, semver_key(name.version))
    return (name.namespace, name.name, ver)
