"""Resolver properties its speed depends on, which no golden shows.

- `resolve` leaves no reference cycles: `api.load` runs it with the cyclic collector off, so
  a cycle would keep every package's tables alive until the next collection.
- `resolve(..., release=True)` frees the syntax trees before it builds the model (the peak
  memory of a large package is then the larger of the two, not their sum), and gives the
  same model.
- `toposort_all` takes a shortcut when every item names only items declared before it; the
  shortcut must give the order the general algorithm (`ready_order`) gives.
"""

from __future__ import annotations

import gc
import random
import sys
from pathlib import Path

import pytest

from witgen import resolve
from witgen.api import Features
from witgen.loading import loader
from witgen.resolve import toposort
from witgen.syntax import nodes as n
from witgen.text.source import Span

UI = Path(__file__).resolve().parent.parent / "ui"


@pytest.mark.parametrize("case", ["diamond-deps", "deps-packages", "resources.wit", "gates.wit"])
def test_resolve_leaves_no_reference_cycles(case: str) -> None:
    plans, sources = loader.read(str(UI / case))
    groups = loader.parse(plans, sources, use_cache=False)
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        resolve.resolve(groups, sources, Features(all=True))
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


@pytest.mark.parametrize("case", ["diamond-deps", "deps-packages", "resources.wit", "gates.wit"])
def test_release_frees_the_trees_and_gives_the_same_model(case: str) -> None:
    from witgen.outputs.json import to_data

    plans, sources = loader.read(str(UI / case))
    kept = loader.parse(plans, sources, use_cache=False)
    expected = to_data(resolve.resolve(kept, sources, Features(all=True)))
    assert kept  # without `release`, the caller's trees are left alone
    handed = loader.parse(plans, sources, use_cache=False)
    files = [f for group in handed for f in group.files]
    before = [sys.getrefcount(f) for f in files]
    assert to_data(resolve.resolve(handed, sources, Features(all=True), release=True)) == expected
    assert handed == []
    # The group's reference to each tree is gone, and the resolver kept none of its own:
    # only `files` holds them now.
    assert [sys.getrefcount(f) for f in files] == [count - 1 for count in before]


@pytest.mark.parametrize("seed", range(100))
def test_toposort_shortcut_is_the_general_order(seed: int) -> None:
    rng = random.Random(seed)
    # A random acyclic graph: edges go from later to earlier items of a random ranking, so
    # the declaration order is sometimes a topological one (the shortcut) and sometimes not.
    ranked = [f"t{i}" for i in range(rng.randint(1, 12))]
    declared = ranked[:] if seed % 2 else rng.sample(ranked, len(ranked))
    deps = {
        name: [
            n.Id(name=ranked[j], span=Span(j, j + 1))
            for j in rng.sample(range(ranked.index(name)), min(ranked.index(name), 3))
        ]
        for name in declared
    }
    assert toposort.toposort_all("type", deps) == (toposort.ready_order(deps), [], set())
