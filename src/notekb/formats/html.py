"""HTML in notes: which tags a note may use, and its HTML re-written as a balanced fragment.

Notes are pasted from blogs by people who are not developers of this project, so their raw HTML is
untrusted. Harmless HTML renders as HTML: formatting tags, blocks, lists, tables, details, links,
images. Every tag is written again by notekb with only the attributes it allows; every other tag
(script, iframe, object, style, form, ...) shows as text; closing tags close only what is open,
everything open is closed at the end, and nesting is bounded: no note can change the structure of
a page it is shown on. Images and links go through the note's `Context` (files beside the note,
the note's original address).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urljoin

from notekb.formats.trusted import Trusted
from notekb.text import UI_LANG

# Inline formatting; no attributes.
INLINE_TAGS = {"b", "i", "em", "strong", "u", "s", "del", "ins", "sub", "sup", "br", "mark", "small", "kbd", "code", "abbr", "q", "cite", "dfn", "var", "samp", "wbr", "span", "a", "img"}
# Blocks. Those in MARKDOWN_BLOCKS get markdown="1", so that Markdown written inside them renders.
BLOCK_TAGS = {"p", "hr", "div", "details", "summary", "blockquote", "figure", "figcaption", "pre", "ul", "ol", "li", "dl", "dt", "dd",
              "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "h3", "h4", "h5", "h6"}
SAFE_TAGS = INLINE_TAGS | BLOCK_TAGS
MARKDOWN_BLOCKS = {"div", "details", "blockquote", "figure"}
# Tags written as another: a note's top headings sit under the section they are in.
RENAMED = {"center": "div", "section": "div", "article": "div", "aside": "div", "main": "div", "header": "div", "footer": "div", "h1": "h3", "h2": "h3", "strike": "s", "tt": "code"}
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align"}, "ol": {"start"}, "details": {"open"}, "abbr": {"title"}}
_NUMBER_ATTRS = {"colspan", "rowspan", "start"}
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
VOID_TAGS = {"br", "hr", "wbr", "img"}
EMBEDS = {"iframe", "video", "audio", "embed", "object", "frame"}  # shown as a link to what they embed
MAX_TAG_DEPTH = 8  # HTML from a note nested deeper than this is dropped (no page depends on it)
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
_ATTR = re.compile(r"""([^\s"'<>/=`]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>=`]+)))?""")


# Characters Markdown (or a table, attr_list, math) reads as syntax, as character references: text
# written so inside HTML that notekb writes is never read as Markdown.
MARKDOWN_REFERENCES = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_[]{}|$~#"})


def html_text(text: str) -> str:
    """Plain text as HTML that no Markdown engine reads as syntax."""
    return html.escape(text, quote=False).translate(MARKDOWN_REFERENCES)


def unsafe_url(url: str) -> bool:
    """javascript:, vbscript:, data: and file: URLs, however they are disguised (entities, spaces)."""
    cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(url)).lower()
    return cleaned.startswith(UNSAFE_SCHEMES)


def figure_placeholder(label: str, inline: bool = False, href: str | None = None, name: str | None = None) -> str:
    """A visible stand-in for a figure that is not on this site, naming it (by `name`, else the
    file name in `label`) and linking to it when it is somewhere else on the web."""
    name = name or label.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or label
    shown = f"<code>{html.escape(name, quote=False)}</code>"
    if href:
        shown = f'<a href="{html.escape(href)}">{shown}</a>'
    text = f"原文此处有图，未随笔记提供：{shown}"
    tag = "span" if inline else "div"
    return f'<{tag} class="nkb-missing-figure" role="note"{UI_LANG} title="{html.escape(label)}">{text}</{tag}>'


@dataclass
class Context:
    """What a note's links and images are resolved against."""

    place_image: Callable[[str, int], str | None] | None = None  # target, line -> site path or None
    base_url: str | None = None  # where the note was first published: relative links resolve there
    line: int = 0  # the line of the text being made safe
    trusted: Trusted = field(default_factory=Trusted)  # HTML notekb wrote while reading the note's format

    def link(self, url: str) -> str | None:
        """A link target as published, or None for a link that leads nowhere on the web (a file
        of the note's original site, and the note does not say where that was)."""
        url = url.strip()
        if unsafe_url(url):
            return None
        if re.match(r"(?:https?:|mailto:|#|nkb:)", url, re.I):
            return url
        if re.match(r"[a-z][a-z0-9+.-]*:", url, re.I):
            return None  # another scheme (ftp:, obsidian:, tel:)
        return urljoin(self.base_url, url) if self.base_url else None

    def image_target(self, src: str) -> str | None:
        """Where an image is published (an nkb:asset/ link, resolved per page by render), or None
        when it is not: a file not beside the note, or an image on another site (pages work
        offline and tell no other site who reads them)."""
        src = src.strip()
        if src.startswith("nkb:"):
            return src
        if re.match(r"https?://", src, re.I) or unsafe_url(src) or self.place_image is None:
            return None
        site = self.place_image(src, self.line)
        return f"nkb:asset/{site.removeprefix('assets/notes/')}" if site else None

    def missing(self, src: str, alt: str, inline: bool) -> str:
        """The placeholder for an image that is not published (linking to it if it is on the web)."""
        src = src.strip()
        external = re.match(r"https?://", src, re.I) is not None
        label = "" if unsafe_url(src) else src
        return figure_placeholder(label or alt, inline, src if external else None, name=alt.strip() or None)


