"""Python expressions as small trees, and their layout as `ruff format` writes it.

Input: expressions, annotations and signatures built by the generators out of `Atom`,
`Call`, `Subscript` and `Union` nodes; generated text is never parsed again. Output: source
text laid out for a given indentation.

Invariants: generated code is laid out the way `ruff format` would lay it out, at any line
length from 88 (ruff's default) up: a construct stays on one line when it fits in `LINE`
columns, and is otherwise exploded one item per line with a trailing comma, which ruff keeps
as it is. `flat` is always the one-line spelling, so a tree can be tested for fit before it
is laid out. Layout decisions only ever look at the tree, never at the text of a node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LINE = 88


@dataclass(frozen=True, slots=True)
class Atom:
    """Text that is never broken: a name, a literal, an attribute or subscript access, or a
    construct already laid out for the column it is placed at (then it holds newlines)."""

    text: str

    @property
    def flat(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Call:
    """`callee(arg, …)`; with an empty `callee`, a parenthesised tuple of `args`.

    A call too long for its line is exploded, one argument per line. A bare parenthesised
    group (no callee) is exploded only where a statement lays it out itself (`bracket`);
    inside another expression it stays on one line.
    """

    callee: str
    args: tuple[Expr, ...] = ()

    @property
    def flat(self) -> str:
        return f"{self.callee}({', '.join(a.flat for a in self.args)})"


@dataclass(frozen=True, slots=True)
class Subscript:
    """`base[item, …]`: a generic annotation (`list[int]`, `Result[T, E]`)."""

    base: str
    items: tuple[Expr, ...]

    @property
    def flat(self) -> str:
        return f"{self.base}[{', '.join(i.flat for i in self.items)}]"


@dataclass(frozen=True, slots=True)
class Union:
    """`a | b | …`: a union annotation; nested unions are flattened (see `union`)."""

    members: tuple[Expr, ...]

    @property
    def flat(self) -> str:
        return " | ".join(m.flat for m in self.members)


Expr = Atom | Call | Subscript | Union


def union(*members: Expr) -> Union:
    """`a | b`, with the members of nested unions spliced in (a union reads left to right)."""
    flat: list[Expr] = []
    for member in members:
        flat.extend(member.members if isinstance(member, Union) else (member,))
    return Union(tuple(flat))


def call(callee: str, *args: Expr | str) -> Call:
    """`callee(args)`, where a `str` argument is an `Atom`."""
    return Call(callee, tuple(Atom(a) if isinstance(a, str) else a for a in args))


# ---------------------------------------------------------------- statements and calls


def fits(text: str, indent: int) -> bool:
    """Whether `text` fits on one line that starts at column `indent`."""
    return "\n" not in text and indent + len(text) <= LINE


def bracket(
    head: str,
    items: Sequence[Expr],
    tail: str = "",
    *,
    indent: int,
    brackets: str = "()",
    following: int = 0,
) -> str:
    """`head(item, …)tail`, on one line if it fits (with `following` more characters
    after it on the line), else exploded (see `LINE`).

    Each exploded item is laid out by `lay_out` at `indent + 4`.
    """
    opening, closing = brackets[0], brackets[1]
    flat = f"{head}{opening}{', '.join(i.flat for i in items)}{closing}{tail}"
    if not items or fits(flat + " " * following, indent):
        return flat
    pad = " " * (indent + 4)
    body = "".join(f"{pad}{lay_out(item, indent=indent + 4, tail=',')},\n" for item in items)
    return f"{head}{opening}\n{body}{' ' * indent}{closing}{tail}"


def lay_out(expr: Expr, *, indent: int, head: str = "", tail: str = "") -> str:
    """`head` and `expr`, laid out at `indent` (and followed by `tail`, which is not
    written): a call too long for one line is exploded, recursively; anything else stays
    on one line."""
    full = head + expr.flat
    if fits(full + tail, indent) or not isinstance(expr, Call) or not expr.callee:
        return full
    return bracket(head + expr.callee, expr.args, indent=indent, following=len(tail))


def from_import(source: str, names: Sequence[str]) -> str:
    """`from source import a, b`, parenthesised and exploded when too long."""
    flat = f"from {source} import {', '.join(names)}"
    if fits(flat, 0):
        return flat
    return bracket(f"from {source} import ", [Atom(n) for n in names], indent=0)


def union_assignment(name: str, members: Sequence[str]) -> str:
    """`Name = A | B | C`; when too long, the union goes inside parentheses, on one line of
    its own if it fits there, else broken before each `|`."""
    union = " | ".join(members)
    flat = f"{name} = {union}"
    if fits(flat, 0) or len(members) == 1:
        return flat
    if fits(union, 4):
        return f"{name} = (\n    {union}\n)"
    return f"{name} = (\n    " + "\n    | ".join(members) + "\n)"


# ---------------------------------------------------------------- annotations and signatures


def lay_out_annotation(ann: Expr, *, indent: int, lead: int, tail: int, parens: bool) -> str:
    """An annotation laid out as ruff does when it is too long for its line.

    The annotation starts `lead` columns after `indent` and `tail` characters follow it.
    A subscript is exploded one item per line (with a trailing comma when it has several);
    a union breaks before each `|`, inside parentheses when `parens` (return annotations).
    """
    text = ann.flat
    if indent + lead + len(text) + tail <= LINE:
        return text
    if isinstance(ann, Union) and len(ann.members) > 1:
        if parens and fits(text, indent + 4):
            return f"(\n{' ' * (indent + 4)}{text}\n{' ' * indent})"
        inner = indent + 4 if parens else indent
        first, *rest = ann.members
        lines = [lay_out_annotation(first, indent=inner, lead=0 if parens else lead,
                                    tail=0, parens=False)]  # fmt: skip
        lines += ["| " + lay_out_annotation(m, indent=inner, lead=2, tail=0, parens=False)
                  for m in rest]  # fmt: skip
        if parens:
            pad = " " * inner
            return "(\n" + "".join(f"{pad}{line}\n" for line in lines) + " " * indent + ")"
        return f"\n{' ' * indent}".join(lines)
    if not isinstance(ann, Subscript):
        return text
    pad = " " * (indent + 4)
    if len(ann.items) == 1:
        item = lay_out_annotation(ann.items[0], indent=indent + 4, lead=0, tail=0, parens=False)
        return f"{ann.base}[\n{pad}{item}\n{' ' * indent}]"
    body = "".join(
        f"{pad}{lay_out_annotation(i, indent=indent + 4, lead=0, tail=1, parens=False)},\n"
        for i in ann.items
    )
    return f"{ann.base}[\n{body}{' ' * indent}]"


def attribute_annotation(name: str, ann: Expr, *, indent: int) -> str:
    """The annotation of a class attribute `name: ann` at `indent`, laid out as ruff does:
    a union too long for the line goes inside parentheses."""
    if indent + len(name) + 2 + len(ann.flat) <= LINE or not isinstance(ann, Union):
        return lay_out_annotation(ann, indent=indent, lead=len(name) + 2, tail=0, parens=False)
    return lay_out_annotation(ann, indent=indent, lead=len(name) + 2, tail=0, parens=True)


def signature(
    name: str,
    params: Sequence[tuple[str, Expr | None]],
    returns: Expr,
    *,
    indent: int,
    stub: bool = False,
    asynchronous: bool = False,
) -> str:
    """`def name(params) -> returns:` laid out as ruff does; `stub` appends ` ...`, and
    `asynchronous` makes it `async def`.

    Each parameter is (name, annotation or None); a `self` or `*` parameter has no
    annotation.
    """
    end = ": ..." if stub else ":"
    keyword = "async def" if asynchronous else "def"
    spelled = [p if a is None else f"{p}: {a.flat}" for p, a in params]
    flat = f"{keyword} {name}({', '.join(spelled)}) -> {returns.flat}{end}"
    if fits(flat, indent):
        return flat
    if not params:  # only the return annotation can break
        head = f"{keyword} {name}() -> "
        ret = lay_out_annotation(returns, indent=indent, lead=len(head), tail=len(end), parens=True)
        return f"{head}{ret}{end}"
    pad = " " * (indent + 4)
    lines = [f"{keyword} {name}("]
    for p, a in params:
        if a is None:
            lines.append(f"{pad}{p},")
        else:
            ann = lay_out_annotation(a, indent=indent + 4, lead=len(p) + 2, tail=1, parens=False)
            lines.append(f"{pad}{p}: {ann},")
    ret = lay_out_annotation(returns, indent=indent, lead=5, tail=len(end), parens=True)
    lines.append(f"{' ' * indent}) -> {ret}{end}")
    return "\n".join(lines)
