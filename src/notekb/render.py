"""Stage 5, render: notes and the registry -> plain Markdown pages.

The pages are ordinary Markdown (with the attr_list and md_in_html extensions) so that MkDocs,
Zensical or any other engine can build them; `notekb export` writes exactly these pages.

Page addresses are permanent: models/<id>/, papers/<slug>/, notes/<id>/, others/.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from .registry import Model, Registry
from .text import LANG_NAMES, base_lang, to_simplified
from .records import Note, Page, Part, Section
from .safety import md_escape

PAGE_LANG = "zh-Hans"  # the site's interface language; text in any other language is marked up


@dataclass
class Excerpt:
    """Sections of one note part that a page shows under one topic."""

    note: Note
    part: Part
    sections: list[Section]


def link(from_page: str, to_page: str, anchor: str = "") -> str:
    """A relative link between two pages of the site, as Markdown source paths."""
    target = _relpath(to_page, from_page)
    return f"{target}#{anchor}" if anchor else target


@lru_cache(maxsize=65536)
def _relpath(to_page: str, from_page: str) -> str:
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def model_path(model_id: str) -> str:
    return f"models/{model_id}.md"


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
    return {"zh-Hans": "zh-Hans", "zh-Hant": "zh-Hant", "ko": "ko", "en": "en"}.get(base_lang(lang), lang)


def wrap_lang(markdown: str, lang: str, css: str = "", anchor: str = "") -> str:
    """Wrap Markdown in a div that carries its language (and optionally a class and an id)."""
    attrs = []
    if anchor:
        attrs.append(f'id="{anchor}"')
    if css:
        attrs.append(f'class="{css}"')
    attrs.append(f'lang="{lang_attr(lang)}"')
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


def source_label(note: Note, from_page: str, anchor: str) -> str:
    """Who wrote this excerpt, in what language, when, with a link to the exact place in the note."""
    title_lang = "" if note.title_inferred or base_lang(note.lang) == PAGE_LANG else f'{{: lang="{lang_attr(note.lang)}" }}'
    bits = [f"[{md_escape(note.title)}]({link(from_page, note_path(note.id), anchor)}){title_lang}"]
    if note.author:
        bits.append(md_escape(note.author))
    if note.date:
        bits.append(note.date)
    bits.append(LANG_NAMES.get(base_lang(note.lang), note.lang))
    return '<div class="nkb-source" lang="zh-Hans" markdown>\n\n' + "来源：" + " · ".join(bits) + "\n\n</div>"


def section_markdown(section: Section, level: int, simplified: bool, note_lang: str, context: bool = False, anchored: bool = False) -> str:
    """A section as it appears inside an excerpt (simplified=True) or on its note page.

    In an excerpt, a section's enclosing headings are shown before its own ("Pretrain 阶段 ›
    1.1 模型架构") when `context` is set, because the excerpt is read away from its note."""
    body = section.body
    title = section.title
    if context and title and section.context:
        title = f"{section.context} › {title}"
    lang = section.lang
    if simplified and base_lang(section.lang) == "zh-Hant":
        body = to_simplified(body, note_lang if note_lang.startswith("zh-") else "zh-Hant")
        title = to_simplified(title, note_lang) if title else title
        lang = "zh-Hans"
    pieces = []
    if title:
        pieces.append(heading(level, title, "" if simplified else section.anchor, section.title_lang if not simplified else lang, markdown=True))
    if body.strip():
        pieces.append(body)
    text = "\n\n".join(pieces)
    if not title and not simplified and not anchored:
        text = f'<div id="{section.anchor}" markdown>\n\n{text}\n\n</div>'
    return text


