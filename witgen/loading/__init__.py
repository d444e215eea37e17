"""Loading: which files make up which package, and the on-disk cache."""
