"""Guest for bench/host/run.py: every export echoes its input (add sums)."""

import wit_world
import wit_world.exports
from wit_world.exports.api import Rec


class WitWorld(wit_world.WitWorld):
    pass


class Api(wit_world.exports.Api):
    def add(self, a: int, b: int) -> int:
        return (a + b) & 0xFFFFFFFF

    def echo_rec(self, r: Rec) -> Rec:
        return r

    def echo_bytes(self, b: bytes) -> bytes:
        return b

    def echo_recs(self, rs: list[Rec]) -> list[Rec]:
        return rs
