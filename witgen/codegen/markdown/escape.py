"""Untrusted text (WIT doc comments, names) made safe to put into generated Markdown.

Input: a doc comment as the model holds it (markers removed, lines joined by `\\n`), or a
name or a WIT signature. Output: Markdown text. `assembly.py` builds the view models of
the pages with these `md_*` functions: docs and names reach a page only through them.

Invariants, whatever the input:
- No raw HTML: every `<` becomes `&lt;` except inside a code block or a code span, which
  CommonMark shows literally, and in an `<http(s)://…>` autolink. Code is only ever what
  these functions decided is code: a doc's fenced block is written again at column 0 with
  a fence longer than any run in it, and closed even when the doc leaves it open; a code
  span is kept only when both of its backtick runs are on one line (no `|` on it, which a
  table could split), and every other backtick is escaped, so a renderer finds exactly the
  spans found here and nothing outside them is code.
- No structure beyond the doc's own block: an ATX heading (`# Typical errors`) becomes a
  bold line between blank lines, a line of `-` under text becomes a thematic break (a
  blank line before it) and a line of `=` stays text, so no doc adds a heading to the
  page; the result never ends inside a fence.
- Text is kept otherwise: indentation, lists, emphasis, links, and code blocks (an
  indented code block after a blank line outside a list is written as a fenced one).
"""

from __future__ import annotations

import re

# A fence opening: up to three spaces, then three or more backticks or tildes.
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
# An ATX heading: up to three spaces, one to six `#`, then a space or the end.
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(-+|=+)[ \t]*$")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
# A line that is neither blank nor text starting with a letter after at most three spaces
# (a letter starts no fence, heading, underline, list item or indented code), searched for
# in "\n" + the doc: a pattern that starts with a newline is found fast.
_BLOCK_START = re.compile(r"\n(?![^\S\n]*(?:\n|$)| {0,3}[^\W\d_])")
_AUTOLINK = re.compile(r"<https?://[^\s<>`]*>")
_BACKTICKS = re.compile(r"`+")
_NOT_INFO = re.compile(r"[^A-Za-z0-9_+.-]")
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def _fence_for(lines: list[str]) -> str:
    """A fence of backticks longer than any run of them in `lines` (at least three)."""
    longest = max((len(run) for line in lines for run in _BACKTICKS.findall(line)), default=0)
    return "`" * max(3, longest + 1)


def md_code_block(text: str, info: str = "") -> str:
    """`text` as a fenced code block whose fence no line of it can close."""
    if "`" not in text:
        return f"```{md_info(info)}\n{text}\n```"
    lines = text.split("\n")
    fence = _fence_for(lines)
    return "\n".join([fence + md_info(info), *lines, fence])


def md_info(info: str) -> str:
    """An info string (language) of a fence: one word of letters, digits and `-+._`."""
    word = info.split()[0] if info.split() else ""
    return _NOT_INFO.sub("", word)


def md_code(text: str) -> str:
    """`text` as one inline code span, on one line (newlines become spaces)."""
    if text and "`" not in text and "\n" not in text and text[0] != " " and text[-1] != " ":
        return f"`{text}`"  # most names: nothing to pad or to fence longer
    flat = " ".join(text.split("\n"))
    runs = [len(run) for run in _BACKTICKS.findall(flat)]
    ticks = "`" * (max(runs, default=0) + 1)
    pad = " " if flat.startswith(("`", " ")) or flat.endswith(("`", " ")) else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def md_text(text: str) -> str:
    """`text` shown literally inside a line: every ASCII punctuation mark backslash-escaped,
    newlines as spaces."""
    flat = " ".join(text.split("\n"))
    return _PUNCTUATION.sub(r"\\\1", flat)


_SPECIAL = re.compile(r"[`<\\]")


def _inline(line: str) -> str:
    """One line of text: `<` escaped outside code spans and autolinks; a code span kept only
    when it closes on this line (and the line has no `|`); other backticks escaped."""
    if "<" not in line and "\\" not in line:  # most lines
        if "`" not in line:
            return line
        if "|" in line:
            return line.replace("`", "\\`")
        if _spans_close(line):
            return line
    spans = "|" not in line
    out: list[str] = []
    i = 0
    while i < len(line):
        special = _SPECIAL.search(line, i)
        if special is None:  # plain text to the end
            out.append(line[i:])
            break
        if special.start() > i:
            out.append(line[i : special.start()])
            i = special.start()
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            out.append(line[i : i + 2])
            i += 2
        elif ch == "`":
            run = _BACKTICKS.match(line, i)
            assert run is not None
            n = len(run.group())
            close = _closing_run(line, run.end(), n) if spans else -1
            if close >= 0:
                out.append(line[i : close + n])
                i = close + n
            else:
                out.append("\\`" * n)
                i += n
        elif ch == "<":
            link = _AUTOLINK.match(line, i)
            if link is not None:
                out.append(link.group())
                i = link.end()
            else:
                out.append("&lt;")
                i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _spans_close(line: str) -> bool:
    """Whether every run of backticks in `line` opens or closes a code span, so that
    `_inline` keeps them all (each opening run is closed by the next run of its length)."""
    lengths = [len(run) for run in _BACKTICKS.findall(line)]
    i = 0
    while i < len(lengths):
        try:
            i = lengths.index(lengths[i], i + 1) + 1
        except ValueError:
            return False
    return True


