"""The guest resource `document` of interface `demo:notes/editor`.

`save` writes the lines through the borrowed host `file`, `load` reads them back; a
`fs-error` raised by the host propagates as the function's own error.
"""

from typing import Self

import wit_world
import wit_world.exports.editor
from wit_world.exports.editor import Edit, Mode
from wit_world.imports import fs


class Document(wit_world.exports.editor.Document):
    def __init__(self, title: str) -> None:
        self.title = title
        self.text: list[str] = []
        fs.log(f"open {title} at {wit_world.now()}")

    def apply(self, e: Edit) -> int:
        at = min(e.line, len(self.text))
        if e.mode == Mode.INSERT or at == len(self.text):
            self.text.insert(at, e.text)
        else:
            self.text[at] = e.text
        return len(self.text)

    def lines(self) -> list[str]:
        return list(self.text)

    def save(self, to: fs.File) -> None:
        to.write("\n".join(self.text))

    @classmethod
    def load(cls, src: fs.File) -> Self:
        doc = cls("loaded")
        doc.text = src.read().splitlines()
        return doc
