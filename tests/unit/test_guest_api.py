"""tests/codegen/guest_api.py: reading a guest API with `ast`, diffing two, the allowances.

The library is checked on text written here and on real componentize-py output: the output
equals itself; copies altered by hand (what a broken generator would write) are caught; and
copies altered the way witgen fixes componentize-py are accepted by exactly the allowance
that documents the fix, while a neighbouring real difference is not.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from witgen import api

CODEGEN = str(Path(__file__).resolve().parents[1] / "codegen")
if CODEGEN not in sys.path:
    sys.path.append(CODEGEN)

import guest_api  # noqa: E402
from guest_api import Api, Comparison, WorldFacts  # noqa: E402

# ---------------------------------------------------------------- helpers


def from_text(text: str, name: str = "wit_world") -> Api:
    """The API of one module given as text."""
    return guest_api.public_api_of_sources({name: text})


def kinds(comparison: Comparison) -> list[str]:
    return [d.kind for d in comparison.differences]


def unexplained(comparison: Comparison) -> list[str]:
    return [d.kind for d in comparison.unexplained]


RICH = """\
package test:rich;

interface types {
  record point { x: s32, y: s32 }
  variant shape { circle(f64), square(point), none }
  enum color { red, green-blue }
  flags perms { read, write }
  resource file {
    constructor(path: string);
    read: func(n: u32) -> result<list<u8>, string>;
    open: static func(path: string) -> file;
  }
  area: func(s: shape, scale: option<f64>) -> f64;
}

interface handler {
  use types.{point, file};
  resource session {
    constructor(id: u64);
    close: func();
  }
  handle: func(p: point, f: borrow<file>) -> result<string, u32>;
}

world rich {
  import types;
  export handler;
  import log: func(msg: string);
  export run: func() -> u32;
}
"""

HOSTILE = """\
package test:hostile;

interface i {
  resource fd;
  resource self {
    constructor(self: u32);
    s: static func(cls: u32);
  }
  record optional { x: option<u32> }
  f: func(m: option<u32>, self: u32) -> u32;
  bytes: func() -> list<u8>;
  g: func(x: option<list<u8>>) -> list<u8>;
}

world w {
  import i;
  export i;
}
"""

STREAMS = """\
package test:streams;

interface bytes-both-ways {
  f: func(s: stream<u8>) -> stream<s8>;
}

world w {
  import bytes-both-ways;
}
"""

INLINE = """\
package test:inline;

interface api {
  ping: func();
}

world only-inline {
  import imports: interface {
    y: func();
  }
  export the-name: interface {
    y: func();
  }
}

world mixed {
  export api;
  export the-name: interface {
    y: func();
  }
}

world with-types {
  import x: interface {
    record r { a: u32 }
    resource res { m: func(); }
    f: func() -> r;
  }
  export y: interface {
    record q { a: u32 }
    g: func() -> q;
  }
}
"""

MAP = "package test:maps;\ninterface i { f: func(m: map<string, u32>); }\nworld w { import i; }\n"
FIXED = "package test:fixed;\ninterface i { f: func(l: list<u32, 4>); }\nworld w { import i; }\n"
NAMED = (
    "package test:named;\ninterface store { get: func() -> u32; }\n"
    "world w { import primary: store; }\n"
)


@pytest.fixture(scope="module")
def exe() -> str:
    found = guest_api.find_componentize_py()
    if found is None:
        pytest.skip("componentize-py is not installed")
    return found


class Bindings:
    """componentize-py's output for the WIT texts of this module, made once each."""

    def __init__(self, exe: str, root: Path) -> None:
        self.exe = exe
        self.root = root
        self.made: dict[tuple[str, str], Path] = {}

    def wit(self, text: str) -> Path:
        path = self.root / f"wit{abs(hash(text))}" / "world.wit"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def of(self, text: str, world: str) -> Path:
        if (text, world) not in self.made:
            out = self.root / f"out{len(self.made)}"
            error = guest_api.componentize_py_bindings(self.exe, self.wit(text), out, world)
            assert error is None, error
            self.made[text, world] = out
        return self.made[text, world]

    def failure(self, text: str, world: str) -> str:
        out = self.root / f"failed{len(self.made)}"
        error = guest_api.componentize_py_bindings(self.exe, self.wit(text), out, world)
        assert error is not None
        return error

    def facts(self, text: str, world: str) -> WorldFacts:
        r = api.load(self.wit(text), use_cache=False).resolve
        return guest_api.world_facts(r, api.select_world(r, world))


@pytest.fixture(scope="module")
def bindings(exe: str, tmp_path_factory: pytest.TempPathFactory) -> Bindings:
    return Bindings(exe, tmp_path_factory.mktemp("componentize-py"))


Edit = tuple[str, str, str]  # (file relative to the output, old text, new text)


def altered(src: Path, dst: Path, *edits: Edit, extra: dict[str, str] | None = None) -> Path:
    """A copy of `src` with each edit applied to every occurrence (each must occur)."""
    shutil.copytree(src, dst)
    for rel, old, new in edits:
        path = dst / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
    for rel, text in (extra or {}).items():
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        (dst / rel).write_text(text, encoding="utf-8")
    return dst


