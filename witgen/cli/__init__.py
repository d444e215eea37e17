"""The command line: the `witgen` console script."""
