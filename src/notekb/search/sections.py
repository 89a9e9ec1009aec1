"""Sections of a rendered page: the documents of the search index.

A page is cut at its h1/h2/h3 headings, at each note excerpt of a model page and at each entry of
the glossary and the references, so that a result links to the section that matched. What labels
a section rather than says something (source labels, table header rows, placeholders) is left
out of its text, so that a result's snippet is the section's own words.
"""

from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass

# How much a page's sections weigh in the ranking, by URL: model pages gather what the notes say,
# so they come first; lists of pages (indexes, references) only repeat titles and come last.
PAGE_BOOST_EXACT = {"": 0.6, "models/": 0.6, "papers/": 0.5, "notes/": 0.5, "references/": 0.3, "others/": 0.8}
PAGE_BOOST = {"models/": 2.0, "glossary/": 0.35, "papers/": 1.0, "notes/": 1.0}


@dataclass
class Doc:
    url: str  # page URL relative to the site root, with the section anchor
    page: str  # page title
    title: str  # section title ("" for the top of the page)
    text: str
    boost: float = 1.0


_SPLIT = re.compile(
    r"<h(?P<level>[123])\b(?P<attrs>[^>]*)>(?P<title>.*?)</h(?P=level)>"
    r"|<h4\b(?P<eattrs>[^>]*\bclass=\"nkb-entry\"[^>]*)>(?P<etitle>.*?)</h4>"  # a glossary or reference entry
    r"|<div\b[^>]*\bclass=\"nkb-excerpt\"[^>]*>",
    re.S,
)
_ID = re.compile(r"""\bid=["']([^"']*)["']""")
# Not searched: scripts, permalink signs, and "what links here" lists (titles of other pages).
# Nor what labels a section rather than says something (issue 14: snippets began with them): the
# source label of an excerpt, the header row of a facts table ("项目 内容"), "used in" lines,
# missing-figure placeholders, the glossary's jump bar and language labels, and the lists of pages
# that mention an entry (titles of other pages, like "what links here"), a note's file path, and
# a comparison table's source marks and the list of notes they stand for (issue 13).
_SKIPPED = re.compile(
    r"<(script|style|template)\b.*?</\1>|<a\b[^>]*class=\"headerlink\"[^>]*>.*?</a>"
    r"|<div\b[^>]*class=\"(?:nkb-backlinks|nkb-source|nkb-missing-figure)\"[^>]*>.*?</div>"
    r"|<thead\b.*?</thead>|<p\b[^>]*class=\"(?:nkb-used|nkb-entry-links|nkb-marks)\"[^>]*>.*?</p>|<sup\b[^>]*class=\"nkb-mark\"[^>]*>.*?</sup>|<nav\b[^>]*class=\"nkb-jump\"[^>]*>.*?</nav>"
    r"|<dt\b.*?</dt>|<code class=\"nkb-path\">.*?</code>",
    re.S,
)
# Pages that only list other pages' titles: searching them finds nothing the pages themselves lack.
UNINDEXED = {"notes/", "papers/"}
# A facts box's (or a comparison table's) row labels ("发布", "来源笔记") name its values; the values are the text.
_FACTS = re.compile(r"<div\b[^>]*class=\"nkb-(?:facts|meta|compare)\"[^>]*>.*?</table>", re.S)
_ROW_LABEL = re.compile(r"<tr>\s*<td\b[^>]*>.*?</td>", re.S)
_SMALL = re.compile(r"<small>.*?</small>", re.S)  # and its "（见笔记）" links
_BLOCK_END = re.compile(r"</?(?:p|li|br|div|tr|pre|h[4-6]|td|th)\b[^>]*>")
_TAGS = re.compile(r"<[^>]+>")


def _plain(fragment: str) -> str:
    fragment = _BLOCK_END.sub(" ", fragment)
    return " ".join(html_module.unescape(_TAGS.sub("", fragment)).split())


def page_docs(page_html: str, url: str, page_title: str) -> list[Doc]:
    """Split a page's content HTML at h1/h2/h3 into one document per section.

    Regular expressions, not an HTML parser: the HTML is Python-Markdown's own output, and this
    runs over every page of the site."""
    if url in UNINDEXED:
        return []
    page_html = _SKIPPED.sub(" ", page_html)
    if "nkb-facts" in page_html or "nkb-meta" in page_html or "nkb-compare" in page_html:
        page_html = _FACTS.sub(lambda m: _ROW_LABEL.sub("<tr>", _SMALL.sub(" ", m.group())), page_html)
    boost = PAGE_BOOST_EXACT.get(url, next((b for prefix, b in PAGE_BOOST.items() if url.startswith(prefix)), 1.0))
    docs = []
    pieces = []  # (anchor, title, its HTML)
    last_anchor, last_title, last_end = "", "", 0
    heading_title = ""
    for match in _SPLIT.finditer(page_html):
        pieces.append((last_anchor, last_title, page_html[last_end : match.start()]))
        if match.group("level"):  # a heading starts a section
            anchor = _ID.search(match.group("attrs"))
            heading_title = _plain(match.group("title"))
            last_anchor, last_title, last_end = anchor.group(1) if anchor else "", heading_title, match.end()
        elif match.group("eattrs") is not None:  # so does an entry, under its own title
            anchor = _ID.search(match.group("eattrs"))
            last_anchor, last_title, last_end = anchor.group(1) if anchor else last_anchor, _plain(match.group("etitle")), match.end()
        else:  # an excerpt on a model page is a section of its own, under its topic's title
            anchor = _ID.search(match.group(0))
            last_anchor, last_title, last_end = (anchor.group(1) if anchor else last_anchor), heading_title, match.end()
    pieces.append((last_anchor, last_title, page_html[last_end:]))
    for anchor, title, fragment in pieces:
        text = _plain(fragment)
        if not text and not title:
            continue
        docs.append(Doc(f"{url}#{anchor}" if anchor else url, page_title, title, text, boost))
    return docs
