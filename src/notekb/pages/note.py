"""Note pages: a note's whole cleaned text, its metadata, and where each section is used."""

from __future__ import annotations

import html

from notekb.pages.excerpts import has_text, section_markdown
from notekb.pages.markdown import OTHERS_PATH, PAGE_LANG, REFERENCES_PATH, family_path, heading, lang_attr, link, md_escape, model_path, note_path, paper_path, own_links, reference_for_arxiv, wrap_lang
from notekb.pages.memo import remember
from notekb.records import Note, Page, Part, Section
from notekb.registry import Registry
from notekb.text import LANG_NAMES, UI_LANG, base_lang


def _where_used(note: Note, part: Part, registry: Registry, from_page: str) -> str:
    target = part.target
    if target is None:
        return ""
    if target.kind == "model":
        model = registry.model_by_id[target.id]
        return f"[{model.name}]({link(from_page, model_path(model.id))})"
    if target.kind == "family":
        return f"[{registry.family_by_id[target.id].name} 家族]({link(from_page, family_path(target.id))})"
    if target.kind == "paper":
        return f"[论文页：{md_escape(part.title or target.id)}]({link(from_page, paper_path(target.id))})"
    return f"[其他笔记]({link(from_page, OTHERS_PATH)})"


def _used_in(part: Part, section: Section, registry: Registry, from_page: str) -> str:
    """On a note page, under each section: the model page and topic where it is shown."""
    target = part.target
    if target is None or target.kind not in ("model", "family") or not has_text(section):
        return ""
    if target.kind == "family":
        name, page = f"{registry.family_by_id[target.id].name} 家族", family_path(target.id)
    else:
        name, page = registry.model_by_id[target.id].name, model_path(target.id)
    topic = registry.topic_by_id.get(section.topic or "")
    label = f"{name} › {topic.title}" if topic else name
    anchor = topic.id if topic else ""
    return f'<p class="nkb-used"{UI_LANG} markdown>收录于 [{md_escape(label)}]({link(from_page, page, anchor)})</p>'


def path_code(path: str) -> str:
    """A file path as code that wraps on a phone at its separators first: each folder a piece
    that breaks only when it is wider than the screen (notekb.css), a break allowed after "/"."""
    parts = path.split("/")
    pieces = [f"<span>{html.escape(part)}/</span><wbr>" for part in parts[:-1]] + [f"<span>{html.escape(parts[-1])}</span>"]
    return f'<code class="nkb-path">{"".join(pieces)}</code>'


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
    rows.append(f"| 文件 | {path_code('notes/' + note.rel)} |")
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
            body.append(f'<p class="nkb-part-info"{UI_LANG} markdown>' + " · ".join(info) + "</p>")
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
    content = own_links("\n\n".join(body), note.id)
    if base_lang(note.lang) != PAGE_LANG:
        content = wrap_lang(content, note.lang, "nkb-note-body")
    out.append(content)
    return Page(path, title, "\n\n".join(out) + "\n", note.lang if not note.title_inferred else "")


def _cached_note_page(note: Note, registry: Registry, cache: dict | None) -> Page:
    """A note's page depends only on the note (and the registry, whose change empties the cache)."""
    key = (note.id, note.digest, note.title, tuple(p.target.id if p.target else "" for p in note.parts))
    return remember(cache, "note", key, lambda: note_page(note, registry))
