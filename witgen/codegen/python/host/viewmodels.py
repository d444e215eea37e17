"""The view models of `templates/python_host/`: one frozen class per template.

Input: nothing (this module only declares). Output: the classes the assembly fills and the
templates print. Invariants: every field is already final text (names, annotations, laid
out code) or a flag the template branches on; no view model holds a model object or an id;
each item of a module names its template in `template`, which `module.py.j2` includes. The
definitions of nominal types (`record.j2`, `variant.j2`, `enum.j2`) and the host's Protocols
(`host.j2`) use the shared views of `codegen.python.type_views` and `codegen.python.protocols`.
"""

from __future__ import annotations

from dataclasses import dataclass

from witgen.codegen.python.protocols import HostProtocol, ImportsProtocol, ResourceProtocol
from witgen.codegen.python.type_views import TypeView

# ---------------------------------------------------------------- conversions


@dataclass(frozen=True, slots=True, kw_only=True)
class ConvertRecordVM:
    """`_lower_R` (check the class, build an `_rt.Record`) or `_lift_R` (call the class)."""

    template: str = "convert_record.j2"
    lowering: bool
    signature: str
    comment: str
    cls: str
    # Lowering: the `raise` of a wrong class, and one `d[key] = …` line per field.
    expected: str = ""
    fields: tuple[str, ...] = ()
    # Lifting: the `return R(…)` statement, laid out.
    ret: str = ""


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
    # Test on wasmtime's value `v`; None for the final, unconditional case.
    test: str | None
    # `return <Python value>`, laid out.
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ConvertVariantVM:
    """A variant, option or result: one branch per case."""

    template: str = "convert_variant.j2"
    lowering: bool
    signature: str
    comment: str
    lower_cases: tuple[LowerCaseVM, ...] = ()
    lift_cases: tuple[LiftCaseVM, ...] = ()
    # Lowering: whether a value no case's test accepted is refused at the end, and how.
    final_raise: bool = False
    expected: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConvertEnumVM:
    """An enum: its labels by member value."""

    template: str = "convert_enum.j2"
    lowering: bool
    signature: str
    comment: str
    cls: str
    expected: str
    # `labels = (…)`, laid out.
    labels: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ConvertFlagsVM(ConvertEnumVM):
    """A flags type: its labels by bit."""

    template: str = "convert_flags.j2"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConvertListVM:
    """A list whose elements need converting: a comprehension, or a loop when too long."""

    template: str = "convert_list.j2"
    signature: str
    comment: str
    loop: bool
    # With `loop`: the elements' annotation, what to iterate, and the `out.append(…)` line;
    # without: the `return [… for x in …]` line.
    element: str
    source: str
    step: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ConvertTupleVM:
    template: str = "convert_tuple.j2"
    lowering: bool
    signature: str
    comment: str
    count: int
    # `return (…)`, laid out.
    ret: str


ConversionVM = (
    ConvertRecordVM | ConvertVariantVM | ConvertEnumVM | ConvertFlagsVM | ConvertListVM
    | ConvertTupleVM
)  # fmt: skip


# ---------------------------------------------------------------- imports: host side


@dataclass(frozen=True, slots=True, kw_only=True)
class HostVM:
    """An imported interface's `Host` Protocol, its methods abstract."""

    template: str = "host.j2"
    host: HostProtocol
    # `abstractmethod` as the class body spells it (`_rt.abstractmethod` where a member
    # shadows it).
    abstract: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HostResourceVM:
    """An imported resource: its Protocol (methods abstract, `drop` not), and the id
    wasmtime knows its type by."""

    template: str = "host_resource.j2"
    resource: ResourceProtocol
    abstract: str
    id_name: str
    id_value: str


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


# ---------------------------------------------------------------- exports: guest side


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
    # Whether lowering may meet a case wasmtime-py would send as another one: it then raises
    # `Trap`, before wasm.
    guarded: bool
    args: tuple[str, ...]
    # The index of the export's `Func` in `State.fns`; the call of it (`_r = _f(…)`), laid out.
    index: int
    call: str
    ret: str | None
    # When the export's own result is a `result`: its `<name>_result` twin.
    twin: ResultTwinVM | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultTwinVM:
    """`<name>_result(…)`: calls the export wrapper and returns its `Err` instead of raising
    it, as a `Result` whose error type mypy sees."""

    signature: str
    doc: str
    # The call of the wrapper (`_v = self.f(…)`, or without `_v = ` for a unit `ok`), laid
    # out; `Ok(_v)` or `Ok(None)`; the spelling of `Err`.
    call: str
    ok: str
    err: str


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


# ---------------------------------------------------------------- the world and the files


@dataclass(frozen=True, slots=True, kw_only=True)
class WorldVM:
    template: str = "world.j2"
    name: str
    doc: str
    imports: ImportsProtocol
    attributes: tuple[tuple[str, str], ...]
    exports_const: str
    # The signatures of `add_to_linker` and `instantiate`, laid out.
    add_to_linker: str
    instantiate: str
    wasm_store: str
    wasm_instance: str
    store: str
    instance: str
    # `_HOST_NEEDS = (…)`, laid out: what `add_to_linker` checks `host` has.
    host_needs: str
    # The world's WIT name, as a literal for messages.
    world_name: str
    # `abstractmethod` as `<World>Imports` spells it.
    abstract: str
    linker_steps: tuple[str, ...]
    needs_table: bool
    # Whether the world imports interfaces WASI implements (left to WASI; documented).
    wasi_imports: bool
    functions: tuple[ExportFuncVM, ...]
    # Decorators, spelled `builtins.X` where a member shadows them.
    staticmethod: str
    classmethod: str
    property: str


ItemVM = (
    TypeView | HostVM | HostResourceVM | LinkerVM | GuestResourceVM | AccessorVM | WorldVM
    | ConversionVM
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleVM:
    """A generated module (`module.py.j2`): header, docstring, imports, `__all__`, items."""

    version: str
    doc: str
    # Import groups (future, standard library, wasmtime, the package's own), each sorted.
    imports: tuple[str, ...]
    all: str | None
    items: tuple[ItemVM, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageVM:
    """An `imports/` or `exports/` package's `__init__.py` (`package.py.j2`)."""

    version: str
    doc: str
