"""`python -m witgen`: the same as the `witgen` console script."""

from witgen.entry import main

main()