def compare_dirs(expected: Path, actual: Path, facts: WorldFacts | None = None) -> Comparison:
    return guest_api.compare(guest_api.public_api(expected), guest_api.public_api(actual), facts)


# ---------------------------------------------------------------- reading an API


def test_import_styles_resolve_to_the_same_names() -> None:
    spellings = [
        "from typing import List, Optional\ndef f(x: List[int]) -> Optional[str]: ...\n",
        "import typing\ndef f(x: typing.List[int]) -> typing.Optional[str]: ...\n",
        "import typing as t\ndef f(x: t.List[int]) -> 't.Optional[str]': ...\n",
        "from typing import List as _L\nimport typing\n"
        "def f(x: _L[int]) -> 'typing.Optional[str]': ...\n",
        "import typing\n_List = typing.List\ndef f(x: _List[int]) -> typing.Optional[str]: ...\n",
        "from typing_extensions import List, Optional\ndef f(x: List[int]) -> Optional[str]: ...\n",
    ]
    apis = [from_text(text) for text in spellings]
    f = apis[0]["wit_world"].functions["f"]
    assert f.params[0].annotation == "builtins.list[builtins.int]"
    assert f.returns == "builtins.str | None"
    for other in apis[1:]:
        assert guest_api.diff_api(apis[0], other) == []


@pytest.mark.parametrize(
    ("typing_form", "builtin_form"),
    [
        ("from typing import List\nX = List[int]", "X = list[int]"),
        ("from typing import Dict\nX = Dict[str, bytes]", "X = dict[str, bytes]"),
        ("from typing import Tuple\nX = Tuple[int, ...]", "X = tuple[int, ...]"),
        ("from typing import Tuple\nX = Tuple[()]", "X = tuple[()]"),
        ("from typing import Set, FrozenSet\nX = Set[FrozenSet[int]]", "X = set[frozenset[int]]"),
        ("from typing import Type\nX = Type[int]", "X = type[int]"),
        ("import typing\nX = typing.List", "X = list"),
        ("from typing import Optional\nX = Optional[int]", "X = int | None"),
        ("from typing import Union\nX = Union[int, str]", "X = int | str"),
        ("from typing import Union\nX = Union[int]", "X = int"),
        (
            "from typing import Optional, Union\nX = Optional[Union[int, str]]",
            "X = int | str | None",
        ),
        ("from typing import Union\nX = Union[int, Union[str, bytes]]", "X = int | (str | bytes)"),
        ("from typing import Optional\nX = Optional[int | None]", "X = int | None | None"),
        ("from typing import Union\nX = Union[int, str, int]", "X = int | str"),
        (
            "from typing import Callable\nX = Callable[[int], str]",
            "from collections.abc import Callable\nX = Callable[[int], str]",
        ),
        (
            "from typing import Iterator, Mapping\nX = Iterator[Mapping[str, int]]",
            "import collections.abc as abc\nX = abc.Iterator[abc.Mapping[str, int]]",
        ),
        (
            "from typing import Generic, TypeVar\nT = TypeVar('T')\n"
            "class Err(Generic[T], Exception): ...",
            "from typing import Generic, TypeVar\nT = TypeVar('T')\n"
            "class Err(Exception, Generic[T]): ...",
        ),
        (
            "from typing import List\nclass C(List[int]): ...",
            "class C(list[int]): ...",
        ),
        (
            "from typing import List, Optional\ndef f(x: 'List[int]') -> Optional['C']: ...\n"
            "class C: ...",
            "def f(x: list[int]) -> 'C | None': ...\nclass C: ...",
        ),
        (
            "from typing import Optional, List\nclass R:\n    a: Optional[List[int]]",
            "class R:\n    a: list[int] | None",
        ),
    ],
)
def test_spellings_of_one_type_compare_equal(typing_form: str, builtin_form: str) -> None:
    """typing's aliases, `Optional` and `Union` read as the builtin, `collections.abc` and
    `|` spellings a type checker takes for the same type (and `Generic[...]` sits last)."""
    assert guest_api.diff_api(from_text(typing_form), from_text(builtin_form)) == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("from typing import List\nX = List[int]", "X = list[str]"),
        ("X = list[int]", "X = set[int]"),
        ("from typing import Union\nX = Union[int, str]", "X = str | int"),
        ("from typing import Optional\nX = Optional[int]", "X = int"),
        ("from typing import Optional\nX = Optional[int]", "X = int | str | None"),
        ("from typing import Tuple\nX = Tuple[int, str]", "X = tuple[int, ...]"),
        (
            "from typing import Callable\nX = Callable[[int], str]",
            "from collections.abc import Callable\nX = Callable[[str], str]",
        ),
        ("from typing import Callable\nX = Callable[[int], str]", "X = type[int]"),
        (
            "from typing import Literal\nX = Literal['a', 'b']",
            "from typing import Literal\nX = Literal['b', 'a']",
        ),
        ("class C(int, str): ...", "class C(str, int): ..."),
    ],
)
def test_different_types_still_differ(one: str, other: str) -> None:
    assert guest_api.diff_api(from_text(one), from_text(other)) != []


