"""Guest of the `test:wasi-imports` world: calls the WASI interfaces its world imports."""

import wit_world
from wit_world import greet
from wit_world.imports import environment, wall_clock
from wit_world.imports.wall_clock import Datetime


class WitWorld(wit_world.WitWorld):
    def env_var(self, name: str) -> str | None:
        return dict(environment.get_environment()).get(name)

    def args(self) -> list[str]:
        return environment.get_arguments()

    def wall_time(self) -> Datetime:
        return wall_clock.now()

    def later(self, t: Datetime, seconds: int) -> Datetime:
        return Datetime(seconds=t.seconds + seconds, nanoseconds=t.nanoseconds)

    def hello(self, name: str) -> str:
        return greet(name) + "!"
