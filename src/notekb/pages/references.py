"""The references: every cited work once, with its link and the pages that cite it."""

from __future__ import annotations

from notekb.pages.links import _mention_list, _mentions
from notekb.pages.markdown import REFERENCES_PATH, heading, md_escape
from notekb.records import Page
from notekb.registry import Registry


def references_page(registry: Registry, edges: dict, titles: dict[str, str]) -> Page:
    mentions = _mentions(edges, REFERENCES_PATH)
    out = [heading(1, "参考文献"), "笔记引用的论文和资料，去重后每项一条，附链接和引用它的页面。"]
    for ref in sorted(registry.references, key=lambda r: (r.title.lower())):
        cited = mentions.get(ref.id, [])
        out.append(heading(2, ref.title, ref.id, "en"))
        line = " · ".join(x for x in [md_escape(ref.authors), str(ref.year or "")] if x)
        if ref.url:
            line += f" · [{'arXiv:' + ref.url.rsplit('/', 1)[-1] if 'arxiv.org' in ref.url else ref.url}]({ref.url})"
        out.append(line)
        if cited:
            out.append("被引用于：" + _mention_list(cited, REFERENCES_PATH, titles))
        else:
            out.append('<span class="nkb-unknown">目前没有笔记引用它。</span>')
    return Page(REFERENCES_PATH, "参考文献", "\n\n".join(out) + "\n")