def excerpt_markdown(excerpt: Excerpt, from_page: str) -> str:
    """One note's text on one topic, under a label naming its source; Traditional shown Simplified."""
    first = excerpt.sections[0]
    shown = {s.anchor for s in excerpt.sections}
    pieces = [source_label(excerpt.note, from_page, first.anchor)]
    part = excerpt.part
    if part.title:
        pieces.append(heading(4, part.title, lang=part.title_lang))
        if part.subtitle:
            pieces.append(f"[{md_escape(part.subtitle)}]({part.url})" if part.url else md_escape(part.subtitle))
    pieces += [section_markdown(s, 4, True, excerpt.note.lang, context=s.parent not in shown) for s in excerpt.sections]
    lang = "zh-Hans" if base_lang(first.lang) == "zh-Hant" else first.lang
    anchor = "-".join(x for x in ("x", first.topic or "", excerpt.note.id, excerpt.part.anchor) if x)
    return wrap_lang("\n\n".join(pieces), lang, "nkb-excerpt", anchor=anchor)


def display_title(note: Note, registry: Registry) -> str:
    """The note's title; a note without one is named after its model and file."""
    if not note.title_inferred:
        return note.title
    if note.is_digest:
        return f"论文速递 · {note.rel.rsplit('/', 1)[-1].rsplit('.', 1)[0]}"
    target = note.parts[0].target if note.parts else None
    if target and target.kind == "model" and target.id in registry.model_by_id:
        return f"{registry.model_by_id[target.id].name} 笔记 · {note.title}"
    return note.title


# ---------------------------------------------------------------------------------------------
# Model pages


def facts_table(model: Model, registry: Registry, notes_by_id: dict[str, Note], from_page: str) -> str:
    rows = ["| 项目 | 内容 |", "| --- | --- |"]
    rows.append(f"| 发布 | {model.release} |")
    if model.report_title:
        report = md_escape(model.report_title)
        cell = f"[{report}]({model.report_url})" if model.report_url else report
        ref = reference_for_arxiv(registry, model.arxiv)
        if ref:
            cell += f" <small>（[参考文献条目]({link(from_page, REFERENCES_PATH, ref.id)})）</small>"
        rows.append(f"| 报告 | {cell} |")
    for fact in model.facts:
        label = registry.fact_labels.get(fact.key, fact.key)
        value = md_escape(fact.value)
        if fact.note and fact.note in notes_by_id:
            value += f" <small>（[见笔记]({link(from_page, note_path(fact.note))})）</small>"
        else:
            value += " <small>（来源笔记不在库中）</small>"
        rows.append(f"| {label} | {value} |")
    for relation in model.relations:
        other = registry.model_by_id.get(relation.model)
        if other:
            label = registry.relation_labels.get(relation.type, relation.type)
            rows.append(f"| {label} | [{other.name}]({link(from_page, model_path(other.id))}) |")
    successors = [
        (m, r) for m in registry.models for r in m.relations if r.model == model.id
    ]
    for other, relation in successors:
        label = registry.relation_labels.get({"successor_of": "predecessor_of", "derived_from": "source_of"}.get(relation.type, relation.type), relation.type)
        rows.append(f"| {label} | [{other.name}]({link(from_page, model_path(other.id))}) |")
    return '<div class="nkb-facts" markdown>\n\n' + "\n".join(rows) + "\n\n</div>"


def _excerpt_cached(excerpt: Excerpt, path: str, cache: dict | None) -> str:
    """An excerpt depends only on its note's content (its digest) and the page it is on."""
    note, part = excerpt.note, excerpt.part
    key = (note.id, note.digest, note.title, part.anchor, tuple(s.anchor for s in excerpt.sections), path)
    return _memo(cache, "excerpt", lambda *_: excerpt_markdown(excerpt, path), *key)


