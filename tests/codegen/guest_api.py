"""The public API of a guest-bindings directory, read with `ast`, and how two of them differ.

Input: a directory written by `componentize-py bindings` or `witgen bindgen --lang python
--guest` (its `wit_world/` package and `componentize_py_types.py`); for the comparison, two
such APIs and the facts of the WIT world both were generated from.

Output: `public_api(outdir)`, a dict from module name to a `Module` record (classes with their
bases, decorators, attributes in order and methods; functions with parameters, annotations and
decorators; aliases; `__all__`); `differences`/`diff_api`, what differs between two of them;
`compare`, the differences sorted into those an allowance explains and the rest.

Invariants:
- Nothing is imported or executed: generated modules may be invalid Python, shadow builtins or
  need a runtime that only exists inside a component. A class with no body at all (the one
  syntax error componentize-py is known to write) is parsed as if it held `pass`, and the
  repair is recorded; any other syntax error is recorded in place of the module's contents.
- Every name in an annotation, base, decorator or alias is resolved the way a type checker
  resolves it, whatever the import style: first the enclosing class body, then the module's
  own definitions (which win over its imports), then its imports, then builtins; order in the
  file does not matter. The result is written fully qualified (`typing.List[builtins.int]`),
  and a name that reaches another generated module through a re-export is followed to where it
  is defined. String annotations are parsed and resolved as well. A name found nowhere is
  written `?name`.
- Type expressions (annotations, aliases, bases) are written in one spelling of each type, so
  that spellings a type checker reads as the same type compare equal: typing's aliases of
  builtin and `collections.abc` classes become those classes (`typing.List[X]` is
  `builtins.list[X]`, `typing.Callable` is `collections.abc.Callable`), and `Optional[X]`,
  `Union[A, B]` and `A | B` become one `|` chain of the members, nested unions flattened, in
  their first order, each member once. Any other difference (`list[int]` against `list[str]`,
  `A | B` against `B | A`) stays a difference. Among a class's bases, `Generic[...]` (which
  only declares type parameters) is written last.
- Only public names count: no `_private` modules, classes, functions or attributes (dunder
  methods such as `__init__` and `__exit__` do count), and no imports. Docstrings and
  function bodies are never part of the API.
- Each allowance is a named predicate over one `Difference`; a difference is allowed when at
  least one predicate accepts it, and every predicate that accepts it is credited, so a report
  can count how often each applied.
"""

from __future__ import annotations

import ast
import builtins
import copy
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from witgen import model as m

WORLD_MODULE = "wit_world"
TYPES_MODULE = "componentize_py_types"

_BUILTIN_NAMES = frozenset(dir(builtins))
# Spellings a type checker treats as one object; the key is replaced by the value.
_SAME_OBJECT = {"typing_extensions": "typing"}
_T = TypeVar("_T")
_EMPTY_CLASS = re.compile(r"expected an indented block after class definition on line (\d+)")


# ---------------------------------------------------------------- the API records


@dataclass(frozen=True)
class Param:
    """One parameter: its name, kind, normalised annotation and whether it has a default."""

    name: str
    kind: str  # "positional-only", "positional", "*args", "keyword-only" or "**kwargs"
    annotation: str | None
    has_default: bool

    def __str__(self) -> str:
        stars = {"*args": "*", "**kwargs": "**"}.get(self.kind, "")
        note = ": " + self.annotation if self.annotation is not None else ""
        return f"{stars}{self.name}{note}{' = ...' if self.has_default else ''}"


@dataclass(frozen=True)
class Function:
    """A function or method. `definitions` counts how often its scope binds the name with a
    `def` (the last one wins at run time; a type checker rejects the others)."""

    name: str
    params: tuple[Param, ...]
    returns: str | None
    decorators: tuple[str, ...]
    is_async: bool
    definitions: int = 1

    def signature(self) -> str:
        params = ", ".join(str(p) for p in self.params)
        returns = f" -> {self.returns}" if self.returns is not None else ""
        return f"{'async ' if self.is_async else ''}def {self.name}({params}){returns}"


@dataclass(frozen=True)
class Attribute:
    """A class attribute, dataclass field or enum member, or a module-level annotated name."""

    name: str
    annotation: str | None
    value: str | None


@dataclass(frozen=True)
class Class:
    """A class. `attributes` keep their order (it is a dataclass's field order and an enum's
    member order); `repaired` is true when the source had no body at all."""

    name: str
    bases: tuple[str, ...]
    keywords: tuple[str, ...]
    decorators: tuple[str, ...]
    attributes: tuple[Attribute, ...]
    methods: Mapping[str, Function]
    classes: Mapping[str, Class]
    repaired: bool = False
    definitions: int = 1

    @property
    def is_protocol(self) -> bool:
        return any(b == "typing.Protocol" or b.startswith("typing.Protocol[") for b in self.bases)

    def is_empty(self) -> bool:
        return not (self.attributes or self.methods or self.classes)


@dataclass(frozen=True)
class Module:
    """One module's public API. `imports` (name → what it refers to) and `shadowed` (imported
    names that a definition of the module hides, → what the import referred to) are not part of
    the API; allowances read them."""

    name: str
    classes: Mapping[str, Class] = field(default_factory=dict)
    functions: Mapping[str, Function] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    variables: Mapping[str, Attribute] = field(default_factory=dict)
    all: tuple[str, ...] | None = None
    syntax_error: str | None = None
    imports: Mapping[str, str] = field(default_factory=dict)
    shadowed: Mapping[str, str] = field(default_factory=dict)


Api = dict[str, Module]


# ---------------------------------------------------------------- reading a directory


def public_api(outdir: str | Path, world_module: str = WORLD_MODULE) -> Api:
    """The public API of the bindings in `outdir`: every `.py` module of the world package and
    `componentize_py_types.py`, keyed by dotted module name, in sorted order."""
    root = Path(outdir)
    files: dict[str, Path] = {}
    package_dir = root.joinpath(*world_module.split("."))
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if _is_public_module(".".join(parts)) and "__pycache__" not in path.parts:
            files[".".join(parts)] = path
    if (root / f"{TYPES_MODULE}.py").is_file():
        files[TYPES_MODULE] = root / f"{TYPES_MODULE}.py"
    sources = {
        name: _Source.read(name, path.read_text(encoding="utf-8"), path.name == "__init__.py")
        for name, path in sorted(files.items())
    }
    return {name: _extract(source, sources) for name, source in sources.items()}


def public_api_of_sources(sources: Mapping[str, str]) -> Api:
    """As `public_api`, for modules given as text keyed by dotted name (a name ending in
    `.__init__` is a package)."""
    read = {}
    for name, text in sources.items():
        is_package = name.endswith(".__init__")
        dotted = name.removesuffix(".__init__")
        if _is_public_module(dotted):
            read[dotted] = _Source.read(dotted, text, is_package)
    return {name: _extract(source, read) for name, source in sorted(read.items())}


