"""Worlds that import WASI interfaces themselves (`import wasi:cli/environment@0.2.0;`).

`Linker.add_wasip2()` already defines those interfaces, so the bindings leave them to WASI
(`wasi=True`): they get their types but no `Host` protocol, `add_to_linker`
never defines them, and the guest sees what the store's `WasiConfig` says. The guest of
`guests/wasi/` reads its environment, arguments and wall clock through the imports its world
names; `hosts/wasi_host.py` is its typed host. The table `python_host.WASI_P2` is checked
against what a real `Linker.add_wasip2()` defines.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from e2e_guests import HOSTS, Generated

from witgen import api
from witgen.codegen.python.host import generator as python_host

wasmtime = pytest.importorskip("wasmtime")
from wasmtime.component import Linker, ResourceType  # noqa: E402


@pytest.fixture(scope="session")
def wasi_host(bindings: Any) -> ModuleType:
    return importlib.import_module("wasi_host")


def test_wasi_imports_come_from_wasi(
    wasi_host: ModuleType, engine: Any, wasi_component: Any
) -> None:
    """With `wasi=True` the world's own WASI imports are WASI's: the guest reads the store's
    environment, arguments and clock, and the host implements only `greet`."""
    app = wasi_host.connect(engine, wasi_component, [("WHO", "wasi")], ["prog", "--flag"])
    assert app.env_var("WHO") == "wasi"
    assert app.env_var("NOPE") is None
    assert app.args() == ["prog", "--flag"]
    now = app.wall_time()
    assert isinstance(now, wasi_host.Datetime)
    assert abs(now.seconds - time.time()) < 600 and 0 <= now.nanoseconds < 10**9
    later = app.later(wasi_host.Datetime(seconds=5, nanoseconds=7), 10)
    assert later == wasi_host.Datetime(seconds=15, nanoseconds=7)
    assert app.hello("guest") == "hello, guest!"


def test_wasi_interfaces_are_not_the_hosts(wasi_host: ModuleType) -> None:
    """The Protocol asks nothing of WASI; the WASI modules hold types and no `Host` or linker
    code; `add_to_linker` documents where they come from."""
    pkg = importlib.import_module("wasi_imports")
    env = importlib.import_module("wasi_imports.imports.environment")
    clock = importlib.import_module("wasi_imports.imports.wall_clock")
    protocol = pkg.WasiImportsImports
    members = {n for n in vars(protocol) if not n.startswith("_")}
    assert members == {"greet"}, members
    for mod in (env, clock):
        assert not hasattr(mod, "Host") and not hasattr(mod, "_add_to_linker"), mod.__name__
        assert "WASI implements this interface" in (mod.__doc__ or "")
    assert [f for f in clock.Datetime.__dataclass_fields__] == ["seconds", "nanoseconds"]
    assert "left to WASI" in (pkg.WasiImports.add_to_linker.__doc__ or "")


def test_wasi_false(wasi_host: ModuleType, engine: Any, wasi_component: Any) -> None:
    """With `wasi=False` the user adds WASI (or the guest's wasi imports are missing, named by
    wasmtime); adding it before `add_to_linker` does not define anything twice."""
    bare = Linker(engine)
    wasi_host.WasiImports.add_to_linker(bare, wasi_host.Greeter(), wasi=False)
    with pytest.raises(wasmtime.WasmtimeError, match="wasi:"):
        wasi_host.connect(engine, wasi_component, [], [], linker=bare)
    manual = Linker(engine)
    manual.add_wasip2()
    wasi_host.WasiImports.add_to_linker(manual, wasi_host.Greeter(), wasi=False)
    app = wasi_host.connect(engine, wasi_component, [("WHO", "manual")], [], linker=manual)
    assert app.env_var("WHO") == "manual" and app.hello("x") == "hello, x!"


# Run in a child process: were a guest to call WASI in a Store without a WASI context,
# wasmtime would abort the process (exit 134), which would take pytest with it.
NO_SET_WASI = """
import sys

import wasmtime
from wasmtime.component import Component, Linker

config = wasmtime.Config()
config.cache = True
engine = wasmtime.Engine(config)
component = Component.from_file(engine, sys.argv[1])
early = wasmtime.Store(engine)  # made and configured before the bindings are imported
wasi = wasmtime.WasiConfig()
wasi.env = [("WHO", "early")]
early.set_wasi(wasi)

from wasi_host import Greeter, WasiImports

