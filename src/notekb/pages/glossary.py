"""The glossary: every term with its names in each language, its definition and the pages that
mention it."""

from __future__ import annotations

import html

from notekb.pages.links import _mention_list, _mentions
from notekb.pages.markdown import GLOSSARY_PATH, heading, md_escape
from notekb.records import Page
from notekb.registry import Registry


def glossary_page(registry: Registry, edges: dict, titles: dict[str, str]) -> Page:
    mentions = _mentions(edges, GLOSSARY_PATH)
    out = [heading(1, "术语表"), "笔记中出现的术语，附中文、韩文和英文名称、简短定义，以及提到它的页面。名称在笔记中出现时会链接到这里。"]
    names = {"zh": "中文", "ko": "한국어", "en": "English"}
    for term in sorted(registry.terms, key=lambda t: t.title):
        out.append(heading(2, term.title, term.id))
        rows = []
        for lang, label in names.items():
            if term.names.get(lang):
                rows.append(f'<span class="nkb-term-lang">{label}</span> <span lang="{ {"zh": "zh-Hans", "ko": "ko", "en": "en"}[lang]}">{html.escape("、".join(term.names[lang]))}</span>')
            else:  # product names such as "TPU v5e" are written the same way in every language
                rows.append(f'<span class="nkb-term-lang">{label}</span> <span class="nkb-unknown">同英文名称</span>')
        out.append('<p class="nkb-term-names">' + "<br>".join(rows) + "</p>")
        if term.definition:
            out.append(term.definition)
        if term.see:
            out.append("参见：" + "、".join(f"[{md_escape(registry_term_title(registry, s))}](#{s})" for s in term.see if any(t.id == s for t in registry.terms)))
        mentioned = mentions.get(term.id, [])
        if mentioned:
            out.append("出现于：" + _mention_list(mentioned, GLOSSARY_PATH, titles))
        else:
            out.append('<span class="nkb-unknown">目前没有笔记提到它。</span>')
    return Page(GLOSSARY_PATH, "术语表", "\n\n".join(out) + "\n")


def registry_term_title(registry: Registry, term_id: str) -> str:
    return next((t.title for t in registry.terms if t.id == term_id), term_id)
