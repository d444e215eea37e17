"""Planning guest bindings: which modules exist, where each type's class lives, every name.

Input: a `model.Resolve`, the id of a world and `GuestOptions`. Output: a `WorldPlan`: the
world module's dotted name and class, one `ModulePlan` per generated module (`""` for the
world module, `exports` for the package of exported interfaces' Protocols, `imports.<m>` and
`exports.<m>`) holding the classes, functions and Protocols it defines, and the diagnostics
of generating the bindings.

Invariants:
- Modules and names follow componentize-py's rules, so an app written against these
  bindings builds unchanged: interface modules are named by `naming.interface_modules`; an
  imported interface has a module when it has functions or classes to hold; an exported one
  has a module (and a Protocol in `exports`) on the same condition, counting only the
  classes that live on the export side.
- An interface both imported and exported keeps its types in `imports.<m>`, except its
  resources (Protocols on the export side) and the types holding them, which the export side
  defines again in `exports.<m>`: an exported function receives the app's own resource
  objects, never the imported class.
- An interface imported or exported under a name (`import primary: store;`) is an instance
  of its own: its module defines the interface's types itself (on the export side, those the
  export side defines), and a named export's Protocol refers to them; code elsewhere refers
  to the module of the plain import or export, else of the first named one.
- Streams and futures are made by componentize-py's constructors (`byte_stream()`,
  `<t>_stream()`, `<t>_future(default)`), one per element type as componentize-py mangles
  it: in the world module for the anonymous stream and future types the world reaches, in
  type-id order; in the defining module, among its types, for named ones.
- Every name a module defines at its top level is claimed here, before anything is
  assembled; two things needing one name is WIT401. The names of every class member are
  known too, so a helper that any of them would shadow is imported under a private alias.
- Options are checked first (WIT402), then names; an exported interface whose module name
  is a standard-library module is WIT408, a warning (the app must define a top-level module
  of that name for its resources).
"""

from __future__ import annotations

import keyword
import sys
from dataclasses import dataclass
from typing import assert_never

from witgen import model as m
from witgen.codegen.python import naming, protocols, type_views
from witgen.codegen.python.sides import ClassSides, Side
from witgen.text.diagnostics import Diagnostic, Note, Severity, error, warning
from witgen.text.source import Span

NAME_CLASH = "WIT401"
BAD_NAME = "WIT402"
STDLIB_MODULE = "WIT408"

# Names the generated modules import (by what they are called in their source module); a
# module in which a WIT name takes one of them imports it under a private alias.
HELPERS = frozenset(
    {"Any", "Awaitable", "ByteStreamReader", "ByteStreamWriter", "Callable", "Enum", "Flag",
     "FutureReader", "FutureWriter", "Protocol", "Result", "Self", "Some", "StreamReader",
     "StreamWriter", "TYPE_CHECKING", "TracebackType", "TypeVar", "abstractmethod", "auto",
     "builtins", "dataclass", "runtime_checkable"}
)  # fmt: skip

# Builtins the generated code names; where a WIT name shadows one it is spelled `builtins.X`.
BUILTINS = frozenset(
    {"BaseException", "bool", "bytes", "classmethod", "dict", "float", "int", "list", "str",
     "tuple", "type"}
)  # fmt: skip

DEFAULT_WORLD_MODULE = "wit_world"


@dataclass(frozen=True, slots=True, kw_only=True)
class GuestOptions:
    """Options of `generate`, as componentize-py's options of the same names."""

    # The dotted name of the package holding the bindings (`--world-module`).
    world_module: str = DEFAULT_WORLD_MODULE
    # Name every interface module `ns_pkg_iface[_version]`, unique or not (`--full-names`).
    full_names: bool = False
    # (world key name, module name) renames of imported and of exported interfaces
    # (`--import-interface-name` and `--export-interface-name`).
    import_names: tuple[tuple[str, str], ...] = ()
    export_names: tuple[tuple[str, str], ...] = ()
    # Write `native/`, and make imported functions call the host it installs (`--no-native`
    # turns both off: imported functions then raise `NotImplementedError`).
    native: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class InterfacePlan:
    """An interface the world imports or exports, and the module named after it."""

    key: m.WorldKey
    iid: m.InterfaceId
    side: Side
    # The module's name under `imports.`/`exports.`, and the world key's name.
    module: str
    label: str

    @property
    def dotted(self) -> str:
        return f"{self.side}s.{self.module}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Constructor:
    """A function of the world module that makes a stream or future: `byte_stream()`, a
    `<t>_stream()` or a `<t>_future(default)`, for one element type."""

    name: str
    future: bool
    # The element type (None for a `stream` or `future` without one); unused by `byte_stream`.
    element: m.Type | None