def test_type_spelling_of_resolved_text() -> None:
    """The same normalisation on a text `public_api` wrote (used after an allowance renames
    names in it): unresolved `?names` and non-expressions survive, values are not touched."""
    spell = guest_api.type_spelling
    assert spell("typing.Optional[builtins.int]") == "builtins.int | None"
    assert spell("typing.Union[typing.List[?x], typing.Optional[?x | None]]") == (
        "builtins.list[?x] | ?x | None"
    )
    assert spell("typing.Callable[[], None]") == "collections.abc.Callable[[], None]"
    assert spell("typing.Literal['typing.List']") == "typing.Literal['typing.List']"
    assert spell("not (an expression") == "not (an expression"
    # a flag member's value is no type: its `|` is kept as written
    values = from_text("import enum\nclass F(enum.Flag):\n    A = 1\n    B = A | A\n")
    assert values["wit_world"].classes["F"].attributes[1].value == "wit_world.F.A | wit_world.F.A"


def test_relative_absolute_and_re_exported_names_agree() -> None:
    m = "from dataclasses import dataclass\n@dataclass\nclass R:\n    a: int\n"
    one = guest_api.public_api_of_sources(
        {
            "wit_world.imports.m": m,
            "wit_world.imports.__init__": "",
            "wit_world.__init__": "from .imports import m\ndef f(r: m.R) -> None: ...\n",
        }
    )
    two = guest_api.public_api_of_sources(
        {
            "wit_world.imports.m": m,
            "wit_world.imports.__init__": "from .m import R\n",
            "wit_world.__init__": "from wit_world.imports import R\ndef f(r: R) -> None: ...\n",
        }
    )
    assert one["wit_world"].functions["f"].params[0].annotation == "wit_world.imports.m.R"
    assert guest_api.diff_api(one, two) == []


def test_definitions_hide_imports_and_class_bodies_hide_both() -> None:
    text = (
        "from typing import Optional\n"
        "class Optional:\n    x: Optional[int]\n"
        "class C:\n    def bytes(self) -> None: ...\n    def g(self) -> bytes: ...\n"
        "def h() -> bytes: ...\n"
    )
    module = from_text(text)["wit_world"]
    assert module.shadowed == {"Optional": "typing.Optional"}
    assert module.classes["Optional"].attributes[0].annotation == "wit_world.Optional[builtins.int]"
    assert module.classes["C"].methods["g"].returns == "wit_world.C.bytes"
    assert module.functions["h"].returns == "builtins.bytes"
    assert from_text("def f(x: Nowhere) -> None: ...")["wit_world"].functions["f"].params[
        0
    ].annotation == ("?Nowhere")


def test_only_the_public_api_counts() -> None:
    text = (
        "import typing\nfrom abc import abstractmethod\n"
        "_T = typing.TypeVar('_T')\n"
        "def _helper() -> None: ...\n"
        "class _Hidden: ...\n"
        "class R:\n    _slot: int\n    def _private(self) -> None: ...\n"
        "    def __enter__(self) -> typing.Self: ...\n"
        "X = typing.Union[int, str]\n"
        "__all__ = ['R', 'X']\n"
    )
    api_ = guest_api.public_api_of_sources(
        {"wit_world.__init__": text, "wit_world._rt": "def run() -> None: ...\n"}
    )
    assert list(api_) == ["wit_world"]
    module = api_["wit_world"]
    assert list(module.classes) == ["R"]
    assert list(module.functions) == []
    assert list(module.classes["R"].methods) == ["__enter__"]
    assert module.classes["R"].attributes == ()
    assert module.aliases == {"X": "builtins.int | builtins.str"}
    assert module.all == ("R", "X")


def test_parameters_decorators_and_members_are_read() -> None:
    text = (
        "from abc import abstractmethod\nfrom dataclasses import dataclass\n"
        "from enum import Enum, auto\nfrom typing import Protocol\n"
        "class P(Protocol):\n"
        "    @classmethod\n    @abstractmethod\n"
        "    def make(cls, a: int, /, b: str = 'x', *rest: int, c: bool, **kw: str) -> 'P': ...\n"
        "    async def run(self) -> None: ...\n"
        "@dataclass(frozen=True, eq=False)\nclass D:\n    a: int\n    b: str = 'x'\n"
        "class E(Enum):\n    A = 0\n    B = auto()\n"
    )
    module = from_text(text)["wit_world"]
    make = module.classes["P"].methods["make"]
    assert make.signature() == (
        "def make(cls, a: builtins.int, b: builtins.str = ..., *rest: builtins.int, "
        "c: builtins.bool, **kw: builtins.str) -> wit_world.P"
    )
    assert [p.kind for p in make.params] == [
        "positional-only",
        "positional-only",
        "positional",
        "*args",
        "keyword-only",
        "**kwargs",
    ]
    assert make.decorators == ("builtins.classmethod", "abc.abstractmethod")
    assert module.classes["P"].is_protocol and module.classes["P"].methods["run"].is_async
    d = module.classes["D"]
    assert d.decorators == ("dataclasses.dataclass(eq=False, frozen=True)",)
    assert [(a.name, a.annotation, a.value) for a in d.attributes] == [
        ("a", "builtins.int", None),
        ("b", "builtins.str", "'x'"),
    ]
    assert [(a.name, a.value) for a in module.classes["E"].attributes] == [
        ("A", "0"),
        ("B", "enum.auto()"),
    ]


