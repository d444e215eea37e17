"""The rules audit (`RULES.md`) stays true, and the rules no UI case can hold.

`RULES.md` maps each message of wit-parser to witgen's code and UI cases. Checked here:
every case it names exists and reports the row's code (the UI tests compare each case with
wasm-tools), and, when the list of wit-parser's messages is beside the repository, every
message has a row. Then two rules the UI cases cannot show: a path that is not UTF-8
(such a file name cannot be kept in the repository), and a fixed-length list of size 0,
which resolves and prints but does not encode (a passing UI case must encode).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from witgen import api
from witgen.outputs import printer
from witgen.outputs.json import to_json
from witgen.text.diagnostics import WitError

UI = Path(__file__).resolve().parent
RULES = UI / "RULES.md"
ROW = re.compile(r"^\| (\d+) \| (.+?) \| (.+?) \| (.+) \|$")
SECTION = re.compile(r"^### crates/wit-parser/src/(\S+)")
CASE = re.compile(r"`((?:parse-fail/)?[a-z0-9][a-z0-9-]*(?:\.wit|/)?)`")


def _rows() -> list[tuple[str, int, str, str]]:
    """(source file, line, witgen column, cases column) of each row of the table."""
    rows = []
    section = ""
    for line in RULES.read_text(encoding="utf-8").splitlines():
        if m := SECTION.match(line):
            section = m.group(1)
        elif m := ROW.match(line):
            rows.append((section, int(m.group(1)), m.group(3), m.group(4)))
    return rows


def _case(ref: str) -> Path | None:
    """The UI case a reference names, or None for a name that is no UI case."""
    name = ref.removeprefix("parse-fail/").removesuffix("/").removesuffix(".wit")
    folder = UI / "parse-fail" if ref.startswith("parse-fail/") else UI
    for candidate in (folder / f"{name}.wit", folder / name):
        if candidate.exists():
            return candidate
    return None


def test_the_table_has_every_row() -> None:
    rows = _rows()
    assert len(rows) >= 130
    assert len({(f, n) for f, n, _, _ in rows}) == len(rows), "a row is there twice"


def test_every_case_the_table_names_exists_and_reports_the_rows_code() -> None:
    named = 0
    for source, line, witgen, cases in _rows():
        if cases.startswith("—"):
            continue
        codes = set(re.findall(r"WIT\d{3}", witgen))
        assert codes, f"{source}:{line} names cases but no code"
        for ref in CASE.findall(cases):
            if ref.endswith(".py"):
                continue
            case = _case(ref)
            assert case is not None, f"{source}:{line}: no UI case {ref}"
            named += 1
            if ref.startswith("parse-fail/"):
                golden = case.parent / f"{case.name.removesuffix('.wit')}.wit.result"
                first = golden.read_text(encoding="utf-8").partition("\n")[0]
                assert first[6:12] in codes, f"{source}:{line}: {ref} reports {first}"
    assert named >= 100


def test_every_message_of_wit_parser_has_a_row(shared: Path) -> None:
    listed = shared / "spec" / "wit-parser-errors.md"
    if not listed.exists():
        pytest.skip(f"{listed} is absent")
    wanted = set()
    section = ""
    for line in listed.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line.split()[1].rsplit("/", 1)[-1]
        elif m := re.match(r"- L(\d+): ", line):
            wanted.add((section, int(m.group(1))))
    have = {(source.rsplit("/", 1)[-1], line) for source, line, _, _ in _rows()}
    assert wanted == have


# ---------------------------------------------------------------- a path that is not UTF-8


def test_path_that_is_not_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """wit-parser names a file by its path as text, so it refuses a file whose name is not
    UTF-8 (a directory with such a name it reads)."""
    name = os.fsdecode(b"\xff.wit")
    try:
        (tmp_path / name).write_text("package a:b;\ninterface i {}\n", encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system does not take names that are not UTF-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WitError) as info:
        api.load(name, use_cache=False)
    (diag,) = info.value.diagnostics
    assert (diag.code, diag.message) == ("WIT200", 'path is not valid utf-8: "\\xFF.wit"')
    folder = os.fsdecode(b"d\xff")
    (tmp_path / folder).mkdir()
    (tmp_path / folder / "a.wit").write_text("package a:b;\ninterface i {}\n", encoding="utf-8")
    assert api.load(folder, use_cache=False).resolve.main is not None


def test_path_that_is_not_utf8_as_wasm_tools(
    tmp_path: Path, wasm_tools: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = os.fsdecode(b"\xff.wit")
    try:
        (tmp_path / name).write_text("package a:b;\ninterface i {}\n", encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system does not take names that are not UTF-8")
    ref = subprocess.run(
        [wasm_tools, "component", "wit", os.fsencode(name)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ref.returncode == 1
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WitError) as info:
        api.load(name, use_cache=False)
    assert ref.stderr.rstrip("\n") == f"error: {info.value.diagnostics[0].message}"


# ---------------------------------------------------------------- a list of size 0

ZERO = "package demo:zero;\n\ninterface i {\n  type none = list<u8, 0>;\n}\n"


def test_fixed_list_of_size_zero_resolves_but_does_not_encode(tmp_path: Path) -> None:
    path = tmp_path / "zero.wit"
    path.write_text(ZERO, encoding="utf-8")
    r = api.load(path, use_cache=False).resolve
    assert "type none = list<u8, 0>;" in printer.print_resolve(r)
    assert '"fixed-length-list": [\n          "u8",\n          0\n        ]' in to_json(r)
    with pytest.raises(WitError) as info:
        api.encode(path, use_cache=False)
    (diag,) = info.value.diagnostics
    assert diag.code == "WIT314"
    assert diag.message.endswith("Fixed-length lists must have more than zero elements")


def test_fixed_list_of_size_zero_as_wasm_tools(tmp_path: Path, wasm_tools: str) -> None:
    path = tmp_path / "zero.wit"
    path.write_text(ZERO, encoding="utf-8")
    r = api.load(path, use_cache=False).resolve

    def reference(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [wasm_tools, "component", "wit", *args, str(path)]
        return subprocess.run(argv, capture_output=True, text=True, timeout=60)

    assert printer.print_resolve(r) == reference().stdout
    assert to_json(r) == reference("--json").stdout + "\n"
    refused = reference("--wasm", "-o", str(tmp_path / "zero.wasm"))
    assert refused.returncode == 1
    with pytest.raises(WitError) as info:
        api.encode(path, use_cache=False)
    why = info.value.diagnostics[0].message.removeprefix("cannot encode the package: ")
    assert refused.stderr.startswith(f"error: {why} (at offset ")