def _is_public_module(dotted: str) -> bool:
    return not any(part.startswith("_") for part in dotted.split("."))


@dataclass
class _Source:
    """One module parsed, with the names it binds (before anything is resolved)."""

    name: str
    package: str
    tree: ast.Module | None
    error: str | None
    repaired: frozenset[int]  # line numbers of classes that had no body
    imports: dict[str, str]
    defined: set[str]

    @staticmethod
    def read(name: str, text: str, is_package: bool) -> _Source:
        package = name if is_package else name.rpartition(".")[0]
        tree, error, repaired = _parse(text, name)
        source = _Source(name, package, tree, error, repaired, {}, set())
        if tree is not None:
            source.collect_bindings(tree.body)
        return source

    def collect_bindings(self, body: Sequence[ast.stmt]) -> None:
        for stmt in _flatten(body):
            match stmt:
                case ast.Import(names=names):
                    for alias in names:
                        if alias.asname:
                            self.imports[alias.asname] = alias.name
                        else:
                            head = alias.name.partition(".")[0]
                            self.imports[head] = head
                case ast.ImportFrom(module=module, names=names, level=level):
                    base = self.absolute(module, level)
                    for alias in names:
                        if alias.name != "*":
                            self.imports[alias.asname or alias.name] = f"{base}.{alias.name}"
                case ast.FunctionDef(name=n) | ast.AsyncFunctionDef(name=n) | ast.ClassDef(name=n):
                    self.defined.add(n)
                case ast.Assign(targets=targets, value=value):
                    bound = [t.id for t in targets if isinstance(t, ast.Name)]
                    dotted = _dotted(value)
                    if len(bound) == 1 and bound[0].startswith("_") and dotted is not None:
                        # a private alias of another name (`_List = List`) is only a spelling
                        self.imports[bound[0]] = self.resolve_dotted(dotted)
                    else:
                        self.defined.update(bound)
                case ast.AnnAssign(target=ast.Name(id=n)):
                    self.defined.add(n)

    def absolute(self, module: str | None, level: int) -> str:
        if level == 0:
            return module or ""
        parts = self.package.split(".") if self.package else []
        base = parts[: len(parts) - (level - 1)] if level > 1 else parts
        return ".".join([*base, module] if module else base)

    def resolve_dotted(self, dotted: str) -> str:
        """`dotted` at module level: a definition, an import, a builtin, or `?name`."""
        head, _, rest = dotted.partition(".")
        if head in self.defined:
            target = f"{self.name}.{head}"
        elif head in self.imports:
            target = self.imports[head]
        elif head in _BUILTIN_NAMES:
            target = f"builtins.{head}"
        else:
            target = f"?{head}"
        return f"{target}.{rest}" if rest else target


def _parse(text: str, name: str) -> tuple[ast.Module | None, str | None, frozenset[int]]:
    """Parse `text`; a class with no body gets `pass` (and its line is recorded)."""
    lines = text.splitlines()
    repaired: set[int] = set()
    while True:
        try:
            return ast.parse("\n".join(lines), filename=name), None, frozenset(repaired)
        except SyntaxError as e:
            found = _EMPTY_CLASS.match(e.msg or "")
            line = int(found.group(1)) if found else 0
            if not found or line in repaired or not 0 < line <= len(lines):
                return None, f"{e.msg} (line {e.lineno})", frozenset(repaired)
            header = lines[line - 1]
            indent = header[: len(header) - len(header.lstrip())]
            lines.insert(line, f"{indent}    pass")
            repaired = {n + 1 if n > line else n for n in repaired} | {line}