class ModulePlan:
    """The names one generated module defines."""

    def __init__(self, dotted: str, side: Side, iface: InterfacePlan | None) -> None:
        self.dotted = dotted  # "", "exports", "imports.fs", "exports.editor"
        self.side = side
        self.iface = iface
        # The nominal types it defines, in type-id order, with their classes.
        self.classes: dict[m.TypeId, str] = {}
        self.cases: dict[tuple[m.TypeId, str], str] = {}
        # The constructors of the named stream and future types it defines.
        self.constructors: dict[m.TypeId, Constructor] = {}
        # Module-level functions, by WIT name (imported functions).
        self.functions: dict[str, str] = {}
        # Protocols: the world class (world module), one per exported interface (`exports`).
        self.protocols: dict[str, str] = {}
        # Names defined at the top level, and the names of every class member.
        self.scope = naming.Scope()
        self.members: set[str] = set()
        # How the module spells each helper (`Enum`, or `_Enum` when a WIT name took it).
        self.helpers: dict[str, str] = {}


class WorldPlan:
    """Everything decided about one world's guest bindings before code is assembled."""

    def __init__(self, resolve: m.Resolve, wid: m.WorldId, options: GuestOptions) -> None:
        self.resolve = resolve
        self.options = options
        self.world = resolve.worlds[wid]
        self.world_module = options.world_module
        self.world_class = ""
        self.diagnostics: list[Diagnostic] = []
        self.imports: list[InterfacePlan] = []
        self.exports: list[InterfacePlan] = []
        self.import_functions: list[m.Function] = []
        self.export_functions: list[m.Function] = []
        self.world_types: list[m.TypeId] = []
        self.modules: dict[str, ModulePlan] = {}
        self.constructors: list[Constructor] = []
        # The native harness's host member of each imported function, per module (made
        # once, by `native`).
        self.host_hooks: dict[str, dict[str, str]] = {}
        # Where references from other modules find an interface's types, per side.
        self._homes: dict[tuple[m.InterfaceId, Side], str] = {}
        self.class_sides = ClassSides(resolve, (), ())
        self._check_options()
        if self.has_errors:
            return
        self._collect()
        if self.has_errors:
            return
        self._plan_modules()
        if self.has_errors:
            return
        self._warn_stdlib_modules()

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    # ------------------------------------------------------------ options

    def _check_options(self) -> None:
        parts = self.world_module.split(".")
        if not all(_is_module_name(p) for p in parts):
            message = f"`{self.world_module}` is not a valid Python module name"
            help_ = Note("a world module is a dotted name of identifiers, such as `my_app.wit`")
            self.diagnostics.append(error(BAD_NAME, message, Span.UNKNOWN, help_))
        for option, renames in (
            ("--import-interface-name", self.options.import_names),
            ("--export-interface-name", self.options.export_names),
        ):
            for key, name in renames:
                if not _is_module_name(name):
                    message = f"`{name}` (given for `{key}` by {option}) is not a valid module name"
                    self.diagnostics.append(error(BAD_NAME, message, Span.UNKNOWN))

    # ------------------------------------------------------------ world items

    def _collect(self) -> None:
        sides: tuple[tuple[Side, tuple[tuple[m.WorldKey, m.WorldItem], ...]], ...] = (
            ("import", self.world.imports),
            ("export", self.world.exports),
        )
        for side, items in sides:
            ifaces = [(key, item.id) for key, item in items if isinstance(item, m.WorldInterface)]
            renames = dict(
                self.options.import_names if side == "import" else self.options.export_names
            )
            modules = naming.interface_modules(
                self.resolve, ifaces, renames, full_names=self.options.full_names
            )
            seen: dict[str, str] = {}
            for key, item in items:
                match item:
                    case m.WorldInterface(id=iid):
                        label = self.resolve.world_key_name(key)
                        module = modules[key]
                        if module in seen:
                            message = (
                                f"interfaces `{seen[module]}` and `{label}` would both be the "
                                f"module `{side}s.{module}`"
                            )
                            help_ = Note(f"rename one with `--{side}-interface-name {label}=NAME`")
                            self.diagnostics.append(error(NAME_CLASH, message, Span.UNKNOWN, help_))
                        seen[module] = label
                        plan = InterfacePlan(
                            key=key, iid=iid, side=side, module=module, label=label
                        )
                        (self.imports if side == "import" else self.exports).append(plan)
                    case m.WorldFunction(function=f):
                        (
                            self.import_functions if side == "import" else self.export_functions
                        ).append(f)
                    case m.WorldType(id=tid):
                        self.world_types.append(tid)
                    case _:
                        assert_never(item)
        for side, plans in (("import", self.imports), ("export", self.exports)):
            # the plain import (keyed by the interface itself) wins over named ones
            for plan in sorted(plans, key=lambda p: isinstance(p.key, str)):
                self._homes.setdefault((plan.iid, side), plan.dotted)
        self.class_sides = ClassSides(
            self.resolve, {p.iid for p in self.imports}, {p.iid for p in self.exports}
        )

    # ------------------------------------------------------------ where types live

    def interface_of(self, tid: m.TypeId) -> m.InterfaceId | None:
        owner = self.resolve.types[tid].owner
        match owner:
            case m.OwnerInterface(id=iid):
                return iid
            case m.OwnerWorld() | None:
                return None
            case _:
                assert_never(owner)

    def home(self, tid: m.TypeId, side: Side) -> str:
        """The module defining the class of nominal type `tid`, seen from code on `side`."""
        where = self.class_sides.side(tid, side)
        iid = self.interface_of(tid)
        return "" if where is None or iid is None else self._homes[(iid, where)]

    def class_of(
        self, tid: m.TypeId, mod: ModulePlan, instance: ModulePlan | None = None
    ) -> tuple[str, str]:
        """(defining module, class) of nominal type `tid`, as code in `mod` sees it; for the
        functions of an interface instance, its module `instance` first."""
        for defining in (mod, instance):
            if defining is not None and tid in defining.classes:
                return defining.dotted, defining.classes[tid]
        target = self.home(tid, "export" if mod.side == "export" else "import")
        return target, self.modules[target].classes[tid]

    # ------------------------------------------------------------ modules and names

    def _plan_modules(self) -> None:
        world_mod = ModulePlan("", "import", None)
        self.modules[""] = world_mod
        self.world_class = self._claim(world_mod, naming.type_name(self.world_module), None)
        world_mod.protocols[""] = self.world_class
        for plan in (*self.imports, *self.exports):
            mod = ModulePlan(plan.dotted, plan.side, plan)
            if self._interface_module_written(mod):
                self.modules[plan.dotted] = mod
        exports = [p for p in self.exports if p.dotted in self.modules]
        if exports:
            package = ModulePlan("exports", "export", None)
            self.modules["exports"] = package
            for plan in exports:
                protocol = naming.type_name(plan.module)
                package.protocols[plan.label] = self._claim(package, protocol, None)
        for tid in self.world_types:
            self._define(world_mod, tid)
        for mod in self.modules.values():
            if mod.side == "import":
                for f in self.interface_functions(mod):
                    if f.kind.resource is None:
                        mod.functions[f.name] = self._claim(mod, naming.func_name(f.name), None)
        for constructor in self._constructors():
            name = self._claim(world_mod, constructor.name, None)
            self.constructors.append(
                Constructor(name=name, future=constructor.future, element=constructor.element)
            )
        for mod in self.modules.values():
            mod.members = self._members(mod)
            taken = mod.scope.taken | mod.members
            mod.helpers = {h: ("_" + h if h in taken else h) for h in sorted(HELPERS)}

    def _interface_module_written(self, mod: ModulePlan) -> bool:
        """Whether an interface's module exists: it has functions, or classes on its side.
        Claims the classes of the types it defines."""
        assert mod.iface is not None
        iface = self.resolve.interfaces[mod.iface.iid]
        imported = self._homes.get((mod.iface.iid, "import"))
        values_home = imported or self._homes.get((mod.iface.iid, "export"))
        for _, tid in iface.types:
            if self._own_copy(mod, tid):
                home = mod.dotted
            elif type_views.is_nominal(self.resolve, tid):
                home = self.home(tid, mod.side)
            else:
                home = values_home or ""
            if home == mod.dotted:
                self._define(mod, tid)
        return bool(iface.functions) or bool(mod.classes) or bool(mod.constructors)

    def _define(self, mod: ModulePlan, tid: m.TypeId) -> None:
        """Name what type `tid` needs in `mod`: a class for a nominal type; for a named
        stream or future type, componentize-py's constructor of it (as for anonymous ones
        in the world module)."""
        kind = self.resolve.types[tid].kind
        if type_views.is_nominal(self.resolve, tid):
            self._name_type(mod, tid)
        elif isinstance(kind, (m.Stream, m.Future)):
            made = self._constructor(kind)
            if made.name not in mod.scope.taken:
                mod.constructors[tid] = made
                self._claim(mod, made.name, None)

    def _own_copy(self, mod: ModulePlan, tid: m.TypeId) -> bool:
        """Whether `mod`, the module of an interface imported or exported under a name,
        defines its own copy of type `tid`: each named instance has its own resources, so
        its own types (on the export side, those the export side defines)."""
        assert mod.iface is not None
        return (
            isinstance(mod.iface.key, str)
            and self.interface_of(tid) == mod.iface.iid
            and (mod.side == "import" or self.class_sides.side(tid, "export") == "export")
        )

    def _name_type(self, mod: ModulePlan, tid: m.TypeId) -> None:
        td = self.resolve.types[tid]
        assert td.name is not None
        mod.classes[tid] = self._claim(mod, naming.type_name(td.name), td)
        if isinstance(td.kind, m.Variant):
            for case in td.kind.cases:
                case_class = naming.case_class(mod.classes[tid], case.name)
                mod.cases[(tid, case.name)] = self._claim(mod, case_class, td)

    def _claim(self, mod: ModulePlan, name: str, td: m.TypeDef | None) -> str:
        """Take `name` in `mod`; a second claim of it is WIT401."""
        if name in mod.scope.taken:
            where = ".".join(p for p in (self.world_module, mod.dotted) if p)
            what = f"type `{td.name}`" if td is not None else "a generated class"
            message = f"{what} needs the name `{name}`, taken in `{where}`"
            span = td.span if td is not None else Span.UNKNOWN
            self.diagnostics.append(error(NAME_CLASH, message, span))
        mod.scope.taken.add(name)
        return name

    def _members(self, mod: ModulePlan) -> set[str]:
        """The names of every member of every class the module defines."""
        out: set[str] = set()
        for tid in mod.classes:
            kind = self.resolve.types[tid].kind
            match kind:
                case m.Record(fields=fields):
                    out.update(naming.field_names(f.name for f in fields))
                case m.Variant():
                    out.add("value")
                case m.Resource():
                    out.update(self.resource_members(mod, tid).values())
                case _:
                    pass
        for f in self.protocol_functions(mod):
            out.add(naming.func_name(f.name))
        return out

    # ------------------------------------------------------------ functions

    def interface_functions(self, mod: ModulePlan) -> list[m.Function]:
        """Every function of the module's interface (the world's own, for the world module)."""
        if mod.iface is None:
            return [*self.import_functions] if mod.dotted == "" else []
        return [f for _, f in self.resolve.interfaces[mod.iface.iid].functions]

    def protocol_functions(self, mod: ModulePlan) -> list[m.Function]:
        """The functions of the Protocols a module defines: the world's exports (world
        module), or every exported interface's freestanding functions (`exports`)."""
        if mod.dotted == "":
            return list(self.export_functions)
        if mod.dotted == "exports":
            return [
                f
                for plan in self.exports
                if plan.dotted in self.modules
                for _, f in self.resolve.interfaces[plan.iid].functions
                if f.kind.resource is None
            ]
        return []

    def resource_functions(self, mod: ModulePlan, tid: m.TypeId) -> list[m.Function]:
        """The constructor, methods and statics of resource `tid`, in WIT order."""
        return protocols.resource_functions(self.resolve, self.interface_functions(mod), tid)

    def resource_members(self, mod: ModulePlan, tid: m.TypeId) -> dict[str, str]:
        """The member names of resource `tid`'s class, by WIT function name; the imported
        class's `__enter__`/`__exit__` under their own names."""
        out: dict[str, str] = {}
        for f in self.resource_functions(mod, tid):
            if f.kind.name == "constructor":
                out[f.name] = "__init__"
            else:
                out[f.name] = naming.func_name(f.item_name)
        if mod.side == "import":
            out["__enter__"] = "__enter__"
            out["__exit__"] = "__exit__"
        return out

    # ------------------------------------------------------------ streams and futures

    def _constructors(self) -> list[Constructor]:
        """componentize-py's constructors of the world's streams and futures: one per
        element type (by mangled name), for the anonymous `stream<…>` and `future<…>` types
        the world reaches, in type-id order; `byte_stream` for `stream<u8>`."""
        out: dict[str, Constructor] = {}
        for tid in sorted(self._reachable()):
            td = self.resolve.types[tid]
            if td.name is None and isinstance(td.kind, (m.Stream, m.Future)):
                made = self._constructor(td.kind)
                out.setdefault(made.name, made)
        return list(out.values())

    def _constructor(self, kind: m.Stream | m.Future) -> Constructor:
        element = kind.type
        future = isinstance(kind, m.Future)
        if not future and element is not None and self.resolve.dealias(element) == "u8":
            name = "byte_stream"
        else:
            name = f"{self._mangle(element)}_{'future' if future else 'stream'}"
        return Constructor(name=name, future=future, element=element)

    def _reachable(self) -> set[m.TypeId]:
        """Every type the world's items define or use, and the types those are built from."""
        roots: list[m.Type | None] = list(self.world_types)
        functions = [*self.import_functions, *self.export_functions]
        for plan in (*self.imports, *self.exports):
            iface = self.resolve.interfaces[plan.iid]
            roots += [tid for _, tid in iface.types]
            functions += [f for _, f in iface.functions]
        for f in functions:
            roots += [*(p.type for p in f.params), f.result]
        seen: set[m.TypeId] = set()
        while roots:
            ty = roots.pop()
            if ty is None or isinstance(ty, str) or ty in seen:
                continue
            seen.add(ty)
            roots.extend(type_views.children(self.resolve, ty))
        return seen

    def _mangle(self, ty: m.Type | None) -> str:
        """A type as componentize-py spells it in a constructor's name: `u8`, `unit` for
        none, `list_string`, `tuple2_u8_s8`, `result_unit_<module>_error_code`; a class by its
        module and its name, seen through aliases and handles."""
        if ty is None:
            return "unit"
        if isinstance(ty, str):
            return naming.snake(ty)
        td = self.resolve.types[ty]
        kind = td.kind
        match kind:
            case m.Record() | m.Variant() | m.Enum() | m.Flags() | m.Resource():
                assert td.name is not None
                module = self.home(ty, "import").rsplit(".", 1)[-1]
                return "_".join(p for p in (module, naming.snake(td.name)) if p)
            case m.Alias(type=t) | m.Handle(resource=t):
                return self._mangle(self.resolve.dealias(t))
            case m.ListKind(type=t):
                return f"list_{self._mangle(t)}"
            case m.FixedList(type=t, size=size):
                return f"list_{self._mangle(t)}_{size}"
            case m.MapKind(key=k, value=v):
                return f"map_{self._mangle(k)}_{self._mangle(v)}"
            case m.OptionKind(type=t):
                return f"option_{self._mangle(t)}"
            case m.ResultKind(ok=ok, err=err):
                return f"result_{self._mangle(ok)}_{self._mangle(err)}"
            case m.TupleKind(types=types):
                return "_".join([f"tuple{len(types)}", *(self._mangle(t) for t in types)])
            case m.Stream(type=t):
                return f"stream_{self._mangle(t)}"
            case m.Future(type=t):
                return f"future_{self._mangle(t)}"
            case _:
                assert_never(kind)

    # ------------------------------------------------------------ warnings

    def _warn_stdlib_modules(self) -> None:
        """WIT408: componentize-py looks an exported resource up in a top-level module named
        after its interface module, which must not be a standard-library module."""
        for plan in self.exports:
            mod = self.modules.get(plan.dotted)
            if mod is None or plan.module not in sys.stdlib_module_names:
                continue
            if not any(isinstance(self.resolve.types[t].kind, m.Resource) for t in mod.classes):
                continue
            message = (
                f"the resources of exported interface `{plan.label}` must be classes of a "
                f"top-level module `{plan.module}`, which hides the standard library's "
                f"`{plan.module}`"
            )
            help_ = Note(f"name the module otherwise: `--export-interface-name {plan.label}=NAME`")
            iface = self.resolve.interfaces[plan.iid]
            self.diagnostics.append(warning(STDLIB_MODULE, message, iface.span, help_))


def _is_module_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)
