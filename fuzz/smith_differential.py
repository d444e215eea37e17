"""Differential fuzzing of witgen against wasm-tools on `wasm-tools wit-smith` packages.

Usage: python fuzz/smith_differential.py [--seeds 2000] [--start 0] [-j 2] [--out FILE]
                                         [--keep DIR] [--canonical-names]

For each seed: random bytes (seeded, so a seed names the same package on every machine)
→ `wasm-tools wit-smith` → a WIT package binary `p.wasm`. Then, each step compared with
wasm-tools (producers written as the reference writes them):

  decode   witgen decodes `p.wasm`:   JSON  == `component wit --json p.wasm`
  wat      witgen's text of `p.wasm`: text  == `print p.wasm` (and assembles back to it)
  print    witgen prints that model:  text  == `component wit p.wasm`
  resolve  witgen resolves the text:  JSON  == `component wit --json --all-features p.wit`
  encode   witgen encodes the result: bytes == `component wit --wasm --all-features p.wit`
  embed    each world of the package: bytes == `component embed --only-custom --world W`

A seed agrees when every step does. A seed wasm-tools itself cannot finish is counted
apart ("reference"), not as a disagreement: wit-smith fails on the seed's bytes, a world
name wasm-tools cannot parse back as an `embed --world` specifier, or wasm-tools rejects
its own printed text (then witgen must reject that text with the same first error line,
or the seed disagrees). `--canonical-names` has wit-smith write canonical interface names
(`a:b/c@1` plus a version suffix). Prints one line per disagreeing seed (the first step
that differs) and a summary; `--out` also writes the summary as JSON. Runs `-j` seeds at
a time (processes), each on its own temp directory; `--keep DIR` copies that directory
(`seed.bin`, `p.wasm`, `p.wit`) to `DIR/<seed>/` for every seed that disagrees or
crashes, to reproduce it with wasm-tools by hand.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

FEATURES = [
    "--async",
    "--futures",
    "--streams",
    "--error-context",
    "--fixed-length-lists",
    "--world-include",
    "--implements",
]
STEPS = ("decode", "wat", "print", "resolve", "encode", "embed")


@dataclass
class Outcome:
    seed: int
    # "agree", "disagree", "reference" (wasm-tools failed on its own output), or "crash"
    # (witgen raised something other than WitError).
    status: str
    step: str = ""
    detail: str = ""


def _flags(seed: int, canonical_names: bool = False) -> list[str]:
    # Most seeds use every WIT feature; every fourth lets wit-smith pick its own config.
    if seed % 4 == 3:
        return ["--arbitrary-config"]
    return [*FEATURES, "--canonical-names"] if canonical_names else FEATURES


def _seed_bytes(seed: int) -> bytes:
    rnd = random.Random(seed)
    size = rnd.choice((300, 1000, 3000, 8000))
    return bytes(rnd.getrandbits(8) for _ in range(size))


def first_difference(a: object, b: object, path: str = "") -> str:
    """Where two JSON values first differ, as a path (`/worlds[0]/exports/x`), with both."""
    if type(a) is not type(b):
        return f"{path}: {json.dumps(a)[:80]} vs {json.dumps(b)[:80]}"
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{path}/{key}")
    elif isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
        if len(a) != len(b):
            return f"{path}: {len(a)} items vs {len(b)}"
    elif a != b:
        return f"{path}: {json.dumps(a)[:80]} vs {json.dumps(b)[:80]}"
    return ""


def _first_line(a: str, b: str) -> str:
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False), 1):
        if x != y:
            return f"line {i}: {x.strip()[:60]!r} vs {y.strip()[:60]!r}"
    return "lengths differ"


def _first_byte(a: bytes, b: bytes) -> str:
    i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"offset {i} of {len(a)} vs {len(b)} bytes"


def _error_line(stderr: str) -> str:
    """The first line of an error, less wasm-tools' `failed to parse package: <path>: `."""
    first = stderr.strip().partition("\n")[0]
    return re.sub(r"^error: failed to parse package: [^:]*: ", "error: ", first)


def _tool(*args: str) -> subprocess.CompletedProcess[bytes]:
    exe = shutil.which("wasm-tools") or "wasm-tools"
    return subprocess.run([exe, *args], capture_output=True, timeout=120)


