"""Python naming and annotations, shared by the Python host and guest generators.

Input: WIT names (kebab-case, `%` already removed) and `model` types. Output: Python
identifiers, interface module names (BINDINGS.md A.1), annotation strings (A.3) and the WIT
spelling of a type for messages. Invariants: this is the only module that turns a WIT name
into a Python one, so the two generators can never disagree; every identifier it returns
passes `str.isidentifier()` and is not a keyword (`identifier` asserts it); names follow
heck's word rules (the ones componentize-py uses), and a trailing `_` is added only for the
hard keywords of `keyword.kwlist`.
"""

from __future__ import annotations

import keyword
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import assert_never

from witgen import model as m

# ---------------------------------------------------------------- words and cases


def words(name: str) -> list[str]:
    """Split `name` into words exactly as heck does (`get-URL-parser` → get, URL, parser).

    Non-alphanumeric characters separate words; inside a run, a boundary falls before an
    uppercase letter that follows a lowercase one (`aB`), and before the last uppercase
    letter of a run that is followed by a lowercase one (`URLParser` → URL, Parser).
    Digits keep the case mode of the letter before them.
    """
    out: list[str] = []
    for part in "".join(c if c.isalnum() else " " for c in name).split():
        start, mode = 0, ""
        for i, c in enumerate(part):
            if i + 1 == len(part):
                out.append(part[start:])
                break
            nxt = part[i + 1]
            next_mode = "lower" if c.islower() else "upper" if c.isupper() else mode
            if next_mode == "lower" and nxt.isupper():
                out.append(part[start : i + 1])
                start, mode = i + 1, ""
            elif mode == "upper" and c.isupper() and nxt.islower():
                out.append(part[start:i])
                start, mode = i, ""
            else:
                mode = next_mode
    return [w for w in out if w]


def escape(ident: str) -> str:
    """Add `_` to the 35 hard keywords of `keyword.kwlist` only (`class_`, `None_`)."""
    return ident + "_" if keyword.iskeyword(ident) else ident


def snake(name: str) -> str:
    """heck's snake_case (`the-URL` → `the_url`), not escaped."""
    return "_".join(w.lower() for w in words(name))


def upper_camel(name: str) -> str:
    """heck's UpperCamelCase (`get-URL-parser` → `GetUrlParser`), not escaped."""
    return "".join(w[:1].upper() + w[1:].lower() for w in words(name))


def shouty(name: str) -> str:
    """heck's SHOUTY_SNAKE_CASE (`green-blue` → `GREEN_BLUE`), not escaped."""
    return "_".join(w.upper() for w in words(name))


def identifier(name: str) -> str:
    """Assert that `name` is a usable Python identifier and return it."""
    assert name.isidentifier() and not keyword.iskeyword(name), name
    return name


def type_name(name: str) -> str:
    """A record, variant, enum, flags or resource class: `http2-config` → `Http2Config`."""
    return identifier(escape(upper_camel(name)))


def func_name(name: str) -> str:
    """A function, method, field or module: `x509-cert` → `x509_cert`, `from` → `from_`."""
    return identifier(escape(snake(name)))


def param_name(name: str) -> str:
    """A parameter: as `func_name`, and `self`/`cls` get `_` (BINDINGS.md A.9 item 3)."""
    ident = func_name(name)
    return ident + "_" if ident in ("self", "cls") else ident


def member_name(name: str) -> str:
    """An enum or flags member: `green-blue` → `GREEN_BLUE`."""
    return identifier(escape(shouty(name)))


def case_class(type_cls: str, case: str) -> str:
    """A variant case class: `Shape_Circle`, `Shape_None_`."""
    return identifier(f"{type_cls}_{escape(upper_camel(case))}")


# ---------------------------------------------------------------- unique names


@dataclass(slots=True)
class Scope:
    """Names already used in one namespace; `claim` adds `_` until a name is free."""

    taken: set[str] = field(default_factory=set)

    def claim(self, name: str) -> str:
        while name in self.taken or keyword.iskeyword(name):
            name += "_"
        self.taken.add(name)
        return name


# ---------------------------------------------------------------- interface modules


