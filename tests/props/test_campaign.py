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
