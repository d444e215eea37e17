"""Session-wide test setup: golden updates, shared data, wasm-tools, hypothesis profiles."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import golden
import pytest
from hypothesis import HealthCheck, settings

# `ci` (the default) is reproducible and bounded, so a red run means a real change; `fuzz`
# (HYPOTHESIS_PROFILE=fuzz) is for long local runs and keeps failures in the example database.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    max_examples=20_000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="re-record golden files that are missing or differ (same as WITGEN_BLESS=1)",
    )


def pytest_configure(config: pytest.Config) -> None:
    golden.set_update(bool(config.getoption("--update-goldens")))


@pytest.fixture(scope="session")
def shared() -> Path:
    """`../shared` beside the repository (STYLE.md, spec, corpus, tools); skips when absent."""
    path = Path(__file__).resolve().parents[1].parent / "shared"
    if not path.is_dir():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(scope="session")
def wasm_tools() -> str:
    """The path of the reference `wasm-tools` executable; skips when it is not on PATH."""
    exe = shutil.which("wasm-tools")
    if exe is None:
        pytest.skip("wasm-tools is not on PATH")
    return exe
