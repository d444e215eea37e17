"""Decode `.wasm` files into a `Resolve`, as wit-component's decoder does.

Input: bytes. `decode` takes a WIT package binary (`wasm-tools component wit --wasm`
output, or a `component-type` payload: a package with one world): a component whose
exports are component types, one per interface or world, optionally with `package-docs`.
`decode_wasm` takes any `.wasm`: such a package; a component built by a toolchain, whose
whole binary is walked (nested components, instances, aliases, canonical functions),
typing every item so that its imports and exports become the world `root` of package
`root:component` (instantiating a nested component substitutes its arguments for the
types it imports, as wasmparser does, so re-exported resources keep their identity); or a
core module whose `component-type*` custom sections are decoded and merged into the world
`root` of package `root:root` (`merge.merge` and `merge.merge_worlds`).

Output: a `model.Resolve` whose main package is the decoded one, built as wit-component's
`WitPackageDecoder` builds it: dependency packages hold only the interfaces and types the
package uses, type ids are allocated in the order the binary mentions them, and docs and
gates come from the `package-docs` section. Spans are `Span.UNKNOWN`.

The steps live in their own modules: `reader` reads the binary into the type graph of
`typegraph`, `to_wit` turns that graph into WIT packages, and `package_docs` adds the docs;
this module picks the steps for the input and turns `Malformed` into `WitError`.

Invariants: every malformed input (truncated, overlong LEB128, a section past the end, an
unknown section id, an index out of range, an invalid name, a world missing an interface
its interfaces use) raises `WitError` (WIT200 from `decode`, WIT108 from `decode_wasm`)
whose message names the byte offset of the problem; no other exception escapes. Decoding
is pure and deterministic, and never copies the input per section (readers are views).
"""

from __future__ import annotations

from typing import Literal

from witgen import model as m
from witgen._record import record
from witgen.text.diagnostics import WitError, error
from witgen.text.source import Span
from witgen.wasm import package_docs, reader, to_wit
from witgen.wasm.binary import COMPONENT_PREAMBLE, MAGIC, MODULE_PREAMBLE, Malformed
from witgen.wasm.typegraph import ComponentType


def decode(data: bytes) -> m.Resolve:
    """The `Resolve` of a WIT package binary; its main package is the decoded one."""
    try:
        return _decode(bytes(data))
    except Malformed as e:
        message = f"invalid WIT package binary at offset {e.offset} (0x{e.offset:x}): {e.message}"
        raise WitError((error("WIT200", message, Span.UNKNOWN),)) from None
    except RecursionError:
        message = "invalid WIT package binary at offset 0 (0x0): nested too deeply"
        raise WitError((error("WIT200", message, Span.UNKNOWN),)) from None


def binary_problem(data: bytes) -> tuple[str, int] | None:
    """What wasm-tools' validation rejects in a WIT package binary (a name that differs from
    another only in case, an upper-case package name, ...), with its byte offset; None if
    the binary reads back."""
    try:
        reader.read_package(bytes(data))
    except Malformed as e:
        return e.message, e.offset
    except RecursionError:
        return "nested too deeply", 0
    return None


def _decode(data: bytes) -> m.Resolve:
    read = reader.read_package(data)
    conv = to_wit.WitConverter()
    packages, main = to_wit.package(conv, read.exports, len(data))
    if read.package_docs is not None:
        package_docs.apply(conv, packages, main, *read.package_docs)
    return to_wit.freeze(conv, packages, m.PackageId(packages.index(main)))


# ---------------------------------------------------------------- any .wasm input


@record(kw_only=False)
class Decoded:
    """What a `.wasm` file holds, as a `Resolve` whose `main` is the package to show."""

    # "package": a WIT package binary (or a `component-type` payload, a package with one
    # world); "component": a component built by a toolchain, typed as the world `root` of
    # the package `root:component`; "module": a core module whose `component-type*`
    # custom sections are merged into the world `root` of the package `root:root`.
    kind: Literal["package", "component", "module"]
    resolve: m.Resolve
    # The world of a component or module; None for a package.
    world: m.WorldId | None = None


def decode_wasm(data: bytes, *, path: str | None = None) -> Decoded:
    """Decode any `.wasm` input, as `wasm-tools component wit FILE` reads it.

    Malformed input raises `WitError` (WIT108) naming `path` and the byte offset.
    """
    where = f"failed to decode {path}: " if path else ""
    try:
        return _decode_wasm(bytes(data))
    except Malformed as e:
        message = f"{where}invalid WebAssembly binary at offset {e.offset} (0x{e.offset:x}): "
        raise WitError((error("WIT108", message + e.message, Span.UNKNOWN),)) from None
    except RecursionError:
        message = f"{where}invalid WebAssembly binary at offset 0 (0x0): nested too deeply"
        raise WitError((error("WIT108", message, Span.UNKNOWN),)) from None


def _decode_wasm(data: bytes) -> Decoded:
    if len(data) < 8 or data[:4] != MAGIC:
        raise Malformed("not a WebAssembly binary (bad magic)", 0)
    if data[:8] == MODULE_PREAMBLE:
        return Decoded("module", _decode_module(data), m.WorldId(0))
    if data[:8] != COMPONENT_PREAMBLE:
        raise Malformed("unsupported WebAssembly version or layer", 4)
    externs = reader.read_component(data)
    if externs and all(
        exporting and ext.sort == "type" and isinstance(ext.referenced, ComponentType)
        for exporting, ext in externs
    ):
        return Decoded("package", _decode(data))
    conv = to_wit.WitConverter()
    packages, wid = to_wit.component_world(conv, externs)
    return Decoded("component", to_wit.freeze(conv, packages, m.PackageId(len(packages) - 1)), wid)


def _decode_module(data: bytes) -> m.Resolve:
    """wit-component's `metadata::decode`: every `component-type*` section, merged."""
    from witgen.model.merge import merge, merge_worlds

    payloads = reader.component_type_sections(data)
    if not payloads:
        raise Malformed(
            "input is a core wasm module with no `component-type*` custom sections meaning "
            "that there is not WIT information; is the information not embedded or is this "
            "supposed to be a component?",
            0,
        )
    root = m.PackageId(0)
    resolve = m.Resolve(
        packages=(
            m.Package(
                name=m.PackageName(namespace="root", name="root"),
                interfaces=(),
                worlds=(("root", m.WorldId(0)),),
            ),
        ),
        interfaces=(),
        worlds=(m.World(name="root", imports=(), exports=(), package=root),),
        types=(),
        main=root,
        main_group=(root,),
    )
    for start, end in payloads:
        try:
            other = _decode(data[start:end])
        except Malformed as e:
            raise Malformed(e.message, start + e.offset) from None
        assert other.main is not None
        worlds = other.packages[other.main].worlds
        if len(worlds) != 1:
            raise Malformed("a `component-type` section must hold exactly one world", start)
        resolve, maps = merge(resolve, other)
        resolve = merge_worlds(resolve, maps.worlds[worlds[0][1]], m.WorldId(0))
    return resolve