def _flatten(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of `body`, with those of `if`/`try` blocks (both branches) inlined."""
    for stmt in body:
        match stmt:
            case ast.If(body=b, orelse=o):
                yield from _flatten(b)
                yield from _flatten(o)
            case ast.Try(body=b, handlers=h, orelse=o, finalbody=f):
                yield from _flatten(b)
                for handler in h:
                    yield from _flatten(handler.body)
                yield from _flatten(o)
                yield from _flatten(f)
            case _:
                yield stmt


def _dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a Name or a chain of Attributes on a Name, else None."""
    match node:
        case ast.Name(id=name):
            return name
        case ast.Attribute(value=value, attr=attr):
            base = _dotted(value)
            return f"{base}.{attr}" if base is not None else None
        case _:
            return None


def _is_public(name: str) -> bool:
    return not name.startswith("_")


def _is_public_member(name: str) -> bool:
    return _is_public(name) or (name.startswith("__") and name.endswith("__"))


# ---------------------------------------------------------------- resolving names


class _Resolver:
    """Normalises expressions of one module (and one class body, if any) to canonical text."""

    def __init__(
        self,
        source: _Source,
        sources: Mapping[str, _Source],
        class_name: str | None = None,
        class_scope: frozenset[str] = frozenset(),
    ) -> None:
        self.source = source
        self.sources = sources
        self.class_name = class_name
        self.class_scope = class_scope

    def in_class(self, path: str, scope: frozenset[str]) -> _Resolver:
        """The resolver of the body of the class at dotted `path`, which binds `scope`."""
        return _Resolver(self.source, self.sources, path, scope)

    def qualify(self, dotted: str) -> str:
        head, _, rest = dotted.partition(".")
        if self.class_name is not None and head in self.class_scope:
            target = f"{self.class_name}.{head}"
            return f"{target}.{rest}" if rest else target
        return self.canonical(self.source.resolve_dotted(dotted))

    def canonical(self, dotted: str) -> str:
        """Follow re-exports between the modules read: `wit_world.X`, where `wit_world` only
        imports `X` from `wit_world.imports.m`, is `wit_world.imports.m.X`."""
        for _ in range(16):  # no real chain is this long; an import cycle stops here
            step = self._through_import(dotted)
            if step is None:
                break
            dotted = step
        return self._same_object(dotted)

    def _through_import(self, dotted: str) -> str | None:
        """`dotted` one import further, when its longest module prefix imports the next name."""
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            owner = self.sources.get(".".join(parts[:cut]))
            if owner is not None:
                name = parts[cut]
                if name in owner.imports and name not in owner.defined:
                    return ".".join([owner.imports[name], *parts[cut + 1 :]])
                return None
        return None

    @staticmethod
    def _same_object(dotted: str) -> str:
        head, dot, rest = dotted.partition(".")
        return _SAME_OBJECT.get(head, head) + dot + rest

    def text(
        self, node: ast.expr | None, *, annotation: bool = False, type_expr: bool = False
    ) -> str | None:
        """`node` in canonical form; an annotation is a type expression whose strings are
        forward references, and a `type_expr` (an alias, a base) is one whose strings are not."""
        if node is None:
            return None
        tree = _Normalise(self, annotation).visit(copy.deepcopy(node))
        if annotation or type_expr:
            tree = _OneTypeSpelling().visit(tree)
        return ast.unparse(tree)


class _Normalise(ast.NodeTransformer):
    """Rewrites an expression (a copy) into canonical form: names fully qualified, call
    keywords sorted, and in annotations, string forward references parsed."""

    def __init__(self, resolver: _Resolver, annotation: bool) -> None:
        self.resolver = resolver
        self.annotation = annotation

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return ast.Name(id=self.resolver.qualify(node.id), ctx=ast.Load())

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        dotted = _dotted(node)
        if dotted is None:
            return self.generic_visit(node)  # type: ignore[return-value]
        return ast.Name(id=self.resolver.qualify(dotted), ctx=ast.Load())

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        # keyword order does not change a call's meaning
        node.keywords.sort(key=lambda k: (k.arg is None, k.arg or ""))
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        node.value = self.visit(node.value)
        if isinstance(node.value, ast.Name) and node.value.id == "typing.Literal":
            return node  # strings inside Literal[...] are values, not forward references
        node.slice = self.visit(node.slice)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if not (self.annotation and isinstance(node.value, str)):
            return node
        try:
            parsed = ast.parse(node.value.strip(), mode="eval").body
        except SyntaxError:
            return node
        return self.visit(parsed)  # type: ignore[no-any-return]


# typing's deprecated aliases of builtin and `collections.abc` classes (PEP 585): a type checker
# reads `typing.List[int]` and `list[int]` as one type, so both are written as the class.
_TYPING_ALIASES = {
    **{
        f"typing.{name}": f"builtins.{name.lower()}"
        for name in ("List", "Dict", "Tuple", "Set", "FrozenSet", "Type")
    },
    **{f"typing.{name}": f"collections.{name.lower()}" for name in ("Deque", "DefaultDict")},
    **{f"typing.{name}": f"collections.{name}" for name in ("OrderedDict", "Counter", "ChainMap")},
    **{
        f"typing.{name}": f"collections.abc.{name}"
        for name in (
            "AsyncGenerator",
            "AsyncIterable",
            "AsyncIterator",
            "Awaitable",
            "Callable",
            "Collection",
            "Container",
            "Coroutine",
            "Generator",
            "Hashable",
            "ItemsView",
            "Iterable",
            "Iterator",
            "KeysView",
            "Mapping",
            "MappingView",
            "MutableMapping",
            "MutableSequence",
            "MutableSet",
            "Reversible",
            "Sequence",
            "Sized",
            "ValuesView",
        )
    },
    "typing.AbstractSet": "collections.abc.Set",
}


class _OneTypeSpelling(ast.NodeTransformer):
    """Rewrites a type expression whose names are already fully qualified into the one
    spelling of its type: typing's aliases replaced by the classes they stand for, and every
    union (`Optional[X]`, `Union[A, B]`, `A | B`) as a flat `|` chain, first order kept, each
    member once."""

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return ast.Name(id=_TYPING_ALIASES.get(node.id, node.id), ctx=ast.Load())

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        # parsed text holds `typing.List` as attributes; `_Normalise` has made it one name
        dotted = _dotted(node)
        if dotted is None:
            return self.generic_visit(node)  # type: ignore[return-value]
        return self.visit_Name(ast.Name(id=dotted, ctx=ast.Load()))

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        self.generic_visit(node)
        if not isinstance(node.value, ast.Name):
            return node
        match node.value.id, node.slice:
            case "typing.Optional", member:
                return _union([member, ast.Constant(None)])
            case "typing.Union", ast.Tuple(elts=members):
                return _union(members)
            case "typing.Union", member:
                return _union([member])
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.op, ast.BitOr):
            return _union([node.left, node.right])
        return node


def _union(members: Sequence[ast.expr]) -> ast.expr:
    """`A | B | ...` of `members`, each already in one spelling: nested unions flattened,
    repeats dropped (the first occurrence keeps its place); a single member is itself."""
    flat: list[ast.expr] = []
    seen: set[str] = set()

    def add(member: ast.expr) -> None:
        if isinstance(member, ast.BinOp) and isinstance(member.op, ast.BitOr):
            add(member.left)
            add(member.right)
        elif (key := ast.dump(member)) not in seen:
            seen.add(key)
            flat.append(member)

    for member in members:
        add(member)
    chain = flat[0]
    for member in flat[1:]:
        chain = ast.BinOp(left=chain, op=ast.BitOr(), right=member)
    return chain


_UNRESOLVED = re.compile(r"\?(?=[A-Za-z_])")
_UNRESOLVED_MARK = "__unresolved__"


def _parse_type(text: str) -> ast.expr | None:
    """A type expression as `public_api` writes one (names fully qualified, `?name` for one
    found nowhere) as a tree whose names are single dotted `Name`s; None if it is none."""
    try:
        tree = ast.parse(_UNRESOLVED.sub(_UNRESOLVED_MARK, text), mode="eval").body
    except SyntaxError:
        return None
    return _OneTypeSpelling().visit(tree)  # type: ignore[no-any-return]


def type_spelling(text: str) -> str:
    """`text`, a type expression as `public_api` writes one, in the one spelling of its
    type; text that is no expression is returned as it is."""
    tree = _parse_type(text)
    if tree is None:
        return text
    return ast.unparse(tree).replace(_UNRESOLVED_MARK, "?")


# ---------------------------------------------------------------- extracting the API


def _extract(source: _Source, sources: Mapping[str, _Source]) -> Module:
    if source.tree is None:
        return Module(name=source.name, syntax_error=source.error)
    resolver = _Resolver(source, sources)
    classes: dict[str, Class] = {}
    functions: dict[str, Function] = {}
    aliases: dict[str, str] = {}
    variables: dict[str, Attribute] = {}
    all_names: tuple[str, ...] | None = None
    class_counts: Counter[str] = Counter()
    function_counts: Counter[str] = Counter()
    for stmt in _flatten(source.tree.body):
        match stmt:
            case ast.ClassDef(name=name) if _is_public(name):
                class_counts[name] += 1
                path = f"{source.name}.{name}"
                classes[name] = _class(stmt, path, resolver, source, class_counts[name])
            case ast.FunctionDef(name=name) | ast.AsyncFunctionDef(name=name) if _is_public(name):
                function_counts[name] += 1
                functions[name] = _function(stmt, resolver, function_counts[name])
            case ast.Assign(targets=[ast.Name(id="__all__")], value=value):
                all_names = _string_list(value)
            case ast.Assign(targets=targets, value=value):
                for target in targets:
                    if isinstance(target, ast.Name) and _is_public(target.id):
                        aliases[target.id] = resolver.text(value, type_expr=True) or ""
            case ast.AnnAssign(target=ast.Name(id=name), annotation=ann, value=value):
                if not _is_public(name):
                    continue
                ann_text = resolver.text(ann, annotation=True)
                if ann_text == "typing.TypeAlias" and value is not None:
                    aliases[name] = resolver.text(value, annotation=True) or ""
                else:
                    variables[name] = Attribute(name, ann_text, resolver.text(value))
    shadowed = {n: t for n, t in source.imports.items() if n in source.defined}
    return Module(
        name=source.name,
        classes=classes,
        functions=functions,
        aliases=aliases,
        variables=variables,
        all=all_names,
        imports=dict(source.imports),
        shadowed=shadowed,
    )