def model_page(model: Model, excerpts: list[Excerpt], registry: Registry, notes_by_id: dict[str, Note], cache: dict | None = None) -> Page:
    path = model_path(model.id)
    out = [heading(1, model.name), f'<p class="nkb-lede">{html.escape(model.summary)}</p>' if model.summary else ""]
    out.append(facts_table(model, registry, notes_by_id, path))
    by_topic: dict[str, list[Excerpt]] = defaultdict(list)
    for excerpt in excerpts:
        by_topic[excerpt.sections[0].topic or registry.default_topic].append(excerpt)
    if not excerpts:
        out.append("还没有关于这个模型的笔记。")
    for topic in registry.topics:
        group = by_topic.get(topic.id)
        if not group:
            continue
        out.append(heading(2, topic.title, topic.id))
        out += [_excerpt_cached(e, path, cache) for e in group]
    sources = sorted({e.note.id: e.note for e in excerpts}.values(), key=lambda n: (n.date or "", n.id))
    if sources:
        out.append(heading(2, "来源笔记", "sources"))
        out.append("\n".join(f"- [{md_escape(n.title)}]({link(path, note_path(n.id))})" + (f" · {md_escape(n.author)}" if n.author else "") + (f" · {n.date}" if n.date else "") + f" · {LANG_NAMES.get(base_lang(n.lang), n.lang)}" for n in sources))
    return Page(path, model.name, "\n\n".join(x for x in out if x) + "\n")


def _cached_model_page(model: Model, excerpts: list[Excerpt], registry: Registry, notes_by_id: dict[str, Note], cache: dict | None) -> Page:
    """A model page depends on its excerpts (their notes' content and titles) and on the notes its
    facts cite; a rebuild after one edit renders only the model page that note is on."""
    key = tuple((e.note.id, e.note.digest, e.note.title, e.part.anchor, tuple(s.anchor for s in e.sections)) for e in excerpts)
    cited = tuple(f.note in notes_by_id for f in model.facts if f.note)
    return _memo(cache, "model", lambda *_: model_page(model, excerpts, registry, notes_by_id, cache), model.id, key, cited)


def group_excerpts(note: Note, part: Part) -> list[Excerpt]:
    """A part's sections grouped by topic, in order of first appearance: one excerpt (one source
    label) per note and topic, so two notes on a topic sit one after the other."""
    groups: list[Excerpt] = []
    by_topic: dict[str, Excerpt] = {}
    for section in part.sections:
        if not section.body.strip():
            continue
        topic = section.topic or ""
        if topic in by_topic:
            by_topic[topic].sections.append(section)
        else:
            by_topic[topic] = Excerpt(note, part, [section])
            groups.append(by_topic[topic])
    return groups


# ---------------------------------------------------------------------------------------------
# Note, paper and other pages


def _where_used(note: Note, part: Part, registry: Registry, from_page: str) -> str:
    target = part.target
    if target is None:
        return ""
    if target.kind == "model":
        model = registry.model_by_id[target.id]
        return f"[{model.name}]({link(from_page, model_path(model.id))})"
    if target.kind == "paper":
        return f"[论文页：{md_escape(part.title or target.id)}]({link(from_page, paper_path(target.id))})"
    return f"[其他笔记]({link(from_page, OTHERS_PATH)})"


def _used_in(part: Part, section: Section, registry: Registry, from_page: str) -> str:
    """On a note page, under each section: the model page and topic where it is shown."""
    target = part.target
    if target is None or target.kind != "model" or not section.body.strip():
        return ""
    model = registry.model_by_id[target.id]
    topic = registry.topic_by_id.get(section.topic or "")
    label = f"{model.name} › {topic.title}" if topic else model.name
    anchor = topic.id if topic else ""
    return f'<p class="nkb-used" markdown>收录于 [{md_escape(label)}]({link(from_page, model_path(model.id), anchor)})</p>'


