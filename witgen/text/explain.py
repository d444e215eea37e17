"""The long explanation of every diagnostic code: `witgen explain CODE` and docs/diagnostics.md.

Input: a code such as `WIT203` (or `wit203`, or `203`). Output: its entry as plain text for a
terminal (`explain`), or every entry as one Markdown document (`markdown`; running this module,
`python -m witgen.text.explain > docs/diagnostics.md`, writes it).

Invariants: `ENTRIES` holds one entry per code of `diagnostics.CODES`, in the same order, and
its title is that table's one-line description (never a second copy of it). Each example is
real: running its `command` in a directory holding its `files` makes witgen print exactly its
`output` on stderr, whose first diagnostic has the entry's code (or `reported_as`, for the
codes this version never reports); tests/test_explain.py runs every one. Nothing here imports
more than the code table, so `witgen explain` starts as fast as `witgen check`.
"""

from __future__ import annotations

from witgen._record import record
from witgen.text.diagnostics import CODES


@record
class Example:
    """A minimal input that triggers a diagnostic, and what witgen prints for it."""

    # (path relative to the working directory, text); written with `encoding`.
    files: tuple[tuple[str, str], ...]
    # The command line, as a user types it (`witgen check example.wit`).
    command: str
    # Its standard error, line by line (no trailing newline).
    output: tuple[str, ...]
    encoding: str = "utf-8"


@record
class Entry:
    code: str
    # Paragraphs separated by blank lines; Markdown-light (backticks), readable as plain text.
    explanation: str
    example: Example | None
    fix: str
    # The code the example reports, for a code this version never reports itself.
    reported_as: str | None = None

    @property
    def title(self) -> str:
        return CODES[self.code]


def _text(block: str) -> str:
    """A triple-quoted block without its first newline, its indentation or its last newline."""
    lines = block.removeprefix("\n").rstrip().split("\n")
    indent = min((len(x) - len(x.lstrip(" ")) for x in lines if x.strip()), default=0)
    return "\n".join(x[indent:] for x in lines)


def _wit(block: str) -> str:
    """A WIT file's text: `_text`, ending with a newline."""
    return _text(block) + "\n"


def _check(path: str) -> str:
    return f"witgen check {path}"


def _bindgen(path: str, *options: str) -> str:
    return " ".join(["witgen bindgen --lang python --host", path, *options, "-o", "out"])


def _example(wit: str, *output: str, command: str = "witgen check example.wit") -> Example:
    """An example of one file, `example.wit` (an indented triple-quoted block), checked."""
    return Example(files=(("example.wit", _wit(wit)),), command=command, output=output)


# A type nested 101 levels deep: ten lines of ten `list<`, then the innermost one.
_DEEP = "\n".join(["  type deep =", *["    " + "list<" * 10] * 10, "    list<u8" + ">" * 101 + ";"])

# A world with one exported function (for the options of `bindgen`).
_RUN = """
    package demo:ex;

    world app {
      export run: func();
    }
"""

# An async function: WIT403 (and what stands for WIT400, which it replaced).
_ASYNC = _example(
    """
        package demo:ex;

        world app {
          export fetch: async func(url: string) -> string;
        }
    """,
    "error[WIT403]: function `fetch` cannot be called through wasmtime-py: it is async",
    "     --> example.wit:4:10",
    "      |",
    "    4 |   export fetch: async func(url: string) -> string;",
    "      |          ^----",
    "      = help: pass `--skip-unsupported` to omit it",
    command=_bindgen("example.wit"),
)

