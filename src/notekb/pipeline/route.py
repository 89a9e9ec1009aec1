"""Stage 3, route: which model (or paper) each part of a note is about, and each section's topic.

Routing is by evidence, and the evidence is kept so that `notekb route` can show it:

* front matter `model:` wins over everything;
* otherwise the names of each model (registry aliases, in every language) are counted in the
  note's title and text; a title mention weighs five text mentions, and a bare family name
  ("Gemini", "제미나이") counts half and only for the model it means when no version is named;
* a model wins only with enough evidence: named in a title, or named at least three times with a
  density that means the note is about it, clearly more than any other registry model and more
  than any other lab's model. A note that mentions Gemini in passing is not a Gemini note.

Digest parts that match no model become paper pages; other notes go to the "other notes" page.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

from notekb.registry import Registry
from notekb.text import NameScanner, slugify
from notekb.records import Note, Part, Section, Target

TITLE_WEIGHT = 5
WEAK_WEIGHT = 0.5
MIN_SCORE = 3
CHARS_PER_MENTION = 800
MAX_SLUG = 80  # a model named less often than once per this many characters is in passing


@dataclass
class Matcher:
    """Every alias of every model (and other labs' model names), found in one pass."""

    scanner: NameScanner

    def count(self, text: str) -> tuple[Counter, Counter, Counter]:
        """(strong, weak, other-lab) mention counts in `text`."""
        strong: Counter = Counter()
        weak: Counter = Counter()
        others: Counter = Counter()
        for _, _, (owner, is_weak) in self.scanner.scan(text):
            if owner.startswith("other:"):
                others[owner[6:]] += 1
            elif is_weak:
                weak[owner] += 1
            else:
                strong[owner] += 1
        return strong, weak, others


def _build_matcher(registry: Registry) -> Matcher:
    entries = []
    for model in registry.models:
        entries += [(a, (model.id, False)) for a in model.aliases + [model.name]]
        entries += [(a, (model.id, True)) for a in model.weak_aliases]
    entries += [(a, (f"other:{a}", False)) for a in registry.other_models]
    return Matcher(NameScanner(entries))


def matcher_for(registry: Registry) -> Matcher:
    return registry.derived("route.matcher", _build_matcher)


def _fmt(counter: Counter, names: dict[str, str]) -> str:
    return ", ".join(f"{names.get(k, k)} ×{v}" for k, v in counter.most_common())


def route_part(part: Part, note: Note, registry: Registry) -> Target:
    """Decide where one part lands: Target(model|paper|other) with the evidence for it."""
    names = {m.id: m.name for m in registry.models}
    if note.model and not note.is_digest:
        return Target("model", note.model, [f"front matter says model: {note.model}"])
    matcher = matcher_for(registry)
    titles = [part.title or "", part.subtitle or ""]
    if not note.is_digest and not note.title_inferred:
        titles.append(note.title)
    title_strong, title_weak, title_other = matcher.count("\n".join(titles))
    body = "\n".join((s.title or "") + "\n" + s.body for s in part.sections)
    body_strong, body_weak, body_other = matcher.count(body)

    # A bare family name ("Gemini") means the version of that family the note names most, if it
    # names one; only otherwise the model the name belongs to (the original report).
    family = {m.id: m.family for m in registry.models}
    strong_total = title_strong + body_strong
    for counter in (title_weak, body_weak):
        for owner in list(counter):
            named = [m for m in strong_total if family.get(m) == family.get(owner)]
            if named:
                version = max(named, key=lambda m: strong_total[m])
                if version != owner:
                    counter[version] += counter.pop(owner)

    scores: Counter = Counter()
    for model in registry.models:
        scores[model.id] = (
            TITLE_WEIGHT * title_strong[model.id] + body_strong[model.id]
            + WEAK_WEIGHT * (TITLE_WEIGHT * title_weak[model.id] + body_weak[model.id])
        )
    other_score = max((TITLE_WEIGHT * title_other[k] + body_other[k] for k in set(title_other) | set(body_other)), default=0)
    evidence = []
    family = {m.id: f"{m.family or m.name} (family name → {m.name})" for m in registry.models}
    if title_strong:
        evidence.append(f"title names {_fmt(title_strong, names)}")
    if title_weak:
        evidence.append(f"title uses {_fmt(title_weak, family)}")
    if body_strong:
        evidence.append(f"text names {_fmt(body_strong, names)}")
    if body_weak:
        evidence.append(f"text uses {_fmt(body_weak, family)}")
    if title_other or body_other:
        evidence.append(f"other labs' models: {_fmt(title_other + body_other, {})}")

    ranked = scores.most_common()
    best, best_score = ranked[0] if ranked else (None, 0)
    second = ranked[1][1] if len(ranked) > 1 else 0
    in_title = title_strong[best] + title_weak[best] > 0 if best else False
    length = max(len(body), 1)
    mentions = body_strong[best] + body_weak[best] if best else 0
    dense = mentions * CHARS_PER_MENTION >= length
    if best and best_score > 0:
        if in_title and best_score > second and best_score > other_score:
            return Target("model", best, evidence + [f"→ {names[best]}: named in the title (score {best_score:g} vs {second:g})"])
        if best_score >= MIN_SCORE and best_score >= 2 * second and dense and best_score > other_score:
            return Target("model", best, evidence + [f"→ {names[best]}: named {mentions} times in {length} characters (score {best_score:g} vs {second:g})"])
        reason = f"{names[best]} is only mentioned in passing (score {best_score:g}, {mentions} mentions in {length} characters)"
    else:
        reason = "no model of the registry is named"
    if note.is_digest and part.title:
        return Target("paper", paper_slug(part), evidence + [f"→ paper page: {reason}"])
    return Target("other", note.id, evidence + [f"→ other notes: {reason}"])


def paper_slug(part: Part) -> str:
    """papers/<slug>/: the short name before the colon ("ELLA"), else the first words of the title."""
    title = part.title or part.anchor
    head = title.split(":")[0]
    slug = slugify(head, ascii_only=True) if len(head.split()) <= 4 else slugify(title, ascii_only=True, max_words=6)
    slug = slug or (part.arxiv or part.anchor).replace(".", "-")
    if len(slug) > MAX_SLUG:  # a file name on the site: short, and still unique
        slug = slug[: MAX_SLUG - 9].strip("-") + "-" + hashlib.sha1(title.encode()).hexdigest()[:8]
    return f"{slug}-paper" if slug == "index" else slug


# ---------------------------------------------------------------------------------------------
# Topics


def _topic_scanner(registry: Registry) -> NameScanner:
    return NameScanner([(word, topic.id) for topic in registry.topics for word in topic.words])


def topic_scores(text: str, registry: Registry) -> Counter:
    """How often each topic's words occur in the text (topics that do not occur are left out)."""
    return Counter(topic for _, _, topic in registry.derived("route.topics", _topic_scanner).scan(text))


def _best(scores: Counter, registry: Registry) -> str | None:
    order = registry.derived("route.topic_order", lambda r: {t.id: k for k, t in enumerate(r.topics)})
    positive = [(s, -order[t], t) for t, s in scores.items() if s > 0]
    return max(positive)[2] if positive else None


_CHUNK_SPLIT = re.compile(r"\n{2,}")


_OPENING_TAG = re.compile(r"<([a-zA-Z][\w-]*)(?![^<>]*/>)[^<>]*>")
_CLOSING_TAG = re.compile(r"</[a-zA-Z][\w-]*\s*>")
_VOID = {"br", "hr", "img", "wbr"}


def _chunks(body: str) -> list[str]:
    """Split Markdown at blank lines, keeping fenced code blocks and HTML elements (a <details>,
    an admonition's box) whole: a piece is cut only where every element opened has closed."""
    chunks: list[str] = []
    buffer: list[str] = []
    in_fence = False
    depth = 0
    for piece in _CHUNK_SPLIT.split(body):
        buffer.append(piece)
        if piece.count("```") % 2:
            in_fence = not in_fence
        if "<" in piece and not in_fence:
            depth += sum(1 for m in _OPENING_TAG.finditer(piece) if m.group(1).lower() not in _VOID) - len(_CLOSING_TAG.findall(piece))
        if not in_fence and depth <= 0:
            chunks.append("\n\n".join(buffer))
            buffer = []
            depth = 0
    if buffer:
        chunks.append("\n\n".join(buffer))
    return [c for c in chunks if c.strip()]


def split_by_topic(section: Section, registry: Registry) -> list[Section]:
    """A long note with no headings at all is split where its subject changes, paragraph by paragraph.

    A paragraph with no topic words continues the one before; a lead-in ("代码如下：", "预训练设置：")
    goes with the paragraph it introduces.
    """
    chunks = _chunks(section.body)
    if len(chunks) < 4:
        return [section]
    topics: list[str | None] = [_best(topic_scores(c, registry), registry) for c in chunks]
    for k, chunk in enumerate(chunks):
        lead_in = re.search(r"[:：]\**\s*$", chunk) and len(chunk) < 40
        if lead_in and k + 1 < len(chunks) and topics[k + 1]:
            topics[k] = topics[k + 1]
    current = topics[0] or next((t for t in topics if t), None) or registry.default_topic
    groups: list[tuple[str, list[str]]] = []
    for chunk, topic in zip(chunks, topics):
        topic = topic or current
        if groups and groups[-1][0] == topic:
            groups[-1][1].append(chunk)
        else:
            groups.append((topic, [chunk]))
        current = topic
    if len(groups) == 1:
        section.topic = groups[0][0]
        return [section]
    out = []
    for k, (topic, group) in enumerate(groups):
        out.append(
            Section(
                anchor=section.anchor if k == 0 else f"{section.anchor}-p{k + 1}",
                title=None,
                level=0,
                body="\n\n".join(group),
                line=section.line,
                lang=section.lang,
                title_lang=section.title_lang,
                topic=topic,
            )
        )
    return out


def assign_topics(sections: list[Section], registry: Registry) -> list[Section]:
    """Give each section a topic: its heading's words, else its parent's topic, else its text's."""
    if len(sections) == 1 and sections[0].title is None:
        sections = split_by_topic(sections[0], registry)
        if sections[0].topic:
            return sections
    stack: list[Section] = []
    for section in sections:
        while stack and stack[-1].level >= section.level and section.level > 0:
            stack.pop()
        parent = stack[-1] if stack and section.level > 0 else None
        heading_topic = _best(topic_scores(section.title or "", registry), registry)
        body_topic = _best(topic_scores(section.body, registry), registry)
        section.topic = heading_topic or (parent.topic if parent and parent.topic else None) or body_topic or registry.default_topic
        if section.title is None:
            # Text before the first heading introduces the note.
            section.topic = body_topic if body_topic in ("overview", "capabilities") else registry.default_topic
        if section.level > 0:
            stack.append(section)
    return sections


def route_note(note: Note, registry: Registry) -> Note:
    """Fill in every part's target and every section's topic."""
    for part in note.parts:
        part.target = route_part(part, note, registry)
        part.sections = assign_topics(part.sections, registry)
    return note
