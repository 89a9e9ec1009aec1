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

import nh3

# Formatting tags a note may use; they keep no attributes.
SAFE_TAGS = {"b", "i", "em", "strong", "u", "s", "del", "ins", "sub", "sup", "br", "mark", "small", "kbd", "code", "abbr", "q", "cite", "dfn", "var", "samp", "wbr", "hr", "p"}
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")

_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)(?=[\s/>])([^<>]*)>|<!--.*?-->|<![A-Za-z][^<>]*>|<\?[^<>]*\?>", re.S)
_CODE = re.compile(r"(```+|~~~+)[^\n]*\n.*?\n\s*\1|(?<!\\)`[^`\n]+`", re.S)
_LINK_START = re.compile(r"\]\(\s*<?")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>")
_REF_DEF = re.compile(r"^([ \t]{0,3}\[[^\]\n]+\]:[ \t]*)<?(\S+?)>?([ \t].*)?$", re.M)
_ATTR_LIST = re.compile(r"\{:?[ \t]*[#.:a-zA-Z][^{}\n]*\}")


def unsafe_url(url: str) -> bool:
    """javascript:, vbscript:, data: and file: URLs, however they are disguised (entities, spaces)."""
    cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(url)).lower()
    return cleaned.startswith(UNSAFE_SCHEMES)


def _link_target_end(text: str, start: int) -> int:
    """Where a Markdown link target that starts at `start` ends (its closing parenthesis)."""
    depth = 0
    for k in range(start, min(len(text), start + 2000)):
        ch = text[k]
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return k
            depth -= 1
        elif ch == "\n" and text[k - 1 : k] == "\n":
            return k
    return min(len(text), start + 2000)


def _neutralize_link_targets(text: str) -> str:
    """Every `](...)` whose target is a javascript:/vbscript:/data:/file: URL, however nested or
    disguised, gets "#" as its target instead."""
    out, last = [], 0
    for match in _LINK_START.finditer(text):
        if match.start() < last:
            continue
        end = _link_target_end(text, match.end())
        if unsafe_url(text[match.end() : end]):
            out.append(text[last : match.end()] + "#")
            last = end
    out.append(text[last:])
    return "".join(out)


def _neutralize_plain(text: str) -> str:
    def tag(match: re.Match) -> str:
        if match.group(2) and match.group(2).lower() in SAFE_TAGS:
            return f"<{match.group(1)}{match.group(2).lower()}>"
        return html.escape(match.group(0), quote=False)

    text = _neutralize_link_targets(text)
    text = _AUTOLINK.sub(lambda m: html.escape(m.group(0), quote=False) if unsafe_url(m.group(1)) or not m.group(1).lower().startswith(("http:", "https:", "mailto:")) else m.group(0), text)
    text = _REF_DEF.sub(lambda m: f"{m.group(1)}#{m.group(3) or ''}" if unsafe_url(m.group(2)) else m.group(0), text)
    text = _TAG.sub(tag, text)
    text = _ATTR_LIST.sub(lambda m: "\\" + m.group(0), text)
    return text


def neutralize_markdown(text: str) -> str:
    """Note Markdown with its raw HTML made harmless; code (fenced or inline) is left as written."""
    out, last = [], 0
    for match in _CODE.finditer(text):
        out.append(_neutralize_plain(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_neutralize_plain(text[last:]))
    return "".join(out)


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


def sanitize_html(page_html: str) -> str:
    """An allow-list pass over a generated page's HTML: no script, no event handler, no iframe, no
    javascript: URL survives, whatever the note contained."""
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