def test_a_class_with_no_body_is_repaired_and_other_syntax_errors_recorded() -> None:
    text = "from typing import Protocol\nclass Fd(Protocol):\n    \nclass G(Protocol):\n"
    module = from_text(text)["wit_world"]
    assert module.syntax_error is None
    assert module.classes["Fd"].repaired and module.classes["G"].repaired
    broken = from_text("def f(:\n")["wit_world"]
    assert broken.syntax_error is not None and not broken.classes
    fine = from_text("def f(x): ...\n")
    assert [d.kind for d in guest_api.differences(fine, {"wit_world": broken})] == ["syntax-error"]


def test_docstrings_and_bodies_are_not_part_of_the_api() -> None:
    before = from_text(
        "from enum import Enum\n"
        "class E(Enum):\n    A = 0\n    '''the first'''\n"
        "def f() -> int:\n"
        "    '''Raises: `componentize_py_types.Err(wit_world.imports.str)`'''\n"
        "    raise NotImplementedError\n"
    )
    after = from_text(
        "from enum import Enum\n"
        "class E(Enum):\n    A = 0\n"
        "def f() -> int:\n    '''Raises: `componentize_py_types.Err(str)`'''\n    return 1\n"
    )
    assert guest_api.diff_api(before, after) == []
    hidden = {a.name for a in guest_api.ALLOWANCES if not a.observable}
    assert hidden == {"raises-paths", "member-docstrings"}


# ---------------------------------------------------------------- real output


def test_componentize_py_output_equals_itself(bindings: Bindings) -> None:
    for text, world in ((RICH, "rich"), (HOSTILE, "w"), (STREAMS, "w"), (INLINE, "mixed")):
        out = bindings.of(text, world)
        first, second = guest_api.public_api(out), guest_api.public_api(out)
        assert first == second
        assert guest_api.diff_api(first, second) == []
        assert guest_api.compare(first, second).identical
    rich = guest_api.public_api(bindings.of(RICH, "rich"))
    assert set(rich) == {
        "componentize_py_types",
        "wit_world",
        "wit_world.exports",
        "wit_world.exports.handler",
        "wit_world.imports",
        "wit_world.imports.types",
    }
    assert rich["wit_world.exports"].classes["Handler"].is_protocol


@pytest.mark.parametrize(
    ("edit", "kind"),
    [
        (
            ("wit_world/imports/types.py", "def area(s: Shape,", "def area(shape: Shape,"),
            "parameter-name",
        ),
        (("wit_world/imports/types.py", "scale: Optional[float]", "scale: float"), "annotation"),
        (("wit_world/imports/types.py", ") -> float:", ") -> int:"), "return-annotation"),
        (
            ("wit_world/imports/types.py", "    x: int\n    y: int\n", "    y: int\n    x: int\n"),
            "attribute-order",
        ),
        (("wit_world/imports/types.py", "GREEN_BLUE = 1", "GREEN_BLUE = 2"), "value"),
        (("wit_world/imports/types.py", "class Perms(Flag):", "class Perms(Enum):"), "bases"),
        (("wit_world/imports/types.py", "    @classmethod\n", "    @staticmethod\n"), "decorators"),
        (("wit_world/imports/types.py", "Shape = Union[", "Shape = Tuple["), "alias"),
        (
            ("wit_world/__init__.py", "def log(msg: str)", "def log(msg: str, level: int)"),
            "signature",
        ),
        (
            ("wit_world/__init__.py", "    def run(self)", "    async def run(self)"),
            "async",
        ),
        (("componentize_py_types.py", "@dataclass(frozen=True)", "@dataclass"), "decorators"),
    ],
)
def test_an_altered_copy_is_caught(
    bindings: Bindings, tmp_path: Path, edit: Edit, kind: str
) -> None:
    out = bindings.of(RICH, "rich")
    comparison = compare_dirs(out, altered(out, tmp_path / "copy", edit))
    assert kinds(comparison) == [kind]
    assert unexplained(comparison) == [kind], comparison.report()


def test_a_removed_method_and_an_extra_module_are_caught(
    bindings: Bindings, tmp_path: Path
) -> None:
    out = bindings.of(RICH, "rich")
    removed = altered(
        out,
        tmp_path / "removed",
        (
            "wit_world/exports/handler.py",
            "    @abstractmethod\n    def close(self) -> None:",
            "    def _close(self) -> None:",
        ),
    )
    comparison = compare_dirs(out, removed)
    assert [(d.kind, d.where) for d in comparison.unexplained] == [
        ("function-missing", "wit_world.exports.handler.Session.close")
    ]
    extra = altered(out, tmp_path / "extra", extra={"wit_world/imports/more.py": "X = int\n"})
    comparison = compare_dirs(out, extra)
    assert [(d.kind, d.where) for d in comparison.unexplained] == [
        ("module-extra", "wit_world.imports.more")
    ]
    missing = compare_dirs(extra, out)
    assert unexplained(missing) == ["module-missing"]
    assert "only in the expected API" in str(missing.unexplained[0])


# ---------------------------------------------------------------- allowances