def _string_list(node: ast.expr) -> tuple[str, ...] | None:
    if not isinstance(node, ast.List | ast.Tuple):
        return None
    names = [e.value for e in node.elts if isinstance(e, ast.Constant)]
    if len(names) != len(node.elts) or not all(isinstance(n, str) for n in names):
        return None
    return tuple(str(n) for n in names)


def _class_scope(body: Sequence[ast.stmt]) -> frozenset[str]:
    """The names a class body binds (as a type checker sees them: annotated fields too)."""
    names: set[str] = set()
    for stmt in _flatten(body):
        match stmt:
            case ast.FunctionDef(name=n) | ast.AsyncFunctionDef(name=n) | ast.ClassDef(name=n):
                names.add(n)
            case ast.Assign(targets=targets):
                names.update(t.id for t in targets if isinstance(t, ast.Name))
            case ast.AnnAssign(target=ast.Name(id=n)):
                names.add(n)
    return frozenset(names)


def _class(
    node: ast.ClassDef, path: str, outer: _Resolver, source: _Source, definitions: int
) -> Class:
    inner = outer.in_class(path, _class_scope(node.body))
    attributes: list[Attribute] = []
    methods: dict[str, Function] = {}
    classes: dict[str, Class] = {}
    method_counts: Counter[str] = Counter()
    class_counts: Counter[str] = Counter()
    for stmt in _flatten(node.body):
        match stmt:
            case ast.FunctionDef(name=name) | ast.AsyncFunctionDef(name=name) if _is_public_member(
                name
            ):
                method_counts[name] += 1
                methods[name] = _function(stmt, inner, method_counts[name])
            case ast.ClassDef(name=name) if _is_public(name):
                class_counts[name] += 1
                nested = _Resolver(source, outer.sources)  # class bodies do not nest scopes
                classes[name] = _class(stmt, f"{path}.{name}", nested, source, class_counts[name])
            case ast.Assign(targets=targets, value=value):
                for target in targets:
                    if isinstance(target, ast.Name) and _is_public(target.id):
                        attributes.append(Attribute(target.id, None, inner.text(value)))
            case ast.AnnAssign(target=ast.Name(id=name), annotation=ann, value=value):
                if _is_public(name):
                    attributes.append(
                        Attribute(name, inner.text(ann, annotation=True), inner.text(value))
                    )
    # bases, keywords and decorators are evaluated outside the class body
    return Class(
        name=node.name,
        bases=_bases_in_one_order(outer.text(b, type_expr=True) or "" for b in node.bases),
        keywords=tuple(f"{k.arg}={outer.text(k.value)}" for k in node.keywords),
        decorators=tuple(outer.text(d) or "" for d in node.decorator_list),
        attributes=tuple(attributes),
        methods=methods,
        classes=classes,
        repaired=node.lineno in source.repaired,
        definitions=definitions,
    )


def _bases_in_one_order(bases: Iterable[str]) -> tuple[str, ...]:
    """`bases` with `typing.Generic[...]` last: it only declares the class's type parameters,
    so a type checker reads `(Generic[E], Exception)` and `(Exception, Generic[E])` alike."""
    listed = list(bases)
    generic = [b for b in listed if b == "typing.Generic" or b.startswith("typing.Generic[")]
    return tuple([b for b in listed if b not in generic] + generic)


def _function(
    node: ast.FunctionDef | ast.AsyncFunctionDef, resolver: _Resolver, definitions: int
) -> Function:
    args = node.args
    params: list[Param] = []
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    for i, arg in enumerate(positional):
        kind = "positional-only" if i < len(args.posonlyargs) else "positional"
        params.append(_param(arg, kind, i >= first_default, resolver))
    if args.vararg is not None:
        params.append(_param(args.vararg, "*args", False, resolver))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        params.append(_param(arg, "keyword-only", default is not None, resolver))
    if args.kwarg is not None:
        params.append(_param(args.kwarg, "**kwargs", False, resolver))
    return Function(
        name=node.name,
        params=tuple(params),
        returns=resolver.text(node.returns, annotation=True),
        decorators=tuple(resolver.text(d) or "" for d in node.decorator_list),
        is_async=isinstance(node, ast.AsyncFunctionDef),
        definitions=definitions,
    )


def _param(arg: ast.arg, kind: str, has_default: bool, resolver: _Resolver) -> Param:
    return Param(arg.arg, kind, resolver.text(arg.annotation, annotation=True), has_default)


# ---------------------------------------------------------------- differences


@dataclass(frozen=True)
class Difference:
    """One way two APIs differ. `where` is the dotted path of the thing (module, class,
    function); `detail` narrows it (`parameter 2`, `field x`); `expected`/`actual` are the two
    sides' texts, None where a side lacks the thing."""

    kind: str
    module: str
    where: str
    detail: str = ""
    expected: str | None = None
    actual: str | None = None

    def __str__(self) -> str:
        place = f"{self.where} ({self.detail})" if self.detail else self.where
        if self.actual is None and self.expected is not None and self.kind.endswith("-missing"):
            return f"{place}: {self.kind}: only in the expected API: {self.expected}"
        if self.expected is None and self.actual is not None and self.kind.endswith("-extra"):
            return f"{place}: {self.kind}: only in the actual API: {self.actual}"
        return f"{place}: {self.kind}: expected {self.expected}, actual {self.actual}"


# Kinds whose two sides are texts of the same thing (annotations, bases, values), which a
# rewrite of names can explain.
TEXT_KINDS = frozenset(
    {"annotation", "return-annotation", "bases", "decorators", "keywords", "alias", "value"}
)
# Those of them whose texts are type expressions (see `type_spelling`).
TYPE_KINDS = frozenset({"annotation", "return-annotation", "bases", "alias"})


def differences(expected: Api, actual: Api) -> list[Difference]:
    """Every difference between two APIs, in module order."""
    out: list[Difference] = []
    for name in sorted(expected.keys() | actual.keys()):
        if name not in actual:
            out.append(
                Difference("module-missing", name, name, expected=_module_summary(expected[name]))
            )
        elif name not in expected:
            out.append(Difference("module-extra", name, name, actual=_module_summary(actual[name])))
        else:
            out.extend(_diff_module(expected[name], actual[name]))
    return out


