"""Typed Python host bindings for wasmtime-py: `witgen bindgen --lang python --host`.

Input: a `model.Resolve`, the id of a world and `HostOptions`. Output: the files of a
self-contained package (BINDINGS.md Part C): `NAME/__init__.py` (the world class and the
`<World>Imports` Protocol), `NAME/_rt.py` (the private runtime), `NAME/imports/<m>.py` and
`NAME/exports/<m>.py` (one per interface), `py.typed`; or the diagnostics that prevent them.

Invariants:
- Python decides and templates print: every name, annotation, conversion step and layout
  decision is made here and handed to `templates/python_host/` as frozen view models.
- Names come from `_python` only (A.1–A.3); a generated name that collides with another
  member gets a trailing `_` (C.4); two WIT types that become the same class are an error.
- Values cross as wasmtime-py 50 expects (Part B). Whether a variant-like type is tagged is
  decided here, per type, by wasmtime's own rule (B.2); a case that wasmtime-py would send as
  another case (or refuse) is reported as a warning and raises at run time instead.
- Functions that need async (WIT403), streams, futures or error contexts (WIT404), maps or
  fixed-length lists (WIT405), or handles to WASI's resources (WIT407) are errors, or warnings
  that omit them with `skip_unsupported`. Unsendable cases (B.2) are warnings (WIT406).
- Imported interfaces that wasmtime's WASI implements (`WASI_P2`) are left to WASI: they get
  their types but no `Host` protocol, and `add_to_linker` never defines them, so `wasi=True`
  (or the user's own `linker.add_wasip2()`) supplies them and nothing is defined twice.
- The output is deterministic (source order, type-id order) and formatted as `ruff format`
  would format it at its default line length (`_python.LINE`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Literal, assert_never

from witgen import __version__
from witgen import model as m
from witgen._record import replace
from witgen.codegen import templating as _jinja
from witgen.codegen.python import naming as py
from witgen.text.diagnostics import Diagnostic, Note, Severity, WitError, error, warning
from witgen.text.source import Span

Side = Literal["import", "export"]
Direction = Literal["lower", "lift"]

TEMPLATES = "python_host"

# Names imported into generated modules that a WIT type of the same name would shadow; such a
# module imports them under `_Name` instead (BINDINGS.md A.9 item 2).
HELPERS = frozenset(
    {"Any", "Component", "Enum", "Err", "Flag", "Instance", "Linker", "Ok", "Protocol",
     "Result", "Self", "Some", "Store", "Trap"}
)  # fmt: skip

# Where each helper comes from, in import-sorting order.
_HELPER_SOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dataclasses", ("dataclass",)),
    ("enum", ("Enum", "Flag", "auto")),
    ("typing", ("Any", "Protocol", "Self", "runtime_checkable")),
    ("wasmtime", ("Store",)),
    ("wasmtime.component", ("Component", "Instance", "Linker")),
    ("_rt", ("Err", "Ok", "Result", "Some", "Trap")),
)

_PRIMITIVE_CHECKS = {
    "bool": "_rt.bool_",
    "u8": "_rt.u8",
    "u16": "_rt.u16",
    "u32": "_rt.u32",
    "u64": "_rt.u64",
    "s8": "_rt.s8",
    "s16": "_rt.s16",
    "s32": "_rt.s32",
    "s64": "_rt.s64",
    "f32": "_rt.f32",
    "f64": "_rt.f64",
    "char": "_rt.char",
    "string": "_rt.string",
}

# wasmtime-py's class of a lowered or lifted value (B.2), spelled for generated code.
_CLASS_SPELLING = {
    "bool": "bool",
    "int": "int",
    "float": "float",
    "str": "str",
    "set": "set",
    "bytes": "bytes",
    "list": "list",
    "tuple": "tuple",
    "Record": "_rt.Record",
    "Variant": "_rt.Variant",
    "ResourceAny": "_rt.ResourceAny",
    "ResourceHost": "_rt.ResourceHost",
}
_CLASS_ORDER = tuple(_CLASS_SPELLING)
_HANDLE_CLASSES = frozenset({"ResourceAny", "ResourceHost"})

# The interfaces `Linker.add_wasip2()` defines, by package (wasmtime 50 defines them at
# @0.2.12, and its linker resolves every 0.2.x import to them). A world importing one gets
# WASI's implementation: defining it again is "defined twice" at the same version, and at an
# older one it is silently shadowed (the guest's import resolves to the newest 0.2.x), so the
# bindings never define these. tests/e2e checks this table against a real Linker.
WASI_P2: dict[str, frozenset[str]] = {
    "wasi:cli": frozenset(
        {"environment", "exit", "stdin", "stdout", "stderr", "terminal-input",
         "terminal-output", "terminal-stdin", "terminal-stdout", "terminal-stderr"}
    ),
    "wasi:clocks": frozenset({"monotonic-clock", "wall-clock"}),
    "wasi:filesystem": frozenset({"types", "preopens"}),
    "wasi:io": frozenset({"error", "poll", "streams"}),
    "wasi:random": frozenset({"random", "insecure", "insecure-seed"}),
    "wasi:sockets": frozenset(
        {"network", "instance-network", "ip-name-lookup", "tcp", "tcp-create-socket", "udp",
         "udp-create-socket"}
    ),
}  # fmt: skip
_WASI_P2_VERSION = re.compile(r"0\.2\.\d+")

# Diagnostic codes (diagnostics.CODES): what makes a function or type unbindable.
BAD_PACKAGE = "WIT402"
ASYNC = "WIT403"
STREAMS = "WIT404"  # stream, future, error-context
CONTAINERS = "WIT405"  # map, list<T, N>
UNSENDABLE = "WIT406"
WASI_RESOURCE = "WIT407"


@dataclass(frozen=True, slots=True, kw_only=True)
class HostOptions:
    """Options of `generate`."""

    # The generated package's name; None for snake(world name).
    package: str | None = None
    # Omit functions wasmtime-py cannot call (with a warning) instead of failing.
    skip_unsupported: bool = False


# ---------------------------------------------------------------- entry points


def package_name(resolve: m.Resolve, wid: m.WorldId, options: HostOptions) -> str:
    """The generated package's name: `--package`, or snake(world name)."""
    return options.package or py.func_name(resolve.worlds[wid].name)


def diagnose(resolve: m.Resolve, wid: m.WorldId, options: HostOptions) -> tuple[Diagnostic, ...]:
    """Every error and warning of generating bindings for the world (nothing is rendered)."""
    return tuple(_Gen(resolve, wid, options).diags)


def generate(
    resolve: m.Resolve, wid: m.WorldId, options: HostOptions
) -> dict[PurePosixPath, str | bytes]:
    """The package's files, relative to the output directory (`NAME/...`)."""
    gen = _Gen(resolve, wid, options)
    errors = tuple(d for d in gen.diags if d.severity is Severity.ERROR)
    if errors:
        raise WitError(errors)
    return gen.render()


