"""The app's modules (`app.py`, `editor.py`) and its bindings (`wit_world/`) live in `../app`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "app"))