def diff_api(expected: Api, actual: Api) -> list[str]:
    """`differences`, as readable lines."""
    return [str(d) for d in differences(expected, actual)]


def _module_summary(module: Module) -> str:
    if module.syntax_error is not None:
        return f"module with a syntax error: {module.syntax_error}"
    names = [*module.classes, *module.functions, *module.aliases, *module.variables]
    return f"module defining {', '.join(sorted(names)) or 'nothing'}"


def _diff_module(exp: Module, act: Module) -> Iterator[Difference]:
    mod = exp.name
    if exp.syntax_error is not None or act.syntax_error is not None:
        if exp.syntax_error != act.syntax_error:
            yield Difference("syntax-error", mod, mod, "", exp.syntax_error, act.syntax_error)
        return
    if exp.all != act.all:
        yield Difference("all", mod, mod, "__all__", _names(exp.all), _names(act.all))
    yield from _diff_mapping(
        mod, mod, "class", exp.classes, act.classes, _class_summary, _diff_class
    )
    yield from _diff_mapping(
        mod, mod, "function", exp.functions, act.functions, Function.signature, _diff_function
    )
    for name in sorted(exp.aliases.keys() | act.aliases.keys()):
        e, a = exp.aliases.get(name), act.aliases.get(name)
        if e != a:
            kind = "alias" if e is not None and a is not None else _side("alias", e, a)
            yield Difference(kind, mod, f"{mod}.{name}", "", e, a)
    yield from _diff_attributes(mod, mod, "variable", exp.variables, act.variables)


def _side(what: str, expected: object, actual: object) -> str:
    return f"{what}-missing" if actual is None else f"{what}-extra"


def _names(names: tuple[str, ...] | None) -> str | None:
    return None if names is None else ", ".join(names)


def _diff_mapping(
    mod: str,
    where: str,
    what: str,
    exp: Mapping[str, _T],
    act: Mapping[str, _T],
    summary: Callable[[_T], str],
    diff: Callable[[str, str, _T, _T], Iterator[Difference]],
) -> Iterator[Difference]:
    for name in sorted(exp.keys() | act.keys()):
        path = f"{where}.{name}"
        if name not in act:
            yield Difference(f"{what}-missing", mod, path, expected=summary(exp[name]))
        elif name not in exp:
            yield Difference(f"{what}-extra", mod, path, actual=summary(act[name]))
        else:
            yield from diff(mod, path, exp[name], act[name])


def _class_summary(cls: Class) -> str:
    members = [a.name for a in cls.attributes] + list(cls.methods) + list(cls.classes)
    return f"class {cls.name}({', '.join(cls.bases)}): {', '.join(members) or 'no members'}"


def _diff_class(mod: str, where: str, exp: Class, act: Class) -> Iterator[Difference]:
    if exp.definitions != act.definitions:
        yield Difference(
            "redefinition",
            mod,
            where,
            "class statements",
            str(exp.definitions),
            str(act.definitions),
        )
    if exp.repaired != act.repaired:
        body = {True: "no body (a syntax error)", False: "a body"}
        yield Difference("class-body", mod, where, "", body[exp.repaired], body[act.repaired])
    for kind, e, a in (
        ("bases", exp.bases, act.bases),
        ("keywords", exp.keywords, act.keywords),
        ("decorators", exp.decorators, act.decorators),
    ):
        if e != a:
            yield Difference(kind, mod, where, "", ", ".join(e), ", ".join(a))
    exp_attrs = {a.name: a for a in exp.attributes}
    act_attrs = {a.name: a for a in act.attributes}
    yield from _diff_attributes(mod, where, "attribute", exp_attrs, act_attrs)
    common_exp = [name for name in exp_attrs if name in act_attrs]
    common_act = [name for name in act_attrs if name in exp_attrs]
    if common_exp != common_act:
        yield Difference(
            "attribute-order", mod, where, "", ", ".join(common_exp), ", ".join(common_act)
        )
    yield from _diff_mapping(
        mod, where, "function", exp.methods, act.methods, Function.signature, _diff_function
    )
    yield from _diff_mapping(
        mod, where, "class", exp.classes, act.classes, _class_summary, _diff_class
    )


def _attr(a: Attribute) -> str:
    ann = f": {a.annotation}" if a.annotation is not None else ""
    value = f" = {a.value}" if a.value is not None else ""
    return f"{a.name}{ann}{value}"


def _diff_attributes(
    mod: str, where: str, what: str, exp: Mapping[str, Attribute], act: Mapping[str, Attribute]
) -> Iterator[Difference]:
    """Missing, extra and changed attributes (or module variables), in the expected order."""
    for name in [*exp, *(n for n in act if n not in exp)]:
        path = f"{where}.{name}"
        e, a = exp.get(name), act.get(name)
        if a is None and e is not None:
            yield Difference(f"{what}-missing", mod, path, "", _attr(e), None)
        elif e is None and a is not None:
            yield Difference(f"{what}-extra", mod, path, "", None, _attr(a))
        elif e is not None and a is not None:
            if e.annotation != a.annotation:
                yield Difference("annotation", mod, path, "", e.annotation, a.annotation)
            if e.value != a.value:
                yield Difference("value", mod, path, "", e.value, a.value)


def _diff_function(mod: str, where: str, exp: Function, act: Function) -> Iterator[Difference]:
    if exp.definitions != act.definitions:
        yield Difference(
            "redefinition", mod, where, "def statements", str(exp.definitions), str(act.definitions)
        )
    if exp.is_async != act.is_async:
        yield Difference("async", mod, where, "", str(exp.is_async), str(act.is_async))
    if exp.decorators != act.decorators:
        yield Difference(
            "decorators", mod, where, "", ", ".join(exp.decorators), ", ".join(act.decorators)
        )
    if [p.kind for p in exp.params] != [p.kind for p in act.params]:
        yield Difference("signature", mod, where, "", exp.signature(), act.signature())
    else:
        for i, (e, a) in enumerate(zip(exp.params, act.params, strict=True)):
            detail = f"parameter {i + 1}"
            if e.name != a.name:
                yield Difference("parameter-name", mod, where, detail, e.name, a.name)
            if e.annotation != a.annotation:
                yield Difference(
                    "annotation", mod, where, f"{detail} ({e.name})", e.annotation, a.annotation
                )
            if e.has_default != a.has_default:
                yield Difference(
                    "default",
                    mod,
                    where,
                    f"{detail} ({e.name})",
                    str(e.has_default),
                    str(a.has_default),
                )
    if exp.returns != act.returns:
        yield Difference("return-annotation", mod, where, "", exp.returns, act.returns)


def function_at(api: Api, module: str, where: str) -> Function | None:
    """The function or method at dotted path `where` inside `module`, if any."""
    owner = class_at(api, module, where.rpartition(".")[0])
    name = where.rpartition(".")[2]
    if owner is not None:
        return owner.methods.get(name)
    mod = api.get(module)
    return mod.functions.get(name) if mod is not None and where == f"{module}.{name}" else None


