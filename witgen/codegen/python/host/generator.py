"""Typed Python host bindings for wasmtime-py: `witgen bindgen --lang python --host`.

Input: a `model.Resolve`, the id of a world and `HostOptions`. Output: the files of a
self-contained package, or the diagnostics that prevent them.

Invariants: the phases run in one direction, each in its own module: `planning` decides
what exists, what it is called and what is reported; `assembly` (with `conversions`,
`imports` and `exports`) builds one frozen view model per template; `emission` renders them
and copies the runtime. Python decides and templates print. The output is deterministic and
formatted as `ruff format` would format it at its default line length (`layout.LINE`).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from witgen import model as m
from witgen.codegen.python.host import emission
from witgen.codegen.python.host.assembly import Assembly
from witgen.codegen.python.host.planning import WASI_P2, HostOptions, WorldPlan, package_name
from witgen.text.diagnostics import Diagnostic, Severity, WitError

__all__ = ["WASI_P2", "HostOptions", "diagnose", "generate", "package_name"]


def diagnose(resolve: m.Resolve, wid: m.WorldId, options: HostOptions) -> tuple[Diagnostic, ...]:
    """Every error and warning of generating bindings for the world (nothing is rendered)."""
    return tuple(WorldPlan(resolve, wid, options).diagnostics)


def generate(
    resolve: m.Resolve, wid: m.WorldId, options: HostOptions
) -> dict[PurePosixPath, str | bytes]:
    """The package's files, relative to the output directory (`NAME/...`)."""
    plan = WorldPlan(resolve, wid, options)
    errors = tuple(d for d in plan.diagnostics if d.severity is Severity.ERROR)
    if errors:
        raise WitError(errors)
    return emission.render(plan, Assembly(plan))
