"""`witgen/wasm/tables.py`: the one home of the binary format's codes.

Each group of codes is free of clashes, the derived lookups invert their table, and no
other module of `witgen.wasm` writes a table of its own (value-type opcodes, sorts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from witgen.wasm import tables

WASM = Path(tables.__file__).parent


def _group(prefix: str) -> dict[str, int]:
    return {
        name: value
        for name, value in vars(tables).items()
        if name.startswith(prefix) and type(value) is int
    }


@pytest.mark.parametrize(
    "prefix",
    ["SECTION_", "SORT_", "BOUND_", "TYPE_", "DECL_", "ALIAS_", "NAME_", "ATTRIBUTE_", "INSTANCE_"],
)
def test_codes_of_a_group_differ(prefix: str) -> None:
    group = _group(prefix)
    assert group
    assert len(set(group.values())) == len(group), group


def test_section_ids_are_the_thirteen_of_the_format() -> None:
    assert sorted(_group("SECTION_").values()) == list(range(13))


def test_type_forms_are_not_primitives() -> None:
    assert not set(_group("TYPE_").values()) & set(tables.PRIMITIVE_TYPES)


def test_primitives_never_read_as_type_indices() -> None:
    # A value type is a primitive when its first byte is one of these: each has bit 0x40
    # set, so as the first byte of an s33 it starts a negative number, never an index.
    assert all(code & 0x40 for code in tables.PRIMITIVE_TYPES)


def test_derived_lookups_invert_their_table() -> None:
    pairs: list[tuple[Mapping[int, str], Mapping[str, int]]] = [
        (tables.PRIMITIVE_TYPES, tables.PRIMITIVE_CODES),
        (tables.SORT_NAMES, tables.SORT_CODES),
        (tables.ATTRIBUTE_KEYWORDS, tables.ATTRIBUTE_CODES),
    ]
    for by_code, by_name in pairs:
        assert {name: code for code, name in by_code.items()} == by_name


def test_canonical_opcode_groups_are_disjoint() -> None:
    groups = [
        tables.CANON_NO_OPERANDS,
        tables.CANON_INDEX,
        tables.CANON_INDEX_OPTIONS,
        tables.CANON_INDEX_FLAG,
        tables.CANON_FLAG,
        tables.CANON_FLAG_INDEX,
        tables.CANON_CONTEXT,
        frozenset(
            {
                tables.CANON_LIFT,
                tables.CANON_LOWER,
                tables.CANON_TASK_RETURN,
                tables.CANON_THREAD_NEW_INDIRECT,
                tables.CANON_THREAD_SPAWN_REF,
                tables.CANON_THREAD_SPAWN_INDIRECT,
                tables.CANON_THREAD_AVAILABLE_PARALLELISM,
            }
        ),
    ]
    seen: set[int] = set()
    for group in groups:
        assert not seen & group
        seen |= group


@pytest.mark.parametrize(
    "module", sorted(p.name for p in WASM.glob("*.py") if p.name != "tables.py")
)
def test_no_other_module_keeps_a_table(module: str) -> None:
    source = (WASM / module).read_text(encoding="utf-8")
    # A value-type opcode table pairs an opcode with a primitive's name, either way round.
    assert not re.search(r"0x7[0-9A-Fa-f]\s*:\s*\"(bool|s8|u8|char|string)\"", source)
    assert not re.search(r"\"(bool|s8|u8|char|string)\"\s*:\s*0x7", source)
    # Sections are named, not numbered.
    assert not re.search(r"section_id\s*(==|in)\s*\(?\d", source)
    assert "# type: ignore" not in source