ENTRIES: tuple[Entry, ...] = (
    Entry(
        code="WIT100",
        explanation=_text("""
            witgen reads a `.wit` file as a sequence of tokens: keywords, names, numbers,
            punctuation and comments. This error means it met text that is none of these: a
            character WIT has no use for (`$`, `#`, `?`, a zero-width space pasted from a web
            page), or a block comment `/*` whose `*/` never comes.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  f: func() -> u32 $;
                }
            """,
            "error[WIT100]: unexpected character '$'",
            "     --> example.wit:4:20",
            "      |",
            "    4 |   f: func() -> u32 $;",
            "      |                    ^",
        ),
        fix=_text("""
            Delete the character, or move it into a comment (comments may hold any text but the
            control and direction-changing characters of WIT107); close every `/*` with `*/`.
        """),
    ),
    Entry(
        code="WIT101",
        explanation=_text("""
            Every token is valid, but not in an order WIT's grammar allows: a missing `;` or
            `,`, a bracket left open, an item where it cannot go (a function outside an
            interface or world), or a keyword used as a name (`type`, `record`, `func`,
            `list`, `own`, `f32`, ...). The message says what witgen expected and what it
            found, in the words wasm-tools uses.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  record point { x: u32, type: u32 }
                }
            """,
            "error[WIT101]: expected an identifier or string, found keyword `type`",
            "     --> example.wit:4:26",
            "      |",
            "    4 |   record point { x: u32, type: u32 }",
            "      |                          ^---",
        ),
        fix=_text("""
            Add the missing punctuation, or move the item where it belongs. To use a keyword as
            a name, write it with a `%` in front (`%type: u32`); the `%` is not part of the name.
        """),
    ),
    Entry(
        code="WIT102",
        explanation=_text("""
            A WIT name is kebab-case: words separated by single `-`, each word starting with a
            letter and written either all in lowercase or all in uppercase (`http-URL-parser`
            and `x509-cert` are names; `Http-url`, `my_type`, `café`, `x--y` and `list-2x`
            are not). The message points at the first character that breaks the rule. A
            keyword used as a name is reported as WIT101.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  type my_type = string;
                }
            """,
            "error[WIT102]: invalid character in identifier '_'",
            "     --> example.wit:4:8",
            "      |",
            "    4 |   type my_type = string;",
            "      |        ^",
        ),
        fix=_text("""
            Spell the name in kebab-case: `my-type`. The code generators turn it into each
            language's convention (`MyType`, `my_type`).
        """),
    ),
    Entry(
        code="WIT103",
        explanation=_text("""
            Versions, in `package ns:name@VERSION`, in `use` and import paths and in
            `@since(version = ...)` / `@deprecated(version = ...)`, are semantic versions:
            `MAJOR.MINOR.PATCH`, optionally followed by `-pre.release` and `+build`, with no
            leading zeros and no spaces. `01.2.3` and `1.0.0-01` are not versions. (A version
            missing a number, `1.0`, is a syntax error, WIT101, as wasm-tools reports it.)
        """),
        example=Example(
            files=(("example.wit", "package demo:ex@01.2.3;\n"),),
            command=_check("example.wit"),
            output=(
                "error[WIT103]: invalid leading zero in major version number",
                "     --> example.wit:1:17",
                "      |",
                "    1 | package demo:ex@01.2.3;",
                "      |                 ^-----",
            ),
        ),
        fix="Write each number without leading zeros: `package demo:ex@1.2.3;`.",
    ),
    Entry(
        code="WIT104",
        explanation=_text("""
            WIT has three gates, each with one named argument: `@since(version = 1.2.0)`,
            `@unstable(feature = name)` and `@deprecated(version = 1.2.0)`, and
            `@external-id("...")`, at most once per item. Any other attribute name, or another
            argument name, is this error; so are attributes on a top-level `use` (as in
            wasm-tools, record fields, flags and cases take none: that is a syntax error).
        """),
        example=_example(
            """
                package demo:ex@1.0.0;

                interface api {
                  @unstable(since = 1.0.0)
                  f: func();
                }
            """,
            "error[WIT104]: expected `feature`, found `since`",
            "     --> example.wit:4:13",
            "      |",
            "    4 |   @unstable(since = 1.0.0)",
            "      |             ^----",
        ),
        fix=_text("""
            Use the argument the attribute takes: `@unstable(feature = fancy)` marks an item
            that exists only when the feature `fancy` is enabled; `@since(version = 1.0.0)`
            says in which version a stable item appeared.
        """),
    ),
    Entry(
        code="WIT105",
        explanation=_text("""
            A file may define several packages with blocks, `package ns:name { ... }`, but only
            at its top level: a package block inside another package block is refused, and
            blocks nest at most 100 deep. A package header or block takes no attributes, and
            only one of a package's `package` headers may carry doc comments.
        """),
        example=_example(
            """
                package demo:top;

                package demo:ex {
                  package demo:inner {
                  }
                }
            """,
            "error[WIT105]: nested packages must be placed at the top-level",
            "     --> example.wit:4:11",
            "      |",
            "    4 |   package demo:inner {",
            "      |           ^---------",
        ),
        fix="Move the inner block out, next to the other: `package demo:inner { }` on its own.",
    ),
    Entry(
        code="WIT106",
        explanation=_text("""
            A fixed-length list, `list<T, N>`, needs a size `N` that fits in 32 bits: at most
            4294967295. (A size of 0 is valid WIT, as in wasm-tools, but a component binary
            cannot hold it: `witgen encode` reports it as WIT314.)
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  type row = list<u32, 4294967296>;
                }
            """,
            "error[WIT106]: invalid list size: number too large to fit in target type",
            "     --> example.wit:4:24",
            "      |",
            "    4 |   type row = list<u32, 4294967296>;",
            "      |                        ^---------",
        ),
        fix=_text("""
            Give a smaller size, or use a list of any length, `list<u32>`. (The Python host
            bindings cannot pass fixed-length lists: see WIT405.)
        """),
    ),
    Entry(
        code="WIT107",
        explanation=_text("""
            A `.wit` file must be UTF-8. Even in comments, it may not contain control
            characters other than tab, newline and carriage return, nor the characters that
            change the direction of text (U+202A to U+202E, U+2066 to U+2069, U+200E, U+200F,
            U+061C) and a few that Unicode deprecates: they can make code look different
            from what it is.
        """),
        example=Example(
            files=(
                (
                    "example.wit",
                    _wit("""
                        package demo:ex;

                        // Café menu
                        interface menu {}
                    """),
                ),
            ),
            command=_check("example.wit"),
            output=(
                "error[WIT107]: failed to read file example.wit: stream did not contain valid "
                "UTF-8 (invalid byte at offset 24)",
            ),
            encoding="latin-1",
        ),
        fix=_text("""
            Save the file as UTF-8 (`iconv -f latin1 -t utf-8 example.wit`), and delete the
            invisible characters the message points at.
        """),
    ),
    Entry(
        code="WIT108",
        explanation=_text("""
            Every command that reads WIT also reads binaries: a WIT package encoded as
            WebAssembly, a component (its world), or a core module carrying `component-type`
            sections. This error means a `.wasm` input (or a file starting with `\\0asm`) is
            not one: it is cut short, corrupted, a text file with a `.wasm` name, or another
            kind of binary than the command needs. The message gives the byte offset, as
            `wasm-tools` does.
        """),
        example=Example(
            files=(("notes.wasm", "package demo:notes;\n"),),
            command=_check("notes.wasm"),
            output=(
                "error[WIT108]: failed to decode notes.wasm: invalid WebAssembly binary at "
                "offset 0 (0x0): not a WebAssembly binary (bad magic)",
            ),
        ),
        fix=_text("""
            Pass the `.wit` file or directory instead, or rebuild the binary;
            `wasm-tools validate FILE` says what is wrong with a binary.
        """),
    ),
    Entry(
        code="WIT109",
        explanation=_text("""
            witgen reads the WebAssembly text format of components (`.wat`), but only what
            describes a component's types, imports and exports: the form `wasm-tools print`
            writes for WIT packages and component types. Core modules, function bodies and
            other fields are outside that subset.
        """),
        example=Example(
            files=(("notes.wat", "(module (func $f))\n"),),
            command=_check("notes.wat"),
            output=("error[WIT109]: failed to parse notes.wat:1:1: expected `(component ...)`",),
        ),
        fix=_text("""
            Assemble the text with `wasm-tools parse notes.wat -o notes.wasm` and pass the
            `.wasm`, which witgen reads whole.
        """),
    ),
    Entry(
        code="WIT200",
        explanation=_text("""
            A path could not be read (it does not exist, permission is denied, the file is
            larger than 64 MiB), or an output could not be written. The message has the
            operating system's reason.
        """),
        example=Example(
            files=(),
            command=_check("wit"),
            output=("error[WIT200]: failed to read path wit: no such file or directory",),
        ),
        fix="Check the path and its permissions; witgen takes a `.wit` file or a directory.",
    ),
    Entry(
        code="WIT201",
        explanation=_text("""
            A type name is used that is not defined in the interface or world, not brought in
            with `use`, and not a built-in type (`u8` ... `u64`, `s8` ... `s64`, `f32`, `f64`,
            `bool`, `char`, `string`). A note suggests the closest name when there is one.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  f: func() -> strin;
                }
            """,
            "error[WIT201]: name `strin` does not exist",
            "     --> example.wit:4:16",
            "      |",
            "    4 |   f: func() -> strin;",
            "      |                ^----",
            "      = help: did you mean `string`?",
        ),
        fix=_text("""
            Correct the spelling, define the type, or import it from the interface that defines
            it: `use types.{point};` (or `use ns:pkg/types.{point};` from another package).
        """),
    ),
    Entry(
        code="WIT202",
        explanation=_text("""
            An `import`, `export`, `use` or `include` names an interface or world that the
            package does not define (or, for `ns:pkg/name`, that the package `ns:pkg` does not
            define). A plain name refers to the current package only.
        """),
        example=_example(
            """
                package demo:ex;

                world app {
                  import logging;
                }
            """,
            "error[WIT202]: interface or world `logging` does not exist",
            "     --> example.wit:4:10",
            "      |",
            "    4 |   import logging;",
            "      |          ^------",
        ),
        fix=_text("""
            Define `interface logging { ... }` in the package, or name the interface of another
            package in full (`import wasi:logging/logging@0.1.0;`) and put that package in
            `deps/`.
        """),
    ),
    Entry(
        code="WIT203",
        explanation=_text("""
            Two items of one scope have the same name: two types or functions of an
            interface, two fields of a record, two cases of a variant, two parameters, two
            methods of a resource, or two items of a file's top level. Names that differ only
            in case are the same name (`io-error` and `IO-error` clash).
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  type id = u32;
                  type id = u64;
                }
            """,
            "error[WIT203]: name `id` is defined more than once",
            "     --> example.wit:5:8",
            "      |",
            "    5 |   type id = u64;",
            "      |        ^-",
        ),
        fix="Rename or delete one of the two.",
    ),
    Entry(
        code="WIT204",
        explanation=_text("""
            A name refers to an item of the wrong kind: `include` takes a world, and `use`
            (inside an interface or world) takes an interface.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {}

                world app {
                  include api;
                }
            """,
            "error[WIT204]: name `api` is defined as an interface, not a world",
            "     --> example.wit:6:11",
            "      |",
            "    6 |   include api;",
            "      |           ^--",
        ),
        fix=_text("""
            To make an interface part of a world, `import api;` or `export api;`; `include`
            copies the imports and exports of another world.
        """),
    ),
    Entry(
        code="WIT205",
        explanation=_text("""
            A `use`, `import`, `export` or `include` names a package (`ns:pkg`, at a version)
            that is neither the current package nor one found in `deps/`. The message lists
            the packages witgen knows. Dependencies live in the `deps/` directory next to the
            package's `.wit` files: one subdirectory (or one `.wit` file, or one `.wasm`
            package) per package, and the version must match exactly.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  use wasi:clocks/wall-clock@0.2.0.{datetime};
                }
            """,
            "error[WIT205]: package 'wasi:clocks@0.2.0' not found. known packages:",
            "    demo:ex",
            "     --> example.wit:4:7",
            "      |",
            "    4 |   use wasi:clocks/wall-clock@0.2.0.{datetime};",
            "      |       ^----------",
        ),
        fix=_text("""
            Make the package a directory (`wit/api.wit`), and put the dependency's `.wit` files
            in `wit/deps/clocks/`; then `witgen check wit`.
        """),
    ),
    Entry(
        code="WIT206",
        explanation=_text("""
            Every package declares its name, `package ns:name;` (optionally `@version`), in at
            least one of its files. This error means no file has that line, or a directory
            holds no `.wit` file at all.
        """),
        example=_example(
            """
                interface api {
                  f: func();
                }
            """,
            "error[WIT206]: no `package` header was found in any WIT file for this package",
        ),
        fix="Start the file with `package demo:ex;`.",
    ),
    Entry(
        code="WIT207",
        explanation=_text("""
            One package is defined in two places: two files of one directory declare
            different packages (a directory is one package), or two entries of `deps/` hold
            the same package.
        """),
        example=Example(
            files=(
                ("wit/a.wit", "package demo:ex;\n"),
                ("wit/b.wit", "package demo:other;\n"),
            ),
            command=_check("wit"),
            output=(
                "error[WIT207]: package identifier `demo:other` does not match previous package "
                "name of `demo:ex`",
                "     --> wit/b.wit:1:9",
                "      |",
                "    1 | package demo:other;",
                "      |         ^---------",
            ),
        ),
        fix=_text("""
            Give every file of a directory the same `package` line (or none); move another
            package to `deps/`, or into a `package demo:other { ... }` block.
        """),
    ),
    Entry(
        code="WIT208",
        explanation=_text("""
            This version of witgen does not report WIT208. A name brought in by a `use`,
            `include` or import that conflicts with another is reported as a duplicate name
            (WIT203), a repeated import (WIT308), a conflicting world item (WIT309) or a
            shadowing `include` (WIT311), as wasm-tools reports them.
        """),
        example=_example(
            """
                package demo:ex;

                interface types {}

                use types as api;

                interface api {}
            """,
            "error[WIT203]: duplicate name `api` in this file",
            "     --> example.wit:7:11",
            "      |",
            "    7 | interface api {}",
            "      |           ^--",
        ),
        fix="See the code reported.",
        reported_as="WIT203",
    ),
    Entry(
        code="WIT209",
        explanation=_text("""
            A `use iface.{name}` asks for a name the interface does not define (nor bring in
            with a `use` of its own).
        """),
        example=_example(
            """
                package demo:ex;

                interface types {
                  type id = u32;
                }

                interface api {
                  use types.{ident};
                }
            """,
            "error[WIT209]: name `ident` does not exist",
            "     --> example.wit:8:14",
            "      |",
            "    8 |   use types.{ident};",
            "      |              ^----",
        ),
        fix="Correct the name (`use types.{id};`), or define it in the interface.",
    ),
    Entry(
        code="WIT210",
        explanation=_text("""
            A world was asked for that the package does not have: with `--world NAME` (or
            `-w`) of `bindgen` and `embed`, or with `include ns:pkg/name`. Without `--world`,
            the package must have exactly one world.
        """),
        example=_example(
            _RUN,
            "error[WIT210]: world `ap` not found in package `demo:ex`",
            command=_bindgen("example.wit", "--world ap"),
        ),
        fix=_text("""
            Name a world of the package (`--world app`), or its full id
            (`--world demo:ex/app`).
        """),
    ),
    Entry(
        code="WIT300",
        explanation=_text("""
            Something depends on itself. WIT has no recursive types: a record, variant, list or
            option cannot contain itself, directly or through other types. Interfaces whose
            `use` statements form a loop, worlds that include each other and packages that
            depend on each other are refused too.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  record node { value: u32, next: option<node> }
                }
            """,
            "error[WIT300]: type `node` depends on itself",
            "     --> example.wit:4:42",
            "      |",
            "    4 |   record node { value: u32, next: option<node> }",
            "      |                                          ^---",
        ),
        fix=_text("""
            Flatten the structure: a `list<node>` whose `next` fields are indices
            (`next: option<u32>`), or a `resource node` whose methods return other nodes
            (`next: func() -> option<node>;`). Break a loop of interfaces by moving the shared
            types into an interface both `use`.
        """),
    ),
    Entry(
        code="WIT301",
        explanation=_text("""
            A record, variant, enum, flags or tuple has no fields or cases. WIT has no empty
            types.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  record empty {}
                }
            """,
            "error[WIT301]: empty record",
            "     --> example.wit:4:10",
            "      |",
            "    4 |   record empty {}",
            "      |          ^----",
        ),
        fix=_text("""
            Leave the type out: a function without parameters takes `()`, one without a result
            has no `->`, and a variant case without data is written without a payload
            (`variant event { started, stopped(u32) }`).
        """),
    ),
    Entry(
        code="WIT302",
        explanation="A `flags` type has at most 32 flags.",
        example=_example(
            """
                package demo:ex;

                interface api {
                  flags many {
                    x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
                    x11, x12, x13, x14, x15, x16, x17, x18, x19, x20,
                    x21, x22, x23, x24, x25, x26, x27, x28, x29, x30,
                    x31, x32,
                  }
                }
            """,
            "error[WIT302]: cannot have more than 32 flags",
            "     --> example.wit:8:10",
            "      |",
            "    8 |     x31, x32,",
            "      |          ^--",
        ),
        fix=_text("""
            Split the flags into two types (two fields of a record), or use a list of an enum,
            `list<permission>`.
        """),
    ),
    Entry(
        code="WIT303",
        explanation=_text("""
            `own<T>` and `borrow<T>` are handles: `T` must be a resource. (The same code
            reports a `map` key that is not an integer, `bool`, `char` or `string`.)
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  record point { x: u32 }
                  f: func(p: borrow<point>);
                }
            """,
            "error[WIT303]: type `point` used in a handle must be a resource",
            "     --> example.wit:5:21",
            "      |",
            "    5 |   f: func(p: borrow<point>);",
            "      |                     ^----",
        ),
        fix="Pass a record by value: `f: func(p: point);`.",
    ),
    Entry(
        code="WIT304",
        explanation=_text("""
            A `borrow<T>` lends a resource for the duration of one call, so it may appear only
            in parameters. A function cannot return one, nor a type holding one.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  resource file;
                  open: func() -> borrow<file>;
                }
            """,
            "error[WIT304]: function `open` returns a type which contains a `borrow<T>` "
            "which is not supported",
            "     --> example.wit:5:3",
            "      |",
            "    5 |   open: func() -> borrow<file>;",
            "      |   ^---",
        ),
        fix="Return the resource itself (an `own`): `open: func() -> file;`.",
    ),
    Entry(
        code="WIT305",
        explanation=_text("""
            A resource's constructor returns the new resource. It may declare a result only to
            say that it can fail, and then it must be `result<R>` or `result<R, E>` with `R`
            the resource itself. (Two members with one name are WIT203.)
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  resource file {
                    constructor(path: string) -> u32;
                  }
                }
            """,
            "error[WIT305]: if a constructor return type is declared it must be a `result`",
            "     --> example.wit:5:34",
            "      |",
            "    5 |     constructor(path: string) -> u32;",
            "      |                                  ^--",
        ),
        fix=_text("""
            Leave the result out (`constructor(path: string);`), or make a failing constructor
            return `result<file, error-code>`; other values come from a method or a `static`
            function.
        """),
    ),
    Entry(
        code="WIT306",
        explanation=_text("""
            The feature-gate attributes follow rules: an item is either `@since` (stable) or
            `@unstable`, never both; each attribute appears once; `@deprecated` goes with a
            `@since` or an `@unstable`; a package using `@since` needs a version, and an item
            cannot be stable since a version later than the package's.
        """),
        example=_example(
            """
                package demo:ex@0.2.0;

                interface api {
                  @since(version = 0.2.0)
                  @unstable(feature = fancy)
                  f: func();
                }
            """,
            "error[WIT306]: cannot specify both @since and @unstable",
            "     --> example.wit:4:4",
            "      |",
            "    4 |   @since(version = 0.2.0)",
            "      |    ^----",
        ),
        fix="Keep the attribute that says what the item is: stable since 0.2.0, or unstable.",
    ),
    Entry(
        code="WIT307",
        explanation=_text("""
            An item gated by `@unstable(feature = name)` exists only when that feature is
            enabled (`--features name` or `--all-features`). Here an item that is always
            present uses one that is not; or an ungated type belongs to a gated interface or
            world that the feature left out.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  @unstable(feature = fancy)
                  type id = u32;
                  f: func(x: id);
                }
            """,
            "error[WIT307]: found a reference to a type which is excluded due to its feature "
            "not being activated",
            "     --> example.wit:6:3",
            "      |",
            "    6 |   f: func(x: id);",
            "      |   ^",
        ),
        fix=_text("""
            Gate the user the same way (`@unstable(feature = fancy)` on `f`), or enable the
            feature: `witgen check --features fancy example.wit`.
        """),
    ),
    Entry(
        code="WIT308",
        explanation=_text("""
            A world imports (or exports) one interface twice, or exports an interface whose
            dependencies it would have to both import and export.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {}

                world app {
                  import api;
                  import api;
                }
            """,
            "error[WIT308]: interface cannot be imported more than once",
            "     --> example.wit:7:10",
            "      |",
            "    7 |   import api;",
            "      |          ^--",
        ),
        fix=_text("""
            Import it once. For the dependency case, export the interfaces it uses as well,
            or import the exported interface instead.
        """),
    ),
    Entry(
        code="WIT309",
        explanation=_text("""
            Two imports of a world (or two exports) have the same name: two functions, or a
            function and an inline interface. A world's imports and exports are separate
            namespaces, so an import and an export may share a name.
        """),
        example=_example(
            """
                package demo:ex;

                world app {
                  import run: func();
                  import run: func(x: u32);
                }
            """,
            "error[WIT309]: import `run` conflicts with prior func of same name",
            "     --> example.wit:5:10",
            "      |",
            "    5 |   import run: func(x: u32);",
            "      |          ^--",
        ),
        fix="Give one of them another name (`import run-with: func(x: u32);`).",
    ),
    Entry(
        code="WIT310",
        explanation=_text("""
            A function's name is used where a type is expected, or `use` asks for a function:
            `use` brings in types only.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  f: func();
                  g: func(x: f);
                }
            """,
            "error[WIT310]: cannot use function `f` as a type",
            "     --> example.wit:5:14",
            "      |",
            "    5 |   g: func(x: f);",
            "      |              ^",
        ),
        fix="Name a type there; call functions from the code that implements the interface.",
    ),
    Entry(
        code="WIT311",
        explanation=_text("""
            An `include` would add an import or export whose name the world already has, or
            its `with { a as b }` renames a name the included world does not have.
        """),
        example=_example(
            """
                package demo:ex;

                world base {
                  import log: func(msg: string);
                }

                world app {
                  import log: func(msg: string);
                  include base;
                }
            """,
            "error[WIT311]: import of `log` shadows previously imported items",
            "     --> example.wit:9:11",
            "      |",
            "    9 |   include base;",
            "      |           ^---",
        ),
        fix=_text("""
            Rename what the included world brings: `include base with { log as base-log }`,
            or drop the world's own copy.
        """),
    ),
    Entry(
        code="WIT312",
        explanation=_text("""
            This version of witgen does not report WIT312. `async` where WIT does not allow it
            (on a constructor, say) is a syntax error, WIT101, as wasm-tools reports it.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {
                  resource r {
                    constructor: async func();
                  }
                }
            """,
            "error[WIT101]: expected '(', found ':'",
            "     --> example.wit:5:16",
            "      |",
            "    5 |     constructor: async func();",
            "      |                ^",
        ),
        fix="See the code reported.",
        reported_as="WIT101",
    ),
    Entry(
        code="WIT313",
        explanation=_text("""
            Types may nest at most 100 levels deep (`list<list<...>>`), as in wasm-tools;
            deeper nesting would overflow the tools that read it.
        """),
        example=Example(
            files=(("example.wit", f"package demo:ex;\n\ninterface api {{\n{_DEEP}\n}}\n"),),
            command=_check("example.wit"),
            output=(
                "error[WIT313]: type nesting too deep",
                "     --> example.wit:15:5",
                "      |",
                "   15 |     list<u8" + ">" * 101 + ";",
                "      |     ^---",
            ),
        ),
        fix="Name the inner types (`type row = list<u8>;`): a named type starts a new count.",
    ),
    Entry(
        code="WIT314",
        explanation=_text("""
            WIT accepts a few names that a component binary cannot hold, and wasm-tools'
            validator rejects the binary it encodes for them: two interfaces, worlds or
            imports whose names differ only in case, or an uppercase package namespace. The
            same goes for a fixed-length list of size 0 (`list<u8, 0>`), and for types over
            the validator's limits: types nested 100 deep (`list<list<...>>`, records of
            records), a component type whose types add up to more than 1,000,000 parts (a
            chain of interfaces each using the one before, hundreds long), a component type
            with more than 4,096 instances (an interface using types of 4,096 others), a value
            of 2^28 bytes or more (`list<u64, 33554432>`), a record, variant, enum or tuple
            of more than 10,000 items, a function of more than 1,000 parameters, a name of
            more than 100,000 bytes. `witgen encode` reports the item
            instead of writing such a binary, and `witgen bindgen` refuses a world over a
            limit: no component can have it.
        """),
        example=_example(
            """
                package demo:ex;

                interface api {}
                interface API {}
            """,
            "error[WIT314]: cannot encode the package: export name `API` conflicts with "
            "previous name `api`",
            "     --> example.wit:4:11",
            "      |",
            "    4 | interface API {}",
            "      |           ^--",
            "      = help: WIT allows it, but a component binary cannot hold it (wasm-tools "
            "rejects it too)",
            command="witgen encode example.wit -o example.wasm",
        ),
        fix="Rename one of the two so that they differ by more than case.",
    ),
    Entry(
        code="WIT400",
        explanation=_text("""
            This version of witgen does not report WIT400. Each construct the Python host
            bindings cannot express has a code of its own: WIT403 (async), WIT404 (streams,
            futures, error contexts), WIT405 (maps, fixed-length lists), WIT406 (values
            wasmtime-py would send as another case) and WIT407 (handles to WASI's resources).
        """),
        example=_ASYNC,
        fix="See the code reported.",
        reported_as="WIT403",
    ),
    Entry(
        code="WIT401",
        explanation=_text("""
            Two WIT names of one generated module would become the same Python class name.
            Valid WIT cannot currently produce this: names that differ only in case are
            already refused (WIT203), and a generated name (`Host`, `<World>Imports`, a
            resource's `<R>Class`) that meets a WIT name gets a trailing `_` instead. witgen
            keeps the check so that it never writes a package in which one class silently
            replaces another.
        """),
        example=None,
        fix="Rename one of the two WIT items the message names.",
    ),
    Entry(
        code="WIT402",
        explanation=_text("""
            The generated bindings are a Python package named after the world (`my-app` gives
            `my_app`) or after `--package NAME`, which must then be a Python identifier that
            does not start with `_`.
        """),
        example=_example(
            _RUN,
            "error[WIT402]: `2fast` is not a valid Python package name",
            command=_bindgen("example.wit", "--package 2fast"),
        ),
        fix="Pick a name such as `--package fast2`, or leave `--package` out.",
    ),
    Entry(
        code="WIT403",
        explanation=_text("""
            wasmtime-py calls component functions synchronously only, so the host bindings
            cannot call (or implement) an `async func`. Without `--skip-unsupported` this is
            an error; with it, a warning, and the function is left out of the bindings.
        """),
        example=_ASYNC,
        fix=_text("""
            Declare the function without `async` if you own the WIT, or pass
            `--skip-unsupported` to bind the rest of the world.
        """),
    ),
    Entry(
        code="WIT404",
        explanation=_text("""
            wasmtime-py cannot pass a `stream<T>`, a `future<T>` or an `error-context`, so a
            function that takes or returns one (even inside another type) cannot be bound,
            and a type that holds one is left out of the bindings. `--skip-unsupported` turns
            the error into a warning that omits the function.
        """),
        example=_example(
            """
                package demo:ex;

                world app {
                  export read: func() -> stream<u8>;
                }
            """,
            "error[WIT404]: function `read` cannot be called through wasmtime-py: it uses "
            "`stream<u8>`",
            "     --> example.wit:4:10",
            "      |",
            "    4 |   export read: func() -> stream<u8>;",
            "      |          ^---",
            "      = help: pass `--skip-unsupported` to omit it",
            command=_bindgen("example.wit"),
        ),
        fix=_text("""
            Pass `--skip-unsupported`, or, if you own the WIT, move the data in pieces through
            a resource: `resource reader { read: func(max: u32) -> list<u8>; }`, the empty
            list meaning the end.
        """),
    ),
    Entry(
        code="WIT405",
        explanation=_text("""
            wasmtime-py cannot pass a `map<K, V>` or a fixed-length `list<T, N>`, so a function
            that takes or returns one (even inside another type) cannot be bound, and a type
            that holds one is left out of the bindings. `--skip-unsupported` turns the error
            into a warning that omits the function.
        """),
        example=_example(
            """
                package demo:ex;

                world app {
                  export counts: func() -> map<string, u32>;
                }
            """,
            "error[WIT405]: function `counts` cannot be called through wasmtime-py: it uses "
            "`map<string, u32>`",
            "     --> example.wit:4:10",
            "      |",
            "    4 |   export counts: func() -> map<string, u32>;",
            "      |          ^-----",
            "      = help: pass `--skip-unsupported` to omit it",
            command=_bindgen("example.wit"),
        ),
        fix=_text("""
            If you own the WIT, use a list of pairs, `list<tuple<string, u32>>`, for a map, and
            `list<T>` (or a tuple or record) for a fixed-length list; otherwise pass
            `--skip-unsupported`.
        """),
    ),
    Entry(
        code="WIT406",
        explanation=_text("""
            A warning: the bindings are written, but one case of a type cannot be sent. When
            the cases of a variant, option or result carry values of different Python
            classes, wasmtime-py sends a bare value and picks the case from its class; a case
            whose values an earlier case also accepts is then sent as that earlier case. In
            `result<option<u64>, string>`, the `ok` side is an option, whose "none" case
            wasmtime-py counts as matching any value, so an `err` string would be taken for
            `ok`; in `variant { num(u32), flag(bool) }`, `flag(true)` would go out as
            `num(1)` (a Python `bool` is an `int`). Rather than send a wrong value, the
            bindings raise: passing such a case to a guest function raises `Trap` before
            anything runs (the instance stays usable), and a host implementation returning
            one makes the guest's call fail with `Trap`.
        """),
        example=_example(
            """
                package demo:ex;

                world app {
                  import size-of: func(key: string) -> result<option<u64>, string>;
                }
            """,
            "warning[WIT406]: function `size-of`: wasmtime-py cannot send case `err` of "
            "`result<option<u64>, string>` (it would send an earlier case); a host "
            "implementation returning it makes the guest call raise `Trap` instead",
            "     --> example.wit:4:10",
            "      |",
            "    4 |   import size-of: func(key: string) -> result<option<u64>, string>;",
            "      |          ^------",
            "      = help: declare a variant instead, with a case of its own for the missing "
            "value: `variant lookup { found(u64), missing, failed(string) }`",
            command=_bindgen("example.wit"),
        ),
        fix=_text("""
            Change the WIT so that every case is distinct. For `result<option<T>, E>`, use a
            variant with a case for the missing value:

                variant size-lookup { missing, found(u64), failed(string) }
                size-of: func(key: string) -> size-lookup;

            For a variant whose payloads are `bool` and an integer, put the `bool` case first
            (`variant num-or-flag { flag(bool), num(u32) }`). Both need the guest rebuilt.
        """),
    ),
    Entry(
        code="WIT407",
        explanation=_text("""
            The host bindings leave the WASI interfaces that wasmtime implements to wasmtime
            (`add_to_linker(..., wasi=True)`), and wasmtime-py cannot pass the handles of
            WASI's resources (`wasi:io/streams.output-stream`,
            `wasi:filesystem/types.descriptor`, ...) between Python and a guest. A function
            that takes or returns one cannot be bound; `--skip-unsupported` turns the error
            into a warning that omits it.
        """),
        example=Example(
            files=(
                (
                    "wit/app.wit",
                    _wit("""
                        package demo:ex;

                        world app {
                          use wasi:io/streams@0.2.0.{output-stream};
                          export dump: func(out: borrow<output-stream>);
                        }
                    """),
                ),
                (
                    "wit/deps/io/streams.wit",
                    _wit("""
                        package wasi:io@0.2.0;

                        interface streams {
                          resource output-stream;
                        }
                    """),
                ),
            ),
            command=_bindgen("wit"),
            output=(
                "error[WIT407]: function `dump` cannot be called through wasmtime-py: it uses "
                "`borrow<output-stream>`, a resource that WASI implements and wasmtime-py "
                "cannot pass",
                "     --> wit/app.wit:5:10",
                "      |",
                "    5 |   export dump: func(out: borrow<output-stream>);",
                "      |          ^---",
                "      = help: pass `--skip-unsupported` to omit it",
            ),
        ),
        fix=_text("""
            Pass `--skip-unsupported`, or, if you own the WIT, pass data instead of the handle
            (`dump: func() -> list<u8>`, the host writing it where it wants).
        """),
    ),
    Entry(
        code="WIT408",
        explanation=_text("""
            When componentize-py builds a component, it looks up the classes of an exported
            interface's resources in a top-level module of the app named like the interface's
            module in the bindings (`types.py` for `wasi:http/types`). If that name is also a
            module of Python's standard library (`types`, `json`, `io`, ...), the app's module
            hides the standard one, from the app and from everything it imports. witgen cannot
            move the lookup, which happens in componentize-py; it warns, and the fix is to give
            the module another name.
        """),
        example=_example(
            """
                package demo:ex;

                interface types {
                  resource blob {
                    constructor();
                  }
                }

                world app {
                  export types;
                }
            """,
            "warning[WIT408]: the resources of exported interface `demo:ex/types` must be "
            "classes of a top-level module `types`, which hides the standard library's `types`",
            "     --> example.wit:3:11",
            "      |",
            "    3 | interface types {",
            "      |           ^----",
            "      = help: name the module otherwise: `--export-interface-name demo:ex/types=NAME`",
            command="witgen bindgen --lang python example.wit -o out",
        ),
        fix=_text("""
            Pass `--export-interface-name demo:ex/types=blobs` (the same option when you run
            `componentize-py`), and put the resource classes in `blobs.py`.
        """),
    ),
    Entry(
        code="WIT409",
        explanation=_text("""
            Some outputs rest on a package that a plain `pip install witgen` leaves out, so
            that the pre-commit hook and the bindings generators install quickly. The HTML
            site of `witgen docs` renders its pages with markdown-it-py, which comes with the
            `docs` extra. witgen stops before writing anything.
        """),
        example=None,
        fix="Install the extra the message names: `pip install 'witgen[docs]'`.",
    ),
)

