"""Outputs of the model: canonical WIT text and wit-parser's JSON."""