def note_page(note: Note, registry: Registry) -> Page:
    path = note_path(note.id)
    title = note.title  # pipeline made it the display title
    rows = ["| 项目 | 内容 |", "| --- | --- |"]
    if note.author:
        rows.append(f"| 作者 | {md_escape(note.author)} |")
    if note.date:
        rows.append(f"| 日期 | {note.date} |")
    rows.append(f"| 语言 | {LANG_NAMES.get(base_lang(note.lang), note.lang)} |")
    if note.sources:
        links = []
        for source in note.sources:
            label = md_escape(source.label or source.url or "")
            links.append(f"[{label}]({source.url})" if source.url else label)
        rows.append(f"| 原文与出处 | {' · '.join(links)} |")
    if note.tags:
        rows.append(f"| 标签 | {md_escape(', '.join(note.tags))} |")
    rows.append(f"| 文件 | <code>notes/{html.escape(note.rel)}</code> |")
    if not note.is_digest:
        rows.append(f"| 收录于 | {_where_used(note, note.parts[0], registry, path)} |")
    out = [heading(1, title, lang=note.lang if not note.title_inferred else ""), '<div class="nkb-meta" markdown>\n\n' + "\n".join(rows) + "\n\n</div>"]
    for source in note.sources:
        if source.description:
            caption = f'<p class="nkb-card-caption" lang="{lang_attr(note.lang)}">{html.escape(source.caption)}</p>\n\n' if source.caption else ""
            card = f"> [**{md_escape(source.label)}**]({source.url})  \n> {md_escape(source.description)}"
            out.append(wrap_lang(caption + card, "en" if source.description.isascii() else note.lang, "nkb-card"))
    body = []
    for part in note.parts:
        if part.title:
            body.append(heading(2, part.title, part.anchor, part.title_lang))
            info = []
            if part.subtitle:
                info.append(f"[{md_escape(part.subtitle)}]({part.url})" if part.url else md_escape(part.subtitle))
            if part.arxiv:
                info.append(f"arXiv:{part.arxiv}")
            ref = reference_for_arxiv(registry, part.arxiv)
            if ref:
                info.append(f"[参考文献条目]({link(path, REFERENCES_PATH, ref.id)})")
            info.append("收录于 " + _where_used(note, part, registry, path))
            body.append('<p class="nkb-part-info" markdown>' + " · ".join(info) + "</p>")
            offset = 2
        else:
            offset = 1
        for section in part.sections:
            # A paper's opening text shares its anchor with the paper's heading above it.
            anchored = bool(part.title) and section.anchor == part.anchor
            body.append(section_markdown(section, section.level + offset, False, note.lang, anchored=anchored))
            used = _used_in(part, section, registry, path)
            if used:
                body.append(used)
    content = "\n\n".join(body)
    if base_lang(note.lang) != PAGE_LANG:
        content = wrap_lang(content, note.lang, "nkb-note-body")
    out.append(content)
    return Page(path, title, "\n\n".join(out) + "\n")


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
            out.append(excerpt_markdown(excerpt, path))
    return Page(path, part.title or slug, "\n\n".join(out) + "\n")


def _cached_paper_page(slug: str, sources: list[tuple[Note, Part]], registry: Registry, cache: dict | None) -> Page:
    """A paper page depends only on its sources' content (their digests) and titles."""
    key = tuple((n.id, n.digest, n.title, p.anchor) for n, p in sources)
    return _memo(cache, "paper", lambda *_: paper_page(slug, sources, registry), slug, key)


def others_page(items: list[tuple[Note, Part]], registry: Registry) -> Page:
    out = [heading(1, "其他笔记"), "这些笔记（或笔记中的部分）没有归入任何模型页：下面是全文，以及路由给出的理由。"]
    if not items:
        out.append("目前没有。")
    for note, part in items:
        title = part.title or note.title
        out.append(heading(2, title, f"{note.id}-{part.anchor}".strip("-"), part.title_lang if part.title else note.lang))
        if part.target and part.target.evidence:
            out.append('<p class="nkb-evidence">路由依据：' + html.escape("；".join(part.target.evidence)) + "</p>")
        for excerpt in group_excerpts(note, part):
            out.append(excerpt_markdown(excerpt, OTHERS_PATH))
    return Page(OTHERS_PATH, "其他笔记", "\n\n".join(out) + "\n")


# ---------------------------------------------------------------------------------------------
# Index pages and the home page's family overview


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


