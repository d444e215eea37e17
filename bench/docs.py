"""`witgen docs` vs `witgen check` on the WASI 0.2.0 http package (with its deps, all seven
WASI packages), whole process. Run by hand; never part of the tests.

Usage: python bench/docs.py [--runs 7]

Three cache states, each for both commands alike: no cache at all (`WITGEN_NO_CACHE=1`), a
new input (`--no-cache`: nothing of the input cached), and an unchanged input (everything
cached, as in a pre-commit hook on an unchanged tree). Method as
in `run.py`: byte-code enabled under a private PYTHONPYCACHEPREFIX, a private
XDG_CACHE_HOME, one warm-up run, then the two commands interleaved; wall time around
`Popen` + `os.wait4`, CPU time from `wait4`'s rusage.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTTP = (ROOT.parent / "shared" / "corpus" / "wasi" / "0.2.0" / "http").resolve()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    exe = shutil.which("witgen")
    assert exe is not None, "witgen is not on PATH"
    scratch = Path(tempfile.mkdtemp())
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        PYTHONPYCACHEPREFIX=str(scratch / "pyc"),
        XDG_CACHE_HOME=str(scratch / "cache"),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def run(args: list[str], extra: dict[str, str]) -> tuple[float, float]:
        start = time.perf_counter()
        proc = subprocess.Popen([exe, *args], env={**env, **extra}, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        assert status == 0, args
        return time.perf_counter() - start, usage.ru_utime + usage.ru_stime

    modes = {
        "no cache at all (WITGEN_NO_CACHE=1)": ({"WITGEN_NO_CACHE": "1"}, []),
        "new input (--no-cache)": ({}, ["--no-cache"]),
        "unchanged input (cache warm)": ({}, []),
    }
    out = str(scratch / "docs")
    for mode, (extra, flag) in modes.items():
        commands = {
            "check": ["check", *flag, str(HTTP)],
            "docs": ["docs", *flag, str(HTTP), "-o", out],
        }
        for args in commands.values():
            run(args, extra)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, args in commands.items():
                times[name].append(run(args, extra))
        print(mode)
        for name, values in times.items():
            wall, cpu = [v[0] for v in values], [v[1] for v in values]
            print(
                f"  {name}: wall best {min(wall) * 1000:.0f} ms, median "
                f"{statistics.median(wall) * 1000:.0f} ms; cpu median "
                f"{statistics.median(cpu) * 1000:.0f} ms"
            )
        best = min(v[0] for v in times["docs"]) / min(v[0] for v in times["check"])
        cpu = statistics.median(v[1] for v in times["docs"]) / statistics.median(
            v[1] for v in times["check"]
        )
        print(f"  docs/check: {best:.2f}x (best wall), {cpu:.2f}x (median cpu)")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
