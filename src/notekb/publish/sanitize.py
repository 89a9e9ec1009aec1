"""The rendered HTML of generated pages made safe, whatever a note smuggled through Markdown.

An nh3 allow-list over every generated page (no script, no event handler, no iframe, no
javascript: URL), heading ids that never take the theme's own, and page titles that stay text in
every place a theme writes them.
"""

from __future__ import annotations

import html
import re

import nh3

from notekb.formats.math import MATH_STYLES, MATHML_ATTRIBUTES, MATHML_TAGS


_SAFE_ANCHOR = re.compile(r"#[\w.~%-]*\Z")


def safe_toc(items) -> list:
    """A page's table of contents (MkDocs' toc items) without any entry whose link is not a plain
    anchor of the page: themes write toc links unescaped, and a heading id is note text. Nor the
    headings of the Traditional edition's copy of an excerpt (publish.edition): each edition lists
    its own copy's under the same anchors."""
    kept = []
    for item in items:
        url = getattr(item, "url", "") or ""
        if _SAFE_ANCHOR.match(url) and not url.startswith("#nkb-hant-"):
            item.children = safe_toc(getattr(item, "children", []) or [])
            kept.append(item)
    return kept


def plain_title(title_html: str) -> str:
    """A page title as MkDocs gives it (an HTML fragment from the page's first heading) made into
    text that shows as itself wherever a theme writes it: in <title> after `striptags` (which turns
    entities back into characters), in the navigation and headers as raw HTML."""
    text = html.unescape(re.sub(r"<[^<>]*>", "", title_html or ""))
    return html.escape(" ".join(text.split()), quote=True)


_PAGE_TAGS = nh3.ALLOWED_TAGS | MATHML_TAGS | {
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
    "details": _COMMON_ATTRS | {"open"},
    "div": _COMMON_ATTRS | {"hidden"},  # the other edition's copy of an excerpt (publish.edition)
    "ol": _COMMON_ATTRS | {"start"},
} | {tag: _COMMON_ATTRS | MATHML_ATTRIBUTES for tag in MATHML_TAGS}  # exactly what math-core writes


class _ThemeSafe:
    """A slugify function whose ids never start with "_" (a class, not a closure: Zensical pickles
    the Markdown extensions' configuration)."""

    theme_safe = True

    def __init__(self, slugify) -> None:
        self.slugify = slugify

    def __call__(self, value: str, separator: str) -> str:
        slug = self.slugify(value, separator)
        return "h" + slug if slug.startswith("_") else slug


def theme_safe_slugify(slugify=None):
    """The heading-id function of the toc extension, wrapped so that no id starts with "_": a
    heading "__config" would otherwise take the id of the theme's configuration script (Material
    reads `#__config`, `#__search`, `#__drawer`, ...), and the theme's JavaScript dies on that page."""
    if slugify is None:
        from markdown.extensions.toc import slugify
    if getattr(slugify, "theme_safe", False):
        return slugify
    return _ThemeSafe(slugify)


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
        filter_style_properties={"text-align"} | MATH_STYLES,
    )
