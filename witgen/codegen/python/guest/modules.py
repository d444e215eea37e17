"""The code of one generated guest module while it is assembled, and what that code needs.

Input: the `WorldPlan` and one `ModulePlan`. Output: a `ModuleCode` that spells names as that
module sees them (helpers, builtins, the classes of other modules) and records, while code
is being built, what the module must import: the helpers it used and the other generated
modules it refers to, with the alias of each.

Invariants: generated code names a helper, a builtin or another module only through
`helper`, `builtin`, `ref` and `qualify`, so a module's imports follow from what was built;
an annotation means what componentize-py's means, spelled as today's linters want it
(`list[str]`, `int | None` for componentize-py's `List[str]`, `Optional[int]`; `Self` inside
a resource's own class), and where a WIT name would shadow what it needs, a helper is
imported under a private alias, and a builtin is written `builtins.X` in the scope (the
module, or one class) that shadows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from witgen import model as m
from witgen.codegen.python import naming, protocols, type_views
from witgen.codegen.python.guest.planning import BUILTINS, HELPERS, ModulePlan, WorldPlan
from witgen.codegen.python.guest.viewmodels import ItemVM
from witgen.codegen.python.layout import Expr

# The module that defines `Some`, `Ok`, `Err` and `Result`, written beside the world module.
TYPES_MODULE = "componentize_py_types"

# The native harness's package under the world module (`ref` key of a module calling it).
NATIVE = "native"

# componentize-py raises the error of a function whose own result is a `result` type, named
# (`type r = result<…>` defines one) or not; through an alias (`type r2 = r`, or `use` of
# `r`) the function returns an `Ok` or `Err` value, as a `result` anywhere else holds.
RAISED_THROUGH_ALIASES = 0


class ModuleCode:
    """One generated module under assembly: its items and what they use."""

    def __init__(self, plan: WorldPlan, names: ModulePlan) -> None:
        self.plan = plan
        self.names = names
        self.items: list[ItemVM] = []
        # Helpers (`Enum`, `dataclass`, `builtins`, …) the code uses.
        self.used: set[str] = set()
        # Other generated modules the code refers to: dotted path → alias.
        self.refs: dict[str, str] = {}
        self._aliases = naming.Scope(
            names.scope.taken | names.members | set(names.helpers.values())
        )
        # Builtins a top-level name shadows everywhere in the module.
        self._module_shadowed = BUILTINS & names.scope.taken

    # ------------------------------------------------------------ names as this module sees them

    def helper(self, name: str) -> str:
        """A helper's spelling in this module; records that it is imported."""
        assert name in HELPERS, name
        self.used.add(name)
        return self.names.helpers[name]

    def builtin(self, name: str, shadowed: Iterable[str] = ()) -> str:
        """A builtin's spelling in a class whose members are `shadowed` (or at top level)."""
        assert name in BUILTINS, name
        if name in self._module_shadowed or name in shadowed:
            return f"{self.helper('builtins')}.{name}"
        return name

    def ref(self, dotted: str, private: str | None = None) -> str:
        """The name this module imports another generated module under: the module's own
        name (`fs`), or a private alias when a name of this module would shadow it (or
        always `private`, when given)."""
        if dotted not in self.refs:
            plain = dotted.rsplit(".", 1)[-1]
            free = plain not in self._aliases.taken
            wanted = private or (plain if free else "_" + plain)
            self.refs[dotted] = self._aliases.claim(wanted)
        return self.refs[dotted]

    def qualify(
        self, tid: m.TypeId, own: m.TypeId | None = None, instance: ModulePlan | None = None
    ) -> str:
        """The class of nominal type `tid` as this module spells it; `Self` for `own`, the
        resource whose class is being written (`instance`: see `WorldPlan.class_of`)."""
        if own is not None and tid == own:
            return self.helper("Self")
        target, cls = self.plan.class_of(tid, self.names, instance)
        return cls if target == self.names.dotted else f"{self.ref(target)}.{cls}"

    def spell(self, shadowed: Iterable[str]) -> Callable[[str], str]:
        """How annotations in a scope whose names are `shadowed` spell a helper or builtin."""
        shadowed = frozenset(shadowed)

        def spell(name: str) -> str:
            return self.builtin(name, shadowed) if name in BUILTINS else self.helper(name)

        return spell

    def annotation(
        self,
        ty: m.Type | None,
        shadowed: Iterable[str] = (),
        own: m.TypeId | None = None,
        instance: ModulePlan | None = None,
    ) -> Expr:
        """The annotation of `ty` in a scope shadowing `shadowed` (inside `own`'s class)."""
        return type_views.annotation(
            self.plan.resolve,
            ty,
            qualify=lambda tid: self.qualify(tid, own, instance),
            spell=self.spell(shadowed),
            pep604=True,
        )

    def signatures(
        self, own: m.TypeId | None = None, instance: ModulePlan | None = None
    ) -> protocols.Signatures:
        """Signatures and docs of functions written in this module (inside `own`'s class)."""
        return protocols.Signatures(
            self.plan.resolve,
            lambda ty, shadowed: self.annotation(ty, shadowed, own, instance),
            self.error_value,
            aliases=RAISED_THROUGH_ALIASES,
        )

    def qualified_annotation(self, ty: m.Type | None) -> str:
        """The annotation with every class named by its full module path (for docs)."""

        def qualify(tid: m.TypeId) -> str:
            target, cls = self.plan.class_of(tid, self.names)
            return ".".join(p for p in (self.plan.world_module, target, cls) if p)

        resolve = self.plan.resolve
        return type_views.annotation(resolve, ty, qualify=qualify, spell=str, pep604=True).flat

    def error_value(self, err: m.Type | None) -> str:
        """`componentize_py_types.Err(<type>)`, for the `Raises:` line of a docstring."""
        return f"{TYPES_MODULE}.Err({self.qualified_annotation(err)})"
