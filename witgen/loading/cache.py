"""A small on-disk cache for derived data (parsed syntax trees, the parser's table).

Input: a key built from the witgen version and the exact inputs; a picklable value.
Output: the value back on a later run, or None. Invariants: entries live under
`$XDG_CACHE_HOME/witgen` (default `~/.cache/witgen`); writes are atomic (a temporary file
renamed into place), so concurrent runs never see half an entry; an unreadable, corrupted
or foreign entry is ignored (and rewritten), never an error; a cache that cannot be written
(read-only home, full disk) is silently skipped. `WITGEN_NO_CACHE=1` disables it.
"""

from __future__ import annotations

import os

from witgen import __version__

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import BinaryIO, Protocol

    class Hasher(Protocol):  # the part of hashlib's interface used here
        def update(self, data: bytes, /) -> None: ...
        def hexdigest(self) -> str: ...


_MAGIC = b"witgen-cache-2\n"


def _hasher() -> Hasher:
    """A BLAKE2b hasher. CPython's built-in `_blake2` comes first: `hashlib` loads OpenSSL,
    which would add to the start-up of every `check` that reads the cache."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python without the builtin module
        from hashlib import blake2b
    return blake2b(digest_size=32)


def digest(data: bytes) -> str:
    """A hex content hash of `data` (for binaries in `deps/`)."""
    h = _hasher()
    h.update(data)
    return h.hexdigest()


def directory() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "witgen")


def enabled() -> bool:
    return os.environ.get("WITGEN_NO_CACHE", "") in ("", "0")


# The code a cached value depends on, as paths in the package (a trailing `/`: every
# module of the directory, so that a module added there is covered without being listed):
# spans and diagnostics, the parser and the trees it builds, the model, the resolver, the
# loader and this cache.
_CODE = ("_record.py", "text/", "syntax/", "loading/", "model/", "resolve/")
# For a package with binary dependencies, also the code that decodes them, prints them as
# WIT for the resolver and merges the two (`api._resolve_with_binaries`).
_BINARY_CODE = ("wasm/", "outputs/__init__.py", "outputs/printer.py", "api.py")


def code_paths(binaries: bool = False) -> list[str]:
    """The files of `_CODE` (and of `_BINARY_CODE` with `binaries`), in a fixed order."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths: list[str] = []
    for name in _CODE + _BINARY_CODE if binaries else _CODE:
        path = os.path.join(package, *name.split("/"))
        if not name.endswith("/"):
            paths.append(path)
            continue
        try:
            modules = sorted(f for f in os.listdir(path) if f.endswith(".py"))
        except OSError:
            modules = []
        paths += [os.path.join(path, f) for f in modules]
    return paths


_code_versions: dict[bool, str] = {}


def code_version(binaries: bool = False) -> str:
    """A hash of the code whose output is cached, so any change to it invalidates it: the
    files of `code_paths`, and the parser's table (which changes with the grammar). Once
    per process (a dict, not `functools.cache`: functools costs a millisecond to import)."""
    known = _code_versions.get(binaries)
    if known is not None:
        return known
    _code_versions[binaries] = found = _code_version(binaries)
    return found


def _table_paths() -> tuple[str, str]:
    """Where the parser's table can be: in the installed package, or in the repository
    (`syntax/grammar.py` picks the first that exists; both are hashed here, which spares
    importing it)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    name = os.path.join("grammars", "wit.lalr.json")
    return os.path.join(package, name), os.path.join(os.path.dirname(package), name)


def _code_version(binaries: bool) -> str:
    # Each file by its path, size and modification time, not its contents: reading the
    # sixty-odd files took more than a warm `witgen check` of a WASI package does all else.
    # Any edit changes the time (to the nanosecond) or the size.
    h = _hasher()
    h.update(__version__.encode())
    for path in (*code_paths(binaries), *_table_paths()):
        try:
            st = os.stat(path)
            h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        except OSError:
            h.update(path.encode())
    return h.hexdigest()[:16]


def tree_version(*roots: str) -> str:
    """A hash of every file under the directories `roots`, and of the files among them
    (names and contents, in a fixed order), and of witgen's version: what generated code
    and pages depend on besides their input."""
    h = _hasher()
    h.update(__version__.encode())
    for root in roots:
        if os.path.isfile(root):
            walked = [(os.path.dirname(root), [os.path.basename(root)])]
            base = os.path.dirname(root)
        else:
            walked = [(folder, sorted(files)) for folder, _, files in sorted(os.walk(root))]
            base = root
        for folder, files in walked:
            for name in files:
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = os.path.join(folder, name)
                h.update(os.path.relpath(path, base).encode("utf-8", "surrogateescape") + b"\0")
                try:
                    with open(path, "rb") as f:
                        h.update(f.read())
                except OSError:
                    h.update(b"\0unreadable")
    return h.hexdigest()[:16]


def key(kind: str, *parts: tuple[str, str], binaries: bool = False) -> str:
    """The name of the entry for `parts` (path and text pairs), made by code that reads
    binary dependencies when `binaries` is set."""
    h = _hasher()
    h.update(f"{kind}\0{code_version(binaries)}\0".encode())
    for path, text in parts:
        h.update(path.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        h.update(b"\0\0")
    return f"{kind}-{h.hexdigest()}"


def get(name: str) -> object | None:
    if not enabled():
        return None
    try:
        with open(os.path.join(directory(), name), "rb") as f:
            data = f.read()
    except OSError:
        return None
    if not data.startswith(_MAGIC):
        return None
    import pickle

    try:
        value: object = pickle.loads(data[len(_MAGIC) :])  # our own directory, our own pickles
        return value
    except Exception:  # a corrupted or stale entry is a miss, whatever unpickling raises
        return None


_VERDICT = b"valid, no warnings\n"


def valid(name: str) -> bool:
    """Whether the input of entry `name` was checked before and found valid without a
    warning (see `put_valid`): `witgen check` then has nothing to do, and loads nothing."""
    if not enabled():
        return False
    try:
        with open(os.path.join(directory(), name + ".valid"), "rb") as f:
            return f.read() == _MAGIC + _VERDICT
    except OSError:
        return False


def put_valid(name: str) -> None:
    """Record that the input of entry `name` is valid and has no warnings."""
    _write(name + ".valid", lambda f: f.write(_MAGIC + _VERDICT))


def put(name: str, value: object) -> None:
    import pickle

    def dump(f: BinaryIO) -> None:
        f.write(_MAGIC)
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        _write(name, dump)
    except (pickle.PicklingError, RecursionError):
        return


def _write(name: str, fill: Callable[[BinaryIO], object]) -> None:
    """Write entry `name` with `fill`, atomically; an entry that cannot be written is none."""
    if not enabled():
        return
    folder = directory()
    try:
        os.makedirs(folder, exist_ok=True)
        # A name no other run picks (pid and random bits), created exclusively, then renamed
        # into place: readers see the old entry or the new one, never half of one.
        tmp = os.path.join(folder, f".tmp-{os.getpid()}-{os.urandom(6).hex()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                fill(f)
            os.replace(tmp, os.path.join(folder, name))
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return