class Balancer:
    """Note HTML re-written tag by tag as a balanced fragment (see the module's docstring)."""

    def __init__(self, context: Context | None = None) -> None:
        self.context = context or Context()
        self.open: list[str] = []
        self.dropped = 0  # opening tags beyond MAX_TAG_DEPTH
        self.links: list[bool] = []  # for each open <a>: whether it was kept as a link

    def tag(self, raw: str) -> str:
        name = _TAG_NAME.match(raw).group(1).lower()
        name = RENAMED.get(name, name)
        closing = raw.startswith("</")
        if name in EMBEDS:
            return "" if closing else self._embedded(_attributes(raw))
        if name not in SAFE_TAGS:
            return html.escape(raw, quote=False)  # shown as text
        if name in VOID_TAGS:
            if closing:
                return ""
            if name == "img":
                attrs = _attributes(raw)
                src, alt = attrs.get("src", ""), attrs.get("alt", "")
                target = self.context.image_target(src)
                if target is None:
                    return self.context.missing(src, alt, inline=True)
                return f'<img src="{html.escape(target)}" alt="{html.escape(alt)}">'

            return f"<{name}>"
        if not closing:
            if len(self.open) >= MAX_TAG_DEPTH:
                self.dropped += 1
                return ""
            self.open.append(name)
            return self._opening(name, _attributes(raw))
        if name not in self.open:
            return ""  # closes nothing that is open
        out = []
        while self.open:
            top = self.open.pop()
            out.append(self._closing(top))
            if top == name:
                break
        return "".join(out)

    def _embedded(self, attrs: dict[str, str]) -> str:
        """An embedded page or player (a video, a slide deck) is not embedded here: a line says it
        was there and links to it."""
        src = (attrs.get("src") or attrs.get("data") or "").strip()
        url = src if re.match(r"https?://", src, re.I) and not unsafe_url(src) else None
        shown = f'<a href="{html.escape(url)}">{html_text(url.split("://", 1)[1][:80])}</a>' if url else ""
        return f'<span class="nkb-missing-figure nkb-embed" role="note"{UI_LANG}>原文此处嵌入了外部内容{"：" + shown if shown else ""}</span>'

    def _opening(self, name: str, attrs: dict[str, str]) -> str | None:
        kept = []
        for key in sorted(ATTRIBUTES.get(name, ())):
            value = attrs.get(key)
            if value is None:
                continue
            if key == "href":
                value = self.context.link(value)
                if value is None:
                    continue
            elif key in _NUMBER_ATTRS and not value.strip().isdigit():
                continue
            elif key == "align" and value.strip().lower() not in ("left", "center", "right"):
                continue
            kept.append(f'{key}="{html.escape(value.strip())}"' if key != "open" else "open")
        if name == "a":  # a link that leads nowhere keeps its text, as text
            self.links.append(any(k.startswith("href=") for k in kept))
            if not self.links[-1]:
                return ""
        if name in MARKDOWN_BLOCKS:
            kept.append('markdown="1"')
        return f"<{' '.join([name, *kept])}>"

    def _closing(self, name: str) -> str:
        if name == "a" and self.links and not self.links.pop():
            return ""
        return f"</{name}>"

    def close_all(self) -> str:
        closing = "".join(self._closing(name) for name in reversed(self.open))
        self.open = []
        return closing


def _attributes(raw: str) -> dict[str, str]:
    """The attributes of a tag (names in lower case, entities resolved), from its source."""
    body = re.sub(r"^[^\s]*", "", raw[1:-1].rstrip("/"), count=1)
    out = {}
    for match in _ATTR.finditer(body):
        value = next((g for g in match.groups()[1:] if g is not None), "")
        out.setdefault(match.group(1).lower(), html.unescape(value))
    return out
