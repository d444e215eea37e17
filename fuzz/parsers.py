"""The two parsers against each other: the recursive-descent parser and the LALR parser.

Usage: python fuzz/parsers.py [--per-source 10000] [--seed 0]
                              [--sources grammar,mutation,smith-wit] [--keep DIR]

`witgen.syntax.descent` parses valid text first and leaves everything else, every error
included, to the LALR parser of `witgen.syntax.parse`. It is right only if, on any text,
it builds exactly the LALR parser's tree where that one builds a tree, and refuses where
that one reports errors. This feeds both the inputs of the hardening campaign
(`campaign.py`: grammar-generated text, mutations of every corpus file, `wasm-tools
wit-smith` packages printed as WIT) and counts, per source:

  same-tree     both built a tree, and the same one (nodes, spans, docs, comments)
  both-refuse   the LALR parser reported errors, the descent parser refused
  left-to-lalr  the LALR parser built a tree the descent parser refused: correct (the
                LALR parser's tree is used) but slow; expected only for nesting deeper
                than Python's recursion limit
  WRONG-TREE    both built a tree, and they differ
  WRONG-ACCEPT  the descent parser built a tree from text the LALR parser refuses

Exits 1 on any WRONG-*. `tests/unit/test_descent.py` runs the same comparison on every
corpus file and on a few hundred generated inputs in CI; this is the long run, by hand.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "fuzz"))
sys.path.insert(0, str(ROOT / "tests" / "props"))

from campaign import grammar_inputs, mutation_inputs, smith_inputs, wasm_tools  # noqa: E402

from witgen.syntax import descent, parse  # noqa: E402
from witgen.syntax import nodes as n  # noqa: E402
from witgen.text.diagnostics import WitError  # noqa: E402
from witgen.text.source import SourceMap  # noqa: E402


def compare(text: str) -> str:
    """The outcome of one text (see the module's docstring)."""
    if parse._FORBIDDEN.search(text):
        return "both-refuse"  # refused before either parser runs
    sources = SourceMap()
    sources.add("x.wit", text)
    try:
        lalr: n.File | None = parse.parse_file(sources, "x.wit", text, descent=False)
    except WitError:
        lalr = None
    try:
        mine = descent.parse_alone(text, "x.wit")
    except descent.Unsure:
        return "both-refuse" if lalr is None else "left-to-lalr"
    if lalr is None:
        return "WRONG-ACCEPT"
    return "same-tree" if mine == lalr else "WRONG-TREE"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-source", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sources", default="grammar,mutation,smith-wit")
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args()
    sys.setrecursionlimit(10_000)  # for `==` on deep trees; the parsers never recurse that far
    inputs: dict[str, list[bytes]] = {}
    for source in args.sources.split(","):
        if source == "grammar":
            inputs[source] = grammar_inputs(args.per_source, args.seed)
        elif source == "mutation":
            inputs[source] = mutation_inputs(args.per_source, args.seed)
        elif source == "smith-wit":
            exe = wasm_tools()
            if exe is None:
                print("smith-wit: no wasm-tools, skipped")
                continue
            with tempfile.TemporaryDirectory() as work:
                pairs = smith_inputs(args.per_source, args.seed, exe, Path(work))
            inputs[source] = [text for _, text in pairs if text is not None]
        else:
            ap.error(f"unknown source {source!r}")
    wrong = 0
    for source, items in inputs.items():
        counts: Counter[str] = Counter()
        for i, data in enumerate(items):
            text = data.decode("utf-8", "replace")
            outcome = compare(text)
            counts[outcome] += 1
            if outcome.startswith("WRONG"):
                wrong += 1
                if args.keep is not None:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    (args.keep / f"{source}-{i}.wit").write_bytes(data)
        shown = ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items()))
        print(f"{source}: {len(items):,} inputs: {shown}")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
