"""The runtime of generated host packages, kept here as data.

`_rt.py` is the private runtime module of every package `witgen bindgen --host` writes:
`emission` reads it as text and copies it verbatim, under the generated-file header. It is a
real module so that ruff, mypy and the unit tests check it, but witgen itself never imports
it (it imports wasmtime, which witgen does not need): only tests and generated code do.
"""
