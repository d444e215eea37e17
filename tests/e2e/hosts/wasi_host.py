"""A typed host of the `test:wasi-imports` world, against the generated package `wasi_imports`.

The world imports `wasi:cli/environment` and `wasi:clocks/wall-clock` itself, besides `greet`.
Those two are WASI's: `Greeter` implements only `greet` and still satisfies
`wasi_imports.WasiImportsImports`. `mypy --strict` checks this module together with the
generated bindings.
"""

from __future__ import annotations

import wasmtime
from wasi_imports import WasiImports, WasiImportsImports
from wasi_imports.imports.wall_clock import Datetime
from wasmtime.component import Component, Linker

__all__ = ["Datetime", "Greeter", "WasiImports", "connect"]


class Greeter:
    """Satisfies `WasiImportsImports`: nothing of WASI, only the world's own `greet`."""

    def greet(self, name: str) -> str:
        return f"hello, {name}"


def connect(
    engine: wasmtime.Engine,
    component: Component,
    env: list[tuple[str, str]],
    argv: list[str],
    *,
    linker: Linker | None = None,
) -> WasiImports:
    """An instance whose WASI sees `env` and `argv`; `linker` defaults to a fresh one."""
    host: WasiImportsImports = Greeter()
    if linker is None:
        linker = Linker(engine)
        WasiImports.add_to_linker(linker, host)  # wasi=True: WASI's environment and clock
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.env = env
    wasi.argv = argv
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    return WasiImports.instantiate(store, component, linker)
