"""Syntax trees → `model.Resolve`: the resolver, one module per phase.

Input: the package `Group`s read by `loader.py` (root first) and the active features.
Output: one frozen `Resolve` holding every package, in dependency order, or a `WitError`.

The phases are wit-parser's, because its JSON (our oracle) exposes the ids they allocate:

- `pipeline`: the packages of each group, their order, and `resolve()`, which runs the
  phases below;
- `package_resolver`: each package on its own, into an `UnresolvedPackage` (`unresolved`)
  with local ids; it uses `docs_and_gates` (docs and `@since`/`@unstable`/`@deprecated`),
  `toposort` (the order of interfaces, worlds and types) and `unique_names`;
- `remap`: each package appended to the `GlobalArenas` (`global_arenas`) with global ids,
  its worlds' `include`s merged (`include`) and elaborated (`elaborate`);
- `errors`: the internal exceptions, and wording shared by several phases.

Invariants: the first error reported is the one wit-parser reports (the corpus checks
its message and location); ids are allocated in wit-parser's order; nothing here is
mutable after `resolve()` returns. Importing this package loads the whole resolver:
`api` imports it only when the cache has no answer.
"""

from witgen.resolve.pipeline import resolve

__all__ = ["resolve"]
