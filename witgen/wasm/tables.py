"""The codes of the component binary format, each named once.

Input: none. Output: constants and small dicts naming every byte code that the reader,
the decoder, the encoder and the text format share: section ids, sorts, the forms of a
type definition, value-type opcodes, declarator and alias tags, name attributes, canonical
function opcodes. Invariants: this is the only place where these numbers are written; every
other module of `witgen.wasm` imports them from here, and derived lookups (code to name,
name to code) are computed from one table, never written twice. Values follow the
component model's Binary.md as wasm-tools 1.262 reads and writes it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

    from witgen import model as m

    SortName: TypeAlias = Literal["func", "value", "type", "component", "instance"]

# ---------------------------------------------------------------- sections

SECTION_CUSTOM = 0
SECTION_CORE_MODULE = 1
SECTION_CORE_INSTANCE = 2
SECTION_CORE_TYPE = 3
SECTION_COMPONENT = 4
SECTION_INSTANCE = 5
SECTION_ALIAS = 6
SECTION_TYPE = 7
SECTION_CANON = 8
SECTION_START = 9
SECTION_IMPORT = 10
SECTION_EXPORT = 11
SECTION_VALUE = 12

# ---------------------------------------------------------------- sorts

# A `sort` byte; `SORT_CORE` is followed by a core sort byte. An `externdesc` starts with
# the same byte as the sort of the item it describes.
SORT_CORE = 0x00
SORT_FUNC = 0x01
SORT_VALUE = 0x02
SORT_TYPE = 0x03
SORT_COMPONENT = 0x04
SORT_INSTANCE = 0x05

# The component-level sorts by name, as the text format and the decoder's messages say them.
SORT_NAMES: dict[int, SortName] = {
    SORT_FUNC: "func",
    SORT_VALUE: "value",
    SORT_TYPE: "type",
    SORT_COMPONENT: "component",
    SORT_INSTANCE: "instance",
}
SORT_CODES: dict[str, int] = {name: code for code, name in SORT_NAMES.items()}

# Core sorts after `SORT_CORE`: func, table, memory, global, tag, type, module, instance.
CORE_SORTS = frozenset({0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12})

# The bound of an imported or exported type: `(eq i)` or `(sub resource)`.
BOUND_EQ = 0x00
BOUND_SUB_RESOURCE = 0x01

# ---------------------------------------------------------------- types

# Value-type opcodes of the primitive types (each has bit 0x40 set, so none reads as a
# non-negative s33 type index).
PRIMITIVE_TYPES: dict[int, m.PrimitiveType] = {
    0x7F: "bool",
    0x7E: "s8",
    0x7D: "u8",
    0x7C: "s16",
    0x7B: "u16",
    0x7A: "s32",
    0x79: "u32",
    0x78: "s64",
    0x77: "u64",
    0x76: "f32",
    0x75: "f64",
    0x74: "char",
    0x73: "string",
    0x64: "error-context",
}
PRIMITIVE_CODES: dict[str, int] = {name: code for code, name in PRIMITIVE_TYPES.items()}

# The forms of a type definition (`deftype`), after the primitives.
TYPE_RECORD = 0x72
TYPE_VARIANT = 0x71
TYPE_LIST = 0x70
TYPE_TUPLE = 0x6F
TYPE_FLAGS = 0x6E
TYPE_ENUM = 0x6D
TYPE_OPTION = 0x6B
TYPE_RESULT = 0x6A
TYPE_OWN = 0x69
TYPE_BORROW = 0x68
TYPE_FIXED_LIST = 0x67
TYPE_STREAM = 0x66
TYPE_FUTURE = 0x65
TYPE_MAP = 0x63
TYPE_FUNC = 0x40
TYPE_ASYNC_FUNC = 0x43
TYPE_COMPONENT = 0x41
TYPE_INSTANCE = 0x42
# A resource defined by a concrete component: `(resource (rep i32) (dtor f)?)`.
TYPE_RESOURCE = 0x3F
# The core value type of a resource's representation.
RESOURCE_REP_I32 = 0x7F

# A function type's result: one value type, or an empty list (`0x01 0x00`).
FUNC_RESULT_TYPE = 0x00
FUNC_RESULT_NONE = 0x01

# ---------------------------------------------------------------- declarators and aliases

# The declarators of a component type (an instance type has no imports).
DECL_TYPE = 0x01
DECL_ALIAS = 0x02
DECL_IMPORT = 0x03
DECL_EXPORT = 0x04

# The targets of an alias.
ALIAS_EXPORT = 0x00
ALIAS_CORE_EXPORT = 0x01
ALIAS_OUTER = 0x02

# ---------------------------------------------------------------- names

# An extern name: a plain name (0x00, or the older 0x01), or a name with attributes.
NAME_PLAIN = 0x00
NAME_PLAIN_LEGACY = 0x01
NAME_WITH_ATTRIBUTES = 0x02

# The attributes of a name, by code, with the keyword the text format gives each.
ATTRIBUTE_IMPLEMENTS = 0x00
ATTRIBUTE_VERSION_SUFFIX = 0x01
ATTRIBUTE_EXTERNAL_ID = 0x02
ATTRIBUTE_KEYWORDS: dict[int, str] = {
    ATTRIBUTE_IMPLEMENTS: "implements",
    ATTRIBUTE_VERSION_SUFFIX: "version-suffix",
    ATTRIBUTE_EXTERNAL_ID: "external-id",
}
ATTRIBUTE_CODES: dict[str, int] = {word: code for code, word in ATTRIBUTE_KEYWORDS.items()}

# ---------------------------------------------------------------- instances and canonical functions

INSTANCE_INSTANTIATE = 0x00
INSTANCE_FROM_EXPORTS = 0x01

CANON_LIFT = 0x00
CANON_LOWER = 0x01
CANON_TASK_RETURN = 0x09
CANON_THREAD_NEW_INDIRECT = 0x27
CANON_THREAD_SPAWN_REF = 0x40
CANON_THREAD_SPAWN_INDIRECT = 0x41
CANON_THREAD_AVAILABLE_PARALLELISM = 0x42
# The other canonical built-ins, grouped by the operands that follow the opcode.
CANON_NO_OPERANDS = frozenset({0x05, 0x0D, 0x1E, 0x1F, 0x22, 0x23, 0x24, 0x25, 0x26, 0x28})
CANON_INDEX = frozenset({0x02, 0x03, 0x04, 0x0E, 0x13, 0x14, 0x15, 0x1A, 0x1B})
CANON_INDEX_OPTIONS = frozenset({0x0F, 0x10, 0x16, 0x17})
CANON_INDEX_FLAG = frozenset({0x11, 0x12, 0x18, 0x19})
CANON_FLAG = frozenset({0x06, 0x0C, 0x29, 0x2A, 0x2B, 0x2C, 0x2D})
CANON_FLAG_INDEX = frozenset({0x20, 0x21})
# `context.get` and `context.set`: a core value type, then an index.
CANON_CONTEXT = frozenset({0x0A, 0x0B})

# Canonical options: those followed by an index (memory, realloc, post-return, callback),
# and the highest option code.
CANON_OPTIONS_WITH_INDEX = frozenset({0x03, 0x04, 0x05, 0x07})
CANON_OPTION_LAST = 0x07
