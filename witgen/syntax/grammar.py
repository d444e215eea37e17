"""The grammar and its prebuilt LALR table.

Input: `grammars/wit.lark`, the one definition of WIT's syntax. Output: the LALR table
that `parse.py` drives, as plain data in `grammars/wit.lalr.json` beside the grammar.
lark builds that table (`python -m witgen.syntax.grammar` rewrites the file; a test checks
it is current), so parsing never imports lark, whose import and table construction would
outweigh the parse of a whole package. Invariant: this module is the only one that imports lark, and
only to build the table (or, for tests, `plain_parser`).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

# Bumped whenever the layout of the table file changes.
TABLE_FORMAT = 1


def _grammar_file(name: str) -> str:
    """A file of `grammars/`: inside the installed package, else the repository root.
    (Paths are `str` here: `pathlib` would add to the start-up time of every parse.)"""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    packaged = os.path.join(package, "grammars", name)
    if os.path.isfile(packaged):
        return packaged
    return os.path.join(os.path.dirname(package), "grammars", name)


def grammar_path() -> str:
    """Where `wit.lark` lives."""
    return _grammar_file("wit.lark")


def table_path() -> str:
    """Where the LALR table built from `wit.lark` lives."""
    return _grammar_file("wit.lalr.json")


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def grammar_text() -> str:
    return _read_text(grammar_path())


def signature(text: str) -> str:
    """What ties a table to the grammar text it was built from (and to the table format)."""
    import zlib  # not at the top: a cached `check` locates the table but never reads it

    return f"v{TABLE_FORMAT}-{len(text)}-{zlib.crc32(text.encode()):08x}"


def load_table() -> dict[str, Any]:
    """The table for the grammar as it is now: the prebuilt file when it matches the
    grammar, else (while someone edits the grammar) built on the spot."""
    import json

    text = grammar_text()
    try:
        data: dict[str, Any] = json.loads(_read_text(table_path()))
    except (OSError, ValueError):
        data = {}
    if data.get("signature") != signature(text):
        data = build_table(text)
    return data


def build_table(text: str | None = None) -> dict[str, Any]:
    """lark's LALR table for the grammar, as plain data for `parse.py`'s driver.

    `states[s][token]` is the action in state `s`: `n >= 0` shifts (or, for a rule name,
    goes) to state `n`; `n < 0` reduces by rule `~n`. `rules[r]` is `[origin, size,
    method, expand1, include, nones]`: after popping `size` values, the reduction calls
    the `NodeBuilder` method `method` (absent for lark's helper rules, whose children are
    spliced into the parent) on the children lark would pass: `include` lists `[index,
    splice, nones_before]` (null: all children as they are), `nones` trailing `None`s
    for absent `[optional]` items, and `expand1` passes a lone child through (`?rule`).
    """
    from lark import Lark
    from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders, maybe_create_child_filter
    from lark.parsers.lalr_analysis import Shift

    text = grammar_text() if text is None else text
    lark = Lark(text, parser="lalr", maybe_placeholders=True)
    table = lark.parser.parser.parser.parse_table
    index: dict[Any, int] = {}
    rules: list[list[Any]] = []
    for rule in lark.rules:
        index[rule] = len(rules)
        options = rule.options
        named = str(rule.alias or options.template_source or rule.origin.name)
        method = None if named.startswith("_") else named
        made = maybe_create_child_filter(
            rule.expansion, options.keep_all_tokens, False, list(options.empty_indices)
        )
        include: list[list[Any]] | None = None
        nones = 0
        if made is not None:
            if made.func is ChildFilterLALR_NoPlaceholders:
                include = [[i, splice, 0] for i, splice in made.args[0]]
            else:
                include = [list(item) for item in made.args[0]]
                nones = made.args[1]
        expand1 = bool(options.expand1 and not rule.alias)
        origin = str(rule.origin.name)
        rules.append([origin, len(rule.expansion), method, expand1, include, nones])
    states: dict[str, dict[str, int]] = {}
    for state, actions in sorted(table.states.items()):
        row: dict[str, int] = {}
        for key, (action, arg) in sorted(actions.items(), key=lambda kv: str(kv[0])):
            row[str(key)] = arg if action is Shift else ~index[arg]
        states[str(state)] = row
    return {
        "signature": signature(text),
        "start": table.start_states["start"],
        "end": table.end_states["start"],
        "rules": rules,
        "states": states,
    }


def dump_table(data: dict[str, Any]) -> str:
    """The table file's text: one rule or state per line, so that diffs stay readable."""
    import json

    lines = ["{"]
    for key in ("signature", "start", "end"):
        lines.append(f"{json.dumps(key)}: {json.dumps(data[key])},")
    lines.append('"rules": [')
    rules = data["rules"]
    lines += [json.dumps(r) + ("," if i < len(rules) - 1 else "") for i, r in enumerate(rules)]
    lines.append("],")
    lines.append('"states": {')
    states = list(data["states"].items())
    for i, (state, row) in enumerate(states):
        comma = "," if i < len(states) - 1 else ""
        lines.append(f"{json.dumps(state)}: {json.dumps(row)}{comma}")
    lines.append("}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    """`python -m witgen.syntax.grammar`: rebuild `grammars/wit.lalr.json` from `wit.lark`."""
    target = table_path()
    text = dump_table(build_table())
    tmp = target + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, target)
    sys.stdout.write(f"wrote {target}\n")


_plain: list[Any] = []


def plain_parser() -> Any:
    """The grammar with lark's own lexer and no callbacks (tests, hypothesis), built once."""
    if not _plain:
        import lark

        _plain.append(lark.Lark(grammar_text(), parser="lalr", maybe_placeholders=True))
    return _plain[0]


if __name__ == "__main__":
    main()