def test_self_and_cls_parameters(bindings: Bindings, tmp_path: Path) -> None:
    out = bindings.of(HOSTILE, "w")
    fixed = altered(
        out,
        tmp_path / "fixed",
        ("wit_world/exports/i.py", "(self, self: int)", "(self, self_: int)"),
        ("wit_world/exports/i.py", "(cls, cls: int)", "(cls, cls_: int)"),
        ("wit_world/imports/i.py", "(self, self: int)", "(self, self_: int)"),
        ("wit_world/imports/i.py", "(cls, cls: int)", "(cls, cls_: int)"),
        ("wit_world/exports/__init__.py", "self: int)", "self_: int)"),
    )
    comparison = compare_dirs(out, fixed)
    assert len(comparison.allowed["self-cls-parameters"]) == 5
    assert comparison.unexplained == [] and list(comparison.allowed) == ["self-cls-parameters"]
    # a module-level `self` is no duplicate: renaming it changes the API
    renamed = altered(
        out, tmp_path / "renamed", ("wit_world/imports/i.py", "], self: int)", "], self_: int)")
    )
    assert unexplained(compare_dirs(out, renamed)) == ["parameter-name"]
    other = altered(
        out,
        tmp_path / "other",
        ("wit_world/exports/i.py", "(self, self: int)", "(self, this: int)"),
    )
    assert unexplained(compare_dirs(out, other)) == ["parameter-name"]


def test_shadowed_helpers_and_builtins(bindings: Bindings, tmp_path: Path) -> None:
    out = bindings.of(HOSTILE, "w")
    module = "wit_world/imports/i.py"
    alias = (
        "import weakref\nimport builtins\nfrom typing import Optional as _Optional, Self as _Self\n"
    )
    fixed = altered(
        out,
        tmp_path / "fixed",
        (module, "import weakref\n", alias),
        (module, "x: Optional[int]", "x: _Optional[int]"),
        (module, "m: Optional[int]", "m: _Optional[int]"),
        (module, "-> Self:", "-> _Self:"),
        (
            module,
            "def g(x: Optional[bytes]) -> bytes:",
            "def g(x: _Optional[builtins.bytes]) -> builtins.bytes:",
        ),
        ("wit_world/exports/__init__.py", "import weakref\n", "import weakref\nimport builtins\n"),
        (
            "wit_world/exports/__init__.py",
            "(self, x: Optional[bytes]) -> bytes:",
            "(self, x: Optional[builtins.bytes]) -> builtins.bytes:",
        ),
    )
    comparison = compare_dirs(out, fixed)
    assert comparison.unexplained == [], comparison.report()
    helpers = {(d.where, d.detail) for d in comparison.allowed["shadowed-helpers"]}
    assert helpers == {
        ("wit_world.imports.i.Optional.x", ""),
        ("wit_world.imports.i.f", "parameter 1 (m)"),
        ("wit_world.imports.i.Fd.__enter__", ""),
        ("wit_world.imports.i.Self.__enter__", ""),
        ("wit_world.imports.i.g", "parameter 1 (x)"),
    }
    builtin = {(d.where, d.detail) for d in comparison.allowed["builtins-annotations"]}
    assert builtin == {
        ("wit_world.imports.i.g", "parameter 1 (x)"),  # credited to both: both names were hidden
        ("wit_world.imports.i.g", ""),
        ("wit_world.exports.I.g", "parameter 2 (x)"),
        ("wit_world.exports.I.g", ""),
    }
    # neighbours: a helper or builtin spelled right beside a real change, or the private alias
    # bound to another helper
    neighbours: list[tuple[Edit, ...]] = [
        ((module, "x: Optional[int]", "x: _Optional[str]"), (module, "import weakref\n", alias)),
        ((module, "def g(x: Optional[bytes]) -> bytes:", "def g(x: bytes) -> builtins.str:"),),
        (
            (module, "x: Optional[int]", "x: _Optional[int]"),
            (module, "import weakref\n", "import weakref\nfrom typing import List as _Optional\n"),
        ),
    ]
    for n, edits in enumerate(neighbours):
        wrong = altered(out, tmp_path / f"wrong{n}", *edits)
        assert compare_dirs(out, wrong).unexplained, edits


def test_empty_exported_resource_gets_a_body(bindings: Bindings, tmp_path: Path) -> None:
    out = bindings.of(HOSTILE, "w")
    exports = "wit_world/exports/i.py"
    fixed = altered(
        out,
        tmp_path / "fixed",
        (exports, "class Fd(Protocol):\n", "class Fd(Protocol):\n    pass\n"),
    )
    comparison = compare_dirs(out, fixed)
    assert kinds(comparison) == ["class-body"]
    assert list(comparison.allowed) == ["empty-resource-body"] and not comparison.unexplained
    grown = altered(
        out,
        tmp_path / "grown",
        (exports, "class Fd(Protocol):\n", "class Fd(Protocol):\n    def read(self) -> int: ...\n"),
    )
    assert sorted(unexplained(compare_dirs(out, grown))) == ["class-body", "function-extra"]
    # an imported resource is a plain class: a body there is not this fix
    imported = from_text("class Fd:\n", "wit_world.imports.i")
    with_body = from_text("class Fd:\n    pass\n", "wit_world.imports.i")
    assert unexplained(guest_api.compare(imported, with_body)) == ["class-body"]


