"""Excerpts: what one note says on one topic, as a model or paper page shows it, under a label
naming its source and linking to the exact place in the note."""

from __future__ import annotations

import dataclasses
import html
import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from notekb.pages.headings import repeats_topic
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
    bits += note_facts(note)
    return '<div class="nkb-source" lang="zh-Hans" markdown>\n\n' + "来源：" + " · ".join(bits) + "\n\n</div>"


def note_facts(note: Note) -> list[str]:
    """Author, date and language of a note as Markdown, for labels and lists of notes; a title
    made up for the note (display_title) says its author and date already."""
    facts = [] if note.title_inferred else [md_escape(x) for x in (note.author, note.date) if x]
    return facts + [LANG_NAMES.get(base_lang(note.lang), note.lang)]


def section_markdown(section: Section, level: int, simplified: bool, note_lang: str, context: bool = False, anchored: bool = False, titled: bool = True, convert: bool = True, anchor: str = "") -> str:
    """A section as it appears inside an excerpt (simplified=True) or on its note page.

    In an excerpt, a section's enclosing headings are shown before its own ("Pretrain 阶段 ›
    1.1 模型架构") when `context` is set, because the excerpt is read away from its note; with
    `titled` false (a heading that only repeats the one the excerpt sits under) neither is.
    Traditional text is shown Simplified in an excerpt unless `convert` is false (the copy of the
    excerpt for the Traditional edition); `anchor` gives an excerpt's heading its id."""
    body = section.body
    title = section.title if titled else None
    if context and title and section.context:
        title = f"{section.context} › {title}"
    lang = section.lang
    if simplified and convert and base_lang(section.lang) == "zh-Hant":
        body = to_simplified(body, note_lang if note_lang.startswith("zh-") else "zh-Hant")
        title = to_simplified(title, note_lang) if title else title
        lang = "zh-Hans"
    pieces = []
    if title:
        pieces.append(heading(level, title, anchor if simplified else section.anchor, section.title_lang if not simplified else lang, markdown=True))
    if body.strip():
        pieces.append(body)
    text = "\n\n".join(pieces)
    if not title and not simplified and not anchored:
        text = f'<div id="{section.anchor}" markdown>\n\n{text}\n\n</div>'
    return text


def excerpt_markdown(excerpt: Excerpt, from_page: str, registry: Registry | None = None, under: str | None = None, part_title: bool = True) -> str:
    """One note's text on one topic, under a label naming its source; Traditional shown Simplified.

    `under` is the topic whose heading the excerpt sits under: a note's heading that only says
    the same (headings.yml) is left out. `part_title` false leaves out a digest part's paper title
    where the page shows it already (the paper's own page, the model page of its report)."""
    first = excerpt.sections[0]
    shown = {s.anchor for s in excerpt.sections}
    pieces = [source_label(excerpt.note, from_page, first.anchor)]
    part = excerpt.part
    if part.title and part_title:
        pieces.append(heading(4, part.title, lang=part.title_lang))
        if part.subtitle:
            pieces.append(f"[{md_escape(part.subtitle)}]({part.url})" if part.url else md_escape(part.subtitle))
    anchor = "-".join(x for x in ("x", first.topic or "", excerpt.note.id, excerpt.part.anchor) if x)
    # A Traditional note's excerpt is shown Simplified, and again as its author wrote it for the
    # Traditional edition (publish.edition keeps one copy in each); their headings share ids.
    converted = any(base_lang(s.lang) == "zh-Hant" for s in excerpt.sections)
    copies = []
    for convert in (True, False) if converted else (True,):
        body = list(pieces)
        for s in excerpt.sections:
            titled = not (registry is not None and repeats_topic(s.title, under, registry))
            heading_id = f"{'' if convert else 'nkb-hant-'}{anchor}-{s.anchor}" if converted else ""
            body.append(section_markdown(s, 4, True, excerpt.note.lang, context=s.parent not in shown, titled=titled, convert=convert, anchor=heading_id))
        lang = ("zh-Hans" if convert else first.lang) if converted else first.lang
        edition = ("hans" if convert else "hant") if converted else ""
        copies.append(wrap_lang(own_links("\n\n".join(p for p in body if p), excerpt.note.id), lang, "nkb-excerpt", anchor=anchor if convert else f"nkb-hant-{anchor}", edition=edition))
    return "\n\n".join(copies)


_FIGURE = re.compile(r'<div class="nkb-missing-figure"[^>]*>.*?</div>', re.S)


