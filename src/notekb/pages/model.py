"""Model pages: the facts box, then what every note says about the model, by topic."""

from __future__ import annotations

import html
from collections import defaultdict

from notekb.pages.excerpts import Excerpt, _excerpt_cached, note_facts
from notekb.pages.markdown import REFERENCES_PATH, heading, link, md_escape, model_path, note_path, reference_for_arxiv
from notekb.pages.memo import remember
from notekb.records import Note, Page, Part
from notekb.registry import Model, Registry
from notekb.text import fold


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
        out += [_excerpt_cached(e, path, cache, registry, topic.id, not _is_report(e.part, model)) for e in group]
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


def _cached_model_page(model: Model, excerpts: list[Excerpt], registry: Registry, notes_by_id: dict[str, Note], cache: dict | None) -> Page:
    """A model page depends on its excerpts (their notes' content and titles) and on the notes its
    facts cite; a rebuild after one edit renders only the model page that note is on."""
    key = tuple((e.note.id, e.note.digest, e.note.title, e.part.anchor, tuple(s.anchor for s in e.sections)) for e in excerpts)
    cited = tuple(f.note in notes_by_id for f in model.facts if f.note)
    return remember(cache, "model", (model.id, key, cited), lambda: model_page(model, excerpts, registry, notes_by_id, cache))