def test_byte_stream_once(bindings: Bindings, tmp_path: Path) -> None:
    out = bindings.of(STREAMS, "w")
    text = (out / "wit_world/__init__.py").read_text(encoding="utf-8")
    definition = (
        "def byte_stream() -> tuple[ByteStreamWriter, ByteStreamReader]:\n"
        "    raise NotImplementedError\n"
    )
    assert text.count(definition) == 2, text
    twice = definition + "\n" + definition
    once = altered(out, tmp_path / "once", ("wit_world/__init__.py", twice, definition))
    comparison = compare_dirs(out, once)
    assert kinds(comparison) == ["redefinition"] and list(comparison.allowed) == [
        "byte-stream-once"
    ]
    changed = altered(
        out,
        tmp_path / "changed",
        (
            "wit_world/__init__.py",
            twice,
            definition.replace("ByteStreamReader]", "bytes]"),
        ),
    )
    assert unexplained(compare_dirs(out, changed)) == ["return-annotation"]
    # the reverse, or another function defined twice, is not the fix
    assert unexplained(compare_dirs(once, out)) == ["redefinition"]
    other = "def other() -> None: ...\n"
    assert unexplained(guest_api.compare(from_text(other * 2), from_text(other))) == [
        "redefinition"
    ]


def test_inline_interfaces(bindings: Bindings, tmp_path: Path) -> None:
    protocol = (
        "from typing import Protocol\nfrom abc import abstractmethod\n\n"
        "class TheName(Protocol):\n    @abstractmethod\n    def y(self) -> None:\n"
        "        raise NotImplementedError\n"
    )
    function = "def y() -> None:\n    raise NotImplementedError\n"
    out = bindings.of(INLINE, "only-inline")
    facts = bindings.facts(INLINE, "only-inline")
    assert facts.inline_import_modules == {"imports"}
    assert facts.inline_export_protocols == {"TheName"}
    assert "wit_world.exports" not in guest_api.public_api(out)
    fixed = altered(
        out,
        tmp_path / "fixed",
        extra={"wit_world/imports/imports.py": function, "wit_world/exports/__init__.py": protocol},
    )
    comparison = compare_dirs(out, fixed, facts)
    assert kinds(comparison) == ["module-extra", "module-extra"]
    assert list(comparison.allowed) == ["inline-interfaces"] and not comparison.unexplained
    # without the facts, or for a module of another name, the same difference is real
    assert unexplained(compare_dirs(out, fixed)) == ["module-extra", "module-extra"]
    other = altered(out, tmp_path / "other", extra={"wit_world/imports/other.py": function})
    assert unexplained(compare_dirs(out, other, facts)) == ["module-extra"]
    odd = altered(
        out, tmp_path / "odd", extra={"wit_world/exports/__init__.py": protocol + "X = int\n"}
    )
    assert unexplained(compare_dirs(out, odd, facts)) == ["module-extra"]

    mixed = bindings.of(INLINE, "mixed")
    mixed_facts = bindings.facts(INLINE, "mixed")
    with_protocol = altered(
        mixed,
        tmp_path / "mixed",
        (
            "wit_world/exports/__init__.py",
            "class Api(Protocol):",
            protocol.split("\n\n")[1] + "\nclass Api(Protocol):",
        ),
    )
    comparison = compare_dirs(mixed, with_protocol, mixed_facts)
    assert [(d.kind, d.where) for d in comparison.allowed["inline-interfaces"]] == [
        ("class-extra", "wit_world.exports.TheName")
    ]
    assert not comparison.unexplained
    renamed = altered(
        mixed,
        tmp_path / "renamed",
        ("wit_world/exports/__init__.py", "class Api(Protocol):", "class Api2(Protocol):"),
    )
    assert sorted(unexplained(compare_dirs(mixed, renamed, mixed_facts))) == [
        "class-extra",
        "class-missing",
    ]


def test_inline_interfaces_with_types(bindings: Bindings, tmp_path: Path) -> None:
    out = bindings.of(INLINE, "with-types")
    facts = bindings.facts(INLINE, "with-types")
    exports = "wit_world/exports/__init__.py"
    method = "    @abstractmethod\n    def g(self) -> y.Q:\n        raise NotImplementedError\n"
    function = "\ndef f() -> R:\n    raise NotImplementedError\n"
    fixed = altered(
        out,
        tmp_path / "fixed",
        (exports, "import weakref\n", "import weakref\nfrom . import y\n"),
        (exports, "class Y(Protocol):\n    pass\n", "class Y(Protocol):\n" + method),
    )
    path = fixed / "wit_world/imports/x.py"
    path.write_text(path.read_text(encoding="utf-8") + function, encoding="utf-8")
    comparison = compare_dirs(out, fixed, facts)
    assert [(d.kind, d.where) for d in comparison.allowed["inline-interfaces"]] == [
        ("function-extra", "wit_world.exports.Y.g"),
        ("function-extra", "wit_world.imports.x.f"),
    ]
    assert not comparison.unexplained
    # a new method of the interface's resource is no dropped function
    grown = altered(
        out, tmp_path / "grown", ("wit_world/imports/x.py", "class Res:\n", "class Res:\n" + method)
    )
    assert [(d.kind, d.where) for d in compare_dirs(out, grown, facts).unexplained] == [
        ("function-extra", "wit_world.imports.x.Res.g")
    ]