def _cached_note_page(note: Note, registry: Registry, cache: dict | None) -> Page:
    """A note's page depends only on the note (and the registry, whose change empties the cache)."""
    key = (note.id, note.digest, note.title, tuple(p.target.id if p.target else "" for p in note.parts))
    return _memo(cache, "note", lambda *_: note_page(note, registry), *key)


def render_site(notes: list[Note], registry: Registry, docs_pages: list[Page] = (), page_cache: dict | None = None) -> tuple[list[Page], dict]:
    """All generated pages; also the hand-written `docs_pages` with the family overview filled in
    and backlinks added (returned in extra["docs"]), since links go both ways between the two."""
    notes_by_id = {n.id: n for n in notes}
    excerpts: dict[str, list[Excerpt]] = defaultdict(list)
    papers: dict[str, list[tuple[Note, Part]]] = defaultdict(list)
    others: list[tuple[Note, Part]] = []
    for note in notes:
        for part in note.parts:
            target = part.target
            if target is None:
                continue
            if target.kind == "model":
                excerpts[target.id] += group_excerpts(note, part)
            elif target.kind == "paper":
                papers[target.id].append((note, part))
            else:
                others.append((note, part))
    counts = {m: len({e.note.id for e in ex}) for m, ex in excerpts.items()}
    pages = [_cached_model_page(m, excerpts.get(m.id, []), registry, notes_by_id, page_cache) for m in registry.models]
    pages.append(models_index(registry, counts, notes_by_id, any(d.path == "index.md" for d in docs_pages)))
    pages += [_cached_paper_page(slug, sources, registry, page_cache) for slug, sources in papers.items()]
    pages.append(papers_index(papers))
    pages += [_cached_note_page(n, registry, page_cache) for n in notes]
    pages.append(notes_index(notes, registry))
    pages.append(others_page(others, registry))
    docs = [Page(d.path, d.title, d.markdown.replace(FAMILY_MARKER, family_overview(registry, counts, d.path, notes_by_id))) for d in docs_pages]
    # A hand-written page replaces the generated page of the same name: only its links count.
    written = {d.path for d in docs}
    edges = _graph(page_cache, "pages").update([p for p in pages if p.path not in written] + docs)
    titles = {p.path: p.title for p in pages + docs}
    listings = [_cached_listing(make, path, registry, edges, titles, page_cache) for make, path in ((glossary_page, GLOSSARY_PATH), (references_page, REFERENCES_PATH))]
    edges = dict(edges)  # the graph's own sets are not altered: the listings' links are added to copies
    for target, sources in _graph(page_cache, "listings").update([p for p in listings if p.path not in written]).items():
        edges[target] = edges.get(target, set()) | sources
    pages += listings
    titles.update((p.path, p.title) for p in listings)

    retitled = _retitled(page_cache, titles)

    def finish(page: Page) -> Page:
        # Keyed by the pages linking to it; made again where one of them has a new title. So the
        # sorted list of (page, title) is made only for the pages whose backlinks changed.
        linking = frozenset(s for s, _ in edges.get(page.path, ()))
        make = lambda *_: _finished(page.path, page.markdown, tuple(sorted((s, titles.get(s, s)) for s in linking)))  # noqa: E731
        stale = bool(retitled) and not retitled.isdisjoint(linking)
        return Page(page.path, page.title, _memo(page_cache, "finished", make, page.path, page.markdown, linking, fresh=stale))

    done = [finish(p) for p in pages], {"counts": counts, "docs": [finish(d) for d in docs]}
    _keep_used(page_cache, {n.digest for n in notes})
    return done


def _retitled(cache: dict | None, titles: dict[str, str]) -> set[str]:
    """The pages whose title changed since the last build (every entry `finished` keeps was made
    with the last build's titles: entries not used in a build are dropped)."""
    if cache is None:
        return set()
    before = cache.get("titles", {})
    cache["titles"] = titles
    return {p for p in before.keys() | titles.keys() if before.get(p) != titles.get(p)}


