"""Boxes that other tools write: Docusaurus and VitePress `:::tip Title … :::`, Obsidian callouts
`> [!tip] Title` (folded with `-`, open with `+`), and (through formats.mdx) MDX <Callout>.

They become Material admonitions, written as the HTML Material styles (`div.admonition.tip`, or
`details.tip` where the note folds them), with `markdown="1"` so that the Markdown inside renders.
The HTML is notekb's own and goes through formats.trusted; the note's title is text. A heading
inside a box would cut the note's sections in the middle of it: it is shown in bold instead.
"""

from __future__ import annotations

import re

from notekb.formats.html import html_text
from notekb.formats.trusted import Trusted
from notekb.records import Line
from notekb.registry import Formats
from notekb.spans import closes_fence, fence_opener
from notekb.text import UI_LANG

_DIRECTIVE = re.compile(r"^\s*(:{3,})\s*([A-Za-z][\w-]*)?\s*(?:\[(.*)\])?\s*(.*?)\s*$")
_CALLOUT = re.compile(r"^\s*>\s*\[!([\w-]+)\]([+-]?)\s*(.*?)\s*$")
_QUOTE = re.compile(r"^\s*>\s?")
_HEADING = re.compile(r"^\s*#{1,6}\s+(\S.*?)\s*#*\s*$")
MAX_DEPTH = 4  # boxes in boxes


def open_box(kind: str, title: str, formats: Formats, folded: str = "", default: str = "") -> str:
    """The opening HTML of an admonition of this type (any tool's name for it), with its title
    (else `default`, else the type's own: the site's words, marked as such); folded "-" (closed)
    or "+" (open) makes it collapsible."""
    kind = formats.admonition_types.get(kind.lower(), "note")
    lang = "" if title.strip() else UI_LANG
    title = html_text(title.strip() or default or formats.admonition_titles.get(kind, kind))
    if folded:
        state = " open" if folded == "+" else ""
        return f'<details class="{kind}"{state} markdown="1">\n<summary{lang}>{title}</summary>'
    return f'<div class="admonition {kind}" markdown="1">\n<p class="admonition-title"{lang}>{title}</p>'


def close_box(folded: str = "") -> str:
    return "</details>" if folded else "</div>"


def directives(lines: list[Line], trusted: Trusted, formats: Formats) -> list[Line]:
    """`:::type Title` … `:::` blocks (Docusaurus, VitePress; any number of colons, nested)."""
    if not any(":::" in line.text for line in lines):
        return lines
    out: list[Line] = []
    stack: list[tuple[int, str]] = []  # (colons, folded) of each open box
    fence = ""
    for line in lines:
        text = line.text
        if fence:
            fence = "" if closes_fence(text, fence) else fence
            out.append(line)
            continue
        if opener := fence_opener(text):
            fence = opener[0]
            out.append(line)
            continue
        match = _DIRECTIVE.match(text) if ":::" in text else None
        if match is None:
            out.append(line)
            continue
        colons, kind, bracket, rest = match.groups()
        if kind is None:  # a closing line
            if stack and len(colons) >= stack[-1][0]:
                _, folded = stack.pop()
                out.append(Line(line.no, trusted.token(close_box(folded), -1)))
            else:
                out.append(line)
            continue
        if len(stack) >= MAX_DEPTH:
            continue
        folded = "-" if kind.lower() == "details" else ""
        box = "note" if folded else kind
        out.append(Line(line.no, trusted.token(open_box(box, bracket or rest, formats, folded, "详情" if folded else ""), 1)))
        stack.append((len(colons), folded))
    for _, folded in reversed(stack):  # unclosed: closed at the end
        out.append(Line(lines[-1].no if lines else 1, trusted.token(close_box(folded), -1)))
    return out


def callouts(lines: list[Line], trusted: Trusted, formats: Formats, depth: int = 0) -> list[Line]:
    """Obsidian callouts: `> [!type]± Title` and the quoted lines under it."""
    if depth >= MAX_DEPTH or not any("[!" in line.text for line in lines):
        return lines
    out: list[Line] = []
    i = 0
    while i < len(lines):
        match = _CALLOUT.match(lines[i].text)
        if match is None:
            out.append(lines[i])
            i += 1
            continue
        kind, folded, title = match.groups()
        body: list[Line] = []
        j = i + 1
        while j < len(lines) and _QUOTE.match(lines[j].text):
            body.append(Line(lines[j].no, _QUOTE.sub("", lines[j].text, count=1)))
            j += 1
        out.append(Line(lines[i].no, trusted.token(open_box(kind, title, formats, folded), 1)))
        out.append(Line(lines[i].no, ""))
        out += callouts(body, trusted, formats, depth + 1)
        out.append(Line(lines[j - 1].no, ""))
        out.append(Line(lines[j - 1].no, trusted.token(close_box(folded), -1)))
        i = j
    return out


def no_headings_in_boxes(lines: list[Line], trusted: Trusted) -> list[Line]:
    """A heading inside a box is shown in bold: as a heading it would start a new section and cut
    the box in two."""
    depth = 0
    out = []
    for line in lines:
        index = trusted.block(line.text)
        if index is not None:
            depth = max(0, depth + trusted.containers[index])
        elif depth and (heading := _HEADING.match(line.text)):
            line = Line(line.no, f"**{heading.group(1)}**")
        out.append(line)
    return out
