"""The family at a glance (home page and models index) and the index pages of papers and notes."""

from __future__ import annotations

import html

from notekb.pages.markdown import heading, link, md_escape, model_path, note_path
from notekb.pages.note import _where_used
from notekb.records import Note, Page, Part
from notekb.registry import Registry
from notekb.text import LANG_NAMES, base_lang


def family_overview(registry: Registry, counts: dict[str, int], from_page: str = "index.md", notes: dict[str, Note] | None = None) -> str:
    """The family at a glance: a timeline with relations, then a comparison table whose every cell
    links to the note that states it (and says so where no note does)."""
    models = sorted(registry.models, key=lambda m: m.release)
    names = registry.model_by_id
    timeline = []
    for model in models:
        relations = "；".join(
            f"{registry.relation_labels.get(r.type, r.type)}：[{md_escape(names[r.model].name)}]({link(from_page, model_path(r.model))})"
            for r in model.relations if r.model in names
        )
        item = f'- <time datetime="{model.release}">{model.release}</time> **[{md_escape(model.name)}]({link(from_page, model_path(model.id))})**'
        item += f'<br><span class="nkb-timeline-summary">{html.escape(model.summary)}</span>'
        if relations:
            item += f'<br><span class="nkb-timeline-relation" markdown>{relations}</span>'
        item += f'<br><span class="nkb-timeline-count">{counts.get(model.id, 0)} 篇笔记</span>'
        timeline.append(item)
    timeline = ['<div class="nkb-timeline" markdown>', "", *timeline, "", "</div>"]
    keys = ["architecture", "attention", "context", "sizes", "hardware", "modalities"]
    header = "| | " + " | ".join(f"[{m.name}]({link(from_page, model_path(m.id))})" for m in models) + " |"
    rows = [header, "| --- |" + " --- |" * len(models)]
    for key in keys:
        cells = []
        for model in models:
            fact = next((f for f in model.facts if f.key == key), None)
            if fact is None:
                cells.append('<span class="nkb-unknown">笔记中未提及</span>')
            elif fact.note and (notes is None or fact.note in notes):
                cells.append(f"[{md_escape(fact.value)}]({link(from_page, note_path(fact.note))})")
            else:
                cells.append(f"{md_escape(fact.value)} <small>（来源笔记不在库中）</small>")
        rows.append(f"| {registry.fact_labels.get(key, key)} | " + " | ".join(cells) + " |")
    return "\n".join(timeline) + "\n\n" + '<div class="nkb-compare" markdown>\n\n' + "\n".join(rows) + "\n\n</div>"


def models_index(registry: Registry, counts: dict[str, int], notes: dict[str, Note], has_home: bool = True) -> Page:
    home = "模型间的关系与时间线也在[首页](../index.md)。" if has_home else ""
    out = [heading(1, "模型"), "每个模型一页：汇集所有笔记对它的记录，按主题排列。" + home, family_overview(registry, counts, "models/index.md", notes)]
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
        used = sorted({_where_used(note, p, registry, "notes/index.md") for p in note.parts if p.target and p.target.kind == "model"})
        rest = sum(1 for p in note.parts if p.target and p.target.kind != "model")
        where = "、".join(used) + (f"{'，' if used else ''}另有 {rest} 篇论文/其他" if rest and note.is_digest else ("" if used else _where_used(note, note.parts[0], registry, "notes/index.md")))
        rows.append(f"| [{md_escape(note.title)}]({note.id}.md) | {md_escape(note.author or '')} | {note.date or ''} | {LANG_NAMES.get(base_lang(note.lang), note.lang)} | {where} |")
    out = [heading(1, "笔记"), f"共 {len(notes)} 篇。每篇笔记都有一页全文（清理后），并链接到它被收录的位置。", "\n".join(rows)]
    return Page("notes/index.md", "笔记", "\n\n".join(out) + "\n")


FAMILY_MARKER = "<!-- notekb:family -->"
