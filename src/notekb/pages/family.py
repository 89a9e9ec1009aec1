"""Families: the family page (families/<id>/: its members, the notes about the family as a whole)
and the pieces the home page shows for each family (a timeline and a comparison table).

Everything comes from the registry: a new generation in models.yml shows up here once a note is
about it. Links are made only where they lead somewhere: to a member's page when it has one, to
the note a fact comes from.
"""

from __future__ import annotations

import html
from collections import defaultdict

from notekb.pages.excerpts import Excerpt, _excerpt_cached
from notekb.pages.markdown import heading, link, md_escape, model_path, note_path, family_path
from notekb.pages.memo import remember
from notekb.records import Note, Page
from notekb.registry import Family, Model, Registry

UNKNOWN = '<span class="nkb-unknown">笔记中未提及</span>'


def family_title(family: Family) -> str:
    return f"{family.name} 家族"


def model_link(model: Model, from_page: str, pages: set[str]) -> str:
    """The model's name, linked to its page when it has one."""
    name = md_escape(model.name)
    return f"[{name}]({link(from_page, model_path(model.id))})" if model.id in pages else name


def relation_text(relation, registry: Registry, from_page: str, pages: set[str], families: set[str]) -> str:
    """"源自：Gemini 1.0" (a model) or "源自：Gemini 家族" (a family), linked where there is a page."""
    label = registry.relation_labels.get(relation.type, relation.type)
    if relation.model and relation.model in registry.model_by_id:
        return f"{label}：{model_link(registry.model_by_id[relation.model], from_page, pages)}"
    family = registry.family_by_id.get(relation.family)
    if family is None:
        return ""
    name = md_escape(family_title(family))
    return f"{label}：[{name}]({link(from_page, family_path(family.id))})" if family.id in families else f"{label}：{name}"


def timeline(family: Family, members: list[Model], registry: Registry, counts: dict[str, int], from_page: str, pages: set[str], families: set[str], everyone: bool = False) -> str:
    """The family's members in release order, each with its summary, its relations outside the
    family (the order already says which came before) and how many notes are about it. With
    `everyone`, members no note is about yet are listed too, muted and without a link."""
    items = []
    for model in members:
        if model.id not in pages and not everyone:
            continue
        muted = model.id not in pages
        name = f'<span class="nkb-muted">{md_escape(model.name)}</span>' if muted else f"**{model_link(model, from_page, pages)}**"
        item = f'- <time datetime="{model.release}">{model.release}</time> {name}'
        if model.summary:
            item += f'<br><span class="nkb-timeline-summary">{html.escape(model.summary)}</span>'
        outside = [relation_text(r, registry, from_page, pages, families) for r in model.relations if r.type != "successor_of"]
        outside = [r for r in outside if r]
        if outside:
            item += f'<br><span class="nkb-timeline-relation" markdown>{"；".join(outside)}</span>'
        count = counts.get(model.id, 0)
        item += f'<br><span class="nkb-timeline-count">{"暂无笔记" if muted else f"{count} 篇笔记"}</span>'
        items.append(item)
    return "\n".join(['<div class="nkb-timeline" markdown>', "", *items, "", "</div>"])


