"""The references: every cited work once, as a compact list (title; authors, year, link, its own
page on this site, the pages that cite it), each entry keeping its anchor (references/#<id>)."""

from __future__ import annotations

import re

from notekb.pages.collation import sort_key
from notekb.pages.glossary import entry_heading
from notekb.pages.links import _mention_list, _mentions
from notekb.pages.markdown import REFERENCES_PATH, heading, link, md_escape, model_path
from notekb.records import Page
from notekb.registry import Reference, Registry
from notekb.text import fold


def own_pages(ref: Reference, registry: Registry, titles: dict[str, str]) -> list[str]:
    """The pages of this site that are the work itself: the model page of a report, the paper
    page of a paper. They link to the entry from their facts box, which is not a citation."""
    arxiv = ref.url.rsplit("/", 1)[-1] if ref.url and "arxiv.org/abs/" in ref.url else None
    pages = [model_path(m.id) for m in registry.models if arxiv and m.arxiv == arxiv]
    key = _title_key(ref.title)
    pages += [p for p, title in titles.items() if p.startswith("papers/") and p != "papers/index.md" and _title_key(title) == key]
    return pages


def _title_key(title: str) -> str:
    return re.sub(r"\W+", "", fold(title))


def references_page(registry: Registry, edges: dict, titles: dict[str, str]) -> Page:
    mentions = _mentions(edges, REFERENCES_PATH)
    out = [heading(1, "参考文献"), "笔记引用的论文和资料，去重后每项一条，附链接、本站页面和引用它的页面。按标题的字母顺序排列。"]
    entries = []
    for ref in sorted(registry.references, key=lambda r: sort_key(r.title, registry)):
        own = own_pages(ref, registry, titles)
        cited = [p for p in mentions.get(ref.id, []) if p not in own]
        facts = [md_escape(x) for x in (ref.authors, str(ref.year or "")) if x]
        if ref.url:
            facts.append(f"[{'arXiv:' + ref.url.rsplit('/', 1)[-1] if 'arxiv.org' in ref.url else md_escape(ref.url)}]({ref.url})")
        facts += [f"[{'模型页：' + md_escape(titles.get(p, p)) if p.startswith('models/') else '本站论文页'}]({link(REFERENCES_PATH, p)})" for p in own]
        line = '<p class="nkb-entry-meta" markdown>' + " · ".join(facts) + "</p>"
        if cited:
            line += '\n\n<p class="nkb-entry-links" markdown>被引用于：' + _mention_list(cited, REFERENCES_PATH, titles) + "</p>"
        elif not own:
            line += '\n\n<p class="nkb-entry-links"><span class="nkb-unknown">目前没有笔记引用它。</span></p>'
        entries.append('<div class="nkb-entry-card" markdown>\n\n' + entry_heading(ref.title, ref.id, "en") + "\n\n" + line + "\n\n</div>")
    out.append('<div class="nkb-entry-list" markdown>\n\n' + "\n\n".join(entries) + "\n\n</div>")
    return Page(REFERENCES_PATH, "参考文献", "\n\n".join(out) + "\n")