def has_text(section: Section) -> bool:
    """Whether a section says anything: a heading over nothing but missing figures is not a
    section a model page shows (its note's page still does)."""
    body = section.body
    if "nkb-missing-figure" in body:
        body = _FIGURE.sub("", body)
    return bool(body.strip())


def display_title(note: Note, registry: Registry) -> str:
    """The note's title as every page shows it: its own (front matter, first heading or title
    line, blog title), else one made from what is known of it, never its file name (which the
    note's own page shows as metadata): "Gemini 2.5 笔记（gqjia，2024-02-24）", and for a digest
    "论文速递：Gemini 1.5 等 11 篇论文"."""
    if not note.title_inferred:
        return note.title
    who = note.author or _site(note)
    known = "，".join(x for x in (who, note.date) if x)
    suffix = f"（{known}）" if known else ""
    if note.is_digest:
        papers = [p.title for p in note.parts if p.title]
        if papers:
            first = papers[0].split(":")[0].strip() or papers[0]
            more = f" 等 {len(papers)} 篇论文" if len(papers) > 1 else ""
            return f"论文速递：{first}{more}{suffix}"
        return f"论文速递{suffix}"
    target = note.parts[0].target if note.parts else None
    if target and target.kind == "model" and target.id in registry.model_by_id:
        return f"{registry.model_by_id[target.id].name} 笔记{suffix}"
    if target and target.kind == "family" and target.id in registry.family_by_id:
        return f"{registry.family_by_id[target.id].name} 家族笔记{suffix}"
    first_heading = next((s.title for p in note.parts for s in p.sections if s.title), None)
    if first_heading:
        return f"{plain_heading(first_heading)}{suffix}"
    return f"笔记{suffix}"


def plain_heading(markdown: str) -> str:
    """A section heading (note Markdown) as plain text: link targets, tags, emphasis and code
    marks and escapes left out."""
    text = _LINK.sub(r"\1", markdown)
    text = _MARKS.sub("", text)
    text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(html.unescape(text).split())


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"<[^>]*>|\*+|`+|(?<![\w])_+|_+(?![\w])")


def _site(note: Note) -> str:
    """The site a note was copied from (its first source's host), for a note without author."""
    for source in note.sources:
        if source.url:
            host = urlsplit(source.url).hostname or ""
            return host.removeprefix("www.")
    return ""


_NUMERALS = "一二三四五六七八九十"


def titled(notes: list[Note], registry: Registry) -> list[Note]:
    """The notes with the titles their pages show. Two notes whose made-up titles come out the
    same are told apart in the order of their ids ("Gemini 2.5 笔记", "Gemini 2.5 笔记之二"); a
    note is copied only where its title changes."""
    titles = {n.id: display_title(n, registry) for n in notes}
    made = defaultdict(list)
    for note in notes:
        if note.title_inferred:
            made[titles[note.id]].append(note.id)
    taken = {titles[n.id] for n in notes if not n.title_inferred}
    for title, ids in made.items():
        ids.sort()
        for k, note_id in enumerate(ids):
            number = k + 2 if title in taken else k + 1
            if number > 1:
                titles[note_id] = f"{title}之{_NUMERALS[number - 1] if number <= len(_NUMERALS) else number}"
    return [n if titles[n.id] == n.title else dataclasses.replace(n, title=titles[n.id]) for n in notes]


def _excerpt_cached(excerpt: Excerpt, path: str, cache: dict | None, registry: Registry | None = None, under: str | None = None, part_title: bool = True) -> str:
    """An excerpt depends only on its note's content (its digest), the page it is on and the
    heading it sits under (the registry's change empties the cache)."""
    note, part = excerpt.note, excerpt.part
    key = (note.id, note.digest, note.title, part.anchor, tuple(s.anchor for s in excerpt.sections), path, under, part_title)
    return remember(cache, "excerpt", key, lambda: excerpt_markdown(excerpt, path, registry, under, part_title))


def group_excerpts(note: Note, part: Part) -> list[Excerpt]:
    """A part's sections grouped by topic, in order of first appearance: one excerpt (one source
    label) per note and topic, so two notes on a topic sit one after the other."""
    groups: list[Excerpt] = []
    by_topic: dict[str, Excerpt] = {}
    for section in part.sections:
        if not has_text(section):
            continue
        topic = section.topic or ""
        if topic in by_topic:
            by_topic[topic].sections.append(section)
        else:
            by_topic[topic] = Excerpt(note, part, [section])
            groups.append(by_topic[topic])
    return groups