def class_at(api: Api, module: str, where: str) -> Class | None:
    """The class at dotted path `where` inside `module`, if any."""
    mod = api.get(module)
    if mod is None or not where.startswith(module + "."):
        return None
    names = where[len(module) + 1 :].split(".")
    found = mod.classes.get(names[0])
    for name in names[1:]:
        found = found.classes.get(name) if found is not None else None
    return found


# ---------------------------------------------------------------- the reference tool


def find_componentize_py() -> str | None:
    """componentize-py beside this Python (the venv's), else on PATH."""
    beside = Path(sys.executable).parent / "componentize-py"
    return str(beside) if beside.exists() else shutil.which("componentize-py")


def componentize_py_bindings(exe: str, wit: Path, out: Path, world: str, *args: str) -> str | None:
    """Run `componentize-py -d WIT -w WORLD [ARGS] bindings OUT`; None on success, else the
    line of its stderr that says what failed (the Python exception it ends with)."""
    done = subprocess.run(
        [exe, "-q", "-d", str(wit), "-w", world, *args, "bindings", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "RUST_BACKTRACE": "0"},
    )
    if done.returncode == 0:
        return None
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    for line in lines:
        if re.match(r"[\w.]+(Error|Exception): ", line):
            return line
    return lines[-1] if lines else f"exit code {done.returncode}, no output"


# ---------------------------------------------------------------- world facts


@dataclass(frozen=True)
class WorldFacts:
    """What the WIT world says that an allowance needs to know: the modules and Protocols of
    inline interfaces, the keys of named imports, whether it uses `map` or `list<T, N>`, and
    the class names of the resources the world itself defines."""

    world_module: str = WORLD_MODULE
    inline_import_modules: frozenset[str] = frozenset()
    inline_export_modules: frozenset[str] = frozenset()
    inline_export_protocols: frozenset[str] = frozenset()
    named_imports: frozenset[str] = frozenset()
    uses_map: bool = False
    uses_fixed_list: bool = False
    world_resources: frozenset[str] = frozenset()


def world_facts(
    resolve: m.Resolve, world: m.WorldId, world_module: str = WORLD_MODULE
) -> WorldFacts:
    """The facts of one world of a resolved WIT graph."""
    from witgen import model as m
    from witgen.codegen.python import naming

    w = resolve.worlds[world]

    def interfaces(
        items: tuple[tuple[m.WorldKey, m.WorldItem], ...],
    ) -> list[tuple[m.WorldKey, m.InterfaceId]]:
        return [(k, item.id) for k, item in items if isinstance(item, m.WorldInterface)]

    def inline(items: list[tuple[m.WorldKey, m.InterfaceId]]) -> list[m.WorldKey]:
        return [
            k for k, iid in items if isinstance(k, str) and resolve.interfaces[iid].name is None
        ]

    imports, exports = interfaces(w.imports), interfaces(w.exports)
    import_modules = naming.interface_modules(resolve, imports)
    export_modules = naming.interface_modules(resolve, exports)
    kinds = [t.kind for t in resolve.types]
    return WorldFacts(
        world_module=world_module,
        inline_import_modules=frozenset(import_modules[k] for k in inline(imports)),
        inline_export_modules=frozenset(export_modules[k] for k in inline(exports)),
        inline_export_protocols=frozenset(
            naming.type_name(k) for k in inline(exports) if isinstance(k, str)
        ),
        named_imports=frozenset(
            k
            for k, iid in [*imports, *exports]
            if isinstance(k, str) and resolve.interfaces[iid].name is not None
        ),
        uses_map=any(isinstance(k, m.MapKind) for k in kinds),
        uses_fixed_list=any(isinstance(k, m.FixedList) for k in kinds),
        world_resources=frozenset(
            naming.type_name(k)
            for k, item in [*w.imports, *w.exports]
            if isinstance(k, str)
            and isinstance(item, m.WorldType)
            and isinstance(resolve.types[item.id].kind, m.Resource)
        ),
    )


# ---------------------------------------------------------------- allowances


class Context:
    """Both APIs and the world's facts, as an allowance sees them. When the reference tool
    failed, `expected` is empty and the one difference is a `reference-failed`."""

    def __init__(self, expected: Api, actual: Api, facts: WorldFacts) -> None:
        self.expected = expected
        self.actual = actual
        self.facts = facts

    @cached_property
    def builtin_rewrites(self) -> dict[str, str]:
        """Every definition of the expected API named after a builtin (a function `bytes`, a
        field `str`, a class `Exception`) → that builtin."""
        return {
            path: f"builtins.{name}"
            for path, name in _definitions(self.expected)
            if name in _BUILTIN_NAMES
        }

    @cached_property
    def helper_rewrites(self) -> dict[str, str]:
        """Every definition of the expected API that hides a name its module imports (a class
        `Optional` beside `from typing import Optional`) → what the import referred to."""
        out: dict[str, str] = {}
        for module in self.expected.values():
            for name, target in module.shadowed.items():
                out[f"{module.name}.{name}"] = target
        return out

    @cached_property
    def all_rewrites(self) -> dict[str, str]:
        return {**self.builtin_rewrites, **self.helper_rewrites}


def _definitions(api: Api) -> Iterator[tuple[str, str]]:
    """(dotted path, name) of every module-level and class-level definition."""

    def of_class(path: str, cls: Class) -> Iterator[tuple[str, str]]:
        for a in cls.attributes:
            yield f"{path}.{a.name}", a.name
        for name in cls.methods:
            yield f"{path}.{name}", name
        for name, inner in cls.classes.items():
            yield f"{path}.{name}", name
            yield from of_class(f"{path}.{name}", inner)

    for module in api.values():
        for names in (module.functions, module.aliases, module.variables):
            for name in names:
                yield f"{module.name}.{name}", name
        for name, cls in module.classes.items():
            yield f"{module.name}.{name}", name
            yield from of_class(f"{module.name}.{name}", cls)


_DOTTED_NAME = re.compile(r"[A-Za-z_?][\w.]*")


def rewrite(text: str, table: Mapping[str, str]) -> str:
    """`text` with every dotted name that is a key of `table` replaced by its value."""
    return _DOTTED_NAME.sub(lambda found: table.get(found.group(0), found.group(0)), text)


Predicate = Callable[[Difference, Context], bool]


@dataclass(frozen=True)
class Allowance:
    """A documented way witgen's guest bindings may differ from componentize-py 0.25.1's.
    `observable` is false for fixes outside the compared API (docstrings), which can never
    show as a difference; they are listed so the table is complete."""

    name: str
    description: str
    applies: Predicate
    observable: bool = True


