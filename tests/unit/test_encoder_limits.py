"""The encoder's limits (`witgen.wasm.limits`) against wasm-tools' validator.

Each case is a family of packages growing with a number `n`: a chain of nested types, a
type with more and more bytes, an interface with more and more functions, more and more
interfaces used, a record (variant, enum, tuple, function) with more and more fields
(cases, types, parameters), a longer and longer name. For each, witgen's own verdicts find
the largest `n` it encodes (by bisection, in-process); then `wasm-tools component wit
--wasm` must accept that package and reject the next one with the message witgen gives.
So the test does not depend on where the limits are, only on witgen and wasm-tools
putting them at the same place.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from witgen import api
from witgen.text.diagnostics import WitError
from witgen.wasm import limits

# ---------------------------------------------------------------- families

Family = Callable[[int], str]

_LEAVES = {
    "u32": "type t0 = u32;",
    "record": "record t0 { x: u32 }",
    "enum": "enum t0 { a }",
    "resource": "resource t0;",
    "list": "type t0 = list<u32>;",
}
_STEPS = {
    "list": "type t{k} = list<t{j}>;",
    "record": "record t{k} {{ x: t{j} }}",
    "tuple": "type t{k} = tuple<t{j}, u8>;",
    "option": "type t{k} = option<t{j}>;",
    "result": "type t{k} = result<_, t{j}>;",
    "variant": "variant t{k} {{ a(t{j}), b }}",
    "aliased": "type a{k} = t{j};\n  type t{k} = list<a{k}>;",
}


def _chain(leaf: str, step: str, n: int) -> str:
    lines = [_LEAVES[leaf]] + [_STEPS[step].format(k=k, j=k - 1) for k in range(1, n)]
    return "".join(f"  {line}\n" for line in lines)


def _nesting(leaf: str, step: str, where: str) -> Family:
    """Types nested `n` deep, used where `where` says."""

    def family(n: int) -> str:
        chain, last = _chain(leaf, step, n), f"t{n - 1}"
        head = "package a:b;\n"
        if where == "param":
            return (
                f"{head}interface i {{\n{chain}  f: func(x: {last});\n}}\nworld w {{ import i; }}\n"
            )
        if where == "result":
            body = f"{chain}  f: func() -> {last};\n"
            return f"{head}interface i {{\n{body}}}\nworld w {{ export i; }}\n"
        if where == "types":
            return f"{head}interface i {{\n{chain}}}\nworld w {{ import i; }}\n"
        if where == "no-world":
            return f"{head}interface i {{\n{chain}}}\n"
        if where == "world-function":
            return f"{head}world w {{\n{chain}  import f: func(x: {last});\n}}\n"
        if where == "used":
            return (
                f"{head}interface i {{\n{chain}}}\n"
                f"interface j {{\n  use i.{{{last}}};\n  f: func(x: {last});\n}}\n"
                "world w { export j; }\n"
            )
        assert where == "inline"
        return (
            f"{head}world w {{\n  import x: interface {{\n{chain}  f: func(x: {last});\n  }}\n}}\n"
        )

    return family


def _fixed(element: str, defs: str = "") -> Family:
    """A fixed-length list of `n` elements of `element`."""
    return lambda n: (
        f"package a:b;\ninterface i {{\n{defs}  type t = list<{element}, {n}>;\n"
        "  f: func(x: t);\n}\n"
    )


def _functions(interfaces: int, fields: int = 60) -> Family:
    """`interfaces` interfaces of `n` functions, each taking ten records of `fields` fields:
    sizes add up to the limit without any nesting."""

    def family(n: int) -> str:
        record = "  record r { " + ", ".join(f"x{k}: u32" for k in range(fields)) + " }\n"
        params = ", ".join(f"p{k}: r" for k in range(10))
        funcs = "".join(f"  g{k}: func({params});\n" for k in range(n))
        return "package a:b;\n" + "".join(
            f"interface i{x} {{\n{record}{funcs}}}\n" for x in range(interfaces)
        )

    return family


def _instances(n: int) -> str:
    """An interface using a type of each of `n` others: an instance import each."""
    defs = "".join(f"interface i{k} {{ type t{k} = u32; }}\n" for k in range(n))
    uses = "".join(f"  use i{k}.{{t{k}}};\n" for k in range(n))
    return f"package a:b;\n{defs}interface main {{\n{uses}}}\n"


def _vector(kind: str) -> Family:
    """One item of an interface holding `n` of something: fields, cases, tuple types,
    parameters, or the characters of a name."""

    def family(n: int) -> str:
        names = [f"a{k}" for k in range(n)]
        item = {
            "record": "record r { " + ", ".join(f"{x}: u8" for x in names) + " }",
            "variant": "variant v { " + ", ".join(names) + " }",
            "enum": "enum e { " + ", ".join(names) + " }",
            "tuple": "type t = tuple<" + ", ".join(["u8"] * n) + ">;",
            "params": "f: func(" + ", ".join(f"{x}: u8" for x in names) + ");",
            "name": "type " + "a" * n + " = u8;",
        }[kind]
        return f"package a:b;\ninterface i {{\n  {item}\n}}\n"

    return family


CASES: list[tuple[str, Family, int, int]] = [
    *(
        (f"count-{kind}", _vector(kind), 1, 20_000)
        for kind in ("record", "variant", "enum", "tuple", "params")
    ),
    ("count-name-bytes", _vector("name"), 1, 200_000),
    # (id, family, smallest n to search from, largest)
    *(
        (f"depth-{leaf}-{step}-param", _nesting(leaf, step, "param"), 1, 300)
        for leaf in _LEAVES
        for step in _STEPS
    ),
    *(
        (f"depth-list-{where}", _nesting("u32", "list", where), 1, 300)
        for where in ("result", "types", "no-world", "world-function", "used", "inline")
    ),
    ("depth-record-world-function", _nesting("record", "record", "world-function"), 1, 300),
    *(
        (f"bytes-{name}", _fixed(element, defs), 1, 1 << 31)
        for name, element, defs in [
            ("u8", "u8", ""),
            ("u32", "u32", ""),
            ("u64", "u64", ""),
            ("char", "char", ""),
            ("string", "string", ""),
            ("list", "list<u8>", ""),
            ("handle", "r", "  resource r;\n"),
            ("record-u8-u32", "p", "  record p { a: u8, b: u32 }\n"),
            ("record-u8-string", "p", "  record p { a: u8, b: string }\n"),
            ("tuple-u16-u8", "tuple<u16, u8>", ""),
            ("option-u8", "option<u8>", ""),
            ("option-u64", "option<u64>", ""),
            ("result-u8-u32", "result<u8, u32>", ""),
            ("variant", "v", "  variant v { a(u16), b(list<u8, 3>), c }\n"),
            ("flags-9", "g", "  flags g { " + ", ".join(f"a{k}" for k in range(9)) + " }\n"),
            ("enum-300", "e", "  enum e { " + ", ".join(f"a{k}" for k in range(300)) + " }\n"),
            ("nested", "list<u8, 3>", ""),
        ]
    ),
    ("size-one-interface", _functions(1), 1, 4000),
    ("size-four-interfaces", _functions(4), 1, 4000),
    ("instances", _instances, 1, 5000),
]


# ---------------------------------------------------------------- the comparison


def _write(tmp: Path, text: str) -> Path:
    path = tmp / "p.wit"
    path.write_text(text, encoding="utf-8")
    return path


def _witgen(tmp: Path, text: str) -> str | None:
    """None when witgen encodes the package; else the limit it reports."""
    try:
        api.encode(_write(tmp, text), use_cache=False)
    except WitError as e:
        [d] = e.diagnostics
        assert d.code == "WIT314", d.message
        return d.message.rpartition(": ")[2]
    return None


def _reference(exe: str, tmp: Path, text: str) -> str | None:
    path = _write(tmp, text)
    proc = subprocess.run(
        [exe, "component", "wit", "--wasm", "--all-features", path.name, "-o", "out.wasm"],
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode == 0:
        return None
    first = proc.stderr.strip().splitlines()[0]
    return first.removeprefix("error: ").split(" (at offset")[0]


@pytest.mark.parametrize(
    ("family", "low", "high"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_limit_is_where_wasm_tools_puts_it(
    family: Family, low: int, high: int, wasm_tools: str, tmp_path: Path
) -> None:
    assert _witgen(tmp_path, family(low)) is None, "the family starts under the limit"
    refused = _witgen(tmp_path, family(high))
    assert refused is not None, "the family ends over the limit"
    while high - low > 1:
        mid = (low + high) // 2
        if _witgen(tmp_path, family(mid)) is None:
            low = mid
        else:
            high = mid
    refused = _witgen(tmp_path, family(high))
    assert _reference(wasm_tools, tmp_path, family(low)) is None, f"wasm-tools refuses n={low}"
    assert _reference(wasm_tools, tmp_path, family(high)) == refused, f"n={high}"


def test_too_many_elements(wasm_tools: str, tmp_path: Path) -> None:
    """More elements than a fixed-length list may have, however small each is."""
    text = _fixed("u8")(limits.MAX_FIXED_LIST_ELEMENTS + 1)
    assert _witgen(tmp_path, text) == limits.TOO_MANY_ELEMENTS
    assert _reference(wasm_tools, tmp_path, text) == limits.TOO_MANY_ELEMENTS


def test_error_names_the_type_and_writes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, _nesting("u32", "list", "param")(150))
    out = tmp_path / "out.wasm"
    from typer.testing import CliRunner

    from witgen.cli.app import app

    result = CliRunner().invoke(app, ["encode", str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert "error[WIT314]" in result.output and "type nesting is too deep" in result.output
    assert "type t9" in result.output  # the first type over the limit is shown
    assert "Traceback" not in result.output
    assert not out.exists()


def test_embed_is_not_checked(tmp_path: Path) -> None:
    """wasm-tools embeds a world over the limits without a word (it validates nothing of
    an `--only-custom` payload), and so does witgen; bindings for it are refused."""
    path = _write(tmp_path, _nesting("u32", "list", "world-function")(150))
    assert api.embed(path, use_cache=False)
    with pytest.raises(WitError, match="type nesting is too deep"):
        api.bindgen_guest(path, out_dir=tmp_path / "out", use_cache=False)
    with pytest.raises(WitError, match="type nesting is too deep"):
        api.bindgen_host(path, out_dir=tmp_path / "out", use_cache=False)
    assert not (tmp_path / "out").exists()


def test_error_names_the_world_over_the_limit(tmp_path: Path) -> None:
    """Interface 0 is fine, world 0 is over the limit: the error names the world (ids of
    interfaces and worlds are counted apart, so the two are both 0)."""
    deep = _nesting("u32", "list", "world-function")(150)
    text = deep.replace("package a:b;\n", "package a:b;\ninterface fine { f: func(); }\n", 1)
    with pytest.raises(WitError) as caught:
        api.encode(_write(tmp_path, text), use_cache=False)
    [d] = caught.value.diagnostics
    assert d.message.startswith("cannot encode the package: world `w`: "), d.message
