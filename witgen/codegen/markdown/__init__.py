"""The Markdown docs of WIT packages, and the HTML site built from them (`site.py`)."""
