"""Prototype (measurement only): `witgen check` on argparse, to measure what typer costs at
startup. Installed as witgen/cli_fast.py in the prototype trees; see RESULTS.md, proposal 1.
"""

import argparse
import sys


def main() -> None:
    ap = argparse.ArgumentParser(prog="witgen")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("paths", nargs="+")
    c.add_argument("--no-cache", action="store_true")
    c.add_argument("--features", action="append", default=[])
    c.add_argument("--all-features", action="store_true")
    args = ap.parse_args()
    from witgen import api
    from witgen.text.diagnostics import ordered, render_segments

    result = api.check(
        args.paths,
        features=api.Features.of(args.features, args.all_features),
        use_cache=not args.no_cache,
    )
    pairs = ordered(result.diagnostics)
    if pairs:
        sys.stderr.write("".join(text for text, _ in render_segments(pairs)))
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