def test_the_imports_package_of_inline_interfaces_only() -> None:
    """Every import is inline, so componentize-py wrote no `imports` package; witgen's holds
    the inline interfaces' modules and defines nothing itself."""
    facts = WorldFacts(inline_import_modules=frozenset({"imports"}))
    function = "def y() -> None:\n    raise NotImplementedError\n"
    expected = guest_api.public_api_of_sources({"wit_world.__init__": ""})

    def actual(package: str, **more: str) -> Api:
        modules = {"wit_world.__init__": "", "wit_world.imports.__init__": package}
        return guest_api.public_api_of_sources(
            {**modules, "wit_world.imports.imports": function, **more}
        )

    comparison = guest_api.compare(expected, actual(""), facts)
    assert kinds(comparison) == ["module-extra", "module-extra"]
    assert list(comparison.allowed) == ["inline-interfaces"] and not comparison.unexplained
    # a package defining something, or holding a module of no inline interface, is real
    assert unexplained(guest_api.compare(expected, actual("X = int\n"), facts)) == ["module-extra"]
    other = actual("", **{"wit_world.imports.other": function})
    assert [d.where for d in guest_api.compare(expected, other, facts).unexplained] == [
        "wit_world.imports",
        "wit_world.imports.other",
    ]
    assert unexplained(guest_api.compare(expected, actual(""))) == ["module-extra"] * 2


def test_world_resources() -> None:
    """componentize-py leaves the class of `world w { resource x; }` undefined (`?X` in its
    annotations); witgen defines it in the world module."""
    facts = WorldFacts(world_resources=frozenset({"X"}))
    resource = "class X:\n    def __enter__(self) -> None: ...\n"
    expected = from_text("from typing import Optional\ndef f(x: Optional[X]) -> X: ...\n")
    actual = from_text(resource + "def f(x: X | None) -> X: ...\n")
    comparison = guest_api.compare(expected, actual, facts)
    assert [(d.kind, d.where) for d in comparison.allowed["world-resources"]] == [
        ("class-extra", "wit_world.X"),
        ("annotation", "wit_world.f"),
        ("return-annotation", "wit_world.f"),
    ]
    assert not comparison.unexplained
    assert sorted(unexplained(guest_api.compare(expected, actual))) == [
        "annotation",
        "class-extra",
        "return-annotation",
    ]
    # another type in its place, another name, or the class outside the world module, is real
    other = from_text(resource + "class Y: ...\ndef f(x: X | None) -> Y: ...\n")
    assert unexplained(guest_api.compare(expected, other, facts)) == [
        "class-extra",
        "return-annotation",
    ]
    unnamed = WorldFacts(world_resources=frozenset({"Z"}))
    assert len(guest_api.compare(expected, actual, unnamed).unexplained) == 3
    elsewhere = from_text(resource, "wit_world.imports.i")
    elsewhere_comparison = guest_api.compare(from_text("", "wit_world.imports.i"), elsewhere, facts)
    assert unexplained(elsewhere_comparison) == ["class-extra"]


def _both_sides(annotation: str) -> Api:
    """A world importing and exporting interface `i`: resource `R` and record `Holder` (which
    holds an `R`) on both sides, and an export Protocol method taking `annotation`."""
    imports = "class R:\n    def close(self) -> None: ...\nclass Holder:\n    r: R\n"
    exports = (
        "from typing import Protocol\n"
        "class R(Protocol):\n    def close(self) -> None: ...\n"
        "class Holder:\n    r: R\n"
    )
    protocol = (
        "from typing import Protocol\n"
        "import wit_world.imports.i\nimport wit_world.exports.i\n"
        f"class I(Protocol):\n    def f(self, x: {annotation}) -> None: ...\n"
    )
    return guest_api.public_api_of_sources(
        {
            "wit_world.imports.i": imports,
            "wit_world.exports.i": exports,
            "wit_world.exports": protocol,
        }
    )


def test_exported_resource_classes() -> None:
    """An exported function of an interface also imported receives the app's exported resource
    objects (and records holding them): componentize-py names the imported classes there."""
    expected = _both_sides("list[wit_world.imports.i.R | wit_world.imports.i.Holder]")
    actual = _both_sides("list[wit_world.exports.i.R | wit_world.exports.i.Holder]")
    comparison = guest_api.compare(expected, actual)
    assert [d.where for d in comparison.allowed["exported-resource-classes"]] == [
        "wit_world.exports.I.f"
    ]
    assert not comparison.unexplained
    # another class, or the exported class where the reference has none, is a real difference
    other = _both_sides("list[wit_world.exports.i.R | wit_world.exports.i.R]")
    assert unexplained(guest_api.compare(expected, other)) == ["annotation"]
    plain = _both_sides("wit_world.imports.i.Holder")
    swapped = _both_sides("wit_world.exports.i.R")
    assert unexplained(guest_api.compare(plain, swapped)) == ["annotation"]


STREAM_HEADER = (
    "from typing import Any, Tuple\n"
    "from componentize_py_async_support.streams import StreamReader, StreamWriter\n"
    "from componentize_py_async_support.futures import FutureReader\n"
    "class T: ...\n"
)


