"""Syntax trees → `model.Resolve`.

Input: the package `Group`s read by `loader.py` (root first) and the active features.
Output: one frozen `Resolve` holding every package, in dependency order, or a `WitError`.

The phases are wit-parser's, because its JSON (our oracle) exposes the ids they allocate:

1. *Packages*: every group yields its packages (a file's `package x;` header plus any
   nested `package y { ... }` blocks). They are ordered by a depth-first walk over the
   package names in sorted order, visiting foreign dependencies first.
2. *Unresolved package* (`_PackageResolver`), per package: foreign interfaces and worlds
   get placeholder ids first; interfaces and worlds of the package are then allocated in
   a topological order of their `use`/`include` edges; foreign types named by `use` get
   placeholder types; then interfaces (uses, types in topological order, functions) and
   worlds are resolved into local arenas. Anonymous types are interned per package; an
   owned handle (`r`, `own<r>`) is kept as a plain reference to `r` at this stage.
3. *Remap* (`_Remap`), per package: placeholders are bound to the real items of packages
   already added; local types are appended to the global arena in order, creating the
   interned `own<r>` handle at the first reference to a resource, each complete with its
   owner (the ids the package's interfaces and worlds will get are known beforehand);
   gated items whose feature is off are dropped; worlds get their `include`s merged and
   are elaborated (implied imports of the interfaces their items depend on, items sorted
   by class).

Invariants: the first error reported is the one wit-parser reports (the corpus checks
its message and location); ids are allocated in wit-parser's order; nothing here is
mutable after `resolve()` returns.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Callable, Iterator, Sequence

from witgen import model as m
from witgen._record import field, maker, record
from witgen.loading.loader import Group
from witgen.syntax import nodes as n
from witgen.text.diagnostics import Diagnostic, Note, WitError, error
from witgen.text.source import SourceMap, Span

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any, Literal, ParamSpec, TypeVar, assert_never

    _T = TypeVar("_T")
    _P = ParamSpec("_P")
else:

    def assert_never(value):
        raise AssertionError(f"unhandled case: {value!r}")


# Constructors that skip `type.__call__` (see `_record.maker`), for the model records the
# remap builds by the ten thousand; called like the classes, and checked like them.
_new_param = maker(m.Param)
_new_handle = maker(m.Handle)
_new_list = maker(m.ListKind)
_new_option = maker(m.OptionKind)
_new_result = maker(m.ResultKind)
_new_tuple = maker(m.TupleKind)

_MAP_KEYS = {"bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "char", "string"}
MAX_TYPE_DEPTH = 500  # nesting beyond this is rejected before recursion could overflow
# Built-in type names, offered as hints for a misspelt type.
_PRIMITIVES = ["bool", "char", "string", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64"]
_PRIMITIVES += ["f32", "f64", "error-context", "list", "option", "result", "tuple", "borrow"]


class ResolveError(Exception):
    """Internal: one diagnostic, raised where wit-parser would `bail!`."""

    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


class ResolveErrors(Exception):
    """Internal: every error found in one package, the first being wit-parser's."""

    def __init__(self, diags: list[Diagnostic]) -> None:
        super().__init__(diags[0].message)
        self.diags = diags


class _Poisoned(Exception):
    """Internal: an item depends on one that already failed; its error would only repeat."""


def _fail(code: str, message: str, span: Span, *notes: Note) -> ResolveError:
    return ResolveError(error(code, message, span, *notes))


def _hint(name: str, candidates: Iterator[str] | list[str]) -> tuple[Note, ...]:
    import difflib  # only errors need it: kept off the start-up of a valid `check`

    close = difflib.get_close_matches(name, list(candidates), n=1)
    return (Note(f"did you mean `{close[0]}`?"),) if close else ()


# ---------------------------------------------------------------- docs and gates


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
        raise _fail("WIT306", "cannot specify @since twice", _attr_name_span(since[1]))
    if len(unstable) > 1:
        raise _fail("WIT306", "cannot specify @unstable twice", _attr_name_span(unstable[1]))
    if len(deprecated) > 1:
        raise _fail("WIT306", "cannot specify @deprecated twice", _attr_name_span(deprecated[1]))
    if since and unstable:
        raise _fail("WIT306", "cannot specify both @since and @unstable", _attr_name_span(gates[0]))
    dep = deprecated[0].version if deprecated else None
    if since:
        return m.Stable(since=since[0].version, deprecated=dep)
    if unstable:
        return m.Unstable(feature=unstable[0].feature, deprecated=dep)
    if deprecated:
        raise _fail(
            "WIT306",
            "cannot specify both @deprecated without @since or @unstable",
            _attr_name_span(deprecated[0]),
        )
    return m.UNKNOWN


@functools.lru_cache(maxsize=256)
def _stable_since(version: str) -> m.Stable:
    # Shared: a package gates most items with the same few versions.
    return m.Stable(since=version)


def external_id_of(attrs: tuple[n.Attribute, ...]) -> str | None:
    for a in attrs:
        if isinstance(a, n.ExternalId):
            return a.value
    return None


@functools.lru_cache(maxsize=4096)
def _semver_key(v: str) -> tuple[object, ...]:
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


def _pkg_key(name: m.PackageName) -> tuple[object, ...]:
    # Rust's derived Ord on (namespace, name, Option<Version>).
    ver: tuple[object, ...] = () if name.version is None else (1, _semver_key(name.version))
    return (name.namespace, name.name, ver)


# ---------------------------------------------------------------- toposort


def _renamed_float(name: str) -> str:
    """wit-parser's second line for the pre-0.2 names of `f32` and `f64`."""
    new = {"float32": "f32", "float64": "f64"}.get(name)
    if new is None:
        return ""
    return (
        f"\nthe `{name}` type has been renamed to `{new}` and is no longer accepted, but the "
        "`WIT_REQUIRE_F32_F64=0` environment variable can be used to temporarily disable this error"
    )


def toposort(kind: str, deps: dict[str, list[n.Id]]) -> list[str]:
    """wit-parser's toposort: every edge checked, then the ready item declared first goes next."""
    order, errors, _failed = toposort_all(kind, deps)
    if errors:
        raise ResolveError(errors[0])
    return order


def toposort_all(
    kind: str, deps: dict[str, list[n.Id]]
) -> tuple[list[str], list[Diagnostic], set[str]]:
    """`toposort` that reports every missing name and a cycle instead of stopping at the first.

    Items naming a missing item, and items caught in (or depending on) a cycle, are left
    out of the order and returned as failed. The first error is the one wit-parser reports.
    """
    names = list(deps)
    index = {name: i for i, name in enumerate(names)}
    if all(index.get(d.name, i) < i for i, ds in enumerate(deps.values()) for d in ds):
        # Each item names only items declared before it (the usual case): the order is
        # the declaration order, as the general algorithm below would find.
        return names, [], set()
    errors: list[Diagnostic] = []
    failed: set[str] = set()
    for name, ds in deps.items():
        for d in ds:
            if d.name not in index:
                code = "WIT201" if kind == "type" else "WIT202"
                hint = _hint(d.name, names + (_PRIMITIVES if kind == "type" else []))
                message = f"{kind} `{d.name}` does not exist{_renamed_float(d.name)}"
                errors.append(error(code, message, d.span, *hint))
                failed.add(name)
    known = {name: [d for d in ds if d.name in index] for name, ds in deps.items()}
    order = ready_order(known)
    if len(order) < len(names):
        done = set(order)
        stuck = [name for name in names if name not in done]
        failed.update(stuck)
        first = next(d for d in known[stuck[0]] if d.name not in done)
        errors.append(error("WIT300", f"{kind} `{first.name}` depends on itself", first.span))
    return [x for x in order if x not in failed], errors, failed