def run_seed(seed: int, workdir: Path, *, canonical_names: bool = False) -> Outcome:
    """Run every step for one seed in `workdir`; never raises."""
    from witgen import api
    from witgen.outputs import printer
    from witgen.outputs.json import to_data
    from witgen.text.diagnostics import WitError, render_one
    from witgen.wasm import encoder, wat
    from witgen.wasm.decoder import decode_wasm

    seed_file = workdir / "seed.bin"
    seed_file.write_bytes(_seed_bytes(seed))
    source = workdir / "p.wasm"
    res = _tool("wit-smith", *_flags(seed, canonical_names), str(seed_file), "-o", str(source))
    if res.returncode:
        return Outcome(seed, "reference", "smith", res.stderr.decode(errors="replace")[:200])
    step = "decode"
    try:
        ref_json = json.loads(_tool("component", "wit", "--json", str(source)).stdout)
        decoded = decode_wasm(source.read_bytes()).resolve
        if to_data(decoded) != ref_json:
            return Outcome(seed, "disagree", step, first_difference(to_data(decoded), ref_json))
        step = "wat"
        wat_text = _tool("print", str(source)).stdout.decode()
        ours = wat.print_component(source.read_bytes())
        if ours != wat_text:
            return Outcome(seed, "disagree", step, _first_line(ours, wat_text))
        if wat.parse(ours) != source.read_bytes():
            return Outcome(seed, "disagree", step, "text does not assemble to the same bytes")
        step = "print"
        text = printer.print_resolve(decoded)
        ref_text = _tool("component", "wit", str(source)).stdout.decode()
        if text != ref_text:
            return Outcome(seed, "disagree", step, _first_line(text, ref_text))
        step = "resolve"
        wit = workdir / "p.wit"
        wit.write_text(text, encoding="utf-8")
        ref = _tool("component", "wit", "--json", "--all-features", str(wit))
        if ref.returncode:
            # wasm-tools rejects its own text: witgen must reject it with the same error.
            want_error = _error_line(ref.stderr.decode(errors="replace"))
            try:
                api.load(wit, features=api.Features(all=True), use_cache=False)
            except WitError as e:
                got_error = render_one(e.diagnostics[0], e.sources, codes=False)
                if _error_line(got_error) != want_error:
                    detail = f"error {_error_line(got_error)!r} vs {want_error!r}"
                    return Outcome(seed, "disagree", step, detail[:300])
                return Outcome(seed, "reference", step, want_error[:200])
            return Outcome(seed, "disagree", step, f"witgen accepts; wasm-tools: {want_error}")
        loaded = api.load(wit, features=api.Features(all=True), use_cache=False).resolve
        if to_data(loaded) != json.loads(ref.stdout):
            diff = first_difference(to_data(loaded), json.loads(ref.stdout))
            return Outcome(seed, "disagree", step, diff)
        step = "encode"
        assert loaded.main is not None
        want = _tool("component", "wit", "--wasm", "--all-features", str(wit), "-o", "/dev/stdout")
        got = encoder.encode_package(loaded, loaded.main, producers_like_reference=True)
        if got != want.stdout:
            return Outcome(seed, "disagree", step, _first_byte(got, want.stdout))
        step = "embed"
        pkg = loaded.packages[loaded.main]
        version = f"@{pkg.name.version}" if pkg.name.version else ""
        for name, wid in pkg.worlds:
            world = f"{pkg.name.unversioned}/{name}{version}"
            args = ["--only-custom", "--all-features", "--world", world, str(wit)]
            want = _tool("component", "embed", *args, "-o", "/dev/stdout")
            if want.returncode:
                return Outcome(seed, "reference", step, want.stderr.decode(errors="replace")[:200])
            if encoder.encode_world(loaded, wid, producers_like_reference=True) != want.stdout:
                return Outcome(seed, "disagree", step, name)
    except WitError as e:
        return Outcome(seed, "disagree", step, str(e)[:300])
    except Exception as e:  # a bug: reported, and the campaign goes on
        return Outcome(seed, "crash", step, f"{type(e).__name__}: {e}"[:300])
    return Outcome(seed, "agree")


def _one(seed: int, keep: Path | None = None, canonical_names: bool = False) -> Outcome:
    with tempfile.TemporaryDirectory(prefix=f"smith{seed}-") as tmp:
        outcome = run_seed(seed, Path(tmp), canonical_names=canonical_names)
        if keep is not None and outcome.status in ("disagree", "crash"):
            shutil.copytree(tmp, keep / str(seed), dirs_exist_ok=True)
        return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=2000)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", type=Path, help="copy the files of failing seeds here")
    parser.add_argument(
        "--canonical-names",
        action="store_true",
        help="wit-smith names versioned interfaces canonically (`@0.2` plus a version suffix)",
    )
    args = parser.parse_args(argv)
    seeds = range(args.start, args.start + args.seeds)
    counts = dict.fromkeys(("agree", "disagree", "reference", "crash"), 0)
    by_step = dict.fromkeys(STEPS, 0)
    bad: list[Outcome] = []
    began = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        run = partial(_one, keep=args.keep, canonical_names=args.canonical_names)
        for i, outcome in enumerate(pool.map(run, seeds, chunksize=4), 1):
            counts[outcome.status] += 1
            if outcome.status in ("disagree", "crash"):
                by_step[outcome.step] = by_step.get(outcome.step, 0) + 1
                bad.append(outcome)
                print(f"seed {outcome.seed}: {outcome.status} at {outcome.step} {outcome.detail}")
            if i % 100 == 0:
                print(f"... {i} seeds, {counts}", file=sys.stderr, flush=True)
    compared = counts["agree"] + counts["disagree"] + counts["crash"]
    rate = counts["agree"] / compared if compared else 0.0
    summary = {
        "seeds": len(seeds),
        "first_seed": args.start,
        **counts,
        "agreement": round(rate, 6),
        "disagreements_by_step": by_step,
        "seconds": round(time.perf_counter() - began, 1),
        "failures": [asdict(o) for o in bad[:100]],
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "failures"}))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
