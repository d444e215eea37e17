"""Per-call overhead of witgen's generated host bindings vs raw `wasmtime.component` calls.

Run by hand (not a test):  `python bench/host/run.py [--repeats 5] [--scale 1.0]`

Input: the WIT world in `bench/host/wit/` and the componentize-py guest in `bench/host/app/`.
Output: a Markdown table on stdout (case, raw µs/call, bindings µs/call, ratio), also written to
`bench/host/RESULTS.md` with the date and the machine's `nproc`.

How: the guest is built once with componentize-py into `~/.cache/witgen-bench/` (keyed by the
sha256 of the WIT, the app and the componentize-py version); wasmtime compiles it with
`Config.cache = True`. The bindings are generated with the `witgen` CLI into a temporary
directory. Both paths call the *same* instance in one process: raw is `Func.__call__` on the
`Func` resolved up front; bindings go through `BenchHostBindings.instantiate(...).api.<f>`.
Raw and bindings runs are interleaved (order alternates each repeat) and the best of the
repeats is kept, because the machine may be loaded. `--runs N` repeats that whole measurement
N times and reports, per case, the median over the runs of the best times and of the ratios
(each run's ratio uses that run's own raw and bindings times); every run is listed too.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib
import importlib.metadata
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import wasmtime
from wasmtime.component import Component, Linker, Record

HERE = Path(__file__).resolve().parent
WIT = HERE / "wit"
APP = HERE / "app"
WORLD = "bench"
IFACE = "bench:host/api@0.1.0"
PACKAGE = "bench_host_bindings"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "witgen-bench"


def tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found (activate the venv)")
    return found


def sources_key() -> str:
    digest = hashlib.sha256()
    digest.update(importlib.metadata.version("componentize-py").encode())
    files = sorted([*WIT.rglob("*.wit"), *APP.rglob("*.py")])
    for path in files:
        if "__pycache__" in path.parts:
            continue
        digest.update(b"\0" + path.relative_to(HERE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def build_guest() -> Path:
    out = cache_dir() / f"bench-{sources_key()}.wasm"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
    print(f"building guest -> {out} (componentize-py, ~30 s)", file=sys.stderr)
    with tempfile.TemporaryDirectory() as work:
        app = Path(work) / "app"
        shutil.copytree(APP, app, ignore=shutil.ignore_patterns("__pycache__"))
        cmd = [tool("componentize-py"), "-q", "-d", str(WIT), "-w", WORLD, "componentize", "app"]
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run(
            [*cmd, "-o", str(tmp)], cwd=app, env=env, capture_output=True, text=True
        )
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        sys.exit(f"componentize-py failed:\n{done.stderr}")
    os.replace(tmp, out)
    return out


def generate_bindings(out: Path) -> None:
    cmd = [tool("witgen"), "bindgen", "--lang", "python", "--host", str(WIT)]
    cmd += ["--world", WORLD, "-o", str(out), "--package", PACKAGE]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"witgen bindgen failed:\n{done.stdout}{done.stderr}")


class RawRec:
    """What a raw caller passes for `rec`: any object with kebab-case attributes."""

    __slots__ = ("id", "name", "ok", "score", "tags")

    def __init__(self, id: int, name: str, score: float, tags: list[str], ok: bool) -> None:
        self.id, self.name, self.score, self.tags, self.ok = id, name, score, tags, ok


def time_loop(call: Callable[[], Any], n: int) -> float:
    """µs per call for `n` calls of `call`."""
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1, help="whole measurements; medians")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply iteration counts")
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()

    wasm = build_guest()
    config = wasmtime.Config()
    config.cache = True
    engine = wasmtime.Engine(config)
    t0 = time.perf_counter()
    component = Component.from_file(engine, str(wasm))
    print(f"component loaded in {time.perf_counter() - t0:.2f} s", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="witgen-bench-") as gen:
        generate_bindings(Path(gen))
        sys.path.insert(0, gen)
        pkg = importlib.import_module(PACKAGE)
        api_mod = importlib.import_module(f"{PACKAGE}.exports.api")

        class Host:  # the world has no imports
            pass

        world_cls = pkg.Bench
        linker = Linker(engine)
        world_cls.add_to_linker(linker, Host())
        store = wasmtime.Store(engine)
        wasi = wasmtime.WasiConfig()
        wasi.inherit_stderr()
        store.set_wasi(wasi)
        bound = world_cls.instantiate(store, component, linker)
        instance = bound.wasm_instance
        api = bound.api

        # Raw: same store, same instance, Func resolved once.
        ii = instance.get_export_index(store, IFACE)

        def func(name: str) -> Any:
            return instance.get_func(store, instance.get_export_index(store, name, ii))

        raw_add, raw_rec = func("add"), func("echo-rec")
        raw_bytes, raw_recs = func("echo-bytes"), func("echo-recs")

        Rec = api_mod.Rec
        tags = ["alpha", "beta", "gamma"]
        r_raw = RawRec(7, "seven", 0.5, tags, True)
        r_gen = Rec(id=7, name="seven", score=0.5, tags=tags, ok=True)
        blob = bytes(range(256)) * 4096  # 1 MiB
        rs_raw = [RawRec(i, f"n{i}", i / 2, tags, i % 2 == 0) for i in range(1000)]
        rs_gen = [
            Rec(id=i, name=f"n{i}", score=i / 2, tags=tags, ok=i % 2 == 0) for i in range(1000)
        ]

        # Sanity: both paths give the same answers.
        assert raw_add(store, 2, 3) == 5 and api.add(2, 3) == 5
        out = raw_rec(store, r_raw)
        assert isinstance(out, Record) and out.name == "seven" and out.tags == tags
        assert api.echo_rec(r_gen) == r_gen
        assert raw_bytes(store, blob[:1000]) == blob[:1000] == api.echo_bytes(blob[:1000])
        assert [x.id for x in raw_recs(store, rs_raw[:10])] == list(range(10))
        assert api.echo_recs(rs_gen[:10]) == rs_gen[:10]

        def n(base: int) -> int:
            return max(1, int(base * args.scale))

        cases: list[tuple[str, int, Callable[[], Any], Callable[[], Any]]] = [
            (
                "add(u32, u32) -> u32",
                n(20_000),
                lambda: raw_add(store, 2, 3),
                lambda: api.add(2, 3),
            ),
            (
                "echo-rec(rec) -> rec (5 fields)",
                n(5_000),
                lambda: raw_rec(store, r_raw),
                lambda: api.echo_rec(r_gen),
            ),
            (
                "echo-bytes(list<u8>), 1 MiB",
                n(1),
                lambda: raw_bytes(store, blob),
                lambda: api.echo_bytes(blob),
            ),
            (
                "echo-recs(list<rec>), 1,000 recs",
                n(5),
                lambda: raw_recs(store, rs_raw),
                lambda: api.echo_recs(rs_gen),
            ),
        ]

        for _, _, raw_call, gen_call in cases:
            raw_call(), gen_call()  # warm up
        runs: list[list[tuple[float, float]]] = []
        for run in range(args.runs):
            results = []
            for name, iters, raw_call, gen_call in cases:
                best_raw = best_gen = float("inf")
                for rep in range(args.repeats):
                    order = [(True, raw_call), (False, gen_call)]
                    if rep % 2:
                        order.reverse()
                    for is_raw, call in order:
                        us = time_loop(call, iters)
                        if is_raw:
                            best_raw = min(best_raw, us)
                        else:
                            best_gen = min(best_gen, us)
                results.append((best_raw, best_gen))
                print(
                    f"  run {run + 1}: {name}: raw {best_raw:.1f} µs, bindings {best_gen:.1f} µs",
                    file=sys.stderr,
                )
            runs.append(results)

    def fmt(us: float) -> str:
        return f"{us:,.1f}" if us < 1e5 else f"{us:,.0f}"

    med = statistics.median
    table = [
        "| case | calls × repeats | raw µs/call | bindings µs/call | ratio | ratio, each run |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for i, (name, iters, _, _) in enumerate(cases):
        raws = [r[i][0] for r in runs]
        gens = [r[i][1] for r in runs]
        ratios = [g / r for r, g in zip(raws, gens, strict=True)]
        each = ", ".join(f"{x:.2f}" for x in ratios)
        table.append(
            f"| {name} | {iters} × {args.repeats} | {fmt(med(raws))} | {fmt(med(gens))} "
            f"| {med(ratios):.2f}× | {each} |"
        )
    text = "\n".join(table)
    print(text)

    if not args.no_write:
        stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        header = [
            "# Host bindings vs raw `Func.__call__`",
            "",
            f"- date: {stamp}",
            f"- machine: nproc={len(os.sched_getaffinity(0))}, {platform.machine()}, "
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
            f"wasmtime {importlib.metadata.version('wasmtime')}, "
            f"componentize-py {importlib.metadata.version('componentize-py')}",
            "- method: same instance, one process; raw and bindings loops interleaved "
            f"(order alternating), best of {args.repeats} repeats per run; {args.runs} run(s), "
            "medians over the runs (µs/call and ratio); machine shared with other work.",
            "- command: `python bench/host/run.py" + "".join(" " + a for a in sys.argv[1:]) + "`",
            "",
            "",
        ]
        (HERE / "RESULTS.md").write_text("\n".join(header) + text + "\n")


if __name__ == "__main__":
    main()