@pytest.mark.parametrize(
    ("expected", "actual", "allowed"),
    [
        (
            "def s() -> Tuple[StreamWriter[Any], StreamReader[Any]]: ...",
            "def s() -> tuple[StreamWriter[T], StreamReader[T]]: ...",
            True,
        ),
        (
            "def s(r: StreamReader[Any]) -> None: ...",
            "def s(r: StreamReader[T]) -> None: ...",
            True,
        ),
        (
            "def s() -> Tuple[StreamWriter[Any], StreamReader[Any]]: ...",
            "def s() -> tuple[StreamWriter[T], StreamReader[T], int]: ...",
            False,
        ),
        (
            "def s() -> Tuple[StreamWriter[Any], int]: ...",
            "def s() -> tuple[StreamWriter[T], str]: ...",
            False,
        ),
        (
            "def s(r: StreamReader[T]) -> None: ...",
            "def s(r: StreamReader[Any]) -> None: ...",
            False,
        ),
        (
            "def s(r: StreamReader[Any]) -> None: ...",
            "def s(r: StreamWriter[T]) -> None: ...",
            False,
        ),
        (
            "def s(r: FutureReader[Any]) -> None: ...",
            "def s(r: FutureReader[T]) -> None: ...",
            False,
        ),
        ("def s(r: list[Any]) -> None: ...", "def s(r: list[T]) -> None: ...", False),
    ],
)
def test_precise_stream_payloads(expected: str, actual: str, allowed: bool) -> None:
    """componentize-py's `StreamWriter[Any]` against witgen's `StreamWriter[TcpSocket]`; only
    a stream end's `Any` payload may be more precise, nothing else may change."""
    comparison = guest_api.compare(
        from_text(STREAM_HEADER + expected), from_text(STREAM_HEADER + actual)
    )
    assert comparison.differences
    assert (list(comparison.allowed) == ["precise-stream-payloads"]) is allowed
    assert (not comparison.unexplained) is allowed


def test_native_harness_modules(bindings: Bindings, tmp_path: Path) -> None:
    out = bindings.of(RICH, "rich")
    native = {
        "wit_world/native/__init__.py": "import typing\nclass Imports(typing.Protocol): ...\n",
        "wit_world/native/types.py": "import typing\nclass Host(typing.Protocol): ...\n",
    }
    comparison = compare_dirs(out, altered(out, tmp_path / "native", extra=native))
    assert len(comparison.allowed["native-harness"]) == 2 and not comparison.unexplained
    near = altered(out, tmp_path / "near", extra={"wit_world/natives.py": "X = int\n"})
    assert unexplained(compare_dirs(out, near)) == ["module-extra"]


@pytest.mark.parametrize(
    ("allowance", "wit"),
    [("map-as-dict", MAP), ("fixed-length-list", FIXED), ("named-imports", NAMED)],
)
def test_what_componentize_py_cannot_generate(bindings: Bindings, allowance: str, wit: str) -> None:
    message = bindings.failure(wit, "w")
    facts = bindings.facts(wit, "w")
    failed = guest_api.reference_failure("w", message, facts, {})
    assert list(failed.allowed) == [allowance], message
    # the same failure in a world without the construct, or another failure, is unexplained
    plain = bindings.facts(RICH, "rich")
    assert guest_api.reference_failure("w", message, plain, {}).unexplained
    other = guest_api.reference_failure("w", "AssertionError: no such world", facts, {})
    assert other.unexplained and not other.allowed


def test_every_observable_allowance_is_tested_here() -> None:
    names = [a.name for a in guest_api.ALLOWANCES]
    assert len(names) == len(set(names))
    tested = {
        "map-as-dict",
        "fixed-length-list",
        "named-imports",
        "inline-interfaces",
        "self-cls-parameters",
        "shadowed-helpers",
        "builtins-annotations",
        "empty-resource-body",
        "byte-stream-once",
        "exported-resource-classes",
        "native-harness",
        "world-resources",
        "precise-stream-payloads",
    }
    assert {a.name for a in guest_api.ALLOWANCES if a.observable} == tested


def test_rewrite_replaces_whole_dotted_names_only() -> None:
    table = {"m.Optional": "typing.Optional", "m.bytes": "builtins.bytes"}
    assert guest_api.rewrite("m.Optional[m.bytes]", table) == "typing.Optional[builtins.bytes]"
    assert guest_api.rewrite("m.OptionalX[m.bytes_]", table) == "m.OptionalX[m.bytes_]"
    assert guest_api.rewrite("mm.Optional | m.Optional.x", table) == "mm.Optional | m.Optional.x"


def test_report_lists_unexplained_lines_and_allowance_counts() -> None:
    expected = from_text("def f(self, self: int) -> None: ...\ndef g() -> int: ...\n")
    actual = from_text("def f(self, self_: int) -> None: ...\ndef g() -> str: ...\n")
    comparison = guest_api.compare(expected, actual)
    assert comparison.report().splitlines() == [
        "  wit_world.g: return-annotation: expected builtins.int, actual builtins.str",
        "  (allowed: self-cls-parameters ×1)",
    ]
