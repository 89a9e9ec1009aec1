"""Model pages: the facts box, then what every note says about the model, by topic."""

from __future__ import annotations

import html
from collections import defaultdict

from notekb.pages.excerpts import Excerpt, _excerpt_cached, note_facts
from notekb.pages.family import family_title, model_link, relation_text
from notekb.pages.markdown import REFERENCES_PATH, family_path, heading, link, md_escape, model_path, note_path, reference_for_arxiv
from notekb.pages.memo import remember
from notekb.records import Note, Page, Part
from notekb.registry import Model, Registry
from notekb.text import fold


def facts_table(model: Model, registry: Registry, notes_by_id: dict[str, Note], from_page: str, pages: set[str] | None = None, families: set[str] | None = None) -> str:
    """The model's key facts, each with the note it comes from, then its family and relations
    (predecessor, successor, origin), linked where the other model has a page."""
    pages = set(registry.model_by_id) if pages is None else pages
    families = {f.id for f in registry.families} if families is None else families
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
    family = registry.family_by_id.get(model.family)
    if family is not None:
        name = md_escape(family_title(family))
        rows.append(f"| 家族 | {f'[{name}]({link(from_page, family_path(family.id))})' if family.id in families else name} |")
    for relation in model.relations:
        text = relation_text(relation, registry, from_page, pages, families)
        if text:
            label, _, value = text.partition("：")
            if relation.type == "successor_of":
                value += _nearest(relation.model, registry, from_page, pages, forward=False)
            rows.append(f"| {label} | {value} |")
    reverse = {"successor_of": "predecessor_of", "derived_from": "source_of"}
    for other in sorted(registry.models, key=lambda m: m.release):
        for relation in other.relations:
            if relation.model == model.id:
                label = registry.relation_labels.get(reverse.get(relation.type, relation.type), relation.type)
                value = model_link(other, from_page, pages)
                if relation.type == "successor_of":
                    value += _nearest(other.id, registry, from_page, pages, forward=True)
                rows.append(f"| {label} | {value} |")
    return '<div class="nkb-facts" markdown>\n\n' + "\n".join(rows) + "\n\n</div>"


def _nearest(model_id: str, registry: Registry, from_page: str, pages: set[str], forward: bool) -> str:
    """Where the direct predecessor or successor has no page yet: "（暂无笔记）" and the nearest
    one along the line that has ("Gemini 2.0（暂无笔记），再往后有笔记的是 Gemini 2.5")."""
    if model_id in pages:
        return ""
    seen, current = set(), model_id
    while current and current not in seen:
        seen.add(current)
        if forward:
            current = next((m.id for m in registry.models for r in m.relations if r.type == "successor_of" and r.model == current), None)
        else:
            current = next((r.model for r in registry.model_by_id[current].relations if r.type == "successor_of"), None) if current in registry.model_by_id else None
        if current in pages:
            where = "再往后" if forward else "再往前"
            return f" <small>（暂无笔记；{where}有笔记的是 {model_link(registry.model_by_id[current], from_page, pages)}）</small>"
    return " <small>（暂无笔记）</small>"


def family_notes(model: Model, shared: list[tuple[Note, str]], from_page: str) -> str:
    """Notes about the model's whole family (or several members alike) that discuss this model."""
    if not shared:
        return ""
    items = "\n".join(f"- [{md_escape(note.title)}]({link(from_page, note_path(note.id))})" + (f" · {md_escape(note.author)}" if note.author and not note.title_inferred else "") for note, _ in shared)
    family_id = shared[0][1]
    return heading(2, "家族笔记", "family-notes") + "\n\n" + f"这些笔记讲的是整个家族或几代并列，也谈到了 {md_escape(model.name)}（全文摘录见[家族页]({link(from_page, family_path(family_id), 'notes')})）：\n\n" + items


def model_page(model: Model, excerpts: list[Excerpt], registry: Registry, notes_by_id: dict[str, Note], cache: dict | None = None, pages: set[str] | None = None, families: set[str] | None = None, shared: list[tuple[Note, str]] = ()) -> Page:
    path = model_path(model.id)
    out = [heading(1, model.name), f'<p class="nkb-lede">{html.escape(model.summary)}</p>' if model.summary else ""]
    out.append(facts_table(model, registry, notes_by_id, path, pages, families))
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
        out += [_excerpt_cached(e, path, cache, registry, topic.id, not _is_report(e.part, model)) for e in group]
    out.append(family_notes(model, list(shared), path))
    sources = sorted({e.note.id: e.note for e in excerpts}.values(), key=lambda n: (n.date or "", n.id))
    if sources:
        out.append(heading(2, "来源笔记", "sources"))
        out.append("\n".join(f"- [{md_escape(n.title)}]({link(path, note_path(n.id))}) · " + " · ".join(note_facts(n)) for n in sources))
    return Page(path, model.name, "\n\n".join(x for x in out if x) + "\n")


def _is_report(part: Part, model: Model) -> bool:
    """Whether a digest part is about the model's own report, whose title the facts box shows."""
    if not part.title:
        return False
    if part.arxiv and model.arxiv:
        return part.arxiv == model.arxiv
    return bool(model.report_title) and fold(part.title).strip() == fold(model.report_title).strip()

def _cached_model_page(model: Model, excerpts: list[Excerpt], registry: Registry, notes_by_id: dict[str, Note], cache: dict | None, pages: set[str] | None = None, families: set[str] | None = None, shared: list[tuple[Note, str]] = ()) -> Page:
    """A model page depends on its excerpts (their notes' content and titles), on the notes its
    facts cite, on which related models and families have pages, and on the family notes that
    discuss it; a rebuild after one edit renders only the model page that note is on."""
    key = tuple((e.note.id, e.note.digest, e.note.title, e.part.anchor, tuple(s.anchor for s in e.sections)) for e in excerpts)
    cited = tuple(f.note in notes_by_id for f in model.facts if f.note)
    related = tuple(sorted(pages or ())), tuple(sorted(families or ()))
    family = tuple((n.id, n.title, n.author, f) for n, f in shared)
    return remember(cache, "model", (model.id, key, cited, related, family), lambda: model_page(model, excerpts, registry, notes_by_id, cache, pages, families, shared))
