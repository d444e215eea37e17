"""The guest resource `acc` of interface `test:types/guest-api`."""

from typing import Self

import wit_world.exports.guest_api
from componentize_py_types import Err


class Acc(wit_world.exports.guest_api.Acc):
    def __init__(self, start: int) -> None:
        self.value = start

    def add(self, n: int) -> None:
        self.value += n

    def total(self) -> int:
        return self.value

    def merge(self, other: Self) -> None:
        self.value += other.value

    def peek(self, other: Self) -> int:
        return other.value

    @classmethod
    def from_list(cls, l: list[int]) -> Self:  # noqa: E741
        return cls(sum(l))

    def checked(self) -> int:
        if self.value < 0:
            raise Err(self.value)
        return self.value
