"""The glossary: every term with its names in each language, its definition and the pages that
mention it, in dictionary order (pinyin for Chinese, letters without regard to case), filed under
letters that a jump bar at the top and the table of contents lead to."""

from __future__ import annotations

import html
from itertools import groupby
from string import ascii_uppercase

from notekb.pages.collation import initial, sort_key
from notekb.pages.links import _mention_list, _mentions
from notekb.pages.markdown import GLOSSARY_PATH, heading, md_escape
from notekb.records import Page
from notekb.registry import Registry

NAMES = {"zh": ("中文", "zh-Hans"), "ko": ("한국어", "ko"), "en": ("English", "en")}


def letter_anchor(letter: str) -> str:
    return "letter-" + ("num" if letter == "#" else letter.lower())


def jump_bar(letters: list[str]) -> str:
    """A–Z across the top of a list: the letters that have entries link to them."""
    cells = []
    for letter in (["#"] if "#" in letters else []) + list(ascii_uppercase):
        if letter in letters:
            cells.append(f'<a href="#{letter_anchor(letter)}">{letter}</a>')
        else:
            cells.append(f'<span class="nkb-jump-off">{letter}</span>')
    return '<nav class="nkb-jump" role="navigation">' + "".join(cells) + "</nav>"


def entry_heading(title: str, anchor: str, lang: str = "") -> str:
    """An entry's title: a small heading with the entry's anchor, below the table of contents'
    depth, marked as an entry (the search index makes each entry a section of its own)."""
    return heading(4, title, anchor, lang).removesuffix(" }") + " .nkb-entry }" if anchor else heading(4, title, lang=lang)


def glossary_page(registry: Registry, edges: dict, titles: dict[str, str]) -> Page:
    mentions = _mentions(edges, GLOSSARY_PATH)
    out = [heading(1, "术语表"), "笔记中出现的术语，附中文、韩文和英文名称、简短定义，以及提到它的页面。名称在笔记中出现时会链接到这里。按拼音和字母顺序排列。"]
    terms = sorted(registry.terms, key=lambda t: sort_key(t.title, registry))
    groups = [(letter, list(items)) for letter, items in groupby(terms, key=lambda t: initial(t.title, registry))]
    out.append(jump_bar([letter for letter, _ in groups]))
    for letter, items in groups:
        out.append(heading(2, letter, letter_anchor(letter)))
        for term in items:
            out.append(_entry(term, registry, mentions, titles))
    return Page(GLOSSARY_PATH, "术语表", "\n\n".join(out) + "\n")


def _entry(term, registry: Registry, mentions: dict, titles: dict[str, str]) -> str:
    rows = []
    for lang, (label, attr) in NAMES.items():
        names = term.names.get(lang)
        # Product names such as "TPU v5e" are written the same way in every language.
        value = f'<dd lang="{attr}">{html.escape("、".join(names))}</dd>' if names else '<dd class="nkb-unknown">同英文名称</dd>'
        rows.append(f"<dt>{label}</dt>{value}")
    pieces = [entry_heading(term.title, term.id), '<dl class="nkb-names">' + "".join(rows) + "</dl>"]
    if term.definition:
        pieces.append(term.definition)
    links = []
    see = [s for s in term.see if any(t.id == s for t in registry.terms)]
    if see:
        links.append("参见：" + "、".join(f"[{md_escape(registry_term_title(registry, s))}](#{s})" for s in see))
    mentioned = mentions.get(term.id, [])
    links.append("出现于：" + _mention_list(mentioned, GLOSSARY_PATH, titles) if mentioned else '<span class="nkb-unknown">目前没有笔记提到它。</span>')
    pieces.append('<p class="nkb-entry-links" markdown>' + "<br>".join(links) + "</p>")
    return '<div class="nkb-entry-card" markdown>\n\n' + "\n\n".join(pieces) + "\n\n</div>"


def registry_term_title(registry: Registry, term_id: str) -> str:
    return next((t.title for t in registry.terms if t.id == term_id), term_id)
