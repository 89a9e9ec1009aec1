"""The family at a glance (home page and models index) and the index pages of papers and notes."""

from __future__ import annotations

from notekb.pages.family import comparison, family_title, timeline
from notekb.pages.markdown import family_path, heading, link, md_escape
from notekb.pages.note import _where_used
from notekb.records import Note, Page, Part
from notekb.registry import Registry
from notekb.text import LANG_NAMES, base_lang


def family_overview(registry: Registry, counts: dict[str, int], from_page: str = "index.md", notes: dict[str, Note] | None = None, pages: set[str] | None = None, families: set[str] | None = None) -> str:
    """The family at a glance, family by family: a timeline of the members notes are about, then a
    comparison table of their key facts, each value marked with a link to the note that states it
    (and saying so where no note does)."""
    pages = {m for m, n in counts.items() if n} if pages is None else pages
    families = {m.family for m in registry.models if m.id in pages} if families is None else families
    out = []
    for family in registry.families:
        members = [m for m in registry.members(family.id) if m.id in pages]
        if not members and family.id not in families:
            continue
        title = md_escape(family_title(family))
        out.append(heading(3, family_title(family), f"family-{family.id}") if family.id not in families else f"### [{title}]({link(from_page, family_path(family.id))}) {{ #family-{family.id} }}")
        if members:
            out.append(timeline(family, members, registry, counts, from_page, pages, families))
            out.append(comparison(family, members, registry, from_page, notes))
        else:
            out.append("还没有只讲某一代的笔记。")
    if not out:
        return "还没有笔记。"
    return "\n\n".join(x for x in out if x)


def models_index(registry: Registry, counts: dict[str, int], notes: dict[str, Note], has_home: bool = True, pages: set[str] | None = None, families: set[str] | None = None) -> Page:
    home = "模型间的关系与时间线也在[首页](../index.md)。" if has_home else ""
    out = [heading(1, "模型"), "每个模型一页：汇集所有笔记对它的记录，按主题排列；每个家族另有一页。" + home, family_overview(registry, counts, "models/index.md", notes, pages, families)]
    return Page("models/index.md", "模型", "\n\n".join(out) + "\n")


def papers_index(papers: dict[str, list[tuple[Note, Part]]]) -> Page:
    rows = ["| 论文 | 中文标题 | arXiv | 笔记 |", "| --- | --- | --- | --- |"]
    for slug, sources in papers.items():
        note, part = sources[0]
        arxiv = f"[{part.arxiv}]({part.url})" if part.arxiv and part.url else ""
        rows.append(f"| [{md_escape(part.title or slug)}]({slug}.md) | {md_escape(part.subtitle or '')} | {arxiv} | {len(sources)} |")
    out = [heading(1, "论文"), "笔记中提到、但不属于上述模型的论文，每篇一页。", "\n".join(rows) if papers else "目前没有。"]
    return Page("papers/index.md", "论文", "\n\n".join(out) + "\n")


def notes_index(notes: list[Note], registry: Registry) -> Page:
    rows = ["| 笔记 | 作者 | 日期 | 语言 | 收录于 |", "| --- | --- | --- | --- | --- |"]
    for note in notes:
        used = sorted({_where_used(note, p, registry, "notes/index.md") for p in note.parts if p.target and p.target.kind in ("model", "family")})
        rest = sum(1 for p in note.parts if p.target and p.target.kind not in ("model", "family"))
        where = "、".join(used) + (f"{'，' if used else ''}另有 {rest} 篇论文/其他" if rest and note.is_digest else ("" if used else _where_used(note, note.parts[0], registry, "notes/index.md")))
        rows.append(f"| [{md_escape(note.title)}]({note.id}.md) | {md_escape(note.author or '')} | {note.date or ''} | {LANG_NAMES.get(base_lang(note.lang), note.lang)} | {where} |")
    out = [heading(1, "笔记"), f"共 {len(notes)} 篇。每篇笔记都有一页全文（清理后），并链接到它被收录的位置。", "\n".join(rows)]
    return Page("notes/index.md", "笔记", "\n\n".join(out) + "\n")


FAMILY_MARKER = "<!-- notekb:family -->"