def _closing_run(line: str, start: int, n: int) -> int:
    """Where the next run of exactly `n` backticks starts in `line`, or -1."""
    for run in _BACKTICKS.finditer(line, start):
        if len(run.group()) == n:
            return run.start()
    return -1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def md_doc(text: str | None) -> str:
    """A doc comment as a Markdown block that cannot break the page around it (see the
    module's invariants); "" for no doc. No line ends with spaces the doc did not have."""
    if text is None or not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if _BLOCK_START.search("\n" + text) is None:
        # Most docs: paragraphs of text, every line blank or starting with a letter.
        paragraphs = [_inline(line) if line.strip() else "" for line in lines]
        while paragraphs[-1] == "":
            paragraphs.pop()
        return "\n".join(paragraphs)
    out: list[str] = []
    i = 0
    # Whether the last line written was text a setext underline would apply to, and
    # whether a list is open (its indented lines are not code).
    after_text = False
    in_list = False
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip(" ")
        if stripped[:1].isalpha() and len(line) - len(stripped) < 4:
            # Most lines: text, since no fence, heading, underline or list marker (nor a
            # Unicode digit) is a letter; the same steps as the last branch below.
            if len(line) == len(stripped) and (not out or out[-1] == ""):
                in_list = False
            out.append(_inline(line))
            after_text = True
            i += 1
            continue
        if not line.strip():
            out.append("")
            after_text = False
            i += 1
            continue
        fence = _FENCE.match(line)
        if fence is not None and not (fence.group(2)[0] == "`" and "`" in fence.group(3)):
            i = _copy_fence(lines, i, fence, out)
            after_text = False
            continue
        blank_before = not out or out[-1] == ""
        if _indent(line) >= 4 and blank_before and not in_list:
            i = _copy_indented(lines, i, out)
            after_text = False
            continue
        heading = _HEADING.match(line)
        setext = _SETEXT.match(line)
        if heading is not None:
            title = (heading.group(2) or "").strip()
            if out and out[-1] != "":
                out.append("")
            if title:
                out += [f"**{_inline(title)}**", ""]
            after_text = False
            in_list = False
        elif setext is not None and after_text:
            if setext.group(1)[0] == "-":
                out += ["", line.strip()]  # a thematic break, as the author likely meant
            else:
                out.append("\\" + line.strip())
            after_text = False
        else:
            if _LIST_ITEM.match(line):
                in_list = True
            elif _indent(line) == 0 and blank_before:
                in_list = False
            out.append(_inline(line))
            after_text = True
        i += 1
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def _copy_fence(lines: list[str], start: int, opening: re.Match[str], out: list[str]) -> int:
    """Write the fenced block opening at `lines[start]` at column 0, with its own fence
    replaced by one its content cannot close; return the index after its closing line (the
    end of the doc when it never closes)."""
    indent, marker, info = len(opening.group(1)), opening.group(2), opening.group(3)
    char = marker[0]
    body: list[str] = []
    i = start + 1
    while i < len(lines):
        line = lines[i]
        stripped = line.strip(" ")
        if (
            _indent(line) <= 3
            and stripped.startswith(marker)
            and stripped.rstrip(" \t") == char * len(stripped.rstrip(" \t"))
        ):
            i += 1
            break
        # CommonMark removes up to the opening fence's indentation from each line.
        body.append(line[min(indent, _indent(line)) :])
        i += 1
    if out and out[-1] != "":
        out.append("")
    out.append(md_code_block("\n".join(body), info))
    out.append("")
    return i


def _copy_indented(lines: list[str], start: int, out: list[str]) -> int:
    """Write the indented code block starting at `lines[start]` as a fenced block; return
    the index after it (trailing blank lines are left to the caller)."""
    body: list[str] = []
    i = start
    while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) >= 4):
        body.append(lines[i][4:])
        i += 1
    while body and not body[-1].strip():
        body.pop()
        i -= 1
    out.append(md_code_block("\n".join(body)))
    out.append("")
    return i


def md_link(text: str, href: str | None) -> str:
    """`text` as a code span, linked to `href` (a `[a-z0-9.#-]` link) unless it is None."""
    return md_code(text) if href is None else f"[{md_code(text)}]({href})"


def md_indent(block: str, width: int) -> str:
    """`block` indented by `width` spaces to sit under a list item; empty lines stay empty.
    Lines end where `str.splitlines` ends them (a form feed or a Unicode line separator
    too), each such break written as a newline."""
    pad = " " * width
    first, *rest = (block + "\n").splitlines()
    return "\n".join([pad + first, *(pad + line if line else line for line in rest)])


def md_summary(text: str | None) -> str:
    """The first paragraph of a doc, as one line of inline Markdown ("" for no doc): its
    lines joined by spaces, headings, fences and list markers left out."""
    if text is None:
        return ""
    words: list[str] = []
    for raw in text.replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            if words:
                break
            continue
        if _FENCE.match(line) or _HEADING.match(line) or _SETEXT.match(line):
            if words:
                break
            continue
        words.append(_LIST_ITEM.sub("", line).strip() if _LIST_ITEM.match(line) else line)
    summary = _inline(" ".join(words))
    # A summary sits after a link in a list item: it must not start a block of its own.
    return summary
