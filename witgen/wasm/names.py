"""The names of component imports and exports, as wasmparser validates them.

Input: extern names read from a binary. Output: whether a name is valid
(`valid_extern_name`), the upper-case letter that makes an interface name's package
invalid in a binary (`uppercase_in_package`), and the package and item an interface or
world id names (`split_interface_id`). Invariants: pure functions of the name; the only
error raised is `binary.Malformed`, carrying the offset the caller gives.
"""

from __future__ import annotations

import re

from witgen import model as m
from witgen.wasm.binary import Malformed

# A kebab-case label (each word all lowercase or all uppercase, the first starting with a
# letter, the others with a letter or a digit) and a semantic version, as wasmparser
# validates component names.
_LABEL = re.compile(
    r"(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:-(?=[0-9A-Za-z])[0-9]*(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)?)*"
)
_SEMVER = re.compile(
    r"(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
_FUNC_PREFIX = re.compile(
    r"\[(?:async )?(?:method|static)\](.+)\.(.+)|\[(?:constructor|async)\](.+)"
)
_URL_PREFIXES = ("url=", "relative-url=", "integrity=", "locked-dep=", "unlocked-dep=", "hash=")


def valid_label(name: str) -> bool:
    """Whether `name` is a kebab-case label (a field, case, flag or parameter name)."""
    return _LABEL.fullmatch(name) is not None


def valid_extern_name(name: str) -> bool:
    """Whether `name` is a valid component extern name (wasmparser's `ComponentName`)."""
    if name.startswith(_URL_PREFIXES):
        return True
    if ":" in name:
        base, at, version = name.partition("@")
        pkg, slash, path = base.partition("/")
        ns, colon, pkg_name = pkg.partition(":")
        parts = (ns, pkg_name, *path.split("/"))
        valid_version = not at or _SEMVER.fullmatch(version) is not None
        return bool(slash and colon) and all(_LABEL.fullmatch(x) for x in parts) and valid_version
    match = _FUNC_PREFIX.fullmatch(name)
    if match is not None:
        return all(_LABEL.fullmatch(g) for g in match.groups() if g is not None)
    return _LABEL.fullmatch(name) is not None


def uppercase_in_package(name: str) -> str | None:
    """The first upper-case letter of an interface name's namespace and package, if any:
    WIT accepts `X:y`, its binary form does not."""
    if ":" not in name or name.startswith(_URL_PREFIXES):
        return None
    package = name.partition("/")[0]
    return next((c for c in package if c.isupper()), None)


def split_interface_id(name: str, offset: int) -> tuple[m.PackageName, str]:
    """`ns:pkg/item@ver` → (package name, item)."""
    base, at, version = name.partition("@")
    pkg, slash, item = base.rpartition("/")
    ns, colon, pkg_name = pkg.partition(":")
    labels = (ns, pkg_name, item)
    if not slash or not colon or not all(_LABEL.fullmatch(x) for x in labels):
        raise Malformed(f"`{name}` is not a valid interface or world id", offset)
    if at and not _SEMVER.fullmatch(version):
        raise Malformed(f"`{name}` has an invalid version", offset)
    return m.PackageName(namespace=ns, name=pkg_name, version=version or None), item
