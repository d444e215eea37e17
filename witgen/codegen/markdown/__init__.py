"""The Markdown documentation generator (`witgen docs`), and the version of its code.

Input: nothing. Output: `code_version`, a hash of everything the pages depend on beyond the
model, which keys the cached pages of `api.docs`. Invariants: importing this package loads
no generator module and no jinja2, so a cache hit costs neither (see `generator.py` for the
entry points).
"""

from __future__ import annotations

import os


def code_version(python: bool = False) -> str:
    """A hash of this package and the printer (and with `python`, of the Python bindings'
    naming and planning). The site's templates are not in it: the cache holds the Markdown
    pages, and the site is built from them on every run."""
    from witgen.loading.cache import tree_version

    package = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    roots = [
        os.path.join(package, "codegen", "markdown"),
        os.path.join(package, "outputs", "printer.py"),
    ]
    if python:
        roots.append(os.path.join(package, "codegen", "python"))
    return tree_version(*roots)
