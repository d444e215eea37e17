"""Type views: what a WIT type is in Python, shared by the host, guest and native generators.

Input: `model` types, and per generated module how it spells a nominal type (`qualify`) and
a helper or builtin name (`spell`). Output: the type's Python annotation as a `layout` tree
(the type mapping guest and host bindings share), its WIT spelling for messages, and the
frozen view models of the Python definition of a nominal type (a dataclass per record, a
dataclass per variant case plus the union, an `Enum` or `Flag`), one per template
(`record.j2`, `variant.j2`, `enum.j2`).

Invariants: aliases and anonymous types are inlined, nominal types (`NOMINAL`, named) get a
class of their own; every annotation is built as a tree, so layout never re-reads text; the
view models hold names, annotations and docs only, never model objects or ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import assert_never

from witgen import model as m
from witgen.codegen.python import layout, naming
from witgen.codegen.python.layout import Atom, Expr, Subscript
from witgen.model.kinds import referenced_types

# ---------------------------------------------------------------- annotations


@dataclass(frozen=True, slots=True)
class Spelling:
    """How one module (or class body) spells the helpers an annotation may use.

    `helpers` maps a canonical name (`Optional`, `List`, `Some`, …) to the name it is
    imported under in that module (`_Optional` when a WIT type took the name);
    `shadowed` lists the builtins to write as `builtins.X` in the current class body.
    """

    helpers: Mapping[str, str] = field(default_factory=dict)
    shadowed: frozenset[str] = frozenset()

    def __call__(self, name: str) -> str:
        if name in self.shadowed:
            return f"builtins.{name}"
        return self.helpers.get(name, name)

    def in_class(self, members: Iterable[str]) -> Spelling:
        """The spelling inside a class body whose members are `members`."""
        return Spelling(self.helpers, naming.shadowed_builtins(members))


_PRIMITIVE_ANNOTATIONS: dict[str, str] = {
    "bool": "bool",
    "u8": "int",
    "u16": "int",
    "u32": "int",
    "u64": "int",
    "s8": "int",
    "s16": "int",
    "s32": "int",
    "s64": "int",
    "f32": "float",
    "f64": "float",
    "char": "str",
    "string": "str",
    "error-context": "int",
}

NOMINAL = (m.Record, m.Variant, m.Enum, m.Flags, m.Resource)


def is_nominal(resolve: m.Resolve, tid: m.TypeId) -> bool:
    """Whether the type gets a Python class (or Union) of its own; all others are inlined."""
    ty = resolve.types[tid]
    return ty.name is not None and isinstance(ty.kind, NOMINAL)


def is_option(resolve: m.Resolve, ty: m.Type | None) -> bool:
    """Whether `ty` is an option, through aliases (which decides `Some`)."""
    if ty is None:
        return False
    ty = resolve.dealias(ty)
    return not isinstance(ty, str) and isinstance(resolve.types[ty].kind, m.OptionKind)


def annotation(
    resolve: m.Resolve,
    ty: m.Type | None,
    *,
    qualify: Callable[[m.TypeId], str],
    spell: Callable[[str], str],
    pep604: bool = False,
) -> Expr:
    """The Python annotation of `ty`; `None` for a missing type.

    `qualify` spells a nominal type (a class defined in some module) as seen from the module
    being written; aliases and anonymous types are inlined. `spell` maps a helper or builtin
    name to its spelling in that module (see `Spelling`). With `pep604`, the `List[T]`,
    `Tuple[A, B]`, `Dict[K, V]` and `Optional[T]` are written `list[T]`, `tuple[A, B]`,
    `dict[K, V]` and `T | None`: the same types, in the spelling linters ask for.
    """
    if ty is None:
        return Atom("None")
    if isinstance(ty, str):
        return Atom(spell(_PRIMITIVE_ANNOTATIONS[ty]))

    def sub(t: m.Type | None) -> Expr:
        return annotation(resolve, t, qualify=qualify, spell=spell, pep604=pep604)

    def generic(name: str, *args: Expr) -> Subscript:
        return Subscript(spell(name.lower() if pep604 else name), args)

    kind = resolve.types[ty].kind
    match kind:
        case m.Record() | m.Variant() | m.Enum() | m.Flags() | m.Resource():
            return Atom(qualify(ty))
        case m.Alias(type=target):
            # Through the whole chain at once: `type t2 = t1; type t1 = ...` may be
            # thousands of links long.
            return sub(resolve.dealias(target))
        case m.Handle(resource=res):
            return sub(resolve.dealias(res))
        case m.ListKind(type=elem) if resolve.dealias(elem) in ("u8", "s8"):
            return Atom(spell("bytes"))
        case m.ListKind(type=elem) | m.FixedList(type=elem):
            return generic("List", sub(elem))
        case m.MapKind(key=key, value=value):
            return generic("Dict", sub(key), sub(value))
        case m.TupleKind(types=types):
            return (
                generic("Tuple", *(sub(t) for t in types))
                if types
                else generic("Tuple", Atom("()"))
            )
        case m.OptionKind(type=inner_ty):
            inner = sub(inner_ty)
            if is_option(resolve, inner_ty):
                inner = Subscript(spell("Some"), (inner,))
            return layout.union(inner, Atom("None")) if pep604 else generic("Optional", inner)
        case m.ResultKind(ok=ok, err=err):
            return Subscript(spell("Result"), (sub(ok), sub(err)))
        case m.Stream(type=elem):
            if elem is not None and resolve.dealias(elem) == "u8":
                return Atom(spell("ByteStreamReader"))
            return Subscript(spell("StreamReader"), (sub(elem),))
        case m.Future(type=elem):
            return Subscript(spell("FutureReader"), (sub(elem),))
        case _:
            assert_never(kind)


# ---------------------------------------------------------------- type facts


def children(resolve: m.Resolve, ty: m.TypeId) -> tuple[m.Type | None, ...]:
    """The types a type is built from (fields, cases, elements, the resource of a handle)."""
    return referenced_types(resolve.types[ty].kind)


def children_dealiased(resolve: m.Resolve, ty: m.TypeId) -> tuple[m.Type | None, ...]:
    """`children`, each seen through its aliases: for walks that recurse over a type's
    structure, so that a chain of `type t<k> = t<k-1>` aliases, however long, is one step."""
    return tuple(None if t is None else resolve.dealias(t) for t in children(resolve, ty))


def resource_of(resolve: m.Resolve, ty: m.Type) -> m.TypeId | None:
    """The resource behind a handle, a resource type or an alias of either."""
    ty = resolve.dealias(ty)
    if isinstance(ty, str):
        return None
    kind = resolve.types[ty].kind
    if isinstance(kind, m.Resource):
        return ty
    if isinstance(kind, m.Handle):
        res = resolve.dealias(kind.resource)
        assert not isinstance(res, str)
        return res
    return None


def is_borrow(resolve: m.Resolve, ty: m.TypeId) -> bool:
    """Whether `ty` is a `borrow<…>` handle."""
    kind = resolve.types[ty].kind
    return isinstance(kind, m.Handle) and kind.kind == "borrow"


def doc_text(docs: m.Docs) -> str | None:
    """A doc to write, or None when there is none (or it is blank)."""
    return docs.contents if docs.contents and docs.contents.strip() else None


# ---------------------------------------------------------------- WIT spelling


def wit_type(resolve: m.Resolve, ty: m.Type | None) -> str:
    """`ty` as written in WIT (`list<string>`, `result<_, fs-error>`), for messages and comments."""
    if ty is None:
        return "_"
    if isinstance(ty, str):
        return ty
    td = resolve.types[ty]
    if td.name is not None:
        return td.name
    kind = td.kind
    match kind:
        case m.Handle(kind="own", resource=res):
            return f"own<{wit_type(resolve, res)}>"
        case m.Handle(kind="borrow", resource=res):
            return f"borrow<{wit_type(resolve, res)}>"
        case m.ListKind(type=elem):
            return f"list<{wit_type(resolve, elem)}>"
        case m.FixedList(type=elem, size=size):
            return f"list<{wit_type(resolve, elem)}, {size}>"
        case m.MapKind(key=key, value=value):
            return f"map<{wit_type(resolve, key)}, {wit_type(resolve, value)}>"
        case m.TupleKind(types=types):
            return f"tuple<{', '.join(wit_type(resolve, t) for t in types)}>"
        case m.OptionKind(type=inner):
            return f"option<{wit_type(resolve, inner)}>"
        case m.ResultKind(ok=None, err=None):
            return "result"
        case m.ResultKind(ok=ok, err=None):
            return f"result<{wit_type(resolve, ok)}>"
        case m.ResultKind(ok=ok, err=err):
            return f"result<{wit_type(resolve, ok)}, {wit_type(resolve, err)}>"
        case m.Stream(type=None):
            return "stream"
        case m.Stream(type=elem):
            return f"stream<{wit_type(resolve, elem)}>"
        case m.Future(type=None):
            return "future"
        case m.Future(type=elem):
            return f"future<{wit_type(resolve, elem)}>"
        case m.Record() | m.Variant() | m.Enum() | m.Flags() | m.Resource() | m.Handle():
            return "<anonymous>"
        case m.Alias(type=target):
            return wit_type(resolve, resolve.dealias(target))
        case _:
            assert_never(kind)


# ---------------------------------------------------------------- definitions of nominal types


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldView:
    name: str
    annotation: str
    doc: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordView:
    """A record: a `@dataclass` with one annotated attribute per field."""

    template: str = "record.j2"
    name: str
    doc: str | None
    fields: tuple[FieldView, ...]
    # How the module spells `dataclasses.dataclass`.
    dataclass: str = "dataclass"


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseView:
    name: str
    annotation: str | None
    doc: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantView:
    """A variant: a `@dataclass` per case, and the union of the case classes."""

    template: str = "variant.j2"
    name: str
    doc: str | None
    cases: tuple[CaseView, ...]
    # `Name = A | B | C`, laid out.
    alias: str
    dataclass: str = "dataclass"


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberView:
    name: str
    value: str
    doc: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumView:
    """An `Enum` or, with `auto()` members, a `Flag`."""

    template: str = "enum.j2"
    name: str
    base: str
    doc: str | None
    members: tuple[MemberView, ...]


TypeView = RecordView | VariantView | EnumView


def record_view(
    name: str,
    record: m.Record,
    doc: str | None,
    annotate: Callable[[m.Type, frozenset[str]], Expr],
    *,
    lay_out: bool = False,
    dataclass: str = "dataclass",
) -> RecordView:
    """The dataclass of a record; `annotate(type, shadowed builtins)` spells a field's type,
    and `dataclass` the decorator.

    With `lay_out`, an annotation too long for its line is laid out as `ruff format` does.
    """
    names = naming.field_names(f.name for f in record.fields)
    shadowed = naming.shadowed_builtins(names)
    fields = tuple(
        FieldView(
            name=n,
            annotation=_attribute(n, annotate(f.type, shadowed), lay_out),
            doc=doc_text(f.docs),
        )
        for f, n in zip(record.fields, names, strict=True)
    )
    return RecordView(name=name, doc=doc, fields=fields, dataclass=dataclass)


def _attribute(name: str, ann: Expr, lay_out: bool) -> str:
    """The annotation of a class attribute `name`, laid out when `lay_out`."""
    return layout.attribute_annotation(name, ann, indent=4) if lay_out else ann.flat


def variant_view(
    name: str,
    variant: m.Variant,
    doc: str | None,
    case_classes: Mapping[str, str],
    annotate: Callable[[m.Type, frozenset[str]], Expr],
    *,
    lay_out: bool = False,
    dataclass: str = "dataclass",
) -> VariantView:
    """The case dataclasses (named by `case_classes`, per WIT case name) and their union;
    with `lay_out`, payload annotations too long for their line are laid out."""
    cases = tuple(
        CaseView(
            name=case_classes[c.name],
            annotation=(
                None
                if c.type is None
                else _attribute("value", annotate(c.type, frozenset()), lay_out)
            ),
            doc=doc_text(c.docs),
        )
        for c in variant.cases
    )
    alias = layout.union_assignment(name, [c.name for c in cases])
    return VariantView(name=name, doc=doc, cases=cases, alias=alias, dataclass=dataclass)


def enum_view(
    name: str,
    base: str,
    members: Iterable[m.EnumCase | m.Flag],
    doc: str | None,
    *,
    flag: bool,
    auto: str = "auto",
) -> EnumView:
    """An `Enum` with numbered members or, with `flag`, a `Flag` with `auto()` members
    (`auto` spells `enum.auto` in the module)."""
    scope = naming.Scope()
    views = tuple(
        MemberView(
            name=scope.claim(naming.member_name(c.name)),
            value=f"{auto}()" if flag else str(i),
            doc=doc_text(c.docs),
        )
        for i, c in enumerate(members)
    )
    return EnumView(name=name, base=base, doc=doc, members=views)
