"""`.wasm` inputs at the validator's rules: where the decoder stops, wasm-tools stops.

wasmparser refuses:

- a component or instance type nested in 100 others ("component type nesting is too deep");
- the 1000th core module or component nested in a component, counted over the whole binary
  ("modules and components count exceeds limit of 1000"), so a chain of nested components
  may be 999 deep;
- a type 100 deep or of size over 1,000,000 ("type nesting is too deep", "effective type
  size exceeds the limit of 1000000"): a type's depth is one more than the deepest type it
  holds, its size one plus the sizes of those it holds (a value type's defined types, not
  its inline primitives; a function's parameters and result; an instance or component
  type's imports and exports);
- a component or instance type importing and exporting more than 4096 instances
  ("instances count exceeds limit of 4096");
- a record, variant, enum or flags type without a name, or a tuple without a type ("record
  type must have at least one field", ...); a field, case, tag, flag or parameter name not
  in kebab case, or equal to an earlier one but for case ("record field name `aB` is not
  in kebab case", "... conflicts with previous field name `a`");
- a function whose result holds a `borrow` ("function result cannot contain a `borrow`
  type"), and a function named as a resource's whose type does not fit the name (a
  `[method]` without a first parameter `self: borrow<r>`, a `[constructor]` returning
  neither `own<r>` nor `result<own<r>>`, a `[static]` of no resource: "export name `x` is
  not valid");
- the binary reader's vectors and names over its limits: a record, variant, enum or tuple of
  more than 10,000 items, flags of more than 1,000 names, a function of more than 1,000
  parameters ("record field size is out of bounds", ...), a name of more than 100,000
  bytes ("string size out of bounds"); and flags of more than 32 names ("cannot have more
  than 32 flags").

Each case is a binary built here byte by byte, decoded by witgen and by `wasm-tools
component wit`: both accept it, or both refuse it with the same message at the same offset.
The 999-deep chain also shows that the decoder does not recurse once per nested component.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from witgen.text.diagnostics import WitError
from witgen.wasm.binary import section, sleb128, uleb128
from witgen.wasm.decoder import decode_wasm

COMPONENT = b"\x00asm\x0d\x00\x01\x00"
MODULE = b"\x00asm\x01\x00\x00\x00"


def _component(*children: bytes | None) -> bytes:
    """A component whose sections are nested components (a `bytes` child, section 4) or
    empty core modules (None, section 1), in order."""
    return COMPONENT + b"".join(
        section(1, MODULE) if child is None else section(4, child) for child in children
    )


def _chain(inner: bytes, depth: int) -> bytes:
    """`inner` nested `depth` components deep."""
    for _ in range(depth):
        inner = _component(inner)
    return inner


def _typed(depth: int, tag: int) -> bytes:
    """A component with a type section (7) of one component (0x41) or instance (0x42) type
    nested `depth` deep."""
    ty = bytes([tag, 0])
    for _ in range(depth):
        ty = bytes([tag, 1, 1]) + ty  # one declarator: a type, the one nested in it
    return COMPONENT + section(7, b"\x01" + ty)


CASES = {
    "chain-50": _chain(COMPONENT, 50),
    "chain-999": _chain(COMPONENT, 999),
    "chain-1000": _chain(COMPONENT, 1000),
    "chain-3000": _chain(COMPONENT, 3000),
    "siblings-999": _component(*[COMPONENT] * 999),
    "siblings-1000": _component(*[COMPONENT] * 1000),
    "pairs-499": _component(*[_component(COMPONENT)] * 499),
    "pairs-500": _component(*[_component(COMPONENT)] * 500),
    "modules-999": _component(*[None] * 999),
    "modules-1000": _component(*[None] * 1000),
    "modules-and-components-1000": _component(*[None] * 500, *[COMPONENT] * 500),
    "component-type-99": _typed(99, 0x41),
    "component-type-100": _typed(100, 0x41),
    "instance-type-99": _typed(99, 0x42),
    "instance-type-100": _typed(100, 0x42),
    "type-99-in-chain-900": _chain(_typed(99, 0x41), 900),
    "type-100-in-chain-50": _chain(_typed(100, 0x41), 50),
}


def _name(text: str) -> bytes:
    return uleb128(len(text)) + text.encode()


# A defined value type holding the type of index `i`, by kind.
HOLDING = {
    "list": lambda i: b"\x70" + sleb128(i),
    "option": lambda i: b"\x6b" + sleb128(i),
    "tuple": lambda i: b"\x6f\x01" + sleb128(i),
    "record": lambda i: b"\x72\x01" + _name("f") + sleb128(i),
    "variant": lambda i: b"\x71\x01" + _name("c") + b"\x01" + sleb128(i) + b"\x00",
    "result": lambda i: b"\x6a\x01" + sleb128(i) + b"\x00",
}


def _value_chain(kind: str, count: int) -> bytes:
    """`count` types: `list<u8>`, then each holding the one before (depth 1, 2, ...)."""
    types = [b"\x70\x7d"] + [HOLDING[kind](i - 1) for i in range(1, count)]
    return COMPONENT + section(7, uleb128(len(types)) + b"".join(types))


def _doubling(count: int) -> bytes:
    """`count` types, each a record of two fields of the one before: the size doubles."""
    twice = [b"\x72\x02" + _name("a") + sleb128(i) + _name("b") + sleb128(i) for i in range(count)]
    types = [b"\x70\x7d", *twice[: count - 1]]
    return COMPONENT + section(7, uleb128(len(types)) + b"".join(types))


def _in_instance(count: int) -> bytes:
    """The list chain of `count` types declared in an instance type."""
    decls = [b"\x01\x70\x7d"] + [b"\x01\x70" + sleb128(i - 1) for i in range(1, count)]
    return COMPONENT + section(7, b"\x01\x42" + uleb128(len(decls)) + b"".join(decls))


def _over_chain(count: int, holder: str) -> bytes:
    """A list chain of `count` types and, after it, a type holding the last one: a function
    taking it (`func`), or an instance or component type exporting it (the chain then
    declared inside that type)."""
    chain = [b"\x70\x7d"] + [b"\x70" + sleb128(i - 1) for i in range(1, count)]
    if holder == "func":
        func = b"\x40\x01" + _name("x") + sleb128(count - 1) + b"\x01\x00"
        types = [*chain, func]
        return COMPONENT + section(7, uleb128(len(types)) + b"".join(types))
    export = b"\x04\x00" + _name("t") + b"\x03\x00" + sleb128(count - 1)  # (type (eq last))
    decls = [b"\x01" + ty for ty in chain] + [export]
    tag = b"\x42" if holder == "instance" else b"\x41"
    return COMPONENT + section(7, b"\x01" + tag + uleb128(len(decls)) + b"".join(decls))


def _instances(tag: int, imports: int, exports: int) -> bytes:
    """A component (0x41) or instance (0x42) type importing and exporting instances."""
    decls = [b"\x01\x42\x00"]  # type 0: an empty instance type
    decls += [b"\x03\x00" + _name(f"m{k}") + b"\x05\x00" for k in range(imports)]
    decls += [b"\x04\x00" + _name(f"i{k}") + b"\x05\x00" for k in range(exports)]
    return COMPONENT + section(7, b"\x01" + bytes([tag]) + uleb128(len(decls)) + b"".join(decls))


def _types(*types: bytes) -> bytes:
    return COMPONENT + section(7, uleb128(len(types)) + b"".join(types))


def _items(kind: str, n: int) -> bytes:
    """A type with `n` fields, cases, names or parameters."""
    names = [_name(f"a{k}") for k in range(n)]
    body = {
        "record": b"\x72" + uleb128(n) + b"".join(x + b"\x7d" for x in names),
        "variant": b"\x71" + uleb128(n) + b"".join(x + b"\x00\x00" for x in names),
        "enum": b"\x6d" + uleb128(n) + b"".join(names),
        "flags": b"\x6e" + uleb128(n) + b"".join(names),
        "tuple": b"\x6f" + uleb128(n) + b"\x7d" * n,
        "params": b"\x40" + uleb128(n) + b"".join(x + b"\x7d" for x in names) + b"\x01\x00",
        "name": b"\x72\x01" + _name("a" * n) + b"\x7d",
    }[kind]
    return _types(body)


for kind, limit in [
    ("record", 10_000),
    ("variant", 10_000),
    ("enum", 10_000),
    ("tuple", 10_000),
    ("flags", 32),
    ("flags", 1_000),
    ("params", 1_000),
    ("name", 100_000),
]:
    CASES[f"{kind}-{limit}"] = _items(kind, limit)
    CASES[f"{kind}-{limit + 1}"] = _items(kind, limit + 1)
_RULES = {
    "record-duplicate": b"\x72\x02" + _name("a") + b"\x7d" + _name("a") + b"\x7d",
    "record-duplicate-but-for-case": b"\x72\x02" + _name("a") + b"\x7d" + _name("A") + b"\x7d",
    "record-not-kebab": b"\x72\x01" + _name("aB") + b"\x7d",
    "record-empty": b"\x72\x00",
    "record-kebab": b"\x72\x02" + _name("a-1") + b"\x7d" + _name("B2") + b"\x7d",
    "variant-duplicate": b"\x71\x02" + _name("a") + b"\x00\x00" + _name("a") + b"\x00\x00",
    "variant-not-kebab": b"\x71\x01" + _name("a--b") + b"\x00\x00",
    "variant-empty": b"\x71\x00",
    "enum-duplicate": b"\x6d\x02" + _name("a") + _name("a"),
    "enum-not-kebab": b"\x6d\x01" + _name("-a"),
    "enum-empty": b"\x6d\x00",
    "flags-duplicate": b"\x6e\x02" + _name("a") + _name("a"),
    "flags-not-kebab": b"\x6e\x01" + _name("a-"),
    "flags-empty": b"\x6e\x00",
    "tuple-empty": b"\x6f\x00",
    "func-duplicate": b"\x40\x02" + _name("a") + b"\x7d" + _name("a") + b"\x7d\x01\x00",
    "func-not-kebab": b"\x40\x01" + _name("aB") + b"\x7d\x01\x00",
    "func-no-parameter": b"\x40\x00\x01\x00",
}
for rule, body in _RULES.items():
    CASES[f"rule-{rule}"] = _types(body)
    # The same type declared in an instance type, after another: the error is at the
    # offset of the instance type, the top-level type being read.
    CASES[f"rule-{rule}-in-instance"] = COMPONENT + section(7, b"\x01\x42\x02\x01\x7d\x01" + body)

_RESOURCE = b"\x04\x00" + _name("r") + b"\x03\x01"  # export "r" (type (sub resource))
_BORROWS = {
    "result-borrow": [b"\x01\x68\x00", b"\x01\x40\x00\x00\x01"],
    "result-list-of-borrow": [b"\x01\x68\x00", b"\x01\x70\x01", b"\x01\x40\x00\x00\x02"],
    "param-borrow": [b"\x01\x68\x00", b"\x01\x40\x01" + _name("x") + b"\x01\x01\x00"],
    "result-own": [b"\x01\x69\x00", b"\x01\x40\x00\x00\x01"],
}
for rule, decls in _BORROWS.items():
    body = b"\x42" + uleb128(len(decls) + 1) + _RESOURCE + b"".join(decls)
    CASES[f"rule-{rule}"] = COMPONENT + section(7, b"\x01" + body)


def _resource_function(name: str, params: list[tuple[str, int]], result: int | None) -> bytes:
    """An instance type exporting resource `r`, then a function `name` taking `params`
    (name, type index) and returning `result` (a type index), among types 1: `borrow<r>`,
    2: `own<r>`, 3: `result<own<r>>`, 4: `u32`."""
    decls = [
        _RESOURCE,
        b"\x01\x68\x00",
        b"\x01\x69\x00",
        b"\x01\x6a\x01\x02\x00",
        b"\x01\x79",
    ]
    func = b"\x40" + uleb128(len(params)) + b"".join(_name(n) + sleb128(t) for n, t in params)
    func += b"\x01\x00" if result is None else b"\x00" + sleb128(result)
    decls += [b"\x01" + func, b"\x04\x00" + _name(name) + b"\x01" + uleb128(5)]
    return COMPONENT + section(7, b"\x01\x42" + uleb128(len(decls)) + b"".join(decls))


_FUNCTIONS = {
    "method": ("[method]r.f", [("self", 1)], None),
    "method-self-named-otherwise": ("[method]r.f", [("this", 1)], None),
    "method-self-owned": ("[method]r.f", [("self", 2)], None),
    "method-without-self": ("[method]r.f", [], None),
    "method-of-another-resource": ("[method]q.f", [("self", 1)], None),
    "static": ("[static]r.f", [], None),
    "static-of-no-resource": ("[static]q.f", [], None),
    "constructor": ("[constructor]r", [], 2),
    "constructor-returning-result": ("[constructor]r", [], 3),
    "constructor-returning-u32": ("[constructor]r", [], 4),
    "constructor-of-another-resource": ("[constructor]q", [], 2),
}
for rule, (func_name, params, result) in _FUNCTIONS.items():
    CASES[f"function-{rule}"] = _resource_function(func_name, params, result)

CASES["component-type-4096-instances"] = _instances(0x41, 2048, 2048)
CASES["component-type-4097-instances"] = _instances(0x41, 2049, 2048)
CASES["instance-type-4096-instances"] = _instances(0x42, 0, 4096)
CASES["instance-type-4097-instances"] = _instances(0x42, 0, 4097)
for holder in ("func", "instance", "component"):
    CASES[f"{holder}-over-chain-98"] = _over_chain(98, holder)
    CASES[f"{holder}-over-chain-99"] = _over_chain(99, holder)
for kind in HOLDING:
    CASES[f"{kind}-chain-99"] = _value_chain(kind, 99)
    CASES[f"{kind}-chain-100"] = _value_chain(kind, 100)
CASES["doubling-19"] = _doubling(19)
CASES["doubling-20"] = _doubling(20)
CASES["list-chain-99-in-instance"] = _in_instance(99)
CASES["list-chain-100-in-instance"] = _in_instance(100)

VALID = {
    "function-method",
    "function-static",
    "function-constructor",
    "function-constructor-returning-result",
    *(
        f"rule-{rule}{where}"
        for rule in ("record-kebab", "func-no-parameter")
        for where in ("", "-in-instance")
    ),
    "rule-param-borrow",
    "rule-result-own",
    *(f"{kind}-10000" for kind in ("record", "variant", "enum", "tuple")),
    "flags-32",
    "params-1000",
    "name-100000",
    "component-type-4096-instances",
    "instance-type-4096-instances",
    *(f"{kind}-chain-99" for kind in HOLDING),
    *(f"{holder}-over-chain-98" for holder in ("func", "instance", "component")),
    "doubling-19",
    "list-chain-99-in-instance",
    "chain-50",
    "chain-999",
    "siblings-999",
    "pairs-499",
    "modules-999",
    "component-type-99",
    "instance-type-99",
    "type-99-in-chain-900",
}


def _reference(wasm_tools: str, path: Path) -> tuple[str, int] | None:
    done = subprocess.run(
        [wasm_tools, "component", "wit", str(path)], capture_output=True, text=True, timeout=60
    )
    if done.returncode == 0:
        return None
    # The message may take two lines (`export name ... is not valid`, then why).
    found = re.search(r"error: (.*) \(at offset 0x([0-9a-f]+)\)", done.stderr, re.S)
    assert found, done.stderr
    return found[1], int(found[2], 16)


def _witgen(data: bytes) -> tuple[str, int] | None:
    try:
        decode_wasm(data)
    except WitError as e:
        (diag,) = e.diagnostics
        found = re.search(r"at offset (\d+) \(0x[0-9a-f]+\): (.*)", diag.message, re.S)
        assert found, diag.message
        return found[2], int(found[1])
    return None


@pytest.mark.parametrize("name", list(CASES))
def test_verdict_message_and_offset_are_wasm_tools(
    name: str, wasm_tools: str, tmp_path: Path
) -> None:
    path = tmp_path / f"{name}.wasm"
    path.write_bytes(CASES[name])
    expected = _reference(wasm_tools, path)
    assert _witgen(CASES[name]) == expected
    # The cases are built to sit on both sides of each limit.
    assert (expected is None) == (name in VALID)