def _reference_failed(*markers: str) -> Callable[[Difference], bool]:
    def failed(d: Difference) -> bool:
        return d.kind == "reference-failed" and any(mk in (d.expected or "") for mk in markers)

    return failed


def _map_as_dict(d: Difference, ctx: Context) -> bool:
    return ctx.facts.uses_map and _reference_failed("not yet implemented: Map(")(d)


def _fixed_length_list(d: Difference, ctx: Context) -> bool:
    return ctx.facts.uses_fixed_list and _reference_failed("not yet implemented: FixedLengthList(")(
        d
    )


def _named_imports(d: Difference, ctx: Context) -> bool:
    # componentize-py's WIT parser reads `import name: path;` as a package path and stops at `;`
    return bool(ctx.facts.named_imports) and _reference_failed("expected `/`, found ';'")(d)


def _inline_interfaces(d: Difference, ctx: Context) -> bool:
    wm = ctx.facts.world_module
    exports = f"{wm}.exports"
    import_modules = {f"{wm}.imports.{n}" for n in ctx.facts.inline_import_modules}
    export_modules = {f"{exports}.{n}" for n in ctx.facts.inline_export_modules}
    protocols = {f"{exports}.{n}" for n in ctx.facts.inline_export_protocols}
    owner = d.where.rpartition(".")[0]
    match d.kind:
        case "module-extra" if d.module in import_modules | export_modules:
            # an interface with no types of its own: componentize-py wrote no module for it
            return True
        case "module-extra" if d.module == f"{wm}.imports" and import_modules:
            # every imported interface is inline: the package only holds their modules
            module = ctx.actual[d.module]
            held = {name for name in ctx.actual if name.startswith(d.module + ".")}
            return _defines_nothing(module) and bool(held) and held <= import_modules
        case "module-extra" if d.module == exports and protocols:
            # every exported interface is inline, so componentize-py wrote no `exports` at all
            module = ctx.actual[exports]
            return (
                {f"{exports}.{name}" for name in module.classes} <= protocols
                and all(c.is_protocol for c in module.classes.values())
                and not (module.functions or module.aliases or module.variables)
            )
        case "class-extra" if d.where in protocols:
            cls = class_at(ctx.actual, exports, d.where)
            return cls is not None and cls.is_protocol
        case "function-extra":
            # componentize-py wrote the interface's types but not its functions: a module-level
            # function of an imported one, a method of an exported one's Protocol
            return (d.module in import_modules and owner == d.module) or owner in protocols
        case _:
            return False


def _defines_nothing(module: Module) -> bool:
    return not (module.classes or module.functions or module.aliases or module.variables)


def _self_cls_parameters(d: Difference, ctx: Context) -> bool:
    if d.kind != "parameter-name" or d.expected not in ("self", "cls"):
        return False
    if d.actual != f"{d.expected}_":
        return False
    function = function_at(ctx.expected, d.module, d.where)
    names = [p.name for p in function.params] if function is not None else []
    # only a second `self`/`cls` (beside the method's own) is a syntax error to be fixed
    return names.count(d.expected) > 1


def _rewrite_allowance(table: Callable[[Context], Mapping[str, str]]) -> Predicate:
    def applies(d: Difference, ctx: Context) -> bool:
        if d.kind not in TEXT_KINDS or d.expected is None or d.actual is None:
            return False
        own = table(ctx)
        if rewrite(d.expected, own) == d.expected:
            return False  # this allowance has nothing to say about the text
        # several fixes may meet in one annotation (`Optional[bytes]` with both hidden)
        rewritten = rewrite(d.expected, ctx.all_rewrites)
        if d.kind in TYPE_KINDS:
            # a helper the rewrite uncovers (`typing.Optional`) has a spelling of its own
            rewritten = type_spelling(rewritten)
        return rewritten == d.actual

    return applies


def _empty_resource_body(d: Difference, ctx: Context) -> bool:
    if d.kind != "class-body" or not d.module.startswith(f"{ctx.facts.world_module}.exports."):
        return False
    expected = class_at(ctx.expected, d.module, d.where)
    actual = class_at(ctx.actual, d.module, d.where)
    return (
        expected is not None
        and actual is not None
        and expected.repaired
        and not actual.repaired
        and actual.is_protocol
        and actual.is_empty()
    )


def _byte_stream_once(d: Difference, ctx: Context) -> bool:
    return (
        d.kind == "redefinition"
        and d.where == f"{ctx.facts.world_module}.byte_stream"
        and d.actual == "1"
        and int(d.expected or "0") > 1
    )


def _native_harness(d: Difference, ctx: Context) -> bool:
    native = f"{ctx.facts.world_module}.native"
    return d.kind == "module-extra" and (d.module == native or d.module.startswith(native + "."))


def _world_resources(d: Difference, ctx: Context) -> bool:
    wm = ctx.facts.world_module
    defined = {f"{wm}.{name}" for name in ctx.facts.world_resources}
    if d.kind == "class-extra":
        return d.module == wm and d.where in defined
    if d.kind not in TYPE_KINDS or d.expected is None or d.actual is None:
        return False
    # componentize-py names the class it never defined; nothing resolves the name
    unresolved = {f"?{name}": f"{wm}.{name}" for name in ctx.facts.world_resources}
    rewritten = rewrite(d.expected, unresolved)
    return rewritten != d.expected and type_spelling(rewritten) == d.actual


def _exported_resource_classes(d: Difference, ctx: Context) -> bool:
    """In the exports side, a resource of an interface the world both imports and exports is
    the app's exported class, and so are the records and variants holding one (componentize-py
    defines those on the exports side too): an exported function receives and returns them."""
    wm = ctx.facts.world_module
    exports = f"{wm}.exports"
    if d.kind not in TYPE_KINDS or d.expected is None or d.actual is None:
        return False
    if d.module != exports and not d.module.startswith(exports + "."):
        return False
    table: dict[str, str] = {}
    for name, module in ctx.actual.items():
        if not name.startswith(exports + "."):
            continue
        imported = f"{wm}.imports.{name.removeprefix(exports + '.')}"
        reference = ctx.expected.get(name)
        for cls in module.classes.values():
            export_side = cls.is_protocol or (
                reference is not None and cls.name in reference.classes
            )
            if export_side and imported in ctx.actual:
                table[f"{imported}.{cls.name}"] = f"{name}.{cls.name}"
        for alias in module.aliases:  # a variant holding one: `V = V_A | V_B`
            if reference is not None and alias in reference.aliases and imported in ctx.actual:
                table[f"{imported}.{alias}"] = f"{name}.{alias}"
    rewritten = rewrite(d.expected, table)
    return rewritten != d.expected and type_spelling(rewritten) == d.actual


_STREAM_ENDS = frozenset(
    {
        "componentize_py_async_support.streams.StreamWriter",
        "componentize_py_async_support.streams.StreamReader",
    }
)


