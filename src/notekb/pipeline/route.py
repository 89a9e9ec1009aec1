"""Stage 3, route: which model (or family, or paper) each part of a note is about, and each
section's topic.

Routing is by evidence, and the evidence is kept so that `notekb route` can show it:

* front matter `model:` wins over everything;
* otherwise names are read as `mentions` reads them (from the registry's data only) and counted
  in the note's title and text; a title mention weighs five text mentions, and so does the
  model's report being the note's source (a link card, a "技术报告:" line, a digest part's arXiv id);
* a bare family name ("Gemini", "제미나이") weighs half: it counts for the member the note names
  most, else for the only member whose sizes or variants the note uses, else for the family;
* comparisons ("超过了 Gemma 7B"), uses ("Gemini API", "Gemini 기반"), tables and code blocks
  are shown but not counted;
* a model wins only with enough evidence: named in a title (a bare family name in a title is
  not enough), or named at least three times with a density that means the note is about it,
  clearly more than any other registry model and more than any other lab's model;
* a note about a family as a whole, or about several of its members alike, goes to the family.

Digest parts that match nothing become paper pages; other notes go to the "other notes" page.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from notekb.pipeline.mentions import hints, reader_for, tally
from notekb.registry import Registry
from notekb.text import NameScanner, slugify
from notekb.records import Note, Part, Section, Target

TITLE_WEIGHT = 5
WEAK_WEIGHT = 0.5
MIN_SCORE = 3
MIN_MENTIONS = 2  # the text itself must say it more than once (a title's bare family name weighs 2.5)
CHARS_PER_MENTION = 800
MAX_SLUG = 80  # a model named less often than once per this many characters is in passing
_ASIDE = {"compare": "compared with", "use": "used (an API, an app built on it)", "table": "in tables", "code": "in code blocks"}


def matcher_for(registry: Registry):
    """The name reader, built once per registry (the helper processes build it before any note)."""
    return reader_for(registry)


def _fmt(counter: Counter, names: dict[str, str]) -> str:
    return ", ".join(f"{names.get(k, k)} ×{v:g}" for k, v in counter.most_common())


def _sources(note: Note, part: Part, registry: Registry) -> dict[str, str]:
    """model id -> the address by which the note (or the digest's paper) is a reading of its report:
    a link card or "技术报告:" line of the note, or the digest part's arXiv id."""
    urls = [part.url or ""] + ([] if note.is_digest else [s.url or "" for s in note.sources])
    out = {}
    for model in registry.models:
        if part.arxiv and part.arxiv == model.arxiv:
            out[model.id] = f"arXiv {part.arxiv}"
            continue
        for url in urls:
            if url and ((model.arxiv and model.arxiv in url) or url in model.report_urls):
                out[model.id] = url
                break
    return out


def route_part(part: Part, note: Note, registry: Registry) -> Target:
    """Decide where one part lands: Target(model|family|paper|other) with the evidence for it."""
    names = {m.id: m.name for m in registry.models}
    families = {f.id: f.name for f in registry.families}
    if note.model and not note.is_digest:
        return Target("model", note.model, [f"front matter says model: {note.model}"])
    reader = reader_for(registry)
    titles = [part.title or "", part.subtitle or ""]
    if not note.is_digest and not note.title_inferred:
        titles.append(note.title)
    title_text = "\n".join(titles)
    body_text = "\n".join((s.title or "") + "\n" + s.body for s in part.sections)
    title, title_found = tally(title_text, reader, registry)
    body, body_found = tally(body_text, reader, registry)
    sources = _sources(note, part, registry)
    hinted = hints(title.hidden, title_found, reader, title.folded)
    for family_id, counter in hints(body.hidden, body_found, reader, body.folded).items():
        hinted.setdefault(family_id, Counter()).update(counter)

    def named(model_id: str) -> float:
        return TITLE_WEIGHT * (title.strong[model_id] + (model_id in sources)) + body.strong[model_id]

    # A bare family name means the member the note names most; failing that, the only member whose
    # sizes or variants it uses; failing that, the family.
    resolved: dict[str, tuple[str, str]] = {}
    for family_id in set(title.family) | set(body.family):
        top = Counter({m.id: named(m.id) for m in registry.members(family_id) if named(m.id) > 0}).most_common(2)
        marks = hinted.get(family_id, Counter()).most_common(2)
        if top and (len(top) == 1 or top[0][1] > top[1][1]):
            resolved[family_id] = (top[0][0], "the member the note names most")
        elif not top and marks and (len(marks) == 1 or marks[0][1] >= 2 * marks[1][1]):
            resolved[family_id] = (marks[0][0], f"the only member with these sizes or variants: {_fmt(hinted[family_id], names)}")

    scores: Counter = Counter()
    for model in registry.models:
        bare = resolved.get(model.family, ("",))[0] == model.id
        scores[model.id] = named(model.id) + (WEAK_WEIGHT * (TITLE_WEIGHT * title.family[model.family] + body.family[model.family]) if bare else 0)
    family_scores = Counter({f: WEAK_WEIGHT * (TITLE_WEIGHT * title.family[f] + body.family[f]) for f in families if f not in resolved})
    other_score = max((TITLE_WEIGHT * title.others[k] + body.others[k] for k in set(title.others) | set(body.others)), default=0)

    evidence = _evidence(title, body, sources, resolved, names, families)
    ranked = scores.most_common()
    best, best_score = ranked[0] if ranked else (None, 0)
    second = ranked[1][1] if len(ranked) > 1 else 0
    length = max(len(body_text), 1)
    if best and best_score > 0:
        in_title = title.strong[best] > 0 or best in sources
        bare = resolved.get(registry.model_by_id[best].family, ("",))[0] == best
        family_id = registry.model_by_id[best].family
        mentions = body.strong[best] + (body.family[family_id] + hinted.get(family_id, Counter())[best] if bare else 0)
        dense = mentions * CHARS_PER_MENTION >= length and mentions >= MIN_MENTIONS
        how = "its report is the note's source" if best in sources and not title.strong[best] else "named in the title"
        if in_title and best_score > second and best_score > other_score:
            return Target("model", best, evidence + [f"→ {names[best]}: {how} (score {best_score:g} vs {second:g})"])
        if best_score >= MIN_SCORE and best_score >= 2 * second and dense and best_score > other_score:
            return Target("model", best, evidence + [f"→ {names[best]}: named {mentions} times in {length} characters (score {best_score:g} vs {second:g})"])
        reason = f"{names[best]} is only mentioned in passing (score {best_score:g}, {mentions} mentions in {length} characters)"
        if best_score >= MIN_SCORE and best_score < 2 * second:
            reason = f"no one model stands out (score {best_score:g} vs {second:g})"
    else:
        reason = "no model of the registry is named"
    family = _family_target(registry, scores, family_scores, body, other_score, length, names, families)
    if family is not None:
        return Target("family", family[0], evidence + [family[1]], family[2])
    if note.is_digest and part.title:
        return Target("paper", paper_slug(part), evidence + [f"→ paper page: {reason}"])
    return Target("other", note.id, evidence + [f"→ other notes: {reason}"])


def _family_target(registry, scores, family_scores, body, other_score, length, names, families):
    """A note about a family as a whole, or about several of its members alike: (family id, why,
    the members it discusses), or None."""
    best = None
    for family_id in families:
        members = [m.id for m in registry.members(family_id)]
        total = family_scores[family_id] + sum(scores[m] for m in members)
        outside = max((s for m, s in scores.items() if m not in members), default=0)
        mentions = body.family[family_id] + sum(body.strong[m] for m in members)
        # The family as a whole (its bare name, meaning no one member) or several members of it.
        whole = family_scores[family_id] > 0 or sum(1 for m in members if scores[m] > 0) >= 2
        dense = mentions * CHARS_PER_MENTION >= length
        if whole and dense and total >= MIN_SCORE and total >= 2 * outside and total > other_score:
            if best is None or total > best[1]:
                best = (family_id, total, [m for m in members if scores[m] >= 1], mentions)
    if best is None:
        return None
    family_id, total, members, mentions = best
    discussed = "、".join(names[m] for m in members) or "no member by name"
    return family_id, f"→ {families[family_id]} family: about the family as a whole or several members alike ({discussed}; score {total:g}, {mentions} mentions in {length} characters)", members


def _evidence(title, body, sources, resolved, names, families) -> list[str]:
    out = []
    for where, t in (("title", title), ("text", body)):
        if t.strong:
            line = f"{where} names {_fmt(t.strong, names)}"
            if t.offshoots:
                line += f" (offshoots: {_fmt(t.offshoots, {})})"
            if t.apart:
                line += f" (a version or size standing apart from the family name: {'; '.join(dict.fromkeys(t.examples))})"
            out.append(line)
        for family_id, count in t.family.most_common():
            member = resolved.get(family_id)
            means = f"{names[member[0]]}, {member[1]}" if member else "the family, no member said"
            out.append(f"{where} uses {families.get(family_id, family_id)} ×{count} (the bare family name, weak → {means})")
    for model_id, url in sources.items():
        out.append(f"its source is the {names[model_id]} report ({url})")
    aside: dict[str, Counter] = {}
    for t in (title, body):
        for context, counter in t.aside.items():
            aside.setdefault(context, Counter()).update(counter)
    for context, counter in aside.items():
        out.append(f"not counted, {_ASIDE.get(context, context)}: {_fmt(counter, {})}")
    if title.others or body.others:
        out.append(f"other labs' models: {_fmt(title.others + body.others, {})}")
    return out


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
