"""Keeping the site safe from what notes contain.

Notes are pasted from blogs by people who are not developers of this project, so their raw HTML is
untrusted. Two layers:

* `neutralize_markdown` (used by clean, so exported pages are safe for any engine): outside code,
  HTML tags are kept only if they are harmless formatting tags, without their attributes; any
  other tag (script, iframe, object, embed, style, form, ...) is escaped and shows as text. Links
  with javascript:, vbscript: or data: URLs lose their URL, and attribute lists ({: onclick=...})
  are shown as text.
* `sanitize_html` (used by the MkDocs plugin on every generated page): an nh3 allow-list over the
  final HTML, so that nothing a note says, however it gets through Markdown, runs in a reader's
  browser.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections import Counter

import nh3

from .spans import ALL_KINDS, regions, scan

# Formatting tags a note may use; they keep no attributes.
SAFE_TAGS = {"b", "i", "em", "strong", "u", "s", "del", "ins", "sub", "sup", "br", "mark", "small", "kbd", "code", "abbr", "q", "cite", "dfn", "var", "samp", "wbr", "hr", "p"}
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")

VOID_TAGS = {"br", "hr", "wbr", "img"}
MAX_TAG_DEPTH = 8  # HTML from a note nested deeper than this is dropped (no page depends on it)
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
_REF_DEF = re.compile(r"^([ \t]{0,3}\[[^\]\n]+\]:[ \t]*)<?(\S+?)>?([ \t].*)?$", re.M)
_STRAY_ESCAPES = {"lt": "&lt;", "paren": "\\(", "bracket": None, "backticks": None, "emphasis": None}


def unsafe_url(url: str) -> bool:
    """javascript:, vbscript:, data: and file: URLs, however they are disguised (entities, spaces)."""
    cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(url)).lower()
    return cleaned.startswith(UNSAFE_SCHEMES)


def _escape_stray(piece: str, what: str) -> str:
    """A delimiter nothing pairs with, written so that it shows as itself (see spans.scan)."""
    fixed = _STRAY_ESCAPES.get(what)
    if fixed:
        return fixed
    return "".join("\\" + ch if ch in "[]`*_" else ch for ch in piece)


class _Balancer:
    """Note HTML re-written tag by tag as a balanced fragment: allowed tags without attributes,
    closing tags only for elements that are open, every element closed at the end, and no deeper
    than MAX_TAG_DEPTH. So no note can leave an element open on a page it is shown on."""

    def __init__(self) -> None:
        self.open: list[str] = []
        self.dropped = 0  # opening tags beyond MAX_TAG_DEPTH

    def tag(self, raw: str) -> str:
        name = _TAG_NAME.match(raw).group(1).lower()
        closing = raw.startswith("</")
        if name not in SAFE_TAGS:
            return html.escape(raw, quote=False)  # shown as text
        if name in VOID_TAGS:
            return "" if closing else f"<{name}>"
        if not closing:
            if len(self.open) >= MAX_TAG_DEPTH:
                self.dropped += 1
                return ""
            self.open.append(name)
            return f"<{name}>"
        if name not in self.open:
            return ""  # closes nothing that is open
        out = []
        while self.open:
            top = self.open.pop()
            out.append(f"</{top}>")
            if top == name:
                break
        return "".join(out)

    def close_all(self) -> str:
        closing = "".join(f"</{name}>" for name in reversed(self.open))
        self.open = []
        return closing


def safe_markdown(text: str, stray: Counter | None = None) -> str:
    """Note Markdown as it may be placed on a page.

    * Code (fenced or inline), math, URLs and escapes are kept as written.
    * HTML: formatting tags (SAFE_TAGS) are kept without attributes and balanced; any other tag
      (script, iframe, object, embed, style, form, ...) is shown as text; comments are dropped.
    * Links with javascript:, vbscript:, data: or file: URLs lose their URL; so do autolinks and
      reference definitions.
    * Attribute lists ({: onclick=...}) are shown as text.
    * Delimiters that pair with nothing (an unmatched bracket, a lone run of backticks, a "<" that
      starts no tag, a run of more than three "*") are escaped: they show as the characters they
      are, and no Markdown engine searches or recurses over them.

    Linear in the length of the text whatever it contains (spans.scan). `stray` counts the
    delimiters escaped, by kind."""
    found = scan(text)
    edits: list[tuple[int, int, str]] = []
    balancer = _Balancer()
    for start, end, span in regions(found.spans, ALL_KINDS - {"label"}):
        piece = text[start:end]
        if span.kind == "tag":
            edits.append((start, end, balancer.tag(piece)))
        elif span.kind == "comment":
            edits.append((start, end, ""))
        elif span.kind == "autolink":
            url = piece[1:-1]
            if unsafe_url(url) or not (url.lower().startswith(("http:", "https:", "mailto:")) or "@" in url and ":" not in url):
                edits.append((start, end, "&lt;" + piece[1:]))
        elif span.kind == "target":
            if unsafe_url(piece[1:-1].strip().lstrip("<")):
                edits.append((start, end, "(#)"))
        elif span.kind == "attrs":
            edits.append((start, start + 1, "\\{"))
    edits += [(start, end, _escape_stray(text[start:end], what)) for start, end, what in found.stray]
    if stray is not None:  # characters escaped, by kind
        for start, end, what in found.stray:
            stray[what] += end - start
    edits.sort()
    out, last = [], 0
    for start, end, replacement in edits:
        if start < last:
            continue
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    out.append(balancer.close_all())
    if stray is not None and balancer.dropped:
        stray["nesting"] += balancer.dropped
    joined = "".join(out)
    if "]:" in joined:
        joined = _REF_DEF.sub(lambda m: f"{m.group(1)}#{m.group(3) or ''}" if unsafe_url(m.group(2)) else m.group(0), joined)
    return joined


neutralize_markdown = safe_markdown  # the name used before; kept for one release

MAX_INLINE = 16_000  # characters of one paragraph (see split_long)
_BREAKABLE = re.compile(r"[ \t]+|(?<=[。！？；，、.!?;,])")


def split_long(markdown: str, joiner: str = "\n\n", limit: int = MAX_INLINE) -> str:
    """A paragraph longer than `limit` characters cut into several, between words (or anywhere
    outside code, links and tags when it has no spaces).

    Python-Markdown copies a paragraph's whole text for every inline element it finds in it, so
    a paragraph of a megabyte of escapes or entities costs it minutes; no one writes a paragraph
    of 16,000 characters. `joiner` starts the next paragraph ("\n>\n" in a quote, "\n\n" and
    the indentation in a list item)."""
    if len(markdown) <= limit:
        return markdown
    keep = [(a, b) for a, b, _ in regions(scan(markdown).spans)]
    candidates = []
    k = 0
    for match in _BREAKABLE.finditer(markdown):
        at = match.end()
        while k < len(keep) and keep[k][1] <= at:
            k += 1
        if not (k < len(keep) and keep[k][0] < at):
            candidates.append(at)
    cuts = []
    start = 0
    k = 0
    while len(markdown) - start > limit:
        index = bisect_right(candidates, start + limit) - 1
        if index >= 0 and candidates[index] > start + limit // 2:
            cut = candidates[index]
        else:  # no space near: cut at the limit, after any protected piece that spans it
            cut = start + limit
            while k < len(keep) and keep[k][1] <= cut:
                k += 1
            if k < len(keep) and keep[k][0] < cut:
                cut = keep[k][1]
            amp = markdown.rfind("&", cut - 10, cut)
            if amp > start and ";" not in markdown[amp:cut]:
                cut = amp  # not inside an entity
        if cut >= len(markdown):
            break
        cuts.append(cut)
        start = cut
    out, last = [], 0
    for cut in cuts:
        out.append(markdown[last:cut].rstrip())
        last = cut
    out.append(markdown[last:])
    return joiner.join(piece for piece in out if piece)


def md_escape(text: str) -> str:
    """Plain text (a title, an author's name) written into Markdown so that it shows exactly as
    it is: the characters Markdown, tables and attribute lists read as syntax with a backslash
    (escapes Python-Markdown knows, inside `markdown` blocks too), the HTML characters and "$"
    (which Markdown cannot escape) as character references."""
    return text.translate(_MD_ESCAPES)


_MD_ESCAPES = {ord(c): "\\" + c for c in "\\`*_[]|{}"} | {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("$"): "&#36;"}


def plain_inline(markdown: str) -> str:
    """The text a reader sees of a line of note Markdown (a heading, a title): no tags, no
    emphasis markers, no link targets, entities and escapes resolved. Titles are plain text
    everywhere they are used; where they go into Markdown, `md_escape` writes them."""
    found = scan(markdown)
    edits: list[tuple[int, int, str]] = []
    for span in found.spans:
        piece = markdown[span.start : span.end]
        if span.kind == "label":
            edits.append((span.start, span.start + (2 if span.image else 1), ""))
            edits.append((span.end - 1, span.end, ""))
        elif span.kind == "code":
            edits.append((span.start, span.end, piece.strip("`").strip()))
        elif span.kind == "escape":
            edits.append((span.start, span.end, piece[1]))
        elif span.kind in ("tag", "comment", "target", "attrs"):
            edits.append((span.start, span.end, ""))
    protected = [(s.start, s.end) for s in found.spans if s.kind in ("code", "math", "url", "escape", "fence")]
    k = 0
    for match in _EMPHASIS.finditer(markdown):
        while k < len(protected) and protected[k][1] <= match.start():
            k += 1
        if k < len(protected) and protected[k][0] <= match.start():
            continue
        edits.append((match.start(), match.end(), ""))
    edits.sort()
    out, last = [], 0
    for start, end, replacement in edits:
        if start < last:
            continue
        out.append(markdown[last:start])
        out.append(replacement)
        last = end
    out.append(markdown[last:])
    return " ".join(html.unescape("".join(out)).split())


_EMPHASIS = re.compile(r"\*+|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])")


def plain_title(title_html: str) -> str:
    """A page title as MkDocs gives it (an HTML fragment from the page's first heading) made into
    text that shows as itself wherever a theme writes it: in <title> after `striptags` (which turns
    entities back into characters), in the navigation and headers as raw HTML."""
    text = html.unescape(re.sub(r"<[^<>]*>", "", title_html or ""))
    return html.escape(" ".join(text.split()), quote=True)


# ---------------------------------------------------------------------------------------------
# The final HTML of generated pages

_PAGE_TAGS = nh3.ALLOWED_TAGS | {
    "div", "span", "p", "section", "article", "figure", "figcaption", "mark", "time", "small", "details", "summary",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col", "pre", "code", "img", "sup", "sub",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br", "del", "ins", "kbd", "abbr", "dl", "dt", "dd", "blockquote", "nav", "button",
}
_COMMON_ATTRS = {"class", "id", "lang", "title", "role", "dir", "datetime", "align", "colspan", "rowspan", "style", "name", "tabindex", "type"}
_PAGE_ATTRS = {
    "*": _COMMON_ATTRS,
    "a": _COMMON_ATTRS | {"href", "rel", "target"},
    "img": _COMMON_ATTRS | {"src", "alt", "width", "height", "loading"},
    "button": _COMMON_ATTRS,
}


def theme_safe_slugify(slugify=None):
    """The heading-id function of the toc extension, wrapped so that no id starts with "_": a
    heading "__config" would otherwise take the id of the theme's configuration script (Material
    reads `#__config`, `#__search`, `#__drawer`, ...), and the theme's JavaScript dies on that page."""
    if slugify is None:
        from markdown.extensions.toc import slugify
    if getattr(slugify, "theme_safe", False):
        return slugify

    def safe(value: str, separator: str) -> str:
        slug = slugify(value, separator)
        return "h" + slug if slug.startswith("_") else slug

    safe.theme_safe = True
    return safe


_RESERVED_ID = re.compile(r'\b(id|for)="_|href="#_')


def sanitize_html(page_html: str) -> str:
    """An allow-list pass over a generated page's HTML: no script, no event handler, no iframe, no
    javascript: URL survives, whatever the note contained; and no id of the page can be one of the
    theme's (those start with "_", see theme_safe_slugify)."""
    clean = _sanitize(page_html)
    if 'id="_' in clean or 'href="#_' in clean:
        clean = _RESERVED_ID.sub(lambda m: m.group(0)[:-1] + "h_", clean)
    return clean


def _sanitize(page_html: str) -> str:
    return nh3.clean(
        page_html,
        tags=_PAGE_TAGS,
        attributes=_PAGE_ATTRS,
        generic_attribute_prefixes={"data-", "aria-"},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
        filter_style_properties={"text-align"},
    )
