"""Excerpts: what one note says on one topic, as a model or paper page shows it, under a label
naming its source and linking to the exact place in the note."""

from __future__ import annotations

from dataclasses import dataclass

from notekb.pages.markdown import PAGE_LANG, heading, lang_attr, link, md_escape, note_path, own_links, wrap_lang
from notekb.pages.memo import remember
from notekb.records import Note, Part, Section
from notekb.registry import Registry
from notekb.text import LANG_NAMES, base_lang, to_simplified


@dataclass
class Excerpt:
    """Sections of one note part that a page shows under one topic."""

    note: Note
    part: Part
    sections: list[Section]


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
    return wrap_lang(own_links("\n\n".join(pieces), excerpt.note.id), lang, "nkb-excerpt", anchor=anchor)


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


def _excerpt_cached(excerpt: Excerpt, path: str, cache: dict | None) -> str:
    """An excerpt depends only on its note's content (its digest) and the page it is on."""
    note, part = excerpt.note, excerpt.part
    key = (note.id, note.digest, note.title, part.anchor, tuple(s.anchor for s in excerpt.sections), path)
    return remember(cache, "excerpt", key, lambda: excerpt_markdown(excerpt, path))


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