def _finished(path: str, markdown: str, sources: tuple[tuple[str, str], ...]) -> str:
    """A page's final Markdown: links resolved, "what links here" added (memoised across rebuilds)."""
    titles = dict(sources)
    return with_backlinks(resolve_links(markdown, path), path, {path: {(s, "") for s, _ in sources}}, titles)


# ---------------------------------------------------------------------------------------------
# Links between pages: resolution, the link graph, backlinks, glossary and references

# A label holds no unescaped bracket and a target no bracket, parenthesis or space: each match
# attempt stops at the next bracket, so that a note of a thousand "[" or "](" costs linear time.
_NKB = re.compile(r"(?<!\\)\[((?:\\.|[^\[\]\\])*+)\]\(nkb:(model|term|ref|asset)/([^()#\s\[\]]++)(?:#([^()\s\[\]]++))?\)")
_MD_LINK = re.compile(r"\]\(([^()\s\[\]]++)\)|href=\"([^\"]++)\"")


def nkb_target(kind: str, target: str, anchor: str | None) -> tuple[str, str]:
    if kind == "model":
        return model_path(target), anchor or ""
    if kind == "term":
        return GLOSSARY_PATH, target
    if kind == "asset":
        return f"assets/notes/{target}", ""
    return REFERENCES_PATH, target


def resolve_links(markdown: str, from_page: str) -> str:
    """nkb: links -> relative links from this page; a link to this very page becomes plain text."""

    def replace(match: re.Match) -> str:
        label, kind, target, anchor = match.groups()
        path, anchor = nkb_target(kind, target, anchor)
        if path == from_page and kind == "model":
            return label
        return f"[{label}]({link(from_page, path, anchor)})"

    return _NKB.sub(replace, markdown)


def _page_links(path: str, markdown: str) -> tuple[tuple[str, str], ...]:
    """Every (target page, anchor) a page's Markdown links to (LinkGraph keeps the result for the
    pages that do not change between two `mkdocs serve` rebuilds)."""
    out = []
    for match in _NKB.finditer(markdown):
        out.append(nkb_target(match.group(2), match.group(3), match.group(4)))
    folder = posixpath.dirname(path)
    for match in _MD_LINK.finditer(markdown):
        url = match.group(1) or match.group(2)
        if not url or url.startswith(("http:", "https:", "nkb:", "mailto:", "#")):
            continue
        target, _, anchor = url.partition("#")
        out.append((_joined(folder, target), anchor))
    return tuple(out)


@lru_cache(maxsize=65536)
def _joined(folder: str, target: str) -> str:
    return posixpath.normpath(posixpath.join(folder, target))


def _memo(cache: dict | None, name: str, function, *key, fresh: bool = False):
    """function(*key), remembered in cache[name] for the next build (`mkdocs serve`); render_site
    keeps only this build's entries, so memory does not grow with every edit. With fresh, the
    value is made again even if remembered."""
    if cache is None:
        return function(*key)
    store = cache.setdefault(name, {})
    used = cache.setdefault("_used_" + name, {})
    value = None if fresh else store.get(key)
    if value is None:
        value = function(*key)
    used[key] = value
    return value


def _keep_used(cache: dict | None, digests: set[str] = frozenset()) -> None:
    """Keep this build's entries for the next. Excerpts are kept for every note still there, used
    or not: a model page taken whole from the cache does not ask for its excerpts, which the next
    edit on that model needs."""
    if cache is None:
        return
    for key, value in cache.get("excerpt", {}).items():
        if key[1] in digests:
            cache.setdefault("_used_excerpt", {}).setdefault(key, value)
    for name in [n for n in cache if isinstance(n, str) and n.startswith("_used_")]:
        cache[name[len("_used_"):]] = cache.pop(name)


