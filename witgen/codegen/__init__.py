"""Code generators: the model → files through view models and Jinja templates.

This package's own module holds only what must be known without importing Jinja: where
the templates live (the cache of generated files hashes them).
"""

import os


def templates_dir() -> str:
    """Where the templates live: inside the installed package (a wheel puts them there),
    else the repository root (a checkout, an editable install)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    packaged = os.path.join(package, "templates")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(package), "templates")
