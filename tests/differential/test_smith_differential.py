"""A few fixed seeds of `fuzz/smith_differential.py`, in CI when wasm-tools is on PATH.

Each seed: `wasm-tools wit-smith` makes a package binary; witgen decodes it (JSON equal to
wasm-tools'), prints it (text equal), resolves the printed text (JSON equal), encodes it
(bytes equal) and embeds each world (bytes equal). The long campaign (2,000+ seeds) is the
fuzzing script; these seeds cover both of its configurations (every WIT feature, and
wit-smith's arbitrary config: seeds 3, 7, 11, 19), and a few with wit-smith's
`--canonical-names` (versioned interfaces named `a:b/c@1` plus a version suffix).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("wasm-tools") is None, reason="wasm-tools is not on PATH"
)

SCRIPT = Path(__file__).resolve().parents[2] / "fuzz" / "smith_differential.py"
# Seeds 6 and 10 carry `@external-id` on a `use` and on an inline interface of a world,
# which the resolver once dropped.
# Seed 1804 exports an interface under a plain name (`export x: x:name/xxd;`) beside an
# inline export that uses it, which once exported the interface a second time.
SEEDS = [0, 2, 3, 5, 6, 7, 10, 11, 13, 17, 19, 21, 22, 1804]
# Canonical-names seeds whose binaries carry `version-suffix` attributes.
CANONICAL_SEEDS = [10, 14, 32, 70, 72]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("smith_differential", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("smith_differential", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", SEEDS, ids=[f"seed{s}" for s in SEEDS])
def test_seed_agrees(seed: int, tmp_path: Path) -> None:
    outcome = _script().run_seed(seed, tmp_path)
    if outcome.status == "reference":
        pytest.skip(f"wasm-tools rejects its own output: {outcome.detail}")
    assert outcome.status == "agree", f"{outcome.step}: {outcome.detail}"


@pytest.mark.parametrize("seed", CANONICAL_SEEDS, ids=[f"seed{s}" for s in CANONICAL_SEEDS])
def test_canonical_names_seed_agrees(seed: int, tmp_path: Path) -> None:
    outcome = _script().run_seed(seed, tmp_path, canonical_names=True)
    assert outcome.status == "agree", f"{outcome.step}: {outcome.detail}"


def test_reference_rejecting_its_own_text_is_rejected_alike(tmp_path: Path) -> None:
    """Seed 78's package has `@since` gates but no version: wasm-tools decodes the binary
    but rejects the printed text, and witgen must reject it with the same error."""
    outcome = _script().run_seed(78, tmp_path)
    assert (outcome.status, outcome.step) == ("reference", "resolve"), outcome.detail
    assert "must have a version" in outcome.detail
