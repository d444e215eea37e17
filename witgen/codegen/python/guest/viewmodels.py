"""The view models of `templates/python_guest/`: one frozen class per template.

Input: nothing (this module only declares). Output: the classes the assembly fills and the
templates print. Invariants: every field is final text (names, laid-out signatures and
annotations, import lines) or a flag the template branches on; no view model holds a model
object or an id; each item of a module names its template in `template`, which
`module.py.j2` includes. Records, variants, enums and flags use the shared views of
`codegen.python.type_views`.
"""

from __future__ import annotations

from dataclasses import dataclass

from witgen.codegen.python.type_views import TypeView


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionVM:
    """A function or method: decorators, the laid-out `def` line(s), docstring and body."""

    decorators: tuple[str, ...]
    signature: str
    doc: str | None
    body: tuple[str, ...]
    # The indentation of the `def` line ("" or four spaces), and of the docstring and body.
    pad: str
    body_indent: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleFunctionVM:
    """A function at the top level of a module (an imported function)."""

    template: str = "function.j2"
    function: FunctionVM


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassVM:
    """A class of methods: an imported resource, or a Protocol the app implements (an
    exported resource, an exported interface, the world's exports)."""

    template: str = "class.j2"
    name: str
    # `(Protocol)`, or "" for a plain class.
    bases: str
    doc: str | None
    methods: tuple[FunctionVM, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementsVM:
    """Top-level statements, one after the other (the native harness's descriptions)."""

    template: str = "statements.j2"
    statements: tuple[str, ...]


ItemVM = TypeView | ModuleFunctionVM | ClassVM | StatementsVM


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleVM:
    """A generated module (`module.py.j2`): header, docstring, import groups, items."""

    version: str
    doc: str
    imports: tuple[str, ...]
    items: tuple[ItemVM, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FixedModuleVM:
    """A file whose text is fixed but for witgen's version: `componentize_py_types.py`
    (`types.py.j2`) and the stubs of componentize-py's async support (`async_*.pyi.j2`)."""

    version: str
