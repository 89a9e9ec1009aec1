"""Stage 2, clean: recover the structure the author meant.

Notes are blog posts pasted as plain text. This stage removes the blog's boilerplate and lifts
its metadata out (formats.blog), classifies every line (formats.plain), writes the Markdown the
author meant (pipeline.body), and cuts it into sections and, for a digest of many papers, parts
(pipeline.sections). It works on numbered lines so that every message points at the line in the file.
"""

from __future__ import annotations

import hashlib
import os

from notekb.formats.blog import Extracted, extract_sources, strip_boilerplate, strip_calls_to_action
from notekb.formats.admonitions import callouts, directives, no_headings_in_boxes
from notekb.formats.html import Context
from notekb.formats.mdx import from_mdx, looks_like_mdx
from notekb.formats.obsidian import from_obsidian, looks_like_obsidian
from notekb.formats.trusted import Trusted
from notekb.formats.markdown import Notices, plain_inline
from notekb.formats.plain import _is_short_title, to_blocks
from notekb.pipeline.images import Images
from notekb.pipeline.sections import _heading_title, _title_lang, _unique, make_sections, retarget_anchors, split_digest
from notekb.pipeline.typography import polish
from notekb.records import Asset, Diagnostic, Line, Note, Part, RawNote, Source
from notekb.registry import Registry
from notekb.text import detect_lang, slugify


def asset_folder(rel: str) -> str:
    """Where a note's images go in the site: assets/notes/<hash of the note's path>/."""
    return "n" + hashlib.sha1(rel.encode()).hexdigest()[:10]


def names_something(text: str, registry: Registry) -> bool:
    """Whether a piece of text names a model (by more than its family's name) or a glossary term:
    it carries content, and is never taken for boilerplate."""
    from notekb.pipeline.link import linker_for

    return any(kind != "family" for _, _, (kind, _) in linker_for(registry).scanner.scan(text))


def read_formats(lines: list[Line], rel: str, trusted: Trusted, registry: Registry) -> tuple[list[Line], list[str]]:
    """The syntax of the tools notes are written in, turned into Markdown (and boxes notekb writes,
    kept in `trusted`): MDX (by name or by its imports and components), Docusaurus/VitePress
    directives, Obsidian callouts, wiki links, highlights and tags. Returns the lines and the
    note's inline tags."""
    formats = registry.formats
    if rel.lower().endswith(".mdx") or looks_like_mdx(lines):
        lines = from_mdx(lines, trusted, formats)
    lines = callouts(directives(lines, trusted, formats), trusted, formats)
    tags: list[str] = []
    if looks_like_obsidian(lines):
        lines, tags = from_obsidian(lines, registry, trusted)
    return no_headings_in_boxes(lines, trusted), tags


def clean_note(raw: RawNote, registry: Registry) -> Note:
    """RawNote -> Note: boilerplate out, metadata in fields, structure rebuilt, digests split."""
    # Tabs and non-breaking spaces from web pages are plain spaces here (read removed the invisible
    # characters already).
    lines = [Line(raw.first_line + k, t.replace("\t", "    ").replace("\u00a0", " ").rstrip()) for k, t in enumerate(raw.text.split("\n"))]
    found = Extracted()
    lines, removed = strip_boilerplate(lines, registry, found)
    lines, calls = strip_calls_to_action(lines, registry, lambda text: names_something(text, registry))
    removed += calls
    lines = extract_sources(lines, registry, found)
    trusted = Trusted()
    lines, inline_tags = read_formats(lines, raw.rel, trusted, registry)
    images = Images(raw.root or raw.source_dir, raw.source_dir, asset_folder(raw.rel)) if raw.source_dir else None
    notices = Notices(context=Context(images.place if images else None, raw.meta.get("source"), trusted=trusted))
    blocks = to_blocks(lines, registry, images.place if images else None, notices)
    note_lang = raw.meta.get("lang") or detect_lang("\n".join(b.text for b in blocks if b.kind in ("para", "item")))
    diagnostics: list[Diagnostic] = [Diagnostic(raw.rel, message, level, line) for line, level, message in (images.refused if images else [])]

    # A single top-level '#' heading at the very start is the note's title, not a section.
    md_titles = [b for b in blocks if b.kind == "heading" and b.md_level == 1]
    first = next((b for b in blocks if b.kind != "blank"), None)
    # Titles are plain text: front matter and blog headers give text, headings give Markdown.
    title = raw.meta.get("title") or found.title
    if len(md_titles) == 1 and first is md_titles[0]:
        if not title:
            title = plain_inline(_heading_title(first))
        blocks = [b for b in blocks if b is not first]

    # Failing that, a short first line standing alone ("Gemma 技术报告阅读笔记", "My notes on the
    # Gemini report") is the title the author gave the post.
    if not title and not md_titles:
        content = [b for b in blocks if b.kind != "blank"]
        if len(content) > 1 and content[0].kind == "para" and _is_short_title(content[0].text, 60):
            index = blocks.index(content[0])
            if index + 1 < len(blocks) and blocks[index + 1].kind == "blank":
                title = plain_inline(content[0].text)
                blocks = blocks[:index] + blocks[index + 1 :]

    used: dict[str, int] = {}
    parts: list[Part] = []
    digest = split_digest(blocks, registry, note_lang)
    if digest:
        for paper in digest:
            if paper.heading is None:
                anchor = _unique("intro", used)
                parts.append(Part(anchor=anchor, title=None, sections=make_sections(paper.blocks, note_lang, used, intro_anchor=anchor, notices=notices), line=paper.blocks[0].line))
                continue
            paper_title = _heading_title(paper.heading)
            anchor = _unique(slugify(paper_title.split(":")[0], ascii_only=True, max_words=6) or "paper", used)
            sections = make_sections(paper.blocks, note_lang, used, intro_anchor=anchor, notices=notices)
            subtitle = paper.subtitle
            if subtitle is not None:
                subtitle = plain_inline(polish(subtitle) if note_lang.startswith("zh") else subtitle)
            parts.append(
                Part(
                    anchor=anchor,
                    title=plain_inline(paper_title),
                    title_lang=_title_lang(paper_title, note_lang),
                    subtitle=subtitle,
                    arxiv=paper.arxiv,
                    url=paper.url,
                    sections=sections,
                    line=paper.heading.line,
                )
            )
    else:
        parts.append(Part(anchor="", title=None, sections=make_sections(blocks, note_lang, used, notices=notices), line=raw.first_line))
    retarget_anchors(parts)
    diagnostics += notices.diagnostics(raw.rel)

    if raw.meta.get("source"):
        found.sources.insert(0, Source(raw.meta["source"], "来源"))
    title = " ".join(title.split()) if title else title
    title_inferred = not title
    if not title:
        title = " ".join(os.path.splitext(os.path.basename(raw.rel))[0].split())
    return Note(
        id=raw.id,
        rel=raw.rel,
        digest=raw.digest,
        title=title,
        lang=note_lang,
        parts=parts,
        author=raw.meta.get("author") or found.author,
        date=raw.meta.get("date") or found.date,
        sources=found.sources,
        tags=list(dict.fromkeys(raw.meta.get("tags", []) + inline_tags)),
        model=raw.meta.get("model"),
        encoding=raw.encoding,
        is_digest=bool(digest),
        removed=removed,
        diagnostics=diagnostics,
        title_inferred=title_inferred,
        assets=[Asset(site, source) for site, source in (images.copies.items() if images else [])],
    )