def ready_order(known: dict[str, list[n.Id]]) -> list[str]:
    """Kahn's order of items naming only items in `known`: among those whose dependencies
    are placed, the one declared first. Items in (or behind) a cycle are left out."""
    names = list(known)
    index = {name: i for i, name in enumerate(names)}
    remaining = [len(ds) for ds in known.values()]
    dependents: list[list[int]] = [[] for _ in names]
    for i, ds in enumerate(known.values()):
        for d in ds:
            dependents[index[d.name]].append(i)
    ready = [i for i, r in enumerate(remaining) if r == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(names[i])
        for j in dependents[i]:
            remaining[j] -= 1
            if remaining[j] == 0:
                heapq.heappush(ready, j)
    return order


def _type_deps(t: n.Type, out: list[n.Id], depth: int = 0) -> None:
    if depth > MAX_TYPE_DEPTH:
        raise _fail("WIT313", "type nested too deeply", t.span)
    match t:
        case n.Prim():
            pass
        case n.Named(name=name):
            out.append(name)
        case n.HandleType(resource=r):
            out.append(r)
        case n.TupleType(types=ts):
            for x in ts:
                _type_deps(x, out, depth + 1)
        case n.ListType(element=e):
            _type_deps(e, out, depth + 1)
        case n.MapType(key=k, value=v):
            _type_deps(k, out, depth + 1)
            _type_deps(v, out, depth + 1)
        case n.OptionType(type=x):
            _type_deps(x, out, depth + 1)
        case n.ResultType(ok=ok, err=err):
            if ok is not None:
                _type_deps(ok, out, depth + 1)
            if err is not None:
                _type_deps(err, out, depth + 1)
        case n.FutureType(type=x) | n.StreamType(type=x):
            if x is not None:
                _type_deps(x, out, depth + 1)
        case _:
            assert_never(t)


def _typedef_deps(t: n.TypeDef) -> list[n.Id]:
    out: list[n.Id] = []
    match t:
        case n.TypeAlias(type=ty):
            _type_deps(ty, out)
        case n.Record(fields=fields):
            for f in fields:
                _type_deps(f.type, out)
        case n.Variant(cases=cases):
            for c in cases:
                if c.type is not None:
                    _type_deps(c.type, out)
        case n.Flags() | n.Enum() | n.Resource():
            pass
        case _:
            assert_never(t)
    return out


# ---------------------------------------------------------------- unresolved package


# A package's types and functions, built by the ten thousand with `_new_utype` and
# `_new_ufunc` (every field given; see `_record.maker`).
@record(frozen=False, eq=False, kw_only=False)
class UType:
    name: str | None
    kind: m.TypeDefKind | None  # None: a foreign placeholder (wit-parser's `Unknown`)
    owner: tuple[Literal["i", "w"], int] | None
    docs: m.Docs
    stability: m.Stability
    span: Span
    # Record field spans, so that an error in one field points at it.
    field_spans: tuple[Span, ...]
    external_id: str | None


@record(frozen=False, eq=False, kw_only=False)
class UFunc:
    name: str
    kind: m.FunctionKindName
    resource: int | None
    params: list[tuple[str, m.Type]]
    result: m.Type | None
    docs: m.Docs
    stability: m.Stability
    external_id: str | None
    span: Span


_new_utype = maker(UType)
_new_ufunc = maker(UFunc)


@record(frozen=False, eq=False, kw_only=False)
class UInterface:
    name: str | None
    span: Span
    types: dict[str, int] = field(default_factory=dict)
    functions: dict[str, UFunc] = field(default_factory=dict)
    docs: m.Docs = m.NO_DOCS
    stability: m.Stability = m.UNKNOWN


@record(frozen=False, eq=False, kw_only=False)
class UWorldInterface:
    id: int
    docs: m.Docs
    stability: m.Stability
    external_id: str | None = None


UWorldItem = UWorldInterface | UFunc | int  # int: a type id


@record(frozen=False, eq=False, kw_only=False)
class UInclude:
    stability: m.Stability
    world: int
    names: tuple[n.IncludeName, ...]
    span: Span


@record(frozen=False, eq=False, kw_only=False)
class UWorld:
    name: str
    span: Span
    # Keys: str names or ("i", local interface id).
    imports: list[tuple[str | tuple[str, int], UWorldItem, Span]] = field(default_factory=list)
    exports: list[tuple[str | tuple[str, int], UWorldItem, Span]] = field(default_factory=list)
    includes: list[UInclude] = field(default_factory=list)
    docs: m.Docs = m.NO_DOCS
    stability: m.Stability = m.UNKNOWN


@record(frozen=False, eq=False, kw_only=False)
class Unresolved:
    name: m.PackageName
    name_span: Span
    docs: m.Docs
    files: list[list[n.TopItem]]
    interfaces: list[UInterface] = field(default_factory=list)
    worlds: list[UWorld] = field(default_factory=list)
    types: list[UType] = field(default_factory=list)
    # foreign package name → {item name → ("i"|"w", local id)}, in order of first use.
    foreign_deps: dict[m.PackageName, dict[str, tuple[str, int]]] = field(default_factory=dict)
    foreign_dep_spans: list[Span] = field(default_factory=list)
    foreign_item_spans: dict[tuple[str, int], Span] = field(default_factory=dict)
    # The gate on the first `use`/import naming each foreign item.
    foreign_item_stability: dict[tuple[str, int], m.Stability] = field(default_factory=dict)
    n_foreign_interfaces: int = 0
    n_foreign_worlds: int = 0
    n_foreign_types: int = 0
    # Local names of (interfaces, worlds) in package order.
    interface_names: dict[str, int] = field(default_factory=dict)
    world_names: dict[str, int] = field(default_factory=dict)
    # Handles to types that were not known to be resources at this stage.
    required_resource_types: list[tuple[int, Span]] = field(default_factory=list)


if TYPE_CHECKING:
    AstItem = tuple[Literal["i", "w"], int]
    # An anonymous type's interning key: its kind's class, then the kind's field values.
    _AnonKey = tuple[Any, ...]
    TypeOrItem = tuple[Literal["type"], int] | tuple[Literal["item"], str]


def _pkg_name(p: n.PackageName) -> m.PackageName:
    return m.PackageName(namespace=p.namespace.name, name=p.name.name, version=p.version)


def _path_pkg(p: n.PackagePath) -> m.PackageName:
    return m.PackageName(namespace=p.namespace.name, name=p.package.name, version=p.version)


def _for_each_path(
    items: list[n.TopItem],
    f: Callable[
        [n.Id | None, tuple[n.Attribute, ...], n.UsePath, tuple[n.UseName, ...] | None, str], None
    ],
) -> None:
    """Every `use`/`include`/import path of a file, in wit-parser's visiting order."""
    for item in items:
        match item:
            case n.World():
                imports: list[tuple[tuple[n.Attribute, ...], n.Extern]] = []
                exports: list[tuple[tuple[n.Attribute, ...], n.Extern]] = []
                for wi in item.items:
                    if isinstance(wi, n.Use):
                        f(None, wi.attrs, wi.path, wi.names, "interface")
                    elif isinstance(wi, n.Include):
                        f(item.name, wi.attrs, wi.path, None, "world")
                    elif isinstance(wi, n.Import):
                        imports.append((wi.attrs, wi.extern))
                    elif isinstance(wi, n.Export):
                        exports.append((wi.attrs, wi.extern))
                for attrs, ext in imports + exports:
                    if isinstance(ext, n.ExternInline):
                        for ii in ext.items:
                            if isinstance(ii, n.Use):
                                f(None, ii.attrs, ii.path, ii.names, "interface")
                    elif isinstance(ext, n.ExternPath | n.ExternNamed):
                        f(None, attrs, ext.path, None, "interface")
            case n.Interface():
                for ii in item.items:
                    if isinstance(ii, n.Use):
                        f(item.name, ii.attrs, ii.path, ii.names, "interface")
            case n.ToplevelUse():
                f(None, item.attrs, item.path, None, "unknown")
            case n.NestedPackage():
                pass
            case _:
                assert_never(item)


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


class _UniqueNames:
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

    def add(self, name: str, span: Span) -> None:
        key = self.key(name)
        prev = self.seen.get(key)
        what = self.what
        if prev is None:
            self.seen[key] = name
        elif prev == name:
            raise _fail("WIT203", f"duplicate {what} `{name}`", span)
        else:
            raise _fail("WIT203", f"{what} `{name}` conflicts with previous {what} `{prev}`", span)


def _check_members(what: str, names: Sequence[n.Id]) -> None:
    """Field, case or flag names: unique, and unique ignoring case (as wit-parser checks)."""
    if len({name.name.lower() for name in names}) == len(names):
        return  # the usual case, at the cost of one set
    unique = _UniqueNames(what, str.lower)
    for name in names:
        unique.add(name.name, name.span)


def _resource_func_name(rf: n.ResourceFunc, resource: str) -> tuple[str, m.FunctionKindName]:
    """The name (`[method]r.m`, `[static]r.s`, `[constructor]r`) and kind of a resource member."""
    is_async = rf.func.is_async
    if rf.kind == "method":
        return f"[method]{resource}.{rf.name.name}", "async-method" if is_async else "method"
    if rf.kind == "static":
        return f"[static]{resource}.{rf.name.name}", "async-static" if is_async else "static"
    return f"[constructor]{resource}", "constructor"


class _PackageResolver:
    """wit-parser's AST resolver for one package: builds an `Unresolved`."""

    def __init__(self, pkg: Unresolved) -> None:
        self.pkg = pkg
        self.ast_items: list[dict[str, AstItem]] = []
        self.package_items: dict[str, AstItem] = {}
        self.interface_types: list[dict[str, tuple[TypeOrItem, Span]]] = []
        self.foreign_interfaces: set[int] = set()
        self.cur_file = 0
        self.type_lookup: dict[str, tuple[TypeOrItem, Span]] = {}
        self.anon: dict[_AnonKey, int] = {}
        # `docs_of` by comment text: generated packages repeat the same docs many times.
        self.doc_texts: dict[tuple[str, ...], m.Docs] = {}
        # Errors found so far; after one, resolution goes on to report the others, and
        # items that failed are "poisoned" so that their dependents stay silent.
        self.errors: list[Diagnostic] = []
        self.poisoned_types: set[int] = set()
        self.poisoned_interfaces: set[int] = set()

    def attempt(
        self, action: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs
    ) -> tuple[bool, _T | None]:
        """Run one item's resolution; record its error instead of stopping."""
        try:
            return True, action(*args, **kwargs)
        except ResolveError as e:
            self.errors.append(e.diag)
        except _Poisoned:
            pass
        return False, None

    def docs(self, d: n.Docs) -> m.Docs:
        """`docs_of`, computed once per distinct comment text of the package."""
        if not d.comments:
            return m.NO_DOCS
        found = self.doc_texts.get(d.comments)
        if found is None:
            found = self.doc_texts[d.comments] = docs_of(d)
        return found

    # ---- allocation
    def alloc_interface(self, name: str | None, span: Span) -> int:
        self.pkg.interfaces.append(UInterface(name=name, span=span))
        self.interface_types.append({})
        return len(self.pkg.interfaces) - 1

    def alloc_world(self, name: str, span: Span) -> int:
        self.pkg.worlds.append(UWorld(name=name, span=span))
        return len(self.pkg.worlds) - 1

    def alloc_type(self, t: UType) -> int:
        self.pkg.types.append(t)
        return len(self.pkg.types) - 1

    # ---- driver
    def run(self) -> Unresolved:
        files = self.pkg.files
        self.populate_foreign_deps(files)
        iface_order, world_order = self.populate_ast_items(files)
        self.populate_foreign_types(files)
        iface_ast: dict[int, tuple[n.Interface, int]] = {}
        world_ast: dict[int, tuple[n.World, int]] = {}
        for i, items in enumerate(files):
            for item in items:
                if isinstance(item, n.Interface):
                    _, iid = self.ast_items[i][item.name.name]
                    iface_ast[iid] = (item, i)
                elif isinstance(item, n.World):
                    _, wid = self.ast_items[i][item.name.name]
                    world_ast[wid] = (item, i)
        for iid in iface_order:
            iface, i = iface_ast[iid]
            self.cur_file = i
            saved = self.type_lookup
            done, _ = self.attempt(
                self.resolve_interface, iid, iface.items, iface.docs, iface.attrs
            )
            self.type_lookup = saved
            if not done:
                self.poisoned_interfaces.add(iid)
        for wid in world_order:
            world, i = world_ast[wid]
            self.cur_file = i
            self.attempt(self.resolve_world, wid, world)
        if self.errors:
            raise ResolveErrors(self.errors)
        return self.pkg

    def populate_foreign_deps(self, files: list[list[n.TopItem]]) -> None:
        pkg = self.pkg

        def visit(
            _cur: n.Id | None,
            attrs: tuple[n.Attribute, ...],
            path: n.UsePath,
            _names: tuple[n.UseName, ...] | None,
            kind: str,
        ) -> None:
            if not isinstance(path, n.PackagePath):
                return
            stability = stability_of(attrs)
            pname = _path_pkg(path)
            deps = pkg.foreign_deps.get(pname)
            if deps is None:
                deps = pkg.foreign_deps[pname] = {}
                pkg.foreign_dep_spans.append(Span(path.namespace.span.start, path.package.span.end))
            if path.name.name not in deps:
                if kind == "world":
                    wid = self.alloc_world(path.name.name, path.name.span)
                    deps[path.name.name] = ("w", wid)
                    pkg.foreign_item_spans[("w", wid)] = path.name.span
                    pkg.foreign_item_stability[("w", wid)] = stability
                else:
                    iid = self.alloc_interface(path.name.name, path.name.span)
                    deps[path.name.name] = ("i", iid)
                    self.foreign_interfaces.add(iid)
                    pkg.foreign_item_spans[("i", iid)] = path.name.span
                    pkg.foreign_item_stability[("i", iid)] = stability

        for items in files:
            _for_each_path(items, visit)
        pkg.n_foreign_interfaces = len(pkg.interfaces)
        pkg.n_foreign_worlds = len(pkg.worlds)

    def populate_ast_items(self, files: list[list[n.TopItem]]) -> tuple[list[int], list[int]]:
        names: dict[str, n.Interface | n.World] = {}
        order: dict[str, list[n.Id]] = {}
        for items in files:
            for item in items:
                if isinstance(item, n.Interface | n.World):
                    if item.name.name in names:
                        raise _fail(
                            "WIT203", f"duplicate item named `{item.name.name}`", item.name.span
                        )
                    names[item.name.name] = item
                    order[item.name.name] = []
        for items in files:
            ns: dict[str, tuple[Span, n.Id | None]] = {}
            for item in items:
                if isinstance(item, n.ToplevelUse):
                    name = item.alias or item.path.name
                    src = item.path.name if isinstance(item.path, n.LocalPath) else None
                elif isinstance(item, n.Interface | n.World):
                    name, src = item.name, item.name
                else:
                    continue
                if name.name in ns:
                    raise _fail("WIT203", f"duplicate name `{name.name}` in this file", name.span)
                ns[name.name] = (name.span, src)

            def visit(
                cur: n.Id | None,
                _attrs: tuple[n.Attribute, ...],
                path: n.UsePath,
                _names: tuple[n.UseName, ...] | None,
                _kind: str,
                ns: dict[str, tuple[Span, n.Id | None]] = ns,
            ) -> None:
                if cur is None or not isinstance(path, n.LocalPath):
                    return
                used = path.name
                entry = ns.get(used.name)
                if entry is not None:
                    if entry[1] is not None:
                        order[cur.name].append(entry[1])
                    return
                if used.name in names:
                    order[cur.name].append(used)
                    return
                raise _fail(
                    "WIT202",
                    f"interface or world `{used.name}` does not exist",
                    used.span,
                    *_hint(used.name, list(names)),
                )

            _for_each_path(items, visit)
        topo = toposort("interface or world", order)
        iface_order: list[int] = []
        world_order: list[int] = []
        ids: dict[str, AstItem] = {}
        for item_name in topo:
            item = names[item_name]
            if isinstance(item, n.Interface):
                iid = self.alloc_interface(item_name, item.name.span)
                self.pkg.interface_names[item_name] = iid
                ids[item_name] = ("i", iid)
                iface_order.append(iid)
            else:
                wid = self.alloc_world(item_name, item.name.span)
                self.pkg.world_names[item_name] = wid
                ids[item_name] = ("w", wid)
                world_order.append(wid)
        self.package_items = dict(ids)
        for items in files:
            file_items: dict[str, AstItem] = {}
            for item in items:
                if isinstance(item, n.ToplevelUse):
                    name = item.alias or item.path.name
                    if isinstance(item.path, n.LocalPath):
                        found = ids.get(item.path.name.name)
                        if found is None:
                            raise _fail(
                                "WIT202",
                                f"interface or world `{item.path.name.name}` does not exist",
                                item.path.name.span,
                                *_hint(item.path.name.name, list(ids)),
                            )
                        file_items[name.name] = found
                    else:
                        dep = self.pkg.foreign_deps[_path_pkg(item.path)][item.path.name.name]
                        file_items[name.name] = (dep[0], dep[1])  # type: ignore[assignment]
                elif isinstance(item, n.Interface | n.World):
                    file_items[item.name.name] = ids[item.name.name]
            self.ast_items.append(file_items)
        return iface_order, world_order

    def populate_foreign_types(self, files: list[list[n.TopItem]]) -> None:
        for i, items in enumerate(files):
            self.cur_file = i

            def visit(
                _cur: n.Id | None,
                attrs: tuple[n.Attribute, ...],
                path: n.UsePath,
                names: tuple[n.UseName, ...] | None,
                _kind: str,
            ) -> None:
                if names is None:
                    return
                stability = stability_of(attrs)
                item, name, span = self.resolve_ast_item_path(path)
                iface = self.extract_iface(item, name, span)
                if iface not in self.foreign_interfaces:
                    return
                lookup = self.interface_types[iface]
                for un in names:
                    if un.name.name in lookup:
                        continue
                    tid = self.alloc_type(
                        _new_utype(
                            name=un.name.name,
                            kind=None,
                            owner=("i", iface),
                            docs=m.NO_DOCS,
                            stability=stability,
                            span=un.name.span,
                            field_spans=(),
                            external_id=None,
                        )
                    )
                    lookup[un.name.name] = (("type", tid), un.name.span)

            _for_each_path(items, visit)
        self.pkg.n_foreign_types = len(self.pkg.types)

    # ---- lookups
    def resolve_ast_item_path(self, path: n.UsePath) -> tuple[AstItem, str, Span]:
        if isinstance(path, n.LocalPath):
            item = self.ast_items[self.cur_file].get(path.name.name) or self.package_items.get(
                path.name.name
            )
            if item is None:
                known = list(self.ast_items[self.cur_file]) + list(self.package_items)
                raise _fail(
                    "WIT202",
                    f"interface or world `{path.name.name}` does not exist",
                    path.name.span,
                    *_hint(path.name.name, known),
                )
            return item, path.name.name, path.name.span
        dep = self.pkg.foreign_deps[_path_pkg(path)][path.name.name]
        return (dep[0], dep[1]), path.name.name, path.name.span  # type: ignore[return-value]

    def extract_iface(self, item: AstItem, name: str, span: Span) -> int:
        if item[0] == "w":
            raise _fail("WIT204", f"name `{name}` is defined as a world, not an interface", span)
        return item[1]

    def extract_world(self, item: AstItem, name: str, span: Span) -> int:
        if item[0] == "i":
            raise _fail("WIT204", f"name `{name}` is defined as an interface, not a world", span)
        return item[1]

    def define_poisoned(self, owner: tuple[Literal["i", "w"], int], name: n.Id) -> None:
        """Define a name whose definition failed, so that its users stay silent."""
        tid = self.alloc_type(
            _new_utype(
                name=name.name,
                kind=m.Resource(),
                owner=owner,
                docs=m.NO_DOCS,
                stability=m.UNKNOWN,
                span=name.span,
                field_spans=(),
                external_id=None,
            )
        )
        self.poisoned_types.add(tid)
        if name.name not in self.type_lookup:
            self.type_lookup[name.name] = (("type", tid), name.span)

    def define_type(self, name: n.Id, tid: int) -> None:
        if name.name in self.type_lookup:
            raise _fail("WIT203", f"name `{name.name}` is defined more than once", name.span)
        self.type_lookup[name.name] = (("type", tid), name.span)

    # ---- interfaces
    def resolve_interface(
        self,
        iid: int,
        items: tuple[n.InterfaceItem, ...],
        docs: n.Docs,
        attrs: tuple[n.Attribute, ...],
    ) -> None:
        iface = self.pkg.interfaces[iid]
        iface.docs = self.docs(docs)
        iface.stability = stability_of(attrs)
        saved = self.type_lookup
        self.type_lookup = {}
        self.resolve_types(("i", iid), [x for x in items if not isinstance(x, n.Func)])
        # As wit-parser: the types' names first, then each function's once it is resolved
        # (a function that failed still takes its name).
        names = _UniqueNames()
        for name, (entry, span) in self.type_lookup.items():
            if entry[0] == "type":
                iface.types[name] = entry[1]
            names.add(name, span)
        for item in items:
            if isinstance(item, n.Func):
                # A function is visible to the signatures that follow (and its own), where
                # it is not a type; a type of the same name keeps the name.
                if item.name.name not in self.type_lookup:
                    self.type_lookup[item.name.name] = (("item", "function"), item.name.span)
                kind: m.FunctionKindName = (
                    "async-freestanding" if item.func.is_async else "freestanding"
                )
                _, resolved = self.attempt(
                    self.resolve_function,
                    item.docs,
                    item.attrs,
                    item.name.name,
                    item.func,
                    kind,
                    None,
                    item.name.span,
                )
                names.add(item.name.name, item.name.span)
                if resolved is not None:
                    iface.functions[resolved.name] = resolved
            elif isinstance(item, n.Resource) and item.funcs:
                if item.name.name in self.type_lookup and self.type_lookup[item.name.name][0][
                    1
                ] in (self.poisoned_types):
                    continue
                rid = self.resource_id(item.name)
                for rf in item.funcs:
                    fname, fkind = _resource_func_name(rf, item.name.name)
                    _, got = self.attempt(
                        self.resolve_function,
                        rf.docs,
                        rf.attrs,
                        fname,
                        rf.func,
                        fkind,
                        rid,
                        rf.name.span,
                    )
                    names.add(fname, rf.name.span)
                    if got is not None:
                        iface.functions[got.name] = got
        self.interface_types[iid] = self.type_lookup
        self.type_lookup = saved

    def resolve_types(
        self, owner: tuple[Literal["i", "w"], int], items: list[n.InterfaceItem | n.WorldItem]
    ) -> None:
        for item in items:
            if isinstance(item, n.Use):
                done, _ = self.attempt(self.resolve_use, owner, item)
                if not done:
                    for un in item.names:
                        local = un.alias or un.name
                        if local.name not in self.type_lookup:
                            self.define_poisoned(owner, local)
        type_deps: dict[str, list[n.Id]] = {}
        type_defs: dict[str, n.TypeDef | None] = {}
        for item in items:
            if isinstance(item, n.Use):
                for un in item.names:
                    name = (un.alias or un.name).name
                    type_deps[name] = []
                    type_defs[name] = None
            elif isinstance(
                item, n.TypeAlias | n.Record | n.Flags | n.Variant | n.Enum | n.Resource
            ):
                if item.name.name in type_defs:
                    raise _fail(
                        "WIT203",
                        f"name `{item.name.name}` is defined more than once",
                        item.name.span,
                    )
                type_defs[item.name.name] = item
                type_deps[item.name.name] = _typedef_deps(item)
        order, errors, failed = toposort_all("type", type_deps)
        self.errors.extend(errors)
        for name in failed:
            failed_def = type_defs.get(name)
            if failed_def is not None:
                self.define_poisoned(owner, failed_def.name)
        for name in order:
            d = type_defs.pop(name)
            if d is None:
                continue
            stability = stability_of(d.attrs)
            _, kind = self.attempt(self.resolve_type_def, d, stability)
            if kind is None:
                self.define_poisoned(owner, d.name)
                continue
            field_spans = tuple(f.name.span for f in d.fields) if isinstance(d, n.Record) else ()
            tid = self.alloc_type(
                _new_utype(
                    name=d.name.name,
                    kind=kind,
                    owner=owner,
                    docs=self.docs(d.docs),
                    stability=stability,
                    span=d.name.span,
                    field_spans=field_spans,
                    external_id=external_id_of(d.attrs),
                )
            )
            self.define_type(d.name, tid)

    def resolve_use(self, owner: tuple[Literal["i", "w"], int], u: n.Use) -> None:
        item, name, span = self.resolve_ast_item_path(u.path)
        use_from = self.extract_iface(item, name, span)
        stability = stability_of(u.attrs)
        for un in u.names:
            lookup = self.interface_types[use_from]
            entry = lookup.get(un.name.name)
            if entry is None and use_from in self.poisoned_interfaces:
                self.define_poisoned(owner, un.alias or un.name)
                continue
            if entry is None:
                raise _fail(
                    "WIT209",
                    f"name `{un.name.name}` does not exist",
                    un.name.span,
                    *_hint(un.name.name, [k for k, v in lookup.items() if v[0][0] == "type"]),
                )
            if entry[0][0] == "item":
                raise _fail("WIT310", f"cannot import {entry[0][1]} `{un.name.name}`", un.name.span)
            target = entry[0][1]
            assert isinstance(target, int)
            local = un.alias or un.name
            tid = self.alloc_type(
                _new_utype(
                    name=local.name,
                    kind=m.Alias(type=m.TypeId(target)),
                    owner=owner,
                    docs=m.NO_DOCS,
                    stability=stability,
                    span=un.name.span,
                    field_spans=(),
                    external_id=external_id_of(u.attrs),
                )
            )
            self.define_type(local, tid)

    # ---- types
    def resolve_type_def(self, d: n.TypeDef, stability: m.Stability) -> m.TypeDefKind:
        match d:
            case n.TypeAlias(type=ty):
                return self.type_kind(ty, stability, 0)
            case n.Record(fields=fields):
                if not fields:
                    raise _fail("WIT301", "empty record", d.name.span)
                _check_members("field", [f.name for f in fields])
                out_fields = []
                for f in fields:
                    out_fields.append(
                        m.Field(
                            name=f.name.name,
                            type=self.resolve_type(f.type, stability),
                            docs=self.docs(f.docs),
                        )
                    )
                return m.Record(fields=tuple(out_fields))
            case n.Flags(flags=flags):
                if not flags:
                    raise _fail("WIT301", "empty flags", d.name.span)
                if len(flags) > 32:
                    raise _fail("WIT302", "cannot have more than 32 flags", flags[32].name.span)
                _check_members("flag", [fl.name for fl in flags])
                return m.Flags(
                    flags=tuple(m.Flag(name=fl.name.name, docs=self.docs(fl.docs)) for fl in flags)
                )
            case n.Variant(cases=cases):
                if not cases:
                    raise _fail("WIT301", "empty variant", d.name.span)
                _check_members("case", [c.name for c in cases])
                out_cases = []
                for c in cases:
                    case_ty = None if c.type is None else self.resolve_type(c.type, stability)
                    out_cases.append(m.Case(name=c.name.name, type=case_ty, docs=self.docs(c.docs)))
                return m.Variant(cases=tuple(out_cases))
            case n.Enum(cases=ecases):
                if not ecases:
                    raise _fail("WIT301", "empty enum", d.name.span)
                _check_members("case", [ec.name for ec in ecases])
                return m.Enum(
                    cases=tuple(
                        m.EnumCase(name=ec.name.name, docs=self.docs(ec.docs)) for ec in ecases
                    )
                )
            case n.Resource():
                return m.Resource()
            case _:
                assert_never(d)

    def type_kind(self, ty: n.Type, stability: m.Stability, depth: int) -> m.TypeDefKind:
        """The kind of `type x = ty;`: an alias of a primitive or named type, or `ty`'s own."""
        if depth > MAX_TYPE_DEPTH:
            raise _fail("WIT313", "type nested too deeply", ty.span)
        if isinstance(ty, n.Prim):
            return m.Alias(type=ty.name)
        if isinstance(ty, n.Named):
            return m.Alias(type=m.TypeId(self.lookup_type(ty.name)))
        return _anon_kind(self.anon_key(ty, stability, depth))

    def resolve_type(self, ty: n.Type, stability: m.Stability, depth: int = 0) -> m.Type:
        """The type `ty` refers to; an anonymous one is interned (one id per distinct type)."""
        if isinstance(ty, n.Prim):
            return ty.name
        if depth > MAX_TYPE_DEPTH:
            raise _fail("WIT313", "type nested too deeply", ty.span)
        if isinstance(ty, n.Named):
            return m.TypeId(self.lookup_type(ty.name))
        if isinstance(ty, n.HandleType) and not ty.borrow:
            # An owned handle stays a plain reference to its resource until the remap.
            return m.TypeId(self.lookup_handle_target(ty.resource))
        key = self.anon_key(ty, stability, depth)
        found = self.anon.get(key)  # `intern`, inline: this is the resolver's hottest path
        if found is None:
            found = self.alloc_anon(key, stability, ty.span)
        return m.TypeId(found)

    def anon_key(self, ty: n.Type, stability: m.Stability, depth: int) -> _AnonKey:
        """The interning key of an anonymous type: its kind's class and field values.

        The types inside are resolved first (and interned), so that equal types get equal
        keys without the kind being built; `_anon_kind` builds it for a new key.
        """
        match ty:
            case n.HandleType(borrow=borrow, resource=r):
                rid = self.lookup_handle_target(r)
                return (m.Handle, "borrow" if borrow else "own", m.TypeId(rid))
            case n.ListType(element=e, size=size):
                inner = self.resolve_type(e, stability, depth + 1)
                if size is None:
                    return (m.ListKind, inner)
                if size == 0:
                    raise _fail(
                        "WIT106", "invalid fixed-length list size: must be greater than 0", ty.span
                    )
                return (m.FixedList, inner, size)
            case n.OptionType(type=x):
                return (m.OptionKind, self.resolve_type(x, stability, depth + 1))
            case n.ResultType(ok=ok, err=err):
                return (
                    m.ResultKind,
                    None if ok is None else self.resolve_type(ok, stability, depth + 1),
                    None if err is None else self.resolve_type(err, stability, depth + 1),
                )
            case n.TupleType(types=ts):
                if not ts:
                    raise _fail("WIT301", "empty tuple", _first_token(ty))
                return (m.TupleKind, tuple(self.resolve_type(x, stability, depth + 1) for x in ts))
            case n.MapType(key=k, value=v):
                if not (isinstance(k, n.Prim) and k.name in _MAP_KEYS):
                    raise _fail(
                        "WIT303",
                        "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, "
                        "s32, s64, char, or string",
                        Span(ty.span.start, ty.span.start + 3),
                    )
                return (
                    m.MapKind,
                    self.resolve_type(k, stability, depth + 1),
                    self.resolve_type(v, stability, depth + 1),
                )
            case n.FutureType(type=x):
                return (m.Future, None if x is None else self.resolve_type(x, stability, depth + 1))
            case n.StreamType(type=x):
                return (m.Stream, None if x is None else self.resolve_type(x, stability, depth + 1))
            case n.Prim() | n.Named():
                raise AssertionError(f"not an anonymous type: {ty!r}")
            case _:
                assert_never(ty)

    def intern(self, key: _AnonKey, stability: m.Stability, span: Span) -> m.TypeId:
        """The id of the anonymous type `key`, allocated at its first use in the package."""
        found = self.anon.get(key)
        if found is None:
            found = self.alloc_anon(key, stability, span)
        return m.TypeId(found)

    def alloc_anon(self, key: _AnonKey, stability: m.Stability, span: Span) -> int:
        kind = _anon_kind(key)
        # wit-parser: an anonymous type takes the gate of the first type it refers to
        # that has one, else the gate of the context it is written in.
        types = self.pkg.types
        for ref in _kind_types(kind):
            if ref is not None and not isinstance(ref, str):
                ref_stability = types[ref].stability
                if not isinstance(ref_stability, m.Unknown):
                    stability = ref_stability
                    break
        found = self.alloc_type(
            _new_utype(
                name=None,
                kind=kind,
                owner=None,
                docs=m.NO_DOCS,
                stability=stability,
                span=span,
                field_spans=(),
                external_id=None,
            )
        )
        self.anon[key] = found
        return found

    def lookup_type(self, name: n.Id) -> int:
        entry = self.type_lookup.get(name.name)
        if entry is None:
            types = [k for k, v in self.type_lookup.items() if v[0][0] == "type"] + _PRIMITIVES
            raise _fail(
                "WIT201",
                f"name `{name.name}` does not exist{_renamed_float(name.name)}",
                name.span,
                *_hint(name.name, types),
            )
        item = entry[0]
        if item[0] == "item":
            raise _fail("WIT310", f"cannot use {item[1]} `{name.name}` as a type", name.span)
        if item[1] in self.poisoned_types:
            raise _Poisoned
        return item[1]

    def lookup_handle_target(self, name: n.Id) -> int:
        tid = self.lookup_type(name)
        cur = tid
        while True:
            t = self.pkg.types[cur]
            if t.kind is None:
                self.pkg.required_resource_types.append((tid, name.span))
                return tid
            if isinstance(t.kind, m.Resource):
                return tid
            if isinstance(t.kind, m.Alias) and not isinstance(t.kind.type, str):
                cur = t.kind.type
                continue
            raise _fail(
                "WIT303", f"type `{name.name}` used in a handle must be a resource", name.span
            )

    # ---- functions
    def resolve_function(
        self,
        docs: n.Docs,
        attrs: tuple[n.Attribute, ...],
        name: str,
        func: n.FuncType,
        kind: m.FunctionKindName,
        resource: int | None,
        span: Span,
    ) -> UFunc:
        stability = stability_of(attrs)
        # Anonymous types in signatures take no gate from the function (see alloc_anon).
        anon_stability: m.Stability = m.UNKNOWN
        params: list[tuple[str, m.Type]] = []
        # Parameter names are unique ignoring case; each is checked before its type.
        seen: set[str] = set()
        if kind in ("method", "async-method"):
            assert resource is not None
            params.append(
                (
                    "self",
                    self.intern(
                        (m.Handle, "borrow", m.TypeId(resource)), anon_stability, func.span
                    ),
                )
            )
            seen.add("self")
        for p in func.params:
            key = p.name.name.lower()
            if key in seen:
                raise _fail(
                    "WIT203", f"param `{p.name.name}` is defined more than once", p.name.span
                )
            seen.add(key)
            params.append((p.name.name, self.resolve_type(p.type, anon_stability)))
        result: m.Type | None
        if kind == "constructor":
            assert resource is not None
            if func.result is None:
                result = m.TypeId(resource)
            else:
                result = self.resolve_type(func.result, anon_stability)
                ok: object = None
                if not isinstance(result, str):
                    rk = self.pkg.types[result].kind
                    if isinstance(rk, m.ResultKind):
                        ok = rk.ok
                    else:
                        raise _fail(
                            "WIT305",
                            "if a constructor return type is declared it must be a `result`",
                            func.result.span,
                        )
                else:
                    raise _fail(
                        "WIT305",
                        "if a constructor return type is declared it must be a `result`",
                        func.result.span,
                    )
                if ok != resource:
                    raise _fail(
                        "WIT305",
                        "the `ok` type must be the resource being constructed",
                        _first_token(func.result),
                    )
        else:
            result = None if func.result is None else self.resolve_type(func.result, anon_stability)
        return _new_ufunc(
            name=name,
            kind=kind,
            resource=resource,
            params=params,
            result=result,
            docs=self.docs(docs),
            stability=stability,
            external_id=external_id_of(attrs),
            span=span,
        )

    def resource_id(self, resource: n.Id) -> int:
        entry = self.type_lookup[resource.name][0]
        assert entry[0] == "type"
        rid = entry[1]
        assert isinstance(rid, int)
        return rid

    def resolve_resource_func(self, rf: n.ResourceFunc, resource: n.Id) -> UFunc:
        name, kind = _resource_func_name(rf, resource.name)
        rid = self.resource_id(resource)
        return self.resolve_function(rf.docs, rf.attrs, name, rf.func, kind, rid, rf.name.span)

    # ---- worlds
    def resolve_world(self, wid: int, world: n.World) -> None:
        w = self.pkg.worlds[wid]
        w.docs = self.docs(world.docs)
        w.stability = stability_of(world.attrs)
        self.type_lookup = {}
        self.resolve_types(
            ("w", wid),
            [
                x
                for x in world.items
                if isinstance(
                    x, n.Use | n.TypeAlias | n.Record | n.Flags | n.Variant | n.Enum | n.Resource
                )
            ],
        )
        for item in world.items:
            if isinstance(item, n.Include):
                stability = stability_of(item.attrs)
                found, name, span = self.resolve_ast_item_path(item.path)
                inc = self.extract_world(found, name, span)
                w.includes.append(
                    UInclude(
                        stability=stability, world=inc, names=item.names, span=item.path.name.span
                    )
                )
        import_names: dict[str, str] = {}
        export_names: dict[str, str] = {}
        # Imports and exports are two namespaces, each checked as its items are resolved.
        unique_imports, unique_exports = _UniqueNames(), _UniqueNames()
        for name, (entry, span) in self.type_lookup.items():
            assert entry[0] == "type"
            import_names[name] = "type"
            unique_imports.add(name, span)
            tid = entry[1]
            assert isinstance(tid, int)
            w.imports.append((name, tid, span))
        imported: set[int] = set()
        exported: set[int] = set()
        for item in world.items:
            if isinstance(item, n.Resource):
                for rf in item.funcs or ():
                    _, f = self.attempt(self.resolve_resource_func, rf, item.name)
                    unique_imports.add(_resource_func_name(rf, item.name.name)[0], rf.name.span)
                    if f is not None:
                        w.imports.append((f.name, f, rf.name.span))
                continue
            if isinstance(item, n.Import):
                desc, names, seen, dst = "import", import_names, imported, w.imports
                unique = unique_imports
            elif isinstance(item, n.Export):
                desc, names, seen, dst = "export", export_names, exported, w.exports
                unique = unique_exports
            else:
                continue
            ext = item.extern
            _, got = self.attempt(self.resolve_world_item, item.docs, item.attrs, ext)
            if got is None:
                continue
            witem, what = got
            key: str | tuple[str, int]
            if isinstance(ext, n.ExternPath):
                assert isinstance(witem, UWorldInterface)
                if witem.id in seen:
                    raise _fail(
                        "WIT308", f"interface cannot be {desc}ed more than once", ext.path.span
                    )
                seen.add(witem.id)
                key = ("i", witem.id)
                span = ext.path.name.span
            else:
                prev = names.get(ext.name.name)
                if prev is not None:
                    raise _fail(
                        "WIT309",
                        f"{desc} `{ext.name.name}` conflicts with prior {prev} of same name",
                        ext.name.span,
                    )
                names[ext.name.name] = what
                unique.add(ext.name.name, ext.name.span)
                key = ext.name.name
                span = ext.name.span
            dst.append((key, witem, span))
        self.type_lookup = {}

    def resolve_world_item(
        self, docs: n.Docs, attrs: tuple[n.Attribute, ...], ext: n.Extern
    ) -> tuple[UWorldItem, str]:
        match ext:
            case n.ExternInline(name=name, items=items):
                saved = self.type_lookup
                iid = self.alloc_interface(None, name.span)
                self.resolve_interface(iid, items, docs, attrs)
                self.type_lookup = saved
                return UWorldInterface(
                    id=iid,
                    docs=m.NO_DOCS,
                    stability=self.pkg.interfaces[iid].stability,
                    external_id=external_id_of(attrs),
                ), "interface"
            case n.ExternPath(path=path) | n.ExternNamed(path=path):
                stability = stability_of(attrs)
                found, pname, span = self.resolve_ast_item_path(path)
                iid = self.extract_iface(found, pname, span)
                witem = UWorldInterface(
                    id=iid,
                    docs=self.docs(docs),
                    stability=stability,
                    external_id=external_id_of(attrs),
                )
                return witem, "interface"
            case n.ExternFunc(name=name, func=func):
                kind: m.FunctionKindName = "async-freestanding" if func.is_async else "freestanding"
                return self.resolve_function(
                    docs, attrs, name.name, func, kind, None, name.span
                ), "func"
            case _:
                assert_never(ext)


# ---------------------------------------------------------------- the global builder


# The global arena holds final `TypeDef`s: `append` knows the ids its interfaces and
# worlds will get before it allocates their types, so no type is rebuilt or patched
# afterwards.


@record(frozen=False, eq=False, kw_only=False)
class GWorld:
    name: str
    imports: dict[m.WorldKey, m.WorldItem]
    exports: dict[m.WorldKey, m.WorldItem]
    package: m.PackageId
    docs: m.Docs
    stability: m.Stability
    span: Span


@record(frozen=False, eq=False, kw_only=False)
class Builder:
    features: Callable[[str], bool]
    types: list[m.TypeDef] = field(default_factory=list)
    interfaces: list[m.Interface] = field(default_factory=list)
    worlds: list[GWorld] = field(default_factory=list)
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

    def include_stability(self, s: m.Stability, pkg: m.PackageName, span: Span) -> bool:
        match s:
            case m.Unknown():
                return True
            case m.Stable(since=since):
                if pkg.version is None:
                    raise _fail(
                        "WIT306",
                        f"package [{pkg}] contains a feature gate with a version specifier, so it "
                        "must have a version",
                        span,
                    )
                if _semver_key(since) > _semver_key(pkg.version):
                    raise _fail(
                        "WIT306",
                        f"feature gate cannot reference unreleased version {since} of package "
                        f"[{pkg}] (current version {pkg.version})",
                        span,
                    )
                return True
            case m.Unstable(feature=feature):
                return self.features(feature)
            case _:
                assert_never(s)

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


class _Remap:
    """Adds one `Unresolved` package to the `Builder` (wit-parser's `Remap::append`)."""

    def __init__(self, b: Builder, u: Unresolved) -> None:
        self.b = b
        self.u = u
        self.types: list[m.TypeId | None] = []
        self.interfaces: list[m.InterfaceId | None] = []
        self.worlds: list[int | None] = []
        self.own_handles: dict[m.TypeId, m.TypeId] = {}
        # `update_ty` by local type id (a type's kind does not change once it is allocated;
        # the `own` handle of a resource is allocated at the first reference to it).
        self.updated: dict[int, m.TypeId] = {}
        # One `FunctionKind` per kind and resource, shared by the functions that have it.
        self.function_kinds: dict[tuple[m.FunctionKindName, m.TypeId | None], m.FunctionKind] = {}
        # `type_has_borrow` by type: a type's kind does not change once it is allocated.
        self.has_borrow: dict[m.TypeId, bool] = {}
        self.pkg_name = u.name

    # ---- id mapping
    def map_type(self, tid: int, span: Span) -> m.TypeId:
        got = self.types[tid]
        if got is None:
            raise _fail(
                "WIT307",
                "found a reference to a type which is excluded due to its feature not being "
                "activated",
                span,
            )
        return got

    def map_interface(self, iid: int, span: Span) -> m.InterfaceId:
        got = self.interfaces[iid]
        if got is None:
            raise _fail(
                "WIT307",
                "found a reference to a interface which is excluded due to its feature not being "
                "activated",
                span,
            )
        return got

    def map_world(self, wid: int, span: Span) -> int:
        got = self.worlds[wid]
        if got is None:
            raise _fail(
                "WIT307",
                "found a reference to a world which is excluded due to its feature not being "
                "activated",
                span,
            )
        return got

    def update_ty(self, t: m.Type, span: Span) -> m.Type:
        """The global type for local type `t`: a resource becomes its `own` handle."""
        if isinstance(t, str):
            return t
        found = self.updated.get(t)
        if found is None:
            found = self.updated[t] = self._update_id(t, span)
        return found

    def _update_id(self, t: int, span: Span) -> m.TypeId:
        gid = self.map_type(t, span)
        cur = gid
        while True:
            kind = self.b.types[cur].kind
            if isinstance(kind, m.Resource):
                own = self.own_handles.get(gid)
                if own is None:
                    own = self.b.alloc_type(
                        m.TypeDef(
                            name=None,
                            kind=m.Handle(kind="own", resource=gid),
                            owner=None,
                            span=span,
                        )
                    )
                    self.own_handles[gid] = own
                return own
            if isinstance(kind, m.Alias) and not isinstance(kind.type, str):
                cur = kind.type
                continue
            return gid

    def update_opt(self, t: m.Type | None, span: Span) -> m.Type | None:
        return None if t is None else self.update_ty(t, span)

    def update_kind(
        self, k: m.TypeDefKind, span: Span, field_spans: tuple[Span, ...] = ()
    ) -> m.TypeDefKind:
        """`k` with global ids (the most frequent kinds, the anonymous ones, come first)."""
        update_ty = self.update_ty
        match k:
            case m.Handle(kind=hk, resource=r):
                return _new_handle(kind=hk, resource=self.map_type(r, span))
            case m.ListKind(type=t):
                return _new_list(type=update_ty(t, span))
            case m.OptionKind(type=t):
                return _new_option(type=update_ty(t, span))
            case m.ResultKind(ok=ok, err=err):
                return _new_result(ok=self.update_opt(ok, span), err=self.update_opt(err, span))
            case m.TupleKind(types=ts):
                return _new_tuple(types=tuple([update_ty(x, span) for x in ts]))
            case m.Record(fields=fields):
                spans = field_spans or (span,) * len(fields)
                return m.Record(
                    fields=tuple(
                        [
                            _field_of_type(f, update_ty(f.type, fs))
                            for f, fs in zip(fields, spans, strict=True)
                        ]
                    )
                )
            case m.Variant(cases=cases):
                return m.Variant(
                    cases=tuple([_case_of_type(c, self.update_opt(c.type, span)) for c in cases])
                )
            case m.Alias(type=t):
                return m.Alias(type=t if isinstance(t, str) else self.map_type(t, span))
            case m.Resource() | m.Flags() | m.Enum():
                return k
            case m.FixedList(type=t, size=size):
                return m.FixedList(type=update_ty(t, span), size=size)
            case m.MapKind(key=kk, value=v):
                return m.MapKind(key=update_ty(kk, span), value=update_ty(v, span))
            case m.Future(type=t):
                return m.Future(type=self.update_opt(t, span))
            case m.Stream(type=t):
                return m.Stream(type=self.update_opt(t, span))
            case _:
                assert_never(k)

    def type_has_borrow(self, t: m.Type) -> bool:
        if isinstance(t, str):
            return False
        found = self.has_borrow.get(t)
        if found is None:
            found = self.has_borrow[t] = self._type_has_borrow(t)
        return found

    def _type_has_borrow(self, t: m.TypeId) -> bool:
        kind = self.b.types[t].kind
        match kind:
            case m.Handle(kind=hk):
                return hk == "borrow"
            case m.Resource() | m.Flags() | m.Enum() | m.Future() | m.Stream():
                return False
            case m.Record(fields=fields):
                return any(self.type_has_borrow(f.type) for f in fields)
            case m.TupleKind(types=ts):
                return any(self.type_has_borrow(x) for x in ts)
            case m.Variant(cases=cases):
                return any(c.type is not None and self.type_has_borrow(c.type) for c in cases)
            case m.OptionKind(type=x) | m.ListKind(type=x) | m.FixedList(type=x) | m.Alias(type=x):
                return self.type_has_borrow(x)
            case m.ResultKind(ok=ok, err=err):
                return (ok is not None and self.type_has_borrow(ok)) or (
                    err is not None and self.type_has_borrow(err)
                )
            case m.MapKind(key=kk, value=v):
                return self.type_has_borrow(kk) or self.type_has_borrow(v)
            case _:
                assert_never(kind)

    def update_function(self, f: UFunc, span: Span) -> m.Function:
        resource = None if f.resource is None else self.map_type(f.resource, span)
        update_ty = self.update_ty
        params = tuple([_new_param(name=name, type=update_ty(t, span)) for name, t in f.params])
        result = self.update_opt(f.result, span)
        if result is not None and self.type_has_borrow(result):
            raise _fail(
                "WIT304",
                f"function `{f.name}` returns a type which contains a `borrow<T>` which is not "
                "supported",
                span,
            )
        kind = self.function_kinds.get((f.kind, resource))
        if kind is None:
            kind = self.function_kinds[f.kind, resource] = m.FunctionKind(
                name=f.kind, resource=resource
            )
        return m.Function(
            name=f.name,
            kind=kind,
            params=params,
            result=result,
            docs=f.docs,
            stability=f.stability,
            external_id=f.external_id,
            span=f.span,
        )

    # ---- the append
    def append(self) -> m.PackageId:
        u, b = self.u, self.b
        pkg_id = m.PackageId(len(b.packages))
        self.process_foreign_deps()
        owners = self.planned_owners()
        arena = b.types
        for t in u.types[u.n_foreign_types :]:
            # (Most items have no gate: `isinstance` spares those the call.)
            if not (
                isinstance(t.stability, m.Unknown)
                or b.include_stability(t.stability, u.name, t.span)
            ):
                self.types.append(None)
                continue
            assert t.kind is not None
            arena.append(
                m.TypeDef(
                    name=t.name,
                    kind=self.update_kind(t.kind, t.span, t.field_spans),
                    owner=None if t.owner is None else owners[t.owner],
                    docs=t.docs,
                    stability=t.stability,
                    external_id=t.external_id,
                    span=t.span,
                )
            )
            self.types.append(m.TypeId(len(arena) - 1))
        self.check_required_resources()
        new_ifaces: list[tuple[int, m.InterfaceId]] = []
        for local in range(u.n_foreign_interfaces, len(u.interfaces)):
            ui = u.interfaces[local]
            if not b.include_stability(ui.stability, u.name, ui.span):
                self.interfaces.append(None)
                continue
            iid = m.InterfaceId(len(b.interfaces))
            b.interfaces.append(
                m.Interface(
                    name=ui.name,
                    types=(),
                    functions=(),
                    package=pkg_id,
                    docs=ui.docs,
                    stability=ui.stability,
                    span=ui.span,
                )
            )
            self.interfaces.append(iid)
            new_ifaces.append((local, iid))
            assert owners[("i", local)] == m.OwnerInterface(id=iid)
        for local, iid in new_ifaces:
            ui = u.interfaces[local]
            types = tuple(
                (name, gt) for name, t in ui.types.items() if (gt := self.types[t]) is not None
            )
            funcs: list[tuple[str, m.Function]] = []
            for fname, f in ui.functions.items():
                if not (
                    isinstance(f.stability, m.Unknown)
                    or b.include_stability(f.stability, u.name, f.span)
                ):
                    continue
                funcs.append((fname, self.update_function(f, f.span)))
            old = b.interfaces[iid]
            b.interfaces[iid] = m.Interface(
                name=old.name,
                types=types,
                functions=tuple(funcs),
                package=pkg_id,
                docs=old.docs,
                stability=old.stability,
                span=old.span,
            )
        self.check_owners(u)
        new_worlds: list[tuple[int, int]] = []
        for local in range(u.n_foreign_worlds, len(u.worlds)):
            uw = u.worlds[local]
            if not b.include_stability(uw.stability, u.name, uw.span):
                self.worlds.append(None)
                continue
            gw = self.update_world(uw, pkg_id)
            b.worlds.append(gw)
            wid = len(b.worlds) - 1
            self.worlds.append(wid)
            new_worlds.append((local, wid))
            assert owners[("w", local)] == m.OwnerWorld(id=m.WorldId(wid))
        ifaces_by_name = tuple(
            (name, gi)
            for name, i in u.interface_names.items()
            if (gi := self.interfaces[i]) is not None
        )
        worlds_by_name = tuple(
            (name, m.WorldId(w))
            for name, i in u.world_names.items()
            if (w := self.worlds[i]) is not None
        )
        b.packages.append(
            m.Package(
                name=u.name,
                interfaces=ifaces_by_name,
                worlds=worlds_by_name,
                docs=u.docs,
                span=u.name_span,
            )
        )
        b.package_names[u.name] = pkg_id
        for local, wid in new_worlds:
            self.process_includes(u.worlds[local], wid, pkg_id)
            _Elaborate(b, wid).run()
        return pkg_id

    def planned_owners(self) -> dict[tuple[str, int], m.TypeOwner]:
        """The owner of the types of each local interface and world, before they have ids.

        Interfaces, then worlds, take the next ids in order, each if its gate lets it in;
        a type of one left out has none (`check_owners` reports it for an interface).
        A gate that is an error is reported later, where the interface or world is added.
        """
        u, b = self.u, self.b
        owners: dict[tuple[str, int], m.TypeOwner] = {}
        next_id = len(b.interfaces)
        for local in range(u.n_foreign_interfaces, len(u.interfaces)):
            ui = u.interfaces[local]
            owners["i", local] = None
            if self.admits(ui.stability, ui.span):
                owners["i", local] = m.OwnerInterface(id=m.InterfaceId(next_id))
                next_id += 1
        next_id = len(b.worlds)
        for local in range(u.n_foreign_worlds, len(u.worlds)):
            uw = u.worlds[local]
            owners["w", local] = None
            if self.admits(uw.stability, uw.span):
                owners["w", local] = m.OwnerWorld(id=m.WorldId(next_id))
                next_id += 1
        return owners

    def admits(self, s: m.Stability, span: Span) -> bool:
        try:
            return self.b.include_stability(s, self.u.name, span)
        except ResolveError:
            return False

    def check_owners(self, u: Unresolved) -> None:
        """A type that is in while its interface is out is an error (once interfaces are in)."""
        if None not in self.interfaces[u.n_foreign_interfaces :]:
            return
        start = u.n_foreign_types
        for t, gid in zip(u.types[start:], self.types[start:], strict=True):
            owner = t.owner
            if gid is not None and owner is not None and owner[0] == "i":
                if self.interfaces[owner[1]] is not None:
                    continue
                raise _fail(
                    "WIT307",
                    "found a reference to a interface which is excluded due to its feature not "
                    "being activated; this type is not gated by a feature but its interface is",
                    t.span,
                )

    def process_foreign_deps(self) -> None:
        u, b = self.u, self.b
        iface_pkg: dict[int, tuple[m.PackageName, str, Span]] = {}
        world_pkg: dict[int, tuple[m.PackageName, str, Span]] = {}
        for i, (pname, items) in enumerate(u.foreign_deps.items()):
            for name, (kind, local) in items.items():
                (iface_pkg if kind == "i" else world_pkg)[local] = (
                    pname,
                    name,
                    u.foreign_dep_spans[i],
                )
        # Name → id tables of the packages and interfaces looked into, each built once.
        package_ifaces: dict[m.PackageId, dict[str, m.InterfaceId]] = {}
        package_worlds: dict[m.PackageId, dict[str, m.WorldId]] = {}
        iface_types: dict[m.InterfaceId, dict[str, m.TypeId]] = {}
        for local in range(u.n_foreign_interfaces):
            pname, name, span = iface_pkg[local]
            pid = self.find_package(pname, span)
            if pid not in package_ifaces:
                package_ifaces[pid] = dict(b.packages[pid].interfaces)
            found = package_ifaces[pid].get(name)
            gate = u.foreign_item_stability.get(("i", local), m.UNKNOWN)
            if found is None and not b.include_stability(gate, u.name, span):
                self.interfaces.append(None)
                continue
            if found is None:
                raise _fail(
                    "WIT202",
                    f"interface '{name}' not found in package '{pname}'",
                    u.foreign_item_spans[("i", local)],
                    *_hint(name, [k for k, _ in b.packages[pid].interfaces]),
                )
            self.interfaces.append(found)
        for local in range(u.n_foreign_worlds):
            pname, name, span = world_pkg[local]
            pid = self.find_package(pname, span)
            if pid not in package_worlds:
                package_worlds[pid] = dict(b.packages[pid].worlds)
            wfound = package_worlds[pid].get(name)
            gate = u.foreign_item_stability.get(("w", local), m.UNKNOWN)
            if wfound is None and not b.include_stability(gate, u.name, span):
                self.worlds.append(None)
                continue
            if wfound is None:
                raise _fail(
                    "WIT210",
                    f"world '{name}' not found in package '{pname}'",
                    u.foreign_item_spans[("w", local)],
                )
            self.worlds.append(wfound)
        for local in range(u.n_foreign_types):
            t = u.types[local]
            if not b.include_stability(t.stability, u.name, t.span):
                self.types.append(None)
                continue
            assert t.owner is not None
            iid = self.map_interface(t.owner[1], t.span)
            if iid not in iface_types:
                iface_types[iid] = dict(b.interfaces[iid].types)
            tid = iface_types[iid].get(t.name or "")
            if tid is None:
                raise _fail(
                    "WIT209",
                    f"type `{t.name}` not defined in interface",
                    t.span,
                    *_hint(t.name or "", [k for k, _ in b.interfaces[iid].types]),
                )
            self.types.append(tid)

    def check_required_resources(self) -> None:
        b = self.b
        for tid, span in self.u.required_resource_types:
            try:
                cur = self.map_type(tid, span)
            except ResolveError:
                continue
            while True:
                kind = b.types[cur].kind
                if isinstance(kind, m.Alias) and not isinstance(kind.type, str):
                    cur = kind.type
                elif isinstance(kind, m.Resource):
                    break
                else:
                    raise _fail("WIT303", "type used in a handle must be a resource", span)

    def find_package(self, name: m.PackageName, span: Span) -> m.PackageId:
        pid = self.b.package_names.get(name)
        if pid is None:
            # wit-parser lists the packages added so far, then the one being added.
            names = [*self.b.package_names, self.u.name]
            known = "".join(f"\n    {k}" for k in names)
            raise _fail("WIT205", f"package '{name}' not found. known packages:{known}", span)
        return pid

    def update_world(self, uw: UWorld, pkg_id: m.PackageId) -> GWorld:
        b = self.b
        gw = GWorld(
            name=uw.name,
            imports={},
            exports={},
            package=pkg_id,
            docs=uw.docs,
            stability=uw.stability,
            span=uw.span,
        )
        for items, dst in ((uw.imports, gw.imports), (uw.exports, gw.exports)):
            for key, item, span in items:
                witem: m.WorldItem
                if isinstance(item, int):
                    tid = self.map_type(item, span)
                    if not b.include_stability(b.types[tid].stability, self.u.name, span):
                        continue
                    witem = m.WorldType(id=tid, span=span)
                elif isinstance(item, UWorldInterface):
                    if not b.include_stability(item.stability, self.u.name, span):
                        continue
                    witem = m.WorldInterface(
                        id=self.map_interface(item.id, span),
                        docs=item.docs,
                        stability=item.stability,
                        external_id=item.external_id,
                        span=span,
                    )
                else:
                    if not b.include_stability(item.stability, self.u.name, span):
                        continue
                    witem = m.WorldFunction(function=self.update_function(item, span))
                gkey: m.WorldKey = key if isinstance(key, str) else self.map_interface(key[1], span)
                dst[gkey] = witem
        return gw

    # ---- include
    def process_includes(self, uw: UWorld, wid: int, pkg_id: m.PackageId) -> None:
        b = self.b
        included: dict[tuple[str, str], Span] = {}
        for inc in uw.includes:
            if not b.include_stability(inc.stability, self.u.name, inc.span):
                continue
            src_id = self.map_world(inc.world, inc.span)
            self.resolve_include(wid, src_id, inc, included)
        if included:
            _check_strongly_unique(b.worlds[wid], included)

    def resolve_include(
        self, wid: int, src_id: int, inc: UInclude, included: dict[tuple[str, str], Span]
    ) -> None:
        """Add world `src_id` to world `wid`; `included` records where each new name came from."""
        b = self.b
        world, src = b.worlds[wid], b.worlds[src_id]
        keys = {key for key in [*src.imports, *src.exports] if isinstance(key, str)}
        names = [x for x in inc.names if x.name.name not in keys]
        if names:
            raise _fail(
                "WIT311",
                f"no import or export kebab-name `{names[0].name.name}`. Note that an ID does not "
                "support renaming",
                inc.span,
            )
        cloner = _Cloner(b, src_id, wid)
        external = world.package != src.package
        renames: dict[str, str] = {}
        for x in inc.names:
            renames.setdefault(x.name.name, x.alias.name)
        for items, dst, what in (
            (src.imports, world.imports, "import"),
            (src.exports, world.exports, "export"),
        ):
            for key, item in items.items():
                if isinstance(key, str):
                    new_name = _include_rename(key, renames)
                    new_item = cloner.world_item(item)
                    if isinstance(new_item, m.WorldFunction):
                        f = new_item.function
                        new_item = m.WorldFunction(
                            function=m.Function(
                                name=new_name,
                                kind=f.kind,
                                params=f.params,
                                result=f.result,
                                docs=f.docs,
                                stability=f.stability,
                                external_id=f.external_id,
                                span=f.span,
                            )
                        )
                    elif isinstance(new_item, m.WorldType):
                        _rename_type(b, new_item.id, new_name)
                    if new_name in dst:
                        raise _fail(
                            "WIT311",
                            f"{what} of `{new_name}` shadows previously {what}ed items",
                            inc.span,
                        )
                    dst[new_name] = new_item
                    included[(what, new_name)] = inc.span
                else:
                    prev = dst.get(key)
                    if prev is None:
                        dst[key] = item
                        prev = item
                    if True:
                        dst[key] = _merge_include_stability(item, prev, external)


def _rename_type(b: Builder, tid: m.TypeId, name: str) -> None:
    t = b.types[tid]
    if t.name != name:
        b.types[tid] = m.TypeDef(
            name=name,
            kind=t.kind,
            owner=t.owner,
            docs=t.docs,
            stability=t.stability,
            external_id=t.external_id,
            span=t.span,
        )


def _check_strongly_unique(world: GWorld, included: dict[tuple[str, str], Span]) -> None:
    """A world's import (export) names, with what its includes brought, strongly unique.

    wit-parser checks this after a world's includes and before elaborating it, and
    reports no location; the notes show where the two names come from.
    """
    for what, items in (("import", world.imports), ("export", world.exports)):
        seen: dict[str, str] = {}
        for key in items:
            if not isinstance(key, str):
                continue
            canon = canonical_name(key)
            prev = seen.get(canon)
            if prev is None:
                seen[canon] = key
                continue
            notes = []
            for name in (prev, key):
                inc_span = included.get((what, name))
                if inc_span is not None:
                    notes.append(Note(f"`{name}` is included here", inc_span))
                else:
                    item = items[name]
                    span = item.function.span if isinstance(item, m.WorldFunction) else item.span
                    notes.append(Note(f"`{name}` is declared here", span))
            raise _fail(
                "WIT203",
                f"{what} `{key}` in world `{world.name}` conflicts with {what} `{prev}` "
                "(names must be strongly unique)",
                Span.UNKNOWN,
                *notes,
            )


def _include_rename(key: str, renames: dict[str, str]) -> str:
    """`include w with { r as s }` renames `r` and the `[method]r.m`-style names of its members."""
    if key in renames:
        return renames[key]  # built with setdefault: the first `with` rename of a name wins
    if key.startswith("["):
        close = key.find("]")
        prefix, rest = key[: close + 1], key[close + 1 :]
        res, dot, member = rest.partition(".")
        if res in renames:
            return f"{prefix}{renames[res]}{dot}{member}"
    return key


def _merge_include_stability(new: m.WorldItem, prev: m.WorldItem, external: bool) -> m.WorldItem:
    """An interface included again: a stable gate from another package is dropped."""
    assert isinstance(new, m.WorldInterface) and isinstance(prev, m.WorldInterface)
    if external and isinstance(new.stability, m.Stable):
        return m.WorldInterface(id=prev.id, docs=prev.docs, stability=m.UNKNOWN, span=prev.span)
    if isinstance(prev.stability, m.Unknown) and not isinstance(new.stability, m.Unknown):
        return m.WorldInterface(id=prev.id, docs=prev.docs, stability=new.stability, span=prev.span)
    return prev


class _Cloner:
    """Copies what one `include` brings into a world (wit-parser's `Cloner`).

    The types the included world owns, every anonymous type reached from its functions and
    types, and its inline interfaces (with their types) are copied for the including world,
    children before parents. One cloner serves one `include`, so a type reached twice (from
    two functions, or a function and an inline interface) is copied once.
    """

    def __init__(self, b: Builder, src: int, dst: int) -> None:
        self.b = b
        self.prev: m.TypeOwner = m.OwnerWorld(id=m.WorldId(src))
        self.new: m.TypeOwner = m.OwnerWorld(id=m.WorldId(dst))
        self.package = b.worlds[dst].package
        self.map: dict[m.TypeId, m.TypeId] = {}

    def world_item(self, item: m.WorldItem) -> m.WorldItem:
        """The copy of an item included under a plain name (`import x: ...`)."""
        match item:
            case m.WorldInterface(id=iid):
                if self.b.interfaces[iid].name is not None:
                    return item  # a named interface (`import x: i;`) is shared, not copied
                return m.WorldInterface(
                    id=self.interface(iid),
                    docs=item.docs,
                    stability=item.stability,
                    external_id=item.external_id,
                    span=item.span,
                )
            case m.WorldType(id=tid, span=span):
                return m.WorldType(id=self.type_id(tid), span=span)
            case m.WorldFunction(function=f):
                return m.WorldFunction(function=self.function(f))
            case _:
                assert_never(item)

    def interface(self, iid: m.InterfaceId) -> m.InterfaceId:
        """A copy of inline interface `iid`, owned by the including world's package."""
        b = self.b
        old = b.interfaces[iid]
        new = m.InterfaceId(len(b.interfaces))
        b.interfaces.append(old)  # reserved: the copied types name `new` as their owner
        saved = self.prev, self.new
        self.prev, self.new = m.OwnerInterface(id=iid), m.OwnerInterface(id=new)
        types = tuple((name, self.type_id(t)) for name, t in old.types)
        funcs = tuple((name, self.function(f)) for name, f in old.functions)
        self.prev, self.new = saved
        b.interfaces[new] = m.Interface(
            name=None,
            types=types,
            functions=funcs,
            package=self.package,
            docs=old.docs,
            stability=old.stability,
            clone_of=iid,
            span=old.span,
        )
        return new

    def function(self, f: m.Function) -> m.Function:
        kind = f.kind
        if kind.resource is not None:
            kind = m.FunctionKind(name=kind.name, resource=self.type_id(kind.resource))
        return m.Function(
            name=f.name,
            kind=kind,
            params=tuple(m.Param(name=p.name, type=self.ty(p.type)) for p in f.params),
            result=None if f.result is None else self.ty(f.result),
            docs=f.docs,
            stability=f.stability,
            external_id=f.external_id,
            span=f.span,
        )

    def ty(self, t: m.Type) -> m.Type:
        return t if isinstance(t, str) else self.type_id(t)

    def type_id(self, tid: m.TypeId) -> m.TypeId:
        done = self.map.get(tid)
        if done is not None:
            return done
        t = self.b.types[tid]
        if t.owner is not None and t.owner != self.prev:
            return tid  # another owner's type (wit-parser asserts this never happens)
        if isinstance(t.kind, m.Alias):
            # An alias is re-pointed only at a type of the same owner: a `use`d type
            # stays the other interface's.
            target = t.kind.type
            same = not isinstance(target, str) and self.b.types[target].owner == self.prev
            kind: m.TypeDefKind = m.Alias(type=self.ty(target)) if same else t.kind
        else:
            kind = _map_kind(t.kind, self.ty)
        new = self.b.alloc_type(
            m.TypeDef(
                name=t.name,
                kind=kind,
                owner=self.new if t.owner is not None else None,
                docs=t.docs,
                stability=t.stability,
                span=t.span,
                external_id=t.external_id,
            )
        )
        self.map[tid] = new
        return new


def _field_of_type(f: m.Field, t: m.Type) -> m.Field:
    """Field `f` with type `t` (`f` itself when that is its type: a primitive, say)."""
    return f if t == f.type else m.Field(name=f.name, type=t, docs=f.docs)


def _case_of_type(c: m.Case, t: m.Type | None) -> m.Case:
    return c if t == c.type else m.Case(name=c.name, type=t, docs=c.docs)


def _anon_kind(key: _AnonKey) -> m.TypeDefKind:
    """The kind an `anon_key` stands for."""
    match key:
        case (m.Handle, hk, r):
            return _new_handle(kind=hk, resource=r)
        case (m.ListKind, t):
            return _new_list(type=t)
        case (m.FixedList, t, size):
            return m.FixedList(type=t, size=size)
        case (m.OptionKind, t):
            return _new_option(type=t)
        case (m.ResultKind, ok, err):
            return _new_result(ok=ok, err=err)
        case (m.TupleKind, ts):
            return _new_tuple(types=ts)
        case (m.MapKind, k, v):
            return m.MapKind(key=k, value=v)
        case (m.Future, t):
            return m.Future(type=t)
        case (m.Stream, t):
            return m.Stream(type=t)
        case _:
            raise AssertionError(f"not an anonymous type key: {key!r}")


def _kind_types(k: m.TypeDefKind) -> tuple[m.Type | None, ...]:
    """The types a kind refers to, in field order (None for an absent payload)."""
    match k:
        case m.Handle(resource=r):
            return (r,)
        case m.Resource() | m.Flags() | m.Enum():
            return ()
        case m.Record(fields=fields):
            return tuple(f.type for f in fields)
        case m.TupleKind(types=ts):
            return ts
        case m.Variant(cases=cases):
            return tuple(c.type for c in cases)
        case m.ResultKind(ok=ok, err=err):
            return (ok, err)
        case m.MapKind(key=kk, value=v):
            return (kk, v)
        case (
            m.OptionKind(type=t)
            | m.ListKind(type=t)
            | m.FixedList(type=t)
            | m.Future(type=t)
            | m.Stream(type=t)
            | m.Alias(type=t)
        ):
            return (t,)
        case _:
            assert_never(k)


def _map_kind(k: m.TypeDefKind, f: Callable[[m.Type], m.Type]) -> m.TypeDefKind:
    def opt(t: m.Type | None) -> m.Type | None:
        return None if t is None else f(t)

    match k:
        case m.Handle(kind=hk, resource=r):
            r2 = f(r)
            assert not isinstance(r2, str)
            return m.Handle(kind=hk, resource=r2)
        case m.Resource() | m.Flags() | m.Enum():
            return k
        case m.Record(fields=fields):
            return m.Record(
                fields=tuple(m.Field(name=x.name, type=f(x.type), docs=x.docs) for x in fields)
            )
        case m.TupleKind(types=ts):
            return m.TupleKind(types=tuple(f(x) for x in ts))
        case m.Variant(cases=cases):
            return m.Variant(
                cases=tuple(m.Case(name=c.name, type=opt(c.type), docs=c.docs) for c in cases)
            )
        case m.OptionKind(type=t):
            return m.OptionKind(type=f(t))
        case m.ResultKind(ok=ok, err=err):
            return m.ResultKind(ok=opt(ok), err=opt(err))
        case m.ListKind(type=t):
            return m.ListKind(type=f(t))
        case m.FixedList(type=t, size=size):
            return m.FixedList(type=f(t), size=size)
        case m.MapKind(key=kk, value=v):
            return m.MapKind(key=f(kk), value=f(v))
        case m.Future(type=t):
            return m.Future(type=opt(t))
        case m.Stream(type=t):
            return m.Stream(type=opt(t))
        case m.Alias(type=t):
            return m.Alias(type=f(t))
        case _:
            assert_never(k)


class _Elaborate:
    """Adds implied imports to a world and orders its items (wit-parser's `elaborate_world`)."""

    def __init__(self, b: Builder, wid: int) -> None:
        self.b = b
        self.wid = wid

    def sort_key(self, item: m.WorldItem) -> int:
        match item:
            case m.WorldInterface():
                return 0
            case m.WorldType(id=tid):
                t = self.b.types[tid]
                target = t.kind.type if isinstance(t.kind, m.Alias) else None
                if target is not None and not isinstance(target, str):
                    return 1 if self.b.types[target].owner != t.owner else 2
                return 2
            case m.WorldFunction(function=f):
                return 3 if f.kind.resource is None else 4
            case _:
                assert_never(item)

    def run(self) -> None:
        b = self.b
        w = b.worlds[self.wid]
        new_imports: dict[m.WorldKey, m.WorldItem] = {}
        items = sorted(w.imports.items(), key=lambda kv: self.sort_key(kv[1]))
        for key, item in items:
            if isinstance(item, m.WorldInterface):
                self.elaborate_import(new_imports, key, item.id, item.stability, item)
            elif isinstance(item, m.WorldFunction):
                new_imports[key] = item
            else:
                dep = b.type_interface_dep(item.id)
                if dep is not None:
                    self.elaborate_import(new_imports, dep, dep, b.types[item.id].stability, None)
                new_imports[key] = item
        new_exports: dict[m.WorldKey, m.WorldItem] = {}
        # Interface exports by key: a dependency is exported only when the world exports
        # it under its own interface key (`export i;`); a named export (`export x: i;`)
        # does not satisfy a `use` of `i`, which is then imported instead.
        export_ifaces: dict[m.WorldKey, m.WorldInterface] = {}
        for key, item in w.exports.items():
            if isinstance(item, m.WorldInterface):
                export_ifaces[key] = item
            else:
                new_exports[key] = item
        required: set[m.InterfaceId] = set()
        for key, item in export_ifaces.items():
            iid = item.id
            if not self.add_export(
                new_imports, new_exports, export_ifaces, required, iid, key, True, item
            ):
                name = key if isinstance(key, str) else self.iface_name(iid)
                raise _fail(
                    "WIT308",
                    f"interface `{name}` transitively depends on an interface in incompatible ways",
                    w.span,
                )
        ordered = sorted(new_imports.items(), key=lambda kv: self.sort_key(kv[1]))
        w.imports = dict(ordered)
        w.exports = new_exports

    def iface_name(self, iid: m.InterfaceId) -> str:
        i = self.b.interfaces[iid]
        if i.name is None or i.package is None:
            return i.name or "<anonymous>"
        p = self.b.packages[i.package].name if i.package < len(self.b.packages) else None
        if p is None:
            return i.name
        base = f"{p.namespace}:{p.name}/{i.name}"
        return f"{base}@{p.version}" if p.version else base

    def elaborate_import(
        self,
        imports: dict[m.WorldKey, m.WorldItem],
        key: m.WorldKey,
        iid: m.InterfaceId,
        stability: m.Stability,
        item: m.WorldInterface | None,
    ) -> None:
        if key in imports:
            return
        for dep in self.b.interface_direct_deps(iid):
            if dep not in imports:  # the test that starts the call, without the call
                self.elaborate_import(imports, dep, dep, stability, None)
        imports[key] = item if item is not None else m.WorldInterface(id=iid, stability=stability)

    def add_export(
        self,
        imports: dict[m.WorldKey, m.WorldItem],
        exports: dict[m.WorldKey, m.WorldItem],
        export_ifaces: dict[m.WorldKey, m.WorldInterface],
        required: set[m.InterfaceId],
        iid: m.InterfaceId,
        key: m.WorldKey,
        add_export: bool,
        item: m.WorldInterface,
    ) -> bool:
        if key in exports:
            return add_export
        if not add_export and iid in required:
            return True
        for dep in self.b.interface_direct_deps(iid):
            dep_export = add_export and dep in export_ifaces
            if not self.add_export(
                imports, exports, export_ifaces, required, dep, dep, dep_export, item
            ):
                return False
        if add_export:
            # An interface that an earlier export needed as an import cannot be exported
            # now: its exporters would see two different instances.
            if iid in required:
                return False
            exports[key] = (
                item if item.id == iid else m.WorldInterface(id=iid, stability=item.stability)
            )
        else:
            required.add(iid)
            if key not in imports:
                imports[key] = m.WorldInterface(id=iid, stability=item.stability)
        return True


# ---------------------------------------------------------------- packages of a group


def _first_token(ty: n.Type) -> Span:
    """Where wit-parser points for a whole type: its first token (`result` of `result<..>`)."""
    word = {
        n.ResultType: "result",
        n.TupleType: "tuple",
        n.ListType: "list",
        n.OptionType: "option",
    }
    length = len(word.get(type(ty), "")) or (ty.span.end - ty.span.start)
    return Span(ty.span.start, ty.span.start + length)


def _split_packages(group: Group) -> tuple[list[Unresolved], Unresolved]:
    """The packages a group defines: its nested packages and its main package."""
    header: n.PackageDecl | None = None
    main_files: list[list[n.TopItem]] = []
    nested: list[Unresolved] = []
    for f in group.files:
        if f.package is not None:
            if header is not None and _pkg_name(header.name) != _pkg_name(f.package.name):
                raise _fail(
                    "WIT207",
                    f"package identifier `{_pkg_name(f.package.name)}` does not match previous "
                    f"package name of `{_pkg_name(header.name)}`",
                    f.package.name.span,
                )
            if header is None or not header.docs.comments:
                header = f.package if header is None or f.package.docs.comments else header
        items: list[n.TopItem] = []
        for item in f.items:
            if isinstance(item, n.NestedPackage):
                for inner in item.items:
                    if isinstance(inner, n.NestedPackage):
                        raise _fail(
                            "WIT105",
                            "nested packages must be placed at the top-level",
                            inner.decl.name.span,
                        )
                nested.append(
                    Unresolved(
                        name=_pkg_name(item.decl.name),
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
        raise _fail(
            "WIT206", "no `package` header was found in any WIT file for this package", Span.UNKNOWN
        )
    main = Unresolved(
        name=_pkg_name(header.name),
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
        raise _fail(
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
        return _resolve(groups, active, lambda sp: _locate(sources, sp))
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
            raise _fail("WIT300", f"package `{dep}` creates a dependency cycle", span)
        if dep in deps_of:
            visiting.add(dep)
            _visit_package(dep, deps_of, order, visiting)
            visiting.discard(dep)
    order[name] = None


def _resolve(
    groups: list[Group], active: Callable[[str], bool], locate: Callable[[Span], str]
) -> m.Resolve:
    # As wit-parser: every group is parsed and resolved on its own first (errors in the
    # order groups are read), then packages are checked for duplicates and sorted.
    parsed: list[tuple[Group, list[Unresolved], Unresolved]] = []
    for group in groups:
        _check_nesting(group)
        nested, main = _split_packages(group)
        for pkg in [*nested, main]:
            _PackageResolver(pkg).run()
        parsed.append((group, nested, main))
    details: dict[m.PackageName, Unresolved] = {}
    main_names: list[m.PackageName] = []
    root_main: m.PackageName | None = None
    for group, nested, main in parsed:
        for pkg in [*nested, main]:
            prev = details.get(pkg.name)
            if prev is not None:
                here, there = locate(pkg.name_span), locate(prev.name_span)
                raise _fail(
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
    for name in sorted(details, key=_pkg_key):
        _visit_package(name, deps_of, order, visiting)
    b = Builder(features=active, all_names=list(details))
    main_id: m.PackageId | None = None
    group_ids: list[m.PackageId] = []
    for name in order:
        pid = _Remap(b, details[name]).append()
        if name == root_main:
            main_id = pid
        if name in main_names:
            group_ids.append(pid)
    return b.freeze(main_id, tuple(group_ids))
