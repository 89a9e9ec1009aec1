"""Obsidian's own syntax: `[[wiki links]]`, `![[embeds]]`, `==highlights==` and inline `#tags`
(callouts are formats.admonitions').

* `[[Target]]`, `[[Target|text]]`, `[[Target#heading]]` link to what Target names: a model page,
  a glossary entry or a reference (any of their names, in any language, found here), else a note
  or a paper of the site (`nkb:find/…`, looked up once every note is known: pipeline.crosslinks);
  what names nothing is text.
* `![[image.png]]` is an image (published when the file is beside the note, else a placeholder);
  `![[Another note]]` is a link to it.
* `==text==` is highlighted; inline `#tags` join the note's tags.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from notekb.formats.html import html_text
from notekb.formats.trusted import Trusted
from notekb.records import Line
from notekb.registry import Registry
from notekb.spans import closes_fence, fence_opener, pieces

_WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n|#]*)(?:#([^\[\]\n|]*))?(?:\|([^\[\]\n]*))?\]\]")
_HIGHLIGHT = re.compile(r"==(?=\S)([^=\n]{1,500}?)(?<=\S)==")
_TAG = re.compile(r"(?<![\w#&/\\])#([^\W\d][\w/-]{0,60})")
_TAG_LINE = re.compile(r"^\s*(?:#[^\W\d][\w/-]{0,60}\s*)+$")
_IMAGE = re.compile(r"\.(?:png|jpe?g|gif|webp|avif|svg|bmp)$", re.I)
PROTECTED = frozenset({"code", "math", "url", "autolink", "tag", "comment", "label", "target", "escape"})


def looks_like_obsidian(lines: list[Line]) -> bool:
    return any("[[" in line.text or "==" in line.text for line in lines)


def from_obsidian(lines: list[Line], registry: Registry, trusted: Trusted) -> tuple[list[Line], list[str]]:
    """The lines with Obsidian's syntax as Markdown, and the note's inline tags."""
    tags: list[str] = []
    out: list[Line] = []
    fence = ""
    for line in lines:
        text = line.text
        if fence:
            fence = "" if closes_fence(text, fence) else fence
        elif opener := fence_opener(text):
            fence = opener[0]
        elif _TAG_LINE.match(text) and not text.lstrip().startswith("# "):
            tags += _TAG.findall(text)  # a line of tags only: they are the note's tags, not text
            continue
        elif "[[" in text or "==" in text or "#" in text:
            text = "".join(piece if span is not None else _prose(piece, registry, tags, trusted) for piece, span in pieces(text, PROTECTED))
        out.append(Line(line.no, text))
    return out, list(dict.fromkeys(tags))


def _prose(text: str, registry: Registry, tags: list[str], trusted: Trusted) -> str:
    if "[[" in text:
        text = _WIKILINK.sub(lambda m: _wikilink(m, registry), text)
    if "==" in text:
        text = _HIGHLIGHT.sub(r"<mark>\1</mark>", text)
    if "#" in text:
        def tag(match: re.Match) -> str:
            tags.append(match.group(1))
            return trusted.token(f'<span class="nkb-tag">#{html_text(match.group(1))}</span>')

        text = _TAG.sub(tag, text)
    return text


def _wikilink(match: re.Match, registry: Registry) -> str:
    embed, target, heading, label = match.groups()
    target, heading = target.strip(), (heading or "").strip()
    if embed and _IMAGE.search(target):
        alt = label if label and not label.strip().isdigit() and "x" not in label.strip() else target.rsplit("/", 1)[-1]
        return f"![{_escape(alt)}](<{target}>)"
    shown = (label or "").strip() or (f"{target} › {heading}" if target and heading else target or heading)
    if not target and heading:
        return f"[{_escape(shown)}](nkb:note/.#{quote(heading)})"  # a heading of this very note
    named = registry.find_name(target)
    if named is not None:
        kind, ident = named
        return f"[{_escape(shown)}](nkb:{kind}/{ident})"
    anchor = f"#{quote(heading)}" if heading else ""
    return f"[{_escape(shown)}](nkb:find/{quote(target)}{anchor})" if target else _escape(shown)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
