"""Content hashes, for cache keys and code fingerprints.

Input: bytes. Output: a BLAKE2b hasher (`hasher`), or the hex digest of some bytes
(`digest`). Invariants: the same bytes give the same digest on every run and machine; the
module imports nothing of witgen, so any layer may use it.
"""

from __future__ import annotations

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Protocol

    class Hasher(Protocol):  # the part of hashlib's interface used here
        def update(self, data: bytes, /) -> None: ...
        def hexdigest(self) -> str: ...


def hasher() -> Hasher:
    """A BLAKE2b hasher. CPython's built-in `_blake2` comes first: `hashlib` loads OpenSSL,
    which would add to the start-up of every `check` that reads the cache."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python without the builtin module
        from hashlib import blake2b
    return blake2b(digest_size=32)


def digest(data: bytes) -> str:
    """The hex content hash of `data`."""
    h = hasher()
    h.update(data)
    return h.hexdigest()
