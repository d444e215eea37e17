"""The code of one generated module while it is assembled, and what that code needs.

Input: the `WorldPlan` and one `ModulePlan`. Output: a `ModuleCode` that spells names as that
module sees them (helpers, builtins, classes of other modules, the runtime) and records,
while code is being built, what the module must import: the helpers it used, the other
generated modules it refers to, and whether it uses the runtime module `_rt`.

Invariants: generated code names a helper, another module or the runtime only through
`helper`, `ref`, `qualify` and `runtime` (or `mark_runtime`, for a template that names the
runtime itself), so the imports follow from what was built and nothing searches the
rendered text; the conversion functions a module defines are named once each, in the order
they are first demanded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

from witgen import model as m
from witgen.codegen.python import layout, naming, protocols, type_views
from witgen.codegen.python.host.planning import HELPERS, ModulePlan, Side, WorldPlan
from witgen.codegen.python.host.viewmodels import ConversionVM, ItemVM
from witgen.codegen.python.layout import Atom, Expr, Subscript

# What the runtime takes for a byte list (`_rt.bytes_`), besides `bytes`.
BYTE_BUFFERS = ("bytearray", "memoryview")


def shadowed_by_members(members: Iterable[str]) -> frozenset[str]:
    """The builtins that class members named `members` shadow in the annotations of the
    export wrappers, which also name `bytearray` and `memoryview`."""
    members = frozenset(members)
    return naming.shadowed_builtins(members) | (members & frozenset(BYTE_BUFFERS))


Direction = Literal["lower", "lift"]


class ModuleCode:
    """One generated module under assembly: its items and what they use."""

    def __init__(self, plan: WorldPlan, names: ModulePlan) -> None:
        self.plan = plan
        self.names = names
        # Helpers (`Enum`, `Protocol`, `dataclass`, …) and `builtins` its code uses.
        self.used: set[str] = set()
        # Other generated modules its code refers to: dotted path → private alias.
        self.refs: dict[str, str] = {}
        self.uses_runtime = False
        self.items: list[ItemVM] = []
        # Conversion functions defined here: (type, direction) → name, and their code.
        self.conversions: dict[tuple[m.TypeId, Direction], str] = {}
        self.conversion_items: list[ConversionVM] = []
        self.conversion_scope = naming.Scope()
        self.signatures = protocols.Signatures(plan.resolve, self.annotation, self._error_value)

    @property
    def dotted(self) -> str:
        return self.names.dotted

    @property
    def side(self) -> Side:
        return self.names.side

    # ------------------------------------------------------------ names as this module sees them

    def helper(self, name: str) -> str:
        """A helper's spelling in this module; records that it is imported."""
        self.used.add(name)
        return self.names.helpers.get(name, name)

    def runtime(self, name: str) -> str:
        """`_rt.name`; records that the module imports the runtime."""
        self.uses_runtime = True
        return f"_rt.{name}"

    def mark_runtime(self) -> None:
        """Record that a template of this module names the runtime (`_rt.State`, …)."""
        self.uses_runtime = True

    def builtin(self, name: str, shadowed: frozenset[str]) -> str:
        """A builtin's spelling in a class body whose members shadow `shadowed`."""
        if name in shadowed:
            self.used.add("builtins")
            return f"builtins.{name}"
        return name

    def ref(self, dotted: str) -> str:
        """The private alias this module imports another generated module under."""
        alias = "_" + dotted[0] + "_" + dotted.split(".", 1)[1]
        self.refs[dotted] = alias
        return alias

    def qualify(self, tid: m.TypeId) -> str:
        """The class of nominal type `tid` as this module spells it."""
        target, cls = self.plan.class_name(tid, self.side)
        return cls if target == self.dotted else f"{self.ref(target)}.{cls}"

    def spell(self, shadowed: frozenset[str]) -> Callable[[str], str]:
        """How annotations in a class body whose members shadow `shadowed` spell a name."""

        def spell(name: str) -> str:
            if name in shadowed:
                return self.builtin(name, shadowed)
            return self.helper(name) if name in HELPERS else name

        return spell

    def annotation(self, ty: m.Type | None, shadowed: frozenset[str] = frozenset()) -> Expr:
        """The annotation of `ty` in this module (in a class body shadowing `shadowed`)."""
        return type_views.annotation(
            self.plan.resolve, ty, qualify=self.qualify, spell=self.spell(shadowed), pep604=True
        )

    def argument(self, ty: m.Type | None, shadowed: frozenset[str] = frozenset()) -> Expr:
        """The annotation of an argument the bindings check and lower: `annotation`, except
        that a byte list takes what the runtime takes (`bytes | bytearray | memoryview`)
        wherever nothing invariant holds it: at the top, in an option or in a tuple."""
        resolve = self.plan.resolve
        target = resolve.dealias(ty) if ty is not None else None
        if target is None or isinstance(target, str):
            return self.annotation(ty, shadowed)
        spell = self.spell(shadowed)
        match resolve.types[target].kind:
            case m.ListKind(type=elem) if resolve.dealias(elem) in ("u8", "s8"):
                names = ("bytes", *BYTE_BUFFERS)
                return layout.union(*(Atom(spell(n)) for n in names))
            case m.OptionKind(type=inner) if not type_views.is_option(resolve, inner):
                return layout.union(self.argument(inner, shadowed), Atom("None"))
            case m.TupleKind(types=types) if types:
                return Subscript(spell("tuple"), tuple(self.argument(t, shadowed) for t in types))
            case _:
                return self.annotation(ty, shadowed)

    def abstract(self, members: Iterable[str]) -> str:
        """`abstractmethod` as a class body with `members` spells it: through the runtime
        when a member of that name shadows the import."""
        if "abstractmethod" in members:
            return self.runtime("abstractmethod")
        return self.helper("abstractmethod")

    def qualified_annotation(self, ty: m.Type | None, *, package: bool) -> str:
        """The annotation with every class named by its module: under the package's name
        (`notes.imports.fs.FsError`), for docs, or else relative to it, for messages."""

        def qualify(tid: m.TypeId) -> str:
            target, cls = self.plan.class_name(tid, self.side)
            parts = [self.plan.package] if package else []
            parts += [target] if target else []
            return ".".join([*parts, cls])

        resolve = self.plan.resolve
        return type_views.annotation(resolve, ty, qualify=qualify, spell=str, pep604=True).flat

    def _error_value(self, err: m.Type | None) -> str:
        return f"{self.plan.package}.Err({self.qualified_annotation(err, package=True)})"