_BY_CODE = {entry.code: entry for entry in ENTRIES}


def _code(text: str) -> str:
    """`WIT203` from `WIT203`, `wit203` or `203`."""
    text = text.strip().upper()
    return "WIT" + text if text.isdigit() else text


def entry(code: str) -> Entry | None:
    """The entry of `code` (see `_code` for the spellings accepted), or None."""
    return _BY_CODE.get(_code(code))


# ---------------------------------------------------------------- plain text (terminal)


def _indented(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.split("\n"))


def explain(code: str) -> str | None:
    """The entry of `code` as plain text for a terminal, or None for an unknown code."""
    found = entry(code)
    if found is None:
        return None
    parts = [f"{found.code}: {found.title}", found.explanation]
    if found.example is not None:
        for path, text in found.example.files:
            parts.append(f"Example, {_file_label(path, found.example.encoding)}:")
            parts.append(_indented(text.rstrip("\n")))
        parts.append(f"$ {found.example.command}")
        parts.append(_indented("\n".join(found.example.output)))
    parts.append("Fix: " + found.fix)
    return "\n\n".join(parts) + "\n"


def _file_label(path: str, encoding: str) -> str:
    return path if encoding == "utf-8" else f"{path} (saved as {encoding.title()})"


# ---------------------------------------------------------------- Markdown (docs/diagnostics.md)

