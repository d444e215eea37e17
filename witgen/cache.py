"""A small on-disk cache for derived data (parsed syntax trees, the parser's table).

Input: a key built from the witgen version and the exact inputs; a picklable value.
Output: the value back on a later run, or None. Invariants: entries live under
`$XDG_CACHE_HOME/witgen` (default `~/.cache/witgen`); writes are atomic (a temporary file
renamed into place), so concurrent runs never see half an entry; an unreadable, corrupted
or foreign entry is ignored (and rewritten), never an error; a cache that cannot be written
(read-only home, full disk) is silently skipped. `WITGEN_NO_CACHE=1` disables it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from witgen import __version__

_MAGIC = b"witgen-cache-1\n"


def directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "witgen"


def enabled() -> bool:
    return os.environ.get("WITGEN_NO_CACHE", "") in ("", "0")


@functools.cache
def code_version() -> str:
    """A hash of the modules whose output is cached, so any change to them invalidates it."""
    h = hashlib.sha256(__version__.encode())
    here = Path(__file__).resolve().parent
    for name in ("nodes.py", "parse.py", "model.py", "resolve.py", "loader.py", "cache.py"):
        try:
            h.update((here / name).read_bytes())
        except OSError:
            h.update(name.encode())
    return h.hexdigest()[:16]


def key(kind: str, *parts: tuple[str, str]) -> str:
    h = hashlib.sha256()
    h.update(f"{kind}\0{code_version()}\0".encode())
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
        data = (directory() / name).read_bytes()
    except OSError:
        return None
    if not data.startswith(_MAGIC):
        return None
    try:
        value: object = pickle.loads(data[len(_MAGIC) :])  # our own directory, our own pickles
        return value
    except Exception:  # a corrupted or stale entry is a miss, whatever unpickling raises
        return None


def put(name: str, value: object) -> None:
    if not enabled():
        return
    target = directory() / name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC)
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, pickle.PicklingError, RecursionError):
        return


def path_for(name: str) -> Path | None:
    """A path inside the cache directory for tools that manage their own file (lark's table)."""
    if not enabled():
        return None
    d = directory()
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return d / name
