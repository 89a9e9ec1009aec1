"""Plain text as blogs paste it: the structure the author meant, recovered line by line.

Headings written as "1.1 模型架构" on a line of their own, "•" bullets whose nesting is only
indentation, Python pasted without fences, figures that were never pasted, and Markdown where the
author wrote it. `to_blocks` classifies every line into a Block; pipeline.body turns blocks into
Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from notekb.formats.markdown import Notices
from notekb.records import Line
from notekb.registry import Registry
from notekb.spans import closes_fence, fence_opener
from notekb.text import HAN, HANGUL


@dataclass
class Block:
    kind: str  # heading | para | item | code | figure | raw | blank
    line: int
    text: str = ""
    indent: int = 0
    ordered: bool = False
    number: str | None = None  # heading number ("1.1") or list item number
    md_level: int | None = None  # number of '#' for Markdown headings
    lang: str | None = None  # code language
    implicit: bool = False  # the number was inferred, not written: do not show it


_MD_HEADING_START = re.compile(r"(#{1,6})[ \t]+(?=\S)")
MAX_HEADING = 300  # characters: a longer "# …" line is a paragraph, not a heading


def md_heading(text: str) -> tuple[int, str] | None:
    """(level, title) of an ATX heading line ("## 1.1 模型架构 ##"), or None. Read with string
    methods after one anchored match: the closing "#"s come off without a backtracking regex."""
    match = _MD_HEADING_START.match(text)
    if match is None:
        return None
    title = text[match.end() :].rstrip()
    bare = title.rstrip("#")
    if bare != title and (not bare or bare[-1] in " \t"):
        title = bare.rstrip()
    if not title or len(title) > MAX_HEADING:
        return None
    return len(match.group(1)), title
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$")
_DOTTED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+)\.?\s+(\S.*)$")
_SINGLE_HEADING = re.compile(r"^(\d{1,2})\.\s+(\S.*)$")
_BULLET = re.compile(r"^(\s*)([•●▪◦○■□‣∙·\-*+])\s+(.*)$")
_ORDERED = re.compile(r"^(\s*)(\d{1,3})(?:[.、)）]|(?=[:：]))[:：]?\s*(\S.*)$")
_IMAGE_LINE = re.compile(r"^\s*!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)\s*$")
_SENTENCE_PUNCT = re.compile(r"[。！？!?；;，,…]|[.:：]$")
_CODE_START = re.compile(
    r"^(?:class\s+\w+\s*(?:\([^)]*\))?\s*:|(?:async\s+)?def\s+\w+\s*\(|import\s+[\w.]+|from\s+[\w.]+\s+import\s+\w|@\w[\w.]*(?:\(.*\))?$|if\s+__name__\s*==)"
)
_CODE_CONTINUE = re.compile(
    r"^(?:[\w.\[\]]+\s*(?:[-+*/]?=|:\s*\w+\s*=)\s*\S|return\b|print\(|for\s+\w+\s+in\s|while\s|with\s|try:|except\b|raise\b|[)\]}]|#\s|\w+\(.*\)\s*$)"
)
_TERMINAL = "。！？.!?…:：;；)）\"”'’"
_LANGUAGE = re.compile(r"[{.\s]*([\w+#-]{1,32})")


def _fence_language(info: str) -> str:
    """Only the language of a fence's info string ("python", "{.py}"): the rest would be read as
    attributes of the code block by some engines (superfences) and is never shown."""
    match = _LANGUAGE.match(info)
    return match.group(1) if match else ""


_HTML_TOKEN = re.compile(r"<(/?)([A-Za-z][\w-]*)|(/?)>")
_VOID = {"br", "hr", "img", "wbr", "input", "meta", "link", "source", "col", "area", "embed", "param", "track"}
MAX_HTML_BLOCK = 200  # lines


def html_block_end(lines: list[Line], i: int) -> int:
    """The end (exclusive) of the HTML block that starts at line i: up to the tag that closes the
    element its first tag opens (a tag written over several lines included, as blogs write
    `<iframe` / `src=…` / `/>`). A block that does not close within MAX_HTML_BLOCK lines is its
    first line only."""
    first = _HTML_TOKEN.match(lines[i].text.lstrip())
    name = first.group(2).lower() if first and first.group(2) else ""
    depth, pending = 0, None
    for k in range(i, min(len(lines), i + MAX_HTML_BLOCK)):
        for token in _HTML_TOKEN.finditer(lines[k].text):
            if token.group(2):
                pending = (token.group(1) == "/", token.group(2).lower())
            elif pending is not None:
                closing, tag = pending
                pending = None
                if tag == name:
                    depth += -1 if closing else 0 if token.group(3) or tag in _VOID else 1
        if pending is None and depth <= 0:
            return k + 1
    return i + 1


MAX_MATH_BLOCK = 100  # lines
_BEGIN = re.compile(r"\\begin\{([A-Za-z*]+)\}")


def math_block_end(lines: list[Line], i: int) -> int:
    """The end (exclusive) of a display formula that opens on line i ($$, \\[, \\begin{…}) and
    closes on a later line; i + 1 when it closes on the same line or nowhere near."""
    text = lines[i].text.strip()
    begin = _BEGIN.match(text)
    opener, closer = ("$$", "$$") if text.startswith("$$") else ("\\[", "\\]") if text.startswith("\\[") else (begin.group(0), f"\\end{{{begin.group(1)}}}")
    if closer in text[len(opener) :]:
        return i + 1
    for k in range(i + 1, min(len(lines), i + MAX_MATH_BLOCK)):
        if not lines[k].text.strip():
            return i + 1  # a blank line: not one formula
        if closer in lines[k].text:
            return k + 1
    return i + 1


def _is_short_title(text: str, limit: int = 40) -> bool:
    return 0 < len(text) <= limit and not _SENTENCE_PUNCT.search(text)


def _ordered_item(text: str) -> re.Match | None:
    match = _ORDERED.match(text)
    if match and int(match.group(2)) < 1000 and not re.match(r"\d+(?:\.\d)", text.lstrip()):
        return match
    return None


def _implicit_number(lines: list[Line], i: int, numbers: set[str]) -> str | None:
    """The section number a title line stands for, if the next numbered heading is "K.1" of a new K."""
    seen = 0
    for k in range(i + 1, len(lines)):
        line = lines[k]
        if not line.text.strip():
            continue
        child = _DOTTED.match(line.text)
        if child and not line.text.startswith((" ", "\t")):
            number = child.group(1)
            if number.count(".") == 1 and number.endswith(".1"):
                parent = number.split(".")[0]
                if parent not in numbers:
                    return parent
            return None
        if md_heading(line.text):
            return None
        seen += 1
        if seen > 3:
            return None
    return None


def to_blocks(lines: list[Line], registry: Registry, place_image: Callable[[str, int], str | None] | None = None, notices: Notices | None = None) -> list[Block]:
    """Classify every line; join lines that belong together (code, list-item continuations).

    Images the note references from files beside it are placed through `place_image(target,
    line)`, which gives their path in the site or None (pipeline.images.Images.place; without it,
    every image is a placeholder)."""
    # Dedent: blogs paste their whole article indented.
    indents = []
    fence_open = ""
    for line in lines:
        if fence_open:
            if closes_fence(line.text, fence_open):
                fence_open = ""
        elif opener := fence_opener(line.text):
            fence_open = opener[0]
        elif line.text.strip():
            indents.append(len(line.text) - len(line.text.lstrip(" ")))
    cut = min(indents) if indents else 0
    lines = [Line(l.no, l.text[cut:] if l.text[:cut].strip() == "" else l.text.lstrip()) for l in lines]

    blocks: list[Block] = []
    i = 0
    n = len(lines)
    has_md_headings = any(md_heading(line.text) for line in lines)
    numbers: set[str] = set()  # the numbers of the headings found so far

    def next_nonblank(k: int) -> Line | None:
        for j in range(k + 1, n):
            if lines[j].text.strip():
                return lines[j]
        return None

    def prev_nonblank(k: int) -> Line | None:
        for j in range(k - 1, -1, -1):
            if lines[j].text.strip():
                return lines[j]
        return None

    while i < n:
        line = lines[i]
        text = line.text.rstrip()
        stripped = text.strip()
        if not stripped:
            blocks.append(Block("blank", line.no))
            i += 1
            continue
        fragment = notices.context.trusted.block(text) if notices is not None else None
        if fragment is not None:  # a box or placeholder notekb wrote while reading the note's format
            blocks.append(Block("trusted", line.no, str(fragment)))
            i += 1
            continue
        opener = fence_opener(text)
        if opener:
            # Written at the margin whatever its indentation: a fence indented four spaces is
            # indented code to a Markdown engine, and the lines after it its Markdown.
            fence, info = opener
            indent = len(text) - len(text.lstrip())
            body = [fence + _fence_language(info)]
            i += 1
            while i < n and not closes_fence(lines[i].text, fence):
                content = lines[i].text.rstrip()
                body.append(content[min(indent, len(content) - len(content.lstrip())) :])
                i += 1
            body.append(fence)
            if i < n:
                i += 1
            elif notices is not None:
                notices.unclosed_fence = line.no
            blocks.append(Block("raw", line.no, "\n".join(body)))
            continue
        if _CODE_START.match(text) and not re.search(f"[{HAN}{HANGUL}]", text.split("#")[0]):
            body = [text]
            j = i + 1
            while j < n:
                t = lines[j].text.rstrip()
                if not t.strip() or t.startswith((" ", "\t")) or _CODE_START.match(t) or _CODE_CONTINUE.match(t):
                    body.append(t)
                    j += 1
                else:
                    break
            while body and not body[-1].strip():
                body.pop()
                j -= 1
            blocks.append(Block("code", line.no, "\n".join(body), lang="python"))
            i = j
            continue
        image = _IMAGE_LINE.match(text)
        if image:
            target = image.group(2)
            local = not re.match(r"[a-z]+:", target, re.I) and not target.startswith("/")
            site = place_image(target, line.no) if local and place_image is not None else None
            if site:
                # An image next to the note is copied into the site; render resolves the link per page.
                blocks.append(Block("raw", line.no, f"![{image.group(1)}](nkb:asset/{site.removeprefix('assets/notes/')})"))
            elif local or target.startswith("/"):  # not on this site: a named placeholder
                blocks.append(Block("figure", line.no, target))
            else:
                blocks.append(Block("raw", line.no, stripped))
            i += 1
            continue
        if any(p.match(stripped) for p in registry.boilerplate.missing_figures):
            blocks.append(Block("figure", line.no, stripped))
            i += 1
            continue
        heading = md_heading(text)
        if heading:
            level, title = heading
            number = _NUMBERED.match(title)
            blocks.append(Block("heading", line.no, number.group(2) if number else title, number=number.group(1) if number else None, md_level=level))
            numbers.add(number.group(1) if number else "")
            i += 1
            continue
        at_margin = not text.startswith((" ", "\t"))
        dotted = _DOTTED.match(text)
        if at_margin and dotted and _is_short_title(dotted.group(2), 60) and int(dotted.group(1).split(".")[0]) <= 20:
            blocks.append(Block("heading", line.no, dotted.group(2).strip(), number=dotted.group(1)))
            numbers.add(dotted.group(1))
            i += 1
            continue
        single = _SINGLE_HEADING.match(text)
        if at_margin and single and _is_short_title(single.group(2)):
            k = int(single.group(1))
            before, after = prev_nonblank(i), next_nonblank(i)
            neighbours = [b for b in (before, after) if b is not None]
            # A numbered line is a heading when it is not one item among numbered neighbours, and
            # only in notes that do not already mark their headings with '#'.
            sibling = any((m := _ordered_item(b.text)) and abs(int(m.group(2)) - k) <= 1 for b in neighbours)
            if not sibling and not has_md_headings:
                blocks.append(Block("heading", line.no, single.group(2).strip(), number=single.group(1)))
                numbers.add(single.group(1))
                i += 1
                continue
        bullet = _BULLET.match(text)
        if bullet and not (bullet.group(2) in "-*+" and re.fullmatch(r"[-*+]{3,}|[-*_ ]{3,}", stripped)):
            blocks.append(Block("item", line.no, bullet.group(3).strip(), indent=len(bullet.group(1))))
            i += 1
            continue
        ordered = _ordered_item(text)
        if ordered and (not ordered.group(0).lstrip()[len(ordered.group(2)) :].lstrip().startswith((":", "：")) or (blocks and blocks[-1].kind == "item" and blocks[-1].ordered)):
            blocks.append(Block("item", line.no, ordered.group(3).strip(), indent=len(ordered.group(1)), ordered=True, number=ordered.group(2)))
            i += 1
            continue
        if stripped.startswith(("$$", "\\[", "\\begin{")):
            end = math_block_end(lines, i)
            if end > i + 1:  # a formula written over several lines: one block, as the author meant
                blocks.append(Block("raw", line.no, "\n".join(l.text.strip() for l in lines[i:end])))
                i = end
                continue
        if stripped.startswith("<"):
            end = html_block_end(lines, i)
            blocks.append(Block("raw", line.no, "\n".join(l.text.rstrip() for l in lines[i:end])))
            i = end
            continue
        if stripped.startswith(("|", ">")):
            blocks.append(Block("raw", line.no, text))
            i += 1
            continue
        # An unnumbered short line shortly before the first sub-heading of a new number is that
        # number's heading ("Pretrain阶段" before "1.1 模型架构", "Post training" before "2.1").
        if at_margin and _is_short_title(stripped, 30) and not _ordered_item(text):
            parent_number = _implicit_number(lines, i, numbers)
            if parent_number:
                blocks.append(Block("heading", line.no, stripped, number=parent_number, implicit=True))
                numbers.add(parent_number)
                i += 1
                continue
        # A lazy continuation of a list item, where a line was broken mid-sentence ("...Gemini 2.5" /
        # "Pro,它可以..."): the item does not end a sentence and the line does not start one. A
        # line that starts with a Chinese or Korean character after a list is a new paragraph.
        continues = re.match(r"[A-Za-z0-9,，、)）]", stripped)
        if continues and blocks and blocks[-1].kind == "item" and not blocks[-1].text.endswith(tuple(_TERMINAL)) and lines[i - 1].text.strip():
            previous = blocks[-1]
            joiner = " " if re.match(r"[A-Za-z0-9]", stripped) and re.search(r"[A-Za-z0-9]$", previous.text) else ""
            previous.text = previous.text + joiner + stripped
            i += 1
            continue
        # A hard-wrapped paragraph: the line before did not end a sentence and this one goes on
        # in lower case.
        if blocks and blocks[-1].kind == "para" and lines[i - 1].text.strip() and re.match(r"[a-z0-9(]", stripped) and not blocks[-1].text.endswith(tuple(_TERMINAL)):
            blocks[-1].text += " " + stripped
            i += 1
            continue
        blocks.append(Block("para", line.no, stripped))
        i += 1
    return blocks
