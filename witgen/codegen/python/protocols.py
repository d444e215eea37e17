"""The Protocols a host implements for a world's imports: members, signatures, view models.

Input: the functions of an imported interface (or of the world itself), and per generated
module a `Signatures` that spells types there. Output: the names of the host's methods
(freestanding functions, constructors and statics as `Host` methods; resource methods on the
resource's own Protocol) and the frozen view models of the `Host` Protocol (`host.j2`), a
resource's Protocol, and the `<World>Imports` Protocol. Shared by the host, guest and native
generators, which all describe the same host objects.

Invariants: member names are unique within their class (`naming.Scope`), builtins a member
shadows are spelled `builtins.X` in that class's annotations, and a function whose own result
is a `result` returns its `ok` type and raises `Err` with the `err` type, as the docstring
says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from witgen import model as m
from witgen.codegen.python import layout, naming
from witgen.codegen.python.layout import Expr
from witgen.codegen.python.type_views import doc_text


@dataclass(frozen=True, slots=True, kw_only=True)
class MethodStub:
    """A Protocol method the host implements: signature and docstring."""

    signature: str
    doc: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class HostProtocol:
    """The `Host` Protocol of an imported interface."""

    template: str = "host.j2"
    name: str
    protocol: str
    doc: str
    methods: tuple[MethodStub, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceProtocol:
    """The Protocol of an imported resource: its methods and `drop`."""

    name: str
    doc: str | None
    runtime_checkable: str
    protocol: str
    methods: tuple[MethodStub, ...]
    drop: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportsProtocol:
    """`<World>Imports`: one property per interface with a `Host`, one method per function."""

    name: str
    doc: str
    protocol: str
    properties: tuple[MethodStub, ...]
    methods: tuple[MethodStub, ...]


# ---------------------------------------------------------------- functions


def raised(
    resolve: m.Resolve, f: m.Function, *, aliases: int | None = None
) -> tuple[m.TypeId, m.Type | None] | None:
    """(result type, error type) when the function's own result is a `result`, seen
    through at most `aliases` levels of `type x = …` (any number when None)."""
    if f.result is None:
        return None
    res = f.result
    if aliases is None:
        res = resolve.dealias(res)
    else:
        for _ in range(aliases):
            kind = None if isinstance(res, str) else resolve.types[res].kind
            if not isinstance(kind, m.Alias):
                break
            res = kind.type
    if isinstance(res, str):
        return None
    kind = resolve.types[res].kind
    if isinstance(kind, m.ResultKind):
        return res, kind.err
    return None


def function_resource(resolve: m.Resolve, f: m.Function) -> m.TypeId:
    """The resource a method, constructor or static function belongs to."""
    assert f.kind.resource is not None
    res = resolve.dealias(f.kind.resource)
    assert not isinstance(res, str)
    return res


def resource_functions(
    resolve: m.Resolve, funcs: Iterable[m.Function], tid: m.TypeId
) -> list[m.Function]:
    """The functions of `funcs` that belong to resource `tid`, in order."""
    return [
        f
        for f in funcs
        if f.kind.resource is not None and resolve.dealias(f.kind.resource) == resolve.dealias(tid)
    ]


def hook_names(
    resolve: m.Resolve, funcs: Iterable[m.Function], scope: naming.Scope
) -> dict[str, str]:
    """Host-method names (by WIT function name) of freestanding functions, then of
    constructors (`<resource>_new`) and statics (`<resource>_<name>`)."""
    funcs = list(funcs)
    out: dict[str, str] = {}
    for f in funcs:
        if f.kind.name in ("freestanding", "async-freestanding"):
            out[f.name] = scope.claim(naming.func_name(f.name))
    for f in funcs:
        if f.kind.resource is None or f.kind.name in ("method", "async-method"):
            continue
        rname = naming.snake(resolve.types[function_resource(resolve, f)].name or "")
        suffix = "new" if f.kind.name == "constructor" else naming.snake(f.item_name)
        out[f.name] = scope.claim(naming.escape(f"{rname}_{suffix}"))
    return out


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter of a generated method: the WIT parameter, its name and annotation."""

    wit: m.Param
    name: str
    annotation: Expr


