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


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
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


def _is_short_title(text: str, limit: int = 40) -> bool:
    return 0 < len(text) <= limit and not _SENTENCE_PUNCT.search(text)


def _ordered_item(text: str) -> re.Match | None:
    match = _ORDERED.match(text)
    if match and int(match.group(2)) < 1000 and not re.match(r"\d+(?:\.\d)", text.lstrip()):
        return match
    return None


def _implicit_number(lines: list[Line], i: int, blocks: list[Block]) -> str | None:
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
                if not any(b.kind == "heading" and b.number == parent for b in blocks):
                    return parent
            return None
        if _MD_HEADING.match(line.text):
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
    has_md_headings = any(_MD_HEADING.match(line.text) for line in lines)

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
        opener = fence_opener(text)
        if opener:
            fence, info = opener
            body = [text[: len(text) - len(text.lstrip())] + fence + _fence_language(info)]
            i += 1
            while i < n and not closes_fence(lines[i].text, fence):
                body.append(lines[i].text.rstrip())
                i += 1
            if i < n:
                body.append(lines[i].text.rstrip())
                i += 1
            else:
                body.append(fence)
                if notices is not None:
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
        heading = _MD_HEADING.match(text)
        if heading:
            title = heading.group(2).strip()
            number = _NUMBERED.match(title)
            blocks.append(
                Block("heading", line.no, number.group(2) if number else title, number=number.group(1) if number else None, md_level=len(heading.group(1)))
            )
            i += 1
            continue
        at_margin = not text.startswith((" ", "\t"))
        dotted = _DOTTED.match(text)
        if at_margin and dotted and _is_short_title(dotted.group(2), 60) and int(dotted.group(1).split(".")[0]) <= 20:
            blocks.append(Block("heading", line.no, dotted.group(2).strip(), number=dotted.group(1)))
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
        if stripped.startswith(("|", ">", "<")):
            blocks.append(Block("raw", line.no, text))
            i += 1
            continue
        # An unnumbered short line shortly before the first sub-heading of a new number is that
        # number's heading ("Pretrain阶段" before "1.1 模型架构", "Post training" before "2.1").
        if at_margin and _is_short_title(stripped, 30) and not _ordered_item(text):
            parent_number = _implicit_number(lines, i, blocks)
            if parent_number:
                blocks.append(Block("heading", line.no, stripped, number=parent_number, implicit=True))
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


def figure_placeholder(label: str) -> str:
    """A visible stand-in for a figure the author did not paste, naming it."""
    name = label.rsplit("/", 1)[-1]
    safe = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    full = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return f'<div class="nkb-missing-figure" role="note" title="{full}">原文此处有图，未随笔记提供：<code>{safe}</code></div>'
