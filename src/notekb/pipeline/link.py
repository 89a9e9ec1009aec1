"""Stage 4, link: turn mentions into links a reader can follow.

In every section of every note, the first mention of a model (any alias, any language), of a
family, of a glossary term and of a cited work becomes a link to its page or entry. The links are
written with a `nkb:` scheme (`nkb:model/gemma`, `nkb:family/gemini`, `nkb:term/moe`, `nkb:ref/flamingo`) because one section is
shown on several pages at different depths; render resolves them per page, and a link to the page
it is on is shown as plain text.

Code, existing links, HTML and math are never touched. Names match case-insensitively, tolerate
spaces and punctuation between their words ("TPU v5e" = "TPUv5e"), and match in Traditional
script too; the longest name wins where names overlap ("SentencePiece tokenizer" over "tokenizer",
"Gemini 1.5 Pro" over "Gemini Pro").
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from notekb.formats.markdown import finalize
from notekb.pipeline.mentions import Reader, member_after, reader_for
from notekb.pipeline.mentions import names as mention_names
from notekb.registry import Registry
from notekb.spans import regions, scan
from notekb.text import NameScanner
from notekb.records import Note

# HTML elements whose content is never linked: raw HTML blocks (Markdown inside them is not read,
# so a link would show as its source) and inline elements that are already code or a link.
OPAQUE_ELEMENTS = frozenset({
    "a", "code", "kbd", "samp", "pre", "div", "p", "span", "figure", "figcaption", "table", "details", "summary",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "aside",
})
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")


def _unlinkable(markdown: str) -> list[tuple[int, int]]:
    """Where no link may be made: every protected span (code, math, URLs, tags, links whole) and
    the content of opaque HTML elements, each paired with its closing tag in one pass."""
    spans = scan(markdown).spans
    out = [(a, b) for a, b, _ in regions(spans)]
    open_tags: dict[str, list[int]] = {}
    for span in spans:
        if span.kind != "tag":
            continue
        raw = markdown[span.start : span.end]
        name = _TAG_NAME.match(raw).group(1).lower()
        if name not in OPAQUE_ELEMENTS or raw.endswith("/>"):
            continue
        if raw.startswith("</"):
            if open_tags.get(name):
                out.append((open_tags[name].pop(), span.end))
        else:
            open_tags.setdefault(name, []).append(span.start)
    out.sort()
    merged: list[tuple[int, int]] = []
    for a, b in out:
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


@dataclass
class Linker:
    scanner: NameScanner  # payload: (kind, id); kind model | family | term | ref
    reader: Reader  # to read a version standing apart from a family name
    families: dict[str, str]  # model id -> family id
    origins: dict[str, dict[str, str]]  # model id -> {family id: the member of it the model derives from}


def _build_linker(registry: Registry) -> Linker:
    entries = [(name, (owner.kind, owner.id)) for name, owner in mention_names(registry) if owner.kind != "other"]
    for term in registry.terms:
        entries += [(n, ("term", term.id)) for n in term.all_names]
    for ref in registry.references:
        entries += [(c, ("ref", ref.id)) for c in ref.cited_as]
    families = {m.id: m.family for m in registry.models}
    origins = {m.id: {families[r.model]: r.model for r in m.relations if r.type == "derived_from" and r.model in families} for m in registry.models}
    return Linker(NameScanner(entries), reader_for(registry), families, origins)


def linker_for(registry: Registry) -> Linker:
    return registry.derived("link.linker", _build_linker)


def link_text(markdown: str, linker: Linker, part_target: tuple[str, str] | None) -> str:
    """Link the first mention of each model, family, term and reference in a section's Markdown.

    A model's name links to its page ("Gemini 2.0" to Gemini 2.0, "Gemma 2B" to Gemma). A bare
    family name links to the member a version beside it names ("Gemini 发布 2.5 Pro"), else to the
    member the note is about, or the member of that family it derives from ("Gemini" in a Gemma
    note is Gemini 1.0), else to the family page."""
    done: set[tuple[str, str]] = set()
    kind_of_part, part_id = part_target or ("", "")
    part_model = part_id if kind_of_part == "model" else None

    def member_for(family_id: str, text: str, end: int) -> tuple[str, str]:
        member = member_after(text, end, family_id, linker.reader)
        if member is None and part_model and linker.families.get(part_model) == family_id:
            member = part_model
        if member is None and part_model:
            member = linker.origins.get(part_model, {}).get(family_id)
        return ("model", member) if member else ("family", family_id)

    def link_plain(text: str) -> str:
        out, last = [], 0
        for start, end, (kind, target) in linker.scanner.scan(text):
            if kind == "family":
                kind, target = member_for(target, text, end)
            if (kind, target) in done:
                continue
            if end < len(text) and text[end] in ")）" and "(" in text[start:end].replace("（", "("):
                end += 1  # "Touvron (2023a)": the closing bracket belongs to the citation
            done.add((kind, target))
            label = text[start:end].replace("[", "\\[").replace("]", "\\]")
            out.append(text[last:start] + f"[{label}](nkb:{kind}/{target})")
            last = end
        out.append(text[last:])
        return "".join(out)

    out: list[str] = []
    last = 0
    for start, end in _unlinkable(markdown):
        out.append(link_plain(markdown[last:start]))
        out.append(markdown[start:end])
        last = end
    out.append(link_plain(markdown[last:]))
    return "".join(out)


def link_note(note: Note, registry: Registry) -> Note:
    """A copy of the note with mentions linked in every section (the input stays as it was).

    Linking is the last stage that reads the note's text, so its math and risky inline code are
    written as HTML here (formats.markdown.finalize)."""
    linker = linker_for(registry)
    parts = []
    for part in note.parts:
        target = (part.target.kind, part.target.id) if part.target else None
        sections = []
        for section in part.sections:
            body = finalize(link_text(section.body, linker, target))
            title = finalize(section.title) if section.title else section.title
            sections.append(dataclasses.replace(section, body=body, title=title))
        parts.append(dataclasses.replace(part, sections=sections))
    return dataclasses.replace(note, parts=parts)
