"""Paper pages: one per paper a digest covers that is not a model of the registry."""

from __future__ import annotations

from notekb.pages.excerpts import excerpt_markdown, group_excerpts
from notekb.pages.markdown import MAX_LISTED, REFERENCES_PATH, heading, link, md_escape, note_path, paper_path, reference_for_arxiv
from notekb.pages.memo import remember
from notekb.records import Note, Page, Part
from notekb.registry import Registry


def paper_page(slug: str, sources: list[tuple[Note, Part]], registry: Registry) -> Page:
    """One page per paper, gathering every note (every digest) that covers it."""
    path = paper_path(slug)
    note, part = sources[0]
    out = [heading(1, part.title or slug, lang=part.title_lang)]
    rows = ["| 项目 | 内容 |", "| --- | --- |"]
    if part.subtitle:
        rows.append(f"| 中文标题 | {md_escape(part.subtitle)} |")
    if part.url:
        rows.append(f"| 论文 | [{part.arxiv and 'arXiv:' + part.arxiv or part.url}]({part.url}) |")
    notes = "、".join(f"[{md_escape(n.title)}]({link(path, note_path(n.id), p.anchor)})" for n, p in sources[:MAX_LISTED])
    if len(sources) > MAX_LISTED:
        notes += f" 等 {len(sources)} 篇"
    rows.append(f"| 来源笔记 | {notes} |")
    ref = reference_for_arxiv(registry, part.arxiv)
    if ref:
        rows.append(f"| 参考文献 | [{md_escape(ref.authors or ref.title)}{f' ({ref.year})' if ref.year else ''}]({link(path, REFERENCES_PATH, ref.id)}) |")
    out.append('<div class="nkb-facts" markdown>\n\n' + "\n".join(rows) + "\n\n</div>")
    out.append(heading(2, "笔记摘录", "excerpt"))
    for source_note, source_part in sources:
        for excerpt in group_excerpts(source_note, source_part):
            out.append(excerpt_markdown(excerpt, path, part_title=False))  # the page's title and facts give it
    return Page(path, part.title or slug, "\n\n".join(out) + "\n")


def _cached_paper_page(slug: str, sources: list[tuple[Note, Part]], registry: Registry, cache: dict | None) -> Page:
    """A paper page depends only on its sources' content (their digests) and titles."""
    key = tuple((n.id, n.digest, n.title, p.anchor) for n, p in sources)
    return remember(cache, "paper", (slug, key), lambda: paper_page(slug, sources, registry))
