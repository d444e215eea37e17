"""Generated bindings come from witgen's cache on a repeat run, and only then.

Input: a small world, bindings generated in processes of their own with a private cache
directory. Output: a repeat run writes the same files without importing Jinja or the
generator; a changed input, option or world is generated afresh; and with the cache off
(`WITGEN_NO_CACHE=1`) the files are the same bytes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

WIT = """\
package demo:cached;

interface api {
  /// Adds.
  add: func(a: u32, b: u32) -> u32;
}

world app {
  import api;
  export run: func();
}

world other {
  export api;
}
"""

RUN = """\
import sys
from witgen.cli.entry import main
try:
    main(sys.argv[1:])
except SystemExit as e:
    heavy = sorted(m for m in sys.modules if m == "jinja2" or m.startswith("witgen.codegen.python"))
    print(e.code, heavy)
"""


def bindgen(tmp: Path, *args: str, cache: bool = True) -> tuple[str, dict[str, bytes]]:
    """Run `witgen bindgen --lang python ARGS -o OUT` in a new process: what it printed after
    exiting (code and the heavy modules it loaded), and the files it wrote."""
    out = tmp / f"out-{len(list(tmp.glob('out-*')))}"
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp / "cache"), PYTHONPATH=str(ROOT))
    env.pop("WITGEN_NO_CACHE", None)
    if not cache:
        env["WITGEN_NO_CACHE"] = "1"
    argv = [sys.executable, "-c", RUN, "bindgen", "--lang", "python", *args, "-o", str(out)]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    files = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    return proc.stdout.strip().splitlines()[-1], files


@pytest.mark.parametrize("side", [["--guest", "-w", "app"], ["--host", "-w", "other"]])
def test_repeat_run_is_served_from_the_cache(tmp_path: Path, side: list[str]) -> None:
    wit = tmp_path / "cached.wit"
    wit.write_text(WIT, encoding="utf-8")
    first, made = bindgen(tmp_path, *side, str(wit))
    assert first.startswith("0 [") and "jinja2" in first  # generated: a miss
    again, served = bindgen(tmp_path, *side, str(wit))
    assert again == "0 []"  # neither Jinja nor any generator module was imported
    assert served == made
    _, uncached = bindgen(tmp_path, *side, str(wit), cache=False)
    assert uncached == made


def test_changed_input_option_or_world_is_generated_afresh(tmp_path: Path) -> None:
    wit = tmp_path / "cached.wit"
    wit.write_text(WIT, encoding="utf-8")
    _, made = bindgen(tmp_path, "-w", "app", str(wit))
    bindgen(tmp_path, "-w", "app", str(wit))

    status, no_native = bindgen(tmp_path, "-w", "app", "--no-native", str(wit))
    assert "jinja2" in status
    assert any(name.startswith("wit_world/native/") for name in made)
    assert not any(name.startswith("wit_world/native/") for name in no_native)

    status, other = bindgen(tmp_path, "-w", "other", str(wit))
    assert "jinja2" in status and other != made

    wit.write_text(WIT.replace("/// Adds.", "/// Adds two numbers."), encoding="utf-8")
    status, edited = bindgen(tmp_path, "-w", "app", str(wit))
    assert "jinja2" in status
    assert b"Adds two numbers." in edited["wit_world/imports/api.py"]