linker = Linker(engine)
WasiImports.add_to_linker(linker, Greeter())
bare = wasmtime.Store(engine)  # the mistake: no `set_wasi`
app = WasiImports.instantiate(bare, component, linker)
print(app.env_var("WHO"), app.args(), app.hello("bare"), flush=True)
print(WasiImports.instantiate(early, component, linker).env_var("WHO"), flush=True)
late = wasmtime.Store(engine)
wasi = wasmtime.WasiConfig()
wasi.env = [("WHO", "late")]
late.set_wasi(wasi)
print(WasiImports.instantiate(late, component, linker).env_var("WHO"), flush=True)
"""


def test_store_without_set_wasi_gets_a_default(
    bindings: dict[str, Generated], guest_wasm: dict[str, Path], tmp_path: Path
) -> None:
    """A Store made without `set_wasi` gets a default `WasiConfig()` from `instantiate` (it
    used to abort the interpreter at the guest's first WASI call); a Store configured by the
    user keeps its configuration, also one configured before the bindings were imported."""
    (tmp_path / "no_set_wasi.py").write_text(NO_SET_WASI, encoding="utf-8")
    path = os.pathsep.join([str(bindings["wasi"].root), str(HOSTS)])
    done = subprocess.run(
        [sys.executable, str(tmp_path / "no_set_wasi.py"), str(guest_wasm["wasi"])],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
        check=False,
    )
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr[-2000:])
    assert done.stdout.splitlines() == ["None [] hello, bare!", "early", "late"]


SAME_VERSION = """package test:latest;

world latest {
  import wasi:cli/environment@0.2.12;
  import wasi:clocks/wall-clock@0.2.12;
  import wasi:io/streams@0.2.12;
  import log: func(msg: string);
}

package wasi:cli@0.2.12 {
  interface environment { get-environment: func() -> list<tuple<string, string>>; }
}

package wasi:clocks@0.2.12 {
  interface wall-clock {
    record datetime { seconds: u64, nanoseconds: u32 }
    now: func() -> datetime;
  }
}

package wasi:io@0.2.12 {
  interface streams { resource output-stream { blocking-flush: func(); } }
}
"""


def test_same_version_as_wasmtime_is_not_defined_twice(
    tmp_path: Path, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version wasmtime defines (0.2.12) used to fail with "defined twice"; the world's
    other imports are still defined."""
    (tmp_path / "latest.wit").write_text(SAME_VERSION, encoding="utf-8")
    api.bindgen_host(tmp_path / "latest.wit", out_dir=tmp_path / "out", use_cache=False)
    monkeypatch.syspath_prepend(str(tmp_path / "out"))
    pkg = importlib.import_module("latest")

    class Host:
        def log(self, msg: str) -> None:
            pass

    linker = Linker(engine)
    pkg.Latest.add_to_linker(linker, Host())
    with pytest.raises(wasmtime.WasmtimeError, match="defined twice"), linker.root() as root:
        root.add_func("log", lambda store, msg: None)


def _wasi_0_2_12(shared: Path) -> dict[str, list[tuple[str, bool]]]:
    """Every interface of the WASI 0.2.12 corpus: its functions and resources (name, is it a
    resource), `@unstable` ones included."""
    found: dict[str, list[tuple[str, bool]]] = {}
    base = shared / "corpus" / "wasi" / "0.2.12"
    for pkg_dir in sorted(p for p in base.iterdir() if p.is_dir() and p.name != "expected"):
        r = api.load(pkg_dir, features=api.Features.of((), True)).resolve
        for iface in r.interfaces:
            if iface.package is None or iface.name is None:
                continue
            name = r.packages[iface.package].name
            if name.version != "0.2.12":
                continue
            items = [(f, False) for f, _ in iface.functions]
            items += [
                (n, True) for n, t in iface.types if type(r.types[t].kind).__name__ == "Resource"
            ]
            found[f"{name.unversioned}/{iface.name}"] = items
    return found


def _defined_by_wasi(engine: Any, instance: str, item: str, resource: bool) -> bool:
    """Whether `add_wasip2()` already defines `item` in `instance` (a fresh Linker each time)."""
    linker = Linker(engine)
    linker.add_wasip2()
    try:
        with linker.root() as root, root.add_instance(instance) as inst:
            if resource:
                inst.add_resource(item, ResourceType.host(1), lambda store, rep: None)
            else:
                inst.add_func(item, lambda store: None)
    except wasmtime.WasmtimeError as e:
        assert "defined twice" in str(e), e
        return True
    return False


def test_wasi_p2_table_matches_wasmtime(shared: Path, engine: Any) -> None:
    """`WASI_P2` lists exactly the interfaces of WASI 0.2.12 that `add_wasip2()` defines."""
    interfaces = _wasi_0_2_12(shared)
    assert len(interfaces) > 25
    table = {f"{pkg}/{name}" for pkg, names in python_host.WASI_P2.items() for name in names}
    assert table <= set(interfaces)
    for key, items in interfaces.items():
        instance = f"{key}@0.2.12"
        defined = any(_defined_by_wasi(engine, instance, n, res) for n, res in items)
        assert defined == (key in table), key
