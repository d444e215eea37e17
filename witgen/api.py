"""The library surface: functions that take paths or text and return data.

Input: paths (a `.wit` file, a package directory with `deps/`) and options. Output:
`Loaded` results, rendered text, bytes. Invariants: the only exception raised to callers
is `WitError`; warnings are returned, never raised; nothing here prints or exits (that
is `cli.py`'s job), and backends are imported lazily so `check` never loads them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from witgen.diagnostics import Diagnostic, WitError
from witgen.model import Resolve
from witgen.source import SourceMap


@dataclass(frozen=True, slots=True)
class Features:
    """Which `@unstable` features are active."""

    names: frozenset[str] = frozenset()
    all: bool = False

    def active(self, feature: str) -> bool:
        return self.all or feature in self.names

    @staticmethod
    def of(features: Iterable[str] = (), all_features: bool = False) -> Features:
        names: set[str] = set()
        for item in features:
            names.update(x.strip() for x in item.split(",") if x.strip())
        return Features(frozenset(names), all_features)


@dataclass(frozen=True, slots=True)
class Loaded:
    resolve: Resolve
    sources: SourceMap
    warnings: tuple[Diagnostic, ...] = ()


@dataclass(slots=True)
class CheckResult:
    """Everything `check` found, per path, with the sources to render it against."""

    diagnostics: list[tuple[Diagnostic, SourceMap]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        from witgen.diagnostics import Severity

        return not any(d.severity is Severity.ERROR for d, _ in self.diagnostics)


def load(path: str | Path, *, features: Features | None = None, use_cache: bool = True) -> Loaded:
    """Read, parse and resolve the package at `path` (a file or a directory with deps/)."""
    from witgen import loader, resolve

    feats = features or Features()
    from witgen import cache
    from witgen.model import Resolve

    plans, sources = loader.read(str(path))
    key = loader.content_key("resolve", plans, repr(sorted(feats.names)), repr(feats.all))
    if use_cache:
        cached = cache.get(key)
        if isinstance(cached, Resolve):
            return Loaded(resolve=cached, sources=sources)
    groups = loader.parse(plans, sources, use_cache=use_cache)
    result = resolve.resolve(groups, sources, feats)
    if use_cache:
        cache.put(key, result)
    return Loaded(resolve=result, sources=sources)


def check(
    paths: Sequence[str | Path], *, features: Features | None = None, use_cache: bool = True
) -> CheckResult:
    """Validate every path; collect every diagnostic instead of raising."""
    out = CheckResult()
    for path in paths:
        try:
            loaded = load(path, features=features, use_cache=use_cache)
        except WitError as e:
            out.diagnostics.extend((d, e.sources) for d in e.diagnostics)
        else:
            out.diagnostics.extend((d, loaded.sources) for d in loaded.warnings)
    return out


def resolve_json(path: str | Path, *, features: Features | None = None) -> str:
    from witgen.backends import json as json_backend

    return json_backend.to_json(load(path, features=features).resolve)