def interface_modules(
    resolve: m.Resolve,
    items: Sequence[tuple[m.WorldKey, m.InterfaceId]],
    renames: Mapping[str, str] | None = None,
) -> dict[m.WorldKey, str]:
    """Module names of the interfaces a world imports (or exports), as BINDINGS.md A.1.

    `snake(name)` when the name is unique among `items` (imports and exports are counted
    separately, as componentize-py does); otherwise `snake(ns-pkg-name)`, and when that still
    collides (several versions of a package) `snake(ns-pkg-name-version)` with `.` → `-`.
    Inline and named (string-keyed) interfaces use their key. `renames` maps a world key's
    name (`ns:pkg/iface@ver`, or the plain key) to a name that wins over all of this.
    """
    levels: dict[m.WorldKey, list[str]] = {}
    for key, iid in items:
        if isinstance(key, str):
            levels[key] = [key]
            continue
        iface = resolve.interfaces[iid]
        assert iface.name is not None and iface.package is not None
        pkg = resolve.packages[iface.package].name
        qualified = f"{pkg.namespace}-{pkg.name}-{iface.name}"
        version = (pkg.version or "").replace(".", "-")
        levels[key] = [iface.name, qualified, f"{qualified}-{version}" if version else qualified]
    out = {key: snake(names[0]) for key, names in levels.items()}
    for level in (1, 2):
        counts = Counter(out.values())
        for key, names in levels.items():
            if counts[out[key]] > 1 and level < len(names):
                out[key] = snake(names[level])
    out = {key: escape(name) for key, name in out.items()}
    for key in out:
        label = resolve.world_key_name(key)
        if renames and label in renames:
            out[key] = renames[label]
    return {key: identifier(name) for key, name in out.items()}


# ---------------------------------------------------------------- annotations

