"""A fixed-seed slice of the hardening campaign (`fuzz/campaign.py`), run on every CI run.

Input: a few inputs of each source (grammar, mutation, and wit-smith packages as WIT and as
binaries when wasm-tools is installed). Output: every command ran on them and none crashed,
hung, left a partial output or wrote Python that does not compile. The full run (100,000
inputs) is by hand: `python fuzz/campaign.py --per-source 25000`.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _campaign_module() -> object:
    spec = importlib.util.spec_from_file_location("campaign", ROOT / "fuzz" / "campaign.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["campaign"] = module  # worker processes unpickle its functions by name
    spec.loader.exec_module(module)
    return module


def test_campaign_slice_has_no_failures() -> None:
    campaign = _campaign_module()
    summary = campaign.campaign(6, seed=20261207, jobs=2, timeout=60)  # type: ignore[attr-defined]
    assert summary["failures"] == []
    inputs = summary["inputs"]
    assert inputs["grammar"] == 6 and inputs["mutation"] == 6
    if shutil.which("wasm-tools"):
        assert inputs.get("smith-wasm", 0) >= 3
    ran = {command for per in summary["counts"].values() for command in per}
    assert ran == set(campaign.COMMANDS)  # type: ignore[attr-defined]


def _fuzz_module(name: str) -> object:
    spec = importlib.util.spec_from_file_location(name, ROOT / "fuzz" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_decoder_slice_refuses_nothing_wasm_tools_accepts(wasm_tools: str) -> None:
    """A slice of `fuzz/decoder.py --reference`: corrupted corpus binaries decode or give a
    `WitError`, and none that wasm-tools reads is refused."""
    import random

    import pytest

    decoder = _fuzz_module("decoder")
    inputs = decoder.corpus_inputs()  # type: ignore[attr-defined]
    if not inputs:
        pytest.skip("no corpus binaries")
    typed = len(sorted((decoder.SHARED / "corpus").glob("**/*.wasm")))  # type: ignore[attr-defined]
    exe = decoder.wasm_tools()  # type: ignore[attr-defined]
    rnd = random.Random(20261207)
    verdicts: dict[str, int] = {}
    for _ in range(300):
        source = rnd.randrange(len(inputs))
        data = decoder.mutate(inputs[source], rnd, inputs)  # type: ignore[attr-defined]
        outcome = decoder.check(data)  # type: ignore[attr-defined]
        if source < typed:
            verdict = decoder._compare(exe, data, outcome == "ok")  # type: ignore[attr-defined]
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
    assert verdicts.get("wasm-tools accepts only", 0) == 0
    assert verdicts.get("agree", 0) > 200


def test_parsers_slice_agree() -> None:
    """A slice of `fuzz/parsers.py`: on mutated and generated text, the descent parser builds
    the LALR parser's tree or refuses what the LALR parser refuses."""
    parsers = _fuzz_module("parsers")
    inputs = [
        *parsers.mutation_inputs(150, 20261207),  # type: ignore[attr-defined]
        *parsers.grammar_inputs(50, 20261207),  # type: ignore[attr-defined]
    ]
    outcomes = [parsers.compare(data.decode("utf-8", "replace")) for data in inputs]  # type: ignore[attr-defined]
    assert not [o for o in outcomes if o.startswith("WRONG")]
    assert "same-tree" in outcomes and "both-refuse" in outcomes
