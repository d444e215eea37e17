"""Generate one large WIT file of many small interfaces (deterministic, seeded).

Usage: python bench/gen_wide.py OUT_FILE [--megabytes 5] [--seed 1]

Writes a single file, package `bench:wide`, of small interfaces (a record, an enum or a
variant, a resource now and then, a function or two, a doc comment on some) until the file
holds the given size, then one world importing every tenth interface. The interfaces do not
`use` each other: this is the breadth case, where `bench/gen_large.py` is the depth one.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

PRIMS = ["u8", "u16", "u32", "u64", "s32", "s64", "f32", "f64", "bool", "char", "string"]


def _interface(k: int, rng: random.Random) -> str:
    p = rng.sample(PRIMS, 3)
    lines = []
    if rng.random() < 0.5:
        lines.append(f"/// Interface number {k}: a few items of its own.")
    lines.append(f"interface i{k} {{")
    shape = rng.randrange(4)
    if shape == 0:
        lines.append(f"  record item {{ id: {p[0]}, name: string, tags: list<{p[1]}> }}")
        lines.append(f"  get: func(key: {p[2]}) -> option<item>;")
    elif shape == 1:
        lines.append("  enum mode { read, write, append }")
        lines.append(f"  open: func(path: string, m: mode) -> result<{p[0]}, string>;")
    elif shape == 2:
        lines.append(f"  variant event {{ start({p[0]}), stop, data(list<{p[1]}>) }}")
        lines.append("  next: func() -> event;")
        lines.append(f"  push: func(e: event, at: {p[2]});")
    else:
        lines.append("  resource handle {")
        lines.append(f"    constructor(seed: {p[0]});")
        lines.append(f"    step: func(n: {p[1]}) -> tuple<{p[2]}, bool>;")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n\n"


def generate(out: Path, megabytes: float, seed: int) -> int:
    """Write the file; the number of interfaces."""
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    parts, size, k = ["package bench:wide;\n\n"], 0, 0
    while size < target:
        text = _interface(k, rng)
        parts.append(text)
        size += len(text)
        k += 1
    imports = "".join(f"  import i{j};\n" for j in range(0, k, 10))
    parts.append(f"world all {{\n{imports}}}\n")
    out.write_text("".join(parts), encoding="utf-8")
    return k


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--megabytes", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    count = generate(args.out, args.megabytes, args.seed)
    print(f"wrote {count} interfaces ({args.out.stat().st_size} bytes) to {args.out}")


if __name__ == "__main__":
    main()