# Builtins that a class member of the same name would shadow in later annotations of that
# class body (BINDINGS.md A.9 item 3); such annotations are spelled `builtins.X`.
SHADOWABLE = frozenset(
    {
        "bool", "bytes", "classmethod", "dict", "float", "int", "list", "object", "property",
        "staticmethod", "str", "tuple", "type",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Spelling:
    """How one module (or class body) spells the helpers an annotation may use.

    `helpers` maps a canonical name (`Optional`, `List`, `Some`, …) to the name it is
    imported under in that module (`_Optional` when a WIT type took the name, A.9 item 2);
    `shadowed` lists the builtins to write as `builtins.X` in the current class body.
    """

    helpers: Mapping[str, str] = field(default_factory=dict)
    shadowed: frozenset[str] = frozenset()

    def __call__(self, name: str) -> str:
        if name in self.shadowed:
            return f"builtins.{name}"
        return self.helpers.get(name, name)

    def in_class(self, members: Iterable[str]) -> Spelling:
        """The spelling inside a class body whose members are `members`."""
        return Spelling(self.helpers, SHADOWABLE & frozenset(members))


_PRIMITIVE_ANNOTATIONS: dict[str, str] = {
    "bool": "bool",
    "u8": "int",
    "u16": "int",
    "u32": "int",
    "u64": "int",
    "s8": "int",
    "s16": "int",
    "s32": "int",
    "s64": "int",
    "f32": "float",
    "f64": "float",
    "char": "str",
    "string": "str",
    "error-context": "int",
}

NOMINAL = (m.Record, m.Variant, m.Enum, m.Flags, m.Resource)


def is_nominal(resolve: m.Resolve, tid: m.TypeId) -> bool:
    """Whether the type gets a Python class (or Union) of its own; all others are inlined."""
    ty = resolve.types[tid]
    return ty.name is not None and isinstance(ty.kind, NOMINAL)


def is_option(resolve: m.Resolve, ty: m.Type | None) -> bool:
    """Whether `ty` is an option, through aliases (which decides `Some`, A.3)."""
    if ty is None:
        return False
    ty = resolve.dealias(ty)
    return not isinstance(ty, str) and isinstance(resolve.types[ty].kind, m.OptionKind)


def annotation(
    resolve: m.Resolve,
    ty: m.Type | None,
    *,
    qualify: Callable[[m.TypeId], str],
    spell: Callable[[str], str],
    pep604: bool = False,
) -> str:
    """The Python annotation of `ty` (BINDINGS.md A.3); `None` for a missing type.

    `qualify` spells a nominal type (a class defined in some module) as seen from the module
    being written; aliases and anonymous types are inlined. `spell` maps a helper or builtin
    name to its spelling in that module (see `Spelling`). With `pep604`, A.3's `List[T]`,
    `Tuple[A, B]`, `Dict[K, V]` and `Optional[T]` are written `list[T]`, `tuple[A, B]`,
    `dict[K, V]` and `T | None`: the same types, in the spelling linters ask for.
    """
    if ty is None:
        return "None"
    if isinstance(ty, str):
        return spell(_PRIMITIVE_ANNOTATIONS[ty])

    def sub(t: m.Type | None) -> str:
        return annotation(resolve, t, qualify=qualify, spell=spell, pep604=pep604)

    def generic(name: str, args: str) -> str:
        return f"{spell(name.lower() if pep604 else name)}[{args}]"

    kind = resolve.types[ty].kind
    match kind:
        case m.Record() | m.Variant() | m.Enum() | m.Flags() | m.Resource():
            return qualify(ty)
        case m.Alias(type=target):
            return sub(target)
        case m.Handle(resource=res):
            return sub(res)
        case m.ListKind(type=elem) if resolve.dealias(elem) in ("u8", "s8"):
            return spell("bytes")
        case m.ListKind(type=elem) | m.FixedList(type=elem):
            return generic("List", sub(elem))
        case m.MapKind(key=key, value=value):
            return generic("Dict", f"{sub(key)}, {sub(value)}")
        case m.TupleKind(types=types):
            return generic("Tuple", ", ".join(sub(t) for t in types) if types else "()")
        case m.OptionKind(type=inner_ty):
            inner = sub(inner_ty)
            if is_option(resolve, inner_ty):
                inner = f"{spell('Some')}[{inner}]"
            return f"{inner} | None" if pep604 else f"{spell('Optional')}[{inner}]"
        case m.ResultKind(ok=ok, err=err):
            return f"{spell('Result')}[{sub(ok)}, {sub(err)}]"
        case m.Stream(type=elem):
            if elem is not None and resolve.dealias(elem) == "u8":
                return spell("ByteStreamReader")
            return f"{spell('StreamReader')}[{sub(elem)}]"
        case m.Future(type=elem):
            return f"{spell('FutureReader')}[{sub(elem)}]"
        case _:
            assert_never(kind)


# ---------------------------------------------------------------- WIT spelling


def wit_type(resolve: m.Resolve, ty: m.Type | None) -> str:
    """`ty` as written in WIT (`list<string>`, `result<_, fs-error>`), for messages and comments."""
    if ty is None:
        return "_"
    if isinstance(ty, str):
        return ty
    td = resolve.types[ty]
    if td.name is not None:
        return td.name
    kind = td.kind
    match kind:
        case m.Handle(kind="own", resource=res):
            return f"own<{wit_type(resolve, res)}>"
        case m.Handle(kind="borrow", resource=res):
            return f"borrow<{wit_type(resolve, res)}>"
        case m.ListKind(type=elem):
            return f"list<{wit_type(resolve, elem)}>"
        case m.FixedList(type=elem, size=size):
            return f"list<{wit_type(resolve, elem)}, {size}>"
        case m.MapKind(key=key, value=value):
            return f"map<{wit_type(resolve, key)}, {wit_type(resolve, value)}>"
        case m.TupleKind(types=types):
            return f"tuple<{', '.join(wit_type(resolve, t) for t in types)}>"
        case m.OptionKind(type=inner):
            return f"option<{wit_type(resolve, inner)}>"
        case m.ResultKind(ok=None, err=None):
            return "result"
        case m.ResultKind(ok=ok, err=None):
            return f"result<{wit_type(resolve, ok)}>"
        case m.ResultKind(ok=ok, err=err):
            return f"result<{wit_type(resolve, ok)}, {wit_type(resolve, err)}>"
        case m.Stream(type=None):
            return "stream"
        case m.Stream(type=elem):
            return f"stream<{wit_type(resolve, elem)}>"
        case m.Future(type=None):
            return "future"
        case m.Future(type=elem):
            return f"future<{wit_type(resolve, elem)}>"
        case m.Record() | m.Variant() | m.Enum() | m.Flags() | m.Resource() | m.Handle():
            return "<anonymous>"
        case m.Alias(type=target):
            return wit_type(resolve, target)
        case _:
            assert_never(kind)


# ---------------------------------------------------------------- layout

# Generated code is laid out the way `ruff format` would lay it out, at any line length from
# 88 (ruff's default) up: a construct stays on one line when it fits in 88 columns, and is
# otherwise exploded one item per line with a trailing comma, which ruff keeps as it is.
LINE = 88


def fits(text: str, indent: int) -> bool:
    """Whether `text` fits on one line that starts at column `indent`."""
    return "\n" not in text and indent + len(text) <= LINE


def bracket(
    head: str,
    items: Sequence[str],
    tail: str = "",
    *,
    indent: int,
    brackets: str = "()",
) -> str:
    """`head(item, …)tail`, on one line if it fits, else exploded (see `LINE`).

    Items that hold newlines must already be laid out for column `indent + 4`.
    """
    opening, closing = brackets[0], brackets[1]
    flat = f"{head}{opening}{', '.join(items)}{closing}{tail}"
    if not items or fits(flat, indent):
        return flat
    pad = " " * (indent + 4)
    body = "".join(f"{pad}{expr(item, indent=indent + 4)},\n" for item in items)
    return f"{head}{opening}\n{body}{' ' * indent}{closing}{tail}"


def expr(text: str, *, indent: int, head: str = "") -> str:
    """`head + text` laid out: a call too long for one line is exploded, recursively."""
    full = head + text
    if fits(full, indent):
        return full
    call = split_call(text)
    if call is None:
        return full
    func, args = call
    return bracket(head + func, args, indent=indent)


def split_call(expr: str) -> tuple[str, list[str]] | None:
    """`f(a, b)` → (`f`, [`a`, `b`]) when `expr` is one call; None otherwise."""
    depth, start, quoted = 0, -1, False
    for i, ch in enumerate(expr):
        if ch == '"' and (i == 0 or expr[i - 1] != "\\"):
            quoted = not quoted
        if quoted:
            continue
        if ch in "([{":
            if depth == 0 and start == -1:
                if ch != "(" or i == 0:
                    return None
                start = i
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0 and i != len(expr) - 1:
                return None
    if start == -1:
        return None
    return expr[:start], split_args(expr[start + 1 : -1])


def split_args(text: str) -> list[str]:
    """Split a call's argument text at its top-level commas."""
    args: list[str] = []
    depth, current, quoted = 0, "", False
    for i, ch in enumerate(text):
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        if not quoted and ch in "([{":
            depth += 1
        elif not quoted and ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0 and not quoted:
            args.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        args.append(current.strip())
    return args


def split_top(text: str, sep: str) -> list[str]:
    """Split `text` at the occurrences of `sep` outside brackets and strings."""
    parts: list[str] = []
    depth, current, quoted = 0, "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if not quoted and ch in "([{":
            depth += 1
        elif not quoted and ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0 and not quoted:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return [p for p in parts if p]


def layout_annotation(text: str, *, indent: int, lead: int, tail: int, parens: bool) -> str:
    """An annotation laid out as ruff does when it is too long for its line.

    The annotation starts `lead` columns after `indent` and `tail` characters follow it.
    A subscript is exploded one item per line (with a trailing comma when it has several);
    a union breaks before each `|`, inside parentheses when `parens` (return annotations).
    """
    if indent + lead + len(text) + tail <= LINE:
        return text
    parts = split_top(text, "|")
    if len(parts) > 1:
        inner = indent + 4 if parens else indent
        lines = [layout_annotation(parts[0], indent=inner, lead=0 if parens else lead,
                                   tail=0, parens=False)]  # fmt: skip
        lines += ["| " + layout_annotation(p, indent=inner, lead=2, tail=0, parens=False)
                  for p in parts[1:]]  # fmt: skip
        if parens:
            pad = " " * inner
            return "(\n" + "".join(f"{pad}{line}\n" for line in lines) + " " * indent + ")"
        return f"\n{' ' * indent}".join(lines)
    if not text.endswith("]") or "[" not in text:
        return text
    head, inner_text = text[: text.index("[")], text[text.index("[") + 1 : -1]
    items = split_top(inner_text, ",")
    pad = " " * (indent + 4)
    if len(items) == 1:
        item = layout_annotation(items[0], indent=indent + 4, lead=0, tail=0, parens=False)
        return f"{head}[\n{pad}{item}\n{' ' * indent}]"
    body = "".join(
        f"{pad}{layout_annotation(i, indent=indent + 4, lead=0, tail=1, parens=False)},\n"
        for i in items
    )
    return f"{head}[\n{body}{' ' * indent}]"


def signature(
    name: str,
    params: Sequence[tuple[str, str | None]],
    returns: str,
    *,
    indent: int,
    stub: bool = False,
) -> str:
    """`def name(params) -> returns:` laid out as ruff does; `stub` appends ` ...`.

    Each parameter is (name, annotation or None); a `*` parameter has no annotation.
    """
    end = ": ..." if stub else ":"
    spelled = [p if a is None else f"{p}: {a}" for p, a in params]
    flat = f"def {name}({', '.join(spelled)}) -> {returns}{end}"
    if fits(flat, indent):
        return flat
    pad = " " * (indent + 4)
    lines = [f"def {name}("]
    for p, a in params:
        if a is None:
            lines.append(f"{pad}{p},")
        else:
            ann = layout_annotation(a, indent=indent + 4, lead=len(p) + 2, tail=1, parens=False)
            lines.append(f"{pad}{p}: {ann},")
    ret = layout_annotation(returns, indent=indent, lead=5, tail=len(end), parens=True)
    lines.append(f"{' ' * indent}) -> {ret}{end}")
    return "\n".join(lines)