# ---------------------------------------------------------------- view models


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldVM:
    name: str
    annotation: str
    doc: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordVM:
    template: str = "record.j2"
    name: str
    doc: str | None
    fields: tuple[FieldVM, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseVM:
    name: str
    annotation: str | None
    doc: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantVM:
    template: str = "variant.j2"
    name: str
    doc: str | None
    cases: tuple[CaseVM, ...]
    # `Name = A | B | C`, laid out.
    alias: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberVM:
    name: str
    value: str
    doc: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumVM:
    """An `Enum` or, with `auto()` members, a `Flag`."""

    template: str = "enum.j2"
    name: str
    base: str
    doc: str | None
    members: tuple[MemberVM, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StubVM:
    """A Protocol method the host implements: signature and docstring."""

    signature: str
    doc: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class HostResourceVM:
    template: str = "host_resource.j2"
    name: str
    doc: str | None
    runtime_checkable: str
    protocol: str
    methods: tuple[StubVM, ...]
    drop: str
    id_name: str
    id_value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HostVM:
    template: str = "host.j2"
    name: str
    protocol: str
    doc: str
    methods: tuple[StubVM, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackVM:
    """One host function as wasmtime calls it: lift the arguments, call, lower the result."""

    name: str
    wit_name: str
    signature: str
    cx: bool
    args: tuple[str, ...]
    # The call of the host implementation (`_v = host.f(…)`), laid out.
    call: str
    # Whether the function returns a value; whether its own result is a `result` (whose
    # `Err` the host raises).
    returns_value: bool
    raises: bool
    ret_ok: str
    ret_err: str
    err: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkerVM:
    template: str = "linker.j2"
    name: str
    signature: str
    doc: str
    callbacks: tuple[CallbackVM, ...]
    # The linker instance to define (`with root.add_instance(…) as inst:`), or "" to define
    # the functions and resources in `root` itself (world-level imports).
    instance: str
    # `add_resource(…)` and `add_func(…)` calls, laid out.
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportFuncVM:
    """A method that calls a guest export: check, lower, call, lift."""

    signature: str
    doc: str | None
    method: bool
    # Whether the call needs a `Cx` (handles); whether its arguments may move guest handles
    # (committed once every argument is lowered) or lend host objects (taken back after).
    cx: bool
    moves: bool
    lends: bool
    # Whether lowering may meet an unsendable case (B.2): it then raises `Trap`, before wasm.
    guarded: bool
    args: tuple[str, ...]
    # The index of the export's `Func` in `State.fns`; the call of it (`_r = _f(…)`), laid out.
    index: int
    call: str
    ret: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class GuestResourceVM:
    template: str = "guest_resource.j2"
    name: str
    doc: str | None
    methods: tuple[ExportFuncVM, ...]
    class_name: str
    class_doc: str
    statics: tuple[ExportFuncVM, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessorVM:
    template: str = "accessor.j2"
    name: str
    doc: str
    attributes: tuple[tuple[str, str], ...]
    functions: tuple[ExportFuncVM, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class LowerCaseVM:
    # Python-side test on `v`; None for the final, unconditional case.
    test: str | None
    # `return <lowered value>` (or `p = <lowered payload>` when `partly`), laid out.
    value: str
    # Whether wasmtime-py would send the case as another one: always, or only when
    # `check`, a test on the lowered payload `p`, holds; `message` raises then.
    unsendable: bool
    partly: bool
    check: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LiftCaseVM:
    test: str | None
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ConvVM:
    """One `_lower_X` / `_lift_X` function."""

    template: str
    lowering: bool
    signature: str
    comment: str
    # Per template: the record's class; the fields (`r.__dict__[key] = …` lines, or the
    # constructor call); the cases of a variant-like type; the labels of an enum or flags;
    # the element step of a list; the element steps of a tuple.
    cls: str = ""
    expected: str = ""
    lines: tuple[str, ...] = ()
    ret: str = ""
    lower_cases: tuple[LowerCaseVM, ...] = ()
    lift_cases: tuple[LiftCaseVM, ...] = ()
    tagged: bool = False
    final_raise: bool = False
    loop: bool = False
    count: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleVM:
    version: str
    doc: str
    imports: tuple[str, ...]
    all: str | None
    items: tuple[object, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class WorldVM:
    template: str = "world.j2"
    name: str
    imports_name: str
    doc: str
    imports_doc: str
    attributes: tuple[tuple[str, str], ...]
    imports_props: tuple[StubVM, ...]
    imports_methods: tuple[StubVM, ...]
    protocol: str
    exports_const: str
    # The signatures of `add_to_linker` and `instantiate`, laid out.
    add_to_linker: str
    instantiate: str
    wasm_store: str
    wasm_instance: str
    store: str
    instance: str
    linker_steps: tuple[str, ...]
    needs_table: bool
    # Whether the world imports interfaces WASI implements (left to WASI; documented).
    wasi_imports: bool
    functions: tuple[ExportFuncVM, ...]
    # Decorators, spelled `builtins.X` where a member shadows them.
    staticmethod: str
    classmethod: str
    property: str


# ---------------------------------------------------------------- the world, analysed


@dataclass(eq=False, slots=True)
class _Iface:
    key: m.WorldKey
    iid: m.InterfaceId
    side: Side
    module: str
    instance: str
    functions: list[m.Function] = field(default_factory=list)
    # An import that WASI implements (`WASI_P2`): types only, never defined by the bindings.
    wasi: bool = False


@dataclass(eq=False, slots=True)
class _Mod:
    """One generated module while it is being built."""

    dotted: str  # "", "imports.fs", "exports.editor"
    side: Side
    iface: _Iface | None
    classes: dict[m.TypeId, str] = field(default_factory=dict)
    cases: dict[tuple[m.TypeId, str], str] = field(default_factory=dict)
    scope: py.Scope = field(default_factory=py.Scope)
    helpers: dict[str, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    refs: dict[str, str] = field(default_factory=dict)
    items: list[object] = field(default_factory=list)
    convs: dict[tuple[object, ...], str] = field(default_factory=dict)
    conv_items: list[ConvVM] = field(default_factory=list)
    conv_scope: py.Scope = field(default_factory=py.Scope)
    # Generated class names (`Host`, `<R>Class`, the accessor, the world's), claimed before
    # the helpers are spelled so that neither shadows the other.
    generated: dict[str, str] = field(default_factory=dict)

    def h(self, name: str) -> str:
        """A helper's spelling in this module; records that it is imported."""
        self.used.add(name)
        return self.helpers.get(name, name)

    def ref(self, dotted: str) -> str:
        """The private alias this module imports another generated module under."""
        alias = "_" + dotted[0] + "_" + dotted.split(".", 1)[1]
        self.refs[dotted] = alias
        return alias


class _Gen:
    """Everything known about one world's bindings; `render` turns it into files."""

    def __init__(self, resolve: m.Resolve, wid: m.WorldId, options: HostOptions) -> None:
        self.r = resolve
        self.world = resolve.worlds[wid]
        self.options = options
        self.pkg = package_name(resolve, wid, options)
        self.diags: list[Diagnostic] = []
        self._unsupported: dict[m.TypeId, tuple[str, str] | None] = {}
        self.wasi_ifaces: set[m.InterfaceId] = set()
        self._classes: dict[m.TypeId, frozenset[str]] = {}
        self._cx: dict[m.TypeId, bool] = {}
        self._local: dict[tuple[m.TypeId, m.InterfaceId], bool] = {}
        self.exports: list[tuple[str, list[str]]] = []
        if not self.pkg.isidentifier() or self.pkg.startswith("_"):
            self.diags.append(
                error(BAD_PACKAGE, f"`{self.pkg}` is not a valid Python package name", Span.UNKNOWN)
            )
            return
        self._collect()
        if any(d.severity is Severity.ERROR for d in self.diags):
            return
        self._name_modules()
        if any(d.severity is Severity.ERROR for d in self.diags):
            return
        self._build()

    # ------------------------------------------------------------ world items

    def _collect(self) -> None:
        self.imports: list[_Iface] = []
        self.exports_ifaces: list[_Iface] = []
        self.import_funcs: list[m.Function] = []
        self.export_funcs: list[m.Function] = []
        self.world_types: list[m.TypeId] = []
        for _, item in self.world.imports:
            if isinstance(item, m.WorldInterface) and self.provided_by_wasi(item.id):
                self.wasi_ifaces.add(item.id)
        for side, items in (("import", self.world.imports), ("export", self.world.exports)):
            side_t: Side = "import" if side == "import" else "export"
            ifaces = [(key, item.id) for key, item in items if isinstance(item, m.WorldInterface)]
            modules = py.interface_modules(self.r, ifaces)
            for key, item in items:
                match item:
                    case m.WorldInterface(id=iid):
                        iface = _Iface(key, iid, side_t, modules[key], self.r.world_key_name(key))
                        iface.wasi = side == "import" and iid in self.wasi_ifaces
                        fns = [] if iface.wasi else self.r.interfaces[iid].functions
                        iface.functions = [f for _, f in fns if self._supported(f)]
                        (self.imports if side == "import" else self.exports_ifaces).append(iface)
                    case m.WorldFunction(function=f):
                        if self._supported(f):
                            (self.import_funcs if side == "import" else self.export_funcs).append(f)
                    case m.WorldType(id=tid):
                        self.world_types.append(tid)
                    case _:
                        assert_never(item)
        self.import_mod = {i.iid: i.module for i in self.imports}
        self.export_mod = {i.iid: i.module for i in self.exports_ifaces}

    def provided_by_wasi(self, iid: m.InterfaceId) -> bool:
        """Whether `Linker.add_wasip2()` defines interface `iid` (see `WASI_P2`)."""
        iface = self.r.interfaces[iid]
        if iface.package is None or iface.name is None:
            return False
        name = self.r.packages[iface.package].name
        return (
            iface.name in WASI_P2.get(name.unversioned, ())
            and name.version is not None
            and _WASI_P2_VERSION.fullmatch(name.version) is not None
        )

    def _supported(self, f: m.Function) -> bool:
        found = ("it is async", ASYNC) if f.is_async else None
        if found is None:
            for t in [p.type for p in f.params] + ([f.result] if f.result is not None else []):
                if (what := self.unsupported(t)) is not None:
                    found = (f"it uses {self._describe(what[0], what[1])}", what[1])
                    break
        if found is None:
            return True
        reason, code = found
        message = f"function `{f.name}` cannot be called through wasmtime-py: {reason}"
        if self.options.skip_unsupported:
            self.diags.append(warning(code, message + "; it is omitted", f.span))
        else:
            help_ = Note("pass `--skip-unsupported` to omit it")
            self.diags.append(error(code, message, f.span, help_))
        return False

    def _describe(self, what: str, code: str) -> str:
        if code == WASI_RESOURCE:
            return f"`{what}`, a resource that WASI implements and wasmtime-py cannot pass"
        return f"`{what}`"

    def unsupported(self, ty: m.Type) -> tuple[str, str] | None:
        """The construct wasmtime-py cannot pass that `ty` contains, if any, and its code."""
        if isinstance(ty, str):
            return ("error-context", STREAMS) if ty == "error-context" else None
        if ty in self._unsupported:
            return self._unsupported[ty]
        self._unsupported[ty] = None
        kind = self.r.types[ty].kind
        found: tuple[str, str] | None = None
        match kind:
            case m.Stream() | m.Future():
                found = py.wit_type(self.r, ty), STREAMS
            case m.MapKind() | m.FixedList():
                found = py.wit_type(self.r, ty), CONTAINERS
            case m.Resource() | m.Handle():
                res = self.resource_of(ty)
                owner = self.r.types[res].owner if res is not None else None
                if isinstance(owner, m.OwnerInterface) and owner.id in self.wasi_ifaces:
                    found = py.wit_type(self.r, ty), WASI_RESOURCE
            case m.Enum() | m.Flags():
                found = None
            case m.Record(fields=fields):
                found = self._first(f.type for f in fields)
            case m.Variant(cases=cases):
                found = self._first(c.type for c in cases)
            case m.TupleKind(types=types):
                found = self._first(types)
            case m.OptionKind(type=t) | m.ListKind(type=t) | m.Alias(type=t):
                found = self.unsupported(t)
            case m.ResultKind(ok=ok, err=err):
                found = self._first((ok, err))
            case _:
                assert_never(kind)
        self._unsupported[ty] = found
        return found

    def _first(self, types: Iterable[m.Type | None]) -> tuple[str, str] | None:
        for t in types:
            if t is not None and (what := self.unsupported(t)) is not None:
                return what
        return None

    # ------------------------------------------------------------ modules and names

    def _name_modules(self) -> None:
        self.mods: dict[str, _Mod] = {"": _Mod("", "import", None)}
        for iface in self.imports:
            self.mods["imports." + iface.module] = _Mod("imports." + iface.module, "import", iface)
        for iface in self.exports_ifaces:
            self.mods["exports." + iface.module] = _Mod("exports." + iface.module, "export", iface)
        for mod in self.mods.values():
            for tid in self._defined(mod):
                self._name_type(mod, tid)
        for mod in self.mods.values():
            self._name_generated(mod)
            mod.helpers = {h: ("_" + h if h in mod.scope.taken else h) for h in sorted(HELPERS)}

    def _defined(self, mod: _Mod) -> list[m.TypeId]:
        """The nominal types a module defines, in type-id (topological) order."""
        if mod.iface is None:
            tids = list(self.world_types)
        else:
            tids = [tid for _, tid in self.r.interfaces[mod.iface.iid].types]
        out = [
            tid
            for tid in tids
            if py.is_nominal(self.r, tid)
            and self.unsupported(tid) is None
            and self.loc(tid, mod.side) == mod.dotted
        ]
        # (a WASI interface's own types that hold WASI's resources are omitted silently: the
        # functions that would use them are reported)
        wasi = mod.iface is not None and mod.iface.wasi
        for tid in tids if (mod.side == "import" and not wasi) or mod.dotted == "" else ():
            if py.is_nominal(self.r, tid) and (what := self.unsupported(tid)) is not None:
                td = self.r.types[tid]
                self.diags.append(
                    warning(
                        what[1],
                        f"type `{td.name}` is omitted: wasmtime-py cannot pass "
                        + self._describe(*what),
                        td.span,
                    )
                )
        return sorted(set(out))

    def _name_generated(self, mod: _Mod) -> None:
        """Claim the module's generated class names; a clash with a type's adds `_` (C.4)."""
        claim = mod.scope.claim
        if mod.iface is None:
            mod.generated["world"] = claim(py.type_name(self.world.name))
            mod.generated["imports"] = claim(py.upper_camel(self.world.name) + "Imports")
        elif mod.side == "import":
            mod.generated["host"] = claim("Host")
        else:
            for tid, name in mod.classes.items():
                if isinstance(self.kind(tid), m.Resource):
                    mod.generated[f"class:{tid}"] = claim(f"{name}Class")
            accessor = py.type_name(mod.iface.module.rstrip("_")) or "Interface"
            mod.generated["accessor"] = claim(accessor)

    def _name_type(self, mod: _Mod, tid: m.TypeId) -> None:
        td = self.r.types[tid]
        assert td.name is not None
        name = py.type_name(td.name)
        self._claim_type(mod, name, td)
        mod.classes[tid] = name
        if isinstance(td.kind, m.Variant):
            for case in td.kind.cases:
                case_name = py.case_class(name, case.name)
                self._claim_type(mod, case_name, td)
                mod.cases[(tid, case.name)] = case_name

    def _claim_type(self, mod: _Mod, name: str, td: m.TypeDef) -> None:
        if name in mod.scope.taken:
            where = f"`{self.pkg}.{mod.dotted}`" if mod.dotted else f"`{self.pkg}`"
            message = f"type `{td.name}` needs the name `{name}`, taken in {where}"
            self.diags.append(error("WIT401", message, td.span))
        mod.scope.taken.add(name)

    def loc(self, tid: m.TypeId, side: Side) -> str:
        """The module that defines type `tid`, as seen from code on `side` (A.1)."""
        owner = self.r.types[tid].owner
        match owner:
            case m.OwnerWorld() | None:
                return ""
            case m.OwnerInterface(id=iid):
                imp, exp = self.import_mod.get(iid), self.export_mod.get(iid)
                if exp is not None and (
                    imp is None or (side == "export" and self.holds_local(tid, iid))
                ):
                    return "exports." + exp
                assert imp is not None, f"interface {iid} is not part of the world"
                return "imports." + imp
            case _:
                assert_never(owner)

    def holds_local(self, ty: m.Type | None, iid: m.InterfaceId) -> bool:
        """Whether `ty` is, or holds a handle to, a resource of interface `iid`."""
        if ty is None or isinstance(ty, str):
            return False
        key = (ty, iid)
        if key not in self._local:
            self._local[key] = False
            td = self.r.types[ty]
            self._local[key] = (
                isinstance(td.kind, m.Resource) and td.owner == m.OwnerInterface(id=iid)
            ) or any(self.holds_local(t, iid) for t in self._children(ty))
        return self._local[key]

    def _children(self, ty: m.TypeId) -> list[m.Type | None]:
        kind = self.r.types[ty].kind
        match kind:
            case m.Record(fields=fields):
                return [f.type for f in fields]
            case m.Variant(cases=cases):
                return [c.type for c in cases]
            case m.TupleKind(types=types):
                return list(types)
            case m.ResultKind(ok=ok, err=err):
                return [ok, err]
            case m.Handle(resource=res):
                return [res]
            case m.OptionKind(type=t) | m.ListKind(type=t) | m.Alias(type=t) | m.FixedList(type=t):
                return [t]
            case m.MapKind(key=k, value=v):
                return [k, v]
            case m.Future(type=t) | m.Stream(type=t):
                return [t]
            case m.Resource() | m.Enum() | m.Flags():
                return []
            case _:
                assert_never(kind)

    # ------------------------------------------------------------ type facts

    def kind(self, ty: m.TypeId) -> m.TypeDefKind:
        return self.r.types[ty].kind

    def resource_of(self, ty: m.Type) -> m.TypeId | None:
        """The resource behind a handle, a resource type or an alias of either."""
        ty = self.r.dealias(ty)
        if isinstance(ty, str):
            return None
        kind = self.kind(ty)
        if isinstance(kind, m.Resource):
            return ty
        if isinstance(kind, m.Handle):
            res = self.r.dealias(kind.resource)
            assert not isinstance(res, str)
            return res
        return None

    def handle_ops(self, mod: _Mod, ty: m.Type | None) -> set[str]:
        """The `Cx` operations lowering `ty` may use: give, lend, move, borrow."""
        if ty is None or not self.needs_cx(ty):
            return set()
        assert not isinstance(ty, str)
        res = self.resource_of(ty)
        if res is None:
            return set().union(*(self.handle_ops(mod, t) for t in self._children(ty)))
        target = self.r.dealias(ty)
        assert not isinstance(target, str)
        kind = self.kind(target)
        borrow = isinstance(kind, m.Handle) and kind.kind == "borrow"
        host = not self.loc(res, mod.side).startswith("exports.")
        return {("lend" if borrow else "give") if host else ("borrow" if borrow else "move")}

    def needs_cx(self, ty: m.Type | None) -> bool:
        """Whether converting `ty` touches handles (and so needs the call's `Cx`)."""
        if ty is None or isinstance(ty, str):
            return False
        if ty not in self._cx:
            self._cx[ty] = False
            self._cx[ty] = self.resource_of(ty) is not None or any(
                self.needs_cx(t) for t in self._children(ty)
            )
        return self._cx[ty]

    def cases_of(self, ty: m.TypeId) -> list[tuple[str, m.Type | None]] | None:
        """wasmtime's cases of a variant-like type (option: none/some, result: ok/err)."""
        kind = self.kind(ty)
        match kind:
            case m.Variant(cases=cases):
                return [(c.name, c.type) for c in cases]
            case m.OptionKind(type=t):
                return [("none", None), ("some", t)]
            case m.ResultKind(ok=ok, err=err):
                return [("ok", ok), ("err", err)]
            case _:
                return None

    def classes(self, ty: m.Type | None) -> frozenset[str]:
        """wasmtime-py's class set of `ty` (B.2); a missing payload is {object}."""
        if ty is None:
            return frozenset({"object"})
        ty = self.r.dealias(ty)
        if isinstance(ty, str):
            return frozenset(
                {
                    "bool": "bool",
                    "f32": "float",
                    "f64": "float",
                    "char": "str",
                    "string": "str",
                }.get(ty, "int").split()
            )
        if ty in self._classes:
            return self._classes[ty]
        kind = self.kind(ty)
        out: frozenset[str]
        match kind:
            case m.Record():
                out = frozenset({"Record"})
            case m.Enum():
                out = frozenset({"str"})
            case m.Flags():
                out = frozenset({"set"})
            case m.TupleKind():
                out = frozenset({"tuple"})
            case m.ListKind(type=elem):
                out = frozenset({"bytes" if self.r.dealias(elem) == "u8" else "list"})
            case m.Resource() | m.Handle():
                out = _HANDLE_CLASSES
            case m.Variant() | m.OptionKind() | m.ResultKind():
                if self.tagged(ty):
                    out = frozenset({"Variant"})
                else:
                    cases = self.cases_of(ty) or []
                    out = frozenset().union(*(self.classes(t) for _, t in cases))
            case m.Alias() | m.FixedList() | m.MapKind() | m.Future() | m.Stream():
                out = frozenset({"object"})  # unsupported or dealiased: never reached
            case _:
                assert_never(kind)
        self._classes[ty] = out
        return out

    def tagged(self, ty: m.TypeId) -> bool:
        """wasmtime-py's `_tagged`: do any two cases' class sets intersect?"""
        seen: set[str] = set()
        for _, t in self.cases_of(ty) or []:
            case = self.classes(t)
            if seen & case:
                return True
            seen |= case
        return False

    def conflicts(self, ty: m.TypeId) -> list[frozenset[str]]:
        """Per case of an untagged type: the classes of its values an earlier case takes."""
        out: list[frozenset[str]] = []
        earlier: set[str] = set()
        for _, t in self.cases_of(ty) or []:
            mine = self.classes(t) if t is not None else frozenset()
            lost = {c for c in mine if "object" in earlier or (c == "bool" and "int" in earlier)}
            out.append(frozenset(lost))
            if t is not None:
                earlier |= mine
        return out

    def unsendable(self, ty: m.Type | None, seen: set[m.TypeId] | None = None) -> list[str]:
        """`type` case `c` descriptions of every unsendable case reachable from `ty`."""
        if ty is None or isinstance(ty, str):
            return []
        seen = set() if seen is None else seen
        if ty in seen:
            return []
        seen.add(ty)
        out: list[str] = []
        cases = self.cases_of(ty)
        if cases is not None and not self.tagged(ty):
            for (name, _), lost in zip(cases, self.conflicts(ty), strict=True):
                if lost:
                    out.append(f"case `{name}` of `{py.wit_type(self.r, ty)}`")
        if self.resource_of(ty) is None:
            for t in self._children(ty):
                out.extend(self.unsendable(t, seen))
        return out

    def lift_identity(self, ty: m.Type | None) -> bool:
        """Whether wasmtime-py's value of `ty` already is the Python value."""
        if ty is None:
            return True
        ty = self.r.dealias(ty)
        if isinstance(ty, str):
            return True
        kind = self.kind(ty)
        match kind:
            case m.ListKind(type=elem):
                return self.r.dealias(elem) == "u8" or (
                    self.r.dealias(elem) != "s8" and self.lift_identity(elem)
                )
            case m.TupleKind(types=types):
                return all(self.lift_identity(t) for t in types)
            case m.OptionKind(type=t):
                return not self.tagged(ty) and self.lift_identity(t)
            case _:
                return False

    # ------------------------------------------------------------ annotations

    def spell(self, mod: _Mod, shadowed: frozenset[str] = frozenset()) -> Callable[[str], str]:
        def spell(name: str) -> str:
            if name in shadowed:
                mod.used.add("builtins")
                return f"builtins.{name}"
            return mod.h(name) if name in HELPERS else name

        return spell

    def qualify(self, mod: _Mod, tid: m.TypeId, side: Side) -> str:
        target = self.loc(tid, side)
        cls = self.mods[target].classes[tid]
        return cls if target == mod.dotted else f"{mod.ref(target)}.{cls}"

    def ann(self, mod: _Mod, ty: m.Type | None, shadowed: frozenset[str] = frozenset()) -> str:
        return py.annotation(
            self.r,
            ty,
            qualify=lambda t: self.qualify(mod, t, mod.side),
            spell=self.spell(mod, shadowed),
            pep604=True,
        )

    def full_ann(self, ty: m.Type | None, side: Side) -> str:
        """The annotation with fully qualified names (`notes.imports.fs.FsError`), for docs."""

        def qualify(tid: m.TypeId) -> str:
            target = self.loc(tid, side)
            dotted = f"{self.pkg}.{target}" if target else self.pkg
            return f"{dotted}.{self.mods[target].classes[tid]}"

        return py.annotation(self.r, ty, qualify=qualify, spell=lambda n: n, pep604=True)

    # ------------------------------------------------------------ conversions

    def lower(self, mod: _Mod, ty: m.Type, arg: str) -> str:
        """An expression that checks and lowers the Python value `arg` to wasmtime's."""
        ty = self.r.dealias(ty)
        if isinstance(ty, str):
            return f"{_PRIMITIVE_CHECKS[ty]}({arg})"
        kind = self.kind(ty)
        res = self.resource_of(ty)
        if res is not None:
            cls = self.qualify(mod, res, mod.side)
            host = not self.loc(res, mod.side).startswith("exports.")
            borrow = isinstance(kind, m.Handle) and kind.kind == "borrow"
            if host:
                id_name = cls.rsplit(".", 1)
                id_ref = ".".join([*id_name[:-1], f"_{id_name[-1]}_ID"])
                return f"_cx.{'lend' if borrow else 'give'}({arg}, {cls}, {id_ref})"
            return f"_cx.{'borrow' if borrow else 'move'}({arg}, {cls})"
        if isinstance(kind, m.ListKind):
            elem = self.r.dealias(kind.type)
            if elem in ("u8", "s8"):
                return f"_rt.{'bytes_' if elem == 'u8' else 's8_lower'}({arg})"
            if isinstance(elem, str):  # checked in bulk, sent as it is when it passes
                return f"_rt.list_{elem}({arg})"
        return self._conv_call(mod, ty, "lower", arg)

    def lift(self, mod: _Mod, ty: m.Type, arg: str) -> str:
        """An expression that turns wasmtime's value `arg` into the Python value."""
        ty = self.r.dealias(ty)
        if self.lift_identity(ty):
            return arg
        assert not isinstance(ty, str)
        kind = self.kind(ty)
        res = self.resource_of(ty)
        if res is not None:
            cls = self.qualify(mod, res, mod.side)
            if not self.loc(res, mod.side).startswith("exports."):
                borrow = isinstance(kind, m.Handle) and kind.kind == "borrow"
                return f'_rt.cast("{cls}", _cx.{"get" if borrow else "take"}({arg}))'
            return f"_cx.wrap({arg}, {cls})"
        if isinstance(kind, m.ListKind) and self.r.dealias(kind.type) == "s8":
            return f"_rt.s8_lift({arg})"
        return self._conv_call(mod, ty, "lift", arg)

    def _conv_call(self, mod: _Mod, ty: m.TypeId, direction: Direction, arg: str) -> str:
        cx = "_cx, " if self.needs_cx(ty) else ""
        if py.is_nominal(self.r, ty):
            target = self.mods[self.loc(ty, mod.side)]
            name = f"_{direction}_{target.classes[ty]}"
            self._demand(target, ty, direction, name)
            prefix = "" if target is mod else mod.ref(target.dotted) + "."
            return f"{prefix}{name}({cx}{arg})"
        key = (ty, direction)
        if key not in mod.convs:
            base = self._mangle(ty)
            if len(base) > 32:
                base = type(self.kind(ty)).__name__.lower().removesuffix("kind")
            name = mod.conv_scope.claim(f"_{direction}_{base}")
            self._demand(mod, ty, direction, name)
        return f"{mod.convs[key]}({cx}{arg})"

    def _mangle(self, ty: m.Type | None) -> str:
        if ty is None:
            return "none"
        ty = self.r.dealias(ty)
        if isinstance(ty, str):
            return ty
        td = self.r.types[ty]
        if td.name is not None and py.is_nominal(self.r, ty):
            return py.snake(td.name)
        kind = td.kind
        match kind:
            case m.ListKind(type=t):
                return "list_" + self._mangle(t)
            case m.OptionKind(type=t):
                return "option_" + self._mangle(t)
            case m.ResultKind(ok=ok, err=err):
                return f"result_{self._mangle(ok)}_{self._mangle(err)}"
            case m.TupleKind(types=types):
                return "_".join(["tuple", *(self._mangle(t) for t in types)])
            case m.Handle(kind=hk, resource=res):
                return f"{hk}_{self._mangle(res)}"
            case _:
                return type(kind).__name__.lower()

    def _demand(self, mod: _Mod, ty: m.TypeId, direction: Direction, name: str) -> None:
        key = (ty, direction)
        if key in mod.convs:
            return
        mod.convs[key] = name
        self._queue.append((mod, ty, direction, name))

    def _drain(self) -> None:
        while self._queue:
            mod, ty, direction, name = self._queue.pop(0)
            mod.conv_items.append(self._conversion(mod, ty, direction, name))

    def _conversion(self, mod: _Mod, ty: m.TypeId, direction: Direction, name: str) -> ConvVM:
        lowering = direction == "lower"
        cx = self.needs_cx(ty)
        params: list[tuple[str, str | None]] = [("_cx", "_rt.Cx")] if cx else []
        params.append(("v", "object" if lowering else mod.h("Any")))
        returns = "object" if lowering else self.ann(mod, ty)
        signature = py.signature(name, params, returns, indent=0)
        comment = f"# {py.wit_type(self.r, ty)}"
        kind = self.kind(ty)
        base = ConvVM(template="", lowering=lowering, signature=signature, comment=comment)
        if lowering and py.is_nominal(self.r, ty):
            raise_ = f"_rt.expected({_jinja.pyrepr(mod.classes[ty])}, v)"
            base = replace(base, expected=py.expr(raise_, indent=8, head="raise "))
        match kind:
            case m.Record(fields=fields):
                return self._record_conv(mod, ty, fields, base)
            case m.Variant() | m.OptionKind() | m.ResultKind():
                return self._variant_conv(mod, ty, base)
            case m.Enum(cases=cases):
                labels = [c.name for c in cases]
                return self._labels_conv(mod, ty, "convert_enum.j2", labels, base)
            case m.Flags(flags=flags):
                labels = [f.name for f in flags]
                return self._labels_conv(mod, ty, "convert_flags.j2", labels, base)
            case m.ListKind(type=elem):
                return self._list_conv(mod, elem, base)
            case m.TupleKind(types=types):
                return self._tuple_conv(mod, types, base)
            case _:
                raise AssertionError(f"no conversion for {kind}")

    def _record_conv(
        self, mod: _Mod, ty: m.TypeId, fields: tuple[m.Field, ...], base: ConvVM
    ) -> ConvVM:
        cls = mod.classes[ty]
        names = self._field_names(fields)
        if base.lowering:
            lines = tuple(
                self._expr(f"d[{_jinja.pyrepr(f.name)}] = ", self.lower(mod, f.type, f"v.{n}"), 4)
                for f, n in zip(fields, names, strict=True)
            )
            return replace(base, template="convert_record.j2", cls=cls, lines=lines)
        # positional arguments (the dataclass's fields are in WIT order): a keyword call
        # costs about twice as much
        args = [self.lift(mod, f.type, f"d[{_jinja.pyrepr(f.name)}]") for f in fields]
        ret = py.bracket(f"return {cls}", args, indent=4)
        return replace(base, template="convert_record.j2", cls=cls, ret=ret)

    def _variant_conv(self, mod: _Mod, ty: m.TypeId, base: ConvVM) -> ConvVM:
        kind = self.kind(ty)
        tagged = self.tagged(ty)
        cases = self.cases_of(ty)
        assert cases is not None
        nested = isinstance(kind, m.OptionKind) and py.is_option(self.r, kind.type)
        wit = py.wit_type(self.r, ty)
        if base.lowering:
            lost = self.conflicts(ty) if not tagged else [frozenset()] * len(cases)
            out: list[LowerCaseVM] = []
            for i, ((tag, payload), gone) in enumerate(zip(cases, lost, strict=True)):
                test, access = self._case_test(mod, ty, kind, i, tag, nested)
                value = "None"
                if payload is not None:
                    value = self.lower(mod, payload, access)
                if tagged:
                    args = [_jinja.pyrepr(tag)] + ([value] if payload is not None else [])
                    value = ", ".join(args)
                    value = f"_rt.Variant({value})"
                mine = self.classes(payload)
                always = bool(gone) and gone >= mine
                partly = bool(gone) and not always
                check = ""
                if partly:
                    spelled = [_CLASS_SPELLING[c] for c in _CLASS_ORDER if c in gone]
                    check = (
                        f"type(p) is {spelled[0]}"
                        if len(spelled) == 1
                        else f"type(p) in ({', '.join(spelled)})"
                    )
                depth = 8 if test is not None else 4
                message = (
                    f"wasmtime-py cannot send case `{tag}` of `{wit}`: "
                    "it would take the value for an earlier case"
                )
                raise_ = py.bracket(
                    "raise NotImplementedError",
                    [_jinja.pyrepr(message)],
                    indent=depth + (4 if partly else 0),
                )
                out.append(
                    LowerCaseVM(
                        test=test,
                        value=self._expr("p = " if partly else "return ", value, depth),
                        unsendable=always,
                        partly=partly,
                        check=check,
                        message=raise_,
                    )
                )
            final_raise = out[-1].test is not None
            return replace(
                base,
                template="convert_variant.j2",
                lower_cases=tuple(out),
                tagged=tagged,
                final_raise=final_raise,
                expected=py.expr(
                    f"_rt.expected({_jinja.pyrepr(self._expected(mod, ty))}, v)",
                    indent=4,
                    head="raise ",
                ),
            )
        lifts: list[LiftCaseVM] = []
        order = list(range(len(cases)))
        if not tagged:  # the case that can hold anything (`object`) is tested last
            order.sort(key=lambda i: "object" in self.classes(cases[i][1]))
        for n, i in enumerate(order):
            tag, payload = cases[i]
            last = n == len(order) - 1
            src = "v.payload" if tagged else "v"
            if tagged:
                test = None if last else f"v.tag == {_jinja.pyrepr(tag)}"
            else:
                found = sorted(self.classes(payload) - {"object"}, key=_CLASS_ORDER.index)
                spelled = [_CLASS_SPELLING[c] for c in found]
                if last or not spelled:
                    test = None
                elif len(spelled) == 1:
                    test = f"type(v) is {spelled[0]}"
                else:
                    test = f"type(v) in ({', '.join(spelled)})"
            inner = self.lift(mod, payload, src) if payload is not None else None
            value = self._build_case(mod, ty, kind, i, tag, inner, nested)
            lifts.append(
                LiftCaseVM(test=test, value=self._expr("return ", value, 8 if test else 4))
            )
            if test is None:
                break
        return replace(base, template="convert_variant.j2", lift_cases=tuple(lifts), tagged=tagged)

    def _case_test(
        self, mod: _Mod, ty: m.TypeId, kind: m.TypeDefKind, i: int, tag: str, nested: bool
    ) -> tuple[str | None, str]:
        """The Python-side test of case `i` on `v` and how to reach its payload."""
        match kind:
            case m.Variant():
                return f"isinstance(v, {mod.cases[(ty, tag)]})", "v.value"
            case m.OptionKind():
                if i == 0:
                    return "v is None", "v"
                if nested:
                    return f"isinstance(v, {mod.h('Some')})", "v.value"
                return None, "v"
            case m.ResultKind():
                return f"isinstance(v, {mod.h('Ok' if i == 0 else 'Err')})", "v.value"
            case _:
                raise AssertionError(kind)

    def _build_case(
        self,
        mod: _Mod,
        ty: m.TypeId,
        kind: m.TypeDefKind,
        i: int,
        tag: str,
        inner: str | None,
        nested: bool,
    ) -> str:
        match kind:
            case m.Variant():
                return f"{mod.cases[(ty, tag)]}({inner or ''})"
            case m.OptionKind():
                if i == 0:
                    return "None"
                assert inner is not None
                return f"{mod.h('Some')}({inner})" if nested else inner
            case m.ResultKind():
                return f"{mod.h('Ok' if i == 0 else 'Err')}({inner or 'None'})"
            case _:
                raise AssertionError(kind)

    def _expected(self, mod: _Mod, ty: m.TypeId) -> str:
        """How a TypeError names what a lowering expected."""
        td = self.r.types[ty]
        if td.name is not None and py.is_nominal(self.r, ty):
            return mod.classes[ty]
        return self.full_ann(ty, mod.side).replace(f"{self.pkg}.", "")

    def _labels_conv(
        self, mod: _Mod, ty: m.TypeId, template: str, labels: list[str], base: ConvVM
    ) -> ConvVM:
        cls = mod.classes[ty]
        line = py.bracket("labels = ", [_jinja.pyrepr(x) for x in labels], indent=4)
        if len(labels) == 1:
            line = f"labels = ({_jinja.pyrepr(labels[0])},)"
        return replace(base, template=template, cls=cls, lines=(line,))

    def _list_conv(self, mod: _Mod, elem: m.Type, base: ConvVM) -> ConvVM:
        if base.lowering:
            expr, source = self.lower(mod, elem, "x"), "_rt.seq(v)"
        else:
            expr, source = self.lift(mod, elem, "x"), "v"
        flat = f"return [{expr} for x in {source}]"
        loop = not py.fits(flat, 4)
        step = self._expr("out.append", f"({expr})", 8) if loop else flat
        cls = mod.h("Any") if loop else ""
        return replace(
            base, template="convert_list.j2", cls=cls, lines=(step,), ret=source, loop=loop
        )

    def _tuple_conv(self, mod: _Mod, types: tuple[m.Type, ...], base: ConvVM) -> ConvVM:
        if base.lowering:
            items = [self.lower(mod, t, f"t[{i}]") for i, t in enumerate(types)]
        else:
            items = [self.lift(mod, t, f"v[{i}]") for i, t in enumerate(types)]
        ret = f"return ({items[0]},)" if len(items) == 1 else py.bracket("return ", items, indent=4)
        return replace(base, template="convert_tuple.j2", ret=ret, count=len(types))

    def _expr(self, head: str, expr: str, indent: int) -> str:
        return py.expr(expr, indent=indent, head=head)

    def _field_names(self, fields: Sequence[m.Field]) -> list[str]:
        scope = py.Scope()
        return [scope.claim(py.func_name(f.name)) for f in fields]

    # ------------------------------------------------------------ building modules

    def _build(self) -> None:
        self._queue: list[tuple[_Mod, m.TypeId, Direction, str]] = []
        self._index: dict[tuple[str, str], int] = {}
        self._method_names: dict[m.TypeId, dict[str, str]] = {}
        # Per imports module: the name of its `Host` Protocol, "" when the host implements nothing.
        self._has_host: dict[str, str] = {}
        self._guest_classes: dict[m.TypeId, str] = {}
        self._accessors: dict[str, str] = {}
        for f in self.export_funcs:
            self._export_index(f, "")
        for iface in self.exports_ifaces:
            self.exports.append((iface.instance, []))
            for f in iface.functions:
                self._export_index(f, iface.instance)
        for mod in self.mods.values():
            self._build_types(mod)
        for mod in self.mods.values():
            if mod.iface is not None and mod.side == "import":
                self._build_import(mod)
            elif mod.iface is not None:
                self._build_export(mod)
        self.world_vm = self._build_world(self.mods[""])
        self._drain()

    def _export_index(self, f: m.Function, instance: str) -> None:
        if not self.exports or self.exports[-1][0] != instance:
            self.exports.append((instance, []))
        self.exports[-1][1].append(f.name)
        self._index[(instance, f.name)] = len(self._index)

    def _build_types(self, mod: _Mod) -> None:
        for tid, name in mod.classes.items():
            td = self.r.types[tid]
            doc = _text(td.docs)
            kind = td.kind
            match kind:
                case m.Record(fields=fields):
                    names = self._field_names(fields)
                    shadowed = py.SHADOWABLE & frozenset(names)
                    mod.items.append(
                        RecordVM(
                            name=name,
                            doc=doc,
                            fields=tuple(
                                FieldVM(
                                    name=n,
                                    annotation=self.ann(mod, f.type, shadowed),
                                    doc=_text(f.docs),
                                )
                                for f, n in zip(fields, names, strict=True)
                            ),
                        )
                    )
                    mod.h("dataclass")
                case m.Variant(cases=cases):
                    mod.h("dataclass")
                    vm_cases = tuple(
                        CaseVM(
                            name=mod.cases[(tid, c.name)],
                            annotation=None if c.type is None else self.ann(mod, c.type),
                            doc=_text(c.docs),
                        )
                        for c in cases
                    )
                    alias = self._union(name, [c.name for c in vm_cases])
                    mod.items.append(VariantVM(name=name, doc=doc, cases=vm_cases, alias=alias))
                case m.Enum(cases=enum_cases):
                    scope = py.Scope()
                    members = tuple(
                        MemberVM(
                            name=scope.claim(py.member_name(c.name)),
                            value=str(i),
                            doc=_text(c.docs),
                        )
                        for i, c in enumerate(enum_cases)
                    )
                    enum = EnumVM(name=name, base=mod.h("Enum"), doc=doc, members=members)
                    mod.items.append(enum)
                case m.Flags(flags=flags):
                    scope = py.Scope()
                    members = tuple(
                        MemberVM(
                            name=scope.claim(py.member_name(f.name)),
                            value="auto()",
                            doc=_text(f.docs),
                        )
                        for f in flags
                    )
                    mod.h("auto")
                    flags_vm = EnumVM(name=name, base=mod.h("Flag"), doc=doc, members=members)
                    mod.items.append(flags_vm)
                case m.Resource():
                    if mod.side == "export":
                        mod.items.append(self._guest_resource(mod, tid, name))
                    else:
                        mod.items.append(self._host_resource(mod, tid, name))
                case _:
                    raise AssertionError(kind)

    def _union(self, name: str, cases: list[str]) -> str:
        flat = f"{name} = {' | '.join(cases)}"
        if py.fits(flat, 0) or len(cases) == 1:
            return flat
        return f"{name} = (\n    " + "\n    | ".join(cases) + "\n)"

    # ------------------------------------------------------------ functions

    def _functions_of(self, mod: _Mod) -> list[m.Function]:
        return mod.iface.functions if mod.iface is not None else self.import_funcs

    def _resource_funcs(self, funcs: Iterable[m.Function], tid: m.TypeId) -> list[m.Function]:
        return [
            f for f in funcs if f.kind.resource is not None and self._same(f.kind.resource, tid)
        ]

    def _same(self, a: m.TypeId, b: m.TypeId) -> bool:
        return self.r.dealias(a) == self.r.dealias(b)

    def _doc(self, f: m.Function, side: Side) -> str | None:
        doc = _text(f.docs)
        err = self._raised(f)
        if err is None:
            return doc
        raises = f"Raises: `{self.pkg}.Err({self.full_ann(err[1], side)})`"
        return f"{doc}\n\n{raises}" if doc else raises

    def _raised(self, f: m.Function) -> tuple[m.TypeId, m.Type | None] | None:
        """(result type, error type) when the function's own result is a `result`."""
        if f.result is None:
            return None
        res = self.r.dealias(f.result)
        if isinstance(res, str):
            return None
        kind = self.kind(res)
        if isinstance(kind, m.ResultKind):
            return res, kind.err
        return None

    def _returns(self, mod: _Mod, f: m.Function, shadowed: frozenset[str]) -> str:
        raised = self._raised(f)
        if raised is not None:
            kind = self.kind(raised[0])
            assert isinstance(kind, m.ResultKind)
            return self.ann(mod, kind.ok, shadowed)
        return self.ann(mod, f.result, shadowed)

    def _params(
        self, mod: _Mod, f: m.Function, shadowed: frozenset[str], skip_self: bool
    ) -> list[tuple[m.Param, str, str]]:
        """(param, Python name, annotation), without the receiver of a method."""
        params = list(f.params[1:] if skip_self else f.params)
        scope = py.Scope({"self"})
        return [(p, scope.claim(py.param_name(p.name)), self.ann(mod, p.type, shadowed))
                for p in params]  # fmt: skip

    def _stub(
        self, mod: _Mod, f: m.Function, name: str, shadowed: frozenset[str], skip_self: bool
    ) -> StubVM:
        params: list[tuple[str, str | None]] = [("self", None)]
        params += [(n, a) for _, n, a in self._params(mod, f, shadowed, skip_self)]
        returns = self._returns(mod, f, shadowed)
        doc = self._doc(f, mod.side)
        sig = py.signature(name, params, returns, indent=4, stub=doc is None)
        return StubVM(signature=sig, doc=doc)

    # ------------------------------------------------------------ host side

    def _resource_id(self, mod: _Mod, tid: m.TypeId) -> str:
        td = self.r.types[tid]
        iface = mod.iface.instance if mod.iface is not None else self.world.name
        digest = hashlib.sha256(f"{self.pkg}\0{iface}\0{td.name}".encode()).digest()
        return f"0x{int.from_bytes(digest[:4], 'big'):08X}"

    def _host_resource(self, mod: _Mod, tid: m.TypeId, name: str) -> HostResourceVM:
        td = self.r.types[tid]
        methods = [f for f in self._resource_funcs(self._functions_of(mod), tid)
                   if f.kind.name == "method"]  # fmt: skip
        scope = py.Scope({"drop"})
        names = [scope.claim(py.func_name(f.item_name)) for f in methods]
        shadowed = py.SHADOWABLE & frozenset([*names, "drop"])
        stubs = tuple(
            self._stub(mod, f, n, shadowed, skip_self=True)
            for f, n in zip(methods, names, strict=True)
        )
        self._method_names[tid] = dict(zip((f.name for f in methods), names, strict=True))
        return HostResourceVM(
            name=name,
            doc=_text(td.docs),
            runtime_checkable=mod.h("runtime_checkable"),
            protocol=mod.h("Protocol"),
            methods=stubs,
            drop="drop",
            id_name=f"_{name}_ID",
            id_value=self._resource_id(mod, tid),
        )

    def _hooks(self, mod: _Mod, funcs: list[m.Function], scope: py.Scope) -> dict[str, str]:
        """Host-method names of freestanding functions, constructors and statics."""
        out: dict[str, str] = {}
        for f in funcs:
            if f.kind.name == "freestanding":
                out[f.name] = scope.claim(py.func_name(f.name))
        for f in funcs:
            if f.kind.resource is None or f.kind.name == "method":
                continue
            rname = py.snake(self.r.types[self._resource(f)].name or "")
            suffix = "new" if f.kind.name == "constructor" else py.snake(f.item_name)
            out[f.name] = scope.claim(py.escape(f"{rname}_{suffix}"))
        return out

    def _build_import(self, mod: _Mod) -> None:
        assert mod.iface is not None
        funcs = mod.iface.functions
        hooks = self._hooks(mod, funcs, py.Scope())
        host_name = mod.generated["host"]
        shadowed = py.SHADOWABLE & frozenset(hooks.values())
        stubs = tuple(
            self._stub(mod, f, hooks[f.name], shadowed, skip_self=False)
            for f in funcs
            if f.name in hooks
        )
        has_host = bool(stubs)
        self._has_host[mod.dotted] = host_name if has_host else ""
        if has_host:
            mod.items.append(
                HostVM(
                    name=host_name,
                    protocol=mod.h("Protocol"),
                    doc=f"The host's implementation of `{mod.iface.instance}`.",
                    methods=stubs,
                )
            )
        linker = self._linker(mod, funcs, hooks, "_add_to_linker", host_name if has_host else "")
        if linker is not None:
            mod.items.append(linker)

    def _linker(
        self, mod: _Mod, funcs: list[m.Function], hooks: dict[str, str], fname: str, host: str
    ) -> LinkerVM | None:
        resources = [tid for tid in mod.classes if isinstance(self.kind(tid), m.Resource)]
        if not funcs and not resources:
            return None
        callbacks = tuple(self._callback(mod, f, hooks) for f in funcs)
        params: list[tuple[str, str | None]] = [
            ("root", "_rt.LinkerInstance"),
            ("host", host or "object"),
            ("table", "_rt.Table"),
        ]
        signature = py.signature(fname, params, "None", indent=0)
        what = f"`{mod.iface.instance}`" if mod.iface is not None else "the world's imports"
        target, depth = ("inst", 8) if mod.iface is not None else ("root", 4)
        lines = [
            py.bracket(
                f"{target}.add_resource",
                [
                    _jinja.pyrepr(self.r.types[tid].name),
                    f"_rt.ResourceType.host(_{mod.classes[tid]}_ID)",
                    "table.dtor",
                ],
                indent=depth,
            )
            for tid in resources
        ]
        lines += [
            py.bracket(f"{target}.add_func", [cb.wit_name, f"_rt.guard({cb.name})"], indent=depth)
            for cb in callbacks
        ]
        return LinkerVM(
            name=fname,
            signature=signature,
            doc=f"Define {what} in `root`; calls go to `host`.",
            callbacks=callbacks,
            instance=_jinja.pyrepr(mod.iface.instance) if mod.iface is not None else "",
            lines=tuple(lines),
        )

    def _callback(self, mod: _Mod, f: m.Function, hooks: dict[str, str]) -> CallbackVM:
        name = "_h_" + py.snake(f.name.replace("[", "").replace("]", "-").replace(".", "-"))
        tys = [p.type for p in f.params] + ([f.result] if f.result is not None else [])
        cx = any(self.needs_cx(t) for t in tys)
        params: list[tuple[str, str | None]] = [("_s", "_rt.StoreContext")]
        params += [(f"_p{i}", mod.h("Any")) for i in range(len(f.params))]
        raised = self._raised(f)
        returns = f.result is not None
        signature = py.signature(name, params, "object" if returns else "None", indent=4)
        args: list[str] = []
        call_args: list[str] = []
        for i, p in enumerate(f.params):
            expr = self.lift(mod, p.type, f"_p{i}")
            if expr == f"_p{i}":
                call_args.append(expr)
            else:
                args.append(self._expr(f"_a{i} = ", expr, 8))
                call_args.append(f"_a{i}")
        if f.kind.name == "method":
            callee = f"{call_args[0]}.{self._method_names[self._resource(f)][f.name]}"
            call_args = call_args[1:]
        else:
            callee = f"host.{hooks[f.name]}"
        depth = 12 if raised else 8
        unit = raised is not None and self.r.types[raised[0]].kind == m.ResultKind(
            ok=None, err=raised[1]
        )
        head = "_v = " if returns and not unit else ""
        call = py.bracket(head + callee, call_args, indent=depth)
        ret_ok = ret_err = err = ""
        if raised:
            assert f.result is not None
            err = mod.h("Err")
            ok = f"{mod.h('Ok')}({'None' if unit else '_v'})"
            ret_ok = self._expr("return ", self.lower(mod, f.result, ok), 8)
            ret_err = self._expr("return ", self.lower(mod, f.result, "_e"), 12)
        elif f.result is not None:
            ret_ok = self._expr("return ", self.lower(mod, f.result, "_v"), 8)
        for what in self.unsendable(f.result):
            self.diags.append(
                warning(
                    UNSENDABLE,
                    f"function `{f.name}`: wasmtime-py cannot send {what} (B.2); a host "
                    "implementation returning it makes the guest call raise `Trap` instead",
                    f.span,
                )
            )
        return CallbackVM(
            name=name,
            wit_name=_jinja.pyrepr(f.name),
            signature=signature,
            cx=cx,
            args=tuple(args),
            call=call,
            returns_value=returns,
            raises=raised is not None,
            ret_ok=ret_ok,
            ret_err=ret_err,
            err=err,
        )

    def _resource(self, f: m.Function) -> m.TypeId:
        assert f.kind.resource is not None
        res = self.r.dealias(f.kind.resource)
        assert not isinstance(res, str)
        return res

    # ------------------------------------------------------------ guest side

    def _export_func(
        self, mod: _Mod, f: m.Function, name: str, instance: str, shadowed: frozenset[str]
    ) -> ExportFuncVM:
        method = f.kind.name == "method"
        params = self._params(mod, f, shadowed, skip_self=method)
        sig_params: list[tuple[str, str | None]] = [("self", None)]
        sig_params += [(n, a) for _, n, a in params]
        returns = self._returns(mod, f, shadowed)
        signature = py.signature(name, sig_params, returns, indent=4)
        ops = set().union(*(self.handle_ops(mod, p.type) for p, _, _ in params))
        moves, lends = "move" in ops, "lend" in ops
        cx = bool(ops) or self.needs_cx(f.result)
        guarded = any(self.unsendable(p.type) for p, _, _ in params)
        depth = 12 if guarded else 8
        args = []
        call_args = ["_a0"] if method else []
        for i, (p, pname, _) in enumerate(params, start=1 if method else 0):
            args.append(self._expr(f"_a{i} = ", self.lower(mod, p.type, pname), depth))
            call_args.append(f"_a{i}")
        index = self._index[(instance, f.name)]
        head = "_r = " if f.result is not None else ""
        call = py.bracket(f"{head}_f", ["_st.store", *call_args], indent=12)
        ret: str | None = None
        if f.result is not None:
            raised = self._raised(f)
            if raised is not None:
                ret = self._expr("return ", f"_rt.unwrap({self.lift(mod, f.result, '_r')})", 8)
            elif self.lift_identity(f.result):
                cast_ann = self._returns(mod, f, frozenset())
                ret = f'return _rt.cast("{cast_ann}", _r)'
                if not py.fits(ret, 8):
                    ret = py.bracket("return _rt.cast", [f'"{cast_ann}"', "_r"], indent=8)
            else:
                ret = self._expr("return ", self.lift(mod, f.result, "_r"), 8)
        for p, _, _ in params:
            for what in self.unsendable(p.type):
                self.diags.append(
                    warning(
                        UNSENDABLE,
                        f"function `{f.name}`: wasmtime-py cannot send {what} "
                        "(B.2); passing it raises `Trap` instead (the instance stays usable)",
                        f.span,
                    )
                )
        return ExportFuncVM(
            signature=signature,
            doc=self._doc(f, mod.side),
            method=method,
            cx=cx,
            moves=moves,
            lends=lends,
            guarded=guarded,
            args=tuple(args),
            index=index,
            call=call,
            ret=ret,
        )

    def _guest_resource(self, mod: _Mod, tid: m.TypeId, name: str) -> GuestResourceVM:
        td = self.r.types[tid]
        assert mod.iface is not None
        funcs = self._resource_funcs(mod.iface.functions, tid)
        methods = [f for f in funcs if f.kind.name == "method"]
        statics = [f for f in funcs if f.kind.name != "method"]
        scope = py.Scope({"drop"})
        mnames = [scope.claim(py.func_name(f.item_name)) for f in methods]
        shadowed = py.SHADOWABLE & frozenset(mnames)
        class_name = mod.generated[f"class:{tid}"]
        sscope = py.Scope({"new"})
        snames = [
            "new" if f.kind.name == "constructor" else sscope.claim(py.func_name(f.item_name))
            for f in statics
        ]
        sshadowed = py.SHADOWABLE & frozenset(snames)
        self._guest_classes[tid] = class_name
        inst = mod.iface.instance
        return GuestResourceVM(
            name=name,
            doc=_text(td.docs),
            methods=tuple(
                self._export_func(mod, f, n, inst, shadowed)
                for f, n in zip(methods, mnames, strict=True)
            ),
            class_name=class_name,
            class_doc=f"The constructor and static functions of resource `{td.name}`.",
            statics=tuple(
                self._export_func(mod, f, n, inst, sshadowed)
                for f, n in zip(statics, snames, strict=True)
            ),
        )

    def _build_export(self, mod: _Mod) -> None:
        assert mod.iface is not None
        iface = mod.iface
        free = [f for f in iface.functions if f.kind.name == "freestanding"]
        scope = py.Scope()
        fnames = [scope.claim(py.func_name(f.name)) for f in free]
        attrs: list[tuple[str, str]] = []
        for tid in mod.classes:
            if isinstance(self.kind(tid), m.Resource):
                attr = py.func_name(self.r.types[tid].name or "")
                if attr in scope.taken:
                    attr = scope.claim(attr + "_resource")
                scope.taken.add(attr)
                attrs.append((attr, self._guest_classes[tid]))
        shadowed = py.SHADOWABLE & frozenset(scope.taken)
        name = mod.generated["accessor"]
        doc = (
            _text(self.r.interfaces[iface.iid].docs)
            or f"The exported interface `{iface.instance}`."
        )
        mod.items.append(
            AccessorVM(
                name=name,
                doc=doc,
                attributes=tuple(attrs),
                functions=tuple(
                    self._export_func(mod, f, n, iface.instance, shadowed)
                    for f, n in zip(free, fnames, strict=True)
                ),
            )
        )
        self._accessors[mod.dotted] = name

    # ------------------------------------------------------------ the world module

    def _build_world(self, mod: _Mod) -> WorldVM:
        world_name, imports_name = mod.generated["world"], mod.generated["imports"]
        # world-level host resources and functions
        hooks = self._hooks(mod, self.import_funcs, py.Scope({i.module for i in self.imports}))
        linker = self._linker(mod, self.import_funcs, hooks, "_add_root", imports_name)
        if linker is not None:
            mod.items.append(linker)
        members = py.Scope({"add_to_linker", "instantiate", "wasm_store", "wasm_instance"})
        attrs = []
        for iface in self.exports_ifaces:
            attr = members.claim(iface.module)
            alias = mod.ref("exports." + iface.module)
            attrs.append((attr, f"{alias}.{self._accessors['exports.' + iface.module]}"))
        fnames = [members.claim(py.func_name(f.name)) for f in self.export_funcs]
        shadowed = py.SHADOWABLE & frozenset(members.taken)
        functions = tuple(
            self._export_func(mod, f, n, "", shadowed)
            for f, n in zip(self.export_funcs, fnames, strict=True)
        )
        # the imports Protocol
        ishadow = py.SHADOWABLE & frozenset([*hooks.values(), *(i.module for i in self.imports)])
        props = []
        for iface in self.imports:
            if self._has_host.get("imports." + iface.module):
                alias = mod.ref("imports." + iface.module)
                prop = "builtins.property" if "property" in ishadow else "property"
                if prop.startswith("builtins"):
                    mod.used.add("builtins")
                returns = f"{alias}.{self._has_host['imports.' + iface.module]}"
                signature = f"@{prop}\n    def {iface.module}(self) -> {returns}: ..."
                props.append(StubVM(signature=signature, doc=None))
        methods = tuple(
            self._stub(mod, f, hooks[f.name], ishadow, skip_self=False)
            for f in self.import_funcs
            if f.name in hooks
        )
        steps = []
        if linker is not None:
            steps.append("_add_root(root, host, table)")
        for iface in self.imports:
            if iface.wasi:  # defined by WASI, never here
                continue
            dotted = "imports." + iface.module
            inst = _jinja.pyrepr(iface.instance)
            if any(isinstance(i, LinkerVM) for i in self.mods[dotted].items):
                host = f"host.{iface.module}" if self._has_host.get(dotted) else "None"
                call = f"{mod.ref(dotted)}._add_to_linker"
                steps.append(py.bracket(call, ["root", host, "table"], indent=12))
            else:
                steps.append(py.bracket("_rt.add_instance", ["root", inst], indent=12))
        exports_const = _exports_const(self.exports)
        wshadow = shadowed
        linker_t, component_t = mod.h("Linker"), mod.h("Component")
        add_sig = py.signature(
            "add_to_linker",
            [("linker", linker_t), ("host", imports_name), ("*", None), ("wasi", "bool = True")],
            "None",
            indent=4,
        )
        inst_sig = py.signature(
            "instantiate",
            [("cls", None), ("store", mod.h("Store")), ("component", component_t),
             ("linker", linker_t)],
            mod.h("Self"),
            indent=4,
        )  # fmt: skip
        world_doc = (
            _text(self.world.docs)
            or f"An instance of a component of the world `{self.world.name}`."
        )
        return WorldVM(
            name=world_name,
            imports_name=imports_name,
            doc=world_doc,
            imports_doc=f"What the host provides to a component of the world `{self.world.name}`.",
            attributes=tuple(attrs),
            imports_props=tuple(props),
            imports_methods=methods,
            protocol=mod.h("Protocol"),
            exports_const=exports_const,
            add_to_linker=add_sig,
            instantiate=inst_sig,
            wasm_store="wasm_store",
            wasm_instance="wasm_instance",
            store=mod.h("Store"),
            instance=mod.h("Instance"),
            linker_steps=tuple(steps),
            needs_table=any("table" in step for step in steps),
            wasi_imports=any(i.wasi for i in self.imports),
            functions=functions,
            staticmethod=self._builtin(mod, "staticmethod", wshadow),
            classmethod=self._builtin(mod, "classmethod", wshadow),
            property=self._builtin(mod, "property", wshadow),
        )

    def _builtin(self, mod: _Mod, name: str, shadowed: frozenset[str]) -> str:
        if name in shadowed:
            mod.used.add("builtins")
            return f"builtins.{name}"
        return name

    # ------------------------------------------------------------ rendering

    def render(self) -> dict[PurePosixPath, str | bytes]:
        root = PurePosixPath(self.pkg)
        out: dict[PurePosixPath, str | bytes] = {}
        out[root / "_rt.py"] = _jinja.render(TEMPLATES, "_rt.py.j2", version=__version__)
        out[root / "py.typed"] = ""
        for side in ("imports", "exports"):
            doc = f"The interfaces a `{self.world.name}` component {side[:-1]}s."
            out[root / side / "__init__.py"] = _jinja.render(
                TEMPLATES, "package.py.j2", version=__version__, doc=doc
            )
        for dotted, mod in self.mods.items():
            if dotted == "":
                continue
            assert mod.iface is not None
            iface = self.r.interfaces[mod.iface.iid]
            side = "imported" if mod.side == "import" else "exported"
            doc = _text(iface.docs) or f"The {side} interface `{mod.iface.instance}`."
            if mod.iface.wasi:
                doc += (
                    "\n\nWASI implements this interface: `add_to_linker(..., wasi=True)` (or"
                    " your own\n`linker.add_wasip2()`) provides it; the host object implements"
                    " nothing of it."
                )
            vm = self._module_vm(mod, doc, None, [*mod.items, *mod.conv_items])
            path = root / dotted.replace(".", "/")
            out[path.with_suffix(".py")] = _jinja.render(TEMPLATES, "module.py.j2", mod=vm)
        mod = self.mods[""]
        world = self.world_vm
        exported = [world.name, world.imports_name, *mod.classes.values(),
                    *(c for c in mod.cases.values())]  # fmt: skip
        for h in ("Err", "Ok", "Result", "Some", "Trap"):
            if mod.h(h) == h:
                exported.append(h)
        names = [_jinja.pyrepr(n) for n in sorted(exported, key=_isort_key)]
        all_ = py.bracket("__all__ = ", names, indent=0, brackets="[]")
        items = [*mod.items, world, *mod.conv_items]
        pkg = self.r.packages[self.world.package] if self.world.package is not None else None
        world_id = f"{pkg.name.unversioned}/{self.world.name}" if pkg else self.world.name
        doc = _text(self.world.docs) or f"Host bindings of the world `{world_id}`."
        vm = self._module_vm(mod, doc, all_, items)
        out[root / "__init__.py"] = _jinja.render(TEMPLATES, "module.py.j2", mod=vm)
        return out

    def _module_vm(self, mod: _Mod, doc: str, all_: str | None, items: list[object]) -> ModuleVM:
        up = "." if mod.dotted == "" else ".."
        std: list[str] = []
        third: list[str] = []
        uses_rt = any(_uses_rt(item) for item in items)
        local = [f"from {up} import _rt"] if uses_rt else []
        for source, names in _HELPER_SOURCES:
            used = [n for n in names if n in mod.used]
            if not used:
                continue
            lines = _imports(f"{up}_rt" if source == "_rt" else source, used, mod.h)
            if source == "_rt":
                local.extend(lines)
            else:
                (third if source.startswith("wasmtime") else std).extend(lines)
        if "builtins" in mod.used:
            std.insert(0, "import builtins")
        for dotted, alias in sorted(mod.refs.items()):
            side, name = dotted.split(".", 1)
            local.append(f"from {up}{side} import {name} as {alias}")
        groups = [["from __future__ import annotations"], std, third, local]
        imports = tuple("\n".join(g) for g in groups if g)
        return ModuleVM(version=__version__, doc=doc, imports=imports, all=all_, items=tuple(items))


def _text(docs: m.Docs) -> str | None:
    """A doc to write, or None when there is none (or it is blank)."""
    return docs.contents if docs.contents and docs.contents.strip() else None


def _uses_rt(item: object) -> bool:
    """Whether a view model's code refers to the runtime module (`_rt.…`)."""
    if isinstance(item, RecordVM | VariantVM | EnumVM):
        return False
    if not isinstance(item, ConvVM) or item.lowering:
        return True
    texts = [item.ret, *item.lines, *(c.test or "" for c in item.lift_cases)]
    texts += [c.value for c in item.lift_cases]
    return any("_rt." in text for text in texts)


def _isort_key(name: str) -> tuple[int, list[object]]:
    """`__all__` order as ruff's RUF022 wants it: CONSTANTS, Classes, others; natural sort."""
    group = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return group, [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def _member_key(name: str) -> tuple[int, str]:
    """isort's member order: CONSTANTS, Classes, then everything else."""
    return (0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2, name)


def _imports(source: str, names: list[str], spell: Callable[[str], str]) -> list[str]:
    """The `from source import …` statements of `names`, as isort orders them.

    Plain names share one statement; each aliased name (`Enum as _Enum`) gets its own.
    """
    plain = sorted((n for n in names if spell(n) == n), key=_member_key)
    statements: list[tuple[tuple[int, str], int, str]] = []
    if plain:
        statements.append((_member_key(plain[0]), 0, _import(source, plain)))
    for n in names:
        if spell(n) != n:
            statements.append((_member_key(n), 1, _import(source, [f"{n} as {spell(n)}"])))
    return [text for _, _, text in sorted(statements)]


def _import(source: str, names: list[str]) -> str:
    """`from source import a, b`, parenthesised and exploded when too long."""
    flat = f"from {source} import {', '.join(names)}"
    if py.fits(flat, 0):
        return flat
    return py.bracket(f"from {source} import ", names, indent=0)


def _exports_const(exports: list[tuple[str, list[str]]]) -> str:
    """`_EXPORTS = ((instance, (function, …)), …)`, laid out."""
    entries = []
    for inst, names in exports:
        funcs = [_jinja.pyrepr(n) for n in names]
        inner = f"({funcs[0]},)" if len(funcs) == 1 else py.bracket("", funcs, indent=8)
        entries.append(py.bracket("", [_jinja.pyrepr(inst), inner], indent=4))
    if len(entries) == 1:
        flat = f"_EXPORTS = ({entries[0]},)"
        if py.fits(flat, 0):
            return flat
    return py.bracket("_EXPORTS = ", entries, indent=0) if entries else "_EXPORTS = ()"