_INTRO = """\
# Diagnostics

Every problem witgen reports has a code: `error[WIT203]: name ...`, the `code` field of
`--format json`, the `ruleId` of `--format sarif`. This page has one entry per code: what it
means, a minimal input that triggers it with what witgen prints, and the fix.
`witgen explain WIT203` prints the same entry in a terminal.

Codes are grouped by hundreds: WIT1xx for syntax, WIT2xx for names, packages and files,
WIT3xx for the rules of the language, WIT4xx for what the Python bindings cannot
express. A code is never reused; the few this version does not report say what is reported
instead. Errors make the command fail (exit code 1); warnings do not.

This file is generated from `witgen/text/explain.py` by
`python -m witgen.text.explain > docs/diagnostics.md`; edit that module, not this file.
"""


def _markdown_entry(found: Entry) -> str:
    parts = [f"## {found.code}", f"**{found.title}**", found.explanation]
    if found.example is None:
        parts.append("No input reproduces it at present.")
    else:
        for path, text in found.example.files:
            parts.append(f"`{_file_label(path, found.example.encoding)}`:")
            parts.append(f"```wit\n{text}```")
        parts.append(f"`{found.example.command}` prints:")
        parts.append("```text\n" + "\n".join(found.example.output) + "\n```")
    parts.append("**Fix.** " + found.fix)
    return "\n\n".join(parts)


def markdown() -> str:
    """Every entry as one Markdown document: docs/diagnostics.md."""
    index = ["| code | meaning |", "|---|---|"]
    index += [f"| [{e.code}](#{e.code.lower()}) | {e.title} |" for e in ENTRIES]
    body = [_INTRO, "\n".join(index), *(_markdown_entry(e) for e in ENTRIES)]
    return "\n\n".join(part.rstrip("\n") for part in body) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown())
