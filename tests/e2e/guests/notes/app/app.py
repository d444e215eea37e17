"""Guest of the `demo:notes` world, the worked example of the host bindings (componentize-py).

The exported resource `document` lives in `editor.py` (componentize-py looks it up as a
top-level module named after the interface); this module holds the world's and the
interface's freestanding exports.
"""

import wit_world
import wit_world.exports


class WitWorld(wit_world.WitWorld):
    def version(self) -> str:
        return "notes 0.1.0"


class Editor(wit_world.exports.Editor):
    def word_count(self, text: str) -> int:
        return len(text.split())
