"""`witgen bindgen --guest` vs `componentize-py bindings`, side by side. Run by hand.

Usage: python bench/bindgen.py [--runs 15] [--input DIR] [--world W]

Both commands write the guest bindings of the same world into fresh directories (a new
directory per run, since componentize-py refuses to write over its own output), whole
process, interleaved so background load hits both alike. Three witgen rows: warm (a
repeat run: the resolved package and the generated files come from witgen's cache, as in
a build script that regenerates bindings on every build), cold templates (its cache holds
only compiled templates and the parse results; the generated files are not cached) and no
cache at all (`WITGEN_NO_CACHE=1`: everything parsed, resolved, compiled and rendered).
Python runs with byte-code enabled (cached under a private `PYTHONPYCACHEPREFIX`), as a
wheel install runs. Prints a Markdown table: wall time best and median, and the ratio of
the bests to componentize-py's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTTP = ROOT.parent / "shared" / "corpus" / "wasi" / "0.2.0" / "http"


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--input", default=str(HTTP))
    parser.add_argument("--world", default="proxy")
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    witgen, cpy = str(bindir / "witgen"), str(bindir / "componentize-py")
    work = Path(tempfile.mkdtemp(prefix="bench-bindgen-"))
    base = dict(os.environ, PYTHONPYCACHEPREFIX=str(work / "pyc"), XDG_CACHE_HOME=str(work / "c"))
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    no_cache = dict(base, WITGEN_NO_CACHE="1")
    counter = iter(range(10**9))

    def out() -> str:
        return str(work / f"out{next(counter)}")

    def witgen_argv() -> list[str]:
        return [witgen, "bindgen", "--lang", "python", args.input, "-w", args.world, "-o", out()]

    def cold_templates() -> float:
        # A new input key each run: the generated files miss, templates and parse hit.
        return timed([*witgen_argv(), "--world-module", f"m{next(counter)}"], base)

    rows = {
        "componentize-py bindings": lambda: timed(
            [cpy, "-d", args.input, "-w", args.world, "bindings", out()], base
        ),
        "witgen bindgen (warm: a repeat run)": lambda: timed(witgen_argv(), base),
        "witgen bindgen (generated files not cached)": cold_templates,
        "witgen bindgen (WITGEN_NO_CACHE=1: nothing cached)": lambda: timed(
            witgen_argv(), no_cache
        ),
    }
    for run in rows.values():  # warm the page cache, byte-code and witgen's cache
        run()
    times: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(args.runs):
        for name, run in rows.items():
            times[name].append(run())
    shutil.rmtree(work, ignore_errors=True)
    reference = min(times["componentize-py bindings"])
    print(f"input: {args.input} (world {args.world}), {args.runs} runs, {os.cpu_count()} cores\n")
    print("| command | wall best ms | wall median ms | × componentize-py (best) |")
    print("|---|---:|---:|---:|")
    for name, values in times.items():
        best, median = min(values) * 1000, statistics.median(values) * 1000
        print(f"| {name} | {best:.1f} | {median:.1f} | {min(values) / reference:.2f} |")


if __name__ == "__main__":
    main()