class LinkGraph:
    """The link graph, kept between builds and updated for the pages whose Markdown changed.

    A page's links depend only on its Markdown. Links to pages that do not exist are kept too:
    nothing looks them up (backlinks are asked for existing pages only), and so adding, removing
    or renaming a note changes only the entries of the pages that changed. On a `mkdocs serve`
    rebuild after one edit, only the few pages that changed are read again."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, list[tuple[str, tuple[str, str]]]]] = {}  # path -> (markdown, its links)
        self.edges: dict[str, set[tuple[str, str]]] = defaultdict(set)

    def update(self, pages: list[Page]) -> dict[str, set[tuple[str, str]]]:
        """target page -> {(source page, target anchor)}; the sets are the graph's own, not to be altered."""
        current = {p.path: p.markdown for p in pages}
        for path, (markdown, links) in list(self.pages.items()):
            now = current.get(path)
            if now is None or (now is not markdown and now != markdown):
                for target, edge in links:
                    self.edges[target].discard(edge)
                del self.pages[path]
        for page in pages:
            if page.path in self.pages:
                continue
            links = [(target, (page.path, anchor)) for target, anchor in _page_links(page.path, page.markdown) if target != page.path]
            for target, edge in links:
                self.edges[target].add(edge)
            self.pages[page.path] = (page.markdown, links)
        return self.edges


def _graph(cache: dict | None, name: str) -> LinkGraph:
    if cache is None:
        return LinkGraph()
    return cache.setdefault(f"graph:{name}", LinkGraph())


def with_backlinks(markdown: str, path: str, edges: dict, titles: dict[str, str]) -> str:
    """Append "what links here" to a page."""
    sources = sorted({source for source, _ in edges.get(path, ())}, key=_page_order(titles))
    if not sources:
        return markdown
    items = "\n".join(f"- [{md_escape(titles.get(s, s))}]({link(path, s)})" for s in sources[:MAX_LISTED])
    if len(sources) > MAX_LISTED:
        items += f"\n- ……另有 {len(sources) - MAX_LISTED} 个页面"
    return markdown.rstrip() + "\n\n" + f'<div class="nkb-backlinks" markdown>\n\n**链接到本页**\n\n{items}\n\n</div>\n'


def _page_order(titles: dict[str, str]):
    """Model pages first, then papers and other pages, notes last; by title within each (by path
    between equal titles, so that every build lists them in the same order)."""
    rank = {"models": 0, "papers": 1, "notes": 3}
    return lambda p: (rank.get(p.split("/")[0], 2), titles.get(p, p), p)


def _mentions(edges: dict, page: str) -> dict[str, list[str]]:
    """For each anchor of a page (a glossary term, a reference), the pages that link to it."""
    by_anchor: dict[str, set[str]] = defaultdict(set)
    for source, anchor in edges.get(page, ()):
        by_anchor[anchor].add(source)
    order = _page_order({})
    return {anchor: sorted(sources, key=order) for anchor, sources in by_anchor.items()}


def _mention_list(pages: list[str], from_page: str, titles: dict[str, str]) -> str:
    shown = "、".join(f"[{md_escape(titles.get(p, _short(p)))}]({link(from_page, p)})" for p in pages[:MAX_LISTED])
    return shown + (f" 等 {len(pages)} 个页面" if len(pages) > MAX_LISTED else "")


def _cached_listing(make, path: str, registry: Registry, edges: dict, titles: dict[str, str], cache: dict | None) -> Page:
    """The glossary or the references: they change only when the links to them, or the titles of
    the pages linking, change."""
    incoming = frozenset(edges.get(path, ()))
    sources = frozenset((s, titles.get(s, s)) for s, _ in incoming)
    return _memo(cache, "listing", lambda *_: make(registry, edges, titles), path, incoming, sources)


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


def _short(path: str) -> str:
    """A compact label for a page path in lists of mentions: models/gemma.md -> gemma."""
    return md_escape(posixpath.splitext(path)[0].replace("/index", "/"))


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
