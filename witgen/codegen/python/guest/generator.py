"""Python guest bindings with componentize-py's API: `witgen bindgen --lang python --guest`.

Input: a `model.Resolve`, the id of a world and `GuestOptions`. Output: the files of
`componentize-py bindings` (`componentize_py_types.py` and the world module's package),
with the same public API, or the diagnostics that prevent them.

Invariants: the phases run in one direction, each in its own module: `planning` decides
what exists, what it is called and what is reported; `assembly` builds one frozen view
model per template; `emission` renders them. Python decides and templates print. The
output is deterministic and formatted as `ruff format` would format it.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from witgen import model as m
from witgen.codegen.python.guest import emission
from witgen.codegen.python.guest.assembly import Assembly
from witgen.codegen.python.guest.planning import GuestOptions, WorldPlan
from witgen.text.diagnostics import Diagnostic, Severity, WitError

__all__ = ["GuestOptions", "diagnose", "generate"]


def diagnose(resolve: m.Resolve, wid: m.WorldId, options: GuestOptions) -> tuple[Diagnostic, ...]:
    """Every error and warning of generating bindings for the world (nothing is rendered)."""
    return tuple(WorldPlan(resolve, wid, options).diagnostics)


def generate(
    resolve: m.Resolve, wid: m.WorldId, options: GuestOptions
) -> dict[PurePosixPath, str | bytes]:
    """The files, relative to the output directory; a `WitError` holds the errors, if any
    (the warnings come from `diagnose`)."""
    plan = _checked(WorldPlan(resolve, wid, options))
    return emission.render(plan, Assembly(plan))


def _checked(plan: WorldPlan) -> WorldPlan:
    if plan.has_errors:
        raise WitError(tuple(d for d in plan.diagnostics if d.severity is Severity.ERROR))
    return plan
