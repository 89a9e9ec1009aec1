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
from functools import lru_cache

from .registry import Registry
from .text import opencc
from .records import Note

NKB_LINK = re.compile(r"\]\(nkb:(model|term|ref|note|paper)/([^)#\s]+)(?:#([^)\s]+))?\)")

_PROTECT = re.compile(
    r"```.*?```"
    r"|`[^`\n]+`"
    r"|\$\$.*?\$\$|\$[^$\n]+\$"
    r"|!?\[[^\]\n]*\]\([^)\n]*\)"
    r"|<(div|p|span|figure|code|a)\b[^>]*>.*?</\1>"
    r"|<[^>\n]+>"
    r"|https?://[^\s<>()（）]+"
    r"|\{[:#.][^}\n]*\}",
    re.S,
)
_WORD = re.compile(r"[A-Za-z0-9]+|[^\sA-Za-z0-9\W]+|[\u3400-\u9fff\uac00-\ud7a3]+")


def name_pattern(name: str) -> str | None:
    """A regex for a name in running text: any case, any spacing or punctuation between its words,
    word boundaries at Latin edges (so "RL" never matches inside "world")."""
    tokens = _WORD.findall(name)
    if not tokens:
        return None
    body = re.escape(tokens[0])
    for before_token, token in zip(tokens, tokens[1:]):
        separator = r"\s*[._]\s*" if before_token[-1].isdigit() and token[0].isdigit() else r"[\W_]{0,3}?"
        body += separator + re.escape(token)
    if tokens[0][0].isascii() and tokens[0][0].isalnum():
        body = r"(?<![A-Za-z0-9])" + body
    if tokens[-1][-1].isascii() and tokens[-1][-1].isalnum():
        body += r"(?![A-Za-z0-9])"
    if name.rstrip()[-1:] in ")）":  # "Touvron (2023a)": the closing bracket belongs to the citation
        body += r"\s*[)）]"
    return body


@dataclass
class Linker:
    regex: re.Pattern | None
    targets: dict[str, tuple[str, str, bool]]  # group -> (kind, id, weak family name)
    families: dict[str, str]  # weak model id -> family


def _variants(name: str) -> set[str]:
    """A name and its Traditional forms, so Traditional notes link too."""
    out = {name}
    if re.search(r"[\u4e00-\u9fff]", name):
        out.add(opencc("s2t").convert(name))
        out.add(opencc("s2tw").convert(name))
    return out


@lru_cache(maxsize=4)
def _linker(key: tuple) -> Linker:
    entries, families = key
    seen: set[str] = set()
    items = []
    for name, kind, target, weak in entries:
        for variant in _variants(name):
            folded = variant.lower()
            if folded in seen or len(folded) < 2:
                continue
            seen.add(folded)
            pattern = name_pattern(variant)
            if pattern:
                items.append((len(variant), pattern, kind, target, weak))
    items.sort(key=lambda item: -item[0])
    groups, targets = [], {}
    for k, (_, pattern, kind, target, weak) in enumerate(items):
        groups.append(f"(?P<n{k}>{pattern})")
        targets[f"n{k}"] = (kind, target, weak)
    regex = re.compile("|".join(groups), re.I) if groups else None
    return Linker(regex, targets, dict(families))


def linker_for(registry: Registry) -> Linker:
    entries = []
    for model in registry.models:
        entries += [(a, "model", model.id, False) for a in [model.name, *model.aliases]]
        entries += [(a, "model", model.id, True) for a in model.weak_aliases]
    for term in registry.terms:
        entries += [(n, "term", term.id, False) for n in term.all_names]
    for ref in registry.references:
        entries += [(c, "ref", ref.id, False) for c in ref.cited_as]
    families = tuple((m.id, m.family) for m in registry.models)
    return _linker((tuple(entries), families))


def link_text(markdown: str, linker: Linker, registry: Registry, part_model: str | None) -> tuple[str, list[tuple[str, str]]]:
    """Link the first mention of each model, term and reference in a section's Markdown.

    Returns the new Markdown and the (kind, id) of everything linked. A bare family name
    ("Gemini") in a note about a model of that family points at that model."""
    if linker.regex is None:
        return markdown, []
    linked: list[tuple[str, str]] = []
    done: set[tuple[str, str]] = set()
    family_of = linker.families
    out: list[str] = []
    last = 0

    def link_plain(text: str) -> str:
        def replace(match: re.Match) -> str:
            kind, target, weak = linker.targets[match.lastgroup]
            if kind == "model" and weak and part_model and family_of.get(part_model) == family_of.get(target):
                target = part_model
            key = (kind, target)
            if key in done:
                return match.group(0)
            done.add(key)
            linked.append(key)
            label = match.group(0).replace("[", "\\[").replace("]", "\\]")
            return f"[{label}](nkb:{kind}/{target})"

        return linker.regex.sub(replace, text)

    for match in _PROTECT.finditer(markdown):
        out.append(link_plain(markdown[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(link_plain(markdown[last:]))
    return "".join(out), linked


def link_note(note: Note, registry: Registry) -> Note:
    """A copy of the note with mentions linked in every section (the input stays as it was)."""
    linker = linker_for(registry)
    parts = []
    for part in note.parts:
        model = part.target.id if part.target and part.target.kind == "model" else None
        sections = []
        for section in part.sections:
            body, _ = link_text(section.body, linker, registry, model)
            sections.append(dataclasses.replace(section, body=body))
        parts.append(dataclasses.replace(part, sections=sections))
    return dataclasses.replace(note, parts=parts)
