"""assert_golden itself: missing goldens fail, mismatches diff, update mode writes."""

from __future__ import annotations

import os
from pathlib import Path

import golden
import pytest
from golden import assert_golden


@pytest.fixture(autouse=True)
def _no_update(monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests must behave the same when the session runs with --update-goldens.
    monkeypatch.setattr(golden, "_update_option", False)
    monkeypatch.delenv("WITGEN_BLESS", raising=False)


def test_match_passes_across_newline_styles(tmp_path: Path) -> None:
    path = tmp_path / "case.wit.print"
    path.write_bytes(b"a\r\nb\r\n")
    assert_golden(path, "a\nb\n")
    assert_golden(path, "a\r\nb\r\n")


def test_missing_golden_fails_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "records.wit.json"
    with pytest.raises(AssertionError) as err:
        assert_golden(path, "{}\n", test_id="records")
    assert not path.exists()
    message = str(err.value)
    assert "does not exist" in message
    assert message.endswith("run: pytest --update-goldens -k records")


def test_mismatch_shows_unified_diff(tmp_path: Path) -> None:
    path = tmp_path / "case.wit.print"
    path.write_text("keep\nold\n", encoding="utf-8")
    with pytest.raises(AssertionError) as err:
        assert_golden(path, "keep\nnew\n", test_id="case")
    message = str(err.value)
    assert f"--- {path}\n+++ actual\n" in message
    assert "\n-old\n+new\n" in message
    assert " keep\n" in message
    assert message.endswith("run: pytest --update-goldens -k case")
    assert path.read_text(encoding="utf-8") == "keep\nold\n"


def test_mismatch_in_final_newline_is_visible(tmp_path: Path) -> None:
    path = tmp_path / "case.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(AssertionError) as err:
        assert_golden(path, "x\n", test_id="case")
    assert "-x\n\\ No newline at end of file\n+x\n" in str(err.value)


def test_bytes_mismatch_reports_sizes_and_hashes(tmp_path: Path) -> None:
    path = tmp_path / "case.wasm"
    path.write_bytes(b"\x00asm")
    assert_golden(path, b"\x00asm")
    with pytest.raises(AssertionError) as err:
        assert_golden(path, b"\x00asm\x01", test_id="case")
    assert "actual: 5 bytes, sha256 " in str(err.value)


def test_update_creates_and_rewrites(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "case.wit.json"
    assert_golden(path, "one\r\n", update=True)
    assert path.read_bytes() == b"one\n"
    assert_golden(path, "two\n", update=True)
    assert path.read_bytes() == b"two\n"
    assert_golden(path, "two\n")


def test_update_leaves_unchanged_golden_untouched(tmp_path: Path) -> None:
    path = tmp_path / "case.wit.json"
    path.write_bytes(b"same\r\n")
    os.utime(path, (1_000_000, 1_000_000))
    assert_golden(path, "same\n", update=True)
    assert path.read_bytes() == b"same\r\n"
    assert path.stat().st_mtime == 1_000_000


@pytest.mark.parametrize("switch", ["option", "env"])
def test_update_switches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, switch: str) -> None:
    if switch == "option":
        monkeypatch.setattr(golden, "_update_option", True)
    else:
        monkeypatch.setenv("WITGEN_BLESS", "1")
    path = tmp_path / "case.wit.json"
    assert_golden(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"


def test_default_id(monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path("tests/ui/records.wit.json")
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "tests/test_ui.py::test_json[kv-store] (call)")
    assert golden.golden_id(path) == "kv-store"
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "tests/test_cli.py::test_help (call)")
    assert golden.golden_id(path) == "test_help"
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    assert golden.golden_id(path) == "records"