def comparison(family: Family, members: list[Model], registry: Registry, from_page: str, notes: dict[str, Note] | None) -> str:
    """Members side by side on the family's key facts: the first column stays put while the table
    scrolls on a phone. Each value carries a small mark linking to the note that states it; the
    notes are listed once under the table."""
    shown = [m for m in members]
    keys = [k for k in family.compare if any(f.key == k for m in shown for f in m.facts)]
    if not shown or not keys:
        return ""
    marks: dict[str, int] = {}
    header = "| | " + " | ".join(md_escape(m.name) for m in shown) + " |"
    rows = [header, "| --- |" + " --- |" * len(shown)]
    for key in keys:
        cells = []
        for model in shown:
            fact = next((f for f in model.facts if f.key == key), None)
            if fact is None:
                cells.append(UNKNOWN)
            elif fact.note and (notes is None or fact.note in notes):
                number = marks.setdefault(fact.note, len(marks) + 1)
                title = md_escape(notes[fact.note].title) if notes else ""
                cells.append(f'{md_escape(fact.value)}<sup class="nkb-mark">[{number}]({link(from_page, note_path(fact.note))} "{title}")</sup>')
            else:
                cells.append(f"{md_escape(fact.value)} <small>（来源笔记不在库中）</small>")
        rows.append(f"| {registry.fact_labels.get(key, key)} | " + " | ".join(cells) + " |")
    legend = ""
    if marks:
        legend = '<p class="nkb-marks">' + "　".join(
            f"[{n}] {html.escape(notes[note].title) if notes else html.escape(note)}" for note, n in marks.items()
        ) + "</p>"
    return '<div class="nkb-compare" markdown>\n\n' + "\n".join(rows) + "\n\n" + legend + "\n\n</div>"


def family_page(family: Family, excerpts: list[Excerpt], registry: Registry, notes_by_id: dict[str, Note], counts: dict[str, int], pages: set[str], families: set[str], cache: dict | None = None) -> Page:
    path = family_path(family.id)
    members = registry.members(family.id)
    out = [heading(1, family_title(family))]
    if family.summary:
        out.append(f'<p class="nkb-lede">{html.escape(family.summary)}</p>')
    relations = [relation_text(r, registry, path, pages, families) for r in family.relations]
    relations = [r for r in relations if r]
    if relations:
        out.append('<p class="nkb-family-relations" markdown>' + "；".join(relations) + "</p>")
    out.append(heading(2, "成员", "members"))
    out.append(timeline(family, members, registry, counts, path, pages, families, everyone=True))
    offshoots = [f"- {model_link(m, path, pages)}：" + "、".join(md_escape(o) for o in m.offshoots) for m in members if m.offshoots]
    if offshoots:
        out.append("衍生模型：笔记里提到它们时，归入它们所基于的那一代。\n\n" + "\n".join(offshoots))
    table = comparison(family, [m for m in members if m.id in pages], registry, path, notes_by_id)
    if table:
        out.append(heading(2, "对比", "compare"))
        out.append(table)
    out.append(heading(2, "关于整个家族的笔记", "notes"))
    if not excerpts:
        out.append("还没有关于整个家族的笔记：只讲某一代的笔记在那一代的页面上。")
    by_topic: dict[str, list[Excerpt]] = defaultdict(list)
    for excerpt in excerpts:
        by_topic[excerpt.sections[0].topic or registry.default_topic].append(excerpt)
    for topic in registry.topics:
        group = by_topic.get(topic.id)
        if group:
            out.append(heading(3, topic.title, topic.id))
            out += [_excerpt_cached(e, path, cache, registry, topic.id) for e in group]
    return Page(path, family_title(family), "\n\n".join(x for x in out if x) + "\n")


def cached_family_page(family: Family, excerpts: list[Excerpt], registry: Registry, notes_by_id: dict[str, Note], counts: dict[str, int], pages: set[str], families: set[str], cache: dict | None) -> Page:
    """Made again only when its excerpts, its members' counts or pages, or the cited notes change."""
    key = tuple((e.note.id, e.note.digest, e.note.title, e.part.anchor, tuple(s.anchor for s in e.sections)) for e in excerpts)
    members = tuple((m.id, counts.get(m.id, 0), m.id in pages) for m in registry.members(family.id))
    cited = tuple((f.note, notes_by_id[f.note].title if f.note in notes_by_id else None) for m in registry.members(family.id) for f in m.facts if f.note)
    return remember(cache, "family", (family.id, key, members, cited, tuple(sorted(families))), lambda: family_page(family, excerpts, registry, notes_by_id, counts, pages, families, cache))
