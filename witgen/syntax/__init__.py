"""Syntax: WIT text → syntax trees with spans, and the formatter that writes them back."""
