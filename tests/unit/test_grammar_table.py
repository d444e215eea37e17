"""The prebuilt LALR table `grammars/wit.lalr.json` is the table lark builds from `wit.lark`.

lark numbers its states differently from run to run (set iteration order depends on
string hashing), so the committed table is compared with a fresh one up to renaming of
states: both are walked from the start state together, and every state must have the
same actions, shifting and going to states that correspond. Regenerate the file with
`python -m witgen.syntax.grammar`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from witgen.syntax import grammar

REGENERATE = "grammars/wit.lalr.json is stale: run `python -m witgen.syntax.grammar` and commit it"


def committed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(grammar.table_path()).read_text(encoding="utf-8"))
    return data


def same_automaton(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["rules"] != b["rules"] or len(a["states"]) != len(b["states"]):
        return False
    pairs = {a["start"]: b["start"]}
    todo = [a["start"]]
    while todo:
        sa = todo.pop()
        sb = pairs[sa]
        row_a, row_b = a["states"][str(sa)], b["states"][str(sb)]
        if row_a.keys() != row_b.keys():
            return False
        for token, act_a in row_a.items():
            act_b = row_b[token]
            if act_a < 0 or act_b < 0:
                if act_a != act_b:  # reductions name rules, which are numbered alike
                    return False
                continue
            if act_a in pairs:
                if pairs[act_a] != act_b:
                    return False
            else:
                pairs[act_a] = act_b
                todo.append(act_a)
    return len(pairs) == len(a["states"]) and pairs.get(a["end"]) == b["end"]


def test_table_is_built_from_the_current_grammar() -> None:
    data = committed()
    assert data["signature"] == grammar.signature(grammar.grammar_text()), REGENERATE
    assert same_automaton(data, grammar.build_table()), REGENERATE


def test_comparison_sees_a_different_table() -> None:
    data = committed()
    assert same_automaton(data, data)
    broken = json.loads(json.dumps(data))
    row = broken["states"][str(broken["start"])]
    token = next(t for t, act in row.items() if act >= 0)
    row[token] = next(int(s) for s in broken["states"] if int(s) != row[token])
    assert not same_automaton(data, broken)


def test_stale_table_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A grammar edited without regenerating the table still parses with the new grammar."""
    good = committed()
    stale = committed()
    stale["signature"] = "v0-stale"
    stale["states"] = {}
    path = tmp_path / "wit.lalr.json"
    path.write_text(json.dumps(stale), encoding="utf-8")
    monkeypatch.setattr(grammar, "table_path", lambda: str(path))
    data = grammar.load_table()
    assert data["signature"] == grammar.signature(grammar.grammar_text())
    assert same_automaton(good, data)


def test_parse_uses_no_lark() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from witgen.syntax import parse\n"
        "parse.parse_text('package a:b; interface i { f: func(x: list<u8>) -> option<u32>; }')\n"
        "assert 'lark' not in sys.modules, sorted(m for m in sys.modules if 'lark' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
