"""What every page builder shares: page addresses, relative links, headings, language marks and
escaping. The pages are ordinary Markdown (with the attr_list and md_in_html extensions), so that
MkDocs, Zensical or any other engine can build them.

Page addresses are permanent: models/<id>/, families/<id>/, papers/<slug>/, notes/<id>/, others/.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache

from notekb.registry import Registry
from notekb.text import SITE_LANG, base_lang


PAGE_LANG = SITE_LANG  # the site's interface language; text in any other language is marked up


def link(from_page: str, to_page: str, anchor: str = "") -> str:
    """A relative link between two pages of the site, as Markdown source paths."""
    target = _relpath(to_page, from_page)
    return f"{target}#{anchor}" if anchor else target


@lru_cache(maxsize=65536)
def _relpath(to_page: str, from_page: str) -> str:
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def model_path(model_id: str) -> str:
    return f"models/{model_id}.md"


def family_path(family_id: str) -> str:
    return f"families/{family_id}.md"


def note_path(note_id: str) -> str:
    return f"notes/{note_id}.md"


def paper_path(slug: str) -> str:
    return f"papers/{slug}.md"


OTHERS_PATH = "others.md"
MAX_LISTED = 40  # lists of pages (backlinks, mentions) show this many and count the rest
GLOSSARY_PATH = "glossary.md"
REFERENCES_PATH = "references.md"


def reference_for_arxiv(registry: Registry, arxiv: str | None):
    if not arxiv:
        return None
    return next((r for r in registry.references if r.url and r.url.endswith("/" + arxiv)), None)


def lang_attr(lang: str) -> str:
    return {"zh-Hans": "zh-Hans", "zh-Hant": "zh-Hant", "ja": "ja", "ko": "ko", "en": "en"}.get(base_lang(lang), lang)


def wrap_lang(markdown: str, lang: str, css: str = "", anchor: str = "", edition: str = "") -> str:
    """Wrap Markdown in a div that carries its language (and optionally a class, an id, and the
    edition it is meant for: "hans" or "hant", see publish.edition; the Traditional copy is hidden
    until that edition shows it)."""
    attrs = []
    if anchor:
        attrs.append(f'id="{anchor}"')
    if css:
        attrs.append(f'class="{css}"')
    attrs.append(f'lang="{lang_attr(lang)}"')
    if edition:
        attrs.append(f'data-nkb-edition="{edition}"' + (" hidden" if edition == "hant" else ""))
    return f"<div {' '.join(attrs)} markdown>\n\n{markdown}\n\n</div>"


def heading(level: int, text: str, anchor: str = "", lang: str = "", markdown: bool = False) -> str:
    """A Markdown heading of plain text (escaped here), or of a note's Markdown with `markdown`."""
    if not markdown:
        text = md_escape(text)
    attrs = []
    if anchor:
        attrs.append(f"#{anchor}")
    if lang and base_lang(lang) != PAGE_LANG:
        attrs.append(f'lang="{lang_attr(lang)}"')
    suffix = f" {{ {' '.join(attrs)} }}" if attrs else ""
    return f"{'#' * min(level, 6)} {text.replace('{', '&#123;')}{suffix}"


def md_escape(text: str) -> str:
    """Plain text (a title, an author's name) written into Markdown so that it shows exactly as
    it is: the characters Markdown, tables and attribute lists read as syntax with a backslash
    (escapes Python-Markdown knows, inside `markdown` blocks too), the HTML characters and "$"
    (which Markdown cannot escape) as character references. Line breaks become spaces: a value
    on two lines could start a block (a fence, an admonition) of its own."""
    return " ".join(text.split()).translate(_MD_ESCAPES)


_MD_ESCAPES = {ord(c): "\\" + c for c in "\\`*_[]|{}"} | {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("$"): "&#36;"}


def own_links(markdown: str, note_id: str) -> str:
    """A note's links to its own headings (`nkb:note/.#anchor`, see pipeline.sections) pointed at
    its page, so that they lead there from any page the section is shown on."""
    return markdown.replace("](nkb:note/.#", f"](nkb:note/{note_id}#") if "nkb:note/.#" in markdown else markdown
