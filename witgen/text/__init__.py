"""Text: source positions and the diagnostics that point into them."""
