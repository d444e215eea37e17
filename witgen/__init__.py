"""witgen: the WIT toolchain for Python.

Reads `.wit` packages, validates them, prints them canonically, and renders them to
JSON (equal to `wasm-tools component wit --json`). The public entry points live in
`witgen.api`; the command line in `witgen.cli.app` (a typer app), started by `witgen.cli.entry`,
which runs `check`, `check-files` and `fmt` itself without importing typer.
"""

__version__ = "0.1.0"
