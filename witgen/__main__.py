"""`python -m witgen`: the same as the `witgen` console script."""

from witgen.cli.entry import console

console()
