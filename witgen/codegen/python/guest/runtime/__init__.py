"""The runtime of the native harness of guest bindings, kept here as data.

`_boundary.py` (calls from the app to its fake host: value checks, resources, the installed
host) and `_streams.py` (in-memory streams and futures) are copied verbatim into
`<world>/native/` of guest bindings by `emission`. They are real modules so that ruff, mypy
and the unit tests check them, but witgen itself never imports them: only tests and
generated code do.
"""