def _precise_stream_payloads(d: Difference, ctx: Context) -> bool:
    if d.kind not in TYPE_KINDS or d.expected is None or d.actual is None:
        return False
    expected, actual = _parse_type(d.expected), _parse_type(d.actual)
    return (
        expected is not None
        and actual is not None
        and d.expected != d.actual
        and _equal_but_any_payloads(expected, actual)
    )


def _equal_but_any_payloads(expected: ast.AST, actual: ast.AST) -> bool:
    """`expected` and `actual` are the same tree, except that where `expected` has a stream
    end of payload `typing.Any`, `actual` may have the same end of any payload."""
    if (
        isinstance(expected, ast.Subscript)
        and isinstance(actual, ast.Subscript)
        and isinstance(expected.value, ast.Name)
        and expected.value.id in _STREAM_ENDS
        and isinstance(actual.value, ast.Name)
        and actual.value.id == expected.value.id
        and isinstance(expected.slice, ast.Name)
        and expected.slice.id == "typing.Any"
    ):
        return True
    if type(expected) is not type(actual):
        return False
    for name in expected._fields:
        e, a = getattr(expected, name, None), getattr(actual, name, None)
        if isinstance(e, list) and isinstance(a, list):
            if len(e) != len(a) or not all(
                _equal_but_any_payloads(x, y) if isinstance(x, ast.AST) else x == y
                for x, y in zip(e, a, strict=True)
            ):
                return False
        elif isinstance(e, ast.AST) and isinstance(a, ast.AST):
            if not _equal_but_any_payloads(e, a):
                return False
        elif e != a:
            return False
    return True


def _never(d: Difference, ctx: Context) -> bool:
    return False


ALLOWANCES: tuple[Allowance, ...] = (
    Allowance(
        "map-as-dict",
        "componentize-py panics on `map<K, V>`; witgen maps it to `Dict[K, V]`",
        _map_as_dict,
    ),
    Allowance(
        "fixed-length-list",
        "componentize-py panics on `list<T, N>`; witgen maps it to `List[T]`",
        _fixed_length_list,
    ),
    Allowance(
        "named-imports",
        "componentize-py cannot parse `import name: iface;`; witgen binds it as module `name`",
        _named_imports,
    ),
    Allowance(
        "inline-interfaces",
        "componentize-py drops inline interfaces (`import x: interface {...}`), so their "
        "functions are missing; witgen writes their modules and Protocols",
        _inline_interfaces,
    ),
    Allowance(
        "self-cls-parameters",
        "a WIT parameter `self` or `cls` beside a method's own is a duplicate argument in "
        "componentize-py's output; witgen names it `self_` or `cls_`",
        _self_cls_parameters,
    ),
    Allowance(
        "shadowed-helpers",
        "a type named like a helper the module imports (`optional`, `enum`, `self`, ...) hides "
        "that helper in componentize-py's output; witgen keeps the type's name and imports the "
        "helper under a private alias, so annotations and bases still mean the helper",
        _rewrite_allowance(lambda ctx: ctx.helper_rewrites),
    ),
    Allowance(
        "builtins-annotations",
        "a function, method or field named after a builtin (`bytes`, `str`, `type`) hides it in "
        "componentize-py's later annotations; witgen writes `builtins.bytes` there",
        _rewrite_allowance(lambda ctx: ctx.builtin_rewrites),
    ),
    Allowance(
        "empty-resource-body",
        "componentize-py writes an exported resource with no members as a class with no body "
        "(a syntax error); witgen gives the Protocol a body",
        _empty_resource_body,
    ),
    Allowance(
        "byte-stream-once",
        "componentize-py writes `byte_stream` once per byte-like stream type (`stream<u8>` "
        "and `stream<s8>`); witgen defines it once",
        _byte_stream_once,
    ),
    Allowance(
        "native-harness",
        "witgen adds the package's `native` modules for testing guests without wasm",
        _native_harness,
    ),
    Allowance(
        "world-resources",
        "componentize-py never defines the class of a resource the world itself defines "
        "(`world w { resource x; ... }`), so its annotations name nothing; witgen defines the "
        "class in the world module and annotations refer to it",
        _world_resources,
    ),
    Allowance(
        "exported-resource-classes",
        "for an interface both imported and exported, componentize-py annotates the export "
        "side's functions with the imported module's resource class, although an exported "
        "function receives and returns the app's exported resource objects; witgen names the "
        "exported class",
        _exported_resource_classes,
    ),
    Allowance(
        "precise-stream-payloads",
        "componentize-py writes some stream ends as `StreamWriter[Any]`/`StreamReader[Any]` "
        "(the `stream<tcp-socket>` of WASI 0.3 sockets); witgen gives the payload's type",
        _precise_stream_payloads,
    ),
    Allowance(
        "raises-paths",
        "componentize-py names modules that do not exist in `Raises:` docstrings; witgen names "
        "the real type (docstrings are outside the compared API)",
        _never,
        observable=False,
    ),
    Allowance(
        "member-docstrings",
        "componentize-py drops the docs of record fields, variant cases, enum cases and flags; "
        "witgen keeps them as attribute docstrings (outside the compared API)",
        _never,
        observable=False,
    ),
)


@dataclass
class Comparison:
    """Every difference, which allowances explain which, and what nothing explains."""

    differences: list[Difference]
    allowed: dict[str, list[Difference]]
    unexplained: list[Difference]

    @property
    def identical(self) -> bool:
        return not self.differences

    def report(self) -> str:
        lines = [f"  {d}" for d in self.unexplained]
        if self.allowed:
            counts = ", ".join(f"{k} ×{len(v)}" for k, v in self.allowed.items())
            lines.append(f"  (allowed: {counts})")
        return "\n".join(lines)


def classify(
    found: Iterable[Difference],
    ctx: Context,
    allowances: Sequence[Allowance] = ALLOWANCES,
) -> Comparison:
    """Sort `found` into differences some allowance explains and the rest."""
    found = list(found)
    allowed: dict[str, list[Difference]] = {}
    unexplained: list[Difference] = []
    for d in found:
        names = [a.name for a in allowances if a.applies(d, ctx)]
        for name in names:
            allowed.setdefault(name, []).append(d)
        if not names:
            unexplained.append(d)
    return Comparison(found, allowed, unexplained)


def compare(expected: Api, actual: Api, facts: WorldFacts | None = None) -> Comparison:
    """`differences(expected, actual)`, classified by the allowances."""
    ctx = Context(expected, actual, facts or WorldFacts())
    return classify(differences(expected, actual), ctx)


def reference_failure(world: str, message: str, facts: WorldFacts, actual: Api) -> Comparison:
    """The reference tool failed on `world`: one `reference-failed` difference, classified."""
    failed = Difference("reference-failed", "", world, "", message, None)
    return classify([failed], Context({}, actual, facts))
