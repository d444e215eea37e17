"""Golden files: compare output with a recorded file, re-record on request.

`assert_golden(path, actual)` passes when `path` holds `actual` (newlines normalised to
`\\n`). Otherwise it fails with a unified diff, and the message ends with
`run: pytest --update-goldens -k <id>`. A missing golden is a failure too: goldens are
only ever written in update mode (`pytest --update-goldens`, or `WITGEN_BLESS=1`), and
then only when their content changes, so an unchanged golden keeps its mtime.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from pathlib import Path

# Set by conftest.py from `--update-goldens`; `WITGEN_BLESS=1` is read at each call.
_update_option = False


def set_update(on: bool) -> None:
    """Turn update mode on or off for the session (conftest calls this once)."""
    global _update_option
    _update_option = on


def update_requested() -> bool:
    """Whether goldens are being re-recorded: `--update-goldens` or `WITGEN_BLESS=1`."""
    bless = os.environ.get("WITGEN_BLESS", "").strip().lower()
    return _update_option or bless in {"1", "true", "yes"}


def golden_id(path: Path) -> str:
    """The `-k` id that reruns the check of `path`.

    Inside a pytest test this is the test's parameter id (the case's file stem, STYLE §5)
    or, unparametrised, the test's name; elsewhere the golden's name up to its first dot
    (`records.wit.json` → `records`).
    """
    current = os.environ.get("PYTEST_CURRENT_TEST", "")
    if current:
        name = current.rsplit(" ", 1)[0].rsplit("::", 1)[-1]
        if name.endswith("]") and "[" in name:
            return name[name.index("[") + 1 : -1]
        return name
    return path.name.split(".", 1)[0]


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _rerun(test_id: str) -> str:
    return f"run: pytest --update-goldens -k {test_id}"


def assert_golden(
    path: str | Path,
    actual: str | bytes,
    *,
    test_id: str | None = None,
    update: bool | None = None,
) -> None:
    """Assert that the golden file `path` holds `actual`; re-record it in update mode.

    Text is compared after newline normalisation and shown as a unified diff; bytes are
    compared exactly and summarised by size and sha256. `test_id` (for the rerun hint)
    defaults to `golden_id(path)`; `update` defaults to `update_requested()`.
    """
    __tracebackhide__ = True
    path = Path(path)
    test_id = test_id or golden_id(path)
    update = update_requested() if update is None else update
    data = _normalise(actual).encode("utf-8") if isinstance(actual, str) else actual

    if not path.exists():
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            return
        raise AssertionError(f"golden file {path} does not exist\n{_rerun(test_id)}")

    recorded = path.read_bytes()
    if isinstance(actual, str):
        recorded = _normalise(recorded.decode("utf-8")).encode("utf-8")
    if recorded == data:
        return
    if update:
        path.write_bytes(data)
        return

    if isinstance(actual, str):
        lines = difflib.unified_diff(
            recorded.decode("utf-8").splitlines(keepends=True),
            data.decode("utf-8").splitlines(keepends=True),
            fromfile=str(path),
            tofile="actual",
        )
        diff = "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
            for line in lines
        )
    else:
        diff = "".join(
            f"{label}: {len(blob)} bytes, sha256 {hashlib.sha256(blob).hexdigest()}\n"
            for label, blob in ((str(path), recorded), ("actual", data))
        )
    raise AssertionError(f"golden file {path} differs from the output\n{diff}{_rerun(test_id)}")
