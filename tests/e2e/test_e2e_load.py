"""Resources under load: 100,000 calls that create and drop resources leave nothing behind.

Input: the `test:types` guest through witgen's host bindings, and a loop of rounds, each
making and dropping a guest resource (`acc`), having the guest construct and drop a host
resource (`counter-scratch`), lending a host resource (`borrow<counter>`) and giving one
away (`own<counter>`, dropped by the guest). Output: after every round, the Linker's table of
host objects is empty and every host object was dropped exactly once; the memory Python
holds (tracemalloc) after the last round is what it was after the first tenth.
`WITGEN_LOAD_CALLS` sets the number of calls (default 100,000: about 15 s).
"""

from __future__ import annotations

import gc
import importlib
import os
import tracemalloc
from types import ModuleType
from typing import Any

CALLS = int(os.environ.get("WITGEN_LOAD_CALLS", "100000"))
CALLS_PER_ROUND = 7
# What Python may hold more after the rounds than after the first tenth of them: far less
# than one leaked object per round would need (16,000 rounds × at least 56 bytes).
FLAT = 256 * 1024


def test_host_and_guest_resources_under_load(
    types_host: ModuleType, types_pkg: ModuleType, engine: Any, types_component: Any
) -> None:
    from wasmtime.component import Linker

    rt = importlib.import_module("all_types._rt")
    host = types_host.TypesHost()
    linker = Linker(engine)
    types_pkg.AllTypes.add_to_linker(linker, host)
    app = types_host.connect(engine, types_component, host, linker=linker)
    table = rt.table(linker)

    def one_round(i: int) -> None:
        with app.guest_api.acc.new(i) as acc:  # a guest resource, made and dropped
            acc.add(1)
            assert acc.total() == i + 1
        assert app.guest_api.counter_scratch(i) == i + 2  # the guest makes a host one
        lent, given = types_host.Counter(i), types_host.Counter(i)
        assert app.guest_api.read_counter(lent) == i + 10  # borrow<counter>
        assert app.guest_api.take_counter(given) == i + 1  # own<counter>: the guest drops it
        assert table.objects == {}
        assert lent.drops == 0 and given.drops == 1
        (scratch,) = host.host_api.counters
        assert scratch.drops == 1
        host.host_api.counters.clear()

    rounds = max(CALLS // CALLS_PER_ROUND, 20)
    warm = rounds // 10
    for i in range(warm):  # caches, interned strings, wasmtime's first allocations
        one_round(i)
    tracemalloc.start()
    try:
        for i in range(warm, 2 * warm):  # the tracer's own first allocations
            one_round(i)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for i in range(2 * warm, rounds):
            one_round(i)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after - before < FLAT, (before, after)