class Signatures:
    """How one generated module writes the signatures and docs of WIT functions.

    `annotate(type, shadowed)` is the module's annotation of a type inside a class whose
    members shadow the builtins `shadowed`; `error_value(err)` spells `Err(<err>)` fully
    qualified, for the `Raises:` line of a docstring. A function's own `result` is raised
    when seen through at most `aliases` levels of aliases (any number when None). With
    `awaitable` set, the stub of an async function returns `awaitable(result annotation)`
    (the native harness lets a host's method return the value or an awaitable of it).
    """

    def __init__(
        self,
        resolve: m.Resolve,
        annotate: Callable[[m.Type | None, frozenset[str]], Expr],
        error_value: Callable[[m.Type | None], str],
        *,
        aliases: int | None = None,
    ) -> None:
        self.resolve = resolve
        self.annotate = annotate
        self.error_value = error_value
        self.aliases = aliases
        self.awaitable: Callable[[Expr], Expr] | None = None

    def params(self, f: m.Function, shadowed: frozenset[str], skip_self: bool) -> list[Parameter]:
        """The parameters, without the receiver of a method when `skip_self`."""
        params = f.params[1:] if skip_self else f.params
        scope = naming.Scope({"self"})
        return [
            Parameter(p, scope.claim(naming.param_name(p.name)), self.annotate(p.type, shadowed))
            for p in params
        ]

    def returns(self, f: m.Function, shadowed: frozenset[str]) -> Expr:
        """The return annotation: the `ok` type when the function raises its `err`."""
        found = raised(self.resolve, f, aliases=self.aliases)
        if found is not None:
            kind = self.resolve.types[found[0]].kind
            assert isinstance(kind, m.ResultKind)
            return self.annotate(kind.ok, shadowed)
        return self.annotate(f.result, shadowed)

    def doc(self, f: m.Function) -> str | None:
        """The function's docs, followed by what it raises when its result is a `result`."""
        doc = doc_text(f.docs)
        found = raised(self.resolve, f, aliases=self.aliases)
        if found is None:
            return doc
        raises = f"Raises: `{self.error_value(found[1])}`"
        return f"{doc}\n\n{raises}" if doc else raises

    def stub(
        self, f: m.Function, name: str, shadowed: frozenset[str], skip_self: bool
    ) -> MethodStub:
        """A Protocol method (`def name(self, …) -> T: ...`, or with a docstring)."""
        params: list[tuple[str, Expr | None]] = [("self", None)]
        params += [(p.name, p.annotation) for p in self.params(f, shadowed, skip_self)]
        returns = self.returns(f, shadowed)
        if f.is_async and self.awaitable is not None:
            returns = self.awaitable(returns)
        doc = self.doc(f)
        signature = layout.signature(name, params, returns, indent=4, stub=doc is None)
        return MethodStub(signature=signature, doc=doc)


# ---------------------------------------------------------------- the Protocols


def host_methods(
    signatures: Signatures, funcs: Iterable[m.Function], hooks: dict[str, str]
) -> tuple[MethodStub, ...]:
    """The methods of an interface's `Host` Protocol: the functions named by `hooks`."""
    shadowed = naming.shadowed_builtins(hooks.values())
    return tuple(
        signatures.stub(f, hooks[f.name], shadowed, skip_self=False)
        for f in funcs
        if f.name in hooks
    )


def resource_method_names(
    resolve: m.Resolve, funcs: Iterable[m.Function], tid: m.TypeId
) -> dict[str, str]:
    """The names of resource `tid`'s methods on its Protocol, by WIT function name (`drop`
    is the Protocol's own: a method of that name becomes `drop_`)."""
    scope = naming.Scope({"drop"})
    return {
        f.name: scope.claim(naming.func_name(f.item_name))
        for f in resource_functions(resolve, funcs, tid)
        if f.kind.name in ("method", "async-method")
    }


def resource_protocol(
    signatures: Signatures,
    funcs: Iterable[m.Function],
    tid: m.TypeId,
    *,
    name: str,
    runtime_checkable: str,
    protocol: str,
) -> tuple[ResourceProtocol, dict[str, str]]:
    """The Protocol of resource `tid`, and its method names by WIT function name."""
    resolve = signatures.resolve
    funcs = list(funcs)
    by_wit = resource_method_names(resolve, funcs, tid)
    methods = [f for f in funcs if f.name in by_wit]
    names = list(by_wit.values())
    shadowed = naming.shadowed_builtins([*names, "drop"])
    stubs = tuple(
        signatures.stub(f, n, shadowed, skip_self=True) for f, n in zip(methods, names, strict=True)
    )
    view = ResourceProtocol(
        name=name,
        doc=doc_text(resolve.types[tid].docs),
        runtime_checkable=runtime_checkable,
        protocol=protocol,
        methods=stubs,
        drop="drop",
    )
    return view, by_wit
