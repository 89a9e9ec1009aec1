"""Stage 4, link: turn mentions into links a reader can follow.

In every section of every note, the first mention of a model (any alias, any language), of a
glossary term and of a cited work becomes a link to its page or entry. The links are written with
a `nkb:` scheme (`nkb:model/gemma`, `nkb:term/moe`, `nkb:ref/flamingo`) because one section is
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
    scanner: NameScanner  # payload: (kind, id, weak family name)
    families: dict[str, str]  # model id -> family


def _build_linker(registry: Registry) -> Linker:
    entries = []
    for model in registry.models:
        entries += [(a, ("model", model.id, False)) for a in [model.name, *model.aliases]]
        entries += [(a, ("model", model.id, True)) for a in model.weak_aliases]
    for term in registry.terms:
        entries += [(n, ("term", term.id, False)) for n in term.all_names]
    for ref in registry.references:
        entries += [(c, ("ref", ref.id, False)) for c in ref.cited_as]
    return Linker(NameScanner(entries), {m.id: m.family for m in registry.models})


def linker_for(registry: Registry) -> Linker:
    return registry.derived("link.linker", _build_linker)


def link_text(markdown: str, linker: Linker, part_model: str | None) -> str:
    """Link the first mention of each model, term and reference in a section's Markdown.

    A bare family name ("Gemini") in a note about a model of that family points at that model."""
    done: set[tuple[str, str]] = set()
    family_of = linker.families

    def link_plain(text: str) -> str:
        out, last = [], 0
        for start, end, (kind, target, weak) in linker.scanner.scan(text):
            if kind == "model" and weak and part_model and family_of.get(part_model) == family_of.get(target):
                target = part_model
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
        model = part.target.id if part.target and part.target.kind == "model" else None
        sections = []
        for section in part.sections:
            body = finalize(link_text(section.body, linker, model))
            title = finalize(section.title) if section.title else section.title
            sections.append(dataclasses.replace(section, body=body, title=title))
        parts.append(dataclasses.replace(part, sections=sections))
    return dataclasses.replace(note, parts=parts)
